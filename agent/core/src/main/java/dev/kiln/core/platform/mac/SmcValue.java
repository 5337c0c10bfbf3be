package dev.kiln.core.platform.mac;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes an Apple SMC key's value from its four-character type and its bytes, as the SMC returns
 * them (read through {@link dev.kiln.core.platform.mac.SmcSource}). Pure: tested on the bytes of real
 * SMC dumps of M1 Ultra to M5 Max (iSMC's reports, fixtures/macos).
 *
 * <ul>
 *   <li>{@code flt } — IEEE 754 single, little-endian: every temperature, fan speed and {@code PSTR}
 *       (system power, W) on Apple Silicon;</li>
 *   <li>{@code ioft} — signed 48.16 fixed point, little-endian 64-bit ÷ 65536;</li>
 *   <li>{@code fpXY} / {@code spXY} (X, Y hex digits: integer and fraction bits) — unsigned / signed
 *       big-endian 16-bit ÷ 2^Y ({@code sp78}, {@code fpe2}: Intel Macs' temperatures and fans);</li>
 *   <li>{@code ui8 }, {@code ui16}, {@code ui32}, {@code si8 }, {@code si16}, {@code si32} — big-endian
 *       integers, as the SMC's count keys ({@code #KEY}, {@code FNum}) are written. Some other
 *       integer keys on Apple Silicon read sensibly only little-endian (battery and adapter keys);
 *       Kiln reads none of them;</li>
 *   <li>{@code flag} — 0 or 1.</li>
 * </ul>
 * Anything else (strings, {@code hex_}, structures) is not a number: null.
 */
public final class SmcValue {
    private static final Pattern FIXED = Pattern.compile("([fs])p([0-9a-f])([0-9a-f])");

    private SmcValue() {
    }

    /**
     * @param type  the key's type as the SMC gives it (four characters, padded with spaces)
     * @param bytes the value's bytes, at least as many as the type needs
     * @return the number, or null for a type that is not one or bytes too short for it
     */
    public static Double decode(String type, byte[] bytes) {
        String t = type.toLowerCase(Locale.ROOT).trim();
        int n = bytes.length;
        ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        switch (t) {
            case "flt":
                return n >= 4 ? (double) le.getFloat(0) : null;
            case "ioft":
                return n >= 8 ? le.getLong(0) / 65536.0 : null;
            case "ui8":
                return n >= 1 ? (double) (bytes[0] & 0xff) : null;
            case "ui16":
                return n >= 2 ? (double) (be.getShort(0) & 0xffff) : null;
            case "ui32":
                return n >= 4 ? (double) (be.getInt(0) & 0xffffffffL) : null;
            case "si8":
                return n >= 1 ? (double) bytes[0] : null;
            case "si16":
                return n >= 2 ? (double) be.getShort(0) : null;
            case "si32":
                return n >= 4 ? (double) be.getInt(0) : null;
            case "flag":
                return n >= 1 ? (bytes[0] != 0 ? 1.0 : 0.0) : null;
            default:
                break;
        }
        Matcher m = FIXED.matcher(t);
        if (m.matches() && n >= 2) {
            int fraction = Integer.parseInt(m.group(3), 16);
            double raw = m.group(1).equals("s") ? be.getShort(0) : be.getShort(0) & 0xffff;
            return raw / (1 << fraction);
        }
        return null;
    }

    /** The SMC's four-character code of a key as a big-endian integer, as the SMC's calls take it. */
    public static int fourCc(String key) {
        if (key.length() != 4) {
            throw new IllegalArgumentException("an SMC key has four characters: " + key);
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = v << 8 | key.charAt(i) & 0xff;
        }
        return v;
    }

    /** What a key is to the judge: a CPU or GPU die temperature, a fan's speed, the system's power, or nothing. */
    public enum Kind { TEMPERATURE, FAN, POWER, NONE }

    private static final Pattern TEMPERATURE = Pattern.compile("T[pegsm][0-9A-Za-z]{2}");
    private static final Pattern FAN = Pattern.compile("F[0-9]Ac");

    /**
     * The keys Kiln samples, as the public monitors read them (macmon, iSMC, Stats): {@code Tp*},
     * {@code Te*}, {@code Ts*} and {@code Tm*} CPU die sensors (performance, efficiency, and the M5
     * generation's levels) and {@code Tg*} GPU sensors, all {@code flt}; {@code F<n>Ac} fan speeds;
     * {@code PSTR} the system's power in watts.
     */
    public static Kind kind(String key, String type) {
        if (!type.trim().equalsIgnoreCase("flt")) {
            return Kind.NONE;
        }
        if (TEMPERATURE.matcher(key).matches()) {
            return Kind.TEMPERATURE;
        }
        if (FAN.matcher(key).matches()) {
            return Kind.FAN;
        }
        return key.equals("PSTR") ? Kind.POWER : Kind.NONE;
    }

    /** The channel a key's readings go to: {@code smc_<key>_celsius}, {@code smc_<key>_rpm}, {@code smc_<key>_watts}. */
    public static String channel(String key, Kind kind) {
        String safe = key.replaceAll("[^0-9A-Za-z]", "_");
        return switch (kind) {
            case TEMPERATURE -> "smc_" + safe + "_celsius";
            case FAN -> "smc_" + safe + "_rpm";
            case POWER -> "smc_" + safe + "_watts";
            case NONE -> throw new IllegalArgumentException("key " + key + " is not sampled");
        };
    }

    /**
     * Whether a first reading shows a populated sensor: a temperature in [10, 150] °C, a fan in
     * [0, 30000] rpm, power in [0, 5000] W. The real dumps show why the floor is 10 °C and not 0: an
     * empty slot reads 0, and many {@code Tp*}/{@code Tg*} keys hold small constants or negative
     * values that are not temperatures (an M2 Max's Tp01 6.7, an M4 Max's Tp1n 2.5, an M3 Max's Tg0D
     * −8.75); a die at idle is never under 10 °C. Sampled as sensors they would read "stuck" or out of
     * line with their neighbours on a healthy unit.
     */
    public static boolean plausible(Kind kind, double v) {
        return switch (kind) {
            case TEMPERATURE -> v >= 10 && v <= 150;
            case FAN -> v >= 0 && v <= 30_000;
            case POWER -> v >= 0 && v <= 5_000;
            case NONE -> false;
        };
    }
}
