package dev.kiln.suites.memory;

import dev.kiln.api.WorkerContext;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every word the suite finds wrong: each counted, put right (so the check of what a family left does
 * not report the same change twice), and reported in full (offset, virtual and physical address,
 * expected, read and re-read values, the bits that differ, the pattern, pass and CPU) up to a cap
 * per worker; the bits and addresses affected are gathered over the run.
 */
final class Mismatches {
    private final AtomicLong errors = new AtomicLong();
    private long bitsAffected;
    private long lowAddress = Long.MAX_VALUE;
    private long highAddress = Long.MIN_VALUE;

    /**
     * A worker's reporter over its segments {@code mine}: at most {@code cap} reported in full,
     * counted in {@code reported} (shared by the worker's reporters); {@code held} when it checks what
     * a family left before the next writes it, else a family's check of its own pass.
     */
    Passes.Errors reporter(WorkerContext ctx, List<MemorySegment> mine, long cap, long[] reported, boolean held) {
        return (pattern, seg, word, expected, read) -> report(ctx, mine, pattern, seg, word, expected, read, reported, cap, held);
    }

    long count() {
        return errors.get();
    }

    synchronized long bitsAffected() {
        return bitsAffected;
    }

    synchronized long lowAddress() {
        return lowAddress;
    }

    synchronized long highAddress() {
        return highAddress;
    }

    private void report(WorkerContext ctx, List<MemorySegment> mine, String pattern, MemorySegment seg, long word, long expected,
                        long read, long[] reported, long cap, boolean held) {
        errors.incrementAndGet();
        long reread = seg.getAtIndex(ValueLayout.JAVA_LONG, word);
        // put right, so that the check of what this family left does not report the same change twice
        // (a bit that is stuck stays wrong, and is found again by the next family)
        seg.setAtIndex(ValueLayout.JAVA_LONG, word, expected);
        long xor = expected ^ read;
        long vaddr = seg.address() + word * 8;
        synchronized (this) {
            bitsAffected |= xor;
            lowAddress = Math.min(lowAddress, vaddr);
            highAddress = Math.max(highAddress, vaddr);
        }
        if (reported[0]++ >= cap) {
            return;
        }
        // by address: seg may be one of the worker's segments or a copy region spanning two of them
        long offset = 0;
        for (MemorySegment s : mine) {
            if (vaddr >= s.address() && vaddr < s.address() + s.byteSize()) {
                offset += vaddr - s.address();
                break;
            }
            offset += s.byteSize();
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("pattern", pattern);
        d.put("pass", ctx.iteration());
        d.put("offset", offset);
        d.putAll(word(vaddr, expected, read, reread));
        d.put("found", held ? "held: checked before the next family wrote it" : "in its own pass");
        ctx.failure("memory-" + pattern + "-mismatch", String.format(Locale.ROOT,
                "%s: word at offset %d (virtual %s, physical %s) read %s, expected %s (bits %s) on cpu %d, pass %d",
                pattern, offset, d.get("virtualAddress"), d.get("physicalAddress"), d.get("read"), d.get("expected"), d.get("bits"),
                ctx.cpu(), ctx.iteration()), d);
    }

    /** A wrong word's details, as every mismatch says them: where (virtual, physical), what, which bits, and whether a re-read agrees. */
    static Map<String, Object> word(long vaddr, long expected, long read, long reread) {
        long phys = Native.physical(vaddr);
        HexFormat hex = HexFormat.of();
        long xor = expected ^ read;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("virtualAddress", "0x" + Long.toHexString(vaddr));
        d.put("physicalAddress", phys < 0 ? "unknown" : "0x" + Long.toHexString(phys));
        d.put("expected", "0x" + hex.toHexDigits(expected));
        d.put("read", "0x" + hex.toHexDigits(read));
        d.put("reread", "0x" + hex.toHexDigits(reread));
        d.put("xor", "0x" + hex.toHexDigits(xor));
        d.put("bits", bits(xor));
        d.put("kind", reread == read ? "stored wrong (the re-read agrees)" : "read wrong (the re-read differs)");
        return d;
    }

    static List<Integer> bits(long xor) {
        List<Integer> b = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if ((xor >>> i & 1) != 0) {
                b.add(i);
            }
        }
        return b;
    }
}
