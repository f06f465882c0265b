/* uuid-attach: message and token encoding (docs/spec/uuid-attach.md). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rcprov/bytes.h"
#include "ua_internal.h"

const rcp_cbor_limits ua_msg_limits = {RCP_MSG_MAX, 6, 160, false};

/* ------------------------------------------------------------- helpers */

static int key(rcp_cbor_cursor *c, uint64_t want)
{
    uint64_t k = 0;
    if (rcp_cbor_expect_uint(c, &k) != 0 || k != want)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static int bstr_exact(rcp_cbor_cursor *c, const uint8_t **p, size_t n)
{
    size_t got = 0;
    return rcp_cbor_expect_bstr(c, p, &got, n, n) == 0 ? RCP_OK : RCP_ERR_DECODE;
}

static int bstr_range(rcp_cbor_cursor *c, const uint8_t **p, size_t *n, size_t min, size_t max)
{
    return rcp_cbor_expect_bstr(c, p, n, min, max) == 0 ? RCP_OK : RCP_ERR_DECODE;
}

static int map_of(rcp_cbor_cursor *c, size_t want)
{
    size_t pairs = 0;
    return rcp_cbor_expect_map(c, &pairs) == 0 && pairs == want ? RCP_OK : RCP_ERR_DECODE;
}

static int uint_list(rcp_cbor_cursor *c, uint64_t *v, size_t cap, size_t *n)
{
    if (rcp_cbor_expect_array(c, n) != 0 || *n < 1 || *n > cap)
        return RCP_ERR_DECODE;
    for (size_t i = 0; i < *n; i++)
        if (rcp_cbor_expect_uint(c, &v[i]) != 0)
            return RCP_ERR_DECODE;
    return RCP_OK;
}

/* Open a token: [tbs-wrap [label, ...n fields], sig]; t is left after the label. */
static int open_token(const uint8_t *tok, size_t len, uint64_t label, size_t n_fields,
                      rcp_cbor_cursor *t, const uint8_t **tbs, size_t *tbs_len, const uint8_t **sig)
{
    size_t n = 0;
    uint64_t got = 0;
    int ret = rcp_signed_decode(tok, len, &ua_msg_limits, RCP_ERR_DECODE, t, sig);
    if (ret)
        return ret == RCP_ERR_LIMIT || ret == RCP_ERR_UNSUPPORTED ? RCP_ERR_DECODE : ret;
    *tbs = t->buf;
    *tbs_len = t->len;
    if (rcp_cbor_expect_array(t, &n) != 0 || n != n_fields + 1 ||
        rcp_cbor_expect_uint(t, &got) != 0 || got != label)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

int ua_hash(const uint8_t *msg, size_t len, uint8_t h[RCP_UA_HASH_LEN])
{
    uint8_t full[RCP_SHA256_LEN];
    int ret = rcp_sha256(msg, len, full);
    if (ret == 0)
        memcpy(h, full, RCP_UA_HASH_LEN);
    return ret;
}

int ua_pk(const rcp_ec_key *k, uint8_t out[UA_PK_LEN])
{
    size_t n = 0;
    int ret = rcp_ec_key_public(k, 1, out, UA_PK_LEN, &n);
    return ret ? ret : n == UA_PK_LEN ? RCP_OK : RCP_ERR_UNSUPPORTED;
}

int ua_check_sig(const uint8_t *tbs, size_t tbs_len, const uint8_t *sig, const rcp_ec_key *key)
{
    return rcp_ecdsa_verify(key, tbs, tbs_len, sig, UA_SIG_LEN) == 0 ? RCP_OK : RCP_ERR_SIGNATURE;
}

rcp_out_msg *ua_out_begin(rcp_step *s, rcp_dest to, uint32_t type, size_t pairs, rcp_cbor_enc *e)
{
    static _Thread_local rcp_out_msg scratch;
    rcp_out_msg *m = rcp_step_out(s, to, type);
    if (m == NULL) {
        rcp_cbor_enc_init(e, NULL, 0);
        return &scratch;
    }
    rcp_cbor_enc_init(e, m->buf, sizeof m->buf);
    rcp_envelope_begin(e, type, pairs);
    return m;
}

int ua_reject(rcp_step *s, int err, const char *fmt, ...)
{
    if (s->err == 0) {
        s->err = err;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->why, sizeof s->why, fmt, ap);
        va_end(ap);
        rcp_out_msg *m = rcp_step_out(s, RCP_TO_REPLY, RCP_MSG_ERROR);
        if (m && rcp_error_msg_encode(err, s->why, m->buf, sizeof m->buf, &m->len) != 0)
            s->n_out--;
    }
    return err;
}

int ua_dec_bstr_map(rcp_cbor_cursor *body, size_t n, const uint64_t *keys, const size_t *min,
                    const size_t *max, const uint8_t **vals, size_t *lens)
{
    if (map_of(body, n))
        return RCP_ERR_DECODE;
    for (size_t i = 0; i < n; i++)
        if (key(body, keys[i]) || bstr_range(body, &vals[i], &lens[i], min[i], max[i]))
            return RCP_ERR_DECODE;
    return rcp_cbor_expect_end(body) == 0 ? RCP_OK : RCP_ERR_DECODE;
}

/* ------------------------------------------------------------ messages */

int ua_dec_attach_request(rcp_cbor_cursor *b, struct ua_attach_request *m)
{
    memset(m, 0, sizeof *m);
    if (map_of(b, 5) || key(b, 1) || bstr_exact(b, &m->uuid, RCP_UUID_LEN) || key(b, 2) ||
        rcp_cbor_expect_tstr(b, &m->fqdn, &m->fqdn_len, 1, RCP_UA_FQDN_MAX) != 0 || key(b, 3) ||
        rcp_cbor_expect_uint(b, &m->slice) != 0 || key(b, 4) ||
        uint_list(b, m->suites, 4, &m->n_suites) || key(b, 5) ||
        uint_list(b, m->curves, 4, &m->n_curves) || rcp_cbor_expect_end(b) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

int ua_dec_challenge(rcp_cbor_cursor *b, struct ua_challenge *m)
{
    memset(m, 0, sizeof *m);
    if (map_of(b, 4) || key(b, 1) ||
        bstr_range(b, &m->cert_ecka, &m->cert_ecka_len, 1, RCP_UA_CERT_MAX) || key(b, 2) ||
        bstr_exact(b, &m->nonce, RCP_NONCE_LEN) || key(b, 3) ||
        rcp_cbor_expect_uint(b, &m->suite) != 0 || key(b, 4) ||
        bstr_range(b, &m->cookie, &m->cookie_len, RCP_COOKIE_OVERHEAD, RCP_COOKIE_MAX) ||
        rcp_cbor_expect_end(b) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

int ua_dec_tre_credentials(rcp_cbor_cursor *b, struct ua_tre_credentials *m)
{
    size_t h1_len = 0;
    memset(m, 0, sizeof *m);
    if (map_of(b, 5) || key(b, 1) || bstr_range(b, &m->atk, &m->atk_len, 1, UA_TOKEN_MAX) ||
        key(b, 2) || bstr_range(b, &m->cert_pn, &m->cert_pn_len, 1, RCP_UA_CERT_MAX) || key(b, 3) ||
        bstr_range(b, &m->m1, &m->m1_len, 16, RCP_UA_CERT_MAX + 16) || key(b, 4) ||
        bstr_range(b, &m->h1, &h1_len, RCP_SEAL_HCHECK_LEN, RCP_SEAL_HCHECK_LEN) || key(b, 5) ||
        bstr_range(b, &m->cookie, &m->cookie_len, RCP_COOKIE_OVERHEAD, RCP_COOKIE_MAX) ||
        rcp_cbor_expect_end(b) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

int ua_dec_sn_credentials(rcp_cbor_cursor *b, struct ua_sn_credentials *m)
{
    memset(m, 0, sizeof *m);
    if (map_of(b, 2) || key(b, 1) || bstr_range(b, &m->atk, &m->atk_len, 1, UA_TOKEN_MAX) ||
        key(b, 2) || bstr_range(b, &m->cert_ecdsa, &m->cert_ecdsa_len, 1, RCP_UA_CERT_MAX) ||
        rcp_cbor_expect_end(b) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

/* --------------------------------------------------------------- tokens */

int ua_dec_atk_tre(const uint8_t *tok, size_t len, struct ua_atk_tre *t)
{
    rcp_cbor_cursor c;
    memset(t, 0, sizeof *t);
    int ret = open_token(tok, len, RCP_UA_LABEL_ATK_TRE, 7, &c, &t->tbs, &t->tbs_len, &t->sig);
    if (ret)
        return ret;
    if (bstr_exact(&c, &t->pk, UA_PK_LEN) || bstr_exact(&c, &t->is_sn, RCP_KID_LEN) ||
        bstr_exact(&c, &t->uuid, RCP_UUID_LEN) || bstr_exact(&c, &t->nonce, RCP_NONCE_LEN) ||
        rcp_cbor_expect_uint(&c, &t->suite) != 0 || rcp_cbor_expect_uint(&c, &t->curve) != 0 ||
        bstr_exact(&c, &t->h_m1, RCP_UA_HASH_LEN) || rcp_cbor_expect_end(&c) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static void write_atk_tre(rcp_cbor_enc *e, const void *p)
{
    const struct ua_atk_tre *t = p;
    rcp_cbor_enc_array(e, 8);
    rcp_cbor_enc_uint(e, RCP_UA_LABEL_ATK_TRE);
    rcp_cbor_enc_bstr(e, t->pk, UA_PK_LEN);
    rcp_cbor_enc_bstr(e, t->is_sn, RCP_KID_LEN);
    rcp_cbor_enc_bstr(e, t->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_bstr(e, t->nonce, RCP_NONCE_LEN);
    rcp_cbor_enc_uint(e, t->suite);
    rcp_cbor_enc_uint(e, t->curve);
    rcp_cbor_enc_bstr(e, t->h_m1, RCP_UA_HASH_LEN);
}

int ua_enc_atk_tre(const rcp_ec_key *key, const struct ua_atk_tre *t, uint8_t *out, size_t cap,
                   size_t *len)
{
    return rcp_signed_encode(write_atk_tre, t, key, out, cap, len);
}

int ua_dec_atk_sn(const uint8_t *tok, size_t len, struct ua_atk_sn *t)
{
    rcp_cbor_cursor c;
    size_t h2_len = 0;
    memset(t, 0, sizeof *t);
    int ret = open_token(tok, len, RCP_UA_LABEL_ATK_SN, 9, &c, &t->tbs, &t->tbs_len, &t->sig);
    if (ret)
        return ret;
    if (bstr_exact(&c, &t->pk, UA_PK_LEN) || bstr_exact(&c, &t->uuid, RCP_UUID_LEN) ||
        bstr_range(&c, &t->m2, &t->m2_len, 16, RCP_UA_CX_MAX + 16) ||
        bstr_range(&c, &t->h2, &h2_len, RCP_SEAL_HCHECK_LEN, RCP_SEAL_HCHECK_LEN) ||
        bstr_exact(&c, &t->pk_tre, UA_PK_LEN) || bstr_exact(&c, &t->nonce, RCP_NONCE_LEN) ||
        rcp_cbor_expect_uint(&c, &t->suite) != 0 || rcp_cbor_expect_uint(&c, &t->curve) != 0 ||
        bstr_exact(&c, &t->h_m1, RCP_UA_HASH_LEN) || rcp_cbor_expect_end(&c) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static void write_atk_sn(rcp_cbor_enc *e, const void *p)
{
    const struct ua_atk_sn *t = p;
    rcp_cbor_enc_array(e, 10);
    rcp_cbor_enc_uint(e, RCP_UA_LABEL_ATK_SN);
    rcp_cbor_enc_bstr(e, t->pk, UA_PK_LEN);
    rcp_cbor_enc_bstr(e, t->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_bstr(e, t->m2, t->m2_len);
    rcp_cbor_enc_bstr(e, t->h2, RCP_SEAL_HCHECK_LEN);
    rcp_cbor_enc_bstr(e, t->pk_tre, UA_PK_LEN);
    rcp_cbor_enc_bstr(e, t->nonce, RCP_NONCE_LEN);
    rcp_cbor_enc_uint(e, t->suite);
    rcp_cbor_enc_uint(e, t->curve);
    rcp_cbor_enc_bstr(e, t->h_m1, RCP_UA_HASH_LEN);
}

int ua_enc_atk_sn(const rcp_ec_key *key, const struct ua_atk_sn *t, uint8_t *out, size_t cap,
                  size_t *len)
{
    return rcp_signed_encode(write_atk_sn, t, key, out, cap, len);
}

int ua_dec_authz_req(const uint8_t *tok, size_t len, struct ua_authz_req *t)
{
    rcp_cbor_cursor c;
    memset(t, 0, sizeof *t);
    int ret = open_token(tok, len, RCP_UA_LABEL_AUTHZ_REQ, 6, &c, &t->tbs, &t->tbs_len, &t->sig);
    if (ret)
        return ret;
    if (bstr_exact(&c, &t->sn_kid, RCP_KID_LEN) || bstr_exact(&c, &t->uuid, RCP_UUID_LEN) ||
        bstr_exact(&c, &t->nonce, RCP_NONCE_LEN) ||
        bstr_range(&c, &t->atk_tre, &t->atk_tre_len, 1, UA_TOKEN_MAX) ||
        bstr_range(&c, &t->cert_tre, &t->cert_tre_len, 1, RCP_UA_CERT_MAX) ||
        rcp_cbor_expect_uint(&c, &t->at) != 0 || rcp_cbor_expect_end(&c) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static void write_authz_req(rcp_cbor_enc *e, const void *p)
{
    const struct ua_authz_req *t = p;
    rcp_cbor_enc_array(e, 7);
    rcp_cbor_enc_uint(e, RCP_UA_LABEL_AUTHZ_REQ);
    rcp_cbor_enc_bstr(e, t->sn_kid, RCP_KID_LEN);
    rcp_cbor_enc_bstr(e, t->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_bstr(e, t->nonce, RCP_NONCE_LEN);
    rcp_cbor_enc_bstr(e, t->atk_tre, t->atk_tre_len);
    rcp_cbor_enc_bstr(e, t->cert_tre, t->cert_tre_len);
    rcp_cbor_enc_uint(e, t->at);
}

int ua_enc_authz_req(const rcp_ec_key *key, const struct ua_authz_req *t, uint8_t *out, size_t cap,
                     size_t *len)
{
    return rcp_signed_encode(write_authz_req, t, key, out, cap, len);
}

int ua_dec_authz(const uint8_t *tok, size_t len, struct ua_authz *t)
{
    rcp_cbor_cursor c;
    memset(t, 0, sizeof *t);
    int ret = open_token(tok, len, RCP_UA_LABEL_AUTHZ, 9, &c, &t->tbs, &t->tbs_len, &t->sig);
    if (ret)
        return ret;
    if (bstr_exact(&c, &t->authz_id, RCP_AUTHZ_ID_LEN) || bstr_exact(&c, &t->uuid, RCP_UUID_LEN) ||
        bstr_exact(&c, &t->tre_kid, RCP_KID_LEN) || bstr_exact(&c, &t->sn_kid, RCP_KID_LEN) ||
        bstr_exact(&c, &t->nonce, RCP_NONCE_LEN) || rcp_cbor_expect_uint(&c, &t->issued_at) != 0 ||
        rcp_cbor_expect_uint(&c, &t->expires) != 0 ||
        rcp_cbor_expect_uint(&c, &t->data_limit) != 0 ||
        rcp_cbor_expect_tstr(&c, &t->destination, &t->destination_len, 1, RCP_UA_FQDN_MAX) != 0 ||
        rcp_cbor_expect_end(&c) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static void write_authz(rcp_cbor_enc *e, const void *p)
{
    const struct ua_authz *t = p;
    rcp_cbor_enc_array(e, 10);
    rcp_cbor_enc_uint(e, RCP_UA_LABEL_AUTHZ);
    rcp_cbor_enc_bstr(e, t->authz_id, RCP_AUTHZ_ID_LEN);
    rcp_cbor_enc_bstr(e, t->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_bstr(e, t->tre_kid, RCP_KID_LEN);
    rcp_cbor_enc_bstr(e, t->sn_kid, RCP_KID_LEN);
    rcp_cbor_enc_bstr(e, t->nonce, RCP_NONCE_LEN);
    rcp_cbor_enc_uint(e, t->issued_at);
    rcp_cbor_enc_uint(e, t->expires);
    rcp_cbor_enc_uint(e, t->data_limit);
    rcp_cbor_enc_tstr(e, t->destination, t->destination_len);
}

int ua_enc_authz(const rcp_ec_key *key, const struct ua_authz *t, uint8_t *out, size_t cap,
                 size_t *len)
{
    return rcp_signed_encode(write_authz, t, key, out, cap, len);
}

int ua_dec_ack(const uint8_t *tok, size_t len, struct ua_ack *t)
{
    rcp_cbor_cursor c;
    memset(t, 0, sizeof *t);
    int ret = open_token(tok, len, RCP_UA_LABEL_ACK, 4, &c, &t->tbs, &t->tbs_len, &t->sig);
    if (ret)
        return ret;
    if (bstr_exact(&c, &t->authz_id, RCP_AUTHZ_ID_LEN) || bstr_exact(&c, &t->uuid, RCP_UUID_LEN) ||
        bstr_exact(&c, &t->sn_kid, RCP_KID_LEN) || rcp_cbor_expect_uint(&c, &t->at) != 0 ||
        rcp_cbor_expect_end(&c) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static void write_ack(rcp_cbor_enc *e, const void *p)
{
    const struct ua_ack *t = p;
    rcp_cbor_enc_array(e, 5);
    rcp_cbor_enc_uint(e, RCP_UA_LABEL_ACK);
    rcp_cbor_enc_bstr(e, t->authz_id, RCP_AUTHZ_ID_LEN);
    rcp_cbor_enc_bstr(e, t->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_bstr(e, t->sn_kid, RCP_KID_LEN);
    rcp_cbor_enc_uint(e, t->at);
}

int ua_enc_ack(const rcp_ec_key *key, const struct ua_ack *t, uint8_t *out, size_t cap, size_t *len)
{
    return rcp_signed_encode(write_ack, t, key, out, cap, len);
}

int ua_dec_register(const uint8_t *tok, size_t len, struct ua_register *t)
{
    rcp_cbor_cursor c;
    memset(t, 0, sizeof *t);
    int ret = open_token(tok, len, RCP_UA_LABEL_REGISTER, 5, &c, &t->tbs, &t->tbs_len, &t->sig);
    if (ret)
        return ret;
    if (bstr_exact(&c, &t->sp_kid, RCP_KID_LEN) || bstr_exact(&c, &t->uuid, RCP_UUID_LEN) ||
        bstr_exact(&c, &t->tre_kid, RCP_KID_LEN) || rcp_cbor_expect_uint(&c, &t->max_authz) != 0 ||
        rcp_cbor_expect_uint(&c, &t->at) != 0 || rcp_cbor_expect_end(&c) != 0)
        return RCP_ERR_DECODE;
    return RCP_OK;
}

static void write_register(rcp_cbor_enc *e, const void *p)
{
    const struct ua_register *t = p;
    rcp_cbor_enc_array(e, 6);
    rcp_cbor_enc_uint(e, RCP_UA_LABEL_REGISTER);
    rcp_cbor_enc_bstr(e, t->sp_kid, RCP_KID_LEN);
    rcp_cbor_enc_bstr(e, t->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_bstr(e, t->tre_kid, RCP_KID_LEN);
    rcp_cbor_enc_uint(e, t->max_authz);
    rcp_cbor_enc_uint(e, t->at);
}

int ua_enc_register(const rcp_ec_key *key, const struct ua_register *t, uint8_t *out, size_t cap,
                    size_t *len)
{
    return rcp_signed_encode(write_register, t, key, out, cap, len);
}

/* ------------------------------------------------------- CX_PARAMETERS */

int ua_enc_cx(const rcp_ua_cx_params *cx, uint8_t *out, size_t cap, size_t *len)
{
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, cap);
    rcp_cbor_enc_map(&e, 10);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_text(&e, cx->imsi);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, cx->k, 16);
    rcp_cbor_enc_uint(&e, 3);
    rcp_cbor_enc_bstr(&e, cx->opc, 16);
    rcp_cbor_enc_uint(&e, 4);
    rcp_cbor_enc_array(&e, 5);
    for (int i = 0; i < 5; i++)
        rcp_cbor_enc_uint(&e, cx->consts.r[i]);
    rcp_cbor_enc_uint(&e, 5);
    rcp_cbor_enc_array(&e, 5);
    for (int i = 0; i < 5; i++)
        rcp_cbor_enc_bstr(&e, cx->consts.c[i], 16);
    rcp_cbor_enc_uint(&e, 6);
    rcp_cbor_enc_text(&e, cx->mcc);
    rcp_cbor_enc_uint(&e, 7);
    rcp_cbor_enc_text(&e, cx->mnc);
    rcp_cbor_enc_uint(&e, 8);
    rcp_cbor_enc_uint(&e, cx->data_limit);
    rcp_cbor_enc_uint(&e, 9);
    rcp_cbor_enc_uint(&e, cx->valid_until);
    rcp_cbor_enc_uint(&e, 10);
    rcp_cbor_enc_text(&e, cx->destination);
    return rcp_cbor_enc_finish(&e, len);
}

static int text_into(rcp_cbor_cursor *c, char *out, size_t cap, size_t min)
{
    const char *s = NULL;
    size_t n = 0;
    if (rcp_cbor_expect_tstr(c, &s, &n, min, cap - 1) != 0)
        return RCP_ERR_DECODE;
    memcpy(out, s, n);
    out[n] = '\0';
    return RCP_OK;
}

int ua_dec_cx(const uint8_t *in, size_t len, rcp_ua_cx_params *cx)
{
    rcp_cbor_cursor c;
    const uint8_t *p = NULL;
    size_t n = 0;
    uint64_t r = 0;
    int ret = RCP_ERR_DECODE;
    memset(cx, 0, sizeof *cx);
    if (rcp_cbor_decode_init(&c, in, len, &ua_msg_limits) != 0 || map_of(&c, 10) || key(&c, 1) ||
        text_into(&c, cx->imsi, sizeof cx->imsi, 6) || key(&c, 2) || bstr_exact(&c, &p, 16))
        goto fail;
    memcpy(cx->k, p, 16);
    if (key(&c, 3) || bstr_exact(&c, &p, 16))
        goto fail;
    memcpy(cx->opc, p, 16);
    if (key(&c, 4) || rcp_cbor_expect_array(&c, &n) != 0 || n != 5)
        goto fail;
    for (int i = 0; i < 5; i++) {
        if (rcp_cbor_expect_uint(&c, &r) != 0 || r > 127)
            goto fail;
        cx->consts.r[i] = (uint8_t)r;
    }
    if (key(&c, 5) || rcp_cbor_expect_array(&c, &n) != 0 || n != 5)
        goto fail;
    for (int i = 0; i < 5; i++) {
        if (bstr_exact(&c, &p, 16))
            goto fail;
        memcpy(cx->consts.c[i], p, 16);
    }
    if (key(&c, 6) || text_into(&c, cx->mcc, sizeof cx->mcc, 3) || key(&c, 7) ||
        text_into(&c, cx->mnc, sizeof cx->mnc, 2) || key(&c, 8) ||
        rcp_cbor_expect_uint(&c, &cx->data_limit) != 0 || key(&c, 9) ||
        rcp_cbor_expect_uint(&c, &cx->valid_until) != 0 || key(&c, 10) ||
        text_into(&c, cx->destination, sizeof cx->destination, 1) || rcp_cbor_expect_end(&c) != 0)
        goto fail;
    size_t plmn = strlen(cx->mcc) + strlen(cx->mnc);
    if (!rcp_digits(cx->mcc, strlen(cx->mcc), 3, 3) || !rcp_digits(cx->mnc, strlen(cx->mnc), 2, 3) ||
        !rcp_digits(cx->imsi, strlen(cx->imsi), plmn + 1, RCP_IMSI_MAX) ||
        strncmp(cx->imsi, cx->mcc, 3) != 0 || strncmp(cx->imsi + 3, cx->mnc, strlen(cx->mnc)) != 0)
        goto fail;
    return RCP_OK;
fail:
    rcp_wipe(cx, sizeof *cx);
    return ret;
}
