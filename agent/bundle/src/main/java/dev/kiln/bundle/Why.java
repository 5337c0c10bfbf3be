package dev.kiln.bundle;

/**
 * The cause of a failure as one line a person can act on: the first message along the cause chain,
 * else the exception's name. Never "null": a JDK exception without a message (a refused connection,
 * a truncated zip) is described by what it is.
 */
public final class Why {
    private Why() {
    }

    public static String of(Throwable t) {
        if (t == null) {
            return "unknown cause";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !m.isBlank() && !m.equals("null")) {
                String line = m.strip().lines().findFirst().orElse("");
                return c == t ? line : line + " (" + t.getClass().getSimpleName() + ")";
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return switch (t.getClass().getSimpleName()) {
            case "ConnectException" -> "connection refused";
            case "EOFException", "ZipException" -> "the data ends early or is not a zip (" + t.getClass().getSimpleName() + ")";
            default -> t.getClass().getSimpleName();
        };
    }
}
