package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.acceptance.ServiceOptions;
import dev.kiln.core.state.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** kiln run → sealed bundle → delivered to the real reference service → receipt → findable by serial. */
@Timeout(60)
class DeliveryCliTest {
    @TempDir
    Path root;

    ServiceFixture svc;

    @BeforeEach
    void start() throws Exception {
        svc = new ServiceFixture(root, ServiceOptions.plain());
    }

    @AfterEach
    void stop() throws Exception {
        svc.close();
    }

    String stateDir() {
        return svc.state.root().toString();
    }

    Cli run(String... extra) {
        String[] base = {"run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
            "--duration", "300ms"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return Cli.run(all);
    }

    static long files(Path dir, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }

    @Test
    void runDeliversItsBundleAndTheUnitCanBeLookedUp() throws Exception {
        Cli c = run("--service", svc.url());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("delivered to " + svc.url() + ", receipt sha256"), c.out());
        assertEquals(0, files(svc.state.pending(), ".kiln.zip"));
        assertEquals(1, files(svc.state.sent(), ".receipt.json"));
        String serial = c.out().replaceAll("(?s).*\\bserial (\\S+).*", "$1"); // the platform's, or the machine id's where it gives none
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(svc.url() + "/v1/units/" + java.net.URLEncoder.encode(serial, "UTF-8").replace("+", "%20") + "/bundles")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode list = Json.MAPPER.readTree(r.body());
        assertEquals(1, list.size(), r.body());
        assertEquals("PASS", list.get(0).get("verdict").asText());

        Cli outbox = Cli.run("outbox", "--state-dir", stateDir(), "--json");
        assertEquals(0, outbox.code());
        assertEquals("sent", Json.MAPPER.readTree(outbox.out()).get(0).get("state").asText());
    }

    @Test
    void aServiceThatIsDownLeavesTheBundleForUpload() throws Exception {
        int port = svc.server.port();
        svc.close();
        Cli c = run("--service", "http://127.0.0.1:" + port, "--config", writeConfig("delivery:\n  runWait: 500ms\n").toString());
        assertEquals(0, c.code(), "the verdict's code: delivery does not hold it up: " + c);
        assertTrue(c.out().contains("not delivered yet"), c.out());
        assertEquals(1, files(svc.state.pending(), ".kiln.zip"));
        Cli required = run("--service", "http://127.0.0.1:" + port, "--require-delivery", "--config",
                writeConfig("delivery:\n  runWait: 200ms\n").toString());
        assertEquals(3, required.code(), required.toString());
        // 3 is only a PASS not delivered: a FAIL stays 1 and an INCOMPLETE 2, the delivery said on the verdict line
        for (var c2 : Map.of("selftest-fail", 1, "selftest-throw", 2).entrySet()) {
            Cli other = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", c2.getKey(),
                    "--duration", "300ms", "--service", "http://127.0.0.1:" + port, "--require-delivery", "--config",
                    writeConfig("delivery:\n  runWait: 200ms\n").toString());
            assertEquals(c2.getValue(), other.code(), other.toString());
            assertTrue(other.out().contains("exit " + c2.getValue() + ": the bundle was not delivered (--require-delivery)"), other.out());
        }

        Cli upload = Cli.run("upload", "--state-dir", stateDir(), "--service", "http://127.0.0.1:" + port, "--for", "300ms");
        assertEquals(69, upload.code(), upload.toString());
        assertTrue(upload.out().contains("PENDING"), upload.out());

