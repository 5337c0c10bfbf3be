package dev.kiln.suites.ne;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtProvider;
import dev.kiln.api.Availability;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.WorkPlan;
import dev.kiln.api.WorkerContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Predicate;

/**
 * The Neural Engine suite: a network Kiln writes itself from the seed, run on the Neural Engine
 * through ONNX Runtime's Core ML provider by several sessions at once, every output checked three
 * ways (finite; within a derived tolerance of an fp32 reference computed on ONNX Runtime's CPU
 * provider and cross-checked against an exact computation; bit-identical to the engine's own first
 * answer for the input), and evidence that the Neural Engine did the work (Core ML's compute plan,
 * ANE power). Without that evidence it does not pass. {@code provider=cpu} runs the same pipeline on
 * the CPU provider, labelled as not the Neural Engine: for tests and machines without one.
 */
public final class NeuralEngineSuite implements Suite {
    static final String ANE_POWER = "ane_power_watts";

    private static final SuiteDescriptor DESCRIPTOR = new SuiteDescriptor("neural-engine", "Neural Engine inference (Core ML)",
            "a seeded convolutional network on the Neural Engine through ONNX Runtime and Core ML, every output checked against an "
                    + "fp32 reference within a derived tolerance and bit for bit against the engine's own first answer, with evidence "
                    + "(compute plan, ANE power) that the Neural Engine did the work",
            List.of(new ParameterSpec("provider", "coreml", "coreml (the Neural Engine, macOS on Apple Silicon) or cpu (ONNX Runtime's "
                            + "CPU provider: the same pipeline for tests, never counted as the Neural Engine)"),
                    new ParameterSpec("channels", "64", "channels of every convolution"),
                    new ParameterSpec("spatial", "64", "height and width of the input (a multiple of 4)"),
                    new ParameterSpec("conv-layers", "3", "3x3 convolutions before the fully connected layers"),
                    new ParameterSpec("hidden", "256", "width of the first fully connected layer"),
                    new ParameterSpec("outputs", "64", "values the network outputs (each checked)"),
                    new ParameterSpec("inputs", "4", "seeded inputs, each with its reference, used in a seeded order"),
                    new ParameterSpec("sessions", "2", "inference sessions run at once (workers), to keep the engine saturated"),
                    new ParameterSpec("ane-power-min", "0.1", "watts above its idle draw the ANE must show while loaded to count as busy"),
                    new ParameterSpec("model-seed", "1", "seed of the network's weights (the inputs come from the run's seed): the same "
                            + "shape and model seed make the same model, whose compiled form Core ML's cache keeps from run to run"),
                    new ParameterSpec("coreml-load-timeout", "120", "seconds one Core ML session may take to load (compile, plan) before "
                            + "the suite gives up with ERROR"),
                    new ParameterSpec("coreml-cache-entries", "4", "compiled models kept in Core ML's cache (the one in use included); "
                            + "the least recently used others are removed")),
            Duration.ofMinutes(2), Duration.ofSeconds(1), true);

    private Engine.Provider provider;
    private Network network;
    private final List<float[]> inputs = new ArrayList<>();
    private final List<float[]> references = new ArrayList<>();
    private final List<double[]> tolerances = new ArrayList<>();
    private final List<Engine> engines = Collections.synchronizedList(new ArrayList<>());
    /** Per engine, per input: the engine's answer at prepare, the bit-exact expectation from then on. */
    private final List<List<float[]>> golden = new ArrayList<>();
    private final List<List<OnnxTensor>> tensors = new ArrayList<>();
    /** Each Core ML session's compute plan, in session order (none on the CPU provider). */
    private final List<Evidence.Plan> plans = new ArrayList<>();
    private double idleWatts = Double.NaN;
    private final DoubleAdder loadWatts = new DoubleAdder();
    private final AtomicLong powerSamples = new AtomicLong();
    private final AtomicLong inferences = new AtomicLong();
    private final AtomicLong inferNanos = new AtomicLong();
    private final AtomicLong checkNanos = new AtomicLong();
    private volatile double worstRatio;
    private final AtomicLong wrong = new AtomicLong();

