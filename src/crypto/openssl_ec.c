/*
 * EC keys, ECDSA (SHA-256) and ECDH (BSI TR-03111 ECKA) over OpenSSL 3:
 * EVP_PKEY for the operations, EC_GROUP/EC_POINT for point decoding and
 * validation.  DER (ECDSA-Sig-Value, SubjectPublicKeyInfo) is parsed here by
 * a strict parser of our own, not by OpenSSL's BER-tolerant one.
 * Constructions, sources and policy: docs/spec/crypto.md "Elliptic curves".
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

/* ---------------------------------------------------------------- curves */

#define CURVE_COUNT 5
#define KEYGEN_MAX_TRIES 64

typedef struct {
    rcp_curve id;
    const char *name;       /* rcprov name, rcp_curve_name() */
    const char *ossl_group; /* OpenSSL group / key type name */
    int nid;
    size_t size;    /* field and scalar size in bytes */
    uint8_t oid[9]; /* namedCurve OID value (RFC 5480 2.1.1.1, RFC 5639 4.1) */
    size_t oid_len;
    const char *alias[4]; /* other accepted names (case-insensitive) */
} curve_info;

static const curve_info k_curves[CURVE_COUNT] = {
    {RCP_CURVE_P256,
     "p256",
     "prime256v1",
     NID_X9_62_prime256v1,
     32,
     {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07},
     8,
     {"P-256", "secp256r1", "prime256v1", NULL}},
    {RCP_CURVE_BP256R1,
     "brainpoolp256r1",
     "brainpoolP256r1",
     NID_brainpoolP256r1,
     32,
     {0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07},
     9,
     {NULL, NULL, NULL, NULL}},
    {RCP_CURVE_BP384R1,
     "brainpoolp384r1",
     "brainpoolP384r1",
     NID_brainpoolP384r1,
     48,
     {0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b},
     9,
     {NULL, NULL, NULL, NULL}},
    {RCP_CURVE_BP512R1,
     "brainpoolp512r1",
     "brainpoolP512r1",
     NID_brainpoolP512r1,
     64,
     {0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d},
     9,
     {NULL, NULL, NULL, NULL}},
    /* RFC 8410 3: id-X25519 is an algorithm OID, not a namedCurve. */
    {RCP_CURVE_X25519,
     "x25519",
     "X25519",
     NID_X25519,
     32,
     {0x2b, 0x65, 0x6e},
     3,
     {"curve25519", NULL, NULL, NULL}},
};

/* id-ecPublicKey, RFC 5480 2.1.1 */
static const uint8_t k_oid_ec_public_key[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};

/* Per-curve state built once: the group, the big-endian p and n, and a
 * parameters-only EVP_PKEY.  Public keys are made by copying the template's
 * parameters and setting the encoded point, which reuses the group instead
 * of building a new one (with its Montgomery contexts) for every import:
 * about 7 us instead of 26 us on P-256. */
typedef struct {
    EC_GROUP *group;
    EVP_PKEY *tmpl;
    uint8_t p[RCP_EC_MAX_SCALAR];
    uint8_t n[RCP_EC_MAX_SCALAR];
    /* Point decompression for p = 3 mod 4: y = (x^3 + ax + b)^((p+1)/4).
     * NULL when the curve does not allow it (OpenSSL's path is used). */
    BIGNUM *bp, *ba, *bb, *sqrt_exp;
    BN_MONT_CTX *mont;
} curve_state;

/* The square-root exponent and Montgomery context of a p = 3 mod 4 field. */
static void sqrt_init(curve_state *st, BN_CTX *bn)
{
    st->bp = BN_new();
    st->ba = BN_new();
    st->bb = BN_new();
    st->sqrt_exp = BN_new();
    st->mont = BN_MONT_CTX_new();
    if (st->bp == NULL || st->ba == NULL || st->bb == NULL || st->sqrt_exp == NULL ||
        st->mont == NULL || EC_GROUP_get_curve(st->group, st->bp, st->ba, st->bb, bn) != 1 ||
        BN_mod_word(st->bp, 4) != 3 || BN_copy(st->sqrt_exp, st->bp) == NULL ||
        BN_add_word(st->sqrt_exp, 1) != 1 || BN_rshift(st->sqrt_exp, st->sqrt_exp, 2) != 1 ||
        BN_MONT_CTX_set(st->mont, st->bp, bn) != 1) {
        BN_free(st->bp);
        BN_free(st->ba);
        BN_free(st->bb);
        BN_free(st->sqrt_exp);
        BN_MONT_CTX_free(st->mont);
        st->bp = st->ba = st->bb = st->sqrt_exp = NULL;
        st->mont = NULL;
    }
}

static EVP_PKEY *params_template(const char *group_name)
{
    EVP_PKEY *tmpl = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (c == NULL || EVP_PKEY_paramgen_init(c) != 1 ||
        EVP_PKEY_CTX_set_group_name(c, group_name) != 1 || EVP_PKEY_paramgen(c, &tmpl) != 1) {
        EVP_PKEY_free(tmpl);
        tmpl = NULL;
    }
    EVP_PKEY_CTX_free(c);
    return tmpl;
}

static curve_state g_state[CURVE_COUNT];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_ready;

