package dev.kiln.suites.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Each kernel, on its own: deterministic, and its check catches a planted bit flip. */
class KernelTest {
    static List<Supplier<Kernel>> all() {
        return List.of(LucasLehmerKernel::new, () -> new FmaMatrixKernel(false), Sha256Kernel::new, AesGcmKernel::new,
                Crc32cKernel::new, DeflateKernel::new, SortKernel::new);
    }

    private static long run(Kernel.Runner r, boolean fault) {
        try {
            return r.run(fault, true);
        } catch (Kernel.DataPathException e) {
            return Long.MIN_VALUE + e.getMessage().hashCode();
        }
    }

    @Test
    void everyKernelIsDeterministicAndCatchesAFlippedBit() throws Exception {
        for (Supplier<Kernel> make : all()) {
            Kernel k = make.get();
            k.prepare(new SplittableRandom(11));
            Kernel.Runner a = k.newRunner();
            Kernel.Runner b = k.newRunner();
            long golden = run(a, false);
            assertEquals(golden, run(a, false), k.name() + ": same runner, same answer");
            assertEquals(golden, run(b, false), k.name() + ": other runner, same answer");
            assertNotEquals(golden, run(b, true), k.name() + ": a planted fault must change the answer");
            assertEquals(golden, run(b, false), k.name() + ": the fault does not linger");
            Kernel other = make.get();
            other.prepare(new SplittableRandom(12));
            if (!(k instanceof LucasLehmerKernel)) {
                assertNotEquals(golden, run(other.newRunner(), false), k.name() + ": the answer depends on the seeded input");
            }
        }
    }

    @Test
    void lucasLehmerKnowsItsAnswer() throws Exception {
        for (int seed = 0; seed < 20; seed++) {
            LucasLehmerKernel k = new LucasLehmerKernel();
            k.prepare(new SplittableRandom(seed));
            assertEquals(0, k.newRunner().run(false, true), "2^" + k.exponent() + "-1 is prime: residue 0");
        }
    }

    /** Every register-block shape gives the scalar path's bits: the choice of shape never changes a verdict. */
    @Test
    void vectorAndScalarFmaPathsGiveTheSameBitsInEveryShape() throws Exception {
        assumeTrue(FmaMatrixKernel.vectorApiPresent(), "Vector API module not present");
        for (FmaShape shape : FmaShape.values()) {
            FmaMatrixKernel v = new FmaMatrixKernel(true, shape);
            v.prepare(new SplittableRandom(3));
            double[] cv = new double[FmaMatrixKernel.ROWS * v.columns()];
            double[] cs = cv.clone();
            FmaVectorPath.multiply(shape, v.a, v.b, cv, FmaMatrixKernel.ROWS, FmaMatrixKernel.K, v.columns(), FmaMatrixKernel.REPS);
            FmaMatrixKernel.scalar(v.a, v.b, cs, v.columns());
            for (int i = 0; i < cv.length; i++) {
                assertEquals(Double.doubleToRawLongBits(cs[i]), Double.doubleToRawLongBits(cv[i]), shape.id() + " element " + i);
            }
            assertTrue(v.path().startsWith("vector-api") && v.path().contains(shape.id()), v.path());
            // and a flipped bit in the result is caught in this shape too
            long good = v.newRunner().run(false, true);
            assertTrue(good != v.newRunner().run(true, true), shape.id());
        }
    }

    @Test
    void calibrationTimesEveryShapeAndPutsTheFastestFirst() {
        assumeTrue(FmaMatrixKernel.vectorApiPresent(), "Vector API module not present");
        java.util.Map<FmaShape, Double> speeds = FmaVectorPath.calibrate(5_000_000L, 200_000_000L);
        assertEquals(java.util.Set.of(FmaShape.values()), speeds.keySet());
        double first = speeds.values().iterator().next();
        assertTrue(speeds.values().stream().allMatch(v -> v > 0 && v <= first), speeds.toString());
    }

    @Test
    void theBlockForACoreFollowsItsVectorsAndRegisters() {
        assertEquals(FmaShape.R8V3, FmaShape.forCore(512, "amd64"), "AVX-512: 24 accumulators in 32 registers");
        assertEquals(FmaShape.R6V2, FmaShape.forCore(256, "amd64"), "AVX2: 12 in 16 registers");
        assertEquals(FmaShape.R8V2, FmaShape.forCore(128, "aarch64"), "NEON on an Apple P-core: 4 pipes x latency 4 = 16");
        assertEquals(16, FmaShape.forCore(128, "aarch64").accumulators());
        assertEquals(FmaShape.R6V2, FmaShape.forCore(128, "amd64"));
    }

    @Test
    void deflateReportsABrokenStreamAsADataPathFault() throws Exception {
        DeflateKernel k = new DeflateKernel();
        k.prepare(new SplittableRandom(5));
        Kernel.Runner r = k.newRunner();
        try {
            long v = r.run(true, true);
            assertNotEquals(r.run(false, true), v);
        } catch (Kernel.DataPathException e) {
            assertTrue(e.getMessage().contains("inflate"), e.getMessage());
        }
    }
}
