package dev.kiln.core;

import dev.kiln.api.Verdict;

/**
 * Every exit code the agent uses, in one place (DESIGN §4). {@code --help} prints this table.
 */
public enum ExitCode {
    PASS(0, "pass: every required suite ran and passed"),
    FAIL(1, "fail: a defect was found (a suite failed or hung, or the SKU did not match)"),
    INCOMPLETE(2, "incomplete: a required suite was skipped, errored or interrupted"),
    NOT_DELIVERED(3, "passed, but the bundle is not yet delivered (--require-delivery; a FAIL stays 1, an INCOMPLETE 2)"),
    USAGE(64, "usage: bad command line (unknown suite or profile, malformed value, conflicting flags)"),
    DATA(65, "bad input data (a bundle or file that does not verify)"),
    UNAVAILABLE(69, "service unavailable (upload)"),
    INTERNAL(70, "internal error in the agent"),
    CANT_WRITE(73, "cannot write output (disk full, read-only)"),
    CONFIG(78, "bad configuration (profile or config file)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }

    /** The exit code a run ends with for its verdict. */
    public static ExitCode of(Verdict verdict) {
        return switch (verdict) {
            case PASS -> PASS;
            case FAIL -> FAIL;
            case INCOMPLETE -> INCOMPLETE;
        };
    }
}