static void curves_init(void)
{
    BN_CTX *bn = BN_CTX_new();
    BIGNUM *p = BN_new();
    int ok = bn != NULL && p != NULL;
    for (size_t i = 0; ok && i < CURVE_COUNT; i++) {
        if (k_curves[i].id == RCP_CURVE_X25519)
            continue;
        curve_state *st = &g_state[i];
        st->group = EC_GROUP_new_by_curve_name_ex(NULL, NULL, k_curves[i].nid);
        st->tmpl = params_template(k_curves[i].ossl_group);
        if (st->group != NULL)
            sqrt_init(st, bn);
        ok = st->group != NULL && st->tmpl != NULL &&
             EC_GROUP_get_curve(st->group, p, NULL, NULL, bn) == 1 &&
             BN_bn2binpad(p, st->p, (int)k_curves[i].size) == (int)k_curves[i].size &&
             BN_bn2binpad(EC_GROUP_get0_order(st->group), st->n, (int)k_curves[i].size) ==
                 (int)k_curves[i].size;
    }
    BN_free(p);
    BN_CTX_free(bn);
    g_ready = ok;
}

static const curve_info *curve_lookup(rcp_curve c, const curve_state **st)
{
    for (size_t i = 0; i < CURVE_COUNT; i++) {
        if (k_curves[i].id != c)
            continue;
        if (st != NULL) {
            if (pthread_once(&g_once, curves_init) != 0 || !g_ready)
                return NULL;
            *st = &g_state[i];
        }
        return &k_curves[i];
    }
    return NULL;
}

size_t rcp_curve_size(rcp_curve c)
{
    const curve_info *ci = curve_lookup(c, NULL);
    return ci ? ci->size : 0;
}

size_t rcp_curve_point_size(rcp_curve c)
{
    const curve_info *ci = curve_lookup(c, NULL);
    if (ci == NULL)
        return 0;
    return ci->id == RCP_CURVE_X25519 ? ci->size : 1 + 2 * ci->size;
}

const char *rcp_curve_name(rcp_curve c)
{
    const curve_info *ci = curve_lookup(c, NULL);
    return ci ? ci->name : NULL;
}

rcp_curve rcp_curve_from_name(const char *name)
{
    if (name == NULL)
        return RCP_CURVE_NONE;
    for (size_t i = 0; i < CURVE_COUNT; i++) {
        if (strcasecmp(name, k_curves[i].name) == 0)
            return k_curves[i].id;
        for (size_t a = 0; a < 4 && k_curves[i].alias[a]; a++)
            if (strcasecmp(name, k_curves[i].alias[a]) == 0)
                return k_curves[i].id;
    }
    return RCP_CURVE_NONE;
}

/* ------------------------------------------------ constant-time scalars */

/* 1 if a < b as big-endian numbers of len bytes, without data-dependent
 * branches (the borrow of a - b). */
static unsigned ct_lt_be(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint32_t borrow = 0;
    for (size_t i = len; i-- > 0;)
        borrow = ((uint32_t)a[i] - (uint32_t)b[i] - borrow) >> 31;
    return (unsigned)borrow;
}

static unsigned ct_nonzero(const uint8_t *a, size_t len)
{
    uint32_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= a[i];
    return (unsigned)((0u - acc) >> 31);
}

/* SEC 1 3.2.1 / TR-03111 4.1.1: a private key is an integer in [1, n-1]. */
static int scalar_in_range(const curve_info *ci, const curve_state *st, const uint8_t *d)
{
    return (int)(ct_nonzero(d, ci->size) & ct_lt_be(d, st->n, ci->size));
}

/* ------------------------------------------------------------------ keys */

struct rcp_ec_key {
    atomic_long refs;
    const curve_info *ci;
    EVP_PKEY *pkey;
    int has_private;
    size_t pub_len;
    uint8_t pub[RCP_EC_MAX_POINT]; /* uncompressed SEC1 point; X25519: 32 bytes */
};

static rcp_ec_key *key_new(const curve_info *ci)
{
    rcp_ec_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    atomic_init(&k->refs, 1);
    k->ci = ci;
    return k;
}

void rcp_ec_key_free(rcp_ec_key *key)
{
    if (key == NULL)
        return;
    if (atomic_fetch_sub(&key->refs, 1) != 1)
        return;
    EVP_PKEY_free(key->pkey); /* OpenSSL clears the private scalar */
    rcp_wipe(key, sizeof *key);
    free(key);
}

