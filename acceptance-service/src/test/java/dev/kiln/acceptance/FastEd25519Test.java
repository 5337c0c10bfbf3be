package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.SignatureCheck;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The service's Ed25519 check says what the JDK's says (which {@code kiln verify} uses) of valid
 * signatures, of every single-bit change to a signature, of changed messages, of another key, and of
 * a signature whose S is not reduced (S + L: the same point equation, refused by RFC 8032 §5.1.7).
 */
class FastEd25519Test {
    private static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    private final SignatureCheck fast = new FastEd25519();

    @Test
    void agreesWithTheJdkOnValidAndDamagedSignatures() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
        int valid = 0;
        int refused = 0;
        for (int k = 0; k < 4; k++) {
            KeyPair kp = g.generateKeyPair();
            PublicKey other = g.generateKeyPair().getPublic();
            for (int m = 0; m < 8; m++) {
                byte[] msg = new byte[rnd.nextInt(0, 3000)];
                rnd.nextBytes(msg);
                byte[] sig = sign(kp, msg);
                assertTrue(fast.verify(kp.getPublic(), msg, sig), "a valid signature");
                assertTrue(SignatureCheck.JDK.verify(kp.getPublic(), msg, sig));
                valid++;
                for (int bit = 0; bit < 512; bit += 1 + rnd.nextInt(0, 7)) {
                    byte[] bad = sig.clone();
                    bad[bit / 8] ^= (byte) (1 << (bit % 8));
                    assertSame(kp.getPublic(), msg, bad);
                    assertFalse(fast.verify(kp.getPublic(), msg, bad), "signature bit " + bit + " flipped");
                    refused++;
                }
                if (msg.length > 0) {
                    byte[] changed = msg.clone();
                    changed[rnd.nextInt(0, msg.length)] ^= 1;
                    assertSame(kp.getPublic(), changed, sig);
                    assertFalse(fast.verify(kp.getPublic(), changed, sig), "message changed");
                }
                assertSame(other, msg, sig);
                assertFalse(fast.verify(other, msg, sig), "another key");
                assertFalse(fast.verify(kp.getPublic(), msg, Arrays.copyOf(sig, 63)), "a short signature");
                assertFalse(fast.verify(kp.getPublic(), msg, null), "no signature");
                byte[] unreduced = withUnreducedS(sig);
                if (unreduced != null) {
                    assertSame(kp.getPublic(), msg, unreduced);
                    assertFalse(fast.verify(kp.getPublic(), msg, unreduced), "S + L is not accepted");
                    refused++;
                }
            }
        }
        assertEquals(32, valid);
        assertTrue(refused > 1000, "damaged signatures tried: " + refused);
    }

    private void assertSame(PublicKey key, byte[] msg, byte[] sig) {
        assertEquals(SignatureCheck.JDK.verify(key, msg, sig), fast.verify(key, msg, sig), "the JDK and the service disagree");
    }

    private static byte[] sign(KeyPair kp, byte[] msg) throws Exception {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(kp.getPrivate());
        s.update(msg);
        return s.sign();
    }

    /** The signature with S replaced by S + L when that still fits in 32 bytes (little-endian), else null. */
    private static byte[] withUnreducedS(byte[] sig) {
        byte[] le = Arrays.copyOfRange(sig, 32, 64);
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = le[31 - i];
        }
        BigInteger s = new BigInteger(1, be).add(L);
        if (s.bitLength() > 256) {
            return null;
        }
        byte[] out = sig.clone();
        byte[] sb = s.toByteArray();
        for (int i = 0; i < 32; i++) {
            int j = sb.length - 1 - i;
            out[32 + i] = j >= 0 ? sb[j] : 0;
        }
        return out;
    }
}
