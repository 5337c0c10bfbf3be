package dev.kiln.core.kit;

import dev.kiln.api.Suite;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteResult;
import dev.kiln.core.platform.PlatformProbe;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunOptions;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.SuiteRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Runs suites through the real engine, on this machine's CPUs, for tests. */
public final class KitHarness {
    private KitHarness() {
    }

    public static SuiteEnvironment environment() {
        PlatformProbe here = PlatformProbe.current();
        return new SuiteEnvironment(System.getProperty("os.name"), System.getProperty("os.arch"), here.cpus(),
                Runtime.getRuntime().maxMemory());
    }

    public static RunEngine engine() {
        return new RunEngine(PlatformProbe.current().threadPlacer(), environment());
    }

    public static RunInfo info(List<SuiteRequest> requests, long seed) {
        return new RunInfo("00000000-0000-7000-8000-000000000000", "kit", seed, Instant.now(), "test", "kiln run (test)",
                requests.stream().map(SuiteRequest::planned).toList(), Map.of("serial", "TEST-SERIAL", "model", "test"));
    }

    public static RunReport run(RunEngine engine, RunOptions options, RunListener listener, SuiteRequest... requests) {
        return engine.run(info(List.of(requests), options.seed()), List.of(requests), options, listener);
    }

    public static SuiteResult runOne(Suite suite, Duration duration, Map<String, String> params, RunOptions options) {
        RunReport r = run(engine(), options, new RunListener() { }, new SuiteRequest(suite, duration, true, params));
        return r.results().get(0);
    }
}
