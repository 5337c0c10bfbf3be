package dev.kiln.bundle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads a bundle's entries defensively: it refuses duplicate names, unsafe names (absolute,
 * {@code ..}), more entries or more expanded bytes than the limits allow (zip bombs), and a central
 * directory that lists other entries than the local headers (what unzip shows must be what was
 * verified).
 */
public final class BundleReader {
    private BundleReader() {
    }

    /** A zip the reader refuses, with the reason. */
    public static final class RejectedException extends Exception {
        private static final long serialVersionUID = 1L;

        public RejectedException(String reason) {
            super(reason);
        }
    }

    /** Entries by name, in zip order, all of them in memory: for callers that need the contents (tests, tools). */
    public static Map<String, byte[]> read(byte[] zip, BundleLimits limits) throws RejectedException {
        return read(ZipSource.of(zip), limits);
    }

    /** Entries by name, in zip order, all of them in memory. */
    public static Map<String, byte[]> read(ZipSource zip, BundleLimits limits) throws RejectedException {
        return scan(zip, limits, null).kept();
    }

    /**
     * What a streaming pass over a bundle found.
     *
     * @param sha256 every entry's SHA-256 (hex), in zip order
     * @param kept   the contents of the entries asked for, each at most {@code maxJsonBytes}
     */
    public record Scan(Map<String, String> sha256, Map<String, byte[]> kept) {
    }

    /**
     * Reads a bundle entry by entry, hashing each as it inflates and keeping in memory only the
     * entries named in {@code keep} (null: all), so the memory a hostile upload can claim is the zip
     * itself plus one buffer, whatever it expands to. Refuses, as soon as it is seen: more expansion
     * than {@link BundleLimits#expansionAllowed} (a zip bomb), too many entries, duplicate, unsafe or
     * directory entries, a kept entry over {@code maxJsonBytes}, and a central directory that lists
     * other entries than the local headers.
     */
    public static Scan scan(byte[] zip, BundleLimits limits, java.util.Set<String> keep) throws RejectedException {
        return scan(ZipSource.of(zip), limits, keep);
    }

