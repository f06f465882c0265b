/*
 * uuid-attach: the Serving Network (with its HSS and MME roles).
 *
 * Stateless between messages: what it must remember travels in cookies
 * sealed under its own key (kind 1: after the ATTACH_REQUEST; kind 2: the
 * context echoed by the Authorization Server; kind 3: an AKA run), and what
 * must hold across instances (a nonce consumed once, one IMSI per UUID) is
 * in the store.  Each handler checks everything first and writes last.
 */
#include <stdio.h>
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/kdf3gpp.h"
#include "ua_internal.h"

enum { COOKIE_ATTACH = 1, COOKIE_CONTEXT = 2, COOKIE_AKA = 3 };

/* SN state carried by cookies of kind 1 and 2. */
struct sn_ctx {
    uint64_t expires;
    uint8_t uuid[RCP_UUID_LEN];
    uint64_t auths; /* index into the AuthS agreements */
    uint8_t nonce[RCP_NONCE_LEN];
    uint64_t suite, curve;
    uint8_t h_m1[RCP_UA_HASH_LEN];
    uint8_t pk_tre[RCP_P256_POINT]; /* kind 2 only: uncompressed, so the
                                        next step needs no decompression */
    uint8_t tre_kid[RCP_KID_LEN];   /* kind 2 only */
};

struct aka_ctx {
    uint64_t expires;
    char imsi[RCP_IMSI_MAX + 1];
    uint8_t rand[16], xres[8], kasme[32];
};

int rcp_ua_sn_creds_init(rcp_ua_sn_creds *c)
{
    if (c == NULL || c->ecka_key == NULL || c->ecdsa_key == NULL ||
        rcp_ec_key_curve(c->ecka_key) != c->curve || rcp_ec_key_curve(c->ecdsa_key) != c->curve)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_key_id(c->ecka_key, c->ecka_kid);
    return ret ? ret : rcp_key_id(c->ecdsa_key, c->ecdsa_kid);
}

static const rcp_ua_sn_creds *creds_for(const rcp_ua_sn *sn, uint64_t curve)
{
    for (size_t i = 0; i < sn->n_creds; i++)
        if ((uint64_t)sn->creds[i].curve == curve)
            return &sn->creds[i];
    return NULL;
}

static int suite_supported(const rcp_ua_sn *sn, uint64_t suite)
{
    for (size_t i = 0; i < sn->n_suites; i++)
        if ((uint64_t)sn->suites[i] == suite)
            return 1;
    return 0;
}

static int seal_ctx(const rcp_ua_sn *sn, int kind, const struct sn_ctx *c, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    uint8_t buf[RCP_COOKIE_MAX];
    size_t n = 0;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, buf, sizeof buf);
    rcp_cbor_enc_array(&e, kind == COOKIE_CONTEXT ? 9 : 7);
    rcp_cbor_enc_uint(&e, c->expires);
    rcp_cbor_enc_bstr(&e, c->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_uint(&e, c->auths);
    rcp_cbor_enc_bstr(&e, c->nonce, RCP_NONCE_LEN);
    rcp_cbor_enc_uint(&e, c->suite);
    rcp_cbor_enc_uint(&e, c->curve);
    rcp_cbor_enc_bstr(&e, c->h_m1, RCP_UA_HASH_LEN);
    if (kind == COOKIE_CONTEXT) {
        rcp_cbor_enc_bstr(&e, c->pk_tre, RCP_P256_POINT);
        rcp_cbor_enc_bstr(&e, c->tre_kid, RCP_KID_LEN);
    }
    int ret = rcp_cbor_enc_finish(&e, &n);
    if (ret == 0)
        ret = rcp_cookie_seal(sn->cookie_key, (uint8_t)kind, sn->rng, buf, n, out, cap, out_len);
    return ret;
}

static int copy_bstr(rcp_cbor_cursor *c, uint8_t *out, size_t n)
{
    const uint8_t *p = NULL;
    size_t got = 0;
    if (rcp_cbor_expect_bstr(c, &p, &got, n, n) != 0)
        return RCP_ERR_DECODE;
    memcpy(out, p, n);
    return RCP_OK;
}

/* Open a cookie under the SN's key, or under the second key it accepts
 * during a key rotation. */
static int sn_cookie_open(const rcp_ua_sn *sn, uint8_t kind, const uint8_t *cookie, size_t len,
                          uint8_t *buf, size_t cap, size_t *n)
{
    int ret = rcp_cookie_open(sn->cookie_key, kind, cookie, len, buf, cap, n);
    if (ret == RCP_ERR_AUTH && sn->cookie_key_accept)
        ret = rcp_cookie_open(sn->cookie_key_accept, kind, cookie, len, buf, cap, n);
    return ret;
}

/* Open a kind 1/2 cookie: RCP_ERR_AUTH (not ours / altered), RCP_ERR_EXPIRED. */
static int open_ctx(const rcp_ua_sn *sn, int kind, const uint8_t *cookie, size_t len, uint64_t now,
                    struct sn_ctx *c)
{
    uint8_t buf[RCP_COOKIE_MAX];
    size_t n = 0, count = 0;
    rcp_cbor_cursor cur;
    memset(c, 0, sizeof *c);
    int ret = sn_cookie_open(sn, (uint8_t)kind, cookie, len, buf, sizeof buf, &n);
    if (ret)
        return RCP_ERR_AUTH;
    if (rcp_cbor_decode_init(&cur, buf, n, NULL) != 0 || rcp_cbor_expect_array(&cur, &count) != 0 ||
        count != (kind == COOKIE_CONTEXT ? 9u : 7u) ||
        rcp_cbor_expect_uint(&cur, &c->expires) != 0 || copy_bstr(&cur, c->uuid, RCP_UUID_LEN) ||
        rcp_cbor_expect_uint(&cur, &c->auths) != 0 || copy_bstr(&cur, c->nonce, RCP_NONCE_LEN) ||
        rcp_cbor_expect_uint(&cur, &c->suite) != 0 || rcp_cbor_expect_uint(&cur, &c->curve) != 0 ||
        copy_bstr(&cur, c->h_m1, RCP_UA_HASH_LEN))
        return RCP_ERR_AUTH;
    if (kind == COOKIE_CONTEXT &&
        (copy_bstr(&cur, c->pk_tre, RCP_P256_POINT) || copy_bstr(&cur, c->tre_kid, RCP_KID_LEN)))
        return RCP_ERR_AUTH;
    if (c->auths >= sn->n_auths || creds_for(sn, c->curve) == NULL)
        return RCP_ERR_AUTH;
    return now > c->expires ? RCP_ERR_EXPIRED : RCP_OK;
}

