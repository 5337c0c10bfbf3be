package dev.kiln.core.inventory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine under test, as far as the agent knows it. Unknown text is {@code unknown} (OSHI's
 * sentinel) and unknown counts are -1, never null, except {@code neuralEngine}, which is null when
 * the platform cannot tell.
 *
 * @param hostname      host name
 * @param manufacturer  system manufacturer
 * @param model         system model (MacBook Pro, Mac Studio; the board on Linux)
 * @param identifier    model identifier (Mac16,5) or board name
 * @param serial        system serial number
 * @param chip          chip or processor name (Apple M4 Max)
 * @param os            OS name, version and build
 * @param physicalCores physical cores
 * @param logicalCpus   logical CPUs
 * @param clusters      core clusters, fastest first, with their names and core counts
 * @param memoryBytes   installed memory
 * @param gpus          GPUs with their core counts
 * @param neuralEngine  whether a Neural Engine is present (null: cannot tell here)
 * @param disks         storage devices
 * @param macs          network interfaces' MAC addresses
 * @param sources       how each part was read (for the record; "unverified" where it says so)
 */
public record Inventory(String hostname, String manufacturer, String model, String identifier, String serial, String chip,
                        String os, int physicalCores, int logicalCpus, List<Cluster> clusters, long memoryBytes, List<Gpu> gpus,
                        Boolean neuralEngine, List<Disk> disks, List<String> macs, Map<String, String> sources) {

    public Inventory {
        clusters = List.copyOf(clusters);
        gpus = List.copyOf(gpus);
        disks = List.copyOf(disks);
        macs = List.copyOf(macs);
        sources = Map.copyOf(sources);
    }

    /** A core cluster: its name as the OS gives it and its core count. */
    public record Cluster(String name, int cores) {
    }

    /** A GPU: its name and core count (-1 when not reported). */
    public record Gpu(String name, int cores) {
    }

    /** A storage device. */
    public record Disk(String name, String model, long sizeBytes) {
    }

    /**
     * This inventory with the serial the run stands on: the platform's, or the one given or made
     * from the machine id, with where it came from (and why) in {@link #sources()}.
     */
    public Inventory withSerial(UnitIdentity id) {
        Map<String, String> s = new java.util.TreeMap<>(sources);
        s.put("serial", id.source() + (id.note().isEmpty() ? "" : ": " + id.note()));
        return new Inventory(hostname, manufacturer, model, identifier, id.serial(), chip, os, physicalCores, logicalCpus, clusters,
                memoryBytes, gpus, neuralEngine, disks, macs, s);
    }

    /** Identity fields for the run record (no numbers that change between boots). */
    public Map<String, String> identity() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("serial", serial);
        m.put("serialSource", sources.getOrDefault("serial", "platform").replaceFirst(":.*", ""));
        m.put("model", model);
        m.put("identifier", identifier);
        m.put("manufacturer", manufacturer);
        m.put("hostname", hostname);
        m.put("cpu", chip);
        m.put("os", os);
        return m;
    }
}