    /** {@link #scan(byte[], BundleLimits, java.util.Set)} of a zip in memory or read from its file as it goes. */
    public static Scan scan(ZipSource zip, BundleLimits limits, java.util.Set<String> keep) throws RejectedException {
        long zipBytes = zip.size();
        if (zipBytes > limits.maxBundleBytes()) {
            throw new RejectedException("bundle is " + zipBytes + " bytes, over the limit of " + limits.maxBundleBytes());
        }
        long allowed = limits.expansionAllowed(zipBytes);
        Map<String, String> digests = new LinkedHashMap<>();
        Map<String, byte[]> kept = new LinkedHashMap<>();
        long expanded = 0;
        try (ZipInputStream in = new ZipInputStream(zip.stream())) {
            ZipEntry e;
            byte[] buf = new byte[64 * 1024];
            while ((e = in.getNextEntry()) != null) {
                String name = e.getName();
                if (e.isDirectory()) {
                    throw new RejectedException("unexpected directory entry '" + name + "'");
                }
                String unsafe = BundleNames.unsafe(name);
                if (unsafe != null) {
                    throw new RejectedException("unsafe entry name '" + name + "': " + unsafe);
                }
                if (digests.containsKey(name)) {
                    throw new RejectedException("duplicate entry '" + name + "'");
                }
                if (digests.size() >= limits.maxEntries()) {
                    throw new RejectedException("more than " + limits.maxEntries() + " entries");
                }
                boolean keepIt = keep == null || keep.contains(name);
                java.security.MessageDigest sha = BundleWriter.newSha256();
                ByteArrayOutputStream data = keepIt ? new ByteArrayOutputStream() : null;
                long size = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    expanded += n;
                    size += n;
                    if (expanded > allowed) {
                        throw new RejectedException(expanded > limits.maxExpandedBytes() || allowed == limits.maxExpandedBytes()
                                ? "expands past the limit of " + limits.maxExpandedBytes() + " bytes (at entry '" + name
                                        + "'): refused as a zip bomb"
                                : "expands more than " + limits.maxRatio() + " times its " + zipBytes + " bytes (at entry '" + name
                                        + "'): refused as a zip bomb");
                    }
                    sha.update(buf, 0, n);
                    if (data != null) {
                        if (keep != null && size > limits.maxJsonBytes()) {
                            throw new RejectedException(name + " is over the limit of " + limits.maxJsonBytes() + " bytes");
                        }
                        data.write(buf, 0, n);
                    }
                }
                digests.put(name, java.util.HexFormat.of().formatHex(sha.digest()));
                if (data != null) {
                    kept.put(name, data.toByteArray());
                }
            }
        } catch (ZipException e) {
            throw new RejectedException("malformed zip: " + Why.of(e));
        } catch (IOException e) {
            throw new RejectedException("unreadable zip: " + Why.of(e));
        }
        if (digests.isEmpty()) {
            throw new RejectedException("not a zip, or an empty one");
        }
        List<String> central = centralDirectoryNames(zip);
        if (!central.equals(new ArrayList<>(digests.keySet()))) {
            throw new RejectedException("the central directory lists " + central + " but the entries are "
                    + digests.keySet() + ": tools would show other files than were verified");
        }
        return new Scan(digests, kept);
    }

    /**
     * One entry's bytes as they inflate, for a caller that streams a large file (a month of
     * telemetry) instead of holding it, once {@code scanned} (the {@link #scan} of these same bytes,
     * which the caller made anyway to keep the small files) has passed every check, so the entry's
     * expansion is bounded: no third pass over the zip. Null when the bundle has no such entry.
     */
    public static java.io.InputStream open(byte[] zip, Scan scanned, String name) throws RejectedException {
        return open(ZipSource.of(zip), scanned, name);
    }

    /** {@link #open(byte[], Scan, String)} of a zip in memory or in its file. */
    public static java.io.InputStream open(ZipSource zip, Scan scanned, String name) throws RejectedException {
        if (!scanned.sha256().containsKey(name)) {
            return null;
        }
        try {
            ZipInputStream in = new ZipInputStream(zip.stream());
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return in; // reads end at the entry's end
                }
            }
            throw new RejectedException("entry '" + name + "' vanished between two reads");
        } catch (IOException e) {
            throw new RejectedException("unreadable zip: " + Why.of(e));
        }
    }

    /** The most a central directory may take: 64 entries of the longest names and extras the format allows. */
    private static final int MAX_CENTRAL_DIRECTORY = 16 << 20;

    /**
     * Entry names as the central directory lists them (what unzip and most tools use), read from the
     * zip's tail: the end record, then the directory it points to, never the entries between.
     */
    static List<String> centralDirectoryNames(ZipSource zip) throws RejectedException {
        long size = zip.size();
        int tailLength = (int) Math.min(size, 22 + 65535);
        byte[] tail;
        try {
            tail = zip.read(size - tailLength, tailLength);
        } catch (IOException e) {
            throw new RejectedException("unreadable zip: " + Why.of(e));
        }
        ByteBuffer t = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = tail.length - 22; i >= 0; i--) {
            if (t.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new RejectedException("malformed zip: no end of central directory");
        }
        int count = Short.toUnsignedInt(t.getShort(eocd + 10));
        long offset = Integer.toUnsignedLong(t.getInt(eocd + 16));
        long eocdAt = size - tailLength + eocd;
        if (count == 0xFFFF || offset == 0xFFFFFFFFL) {
            throw new RejectedException("malformed zip: a ZIP64 end record (a zip of 4 GiB or more, or 65,535 entries): "
                    + "no bundle is that large");
        }
        if (offset > eocdAt || eocdAt - offset > MAX_CENTRAL_DIRECTORY) {
            throw new RejectedException("malformed zip: the central directory is said to start at " + offset + ", its end record is at "
                    + eocdAt);
        }
        byte[] cd;
        try {
            cd = zip.read(offset, (int) (eocdAt - offset));
        } catch (IOException e) {
            throw new RejectedException("unreadable zip: " + Why.of(e));
        }
        ByteBuffer b = ByteBuffer.wrap(cd).order(ByteOrder.LITTLE_ENDIAN);
        List<String> names = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < count; i++) {
            if (at + 46 > cd.length || b.getInt(at) != 0x02014b50) {
                throw new RejectedException("malformed zip: bad central directory entry " + i);
            }
            int nameLen = Short.toUnsignedInt(b.getShort(at + 28));
            int extraLen = Short.toUnsignedInt(b.getShort(at + 30));
            int commentLen = Short.toUnsignedInt(b.getShort(at + 32));
            if (at + 46 + nameLen > cd.length) {
                throw new RejectedException("malformed zip: central directory name out of bounds");
            }
            names.add(new String(cd, at + 46, nameLen, StandardCharsets.UTF_8));
            at += 46 + nameLen + extraLen + commentLen;
        }
        return names;
    }
}
