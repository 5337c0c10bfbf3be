package dev.kiln.suites.selftest;

import dev.kiln.api.WorkerContext;

/**
 * Its descriptor says it always verifies, and it loops, but it never checks anything: ERROR
 * ("claims to verify"), never PASS.
 */
public final class UnverifiedSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-unverified";
    }

    @Override
    String behaviour() {
        return "claims to verify and never does";
    }

    @Override
    public void run(WorkerContext ctx) {
        long x = 0;
        while (ctx.keepRunning()) {
            x += ctx.random().nextLong(); // load, and no check of it
        }
        if (x == 42) {
            ctx.log(dev.kiln.api.LogLevel.DEBUG, "unlikely");
        }
    }

    @Override
    void misbehave(WorkerContext ctx) {
    }
}
