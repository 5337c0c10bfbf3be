// Kiln GPU suite kernels. Every result is checked on the host: fma_dense bit for bit against the
// same arithmetic in Java (Math.fma is correctly rounded, as OpenCL's fma() is), the memory
// kernels against a pattern the check kernel recomputes, and a sample of memory by the host too.
#pragma OPENCL FP_CONTRACT OFF

// The compute-dense load: every work-item runs 128 independent FMA chains, x = fma(x, a, b), as
// eight float16 accumulators (on a CPU device sixteen-lane vector FMAs, eight in flight; on a GPU
// the lanes are scalar, and 128 chains give each work-item its own parallelism). With a just below
// 1 an error at any step is hardly damped, and fma() rounds once, as Java's Math.fma does, so the
// host knows every chain's final value bit for bit. `spin` > 0 (the fault seam for a launch that
// never ends) makes item 0 run that many steps instead.
__kernel void fma_dense(__global const float16 *a, __global const float16 *b, __global const float16 *x,
                        __global float16 *out, const int iterations, const int fault_item, const int spin) {
    int g = get_global_id(0);
    float16 av = a[g];
    float16 bv = b[g];
    float16 x0 = x[g * 8 + 0], x1 = x[g * 8 + 1], x2 = x[g * 8 + 2], x3 = x[g * 8 + 3];
    float16 x4 = x[g * 8 + 4], x5 = x[g * 8 + 5], x6 = x[g * 8 + 6], x7 = x[g * 8 + 7];
    int n = (spin > 0 && g == 0) ? spin : iterations;
    for (int i = 0; i < n; i++) {
        x0 = fma(x0, av, bv); x1 = fma(x1, av, bv); x2 = fma(x2, av, bv); x3 = fma(x3, av, bv);
        x4 = fma(x4, av, bv); x5 = fma(x5, av, bv); x6 = fma(x6, av, bv); x7 = fma(x7, av, bv);
    }
    if (g == fault_item) {
        x3 = as_float16(as_uint16(x3) ^ (uint16)(1u << 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)); // one chain's result is wrong
    }
    out[g * 8 + 0] = x0; out[g * 8 + 1] = x1; out[g * 8 + 2] = x2; out[g * 8 + 3] = x3;
    out[g * 8 + 4] = x4; out[g * 8 + 5] = x5; out[g * 8 + 6] = x6; out[g * 8 + 7] = x7;
}

uint pattern(ulong i, uint salt, uint mode) {
    uint w = (uint) i;
    switch (mode) {
        case 0: return w ^ salt;                    // address in address
        case 1: return ~(w ^ salt);                 // its inverse
        case 2: return 1u << ((w + salt) & 31u);    // walking one
        case 3: return ~(1u << ((w + salt) & 31u)); // walking zero
        default: {                                  // seeded random (a 32-bit finaliser)
            uint z = w * 0x9E3779B1u ^ salt;
            z ^= z >> 16; z *= 0x7FEB352Du; z ^= z >> 15; z *= 0x846CA68Bu; z ^= z >> 16;
            return z;
        }
    }
}

__kernel void mem_fill(__global uint *buf, const uint salt, const uint mode) {
    ulong i = get_global_id(0);
    buf[i] = pattern(i, salt, mode);
}

// Counts every wrong word; keeps the index and value of the first `keep`. `sabotage` (the fault seam
// for a check kernel that silently does nothing) makes it return at once: the host's own read-back
// of the buffer must then find what it missed.
__kernel void mem_check(__global const uint *buf, const uint salt, const uint mode, __global uint *count,
                        __global ulong *where, __global uint *what, const uint keep, const uint sabotage) {
    if (sabotage) {
        return;
    }
    ulong i = get_global_id(0);
    uint v = buf[i];
    if (v != pattern(i, salt, mode)) {
        uint k = atomic_inc(count);
        if (k < keep) {
            where[k] = i;
            what[k] = v;
        }
    }
}
