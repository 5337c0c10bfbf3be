#!/usr/bin/env bash
# Dashboard benchmark (issue 16): 100,000 runs indexed on PostgreSQL; the units and line pages' request
# time on loopback (median and p99; goal < 200 ms); a run page with a 24-hour trace of 64 channels
# (goal < 1 s and < 1 MB). Anchors in the same run: /healthz and a bare SELECT COUNT(*).
# Usage: bench/dashboard.sh [runs] [postgres-jdbc-url]   (default: KILN_TEST_PG_URL)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${1:-100000}"
PG="${2:-${KILN_TEST_PG_URL:-}}"
[ -n "$PG" ] || { echo "bench/dashboard.sh: give a PostgreSQL JDBC URL or set KILN_TEST_PG_URL" >&2; exit 64; }
mvn -q -B -o -Dstyle.color=never -DskipTests install >&2 || mvn -q -B -Dstyle.color=never -DskipTests install >&2
mkdir -p "$ROOT/bench/out"
CP="$ROOT/acceptance-service/target/test-classes:$ROOT/acceptance-service/target/classes"
mvn -q -B -o -Dstyle.color=never -pl acceptance-service dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/bench/out/dashboard.cp" >&2
JAVA=$(KILN_HOME="$ROOT" JAR="$ROOT/agent/cli/target/kiln.jar" KILN_MODULE=agent/cli KILN_WHAT=x bash -c 'source packaging/launcher.sh; echo "$JDK/bin/java"')
"$JAVA" -Xmx2g -Dkiln.bench.dir="$ROOT/bench/out" --enable-native-access=ALL-UNNAMED -cp "$CP:$(cat "$ROOT/bench/out/dashboard.cp")" \
  dev.kiln.acceptance.DashboardBench "$N" "$PG"
rm -rf "$ROOT"/bench/out/kiln-dashboard-bench*