/* ------------------------------------------------ step 1 -> step 4 */

static int handle_attach_request(const rcp_ua_sn *sn, const uint8_t *msg, size_t len,
                                 rcp_cbor_cursor *body, uint64_t now, rcp_step *s)
{
    struct ua_attach_request r;
    struct sn_ctx c;
    uint8_t cookie[RCP_COOKIE_MAX];
    size_t cookie_len = 0;
    const rcp_ua_sn_creds *cr = NULL;
    if (ua_dec_attach_request(body, &r))
        return ua_reject(s, RCP_ERR_DECODE, "ATTACH_REQUEST is malformed");
    if (r.slice != RCP_UA_SLICE_INITIAL_ATTACH)
        return ua_reject(s, RCP_ERR_PROTOCOL, "slice select type %llu is not initial attach",
                         (unsigned long long)r.slice);
    memset(&c, 0, sizeof c);
    c.auths = sn->n_auths;
    for (size_t i = 0; i < sn->n_auths; i++)
        if (strlen(sn->auths[i].fqdn) == r.fqdn_len &&
            memcmp(sn->auths[i].fqdn, r.fqdn, r.fqdn_len) == 0)
            c.auths = i;
    if (c.auths == sn->n_auths)
        return ua_reject(s, RCP_ERR_UNTRUSTED,
                         "this SN has no agreement with Authorization Server '%.*s'",
                         (int)(r.fqdn_len > 64 ? 64 : r.fqdn_len), r.fqdn);
    /* The device's order of preference; its offer is bound into ATK.TRE by
     * h(M1), so a stripped offer is detected at step 6. */
    for (size_t i = 0; i < r.n_curves && cr == NULL; i++)
        cr = creds_for(sn, r.curves[i]);
    if (cr == NULL)
        return ua_reject(s, RCP_ERR_UNSUPPORTED, "none of the offered curves is supported");
    c.curve = (uint64_t)cr->curve;
    c.suite = 0;
    for (size_t i = 0; i < r.n_suites && c.suite == 0; i++)
        if (suite_supported(sn, r.suites[i]))
            c.suite = r.suites[i];
    if (c.suite == 0)
        return ua_reject(s, RCP_ERR_UNSUPPORTED, "none of the offered seal suites is supported");
    memcpy(c.uuid, r.uuid, RCP_UUID_LEN);
    c.expires = now + sn->cookie_lifetime;
    int ret = rcp_rng_fill(sn->rng, c.nonce, RCP_NONCE_LEN);
    if (ret == 0)
        ret = ua_hash(msg, len, c.h_m1);
    if (ret == 0) {
        s->ops.seal++;
        ret = seal_ctx(sn, COOKIE_ATTACH, &c, cookie, sizeof cookie, &cookie_len);
    }
    if (ret)
        return rcp_step_fail(s, ret, "cannot build the challenge");

    rcp_cbor_enc e;
    rcp_out_msg *m = ua_out_begin(s, RCP_TO_REPLY, RCP_UA_SN_CHALLENGE, 4, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, cr->cert_ecka, cr->cert_ecka_len);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, c.nonce, RCP_NONCE_LEN);
    rcp_cbor_enc_uint(&e, 3);
    rcp_cbor_enc_uint(&e, c.suite);
    rcp_cbor_enc_uint(&e, 4);
    rcp_cbor_enc_bstr(&e, cookie, cookie_len);
    return rcp_cbor_enc_finish(&e, &m->len);
}

/* ------------------------------------------------ step 5 -> step 2 */

/* Step 6 of the seed: authenticate the TRE.  On success *cert_tre_len and
 * cert_tre hold the decrypted CERT.TRE.ECDSA. */
