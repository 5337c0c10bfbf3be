#!/usr/bin/env bash
# GPU suite benchmark. On every OpenCL device (here PoCL's CPU device): the dense FMA kernel's FLOP/s
# against this machine's FP32 FMA peak (twice shared/bench/fmapeak.c's FP64 figure: FP32 vectors hold
# twice the lanes), measured in the same run, goal >= 0.4 (issue 14: proof the kernel is
# compute-dense, not latency-bound); what checking every chain costs (read-back and compare time over
# kernel time), goal <= 0.05; the device-memory pass's GB/s against membw's memcpy traffic; the
# transfers' GB/s by path. On a real GPU the FP32 peak is compute units x clock x lanes x 2; the
# device is named in the output.
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
# on a Mac the same kernel through Metal and through Apple's OpenCL: the figures choose the default API
APIS="${GPU_APIS:-$([ "$(uname -s)" = Darwin ] && echo metal,opencl || echo opencl)}"
KILN_MAIN_CLASS=dev.kiln.suites.gpu.GpuBench "$ROOT/kiln" "$TYPE" 10 256 16384 "$APIS" 2>/dev/null | tee "$OUT/gpu.txt"
echo "== ratios (same run)"
awk '
  FILENAME ~ /gpu-fmapeak/ && /AVX-512/ && /threads=2:/ { peak = $5 }
  FILENAME ~ /gpu-membw/ && /^threads=2/ { split($0, p, "|"); for (i in p) if (p[i] ~ /copy\(memcpy\)/) { match(p[i], /\(([0-9.]+) GB\/s r\+w/); s = substr(p[i], RSTART + 1); sub(/ GB.*/, "", s); rw = s } }
  FILENAME ~ /gpu.txt/ && /^gpu api=/ {
    for (i = 1; i <= NF; i++) {
      if ($i ~ /^fma_GFLOPs=/) f = substr($i, 12); if ($i ~ /^memory_GBps=/) m = substr($i, 13)
      if ($i ~ /^check_share=/) c = substr($i, 13); if ($i ~ /^transfer_plain_GBps=/) tp = substr($i, 21); if ($i ~ /^transfer_mapped_GBps=/) tm = substr($i, 22)
      if ($i ~ /^poison_share=/) ps = substr($i, 14)
    }
    printf "%s\n  dense FMA %.1f GFLOP/s = %.2f of the FP32 FMA peak %.1f (2 x fmapeak FP64 2-thread %.1f; goal >= 0.4)\n", $0, f, f / (2 * peak), 2 * peak, peak
    printf "  check of every chain: %.4f of kernel time (goal <= 0.05)\n", c
    printf "  poisoning the host copy before each launch (dropped work; the device fill is in the kernel time): %.4f of kernel time\n", ps
    printf "  device memory %.2f GB/s = %.2f of membw memcpy r+w traffic %.2f GB/s\n  transfers (32 MiB round trips): plain %.2f GB/s, mapped %.2f GB/s\n", m, m / rw, rw, tp, tm
  }' "$OUT/gpu-fmapeak.txt" "$OUT/gpu-membw.txt" "$OUT/gpu.txt"
