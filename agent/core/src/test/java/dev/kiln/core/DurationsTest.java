package dev.kiln.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesWhatPeopleType() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofHours(12), Durations.parse("12H"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("PT2M"));
        assertEquals(Duration.ofDays(1), Durations.parse("1d"));
    }

    @Test
    void rejectsMalformedWithAReason() {
        for (String bad : new String[] {"", "2x", "m", "-5s", "0s", "1.5h", "10 s", "s10", "PTX"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
            assertTrue(!e.getMessage().contains("\n"), "one line");
        }
    }

    @Test
    void formatsShortly() {
        assertEquals("1h02m", Durations.format(Duration.ofMinutes(62)));
        assertEquals("3m05s", Durations.format(Duration.ofSeconds(185)));
        assertEquals("42s", Durations.format(Duration.ofSeconds(42)));
        assertEquals("0.4s", Durations.format(Duration.ofMillis(400)));
    }

    private static SuiteResult r(Outcome o, boolean required) {
        return new SuiteResult("s" + o, required, o, o == Outcome.SKIPPED ? UnavailableCategory.NOT_PRESENT : null, "",
                Instant.EPOCH, Instant.EPOCH, 0, 0, List.of(), List.of(), 0, "", "", Map.of(), "");
    }

    @Test
    void verdictRule() {
        assertEquals(Verdict.PASS, Verdicts.decide(List.of(r(Outcome.PASS, true), r(Outcome.SKIPPED, false))));
        assertEquals(Verdict.FAIL, Verdicts.decide(List.of(r(Outcome.PASS, true), r(Outcome.FAIL, false))));
        assertEquals(Verdict.FAIL, Verdicts.decide(List.of(r(Outcome.HUNG, true), r(Outcome.ERROR, true))));
        for (Outcome o : new Outcome[] {Outcome.ERROR, Outcome.SKIPPED, Outcome.INTERRUPTED}) {
            assertEquals(Verdict.INCOMPLETE, Verdicts.decide(List.of(r(Outcome.PASS, true), r(o, true))), o.name());
        }
        for (Outcome o : new Outcome[] {Outcome.SKIPPED, Outcome.INTERRUPTED}) {
            assertEquals(Verdict.PASS, Verdicts.decide(List.of(r(Outcome.PASS, true), r(o, false))), o.name());
        }
        assertEquals(Verdict.INCOMPLETE, Verdicts.decide(List.of(r(Outcome.PASS, true), r(Outcome.ERROR, false))),
                "an optional suite may be absent, not broken");
        assertEquals(Verdict.INCOMPLETE, Verdicts.decide(List.of()), "nothing ran: not a pass");
        assertEquals(Verdict.INCOMPLETE, Verdicts.decide(List.of(r(Outcome.PASS, false))), "nothing required ran");
    }

    @Test
    void exitCodesAreDistinctAndMapVerdicts() {
        assertEquals(ExitCode.values().length,
                java.util.Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code).distinct().count());
        assertEquals(0, ExitCode.of(Verdict.PASS).code());
        assertEquals(1, ExitCode.of(Verdict.FAIL).code());
        assertEquals(2, ExitCode.of(Verdict.INCOMPLETE).code());
    }

    @Test
    void runIdsAreVersion7AndTimeOrdered() {
        UUID a = RunIds.uuidV7(1_700_000_000_000L, 1, 2);
        UUID b = RunIds.uuidV7(1_700_000_000_001L, 0, 0);
        assertEquals(7, a.version());
        assertEquals(2, a.variant());
        assertTrue(a.toString().compareTo(b.toString()) < 0);
        assertEquals(7, RunIds.newRunId().version());
    }
}
