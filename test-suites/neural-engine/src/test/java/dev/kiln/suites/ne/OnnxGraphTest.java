package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ONNX writer, read back by ONNX Runtime itself (its CPU provider runs everywhere Kiln builds). */
class OnnxGraphTest {
    /** y = relu(W·x + b) for a 2×3 W, by hand: the bytes ONNX Runtime reads are the network we meant. */
    @Test
    void aTinyHandWrittenNetworkRunsAndGivesTheHandComputedAnswer() throws Exception {
        float[] w = {1, 2, 3, -1, -2, -3};
        float[] b = {0.5f, 0.25f};
        byte[] model = new OnnxGraph().input("x", 1, 3).output("y", 1, 2)
                .initializer("w", w, 2, 3).initializer("b", b, 2)
                .node("Gemm", List.of("x", "w", "b"), List.of("g"), Map.of("transB", 1L))
                .node("Relu", List.of("g"), List.of("y"), Map.of())
                .metadata("purpose", "test").toModel("tiny");
        try (Engine e = Engine.open(Engine.Provider.CPU, model, 1, null);
             OnnxTensor x = e.tensor(new float[] {1, 10, 100}, new long[] {1, 3})) {
            // 1 + 20 + 300 + 0.5 = 321.5; −1 − 20 − 300 + 0.25 < 0 → 0
            assertArrayEquals(new float[] {321.5f, 0f}, e.run(x));
            assertEquals("test", e.metadata().get("purpose"));
        }
    }

    @Test
    void convolutionPaddingAndReshapeAreWhatTheJavaForwardPassComputes() throws Exception {
        Network n = Network.fromSeed(new Network.Shape(3, 8, 2, 5, 4), new SplittableRandom(1));
        byte[] model = n.toOnnx();
        float[] x = n.input(new SplittableRandom(2));
        Network.Forward exact = n.forward(x, Network.U32);
        try (Engine e = Engine.open(Engine.Provider.CPU, model, 1, null); OnnxTensor t = e.tensor(x, n.shape.inputDims())) {
            float[] y = e.run(t);
            assertEquals(4, y.length);
            for (int j = 0; j < y.length; j++) {
                assertTrue(Math.abs(y[j] - exact.values()[j]) <= exact.bound()[j], j + ": " + y[j] + " vs " + exact.values()[j]);
            }
            assertEquals(Network.contentHash(n.toOnnxWithoutKey()), e.metadata().get("COREML_CACHE_KEY"));
        }
    }

