package dev.kiln.core.platform.mac;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decoding of IOReport samples (the private {@code libIOReport} the public monitors read without
 * root: macmon, mactop, all-smi), split from acquisition and tested on real channel listings and
 * residency lines (fixtures/macos). Pure.
 *
 * <ul>
 *   <li>{@code Energy Model} channels are energy counters: a delta over an interval, scaled by the
 *       channel's own unit label (mJ, uJ, nJ: {@code GPU Energy} is in nJ), is watts. An Ultra has no
 *       package {@code CPU Energy}: its {@code DIE_0_CPU Energy} and {@code DIE_1_CPU Energy} add up.</li>
 *   <li>{@code CPU Stats} / {@code GPU Stats} performance-state channels give residencies (24 MHz
 *       ticks) per state: {@code DOWN}, {@code IDLE}, {@code OFF}, {@code NON_IDLE} are not clocks; the
 *       other states, in order, are the rows of the cluster's DVFS table (read from the {@code pmgr}
 *       device's {@code voltage-states*} properties: little-endian u32 pairs of frequency and voltage,
 *       Hz on M1–M3, kHz from M4 on). The clock is the residency-weighted mean; the active share is
 *       the non-idle residency over all.</li>
 * </ul>
 */
public final class IoReport {
    private IoReport() {
    }

    /** One Energy Model channel's counter delta over the interval, in its own unit. */
    public record EnergyDelta(String name, String unit, long delta) {
    }

    /** Joules per unit of an energy label, or null for a label Kiln does not know (never guessed). */
    public static Double joulesPerUnit(String unit) {
        return switch (unit.trim()) {
            case "J" -> 1.0;
            case "mJ" -> 1e-3;
            case "uJ", "µJ" -> 1e-6;
            case "nJ" -> 1e-9;
            default -> null;
        };
    }

    private static final Pattern CPU = Pattern.compile("(DIE_\\d+_)?CPU Energy");
    private static final Pattern ANE = Pattern.compile("ANE\\d*(_\\d+)?");
    private static final Pattern DRAM = Pattern.compile("DRAM\\d*(_\\d+)?");