        svc = new ServiceFixture(root, ServiceOptions.plain()); // the service is back, on another port
        Cli later = Cli.run("upload", "--state-dir", stateDir(), "--service", svc.url());
        assertEquals(0, later.code(), later.toString());
        assertEquals(0, files(svc.state.pending(), ".kiln.zip"));
        assertEquals(4, svc.index.count());
    }

    Path writeConfig(String yaml) throws Exception {
        Path p = Files.createTempFile(root, "config", ".yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void badServiceSettingsAreConfigurationErrors() throws Exception {
        for (String bad : new String[] {"ftp://127.0.0.1/x", "http://", "not a url", "http://127.0.0.1:1/?q=1"}) {
            Cli c = run("--service", bad);
            assertEquals(78, c.code(), bad + ": " + c);
            assertEquals(1, c.err().strip().lines().count(), c.err());
            assertEquals("", c.out(), "nothing ran");
        }
        Cli cert = run("--config", writeConfig("service:\n  url: " + svc.url() + "\n  clientCert: /nonexistent/client.pem\n"
                + "  clientKey: /nonexistent/client.key\n").toString());
        assertEquals(78, cert.code(), cert.toString());
        assertTrue(cert.err().contains("service.clientCert /nonexistent/client.pem is missing or unreadable"), cert.err());
        Path garbageCert = Files.writeString(root.resolve("client.pem"), "hello");
        Path garbageKey = Files.writeString(root.resolve("client.key"), "hello");
        Cli unreadable = run("--config", writeConfig("service:\n  url: " + svc.url() + "\n  clientCert: " + garbageCert
                + "\n  clientKey: " + garbageKey + "\n").toString());
        assertEquals(78, unreadable.code(), unreadable.toString());
        assertTrue(unreadable.err().contains("client.pem"), unreadable.err());
        Cli typo = run("--config", writeConfig("servce:\n  url: x\n").toString());
        assertEquals(78, typo.code());
        assertTrue(typo.err().contains("unknown key 'servce'"), typo.err());
        assertEquals(64, run("--service", svc.url(), "--no-upload").code());
        assertEquals(64, run("--require-delivery").code(), "no service to require delivery from");
        assertEquals(78, Cli.run("upload", "--state-dir", stateDir()).code(), "upload with no service");
        assertEquals(0, files(svc.state.pending(), ".kiln.zip"), "nothing was sealed by a refused command");
    }

    @Test
    void aServerThatAnswersHtmlIsNotTrusted() throws Exception {
        try (FaultProxy html = new FaultProxy(1)) {
            for (int i = 0; i < 50; i++) {
                html.then(FaultProxy.Fault.of(FaultProxy.Kind.GARBAGE));
            }
            svc.seal(ServiceFixture.runId(), "PASS");
            Cli c = Cli.run("upload", "--state-dir", stateDir(), "--service", "http://127.0.0.1:" + html.port(), "--for", "300ms");
            assertEquals(69, c.code(), c.toString());
            assertEquals(1, files(svc.state.pending(), ".kiln.zip"), "still pending");
            Cli outbox = Cli.run("outbox", "--state-dir", stateDir());
            assertTrue(outbox.out().contains("without a matching receipt") || outbox.out().contains("not a receipt"), outbox.out());
        }
    }

    @Test
    void aDamagedPendingBundleIsQuarantinedAtStart() throws Exception {
        Path good = svc.seal(ServiceFixture.runId(), "PASS");
        Path bad = svc.seal(ServiceFixture.runId(), "FAIL");
        byte[] b = Files.readAllBytes(bad);
        b[b.length / 2] ^= 0x40;
        Files.write(bad, b);
        Cli c = Cli.run("upload", "--state-dir", stateDir(), "--service", svc.url());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.err().contains("quarantined damaged bundle " + bad.getFileName()), c.err());
        assertTrue(Files.exists(svc.state.quarantine().resolve(bad.getFileName())));
        assertTrue(Files.readString(svc.state.quarantine().resolve(bad.getFileName() + ".reason")).contains("damaged in the outbox"));
        assertFalse(Files.exists(good));
        assertEquals(1, svc.index.count());
        Cli list = Cli.run("outbox", "--state-dir", stateDir());
        assertTrue(list.out().startsWith("0 pending, 1 sent, 1 quarantined"), list.out());
    }

    /**
     * Two machines that give no serial (this VM's DMI gives none), on two state dirs: each run stands
     * on its machine's id, hashed, and the service files them as two units; a machine with neither
     * a serial nor a machine id is filed alone; {@code --serial} names the unit; a placeholder given
     * is a usage error.
     */
    @Test
    void machinesWithoutASerialAreTwoUnitsNeverOne() throws Exception {
        String platform = new dev.kiln.core.platform.InventoryProbe().probe().serial();
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.kiln.bundle.BundleIdentity.placeholderSerial(platform),
                "this machine gives a serial (" + platform + "): the fallback is for machines that do not");
        Path second = root.resolve("second");
        Files.createDirectories(second.resolve("keys"));
        try (Stream<Path> k = Files.list(svc.state.keys())) { // the same station key, trusted by the service
            for (Path f : k.filter(Files::isRegularFile).toList()) {
                Files.copy(f, second.resolve("keys").resolve(f.getFileName()));
            }
        }
        Map<String, String> machines = new java.util.LinkedHashMap<>();
        machines.put(stateDir(), "3d1219c7a8f04b2e9c1d5e6f7a8b9c0d");
        machines.put(second.toString(), "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        List<String> serials = new java.util.ArrayList<>();
        for (var m : machines.entrySet()) {
            Path fake = Files.createDirectories(root.resolve("machine-" + serials.size()).resolve("etc"));
            Files.writeString(fake.resolve("machine-id"), m.getValue() + "\n");
            Cli c = Cli.run("run", "--state-dir", m.getKey(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                    "--duration", "300ms", "--service", svc.url(), "--sysfs-root", fake.getParent().toString());
            assertEquals(0, c.code(), c.toString());
            assertTrue(c.out().contains("serial machine-"), c.out());
            serials.add(c.out().replaceAll("(?s).*serial (machine-[0-9a-f]{20}).*", "$1"));
        }
        assertEquals(2, new java.util.HashSet<>(serials).size(), "two machines, two serials: " + serials);
        for (String s : serials) {
            assertEquals(1, Json.MAPPER.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(svc.url() + "/v1/units/"
                    + s + "/bundles")).build(), HttpResponse.BodyHandlers.ofString()).body()).size(), s);
        }
        Cli none = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "300ms", "--service", svc.url(), "--sysfs-root", Files.createDirectories(root.resolve("bare")).toString());
        assertEquals(0, none.code(), none.toString());
        assertTrue(none.out().contains("serial unknown"), none.out());
        Cli named = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "300ms", "--service", svc.url(), "--serial", "C02XK0GIVEN");
        assertEquals(0, named.code(), named.toString());
        assertTrue(named.out().contains("serial C02XK0GIVEN (given with --serial)"), named.out());
        Path withSerial = writeConfig("unit:\n  serial: C02XK0CONF\n");
        Cli configured = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "300ms", "--no-upload", "--config", withSerial.toString());
        assertEquals(0, configured.code(), configured.toString());
        assertTrue(configured.out().contains("serial C02XK0CONF (from the config)"), configured.out());
        Cli placeholder = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--config", writeConfig("unit:\n  serial: unknown\n").toString());
        assertEquals(78, placeholder.code(), placeholder.toString());
        assertTrue(placeholder.err().contains("line 2: unit.serial: the serial 'unknown' names no machine"), placeholder.err());
        assertEquals(64, Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--serial", "To Be Filled By O.E.M.").code());
        assertEquals(4, svc.index.count(), "the configured run was not delivered (--no-upload)");
        assertEquals(0, Json.MAPPER.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(svc.url()
                + "/v1/units/unknown/bundles")).build(), HttpResponse.BodyHandlers.ofString()).body()).size(), "never a unit called unknown");
    }

    /**
     * While a run lasts its unit heartbeats to the service (here every second), signed and counted; the
     * last one says it ended; the floor then shows the sealed verdict. {@code --no-upload} sends none,
     * and a service that does not answer never holds the run up.
     */
    @Test
    void aRunHeartbeatsWhileItLastsAndTheFloorShowsItsSealedVerdict() throws Exception {
        Path cfg = writeConfig("service:\n  heartbeat: 1s\n");
        Cli c = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "4s", "--service", svc.url(), "--config", cfg.toString());
        assertEquals(0, c.code(), c.toString());
        assertFalse(c.err().contains("heartbeats to"), "no failure said: " + c.err());
        String serial = c.out().replaceAll("(?s).*\\bserial (\\S+).*", "$1");
        HttpClient http = HttpClient.newHttpClient();
        String metrics = http.send(HttpRequest.newBuilder(URI.create(svc.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher stored = java.util.regex.Pattern.compile("kiln_acceptance_heartbeats_total\\{outcome=\"stored\",station=\"key "
                + svc.key.keyId().substring(0, 12) + "\"} ([0-9.]+)").matcher(metrics);
        assertTrue(stored.find(), metrics);
        assertTrue(Double.parseDouble(stored.group(1)) >= 4, "about one a second for 4 s, and the last: " + metrics);
        assertFalse(metrics.contains("outcome=\"refused\"") || metrics.contains("outcome=\"stale\""), metrics);
        String floor = http.send(HttpRequest.newBuilder(URI.create(svc.url() + "/ui/floor")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(floor.contains("data-serial=\"" + serial + "\"") && floor.contains("<span class=\"verdict PASS\">PASS</span>"), floor);

        // --no-upload: no heartbeat; a service that is not there: the run is not held up, the failure said once
        Cli quiet = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "2s", "--no-upload", "--config", cfg.toString());
        assertEquals(0, quiet.code(), quiet.toString());
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        Cli away = Cli.run("run", "--state-dir", stateDir(), "--profile", Cli.profile("selftest-all"), "--suites", "selftest-pass",
                "--duration", "3s", "--service", "http://127.0.0.1:" + port, "--config", writeConfig("service:\n  heartbeat: 1s\n"
                        + "delivery:\n  runWait: 200ms\n").toString());
        assertEquals(0, away.code(), away.toString());
        assertEquals(1, away.err().split("heartbeats to http://127.0.0.1:" + port + " are failing", -1).length - 1, "said once: " + away.err());
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "not held up");
        String after = http.send(HttpRequest.newBuilder(URI.create(svc.url() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher again = java.util.regex.Pattern.compile("kiln_acceptance_heartbeats_total\\{outcome=\"stored\",station=\"key [0-9a-f]+\"} ([0-9.]+)")
                .matcher(after);
        assertTrue(again.find() && again.group(1).equals(stored.group(1)), "the --no-upload run sent none: " + after);
    }

    /** A bundle past the format's size (no service takes it) is said and kept, never read in or sent to be refused. */
    @Test
    void aBundleTooLargeForAnyServiceIsKeptInQuarantineWithTheReasonAndTheOthersGo() throws Exception {
        Path good = svc.seal(ServiceFixture.runId(), "PASS");
        Path huge = svc.state.pending().resolve(ServiceFixture.runId() + ".kiln.zip");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(dev.kiln.bundle.BundleLimits.MAX_BUNDLE_BYTES + 1); // sparse: no disk
        }
        Cli c = Cli.run("upload", "--state-dir", stateDir(), "--service", svc.url());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.err().contains("quarantined " + huge.getFileName() + ": too large to deliver: "
                + (dev.kiln.bundle.BundleLimits.MAX_BUNDLE_BYTES + 1) + " bytes"), c.err());
        Path kept = svc.state.quarantine().resolve(huge.getFileName());
        assertEquals(dev.kiln.bundle.BundleLimits.MAX_BUNDLE_BYTES + 1, Files.size(kept), "kept whole");
        assertTrue(Files.readString(svc.state.quarantine().resolve(huge.getFileName() + ".reason")).contains("every acceptance service refuses it"));
        assertFalse(Files.exists(good), "the other bundle was delivered");
        assertEquals(1, svc.index.count());
        Files.delete(kept);
    }

    /** A rack's uploader daemon: {@code upload --watch --metrics-port} serves the outbox depth and the deliveries. */
    @Test
    void watchServesOutboxMetrics() throws Exception {
        Cli first = run("--no-upload");
        assertEquals(0, first.code(), first.toString());
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        java.util.concurrent.atomic.AtomicReference<Cli> ended = new java.util.concurrent.atomic.AtomicReference<>();
        Thread watcher = new Thread(() -> ended.set(Cli.run("upload", "--state-dir", stateDir(), "--service", svc.url(), "--watch",
                "--metrics-port", String.valueOf(port))));
        watcher.start();
        HttpClient http = HttpClient.newHttpClient();
        String body = "";
        for (int i = 0; i < 300; i++) {
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Double delivered = dev.kiln.core.metrics.Scrape.value(body, "kiln_upload_deliveries_total", java.util.Map.of("outcome", "DELIVERED"));
                Double pending = dev.kiln.core.metrics.Scrape.value(body, "kiln_outbox_bundles", java.util.Map.of("state", "pending"));
                if (delivered != null && delivered == 1 && pending != null && pending == 0) {
                    break; // the outbox gauges are read from disk at most once a second, so they may lag the counter
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        watcher.interrupt();
        watcher.join(10_000);
        assertEquals(1.0, dev.kiln.core.metrics.Scrape.value(body, "kiln_upload_deliveries_total", java.util.Map.of("outcome", "DELIVERED")), body);
        assertEquals(0.0, dev.kiln.core.metrics.Scrape.value(body, "kiln_outbox_oldest_pending_age_seconds", java.util.Map.of()), body);
        assertEquals(1.0, dev.kiln.core.metrics.Scrape.value(body, "kiln_outbox_bundles", java.util.Map.of("state", "sent")), body);
        assertEquals(0.0, dev.kiln.core.metrics.Scrape.value(body, "kiln_outbox_bundles", java.util.Map.of("state", "pending")), body);
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()), "closed with the command");
    }
}
