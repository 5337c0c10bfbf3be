package dev.kiln.suites.cpu;

import java.util.List;

/** A register block: {@code rows} rows of A by {@code vectors} vectors of B's columns. */
enum FmaShape {
    R6V2(6, 2),
    R8V2(8, 2),
    R4V4(4, 4),
    R8V3(8, 3);

    final int rows;
    final int vectors;

    FmaShape(int rows, int vectors) {
        this.rows = rows;
        this.vectors = vectors;
    }

    int accumulators() {
        return rows * vectors;
    }

    /** As the parameter names it: "8x3". */
    String id() {
        return rows + "x" + vectors;
    }

    /**
     * The block for a core, from what it has: accumulators in flight ≈ FMA pipes × their latency,
     * within its vector registers less the B row and the broadcast.
     * <ul>
     * <li>512-bit vectors (AVX-512: 32 registers; two FMA pipes of latency 4 on Skylake-class and
     * later Xeons, 8 in flight needed): 8×3 = 24 accumulators, 28 registers with B and the broadcast;
     * measured 0.96 of fmapeak's one-thread peak on a Skylake-class Xeon where 6×2 made 0.54;</li>
     * <li>256-bit (AVX2: 16 registers; two pipes of latency 4–5): 6×2 = 12, 15 registers;</li>
     * <li>128-bit on arm64 (NEON: 32 registers; an Apple performance core has four FMA pipes of
     * latency 4, so 16 in flight): 8×2 = 16, 19 registers;</li>
     * <li>anything else: 6×2.</li>
     * </ul>
     */
    static FmaShape forCore(int vectorBits, String arch) {
        boolean arm = arch.equals("aarch64") || arch.equals("arm64");
        if (vectorBits >= 512) {
            return R8V3;
        }
        if (vectorBits == 128 && arm) {
            return R8V2;
        }
        return R6V2;
    }

    static FmaShape of(String id) {
        for (FmaShape s : values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no FMA shape " + id + " (" + String.join(", ", List.of(values()).stream().map(FmaShape::id).toList()) + ")");
    }
}
