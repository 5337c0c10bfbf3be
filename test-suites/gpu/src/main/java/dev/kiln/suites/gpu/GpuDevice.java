package dev.kiln.suites.gpu;

import java.util.Map;

/** One device a {@link GpuBackend} can drive: what the suite needs to choose, size and record it. */
interface GpuDevice {
    /** The device's name as its API gives it. */
    String name();

    /** {@code gpu}, {@code cpu} or {@code accelerator}: only a {@code gpu} is the engine itself (others are stand-ins). */
    String type();

    /** The largest single buffer the device allows, in bytes. */
    long maxAllocation();

    /** Compute units (OpenCL) or GPU cores (Metal): sizes the FMA launch. */
    int computeUnits();

    /** GPU cores where the API or the system says (an Apple GPU), else -1: with the chip's clock, its FP32 peak ({@link GpuPeak}). */
    default int gpuCores() {
        return -1;
    }

    /** One line for logs and reasons. */
    String describe();

    /** What the bundle records of the device. */
    Map<String, Object> inventory();
}
