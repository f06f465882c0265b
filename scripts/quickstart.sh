#!/usr/bin/env bash
# The README's first command: install what rcprov needs, build it, run the
# main job.  Until the network demo exists the main job is Milenage on
# 3GPP TS 35.207 test set 1, checked against the published outputs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo
echo "rcprov milenage on TS 35.207 test set 1:"
build/rcprov milenage --k 465b5ce8b199b49faa5f0a2ee238a6bc --op cdc202d5123e20f62b6d676ac72cb318 \
  --rand 23553cbe9637a89d218ae64dae47bf35 --sqn ff9bb4d0b607 --amf b9b9
