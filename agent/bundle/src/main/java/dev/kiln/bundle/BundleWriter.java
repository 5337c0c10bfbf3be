package dev.kiln.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a bundle's bytes: writes {@code manifest.json} from the identity, digests every file,
 * signs an in-toto Statement over the digests in a DSSE envelope, and packs it all in a
 * deterministic zip. The same identity, files and key give the same bytes.
 */
public final class BundleWriter {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private BundleWriter() {
    }

    /**
     * @param identity what the bundle says about itself
     * @param files    every content file but the manifest and the attestation, by name
     * @param key      the station key
     */
    public static byte[] seal(BundleIdentity identity, Map<String, byte[]> files, StationKey key) throws IOException {
        Map<String, byte[]> all = new TreeMap<>(files);
        if (all.containsKey(BundleNames.MANIFEST) || all.containsKey(BundleNames.ATTESTATION)) {
            throw new IllegalArgumentException("the writer makes the manifest and the attestation itself");
        }
        all.put(BundleNames.MANIFEST, manifest(identity, all));
        byte[] statement = statement(identity, all);
        all.put(BundleNames.ATTESTATION, Dsse.envelope(statement, key));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeterministicZip.write(all, out);
        return out.toByteArray();
    }

    static byte[] manifest(BundleIdentity id, Map<String, byte[]> files) throws JsonProcessingException {
        ObjectNode m = identity(JSON, id);
        var names = m.putArray("files");
        new TreeMap<>(files).keySet().forEach(names::add);
        return (JSON.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The in-toto Statement v1, one subject per line (docs/bundle-format.md shows why). */
    static byte[] statement(BundleIdentity id, Map<String, byte[]> files) throws JsonProcessingException {
        ObjectMapper compact = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"_type\": \"https://in-toto.io/Statement/v1\",\n  \"subject\": [\n");
        int i = 0;
        for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
            sb.append("    {\"name\": ").append(compact.writeValueAsString(f.getKey()))
                    .append(", \"digest\": {\"sha256\": \"").append(sha256(f.getValue())).append("\"}}")
                    .append(++i < files.size() ? ",\n" : "\n");
        }
        ObjectNode p = identity(compact, id);
        sb.append("  ],\n  \"predicateType\": \"").append(BundleIdentity.PREDICATE_TYPE).append("\",\n");
        sb.append("  \"predicate\": ").append(compact.writeValueAsString(p)).append("\n}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The identity fields, in one order, for the manifest and the signed predicate alike. */
    private static ObjectNode identity(ObjectMapper mapper, BundleIdentity id) {
        ObjectNode n = mapper.createObjectNode();
        n.put("formatVersion", BundleIdentity.FORMAT_VERSION);
        n.put("runId", id.runId());
        n.put("serial", id.serial());
        n.set("unit", mapper.valueToTree(new TreeMap<>(id.unit())));
        n.put("agentVersion", id.agentVersion());
        n.put("profile", id.profile());
        n.put("seed", id.seed());
        n.put("verdict", id.verdict());
        n.put("started", id.started());
        n.put("ended", id.ended());
        n.put("recovered", id.recovered());
        return n;
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(newSha256().digest(data));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
