package dev.kiln.suites.selftest;

import dev.kiln.api.Suite;
import dev.kiln.core.kit.SuiteCompatibilityKit;
import java.util.Map;

/** The self-test's passing suite proves the kit itself works on the simplest real check. */
class PassSuiteCompatibilityTest extends SuiteCompatibilityKit {
    @Override
    protected Suite newSuite() {
        return new PassSuite();
    }

    @Override
    protected Map<String, String> kitParameters() {
        return Map.of();
    }

    @Override
    protected PlantedFault faultToPlant() {
        return new PlantedFault("sum", -1, "main", 1);
    }
}
