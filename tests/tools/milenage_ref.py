#!/usr/bin/env python3
"""Independent MILENAGE reference (3GPP TS 35.206 clause 4.1) for rcprov tests.

Written from the specification text, not from the C code: 128-bit values are
Python integers, rotations are done on integers, and the block cipher is
AES-128 from python3-cryptography.  The operator constants r1..r5 (any value
0..127) and c1..c5 (any 128-bit value) are parameters.

Sub-commands:
  selftest  --vectors DIR        check every set of milenage_ts35207.json and
                                 milenage_ts35208.json (all 13 fields)
  compare   --cli PATH --vectors DIR [--count N] [--seed S]
                                 run `rcprov milenage ... --json` on every
                                 vector set plus N random inputs and compare
                                 every output field with this reference
  consts    [--count N] [--seed S]
                                 print C table rows of random inputs with
                                 non-default r/c constants and the expected
                                 outputs (used to write tests/unit/test_milenage.c)
"""

import argparse
import json
import os
import random
import subprocess
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MASK128 = (1 << 128) - 1

# TS 35.206 clause 4.1: default rotations and constants.
DEFAULT_R = (64, 0, 32, 64, 96)
DEFAULT_C = (0, 1, 2, 4, 8)

OUTPUT_KEYS = ("opc", "mac_a", "mac_s", "res", "ck", "ik", "ak", "ak_star")


def _to_int(b):
    return int.from_bytes(b, "big")


def _to_bytes(x, n=16):
    return x.to_bytes(n, "big")


def rotate_left_128(x, r):
    """Cyclic left rotation of a 128-bit integer by r bits (TS 35.206: rot)."""
    r %= 128
    if r == 0:
        return x
    return ((x << r) | (x >> (128 - r))) & MASK128


class Milenage:
    """One subscriber: K and OPc (or OP), with operator constants r and c."""

    def __init__(self, k, op=None, opc=None, r=DEFAULT_R, c=DEFAULT_C):
        if len(k) != 16:
            raise ValueError("K must be 16 bytes")
        if len(r) != 5 or len(c) != 5:
            raise ValueError("need five r and five c values")
        for v in r:
            if not 0 <= v <= 127:
                raise ValueError("r values are 0..127")
        for v in c:
            if not 0 <= v <= MASK128:
                raise ValueError("c values are 128-bit")
        self._enc = Cipher(algorithms.AES(bytes(k)), modes.ECB()).encryptor()
        if opc is None:
            if op is None or len(op) != 16:
                raise ValueError("need OP or OPc of 16 bytes")
            self.opc = self._e(_to_int(op)) ^ _to_int(op)  # OPc = OP xor E_K(OP)
        else:
            if len(opc) != 16:
                raise ValueError("OPc must be 16 bytes")
            self.opc = _to_int(opc)
        self.r = tuple(r)
        self.c = tuple(c)

    def _e(self, x):
        return _to_int(self._enc.update(_to_bytes(x)))

    def compute(self, rand, sqn, amf):
        """All outputs of TS 35.206 4.1 as a dict of bytes."""
        if len(rand) != 16 or len(sqn) != 6 or len(amf) != 2:
            raise ValueError("RAND 16, SQN 6, AMF 2 bytes")
        opc = self.opc
        temp = self._e(_to_int(rand) ^ opc)
        in1 = _to_int(bytes(sqn) + bytes(amf) + bytes(sqn) + bytes(amf))
        r1, r2, r3, r4, r5 = self.r
        c1, c2, c3, c4, c5 = self.c
        out1 = self._e(temp ^ rotate_left_128(in1 ^ opc, r1) ^ c1) ^ opc
        outs = []
        for ri, ci in ((r2, c2), (r3, c3), (r4, c4), (r5, c5)):
            outs.append(self._e(rotate_left_128(temp ^ opc, ri) ^ ci) ^ opc)
        out2, out3, out4, out5 = outs
        b1 = _to_bytes(out1)
        b2 = _to_bytes(out2)
        b5 = _to_bytes(out5)
        return {
            "opc": _to_bytes(opc),
            "mac_a": b1[0:8],  # f1 = OUT1[0..63]
            "mac_s": b1[8:16],  # f1* = OUT1[64..127]
            "res": b2[8:16],  # f2 = OUT2[64..127]
            "ak": b2[0:6],  # f5 = OUT2[0..47]
            "ck": _to_bytes(out3),  # f3 = OUT3
            "ik": _to_bytes(out4),  # f4 = OUT4
            "ak_star": b5[0:6],  # f5* = OUT5[0..47]
        }


