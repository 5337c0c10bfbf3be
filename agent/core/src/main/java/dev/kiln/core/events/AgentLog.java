package dev.kiln.core.events;

import dev.kiln.api.Failure;
import dev.kiln.api.LogLevel;
import dev.kiln.api.SuiteResult;
import dev.kiln.core.runner.PlannedSuite;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.Seeds;
import java.io.PrintStream;
import java.time.Clock;

/** The bundle's {@code logs/agent.log}: one plain line per thing that happened, time first. */
public final class AgentLog implements RunListener {
    private final PrintStream out;
    private final Clock clock;

    public AgentLog(PrintStream out, Clock clock) {
        this.out = out;
        this.clock = clock;
    }

    public synchronized void line(String level, String text) {
        out.println(clock.instant() + " " + level + " " + text);
        out.flush();
    }

    @Override
    public void runStarted(RunInfo run) {
        line("INFO", "run " + run.runId() + " started: profile " + run.profile() + ", seed " + Seeds.format(run.seed())
                + ", agent " + run.agentVersion() + ", unit " + run.unit());
        line("INFO", "command: " + run.commandLine());
    }

    @Override
    public void suiteStarted(PlannedSuite suite) {
        line("INFO", "suite " + suite.id() + " started: budget " + suite.duration() + (suite.required() ? "" : " (optional)")
                + (suite.parameters().isEmpty() ? "" : ", parameters " + suite.parameters()));
    }

    @Override
    public void failure(String suiteId, Failure f) {
        line(f.degraded() ? "WARNING" : "ERROR", suiteId + ": " + f.symptom() + ": " + f.message() + " " + f.details());
    }

    @Override
    public void log(String suiteId, LogLevel level, String message) {
        line(level.name(), (suiteId == null ? "run" : suiteId) + ": " + message);
    }

    @Override
    public void suiteEnded(SuiteResult r) {
        line("INFO", "suite " + r.suiteId() + " ended " + r.outcome() + (r.category() == null ? "" : " (" + r.category() + ")")
                + (r.reason().isEmpty() ? "" : ": " + r.reason()) + "; iterations " + r.iterations() + ", checks " + r.checks() + ", failures "
                + r.failureCount() + ", placement " + r.placement());
    }

    @Override
    public void runEnded(RunReport report) {
        line("INFO", "run ended: verdict " + report.verdict() + " (" + RunEngine.explain(report) + ")");
    }
}
