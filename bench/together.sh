#!/usr/bin/env bash
# Together-stage benchmark (issue 12): does the stage really load the machine?
#  - the agent's CPU time during the hold as a share of all cores (goal >= 0.95), read from
#    /proc/PID/stat at the stage's start and end;
#  - each suite's verified work rate together beside its rate alone, from the sealed bundles
#    (cpu: sha256 bytes/s; memory: pattern bytes/s, goal >= its assigned share of the CPUs; gpu on
#    PoCL's CPU device: dense FMA flop/s; neural-engine on ONNX Runtime's CPU provider: inferences/s,
#    from a second stage with all four members: these two are CPU work here, on the same cores, and
#    say nothing about a GPU or the ANE; the goals are judged on the cpu + memory stage);
#  - the judge's cost: the thermal check's own time (it judges the whole trace once, at the end)
#    as a share of one core over the run's length.
# Anchor: the same suites alone in the same script run. Usage: bench/together.sh [SECONDS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECS="${1:-30}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ROOT/bench/out" "$WORK/nosys"
NCPU=$(nproc)
SHARE=0.5
cat > "$WORK/solo.yaml" <<Y
name: bench-solo
suites:
  - {id: cpu, duration: ${SECS}s, parameters: {phases: all-cores, kernels: sha256}}
  - {id: memory, duration: ${SECS}s, parameters: {size: 256MiB}}
  - {id: gpu, duration: ${SECS}s, required: false, parameters: {device-type: all, memory-size: 64MiB}}
  - {id: neural-engine, duration: ${SECS}s, parameters: {provider: cpu, channels: "32", spatial: "32"}}
Y
cat > "$WORK/together.yaml" <<Y
name: bench-together
suites: []
together:
  duration: ${SECS}s
  suites:
    - {id: cpu, parameters: {phases: all-cores, kernels: sha256}}
    - {id: memory, threads: $SHARE, parameters: {size: 256MiB}}
Y
cat > "$WORK/all.yaml" <<Y
name: bench-together-all
suites: []
together:
  duration: ${SECS}s
  suites:
    - {id: cpu, parameters: {phases: all-cores, kernels: sha256}}
    - {id: memory, threads: $SHARE, parameters: {size: 256MiB}}
    - {id: gpu, required: false, threads: 0.25, parameters: {device-type: all, memory-size: 64MiB}}
    - {id: neural-engine, threads: 0.25, parameters: {provider: cpu, channels: "32", spatial: "32"}}
