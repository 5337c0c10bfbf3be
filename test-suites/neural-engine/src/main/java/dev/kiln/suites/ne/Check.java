package dev.kiln.suites.ne;

import java.util.ArrayList;
import java.util.List;

/**
 * The three checks of every inference's output, element by element: finite (a NaN or infinity from
 * this network on healthy hardware is a defect), within the derived tolerance of the fp32 reference,
 * and bit-identical to what the same engine gave for the same input when the suite prepared (an
 * engine is deterministic; a flip too small for the tolerance still shows here). One miss per wrong
 * element, the first check it fails.
 */
final class Check {
    /** The symptoms, in the order checked. */
    static final String NON_FINITE = "ne-non-finite-output";
    static final String BEYOND_TOLERANCE = "ne-output-beyond-tolerance";
    static final String NOT_REPEATABLE = "ne-output-not-repeatable";

    record Miss(String symptom, int index, float read, float reference, double tolerance, float engineFirst) {
    }

    private Check() {
    }

    /**
     * @param out        what the engine gave
     * @param reference  the fp32 CPU reference for the input
     * @param tolerance  per element
     * @param golden     what this engine gave for the input at prepare, or null (then only the first two)
     */
    static List<Miss> compare(float[] out, float[] reference, double[] tolerance, float[] golden) {
        List<Miss> misses = null;
        if (out.length != reference.length) {
            throw new IllegalStateException("the engine gave " + out.length + " values, the model has " + reference.length);
        }
        for (int i = 0; i < out.length; i++) {
            float v = out[i];
            String symptom = null;
            if (!Float.isFinite(v)) {
                symptom = NON_FINITE;
            } else if (Math.abs((double) v - reference[i]) > tolerance[i]) {
                symptom = BEYOND_TOLERANCE;
            } else if (golden != null && Float.floatToRawIntBits(v) != Float.floatToRawIntBits(golden[i])) {
                symptom = NOT_REPEATABLE;
            }
            if (symptom != null) {
                if (misses == null) {
                    misses = new ArrayList<>();
                }
                misses.add(new Miss(symptom, i, v, reference[i], tolerance[i], golden == null ? Float.NaN : golden[i]));
            }
        }
        return misses == null ? List.of() : misses;
    }

    /** The largest |out − reference| / tolerance, the margin a healthy engine keeps (0 is exact). */
    static double worstRatio(float[] out, float[] reference, double[] tolerance) {
        double worst = 0;
        for (int i = 0; i < out.length; i++) {
            if (Float.isFinite(out[i])) {
                worst = Math.max(worst, Math.abs((double) out[i] - reference[i]) / tolerance[i]);
            }
        }
        return worst;
    }
}