# JSON vector field -> reference output key
VECTOR_FIELDS = {
    "OPc": "opc",
    "f1": "mac_a",
    "f1star": "mac_s",
    "f2": "res",
    "f3": "ck",
    "f4": "ik",
    "f5": "ak",
    "f5star": "ak_star",
}

VECTOR_FILES = ("milenage_ts35207.json", "milenage_ts35208.json")


def load_sets(vectors_dir):
    sets = []
    for name in VECTOR_FILES:
        with open(os.path.join(vectors_dir, name), encoding="utf-8") as f:
            doc = json.load(f)
        for ts in doc["test_sets"]:
            sets.append((name, ts))
    return sets


def check_vector_set(ts):
    """Mismatch descriptions for one JSON test set (empty list = all equal)."""
    h = bytes.fromhex
    m = Milenage(h(ts["K"]), op=h(ts["OP"]))
    got = m.compute(h(ts["RAND"]), h(ts["SQN"]), h(ts["AMF"]))
    bad = []
    for field, key in VECTOR_FIELDS.items():
        if got[key].hex() != ts[field].lower():
            bad.append("%s: reference %s, vector %s" % (field, got[key].hex(), ts[field]))
    # The same outputs must come out when starting from OPc instead of OP.
    m2 = Milenage(h(ts["K"]), opc=h(ts["OPc"]))
    got2 = m2.compute(h(ts["RAND"]), h(ts["SQN"]), h(ts["AMF"]))
    for key in OUTPUT_KEYS:
        if got2[key] != got[key]:
            bad.append("%s differs between OP and OPc input" % key)
    return bad