Y
rate() { # bundle-state suite measurement
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys, zipfile, glob
z = zipfile.ZipFile(glob.glob(sys.argv[1] + "/outbox/pending/*.kiln.zip")[0])
s = json.loads(z.read("results/summary.json"))
for r in s["suites"]:
    if r["suiteId"] == sys.argv[2]:
        v = [m["value"] for m in r["measurements"] if m["name"] == sys.argv[3]]
        print(sum(v) / len(v) if v else 0)
PY
}
echo "== alone: cpu, memory, gpu, neural-engine, ${SECS}s each (the anchor)"
"$ROOT/kiln" run --state-dir "$WORK/solo" --profile "$WORK/solo.yaml" --sysfs-root "$WORK/nosys" --progress plain > "$WORK/solo.txt" 2>/dev/null || true
echo "== together: cpu and memory (threads $SHARE) for ${SECS}s"
"$ROOT/kiln" run --state-dir "$WORK/tog" --profile "$WORK/together.yaml" --sysfs-root "$WORK/nosys" --progress plain > "$WORK/tog.txt" 2>/dev/null &
LAUNCHER=$!
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
until grep -q "> together/memory" "$WORK/tog.txt" 2>/dev/null; do sleep 0.1; done
PID=$LAUNCHER # ./kiln execs the JVM: the background job is the agent itself
sleep 2 # past prepare
T0=$(date +%s.%N); C0=$(ticks "$PID")
sleep $((SECS - 5))
T1=$(date +%s.%N); C1=$(ticks "$PID")
wait $LAUNCHER || true
HZ=$(getconf CLK_TCK)
cpu_share=$(echo "($C1 - $C0) / $HZ / (($T1 - $T0) * $NCPU)" | bc -l)
solo_cpu=$(rate "$WORK/solo" cpu sha256_bytes_per_second)
tog_cpu=$(rate "$WORK/tog" together/cpu sha256_bytes_per_second)
solo_mem=$(rate "$WORK/solo" memory memory_pass_bytes_per_second)
tog_mem=$(rate "$WORK/tog" together/memory memory_pass_bytes_per_second)
echo "== together, all four: cpu, memory, gpu and neural-engine for ${SECS}s (their rates only)"
"$ROOT/kiln" run --state-dir "$WORK/all" --profile "$WORK/all.yaml" --sysfs-root "$WORK/nosys" --progress plain > "$WORK/all.txt" 2>/dev/null || true
all_cpu=$(rate "$WORK/all" together/cpu sha256_bytes_per_second)
all_mem=$(rate "$WORK/all" together/memory memory_pass_bytes_per_second)
solo_gpu=$(rate "$WORK/solo" gpu gpu_fma_flops_per_second)
tog_gpu=$(rate "$WORK/all" together/gpu gpu_fma_flops_per_second)
solo_ne=$(rate "$WORK/solo" neural-engine ne_inferences_per_second)
tog_ne=$(rate "$WORK/all" together/neural-engine ne_inferences_per_second)
judge_share=$(python3 - "$WORK/tog" <<'PY'
import json, sys, zipfile, glob
from datetime import datetime
z = zipfile.ZipFile(glob.glob(sys.argv[1] + "/outbox/pending/*.kiln.zip")[0])
s = json.loads(z.read("results/summary.json"))
t = lambda x: datetime.fromisoformat(x.replace("Z", "+00:00")).timestamp()
r = [r for r in s["suites"] if r["suiteId"] == "thermal"][0]
print((t(r["ended"]) - t(r["started"])) / (t(s["ended"]) - t(s["started"])))
PY
)
{
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $NCPU logical CPUs"
  printf 'agent CPU time during the hold: %.3f of all cores   goal >= 0.95\n' "$cpu_share"
  printf 'cpu sha256 verified: together %.3g B/s = %.2f x alone (%.3g B/s)\n' "$tog_cpu" "$(echo "$tog_cpu / $solo_cpu" | bc -l)" "$solo_cpu"
  printf 'memory patterns verified: together %.3g B/s = %.2f x alone (%.3g B/s)   goal >= %.2f (its share of the CPUs)\n' \
    "$tog_mem" "$(echo "$tog_mem / $solo_mem" | bc -l)" "$solo_mem" "$(python3 -c "import math;print(max(1,math.ceil($SHARE*$NCPU))/$NCPU)")"
  ratio() { python3 -c "import sys; a, b = float(sys.argv[1] or 0), float(sys.argv[2] or 0); print(f'{a / b:.2f}' if b else 'n/a')" "$1" "$2"; }
  echo "all four together (gpu on PoCL and neural-engine on the CPU provider are CPU work here, on the same two cores):"
  printf '  cpu %s x alone, memory %s x alone\n' "$(ratio "$all_cpu" "$solo_cpu")" "$(ratio "$all_mem" "$solo_mem")"
  printf '  gpu (PoCL) dense FMA verified: %.3g flop/s = %s x alone (%.3g flop/s)\n' "${tog_gpu:-0}" "$(ratio "$tog_gpu" "$solo_gpu")" "${solo_gpu:-0}"
  printf '  neural-engine (CPU provider) verified: %.3g inferences/s = %s x alone (%.3g)\n' "${tog_ne:-0}" "$(ratio "$tog_ne" "$solo_ne")" "${solo_ne:-0}"
  printf 'thermal judge: %.5f of one core over the run (judging the whole trace once)   goal < 0.01 with sampling\n' "$judge_share"
  grep -h "^Verdict" "$WORK/tog.txt"
} | tee "$ROOT/bench/out/together.txt"
echo "(sampling cost at 1 Hz: bench/telemetry.sh)"
