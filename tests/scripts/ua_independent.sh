#!/usr/bin/env bash
# Check docs/spec/vectors/uuid-attach.json with tests/tools/ua_check.py, an
# independent implementation written from the seed (000, Annex XX) and
# docs/spec/{uuid-attach,crypto,certificates,cbor,alg3gpp}.md only (Python 3 +
# python3-cryptography, no rcprov code): keys, ECKA and the X9.63 KDF, the
# seal suites (M1/H1, M2/H2), CX_PARAMETERS, every message and token (strict
# CBOR, CDDL, signatures, bindings), MILENAGE/AKA/KASME and the confirmation,
# and negative self-tests on mutated transcripts.
# Env (set by CTest): RCP_SOURCE_DIR.
set -euo pipefail

src="${RCP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"

exec python3 "$src/tests/tools/ua_check.py" "$src/docs/spec/vectors/uuid-attach.json"
