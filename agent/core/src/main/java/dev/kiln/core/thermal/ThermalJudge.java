package dev.kiln.core.thermal;

import dev.kiln.api.Measurement;
import dev.kiln.core.runner.StageWindow;
import dev.kiln.core.telemetry.ClusterClocks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges a run's heat from its telemetry trace: pure, a trace and thresholds in, checks out. The
 * live {@code thermal} suite and {@code kiln judge} on a sealed bundle call the same code.
 *
 * <p>Phases come from the stage the suites ran together in: idle <b>baseline</b> before it, the
 * <b>hold</b> while they run (its first part the heat-up, until the hottest sensor's slope falls under
 * the equilibrium rate), and idle <b>cool-down</b> after. Without a stage (a run of suites one at a
 * time) the whole trace is the hold and the checks that need the load step are skipped with that
 * reason.
 *
 * <p>Nothing is judged on one sample: temperatures, clocks and rates are read through a running
 * median of {@code breachSeconds}, a limit counts as breached only when it is exceeded for that long,
 * clocks and pressure are judged on their share of the hold. A check whose sensor does not exist
 * here is SKIPPED with the reason; readings outside what the physics allows are excluded from every
 * other check and fail the sensor-sanity check.
 *
 * <p>Evidence before verdict: every judged check states its coverage, the share of its window (in
 * time, so a sampler that died counts as missing readings) with a valid reading of each channel it
 * judges. A check whose weakest channel is under {@code minCoverage} cannot pass: it is INSUFFICIENT
 * (a limit breached on what was read still FAILs). The judgement PASSes only when no check failed,
 * none was insufficient and a temperature was judged: clocks, pressure and power alone never make a
 * heat PASS.
 */
public final class ThermalJudge {
    /** How a check came out: INSUFFICIENT is a check whose channels exist but whose readings are too few to pass. */
    public enum Status { PASS, FAIL, INSUFFICIENT, SKIPPED }

    /** One check: what it found, in words, and its figures. */
    public record Check(String name, Status status, String detail, List<Measurement> measurements) {
        public Check {
            measurements = List.copyOf(measurements);
        }
    }

    static final String NO_TEMPERATURE = "no temperature was judged: clocks, pressure and power alone never make a heat PASS";

    /**
     * Everything judged.
     *
     * @param checks   every check, skipped ones included
     * @param channels min/mean/max of every channel over the run
     * @param phases   the phase boundaries used, as sample indices
     */
    public record Judgement(List<Check> checks, List<Measurement> channels, Phases phases) {
        /**
         * FAIL if any check failed; else INSUFFICIENT if a check lacked evidence, or checks passed but
         * no temperature was judged; SKIPPED when none could be judged; else PASS.
         */
        public Status status() {
            if (checks.stream().anyMatch(c -> c.status() == Status.FAIL)) {
                return Status.FAIL;
            }
            if (checks.stream().anyMatch(c -> c.status() == Status.INSUFFICIENT)) {
                return Status.INSUFFICIENT;
            }
            if (checks.stream().noneMatch(c -> c.status() == Status.PASS)) {
                return Status.SKIPPED;
            }
            return temperatureJudged() ? Status.PASS : Status.INSUFFICIENT;
        }

        /** Why the judgement is not a PASS or a FAIL, in words (empty when it is one). */
        public String reason() {
            Status s = status();
            if (s == Status.PASS || s == Status.FAIL) {
                return "";
            }
            Status of = s == Status.SKIPPED ? Status.SKIPPED : Status.INSUFFICIENT;
            List<String> why = new ArrayList<>();
            checks.stream().filter(c -> c.status() == of).forEach(c -> why.add(c.name() + ": " + c.detail()));
            if (s == Status.INSUFFICIENT && !temperatureJudged()) {
                why.add(NO_TEMPERATURE);
            }
            return String.join("; ", why);
        }

        private boolean temperatureJudged() {
            return checks.stream().anyMatch(c -> c.name().equals("peak-temperature") && c.status() == Status.PASS);
        }
    }

    /**
     * Sample indices: baseline {@code [baseline, baselineEnd)} (idle: it ends where the members start
     * preparing), the members' preparing {@code [baselineEnd, start)} (judged by nothing), hold
     * {@code [start, end)}, cool-down {@code [end, cooldownEnd)}; {@code staged} false when the run
     * had no stage. The same bounds in epoch milliseconds ({@code *Ms}) measure coverage in time.
     */
    public record Phases(boolean staged, int baseline, int baselineEnd, int start, int end, int cooldownEnd, long baselineMs,
                         long baselineEndMs, long startMs, long endMs, long cooldownEndMs) {
    }

    /** A check's evidence: the share of its window the weakest judged channel has valid readings for. */
    record Coverage(double ratio, String weakest, String window, double floor) {
        boolean enough() {
            return ratio >= floor;
        }

        String words() {
            return enough() ? String.format(Locale.ROOT, "coverage %.0f%% of the %s", Math.floor(ratio * 100), window)
                    : String.format(Locale.ROOT, "%s read in only %.0f%% of the %s (the floor is %.0f%%): not enough to pass", weakest,
                    Math.floor(ratio * 100), window, floor * 100);
        }

        Measurement measurement(String check) {
            return new Measurement("check_coverage_ratio", ratio, "ratio", floor, null, Map.of("check", check, "channel", weakest,
                    "window", window));
        }
    }

    static final double MIN_CELSIUS = -40;
    static final double MAX_CELSIUS = 150;
    /** A busy share (CPU load, a cluster's or the GPU's active ratio) that rose this much is a load step. */
    static final double BUSY_STEP = 0.30;
    /** Power that rose this many watts, and by half its baseline, is a load step. */
    static final double POWER_STEP_WATTS = 2.0;

    private final Trace trace;
    private final ThermalLimits limits;
    private final Map<Integer, String> cpuClusters;
    private final Phases phases;
    private final int k; // samples in breachSeconds
    private final double dt;
    private final int eqWindow; // samples in equilibriumWindow
    private final int lastWindowFrom; // the index the hold's last equilibrium window starts at, by time
    private final long lastWindowFromMs;
    /** Every channel's figures, in trace order: each column is read once, here, and not kept. */
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    /** The temperature channels with a sane reading, in trace order, and their figures. */
    private final Map<String, Temp> temps = new LinkedHashMap<>();
    /** CPU clusters, by name, in name order. */
    private final Map<String, Cluster> clusters = new TreeMap<>();
    private String hottest;
    private double[] hotRaw;
    private double[] hotSmoothed;

