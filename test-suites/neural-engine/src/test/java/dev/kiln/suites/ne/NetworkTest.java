package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkTest {
    @Test
    void everyWeightAndInputIsAHalfPrecisionNumber() {
        Network n = Network.fromSeed(new Network.Shape(4, 8, 2, 8, 4), new SplittableRandom(3));
        for (float v : n.input(new SplittableRandom(4))) {
            assertEquals(v, Network.half(v), "fp16 exact: " + v);
        }
    }

    /**
     * The tolerance follows from the arithmetic: γ̃ grows with √n and with u; the bound grows with
     * depth; the fp32 bound is 2^13 times tighter than fp16's for the same network.
     */
    @Test
    void theToleranceGrowsWithDepthAndPrecisionAsTheAnalysisSays() {
        assertTrue(Network.sigma(1, 1, 400, Network.U16) > 1.9 * Network.sigma(1, 1, 100, Network.U16));
        assertEquals(Network.U32 * Math.sqrt(1 + 101 * 2), Network.sigma(1, 1, 100, Network.U32), 1e-15);
        float[] x = Network.fromSeed(new Network.Shape(4, 8, 1, 8, 4), new SplittableRandom(5)).input(new SplittableRandom(6));
        double shallow = maxBound(new Network.Shape(4, 8, 1, 8, 4), x, Network.U16);
        double deep = maxBound(new Network.Shape(4, 8, 6, 8, 4), x, Network.U16);
        assertTrue(deep > shallow, deep + " vs " + shallow);
        double b32 = maxBound(new Network.Shape(4, 8, 3, 8, 4), x, Network.U32);
        double b16 = maxBound(new Network.Shape(4, 8, 3, 8, 4), x, Network.U16);
        assertTrue(b16 / b32 > 1000 && b16 / b32 < 10000, "ratio " + b16 / b32);
    }

    /** The tolerance is a small share of the outputs (it would catch a wrong exponent or sign), not a blanket. */
    @Test
    void theDefaultNetworksToleranceIsTightAgainstItsValues() {
        Network.Shape s = new Network.Shape(16, 16, 3, 64, 16);
        Network n = Network.fromSeed(s, new SplittableRandom(7));
        Network.Forward f = n.forward(n.input(new SplittableRandom(8)), Network.U16);
        double sumAbs = 0;
        double sumBound = 0;
        for (int j = 0; j < f.values().length; j++) {
            sumAbs += Math.abs(f.values()[j]);
            sumBound += f.bound()[j];
        }
        assertTrue(sumAbs > 0.1 * f.values().length, "activations keep their size through the layers: " + sumAbs);
        assertTrue(sumBound / sumAbs < 0.5, "fp16 tolerance against the values: " + sumBound / sumAbs);
    }

    private static double maxBound(Network.Shape s, float[] x, double u) {
        Network n = Network.fromSeed(s, new SplittableRandom(9));
        double m = 0;
        for (double b : n.forward(x, u).bound()) {
            m = Math.max(m, b);
        }
        return m;
    }

    /**
     * The tolerance against an engine that really computes in half precision (every product and
     * partial sum rounded, in order: emulated here, bit for bit IEEE fp16 through Java's
     * Float.floatToFloat16): it must hold on every output of many seeded networks, and not be a
     * blanket — the worst error must use a real part of it.
     */
    @Test
    void anFp16EngineStaysInsideTheToleranceAndUsesAShareOfIt() {
        double worst = 0;
        for (int seed = 0; seed < 12; seed++) {
            Network n = Network.fromSeed(new Network.Shape(8, 8, 2 + seed % 3, 32, 16), new SplittableRandom(seed));
            float[] x = n.input(new SplittableRandom(100 + seed));
            Network.Forward f = n.forward(x, Network.U16);
            float[] y = n.emulate(x, true);
            for (int j = 0; j < y.length; j++) {
                double ratio = Math.abs(y[j] - f.values()[j]) / f.bound()[j];
                assertTrue(ratio <= 1, "seed " + seed + " output " + j + ": error " + Math.abs(y[j] - f.values()[j]) + " > " + f.bound()[j]);
                worst = Math.max(worst, ratio);
            }
        }
        assertTrue(worst > 0.01, "the tolerance is not 100 times wider than the worst fp16 error: " + worst);
        System.out.println("fp16 emulation: worst error = " + worst + " of the tolerance");
    }
}
