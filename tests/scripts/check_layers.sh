#!/usr/bin/env bash
# Layering rules of docs/design.md, checked on the sources:
#  1. only src/crypto/openssl*.c includes OpenSSL headers, only
#     src/transport/*.c libcoap headers, only src/store/postgres*.c libpq
#     headers;
#  2. a source includes public headers of its own layer or layers below;
#  3. every public header is assigned to a layer here (so the map stays true).
set -uo pipefail
cd "${RCP_SOURCE_DIR:-$(dirname "$0")/../..}"

declare -A rank=([core]=0 [crypto]=1 [alg3gpp]=2 [codec]=2 [pki]=3 [store]=3 [flows]=4 [transport]=5 [sim]=5 [apps]=6)
declare -A header_layer=(
  [error.h]=core [bytes.h]=core [rng.h]=core
  [crypto.h]=crypto [x509.h]=crypto
  [milenage.h]=alg3gpp [kdf3gpp.h]=alg3gpp [aka.h]=alg3gpp
  [cbor.h]=codec [envelope.h]=codec
  [cert.h]=pki
  [store.h]=store
  [flow.h]=flows [uuid_attach.h]=flows
  [transport.h]=transport
  [sim.h]=sim
)

fail=0
checked=0
bad() { echo "check_layers: $*" >&2; fail=$((fail + 1)); }

# 1. OpenSSL stays behind the crypto boundary.
while IFS= read -r f; do
  case "$f" in
    src/crypto/openssl*.c) ;;
    *) bad "$f includes an OpenSSL header; only src/crypto/openssl*.c may" ;;
  esac
done < <(grep -rlE '#\s*include\s*<openssl/' src include apps 2>/dev/null)
checked=$((checked + 1))

# 1b. libcoap stays behind the transport boundary.
while IFS= read -r f; do
  case "$f" in
    src/transport/*.c) ;;
    *) bad "$f includes a libcoap header; only src/transport/*.c may" ;;
  esac
done < <(grep -rlE '#\s*include\s*<coap3/' src include apps 2>/dev/null)
checked=$((checked + 1))

# 1c. libpq stays behind the PostgreSQL store backend.
while IFS= read -r f; do
  case "$f" in
    src/store/postgres*.c) ;;
    *) bad "$f includes a libpq header; only src/store/postgres*.c may" ;;
  esac
done < <(grep -rlE '#\s*include\s*<(libpq-fe|libpq-events|libpq/|postgres_ext|pg_config)' src include apps 2>/dev/null)
checked=$((checked + 1))

# 3. Every public header has a layer.
for h in include/rcprov/*.h; do
  name=$(basename "$h")
  [ -n "${header_layer[$name]:-}" ] || bad "include/rcprov/$name has no layer in tests/scripts/check_layers.sh"
  checked=$((checked + 1))
done

# 2. No include points up.
layer_of_path() {
  case "$1" in
    src/*) local l=${1#src/}; echo "${l%%/*}" ;;
    apps/*) echo apps ;;
    include/rcprov/*) echo "${header_layer[$(basename "$1")]:-}" ;;
  esac
}
while IFS= read -r f; do
  own=$(layer_of_path "$f")
  [ -n "$own" ] || continue
  [ -n "${rank[$own]:-}" ] || { bad "$f: folder layer '$own' unknown"; continue; }
  while IFS= read -r inc; do
    used=${header_layer[$inc]:-}
    [ -n "$used" ] || continue
    if [ "${rank[$used]}" -gt "${rank[$own]}" ] || { [ "${rank[$used]}" -eq "${rank[$own]}" ] && [ "$used" != "$own" ]; }; then
      bad "$f ($own) includes rcprov/$inc ($used): an arrow pointing up or sideways"
    fi
    checked=$((checked + 1))
  done < <(grep -hoE '#\s*include\s*"rcprov/[a-z0-9_]+\.h"' "$f" | sed -E 's/.*rcprov\/([a-z0-9_]+\.h)"/\1/')
done < <(find src apps include -name '*.[ch]' | sort)

echo "check_layers: $((checked - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
