package dev.kiln.core.profile;

import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.core.Durations;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.SuiteRegistry;
import dev.kiln.core.runner.Stage;
import dev.kiln.core.runner.SuiteRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a profile and the command line's overrides into the list of suites to run, and checks all
 * of it before anything runs: a mistake in the command line is a usage error (64), one in the
 * profile a configuration error (78).
 */
public final class RunPlanner {
    private final SuiteRegistry registry;
    /** The machine the run is for, so values it cannot give are refused too; null: the values alone are checked. */
    private final dev.kiln.api.SuiteEnvironment env;

    public RunPlanner(SuiteRegistry registry) {
        this(registry, null);
    }

    public RunPlanner(SuiteRegistry registry, dev.kiln.api.SuiteEnvironment env) {
        this.registry = registry;
        this.env = env;
    }

    /**
     * @param profile        the profile
     * @param onlySuites     {@code --suites}: run these, in this order (null: the profile's)
     * @param totalDuration  {@code --duration}: the whole run's time, shared out in the profile's
     *                       proportions (null: the profile's durations)
     * @param paramOverrides {@code --param suite.name=value}, keyed by suite id
     */
    public List<SuiteRequest> plan(Profile profile, List<String> onlySuites, Duration totalDuration,
                                   Map<String, Map<String, String>> paramOverrides) {
        Map<String, Profile.Entry> entries = new LinkedHashMap<>();
        for (Profile.Entry e : profile.suites()) {
            if (!registry.has(e.id())) {
                throw KilnException.config("profile " + profile.name() + " names unknown suite '" + e.id()
                        + "' (known: " + String.join(", ", registry.ids()) + ")");
            }
            if (entries.putIfAbsent(e.id(), e) != null) {
                throw KilnException.config("profile " + profile.name() + " lists suite '" + e.id() + "' twice");
            }
        }
        List<String> ids = new ArrayList<>();
        if (onlySuites != null) {
            for (String id : onlySuites) {
                if (!registry.has(id)) {
                    throw KilnException.usage("unknown suite '" + id + "' (known: " + String.join(", ", registry.ids()) + ")");
                }
                if (ids.contains(id)) {
                    throw KilnException.usage("--suites names '" + id + "' twice");
                }
                ids.add(id);
            }
            if (ids.isEmpty()) {
                throw KilnException.usage("--suites is empty");
            }
        } else {
            ids.addAll(entries.keySet());
        }
        for (String id : paramOverrides.keySet()) {
            boolean inStage = onlySuites == null && profile.together() != null
                    && profile.together().suites().stream().anyMatch(m -> m.id().equals(id));
            if (!ids.contains(id) && !inStage) {
                throw KilnException.usage("--param for suite '" + id + "', which this run does not include");
            }
        }

        Map<String, Suite> suites = new LinkedHashMap<>();
        Map<String, Duration> durations = new HashMap<>();
        for (String id : ids) {
            Suite s = registry.create(id);
            suites.put(id, s);
            Profile.Entry e = entries.get(id);
            Duration d = s.descriptor().defaultDuration();
            if (e != null && e.duration() != null) {
                try {
                    d = Durations.parse(e.duration());
                } catch (IllegalArgumentException ex) {
                    throw KilnException.config("profile " + profile.name() + ", suite " + id + ": " + ex.getMessage());
                }
            }
            durations.put(id, d);
        }
        // The together stage runs only with the profile's own suites: --suites runs the named ones alone.
        Profile.Together together = onlySuites == null ? profile.together() : null;
        StageTimes stageTimes = together == null ? null : stageTimes(profile, together);
        if (totalDuration != null) {
            double sum = durations.values().stream().mapToDouble(Duration::toNanos).sum()
                    + (stageTimes == null ? 0 : stageTimes.total().toNanos());
            double factor = totalDuration.toNanos() / sum;
            durations.replaceAll((id, d) -> StageTimes.scale(d, factor));
            stageTimes = stageTimes == null ? null : stageTimes.scaled(factor);
        }

        List<SuiteRequest> out = new ArrayList<>();
        for (String id : ids) {
            Suite s = suites.get(id);
            Profile.Entry e = entries.get(id);
            Duration d = durations.get(id);
            if (d.compareTo(s.descriptor().minDuration()) < 0) {
                throw KilnException.usage("suite " + id + " would get " + Durations.format(d) + ", below its minimum of "
                        + Durations.format(s.descriptor().minDuration()));
            }
            Map<String, String> params = parameters(s, e == null ? Map.of() : e.parameters(),
                    paramOverrides.getOrDefault(id, Map.of()), "profile " + profile.name() + ", suite " + id, "suite " + id);
            // The verdict rests on what the user asked for: a suite named with --suites is required
            // whatever the profile says of it.
            out.add(new SuiteRequest(s, d, onlySuites != null || e == null || e.required(), params));
        }
        if (together != null) {
            Stage stage = new Stage(together.name(), stageTimes.baseline(), stageTimes.cooldown());
            Duration d = stageTimes.duration();
            for (Profile.Member m : together.suites()) {
                Suite s = registry.create(m.id());
                if (d.compareTo(s.descriptor().minDuration()) < 0) {
                    throw KilnException.usage("suite " + m.id() + " would get " + Durations.format(d) + " in stage " + stage.name()
                            + ", below its minimum of " + Durations.format(s.descriptor().minDuration()));
                }
                Map<String, String> params = parameters(s, m.parameters(), paramOverrides.getOrDefault(m.id(), Map.of()),
                        "profile " + profile.name() + ", together." + m.id(), "suite " + m.id() + " in stage " + stage.name());
                out.add(new SuiteRequest(s, d, m.required(), params, stage, m.threads() == null ? 0 : m.threads()));
            }
        }
        return out;
    }

