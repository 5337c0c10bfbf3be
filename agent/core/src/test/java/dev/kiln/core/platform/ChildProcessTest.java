package dev.kiln.core.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A system tool that hangs, floods stderr, fails or is missing: an answer or null, in bounded time. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class ChildProcessTest {
    @Test
    @Timeout(10)
    void theDeadlineFiresOnAToolThatNeverEnds() {
        long t0 = System.nanoTime();
        assertNull(ChildProcess.run(Duration.ofSeconds(1), List.of("/bin/sh", "-c", "echo partial; exec sleep 60")));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "killed at the deadline");
    }

    @Test
    @Timeout(20)
    void aChattyStderrDoesNotBlockIt() {
        // 4 MiB on stderr fills any pipe buffer many times over; stdout must still come back whole
        String out = ChildProcess.run(Duration.ofSeconds(15), List.of("/bin/sh", "-c",
                "head -c 4194304 /dev/zero >&2; echo hw.ncpu: 12"));
        assertEquals("hw.ncpu: 12\n", out);
    }

    @Test
    void aFailingOrMissingToolIsNull() {
        assertNull(ChildProcess.run(Duration.ofSeconds(5), List.of("/bin/sh", "-c", "echo x; exit 3")));
        assertNull(ChildProcess.run(Duration.ofSeconds(5), List.of("/nonexistent/sysctl", "hw")));
    }

    @Test
    void theMacToolsAreNamedByAbsolutePath() {
        for (String tool : List.of(ChildProcess.SYSCTL, ChildProcess.SYSTEM_PROFILER, ChildProcess.IOREG, ChildProcess.POWERMETRICS)) {
            assertTrue(tool.startsWith("/usr/"), tool);
        }
    }
}
