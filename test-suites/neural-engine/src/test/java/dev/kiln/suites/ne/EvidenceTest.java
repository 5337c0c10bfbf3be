package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    private static final Evidence.Power NOT_ROOT = Evidence.Power.unknown("not root");

    private static String line(String op, String device) {
        return "2026-11-29 04:00:00.002 java[123:4567] Operation: " + op + ", Device Usage: " + device + ", Estimated Cost: 0.01\n";
    }

    @Test
    void aWholePlanWithEveryOperationOnTheEngineIsProof() {
        Evidence.Plan p = Evidence.parsePlan(PLAN);
        assertTrue(p.available());
        assertEquals(3, p.operations(), "const is placed nowhere: " + p);
        Evidence.Decision d = Evidence.decide(List.of(p), 3, NOT_ROOT, 0.1);
        assertEquals(Evidence.Finding.PROVEN, d.finding(), d.summary());
        assertTrue(d.summary().contains("compute plan: all 3 operations on the Neural Engine"), d.summary());
        assertTrue(d.summary().contains("ANE power: unavailable (not root)"), d.summary());
    }

    @Test
    void aPartialPlanIsNoEvidenceNotProof() {
        Evidence.Plan p = Evidence.parsePlan(PLAN);
        Evidence.Decision d = Evidence.decide(List.of(p), 9, NOT_ROOT, 0.1);
        assertEquals(Evidence.Finding.NONE, d.finding(), "three of nine operations seen: the rest ran somewhere unknown");
        assertTrue(d.summary().contains("no evidence: 3 of the model's 9 operations named on the Neural Engine (a partial plan)"), d.summary());
        assertEquals(Evidence.Finding.PROVEN, Evidence.decide(List.of(p), 9, new Evidence.Power(0, 1.5, 10, null), 0.1).finding(),
                "a partial plan does not stand against ANE power");
    }

    @Test
    void anOperationWithNoDeviceNamedIsNoEvidenceNeverAgainst() {
        Evidence.Plan p = Evidence.parsePlan(PLAN + line("ios18.reshape", "(null)"));
        assertEquals(Map.of("neural-engine", 3, Evidence.NO_DEVICE, 1), p.byDevice());
        assertTrue(p.offEngine().isEmpty(), "(null) names no device: nothing ran elsewhere");
        Evidence.Decision d = Evidence.decide(List.of(p), 3, NOT_ROOT, 0.1);
        assertEquals(Evidence.Finding.NONE, d.finding(), d.summary());
        assertTrue(d.summary().contains("1 with no device named"), d.summary());
        Evidence.Plan odd = Evidence.parsePlan(PLAN + line("ios18.reshape", "<MLSomethingNewComputeDevice: 0x9>"));
        assertEquals(Evidence.Finding.NONE, Evidence.decide(List.of(odd), 3, NOT_ROOT, 0.1).finding(), "an unknown device is not the CPU either");
    }

    @Test
    void moreOperationsThanTheModelsNodesAllOnTheEngineAreProofAndSaid() {
        Evidence.Plan p = Evidence.parsePlan(PLAN + line("ios18.add", "<MLNeuralEngineComputeDevice: 0x600001>"));
        Evidence.Decision d = Evidence.decide(List.of(p), 3, NOT_ROOT, 0.1);
        assertEquals(Evidence.Finding.PROVEN, d.finding(), d.summary());
        assertTrue(d.summary().contains("all 4 operations on the Neural Engine (the model has 3 nodes)"), d.summary());
    }

    @Test
    void anOperationOnTheCpuContradicts() {
        Evidence.Plan p = Evidence.parsePlan(PLAN + line("ios18.linear", "<MLCPUComputeDevice: 0x7>"));
        assertEquals(Map.of("neural-engine", 3, "cpu", 1), p.byDevice());
        Evidence.Decision d = Evidence.decide(List.of(p), 3, new Evidence.Power(0, 2.0, 5, null), 0.1);
        assertEquals(Evidence.Finding.CONTRADICTED, d.finding(), "power cannot outvote a plan that put work on the CPU");
        assertTrue(d.summary().contains("1 of 4 operations off the Neural Engine (ios18.linear on cpu)"), d.summary());
    }

    @Test
    void everySessionsPlanCountsAndTwoThatDisagreeAreSaidSessionBySession() {
        Evidence.Plan good = Evidence.parsePlan(PLAN);
        Evidence.Plan cpu = Evidence.parsePlan(PLAN.replace("MLNeuralEngineComputeDevice", "MLCPUComputeDevice"));
        Evidence.Decision both = Evidence.decide(List.of(good, good), 3, NOT_ROOT, 0.1);
        assertEquals(Evidence.Finding.PROVEN, both.finding());
        assertTrue(both.summary().contains("compute plan, each of 2 sessions: all 3 operations on the Neural Engine"), both.summary());
        Evidence.Decision split = Evidence.decide(List.of(good, cpu), 3, NOT_ROOT, 0.1);
        assertEquals(Evidence.Finding.CONTRADICTED, split.finding(), "the second session ran on the CPU: the first one's plan cannot vouch for it");
        assertTrue(split.summary().contains("sessions disagree: session 0: all 3 operations on the Neural Engine; session 1: 3 of 3 operations off"),
                split.summary());
        Evidence.Plan none = Evidence.parsePlan("nothing\n");
        Evidence.Decision half = Evidence.decide(List.of(good, none), 3, NOT_ROOT, 0.1);
        assertEquals(Evidence.Finding.NONE, half.finding(), "a session that logged no plan is unproven: " + half.summary());
        assertTrue(half.summary().contains("session 1: unavailable"), half.summary());
    }

    @Test
    void powerAloneDecidesWhenThereIsNoPlan() {
        Evidence.Plan none = Evidence.parsePlan("nothing of interest\n");
        assertFalse(none.available());
        List<Evidence.Plan> nones = List.of(none);
        assertEquals(Evidence.Finding.PROVEN, Evidence.decide(nones, 3, new Evidence.Power(0.0, 1.2, 30, null), 0.1).finding());
        assertEquals(Evidence.Finding.CONTRADICTED, Evidence.decide(nones, 3, new Evidence.Power(0.02, 0.05, 30, null), 0.1).finding(),
                "an engine drawing idle power while 'loaded' did not do the work");
        Evidence.Decision nothing = Evidence.decide(nones, 3, Evidence.Power.unknown("no ane_power_watts channel"), 0.1);
        assertEquals(Evidence.Finding.NONE, nothing.finding());
        assertEquals(Evidence.Finding.NONE, Evidence.decide(nones, 3, new Evidence.Power(0, Double.NaN, 0, null), 0.1).finding(),
                "a channel with no sample under load proves nothing");
    }

    @Test
    void planLinesCountWhatHasBeenLoggedSoFar() {
        assertEquals(0, Evidence.planLines("Number of operations : 9\n"));
        assertEquals(3, Evidence.planLines(PLAN));
    }
}
