/* uuid-attach: Authorization Server and SP/OEM roles. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rcprov/bytes.h"
#include "ua_internal.h"

/* ================================================================ SP/OEM */

int rcp_ua_sp_register(const rcp_ua_sp *sp, const uint8_t uuid[RCP_UUID_LEN],
                       const uint8_t tre_kid[RCP_KID_LEN], uint32_t max_authorizations,
                       rcp_out_msg *out)
{
    uint8_t sp_kid[RCP_KID_LEN], tok[UA_TOKEN_MAX];
    size_t tok_len = 0;
    if (sp == NULL || sp->key == NULL || uuid == NULL || tre_kid == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    if (max_authorizations < 1 || max_authorizations > 16)
        return RCP_ERR_RANGE;
    int ret = rcp_key_id(sp->key, sp_kid);
    if (ret)
        return ret;
    struct ua_register t = {.sp_kid = sp_kid,
                            .uuid = uuid,
                            .tre_kid = tre_kid,
                            .max_authz = max_authorizations,
                            .at = rcp_clock_now(sp->clock)};
    ret = ua_enc_register(sp->key, &t, tok, sizeof tok, &tok_len);
    if (ret)
        return ret;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out->buf, sizeof out->buf);
    rcp_envelope_begin(&e, RCP_UA_REGISTER, 1);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, tok, tok_len);
    out->to = RCP_TO_NONE;
    out->type = RCP_UA_REGISTER;
    return rcp_cbor_enc_finish(&e, &out->len);
}

int rcp_ua_sp_register_result(const uint8_t *msg, size_t len, const uint8_t uuid[RCP_UUID_LEN],
                              int *created, char *why, size_t why_cap)
{
    rcp_envelope env;
    size_t pairs = 0, n = 0;
    uint64_t k = 0;
    const uint8_t *u = NULL;
    int code = 0;
    bool fresh = false;
    char reason[RCP_ERROR_REASON_MAX + 1];
    if ((msg == NULL && len) || uuid == NULL || created == NULL || why == NULL || why_cap == 0)
        return RCP_ERR_INVALID_ARG;
    why[0] = 0;
    if (rcp_envelope_decode(&env, msg, len, &ua_msg_limits, NULL) != 0) {
        snprintf(why, why_cap, "answer is not an rcprov message");
        return RCP_ERR_DECODE;
    }
    if (env.type == RCP_MSG_ERROR) {
        if (rcp_error_msg_decode(&env.body, &code, reason, sizeof reason) != 0) {
            snprintf(why, why_cap, "error message is malformed");
            return RCP_ERR_DECODE;
        }
        snprintf(why, why_cap, "%s", reason);
        return rcp_error_from_peer(code);
    }
    if (env.type != RCP_UA_REGISTER_RESPONSE || rcp_cbor_expect_map(&env.body, &pairs) != 0 ||
        pairs != 2 || rcp_cbor_expect_uint(&env.body, &k) != 0 || k != 1 ||
        rcp_cbor_expect_bstr(&env.body, &u, &n, RCP_UUID_LEN, RCP_UUID_LEN) != 0 ||
        rcp_cbor_expect_uint(&env.body, &k) != 0 || k != 2 ||
        rcp_cbor_expect_bool(&env.body, &fresh) != 0 || rcp_cbor_expect_end(&env.body) != 0) {
        snprintf(why, why_cap, "REGISTER_RESPONSE is malformed");
        return RCP_ERR_DECODE;
    }
    if (memcmp(u, uuid, RCP_UUID_LEN) != 0) {
        snprintf(why, why_cap, "REGISTER_RESPONSE is about another UUID");
        return RCP_ERR_PROTOCOL;
    }
    *created = fresh ? 1 : 0;
    return RCP_OK;
}

/* ================================================= Authorization Server */

static const rcp_ua_sn_agreement *find_sn(const rcp_ua_auths *a, const uint8_t kid[RCP_KID_LEN])
{
    for (size_t i = 0; i < a->n_sns; i++)
        if (memcmp(a->sns[i].ecdsa_kid, kid, RCP_KID_LEN) == 0)
            return &a->sns[i];
    return NULL;
}

static const rcp_ua_sp_agreement *find_sp(const rcp_ua_auths *a, const uint8_t kid[RCP_KID_LEN])
{
    for (size_t i = 0; i < a->n_sps; i++)
        if (memcmp(a->sps[i].kid, kid, RCP_KID_LEN) == 0)
            return &a->sps[i];
    return NULL;
}

static int fresh(const rcp_ua_auths *a, uint64_t at, uint64_t now)
{
    uint64_t d = at > now ? at - now : now - at;
    return d <= a->max_skew;
}

