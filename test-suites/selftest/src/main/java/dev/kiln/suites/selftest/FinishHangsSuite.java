package dev.kiln.suites.selftest;

import dev.kiln.api.SuiteContext;
import dev.kiln.api.WorkerContext;
import java.util.concurrent.locks.LockSupport;

/**
 * Checks its work, then never returns from finish (where the memory suite checks its error counts):
 * the suite must end ERROR, never PASS, and the run must go on.
 */
public final class FinishHangsSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-finish-hangs";
    }

    @Override
    String behaviour() {
        return "never returns from finish";
    }

    @Override
    public void finish(SuiteContext ctx) {
        while (true) {
            LockSupport.park(this);
            Thread.interrupted(); // a stuck call does not care
        }
    }

    @Override
    void misbehave(WorkerContext ctx) {
    }
}
