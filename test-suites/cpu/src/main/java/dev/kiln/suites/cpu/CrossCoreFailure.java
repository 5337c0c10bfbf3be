package dev.kiln.suites.cpu;

import java.util.Map;

/** A cross-core check that failed, with where: the cores at both ends, the message or slot, the values. */
final class CrossCoreFailure extends Kernel.DataPathException {
    private static final long serialVersionUID = 1L;
    private final transient Map<String, Object> details;

    CrossCoreFailure(String message, Map<String, Object> details) {
        super(message);
        this.details = Map.copyOf(details);
    }

    Map<String, Object> details() {
        return details;
    }
}
