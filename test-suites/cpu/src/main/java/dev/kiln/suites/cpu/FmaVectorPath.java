package dev.kiln.suites.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API half of {@link FmaMatrixKernel}: a 6-row × 2-vector register block (12
 * accumulators, enough to hide FMA latency on two FMA pipes). Each accumulator lane sees the same
 * sequence of FMAs as the scalar path's element, so the two paths give the same bits. Loaded only
 * when the incubator module is present.
 */
final class FmaVectorPath {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int BLOCK_ROWS = 6;

    private FmaVectorPath() {
    }

    static int columns() {
        return 2 * S.length();
    }

    static String describe() {
        return S.vectorBitSize() + "-bit, " + S.length() + " doubles per vector";
    }

    static void multiply(double[] a, double[] b, double[] c, int rows, int kDim, int cols, int reps) {
        int l = S.length();
        for (int i = 0; i < rows; i += BLOCK_ROWS) {
            DoubleVector c00 = DoubleVector.fromArray(S, c, i * cols);
            DoubleVector c01 = DoubleVector.fromArray(S, c, i * cols + l);
            DoubleVector c10 = DoubleVector.fromArray(S, c, (i + 1) * cols);
            DoubleVector c11 = DoubleVector.fromArray(S, c, (i + 1) * cols + l);
            DoubleVector c20 = DoubleVector.fromArray(S, c, (i + 2) * cols);
            DoubleVector c21 = DoubleVector.fromArray(S, c, (i + 2) * cols + l);
            DoubleVector c30 = DoubleVector.fromArray(S, c, (i + 3) * cols);
            DoubleVector c31 = DoubleVector.fromArray(S, c, (i + 3) * cols + l);
            DoubleVector c40 = DoubleVector.fromArray(S, c, (i + 4) * cols);
            DoubleVector c41 = DoubleVector.fromArray(S, c, (i + 4) * cols + l);
            DoubleVector c50 = DoubleVector.fromArray(S, c, (i + 5) * cols);
            DoubleVector c51 = DoubleVector.fromArray(S, c, (i + 5) * cols + l);
            for (int r = 0; r < reps; r++) {
                for (int k = 0; k < kDim; k++) {
                    DoubleVector b0 = DoubleVector.fromArray(S, b, k * cols);
                    DoubleVector b1 = DoubleVector.fromArray(S, b, k * cols + l);
                    DoubleVector x = DoubleVector.broadcast(S, a[i * kDim + k]);
                    c00 = x.fma(b0, c00);
                    c01 = x.fma(b1, c01);
                    x = DoubleVector.broadcast(S, a[(i + 1) * kDim + k]);
                    c10 = x.fma(b0, c10);
                    c11 = x.fma(b1, c11);
                    x = DoubleVector.broadcast(S, a[(i + 2) * kDim + k]);
                    c20 = x.fma(b0, c20);
                    c21 = x.fma(b1, c21);
                    x = DoubleVector.broadcast(S, a[(i + 3) * kDim + k]);
                    c30 = x.fma(b0, c30);
                    c31 = x.fma(b1, c31);
                    x = DoubleVector.broadcast(S, a[(i + 4) * kDim + k]);
                    c40 = x.fma(b0, c40);
                    c41 = x.fma(b1, c41);
                    x = DoubleVector.broadcast(S, a[(i + 5) * kDim + k]);
                    c50 = x.fma(b0, c50);
                    c51 = x.fma(b1, c51);
                }
            }
            c00.intoArray(c, i * cols);
            c01.intoArray(c, i * cols + l);
            c10.intoArray(c, (i + 1) * cols);
            c11.intoArray(c, (i + 1) * cols + l);
            c20.intoArray(c, (i + 2) * cols);
            c21.intoArray(c, (i + 2) * cols + l);
            c30.intoArray(c, (i + 3) * cols);
            c31.intoArray(c, (i + 3) * cols + l);
            c40.intoArray(c, (i + 4) * cols);
            c41.intoArray(c, (i + 4) * cols + l);
            c50.intoArray(c, (i + 5) * cols);
            c51.intoArray(c, (i + 5) * cols + l);
        }
    }
}
