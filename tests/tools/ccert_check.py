#!/usr/bin/env python3
"""Independent verifier of the compact-certificate test vectors.

Written from docs/spec/certificates.md and docs/spec/cbor.md only (no
rcprov C source was read), with the standard library and
python3-cryptography.  It checks docs/spec/vectors/certificates.json byte
for byte:

  * keys: private scalar -> uncompressed / compressed public key, kid;
  * certificates and the CRL: strict CBOR decoding in the profile of
    cbor.md, every field against the JSON, ECDSA-SHA256 r||s signatures over
    the content of the tbs byte string, the CRL serial order rule;
  * every `checks` entry, with the verification algorithm of
    certificates.md ("Verification");
  * negative self-tests: every byte flip and every bit flip of a leaf is
    refused; certificates that break one structural rule (re-signed with the
    real issuer key, so only that rule is wrong) are refused as malformed;
    the CBOR decoder refuses non-shortest heads, trailing bytes, indefinite
    lengths, unsorted and duplicate keys, tags, floats, bad UTF-8, ...

Usage: ccert_check.py [-v] certificates.json
Prints one line per chain and a closing line
`ccert_independent: N passed, N failed`; exits 1 when anything failed or
nothing was checked.
"""

import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

# ---------------------------------------------------------------------------
# CBOR profile (cbor.md): strict decoder
# ---------------------------------------------------------------------------

DEFAULT_MAX_SIZE = 16384
DEFAULT_MAX_DEPTH = 8
DEFAULT_MAX_ITEMS = 1024


class CborError(Exception):
    def __init__(self, reason, offset):
        super().__init__("%s at offset %d" % (reason, offset))
        self.reason = reason
        self.offset = offset


class Item:
    """A decoded data item; `raw` is its exact encoding in the input."""
    __slots__ = ("kind", "value", "raw", "offset")

    def __init__(self, kind, value, raw, offset):
        self.kind = kind      # uint nint bytes text array map simple
        self.value = value    # int / bytes / str / [Item] / [(Item, Item)] / bool|None
        self.raw = raw
        self.offset = offset

    def __repr__(self):
        return "Item(%s, %r)" % (self.kind, self.value)


class _Decoder:
    def __init__(self, data, max_depth, max_items):
        self.d = data
        self.pos = 0
        self.max_depth = max_depth
        self.items_left = max_items

    def _need(self, n, head_off):
        if self.pos + n > len(self.d):
            raise CborError("TRUNCATED", head_off)

    def _head(self):
        """Read one head; return (major, ai, argument, head offset)."""
        off = self.pos
        if off >= len(self.d):
            raise CborError("TRUNCATED", len(self.d))
        ib = self.d[off]
        major, ai = ib >> 5, ib & 0x1F
        self.pos += 1
        if self.items_left <= 0:
            raise CborError("ITEMS", off)
        self.items_left -= 1
        if ai < 24:
            return major, ai, ai, off
        if ai in (28, 29, 30):
            raise CborError("MALFORMED", off)
        if ai == 31:
            if major in (0, 1, 6):
                raise CborError("MALFORMED", off)
            raise CborError("INDEFINITE", off)  # 2,3,4,5 indefinite; 7 break
        if major == 7:
            if ai == 24:
                raise CborError("SIMPLE", off)
            raise CborError("FLOAT", off)       # 25, 26, 27
        width = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
        self._need(width, off)
        arg = int.from_bytes(self.d[self.pos:self.pos + width], "big")
        self.pos += width
        shortest = (24 if arg < 256 else 25 if arg < 65536 else
                    26 if arg < 2 ** 32 else 27)
        if arg < 24 or ai != shortest:
            raise CborError("NON_SHORTEST", off)
        return major, ai, arg, off

    def item(self, depth):
        major, ai, arg, off = self._head()
        if major == 0:
            return Item("uint", arg, self.d[off:self.pos], off)
        if major == 1:
            return Item("nint", -1 - arg, self.d[off:self.pos], off)
        if major in (2, 3):
            self._need(arg, off)
            body = self.d[self.pos:self.pos + arg]
            self.pos += arg
            if major == 2:
                return Item("bytes", body, self.d[off:self.pos], off)
            try:
                text = body.decode("utf-8", "strict")  # RFC 3629 strict
            except UnicodeDecodeError:
                raise CborError("BAD_UTF8", off) from None
            return Item("text", text, self.d[off:self.pos], off)
        if major in (4, 5):
            if depth + 1 > self.max_depth:
                raise CborError("DEPTH", off)
            n = arg * (2 if major == 5 else 1)
            if n > self.items_left:
                raise CborError("ITEMS", off)
            if major == 4:
                elems = [self.item(depth + 1) for _ in range(arg)]
                return Item("array", elems, self.d[off:self.pos], off)
            pairs = []
            prev = None
            for _ in range(arg):
                k = self.item(depth + 1)
                if prev is not None:
                    if k.raw == prev:
                        raise CborError("DUPLICATE_KEY", k.offset)
                    if k.raw < prev:  # bytewise order of the encodings
                        raise CborError("UNSORTED_KEY", k.offset)
                prev = k.raw
                v = self.item(depth + 1)
                pairs.append((k, v))
            return Item("map", pairs, self.d[off:self.pos], off)
        if major == 6:
            raise CborError("TAG", off)
        # major 7 with ai < 24
        if arg == 20:
            return Item("simple", False, self.d[off:self.pos], off)
        if arg == 21:
            return Item("simple", True, self.d[off:self.pos], off)
        if arg == 22:
            return Item("simple", None, self.d[off:self.pos], off)
        raise CborError("SIMPLE", off)  # 0..19, 23 (undefined)


