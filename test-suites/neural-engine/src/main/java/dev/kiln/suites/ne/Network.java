package dev.kiln.suites.ne;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The suite's network, made from the seed: {@code convLayers} 3×3 convolutions (same padding, bias,
 * ReLU) over a {@code channels}×{@code spatial}×{@code spatial} input, a 4×4 max-pool (stride 4), a
 * reshape, a fully connected layer to {@code hidden} (bias, ReLU) and one to {@code outputs} (bias).
 * Only operators Core ML's ML Program supports (Conv, Relu, MaxPool, Reshape, Gemm), static shapes,
 * fp32 or fp16 tensors (the same values either way). The convolutions carry nearly all the work; the pool keeps the fully connected
 * weights small.
 *
 * <p>Every weight, bias and input value is a half-precision number (drawn, then rounded to fp16), so
 * an engine that computes in fp16 (the Neural Engine) starts from exactly the same numbers as the
 * fp32 reference; only the arithmetic differs. Weights are scaled by 1/√fan-in so activations stay
 * near 1 at every depth, far inside fp16's range.
 *
 * <p>{@link #forward} runs the network in double precision and carries, for every value, a bound on
 * the error an engine of a given unit roundoff may make (see {@link #sigma}); the suite's tolerance
 * comes from it, not from a constant.
 */
final class Network {
    /** The shape of the network; every dimension at least 1. */
    record Shape(int channels, int spatial, int convLayers, int hidden, int outputs) {
        long[] inputDims() {
            return new long[] {1, channels, spatial, spatial};
        }

        int inputSize() {
            return channels * spatial * spatial;
        }

        /** Values into the first fully connected layer: the pooled feature map. */
        int fcInputs() {
            return channels * (spatial / POOL) * (spatial / POOL);
        }

        /** Multiply-adds in one inference. */
        long macs() {
            return (long) convLayers * channels * channels * 9 * spatial * spatial + (long) fcInputs() * hidden + (long) hidden * outputs;
        }

        /** The longest dot product (terms). */
        int longestDot() {
            return Math.max(Math.max(channels * 9, fcInputs()), hidden);
        }
    }

    /** The max-pool's window and stride: spatial must be a multiple of it. */
    static final int POOL = 4;

    /** Unit roundoff of IEEE half precision (2^-11) and of single precision (2^-24). */
    static final double U16 = 0x1p-11;
    static final double U32 = 0x1p-24;
    /**
     * Standard deviations of the tolerance: for a Gaussian error, beyond 9σ has probability about
     * 2e-19 per value (Higham and Mary's bound for one dot product, 2·exp(−λ²(1−u)²/2), gives 5e-18) —
     * below one false alarm in 10^16 checked values.
     */
    static final double LAMBDA = 9;

    final Shape shape;
    private final float[][] convW;
    private final float[][] convB;
    private final float[] fc1W;
    private final float[] fc1B;
    private final float[] fc2W;
    private final float[] fc2B;

    private Network(Shape shape, float[][] convW, float[][] convB, float[] fc1W, float[] fc1B, float[] fc2W, float[] fc2B) {
        this.shape = shape;
        this.convW = convW;
        this.convB = convB;
        this.fc1W = fc1W;
        this.fc1B = fc1B;
        this.fc2W = fc2W;
        this.fc2B = fc2B;
    }

    static Network fromSeed(Shape s, RandomGenerator r) {
        int c = s.channels();
        float[][] w = new float[s.convLayers()][];
        float[][] b = new float[s.convLayers()][];
        for (int l = 0; l < s.convLayers(); l++) {
            w[l] = weights(r, c * c * 9, c * 9);
            b[l] = weights(r, c, 16);
        }
        return new Network(s, w, b, weights(r, s.hidden() * s.fcInputs(), s.fcInputs()), weights(r, s.hidden(), 16),
                weights(r, s.outputs() * s.hidden(), s.hidden()), weights(r, s.outputs(), 16));
    }

    /** Uniform in ±√(6/fanIn) (keeps the variance of a ReLU layer's output near its input's), rounded to fp16. */
    private static float[] weights(RandomGenerator r, int n, int fanIn) {
        double a = Math.sqrt(6.0 / fanIn);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = half(a * (2 * r.nextDouble() - 1));
        }
        return w;
    }

    /** An input in [-1, 1), every value an fp16 number. */
    float[] input(RandomGenerator r) {
        float[] x = new float[shape.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = half(2 * r.nextDouble() - 1);
        }
        return x;
    }

    static float half(double v) {
        return Float.float16ToFloat(Float.floatToFloat16((float) v));
    }

    /**
     * The model as ONNX bytes, with {@code COREML_CACHE_KEY} in its metadata: the SHA-256 of the model
     * without it, so Core ML's compiled-model cache can never serve a stale model.
     */
    byte[] toOnnx() {
        return toOnnx(OnnxGraph.FLOAT);
    }

    /**
     * The model with every float tensor of the given type ({@link OnnxGraph#FLOAT} for the reference,
     * {@link OnnxGraph#FLOAT16} for the Neural Engine), holding the same values either way.
     */
    byte[] toOnnx(int floatType) {
        return graph(floatType).metadata("COREML_CACHE_KEY", contentHash(toOnnxWithoutKey(floatType))).toModel("kiln_ne");
    }

    /** The fp32 model without its cache key. */
    byte[] toOnnxWithoutKey() {
        return toOnnxWithoutKey(OnnxGraph.FLOAT);
    }

    /** The model without its cache key: what the key is the hash of. */
    byte[] toOnnxWithoutKey(int floatType) {
        return graph(floatType).toModel("kiln_ne");
    }

    /** ONNX nodes in the model: each becomes at least one placed operation of Core ML's program. */
    int nodes() {
        return 2 * shape.convLayers() + 5;
    }

    static String contentHash(byte[] model) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private OnnxGraph graph(int floatType) {
        int c = shape.channels();
        OnnxGraph g = new OnnxGraph(floatType).input("x", shape.inputDims()).output("y", 1, shape.outputs());
        String prev = "x";
        for (int l = 0; l < shape.convLayers(); l++) {
            g.initializer("conv" + l + "_w", convW[l], c, c, 3, 3).initializer("conv" + l + "_b", convB[l], c);
            g.node("Conv", List.of(prev, "conv" + l + "_w", "conv" + l + "_b"), List.of("conv" + l),
                    Map.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1}, "strides", new long[] {1, 1}));
            g.node("Relu", List.of("conv" + l), List.of("relu" + l), Map.of());
            prev = "relu" + l;
        }
        g.node("MaxPool", List.of(prev), List.of("pool"), Map.of("kernel_shape", new long[] {POOL, POOL}, "strides", new long[] {POOL, POOL}));
        g.initializer("flat_shape", new long[] {1, shape.fcInputs()}, 2);
        g.node("Reshape", List.of("pool", "flat_shape"), List.of("flat"), Map.of());
        g.initializer("fc1_w", fc1W, shape.hidden(), shape.fcInputs()).initializer("fc1_b", fc1B, shape.hidden());
        g.node("Gemm", List.of("flat", "fc1_w", "fc1_b"), List.of("fc1"), Map.of("transB", 1L));
        g.node("Relu", List.of("fc1"), List.of("fc1_relu"), Map.of());
        g.initializer("fc2_w", fc2W, shape.outputs(), shape.hidden()).initializer("fc2_b", fc2B, shape.outputs());
        g.node("Gemm", List.of("fc1_relu", "fc2_w", "fc2_b"), List.of("y"), Map.of("transB", 1L));
        return g;
    }

    /** The exact-as-double output and, per output value, the tolerance an engine's answer must keep. */
    record Forward(double[] values, double[] bound) {
    }

    /**
     * The standard deviation of the rounding error of one dot product y = b + Σ w_i·x_i of k terms
     * computed at unit roundoff u, in any order: each product rounds once (error ≤ u·|w_i·x_i|), each
     * addition once (error ≤ u·|partial sum|), the errors mean-independent (the model of Higham and
     * Mary, "A new approach to probabilistic rounding error analysis", SIAM J. Sci. Comput. 41(5),
     * 2019). A partial sum's square is at most about Q = Σ(w_i·x_i)² when the terms' signs mix (a
     * random walk) and at most y² when they agree, so
     * σ² = u²·(Q + (k + 1)·(Q + y²)).
     */
    static double sigma(double q, double y, int k, double u) {
        return u * Math.sqrt(q + (k + 1.0) * (q + y * y));
    }

    /**
     * Runs the network in double precision. Alongside every value it carries the standard deviation
     * of the error an engine of unit roundoff {@code u} accumulates: a layer's own rounding
     * ({@link #sigma}, plus, in fp16, subnormal results' absolute 2^-25 per rounding) and its
     * inputs' errors carried through the weights in root-sum-square (Σ w²σ²: independent errors).
     * ReLU and max-pool pass errors on without adding any. The tolerance is {@link #LAMBDA} standard
     * deviations. (A worst-case bound, Σ|w|·e carried linearly, grows like (Σ|w|)^depth and exceeds
     * the values themselves after two layers: it would catch nothing.)
     */
    Forward forward(float[] x, double u) {
        double eta = u == U16 ? 0x1p-25 : 0;
        int c = shape.channels();
        int s = shape.spatial();
        double[] v = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = x[i];
        }
        double[] e = new double[x.length]; // standard deviations; the inputs are fp16 numbers: exact on every engine
        for (int l = 0; l < shape.convLayers(); l++) {
            double[] nv = new double[c * s * s];
            double[] abs = new double[c * s * s];
            double[] prop = new double[c * s * s];
            float[] w = convW[l];
            for (int co = 0; co < c; co++) {
                for (int ci = 0; ci < c; ci++) {
                    for (int ky = 0; ky < 3; ky++) {
                        for (int kx = 0; kx < 3; kx++) {
                            double wt = w[((co * c + ci) * 3 + ky) * 3 + kx];
                                                        double w2 = wt * wt;
                            for (int y = 0; y < s; y++) {
                                int yy = y + ky - 1;
                                if (yy < 0 || yy >= s) {
                                    continue;
                                }
                                int outRow = (co * s + y) * s;
                                int inRow = (ci * s + yy) * s;
                                for (int xo = 0; xo < s; xo++) {
                                    int xx = xo + kx - 1;
                                    if (xx < 0 || xx >= s) {
                                        continue;
                                    }
                                    double in = v[inRow + xx];
                                    double ie = e[inRow + xx];
                                    nv[outRow + xo] += wt * in;
                                    abs[outRow + xo] += w2 * in * in;
                                    prop[outRow + xo] += w2 * ie * ie;
                                }
                            }
                        }
                    }
                }
            }
            double sub = eta * Math.sqrt(2.0 * c * 9 + 2);
            double[] ne = new double[nv.length];
            for (int co = 0; co < c; co++) {
                double bias = convB[l][co];
                for (int i = co * s * s; i < (co + 1) * s * s; i++) {
                    double pre = nv[i] + bias;
                    double own = sigma(abs[i] + bias * bias, pre, c * 9, u);
                    nv[i] = Math.max(0, pre); // ReLU is 1-Lipschitz: it passes the error on
                    ne[i] = Math.sqrt(prop[i] + own * own + sub * sub);
                }
            }
            v = nv;
            e = ne;
        }
        // max-pool: a comparison, no rounding; the error of a maximum is at most the largest error in its window
        int p = s / POOL;
        double[] pv = new double[c * p * p];
        double[] pe = new double[c * p * p];
        for (int ch = 0; ch < c; ch++) {
            for (int py = 0; py < p; py++) {
                for (int px = 0; px < p; px++) {
                    double m = Double.NEGATIVE_INFINITY;
                    double me = 0;
                    for (int dy = 0; dy < POOL; dy++) {
                        for (int dx = 0; dx < POOL; dx++) {
                            int i = (ch * s + py * POOL + dy) * s + px * POOL + dx;
                            m = Math.max(m, v[i]);
                            me = Math.max(me, e[i]);
                        }
                    }
                    pv[(ch * p + py) * p + px] = m;
                    pe[(ch * p + py) * p + px] = me;
                }
            }
        }
        Forward h = dense(pv, pe, fc1W, fc1B, shape.hidden(), u, eta, true);
        Forward out = dense(h.values(), h.bound(), fc2W, fc2B, shape.outputs(), u, eta, false);
        double[] tolerance = out.bound().clone();
        for (int j = 0; j < tolerance.length; j++) {
            tolerance[j] *= LAMBDA;
        }
        return new Forward(out.values(), tolerance);
    }

    private static Forward dense(double[] x, double[] e, float[] w, float[] b, int outs, double u, double eta, boolean relu) {
        int k = x.length;
        double sub = eta * Math.sqrt(2.0 * k + 2);
        double[] y = new double[outs];
        double[] ye = new double[outs];
        for (int o = 0; o < outs; o++) {
            double sum = b[o];
            double q = (double) b[o] * b[o];
            double prop = 0;
            int row = o * k;
            for (int i = 0; i < k; i++) {
                double wt = w[row + i];
                sum += wt * x[i];
                q += wt * x[i] * wt * x[i];
                prop += wt * wt * e[i] * e[i];
            }
            double own = sigma(q, sum, k, u);
            y[o] = relu ? Math.max(0, sum) : sum;
            ye[o] = Math.sqrt(prop + own * own + sub * sub);
        }
        return new Forward(y, ye);
    }

    /**
     * The network as an engine of the given precision computes it (fp16: every product and every
     * partial sum rounded to half precision, summed in order, each stored activation in fp16; fp32
     * likewise in single precision): what the tolerance must hold, checked by the tests.
     */
    float[] emulate(float[] x, boolean half) {
        java.util.function.DoubleUnaryOperator r = half ? v -> half(v) : v -> (float) v;
        int c = shape.channels();
        int s = shape.spatial();
        double[] v = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = x[i];
        }
        for (int l = 0; l < shape.convLayers(); l++) {
            double[] nv = new double[c * s * s];
            for (int co = 0; co < c; co++) {
                for (int y = 0; y < s; y++) {
                    for (int xo = 0; xo < s; xo++) {
                        double acc = convB[l][co];
                        for (int ci = 0; ci < c; ci++) {
                            for (int ky = 0; ky < 3; ky++) {
                                for (int kx = 0; kx < 3; kx++) {
                                    int yy = y + ky - 1;
                                    int xx = xo + kx - 1;
                                    if (yy >= 0 && yy < s && xx >= 0 && xx < s) {
                                        acc = r.applyAsDouble(acc + r.applyAsDouble(convW[l][((co * c + ci) * 3 + ky) * 3 + kx] * v[(ci * s + yy) * s + xx]));
                                    }
                                }
                            }
                        }
                        nv[(co * s + y) * s + xo] = Math.max(0, acc);
                    }
                }
            }
            v = nv;
        }
        int p = s / POOL;
        double[] pv = new double[c * p * p];
        for (int ch = 0; ch < c; ch++) {
            for (int py = 0; py < p; py++) {
                for (int px = 0; px < p; px++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int dy = 0; dy < POOL; dy++) {
                        for (int dx = 0; dx < POOL; dx++) {
                            m = Math.max(m, v[(ch * s + py * POOL + dy) * s + px * POOL + dx]);
                        }
                    }
                    pv[(ch * p + py) * p + px] = m;
                }
            }
        }
        double[] h = emulateDense(pv, fc1W, fc1B, shape.hidden(), r, true);
        double[] y = emulateDense(h, fc2W, fc2B, shape.outputs(), r, false);
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (float) y[i];
        }
        return out;
    }

    private static double[] emulateDense(double[] x, float[] w, float[] b, int outs, java.util.function.DoubleUnaryOperator r, boolean relu) {
        double[] y = new double[outs];
        for (int o = 0; o < outs; o++) {
            double acc = b[o];
            for (int i = 0; i < x.length; i++) {
                acc = r.applyAsDouble(acc + r.applyAsDouble(w[o * x.length + i] * x[i]));
            }
            y[o] = relu ? Math.max(0, acc) : acc;
        }
        return y;
    }
}
