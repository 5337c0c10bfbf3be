#!/usr/bin/env bash
# Telemetry benchmark (issue 5): the sampler's CPU time per sample as a share of one core at 1 Hz
# (goal < 1 %), on this machine and on a large fixture sysfs tree; and the parse time of the 260 KB
# M4 Max powermetrics plist (goal < 20 ms after warm-up), beside Python's plistlib parsing the same
# file in the same run as the anchor.
# Usage: bench/telemetry.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PLIST="$ROOT/agent/core/src/test/resources/fixtures/macos/powermetrics-m4max-mac16_5-macos26.2.plist"
echo "== Kiln"
KILN_MAIN_CLASS=dev.kiln.core.platform.mac.TelemetryBench "$ROOT/kiln" "$PLIST" 2>/dev/null | tee "$ROOT/bench/out/telemetry.txt"
echo "== anchor: python3 plistlib on the same file"
python3 - "$PLIST" <<'PY' | tee -a "$ROOT/bench/out/telemetry.txt"
import plistlib, sys, time
data = open(sys.argv[1], 'rb').read()
for _ in range(30):
    plistlib.loads(data)
ts = []
for _ in range(60):
    t = time.perf_counter(); plistlib.loads(data); ts.append((time.perf_counter() - t) * 1e3)
ts.sort()
print("anchor-plistlib median_ms=%.3f" % ts[len(ts) // 2])
PY
k=$(sed -n 's/^plist-parse .*median_ms=\([0-9.]*\).*/\1/p' "$ROOT/bench/out/telemetry.txt")
a=$(sed -n 's/^anchor-plistlib median_ms=\([0-9.]*\).*/\1/p' "$ROOT/bench/out/telemetry.txt")
echo
printf 'plist parse: Kiln %s ms = %.2f x python plistlib (%s ms)   goal < 20 ms\n' "$k" "$(echo "$k / $a" | bc -l)" "$a"
