package dev.kiln.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a bundle: structure (via {@link BundleReader}), the envelope's payload type, the signature
 * and whether its key is trusted, every file's digest against the signed statement (missing, extra,
 * changed), and that the attestation belongs to this bundle's manifest. Reports every problem it
 * finds, each as one specific line.
 */
public final class BundleVerifier {
    private final TrustStore trust;
    private final BundleLimits limits;
    private final ObjectMapper json;
    /**
     * Signatures of an envelope read at most: a station key and a rotation's successor need two; each
     * beyond costs an Ed25519 verification, so an envelope with more is refused before any is checked.
     */
    public static final int MAX_SIGNATURES = 4;

    private final SignatureCheck signatures;

    public BundleVerifier(TrustStore trust, BundleLimits limits) {
        this(trust, limits, SignatureCheck.JDK);
    }

    /** The same with another implementation of the signature check (the service's faster one). */
    public BundleVerifier(TrustStore trust, BundleLimits limits, SignatureCheck signatures) {
        this.trust = trust;
        this.limits = limits;
        this.signatures = signatures;
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(limits.maxJsonDepth())
                        .maxStringLength(limits.maxJsonBytes()).build())
                .build();
        this.json = new ObjectMapper(f);
    }

    /**
     * The outcome.
     *
     * @param valid     true when nothing is wrong
     * @param problems  what is wrong, one line each
     * @param keyId     the signing key's id, when an envelope was found
     * @param predicate the signed predicate (run id, unit, verdict, ...), when it parsed; trust it
     *                  only when {@code valid}
     * @param zip       the bundle verified (its files are read from it on demand: {@link #files()})
     * @param limits    the limits it was read under
     */
    public record Result(boolean valid, List<String> problems, String keyId, JsonNode predicate, ZipSource zip, BundleLimits limits) {
        /**
         * The bundle's files, inflated into memory on demand (verification itself never holds them):
         * for tools and tests that read a verified bundle's contents. Empty when the zip is refused.
         */
        public Map<String, byte[]> files() {
            if (zip == null) {
                return Map.of();
            }
            try {
                return BundleReader.read(zip, limits);
            } catch (BundleReader.RejectedException e) {
                return Map.of();
            }
        }
    }

    /** The entries verification reads into memory (each at most {@code maxJsonBytes}); the rest are only hashed. */
    private static final java.util.Set<String> KEPT = java.util.Set.of(BundleNames.ATTESTATION, BundleNames.MANIFEST);

    /**
     * Verifies a bundle in one streaming pass: every entry is hashed as it inflates and only the
     * manifest and the attestation are held, so memory stays flat whatever a hostile zip expands to
     * (and a bomb is refused as soon as it expands past {@link BundleLimits#expansionAllowed}).
     */
    public Result verify(byte[] zip) {
        return verify(ZipSource.of(zip));
    }

    /**
     * {@link #verify(byte[])} of a bundle read from its file as it is scanned: a bundle of gigabytes (a
     * month of telemetry) is verified in a heap of one buffer. A file that cannot be read is a problem
     * of the result, like a damaged zip.
     */
    public Result verify(java.nio.file.Path zip) {
        ZipSource source;
        try {
            source = ZipSource.of(zip);
        } catch (java.io.IOException e) {
            return new Result(false, List.of("unreadable: " + Why.of(e)), null, null, null, limits);
        }
        return verify(source);
    }

    /** Verifies a zip in memory or in its file. */
    public Result verify(ZipSource zip) {
        List<String> problems = new ArrayList<>();
        BundleReader.Scan scan;
        try {
            scan = BundleReader.scan(zip, limits, KEPT);
        } catch (BundleReader.RejectedException e) {
            return new Result(false, List.of(e.getMessage()), null, null, zip, limits);
        }
        Map<String, byte[]> files = scan.kept();
        byte[] envelopeBytes = files.get(BundleNames.ATTESTATION);
        if (envelopeBytes == null) {
            return new Result(false, List.of("missing file " + BundleNames.ATTESTATION + ": the bundle is not signed"),
                    null, null, zip, limits);
        }
        JsonNode envelope = parse(BundleNames.ATTESTATION, envelopeBytes, problems);
        if (envelope == null) {
            return new Result(false, problems, null, null, zip, limits);
        }
        String type = envelope.path("payloadType").asText("");
        if (!Dsse.PAYLOAD_TYPE.equals(type)) {
            problems.add("payload type is '" + type + "', expected '" + Dsse.PAYLOAD_TYPE + "'");
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(envelope.path("payload").asText(""));
        } catch (IllegalArgumentException e) {
            problems.add("attestation payload is not base64");
            return new Result(false, problems, null, null, zip, limits);
        }
        String keyId = checkSignature(envelope, type, payload, problems);
        JsonNode statement = parse("the attestation payload", payload, problems);
        if (statement == null) {
            return new Result(false, problems, keyId, null, zip, limits);
        }
        if (!"https://in-toto.io/Statement/v1".equals(statement.path("_type").asText())) {
            problems.add("payload is not an in-toto Statement v1");
        }
        if (!BundleIdentity.PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
            problems.add("predicate type is '" + statement.path("predicateType").asText() + "', expected '"
                    + BundleIdentity.PREDICATE_TYPE + "'");
        }
        checkSubjects(statement, scan.sha256(), problems);
        JsonNode predicate = statement.path("predicate");
        byte[] manifestBytes = files.get(BundleNames.MANIFEST);
        if (manifestBytes != null) {
            JsonNode manifest = parse(BundleNames.MANIFEST, manifestBytes, problems);
            if (manifest != null && !manifest.path("runId").asText().equals(predicate.path("runId").asText())) {
                problems.add("attestation is for run " + predicate.path("runId").asText() + " but manifest.json is for run "
                        + manifest.path("runId").asText() + ": an attestation from another bundle");
            }
        }
        return new Result(problems.isEmpty(), problems, keyId, predicate, zip, limits);
    }

    private String checkSignature(JsonNode envelope, String type, byte[] payload, List<String> problems) {
        JsonNode sigs = envelope.path("signatures");
        if (!sigs.isArray() || sigs.isEmpty()) {
            problems.add("the attestation has no signature");
            return null;
        }
        if (sigs.size() > MAX_SIGNATURES) {
            problems.add("the attestation carries " + sigs.size() + " signatures; at most " + MAX_SIGNATURES + " are read");
            return null;
        }
        List<String> untrusted = new ArrayList<>();
        String verified = Dsse.firstVerified(sigs, type, payload, trust::get, signatures, untrusted);
        if (verified == null) {
            problems.add(untrusted.size() == sigs.size()
                    ? "signed by untrusted key " + String.join(", ", untrusted)
                    : "signature invalid: the attestation was changed or not signed by the key it names");
            return sigs.get(0).path("keyid").asText("");
        }
        return verified;
    }

    private static void checkSubjects(JsonNode statement, Map<String, String> files, List<String> problems) {
        Map<String, String> listed = new LinkedHashMap<>();
        for (JsonNode s : statement.path("subject")) {
            String name = s.path("name").asText("");
            if (listed.put(name, s.path("digest").path("sha256").asText("")) != null) {
                problems.add("the statement lists " + name + " twice");
            }
        }
        for (Map.Entry<String, String> e : listed.entrySet()) {
            String digest = files.get(e.getKey());
            if (digest == null) {
                problems.add("missing file " + e.getKey());
            } else if (!digest.equals(e.getValue())) {
                problems.add("digest mismatch on file " + e.getKey());
            }
        }
        for (String name : files.keySet()) {
            if (!name.equals(BundleNames.ATTESTATION) && !listed.containsKey(name)) {
                problems.add("extra file " + name + " (not covered by the signature)");
            }
        }
        // A signature over fewer files is still a signature, but not a bundle: the format lists what
        // every bundle holds, and a verifier that passes one without its summary or inventory would
        // pass a result nobody can read.
        for (String required : BundleNames.CONTENT) {
            if (!listed.containsKey(required) && !files.containsKey(required)) {
                problems.add("missing file " + required + " (every version-1 bundle holds it)");
            }
        }
    }

    private JsonNode parse(String what, byte[] data, List<String> problems) {
        if (data.length > limits.maxJsonBytes()) {
            problems.add(what + " is " + data.length + " bytes, over the limit of " + limits.maxJsonBytes());
            return null;
        }
        try {
            JsonNode n = json.readTree(data);
            if (n == null || !n.isObject()) {
                problems.add(what + " is not a JSON object");
                return null;
            }
            return n;
        } catch (StreamConstraintsException e) {
            problems.add(what + " nests deeper than " + limits.maxJsonDepth() + " levels or exceeds a size limit");
            return null;
        } catch (IOException e) {
            problems.add(what + " is not valid JSON");
            return null;
        }
    }
}
