#!/usr/bin/env bash
# Neural Engine suite benchmark: what checking every output costs. On ONNX Runtime's CPU provider here
# (Core ML on a Mac: pass coreml), the same model and session run as a plain ONNX Runtime loop with no
# checks and as the suite's loop (finite, within tolerance of the reference, bit-identical to the
# engine's first answer), in alternating rounds of the same run. Goals (issue 13): checked/plain
# inferences/s >= 0.95; check time < 5 % of inference time.
# Usage: bench/neural-engine.sh [provider: cpu] [rounds: 7] [seconds per round: 3] [channels: 64] [spatial: 64]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
echo "== $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- || sysctl -n machdep.cpu.brand_string)"
KILN_MAIN_CLASS=dev.kiln.suites.ne.NeBench "$ROOT/kiln" "${1:-cpu}" "${2:-7}" "${3:-3}" "${4:-64}" "${5:-64}" 2>/dev/null | tee "$OUT/neural-engine.txt"
