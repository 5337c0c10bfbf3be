package dev.kiln.core.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.SuiteEnvironment.LogicalCpu;
import dev.kiln.api.WorkPlan.Placement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class CpuTopologyTest {
    @TempDir
    Path root;

    private void write(String rel, String text) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
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
}
