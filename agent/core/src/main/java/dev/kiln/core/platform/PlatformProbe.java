package dev.kiln.core.platform;

import dev.kiln.api.SuiteEnvironment;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.platform.linux.LinuxPlatformProbe;
import dev.kiln.core.platform.mac.MacPlatformProbe;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What the agent knows about the machine, in OSHI's shape: this interface, a caching base
 * ({@link AbstractPlatformProbe}), one small class per OS, and one switch ({@link #current}) that
 * picks it, once per process. Everything that differs by OS goes through here: the inventory,
 * telemetry, thread placement, the CPU topology and the default state directory. Parsers live apart
 * from the commands and files that feed them.
 */
public interface PlatformProbe {

    /** The operating systems the agent tells apart. */
    enum Os { LINUX, MACOS, OTHER }

    /** Which OS this probe is for. */
    Os os();

    /** The inventory, read once and cached. */
    Inventory inventory();

    /** The telemetry sources of this platform, OSHI's common part first. */
    List<TelemetrySource> telemetry(Path sysfsRoot, Clock clock, Consumer<String> warn);

    /** How worker threads are placed here; made once and cached. */
    ThreadPlacer threadPlacer();

    /** The logical CPUs the agent may use, with their clusters; read once and cached. */
    List<SuiteEnvironment.LogicalCpu> cpus();

    /** The cluster of each logical CPU the agent may use, by CPU id (the judge's key for Linux's per-CPU clocks). */
    default java.util.Map<Integer, String> cpuClusters() {
        java.util.Map<Integer, String> m = new java.util.HashMap<>();
        for (SuiteEnvironment.LogicalCpu c : cpus()) {
            m.put(c.id(), c.cluster());
        }
        return m;
    }

    /** The machine as suites see it: OS, architecture, CPUs, memory. */
    SuiteEnvironment environment();

    /**
     * The machine's own id, for a unit whose serial names no machine: systemd's (or D-Bus's) machine
     * id under {@code root} on Linux, the hardware UUID on macOS; null where there is none.
     */
    default dev.kiln.core.inventory.UnitIdentity.MachineId machineId(Path root) {
        return null;
    }

    /**
     * Where state lives when neither {@code --state-dir} nor {@code KILN_STATE_DIR} says.
     *
     * @param root    whether the agent runs as root
     * @param home    the user's home directory
     * @param xdgState {@code XDG_STATE_HOME}, or null
     */
    Path defaultStateDir(boolean root, Path home, String xdgState);

    /** The probe of this machine: the one platform switch, memoised. */
    static PlatformProbe current() {
        return Current.PROBE;
    }

    /** The probe for an OS name as {@code os.name} spells it (tests pick another OS's with it). */
    static PlatformProbe forOsName(String osName) {
        String os = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return new LinuxPlatformProbe();
        }
        if (os.contains("mac")) {
            return new MacPlatformProbe();
        }
        return new GenericPlatformProbe();
    }

    /** Holder: the switch runs once, on first use. */
    final class Current {
        static final PlatformProbe PROBE = forOsName(System.getProperty("os.name"));

        private Current() {
        }
    }
}