    /** What every check needs of one channel as recorded (NaN and impossible values as they were). */
    private static final class Channel {
        int finite; // finite values in the whole trace
        double min;
        double max;
        double mean; // of the finite values
        double baseMean; // of the finite values in the baseline
        double holdMean; // ... and in the hold
        int holdFinite;
        int seen; // values that are not NaN
        int impossible;
        double example = Double.NaN;
        int lastSeen = -1;
        int stoppedRun; // the longest run at or under 0 in the hold (fans)
    }

    /** What the checks need of a temperature channel once values outside the physics are NaN (raw) and smoothed. */
    private static final class Temp {
        double sustainedMax;
        int longestAbove;
        int holdFinite;
        int baseFinite;
        int spanFinite; // in [baseline, end)
        double spanFirst;
        boolean spanFlat;
        int lastWindowFinite; // in [lastWindowFrom, end)
        double holdMean; // smoothed
        double baseMean;
        double eqMean; // smoothed, over the hold's last equilibrium window
        double riseMean; // smoothed, over the window a rise is measured on
        double endSlope; // smoothed, over the hold's last equilibrium window
        double lastInHold;
    }

    /** What the clock checks need of one CPU cluster. */
    private record Cluster(String kind, int busyHold, double busyHoldMedian, double sustainedMax, long heldBelow, int readHold) {
    }

    private ThermalJudge(Trace trace, List<StageWindow> stages, ThermalLimits limits, Map<Integer, String> cpuClusters) {
        this.trace = trace;
        this.limits = limits.over(ThermalLimits.DEFAULTS);
        this.cpuClusters = Map.copyOf(cpuClusters);
        this.dt = trace.intervalSeconds();
        this.k = Math.max(1, (int) Math.round(this.limits.breachSeconds() / dt));
        if (stages.isEmpty()) {
            long first = trace.size() == 0 ? 0 : trace.millis(0);
            long last = trace.size() == 0 ? 0 : trace.millis(trace.size() - 1) + Math.round(dt * 1000);
            phases = new Phases(false, 0, 0, 0, trace.size(), trace.size(), first, first, first, last, last);
        } else {
            StageWindow w = stages.get(stages.size() - 1);
            phases = new Phases(true, trace.indexAt(w.baselineStart()), trace.indexAt(w.prepareStart()), trace.indexAt(w.start()),
                    trace.indexAt(w.end()), trace.indexAt(w.cooldownEnd()), w.baselineStart().toEpochMilli(), w.prepareStart().toEpochMilli(),
                    w.start().toEpochMilli(), w.end().toEpochMilli(), w.cooldownEnd().toEpochMilli());
        }
        this.eqWindow = window(this.limits.equilibriumWindowDuration().toMillis() / 1000.0);
        this.lastWindowFromMs = phases.endMs - Math.round(eqWindow * dt * 1000);
        this.lastWindowFrom = trace.indexAt(java.time.Instant.ofEpochMilli(lastWindowFromMs));
        // one pass over the trace, a column at a time (a spilled month is never all in the heap), on as many threads
        // as the cores and the heap allow; the figures are kept in trace order whatever order they were made in
        List<String> names = trace.channels();
        Channel[] chs = new Channel[names.size()];
        Temp[] tps = new Temp[names.size()];
        forEach(names.size(), workers(trace.size()), i -> {
            String c = names.get(i);
            double[] v = trace.column(c);
            chs[i] = channel(c, v);
            if (c.endsWith("_celsius")) {
                double[] sane = sane(v);
                if (Arrays.stream(sane).anyMatch(Double::isFinite)) {
                    tps[i] = temp(sane);
                }
            }
        });
        for (int i = 0; i < chs.length; i++) {
            channels.put(names.get(i), chs[i]);
            if (tps[i] != null) {
                temps.put(names.get(i), tps[i]);
            }
        }
        ClusterClocks.series(trace.channels(), trace::column, trace.size(), cpuClusters, this::cluster);
    }

