package dev.kiln.suites.memory.loops;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of the fill and verify loops: how wide each vector is ({@code bits}: 128, 256 or 512;
 * 64 means the scalar loops, one word at a time) and how many vectors one iteration handles, each
 * with its own accumulator ({@code unroll}: 1, 2 or 4). Every shape computes the same thing; only
 * the speed differs between machines. As the parameter names it: {@code "512x2"}.
 */
public record MemShape(int bits, int unroll) {
    public static final MemShape SCALAR = new MemShape(64, 1);
    private static final int[] WIDTHS = {128, 256, 512};
    private static final int[] UNROLLS = {1, 2, 4};

    public MemShape {
        if (!(bits == 64 && unroll == 1) && !(List.of(128, 256, 512).contains(bits) && List.of(1, 2, 4).contains(unroll))) {
            throw new IllegalArgumentException("no loop shape " + bits + "x" + unroll + " (vectors of 128, 256 or 512 bits, 1, 2 or 4 a step; or 64x1, scalar)");
        }
    }

    public String id() {
        return bits + "x" + unroll;
    }

    /** Words a vector holds. */
    public int lanes() {
        return bits / 64;
    }

    public static MemShape of(String id) {
        String[] p = id.trim().split("x", -1);
        if (p.length != 2) {
            throw new IllegalArgumentException("a loop shape is bits x unroll, such as 512x2; got '" + id + "'");
        }
        try {
            return new MemShape(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a loop shape is bits x unroll, such as 512x2; got '" + id + "'");
        }
    }

    /**
     * The shape for a machine whose widest native vector is {@code maxBits}: vectors of that width,
     * and enough of them a step to cover two cache lines (128 bytes: 512-bit vectors 2 a step, 256-bit
     * and 128-bit 4), so the loop's own overhead (counter, compare, branch) is spread over as many
     * bytes whatever the width, and each accumulator's dependency chain is as short. No vectors: the
     * scalar loops.
     */
    public static MemShape forMachine(int maxBits) {
        if (maxBits < 128) {
            return SCALAR;
        }
        int bits = Math.min(512, Integer.highestOneBit(maxBits));
        return new MemShape(bits, Math.min(4, 1024 / bits));
    }

    /** The shapes a calibration times on a machine whose widest native vector is {@code maxBits} (never wider: those would not be compiled to vector instructions). */
    public static List<MemShape> candidates(int maxBits) {
        List<MemShape> out = new ArrayList<>();
        for (int w : WIDTHS) {
            if (w <= maxBits) {
                for (int u : UNROLLS) {
                    out.add(new MemShape(w, u));
                }
            }
        }
        if (out.isEmpty()) {
            out.add(SCALAR);
        }
        return out;
    }
}
