package dev.kiln.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The public keys of the stations a verifier trusts, by key id. */
public final class TrustStore {
    private final Map<String, PublicKey> keys;

    private TrustStore(Map<String, PublicKey> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    public static TrustStore of(PublicKey... keys) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        for (PublicKey k : keys) {
            m.put(StationKey.keyId(k), k);
        }
        return new TrustStore(m);
    }

    /**
     * Loads one public key PEM file, or every {@code *.pub} and {@code *.pem} file of a directory.
     *
     * @throws IllegalArgumentException with a one-line reason (missing path, a file that is not a
     *                                  public key, an empty directory)
     */
    public static TrustStore load(Path path) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("trust path " + path + " does not exist");
        }
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> s = Files.list(path)) {
                files = s.filter(p -> p.toString().endsWith(".pub") || p.toString().endsWith(".pem")).sorted().toList();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot list trust directory " + path + ": " + Why.of(e));
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("trust directory " + path + " holds no .pub or .pem key");
            }
        } else {
            files = List.of(path);
        }
        for (Path f : files) {
            try {
                PublicKey k = Pem.decodePublic(Files.readString(f));
                m.put(StationKey.keyId(k), k);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read trusted key " + f + ": " + Why.of(e));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trusted key " + f + ": " + Why.of(e));
            }
        }
        return new TrustStore(m);
    }

    public PublicKey get(String keyId) {
        return keys.get(keyId);
    }

    public java.util.Set<String> keyIds() {
        return keys.keySet();
    }
}
