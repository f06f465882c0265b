#!/usr/bin/env bash
# Configure and build one build tree.  Usage: scripts/build.sh DIR [cmake args...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
cmake -S "$here" -B "$dir" "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
