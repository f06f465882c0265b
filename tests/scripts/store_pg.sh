#!/usr/bin/env bash
# The store on PostgreSQL: starts a throwaway cluster (tests/tools/pg.sh:
# 127.0.0.1 only, removed on exit), then runs with RCP_PG_URL set
#   test_store, test_store_sn  every backend-independent case on PostgreSQL
#                              too (an empty schema each), plus PostgreSQL's
#                              own (same digest as SQLite, migrations,
#                              constraints, reconnect, deadlock retry);
#   store_pg_race              8 processes on one database at once, then
#                              the invariants checked.
# Fails when PostgreSQL is not installed: no silent skip
# (scripts/install-deps.sh installs postgresql and libpq-dev).
# Env (set by CTest): RCP_SOURCE_DIR, RCP_CLI (the test programs are in
# tests/ next to it).
set -euo pipefail

src="${RCP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
[ -n "${RCP_CLI:-}" ] || { echo "store_pg: RCP_CLI is not set (run through CTest)" >&2; exit 1; }
bin="$(dirname "$RCP_CLI")/tests"
for p in test_store test_store_sn store_pg_race; do
  [ -x "$bin/$p" ] || { echo "store_pg: $bin/$p is not built" >&2; exit 1; }
done

# shellcheck source=../tools/pg.sh
. "$src/tests/tools/pg.sh"
rcp_pg_start

status=0
run() {
  local name=$1 out
  shift
  echo "== $name"
  if ! out=$("$@" 2>&1); then
    status=1
  fi
  echo "$out"
  # the PostgreSQL cases must have run, not been skipped
  if [ "$name" != store_pg_race ] && ! grep -q "^$name: on PostgreSQL: [1-9][0-9]* passed, 0 failed" <<<"$out"; then
    echo "store_pg: $name ran no PostgreSQL case, or one failed" >&2
    status=1
  fi
}
run test_store "$bin/test_store"
run test_store_sn "$bin/test_store_sn"
run store_pg_race "$bin/store_pg_race" 8 40

[ $status -eq 0 ] && echo "store_pg: all passed" || echo "store_pg: FAILED" >&2
exit $status
