#!/usr/bin/env bash
# Cross-check `rcprov milenage --json` against the independent Python
# MILENAGE of tests/tools/milenage_ref.py: every TS 35.207 and TS 35.208 test
# set (from OP and from OPc) plus 200 random inputs, a third of them with
# random r1..r5 / c1..c5.  Deterministic: fixed seed, printed by the driver.
# Env (set by CTest): RCP_CLI, RCP_VECTORS, RCP_SOURCE_DIR.
set -euo pipefail

src="${RCP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
vectors="${RCP_VECTORS:-$src/tests/vectors}"
cli="${RCP_CLI:?RCP_CLI must name the rcprov binary}"
seed="${MILENAGE_INDEPENDENT_SEED:-35206}"
count="${MILENAGE_INDEPENDENT_COUNT:-200}"

if [ ! -x "$cli" ]; then
  echo "milenage_independent: $cli is not an executable rcprov binary" >&2
  exit 1
fi

exec python3 "$src/tests/tools/milenage_ref.py" compare \
  --cli "$cli" --vectors "$vectors" --count "$count" --seed "$seed"
