package dev.kiln.suites.ne;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The protobuf wire format, read side, for tests only: a message as its fields in order, so a test
 * can read back what {@link OnnxGraph} wrote without trusting the writer's own code.
 */
record ProtoReader(List<Field> fields) {
    /** One field: varints carry {@code number}, length-delimited fields {@code bytes}. */
    record Field(int field, int wireType, long number, byte[] bytes) {
        ProtoReader message() {
            return ProtoReader.parse(bytes);
        }

        String string() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        /** A packed repeated varint field. */
        List<Long> packed() {
            List<Long> out = new ArrayList<>();
            int[] at = {0};
            while (at[0] < bytes.length) {
                out.add(varint(bytes, at));
            }
            return out;
        }
    }

    static ProtoReader parse(byte[] b) {
        List<Field> out = new ArrayList<>();
        int[] at = {0};
        while (at[0] < b.length) {
            long tag = varint(b, at);
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            switch (wire) {
                case 0 -> out.add(new Field(field, 0, varint(b, at), null));
                case 2 -> {
                    int len = (int) varint(b, at);
                    if (len < 0 || at[0] + len > b.length) {
                        throw new IllegalArgumentException("field " + field + ": length " + len + " runs past the message");
                    }
                    byte[] v = java.util.Arrays.copyOfRange(b, at[0], at[0] + len);
                    at[0] += len;
                    out.add(new Field(field, 2, 0, v));
                }
                default -> throw new IllegalArgumentException("field " + field + ": wire type " + wire + " is not written by OnnxGraph");
            }
        }
        return new ProtoReader(out);
    }

    List<Field> all(int field) {
        return fields.stream().filter(f -> f.field() == field).toList();
    }

    Field one(int field) {
        List<Field> f = all(field);
        if (f.size() != 1) {
            throw new IllegalArgumentException("field " + field + " appears " + f.size() + " times");
        }
        return f.get(0);
    }

    private static long varint(byte[] b, int[] at) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[at[0]++];
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("varint longer than ten bytes");
    }
}
