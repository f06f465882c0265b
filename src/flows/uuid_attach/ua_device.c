/*
 * uuid-attach: the device (ME + TRE).  The TRE holds SK.TRE.ECDSA, CERT.TRE,
 * CERT.PN, the CI anchors and K_TRESI; it makes the ephemeral keys, signs
 * ATK.TRE.ECDHE and opens the credentials.  The ME moves the messages.
 * Every check of a received message is done before the state changes.
 */
#include <stdio.h>
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/kdf3gpp.h"
#include "ua_internal.h"

int rcp_ua_kasme_confirm(const uint8_t kasme[32], const uint8_t rand[16], uint8_t out[16]);

void rcp_ua_device_init(rcp_ua_device *d, const rcp_ua_tre_creds *tre,
                        const uint8_t uuid[RCP_UUID_LEN], const char *auths_fqdn,
                        const rcp_rng *rng, const rcp_clock *clock)
{
    memset(d, 0, sizeof *d);
    d->tre = tre;
    memcpy(d->uuid, uuid, RCP_UUID_LEN);
    snprintf(d->auths_fqdn, sizeof d->auths_fqdn, "%s", auths_fqdn);
    d->suites[0] = RCP_SUITE_GCM;
    d->suites[1] = RCP_SUITE_CBC_HMAC;
    d->n_suites = 2;
    d->rng = rng;
    d->clock = clock;
    rcp_sqn_scheme_default(&d->sqn);
    d->state = RCP_UA_DEV_IDLE;
}

void rcp_ua_device_wipe(rcp_ua_device *d)
{
    if (d)
        rcp_wipe(d, sizeof *d);
}

static rcp_out_msg *begin(rcp_step *s, uint32_t type, size_t pairs, rcp_cbor_enc *e)
{
    return ua_out_begin(s, RCP_TO_SN, type, pairs, e);
}

