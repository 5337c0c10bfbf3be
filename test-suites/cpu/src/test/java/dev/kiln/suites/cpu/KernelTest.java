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

    @Test
    void vectorAndScalarFmaPathsGiveTheSameBits() {
        assumeTrue(FmaMatrixKernel.vectorApiPresent(), "Vector API module not present");
        FmaMatrixKernel v = new FmaMatrixKernel(true);
        v.prepare(new SplittableRandom(3));
        double[] cv = new double[FmaMatrixKernel.ROWS * v.columns()];
        double[] cs = cv.clone();
        FmaVectorPath.multiply(v.a, v.b, cv, FmaMatrixKernel.ROWS, FmaMatrixKernel.K, v.columns(), FmaMatrixKernel.REPS);
        FmaMatrixKernel.scalar(v.a, v.b, cs, v.columns());
        for (int i = 0; i < cv.length; i++) {
            assertEquals(Double.doubleToRawLongBits(cs[i]), Double.doubleToRawLongBits(cv[i]), "element " + i);
        }
        assertTrue(v.path().startsWith("vector-api"));
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
