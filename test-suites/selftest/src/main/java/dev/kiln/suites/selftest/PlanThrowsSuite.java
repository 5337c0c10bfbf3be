package dev.kiln.suites.selftest;

import dev.kiln.api.LogLevel;
import dev.kiln.api.Parameters;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkPlan;
import dev.kiln.api.WorkerContext;

/** Its work plan breaks after prepare took resources: ERROR, and cleanup must still run (it says so in the log). */
public final class PlanThrowsSuite extends SelfTestSuite {
    /** The log line cleanup writes, which tests look for. */
    public static final String CLEANED = "selftest-plan-throws: cleanup ran";

    @Override
    String id() {
        return "selftest-plan-throws";
    }

    @Override
    String behaviour() {
        return "throws from its work plan";
    }

    @Override
    public WorkPlan plan(SuiteEnvironment env, Parameters params) {
        throw new IllegalArgumentException("planted bug in plan");
    }

    @Override
    public void cleanup(SuiteContext ctx) {
        ctx.log(LogLevel.WARNING, CLEANED);
    }

    @Override
    void misbehave(WorkerContext ctx) {
        throw new AssertionError("a suite without a plan must never run");
    }
}
