package dev.kiln.suites.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Messages from one core to another through a ring of cache lines, each line a message: a sequence
 * number and seven payload words that are a known function of it. The producer writes the payload,
 * then the sequence with release semantics; the consumer reads the sequence with acquire semantics,
 * then the payload, and checks every word: a torn or stale line (a payload from another message, a
 * word that never arrived) is a failure naming both cores. The producer reuses a line only after the
 * consumer has said, with release, that it is done with it. Single producer, single consumer; lines
 * and counters 64-byte aligned off the heap, each counter on a line of its own.
 */
final class Mailbox {
    static final int SLOTS = 512;
    static final int LINE = 64;
    static final int PAYLOAD = 7;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final MemorySegment ring;
    private final MemorySegment counts; // produced at 0 (the producer's line), consumed at 64 (the consumer's)
    private final long salt;
    /** The cores at each end, as they last said (-1: a helper thread, or not yet). */
    volatile int producerCpu = -1;
    volatile int consumerCpu = -1;
    volatile String consumerName = "nobody yet";
    volatile String producerName = "nobody yet";

    Mailbox(Arena arena, long salt) {
        this.ring = arena.allocate((long) SLOTS * LINE, LINE);
        this.counts = arena.allocate(2L * LINE, LINE);
        this.salt = salt;
    }

    /** Payload word {@code k} of message {@code seq}. */
    long payload(long seq, int k) {
        long z = salt + seq * 8 + k + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The fault seam's tear: one bit of one word of one message, as a line that arrived torn. */
    static final int TORN_WORD = 3;
    static final long TORN_BIT = 1L << 17;

    /** A tear asked for and not yet written (the ring was full): the next message written carries it. */
    private boolean tearPending;

    /**
     * Writes up to {@code max} messages while the ring has room; {@code tear}: the next message's word
     * {@link #TORN_WORD} is written with a bit flipped (the first written here, or, with the ring full,
     * the first written later). Returns how many were written.
     */
    int produce(int max, boolean tear) {
        if (tear) {
            tearPending = true; // fields of this object are written only when they change: the consumer reads its neighbours
        }
        long p = (long) LONG.getOpaque(counts, 0L);
        long c = (long) LONG.getAcquire(counts, (long) LINE);
        int n = 0;
        while (n < max) {
            if (p - c >= SLOTS) {
                c = (long) LONG.getAcquire(counts, (long) LINE);
                if (p - c >= SLOTS) {
                    break; // full: the consumer has not come by
                }
            }
            long seq = p + 1;
            long at = (p & (SLOTS - 1)) * LINE; // SLOTS a power of two
            // plain stores: the release of the sequence below orders them before it (opaque stores, one
            // compiler barrier each, cost a tenth of the rate)
            for (int k = 1; k <= PAYLOAD; k++) {
                long v = payload(seq, k);
                if (tearPending && k == TORN_WORD) {
                    v ^= TORN_BIT;
                }
                LONG.set(ring, at + k * 8L, v);
            }
            LONG.setRelease(ring, at, seq);
            if (tearPending) {
                tearPending = false;
            }
            p++;
            n++;
        }
        LONG.setRelease(counts, 0L, p);
        return n;
    }

    /** Whether a tear asked for is still to be written. */
    boolean tearPending() {
        return tearPending;
    }

    /** Messages written and not yet taken. */
    long backlog() {
        return (long) LONG.getAcquire(counts, 0L) - (long) LONG.getAcquire(counts, (long) LINE);
    }

    long produced() {
        return (long) LONG.getAcquire(counts, 0L);
    }

    /**
     * Takes every message there is, checking each; returns how many. The first bad one is thrown,
     * after it is taken (the ring goes on).
     */
    int consume() throws CrossCoreFailure {
        return consume(true);
    }

    /** Sum of payload words read unchecked (the benchmark's unverified figure), so the reads are not dropped: an object of its own, off this one's line. */
    final long[] sink = new long[16];

    /** The same; {@code verify} false only for the benchmark's unverified figure (the words are read and summed, not checked). */
    int consume(boolean verify) throws CrossCoreFailure {
        long c = (long) LONG.getOpaque(counts, (long) LINE);
        int n = 0;
        long unchecked = 0;
        CrossCoreFailure bad = null;
        while (true) {
            long seq = c + 1;
            long at = (c & (SLOTS - 1)) * LINE;
            long s = (long) LONG.getAcquire(ring, at);
            if (s != seq) {
                if (s == seq - SLOTS || s == 0 && seq <= SLOTS) {
                    break; // not written yet
                }
                bad = failure(seq, 0, seq, s, "the line holds another message's sequence (stale or torn)");
                c++; // taken, so it is said once; what follows is read on as usual
                n++;
                LONG.setRelease(counts, (long) LINE, c);
                break;
            }
            if (verify) {
                // every word loaded first, then compared at once: the loads go out together, not one
                // behind each comparison (measured: 0.65 -> 0.70 of the C anchor's rate)
                MemorySegment r = ring;
                long w1 = (long) LONG.get(r, at + 8);
                long w2 = (long) LONG.get(r, at + 16);
                long w3 = (long) LONG.get(r, at + 24);
                long w4 = (long) LONG.get(r, at + 32);
                long w5 = (long) LONG.get(r, at + 40);
                long w6 = (long) LONG.get(r, at + 48);
                long w7 = (long) LONG.get(r, at + 56);
                long differ = (w1 ^ payload(seq, 1)) | (w2 ^ payload(seq, 2)) | (w3 ^ payload(seq, 3)) | (w4 ^ payload(seq, 4))
                        | (w5 ^ payload(seq, 5)) | (w6 ^ payload(seq, 6)) | (w7 ^ payload(seq, 7));
                if (differ != 0) {
                    long[] read = {w1, w2, w3, w4, w5, w6, w7};
                    for (int k = 1; k <= PAYLOAD && bad == null; k++) {
                        long want = payload(seq, k);
                        if (read[k - 1] != want) {
                            bad = failure(seq, k, want, read[k - 1], "a payload word that is not the message's (torn)");
                        }
                    }
                }
            } else {
                for (int k = 1; k <= PAYLOAD; k++) {
                    unchecked += (long) LONG.get(ring, at + k * 8L);
                }
            }
            c++;
            n++;
            if ((n & 31) == 0) {
                LONG.setRelease(counts, (long) LINE, c); // lines given back to the producer every 32 messages, and at the end
            }
        }
        LONG.setRelease(counts, (long) LINE, c);
        if (unchecked != 0) {
            sink[8] += unchecked;
        }
        if (bad != null) {
            throw bad;
        }
        return n;
    }

    private CrossCoreFailure failure(long seq, int word, long expected, long read, String what) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("producerCpu", producerCpu);
        d.put("producer", producerName);
        d.put("consumerCpu", consumerCpu);
        d.put("consumer", consumerName);
        d.put("sequence", seq);
        d.put("word", word);
        d.put("expected", CpuSuite.hex(expected));
        d.put("actual", CpuSuite.hex(read));
        return new CrossCoreFailure(String.format(java.util.Locale.ROOT, "message %d from %s to %s, word %d: read %s, expected %s: %s", seq,
                producerName, consumerName, word, CpuSuite.hex(read), CpuSuite.hex(expected), what), d);
    }
}
