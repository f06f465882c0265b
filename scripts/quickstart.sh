#!/usr/bin/env bash
# The README's first command: install what rcprov needs, build it, run the
# main job.  Until the network demo exists the main job is Milenage on
# 3GPP TS 35.207 test set 1, compared with the published outputs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
scripts/install-deps.sh
scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo
echo "rcprov milenage on 3GPP TS 35.207 test set 1:"
out=$(build/rcprov milenage --k 465b5ce8b199b49faa5f0a2ee238a6bc \
  --op cdc202d5123e20f62b6d676ac72cb318 --rand 23553cbe9637a89d218ae64dae47bf35 \
  --sqn ff9bb4d0b607 --amf b9b9)
echo "$out"
# TS 35.207 clause 4.3, test set 1: OPc, f1, f1*, f2, f3, f4, f5, f5*.
expected="opc      cd63cb71954a9f4e48a5994e37a02baf
mac_a    4a9ffac354dfafb3
mac_s    01cfaf9ec4e871e9
res      a54211d5e3ba50bf
ck       b40ba9a3c58b2a05bbf0d987b21bf8cb
ik       f769bcd751044604127672711c6d3441
ak       aa689c648370
ak_star  451e8beca43b"
if [ "$out" = "$expected" ]; then
  echo "all 8 outputs equal the published TS 35.207 values"
else
  echo "MISMATCH with the published TS 35.207 values" >&2
  exit 1
fi
