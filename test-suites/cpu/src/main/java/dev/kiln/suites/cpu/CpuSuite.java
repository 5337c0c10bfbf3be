package dev.kiln.suites.cpu;

import dev.kiln.api.Availability;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.WorkPlan;
import dev.kiln.api.WorkerContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The CPU suite: self-checking kernels on every logical CPU, first all at once, then one core at a
 * time (some defects show only at single-core boost clocks). Every result of every kernel is
 * compared with a golden fingerprint computed once in prepare; a mismatch names the kernel, the
 * logical CPU, the iteration and the seed. Per-core throughput is compared within each cluster:
 * a core slower than its cluster's median by more than {@code degraded-margin} is reported as
 * degraded.
 */
public final class CpuSuite implements Suite {
    /** Kernels that check what one core computes. */
    static final List<String> ARITHMETIC_KERNELS = List.of("lucas-lehmer", "fma-matrix", "sha256", "aes-gcm", "crc32c", "deflate", "sort");
    /** Kernels that check what passes between cores (issue 33): against a peer core, or a helper thread. */
    static final List<String> CROSS_CORE_KERNELS = List.of("shared-counters", "message-passing", "litmus");
    static final List<String> ALL_KERNELS = java.util.stream.Stream.concat(ARITHMETIC_KERNELS.stream(), CROSS_CORE_KERNELS.stream()).toList();

    private static final SuiteDescriptor DESCRIPTOR = new SuiteDescriptor(
            "cpu",
            "CPU silent-data-corruption hunt",
            "Integer multiply (Lucas-Lehmer), FMA, SHA, AES-GCM, CRC32C, compression and sorting on every logical CPU, "
                    + "all at once then one at a time, each result checked against a golden value; shared counters, message passing "
                    + "and memory-model litmus tests between cores, every answer checked",
            List.of(
                    new ParameterSpec("kernels", "all", "comma-separated kernels to run: " + String.join(", ", ALL_KERNELS)),
                    new ParameterSpec("degraded-margin", "0.25",
                            "a core below its cluster's median throughput by more than this share is reported as degraded"),
                    new ParameterSpec("fma-path", "auto", "auto (Vector API when present), vector or scalar"),
                    new ParameterSpec("fma-shape", "auto", "the Vector API FMA block, rows x vectors: auto (from the vector width and "
                            + "architecture), calibrate (every block timed at prepare, the fastest run), or one of " + String.join(", ", java.util.Arrays.stream(FmaShape.values()).map(FmaShape::id).toList())),
                    new ParameterSpec("phases", "all-cores,each-core", "which phases to run: all-cores, each-core or both"),
                    new ParameterSpec("cross-core-share", "0.05", "the most of a worker's time each cross-core kernel takes (they wait on "
                            + "another core; past it a round runs without them), in (0, 1]"),
                    new ParameterSpec("cross-core-pairs", "auto", "which cores the all-cores phase's cross-core kernels pair: auto "
                            + "(the farthest the topology has: other dies, else clusters, else cores), or every pair other-die, "
                            + "other-cluster, other-core or same-core (SMT siblings); a placement this machine's topology cannot give "
                            + "is a usage error"),
                    new ParameterSpec("retests", "5", "a failed kernel is run again with the same inputs this many times on the same core, "
                            + "then on another thread, and classed reproducible, intermittent or not reproduced (0: no retest; at most 100)")),
            Duration.ofMinutes(2), Duration.ofSeconds(1), true);

    private final List<Kernel> kernels = new ArrayList<>();
    private CrossCore cross;
    private final java.util.concurrent.atomic.AtomicLong retestNanos = new java.util.concurrent.atomic.AtomicLong();
    private long[] golden;
    private final ConcurrentLinkedQueue<WorkerStats> stats = new ConcurrentLinkedQueue<>();

    /** Progress counts rounds: every kernel run once and its answer checked. */
    @Override
    public String progressUnit() {
        return "rounds";
    }

