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
 * @param suites      the suites in order, each alone
 * @param together    the stage after them in which suites run at the same time, or null
 */
public record Profile(@JsonProperty(value = "name", required = true) String name,
                      @JsonProperty("description") String description,
                      @JsonProperty("hangTimeout") String hangTimeout,
                      @JsonProperty(value = "suites", required = true) List<Entry> suites,
                      @JsonProperty("together") Together together) {

    public Profile {
        description = description == null ? "" : description;
        suites = suites == null ? List.of() : List.copyOf(suites);
    }

    /**
     * The stage in which suites run together under the thermal judge: idle {@code baseline}, the
     * members at once for {@code duration}, idle {@code cooldown}, then the judge.
     *
     * @param name            stage name (default {@code together}); results are named {@code name/suite}
     * @param duration        how long the members run together
     * @param baseline        idle time before (default 0s)
     * @param cooldown        idle time after (default 0s)
     * @param suites          the members
     * @param thermal         the judge's thresholds (a SKU file's {@code limits} override them)
     * @param thermalRequired whether the verdict needs the judge (default true)
     */
    public record Together(@JsonProperty("name") String name,
                           @JsonProperty(value = "duration", required = true) String duration,
                           @JsonProperty("baseline") String baseline,
                           @JsonProperty("cooldown") String cooldown,
                           @JsonProperty(value = "suites", required = true) List<Member> suites,
                           @JsonProperty("thermal") dev.kiln.core.thermal.ThermalLimits thermal,
                           @JsonProperty("thermalRequired") Boolean thermalRequired) {
        public Together {
            name = name == null ? "together" : name;
            baseline = baseline == null ? "0s" : baseline;
            cooldown = cooldown == null ? "0s" : cooldown;
            suites = suites == null ? List.of() : List.copyOf(suites);
            thermal = thermal == null ? dev.kiln.core.thermal.ThermalLimits.NONE : thermal;
            thermalRequired = thermalRequired == null ? Boolean.TRUE : thermalRequired;
        }
    }

    /**
     * One suite of the together stage.
     *
     * @param id         suite id
     * @param threads    share of the logical CPUs kept for it, in (0, 1]; absent: the CPUs no other member keeps
     * @param required   whether the verdict needs it (default true)
     * @param parameters parameter overrides
     */
    public record Member(@JsonProperty(value = "id", required = true) String id,
                         @JsonProperty("threads") Double threads,
                         @JsonProperty("required") Boolean required,
                         @JsonProperty("parameters") Map<String, String> parameters) {
        public Member {
            required = required == null ? Boolean.TRUE : required;
            parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        }
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
