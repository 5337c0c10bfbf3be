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
            // topology/: the package, its die (die_id where the kernel has it, 0 else) and the core (SMT siblings share it)
            Path topo = root.resolve("sys/devices/system/cpu/cpu" + id + "/topology");
            int pkg = number(read(topo.resolve("physical_package_id")));
            int dieId = number(read(topo.resolve("die_id")));
            int coreId = number(read(topo.resolve("core_id")));
            int die = pkg < 0 ? -1 : pkg * 256 + Math.max(0, dieId);
            int core = die < 0 || coreId < 0 ? -1 : die * 65_536 + coreId;
            cpus.add(new LogicalCpu(id, name, core, die));
        }
        return cpus;
    }

    private static int number(String s) {
        return s != null && s.matches("\\d{1,6}") ? Integer.parseInt(s) : -1;
    }

    /**
     * An Apple Ultra part is two dies joined: its CPUs are numbered die by die (the M2 Ultra's
     * powermetrics lists E0, P0, P1 as CPUs 0-11 and E1, P2, P3 as 12-23), so the first half of the ids
     * is die 0 and the second die 1; every other Apple chip is one die. Apple Silicon has no SMT: each
     * CPU is its own core.
     *
     * @param chip the chip's name ({@code machdep.cpu.brand_string}: Apple M2 Ultra), or null
     */
    public static List<LogicalCpu> appleDies(List<LogicalCpu> cpus, String chip) {
        boolean ultra = chip != null && chip.contains("Ultra");
        int half = cpus.stream().mapToInt(LogicalCpu::id).max().orElse(-1) / 2 + 1;
        return cpus.stream().map(c -> new LogicalCpu(c.id(), c.cluster(), c.id(), ultra ? (c.id() < half ? 0 : 1) : 0)).toList();
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
            out.add(new LogicalCpu(c[0], !hybrid ? "cpu" : c[1] == top ? "performance" : "efficiency", c[2], c[3]));
        }
        return out;
    }

    /** OSHI's logical processors: {id, efficiency class of its core (higher is faster), core, package}. */
    public static List<int[]> oshiEfficiency() {
        CentralProcessor cpu = new SystemInfo().getHardware().getProcessor();
        Map<Integer, Integer> efficiencyOfCore = new HashMap<>();
        for (CentralProcessor.PhysicalProcessor p : cpu.getPhysicalProcessors()) {
            efficiencyOfCore.put(p.getPhysicalPackageNumber() * 100_000 + p.getPhysicalProcessorNumber(), p.getEfficiency());
        }
        List<int[]> out = new ArrayList<>();
        for (CentralProcessor.LogicalProcessor lp : cpu.getLogicalProcessors()) {
            int core = lp.getPhysicalPackageNumber() * 100_000 + lp.getPhysicalProcessorNumber();
            out.add(new int[] {lp.getProcessorNumber(), efficiencyOfCore.getOrDefault(core, 0), core, lp.getPhysicalPackageNumber()});
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

    /**
     * The topology in a line, as {@code kiln inventory} says it: dies (with their CPUs), physical
     * cores, SMT siblings; what the platform could not tell is said as unknown.
     */
    public static String describe(List<LogicalCpu> cpus) {
        Map<Integer, List<Integer>> byDie = new java.util.TreeMap<>();
        java.util.Set<Integer> cores = new java.util.HashSet<>();
        boolean coresKnown = true;
        for (LogicalCpu c : cpus) {
            byDie.computeIfAbsent(c.die(), d -> new ArrayList<>()).add(c.id());
            coresKnown &= c.core() >= 0;
            cores.add(c.core());
        }
        String dies = byDie.containsKey(-1) ? "dies unknown"
                : byDie.size() + (byDie.size() == 1 ? " die" : " dies") + " (" + String.join("; ", byDie.values().stream()
                        .map(ids -> "cpus " + CpuList.format(ids)).toList()) + ")";
        String coreText = !coresKnown ? "cores unknown" : cores.size() + " physical cores" + (cores.size() < cpus.size()
                ? ", " + (cpus.size() - cores.size()) + " SMT sibling(s)" : ", no SMT siblings");
        return cpus.size() + " logical CPUs, " + dies + ", " + coreText;
    }
}