static int authenticate_tre(const rcp_ua_sn *sn, const rcp_ua_sn_creds *cr,
                            const struct ua_tre_credentials *m, const struct ua_atk_tre *atk,
                            struct sn_ctx *c, uint64_t now, uint8_t *cert_tre, size_t *cert_tre_len,
                            uint8_t tre_kid[RCP_KID_LEN], rcp_step *s)
{
    rcp_ec_key *pk_tre = NULL, *tre_key = NULL;
    rcp_seal_keys ks1;
    uint8_t shs[RCP_EC_MAX_SECRET], msrc[RCP_UA_CERT_MAX + 16];
    size_t shs_len = 0;
    rcp_cert_why why;
    rcp_ccert pn, tre;
    int ret;

    /* VERIFY(CERT.CI)[CERT.PN]: once per PN, then cached. */
    if (rcp_ccert_decode(m->cert_pn, m->cert_pn_len, &pn) != 0)
        return ua_reject(s, RCP_ERR_CERT, "CERT.PN is malformed");
    if (!rcp_ccert_store_has(sn->trust, pn.subject_kid)) {
        s->ops.verify++;
        ret = rcp_ccert_store_add_ca(sn->trust, m->cert_pn, m->cert_pn_len, now, &why);
        if (ret)
            return ua_reject(s, ret, "CERT.PN: %s", why.text);
    }
    /* KS1 = DERIVE(SK.SN.ECKA)[PK.TRE.ECDHE]: ECKA-EG, KEY_TYPE 0x10. */
    s->ops.pkv_compressed++;
    ret = rcp_ec_key_from_public(cr->curve, atk->pk, UA_PK_LEN, &pk_tre);
    if (ret)
        return ua_reject(s, RCP_ERR_POINT_INVALID, "PK.TRE.ECDHE is not a point of the curve");
    size_t unc_len = 0;
    if (rcp_ec_key_public(pk_tre, 0, c->pk_tre, sizeof c->pk_tre, &unc_len) != 0 ||
        unc_len != RCP_P256_POINT) {
        rcp_ec_key_free(pk_tre);
        return rcp_step_fail(s, RCP_ERR_CRYPTO, "cannot encode PK.TRE.ECDHE");
    }
    s->ops.ecdh++;
    ret = rcp_ecdh(cr->ecka_key, pk_tre, shs, sizeof shs, &shs_len);
    if (ret == 0)
        ret = rcp_seal_derive(shs, shs_len, RCP_SEAL_KEY_TYPE_KS1, &ks1);
    rcp_ec_key_free(pk_tre);
    if (ret == 0) {
        rcp_trace_emit(sn->trace, "shs1", shs, shs_len);
        rcp_trace_emit(sn->trace, "ks1", ks1.ks[0], sizeof ks1.ks);
    }
    if (ret) {
        ret = ua_reject(s, ret, "key agreement KS1 failed");
        goto out;
    }
    /* CERT.TRE.ECDSA = DECRYPT(KS1, H1)[M1] */
    s->ops.open++;
    if (m->m1_len > sizeof msrc || rcp_seal_open((rcp_seal_suite)c->suite, &ks1, m->m1, m->m1_len,
                                                 m->h1, msrc, sizeof msrc) != 0) {
        ret = ua_reject(s, RCP_ERR_AUTH, "M1/H1 integrity check failed");
        goto out;
    }
    if (rcp_unpad_cbor(msrc, m->m1_len, &ua_msg_limits, cert_tre_len) != 0) {
        ret = ua_reject(s, RCP_ERR_PADDING, "M1 clear text is not a padded certificate");
        goto out;
    }
    memcpy(cert_tre, msrc, *cert_tre_len);
    rcp_trace_emit(sn->trace, "cert_tre", cert_tre, *cert_tre_len);
    /* VERIFY(CERT.PN)[CERT.TRE], then VERIFY(CERT.TRE)[ATK.TRE] */
    s->ops.verify++;
    ret = rcp_ccert_verify(sn->trust, cert_tre, *cert_tre_len, now, RCP_USAGE_SIGN, &tre, &why);
    if (ret) {
        ret = ua_reject(s, ret, "CERT.TRE: %s", why.text);
        goto out;
    }
    if ((uint64_t)tre.curve != c->curve) {
        ret = ua_reject(s, RCP_ERR_UNSUPPORTED, "CERT.TRE is on another curve");
        goto out;
    }
    s->ops.pkv_compressed++;
    ret = rcp_ccert_key(&tre, &tre_key);
    if (ret == 0) {
        s->ops.verify++;
        ret = ua_check_sig(atk->tbs, atk->tbs_len, atk->sig, tre_key);
    }
    rcp_ec_key_free(tre_key);
    if (ret) {
        ret = ua_reject(s, RCP_ERR_SIGNATURE, "ATK.TRE signature does not verify");
        goto out;
    }
    memcpy(tre_kid, tre.subject_kid, RCP_KID_LEN);
out:
    rcp_wipe(&ks1, sizeof ks1);
    rcp_wipe(shs, sizeof shs);
    rcp_wipe(msrc, sizeof msrc);
    return ret;
}

static int handle_tre_credentials(const rcp_ua_sn *sn, rcp_cbor_cursor *body, uint64_t now,
                                  rcp_step *s)
{
    struct ua_tre_credentials m;
    struct ua_atk_tre atk;
    struct sn_ctx c;
    uint8_t cert_tre[RCP_UA_CERT_MAX];
    uint8_t tok[UA_TOKEN_MAX], cookie[RCP_COOKIE_MAX];
    size_t cert_tre_len = 0, tok_len = 0, cookie_len = 0;
    if (ua_dec_tre_credentials(body, &m) || ua_dec_atk_tre(m.atk, m.atk_len, &atk))
        return ua_reject(s, RCP_ERR_DECODE, "TRE_CREDENTIALS is malformed");
    s->ops.open++;
    int ret = open_ctx(sn, COOKIE_ATTACH, m.cookie, m.cookie_len, now, &c);
    if (ret == RCP_ERR_EXPIRED)
        return ua_reject(s, ret, "challenge expired: start again");
    if (ret)
        return ua_reject(s, ret, "cookie is not one of this SN's (forged or altered)");
    const rcp_ua_sn_creds *cr = creds_for(sn, c.curve);
    /* The token must answer this session's challenge, for this SN, with the
     * suite and curve chosen from the offer the device really sent. */
    if (memcmp(atk.uuid, c.uuid, RCP_UUID_LEN) != 0)
        return ua_reject(s, RCP_ERR_PROTOCOL, "ATK.TRE is for another UUID");
    if (!rcp_ct_equal(atk.nonce, c.nonce, RCP_NONCE_LEN))
        return ua_reject(s, RCP_ERR_REPLAY, "ATK.TRE answers another challenge (replay)");
    if (memcmp(atk.is_sn, cr->ecka_kid, RCP_KID_LEN) != 0)
        return ua_reject(s, RCP_ERR_PROTOCOL, "ATK.TRE was made for another SN");
    if (atk.suite != c.suite || atk.curve != c.curve)
        return ua_reject(s, RCP_ERR_PROTOCOL,
                         "suite or curve differs from the one chosen "
                         "(downgrade attempt?)");
    if (!rcp_ct_equal(atk.h_m1, c.h_m1, RCP_UA_HASH_LEN))
        return ua_reject(s, RCP_ERR_PROTOCOL,
                         "ATTACH_REQUEST was altered in transit (offer stripped?)");
    ret = authenticate_tre(sn, cr, &m, &atk, &c, now, cert_tre, &cert_tre_len, c.tre_kid, s);
    if (ret)
        return ret;

    /* Step 2, after the TRE proved itself: ask the Authorization Server. */
    struct ua_authz_req req = {.sn_kid = sn->creds[0].ecdsa_kid,
                               .uuid = c.uuid,
                               .nonce = c.nonce,
                               .atk_tre = m.atk,
                               .atk_tre_len = m.atk_len,
                               .cert_tre = cert_tre,
                               .cert_tre_len = cert_tre_len,
                               .at = now};
    s->ops.sign++;
    ret = ua_enc_authz_req(sn->creds[0].ecdsa_key, &req, tok, sizeof tok, &tok_len);
    if (ret == 0) {
        s->ops.seal++;
        c.expires = now + sn->cookie_lifetime;
        ret = seal_ctx(sn, COOKIE_CONTEXT, &c, cookie, sizeof cookie, &cookie_len);
    }
    if (ret)
        return rcp_step_fail(s, ret, "cannot build the authorization request");
    rcp_cbor_enc e;
    rcp_out_msg *o = ua_out_begin(s, RCP_TO_AUTHS, RCP_UA_AUTHZ_REQUEST, 2, &e);
    snprintf(o->peer, sizeof o->peer, "%s", sn->auths[c.auths].fqdn);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, tok, tok_len);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, cookie, cookie_len);
    return rcp_cbor_enc_finish(&e, &o->len);
}

