/*
 * Wycheproof (C2SP/wycheproof testvectors_v1, Apache-2.0) against the crypto
 * layer: every case of the ten files in tests/vectors/wycheproof/.
 *
 * valid      -> must be accepted with the expected output
 * invalid    -> must be rejected
 * acceptable -> the written policy of docs/spec/crypto.md section 10, asserted
 *               exactly: compressed points accepted (and the secret must
 *               match), non-DER SPKI (InvalidAsn) rejected, explicit curve
 *               parameters (UnnamedCurve) rejected with RCP_ERR_UNSUPPORTED.
 */
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

#define BUF 8192

typedef struct {
    const char *file;
    long cases, valid, invalid, acceptable;
    long acc_accepted, acc_rejected;
    long acc_by_err[3]; /* rejected acceptable cases: DECODE, UNSUPPORTED, POINT_INVALID */
    long passed, failed;
    long fail_mark;
} stats;

static void stats_begin(stats *st, const char *file)
{
    memset(st, 0, sizeof *st);
    st->file = file;
    rcp_t_file_begin(file);
}

static void case_begin(stats *st, const char *result)
{
    st->cases++;
    if (strcmp(result, "valid") == 0)
        st->valid++;
    else if (strcmp(result, "invalid") == 0)
        st->invalid++;
    else if (strcmp(result, "acceptable") == 0)
        st->acceptable++;
    else
        rcp_t_fail_at(__FILE__, __LINE__, "%s: unknown result '%s'", st->file, result);
    st->fail_mark = rcp_t_fail;
}

static void case_end(stats *st, long tc_id)
{
    if (rcp_t_fail == st->fail_mark) {
        st->passed++;
    } else {
        st->failed++;
        fprintf(stderr, "  ^ %s tcId %ld\n", st->file, tc_id);
    }
}

static void stats_end(const stats *st)
{
    rcp_t_file_end(st->cases);
    printf("    %ld valid, %ld invalid, %ld acceptable", st->valid, st->invalid, st->acceptable);
    if (st->acceptable)
        printf(" (policy: %ld accepted, %ld rejected: %ld DECODE, %ld UNSUPPORTED, %ld "
               "POINT_INVALID)",
               st->acc_accepted, st->acc_rejected, st->acc_by_err[0], st->acc_by_err[1],
               st->acc_by_err[2]);
    printf("; cases passed %ld, failed %ld\n", st->passed, st->failed);
}

static int has_flag(const json_t *t, const char *flag)
{
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(t, "flags"), i, f)
    {
        if (json_is_string(f) && strcmp(json_string_value(f), flag) == 0)
            return 1;
    }
    return 0;
}

static int is_valid(const json_t *t)
{
    return strcmp(rcp_t_str(t, "result"), "valid") == 0;
}

static json_t *load(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "wycheproof/%s", name);
    return rcp_t_load_json(path);
}

/* -------------------------------------------------------------- AES-GCM */