int rcp_ec_key_ref(rcp_ec_key *key, rcp_ec_key **out)
{
    if (key == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    atomic_fetch_add(&key->refs, 1);
    *out = key;
    return RCP_OK;
}

rcp_curve rcp_ec_key_curve(const rcp_ec_key *key)
{
    return key ? key->ci->id : RCP_CURVE_NONE;
}

int rcp_ec_key_has_private(const rcp_ec_key *key)
{
    return key ? key->has_private : 0;
}

/* EVP_PKEY of type EC on ci's group from an uncompressed point and, for a
 * key pair, the private scalar. */
static int ec_pkey_build(const curve_info *ci, const uint8_t *pub, size_t pub_len,
                         const BIGNUM *priv, EVP_PKEY **out)
{
    int ret = RCP_ERR_CRYPTO;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    OSSL_PARAM_BLD *bld = NULL;
    const curve_state *st = NULL;
    if (priv == NULL && curve_lookup(ci->id, &st) != NULL) {
        /* Public key: the template's parameters plus the (already
         * validated, uncompressed) point. */
        EVP_PKEY *pk = EVP_PKEY_new();
        if (pk == NULL)
            return RCP_ERR_NO_MEMORY;
        if (EVP_PKEY_copy_parameters(pk, st->tmpl) != 1 ||
            EVP_PKEY_set1_encoded_public_key(pk, pub, pub_len) != 1) {
            EVP_PKEY_free(pk);
            return RCP_ERR_CRYPTO;
        }
        *out = pk;
        return RCP_OK;
    }
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL) {
        ret = RCP_ERR_NO_MEMORY;
        goto out;
    }
    if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, ci->ossl_group, 0) != 1 ||
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) != 1 ||
        (priv != NULL && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) != 1))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld); /* a secure BN goes to cleared memory */
    pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params == NULL || pctx == NULL || EVP_PKEY_fromdata_init(pctx) != 1 ||
        EVP_PKEY_fromdata(pctx, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        goto out;
    ret = RCP_OK;
out:
    EVP_PKEY_CTX_free(pctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return ret;
}

/*
 * Decode and validate a SEC1 point (SEC 1 2.3.4; public key validation of
 * SEC 1 3.2.2.1 / TR-03111 3.2.2): only the uncompressed (04) and compressed
 * (02/03) forms, coordinates < p, on the curve, not the identity.  All four
 * Weierstrass curves have cofactor 1, so every such point has order n and
 * step 4 of SEC 1 3.2.2.1 (nQ = O) holds without computing it.
 * unc receives the uncompressed encoding (1 + 2*size bytes).
 */
/* y for x (compressed point pt = 02/03 || x) on a p = 3 mod 4 curve:
 * rhs = x^3 + ax + b, y = rhs^((p+1)/4), and y^2 must equal rhs (else x is
 * not the abscissa of a point).  unc receives 04 || x || y. */
static int decompress(const curve_state *st, const uint8_t *pt, size_t s, uint8_t *unc, BN_CTX *bn)
{
    int ret = RCP_ERR_CRYPTO;
    BN_CTX_start(bn);
    BIGNUM *x = BN_CTX_get(bn), *rhs = BN_CTX_get(bn), *y = BN_CTX_get(bn), *t = BN_CTX_get(bn);
    if (t == NULL || BN_bin2bn(pt + 1, (int)s, x) == NULL ||
        BN_mod_sqr(rhs, x, st->bp, bn) != 1 ||           /* x^2 */
        BN_mod_add(rhs, rhs, st->ba, st->bp, bn) != 1 || /* x^2 + a */
        BN_mod_mul(rhs, rhs, x, st->bp, bn) != 1 ||      /* x^3 + ax */
        BN_mod_add(rhs, rhs, st->bb, st->bp, bn) != 1 || /* x^3 + ax + b */
        BN_mod_exp_mont(y, rhs, st->sqrt_exp, st->bp, bn, st->mont) != 1 ||
        BN_mod_sqr(t, y, st->bp, bn) != 1)
        goto out;
    if (BN_cmp(t, rhs) != 0) {
        ret = RCP_ERR_POINT_INVALID; /* no square root: not on the curve */
        goto out;
    }
    if (BN_is_odd(y) != (pt[0] == 0x03)) {
        if (BN_is_zero(y)) {
            ret = RCP_ERR_POINT_INVALID; /* y = 0 has no odd twin */
            goto out;
        }
        if (BN_sub(y, st->bp, y) != 1)
            goto out;
    }
    unc[0] = 0x04;
    memcpy(unc + 1, pt + 1, s);
    if (BN_bn2binpad(y, unc + 1 + s, (int)s) != (int)s)
        goto out;
    ret = RCP_OK;
out:
    BN_CTX_end(bn);
    return ret;
}

static int ec_point_decode(const curve_info *ci, const curve_state *st, const uint8_t *pt,
                           size_t len, uint8_t *unc)
{
    int ret = RCP_ERR_POINT_INVALID;
    size_t s = ci->size;
    EC_POINT *q = NULL;
    BN_CTX *bn = NULL;
    if (len == 0)
        goto out;
    if (!((pt[0] == 0x04 && len == 1 + 2 * s) ||
          ((pt[0] == 0x02 || pt[0] == 0x03) && len == 1 + s)))
        goto out; /* infinity (00), hybrid (06/07) and wrong lengths */
    if (!ct_lt_be(pt + 1, st->p, s) || (pt[0] == 0x04 && !ct_lt_be(pt + 1 + s, st->p, s)))
        goto out; /* SEC 1 2.3.4 steps 2.2 / 3.3: field elements below p */
    q = EC_POINT_new(st->group);
    bn = BN_CTX_new();
    if (q == NULL || bn == NULL) {
        ret = RCP_ERR_NO_MEMORY;
        goto out;
    }
    if (pt[0] != 0x04 && st->mont != NULL) {
        /* SEC 1 2.3.4 step 2.4 with the cached field: the point is public,
         * so this need not be constant-time.  The result is then checked
         * like any uncompressed point below. */
        ret = decompress(st, pt, s, unc, bn);
        if (ret)
            goto out;
        pt = unc;
        len = 1 + 2 * s;
        ret = RCP_ERR_POINT_INVALID;
    }
    if (EC_POINT_oct2point(st->group, q, pt, len, bn) != 1 || /* 2.3.4 step 2.4: sqrt exists */
        EC_POINT_is_at_infinity(st->group, q) || EC_POINT_is_on_curve(st->group, q, bn) != 1)
        goto out;
    if (EC_POINT_point2oct(st->group, q, POINT_CONVERSION_UNCOMPRESSED, unc, 1 + 2 * s, bn) !=
        1 + 2 * s) {
        ret = RCP_ERR_CRYPTO;
        goto out;
    }
    ret = RCP_OK;
out:
    if (ret)
        ERR_clear_error();
    EC_POINT_free(q);
    BN_CTX_free(bn);
    return ret;
}

int rcp_ec_key_from_public(rcp_curve curve, const uint8_t *pt, size_t pt_len, rcp_ec_key **out)
{
    int ret = RCP_ERR_INVALID_ARG;
    const curve_state *st = NULL;
    rcp_ec_key *k = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (pt == NULL && pt_len != 0)
        return RCP_ERR_INVALID_ARG;
    const curve_info *ci = curve_lookup(curve, &st);
    if (ci == NULL)
        return curve_lookup(curve, NULL) ? RCP_ERR_CRYPTO : RCP_ERR_UNSUPPORTED;
    k = key_new(ci);
    if (k == NULL)
        return RCP_ERR_NO_MEMORY;
    if (ci->id == RCP_CURVE_X25519) {
        /* RFC 7748 5: every 32-byte string is a u-coordinate; low-order
         * inputs are caught by the all-zero check in rcp_ecdh. */
        if (pt_len != ci->size) {
            ret = RCP_ERR_POINT_INVALID;
            goto out;
        }
        k->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, ci->ossl_group, NULL, pt, pt_len);
        if (k->pkey == NULL) {
            ret = RCP_ERR_CRYPTO;
            goto out;
        }
        memcpy(k->pub, pt, pt_len);
        k->pub_len = pt_len;
    } else {
        ret = ec_point_decode(ci, st, pt, pt_len, k->pub);
        if (ret)
            goto out;
        k->pub_len = 1 + 2 * ci->size;
        ret = ec_pkey_build(ci, k->pub, k->pub_len, NULL, &k->pkey);
        if (ret)
            goto out;
    }
    *out = k;
    k = NULL;
    ret = RCP_OK;
out:
    if (ret)
        ERR_clear_error();
    rcp_ec_key_free(k);
    return ret;
}

