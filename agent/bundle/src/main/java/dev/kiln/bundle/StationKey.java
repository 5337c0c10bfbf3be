package dev.kiln.bundle;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;

/** A station's Ed25519 signing key, with its key id (hex SHA-256 of the public key's DER encoding). */
public record StationKey(PrivateKey privateKey, PublicKey publicKey) {

    public static StationKey generate() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return new StationKey(kp.getPrivate(), kp.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
    }

    public String keyId() {
        return keyId(publicKey);
    }

    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] sign(byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    /** True when the private key signs what the public key verifies (a mismatched pair is refused). */
    public boolean consistent() {
        byte[] probe = "kiln key pair check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return Dsse.verifySignature(publicKey, probe, sign(probe));
    }
}
