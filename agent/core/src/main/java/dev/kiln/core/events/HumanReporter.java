package dev.kiln.core.events;

import dev.kiln.api.Failure;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Outcome;
import dev.kiln.api.SuiteResult;
import dev.kiln.core.Durations;
import dev.kiln.core.ExitCode;
import dev.kiln.core.runner.Progress;
import dev.kiln.core.runner.RunEngine;
import dev.kiln.core.runner.RunInfo;
import dev.kiln.core.runner.RunListener;
import dev.kiln.core.runner.RunReport;
import dev.kiln.core.runner.Seeds;
import dev.kiln.core.runner.PlannedSuite;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * What a technician sees: a header, live progress per suite (on a terminal, a {@link LiveView}: a
 * line per running suite at the bottom, redrawn every second; a plain line every {@code plainEvery}
 * otherwise), each failure as it happens, a summary table when
 * the suites are done, and the verdict with the process's exit code once it is known.
 */
public final class HumanReporter implements RunListener {
    /** The window a rate is measured over: suites whose work comes in rounds of seconds do not read 0/s between them. */
    private static final long RATE_WINDOW_NANOS = 10_000_000_000L;

    private final PrintStream out;
    private final LiveView live;
    private final boolean colour;
    private final Duration plainEvery;
    private final Supplier<List<Progress>> progress;
    private final Duration idle;
    private final java.util.Map<String, java.util.ArrayDeque<long[]>> samples = new java.util.HashMap<>();
    private ScheduledExecutorService ticker;
    private long lastPlainNanos;
    private boolean ended;
    private boolean manualTicks;
    private RunInfo run;
    private volatile Supplier<java.util.Map<String, Double>> telemetry = java.util.Map::of;

    public HumanReporter(PrintStream out, boolean colour, Duration plainEvery, Supplier<List<Progress>> progress) {
        this(out, null, colour, plainEvery, progress, Duration.ZERO);
    }

    /**
     * @param out        where plain lines go (unused with a live view: its own stream scrolls above the live lines)
     * @param live       the live lines on a terminal, or null for a plain progress line every {@code plainEvery}
     * @param colour     the verdict and failure counts in colour (a terminal, and {@code NO_COLOR} not set)
     * @param idle       the run's idle time besides its suites (a stage's baseline and cool-down), for the estimate
     */
    public HumanReporter(PrintStream out, LiveView live, boolean colour, Duration plainEvery, Supplier<List<Progress>> progress, Duration idle) {
        this.idle = idle;
        this.out = live == null ? out : live.out();
        this.live = live;
        this.colour = colour;
        this.plainEvery = plainEvery;
        this.progress = progress;
    }

    /** No redraw every second: the caller calls {@link #tick()} (tests that read the screen at chosen moments). */
    HumanReporter manualTicks() {
        this.manualTicks = true;
        return this;
    }

    /** The run's latest telemetry, for the hottest sensor and the power beside the progress. */
    public HumanReporter withTelemetry(Supplier<java.util.Map<String, Double>> latest) {
        this.telemetry = latest;
        return this;
    }