def cbor_decode(data, max_size=DEFAULT_MAX_SIZE, max_depth=DEFAULT_MAX_DEPTH,
                max_items=DEFAULT_MAX_ITEMS):
    """Decode exactly one item in the profile; raise CborError otherwise."""
    data = bytes(data)
    if len(data) > max_size:
        raise CborError("SIZE", max_size)
    dec = _Decoder(data, max_depth, max_items)
    it = dec.item(0)
    if dec.pos != len(data):
        raise CborError("TRAILING", dec.pos)
    return it


# Minimal deterministic encoder, only to build negative test objects.
def enc_head(major, arg):
    if arg < 24:
        return bytes([(major << 5) | arg])
    for ai, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * width):
            return bytes([(major << 5) | ai]) + arg.to_bytes(width, "big")
    raise ValueError(arg)


def enc_uint(v):
    return enc_head(0, v)


def enc_bytes(b):
    return enc_head(2, len(b)) + b


def enc_text(s):
    b = s.encode("utf-8")
    return enc_head(3, len(b)) + b


def enc_array(raws):
    return enc_head(4, len(raws)) + b"".join(raws)


def enc_map(pairs):  # pairs of already encoded (key, value), kept as given
    return enc_head(5, len(pairs)) + b"".join(k + v for k, v in pairs)


# ---------------------------------------------------------------------------
# Keys, signatures
# ---------------------------------------------------------------------------

CURVES = {1: ec.SECP256R1(), 2: ec.BrainpoolP256R1()}
CURVE_ID = {"p256": 1, "brainpoolp256r1": 2}
USAGE_ID = {"ca": 1, "sign": 2, "agree": 3}


def kid(pk33):
    return hashlib.sha256(pk33).digest()[:8]


def load_pk(curve_id, pk33):
    """Decompress a SEC1 point; None if it is not a point of the curve."""
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(
            CURVES[curve_id], bytes(pk33))
    except (ValueError, KeyError):
        return None


def ecdsa_verify(curve_id, pk33, msg, sig64):
    """ECDSA-SHA256 over msg, signature r||s, 32 bytes each, big-endian."""
    if len(sig64) != 64:
        return False
    pub = load_pk(curve_id, pk33)
    if pub is None:
        return False
    r = int.from_bytes(sig64[:32], "big")
    s = int.from_bytes(sig64[32:], "big")
    if r == 0 or s == 0:
        return False
    try:
        pub.verify(encode_dss_signature(r, s), bytes(msg),
                   ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError):
        return False