/* ------------------------------------------------ step 3 -> step 7 */

static int handle_authz_response(const rcp_ua_sn *sn, rcp_cbor_cursor *body, uint64_t now,
                                 rcp_step *s)
{
    const uint64_t keys[2] = {1, 2};
    const size_t mins[2] = {1, RCP_COOKIE_OVERHEAD}, maxs[2] = {UA_TOKEN_MAX, RCP_COOKIE_MAX};
    const uint8_t *v[2];
    size_t l[2];
    struct ua_authz z;
    struct sn_ctx c;
    uint8_t k[16], opc[16], shs[RCP_EC_MAX_SECRET];
    uint8_t clear[RCP_UA_CX_MAX + 16], m2[RCP_UA_CX_MAX + 16], h2[RCP_SEAL_HCHECK_LEN];
    uint8_t pk_sn[UA_PK_LEN], pk_tre_c[UA_PK_LEN], tok[UA_TOKEN_MAX];
    size_t clear_len = 0, m2_len = 0, shs_len = 0, tok_len = 0;
    rcp_provision_result pr;
    rcp_ua_cx_params cx;
    rcp_seal_keys ks2;
    rcp_ec_key *eph = NULL, *pk_tre = NULL;
    int ret;
    memset(&pr, 0, sizeof pr);
    memset(&cx, 0, sizeof cx);
    memset(&ks2, 0, sizeof ks2);

    if (ua_dec_bstr_map(body, 2, keys, mins, maxs, v, l) || ua_dec_authz(v[0], l[0], &z))
        return ua_reject(s, RCP_ERR_DECODE, "AUTHZ_RESPONSE is malformed");
    s->ops.open++;
    ret = open_ctx(sn, COOKIE_CONTEXT, v[1], l[1], now, &c);
    if (ret == RCP_ERR_EXPIRED)
        return ua_reject(s, ret, "authorization came too late: start again");
    if (ret)
        return ua_reject(s, ret, "context is not one of this SN's (forged or altered)");
    const rcp_ua_sn_creds *cr = creds_for(sn, c.curve);
    const rcp_ua_auths_agreement *ag = &sn->auths[c.auths];
    s->ops.verify++;
    if (ua_check_sig(z.tbs, z.tbs_len, z.sig, ag->key))
        return ua_reject(s, RCP_ERR_SIGNATURE, "authorization is not signed by '%s'", ag->fqdn);
    if (memcmp(z.uuid, c.uuid, RCP_UUID_LEN) != 0 || !rcp_ct_equal(z.nonce, c.nonce, RCP_NONCE_LEN))
        return ua_reject(s, RCP_ERR_PROTOCOL, "authorization is for another UUID or session");
    if (memcmp(z.sn_kid, sn->creds[0].ecdsa_kid, RCP_KID_LEN) != 0)
        return ua_reject(s, RCP_ERR_PROTOCOL, "authorization was issued to another SN");
    /* Racing attack: the UUID must belong to the TRE that authenticated. */
    if (memcmp(z.tre_kid, c.tre_kid, RCP_KID_LEN) != 0)
        return ua_reject(s, RCP_ERR_PROTOCOL, "UUID is registered for another TRE");
    if (now > z.expires)
        return ua_reject(s, RCP_ERR_EXPIRED, "authorization expired");

    /* Fresh subscriber secrets (used only if the UUID has no IMSI yet). */
    ret = rcp_rng_fill(sn->rng, k, sizeof k);
    if (ret == 0)
        ret = rcp_milenage_opc(k, sn->op, opc);
    if (ret) {
        ret = rcp_step_fail(s, ret, "cannot make subscriber keys");
        goto out;
    }
    rcp_provision_request preq = {.nonce = {0},
                                  .mcc = sn->mcc,
                                  .mnc = sn->mnc,
                                  .msin_first = sn->msin_first,
                                  .msin_last = sn->msin_last,
                                  .msin_digits = (unsigned)(15 - strlen(sn->mcc) - strlen(sn->mnc)),
                                  .auths = ag->fqdn,
                                  .k = k,
                                  .opc = opc,
                                  .consts = sn->consts};
    memcpy(preq.uuid, c.uuid, RCP_UUID_LEN);
    memcpy(preq.nonce, c.nonce, RCP_NONCE_LEN);
    memcpy(preq.authz_id, z.authz_id, RCP_AUTHZ_ID_LEN);
    memcpy(preq.tre_kid, c.tre_kid, RCP_KID_LEN);

    /* Compute everything that can fail before the store commits. */
    s->ops.keygen++;
    ret = rcp_ec_key_generate((rcp_curve)c.curve, sn->rng, &eph);
    if (ret == 0) {
        s->ops.pkv_uncompressed++;
        ret = rcp_ec_key_from_public((rcp_curve)c.curve, c.pk_tre, RCP_P256_POINT, &pk_tre);
    }
    if (ret == 0)
        ret = ua_pk(pk_tre, pk_tre_c); /* as the TRE signed it in ATK.TRE */
    if (ret == 0) {
        s->ops.ecdh++;
        ret = rcp_ecdh(eph, pk_tre, shs, sizeof shs, &shs_len);
    }
    if (ret == 0)
        ret = rcp_seal_derive(shs, shs_len, RCP_SEAL_KEY_TYPE_KS2, &ks2);
    if (ret == 0)
        ret = ua_pk(eph, pk_sn);
    if (ret) {
        ret = rcp_step_fail(s, ret, "key agreement KS2 failed");
        goto out;
    }
    if (sn->trace) {
        uint8_t sk[32];
        size_t sk_len = 0;
        if (rcp_ec_key_private(eph, sk, sizeof sk, &sk_len) == 0)
            rcp_trace_emit(sn->trace, "sk_sn_ecdhe", sk, sk_len);
        rcp_wipe(sk, sizeof sk);
        rcp_trace_emit(sn->trace, "pk_sn_ecdhe", pk_sn, UA_PK_LEN);
        rcp_trace_emit(sn->trace, "shs2", shs, shs_len);
        rcp_trace_emit(sn->trace, "ks2", ks2.ks[0], sizeof ks2.ks);
    }

    ret = rcp_store_provision(sn->store, &preq, now, &pr);
    if (ret == RCP_ERR_REPLAY) {
        ret = ua_reject(s, ret, "this session was already completed (replayed credentials?)");
        goto out;
    }
    if (ret == RCP_ERR_LIMIT) {
        ret = ua_reject(s, ret, "IMSI range of this SN is exhausted");
        goto out;
    }
    if (ret) {
        ret = ua_reject(s, ret, "store: %s", rcp_store_errmsg(sn->store));
        goto out;
    }

    /* CX_PARAMETERS, sealed under KS2 (step 6), signed in ATK.SN.ECDHE. */
    snprintf(cx.imsi, sizeof cx.imsi, "%s", pr.sub.imsi);
    memcpy(cx.k, pr.sub.k, 16);
    memcpy(cx.opc, pr.sub.opc, 16);
    cx.consts = pr.sub.consts;
    snprintf(cx.mcc, sizeof cx.mcc, "%s", sn->mcc);
    snprintf(cx.mnc, sizeof cx.mnc, "%s", sn->mnc);
    cx.data_limit = z.data_limit;
    cx.valid_until = z.expires;
    snprintf(cx.destination, sizeof cx.destination, "%.*s", (int)z.destination_len, z.destination);
    ret = ua_enc_cx(&cx, clear, sizeof clear, &clear_len);
    if (ret == 0) {
        s->ops.seal++;
        ret = rcp_seal((rcp_seal_suite)c.suite, &ks2, clear, clear_len, m2, sizeof m2, &m2_len, h2);
    }
    if (ret == 0) {
        rcp_trace_emit(sn->trace, "cx_parameters", clear, clear_len);
        rcp_trace_emit(sn->trace, "m2", m2, m2_len);
        rcp_trace_emit(sn->trace, "h2", h2, sizeof h2);
    }
    struct ua_atk_sn atk = {.pk = pk_sn,
                            .uuid = c.uuid,
                            .m2 = m2,
                            .m2_len = m2_len,
                            .h2 = h2,
                            .pk_tre = pk_tre_c,
                            .nonce = c.nonce,
                            .suite = c.suite,
                            .curve = c.curve,
                            .h_m1 = c.h_m1};
    if (ret == 0) {
        s->ops.sign++;
        ret = ua_enc_atk_sn(cr->ecdsa_key, &atk, tok, sizeof tok, &tok_len);
    }
    if (ret) {
        ret = rcp_step_fail(s, ret, "cannot seal the credentials");
        goto out;
    }
    rcp_cbor_enc e;
    rcp_out_msg *o = ua_out_begin(s, RCP_TO_DEVICE, RCP_UA_SN_CREDENTIALS, 2, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, tok, tok_len);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, cr->cert_ecdsa, cr->cert_ecdsa_len);
    ret = rcp_cbor_enc_finish(&e, &o->len);
