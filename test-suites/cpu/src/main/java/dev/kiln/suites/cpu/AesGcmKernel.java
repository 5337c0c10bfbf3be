package dev.kiln.suites.cpu;

import java.util.random.RandomGenerator;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM encryption of seeded data: the AES and carry-less multiply units through the JDK's
 * intrinsics. The check is the 128-bit tag, a keyed digest of every ciphertext byte, so a wrong
 * keystream or a wrong GHASH both change it. Each run encrypts twice, with two IVs in turn: the JDK
 * refuses to reuse a key and IV pair on one cipher, and the fixed pair keeps the answer known.
 */
final class AesGcmKernel extends Kernel {
    static final int SIZE = 64 * 1024;
    private byte[] plain;
    private SecretKeySpec key;
    private byte[][] ivs;

    AesGcmKernel() {
        super("aes-gcm", "bytes");
    }

    @Override
    void prepare(RandomGenerator random) {
        plain = new byte[SIZE];
        random.nextBytes(plain);
        byte[] k = new byte[32];
        random.nextBytes(k);
        key = new SecretKeySpec(k, "AES");
        ivs = new byte[2][12];
        random.nextBytes(ivs[0]);
        random.nextBytes(ivs[1]);
    }

    @Override
    long workPerRun() {
        return 2L * SIZE;
    }

    @Override
    Runner newRunner() throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] data = plain.clone();
        byte[] out = new byte[SIZE + 16];
        GCMParameterSpec[] specs = {new GCMParameterSpec(128, ivs[0]), new GCMParameterSpec(128, ivs[1])};
        return (fault, verify) -> {
            long fp = 0;
            for (int n = 0; n < 2; n++) {
                if (fault && n == 1) {
                    data[SIZE / 5] ^= 0x04;
                }
                try {
                    cipher.init(Cipher.ENCRYPT_MODE, key, specs[n]);
                    cipher.doFinal(data, 0, SIZE, out, 0);
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException("AES-GCM setup failed", e);
                } finally {
                    if (fault && n == 1) {
                        data[SIZE / 5] ^= 0x04;
                    }
                }
                fp = Long.rotateLeft(fp, 17) ^ (verify ? Fingerprint.of(out, SIZE, SIZE + 16) : out[SIZE]);
            }
            return fp;
        };
    }
}
