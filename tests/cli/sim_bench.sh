#!/usr/bin/env bash
# rcprov sim uuid-attach (both curves, both suites) and the benches, through the binary.
set -euo pipefail
exec python3 "$(dirname "$0")/sim_bench.py"