static int send_aka_attach(rcp_ua_device *d, rcp_step *s)
{
    rcp_cbor_enc e;
    rcp_out_msg *m = begin(s, RCP_UA_AKA_ATTACH, 1, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_text(&e, d->cx.imsi);
    int ret = rcp_cbor_enc_finish(&e, &m->len);
    if (ret == 0)
        d->state = RCP_UA_DEV_WAIT_AKA_CHALLENGE;
    return ret;
}

int rcp_ua_device_start(rcp_ua_device *d, rcp_step *out)
{
    if (d == NULL || out == NULL || d->tre == NULL)
        return RCP_ERR_INVALID_ARG;
    rcp_step_init(out);
    if (d->state == RCP_UA_DEV_DONE)
        return rcp_step_fail(out, RCP_ERR_STATE, "device is already provisioned and verified");
    if (d->state >= RCP_UA_DEV_PROVISIONED)
        return send_aka_attach(d, out);
    /* Step 1: Attach Request (UUID | AuthS FQDN | slice select type), with
     * the offer of seal suites and curves. */
    rcp_wipe(d->sk_ecdhe, sizeof d->sk_ecdhe);
    rcp_cbor_enc e;
    rcp_out_msg *m = begin(out, RCP_UA_ATTACH_REQUEST, 5, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, d->uuid, RCP_UUID_LEN);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_text(&e, d->auths_fqdn);
    rcp_cbor_enc_uint(&e, 3);
    rcp_cbor_enc_uint(&e, RCP_UA_SLICE_INITIAL_ATTACH);
    rcp_cbor_enc_uint(&e, 4);
    rcp_cbor_enc_array(&e, d->n_suites);
    for (size_t i = 0; i < d->n_suites; i++)
        rcp_cbor_enc_uint(&e, d->suites[i]);
    rcp_cbor_enc_uint(&e, 5);
    rcp_cbor_enc_array(&e, 1);
    rcp_cbor_enc_uint(&e, d->tre->curve);
    int ret = rcp_cbor_enc_finish(&e, &m->len);
    if (ret == 0)
        ret = ua_hash(m->buf, m->len, d->h_m1);
    if (ret)
        return rcp_step_fail(out, ret, "cannot build ATTACH_REQUEST");
    d->state = RCP_UA_DEV_WAIT_CHALLENGE;
    return RCP_OK;
}

static int offered(const rcp_ua_device *d, uint64_t suite)
{
    for (size_t i = 0; i < d->n_suites; i++)
        if ((uint64_t)d->suites[i] == suite)
            return 1;
    return 0;
}

/* Step 4 -> step 5. */
static int handle_challenge(rcp_ua_device *d, rcp_cbor_cursor *body, uint64_t now, rcp_step *s)
{
    struct ua_challenge m;
    rcp_ccert sn_cert;
    rcp_cert_why why;
    rcp_ec_key *sn_ecka = NULL, *eph = NULL;
    rcp_seal_keys ks1;
    uint8_t shs[RCP_EC_MAX_SECRET], m1[RCP_UA_CERT_MAX + 16], h1[RCP_SEAL_HCHECK_LEN];
    uint8_t pk[UA_PK_LEN], tok[UA_TOKEN_MAX], sk[32];
    size_t shs_len = 0, m1_len = 0, tok_len = 0, sk_len = 0;
    int ret;
    memset(&ks1, 0, sizeof ks1);
    if (ua_dec_challenge(body, &m))
        return rcp_step_fail(s, RCP_ERR_DECODE, "SN_CHALLENGE is malformed");
    if (!offered(d, m.suite))
        return rcp_step_fail(s, RCP_ERR_PROTOCOL, "SN chose a seal suite the device did not offer");
    /* Step 5: VERIFY(CERT.CI)[CERT.SN.ECKA] */
    s->ops.verify++;
    ret = rcp_ccert_verify(d->tre->trust, m.cert_ecka, m.cert_ecka_len, now, RCP_USAGE_AGREE,
                           &sn_cert, &why);
    if (ret)
        return rcp_step_fail(s, ret, "CERT.SN.ECKA: %s", why.text);
    if (sn_cert.curve != d->tre->curve)
        return rcp_step_fail(s, RCP_ERR_UNSUPPORTED, "CERT.SN.ECKA is on another curve");
    /* {SK,PK}.TRE.ECDHE; KS1 = DERIVE(SK.TRE.ECDHE)[CERT.SN.ECKA] (ECKA-EG) */
    s->ops.keygen++;
    ret = rcp_ec_key_generate(d->tre->curve, d->rng, &eph);
    if (ret == 0) {
        s->ops.pkv_compressed++;
        ret = rcp_ccert_key(&sn_cert, &sn_ecka);
    }
    if (ret == 0) {
        s->ops.ecdh++;
        ret = rcp_ecdh(eph, sn_ecka, shs, sizeof shs, &shs_len);
    }
    if (ret == 0)
        ret = rcp_seal_derive(shs, shs_len, RCP_SEAL_KEY_TYPE_KS1, &ks1);
    /* {M1, H1} = ENCRYPT(KS1)[CERT.TRE.ECDSA] */
    if (ret == 0) {
        s->ops.seal++;
        ret = rcp_seal((rcp_seal_suite)m.suite, &ks1, d->tre->cert_tre, d->tre->cert_tre_len, m1,
                       sizeof m1, &m1_len, h1);
    }
    if (ret == 0)
        ret = ua_pk(eph, pk);
    if (ret == 0)
        ret = rcp_ec_key_private(eph, sk, sizeof sk, &sk_len);
    if (ret == 0) {
        rcp_trace_emit(d->trace, "sk_tre_ecdhe", sk, sk_len);
        rcp_trace_emit(d->trace, "pk_tre_ecdhe", pk, UA_PK_LEN);
        rcp_trace_emit(d->trace, "shs1", shs, shs_len);
        rcp_trace_emit(d->trace, "ks1", ks1.ks[0], sizeof ks1.ks);
        rcp_trace_emit(d->trace, "m1", m1, m1_len);
        rcp_trace_emit(d->trace, "h1", h1, sizeof h1);
    }
    /* ATK.TRE.ECDHE = SIGN(SK.TRE.ECDSA)[PK.TRE.ECDHE, IsSN, UUID, nonce,
     * suite, curve, h(M1)] */
    struct ua_atk_tre atk = {.pk = pk,
                             .is_sn = sn_cert.subject_kid,
                             .uuid = d->uuid,
                             .nonce = m.nonce,
                             .suite = m.suite,
                             .curve = (uint64_t)d->tre->curve,
                             .h_m1 = d->h_m1};
    if (ret == 0) {
        s->ops.sign++;
        ret = ua_enc_atk_tre(d->tre->key, &atk, tok, sizeof tok, &tok_len);
    }
    if (ret) {
        ret = rcp_step_fail(s, ret, "cannot build the TRE credentials");
        goto out;
    }
    rcp_cbor_enc e;
    rcp_out_msg *o = begin(s, RCP_UA_TRE_CREDENTIALS, 5, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, tok, tok_len);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, d->tre->cert_pn, d->tre->cert_pn_len);
    rcp_cbor_enc_uint(&e, 3);
    rcp_cbor_enc_bstr(&e, m1, m1_len);
    rcp_cbor_enc_uint(&e, 4);
    rcp_cbor_enc_bstr(&e, h1, sizeof h1);
    rcp_cbor_enc_uint(&e, 5);
    rcp_cbor_enc_bstr(&e, m.cookie, m.cookie_len);
    ret = rcp_cbor_enc_finish(&e, &o->len);
    if (ret) {
        s->n_out--;
        ret = rcp_step_fail(s, ret, "TRE_CREDENTIALS does not fit");
        goto out;
    }
    /* Commit: the exchange's state. */
    memcpy(d->sk_ecdhe, sk, sizeof sk);
    memcpy(d->pk_ecdhe, pk, UA_PK_LEN);
    memcpy(d->nonce, m.nonce, RCP_NONCE_LEN);
    memcpy(d->sn_ecka_kid, sn_cert.subject_kid, RCP_KID_LEN);
    snprintf(d->sn_subject, sizeof d->sn_subject, "%.*s", (int)sn_cert.subject_len,
             sn_cert.subject);
    d->suite = (rcp_seal_suite)m.suite;
    d->state = RCP_UA_DEV_WAIT_CREDENTIALS;
out:
    rcp_ec_key_free(eph);
    rcp_ec_key_free(sn_ecka);
    rcp_wipe(&ks1, sizeof ks1);
    rcp_wipe(shs, sizeof shs);
    rcp_wipe(sk, sizeof sk);
    return ret;
}

