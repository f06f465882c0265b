#!/usr/bin/env bash
# Run every rcprov test: install dependencies, build a normal tree and an
# ASan+UBSan tree, run CTest in both, then run every libFuzzer target for a
# bounded time.  Exit status is non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

scripts/install-deps.sh

status=0
run_tree() {
  local dir=$1 label=$2
  shift 2
  echo "== build: $label ($dir)"
  scripts/build.sh "$dir" "$@"
  echo "== test: $label"
  if ! ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"; then
    status=1
  fi
}

run_tree build "release" -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_tree build-asan "ASan+UBSan" -DCMAKE_BUILD_TYPE=Debug -DRCP_SANITIZE=ON

# Every fuzz target, bounded in time (RCP_FUZZ_SECONDS each, default 20).
echo "== fuzz: every target for ${RCP_FUZZ_SECONDS:-20}s"
if ! RCP_FUZZ_SECONDS=${RCP_FUZZ_SECONDS:-20} scripts/fuzz.sh; then
  status=1
fi

if [ $status -ne 0 ]; then
  echo "== FAILED: see the test output above"
fi
exit $status