out:
    rcp_ec_key_free(eph);
    rcp_ec_key_free(pk_tre);
    rcp_wipe(k, sizeof k);
    rcp_wipe(opc, sizeof opc);
    rcp_wipe(shs, sizeof shs);
    rcp_wipe(&ks2, sizeof ks2);
    rcp_wipe(clear, sizeof clear);
    rcp_wipe(&cx, sizeof cx);
    rcp_wipe(&pr, sizeof pr);
    return ret;
}

/* --------------------------------------------------------- AKA proof */

static int seal_aka(const rcp_ua_sn *sn, const struct aka_ctx *a, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    uint8_t buf[RCP_COOKIE_MAX];
    size_t n = 0;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, buf, sizeof buf);
    rcp_cbor_enc_array(&e, 5);
    rcp_cbor_enc_uint(&e, a->expires);
    rcp_cbor_enc_text(&e, a->imsi);
    rcp_cbor_enc_bstr(&e, a->rand, 16);
    rcp_cbor_enc_bstr(&e, a->xres, 8);
    rcp_cbor_enc_bstr(&e, a->kasme, 32);
    int ret = rcp_cbor_enc_finish(&e, &n);
    if (ret == 0)
        ret = rcp_cookie_seal(sn->cookie_key, COOKIE_AKA, sn->rng, buf, n, out, cap, out_len);
    rcp_wipe(buf, sizeof buf);
    return ret;
}

