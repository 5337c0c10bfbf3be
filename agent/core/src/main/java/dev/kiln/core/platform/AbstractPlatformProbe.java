package dev.kiln.core.platform;

import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.inventory.InventoryProbe;
import dev.kiln.core.telemetry.OshiSource;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** The caching base: the inventory is read once per probe (OSHI memoizes the same way); OSHI's telemetry always comes first. */
abstract class AbstractPlatformProbe implements PlatformProbe {
    private Inventory inventory;

    @Override
    public final synchronized Inventory inventory() {
        if (inventory == null) {
            inventory = read(InventoryProbe.oshi());
        }
        return inventory;
    }

    /** Completes OSHI's view with what this platform's own sources know. */
    abstract Inventory read(Inventory oshi);

    @Override
    public final List<TelemetrySource> telemetry(Path sysfsRoot, Clock clock, Consumer<String> warn) {
        List<TelemetrySource> s = new ArrayList<>();
        s.add(new OshiSource());
        s.addAll(platformTelemetry(sysfsRoot, clock, warn));
        return s;
    }

    abstract List<TelemetrySource> platformTelemetry(Path sysfsRoot, Clock clock, Consumer<String> warn);
}
