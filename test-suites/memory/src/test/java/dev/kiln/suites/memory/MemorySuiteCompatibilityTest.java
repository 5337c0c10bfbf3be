package dev.kiln.suites.memory;

import dev.kiln.api.Suite;
import dev.kiln.core.kit.SuiteCompatibilityKit;
import java.util.Map;

/** The memory suite proves the shared suite contract. */
class MemorySuiteCompatibilityTest extends SuiteCompatibilityKit {
    @Override
    protected Suite newSuite() {
        return new MemorySuite();
    }

    @Override
    protected Map<String, String> kitParameters() {
        return Map.of("size", "4MiB");
    }

    @Override
    protected PlantedFault faultToPlant() {
        return new PlantedFault("random", -1, "patterns", 1);
    }
}