/* Step 7 -> step 8. */
static int handle_credentials(rcp_ua_device *d, rcp_cbor_cursor *body, uint64_t now, rcp_step *s)
{
    struct ua_sn_credentials m;
    struct ua_atk_sn atk;
    rcp_ccert cert;
    rcp_cert_why why;
    rcp_ec_key *sn_key = NULL, *eph = NULL, *pk_sn = NULL;
    rcp_seal_keys ks2;
    rcp_ua_cx_params cx;
    uint8_t shs[RCP_EC_MAX_SECRET], clear[RCP_UA_CX_MAX + 16];
    size_t shs_len = 0, clear_len = 0;
    int ret;
    memset(&ks2, 0, sizeof ks2);
    memset(&cx, 0, sizeof cx);
    if (ua_dec_sn_credentials(body, &m) || ua_dec_atk_sn(m.atk, m.atk_len, &atk))
        return rcp_step_fail(s, RCP_ERR_DECODE, "SN_CREDENTIALS is malformed");
    /* VERIFY(CERT.CI)[CERT.SN.ECDSA]; it must name the SN whose ECKA key the
     * device used, or another SN that saw the TRE's message could answer. */
    s->ops.verify++;
    ret = rcp_ccert_verify(d->tre->trust, m.cert_ecdsa, m.cert_ecdsa_len, now, RCP_USAGE_SIGN,
                           &cert, &why);
    if (ret)
        return rcp_step_fail(s, ret, "CERT.SN.ECDSA: %s", why.text);
    if (cert.subject_len != strlen(d->sn_subject) ||
        memcmp(cert.subject, d->sn_subject, cert.subject_len) != 0)
        return rcp_step_fail(s, RCP_ERR_PROTOCOL,
                             "CERT.SN.ECDSA names another SN than CERT.SN.ECKA");
    /* VERIFY(CERT.SN.ECDSA)[ATK.SN.ECDHE], bound to this session. */
    s->ops.pkv_compressed++;
    ret = rcp_ccert_key(&cert, &sn_key);
    if (ret == 0) {
        s->ops.verify++;
        ret = ua_check_sig(atk.tbs, atk.tbs_len, atk.sig, sn_key);
    }
    rcp_ec_key_free(sn_key);
    if (ret)
        return rcp_step_fail(s, RCP_ERR_SIGNATURE, "ATK.SN signature does not verify");
    if (memcmp(atk.uuid, d->uuid, RCP_UUID_LEN) != 0 ||
        !rcp_ct_equal(atk.pk_tre, d->pk_ecdhe, UA_PK_LEN) ||
        !rcp_ct_equal(atk.nonce, d->nonce, RCP_NONCE_LEN))
        return rcp_step_fail(s, RCP_ERR_REPLAY, "ATK.SN is not for this session (replay?)");
    if (atk.suite != (uint64_t)d->suite || atk.curve != (uint64_t)d->tre->curve ||
        !rcp_ct_equal(atk.h_m1, d->h_m1, RCP_UA_HASH_LEN))
        return rcp_step_fail(s, RCP_ERR_PROTOCOL,
                             "ATK.SN signs another offer, suite or curve (downgrade?)");
    /* KS2 = DERIVE(SK.TRE.ECDHE)[PK.SN.ECDHE] (ECKA-DH: forward secrecy) */
    ret = rcp_ec_key_from_private(d->tre->curve, d->sk_ecdhe, sizeof d->sk_ecdhe, &eph);
    if (ret == 0) {
        s->ops.pkv_compressed++;
        ret = rcp_ec_key_from_public(d->tre->curve, atk.pk, UA_PK_LEN, &pk_sn);
    }
    if (ret == 0) {
        s->ops.ecdh++;
        ret = rcp_ecdh(eph, pk_sn, shs, sizeof shs, &shs_len);
    }
    if (ret == 0)
        ret = rcp_seal_derive(shs, shs_len, RCP_SEAL_KEY_TYPE_KS2, &ks2);
    if (ret) {
        ret = rcp_step_fail(s, ret == RCP_ERR_POINT_INVALID ? ret : RCP_ERR_CRYPTO,
                            "key agreement KS2 failed");
        goto out;
    }
    /* CX_PARAMETERS = DECRYPT(KS2, H2)[M2] */
    s->ops.open++;
    if (atk.m2_len > sizeof clear ||
        rcp_seal_open(d->suite, &ks2, atk.m2, atk.m2_len, atk.h2, clear, sizeof clear) != 0) {
        ret = rcp_step_fail(s, RCP_ERR_AUTH, "M2/H2 integrity check failed");
        goto out;
    }
    if (rcp_unpad_cbor(clear, atk.m2_len, &ua_msg_limits, &clear_len) != 0 ||
        ua_dec_cx(clear, clear_len, &cx) != 0) {
        ret = rcp_step_fail(s, RCP_ERR_DECODE, "CX_PARAMETERS are malformed");
        goto out;
    }
    rcp_trace_emit(d->trace, "shs2", shs, shs_len);
    rcp_trace_emit(d->trace, "ks2", ks2.ks[0], sizeof ks2.ks);
    rcp_trace_emit(d->trace, "cx_parameters", clear, clear_len);
    /* Commit: keep the credentials, forget the ephemeral key, go to AKA. */
    d->cx = cx;
    rcp_usim_sqn_init(&d->usim, &d->sqn);
    rcp_wipe(d->sk_ecdhe, sizeof d->sk_ecdhe);
    d->state = RCP_UA_DEV_PROVISIONED;
    ret = send_aka_attach(d, s);
out:
    rcp_ec_key_free(eph);
    rcp_ec_key_free(pk_sn);
    rcp_wipe(&ks2, sizeof ks2);
    rcp_wipe(shs, sizeof shs);
    rcp_wipe(clear, sizeof clear);
    rcp_wipe(&cx, sizeof cx);
    return ret;
}

