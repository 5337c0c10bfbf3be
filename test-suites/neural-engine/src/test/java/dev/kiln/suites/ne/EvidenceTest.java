package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EvidenceTest {
    /** The lines ONNX Runtime's Core ML provider logs through NSLog with ProfileComputePlan (format from its source; see docs). */
    private static final String PLAN = """
            2026-11-29 04:00:00.000 java[123:4567] Number of operations, 'const' node is included. : 9
            2026-11-29 04:00:00.001 java[123:4567] Operation: const, Device Usage: (null), Estimated Cost: 0.000000
            2026-11-29 04:00:00.001 java[123:4567] Operation: ios18.conv, Device Usage: <MLNeuralEngineComputeDevice: 0x600001>, Estimated Cost: 0.412000
            2026-11-29 04:00:00.001 java[123:4567] Operation: ios18.relu, Device Usage: <MLNeuralEngineComputeDevice: 0x600001>, Estimated Cost: 0.010000
            2026-11-29 04:00:00.001 java[123:4567] Operation: ios18.linear, Device Usage: <MLNeuralEngineComputeDevice: 0x600001>, Estimated Cost: 0.100000
            """;

    @Test
    void aPlanWithEveryOperationOnTheEngineIsProof() {
        Evidence.Plan p = Evidence.parsePlan(PLAN);
        assertTrue(p.available());
        assertEquals(3, p.operations(), "const is placed nowhere: " + p);
        Evidence.Decision d = Evidence.decide(p, Evidence.Power.unknown("not root"), 0.1);
        assertEquals(Evidence.Finding.PROVEN, d.finding(), d.summary());
        assertTrue(d.summary().contains("ANE power: unavailable (not root)"), d.summary());
    }

    @Test
    void anOperationOnTheCpuContradicts() {
        Evidence.Plan p = Evidence.parsePlan(PLAN + "x Operation: ios18.linear, Device Usage: <MLCPUComputeDevice: 0x7>, Estimated Cost: 0.2\n");
        assertEquals(Map.of("neural-engine", 3, "cpu", 1), p.byDevice());
        Evidence.Decision d = Evidence.decide(p, new Evidence.Power(0, 2.0, 5, null), 0.1);
        assertEquals(Evidence.Finding.CONTRADICTED, d.finding(), "power cannot outvote a plan that put work on the CPU");
        assertTrue(d.summary().contains("1 of 4 operations off the Neural Engine (ios18.linear on cpu)"), d.summary());
    }

    @Test
    void powerAloneDecidesWhenThereIsNoPlan() {
        Evidence.Plan none = Evidence.parsePlan("nothing of interest\n");
        assertFalse(none.available());
        assertEquals(Evidence.Finding.PROVEN, Evidence.decide(none, new Evidence.Power(0.0, 1.2, 30, null), 0.1).finding());
        assertEquals(Evidence.Finding.CONTRADICTED, Evidence.decide(none, new Evidence.Power(0.02, 0.05, 30, null), 0.1).finding(),
                "an engine drawing idle power while 'loaded' did not do the work");
        Evidence.Decision nothing = Evidence.decide(none, Evidence.Power.unknown("no ane_power_watts channel"), 0.1);
        assertEquals(Evidence.Finding.NONE, nothing.finding());
        assertEquals(Evidence.Finding.NONE, Evidence.decide(none, new Evidence.Power(0, Double.NaN, 0, null), 0.1).finding(),
                "a channel with no sample under load proves nothing");
    }
}
