package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckTest {
    private static final float[] REF = {1f, -2f, 3f, 0f};
    private static final double[] TOL = {0.01, 0.01, 0.01, 0.01};

    @Test
    void eachCheckNamesTheExactElement() {
        float[] golden = {1.001f, -2f, 3f, 0f};
        assertEquals(List.of(), Check.compare(golden.clone(), REF, TOL, golden));
        float[] nan = golden.clone();
        nan[2] = Float.NaN;
        assertOne(Check.compare(nan, REF, TOL, golden), Check.NON_FINITE, 2);
        float[] inf = golden.clone();
        inf[3] = Float.NEGATIVE_INFINITY;
        assertOne(Check.compare(inf, REF, TOL, golden), Check.NON_FINITE, 3);
        float[] far = golden.clone();
        far[1] = -2.5f;
        assertOne(Check.compare(far, REF, TOL, golden), Check.BEYOND_TOLERANCE, 1);
        float[] flipped = golden.clone();
        flipped[0] = Float.intBitsToFloat(Float.floatToRawIntBits(flipped[0]) ^ 1);
        assertOne(Check.compare(flipped, REF, TOL, golden), Check.NOT_REPEATABLE, 0);
        assertEquals(List.of(), Check.compare(flipped, REF, TOL, null), "without the engine's first answer only the tolerance holds");
    }

    @Test
    void theWorstRatioIsTheMarginUsed() {
        assertEquals(0.5, Check.worstRatio(new float[] {1.005f, -2f, 3f, 0f}, REF, TOL), 1e-4);
    }

    private static void assertOne(List<Check.Miss> m, String symptom, int index) {
        assertEquals(1, m.size(), m.toString());
        assertEquals(symptom, m.get(0).symptom());
        assertEquals(index, m.get(0).index());
        assertTrue(m.get(0).tolerance() > 0);
    }
}
