#!/usr/bin/env bash
# Integration over the network: real rcprovd daemons on loopback ports,
# coap-client from libcoap3-bin, the SP's registration API, devices over
# CoAP, a device killed (SIGKILL) at random moments that resumes, the
# demo, and refusals of bad configurations and requests.
set -uo pipefail
# pgrep checks that no daemon is left: without it those checks could not fail.
command -v pgrep >/dev/null || { echo "$(basename "$0"): needs pgrep (Debian package procps)" >&2; exit 1; }
CLI=${RCP_CLI:?}
DAEMON=${RCP_DAEMON:?}
export RCPROVD=$DAEMON
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "net: FAIL: $*" >&2; fail=$((fail + 1)); }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

work=$(mktemp -d)
export TMPDIR=$work
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { python3 -c "import json,sys; d=json.load(open('$1')); print(d$2)"; }

snp=$(free_port)
ap=$(free_port)
while [ "$ap" = "$snp" ]; do ap=$(free_port); done
D=$work/dep
"$CLI" deploy --dir "$D" --devices 6 --sn-port "$snp" --auths-port "$ap" >/dev/null || bad "deploy"

# -------------------------------------------------- configuration checks
check "rcprovd --check accepts the SN config" "'$DAEMON' --config '$D/sn/sn.conf' --check >/dev/null"
check "rcprovd --check accepts the AuthS config" "'$DAEMON' --config '$D/auths/auths.conf' --check >/dev/null"
# The examples parse; they stop at the first key file, which lives with
# the operator's own PKI (the message names the file, line and key).
for ex in sn auths sn+auths; do
  out=$("$DAEMON" --config "$RCP_SOURCE_DIR/examples/$ex.conf" --check 2>&1); rc=$?
  check "example $ex.conf parses up to its key files (got: $out)" \
    "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'examples/$ex.conf:[0-9]*: \[[a-z]*\] [a-z_]*: cannot read'"
done
cp "$D/sn/sn.conf" "$D/sn/bad.conf"
echo "msin_lats = 12" >>"$D/sn/bad.conf"
out=$("$DAEMON" --config "$D/sn/bad.conf" 2>&1); rc=$?
check "unknown key refused with exit 2" "[ $rc -eq 2 ]"
check "unknown key named (got: $out)" "echo \"\$out\" | grep -q 'msin_lats'"
sed 's/^curve = .*/curve = p384/' "$D/sn/sn.conf" >"$D/sn/bad.conf"
out=$("$DAEMON" --config "$D/sn/bad.conf" 2>&1); rc=$?
check "bad curve refused naming the key (got: $out)" "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'curve'"
sed 's/^msin_last = .*/msin_last = 10/' "$D/sn/sn.conf" >"$D/sn/bad.conf"
out=$("$DAEMON" --config "$D/sn/bad.conf" 2>&1); rc=$?
check "bad IMSI range refused naming the key (got: $out)" "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'msin'"
rm -f "$D/sn/bad.conf"
out=$("$DAEMON" --config "$D/nope.conf" 2>&1); rc=$?
check "missing config file refused" "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'nope.conf'"

# ------------------------------------------------------------ daemons
start() { # name config
  rm -f "$2.pid"
  "$DAEMON" --config "$2" --ready-file "$2.pid" >>"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do [ -s "$2.pid" ] && return 0; sleep 0.05; done
  return 1
}
check "AuthS daemon starts" "start auths '$D/auths/auths.conf'"
auths_pid=${pids[-1]}
check "SN daemon starts" "start sn '$D/sn/sn.conf'"
sn_pid=${pids[-1]}

# coap-client (libcoap3-bin) reads /.well-known/core.
wk=$(coap-client-openssl -B 5 -m get "coap://127.0.0.1:$snp/.well-known/core" 2>&1)
check "coap-client lists </ua-sn> (got: $wk)" "echo \"\$wk\" | grep -q '</ua-sn>'"
resp=$(coap-client-openssl -B 5 -m post -e 'not cbor' "coap://127.0.0.1:$snp/ua-sn" 2>&1)
check "garbage POST answered with an error, daemon alive (got: $resp)" \
  "kill -0 $sn_pid && echo \"\$resp\" | grep -qi 'not an rcprov message\\|4.00'"
