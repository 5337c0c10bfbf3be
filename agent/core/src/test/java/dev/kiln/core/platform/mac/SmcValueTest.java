package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * SMC value decoding on the bytes of real SMC dumps (iSMC's reports of an M2 Max, an M4 Mac mini,
 * and the T-keys of an M1 Ultra, M3 Max, M4 Max and M5 Max: fixtures/macos, SOURCES.md), checked
 * against the value iSMC decoded from the same bytes where iSMC decodes that type rightly.
 */
class SmcValueTest {
    static final List<String> DUMPS = List.of("smc-ismc-raw-all-m2max-macbookpro16-j416c.txt", "smc-ismc-raw-all-m4-macmini-mac16_10-j773g.txt",
            "smc-ismc-raw-tkeys-m1ultra-macstudio.txt", "smc-ismc-raw-tkeys-m3max-macbookpro.txt", "smc-ismc-raw-tkeys-m4max-macstudio.txt",
            "smc-ismc-raw-tkeys-m5max-macbookpro.txt");

    /** One line of an iSMC raw dump: key, type, iSMC's decoded value (may be absent), bytes. */
    record Line(String key, String type, String decoded, byte[] bytes) {
    }

    private static final Pattern LINE = Pattern.compile("^ {2}(.{4}) {2}\\[(.{4})]  (.*?) ?\\(bytes ([0-9a-f ]+)\\)$");