static void wp_aes_gcm(void)
{
    const char *name = "aes_gcm_test.json";
    json_t *root = load(name);
    stats st;
    size_t gi, ti;
    const json_t *g, *t;
    stats_begin(&st, name);
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        size_t tag_len = (size_t)rcp_t_int(g, "tagSize") / 8;
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            static uint8_t key[32], iv[BUF], aad[BUF], msg[BUF], ct[BUF], tag[16], out[BUF],
                otag[16], zero[BUF];
            case_begin(&st, rcp_t_str(t, "result"));
            size_t key_len = rcp_t_hex(t, "key", key, sizeof key);
            size_t iv_len = rcp_t_hex(t, "iv", iv, sizeof iv);
            size_t aad_len = rcp_t_hex(t, "aad", aad, sizeof aad);
            size_t msg_len = rcp_t_hex(t, "msg", msg, sizeof msg);
            size_t ct_len = rcp_t_hex(t, "ct", ct, sizeof ct);
            size_t t_len = rcp_t_hex(t, "tag", tag, sizeof tag);
            CHECK(t_len == tag_len);
            if (is_valid(t)) {
                CHECK(ct_len == msg_len);
                CHECK_OK(rcp_aes_gcm_encrypt(key, key_len, iv, iv_len, aad, aad_len, msg, msg_len,
                                             out, otag, tag_len));
                CHECK_MEM(out, ct, ct_len);
                CHECK_MEM(otag, tag, tag_len);
                memset(out, 0xee, msg_len);
                CHECK_OK(rcp_aes_gcm_decrypt(key, key_len, iv, iv_len, aad, aad_len, ct, ct_len,
                                             tag, tag_len, out));
                CHECK_MEM(out, msg, msg_len);
            } else if (has_flag(t, "ZeroLengthIv")) {
                CHECK(iv_len == 0);
                CHECK_ERR(rcp_aes_gcm_encrypt(key, key_len, iv, iv_len, aad, aad_len, msg, msg_len,
                                              out, otag, tag_len),
                          RCP_ERR_INVALID_ARG);
                CHECK_ERR(rcp_aes_gcm_decrypt(key, key_len, iv, iv_len, aad, aad_len, ct, ct_len,
                                              tag, tag_len, out),
                          RCP_ERR_INVALID_ARG);
            } else {
                memset(out, 0xee, ct_len);
                CHECK_ERR(rcp_aes_gcm_decrypt(key, key_len, iv, iv_len, aad, aad_len, ct, ct_len,
                                              tag, tag_len, out),
                          RCP_ERR_AUTH);
                CHECK_MEM(out, zero, ct_len);
            }
            case_end(&st, (long)rcp_t_int(t, "tcId"));
        }
    }
    stats_end(&st);
    json_decref(root);
}

/* ------------------------------------------------------- AES-CBC-PKCS5 */

static void wp_aes_cbc(void)
{
    const char *name = "aes_cbc_pkcs5_test.json";
    json_t *root = load(name);
    stats st;
    size_t gi, ti;
    const json_t *g, *t;
    stats_begin(&st, name);
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            static uint8_t key[32], iv[16], msg[BUF], ct[BUF], out[BUF];
            case_begin(&st, rcp_t_str(t, "result"));
            size_t key_len = rcp_t_hex(t, "key", key, sizeof key);
            CHECK(rcp_t_hex(t, "iv", iv, sizeof iv) == 16);
            size_t msg_len = rcp_t_hex(t, "msg", msg, sizeof msg);
            size_t ct_len = rcp_t_hex(t, "ct", ct, sizeof ct);
            size_t len = 0;
            if (is_valid(t)) {
                CHECK_OK(rcp_aes_cbc_pkcs7_encrypt(key, key_len, iv, msg, msg_len, out, sizeof out,
                                                   &len));
                CHECK(len == ct_len);
                CHECK_MEM(out, ct, ct_len);
                CHECK_OK(
                    rcp_aes_cbc_pkcs7_decrypt(key, key_len, iv, ct, ct_len, out, sizeof out, &len));
                CHECK(len == msg_len);
                CHECK_MEM(out, msg, msg_len);
            } else {
                int want = has_flag(t, "NoPadding") ? RCP_ERR_LENGTH : RCP_ERR_PADDING;
                CHECK_ERR(
                    rcp_aes_cbc_pkcs7_decrypt(key, key_len, iv, ct, ct_len, out, sizeof out, &len),
                    want);
                CHECK(len == 0);
            }
            case_end(&st, (long)rcp_t_int(t, "tcId"));
        }
    }
    stats_end(&st);
    json_decref(root);
}

/* --------------------------------------------------------- HMAC-SHA256 */

static void wp_hmac(void)
{
    const char *name = "hmac_sha256_test.json";
    json_t *root = load(name);
    stats st;
    size_t gi, ti;
    const json_t *g, *t;
    stats_begin(&st, name);
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        size_t tag_len = (size_t)rcp_t_int(g, "tagSize") / 8;
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            static uint8_t key[BUF], msg[BUF], tag[32], mac[32];
            case_begin(&st, rcp_t_str(t, "result"));
            size_t key_len = rcp_t_hex(t, "key", key, sizeof key);
            size_t msg_len = rcp_t_hex(t, "msg", msg, sizeof msg);
            CHECK(rcp_t_hex(t, "tag", tag, sizeof tag) == tag_len);
            CHECK_OK(rcp_hmac_sha256(key, key_len, msg, msg_len, mac));
            /* truncated tags: the leftmost tagSize bits, compared in constant time */
            CHECK(rcp_ct_equal(mac, tag, tag_len) == (is_valid(t) ? 1 : 0));
            case_end(&st, (long)rcp_t_int(t, "tcId"));
        }
    }
    stats_end(&st);
    json_decref(root);
}