int rcp_ec_key_from_private(rcp_curve curve, const uint8_t *d, size_t d_len, rcp_ec_key **out)
{
    int ret = RCP_ERR_CRYPTO;
    const curve_state *st = NULL;
    rcp_ec_key *k = NULL;
    BIGNUM *bd = NULL;
    EC_POINT *q = NULL;
    BN_CTX *bn = NULL;
    size_t pub_len = 0;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (d == NULL)
        return RCP_ERR_INVALID_ARG;
    const curve_info *ci = curve_lookup(curve, &st);
    if (ci == NULL)
        return curve_lookup(curve, NULL) ? RCP_ERR_CRYPTO : RCP_ERR_UNSUPPORTED;
    if (d_len != ci->size)
        return RCP_ERR_KEY_INVALID;
    k = key_new(ci);
    if (k == NULL)
        return RCP_ERR_NO_MEMORY;
    k->has_private = 1;
    if (ci->id == RCP_CURVE_X25519) {
        /* RFC 7748 5: any 32 bytes, clamped by the scalar multiplication. */
        k->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, ci->ossl_group, NULL, d, d_len);
        pub_len = sizeof k->pub;
        if (k->pkey == NULL || EVP_PKEY_get_raw_public_key(k->pkey, k->pub, &pub_len) != 1 ||
            pub_len != ci->size)
            goto out;
        k->pub_len = pub_len;
    } else {
        if (!scalar_in_range(ci, st, d)) {
            ret = RCP_ERR_KEY_INVALID;
            goto out;
        }
        bd = BN_secure_new();
        q = EC_POINT_new(st->group);
        bn = BN_CTX_secure_new();
        if (bd == NULL || q == NULL || bn == NULL) {
            ret = RCP_ERR_NO_MEMORY;
            goto out;
        }
        BN_set_flags(bd, BN_FLG_CONSTTIME);
        /* SEC 1 3.2.1 step 2 / TR-03111 4.1.1: Q = d*G */
        if (BN_bin2bn(d, (int)d_len, bd) == NULL ||
            EC_POINT_mul(st->group, q, bd, NULL, NULL, bn) != 1 ||
            EC_POINT_point2oct(st->group, q, POINT_CONVERSION_UNCOMPRESSED, k->pub, sizeof k->pub,
                               bn) != 1 + 2 * ci->size)
            goto out;
        k->pub_len = 1 + 2 * ci->size;
        ret = ec_pkey_build(ci, k->pub, k->pub_len, bd, &k->pkey);
        if (ret)
            goto out;
    }
    *out = k;
    k = NULL;
    ret = RCP_OK;
out:
    if (ret)
        ERR_clear_error();
    BN_clear_free(bd);
    EC_POINT_free(q);
    BN_CTX_free(bn);
    rcp_ec_key_free(k);
    return ret;
}

