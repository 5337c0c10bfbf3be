package dev.kiln.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A heartbeat's envelope: opened only with the station's own key, over the very bytes signed. */
class HeartbeatEnvelopeTest {
    private final StationKey key = StationKey.generate();
    private final StationKey other = StationKey.generate();
    private final Function<String, PublicKey> mine = id -> id.equals(key.keyId()) ? key.publicKey() : null;
    private final byte[] status = "{\"v\":1,\"runId\":\"r1\",\"seq\":3}".getBytes(StandardCharsets.UTF_8);

    private String refused(byte[] envelope) {
        return assertThrows(HeartbeatEnvelope.RefusedException.class, () -> HeartbeatEnvelope.open(envelope, mine, SignatureCheck.JDK))
                .getMessage();
    }

    @Test
    void sealedThenOpenedWithTheStationsKey() throws Exception {
        HeartbeatEnvelope.Opened o = HeartbeatEnvelope.open(HeartbeatEnvelope.seal(status, key), mine, SignatureCheck.JDK);
        assertEquals(key.keyId(), o.keyId());
        assertEquals(3, o.status().get("seq").asInt());
    }

    @Test
    void anotherKeyOrOtherBytesAreRefused() {
        assertTrue(refused(HeartbeatEnvelope.seal(status, other)).contains("not signed by a key of this station"));
        String env = new String(HeartbeatEnvelope.seal(status, key), StandardCharsets.UTF_8);
        String payload = java.util.Base64.getEncoder().encodeToString(status);
        String changed = env.replace(payload, java.util.Base64.getEncoder().encodeToString("{\"v\":1,\"runId\":\"r1\",\"seq\":4}"
                .getBytes(StandardCharsets.UTF_8)));
        assertTrue(refused(changed.getBytes(StandardCharsets.UTF_8)).contains("not signed by a key of this station"));
        // no signature is even checked for a key the station does not hold
        int[] checks = {0};
        assertThrows(HeartbeatEnvelope.RefusedException.class, () -> HeartbeatEnvelope.open(HeartbeatEnvelope.seal(status, other), mine,
                (k, m, s) -> ++checks[0] > 0));
        assertEquals(0, checks[0]);
    }

    @Test
    void badShapesAreRefusedWithTheirReason() throws Exception {
        assertTrue(refused(new byte[HeartbeatEnvelope.MAX_BYTES + 1]).contains("at most " + HeartbeatEnvelope.MAX_BYTES));
        assertTrue(refused("nope".getBytes(StandardCharsets.UTF_8)).contains("not JSON"));
        assertTrue(refused("{\"payloadType\":\"application/vnd.in-toto+json\"}".getBytes(StandardCharsets.UTF_8)).contains("payloadType"));
        String env = new String(HeartbeatEnvelope.seal(status, key), StandardCharsets.UTF_8);
        String sig = env.substring(env.indexOf("{\"keyid\""), env.lastIndexOf('}', env.length() - 2) + 1);
        String five = env.replace(sig, String.join(",", java.util.Collections.nCopies(5, sig)));
        assertTrue(refused(five.getBytes(StandardCharsets.UTF_8)).contains("1 to " + BundleVerifier.MAX_SIGNATURES + " signatures"));
        byte[] array = HeartbeatEnvelope.seal("[1,2]".getBytes(StandardCharsets.UTF_8), key);
        assertTrue(refused(array).contains("must be a JSON object"));
    }
}
