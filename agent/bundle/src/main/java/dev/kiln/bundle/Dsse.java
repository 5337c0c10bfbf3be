package dev.kiln.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Dead Simple Signing Envelope v1: the signature covers the pre-authentication encoding
 * {@code "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body}, LEN being the byte length in ASCII
 * decimal. The envelope is written in a fixed layout (one field per line) so that a technician can
 * take it apart with {@code sed}; see docs/bundle-format.md.
 */
public final class Dsse {
    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

    private Dsse() {
    }

    public static byte[] pae(String payloadType, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 64);
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** The envelope's bytes for a payload signed by {@code key}. */
    public static byte[] envelope(byte[] payload, StationKey key) {
        byte[] sig = key.sign(pae(PAYLOAD_TYPE, payload));
        Base64.Encoder b64 = Base64.getEncoder();
        String text = "{\n"
                + "  \"payloadType\": \"" + PAYLOAD_TYPE + "\",\n"
                + "  \"payload\": \"" + b64.encodeToString(payload) + "\",\n"
                + "  \"signatures\": [\n"
                + "    {\"keyid\": \"" + key.keyId() + "\", \"sig\": \"" + b64.encodeToString(sig) + "\"}\n"
                + "  ]\n"
                + "}\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The key id of the first of an envelope's {@code signatures} that names a key {@code keys} gives
     * (null: unknown, its id added to {@code untrusted}) and that {@code check} verifies over the PAE of
     * {@code type} and {@code payload}; null when none does. Nothing is verified for a key not given,
     * a signature that is not base64 or not Ed25519's 64 bytes; the PAE is built once, and only then.
     */
    static String firstVerified(com.fasterxml.jackson.databind.JsonNode signatures, String type, byte[] payload,
                                java.util.function.Function<String, PublicKey> keys, SignatureCheck check, java.util.List<String> untrusted) {
        byte[] pae = null;
        for (com.fasterxml.jackson.databind.JsonNode s : signatures) {
            String keyId = s.path("keyid").asText("");
            PublicKey key = keys.apply(keyId);
            if (key == null) {
                untrusted.add(keyId);
                continue;
            }
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(s.path("sig").asText(""));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (sig.length != 64) {
                continue; // an Ed25519 signature is 64 bytes: nothing to verify
            }
            pae = pae == null ? pae(type, payload) : pae;
            if (check.verify(key, pae, sig)) {
                return keyId;
            }
        }
        return null;
    }

    static boolean verifySignature(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
