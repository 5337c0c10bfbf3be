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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The GPU suite, over Metal (macOS) or OpenCL ({@link GpuBackend}), on every device of the chosen type, one worker per device, each pass:
 * <ol>
 *   <li>a compute-dense load at the device's arithmetic limit ({@code fma_dense}: 128 independent FMA
 *       chains per work-item), every chain of every launch compared bit for bit with the host's
 *       answer;</li>
 *   <li>device memory filled and checked by the device (address, inverse, walking bits, random),
 *       every wrong word counted, and a seeded part of it (all of it if asked) read back and checked
 *       by the host, so a check kernel that silently does nothing is caught;</li>
 *   <li>host → device → host transfers of seeded words at three sizes, plain and through mapped
 *       (pinned) buffers, every word compared;</li>
 * </ol>
 * every command against a deadline derived from its first run (HUNG naming the device when one is
 * missed). Without a device of the type asked for the suite is SKIPPED (NOT_PRESENT), with the
 * devices that are there in the reason.
 */
public final class GpuSuite implements Suite {
    static final List<String> TYPES = List.of("gpu", "accelerator", "cpu", "all");

    private static final SuiteDescriptor DESCRIPTOR = new SuiteDescriptor("gpu", "GPU compute, memory and transfers (Metal or OpenCL)",
            "a compute-dense FMA load checked bit for bit against the host, device-memory patterns checked by the device and "
                    + "read back by the host, and host-device transfers checked word for word, on every OpenCL device of the chosen type",
            List.of(new ParameterSpec("api", "auto", "the API the GPU is driven through: metal (macOS), opencl, or auto (Metal on "
                            + "macOS, OpenCL elsewhere)"),
                    new ParameterSpec("device-type", "gpu", "which devices to test: " + String.join(", ", TYPES) + " (Metal has GPUs only)"),
                    new ParameterSpec("fma-items", "auto", "work-items of the FMA kernel, each 128 chains (auto: 256 per compute unit, "
                            + "at least 1024)"),
                    new ParameterSpec("fma-iterations", "16384", "FMA steps per chain"),
                    new ParameterSpec("fma-launches", "4", "FMA launches per pass, each checked in full"),
                    new ParameterSpec("memory-size", "256MiB", "device memory to test per device (e.g. 256MiB, 2GiB), capped by the "
                            + "device's largest allocation"),
                    new ParameterSpec("host-check", "1MiB", "device memory the host reads back and checks itself each pass, in seeded "
                            + "runs of 16 KiB, or all"),
                    new ParameterSpec("transfer-size", "32MiB", "the largest host-device transfer checked each pass (also 4KiB and 1MiB), "
                            + "capped by the device's largest allocation")),
            Duration.ofMinutes(2), Duration.ofSeconds(1), true);

    /** The bit the fault seams flip. */
    static final int FAULT_BIT = 13;

    private final List<GpuRun> runs = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong flops = new AtomicLong();
    private final AtomicLong fmaNanos = new AtomicLong();
    private final AtomicLong checkNanos = new AtomicLong();
    private final AtomicLong memBytes = new AtomicLong();
    private final AtomicLong memNanos = new AtomicLong();
    private final AtomicLong hostChecked = new AtomicLong();
    private final AtomicLong wrongResults = new AtomicLong();
    private final AtomicLong wrongWords = new AtomicLong();
    private final AtomicLong wrongTransfers = new AtomicLong();
    private final Map<String, long[]> transferTotals = new java.util.concurrent.ConcurrentHashMap<>(); // path -> {bytes, nanos}
    private long hostWords;

    /** Progress counts bytes of device memory and transfers checked. */
    @Override
    public String progressUnit() {
        return "B";
    }

    @Override
    public SuiteDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Availability availability(SuiteEnvironment env) {
        GpuBackend backend = GpuBackend.of("auto", env.os());
        try {
            if (backend.devices().isEmpty()) {
                return Availability.unavailable(UnavailableCategory.NOT_PRESENT, backend.api() + " reports no device");
            }
            return Availability.ok();
        } catch (GpuBackend.Unavailable e) {
            return Availability.unavailable(UnavailableCategory.NOT_PRESENT, e.getMessage());
        }
    }

