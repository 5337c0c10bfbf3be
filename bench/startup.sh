#!/usr/bin/env bash
# Start-up and footprint benchmark (issue 17), from the packaged image (packaging/build-deb.sh builds
# the image and the .deb): `kiln --version` beside a bare `java -version` of the same runtime (the
# anchor, same run), the time from `kiln run` to its first suite starting (goal < 1 s), the agent's
# resident memory outside the buffers under test during a run (goal < 256 MiB), and the package's
# size (goal < 80 MiB). Usage: bench/startup.sh [runs, default 5]   (Linux)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-5}"
OUT="$ROOT/bench/out/startup"
rm -rf "$OUT"
mkdir -p "$OUT"
if command -v dpkg-deb >/dev/null; then
  PKG=$(bash "$ROOT/packaging/build-deb.sh" "$OUT" 2>/dev/null | tail -n 1)
else
  PKG=$(bash "$ROOT/packaging/build-image.sh" "$OUT" 2>/dev/null | tail -n 1)
fi
IMAGE=$(find "$OUT" -maxdepth 1 -type d -name 'kiln-*' | head -n 1)
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for i in $(seq "$N"); do t=$(date +%s%N); "$IMAGE/runtime/bin/java" -version >/dev/null 2>&1; ms "$t"; done | median > "$OUT/java.ms"
for i in $(seq "$N"); do t=$(date +%s%N); "$IMAGE/kiln" --version >/dev/null 2>&1; ms "$t"; done | median > "$OUT/version.ms"
JAVA_MS=$(cat "$OUT/java.ms"); VERSION_MS=$(cat "$OUT/version.ms")
echo "anchor: java -version of the image's runtime, median of $N: ${JAVA_MS} ms"
awk -v v="$VERSION_MS" -v j="$JAVA_MS" 'BEGIN {printf "kiln --version: %d ms = %.2f x java -version\n", v, v / j}'

# to the first suite: the event stream's first testStepStart, read as it is written
for i in $(seq "$N"); do
  STATE="$OUT/state-$i"
  t=$(date +%s%N)
  "$IMAGE/kiln" run --suites cpu -P cpu.kernels=crc32c --duration 2s --output jsonl --no-upload --state-dir "$STATE" 2>/dev/null \
    | while IFS= read -r line; do case "$line" in *testStepStart*) ms "$t"; break ;; esac; done
  wait || true
done | median > "$OUT/first.ms"
FIRST_MS=$(cat "$OUT/first.ms")
awk -v f="$FIRST_MS" -v j="$JAVA_MS" 'BEGIN {printf "kiln run to its first suite: %d ms = %.2f x java -version   goal < 1000 ms\n", f, f / j}'

# resident memory during a run: cpu, then memory with a 256 MiB buffer (locked where allowed), sampled every 0.2 s
BUF_MIB=256
"$IMAGE/kiln" run --suites cpu,memory -P cpu.kernels=crc32c -P memory.size=${BUF_MIB}MiB --duration 20s --no-upload \
  --state-dir "$OUT/state-rss" >/dev/null 2>&1 &
PID=$!
MAX_CPU=0; MAX_MEM=0
while kill -0 "$PID" 2>/dev/null; do
  JPID=$(pgrep -P "$PID" java || echo "$PID")
  RSS=$(awk '/VmRSS/ {print $2}' "/proc/$JPID/status" 2>/dev/null || echo 0)
  PHASE=$(ls "$OUT/state-rss/runs" 2>/dev/null | head -n 1 || true)
  if [ -n "$PHASE" ] && grep -q '"suite":"memory"' "$OUT/state-rss/runs/$PHASE/journal.jsonl" 2>/dev/null; then
    [ "${RSS:-0}" -gt "$MAX_MEM" ] && MAX_MEM=$RSS
  else
    [ "${RSS:-0}" -gt "$MAX_CPU" ] && MAX_CPU=$RSS
  fi
  sleep 0.2
done
wait "$PID" || true
awk -v c="$MAX_CPU" -v m="$MAX_MEM" -v b="$BUF_MIB" 'BEGIN {
  printf "resident memory, cpu suite running: %.0f MiB   goal < 256 MiB\n", c / 1024
  printf "resident memory, memory suite running: %.0f MiB, %.0f MiB outside its %d MiB buffer   goal < 256 MiB\n", m / 1024, m / 1024 - b, b }'
[ -n "${PKG:-}" ] && [ -f "$PKG" ] && awk -v s="$(stat -c %s "$PKG")" -v n="$(basename "$PKG")" \
  'BEGIN {printf "package %s: %.1f MiB   goal < 80 MiB\n", n, s / 1048576}'
rm -rf "$OUT"/state-* "$OUT"/deb-root