static int handle_aka_challenge(rcp_ua_device *d, rcp_cbor_cursor *body, rcp_step *s)
{
    const uint64_t keys[3] = {1, 2, 3};
    const size_t mins[3] = {16, 16, RCP_COOKIE_OVERHEAD}, maxs[3] = {16, 16, RCP_COOKIE_MAX};
    const uint8_t *v[3];
    size_t l[3];
    rcp_milenage mil;
    rcp_usim_result r;
    rcp_usim_sqn next = d->usim;
    uint8_t sn_id[RCP_PLMN_LEN], kasme[32];
    int ret;
    if (ua_dec_bstr_map(body, 3, keys, mins, maxs, v, l))
        return rcp_step_fail(s, RCP_ERR_DECODE, "AKA_CHALLENGE is malformed");
    rcp_milenage_init(&mil, d->cx.k, d->cx.opc, &d->cx.consts);
    /* USIM: TS 33.102 6.3.3 (MAC, AMF separation bit, SQN). */
    ret = rcp_usim_authenticate(&next, &mil, v[0], v[1], &r);
    rcp_milenage_wipe(&mil);
    rcp_cbor_enc e;
    if (ret == RCP_ERR_AKA_SYNC) {
        rcp_out_msg *o = begin(s, RCP_UA_AKA_RESPONSE, 2, &e);
        rcp_cbor_enc_uint(&e, 2);
        rcp_cbor_enc_bstr(&e, r.auts, RCP_AUTS_LEN);
        rcp_cbor_enc_uint(&e, 3);
        rcp_cbor_enc_bstr(&e, v[2], l[2]);
        ret = rcp_cbor_enc_finish(&e, &o->len);
        rcp_wipe(&r, sizeof r);
        return ret;
    }
    if (ret) {
        rcp_wipe(&r, sizeof r);
        return rcp_step_fail(s, ret, "network authentication failed (%s)", rcp_strerror(ret));
    }
    /* KASME = KDF(CK||IK, SN id, SQN xor AK) (TS 33.401 A.2) */
    ret = rcp_plmn_encode(d->cx.mcc, d->cx.mnc, sn_id);
    if (ret == 0)
        ret = rcp_kdf_kasme(r.ck, r.ik, sn_id, v[1], kasme);
    if (ret == 0) {
        rcp_out_msg *o = begin(s, RCP_UA_AKA_RESPONSE, 2, &e);
        rcp_cbor_enc_uint(&e, 1);
        rcp_cbor_enc_bstr(&e, r.res, 8);
        rcp_cbor_enc_uint(&e, 3);
        rcp_cbor_enc_bstr(&e, v[2], l[2]);
        ret = rcp_cbor_enc_finish(&e, &o->len);
    }
    if (ret == 0) {
        d->usim = next;
        memcpy(d->kasme, kasme, 32);
        memcpy(d->rand, v[0], 16);
        d->state = RCP_UA_DEV_WAIT_AKA_RESULT;
    } else {
        rcp_step_fail(s, ret, "cannot answer the AKA challenge");
    }
    rcp_wipe(&r, sizeof r);
    rcp_wipe(kasme, sizeof kasme);
    return ret;
}

