package dev.kiln.suites.selftest;

import dev.kiln.api.WorkerContext;

/** Returns from its workers at once, without a single iteration: "no work done" is ERROR, never PASS. */
public final class IdleSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-idle";
    }

    @Override
    String behaviour() {
        return "does no work";
    }

    @Override
    public void run(WorkerContext ctx) {
        // nothing: never calls keepRunning()
    }

    @Override
    void misbehave(WorkerContext ctx) {
    }
}
