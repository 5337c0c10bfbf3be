package dev.kiln.core.thermal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's telemetry as the judge reads it: {@code telemetry.csv} as the sampler writes it (a
 * {@code timestamp} column, then one column per channel; an empty cell is an unknown value, NaN here).
 * The same reader serves the live judge and {@code kiln judge} on a sealed bundle.
 */
public final class Trace {
    private final long[] millis;
    private final Map<String, double[]> columns;
    private final int damaged;
    private final int firstDamaged;

    public Trace(long[] millis, Map<String, double[]> columns) {
        this(millis.clone(), columns, 0, 0);
    }

    private Trace(long[] millis, Map<String, double[]> columns, int damaged, int firstDamaged) {
        this.millis = millis;
        this.columns = new LinkedHashMap<>(columns);
        this.damaged = damaged;
        this.firstDamaged = firstDamaged;
        for (Map.Entry<String, double[]> c : columns.entrySet()) {
            if (c.getValue().length != millis.length) {
                throw new IllegalArgumentException("channel " + c.getKey() + " has " + c.getValue().length + " values for "
                        + millis.length + " samples");
            }
        }
    }

    /** What a streaming read of the CSV hands on, line by line, holding only the line in hand. */
    public interface Rows {
        /** The channels, in column order: at the start, and again with the new ones last when the header is restated. */
        void columns(String[] channels);

        /** One sample: its time and a value per channel so far (NaN unknown); the array is reused for the next row. */
        void row(long millis, double[] values);

        /** A line that did not parse, skipped. */
        default void damaged(int lineNo) {
        }
    }

    /**
     * Reads CSV text one line at a time, handing each on to {@code rows} and keeping none: memory
     * does not grow with the trace. A line that does not parse (torn by a kill, or by a disk that
     * filled mid-write) is skipped and reported; the rest of the trace still stands.
     *
     * @throws IOException when the header is missing or the reader fails
     */
    public static void read(Reader in, Rows rows) throws IOException {
        BufferedReader r = new BufferedReader(in);
        String header = r.readLine();
        if (header == null || !header.startsWith("timestamp")) {
            throw new IOException("telemetry.csv does not start with a timestamp header");
        }
        String[] names = header.split(",", -1);
        int width = names.length - 1;
        rows.columns(Arrays.copyOfRange(names, 1, names.length));
        double[] row = new double[width];
        int lineNo = 1;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells[0].equals("timestamp")) {
                // the header restated with channels that appeared later: the columns so far, then the new ones
                if (cells.length >= names.length && Arrays.equals(names, Arrays.copyOf(cells, names.length))) {
                    names = cells;
                    width = cells.length - 1;
                    row = new double[width];
                    rows.columns(Arrays.copyOfRange(names, 1, names.length));
                } else {
                    rows.damaged(lineNo);
                }
                continue;
            }
            long ms;
            try {
                if (cells.length != names.length) {
                    throw new NumberFormatException("cell count");
                }
                ms = Instant.parse(cells[0]).toEpochMilli();
                for (int c = 0; c < width; c++) {
                    row[c] = cells[c + 1].isEmpty() ? Double.NaN : Double.parseDouble(cells[c + 1]);
                }
            } catch (DateTimeParseException | NumberFormatException e) {
                rows.damaged(lineNo);
                continue;
            }
            rows.row(ms, row);
        }
    }

    /**
     * Reads CSV text into the columns ({@link #read}); lines that do not parse are skipped and
     * counted ({@link #damagedLines()}), and the judge says what was skipped.
     *
     * @throws IOException when the header is missing or the reader fails
     */
    public static Trace parse(Reader in) throws IOException {
        Columns c = new Columns();
        read(in, c);
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int i = 0; i < c.names.length; i++) {
            out.put(c.names[i], Arrays.copyOf(c.cols[i], c.n));
        }
        return new Trace(Arrays.copyOf(c.t, c.n), out, c.damaged, c.firstDamaged);
    }

    /** The rows of a read gathered into columns. */
    private static final class Columns implements Rows {
        String[] names = new String[0];
        long[] t = new long[1024];
        double[][] cols = new double[0][];
        int n;
        int damaged;
        int firstDamaged;

        @Override
        public void columns(String[] channels) {
            int width = names.length;
            cols = Arrays.copyOf(cols, channels.length);
            for (int c = width; c < channels.length; c++) {
                cols[c] = new double[t.length];
                Arrays.fill(cols[c], 0, n, Double.NaN); // unknown before the channel appeared
            }
            names = channels;
        }

        @Override
        public void row(long millis, double[] values) {
            if (n == t.length) {
                t = Arrays.copyOf(t, n * 2);
                for (int c = 0; c < cols.length; c++) {
                    cols[c] = Arrays.copyOf(cols[c], n * 2);
                }
            }
            t[n] = millis;
            for (int c = 0; c < cols.length; c++) {
                cols[c][n] = values[c];
            }
            n++;
        }

        @Override
        public void damaged(int lineNo) {
            damaged++;
            firstDamaged = firstDamaged == 0 ? lineNo : firstDamaged;
        }
    }

    /** Lines of the CSV that did not parse and were skipped. */
    public int damagedLines() {
        return damaged;
    }

    /** The line number of the first one (0 when none). */
    public int firstDamagedLine() {
        return firstDamaged;
    }

    public static Trace parse(String csv) {
        try {
            return parse(new StringReader(csv));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    public int size() {
        return millis.length;
    }

    public long millis(int i) {
        return millis[i];
    }

    public List<String> channels() {
        return List.copyOf(columns.keySet());
    }

    /** The channel's values (NaN where unknown); null when the trace has no such column. */
    public double[] column(String channel) {
        return columns.get(channel);
    }

    /** Sample {@code i} as a map of the channels that had a value. */
    public Map<String, Double> sample(int i) {
        Map<String, Double> m = new LinkedHashMap<>();
        columns.forEach((k, v) -> {
            if (!Double.isNaN(v[i])) {
                m.put(k, v[i]);
            }
        });
        return m;
    }

    /** Index of the first sample at or after {@code t} ({@code size()} when none). */
    public int indexAt(Instant t) {
        long ms = t.toEpochMilli();
        int lo = 0;
        int hi = millis.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (millis[mid] < ms) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The sampling interval: the median gap between samples, in seconds (1 when fewer than two). */
    public double intervalSeconds() {
        if (millis.length < 2) {
            return 1;
        }
        long[] gaps = new long[millis.length - 1];
        for (int i = 1; i < millis.length; i++) {
            gaps[i - 1] = millis[i] - millis[i - 1];
        }
        Arrays.sort(gaps);
        return Math.max(1e-3, gaps[gaps.length / 2] / 1000.0);
    }
}
