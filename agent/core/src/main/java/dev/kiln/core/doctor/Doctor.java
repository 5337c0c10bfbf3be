package dev.kiln.core.doctor;

import dev.kiln.core.config.KilnConfig;
import dev.kiln.core.platform.PlatformProbe;
import dev.kiln.core.state.StateDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kiln doctor}'s checks: every capability Kiln uses on this machine, each OK, DEGRADED or
 * MISSING with the reason and the fix. Writes nothing (the service check is a read that stores
 * nothing). The command prints what this returns.
 */
public final class Doctor {
    private Doctor() {
    }

    /**
     * What the checks share.
     *
     * @param mac           whether this is macOS
     * @param root          whether the agent runs as root
     * @param state         the state directory
     * @param config        the configuration, or null when it does not load ({@code configProblem} says why)
     * @param configProblem why the configuration does not load, or null
     * @param sysfsRoot     the root of /sys for telemetry
     */
    public record Context(boolean mac, boolean root, StateDir state, KilnConfig.Loaded config, String configProblem, Path sysfsRoot) {
    }

    /** The checks, in the order they are said. */
    static final List<Capability> CAPABILITIES = List.of(new Privileges(), new ThreadPlacement(), new Telemetry(), new Powermetrics(),
            new Suites(), new Disk(), new StationKey(), new Service(), new ClockSync());

    /** Checks this machine with the given state directory, configuration file (null: the default) and /sys root (null: /). */
    public static List<Check> run(Path stateDir, Path configFile, Path sysfsRoot) {
        StateDir state = StateDir.resolve(stateDir);
        KilnConfig.Loaded cfg = null;
        String problem = null;
        try {
            cfg = KilnConfig.load(configFile, state);
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        Context ctx = new Context(PlatformProbe.current().os() == PlatformProbe.Os.MACOS, "root".equals(System.getProperty("user.name")), state,
                cfg, problem, sysfsRoot == null ? Path.of("/") : sysfsRoot);
        List<Check> out = new ArrayList<>();
        for (Capability c : CAPABILITIES) {
            out.addAll(c.check(ctx));
        }
        return out;
    }

    /** How many checks have this status. */
    public static long count(List<Check> checks, Check.Status status) {
        return checks.stream().filter(c -> c.status() == status).count();
    }
}
