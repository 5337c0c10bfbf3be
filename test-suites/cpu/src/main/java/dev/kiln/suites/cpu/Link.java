package dev.kiln.suites.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What two cores test together: a mailbox each way, a cache line where each keeps a counter of its
 * own beside the other's (false sharing: the line bounces on every add), and a line both add to
 * (true sharing). Side 0 is the worker with the lower index (or the worker whose partner is its
 * helper thread), side 1 its partner.
 */
final class Link {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final long SHARED = 64;

    final Mailbox[] mail = new Mailbox[2]; // mail[r]: from side r to side 1 - r
    private final MemorySegment line; // side 0's counter at 0, side 1's at 8; the shared counter at 64
    /** What each side added to the shared counter, by its own count. */
    final AtomicLong[] sharedAdded = {new AtomicLong(), new AtomicLong()};
    /** Each side's CPU and name as it last said. */
    final int[] cpu = {-1, -1};
    final String[] name = {"nobody yet", "nobody yet"};
    final String relation;

    Link(Arena arena, long salt, String relation) {
        mail[0] = new Mailbox(arena, salt);
        mail[1] = new Mailbox(arena, ~salt);
        line = arena.allocate(128, 64);
        this.relation = relation;
    }

    /** Side {@code side} is on {@code cpuId}, called {@code who}. */
    void at(int side, int cpuId, String who) {
        cpu[side] = cpuId;
        name[side] = who;
        mail[side].producerCpu = cpuId;
        mail[side].producerName = who;
        mail[1 - side].consumerCpu = cpuId;
        mail[1 - side].consumerName = who;
    }

    /**
     * {@code steps} adds of known amounts to this side's counter (every other one through a
     * compare-and-set loop), each beside an add to the shared counter; then this side's counter must
     * have moved by exactly their sum. {@code lose}: the fault seam drops one add. Returns the sum.
     */
    long count(int side, int steps, long salt, boolean lose) throws CrossCoreFailure {
        long own = side * 8L;
        long before = (long) LONG.getVolatile(line, own);
        long sum = 0;
        long shared = 0;
        for (int i = 0; i < steps; i++) {
            long inc = ((i * 0x9E3779B97F4A7C15L + salt) >>> 48) | 1;
            sum += inc;
            if (lose && i == steps / 3) {
                continue; // the fault seam: an increment lost
            }
            if ((i & 1) == 0) {
                LONG.getAndAdd(line, own, inc);
            } else {
                long v;
                do {
                    v = (long) LONG.getVolatile(line, own);
                } while (!LONG.compareAndSet(line, own, v, v + inc));
            }
            LONG.getAndAdd(line, SHARED, inc);
            shared += inc;
        }
        sharedAdded[side].addAndGet(shared);
        long moved = (long) LONG.getVolatile(line, own) - before;
        if (moved != sum) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("cpu", cpu[side]);
            d.put("partnerCpu", cpu[1 - side]);
            d.put("partner", name[1 - side]);
            d.put("between", relation);
            d.put("expected", CpuSuite.hex(sum));
            d.put("actual", CpuSuite.hex(moved));
            throw new CrossCoreFailure(String.format(java.util.Locale.ROOT, "the counter of %s in a line it shares with %s (%s) moved by %d, "
                    + "expected %d: %d lost in %d adds", name[side], name[1 - side], relation, moved, sum, sum - moved, steps), d);
        }
        return sum;
    }

    /** The shared counter against what both sides say they added; null when they agree. */
    String sharedMismatch() {
        long v = (long) LONG.getVolatile(line, SHARED);
        long want = sharedAdded[0].get() + sharedAdded[1].get();
        return v == want ? null : String.format(java.util.Locale.ROOT, "the counter %s and %s (%s) both add to holds %d, they added %d: %d lost",
                name[0], name[1], relation, v, want, want - v);
    }
}
