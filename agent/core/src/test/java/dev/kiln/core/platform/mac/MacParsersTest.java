package dev.kiln.core.platform.mac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every macOS parser on every real capture in test resources (fixtures/macos, with SOURCES.md). */
class MacParsersTest {
    static byte[] fixture(String name) {
        try (InputStream in = MacParsersTest.class.getResourceAsStream("/fixtures/macos/" + name)) {
            return in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    static String text(String name) {
        return new String(fixture(name), StandardCharsets.UTF_8);
    }

    static List<Sysctl.Cluster> clusters(String name) {
        return Sysctl.clusters(Sysctl.parse(text(name)));
    }

    @Test
    void clusterNamesAsEachChipHasThem() {
        assertEquals(List.of(new Sysctl.Cluster(0, "Performance", 10, 10), new Sysctl.Cluster(1, "Efficiency", 4, 4)),
                clusters("sysctl-hw-machdep-m3max-j514m-macos15.txt"));
        assertEquals(List.of(new Sysctl.Cluster(0, "Performance", 12, 12), new Sysctl.Cluster(1, "Efficiency", 4, 4)),
                clusters("sysctl-hw-machdep-m4max-j614c-macos15.txt"));
        assertEquals(List.of(new Sysctl.Cluster(0, "Super", 4, 4), new Sysctl.Cluster(1, "Efficiency", 6, 6)),
                clusters("sysctl-hw-machdep-m5-j704-mac17_2-macos26.4.1.txt"));
        assertEquals(List.of(new Sysctl.Cluster(0, "Super", 6, 6), new Sysctl.Cluster(1, "Performance", 12, 12)),
                clusters("sysctl-hw.perflevel-m5max-mac17_6.txt"));
        assertEquals(List.of(new Sysctl.Cluster(0, "Standard", 3, 3)), clusters("sysctl-subset-m1virtual-githubrunner-macos26.6.2.txt"));
        assertEquals("super", clusters("sysctl-hw.perflevel-m5max-mac17_6.txt").get(0).key());
    }

    @Test
    void levelsWithoutNamesAreNamedByRankAndNoLevelsMeansUnknown() {
        assertEquals(List.of(new Sysctl.Cluster(0, "Performance", 6, 6), new Sysctl.Cluster(1, "Efficiency", 2, 2)),
                clusters("sysctl-hw-machdep-m1pro-j314s-macos12.txt"));
        List<Sysctl.Cluster> m2 = clusters("sysctl-hw-machdep-m2-j413-macos12.txt");
        assertEquals(2, m2.size());
        assertEquals(8, m2.stream().mapToInt(Sysctl.Cluster::physicalCpus).sum());
        assertEquals(List.of(), clusters("sysctl-hw-machdep-m1-macos11-bigsur.txt"), "macOS 11 has no perflevels");
        assertEquals("Apple M1 Pro", Sysctl.parse(text("sysctl-hw-machdep-m1pro-j314s-macos12.txt")).get("machdep.cpu.brand_string"));
    }

    @Test
    void numberProcessorsInAllThreeShapes() {
        SystemProfiler.Hardware m1 = SystemProfiler.hardware(text("system_profiler-SPHardwareDataType-m1-macbookair10_1.json"));
        assertEquals(8, m1.totalCores());
        assertEquals(Map.of("performance", 4, "efficiency", 4), m1.coresByLevel());
        assertEquals("Apple M1", m1.chip());

        SystemProfiler.Hardware m4 = SystemProfiler.hardware(text("system_profiler-SPHardwareDataType-m4max-mac16_5.json"));
        assertEquals(16, m4.totalCores());
        assertEquals(Map.of("performance", 12, "efficiency", 4), m4.coresByLevel());
        assertEquals(48L << 30, m4.memoryBytes());
        assertEquals("FAKESN0001", m4.serial());
        assertEquals("Mac16,5", m4.identifier());

        SystemProfiler.Hardware m5 = SystemProfiler.hardware(text("system_profiler-SPHardwareDataType-m5max-mac17_6.json"));
        assertEquals(18, m5.totalCores());
        assertEquals(Map.of("super", 6, "performance", 12), m5.coresByLevel(), "agrees with sysctl's 6 Super + 12 Performance");
        assertEquals(128L << 30, m5.memoryBytes());

        // macOS 26 gives M1 to M4 the 4-field form too, with the second fast tier 0: the top tier is
        // Performance there, not Super (it once read "super=12")
        SystemProfiler.Hardware m4on26 = SystemProfiler.hardware(text("system_profiler-SPHardwareDataType-m4max-mac16_5.json")
                .replace("\"proc 16:12:4\"", "\"proc 16:12:4:0\""));
        assertEquals(Map.of("performance", 12, "efficiency", 4), m4on26.coresByLevel());

        for (String vm : List.of("system_profiler-SPHardwareDataType-m4max-virtual-vm.json",
                "system_profiler-SPHardwareDataType-m1virtual-githubrunner-macos26.6.2.json")) {
            SystemProfiler.Hardware h = SystemProfiler.hardware(text(vm));
            assertTrue(h.totalCores() >= 2 && h.coresByLevel().isEmpty(), vm + ": " + h);
            assertTrue(h.chip().contains("(Virtual)"), h.chip());
        }
    }

    @Test
    void theHardwareUuidIsReadAsAMachineIdAndARedactedOneIsNone() {
        // the captures' UUIDs were replaced (SOURCES.md): two in a UUID's form, three by X's as their publishers redacted them
        assertEquals("11111111222253338444555555555555",
                SystemProfiler.platformUuid(text("system_profiler-SPHardwareDataType-m4max-mac16_5.json")));
        assertEquals("66666666777758889999aaaaaaaaaaaa",
                SystemProfiler.platformUuid(text("system_profiler-SPHardwareDataType-m4max-virtual-vm.json")), "lower case, no dashes");
        for (String redacted : List.of("system_profiler-SPHardwareDataType-m1-macbookair10_1.json",
                "system_profiler-SPHardwareDataType-m5max-mac17_6.json", "system_profiler-SPHardwareDataType-m1virtual-githubrunner-macos26.6.2.json")) {
            assertEquals(null, SystemProfiler.platformUuid(text(redacted)), redacted);
        }
        String m4 = text("system_profiler-SPHardwareDataType-m4max-mac16_5.json");
        assertEquals(null, SystemProfiler.platformUuid(m4.replace("11111111-2222-5333-8444-555555555555", "00000000-0000-0000-0000-000000000000")),
                "all zeros names no machine");
        assertEquals(null, SystemProfiler.platformUuid(m4.replace("\"platform_UUID\"", "\"other\"")), "absent");
    }

    @Test
    void gpuCoresAreAStringInTheJson() {
        List<SystemProfiler.Gpu> gpus = SystemProfiler.gpus(text("system_profiler-SPDisplaysDataType-m1pro-builtin-plus-2ext.json"));
        assertEquals(List.of(new SystemProfiler.Gpu("Apple M1 Pro", 14)), gpus);
    }

    @Test
    void garbageIsRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> SystemProfiler.hardware("{}"));
        assertThrows(IllegalArgumentException.class, () -> SystemProfiler.hardware("<html>"));
        assertThrows(IllegalArgumentException.class,
                () -> SystemProfiler.hardware("{\"SPHardwareDataType\":[{\"number_processors\":\"proc x:y\"}]}"));
        assertEquals(List.of(), Sysctl.clusters(Sysctl.parse("garbage\n\u0000\n")));
    }

