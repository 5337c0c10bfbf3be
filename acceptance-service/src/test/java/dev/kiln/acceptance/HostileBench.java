package dev.kiln.acceptance;

import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 30's performance goal (run by {@code bench/hostile.sh}): honest stations' ingest rate while
 * eight hostile clients run (station and reader tokens: signature floods, NUL bundles, a heap-bomb
 * header's run page viewed, page overflows, units.csv exports, dripped headers, 40 MiB downloads,
 * bad digests), against the same stations alone, in one process on SQLite; and the heap high-water of
 * each phase (used heap sampled every 2 ms). Goals: rate ≥ 0.8 of alone; heap high-water < 2 × alone.
 */
public final class HostileBench {
    private HostileBench() {
    }

    private static final String READER = "reader-token-0123456789";
    private static final String RACK = "rack-token-0123456789ab";

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("kiln.bench.dir",
                System.getProperty("java.io.tmpdir")))), "kiln-hostile-bench");
        StationKey key = StationKey.generate();
        TrustStore trust = TrustStore.of(key.publicKey());
        Path access = Files.writeString(work.resolve("access.yaml"), "readers:\n  - name: q\n    token: " + READER + "\nstations:\n  - name: rack\n"
                + "    token: " + RACK + "\n    keys: [" + key.keyId() + "]\n    serials: any\n");
        SplittableRandom rnd = new SplittableRandom(3);
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + work.resolve("index.db"));
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index, BlobStore.directory(work.resolve("data")),
                     trust, ServiceOptions.plain().withAccess(Access.load(access, trust)))) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // what the hostile clients use: a stored run whose header names 200,000 channels, a 40 MiB bundle
            String bomb = TestBundles.newRunId();
            StringBuilder header = new StringBuilder("timestamp");
            for (int i = 0; i < 200_000; i++) {
                header.append(",t").append(i).append("_celsius");
            }
            header.append('\n');
            byte[] bombBundle = TestBundles.rich(new TestBundles.Spec(bomb, "SN-BOMB", "PASS", null, "Mac16,5",
                    java.time.Instant.parse("2026-11-29T00:00:00Z"), 1, 1, List.of()), key, header.toString().getBytes(StandardCharsets.UTF_8));
            put(http, base, bomb, bombBundle);
            String big = TestBundles.newRunId();
            java.util.Map<String, byte[]> f = new java.util.LinkedHashMap<>();
            f.put(dev.kiln.bundle.BundleNames.INVENTORY, "{\"serial\":\"SN-BIG\"}\n".getBytes(StandardCharsets.UTF_8));
            f.put(dev.kiln.bundle.BundleNames.EVENTS, "{}\n".getBytes(StandardCharsets.UTF_8));
            f.put(dev.kiln.bundle.BundleNames.SUMMARY, "{\"verdict\":\"PASS\"}\n".getBytes(StandardCharsets.UTF_8));
            f.put(dev.kiln.bundle.BundleNames.TELEMETRY, "timestamp\n".getBytes(StandardCharsets.UTF_8));
            byte[] noise = new byte[40 << 20];
            rnd.nextBytes(noise);
            f.put(dev.kiln.bundle.BundleNames.LOG, noise);
            put(http, base, big, dev.kiln.bundle.BundleWriter.seal(new dev.kiln.bundle.BundleIdentity(big, "SN-BIG", java.util.Map.of("serial",
                    "SN-BIG"), "smoke", "0x1", "bench", "PASS", "2026-11-26T00:00:00Z", "2026-11-26T00:01:00Z", false), f, key));
            String floodRun = TestBundles.newRunId();
            byte[] flood = HostileStationTest.flooded(TestBundles.bundle(floodRun, "SN-FLOOD", "PASS", key), 20_000, key.keyId());
            List<String[]> nul = List.<String[]>of(new String[] {"cpu", "x", "a \u0000 b", "1"});
            String nulRun = TestBundles.newRunId();
            byte[] nulBundle = TestBundles.rich(new TestBundles.Spec(nulRun, "SN-NUL", "FAIL", null, "Mac16,5",
                    java.time.Instant.parse("2026-11-29T00:00:00Z"), 1, 1, nul), key);

            warm(http, base, key, rnd, n / 2);
            double[] alone = phase("alone", http, base, key, rnd, n, null);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong hostile = new AtomicLong();
            List<Runnable> attacks = List.of(
                    () -> count(hostile, put(http, base, floodRun, flood)),
                    () -> count(hostile, put(http, base, nulRun, nulBundle)),
                    () -> count(hostile, get(http, base, "/ui/runs/" + bomb)),
                    () -> count(hostile, get(http, base, "/ui/units?page=2147483647")),
                    () -> count(hostile, get(http, base, "/ui/units.csv")),
                    () -> count(hostile, get(http, base, "/v1/bundles/" + big + "/bundle")),
                    () -> count(hostile, drip(server.port())),
                    () -> count(hostile, badDigest(http, base, key, rnd)));
            double[] mixed;
            try (ExecutorService pool = Executors.newFixedThreadPool(attacks.size())) {
                for (Runnable a : attacks) {
                    pool.submit(() -> {
                        while (!stop.get()) {
                            try {
                                a.run();
                            } catch (RuntimeException e) {
                                hostile.incrementAndGet();
                            }
                        }
                    });
                }
                mixed = phase("with 8 hostile clients", http, base, key, rnd, n, hostile);
                stop.set(true);
            }
            System.out.printf(Locale.ROOT, "honest ingest with 8 hostile clients: %.2f x alone (goal >= 0.8); heap high-water %.2f x alone "
                    + "(goal < 2)%n", mixed[0] / alone[0], mixed[1] / alone[1]);
        }
    }

    private static void count(AtomicLong n, int status) {
        n.incrementAndGet();
    }

    private static int put(HttpClient http, String base, String run, byte[] b) {
        try {
            HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + run)).header("Authorization", "Bearer " + RACK)
                    .header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", DeliveryBench.digest(b))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(b)).build();
            return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int get(HttpClient http, String base, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + READER).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that drips a header a byte every 200 ms for 3 s, never finishing it. */
    private static int drip(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            var out = s.getOutputStream();
            out.write("GET /healthz HTTP/1.1\r\nHost: kiln\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 15; i++) {
                out.write('X');
                out.flush();
                Thread.sleep(200);
            }
            return 0;
        } catch (Exception e) {
            return -1;
        }
    }

    private static int badDigest(HttpClient http, String base, StationKey key, SplittableRandom rnd) {
        try {
            byte[] b = DeliveryBench.bundle(key, rnd);
            return http.send(HttpRequest.newBuilder(URI.create(base + "/v1/bundles/" + DeliveryBench.runIdOf(b))).header("Authorization",
                    "Bearer " + RACK).header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", "sha-256=:AAAA:")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(b)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void warm(HttpClient http, String base, StationKey key, SplittableRandom rnd, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] b = DeliveryBench.bundle(key, rnd);
            put(http, base, DeliveryBench.runIdOf(b), b);
        }
    }

    /** 4 honest clients storing {@code n} bundles: {bundles/s, heap high-water bytes}. */
    private static double[] phase(String label, HttpClient http, String base, StationKey key, SplittableRandom rnd, int n, AtomicLong hostile)
            throws Exception {
        List<byte[]> fresh = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fresh.add(DeliveryBench.bundle(key, rnd));
        }
        System.gc();
        var mem = ManagementFactory.getMemoryMXBean();
        AtomicLong high = new AtomicLong(mem.getHeapMemoryUsage().getUsed());
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!done.get()) {
                high.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long before = hostile == null ? 0 : hostile.get();
        long t0 = System.nanoTime();
        int stored = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Integer>> fs = new ArrayList<>();
            for (byte[] b : fresh) {
                fs.add(pool.submit(() -> {
                    for (int i = 0; i < 60; i++) { // a station retries a 503 (busy) as the agent does
                        int status = put(http, base, DeliveryBench.runIdOf(b), b);
                        if (status != 503) {
                            return status == 201 ? 1 : 0;
                        }
                        Thread.sleep(200);
                    }
                    return 0;
                }));
            }
            for (Future<Integer> f : fs) {
                stored += f.get();
            }
        }
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        done.set(true);
        sampler.join();
        System.out.printf(Locale.ROOT, "%s: %d/%d honest bundles stored, %.0f bundles/s, heap high-water %d MiB%s%n", label, stored, n, rate,
                high.get() >> 20, hostile == null ? "" : ", " + (hostile.get() - before) + " hostile requests meanwhile");
        return new double[] {rate, high.get()};
    }
}