    /**
     * The Neural Engine's model, read back field by field: every float tensor FLOAT16 (inputs,
     * outputs, weights; the shape for Reshape stays INT64), two bytes per value holding exactly the
     * fp32 model's numbers, and the nodes Core ML is given.
     */
    @Test
    void theEnginesModelIsFp16ThroughoutWithTheReferencesValues() {
        Network n = Network.fromSeed(new Network.Shape(3, 8, 2, 5, 4), new SplittableRandom(1));
        ProtoReader half = ProtoReader.parse(n.toOnnx(OnnxGraph.FLOAT16)).one(7).message();
        ProtoReader full = ProtoReader.parse(n.toOnnx(OnnxGraph.FLOAT)).one(7).message();
        for (int io : new int[] {11, 12}) { // GraphProto.input, .output: ValueInfo → TypeProto → Tensor → elem_type
            for (ProtoReader.Field v : half.all(io)) {
                assertEquals(OnnxGraph.FLOAT16, v.message().one(2).message().one(1).message().one(1).number(), v.message().one(1).string());
            }
        }
        List<ProtoReader.Field> ht = half.all(5);
        List<ProtoReader.Field> ft = full.all(5);
        assertEquals(2 * 2 + 1 + 4, ht.size(), "two convolutions' weights and biases, the reshape's shape, two layers' weights and biases");
        int halfTensors = 0;
        for (int i = 0; i < ht.size(); i++) {
            ProtoReader h = ht.get(i).message();
            ProtoReader f = ft.get(i).message();
            String name = h.one(8).string();
            long elements = h.one(1).packed().stream().reduce(1L, (a, b) -> a * b);
            if (name.equals("flat_shape")) {
                assertEquals(OnnxGraph.INT64, h.one(2).number());
                continue;
            }
            halfTensors++;
            assertEquals(OnnxGraph.FLOAT16, h.one(2).number(), name);
            assertEquals(OnnxGraph.FLOAT, f.one(2).number(), name);
            byte[] hb = h.one(9).bytes();
            java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(f.one(9).bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            assertEquals(2 * elements, hb.length, name + ": two bytes a value");
            java.nio.ShortBuffer sb = java.nio.ByteBuffer.wrap(hb).order(java.nio.ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            for (int k = 0; k < elements; k++) {
                assertEquals(fb.get(k), Float.float16ToFloat(sb.get(k)), name + "[" + k + "]");
            }
        }
        assertEquals(8, halfTensors);
        List<String> ops = half.all(1).stream().map(f -> f.message().one(4).string()).toList();
        assertEquals(List.of("Conv", "Relu", "Conv", "Relu", "MaxPool", "Reshape", "Gemm", "Relu", "Gemm"), ops);
        assertEquals(n.nodes(), ops.size(), "what the compute plan is counted against");
    }

    @Test
    void theFp16ModelRunsAndStaysWithinTheToleranceOfTheFp32Reference() throws Exception {
        Network n = Network.fromSeed(new Network.Shape(8, 16, 2, 16, 8), new SplittableRandom(3));
        float[] x = n.input(new SplittableRandom(4));
        float[] ref;
        try (Engine e = Engine.open(Engine.Provider.CPU, n.toOnnx(OnnxGraph.FLOAT), 1, null); OnnxTensor t = e.tensor(x, n.shape.inputDims())) {
            assertTrue(!e.half);
            ref = e.run(t);
        }
        Network.Forward f16 = n.forward(x, Network.U16);
        Network.Forward f32 = n.forward(x, Network.U32);
        try (Engine e = Engine.open(Engine.Provider.CPU, n.toOnnx(OnnxGraph.FLOAT16), 1, null); OnnxTensor t = e.tensor(x, n.shape.inputDims())) {
            assertTrue(e.half, "the session's input is fp16");
            float[] y = e.run(t);
            assertEquals(ref.length, y.length);
            for (int j = 0; j < y.length; j++) {
                assertEquals(y[j], Float.float16ToFloat(Float.floatToFloat16(y[j])), "an fp16 output, widened exactly: " + y[j]);
                double tol = f16.bound()[j] + f32.bound()[j];
                assertTrue(Math.abs(y[j] - ref[j]) <= tol, j + ": " + y[j] + " vs reference " + ref[j] + ", tolerance " + tol);
            }
        }
    }

    @Test
    void aValueThatIsNotAnFp16NumberIsRefusedNotRounded() {
        OnnxGraph g = new OnnxGraph(OnnxGraph.FLOAT16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g.initializer("w", new float[] {1f, 0.1f}, 2));
        assertTrue(e.getMessage().contains("w[1] = 0.1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new OnnxGraph(11));
    }

    @Test
    void theSameShapeAndModelSeedMakeTheSameModelSoCoreMlsCacheIsReused() {
        Network.Shape s = new Network.Shape(2, 4, 1, 3, 2);
        String a = Network.contentHash(Network.fromSeed(s, new SplittableRandom(1)).toOnnxWithoutKey(OnnxGraph.FLOAT16));
        String b = Network.contentHash(Network.fromSeed(s, new SplittableRandom(1)).toOnnxWithoutKey(OnnxGraph.FLOAT16));
        assertEquals(a, b);
        assertTrue(!a.equals(Network.contentHash(Network.fromSeed(s, new SplittableRandom(1)).toOnnxWithoutKey(OnnxGraph.FLOAT))),
                "the fp32 model is another model");
    }

    @Test
    void theCacheKeyChangesWithTheModel() {
        Network.Shape s = new Network.Shape(2, 4, 1, 3, 2);
        String a = Network.contentHash(Network.fromSeed(s, new SplittableRandom(1)).toOnnxWithoutKey());
        String b = Network.contentHash(Network.fromSeed(s, new SplittableRandom(2)).toOnnxWithoutKey());
        assertTrue(a.matches("[0-9a-f]{64}"), a);
        assertTrue(!a.equals(b), "another seed, other weights, another key");
    }
}
