package dev.kiln.suites.ne;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf wire format, write side only, for the few ONNX messages the suite needs: varints
 * (wire type 0) and length-delimited fields (wire type 2: strings, bytes, nested messages, packed
 * repeated integers). Fields are written in the order called; protobuf readers accept any order.
 */
final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
        tag(field, 0);
        raw(value);
        return this;
    }

    Proto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto bytes(int field, byte[] value) {
        tag(field, 2);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    Proto message(int field, Proto value) {
        return bytes(field, value.toByteArray());
    }

    /** A packed repeated int64 (or int32, enum) field. */
    Proto packed(int field, long... values) {
        Proto body = new Proto();
        for (long v : values) {
            body.raw(v);
        }
        return bytes(field, body.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    /** Base-128 varint, least significant group first; negative numbers take ten bytes, as protobuf says. */
    private void raw(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }
}
