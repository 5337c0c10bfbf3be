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

    public RunPlanner(SuiteRegistry registry) {
        this.registry = registry;
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
        Map<String, Duration> stageTimes = together == null ? Map.of() : stageTimes(profile, together);
        if (totalDuration != null) {
            double sum = durations.values().stream().mapToDouble(Duration::toNanos).sum()
                    + stageTimes.values().stream().mapToDouble(Duration::toNanos).sum();
            for (String id : ids) {
                durations.put(id, Duration.ofNanos((long) (totalDuration.toNanos() * (durations.get(id).toNanos() / sum))));
            }
            Map<String, Duration> scaled = new HashMap<>();
            stageTimes.forEach((k, v) -> scaled.put(k, Duration.ofNanos((long) (totalDuration.toNanos() * (v.toNanos() / sum)))));
            stageTimes = scaled;
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
            Map<String, String> fromProfile = e == null ? Map.of() : e.parameters();
            Map<String, String> fromCli = paramOverrides.getOrDefault(id, Map.of());
            check(s, fromProfile, ExitCode.CONFIG, "profile " + profile.name() + ", suite " + id);
            check(s, fromCli, ExitCode.USAGE, "--param " + id);
            Map<String, String> params = new LinkedHashMap<>(fromProfile);
            params.putAll(fromCli);
            try {
                s.validate(s.descriptor().withDefaults(params));
            } catch (Parameters.InvalidParameterException ex) {
                ExitCode code = fromCli.containsKey(ex.parameter()) ? ExitCode.USAGE : ExitCode.CONFIG;
                throw new KilnException(code, "suite " + id + ": " + ex.getMessage());
            } catch (RuntimeException broken) {
                // the suite's own validate is broken: not the user's mistake. The runner calls it
                // again and records the suite as ERROR with this message; the run goes on.
            }
            // The verdict rests on what the user asked for: a suite named with --suites is required
            // whatever the profile says of it.
            out.add(new SuiteRequest(s, d, onlySuites != null || e == null || e.required(), params));
        }
        if (together != null) {
            Stage stage = new Stage(together.name(), stageTimes.get("baseline"), stageTimes.get("cooldown"));
            Duration d = stageTimes.get("duration");
            for (Profile.Member m : together.suites()) {
                Suite s = registry.create(m.id());
                String where = "profile " + profile.name() + ", together." + m.id();
                if (d.compareTo(s.descriptor().minDuration()) < 0) {
                    throw KilnException.usage("suite " + m.id() + " would get " + Durations.format(d) + " in stage " + stage.name()
                            + ", below its minimum of " + Durations.format(s.descriptor().minDuration()));
                }
                Map<String, String> fromCli = paramOverrides.getOrDefault(m.id(), Map.of());
                check(s, m.parameters(), ExitCode.CONFIG, where);
                Map<String, String> params = new LinkedHashMap<>(m.parameters());
                params.putAll(fromCli);
                try {
                    s.validate(s.descriptor().withDefaults(params));
                } catch (Parameters.InvalidParameterException ex) {
                    ExitCode code = fromCli.containsKey(ex.parameter()) ? ExitCode.USAGE : ExitCode.CONFIG;
                    throw new KilnException(code, "suite " + m.id() + " in stage " + stage.name() + ": " + ex.getMessage());
                } catch (RuntimeException broken) {
                    // as above: the runner records it
                }
                out.add(new SuiteRequest(s, d, m.required(), params, stage, m.threads() == null ? 0 : m.threads()));
            }
        }
        return out;
    }

    /** Checks the together stage whole (78 naming the field) and returns its times: duration, baseline, cooldown. */
    private Map<String, Duration> stageTimes(Profile profile, Profile.Together t) {
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
        Map<String, Duration> times = new HashMap<>();
        times.put("duration", stageDuration(where + ".duration", t.duration()));
        times.put("baseline", stageDuration(where + ".baseline", t.baseline()));
        times.put("cooldown", stageDuration(where + ".cooldown", t.cooldown()));
        if (times.get("duration").isZero()) {
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
