#!/usr/bin/env bash
# The README's first command: install what rcprov needs, build it, run the
# main job: `rcprov demo`, uuid-attach over CoAP on loopback — a fresh PKI,
# an Authorization Server and a Serving Network as rcprovd daemons, 100
# UUIDs registered by the SP, 100 devices provisioned and proven by EPS AKA
# concurrently, a table, then everything stopped and the stores checked.
# Extra arguments go to `rcprov demo` (e.g. --devices 1000).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo
build/rcprov demo "$@"
