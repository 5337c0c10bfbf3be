package dev.kiln.core;

/**
 * An error the agent reports as one line and a distinct exit code (bad flags, a bad profile, an
 * unwritable directory). Anything else that escapes is an internal error (70).
 */
public class KilnException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ExitCode exitCode;

    public KilnException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public KilnException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public static KilnException usage(String message) {
        return new KilnException(ExitCode.USAGE, message);
    }

    public static KilnException config(String message) {
        return new KilnException(ExitCode.CONFIG, message);
    }
}
