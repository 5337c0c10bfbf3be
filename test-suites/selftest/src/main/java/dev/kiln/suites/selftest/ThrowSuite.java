package dev.kiln.suites.selftest;

import dev.kiln.api.WorkerContext;

/** Its own code breaks: the outcome must be ERROR, which is not evidence against the hardware. */
public final class ThrowSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-throw";
    }

    @Override
    String behaviour() {
        return "throws";
    }

    @Override
    void misbehave(WorkerContext ctx) {
        throw new IllegalStateException("planted bug in the suite at iteration " + ctx.iteration());
    }
}