    /** With the run's parameters: a device of the type asked for, through the API asked for (what prepare would find). */
    @Override
    public Availability availability(SuiteEnvironment env, Parameters p) {
        String api = p.get("api").trim();
        String type = p.get("device-type").trim();
        if (!GpuBackend.APIS.contains(api) || !TYPES.contains(type)) {
            return availability(env); // validate says what is wrong with them
        }
        try {
            chosen(GpuBackend.of(api, env.os()), p);
            return Availability.ok();
        } catch (SuiteUnavailableException e) {
            return Availability.unavailable(e.category(), e.getMessage());
        }
    }

    @Override
    public void validate(Parameters p) {
        String api = p.get("api").trim();
        if (!GpuBackend.APIS.contains(api)) {
            throw new Parameters.InvalidParameterException("api", "must be one of " + String.join(", ", GpuBackend.APIS) + ", got '" + api + "'");
        }
        String t = p.get("device-type").trim();
        if (!TYPES.contains(t)) {
            throw new Parameters.InvalidParameterException("device-type", "must be one of " + String.join(", ", TYPES) + ", got '" + t + "'");
        }
        if (!p.get("fma-items").trim().equals("auto")) {
            long items = p.getLong("fma-items");
            if (items < 1 || items > (1 << 20)) {
                throw new Parameters.InvalidParameterException("fma-items", "must be auto or in 1..1048576, got " + items);
            }
        }
        long it = p.getLong("fma-iterations");
        if (it < 1 || it > (1 << 24)) {
            throw new Parameters.InvalidParameterException("fma-iterations", "must be in 1..16777216, got " + it);
        }
        long launches = p.getLong("fma-launches");
        if (launches < 1 || launches > 1000) {
            throw new Parameters.InvalidParameterException("fma-launches", "must be in 1..1000, got " + launches);
        }
        if (p.getBytes("memory-size") < 4096) {
            throw new Parameters.InvalidParameterException("memory-size", "must be at least 4KiB");
        }
        if (!p.get("host-check").trim().equals("all") && p.getBytes("host-check") < 4) {
            throw new Parameters.InvalidParameterException("host-check", "must be all or at least 4 bytes");
        }
        if (p.getBytes("transfer-size") < (1 << 20)) {
            throw new Parameters.InvalidParameterException("transfer-size", "must be at least 1MiB");
        }
    }

    /**
     * The OpenCL devices this suite would test with its default parameters, described, or why there is
     * none: what {@code prepare} finds, and what {@code kiln doctor} reports.
     *
     * @throws SuiteUnavailableException why the suite would be skipped here
     */
    public static List<String> devicesHere() throws SuiteUnavailableException {
        GpuSuite s = new GpuSuite();
        Parameters p = s.descriptor().withDefaults(java.util.Map.of());
        return chosen(GpuBackend.of(p.get("api"), System.getProperty("os.name")), p).stream().map(GpuDevice::describe).toList();
    }

    /** The devices {@link #devicesHere} finds: whether a device of its type is here is this suite's question. */
    @Override
    public List<String> findHere(SuiteEnvironment env) throws SuiteUnavailableException {
        return devicesHere();
    }

    /** A GPU and its driver; the API or device type to try instead. */
    @Override
    public String fixHere(SuiteEnvironment env) {
        return env.os().toLowerCase(java.util.Locale.ROOT).contains("mac")
                ? "Metal: a Mac with a GPU (a virtual machine has none without passthrough); from a daemon, run kiln doctor as that daemon's "
                + "user; -P gpu.api=opencl tries Apple's OpenCL instead"
                : "a GPU with its OpenCL driver (Linux: the vendor's ICD); -P gpu.device-type=all tests any OpenCL device";
    }

    /** Metal (macOS) has never run on a Mac: only OpenCL, on PoCL here, is verified. */
    @Override
    public boolean verifiedOn(SuiteEnvironment env) {
        return !env.os().toLowerCase(java.util.Locale.ROOT).contains("mac");
    }

