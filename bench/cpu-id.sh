#!/usr/bin/env bash
# One line naming this machine's CPU for the figures tables (docs/cpu-figures.md): the model name
# (often masked in VMs: "Intel(R) Xeon(R) Processor"), so also family/model/stepping, which name the
# generation (Intel family 6: model 85 Skylake/Cascade Lake-SP, 106 Ice Lake-SP, 143 Sapphire
# Rapids, 207 Emerald Rapids), the caches, the widest vector extension and the logical CPUs.
set -euo pipefail
field() { grep -m1 "^$1[[:space:]]*:" /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true; }
name=$(field "model name"); [ -n "$name" ] || name=$(uname -m)
fam=$(field "cpu family"); model=$(field "model"); step=$(field "stepping")
flags=$(field "flags"); [ -n "$flags" ] || flags=$(field "Features")
vec=none
for v in avx512f avx2 asimd; do case " $flags " in *" $v "*) vec=$v; break ;; esac; done
l2=$(lscpu 2>/dev/null | awk -F: '/^L2 cache/ { gsub(/^ +/, "", $2); print $2 }')
l3=$(lscpu 2>/dev/null | awk -F: '/^L3 cache/ { gsub(/^ +/, "", $2); print $2 }')
echo "cpu: $name; family $fam model $model stepping $step; L2 ${l2:-?}, L3 ${l3:-?}; widest vectors: $vec; $(nproc) logical CPUs"
