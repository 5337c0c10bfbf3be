#!/usr/bin/env bash
# CPU suite benchmark: the FMA kernel against the machine's measured FMA peak (shared/bench/fmapeak.c),
# and the cost of verification of every kernel (verified vs unverified throughput).
# Goals: FMA kernel >= 0.85 of fmapeak's peak, 1 and 2 threads (issue 19; AVX-512 where present, else
# AVX2); verification cost <= 5% per kernel. The CPU model and the FMA block the suite's calibration
# chose (every shape's figure) are printed beside the ratios: figures per CPU in docs/cpu-figures.md.
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
  /threads=1:/ && /AVX-512/ { t512 += $5; m512++ }
  /threads=1:/ && /^AVX2/   { t256 += $5; m256++ }
  END {
    while ((getline line < kiln) > 0) {
      if (line ~ /^fma-gflops threads=2/) { split(line, f, " "); k2 = f[3] }
      if (line ~ /^fma-gflops threads=1/) { split(line, f, " "); k1 = f[3] }
      if (line ~ /^# cpu:/ || line ~ /^# fma-matrix/) print line
    }
    print ""
    print "== Ratios (anchor measured in this run)"
    if (n512) { p2 = s512 / n512; p1 = t512 / m512; w = "AVX-512" } else { p2 = s256 / n256; p1 = t256 / m256; w = "AVX2" }
    printf "FMA kernel, 2 threads: %.1f GFLOP/s = %.2f of fmapeak %s 2-thread peak (%.1f)   goal >= 0.85\n", k2, k2 / p2, w, p2
    printf "FMA kernel, 1 thread:  %.1f GFLOP/s = %.2f of fmapeak %s 1-thread peak (%.1f)   goal >= 0.85\n", k1, k1 / p1, w, p1
  }' "$OUT/fmapeak.txt"
echo "Verification cost per kernel (goal <= 5%):"
grep '^verify-cost' "$OUT/kiln.txt" | sed 's/^verify-cost /  /'
