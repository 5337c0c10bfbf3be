# shellcheck shell=sh
# Sourced (POSIX sh) by ./kiln and by the launcher of a self-contained image, with KILN_JAVA_HOME set
# to the Java runtime that will run the agent.
# The JVM handles SIGSEGV itself (implicit null checks, safepoint polls). Native libraries the suites
# load install their own handlers: LLVM (under PoCL, while it compiles OpenCL kernels) installs a
# SIGSEGV handler that, for a signal it does not own, restores the default action and re-raises it:
# a Java thread's ordinary poll trap at that moment killed the whole agent, with no hs_err report
# (seen in a together stage: the GPU suite compiling kernels while the other suites ran). The JDK's
# libjsig chains handlers so the JVM keeps first say ("Signal Chaining", JNI documentation).
case "$(uname -s)" in
  Linux) jsig="$KILN_JAVA_HOME/lib/libjsig.so"
    if [ -f "$jsig" ]; then
      case "${LD_PRELOAD:-}" in *libjsig*) ;; *) LD_PRELOAD="$jsig${LD_PRELOAD:+ $LD_PRELOAD}"; export LD_PRELOAD ;; esac
    fi ;;
  Darwin) jsig="$KILN_JAVA_HOME/lib/libjsig.dylib"
    if [ -f "$jsig" ]; then
      case "${DYLD_INSERT_LIBRARIES:-}" in *libjsig*) ;; *) DYLD_INSERT_LIBRARIES="$jsig${DYLD_INSERT_LIBRARIES:+:$DYLD_INSERT_LIBRARIES}"; export DYLD_INSERT_LIBRARIES ;; esac
    fi ;;
esac