static void hex8(const uint8_t *p, char out[17])
{
    if (rcp_hex_encode(p, 8, out, 17) != 0)
        out[0] = '\0';
}

static int handle_register(const rcp_ua_auths *a, rcp_cbor_cursor *body, uint64_t now, rcp_step *s)
{
    const uint64_t keys[1] = {1};
    const size_t mins[1] = {1}, maxs[1] = {UA_TOKEN_MAX};
    const uint8_t *tok = NULL;
    size_t tok_len = 0;
    struct ua_register t;
    char kid[17];
    if (ua_dec_bstr_map(body, 1, keys, mins, maxs, &tok, &tok_len) ||
        ua_dec_register(tok, tok_len, &t))
        return ua_reject(s, RCP_ERR_DECODE, "REGISTER is malformed");
    const rcp_ua_sp_agreement *sp = find_sp(a, t.sp_kid);
    if (sp == NULL) {
        hex8(t.sp_kid, kid);
        return ua_reject(s, RCP_ERR_UNTRUSTED, "SP key %s has no agreement with %s", kid, a->fqdn);
    }
    s->ops.verify++;
    if (ua_check_sig(t.tbs, t.tbs_len, t.sig, sp->key))
        return ua_reject(s, RCP_ERR_SIGNATURE, "REGISTER signature does not verify for SP '%s'",
                         sp->name);
    if (!fresh(a, t.at, now))
        return ua_reject(s, RCP_ERR_EXPIRED, "REGISTER time is outside the accepted skew");
    if (t.max_authz < 1 || t.max_authz > 16)
        return ua_reject(s, RCP_ERR_RANGE, "max authorizations must be 1..16");
    rcp_uuid_record r;
    memset(&r, 0, sizeof r);
    memcpy(r.uuid, t.uuid, RCP_UUID_LEN);
    memcpy(r.tre_kid, t.tre_kid, RCP_KID_LEN);
    snprintf(r.sp, sizeof r.sp, "%s", sp->name);
    r.max_authorizations = (uint32_t)t.max_authz;
    r.state = RCP_UUID_REGISTERED;
    int created = 0;
    int ret = rcp_store_uuid_register(a->store, &r, now, &created);
    if (ret == RCP_ERR_EXISTS)
        return ua_reject(s, ret, "UUID is already registered otherwise: %s",
                         rcp_store_errmsg(a->store));
    if (ret)
        return ua_reject(s, ret, "store: %s", rcp_store_errmsg(a->store));
    rcp_cbor_enc e;
    rcp_out_msg *m = ua_out_begin(s, RCP_TO_REPLY, RCP_UA_REGISTER_RESPONSE, 2, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, t.uuid, RCP_UUID_LEN);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bool(&e, created != 0);
    ret = rcp_cbor_enc_finish(&e, &m->len);
    s->done = ret == 0;
    return ret;
}

/* The TRE's own token, checked here too: the AuthS authorizes only a UUID
 * whose TRE signed a fresh SN challenge for this very SN. */
static int check_tre_evidence(const rcp_ua_sn_agreement *sn, const struct ua_authz_req *req,
                              const rcp_uuid_record *rec, rcp_step *s)
{
    rcp_ccert cert;
    rcp_ec_key *tre_key = NULL;
    struct ua_atk_tre atk;
    int ret;
    if (rcp_ccert_decode(req->cert_tre, req->cert_tre_len, &cert) != 0)
        return ua_reject(s, RCP_ERR_CERT, "CERT.TRE in the request is malformed");
    if (memcmp(cert.subject_kid, rec->tre_kid, RCP_KID_LEN) != 0)
        return ua_reject(s, RCP_ERR_PROTOCOL,
                         "UUID is registered for another TRE (racing attack?)");
    if (ua_dec_atk_tre(req->atk_tre, req->atk_tre_len, &atk) != 0)
        return ua_reject(s, RCP_ERR_DECODE, "ATK.TRE in the request is malformed");
    if (memcmp(atk.uuid, req->uuid, RCP_UUID_LEN) != 0 ||
        memcmp(atk.nonce, req->nonce, RCP_NONCE_LEN) != 0)
        return ua_reject(s, RCP_ERR_PROTOCOL, "ATK.TRE is for another UUID or session");
    int ours = 0;
    for (size_t i = 0; i < sn->n_ecka && i < RCP_UA_MAX_CURVES; i++)
        ours |= memcmp(atk.is_sn, sn->ecka_kids[i], RCP_KID_LEN) == 0;
    if (!ours)
        return ua_reject(s, RCP_ERR_PROTOCOL, "ATK.TRE was made for another SN");
    s->ops.pkv_compressed++;
    ret = rcp_ccert_key(&cert, &tre_key);
    if (ret)
        return ua_reject(s, RCP_ERR_CERT, "CERT.TRE key is not a valid point");
    s->ops.verify++;
    ret = ua_check_sig(atk.tbs, atk.tbs_len, atk.sig, tre_key);
    rcp_ec_key_free(tre_key);
    if (ret)
        return ua_reject(s, RCP_ERR_SIGNATURE, "ATK.TRE signature does not verify");
    return RCP_OK;
}

