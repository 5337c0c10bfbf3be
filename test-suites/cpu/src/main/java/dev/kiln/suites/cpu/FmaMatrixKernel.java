package dev.kiln.suites.cpu;

import java.util.random.RandomGenerator;

/**
 * Double-precision FMA-dense matrix blocks: C = R × (A·B) accumulated with fused multiply-adds,
 * A (M×K) and B (K×N) small enough to stay in L1 so the FMA units, not memory, set the pace. The
 * Vector API path ({@link FmaVectorPath}) is used where the incubator module is present; the scalar
 * path ({@link Math#fma}) otherwise. Both are exactly specified (one rounding per FMA), so results
 * are bit-identical across healthy cores for a given path; the golden value is computed with the
 * path the workers use.
 */
final class FmaMatrixKernel extends Kernel {
    static final int ROWS = 24;
    static final int K = 64;
    static final int REPS = 64;

    private final boolean vector;
    private final FmaShape shape;
    private final int cols;
    double[] a;
    double[] b;

    /** @param vector use the Vector API path (the caller checked it is available), in its first shape */
    FmaMatrixKernel(boolean vector) {
        this(vector, FmaShape.R6V2);
    }

    /** @param shape the register block of the Vector API path (ignored by the scalar path) */
    FmaMatrixKernel(boolean vector, FmaShape shape) {
        super("fma-matrix", "flops");
        this.vector = vector;
        this.shape = shape;
        this.cols = vector ? FmaVectorPath.columns(shape) : 16;
    }

    FmaShape shape() {
        return shape;
    }

    /** True where the JVM was started with the incubator module (the launcher adds it). */
    static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    String path() {
        return vector ? "vector-api (" + FmaVectorPath.describe() + ", " + shape.id() + " block: " + shape.accumulators() + " accumulators)"
                : "scalar Math.fma";
    }

    int columns() {
        return cols;
    }

    @Override
    void prepare(RandomGenerator random) {
        a = new double[ROWS * K];
        b = new double[K * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextDouble(-1, 1);
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextDouble(-1, 1);
        }
    }

    @Override
    long workPerRun() {
        return 2L * ROWS * cols * K * REPS;
    }

    @Override
    Runner newRunner() {
        double[] c = new double[ROWS * cols];
        return (fault, verify) -> {
            java.util.Arrays.fill(c, 0.0);
            if (vector) {
                FmaVectorPath.multiply(shape, a, b, c, ROWS, K, cols, REPS);
            } else {
                scalar(a, b, c, cols);
            }
            if (fault) {
                c[c.length / 2] = Double.longBitsToDouble(Double.doubleToRawLongBits(c[c.length / 2]) ^ 1L);
            }
            return verify ? Fingerprint.of(c) : Double.doubleToRawLongBits(c[0]);
        };
    }

    /** The scalar path, the same order of operations per element as the vector path. */
    static void scalar(double[] a, double[] b, double[] c, int cols) {
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < cols; j++) {
                double acc = c[i * cols + j];
                for (int r = 0; r < REPS; r++) {
                    for (int k = 0; k < K; k++) {
                        acc = Math.fma(a[i * K + k], b[k * cols + j], acc);
                    }
                }
                c[i * cols + j] = acc;
            }
        }
    }
}
