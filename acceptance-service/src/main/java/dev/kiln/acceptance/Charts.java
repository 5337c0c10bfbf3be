package dev.kiln.acceptance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's telemetry as charts, drawn on the server as SVG (no JavaScript needed to read them):
 * temperatures, clocks, power and fans over the whole run, the stages marked. Down-sampled while
 * reading: each pixel column keeps the minimum and the maximum of every channel, so a 24-hour trace
 * (86,400 samples) costs one pass and draws as fast as a minute's, and no spike is lost between
 * pixels. Reads {@code telemetry.csv} as the agent writes it, restated headers included, in one
 * pass over its bytes (time stamps and numbers parsed in place: a day of 64 channels is 5.5 million
 * cells).
 */
final class Charts {
    static final int WIDTH = 720;
    static final int HEIGHT = 200;
    private static final int PAD = 6;
    /** Series drawn per chart at most; the rest are named as not drawn. */
    static final int MAX_SERIES = 24;
    /**
     * Channels of one group given pixel columns at most (room for some without data among them): a
     * header naming a million {@code _celsius} channels once made two 720-entry arrays for each
     * before the cap on series drawn, gigabytes for one page view. The rest are counted, not kept.
     */
    static final int MAX_TRACKED = 4 * MAX_SERIES;
    private static final String[] COLOURS = {"#0969da", "#cf222e", "#1a7f37", "#8250df", "#bf8700", "#1b7c83", "#d4a72c", "#e16f24",
            "#6639ba", "#116329", "#a40e26", "#0550ae"};

    /** A chart group: which channels, in what unit, scaled how. */
    enum Group {
        TEMPERATURES("Temperatures", "°C", 1),
        CLOCKS("Clocks", "GHz", 1e-9),
        POWER("Power", "W", 1),
        FANS("Fans", "rpm", 1);

        final String title;
        final String unit;
        final double scale;

        Group(String title, String unit, double scale) {
            this.title = title;
            this.unit = unit;
            this.scale = scale;
        }

        static Group of(String channel) {
            if (channel.endsWith("_celsius")) {
                return TEMPERATURES;
            }
            if (channel.endsWith("_freq_hertz") && !channel.endsWith("_max_freq_hertz") && !channel.endsWith("_top_freq_hertz")) {
                return CLOCKS;
            }
            if (channel.endsWith("_watts")) {
                return POWER;
            }
            return channel.endsWith("_rpm") ? FANS : null;
        }
    }

    /** A stage or suite to mark: its name and time span. */
    record Span(String name, Instant start, Instant end) {
    }

    /** One drawn chart: its group, the channels drawn, those left out, and the SVG. */
    record Chart(String title, String unit, List<String> series, int notDrawn, String svg) {
    }

    /** What came of reading the trace: the charts, the samples read, and the lines that did not parse. */
    record Drawn(List<Chart> charts, int samples, int damagedLines, int channels) {
    }

    /** A telemetry CSV that can be read from its start more than once (an entry of a bundle's file, inflated each time). */
    interface Source {
        java.io.InputStream open() throws IOException;
    }

    static Drawn draw(byte[] csv, List<Span> spans) throws IOException {
        return draw(() -> new java.io.ByteArrayInputStream(csv), spans);
    }

    /**
     * Draws a telemetry CSV read twice as a stream, line by line: once for its time range (the first
     * sample and the last: the trace is written in time order), once to draw. Memory is the columns
     * drawn and one line, whatever the trace's length (a month of samples is gigabytes).
     */
    static Drawn draw(Source csv, List<Span> spans) throws IOException {
        long[] range = {Long.MAX_VALUE, Long.MIN_VALUE};
        try (java.io.InputStream in = csv.open()) {
            Lines.each(in, RunFacts.MAX_LINE, (b, at, stop) -> {
                long t = lineTime(b, at, stop, Long.MIN_VALUE);
                if (t != Long.MIN_VALUE) {
                    if (range[0] == Long.MAX_VALUE) {
                        range[0] = t;
                    }
                    range[1] = t;
                }
            });
        }
        long first = range[0];
        long last = range[1];
        if (first == Long.MAX_VALUE) {
            first = 0;
            last = 1;
        }
        Pass pass = new Pass(first, Math.max(1, last - first));
        long tooLong;
        try (java.io.InputStream in = csv.open()) {
            tooLong = Lines.each(in, RunFacts.MAX_LINE, pass);
        }
        pass.damaged += (int) Math.min(Integer.MAX_VALUE, tooLong);
        List<Chart> charts = new ArrayList<>();
        for (Group g : Group.values()) {
            List<String> channels = pass.cols.keySet().stream().filter(ch -> Group.of(ch) == g && hasData(pass.cols.get(ch))).toList();
            if (!channels.isEmpty()) {
                charts.add(chart(g, channels, pass.cols, spans, first, pass.span, pass.untracked.getOrDefault(g, 0)));
            }
        }
        return new Drawn(charts, pass.samples, pass.damaged,
                pass.cols.size() + pass.untracked.values().stream().mapToInt(Integer::intValue).sum());
    }

