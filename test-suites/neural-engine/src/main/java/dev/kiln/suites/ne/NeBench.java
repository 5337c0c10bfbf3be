package dev.kiln.suites.ne;

import ai.onnxruntime.OnnxTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Benchmark of the Neural Engine suite's checks (run by {@code bench/neural-engine.sh}): the same
 * model and session, a plain ONNX Runtime loop with no checks against the suite's loop (every
 * output checked three ways), in alternating rounds so that both see the same machine; prints each
 * round's inferences/s, the median ratio, and the checks' time as a share of inference time.
 */
public final class NeBench {
    private NeBench() {
    }

    /** Arguments: [provider: cpu] [rounds: 7] [seconds per round: 3] [channels: 64] [spatial: 64]. */
    public static void main(String[] args) throws Exception {
        Engine.Provider provider = Engine.Provider.of(args.length > 0 ? args[0] : "cpu");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        int channels = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int spatial = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        Network.Shape shape = new Network.Shape(channels, spatial, 3, 256, 64);
        Network n = Network.fromSeed(shape, new SplittableRandom(1));
        byte[] model = n.toOnnx(OnnxGraph.FLOAT16); // what the suite's sessions run
        byte[] referenceModel = n.toOnnx(OnnxGraph.FLOAT);
        int cpus = Runtime.getRuntime().availableProcessors();
        float[] x = n.input(new SplittableRandom(2));
        float[] reference;
        try (Engine ref = Engine.open(Engine.Provider.CPU, referenceModel, cpus, null); OnnxTensor t = ref.tensor(x, shape.inputDims())) {
            reference = ref.run(t);
        }
        Network.Forward f16 = n.forward(x, Network.U16);
        Network.Forward f32 = n.forward(x, Network.U32);
        double[] tol = new double[reference.length];
        for (int j = 0; j < tol.length; j++) {
            tol[j] = f16.bound()[j] + f32.bound()[j];
        }
        System.out.printf(Locale.ROOT, "model %s (fp16 tensors), %.1f M multiply-adds per inference, provider %s, %d intra-op threads%n", shape, shape.macs() / 1e6,
                provider.word, cpus);
        try (Engine e = Engine.open(provider, model, cpus, null); OnnxTensor t = e.tensor(x, shape.inputDims())) {
            float[] golden = e.run(t);
            for (int w = 0; w < 20; w++) {
                e.run(t); // warm-up
            }
            List<Double> ratios = new ArrayList<>();
            long checkNanos = 0;
            long inferNanos = 0;
            for (int r = 0; r < rounds; r++) {
                long end = System.nanoTime() + (long) (seconds * 1e9);
                long plain = 0;
                long t0 = System.nanoTime();
                while (System.nanoTime() < end) {
                    e.run(t);
                    plain++;
                }
                double plainRate = plain / ((System.nanoTime() - t0) / 1e9);
                end = System.nanoTime() + (long) (seconds * 1e9);
                long checked = 0;
                long wrong = 0;
                t0 = System.nanoTime();
                while (System.nanoTime() < end) {
                    long a = System.nanoTime();
                    float[] y = e.run(t);
                    long b = System.nanoTime();
                    wrong += Check.compare(y, reference, tol, golden).size();
                    Check.worstRatio(y, reference, tol);
                    long c = System.nanoTime();
                    inferNanos += b - a;
                    checkNanos += c - b;
                    checked++;
                }
                double checkedRate = checked / ((System.nanoTime() - t0) / 1e9);
                ratios.add(checkedRate / plainRate);
                System.out.printf(Locale.ROOT, "round %d: plain %.1f inferences/s, checked %.1f inferences/s (%d wrong), ratio %.3f%n", r + 1,
                        plainRate, checkedRate, wrong, checkedRate / plainRate);
            }
            double[] sorted = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "ne checked/plain inferences/s: median %.3f (min %.3f, max %.3f) over %d rounds%n", sorted[sorted.length / 2],
                    sorted[0], sorted[sorted.length - 1], sorted.length);
            System.out.printf(Locale.ROOT, "ne check time / inference time: %.5f%n", checkNanos / (double) inferNanos);
            System.out.println("(ratios: " + Arrays.toString(sorted) + ")");
        }
    }
}
