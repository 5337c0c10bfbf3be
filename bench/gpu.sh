#!/usr/bin/env bash
# GPU suite benchmark (informational: no issue has set a goal yet). On every OpenCL device (here PoCL's
# CPU device), the FMA chains' FLOP/s and the device-memory pass's GB/s, printed beside this machine's
# FMA peak (shared/bench/fmapeak.c, FP64) and memory bandwidth (membw.c), measured in the same run.
# The FMA chains are FP32 with an integer hash folded in per step, so on a CPU device the FP64 peak is
# only a scale, not a like-for-like ceiling (FP32 vectors hold twice the lanes; the hash costs issue slots).
# Usage: bench/gpu.sh [device type: all]   (needs an OpenCL runtime: Debian pocl-opencl-icd + ocl-icd-opencl-dev)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KILN_SHARED:-$ROOT/../shared}"
OUT="$ROOT/bench/out"
TYPE="${1:-all}"
mkdir -p "$OUT"
gcc -O3 -march=native -fopenmp -o "$OUT/fmapeak" "$SHARED/bench/fmapeak.c"
gcc -O3 -march=native -fopenmp -o "$OUT/membw" "$SHARED/bench/membw.c"
echo "== fmapeak (C)"; "$OUT/fmapeak" | tee "$OUT/gpu-fmapeak.txt"
echo "== membw (C), 1 GiB"; "$OUT/membw" 1 5 1 | tee "$OUT/gpu-membw.txt"
echo "== Kiln GPU kernels"
KILN_MAIN_CLASS=dev.kiln.suites.gpu.GpuBench "$ROOT/kiln" "$TYPE" 5 256 2>/dev/null | tee "$OUT/gpu.txt"
echo "== ratios (same run)"
awk '
  FILENAME ~ /gpu-fmapeak/ && /AVX-512/ && /threads=2:/ { peak = $5 }
  FILENAME ~ /gpu-membw/ && /^threads=2/ { split($0, p, "|"); for (i in p) if (p[i] ~ /copy\(memcpy\)/) { match(p[i], /\(([0-9.]+) GB\/s r\+w/); s = substr(p[i], RSTART + 1); sub(/ GB.*/, "", s); rw = s } }
  FILENAME ~ /gpu.txt/ && /^gpu device/ {
    for (i = 1; i <= NF; i++) { if ($i ~ /^fma_GFLOPs=/) f = substr($i, 12); if ($i ~ /^memory_GBps=/) m = substr($i, 13) }
    printf "%s\n  FMA chains %.1f GFLOP/s = %.2f of fmapeak FP64 2-thread %.1f (scale only)\n  device memory %.2f GB/s = %.2f of membw memcpy r+w traffic %.2f GB/s\n", $0, f, f / peak, peak, m, m / rw, rw
  }' "$OUT/gpu-fmapeak.txt" "$OUT/gpu-membw.txt" "$OUT/gpu.txt"
