package dev.kiln.core.platform.linux;

import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.platform.AbstractPlatformProbe;
import dev.kiln.core.platform.CpuTopology;
import dev.kiln.core.platform.ThreadPlacer;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/** Linux: OSHI plus the kernel's CPU topology for the inventory; sysfs for telemetry. */
public final class LinuxPlatformProbe extends AbstractPlatformProbe {
    @Override
    public Os os() {
        return Os.LINUX;
    }

    @Override
    protected ThreadPlacer makePlacer() {
        return new LinuxThreadPlacer();
    }

    @Override
    protected List<dev.kiln.api.SuiteEnvironment.LogicalCpu> readCpus() {
        List<Integer> allowed;
        try {
            allowed = new LinuxThreadPlacer().allowedCpus();
        } catch (RuntimeException e) {
            allowed = List.of();
        }
        return allowed.isEmpty() ? CpuTopology.fromOshi() : CpuTopology.linux(Path.of("/"), allowed);
    }

    @Override
    protected Inventory read(Inventory oshi) {
        return oshi; // OSHI reads /proc and /sys; its clusters come from CpuTopology
    }

    @Override
    public dev.kiln.core.inventory.UnitIdentity.MachineId machineId(Path root) {
        String id = dev.kiln.core.inventory.UnitIdentity.machineId(root);
        return id == null ? null : new dev.kiln.core.inventory.UnitIdentity.MachineId(id, "machine id");
    }

    @Override
    protected List<TelemetrySource> platformTelemetry(Path sysfsRoot, Clock clock, Consumer<String> warn) {
        return List.of(new LinuxSysfsSource(sysfsRoot, clock, warn));
    }
}
