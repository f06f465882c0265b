#!/usr/bin/env bash
# Build every libFuzzer target (tests/fuzz/fuzz_*.c) with clang, ASan and
# UBSan in build-fuzz, then run each for RCP_FUZZ_SECONDS seconds (default
# 30) on a scratch copy of its committed corpus.  Prints per target the
# executions and the result; exits non-zero when any target crashed, leaked,
# timed out or broke an invariant.  Inputs that failed are kept under
# build-fuzz/fuzz-artifacts/<target>/; the committed corpus is never written.
#
# Environment: RCP_FUZZ_SECONDS (30), RCP_FUZZ_CC (clang),
#              RCP_FUZZ_BUILD (<repo>/build-fuzz), RCP_FUZZ_ARGS (extra
#              libFuzzer flags, e.g. "-jobs=4 -workers=4").
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${RCP_FUZZ_SECONDS:-30}
cc=${RCP_FUZZ_CC:-clang}
build=${RCP_FUZZ_BUILD:-$here/build-fuzz}
read -r -a extra <<<"${RCP_FUZZ_ARGS:-}"

case $seconds in
  '' | *[!0-9]*)
    echo "fuzz: RCP_FUZZ_SECONDS must be a whole number of seconds, not '$seconds'" >&2
    exit 2
    ;;
esac
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "fuzz: $cc not found; install clang and libclang-rt-14-dev (scripts/install-deps.sh)" >&2
  exit 2
fi

echo "== configure and build fuzz targets ($build)"
cmake -S "$here" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DRCP_FUZZ=ON -DRCP_TESTS=OFF >/dev/null
cmake --build "$build" --target rcp_fuzzers -j "$(nproc)"

work=$(mktemp -d "${TMPDIR:-/tmp}/rcp-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
count=0
echo "== fuzz each target for ${seconds}s"
for src in "$here"/tests/fuzz/fuzz_*.c; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .c)
  bin="$build/tests/fuzz/$name"
  count=$((count + 1))
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  if [ -d "$here/tests/fuzz/corpus/$name" ]; then
    cp -R "$here/tests/fuzz/corpus/$name/." "$work/$name/corpus/"
  fi
  seeds=$(find "$work/$name/corpus" -type f | wc -l)
  log="$work/$name/log"
  rc=0
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$name/artifacts/" "${extra[@]}" "$work/$name/corpus" \
    >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  corpus=$(find "$work/$name/corpus" -type f | wc -l)
  if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
    result=ok
  else
    result="FAILED (exit $rc)"
    status=1
  fi
  printf '%-24s %12s executions  %4s seeds -> %5s inputs  %s\n' \
    "$name" "${execs:-?}" "$seeds" "$corpus" "$result"
  if [ "$result" != ok ]; then
    keep="$build/fuzz-artifacts/$name"
    mkdir -p "$keep"
    cp -R "$work/$name/artifacts/." "$keep/" 2>/dev/null || true
    echo "---- $name: last lines of the log (inputs kept in $keep)"
    tail -n 40 "$log"
    echo "----"
  fi
done

if [ "$count" -eq 0 ]; then
  echo "fuzz: no targets under tests/fuzz" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "== FAILED: reproduce with $build/tests/fuzz/<target> <input>"
fi
exit $status
