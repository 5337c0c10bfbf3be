package dev.kiln.suites.memory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the memory suite moves blocks of memory: the copy family's moves ({@link Copier}) and the
 * periodic fills' replication of a pattern block ({@link Passes#fill(Mover, Pattern, MemorySegment,
 * MemorySegment)}). Which one is fastest depends on the CPU, so it is chosen per machine
 * ({@link MoverChoice}: a table of measured CPUs, or timed at prepare), never fixed:
 *
 * <ul>
 *   <li>{@code memcpy-<block>}: the C library's {@code memcpy} (the foreign function API) in blocks
 *       of that size. On x86-64 glibc stores non-temporally (no read for ownership) only for blocks
 *       at or above {@code glibc.cpu.x86_non_temporal_threshold}, which the launcher lowers to
 *       128 KiB; the block size is therefore the run-time choice between non-temporal and plain
 *       stores. Offered where {@code memcpy} is found.
 *   <li>{@code segment-<block>}: {@link MemorySegment#copy}, the JDK's own copy stub. On x86-64 with
 *       512-bit vectors HotSpot's stub stores non-temporally for copies of 2.5 MiB and more
 *       ({@code StubGenerator::arraycopy_avx3_large}); below that, and elsewhere, plain stores.
 *   <li>{@code fused-<block>}: copies only; a Vector API loop that checksums each vector as it moves
 *       it, so the source is read once (plain stores). Offered where {@code jdk.incubator.vector} is.
 *   <li>{@code stores}: fills only; the pattern stored from a chunk in registers with plain stores,
 *       nothing replicated.
 * </ul>
 *
 * A block must fit a segment: a copy's moves between the halves of a copy region, a group of
 * adjacent segments with three blocks a half ({@link Round#copyRegions}); a fill's is replicated
 * over a segment.
 */
record Mover(String name, Kind kind, long blockBytes) {
    enum Kind { MEMCPY, SEGMENT, FUSED, STORES }

    /** The block sizes offered, in bytes. */
    static final long[] BLOCKS = {256L << 10, 1L << 20, 2L << 20, 4L << 20};
    /** The size at and above which HotSpot's x86-64 copy stub stores non-temporally where it uses 512-bit vectors. */
    static final long HOTSPOT_LARGE_COPY = 2_621_440;
    /** The copy family's block before issue 34, and the default of {@code memcpy} without a choice: 256 KiB. */
    static final Mover MEMCPY_256K = new Mover("memcpy-256k", Kind.MEMCPY, 256L << 10);

    Mover {
        if (kind != Kind.STORES && (blockBytes < 4096 || blockBytes % 64 != 0 || blockBytes / 8 > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("bad block size " + blockBytes);
        }
    }

    /** The block a fill of segments of {@code segmentBytes} replicates (a segment's at most; {@code stores} replicates nothing: 64 bytes, unused). */
    long sourceBytes(long segmentBytes) {
        return kind == Kind.STORES ? 64 : Math.min(blockBytes, segmentBytes);
    }

    /** The block in 64-bit words. */
    int blockWords() {
        return (int) (blockBytes / 8);
    }

    /** The copy strategies this machine offers for segments of {@code segmentBytes} (regions of two), in the order they are timed. */
    static List<Mover> copies(long segmentBytes) {
        List<Mover> out = blocks(segmentBytes);
        if (Fletcher.VECTOR) {
            out.add(new Mover("fused-256k", Kind.FUSED, 256L << 10));
        }
        return out;
    }

    /** The periodic-fill strategies this machine offers for segments of {@code segmentBytes}. */
    static List<Mover> fills(long segmentBytes) {
        List<Mover> out = blocks(segmentBytes);
        out.add(new Mover("stores", Kind.STORES, 0));
        return out;
    }

    /** The memcpy and segment strategies of every block that fits a segment (256 KiB always: a shorter segment is one tail block). */
    private static List<Mover> blocks(long segmentBytes) {
        List<Mover> out = new ArrayList<>();
        for (long b : BLOCKS) {
            if (b <= Math.max(256L << 10, segmentBytes)) {
                if (Native.hasMemcpy()) {
                    out.add(new Mover("memcpy-" + size(b), Kind.MEMCPY, b));
                }
                out.add(new Mover("segment-" + size(b), Kind.SEGMENT, b));
            }
        }
        return out;
    }

    /** Every name a machine could offer, whatever this one does (for the parameter's description and errors). */
    static List<String> allNames() {
        List<String> out = new ArrayList<>();
        for (long b : BLOCKS) {
            out.add("memcpy-" + size(b));
        }
        for (long b : BLOCKS) {
            out.add("segment-" + size(b));
        }
        out.add("fused-256k");
        out.add("stores");
        return out;
    }

    /**
     * The strategy named among {@code offered}; an {@link IllegalArgumentException} naming it and
     * listing what is offered when it is not one of them ({@code what}: "copy" or "fill").
     */
    static Mover named(String name, List<Mover> offered, String what) {
        for (Mover m : offered) {
            if (m.name.equals(name)) {
                return m;
            }
        }
        String why = allNames().contains(name) ? "is not offered here" : "is not a " + what + " strategy";
        return fail(name, offered, why);
    }

    private static Mover fail(String name, List<Mover> offered, String why) {
        throw new IllegalArgumentException("'" + name + "' " + why + "; this machine offers: auto, calibrate, "
                + String.join(", ", offered.stream().map(Mover::name).toList()));
    }

    /** "256k", "1m", ... */
    static String size(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + "m" : (bytes >> 10) + "k";
    }

    /** Copies {@code src} into {@code dst} (the same size, not overlapping) with this strategy's mechanism. */
    void copy(MemorySegment dst, MemorySegment src) {
        switch (kind) {
            case MEMCPY -> Native.memcpy(dst, src, src.byteSize());
            case SEGMENT -> MemorySegment.copy(src, 0, dst, 0, src.byteSize());
            case FUSED -> VectorFletcher.copy(src, dst, null);
            case STORES -> throw new IllegalStateException("stores replicate nothing");
        }
    }

    /** What this strategy does on this machine, for the suite's log. */
    String describe() {
        String block = size(blockBytes).toUpperCase(Locale.ROOT).replace("K", " KiB").replace("M", " MiB");
        return switch (kind) {
            case MEMCPY -> "the C library's memcpy in " + block + " blocks (" + Native.nonTemporal(blockBytes) + ")";
            case SEGMENT -> "MemorySegment.copy in " + block + " blocks (the JDK's copy stub; " + Native.segmentStores(blockBytes) + ")";
            case FUSED -> "a Vector API loop checksumming each vector as it moves it, " + block + " blocks (plain stores)";
            case STORES -> "plain stores of the pattern, nothing replicated";
        };
    }
}
