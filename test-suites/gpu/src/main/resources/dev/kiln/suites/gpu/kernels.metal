// Kiln GPU suite kernels in Metal Shading Language: the same work as kernels.cl, checked the same way
// (fma_dense bit for bit against Math.fma on the host, the memory kernels against a pattern the check
// kernel recomputes, and a sample of memory by the host too). Compiled at run time with fast math off.
// Never compiled on a Mac by this project yet (docs/on-hardware-checklist.md).
#include <metal_stdlib>
using namespace metal;

// The device's poison ahead of every FMA launch, in the same command buffer (serial dispatches).
kernel void poison(device uint *out [[buffer(0)]], constant uint &value [[buffer(1)]], uint g [[thread_position_in_grid]]) {
    out[g] = value;
}

// 128 independent chains per thread, x = fma(x, a, b), laid out as kernels.cl's float16 vectors:
// lane l of vector v of item g is chain (g * 8 + v) * 16 + l, with a[g * 16 + l] and b[g * 16 + l].
// MSL has no 16-wide vectors: four float4 per vector, one vector's 16 chains at a time (16 FMAs in
// flight per step). fma() rounds once, as Math.fma does; the order of steps per chain is the same.
kernel void fma_dense(device const float4 *a [[buffer(0)]], device const float4 *b [[buffer(1)]], device const float4 *x [[buffer(2)]],
                      device float4 *out [[buffer(3)]], constant int &iterations [[buffer(4)]], constant int &fault_item [[buffer(5)]],
                      constant int &spin [[buffer(6)]], uint g [[thread_position_in_grid]]) {
    float4 a0 = a[g * 4 + 0], a1 = a[g * 4 + 1], a2 = a[g * 4 + 2], a3 = a[g * 4 + 3];
    float4 b0 = b[g * 4 + 0], b1 = b[g * 4 + 1], b2 = b[g * 4 + 2], b3 = b[g * 4 + 3];
    int n = (spin > 0 && g == 0) ? spin : iterations;
    for (int v = 0; v < 8; v++) {
        uint at = (g * 8 + v) * 4;
        float4 x0 = x[at + 0], x1 = x[at + 1], x2 = x[at + 2], x3 = x[at + 3];
        for (int i = 0; i < n; i++) {
            x0 = fma(x0, a0, b0); x1 = fma(x1, a1, b1); x2 = fma(x2, a2, b2); x3 = fma(x3, a3, b3);
        }
        if ((int) g == fault_item && v == 3) {
            x0.x = as_type<float>(as_type<uint>(x0.x) ^ (1u << 13)); // one chain's result is wrong
        }
        out[at + 0] = x0; out[at + 1] = x1; out[at + 2] = x2; out[at + 3] = x3;
    }
}

uint pattern(ulong i, uint salt, uint mode) {
    uint w = (uint) i;
    switch (mode) {
        case 0: return w ^ salt;
        case 1: return ~(w ^ salt);
        case 2: return 1u << ((w + salt) & 31u);
        case 3: return ~(1u << ((w + salt) & 31u));
        default: {
            uint z = w * 0x9E3779B1u ^ salt;
            z ^= z >> 16; z *= 0x7FEB352Du; z ^= z >> 15; z *= 0x846CA68Bu; z ^= z >> 16;
            return z;
        }
    }
}

kernel void mem_fill(device uint *buf [[buffer(0)]], constant uint &salt [[buffer(1)]], constant uint &mode [[buffer(2)]],
                     uint i [[thread_position_in_grid]]) {
    buf[i] = pattern(i, salt, mode);
}

kernel void mem_check(device const uint *buf [[buffer(0)]], constant uint &salt [[buffer(1)]], constant uint &mode [[buffer(2)]],
                      device atomic_uint *count [[buffer(3)]], device ulong *where [[buffer(4)]], device uint *what [[buffer(5)]],
                      constant uint &keep [[buffer(6)]], constant uint &sabotage [[buffer(7)]], uint i [[thread_position_in_grid]]) {
    if (sabotage != 0) {
        return;
    }
    uint v = buf[i];
    if (v != pattern(i, salt, mode)) {
        uint k = atomic_fetch_add_explicit(count, 1u, memory_order_relaxed);
        if (k < keep) {
            where[k] = i;
            what[k] = v;
        }
    }
}
