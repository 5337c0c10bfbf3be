package dev.kiln.api;

/**
 * Thrown from {@link Suite#prepare} when the suite finds it cannot run after all (an allocation
 * refused, a device gone). The framework records the suite as SKIPPED with this category and reason.
 */
public class SuiteUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final UnavailableCategory category;

    public SuiteUnavailableException(UnavailableCategory category, String reason) {
        super(reason);
        this.category = category;
    }

    public UnavailableCategory category() {
        return category;
    }
}