int rcp_ec_key_generate(rcp_curve curve, const rcp_rng *rng, rcp_ec_key **out)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t d[RCP_EC_MAX_SCALAR];
    const curve_state *st = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (rng == NULL)
        return RCP_ERR_INVALID_ARG;
    const curve_info *ci = curve_lookup(curve, &st);
    if (ci == NULL)
        return curve_lookup(curve, NULL) ? RCP_ERR_CRYPTO : RCP_ERR_UNSUPPORTED;
    /* FIPS 186-4 B.4.2 / TR-03111 4.1.1: draw size bytes, keep the first
     * candidate in [1, n-1].  Each curve's order has exactly 8*size bits, so a
     * try fails with probability < 2^-32 (P-256) or < 1/2 (brainpool); after
     * KEYGEN_MAX_TRIES failures the rng is broken. */
    ret = RCP_ERR_RNG;
    for (int tries = 0; tries < KEYGEN_MAX_TRIES; tries++) {
        int r = rcp_rng_fill(rng, d, ci->size);
        if (r) {
            ret = r;
            goto out;
        }
        if (ci->id == RCP_CURVE_X25519 || scalar_in_range(ci, st, d)) {
            ret = rcp_ec_key_from_private(curve, d, ci->size, out);
            goto out;
        }
    }
out:
    rcp_wipe(d, sizeof d);
    return ret;
}

