package dev.kiln.core;

import java.security.SecureRandom;
import java.util.UUID;

/** Run ids are UUIDv7 (RFC 9562): time-ordered, so bundles sort by when they ran. */
public final class RunIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    public static UUID newRunId() {
        return uuidV7(System.currentTimeMillis(), RANDOM.nextLong(), RANDOM.nextLong());
    }

    static UUID uuidV7(long unixMillis, long randA, long randB) {
        long msb = (unixMillis & 0xFFFF_FFFF_FFFFL) << 16;
        msb |= 0x7000L | (randA & 0x0FFFL);
        long lsb = (randB & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }
}
