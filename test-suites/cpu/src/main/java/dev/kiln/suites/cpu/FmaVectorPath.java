package dev.kiln.suites.cpu;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API half of {@link FmaMatrixKernel}: register blocks of rows × vectors accumulators.
 * How many accumulators a core needs in flight is its FMA pipes × their latency (two 512-bit pipes
 * of latency 4 on a Skylake-class Xeon: 8; four 128-bit pipes of latency 4 on an Apple performance
 * core: 16), and how many it can hold is its vector registers (16 with AVX2, 32 with AVX-512 and
 * NEON) less the B row and the broadcast. No one shape is best everywhere, so the suite times each
 * {@link FmaShape} briefly at prepare ({@link #calibrate}) and runs the fastest, recording which (a run
 * replays with {@code -P cpu.fma-shape=RxV}). Each accumulator lane sees the same sequence of FMAs
 * as the scalar path's element whatever the shape, so every shape gives the scalar path's bits.
 * Loaded only when the incubator module is present.
 */
final class FmaVectorPath {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    private FmaVectorPath() {
    }

    static int columns(FmaShape shape) {
        return shape.vectors * S.length();
    }

    static String describe() {
        return S.vectorBitSize() + "-bit, " + S.length() + " doubles per vector";
    }

    static void multiply(FmaShape shape, double[] a, double[] b, double[] c, int rows, int kDim, int cols, int reps) {
        switch (shape) {
            case R6V2 -> multiply6x2(a, b, c, rows, kDim, cols, reps);
            case R8V2 -> multiply8x2(a, b, c, rows, kDim, cols, reps);
            case R4V4 -> multiply4x4(a, b, c, rows, kDim, cols, reps);
            case R8V3 -> multiply8x3(a, b, c, rows, kDim, cols, reps);
        }
    }

    /** One shape's operands, for timing it. */
    private record Trial(FmaShape shape, double[] a, double[] b, double[] c, int cols) {
        static Trial of(FmaShape shape) {
            int cols = columns(shape);
            double[] a = new double[FmaMatrixKernel.ROWS * FmaMatrixKernel.K];
            double[] b = new double[FmaMatrixKernel.K * cols];
            java.util.Random r = new java.util.Random(shape.ordinal());
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextDouble(-1, 1);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextDouble(-1, 1);
            }
            return new Trial(shape, a, b, new double[FmaMatrixKernel.ROWS * cols], cols);
        }

        static final int REPS = 16;

        long call() {
            multiply(shape, a, b, c, FmaMatrixKernel.ROWS, FmaMatrixKernel.K, cols, REPS);
            return 2L * FmaMatrixKernel.ROWS * cols * FmaMatrixKernel.K * REPS;
        }

        /** FLOP/s over about {@code nanos}. */
        double rate(long nanos) {
            long flops = 0;
            long t0 = System.nanoTime();
            long now;
            do {
                flops += call();
                now = System.nanoTime();
            } while (now - t0 < nanos);
            return flops / ((now - t0) / 1e9);
        }
    }

    /** The vector width here, in bits. */
    static int vectorBits() {
        return S.vectorBitSize();
    }

    /**
     * Every shape timed on the calling thread, fastest first: shape → FLOP/s. The shapes first run in
     * turns, 20 ms each, until none has become faster by more than 5 % for three turns (the JIT has
     * compiled them: before that the Vector API runs as objects, about a hundredth of the speed), or
     * {@code warmUpNanos} have passed; then each gets the best of three slices of {@code nanosEach / 3}.
     */
    static Map<FmaShape, Double> calibrate(long nanosEach, long warmUpNanos) {
        List<Trial> trials = java.util.Arrays.stream(FmaShape.values()).map(Trial::of).toList();
        long end = System.nanoTime() + warmUpNanos;
        double[] fastest = new double[trials.size()];
        int steady = 0;
        while (System.nanoTime() < end && steady < 3) {
            boolean faster = false;
            for (int i = 0; i < trials.size(); i++) {
                double r = trials.get(i).rate(20_000_000L);
                if (r > fastest[i] * 1.05) {
                    faster = true;
                }
                fastest[i] = Math.max(fastest[i], r);
            }
            steady = faster ? 0 : steady + 1;
        }
        Map<FmaShape, Double> speed = new LinkedHashMap<>();
        for (Trial t : trials) {
            double best = 0;
            for (int i = 0; i < 3; i++) {
                best = Math.max(best, t.rate(Math.max(1, nanosEach / 3)));
            }
            speed.put(t.shape(), best);
        }
        Map<FmaShape, Double> sorted = new LinkedHashMap<>();
        speed.entrySet().stream().sorted(Map.Entry.<FmaShape, Double>comparingByValue().reversed()).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    static String format(Map<FmaShape, Double> speeds) {
        StringBuilder b = new StringBuilder();
        speeds.forEach((s, v) -> b.append(b.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.1f", s.id(), v / 1e9)));
        return b.append(" GFLOP/s").toString();
    }

    private static void multiply6x2(double[] a, double[] b, double[] c, int rows, int kDim, int cols, int reps) {
        int l = S.length();
        for (int i = 0; i < rows; i += 6) {
            DoubleVector c00 = DoubleVector.fromArray(S, c, (i + 0) * cols);
            DoubleVector c01 = DoubleVector.fromArray(S, c, (i + 0) * cols + 1 * l);
            DoubleVector c10 = DoubleVector.fromArray(S, c, (i + 1) * cols);
            DoubleVector c11 = DoubleVector.fromArray(S, c, (i + 1) * cols + 1 * l);
            DoubleVector c20 = DoubleVector.fromArray(S, c, (i + 2) * cols);
            DoubleVector c21 = DoubleVector.fromArray(S, c, (i + 2) * cols + 1 * l);
            DoubleVector c30 = DoubleVector.fromArray(S, c, (i + 3) * cols);
            DoubleVector c31 = DoubleVector.fromArray(S, c, (i + 3) * cols + 1 * l);
            DoubleVector c40 = DoubleVector.fromArray(S, c, (i + 4) * cols);
            DoubleVector c41 = DoubleVector.fromArray(S, c, (i + 4) * cols + 1 * l);
            DoubleVector c50 = DoubleVector.fromArray(S, c, (i + 5) * cols);
            DoubleVector c51 = DoubleVector.fromArray(S, c, (i + 5) * cols + 1 * l);
            for (int r = 0; r < reps; r++) {
                for (int k = 0; k < kDim; k++) {
                    DoubleVector b0 = DoubleVector.fromArray(S, b, k * cols);
                    DoubleVector b1 = DoubleVector.fromArray(S, b, k * cols + 1 * l);
                    DoubleVector x = DoubleVector.broadcast(S, a[(i + 0) * kDim + k]);
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
            c00.intoArray(c, (i + 0) * cols);
            c01.intoArray(c, (i + 0) * cols + 1 * l);
            c10.intoArray(c, (i + 1) * cols);
            c11.intoArray(c, (i + 1) * cols + 1 * l);
            c20.intoArray(c, (i + 2) * cols);
            c21.intoArray(c, (i + 2) * cols + 1 * l);
            c30.intoArray(c, (i + 3) * cols);
            c31.intoArray(c, (i + 3) * cols + 1 * l);
            c40.intoArray(c, (i + 4) * cols);
            c41.intoArray(c, (i + 4) * cols + 1 * l);
            c50.intoArray(c, (i + 5) * cols);
            c51.intoArray(c, (i + 5) * cols + 1 * l);
        }
    }

    private static void multiply8x2(double[] a, double[] b, double[] c, int rows, int kDim, int cols, int reps) {
        int l = S.length();
        for (int i = 0; i < rows; i += 8) {
            DoubleVector c00 = DoubleVector.fromArray(S, c, (i + 0) * cols);
            DoubleVector c01 = DoubleVector.fromArray(S, c, (i + 0) * cols + 1 * l);
            DoubleVector c10 = DoubleVector.fromArray(S, c, (i + 1) * cols);
            DoubleVector c11 = DoubleVector.fromArray(S, c, (i + 1) * cols + 1 * l);
            DoubleVector c20 = DoubleVector.fromArray(S, c, (i + 2) * cols);
            DoubleVector c21 = DoubleVector.fromArray(S, c, (i + 2) * cols + 1 * l);
            DoubleVector c30 = DoubleVector.fromArray(S, c, (i + 3) * cols);
            DoubleVector c31 = DoubleVector.fromArray(S, c, (i + 3) * cols + 1 * l);
            DoubleVector c40 = DoubleVector.fromArray(S, c, (i + 4) * cols);
            DoubleVector c41 = DoubleVector.fromArray(S, c, (i + 4) * cols + 1 * l);
            DoubleVector c50 = DoubleVector.fromArray(S, c, (i + 5) * cols);
            DoubleVector c51 = DoubleVector.fromArray(S, c, (i + 5) * cols + 1 * l);
            DoubleVector c60 = DoubleVector.fromArray(S, c, (i + 6) * cols);
            DoubleVector c61 = DoubleVector.fromArray(S, c, (i + 6) * cols + 1 * l);
            DoubleVector c70 = DoubleVector.fromArray(S, c, (i + 7) * cols);
            DoubleVector c71 = DoubleVector.fromArray(S, c, (i + 7) * cols + 1 * l);
            for (int r = 0; r < reps; r++) {
                for (int k = 0; k < kDim; k++) {
                    DoubleVector b0 = DoubleVector.fromArray(S, b, k * cols);
                    DoubleVector b1 = DoubleVector.fromArray(S, b, k * cols + 1 * l);
                    DoubleVector x = DoubleVector.broadcast(S, a[(i + 0) * kDim + k]);
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
                    x = DoubleVector.broadcast(S, a[(i + 6) * kDim + k]);
                    c60 = x.fma(b0, c60);
                    c61 = x.fma(b1, c61);
                    x = DoubleVector.broadcast(S, a[(i + 7) * kDim + k]);
                    c70 = x.fma(b0, c70);
                    c71 = x.fma(b1, c71);
                }
            }
            c00.intoArray(c, (i + 0) * cols);
            c01.intoArray(c, (i + 0) * cols + 1 * l);
            c10.intoArray(c, (i + 1) * cols);
            c11.intoArray(c, (i + 1) * cols + 1 * l);
            c20.intoArray(c, (i + 2) * cols);
            c21.intoArray(c, (i + 2) * cols + 1 * l);
            c30.intoArray(c, (i + 3) * cols);
            c31.intoArray(c, (i + 3) * cols + 1 * l);
            c40.intoArray(c, (i + 4) * cols);
            c41.intoArray(c, (i + 4) * cols + 1 * l);
            c50.intoArray(c, (i + 5) * cols);
            c51.intoArray(c, (i + 5) * cols + 1 * l);
            c60.intoArray(c, (i + 6) * cols);
            c61.intoArray(c, (i + 6) * cols + 1 * l);
            c70.intoArray(c, (i + 7) * cols);
            c71.intoArray(c, (i + 7) * cols + 1 * l);
        }
    }

    private static void multiply4x4(double[] a, double[] b, double[] c, int rows, int kDim, int cols, int reps) {
        int l = S.length();
        for (int i = 0; i < rows; i += 4) {
            DoubleVector c00 = DoubleVector.fromArray(S, c, (i + 0) * cols);
            DoubleVector c01 = DoubleVector.fromArray(S, c, (i + 0) * cols + 1 * l);
            DoubleVector c02 = DoubleVector.fromArray(S, c, (i + 0) * cols + 2 * l);
            DoubleVector c03 = DoubleVector.fromArray(S, c, (i + 0) * cols + 3 * l);
            DoubleVector c10 = DoubleVector.fromArray(S, c, (i + 1) * cols);
            DoubleVector c11 = DoubleVector.fromArray(S, c, (i + 1) * cols + 1 * l);
            DoubleVector c12 = DoubleVector.fromArray(S, c, (i + 1) * cols + 2 * l);
            DoubleVector c13 = DoubleVector.fromArray(S, c, (i + 1) * cols + 3 * l);
            DoubleVector c20 = DoubleVector.fromArray(S, c, (i + 2) * cols);
            DoubleVector c21 = DoubleVector.fromArray(S, c, (i + 2) * cols + 1 * l);
            DoubleVector c22 = DoubleVector.fromArray(S, c, (i + 2) * cols + 2 * l);
            DoubleVector c23 = DoubleVector.fromArray(S, c, (i + 2) * cols + 3 * l);
            DoubleVector c30 = DoubleVector.fromArray(S, c, (i + 3) * cols);
            DoubleVector c31 = DoubleVector.fromArray(S, c, (i + 3) * cols + 1 * l);
            DoubleVector c32 = DoubleVector.fromArray(S, c, (i + 3) * cols + 2 * l);
            DoubleVector c33 = DoubleVector.fromArray(S, c, (i + 3) * cols + 3 * l);
            for (int r = 0; r < reps; r++) {
                for (int k = 0; k < kDim; k++) {
                    DoubleVector b0 = DoubleVector.fromArray(S, b, k * cols);
                    DoubleVector b1 = DoubleVector.fromArray(S, b, k * cols + 1 * l);
                    DoubleVector b2 = DoubleVector.fromArray(S, b, k * cols + 2 * l);
                    DoubleVector b3 = DoubleVector.fromArray(S, b, k * cols + 3 * l);
                    DoubleVector x = DoubleVector.broadcast(S, a[(i + 0) * kDim + k]);
                    c00 = x.fma(b0, c00);
                    c01 = x.fma(b1, c01);
                    c02 = x.fma(b2, c02);
                    c03 = x.fma(b3, c03);
                    x = DoubleVector.broadcast(S, a[(i + 1) * kDim + k]);
                    c10 = x.fma(b0, c10);
                    c11 = x.fma(b1, c11);
                    c12 = x.fma(b2, c12);
                    c13 = x.fma(b3, c13);
                    x = DoubleVector.broadcast(S, a[(i + 2) * kDim + k]);
                    c20 = x.fma(b0, c20);
                    c21 = x.fma(b1, c21);
                    c22 = x.fma(b2, c22);
                    c23 = x.fma(b3, c23);
                    x = DoubleVector.broadcast(S, a[(i + 3) * kDim + k]);
                    c30 = x.fma(b0, c30);
                    c31 = x.fma(b1, c31);
                    c32 = x.fma(b2, c32);
                    c33 = x.fma(b3, c33);
                }
            }
            c00.intoArray(c, (i + 0) * cols);
            c01.intoArray(c, (i + 0) * cols + 1 * l);
            c02.intoArray(c, (i + 0) * cols + 2 * l);
            c03.intoArray(c, (i + 0) * cols + 3 * l);
            c10.intoArray(c, (i + 1) * cols);
            c11.intoArray(c, (i + 1) * cols + 1 * l);
            c12.intoArray(c, (i + 1) * cols + 2 * l);
            c13.intoArray(c, (i + 1) * cols + 3 * l);
            c20.intoArray(c, (i + 2) * cols);
            c21.intoArray(c, (i + 2) * cols + 1 * l);
            c22.intoArray(c, (i + 2) * cols + 2 * l);
            c23.intoArray(c, (i + 2) * cols + 3 * l);
            c30.intoArray(c, (i + 3) * cols);
            c31.intoArray(c, (i + 3) * cols + 1 * l);
            c32.intoArray(c, (i + 3) * cols + 2 * l);
            c33.intoArray(c, (i + 3) * cols + 3 * l);
        }
    }

    private static void multiply8x3(double[] a, double[] b, double[] c, int rows, int kDim, int cols, int reps) {
        int l = S.length();
        for (int i = 0; i < rows; i += 8) {
            DoubleVector c00 = DoubleVector.fromArray(S, c, (i + 0) * cols);
            DoubleVector c01 = DoubleVector.fromArray(S, c, (i + 0) * cols + 1 * l);
            DoubleVector c02 = DoubleVector.fromArray(S, c, (i + 0) * cols + 2 * l);
            DoubleVector c10 = DoubleVector.fromArray(S, c, (i + 1) * cols);
            DoubleVector c11 = DoubleVector.fromArray(S, c, (i + 1) * cols + 1 * l);
            DoubleVector c12 = DoubleVector.fromArray(S, c, (i + 1) * cols + 2 * l);
            DoubleVector c20 = DoubleVector.fromArray(S, c, (i + 2) * cols);
            DoubleVector c21 = DoubleVector.fromArray(S, c, (i + 2) * cols + 1 * l);
            DoubleVector c22 = DoubleVector.fromArray(S, c, (i + 2) * cols + 2 * l);
            DoubleVector c30 = DoubleVector.fromArray(S, c, (i + 3) * cols);
            DoubleVector c31 = DoubleVector.fromArray(S, c, (i + 3) * cols + 1 * l);
            DoubleVector c32 = DoubleVector.fromArray(S, c, (i + 3) * cols + 2 * l);
            DoubleVector c40 = DoubleVector.fromArray(S, c, (i + 4) * cols);
            DoubleVector c41 = DoubleVector.fromArray(S, c, (i + 4) * cols + 1 * l);
            DoubleVector c42 = DoubleVector.fromArray(S, c, (i + 4) * cols + 2 * l);
            DoubleVector c50 = DoubleVector.fromArray(S, c, (i + 5) * cols);
            DoubleVector c51 = DoubleVector.fromArray(S, c, (i + 5) * cols + 1 * l);
            DoubleVector c52 = DoubleVector.fromArray(S, c, (i + 5) * cols + 2 * l);
            DoubleVector c60 = DoubleVector.fromArray(S, c, (i + 6) * cols);
            DoubleVector c61 = DoubleVector.fromArray(S, c, (i + 6) * cols + 1 * l);
            DoubleVector c62 = DoubleVector.fromArray(S, c, (i + 6) * cols + 2 * l);
            DoubleVector c70 = DoubleVector.fromArray(S, c, (i + 7) * cols);
            DoubleVector c71 = DoubleVector.fromArray(S, c, (i + 7) * cols + 1 * l);
            DoubleVector c72 = DoubleVector.fromArray(S, c, (i + 7) * cols + 2 * l);
            for (int r = 0; r < reps; r++) {
                for (int k = 0; k < kDim; k++) {
                    DoubleVector b0 = DoubleVector.fromArray(S, b, k * cols);
                    DoubleVector b1 = DoubleVector.fromArray(S, b, k * cols + 1 * l);
                    DoubleVector b2 = DoubleVector.fromArray(S, b, k * cols + 2 * l);
                    DoubleVector x = DoubleVector.broadcast(S, a[(i + 0) * kDim + k]);
                    c00 = x.fma(b0, c00);
                    c01 = x.fma(b1, c01);
                    c02 = x.fma(b2, c02);
                    x = DoubleVector.broadcast(S, a[(i + 1) * kDim + k]);
                    c10 = x.fma(b0, c10);
                    c11 = x.fma(b1, c11);
                    c12 = x.fma(b2, c12);
                    x = DoubleVector.broadcast(S, a[(i + 2) * kDim + k]);
                    c20 = x.fma(b0, c20);
                    c21 = x.fma(b1, c21);
                    c22 = x.fma(b2, c22);
                    x = DoubleVector.broadcast(S, a[(i + 3) * kDim + k]);
                    c30 = x.fma(b0, c30);
                    c31 = x.fma(b1, c31);
                    c32 = x.fma(b2, c32);
                    x = DoubleVector.broadcast(S, a[(i + 4) * kDim + k]);
                    c40 = x.fma(b0, c40);
                    c41 = x.fma(b1, c41);
                    c42 = x.fma(b2, c42);
                    x = DoubleVector.broadcast(S, a[(i + 5) * kDim + k]);
                    c50 = x.fma(b0, c50);
                    c51 = x.fma(b1, c51);
                    c52 = x.fma(b2, c52);
                    x = DoubleVector.broadcast(S, a[(i + 6) * kDim + k]);
                    c60 = x.fma(b0, c60);
                    c61 = x.fma(b1, c61);
                    c62 = x.fma(b2, c62);
                    x = DoubleVector.broadcast(S, a[(i + 7) * kDim + k]);
                    c70 = x.fma(b0, c70);
                    c71 = x.fma(b1, c71);
                    c72 = x.fma(b2, c72);
                }
            }
            c00.intoArray(c, (i + 0) * cols);
            c01.intoArray(c, (i + 0) * cols + 1 * l);
            c02.intoArray(c, (i + 0) * cols + 2 * l);
            c10.intoArray(c, (i + 1) * cols);
            c11.intoArray(c, (i + 1) * cols + 1 * l);
            c12.intoArray(c, (i + 1) * cols + 2 * l);
            c20.intoArray(c, (i + 2) * cols);
            c21.intoArray(c, (i + 2) * cols + 1 * l);
            c22.intoArray(c, (i + 2) * cols + 2 * l);
            c30.intoArray(c, (i + 3) * cols);
            c31.intoArray(c, (i + 3) * cols + 1 * l);
            c32.intoArray(c, (i + 3) * cols + 2 * l);
            c40.intoArray(c, (i + 4) * cols);
            c41.intoArray(c, (i + 4) * cols + 1 * l);
            c42.intoArray(c, (i + 4) * cols + 2 * l);
            c50.intoArray(c, (i + 5) * cols);
            c51.intoArray(c, (i + 5) * cols + 1 * l);
            c52.intoArray(c, (i + 5) * cols + 2 * l);
            c60.intoArray(c, (i + 6) * cols);
            c61.intoArray(c, (i + 6) * cols + 1 * l);
            c62.intoArray(c, (i + 6) * cols + 2 * l);
            c70.intoArray(c, (i + 7) * cols);
            c71.intoArray(c, (i + 7) * cols + 1 * l);
            c72.intoArray(c, (i + 7) * cols + 2 * l);
        }
    }
}
