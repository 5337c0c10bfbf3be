#!/usr/bin/env bash
# Memory suite benchmark (issue 6): every figure in one run, side by side, printed as ratios.
# - fill and verify GB/s, 1 and 2 threads, against shared/bench/membw.c on the same buffer size
#   (goals: fill >= 0.9, verify >= 0.85 of the C figures). Periodic patterns (most of memtester's
#   sweeps) fill by replicating one block with memcpy (non-temporal stores): compared with membw's
#   NT-stream writes; computed patterns store word by word: compared with its plain stores;
# - Kiln's family set with memtester's sweep counts (1,304 full-buffer sweeps) on 1 GiB against
#   `memtester 1G 1` (goal >= 3x faster);
# - checksummed copy throughput against `stressapptest -M 4096 -s 30 -W` (goal >= 1.0x), both on
#   4 GiB and 2 threads; stressapptest's "MB" are MiB, converted here.
# memtester and stressapptest come from Debian (apt-get install memtester stressapptest).
# Usage: bench/memory.sh [GiB for fill/verify/patterns, default 1]   (SKIP_MEMTESTER=1 skips the ~5 min memtester run)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KILN_SHARED:-$ROOT/../shared}"
OUT="$ROOT/bench/out"
GIB="${1:-1}"
mkdir -p "$OUT"
gcc -O3 -march=native -fopenmp -o "$OUT/membw" "$SHARED/bench/membw.c"
echo "== membw (C), $GIB GiB"
"$OUT/membw" "$GIB" 5 1 | tee "$OUT/membw.txt"
echo "== Kiln (MemoryBench: fill/verify $GIB GiB, family set $GIB GiB, copy 4 GiB)"
KILN_MAIN_CLASS=dev.kiln.suites.memory.MemoryBench "$ROOT/kiln" "$GIB" 5 4 2>/dev/null | tee "$OUT/kiln-memory.txt"
: > "$OUT/memtester-time.txt"
if [ "${SKIP_MEMTESTER:-0}" != 1 ] && command -v memtester >/dev/null; then
  echo "== memtester ${GIB}G 1"
  t0=$(date +%s.%N); memtester "${GIB}G" 1 > "$OUT/memtester.txt" 2>&1 || true; t1=$(date +%s.%N)
  echo "memtester seconds=$(echo "$t1 - $t0" | bc -l)" | tee "$OUT/memtester-time.txt"
else
  echo "(memtester skipped or not installed: apt-get install memtester)"
fi
: > "$OUT/stressapptest.txt"
if command -v stressapptest >/dev/null; then
  echo "== stressapptest -M 4096 -s 30 -W"
  stressapptest -M 4096 -s 30 -W > "$OUT/stressapptest.txt" 2>&1 || true
  grep -E "Stats: Memory Copy|Status" "$OUT/stressapptest.txt" || true
else
  echo "(stressapptest not installed: apt-get install stressapptest)"
fi
echo "== ratios (Kiln / anchor, same run)"
awk '
  FILENAME ~ /membw/ && /^threads=/ {
    t = substr($1, 9); split($0, parts, "|")
    for (i in parts) {
      if (parts[i] ~ /plain stores/) { match(parts[i], /[0-9.]+ GB/); cfill[t] = substr(parts[i], RSTART, RLENGTH - 3) }
      if (parts[i] ~ /NT stream/) { match(parts[i], /[0-9.]+ GB/); cnt[t] = substr(parts[i], RSTART, RLENGTH - 3) }
      if (parts[i] ~ /read\(sum\)/) { match(parts[i], /[0-9.]+ GB/); cread[t] = substr(parts[i], RSTART, RLENGTH - 3) }
      if (parts[i] ~ /copy\(memcpy\)/) { match(parts[i], /[0-9.]+ GB/); ccopy[t] = substr(parts[i], RSTART, RLENGTH - 3) }
    }
  }
  FILENAME ~ /kiln-memory/ && /^kiln threads=/ {
    t = substr($2, 9); kfill[t] = substr($3, 11); kcomp[t] = substr($4, 20); kver[t] = substr($5, 13)
  }
  FILENAME ~ /kiln-memory/ && /memtester-set/ { kset = substr($3, 9) }
  FILENAME ~ /kiln-memory/ && /^kiln copy MBps/ { kcopy = substr($3, 6) / 1000 }
  FILENAME ~ /kiln-memory/ && /^kiln copy-round/ { kround = substr($3, 6) / 1000 }
  FILENAME ~ /memtester-time/ { mt = substr($2, 9) }
  FILENAME ~ /stressapptest/ && /Stats: Memory Copy/ { v = $NF; sub(/MB\/s/, "", v); sat = v * 1048576 / 1e9 }
  END {
    for (t = 1; t <= 2; t++) {
      if (cnt[t] > 0) printf "fill, periodic pattern  %d thread(s): %6.2f GB/s vs membw NT stream    %6.2f = %.2f (goal >= 0.90)\n", t, kfill[t], cnt[t], kfill[t] / cnt[t]
      if (cfill[t] > 0) printf "fill, computed pattern  %d thread(s): %6.2f GB/s vs membw plain stores %6.2f = %.2f (goal >= 0.90)\n", t, kcomp[t], cfill[t], kcomp[t] / cfill[t]
      if (cread[t] > 0) printf "verify                  %d thread(s): %6.2f GB/s vs membw read(sum)    %6.2f = %.2f (goal >= 0.85)\n", t, kver[t], cread[t], kver[t] / cread[t]
    }
    if (mt > 0) printf "family set, memtester sweep counts: %.2f s vs memtester %.1f s = %.2fx faster (goal >= 3x)\n", kset, mt, mt / kset
    if (sat > 0) printf "checksummed copy: %.2f GB/s vs stressapptest %.2f GB/s = %.2f (goal >= 1.0); whole rounds (write, inversion, final check too) %.2f GB/s = %.2f\n", kcopy, sat, kcopy / sat, kround, kround / sat
    if (ccopy[2] > 0) printf "checksummed copy vs membw bare memcpy (2 threads, no checksum) %.2f GB/s = %.2f\n", ccopy[2], kcopy / ccopy[2]
  }' "$OUT/membw.txt" "$OUT/kiln-memory.txt" "$OUT/memtester-time.txt" "$OUT/stressapptest.txt" | tee "$OUT/memory-ratios.txt"
