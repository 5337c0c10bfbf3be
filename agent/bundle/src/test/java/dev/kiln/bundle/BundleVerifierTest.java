package dev.kiln.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tamper matrix: every way a bundle can be wrong, each with its specific reason. */
class BundleVerifierTest {
    private static final StationKey KEY = Fixtures.key("station");
    private static final String RUN = "01a216ef-0000-7000-8000-000000000001";
    private final BundleVerifier verifier = new BundleVerifier(TrustStore.of(KEY.publicKey()), BundleLimits.defaults());

    private static Map<String, byte[]> entries(byte[] zip) throws Exception {
        return new LinkedHashMap<>(BundleReader.read(zip, BundleLimits.defaults()));
    }

    /**
     * Verifies the zip in memory and again from a file read as it is scanned (how the outbox, the
     * uploader and {@code kiln verify} read it): the two must say the same, problem for problem.
     */
    static BundleVerifier.Result viaFile(BundleVerifier v, byte[] zip) {
        BundleVerifier.Result inMemory = v.verify(zip);
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("bundle", ".kiln.zip");
            try {
                java.nio.file.Files.write(f, zip);
                BundleVerifier.Result fromFile = v.verify(f);
                assertEquals(inMemory.valid(), fromFile.valid());
                assertEquals(inMemory.problems(), fromFile.problems());
                assertEquals(inMemory.keyId(), fromFile.keyId());
                assertEquals(inMemory.predicate(), fromFile.predicate());
                if (inMemory.valid()) {
                    assertEquals(inMemory.files().keySet(), fromFile.files().keySet());
                }
            } finally {
                java.nio.file.Files.delete(f);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return inMemory;
    }

    private void rejects(byte[] zip, String reason) {
        BundleVerifier.Result r = viaFile(verifier, zip);
        assertFalse(r.valid(), "must be rejected: " + reason);
        assertTrue(r.problems().stream().anyMatch(p -> p.contains(reason)), "'" + reason + "' in " + r.problems());
    }

    @Test
    void aSealedBundleVerifies() {
        BundleVerifier.Result r = viaFile(verifier, Fixtures.bundle(RUN, KEY));
        assertTrue(r.valid(), r.problems().toString());
        assertEquals(KEY.keyId(), r.keyId());
        assertEquals(RUN, r.predicate().get("runId").asText());
        assertEquals("PASS", r.predicate().get("verdict").asText());
        assertEquals("C02XK0TEST", r.predicate().get("serial").asText());
    }

    @Test
    void aChangedByteInAnyFileIsNamed() throws Exception {
        byte[] good = Fixtures.bundle(RUN, KEY);
        for (String name : entries(good).keySet()) {
            if (name.equals(BundleNames.ATTESTATION)) {
                continue;
            }
            Map<String, byte[]> e = entries(good);
            byte[] data = e.get(name).clone();
            data[data.length / 2] ^= 0x01;
            e.put(name, data);
            rejects(Fixtures.rezip(e), "digest mismatch on file " + name);
        }
    }

    @Test
    void aChangedByteInTheAttestationBreaksTheSignature() throws Exception {
        Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
        String env = new String(e.get(BundleNames.ATTESTATION), StandardCharsets.UTF_8);
        String payload = env.replaceAll("(?s).*\"payload\": \"([^\"]*)\".*", "$1");
        String statement = new String(java.util.Base64.getDecoder().decode(payload), StandardCharsets.UTF_8);
        String forged = java.util.Base64.getEncoder().encodeToString(statement.replace("\"PASS\"", "\"FAIL\"").getBytes(StandardCharsets.UTF_8));
        e.put(BundleNames.ATTESTATION, env.replace(payload, forged).getBytes(StandardCharsets.UTF_8));
        rejects(Fixtures.rezip(e), "signature invalid");
    }

    /** The attestation with its one real signature followed by {@code extra} zero signatures naming the same (trusted) key. */
    static byte[] flooded(byte[] zip, int extra, String keyId) throws Exception {
        Map<String, byte[]> e = entries(zip);
        String env = new String(e.get(BundleNames.ATTESTATION), StandardCharsets.UTF_8);
        StringBuilder more = new StringBuilder();
        String zero = java.util.Base64.getEncoder().encodeToString(new byte[64]);
        for (int i = 0; i < extra; i++) {
            more.append(",\n    {\"keyid\": \"").append(keyId).append("\", \"sig\": \"").append(zero).append("\"}");
        }
        e.put(BundleNames.ATTESTATION, env.replaceFirst("\"}\n  \\]", "\"}" + java.util.regex.Matcher.quoteReplacement(more.toString()) + "\n  ]")
                .getBytes(StandardCharsets.UTF_8));
        return Fixtures.rezip(e);
    }

    /**
     * One station's token and its own trusted key id: thousands of zero signatures, each once a full
     * Ed25519 verification over a freshly built copy of the payload (minutes of CPU a request). Now at
     * most a few are read, refused before any signature is checked.
     */
    @Test
    void aFloodOfSignaturesIsRefusedBeforeAnyIsChecked() throws Exception {
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        BundleVerifier counting = new BundleVerifier(TrustStore.of(KEY.publicKey()), BundleLimits.defaults(), (k, m, sig) -> {
            checks.incrementAndGet();
            return SignatureCheck.JDK.verify(k, m, sig);
        });
        BundleVerifier.Result r = viaFile(counting, flooded(Fixtures.bundle(RUN, KEY), 2_000, KEY.keyId()));
        assertFalse(r.valid());
        assertTrue(r.problems().contains("the attestation carries 2001 signatures; at most " + BundleVerifier.MAX_SIGNATURES + " are read"),
                r.problems().toString());
        assertEquals(0, checks.get(), "no signature verified");
        // a few (a key rotation's two) still verify: the first that verifies ends the checking (DSSE asks one)
        BundleVerifier.Result two = counting.verify(flooded(Fixtures.bundle(RUN, KEY), 1, KEY.keyId()));
        assertTrue(two.valid(), two.problems().toString());
        assertEquals(1, checks.get(), "the real one, listed first, verifies; the zero one after it is not checked");
    }

    @Test
    void addedAndRemovedFilesAreNamed() throws Exception {
        Map<String, byte[]> added = entries(Fixtures.bundle(RUN, KEY));
        added.put("results/extra.txt", "x".getBytes(StandardCharsets.UTF_8));
        rejects(Fixtures.rezip(added), "extra file results/extra.txt");
        Map<String, byte[]> removed = entries(Fixtures.bundle(RUN, KEY));
        removed.remove(BundleNames.TELEMETRY);
        rejects(Fixtures.rezip(removed), "missing file telemetry/samples.csv");
        Map<String, byte[]> unsigned = entries(Fixtures.bundle(RUN, KEY));
        unsigned.remove(BundleNames.ATTESTATION);
        rejects(Fixtures.rezip(unsigned), "missing file attestation/bundle.dsse.json");
    }

    @Test
    void anAttestationFromAnotherBundleIsCaught() throws Exception {
        Map<String, byte[]> mine = entries(Fixtures.bundle(RUN, KEY));
        Map<String, byte[]> other = entries(Fixtures.bundle("01a216ef-0000-7000-8000-000000000002", KEY));
        mine.put(BundleNames.ATTESTATION, other.get(BundleNames.ATTESTATION));
        rejects(Fixtures.rezip(mine), "an attestation from another bundle");
        rejects(Fixtures.rezip(mine), "digest mismatch on file manifest.json");
    }

    @Test
    void anUntrustedKeyIsNamed() {
        StationKey other = Fixtures.key("other");
        rejects(Fixtures.bundle(RUN, other), "signed by untrusted key " + other.keyId());
        BundleVerifier both = new BundleVerifier(TrustStore.of(KEY.publicKey(), other.publicKey()), BundleLimits.defaults());
        assertTrue(viaFile(both, Fixtures.bundle(RUN, other)).valid());
    }

    @Test
    void wrongPayloadTypeIsNamed() throws Exception {
        Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
        String env = new String(e.get(BundleNames.ATTESTATION), StandardCharsets.UTF_8);
        e.put(BundleNames.ATTESTATION, env.replace(Dsse.PAYLOAD_TYPE, "application/json").getBytes(StandardCharsets.UTF_8));
        rejects(Fixtures.rezip(e), "payload type is 'application/json'");
    }

    @Test
    void duplicateEntriesAreRefused() throws Exception {
        Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
        RawZip raw = new RawZip();
        e.forEach(raw::add);
        raw.add(BundleNames.SUMMARY, "{\"verdict\":\"PASS\"}".getBytes(StandardCharsets.UTF_8));
        rejects(raw.build(), "duplicate entry 'results/summary.json'");
    }

    @Test
    void unsafeNamesAreRefused() throws Exception {
        for (String[] c : List.of(new String[] {"../../etc/cron.d/x", "'..' component"}, new String[] {"/etc/passwd", "absolute path"},
                new String[] {"results/../../x", "'..' component"}, new String[] {"C:\\x", "absolute path"})) {
            Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
            RawZip raw = new RawZip();
            e.forEach(raw::add);
            raw.add(c[0], new byte[] {1});
            rejects(raw.build(), "unsafe entry name '" + c[0] + "': " + c[1]);
        }
    }

    @Test
    void aCentralDirectoryThatDisagreesIsRefused() throws Exception {
        Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
        RawZip raw = new RawZip();
        e.forEach((n, d) -> {
            if (n.equals(BundleNames.SUMMARY)) {
                raw.addMismatched(n, "results/summary.jsom", d);
            } else {
                raw.add(n, d);
            }
        });
        rejects(raw.build(), "the central directory lists");
    }

    @Test
    void oversizedAndDeeplyNestedJsonAreRefused() throws Exception {
        Map<String, byte[]> big = entries(Fixtures.bundle(RUN, KEY));
        byte[] huge = new byte[9 << 20];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        big.put(BundleNames.ATTESTATION, huge);
        rejects(Fixtures.rezip(big), "attestation/bundle.dsse.json is over the limit of 8388608 bytes"); // refused while inflating

        Map<String, byte[]> deep = entries(Fixtures.bundle(RUN, KEY));
        String nested = "{\"a\":" + "[".repeat(500) + "]".repeat(500) + "}";
        deep.put(BundleNames.ATTESTATION, nested.getBytes(StandardCharsets.UTF_8));
        rejects(Fixtures.rezip(deep), "nests deeper than 32 levels");
    }

    @Test
    void aZipBombIsRefused() throws Exception {
        Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
        e.put("telemetry/samples.csv", new byte[64 << 20]); // 64 MiB of zeros: about 64 KiB compressed
        byte[] bomb = Fixtures.rezip(e);
        assertTrue(bomb.length < 1 << 20);
        BundleVerifier strict = new BundleVerifier(TrustStore.of(KEY.publicKey()), BundleLimits.defaults().withMaxExpandedBytes(16 << 20));
        BundleVerifier.Result r = viaFile(strict, bomb);
        assertFalse(r.valid());
        assertTrue(r.problems().get(0).contains("expands past the limit of 16777216 bytes"), r.problems().toString());
    }

    @Test
    void oneEntryStreamsAsItInflatesAfterTheWholeZipPassedItsChecks() throws Exception {
        byte[] zip = Fixtures.bundle(RUN, KEY);
        BundleReader.Scan scan = BundleReader.scan(zip, BundleLimits.defaults(), java.util.Set.of());
        try (java.io.InputStream in = BundleReader.open(zip, scan, BundleNames.TELEMETRY)) {
            assertArrayEquals(Fixtures.files().get(BundleNames.TELEMETRY), in.readAllBytes(), "the entry's bytes, ending at its end");
        }
        assertNull(BundleReader.open(zip, scan, "telemetry/other.csv"));
        Map<String, byte[]> e = entries(zip);
        e.put("telemetry/samples.csv", new byte[64 << 20]);
        BundleReader.RejectedException refused = assertThrows(BundleReader.RejectedException.class,
                () -> BundleReader.scan(Fixtures.rezip(e), BundleLimits.defaults().withMaxExpandedBytes(16 << 20), java.util.Set.of()));
        assertTrue(refused.getMessage().contains("zip bomb"), refused.getMessage()); // never opened: the scan refuses it first
    }

    @Test
    void garbageIsRefused() {
        rejects("not a zip at all".getBytes(StandardCharsets.UTF_8), "zip");
        rejects(new byte[0], "zip");
    }

    @Test
    void aBombBelowTheAbsoluteCapIsRefusedByItsRatio() throws Exception {
        Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
        e.put("telemetry/samples.csv", new byte[64 << 20]); // 64 MiB of zeros, about a thousand times its compressed size
        byte[] bomb = Fixtures.rezip(e);
        BundleVerifier.Result r = viaFile(new BundleVerifier(TrustStore.of(KEY.publicKey()), BundleLimits.defaults()), bomb);
        assertFalse(r.valid());
        assertTrue(r.problems().get(0).contains("expands more than 100 times its " + bomb.length + " bytes")
                && r.problems().get(0).contains("samples.csv"), r.problems().toString());
    }

    @Test
    void aLargeHonestBundleIsNotABomb() throws Exception {
        // 24 MiB of telemetry that compresses like real samples (a few times, not a thousand)
        StringBuilder csv = new StringBuilder("timestamp,cpu_die_max_celsius,cluster_p0_freq_hertz\n");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        while (csv.length() < 24 << 20) {
            csv.append("2026-11-29T00:00:").append(rnd.nextInt(60)).append("Z,").append(40 + rnd.nextDouble(50)).append(',')
                    .append(rnd.nextLong(600_000_000L, 4_500_000_000L)).append('\n');
        }
        Map<String, byte[]> files = Fixtures.files();
        files.put(BundleNames.TELEMETRY, csv.toString().getBytes(StandardCharsets.UTF_8));
        BundleIdentity id = Fixtures.identity(RUN);
        byte[] zip = BundleWriter.seal(id, files, KEY);
        BundleVerifier.Result r = viaFile(new BundleVerifier(TrustStore.of(KEY.publicKey()), BundleLimits.defaults()), zip);
        assertTrue(r.valid(), r.problems().toString());
        assertEquals(csv.length(), r.files().get(BundleNames.TELEMETRY).length, "the contents are still readable on demand");
    }

    @Test
    void verificationKeepsOnlyTheSmallFilesInMemory() throws Exception {
        Map<String, byte[]> e = entries(Fixtures.bundle(RUN, KEY));
        e.put(BundleNames.MANIFEST, new byte[9 << 20]); // a manifest over the 8 MiB JSON limit is refused while reading
        BundleVerifier.Result r = viaFile(new BundleVerifier(TrustStore.of(KEY.publicKey()), BundleLimits.defaults()), Fixtures.rezip(e));
        assertFalse(r.valid());
        assertTrue(r.problems().get(0).contains("manifest.json is over the limit of 8388608 bytes"), r.problems().toString());
    }

    @Test
    void aBundleFileCutShortOrPointingPastItselfIsRefusedWithItsReason() throws Exception {
        byte[] zip = Fixtures.bundle(RUN, KEY);
        rejects(java.util.Arrays.copyOf(zip, zip.length - 10), "malformed zip"); // the end record cut off
        rejects(java.util.Arrays.copyOf(zip, zip.length / 2), "zip");
        byte[] far = zip.clone();
        int eocd = zip.length - 22; // no comment: the end record is the last 22 bytes
        assertEquals(0x06054b50, java.nio.ByteBuffer.wrap(zip, eocd, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        java.nio.ByteBuffer.wrap(far).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(eocd + 16, zip.length + 1000);
        rejects(far, "the central directory is said to start at " + (zip.length + 1000));
        byte[] zip64 = zip.clone();
        java.nio.ByteBuffer.wrap(zip64).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(eocd + 16, -1);
        rejects(zip64, "a ZIP64 end record");
    }

    @Test
    void aFileThatVanishesIsAProblemNotAThrow() {
        BundleVerifier.Result r = verifier.verify(java.nio.file.Path.of("/nonexistent/kiln/bundle.kiln.zip"));
        assertFalse(r.valid());
        assertTrue(r.problems().getFirst().startsWith("unreadable"), r.problems().toString());
        assertEquals(Map.of(), r.files());
    }
}