    @Test
    void powermetricsOnEveryCapture() {
        Map<String, Double> m1 = Powermetrics.sample(fixture("powermetrics-m1-macbookpro17_1-macos13.3-a.plist"));
        assertEquals(1022870000.0, m1.get("cluster_e_freq_hertz"));
        assertEquals(1 - 0.983957, m1.get("cluster_p_active_ratio"), 1e-9);
        assertEquals(714.836e6, m1.get("gpu_freq_hertz"), 1, "GPU freq_hz is MHz");
        assertEquals(0.0, m1.get("thermal_pressure_level"));
        assertTrue(m1.get("cpu_power_watts") >= 0 && m1.get("cpu_power_watts") < 100, "mW became W: " + m1.get("cpu_power_watts"));
        Powermetrics.sample(fixture("powermetrics-m1-macbookpro17_1-macos13.3-b.plist"));

        Map<String, Double> ultra = Powermetrics.sample(fixture("powermetrics-m2ultra-mac14_14-macos14.4.plist"));
        for (String c : List.of("e0", "p0", "p1", "e1", "p2", "p3")) {
            assertTrue(ultra.containsKey("cluster_" + c + "_freq_hertz"), "six clusters over two dies: " + c);
        }
        assertEquals(70.9246, ultra.get("gpu_power_watts"), 1e-3);

        Map<String, Double> m4 = Powermetrics.sample(fixture("powermetrics-m4max-mac16_5-macos26.2.plist"));
        assertEquals(2592e6, m4.get("cluster_e_top_freq_hertz"), 1, "the top of the E-cluster's DVFS table");
        assertEquals(3560870000.0, m4.get("cluster_p0_freq_hertz"));
        assertEquals(338e6, m4.get("gpu_freq_hertz"), 1);
        assertEquals(0.0, m4.get("ane_power_watts"));
        // P1 is powered down (idle 0.00237, down 0.997): about 0.04 % active, not 99.8 %
        assertEquals(1 - 0.00237207 - 0.997273, m4.get("cluster_p1_active_ratio"), 1e-9);
        assertEquals(1 - 0.27222, m4.get("cluster_p0_active_ratio"), 1e-9);
    }

    @Test
    void aStreamOfSamplesSeparatedByNulsSurvivesGarbage() throws IOException {
        byte[] a = fixture("powermetrics-m1-macbookpro17_1-macos13.3-a.plist");
        byte[] b = fixture("powermetrics-m1-macbookpro17_1-macos13.3-b.plist");
        byte[] broken = Arrays.copyOf(b, b.length);
        broken[broken.length / 2] = 0; // a NUL in the middle of a sample
        byte[] truncated = Arrays.copyOf(a, a.length / 3);
        java.io.ByteArrayOutputStream s = new java.io.ByteArrayOutputStream();
        for (byte[] part : List.of(a, broken, b, truncated, a)) {
            s.writeBytes(part);
            s.write(0);
        }
        List<Map<String, Double>> ok = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        Powermetrics.stream(new ByteArrayInputStream(s.toByteArray()), ok::add, bad::add);
        assertEquals(3, ok.size(), "the three whole samples");
        assertEquals(3, bad.size(), "two halves of the broken one and the truncated one: " + bad);
        assertThrows(IllegalArgumentException.class, () -> Powermetrics.sample("<plist><dict/></plist>".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theBigPlistParsesQuicklyEnoughToMeasureInABenchmark() {
        byte[] big = fixture("powermetrics-m4max-mac16_5-macos26.2.plist");
        assertTrue(big.length > 200_000);
        for (int i = 0; i < 20; i++) {
            assertEquals(3560870000.0, Powermetrics.sample(big).get("cluster_p0_freq_hertz"));
        }
    }
}