    /**
     * The heat and power now, where the machine has them: the hottest temperature channel and the
     * package power (the sum of CPU, GPU and ANE power on a Mac, of the powercap zones elsewhere);
     * empty when there are none.
     */
    static String heat(java.util.Map<String, Double> sample) {
        String hottest = null;
        double t = Double.NEGATIVE_INFINITY;
        double watts = 0;
        boolean anyWatts = false;
        for (var e : sample.entrySet()) {
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) {
                continue;
            }
            if (e.getKey().endsWith("_celsius") && v > t && v > 0) {
                t = v;
                hottest = e.getKey().substring(0, e.getKey().length() - "_celsius".length());
            } else if (e.getKey().endsWith("_watts") && !e.getKey().equals("combined_power_watts")) {
                watts += v;
                anyWatts = true;
            }
        }
        List<String> parts = new java.util.ArrayList<>();
        if (hottest != null) {
            parts.add(String.format(Locale.ROOT, "hottest %.0f°C (%s)", t, hottest));
        }
        if (anyWatts) {
            parts.add(String.format(Locale.ROOT, "%.0f W", watts));
        }
        return String.join(", ", parts);
    }

    @Override
    public synchronized void runStarted(RunInfo run) {
        this.run = run;
        out.printf("Kiln %s  run %s%n", run.agentVersion(), run.runId());
        String from = run.unit().getOrDefault("serialSource", "platform");
        out.printf("Unit     %s %s  serial %s%s%n", run.unit().getOrDefault("manufacturer", "unknown"),
                run.unit().getOrDefault("model", "unknown"), run.unit().getOrDefault("serial", "unknown"),
                switch (from) {
                    case "platform" -> "";
                    case "none" -> " (none readable here: give --serial)";
                    case "--serial" -> " (given with --serial)";
                    default -> " (from the " + from + ")";
                });
        out.printf("Profile  %s  seed %s (replay with --seed %s)%n", run.profile(), Seeds.format(run.seed()), Seeds.format(run.seed()));
        // suites of a stage (named stage/suite) run at the same time: their longest counts once
        Duration total = Duration.ZERO;
        java.util.Map<String, Duration> stages = new java.util.HashMap<>();
        for (PlannedSuite p : run.suites()) {
            int slash = p.id().indexOf('/');
            if (slash < 0) {
                total = total.plus(p.duration());
            } else {
                stages.merge(p.id().substring(0, slash), p.duration(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            }
        }
        total = stages.values().stream().reduce(total.plus(idle), Duration::plus);
        out.printf("Suites   %s  (about %s)%n%n", String.join(", ", run.suites().stream().map(PlannedSuite::id).toList()),
                Durations.format(total));
        out.flush();
if (manualTicks) {
            return;
        }
                ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void suiteStarted(PlannedSuite suite) {
        out.printf("> %s  %s%s%n", suite.id(), Durations.format(suite.duration()), suite.required() ? "" : "  (optional)");
        out.flush();
        long now = System.nanoTime();
        java.util.ArrayDeque<long[]> q = new java.util.ArrayDeque<>();
        q.add(new long[] {0, now}); // until the window fills, the rate is since the suite started
        samples.put(suite.id(), q);
        lastPlainNanos = now;
    }

    synchronized void tick() {
        if (ended) {
            return;
        }
        List<Progress> all = progress.get();
        long now = System.nanoTime();
        java.util.Map<String, Double> rates = new java.util.HashMap<>();
        for (Progress p : all) {
            rates.put(p.suiteId(), rate(p, now));
        }
        String heat = heat(telemetry.get());
        if (live != null) {
            live.show(liveLines(all, rates, heat));
            return;
        }
        if (all.isEmpty() || now - lastPlainNanos < plainEvery.toNanos()) {
            return;
        }
        List<String> parts = new java.util.ArrayList<>();
        for (Progress p : all) {
            parts.add(all.size() == 1
                    ? String.format(Locale.ROOT, "  %s  %-10s %s elapsed, %s left  %d worker(s)  %s  %d failure(s)",
                    p.suiteId(), p.phase(), Durations.format(p.elapsed()), Durations.format(p.remaining()), p.workers(),
                    rate(rates.get(p.suiteId()), p.unit()), p.failures())
                    : String.format(Locale.ROOT, "%s %s left %s %d failure(s)", p.suiteId(), Durations.format(p.remaining()),
                    rate(rates.get(p.suiteId()), p.unit()), p.failures()));
        }
        String line = all.size() == 1 ? parts.get(0) : "  " + String.join(" | ", parts);
        if (!heat.isEmpty()) {
            line += "  " + heat;
        }
        lastPlainNanos = now;
        out.println(line);
        out.flush();
    }

    /** Work per second over the last {@link #RATE_WINDOW_NANOS} (since the suite started, before that). */
    private double rate(Progress p, long now) {
        java.util.ArrayDeque<long[]> q = samples.computeIfAbsent(p.suiteId(), k -> new java.util.ArrayDeque<>());
        q.addLast(new long[] {p.units(), now});
        while (q.size() > 2 && now - q.peekFirst()[1] > RATE_WINDOW_NANOS) {
            q.removeFirst();
        }
        long[] first = q.peekFirst();
        return q.size() < 2 ? 0 : (p.units() - first[0]) / Math.max(1e-9, (now - first[1]) / 1e9);
    }

    /**
     * What the live view shows: one line per running suite (stage members as stage/suite) with its
     * phase, time, workers, verified work in its own unit and failures so far, then the heat and power.
     */
    List<AttributedString> liveLines(List<Progress> all, java.util.Map<String, Double> rates, String heat) {
        List<AttributedString> lines = new java.util.ArrayList<>();
        int w = all.stream().mapToInt(p -> p.suiteId().length()).max().orElse(0);
        for (Progress p : all) {
            AttributedStringBuilder b = new AttributedStringBuilder();
            b.append(String.format(Locale.ROOT, "  %-" + w + "s  %-11s %7s elapsed %7s left  %2d worker%s  %-26s ", p.suiteId(), p.phase(),
                    Durations.format(p.elapsed()), Durations.format(p.remaining()), p.workers(), p.workers() == 1 ? " " : "s",
                    rate(rates.getOrDefault(p.suiteId(), 0.0), p.unit())));
            String failures = p.failures() + (p.failures() == 1 ? " failure" : " failures");
            b.append(failures, colour && p.failures() > 0 ? AttributedStyle.BOLD.foreground(AttributedStyle.RED) : AttributedStyle.DEFAULT);
            lines.add(b.toAttributedString());
        }
        if (!heat.isEmpty()) {
            lines.add(new AttributedString("  " + heat));
        }
        return lines;
    }

    @Override
    public synchronized void failure(String suiteId, Failure f) {
        out.printf("  %s %s: %s%n", f.degraded() ? "DEGRADED" : "FAIL", suiteId, f.message());
        out.flush();
    }

    @Override
    public synchronized void log(String suiteId, LogLevel level, String message) {
        if (suiteId == null && level == LogLevel.INFO) {
            // the run's own steps (a stage's idle baseline and cool-down): a silent minute would look hung
            out.printf("  %s%n", message);
            out.flush();
        } else if (level.compareTo(LogLevel.WARNING) >= 0) {
            out.printf("  %s %s: %s%n", level, suiteId == null ? "run" : suiteId, message);
            out.flush();
        }
    }

    @Override
    public synchronized void suiteEnded(SuiteResult r) {
        String why = r.outcome() == Outcome.SKIPPED ? "  " + r.category() + ": " + r.reason()
                : r.reason().isEmpty() ? "" : "  " + r.reason();
        out.printf("  %s %s in %s, %d iterations%s%n%n", r.outcome(), r.suiteId(),
                Durations.format(Duration.between(r.started(), r.ended())), r.iterations(), why);
        out.flush();
    }

    @Override
    public synchronized void runEnded(RunReport report) {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        ended = true;
        if (live != null) {
            live.close(); // the live lines go; the summary is ordinary output below what scrolled
        }
        out.println("Summary");
        // the suite column as wide as the longest id (stage members are stage/suite), so every row lines up
        int w = Math.max(16, report.results().stream().mapToInt(r -> r.suiteId().length()).max().orElse(0));
        String row = "  %-" + w + "s %-12s %-9s %12s %9s  %s%n";
        out.printf(row, "SUITE", "OUTCOME", "TIME", "ITERATIONS", "FAILURES", "NOTE");
        for (SuiteResult r : report.results()) {
            String note = r.outcome() == Outcome.SKIPPED ? r.category() + ": " + r.reason() : r.reason();
            if (!r.standIn().isEmpty() && r.outcome() != Outcome.SKIPPED) {
                note = "on a stand-in: " + r.standIn() + (note.isEmpty() ? "" : "; " + note); // never the engine itself
            }
            if (note.length() > 100) {
                note = note.substring(0, 97) + "...";
            }
            out.printf("  %-" + w + "s %-12s %-9s %12d %9d  %s%s%n", r.suiteId(), r.outcome(),
                    Durations.format(Duration.between(r.started(), r.ended())), r.iterations(), r.failureCount(),
                    r.required() ? "" : "(optional) ", note);
        }
        List<String> windows = loadWindows(report);
        if (!windows.isEmpty()) {
            out.println(); // under the table, not in it: the table's rows are suites
            windows.forEach(out::println);
        }
        out.flush();
    }

    /**
     * One line per stage: the load window its members shared (from each member's
     * {@code load_window_seconds}), so a reader sees they ran together; each member's own when they
     * did not start within a second of each other.
     */
    static List<String> loadWindows(RunReport report) {
        Map<String, List<String[]>> stages = new LinkedHashMap<>();
        for (SuiteResult r : report.results()) {
            int slash = r.suiteId().indexOf('/');
            if (slash < 0) {
                continue;
            }
            r.measurements().stream().filter(m -> m.name().equals("load_window_seconds")).findFirst().ifPresent(m ->
                    stages.computeIfAbsent(r.suiteId().substring(0, slash), k -> new ArrayList<>()).add(new String[] {
                        r.suiteId(), String.valueOf(m.metadata().get("loadStart")), String.valueOf(m.metadata().get("loadEnd"))}));
        }
        List<String> lines = new ArrayList<>();
        DateTimeFormatter hms = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
        stages.forEach((stage, ms) -> {
            Instant first = ms.stream().map(x -> Instant.parse(x[1])).min(Comparator.naturalOrder()).orElseThrow();
            Instant last = ms.stream().map(x -> Instant.parse(x[1])).max(Comparator.naturalOrder()).orElseThrow();
            Instant end = ms.stream().map(x -> Instant.parse(x[2])).max(Comparator.naturalOrder()).orElseThrow();
            if (Duration.between(first, last).toMillis() < 1000) {
                lines.add(String.format("Stage %s: the load of its %d member(s) ran together from %s to %s UTC (%s)", stage, ms.size(),
                        hms.format(first), hms.format(end), Durations.format(Duration.between(first, end))));
            } else {
                ms.forEach(x -> lines.add(String.format("Stage member %s: load from %s to %s UTC", x[0], hms.format(Instant.parse(x[1])),
                        hms.format(Instant.parse(x[2])))));
            }
        });
        return lines;
    }

    /**
     * The last line, printed once the process's exit code is known (after sealing and delivery), so
     * the code shown is the code {@code $?} shows.
     *
     * @param exit why, beyond the verdict, when the code is not the verdict's (null otherwise)
     */
    public synchronized void verdict(RunReport report, ExitCode exit, String why) {
        out.printf("%nVerdict  %s  (%s)  exit %d%s%n", colour(report.verdict()), RunEngine.explain(report), exit.code(),
                why == null ? "" : ": " + why);
        nextSteps(report).forEach(out::println);
        out.flush();
    }

    /** The verdict, in its colour where colour is on (a terminal, {@code NO_COLOR} unset); the line's words stay the same for scripts. */
    private String colour(dev.kiln.api.Verdict v) {
        if (!colour) {
            return v.name();
        }
        String code = switch (v) {
            case PASS -> "32";
            case FAIL -> "31";
            case INCOMPLETE -> "33";
        };
        return "\033[1;" + code + "m" + v.name() + "\033[0m";
    }

    /**
     * What a person does next: for a failure, where it was (in the suite's own words, with its
     * location) and the exact command that runs the same work again, then repair if it repeats; for
     * an incomplete run, what did not run and why. Nothing for a pass.
     */
    List<String> nextSteps(RunReport report) {
        List<String> lines = new java.util.ArrayList<>();
        List<SuiteResult> failed = report.results().stream().filter(r -> r.outcome() == Outcome.FAIL || r.outcome() == Outcome.HUNG).toList();
        List<SuiteResult> missing = report.results().stream().filter(r -> r.required() && (r.outcome() == Outcome.SKIPPED
                || r.outcome() == Outcome.ERROR || r.outcome() == Outcome.INTERRUPTED)).toList();
        if (!failed.isEmpty()) {
            lines.add("");
            lines.add("What failed");
            for (SuiteResult r : failed) {
                List<dev.kiln.api.Failure> fs = r.failures().stream().filter(f -> !f.degraded()).limit(3).toList();
                if (fs.isEmpty()) {
                    lines.add("  " + r.suiteId() + " " + r.outcome() + ": " + r.reason());
                }
                for (dev.kiln.api.Failure f : fs) {
                    String where = location(f.details());
                    lines.add("  " + r.suiteId() + ": " + f.message() + (where.isEmpty() ? "" : "  [" + where + "]"));
                }
                if (r.failureCount() > fs.size() && !fs.isEmpty()) {
                    lines.add("  " + r.suiteId() + ": " + (r.failureCount() - fs.size()) + " more failure(s) in the bundle");
                }
            }
            lines.add("Next");
            if (run != null) {
                for (SuiteResult r : failed) {
                    lines.add("  run the same work again:  " + rerun(r.suiteId()));
                }
            }
            lines.add("  if it fails again in the same place, send the unit to repair with this run's bundle;");
            lines.add("  if it does not, the fault comes and goes: run the profile again before deciding");
        } else if (!missing.isEmpty()) {
            lines.add("");
            lines.add("Not tested");
            for (SuiteResult r : missing) {
                lines.add("  " + r.suiteId() + " " + r.outcome() + ": " + r.reason());
            }
            lines.add("Next");
            lines.add("  kiln doctor  says what this machine lacks and how to fix it; then run again");
        }
        return lines;
    }

    /** The command that runs one suite's work of this run again: same seed, parameters and length. */
    String rerun(String suiteId) {
        int slash = suiteId.indexOf('/');
        if (slash >= 0) {
            // a member of a stage of suites together: only the stage reproduces it
            return "kiln run --profile " + run.profile() + " --seed " + Seeds.format(run.seed());
        }
        PlannedSuite p = run.suites().stream().filter(s -> s.id().equals(suiteId)).findFirst().orElse(null);
        StringBuilder b = new StringBuilder("kiln run --profile " + run.profile() + " --suites " + suiteId + " --seed " + Seeds.format(run.seed()));
        if (p != null) {
            // as --duration reads it: whole seconds, else milliseconds
            long ms = p.duration().toMillis();
            b.append(" --duration ").append(ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms");
            new java.util.TreeMap<>(p.parameters()).forEach((k, v) -> b.append(" -P ").append(suiteId).append('.').append(k).append('=').append(v));
        }
        return b.toString();
    }

    /** A failure's location fields, in a person's reading order: "cpu 3, phase each-core, address 0x7f00". */
    static String location(java.util.Map<String, Object> details) {
        return dev.kiln.bundle.FailureLocation.describe(k -> java.util.Objects.toString(details.get(k), null), ", ");
    }

    /** A rate in the suite's own unit: bytes of checked work as "1.61 GB/s checked", else "12.0k inferences/s". */
    static String rate(double perSecond, String unit) {
        if ("B".equals(unit)) {
            return si(perSecond) + "B/s checked";
        }
        return si(perSecond) + " " + (unit == null ? "iterations" : unit) + "/s";
    }

    static String si(double v) {
        if (v >= 1e9) {
            return String.format(Locale.ROOT, "%.2fG", v / 1e9);
        }
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.2fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
