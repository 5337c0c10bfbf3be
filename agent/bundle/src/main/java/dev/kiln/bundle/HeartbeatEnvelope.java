package dev.kiln.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Base64;
import java.util.function.Function;

/**
 * A running unit's heartbeat as it travels: its status (a small JSON document) in a DSSE envelope
 * signed by the station's key, the same trust as a bundle, so a heartbeat cannot be forged for
 * another station's unit. Compact JSON: {@code {"payloadType":…,"payload":…,"signatures":[{"keyid":…,"sig":…}]}}.
 * A heartbeat is not evidence: a run's verdict is its sealed bundle's.
 */
public final class HeartbeatEnvelope {
    /** The envelope's payload type and the request's Content-Type. */
    public static final String MEDIA_TYPE = "application/vnd.kiln.heartbeat+json";
    /** The most an envelope may be: a status is a few hundred bytes; its suites and words are cut to fit. */
    public static final int MAX_BYTES = 16 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(MAX_BYTES).build()).build());

    private HeartbeatEnvelope() {
    }

    /** The envelope for {@code status} (JSON bytes) signed by {@code key}. */
    public static byte[] seal(byte[] status, StationKey key) {
        Base64.Encoder b64 = Base64.getEncoder();
        String text = "{\"payloadType\":\"" + MEDIA_TYPE + "\",\"payload\":\"" + b64.encodeToString(status) + "\",\"signatures\":[{\"keyid\":\""
                + key.keyId() + "\",\"sig\":\"" + b64.encodeToString(key.sign(Dsse.pae(MEDIA_TYPE, status))) + "\"}]}";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A heartbeat refused, with the reason (said to the station in a 4xx) and whether it is unsigned
     * by any key the station holds (forged, another station's key, changed after signing) rather than
     * malformed.
     */
    public static final class RefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean unsigned;

        public RefusedException(String reason) {
            this(reason, false);
        }

        RefusedException(String reason, boolean unsigned) {
            super(reason, null, false, false);
            this.unsigned = unsigned;
        }

        /** True when no signature of a key given verified: not the station's (the service answers 403). */
        public boolean unsigned() {
            return unsigned;
        }
    }

    /** An opened heartbeat: the key that signed it and the status it carries. */
    public record Opened(String keyId, JsonNode status) {
    }

    /**
     * Opens an envelope: its size, its type, at most {@link BundleVerifier#MAX_SIGNATURES} signatures,
     * one of which verifies with a key {@code keys} gives (null for a key it does not know: another
     * station's, or none), and a status that is a JSON object. Nothing is verified before the key is known.
     */
    public static Opened open(byte[] envelope, Function<String, PublicKey> keys, SignatureCheck check) throws RefusedException {
        if (envelope.length > MAX_BYTES) {
            throw new RefusedException("a heartbeat is at most " + MAX_BYTES + " bytes; this one is " + envelope.length);
        }
        JsonNode e;
        try {
            e = JSON.readTree(envelope);
        } catch (IOException x) {
            throw new RefusedException("the heartbeat is not JSON: " + Why.of(x));
        }
        if (e == null || !e.isObject() || !MEDIA_TYPE.equals(e.path("payloadType").asText())) {
            throw new RefusedException("the heartbeat's payloadType must be " + MEDIA_TYPE);
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(e.path("payload").asText(""));
        } catch (IllegalArgumentException x) {
            throw new RefusedException("the heartbeat's payload is not base64");
        }
        JsonNode sigs = e.path("signatures");
        if (!sigs.isArray() || sigs.isEmpty() || sigs.size() > BundleVerifier.MAX_SIGNATURES) {
            throw new RefusedException("a heartbeat carries 1 to " + BundleVerifier.MAX_SIGNATURES + " signatures");
        }
        String keyId = Dsse.firstVerified(sigs, MEDIA_TYPE, payload, keys, check, new java.util.ArrayList<>());
        if (keyId != null) {
            JsonNode status;
            try {
                status = JSON.readTree(payload);
            } catch (IOException x) {
                throw new RefusedException("the heartbeat's status is not JSON: " + Why.of(x));
            }
            if (status == null || !status.isObject()) {
                throw new RefusedException("the heartbeat's status must be a JSON object");
            }
            return new Opened(keyId, status);
        }
        throw new RefusedException("the heartbeat is not signed by a key of this station", true);
    }
}
