package dev.kiln.bundle;

import java.security.PublicKey;

/**
 * Checks one Ed25519 signature (RFC 8032) over a message with a trusted key. The verifier's default
 * is the JDK's own provider; a service that verifies hundreds of bundles a second may pass a faster
 * implementation of the same algorithm (the acceptance service uses Bouncy Castle's, cross-checked
 * against the JDK's in its tests).
 */
@FunctionalInterface
public interface SignatureCheck {
    /** The JDK's {@code Signature.getInstance("Ed25519")}. */
    SignatureCheck JDK = Dsse::verifySignature;

    /** True when {@code signature} is {@code key}'s over {@code message}; false for anything else, never an exception. */
    boolean verify(PublicKey key, byte[] message, byte[] signature);
}
