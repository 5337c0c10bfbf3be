package dev.kiln.core.profile;

import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.core.Durations;
import dev.kiln.core.ExitCode;
import dev.kiln.core.KilnException;
import dev.kiln.core.SuiteRegistry;
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
            if (!ids.contains(id)) {
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
        if (totalDuration != null) {
            double sum = durations.values().stream().mapToDouble(Duration::toNanos).sum();
            for (String id : ids) {
                durations.put(id, Duration.ofNanos((long) (totalDuration.toNanos() * (durations.get(id).toNanos() / sum))));
            }
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
        return out;
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
