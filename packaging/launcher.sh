# shellcheck shell=bash
# Shared by ./kiln and ./kiln-acceptance (sourced, not run): finds a JDK >= 25 and builds the
# module's jar when it is missing or older than the sources. The caller sets KILN_HOME, JAR,
# KILN_MODULE (the Maven module) and KILN_WHAT (a name for messages); this sets JDK.
MIN_MAJOR=25

die() { echo "kiln: $*" >&2; exit 70; }

# Prints the major version of the JDK at $1, or nothing.
jdk_major() {
  local home="$1" v=""
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$home/release" | head -n1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1)
  fi
  echo "$v"
}

find_jdk() {
  local c candidates=()
  [ -n "${KILN_JAVA_HOME:-}" ] && candidates+=("$KILN_JAVA_HOME")
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)" 2>/dev/null || command -v java)")")")
  fi
  if [ -x /usr/libexec/java_home ]; then
    c=$(/usr/libexec/java_home -v "$MIN_MAJOR+" 2>/dev/null || true)
    [ -n "$c" ] && candidates+=("$c")
  fi
  for c in /usr/lib/jvm/* /opt/java/* /opt/jdk* /usr/local/lib/jvm/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home \
           "${HOME:-/nonexistent}"/Library/Java/JavaVirtualMachines/*/Contents/Home \
           /opt/homebrew/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
           /usr/local/opt/openjdk*/libexec/openjdk.jdk/Contents/Home \
           "${HOME:-/nonexistent}"/.sdkman/candidates/java/*; do   # launchd starts daemons without HOME
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    local m
    m=$(jdk_major "$c")
    if [ -n "$m" ] && [ "$m" -ge "$MIN_MAJOR" ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

JDK=$(find_jdk) || die "no JDK $MIN_MAJOR or newer found (looked at KILN_JAVA_HOME, JAVA_HOME, PATH, /usr/lib/jvm, /Library/Java/JavaVirtualMachines, Homebrew, SDKMAN); install Temurin $MIN_MAJOR or set JAVA_HOME"

needs_build() {
  [ -f "$JAR" ] || return 0
  local newer
  newer=$(find "$KILN_HOME/pom.xml" "$KILN_HOME/agent" "$KILN_HOME/test-suites" "$KILN_HOME/acceptance-service" \
            \( -path '*/target' -prune \) -o \( -type f \( -path '*/src/main/*' -o -name pom.xml \) -newer "$JAR" -print \) 2>/dev/null | head -n1)
  [ -n "$newer" ]
}

if needs_build; then
  command -v mvn >/dev/null 2>&1 || die "$KILN_WHAT is not built and Maven (mvn) is not installed"
  echo "kiln: building $KILN_WHAT (first run or sources changed)..." >&2
  # Maven runs on the JDK found above; its bundled Guice still uses sun.misc.Unsafe, allowed quietly.
  if ! (cd "$KILN_HOME" && JAVA_HOME="$JDK" MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" \
          mvn -q -B -Dstyle.color=never -DskipTests -pl "$KILN_MODULE" -am package >&2); then
    die "build failed (run 'mvn -DskipTests package' in $KILN_HOME to see why)"
  fi
fi

