package dev.kiln.api;

import java.util.Objects;

/**
 * One parameter a suite accepts.
 *
 * @param name         kebab-case name, as written in profiles and {@code --param suite.name=value}
 * @param defaultValue the value used when nobody sets it, as text
 * @param description  what it changes
 */
public record ParameterSpec(String name, String defaultValue, String description) {
    public ParameterSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
    }
}