/* ------------------------------------------------------------- ECDSA */

static void wp_ecdsa(const char *name, int p1363)
{
    json_t *root = load(name);
    stats st;
    size_t gi, ti;
    const json_t *g, *t;
    stats_begin(&st, name);
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        const json_t *pk = json_object_get(g, "publicKey");
        rcp_curve c = rcp_curve_from_name(rcp_t_str(pk, "curve"));
        CHECK(c != RCP_CURVE_NONE);
        static uint8_t der[BUF], unc[BUF], a[BUF], b[BUF];
        size_t der_len = rcp_t_hex(g, "publicKeyDer", der, sizeof der);
        size_t unc_len = rcp_t_hex(pk, "uncompressed", unc, sizeof unc);
        rcp_ec_key *key = NULL, *key2 = NULL;
        size_t la = 0, lb = 0;
        /* the SPKI and the raw point must give the same key */
        CHECK_OK(rcp_ec_key_from_spki(c, der, der_len, &key));
        CHECK_OK(rcp_ec_key_from_public(c, unc, unc_len, &key2));
        if (key && key2) {
            CHECK_OK(rcp_ec_key_public(key, 0, a, sizeof a, &la));
            CHECK_OK(rcp_ec_key_public(key2, 0, b, sizeof b, &lb));
            CHECK(la == lb && la == unc_len);
            CHECK_MEM(a, b, la);
            CHECK_MEM(a, unc, la);
        }
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            static uint8_t msg[BUF], sig[BUF];
            case_begin(&st, rcp_t_str(t, "result"));
            size_t msg_len = rcp_t_hex(t, "msg", msg, sizeof msg);
            size_t sig_len = rcp_t_hex(t, "sig", sig, sizeof sig);
            int want = is_valid(t) ? RCP_OK : RCP_ERR_SIGNATURE;
            if (key == NULL)
                rcp_t_fail_at(__FILE__, __LINE__, "%s: no key for group %zu", name, gi);
            else if (p1363)
                CHECK_ERR(rcp_ecdsa_verify(key, msg, msg_len, sig, sig_len), want);
            else
                CHECK_ERR(rcp_ecdsa_verify_der(key, msg, msg_len, sig, sig_len), want);
            case_end(&st, (long)rcp_t_int(t, "tcId"));
        }
        rcp_ec_key_free(key);
        rcp_ec_key_free(key2);
    }
    stats_end(&st);
    json_decref(root);
}

/* -------------------------------------------------------------- ECDH */

/* What the policy (crypto.md section 10) expects for a case: accept, or a
 * rejection with exact_err, or (exact_err == 0) a rejection with one of
 * RCP_ERR_DECODE, RCP_ERR_UNSUPPORTED, RCP_ERR_POINT_INVALID. */
typedef struct {
    int accept;
    int exact_err; /* nonzero: the rejection must be exactly this */
} ecdh_expect;

static ecdh_expect ecdh_policy(stats *st, const json_t *t)
{
    ecdh_expect e = {0, 0};
    const char *result = rcp_t_str(t, "result");
    if (strcmp(result, "valid") == 0) {
        e.accept = 1;
    } else if (strcmp(result, "acceptable") == 0) {
        if (has_flag(t, "CompressedPoint") || has_flag(t, "CompressedPublic")) {
            e.accept = 1;
        } else if (has_flag(t, "InvalidAsn")) {
            /* rejected; the code says where the change landed: DER structure
             * (DECODE), an OID or parameter (UNSUPPORTED), the point bytes
             * (POINT_INVALID).  Checked below like an invalid case. */
            e.exact_err = 0;
        } else if (has_flag(t, "UnnamedCurve")) {
            e.exact_err = RCP_ERR_UNSUPPORTED;
        } else {
            rcp_t_fail_at(__FILE__, __LINE__, "%s tcId %lld: acceptable case without a policy",
                          st->file, rcp_t_int(t, "tcId"));
        }
        if (e.accept)
            st->acc_accepted++;
        else
            st->acc_rejected++;
    }
    return e;
}

