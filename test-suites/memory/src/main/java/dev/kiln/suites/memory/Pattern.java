package dev.kiln.suites.memory;

/**
 * The memtester-style families whose expected value is a pure function of the word index and the
 * pass, so one fill loop and one verify loop serve them all (the comparison families and moving
 * inversions, which are not, have loops of their own in {@link Passes}).
 */
enum Pattern {
    /** Stuck address lines: each word holds its own index, salted per pass. */
    ADDRESS("address", 0) {
        @Override
        long value(long i, long pass, long salt) {
            return i ^ salt;
        }
    },
    /** Seeded random values, recomputed for the check. */
    RANDOM("random", 0) {
        @Override
        long value(long i, long pass, long salt) {
            return Mix.mix(salt + i);
        }
    },
    /** All zeros, then all ones, pass after pass. */
    SOLID_BITS("solid-bits", 1) {
        @Override
        long value(long i, long pass, long salt) {
            return (pass & 1) == 0 ? 0L : -1L;
        }
    },
    /** 0101… and 1010… in alternate words, inverted every pass. */
    CHECKERBOARD("checkerboard", 2) {
        @Override
        long value(long i, long pass, long salt) {
            return 0x5555_5555_5555_5555L ^ (((i ^ pass) & 1) == 0 ? 0L : -1L);
        }
    },
    /** Every byte the same value, a different one each pass. */
    BLOCK_SEQUENTIAL("block-sequential", 1) {
        @Override
        long value(long i, long pass, long salt) {
            return (pass & 0xFF) * 0x0101_0101_0101_0101L;
        }
    },
    /** One set bit walking through the word. */
    WALKING_ONES("walking-ones", 64) {
        @Override
        long value(long i, long pass, long salt) {
            return 1L << ((i + pass) & 63);
        }
    },
    /** One clear bit walking through the word. */
    WALKING_ZEROS("walking-zeros", 64) {
        @Override
        long value(long i, long pass, long salt) {
            return ~(1L << ((i + pass) & 63));
        }
    },
    /** Two set bits two apart, and their inverse in the next word. */
    BIT_SPREAD("bit-spread", 2) {
        @Override
        long value(long i, long pass, long salt) {
            long v = (1L << (pass % 62)) | (1L << (pass % 62 + 2));
            return (i & 1) == 0 ? v : ~v;
        }
    },
    /** One bit and its inverse in alternate words, inverted every other pass. */
    BIT_FLIP("bit-flip", 2) {
        @Override
        long value(long i, long pass, long salt) {
            long v = 1L << ((pass >> 1) & 63);
            return ((i ^ pass) & 1) == 0 ? v : ~v;
        }
    },
    /** An incrementing count from a seeded start. */
    SEQUENTIAL_INCREMENT("sequential-increment", 0) {
        @Override
        long value(long i, long pass, long salt) {
            return salt + i;
        }
    };

    final String id;
    /** Words after which the value repeats, whatever the pass (1, 2 or 64; 0: it does not repeat). */
    final int period;
    /** Whether the value repeats (so a block of it can be replicated and compared as a block). */
    final boolean periodic;

    Pattern(String id, int period) {
        this.id = id;
        this.period = period;
        this.periodic = period > 0;
    }

    abstract long value(long i, long pass, long salt);
}