    /** Progress counts inferences checked against the reference. */
    @Override
    public String progressUnit() {
        return "inferences";
    }

    @Override
    public SuiteDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        try {
            Engine.environment();
            return Availability.ok();
        } catch (Engine.Unavailable e) {
            return Availability.unavailable(UnavailableCategory.NOT_SUPPORTED, e.getMessage());
        }
    }

    /** With the run's parameters: the Neural Engine itself where the provider is Core ML (what prepare would find). */
    @Override
    public Availability availability(SuiteEnvironment env, Parameters p) {
        Availability base = availability(env);
        Engine.Provider provider = Engine.Provider.of(p.get("provider").trim());
        if (!base.available() || provider != Engine.Provider.COREML) {
            return base; // a provider that does not parse is validate's to say
        }
        try {
            SuiteUnavailableException no = whyNoNeuralEngine(env, Engine.providers());
            return no == null ? base : Availability.unavailable(no.category(), no.getMessage());
        } catch (Engine.Unavailable e) {
            return Availability.unavailable(UnavailableCategory.NOT_SUPPORTED, e.getMessage());
        }
    }

    @Override
    public void validate(Parameters p) {
        if (Engine.Provider.of(p.get("provider").trim()) == null) {
            throw new Parameters.InvalidParameterException("provider", "must be coreml or cpu, got '" + p.get("provider") + "'");
        }
        range(p, "channels", 1, 1024);
        int spatial = range(p, "spatial", Network.POOL, 1024);
        if (spatial % Network.POOL != 0) {
            throw new Parameters.InvalidParameterException("spatial", "must be a multiple of " + Network.POOL + ", got " + spatial);
        }
        range(p, "conv-layers", 0, 64);
        range(p, "hidden", 1, 65536);
        range(p, "outputs", 1, 65536);
        range(p, "inputs", 1, 64);
        range(p, "sessions", 1, 64);
        Network.Shape s = shape(p);
        long weights = (long) s.fcInputs() * s.hidden() + (long) s.channels() * s.channels() * 9 * s.convLayers();
        if (weights > 64L << 20) {
            throw new Parameters.InvalidParameterException("hidden", "the model would hold " + weights + " weights; at most " + (64L << 20));
        }
        p.getLong("model-seed");
        range(p, "coreml-load-timeout", 1, 3600);
        range(p, "coreml-cache-entries", 1, 1000);
        double w = p.getDouble("ane-power-min");
        if (!(w > 0) || w > 100) {
            throw new Parameters.InvalidParameterException("ane-power-min", "must be in (0, 100] watts, got " + w);
        }
    }

    private static int range(Parameters p, String name, int min, int max) {
        long v = p.getLong(name);
        if (v < min || v > max) {
            throw new Parameters.InvalidParameterException(name, "must be in " + min + ".." + max + ", got " + v);
        }
        return (int) v;
    }

    static Network.Shape shape(Parameters p) {
        return new Network.Shape(p.getInt("channels"), p.getInt("spatial"), p.getInt("conv-layers"), p.getInt("hidden"), p.getInt("outputs"));
    }

    @Override
    public WorkPlan plan(SuiteEnvironment env, Parameters params) {
        return new WorkPlan(List.of(new WorkPlan.Phase("inference", WorkPlan.Mode.PARALLEL,
                Collections.nCopies(Math.max(1, engines.size()), WorkPlan.Placement.ANY), 1)));
    }

    /**
     * Why the Neural Engine cannot be driven here through Core ML, or null when it can (as far as can
     * be told without loading a model): what {@code prepare} refuses with, and what {@code kiln doctor}
     * reports.
     */
    public static SuiteUnavailableException whyNoNeuralEngine(SuiteEnvironment env) {
        try {
            return whyNoNeuralEngine(env, Engine.providers());
        } catch (Engine.Unavailable e) {
            return new SuiteUnavailableException(UnavailableCategory.NOT_SUPPORTED, e.getMessage());
        }
    }

    /**
     * Whether Core ML can drive the Neural Engine here (the suite loads on any ONNX Runtime): the
     * providers ONNX Runtime has, or why there is no Neural Engine to test.
     */
    @Override
    public java.util.List<String> findHere(SuiteEnvironment env) throws SuiteUnavailableException {
        SuiteUnavailableException why = whyNoNeuralEngine(env);
        if (why != null) {
            throw why;
        }
        try {
            return java.util.List.of("ONNX Runtime providers: " + Engine.providers());
        } catch (Engine.Unavailable e) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_SUPPORTED, e.getMessage());
        }
    }

    /** A Mac's Neural Engine through Core ML; a compiled model Core ML will not load is cleared from the cache. */
    @Override
    public String fixHere(SuiteEnvironment env) {
        return "a Mac with Apple Silicon (ONNX Runtime's Core ML provider); if Core ML's session does not load, clear "
                + "<state-dir>/cache/neural-engine/coreml and run again";
    }

    /** Core ML on a Mac has never run: the CPU provider (here) is verified, the Neural Engine not yet. */
    @Override
    public boolean verifiedOn(SuiteEnvironment env) {
        return !env.os().toLowerCase(Locale.ROOT).contains("mac");
    }

    private static SuiteUnavailableException whyNoNeuralEngine(SuiteEnvironment env, EnumSet<OrtProvider> here) {
        String os = env.os().toLowerCase(Locale.ROOT);
        String arch = env.arch().toLowerCase(Locale.ROOT);
        if (!os.contains("mac") || !(arch.equals("aarch64") || arch.equals("arm64"))) {
            return new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, "no Neural Engine: it exists only on Apple Silicon under macOS, "
                    + "this is " + env.os() + "/" + env.arch() + " (ONNX Runtime's providers here: " + here + ")");
        }
        if (!here.contains(OrtProvider.CORE_ML)) {
            return new SuiteUnavailableException(UnavailableCategory.NOT_SUPPORTED, "ONNX Runtime here has no Core ML provider (only " + here + ")");
        }
        return null;
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        Parameters p = ctx.parameters();
        provider = Engine.Provider.of(p.get("provider").trim());
        if (provider == Engine.Provider.CPU) {
            ctx.standIn("ONNX Runtime's CPU provider (provider=cpu), not the Neural Engine");
        }
        EnumSet<OrtProvider> here;
        try {
            here = Engine.providers();
        } catch (Engine.Unavailable e) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_SUPPORTED, e.getMessage());
        }
        if (provider == Engine.Provider.COREML) {
            SuiteUnavailableException no = whyNoNeuralEngine(ctx.environment(), here);
            if (no != null) {
                throw no;
            }
            idleWatts = ctx.telemetry(ANE_POWER).orElse(Double.NaN); // before the suite puts any load on the engine
        } else {
            ctx.log(LogLevel.WARNING, "provider=cpu: the pipeline runs on ONNX Runtime's CPU provider; this is NOT a test of the Neural Engine");
        }
        Network.Shape shape = shape(p);
        network = Network.fromSeed(shape, new java.util.SplittableRandom(p.getLong("model-seed")));
        // the engine's model is typed fp16 (Core ML runs an fp32-typed program in fp32, never on the
        // Neural Engine); the reference's is fp32, holding the same values
        byte[] model = network.toOnnx(OnnxGraph.FLOAT16);
        byte[] referenceModel = network.toOnnx(OnnxGraph.FLOAT);
        String key = Network.contentHash(network.toOnnxWithoutKey(OnnxGraph.FLOAT16));
        int cpus = Math.max(1, ctx.environment().logicalCpus().size());
        int sessions = p.getInt("sessions");
        ctx.log(LogLevel.INFO, String.format(Locale.ROOT, "model: %s, fp16, %.1f MB, %.1f M multiply-adds per inference, cache key %s "
                + "(model-seed=%d)", shape, model.length / 1e6, shape.macs() / 1e6, key.substring(0, 12), p.getLong("model-seed")));

        // the fp32 reference on ONNX Runtime's CPU provider, cross-checked against the exact computation
        try (Engine ref = Engine.open(Engine.Provider.CPU, referenceModel, cpus, null)) {
            for (int k = 0; k < p.getInt("inputs"); k++) {
                float[] x = network.input(ctx.random());
                float[] y;
                try (OnnxTensor t = ref.tensor(x, shape.inputDims())) {
                    y = ref.run(t);
                }
                Network.Forward exact32 = network.forward(x, Network.U32);
                Network.Forward exact16 = network.forward(x, Network.U16);
                for (int j = 0; j < y.length; j++) {
                    if (!(Math.abs((double) y[j] - exact32.values()[j]) <= exact32.bound()[j])) {
                        throw new IllegalStateException(String.format(Locale.ROOT, "the fp32 reference disagrees with the exact computation: "
                                + "input %d, output %d: %s against %s (bound %.3g); no tolerance can be trusted", k, j, y[j], exact32.values()[j],
                                exact32.bound()[j]));
                    }
                }
                double[] tol = new double[y.length];
                for (int j = 0; j < y.length; j++) {
                    tol[j] = exact16.bound()[j] + exact32.bound()[j]; // both may err from the exact value
                }
                inputs.add(x);
                references.add(y);
                tolerances.add(tol);
            }
        }
        Path cache = null;
        if (provider == Engine.Provider.COREML) {
            cache = ctx.cacheDirectory().map(d -> d.resolve("coreml")).orElse(null);
            if (cache != null) {
                Files.createDirectories(cache);
                if (!Files.isWritable(cache)) {
                    throw new IOException("Core ML's compiled-model cache " + cache + " is not writable");
                }
                CoreMlCache.Pruned pruned = CoreMlCache.prune(cache, key, p.getInt("coreml-cache-entries"));
                if (!pruned.removed().isEmpty()) {
                    ctx.log(LogLevel.INFO, "Core ML's cache: removed " + pruned.removed().size() + " least recently used compiled model(s) "
                            + "(coreml-cache-entries=" + p.getInt("coreml-cache-entries") + ")");
                }
                if (!pruned.failed().isEmpty()) {
                    ctx.log(LogLevel.WARNING, "Core ML's cache: could not remove " + String.join("; ", pruned.failed()));
                }
            }
        }
        Duration loadLimit = Duration.ofSeconds(p.getInt("coreml-load-timeout"));
        for (int e = 0; e < sessions; e++) {
            Engine engine = openEngine(model, Math.max(1, cpus / sessions), cache, e, loadLimit);
            engines.add(engine);
            List<float[]> first = new ArrayList<>();
            List<OnnxTensor> ts = new ArrayList<>();
            for (int k = 0; k < inputs.size(); k++) {
                OnnxTensor t = engine.tensor(inputs.get(k), shape.inputDims());
                ts.add(t);
                float[] y = engine.run(t);
                for (Check.Miss m : Check.compare(y, references.get(k), tolerances.get(k), null)) {
                    wrong.incrementAndGet();
                    ctx.failure(m.symptom(), describe(m, engine, k, "its first answer"), details(m, e, k, -1));
                }
                first.add(y);
            }
            golden.add(first);
            tensors.add(ts);
        }
        Map<String, String> meta = engines.get(0).metadata();
        if (!key.equals(meta.get("COREML_CACHE_KEY"))) {
            throw new IllegalStateException("the loaded model's COREML_CACHE_KEY is not the model's hash: " + meta.get("COREML_CACHE_KEY"));
        }
        ctx.log(LogLevel.INFO, sessions + " session(s) on " + engines.get(0).describe() + "; reference and tolerance for " + inputs.size()
                + " input(s)");
    }

    private Engine openEngine(byte[] model, int threads, Path cache, int session, Duration limit) throws Exception {
        if (provider == Engine.Provider.CPU) {
            return Engine.open(provider, model, threads, null);
        }
        // every Core ML session prints its compute plan (ProfileComputePlan) to standard error while it
        // loads; read to its end: until it lists the model's operations, or stops growing
        int nodes = network.nodes();
        Predicate<String> whole = new Predicate<>() {
            private int lines = -1;
            private long since = System.nanoTime();

            @Override
            public boolean test(String text) {
                int n = Evidence.planLines(text);
                if (n != lines) {
                    lines = n;
                    since = System.nanoTime();
                }
                return n >= nodes || (n > 0 && System.nanoTime() - since > 1_000_000_000L);
            }
        };
        NativeStderr.Captured<Engine> c;
        try {
            c = NativeStderr.capture(() -> Engine.within(limit, "Core ML session " + session + " (compile, load, compute plan)",
                    () -> Engine.open(provider, model, 1, cache)), Duration.ofSeconds(10), whole);
        } catch (Engine.TimedOut t) {
            throw new IllegalStateException(t.getMessage() + " (coreml-load-timeout=" + limit.toSeconds() + "): a compute plan Core ML "
                    + "cannot load keeps it waiting; remove the compiled model from " + (cache == null ? "Core ML's cache" : cache)
                    + " and run again, or raise -P neural-engine.coreml-load-timeout on a slow first compile", t);
        }
        plans.add(Evidence.parsePlan(c.text()));
        return c.value();
    }

    @Override
    public void run(WorkerContext ctx) throws Exception {
        int w = ctx.workerIndex();
        Engine engine = engines.get(w);
        List<OnnxTensor> ts = tensors.get(w);
        List<float[]> first = golden.get(w);
        int outputs = references.get(0).length;
        long lastPower = System.nanoTime();
        double worst = 0;
        while (ctx.keepRunning()) {
            int k = ctx.random().nextInt(inputs.size());
            long t0 = System.nanoTime();
            float[] y = engine.run(ts.get(k));
            long t1 = System.nanoTime();
            if (ctx.injectFault("perturb")) {
                int i = outputs / 3;
                y[i] = (float) (references.get(k)[i] + 4 * tolerances.get(k)[i] + 1);
            }
            if (ctx.injectFault("bitflip")) {
                int i = outputs / 2;
                y[i] = Float.intBitsToFloat(Float.floatToRawIntBits(y[i]) ^ 1); // the last mantissa bit: inside any tolerance
            }
            if (ctx.injectFault("nan")) {
                y[(2 * outputs) / 3] = Float.NaN;
            }
            List<Check.Miss> misses = Check.compare(y, references.get(k), tolerances.get(k), first.get(k));
            worst = Math.max(worst, Check.worstRatio(y, references.get(k), tolerances.get(k)));
            long t2 = System.nanoTime();
            inferNanos.addAndGet(t1 - t0);
            checkNanos.addAndGet(t2 - t1);
            inferences.incrementAndGet();
            for (Check.Miss m : misses.subList(0, Math.min(misses.size(), 8))) {
                ctx.failure(m.symptom(), describe(m, engine, k, "prepare"), details(m, w, k, ctx.iteration()));
            }
            wrong.addAndGet(misses.size());
            ctx.verified(y.length);
            ctx.progress(1);
            if (w == 0 && provider == Engine.Provider.COREML && t2 - lastPower >= 1_000_000_000L) {
                lastPower = t2;
                ctx.telemetry(ANE_POWER).ifPresent(v -> {
                    loadWatts.add(v);
                    powerSamples.incrementAndGet();
                });
            }
        }
        synchronized (this) {
            worstRatio = Math.max(worstRatio, worst);
        }
    }

    private static String describe(Check.Miss m, Engine engine, int input, String against) {
        return switch (m.symptom()) {
            case Check.NON_FINITE -> String.format(Locale.ROOT, "%s gave %s at output index %d for input %d", engine.describe(), m.read(), m.index(), input);
            case Check.BEYOND_TOLERANCE -> String.format(Locale.ROOT, "%s gave %s at output index %d for input %d; the fp32 reference is %s "
                    + "and the tolerance %.3g", engine.describe(), m.read(), m.index(), input, m.reference(), m.tolerance());
            default -> String.format(Locale.ROOT, "%s gave %s (0x%08x) at output index %d for input %d; at %s it gave %s (0x%08x)", engine.describe(),
                    m.read(), Float.floatToRawIntBits(m.read()), m.index(), input, against, m.engineFirst(), Float.floatToRawIntBits(m.engineFirst()));
        };
    }

    private Map<String, Object> details(Check.Miss m, int session, int input, long iteration) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("engine", provider.word);
        d.put("session", session);
        d.put("input", input);
        d.put("tensor", "y");
        d.put("index", List.of(0, m.index()));
        d.put("read", m.read());
        d.put("readBits", String.format(Locale.ROOT, "0x%08x", Float.floatToRawIntBits(m.read())));
        d.put("reference", m.reference());
        d.put("tolerance", m.tolerance());
        if (!Float.isNaN(m.engineFirst())) {
            d.put("engineFirst", m.engineFirst());
            d.put("engineFirstBits", String.format(Locale.ROOT, "0x%08x", Float.floatToRawIntBits(m.engineFirst())));
        }
        return d;
    }

    @Override
    public void finish(SuiteContext ctx) {
        String engineLabel = provider == Engine.Provider.CPU ? "cpu-provider (not the Neural Engine)" : "neural-engine";
        Map<String, Object> labels = Map.of("engine", engineLabel);
        long n = inferences.get();
        if (inferNanos.get() > 0) {
            double perSecond = n / (inferNanos.get() / 1e9) * engines.size();
            ctx.measurement(new Measurement("ne_inferences_per_second", perSecond, "inferences/s", null, null, labels));
            ctx.measurement(new Measurement("ne_multiply_adds_per_second", perSecond * network.shape.macs(), "MAC/s", null, null, labels));
            ctx.measurement(new Measurement("ne_check_share", checkNanos.get() / (double) inferNanos.get(), "ratio", null, null, labels));
        }
        ctx.measurement(new Measurement("ne_worst_error_to_tolerance", worstRatio, "ratio", null, null, labels));
        ctx.measurement(new Measurement("ne_wrong_outputs_total", wrong.get(), "values", null, null, labels)); // each is a failure already
        if (provider == Engine.Provider.CPU) {
            ctx.measurement(new Measurement("ne_on_neural_engine", 0, "bool", null, null, labels));
            ctx.log(LogLevel.WARNING, "every answer was checked, on ONNX Runtime's CPU provider: NOT the Neural Engine");
            return;
        }
        Evidence.Power power = powerEvidence(ctx);
        Evidence.Decision d = Evidence.decide(plans, network.nodes(), power, ctx.parameters().getDouble("ane-power-min"));
        for (int i = 0; i < plans.size(); i++) {
            Evidence.Plan plan = plans.get(i);
            if (plan.available()) {
                ctx.measurement(new Measurement("ne_compute_plan_operations_on_engine", plan.onEngine(), "operations", null, null,
                        Map.<String, Object>of("operations", plan.operations(), "model_nodes", network.nodes(), "session", i)));
            }
        }
        if (power.available() && power.samples() > 0) {
            ctx.measurement(new Measurement("ne_ane_power_loaded_watts", power.loadWatts(), "W", null, null,
                    Map.<String, Object>of("idle", power.idleWatts(), "samples", power.samples())));
        }
        ctx.log(LogLevel.INFO, "evidence: " + d.summary());
        switch (d.finding()) {
            case PROVEN -> ctx.measurement(new Measurement("ne_on_neural_engine", 1, "bool", null, null, labels));
            case CONTRADICTED -> throw new IllegalStateException("every answer was right, but the evidence says the Neural Engine did not do the "
                    + "work: " + d.summary());
            case NONE -> throw new IllegalStateException("every answer was right, but nothing shows the Neural Engine did the work: "
                    + d.summary() + ". Run as root for ANE power (powermetrics)");
        }
    }

    private Evidence.Power powerEvidence(SuiteContext ctx) {
        if (!ctx.telemetryChannels().contains(ANE_POWER)) {
            return Evidence.Power.unknown("no " + ANE_POWER + " channel in this run's telemetry (powermetrics needs root)");
        }
        long k = powerSamples.get();
        return new Evidence.Power(idleWatts, k == 0 ? Double.NaN : loadWatts.sum() / k, (int) k, null);
    }

    @Override
    public void cleanup(SuiteContext ctx) throws Exception {
        synchronized (engines) {
            for (List<OnnxTensor> ts : tensors) {
                ts.forEach(OnnxTensor::close);
            }
            tensors.clear();
            for (Engine e : engines) {
                e.close();
            }
            engines.clear();
        }
    }
}
