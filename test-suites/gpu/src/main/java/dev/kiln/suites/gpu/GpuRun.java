package dev.kiln.suites.gpu;

import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One device's run of the suite's three workloads, whatever the API (OpenCL: {@link DeviceRun};
 * Metal: {@link MetalRun}): the answers the kernels must give, the checks of what came back, the
 * deadlines, and what a backend must do for each workload. Every backend passes the same contract
 * (GpuBackendContractTest): dense FMA checked bit for bit by the host with the output poisoned on both
 * sides, device memory filled and checked by the device and read back by the host, transfers checked
 * word for word, the fault seams caught where they are planted. Used from one worker thread.
 */
abstract class GpuRun implements AutoCloseable {
    /** Mismatches the check kernel records in full; all are counted. */
    static final int KEEP = 64;
    /** FMA chains per work-item of {@code fma_dense}: eight float16 accumulators. */
    static final int CHAINS = 128;
    /** A launch may take this many times its first run before it counts as hung, and never less than {@link #FLOOR_NANOS}. */
    static final int DEADLINE_FACTOR = 20;
    static final long FLOOR_NANOS = 1_000_000_000L;
    /** The first run of each kind of command (nothing measured yet): the watchdog's own limit stays the backstop. */
    static final long FIRST_NANOS = 120_000_000_000L;

    /**
     * What the device's output holds before every launch, and the host's copy before every read-back:
     * NaN payloads no finite answer can equal, one for each side, so a launch or a read-back that
     * never happened cannot pass on the previous launch's right answers, and the word read says which.
     */
    static final int DEVICE_POISON = 0x7fc0dead;
    static final int HOST_POISON = 0x7fc0beef;

    /** What a launch may lose (the fault seams for dropped work and a lost device). */
    enum Drop { NONE, LAUNCH, READBACK, DEVICE }

    /** A wrong answer: which item or word, what it should have been, what it was. */
    record Miss(long index, int expected, int read) {
    }

    /**
     * One memory pass: every wrong word the device's check counted, the first {@link #KEEP} in full,
     * the words the host read back itself, and those it found wrong that the device did not report.
     */
    record MemoryResult(long wrong, List<Miss> first, long hostChecked, List<Miss> hostOnly) {
    }

    /** One transfer round trip: path ({@code plain} or {@code mapped}), bytes each way, time, wrong words. */
    record TransferResult(String path, long bytes, long nanos, List<Miss> wrong) {
    }

    /** A command that did not complete in time. */
    static final class DeadlineMissed extends Exception {
        DeadlineMissed(String message) {
            super(message);
        }
    }

    /** A command the device failed under load (an error status): the device was lost. */
    static final class DeviceLost extends RuntimeException {
        final String command;
        final int status;

        /** @param statusName the API's own name of the status (OpenCL's error code, Metal's command buffer error) */
        DeviceLost(String device, String command, String statusName, int status) {
            super(String.format("%s: %s failed on the device with status %s (%d): the device was lost or the command broke", device, command,
                    statusName, status));
            this.command = command;
            this.status = status;
        }
    }

    /**
     * Seeded inputs of {@code fma_dense} for {@code items} work-items: a just below 1 (1 − u·2^-10,
     * u in [0, 1)), so an error at any step is hardly damped; b and x0 in [−1, 1), so the chains stay
     * near b/(1−a), far inside float's range.
     */
    record Inputs(float[] a, float[] b, float[] x0) {
        static Inputs seeded(int items, RandomGenerator r) {
            float[] a = new float[items * 16];
            float[] b = new float[items * 16];
            float[] x0 = new float[items * CHAINS];
            for (int i = 0; i < a.length; i++) {
                a[i] = 1f - (float) (r.nextDouble() * 0x1p-10);
                b[i] = (float) (2 * r.nextDouble() - 1);
            }
            for (int i = 0; i < x0.length; i++) {
                x0[i] = (float) (2 * r.nextDouble() - 1);
            }
            return new Inputs(a, b, x0);
        }
    }

