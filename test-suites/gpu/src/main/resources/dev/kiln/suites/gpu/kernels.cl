// Kiln GPU suite kernels. Every result is checked on the host: fma_chain bit for bit against the
// same arithmetic in Java (Math.fma is correctly rounded, as OpenCL's fma() is), the memory
// kernels against a pattern the check kernel recomputes.
#pragma OPENCL FP_CONTRACT OFF

// Two FMA chains per work-item; every intermediate value is folded into an integer hash, so an
// error anywhere in the chain survives to the end (the chains themselves converge, which would
// otherwise damp a transient error away).
__kernel void fma_chain(__global const float *a, __global const float *b, __global const float *x0,
                        __global uint *out, const int iterations, const int fault_item) {
    int g = get_global_id(0);
    float av = a[g];
    float bv = b[g];
    float x = x0[g];
    float y = x0[g];
    uint h = (uint) g;
    for (int i = 0; i < iterations; i++) {
        x = fma(x, av, bv);
        y = fma(y, av, -bv);
        h = h * 0x9E3779B1u + (as_uint(x) ^ as_uint(y));
    }
    if (g == fault_item) {
        h ^= 1u << 13; // the fault-injection seam: one item's result is wrong
    }
    out[g] = h;
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

// Counts every wrong word; keeps the index and value of the first `keep`.
__kernel void mem_check(__global const uint *buf, const uint salt, const uint mode, __global uint *count,
                        __global ulong *where, __global uint *what, const uint keep) {
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
