#!/usr/bin/env bash
# Check docs/spec/vectors/certificates.json with tests/tools/ccert_check.py,
# an independent verifier written from docs/spec/certificates.md and
# docs/spec/cbor.md only (Python 3 + python3-cryptography, no rcprov code):
# keys and kids, strict CBOR decoding, every field, the ECDSA signatures,
# the CRL, the `checks` outcomes, and negative self-tests.
# Env (set by CTest): RCP_SOURCE_DIR.
set -euo pipefail

src="${RCP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"

exec python3 "$src/tests/tools/ccert_check.py" "$src/docs/spec/vectors/certificates.json"
