package dev.kiln.suites.gpu;

import dev.kiln.api.Availability;
import dev.kiln.api.LogLevel;
import dev.kiln.api.Measurement;
import dev.kiln.api.ParameterSpec;
import dev.kiln.api.Parameters;
import dev.kiln.api.Suite;
import dev.kiln.api.SuiteContext;
import dev.kiln.api.SuiteDescriptor;
import dev.kiln.api.SuiteEnvironment;
import dev.kiln.api.SuiteUnavailableException;
import dev.kiln.api.UnavailableCategory;
import dev.kiln.api.WorkPlan;
import dev.kiln.api.WorkerContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * The GPU suite, over OpenCL: on every device of the chosen type, chains of FMAs whose every
 * result is compared bit for bit with the same arithmetic done in Java, and device-memory passes
 * (address, inverse, walking bits, random) that the device fills and checks itself, every wrong
 * word counted and the first ones reported with index, expected and read values. One worker per
 * device. Without a device of the type asked for the suite is SKIPPED (NOT_PRESENT), with the
 * devices that are there in the reason.
 */
public final class GpuSuite implements Suite {
    static final List<String> TYPES = List.of("gpu", "accelerator", "cpu", "all");

    private static final SuiteDescriptor DESCRIPTOR = new SuiteDescriptor("gpu", "GPU compute and memory (OpenCL)",
            "FMA chains checked bit for bit against the host, and device-memory patterns filled and checked on the device, "
                    + "on every OpenCL device of the chosen type",
            List.of(new ParameterSpec("device-type", "gpu", "which OpenCL devices to test: " + String.join(", ", TYPES)),
                    new ParameterSpec("fma-items", "262144", "work-items of the FMA kernel"),
                    new ParameterSpec("fma-iterations", "4096", "FMA steps per work-item (each two FMAs)"),
                    new ParameterSpec("memory-size", "256MiB", "device memory to test per device (e.g. 256MiB, 2GiB), capped by the "
                            + "device's largest allocation")),
            Duration.ofMinutes(2), Duration.ofSeconds(1), true);

    /** The bit the fault seam flips. */
    static final int FAULT_BIT = 13;

    private final List<DeviceRun> runs = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong flops = new AtomicLong();
    private final AtomicLong fmaNanos = new AtomicLong();
    private final AtomicLong memBytes = new AtomicLong();
    private final AtomicLong memNanos = new AtomicLong();
    private final AtomicLong wrongResults = new AtomicLong();
    private final AtomicLong wrongWords = new AtomicLong();

