package dev.kiln.core.platform;

import dev.kiln.core.inventory.Inventory;
import dev.kiln.core.telemetry.TelemetrySource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * What the agent knows about the machine, in OSHI's shape: this interface, a caching base
 * ({@link AbstractPlatformProbe}), one small class per OS, and one switch ({@link #forThisPlatform})
 * that picks it. Parsers live apart from the commands and files that feed them.
 */
public interface PlatformProbe {

    /** The inventory, read once and cached. */
    Inventory inventory();

    /** The telemetry sources of this platform, OSHI's common part first. */
    List<TelemetrySource> telemetry(Path sysfsRoot, Clock clock, Consumer<String> warn);

    /** The one platform switch. */
    static PlatformProbe forThisPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return new LinuxPlatformProbe();
        }
        if (os.contains("mac")) {
            return new MacPlatformProbe();
        }
        return new GenericPlatformProbe();
    }
}
