package dev.kiln.core.telemetry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.Sensors;

/** The common part through OSHI: CPU load, available memory, CPU temperature where the OS reports one. */
public final class OshiSource implements TelemetrySource {
    private final CentralProcessor cpu;
    private final GlobalMemory memory;
    private final Sensors sensors;
    private long[] ticks;

    public OshiSource() {
        SystemInfo si = new SystemInfo();
        cpu = si.getHardware().getProcessor();
        memory = si.getHardware().getMemory();
        sensors = si.getHardware().getSensors();
        ticks = cpu.getSystemCpuLoadTicks();
    }

    @Override
    public String name() {
        return "oshi";
    }

    @Override
    public List<String> channels() {
        return List.of("cpu_load_ratio", "memory_available_bytes", "cpu_temperature_celsius");
    }

    @Override
    public synchronized Map<String, Double> sample() {
        Map<String, Double> m = new LinkedHashMap<>();
        double load = cpu.getSystemCpuLoadBetweenTicks(ticks);
        ticks = cpu.getSystemCpuLoadTicks();
        if (Double.isFinite(load) && load >= 0) {
            m.put("cpu_load_ratio", load);
        }
        m.put("memory_available_bytes", (double) memory.getAvailable());
        double t = sensors.getCpuTemperature();
        if (t > 0 && Double.isFinite(t)) { // OSHI answers 0 or NaN when it cannot tell
            m.put("cpu_temperature_celsius", t);
        }
        return m;
    }
}
