#!/usr/bin/env python3
"""`rcprov aka diagnose` on vectors made with known mistakes.

AUTN and AUTS are built from `rcprov milenage` outputs (f1, f1*, f5, f5*),
which kat_milenage and milenage_independent check against TS 35.207/35.208
and an independent implementation.  Each case states the mistake and the
diagnosis, SQN and SQN_MS that must come back.
"""
import json
import os
import random
import subprocess
import sys

CLI = os.environ.get("RCP_CLI", "build/rcprov")
passed = failed = 0


def run(args):
    p = subprocess.run([CLI] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what, file=sys.stderr)


def milenage(k, opc, rand, sqn, amf):
    rc, out, err = run(["milenage", "--k", k, "--opc", opc, "--rand", rand,
                        "--sqn", sqn, "--amf", amf, "--json"])
    assert rc == 0, err
    return json.loads(out)


def xor_hex(a, b):
    return bytes(x ^ y for x, y in zip(bytes.fromhex(a), bytes.fromhex(b))).hex()


def make_autn(k, opc, rand, sqn, amf):
    o = milenage(k, opc, rand, sqn, amf)
    return xor_hex(sqn, o["ak"]) + amf + o["mac_a"]


def make_auts(k, opc, rand, sqn_ms):
    o = milenage(k, opc, rand, sqn_ms, "0000")  # TS 33.102 6.3.3: AMF* = 0000
    return xor_hex(sqn_ms, o["ak_star"]) + o["mac_s"]


def diagnose(args):
    rc, out, err = run(["aka", "diagnose"] + args + ["--json"])
    if rc == 2:
        return rc, {"error": err}
    return rc, json.loads(out)


def h(n, rng):
    return bytes(rng.getrandbits(8) for _ in range(n)).hex()


def sqn_hex(v):
    return "%012x" % v


def one_world(rng):
    k, op = h(16, rng), h(16, rng)
    # OPc from OP via the CLI (OPc = OP xor E_K(OP)).
    rc, out, _ = run(["milenage", "--k", k, "--op", op, "--rand", "00" * 16,
                      "--sqn", "00" * 6, "--amf", "0000", "--json"])
    assert rc == 0
    opc = json.loads(out)["opc"]
    return k, op, opc


def cases(rng, i):
    k, op, opc = one_world(rng)
    rand = h(16, rng)
    sqn = rng.randrange(1 << 30, 1 << 46)
    amf = "8000"
    autn = make_autn(k, opc, rand, sqn_hex(sqn), amf)
    base = ["--k", k, "--rand", rand, "--autn", autn]
    tag = "case %d" % i

    # 1. Correct OP: accepted, SQN recovered.
    rc, d = diagnose(base + ["--op", op])
    check(rc == 0 and d["diagnosis"] == "ok" and d["sqn"] == sqn_hex(sqn), tag + " correct op")
    rc, d = diagnose(base + ["--opc", opc])
    check(rc == 0 and d["diagnosis"] == "ok" and d["key_material"] == "as_given", tag + " correct opc")

    # 2. OPc passed as --op, and OP passed as --opc.
    rc, d = diagnose(base + ["--op", opc])
    check(rc == 1 and d["diagnosis"] == "op_is_opc" and d["sqn"] == sqn_hex(sqn)
          and d["key_material"] == "swapped", tag + " opc given as op")
    rc, d = diagnose(base + ["--opc", op])
    check(rc == 1 and d["diagnosis"] == "opc_is_op" and d["sqn"] == sqn_hex(sqn), tag + " op given as opc")

    # 3. Stale SQN: the USIM has already accepted SQN or higher.
    sqn_ms = sqn + rng.randrange(0, 1000)
    rc, d = diagnose(base + ["--op", op, "--sqn-ms", sqn_hex(sqn_ms)])
    check(rc == 1 and d["diagnosis"] == "sqn_stale" and d["sqn"] == sqn_hex(sqn)
          and d["sqn_ms"] == sqn_hex(sqn_ms), tag + " stale sqn")

    # 4. Out of range: more than delta = 2^28 ahead; within delta is fine.
    far = sqn - (1 << 28) - 1 - rng.randrange(0, 1000)
    rc, d = diagnose(base + ["--op", op, "--sqn-ms", sqn_hex(far)])
    check(rc == 1 and d["diagnosis"] == "sqn_out_of_range" and d["sqn"] == sqn_hex(sqn), tag + " out of range")
    near = sqn - rng.randrange(1, 1 << 28)
    rc, d = diagnose(base + ["--op", op, "--sqn-ms", sqn_hex(near)])
    check(rc == 0 and d["diagnosis"] == "ok", tag + " within delta")

    # 5. AUTS from the USIM: SQN_MS recovered from it, SQN judged stale.
    usim_sqn = sqn + rng.randrange(1, 5000)
    auts = make_auts(k, opc, rand, sqn_hex(usim_sqn))
    rc, d = diagnose(base + ["--op", op, "--auts", auts])
    check(rc == 1 and d["diagnosis"] == "sqn_stale" and d["auts"] == "ok"
          and d["sqn_ms"] == sqn_hex(usim_sqn) and d["sqn_ms_source"] == "auts", tag + " auts stale")
    # ... and with OP/OPc swapped as well: both findings, SQN_MS still recovered.
    rc, d = diagnose(base + ["--op", opc, "--auts", auts])
    check(rc == 1 and d["findings"] == ["op_is_opc", "sqn_stale"]
          and d["sqn_ms"] == sqn_hex(usim_sqn), tag + " auts + swap")
    # Corrupted AUTS.
    bad = auts[:-2] + "%02x" % (int(auts[-2:], 16) ^ 1)
    rc, d = diagnose(base + ["--op", op, "--auts", bad])
    check(rc == 1 and d["diagnosis"] == "auts_mac_fail" and d["auts"] == "fail", tag + " bad auts")

    # 6. Wrong K: a MAC failure it cannot explain.
    rc, d = diagnose(["--k", h(16, rng), "--rand", rand, "--autn", autn, "--op", op])
    check(rc == 1 and d["diagnosis"] == "mac_unexplained" and d["sqn"] is None, tag + " wrong k")
    # AUTN for another RAND.
    rc, d = diagnose(["--k", k, "--rand", h(16, rng), "--autn", autn, "--op", op])
    check(rc == 1 and d["diagnosis"] == "mac_unexplained", tag + " other rand")

    # 7. EPS separation bit.
    autn0 = make_autn(k, opc, rand, sqn_hex(sqn), "0000")
    rc, d = diagnose(["--k", k, "--rand", rand, "--autn", autn0, "--op", op, "--eps"])
    check(rc == 1 and d["diagnosis"] == "amf_separation_bit", tag + " amf bit")
    rc, d = diagnose(base + ["--op", op, "--eps"])
    check(rc == 0, tag + " amf bit set")


