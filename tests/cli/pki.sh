#!/usr/bin/env bash
# rcprov pki end to end, checked against the openssl command:
#  - X.509 chains made by `rcprov pki` on both curves pass `openssl verify
#    -x509_strict` and `rcprov pki verify`;
#  - cross-certified paths verify both ways with both tools;
#  - a revoked leaf, an expired leaf and a stale CRL fail with their reason
#    in both tools; a missing cross-certificate fails in both;
#  - compact chains verify and fail the same way with `rcprov pki verify`;
#  - `show` prints the fields; keys are PKCS#8 with mode 0600 (umask 000
#    too) and readable by openssl; bad input exits 2 with one line.
# Prints "pki: N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

CLI=${RCP_CLI:-build/rcprov}
case $CLI in /*) ;; *) CLI=$PWD/$CLI ;; esac # the script changes directory
W=$(mktemp -d /tmp/rcp_pki.XXXXXX)
trap 'rm -rf "$W"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}

if ! command -v openssl >/dev/null 2>&1; then
    bad "the openssl command is missing (scripts/install-deps.sh installs it)"
    echo "pki: $pass passed, $fail failed"
    exit 1
fi

T=1800000000 # 2027-01-15T08:00:00Z: every time below is explicit
DAY=86400

# run ARGS...: rcprov with stdout in $W/out, stderr in $W/err, status in $rc.
run() {
    "$CLI" "$@" >"$W/out" 2>"$W/err"
    rc=$?
}

# ok_run ARGS...: must exit 0.
ok_run() {
    run "$@"
    if [ "$rc" -eq 0 ]; then ok; else bad "rcprov $* -> exit $rc: $(head -c 400 "$W/err")"; fi
}

# fails RC PATTERN ARGS...: exit RC, nothing on stdout, exactly one line on
# stderr, matching PATTERN (grep -E).
fails() {
    local want=$1 pat=$2
    shift 2
    run "$@"
    local lines
    lines=$(wc -l <"$W/err")
    if [ "$rc" -eq "$want" ] && [ "$lines" -eq 1 ] && [ ! -s "$W/out" ] && grep -Eq -- "$pat" "$W/err"; then
        ok
    else
        bad "rcprov $* -> exit $rc (want $want), $lines stderr lines, want /$pat/: $(head -c 400 "$W/err")"
    fi
}

# out_has PATTERN: the last run's stdout matches.
out_has() {
    if grep -Eq -- "$1" "$W/out"; then ok; else bad "stdout lacks /$1/: $(head -c 400 "$W/out")"; fi
}

# ossl_ok ARGS...: openssl verify ARGS says OK.
ossl_ok() {
    local o
    o=$(openssl verify "$@" 2>&1)
    if [ $? -eq 0 ] && echo "$o" | grep -q ": OK$"; then ok; else bad "openssl verify $*: $o"; fi
}

# ossl_fails PATTERN ARGS...: openssl verify ARGS fails with PATTERN.
ossl_fails() {
    local pat=$1 o
    shift
    o=$(openssl verify "$@" 2>&1)
    if [ $? -ne 0 ] && echo "$o" | grep -Eq -- "$pat"; then ok; else bad "openssl verify $* (want /$pat/): $o"; fi
}

check() {
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}

mode_of() { stat -c %a "$1"; }

# ------------------------------------------------------------------ X.509

x509_world() {
    local curve=$1 d="$W/x509-$1"
    mkdir -p "$d"
    cd "$d" || return
    local nb=$((T - DAY))

    ok_run pki init --dir A --name "GSMA CI $curve" --org "GSMA test" --curve "$curve" \
        --not-before "$nb" --days 3650
    out_has "x509 root CA 'GSMA CI $curve' \($curve\), serial 01"
    ok_run pki init --dir B --name "Operator CA $curve" --curve "$curve" --not-before "$nb" --days 3650
    ok_run pki issue --ca A --name "EUM $curve" --usage ca --path-len 0 --out-dir INT \
        --not-before "$T" --days 1000
    out_has "intermediate CA 'EUM $curve'"
    check "intermediate key mode 0600" [ "$(mode_of INT/ca.key)" = 600 ]
    ok_run pki issue --ca INT --name "eUICC sign" --usage sign --out sign.pem --key-out sign.key \
        --not-before "$T" --days 365
    ok_run pki issue --ca INT --name "eUICC agree" --usage agree --out agree.pem --key-out agree.key \
        --not-before "$T" --days 365
    ok_run pki issue --ca INT --name "eUICC old" --usage sign --out old.pem --key-out old.key \
        --not-before "$T" --not-after "$((T + DAY))"
    ok_run pki issue --ca B --name "CP-AU $curve" --usage sign --out leafb.pem --key-out leafb.key \
        --not-before "$T" --days 365
    ok_run pki cross --ca A --subject B/ca.pem --out A-B.pem --not-before "$T" --days 1000
    out_has "cross-certificate for 'Operator CA $curve' by 'GSMA CI $curve'"
    ok_run pki cross --ca B --subject A/ca.pem --out B-A.pem --not-before "$T" --days 1000
    local at=$((T + 10 * DAY))

    # The chain: both tools, strict.
    ok_run pki verify --cert sign.pem --trusted A/ca.pem --untrusted INT/ca.pem --at "$at" --usage sign
    out_has "sign.pem: OK: 'eUICC sign' for usage sign, path of 3 certificates"
    ossl_ok -x509_strict -attime "$at" -CAfile A/ca.pem -untrusted INT/ca.pem sign.pem
    ok_run pki verify --cert agree.pem --trusted A/ca.pem --untrusted INT/ca.pem --at "$at" --usage agree
    ossl_ok -x509_strict -attime "$at" -CAfile A/ca.pem -untrusted INT/ca.pem agree.pem
    ossl_ok -x509_strict -attime "$at" -CAfile A/ca.pem INT/ca.pem
    # A chain file (leaf then intermediate) serves as --cert.
    cat sign.pem INT/ca.pem >chain.pem
    ok_run pki verify --cert chain.pem --trusted A/ca.pem --at "$at"

    # Wrong usage.
    fails 1 "certificate 'eUICC sign' has usage 'sign', expected 'agree' \(RCP_ERR_CERT\)" \
        pki verify --cert sign.pem --trusted A/ca.pem --untrusted INT/ca.pem --at "$at" --usage agree
    fails 1 "RCP_ERR_CERT" \
        pki verify --cert INT/ca.pem --trusted A/ca.pem --at "$at" --usage sign

    # Cross-certified paths, both ways, both tools; and without the cross-certificate.
    ok_run pki verify --cert leafb.pem --trusted A/ca.pem --untrusted A-B.pem --at "$at"
    out_has "path of 3 certificates"
    ossl_ok -x509_strict -attime "$at" -CAfile A/ca.pem -untrusted A-B.pem leafb.pem
    ok_run pki verify --cert sign.pem --trusted B/ca.pem --untrusted INT/ca.pem --untrusted B-A.pem --at "$at"
    out_has "path of 4 certificates"
    cat INT/ca.pem B-A.pem >int-ba.pem
    ossl_ok -x509_strict -attime "$at" -CAfile B/ca.pem -untrusted int-ba.pem sign.pem
    # B's own root among the intermediates does not derail rcprov's path.
    ok_run pki verify --cert leafb.pem --trusted A/ca.pem --untrusted B/ca.pem --untrusted A-B.pem --at "$at"
    fails 1 "issuer 'Operator CA $curve' of 'CP-AU $curve' is not a trust anchor.*RCP_ERR_UNTRUSTED" \
        pki verify --cert leafb.pem --trusted A/ca.pem --at "$at"
    ossl_fails "unable to get local issuer certificate" -attime "$at" -CAfile A/ca.pem leafb.pem
    fails 1 "RCP_ERR_UNTRUSTED" \
        pki verify --cert sign.pem --trusted B/ca.pem --untrusted INT/ca.pem --untrusted A-B.pem --at "$at"

    # Expired and not yet valid, both tools.
    fails 1 "certificate 'eUICC old' expired at 2027-01-16T08:00:00Z \(RCP_ERR_EXPIRED\)" \
        pki verify --cert old.pem --trusted A/ca.pem --untrusted INT/ca.pem --at "$at"
    ossl_fails "certificate has expired" -attime "$at" -CAfile A/ca.pem -untrusted INT/ca.pem old.pem
    ok_run pki verify --cert old.pem --trusted A/ca.pem --untrusted INT/ca.pem --at "$((T + DAY - 1))"
    ossl_ok -attime "$((T + DAY - 1))" -CAfile A/ca.pem -untrusted INT/ca.pem old.pem
    fails 1 "'EUM $curve' is not valid before 2027-01-15T08:00:00Z \(RCP_ERR_EXPIRED\)" \
        pki verify --cert sign.pem --trusted A/ca.pem --untrusted INT/ca.pem --at "$((T - 1))"
    ossl_fails "certificate is not yet valid" -attime "$((T - 1))" -CAfile A/ca.pem -untrusted INT/ca.pem sign.pem

    # Revocation: revoke, emit the CRL, both tools see it.
    ok_run pki revoke --ca INT --cert sign.pem --at "$T"
    out_has "serial 01 of CA 'EUM $curve' revoked at 2027-01-15T08:00:00Z"
    ok_run pki revoke --ca INT --cert sign.pem
    out_has "already revoked"
    ok_run pki crl --ca INT --out int.crl --this-update "$T" --days 30
    out_has "x509 CRL number 1 of 'EUM $curve', 1 revoked"
    local o
    o=$(openssl crl -in int.crl -CAfile INT/ca.pem -noout 2>&1)
    check "openssl crl verifies the CRL: $o" grep -q "verify OK" <<<"$o"
    fails 1 "certificate 'eUICC sign' \(serial 01\) is revoked by 'EUM $curve' \(RCP_ERR_REVOKED\)" \
        pki verify --cert sign.pem --trusted A/ca.pem --untrusted INT/ca.pem --crl int.crl --at "$at"
    ossl_fails "certificate revoked" -crl_check -attime "$at" -CAfile A/ca.pem -untrusted INT/ca.pem \
        -CRLfile int.crl sign.pem
    ok_run pki verify --cert agree.pem --trusted A/ca.pem --untrusted INT/ca.pem --crl int.crl --at "$at"
    ossl_ok -x509_strict -crl_check -attime "$at" -CAfile A/ca.pem -untrusted INT/ca.pem \
        -CRLfile int.crl agree.pem
    # A stale CRL fails closed in both.
    fails 1 "CRL of 'EUM $curve' is stale since 2027-02-14T08:00:00Z.*RCP_ERR_EXPIRED" \
        pki verify --cert agree.pem --trusted A/ca.pem --untrusted INT/ca.pem --crl int.crl \
        --at "$((T + 31 * DAY))"
    ossl_fails "CRL has expired" -crl_check -attime "$((T + 31 * DAY))" -CAfile A/ca.pem \
        -untrusted INT/ca.pem -CRLfile int.crl agree.pem
    # CRLs required: the root's CRL for EUM is missing, then given.
    fails 1 "no CRL of 'GSMA CI $curve' is held.*RCP_ERR_UNTRUSTED" \
        pki verify --cert agree.pem --trusted A/ca.pem --untrusted INT/ca.pem --crl int.crl \
        --crl-required --at "$at"
    ossl_fails "unable to get certificate CRL" -crl_check_all -attime "$at" -CAfile A/ca.pem \
        -untrusted INT/ca.pem -CRLfile int.crl agree.pem
    ok_run pki crl --ca A --out a.crl --this-update "$T" --days 30
    ok_run pki verify --cert agree.pem --trusted A/ca.pem --untrusted INT/ca.pem --crl int.crl \
        --crl a.crl --crl-required --at "$at"
    cat int.crl a.crl >both.crl
    ossl_ok -crl_check_all -attime "$at" -CAfile A/ca.pem -untrusted INT/ca.pem -CRLfile both.crl agree.pem
    # The next CRL gets the next number; revoking the intermediate revokes below it.
    ok_run pki revoke --ca A --cert INT/ca.pem --at "$T"
    ok_run pki crl --ca A --out a2.crl --this-update "$((T + 1))" --days 30
    out_has "CRL number 2"
    fails 1 "'EUM $curve' \(serial 02\) is revoked by 'GSMA CI $curve'" \
        pki verify --cert agree.pem --trusted A/ca.pem --untrusted INT/ca.pem --crl a2.crl --at "$at"
    ossl_fails "certificate revoked" -crl_check_all -attime "$at" -CAfile A/ca.pem -untrusted INT/ca.pem \
        -CRLfile <(cat int.crl a2.crl) agree.pem

    # An intermediate made by issue issues further: depth 4.
    ok_run pki issue --ca B --name "Sub $curve" --usage ca --out-dir SUB --not-before "$T" --days 100
    ok_run pki issue --ca SUB --name "SubSub $curve" --usage ca --out-dir SUB2 --not-before "$T" --days 100
    ok_run pki issue --ca SUB2 --name "deep" --usage sign --out deep.pem --key-out deep.key \
        --not-before "$T" --days 30
    ok_run pki verify --cert deep.pem --trusted B/ca.pem --untrusted SUB/ca.pem --untrusted SUB2/ca.pem --at "$at"
    out_has "path of 4 certificates"
    cat SUB/ca.pem SUB2/ca.pem >subs.pem
    ossl_ok -x509_strict -attime "$at" -CAfile B/ca.pem -untrusted subs.pem deep.pem

    # Keys: PKCS#8 PEM, 0600, and the certificate's key; --key given.
    check "key mode 0600" [ "$(mode_of sign.key)" = 600 ]
    check "CA key mode 0600" [ "$(mode_of A/ca.key)" = 600 ]
    check "PKCS#8 header" grep -q "^-----BEGIN PRIVATE KEY-----$" sign.key
    check "openssl reads the key" openssl pkey -in sign.key -noout
    check "key matches certificate" [ "$(openssl pkey -in sign.key -pubout)" = "$(openssl x509 -in sign.pem -pubkey -noout)" ]
    if [ "$curve" = p256 ]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out given.key 2>/dev/null
    else
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1 -out given.key 2>/dev/null
    fi
    ok_run pki issue --ca INT --name "given key" --usage agree --key given.key --out given.pem \
        --not-before "$T" --days 10
    check "--key is the certificate's key" [ "$(openssl pkey -in given.key -pubout)" = "$(openssl x509 -in given.pem -pubkey -noout)" ]
    # DER output.
    ok_run pki issue --ca INT --name "der leaf" --usage sign --out der.crt --key-out der.key --der \
        --not-before "$T" --days 30
    check "DER certificate" openssl x509 -inform DER -in der.crt -noout
    ok_run pki verify --cert der.crt --trusted A/ca.pem --untrusted INT/ca.pem --at "$at"
    ok_run pki crl --ca INT --out int.der --der --this-update "$T"
    check "DER CRL" openssl crl -inform DER -in int.der -noout

    # show.
    ok_run pki show --in sign.pem
    out_has "^format +x509$"
    out_has "^serial +01$"
    out_has "^subject +CN=eUICC sign$"
    out_has "^issuer +CN=EUM $curve$"
    out_has "^not after +2028-01-15T08:00:00Z \(1831536000\)$"
    out_has "^public key +id-ecPublicKey $curve$"
    out_has "^signature +ecdsa-with-SHA256$"
    out_has "^key usage +digitalSignature \(critical\)$"
    out_has "^basic constraints +CA:FALSE \(critical\)$"
    out_has "^extensions +basicConstraints \(critical\), keyUsage \(critical\), subjectKeyIdentifier, authorityKeyIdentifier$"
    ok_run pki show --in INT/ca.pem
    out_has "^basic constraints +CA:TRUE, pathLen:0 \(critical\)$"
    out_has "^key usage +keyCertSign, cRLSign \(critical\)$"
    ok_run pki show --in A-B.pem
    out_has "^subject +CN=Operator CA $curve$"
    out_has "^issuer +CN=GSMA CI $curve,O=GSMA test$"
    ok_run pki show --in int.crl
    out_has "^kind +CRL$"
    out_has "^crl number +1$"
    out_has "^  serial 01 revoked at 2027-01-15T08:00:00Z$"
    ok_run pki show --in chain.pem
    check "show prints every certificate of a bundle" [ "$(grep -c '^kind' "$W/out")" = 2 ]
    cd "$W" || return
}

# ---------------------------------------------------------------- compact

compact_world() {
    local curve=$1 d="$W/compact-$1"
    mkdir -p "$d"
    cd "$d" || return
    local nb=$((T - DAY)) at=$((T + 10 * DAY))
    ok_run pki init --dir C --name "CI $curve" --format compact --curve "$curve" --not-before "$nb" --days 3650
    out_has "compact root CA 'CI $curve'"
    ok_run pki init --dir D --name "Op $curve" --format compact --curve "$curve" --not-before "$nb" --days 3650
    ok_run pki issue --ca C --name "PN $curve" --usage ca --out-dir PN --not-before "$T" --days 1000
    ok_run pki issue --ca PN --name "TRE sign" --usage sign --out sign.cbor --key-out sign.key \
        --not-before "$T" --days 365
    ok_run pki issue --ca PN --name "TRE agree" --usage agree --out agree.cbor --key-out agree.key \
        --not-before "$T" --days 365
    ok_run pki issue --ca PN --name "TRE old" --usage sign --out old.cbor --key-out old.key \
        --not-before "$T" --not-after "$((T + DAY))"
    ok_run pki issue --ca D --name "SN $curve" --usage sign --out sn.cbor --key-out sn.key \
        --not-before "$T" --days 365
    ok_run pki cross --ca C --subject D/ca.cbor --out C-D.cbor --not-before "$T" --days 1000
    ok_run pki cross --ca D --subject C/ca.cbor --out D-C.cbor --not-before "$T" --days 1000
    check "compact key mode 0600" [ "$(mode_of sign.key)" = 600 ]
    check "openssl reads the compact leaf's key" openssl pkey -in sign.key -noout

    ok_run pki verify --cert sign.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --at "$at" --usage sign
    out_has "sign.cbor: OK: 'TRE sign' for usage sign, path of 3 certificates"
    fails 1 "certificate 'TRE sign' has usage 'sign', expected 'agree' \(RCP_ERR_CERT\)" \
        pki verify --cert sign.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --at "$at" --usage agree
    # Cross, both ways, and without it.
    ok_run pki verify --cert sn.cbor --trusted C/ca.cbor --untrusted C-D.cbor --at "$at"
    ok_run pki verify --cert sign.cbor --trusted D/ca.cbor --untrusted PN/ca.cbor --untrusted D-C.cbor --at "$at"
    out_has "path of 4 certificates"
    fails 1 "issuer of 'SN $curve' .* is not trusted \(RCP_ERR_UNTRUSTED\)" \
        pki verify --cert sn.cbor --trusted C/ca.cbor --at "$at"
    # Expired (the compact validity includes its last second).
    fails 1 "certificate 'TRE old' is expired at 2027-01-16T08:00:00Z \(RCP_ERR_EXPIRED\)" \
        pki verify --cert old.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --at "$at"
    ok_run pki verify --cert old.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --at "$((T + DAY))"
    # An expired intermediate is named.
    fails 1 "'PN $curve'.*expired.*RCP_ERR_EXPIRED" \
        pki verify --cert sign.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --at "$((T + 1001 * DAY))"
    # Revocation and stale CRL.
    ok_run pki revoke --ca PN --cert sign.cbor --at "$T"
    ok_run pki crl --ca PN --out pn.crl --this-update "$T" --days 30
    out_has "compact CRL of 'PN $curve', 1 revoked"
    fails 1 "certificate 'TRE sign' is revoked by 'PN $curve' \(RCP_ERR_REVOKED\)" \
        pki verify --cert sign.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --crl pn.crl --at "$at"
    ok_run pki verify --cert agree.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --crl pn.crl --at "$at"
    fails 1 "CRL of 'PN $curve' is stale.*RCP_ERR_EXPIRED" \
        pki verify --cert agree.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --crl pn.crl \
        --at "$((T + 31 * DAY))"
    fails 1 "no CRL of 'CI $curve' is held to check certificate 'PN $curve'.*RCP_ERR_UNTRUSTED" \
        pki verify --cert agree.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --crl pn.crl \
        --crl-required --at "$at"
    ok_run pki crl --ca C --out c.crl --this-update "$T" --days 30
    ok_run pki verify --cert agree.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --crl pn.crl \
        --crl c.crl --crl-required --at "$at"
    ok_run pki revoke --ca C --cert PN/ca.cbor --at "$T"
    ok_run pki crl --ca C --out c2.crl --this-update "$((T + 1))" --days 30
    fails 1 "'PN $curve' is revoked by 'CI $curve' \(RCP_ERR_REVOKED\)" \
        pki verify --cert agree.cbor --trusted C/ca.cbor --untrusted PN/ca.cbor --crl c2.crl --at "$at"
    # show.
    ok_run pki show --in agree.cbor
    out_has "^format +compact$"
    out_has "^subject +TRE agree$"
    out_has "^usage +agree$"
    out_has "^curve +$curve$"
    out_has "^not before +2027-01-15T08:00:00Z \(1800000000\)$"
    out_has "^serial +02$"
    ok_run pki show --in pn.crl
    out_has "^kind +CRL$"
    out_has "^  serial 01$"
    cd "$W" || return
}

x509_world p256
x509_world brainpoolp256r1
compact_world p256
compact_world brainpoolp256r1

# ---------------------------------------------------------- current time

cd "$W" || exit 1
ok_run pki init --dir NOW --name "today"
ok_run pki issue --ca NOW --name "today leaf" --usage sign --out now.pem --key-out now.key
ok_run pki verify --cert now.pem --trusted NOW/ca.pem
ossl_ok -x509_strict -CAfile NOW/ca.pem now.pem
# Keys stay 0600 under umask 000; certificates follow the umask.
(umask 000 && "$CLI" pki issue --ca NOW --name "umask" --usage sign --out um.pem --key-out um.key >/dev/null)
check "key 0600 under umask 000" [ "$(mode_of um.key)" = 600 ]
check "certificate 0666 & ~umask" [ "$(mode_of um.pem)" = 644 ]
check "no temporary file left" [ -z "$(find "$W" -name '*.tmp-*')" ]

# ------------------------------------------------------------- bad input

X=$W/x509-p256
C=$W/compact-p256
openssl ecparam -name prime256v1 -genkey -noout -out sec1.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p8.key 2>/dev/null
openssl pkcs8 -topk8 -v2 aes-128-cbc -passout pass:x -in p8.key -out enc.key 2>/dev/null
printf 'hello\n' >garbage.bin
long_name=$(printf 'n%.0s' $(seq 1 65))

fails 2 "missing command: init, issue, cross, revoke, crl, verify or show" pki
fails 2 "unknown command 'frob'" pki frob
fails 2 "unknown option '--bogus'" pki init --dir Z --name z --bogus 1
fails 2 "missing required option --dir" pki init --name z
fails 2 "missing required option --name" pki init --dir Z
fails 2 "--dir NOW: already exists" pki init --dir NOW --name z
fails 2 "--format must be x509 or compact, got 'pem'" pki init --dir Z --name z --format pem
fails 2 "--curve must be p256 or brainpoolp256r1, got 'secp384r1'" pki init --dir Z --name z --curve secp384r1
fails 2 "--name must be 1 to 64 bytes, got 0" pki init --dir Z --name ""
fails 2 "--name must be 1 to 64 bytes, got 65" pki init --dir Z --name "$long_name"
fails 2 "--name must not contain control characters" pki init --dir Z --name "$(printf 'a\tb')"
fails 2 "--name is not valid UTF-8" pki init --dir Z --name "$(printf 'a\xffb')"
fails 2 "--days must be at least 1" pki init --dir Z --name z --days 0
fails 2 "--days must be a decimal number" pki init --dir Z --name z --days ten
fails 2 "--not-before must be Unix seconds" pki init --dir Z --name z --not-before 2027-02-30
fails 2 "--not-after must be later than --not-before" pki init --dir Z --name z --not-before 2027-01-02 --not-after 2027-01-01
fails 2 "--days and --not-after exclude each other" pki init --dir Z --name z --days 3 --not-after 2030-01-01
fails 2 "--org applies to X.509 only" pki init --dir Z --name z --format compact --org o
fails 2 "--path-len applies to X.509 only" pki init --dir Z --name z --format compact --path-len 1
fails 2 "--key sec1.key: not an unencrypted PKCS#8 key" pki init --dir Z --name z --key sec1.key
fails 2 "--key enc.key: not an unencrypted PKCS#8 key" pki init --dir Z --name z --key enc.key
fails 2 "--key garbage.bin: no PEM \"PRIVATE KEY\" block" pki init --dir Z --name z --key garbage.bin
fails 2 "--key missing.key: cannot open" pki init --dir Z --name z --key missing.key
fails 2 "--curve brainpoolp256r1 does not match the curve of --key p8.key \(p256\)" \
    pki init --dir Z --name z --key p8.key --curve brainpoolp256r1
check "no directory after failed init" [ ! -e Z ]
fails 2 "--ca nowhere: not a CA directory" pki issue --ca nowhere --name n --usage sign --out o.pem --key-out o.key
fails 2 "missing required option --usage" pki issue --ca NOW --name n --out o.pem
fails 2 "--usage must be ca, sign or agree, got 'tls'" pki issue --ca NOW --name n --usage tls --out o.pem
fails 2 "--usage sign needs --out" pki issue --ca NOW --name n --usage sign --key-out o.key
fails 2 "--key-out is required when --key is not given" pki issue --ca NOW --name n --usage sign --out o.pem
fails 2 "--usage ca needs --out-dir" pki issue --ca NOW --name n --usage ca
fails 2 "--out does not apply to --usage ca" pki issue --ca NOW --name n --usage ca --out-dir N2 --out o.pem
fails 2 "--path-len applies to --usage ca only" pki issue --ca NOW --name n --usage sign --out o.pem --key-out o.key --path-len 1
fails 2 "--out now.pem: exists \(use --force to replace it\)" pki issue --ca NOW --name n --usage sign --out now.pem --key-out o.key
fails 2 "--key-out now.key: exists \(a key file is never overwritten\)" pki issue --ca NOW --name n --usage sign --out o.pem --key-out now.key
fails 2 "--out-dir NOW: already exists" pki issue --ca NOW --name n --usage ca --out-dir NOW
fails 2 "--format compact does not match CA NOW, which is x509" pki issue --ca NOW --name n --usage sign --out o.pem --key-out o.key --format compact
fails 2 "CA 'EUM p256' has pathLenConstraint 0 and cannot issue a CA" pki issue --ca "$X/INT" --name n --usage ca --out-dir N3
fails 2 "--der applies to X.509 only" pki issue --ca "$C/PN" --name n --usage sign --out o.cbor --key-out o.key --der
# Nothing half-written: the key is removed when the certificate cannot be written.
fails 2 "--out $W/no/such/dir/o.pem: cannot write" pki issue --ca NOW --name n --usage sign --out "$W/no/such/dir/o.pem" --key-out half.key
check "no key left after a failed issue" [ ! -e half.key ]
fails 2 "--subject now.pem: 'today leaf' is not a CA certificate" pki cross --ca NOW --subject now.pem --out x.pem
fails 2 "--subject NOW/ca.pem is CA NOW itself" pki cross --ca NOW --subject NOW/ca.pem --out x.pem
fails 2 "--subject $C/C/ca.cbor is a compact certificate, but CA NOW is x509" pki cross --ca NOW --subject "$C/C/ca.cbor" --out x.pem
fails 2 "give exactly one of --serial and --cert" pki revoke --ca NOW
fails 2 "--serial must be 1 to 20 bytes of hex, got 'zz'" pki revoke --ca NOW --serial zz
fails 2 "serial 7f was not issued by CA 'today'" pki revoke --ca NOW --serial 7f
fails 2 "--cert $X/sign.pem was not issued by CA 'today'" pki revoke --ca NOW --cert "$X/sign.pem"
fails 2 "--next-update must be later than --this-update" pki crl --ca NOW --out n.crl --this-update 2030-01-02 --next-update 2030-01-01
fails 2 "missing required option --out" pki crl --ca NOW
fails 2 "missing required option --trusted" pki verify --cert now.pem
fails 2 "missing required option --cert" pki verify --trusted NOW/ca.pem
fails 2 "--trusted missing.pem: cannot open" pki verify --cert now.pem --trusted missing.pem
fails 2 "--trusted now.pem: 'today leaf' is not a self-signed CA certificate" pki verify --cert now.pem --trusted now.pem
fails 2 "--cert garbage.bin is neither a certificate nor a CRL" pki verify --cert garbage.bin --trusted NOW/ca.pem
fails 2 "--cert now.key is a private key, not a certificate" pki verify --cert now.key --trusted NOW/ca.pem
fails 2 "--at must be Unix seconds" pki verify --cert now.pem --trusted NOW/ca.pem --at yesterday
fails 2 "--usage must be ca, sign or agree, got 'x'" pki verify --cert now.pem --trusted NOW/ca.pem --usage x
fails 2 "--trusted $C/C/ca.cbor is a compact certificate, expected an X.509 certificate" \
    pki verify --cert now.pem --trusted "$C/C/ca.cbor"
fails 2 "--crl now.pem is an X.509 certificate, expected an X.509 CRL" \
    pki verify --cert now.pem --trusted NOW/ca.pem --crl now.pem
fails 2 "option --untrusted needs a value" pki verify --cert now.pem --trusted NOW/ca.pem --untrusted
fails 2 "missing required option --in" pki show
fails 2 "--in garbage.bin is neither a certificate nor a CRL" pki show --in garbage.bin
fails 2 "--in now.key is a private key" pki show --in now.key
fails 2 "--in missing: cannot open" pki show --in missing

echo "pki: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
