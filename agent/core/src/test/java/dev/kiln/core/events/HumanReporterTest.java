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
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("memory  patterns .* ([0-9.]+)([kMG]?)/s ").matcher(out);
        assertTrue(m.find(), out);
        double rate = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            default -> 1;
        };
        // 3 GB since the line before (about 3 s, more on a slow machine): 0/s over the last second would be wrong,
        // and so would 3 GB/s (all of it counted in one second)
        assertTrue(rate > 0.4e9 && rate < 1.5e9, "3 GB over about 3 s, not the last second's rate:\n" + out);
    }

    /** A stage member's long id (together/neural-engine) widens the suite column: every row's outcome lines up. */
    @Test
    void theSummaryLinesUpWhateverTheSuiteIdsLength() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        HumanReporter r = new HumanReporter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, Duration.ofSeconds(10), List::of);
        Instant t = Instant.parse("2026-11-29T00:00:00Z");
        List<dev.kiln.api.SuiteResult> results = new java.util.ArrayList<>();
        for (String id : List.of("cpu", "together/neural-engine", "thermal")) {
            results.add(new dev.kiln.api.SuiteResult(id, true, dev.kiln.api.Outcome.PASS, null, "", t, t.plusSeconds(5), 3, 3, List.of(),
                    List.of(), 0, "", "", Map.of()));
        }
        RunInfo info = new RunInfo("r", "p", 1, t, "t", "kiln run", List.of(), Map.of());
        r.runEnded(new dev.kiln.core.runner.RunReport(info, t.plusSeconds(20), results, dev.kiln.api.Verdict.PASS));
        List<Integer> at = buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("PASS")).map(l -> l.indexOf("PASS")).toList();
        assertTrue(at.size() == 3 && at.stream().distinct().count() == 1, "outcome columns at " + at + ":\n" + buf);
    }
}
