package dev.kiln.core.platform;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.telemetry.LinuxSysfsSource;
import dev.kiln.core.telemetry.OshiSource;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class PlatformProbeTest {
    @Test
    @EnabledOnOs(OS.LINUX)
    void theSwitchPicksLinuxHereAndCachesTheInventory() {
        PlatformProbe p = PlatformProbe.forThisPlatform();
        assertInstanceOf(LinuxPlatformProbe.class, p);
        assertSame(p.inventory(), p.inventory(), "read once");
        assertTrue(p.inventory().logicalCpus() >= 1);
        var sources = p.telemetry(Path.of("/"), Clock.systemUTC(), w -> { });
        assertInstanceOf(OshiSource.class, sources.get(0));
        assertInstanceOf(LinuxSysfsSource.class, sources.get(1));
    }
}
