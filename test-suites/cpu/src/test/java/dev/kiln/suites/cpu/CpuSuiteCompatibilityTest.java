package dev.kiln.suites.cpu;

import dev.kiln.api.Suite;
import dev.kiln.core.kit.KitHarness;
import dev.kiln.core.kit.SuiteCompatibilityKit;
import java.util.Map;

/** The CPU suite proves the shared suite contract. */
class CpuSuiteCompatibilityTest extends SuiteCompatibilityKit {
    @Override
    protected Suite newSuite() {
        return new CpuSuite();
    }

    @Override
    protected Map<String, String> kitParameters() {
        return Map.of();
    }

    @Override
    protected PlantedFault faultToPlant() {
        int last = KitHarness.environment().logicalCpus().getLast().id();
        return new PlantedFault("sha256", last, "each-core", 1);
    }
}
