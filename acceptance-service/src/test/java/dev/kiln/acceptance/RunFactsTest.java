package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.bundle.StationKey;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the dashboard indexes of a bundle, read from the bundle's own files. */
class RunFactsTest {
    @Test
    void theRunItsSuitesItsFailuresWithTheirPlaceAndItsHottestMoment() {
        StationKey key = StationKey.generate();
        String run = TestBundles.newRunId();
        byte[] b = TestBundles.rich(new TestBundles.Spec(run, "C02F1", "FAIL", "m4max-64g", "Mac16,5", Instant.parse("2026-11-28T10:00:00Z"), 1200, 8,
                List.<String[]>of(new String[] {"memory", "memory-miscompare", "bit 5 flipped at 0x7f3a00", "0x7f3a00"})), key);
        RunFacts f = RunFacts.of(b);
        assertEquals("standard", f.profile());
        assertEquals("m4max-64g", f.sku());
        assertEquals("Mac16,5", f.model());
        assertEquals(1200.0, f.durationS());
        assertEquals(List.of("cpu", "memory", "gpu"), f.suites().stream().map(RunFacts.Suite::id).toList());
        assertEquals("SKIPPED", f.suites().get(2).outcome());
        assertEquals(1, f.failureCount());
        assertEquals("address 0x7f3a00 · phase each-core", f.failures().get(0).location());
        assertEquals(85.0, f.maxCelsius(), 0.5, "55 + 30 at the sine's top");
        assertEquals(60.0, f.maxWatts(), 0.5);
        assertEquals(List.of(), f.missing());
    }

    @Test
    void maximaSurviveRestatedHeadersAndDamage() throws Exception {
        String csv = "timestamp,a_celsius\n2026-11-29T00:00:00Z,50\ngarbage\n2026-11-29T00:00:01Z,x\ntimestamp,a_celsius,b_watts,c_celsius\n"
                + "2026-11-29T00:00:02Z,51,7.5,99.5\n2026-11-29T00:00:03Z,,8,\n";
        double[] m = RunFacts.maxima(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        assertEquals(99.5, m[0]);
        assertEquals(8.0, m[1]);
        double[] none = RunFacts.maxima(new ByteArrayInputStream("timestamp,cpu_load_ratio\n2026-11-29T00:00:00Z,1\n".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Double.isNaN(none[0]) && Double.isNaN(none[1]));
    }

    @Test
    void aBundleWithoutTelemetryOrWithGarbageSaysWhatIsMissing() {
        StationKey key = StationKey.generate();
        String run = TestBundles.newRunId();
        RunFacts f = RunFacts.of(TestBundles.bundle(run, "C02X", "PASS", key));
        assertEquals(List.of(), f.suites(), "a summary without suites");
        assertEquals(null, f.maxCelsius());
        assertTrue(f.missing().isEmpty() || f.missing().stream().noneMatch(m -> m.contains("manifest")), f.missing().toString());
        RunFacts garbage = RunFacts.of("not a zip".getBytes(StandardCharsets.UTF_8));
        assertTrue(garbage.missing().contains("manifest.json") && garbage.missing().contains("telemetry/samples.csv"), garbage.missing().toString());
    }

    /** A summary of 200 MiB (signed bundles may expand to 2 GiB): said, not read; what is allocated stays near the cap, not the file. */
    @org.junit.jupiter.api.Test
    void aHugeSummaryIsSaidNotRead() throws Exception {
        java.io.ByteArrayOutputStream zip = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(zip)) {
            z.setLevel(9);
            z.putNextEntry(new java.util.zip.ZipEntry("results/summary.json"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 200; i++) {
                z.write(spaces);
            }
            z.write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            z.closeEntry();
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        RunFacts f = RunFacts.of(zip.toByteArray());
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        org.junit.jupiter.api.Assertions.assertTrue(f.missing().contains("results/summary.json is over 32 MiB: not read"), f.missing().toString());
        org.junit.jupiter.api.Assertions.assertTrue(allocated < 100L << 20, "allocated " + (allocated >> 20) + " MiB for a 200 MiB summary");
    }
}
