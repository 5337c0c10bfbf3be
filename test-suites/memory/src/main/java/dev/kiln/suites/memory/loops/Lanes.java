package dev.kiln.suites.memory.loops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Where the fill and verify loops of a {@link MemShape} come from, and how a shape is chosen for a
 * machine: by rule ({@link MemShape#forMachine}) or by timing every candidate on the memory under
 * test ({@link #calibrate}).
 */
public final class Lanes {
    /** True where the JVM was started with {@code jdk.incubator.vector} (the launcher adds it). */
    public static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    /** Words a verify loop looks at before it says whether any differs (the suite's passes read in chunks of it). */
    public static final int CHUNK = 4096;
    private static final Map<MemShape, LaneLoops> MADE = new ConcurrentHashMap<>();

    private Lanes() {
    }

    /** The widest vector the JIT compiles to vector instructions here, in bits (64: none, or no Vector API). */
    public static int maxBits() {
        return VECTOR ? VectorWidth.preferredBits() : 64;
    }

    /** The loops of the shape the rule gives for this machine. */
    public static LaneLoops forMachine() {
        return of(MemShape.forMachine(maxBits()));
    }

    /**
     * The loops of {@code shape}: for a vector shape, {@link VectorLanes} defined again as a hidden
     * class with the shape as its class data (once per shape and JVM).
     *
     * @throws IllegalArgumentException for a vector shape wider than this machine's vectors, or any
     *         vector shape without the Vector API module
     */
    public static LaneLoops of(MemShape shape) {
        if (shape.equals(MemShape.SCALAR)) {
            return MADE.computeIfAbsent(shape, s -> new ScalarLanes());
        }
        if (shape.bits() > maxBits()) {
            throw new IllegalArgumentException("loop shape " + shape.id() + " needs " + shape.bits() + "-bit vectors; this machine's widest are "
                    + (maxBits() < 128 ? "none" + (VECTOR ? "" : " (no jdk.incubator.vector)") : maxBits() + "-bit"));
        }
        return MADE.computeIfAbsent(shape, Lanes::define);
    }

    private static LaneLoops define(MemShape shape) {
        byte[] bytes;
        try (InputStream in = Lanes.class.getResourceAsStream("VectorLanes.class")) {
            if (in == null) {
                throw new IllegalStateException("VectorLanes.class is not beside Lanes.class");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClassWithClassData(bytes, shape, true);
            return (LaneLoops) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable e) {
            throw new IllegalStateException("could not make the " + shape.id() + " loops: " + e, e);
        }
    }

    /**
     * Times every candidate shape's fill and verify over {@code scratch} (memory the suite will test,
     * larger than the caches) and returns GB/s of fill and verify together, fastest first. Each
     * shape first runs on a small slice until compiled, then is timed {@code rounds} times; the best
     * round counts. A shape whose verify finds a word wrong fails the calibration: every shape must
     * read back exactly what it wrote.
     */
    public static Map<MemShape, Double> calibrate(MemorySegment scratch, int rounds) {
        long n = scratch.byteSize() / 8;
        Map<MemShape, Double> speed = new LinkedHashMap<>();
        for (MemShape s : MemShape.candidates(maxBits())) {
            LaneLoops l = of(s);
            MemorySegment warm = scratch.asSlice(0, Math.min(scratch.byteSize(), 1L << 20) & ~7L);
            for (int i = 0; i < 200; i++) {
                pass(l, warm, warm.byteSize() / 8, i);
            }
            double best = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                pass(l, scratch, n, r);
                best = Math.max(best, 2.0 * n * 8 / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            speed.put(s, best);
        }
        return speed.entrySet().stream().sorted(Map.Entry.<MemShape, Double>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    /** One fill and one verify of {@code n} words with the indexed pattern; throws if the verify finds a word wrong. */
    private static void pass(LaneLoops l, MemorySegment seg, long n, long salt) {
        l.fillIndexed(seg, n, salt, true);
        for (long at = 0; at < n; at += CHUNK) {
            if (l.differsIndexed(seg, at, (int) Math.min(CHUNK, n - at), salt, true)) {
                throw new IllegalStateException("loop shape " + l.shape().id() + " read back a word it did not write near word " + at
                        + ": the memory or the loops are wrong");
            }
        }
    }

    /** The calibration's figures, as the log gives them: "512x2 14.1, 256x4 13.9, ...". */
    public static String format(Map<MemShape, Double> speed) {
        return speed.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey().id(), e.getValue()))
                .collect(Collectors.joining(", ")) + " GB/s";
    }

    /** Kept apart so that nothing from the Vector API module is loaded where it is absent. */
    private static final class VectorWidth {
        static int preferredBits() {
            return jdk.incubator.vector.LongVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
