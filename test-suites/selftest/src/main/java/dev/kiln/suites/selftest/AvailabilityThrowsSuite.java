package dev.kiln.suites.selftest;

import dev.kiln.api.Availability;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.WorkerContext;

/** Its availability check breaks (a driver query that throws): ERROR for this suite, and the run goes on. */
public final class AvailabilityThrowsSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-availability-throws";
    }

    @Override
    String behaviour() {
        return "throws from its availability check";
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        throw new IllegalStateException("planted bug in availability");
    }

    @Override
    void misbehave(WorkerContext ctx) {
        throw new AssertionError("a suite whose availability broke must never run");
    }
}
