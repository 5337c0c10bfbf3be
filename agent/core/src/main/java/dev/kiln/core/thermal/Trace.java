package dev.kiln.core.thermal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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

    public Trace(long[] millis, Map<String, double[]> columns) {
        this.millis = millis.clone();
        this.columns = new LinkedHashMap<>(columns);
        for (Map.Entry<String, double[]> c : columns.entrySet()) {
            if (c.getValue().length != millis.length) {
                throw new IllegalArgumentException("channel " + c.getKey() + " has " + c.getValue().length + " values for "
                        + millis.length + " samples");
            }
        }
    }

    /**
     * Reads CSV text. A torn last line (a run killed mid-write) is dropped; any other malformed line
     * is an error naming its line number.
     */
    public static Trace parse(Reader in) throws IOException {
        BufferedReader r = new BufferedReader(in);
        String header = r.readLine();
        if (header == null || !header.startsWith("timestamp")) {
            throw new IOException("telemetry.csv does not start with a timestamp header");
        }
        String[] names = header.split(",", -1);
        List<String[]> rows = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        long[] t = new long[lines.size()];
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            boolean last = i == lines.size() - 1;
            try {
                if (cells.length != names.length) {
                    throw new IOException("has " + cells.length + " cells, the header " + names.length);
                }
                t[n] = Instant.parse(cells[0]).toEpochMilli();
                for (int c = 1; c < cells.length; c++) {
                    if (!cells[c].isEmpty()) {
                        Double.parseDouble(cells[c]);
                    }
                }
            } catch (IOException | DateTimeParseException | NumberFormatException e) {
                if (last) {
                    break; // torn by a kill: what came before stands
                }
                throw new IOException("telemetry.csv line " + (i + 2) + " is malformed: " + e.getMessage());
            }
            rows.add(cells);
            n++;
        }
        Map<String, double[]> cols = new LinkedHashMap<>();
        for (int c = 1; c < names.length; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                String cell = rows.get(i)[c];
                v[i] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
            }
            cols.put(names[c], v);
        }
        return new Trace(Arrays.copyOf(t, n), cols);
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
