package dev.kiln.suites.ne;

import dev.kiln.api.Suite;
import dev.kiln.core.kit.SuiteCompatibilityKit;
import java.time.Duration;
import java.util.Map;

/** The suite contract, on the CPU provider (the same pipeline as on the Neural Engine). */
class NeuralEngineSuiteCompatibilityTest extends SuiteCompatibilityKit {
    @Override
    protected Suite newSuite() {
        return new NeuralEngineSuite();
    }

    @Override
    protected Map<String, String> kitParameters() {
        return NeuralEngineSuiteTest.SMALL;
    }

    @Override
    protected PlantedFault faultToPlant() {
        return new PlantedFault("perturb", -1, "inference", 3);
    }

    @Override
    protected Duration budgetSlack() {
        return Duration.ofSeconds(10); // prepare loads ONNX Runtime and computes the references
    }
}
