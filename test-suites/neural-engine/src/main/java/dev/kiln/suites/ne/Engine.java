package dev.kiln.suites.ne;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One ONNX Runtime inference session on one provider: Core ML on the Neural Engine, or ONNX Runtime's
 * own CPU provider (the reference, and the test pipeline on machines without a Neural Engine).
 */
final class Engine implements AutoCloseable {
    /** Where the inference runs. */
    enum Provider {
        /** Core ML's ML Program on CPU and Neural Engine, with no fallback to ONNX Runtime's CPU provider. */
        COREML("coreml"),
        /** ONNX Runtime's CPU provider: never the Neural Engine. */
        CPU("cpu");

        final String word;

        Provider(String word) {
            this.word = word;
        }

        static Provider of(String word) {
            for (Provider p : values()) {
                if (p.word.equals(word)) {
                    return p;
                }
            }
            return null;
        }
    }

    /** ONNX Runtime could not be loaded on this machine (no native library for it). */
    static final class Unavailable extends Exception {
        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static OrtEnvironment env;

    /** The process-wide ONNX Runtime environment (loads the native library on first use). */
    static synchronized OrtEnvironment environment() throws Unavailable {
        if (env == null) {
            try {
                env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "kiln");
                removeExtracted();
            } catch (LinkageError | RuntimeException e) {
                throw new Unavailable("ONNX Runtime does not load on " + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                        + ": " + e, e);
            }
        }
        return env;
    }

    /**
     * ONNX Runtime extracts its native libraries into a new {@code onnxruntime-java*} directory of
     * the temporary directory on every load and only asks for them to be deleted at exit, the
     * directory before its files, so the directory stays: one more for every run, forever, on a
     * station that runs for years. Once loaded the libraries are no longer needed on disk (a mapped
     * file may be unlinked on Linux and macOS), so the directory goes now. Where this ONNX Runtime
     * keeps it elsewhere (a later version), nothing is removed. Returns the directory removed, or null.
     * The suite adds only Core ML, which is inside the main library; a shared provider library (CUDA,
     * DNNL, ...) is extracted into that directory when a session first asks for it, so adding one
     * would need this removal moved after it.
     */
    static Path removeExtracted() {
        Path dir;
        try {
            java.lang.reflect.Field f = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
            f.setAccessible(true);
            dir = (Path) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
        if (dir == null || !dir.getFileName().toString().startsWith("onnxruntime-java") || !java.nio.file.Files.isDirectory(dir)) {
            return null;
        }
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            for (Path p : files.toList()) {
                java.nio.file.Files.deleteIfExists(p);
            }
            java.nio.file.Files.deleteIfExists(dir);
            return dir;
        } catch (java.io.IOException e) {
            return null; // left as ONNX Runtime leaves it
        }
    }

    static EnumSet<OrtProvider> providers() throws Unavailable {
        environment();
        return OrtEnvironment.getAvailableProviders();
    }

