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
        Map<String, Content> contents = new TreeMap<>();
        files.forEach((name, bytes) -> contents.put(name, new Content.Bytes(bytes)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        seal(identity, contents, key, out);
        return out.toByteArray();
    }

    /**
     * The same bundle, streamed: each file is read twice from its {@link Content} (its digest, then
     * into the zip) and never held, so a month of telemetry is sealed in a bounded heap. The bytes
     * written are those {@link #seal(BundleIdentity, Map, StationKey)} returns for the same files.
     */
    public static void seal(BundleIdentity identity, Map<String, Content> files, StationKey key, java.io.OutputStream out)
            throws IOException {
        TreeMap<String, Content> all = new TreeMap<>(files);
        if (all.containsKey(BundleNames.MANIFEST) || all.containsKey(BundleNames.ATTESTATION)) {
            throw new IllegalArgumentException("the writer makes the manifest and the attestation itself");
        }
        all.put(BundleNames.MANIFEST, new Content.Bytes(manifest(identity, all)));
        Map<String, String> digests = new TreeMap<>();
        for (Map.Entry<String, Content> f : all.entrySet()) {
            digests.put(f.getKey(), sha256(f.getValue()));
        }
        byte[] statement = statementOf(identity, digests);
        TreeMap<String, Content> zipped = new TreeMap<>();
        // each file digested again as it is packed: one that changed between its two reads fails the seal, never signs a lie
        all.forEach((name, c) -> zipped.put(name, () -> new Checked(c.open(), name, digests.get(name))));
        zipped.put(BundleNames.ATTESTATION, new Content.Bytes(Dsse.envelope(statement, key)));
        DeterministicZip.write(zipped, out);
    }

    /** A file's stream that, read to its end, must have the digest signed for it. */
    private static final class Checked extends java.io.FilterInputStream {
        private final MessageDigest d = newSha256();
        private final String name;
        private final String expected;

        Checked(java.io.InputStream in, String name, String expected) {
            super(in);
            this.name = name;
            this.expected = expected;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                d.update((byte) b);
            } else {
                check();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                d.update(b, off, n);
            } else if (n < 0) {
                check();
            }
            return n;
        }

        private boolean checked;

        private void check() throws IOException {
            if (checked) {
                return; // the end may be read more than once
            }
            checked = true;
            String got = HexFormat.of().formatHex(d.digest());
            if (!got.equals(expected)) {
                throw new IOException(name + " changed while the bundle was sealed (its digest was " + expected + ", then " + got
                        + "): not sealed");
            }
        }
    }

    /** The SHA-256 (hex) of a file's bytes, read as a stream. */
    static String sha256(Content c) throws IOException {
        MessageDigest d = newSha256();
        try (java.io.InputStream in = c.open()) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static byte[] manifest(BundleIdentity id, Map<String, ?> files) throws JsonProcessingException {
        ObjectNode m = identity(JSON, id);
        var names = m.putArray("files");
        new TreeMap<>(files).keySet().forEach(names::add);
        return (JSON.writeValueAsString(m) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The in-toto Statement v1, one subject per line (docs/bundle-format.md shows why). */
    static byte[] statement(BundleIdentity id, Map<String, byte[]> files) throws JsonProcessingException {
        Map<String, String> digests = new TreeMap<>();
        files.forEach((name, bytes) -> digests.put(name, sha256(bytes)));
        return statementOf(id, digests);
    }

    /** The Statement over files already digested (name to SHA-256 hex). */
    static byte[] statementOf(BundleIdentity id, Map<String, String> digests) throws JsonProcessingException {
        ObjectMapper compact = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"_type\": \"https://in-toto.io/Statement/v1\",\n  \"subject\": [\n");
        int i = 0;
        for (Map.Entry<String, String> f : new TreeMap<>(digests).entrySet()) {
            sb.append("    {\"name\": ").append(compact.writeValueAsString(f.getKey()))
                    .append(", \"digest\": {\"sha256\": \"").append(f.getValue()).append("\"}}")
                    .append(++i < digests.size() ? ",\n" : "\n");
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