    @Override
    public SuiteDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        try {
            List<OpenCl.Device> all = OpenCl.devices();
            if (all.isEmpty()) {
                return Availability.unavailable(UnavailableCategory.NOT_PRESENT, "OpenCL reports no device");
            }
            return Availability.ok();
        } catch (OpenCl.Unavailable e) {
            return Availability.unavailable(UnavailableCategory.NOT_PRESENT, e.getMessage());
        }
    }

    @Override
    public void validate(Parameters p) {
        String t = p.get("device-type").trim();
        if (!TYPES.contains(t)) {
            throw new Parameters.InvalidParameterException("device-type", "must be one of " + String.join(", ", TYPES) + ", got '" + t + "'");
        }
        long items = p.getLong("fma-items");
        if (items < 1 || items > (1 << 26)) {
            throw new Parameters.InvalidParameterException("fma-items", "must be in 1..67108864, got " + items);
        }
        long it = p.getLong("fma-iterations");
        if (it < 1 || it > (1 << 20)) {
            throw new Parameters.InvalidParameterException("fma-iterations", "must be in 1..1048576, got " + it);
        }
        if (p.getBytes("memory-size") < 4096) {
            throw new Parameters.InvalidParameterException("memory-size", "must be at least 4KiB");
        }
    }

    private List<OpenCl.Device> chosen(Parameters p) throws SuiteUnavailableException {
        List<OpenCl.Device> all;
        try {
            all = OpenCl.devices();
        } catch (OpenCl.Unavailable e) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, e.getMessage());
        }
        String type = p.get("device-type").trim();
        List<OpenCl.Device> out = all.stream().filter(d -> type.equals("all") || d.type().equals(type)).toList();
        if (out.isEmpty()) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, "no OpenCL device of type " + type + " (here: "
                    + (all.isEmpty() ? "none" : String.join("; ", all.stream().map(OpenCl.Device::describe).toList())) + ")");
        }
        return out;
    }

    @Override
    public WorkPlan plan(SuiteEnvironment env, Parameters params) {
        // after prepare, which found the devices (or skipped the suite, and then there is no plan)
        return new WorkPlan(List.of(new WorkPlan.Phase("devices", WorkPlan.Mode.PARALLEL,
                Collections.nCopies(Math.max(1, runs.size()), WorkPlan.Placement.ANY), 1)));
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        Parameters p = ctx.parameters();
        List<OpenCl.Device> devices = chosen(p);
        String source = kernelSource();
        int items = (int) p.getLong("fma-items");
        int iterations = (int) p.getLong("fma-iterations");
        RandomGenerator r = ctx.random();
        float[] a = new float[items];
        float[] b = new float[items];
        float[] x0 = new float[items];
        for (int g = 0; g < items; g++) {
            a[g] = 0.5f + 0.49f * r.nextFloat();
            b[g] = 0.25f + 0.75f * r.nextFloat();
            x0[g] = 0.25f + 0.75f * r.nextFloat();
        }
        int[] golden = DeviceRun.golden(a, b, x0, iterations);
        long asked = p.getBytes("memory-size");
        for (OpenCl.Device d : devices) {
            long bytes = Math.min(asked, d.maxAllocation()) & ~3L;
            ctx.log(LogLevel.INFO, String.format(Locale.ROOT, "device %d: %s; testing %d MiB of its memory%s", runs.size(), d.describe(),
                    bytes >> 20, bytes < asked ? " (its largest allocation)" : ""));
            runs.add(new DeviceRun(d, source, a, b, x0, iterations, golden, bytes));
        }
    }

    /** The OpenCL C source of the kernels, from the suite's jar. */
    static String kernelSource() throws IOException {
        try (InputStream in = GpuSuite.class.getResourceAsStream("kernels.cl")) {
            if (in == null) {
                throw new IOException("kernels.cl is missing from the suite's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void run(WorkerContext ctx) {
        DeviceRun dev = runs.get(ctx.workerIndex());
        String name = dev.device.name();
        while (ctx.keepRunning()) {
            long pass = ctx.iteration();
            int faultItem = ctx.injectFault("fma") ? dev.items / 3 : -1;
            long t0 = System.nanoTime();
            List<DeviceRun.Miss> wrong = dev.runChains(faultItem);
            fmaNanos.addAndGet(System.nanoTime() - t0);
            flops.addAndGet(dev.flops());
            wrongResults.addAndGet(wrong.size());
            for (DeviceRun.Miss m : wrong.subList(0, Math.min(wrong.size(), DeviceRun.KEEP))) {
                ctx.failure("gpu-fma-wrong-result", String.format(Locale.ROOT, "%s: FMA chain of item %d gave 0x%08x, expected 0x%08x (pass %d)",
                        name, m.index(), m.read(), m.expected(), pass), details(dev, "fma-chain", pass, m));
            }
            int mode = (int) (pass % Reference.MODES.length);
            int salt = ctx.random().nextInt();
            long faultWord = ctx.injectFault("memory") ? dev.words / 6 : -1;
            long m0 = System.nanoTime();
            DeviceRun.MemoryResult mem = dev.memoryPass(salt, mode, faultWord, FAULT_BIT);
            memNanos.addAndGet(System.nanoTime() - m0);
            memBytes.addAndGet(dev.words * 4 * 2); // written once, read once
            wrongWords.addAndGet(mem.wrong());
            for (DeviceRun.Miss m : mem.first()) {
                ctx.failure("gpu-memory-mismatch", String.format(Locale.ROOT, "%s: word at offset %d read 0x%08x, expected 0x%08x (%s, pass %d)",
                        name, m.index() * 4, m.read(), m.expected(), Reference.MODES[mode], pass), details(dev, Reference.MODES[mode], pass, m));
            }
            ctx.progress(dev.words * 4);
            ctx.verified(dev.items + dev.words); // every chain's result, every word's comparison
        }
    }

    private Map<String, Object> details(DeviceRun dev, String pattern, long pass, DeviceRun.Miss m) {
        HexFormat hex = HexFormat.of();
        int xor = m.expected() ^ m.read();
        List<Integer> bits = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if ((xor >>> i & 1) != 0) {
                bits.add(i);
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("device", dev.device.name());
        d.put("deviceIndex", runs.indexOf(dev));
        d.put("pattern", pattern);
        d.put("pass", pass);
        d.put(pattern.equals("fma-chain") ? "item" : "offset", pattern.equals("fma-chain") ? m.index() : m.index() * 4);
        d.put("expected", "0x" + hex.toHexDigits(m.expected()));
        d.put("read", "0x" + hex.toHexDigits(m.read()));
        d.put("xor", "0x" + hex.toHexDigits(xor));
        d.put("bits", bits);
        return d;
    }

    @Override
    public void finish(SuiteContext ctx) {
        if (fmaNanos.get() > 0) {
            ctx.measurement("gpu_fma_flops_per_second", flops.get() / (fmaNanos.get() / 1e9) * Math.max(1, runs.size()), "flop/s");
        }
        if (memNanos.get() > 0) {
            ctx.measurement("gpu_memory_bytes_per_second", memBytes.get() / (memNanos.get() / 1e9) * Math.max(1, runs.size()), "bytes/s");
        }
        ctx.measurement(new Measurement("gpu_fma_wrong_results_total", wrongResults.get(), "results", null, 0.0, Map.of()));
        ctx.measurement(new Measurement("gpu_memory_errors_total", wrongWords.get(), "words", null, 0.0, Map.of()));
    }

    @Override
    public void cleanup(SuiteContext ctx) {
        synchronized (runs) {
            for (DeviceRun r : runs) {
                r.close();
            }
            runs.clear();
        }
    }
}
