package dev.kiln.core.runner;

import dev.kiln.api.Availability;
import dev.kiln.api.Measurement;
import dev.kiln.api.Suite;
import java.util.Map;

/** Ready-made inline suites for tests outside this package. */
public final class TestSuites {
    private TestSuites() {
    }

    public static Suite measuring(String id, Measurement m) {
        return new InlineSuite(id, ctx -> {
            InlineSuite.spin(ctx);
            ctx.measurement(m);
        });
    }

    public static Suite failing(String id) {
        return new InlineSuite(id, ctx -> {
            while (ctx.keepRunning()) {
                if (ctx.iteration() == 1) {
                    ctx.failure(id + "-defect", "planted", Map.of("cpu", ctx.cpu(), "expected", "0x0", "actual", "0x1"));
                }
            }
        });
    }

    public static Suite unavailable(String id, Availability a) {
        InlineSuite s = new InlineSuite(id, InlineSuite::spin);
        s.availability = a;
        return s;
    }

    public static Suite throwing(String id) {
        return new InlineSuite(id, ctx -> {
            throw new IllegalStateException("planted bug");
        });
    }
}
