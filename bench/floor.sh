#!/usr/bin/env bash
# Floor benchmark (issue 31): UNITS simulated units heartbeating every 15 s against one acceptance
# service (PostgreSQL when a JDBC URL is given or KILN_TEST_PG_URL is set, else SQLite), each figure
# against its anchor measured in the same run: heartbeats handled vs the arrival rate (goal >= 10 x),
# the floor page's median time for every unit (goal < 200 ms), sealed bundles stored while the units
# heartbeat vs alone (goal >= 0.9 x), and the agent's CPU per heartbeat as a share of a core (< 0.1 %).
# Usage: bench/floor.sh [units, default 1000] [postgres-jdbc-url]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${1:-1000}"
PG="${2:-${KILN_TEST_PG_URL:-}}"
mvn -q -B -o -Dstyle.color=never -DskipTests install >&2 || mvn -q -B -Dstyle.color=never -DskipTests install >&2
mkdir -p "$ROOT/bench/out"
CP="$ROOT/acceptance-service/target/test-classes:$ROOT/acceptance-service/target/classes"
mvn -q -B -Dstyle.color=never -pl acceptance-service dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/bench/out/floor.cp" >&2
JAVA=$(KILN_HOME="$ROOT" JAR="$ROOT/agent/cli/target/kiln.jar" KILN_MODULE=agent/cli KILN_WHAT=x bash -c 'source packaging/launcher.sh; echo "$JDK/bin/java"')
"$JAVA" -Xmx512m -Dkiln.bench.dir="$ROOT/bench/out" --enable-native-access=ALL-UNNAMED -cp "$CP:$(cat "$ROOT/bench/out/floor.cp")" \
  dev.kiln.acceptance.FloorBench "$N" ${PG:+"$PG"} | tee "$ROOT/bench/out/floor.txt"
rm -rf "$ROOT"/bench/out/kiln-floor-bench*
