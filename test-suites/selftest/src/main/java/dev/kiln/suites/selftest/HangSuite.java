package dev.kiln.suites.selftest;

import dev.kiln.api.WorkerContext;
import java.util.concurrent.locks.LockSupport;

/**
 * Stops answering at the chosen iteration, like a device call that never returns: it parks forever
 * and ignores interrupts, so the watchdog must declare it HUNG and the framework must abandon it.
 */
public final class HangSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-hang";
    }

    @Override
    String behaviour() {
        return "hangs";
    }

    @Override
    void misbehave(WorkerContext ctx) {
        while (true) {
            LockSupport.park(this);
            Thread.interrupted(); // swallow: a stuck device call does not care
        }
    }
}
