#!/usr/bin/env bash
# Delivery benchmark (issue 4): drain 1,000 pending bundles into the reference acceptance service on
# loopback and measure the service's verify-and-store rate, on SQLite and (given a JDBC URL, or
# KILN_TEST_PG_URL) PostgreSQL. Goal: >= 200 bundles/s each on this 2-core machine. Anchor, measured
# in the same run: the disk's 4 KiB write+fsync rate. The timed drain follows an untimed warm-up drain of 300.
# Usage: bench/delivery.sh [count] [postgres-jdbc-url]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
N="${1:-1000}"
PG="${2:-${KILN_TEST_PG_URL:-}}"
mvn -q -B -o -Dstyle.color=never -DskipTests install >&2 || mvn -q -B -Dstyle.color=never -DskipTests install >&2
CP="$ROOT/acceptance-service/target/test-classes:$ROOT/acceptance-service/target/classes"
mvn -q -B -Dstyle.color=never -pl acceptance-service dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$ROOT/bench/out/delivery.cp" >&2
JAVA=$(KILN_HOME="$ROOT" JAR="$ROOT/agent/cli/target/kiln.jar" KILN_MODULE=agent/cli KILN_WHAT=x bash -c 'source packaging/launcher.sh; echo "$JDK/bin/java"')
"$JAVA" -Dkiln.bench.dir="$ROOT/bench/out" --enable-native-access=ALL-UNNAMED -cp "$CP:$(cat "$ROOT/bench/out/delivery.cp")" dev.kiln.acceptance.DeliveryBench "$N" ${PG:+"$PG"}
rm -rf "$ROOT"/bench/out/kiln-delivery-bench*