    /**
     * The profile's parameters with the command line's laid over them, each name checked (78 in the
     * profile, 64 on the command line) and the values validated by the suite, the error's code
     * following where the bad value came from.
     */
    private Map<String, String> parameters(Suite s, Map<String, String> fromProfile, Map<String, String> fromCli,
                                                  String profileWhere, String suiteWhere) {
        check(s, fromProfile, ExitCode.CONFIG, profileWhere);
        check(s, fromCli, ExitCode.USAGE, "--param " + s.descriptor().id());
        Map<String, String> params = new LinkedHashMap<>(fromProfile);
        params.putAll(fromCli);
        try {
            Parameters p = s.descriptor().withDefaults(params);
            if (env == null) {
                s.validate(p);
            } else {
                s.validate(p, env);
            }
        } catch (Parameters.InvalidParameterException ex) {
            ExitCode code = fromCli.containsKey(ex.parameter()) ? ExitCode.USAGE : ExitCode.CONFIG;
            throw new KilnException(code, suiteWhere + ": " + ex.getMessage());
        } catch (RuntimeException broken) {
            // the suite's own validate is broken: not the user's mistake. The runner calls it
            // again and records the suite as ERROR with this message; the run goes on.
        }
        return params;
    }

    /** A stage's times: how long its members run together, and the idle time before and after. */
    private record StageTimes(Duration duration, Duration baseline, Duration cooldown) {
        Duration total() {
            return duration.plus(baseline).plus(cooldown);
        }

        StageTimes scaled(double factor) {
            return new StageTimes(scale(duration, factor), scale(baseline, factor), scale(cooldown, factor));
        }

        private static Duration scale(Duration d, double factor) {
            return Duration.ofNanos((long) (d.toNanos() * factor));
        }
    }

    /** Checks the together stage whole (78 naming the field) and returns its times: duration, baseline, cooldown. */
    private StageTimes stageTimes(Profile profile, Profile.Together t) {
        String where = "profile " + profile.name() + ", together";
        if (!t.name().matches("[a-z][a-z0-9-]*")) {
            throw KilnException.config(where + ".name: '" + t.name() + "' is not a kebab-case name");
        }
        if (t.suites().isEmpty()) {
            throw KilnException.config(where + ".suites: lists no suites");
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Profile.Member m : t.suites()) {
            if (!registry.has(m.id())) {
                throw KilnException.config(where + ".suites names unknown suite '" + m.id() + "' (known: "
                        + String.join(", ", registry.ids()) + ")");
            }
            if (!seen.add(m.id())) {
                throw KilnException.config(where + ".suites lists suite '" + m.id() + "' twice");
            }
            if (m.threads() != null && !(m.threads() > 0 && m.threads() <= 1)) {
                throw KilnException.config(where + ".suites." + m.id() + ".threads: " + m.threads() + " is not a share in (0, 1]");
            }
        }
        dev.kiln.core.thermal.ThermalLimits.Problem p = t.thermal().check();
        if (p != null) {
            throw KilnException.config(where + ".thermal." + p.field() + " " + p.message());
        }
        StageTimes times = new StageTimes(stageDuration(where + ".duration", t.duration()),
                stageDuration(where + ".baseline", t.baseline()), stageDuration(where + ".cooldown", t.cooldown()));
        if (times.duration().isZero()) {
            throw KilnException.config(where + ".duration must be above zero");
        }
        return times;
    }

    private static Duration stageDuration(String field, String text) {
        if (text.trim().matches("0+(ms|s|m|h|d)?")) {
            return Duration.ZERO; // no idle time (a baseline or cool-down may be none)
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw KilnException.config(field + ": " + e.getMessage());
        }
    }

    private static void check(Suite s, Map<String, String> params, ExitCode code, String where) {
        for (String name : params.keySet()) {
            if (s.descriptor().parameter(name) == null) {
                throw new KilnException(code, where + ": unknown parameter '" + name + "' (known: "
                        + String.join(", ", s.descriptor().parameters().stream().map(ParameterSpec::name).toList()) + ")");
            }
        }
    }
}