resp=$(coap-client-openssl -B 5 -m post -e 'x' "coap://127.0.0.1:$snp/ua-auths" 2>&1)
check "AuthS service not offered without DTLS (got: $resp)" "echo \"\$resp\" | grep -qi '4.0[14]\\|DTLS\\|not found'"

# ---------------------------------------------------- SP registration API
read -r d1 u1 c1 < <(sed -n 1p "$D/devices.txt")
out=$("$CLI" sp register --sp "$D/sp/sp.conf" --uuid "$u1" --tre-cert "$D/$c1" 2>&1); rc=$?
check "sp register (got: $out)" "[ $rc -eq 0 ] && echo \"\$out\" | grep -q 'registered'"
out=$("$CLI" sp register --sp "$D/sp/sp.conf" --uuid "$u1" --tre-cert "$D/$c1" --json 2>&1); rc=$?
check "registering twice is idempotent (got: $out)" "[ $rc -eq 0 ] && echo \"\$out\" | grep -q '\"created\": false'"
read -r d2 u2 c2 < <(sed -n 2p "$D/devices.txt")
out=$("$CLI" sp register --sp "$D/sp/sp.conf" --uuid "$u1" --tre-cert "$D/$c2" 2>&1); rc=$?
check "same UUID for another TRE refused (got: $out)" "[ $rc -eq 1 ] && echo \"\$out\" | grep -qi 'already registered otherwise'"
out=$("$CLI" sp register --sp "$D/sp/sp.conf" --uuid 00 --tre-cert "$D/$c2" 2>&1); rc=$?
check "bad --uuid refused with exit 2 (got: $out)" "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'uuid'"
out=$("$CLI" sp register --sp "$D/sp/sp.conf" --uuid "$u2" --tre-cert "$D/sp/sp.conf" 2>&1); rc=$?
check "non-certificate --tre-cert refused (got: $out)" "[ $rc -eq 2 ] && echo \"\$out\" | grep -q 'tre-cert'"
# An SP whose certificate the AuthS has no agreement for: the SN's TLS
# credentials are from the same CA, but its key is not an SP's.
sed -e 's#^key = .*#key = ../sn/ecdsa.key#' -e 's#^tls_cert = .*#tls_cert = ../sn/tls.pem#' \
  "$D/sp/sp.conf" >"$D/sp/rogue.conf"
out=$("$CLI" sp register --sp "$D/sp/rogue.conf" --uuid "$u2" --tre-cert "$D/$c2" 2>&1); rc=$?
check "registration signed by a key without an SP agreement refused (got: $out)" "[ $rc -eq 1 ]"
for i in 3 4 5 6; do
  read -r dn un cn < <(sed -n "${i}p" "$D/devices.txt")
  "$CLI" sp register --sp "$D/sp/sp.conf" --uuid "$un" --tre-cert "$D/$cn" >/dev/null 2>&1 || bad "register device $i"
done

# ------------------------------------------------------ devices over CoAP
out=$("$CLI" device uuid-attach --sn "coap://127.0.0.1:$snp" --state "$D/devices/00001" --json 2>/dev/null); rc=$?
check "device 1 provisioned and AKA ok (got: $out)" "[ $rc -eq 0 ] && echo \"\$out\" | grep -q '\"aka_ok\": true'"
check "device 1: 4 round trips" "echo \"\$out\" | grep -q '\"round_trips\": 4'"
out=$("$CLI" device uuid-attach --sn "coap://127.0.0.1:$snp" --state "$D/devices/00001" 2>&1); rc=$?
check "a finished device says so and exits 0 (got: $out)" "[ $rc -eq 0 ]"
check "state.cbor is mode 0600" "[ \"\$(stat -c %a '$D/devices/00001/state.cbor')\" = 600 ]"

# A device killed with SIGKILL at random moments resumes and finishes.
# Every restart after the TRE authenticated asks the AuthS again and uses
# one authorization of the UUID's policy: device 2 is registered with 16.
read -r dn un cn < <(sed -n 2p "$D/devices.txt")
"$CLI" sp register --sp "$D/sp/sp.conf" --uuid "$un" --tre-cert "$D/$cn" --max-authorizations 16 \
  >/dev/null 2>&1 || bad "register device 2 with 16 authorizations"