    /**
     * The engines' power over {@code seconds}: {@code ioreport_cpu_watts} (the package's, or every
     * die's added), {@code ioreport_gpu_watts} ({@code GPU Energy}), {@code ioreport_ane_watts} and
     * {@code ioreport_dram_watts} (every instance added). A channel whose unit is unknown, or whose
     * delta is negative (a counter reset), leaves its engine out of this interval.
     */
    public static Map<String, Double> watts(List<EnergyDelta> deltas, double seconds) {
        Map<String, double[]> sum = new LinkedHashMap<>();
        Set<String> spoiled = new java.util.HashSet<>();
        for (EnergyDelta d : deltas) {
            String engine = CPU.matcher(d.name()).matches() ? "cpu" : d.name().equals("GPU Energy") ? "gpu"
                    : ANE.matcher(d.name()).matches() ? "ane" : DRAM.matcher(d.name()).matches() ? "dram" : null;
            if (engine == null) {
                continue;
            }
            Double j = joulesPerUnit(d.unit());
            if (j == null || d.delta() < 0) {
                spoiled.add(engine);
                continue;
            }
            sum.computeIfAbsent(engine, k -> new double[1])[0] += d.delta() * j;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        if (seconds > 0) {
            sum.forEach((engine, joules) -> {
                if (!spoiled.contains(engine)) {
                    out.put("ioreport_" + engine + "_watts", joules[0] / seconds);
                }
            });
        }
        return out;
    }

    private static final Set<String> NOT_A_CLOCK = Set.of("DOWN", "IDLE", "OFF", "NON_IDLE");

    /** A cluster's (or the GPU's) clock and active share over an interval. */
    public record Clock(double hertz, double activeRatio) {
    }

    /**
     * @param states    the channel's state names in order
     * @param residency each state's residency over the interval (same order)
     * @param table     the DVFS table's frequencies in Hz, zero entries (the GPU's "off" row) dropped
     * @return the residency-weighted clock of the active states (0 when none was active) and the
     *         active share; null when the states do not fit the table (a new chip's table: never guessed)
     */
    public static Clock clock(List<String> states, long[] residency, long[] table) {
        long[] rows = java.util.Arrays.stream(table).filter(f -> f > 0).toArray();
        double weighted = 0;
        long active = 0;
        long all = 0;
        int row = 0;
        for (int i = 0; i < states.size(); i++) {
            long r = Math.max(0, residency[i]);
            all += r;
            if (NOT_A_CLOCK.contains(states.get(i).toUpperCase(Locale.ROOT))) {
                continue;
            }
            if (row >= rows.length) {
                return null;
            }
            weighted += (double) r * rows[row++];
            active += r;
        }
        if (row != rows.length) {
            return null;
        }
        return new Clock(active == 0 ? 0 : weighted / active, all == 0 ? 0 : (double) active / all);
    }

    /**
     * A {@code voltage-states*} property of the {@code pmgr} device: little-endian u32 pairs of
     * (frequency, voltage); the frequencies in Hz. M4 and later write kHz: a table whose highest entry
     * is under 50 MHz is read as kHz (no CPU or GPU state is that slow).
     */
    public static long[] frequencies(byte[] property) {
        ByteBuffer b = ByteBuffer.wrap(property).order(ByteOrder.LITTLE_ENDIAN);
        long[] f = new long[property.length / 8];
        long max = 0;
        for (int i = 0; i < f.length; i++) {
            f[i] = b.getInt(i * 8) & 0xffffffffL;
            max = Math.max(max, f[i]);
        }
        if (max > 0 && max < 50_000_000L) {
            for (int i = 0; i < f.length; i++) {
                f[i] *= 1000;
            }
        }
        return f;
    }

    private static final Pattern CLUSTER = Pattern.compile("(DIE_\\d+_)?([A-Z])CPU(\\d*)");

    /**
     * Kiln's cluster keys for IOReport's CPU complex channels, as powermetrics names the same
     * clusters: {@code ECPU} → {@code e}, {@code PCPU} → {@code p} when a chip has one cluster of that
     * letter; {@code p0}, {@code p1}… in channel order when it has several ({@code PCPU}, {@code PCPU1},
     * an Ultra's {@code DIE_0_PCPU} … {@code DIE_1_PCPU1}). Other names are left out.
     */
    public static Map<String, String> clusterKeys(List<String> channels) {
        Map<String, List<String>> byLetter = new LinkedHashMap<>();
        for (String c : channels) {
            java.util.regex.Matcher m = CLUSTER.matcher(c);
            if (m.matches()) {
                byLetter.computeIfAbsent(m.group(2).toLowerCase(Locale.ROOT), k -> new java.util.ArrayList<>()).add(c);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        byLetter.forEach((letter, names) -> {
            for (int i = 0; i < names.size(); i++) {
                out.put(names.get(i), names.size() == 1 ? letter : letter + i);
            }
        });
        return out;
    }

    /**
     * The DVFS table of a channel with {@code clockStates} clock states: the one table (of the
     * {@code pmgr} device's {@code voltage-states*} properties, frequencies in Hz, zero rows dropped)
     * with exactly that many rows; null when none or several fit (a chip whose tables Kiln cannot tell
     * apart: no clock is made up).
     */
    public static long[] tableFor(int clockStates, Map<String, long[]> tables) {
        long[] found = null;
        for (long[] t : tables.values()) {
            long[] rows = java.util.Arrays.stream(t).filter(f -> f > 0).toArray();
            if (rows.length == clockStates) {
                if (found != null && !java.util.Arrays.equals(found, rows)) {
                    return null;
                }
                found = rows;
            }
        }
        return found;
    }

    /** How many of a channel's states are clocks (not DOWN, IDLE, OFF, NON_IDLE). */
    public static int clockStates(List<String> states) {
        return (int) states.stream().filter(st -> !NOT_A_CLOCK.contains(st.toUpperCase(Locale.ROOT))).count();
    }
}
