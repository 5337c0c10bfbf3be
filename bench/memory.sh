#!/usr/bin/env bash
# Memory suite benchmark (issue 6), every figure in one run, side by side, as ratios:
# - fill and verify GB/s, 1 and 2 threads, against shared/bench/membw.c on the same buffer size
#   (goals: fill >= 0.9, verify >= 0.85 of the C figures);
# - Kiln's memtester-equivalent family set on 1 GiB against `memtester 1G 1` (goal >= 3x faster);
# - checksummed copy throughput against `stressapptest -M 4096 -s 30 -W` (goal >= 1.0x).
# memtester and stressapptest come from Debian (apt-get install memtester stressapptest).
# Usage: bench/memory.sh [GiB]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KILN_SHARED:-$ROOT/../shared}"
OUT="$ROOT/bench/out"
GIB="${1:-1}"
mkdir -p "$OUT"
gcc -O3 -march=native -fopenmp -o "$OUT/membw" "$SHARED/bench/membw.c"
echo "== membw (C), $GIB GiB"
"$OUT/membw" "$GIB" 5 1 | tee "$OUT/membw.txt"
echo "== Kiln"
KILN_MAIN_CLASS=dev.kiln.suites.memory.MemoryBench "$ROOT/kiln" "$GIB" 5 2>/dev/null | tee "$OUT/kiln-memory.txt"
if command -v memtester >/dev/null; then
  echo "== memtester 1G 1"
  t0=$(date +%s.%N); memtester 1G 1 > "$OUT/memtester.txt" 2>&1 || true; t1=$(date +%s.%N)
  echo "memtester seconds=$(echo "$t1 - $t0" | bc -l)" | tee -a "$OUT/kiln-memory.txt"
else
  echo "(memtester not installed: apt-get install memtester)"
fi
if command -v stressapptest >/dev/null; then
  echo "== stressapptest -M 4096 -s 30 -W"
  stressapptest -M 4096 -s 30 -W 2>&1 | tee "$OUT/stressapptest.txt" | grep -E "Stats: (Data Copy|Memory Copy)|Status" || true
else
  echo "(stressapptest not installed: apt-get install stressapptest)"
fi
cat "$OUT/membw.txt" "$OUT/kiln-memory.txt"
