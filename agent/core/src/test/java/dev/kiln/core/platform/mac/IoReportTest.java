package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * IOReport decoding on real captures (fixtures/macos, SOURCES.md): every Energy Model channel of an
 * M1 Ultra and an M5 Max with its own unit label, macmon's residency lines of an M4 Pro, and the
 * DVFS tables macmon printed for an M2 Ultra (Hz) and an M4 Pro (kHz).
 */
class IoReportTest {
    /** The channel listing as (name, unit) pairs. */
    static List<String[]> listing(String name) {
        List<String[]> out = new ArrayList<>();
        for (String l : MacParsersTest.text(name).split("\n")) {
            if (!l.startsWith("#") && l.contains("\t")) {
                out.add(l.split("\t"));
            }
        }
        return out;
    }

    /** Every channel of a listing with the same delta, in its own unit, over 2 s. */
    static Map<String, Double> wattsAt(String listing, long delta) {
        List<IoReport.EnergyDelta> ds = listing(listing).stream().map(c -> new IoReport.EnergyDelta(c[0], c[1], delta)).toList();
        return IoReport.watts(ds, 2.0);
    }

    @Test
    void energyCountersBecomeEnginePowerInEachChannelsOwnUnit() {
        assertEquals(321, listing("ioreport-energy-model-channels-m1ultra-mac13_2-macos27.0.tsv").size());
        assertEquals(364, listing("ioreport-energy-model-channels-m5max-mac17_7-macos27.0.tsv").size());
        // M1 Ultra: no package CPU Energy, the two dies add up; two ANE and two DRAM instances; GPU Energy in nJ
        Map<String, Double> ultra = wattsAt("ioreport-energy-model-channels-m1ultra-mac13_2-macos27.0.tsv", 4000);
        assertEquals(4.0, ultra.get("ioreport_cpu_watts"), 1e-12, "DIE_0 + DIE_1: 2 x 4000 mJ over 2 s");
        assertEquals(2e-6, ultra.get("ioreport_gpu_watts"), 1e-15, "4000 nJ over 2 s");
        assertEquals(4.0, ultra.get("ioreport_ane_watts"), 1e-12);
        assertEquals(4.0, ultra.get("ioreport_dram_watts"), 1e-12);
        Map<String, Double> m5 = wattsAt("ioreport-energy-model-channels-m5max-mac17_7-macos27.0.tsv", 4000);
        assertEquals(List.of("ioreport_cpu_watts", "ioreport_gpu_watts", "ioreport_ane_watts", "ioreport_dram_watts"),
                new ArrayList<>(new java.util.TreeMap<>(m5).descendingMap().keySet()).stream().sorted((a, b) -> order(a) - order(b)).toList());
        assertEquals(2.0, m5.get("ioreport_cpu_watts"), 1e-12, "the package's CPU Energy alone: its cores' channels are parts of it");
    }

    private static int order(String c) {
        return List.of("ioreport_cpu_watts", "ioreport_gpu_watts", "ioreport_ane_watts", "ioreport_dram_watts").indexOf(c);
    }

    @Test
    void anUnknownUnitOrACounterResetLeavesThatEngineOutNeverGuessed() {
        Map<String, Double> w = IoReport.watts(List.of(new IoReport.EnergyDelta("CPU Energy", "mJ", 100),
                new IoReport.EnergyDelta("GPU Energy", "kWh", 5), new IoReport.EnergyDelta("ANE0", "mJ", -3),
                new IoReport.EnergyDelta("DRAM0", "mJ", 50)), 1.0);
        assertEquals(Map.of("ioreport_cpu_watts", 0.1, "ioreport_dram_watts", 0.05), w);
        assertNull(IoReport.joulesPerUnit("kWh"));
        assertEquals(Map.of(), IoReport.watts(List.of(new IoReport.EnergyDelta("CPU Energy", "mJ", 100)), 0));
    }

    private static final Pattern RESIDENCY = Pattern.compile("^(.*) :: (\\S+) \\(24Mticks\\) = \\[(.*)]$");
    private static final Pattern STATE = Pattern.compile("\\(\"([A-Z0-9_]+)\", (\\d+)\\)");

