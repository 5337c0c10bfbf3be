package dev.kiln.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class BundleWriterTest {
    /**
     * sha256 of the bundle sealed from {@link Fixtures} with the test station key, on JDK 25 with
     * its bundled zlib. Ed25519 signatures are deterministic (RFC 8032), so the whole zip is.
     */
    static final String GOLDEN_SHA256 = GoldenValue.SHA256;

    @Test
    void sameInputsGiveTheSameBytesInEveryTimeZone() {
        TimeZone original = TimeZone.getDefault();
        List<byte[]> outputs = new ArrayList<>();
        try {
            for (String tz : List.of("UTC", "Asia/Kolkata", "America/Los_Angeles", "Pacific/Chatham")) {
                TimeZone.setDefault(TimeZone.getTimeZone(tz));
                outputs.add(Fixtures.bundle("01a216ef-0000-7000-8000-000000000001", Fixtures.key("station")));
            }
        } finally {
            TimeZone.setDefault(original);
        }
        for (byte[] b : outputs) {
            assertArrayEquals(outputs.get(0), b);
        }
        assertEquals(GOLDEN_SHA256, BundleWriter.sha256(outputs.get(0)), "golden bytes");
    }

    /** The same in separate JVMs started under other TZ environments, as a station in another zone would be. */
    @Test
    void sameBytesInChildJvmsUnderOtherTimeZones() throws Exception {
        for (String tz : List.of("Asia/Tokyo", "America/St_Johns")) {
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-cp", System.getProperty("java.class.path"), "dev.kiln.bundle.PrintGolden");
            pb.environment().put("TZ", tz);
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor());
            assertEquals(GOLDEN_SHA256, out, "TZ=" + tz);
        }
    }

    @Test
    void aBundleSealedFromFilesOnDiskIsTheBundleSealedFromArrays() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kiln-seal");
        try {
            var files = Fixtures.files();
            StringBuilder csv = new StringBuilder("timestamp,a_celsius,b_watts\n"); // past several of the zip's 64 KiB pieces
            for (int i = 0; i < 40_000; i++) {
                csv.append("2026-11-26T08:00:00Z,").append(40 + i % 37).append('.').append(i % 10).append(',').append(i % 13).append('\n');
            }
            files.put(BundleNames.TELEMETRY, csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            java.util.Map<String, Content> streamed = new java.util.TreeMap<>();
            for (var f : files.entrySet()) {
                java.nio.file.Path p = dir.resolve(f.getKey().replace('/', '_'));
                java.nio.file.Files.write(p, f.getValue());
                streamed.put(f.getKey(), f.getKey().equals(BundleNames.SUMMARY) ? Content.of(f.getValue()) : Content.of(p));
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            BundleWriter.seal(Fixtures.identity("r"), streamed, Fixtures.key("station"), out);
            assertArrayEquals(BundleWriter.seal(Fixtures.identity("r"), files, Fixtures.key("station")), out.toByteArray());
        } finally {
            try (var s = java.nio.file.Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aFileThatChangesWhileItIsSealedFailsTheSealInsteadOfSigningWhatWasNotPacked() {
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Map<String, Content> files = new java.util.TreeMap<>();
        Fixtures.files().forEach((name, bytes) -> files.put(name, Content.of(bytes)));
        // read once for its digest, then again (one more line appended by a late writer) into the zip
        files.put(BundleNames.LOG, () -> new ByteArrayInputStream(opened.getAndIncrement() == 0 ? "a\n".getBytes() : "a\nb\n".getBytes()));
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> BundleWriter.seal(Fixtures.identity("r"), files, Fixtures.key("station"), java.io.OutputStream.nullOutputStream()));
        assertTrue(e.getMessage().contains("logs/agent.log changed while the bundle was sealed"), e.getMessage());
    }

    /** A 200 MB trace sealed in a child JVM of 48 MiB: the seal streams, it never holds the file. */
    @Test
    void aTraceFarLargerThanTheHeapIsSealedStreamed() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("kiln-seal-big");
        try {
            java.nio.file.Path csv = dir.resolve("samples.csv");
            try (var w = java.nio.file.Files.newBufferedWriter(csv)) {
                w.write("timestamp,a_celsius,b_watts\n");
                for (int i = 0; i < 6_000_000; i++) {
                    w.write("2026-11-26T08:00:00Z,");
                    w.write(Integer.toString(40 + i % 37));
                    w.write(",12.5\n");
                }
            }
            assertTrue(java.nio.file.Files.size(csv) > 150_000_000L);
            java.nio.file.Path zip = dir.resolve("big.kiln.zip");
            ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx48m",
                    "-cp", System.getProperty("java.class.path"), "dev.kiln.bundle.SealBig", csv.toString(), zip.toString());
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor(), out);
            assertEquals("sealed", out);
            BundleVerifier.Result r = new BundleVerifier(TrustStore.of(Fixtures.key("station").publicKey()), BundleLimits.defaults())
                    .verify(java.nio.file.Files.readAllBytes(zip));
            assertTrue(r.valid(), r.problems().toString());
        } finally {
            try (var s = java.nio.file.Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void entriesAreSortedWithFixedTimesAndNoExtraFields() throws Exception {
        byte[] zip = Fixtures.bundle("01a216ef-0000-7000-8000-000000000001", Fixtures.key("station"));
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
                assertEquals(DeterministicZip.ENTRY_TIME, e.getTimeLocal());
                assertEquals(null, e.getExtra());
                assertEquals(ZipEntry.DEFLATED, e.getMethod());
            }
        }
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names);
        assertEquals(List.of("attestation/bundle.dsse.json", "inventory.json", "logs/agent.log", "manifest.json",
                "results/ocptv.jsonl", "results/summary.json", "telemetry/samples.csv"), names);
    }

    @Test
    void theWriterRefusesUnsafeNamesAndItsOwnFiles() {
        var files = Fixtures.files();
        files.put("../escape", new byte[1]);
        assertThrows(IllegalArgumentException.class, () -> BundleWriter.seal(Fixtures.identity("r"), files, Fixtures.key("station")));
        var withManifest = Fixtures.files();
        withManifest.put(BundleNames.MANIFEST, new byte[1]);
        assertThrows(IllegalArgumentException.class,
                () -> BundleWriter.seal(Fixtures.identity("r"), withManifest, Fixtures.key("station")));
    }

    @Test
    void fileNamesAreSafe() {
        assertEquals("C02XK0TEST_r1.kiln.zip", Fixtures.identity("r1").fileName());
        var odd = new BundleIdentity("r2", "../a b/c", java.util.Map.of(), "p", "0x1", "v", "PASS", "", "", false);
        assertEquals("unit.._a_b_c_r2.kiln.zip", odd.fileName());
        assertTrue(BundleNames.unsafe(odd.fileName()) == null);
    }

    @Test
    void pemRoundTripsAndKeyIdsMatchOpenssl() {
        StationKey k = StationKey.generate();
        StationKey back = new StationKey(Pem.decodePrivate(Pem.encodePrivate(k.privateKey())), Pem.decodePublic(Pem.encodePublic(k.publicKey())));
        assertEquals(k.keyId(), back.keyId());
        assertTrue(back.consistent());
        assertTrue(!new StationKey(k.privateKey(), Fixtures.key("other").publicKey()).consistent(), "a mismatched pair is detected");
        assertThrows(IllegalArgumentException.class, () -> Pem.decodePrivate("not a key"));
        assertThrows(IllegalArgumentException.class, () -> Pem.decodePublic("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n"));
    }
}