static int handle_authz_request(const rcp_ua_auths *a, rcp_cbor_cursor *body, uint64_t now,
                                rcp_step *s)
{
    const uint64_t keys[2] = {1, 2};
    const size_t mins[2] = {1, RCP_COOKIE_OVERHEAD}, maxs[2] = {UA_TOKEN_MAX, RCP_COOKIE_MAX};
    const uint8_t *v[2];
    size_t l[2];
    struct ua_authz_req req;
    char kid[17];
    uint8_t authz_id[RCP_AUTHZ_ID_LEN], tok[UA_TOKEN_MAX], record[RCP_STORE_RECORD_MAX];
    size_t tok_len = 0, record_len = 0;
    if (ua_dec_bstr_map(body, 2, keys, mins, maxs, v, l) || ua_dec_authz_req(v[0], l[0], &req))
        return ua_reject(s, RCP_ERR_DECODE, "AUTHZ_REQUEST is malformed");
    const rcp_ua_sn_agreement *sn = find_sn(a, req.sn_kid);
    if (sn == NULL) {
        hex8(req.sn_kid, kid);
        return ua_reject(s, RCP_ERR_UNTRUSTED, "SN key %s has no agreement with %s", kid, a->fqdn);
    }
    s->ops.verify++;
    if (ua_check_sig(req.tbs, req.tbs_len, req.sig, sn->ecdsa_key))
        return ua_reject(s, RCP_ERR_SIGNATURE, "request signature does not verify for SN '%s'",
                         sn->name);
    if (!fresh(a, req.at, now))
        return ua_reject(s, RCP_ERR_EXPIRED, "request time is outside the accepted skew");
    rcp_uuid_record rec;
    int ret = rcp_store_uuid_get(a->store, req.uuid, &rec);
    if (ret == RCP_ERR_NOT_FOUND)
        return ua_reject(s, ret, "UUID is not registered at %s", a->fqdn);
    if (ret)
        return ua_reject(s, ret, "store: %s", rcp_store_errmsg(a->store));
    if (rec.state == RCP_UUID_USED)
        return ua_reject(s, RCP_ERR_REPLAY, "UUID was already used (acknowledged)");
    ret = check_tre_evidence(sn, &req, &rec, s);
    if (ret)
        return ret;

    /* The id is a function of (SN, UUID, session nonce): a replayed request
     * maps to the same id, which the store refuses (one authorization per
     * session), so the replay leaves the ledger untouched. */
    static const char label[] = "rcprov uuid-attach authz id";
    uint8_t h[RCP_SHA256_LEN];
    rcp_iov parts[4] = {{(const uint8_t *)label, sizeof label - 1},
                        {req.sn_kid, RCP_KID_LEN},
                        {req.uuid, RCP_UUID_LEN},
                        {req.nonce, RCP_NONCE_LEN}};
    ret = rcp_sha256_v(parts, 4, h);
    if (ret)
        return rcp_step_fail(s, ret, "hash failed");
    memcpy(authz_id, h, RCP_AUTHZ_ID_LEN);
    struct ua_authz z = {.authz_id = authz_id,
                         .uuid = req.uuid,
                         .tre_kid = rec.tre_kid,
                         .sn_kid = req.sn_kid,
                         .nonce = req.nonce,
                         .issued_at = now,
                         .expires = now + a->authz_lifetime,
                         .data_limit = a->data_limit,
                         .destination = a->destination,
                         .destination_len = strlen(a->destination)};
    s->ops.sign++;
    ret = ua_enc_authz(a->key, &z, tok, sizeof tok, &tok_len);
    if (ret)
        return rcp_step_fail(s, ret, "cannot sign the authorization");
    /* Ledger record: [signed request, signed authorization]. */
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, record, sizeof record);
    rcp_cbor_enc_array(&e, 2);
    rcp_cbor_enc_bstr(&e, v[0], l[0]);
    rcp_cbor_enc_bstr(&e, tok, tok_len);
    ret = rcp_cbor_enc_finish(&e, &record_len);
    if (ret)
        return rcp_step_fail(s, ret, "ledger record too large");
    ret = rcp_store_authorize(a->store, req.uuid, authz_id, req.sn_kid, now, z.expires, record,
                              record_len);
    if (ret == RCP_ERR_NOT_FOUND)
        return ua_reject(s, ret, "UUID is not registered at %s", a->fqdn);
    if (ret == RCP_ERR_REPLAY)
        return ua_reject(s, ret, "UUID was already used (acknowledged)");
    if (ret == RCP_ERR_LIMIT)
        return ua_reject(s, ret, "UUID has used all %u authorizations its policy allows",
                         rec.max_authorizations);
    if (ret == RCP_ERR_EXISTS)
        return ua_reject(s, RCP_ERR_REPLAY, "this session was already authorized (replay)");
    if (ret)
        return ua_reject(s, ret, "store: %s", rcp_store_errmsg(a->store));

    rcp_out_msg *m = ua_out_begin(s, RCP_TO_REPLY, RCP_UA_AUTHZ_RESPONSE, 2, &e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, tok, tok_len);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, v[1], l[1]); /* the SN's context, echoed */
    ret = rcp_cbor_enc_finish(&e, &m->len);
    s->done = ret == 0;
    return ret;
}

