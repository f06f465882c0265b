/*
 * rcprov — a device's state directory (devstate.h, docs/device-state.md).
 *
 * state.cbor is decoded into a scratch device first and copied into the
 * engine only once every field has passed its check, so a refused file
 * leaves nothing behind; every buffer that held a secret is wiped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "devstate.h"
#include "fileio.h"
#include "rcprov/bytes.h"
#include "rcprov/cbor.h"
#include "rcprov/x509.h"

#define KEY_FILE_MAX 16384
#define TMP_PREFIX DEVSTATE_FILE ".tmp-" /* fio_write_atomic's temporary names */

/* state.cbor map keys (docs/device-state.md). */
enum {
    K_VERSION = 1,
    K_UUID = 2,
    K_STATE = 3,
    K_H_M1 = 4,
    K_PK_ECDHE = 5,
    K_NONCE = 6,
    K_SUITE = 7,
    K_SN_ECKA_KID = 8,
    K_SN_SUBJECT = 9,
    K_SK_ECDHE = 10, /* only in WAIT_CREDENTIALS */
    K_CX = 11,       /* K_CX..K_RAND from PROVISIONED on */
    K_USIM = 12,
    K_KASME = 13,
    K_RAND = 14,
};
enum { CX_IMSI = 1, CX_K, CX_OPC, CX_R, CX_C, CX_MCC, CX_MNC, CX_LIMIT, CX_UNTIL, CX_DEST };
enum { US_IND_BITS = 1, US_DELTA, US_AGE_LIMIT, US_AMF_SEP, US_SEQ_MS };
#define N_BASE 9 /* keys present in every state */

struct devstate {
    char dir[PATH_MAX];
    char state_path[PATH_MAX];
    int lock_fd; /* DIR itself, flock'ed */
    rcp_ec_key *key;
    uint8_t cert_tre[RCP_CCERT_MAX_LEN], cert_pn[RCP_CCERT_MAX_LEN];
    size_t cert_tre_len, cert_pn_len;
    rcp_ccert_store *trust;
    rcp_ua_tre_creds creds;
    rcp_ua_device dev;
};

static int join(char *out, size_t cap, const char *dir, const char *name)
{
    return (size_t)snprintf(out, cap, "%s/%s", dir, name) < cap ? 0 : -1;
}

static size_t bounded_len(const char *s, size_t cap)
{
    const char *z = memchr(s, 0, cap);
    return z ? (size_t)(z - s) : cap;
}

/* What the engine needs of a provisioned credential set (the checks of
 * CX_PARAMETERS on receipt, docs/spec/uuid-attach.md). */
static const char *cx_problem(const rcp_ua_cx_params *cx)
{
    size_t ni = bounded_len(cx->imsi, sizeof cx->imsi), nc = bounded_len(cx->mcc, sizeof cx->mcc),
           nn = bounded_len(cx->mnc, sizeof cx->mnc),
           nd = bounded_len(cx->destination, sizeof cx->destination);
    if (!rcp_digits(cx->mcc, nc, 3, 3))
        return "MCC is not 3 digits";
    if (!rcp_digits(cx->mnc, nn, 2, 3))
        return "MNC is not 2 or 3 digits";
    if (!rcp_digits(cx->imsi, ni, nc + nn + 1, RCP_IMSI_MAX))
        return "IMSI is not 6 to 15 digits";
    if (memcmp(cx->imsi, cx->mcc, nc) != 0 || memcmp(cx->imsi + nc, cx->mnc, nn) != 0)
        return "IMSI does not start with MCC and MNC";
    for (int i = 0; i < 5; i++)
        if (cx->consts.r[i] > RCP_MIL_ROT_MAX)
            return "a Milenage rotation is above 127";
    if (nd < 1 || nd > RCP_UA_FQDN_MAX)
        return "destination is not 1 to 253 bytes";
    return NULL;
}

static const char *usim_problem(const rcp_usim_sqn *u)
{
    if (u->scheme.ind_bits > RCP_AKA_MAX_IND_BITS)
        return "IND bits above 8";
    size_t slots = (size_t)1 << u->scheme.ind_bits;
    uint64_t seq_max = RCP_SQN_MAX >> u->scheme.ind_bits;
    for (size_t i = 0; i < sizeof u->seq_ms / sizeof u->seq_ms[0]; i++)
        if (i >= slots ? u->seq_ms[i] != 0 : u->seq_ms[i] > seq_max)
            return "a SEQ_MS entry is out of range";
    return NULL;
}

/* What save refuses to write and load refuses to read: anything the
 * engine could not resume from.  *field names the culprit. */
