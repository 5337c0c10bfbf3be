package dev.kiln.suites.cpu;

import java.util.random.RandomGenerator;
import java.util.zip.CRC32C;

/** CRC32C over seeded data: the CRC instructions (SSE4.2, Armv8 CRC32) through the JDK's intrinsic. */
final class Crc32cKernel extends Kernel {
    static final int SIZE = 256 * 1024;
    private byte[] input;

    Crc32cKernel() {
        super("crc32c", "bytes");
    }

    @Override
    void prepare(RandomGenerator random) {
        input = new byte[SIZE];
        random.nextBytes(input);
    }

    @Override
    long workPerRun() {
        return SIZE;
    }

    @Override
    Runner newRunner() {
        CRC32C crc = new CRC32C();
        byte[] data = input.clone();
        return (fault, verify) -> {
            if (fault) {
                data[SIZE - 7] ^= 0x01;
            }
            crc.reset();
            crc.update(data, 0, SIZE);
            if (fault) {
                data[SIZE - 7] ^= 0x01;
            }
            return crc.getValue();
        };
    }
}