    /**
     * What {@code fma_dense} must give for these inputs, worked out on the host with the Vector API
     * (lanewise {@code fma} rounds once, as {@code Math.fma} does), on at most {@code threads} threads.
     * Layout: chain {@code (g * 8 + v) * 16 + l} of item g uses a[g * 16 + l] and b[g * 16 + l].
     */
    static float[] golden(float[] a, float[] b, float[] x0, int iterations, int threads) {
        float[] out = new float[x0.length];
        int items = a.length / 16;
        java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> java.util.stream.IntStream.range(0, items).parallel().forEach(g -> chainsOf(g, a, b, x0, iterations, out))).join();
        } finally {
            pool.shutdown();
        }
        return out;
    }

    private static void chainsOf(int g, float[] a, float[] b, float[] x0, int iterations, float[] out) {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        for (int off = 0; off < 16; off += s.length()) {
            int lanes = Math.min(s.length(), 16 - off);
            if (lanes < s.length()) {
                for (int v = 0; v < 8; v++) { // a species wider than 16 floats: scalar (bit for bit the same)
                    for (int l = off; l < 16; l++) {
                        out[(g * 8 + v) * 16 + l] = Reference.dense(a[g * 16 + l], b[g * 16 + l], x0[(g * 8 + v) * 16 + l], iterations);
                    }
                }
                break;
            }
            FloatVector av = FloatVector.fromArray(s, a, g * 16 + off);
            FloatVector bv = FloatVector.fromArray(s, b, g * 16 + off);
            FloatVector[] x = new FloatVector[8];
            for (int v = 0; v < 8; v++) {
                x[v] = FloatVector.fromArray(s, x0, (g * 8 + v) * 16 + off);
            }
            for (int i = 0; i < iterations; i++) {
                for (int v = 0; v < 8; v++) {
                    x[v] = x[v].fma(av, bv);
                }
            }
            for (int v = 0; v < 8; v++) {
                x[v].intoArray(out, (g * 8 + v) * 16 + off);
            }
        }
    }

    final int items;
    final int iterations;
    final long words;
    private final Map<String, Long> firstNanos = new HashMap<>();

    /** This device's transfer sizes (4 KiB, 1 MiB, up to its largest allocation), set once at prepare. */
    long[] transferSizes = {4096};
    /** FLOPs and kernel time of every dense launch so far: written by this device's one worker, read after it. */
    long flopsDone;
    long fmaNanosDone;

    /**
     * The last {@link #runDense}'s kernel time (the device's poison fill, queued just ahead of it,
     * included), its check's (read-back and compare), and the host's poisoning of its copy (done while
     * the device computes).
     */
    long lastKernelNanos;
    long lastPoisonNanos;
    long lastCheckNanos;

    GpuRun(int items, int iterations, long words) {
        this.items = items;
        this.iterations = iterations;
        this.words = words;
    }

    /** The device this run drives. */
    abstract GpuDevice device();

    /** Floating-point operations one {@link #runDense} launch does. */
    long flops() {
        return 2L * items * CHAINS * iterations;
    }

    /**
     * One launch of the dense FMA kernel, read back and compared with the host's answer in full:
     * every chain, bit for bit. The output is poisoned on the device ({@link #DEVICE_POISON}) and on
     * the host ({@link #HOST_POISON}) first, so dropped work is a mismatch at every item.
     * {@code faultItem} >= 0 plants a wrong result in chain 3·16 of that item (bit 13); {@code spin} > 0
     * makes item 0 run that many iterations (a launch that does not end); {@code drop} skips the launch
     * or the read-back, or fails the launch as a lost device does.
     */
    abstract List<Miss> runDense(int faultItem, int spin, Drop drop) throws DeadlineMissed;

    /**
     * One memory pass: the device fills its buffer with the pattern, then checks every word against
     * it; then the host reads back {@code hostWords} of it itself (all, or seeded runs of 4,096 words)
     * and compares them with the pattern ({@link #hostCheck}), so a check kernel that silently does
     * nothing is caught. {@code faultWord} >= 0 flips a bit of that word from the host in between;
     * {@code sabotage} makes the check kernel return at once.
     */
    abstract MemoryResult memoryPass(int salt, int mode, long faultWord, int faultBit, boolean sabotage, long hostWords, RandomGenerator r)
            throws DeadlineMissed;

    /**
     * Host → device → host round trips of seeded words at each size, by the API's paths, every word
     * compared. {@code faultWord} >= 0 flips a bit of that word of the largest transfer as it arrives.
     */
    abstract List<TransferResult> transfers(long[] sizes, int salt, long faultWord, int faultBit) throws DeadlineMissed;

    @Override
    public abstract void close();

    /** The deadline of a command of this kind: {@link #DEADLINE_FACTOR} × its first run, at least {@link #FLOOR_NANOS}. */
    final long deadline(String op) {
        Long first = firstNanos.get(op);
        return first == null ? FIRST_NANOS : Math.max(FLOOR_NANOS, DEADLINE_FACTOR * first);
    }

    /** What a missed deadline says. */
    final DeadlineMissed missed(String op, long elapsed) {
        Long first = firstNanos.get(op);
        long limit = deadline(op);
        return new DeadlineMissed(String.format(java.util.Locale.ROOT, "%s: %s did not complete in %.2fs (deadline %.2fs = %s)",
                device().name(), op, elapsed / 1e9, limit / 1e9, first == null ? "the limit of a first run"
                        : String.format(java.util.Locale.ROOT, "%d x its first run of %.3fs, at least %.0fs", DEADLINE_FACTOR, first / 1e9,
                        FLOOR_NANOS / 1e9)));
    }

    /** Records a command's first run, which sets its deadline from then on. */
    final void completed(String op, long started) {
        firstNanos.putIfAbsent(op, System.nanoTime() - started);
    }

    /** Reads {@code count} words of the device's memory buffer from word {@code from} into {@code into}. */
    interface WordReader {
        void read(long from, int[] into) throws DeadlineMissed;
    }

    /**
     * The host's own truth after the device's check: reads back {@code hostWords} of the memory buffer
     * (all of it in 1-Mi-word spans, or seeded runs of 4,096 words) and keeps the wrong words the
     * device did not report.
     */
    final MemoryResult hostCheck(long wrong, List<Miss> first, int salt, int mode, long hostWords, RandomGenerator r, WordReader reader)
            throws DeadlineMissed {
        Set<Long> reported = new HashSet<>();
        first.forEach(m -> reported.add(m.index()));
        boolean allReported = wrong <= KEEP;
        List<Miss> hostOnly = new ArrayList<>();
        long checked = 0;
        int run = 4096;
        List<long[]> runs = new ArrayList<>();
        if (hostWords >= words) {
            for (long s = 0; s < words; s += 1 << 20) {
                runs.add(new long[] {s, Math.min(1 << 20, words - s)});
            }
        } else {
            for (long k = 0; k < Math.max(1, hostWords / run); k++) {
                long len = Math.min(run, words);
                runs.add(new long[] {(long) (r.nextDouble() * (words - len + 1)), len});
            }
        }
        long t2 = System.nanoTime();
        for (long[] span : runs) {
            int[] host = new int[(int) span[1]];
            reader.read(span[0], host);
            for (int i = 0; i < host.length; i++) {
                long at = span[0] + i;
                int expect = Reference.pattern(at, salt, mode);
                if (host[i] != expect && !reported.contains(at) && (allReported || wrong == 0)) {
                    if (hostOnly.size() < KEEP) {
                        hostOnly.add(new Miss(at, expect, host[i]));
                    }
                }
            }
            checked += span[1];
            if (System.nanoTime() - t2 > FIRST_NANOS) {
                throw new DeadlineMissed(device().name() + ": the host's read-back of device memory did not complete in " + FIRST_NANOS / 1e9 + "s");
            }
        }
        return new MemoryResult(wrong, first, checked, hostOnly);
    }

    /**
     * The wrong words, the first {@link #KEEP} in full and, after them, entries carrying only the index
     * ({@code expected == read == 0}) so the caller counts them all; scans with the vectorised
     * {@code mismatch}, so a clean buffer costs one pass at memory speed.
     */
    static List<Miss> compare(IntBuffer expected, IntBuffer got) {
        List<Miss> wrong = new ArrayList<>();
        int n = expected.limit();
        int at = expected.mismatch(got);
        while (at >= 0 && at < n) {
            wrong.add(wrong.size() < KEEP ? new Miss(at, expected.get(at), got.get(at)) : new Miss(at, 0, 0));
            int next = expected.slice(at + 1, n - at - 1).mismatch(got.slice(at + 1, n - at - 1));
            at = next < 0 ? -1 : at + 1 + next;
        }
        return wrong;
    }
}
