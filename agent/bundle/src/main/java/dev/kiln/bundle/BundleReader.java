package dev.kiln.bundle;

import java.io.ByteArrayInputStream;
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

    /** Entries by name, in zip order. */
    public static Map<String, byte[]> read(byte[] zip, BundleLimits limits) throws RejectedException {
        if (zip.length > limits.maxBundleBytes()) {
            throw new RejectedException("bundle is " + zip.length + " bytes, over the limit of " + limits.maxBundleBytes());
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        long expanded = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
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
                if (entries.containsKey(name)) {
                    throw new RejectedException("duplicate entry '" + name + "'");
                }
                if (entries.size() >= limits.maxEntries()) {
                    throw new RejectedException("more than " + limits.maxEntries() + " entries");
                }
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                for (int n; (n = in.read(buf)) > 0; ) {
                    expanded += n;
                    if (expanded > limits.maxExpandedBytes()) {
                        throw new RejectedException("expands past the limit of " + limits.maxExpandedBytes()
                                + " bytes (at entry '" + name + "'): refused as a zip bomb");
                    }
                    data.write(buf, 0, n);
                }
                entries.put(name, data.toByteArray());
            }
        } catch (ZipException e) {
            throw new RejectedException("malformed zip: " + e.getMessage());
        } catch (IOException e) {
            throw new RejectedException("unreadable zip: " + e.getMessage());
        }
        if (entries.isEmpty()) {
            throw new RejectedException("not a zip, or an empty one");
        }
        List<String> central = centralDirectoryNames(zip);
        if (!central.equals(new ArrayList<>(entries.keySet()))) {
            throw new RejectedException("the central directory lists " + central + " but the entries are "
                    + entries.keySet() + ": tools would show other files than were verified");
        }
        return entries;
    }

    /** Entry names as the central directory lists them (what unzip and most tools use). */
    static List<String> centralDirectoryNames(byte[] zip) throws RejectedException {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65535); i--) {
            if (b.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new RejectedException("malformed zip: no end of central directory");
        }
        int count = Short.toUnsignedInt(b.getShort(eocd + 10));
        long offset = Integer.toUnsignedLong(b.getInt(eocd + 16));
        List<String> names = new ArrayList<>();
        int at = (int) Math.min(offset, Integer.MAX_VALUE);
        for (int i = 0; i < count; i++) {
            if (at < 0 || at + 46 > zip.length || b.getInt(at) != 0x02014b50) {
                throw new RejectedException("malformed zip: bad central directory entry " + i);
            }
            int nameLen = Short.toUnsignedInt(b.getShort(at + 28));
            int extraLen = Short.toUnsignedInt(b.getShort(at + 30));
            int commentLen = Short.toUnsignedInt(b.getShort(at + 32));
            if (at + 46 + nameLen > zip.length) {
                throw new RejectedException("malformed zip: central directory name out of bounds");
            }
            names.add(new String(zip, at + 46, nameLen, StandardCharsets.UTF_8));
            at += 46 + nameLen + extraLen + commentLen;
        }
        return names;
    }
}
