package dev.kiln.core.thermal;

import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.core.runner.BuiltInCheck;
import dev.kiln.core.runner.StageWindow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The thermal judge as a suite ({@code thermal}): added by the run itself after the last stage's
 * cool-down (or, in a run without a stage, at the end when a SKU sets limits). It reads the run's
 * trace so far, judges it ({@link ThermalJudge}) and reports each check: a failed check is a failure
 * naming sensor, value, limit and how long; a judged one is a measurement; a skipped one a warning
 * with its reason, and one judged on too few readings a warning saying so. No check judged, a check
 * judged on insufficient evidence, or no temperature judged: SKIPPED(NOT_PRESENT) with the reason, so
 * a run that requires the judge is never a pass on heat it could not see.
 */
public final class ThermalSuite extends BuiltInCheck {
    public static final String ID = "thermal";

    private final ThermalLimits limits;
    private final Supplier<Trace> trace;
    private final Supplier<List<StageWindow>> stages;
    private final Map<Integer, String> cpuClusters;

    public ThermalSuite(ThermalLimits limits, Supplier<Trace> trace, Supplier<List<StageWindow>> stages, Map<Integer, String> cpuClusters) {
        super(ID, "Thermal judge", "Heat, clocks, fans and sensors over the run's trace: baseline, heat-up, hold, cool-down");
        this.limits = limits;
        this.trace = trace;
        this.stages = stages;
        this.cpuClusters = Map.copyOf(cpuClusters);
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        List<StageWindow> windows = stages.get();
        for (StageWindow w : windows) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("stage", w.name());
            meta.put("baselineStart", w.baselineStart().toString());
            meta.put("prepareStart", w.prepareStart().toString());
            meta.put("start", w.start().toString());
            meta.put("end", w.end().toString());
            meta.put("cooldownEnd", w.cooldownEnd().toString());
            ctx.measurement(new Measurement("stage_window_seconds", (w.end().toEpochMilli() - w.start().toEpochMilli()) / 1000.0,
                    "seconds", null, null, meta));
        }
        ThermalJudge.Judgement j;
        try (Trace t = trace.get()) { // a long run's trace is in a temporary file: removed once judged
            j = ThermalJudge.judge(t, windows, limits, cpuClusters);
        }
        String stage = windows.isEmpty() ? "" : windows.get(windows.size() - 1).name();
        j.channels().forEach(ctx::measurement);
        for (ThermalJudge.Check c : j.checks()) {
            switch (c.status()) {
                case PASS -> {
                    c.measurements().forEach(ctx::measurement);
                    ctx.log(LogLevel.INFO, c.name() + ": " + c.detail());
                    ctx.verified(1);
                }
                case FAIL -> {
                    c.measurements().forEach(ctx::measurement);
                    Map<String, Object> d = new LinkedHashMap<>();
                    d.put("check", c.name());
                    if (!stage.isEmpty()) {
                        d.put("stage", stage);
                    }
                    ctx.failure("thermal-" + c.name(), c.name() + ": " + c.detail(), d);
                    ctx.verified(1);
                }
                case INSUFFICIENT -> {
                    c.measurements().forEach(ctx::measurement);
                    ctx.log(LogLevel.WARNING, "check " + c.name() + " cannot pass on the evidence: " + c.detail());
                }
                case SKIPPED -> ctx.log(LogLevel.WARNING, "check " + c.name() + " skipped: " + c.detail());
            }
        }
        if (j.status() == ThermalJudge.Status.SKIPPED) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, "no thermal check could be judged here ("
                    + j.reason() + ")");
        }
        if (j.status() == ThermalJudge.Status.INSUFFICIENT) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, "the heat cannot pass on this evidence ("
                    + j.reason() + ")");
        }
    }
}
