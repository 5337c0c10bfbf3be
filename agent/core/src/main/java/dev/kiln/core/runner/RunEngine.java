package dev.kiln.core.runner;

import dev.kiln.api.LogLevel;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteResult;
import dev.kiln.core.Verdicts;
import dev.kiln.core.platform.ThreadPlacer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the suites of a run one after the other and decides the verdict. A suite that hangs or
 * throws is recorded and the run goes on; a cancel ends the suite in flight as INTERRUPTED and marks
 * the ones not started the same way.
 */
public final class RunEngine {
    private final ThreadPlacer placer;
    private final SuiteEnvironment environment;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile SuiteRunner runner;

    public RunEngine(ThreadPlacer placer, SuiteEnvironment environment) {
        this.placer = placer;
        this.environment = environment;
    }

    /** Asks the run to stop: the suite in flight ends INTERRUPTED, the rest do not start. */
    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** The suite in flight, or null. */
    public Progress progress() {
        SuiteRunner r = runner;
        return r == null ? null : r.progress();
    }

    public RunReport run(RunInfo info, List<SuiteRequest> requests, RunOptions options, RunListener listener) {
        listener.runStarted(info);
        SuiteRunner r = new SuiteRunner(placer, environment, options, cancelled, listener);
        runner = r;
        List<SuiteResult> results = new ArrayList<>();
        try {
            for (SuiteRequest request : requests) {
                SuiteResult result;
                if (cancelled.get()) {
                    Instant now = Instant.now();
                    result = new SuiteResult(request.id(), request.required(), Outcome.INTERRUPTED, null,
                            "run cancelled before this suite started", now, now, 0, 0, List.of(), List.of(), 0,
                            "", "", request.parameters());
                    listener.suiteStarted(request.planned());
                } else {
                    listener.suiteStarted(request.planned());
                    result = r.run(request);
                }
                if (result.outcome() == Outcome.SKIPPED) {
                    listener.log(request.id(), LogLevel.WARNING, "skipped (" + result.category() + "): " + result.reason());
                }
                results.add(result);
                listener.suiteEnded(result);
            }
        } finally {
            runner = null;
        }
        RunReport report = new RunReport(info, Instant.now(), results, Verdicts.decide(results));
        listener.runEnded(report);
        return report;
    }

    /** A one-line reason for the verdict, for humans and the event stream. */
    public static String explain(RunReport report) {
        List<String> parts = new ArrayList<>();
        for (SuiteResult r : report.results()) {
            if (r.outcome() != Outcome.PASS) {
                parts.add(r.suiteId() + " " + r.outcome() + (r.required() ? "" : " (optional)"));
            }
        }
        if (parts.isEmpty() && report.results().stream().noneMatch(SuiteResult::required)) {
            return "all suites passed, but none of them is required: nothing the verdict rests on was tested";
        }
        return parts.isEmpty() ? "all suites passed" : String.join(", ", parts);
    }
}
