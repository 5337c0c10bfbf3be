package dev.kiln.suites.selftest;

import dev.kiln.api.WorkerContext;

/** Runs its check and passes. */
public final class PassSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-pass";
    }

    @Override
    String behaviour() {
        return "passes";
    }

    @Override
    void misbehave(WorkerContext ctx) {
    }
}
