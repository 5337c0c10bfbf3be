package dev.kiln.core.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.Outcome;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.runner.OutcomeRule.Broken;
import dev.kiln.core.runner.OutcomeRule.Call;
import dev.kiln.core.runner.OutcomeRule.Observed;
import dev.kiln.core.runner.OutcomeRule.Skip;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The outcome table, row by row (docs/architecture.md shows the same rows). */
class OutcomeRuleTest {
    /** A healthy observation: time given, work done, checks reported. */
    private static Observed ok() {
        return new Observed(null, 0, null, null, null, false, true, 10, true, 10);
    }

    private static Observed with(String hung, long failures, Broken broken, Skip skip, boolean cancelled, boolean hadTime,
                                 long iterations, boolean verifies, long checks) {
        return new Observed(hung, failures, failures > 0 ? "bad word" : null, broken, skip, cancelled, hadTime, iterations, verifies, checks);
    }

    static Stream<Arguments> table() {
        Skip absent = new Skip(UnavailableCategory.NOT_PRESENT, "no device");
        return Stream.of(
                Arguments.of("healthy", ok(), Outcome.PASS, ""),
                Arguments.of("watchdog", with("watchdog: worker 0 silent", 0, null, null, false, true, 3, true, 3), Outcome.HUNG,
                        "watchdog: worker 0 silent"),
                Arguments.of("hang outranks failures", with("watchdog", 2, null, null, false, true, 3, true, 3), Outcome.HUNG, "watchdog"),
                Arguments.of("failure", with(null, 2, null, null, false, true, 3, true, 3), Outcome.FAIL, "2 failure(s); first: bad word"),
                Arguments.of("failure outranks a broken call", with(null, 1, Broken.threw(Call.RUN, "NPE"), null, false, true, 3, true, 3),
                        Outcome.FAIL, "1 failure(s); first: bad word"),
                Arguments.of("failure outranks a cancel", with(null, 1, null, null, true, true, 3, true, 3), Outcome.FAIL,
                        "1 failure(s); first: bad word"),
                Arguments.of("availability threw", with(null, 0, Broken.threw(Call.AVAILABILITY, "ISE: x"), null, false, false, 0, true, 0),
                        Outcome.ERROR, "availability failed: ISE: x"),
                Arguments.of("availability timed out", with(null, 0, Broken.timedOut(Call.AVAILABILITY, Duration.ofMinutes(10)), null, false,
                        false, 0, true, 0), Outcome.ERROR, "availability did not return within 10m00s"),
                Arguments.of("validate threw", with(null, 0, Broken.threw(Call.VALIDATE, "x"), null, false, false, 0, true, 0),
                        Outcome.ERROR, "validate failed: x"),
                Arguments.of("prepare threw", with(null, 0, Broken.threw(Call.PREPARE, "x"), null, false, false, 0, true, 0),
                        Outcome.ERROR, "prepare failed: x"),
                Arguments.of("prepare timed out", with(null, 0, Broken.timedOut(Call.PREPARE, Duration.ofSeconds(1)), null, false, false, 0,
                        true, 0), Outcome.ERROR, "prepare did not return within 1.0s"),
                Arguments.of("plan threw", with(null, 0, Broken.threw(Call.PLAN, "x"), null, false, false, 0, true, 0), Outcome.ERROR,
                        "plan failed: x"),
                Arguments.of("a worker threw", with(null, 0, Broken.threw(Call.RUN, "x"), null, false, true, 5, true, 5), Outcome.ERROR,
                        "worker failed: x"),
                Arguments.of("finish threw", with(null, 0, Broken.threw(Call.FINISH, "x"), null, false, true, 5, true, 5), Outcome.ERROR,
                        "finish failed: x"),
                Arguments.of("finish timed out", with(null, 0, Broken.timedOut(Call.FINISH, Duration.ofSeconds(30)), null, false, true, 5,
                        true, 5), Outcome.ERROR, "finish did not return within 30s"),
                Arguments.of("broken outranks a cancel", with(null, 0, Broken.threw(Call.RUN, "x"), null, true, true, 5, true, 5),
                        Outcome.ERROR, "worker failed: x"),
                Arguments.of("unavailable", with(null, 0, null, absent, false, false, 0, true, 0), Outcome.SKIPPED, "no device"),
                Arguments.of("cancelled", with(null, 0, null, null, true, true, 5, true, 5), Outcome.INTERRUPTED,
                        "run cancelled while the suite ran"),
                Arguments.of("cancelled before any work", with(null, 0, null, null, true, true, 0, true, 0), Outcome.INTERRUPTED,
                        "run cancelled while the suite ran"),
                Arguments.of("no work", with(null, 0, null, null, false, true, 0, true, 0), Outcome.ERROR,
                        "no work done: the suite was given time and ran no iteration"),
                Arguments.of("claims to verify, checked nothing", with(null, 0, null, null, false, true, 7, true, 0), Outcome.ERROR,
                        "claims to verify every result but reported no check after 7 iteration(s)"),
                Arguments.of("does not claim to verify", with(null, 0, null, null, false, true, 7, false, 0), Outcome.PASS, ""),
                Arguments.of("check made in prepare, no time given", with(null, 0, null, null, false, false, 0, true, 4), Outcome.PASS, ""),
                Arguments.of("no time, no check", with(null, 0, null, null, false, false, 0, true, 0), Outcome.ERROR,
                        "claims to verify every result but reported no check after 0 iteration(s)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void row(String name, Observed observed, Outcome outcome, String reason) {
        OutcomeRule.Decision d = OutcomeRule.decide(observed);
        assertEquals(outcome, d.outcome());
        assertEquals(reason, d.reason());
        assertEquals(outcome == Outcome.SKIPPED ? UnavailableCategory.NOT_PRESENT : null, d.category());
    }

    @Test
    void aStandInsPassIsNeverAPassWhereTheSkuRequiresTheEngine() {
        OutcomeRule.Decision pass = new OutcomeRule.Decision(Outcome.PASS, null, "");
        OutcomeRule.Decision refused = OutcomeRule.standIn(pass, "neural-engine", "ONNX Runtime's CPU provider", true);
        assertEquals(Outcome.SKIPPED, refused.outcome());
        assertEquals(UnavailableCategory.NOT_PRESENT, refused.category());
        assertEquals("a stand-in ran (ONNX Runtime's CPU provider), not this unit's neural-engine: the SKU requires it, so a run on a "
                + "stand-in cannot pass", refused.reason());
        // without such a SKU the pass stands (the result still names the stand-in); the engine itself passes; a defect stays a defect
        assertEquals(pass, OutcomeRule.standIn(pass, "neural-engine", "ONNX Runtime's CPU provider", false));
        assertEquals(pass, OutcomeRule.standIn(pass, "neural-engine", "", true));
        OutcomeRule.Decision fail = new OutcomeRule.Decision(Outcome.FAIL, null, "1 failure(s); first: x");
        assertEquals(fail, OutcomeRule.standIn(fail, "gpu", "OpenCL cpu device 'x', not a GPU", true));
    }
}
