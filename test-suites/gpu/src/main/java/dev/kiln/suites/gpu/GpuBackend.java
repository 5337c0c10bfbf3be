package dev.kiln.suites.gpu;

import java.util.List;
import java.util.Locale;

/**
 * The API the GPU suite drives a device through: {@link OpenClBackend} (Linux, PoCL in CI; on macOS on
 * request) or {@link MetalBackend} (the default on macOS: Apple's OpenCL is deprecated, 1.2 only, and
 * sits on Metal). Chosen by the suite's {@code api} parameter.
 */
interface GpuBackend {
    /** Why a backend has no devices to offer here (no runtime, no framework, not this OS). */
    final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The parameter's values. */
    List<String> APIS = List.of("auto", "opencl", "metal");

    /** {@code opencl} or {@code metal}. */
    String api();

    /** Every device of this API here. */
    List<? extends GpuDevice> devices() throws Unavailable;

    /**
     * Opens a run of the three workloads on one of {@link #devices()}: its buffers, kernels and queue.
     *
     * @param golden {@link GpuRun#golden} of the same inputs and iterations
     */
    GpuRun open(GpuDevice device, float[] a, float[] b, float[] x0, int iterations, float[] golden, long memoryBytes) throws Exception;

    /** The backend for {@code api} on this OS: {@code auto} is Metal on macOS, OpenCL elsewhere. */
    static GpuBackend of(String api, String os) {
        String a = api.trim().toLowerCase(Locale.ROOT);
        if (a.equals("auto")) {
            a = os.toLowerCase(Locale.ROOT).contains("mac") ? "metal" : "opencl";
        }
        return switch (a) {
            case "opencl" -> new OpenClBackend();
            case "metal" -> new MetalBackend();
            default -> throw new IllegalArgumentException("unknown GPU api '" + api + "': " + String.join(", ", APIS));
        };
    }
}