    /** macmon's residency lines: channel name -> (states, ticks). */
    static Map<String, Object[]> residencies(String name) {
        Map<String, Object[]> out = new LinkedHashMap<>();
        for (String l : MacParsersTest.text(name).split("\n")) {
            Matcher m = RESIDENCY.matcher(l.trim());
            if (!m.matches()) {
                continue;
            }
            List<String> states = new ArrayList<>();
            List<Long> ticks = new ArrayList<>();
            Matcher s = STATE.matcher(m.group(3));
            while (s.find()) {
                states.add(s.group(1));
                ticks.add(Long.parseLong(s.group(2)));
            }
            out.put(m.group(2), new Object[] {states, ticks.stream().mapToLong(Long::longValue).toArray()});
        }
        return out;
    }

    /** The M4 Pro's DVFS rows as its powermetrics text capture lists them (MHz) for a cluster or the GPU. */
    static long[] m4ProTable(String prefix) {
        for (String l : MacParsersTest.text("powermetrics-text-m4pro14core-2026-04-04.txt").split("\n")) {
            if (l.startsWith(prefix + " HW active residency")) {
                return Pattern.compile("(\\d+) MHz").matcher(l).results().mapToLong(r -> Long.parseLong(r.group(1)) * 1_000_000L).toArray();
            }
        }
        throw new AssertionError(prefix);
    }

    @Test
    void residenciesBecomeClocksAndActiveSharesOnTheChipsTable() {
        Map<String, Object[]> r = residencies("macmon-debug-m4pro-mac16_8-macos27.0b-cpu-gpu-residency-fragment.txt");
        long[] p = m4ProTable("P0-Cluster");
        assertEquals(19, p.length, "V0P18 .. V18P0: 19 states, 19 rows");
        @SuppressWarnings("unchecked")
        IoReport.Clock c120 = IoReport.clock((List<String>) r.get("PCPU120")[0], (long[]) r.get("PCPU120")[1], p);
        assertEquals(2616e6, c120.hertz(), 1, "all its active time in V5: the sixth row, 2616 MHz");
        assertEquals(1218746.0 / (1408354 + 1218746), c120.activeRatio(), 1e-9);
        @SuppressWarnings("unchecked")
        IoReport.Clock c130 = IoReport.clock((List<String>) r.get("PCPU130")[0], (long[]) r.get("PCPU130")[1], p);
        assertEquals((721.0 * 1260e6 + 1010965.0 * 2616e6) / (721 + 1010965), c130.hertz(), 1);
        // the GPU: OFF is not a clock; P1..P15 are the 15 rows
        long[] gpu = m4ProTable("GPU");
        @SuppressWarnings("unchecked")
        IoReport.Clock g = IoReport.clock((List<String>) r.get("GPUPH")[0], (long[]) r.get("GPUPH")[1], gpu);
        assertEquals(338e6, g.hertz(), 1);
        assertEquals(1480080.0 / (1148773 + 1480080), g.activeRatio(), 1e-9);
        // NON_IDLE (the complex's idle channel) is not a clock either
        Map<String, Object[]> cx = residencies("macmon-debug-m4pro-mac16_8-macos27.0b-cpu-complex-residency-fragment.txt");
        assertTrue(cx.containsKey("PCPM_IDLE") && cx.containsKey("PCPU"), cx.keySet().toString());
        // a table that does not fit the states is never guessed at
        assertNull(IoReport.clock(List.of("IDLE", "V0P1", "V1P0"), new long[] {5, 5, 5}, new long[] {1_000_000_000L}));
        assertEquals(0.0, IoReport.clock(List.of("IDLE", "V0P0"), new long[] {10, 0}, new long[] {1_000_000_000L}).hertz(), "idle: 0 Hz");
    }

    /** A voltage-states property as the pmgr device holds it, rebuilt from the (f) and (v) rows macmon printed. */
    static byte[] property(String fixture, String key) {
        long[] f = null;
        long[] v = null;
        for (String l : MacParsersTest.text(fixture).split("\n")) {
            String t = l.trim();
            if (t.startsWith(key + ": (f)")) {
                f = Arrays.stream(t.substring(t.indexOf(')') + 1).trim().split(" +")).mapToLong(Long::parseLong).toArray();
            } else if (t.startsWith(key + ": (v)")) {
                v = Arrays.stream(t.substring(t.indexOf(')') + 1).trim().split(" +")).mapToLong(Long::parseLong).toArray();
            }
        }
        ByteBuffer b = ByteBuffer.allocate(f.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < f.length; i++) {
            b.putInt((int) f[i]).putInt((int) v[i]);
        }
        return b.array();
    }

