#!/usr/bin/env bash
# Cross-core benchmark (issue 33): the CPU suite's message-passing transport (Java, VarHandles on
# memory off the heap) against the C anchor bench/c/pingpong.c (the same ring and protocol in C11
# atomics, payload summed, not checked), on the same two CPUs, the C anchor run before and after each Kiln sample, ROUNDS times; and the
# cost of checking every payload word (verified against unverified messages per second).
# Goals: Kiln's verified rate >= 0.8 of the C anchor's; verification <= 5 % of the transport.
# Usage: bench/crosscore.sh [seconds per sample, default 2] [CPU_A CPU_B, default 0 1]   (Linux, gcc)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out/crosscore"
SECONDS_PER="${1:-2}"
A="${2:-0}"
B="${3:-1}"
ROUNDS="${ROUNDS:-3}"
mkdir -p "$OUT"
gcc -O2 -pthread -o "$OUT/pingpong" "$ROOT/bench/c/pingpong.c"
echo "== $("$ROOT/bench/cpu-id.sh")"
: > "$OUT/c.txt"
: > "$OUT/kiln.txt"
# C before and after each Kiln sample: this VM's cross-core rate has two states (about 100 and 27 M/s
# in C) that change between seconds; a round whose two anchors disagree by more than a fifth is
# printed but not counted
"$OUT/pingpong" "$SECONDS_PER" "$A" "$B" | tee -a "$OUT/c.txt"
for r in $(seq "$ROUNDS"); do
  # both Java threads confined to the same two CPUs (a suite cannot pin threads of its own)
  KILN_MAIN_CLASS=dev.kiln.suites.cpu.CrossCoreBench taskset -c "$A,$B" "$ROOT/kiln" "$SECONDS_PER" 1 2>/dev/null | tee -a "$OUT/kiln.txt"
  "$OUT/pingpong" "$SECONDS_PER" "$A" "$B" | tee -a "$OUT/c.txt"
done
awk -v c="$OUT/c.txt" -v k="$OUT/kiln.txt" 'BEGIN {
  while ((getline l < c) > 0) { split(l, f, "[= ]"); cs[++nc] = f[3] }
  while ((getline l < k) > 0) { n = split(l, f, "[= ]"); v[++nk] = f[3]; u[nk] = f[5]; vc[nk] = f[7] }
  for (i = 1; i <= nk && i + 1 <= nc; i++) {
    lo = cs[i] < cs[i + 1] ? cs[i] : cs[i + 1]; hi = cs[i] < cs[i + 1] ? cs[i + 1] : cs[i]
    anchor = (cs[i] + cs[i + 1]) / 2
    state = lo < 0.8 * hi ? " (anchors disagree: the machine changed state; not counted)" : ""
    printf "round %d: verified %.0f/s = %.2f x C (C %.0f and %.0f around it; goal >= 0.8); unverified %.2f x C; checking costs %.1f %% (goal <= 5)%s\n", i, v[i], v[i] / anchor, cs[i], cs[i + 1], u[i] / anchor, 100 * vc[i], state
  }
}' | tee "$OUT/summary.txt"
