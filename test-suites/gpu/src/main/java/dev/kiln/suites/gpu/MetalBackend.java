package dev.kiln.suites.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Metal on macOS through FFM and the Objective-C runtime ({@link ObjC}): the devices from
 * {@code MTLCopyAllDevices} (a daemon gets nothing from the default-device call on recent macOS),
 * and where that is empty, CoreGraphics loaded and {@code MTLCreateSystemDefaultDevice} asked before
 * enumerating again. Written from Apple's documentation and the research notes; never run on a Mac by
 * this project yet (docs/on-hardware-checklist.md).
 */
final class MetalBackend implements GpuBackend {
    /**
     * Metal does not say how many GPU cores a device has (system_profiler does, read at start); where
     * neither does, the FMA launch is sized as for this many (256 threads a core: 16,384 threads,
     * 2 Mi chains), more than enough to fill any Apple GPU.
     */
    static final int ASSUMED_CORES = 64;

    /** One Metal device. */
    /** @param cores GPU cores from system_profiler, or -1 (then the launch is sized as for {@link #ASSUMED_CORES}) */
    record Device(MemorySegment handle, String name, long registryId, long maxBuffer, long workingSet, boolean unified, int cores)
            implements GpuDevice {
        @Override
        public String type() {
            return "gpu"; // Metal has no CPU devices: never a stand-in
        }

        @Override
        public long maxAllocation() {
            return maxBuffer;
        }

        @Override
        public int computeUnits() {
            return cores > 0 ? cores : ASSUMED_CORES;
        }

        @Override
        public int gpuCores() {
            return cores;
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "gpu '%s' (Metal, %s, registry id 0x%x, %d MiB working set, largest buffer %d MiB%s)", name,
                    cores > 0 ? cores + " cores" : "cores unknown", registryId, workingSet >> 20, maxBuffer >> 20, unified ? ", unified memory" : "");
        }

        @Override
        public Map<String, Object> inventory() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", name);
            m.put("type", "gpu");
            m.put("api", "metal");
            m.put("registryId", registryId);
            m.put("unifiedMemory", unified);
            m.put("gpuCores", cores);
            m.put("recommendedMaxWorkingSetBytes", workingSet);
            m.put("maxAllocationBytes", maxBuffer);
            return m;
        }
    }

    @Override
    public String api() {
        return "metal";
    }

    @Override
    public List<Device> devices() throws Unavailable {
        String os = System.getProperty("os.name");
        if (!os.toLowerCase(Locale.ROOT).contains("mac")) {
            throw new Unavailable("Metal exists only on macOS; this is " + os + " (-P gpu.api=opencl drives OpenCL)");
        }
        ObjC o;
        try {
            o = ObjC.get();
        } catch (RuntimeException | LinkageError e) {
            throw new Unavailable("the Metal framework does not load: " + e.getMessage(), e);
        }
        List<GpuPeak.Listed> listed = listedOnce();
        MemorySegment pool = o.push();
        try {
            List<Device> out = enumerate(o, listed);
            if (out.isEmpty()) {
                // some contexts see devices only once the default one was asked for, with CoreGraphics loaded
                o.load("/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics");
                o.release(o.metalFunction("MTLCreateSystemDefaultDevice"));
                out = enumerate(o, listed);
            }
            return out;
        } finally {
            o.pop(pool);
        }
    }

    private static List<GpuPeak.Listed> listed;

    /**
     * {@link #systemProfiler} once per process: a run asks for the devices at availability, in
     * prepare and in {@code kiln doctor}, and system_profiler takes seconds; a GPU's cores do not change.
     */
    static synchronized List<GpuPeak.Listed> listedOnce() {
        if (listed == null) {
            listed = systemProfiler();
        }
        return listed;
    }

    /** The GPUs system_profiler lists with their cores (Metal does not say); empty when it cannot be run. */
    static List<GpuPeak.Listed> systemProfiler() {
        try {
            Process p = new ProcessBuilder("/usr/sbin/system_profiler", "-json", "SPDisplaysDataType").redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return List.of();
            }
            return GpuPeak.parse(new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * Every device this process has listed, by registry id, each retained once and kept for the
     * process's life: a run lists the devices three times (availability, prepare, doctor), and a
     * retain per listing was never released.
     */
    private static final java.util.Map<Long, Device> KNOWN = new java.util.concurrent.ConcurrentHashMap<>();

    private static List<Device> enumerate(ObjC o, List<GpuPeak.Listed> listed) {
        MemorySegment array = o.metalFunction("MTLCopyAllDevices"); // +1
        List<Device> out = new ArrayList<>();
        if (array.equals(MemorySegment.NULL)) {
            return out;
        }
        try {
            long n = o.num(array, "count");
            for (long i = 0; i < n; i++) {
                MemorySegment d = (MemorySegment) o.send(array, "objectAtIndex:", ObjC.ID, List.of(ObjC.NSUINT), i);
                out.add(KNOWN.computeIfAbsent(o.num(d, "registryID"), id -> {
                    o.call(d, "retain"); // kept beyond the array, once
                    String name = o.text(o.obj(d, "name"));
                    return new Device(d, name, id, o.num(d, "maxBufferLength"), o.num(d, "recommendedMaxWorkingSetSize"),
                            (boolean) o.send(d, "hasUnifiedMemory", java.lang.foreign.ValueLayout.JAVA_BOOLEAN, List.of()), GpuPeak.coresOf(name, listed));
                }));
            }
        } finally {
            o.release(array);
        }
        return out;
    }

    @Override
    public GpuRun open(GpuDevice device, float[] a, float[] b, float[] x0, int iterations, float[] golden, long memoryBytes) throws IOException {
        return new MetalRun((Device) device, kernelSource(), a, b, x0, iterations, golden, memoryBytes);
    }

    /** The Metal Shading Language source of the kernels, from the suite's jar. */
    static String kernelSource() throws IOException {
        try (InputStream in = MetalBackend.class.getResourceAsStream("kernels.metal")) {
            if (in == null) {
                throw new IOException("kernels.metal is missing from the suite's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
