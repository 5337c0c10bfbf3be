package dev.kiln.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a suite says about itself, in one record.
 *
 * @param id              stable kebab-case id ({@code cpu}, {@code memory}, ...)
 * @param title           one-line human title
 * @param exercises       what hardware it exercises and how it checks it
 * @param parameters      the parameters it accepts, with defaults
 * @param defaultDuration run time when a profile names none
 * @param minDuration     shortest run time that still means something
 * @param alwaysVerifies  whether every unit of work is checked (true for every shipped suite)
 */
public record SuiteDescriptor(String id, String title, String exercises, List<ParameterSpec> parameters,
                              Duration defaultDuration, Duration minDuration, boolean alwaysVerifies) {

    private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public SuiteDescriptor {
        Objects.requireNonNull(id, "id");
        if (!KEBAB.matcher(id).matches()) {
            throw new IllegalArgumentException("suite id must be kebab-case: " + id);
        }
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(exercises, "exercises");
        parameters = List.copyOf(parameters);
        Objects.requireNonNull(defaultDuration, "defaultDuration");
        Objects.requireNonNull(minDuration, "minDuration");
    }

    /** The parameters a run uses: every default, overridden by {@code overrides}. */
    public Parameters withDefaults(java.util.Map<String, String> overrides) {
        java.util.Map<String, String> merged = new java.util.LinkedHashMap<>();
        parameters.forEach(p -> merged.put(p.name(), p.defaultValue()));
        merged.putAll(overrides);
        return new Parameters(merged);
    }

    /** The spec of the named parameter, or null. */
    public ParameterSpec parameter(String name) {
        for (ParameterSpec p : parameters) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}