static int handle_aka_result(rcp_ua_device *d, rcp_cbor_cursor *body, rcp_step *s)
{
    const uint64_t keys[1] = {1};
    const size_t mins[1] = {16}, maxs[1] = {16};
    const uint8_t *v[1];
    size_t l[1];
    uint8_t want[16];
    if (ua_dec_bstr_map(body, 1, keys, mins, maxs, v, l))
        return rcp_step_fail(s, RCP_ERR_DECODE, "AKA_RESULT is malformed");
    int ret = rcp_ua_kasme_confirm(d->kasme, d->rand, want);
    if (ret == 0 && !rcp_ct_equal(want, v[0], 16))
        ret = RCP_ERR_AUTH;
    rcp_wipe(want, sizeof want);
    if (ret)
        return rcp_step_fail(s, ret, "KASME confirmation failed: the SN holds another KASME");
    d->state = RCP_UA_DEV_DONE;
    s->done = 1;
    return RCP_OK;
}

int rcp_ua_device_handle(rcp_ua_device *d, const uint8_t *msg, size_t len, rcp_step *out)
{
    rcp_envelope env;
    if (d == NULL || out == NULL || (msg == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    rcp_step_init(out);
    if (rcp_envelope_decode(&env, msg, len, &ua_msg_limits, NULL) != 0)
        return rcp_step_fail(out, RCP_ERR_DECODE, "not an rcprov message");
    uint64_t now = rcp_clock_now(d->clock);
    if (env.type == RCP_MSG_ERROR) {
        int code = 0;
        char reason[RCP_ERROR_REASON_MAX + 1];
        if (rcp_error_msg_decode(&env.body, &code, reason, sizeof reason) != 0)
            return rcp_step_fail(out, RCP_ERR_DECODE, "error message is malformed");
        return rcp_step_fail(out, rcp_error_from_peer(code), "network refused: %s", reason);
    }
    rcp_ua_dev_state want = env.type == RCP_UA_SN_CHALLENGE     ? RCP_UA_DEV_WAIT_CHALLENGE
                            : env.type == RCP_UA_SN_CREDENTIALS ? RCP_UA_DEV_WAIT_CREDENTIALS
                            : env.type == RCP_UA_AKA_CHALLENGE  ? RCP_UA_DEV_WAIT_AKA_CHALLENGE
                            : env.type == RCP_UA_AKA_RESULT     ? RCP_UA_DEV_WAIT_AKA_RESULT
                                                                : RCP_UA_DEV_IDLE;
    if (want == RCP_UA_DEV_IDLE)
        return rcp_step_fail(out, RCP_ERR_PROTOCOL, "message type %llu is not for a device",
                             (unsigned long long)env.type);
    if (d->state != want)
        return rcp_step_fail(out, RCP_ERR_STATE, "message type %llu is not expected now",
                             (unsigned long long)env.type);
    switch (want) {
    case RCP_UA_DEV_WAIT_CHALLENGE:
        return handle_challenge(d, &env.body, now, out);
    case RCP_UA_DEV_WAIT_CREDENTIALS:
        return handle_credentials(d, &env.body, now, out);
    case RCP_UA_DEV_WAIT_AKA_CHALLENGE:
        return handle_aka_challenge(d, &env.body, out);
    default:
        return handle_aka_result(d, &env.body, out);
    }
}

void rcp_ua_device_copy_state(rcp_ua_device *to, const rcp_ua_device *from)
{
    to->state = from->state;
    memcpy(to->h_m1, from->h_m1, sizeof to->h_m1);
    memcpy(to->sk_ecdhe, from->sk_ecdhe, sizeof to->sk_ecdhe);
    memcpy(to->pk_ecdhe, from->pk_ecdhe, sizeof to->pk_ecdhe);
    memcpy(to->nonce, from->nonce, sizeof to->nonce);
    to->suite = from->suite;
    memcpy(to->sn_ecka_kid, from->sn_ecka_kid, sizeof to->sn_ecka_kid);
    memcpy(to->sn_subject, from->sn_subject, sizeof to->sn_subject);
    to->cx = from->cx;
    to->usim = from->usim;
    memcpy(to->kasme, from->kasme, sizeof to->kasme);
    memcpy(to->rand, from->rand, sizeof to->rand);
}