static const char *state_problem(const rcp_ua_device *t, rcp_curve curve, const char **field)
{
    const char *why = NULL;
    *field = "state";
    if ((unsigned)t->state > RCP_UA_DEV_DONE)
        return "out of range";
    if (t->state >= RCP_UA_DEV_WAIT_CREDENTIALS) {
        *field = "pk_ecdhe";
        if (t->pk_ecdhe[0] != 0x02 && t->pk_ecdhe[0] != 0x03)
            return "not a compressed point";
        *field = "suite";
        if (t->suite != RCP_SUITE_GCM && t->suite != RCP_SUITE_CBC_HMAC)
            return "no seal suite, but the SN has chosen one";
        *field = "sn_subject";
        if (t->sn_subject[0] == '\0')
            return "empty, but CERT.SN.ECKA has been checked";
    } else if ((unsigned)t->suite > RCP_SUITE_GCM) {
        *field = "suite";
        return "out of range";
    }
    if (t->state == RCP_UA_DEV_WAIT_CREDENTIALS) {
        /* The pair must be whole: ATK.SN binds PK.TRE.ECDHE and KS2 is
         * derived with SK.TRE.ECDHE. */
        rcp_ec_key *k = NULL;
        uint8_t pk[RCP_P256_POINT_COMPRESSED];
        size_t pk_len = 0;
        *field = "sk_ecdhe";
        if (rcp_ec_key_from_private(curve, t->sk_ecdhe, sizeof t->sk_ecdhe, &k) != 0 ||
            rcp_ec_key_public(k, 1, pk, sizeof pk, &pk_len) != 0 || pk_len != sizeof pk ||
            memcmp(pk, t->pk_ecdhe, sizeof pk) != 0)
            why = "not the private key of pk_ecdhe on the device's curve";
        rcp_ec_key_free(k);
        rcp_wipe(pk, sizeof pk);
        if (why)
            return why;
    }
    if (t->state >= RCP_UA_DEV_PROVISIONED) {
        *field = "cx";
        if ((why = cx_problem(&t->cx)) != NULL)
            return why;
        *field = "usim";
        if ((why = usim_problem(&t->usim)) != NULL)
            return why;
    }
    return NULL;
}

/* ------------------------------------------------------------- encode */

static void enc_text(rcp_cbor_enc *e, const char *s, size_t cap)
{
    rcp_cbor_enc_tstr(e, s, bounded_len(s, cap));
}

