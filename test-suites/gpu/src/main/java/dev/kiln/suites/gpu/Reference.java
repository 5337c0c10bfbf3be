package dev.kiln.suites.gpu;

/**
 * The kernels' arithmetic in Java, for the answers the device must give: {@code fma_dense} bit for
 * bit ({@link Math#fma(float, float, float)} rounds once, as OpenCL's {@code fma()} must, and the
 * kernels are compiled with {@code FP_CONTRACT OFF}), and the memory kernels' patterns.
 */
final class Reference {
    static final String[] MODES = {"address", "address-inverted", "walking-one", "walking-zero", "random"};

    private Reference() {
    }

    /** What one chain of {@code fma_dense} must end with: x = fma(x, a, b), {@code iterations} times. */
    static float dense(float a, float b, float x0, int iterations) {
        float x = x0;
        for (int i = 0; i < iterations; i++) {
            x = Math.fma(x, a, b);
        }
        return x;
    }

    /** What word {@code i} must hold after {@code mem_fill} with this salt and mode. */
    static int pattern(long i, int salt, int mode) {
        int w = (int) i;
        return switch (mode) {
            case 0 -> w ^ salt;
            case 1 -> ~(w ^ salt);
            case 2 -> 1 << ((w + salt) & 31);
            case 3 -> ~(1 << ((w + salt) & 31));
            default -> {
                int z = w * 0x9E3779B1 ^ salt;
                z ^= z >>> 16;
                z *= 0x7FEB352D;
                z ^= z >>> 15;
                z *= 0x846CA68B;
                z ^= z >>> 16;
                yield z;
            }
        };
    }
}
