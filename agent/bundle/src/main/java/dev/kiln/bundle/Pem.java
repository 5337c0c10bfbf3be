package dev.kiln.bundle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Our own small PEM codec for Ed25519 keys (the JDK 25 PEM API is a preview): PKCS#8
 * {@code PRIVATE KEY} and X.509 SubjectPublicKeyInfo {@code PUBLIC KEY}, as openssl writes them.
 */
public final class Pem {
    private static final String PRIVATE = "PRIVATE KEY";
    private static final String PUBLIC = "PUBLIC KEY";

    private Pem() {
    }

    public static String encodePrivate(PrivateKey key) {
        return encode(PRIVATE, key.getEncoded());
    }

    public static String encodePublic(PublicKey key) {
        return encode(PUBLIC, key.getEncoded());
    }

    static String encode(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }

    /** @throws IllegalArgumentException with a one-line reason */
    public static PrivateKey decodePrivate(String pem) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(decode(PRIVATE, pem)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 PKCS#8 private key: " + e.getMessage());
        }
    }

    /** @throws IllegalArgumentException with a one-line reason */
    public static PublicKey decodePublic(String pem) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(decode(PUBLIC, pem)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key: " + e.getMessage());
        }
    }

    static byte[] decode(String label, String pem) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("no '" + begin + "' block");
        }
        String body = pem.substring(b + begin.length(), e).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("bad base64 in the PEM block");
        }
    }
}