static int encode_state(const rcp_ua_device *d, uint8_t *out, size_t cap, size_t *len)
{
    rcp_cbor_enc e;
    int provisioned = d->state >= RCP_UA_DEV_PROVISIONED;
    size_t pairs = N_BASE + (d->state == RCP_UA_DEV_WAIT_CREDENTIALS) + (provisioned ? 4 : 0);
    rcp_cbor_enc_init(&e, out, cap);
    rcp_cbor_enc_map(&e, pairs);
    rcp_cbor_enc_uint(&e, K_VERSION);
    rcp_cbor_enc_uint(&e, DEVSTATE_VERSION);
    rcp_cbor_enc_uint(&e, K_UUID);
    rcp_cbor_enc_bstr(&e, d->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_uint(&e, K_STATE);
    rcp_cbor_enc_uint(&e, (uint64_t)d->state);
    rcp_cbor_enc_uint(&e, K_H_M1);
    rcp_cbor_enc_bstr(&e, d->h_m1, sizeof d->h_m1);
    rcp_cbor_enc_uint(&e, K_PK_ECDHE);
    rcp_cbor_enc_bstr(&e, d->pk_ecdhe, sizeof d->pk_ecdhe);
    rcp_cbor_enc_uint(&e, K_NONCE);
    rcp_cbor_enc_bstr(&e, d->nonce, sizeof d->nonce);
    rcp_cbor_enc_uint(&e, K_SUITE);
    rcp_cbor_enc_uint(&e, (uint64_t)d->suite);
    rcp_cbor_enc_uint(&e, K_SN_ECKA_KID);
    rcp_cbor_enc_bstr(&e, d->sn_ecka_kid, sizeof d->sn_ecka_kid);
    rcp_cbor_enc_uint(&e, K_SN_SUBJECT);
    enc_text(&e, d->sn_subject, sizeof d->sn_subject);
    /* The ephemeral private key lives on disk only while the exchange
     * needs it; the engine has wiped it in every other state. */
    if (d->state == RCP_UA_DEV_WAIT_CREDENTIALS) {
        rcp_cbor_enc_uint(&e, K_SK_ECDHE);
        rcp_cbor_enc_bstr(&e, d->sk_ecdhe, sizeof d->sk_ecdhe);
    }
    if (provisioned) {
        const rcp_ua_cx_params *cx = &d->cx;
        rcp_cbor_enc_uint(&e, K_CX);
        rcp_cbor_enc_map(&e, 10);
        rcp_cbor_enc_uint(&e, CX_IMSI);
        enc_text(&e, cx->imsi, sizeof cx->imsi);
        rcp_cbor_enc_uint(&e, CX_K);
        rcp_cbor_enc_bstr(&e, cx->k, sizeof cx->k);
        rcp_cbor_enc_uint(&e, CX_OPC);
        rcp_cbor_enc_bstr(&e, cx->opc, sizeof cx->opc);
        rcp_cbor_enc_uint(&e, CX_R);
        rcp_cbor_enc_array(&e, 5);
        for (int i = 0; i < 5; i++)
            rcp_cbor_enc_uint(&e, cx->consts.r[i]);
        rcp_cbor_enc_uint(&e, CX_C);
        rcp_cbor_enc_array(&e, 5);
        for (int i = 0; i < 5; i++)
            rcp_cbor_enc_bstr(&e, cx->consts.c[i], 16);
        rcp_cbor_enc_uint(&e, CX_MCC);
        enc_text(&e, cx->mcc, sizeof cx->mcc);
        rcp_cbor_enc_uint(&e, CX_MNC);
        enc_text(&e, cx->mnc, sizeof cx->mnc);
        rcp_cbor_enc_uint(&e, CX_LIMIT);
        rcp_cbor_enc_uint(&e, cx->data_limit);
        rcp_cbor_enc_uint(&e, CX_UNTIL);
        rcp_cbor_enc_uint(&e, cx->valid_until);
        rcp_cbor_enc_uint(&e, CX_DEST);
        enc_text(&e, cx->destination, sizeof cx->destination);

        const rcp_usim_sqn *u = &d->usim;
        size_t slots = (size_t)1 << u->scheme.ind_bits;
        rcp_cbor_enc_uint(&e, K_USIM);
        rcp_cbor_enc_map(&e, 5);
        rcp_cbor_enc_uint(&e, US_IND_BITS);
        rcp_cbor_enc_uint(&e, u->scheme.ind_bits);
        rcp_cbor_enc_uint(&e, US_DELTA);
        rcp_cbor_enc_uint(&e, u->scheme.delta);
        rcp_cbor_enc_uint(&e, US_AGE_LIMIT);
        rcp_cbor_enc_uint(&e, u->scheme.age_limit);
        rcp_cbor_enc_uint(&e, US_AMF_SEP);
        rcp_cbor_enc_bool(&e, u->require_amf_sep != 0);
        rcp_cbor_enc_uint(&e, US_SEQ_MS);
        rcp_cbor_enc_array(&e, slots);
        for (size_t i = 0; i < slots; i++)
            rcp_cbor_enc_uint(&e, u->seq_ms[i]);

        rcp_cbor_enc_uint(&e, K_KASME);
        rcp_cbor_enc_bstr(&e, d->kasme, sizeof d->kasme);
        rcp_cbor_enc_uint(&e, K_RAND);
        rcp_cbor_enc_bstr(&e, d->rand, sizeof d->rand);
    }
    return rcp_cbor_enc_finish(&e, len);
}

/* ------------------------------------------------------------- decode */

/* A reader of state.cbor: the field being read names every error. */
struct rd {
    rcp_cbor_cursor c;
    const char *path;
    const char *field; /* NULL: the whole file */
    char *err;
    size_t cap;
};

static int rd_fail(struct rd *r, int ret, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int rd_fail(struct rd *r, int ret, const char *fmt, ...)
{
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (r->field == NULL)
        return app_errf(r->err, r->cap, ret, "%s: %s", r->path, what);
    return app_errf(r->err, r->cap, ret, "%s: %s: %s", r->path, r->field, what);
}

/* A cursor error (sticky): name the CBOR rule and the byte. */
static int rd_cbor(struct rd *r)
{
    return rd_fail(r, RCP_ERR_DECODE, "%s%s at byte %zu",
                   r->field ? "" : "damaged: ", rcp_cbor_reason_str(r->c.diag.reason),
                   r->c.diag.offset);
}

static int rd_key(struct rd *r, uint64_t want, const char *field)
{
    uint64_t k = 0;
    r->field = field;
    if (rcp_cbor_expect_uint(&r->c, &k) != 0)
        return rd_cbor(r);
    if (k != want)
        return rd_fail(r, RCP_ERR_DECODE, "expected key %llu, found key %llu",
                       (unsigned long long)want, (unsigned long long)k);
    return 0;
}

static int rd_uint(struct rd *r, uint64_t *v, uint64_t max)
{
    if (rcp_cbor_expect_uint(&r->c, v) != 0)
        return rd_cbor(r);
    if (*v > max)
        return rd_fail(r, RCP_ERR_DECODE, "%llu is above %llu", (unsigned long long)*v,
                       (unsigned long long)max);
    return 0;
}

static int rd_bstr(struct rd *r, uint8_t *out, size_t n)
{
    const uint8_t *p = NULL;
    size_t got = 0;
    if (rcp_cbor_expect_bstr(&r->c, &p, &got, n, n) != 0)
        return r->c.diag.reason == RCP_CBOR_LENGTH
                   ? rd_fail(r, RCP_ERR_DECODE, "not %zu bytes long", n)
                   : rd_cbor(r);
    memcpy(out, p, n);
    return 0;
}

/* Text of min..cap-1 bytes into a C string: no NUL inside. */
static int rd_text(struct rd *r, char *out, size_t cap, size_t min)
{
    const char *s = NULL;
    size_t n = 0;
    if (rcp_cbor_expect_tstr(&r->c, &s, &n, min, cap - 1) != 0)
        return r->c.diag.reason == RCP_CBOR_LENGTH
                   ? rd_fail(r, RCP_ERR_DECODE, "not %zu to %zu bytes long", min, cap - 1)
                   : rd_cbor(r);
    if (memchr(s, 0, n) != NULL)
        return rd_fail(r, RCP_ERR_DECODE, "contains a NUL byte");
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

static int rd_map(struct rd *r, size_t want)
{
    size_t pairs = 0;
    if (rcp_cbor_expect_map(&r->c, &pairs) != 0)
        return rd_cbor(r);
    if (pairs != want)
        return rd_fail(r, RCP_ERR_DECODE, "map of %zu entries, expected %zu", pairs, want);
    return 0;
}

static int rd_array(struct rd *r, size_t want)
{
    size_t n = 0;
    if (rcp_cbor_expect_array(&r->c, &n) != 0)
        return rd_cbor(r);
    if (n != want)
        return rd_fail(r, RCP_ERR_DECODE, "array of %zu items, expected %zu", n, want);
    return 0;
}

static int rd_cx(struct rd *r, rcp_ua_cx_params *cx)
{
    uint64_t v = 0;
    int ret = rd_map(r, 10);
    if (ret == 0 && (ret = rd_key(r, CX_IMSI, "cx.imsi")) == 0)
        ret = rd_text(r, cx->imsi, sizeof cx->imsi, 1);
    if (ret == 0 && (ret = rd_key(r, CX_K, "cx.k")) == 0)
        ret = rd_bstr(r, cx->k, sizeof cx->k);
    if (ret == 0 && (ret = rd_key(r, CX_OPC, "cx.opc")) == 0)
        ret = rd_bstr(r, cx->opc, sizeof cx->opc);
    if (ret == 0 && (ret = rd_key(r, CX_R, "cx.r")) == 0)
        ret = rd_array(r, 5);
    for (int i = 0; ret == 0 && i < 5; i++) {
        ret = rd_uint(r, &v, RCP_MIL_ROT_MAX);
        cx->consts.r[i] = (uint8_t)v;
    }
    if (ret == 0 && (ret = rd_key(r, CX_C, "cx.c")) == 0)
        ret = rd_array(r, 5);
    for (int i = 0; ret == 0 && i < 5; i++)
        ret = rd_bstr(r, cx->consts.c[i], 16);
    if (ret == 0 && (ret = rd_key(r, CX_MCC, "cx.mcc")) == 0)
        ret = rd_text(r, cx->mcc, sizeof cx->mcc, 3);
    if (ret == 0 && (ret = rd_key(r, CX_MNC, "cx.mnc")) == 0)
        ret = rd_text(r, cx->mnc, sizeof cx->mnc, 2);
    if (ret == 0 && (ret = rd_key(r, CX_LIMIT, "cx.data_limit")) == 0)
        ret = rd_uint(r, &cx->data_limit, UINT64_MAX);
    if (ret == 0 && (ret = rd_key(r, CX_UNTIL, "cx.valid_until")) == 0)
        ret = rd_uint(r, &cx->valid_until, UINT64_MAX);
    if (ret == 0 && (ret = rd_key(r, CX_DEST, "cx.destination")) == 0)
        ret = rd_text(r, cx->destination, sizeof cx->destination, 1);
    return ret;
}

static int rd_usim(struct rd *r, rcp_usim_sqn *u)
{
    uint64_t v = 0;
    bool amf = false;
    int ret = rd_map(r, 5);
    if (ret == 0 && (ret = rd_key(r, US_IND_BITS, "usim.ind_bits")) == 0)
        ret = rd_uint(r, &v, RCP_AKA_MAX_IND_BITS);
    u->scheme.ind_bits = (unsigned)v;
    if (ret == 0 && (ret = rd_key(r, US_DELTA, "usim.delta")) == 0)
        ret = rd_uint(r, &u->scheme.delta, UINT64_MAX);
    if (ret == 0 && (ret = rd_key(r, US_AGE_LIMIT, "usim.age_limit")) == 0)
        ret = rd_uint(r, &u->scheme.age_limit, UINT64_MAX);
    if (ret == 0 && (ret = rd_key(r, US_AMF_SEP, "usim.require_amf_sep")) == 0 &&
        rcp_cbor_expect_bool(&r->c, &amf) != 0)
        ret = rd_cbor(r);
    u->require_amf_sep = amf;
    size_t slots = (size_t)1 << u->scheme.ind_bits;
    if (ret == 0 && (ret = rd_key(r, US_SEQ_MS, "usim.seq_ms")) == 0)
        ret = rd_array(r, slots);
    for (size_t i = 0; ret == 0 && i < slots; i++)
        ret = rd_uint(r, &u->seq_ms[i], RCP_SQN_MAX >> u->scheme.ind_bits);
    return ret;
}

/* Decode buf into the state fields of *t (zeroed first).  uuid and curve
 * are the configuration's, which the file must match. */
static int decode_state(struct rd *r, const uint8_t *buf, size_t len,
                        const uint8_t uuid[RCP_UUID_LEN], rcp_curve curve, rcp_ua_device *t)
{
    static const rcp_cbor_limits lim = {DEVSTATE_MAX, 3, 1024, false};
    uint8_t file_uuid[RCP_UUID_LEN];
    uint64_t v = 0;
    size_t pairs = 0;
    int ret;
    memset(t, 0, sizeof *t);
    r->field = NULL; /* the whole file */
    if (rcp_cbor_decode_init(&r->c, buf, len, &lim) != 0)
        return rd_cbor(r);
    if (rcp_cbor_expect_map(&r->c, &pairs) != 0)
        return rd_cbor(r);
    /* Version first: a newer file is refused as such, whatever follows. */
    ret = rd_key(r, K_VERSION, "version");
    if (ret == 0 && rcp_cbor_expect_uint(&r->c, &v) != 0)
        ret = rd_cbor(r);
    if (ret == 0 && v != DEVSTATE_VERSION)
        return rd_fail(r, RCP_ERR_UNSUPPORTED,
                       "format version %llu is not supported (this "
                       "program reads version %d)",
                       (unsigned long long)v, DEVSTATE_VERSION);
    if (ret == 0 && (ret = rd_key(r, K_UUID, "uuid")) == 0)
        ret = rd_bstr(r, file_uuid, sizeof file_uuid);
    if (ret == 0 && memcmp(file_uuid, uuid, RCP_UUID_LEN) != 0) {
        char a[2 * RCP_UUID_LEN + 1], b[2 * RCP_UUID_LEN + 1];
        if (rcp_hex_encode(file_uuid, RCP_UUID_LEN, a, sizeof a) != 0 ||
            rcp_hex_encode(uuid, RCP_UUID_LEN, b, sizeof b) != 0)
            a[0] = b[0] = '\0';
        return rd_fail(r, RCP_ERR_DECODE, "state of device %s, but " DEVSTATE_CONF " says %s", a,
                       b);
    }
    if (ret == 0 && (ret = rd_key(r, K_STATE, "state")) == 0)
        ret = rd_uint(r, &v, RCP_UA_DEV_DONE);
    if (ret)
        return ret;
    t->state = (rcp_ua_dev_state)v;
    int provisioned = t->state >= RCP_UA_DEV_PROVISIONED;
    size_t want = N_BASE + (t->state == RCP_UA_DEV_WAIT_CREDENTIALS) + (provisioned ? 4 : 0);
    if (pairs != want) {
        r->field = NULL;
        return rd_fail(r, RCP_ERR_DECODE, "%zu entries, but state %d has %zu", pairs, (int)t->state,
                       want);
    }
    if ((ret = rd_key(r, K_H_M1, "h_m1")) == 0)
        ret = rd_bstr(r, t->h_m1, sizeof t->h_m1);
    if (ret == 0 && (ret = rd_key(r, K_PK_ECDHE, "pk_ecdhe")) == 0)
        ret = rd_bstr(r, t->pk_ecdhe, sizeof t->pk_ecdhe);
    if (ret == 0 && (ret = rd_key(r, K_NONCE, "nonce")) == 0)
        ret = rd_bstr(r, t->nonce, sizeof t->nonce);
    if (ret == 0 && (ret = rd_key(r, K_SUITE, "suite")) == 0)
        ret = rd_uint(r, &v, RCP_SUITE_GCM);
    t->suite = (rcp_seal_suite)v;
    if (ret == 0 && (ret = rd_key(r, K_SN_ECKA_KID, "sn_ecka_kid")) == 0)
        ret = rd_bstr(r, t->sn_ecka_kid, sizeof t->sn_ecka_kid);
    if (ret == 0 && (ret = rd_key(r, K_SN_SUBJECT, "sn_subject")) == 0)
        ret = rd_text(r, t->sn_subject, sizeof t->sn_subject, 0);
    if (ret == 0 && t->state == RCP_UA_DEV_WAIT_CREDENTIALS &&
        (ret = rd_key(r, K_SK_ECDHE, "sk_ecdhe")) == 0)
        ret = rd_bstr(r, t->sk_ecdhe, sizeof t->sk_ecdhe);
    if (ret == 0 && provisioned) {
        if ((ret = rd_key(r, K_CX, "cx")) == 0)
            ret = rd_cx(r, &t->cx);
        if (ret == 0 && (ret = rd_key(r, K_USIM, "usim")) == 0)
            ret = rd_usim(r, &t->usim);
        if (ret == 0 && (ret = rd_key(r, K_KASME, "kasme")) == 0)
            ret = rd_bstr(r, t->kasme, sizeof t->kasme);
        if (ret == 0 && (ret = rd_key(r, K_RAND, "rand")) == 0)
            ret = rd_bstr(r, t->rand, sizeof t->rand);
    }
    if (ret == 0 && rcp_cbor_expect_end(&r->c) != 0) {
        r->field = NULL;
        ret = rd_cbor(r);
    }
    const char *why = ret == 0 ? state_problem(t, curve, &r->field) : NULL;
    if (why)
        ret = rd_fail(r, RCP_ERR_DECODE, "%s", why);
    return ret;
}

/* ------------------------------------------------------- device.conf */

static int read_small(const char *path, uint8_t *out, size_t cap, size_t *len, char *err,
                      size_t ecap)
{
    uint8_t *buf = NULL;
    int r = fio_read(path, cap, &buf, len, err, ecap);
    if (r)
        return r == -EFBIG ? RCP_ERR_DECODE : RCP_ERR_IO;
    memcpy(out, buf, *len);
    free(buf);
    return 0;
}

static int load_key(const char *path, rcp_curve curve, rcp_ec_key **key, char *err, size_t cap)
{
    struct stat sb;
    uint8_t *buf = NULL;
    size_t len = 0;
    /* The TRE key must stay the TRE's: refuse it as ssh refuses a key
     * others can read. */
    if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0)
        return app_errf(err, cap, RCP_ERR_IO, "%s: mode %04o lets others read the TRE key (chmod 600)",
                    path, (unsigned)(sb.st_mode & 07777));
    if (fio_read(path, KEY_FILE_MAX, &buf, &len, err, cap) != 0)
        return RCP_ERR_IO;
    int r = rcp_ec_key_from_pkcs8_pem((const char *)buf, len, key);
    rcp_wipe(buf, len);
    free(buf);
    if (r)
        return app_errf(err, cap, RCP_ERR_DECODE, "%s: not a PKCS#8 EC private key (%s)", path,
                    rcp_strerror(r));
    if (rcp_ec_key_curve(*key) != curve)
        return app_errf(err, cap, RCP_ERR_DECODE, "%s: key on %s, but the device's curve is %s", path,
                    rcp_curve_name(rcp_ec_key_curve(*key)) ? rcp_curve_name(rcp_ec_key_curve(*key))
                                                           : "?",
                    rcp_curve_name(curve));
    return 0;
}

static int parse_suites(const conf *c, const conf_section *s, rcp_ua_device *dev, char *err,
                        size_t cap)
{
    const char *v = NULL;
    char where[PATH_MAX + 32];
    size_t n = 0;
    if (conf_str(c, s, "suites", 1, &v, err, cap) != 0)
        return RCP_ERR_DECODE;
    conf_where(c, s, "suites", where, sizeof where);
    for (const char *p = v;;) {
        p += strspn(p, " \t");
        if (*p == '\0')
            break;
        size_t w = strcspn(p, " \t");
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)(w < sizeof name ? w : sizeof name - 1), p);
        rcp_seal_suite st = w < sizeof name ? rcp_seal_suite_from_name(name) : RCP_SUITE_NONE;
        if (st == RCP_SUITE_NONE)
            return app_errf(err, cap, RCP_ERR_DECODE,
                        "%s: [device] suites: '%.*s' is not a seal suite (gcm, cbc-hmac)", where,
                        (int)w, p);
        if (n == 2 || (n == 1 && dev->suites[0] == st))
            return app_errf(err, cap, RCP_ERR_DECODE,
                        "%s: [device] suites: give gcm, cbc-hmac or both, each once", where);
        dev->suites[n++] = st;
        p += w;
    }
    if (n == 0)
        return app_errf(err, cap, RCP_ERR_DECODE, "%s: [device] suites: empty", where);
    dev->n_suites = n;
    return 0;
}

