package dev.kiln.core.thermal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
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
 *
 * <p>Bounded memory: a trace is read in one pass, in blocks of rows; while its values fit a heap
 * budget ({@link #HEAP_BUDGET_BYTES} unless told) they stay in the heap, and past it every block goes,
 * column by column, to a temporary file that is mapped, not loaded. A column is then copied out when
 * asked for ({@link #column}), one at a time, so a month of a 400-channel trace is judged in a heap
 * that holds a few columns. {@link #close()} removes the file; an in-heap trace has nothing to close.
 */
public final class Trace implements AutoCloseable {
    /** Values (8 bytes each) a trace keeps in the heap before it goes to a file: 64 MiB. */
    public static final long HEAP_BUDGET_BYTES = 64L << 20;
    static final int BLOCK_ROWS = 4096;

    private final long[] millis;
    private final String[] names;
    private final Map<String, Integer> index = new LinkedHashMap<>();
    private final double[][] heap; // null when spilled
    private final Spill spill; // null when in the heap
    private final int damaged;
    private final int firstDamaged;

    public Trace(long[] millis, Map<String, double[]> columns) {
        this.millis = millis.clone();
        this.names = columns.keySet().toArray(String[]::new);
        this.heap = new double[names.length][];
        int i = 0;
        for (Map.Entry<String, double[]> c : columns.entrySet()) {
            if (c.getValue().length != millis.length) {
                throw new IllegalArgumentException("channel " + c.getKey() + " has " + c.getValue().length + " values for "
                        + millis.length + " samples");
            }
            heap[i] = c.getValue();
            index.put(c.getKey(), i++);
        }
        this.spill = null;
        this.damaged = 0;
        this.firstDamaged = 0;
    }

    private Trace(long[] millis, String[] names, double[][] heap, Spill spill, int damaged, int firstDamaged) {
        this.millis = millis;
        this.names = names;
        for (int i = 0; i < names.length; i++) {
            index.putIfAbsent(names[i], i);
        }
        this.heap = heap;
        this.spill = spill;
        this.damaged = damaged;
        this.firstDamaged = firstDamaged;
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
     * Reads CSV bytes (UTF-8) one line at a time, handing each on to {@code rows} and keeping none:
     * memory does not grow with the trace. A line that does not parse (torn by a kill, or by a disk
     * that filled mid-write) is skipped and reported; the rest of the trace still stands. Numbers and
     * times in the sampler's own forms are decoded from the bytes (the same values
     * {@link Double#parseDouble} and {@link Instant#parse} give); any other form goes through those.
     *
     * @throws IOException when the header is missing or the stream fails
     */
    public static void read(InputStream in, Rows rows) throws IOException {
        read(in, rows, CHUNK_BYTES, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** Bytes of whole lines a worker decodes at a time. */
    static final int CHUNK_BYTES = 1 << 20;

    /**
     * The same, the stream cut into chunks of whole lines that {@code threads} workers decode while
     * this thread reads the next ones and hands the decoded rows on in order: the bytes are decoded
     * in parallel, the rows arrive as one reader would give them.
     */
    static void read(InputStream in, Rows rows, int chunkBytes, int threads) throws IOException {
        Chunks chunks = new Chunks(in, chunkBytes);
        // a chunk's bytes and what was decoded of them, reused: a month is thousands of chunks, and a buffer
        // of a MiB allocated for each is garbage the collector must chase in a small heap
        java.util.ArrayDeque<Slot> free = new java.util.ArrayDeque<>();
        for (int i = 0; i < Math.max(1, threads) + 2; i++) {
            free.add(new Slot());
        }
        Slot first = free.poll();
        if (!chunks.next(first)) {
            throw new IOException("telemetry.csv does not start with a timestamp header");
        }
        Lines head = new Lines(first.buf, 0, first.len);
        head.next();
        String header = new String(first.buf, head.lineStart, head.lineEnd - head.lineStart, StandardCharsets.UTF_8);
        if (!header.startsWith("timestamp")) {
            throw new IOException("telemetry.csv does not start with a timestamp header");
        }
        Replay replay = new Replay(rows, header.split(",", -1));
        first.start = head.pos;
        if (threads <= 1) {
            for (Slot c = first; c != null; c = chunks.next(c) ? c : null) {
                replay.accept(c.decode());
            }
            return;
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads,
                r -> Thread.ofPlatform().name("kiln-trace-read").daemon().unstarted(r));
        try {
            java.util.ArrayDeque<Slot> order = new java.util.ArrayDeque<>();
            java.util.ArrayDeque<java.util.concurrent.Future<Decoded>> inFlight = new java.util.ArrayDeque<>();
            Slot c = first;
            while (c != null) {
                Slot chunk = c;
                order.add(chunk);
                inFlight.add(pool.submit(chunk::decode));
                while (inFlight.size() > threads || (!inFlight.isEmpty() && inFlight.peek().isDone())) {
                    replay.accept(take(inFlight.poll()));
                    free.add(order.poll());
                }
                c = free.poll();
                if (!chunks.next(c)) {
                    c = null;
                }
            }
            while (!inFlight.isEmpty()) {
                replay.accept(take(inFlight.poll()));
                free.add(order.poll());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A chunk's bytes ({@code buf[start, len)}, whole lines) and what a worker decoded of them; both reused. */
    private static final class Slot {
        byte[] buf = new byte[0];
        int start;
        int len;
        final Decoded decoded = new Decoded();

        Decoded decode() {
            decoded.clear();
            Lines l = new Lines(buf, start, len);
            while (l.next()) {
                l.decodeLine(decoded);
            }
            return decoded;
        }
    }

    private static Decoded take(java.util.concurrent.Future<Decoded> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the trace");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw new IOException(e.getCause());
        }
    }

    /** The stream as chunks of whole lines (each ends with a line feed, but the last). */
    private static final class Chunks {
        private final InputStream in;
        private final int size;
        private byte[] carry = new byte[0];
        private int carried;
        private boolean eof;

        Chunks(InputStream in, int size) {
            this.in = in;
            this.size = size;
        }

        /** Fills {@code slot} with the next whole lines; false at the end of the stream. */
        boolean next(Slot slot) throws IOException {
            if (eof && carried == 0) {
                return false;
            }
            int want = Math.max(size, carried * 2);
            if (slot.buf.length < want) {
                slot.buf = new byte[want];
            }
            byte[] buf = slot.buf;
            System.arraycopy(carry, 0, buf, 0, carried);
            int n = carried;
            while (true) {
                while (n < buf.length && !eof) {
                    int r = in.read(buf, n, buf.length - n);
                    if (r < 0) {
                        eof = true;
                    } else {
                        n += r;
                    }
                }
                int cut = n;
                if (!eof) {
                    while (cut > 0 && buf[cut - 1] != '\n') {
                        cut--;
                    }
                }
                if (cut > 0 || eof) {
                    carried = n - cut;
                    if (carry.length < carried) {
                        carry = new byte[Math.max(carried, 4096)];
                    }
                    System.arraycopy(buf, cut, carry, 0, carried);
                    slot.start = 0;
                    slot.len = cut;
                    return !(cut == 0 && n == 0);
                }
                buf = Arrays.copyOf(buf, buf.length * 2); // no line end yet: a line longer than a chunk
                slot.buf = buf;
            }
        }
    }

    /** What a worker made of a chunk: per line its kind; for rows, the time and every cell. */
    private static final class Decoded {
        static final byte EMPTY = 0;
        static final byte ROW = 1;
        static final byte BAD = 2;
        static final byte HEADER = 3;
        byte[] kind = new byte[256];
        long[] millis = new long[256];
        int[] first = new int[256]; // each row's first cell in values
        int[] cells = new int[256]; // cells in the line (commas + 1)
        double[] values = new double[4096];
        int lines;
        int used;
        Map<Integer, String> headers = new LinkedHashMap<>();

        void line(byte k) {
            if (lines == kind.length) {
                kind = Arrays.copyOf(kind, lines * 2);
                millis = Arrays.copyOf(millis, lines * 2);
                first = Arrays.copyOf(first, lines * 2);
                cells = Arrays.copyOf(cells, lines * 2);
            }
            kind[lines++] = k;
        }

        /** Emptied for the next chunk; the arrays keep the size the last one needed. */
        void clear() {
            lines = 0;
            used = 0;
            headers.clear();
        }

        void value(double v) {
            if (used == values.length) {
                values = Arrays.copyOf(values, used * 2);
            }
            values[used++] = v;
        }
    }

    /** Hands decoded chunks on in order, as the line reader did: the header's width, restated headers, damaged lines. */
    private static final class Replay {
        final Rows rows;
        String[] names;
        double[] row;
        int lineNo = 1;

        Replay(Rows rows, String[] names) {
            this.rows = rows;
            this.names = names;
            this.row = new double[names.length - 1];
            rows.columns(Arrays.copyOfRange(names, 1, names.length));
        }

        void accept(Decoded d) {
            for (int l = 0; l < d.lines; l++) {
                lineNo++;
                switch (d.kind[l]) {
                    case Decoded.EMPTY -> {
                    }
                    case Decoded.HEADER -> {
                        // the header restated with channels that appeared later: the columns so far, then the new ones
                        String[] cells = d.headers.get(l).split(",", -1);
                        if (cells.length >= names.length && Arrays.equals(names, Arrays.copyOf(cells, names.length))) {
                            names = cells;
                            row = new double[cells.length - 1];
                            rows.columns(Arrays.copyOfRange(names, 1, names.length));
                        } else {
                            rows.damaged(lineNo);
                        }
                    }
                    case Decoded.ROW -> {
                        if (d.cells[l] != names.length) {
                            rows.damaged(lineNo);
                        } else {
                            System.arraycopy(d.values, d.first[l], row, 0, row.length);
                            rows.row(d.millis[l], row);
                        }
                    }
                    default -> rows.damaged(lineNo);
                }
            }
        }
    }

    /**
     * Reads CSV bytes into columns ({@link #read}), in the heap up to {@link #HEAP_BUDGET_BYTES} of
     * values and in a temporary file past it; lines that do not parse are skipped and counted
     * ({@link #damagedLines()}), and the judge says what was skipped.
     *
     * @throws IOException when the header is missing, the stream fails or the file cannot be written
     */
    public static Trace parse(InputStream in) throws IOException {
        return parse(in, HEAP_BUDGET_BYTES);
    }

    /** The same with a heap budget of {@code heapBytes} for the values (0: always to a file). */
    public static Trace parse(InputStream in, long heapBytes) throws IOException {
        return parse(in, heapBytes, CHUNK_BYTES, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }

    /** The same, decoded in chunks of {@code chunkBytes} by {@code threads} workers (tests cut it small). */
    static Trace parse(InputStream in, long heapBytes, int chunkBytes, int threads) throws IOException {
        return parse(in, heapBytes, chunkBytes, threads, SpillFile::temporary);
    }

    /** The same, the values past the budget written where {@code spill} says (tests: a device that is full). */
    static Trace parse(InputStream in, long heapBytes, int chunkBytes, int threads, SpillFile.Opener spill) throws IOException {
        Builder b = new Builder(heapBytes, spill);
        try {
            read(in, b, chunkBytes, threads);
            return b.build();
        } catch (UncheckedIOException e) {
            b.discard();
            throw e.getCause();
        } catch (IOException | RuntimeException | Error e) {
            b.discard();
            throw e;
        }
    }

    public static Trace parse(String csv) {
        try {
            return parse(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Whether the values went to a temporary file (past the heap budget). */
    public boolean spilled() {
        return spill != null;
    }

    /** Removes the temporary file of a spilled trace; its columns cannot be read after. */
    @Override
    public void close() {
        if (spill != null) {
            spill.close();
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

    public int size() {
        return millis.length;
    }

    public long millis(int i) {
        return millis[i];
    }

    public List<String> channels() {
        return List.of(names);
    }

    /**
     * The channel's values (NaN where unknown); null when the trace has no such column. In the heap
     * this is the trace's own array (not to be written); spilled, a copy read from the file.
     */
    public double[] column(String channel) {
        Integer c = index.get(channel);
        if (c == null) {
            return null;
        }
        return heap != null ? heap[c] : spill.column(c, 0, millis.length);
    }

    /** Values {@code [from, to)} of the channel, a copy; null when the trace has no such column. */
    public double[] column(String channel, int from, int to) {
        Integer c = index.get(channel);
        if (c == null) {
            return null;
        }
        return heap != null ? Arrays.copyOfRange(heap[c], from, to) : spill.column(c, from, to);
    }

    /** Sample {@code i} as a map of the channels that had a value (a row at a time: for short traces and tests). */
    public Map<String, Double> sample(int i) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int c = 0; c < names.length; c++) {
            double v = heap != null ? heap[c][i] : spill.column(c, i, i + 1)[0];
            if (!Double.isNaN(v)) {
                m.put(names[c], v);
            }
        }
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

    // ---- storage ------------------------------------------------------------------------------

    /**
     * A block of rows, column by column: in the heap ({@code cols}) or in the file, each column at
     * {@code at[c]}, written as {@code kind[c]} says (see {@link Compact}).
     */
    private static final class Block {
        final int firstRow;
        final int width;
        int rows;
        double[][] cols;
        long[] at;
        byte[] kind;
        byte[] scale;
        long[] base;

        Block(int firstRow, int width) {
            this.firstRow = firstRow;
            this.width = width;
            this.cols = new double[width][BLOCK_ROWS];
        }
    }

    /**
     * How a block's column is written to the spill file. The sampler writes decimals, so a column of
     * a block is nearly always {@code (base + d) / 10^scale} with small whole {@code d}: two bytes a
     * value ({@link #I16}) or four ({@link #I32}) instead of eight, the file a quarter or half as
     * large. Exact: a value is written so only when {@code k / 10^scale} gives back its very bits (the
     * quotient of two exact doubles is correctly rounded, as the decoder made it); a column where any
     * value does not (an exponent's form, infinity, {@code -0.0}, a range too wide) is written as
     * doubles ({@link #RAW}). NaN is the all-ones delta.
     */
    static final class Compact {
        static final byte RAW = 0;
        static final byte I16 = 1;
        static final byte I32 = 2;
        static final int MAX_SCALE = 15;
        private static final long NAN = Long.MIN_VALUE;

        private Compact() {
        }

        /**
         * Writes {@code col[0, rows)} into {@code buf} (cleared, room for {@code rows} doubles), trying
         * the scale {@code hint} first; its base goes to {@code bases[at]}. Returns the kind, with the
         * scale in the second byte.
         */
        static int encode(double[] col, int rows, int hint, long[] m, ByteBuffer buf, long[] bases, int at) {
            // the fewest decimals that give every value back (more only widen the range): the column's last
            // scale when one fewer does not fit (one pass that fails at its first value, as a rule), else a search
            int scale = (hint == 0 || !fit(col, rows, hint - 1, m)) && fit(col, rows, hint, m) ? hint : -1;
            for (int t = 0; scale < 0 && t <= MAX_SCALE; t++) {
                if (t != hint && fit(col, rows, t, m)) {
                    scale = t;
                }
            }
            if (scale >= 0) {
                long lo = Long.MAX_VALUE;
                long hi = Long.MIN_VALUE;
                for (int r = 0; r < rows; r++) {
                    if (m[r] != NAN) {
                        lo = Math.min(lo, m[r]);
                        hi = Math.max(hi, m[r]);
                    }
                }
                if (lo > hi) { // every value NaN
                    lo = 0;
                    hi = 0;
                }
                bases[at] = lo;
                if (hi - lo < 0xFFFFL) {
                    for (int r = 0; r < rows; r++) {
                        buf.putShort(m[r] == NAN ? (short) -1 : (short) (m[r] - lo));
                    }
                    return I16 | scale << 8;
                }
                if (hi - lo < 0xFFFF_FFFFL) {
                    for (int r = 0; r < rows; r++) {
                        buf.putInt(m[r] == NAN ? -1 : (int) (m[r] - lo));
                    }
                    return I32 | scale << 8;
                }
            }
            bases[at] = 0;
            for (int r = 0; r < rows; r++) {
                buf.putDouble(col[r]);
            }
            return RAW;
        }

        /** Whether every value of {@code col[0, rows)} is {@code k / 10^scale} to the bit; the {@code k} in {@code m}. */
        private static boolean fit(double[] col, int rows, int scale, long[] m) {
            double p = POW10[scale];
            for (int r = 0; r < rows; r++) {
                double v = col[r];
                if (Double.isNaN(v)) {
                    m[r] = NAN;
                    continue;
                }
                double x = v * p;
                if (!(Math.abs(x) < 0x1p53)) {
                    return false; // infinite, or past whole numbers a double holds exactly
                }
                long k = (long) Math.rint(x);
                double back = scale == 0 ? (double) k : k / p;
                if (Double.doubleToRawLongBits(back) != Double.doubleToRawLongBits(v)) {
                    return false;
                }
                m[r] = k;
            }
            return true;
        }

        /** Rows {@code [row, row + n)} of a column written at {@code at} into {@code out[pos, pos + n)}. */
        static void read(MemorySegment map, long at, byte kind, byte scale, long base, int row, double[] out, int pos, int n) {
            double p = POW10[scale];
            switch (kind) {
                case I16 -> {
                    for (int i = 0; i < n; i++) {
                        int d = map.get(ValueLayout.JAVA_SHORT_UNALIGNED, at + (row + i) * 2L) & 0xFFFF;
                        out[pos + i] = d == 0xFFFF ? Double.NaN : scale == 0 ? (double) (base + d) : (base + d) / p;
                    }
                }
                case I32 -> {
                    for (int i = 0; i < n; i++) {
                        long d = map.get(ValueLayout.JAVA_INT_UNALIGNED, at + (row + i) * 4L) & 0xFFFF_FFFFL;
                        out[pos + i] = d == 0xFFFF_FFFFL ? Double.NaN : scale == 0 ? (double) (base + d) : (base + d) / p;
                    }
                }
                default -> MemorySegment.copy(map, ValueLayout.JAVA_DOUBLE_UNALIGNED, at + row * (long) Double.BYTES, out, pos, n);
            }
        }
    }

    /**
     * The values of a trace past its heap budget: blocks written column by column to a file unlinked
     * as soon as it was opened (nothing is left behind, even by a kill), then mapped.
     */
    private static final class Spill {
        final List<Block> blocks;
        Arena arena;
        MemorySegment map;

        Spill(List<Block> blocks, FileChannel ch, long size) throws IOException {
            this.blocks = blocks;
            arena = Arena.ofShared();
            map = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }

        double[] column(int c, int from, int to) {
            double[] out = new double[Math.max(0, to - from)];
            Arrays.fill(out, Double.NaN);
            if (map == null) {
                throw new IllegalStateException("the trace was closed");
            }
            for (Block b : blocks) {
                int lo = Math.max(from, b.firstRow);
                int hi = Math.min(to, b.firstRow + b.rows);
                if (lo >= hi || c >= b.width) {
                    continue; // outside the range, or before the channel appeared (NaN)
                }
                Compact.read(map, b.at[c], b.kind[c], b.scale[c], b.base[c], lo - b.firstRow, out, lo - from, hi - lo);
            }
            return out;
        }

        synchronized void close() {
            if (arena != null) {
                map = null;
                arena.close();
                arena = null;
            }
        }
    }

    /** The values past the heap budget could not be written (a full or read-only disk): the machine's fault, not the trace's. */
    public static final class SpillFailed extends IOException {
        SpillFailed(String message, IOException cause) {
            super(message, cause);
        }
    }

    /** Where the values past the heap budget go: a channel open for reading and writing, and its name for errors. */
    record SpillFile(FileChannel channel, String name) {
        /** Opens a spill file. */
        interface Opener {
            SpillFile open() throws IOException;
        }

        /** A new file in the temporary directory, unlinked at once: the open channel keeps it; a kill leaves nothing. */
        static SpillFile temporary() throws IOException {
            Path file = Files.createTempFile("kiln-trace-", ".columns");
            try {
                return new SpillFile(FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE), file + " (unlinked)");
            } finally {
                Files.delete(file);
            }
        }
    }

    /** The rows of a read gathered into blocks; past the budget, the blocks go to a file. */
    private static final class Builder implements Rows {
        final long heapBytes;
        String[] names = new String[0];
        long[] t = new long[1024];
        final List<Block> blocks = new ArrayList<>();
        Block current;
        long heapUsed;
        int n;
        int damaged;
        int firstDamaged;
        FileChannel out;
        long written;
        ByteBuffer buf;

        final SpillFile.Opener spill;
        String spillName;

        Builder(long heapBytes, SpillFile.Opener spill) {
            this.heapBytes = heapBytes;
            this.spill = spill;
        }

        @Override
        public void columns(String[] channels) {
            names = channels;
            seal(); // a restated header: the next rows start a block of the new width
        }

        @Override
        public void row(long millis, double[] values) {
            if (n == t.length) {
                t = Arrays.copyOf(t, n * 2);
            }
            t[n] = millis;
            if (current == null) {
                current = new Block(n, names.length);
                heapUsed += (long) names.length * BLOCK_ROWS * Double.BYTES;
            }
            int r = current.rows++;
            for (int c = 0; c < current.width; c++) {
                current.cols[c][r] = values[c];
            }
            n++;
            if (current.rows == BLOCK_ROWS) {
                seal();
            }
        }

        @Override
        public void damaged(int lineNo) {
            damaged++;
            firstDamaged = firstDamaged == 0 ? lineNo : firstDamaged;
        }

        private void seal() {
            if (current == null) {
                return;
            }
            blocks.add(current);
            current = null;
            try {
                if (out == null && heapUsed > heapBytes) {
                    SpillFile f;
                    try {
                        f = spill.open();
                    } catch (IOException e) {
                        throw new UncheckedIOException(new SpillFailed("cannot create the trace's temporary file in "
                                + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), e));
                    }
                    out = f.channel();
                    spillName = f.name();
                    buf = ByteBuffer.allocateDirect(BLOCK_ROWS * Double.BYTES).order(ByteOrder.nativeOrder());
                }
                if (out != null) {
                    for (Block b : blocks) {
                        if (b.cols != null) {
                            write(b);
                        }
                    }
                }
            } catch (IOException e) {
                // the file named, and what the system said (a full disk: "No space left on device")
                throw new UncheckedIOException(new SpillFailed("cannot write the trace's temporary file " + spillName + ": " + e.getMessage(), e));
            }
        }

        /** Each column's last scale: the first one tried for its next block (a channel keeps its decimals). */
        private byte[] scales = new byte[0];
        private final long[] mantissas = new long[BLOCK_ROWS];

        private void write(Block b) throws IOException {
            b.at = new long[b.width];
            b.kind = new byte[b.width];
            b.scale = new byte[b.width];
            b.base = new long[b.width];
            if (scales.length < b.width) {
                scales = Arrays.copyOf(scales, b.width);
            }
            for (int c = 0; c < b.width; c++) {
                b.at[c] = written;
                buf.clear();
                int how = Compact.encode(b.cols[c], b.rows, scales[c], mantissas, buf, b.base, c);
                b.kind[c] = (byte) (how & 0xff);
                b.scale[c] = (byte) (how >> 8);
                scales[c] = b.scale[c];
                buf.flip();
                while (buf.hasRemaining()) {
                    written += out.write(buf);
                }
            }
            b.cols = null;
            heapUsed -= (long) b.width * BLOCK_ROWS * Double.BYTES;
        }

        Trace build() throws IOException {
            try {
                seal();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            long[] millis = Arrays.copyOf(t, n);
            t = null;
            if (out == null) {
                double[][] heap = new double[names.length][];
                for (int c = 0; c < names.length; c++) {
                    double[] col = new double[n];
                    for (Block b : blocks) {
                        if (c < b.width) {
                            System.arraycopy(b.cols[c], 0, col, b.firstRow, b.rows);
                            b.cols[c] = null;
                        } else {
                            Arrays.fill(col, b.firstRow, b.firstRow + b.rows, Double.NaN); // before the channel appeared
                        }
                    }
                    heap[c] = col;
                }
                return new Trace(millis, names, heap, null, damaged, firstDamaged);
            }
            try (FileChannel ch = out) {
                Spill s = new Spill(List.copyOf(blocks), ch, written);
                out = null;
                return new Trace(millis, names, null, s, damaged, firstDamaged);
            }
        }

        void discard() {
            try {
                if (out != null) {
                    out.close();
                }
            } catch (IOException e) {
                // nothing more to do: the file was unlinked when opened
            }
        }
    }

    // ---- the CSV, byte by byte ----------------------------------------------------------------

    private static final double[] POW10 = new double[23];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    /** Splits a chunk into lines and cells without making a String of either (the sampler's forms). */
    private static final class Lines {
        private final byte[] buf;
        private int pos;
        private final int lim;
        private int lineStart;
        private int lineEnd;
        private final byte[] date = new byte[10];
        private long epochDay = Long.MIN_VALUE;

        /** Complete lines in {@code buf[start, len)}: nothing more to read. */
        Lines(byte[] buf, int start, int len) {
            this.buf = buf;
            this.pos = start;
            this.lim = len;
        }

        private void decodeLine(Decoded d) {
            int s = lineStart;
            int e = lineEnd;
            if (s == e) {
                d.line(Decoded.EMPTY);
                return;
            }
            int comma = indexOf(s, e);
            if (comma - s == 9 && startsWith(s, "timestamp")) {
                d.headers.put(d.lines, new String(buf, s, e - s, StandardCharsets.UTF_8));
                d.line(Decoded.HEADER);
                return;
            }
            int mark = d.used;
            try {
                long ms = time(s, comma);
                int n = 1;
                for (int at = comma; at < e; n++) {
                    at = cell(at + 1, e);
                    d.value(value);
                }
                int l = d.lines;
                d.line(Decoded.ROW);
                d.millis[l] = ms;
                d.first[l] = mark;
                d.cells[l] = n;
            } catch (DateTimeParseException | NumberFormatException ex) {
                d.used = mark;
                d.line(Decoded.BAD);
            }
        }

        /** The next line as {@code [lineStart, lineEnd)} of {@code buf}; false at the end. */
        private boolean next() {
            for (int i = pos; i < lim; i++) {
                byte b = buf[i];
                if (b == '\n' || b == '\r') {
                    lineStart = pos;
                    lineEnd = i;
                    pos = i + 1;
                    if (b == '\r' && pos < lim && buf[pos] == '\n') {
                        pos++;
                    }
                    return true;
                }
            }
            if (pos < lim) { // the last line, with no line end
                lineStart = pos;
                lineEnd = lim;
                pos = lim;
                return true;
            }
            return false;
        }

        private int indexOf(int from, int to) {
            for (int i = from; i < to; i++) {
                if (buf[i] == ',') {
                    return i;
                }
            }
            return to;
        }

        private boolean startsWith(int s, String word) {
            for (int i = 0; i < word.length(); i++) {
                if (buf[s + i] != word.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private int digits(int s, int n) {
            int v = 0;
            for (int i = s; i < s + n; i++) {
                int d = buf[i] - '0';
                if (d < 0 || d > 9) {
                    return -1;
                }
                v = v * 10 + d;
            }
            return v;
        }

        /** {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} decoded here; any other form of an instant through {@link Instant#parse}. */
        private long time(int s, int e) {
            int len = e - s;
            if (len >= 20 && buf[s + 4] == '-' && buf[s + 7] == '-' && buf[s + 10] == 'T' && buf[s + 13] == ':' && buf[s + 16] == ':'
                    && buf[e - 1] == 'Z' && (len == 20 || buf[s + 19] == '.' && len >= 22 && len <= 30)) {
                int hh = digits(s + 11, 2);
                int mm = digits(s + 14, 2);
                int ss = digits(s + 17, 2);
                int fd = len == 20 ? 0 : len - 21; // fraction digits, 1 to 9
                int frac = fd == 0 ? 0 : digits(s + 20, fd);
                if (hh >= 0 && hh < 24 && mm >= 0 && mm < 60 && ss >= 0 && ss < 60 && frac >= 0) {
                    long day = day(s);
                    if (day != Long.MIN_VALUE) {
                        long milli = fd == 0 ? 0 : digits(s + 20, Math.min(fd, 3)) * (long) POW10[3 - Math.min(fd, 3)];
                        return ((day * 86_400 + hh * 3600L + mm * 60L + ss) * 1000) + milli;
                    }
                }
            }
            return Instant.parse(new String(buf, s, len, StandardCharsets.UTF_8)).toEpochMilli();
        }

        /** The epoch day of {@code yyyy-MM-dd} at {@code s}, the last one remembered; MIN_VALUE when not a date. */
        private long day(int s) {
            if (epochDay != Long.MIN_VALUE && Arrays.equals(buf, s, s + 10, date, 0, 10)) {
                return epochDay;
            }
            int y = digits(s, 4);
            int m = digits(s + 5, 2);
            int d = digits(s + 8, 2);
            if (y < 0 || m < 0 || d < 0) {
                return Long.MIN_VALUE;
            }
            try {
                long day = LocalDate.of(y, m, d).toEpochDay();
                System.arraycopy(buf, s, date, 0, 10);
                epochDay = day;
                return day;
            } catch (DateTimeException ex) {
                return Long.MIN_VALUE;
            }
        }

        /** The value of the last {@link #cell}. */
        private double value;

        /**
         * Decodes the cell at {@code from} (it ends at a comma or at {@code e}) into {@link #value} in
         * one pass over its bytes, and returns where it ends. An empty cell is NaN; {@code -?d+(.d+)?}
         * with up to 15 significant digits is the quotient of two exact doubles, correctly rounded as
         * {@link Double#parseDouble} rounds it; anything else goes to it.
         */
        private int cell(int from, int e) {
            int i = from;
            if (i == e || buf[i] == ',') {
                value = Double.NaN;
                return i;
            }
            boolean neg = buf[i] == '-';
            if (neg) {
                i++;
            }
            long m = 0;
            int n = 0;
            int start = i;
            while (i < e) {
                int d = buf[i] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                m = m * 10 + d;
                n++;
                i++;
            }
            int frac = 0;
            boolean ok = i > start;
            if (ok && i < e && buf[i] == '.') {
                int f = ++i;
                while (i < e) {
                    int d = buf[i] - '0';
                    if (d < 0 || d > 9) {
                        break;
                    }
                    m = m * 10 + d;
                    n++;
                    i++;
                }
                frac = i - f;
                ok = frac > 0;
            }
            if (ok && (i == e || buf[i] == ',') && n <= 15 && frac < POW10.length) {
                double v = frac == 0 ? m : m / POW10[frac];
                value = neg ? -v : v;
                return i;
            }
            int end = indexOf(i, e); // another form (an exponent, NaN, 16 digits and more): as Double.parseDouble reads it
            value = Double.parseDouble(new String(buf, from, end - from, StandardCharsets.UTF_8));
            return end;
        }

    }
}