    /** The drawing pass: each line's cells into the columns' per-pixel minimum and maximum. */
    private static final class Pass implements Lines.Sink {
        final Map<String, double[][]> cols = new LinkedHashMap<>(); // channel -> {min[], max[]}
        final Map<Group, Integer> tracked = new java.util.EnumMap<>(Group.class);
        final Map<Group, Integer> untracked = new java.util.EnumMap<>(Group.class); // the most one header named beyond MAX_TRACKED
        final long first;
        final double span;
        int width = 0;
        double[][][] byIndex = new double[0][][];
        double[] row = new double[0];
        int samples = 0;
        int damaged = 0;

        Pass(long first, double span) {
            this.first = first;
            this.span = span;
        }

        @Override
        public void line(byte[] csv, int at, int stop) {
            if (stop == at) {
                return;
            }
            if (startsWith(csv, at, stop, "timestamp")) {
                String[] names = new String(csv, at, stop - at, StandardCharsets.UTF_8).split(",", -1);
                width = names.length;
                byIndex = new double[width][][];
                row = new double[width];
                Map<Group, Integer> beyond = new java.util.EnumMap<>(Group.class);
                for (int i = 1; i < width; i++) {
                    Group g = Group.of(names[i]);
                    if (g == null) {
                        continue;
                    }
                    double[][] known = cols.get(names[i]);
                    if (known == null) {
                        if (tracked.getOrDefault(g, 0) >= MAX_TRACKED) {
                            beyond.merge(g, 1, Integer::sum); // counted, never allocated
                            continue;
                        }
                        known = new double[][] {nan(), nan()};
                        cols.put(names[i], known);
                        tracked.merge(g, 1, Integer::sum);
                    }
                    byIndex[i] = known;
                }
                beyond.forEach((g, n) -> untracked.merge(g, n, Math::max));
                return;
            }
            int comma = indexOf(csv, (byte) ',', at, stop);
            long ms = comma < 0 ? Long.MIN_VALUE : time(csv, at, comma);
            if (ms == Long.MIN_VALUE) {
                damaged++;
                return;
            }
            // the cells, into row[], before any is kept: a line with the wrong number of cells is damaged as a whole
            int cell = 1;
            int c = comma + 1;
            boolean ok = true;
            while (true) {
                int next = indexOf(csv, (byte) ',', c, stop);
                int e = next < 0 ? stop : next;
                if (cell >= width) {
                    ok = false;
                    break;
                }
                row[cell] = byIndex[cell] == null || e == c ? Double.NaN : number(csv, c, e);
                cell++;
                if (next < 0) {
                    break;
                }
                c = next + 1;
            }
            if (!ok || cell != width) {
                damaged++;
                return;
            }
            samples++;
            int x = (int) Math.max(0, Math.min(WIDTH - 1, Math.round((ms - first) / span * (WIDTH - 1))));
            for (int i = 1; i < width; i++) {
                double v = row[i];
                if (byIndex[i] == null || !Double.isFinite(v)) {
                    continue;
                }
                double[] min = byIndex[i][0];
                double[] max = byIndex[i][1];
                if (!(v >= min[x])) { // NaN (no value yet) or lower
                    min[x] = v;
                }
                if (!(v <= max[x])) {
                    max[x] = v;
                }
            }
        }
    }