def ecdsa_sign(priv, msg):
    der = priv.sign(msg, ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


# ---------------------------------------------------------------------------
# Compact certificate and CRL (certificates.md "Encoding", "CRL")
# ---------------------------------------------------------------------------

class Malformed(Exception):
    pass


def _want(cond, what):
    if not cond:
        raise Malformed(what)


def _uint(it, what):
    _want(it.kind == "uint", what + ": not a uint")
    return it.value


def _bstr(it, lo, hi, what):
    _want(it.kind == "bytes", what + ": not a bstr")
    _want(lo <= len(it.value) <= hi, what + ": bad size %d" % len(it.value))
    return it.value


def _signed_object(raw, label, n_fields):
    """[tbs: bstr .cbor [label, ...], sig: bstr .size 64] -> (tbs, sig, fields)."""
    try:
        outer = cbor_decode(raw)
    except CborError as e:
        raise Malformed("outer CBOR: %s" % e) from None
    _want(outer.kind == "array" and len(outer.value) == 2, "not [tbs, sig]")
    tbs_it, sig_it = outer.value
    tbs = _bstr(tbs_it, 0, len(raw), "tbs")
    sig = _bstr(sig_it, 64, 64, "sig")
    try:
        inner = cbor_decode(tbs)
    except CborError as e:
        raise Malformed("tbs CBOR: %s" % e) from None
    _want(inner.kind == "array" and len(inner.value) == n_fields,
          "tbs is not an array of %d" % n_fields)
    f = inner.value
    _want(_uint(f[0], "label") == label, "label %r, want %d" % (f[0].value, label))
    return tbs, sig, f


def parse_cert(raw):
    tbs, sig, f = _signed_object(raw, 1, 10)
    c = {"raw": bytes(raw), "tbs": tbs, "sig": sig}
    c["serial"] = _bstr(f[1], 1, 16, "serial")
    c["issuer"] = _bstr(f[2], 8, 8, "issuer")
    _want(f[3].kind == "text", "subject: not a tstr")
    _want(1 <= len(f[3].value.encode("utf-8")) <= 64, "subject: bad size")
    c["subject"] = f[3].value
    c["usage"] = _uint(f[4], "usage")
    _want(c["usage"] in (1, 2, 3), "usage %d" % c["usage"])
    c["curve"] = _uint(f[5], "curve")
    _want(c["curve"] in (1, 2), "curve %d" % c["curve"])
    c["pk"] = _bstr(f[6], 33, 33, "pk")
    _want(c["pk"][0] in (2, 3), "pk: not a compressed point")
    c["not_before"] = _uint(f[7], "not_before")
    c["not_after"] = _uint(f[8], "not_after")
    _want(c["not_after"] >= c["not_before"], "not_after < not_before")
    _want(f[9].kind == "map", "attrs: not a map")
    for k, _v in f[9].value:
        _want(k.kind == "uint", "attrs: key not a uint")
    c["attrs"] = f[9].raw
    c["kid"] = kid(c["pk"])
    return c


def serial_order_ok(serials):
    """Strictly ascending in the bytewise order of their encodings (RFC 8949
    4.2.1), which for bstr of 1..16 bytes is shorter first, then bytewise."""
    encs = [enc_bytes(s) for s in serials]
    alt = [(len(s), s) for s in serials]
    a = all(encs[i] < encs[i + 1] for i in range(len(encs) - 1))
    b = all(alt[i] < alt[i + 1] for i in range(len(alt) - 1))
    assert a == b  # the two statements of the rule agree for <= 16 bytes
    return a


def parse_crl(raw):
    tbs, sig, f = _signed_object(raw, 2, 5)
    c = {"raw": bytes(raw), "tbs": tbs, "sig": sig}
    c["issuer"] = _bstr(f[1], 8, 8, "issuer")
    c["this_update"] = _uint(f[2], "this_update")
    c["next_update"] = _uint(f[3], "next_update")
    _want(c["next_update"] >= c["this_update"], "next_update < this_update")
    _want(f[4].kind == "array", "revoked: not an array")
    c["revoked"] = [_bstr(s, 1, 16, "revoked serial") for s in f[4].value]
    _want(serial_order_ok(c["revoked"]), "revoked: not strictly ascending")
    return c


# ---------------------------------------------------------------------------
# Verification (certificates.md "Verification")
# ---------------------------------------------------------------------------

MAX_CHAIN = 4

VALID, MALFORMED, UNTRUSTED, NOT_CA, SIGNATURE, EXPIRED, NOT_YET_VALID, \
    REVOKED, WRONG_USAGE = ("valid", "malformed", "untrusted", "not a CA",
                            "signature", "expired", "not yet valid",
                            "revoked", "wrong usage")


def norm_reason(s):
    return " ".join(s.replace("_", " ").replace("-", " ").lower().split())


def in_validity(c, now):
    return c["not_before"] <= now <= c["not_after"]


class Store:
    """Trust anchors, cached intermediate CAs (each with its path from an
    anchor, anchor first) and at most one held CRL per issuer kid."""

    def __init__(self):
        self.entries = []  # (cert, path)
        self.crls = {}

    def add_anchor(self, raw):
        c = parse_cert(raw)
        if c["usage"] != 1 or c["issuer"] != c["kid"]:
            raise ValueError("anchor is not a self-signed CA")
        if not ecdsa_verify(c["curve"], c["pk"], c["tbs"], c["sig"]):
            raise ValueError("anchor self-signature does not verify")
        self.entries.append((c, [c]))
        return c

    def find(self, kid_):
        for c, path in self.entries:
            if c["kid"] == kid_:
                return c, path
        return None, None

    def _steps_1_to_3(self, raw):
        try:
            c = parse_cert(raw)
        except Malformed:
            return MALFORMED, None, None
        issuer, path = self.find(c["issuer"])
        if issuer is None:
            return UNTRUSTED, c, None
        if issuer["usage"] != 1:
            return NOT_CA, c, None
        if len(path) + 1 > MAX_CHAIN:
            return UNTRUSTED, c, None  # ASSUMPTION: reason not in the spec
        if not ecdsa_verify(issuer["curve"], issuer["pk"], c["tbs"], c["sig"]):
            return SIGNATURE, c, None
        return None, c, path

    def add_intermediate(self, raw):
        """Cache a CA certificate after steps 1-3 and 7 (U = ca).
        ASSUMPTION: caching does not depend on a time; step 4 re-checks the
        validity of every cached certificate on each verification."""
        why, c, path = self._steps_1_to_3(raw)
        if why is not None:
            return why
        if c["usage"] != 1:
            return WRONG_USAGE
        self.entries.append((c, path + [c]))
        return VALID

    def offer_crl(self, raw, now):
        """Accept a CRL: its issuer is a held CA, the signature verifies,
        this_update <= now, and it is not older than the held one."""
        try:
            crl = parse_crl(raw)
        except Malformed:
            return MALFORMED
        issuer, _ = self.find(crl["issuer"])
        if issuer is None:
            return UNTRUSTED
        if issuer["usage"] != 1:
            return NOT_CA
        if not ecdsa_verify(issuer["curve"], issuer["pk"], crl["tbs"], crl["sig"]):
            return SIGNATURE
        if not crl["this_update"] <= now:
            return NOT_YET_VALID
        held = self.crls.get(crl["issuer"])
        if held is not None and crl["this_update"] < held["this_update"]:
            return "rollback"
        self.crls[crl["issuer"]] = crl
        return VALID

    def verify(self, raw, now, usage=None):
        why, c, path = self._steps_1_to_3(raw)             # steps 1, 2, 3
        if why is not None:
            return why
        if not all(in_validity(p, now) for p in path):     # step 4
            return EXPIRED
        if now > c["not_after"]:                            # step 5
            return EXPIRED
        if now < c["not_before"]:
            return NOT_YET_VALID
        crl = self.crls.get(c["issuer"])                    # step 6
        if crl is not None:
            if not now <= crl["next_update"]:
                return EXPIRED
            if c["serial"] in crl["revoked"]:
                return REVOKED
        if usage is not None and c["usage"] != usage:       # step 7
            return WRONG_USAGE
        return VALID


# ---------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------

class Tally:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose
        self.cat = {}

    def check(self, cat, cond, what):
        p, f = self.cat.get(cat, (0, 0))
        if cond:
            self.passed += 1
            self.cat[cat] = (p + 1, f)
            if self.verbose:
                print("  ok   %s: %s" % (cat, what))
        else:
            self.failed += 1
            self.cat[cat] = (p, f + 1)
            print("  FAIL %s: %s" % (cat, what))
        return cond

    def take(self):
        cat, self.cat = self.cat, {}
        return cat


def H(s):
    return bytes.fromhex(s)


def check_keys(t, chain):
    keys = {}
    for k in chain["keys"]:
        name = k["name"]
        cid = CURVE_ID.get(k["curve"])
        if not t.check("keys", cid is not None, "%s: known curve %r" % (name, k["curve"])):
            continue
        priv = ec.derive_private_key(int(k["private"], 16), CURVES[cid])
        pub = priv.public_key()
        unc = pub.public_bytes(serialization.Encoding.X962,
                               serialization.PublicFormat.UncompressedPoint)
        comp = pub.public_bytes(serialization.Encoding.X962,
                                serialization.PublicFormat.CompressedPoint)
        t.check("keys", len(H(k["private"])) == 32, "%s: 32-byte scalar" % name)
        t.check("keys", unc == H(k["public_uncompressed"]), "%s: uncompressed public key" % name)
        t.check("keys", comp == H(k["public_compressed"]), "%s: compressed public key" % name)
        # independent of the library's compression: 02/03 by the parity of y
        x, y = unc[1:33], unc[33:]
        t.check("keys", bytes([2 + (y[-1] & 1)]) + x == comp, "%s: SEC1 compression by hand" % name)
        t.check("keys", kid(comp) == H(k["kid"]), "%s: kid = SHA-256(compressed)[0:8]" % name)
        keys[name] = {"curve": cid, "priv": priv, "comp": comp, "kid": kid(comp)}
    return keys


def check_certs(t, chain, keys):
    certs = {}
    for j in chain["certificates"]:
        name = j["name"]
        raw = H(j["encoding"])
        try:
            c = parse_cert(raw)
        except Malformed as e:
            t.check("certs", False, "%s: strict decode (%s)" % (name, e))
            continue
        t.check("certs", True, "%s: strict decode" % name)
        subj = keys.get(name)
        iss = keys.get(j["issuer_key"])
        if not t.check("certs", subj is not None and iss is not None,
                       "%s: subject and issuer keys listed" % name):
            continue
        t.check("certs", c["tbs"] == H(j["tbs"]), "%s: tbs bytes" % name)
        t.check("certs", c["sig"] == H(j["signature"]), "%s: signature bytes" % name)
        t.check("certs", raw == enc_array([enc_bytes(c["tbs"]), enc_bytes(c["sig"])]),
                "%s: encoding = [bstr tbs, bstr sig] re-encoded" % name)
        t.check("certs", c["serial"] == H(j["serial"]), "%s: serial" % name)
        t.check("certs", c["subject"] == j["subject"], "%s: subject" % name)
        t.check("certs", c["usage"] == USAGE_ID.get(j["usage"]), "%s: usage" % name)
        t.check("certs", c["curve"] == CURVE_ID.get(j["curve"]), "%s: curve" % name)
        t.check("certs", c["curve"] == subj["curve"], "%s: curve = subject key's curve" % name)
        t.check("certs", c["not_before"] == j["not_before"], "%s: not_before" % name)
        t.check("certs", c["not_after"] == j["not_after"], "%s: not_after" % name)
        t.check("certs", c["attrs"] == H(j["attrs"]), "%s: attrs" % name)
        t.check("certs", c["issuer"] == iss["kid"], "%s: issuer = kid(%s)" % (name, j["issuer_key"]))
        t.check("certs", c["pk"] == subj["comp"], "%s: pk = %s compressed" % (name, name))
        t.check("certs", load_pk(c["curve"], c["pk"]) is not None, "%s: pk is a curve point" % name)
        t.check("certs", ecdsa_verify(iss["curve"], iss["comp"], c["tbs"], c["sig"]),
                "%s: ECDSA-SHA256 r||s by %s over tbs content" % (name, j["issuer_key"]))
        # the signed bytes are the content of the bstr, not the bstr with its head
        t.check("certs", not ecdsa_verify(iss["curve"], iss["comp"], enc_bytes(c["tbs"]), c["sig"]),
                "%s: signature does not cover the bstr head" % name)
        if j["issuer_key"] == name:
            t.check("certs", c["issuer"] == c["kid"], "%s: self-signed root, issuer = kid(pk)" % name)
        certs[name] = c
    serials = {}
    for j in chain["certificates"]:
        serials.setdefault(j["issuer_key"], []).append(j["serial"])
    for iss, lst in serials.items():
        t.check("certs", len(set(lst)) == len(lst), "serials unique under issuer %s" % iss)
    return certs


def check_crl(t, chain, keys):
    j = chain["crl"]
    raw = H(j["encoding"])
    try:
        crl = parse_crl(raw)
    except Malformed as e:
        t.check("crl", False, "strict decode (%s)" % e)
        return None
    t.check("crl", True, "strict decode")
    iss = keys.get(j["issuer_key"])
    if not t.check("crl", iss is not None, "issuer key listed"):
        return None
    t.check("crl", crl["tbs"] == H(j["tbs"]), "tbs bytes")
    t.check("crl", crl["sig"] == H(j["signature"]), "signature bytes")
    t.check("crl", raw == enc_array([enc_bytes(crl["tbs"]), enc_bytes(crl["sig"])]),
            "encoding = [bstr tbs, bstr sig] re-encoded")
    t.check("crl", crl["issuer"] == iss["kid"], "issuer = kid(%s)" % j["issuer_key"])
    t.check("crl", crl["this_update"] == j["this_update"], "this_update")
    t.check("crl", crl["next_update"] == j["next_update"], "next_update")
    t.check("crl", crl["revoked"] == [H(s) for s in j["revoked"]], "revoked serials")
    t.check("crl", serial_order_ok(crl["revoked"]), "revoked strictly ascending")
    t.check("crl", ecdsa_verify(iss["curve"], iss["comp"], crl["tbs"], crl["sig"]),
            "ECDSA-SHA256 r||s by %s over tbs content" % j["issuer_key"])
    return crl


def build_store(chain, now, with_crl, crl_mode="at_now"):
    """Anchor = the self-signed ci, cached intermediate = pn, CRL if asked."""
    enc = {c["name"]: H(c["encoding"]) for c in chain["certificates"]}
    st = Store()
    st.add_anchor(enc["ci"])
    r = st.add_intermediate(enc["pn"])
    if r != VALID:
        raise ValueError("pn not cached: %s" % r)
    if with_crl:
        crl_raw = H(chain["crl"]["encoding"])
        if crl_mode == "at_now":
            st.offer_crl(crl_raw, now)
        else:  # alternative reading: CRL accepted earlier, at its this_update
            st.offer_crl(crl_raw, parse_crl(crl_raw)["this_update"])
    return st, enc


def verify_alt_full_path(chain, name, now, with_crl):
    """Alternative reading: the intermediate is verified with the whole
    algorithm at `now` (U = ca); if that fails, so does the leaf."""
    enc = {c["name"]: H(c["encoding"]) for c in chain["certificates"]}
    st = Store()
    st.add_anchor(enc["ci"])
    r = st.verify(enc["pn"], now, usage=1)
    if r != VALID:
        return r
    st.add_intermediate(enc["pn"])
    if with_crl:
        st.offer_crl(H(chain["crl"]["encoding"]), now)
    return st.verify(enc[name], now)


def run_checks(t, chain, notes):
    for ch in chain["checks"]:
        now, name, wc = ch["time"], ch["cert"], ch.get("with_crl", False)
        usage = USAGE_ID[ch["usage"]] if "usage" in ch else None
        st, enc = build_store(chain, now, wc)
        got = st.verify(enc[name], now, usage)
        t.check("checks", got == norm_reason(ch["expect"]),
                "%s at %d%s: %s (expect %s)" % (name, now, " with CRL" if wc else "",
                                                 got, ch["expect"]))
        # how the outcome depends on the readings the spec leaves open
        st2, _ = build_store(chain, now, wc, crl_mode="at_this_update")
        alts = {"CRL held regardless of now": st2.verify(enc[name], now, usage),
                "intermediate verified at now": verify_alt_full_path(chain, name, now, wc)}
        for k, v in alts.items():
            if v != got:
                notes.append("%s: %s at %d: %s under '%s', %s by default"
                             % (chain["curve"], name, now, v, k, got))


def derived_checks(t, chain, keys, certs):
    """Outcomes the spec fixes but the vector file does not exercise; objects
    built here are signed with the test keys of the file."""
    crl_j = chain["crl"]
    t_ok = crl_j["this_update"] + 86400
    tre = certs["tre"]
    pn_k, tre_k = keys["pn"], keys["tre"]

    def store(now=t_ok, with_crl=True):
        return build_store(chain, now, with_crl)

    def make_cert(issuer_key, serial=b"\x01", subject="derived", usage=2, curve=None,
                  pk=None, nb=None, na=None, attrs=b"\xa0", label=1, extra=None,
                  fields=None, sign_key=None):
        curve = keys["tre"]["curve"] if curve is None else curve
        f = fields or [enc_uint(label), enc_bytes(serial), enc_bytes(issuer_key["kid"]),
                       enc_text(subject), enc_uint(usage), enc_uint(curve),
                       enc_bytes(pk if pk is not None else tre_k["comp"]),
                       enc_uint(tre["not_before"] if nb is None else nb),
                       enc_uint(tre["not_after"] if na is None else na), attrs]
        if extra:
            f = f + extra
        tbs = enc_array(f)
        sig = ecdsa_sign((sign_key or issuer_key)["priv"], tbs)
        return enc_array([enc_bytes(tbs), enc_bytes(sig)])

    def make_crl(this, nxt, revoked, label=2):
        tbs = enc_array([enc_uint(label), enc_bytes(pn_k["kid"]), enc_uint(this),
                         enc_uint(nxt), enc_array([enc_bytes(s) for s in revoked])])
        return enc_array([enc_bytes(tbs), enc_bytes(ecdsa_sign(pn_k["priv"], tbs))])

    D = "derived"
    st, enc = store()
    t.check(D, st.verify(enc["tre"], t_ok, 2) == VALID, "tre, U = sign: valid")
    t.check(D, st.verify(enc["tre"], t_ok, 3) == WRONG_USAGE, "tre, U = agree: wrong usage")
    t.check(D, st.verify(enc["tre"], t_ok, 1) == WRONG_USAGE, "tre, U = ca: wrong usage")
    t.check(D, st.verify(enc["pn"], t_ok, 1) == VALID, "pn under ci, U = ca: valid")
    t.check(D, st.verify(enc["ci"], t_ok, 1) == VALID, "ci verifies as its own issuer")
    stale = crl_j["next_update"] + 1
    st, enc = store(stale)
    t.check(D, st.verify(enc["tre"], stale) == EXPIRED, "tre after next_update: stale CRL, expired")
    st, enc = store(stale, with_crl=False)
    t.check(D, st.verify(enc["tre"], stale) == VALID, "tre after next_update, no CRL: valid")
    t.check(D, st.verify(enc["tre_revoked"], stale) == VALID, "tre_revoked without CRL: valid")
    st, enc = store(tre["not_after"])
    st.crls.clear()
    t.check(D, st.verify(enc["tre"], tre["not_after"]) == VALID, "tre at not_after: valid (inclusive)")
    t.check(D, st.verify(enc["tre"], tre["not_before"]) == VALID, "tre at not_before: valid (inclusive)")
    # untrusted: no intermediate cached
    st = Store()
    st.add_anchor(enc["ci"])
    t.check(D, st.verify(enc["tre"], t_ok) == UNTRUSTED, "tre without pn cached: untrusted")
    t.check(D, st.add_intermediate(enc["tre"]) == UNTRUSTED, "tre cannot be cached under ci")
    # signature: tre's tbs with tre_revoked's signature
    bad = enc_array([enc_bytes(tre["tbs"]), enc_bytes(certs["tre_revoked"]["sig"])])
    st, _ = store()
    t.check(D, st.verify(bad, t_ok) == SIGNATURE, "tre tbs + other signature: signature")
    # not a CA: a certificate issued by the tre key, tre held as if cached
    st, _ = store()
    st.entries.append((tre, st.find(pn_k["kid"])[1] + [tre]))
    sub = make_cert(tre_k)
    t.check(D, st.verify(sub, t_ok) == NOT_CA, "issued by a sign-usage certificate: not a CA")
    st, _ = store()
    t.check(D, st.add_intermediate(enc["tre"]) == WRONG_USAGE, "tre cannot be cached as a CA")
    # not yet valid: a leaf starting later than its path
    later = make_cert(pn_k, serial=b"\x02", nb=t_ok + 1000)
    st, _ = store()
    t.check(D, st.verify(later, t_ok) == NOT_YET_VALID, "leaf before its own not_before: not yet valid")
    t.check(D, st.verify(later, t_ok + 1000) == VALID, "that leaf at its not_before: valid")
    # malformed: one structural rule broken, correctly signed by pn
    cases = [
        ("label 2 (CRL label)", dict(label=2)),
        ("label 32 (flow token label)", dict(label=32)),
        ("usage 0", dict(usage=0)), ("usage 4", dict(usage=4)),
        ("curve 0", dict(curve=0)), ("curve 3", dict(curve=3)),
        ("not_after < not_before", dict(nb=tre["not_before"], na=tre["not_before"] - 1)),
        ("serial of 17 bytes", dict(serial=b"\x01" * 17)),
        ("serial of 0 bytes", dict(serial=b"")),
        ("subject empty", dict(subject="")),
        ("subject of 65 bytes", dict(subject="x" * 65)),
        ("pk prefix 04", dict(pk=b"\x04" + tre_k["comp"][1:])),
        ("pk of 32 bytes", dict(pk=tre_k["comp"][1:])),
        ("attrs with a text key", dict(attrs=enc_map([(enc_text("a"), enc_uint(0))]))),
        ("attrs with a negative key", dict(attrs=enc_map([(b"\x20", enc_uint(0))]))),
        ("attrs an array", dict(attrs=b"\x80")),
        ("attrs with unsorted keys", dict(attrs=b"\xa2\x01\x00\x00\x00")),
        ("11 fields", dict(extra=[enc_uint(0)])),
        ("issuer as tstr", dict(fields=None)),
    ]
    for what, kw in cases:
        if what == "issuer as tstr":
            f = [enc_uint(1), enc_bytes(b"\x01"), enc_text("x" * 8), enc_text("d"),
                 enc_uint(2), enc_uint(1), enc_bytes(tre_k["comp"]),
                 enc_uint(tre["not_before"]), enc_uint(tre["not_after"]), b"\xa0"]
            raw = make_cert(pn_k, fields=f)
        else:
            raw = make_cert(pn_k, **kw)
        st, _ = store()
        t.check(D, st.verify(raw, t_ok) == MALFORMED, "%s: malformed" % what)
    # the control of that construction verifies
    st, _ = store()
    t.check(D, st.verify(make_cert(pn_k, serial=b"\x03"), t_ok) == VALID, "constructed control leaf: valid")
    # attrs keys must be uints (`{ * uint => any }`); values may be any item
    # in the profile:
    nested = enc_map([(enc_uint(0), enc_array([b"\xf5", b"\xf6", b"\x20"]))])
    t.check(D, store()[0].verify(make_cert(pn_k, attrs=nested), t_ok) == VALID,
            "attrs value of any type in the profile: valid")
    # outer object: non-shortest bstr head, trailing byte
    raw = enc["tre"]
    nsh = b"\x82\x59" + len(tre["tbs"]).to_bytes(2, "big") + raw[3:]
    t.check(D, store()[0].verify(nsh, t_ok) == MALFORMED, "tre with a 3-byte bstr head: malformed")
    t.check(D, store()[0].verify(raw + b"\x00", t_ok) == MALFORMED, "tre + trailing byte: malformed")
    t.check(D, store()[0].verify(raw[:-1], t_ok) == MALFORMED, "tre cut by one byte: malformed")
    sig65 = enc_array([enc_bytes(tre["tbs"]), enc_bytes(tre["sig"] + b"\x00")])
    t.check(D, store()[0].verify(sig65, t_ok) == MALFORMED, "65-byte signature: malformed")
    # a CRL signature does not pass for a certificate (labels) and vice versa
    crl_raw = H(crl_j["encoding"])
    st, _ = store()
    t.check(D, st.verify(crl_raw, t_ok) == MALFORMED, "the CRL offered as a certificate: malformed")
    t.check(D, Store.offer_crl(store(with_crl=False)[0], enc["tre"], t_ok) == MALFORMED,
            "a certificate offered as a CRL: malformed")
    # CRL acceptance and order
    this = crl_j["this_update"]
    st, _ = store(with_crl=False)
    t.check(D, st.offer_crl(crl_raw, this - 1) == NOT_YET_VALID, "CRL before this_update: refused")
    t.check(D, st.offer_crl(crl_raw, this) == VALID, "CRL at this_update: accepted")
    older = make_crl(this - 1, crl_j["next_update"], [])
    t.check(D, st.offer_crl(older, t_ok) == "rollback", "older CRL: refused (no rollback)")
    t.check(D, st.verify(enc["tre_revoked"], t_ok) == REVOKED, "still revoked after refused rollback")
    same = make_crl(this, crl_j["next_update"], [])
    t.check(D, st.offer_crl(same, t_ok) == VALID, "CRL with equal this_update: accepted")
    t.check(D, st.verify(enc["tre_revoked"], t_ok) == VALID, "tre_revoked not listed by it: valid")
    a, b, c = b"\x01\x02", b"\x01\x03", b"\x00\x00\x01"
    t.check(D, st.offer_crl(make_crl(this, this, [a, b, c]), t_ok) == VALID,
            "CRL serials shorter first then bytewise: accepted")
    for what, lst in (("unsorted", [b, a]), ("duplicate", [a, a]), ("longer first", [c, a]),
                      ("empty serial", [b""]), ("17-byte serial", [b"\x00" * 17])):
        t.check(D, st.offer_crl(make_crl(this, this, lst), t_ok) == MALFORMED,
                "CRL serials %s: malformed" % what)
    t.check(D, st.offer_crl(make_crl(this, this - 1, []), t_ok) == MALFORMED,
            "CRL next_update < this_update: malformed")
    t.check(D, st.offer_crl(make_crl(this, this, [], label=1), t_ok) == MALFORMED,
            "CRL with label 1: malformed")
    # chain length: anchor -> pn -> x -> y is 4; one more is refused
    st, _ = store(with_crl=False)
    x = make_cert(pn_k, serial=b"\x10", usage=1, pk=keys["tre"]["comp"])
    t.check(D, st.add_intermediate(x) == VALID, "CA under pn cached (path of 3)")
    y = make_cert(tre_k, serial=b"\x11", usage=1, pk=keys["tre_revoked"]["comp"])
    t.check(D, st.verify(y, t_ok) == VALID, "4-certificate chain: valid")
    t.check(D, st.add_intermediate(y) == VALID, "its CA cached (path of 4)")
    z = make_cert(keys["tre_revoked"], serial=b"\x12")
    t.check(D, st.verify(z, t_ok) != VALID, "5-certificate chain: refused")


def flip_checks(t, chain, name="tre"):
    j = next(c for c in chain["certificates"] if c["name"] == name)
    raw = H(j["encoding"])
    now = chain["crl"]["this_update"] + 86400
    st, _ = build_store(chain, now, True)
    t.check("flips", st.verify(raw, now) == VALID, "unmodified %s: valid" % name)
    byte_rej = bit_rej = 0
    for i in range(len(raw)):
        m = bytearray(raw)
        m[i] ^= 0xFF
        r = st.verify(bytes(m), now)
        byte_rej += r != VALID
        t.check("flips", r != VALID, "%s byte %d ^ ff: %s" % (name, i, r))
        for b in range(8):
            m = bytearray(raw)
            m[i] ^= 1 << b
            r = st.verify(bytes(m), now)
            bit_rej += r != VALID
            t.check("flips", r != VALID, "%s byte %d bit %d: %s" % (name, i, b, r))
    return len(raw), byte_rej, bit_rej


CBOR_BAD = [
    ("non-shortest uint 18 05", "1805", "NON_SHORTEST"),
    ("non-shortest uint 19 00ff", "1900ff", "NON_SHORTEST"),
    ("non-shortest uint 1a 0000ffff", "1a0000ffff", "NON_SHORTEST"),
    ("non-shortest uint 1b 00000000ffffffff", "1b00000000ffffffff", "NON_SHORTEST"),
    ("non-shortest negint 38 00", "3800", "NON_SHORTEST"),
    ("non-shortest bstr length 58 01", "580100", "NON_SHORTEST"),
    ("non-shortest array count 98 00", "9800", "NON_SHORTEST"),
    ("non-shortest map count b9 0000", "b90000", "NON_SHORTEST"),
    ("trailing byte", "0100", "TRAILING"),
    ("trailing byte after array", "820102ff", "TRAILING"),
    ("indefinite-length array", "9f0102ff", "INDEFINITE"),
    ("indefinite-length map", "bf0102ff", "INDEFINITE"),
    ("indefinite-length bstr", "5f4101ff", "INDEFINITE"),
    ("indefinite-length tstr", "7f6161ff", "INDEFINITE"),
    ("break", "ff", "INDEFINITE"),
    ("unsorted map 2 before 1", "a202000100", "UNSORTED_KEY"),
    ("unsorted map -1 before 24 (RFC 7049 length-first order)", "a22000181800", "UNSORTED_KEY"),
    ("unsorted map text before uint", "a261610000 00".replace(" ", ""), "UNSORTED_KEY"),
    ("unsorted text keys \"aa\" before \"b\"", "a26261610061620 0".replace(" ", ""), "UNSORTED_KEY"),
    ("duplicate map key", "a201000100", "DUPLICATE_KEY"),
    ("tag 1", "c11a514b67b0", "TAG"),
    ("tag 24 (embedded CBOR)", "d81841 00".replace(" ", ""), "TAG"),
    ("half float", "f93c00", "FLOAT"),
    ("single float", "fa47c35000", "FLOAT"),
    ("double float", "fb3ff199999999999a", "FLOAT"),
    ("undefined", "f7", "SIMPLE"),
    ("simple(16)", "f0", "SIMPLE"),
    ("simple(255)", "f8ff", "SIMPLE"),
    ("additional information 28", "1c", "MALFORMED"),
    ("additional information 30 on bstr", "5e", "MALFORMED"),
    ("ai 31 on uint", "1f", "MALFORMED"),
    ("ai 31 on tag", "df", "MALFORMED"),
    ("truncated bstr", "4201", "TRUNCATED"),
    ("truncated head", "19 01".replace(" ", ""), "TRUNCATED"),
    ("truncated array", "8201", "TRUNCATED"),
    ("empty input", "", "TRUNCATED"),
    ("bad UTF-8 overlong c0 80", "62c080", "BAD_UTF8"),
    ("bad UTF-8 surrogate ed a0 80", "63eda080", "BAD_UTF8"),
    ("bad UTF-8 above U+10FFFF", "64f4908080", "BAD_UTF8"),
    ("bad UTF-8 lone continuation", "6180", "BAD_UTF8"),
    ("depth 9", "81" * 9 + "00", "DEPTH"),
    ("array count over the items left", "9a00010000", "ITEMS"),
]

CBOR_GOOD = [  # RFC 8949 Appendix A examples inside the profile, and limits
    ("0", "00"), ("23", "17"), ("24", "1818"), ("1000", "1903e8"),
    ("1000000", "1a000f4240"), ("2^64-1", "1bffffffffffffffff"),
    ("-1", "20"), ("-2^64", "3bffffffffffffffff"), ("false", "f4"), ("true", "f5"),
    ("null", "f6"), ("h''", "40"), ("h'01020304'", "4401020304"), ("\"\"", "60"),
    ("\"\\u00fc\"", "62c3bc"), ("\"\\ud800\\udd51\"", "64f0908591"), ("NUL text", "6100"),
    ("[]", "80"), ("[1,[2,3],[4,5]]", "8301820203820405"), ("{}", "a0"),
    ("{1:2,3:4}", "a201020304"), ("{\"a\":1,\"b\":[2,3]}", "a26161016162820203"),
    ("24 before -1 (bytewise)", "a21818002000"), ("uint before text", "a2000061610 0".replace(" ", "")),
    ("depth 8", "81" * 8 + "00"),
]


def cbor_selftests(t):
    for what, hx, reason in CBOR_BAD:
        try:
            cbor_decode(H(hx))
            t.check("cbor", False, "%s accepted" % what)
        except CborError as e:
            t.check("cbor", e.reason == reason, "%s: %s (want %s)" % (what, e.reason, reason))
    for what, hx in CBOR_GOOD:
        try:
            it = cbor_decode(H(hx))
            t.check("cbor", it.raw == H(hx), "%s accepted" % what)
        except CborError as e:
            t.check("cbor", False, "%s refused: %s" % (what, e))
    try:
        cbor_decode(b"\x00" * 2, max_size=1)
        t.check("cbor", False, "over max_size accepted")
    except CborError as e:
        t.check("cbor", e.reason == "SIZE", "over max_size: %s" % e.reason)
    try:
        cbor_decode(H("83010203"), max_items=3)
        t.check("cbor", False, "[1,2,3] with max_items 3 accepted")
    except CborError as e:
        t.check("cbor", e.reason == "ITEMS", "[1,2,3] is 4 items: %s" % e.reason)
    t.check("cbor", cbor_decode(H("83010203"), max_items=4).kind == "array", "[1,2,3] with max_items 4")


def main(argv):
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    if len(args) != 1:
        print("usage: ccert_check.py [-v] certificates.json", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        doc = json.load(fh)
    t = Tally(verbose)
    notes = []
    cbor_selftests(t)
    c = t.take()
    if not doc.get("chains"):
        t.check("file", False, "%s: no chains to check" % args[0])
    print("cbor profile: %d/%d decoder self-tests" % (c["cbor"][0], sum(c["cbor"])))
    for chain in doc.get("chains", []):
        failed_before = t.failed
        try:
            keys = check_keys(t, chain)
            certs = check_certs(t, chain, keys)
            check_crl(t, chain, keys)
            run_checks(t, chain, notes)
            derived_checks(t, chain, keys, certs)
            n, byte_rej, bit_rej = flip_checks(t, chain)
        except Exception as e:  # a broken file is a failure, not a crash
            t.check("chain", False, "%s: %s: %s" % (chain.get("curve"), type(e).__name__, e))
            n = byte_rej = bit_rej = 0
        c = t.take()

        def f(k):
            p, x = c.get(k, (0, 0))
            return "%d/%d" % (p, p + x)
        print("chain %s: keys %s, certificates %s, crl %s, checks %s, derived %s, "
              "flips %s (%d bytes: %d byte flips and %d bit flips rejected)%s"
              % (chain.get("curve"), f("keys"), f("certs"), f("crl"), f("checks"),
                 f("derived"), f("flips"), n, byte_rej, bit_rej,
                 "" if t.failed == failed_before else "  FAILED"))
    for n in notes:
        print("note: " + n)
    if verbose and not notes:
        print("note: every check has the same outcome under the alternative readings")
    print("ccert_independent: %d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed or not doc.get("chains") or t.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
