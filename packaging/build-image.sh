#!/usr/bin/env bash
# Builds a self-contained Kiln image for this OS and CPU: a jlink Java runtime with just the modules
# the agent uses, the agent's jar and a `kiln` launcher, as dist/kiln-VERSION-OS-ARCH.tar.gz. A unit
# (packaging/*.service, the launchd plist) runs it from /opt/kiln without a JDK on the machine.
# Usage: packaging/build-image.sh [output directory, default dist/]   (needs a JDK >= 25 and Maven to build)
set -euo pipefail
KILN_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$KILN_HOME/agent/cli/target/kiln.jar"
# shellcheck disable=SC2034 # read by launcher.sh, sourced below
KILN_MODULE=agent/cli
# shellcheck disable=SC2034
KILN_WHAT="the agent"
# shellcheck source=packaging/launcher.sh
source "$KILN_HOME/packaging/launcher.sh" # finds $JDK, builds the jar when it is missing or stale

OUT="${1:-$KILN_HOME/dist}"
VERSION=$(unzip -p "$JAR" META-INF/MANIFEST.MF | sed -n 's/^Implementation-Version: *//p' | tr -d '\r')
[ -n "$VERSION" ] || VERSION=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$KILN_HOME/agent/cli/pom.xml" | head -n1)
OS=$(uname -s | tr '[:upper:]' '[:lower:]')
ARCH=$(uname -m)
NAME="kiln-$VERSION-$OS-$ARCH"
DEST="$OUT/$NAME"
rm -rf "$DEST"
mkdir -p "$DEST/lib"

# The modules the jar and its shaded libraries use, plus the Vector API (loaded only when asked for).
MODULES=$("$JDK/bin/jdeps" --ignore-missing-deps --multi-release "$MIN_MAJOR" --print-module-deps "$JAR")
MODULES="$MODULES,jdk.incubator.vector,jdk.httpserver,java.net.http"
echo "kiln: jlink runtime with $MODULES" >&2
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --output "$DEST/runtime"
# ONNX Runtime's jar carries native libraries for five platforms: the image keeps only its own.
# This platform's native libraries (ONNX Runtime's, JNA's, JOCL's) are also written to lib/native, and
# the launcher loads them from there: a signed image signs them (build-pkg.sh), and nothing is
# extracted into a temporary directory at run time (where a hardened runtime would need library
# validation off to load it, and where it would pile up).
case "$OS-$ARCH" in
  linux-x86_64) ORT=linux-x64; JNA=linux-x86-64; JOCL=linux-x86_64 ;;
  linux-aarch64 | linux-arm64) ORT=linux-aarch64; JNA=linux-aarch64; JOCL=linux-arm64 ;;
  darwin-arm64 | darwin-aarch64) ORT=osx-aarch64; JNA=darwin-aarch64; JOCL=apple-arm64 ;;
  darwin-x86_64) ORT=osx-x64; JNA=darwin-x86-64; JOCL=apple-x86_64 ;;
  *) ORT=none; JNA=none; JOCL=none ;; # no ONNX Runtime build here: the Neural Engine suite says so (SKIPPED)
esac
if [ "$ORT" = none ]; then
  "$JDK/bin/java" "$KILN_HOME/packaging/JarFilter.java" "$JAR" "$DEST/lib/kiln.jar" "$ORT"
else
  "$JDK/bin/java" "$KILN_HOME/packaging/JarFilter.java" "$JAR" "$DEST/lib/kiln.jar" "$ORT" "$DEST/lib/native" \
    "ai/onnxruntime/native/$ORT/" "com/sun/jna/$JNA/" "lib/libJOCL_2_0_5-$JOCL."
