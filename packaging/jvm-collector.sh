# shellcheck shell=sh
# Sourced (POSIX sh) by ./kiln and by the launcher of a self-contained image: the agent's collector,
# the serial one with a 48 MiB young generation (its heap holds a few MiB that live; G1 committed and
# kept hundreds of MiB for the Vector API's warm-up garbage: packaging/README.md). Not when
# KILN_JAVA_OPTS chooses a collector itself: the JVM refuses two ("Multiple garbage collectors
# selected") and would exit 1, the code for "defect found".
# shellcheck disable=SC2034 # read by the launcher that sources this
case " ${KILN_JAVA_OPTS:-} " in
  *" -XX:+Use"*"GC "*) KILN_GC_OPTS="" ;;
  *) KILN_GC_OPTS="-XX:+UseSerialGC -Xmn48m" ;;
esac
