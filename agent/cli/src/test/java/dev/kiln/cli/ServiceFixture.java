package dev.kiln.cli;

import dev.kiln.acceptance.AcceptanceServer;
import dev.kiln.acceptance.ServiceOptions;
import dev.kiln.acceptance.BlobStore;
import dev.kiln.acceptance.BundleIndex;
import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** A station (state directory and key) and a real acceptance service on loopback that trusts it. */
final class ServiceFixture implements AutoCloseable {
    final StateDir state;
    final StationKey key;
    final BundleIndex index;
    final AcceptanceServer server;

    ServiceFixture(Path root, ServiceOptions options) throws Exception {
        state = new StateDir(root.resolve("station")).create();
        KeyStore keys = KeyStore.in(state);
        key = keys.exists() ? keys.load() : keys.init(false);
        index = new BundleIndex("jdbc:sqlite:" + root.resolve("index.db"));
        server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(root.resolve("service")),
                TrustStore.of(key.publicKey()), options);
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    static String runId() {
        return new UUID((System.currentTimeMillis() << 16) | 0x7000L | (long) (Math.random() * 4096),
                0x8000_0000_0000_0000L | (long) (Math.random() * (Long.MAX_VALUE / 2))).toString();
    }

    /** Seals a small real bundle straight into pending/, as a run would. */
    Path seal(String runId, String verdict) throws Exception {
        Map<String, byte[]> f = new LinkedHashMap<>();
        for (String n : BundleNames.CONTENT) {
            if (!n.equals(BundleNames.MANIFEST)) {
                f.put(n, (n + " of " + runId + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        BundleIdentity id = new BundleIdentity(runId, "SN-E2E", Map.of("serial", "SN-E2E"), "smoke", "0x1", "test", verdict,
                "2026-11-26T00:00:00Z", "2026-11-26T00:01:00Z", false);
        Path p = state.pending().resolve(id.fileName());
        AtomicFiles.write(p, BundleWriter.seal(id, f, key), state.tmp());
        return p;
    }

    @Override
    public void close() throws Exception {
        server.close();
        index.close();
    }
}
