package dev.kiln.core.platform;

import dev.kiln.api.SuiteEnvironment.LogicalCpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;

/**
 * The logical CPUs the agent may use, with the cluster each belongs to (cores in one cluster are
 * expected to perform alike, which the CPU suite's slow-core check relies on).
 */
public final class CpuTopology {
    private CpuTopology() {
    }

    /**
     * Linux: clusters from the hybrid PMU lists ({@code /sys/devices/cpu_core/cpus},
     * {@code cpu_atom/cpus}) or from {@code cpu_capacity} (Arm big.LITTLE); else one cluster.
     *
     * @param root    the filesystem root (a fixture tree in tests)
     * @param allowed the CPUs this process may use
     */
    public static List<LogicalCpu> linux(Path root, List<Integer> allowed) {
        Map<Integer, String> cluster = new HashMap<>();
        for (String type : List.of("cpu_core", "cpu_atom")) {
            String list = read(root.resolve("sys/devices/" + type + "/cpus"));
            if (list != null) {
                String name = type.equals("cpu_core") ? "performance" : "efficiency";
                try {
                    CpuList.parse(list).forEach(c -> cluster.put(c, name));
                } catch (IllegalArgumentException ignored) {
                    // a malformed list leaves these CPUs in the default cluster
                }
            }
        }
        List<LogicalCpu> cpus = new ArrayList<>();
        for (int id : allowed) {
            String name = cluster.get(id);
            if (name == null) {
                String capacity = read(root.resolve("sys/devices/system/cpu/cpu" + id + "/cpu_capacity"));
                name = capacity != null && capacity.matches("\\d+") ? "capacity-" + capacity : "cpu";
            }
            cpus.add(new LogicalCpu(id, name));
        }
        return cpus;
    }

    private static String read(Path p) {
        try {
            return Files.isReadable(p) ? Files.readString(p).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Elsewhere (macOS): OSHI's logical processors with their core's efficiency class. */
    public static List<LogicalCpu> fromOshi() {
        CentralProcessor cpu = new SystemInfo().getHardware().getProcessor();
        Map<Integer, Integer> efficiencyOfCore = new HashMap<>();
        for (CentralProcessor.PhysicalProcessor p : cpu.getPhysicalProcessors()) {
            efficiencyOfCore.put(p.getPhysicalPackageNumber() * 100_000 + p.getPhysicalProcessorNumber(), p.getEfficiency());
        }
        int top = efficiencyOfCore.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        boolean hybrid = efficiencyOfCore.values().stream().distinct().count() > 1;
        List<LogicalCpu> out = new ArrayList<>();
        for (CentralProcessor.LogicalProcessor lp : cpu.getLogicalProcessors()) {
            int eff = efficiencyOfCore.getOrDefault(lp.getPhysicalPackageNumber() * 100_000 + lp.getPhysicalProcessorNumber(), 0);
            String name = !hybrid ? "cpu" : eff == top ? "performance" : "efficiency";
            out.add(new LogicalCpu(lp.getProcessorNumber(), name));
        }
        return out;
    }
}