static int handle_ack(const rcp_ua_auths *a, rcp_cbor_cursor *body, uint64_t now, rcp_step *s)
{
    const uint64_t keys[1] = {1};
    const size_t mins[1] = {1}, maxs[1] = {UA_TOKEN_MAX};
    const uint8_t *tok = NULL;
    size_t tok_len = 0;
    struct ua_ack t;
    char kid[17];
    if (ua_dec_bstr_map(body, 1, keys, mins, maxs, &tok, &tok_len) || ua_dec_ack(tok, tok_len, &t))
        return ua_reject(s, RCP_ERR_DECODE, "ACK is malformed");
    const rcp_ua_sn_agreement *sn = find_sn(a, t.sn_kid);
    if (sn == NULL) {
        hex8(t.sn_kid, kid);
        return ua_reject(s, RCP_ERR_UNTRUSTED, "SN key %s has no agreement with %s", kid, a->fqdn);
    }
    s->ops.verify++;
    if (ua_check_sig(t.tbs, t.tbs_len, t.sig, sn->ecdsa_key))
        return ua_reject(s, RCP_ERR_SIGNATURE, "ACK signature does not verify for SN '%s'",
                         sn->name);
    int first = 0;
    int ret =
        rcp_store_acknowledge(a->store, t.authz_id, t.uuid, t.sn_kid, now, tok, tok_len, &first);
    if (ret == RCP_ERR_NOT_FOUND)
        return ua_reject(s, ret, "no such authorization");
    if (ret == RCP_ERR_PROTOCOL)
        return ua_reject(s, ret, "authorization belongs to another SN or UUID");
    if (ret)
        return ua_reject(s, ret, "store: %s", rcp_store_errmsg(a->store));
    rcp_cbor_enc e;
    rcp_out_msg *m = ua_out_begin(s, RCP_TO_REPLY, RCP_UA_ACK_RESPONSE, 2, &e);
    /* { 1: authz id, 2: UUID }: whether this was the first ack is the
     * AuthS's business (its ledger); the SN needs only which one was taken. */
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr(&e, t.authz_id, RCP_AUTHZ_ID_LEN);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_bstr(&e, t.uuid, RCP_UUID_LEN);
    ret = rcp_cbor_enc_finish(&e, &m->len);
    s->done = ret == 0;
    return ret;
}

int rcp_ua_auths_handle(const rcp_ua_auths *a, const uint8_t *msg, size_t len, rcp_step *out)
{
    rcp_envelope env;
    if (a == NULL || out == NULL || (msg == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    rcp_step_init(out);
    if (rcp_envelope_decode(&env, msg, len, &ua_msg_limits, NULL) != 0)
        return ua_reject(out, RCP_ERR_DECODE, "not an rcprov message");
    uint64_t now = rcp_clock_now(a->clock);
    switch (env.type) {
    case RCP_UA_REGISTER:
        return handle_register(a, &env.body, now, out);
    case RCP_UA_AUTHZ_REQUEST:
        return handle_authz_request(a, &env.body, now, out);
    case RCP_UA_ACK:
        return handle_ack(a, &env.body, now, out);
    default:
        return ua_reject(out, RCP_ERR_PROTOCOL,
                         "message type %llu is not for an Authorization Server",
                         (unsigned long long)env.type);
    }
}
