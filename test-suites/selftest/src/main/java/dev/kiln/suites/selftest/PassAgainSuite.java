package dev.kiln.suites.selftest;

import dev.kiln.api.WorkerContext;

/** A second passing suite, to show a run goes on after a hang or a crash. */
public final class PassAgainSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-pass-again";
    }

    @Override
    String behaviour() {
        return "passes after the others";
    }

    @Override
    void misbehave(WorkerContext ctx) {
    }
}
