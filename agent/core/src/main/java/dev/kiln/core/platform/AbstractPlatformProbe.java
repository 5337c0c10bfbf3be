package dev.kiln.core.platform;

import dev.kiln.api.SuiteEnvironment;
import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.telemetry.OshiSource;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The caching base: the inventory is read once per probe (OSHI memoizes the same way); OSHI's telemetry always comes first. */
public abstract class AbstractPlatformProbe implements PlatformProbe {
    private Inventory inventory;
    private ThreadPlacer placer;
    private List<SuiteEnvironment.LogicalCpu> cpus;

    @Override
    public final synchronized ThreadPlacer threadPlacer() {
        if (placer == null) {
            try {
                placer = makePlacer();
            } catch (UnsupportedOperationException | IllegalStateException e) {
                placer = new NoThreadPlacer("native placement unavailable: " + e.getMessage());
            }
        }
        return placer;
    }

    /** This OS's placer; may throw when its native calls are unavailable (then nothing is placed). */
    protected abstract ThreadPlacer makePlacer();

    @Override
    public final synchronized List<SuiteEnvironment.LogicalCpu> cpus() {
        if (cpus == null) {
            cpus = List.copyOf(readCpus());
        }
        return cpus;
    }

    /** This OS's CPUs; OSHI's view unless the OS tells more. */
    protected List<SuiteEnvironment.LogicalCpu> readCpus() {
        return CpuTopology.fromOshi();
    }

    @Override
    public final SuiteEnvironment environment() {
        return new SuiteEnvironment(System.getProperty("os.name"), System.getProperty("os.arch"), cpus(),
                InventoryProbe.availableMemory());
    }

    @Override
    public Path defaultStateDir(boolean root, Path home, String xdgState) {
        if (root) {
            return Path.of("/var/lib/kiln");
        }
        return (xdgState != null && !xdgState.isBlank() ? Path.of(xdgState) : home.resolve(".local/state")).resolve("kiln");
    }

    @Override
    public final synchronized Inventory inventory() {
        if (inventory == null) {
            inventory = read(InventoryProbe.oshi());
        }
        return inventory;
    }

    /** Completes OSHI's view with what this platform's own sources know. */
    protected abstract Inventory read(Inventory oshi);

    @Override
    public final List<TelemetrySource> telemetry(Path sysfsRoot, Clock clock, Consumer<String> warn) {
        List<TelemetrySource> s = new ArrayList<>();
        s.add(new OshiSource());
        s.addAll(platformTelemetry(sysfsRoot, clock, warn));
        return s;
    }

    protected abstract List<TelemetrySource> platformTelemetry(Path sysfsRoot, Clock clock, Consumer<String> warn);
}
