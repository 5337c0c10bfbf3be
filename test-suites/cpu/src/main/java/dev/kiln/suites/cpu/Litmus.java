package dev.kiln.suites.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Litmus tests of the memory model between two threads, {@link #TRIALS} trials a batch, each trial
 * on variables of its own, the outcomes the model forbids counted (they must be zero):
 * <ul>
 * <li>message passing: A writes data, then a flag with release; B reads the flag with acquire, then
 *     the data. Forbidden: B saw the flag but not the data.</li>
 * <li>store buffering: each writes its variable, a full fence, reads the other's. Forbidden: both read
 *     the old value.</li>
 * <li>load buffering: each reads the other's variable with acquire, then writes its own with release.
 *     Forbidden: both read the value the other wrote after its read.</li>
 * </ul>
 * The two sides meet at a barrier before each test and after the last; each batch writes values of
 * its own ({@code gen}), so nothing is cleared between batches.
 */
final class Litmus {
    static final int TRIALS = 1024;
    static final String[] TESTS = {"message-passing", "store-buffering", "load-buffering"};
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final long DEADLINE_NANOS = 5_000_000_000L;
    private static final int MP_FLAG = 1;
    private static final int MP_DATA = 2;
    private static final int SB = 4;
    private static final int LB = 8;

    private final MemorySegment data;
    private final MemorySegment flag;
    private final MemorySegment x;
    private final MemorySegment y;
    private final MemorySegment seenB; // side B's observations, a word a trial
    private final AtomicLongArray meet = new AtomicLongArray(16); // side 0's token at 0, side 1's at 8 (lines apart)

    Litmus(Arena arena) {
        data = arena.allocate(TRIALS * 8L, 64);
        flag = arena.allocate(TRIALS * 8L, 64);
        x = arena.allocate(TRIALS * 8L, 64);
        y = arena.allocate(TRIALS * 8L, 64);
        seenB = arena.allocate(TRIALS * 8L, 64);
    }

    /** The last batch a side gave up on: the other side stops waiting for it at once. */
    private volatile long abandoned;

    /** Both sides at barrier {@code token}; false when the other did not come in time (the batch is then abandoned by both). */
    private boolean meet(int side, long token) {
        meet.setRelease(side * 8, token);
        long end = System.nanoTime() + DEADLINE_NANOS;
        long gen = token / 8;
        while (meet.getAcquire((1 - side) * 8) < token) {
            if (abandoned >= gen) {
                return false;
            }
            if (System.nanoTime() - end > 0) {
                abandoned = gen;
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Side B's part of batch {@code gen} (the helper thread); false when side A did not come. */
    boolean sideB(long gen) {
        long mp = gen * 4 + 1;
        long sb = gen * 4 + 2;
        long lb = gen * 4 + 3;
        long[] seen = new long[TRIALS];
        if (!meet(1, gen * 8 + 1)) {
            return false;
        }
        for (int k = 0; k < TRIALS; k++) {
            long at = k * 8L;
            boolean f = (long) LONG.getAcquire(flag, at) == mp;
            boolean d = (long) LONG.get(data, at) == mp;
            seen[k] |= (f ? MP_FLAG : 0) | (d ? MP_DATA : 0);
        }
        if (!meet(1, gen * 8 + 2)) {
            return false;
        }
        for (int k = 0; k < TRIALS; k++) {
            long at = k * 8L;
            LONG.setOpaque(y, at, sb);
            VarHandle.fullFence();
            seen[k] |= (long) LONG.getOpaque(x, at) == sb ? SB : 0;
        }
        if (!meet(1, gen * 8 + 3)) {
            return false;
        }
        for (int k = 0; k < TRIALS; k++) {
            long at = k * 8L;
            boolean r = (long) LONG.getAcquire(y, at) == lb;
            LONG.setRelease(x, at, lb);
            seen[k] |= r ? LB : 0;
        }
        for (int k = 0; k < TRIALS; k++) {
            LONG.set(seenB, k * 8L, seen[k]);
        }
        return meet(1, gen * 8 + 4);
    }

    /**
     * Side A's part of batch {@code gen} (the worker), then the outcomes of both sides judged.
     * {@code plant}: the fault seam makes trial 0 of store buffering read as the forbidden outcome.
     * Returns the forbidden outcomes per test (all zero, or it throws); null when side B did not
     * come in time (the batch is not run: said by the kernel's counts, never a pass of its own).
     *
     * @throws CrossCoreFailure on a forbidden outcome
     */
    long[] sideA(long gen, boolean plant, String a, String b) throws CrossCoreFailure {
        long mp = gen * 4 + 1;
        long sb = gen * 4 + 2;
        long lb = gen * 4 + 3;
        boolean[] sbA = new boolean[TRIALS];
        boolean[] lbA = new boolean[TRIALS];
        if (!meet(0, gen * 8 + 1)) {
            return null;
        }
        for (int k = 0; k < TRIALS; k++) {
            long at = k * 8L;
            LONG.set(data, at, mp);
            LONG.setRelease(flag, at, mp);
        }
        if (!meet(0, gen * 8 + 2)) {
            return null;
        }
        for (int k = 0; k < TRIALS; k++) {
            long at = k * 8L;
            LONG.setOpaque(x, at, sb);
            VarHandle.fullFence();
            sbA[k] = (long) LONG.getOpaque(y, at) == sb;
        }
        if (!meet(0, gen * 8 + 3)) {
            return null;
        }
        for (int k = 0; k < TRIALS; k++) {
            long at = k * 8L;
            lbA[k] = (long) LONG.getAcquire(x, at) == lb;
            LONG.setRelease(y, at, lb);
        }
        if (!meet(0, gen * 8 + 4)) {
            return null;
        }
        long[] forbidden = new long[3];
        int[] first = {-1, -1, -1};
        for (int k = 0; k < TRIALS; k++) {
            long seen = (long) LONG.get(seenB, k * 8L);
            boolean sbB = (seen & SB) != 0;
            if (plant && k == 0) {
                sbA[k] = false; // the fault seam: as if both stores had waited in their buffers past the loads
                sbB = false;
            }
            boolean[] bad = {(seen & MP_FLAG) != 0 && (seen & MP_DATA) == 0, !sbA[k] && !sbB, lbA[k] && (seen & LB) != 0};
            for (int t = 0; t < 3; t++) {
                if (bad[t]) {
                    forbidden[t]++;
                    first[t] = first[t] < 0 ? k : first[t];
                }
            }
        }
        for (int t = 0; t < 3; t++) {
            if (forbidden[t] > 0) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("test", TESTS[t]);
                d.put("forbidden", forbidden[t]);
                d.put("trials", TRIALS);
                d.put("firstTrial", first[t]);
                d.put("sideA", a);
                d.put("sideB", b);
                d.put("expected", "0 forbidden outcomes");
                d.put("actual", forbidden[t] + " of " + TRIALS);
                throw new CrossCoreFailure(String.format(java.util.Locale.ROOT, "%s: %d forbidden outcome(s) in %d trials between %s and %s "
                        + "(first at trial %d): %s", TESTS[t], forbidden[t], TRIALS, a, b, first[t], why(t)), d);
            }
        }
        return forbidden;
    }

    private static String why(int test) {
        return switch (test) {
            case 0 -> "the flag was seen, its data was not (release/acquire broken)";
            case 1 -> "both read the old value across full fences (a store passed a fence)";
            default -> "both read a value written after the other's read (a load passed a later store)";
        };
    }
}