int rcp_ec_key_public(const rcp_ec_key *key, int compressed, uint8_t *out, size_t out_cap,
                      size_t *out_len)
{
    if (key == NULL || out == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    size_t s = key->ci->size;
    if (key->ci->id == RCP_CURVE_X25519 || !compressed) {
        if (out_cap < key->pub_len)
            return RCP_ERR_BUFFER_TOO_SMALL;
        memcpy(out, key->pub, key->pub_len);
        *out_len = key->pub_len;
        return RCP_OK;
    }
    if (out_cap < 1 + s)
        return RCP_ERR_BUFFER_TOO_SMALL;
    out[0] = (uint8_t)(0x02 | (key->pub[2 * s] & 1)); /* SEC 1 2.3.3 step 3.2 */
    memcpy(out + 1, key->pub + 1, s);
    *out_len = 1 + s;
    return RCP_OK;
}

int rcp_ec_key_private(const rcp_ec_key *key, uint8_t *out, size_t out_cap, size_t *out_len)
{
    int ret = RCP_ERR_CRYPTO;
    BIGNUM *d = NULL;
    if (key == NULL || out == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (!key->has_private)
        return RCP_ERR_INVALID_ARG;
    size_t s = key->ci->size;
    if (out_cap < s)
        return RCP_ERR_BUFFER_TOO_SMALL;
    if (key->ci->id == RCP_CURVE_X25519) {
        size_t got = s;
        if (EVP_PKEY_get_raw_private_key(key->pkey, out, &got) != 1 || got != s)
            goto out;
    } else {
        if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1 ||
            BN_bn2binpad(d, out, (int)s) != (int)s)
            goto out;
    }
    *out_len = s;
    ret = RCP_OK;
out:
    if (ret) {
        rcp_wipe(out, out_cap < s ? out_cap : s);
        ERR_clear_error();
    }
    BN_clear_free(d);
    return ret;
}

/* ------------------------------------------------------------ strict DER */

typedef struct {
    const uint8_t *p;
    size_t n;
} der_cur;

/* Take one TLV with tag from c into val (X.690 8.1 with the DER rules of
 * 10.1: definite length in the minimum number of octets).  Lengths above
 * 0xffff never occur in keys or signatures and are rejected. */
static int der_take(der_cur *c, uint8_t tag, der_cur *val)
{
    size_t len, hdr;
    if (c->n < 2 || c->p[0] != tag)
        return RCP_ERR_DECODE;
    uint8_t b = c->p[1];
    if (b < 0x80) {
        len = b;
        hdr = 2;
    } else if (b == 0x81) {
        if (c->n < 3 || c->p[2] < 0x80)
            return RCP_ERR_DECODE;
        len = c->p[2];
        hdr = 3;
    } else if (b == 0x82) {
        if (c->n < 4 || c->p[2] == 0)
            return RCP_ERR_DECODE;
        len = (size_t)c->p[2] << 8 | c->p[3];
        hdr = 4;
    } else {
        return RCP_ERR_DECODE; /* indefinite (0x80) or too long */
    }
    if (len > c->n - hdr)
        return RCP_ERR_DECODE;
    val->p = c->p + hdr;
    val->n = len;
    c->p += hdr + len;
    c->n -= hdr + len;
    return RCP_OK;
}

/* A DER INTEGER (X.690 8.3) that must be non-negative and fit in s bytes,
 * written left-padded to s bytes. */
static int der_uint(const der_cur *v, size_t s, uint8_t *out)
{
    const uint8_t *p = v->p;
    size_t n = v->n;
    if (n == 0 || (p[0] & 0x80))
        return RCP_ERR_DECODE; /* empty or negative */
    if (n > 1 && p[0] == 0) {
        if (!(p[1] & 0x80))
            return RCP_ERR_DECODE; /* X.690 8.3.2: not minimal */
        p++;
        n--;
    }
    if (n > s)
        return RCP_ERR_DECODE;
    memset(out, 0, s - n);
    memcpy(out + s - n, p, n);
    return RCP_OK;
}

/* Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (SEC 1 C.5,
 * RFC 5480 2.2.3), nothing before or after. */
static int der_sig_decode(const uint8_t *sig, size_t len, size_t s, uint8_t *r_out, uint8_t *s_out)
{
    der_cur c = {sig, len}, seq, ri, si;
    if (der_take(&c, 0x30, &seq) || c.n != 0 || der_take(&seq, 0x02, &ri) ||
        der_take(&seq, 0x02, &si) || seq.n != 0 || der_uint(&ri, s, r_out) ||
        der_uint(&si, s, s_out))
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static size_t der_put_uint(uint8_t *out, const uint8_t *v, size_t s)
{
    size_t i = 0;
    while (i + 1 < s && v[i] == 0)
        i++;
    size_t n = s - i, lead = (v[i] & 0x80) ? 1 : 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(n + lead);
    out[2] = 0;
    memcpy(out + 2 + lead, v + i, n);
    return 2 + lead + n;
}

/* Largest DER signature for a curve of s-byte scalars. */
static size_t der_sig_max(size_t s)
{
    size_t body = 2 * (2 + 1 + s);
    return body + (body < 0x80 ? 2 : 3);
}

/* Canonical DER of (r, s); out holds der_sig_max(s) bytes. */
static size_t der_sig_encode(const uint8_t *r, const uint8_t *s_val, size_t s, uint8_t *out)
{
    uint8_t body[2 * (3 + RCP_EC_MAX_SCALAR)];
    size_t bl = der_put_uint(body, r, s);
    bl += der_put_uint(body + bl, s_val, s);
    size_t o = 0;
    out[o++] = 0x30;
    if (bl >= 0x80)
        out[o++] = 0x81;
    out[o++] = (uint8_t)bl;
    memcpy(out + o, body, bl);
    return o + bl;
}

static int der_oid_is(const der_cur *oid, const uint8_t *want, size_t want_len)
{
    return oid->n == want_len && memcmp(oid->p, want, want_len) == 0;
}

/*
 * SubjectPublicKeyInfo (RFC 5280 4.1) for EC keys with a namedCurve
 * (RFC 5480 2.1.1; explicit parameters are refused: 2.1.1 says they MUST NOT
 * be used) or an X25519 key (RFC 8410 4, parameters absent).  Strict DER.
 */
int rcp_ec_key_from_spki(rcp_curve curve, const uint8_t *der, size_t der_len, rcp_ec_key **out)
{
    der_cur c = {der, der_len}, spki, alg, oid, param, bits;
    const curve_info *found = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (der == NULL && der_len != 0)
        return RCP_ERR_INVALID_ARG;
    if (curve_lookup(curve, NULL) == NULL)
        return RCP_ERR_UNSUPPORTED;
    if (der_take(&c, 0x30, &spki) || c.n != 0 || der_take(&spki, 0x30, &alg) ||
        der_take(&spki, 0x03, &bits) || spki.n != 0 || der_take(&alg, 0x06, &oid))
        return RCP_ERR_DECODE;
    if (der_oid_is(&oid, k_oid_ec_public_key, sizeof k_oid_ec_public_key)) {
        if (alg.n == 0)
            return RCP_ERR_DECODE; /* ECParameters are required */
        if (alg.p[0] != 0x06)
            return RCP_ERR_UNSUPPORTED; /* specifiedCurve or implicitCurve */
        if (der_take(&alg, 0x06, &param) || alg.n != 0)
            return RCP_ERR_DECODE;
        for (size_t i = 0; i < CURVE_COUNT; i++)
            if (k_curves[i].id != RCP_CURVE_X25519 &&
                der_oid_is(&param, k_curves[i].oid, k_curves[i].oid_len))
                found = &k_curves[i];
    } else {
        const curve_info *x = curve_lookup(RCP_CURVE_X25519, NULL);
        if (der_oid_is(&oid, x->oid, x->oid_len)) {
            if (alg.n != 0)
                return RCP_ERR_DECODE; /* RFC 8410 3: parameters MUST be absent */
            found = x;
        }
    }
    if (found == NULL || found->id != curve)
        return RCP_ERR_UNSUPPORTED; /* unknown algorithm or curve, or not the one asked for */
    if (bits.n < 1 || bits.p[0] != 0)
        return RCP_ERR_DECODE; /* BIT STRING with unused bits */
    return rcp_ec_key_from_public(curve, bits.p + 1, bits.n - 1, out);
}

/* ----------------------------------------------------------------- ECDSA */

static int ecdsa_usable(const rcp_ec_key *key)
{
    return key->ci->id != RCP_CURVE_X25519;
}

/* Sign: DER from OpenSSL, decoded into r||s (each s bytes). */
static int ecdsa_sign_rs(const rcp_ec_key *key, const uint8_t *msg, size_t len, uint8_t *rs)
{
    int ret = RCP_ERR_CRYPTO;
    uint8_t hash[RCP_SHA256_LEN], der[RCP_ECDSA_MAX_DER];
    size_t s = key->ci->size, der_len = sizeof der;
    EVP_PKEY_CTX *ctx = NULL;
    ret = rcp_sha256(msg, len, hash); /* SEC 1 4.1.3 steps 4-5 (TR-03111 4.2.1.1) */
    if (ret)
        goto out;
    ret = RCP_ERR_CRYPTO;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1 ||
        EVP_PKEY_sign(ctx, der, &der_len, hash, sizeof hash) != 1 ||
        der_sig_decode(der, der_len, s, rs, rs + s) != RCP_OK)
        goto out;
    ret = RCP_OK;
out:
    if (ret)
        ERR_clear_error();
    EVP_PKEY_CTX_free(ctx);
    rcp_wipe(hash, sizeof hash);
    return ret;
}

static int sign_args(const rcp_ec_key *key, const uint8_t *msg, size_t len, const uint8_t *sig,
                     const size_t *sig_len)
{
    if (key == NULL || (msg == NULL && len != 0) || sig == NULL || sig_len == NULL)
        return RCP_ERR_INVALID_ARG;
    if (!ecdsa_usable(key))
        return RCP_ERR_UNSUPPORTED;
    if (!key->has_private)
        return RCP_ERR_INVALID_ARG;
    return RCP_OK;
}

int rcp_ecdsa_sign(const rcp_ec_key *key, const uint8_t *msg, size_t len, uint8_t *sig,
                   size_t sig_cap, size_t *sig_len)
{
    int ret = sign_args(key, msg, len, sig, sig_len);
    if (ret)
        return ret;
    *sig_len = 0;
    if (sig_cap < 2 * key->ci->size)
        return RCP_ERR_BUFFER_TOO_SMALL;
    ret = ecdsa_sign_rs(key, msg, len, sig);
    if (ret == RCP_OK)
        *sig_len = 2 * key->ci->size; /* IEEE P1363 / TR-03111 5.2.1 plain format */
    return ret;
}

int rcp_ecdsa_sign_der(const rcp_ec_key *key, const uint8_t *msg, size_t len, uint8_t *sig,
                       size_t sig_cap, size_t *sig_len)
{
    uint8_t rs[RCP_ECDSA_MAX_RAW];
    int ret = sign_args(key, msg, len, sig, sig_len);
    if (ret)
        return ret;
    *sig_len = 0;
    size_t s = key->ci->size;
    if (sig_cap < der_sig_max(s))
        return RCP_ERR_BUFFER_TOO_SMALL;
    ret = ecdsa_sign_rs(key, msg, len, rs);
    if (ret == RCP_OK)
        *sig_len = der_sig_encode(rs, rs + s, s, sig);
    rcp_wipe(rs, sizeof rs);
    return ret;
}

/* Verify r||s: SEC 1 4.1.4 step 1 (r, s in [1, n-1]) here, the rest in
 * OpenSSL, which gets a canonical DER encoding made by us. */
static int ecdsa_verify_rs(const rcp_ec_key *key, const uint8_t *msg, size_t len, const uint8_t *r,
                           const uint8_t *s_val)
{
    int ret = RCP_ERR_SIGNATURE;
    uint8_t hash[RCP_SHA256_LEN], der[RCP_ECDSA_MAX_DER];
    const curve_state *st = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    const curve_info *ci = curve_lookup(key->ci->id, &st);
    if (ci == NULL)
        return RCP_ERR_CRYPTO;
    if (!scalar_in_range(ci, st, r) || !scalar_in_range(ci, st, s_val))
        return RCP_ERR_SIGNATURE;
    size_t der_len = der_sig_encode(r, s_val, ci->size, der);
    ret = rcp_sha256(msg, len, hash); /* SEC 1 4.1.4 steps 2-3 */
    if (ret)
        goto out;
    ret = RCP_ERR_CRYPTO;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1)
        goto out;
    ret = EVP_PKEY_verify(ctx, der, der_len, hash, sizeof hash) == 1 ? RCP_OK : RCP_ERR_SIGNATURE;
out:
    if (ret)
        ERR_clear_error();
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

static int verify_args(const rcp_ec_key *key, const uint8_t *msg, size_t len, const uint8_t *sig,
                       size_t sig_len)
{
    if (key == NULL || (msg == NULL && len != 0) || (sig == NULL && sig_len != 0))
        return RCP_ERR_INVALID_ARG;
    if (!ecdsa_usable(key))
        return RCP_ERR_UNSUPPORTED;
    return RCP_OK;
}

int rcp_ecdsa_verify(const rcp_ec_key *key, const uint8_t *msg, size_t len, const uint8_t *sig,
                     size_t sig_len)
{
    int ret = verify_args(key, msg, len, sig, sig_len);
    if (ret)
        return ret;
    size_t s = key->ci->size;
    if (sig_len != 2 * s)
        return RCP_ERR_SIGNATURE;
    return ecdsa_verify_rs(key, msg, len, sig, sig + s);
}

int rcp_ecdsa_verify_der(const rcp_ec_key *key, const uint8_t *msg, size_t len, const uint8_t *sig,
                         size_t sig_len)
{
    uint8_t rs[RCP_ECDSA_MAX_RAW];
    int ret = verify_args(key, msg, len, sig, sig_len);
    if (ret)
        return ret;
    size_t s = key->ci->size;
    if (der_sig_decode(sig, sig_len, s, rs, rs + s) != RCP_OK)
        return RCP_ERR_SIGNATURE; /* BER, trailing data, negative or oversized */
    return ecdsa_verify_rs(key, msg, len, rs, rs + s);
}

/* ------------------------------------------------------------------ ECDH */

int rcp_ecdh(const rcp_ec_key *priv, const rcp_ec_key *peer, uint8_t *secret, size_t secret_cap,
             size_t *secret_len)
{
    int ret = RCP_ERR_CRYPTO;
    EVP_PKEY_CTX *ctx = NULL;
    if (priv == NULL || peer == NULL || secret == NULL || secret_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *secret_len = 0;
    if (!priv->has_private || priv->ci != peer->ci)
        return RCP_ERR_INVALID_ARG;
    size_t s = priv->ci->size, got = s;
    if (secret_cap < s)
        return RCP_ERR_BUFFER_TOO_SMALL;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv->pkey, NULL);
    /* The peer was validated when it was imported (ec_point_decode), so
     * OpenSSL's per-call public key check (a full n*Q multiplication for
     * EC) is skipped: validate_peer = 0. */
    if (ctx == NULL || EVP_PKEY_derive_init(ctx) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx, peer->pkey, 0) != 1)
        goto out;
    /* TR-03111 4.3.1 ECKA: S = d*Q, secret = x(S) as an s-byte string;
     * OpenSSL fails if S = O.  RFC 7748 6.1: X25519(d, u), OpenSSL fails on
     * the all-zero output (checked again below). */
    if (EVP_PKEY_derive(ctx, secret, &got) != 1) {
        ret = RCP_ERR_POINT_INVALID;
        goto out;
    }
    if (got != s)
        goto out;
    /* RFC 7748 6.1: the all-zero X25519 output means a low-order peer; the
     * check is optional there and done here.  (For the Weierstrass curves
     * x(S) = 0 is a legitimate result, e.g. on P-256.) */
    if (priv->ci->id == RCP_CURVE_X25519 && !ct_nonzero(secret, s)) {
        ret = RCP_ERR_POINT_INVALID;
        goto out;
    }
    *secret_len = s;
    ret = RCP_OK;
out:
    if (ret) {
        rcp_wipe(secret, s);
        ERR_clear_error();
    }
    EVP_PKEY_CTX_free(ctx);
    return ret;
}