    /**
     * Threads for the channels' pass: the cores, as far as half the heap holds three columns of
     * {@code n} samples for each (the column, its sane copy and its smoothed one).
     */
    static int workers(int n) {
        long perWorker = 3L * Math.max(1, n) * Double.BYTES;
        long byHeap = Runtime.getRuntime().maxMemory() / 2 / perWorker;
        return (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), byHeap));
    }

    /** {@code work} for 0 … {@code count - 1} on {@code threads} threads; the first failure is thrown. */
    static void forEach(int count, int threads, java.util.function.IntConsumer work) {
        if (threads <= 1 || count <= 1) {
            for (int i = 0; i < count; i++) {
                work.accept(i);
            }
            return;
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> running = new ArrayList<>();
        Throwable[] failed = new Throwable[1];
        for (int t = 0; t < Math.min(threads, count); t++) {
            running.add(Thread.ofPlatform().name("kiln-judge-" + t).daemon().start(() -> {
                try {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        work.accept(i);
                    }
                } catch (RuntimeException | Error e) {
                    synchronized (failed) {
                        failed[0] = failed[0] == null ? e : failed[0];
                    }
                    next.set(count); // the others stop at their next channel
                }
            }));
        }
        for (Thread t : running) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while judging", e);
            }
        }
        if (failed[0] instanceof RuntimeException e) {
            throw e;
        } else if (failed[0] instanceof Error e) {
            throw e;
        }
    }

    /** One pass over a channel as recorded: every figure the checks ask of it. */
    private Channel channel(String name, double[] v) {
        Channel ch = new Channel();
        int n = v.length;
        double[] range = sanityRange(name);
        boolean ranged = range != null;
        double rangeLo = ranged ? range[0] : 0;
        double rangeHi = ranged ? range[1] : 0;
        int hs = Math.max(0, phases.start);
        int he = Math.min(phases.end, n);
        double min = Double.NaN;
        double max = Double.NaN;
        Sum all = new Sum(); // the whole trace's and the hold's finite values, summed as the stream's average sums
        Sum hold = new Sum();
        for (int i = 0; i < n; i++) {
            double x = v[i];
            if (Double.isNaN(x)) {
                continue;
            }
            if (ranged) {
                ch.seen++;
                ch.lastSeen = i;
                if (x < rangeLo || x > rangeHi) {
                    ch.impossible++;
                    ch.example = x;
                }
            }
            if (Double.isInfinite(x)) {
                continue;
            }
            min = ch.finite == 0 ? x : Math.min(min, x);
            max = ch.finite == 0 ? x : Math.max(max, x);
            ch.finite++;
            all.add(x);
            if (i >= hs && i < he) {
                hold.add(x);
            }
        }
        ch.min = min;
        ch.max = max;
        ch.mean = all.mean();
        ch.holdMean = hold.mean();
        ch.holdFinite = (int) hold.count();
        ch.baseMean = mean(v, phases.baseline, phases.baselineEnd);
        if (name.endsWith("_rpm")) {
            ch.stoppedRun = longestAtOrBelow(v, phases.start, phases.end, 0);
        }
        return ch;
    }

    private Temp temp(double[] raw) {
        Temp t = new Temp();
        t.sustainedMax = sustainedMax(raw, 0, raw.length, k);
        t.longestAbove = longestAbove(raw, 0, raw.length, limits.maxTemperatureCelsius());
        t.holdFinite = count(raw, phases.start, phases.end);
        t.baseFinite = count(raw, phases.baseline, phases.baselineEnd);
        // [baseline, end): flat when its largest finite value equals its smallest
        double lo = Double.NaN;
        double hi = Double.NaN;
        t.spanFirst = Double.NaN;
        for (int i = Math.max(0, phases.baseline); i < Math.min(phases.end, raw.length); i++) {
            double x = raw[i];
            if (Double.isFinite(x)) {
                if (t.spanFinite++ == 0) {
                    t.spanFirst = x;
                    lo = x;
                    hi = x;
                } else {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
        }
        t.spanFlat = t.spanFinite > 0 && hi == lo;
        double[] v = runningMedian(raw, k);
        t.lastWindowFinite = count(v, lastWindowFrom, phases.end);
        t.holdMean = mean(v, phases.start, phases.end);
        t.baseMean = mean(v, phases.baseline, phases.baselineEnd);
        t.eqMean = phases.end - eqWindow >= 0 ? mean(v, phases.end - eqWindow, phases.end) : Double.NaN;
        t.riseMean = mean(v, Math.max(phases.start, phases.end - Math.max(k, eqWindow)), phases.end);
        t.endSlope = phases.end - eqWindow >= 0 ? slope(v, phases.end - eqWindow, phases.end) : Double.NaN;
        t.lastInHold = lastFinite(v, phases.start, phases.end);
        return t;
    }

    private void cluster(ClusterClocks.Series s) {
        double[] busy = s.busy();
        double[] hold = finite(busy, phases.start, phases.end);
        double max = sustainedMax(busy, phases.start, phases.end, k);
        long below = max > 0 ? heldBelow(busy, phases.start, phases.end, limits.clockShare() * max, k) : 0;
        clusters.put(s.cluster(), new Cluster(s.kind(), hold.length, hold.length == 0 ? Double.NaN : median(hold), max, below,
                count(s.read(), phases.start, phases.end)));
    }

    /** What the physics allows a channel of this unit (sensor-sanity), or null for a channel it does not judge. */
    private static double[] sanityRange(String c) {
        if (c.endsWith("_celsius")) {
            return new double[] {MIN_CELSIUS, MAX_CELSIUS};
        } else if (c.endsWith("_rpm")) {
            return new double[] {0, 30_000};
        } else if (c.endsWith("_freq_hertz")) {
            return new double[] {0, 10e9}; // 0 Hz: a cluster or GPU idle or powered down, as powermetrics reports it
        } else if (c.endsWith("_watts")) {
            return new double[] {0, 5_000};
        }
        return null;
    }

    /** A temperature column's own copy, the readings outside what the physics allows made NaN. */
    private double[] sane(double[] column) {
        double[] v = trace.spilled() ? column : column.clone(); // a spilled trace's column is a copy already
        for (int i = 0; i < v.length; i++) {
            if (v[i] < MIN_CELSIUS || v[i] > MAX_CELSIUS) {
                v[i] = Double.NaN;
            }
        }
        return v;
    }

    /** The hottest sensor's sane readings, read once for the checks that need its whole course. */
    private double[] hotRaw() {
        if (hotRaw == null) {
            hotRaw = sane(trace.column(hottest()));
        }
        return hotRaw;
    }

    /** The same, smoothed through the running median of {@code breachSeconds}, made once. */
    private double[] hotSmoothed() {
        if (hotSmoothed == null) {
            hotSmoothed = runningMedian(hotRaw(), k);
        }
        return hotSmoothed;
    }

    /**
     * @param stages      the stages the run had (the last one is judged), or empty
     * @param limits      thresholds; unset ones take {@link ThermalLimits#DEFAULTS}
     * @param cpuClusters the cluster of each logical CPU, for Linux's per-CPU clocks (may be empty)
     */
    public static Judgement judge(Trace trace, List<StageWindow> stages, ThermalLimits limits, Map<Integer, String> cpuClusters) {
        ThermalJudge j = new ThermalJudge(trace, stages, limits, cpuClusters);
        List<Check> checks = new ArrayList<>();
        checks.add(j.peak());
        checks.add(j.equilibrium());
        checks.add(j.floors());
        checks.add(j.throttling());
        checks.add(j.pressure());
        checks.add(j.fans());
        checks.add(j.sanity());
        checks.add(j.heatUp());
        checks.add(j.coolDown());
        return new Judgement(checks, j.channelStats(), j.phases);
    }

    // ---- evidence -----------------------------------------------------------------------------

    /** The hold (the whole trace without a stage): its name, for coverage words. */
    private String holdName() {
        return phases.staged ? "hold" : "run";
    }

    /**
     * The coverage of channels over a window spanning {@code [fromMs, toMs)}, given each channel's
     * count of finite, plausible readings in it: the smallest share, over the channels, of the samples
     * that window should hold (from its length and the sampling interval).
     */
    private Coverage coverage(Map<String, Integer> finiteIn, long fromMs, long toMs, String window) {
        // the samples the window should hold; one is forgiven, as a tick at either edge may fall just outside it
        long expected = Math.max(1, Math.round((toMs - fromMs) / 1000.0 / dt) - 1);
        double worst = 1;
        String weakest = finiteIn.isEmpty() ? "" : finiteIn.keySet().iterator().next();
        for (Map.Entry<String, Integer> c : finiteIn.entrySet()) {
            double r = Math.min(1, c.getValue() / (double) expected);
            if (r < worst) {
                worst = r;
                weakest = c.getKey();
            }
        }
        return new Coverage(worst, weakest, window, limits.minCoverage());
    }

    private Coverage holdCoverage(Map<String, Integer> finiteInHold) {
        return coverage(finiteInHold, phases.startMs, phases.endMs, holdName());
    }

    /** Every temperature sensor's coverage of the hold. */
    private Coverage tempsHoldCoverage() {
        Map<String, Integer> m = new LinkedHashMap<>();
        temps.forEach((c, t) -> m.put(c, t.holdFinite));
        return holdCoverage(m);
    }

    /** PASS with the coverage said and measured, or INSUFFICIENT when the evidence is short. */
    private static Check judged(String name, String detail, List<Measurement> ms, Coverage... cov) {
        List<Measurement> all = new ArrayList<>(ms);
        List<String> words = new ArrayList<>();
        Coverage short_ = null;
        for (Coverage c : cov) {
            all.add(c.measurement(name));
            words.add(c.words());
            if (!c.enough() && short_ == null) {
                short_ = c;
            }
        }
        if (short_ != null) {
            return new Check(name, Status.INSUFFICIENT, short_.words() + " (" + detail + ")", all);
        }
        return new Check(name, Status.PASS, detail + " (" + String.join(", ", words) + ")", all);
    }

    private static Check failed(String name, String detail, List<Measurement> ms, Coverage... cov) {
        List<Measurement> all = new ArrayList<>(ms);
        for (Coverage c : cov) {
            all.add(c.measurement(name));
        }
        return new Check(name, Status.FAIL, detail, all);
    }

    // ---- checks -------------------------------------------------------------------------------

    private Check peak() {
        if (temps.isEmpty()) {
            return skipped("peak-temperature", "no temperature sensor gave a reading");
        }
        double limit = limits.maxTemperatureCelsius();
        List<Measurement> ms = new ArrayList<>();
        List<String> breaches = new ArrayList<>();
        for (Map.Entry<String, Temp> t : temps.entrySet()) {
            double sustained = t.getValue().sustainedMax;
            if (Double.isNaN(sustained)) {
                continue;
            }
            double longest = t.getValue().longestAbove * dt;
            ms.add(new Measurement("peak_sustained_celsius", sustained, "celsius", null, limit,
                    Map.of("channel", t.getKey(), "heldSeconds", limits.breachSeconds(), "secondsAboveLimit", longest)));
            if (sustained > limit) {
                breaches.add(String.format(Locale.ROOT, "%s held %.1f °C, above the limit of %.1f °C, for %.0f s", t.getKey(),
                        sustained, limit, longest));
            }
        }
        Coverage cov = tempsHoldCoverage();
        if (!breaches.isEmpty()) {
            return failed("peak-temperature", String.join("; ", breaches), ms, cov);
        }
        if (ms.isEmpty()) {
            return new Check("peak-temperature", Status.INSUFFICIENT, "no temperature sensor gave " + k + " readings in a row", List.of());
        }
        return judged("peak-temperature", String.format(Locale.ROOT, "every sensor stayed at or under %.1f °C", limit), ms, cov);
    }

    private Check equilibrium() {
        if (!phases.staged) {
            return skipped("equilibrium-temperature", "the run had no stage of suites together, so no hold to settle in");
        }
        if (temps.isEmpty()) {
            return skipped("equilibrium-temperature", "no temperature sensor gave a reading");
        }
        int w = eqWindow;
        if (phases.end - phases.start < w) {
            return skipped("equilibrium-temperature", "the hold was shorter than the equilibrium window (" + limits.equilibriumWindow() + ")");
        }
        String hottest = hottest();
        int eq = equilibriumIndex(hotSmoothed(), w);
        List<Measurement> ms = new ArrayList<>();
        List<String> over = new ArrayList<>();
        double limit = limits.maxEquilibriumCelsius();
        for (Map.Entry<String, Temp> t : temps.entrySet()) {
            double mean = t.getValue().eqMean;
            if (Double.isNaN(mean)) {
                continue;
            }
            ms.add(new Measurement("equilibrium_celsius", mean, "celsius", null, limit, Map.of("channel", t.getKey())));
            if (mean > limit) {
                over.add(String.format(Locale.ROOT, "%s settled at %.1f °C, above %.1f °C", t.getKey(), mean, limit));
            }
        }
        Coverage cov = tempsHoldCoverage();
        if (ms.isEmpty()) {
            return new Check("equilibrium-temperature", Status.INSUFFICIENT, "no sensor gave a reading in the hold's last "
                    + limits.equilibriumWindow(), List.of(cov.measurement("equilibrium-temperature")));
        }
        String when;
        if (eq >= 0) {
            double seconds = (trace.millis(eq) - trace.millis(phases.start)) / 1000.0;
            ms.add(new Measurement("time_to_equilibrium_seconds", seconds, "seconds", null, null, Map.of("channel", hottest)));
            when = String.format(Locale.ROOT, "equilibrium after %.0f s", seconds);
        } else {
            when = "no equilibrium within the hold (judged on its last " + limits.equilibriumWindow() + ")";
        }
        // runaway: a sensor still rising at the hold's end (read through its last window) on a course that crosses the
        // limit within the stage's own length
        double holdSeconds = (phases.endMs - phases.startMs) / 1000.0;
        for (Map.Entry<String, Temp> t : temps.entrySet()) {
            Temp f = t.getValue();
            if (!coverage(Map.of(t.getKey(), f.lastWindowFinite), lastWindowFromMs, phases.endMs, "hold's last window").enough()) {
                continue; // not read to the end of the hold: the coverage says so, no course is drawn from an older slope
            }
            double rate = f.endSlope;
            double last = f.lastInHold;
            if (!(rate > limits.equilibriumCelsiusPerMinute() / 60.0) || !Double.isFinite(last)) {
                continue;
            }
            double toLimit = (limits.maxTemperatureCelsius() - last) / rate;
            ms.add(new Measurement("end_of_hold_slope_celsius_per_minute", rate * 60, "celsius_per_minute", null,
                    limits.equilibriumCelsiusPerMinute(), Map.of("channel", t.getKey(), "secondsToLimit", toLimit)));
            if (toLimit <= holdSeconds) {
                over.add(String.format(Locale.ROOT, "%s was still rising %.1f °C/min at the end of the hold (at %.1f °C): on that course "
                                + "it crosses %.1f °C in %.0f s, within the stage's own length of %.0f s: a runaway", t.getKey(), rate * 60, last,
                        limits.maxTemperatureCelsius(), Math.max(0, toLimit), holdSeconds));
            }
        }
        return over.isEmpty() ? judged("equilibrium-temperature", when, ms, cov)
                : failed("equilibrium-temperature", String.join("; ", over) + "; " + when, ms, cov);
    }

    /** The SKU's clock floors: each floor's clusters' busy clock in the hold (its median) at or above it. */
    private Check floors() {
        Map<String, Double> floors = limits.clockFloors();
        if (floors.isEmpty()) {
            return skipped("clock-floors", "no minSustainedClockHertz is set (a SKU file sets it)");
        }
        List<Measurement> ms = new ArrayList<>();
        List<String> low = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Map<String, Integer> judgedChannels = new LinkedHashMap<>();
        for (Map.Entry<String, Double> floor : floors.entrySet()) {
            int judged = 0;
            for (Map.Entry<String, Cluster> c : clusters.entrySet()) {
                String kind = c.getValue().kind();
                if (!kind.equals(floor.getKey()) && !c.getKey().equals(floor.getKey())) {
                    continue;
                }
                if (c.getValue().busyHold() == 0) {
                    continue;
                }
                judgedChannels.put("cluster " + c.getKey(), c.getValue().readHold());
                double median = c.getValue().busyHoldMedian();
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("cluster", c.getKey());
                meta.put("kind", kind);
                meta.put("busySamples", c.getValue().busyHold());
                ms.add(new Measurement("cluster_" + c.getKey() + "_sustained_clock_hertz", median, "hertz", floor.getValue(), null, meta));
                if (median < floor.getValue()) {
                    low.add(String.format(Locale.ROOT, "cluster %s sustained %.2f GHz, under its floor of %.2f GHz", c.getKey(), median / 1e9,
                            floor.getValue() / 1e9));
                }
                judged++;
            }
            if (judged == 0) {
                missing.add(String.format(Locale.ROOT, "no %s cluster was busy (at least %.0f%% active) in any sample with a clock reading",
                        floor.getKey(), ClusterClocks.BUSY * 100));
            }
        }
        Coverage cov = holdCoverage(judgedChannels);
        if (!low.isEmpty()) {
            return failed("clock-floors", String.join("; ", low), ms, cov);
        }
        if (!missing.isEmpty()) {
            return new Check("clock-floors", Status.SKIPPED, String.join("; ", missing) + ", so the SKU's floors cannot all be checked", ms);
        }
        return judged("clock-floors", "every cluster's busy clock at or above its floor", ms, cov);
    }

    /**
     * Time at clock per busy cluster during the hold. The reference is the stage's own sustained
     * all-core clock: the highest clock the cluster held for {@code breachSeconds} while busy in the
     * hold (never a one-core boost from a solo phase, nor cpufreq's single-core turbo maximum). A
     * sample counts as throttled only within a run of {@code breachSeconds} under the share.
     */
    private Check throttling() {
        if (!phases.staged) {
            // Linux has no per-CPU activity channel: without a stage, idle clocks between suites would read as throttling
            return skipped("throttling", "the run had no stage of suites together, so no window known to be under load");
        }
        if (clusters.isEmpty()) {
            return skipped("throttling", "no CPU cluster clock was read");
        }
        List<Measurement> ms = new ArrayList<>();
        List<String> throttled = new ArrayList<>();
        Map<String, Integer> judgedChannels = new LinkedHashMap<>();
        for (Map.Entry<String, Cluster> e : clusters.entrySet()) {
            Cluster c = e.getValue();
            double max = c.sustainedMax();
            if (c.busyHold() < k || !(max > 0)) {
                continue;
            }
            judgedChannels.put("cluster " + e.getKey(), c.readHold());
            long below = c.heldBelow();
            double share = (c.busyHold() - below) / (double) c.busyHold();
            double secondsThrottled = below * dt;
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("cluster", e.getKey());
            meta.put("kind", c.kind());
            meta.put("referenceHertz", max);
            meta.put("secondsThrottled", secondsThrottled);
            ms.add(new Measurement("cluster_" + e.getKey() + "_time_at_clock_ratio", share, "ratio", limits.minTimeAtClock(), null, meta));
            if (share < limits.minTimeAtClock()) {
                throttled.add(String.format(Locale.ROOT, "cluster %s ran under %.0f%% of its sustained %.2f GHz for %.0f s (%.0f%% of its busy hold)",
                        e.getKey(), limits.clockShare() * 100, max / 1e9, secondsThrottled, (1 - share) * 100));
            }
        }
        if (ms.isEmpty()) {
            return skipped("throttling", "no CPU cluster was busy for " + limits.breachSeconds() + " s of the hold with a clock reading");
        }
        Coverage cov = holdCoverage(judgedChannels);
        return throttled.isEmpty() ? judged("throttling", "every busy cluster held its clock", ms, cov)
                : failed("throttling", String.join("; ", throttled), ms, cov);
    }

    private Check pressure() {
        Channel ch = channels.get("thermal_pressure_level");
        if (ch == null || ch.finite == 0) {
            return skipped("thermal-pressure", "no thermal pressure level was read (macOS gives it)");
        }
        double[] hold = trace.column("thermal_pressure_level", phases.start, Math.max(phases.start, phases.end));
        hold = finite(hold, 0, hold.length);
        Coverage cov = holdCoverage(Map.of("thermal_pressure_level", ch.holdFinite));
        if (hold.length == 0) {
            return new Check("thermal-pressure", Status.INSUFFICIENT, cov.words(), List.of(cov.measurement("thermal-pressure")));
        }
        int level = limits.maxThermalPressure();
        long over = 0;
        double highest = hold[0];
        for (double v : hold) {
            over += v > level ? 1 : 0;
            highest = Math.max(highest, v);
        }
        double share = over / (double) hold.length;
        Measurement m = new Measurement("time_over_pressure_ratio", share, "ratio", null, limits.maxTimeOverPressure(),
                Map.of("maxLevel", level, "highestLevel", highest, "secondsOver", over * dt));
        String what = String.format(Locale.ROOT, "thermal pressure above level %d for %.0f s (%.0f%% of the hold)", level, over * dt, share * 100);
        return share > limits.maxTimeOverPressure()
                ? failed("thermal-pressure", what + ", more than " + Math.round(limits.maxTimeOverPressure() * 100) + "%", List.of(m), cov)
                : judged("thermal-pressure", what, List.of(m), cov);
    }

    private Check fans() {
        if (!phases.staged) {
            return skipped("fans", "the run had no stage of suites together, so no window known to be under load");
        }
        List<String> fans = channels.entrySet().stream().filter(e -> e.getKey().endsWith("_rpm") && e.getValue().finite > 0)
                .map(Map.Entry::getKey).toList();
        if (fans.isEmpty()) {
            return skipped("fans", "no fan speed was read (none here, or no sensor for them)");
        }
        List<Measurement> ms = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        boolean rose = false;
        Map<String, Integer> fanHold = new LinkedHashMap<>();
        for (String f : fans) {
            Channel ch = channels.get(f);
            fanHold.put(f, ch.holdFinite);
            double stopped = ch.stoppedRun * dt;
            double holdMean = ch.holdMean;
            double baseMean = ch.baseMean;
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("channel", f);
            meta.put("baselineRpm", Double.isNaN(baseMean) ? "unknown" : baseMean);
            meta.put("secondsStopped", stopped);
            ms.add(new Measurement("fan_hold_rpm", holdMean, "rpm", null, null, meta));
            if (stopped >= limits.breachSeconds()) {
                bad.add(String.format(Locale.ROOT, "%s stopped for %.0f s under load", f, stopped));
            }
            rose |= holdMean > baseMean;
        }
        String step = "";
        Rise rise = rise(null);
        if (rise != null && rise.celsius() >= limits.loadStepCelsius() && !rose) {
            bad.add(String.format(Locale.ROOT, "no fan sped up while %s rose %.1f °C under load", rise.channel(), rise.celsius()));
        } else if (rise == null) {
            step = "; whether they speed up with load needs a temperature sensor";
        }
        Coverage cov = holdCoverage(fanHold);
        return bad.isEmpty() ? judged("fans", fans.size() + " fan(s) turning under load" + step, ms, cov)
                : failed("fans", String.join("; ", bad), ms, cov);
    }

    private Check sanity() {
        List<String> notes = new ArrayList<>();
        if (trace.damagedLines() > 0) {
            notes.add(trace.damagedLines() + " damaged line(s) of the trace skipped (the first at line " + trace.firstDamagedLine() + ")");
        }
        List<String> bad = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, Channel> e : channels.entrySet()) {
            String c = e.getKey();
            Channel ch = e.getValue();
            if (sanityRange(c) == null || ch.seen == 0) {
                continue;
            }
            checked.add(c);
            if (ch.impossible >= 2) {
                bad.add(String.format(Locale.ROOT, "%s read impossible values (%s) in %d samples", c, fmt(ch.example), ch.impossible));
            }
            int end = phases.staged ? phases.end : trace.size();
            if (ch.lastSeen >= 0 && ch.lastSeen < end - 1 - k) {
                notes.add(String.format(Locale.ROOT, "%s stopped reporting %.0f s before the end of the load and is judged on what it gave",
                        c, (trace.millis(end - 1) - trace.millis(ch.lastSeen)) / 1000.0));
            }
        }
        if (checked.isEmpty()) {
            return skipped("sensor-sanity", "no temperature, fan, clock or power channel gave a reading");
        }
        // stuck: flat while the load stepped, the step seen in evidence other than the sensor judged
        for (Map.Entry<String, Temp> e : temps.entrySet()) {
            Temp t = e.getValue();
            boolean bothSides = t.baseFinite >= k && t.holdFinite >= k;
            if (bothSides && t.spanFlat) {
                String step = loadStepBeside(e.getKey());
                if (step != null) {
                    bad.add(String.format(Locale.ROOT, "%s read %s °C throughout while %s: stuck", e.getKey(), fmt(t.spanFirst), step));
                }
            }
        }
        // neighbours: sensors whose names differ only in their numbers form a group
        Map<String, List<String>> groups = new TreeMap<>();
        temps.keySet().forEach(c -> groups.computeIfAbsent(c.replaceAll("\\d+", "#"), x -> new ArrayList<>()).add(c));
        for (List<String> g : groups.values()) {
            if (g.size() < 3) {
                continue;
            }
            Map<String, Double> means = new LinkedHashMap<>();
            for (String c : g) {
                double m = temps.get(c).holdMean;
                // a sensor read for part of the hold has a mean of that part: compared only when read through it
                if (!Double.isNaN(m) && holdCoverage(Map.of(c, temps.get(c).holdFinite)).enough()) {
                    means.put(c, m);
                }
            }
            if (means.size() < 3) {
                continue;
            }
            double med = median(means.values().stream().mapToDouble(Double::doubleValue).toArray());
            means.forEach((c, m) -> {
                if (Math.abs(m - med) > limits.neighbourMarginCelsius()) {
                    bad.add(String.format(Locale.ROOT, "%s averaged %.1f °C under load, %.1f °C from its neighbours' median of %.1f °C",
                            c, m, Math.abs(m - med), med));
                }
            });
        }
        String note = notes.isEmpty() ? "" : "; " + String.join("; ", notes);
        return bad.isEmpty() ? pass("sensor-sanity", checked.size() + " channel(s) plausible" + note, List.of())
                : fail("sensor-sanity", String.join("; ", bad) + note, List.of());
    }

    private Check heatUp() {
        if (!phases.staged) {
            return skipped("heat-up-rate", "the run had no stage of suites together, so no load step");
        }
        if (temps.isEmpty()) {
            return skipped("heat-up-rate", "no temperature sensor gave a reading");
        }
        int w = window(limits.heatUpWindowDuration().toMillis() / 1000.0);
        String hottest = hottest();
        double[] v = hotSmoothed();
        double fastest = Double.NaN;
        for (int i = phases.start; i + w < phases.end; i++) {
            if (Double.isFinite(v[i]) && Double.isFinite(v[i + w])) {
                double rate = (v[i + w] - v[i]) / ((trace.millis(i + w) - trace.millis(i)) / 1000.0);
                fastest = Double.isNaN(fastest) ? rate : Math.max(fastest, rate);
            }
        }
        if (Double.isNaN(fastest)) {
            return skipped("heat-up-rate", "the hold was shorter than the heat-up window (" + limits.heatUpWindow() + ")");
        }
        Measurement m = new Measurement("heat_up_celsius_per_second", fastest, "celsius_per_second", null,
                limits.maxHeatUpCelsiusPerSecond(), Map.of("channel", hottest, "window", limits.heatUpWindow()));
        String what = String.format(Locale.ROOT, "%s rose at most %.2f °C/s over %s", hottest, fastest, limits.heatUpWindow());
        Coverage cov = holdCoverage(Map.of(hottest, temps.get(hottest).holdFinite));
        return fastest > limits.maxHeatUpCelsiusPerSecond()
                ? failed("heat-up-rate", what + String.format(Locale.ROOT, ", faster than %.2f °C/s: poor contact between die and heat sink?",
                limits.maxHeatUpCelsiusPerSecond()), List.of(m), cov)
                : judged("heat-up-rate", what, List.of(m), cov);
    }

    private Check coolDown() {
        if (!phases.staged) {
            return skipped("cool-down", "the run had no stage of suites together, so no cool-down");
        }
        if (temps.isEmpty()) {
            return skipped("cool-down", "no temperature sensor gave a reading");
        }
        String hottest = hottest();
        double base = temps.get(hottest).baseMean;
        if (Double.isNaN(base)) {
            return skipped("cool-down", "no baseline reading of " + hottest + " before the load");
        }
        if (phases.cooldownEndMs <= phases.endMs) {
            return skipped("cool-down", "the stage had no cool-down");
        }
        double[] raw = hotRaw();
        double[] v = hotSmoothed();
        double target = base + limits.coolDownMarginCelsius();
        double limitSeconds = limits.maxCoolDownDuration().toMillis() / 1000.0;
        Coverage baseCov = coverage(Map.of(hottest, count(raw, phases.baseline, phases.baselineEnd)), phases.baselineMs, phases.baselineEndMs,
                "baseline");
        for (int i = phases.end; i < phases.cooldownEnd && i < trace.size(); i++) {
            if (v[i] <= target) {
                double s = (trace.millis(i) - trace.millis(phases.end)) / 1000.0;
                Coverage cov = coverage(Map.of(hottest, count(raw, phases.end, i + 1)), phases.endMs, trace.millis(i) + Math.round(dt * 1000),
                        "cool-down");
                Measurement m = new Measurement("cool_down_seconds", s, "seconds", null, limitSeconds, Map.of("channel", hottest));
                String what = String.format(Locale.ROOT, "%s back within %.1f °C of its %.1f °C baseline %.0f s after the load",
                        hottest, limits.coolDownMarginCelsius(), base, s);
                return s > limitSeconds ? failed("cool-down", what + ", longer than " + limits.maxCoolDown(), List.of(m), baseCov, cov)
                        : judged("cool-down", what, List.of(m), baseCov, cov);
            }
        }
        Coverage cov = coverage(Map.of(hottest, count(raw, phases.end, phases.cooldownEnd)), phases.endMs, phases.cooldownEndMs, "cool-down");
        int lastIdx = lastFiniteIndex(v, phases.end, Math.min(phases.cooldownEnd, trace.size()));
        if (lastIdx < 0) {
            return new Check("cool-down", Status.INSUFFICIENT, hottest + " gave no reading after the load (" + cov.words() + ")",
                    List.of(cov.measurement("cool-down")));
        }
        double waited = (trace.millis(lastIdx) - trace.millis(phases.end)) / 1000.0;
        String what = String.format(Locale.ROOT, "%s still %.1f °C above its %.1f °C baseline %.0f s after the load", hottest,
                v[lastIdx] - base, base, waited);
        if (waited >= limitSeconds) {
            return failed("cool-down", what + " (limit " + limits.maxCoolDown() + ")", List.of(), baseCov, cov);
        }
        return (phases.cooldownEndMs - phases.endMs) / 1000.0 >= limitSeconds
                ? new Check("cool-down", Status.INSUFFICIENT, what + ", then stopped reading (" + cov.words() + ")",
                List.of(cov.measurement("cool-down")))
                : skipped("cool-down", what + ", and the cool-down was shorter than maxCoolDown (" + limits.maxCoolDown() + ")");
    }

    private List<Measurement> channelStats() {
        List<Measurement> out = new ArrayList<>();
        for (Map.Entry<String, Channel> e : channels.entrySet()) {
            Channel ch = e.getValue();
            if (ch.finite == 0) {
                continue;
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("channel", e.getKey());
            meta.put("min", ch.min);
            meta.put("max", ch.max);
            meta.put("samples", ch.finite);
            out.add(new Measurement("channel_mean", ch.mean, unit(e.getKey()), null, null, meta));
        }
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** The temperature sensor with the highest mean during the hold (the whole run without a stage). */
    private String hottest() {
        if (hottest != null) {
            return hottest;
        }
        String best = null;
        double top = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Temp> t : temps.entrySet()) {
            double m = t.getValue().holdMean;
            if (m > top) {
                top = m;
                best = t.getKey();
            }
        }
        hottest = best == null ? temps.keySet().iterator().next() : best;
        return hottest;
    }

    /** A temperature sensor's rise from the baseline's mean to the mean of the hold's last window. */
    record Rise(String channel, double celsius) {
    }

    /** The largest rise of any temperature sensor but {@code excluded} (null: any), or null without a stage or sensor. */
    private Rise rise(String excluded) {
        if (!phases.staged) {
            return null;
        }
        Rise best = null;
        for (Map.Entry<String, Temp> t : temps.entrySet()) {
            if (t.getKey().equals(excluded)) {
                continue;
            }
            double r = t.getValue().riseMean - t.getValue().baseMean;
            if (Double.isFinite(r) && (best == null || r > best.celsius())) {
                best = new Rise(t.getKey(), r);
            }
        }
        return best;
    }

    /**
     * Whether the load stepped between the baseline and the hold, seen in evidence other than the
     * sensor {@code judged}: another temperature sensor that rose {@code loadStepCelsius}, a power
     * channel that rose {@link #POWER_STEP_WATTS} and half its baseline, or a busy share (CPU load, a
     * cluster's or the GPU's active ratio) that rose {@link #BUSY_STEP}. The step in words, or null.
     */
    private String loadStepBeside(String judged) {
        if (!phases.staged) {
            return null;
        }
        Rise r = rise(judged);
        if (r != null && r.celsius() >= limits.loadStepCelsius()) {
            return String.format(Locale.ROOT, "%s rose %.1f °C", r.channel(), r.celsius());
        }
        for (Map.Entry<String, Channel> e : channels.entrySet()) {
            String c = e.getKey();
            double base = e.getValue().baseMean;
            double hold = e.getValue().holdMean;
            if (!Double.isFinite(base) || !Double.isFinite(hold)) {
                continue;
            }
            if (c.endsWith("_watts") && hold - base >= Math.max(POWER_STEP_WATTS, 0.5 * base)) {
                return String.format(Locale.ROOT, "%s rose from %.1f W to %.1f W", c, base, hold);
            }
            if ((c.equals("cpu_load_ratio") || c.endsWith("_active_ratio")) && hold - base >= BUSY_STEP) {
                return String.format(Locale.ROOT, "%s rose from %.0f%% to %.0f%%", c, base * 100, hold * 100);
            }
        }
        return null;
    }

    /** The first index in the hold where the slope over the window falls under the equilibrium rate, or -1. */
    private int equilibriumIndex(double[] v, int w) {
        double rate = limits.equilibriumCelsiusPerMinute() / 60.0;
        for (int i = phases.start + w; i < phases.end; i++) {
            double s = slope(v, i - w, i);
            if (!Double.isNaN(s) && Math.abs(s) < rate) {
                return i;
            }
        }
        return -1;
    }

    /** Least-squares slope in °C per second over {@code [from, to)}. */
    private double slope(double[] v, int from, int to) {
        double n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        for (int i = from; i < to; i++) {
            if (Double.isFinite(v[i])) {
                double x = (trace.millis(i) - trace.millis(from)) / 1000.0;
                n++;
                sx += x;
                sy += v[i];
                sxx += x * x;
                sxy += x * v[i];
            }
        }
        double d = n * sxx - sx * sx;
        return n < 2 || d == 0 ? Double.NaN : (n * sxy - sx * sy) / d;
    }

    private static double lastFinite(double[] v, int from, int to) {
        int i = lastFiniteIndex(v, from, to);
        return i < 0 ? Double.NaN : v[i];
    }

    private static int lastFiniteIndex(double[] v, int from, int to) {
        for (int i = Math.min(to, v.length) - 1; i >= Math.max(0, from); i--) {
            if (Double.isFinite(v[i])) {
                return i;
            }
        }
        return -1;
    }

    private int window(double seconds) {
        return Math.max(2, (int) Math.round(seconds / dt));
    }

    /**
     * The median of the finite values among the last {@code k} (this one included), NaN where this
     * one is NaN: the window is kept sorted as it slides, so a month of samples costs {@code k} steps
     * each, not a sort.
     */
    static double[] runningMedian(double[] v, int k) {
        double[] out = new double[v.length];
        double[] w = new double[k]; // the finite values of the window, sorted
        int n = 0;
        for (int i = 0; i < v.length; i++) {
            if (i >= k && Double.isFinite(v[i - k])) { // leaves the window
                double x = v[i - k];
                int at = 0;
                while (Double.compare(w[at], x) != 0) {
                    at++;
                }
                for (int j = at; j < n - 1; j++) {
                    w[j] = w[j + 1];
                }
                n--;
            }
            if (Double.isFinite(v[i])) { // sorted in Double.compare's order, as Arrays.sort sorts
                double x = v[i];
                int at = n;
                while (at > 0 && Double.compare(w[at - 1], x) > 0) {
                    w[at] = w[at - 1];
                    at--;
                }
                w[at] = x;
                n++;
            }
            out[i] = Double.isNaN(v[i]) || n == 0 ? Double.NaN : n % 2 == 1 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2;
        }
        return out;
    }

    /** The highest value held for {@code k} samples in a row: max over windows of the window's min. */
    static double sustainedMax(double[] v, int from, int to, int k) {
        // each window's minimum from a deque of indices whose values rise (Double.compare's order, as Math.min orders
        // -0.0 under 0.0); a window holding a NaN has none
        double best = Double.NaN;
        int[] dq = new int[Integer.highestOneBit(k) << 1]; // room for the window's k and the one arriving: a power of two
        int mask = dq.length - 1;
        int head = 0;
        int size = 0;
        int lastNaN = from - 1;
        for (int j = from; j < to; j++) {
            double x = v[j];
            if (Double.isNaN(x)) {
                lastNaN = j;
                size = 0;
                continue;
            }
            while (size > 0 && Double.compare(v[dq[(head + size - 1) & mask]], x) >= 0) {
                size--;
            }
            dq[(head + size) & mask] = j;
            size++;
            int i = j - k + 1; // the window [i, j]
            while (dq[head] < i) {
                head = (head + 1) & mask;
                size--;
            }
            if (i >= from && lastNaN < i) {
                double min = v[dq[head]];
                best = Double.isNaN(best) ? min : Math.max(best, min);
            }
        }
        return best;
    }

    /** Busy samples in runs of at least {@code k} in a row under {@code limit}: a shorter dip is not throttling. */
    static long heldBelow(double[] v, int from, int to, double limit, int k) {
        long total = 0;
        int run = 0;
        for (int i = from; i <= Math.min(to, v.length); i++) {
            if (i < Math.min(to, v.length) && Double.isFinite(v[i]) && v[i] < limit) {
                run++;
            } else {
                total += run >= k ? run : 0;
                run = 0;
            }
        }
        return total;
    }

    private static int longestAbove(double[] v, int from, int to, double limit) {
        int best = 0;
        int run = 0;
        for (int i = from; i < to; i++) {
            run = v[i] > limit ? run + 1 : 0;
            best = Math.max(best, run);
        }
        return best;
    }

    private static int longestAtOrBelow(double[] v, int from, int to, double limit) {
        int best = 0;
        int run = 0;
        for (int i = from; i < Math.min(to, v.length); i++) {
            run = v[i] <= limit ? run + 1 : 0;
            best = Math.max(best, run);
        }
        return best;
    }

    static double[] finite(double[] v, int from, int to) {
        int lo = Math.max(0, from);
        int hi = Math.min(to, v.length);
        double[] out = new double[Math.max(0, hi - lo)];
        int n = 0;
        for (int i = lo; i < hi; i++) {
            if (Double.isFinite(v[i])) {
                out[n++] = v[i];
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** Finite values in {@code [from, to)}. */
    private static int count(double[] v, int from, int to) {
        int n = 0;
        for (int i = Math.max(0, from); i < Math.min(to, v.length); i++) {
            if (Double.isFinite(v[i])) {
                n++;
            }
        }
        return n;
    }

    /**
     * A compensated sum kept as {@link java.util.stream.DoubleStream#average()} keeps it (the same
     * figure to the last bit): the judge's means equal those of the whole-trace judge it replaced.
     */
    static final class Sum {
        private double hi;
        private double lo;
        private double simple;
        private long n;

        void add(double d) {
            n++;
            double tmp = d - lo;
            double velvel = hi + tmp;
            lo = (velvel - hi) - tmp;
            hi = velvel;
            simple += d;
        }

        long count() {
            return n;
        }

        /** The mean, NaN when nothing was added. */
        double mean() {
            if (n == 0) {
                return Double.NaN;
            }
            double sum = hi - lo;
            return (Double.isNaN(sum) && Double.isInfinite(simple) ? simple : sum) / n;
        }
    }

    /** Whether every value is the same (the largest equals the smallest); the array is not empty. */
    private static boolean flat(double[] v) {
        double min = v[0];
        double max = v[0];
        for (double x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return max == min;
    }

    /** The mean of the finite values in {@code [from, to)}, NaN when none. */
    private static double mean(double[] v, int from, int to) {
        return average(v, Math.max(0, from), Math.min(to, v.length), true);
    }

    /**
     * The mean of {@code v[from, to)} (of its finite values when {@code finiteOnly}), NaN when none,
     * summed as {@link java.util.stream.DoubleStream#average()} sums (compensated, the same figure to
     * the last bit) without the stream's buffers: a month of samples is averaged in place.
     */
    static double average(double[] v, int from, int to, boolean finiteOnly) {
        Sum sum = new Sum();
        for (int i = from; i < to; i++) {
            if (!finiteOnly || Double.isFinite(v[i])) {
                sum.add(v[i]);
            }
        }
        return sum.mean();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String unit(String channel) {
        int u = channel.lastIndexOf('_');
        return u < 0 ? "" : channel.substring(u + 1);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static Check pass(String name, String detail, List<Measurement> ms) {
        return new Check(name, Status.PASS, detail, ms);
    }

    private static Check fail(String name, String detail, List<Measurement> ms) {
        return new Check(name, Status.FAIL, detail, ms);
    }

    private static Check skipped(String name, String reason) {
        return new Check(name, Status.SKIPPED, reason, List.of());
    }
}
