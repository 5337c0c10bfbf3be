package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.BundleIdentity;
import dev.kiln.bundle.BundleNames;
import dev.kiln.bundle.BundleWriter;
import dev.kiln.core.outbox.Outbox;
import dev.kiln.core.state.KeyStore;
import dev.kiln.core.state.StateDir;
import dev.kiln.bundle.StationKey;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gets one clear line and its own exit code, before anything is written, and loses
 * nothing: durations, configuration, damaged outbox files, unreadable bundles, messages.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private String state() {
        return dir.resolve("state").toString();
    }

    private Cli run(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--state-dir", state(), "--profile", Cli.profile("selftest-all"),
                "--suites", "selftest-pass", "--duration", "300ms"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private static void oneLine(Cli c) {
        assertEquals(1, c.err().strip().lines().count(), "one line: " + c.err());
        assertFalse(c.err().contains("Exception") || c.err().contains("null"), c.err());
    }

    @Test
    void durationsAreBoundedAndCannotOverflow() {
        Cli huge = Cli.run("run", "--state-dir", state(), "--duration", "9999999999999h");
        assertEquals(64, huge.code(), huge.toString());
        assertTrue(huge.err().contains("out of range"), huge.err());
        oneLine(huge);
        Cli month = Cli.run("run", "--state-dir", state(), "--duration", "31d");
        assertEquals(64, month.code(), month.toString());
        assertTrue(month.err().contains("longer than the longest run"), month.err());
        assertFalse(Files.exists(dir.resolve("state")), "nothing written");
    }

    private Path config(String yaml) throws Exception {
        return Files.writeString(dir.resolve("config-" + yaml.hashCode() + ".yaml"), yaml);
    }

    @Test
    void theWholeConfigurationIsCheckedAtStartWhateverThisRunUses() throws Exception {
        record Case(String yaml, String says) {
        }
        for (Case c : List.of(
                new Case("service:\n  url: http://127.0.0.1:1\n  url: http://127.0.0.1:2\n", "line 3: Duplicate field 'url'"),
                new Case("service:\n  url: ftp://x\n", "line 2: service.url"),
                new Case("service:\n  url: http://127.0.0.1:1\n  tokenFile: /nonexistent/token\n",
                        "line 3: service.tokenFile /nonexistent/token is missing or unreadable"),
                new Case("outbox:\n  sentRetention: forever\n", "line 2: outbox.sentRetention"),
                new Case("delivery:\n  runWait: -1s\n", "line 2: delivery.runWait"))) {
            Cli r = run("--no-upload", "--config", config(c.yaml()).toString());
            assertEquals(78, r.code(), c.yaml() + r);
            assertTrue(r.err().contains(c.says()), c.says() + " in: " + r.err());
            oneLine(r);
            assertFalse(Files.exists(dir.resolve("state/runs")), "checked before anything was written: " + c.yaml());
        }
    }

    @Test
    void duplicateKeysInProfilesAndSkusAreRefused() throws Exception {
        Path profile = Files.writeString(dir.resolve("dup-profile.yaml"), "name: a\nname: b\nsuites:\n  - id: selftest-pass\n");
        Cli p = Cli.run("run", "--state-dir", state(), "--profile", profile.toString());
        assertEquals(78, p.code(), p.toString());
        assertTrue(p.err().contains("Duplicate field 'name'"), p.err());
        Path sku = Files.writeString(dir.resolve("dup-sku.yaml"), "chip: A\nchip: B\n");
        Cli s = Cli.run("inventory", "--sku", sku.toString());
        assertEquals(78, s.code(), s.toString());
        assertTrue(s.err().contains("line 2") && s.err().contains("Duplicate field 'chip'"), s.err());
    }

    @Test
    void damagedOutboxFilesAreListedNotFatal() throws Exception {
        assertEquals(0, run("--no-upload").code());
        StateDir st = new StateDir(Path.of(state()));
        Path bundle;
        try (Stream<Path> s = Files.list(st.pending())) {
            bundle = s.findFirst().orElseThrow();
        }
        String base = bundle.getFileName().toString().replace(".kiln.zip", "");
        Files.writeString(st.deliveryStatus().resolve(base + ".json"), "{not json");
        Files.writeString(st.sent().resolve("other_0193.receipt.json"), "\u0000\u0001");
        Cli c = Cli.run("outbox", "--state-dir", state());
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.out().contains("unreadable"), c.out());
        Cli j = Cli.run("outbox", "--json", "--state-dir", state());
        assertEquals(0, j.code(), j.toString());
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    @Timeout(60)
    void aFifoInPendingIsQuarantinedAndNeverRead() throws Exception {
        assertEquals(0, run("--no-upload").code());
        Path fifo = Path.of(state(), "outbox/pending/evil_01930000-0000-7000-8000-000000000000.kiln.zip");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        Cli c = Cli.run("upload", "--state-dir", state(), "--service", "http://127.0.0.1:" + port, "--for", "1s");
        assertEquals(69, c.code(), "the real bundle is still pending: " + c);
        assertTrue(c.err().contains("not a regular file"), c.err());
        assertTrue(Files.exists(Path.of(state(), "outbox/quarantine", fifo.getFileName().toString())));
        assertTrue(c.out().toLowerCase(java.util.Locale.ROOT).contains("connection refused"), "the cause, named: " + c.out());
        assertFalse(c.out().contains(": null"), c.out());
    }

    @Test
    void anUnreadableBundleIsNamedNotNull() throws Exception {
        Path junk = Files.write(dir.resolve("junk.kiln.zip"), "PK\u0003\u0004 not really".getBytes(StandardCharsets.ISO_8859_1));
        KeyStore.in(new StateDir(dir.resolve("k")).create()).init(false);
        Path key = dir.resolve("k/keys/station.pub");
        Cli c = Cli.run("verify", junk.toString(), "--trust", key.toString());
        assertEquals(65, c.code(), c.toString());
        assertFalse(c.out().contains("null") || c.err().contains("null"), c.toString());
    }

    @Test
    void aSignedBundleWithoutItsSummaryAndInventoryIsInvalid() throws Exception {
        StationKey key = KeyStore.in(new StateDir(dir.resolve("k")).create()).init(false);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(BundleNames.EVENTS, "{}\n".getBytes(StandardCharsets.UTF_8));
        files.put(BundleNames.TELEMETRY, "timestamp\n".getBytes(StandardCharsets.UTF_8));
        files.put(BundleNames.LOG, "".getBytes(StandardCharsets.UTF_8));
        BundleIdentity id = new BundleIdentity("01930000-0000-7000-8000-000000000001", "SN", Map.of("serial", "SN"), "smoke", "0x1",
                "test", "PASS", "2026-11-26T00:00:00Z", "2026-11-26T00:01:00Z", false);
        Path b = Files.write(dir.resolve(id.fileName()), BundleWriter.seal(id, files, key));
        Cli c = Cli.run("verify", b.toString(), "--trust", dir.resolve("k/keys/station.pub").toString());
        assertEquals(65, c.code(), c.toString());
        assertTrue(c.out().contains("missing file " + BundleNames.SUMMARY) && c.out().contains("missing file " + BundleNames.INVENTORY),
                c.out());
    }

    @Test
    void quarantineAndSentNeverReplaceAFileOfTheSameName() throws Exception {
        StateDir st = new StateDir(dir.resolve("q")).create();
        Outbox outbox = new Outbox(st, Clock.systemUTC());
        String name = "SN_01930000-0000-7000-8000-000000000002.kiln.zip";
        Files.writeString(st.pending().resolve(name), "first");
        Path a = outbox.quarantine(st.pending().resolve(name), "reason one");
        Files.writeString(st.pending().resolve(name), "second");
        Path b = outbox.quarantine(st.pending().resolve(name), "reason two");
        assertFalse(a.equals(b), a + " " + b);
        assertEquals("first", Files.readString(a));
        assertEquals("second", Files.readString(b));
        assertTrue(Files.readString(a.resolveSibling(a.getFileName() + ".reason")).contains("reason one"));
        assertTrue(Files.readString(b.resolveSibling(b.getFileName() + ".reason")).contains("reason two"));
        assertEquals(2, outbox.list().stream().filter(e -> e.state().equals("quarantined")).count());
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    @Timeout(120)
    void aZipBombIsExit65UnderASmallHeapNeverACrash() throws Exception {
        KeyStore.in(new StateDir(dir.resolve("k")).create()).init(false);
        Path bomb = dir.resolve("bomb.kiln.zip");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(bomb))) {
            z.setLevel(9);
            for (String name : BundleNames.CONTENT) {
                z.putNextEntry(new java.util.zip.ZipEntry(name));
                if (name.equals(BundleNames.TELEMETRY)) {
                    byte[] zeros = new byte[1 << 20];
                    for (int i = 0; i < 1024; i++) {
                        z.write(zeros); // 1 GiB of zeros in about a megabyte
                    }
                }
                z.closeEntry();
            }
        }
        List<String> cmd = new java.util.ArrayList<>(Kiln.command("verify", bomb.toString(), "--trust", dir.resolve("k/keys/station.pub").toString()));
        cmd.add(1, "-Xmx64m");
        Kiln k = Kiln.start(dir, Map.of(), cmd).waitFor(60);
        assertEquals(65, k.exit(), "bad input data, not 1 (defect) and not a crash\n" + k);
        assertTrue(k.out().contains("refused as a zip bomb"), k.out());
        assertFalse(k.err().contains("Exception") || k.err().contains("Error"), k.err());
    }

    /**
     * A bundle larger than the CLI's whole heap verifies: read from its file as it is scanned (it was
     * read whole into the heap, and a month-long run's bundle is gigabytes).
     */
    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    @Timeout(120)
    void aBundleLargerThanTheHeapVerifies() throws Exception {
        StationKey key = KeyStore.in(new StateDir(dir.resolve("k")).create()).init(false);
        Path log = dir.resolve("agent.log");
        try (java.io.OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(log))) {
            byte[] noise = new byte[1 << 20];
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(9);
            for (int i = 0; i < 96; i++) { // 96 MiB that does not deflate: the bundle is as large
                rnd.nextBytes(noise);
                o.write(noise);
            }
        }
        Map<String, dev.kiln.bundle.Content> files = new java.util.TreeMap<>();
        for (String name : List.of(BundleNames.EVENTS, BundleNames.SUMMARY, BundleNames.INVENTORY, BundleNames.TELEMETRY)) {
            files.put(name, dev.kiln.bundle.Content.of("{}\n".getBytes(StandardCharsets.UTF_8)));
        }
        files.put(BundleNames.LOG, dev.kiln.bundle.Content.of(log));
        BundleIdentity id = new BundleIdentity("01930000-0000-7000-8000-0000000000b1", "SN", Map.of("serial", "SN"), "soak", "0x1",
                "test", "PASS", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z", false);
        Path b = dir.resolve(id.fileName());
        try (java.io.OutputStream out = Files.newOutputStream(b)) {
            BundleWriter.seal(id, files, key, out);
        }
        assertTrue(Files.size(b) > 96L << 20);
        List<String> cmd = new java.util.ArrayList<>(Kiln.command("verify", b.toString(), "--trust", dir.resolve("k/keys/station.pub").toString()));
        cmd.add(1, "-Xmx48m");
        Kiln k = Kiln.start(dir, Map.of(), cmd).waitFor(90);
        assertEquals(0, k.exit(), k.toString());
        assertTrue(k.out().contains("VALID  " + b), k.out());
    }
}