static int fqdn_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > RCP_UA_FQDN_MAX || s[0] == '.' || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.'))
            return 0;
    }
    return 1;
}

static int load_conf(devstate *d, const rcp_rng *rng, const rcp_clock *clock, char *err, size_t cap)
{
    static const char *const sections[] = {"device"};
    static const char *const keys[] = {"curve",   "uuid",     "auths",   "suites",
                                       "tre_key", "tre_cert", "pn_cert", "ci"};
    static const char *const repeatable[] = {"ci"};
    static const char *const curves[] = {"p256", "brainpoolp256r1"};
    static const rcp_curve curve_ids[] = {RCP_CURVE_P256, RCP_CURVE_BP256R1};
    char path[PATH_MAX], where[PATH_MAX + 32];
    const char *auths = NULL, *cis[DEVSTATE_CI_MAX + 1];
    uint8_t uuid[RCP_UUID_LEN], ci[RCP_CCERT_MAX_LEN];
    size_t ci_len = 0;
    conf *c = NULL;
    int idx = 0, ret = RCP_ERR_DECODE;
    rcp_cert_why why;
    rcp_ccert leaf;

    if (join(path, sizeof path, d->dir, DEVSTATE_CONF) != 0)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "%s: path too long", d->dir);
    if (conf_load(path, &c, err, cap) != 0)
        return RCP_ERR_DECODE;
    const conf_section *s = conf_find(c, "device", 0);
    if (conf_check_sections(c, sections, 1, err, cap) != 0)
        goto out;
    if (s == NULL || conf_count(c, "device") != 1) {
        app_errf(err, cap, RCP_ERR_DECODE, "%s: needs exactly one [device] section", path);
        goto out;
    }
    if (conf_check_keys(c, s, keys, sizeof keys / sizeof keys[0], repeatable, 1, err, cap) != 0 ||
        conf_enum(c, s, "curve", 1, curves, 2, &idx, err, cap) != 0 ||
        conf_hex(c, s, "uuid", 1, uuid, sizeof uuid, err, cap) != 0 ||
        conf_str(c, s, "auths", 1, &auths, err, cap) != 0)
        goto out;
    if (!fqdn_ok(auths)) {
        conf_where(c, s, "auths", where, sizeof where);
        app_errf(err, cap, RCP_ERR_DECODE, "%s: [device] auths: '%s' is not a host name", where, auths);
        goto out;
    }
    rcp_curve curve = curve_ids[idx];
    /* Engine defaults first; the configuration sets what it names. */
    rcp_ua_device_init(&d->dev, &d->creds, uuid, auths, rng, clock);
    if ((ret = parse_suites(c, s, &d->dev, err, cap)) != 0)
        goto out;
    ret = RCP_ERR_DECODE;

    if (conf_path(c, s, "tre_key", 1, path, sizeof path, err, cap) != 0)
        goto out;
    if ((ret = load_key(path, curve, &d->key, err, cap)) != 0)
        goto out;
    ret = RCP_ERR_DECODE;
    if (conf_path(c, s, "tre_cert", 1, path, sizeof path, err, cap) != 0)
        goto out;
    if ((ret = read_small(path, d->cert_tre, sizeof d->cert_tre, &d->cert_tre_len, err, cap)) != 0)
        goto out;
    ret = RCP_ERR_DECODE;
    if (conf_path(c, s, "pn_cert", 1, path, sizeof path, err, cap) != 0)
        goto out;
    if ((ret = read_small(path, d->cert_pn, sizeof d->cert_pn, &d->cert_pn_len, err, cap)) != 0)
        goto out;

    /* CI anchors: the device's trust store holds these and nothing else
     * (caching CERT.PN there would let the PN vouch for a Serving Network). */
    size_t n_ci = conf_all(s, "ci", cis, DEVSTATE_CI_MAX + 1);
    conf_where(c, s, "ci", where, sizeof where);
    if (n_ci == 0) {
        const char *unused = NULL;
        ret = RCP_ERR_DECODE;
        if (conf_str(c, s, "ci", 1, &unused, err, cap) == 0)
            app_errf(err, cap, ret, "%s: [device] ci: missing", path);
        goto out;
    }
    if (n_ci > DEVSTATE_CI_MAX) {
        ret = app_errf(err, cap, RCP_ERR_DECODE, "%s: [device] ci: more than %d anchors", where,
                   DEVSTATE_CI_MAX);
        goto out;
    }
    if ((ret = rcp_ccert_store_new(&d->trust)) != 0) {
        app_errf(err, cap, ret, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n_ci; i++) {
        ret = RCP_ERR_DECODE;
        if (conf_resolve(c, cis[i], path, sizeof path) != 0) {
            app_errf(err, cap, ret, "%s: [device] ci: path too long", where);
            goto out;
        }
        if ((ret = read_small(path, ci, sizeof ci, &ci_len, err, cap)) != 0)
            goto out;
        ret = rcp_ccert_store_add_anchor(d->trust, ci, ci_len, &why);
        if (ret) {
            app_errf(err, cap, ret, "%s: not a self-signed compact CA certificate: %s", path,
                 why.text[0] ? why.text : rcp_strerror(ret));
            goto out;
        }
    }

    /* CERT.TRE <- CERT.PN <- CI, now; and the key is CERT.TRE's. */
    const uint8_t *chain[2] = {d->cert_tre, d->cert_pn};
    const size_t lens[2] = {d->cert_tre_len, d->cert_pn_len};
    uint64_t now = rcp_clock_now(clock);
    memset(&why, 0, sizeof why);
    ret = rcp_ccert_verify_chain(d->trust, chain, lens, 2, now, RCP_USAGE_SIGN, &leaf, &why);
    if (ret) {
        conf_where(c, s, "tre_cert", where, sizeof where);
        app_errf(err, cap, ret, "%s: CERT.TRE does not verify through CERT.PN to a CI anchor: %s",
             where, why.text[0] ? why.text : rcp_strerror(ret));
        goto out;
    }
    uint8_t kid[RCP_KEY_ID_LEN];
    if (leaf.curve != curve || rcp_key_id(d->key, kid) != 0 ||
        memcmp(kid, leaf.subject_kid, RCP_KEY_ID_LEN) != 0) {
        conf_where(c, s, "tre_key", where, sizeof where);
        ret = app_errf(err, cap, RCP_ERR_DECODE, "%s: [device] tre_key is not the key of CERT.TRE",
                   where);
        goto out;
    }
    d->creds = (rcp_ua_tre_creds){curve,      d->key,         d->cert_tre, d->cert_tre_len,
                                  d->cert_pn, d->cert_pn_len, d->trust};
    ret = 0;
out:
    rcp_wipe(uuid, sizeof uuid);
    conf_free(c);
    return ret;
}

