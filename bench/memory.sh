#!/usr/bin/env bash
# Memory suite benchmark (issues 6 and 19): every figure in one run, printed as ratios to anchors
# measured in the same run.
# - fill and verify GB/s, 1 and 2 threads, against shared/bench/membw.c on the same buffer size,
#   in ROUNDS alternating pairs (membw, then Kiln; default 3): each pair's ratio and the median of
#   the pairs (this machine's memory bandwidth moves by a fifth between minutes, so one pair is
#   not a figure). Periodic patterns (most of memtester's sweeps) fill by replicating one block with
#   memcpy (non-temporal stores): compared with membw's NT-stream writes, and with its plain stores;
#   computed patterns store word by word: compared with its plain stores (Java has no
#   non-temporal store). Goals (issue 19): fill >= 0.9 of plain stores, verify >= 0.9 of read.
# - Kiln's family set with memtester's sweep counts (1,304 full-buffer sweeps) on the same size
#   against `memtester <GiB>G 1` (goal >= 3x faster);
# - checksummed copy throughput against `stressapptest -M 4096 -s 30 -W` (goal >= 1.25x) and
#   against membw's bare memcpy on 2 threads (goal >= 0.9), on 4 GiB and 2 threads; stressapptest's
#   "MB" are MiB, converted here.
# The CPU model and the loop shape Kiln ran are printed beside the figures. memtester and
# stressapptest come from Debian (apt-get install memtester stressapptest).
# Usage: bench/memory.sh [GiB for fill/verify/patterns, default 1] [loop shape: auto (default), calibrate, 512x2, ...]
#   ROUNDS=n alternating pairs (default 3); SKIP_MEMTESTER=1 skips the ~5 min memtester run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${KILN_SHARED:-$ROOT/../shared}"
OUT="$ROOT/bench/out"
GIB="${1:-1}"
SHAPE="${2:-auto}"
ROUNDS="${ROUNDS:-3}"
mkdir -p "$OUT"
rm -f "$OUT"/membw-r*.txt "$OUT"/kiln-fill-r*.txt
gcc -O3 -march=native -fopenmp -o "$OUT/membw" "$SHARED/bench/membw.c"
echo "== $("$ROOT/bench/cpu-id.sh")" | tee "$OUT/memory-cpu.txt"
for r in $(seq 1 "$ROUNDS"); do
  echo "== pair $r/$ROUNDS: membw (C), $GIB GiB"
  "$OUT/membw" "$GIB" 5 1 | tee "$OUT/membw-r$r.txt"
  echo "== pair $r/$ROUNDS: Kiln fill/verify, $GIB GiB, loop shape $SHAPE"
  KILN_MAIN_CLASS=dev.kiln.suites.memory.MemoryBench "$ROOT/kiln" "$GIB" 5 4 fill "$SHAPE" 2>/dev/null | tee "$OUT/kiln-fill-r$r.txt"
