package dev.kiln.core.thermal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.telemetry.ClusterClocks;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The trace reader decodes bytes as the line-and-String reader it replaced did (that reader is kept
 * here as the reference, and both read the same damaged, restated, oddly formatted traces), keeps a
 * trace past its heap budget in a file that no kill can leave behind, and reads it back exactly; the
 * column-wise cluster clocks equal the sample-wise ones; the sliding median equals the sorted one.
 */
class TraceTest {

    /** What the reference reader read: the trace and its damaged lines. */
    record Ref(Trace trace, int damaged) {
    }

    /** The reader before this change, line by line through Strings: the reference. */
    static Ref reference(String csv) throws IOException {
        BufferedReader r = new BufferedReader(new StringReader(csv));
        String header = r.readLine();
        if (header == null || !header.startsWith("timestamp")) {
            throw new IOException("telemetry.csv does not start with a timestamp header");
        }
        String[] names = header.split(",", -1);
        List<Long> t = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        int damaged = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells[0].equals("timestamp")) {
                if (cells.length >= names.length && Arrays.equals(names, Arrays.copyOf(cells, names.length))) {
                    names = cells;
                } else {
                    damaged++;
                }
                continue;
            }
            try {
                if (cells.length != names.length) {
                    throw new NumberFormatException("cell count");
                }
                long ms = Instant.parse(cells[0]).toEpochMilli();
                double[] row = new double[names.length - 1];
                for (int c = 0; c < row.length; c++) {
                    row[c] = cells[c + 1].isEmpty() ? Double.NaN : Double.parseDouble(cells[c + 1]);
                }
                t.add(ms);
                rows.add(row);
            } catch (DateTimeParseException | NumberFormatException e) {
                damaged++;
            }
        }
        Map<String, double[]> cols = new LinkedHashMap<>();
        for (int c = 1; c < names.length; c++) {
            double[] v = new double[rows.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = c - 1 < rows.get(i).length ? rows.get(i)[c - 1] : Double.NaN;
            }
            cols.put(names[c], v);
        }
        return new Ref(new Trace(t.stream().mapToLong(Long::longValue).toArray(), cols), damaged);
    }

    static void assertSame(Ref expected, Trace actual) {
        assertSame(expected.trace(), actual);
        assertEquals(expected.damaged(), actual.damagedLines(), "damaged lines");
    }

    static void assertSame(Trace expected, Trace actual) {
        assertEquals(expected.channels(), actual.channels());
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.millis(i), actual.millis(i), "time of row " + i);
        }
        for (String c : expected.channels()) {
            double[] e = expected.column(c);
            double[] a = actual.column(c);
            for (int i = 0; i < e.length; i++) {
                assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]), c + " row " + i + ": " + e[i] + " vs " + a[i]);
            }
        }
    }

    static Trace read(String csv, long heapBytes) throws IOException {
        return Trace.parse(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), heapBytes);
    }

    @Test
    void numbersAndTimesInEveryFormReadAsParseDoubleAndInstantParseReadThem() throws IOException {
        String[] cells = {"0", "-0", "12", "12.5", "-3.25", "0.1", "0.30000000000000004", "123456789012345", "1234567890123456",
            "99999999999999999999", "1e3", "-2.5E-4", "NaN", "Infinity", "-Infinity", " 7.5", "7.5 ", "+4", ".5", "5.", "1.5d",
            "0.000000000000000000001", "1.0000000000000000000000001", "3.141592653589793", "2400", "80.35", "1.7976931348623157E308",
            "4.9E-324", "x", "1..2", "-", ""};
        String[] times = {"2026-12-01T00:00:00Z", "2026-12-01T00:00:00.5Z", "2026-12-01T00:00:00.123Z", "2026-12-01T00:00:00.123456789Z",
            "2026-12-01T23:59:59.999Z", "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z",
            "2026-12-01t00:00:01z", "1969-12-31T23:59:59.5Z", "2026-12-01T00:00:00+01:00", "2026-12-01T00:00", "2026-12-01T00:00:60Z",
            "2026-12-01T00:00:00.Z", "2026-12-01T00:00:00.1234567890Z", "garbage"};
        StringBuilder csv = new StringBuilder("timestamp,a_celsius,b_watts\n");
        for (String t : times) {
            for (String c : cells) {
                csv.append(t).append(',').append(c).append(',').append(c.isEmpty() ? "1" : c).append('\n');
            }
        }
        assertSame(reference(csv.toString()), read(csv.toString(), Trace.HEAP_BUDGET_BYTES));
        assertSame(reference(csv.toString()), read(csv.toString(), 0));
    }

    @Test
    void damagedRestatedAndOddlyEndedLinesReadAsTheLineReaderReadThem() throws IOException {
        String t0 = "2026-12-01T00:00:0";
        String csv = "timestamp,a_celsius\r\n"
                + t0 + "0Z,40\r\n"
                + "\n"
                + t0 + "1Z,41,9\n" // too many cells
                + t0 + "2Z\n" // too few
                + "timestamp,b_celsius,c_rpm\n" // a restated header that does not start with the columns so far: damaged
                + "timestamp,a_celsius,c_rpm\n" // restated with a new channel
                + t0 + "3Z,42,1200\r" // a lone CR ends a line too
                + t0 + "4Z,,1300\n"
                + t0 + "5Z,4"; // torn: the last line, no end, one cell short
        Ref ref = reference(csv);
        Trace got = read(csv, Trace.HEAP_BUDGET_BYTES);
        assertSame(ref, got);
        assertEquals(3, got.size());
        assertEquals(4, got.damagedLines(), "two wrong cell counts, a header that is not a restatement, the torn line");
        assertEquals(4, got.firstDamagedLine(), "line numbers count every line, the empty one too");
        assertTrue(Double.isNaN(got.column("c_rpm")[0]), "before the channel appeared");
        assertSame(ref, read(csv, 0));
        assertThrows(IOException.class, () -> read("time,a\n", 0));
        assertThrows(IOException.class, () -> read("", 0));
    }

    @Test
    void chunksDecodedOnManyThreadsHandTheRowsOnAsOneReaderWould() throws IOException {
        // chunk sizes that cut everywhere: inside a line, at a CR before its LF, at a restated header, at the torn end
        String odd = "timestamp,a_celsius\r\n2026-12-01T00:00:00Z,40\r\n\n2026-12-01T00:00:01Z,41,9\n"
                + "timestamp,a_celsius,c_rpm\n2026-12-01T00:00:03Z,42,1200\r2026-12-01T00:00:04Z,,1300\n"
                + "timestamp,b\n2026-12-01T00:00:05Z,x,1\n2026-12-01T00:00:06Z,43,1400\n2026-12-01T00:00:07Z,4";
        String big = synthetic(3000, 5, 9);
        for (String csv : List.of(odd, big)) {
            Ref ref = reference(csv);
            for (int chunk : new int[] {1, 7, 37, 1000, 1 << 20}) {
                for (int threads : new int[] {1, 3}) {
                    try (Trace t = Trace.parse(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), Trace.HEAP_BUDGET_BYTES, chunk,
                            threads)) {
                        assertSame(ref, t);
                    }
                }
            }
        }
        Trace t = Trace.parse(new ByteArrayInputStream(odd.getBytes(StandardCharsets.UTF_8)), Trace.HEAP_BUDGET_BYTES, 7, 3);
        assertEquals(List.of(4, 9), List.of(t.firstDamagedLine(), t.damagedLines() + 5), "line numbers as the line reader counts them");
    }

    @Test
    void aLineLongerThanTheReadBufferAndACrAtTheBufferEdgeReadWhole() throws IOException {
        int width = 20_000; // ~160 KB a line, past the 64 KiB buffer
        StringBuilder csv = new StringBuilder("timestamp");
        for (int c = 0; c < width; c++) {
            csv.append(",t").append(c).append("_celsius");
        }
        csv.append("\r\n");
        for (int i = 0; i < 5; i++) {
            csv.append(Instant.parse("2026-12-01T00:00:00Z").plusSeconds(i));
            for (int c = 0; c < width; c++) {
                csv.append(',').append(40 + (c + i) % 50).append('.').append(c % 10);
            }
            csv.append("\r\n");
        }
        assertSame(reference(csv.toString()), read(csv.toString(), Trace.HEAP_BUDGET_BYTES));
    }

    /** A 1 Hz trace of {@code rows} with a channel appearing a third of the way in, as text. */
    static String synthetic(int rows, int channels, long seed) {
        Random r = new Random(seed);
        StringBuilder csv = new StringBuilder("timestamp");
        for (int c = 0; c < channels; c++) {
            csv.append(",s").append(c).append("_celsius");
        }
        csv.append('\n');
        Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
        for (int i = 0; i < rows; i++) {
            if (i == rows / 3) {
                csv.append("timestamp");
                for (int c = 0; c < channels; c++) {
                    csv.append(",s").append(c).append("_celsius");
                }
                csv.append(",late_rpm\n");
            }
            csv.append(t0.plusSeconds(i));
            for (int c = 0; c < channels; c++) {
                csv.append(',');
                if (r.nextInt(50) != 0) {
                    csv.append(String.format(Locale.ROOT, "%.2f", 30 + r.nextDouble() * 60));
                }
            }
            if (i >= rows / 3) {
                csv.append(',').append(1000 + i);
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    @Test
    void aTracePastItsHeapBudgetGoesToAFileThatIsGoneWhileItIsReadAndReadsBackTheSame() throws IOException {
        String csv = synthetic(3 * Trace.BLOCK_ROWS + 123, 7, 1);
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = kilnFiles(tmp);
        Trace heap = read(csv, Trace.HEAP_BUDGET_BYTES);
        assertFalse(heap.spilled());
        try (Trace spilled = read(csv, 0)) {
            assertTrue(spilled.spilled());
            assertEquals(before, kilnFiles(tmp), "the file is unlinked as soon as it is opened: a kill leaves nothing behind");
            assertSame(heap, spilled);
            assertSame(reference(csv), spilled);
            assertArrayEquals(Arrays.copyOfRange(heap.column("late_rpm"), 4000, 9000), spilled.column("late_rpm", 4000, 9000));
            assertEquals(heap.sample(5000), spilled.sample(5000));
            assertNull(spilled.column("nothing"));
        }
    }

    @Test
    void aClosedSpilledTraceRefusesToBeReadRatherThanReadingFreedMemory() throws IOException {
        Trace t = read(synthetic(100, 2, 2), 0);
        t.close();
        assertThrows(IllegalStateException.class, () -> t.column("s0_celsius"));
    }

    private static List<Path> kilnFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("kiln-trace-")).sorted().toList();
        }
    }

    @Test
    void clusterClocksColumnByColumnEqualThemSampleBySample() throws IOException {
        // macOS keys that come and go (the tiers are each sample's own), a top-of-table channel, an active ratio that is
        // missing at times, a 0 Hz idle cluster; Linux CPUs in two clusters, some idle, some unread
        Random r = new Random(7);
        StringBuilder csv = new StringBuilder("timestamp,cluster_p0_freq_hertz,cluster_p0_active_ratio,cluster_p1_freq_hertz,"
                + "cluster_p1_active_ratio,cluster_e_freq_hertz,cluster_e_active_ratio,cluster_e_top_freq_hertz,cpu0_freq_hertz,"
                + "cpu1_freq_hertz,cpu2_freq_hertz,cpu3_freq_hertz\n");
        Instant t0 = Instant.parse("2026-12-01T00:00:00Z");
        for (int i = 0; i < 600; i++) {
            csv.append(t0.plusSeconds(i));
            for (int c = 0; c < 11; c++) {
                csv.append(',');
                int roll = r.nextInt(10);
                if (roll == 0) {
                    continue; // unread
                }
                boolean ratio = c == 1 || c == 3 || c == 5;
                csv.append(ratio ? String.format(Locale.ROOT, "%.2f", r.nextDouble()) : roll == 1 ? "0" : String.valueOf(1_000_000_000L
                        + r.nextInt(3) * 1_000_000_000L));
            }
            csv.append('\n');
        }
        Map<Integer, String> clusters = Map.of(0, "performance", 1, "performance", 2, "efficiency", 3, "efficiency");
        for (long budget : new long[] {Trace.HEAP_BUDGET_BYTES, 0}) {
            try (Trace t = read(csv.toString(), budget)) {
                Map<String, double[]> read = new java.util.TreeMap<>();
                Map<String, double[]> busy = new java.util.TreeMap<>();
                Map<String, String> kinds = new LinkedHashMap<>();
                for (int i = 0; i < t.size(); i++) {
                    for (ClusterClocks.Reading x : ClusterClocks.readings(t.sample(i), clusters)) {
                        int row = i;
                        read.computeIfAbsent(x.cluster(), k -> nan(t.size()))[row] = x.hertz();
                        double[] b = busy.computeIfAbsent(x.cluster(), k -> nan(t.size()));
                        if (x.loaded()) {
                            b[row] = x.hertz();
                        }
                        kinds.put(x.cluster(), x.kind());
                    }
                }
                List<String> order = new ArrayList<>();
                ClusterClocks.series(t.channels(), t::column, t.size(), clusters, s -> {
                    order.add(s.cluster());
                    assertArrayEquals(read.get(s.cluster()), s.read(), s.cluster());
                    assertArrayEquals(busy.get(s.cluster()), s.busy(), s.cluster());
                    assertEquals(kinds.get(s.cluster()), s.kind(), s.cluster());
                });
                assertEquals(new ArrayList<>(read.keySet()), order);
                assertTrue(order.containsAll(List.of("p0", "p1", "e", "performance", "efficiency")), order.toString());
            }
        }
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }

    @Test
    void theSlidingMedianEqualsTheMedianOfEachWindowSorted() {
        Random r = new Random(3);
        for (int k : new int[] {1, 2, 5, 8}) {
            double[] v = new double[2000];
            for (int i = 0; i < v.length; i++) {
                int roll = r.nextInt(20);
                v[i] = roll == 0 ? Double.NaN : roll == 1 ? 50 : roll == 2 ? -0.0 : roll == 3 ? 0.0 : Math.round(r.nextDouble() * 100) / 4.0;
            }
            double[] got = ThermalJudge.runningMedian(v, k);
            for (int i = 0; i < v.length; i++) {
                double[] w = ThermalJudge.finite(v, Math.max(0, i - k + 1), i + 1);
                double want = Double.isNaN(v[i]) || w.length == 0 ? Double.NaN : ThermalJudge.median(w);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got[i]), "k " + k + " at " + i);
            }
        }
    }

    @Test
    void theSustainedMaximumIsTheLargestMinimumOfEveryWholeWindow() {
        Random r = new Random(5);
        for (int round = 0; round < 300; round++) {
            double[] v = new double[1 + r.nextInt(300)];
            for (int i = 0; i < v.length; i++) {
                int roll = r.nextInt(15);
                v[i] = roll == 0 ? Double.NaN : roll == 1 ? -0.0 : roll == 2 ? 0.0 : r.nextInt(40);
            }
            int k = 1 + r.nextInt(9);
            int from = r.nextInt(v.length);
            int to = from + r.nextInt(v.length - from + 1);
            double want = Double.NaN;
            for (int i = from; i + k <= to; i++) { // the definition, window by window
                double min = Double.POSITIVE_INFINITY;
                for (int j = i; j < i + k; j++) {
                    min = Double.isNaN(v[j]) || Double.isNaN(min) ? Double.NaN : Math.min(min, v[j]);
                }
                if (!Double.isNaN(min)) {
                    want = Double.isNaN(want) ? min : Math.max(want, min);
                }
            }
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(ThermalJudge.sustainedMax(v, from, to, k)),
                    "round " + round + " k " + k);
        }
    }

    @Test
    void theJudgesMeanIsTheStreamsAverageToTheLastBit() {
        Random r = new Random(11);
        for (int round = 0; round < 200; round++) {
            double[] v = new double[1 + r.nextInt(500)];
            for (int i = 0; i < v.length; i++) {
                int roll = r.nextInt(40);
                v[i] = roll == 0 ? Double.NaN : roll == 1 ? Double.POSITIVE_INFINITY : roll == 2 ? 1e300 : r.nextGaussian() * 1e6 + 0.1;
            }
            double[] f = ThermalJudge.finite(v, 0, v.length);
            double want = f.length == 0 ? Double.NaN : Arrays.stream(f).average().getAsDouble();
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(ThermalJudge.average(v, 0, v.length, true)));
            double all = Arrays.stream(v).average().getAsDouble();
            assertEquals(Double.doubleToLongBits(all), Double.doubleToLongBits(ThermalJudge.average(v, 0, v.length, false)), "any NaN is NaN");
        }
    }

    @Test
    void aStreamThatFailsMidwayIsAnErrorAndLeavesNoFile() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = kilnFiles(tmp);
        InputStream failing = new InputStream() {
            // past two blocks, with no heap budget: the spill file exists when the disk goes away
            final byte[] head = synthetic(2 * Trace.BLOCK_ROWS + 50, 3, 4).getBytes(StandardCharsets.UTF_8);
            int at;

            @Override
            public int read() throws IOException {
                if (at == head.length) {
                    throw new IOException("the disk went away");
                }
                return head[at++] & 0xff;
            }
        };
        IOException e = assertThrows(IOException.class, () -> Trace.parse(failing, 0));
        assertEquals("the disk went away", e.getMessage());
        assertEquals(before, kilnFiles(tmp), "the spill file of a failed read is gone");
    }

    @Test
    void aFullDiskWhileTheValuesSpillIsAnErrorNamingTheFileAndWhatTheSystemSaid() throws IOException {
        // /dev/full: every write fails in the kernel with ENOSPC, as a full disk's would
        Path full = Path.of("/dev/full");
        Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full on this system");
        byte[] csv = synthetic(3 * Trace.BLOCK_ROWS + 50, 3, 4).getBytes(StandardCharsets.UTF_8);
        for (int threads : new int[] {1, 2}) {
            FileChannel[] opened = {null};
            IOException e = assertThrows(Trace.SpillFailed.class, () -> Trace.parse(new ByteArrayInputStream(csv), 0, 4096, threads, () -> {
                opened[0] = FileChannel.open(full, StandardOpenOption.READ, StandardOpenOption.WRITE);
                return new Trace.SpillFile(opened[0], full.toString());
            }));
            assertEquals("cannot write the trace's temporary file /dev/full: No space left on device", e.getMessage(), "threads " + threads);
            assertFalse(opened[0].isOpen(), "the spill file is closed once the read failed");
        }
    }

    @Test
    void aSpillFileThatCannotBeCreatedIsAnErrorNamingTheDirectory() {
        byte[] csv = synthetic(2 * Trace.BLOCK_ROWS + 50, 3, 4).getBytes(StandardCharsets.UTF_8);
        IOException e = assertThrows(Trace.SpillFailed.class, () -> Trace.parse(new ByteArrayInputStream(csv), 0, 4096, 1, () -> {
            throw new IOException("No space left on device");
        }));
        assertEquals("cannot create the trace's temporary file in " + System.getProperty("java.io.tmpdir") + ": No space left on device", e.getMessage());
    }

    @Test
    void theTemporarySpillFileIsGoneFromItsDirectoryWhileItIsWritten() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = kilnFiles(tmp);
        Trace.SpillFile f = Trace.SpillFile.temporary();
        try (FileChannel ch = f.channel()) {
            assertTrue(f.name().startsWith(tmp.resolve("kiln-trace-").toString()) && f.name().endsWith(".columns (unlinked)"), f.name());
            assertEquals(before, kilnFiles(tmp), "unlinked as soon as opened");
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertEquals(3, ch.size());
        }
    }

    /** The spill's compact columns give back every value to the bit, whatever the column holds, and take the room they say. */
    @Test
    void compactSpillColumnsGiveBackEveryValueToTheBit() {
        Random r = new Random(28);
        int rows = Trace.BLOCK_ROWS;
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(rows * Double.BYTES).order(java.nio.ByteOrder.nativeOrder());
        long[] m = new long[rows];
        long[] bases = new long[1];
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (int trial = 0; trial < 400; trial++) {
            int form = trial % 10;
            int n = rows - r.nextInt(rows / 2); // a block's rows, not always full
            double[] col = new double[rows];
            for (int i = 0; i < rows; i++) {
                col[i] = switch (form) {
                    case 0 -> Double.parseDouble(String.format(Locale.ROOT, "%.2f", 40 + r.nextDouble() * 60)); // temperatures
                    case 1 -> r.nextBoolean() ? 3_200_000_000d : 0; // clocks
                    case 2 -> Double.parseDouble(String.format(Locale.ROOT, "%.3f", r.nextDouble())); // ratios
                    case 3 -> i % 7 == 0 ? Double.NaN : -r.nextInt(100_000) / 10.0; // negatives and gaps
                    case 4 -> Double.parseDouble(String.format(Locale.ROOT, "%.1f", r.nextDouble() * 1e8)); // too wide for 16 bits
                    case 5 -> r.nextDouble() * 1e12; // every digit a double has: as doubles
                    case 6 -> i == rows / 2 ? -0.0 : 25.5; // -0.0 is not 0 / 10^s
                    case 7 -> i == n - 1 ? Double.POSITIVE_INFINITY : 1.5; // an infinity at the very end
                    case 8 -> Double.NaN; // a channel not read at all
                    default -> Double.parseDouble(r.nextInt(1000) + "e" + (r.nextInt(40) - 20)); // exponents
                };
            }
            buf.clear();
            int how = Trace.Compact.encode(col, n, r.nextInt(4), m, buf, bases, 0);
            byte kind = (byte) (how & 0xff);
            byte scale = (byte) (how >> 8);
            kinds.merge(form + ":" + kind, 1, Integer::sum);
            assertEquals(n * (kind == Trace.Compact.I16 ? 2 : kind == Trace.Compact.I32 ? 4 : 8), buf.position(), "form " + form);
            buf.flip();
            java.lang.foreign.MemorySegment seg = java.lang.foreign.MemorySegment.ofBuffer(buf);
            int from = r.nextInt(n);
            double[] out = new double[n - from + 3];
            Trace.Compact.read(seg, 0, kind, scale, bases[0], from, out, 3, n - from);
            for (int i = from; i < n; i++) {
                assertEquals(Double.doubleToRawLongBits(col[i]), Double.doubleToRawLongBits(out[3 + i - from]),
                        "form " + form + ", kind " + kind + ", scale " + scale + ", row " + i + ": " + col[i] + " read back as " + out[3 + i - from]);
            }
        }
        // the room each form took: the sampler's decimals in two bytes, what is not decimal as doubles
        assertEquals(Map.of("0:1", 40, "1:2", 40, "2:1", 40, "3:2", 40, "4:2", 40, "5:0", 40, "6:0", 40, "7:0", 40, "8:1", 40, "9:0", 40), kinds);
    }
}
