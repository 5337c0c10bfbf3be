package dev.kiln.suites.cpu;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.random.RandomGenerator;

/** SHA-256 over seeded data: the SHA extensions (x86 SHA-NI, Arm SHA2) through the JDK's intrinsic. */
final class Sha256Kernel extends Kernel {
    static final int SIZE = 64 * 1024;
    private byte[] input;

    Sha256Kernel() {
        super("sha256", "bytes");
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
    Runner newRunner() throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] data = input.clone();
        byte[] out = new byte[32];
        return (fault, verify) -> {
            if (fault) {
                data[SIZE / 3] ^= 0x10; // a bit flipped on its way to the hash unit
            }
            md.update(data);
            try {
                md.digest(out, 0, 32);
            } catch (java.security.DigestException e) {
                throw new IllegalStateException(e);
            } finally {
                if (fault) {
                    data[SIZE / 3] ^= 0x10;
                }
            }
            return verify ? Fingerprint.of(out, 0, 32) : out[0];
        };
    }
}