/* An interrupted save leaves "state.cbor.tmp-*" behind, holding secrets. */
static void remove_stale_temps(const devstate *d)
{
    DIR *dir = opendir(d->dir);
    if (dir == NULL)
        return;
    for (struct dirent *de; (de = readdir(dir)) != NULL;)
        if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
            (void)unlinkat(dirfd(dir), de->d_name, 0);
    closedir(dir);
}

/* ---------------------------------------------------------------- API */

int devstate_load(const char *dir, const rcp_rng *rng, const rcp_clock *clock, devstate **out,
                  char *err, size_t cap)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    rcp_ua_device *tmp = NULL;
    int ret;
    if (err && cap)
        err[0] = '\0';
    if (dir == NULL || rng == NULL || clock == NULL || out == NULL)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "devstate_load: missing argument");
    *out = NULL;
    devstate *d = calloc(1, sizeof *d);
    if (d == NULL)
        return app_errf(err, cap, RCP_ERR_NO_MEMORY, "out of memory");
    d->lock_fd = -1;
    if ((size_t)snprintf(d->dir, sizeof d->dir, "%s", dir) >= sizeof d->dir ||
        join(d->state_path, sizeof d->state_path, dir, DEVSTATE_FILE) != 0) {
        free(d);
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "%s: path too long", dir);
    }
    d->lock_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->lock_fd < 0) {
        ret = app_errf(err, cap, RCP_ERR_IO, "%s: cannot open: %s", dir, strerror(errno));
        goto fail;
    }
    if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ret = errno == EWOULDBLOCK
                  ? app_errf(err, cap, RCP_ERR_UNAVAILABLE, "%s: in use by another process", dir)
                  : app_errf(err, cap, RCP_ERR_IO, "%s: cannot lock: %s", dir, strerror(errno));
        goto fail;
    }
    ret = load_conf(d, rng, clock, err, cap);
    if (ret)
        goto fail;
    remove_stale_temps(d);

    int r = fio_read(d->state_path, DEVSTATE_MAX, &buf, &len, err, cap);
    if (r == -ENOENT) {
        if (err && cap)
            err[0] = '\0';
        *out = d; /* never run: IDLE */
        return 0;
    }
    if (r) {
        ret = r == -EFBIG ? RCP_ERR_DECODE : RCP_ERR_IO;
        goto fail;
    }
    tmp = malloc(sizeof *tmp);
    if (tmp == NULL) {
        ret = app_errf(err, cap, RCP_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }
    struct rd rd = {.path = d->state_path, .field = NULL, .err = err, .cap = cap};
    ret = decode_state(&rd, buf, len, d->dev.uuid, d->creds.curve, tmp);
    if (ret)
        goto fail;
    rcp_ua_device_copy_state(&d->dev, tmp);
    rcp_wipe(tmp, sizeof *tmp);
    free(tmp);
    rcp_wipe(buf, len);
    free(buf);
    *out = d;
    return 0;
fail:
    if (tmp) {
        rcp_wipe(tmp, sizeof *tmp);
        free(tmp);
    }
    if (buf) {
        rcp_wipe(buf, len);
        free(buf);
    }
    devstate_free(d);
    return ret;
}

