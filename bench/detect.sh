#!/usr/bin/env bash
# Time to detect (issue 33, item 3): for an intermittent defect on one core that spoils what one
# kernel family exercises, firing at a set rate while that family runs there (once a minute, once in
# ten minutes, once an hour), the core-minutes until the CPU suite's verdict is FAIL, and the chance
# each profile catches it. First a MODEL on measured figures (then checked through the seams, below):
# a run of the suite here (every kernel, both phases; CAL, default 30s) measures each kernel's share of a core's
# time under test (cpu_kernel_time_share); every kernel's seam is proven to be caught in the run it
# fires (CpuSuiteTest, CrossCoreTest), so a defect that fires while its kernel runs is caught then.
# With share s of the faulty core's time and rate r: mean core-minutes to FAIL = 1 / (r s), and a
# profile giving the core T minutes under test catches it with 1 - exp(-r s T). T per profile: the
# cpu suite's all-cores half, its one-core-at-a-time slice (the duration's other half over the CPUs),
# and the together stage's hold (all-cores, the faulty core assumed to hold a CPU worker throughout).
# Usage: bench/detect.sh [CPUS the profiles are judged for, default this machine's]   (Linux; python3, PyYAML)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/bench/out/detect"
CAL="${CAL:-30s}"
CPUS="${1:-$(nproc)}"
rm -rf "$OUT"
mkdir -p "$OUT"
"$ROOT/kiln" run --profile smoke --suites cpu --duration "$CAL" --no-upload --state-dir "$OUT/state" >/dev/null 2>&1 || true
ZIP=$(ls "$OUT"/state/outbox/pending/*.zip)
unzip -p "$ZIP" results/summary.json > "$OUT/summary.json"
python3 - "$OUT/summary.json" "$ROOT/agent/core/src/main/resources/profiles" "$CPUS" <<'PY' | tee "$OUT/detect.txt"
import json, math, re, sys, yaml
summary, profiles, cpus = sys.argv[1], sys.argv[2], int(sys.argv[3])
share = {}
for s in json.load(open(summary))['suites']:
    for m in s.get('measurements', []):
        if m['name'] == 'cpu_kernel_time_share':
            share[(m['metadata']['kernel'], m['metadata']['phase'])] = m['value']
def minutes(d):
    t = 0
    for n, u in re.findall(r'(\d+(?:\.\d+)?)(h|ms|m|s)', str(d)):
        t += float(n) * {'h': 60, 'm': 1, 's': 1 / 60, 'ms': 1 / 60000}[u]
    return t
plans = {}
for name in ['smoke', 'standard', 'burn-in']:
    p = yaml.safe_load(open(f'{profiles}/{name}.yaml'))
    cpu = next(e for e in p['suites'] if e['id'] == 'cpu')
    d = minutes(cpu.get('duration', '2m'))
    hold = 0
    t = p.get('together')
    if t and any(m['id'] == 'cpu' for m in t['suites']):
        hold = minutes(t['duration'])
    plans[name] = (d / 2 + hold, d / 2 / cpus)  # minutes of the faulty core: all-cores (+ stage), its lone slice
rates = [('once a minute', 1), ('once in 10 min', 0.1), ('once an hour', 1 / 60)]
kernels = sorted({k for k, _ in share})
print(f"time to detect, {cpus} CPU(s); kernel shares measured in this run of the cpu suite; a model on them (see the header of bench/detect.sh)")
print("profile minutes of the faulty core under test (all-cores incl. stage hold / alone): "
      + ", ".join(f"{n} {a:.1f}/{b:.2f}" for n, (a, b) in plans.items()))
print(f"{'kernel':16} {'share all/alone':>16}  " + "  ".join(f"{r[0]:>30}" for r in rates))
print(f"{'':16} {'':>16}  " + "  ".join(f"{'core-min | smoke std burn-in':>30}" for r in rates))
for k in kernels:
    sa, se = share.get((k, 'all-cores'), 0), share.get((k, 'each-core'), 0)
    cells = []
    for _, r in rates:
        mean = 1 / (r * sa) if sa > 0 else float('inf')
        ps = [1 - math.exp(-r * (sa * a + se * b)) for a, b in plans.values()]
        cells.append(f"{mean:8.1f} | " + " ".join(f"{100 * x:5.1f}%" for x in ps))
    print(f"{k:16} {sa:7.3f}/{se:7.3f}  " + "  ".join(f"{c:>30}" for c in cells))
PY

# Measured through the fault seams (TRIALS > 0, default 2): for each arithmetic kernel, a defect planted
# on the last CPU that spoils a run of that kernel with chance q (--inject-fault cpu:K.running@CPU:*~q/
# all-cores: the seam asked only when the kernel runs, not at each turn it may skip),
# q = rate x the kernel's mean run length (cpu_kernel_run_seconds of the calibration), the rate scaled
# so the model expects it found after EXPECT seconds of the all-cores phase (default 5); each trial a
# real run of the cpu suite (all-cores only, SEAM_RUN long, default 25s), the time read from the
# first miscompare's secondsIntoPhase. Printed beside the model's 1 / (rate x share).
TRIALS="${TRIALS:-2}"
EXPECT="${EXPECT:-5}"
SEAM_RUN="${SEAM_RUN:-25s}"
if [ "$TRIALS" -gt 0 ]; then
  LAST=$(( $(nproc) - 1 ))
  python3 - "$OUT/summary.json" "$EXPECT" <<'PY' > "$OUT/plan.txt"
import json, sys
share, run = {}, {}
for s in json.load(open(sys.argv[1]))['suites']:
    for m in s.get('measurements', []):
        md = m.get('metadata', {})
        if md.get('phase') != 'all-cores':
            continue
        if m['name'] == 'cpu_kernel_time_share':
            share[md['kernel']] = m['value']
        if m['name'] == 'cpu_kernel_run_seconds':
            run[md['kernel']] = m['value']
expect = float(sys.argv[2])
for k in sorted(share):
    if k in run and share[k] > 0 and k not in ('message-passing', 'shared-counters', 'litmus'):
        rate = 1 / (expect * share[k])           # per second of the core's time, while anything runs
        q = min(1.0, rate * run[k])              # per run of the kernel: the rate over one run's length
        print(k, f"{q:.6g}", f"{share[k]:.4f}", f"{1 / (rate * share[k]):.2f}")
PY
  echo "measured through the seams: a defect on cpu $LAST, TRIALS=$TRIALS runs of $SEAM_RUN each (all-cores only)" | tee -a "$OUT/detect.txt"
  printf '%-14s %10s %8s %12s %s\n' kernel chance share "model (s)" "measured seconds into the phase, each trial" | tee -a "$OUT/detect.txt"
  while read -r k q sh model; do
    got=""
    for t in $(seq "$TRIALS"); do
      st="$OUT/seam-$k-$t"
      "$ROOT/kiln" run --profile smoke --suites cpu -P cpu.phases=all-cores --duration "$SEAM_RUN" --no-upload --state-dir "$st" \
        --inject-fault "cpu:$k.running@$LAST:*~$q/all-cores" >/dev/null 2>&1 || true
      z=$(ls "$st"/outbox/pending/*.zip 2>/dev/null | head -1)
      v=$( [ -n "$z" ] && unzip -p "$z" results/summary.json | python3 -c "
import json, sys
fs = [f for s in json.load(sys.stdin)['suites'] for f in s.get('failures', []) if f.get('details', {}).get('kernel') == sys.argv[1]]
print(min(f['details']['secondsIntoPhase'] for f in fs) if fs else 'none')" "$k" || echo none)
      got="$got $v"
    done
    printf '%-14s %10s %8s %12s %s\n' "$k" "$q" "$sh" "$model" "$got" | tee -a "$OUT/detect.txt"
  done < "$OUT/plan.txt"
fi