def bad_input():
    k = "00" * 16
    common = ["--rand", "00" * 16, "--autn", "00" * 16]
    for args, needle in [
        (["aka"], "missing subcommand"),
        (["aka", "diagnos"], "unknown subcommand"),
        (["aka", "diagnose", "--k", "zz" * 16, "--op", k] + common, "--k is not valid hex"),
        (["aka", "diagnose", "--k", "00" * 15, "--op", k] + common, "--k must be 16 bytes"),
        (["aka", "diagnose", "--k", k, "--op", k, "--opc", k] + common, "exactly one of --op and --opc"),
        (["aka", "diagnose", "--k", k] + common, "exactly one of --op and --opc"),
        (["aka", "diagnose", "--op", k] + common, "missing required option --k"),
        (["aka", "diagnose", "--k", k, "--op", k, "--rand", "00" * 16], "missing required option --autn"),
        (["aka", "diagnose", "--k", k, "--op", k, "--autn"], "--autn needs a value"),
        (["aka", "diagnose", "--k", k, "--op", k, "--bogus", "1"] + common, "unknown option '--bogus'"),
        (["aka", "diagnose", "--k", k, "--k", k, "--op", k] + common, "--k given twice"),
        (["aka", "diagnose", "--k", k, "--op", k, "--auts", "00" * 13] + common, "--auts must be 14 bytes"),
        (["aka", "diagnose", "--k", k, "--op", k, "--ind-bits", "9"] + common, "--ind-bits must be a decimal number from 0 to 8"),
        (["milenage", "--k", k, "--op", k, "--rand", k, "--sqn", "00" * 6], "missing required option --amf"),
        (["milenage", "--k", k, "--op", k, "--rand", k, "--sqn", "00" * 6, "--amf", "000"], "--amf is not valid hex"),
        (["milenage", "--k", k, "--op", k, "--rand", k, "--sqn", "00" * 6, "--amf", "0000", "--r1", "128"], "--r1 must be a decimal number from 0 to 127"),
        (["milenage", "--k", k, "--op", k, "--rand", k, "--sqn", "00" * 6, "--amf", "0000", "--r1", "-1"], "--r1 must be a decimal number"),
        (["milenage", "--k", k, "--op", k, "--rand", k, "--sqn", "00" * 6, "--amf", "0000", "--c3", "00"], "--c3 must be 16 bytes"),
        (["milenage", "--k", k, "--op", k, "--rand", k, "--sqn", "00" * 6, "--amf", "0000", "--json=1"], "--json takes no value"),
        (["milenage", "stray"], "unexpected argument 'stray'"),
        (["nosuch"], "unknown command 'nosuch'"),
        ([], "usage: rcprov COMMAND"),
    ]:
        rc, out, err = run(args)
        check(rc == 2 and needle in err and err.count("\n") <= 1 + (needle.startswith("usage") * 20)
              and out == "", "bad input %r -> rc %d err %r" % (args, rc, err))
    # --help works and exits 0.
    for args in (["--help"], ["milenage", "--help"], ["aka", "diagnose", "--help"]):
        rc, out, err = run(args)
        check(rc == 0 and "usage:" in out, "help %r" % args)


def text_mode():
    rng = random.Random(7)
    k, op, opc = one_world(rng)
    rand = h(16, rng)
    autn = make_autn(k, opc, rand, "0000000000a1", "8000")
    rc, out, _ = run(["aka", "diagnose", "--k", k, "--op", opc, "--rand", rand, "--autn", autn])
    first = out.splitlines()[0]
    check(rc == 1 and first.startswith("op_is_opc:") and "pass it with --opc" in first
          and "0000000000a1" in first, "text mode one-line answer: %r" % first)


def main():
    seed = int(os.environ.get("RCP_TEST_SEED", "20261124"))
    print("aka_diagnose: seed", seed)
    rng = random.Random(seed)
    for i in range(20):
        cases(rng, i)
    bad_input()
    text_mode()
    print("aka_diagnose: %d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
