package dev.kiln.suites.gpu;

import dev.kiln.api.Suite;
import dev.kiln.core.kit.SuiteCompatibilityKit;
import java.time.Duration;
import java.util.Map;

/**
 * The GPU suite proves the shared suite contract on whatever OpenCL devices are here (PoCL's CPU
 * device in CI; .ci/run installs it). Without OpenCL the live parts are skipped, and the kit's own
 * skip test still runs.
 */
class GpuSuiteCompatibilityTest extends SuiteCompatibilityKit {
    @Override
    protected Suite newSuite() {
        return new GpuSuite();
    }

    @Override
    protected Map<String, String> kitParameters() {
        return GpuSuiteTest.SMALL;
    }

    @Override
    protected PlantedFault faultToPlant() {
        return new PlantedFault("fma", -1, "devices", 1);
    }

    @Override
    protected Duration cancelBound() {
        return Duration.ofSeconds(10); // an OpenCL call in flight is not interruptible; PoCL on two cores is slow
    }

    @Override
    protected Duration budgetSlack() {
        return Duration.ofSeconds(30); // prepare compiles the kernels (PoCL: LLVM, seconds on a cold cache)
    }
}