    static List<Line> dump(String name) {
        List<Line> out = new ArrayList<>();
        for (String l : MacParsersTest.text(name).split("\n")) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) {
                out.add(new Line(m.group(1), m.group(2), m.group(3).trim(), HexFormat.of().parseHex(m.group(4).replace(" ", ""))));
            }
        }
        return out;
    }

    @Test
    void everyNumberIsmcDecodedRightlyIsDecodedTheSameFromItsBytes() {
        Set<String> checkedTypes = Set.of("flt ", "ioft", "ui8 ", "ui16", "ui32", "si8 ", "si16", "si32", "flag", "fp1f");
        Map<String, Integer> perType = new LinkedHashMap<>();
        int lines = 0;
        for (String d : DUMPS) {
            List<Line> ls = dump(d);
            assertTrue(ls.size() > 300, d + ": " + ls.size() + " keys parsed");
            lines += ls.size();
            for (Line l : ls) {
                if (!checkedTypes.contains(l.type()) || l.decoded().isEmpty()) {
                    continue;
                }
                double expected = l.type().equals("flag") ? (l.decoded().equals("true") ? 1 : 0) : Double.parseDouble(l.decoded());
                Double got = SmcValue.decode(l.type(), l.bytes());
                // iSMC prints floats with Go's shortest form of a float32; compare at that precision
                assertEquals(expected, got, Math.abs(expected) * 1e-6 + 1e-9, d + " " + l.key() + " [" + l.type() + "]");
                perType.merge(l.type(), 1, Integer::sum);
            }
        }
        assertTrue(lines > 3000, "keys read: " + lines);
        assertTrue(perType.get("flt ") > 1000 && perType.get("ioft") >= 5 && perType.get("ui32") > 100 && perType.get("fp1f") == 1, perType.toString());
    }

    @Test
    void theDumpsOwnFactsDecode() {
        Map<String, Line> m4 = new LinkedHashMap<>();
        dump("smc-ismc-raw-all-m4-macmini-mac16_10-j773g.txt").forEach(l -> m4.put(l.key(), l));
        assertEquals(1352.0, SmcValue.decode("ui32", m4.get("#KEY").bytes()), "#KEY is big-endian");
        assertEquals(1.0, SmcValue.decode("ui8 ", m4.get("FNum").bytes()), "one fan");
        assertEquals(1000.0, SmcValue.decode("flt ", m4.get("F0Ac").bytes()));
        assertEquals(3.3226, SmcValue.decode("flt ", m4.get("PSTR").bytes()), 1e-4);
        assertEquals(51.82, SmcValue.decode("ioft", m4.get("TR0Z").bytes()), 1e-3);
        // the M1 Ultra dump has no decoded column: the bytes alone give plausible die temperatures
        List<Line> ultra = dump("smc-ismc-raw-tkeys-m1ultra-macstudio.txt");
        long plausible = ultra.stream().filter(l -> SmcValue.kind(l.key(), l.type()) == SmcValue.Kind.TEMPERATURE)
                .filter(l -> SmcValue.plausible(SmcValue.Kind.TEMPERATURE, SmcValue.decode(l.type(), l.bytes()))).count();
        assertTrue(plausible > 80, "M1 Ultra CPU/GPU die sensors reading 0..150 °C: " + plausible);
    }

    @Test
    void fixedPointAndSignedTypesAndWhatIsNotANumber() {
        assertEquals(43.5, SmcValue.decode("sp78", new byte[] {0x2b, (byte) 0x80}));
        assertEquals(-1.0, SmcValue.decode("sp78", new byte[] {(byte) 0xff, 0x00}));
        assertEquals(1234.0, SmcValue.decode("fpe2", new byte[] {0x13, 0x48}), "fpe2: (b0 << 6) + (b1 >> 2)");
        assertEquals(-25.9, SmcValue.decode("ioft", HexFormat.of().parseHex("9a19e6ffffffffff")), 1e-4);
        assertNull(SmcValue.decode("ch8*", new byte[] {0x41, 0x42}));
        assertNull(SmcValue.decode("hex_", new byte[] {1, 2}));
        assertNull(SmcValue.decode("flt ", new byte[] {1, 2}), "too short");
        assertEquals(0x23_4b_45_59, SmcValue.fourCc("#KEY"));
        assertThrows(IllegalArgumentException.class, () -> SmcValue.fourCc("TOOLONG"));
    }

    @Test
    void whichKeysAreSampledAndTheirChannels() {
        Map<SmcValue.Kind, Integer> kinds = new LinkedHashMap<>();
        Set<String> channels = new java.util.HashSet<>();
        for (Line l : dump("smc-ismc-raw-all-m2max-macbookpro16-j416c.txt")) {
            SmcValue.Kind k = SmcValue.kind(l.key(), l.type());
            if (k != SmcValue.Kind.NONE && SmcValue.plausible(k, SmcValue.decode(l.type(), l.bytes()))) {
                kinds.merge(k, 1, Integer::sum);
                assertTrue(channels.add(SmcValue.channel(l.key(), k)), "one channel per key: " + l.key());
            }
        }
        assertEquals(2, kinds.get(SmcValue.Kind.FAN), "the M2 Max's two fans: " + kinds);
        assertEquals(1, kinds.get(SmcValue.Kind.POWER), kinds.toString());
        assertTrue(kinds.get(SmcValue.Kind.TEMPERATURE) > 20, "its die sensors, without its constants: " + kinds);
        assertEquals(SmcValue.Kind.NONE, SmcValue.kind("TR0Z", "ioft"), "the constant calibration key is not a sensor");
        assertEquals(SmcValue.Kind.NONE, SmcValue.kind("TB0T", "flt "), "battery: not a die sensor");
        assertEquals("smc_Tg0f_celsius", SmcValue.channel("Tg0f", SmcValue.Kind.TEMPERATURE));
        assertTrue(!SmcValue.plausible(SmcValue.Kind.TEMPERATURE, 0.0) && !SmcValue.plausible(SmcValue.Kind.TEMPERATURE, -21.5));
    }

    /**
     * The keys kept from each dump hold no constants that would read as a stuck or an out-of-line
     * sensor on a healthy unit: within every group of names equal but for their digits (the judge's
     * neighbour groups), no idle reading is further than the judge's 15 °C from the group's median.
     */
    @Test
    void theKeysKeptFromEveryDumpAreInLineWithTheirNeighboursAtIdle() {
        for (String d : DUMPS) {
            Map<String, List<Double>> groups = new LinkedHashMap<>();
            int dropped = 0;
            for (Line l : dump(d)) {
                if (SmcValue.kind(l.key(), l.type()) != SmcValue.Kind.TEMPERATURE) {
                    continue;
                }
                double v = SmcValue.decode(l.type(), l.bytes());
                if (!SmcValue.plausible(SmcValue.Kind.TEMPERATURE, v)) {
                    dropped++;
                    continue;
                }
                groups.computeIfAbsent(SmcValue.channel(l.key(), SmcValue.Kind.TEMPERATURE).replaceAll("\\d+", "#"), k -> new ArrayList<>()).add(v);
            }
            for (Map.Entry<String, List<Double>> g : groups.entrySet()) {
                if (g.getValue().size() < 3) {
                    continue;
                }
                double[] s = g.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
                for (double v : s) {
                    assertTrue(Math.abs(v - median) <= 15, d + " " + g.getKey() + ": " + v + " against a median of " + median);
                }
            }
            if (d.contains("m4max") || d.contains("m2max") || d.contains("m3max")) {
                assertTrue(dropped > 0, d + ": its constants and empty slots were left out");
            }
        }
    }
}