    @Test
    void dvfsTablesInHzOnM2AndKhzOnM4() {
        assertArrayEquals(new long[] {912_000_000L, 1_284_000_000L, 1_752_000_000L, 2_004_000_000L, 2_256_000_000L, 2_424_000_000L},
                IoReport.frequencies(property("macmon-debug-m2ultra-mac14_14-macos15.2-dvfs-fragment.txt", "voltage-states1-sram")));
        assertArrayEquals(new long[] {1_020_000_000L, 1_404_000_000L, 1_788_000_000L, 2_112_000_000L, 2_352_000_000L, 2_532_000_000L,
                2_592_000_000L}, IoReport.frequencies(property("macmon-debug-m4pro-mac16_8-macos27.0b-dvfs-fragment.txt", "voltage-states1-sram")),
                "the M4 Pro's E-cluster in kHz; the same rows its powermetrics capture lists in MHz");
        assertArrayEquals(Arrays.stream(m4ProTable("E-Cluster")).toArray(),
                IoReport.frequencies(property("macmon-debug-m4pro-mac16_8-macos27.0b-dvfs-fragment.txt", "voltage-states1-sram")));
    }

    /** Every {@code voltage-states*-sram} table a macmon dump printed whole, as the pmgr device's bytes decode. */
    static Map<String, long[]> sramTables(String fixture) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String l : MacParsersTest.text(fixture).split("\n")) {
            String t = l.trim();
            int colon = t.indexOf(": (f)");
            if (colon > 0 && t.substring(0, colon).endsWith("-sram") && t.contains("(v)") == false) {
                String key = t.substring(0, colon);
                if (MacParsersTest.text(fixture).contains(key + ": (v)")) {
                    out.put(key, IoReport.frequencies(property(fixture, key)));
                }
            }
        }
        return out;
    }

    @Test
    void theTableOfAChannelIsTheOneWithItsNumberOfClockStatesAndClustersAreNamedAsPowermetricsDoes() {
        Map<String, long[]> m4 = sramTables("macmon-debug-m4pro-mac16_8-macos27.0b-dvfs-fragment.txt");
        assertTrue(m4.containsKey("voltage-states1-sram"), m4.keySet().toString());
        assertEquals(2_592_000_000L, IoReport.tableFor(7, m4)[6], "seven E states: the E-cluster's table");
        assertNull(IoReport.tableFor(19, m4), "the P table was cut from this capture: no clock is made up");
        Map<String, Object[]> r = residencies("macmon-debug-m4pro-mac16_8-macos27.0b-cpu-gpu-residency-fragment.txt");
        @SuppressWarnings("unchecked")
        List<String> pStates = (List<String>) r.get("PCPU120")[0];
        assertEquals(19, IoReport.clockStates(pStates));
        assertEquals(Map.of("ECPU", "e", "PCPU", "p"), IoReport.clusterKeys(List.of("ECPU", "PCPU", "GPUPH")));
        assertEquals(List.of("e", "p0", "p1"), List.copyOf(IoReport.clusterKeys(List.of("ECPU", "PCPU", "PCPU1")).values()));
        assertEquals(Map.of("DIE_0_ECPU", "e0", "DIE_0_PCPU", "p0", "DIE_0_PCPU1", "p1", "DIE_1_ECPU", "e1", "DIE_1_PCPU", "p2", "DIE_1_PCPU1", "p3"),
                IoReport.clusterKeys(List.of("DIE_0_ECPU", "DIE_0_PCPU", "DIE_0_PCPU1", "DIE_1_ECPU", "DIE_1_PCPU", "DIE_1_PCPU1")),
                "an Ultra's six clusters, as the M2 Ultra's powermetrics capture names them (E0, P0, P1, E1, P2, P3)");
    }
}
