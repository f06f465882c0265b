#!/usr/bin/env bash
# Crash safety (issue 6): two Serving Networks and two Authorization
# Servers sharing their stores serve devices whose successive messages land
# on different SN instances, while daemons are killed with SIGKILL at
# random moments and restarted, many times.  `rcprov crash` then checks the
# stores (each device provisioned exactly once with the IMSI it holds, no
# IMSI twice, no ledger entry lost or doubled).  Once on SQLite files, once
# on a real PostgreSQL (a throwaway cluster on a loopback port).
set -uo pipefail
# pgrep checks that no daemon is left: without it those checks could not fail.
command -v pgrep >/dev/null || { echo "$(basename "$0"): needs pgrep (Debian package procps)" >&2; exit 1; }
CLI=${RCP_CLI:?}
export RCPROVD=${RCP_DAEMON:?}
. "${RCP_SOURCE_DIR:?}/tests/tools/pg.sh"
pass=0
fail=0
work=$(mktemp -d)
chmod 755 "$work" # the PostgreSQL cluster runs as an unprivileged user
export TMPDIR=$work
trap 'rm -rf "$work"' EXIT

run() { # label, then rcprov crash options
  local label=$1
  shift
  local out rc
  out=$("$CLI" crash uuid-attach --json --quiet "$@" 2>"$work/err"); rc=$?
  echo "crash: $label: $out"
  if [ $rc -eq 0 ] && python3 - "$out" <<'EOF'
import json, sys
d = json.loads(sys.argv[1])
assert d["ok"] is True and d["failed"] == 0 and d["check_failures"] == 0, d
assert d["done"] == d["devices"] and d["acknowledgements"] >= d["devices"], d
assert d["daemons_stopped_cleanly"] is True, d
# Most kills must land while devices are being served.
assert d["kills_under_load"] * 2 >= d["kills"] and d["kills_sn"] and d["kills_auths"], d
print("crash: kills %d (SN %d, AuthS %d; %d under load), devices %d, retries %d, %d checks" % (
    d["kills"], d["kills_sn"], d["kills_auths"], d["kills_under_load"], d["devices"],
    d["device_retries"], d["checks"]))
EOF
  then
    pass=$((pass + 1))
  else
    echo "crash: FAIL: $label (rc $rc): $(tail -5 "$work/err")" >&2
    fail=$((fail + 1))
  fi
  if pgrep -f "$work/rcprov-lab" >/dev/null; then
    echo "crash: FAIL: $label left daemons running" >&2
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

run "sqlite, 2+2 instances" --devices 300 --kills 60 --interval-ms 40 --instances 2 --seed 7

if rcp_pg_start; then
  run "postgresql, 2+2 instances" --devices 300 --kills 60 --interval-ms 40 --instances 2 --seed 11 \
    --store "$RCP_PG_URL"
  # The demo against a running PostgreSQL (issue 6), twice on the same
  # database: the second run counts only what it added.
  for i in 1 2; do
    out=$("$CLI" demo --devices 20 --instances 2 --store "$RCP_PG_URL" --json 2>"$work/err"); rc=$?
    if [ $rc -eq 0 ] && echo "$out" | grep -q '"aka_ok": 20' && echo "$out" | grep -q '"ledger_acks": 20'; then
      pass=$((pass + 1))
    else
      echo "crash: FAIL: demo --store postgresql run $i (rc $rc): $out $(tail -3 "$work/err")" >&2
      fail=$((fail + 1))
    fi
  done
else
  echo "crash: FAIL: cannot start PostgreSQL" >&2
  fail=$((fail + 1))
fi

echo "crash: $pass passed, $fail failed"
[ $fail -eq 0 ]