    private static List<? extends GpuDevice> chosen(GpuBackend backend, Parameters p) throws SuiteUnavailableException {
        List<? extends GpuDevice> all;
        try {
            all = backend.devices();
        } catch (GpuBackend.Unavailable e) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, e.getMessage());
        }
        String type = p.get("device-type").trim();
        List<? extends GpuDevice> out = all.stream().filter(d -> type.equals("all") || d.type().equals(type)).toList();
        if (out.isEmpty()) {
            throw new SuiteUnavailableException(UnavailableCategory.NOT_PRESENT, "no " + (backend.api().equals("metal") ? "Metal" : "OpenCL")
                    + " device of type " + type + " (here: " + (all.isEmpty() ? "none" : String.join("; ", all.stream().map(GpuDevice::describe)
                    .toList())) + ")");
        }
        return out;
    }

    @Override
    public WorkPlan plan(SuiteEnvironment env, Parameters params) {
        // after prepare, which found the devices (or skipped the suite, and then there is no plan)
        return new WorkPlan(List.of(new WorkPlan.Phase("devices", WorkPlan.Mode.PARALLEL,
                Collections.nCopies(Math.max(1, runs.size()), WorkPlan.Placement.ANY), 1)));
    }

    /** Work-items of the FMA kernel: asked for, or 256 per compute unit of the largest device (at least 1024). */
    static int items(String asked, List<? extends GpuDevice> devices) {
        if (!asked.trim().equals("auto")) {
            return Integer.parseInt(asked.trim());
        }
        int cus = devices.stream().mapToInt(GpuDevice::computeUnits).max().orElse(1);
        return Math.max(1024, Math.min(1 << 20, cus * 256));
    }

    @Override
    public void prepare(SuiteContext ctx) throws Exception {
        Parameters p = ctx.parameters();
        GpuBackend backend = GpuBackend.of(p.get("api"), ctx.environment().os());
        List<? extends GpuDevice> devices = chosen(backend, p);
        if (devices.stream().noneMatch(d -> d.type().equals("gpu"))) { // with a GPU among them, the GPU itself was tested
            devices.stream().findFirst().ifPresent(d -> ctx.standIn("OpenCL " + d.type() + " device '" + d.name() + "', not a GPU"));
        }
        ctx.log(LogLevel.INFO, "GPU api: " + backend.api() + (p.get("api").trim().equals("auto") ? " (auto on " + ctx.environment().os() + ")" : ""));
        int items = items(p.get("fma-items"), devices);
        int iterations = (int) p.getLong("fma-iterations");
        GpuRun.Inputs in = GpuRun.Inputs.seeded(items, ctx.random());
        float[] a = in.a();
        float[] b = in.b();
        float[] x0 = in.x0();
        long g0 = System.nanoTime();
        float[] golden = GpuRun.golden(a, b, x0, iterations, Math.max(1, ctx.environment().logicalCpus().size()));
        ctx.log(LogLevel.INFO, String.format(Locale.ROOT, "FMA kernel: %d work-items x %d chains x %d steps, %d launches a pass; the host's "
                + "answers took %.2fs", items, GpuRun.CHAINS, iterations, p.getLong("fma-launches"), (System.nanoTime() - g0) / 1e9));
        long asked = p.getBytes("memory-size");
        hostWords = p.get("host-check").trim().equals("all") ? Long.MAX_VALUE : p.getBytes("host-check") / 4;
        for (GpuDevice d : devices) {
            long bytes = Math.min(asked, d.maxAllocation()) & ~3L;
            long transfer = Math.min(p.getBytes("transfer-size"), d.maxAllocation()) & ~3L;
            long[] transferSizes = java.util.stream.LongStream.of(4096, 1 << 20, Math.max(1 << 20, transfer)).distinct().toArray();
            ctx.log(LogLevel.INFO, String.format(Locale.ROOT, "device %d: %s; testing %d MiB of its memory%s; transfers up to %d MiB",
                    runs.size(), d.describe(), bytes >> 20, bytes < asked ? " (its largest allocation)" : "", transferSizes[transferSizes.length - 1] >> 20));
            ctx.measurement(new Measurement("gpu_device_compute_units", d.computeUnits(), "units", null, null, d.inventory()));
            GpuRun run = backend.open(d, a, b, x0, iterations, golden, bytes);
            run.transferSizes = transferSizes;
            runs.add(run);
        }
    }

    @Override
    public void run(WorkerContext ctx) {
        GpuRun dev = runs.get(ctx.workerIndex());
        String name = dev.device().name();
        int launches = (int) ctx.parameters().getLong("fma-launches");
        try {
            while (ctx.keepRunning()) {
                long pass = ctx.iteration();
                int faultItem = ctx.injectFault("fma") ? dev.items / 3 : -1;
                int spin = ctx.injectFault("hang") ? Integer.MAX_VALUE : 0;
                GpuRun.Drop drop = ctx.injectFault("drop-launch") ? GpuRun.Drop.LAUNCH
                        : ctx.injectFault("drop-readback") ? GpuRun.Drop.READBACK
                        : ctx.injectFault("device-lost") ? GpuRun.Drop.DEVICE : GpuRun.Drop.NONE;
                for (int l = 0; l < launches; l++) {
                    List<GpuRun.Miss> wrong = dev.runDense(l == 0 ? faultItem : -1, l == 0 ? spin : 0, l == 0 ? drop : GpuRun.Drop.NONE);
                    long took = dev.lastKernelNanos;
                    checkNanos.addAndGet(dev.lastCheckNanos);
                    fmaNanos.addAndGet(took);
                    flops.addAndGet(dev.flops());
                    dev.flopsDone += dev.flops();
                    dev.fmaNanosDone += took;
                    wrongResults.addAndGet(wrong.size());
                    for (GpuRun.Miss m : wrong.subList(0, Math.min(wrong.size(), GpuRun.KEEP))) {
                        long item = m.index() / GpuRun.CHAINS;
                        String dropped = dropped(m.read());
                        ctx.failure("gpu-fma-wrong-result", String.format(Locale.ROOT, "%s: FMA chain %d of item %d gave 0x%08x, expected 0x%08x "
                                + "(pass %d, launch %d)%s", name, m.index() % GpuRun.CHAINS, item, m.read(), m.expected(), pass, l,
                                dropped == null ? "" : ": " + dropped), details(dev, "fma-dense", pass, m, dropped == null
                                ? Map.of("item", item, "chain", m.index() % GpuRun.CHAINS, "launch", l)
                                : Map.of("item", item, "chain", m.index() % GpuRun.CHAINS, "launch", l, "dropped", dropped)));
                    }
                    ctx.verified((long) dev.items * GpuRun.CHAINS);
                }
                int mode = (int) (pass % Reference.MODES.length);
                int salt = ctx.random().nextInt();
                long faultWord = ctx.injectFault("memory") ? dev.words / 6 : -1;
                boolean sabotage = ctx.injectFault("check-kernel");
                long m0 = System.nanoTime();
                GpuRun.MemoryResult mem = dev.memoryPass(salt, mode, faultWord, FAULT_BIT, sabotage, hostWords, ctx.random());
                memNanos.addAndGet(System.nanoTime() - m0);
                memBytes.addAndGet(dev.words * 4 * 2); // written once, read once
                hostChecked.addAndGet(mem.hostChecked());
                wrongWords.addAndGet(mem.wrong() + mem.hostOnly().size());
                for (GpuRun.Miss m : mem.first()) {
                    ctx.failure("gpu-memory-mismatch", String.format(Locale.ROOT, "%s: word at offset %d read 0x%08x, expected 0x%08x (%s, pass %d)",
                            name, m.index() * 4, m.read(), m.expected(), Reference.MODES[mode], pass),
                            details(dev, Reference.MODES[mode], pass, m, Map.of("offset", m.index() * 4, "foundBy", "device")));
                }
                for (GpuRun.Miss m : mem.hostOnly()) {
                    ctx.failure("gpu-check-kernel-missed", String.format(Locale.ROOT, "%s: the host read 0x%08x at offset %d, expected 0x%08x (%s, pass %d); "
                            + "the device's check reported %d wrong words and not this one", name, m.read(), m.index() * 4, m.expected(),
                            Reference.MODES[mode], pass, mem.wrong()), details(dev, Reference.MODES[mode], pass, m,
                            Map.of("offset", m.index() * 4, "foundBy", "host", "deviceReported", mem.wrong())));
                }
                long faultTransfer = ctx.injectFault("transfer") ? dev.transferSizes[dev.transferSizes.length - 1] / 4 / 3 : -1;
                for (GpuRun.TransferResult t : dev.transfers(dev.transferSizes, ctx.random().nextInt(), faultTransfer, FAULT_BIT)) {
                    transferTotals.merge(t.path(), new long[] {t.bytes() * 2, t.nanos()}, (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
                    wrongTransfers.addAndGet(t.wrong().size());
                    for (GpuRun.Miss m : t.wrong().subList(0, Math.min(t.wrong().size(), GpuRun.KEEP))) {
                        ctx.failure("gpu-transfer-mismatch", String.format(Locale.ROOT, "%s: %s round trip of %d bytes: word at offset %d came back "
                                + "0x%08x, sent 0x%08x (pass %d)", name, t.path(), t.bytes(), m.index() * 4, m.read(), m.expected(), pass),
                                details(dev, "transfer", pass, m, Map.of("offset", m.index() * 4, "path", t.path(), "bytes", t.bytes())));
                    }
                    ctx.verified(t.bytes() / 4);
                }
                ctx.progress(dev.words * 4);
                ctx.verified(dev.words + mem.hostChecked()); // every word's comparison on the device, and the host's own
            }
        } catch (GpuRun.DeadlineMissed e) {
            ctx.hung(e.getMessage());
        } catch (GpuRun.DeviceLost e) {
            // under load, past set-up: the unit's GPU failed, a defect, not a driver that could not start
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("device", name);
            d.put("deviceIndex", runs.indexOf(dev));
            d.put("command", e.command);
            d.put("status", e.status);
            d.put("pass", ctx.iteration());
            ctx.failure("gpu-device-lost", e.getMessage() + " (pass " + ctx.iteration() + ")", d);
        }
    }

    /** What a poison word read back says was lost, or null for any other wrong word. */
    static String dropped(int read) {
        return read == GpuRun.DEVICE_POISON ? "the launch never wrote its answers (the output still holds the poison written before it)"
                : read == GpuRun.HOST_POISON ? "the read-back never brought the answers (the host's copy still holds its poison)" : null;
    }

    private Map<String, Object> details(GpuRun dev, String pattern, long pass, GpuRun.Miss m, Map<String, Object> where) {
        HexFormat hex = HexFormat.of();
        int xor = m.expected() ^ m.read();
        List<Integer> bits = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            if ((xor >>> i & 1) != 0) {
                bits.add(i);
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("device", dev.device().name());
        d.put("deviceIndex", runs.indexOf(dev));
        d.put("pattern", pattern);
        d.put("pass", pass);
        d.putAll(where);
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
        for (GpuRun dev : runs) {
            if (dev.fmaNanosDone > 0) {
                double measured = dev.flopsDone / (dev.fmaNanosDone / 1e9);
                ctx.measurement(new Measurement("gpu_device_fma_flops_per_second", measured, "flop/s", null, null,
                        Map.of("device", dev.device().name(), "deviceIndex", runs.indexOf(dev))));
                // beside it, the chip's FP32 peak where its cores and clock are known (an Apple GPU of a sourced family)
                int cores = dev.device().gpuCores();
                java.util.OptionalDouble ghz = GpuPeak.clockGHz(dev.device().name());
                if (cores > 0 && ghz.isPresent()) {
                    double peak = GpuPeak.flops(cores, ghz.getAsDouble());
                    Map<String, Object> tags = Map.of("device", dev.device().name(), "deviceIndex", runs.indexOf(dev), "cores", cores,
                            "clockGHz", ghz.getAsDouble(), "lanesPerCore", GpuPeak.LANES);
                    ctx.measurement(new Measurement("gpu_device_fp32_peak_flops_per_second", peak, "flop/s", null, null, tags));
                    ctx.measurement(new Measurement("gpu_device_fma_share_of_peak", measured / peak, "ratio", null, null, tags));
                }
            }
        }
        if (fmaNanos.get() > 0) {
            ctx.measurement("gpu_fma_check_share", checkNanos.get() / (double) fmaNanos.get(), "ratio");
        }
        if (memNanos.get() > 0) {
            ctx.measurement("gpu_memory_bytes_per_second", memBytes.get() / (memNanos.get() / 1e9) * Math.max(1, runs.size()), "bytes/s");
        }
        transferTotals.forEach((path, v) -> {
            if (v[1] > 0) {
                ctx.measurement("gpu_transfer_" + path + "_bytes_per_second", v[0] / (v[1] / 1e9) * Math.max(1, runs.size()), "bytes/s");
            }
        });
        ctx.measurement("gpu_memory_host_checked_words_total", hostChecked.get(), "words");
        ctx.measurement(new Measurement("gpu_fma_wrong_results_total", wrongResults.get(), "results", null, null, Map.of()));
        ctx.measurement(new Measurement("gpu_memory_errors_total", wrongWords.get(), "words", null, null, Map.of()));
        ctx.measurement(new Measurement("gpu_transfer_errors_total", wrongTransfers.get(), "words", null, null, Map.of()));
    }

    @Override
    public void cleanup(SuiteContext ctx) {
        synchronized (runs) {
            for (GpuRun r : runs) {
                r.close();
            }
            runs.clear();
        }
    }
}
