package dev.kiln.core.thermal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.kiln.core.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The thermal judge's thresholds, as a profile's {@code together.thermal} section or a SKU file's
 * {@code limits} section writes them; every key optional. The defaults (see {@link #DEFAULTS} and
 * docs/thermal.md) hold for any machine; a SKU file tightens them for its chip. {@link #over} lays
 * one set over another field by field (the SKU's over the profile's), and {@link #check} refuses
 * values out of range or contradicting each other, naming the field.
 *
 * @param maxTemperatureCelsius          no temperature sensor above this for {@code breachSeconds} or longer
 * @param maxEquilibriumCelsius          no sensor's equilibrium (mean of the hold's last window) above this
 * @param minSustainedClockHertz         a number (the performance clusters' floor) or a map from a kind of
 *                                       cluster ({@code performance}, {@code efficiency}) or a cluster key to
 *                                       the floor of its median clock while busy
 * @param clockShare                     a busy cluster counts as "at clock" at or above this share of its maximum
 * @param minTimeAtClock                 share of the hold's busy samples each cluster must spend at clock
 * @param maxThermalPressure             macOS thermal pressure level allowed (0 Nominal, 1 Moderate, 2 Heavy, 3 Trapping, 4 Sleeping)
 * @param maxTimeOverPressure            share of the hold the level may be above that
 * @param equilibriumCelsiusPerMinute    equilibrium: the hottest sensor's slope under this over {@code equilibriumWindow}
 * @param equilibriumWindow              the window the slope is taken over
 * @param breachSeconds                  how long a limit must be exceeded to count: one sample is never a verdict
 * @param maxHeatUpCelsiusPerSecond      the hottest sensor's fastest rise over {@code heatUpWindow} (a fast ramp points at poor contact)
 * @param heatUpWindow                   the window the rise is taken over
 * @param maxCoolDown                    time after the load for the hottest sensor to return near its baseline
 * @param coolDownMarginCelsius          "near": within this of the baseline
 * @param neighbourMarginCelsius         a sensor whose hold mean is further than this from its group's median disagrees
 * @param loadStepCelsius                the hottest sensor's rise from baseline to hold above which a sensor that
 *                                       did not move is stuck and fans must have sped up
 * @param minCoverage                    the share of a check's window (hold, baseline, cool-down) each channel it
 *                                       judges must have valid readings for; under it the check cannot pass
 * @param criticalCelsius                the live guard's limit: a sensor above it for {@code breachSeconds} during
 *                                       any run stops the load at once and fails the run
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ThermalLimits(@JsonProperty("maxTemperatureCelsius") Double maxTemperatureCelsius,
                            @JsonProperty("maxEquilibriumCelsius") Double maxEquilibriumCelsius,
                            @JsonProperty("minSustainedClockHertz") Object minSustainedClockHertz,
                            @JsonProperty("clockShare") Double clockShare,
                            @JsonProperty("minTimeAtClock") Double minTimeAtClock,
                            @JsonProperty("maxThermalPressure") Integer maxThermalPressure,
                            @JsonProperty("maxTimeOverPressure") Double maxTimeOverPressure,
                            @JsonProperty("equilibriumCelsiusPerMinute") Double equilibriumCelsiusPerMinute,
                            @JsonProperty("equilibriumWindow") String equilibriumWindow,
                            @JsonProperty("breachSeconds") Double breachSeconds,
                            @JsonProperty("maxHeatUpCelsiusPerSecond") Double maxHeatUpCelsiusPerSecond,
                            @JsonProperty("heatUpWindow") String heatUpWindow,
                            @JsonProperty("maxCoolDown") String maxCoolDown,
                            @JsonProperty("coolDownMarginCelsius") Double coolDownMarginCelsius,
                            @JsonProperty("neighbourMarginCelsius") Double neighbourMarginCelsius,
                            @JsonProperty("loadStepCelsius") Double loadStepCelsius,
                            @JsonProperty("minCoverage") Double minCoverage,
                            @JsonProperty("criticalCelsius") Double criticalCelsius) {

    /** What the judge uses where neither the profile nor the SKU says otherwise. */
    public static final ThermalLimits DEFAULTS = new ThermalLimits(100.0, 95.0, null, 0.85, 0.90, 1, 0.10, 1.0, "60s", 5.0,
            1.0, "60s", "10m", 5.0, 15.0, 5.0, 0.90, 110.0);

    /** No thresholds: everything from what it is laid over. */
    public static final ThermalLimits NONE = new ThermalLimits(null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null);

    /** This set where it says something, {@code base} elsewhere. */
    public ThermalLimits over(ThermalLimits base) {
        return new ThermalLimits(or(maxTemperatureCelsius, base.maxTemperatureCelsius), or(maxEquilibriumCelsius, base.maxEquilibriumCelsius),
                or(minSustainedClockHertz, base.minSustainedClockHertz), or(clockShare, base.clockShare), or(minTimeAtClock, base.minTimeAtClock),
                or(maxThermalPressure, base.maxThermalPressure), or(maxTimeOverPressure, base.maxTimeOverPressure),
                or(equilibriumCelsiusPerMinute, base.equilibriumCelsiusPerMinute), or(equilibriumWindow, base.equilibriumWindow),
                or(breachSeconds, base.breachSeconds), or(maxHeatUpCelsiusPerSecond, base.maxHeatUpCelsiusPerSecond),
                or(heatUpWindow, base.heatUpWindow), or(maxCoolDown, base.maxCoolDown), or(coolDownMarginCelsius, base.coolDownMarginCelsius),
                or(neighbourMarginCelsius, base.neighbourMarginCelsius), or(loadStepCelsius, base.loadStepCelsius),
                or(minCoverage, base.minCoverage), or(criticalCelsius, base.criticalCelsius));
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }

    /** Whether any threshold is set (a SKU whose limits set none checks nothing). */
    public boolean checksSomething() {
        return !this.equals(NONE);
    }

    /** The clock floors by cluster kind or key, in the file's order (empty when none). */
    public Map<String, Double> clockFloors() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (minSustainedClockHertz instanceof Number n) {
            out.put("performance", n.doubleValue());
        } else if (minSustainedClockHertz instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k).toLowerCase(Locale.ROOT), v instanceof Number n ? n.doubleValue() : Double.NaN));
        } else if (minSustainedClockHertz != null) {
            out.put("performance", Double.NaN);
        }
        return out;
    }

    public Duration equilibriumWindowDuration() {
        return Durations.parse(equilibriumWindow);
    }

    public Duration heatUpWindowDuration() {
        return Durations.parse(heatUpWindow);
    }

    public Duration maxCoolDownDuration() {
        return Durations.parse(maxCoolDown);
    }

    /** A threshold that is out of range or contradicts another: the field, and what is wrong. */
    public record Problem(String field, String message) {
    }

    /**
     * The first problem in this set (as written; unset fields are not checked), or null. The
     * caller names the file and line.
     */
    public Problem check() {
        if (maxTemperatureCelsius != null && !(maxTemperatureCelsius > 0 && maxTemperatureCelsius < 200)) {
            return new Problem("maxTemperatureCelsius", "must be a temperature in (0, 200) °C");
        }
        if (maxEquilibriumCelsius != null && !(maxEquilibriumCelsius > 0 && maxEquilibriumCelsius < 200)) {
            return new Problem("maxEquilibriumCelsius", "must be a temperature in (0, 200) °C");
        }
        if (maxTemperatureCelsius != null && maxEquilibriumCelsius != null && maxEquilibriumCelsius > maxTemperatureCelsius) {
            return new Problem("maxEquilibriumCelsius", "is above maxTemperatureCelsius (" + maxTemperatureCelsius
                    + "): a sensor could not settle there without breaching the peak limit first");
        }
        if (criticalCelsius != null && !(criticalCelsius > 0 && criticalCelsius < 200)) {
            return new Problem("criticalCelsius", "must be a temperature in (0, 200) °C");
        }
        if (criticalCelsius != null && maxTemperatureCelsius != null && criticalCelsius < maxTemperatureCelsius) {
            return new Problem("criticalCelsius", "is under maxTemperatureCelsius (" + maxTemperatureCelsius
                    + "): the guard would stop the load before the judge's own limit was reached");
        }
        for (Map.Entry<String, Double> f : clockFloors().entrySet()) {
            if (!(f.getValue() > 0) || f.getValue().isInfinite()) {
                return new Problem("minSustainedClockHertz" + (minSustainedClockHertz instanceof Map<?, ?> ? "." + f.getKey() : ""),
                        "must be a clock in hertz above zero");
            }
        }
        Problem p = share("clockShare", clockShare);
        p = p != null ? p : share("minTimeAtClock", minTimeAtClock);
        p = p != null ? p : share("maxTimeOverPressure", maxTimeOverPressure);
        p = p != null ? p : share("minCoverage", minCoverage);
        if (p != null) {
            return p;
        }
        if (maxThermalPressure != null && (maxThermalPressure < 0 || maxThermalPressure > 4)) {
            return new Problem("maxThermalPressure", "must be a level from 0 (Nominal) to 4 (Sleeping)");
        }
        p = positive("equilibriumCelsiusPerMinute", equilibriumCelsiusPerMinute);
        p = p != null ? p : positive("breachSeconds", breachSeconds);
        p = p != null ? p : positive("maxHeatUpCelsiusPerSecond", maxHeatUpCelsiusPerSecond);
        p = p != null ? p : positive("coolDownMarginCelsius", coolDownMarginCelsius);
        p = p != null ? p : positive("neighbourMarginCelsius", neighbourMarginCelsius);
        p = p != null ? p : positive("loadStepCelsius", loadStepCelsius);
        p = p != null ? p : duration("equilibriumWindow", equilibriumWindow);
        p = p != null ? p : duration("heatUpWindow", heatUpWindow);
        p = p != null ? p : duration("maxCoolDown", maxCoolDown);
        return p;
    }

    private static Problem share(String field, Double v) {
        return v != null && !(v > 0 && v <= 1) ? new Problem(field, "must be a share in (0, 1]") : null;
    }

    private static Problem positive(String field, Double v) {
        return v != null && !(v > 0 && Double.isFinite(v)) ? new Problem(field, "must be a number above zero") : null;
    }

    private static Problem duration(String field, String v) {
        if (v == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(v);
            return d.isZero() || d.isNegative() ? new Problem(field, "must be a duration above zero") : null;
        } catch (IllegalArgumentException | ArithmeticException e) {
            return new Problem(field, "is not a duration: " + e.getMessage());
        }
    }
}