    private static int indexOf(byte[] b, byte x, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int from, int to, String prefix) {
        if (to - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The time of a sample line, or {@code none} for a header, an empty or a damaged line. */
    private static long lineTime(byte[] b, int start, int end, long none) {
        if (end <= start || startsWith(b, start, end, "timestamp")) {
            return none;
        }
        int comma = indexOf(b, (byte) ',', start, end);
        long t = time(b, start, comma < 0 ? end : comma);
        return t == Long.MIN_VALUE ? none : t;
    }

    /**
     * An ISO-8601 UTC time stamp as the sampler writes it ({@code 2026-11-29T07:06:46.313329491Z}),
     * in epoch milliseconds; Long.MIN_VALUE when it is not one. Parsed from the bytes: a day of
     * samples is 86,400 of them.
     */
    static long time(byte[] b, int s, int e) {
        if (e - s < 20 || b[s + 4] != '-' || b[s + 7] != '-' || b[s + 10] != 'T' || b[s + 13] != ':' || b[s + 16] != ':' || b[e - 1] != 'Z') {
            return slowTime(b, s, e);
        }
        int y = digits(b, s, 4);
        int mo = digits(b, s + 5, 2);
        int d = digits(b, s + 8, 2);
        int h = digits(b, s + 11, 2);
        int mi = digits(b, s + 14, 2);
        int sec = digits(b, s + 17, 2);
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) {
            return Long.MIN_VALUE;
        }
        int ms = 0;
        if (e - s > 20) {
            if (b[s + 19] != '.') {
                return slowTime(b, s, e);
            }
            int scale = 100;
            for (int i = s + 20; i < e - 1; i++) {
                int dd = b[i] - '0';
                if (dd < 0 || dd > 9) {
                    return Long.MIN_VALUE;
                }
                ms += dd * scale;
                scale /= 10;
            }
        }
        long day;
        try {
            day = java.time.LocalDate.of(y, mo, d).toEpochDay();
        } catch (java.time.DateTimeException ex) {
            return Long.MIN_VALUE;
        }
        return ((day * 24 + h) * 60 + mi) * 60_000L + sec * 1000L + ms;
    }

    private static long slowTime(byte[] b, int s, int e) {
        try {
            return Instant.parse(new String(b, s, e - s, StandardCharsets.ISO_8859_1)).toEpochMilli();
        } catch (DateTimeParseException ex) {
            return Long.MIN_VALUE;
        }
    }

    private static int digits(byte[] b, int s, int n) {
        int v = 0;
        for (int i = s; i < s + n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
            1e18, 1e19, 1e20, 1e21, 1e22};

    /**
     * A cell's number ({@code 61}, {@code 61.5}, {@code -3.2e+09}), NaN when it is not one. The common
     * forms are parsed from the bytes; anything else goes to {@link Double#parseDouble}.
     */
    static double number(byte[] b, int s, int e) {
        int i = s;
        boolean neg = false;
        if (i < e && (b[i] == '-' || b[i] == '+')) {
            neg = b[i] == '-';
            i++;
        }
        long m = 0;
        int digits = 0;
        int frac = 0;
        boolean dot = false;
        for (; i < e; i++) {
            byte c = b[i];
            if (c >= '0' && c <= '9') {
                if (digits < 18) {
                    m = m * 10 + (c - '0');
                    digits++;
                    if (dot) {
                        frac++;
                    }
                } else if (!dot) {
                    return slowNumber(b, s, e);
                }
            } else if (c == '.' && !dot) {
                dot = true;
            } else {
                break;
            }
        }
        int exp = 0;
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            boolean eneg = false;
            if (i < e && (b[i] == '-' || b[i] == '+')) {
                eneg = b[i] == '-';
                i++;
            }
            int start = i;
            for (; i < e && b[i] >= '0' && b[i] <= '9' && i - start < 4; i++) {
                exp = exp * 10 + (b[i] - '0');
            }
            if (i == start) {
                return Double.NaN;
            }
            exp = eneg ? -exp : exp;
        }
        if (i != e || digits == 0) {
            return slowNumber(b, s, e);
        }
        int p = exp - frac;
        double v = p >= 0 ? (p < POW10.length ? m * POW10[p] : m * Math.pow(10, p)) : (-p < POW10.length ? m / POW10[-p] : m * Math.pow(10, p));
        return neg ? -v : v;
    }

    private static double slowNumber(byte[] b, int s, int e) {
        try {
            return Double.parseDouble(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
        } catch (NumberFormatException ex) {
            return Double.NaN;
        }
    }

    private static double[] nan() {
        double[] a = new double[WIDTH];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    private static boolean hasData(double[][] mm) {
        for (double v : mm[1]) {
            if (!Double.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    private static Chart chart(Group g, List<String> all, Map<String, double[][]> cols, List<Span> spans, long first, double span, int untracked) {
        List<String> drawn = all.subList(0, Math.min(MAX_SERIES, all.size()));
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (String c : drawn) {
            for (double v : cols.get(c)[0]) {
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v * g.scale);
                }
            }
            for (double v : cols.get(c)[1]) {
                if (!Double.isNaN(v)) {
                    hi = Math.max(hi, v * g.scale);
                }
            }
        }
        if (hi - lo < 1e-9) {
            lo -= 0.5; // a constant: drawn across the middle
            hi = lo + 1;
        }
        int gapColumns = (int) Math.max(1, Math.ceil(5000 / span * (WIDTH - 1)));
        StringBuilder svg = new StringBuilder(16_384);
        svg.append("<svg class=\"chart-svg\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"").append(html(g.title)).append("\">");
        for (Span s : spans) {
            double x0 = (s.start().toEpochMilli() - first) / span * (WIDTH - 1);
            double x1 = (s.end().toEpochMilli() - first) / span * (WIDTH - 1);
            if (x1 < 0 || x0 > WIDTH) {
                continue;
            }
            x0 = Math.max(0, x0);
            x1 = Math.min(WIDTH, Math.max(x0 + 1, x1));
            svg.append(String.format(Locale.ROOT, "<g class=\"stage\" data-stage=\"%s\"><rect x=\"%.1f\" y=\"0\" width=\"%.1f\" height=\"%d\"/>"
                    + "<text x=\"%.1f\" y=\"12\">%s</text></g>", html(s.name()), x0, x1 - x0, HEIGHT, x0 + 3, html(s.name())));
        }
        for (int k = 0; k < drawn.size(); k++) {
            String c = drawn.get(k);
            double[] min = cols.get(c)[0];
            double[] max = cols.get(c)[1];
            StringBuilder d = new StringBuilder();
            int last = Integer.MIN_VALUE;
            for (int x = 0; x < WIDTH; x++) {
                if (Double.isNaN(max[x])) {
                    continue;
                }
                // columns without a sample between two that have one are joined while the gap is under
                // 5 s (a short run has fewer samples than pixels); a longer gap is unknown, not drawn across
                boolean join = last != Integer.MIN_VALUE && x - last <= gapColumns;
                d.append(join ? 'L' : 'M').append(x).append(',').append(y(max[x] * g.scale, lo, hi));
                d.append('L').append(x).append(',').append(y(min[x] * g.scale, lo, hi));
                last = x;
            }
            svg.append("<g class=\"series\" data-channel=\"").append(html(c)).append("\"><path fill=\"none\" stroke-width=\"1.2\" stroke=\"")
                    .append(COLOURS[k % COLOURS.length]).append("\" d=\"").append(d).append("\"/></g>");
        }
        svg.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", WIDTH - 4, 12, num(hi) + " " + html(g.unit)));
        svg.append(String.format(Locale.ROOT, "<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", WIDTH - 4, HEIGHT - 4,
                num(lo) + " " + html(g.unit)));
        svg.append("</svg>");
        return new Chart(g.title, g.unit, List.copyOf(drawn), all.size() - drawn.size() + untracked, svg.toString());
    }

    static String colour(int k) {
        return COLOURS[k % COLOURS.length];
    }

    private static String y(double v, double lo, double hi) {
        double y = HEIGHT - PAD - (v - lo) / (hi - lo) * (HEIGHT - 2 * PAD);
        return String.format(Locale.ROOT, "%.1f", y);
    }

    private static String num(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Text for HTML or SVG: markup in a channel or stage name from a hostile bundle is shown, never run. */
    static String html(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
