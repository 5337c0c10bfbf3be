package dev.kiln.core.platform;

import dev.kiln.core.platform.linux.LinuxPlatformProbe;
import dev.kiln.core.platform.linux.LinuxSysfsSource;
import dev.kiln.core.telemetry.OshiSource;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlatformProbeTest {
    @Test
    @EnabledOnOs(OS.LINUX)
    void theSwitchPicksLinuxHereAndCachesTheInventory() {
        PlatformProbe p = PlatformProbe.current();
        assertInstanceOf(LinuxPlatformProbe.class, p);
        assertSame(p.inventory(), p.inventory(), "read once");
        assertTrue(p.inventory().logicalCpus() >= 1);
        var sources = p.telemetry(Path.of("/"), Clock.systemUTC(), w -> { });
        assertInstanceOf(OshiSource.class, sources.get(0));
        assertInstanceOf(LinuxSysfsSource.class, sources.get(1));
        assertSame(p, PlatformProbe.current(), "one switch, memoised");
        assertSame(p.threadPlacer(), p.threadPlacer());
        assertSame(p.cpus(), p.cpus());
        assertEquals(PlatformProbe.Os.LINUX, p.os());
    }

    @Test
    void eachOsHasItsDefaultStateDirectory() {
        Path home = Path.of("/home/tech");
        assertEquals(Path.of("/var/lib/kiln"), PlatformProbe.forOsName("Linux").defaultStateDir(true, home, null));
        assertEquals(home.resolve(".local/state/kiln"), PlatformProbe.forOsName("Linux").defaultStateDir(false, home, null));
        assertEquals(Path.of("/xdg/kiln"), PlatformProbe.forOsName("Linux").defaultStateDir(false, home, "/xdg"));
        assertEquals(Path.of("/Library/Application Support/Kiln"), PlatformProbe.forOsName("Mac OS X").defaultStateDir(true, home, null));
        assertEquals(home.resolve("Library/Application Support/Kiln"), PlatformProbe.forOsName("Mac OS X").defaultStateDir(false, home, "/xdg"));
        assertEquals(PlatformProbe.Os.MACOS, PlatformProbe.forOsName("Mac OS X").os());
        assertEquals(PlatformProbe.Os.OTHER, PlatformProbe.forOsName("FreeBSD").os());
    }
}
