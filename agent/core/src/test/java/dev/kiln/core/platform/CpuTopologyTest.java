package dev.kiln.core.platform;

import dev.kiln.api.SuiteEnvironment.LogicalCpu;
import dev.kiln.api.WorkPlan.Placement;
import dev.kiln.core.platform.mac.MacThreadPlacer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuTopologyTest {
    @TempDir
    Path root;

    private void write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void theTopologyIsSaidInALineWithWhatIsNotKnown() {
        List<LogicalCpu> ultra = CpuTopology.appleDies(List.of(new LogicalCpu(0, "efficiency"), new LogicalCpu(1, "performance"),
                new LogicalCpu(2, "efficiency"), new LogicalCpu(3, "performance")), "Apple M2 Ultra");
        assertEquals("4 logical CPUs, 2 dies (cpus 0-1; cpus 2-3), 4 physical cores, no SMT siblings", CpuTopology.describe(ultra));
        List<LogicalCpu> smt = List.of(new LogicalCpu(0, "cpu", 5, 0), new LogicalCpu(1, "cpu", 5, 0), new LogicalCpu(2, "cpu", 6, 0));
        assertEquals("3 logical CPUs, 1 die (cpus 0-2), 2 physical cores, 1 SMT sibling(s)", CpuTopology.describe(smt));
        assertEquals("1 logical CPUs, dies unknown, cores unknown", CpuTopology.describe(List.of(new LogicalCpu(0, "cpu"))));
        assertEquals("0-3,8,10-11", CpuList.format(List.of(10, 0, 1, 2, 3, 8, 11)));
        assertEquals(CpuList.parse("0-3,8,10-11"), List.of(0, 1, 2, 3, 8, 10, 11));
    }

    @Test
    void cpuListsParse() {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), CpuList.parse("0-3,8,10-11\n"));
        assertEquals(List.of(), CpuList.parse(""));
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse("3-1"));
        assertThrows(IllegalArgumentException.class, () -> CpuList.parse("a-b"));
    }

    @Test
    void hybridIntelClustersFromPmuLists() throws IOException {
        write("sys/devices/cpu_core/cpus", "0-3\n");
        write("sys/devices/cpu_atom/cpus", "4-7\n");
        List<LogicalCpu> cpus = CpuTopology.linux(root, List.of(0, 3, 4, 7));
        assertEquals(List.of(new LogicalCpu(0, "performance"), new LogicalCpu(3, "performance"),
                new LogicalCpu(4, "efficiency"), new LogicalCpu(7, "efficiency")), cpus);
    }

    @Test
    void armClustersFromCapacity() throws IOException {
        write("sys/devices/system/cpu/cpu0/cpu_capacity", "446\n");
        write("sys/devices/system/cpu/cpu1/cpu_capacity", "1024\n");
        write("sys/devices/system/cpu/cpu2/cpu_capacity", "garbage\n");
        assertEquals(List.of(new LogicalCpu(0, "capacity-446"), new LogicalCpu(1, "capacity-1024"), new LogicalCpu(2, "cpu")),
                CpuTopology.linux(root, List.of(0, 1, 2)));
    }

    @Test
    void emptyTreeIsOneCluster() {
        assertEquals(List.of(new LogicalCpu(0, "cpu"), new LogicalCpu(1, "cpu")), CpuTopology.linux(root, List.of(0, 1)));
    }

    @Test
    void thisMachineHasCpus() {
        List<LogicalCpu> cpus = PlatformProbe.current().cpus();
        assertFalse(cpus.isEmpty());
        assertTrue(cpus.size() <= Runtime.getRuntime().availableProcessors() * 2);
    }

    /** Live: pin to each CPU we may use and read back where the thread runs. */
    @Test
    @EnabledOnOs(OS.LINUX)
    void linuxPinningIsObservable() throws Exception {
        ThreadPlacer placer = PlatformProbe.current().threadPlacer();
        assertEquals("sched_setaffinity", placer.method());
        for (LogicalCpu c : PlatformProbe.current().cpus()) {
            int[] seen = new int[1];
            ThreadPlacer.Result[] res = new ThreadPlacer.Result[1];
            Thread t = new Thread(() -> {
                res[0] = placer.place(Placement.on(c));
                seen[0] = placer.currentCpu();
            });
            t.start();
            t.join();
            assertTrue(res[0].pinned(), res[0].description());
            assertEquals(c.id(), seen[0], "runs where it was pinned");
        }
        ThreadPlacer.Result bad = placer.place(new Placement(100_000, "cpu"));
        assertFalse(bad.pinned());
    }

    private static List<dev.kiln.core.platform.mac.Sysctl.Cluster> levels(String fixture) throws IOException {
        try (var in = CpuTopologyTest.class.getResourceAsStream("/fixtures/macos/" + fixture)) {
            return dev.kiln.core.platform.mac.Sysctl.clusters(dev.kiln.core.platform.mac.Sysctl.parse(
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    /** OSHI's view: ids 0.. with the efficiency class given per id. */
    private static List<int[]> oshi(int... classes) {
        List<int[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < classes.length; i++) {
            out.add(new int[] {i, classes[i]});
        }
        return out;
    }

    private static java.util.Map<String, Long> counts(List<LogicalCpu> cpus) {
        return cpus.stream().collect(java.util.stream.Collectors.groupingBy(LogicalCpu::cluster, java.util.TreeMap::new,
                java.util.stream.Collectors.counting()));
    }

    @Test
    void macClustersComeFromTheSysctlLevelNamesOnEveryCapture() throws IOException {
        // M4 Max: OSHI tells E (class 0, ids 0-3) from P (class 1)
        int[] m4 = new int[16];
        java.util.Arrays.fill(m4, 4, 16, 1);
        List<LogicalCpu> m4max = CpuTopology.mac(levels("sysctl-hw-machdep-m4max-j614c-macos15.txt"), oshi(m4));
        assertEquals(java.util.Map.of("efficiency", 4L, "performance", 12L), counts(m4max));
        assertEquals(List.of(0, 1, 2, 3), m4max.stream().filter(c -> c.cluster().equals("efficiency")).map(LogicalCpu::id).toList());
        // M5 (4 Super + 6 Efficiency) and M5 Max (6 Super + 12 Performance): OSHI knows only P and E, so
        // it puts every core in one class; once that made one cluster and the E-cores were never steered
        assertEquals(java.util.Map.of("efficiency", 6L, "super", 4L), counts(CpuTopology.mac(levels("sysctl-hw-machdep-m5-j704-mac17_2-macos26.4.1.txt"),
                oshi(new int[10]))));
        assertEquals(java.util.Map.of("performance", 12L, "super", 6L), counts(CpuTopology.mac(levels("sysctl-hw.perflevel-m5max-mac17_6.txt"),
                oshi(new int[18]))));
        // M1 Pro on macOS 12 (6 P + 2 E, levels without names: named by rank), and the macOS 26 virtual machine's one Standard level
        int[] m1pro = new int[8];
        java.util.Arrays.fill(m1pro, 2, 8, 1);
        assertEquals(java.util.Map.of("efficiency", 2L, "performance", 6L), counts(CpuTopology.mac(levels("sysctl-hw-machdep-m1pro-j314s-macos12.txt"),
                oshi(m1pro))));
        assertEquals(java.util.Map.of("standard", 3L), counts(CpuTopology.mac(levels("sysctl-subset-m1virtual-githubrunner-macos26.6.2.txt"),
                oshi(new int[3]))));
        // macOS 11 has no levels: OSHI's classes
        int[] m1 = {0, 0, 0, 0, 1, 1, 1, 1};
        assertEquals(java.util.Map.of("efficiency", 4L, "performance", 4L), counts(CpuTopology.mac(levels("sysctl-hw-machdep-m1-macos11-bigsur.txt"),
                oshi(m1))));
        // counts that do not add up (a VM that hides cores): OSHI's view, not a made-up split
        assertEquals(java.util.Map.of("cpu", 4L), counts(CpuTopology.mac(levels("sysctl-hw-machdep-m4max-j614c-macos15.txt"), oshi(new int[4]))));
    }

    @Test
    void efficiencyWorkersAreNeverBackgroundAndSpillOneCoreAtATime() throws IOException {
        Placement e = new Placement(0, "efficiency");
        Placement p = new Placement(5, "performance");
        java.util.Map<String, Integer> m4max = MacThreadPlacer.coresByTier(CpuTopology.mac(levels4(), m4oshi()));
        assertEquals(List.of("performance", "efficiency"), List.copyOf(m4max.keySet()));
        assertEquals(MacThreadPlacer.QOS_CLASS_USER_INITIATED, MacThreadPlacer.qosFor(e, m4max), "background would run E-cores at half clock");
        assertEquals(MacThreadPlacer.QOS_CLASS_USER_INTERACTIVE, MacThreadPlacer.qosFor(p, m4max));
        assertTrue(MacThreadPlacer.QOS_CLASS_USER_INITIATED < MacThreadPlacer.QOS_CLASS_USER_INTERACTIVE, "companions outrank the worker");
        assertEquals(12, MacThreadPlacer.companionsFor(e, m4max), "one companion per faster core");
        assertEquals(0, MacThreadPlacer.companionsFor(p, m4max));
        assertEquals(0, MacThreadPlacer.companionsFor(Placement.ANY, m4max));
    }

    /**
     * The M5 Max (6 Super + 12 Performance): once every non-efficiency worker ran USER_INTERACTIVE with no
     * companions, so a lone Performance worker landed on a Super core and the Performance tier was never
     * tested one core at a time. Now it spills past six Super companions; and on three tiers an
     * Efficiency worker spills past both faster tiers.
     */
    @Test
    void aLoneWorkerOfEverySlowerTierSpillsPastEveryFasterTier() throws IOException {
        java.util.Map<String, Integer> m5max = MacThreadPlacer.coresByTier(CpuTopology.mac(levels("sysctl-hw.perflevel-m5max-mac17_6.txt"),
                oshi(new int[18])));
        assertEquals(java.util.Map.of("super", 6, "performance", 12), m5max);
        assertEquals(List.of("super", "performance"), List.copyOf(m5max.keySet()));
        Placement s = new Placement(0, "super");
        Placement p = new Placement(10, "performance");
        assertEquals(MacThreadPlacer.QOS_CLASS_USER_INTERACTIVE, MacThreadPlacer.qosFor(s, m5max));
        assertEquals(MacThreadPlacer.QOS_CLASS_USER_INITIATED, MacThreadPlacer.qosFor(p, m5max), "below the Super workers' class");
        assertEquals(6, MacThreadPlacer.companionsFor(p, m5max), "one companion per Super core");
        assertEquals(0, MacThreadPlacer.companionsFor(s, m5max));
        java.util.Map<String, Integer> m5 = MacThreadPlacer.coresByTier(CpuTopology.mac(levels("sysctl-hw-machdep-m5-j704-mac17_2-macos26.4.1.txt"),
                oshi(new int[10])));
        assertEquals(4, MacThreadPlacer.companionsFor(new Placement(7, "efficiency"), m5));
        java.util.Map<String, Integer> three = new java.util.LinkedHashMap<>(java.util.Map.of("super", 4));
        three.put("performance", 8);
        three.put("efficiency", 4);
        assertEquals(12, MacThreadPlacer.companionsFor(new Placement(14, "efficiency"), three));
        assertEquals(4, MacThreadPlacer.companionsFor(new Placement(6, "performance"), three));
    }

    private static List<dev.kiln.core.platform.mac.Sysctl.Cluster> levels4() throws IOException {
        return levels("sysctl-hw-machdep-m4max-j614c-macos15.txt");
    }

    private static List<int[]> m4oshi() {
        int[] m4 = new int[16];
        java.util.Arrays.fill(m4, 4, 16, 1);
        return oshi(m4);
    }
}
