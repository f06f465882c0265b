#!/usr/bin/env python3
"""rcprov sim uuid-attach and rcprov bench through the real binary.

The simulation must provision every device and pass AKA for both curves
and both suites, with the cost figures the issue asks for.  The benches are
run briefly to check that they work and print every figure: performance
targets are read from their output by people, not asserted here.
"""
import json
import os
import subprocess
import sys

CLI = os.environ.get("RCP_CLI", "build/rcprov")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)


def run(args):
    return subprocess.run([CLI] + args, capture_output=True, text=True)


for curve in ("p256", "brainpoolp256r1"):
    for suite in ("gcm", "cbc-hmac"):
        p = run(["sim", "uuid-attach", "--devices", "12", "--curve", curve, "--suite", suite,
                 "--seed", "5", "--json"])
        tag = "%s/%s" % (curve, suite)
        check(p.returncode == 0, tag + " exit 0: " + p.stderr[-300:])
        try:
            d = json.loads(p.stdout)
        except ValueError:
            check(False, tag + " JSON: " + p.stdout[:200])
            continue
        for key in ("flow", "devices", "provisioned", "aka_ok", "failed", "round_trips_per_device",
                    "bytes_up_per_device", "bytes_down_per_device", "device_ops", "elapsed_s"):
            check(key in d, tag + " has " + key)
        check(d["flow"] == "uuid-attach" and d["devices"] == 12, tag + " flow/devices")
        check(d["provisioned"] == 12 and d["aka_ok"] == 12 and d["failed"] == 0, tag + " all ok")
        check(d["imsis_allocated"] == 12 and d["acks_in_ledger"] == 12, tag + " store counts")
        check(d["round_trips_per_device"] == 4.0, tag + " 4 round trips")
        check(d["device_ops"] == {"sign": 1.0, "verify": 3.0, "ecdh": 2.0, "keygen": 1.0},
              tag + " device ops %r" % d["device_ops"])
        check(d["curve"] == curve and d["suite"] == suite, tag + " echoes options")

# Text mode with a kept folder: the stores are there afterwards.
import tempfile
with tempfile.TemporaryDirectory() as tmp:
    p = run(["sim", "uuid-attach", "--devices", "3", "--dir", tmp + "/w", "--quiet"])
    check(p.returncode == 0 and "AKA ok (new credentials)     3" in p.stdout, "text mode")
    check(os.path.exists(tmp + "/w/sn.db") and os.path.exists(tmp + "/w/auths.db"),
          "stores kept in --dir")

# Bad input: one line, exit 2.
for args, needle in [
    (["sim"], "missing flow"),
    (["sim", "kme"], "unknown flow"),
    (["sim", "uuid-attach"], "--devices N (N >= 1) is required"),
    (["sim", "uuid-attach", "--devices", "0"], "--devices N (N >= 1) is required"),
    (["sim", "uuid-attach", "--devices", "2", "--curve", "p384"], "--curve must be"),
    (["sim", "uuid-attach", "--devices", "2", "--suite", "egcm"], "--suite must be"),
    (["bench", "nope"], "unknown bench"),
    (["bench", "certs", "--seconds", "abc"], "--seconds must be a number"),
    (["bench", "uuid-attach-sn", "--curve", "x25519"], "--curve must be"),
]:
    p = run(args)
    check(p.returncode == 2 and needle in p.stderr and p.stderr.count("\n") == 1,
          "bad input %r -> %d %r" % (args, p.returncode, p.stderr))

# Benches: they run and print every figure.
p = run(["bench", "uuid-attach-sn", "--seconds", "0.05", "--rounds", "1", "--json"])
check(p.returncode == 0, "bench uuid-attach-sn runs: " + p.stderr[-300:])
try:
    d = json.loads(p.stdout)
    for key in ("flows_per_s", "bound_per_s", "ratio", "ratio_core", "ops"):
        check(key in d, "bench uuid-attach-sn has " + key)
    check(d["ops"]["verify"] == 3 and d["ops"]["sign"] == 3 and d["ops"]["ecdh"] == 2
          and d["ops"]["keygen"] == 1, "bench SN ops per flow %r" % d["ops"])
    check(d["flows_per_s"] > 0 and 0 < d["ratio"] <= 1.5, "bench figures sane %r" % d)
except (ValueError, KeyError) as e:
    check(False, "bench uuid-attach-sn JSON: %s %s" % (e, p.stdout[:200]))
p = run(["bench", "certs", "--seconds", "0.05", "--rounds", "1", "--json"])
check(p.returncode == 0, "bench certs runs: " + p.stderr[-300:])
try:
    d = json.loads(p.stdout)
    for key in ("openssl_speed_verify_us", "ecdsa_verify_us", "compact_leaf_verify_us",
                "x509_leaf_verify_us", "compact_ratio", "x509_ratio"):
        check(key in d and d[key] > 0, "bench certs has " + key)
except ValueError:
    check(False, "bench certs JSON: " + p.stdout[:200])

print("sim_bench: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or passed == 0 else 0)
