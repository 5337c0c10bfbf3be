package dev.kiln.core.profile;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * A profile: which suites a run does, for how long, with which parameters, and which ones the
 * verdict needs (DESIGN §10). Read from YAML; unknown keys are errors.
 *
 * @param name        profile name
 * @param description one line for {@code --help} and the summary
 * @param hangTimeout watchdog limit (duration text), optional
 * @param suites      the suites in order
 */
public record Profile(@JsonProperty(value = "name", required = true) String name,
                      @JsonProperty("description") String description,
                      @JsonProperty("hangTimeout") String hangTimeout,
                      @JsonProperty(value = "suites", required = true) List<Entry> suites) {

    public Profile {
        description = description == null ? "" : description;
        suites = suites == null ? List.of() : List.copyOf(suites);
    }

    /**
     * One suite of a profile.
     *
     * @param id         suite id
     * @param duration   duration text ({@code 90s}, {@code 2h}); the suite's default when absent
     * @param required   whether the verdict needs it (default true)
     * @param parameters parameter overrides
     */
    public record Entry(@JsonProperty(value = "id", required = true) String id,
                        @JsonProperty("duration") String duration,
                        @JsonProperty("required") Boolean required,
                        @JsonProperty("parameters") Map<String, String> parameters) {
        public Entry {
            required = required == null ? Boolean.TRUE : required;
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }
    }
}
