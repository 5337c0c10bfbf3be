package dev.kiln.core.platform;

import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/** Any other OS: OSHI alone. */
public final class GenericPlatformProbe extends AbstractPlatformProbe {
    @Override
    public Os os() {
        return Os.OTHER;
    }

    @Override
    protected ThreadPlacer makePlacer() {
        return new NoThreadPlacer("no placement on " + System.getProperty("os.name"));
    }

    @Override
    protected Inventory read(Inventory oshi) {
        return oshi;
    }

    @Override
    protected List<TelemetrySource> platformTelemetry(Path sysfsRoot, Clock clock, Consumer<String> warn) {
        return List.of();
    }
}
