package dev.kiln.suites.selftest;

import dev.kiln.api.WorkerContext;
import java.util.Map;

/** Reports a defect at the chosen iteration, as a suite whose check caught a bad part would. */
public final class FailSuite extends SelfTestSuite {
    @Override
    String id() {
        return "selftest-fail";
    }

    @Override
    String behaviour() {
        return "reports a defect";
    }

    @Override
    void misbehave(WorkerContext ctx) {
        ctx.failure("selftest-planted-defect", "planted defect at iteration " + ctx.iteration(),
                Map.of("expected", "0x0", "actual", "0x1"));
    }
}
