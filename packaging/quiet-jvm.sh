# shellcheck shell=sh
# Sourced by the launchers just before they start the JVM. The JVM prints
# "WARNING: Using incubator modules: jdk.incubator.vector" on every start (the Vector API the suites
# use is an incubator module, and no flag silences it). On a person's terminal (stderr a TTY) that
# one line is dropped; stderr to a pipe or a file (a rack's log, journald, a test) keeps everything.
# KILN_JVM_WARNINGS=keep keeps it on a terminal too.
#
# A filter reads the JVM's stderr from a FIFO and writes it to the terminal. It ignores the
# terminal's signals (Ctrl-C reaches the JVM, which says what it does on stderr: the filter must
# outlive it to show that) and ends when the JVM closes its stderr. The FIFO's name is removed as
# soon as both ends are open. If the FIFO cannot be made, nothing is filtered.
if [ -t 2 ] && [ "${KILN_JVM_WARNINGS:-}" != keep ]; then
  KILN_FIFO="${TMPDIR:-/tmp}/kiln-stderr.$$"
  if rm -f "$KILN_FIFO" 2>/dev/null && mkfifo -m 600 "$KILN_FIFO" 2>/dev/null; then
    (
      trap '' INT TERM HUP QUIT
      exec grep -v '^WARNING: Using incubator modules: jdk.incubator.vector$' < "$KILN_FIFO" >&2
    ) &
    exec 2> "$KILN_FIFO"
    rm -f "$KILN_FIFO"
  fi
  unset KILN_FIFO
fi