/* Wycheproof gives the private key as an ASN.1 integer's bytes: maybe a
 * leading zero, maybe fewer bytes.  Normalize to s bytes. */
static int private_scalar(const json_t *t, size_t s, uint8_t *d)
{
    uint8_t raw[BUF];
    size_t n = rcp_t_hex(t, "private", raw, sizeof raw), off = 0;
    while (n - off > s && raw[off] == 0)
        off++;
    if (n - off > s)
        return -1;
    memset(d, 0, s - (n - off));
    memcpy(d + s - (n - off), raw + off, n - off);
    return 0;
}

static void wp_ecdh(const char *name, int ecpoint)
{
    json_t *root = load(name);
    stats st;
    size_t gi, ti;
    const json_t *g, *t;
    stats_begin(&st, name);
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        rcp_curve c = rcp_curve_from_name(rcp_t_str(g, "curve"));
        CHECK(c != RCP_CURVE_NONE);
        size_t s = rcp_curve_size(c);
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            static uint8_t pub[BUF], shared[BUF], d[RCP_EC_MAX_SCALAR], z[RCP_EC_MAX_SECRET];
            case_begin(&st, rcp_t_str(t, "result"));
            ecdh_expect e = ecdh_policy(&st, t);
            size_t pub_len = rcp_t_hex(t, "public", pub, sizeof pub);
            size_t shared_len = rcp_t_hex(t, "shared", shared, sizeof shared);
            rcp_ec_key *priv = NULL, *peer = NULL;
            CHECK(private_scalar(t, s, d) == 0);
            CHECK_OK(rcp_ec_key_from_private(c, d, s, &priv));
            int err = ecpoint ? rcp_ec_key_from_public(c, pub, pub_len, &peer)
                              : rcp_ec_key_from_spki(c, pub, pub_len, &peer);
            size_t z_len = 0;
            if (err == RCP_OK && priv != NULL)
                err = rcp_ecdh(priv, peer, z, sizeof z, &z_len);
            if (e.accept) {
                CHECK_OK(err);
                CHECK(z_len == shared_len && shared_len == s);
                CHECK_MEM(z, shared, shared_len);
            } else if (e.exact_err) {
                CHECK_ERR(err, e.exact_err);
            } else if (err != RCP_ERR_DECODE && err != RCP_ERR_UNSUPPORTED &&
                       err != RCP_ERR_POINT_INVALID) {
                rcp_t_fail_at(__FILE__, __LINE__, "%s tcId %lld: invalid case gave %s", name,
                              rcp_t_int(t, "tcId"), rcp_errname(err));
            } else {
                rcp_t_pass++;
            }
            if (strcmp(rcp_t_str(t, "result"), "acceptable") == 0 && !e.accept)
                st.acc_by_err[err == RCP_ERR_DECODE ? 0 : err == RCP_ERR_UNSUPPORTED ? 1 : 2]++;
            rcp_ec_key_free(priv);
            rcp_ec_key_free(peer);
            case_end(&st, (long)rcp_t_int(t, "tcId"));
        }
    }
    stats_end(&st);
    json_decref(root);
}

int main(void)
{
    wp_aes_gcm();
    wp_aes_cbc();
    wp_hmac();
    wp_ecdsa("ecdsa_secp256r1_sha256_test.json", 0);
    wp_ecdsa("ecdsa_secp256r1_sha256_p1363_test.json", 1);
    wp_ecdsa("ecdsa_brainpoolP256r1_sha256_test.json", 0);
    wp_ecdsa("ecdsa_brainpoolP256r1_sha256_p1363_test.json", 1);
    wp_ecdh("ecdh_secp256r1_test.json", 0);
    wp_ecdh("ecdh_secp256r1_ecpoint_test.json", 1);
    wp_ecdh("ecdh_brainpoolP256r1_test.json", 0);
    return rcp_t_done("kat_wycheproof");
}
