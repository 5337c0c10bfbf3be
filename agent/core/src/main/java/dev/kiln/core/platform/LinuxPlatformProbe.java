package dev.kiln.core.platform;

import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.telemetry.LinuxSysfsSource;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/** Linux: OSHI plus the kernel's CPU topology for the inventory; sysfs for telemetry. */
final class LinuxPlatformProbe extends AbstractPlatformProbe {
    @Override
    Inventory read(Inventory oshi) {
        return oshi; // OSHI reads /proc and /sys; its clusters come from CpuTopology
    }

    @Override
    List<TelemetrySource> platformTelemetry(Path sysfsRoot, Clock clock, Consumer<String> warn) {
        return List.of(new LinuxSysfsSource(sysfsRoot, clock, warn));
    }
}