static int open_aka(const rcp_ua_sn *sn, const uint8_t *cookie, size_t len, uint64_t now,
                    struct aka_ctx *a)
{
    uint8_t buf[RCP_COOKIE_MAX];
    size_t n = 0, count = 0, imsi_len = 0;
    const char *imsi = NULL;
    rcp_cbor_cursor c;
    int ret = RCP_ERR_AUTH;
    memset(a, 0, sizeof *a);
    if (sn_cookie_open(sn, COOKIE_AKA, cookie, len, buf, sizeof buf, &n) != 0)
        goto out;
    if (rcp_cbor_decode_init(&c, buf, n, NULL) != 0 || rcp_cbor_expect_array(&c, &count) != 0 ||
        count != 5 || rcp_cbor_expect_uint(&c, &a->expires) != 0 ||
        rcp_cbor_expect_tstr(&c, &imsi, &imsi_len, 6, RCP_IMSI_MAX) != 0)
        goto out;
    memcpy(a->imsi, imsi, imsi_len);
    if (copy_bstr(&c, a->rand, 16) || copy_bstr(&c, a->xres, 8) || copy_bstr(&c, a->kasme, 32))
        goto out;
    ret = now > a->expires ? RCP_ERR_EXPIRED : RCP_OK;
out:
    rcp_wipe(buf, sizeof buf);
    if (ret)
        rcp_wipe(a, sizeof *a);
    return ret;
}

/* SQN_HE -> the SQN of the next vector (TS 33.102 C.3.2; after a
 * resynchronisation, from SQN_MS by 6.3.5). */
struct sqn_step {
    const rcp_sqn_scheme *scheme;
    const uint64_t *resync_sqn_ms;
};

static int next_sqn(void *ctx, uint64_t sqn_he, uint64_t *next)
{
    const struct sqn_step *st = ctx;
    uint64_t base = sqn_he;
    if (st->resync_sqn_ms) {
        int ret = rcp_aka_hss_sqn_after_resync(st->scheme, sqn_he, *st->resync_sqn_ms, &base);
        if (ret)
            return ret;
    }
    return rcp_aka_sqn_next(st->scheme, base, 0, next);
}

/* A new EPS AKA vector for imsi (SQN_HE advanced in one store transaction,
 * so two SN instances never issue the same SQN) -> AKA_CHALLENGE. */
static int send_challenge(const rcp_ua_sn *sn, const char *imsi, uint64_t now,
                          const uint64_t *resync_sqn_ms, rcp_dest to, rcp_step *s)
{
    rcp_hss_subscriber sub;
    rcp_milenage mil;
    rcp_aka_vector v;
    struct aka_ctx a;
    uint8_t sn_id[RCP_PLMN_LEN], cookie[RCP_COOKIE_MAX];
    size_t cookie_len = 0;
    uint64_t sqn = 0;
    int ret;
    memset(&mil, 0, sizeof mil);
    memset(&v, 0, sizeof v);
    memset(&a, 0, sizeof a);
    memset(&sub, 0, sizeof sub);
    struct sqn_step st = {&sn->sqn, resync_sqn_ms};
    ret = rcp_store_hss_advance(sn->store, imsi, next_sqn, &st, &sub);
    sqn = sub.sqn;
    if (ret == RCP_ERR_NOT_FOUND) {
        ret = ua_reject(s, ret, "IMSI %s is not a subscriber of this SN", imsi);
        goto out;
    }
    if (ret) {
        ret = ua_reject(s, ret, "HSS: %s", rcp_store_errmsg(sn->store));
        goto out;
    }
    rcp_milenage_init(&mil, sub.k, sub.opc, &sub.consts);
    ret = rcp_rng_fill(sn->rng, a.rand, sizeof a.rand);
    if (ret == 0)
        ret = rcp_plmn_encode(sn->mcc, sn->mnc, sn_id);
    if (ret == 0) /* TS 33.401 6.1.1: EPS vector with KASME for this SN */
        ret = rcp_aka_hss_vector(&mil, a.rand, sqn, sn->amf, sn_id, &v);
    if (ret) {
        ret = rcp_step_fail(s, ret, "cannot make an AKA vector");
        goto out;
    }
    snprintf(a.imsi, sizeof a.imsi, "%s", imsi);
    memcpy(a.xres, v.xres, 8);
    memcpy(a.kasme, v.kasme, 32);
    a.expires = now + sn->cookie_lifetime;
    s->ops.seal++;
    ret = seal_aka(sn, &a, cookie, sizeof cookie, &cookie_len);
    if (ret) {
        ret = rcp_step_fail(s, ret, "cannot seal the AKA context");
        goto out;
    }
    rcp_cbor_enc e;
    rcp_out_msg *o = ua_out_begin(s, to, RCP_UA_AKA_CHALLENGE, 3, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, v.rand, 16);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, v.autn, 16);
    rcp_cbor_enc_uint(&e, 3);
    rcp_cbor_enc_bstr(&e, cookie, cookie_len);
    ret = rcp_cbor_enc_finish(&e, &o->len);
out:
    rcp_wipe(&sub, sizeof sub);
    rcp_milenage_wipe(&mil);
    rcp_wipe(&v, sizeof v);
    rcp_wipe(&a, sizeof a);
    return ret;
}

static int handle_aka_attach(const rcp_ua_sn *sn, rcp_cbor_cursor *body, uint64_t now, rcp_step *s)
{
    size_t pairs = 0, n = 0;
    uint64_t k = 0;
    const char *imsi = NULL;
    char buf[RCP_IMSI_MAX + 1];
    if (rcp_cbor_expect_map(body, &pairs) != 0 || pairs != 1 ||
        rcp_cbor_expect_uint(body, &k) != 0 || k != 1 ||
        rcp_cbor_expect_tstr(body, &imsi, &n, RCP_IMSI_MAX, RCP_IMSI_MAX) != 0 ||
        rcp_cbor_expect_end(body) != 0)
        return ua_reject(s, RCP_ERR_DECODE, "AKA_ATTACH is malformed");
    /* The IMSI comes from the wire: 15 digits (what this SN allocates), or
     * the store would refuse it as a bad argument of the caller. */
    for (size_t i = 0; i < n; i++)
        if (imsi[i] < '0' || imsi[i] > '9')
            return ua_reject(s, RCP_ERR_DECODE, "AKA_ATTACH is malformed");
    memcpy(buf, imsi, n);
    buf[n] = '\0';
    /* Every HSS subscriber is an allocation of this SN (one transaction
     * makes both): the HSS lookup in send_challenge answers "not ours". */
    return send_challenge(sn, buf, now, NULL, RCP_TO_REPLY, s);
}

