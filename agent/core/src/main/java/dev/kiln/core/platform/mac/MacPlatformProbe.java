package dev.kiln.core.platform.mac;

import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.platform.AbstractPlatformProbe;
import dev.kiln.core.platform.ChildProcess;
import dev.kiln.core.platform.CpuTopology;
import dev.kiln.core.platform.ThreadPlacer;
import dev.kiln.core.telemetry.TelemetrySource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** macOS: sysctl, system_profiler and ioreg for the inventory; powermetrics (as root) for telemetry. */
public final class MacPlatformProbe extends AbstractPlatformProbe {
    @Override
    public Os os() {
        return Os.MACOS;
    }

    @Override
    protected ThreadPlacer makePlacer() {
        return new MacThreadPlacer(MacThreadPlacer.coresByTier(cpus()));
    }

    @Override
    public Path defaultStateDir(boolean root, Path home, String xdgState) {
        return root ? Path.of("/Library/Application Support/Kiln") : home.resolve("Library/Application Support/Kiln");
    }

    /** Clusters from sysctl's performance levels (Super, Performance, Efficiency), CPUs from OSHI. */
    @Override
    protected List<dev.kiln.api.SuiteEnvironment.LogicalCpu> readCpus() {
        String sysctl = ChildProcess.run(Duration.ofSeconds(10), List.of(ChildProcess.SYSCTL, "hw", "machdep.cpu.brand_string"));
        java.util.Map<String, String> read = sysctl == null ? java.util.Map.of() : Sysctl.parse(sysctl);
        List<Sysctl.Cluster> levels = Sysctl.clusters(read);
        // an Ultra's two dies from its name (checklist row 24: the first Ultra confirms the numbering)
        return CpuTopology.appleDies(CpuTopology.mac(levels, CpuTopology.oshiEfficiency()), read.get("machdep.cpu.brand_string"));
    }

    @Override
    protected Inventory read(Inventory oshi) {
        return MacInventory.probe(oshi);
    }

    /** The hardware UUID (system_profiler's {@code platform_UUID}, IOPlatformUUID): asked only when the serial names no machine. */
    @Override
    public dev.kiln.core.inventory.UnitIdentity.MachineId machineId(Path root) {
        String json = ChildProcess.run(Duration.ofSeconds(30), List.of(ChildProcess.SYSTEM_PROFILER, "SPHardwareDataType", "-json"));
        String uuid;
        try {
            uuid = json == null ? null : SystemProfiler.platformUuid(json);
        } catch (IllegalArgumentException e) {
            uuid = null; // not system_profiler's JSON: no UUID to stand on
        }
        return uuid == null ? null : new dev.kiln.core.inventory.UnitIdentity.MachineId(uuid, "hardware UUID");
    }

    @Override
    protected List<TelemetrySource> platformTelemetry(Path sysfsRoot, Clock clock, Consumer<String> warn) {
        List<TelemetrySource> sources = new java.util.ArrayList<>();
        try {
            sources.add(SmcSource.open(warn)); // die temperatures, fans and system power: no root needed
        } catch (IOException e) {
            warn.accept("cannot read the SMC (die temperatures, fans): " + e.getMessage());
        }
        try {
            sources.add(HidTemperatureSource.open()); // the SoC's own temperature sensors: no root needed
        } catch (IOException e) {
            warn.accept("cannot read the IOHID temperature sensors: " + e.getMessage());
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            warn.accept("powermetrics needs root: clusters, power and pressure come from IOReport and macOS's thermal state instead");
            try {
                sources.add(ThermalStateSource.open()); // the thermal pressure level without root
            } catch (IOException e) {
                warn.accept("cannot read macOS's thermal state: " + e.getMessage());
            }
            try {
                sources.add(IoReportSource.open(warn)); // engine power, cluster and GPU clocks without root
            } catch (IOException e) {
                warn.accept("cannot read IOReport (power and clocks without root): " + e.getMessage());
            }
            return sources;
        }
        try {
            sources.add(PowermetricsSource.start(Duration.ofSeconds(1), warn));
        } catch (IOException e) {
            warn.accept("cannot start powermetrics: " + e.getMessage());
        }
        return sources;
    }
}
