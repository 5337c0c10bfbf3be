package dev.kiln.suites.selftest;

import dev.kiln.api.Availability;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.WorkerContext;

/** Is never available: the hardware it wants is not present. */
public final class SkipSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-skip";
    }

    @Override
    String behaviour() {
        return "is unavailable";
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        return Availability.unavailable(UnavailableCategory.NOT_PRESENT, "no self-test widget on this machine");
    }

    @Override
    void misbehave(WorkerContext ctx) {
        throw new AssertionError("an unavailable suite must never run");
    }
}