static const char k_confirm_label[] = "rcprov uuid-attach kasme confirmation";

/* Key confirmation: HMAC-SHA-256(K_NASint, label || RAND), first 16 bytes,
 * with K_NASint from KASME (TS 33.401 A.7, 128-EIA2). */
static int kasme_confirm(const uint8_t kasme[32], const uint8_t rand[16], uint8_t out[16])
{
    uint8_t knas[16], mac[RCP_SHA256_LEN];
    int ret = rcp_kdf_eps_alg_key(kasme, RCP_ALG_NAS_INT, RCP_EIA2, knas);
    if (ret == 0) {
        rcp_iov parts[2] = {{(const uint8_t *)k_confirm_label, sizeof k_confirm_label - 1},
                            {rand, 16}};
        ret = rcp_hmac_sha256_v(knas, sizeof knas, parts, 2, mac);
    }
    if (ret == 0)
        memcpy(out, mac, 16);
    rcp_wipe(knas, sizeof knas);
    rcp_wipe(mac, sizeof mac);
    return ret;
}

int rcp_ua_kasme_confirm(const uint8_t kasme[32], const uint8_t rand[16], uint8_t out[16]);
int rcp_ua_kasme_confirm(const uint8_t kasme[32], const uint8_t rand[16], uint8_t out[16])
{
    return kasme_confirm(kasme, rand, out);
}

static int send_ack(const rcp_ua_sn *sn, const rcp_allocation *al, uint64_t now, rcp_step *s)
{
    uint8_t tok[UA_TOKEN_MAX];
    size_t tok_len = 0;
    /* Signed with the primary key: AuthS agreements name the SN by it. */
    const rcp_ua_sn_creds *cr = &sn->creds[0];
    int ret = 0;
    struct ua_ack t = {
        .authz_id = al->authz_id, .uuid = al->uuid, .sn_kid = cr->ecdsa_kid, .at = now};
    if (ret == 0) {
        s->ops.sign++;
        ret = ua_enc_ack(cr->ecdsa_key, &t, tok, sizeof tok, &tok_len);
    }
    if (ret)
        return rcp_step_fail(s, ret, "cannot sign the acknowledgement");
    rcp_cbor_enc e;
    rcp_out_msg *o = ua_out_begin(s, RCP_TO_AUTHS, RCP_UA_ACK, 1, &e);
    snprintf(o->peer, sizeof o->peer, "%s", al->auths);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, tok, tok_len);
    return rcp_cbor_enc_finish(&e, &o->len);
}

static int handle_aka_response(const rcp_ua_sn *sn, rcp_cbor_cursor *body, uint64_t now,
                               rcp_step *s)
{
    size_t pairs = 0, n = 0, cookie_len = 0;
    uint64_t k1 = 0, k3 = 0;
    const uint8_t *val = NULL, *cookie = NULL;
    struct aka_ctx a;
    rcp_allocation al;
    uint8_t confirm[16];
    int ret;
    if (rcp_cbor_expect_map(body, &pairs) != 0 || pairs != 2 ||
        rcp_cbor_expect_uint(body, &k1) != 0 || (k1 != 1 && k1 != 2) ||
        rcp_cbor_expect_bstr(body, &val, &n, k1 == 1 ? 8 : RCP_AUTS_LEN,
                             k1 == 1 ? 8 : RCP_AUTS_LEN) != 0 ||
        rcp_cbor_expect_uint(body, &k3) != 0 || k3 != 3 ||
        rcp_cbor_expect_bstr(body, &cookie, &cookie_len, RCP_COOKIE_OVERHEAD, RCP_COOKIE_MAX) !=
            0 ||
        rcp_cbor_expect_end(body) != 0)
        return ua_reject(s, RCP_ERR_DECODE, "AKA_RESPONSE is malformed");
    s->ops.open++;
    ret = open_aka(sn, cookie, cookie_len, now, &a);
    if (ret == RCP_ERR_EXPIRED)
        return ua_reject(s, ret, "AKA challenge expired: attach again");
    if (ret)
        return ua_reject(s, ret, "AKA context is not one of this SN's (forged or altered)");
    if (k1 == 2) {
        /* Synchronisation failure: verify AUTS, resynchronise, new vector. */
        rcp_hss_subscriber sub;
        rcp_milenage mil;
        uint64_t sqn_ms = 0;
        ret = rcp_store_hss_get(sn->store, a.imsi, &sub);
        if (ret == 0) {
            rcp_milenage_init(&mil, sub.k, sub.opc, &sub.consts);
            ret = rcp_aka_hss_resync(&mil, a.rand, val, &sqn_ms);
            rcp_milenage_wipe(&mil);
        }
        rcp_wipe(&sub, sizeof sub);
        if (ret == RCP_ERR_AKA_MAC)
            ret = ua_reject(s, RCP_ERR_AUTH, "AUTS does not verify");
        else if (ret)
            ret = ua_reject(s, ret, "HSS: %s", rcp_store_errmsg(sn->store));
        else
            ret = send_challenge(sn, a.imsi, now, &sqn_ms, RCP_TO_REPLY, s);
        rcp_wipe(&a, sizeof a);
        return ret;
    }
    /* TS 33.401 6.1.1: the MME compares RES with XRES. */
    if (!rcp_ct_equal(val, a.xres, 8)) {
        ret = ua_reject(s, RCP_ERR_AUTH, "RES does not match XRES");
        goto out;
    }
    ret = kasme_confirm(a.kasme, a.rand, confirm);
    if (ret) {
        ret = rcp_step_fail(s, ret, "cannot compute the KASME confirmation");
        goto out;
    }
    /* One transaction: this AKA run completes once (RAND consumed), and the
     * allocation moves to AKA_OK. */
    ret = rcp_store_aka_complete(sn->store, a.imsi, a.rand, now, &al);
    if (ret == RCP_ERR_REPLAY) {
        ret = ua_reject(s, ret, "this AKA run was already completed (replayed response)");
        goto out;
    }
    if (ret) {
        ret = ua_reject(s, ret, "store: %s", rcp_store_errmsg(sn->store));
        goto out;
    }
    rcp_cbor_enc e;
    rcp_out_msg *o = ua_out_begin(s, RCP_TO_REPLY, RCP_UA_AKA_RESULT, 1, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, confirm, 16);
    ret = rcp_cbor_enc_finish(&e, &o->len);
    /* Step 9: acknowledge to the Authorization Server, after AKA. */
    if (ret == 0 && al.state != RCP_ALLOC_ACKED)
        ret = send_ack(sn, &al, now, s);
out:
    rcp_wipe(&a, sizeof a);
    return ret;
}

