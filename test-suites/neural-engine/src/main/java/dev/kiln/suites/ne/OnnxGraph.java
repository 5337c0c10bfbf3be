package dev.kiln.suites.ne;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an ONNX model (onnx.proto, IR version 8, default opset 17) with static-shape tensors of one
 * floating-point type, FLOAT (fp32) or FLOAT16 (fp16: what the Neural Engine computes in; Core ML
 * runs an fp32-typed ML Program in fp32, on CPU or GPU, whatever the compute units asked for): the
 * messages ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and the few
 * they hold, nothing else. Field numbers are onnx.proto's.
 */
final class OnnxGraph {
    static final long IR_VERSION = 8;
    static final long OPSET = 17;
    /** TensorProto.DataType values. */
    static final int FLOAT = 1;
    static final int FLOAT16 = 10;
    static final int INT64 = 7;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private final List<Proto> nodes = new ArrayList<>();
    private final List<Proto> initializers = new ArrayList<>();
    private final List<Proto> inputs = new ArrayList<>();
    private final List<Proto> outputs = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final int floatType;

    /** A graph whose float tensors (inputs, outputs, float initializers) are all fp32. */
    OnnxGraph() {
        this(FLOAT);
    }

    /** @param floatType {@link #FLOAT} or {@link #FLOAT16}: the type of every float tensor of the graph */
    OnnxGraph(int floatType) {
        if (floatType != FLOAT && floatType != FLOAT16) {
            throw new IllegalArgumentException("float type " + floatType + ": only FLOAT (1) and FLOAT16 (10)");
        }
        this.floatType = floatType;
    }

    int floatType() {
        return floatType;
    }

    OnnxGraph input(String name, long... dims) {
        inputs.add(valueInfo(name, dims));
        return this;
    }

    OnnxGraph output(String name, long... dims) {
        outputs.add(valueInfo(name, dims));
        return this;
    }

    /**
     * A float constant of the graph's float type, stored little-endian in raw_data. In fp16 every
     * value must be an fp16 number already: a value the conversion would round is refused, so the
     * fp16 model and an fp32 one written from the same values hold exactly the same numbers.
     */
    OnnxGraph initializer(String name, float[] data, long... dims) {
        ByteBuffer b;
        if (floatType == FLOAT16) {
            b = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; i++) {
                short h = Float.floatToFloat16(data[i]);
                if (Float.compare(Float.float16ToFloat(h), data[i]) != 0) {
                    throw new IllegalArgumentException(name + "[" + i + "] = " + data[i] + " is not an fp16 number");
                }
                b.putShort(h);
            }
        } else {
            b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(data);
        }
        initializers.add(new Proto().packed(1, dims).varint(2, floatType).string(8, name).bytes(9, b.array()));
        return this;
    }

    /** An int64 constant (a shape for Reshape). */
    OnnxGraph initializer(String name, long[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        initializers.add(new Proto().packed(1, dims).varint(2, INT64).string(8, name).bytes(9, b.array()));
        return this;
    }

    /**
     * A node. Attribute values are {@code Long} (INT) or {@code long[]} (INTS).
     */
    OnnxGraph node(String op, List<String> in, List<String> out, Map<String, Object> attributes) {
        Proto n = new Proto();
        in.forEach(s -> n.string(1, s));
        out.forEach(s -> n.string(2, s));
        n.string(3, out.get(0) + "_" + op.toLowerCase(java.util.Locale.ROOT));
        n.string(4, op);
        attributes.forEach((k, v) -> {
            Proto a = new Proto().string(1, k);
            switch (v) {
                case Long l -> a.varint(3, l).varint(20, ATTR_INT);
                case long[] ls -> a.packed(8, ls).varint(20, ATTR_INTS);
                default -> throw new IllegalArgumentException("attribute " + k + ": " + v.getClass());
            }
            n.message(5, a);
        });
        nodes.add(n);
        return this;
    }

    OnnxGraph metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    byte[] toModel(String graphName) {
        Proto g = new Proto();
        nodes.forEach(n -> g.message(1, n));
        g.string(2, graphName);
        initializers.forEach(t -> g.message(5, t));
        inputs.forEach(v -> g.message(11, v));
        outputs.forEach(v -> g.message(12, v));
        Proto m = new Proto().varint(1, IR_VERSION).string(2, "kiln").string(3, "1");
        m.message(7, g);
        m.message(8, new Proto().string(1, "").varint(2, OPSET));
        metadata.forEach((k, v) -> m.message(14, new Proto().string(1, k).string(2, v)));
        return m.toByteArray();
    }

    private Proto valueInfo(String name, long[] dims) {
        Proto shape = new Proto();
        for (long d : dims) {
            shape.message(1, new Proto().varint(1, d));
        }
        Proto tensorType = new Proto().varint(1, floatType).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }
}