def cmd_selftest(args):
    passed = failed = 0
    for name, ts in load_sets(args.vectors):
        bad = check_vector_set(ts)
        if bad:
            failed += 1
            for b in bad:
                print("%s set %s: %s" % (name, ts["test_set"], b))
        else:
            passed += 1
    print("milenage_ref selftest: %d sets passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


def random_case(rng, custom_consts):
    """One random input: (cli_args, reference Milenage, rand, sqn, amf)."""
    k = bytes(rng.getrandbits(8) for _ in range(16))
    key16 = bytes(rng.getrandbits(8) for _ in range(16))
    rand = bytes(rng.getrandbits(8) for _ in range(16))
    sqn = bytes(rng.getrandbits(8) for _ in range(6))
    amf = bytes(rng.getrandbits(8) for _ in range(2))
    use_op = rng.random() < 0.5
    args = ["--k", k.hex(), "--rand", rand.hex(), "--sqn", sqn.hex(), "--amf", amf.hex()]
    args += ["--op" if use_op else "--opc", key16.hex()]
    r, c = DEFAULT_R, DEFAULT_C
    if custom_consts:
        r = tuple(rng.randrange(128) for _ in range(5))
        c = tuple(rng.getrandbits(128) for _ in range(5))
        for i in range(5):
            args += ["--r%d" % (i + 1), str(r[i])]
            args += ["--c%d" % (i + 1), "%032x" % c[i]]
    if use_op:
        m = Milenage(k, op=key16, r=r, c=c)
    else:
        m = Milenage(k, opc=key16, r=r, c=c)
    return args, m, rand, sqn, amf


def run_cli(cli, args):
    proc = subprocess.run([cli, "milenage"] + args + ["--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, "exit status %d: %s" % (proc.returncode, proc.stderr.strip())
    try:
        doc = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        return None, "stdout is not one JSON object (%s): %r" % (e, proc.stdout[:200])
    if not isinstance(doc, dict):
        return None, "stdout JSON is not an object"
    return doc, None


def compare_one(cli, label, args, expected):
    doc, err = run_cli(cli, args)
    if err:
        return ["%s: %s" % (label, err)]
    bad = []
    for key in OUTPUT_KEYS:
        got = doc.get(key)
        want = expected[key].hex()
        if got != want:
            bad.append("%s: %s = %r, reference %s" % (label, key, got, want))
    extra = sorted(set(doc) - set(OUTPUT_KEYS))
    if extra:
        bad.append("%s: unexpected keys %s" % (label, ", ".join(extra)))
    return bad


def cmd_compare(args):
    print("milenage_independent: seed %d, %d random inputs" % (args.seed, args.count))
    rng = random.Random(args.seed)
    passed = failed = 0

    def account(bad):
        nonlocal passed, failed
        if bad:
            failed += 1
            for b in bad:
                print("MISMATCH " + b)
        else:
            passed += 1

    h = bytes.fromhex
    for name, ts in load_sets(args.vectors):
        label = "%s set %s" % (name, ts["test_set"])
        # The JSON values themselves must agree with the reference ...
        account(["%s: %s" % (label, b) for b in check_vector_set(ts)])
        # ... and the CLI must give the same, once from OP and once from OPc.
        base = ["--k", ts["K"], "--rand", ts["RAND"], "--sqn", ts["SQN"], "--amf", ts["AMF"]]
        expected = Milenage(h(ts["K"]), op=h(ts["OP"])).compute(
            h(ts["RAND"]), h(ts["SQN"]), h(ts["AMF"]))
        account(compare_one(args.cli, label + " (OP)", base + ["--op", ts["OP"]], expected))
        account(compare_one(args.cli, label + " (OPc)", base + ["--opc", ts["OPc"]], expected))

    for i in range(args.count):
        custom = i % 3 == 2  # a third of the random inputs use random r/c
        cli_args, m, rand, sqn, amf = random_case(rng, custom)
        label = "random %d%s" % (i, " (custom r/c)" if custom else "")
        account(compare_one(args.cli, label, cli_args, m.compute(rand, sqn, amf)))

    print("milenage_independent: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


def cmd_consts(args):
    """Print C initialisers for tests/unit/test_milenage.c."""
    rng = random.Random(args.seed)
    print("/* generated: tests/tools/milenage_ref.py consts --count %d --seed %d */"
          % (args.count, args.seed))
    # Edge rotations first (all zero; 1, 127 and odd values; multiples of 8
    # that are not the defaults), then random r and c.
    fixed_r = [(0, 0, 0, 0, 0), (1, 127, 7, 9, 120), (8, 16, 24, 40, 120)]
    fixed_c = [(0, 0, 0, 0, 0), None, (MASK128,) * 5]
    for i in range(len(fixed_r) + args.count):
        k = bytes(rng.getrandbits(8) for _ in range(16))
        opc = bytes(rng.getrandbits(8) for _ in range(16))
        rand = bytes(rng.getrandbits(8) for _ in range(16))
        sqn = bytes(rng.getrandbits(8) for _ in range(6))
        amf = bytes(rng.getrandbits(8) for _ in range(2))
        r = tuple(rng.randrange(128) for _ in range(5))
        c = tuple(rng.getrandbits(128) for _ in range(5))
        if i < len(fixed_r):
            r = fixed_r[i]
            c = fixed_c[i] if fixed_c[i] is not None else c
        out = Milenage(k, opc=opc, r=r, c=c).compute(rand, sqn, amf)
        print("    {")
        print('        "%s", "%s",' % (k.hex(), opc.hex()))
        print('        "%s", "%s", "%s",' % (rand.hex(), sqn.hex(), amf.hex()))
        print("        {%s}," % ", ".join(str(v) for v in r))
        print("        {%s}," % ", ".join('"%032x"' % v for v in c))
        print('        "%s", "%s", "%s",' % (out["mac_a"].hex(), out["mac_s"].hex(),
                                             out["res"].hex()))
        print('        "%s",' % out["ck"].hex())
        print('        "%s",' % out["ik"].hex())
        print('        "%s", "%s",' % (out["ak"].hex(), out["ak_star"].hex()))
        print("    },")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("selftest")
    s.add_argument("--vectors", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--cli", required=True)
    c.add_argument("--vectors", required=True)
    c.add_argument("--count", type=int, default=200)
    c.add_argument("--seed", type=int, default=35206)
    g = sub.add_parser("consts")
    g.add_argument("--count", type=int, default=6)
    g.add_argument("--seed", type=int, default=20240601)
    args = p.parse_args()
    if args.cmd == "selftest":
        return cmd_selftest(args)
    if args.cmd == "compare":
        return cmd_compare(args)
    return cmd_consts(args)


if __name__ == "__main__":
    sys.exit(main())