static int handle_ack_response(const rcp_ua_sn *sn, rcp_cbor_cursor *body, rcp_step *s)
{
    size_t pairs = 0;
    uint64_t k = 0;
    const uint8_t *authz_id = NULL, *uuid = NULL;
    size_t n = 0;
    if (rcp_cbor_expect_map(body, &pairs) != 0 || pairs != 2 ||
        rcp_cbor_expect_uint(body, &k) != 0 || k != 1 ||
        rcp_cbor_expect_bstr(body, &authz_id, &n, RCP_AUTHZ_ID_LEN, RCP_AUTHZ_ID_LEN) != 0 ||
        rcp_cbor_expect_uint(body, &k) != 0 || k != 2 ||
        rcp_cbor_expect_bstr(body, &uuid, &n, RCP_UUID_LEN, RCP_UUID_LEN) != 0 ||
        rcp_cbor_expect_end(body) != 0)
        return rcp_step_fail(s, RCP_ERR_DECODE, "ACK_RESPONSE is malformed");
    int ret = rcp_store_alloc_acked(sn->store, uuid, authz_id);
    if (ret)
        return rcp_step_fail(s, ret, "acknowledgement not recorded: %s",
                             rcp_store_errmsg(sn->store));
    s->done = 1;
    return RCP_OK;
}

/* An Authorization Server refused: pass its reason on to the device. */
static int handle_auths_error(rcp_cbor_cursor *body, rcp_step *s)
{
    int code = 0;
    char reason[RCP_ERROR_REASON_MAX + 1];
    if (rcp_error_msg_decode(body, &code, reason, sizeof reason) != 0)
        return rcp_step_fail(s, RCP_ERR_DECODE, "error message is malformed");
    code = rcp_error_from_peer(code);
    rcp_step_fail(s, code, "Authorization Server: %s", reason);
    rcp_out_msg *m = rcp_step_out(s, RCP_TO_DEVICE, RCP_MSG_ERROR);
    if (m && rcp_error_msg_encode(code, s->why, m->buf, sizeof m->buf, &m->len) != 0)
        s->n_out--;
    return code;
}

int rcp_ua_sn_resend_acks(const rcp_ua_sn *sn, size_t *cursor, rcp_step *out)
{
    rcp_allocation al[64];
    size_t n = 0;
    if (sn == NULL || cursor == NULL || out == NULL || sn->n_creds == 0)
        return RCP_ERR_INVALID_ARG;
    rcp_step_init(out);
    size_t want = *cursor + RCP_STEP_MAX_OUT;
    if (want > sizeof al / sizeof al[0]) {
        *cursor = 0;
        want = RCP_STEP_MAX_OUT;
    }
    int ret = rcp_store_alloc_pending_acks(sn->store, al, want, &n);
    if (ret)
        return rcp_step_fail(out, ret, "listing acknowledgements due: %s",
                             rcp_store_errmsg(sn->store));
    uint64_t now = rcp_clock_now(sn->clock);
    size_t i = *cursor < n ? *cursor : 0;
    for (; ret == 0 && i < n && out->n_out < RCP_STEP_MAX_OUT; i++)
        ret = send_ack(sn, &al[i], now, out);
    /* Next time: the ones after these, or from the start again. */
    *cursor = i < n ? i : 0;
    return ret;
}

int rcp_ua_sn_handle(const rcp_ua_sn *sn, const uint8_t *msg, size_t len, rcp_step *out)
{
    rcp_envelope env;
    if (sn == NULL || out == NULL || (msg == NULL && len != 0) || sn->n_creds == 0)
        return RCP_ERR_INVALID_ARG;
    rcp_step_init(out);
    if (rcp_envelope_decode(&env, msg, len, &ua_msg_limits, NULL) != 0)
        return ua_reject(out, RCP_ERR_DECODE, "not an rcprov message");
    uint64_t now = rcp_clock_now(sn->clock);
    switch (env.type) {
    case RCP_UA_ATTACH_REQUEST:
        return handle_attach_request(sn, msg, len, &env.body, now, out);
    case RCP_UA_TRE_CREDENTIALS:
        return handle_tre_credentials(sn, &env.body, now, out);
    case RCP_UA_AUTHZ_RESPONSE:
        return handle_authz_response(sn, &env.body, now, out);
    case RCP_UA_AKA_ATTACH:
        return handle_aka_attach(sn, &env.body, now, out);
    case RCP_UA_AKA_RESPONSE:
        return handle_aka_response(sn, &env.body, now, out);
    case RCP_UA_ACK_RESPONSE:
        return handle_ack_response(sn, &env.body, out);
    case RCP_MSG_ERROR:
        return handle_auths_error(&env.body, out);
    default:
        return ua_reject(out, RCP_ERR_PROTOCOL, "message type %llu is not for a Serving Network",
                         (unsigned long long)env.type);
    }
}
