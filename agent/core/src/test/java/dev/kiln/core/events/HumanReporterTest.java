package dev.kiln.core.events;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HumanReporterTest {
    @Test
    @Timeout(20)
    void aPlainLineGivesTheRateSinceTheLastLineNotTheLastSecond() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong units = new AtomicLong();
        PlannedSuite suite = new PlannedSuite("memory", Duration.ofSeconds(30), true, Map.of());
        HumanReporter r = new HumanReporter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, Duration.ofMillis(2500),
                () -> List.of(new Progress("memory", "patterns", 1, Duration.ofSeconds(1), Duration.ofSeconds(29), 1, units.get(), 0)));
        r.runStarted(new RunInfo("r", "p", 1, Instant.now(), "t", "kiln run", List.of(suite), Map.of()));
        r.suiteStarted(suite);
        Thread.sleep(1200);
        units.set(3_000_000_000L); // one round of 3 GB done, then nothing for the next ticks
        long until = System.nanoTime() + 10_000_000_000L;
        while (!buf.toString(StandardCharsets.UTF_8).contains("memory  patterns") && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("memory  patterns"), out);
        assertTrue(out.matches("(?s).*memory  patterns .* 1\\.[0-9]+G/s .*"), "3 GB over about 3 s, not 0/s for the last second:\n" + out);
    }
}
