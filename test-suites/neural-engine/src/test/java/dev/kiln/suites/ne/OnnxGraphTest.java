package dev.kiln.suites.ne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void theCacheKeyChangesWithTheModel() {
        Network.Shape s = new Network.Shape(2, 4, 1, 3, 2);
        String a = Network.contentHash(Network.fromSeed(s, new SplittableRandom(1)).toOnnxWithoutKey());
        String b = Network.contentHash(Network.fromSeed(s, new SplittableRandom(2)).toOnnxWithoutKey());
        assertTrue(a.matches("[0-9a-f]{64}"), a);
        assertTrue(!a.equals(b), "another seed, other weights, another key");
    }
}
