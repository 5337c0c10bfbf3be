package dev.kiln.suites.memory;

import dev.kiln.suites.memory.loops.Lanes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The copy family's block checksum: eight interleaved lanes of 64-bit words (word {@code i} goes to
 * lane {@code i % 8}; the words after the last full group of eight go on in lane 0), each lane a sum
 * {@code s += v} and a running sum of sums {@code f += s} (Fletcher's construction); the result is
 * the sum of the eight {@code s} and the sum of the eight {@code f}. A flipped bit changes the first;
 * words swapped or moved within a block change the second. The same numbers come from the scalar
 * code here and from {@link VectorFletcher} (used where the Vector API module is present), whatever
 * the machine's vector width.
 */
final class Fletcher {
    static final int LANES = 8;
    private static final ValueLayout.OfLong W = ValueLayout.JAVA_LONG;
    static final boolean VECTOR = Lanes.VECTOR;

    private Fletcher() {
    }

    /** The checksum of {@code len} words at word {@code at} into {@code out[0]} and {@code out[1]}. */
    static void of(MemorySegment seg, long at, int len, long[] out) {
        if (VECTOR) {
            VectorFletcher.of(seg, at, len, out);
        } else {
            scalar(seg, at, len, out);
        }
    }

    static void scalar(MemorySegment seg, long at, int len, long[] out) {
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        long f0 = 0, f1 = 0, f2 = 0, f3 = 0, f4 = 0, f5 = 0, f6 = 0, f7 = 0;
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            long p = at + i;
            s0 += seg.getAtIndex(W, p);
            f0 += s0;
            s1 += seg.getAtIndex(W, p + 1);
            f1 += s1;
            s2 += seg.getAtIndex(W, p + 2);
            f2 += s2;
            s3 += seg.getAtIndex(W, p + 3);
            f3 += s3;
            s4 += seg.getAtIndex(W, p + 4);
            f4 += s4;
            s5 += seg.getAtIndex(W, p + 5);
            f5 += s5;
            s6 += seg.getAtIndex(W, p + 6);
            f6 += s6;
            s7 += seg.getAtIndex(W, p + 7);
            f7 += s7;
        }
        for (; i < len; i++) {
            s0 += seg.getAtIndex(W, at + i);
            f0 += s0;
        }
        out[0] = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
        out[1] = f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7;
    }

    /** The checksum of {@code len} values {@code page[i] ^ key}, computed from the values (nothing read back). */
    static void ofValues(long[] page, long key, int len, long[] out) {
        long[] s = new long[LANES];
        long[] f = new long[LANES];
        int i = 0;
        for (; i + LANES <= len; i += LANES) {
            for (int l = 0; l < LANES; l++) {
                s[l] += page[i + l] ^ key;
                f[l] += s[l];
            }
        }
        for (; i < len; i++) {
            s[0] += page[i] ^ key;
            f[0] += s[0];
        }
        long a = 0;
        long b = 0;
        for (int l = 0; l < LANES; l++) {
            a += s[l];
            b += f[l];
        }
        out[0] = a;
        out[1] = b;
    }

    /**
     * The checksum of the same block with every word inverted, from the plain one: {@code ~v = -1 - v},
     * so a lane of {@code m} words has {@code s' = -m - s} and {@code f' = -m(m+1)/2 - f}.
     */
    static void inverted(long[] plain, int len, long[] out) {
        long a = -len - plain[0];
        long b = -plain[1];
        for (int l = 0; l < LANES; l++) {
            long m = len / LANES + (l == 0 ? len % LANES : 0);
            b -= m * (m + 1) / 2;
        }
        out[0] = a;
        out[1] = b;
    }
}