    /**
     * The Core ML provider's options (the bare tokens its parser accepts): ML Program, CPU and Neural
     * Engine (never the GPU), static shapes, the compute plan profiled, the compiled model cached.
     */
    static Map<String, String> coreMlOptions(Path cacheDir) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("ModelFormat", "MLProgram");
        o.put("MLComputeUnits", "CPUAndNeuralEngine");
        o.put("RequireStaticInputShapes", "1");
        o.put("ProfileComputePlan", "1");
        if (cacheDir != null) {
            o.put("ModelCacheDirectory", cacheDir.toString());
        }
        return o;
    }

    final Provider provider;
    private final OrtSession session;
    private final String inputName;
    /** Whether the model's input and output are fp16 (else fp32): what {@link #tensor} and {@link #run} convert. */
    final boolean half;

    private Engine(Provider provider, OrtSession session) throws OrtException {
        this.provider = provider;
        this.session = session;
        this.inputName = session.getInputNames().iterator().next();
        NodeInfo in = session.getInputInfo().get(inputName);
        if (!(in.getInfo() instanceof TensorInfo ti) || (ti.type != OnnxJavaType.FLOAT && ti.type != OnnxJavaType.FLOAT16)) {
            session.close();
            throw new OrtException("the model's input " + inputName + " is not an fp32 or fp16 tensor: " + in.getInfo());
        }
        this.half = ti.type == OnnxJavaType.FLOAT16;
    }

    /**
     * Opens a session on the model.
     *
     * @param threads  ONNX Runtime's intra-op threads (the CPU provider's parallelism)
     * @param cacheDir Core ML's compiled-model cache, or null for none
     */
    static Engine open(Provider provider, byte[] model, int threads, Path cacheDir) throws OrtException, Unavailable {
        OrtEnvironment e = environment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(Math.max(1, threads));
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (provider == Provider.COREML) {
                // a node Core ML will not take fails the load instead of running quietly on the CPU
                o.addConfigEntry("session.disable_cpu_ep_fallback", "1");
                o.addCoreML(coreMlOptions(cacheDir));
            }
            return new Engine(provider, e.createSession(model, o));
        }
    }

    /** Session creation did not finish within its limit. */
    static final class TimedOut extends Exception {
        TimedOut(String message) {
            super(message);
        }
    }

    /**
     * Runs {@code open} on its own thread and waits at most {@code limit} for it: ONNX Runtime's Core ML
     * provider can wait minutes inside session creation (a compute plan that does not load), and a
     * native call cannot be interrupted. If the limit passes, whatever the call opens later is closed
     * when it returns, and {@link TimedOut} says what did not finish.
     */
    static <T extends AutoCloseable> T within(Duration limit, String what, java.util.concurrent.Callable<T> open) throws Exception {
        java.util.concurrent.CompletableFuture<T> f = new java.util.concurrent.CompletableFuture<>();
        Thread.ofPlatform().daemon().name("kiln-ne-open").start(() -> {
            try {
                f.complete(open.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            f.thenAccept(late -> {
                try {
                    late.close();
                } catch (Exception ignored) {
                    // nothing to keep from a session nobody will use
                }
            });
            throw new TimedOut(what + " did not finish within " + (limit.toMillis() % 1000 == 0 ? limit.toSeconds() + " s" : limit.toMillis() + " ms"));
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw (Error) e.getCause();
        }
    }

    /** The model's custom metadata (COREML_CACHE_KEY). */
    Map<String, String> metadata() throws OrtException {
        return session.getMetadata().getCustomMetadata();
    }

    /**
     * The input as a tensor of the model's type. In fp16 every value must be an fp16 number (the
     * suite's inputs are): one that would round is refused, never silently changed.
     */
    OnnxTensor tensor(float[] x, long[] dims) throws OrtException, Unavailable {
        if (!half) {
            return OnnxTensor.createTensor(environment(), FloatBuffer.wrap(x), dims);
        }
        short[] h = new short[x.length];
        for (int i = 0; i < x.length; i++) {
            h[i] = Float.floatToFloat16(x[i]);
            if (Float.compare(Float.float16ToFloat(h[i]), x[i]) != 0) {
                throw new IllegalArgumentException("input value " + i + " = " + x[i] + " is not an fp16 number");
            }
        }
        return OnnxTensor.createTensor(environment(), ShortBuffer.wrap(h), dims, OnnxJavaType.FLOAT16);
    }

    /**
     * One inference; the first output, flattened, as floats (an fp16 output widened exactly, so
     * every fp16 bit pattern keeps a distinct float: bit-for-bit checks stay bit for bit).
     */
    float[] run(OnnxTensor input) throws OrtException {
        try (OrtSession.Result r = session.run(Map.of(inputName, input))) {
            OnnxValue v = r.get(0);
            if (!(v instanceof OnnxTensor t)) {
                throw new OrtException("the model's output is not a tensor: " + v.getType());
            }
            if (t.getInfo().type == OnnxJavaType.FLOAT16) {
                ShortBuffer b = t.getShortBuffer();
                float[] out = new float[b.remaining()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(b.get());
                }
                return out;
            }
            if (t.getInfo().type != OnnxJavaType.FLOAT) {
                throw new OrtException("the model's output is " + t.getInfo().type + ", not fp32 or fp16");
            }
            FloatBuffer b = t.getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    String describe() {
        return provider == Provider.CPU ? "ONNX Runtime CPU provider (not the Neural Engine)"
                : String.format(Locale.ROOT, "Core ML (%s)", coreMlOptions(null).get("MLComputeUnits"));
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
