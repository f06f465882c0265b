/* Compact certificates and CRLs (docs/spec/certificates.md). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rcprov/bytes.h"
#include "rcprov/cbor.h"
#include "rcprov/cert.h"

/* Decoder limits for one certificate: attrs may nest a little. */
static const rcp_cbor_limits k_cert_limits = {RCP_CCERT_MAX_LEN, 6, 128, false};
static const rcp_cbor_limits k_crl_limits = {RCP_CCRL_MAX_LEN, 3, RCP_CCRL_MAX_REVOKED + 16, false};

#define CERT_TBS_FIELDS 10
#define CRL_TBS_FIELDS 5

static void set_why(rcp_cert_why *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_why(rcp_cert_why *why, const char *fmt, ...)
{
    if (why == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->text, sizeof why->text, fmt, ap);
    va_end(ap);
}

const char *rcp_key_usage_name(rcp_key_usage u)
{
    switch (u) {
    case RCP_USAGE_CA:
        return "ca";
    case RCP_USAGE_SIGN:
        return "sign";
    case RCP_USAGE_AGREE:
        return "agree";
    }
    return NULL;
}

rcp_key_usage rcp_key_usage_from_name(const char *name)
{
    if (name == NULL)
        return 0;
    if (strcmp(name, "ca") == 0)
        return RCP_USAGE_CA;
    if (strcmp(name, "sign") == 0)
        return RCP_USAGE_SIGN;
    if (strcmp(name, "agree") == 0)
        return RCP_USAGE_AGREE;
    return 0;
}

static int cert_curve_ok(rcp_curve c)
{
    return c == RCP_CURVE_P256 || c == RCP_CURVE_BP256R1;
}

static int kid_of_point(const uint8_t pk[RCP_P256_POINT_COMPRESSED], uint8_t kid[RCP_KEY_ID_LEN])
{
    uint8_t h[RCP_SHA256_LEN];
    int ret = rcp_sha256(pk, RCP_P256_POINT_COMPRESSED, h);
    if (ret == 0)
        memcpy(kid, h, RCP_KEY_ID_LEN);
    return ret;
}

static int compressed_point(const rcp_ec_key *key, uint8_t pk[RCP_P256_POINT_COMPRESSED])
{
    size_t n = 0;
    if (!cert_curve_ok(rcp_ec_key_curve(key)))
        return RCP_ERR_UNSUPPORTED;
    int ret = rcp_ec_key_public(key, 1, pk, RCP_P256_POINT_COMPRESSED, &n);
    if (ret == 0 && n != RCP_P256_POINT_COMPRESSED)
        ret = RCP_ERR_CRYPTO;
    return ret;
}

int rcp_key_id(const rcp_ec_key *key, uint8_t kid[RCP_KEY_ID_LEN])
{
    uint8_t pk[RCP_P256_POINT_COMPRESSED];
    if (key == NULL || kid == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = compressed_point(key, pk);
    if (ret == 0)
        ret = kid_of_point(pk, kid);
    return ret;
}

/* attrs must be one map whose keys are unsigned integers. */
static int check_attrs(const uint8_t *attrs, size_t len)
{
    rcp_cbor_cursor c, sub;
    size_t pairs = 0;
    uint64_t key;
    if (rcp_cbor_decode_init(&c, attrs, len, &k_cert_limits) != 0)
        return RCP_ERR_INVALID_ARG;
    if (rcp_cbor_enter(&c, &sub) != 0 || rcp_cbor_expect_map(&sub, &pairs) != 0)
        return RCP_ERR_INVALID_ARG;
    for (size_t i = 0; i < pairs; i++)
        if (rcp_cbor_expect_uint(&sub, &key) != 0 || rcp_cbor_skip(&sub) != 0)
            return RCP_ERR_INVALID_ARG;
    return RCP_OK;
}

int rcp_signed_encode(rcp_tbs_writer write_tbs, const void *ctx, const rcp_ec_key *key,
                      uint8_t *out, size_t cap, size_t *out_len)
{
    rcp_cbor_enc e;
    const uint8_t *tbs = NULL;
    size_t tbs_len = 0, sig_len = 0;
    uint8_t sig[RCP_CCERT_SIG_LEN];

    if (write_tbs == NULL || key == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    rcp_cbor_enc_init(&e, out, cap);
    rcp_cbor_enc_array(&e, 2);
    rcp_cbor_enc_bstr_wrap_begin(&e);
    write_tbs(&e, ctx);
    rcp_cbor_enc_bstr_wrap_end(&e, &tbs, &tbs_len);
    int ret = rcp_cbor_enc_status(&e);
    if (ret)
        return ret;
    ret = rcp_ecdsa_sign(key, tbs, tbs_len, sig, sizeof sig, &sig_len);
    if (ret)
        return ret;
    if (sig_len != RCP_CCERT_SIG_LEN)
        return RCP_ERR_UNSUPPORTED;
    rcp_cbor_enc_bstr(&e, sig, sig_len);
    return rcp_cbor_enc_finish(&e, out_len);
}

struct cert_tbs_ctx {
    const rcp_ccert_template *t;
    const uint8_t *issuer_kid;
    const uint8_t *pk;
    rcp_curve curve;
};

static void write_cert_tbs(rcp_cbor_enc *e, const void *p)
{
    const struct cert_tbs_ctx *x = p;
    const rcp_ccert_template *t = x->t;
    rcp_cbor_enc_array(e, CERT_TBS_FIELDS);
    rcp_cbor_enc_uint(e, RCP_LABEL_CERT);
    rcp_cbor_enc_bstr(e, t->serial, t->serial_len);
    rcp_cbor_enc_bstr(e, x->issuer_kid, RCP_KEY_ID_LEN);
    rcp_cbor_enc_tstr(e, t->subject, strlen(t->subject));
    rcp_cbor_enc_uint(e, (uint64_t)t->usage);
    rcp_cbor_enc_uint(e, (uint64_t)x->curve);
    rcp_cbor_enc_bstr(e, x->pk, RCP_P256_POINT_COMPRESSED);
    rcp_cbor_enc_uint(e, t->not_before);
    rcp_cbor_enc_uint(e, t->not_after);
    if (t->attrs)
        rcp_cbor_enc_raw(e, t->attrs, t->attrs_len);
    else
        rcp_cbor_enc_map(e, 0);
}

int rcp_ccert_issue(const rcp_ccert_template *t, const rcp_ec_key *issuer_key, uint8_t *out,
                    size_t cap, size_t *out_len)
{
    uint8_t pk[RCP_P256_POINT_COMPRESSED], issuer_kid[RCP_KEY_ID_LEN];
    if (t == NULL || issuer_key == NULL || out_len == NULL || t->subject_key == NULL ||
        t->serial == NULL || t->subject == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    size_t subject_len = strlen(t->subject);
    if (t->serial_len < 1 || t->serial_len > RCP_CCERT_SERIAL_MAX || subject_len < 1 ||
        subject_len > RCP_CCERT_SUBJECT_MAX || rcp_key_usage_name(t->usage) == NULL ||
        t->not_after < t->not_before ||
        !rcp_cbor_utf8_valid((const uint8_t *)t->subject, subject_len))
        return RCP_ERR_INVALID_ARG;
    if (t->attrs && (t->attrs_len > RCP_CCERT_ATTRS_MAX || check_attrs(t->attrs, t->attrs_len)))
        return RCP_ERR_INVALID_ARG;
    if (!rcp_ec_key_has_private(issuer_key))
        return RCP_ERR_KEY_INVALID;
    int ret = compressed_point(t->subject_key, pk);
    if (ret == 0)
        ret = rcp_key_id(issuer_key, issuer_kid);
    if (ret)
        return ret;
    struct cert_tbs_ctx ctx = {t, issuer_kid, pk, rcp_ec_key_curve(t->subject_key)};
    return rcp_signed_encode(write_cert_tbs, &ctx, issuer_key, out, cap, out_len);
}

int rcp_signed_decode(const uint8_t *in, size_t len, const rcp_cbor_limits *lim, int structure_err,
                      rcp_cbor_cursor *tbs, const uint8_t **sig)
{
    rcp_cbor_cursor c;
    size_t n = 0, sig_len = 0;
    if (tbs == NULL || sig == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_cbor_decode_init(&c, in, len, lim);
    if (ret)
        return ret;
    if (rcp_cbor_expect_array(&c, &n) != 0 || n != 2 ||
        rcp_cbor_expect_bstr_wrapped(&c, tbs, lim) != 0 ||
        rcp_cbor_expect_bstr(&c, sig, &sig_len, RCP_CCERT_SIG_LEN, RCP_CCERT_SIG_LEN) != 0 ||
        rcp_cbor_expect_end(&c) != 0)
        return structure_err;
    return RCP_OK;
}

int rcp_ccert_decode(const uint8_t *in, size_t len, rcp_ccert *out)
{
    rcp_cbor_cursor t, attrs;
    const uint8_t *p = NULL;
    size_t n = 0;
    uint64_t label = 0, usage = 0, curve = 0;
    if (out == NULL || (in == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    int ret = rcp_signed_decode(in, len, &k_cert_limits, RCP_ERR_CERT, &t, &out->sig);
    if (ret)
        goto fail;
    ret = RCP_ERR_CERT;
    out->tbs = t.buf;
    out->tbs_len = t.len;
    if (rcp_cbor_expect_array(&t, &n) != 0 || n != CERT_TBS_FIELDS ||
        rcp_cbor_expect_uint(&t, &label) != 0 || label != RCP_LABEL_CERT ||
        rcp_cbor_expect_bstr(&t, &out->serial, &out->serial_len, 1, RCP_CCERT_SERIAL_MAX) != 0 ||
        rcp_cbor_expect_bstr(&t, &p, &n, RCP_KEY_ID_LEN, RCP_KEY_ID_LEN) != 0)
        goto fail;
    memcpy(out->issuer_kid, p, RCP_KEY_ID_LEN);
    if (rcp_cbor_expect_tstr(&t, &out->subject, &out->subject_len, 1, RCP_CCERT_SUBJECT_MAX) != 0 ||
        rcp_cbor_expect_uint(&t, &usage) != 0 || usage > 0xff ||
        rcp_key_usage_name((rcp_key_usage)usage) == NULL || rcp_cbor_expect_uint(&t, &curve) != 0 ||
        curve > 0xff || !cert_curve_ok((rcp_curve)curve) ||
        rcp_cbor_expect_bstr(&t, &p, &n, RCP_P256_POINT_COMPRESSED, RCP_P256_POINT_COMPRESSED) !=
            0 ||
        (p[0] != 0x02 && p[0] != 0x03))
        goto fail;
    out->usage = (rcp_key_usage)usage;
    out->curve = (rcp_curve)curve;
    memcpy(out->pk, p, RCP_P256_POINT_COMPRESSED);
    if (rcp_cbor_expect_uint(&t, &out->not_before) != 0 ||
        rcp_cbor_expect_uint(&t, &out->not_after) != 0 || out->not_after < out->not_before ||
        rcp_cbor_enter(&t, &attrs) != 0 || attrs.len > RCP_CCERT_ATTRS_MAX ||
        check_attrs(attrs.buf, attrs.len) != 0 || rcp_cbor_expect_end(&t) != 0)
        goto fail;
    out->attrs = attrs.buf;
    out->attrs_len = attrs.len;
    ret = kid_of_point(out->pk, out->subject_kid);
    if (ret == 0)
        return RCP_OK;
fail:
    memset(out, 0, sizeof *out);
    return ret;
}

int rcp_ccert_key(const rcp_ccert *c, rcp_ec_key **out)
{
    if (c == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    return rcp_ec_key_from_public(c->curve, c->pk, sizeof c->pk, out);
}

int rcp_ccert_check_sig(const rcp_ccert *c, const rcp_ec_key *issuer)
{
    if (c == NULL || issuer == NULL || c->tbs == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_ecdsa_verify(issuer, c->tbs, c->tbs_len, c->sig, RCP_CCERT_SIG_LEN);
    return ret == 0 ? 0 : RCP_ERR_SIGNATURE;
}

/* ------------------------------------------------------------------ CRL */

struct crl_tbs_ctx {
    const uint8_t *issuer_kid;
    uint64_t this_update, next_update;
    const uint8_t *const *serials;
    const size_t *lens;
    const size_t *order;
    size_t n;
};

static void write_crl_tbs(rcp_cbor_enc *e, const void *p)
{
    const struct crl_tbs_ctx *x = p;
    rcp_cbor_enc_array(e, CRL_TBS_FIELDS);
    rcp_cbor_enc_uint(e, RCP_LABEL_CRL);
    rcp_cbor_enc_bstr(e, x->issuer_kid, RCP_KEY_ID_LEN);
    rcp_cbor_enc_uint(e, x->this_update);
    rcp_cbor_enc_uint(e, x->next_update);
    rcp_cbor_enc_array(e, x->n);
    for (size_t i = 0; i < x->n; i++)
        rcp_cbor_enc_bstr(e, x->serials[x->order[i]], x->lens[x->order[i]]);
}

/* Bytewise order of the encodings = shorter serial first, then memcmp
 * (RFC 8949 4.2.1 order, which the CRL array keeps). */
static int serial_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    if (an != bn)
        return an < bn ? -1 : 1;
    return memcmp(a, b, an);
}

int rcp_ccrl_issue(const rcp_ec_key *issuer_key, uint64_t this_update, uint64_t next_update,
                   const uint8_t *const *serials, const size_t *serial_lens, size_t n, uint8_t *out,
                   size_t cap, size_t *out_len)
{
    uint8_t kid[RCP_KEY_ID_LEN];
    size_t order[RCP_CCRL_MAX_REVOKED];
    if (issuer_key == NULL || out_len == NULL || (n && (serials == NULL || serial_lens == NULL)))
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (n > RCP_CCRL_MAX_REVOKED || next_update < this_update)
        return RCP_ERR_INVALID_ARG;
    for (size_t i = 0; i < n; i++) {
        if (serials[i] == NULL || serial_lens[i] < 1 || serial_lens[i] > RCP_CCERT_SERIAL_MAX)
            return RCP_ERR_INVALID_ARG;
        /* insertion sort: CRLs are short and this is not a hot path */
        size_t j = i;
        while (j > 0 && serial_cmp(serials[order[j - 1]], serial_lens[order[j - 1]], serials[i],
                                   serial_lens[i]) > 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    for (size_t i = 1; i < n; i++)
        if (serial_cmp(serials[order[i - 1]], serial_lens[order[i - 1]], serials[order[i]],
                       serial_lens[order[i]]) == 0)
            return RCP_ERR_INVALID_ARG;
    if (!rcp_ec_key_has_private(issuer_key))
        return RCP_ERR_KEY_INVALID;
    int ret = rcp_key_id(issuer_key, kid);
    if (ret)
        return ret;
    struct crl_tbs_ctx ctx = {kid, this_update, next_update, serials, serial_lens, order, n};
    return rcp_signed_encode(write_crl_tbs, &ctx, issuer_key, out, cap, out_len);
}

int rcp_ccrl_decode(const uint8_t *in, size_t len, rcp_ccrl *out)
{
    rcp_cbor_cursor t, list;
    const uint8_t *p = NULL, *prev = NULL;
    size_t n = 0, prev_len = 0;
    uint64_t label = 0;
    if (out == NULL || (in == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    int ret = rcp_signed_decode(in, len, &k_crl_limits, RCP_ERR_CERT, &t, &out->sig);
    if (ret)
        goto fail;
    ret = RCP_ERR_CERT;
    out->tbs = t.buf;
    out->tbs_len = t.len;
    if (rcp_cbor_expect_array(&t, &n) != 0 || n != CRL_TBS_FIELDS ||
        rcp_cbor_expect_uint(&t, &label) != 0 || label != RCP_LABEL_CRL ||
        rcp_cbor_expect_bstr(&t, &p, &n, RCP_KEY_ID_LEN, RCP_KEY_ID_LEN) != 0)
        goto fail;
    memcpy(out->issuer_kid, p, RCP_KEY_ID_LEN);
    if (rcp_cbor_expect_uint(&t, &out->this_update) != 0 ||
        rcp_cbor_expect_uint(&t, &out->next_update) != 0 || out->next_update < out->this_update ||
        rcp_cbor_enter(&t, &list) != 0 || rcp_cbor_expect_end(&t) != 0)
        goto fail;
    out->revoked = list.buf;
    out->revoked_len = list.len;
    if (rcp_cbor_expect_array(&list, &out->n_revoked) != 0 || out->n_revoked > RCP_CCRL_MAX_REVOKED)
        goto fail;
    for (size_t i = 0; i < out->n_revoked; i++) {
        if (rcp_cbor_expect_bstr(&list, &p, &n, 1, RCP_CCERT_SERIAL_MAX) != 0)
            goto fail;
        if (prev && serial_cmp(prev, prev_len, p, n) >= 0)
            goto fail; /* strictly ascending: one canonical CRL per content */
        prev = p;
        prev_len = n;
    }
    return RCP_OK;
fail:
    memset(out, 0, sizeof *out);
    return ret;
}

int rcp_ccrl_lists(const rcp_ccrl *crl, const uint8_t *serial, size_t serial_len)
{
    rcp_cbor_cursor c;
    size_t count = 0, n = 0;
    const uint8_t *p = NULL;
    if (crl == NULL || crl->revoked == NULL)
        return 0;
    /* The list was validated by rcp_ccrl_decode; re-walk it (short). */
    if (rcp_cbor_decode_init(&c, crl->revoked, crl->revoked_len, &k_crl_limits) != 0 ||
        rcp_cbor_expect_array(&c, &count) != 0)
        return 0;
    for (size_t i = 0; i < count; i++) {
        if (rcp_cbor_expect_bstr(&c, &p, &n, 1, RCP_CCERT_SERIAL_MAX) != 0)
            return 0;
        if (serial_cmp(p, n, serial, serial_len) == 0)
            return 1;
    }
    return 0;
}

/* ---------------------------------------------------------- trust store */

/* What verifying a certificate needs to know about its issuer. */
struct issuer {
    uint8_t kid[RCP_KEY_ID_LEN];
    rcp_ec_key *key;
    rcp_key_usage usage;
    uint64_t valid_from, valid_until; /* whole path from the anchor */
    int depth;                        /* anchor: 1 */
    char subject[RCP_CCERT_SUBJECT_MAX + 1];
    uint8_t *crl_buf; /* owned copy of the attached CRL, or NULL */
    size_t crl_len;
    rcp_ccrl crl;
};

struct rcp_ccert_store {
    size_t n;
    struct issuer e[RCP_CCERT_STORE_MAX];
};

int rcp_ccert_store_new(rcp_ccert_store **out)
{
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = calloc(1, sizeof **out);
    return *out ? RCP_OK : RCP_ERR_NO_MEMORY;
}

void rcp_ccert_store_free(rcp_ccert_store *st)
{
    if (st == NULL)
        return;
    for (size_t i = 0; i < st->n; i++) {
        rcp_ec_key_free(st->e[i].key);
        free(st->e[i].crl_buf);
    }
    free(st);
}

static const struct issuer *store_find(const rcp_ccert_store *st, const uint8_t kid[8])
{
    for (size_t i = 0; i < st->n; i++)
        if (memcmp(st->e[i].kid, kid, RCP_KEY_ID_LEN) == 0)
            return &st->e[i];
    return NULL;
}

int rcp_ccert_store_has(const rcp_ccert_store *st, const uint8_t kid[RCP_KEY_ID_LEN])
{
    return st != NULL && kid != NULL && store_find(st, kid) != NULL;
}

static void subject_copy(char out[RCP_CCERT_SUBJECT_MAX + 1], const rcp_ccert *c)
{
    memcpy(out, c->subject, c->subject_len);
    out[c->subject_len] = '\0';
}

/* Verify parsed certificate c against issuer iss at time now.  Order: the
 * signature first (a forgery gets "signature", never a validity story),
 * then issuer path validity, own validity, revocation, usage. */
static int verify_with(const struct issuer *iss, const rcp_ccert *c, uint64_t now,
                       rcp_key_usage want, rcp_cert_why *why)
{
    char subj[RCP_CCERT_SUBJECT_MAX + 1], t1[32];
    subject_copy(subj, c);
    if (iss->usage != RCP_USAGE_CA) {
        set_why(why, "issuer '%s' of '%s' is not a CA", iss->subject, subj);
        return RCP_ERR_CERT;
    }
    if (rcp_ccert_check_sig(c, iss->key) != 0) {
        set_why(why, "signature of '%s' does not verify with the key of '%s'", subj, iss->subject);
        return RCP_ERR_SIGNATURE;
    }
    if (now < iss->valid_from || now > iss->valid_until) {
        rcp_time_format((int64_t)(now < iss->valid_from ? iss->valid_from : iss->valid_until), t1);
        set_why(why, "issuer path of '%s' (via '%s') is %s %s", subj, iss->subject,
                now < iss->valid_from ? "not valid before" : "expired at", t1);
        return RCP_ERR_EXPIRED;
    }
    if (now < c->not_before || now > c->not_after) {
        rcp_time_format((int64_t)(now < c->not_before ? c->not_before : c->not_after), t1);
        set_why(why, "certificate '%s' is %s %s", subj,
                now < c->not_before ? "not valid before" : "expired at", t1);
        return RCP_ERR_EXPIRED;
    }
    if (iss->crl_buf) {
        if (now > iss->crl.next_update) {
            rcp_time_format((int64_t)(iss->crl.next_update), t1);
            set_why(why, "CRL of '%s' is stale since %s: add a newer CRL", iss->subject, t1);
            return RCP_ERR_EXPIRED;
        }
        if (rcp_ccrl_lists(&iss->crl, c->serial, c->serial_len)) {
            set_why(why, "certificate '%s' is revoked by '%s'", subj, iss->subject);
            return RCP_ERR_REVOKED;
        }
    }
    if (want != 0 && c->usage != want) {
        set_why(why, "certificate '%s' has usage '%s', expected '%s'", subj,
                rcp_key_usage_name(c->usage), rcp_key_usage_name(want));
        return RCP_ERR_CERT;
    }
    return RCP_OK;
}

static int decode_for_verify(const uint8_t *cert, size_t len, rcp_ccert *c, rcp_cert_why *why)
{
    int ret = rcp_ccert_decode(cert, len, c);
    if (ret)
        set_why(why, "not a compact certificate (%s)", rcp_strerror(ret));
    return ret;
}

int rcp_ccert_verify(const rcp_ccert_store *st, const uint8_t *cert, size_t len, uint64_t now,
                     rcp_key_usage want, rcp_ccert *out, rcp_cert_why *why)
{
    rcp_ccert c;
    char subj[RCP_CCERT_SUBJECT_MAX + 1];
    if (st == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = decode_for_verify(cert, len, &c, why);
    if (ret)
        return ret;
    const struct issuer *iss = store_find(st, c.issuer_kid);
    if (iss == NULL) {
        subject_copy(subj, &c);
        set_why(why, "issuer of '%s' (key id %02x%02x%02x%02x%02x%02x%02x%02x) is not trusted",
                subj, c.issuer_kid[0], c.issuer_kid[1], c.issuer_kid[2], c.issuer_kid[3],
                c.issuer_kid[4], c.issuer_kid[5], c.issuer_kid[6], c.issuer_kid[7]);
        return RCP_ERR_UNTRUSTED;
    }
    ret = verify_with(iss, &c, now, want, why);
    if (ret == 0 && out)
        *out = c;
    return ret;
}

/* Fill an issuer record from a verified CA certificate (key imported). */
static int issuer_from_cert(struct issuer *e, const rcp_ccert *c, const struct issuer *parent)
{
    memset(e, 0, sizeof *e);
    int ret = rcp_ccert_key(c, &e->key);
    if (ret)
        return ret;
    memcpy(e->kid, c->subject_kid, RCP_KEY_ID_LEN);
    e->usage = c->usage;
    subject_copy(e->subject, c);
    e->valid_from = c->not_before;
    e->valid_until = c->not_after;
    e->depth = 1;
    if (parent) {
        if (parent->valid_from > e->valid_from)
            e->valid_from = parent->valid_from;
        if (parent->valid_until < e->valid_until)
            e->valid_until = parent->valid_until;
        e->depth = parent->depth + 1;
    }
    return RCP_OK;
}

int rcp_ccert_store_add_anchor(rcp_ccert_store *st, const uint8_t *cert, size_t len,
                               rcp_cert_why *why)
{
    rcp_ccert c;
    struct issuer e;
    if (st == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = decode_for_verify(cert, len, &c, why);
    if (ret)
        return ret;
    char subj[RCP_CCERT_SUBJECT_MAX + 1];
    subject_copy(subj, &c);
    if (memcmp(c.issuer_kid, c.subject_kid, RCP_KEY_ID_LEN) != 0 || c.usage != RCP_USAGE_CA) {
        set_why(why, "'%s' is not a self-signed CA certificate", subj);
        return RCP_ERR_CERT;
    }
    if (store_find(st, c.subject_kid))
        return RCP_OK; /* idempotent */
    if (st->n == RCP_CCERT_STORE_MAX) {
        set_why(why, "trust store full (%d entries)", RCP_CCERT_STORE_MAX);
        return RCP_ERR_LIMIT;
    }
    ret = issuer_from_cert(&e, &c, NULL);
    if (ret)
        return ret;
    if (rcp_ccert_check_sig(&c, e.key) != 0) {
        rcp_ec_key_free(e.key);
        set_why(why, "self-signature of '%s' does not verify", subj);
        return RCP_ERR_SIGNATURE;
    }
    st->e[st->n++] = e;
    return RCP_OK;
}

int rcp_ccert_store_add_ca(rcp_ccert_store *st, const uint8_t *cert, size_t len, uint64_t now,
                           rcp_cert_why *why)
{
    rcp_ccert c;
    struct issuer e;
    int ret = rcp_ccert_verify(st, cert, len, now, RCP_USAGE_CA, &c, why);
    if (ret)
        return ret;
    if (store_find(st, c.subject_kid))
        return RCP_OK;
    const struct issuer *parent = store_find(st, c.issuer_kid);
    if (parent->depth + 1 >= RCP_CCERT_CHAIN_MAX) {
        set_why(why, "chain too long: at most %d certificates", RCP_CCERT_CHAIN_MAX);
        return RCP_ERR_CERT;
    }
    if (st->n == RCP_CCERT_STORE_MAX) {
        set_why(why, "trust store full (%d entries)", RCP_CCERT_STORE_MAX);
        return RCP_ERR_LIMIT;
    }
    ret = issuer_from_cert(&e, &c, parent);
    if (ret)
        return ret;
    st->e[st->n++] = e;
    return RCP_OK;
}

int rcp_ccert_store_add_crl(rcp_ccert_store *st, const uint8_t *crl, size_t len, uint64_t now,
                            rcp_cert_why *why)
{
    rcp_ccrl l;
    char t1[32];
    if (st == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_ccrl_decode(crl, len, &l);
    if (ret) {
        set_why(why, "not a compact CRL (%s)", rcp_strerror(ret));
        return ret;
    }
    struct issuer *iss = (struct issuer *)store_find(st, l.issuer_kid);
    if (iss == NULL) {
        set_why(why, "issuer of the CRL is not in the trust store");
        return RCP_ERR_UNTRUSTED;
    }
    if (rcp_ecdsa_verify(iss->key, l.tbs, l.tbs_len, l.sig, RCP_CCERT_SIG_LEN) != 0) {
        set_why(why, "CRL signature does not verify with the key of '%s'", iss->subject);
        return RCP_ERR_SIGNATURE;
    }
    if (now < l.this_update) {
        rcp_time_format((int64_t)(l.this_update), t1);
        set_why(why, "CRL of '%s' is not valid before %s", iss->subject, t1);
        return RCP_ERR_EXPIRED;
    }
    if (iss->crl_buf && l.this_update < iss->crl.this_update) {
        set_why(why, "CRL of '%s' is older than the one already held", iss->subject);
        return RCP_ERR_REPLAY;
    }
    uint8_t *copy = malloc(len);
    if (copy == NULL)
        return RCP_ERR_NO_MEMORY;
    memcpy(copy, crl, len);
    ret = rcp_ccrl_decode(copy, len, &l);
    if (ret) {
        free(copy);
        return ret;
    }
    free(iss->crl_buf);
    iss->crl_buf = copy;
    iss->crl_len = len;
    iss->crl = l;
    return RCP_OK;
}

int rcp_ccert_verify_chain(const rcp_ccert_store *st, const uint8_t *const *certs,
                           const size_t *lens, size_t n, uint64_t now, rcp_key_usage want,
                           rcp_ccert *leaf, rcp_cert_why *why)
{
    rcp_ccert c;
    struct issuer tmp[2];
    const struct issuer *iss = NULL;
    int cur = 0, ret = RCP_ERR_INVALID_ARG;
    memset(tmp, 0, sizeof tmp);
    if (st == NULL || certs == NULL || lens == NULL || n == 0)
        return RCP_ERR_INVALID_ARG;
    if (n >= RCP_CCERT_CHAIN_MAX) {
        set_why(why, "chain too long: at most %d certificates", RCP_CCERT_CHAIN_MAX);
        return RCP_ERR_CERT;
    }
    /* From the top (issued by a store entry) down to the leaf; each verified
     * CA becomes the issuer of the next. */
    for (size_t i = n; i-- > 0;) {
        ret = decode_for_verify(certs[i], lens[i], &c, why);
        if (ret)
            goto out;
        if (iss == NULL) {
            ret = rcp_ccert_verify(st, certs[i], lens[i], now, i ? RCP_USAGE_CA : want, &c, why);
            if (ret)
                goto out;
            iss = store_find(st, c.issuer_kid);
            if (iss->depth + (int)n > RCP_CCERT_CHAIN_MAX) {
                set_why(why, "chain too long: at most %d certificates", RCP_CCERT_CHAIN_MAX);
                ret = RCP_ERR_CERT;
                goto out;
            }
        } else {
            if (memcmp(c.issuer_kid, iss->kid, RCP_KEY_ID_LEN) != 0) {
                char subj[RCP_CCERT_SUBJECT_MAX + 1];
                subject_copy(subj, &c);
                set_why(why, "'%s' was not issued by '%s' (chain out of order?)", subj,
                        iss->subject);
                ret = RCP_ERR_UNTRUSTED;
                goto out;
            }
            ret = verify_with(iss, &c, now, i ? RCP_USAGE_CA : want, why);
            if (ret)
                goto out;
        }
        if (i > 0) {
            struct issuer *next = &tmp[cur];
            rcp_ec_key_free(next->key);
            ret = issuer_from_cert(next, &c, iss);
            if (ret)
                goto out;
            iss = next;
            cur ^= 1;
        }
    }
    if (leaf)
        *leaf = c;
    ret = RCP_OK;
out:
    rcp_ec_key_free(tmp[0].key);
    rcp_ec_key_free(tmp[1].key);
    return ret;
}
