package dev.kiln.core.inventory;

import java.util.Map;
import java.util.TreeMap;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.ComputerSystem;
import oshi.hardware.HardwareAbstractionLayer;

/**
 * Reads the inventory through OSHI. Platform-specific sources (sysctl, system_profiler, the SKU
 * comparison) come with the platform layer.
 */
public final class InventoryProbe {

    public Inventory probe() {
        SystemInfo si = new SystemInfo();
        HardwareAbstractionLayer hw = si.getHardware();
        ComputerSystem cs = hw.getComputerSystem();
        CentralProcessor cpu = hw.getProcessor();
        Map<Integer, Integer> perClass = new TreeMap<>();
        for (CentralProcessor.PhysicalProcessor p : cpu.getPhysicalProcessors()) {
            perClass.merge(p.getEfficiency(), 1, Integer::sum);
        }
        Map<String, Integer> classes = new TreeMap<>();
        if (perClass.size() > 1) {
            int top = ((TreeMap<Integer, Integer>) perClass).lastKey();
            perClass.forEach((eff, n) -> classes.merge(eff == top ? "performance" : "efficiency", n, Integer::sum));
        } else {
            classes.put("cpu", cpu.getPhysicalProcessorCount());
        }
        String hostname = si.getOperatingSystem().getNetworkParams().getHostName();
        return new Inventory(
                orUnknown(hostname),
                orUnknown(cs.getManufacturer()),
                orUnknown(cs.getModel()),
                orUnknown(cs.getSerialNumber()),
                si.getOperatingSystem().toString(),
                orUnknown(cpu.getProcessorIdentifier().getName()).trim(),
                cpu.getPhysicalProcessorCount(),
                cpu.getLogicalProcessorCount(),
                classes,
                hw.getMemory().getTotal());
    }

    /** Memory available to new allocations now, in bytes. */
    public static long availableMemory() {
        return new SystemInfo().getHardware().getMemory().getAvailable();
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s;
    }
}
