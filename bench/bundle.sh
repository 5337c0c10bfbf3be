#!/usr/bin/env bash
# Bundle benchmark (issue 3): seal and sign a bundle holding 24 h of 1 Hz telemetry with 64 channels
# (86,400 rows), fsync it, then verify it, with the heap capped at 256 MiB. Goals: seal < 2 s, verify
# < 1 s, within 256 MiB of heap. Anchor, measured in the same run on the same CSV: gzip -1 (the same
# DEFLATE level) plus sha256sum, i.e. what compressing and hashing the bytes costs with native tools.
# Usage: bench/bundle.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
CSV="$OUT/telemetry-24h-64ch.csv"

echo "== Kiln: seal + sign + fsync, then verify (-Xmx256m; best of 5 after the first)"
KILN_JAVA_OPTS="-Xmx256m" KILN_MAIN_CLASS=dev.kiln.bundle.BundleBench "$ROOT/kiln" 86400 64 5 "$CSV" 2>/dev/null \
  | tee "$OUT/bundle.txt"

anchor() {
  local t0 t1
  t0=$(date +%s.%N)
  gzip -1 -c "$CSV" > /dev/null
  sha256sum "$CSV" > /dev/null
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
best=999
for i in 1 2 3; do
  a=$(anchor)
  best=$(echo "if ($a < $best) $a else $best" | bc -l)
done
seal=$(sed -n 's/.*seal=\([0-9.]*\).*/\1/p' "$OUT/bundle.txt")
verify=$(sed -n 's/.*verify=\([0-9.]*\).*/\1/p' "$OUT/bundle.txt")
heap=$(sed -n 's/.*peakUsedHeapMiB=\([0-9.]*\).*/\1/p' "$OUT/bundle.txt")
echo
echo "== Figures (anchor measured in this run)"
printf 'anchor gzip -1 + sha256sum on the same %s MB: %.3f s\n' "$(du -m "$CSV" | cut -f1)" "$best"
printf 'seal + sign + fsync: %.3f s = %.2f x anchor   goal < 2 s\n' "$seal" "$(echo "$seal / $best" | bc -l)"
printf 'verify:              %.3f s = %.2f x anchor   goal < 1 s\n' "$verify" "$(echo "$verify / $best" | bc -l)"
printf 'heap: ran in -Xmx256m, peak used %s MiB        goal < 256 MiB\n' "$heap"
rm -f "$CSV"
