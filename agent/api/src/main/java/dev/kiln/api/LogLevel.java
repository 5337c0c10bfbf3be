package dev.kiln.api;

/** Log severities, as in the OCP output specification. */
public enum LogLevel {
    DEBUG, INFO, WARNING, ERROR, FATAL
}
