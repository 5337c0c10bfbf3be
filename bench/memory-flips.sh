#!/usr/bin/env bash
# Detection benchmark (issue 20): how many bit flips planted from outside a memory tester it reports
# at their exact address and bit. The same schedule against Kiln's memory suite and against
# memtester, same buffer size, same run: COUNT flips, one every INTERVAL ms from START ms on, each a
# random bit of a random word of the memory the tester locked in RAM, written through /proc/PID/mem
# by another process (bench/Flipper.java). Kiln's figure comes from its sealed bundle (each failure's
# virtual address and bits); memtester's from its FAILURE lines (an offset in either half of its
# buffer: memtester compares the halves, so either may be the one that changed).
# Usage: sudo bench/memory-flips.sh [COUNT, default 40] [MiB, default 256] [runs, default 1]
#        (Linux, root: /proc/PID/mem of another process and mlock; memtester from Debian)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${1:-40}"
MIB="${2:-256}"
RUNS="${3:-1}"
INTERVAL=500
START=8000
[ "$(id -u)" = 0 ] || { echo "memory-flips: needs root (another process's /proc/PID/mem, mlock)" >&2; exit 77; }
command -v memtester >/dev/null || { echo "memory-flips: needs memtester (apt-get install memtester)" >&2; exit 69; }
JAR="$ROOT/agent/cli/target/kiln.jar"; KILN_MODULE=agent/cli; KILN_WHAT="the agent"; KILN_HOME="$ROOT"
export JAR KILN_MODULE KILN_WHAT KILN_HOME
# shellcheck source=packaging/launcher.sh
source "$ROOT/packaging/launcher.sh" # $JDK, and the agent built now (./kiln below then starts at once)
OUT="$ROOT/bench/out/flips"
rm -rf "$OUT"
mkdir -p "$OUT"
SECONDS_NEEDED=$(( (START + COUNT * INTERVAL) / 1000 + 6 ))
echo "schedule: $COUNT flips, one every ${INTERVAL} ms from ${START} ms on, into ${MIB} MiB; each tester runs ${SECONDS_NEEDED} s"
for run in $(seq "$RUNS"); do
  SEED=$((run * 7919))
  # Kiln's memory suite alone, as a rack runs it
  STATE="$OUT/kiln-state-$run"
  "$ROOT/kiln" run --suites memory -P "memory.size=${MIB}MiB" -P memory.fade-hold=2s --duration "${SECONDS_NEEDED}s" \
    --no-upload --state-dir "$STATE" --output jsonl > "$OUT/kiln-$run.jsonl" 2> "$OUT/kiln-$run.err" &
  KPID=$! # ./kiln execs the JVM: the same process
  "$JDK/bin/java" "$ROOT/bench/Flipper.java" "$KPID" "$COUNT" "$INTERVAL" "$START" "$SEED" "$OUT/kiln-$run.flips"
  wait "$KPID" || true
  BUNDLE=$(find "$STATE/outbox" -name '*.kiln.zip' | head -n 1)
  unzip -p "$BUNDLE" > "$OUT/kiln-$run.bundle.txt"
  KILN=$("$JDK/bin/java" "$ROOT/bench/FlipMatch.java" kiln "$OUT/kiln-$run.flips" "$OUT/kiln-$run.bundle.txt")
  ARMED=$(grep -o '"name":"memory_armed_ratio"[^}]*' "$OUT/kiln-$run.bundle.txt" | grep -o '"value":[0-9.]*' | head -n 1 | cut -d: -f2)
  # memtester on the same size, under the same schedule (it loops until stopped)
  memtester "${MIB}M" 0 > "$OUT/memtester-$run.txt" 2>&1 &
  MPID=$!
  "$JDK/bin/java" "$ROOT/bench/Flipper.java" "$MPID" "$COUNT" "$INTERVAL" "$START" "$SEED" "$OUT/memtester-$run.flips"
  sleep 6
  kill "$MPID" 2>/dev/null || true
  wait "$MPID" 2>/dev/null || true
  MEMTESTER=$("$JDK/bin/java" "$ROOT/bench/FlipMatch.java" memtester "$OUT/memtester-$run.flips" "$OUT/memtester-$run.txt")
  K=$(echo "$KILN" | awk '{print $2 / $4}')
  M=$(echo "$MEMTESTER" | tr -d '()' | awk '{print $6 / $4}')
  printf 'run %d: kiln %s: %.2f at the exact address and bit (armed share of byte-time %.3f); memtester %s: %.2f within 4 KiB; kiln/memtester %s\n' \
    "$run" "$KILN" "$K" "${ARMED:-0}" "$MEMTESTER" "$M" \
    "$(awk -v k="$K" -v m="$M" 'BEGIN { if (m > 0) printf "%.2f", k / m; else print "n/a (memtester caught none)" }')"
done
