package dev.kiln.api;

import java.util.Objects;

/**
 * Whether a suite can run here. An unavailable suite stays listed, with its category and reason,
 * and a run that needed it is never a pass.
 */
public record Availability(boolean available, UnavailableCategory category, String reason) {

    private static final Availability AVAILABLE = new Availability(true, null, "");

    public Availability {
        if (available) {
            if (category != null) {
                throw new IllegalArgumentException("an available suite has no category");
            }
            reason = reason == null ? "" : reason;
        } else {
            Objects.requireNonNull(category, "category");
            if (reason == null || reason.isBlank()) {
                throw new IllegalArgumentException("an unavailable suite must say why");
            }
        }
    }

    public static Availability ok() {
        return AVAILABLE;
    }

    public static Availability unavailable(UnavailableCategory category, String reason) {
        return new Availability(false, category, reason);
    }
}
