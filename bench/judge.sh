#!/usr/bin/env bash
# Thermal judge benchmark (issue 28, item 7): `kiln judge`'s judging on a synthetic 1 Hz trace of
# DAYS x CHANNELS (half temperatures, cluster clocks with active ratios, power, fans; a stage with a
# 10-min baseline and cool-down) in a 256 MiB heap, beside the anchor measured in the same run: the
# time to read the same file once. Goals: peak heap < 256 MiB, time <= 2 x the read.
# Usage: bench/judge.sh [DAYS ...]   (default: 0.25 1 30; CHANNELS=400; the 30-day file is ~6 GB)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHANNELS="${CHANNELS:-400}"
OUT="$ROOT/bench/out/judge"
mkdir -p "$OUT"
[ $# -gt 0 ] || set -- 0.25 1 30
for days in "$@"; do
  f="$OUT/trace-$days-$CHANNELS.csv"
  echo "== $days day(s), $CHANNELS channels"
  KILN_MAIN_CLASS=dev.kiln.core.thermal.JudgeBench "$ROOT/kiln" write "$f" "$days" "$CHANNELS" 2>/dev/null
  KILN_JAVA_OPTS="-Xmx256m" KILN_MAIN_CLASS=dev.kiln.core.thermal.JudgeBench "$ROOT/kiln" judge "$f" 2>/dev/null || echo "judge: the JVM exited $?"
  rm -f "$f"
done | tee "$OUT/judge.txt"
