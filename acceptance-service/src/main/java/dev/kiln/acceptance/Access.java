package dev.kiln.acceptance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.bundle.TrustStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Who may do what ({@code --access FILE}): readers (technicians, dashboards, exports) may read;
 * stations may upload, each only bundles signed by its own keys and, optionally, only for serials
 * matching its pattern; a revoked station uploads nothing more, and what it uploaded stays. Tokens
 * are compared by their SHA-256, so the file may hold only hashes ({@code tokenSha256}).
 *
 * <pre>
 * readers:
 *   - name: line-dashboard
 *     tokenSha256: 9f86d0…      # or token: the token itself
 * stations:
 *   - name: line3-rack12
 *     token: s3cr3t-rack12
 *     keys: [4a371fbf…]         # key ids (SHA-256 of the public key) from --trust
 *     serials: "C02[A-Z0-9]{8}" # optional: a regular expression the whole serial must match
 *     revoked: false
 * </pre>
 */
final class Access {
    /** Who presented a token. */
    sealed interface Principal permits Reader, Station, Anyone {
        String name();
    }

    record Reader(String name) implements Principal {
    }

    /** The value of {@code serials:} that lets a station publish any unit's runs, on purpose. */
    static final String ANY_SERIAL = "any";

    /** The stations that may publish any serial ({@code serials: any}), by name: warned of at start. */
    List<String> stationsWithAnySerial() {
        return byTokenHash == null ? List.of() : byTokenHash.values().stream().filter(p -> p instanceof Station st && st.serials() == null && !st.revoked())
                .map(p -> ((Station) p).name()).distinct().sorted().toList();
    }

    record Station(String name, Set<String> keys, Pattern serials, boolean revoked) implements Principal {
    }

    /** No access file: anyone may read and upload (uploads still verified against --trust). */
    record Anyone(String name) implements Principal {
    }

    /** A bad access file: the field and what is wrong with it (exit 78). */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    private final Map<String, Principal> byTokenHash;
    private final Map<String, Set<String>> boundCertificates;

    private Access(Map<String, Principal> byTokenHash) {
        this(byTokenHash, Map.of());
    }

    private Access(Map<String, Principal> byTokenHash, Map<String, Set<String>> boundCertificates) {
        this.byTokenHash = byTokenHash;
        this.boundCertificates = Map.copyOf(boundCertificates);
    }

    /** Everyone may do everything (no --access). */
    static Access open() {
        return new Access(null);
    }

    boolean isOpen() {
        return byTokenHash == null;
    }

    /** One shared token for every request (the older --token-file). */
    static Access shared(String token) {
        Map<String, Principal> m = new HashMap<>();
        m.put(sha256(token), new Anyone("shared token"));
        return new Access(m);
    }

