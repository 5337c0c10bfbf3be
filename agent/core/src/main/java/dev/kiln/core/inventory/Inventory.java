package dev.kiln.core.inventory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine under test, as far as the agent knows it. Unknown values are the string
 * {@code unknown} (OSHI's sentinel), never null.
 *
 * @param hostname        host name
 * @param manufacturer    system manufacturer
 * @param model           system model
 * @param serial          system serial number
 * @param os              OS name and version
 * @param cpuModel        processor name
 * @param physicalCores   physical cores
 * @param logicalCpus     logical CPUs
 * @param coreClasses     core count per efficiency class ({@code performance}/{@code efficiency}
 *                        where the OS tells them apart, else one class {@code cpu})
 * @param memoryBytes     installed memory
 */
public record Inventory(String hostname, String manufacturer, String model, String serial, String os,
                        String cpuModel, int physicalCores, int logicalCpus, Map<String, Integer> coreClasses,
                        long memoryBytes) {

    public Inventory {
        coreClasses = Map.copyOf(coreClasses);
    }

    /** Identity fields for the run record (no numbers that change between boots). */
    public Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("serial", serial);
        m.put("model", model);
        m.put("manufacturer", manufacturer);
        m.put("hostname", hostname);
        m.put("cpu", cpuModel);
        m.put("os", os);
        return m;
    }
}
