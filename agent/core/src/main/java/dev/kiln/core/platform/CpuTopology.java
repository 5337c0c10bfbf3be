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

    /** Elsewhere: OSHI's logical processors with their core's efficiency class. */
    public static List<LogicalCpu> fromOshi() {
        List<int[]> cpus = oshiEfficiency();
        int top = cpus.stream().mapToInt(c -> c[1]).max().orElse(0);
        boolean hybrid = cpus.stream().map(c -> c[1]).distinct().count() > 1;
        List<LogicalCpu> out = new ArrayList<>();
        for (int[] c : cpus) {
            out.add(new LogicalCpu(c[0], !hybrid ? "cpu" : c[1] == top ? "performance" : "efficiency"));
        }
        return out;
    }

    /** OSHI's logical processors: {id, efficiency class of its core} (higher is faster). */
    public static List<int[]> oshiEfficiency() {
        CentralProcessor cpu = new SystemInfo().getHardware().getProcessor();
        Map<Integer, Integer> efficiencyOfCore = new HashMap<>();
        for (CentralProcessor.PhysicalProcessor p : cpu.getPhysicalProcessors()) {
            efficiencyOfCore.put(p.getPhysicalPackageNumber() * 100_000 + p.getPhysicalProcessorNumber(), p.getEfficiency());
        }
        List<int[]> out = new ArrayList<>();
        for (CentralProcessor.LogicalProcessor lp : cpu.getLogicalProcessors()) {
            out.add(new int[] {lp.getProcessorNumber(),
                    efficiencyOfCore.getOrDefault(lp.getPhysicalPackageNumber() * 100_000 + lp.getPhysicalProcessorNumber(), 0)});
        }
        return out;
    }

    /**
     * macOS on Apple Silicon: clusters named by sysctl's performance levels ({@code hw.perflevelN.name}:
     * Super, Performance, Efficiency; level 0 fastest), never by OSHI alone, whose efficiency class knows
     * only P and E (on an M5 every core would land in one cluster and the efficiency cores would never be
     * steered). Each level takes its {@code logicalcpu} count of CPUs, fastest first, the CPUs ordered by
     * OSHI's class (higher first) and then by id. Where OSHI cannot tell the tiers apart the ids a level
     * gets are only labels: macOS cannot pin, and what matters (how many workers each cluster gets, and
     * their QoS) comes from the levels. With no levels (macOS 11) or counts that do not add up, OSHI's view.
     *
     * @param levels  sysctl's clusters, fastest first
     * @param oshi    {id, efficiency class} per logical CPU
     */
    public static List<LogicalCpu> mac(List<dev.kiln.core.platform.mac.Sysctl.Cluster> levels, List<int[]> oshi) {
        int sum = levels.stream().mapToInt(dev.kiln.core.platform.mac.Sysctl.Cluster::logicalCpus).sum();
        if (levels.isEmpty() || sum != oshi.size() || levels.stream().anyMatch(l -> l.logicalCpus() < 0)) {
            int top = oshi.stream().mapToInt(c -> c[1]).max().orElse(0);
            boolean hybrid = oshi.stream().map(c -> c[1]).distinct().count() > 1;
            return oshi.stream().map(c -> new LogicalCpu(c[0], !hybrid ? "cpu" : c[1] == top ? "performance" : "efficiency")).toList();
        }
        List<int[]> order = new ArrayList<>(oshi);
        order.sort(java.util.Comparator.<int[]>comparingInt(c -> -c[1]).thenComparingInt(c -> c[0]));
        Map<Integer, String> cluster = new HashMap<>();
        int i = 0;
        for (var level : levels) {
            for (int k = 0; k < level.logicalCpus(); k++) {
                cluster.put(order.get(i++)[0], level.key());
            }
        }
        return oshi.stream().map(c -> new LogicalCpu(c[0], cluster.get(c[0]))).toList();
    }
}
