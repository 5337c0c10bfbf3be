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
echo "== $("$ROOT/bench/cpu-id.sh")" | tee "$OUT/cpu-id.txt"
echo "== fmapeak (C, AVX intrinsics), before (three runs)"
peak; peak; peak
echo "== Kiln CPU kernels"
# The launcher builds the jar when needed and runs the benchmark's entry point with the agent's JDK and flags.
KILN_MAIN_CLASS=dev.kiln.suites.cpu.KernelBench "$ROOT/kiln" "$SECONDS_PER_SAMPLE" 2 2>/dev/null | tee "$OUT/kiln.txt"
echo "== fmapeak, after (two runs)"
peak; peak

awk -v kiln="$OUT/kiln.txt" -v cpuid="$OUT/cpu-id.txt" '
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
    while ((getline line < cpuid) > 0) print line
    if (n512) { p2 = s512 / n512; p1 = t512 / m512; w = "AVX-512" } else { p2 = s256 / n256; p1 = t256 / m256; w = "AVX2" }
    printf "FMA kernel, 2 threads: %.1f GFLOP/s = %.2f of fmapeak %s 2-thread peak (%.1f)   goal >= 0.85\n", k2, k2 / p2, w, p2
    printf "FMA kernel, 1 thread:  %.1f GFLOP/s = %.2f of fmapeak %s 1-thread peak (%.1f)   goal >= 0.85\n", k1, k1 / p1, w, p1
  }' "$OUT/fmapeak.txt"
echo "Verification cost per kernel (goal <= 5%):"
grep '^verify-cost' "$OUT/kiln.txt" | sed 's/^verify-cost /  /'
# The spread (issue 19): each thread's own rate over 16 alternating samples of 1 and 2 threads in one JVM,
# against the spread of fmapeak's per-core figure over its five runs (the same machine, the same minutes).
med() { sort -g | awk '{v[NR]=$1} END {if (NR % 2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
w=$(grep -q 'AVX-512 FP64 FMA' "$OUT/fmapeak.txt" && echo 'AVX-512' || echo 'AVX2')
p1=$(grep "^$w FP64 FMA, threads=1:" "$OUT/fmapeak.txt" | awk '{print $8}' | med)
p2=$(grep "^$w FP64 FMA, threads=2:" "$OUT/fmapeak.txt" | awk '{print $8}' | med)
r1=$(grep "^$w FP64 FMA, threads=1:" "$OUT/fmapeak.txt" | awk '{print $8}' | sort -g | sed -n '1p;$p' | paste -sd- -)
r2=$(grep "^$w FP64 FMA, threads=2:" "$OUT/fmapeak.txt" | awk '{print $8}' | sort -g | sed -n '1p;$p' | paste -sd- -)
k1=$(sed -n 's/^fma-spread threads=1 median=\([0-9.]*\).*/\1/p' "$OUT/kiln.txt")
k2=$(sed -n 's/^fma-spread threads=2 per-thread median=\([0-9.]*\).*/\1/p' "$OUT/kiln.txt")
if [ -n "$k1" ] && [ -n "$k2" ]; then
  echo "Spread (medians; per thread / per core):"
  grep '^fma-spread' "$OUT/kiln.txt" | sed 's/^/  /'
  printf '  fmapeak %s per core: 1 thread median %s (range %s), 2 threads median %s (range %s)\n' "$w" "$p1" "$r1" "$p2" "$r2"
  printf '  a second thread: per-thread median %.2f x the one-thread median (1.00 = no interference)\n' "$(echo "$k2 / $k1" | bc -l)"
  printf '  medians against fmapeak medians: 1 thread %.2f, 2 threads %.2f\n' "$(echo "$k1 / $p1" | bc -l)" "$(echo "$k2 / $p2" | bc -l)"
fi