    /** The principal a request's Authorization header names, or null (401). */
    Principal authenticate(String authorization) {
        if (byTokenHash == null) {
            return new Anyone("anyone");
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        return byTokenHash.get(sha256(authorization.substring(7).strip()));
    }

    /**
     * The reader under this name whose token's hash passes {@code tokenHash} (a session is bound to
     * the token it was opened with: a reader whose token changed is a reader whose sessions ended),
     * or null.
     */
    Principal reader(String name, java.util.function.Predicate<String> tokenHash) {
        if (byTokenHash == null) {
            return new Anyone("anyone");
        }
        for (Map.Entry<String, Principal> e : byTokenHash.entrySet()) {
            if (e.getValue().name().equals(name) && !(e.getValue() instanceof Station) && tokenHash.test(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads and checks an access file against the trusted keys. */
    static Access load(Path file, TrustStore trust) throws Invalid {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new Invalid(file + ": " + dev.kiln.bundle.Why.of(e));
        }
        if (root == null || !root.isObject()) {
            throw new Invalid(file + ": expected readers: and stations: lists");
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("readers") && !f.equals("stations")) {
                throw new Invalid(file + ": unknown field '" + f + "' (readers, stations)");
            }
        }
        Map<String, Principal> m = new HashMap<>();
        Map<String, Set<String>> certs = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        List<String> keysSeen = new ArrayList<>();
        int i = 0;
        for (JsonNode r : list(root, "readers", file)) {
            String where = "readers[" + i++ + "]";
            known(r, where, file, "name", "token", "tokenSha256", "certificateSha256");
            String name = name(r, where, file, names);
            certificates(r, where, file, name, certs);
            put(m, token(r, where, file), new Reader(name), where, file);
        }
        i = 0;
        for (JsonNode s : list(root, "stations", file)) {
            String where = "stations[" + i++ + "]";
            known(s, where, file, "name", "token", "tokenSha256", "keys", "serials", "revoked", "certificateSha256");
            String name = name(s, where, file, names);
            certificates(s, where, file, name, certs);
            Set<String> keys = new LinkedHashSet<>();
            JsonNode k = s.path("keys");
            if (!k.isArray() || k.isEmpty()) {
                throw new Invalid(file + ": " + where + ".keys: the station's signing key ids, at least one");
            }
            for (int j = 0; j < k.size(); j++) {
                String id = k.get(j).asText("").strip().toLowerCase(java.util.Locale.ROOT);
                if (trust.get(id) == null) {
                    throw new Invalid(file + ": " + where + ".keys[" + j + "]: no key " + id + " in --trust");
                }
                if (keysSeen.contains(id)) {
                    throw new Invalid(file + ": " + where + ".keys[" + j + "]: key " + id + " already belongs to another station");
                }
                keysSeen.add(id);
                keys.add(id);
            }
            // required: a station without it could publish any unit's runs and become its latest (a FAIL turned
            // into a PASS by a station that never tested the unit); "any" says so on purpose, and is warned of at start
            if (!s.has("serials")) {
                throw new Invalid(file + ": " + where + ".serials: required: a regular expression the whole serial must match, "
                        + "or any (then the station may publish every unit's runs)");
            }
            Pattern serials = null;
            if (!s.path("serials").asText().equals(ANY_SERIAL)) {
                try {
                    serials = Pattern.compile(s.path("serials").asText());
                } catch (PatternSyntaxException e) {
                    throw new Invalid(file + ": " + where + ".serials: not a regular expression: " + e.getDescription());
                }
            }
            if (s.has("revoked") && !s.path("revoked").isBoolean()) {
                throw new Invalid(file + ": " + where + ".revoked: true or false");
            }
            put(m, token(s, where, file), new Station(name, Set.copyOf(keys), serials, s.path("revoked").asBoolean(false)), where, file);
        }
        if (m.isEmpty()) {
            throw new Invalid(file + ": no readers and no stations: every request would be refused");
        }
        return new Access(m, certs);
    }

    /**
     * The client certificates (SHA-256 of the DER, hex) a principal's token is bound to: with mTLS, its
     * token is accepted only with one of them, so a token copied off a station is no use from another
     * machine holding another certificate of the same CA.
     */
    private static void certificates(JsonNode n, String where, Path file, String name, Map<String, Set<String>> certs) throws Invalid {
        JsonNode c = n.path("certificateSha256");
        if (c.isMissingNode()) {
            return;
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode v : c.isArray() ? c : List.of(c)) {
            String h = v.asText("").strip().toLowerCase(java.util.Locale.ROOT).replace(":", "");
            if (!h.matches("[0-9a-f]{64}")) {
                throw new Invalid(file + ": " + where + ".certificateSha256: 64 hex digits (openssl x509 -noout -fingerprint -sha256), not '"
                        + v.asText("") + "'");
            }
            out.add(h);
        }
        certs.put(name, Set.copyOf(out));
    }

    /**
     * Whether this principal may use its token with the client certificate presented (its SHA-256, or
     * null when none was): yes when it is bound to none.
     */
    boolean certificateAllowed(Principal p, String presentedSha256) {
        Set<String> bound = boundCertificates.get(p.name());
        return bound == null || (presentedSha256 != null && bound.contains(presentedSha256));
    }

    private static List<JsonNode> list(JsonNode root, String field, Path file) throws Invalid {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new Invalid(file + ": " + field + ": expected a list");
        }
        List<JsonNode> out = new ArrayList<>();
        n.forEach(out::add);
        return out;
    }

    private static void known(JsonNode n, String where, Path file, String... fields) throws Invalid {
        if (!n.isObject()) {
            throw new Invalid(file + ": " + where + ": expected name:, token: …");
        }
        List<String> ok = List.of(fields);
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) {
                throw new Invalid(file + ": " + where + ": unknown field '" + f + "' (" + String.join(", ", ok) + ")");
            }
        }
    }

    private static String name(JsonNode n, String where, Path file, Set<String> names) throws Invalid {
        String name = n.path("name").asText("").strip();
        if (name.isEmpty()) {
            throw new Invalid(file + ": " + where + ".name: required");
        }
        if (!names.add(name)) {
            throw new Invalid(file + ": " + where + ".name: '" + name + "' is used twice");
        }
        return name;
    }

    /** The token's SHA-256 (from token: or tokenSha256:, exactly one). */
    private static String token(JsonNode n, String where, Path file) throws Invalid {
        boolean plain = n.hasNonNull("token");
        boolean hashed = n.hasNonNull("tokenSha256");
        if (plain == hashed) {
            throw new Invalid(file + ": " + where + ": exactly one of token: and tokenSha256:");
        }
        if (plain) {
            String t = n.path("token").asText("").strip();
            if (t.length() < 16) {
                throw new Invalid(file + ": " + where + ".token: at least 16 characters");
            }
            return sha256(t);
        }
        String h = n.path("tokenSha256").asText("").strip().toLowerCase(java.util.Locale.ROOT);
        if (!h.matches("[0-9a-f]{64}")) {
            throw new Invalid(file + ": " + where + ".tokenSha256: 64 hex digits");
        }
        return h;
    }

    private static void put(Map<String, Principal> m, String hash, Principal p, String where, Path file) throws Invalid {
        if (m.putIfAbsent(hash, p) != null) {
            throw new Invalid(file + ": " + where + ": the same token as " + m.get(hash).name() + " (every principal needs its own)");
        }
    }
}
