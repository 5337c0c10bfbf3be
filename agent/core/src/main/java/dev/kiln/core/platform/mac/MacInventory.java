package dev.kiln.core.platform.mac;

import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.platform.ChildProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The macOS half of the inventory: a thin layer that runs {@code sysctl}, {@code system_profiler}
 * and {@code ioreg}, and {@link #assemble} that turns their text into the inventory (tested on the
 * real captures). The Neural Engine is looked for as the {@code H11ANE} node in the I/O registry:
 * no capture of that output was available, so this path is UNVERIFIED until a Mac runs it.
 */
public final class MacInventory {
    private MacInventory() {
    }

    public static Inventory probe(Inventory oshi) {
        String sysctl = run(ChildProcess.SYSCTL, "hw", "machdep");
        String hardware = run(ChildProcess.SYSTEM_PROFILER, "SPHardwareDataType", "-json");
        String displays = run(ChildProcess.SYSTEM_PROFILER, "SPDisplaysDataType", "-json");
        String ane = run(ChildProcess.IOREG, "-r", "-d", "1", "-c", "H11ANEIn");
        return assemble(oshi, sysctl, hardware, displays, ane);
    }

    /** Builds the inventory from the commands' outputs (null: that command failed). */
    public static Inventory assemble(Inventory oshi, String sysctl, String hardwareJson, String displaysJson, String ioregAne) {
        Map<String, String> sources = new LinkedHashMap<>(oshi.sources());
        List<Inventory.Cluster> clusters = new ArrayList<>();
        if (sysctl != null) {
            for (Sysctl.Cluster c : Sysctl.clusters(Sysctl.parse(sysctl))) {
                clusters.add(new Inventory.Cluster(c.name(), c.physicalCpus()));
            }
            sources.put("clusters", "sysctl hw.perflevel*");
        }
        String model = oshi.model();
        String identifier = oshi.identifier();
        String serial = oshi.serial();
        String chip = oshi.chip();
        long memory = oshi.memoryBytes();
        if (hardwareJson != null) {
            try {
                SystemProfiler.Hardware h = SystemProfiler.hardware(hardwareJson);
                model = h.model();
                identifier = h.identifier();
                serial = h.serial();
                chip = h.chip();
                memory = h.memoryBytes() > 0 ? h.memoryBytes() : memory;
                if (clusters.isEmpty()) {
                    h.coresByLevel().forEach((k, v) -> clusters.add(new Inventory.Cluster(
                            Character.toUpperCase(k.charAt(0)) + k.substring(1), v)));
                    sources.put("clusters", "system_profiler number_processors");
                }
                sources.put("identity", "system_profiler SPHardwareDataType");
            } catch (IllegalArgumentException e) {
                sources.put("identity", "oshi (system_profiler unreadable: " + e.getMessage() + ")");
            }
        }
        List<Inventory.Gpu> gpus = oshi.gpus();
        if (displaysJson != null) {
            try {
                gpus = SystemProfiler.gpus(displaysJson).stream().map(g -> new Inventory.Gpu(g.name(), g.cores())).toList();
                sources.put("gpus", "system_profiler SPDisplaysDataType");
            } catch (IllegalArgumentException e) {
                sources.put("gpus", "oshi (system_profiler unreadable)");
            }
        }
        Boolean ane = ioregAne == null ? null : ioregAne.contains("H11ANE");
        sources.put("neuralEngine", "ioreg H11ANEIn (unverified: no capture of this output yet)");
        return new Inventory(oshi.hostname(), "Apple", model, identifier, serial, chip, oshi.os(), oshi.physicalCores(),
                oshi.logicalCpus(), clusters, memory, gpus, ane, oshi.disks(), oshi.macs(), sources);
    }

    private static String run(String... cmd) {
        return ChildProcess.run(java.time.Duration.ofSeconds(30), java.util.List.of(cmd));
    }
}