rcp_ua_device *devstate_device(devstate *d)
{
    return d ? &d->dev : NULL;
}

const char *devstate_dir(const devstate *d)
{
    return d ? d->dir : NULL;
}

int devstate_save(devstate *d, char *err, size_t cap)
{
    uint8_t buf[DEVSTATE_MAX];
    size_t len = 0;
    const char *field = NULL;
    if (d == NULL)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "devstate_save: no device");
    const rcp_ua_device *v = &d->dev;
    /* Never write what load would refuse: the device could not resume. */
    const char *why = state_problem(v, d->creds.curve, &field);
    if (why)
        return app_errf(err, cap, RCP_ERR_STATE, "%s: not written: %s: %s", d->state_path, field, why);
    int ret = encode_state(v, buf, sizeof buf, &len);
    if (ret == 0) {
        int r = fio_write_atomic(d->state_path, buf, len, 0600, 1);
        if (r)
            ret = app_errf(err, cap, RCP_ERR_IO, "%s: cannot write: %s", d->state_path, strerror(-r));
    } else {
        ret = app_errf(err, cap, RCP_ERR_STATE, "%s: not written: cannot encode (%s)", d->state_path,
                   rcp_strerror(ret));
    }
    rcp_wipe(buf, sizeof buf);
    return ret;
}

void devstate_free(devstate *d)
{
    if (d == NULL)
        return;
    rcp_ec_key_free(d->key);
    rcp_ccert_store_free(d->trust);
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
    rcp_wipe(d, sizeof *d);
    free(d);
}