done
echo "== Kiln (MemoryBench: family set $GIB GiB, copy 4 GiB)"
KILN_MAIN_CLASS=dev.kiln.suites.memory.MemoryBench "$ROOT/kiln" "$GIB" 5 4 rest "$SHAPE" 2>/dev/null | tee "$OUT/kiln-memory.txt"
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
echo "== ratios (Kiln / anchor, same run; per pair, then the median of the pairs)"
cat "$OUT/memory-cpu.txt"
grep -h '^kiln loop-shape' "$OUT/kiln-fill-r1.txt" || true
FILES=()
for r in $(seq 1 "$ROUNDS"); do FILES+=("$OUT/membw-r$r.txt" "$OUT/kiln-fill-r$r.txt"); done
awk -v rounds="$ROUNDS" '
  function field(line, label,   parts, i) {
    split(line, parts, "|")
    for (i in parts) if (index(parts[i], label)) { match(parts[i], /[0-9.]+ GB/); return substr(parts[i], RSTART, RLENGTH - 3) }
    return 0
  }
  function median(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i]
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
  }
  FILENAME ~ /membw-r/ { match(FILENAME, /-r[0-9]+/); r = substr(FILENAME, RSTART + 2, RLENGTH - 2) }
  FILENAME ~ /membw-r/ && /^threads=/ {
    t = substr($1, 9)
    cfill[r, t] = field($0, "plain stores"); cnt[r, t] = field($0, "NT stream"); cread[r, t] = field($0, "read(sum)"); ccopy[r, t] = field($0, "copy(memcpy)")
  }
  FILENAME ~ /kiln-fill-r/ { match(FILENAME, /-r[0-9]+/); r = substr(FILENAME, RSTART + 2, RLENGTH - 2) }
  FILENAME ~ /kiln-fill-r/ && /^kiln threads=/ {
    t = substr($2, 9); kfill[r, t] = substr($3, 11); kcomp[r, t] = substr($4, 20); kver[r, t] = substr($5, 13)
  }
  FILENAME ~ /kiln-memory/ && /memtester-set/ { kset = substr($3, 9) }
  FILENAME ~ /kiln-memory/ && /^kiln copy MBps/ { kcopy = substr($3, 6) / 1000 }
  FILENAME ~ /kiln-memory/ && /^kiln copy-round/ { kround = substr($3, 6) / 1000 }
  FILENAME ~ /kiln-memory/ && /^kiln copy-check-cost/ { kcost = substr($3, 8); kcostline = $0 }
  FILENAME ~ /memtester-time/ { mt = substr($2, 9) }
  FILENAME ~ /stressapptest/ && /Stats: Memory Copy/ { v = $NF; sub(/MB\/s/, "", v); sat = v * 1048576 / 1e9 }
  function row(name, t, k, c, anchor, goal,   i, s, q) {
    s = ""
    for (i = 1; i <= rounds; i++) {
      if (c[i, t] <= 0) return
      q[i] = k[i, t] / c[i, t]; s = s sprintf(" %.2f", q[i])
    }
    printf "%-26s %d thread(s) vs membw %-13s pairs (Kiln/anchor GB/s):", name, t, anchor
    for (i = 1; i <= rounds; i++) printf " %.2f/%.2f", k[i, t], c[i, t]
    printf "  ratios%s  median %.2f%s\n", s, median(q, rounds), goal
  }
  END {
    for (t = 1; t <= 2; t++) {
      row("fill, periodic pattern", t, kfill, cnt, "NT stream", "")
      row("fill, periodic pattern", t, kfill, cfill, "plain stores", " (goal >= 0.90)")
      row("fill, computed pattern", t, kcomp, cfill, "plain stores", " (goal >= 0.90)")
      row("verify", t, kver, cread, "read(sum)", " (goal >= 0.90)")
    }
    for (i = 1; i <= rounds; i++) m[i] = ccopy[i, 2]
    if (mt > 0) printf "family set, memtester sweep counts: %.2f s vs memtester %.1f s = %.2fx faster (goal >= 3x)\n", kset, mt, mt / kset
    if (sat > 0) printf "checksummed copy: %.2f GB/s vs stressapptest %.2f GB/s = %.2f (goal >= 1.25); whole rounds (write, inversion, final check too) %.2f GB/s = %.2f\n", kcopy, sat, kcopy / sat, kround, kround / sat
    if (kcost != "") printf "checking the moves costs %.1f %% of their speed (median of pairs; goal <= 5 %%): %s\n", kcost * 100, kcostline
    if (m[1] > 0 && kcopy > 0) printf "checksummed copy vs membw bare memcpy (2 threads, no checksum; median of the pairs) %.2f GB/s = %.2f (goal >= 0.90)\n", median(m, rounds), kcopy / median(m, rounds)
  }' "${FILES[@]}" "$OUT/kiln-memory.txt" "$OUT/memtester-time.txt" "$OUT/stressapptest.txt" | tee "$OUT/memory-ratios.txt"
