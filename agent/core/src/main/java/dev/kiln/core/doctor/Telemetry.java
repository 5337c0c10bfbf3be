package dev.kiln.core.doctor;

import dev.kiln.core.telemetry.TelemetrySampler;
import dev.kiln.core.telemetry.TelemetrySource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Each family of telemetry channels: found and reading, or missing with why (one sample of every source). */
final class Telemetry implements Capability {

    /**
     * A family of channels.
     *
     * @param name     said in the check's id ({@code telemetry-<name>})
     * @param suffix   what its channels' names end with
     * @param fixMac   where macOS reads it, and what its absence means
     * @param fixLinux the same on Linux; null for a family Linux has none of (nothing to miss)
     */
    record Family(String name, String suffix, String fixMac, String fixLinux) {
    }

    static final List<Family> FAMILIES = List.of(
            new Family("temperatures", "_celsius", "the SMC's die temperatures (smc_T*) and the SoC's IOHID sensors (hid_*) need no root: none "
                    + "means neither could be read (the run's warnings say why; docs/on-hardware-checklist.md rows 16, 20)",
                    "expose /sys/class/thermal or hwmon (a VM usually has none)"),
            new Family("clocks", "_freq_hertz", "IOReport's residencies without root, powermetrics' as root (docs/on-hardware-checklist.md row 19)",
                    "expose cpufreq (/sys/devices/system/cpu/cpu*/cpufreq)"),
            new Family("power", "_watts", "the SMC's PSTR and IOReport's Energy Model without root, powermetrics' as root (checklist rows 16, 19)",
                    "expose powercap RAPL (/sys/class/powercap) to root"),
            new Family("fans", "_rpm", "the SMC's F<n>Ac keys (smc_F0Ac_rpm): a Mac with no fan (MacBook Air) has none", "expose hwmon fan inputs"),
            new Family("memory-errors", "_errors_total", "none: macOS has no EDAC counters", "load the EDAC driver for this memory controller"),
            new Family("thermal-pressure", "_pressure_level", "macOS's thermal state (NSProcessInfo) without root, powermetrics' level as root "
                    + "(docs/on-hardware-checklist.md row 18)", null));

    @Override
    public List<Check> check(Doctor.Context ctx) {
        List<String> warnings = new ArrayList<>();
        List<TelemetrySource> sources = dev.kiln.core.platform.PlatformProbe.current().telemetry(ctx.sysfsRoot(), Clock.systemUTC(), warnings::add);
        Map<String, Double> sample = new LinkedHashMap<>();
        List<String> channels = new ArrayList<>();
        for (TelemetrySource s : sources) {
            channels.addAll(s.channels());
            try {
                sample.putAll(s.sample());
            } catch (RuntimeException e) {
                warnings.add(s.name() + ": " + e.getMessage());
            }
            if (s instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // best effort
                }
            }
        }
        return judge(ctx.mac(), channels, sample);
    }

    /** The families' checks from the channels found and one sample of them. */
    static List<Check> judge(boolean mac, List<String> channels, Map<String, Double> sample) {
        List<Check> out = new ArrayList<>();
        Boolean seen = mac ? false : null;
        for (Family f : FAMILIES) {
            String fix = mac ? f.fixMac() : f.fixLinux();
            if (fix == null) {
                continue; // a family this OS has none of: nothing to miss
            }
            List<String> have = channels.stream().filter(c -> c.endsWith(f.suffix()) && !c.endsWith("_max_freq_hertz")).toList();
            long reading = have.stream().filter(c -> sample.get(c) != null && Double.isFinite(sample.get(c))).count();
            String id = "telemetry-" + f.name();
            if (have.isEmpty()) {
                out.add(new Check(id, Check.Status.MISSING, "no " + f.name() + " channel on this machine", fix, seen));
            } else if (reading == 0) {
                out.add(new Check(id, Check.Status.DEGRADED, have.size() + " channel(s), none reading now: "
                        + String.join(", ", have.subList(0, Math.min(3, have.size()))), fix, seen));
            } else {
                out.add(new Check(id, Check.Status.OK, reading + "/" + have.size() + " channel(s) reading, e.g. " + have.get(0), "", seen));
            }
        }
        return out;
    }
}
