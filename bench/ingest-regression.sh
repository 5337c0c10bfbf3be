#!/usr/bin/env bash
# Ingest against an earlier revision (issue 15): the service's verify-and-store rate on PostgreSQL with
# the local blob directory (4 clients, bench/delivery.sh), measured for this tree and for an earlier
# revision of the service in the same session, alternately, so that the figure is a ratio against
# the same machine on the same day. The default anchor, f933dd2 (2026-11-26), is the service the
# "591 bundles/s" of issue 15 was measured on: no access control, no dashboard facts, no streaming
# verification. Usage: bench/ingest-regression.sh [rounds] [anchor-revision]   (needs KILN_TEST_PG_URL)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-2}"
REV="${2:-f933dd2}"
: "${KILN_TEST_PG_URL:?set KILN_TEST_PG_URL to a PostgreSQL JDBC URL}"
ANCHOR="$ROOT/bench/out/anchor-$REV"
# The anchor's bench installs its own modules into the local Maven repository under the same version;
# whatever happens, this tree's are put back before the script ends.
trap '(cd "$ROOT" && mvn -q -B -o -Dstyle.color=never -DskipTests install >&2) || echo "reinstall this tree: mvn -o -DskipTests install" >&2' EXIT
if [ ! -d "$ANCHOR/.git" ]; then
  rm -rf "$ANCHOR"
  git clone -q "$ROOT" "$ANCHOR"
  git -C "$ANCHOR" checkout -q "$REV"
fi
pg_rate() { sed -n 's/^postgresql: service verify-and-store (4 clients) 1000\/1000 stored, \([0-9]*\) bundles\/s.*/\1/p'; }
old=()
new=()
for i in $(seq 1 "$ROUNDS"); do
  o=$(cd "$ANCHOR" && bench/delivery.sh 1000 2>/dev/null | pg_rate)
  n=$(cd "$ROOT" && bench/delivery.sh 1000 2>/dev/null | pg_rate)
  if [ -z "$o" ] || [ -z "$n" ]; then echo "round $i: a bench run printed no PostgreSQL figure" >&2; exit 1; fi
  printf 'round %d: anchor %s %s bundles/s, this tree %s bundles/s = %.2f x anchor\n' "$i" "$REV" "$o" "$n" "$(echo "$n / $o" | bc -l)"
  old+=("$o")
  new+=("$n")
done
so=$(IFS=+; echo "${old[*]}" | bc)
sn=$(IFS=+; echo "${new[*]}" | bc)
printf 'all rounds: this tree %.2f x the service of %s (PostgreSQL, local blob directory, 4 clients)   goal >= 1\n' "$(echo "$sn / $so" | bc -l)" "$REV"