    @Override
    public SuiteDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        return env.logicalCpus().isEmpty()
                ? Availability.unavailable(UnavailableCategory.NO_RESOURCE, "the OS reports no usable logical CPU")
                : Availability.ok();
    }

    @Override
    public void validate(Parameters params, dev.kiln.api.SuiteEnvironment env) {
        validate(params);
        String placement = params.get("cross-core-pairs").trim();
        if (placement.equals("auto") || kernelNames(params).stream().noneMatch(CROSS_CORE_KERNELS::contains)
                || !phases(params).contains("all-cores")) {
            return; // nothing is paired by it
        }
        List<dev.kiln.api.SuiteEnvironment.LogicalCpu> cpus = env.logicalCpus();
        if (new Pairing(cpus, placement).pairs() == 0) {
            throw new Parameters.InvalidParameterException("cross-core-pairs", placement + ": this machine's topology gives no such pair ("
                    + Pairing.topology(cpus) + ")");
        }
    }

    @Override
    public void validate(Parameters params) {
        kernelNames(params);
        double m = params.getDouble("degraded-margin");
        if (!(m > 0 && m < 1)) {
            throw new Parameters.InvalidParameterException("degraded-margin", "must be between 0 and 1 (exclusive), got " + m);
        }
        String path = params.get("fma-path");
        if (!List.of("auto", "vector", "scalar").contains(path)) {
            throw new Parameters.InvalidParameterException("fma-path", "must be auto, vector or scalar, got '" + path + "'");
        }
        String shape = params.get("fma-shape").trim();
        if (!shape.equals("auto") && !shape.equals("calibrate")) {
            try {
                FmaShape.of(shape);
            } catch (IllegalArgumentException e) {
                throw new Parameters.InvalidParameterException("fma-shape", e.getMessage());
            }
        }
        phases(params);
        String placement = params.get("cross-core-pairs").trim();
        if (!Pairing.PLACEMENTS.contains(placement)) {
            throw new Parameters.InvalidParameterException("cross-core-pairs", "must be one of " + String.join(", ", Pairing.PLACEMENTS)
                    + ", got '" + placement + "'");
        }
        double share = params.getDouble("cross-core-share");
        if (!(share > 0 && share <= 1)) {
            throw new Parameters.InvalidParameterException("cross-core-share", "must be in (0, 1], got " + params.get("cross-core-share"));
        }
        long retests = params.getLong("retests");
        if (retests < 0 || retests > MAX_RETESTS) {
            throw new Parameters.InvalidParameterException("retests", "must be in 0.." + MAX_RETESTS + ", got " + retests);
        }
    }

    static final int MAX_RETESTS = 100;
    /** A failure's retests end after this long; a worker retests at most {@link #RETESTED_FAILURES} failures (the rest are said). */
    static final long RETEST_NANOS = 2_000_000_000L;
    static final int RETESTED_FAILURES = 8;

    private static List<String> kernelNames(Parameters params) {
        String v = params.get("kernels").trim();
        if (v.equals("all")) {
            return ALL_KERNELS;
        }
        List<String> names = new ArrayList<>();
        for (String k : v.split(",")) {
            String name = k.trim();
            if (!ALL_KERNELS.contains(name)) {
                throw new Parameters.InvalidParameterException("kernels", "names unknown kernel '" + name + "' (known: "
                        + String.join(", ", ALL_KERNELS) + ")");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private static List<String> phases(Parameters params) {
        List<String> out = new ArrayList<>();
        for (String p : params.get("phases").split(",")) {
            String name = p.trim();
            if (!name.equals("all-cores") && !name.equals("each-core")) {
                throw new Parameters.InvalidParameterException("phases", "names unknown phase '" + name + "'");
            }
            out.add(name);
        }
        return out;
    }

    @Override
    public WorkPlan plan(SuiteEnvironment env, Parameters params) {
        List<WorkPlan.Placement> everyCpu = env.logicalCpus().stream().map(WorkPlan.Placement::on).toList();
        List<WorkPlan.Phase> phases = new ArrayList<>();
        List<String> wanted = phases(params);
        if (wanted.contains("all-cores")) {
            phases.add(new WorkPlan.Phase("all-cores", WorkPlan.Mode.PARALLEL, everyCpu, 1));
        }
        if (wanted.contains("each-core")) {
            phases.add(new WorkPlan.Phase("each-core", WorkPlan.Mode.SEQUENTIAL, everyCpu, 1));
        }
        return new WorkPlan(phases);
    }

    /** Timing per shape once compiled (fma-shape=calibrate). */
    private static final long CALIBRATE_NANOS = 90_000_000L;

    /**
     * The FMA kernel in the block for this core ({@link FmaShape#forCore}), the fastest of them all
     * timed on the preparing thread ({@code fma-shape=calibrate}), or the one named; the choice goes
     * to the log and the result
     * ({@code cpu_fma_block_accumulators}, labelled with the shape) so a run replays exactly.
     */
    private static FmaMatrixKernel fmaKernel(SuiteContext ctx, boolean vector) {
        if (!vector) {
            return new FmaMatrixKernel(false);
        }
        String want = ctx.parameters().get("fma-shape").trim();
        FmaShape shape;
        if (want.equals("calibrate")) {
            Map<FmaShape, Double> speeds = FmaVectorPath.calibrate(CALIBRATE_NANOS, 5_000_000_000L);
            shape = speeds.keySet().iterator().next();
            ctx.log(LogLevel.INFO, "fma-matrix block " + shape.id() + " chosen, the fastest on this core: " + FmaVectorPath.format(speeds)
                    + " (replay with -P cpu.fma-shape=" + shape.id() + ")");
        } else if (want.equals("auto")) {
            shape = FmaShape.forCore(FmaVectorPath.vectorBits(), ctx.environment().arch());
            ctx.log(LogLevel.INFO, "fma-matrix block " + shape.id() + " (" + shape.accumulators() + " accumulators) for "
                    + FmaVectorPath.vectorBits() + "-bit vectors on " + ctx.environment().arch() + " (replay with -P cpu.fma-shape=" + shape.id()
                    + "; -P cpu.fma-shape=calibrate times every block here)");
        } else {
            shape = FmaShape.of(want);
        }
        ctx.measurement(new dev.kiln.api.Measurement("cpu_fma_block_accumulators", shape.accumulators(), "accumulators", null, null,
                Map.of("shape", shape.id())));
        return new FmaMatrixKernel(true, shape);
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        Parameters p = ctx.parameters();
        String path = p.get("fma-path");
        boolean vectorPresent = FmaMatrixKernel.vectorApiPresent();
        if (path.equals("vector") && !vectorPresent) {
            throw new dev.kiln.api.SuiteUnavailableException(UnavailableCategory.NOT_SUPPORTED,
                    "fma-path=vector but the JVM was started without jdk.incubator.vector");
        }
        List<String> names = kernelNames(p);
        if (names.stream().anyMatch(CROSS_CORE_KERNELS::contains)) {
            cross = new CrossCore(ctx.environment().logicalCpus(), ctx.random().nextLong(), p.get("cross-core-pairs").trim());
            ctx.log(LogLevel.INFO, "cross-core kernels: in the all-cores phase " + String.join(", ", cross.pairing.describe())
                    + "; one core at a time, each core with a helper thread; litmus batches always against the worker's helper thread");
        }
        for (String name : names) {
            kernels.add(switch (name) {
                case "lucas-lehmer" -> new LucasLehmerKernel();
                case "fma-matrix" -> fmaKernel(ctx, !path.equals("scalar") && vectorPresent);
                case "sha256" -> new Sha256Kernel();
                case "aes-gcm" -> new AesGcmKernel();
                case "crc32c" -> new Crc32cKernel();
                case "deflate" -> new DeflateKernel();
                case "sort" -> new SortKernel();
                case "shared-counters" -> new SharedCountersKernel().on(cross);
                case "message-passing" -> new MessagePassingKernel().on(cross);
                case "litmus" -> new LitmusKernel().on(cross);
                default -> throw new IllegalStateException(name);
            });
        }
        golden = new long[kernels.size()];
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            k.prepare(ctx.random());
            golden[i] = k instanceof CrossCoreKernel ? 0 : k.newRunner().run(false, true); // cross-core: nothing wrong is the answer
            if (k instanceof LucasLehmerKernel ll) {
                if (golden[i] != 0) {
                    // Mathematics says residue 0: the preparing core itself computed it wrong.
                    ctx.failure("cpu-lucas-lehmer-known-answer", "Lucas-Lehmer residue of 2^" + ll.exponent()
                            + "-1 is not 0 on the preparing thread", Map.of("kernel", k.name(), "exponent", ll.exponent(),
                            "actual", hex(golden[i]), "expected", hex(0)));
                    golden[i] = 0;
                }
                ctx.log(LogLevel.INFO, "lucas-lehmer on 2^" + ll.exponent() + "-1");
            }
            if (k instanceof FmaMatrixKernel f) {
                ctx.log(LogLevel.INFO, "fma-matrix path: " + f.path());
            }
        }
    }

    @Override
    public void run(WorkerContext ctx) throws Exception {
        int n = kernels.size();
        try (CorePlace place = cross == null ? null : cross.place(ctx.phase(), ctx.workerIndex(), ctx.cpu())) {
            rounds(ctx, place);
        }
    }

    private void rounds(WorkerContext ctx, CorePlace place) throws Exception {
        int n = kernels.size();
        Kernel.Runner[] runners = new Kernel.Runner[n];
        for (int i = 0; i < n; i++) {
            runners[i] = kernels.get(i).newRunner(place);
        }
        long[] nanos = new long[n];
        long[] runs = new long[n];
        String[] runningSite = new String[n]; // made once: the seam is asked at every run, some of which take microseconds
        for (int i = 0; i < n; i++) {
            runningSite[i] = kernels.get(i).name() + ".running";
        }
        int retested = 0;
        // the cross-core kernels' share is kept only where there are arithmetic kernels to give the rest of the time to
        double crossShare = kernels.stream().allMatch(k -> k instanceof CrossCoreKernel) ? Double.MAX_VALUE
                : ctx.parameters().getDouble("cross-core-share");
        boolean[] arithmetic = new boolean[n];
        int arithmeticKernels = 0;
        for (int i = 0; i < n; i++) {
            arithmetic[i] = !(kernels.get(i) instanceof CrossCoreKernel);
            arithmeticKernels += arithmetic[i] ? 1 : 0;
        }
        long arithmeticNanos = 0;
        long started = System.nanoTime();
        long rounds = 0;
        // one core at a time, the worker's cluster clock from the run's telemetry (where there is any):
        // where it ran and at what clock, against the cluster's top clock
        boolean lone = ctx.phase().equals("each-core");
        String cluster = cluster(ctx);
        List<String> clockChannels = lone ? ctx.telemetryChannels().stream().filter(c -> c.startsWith("cluster_")).toList() : List.of();
        List<double[]> clocks = new ArrayList<>();
        List<String> tiers = ctx.environment().logicalCpus().stream().map(SuiteEnvironment.LogicalCpu::cluster).distinct().toList();
        long nextClock = started + 500_000_000L;
        while (ctx.keepRunning()) {
            if (!clockChannels.isEmpty() && System.nanoTime() - nextClock >= 0) {
                nextClock = System.nanoTime() + 500_000_000L;
                Map<String, Double> sample = new LinkedHashMap<>();
                for (String c : clockChannels) {
                    ctx.telemetry(c).ifPresent(v -> sample.put(c, v));
                }
                double[] clock = ClusterClock.of(sample, cluster, tiers);
                if (clock != null) {
                    clocks.add(clock);
                }
            }
            int checked = 0;
            for (int i = 0; i < n; i++) {
                Kernel k = kernels.get(i);
                boolean fault = ctx.injectFault(k.name());
                long t0 = System.nanoTime();
                if (k instanceof CrossCoreKernel && !fault && runs[i] > 0 && nanos[i] > crossShare * (t0 - started)) {
                    continue; // past its share of this worker's time: the arithmetic kernels keep theirs (a planted fault always runs)
                }
                // time, not turns: an arithmetic kernel ahead of the others' mean time by more than one of
                // its own runs waits (the one furthest behind always runs; a planted fault always runs)
                if (arithmetic[i] && !fault && runs[i] > 0 && nanos[i] > arithmeticNanos / arithmeticKernels + nanos[i] / runs[i]) {
                    continue;
                }
                // the seam of a defect that can fire only while its kernel runs (bench/detect.sh plants it with a
                // chance per run; the kernel's own site is asked every turn, so that a planted fault always runs)
                fault |= ctx.injectFault(runningSite[i]);
                long actual;
                Kernel.DataPathException broke = null;
                try {
                    actual = runners[i].run(fault, true);
                } catch (Kernel.DataPathException e) {
                    actual = ~golden[i];
                    broke = e;
                }
                long took = System.nanoTime() - t0;
                nanos[i] += took;
                arithmeticNanos += arithmetic[i] ? took : 0;
                runs[i]++;
                checked++;
                if (actual != golden[i]) {
                    double found = (t0 + took - started) / 1e9; // into this worker's phase, before the retests
                    Retest rt = retested >= RETESTED_FAILURES ? Retest.skipped("this worker's retest budget is spent")
                            : retest(ctx, k, runners[i], golden[i], broke == null ? hex(actual) : broke.getMessage());
                    retested++;
                    retestNanos.addAndGet(rt.nanos());
                    miscompare(ctx, k, golden[i], actual, broke, rt, found);
                }
            }
            ctx.verified(checked); // every kernel run's result compared with its golden value
            rounds++;
        }
        for (int i = 0; i < n; i++) {
            try {
                runners[i].finish(); // what is still in flight (a cross-core kernel's last messages)
            } catch (Kernel.DataPathException e) {
                miscompare(ctx, kernels.get(i), golden[i], ~golden[i], e, Retest.skipped("found after the phase ended"),
                        (System.nanoTime() - started) / 1e9);
            }
        }
        double[] hz = clocks.stream().mapToDouble(c -> c[0]).sorted().toArray();
        double top = clocks.stream().mapToDouble(c -> c[1]).filter(Double::isFinite).max().orElse(Double.NaN);
        stats.add(new WorkerStats(ctx.phase(), ctx.workerIndex(), ctx.cpu(), cluster, rounds,
                System.nanoTime() - started, nanos, runs, hz.length == 0 ? Double.NaN : hz[hz.length / 2], top));
    }

    /**
     * Runs a failed kernel again with the same inputs: {@code retests} times on this core (the fault
     * seam asked again at {@code <kernel>.retest<r>}), then as many on a thread of its own the OS
     * places (seam {@code <kernel>.neighbour<r>}; not for cross-core kernels, whose partner is already
     * another core); each bounded by {@link #RETEST_NANOS}.
     */
    private Retest retest(WorkerContext ctx, Kernel k, Kernel.Runner runner, long golden, String firstWrong) {
        int asked = (int) ctx.parameters().getLong("retests");
        if (asked == 0) {
            return Retest.skipped("retests=0");
        }
        long t0 = System.nanoTime();
        long end = t0 + RETEST_NANOS;
        Retest.Differences diff = new Retest.Differences(firstWrong);
        int runs = 0;
        int failed = 0;
        for (int r = 1; r <= asked && System.nanoTime() - end < 0; r++) {
            String wrong = once(runner, ctx.injectFault(k.name() + ".retest" + r), ctx.injectFault(k.name() + ".retest" + r + ".other"), golden);
            runs++;
            if (wrong != null) {
                failed++;
                diff.add(wrong);
            }
        }
        String note = runs < asked ? "the retests' time bound of " + RETEST_NANOS / 1_000_000_000L + " s ended them" : "";
        int[] neighbour = {0, 0};
        if (!(k instanceof CrossCoreKernel) && System.nanoTime() - end < 0) {
            boolean[] plants = new boolean[asked];
            for (int r = 1; r <= asked; r++) {
                plants[r - 1] = ctx.injectFault(k.name() + ".neighbour" + r);
            }
            Thread t = Thread.ofPlatform().name("kiln-cpu-retest").start(() -> {
                try {
                    Kernel.Runner other = k.newRunner();
                    for (int r = 0; r < asked && System.nanoTime() - end < 0; r++) {
                        String wrong = once(other, plants[r], false, golden);
                        neighbour[0]++;
                        if (wrong != null) {
                            neighbour[1]++;
                            synchronized (diff) {
                                diff.add(wrong);
                            }
                        }
                    }
                } catch (Exception e) {
                    // a runner that cannot be made off the worker: the neighbour's count says none ran
                }
            });
            try {
                t.join(Math.max(1, (end - System.nanoTime()) / 1_000_000 + 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (k instanceof CrossCoreKernel) {
            note = (note.isEmpty() ? "" : note + "; ") + "not on another thread: a cross-core kernel's partner is another core already";
        }
        synchronized (diff) {
            // in the order seen (Set.copyOf's order changes from one JVM to the next)
            Set<String> seen = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(diff.seen));
            return new Retest(runs, failed, neighbour[0], neighbour[1], seen, System.nanoTime() - t0, note);
        }
    }

    /** A wrong answer of the retest seam {@code <kernel>.retest<r>.other}: bits no planted data-path flip gives the fingerprint. */
    static final long OTHER_ANSWER = 0x0000_0100_0000_0001L;

    /**
     * One retest run: null when it gave the right answer, else the wrong one (or what broke).
     * {@code other}: the seam of a defect whose wrong answers vary, the run's fingerprint as another
     * wrong value (with {@code plant}: the planted one's, changed again).
     */
    private static String once(Kernel.Runner runner, boolean plant, boolean other, long golden) {
        try {
            long v = runner.run(plant, true);
            if (other) {
                v ^= OTHER_ANSWER;
            }
            return v == golden ? null : hex(v);
        } catch (Kernel.DataPathException e) {
            return e.getMessage();
        }
    }

    /** A kernel's wrong answer, or what it found broken, as a failure naming the core, phase, iteration and seed, with its retests. */
    private static void miscompare(WorkerContext ctx, Kernel k, long expected, long actual, Kernel.DataPathException broke, Retest rt,
                                   double secondsIntoPhase) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("kernel", k.name());
        d.put("secondsIntoPhase", Math.round(secondsIntoPhase * 1000) / 1000.0); // this core's time under test until it was found
        d.put("expected", hex(expected));
        d.put("actual", broke == null ? hex(actual) : broke.getMessage());
        if (broke instanceof CrossCoreFailure c) {
            c.details().forEach((key, v) -> {
                if (!key.equals("cpu") && !key.equals("expected") && !key.equals("actual")) {
                    d.put(key, v); // both ends, the message or counter, the test
                }
            });
        }
        retestDetails(d, rt);
        ctx.failure("cpu-" + k.name() + "-miscompare", String.format(Locale.ROOT,
                "%s gave a wrong result on cpu %d (phase %s, iteration %d, seed 0x%s): expected %s, got %s; retested: %s",
                k.name(), ctx.cpu(), ctx.phase(), ctx.iteration(), HexFormat.of().toHexDigits(ctx.seed()),
                d.get("expected"), d.get("actual"), rt.describe()), d);
    }

    /** A failure's retest, in its details as the summary, the OCP diagnosis and the dashboard read it. */
    private static void retestDetails(Map<String, Object> d, Retest rt) {
        d.put("retest", rt.verdict());
        d.put("retestRuns", rt.runs());
        d.put("retestFailed", rt.failed());
        d.put("retestNeighbourRuns", rt.neighbourRuns());
        d.put("retestNeighbourFailed", rt.neighbourFailed());
        if (!rt.differently().isEmpty()) {
            d.put("retestOtherAnswers", List.copyOf(rt.differently()));
        }
    }

    private static String cluster(WorkerContext ctx) {
        for (SuiteEnvironment.LogicalCpu c : ctx.environment().logicalCpus()) {
            if (c.id() == ctx.cpu()) {
                return c.cluster();
            }
        }
        return "cpu";
    }

    /** What one worker did, for the per-core comparison. */
    record WorkerStats(String phase, int worker, int cpu, String cluster, long rounds, long nanos, long[] kernelNanos,
                       long[] kernelRuns, double clockHertz, double topClockHertz) {
        double roundsPerSecond() {
            return nanos == 0 ? 0 : rounds / (nanos / 1e9);
        }
    }

    /**
     * Each worker's speed against the others of its group (a phase's cores of one cluster): for each
     * arithmetic kernel, the worker's runs per second of that kernel's time over the group's median
     * of the same; the worker's speed is the median of those over the kernels it ran. Rounds per
     * second would not do: a round runs only the kernels whose turn it is by time, so what a round
     * holds differs between cores. Cross-core kernels wait on their partners and are left out. A group
     * of one, or a worker that ran none of the kernels, has no speed.
     */
    static Map<WorkerStats, Double> relativeSpeeds(List<WorkerStats> group, boolean[] arithmetic) {
        Map<WorkerStats, Double> out = new LinkedHashMap<>();
        if (group.size() < 2) {
            return out;
        }
        double[] reference = new double[arithmetic.length];
        for (int i = 0; i < arithmetic.length; i++) {
            final int k = i;
            reference[i] = arithmetic[i] ? median(group.stream().filter(s -> s.kernelRuns()[k] > 0 && s.kernelNanos()[k] > 0)
                    .mapToDouble(s -> s.kernelRuns()[k] / (double) s.kernelNanos()[k]).toArray()) : Double.NaN;
        }
        for (WorkerStats s : group) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < arithmetic.length; i++) {
                if (arithmetic[i] && s.kernelRuns()[i] > 0 && s.kernelNanos()[i] > 0 && reference[i] > 0) {
                    ratios.add(s.kernelRuns()[i] / (double) s.kernelNanos()[i] / reference[i]);
                }
            }
            if (!ratios.isEmpty()) {
                out.put(s, median(ratios.stream().mapToDouble(Double::doubleValue).toArray()));
            }
        }
        return out;
    }

    private static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] x = v.clone();
        java.util.Arrays.sort(x);
        return x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
    }

    @Override
    public void finish(SuiteContext ctx) {
        double margin = ctx.parameters().getDouble("degraded-margin");
        Map<String, List<WorkerStats>> groups = new LinkedHashMap<>();
        for (WorkerStats s : stats) {
            groups.computeIfAbsent(s.phase() + "|" + s.cluster(), g -> new ArrayList<>()).add(s);
            ctx.measurement(new Measurement("core_rounds_per_second", s.roundsPerSecond(), "rounds/s", null, null,
                    Map.of("phase", s.phase(), "cpu", s.cpu(), "cluster", s.cluster())));
        }
        // what the steering achieved, one core at a time: the worker's cluster clock (median of the run's
        // telemetry over its slice) against the cluster's top clock
        Map<String, List<Double>> achieved = new LinkedHashMap<>();
        for (WorkerStats s : stats) {
            if (Double.isFinite(s.clockHertz())) {
                Map<String, Object> tags = new LinkedHashMap<>(Map.of("phase", s.phase(), "cpu", s.cpu(), "cluster", s.cluster()));
                if (Double.isFinite(s.topClockHertz()) && s.topClockHertz() > 0) {
                    tags.put("topClockHertz", s.topClockHertz());
                    tags.put("shareOfTop", s.clockHertz() / s.topClockHertz());
                    achieved.computeIfAbsent(s.cluster(), c -> new ArrayList<>()).add(s.clockHertz() / s.topClockHertz());
                }
                ctx.measurement(new Measurement("core_cluster_clock_hertz", s.clockHertz(), "Hz", null, null, tags));
            }
        }
        achieved.forEach((c, shares) -> ctx.log(LogLevel.INFO, String.format(Locale.ROOT,
                "one core at a time, %s workers ran their cluster at %.2f–%.2f of its top clock (run telemetry)", c,
                shares.stream().mapToDouble(Double::doubleValue).min().orElse(0), shares.stream().mapToDouble(Double::doubleValue).max().orElse(0))));
        if (achieved.isEmpty() && stats.stream().anyMatch(s -> s.phase().equals("each-core"))) {
            ctx.log(LogLevel.INFO, "cluster clocks not confirmed: this run samples no per-cluster clock (powermetrics, as root, on macOS)");
        }
        boolean[] arithmetic = new boolean[kernels.size()];
        for (int i = 0; i < arithmetic.length; i++) {
            arithmetic[i] = !(kernels.get(i) instanceof CrossCoreKernel);
        }
        for (List<WorkerStats> group : groups.values()) {
            Map<WorkerStats, Double> speed = relativeSpeeds(group, arithmetic);
            for (WorkerStats s : group) {
                Double v = speed.get(s);
                if (v != null && v < 1 - margin) {
                    ctx.degraded("cpu-core-degraded", String.format(Locale.ROOT,
                            "cpu %d (%s, phase %s) ran its kernels at %.2f of its cluster's median throughput (median over the kernels)",
                            s.cpu(), s.cluster(), s.phase(), v),
                            Map.of("cpu", s.cpu(), "phase", s.phase(), "cluster", s.cluster(),
                                    "relativeSpeed", v, "roundsPerSecond", s.roundsPerSecond(), "margin", margin));
                }
            }
        }
        // Each kernel's share of the workers' kernel time, by phase: how much of a core's time under test
        // exercises what that kernel exercises (bench/detect.sh turns it into the chance to catch a defect)
        for (String phase : List.of("all-cores", "each-core")) {
            double all = 0;
            double[] per = new double[kernels.size()];
            long[] runs = new long[kernels.size()];
            for (WorkerStats s : stats) {
                if (s.phase().equals(phase)) {
                    for (int i = 0; i < per.length; i++) {
                        per[i] += s.kernelNanos()[i];
                        all += s.kernelNanos()[i];
                        runs[i] += s.kernelRuns()[i];
                    }
                }
            }
            for (int i = 0; i < per.length && all > 0; i++) {
                ctx.measurement(new Measurement("cpu_kernel_time_share", per[i] / all, "ratio", null, null,
                        Map.of("phase", phase, "kernel", kernels.get(i).name())));
                if (runs[i] > 0) { // a run's mean length: what a defect firing at a rate per second of the kernel's time is per run
                    ctx.measurement(new Measurement("cpu_kernel_run_seconds", per[i] / 1e9 / runs[i], "s", null, null,
                            Map.of("phase", phase, "kernel", kernels.get(i).name())));
                }
            }
        }
        // Each kernel's own rate (its work over the time spent in it): summed over the workers that
        // ran together, averaged over the cores that ran one at a time.
        if (cross != null) {
            crossCoreFinish(ctx);
        }
        if (retestNanos.get() > 0) {
            ctx.measurement(new Measurement("cpu_retest_seconds_total", retestNanos.get() / 1e9, "s", null, null, Map.of()));
        }
        for (int i = 0; i < kernels.size(); i++) {
            Kernel k = kernels.get(i);
            if (k instanceof CrossCoreKernel) {
                continue; // their work is what crossed, counted above
            }
            for (String phase : List.of("all-cores", "each-core")) {
                double total = 0;
                int workers = 0;
                for (WorkerStats s : stats) {
                    if (s.phase().equals(phase) && s.kernelNanos()[i] > 0) {
                        total += s.kernelRuns()[i] * (double) k.workPerRun() / (s.kernelNanos()[i] / 1e9);
                        workers++;
                    }
                }
                if (workers > 0) {
                    double rate = phase.equals("all-cores") ? total : total / workers;
                    ctx.measurement(new Measurement(k.name().replace('-', '_') + "_" + k.unit() + "_per_second",
                            rate, k.unit() + "/s", null, null, Map.of("phase", phase,
                                    "aggregation", phase.equals("all-cores") ? "sum over cores" : "mean per core")));
                }
            }
        }
    }

    /**
     * What the cross-core kernels left: messages never taken (checked here), shared counters against
     * what both sides added, and what crossed, as measurements; a phase in which nothing crossed is said.
     */
    private void crossCoreFinish(SuiteContext ctx) {
        // found once every worker had stopped: nothing left to retest with, and said so like every other failure
        Retest late = Retest.skipped("found at the suite's finish, every worker stopped");
        MessagePassingKernel.drain(cross, f -> {
            Map<String, Object> d = new LinkedHashMap<>(f.details());
            d.put("kernel", "message-passing");
            retestDetails(d, late);
            ctx.failure("cpu-message-passing-miscompare", f.getMessage() + "; retested: " + late.describe(), d);
        });
        for (String m : cross.sharedMismatches()) {
            Map<String, Object> d = new LinkedHashMap<>(Map.of("kernel", "shared-counters", "found", "at the end of the suite"));
            retestDetails(d, late);
            ctx.failure("cpu-shared-counters-miscompare", m + "; retested: " + late.describe(), d);
        }
        boolean messaging = kernels.stream().anyMatch(k -> k instanceof MessagePassingKernel);
        for (String phase : List.of("all-cores", "each-core")) {
            java.util.concurrent.atomic.AtomicLong crossed = cross.messages.get(phase);
            if (crossed != null) {
                ctx.measurement(new Measurement("cpu_cross_core_messages_total", crossed.get(), "messages", null, null, Map.of("phase", phase)));
                if (messaging && crossed.get() == 0) {
                    ctx.log(LogLevel.WARNING, "no message crossed between cores in phase " + phase + ": message passing checked nothing there");
                }
            }
        }
        if (kernels.stream().anyMatch(k -> k instanceof LitmusKernel)) {
            for (int t = 0; t < 3; t++) {
                ctx.measurement(new Measurement("cpu_litmus_trials_total", cross.trials[t].get(), "trials", null, null,
                        Map.of("test", Litmus.TESTS[t])));
            }
            if (cross.missedBatches.get() > 0) {
                ctx.log(LogLevel.WARNING, cross.missedBatches.get() + " litmus batch(es) not run: the helper thread did not come within "
                        + Litmus.DEADLINE_NANOS / 1_000_000_000L + " s");
            }
        }
    }

    @Override
    public void cleanup(SuiteContext ctx) {
        kernels.clear();
        stats.clear();
        if (cross != null) {
            cross.close();
            cross = null;
        }
    }

    static String hex(long v) {
        return "0x" + HexFormat.of().toHexDigits(v);
    }
}
