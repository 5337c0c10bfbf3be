# shellcheck shell=sh
# Sourced (POSIX sh) by ./kiln and by the launcher of a self-contained image.
# The memory suite copies 256 KiB blocks with memcpy. glibc on x86-64 switches to non-temporal
# stores only above glibc.cpu.x86_non_temporal_threshold (by default 3/4 of a share of the L3, often
# far above that), so each copied line would first be read for ownership: half again the memory
# traffic per byte copied (stressapptest's copy uses movntdq stores for the same reason). Lowered to
# 128 KiB here, unless the caller set it; other platforms ignore the variable.
if [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ]; then
  case "${GLIBC_TUNABLES:-}" in
    *x86_non_temporal_threshold*) ;;
    *) GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.cpu.x86_non_temporal_threshold=0x20000"; export GLIBC_TUNABLES ;;
  esac
fi