kills=0
for attempt in $(seq 1 12); do
  "$CLI" device uuid-attach --sn "coap://127.0.0.1:$snp" --state "$D/devices/00002" --quiet >/dev/null 2>&1 &
  p=$!
  sleep "0.00$((RANDOM % 10))$((RANDOM % 10))"
  if kill -9 "$p" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$p" 2>/dev/null
done
out=$("$CLI" device uuid-attach --sn "coap://127.0.0.1:$snp" --state "$D/devices/00002" --json 2>&1); rc=$?
check "killed device ($kills kills) resumes and finishes (got: $out)" "[ $rc -eq 0 ] && echo \"\$out\" | grep -q '\"aka_ok\": true'"
echo "net: device 2 killed $kills times, then finished"

out=$("$CLI" device uuid-attach --sn "coap://127.0.0.1:$snp" --state "$D/devices/00003" --attempts 1 2>&1); rc=$?
check "device 3 provisioned (got: $out)" "[ $rc -eq 0 ]"

# Block-wise transfer (RFC 7959): a second SN instance (same store, same
# keys) configured for 64-byte blocks, and a device sending 16-byte blocks.
# Every uuid-attach message is larger than both, so each one crosses in
# blocks: device -> SN (Block1, and Block2 for the answers), SN -> AuthS over
# DTLS (Block1 and Block2 at 64 bytes).
snp2=$(free_port)
sed -e "s/^listen = .*/listen = 127.0.0.1:$snp2/" -e 's/^data_dir = data/data_dir = data\nblock_size = 64/' \
  "$D/sn/sn.conf" >"$D/sn/sn-blocks.conf"
check "SN with 64-byte blocks starts" "start sn-blocks '$D/sn/sn-blocks.conf'"
out=$("$CLI" device uuid-attach --sn "coap://127.0.0.1:$snp2" --state "$D/devices/00004" --block-size 16 --json 2>&1); rc=$?
check "device 4 over 16/64-byte blocks: provisioned and AKA ok (got: $out)" \
  "[ $rc -eq 0 ] && echo \"\$out\" | grep -q '\"aka_ok\": true' && echo \"\$out\" | grep -q '\"bytes_down\": 1025'"
kill -TERM "${pids[-1]}"
wait "${pids[-1]}"
check "block-wise SN exits 0 on SIGTERM" "[ $? -eq 0 ]"

# SIGTERM: the daemons stop cleanly.
kill -TERM "$sn_pid" "$auths_pid"
wait "$sn_pid"; s1=$?
wait "$auths_pid"; s2=$?
check "SN exits 0 on SIGTERM" "[ $s1 -eq 0 ]"
check "AuthS exits 0 on SIGTERM" "[ $s2 -eq 0 ]"
check "no rcprovd left on the deployment" "! pgrep -f '$D/' >/dev/null"

# The SN's allocations: one IMSI per provisioned device, none twice.
n_alloc=$(python3 -c "import sqlite3; c=sqlite3.connect('$D/sn/data/sn.db'); print(c.execute('select count(*), count(distinct uuid) from sn_allocation').fetchone())")
check "4 devices, 4 IMSIs, 4 UUIDs (got $n_alloc)" "[ '$n_alloc' = '(4, 4)' ]"

# ------------------------------------------------------------ the demo
out=$("$CLI" demo --devices 30 --json 2>"$work/demo.err"); rc=$?
check "demo green (got: $out; $(tail -3 "$work/demo.err"))" "[ $rc -eq 0 ]"
echo "$out" >"$work/demo.json"
if [ $rc -eq 0 ]; then
  check "demo: 30 provisioned" "[ \$(json '$work/demo.json' \"['provisioned']\") = 30 ]"
  check "demo: 30 AKA ok" "[ \$(json '$work/demo.json' \"['aka_ok']\") = 30 ]"
  check "demo: 30 acknowledgements in the ledger" "[ \$(json '$work/demo.json' \"['ledger_acks']\") = 30 ]"
  check "demo: daemons stopped cleanly" "[ \$(json '$work/demo.json' \"['daemons_stopped_cleanly']\") = True ]"
fi
check "demo leaves no process behind" "! pgrep -f '$work/rcprov-lab' >/dev/null"
check "demo leaves no folder behind" "! ls -d '$work'/rcprov-lab-* >/dev/null 2>&1"

echo "net: $pass passed, $fail failed"
[ $fail -eq 0 ]
