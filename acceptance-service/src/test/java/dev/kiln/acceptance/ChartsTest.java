package dev.kiln.acceptance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server-side charts: min and max per pixel column, gaps, restated headers, hostile names. */
class ChartsTest {
    private static String trace(int seconds, String header, java.util.function.IntFunction<String> row) {
        StringBuilder b = new StringBuilder(header).append('\n');
        Instant t0 = Instant.parse("2026-11-29T00:00:00Z");
        for (int i = 0; i < seconds; i++) {
            b.append(t0.plusSeconds(i)).append(',').append(row.apply(i)).append('\n');
        }
        return b.toString();
    }

    @Test
    void aOneSecondSpikeInADayIsStillDrawnAndTheAxisReachesIt() throws Exception {
        String csv = trace(86_400, "timestamp,cpu_celsius,fan_rpm", i -> (i == 50_000 ? "104" : "60") + ",1500");
        Charts.Drawn d = Charts.draw(csv.getBytes(StandardCharsets.UTF_8), List.of());
        assertEquals(86_400, d.samples());
        Charts.Chart temps = d.charts().get(0);
        assertEquals("Temperatures", temps.title());
        assertTrue(temps.svg().contains("104 °C"), "the maximum, not an average that hides the spike: " + temps.svg().substring(0, 300));
        // 720 columns, each drawn as max then min: the path stays small for a whole day
        assertTrue(temps.svg().length() < 30_000, "bytes: " + temps.svg().length());
    }

    @Test
    void anHourWithoutSamplesIsAGapNotALine() throws Exception {
        String csv = trace(3 * 3600, "timestamp,cpu_celsius", i -> i >= 3600 && i < 7200 ? "" : "60");
        String d = path(Charts.draw(csv.getBytes(StandardCharsets.UTF_8), List.of()).charts().get(0).svg());
        assertEquals(2, d.chars().filter(c -> c == 'M').count(), "the pen lifts once, across the hour of unknowns: " + d.substring(0, 80));
    }

    private static String path(String svg) {
        String d = svg.substring(svg.indexOf(" d=\"") + 4);
        return d.substring(0, d.indexOf('"'));
    }

    @Test
    void aShortRunWithFewerSamplesThanPixelsIsOneLine() throws Exception {
        String csv = trace(4, "timestamp,cpu_celsius", i -> "6" + i);
        String d = path(Charts.draw(csv.getBytes(StandardCharsets.UTF_8), List.of()).charts().get(0).svg());
        assertEquals(1, d.chars().filter(c -> c == 'M').count(), "4 samples 240 pixels apart, joined: " + d);
        assertTrue(d.contains("L719,"), "to the last column: " + d);
    }

    @Test
    void restatedHeadersDamagedLinesAndHostileNames() throws Exception {
        String csv = "timestamp,a_celsius\n2026-11-29T00:00:00Z,50\nnot a line\ntimestamp,a_celsius,x<script>_watts\n"
                + "2026-11-29T00:00:01Z,51,7\n2026-11-29T00:00:02Z,52,8\n";
        Charts.Drawn d = Charts.draw(csv.getBytes(StandardCharsets.UTF_8), List.of(new Charts.Span("<b>cpu</b>",
                Instant.parse("2026-11-29T00:00:00Z"), Instant.parse("2026-11-29T00:00:02Z"))));
        assertEquals(3, d.samples());
        assertEquals(1, d.damagedLines());
        assertEquals(List.of("Temperatures", "Power"), d.charts().stream().map(Charts.Chart::title).toList());
        String power = d.charts().get(1).svg();
        assertTrue(power.contains("data-channel=\"x&lt;script&gt;_watts\"") && !power.contains("<script>"), power);
        assertTrue(power.contains("&lt;b&gt;cpu&lt;/b&gt;"), "a stage's name is text");
    }

    /**
     * A signed bundle whose telemetry header names 200,000 temperature channels: once two 720-entry
     * arrays each before the 24-series cap (2.3 GB for one page view); now the first few are kept and
     * the rest counted.
     */
    @Test
    void aHeaderOfAMillionChannelsCostsWhatAFewDo() throws Exception {
        int n = 200_000;
        StringBuilder csv = new StringBuilder("timestamp");
        for (int i = 0; i < n; i++) {
            csv.append(",t").append(i).append("_celsius");
        }
        csv.append("\n2026-11-29T00:00:00Z").append(",40".repeat(n)).append("\n2026-11-29T00:00:01Z").append(",41".repeat(n)).append('\n');
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Charts.Drawn d = Charts.draw(bytes, List.of());
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertEquals(1, d.charts().size());
        assertEquals(Charts.MAX_SERIES, d.charts().get(0).series().size());
        assertEquals(n - Charts.MAX_SERIES, d.charts().get(0).notDrawn(), "every channel not drawn is counted");
        assertEquals(n, d.channels());
        assertTrue(allocated < 20L * bytes.length + (64L << 20), "allocated " + (allocated >> 20) + " MiB for a " + (bytes.length >> 20)
                + " MiB trace (it was 2.3 GB of arrays)");
    }

    @Test
    void numbersAndTimesParsedInPlaceAgreeWithTheJdk() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int k = 0; k < 20_000; k++) {
            double v = (r.nextBoolean() ? -1 : 1) * Math.pow(10, r.nextInt(-6, 12)) * r.nextDouble();
            for (String text : List.of(Double.toString(v), String.format(java.util.Locale.ROOT, "%.4g", v), Long.toString((long) v),
                    String.format(java.util.Locale.ROOT, "%.3e", v).replace("e", "E"))) {
                byte[] b = ("x," + text + ",y").getBytes(StandardCharsets.US_ASCII);
                double fast = Charts.number(b, 2, 2 + text.length());
                double slow = Double.parseDouble(text);
                assertEquals(slow, fast, Math.abs(slow) * 1e-12 + 1e-300, text);
            }
        }
        for (String bad : List.of("", "-", "1e", "abc", "1.2.3", "0x10", "1,5")) {
            byte[] b = bad.getBytes(StandardCharsets.US_ASCII);
            assertTrue(Double.isNaN(Charts.number(b, 0, b.length)), "not a number: '" + bad + "'");
        }
        for (int k = 0; k < 5_000; k++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(0, 4_000_000_000L), r.nextInt(1_000_000_000));
            String text = t.toString();
            byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            assertEquals(t.toEpochMilli(), Charts.time(b, 0, b.length), text);
        }
        for (String bad : List.of("2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-29 00:00:00Z", "garbage", "2026-11-29T00:00:00")) {
            byte[] b = bad.getBytes(StandardCharsets.US_ASCII);
            assertEquals(Long.MIN_VALUE, Charts.time(b, 0, b.length), bad);
        }
    }
}
