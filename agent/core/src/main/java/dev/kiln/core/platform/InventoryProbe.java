package dev.kiln.core.platform;

import dev.kiln.core.inventory.Inventory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * The inventory of this machine: {@link PlatformProbe#current()} picks the per-OS probe;
 * {@link #oshi()} is the common part every probe starts from.
 */
public final class InventoryProbe {

    public Inventory probe() {
        return PlatformProbe.current().inventory();
    }

    /** The OSHI view; on Linux its clusters come from the kernel's CPU topology. */
    public static Inventory oshi() {
        SystemInfo si = new SystemInfo();
        HardwareAbstractionLayer hw = si.getHardware();
        ComputerSystem cs = hw.getComputerSystem();
        CentralProcessor cpu = hw.getProcessor();
        Map<String, Integer> byCluster = new TreeMap<>();
        for (var c : PlatformProbe.current().cpus()) {
            byCluster.merge(c.cluster(), 1, Integer::sum);
        }
        List<Inventory.Cluster> clusters = new ArrayList<>();
        byCluster.forEach((name, n) -> clusters.add(new Inventory.Cluster(name, n)));
        List<Inventory.Gpu> gpus = hw.getGraphicsCards().stream().map(g -> new Inventory.Gpu(orUnknown(g.getName()), -1)).toList();
        List<Inventory.Disk> disks = new ArrayList<>();
        for (HWDiskStore d : hw.getDiskStores()) {
            disks.add(new Inventory.Disk(orUnknown(d.getName()), orUnknown(d.getModel()).trim(), d.getSize()));
        }
        List<String> macs = new ArrayList<>();
        for (NetworkIF n : hw.getNetworkIFs()) {
            String mac = n.getMacaddr();
            if (mac != null && !mac.isBlank() && !mac.equals("00:00:00:00:00:00")) {
                macs.add(mac);
            }
        }
        Map<String, String> sources = new LinkedHashMap<>();
        sources.put("identity", "oshi");
        sources.put("clusters", "kernel cpu topology");
        sources.put("neuralEngine", "none on this platform");
        return new Inventory(orUnknown(si.getOperatingSystem().getNetworkParams().getHostName()), orUnknown(cs.getManufacturer()),
                orUnknown(cs.getModel()), orUnknown(cs.getBaseboard().getModel()), orUnknown(cs.getSerialNumber()),
                orUnknown(cpu.getProcessorIdentifier().getName()).trim(), si.getOperatingSystem().toString(),
                cpu.getPhysicalProcessorCount(), cpu.getLogicalProcessorCount(), clusters, hw.getMemory().getTotal(), gpus,
                Boolean.FALSE, disks, macs, sources);
    }

    /** Memory available to new allocations now, in bytes. */
    public static long availableMemory() {
        return new SystemInfo().getHardware().getMemory().getAvailable();
    }

    static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s;
    }
}
