package dev.kiln.acceptance;

import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.bundle.StationKey;
import dev.kiln.bundle.TrustStore;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.AtomicFiles;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import dev.kiln.core.upload.ServiceConfig;
import dev.kiln.core.upload.Uploader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark for issue 4 (run by {@code bench/delivery.sh}): 1,000 pending bundles drained by the
 * agent's uploader into the reference service on loopback, and the service's verify-and-store rate
 * under 4 concurrent clients, on SQLite and, when given a JDBC URL, PostgreSQL. Anchor, measured in
 * the same run: this disk's rate of 4 KiB write + fsync, since every stored bundle costs durable
 * writes. Prints figures; decides nothing.
 */
public final class DeliveryBench {
    private DeliveryBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String pg = args.length > 1 ? args[1] : null;
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("kiln.bench.dir",
                System.getProperty("java.io.tmpdir")))), "kiln-delivery-bench");
        double fsyncs = fsyncRate(work);
        System.out.printf(Locale.ROOT, "anchor: %.0f fsyncs/s (4 KiB write + fsync on %s)%n", fsyncs, work);
        run("sqlite", "jdbc:sqlite:" + work.resolve("sqlite.db"), n, work.resolve("sqlite"), fsyncs);
        if (pg != null) {
            String schema = "kiln_bench_" + UUID.randomUUID().toString().replace("-", "");
            try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            }
            String pgUrl = pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            run("postgresql", pgUrl, n, work.resolve("pg"), fsyncs);
            // the same service on PostgreSQL with the S3 API store (S3Proxy on loopback) instead of the local directory
            String schema2 = "kiln_bench_" + UUID.randomUUID().toString().replace("-", "");
            try (Connection c = DriverManager.getConnection(pg); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema2);
            }
            StationKey key = StationKey.generate();
            SplittableRandom rnd = new SplittableRandom(5);
            List<byte[]> fresh = new ArrayList<>();
            List<byte[]> fresh8 = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fresh.add(bundle(key, rnd));
                fresh8.add(bundle(key, rnd));
            }
            try (S3Fixture s3 = new S3Fixture(work.resolve("s3"), "kiln-bench"); S3BlobStore store = s3.store("kiln-bench", "")) {
                String s3Url = pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema2;
                // Warm-up, untimed: the S3 path (the SDK, and S3Proxy's Jetty and jclouds in this same JVM)
                // is new code to the JIT; rounds of n until one is within 10 % of the one before (at most
                // 4), each printed, so that the figure is a service that has been running.
                double before = 0;
                for (int round = 1; round <= 4; round++) {
                    List<byte[]> warm = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        warm.add(bundle(key, rnd));
                    }
                    double r = serviceRate("postgresql+s3 (warm-up " + round + ")", s3Url, store, key, warm, fsyncs, "");
                    if (before > 0 && Math.abs(r - before) < 0.1 * before) {
                        break;
                    }
                    before = r;
                }
                double four = serviceRate("postgresql+s3", s3Url, store, key, fresh, fsyncs, "goal >= 300 per replica");
                double eight = serviceRate("postgresql+s3", s3Url, store, key, fresh8, fsyncs, "goal >= 300 per replica", 8);
                System.out.printf(Locale.ROOT, "postgresql+s3: %.2f x with 8 clients against 4 (the S3 round trip overlapped)%n", eight / four);
            }
        }
        heap(work, fsyncs);
    }

    static void run(String db, String url, int n, Path dir, double fsyncs) throws Exception {
        StateDir state = new StateDir(dir.resolve("station")).create();
        StationKey key = KeyStore.in(state).init(false);
        SplittableRandom rnd = new SplittableRandom(3);
        try (BundleIndex index = new BundleIndex(url);
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index,
                     BlobStore.directory(dir.resolve("service")), TrustStore.of(key.publicKey()), ServiceOptions.plain())) {
            ServiceConfig cfg = new ServiceConfig(ServiceConfig.parseUrl("http://127.0.0.1:" + server.port()), null, null, null, null,
                    Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(1));
            Uploader up = new Uploader(cfg, new Outbox(state, Clock.systemUTC()), Duration.ZERO, Clock.systemUTC(),
                    d -> Thread.sleep(d), new SplittableRandom(1), line -> { });
            // Warm-up, untimed: the first drain of a fresh JVM runs the whole path (HTTP client and
            // server, verification, JDBC) in the interpreter; the figure is for a station that has
            // delivered before, as a rack's is.
            pend(state, key, rnd, WARM_UP);
            up.drain(null);
            pend(state, key, rnd, n);
            long t0 = System.nanoTime();
            var done = up.drain(null);
            double drain = n / ((System.nanoTime() - t0) / 1e9);
            long delivered = done.stream().filter(d -> d.outcome() == Uploader.Outcome.DELIVERED).count();
            System.out.printf(Locale.ROOT, "%s: agent drain (%d in flight) %d/%d delivered, %.0f bundles/s = %.2f x fsync anchor   goal >= 200%n",
                    db, Uploader.PARALLEL, delivered, n, drain, drain / fsyncs);
        }
        // The service alone: a fresh index, 4 concurrent clients putting the same kind of bundles.
        List<byte[]> fresh = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fresh.add(bundle(key, rnd));
        }
        String url2 = url.startsWith("jdbc:sqlite:") ? "jdbc:sqlite:" + dir.resolve("service2.db") : url;
        serviceRate(db, url2, BlobStore.directory(dir.resolve("service2")), key, fresh, fsyncs, "goal >= 200");
    }

    /** The service's verify-and-store rate with 4 concurrent clients, on this index and blob store. */
    static double serviceRate(String label, String url, BlobStore blobs, StationKey key, List<byte[]> fresh, double fsyncs, String goal)
            throws Exception {
        return serviceRate(label, url, blobs, key, fresh, fsyncs, goal, 4);
    }

    /** The same with {@code clients} concurrent clients. */
    static double serviceRate(String label, String url, BlobStore blobs, StationKey key, List<byte[]> fresh, double fsyncs, String goal,
                              int clients) throws Exception {
        int n = fresh.size();
        try (BundleIndex index = new BundleIndex(url);
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index,
                     blobs, TrustStore.of(key.publicKey()), ServiceOptions.plain());
             ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            long t0 = System.nanoTime();
            List<Future<Integer>> fs = new ArrayList<>();
            for (byte[] b : fresh) {
                fs.add(pool.submit(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/bundles/"
                                + runIdOf(b))).PUT(HttpRequest.BodyPublishers.ofByteArray(b))
                        .header("Content-Type", dev.kiln.bundle.BundleNames.MEDIA_TYPE).header("Content-Digest", digest(b)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()));
            }
            int stored = 0;
            for (Future<Integer> f : fs) {
                stored += f.get() == 201 ? 1 : 0;
            }
            double rate = n / ((System.nanoTime() - t0) / 1e9);
            System.out.printf(Locale.ROOT, "%s: service verify-and-store (%d clients) %d/%d stored, %.0f bundles/s = %.2f x fsync anchor   %s%n",
                    label, clients, stored, n, rate, rate / fsyncs, goal);
            return rate;
        }
    }

    /**
     * Heap while 16 zip bombs (1 GiB of zeros each, about a megabyte on the wire) and 16 valid bundles
     * arrive at once, against the heap at rest (both after a full GC, and the high-water of used heap
     * sampled every 2 ms during the burst, uncollected garbage included).
     */
    static void heap(Path dir, double fsyncs) throws Exception {
        StationKey key = StationKey.generate();
        java.lang.management.MemoryMXBean mx = java.lang.management.ManagementFactory.getMemoryMXBean();
        try (BundleIndex index = new BundleIndex("jdbc:sqlite:" + dir.resolve("heap.db"));
             AcceptanceServer server = new AcceptanceServer(new InetSocketAddress("127.0.0.1", 0), index,
                     BlobStore.directory(dir.resolve("heap")), TrustStore.of(key.publicKey()), ServiceOptions.plain());
             ExecutorService pool = Executors.newFixedThreadPool(32)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String base = "http://127.0.0.1:" + server.port();
            byte[] bomb = BombTest.bomb(TestBundles.newRunId(), key, 1024);
            List<String> validRuns = new ArrayList<>();
            List<byte[]> valid = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String r = TestBundles.newRunId();
                validRuns.add(r);
                valid.add(TestBundles.bundle(r, "SN-HEAP-" + i, "PASS", key));
            }
            ServiceProcess.put(http, base, TestBundles.newRunId(), bomb); // warm the path
            System.gc();
            Thread.sleep(200);
            long idle = mx.getHeapMemoryUsage().getUsed();
            java.util.concurrent.atomic.AtomicLong high = new java.util.concurrent.atomic.AtomicLong(idle);
            java.util.concurrent.atomic.AtomicLong live = new java.util.concurrent.atomic.AtomicLong(idle);
            java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().start(() -> {
                int k = 0;
                while (sampling.get()) {
                    high.accumulateAndGet(mx.getHeapMemoryUsage().getUsed(), Math::max);
                    if (++k % 10 == 0) { // every 20 ms a full collection: what is left is what the ingests hold
                        System.gc();
                        live.accumulateAndGet(mx.getHeapMemoryUsage().getUsed(), Math::max);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                }
            });
            List<Future<Integer>> bombs = new ArrayList<>();
            List<Future<Integer>> goods = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                bombs.add(pool.submit(() -> putRetrying(http, base, TestBundles.newRunId(), bomb)));
                int k = i;
                goods.add(pool.submit(() -> putRetrying(http, base, validRuns.get(k), valid.get(k))));
            }
            int refused = 0;
            int stored = 0;
            for (Future<Integer> f : bombs) {
                refused += f.get() == 422 ? 1 : 0;
            }
            for (Future<Integer> f : goods) {
                stored += f.get() == 201 ? 1 : 0;
            }
            sampling.set(false);
            sampler.join();
            System.gc();
            Thread.sleep(200);
            long after = mx.getHeapMemoryUsage().getUsed();
            System.out.printf(Locale.ROOT, "heap: at rest %.1f MiB; while 16 bombs and 16 valid bundles arrived: live high-water %.1f MiB = %.2f x "
                            + "rest (after full collections every 20 ms; goal < 2), used high-water %.1f MiB = %.2f x rest (garbage included); after "
                            + "%.1f MiB; bombs refused %d/16, valid stored %d/16%n", idle / 1048576.0, live.get() / 1048576.0,
                    (double) live.get() / idle, high.get() / 1048576.0, (double) high.get() / idle, after / 1048576.0, refused, stored);
        }
    }

    /** A station's PUT: a 503 (every ingest busy) is retried after its Retry-After, as the agent does. */
    static int putRetrying(HttpClient http, String base, String runId, byte[] body) throws Exception {
        for (int i = 0; ; i++) {
            HttpResponse<String> r = ServiceProcess.put(http, base, runId, body);
            if (r.statusCode() != 503 || i == 20) {
                return r.statusCode();
            }
            Thread.sleep(1000L * Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")));
        }
    }

    /** Bundles drained, untimed, before the timed drain. */
    static final int WARM_UP = 300;

    private static void pend(StateDir state, StationKey key, SplittableRandom rnd, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            byte[] b = bundle(key, rnd);
            AtomicFiles.write(state.pending().resolve("SN-BENCH_" + runIdOf(b) + ".kiln.zip"), b, state.tmp());
        }
    }

    private static final Map<byte[], String> IDS = new java.util.IdentityHashMap<>();

    static synchronized String runIdOf(byte[] b) {
        return IDS.get(b);
    }

    /** A bundle the size of a smoke run's (about 10 KB of results). */
    static synchronized byte[] bundle(StationKey key, SplittableRandom rnd) throws Exception {
        String runId = new UUID((System.nanoTime() << 16) | 0x7000L | rnd.nextInt(4096), 0x8000_0000_0000_0000L | rnd.nextLong(1L << 62)).toString();
        Map<String, byte[]> f = new LinkedHashMap<>();
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 60; i++) {
            events.append("{\"testStepArtifact\":{\"testStepId\":\"1\",\"measurement\":{\"name\":\"core_rounds_per_second\",\"value\":")
                    .append(rnd.nextDouble(100, 300)).append("}},\"sequenceNumber\":").append(i).append("}\n");
        }
        f.put(BundleNames.INVENTORY, "{\"serial\":\"SN-BENCH\"}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.EVENTS, events.toString().getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.SUMMARY, "{\"verdict\":\"PASS\"}\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.TELEMETRY, "timestamp,cpu_load_ratio\n".getBytes(StandardCharsets.UTF_8));
        f.put(BundleNames.LOG, "bench\n".getBytes(StandardCharsets.UTF_8));
        byte[] b = BundleWriter.seal(new BundleIdentity(runId, "SN-BENCH", Map.of("serial", "SN-BENCH"), "smoke", "0x1", "bench", "PASS",
                "2026-11-26T00:00:00Z", "2026-11-26T00:02:00Z", false), f, key);
        IDS.put(b, runId);
        return b;
    }

    static String digest(byte[] b) throws Exception {
        return "sha-256=:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(b)) + ":";
    }

    /** 4 KiB write + fsync per iteration for two seconds. */
    static double fsyncRate(Path dir) throws Exception {
        Path f = dir.resolve("fsync.probe");
        ByteBuffer block = ByteBuffer.allocate(4096);
        long n = 0;
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (System.nanoTime() - t0 < 2_000_000_000L) {
                block.clear();
                ch.write(block, 0);
                ch.force(true);
                n++;
            }
        }
        Files.delete(f);
        return n / ((System.nanoTime() - t0) / 1e9);
    }
}
