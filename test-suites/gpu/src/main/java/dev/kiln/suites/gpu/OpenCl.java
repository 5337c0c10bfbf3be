package dev.kiln.suites.gpu;

import static org.jocl.CL.CL_DEVICE_GLOBAL_MEM_SIZE;
import static org.jocl.CL.CL_DEVICE_MAX_COMPUTE_UNITS;
import static org.jocl.CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_DEVICE_VERSION;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * OpenCL through JOCL: which devices there are. JOCL's native library ships in its jar for Linux
 * (x86-64, arm64), macOS (arm64, x86-64) and Windows; it needs the OpenCL runtime (the ICD loader
 * {@code libOpenCL} on Linux, {@code OpenCL.framework} on macOS).
 */
final class OpenCl {
    private OpenCl() {
    }

    /** One OpenCL device. */
    record Device(cl_platform_id platform, cl_device_id id, String platformName, String name, String type, String version,
                  long globalMemory, long maxAllocation, int computeUnits, String vendor, String driver, int clockMHz) implements GpuDevice {
        /** What the bundle records of the device. */
        @Override
        public java.util.Map<String, Object> inventory() {
            java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("device", name);
            m.put("type", type);
            m.put("vendor", vendor);
            m.put("platform", platformName);
            m.put("openclVersion", version);
            m.put("driverVersion", driver);
            m.put("computeUnits", computeUnits);
            m.put("maxClockMHz", clockMHz);
            m.put("globalMemoryBytes", globalMemory);
            m.put("maxAllocationBytes", maxAllocation);
            return m;
        }

        /** Apple's OpenCL reports a GPU's cores as its compute units. */
        @Override
        public int gpuCores() {
            return type.equals("gpu") && name.startsWith("Apple M") ? computeUnits : -1;
        }

        @Override
        public String describe() {
            return String.format("%s '%s' (%s, %d compute units, %d MiB, %s)", type, name, platformName, computeUnits,
                    globalMemory >> 20, version);
        }
    }

    /** The devices of every platform, or an exception saying why there are none to ask. */
    static List<Device> devices() throws Unavailable {
        try {
            CL.setExceptionsEnabled(true);
            int[] n = new int[1];
            clGetPlatformIDs(0, null, n);
            cl_platform_id[] platforms = new cl_platform_id[n[0]];
            clGetPlatformIDs(platforms.length, platforms, null);
            List<Device> out = new ArrayList<>();
            for (cl_platform_id p : platforms) {
                String pname = platformString(p, CL_PLATFORM_NAME);
                int[] m = new int[1];
                try {
                    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, m);
                } catch (CLException e) {
                    if (e.getStatus() == CL.CL_DEVICE_NOT_FOUND) {
                        continue; // a platform without devices
                    }
                    throw e;
                }
                cl_device_id[] ids = new cl_device_id[m[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
                for (cl_device_id d : ids) {
                    out.add(new Device(p, d, pname, deviceString(d, CL_DEVICE_NAME), type(deviceLong(d, CL_DEVICE_TYPE)),
                            deviceString(d, CL_DEVICE_VERSION), deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE),
                            deviceLong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE), deviceInt(d, CL_DEVICE_MAX_COMPUTE_UNITS),
                            deviceString(d, CL.CL_DEVICE_VENDOR), deviceString(d, CL.CL_DRIVER_VERSION), deviceInt(d, CL.CL_DEVICE_MAX_CLOCK_FREQUENCY)));
                }
            }
            return out;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new Unavailable("no OpenCL runtime here (" + e.getMessage() + "; on Linux JOCL needs the ICD loader as "
                    + "libOpenCL.so, Debian's ocl-icd-opencl-dev, and a driver)");
        } catch (CLException e) {
            throw classify(e.getStatus(), e.getMessage());
        }
    }

    /** The status the Khronos ICD loader returns when it finds no platform (cl_khr_icd). */
    static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    /**
     * What an OpenCL error while looking for devices means: no platform at all is NOT_PRESENT (no
     * driver here); every other status is a broken driver or runtime, an ERROR with the driver's code
     * and message, never a skip that an optional suite would turn into a pass.
     */
    static RuntimeException classify(int status, String message) {
        if (status == CL_PLATFORM_NOT_FOUND_KHR) {
            return new Unavailable("no OpenCL platform here (" + message + ")");
        }
        return new Broken("OpenCL failed while listing devices: " + message + " (status " + status + ")");
    }

    /** An OpenCL runtime that is there but does not work: the suite is ERROR with this message. */
    static final class Broken extends RuntimeException {
        Broken(String message) {
            super(message);
        }
    }

    /** Why OpenCL cannot be asked: no loader, or no platform. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    static String type(long t) {
        if ((t & CL_DEVICE_TYPE_GPU) != 0) {
            return "gpu";
        }
        if ((t & CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            return "accelerator";
        }
        if ((t & CL_DEVICE_TYPE_CPU) != 0) {
            return "cpu";
        }
        return "other";
    }

    private static String platformString(cl_platform_id p, int what) {
        long[] size = new long[1];
        clGetPlatformInfo(p, what, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetPlatformInfo(p, what, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String deviceString(cl_device_id d, int what) {
        long[] size = new long[1];
        clGetDeviceInfo(d, what, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetDeviceInfo(d, what, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static long deviceLong(cl_device_id d, int what) {
        long[] v = new long[1];
        clGetDeviceInfo(d, what, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    private static int deviceInt(cl_device_id d, int what) {
        int[] v = new int[1];
        clGetDeviceInfo(d, what, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8).strip();
    }
}
