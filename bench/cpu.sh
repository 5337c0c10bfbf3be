#!/usr/bin/env bash
# CPU suite benchmark: the FMA kernel against the machine's measured FMA peak (shared/bench/fmapeak.c),
# and the cost of verification of every kernel (verified vs unverified throughput).
# Goals (issue 2): FMA kernel >= 0.5 of the two-thread peak; verification cost <= 5% per kernel.
# Usage: bench/cpu.sh [seconds-per-sample]     (x86-64 Linux; fmapeak uses AVX-512/AVX2 intrinsics)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KILN_SHARED:-$ROOT/../shared}"
OUT="$ROOT/bench/out"
SECONDS_PER_SAMPLE="${1:-1}"
mkdir -p "$OUT"

[ -f "$SHARED/bench/fmapeak.c" ] || { echo "bench: $SHARED/bench/fmapeak.c not found (set KILN_SHARED)" >&2; exit 1; }
gcc -O3 -march=native -fopenmp -o "$OUT/fmapeak" "$SHARED/bench/fmapeak.c"

peak() { "$OUT/fmapeak" | tee -a "$OUT/fmapeak.txt"; }
: > "$OUT/fmapeak.txt"
echo "== fmapeak (C, AVX intrinsics), before"
peak
echo "== Kiln CPU kernels"
# The launcher builds the jar when needed and runs the benchmark's entry point with the agent's JDK and flags.
KILN_MAIN_CLASS=dev.kiln.suites.cpu.KernelBench "$ROOT/kiln" "$SECONDS_PER_SAMPLE" 2 2>/dev/null | tee "$OUT/kiln.txt"
echo "== fmapeak, after"
peak

awk -v kiln="$OUT/kiln.txt" '
  /threads=2:/ && /AVX-512/ { s512 += $5; n512++ }
  /threads=2:/ && /^AVX2/   { s256 += $5; n256++ }
  END {
    while ((getline line < kiln) > 0) {
      if (line ~ /^fma-gflops threads=2/) { split(line, f, " "); k2 = f[3] }
      if (line ~ /^fma-gflops threads=1/) { split(line, f, " "); k1 = f[3] }
    }
    print ""
    print "== Ratios (anchor measured in this run)"
    if (n512) printf "FMA kernel, 2 threads: %.1f GFLOP/s = %.2f of fmapeak AVX-512 2-thread peak (%.1f)   goal >= 0.50\n", k2, k2 / (s512 / n512), s512 / n512
    if (n256) printf "FMA kernel, 2 threads: %.2f of fmapeak AVX2 2-thread peak (%.1f)\n", k2 / (s256 / n256), s256 / n256
    printf "FMA kernel, 1 thread:  %.1f GFLOP/s\n", k1
  }' "$OUT/fmapeak.txt"
echo "Verification cost per kernel (goal <= 5%):"
grep '^verify-cost' "$OUT/kiln.txt" | sed 's/^verify-cost /  /'
