package dev.kiln.acceptance;

import dev.kiln.bundle.SignatureCheck;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 signature checks for the ingest path, with Bouncy Castle's RFC 8032 code: about a tenth
 * of the JDK provider's CPU time per signature here (90 against 880 µs), which was 40 % of the
 * service's own CPU per bundle. Each trusted key is decoded and validated once (the trust store
 * is the bound on how many are kept). A key Bouncy Castle will not take as a full-order point, or
 * that is not an X.509 Ed25519 key, is checked by the JDK's provider instead, so no key is judged
 * differently here than by {@code kiln verify}; the tests check that both say the same of valid,
 * damaged and non-canonical signatures.
 */
final class FastEd25519 implements SignatureCheck {
    /** The DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (RFC 8410), before the 32 key bytes. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final Object NOT_OURS = new Object();

    private final Map<PublicKey, Object> points = new ConcurrentHashMap<>();

    @Override
    public boolean verify(PublicKey key, byte[] message, byte[] signature) {
        Object point = points.computeIfAbsent(key, FastEd25519::point);
        if (point == NOT_OURS) {
            return SignatureCheck.JDK.verify(key, message, signature);
        }
        if (signature == null || signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        try {
            return Ed25519.verify(signature, 0, (Ed25519.PublicPoint) point, message, 0, message.length);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Object point(PublicKey key) {
        byte[] enc = key.getEncoded();
        if (enc == null || enc.length != SPKI_PREFIX.length + Ed25519.PUBLIC_KEY_SIZE
                || !java.util.Arrays.equals(enc, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            return NOT_OURS;
        }
        Ed25519.PublicPoint p = Ed25519.validatePublicKeyFullExport(enc, SPKI_PREFIX.length);
        return p == null ? NOT_OURS : p;
    }
}
