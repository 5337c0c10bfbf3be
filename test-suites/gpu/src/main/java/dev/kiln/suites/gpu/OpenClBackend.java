package dev.kiln.suites.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** OpenCL through JOCL: {@link OpenCl} finds the devices, {@link DeviceRun} drives one. */
final class OpenClBackend implements GpuBackend {
    @Override
    public String api() {
        return "opencl";
    }

    @Override
    public List<OpenCl.Device> devices() throws Unavailable {
        try {
            return OpenCl.devices();
        } catch (OpenCl.Unavailable e) {
            throw new Unavailable(e.getMessage(), e);
        }
    }

    @Override
    public GpuRun open(GpuDevice device, float[] a, float[] b, float[] x0, int iterations, float[] golden, long memoryBytes) throws IOException {
        return new DeviceRun((OpenCl.Device) device, kernelSource(), a, b, x0, iterations, golden, memoryBytes);
    }

    /** The OpenCL C source of the kernels, from the suite's jar. */
    static String kernelSource() throws IOException {
        try (InputStream in = OpenClBackend.class.getResourceAsStream("kernels.cl")) {
            if (in == null) {
                throw new IOException("kernels.cl is missing from the suite's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
