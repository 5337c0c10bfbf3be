#!/usr/bin/env bash
# Hostile-mix benchmark (issue 30): honest stations' ingest rate while 8 hostile clients run (signature
# floods, NUL bundles, a heap-bomb run page, page overflows, CSV exports, dripped headers, 40 MiB
# downloads, bad digests), against the same stations alone, in one run on SQLite; and the heap
# high-water of each phase. Goals: >= 0.8 x alone; heap high-water < 2 x alone.
# Usage: bench/hostile.sh [honest bundles per phase, default 600]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${1:-600}"
mvn -q -B -o -Dstyle.color=never -DskipTests install >&2 || mvn -q -B -Dstyle.color=never -DskipTests install >&2
mkdir -p "$ROOT/bench/out"
CP="$ROOT/acceptance-service/target/test-classes:$ROOT/acceptance-service/target/classes"
mvn -q -B -Dstyle.color=never -pl acceptance-service dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/bench/out/hostile.cp" >&2
JAVA=$(KILN_HOME="$ROOT" JAR="$ROOT/agent/cli/target/kiln.jar" KILN_MODULE=agent/cli KILN_WHAT=x bash -c 'source packaging/launcher.sh; echo "$JDK/bin/java"')
"$JAVA" -Xmx512m -Dkiln.bench.dir="$ROOT/bench/out" --enable-native-access=ALL-UNNAMED -cp "$CP:$(cat "$ROOT/bench/out/hostile.cp")" \
  dev.kiln.acceptance.HostileBench "$N" | tee "$ROOT/bench/out/hostile.txt"
rm -rf "$ROOT"/bench/out/kiln-hostile-bench*