fi
cat > "$DEST/kiln" <<'LAUNCH'
#!/bin/sh
# Kiln launcher of a self-contained image: the bundled runtime, the agent's flags. Usage: kiln <command> [options]
# where the image is, through any symlink to this launcher (a package puts one on PATH)
SELF="$0"
while [ -L "$SELF" ]; do
  LINK=$(readlink "$SELF")
  case "$LINK" in /*) SELF="$LINK" ;; *) SELF="$(dirname "$SELF")/$LINK" ;; esac
done
HERE=$(cd "$(dirname "$SELF")" && pwd)
. "$HERE/glibc-tunables.sh" # the memory suite's copies want glibc's non-temporal stores
KILN_JAVA_HOME="$HERE/runtime"
. "$HERE/signal-chaining.sh" # native libraries' signal handlers must not kill the JVM
# UTF-8 output whatever the locale (services often run with none: journald and log files take UTF-8).
# The JVM's own warnings go to stderr (by default they go to stdout, where the event stream is).
# The agent's collector unless KILN_JAVA_OPTS chooses one (see jvm-collector.sh).
. "$HERE/jvm-collector.sh"
# The JVM's incubator warning kept off a person's terminal, never off a pipe (see quiet-jvm.sh).
. "$HERE/quiet-jvm.sh"
# Native libraries from the image itself (signed with it), not extracted into a temporary directory:
# ONNX Runtime's from onnxruntime.native.path, JNA's from jna.boot.library.path, JOCL's through
# System.loadLibrary (java.library.path), each tried before any extraction.
N="$HERE/lib/native"
# The ahead-of-time cache made when the image was built (classes loaded and linked, method profiles)
# halves the time to the first suite; a cache the JVM cannot use is skipped, at the old speed.
if [ -f "$HERE/lib/kiln.aot" ]; then
  # shellcheck disable=SC2086 # KILN_JAVA_OPTS is a list of options
  exec "$HERE/runtime/bin/java" -Xlog:disable -Xlog:all=warning:stderr ${KILN_GC_OPTS} -XX:AOTCache="$HERE/lib/kiln.aot" \
    --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
    "-Donnxruntime.native.path=$N" "-Djna.boot.library.path=$N" "-Djava.library.path=$N" \
    -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8 ${KILN_JAVA_OPTS:-} -jar "$HERE/lib/kiln.jar" "$@"
fi
# shellcheck disable=SC2086
exec "$HERE/runtime/bin/java" -Xlog:disable -Xlog:all=warning:stderr ${KILN_GC_OPTS} \
  --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  "-Donnxruntime.native.path=$N" "-Djna.boot.library.path=$N" "-Djava.library.path=$N" \
  -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8 ${KILN_JAVA_OPTS:-} -jar "$HERE/lib/kiln.jar" "$@"
LAUNCH
chmod +x "$DEST/kiln"
cp "$KILN_HOME/packaging/glibc-tunables.sh" "$KILN_HOME/packaging/signal-chaining.sh" "$KILN_HOME/packaging/jvm-collector.sh" \
  "$KILN_HOME/packaging/quiet-jvm.sh" "$DEST/"
# The ahead-of-time cache (JEP 483/514/515): a short training run of the image's own runtime and jar,
# with the launcher's flags, records the classes a run loads and links and their methods' profiles.
# It is valid only for this runtime and this jar (the JVM checks both and skips a cache that does
# not match); the image may be moved (the jar's path is checked relative to the runtime).
TRAIN=$(mktemp -d)
# (the run's verdict does not matter here, only that the cache was written)
"$DEST/runtime/bin/java" -Xlog:disable -Xlog:all=error:stderr -XX:+UseSerialGC -Xmn48m -XX:AOTCacheOutput="$DEST/lib/kiln.aot" \
  --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dstdout.encoding=UTF-8 -Dstderr.encoding=UTF-8 \
  "-Donnxruntime.native.path=$DEST/lib/native" "-Djna.boot.library.path=$DEST/lib/native" "-Djava.library.path=$DEST/lib/native" \
  -jar "$DEST/lib/kiln.jar" run --suites cpu -P cpu.kernels=crc32c --duration 2s --output jsonl --no-upload \
  --state-dir "$TRAIN/state" > "$TRAIN/train.out" 2> "$TRAIN/train.err" || true
if [ -s "$DEST/lib/kiln.aot" ]; then
  echo "kiln: ahead-of-time cache $(du -h "$DEST/lib/kiln.aot" | cut -f1)" >&2
else
  echo "kiln: no ahead-of-time cache (the training run: $(tail -n 1 "$TRAIN/train.err")); the image starts slower" >&2
  rm -f "$DEST/lib/kiln.aot" "$DEST/lib/kiln.aot.config"
fi
rm -rf "$TRAIN"
cp "$KILN_HOME/packaging/kiln-burnin.service" "$KILN_HOME/packaging/kiln-upload.service" \
   "$KILN_HOME/packaging/dev.kiln.burnin.plist" "$DEST/"
tar -czf "$OUT/$NAME.tar.gz" -C "$OUT" "$NAME"
echo "$OUT/$NAME.tar.gz"
