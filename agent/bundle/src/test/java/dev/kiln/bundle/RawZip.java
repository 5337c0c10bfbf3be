package dev.kiln.bundle;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Builds zips by hand (stored entries), so tests can make what the JDK's writer refuses to:
 * duplicate names, unsafe names, a central directory that disagrees with the entries.
 */
final class RawZip {
    private record Entry(String localName, String centralName, byte[] data) {
    }

    private final List<Entry> entries = new ArrayList<>();

    RawZip add(String name, byte[] data) {
        entries.add(new Entry(name, name, data));
        return this;
    }

    /** An entry whose central directory record names something else than its local header. */
    RawZip addMismatched(String localName, String centralName, byte[] data) {
        entries.add(new Entry(localName, centralName, data));
        return this;
    }

    byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> offsets = new ArrayList<>();
        for (Entry e : entries) {
            offsets.add(out.size());
            byte[] name = e.localName().getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30 + name.length);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x0022).putInt(crc(e.data()))
                    .putInt(e.data().length).putInt(e.data().length).putShort((short) name.length).putShort((short) 0).put(name);
            out.writeBytes(h.array());
            out.writeBytes(e.data());
        }
        int cdStart = out.size();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = e.centralName().getBytes(StandardCharsets.UTF_8);
            ByteBuffer c = le(46 + name.length);
            c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x0022).putInt(crc(e.data())).putInt(e.data().length)
                    .putInt(e.data().length).putShort((short) name.length).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(offsets.get(i)).put(name);
            out.writeBytes(c.array());
        }
        int cdSize = out.size() - cdStart;
        ByteBuffer end = le(22);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(cdSize).putInt(cdStart).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int crc(byte[] d) {
        CRC32 c = new CRC32();
        c.update(d);
        return (int) c.getValue();
    }
}