/* ------------------------------------------ accessors for openssl_internal.h */

#include "openssl_internal.h"

EVP_PKEY *rcp_ec_key_evp(const rcp_ec_key *key)
{
    return key ? key->pkey : NULL;
}

int rcp_ec_key_from_evp(const EVP_PKEY *pkey, rcp_ec_key **out)
{
    int ret = RCP_ERR_UNSUPPORTED;
    char group[64];
    uint8_t pub[RCP_EC_MAX_POINT], d[RCP_EC_MAX_SCALAR];
    size_t group_len = 0, pub_len = 0, s = 0;
    BIGNUM *bd = NULL;
    rcp_ec_key *k = NULL;
    const curve_info *ci = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (pkey == NULL)
        return RCP_ERR_INVALID_ARG;
    /* RFC 5480 2.1.1: only namedCurve keys have a group name; explicit
     * parameters fail here and are refused. */
    if (!EVP_PKEY_is_a(pkey, "EC") ||
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &group_len) != 1)
        goto out;
    /* OpenSSL names a group given by explicit parameters when they equal a
     * named curve; the encoding still says "explicit". */
    char enc[32];
    size_t enc_len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING, enc, sizeof enc,
                                       &enc_len) == 1 &&
        strcmp(enc, OSSL_PKEY_EC_ENCODING_EXPLICIT) == 0)
        goto out;
    for (size_t i = 0; i < CURVE_COUNT; i++)
        if (k_curves[i].id != RCP_CURVE_X25519 && strcasecmp(group, k_curves[i].ossl_group) == 0)
            ci = &k_curves[i];
    if (ci == NULL)
        goto out;
    s = ci->size;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub, &pub_len) !=
        1) {
        ret = RCP_ERR_POINT_INVALID;
        goto out;
    }
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bd) != 1) {
        ERR_clear_error(); /* public key only */
        ret = rcp_ec_key_from_public(ci->id, pub, pub_len, out);
        goto out;
    }
    if (BN_num_bytes(bd) > (int)s || BN_bn2binpad(bd, d, (int)s) != (int)s) {
        ret = RCP_ERR_KEY_INVALID;
        goto out;
    }
    ret = rcp_ec_key_from_private(ci->id, d, s, &k);
    if (ret)
        goto out;
    /* The stored public key must be d*G (RFC 5915 3: publicKey is the
     * key pair's own); compare uncompressed forms. */
    uint8_t given[RCP_EC_MAX_POINT];
    const curve_state *st = NULL;
    if (curve_lookup(ci->id, &st) == NULL ||
        ec_point_decode(ci, st, pub, pub_len, given) != RCP_OK ||
        memcmp(given, k->pub, k->pub_len) != 0) {
        ret = RCP_ERR_KEY_INVALID;
        goto out;
    }
    *out = k;
    k = NULL;
    ret = RCP_OK;
out:
    if (ret)
        ERR_clear_error();
    rcp_wipe(d, sizeof d);
    BN_clear_free(bd);
    rcp_ec_key_free(k);
    return ret;
}

int rcp_ec_key_equal(const rcp_ec_key *a, const rcp_ec_key *b)
{
    uint8_t pa[RCP_EC_MAX_POINT], pb[RCP_EC_MAX_POINT];
    size_t la = 0, lb = 0;
    if (a == NULL || b == NULL)
        return 0;
    if (a == b)
        return 1;
    if (rcp_ec_key_curve(a) != rcp_ec_key_curve(b) ||
        rcp_ec_key_public(a, 1, pa, sizeof pa, &la) != 0 ||
        rcp_ec_key_public(b, 1, pb, sizeof pb, &lb) != 0)
        return 0;
    return la == lb && memcmp(pa, pb, la) == 0;
}
