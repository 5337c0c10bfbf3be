package dev.kiln.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a zip whose bytes depend only on its entries: names sorted, every timestamp the DOS time
 * 1980-01-02 00:00 set as a local date-time (so no time-zone conversion happens; 1980-01-01 would
 * make the JDK add an extended-timestamp extra field that depends on the zone), DEFLATE at a fixed
 * level (1: a day of telemetry, tens of MB of CSV, must seal in well under two seconds; level 6
 * takes ten times as long for a fifth less size), no comments, no extra fields. The same inputs give the same bytes on a given JDK build.
 */
public final class DeterministicZip {
    /** The fixed entry time. */
    public static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 2, 0, 0);
    /** The fixed compression level. */
    public static final int LEVEL = 1;

    private DeterministicZip() {
    }

    public static void write(Map<String, byte[]> entries, OutputStream out) throws IOException {
        TreeMap<String, Content> c = new TreeMap<>();
        entries.forEach((name, bytes) -> c.put(name, new Content.Bytes(bytes)));
        write(c, out);
    }

    /** The same, each entry streamed from its content (the same bytes as from arrays). */
    public static void write(SortedMap<String, Content> entries, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setMethod(ZipOutputStream.DEFLATED);
        zip.setLevel(LEVEL);
        byte[] buf = new byte[1 << 16];
        for (Map.Entry<String, Content> e : entries.entrySet()) {
            BundleNames.requireSafe(e.getKey());
            ZipEntry entry = new ZipEntry(e.getKey());
            entry.setTimeLocal(ENTRY_TIME);
            entry.setMethod(ZipEntry.DEFLATED);
            zip.putNextEntry(entry);
            try (java.io.InputStream in = e.getValue().open()) {
                // whole buffers whatever the source's reads return: the deflater sees the same pieces every time
                for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                    zip.write(buf, 0, n);
                }
            }
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }
}
