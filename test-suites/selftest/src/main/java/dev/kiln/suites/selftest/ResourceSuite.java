package dev.kiln.suites.selftest;

import dev.kiln.api.ParameterSpec;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.WorkerContext;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Runs out of a resource in prepare: asks for far more off-heap memory than any machine has. The
 * JDK answers with OutOfMemoryError, which the framework records as ERROR, saying the heap's size:
 * a suite that cannot get its memory never lets a run pass.
 */
public final class ResourceSuite extends SelfTestSuite {
    private Arena arena;

    @Override
    String id() {
        return "selftest-resource";
    }

    @Override
    String behaviour() {
        return "runs out of memory";
    }

    @Override
    List<ParameterSpec> extraParameters() {
        return List.of(new ParameterSpec("bytes", Long.toString(1L << 52), "off-heap bytes to ask for in prepare"));
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        super.prepare(ctx);
        arena = Arena.ofShared();
        arena.allocate(ctx.parameters().getLong("bytes"), 4096);
    }

    @Override
    public void cleanup(SuiteContext ctx) {
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    void misbehave(WorkerContext ctx) {
    }
}
