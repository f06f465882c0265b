/*
 * uuid-attach adversary tests (issue 4, item 6): the attacks of the
 * hardening table of docs/spec/uuid-attach.md, on the in-process bus.  Each
 * is refused with its own RCP_ERR_* and a reason naming it, and both stores
 * are byte-identical right before the attacked message is delivered and
 * right when it is refused (rcp_store_digest, taken by the bus tap and the
 * observer: test_ua_adv.h).
 *
 * Replays: test_ua_adv_replay.c.  Tampering with every byte of every
 * message: test_ua_adv_tamper.c.
 */
#include "test_ua_adv.h"

/* ------------------------------------------------------------- attacks
 * The hook marks the first message of a type (for device dev) as the
 * attacked one, after fn (if any) changed it. */
typedef int (*mutator)(void *arg, uint8_t *buf, size_t *len);

struct attack {
    uint32_t type;
    size_t dev;
    mutator fn;
    void *arg;
    int done, failed;
};

static int attack_hook(adv *a, size_t dev, rcp_node from, rcp_node to, uint32_t type, uint8_t *buf,
                       size_t *len)
{
    struct attack *k = a->ctx;
    (void)from, (void)to;
    if (k == NULL || k->done || type != k->type || dev != k->dev)
        return ADV_PASS;
    k->done = 1;
    if (k->fn && k->fn(k->arg, buf, len) != 0)
        k->failed = 1;
    return ADV_ATTACK;
}

typedef struct {
    rcp_ua_world *w;
    adv a;
    struct attack k;
} env;

static int env_open(env *e, size_t n, uint64_t seed, uint32_t max_authz, int do_register)
{
    memset(e, 0, sizeof *e);
    e->w = adv_world(n, RCP_SUITE_GCM, seed, max_authz);
    if (e->w == NULL)
        return -1;
    adv_init(&e->a, e->w);
    e->a.hook = attack_hook;
    e->a.ctx = &e->k;
    for (size_t i = 0; do_register && i < n; i++)
        if (adv_register(e->w, i))
            return -1;
    return 0;
}

static void env_close(env *e)
{
    adv_free(&e->a);
    rcp_ua_world_free(e->w);
}

static rcp_ua_device *dev(env *e, size_t i)
{
    return rcp_ua_world_device(e->w, i);
}

/* Attack the first message of type of device i with fn, then run device i:
 * the run must fail. */
static void run_attack(env *e, size_t i, uint32_t type, mutator fn, void *arg)
{
    e->k = (struct attack){type, i, fn, arg, 0, 0};
    int r = adv_run(e->w, i);
    CHECK(r != 0);
    if (e->k.done && !e->k.failed)
        rcp_t_pass++;
    else
        rcp_t_fail_at(__FILE__, __LINE__, "the attack on %s did not happen (done %d, failed %d)",
                      adv_type(type), e->k.done, e->k.failed);
    e->k.type = 0;
}

/* Run device i to the end, unattacked. */
static void run_done(env *e, size_t i)
{
    e->k.type = 0;
    adv_drop_none(&e->a);
    CHECK_OK(adv_run(e->w, i));
    CHECK(dev(e, i)->state == RCP_UA_DEV_DONE);
}

/* Mutators. */
struct bytes {
    const uint8_t *p;
    size_t n;
};

static int replace_message(void *arg, uint8_t *buf, size_t *len)
{
    const struct bytes *b = arg;
    if (b->n > RCP_MSG_MAX)
        return -1;
    memcpy(buf, b->p, b->n);
    *len = b->n;
    return 0;
}

struct field {
    uint64_t key;
    const uint8_t *p;
    size_t n;
};

static int set_field(void *arg, uint8_t *buf, size_t *len)
{
    const struct field *f = arg;
    return adv_set_bstr(buf, len, f->key, f->p, f->n);
}

/* Replace item idx of the token in body field key (keep the signature when
 * key is NULL, else sign with it). */
struct token_edit {
    uint64_t field;
    size_t idx;
    uint8_t item[RCP_MSG_MAX];
    size_t item_len;
    const rcp_ec_key *key;
};

static int edit_token(void *arg, uint8_t *buf, size_t *len)
{
    const struct token_edit *t = arg;
    const uint8_t *tok = NULL;
    size_t tok_len = 0, out_len = 0;
    adv_token tk;
    uint8_t out[RCP_MSG_MAX];
    if (adv_get_bstr(buf, *len, t->field, &tok, &tok_len) || adv_token_parse(tok, tok_len, &tk) ||
        adv_token_build(&tk, t->idx, t->item, t->item_len, t->key, out, sizeof out, &out_len))
        return -1;
    return adv_set_bstr(buf, len, t->field, out, out_len);
}

/* ---------------------------------------------------------- the cases */

/* 3. A UUID that was never registered. */
static void unknown_uuid(void)
{
    env e;
    if (env_open(&e, 1, 301, 3, 0) != 0)
        return;
    run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
    ADV_EXPECT(&e.a, "unknown UUID", RCP_NODE_AUTHS, RCP_UA_AUTHZ_REQUEST, RCP_ERR_NOT_FOUND,
               "not registered");
    env_close(&e);
}

/* 4. A UUID registered for another TRE. */
static void uuid_of_another_tre(void)
{
    env e;
    rcp_out_msg m;
    rcp_step s;
    uint8_t kid0[RCP_KID_LEN], kid1[RCP_KID_LEN], before[32], after[32];
    if (env_open(&e, 2, 311, 3, 0) == 0) {
        /* The SP registers device 1's UUID with device 0's TRE. */
        adv_tre_kid(e.w, 0, kid0);
        CHECK_OK(rcp_ua_sp_register(rcp_ua_world_sp(e.w), dev(&e, 1)->uuid, kid0, 3, &m));
        CHECK_OK(rcp_ua_auths_handle(rcp_ua_world_auths(e.w), m.buf, m.len, &s));
        run_attack(&e, 1, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "UUID registered for another TRE", RCP_NODE_AUTHS, RCP_UA_AUTHZ_REQUEST,
                   RCP_ERR_PROTOCOL, "another TRE");
        env_close(&e);
    }
    if (env_open(&e, 2, 312, 3, 0) == 0) {
        /* Racing attack: device 0 attaches with device 1's UUID, seen in
         * clear on the air. */
        CHECK_OK(adv_register(e.w, 1));
        memcpy(dev(&e, 0)->uuid, dev(&e, 1)->uuid, RCP_UUID_LEN);
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "racing attack: another TRE's UUID", RCP_NODE_AUTHS, RCP_UA_AUTHZ_REQUEST,
                   RCP_ERR_PROTOCOL, "another TRE");
        /* Nor can the UUID be registered again for the racing TRE. */
        adv_tre_kid(e.w, 0, kid0);
        adv_tre_kid(e.w, 1, kid1);
        CHECK(memcmp(kid0, kid1, RCP_KID_LEN) != 0);
        rcp_store *st = rcp_ua_world_auths_store(e.w);
        CHECK_OK(rcp_store_digest(st, before));
        CHECK_OK(rcp_ua_sp_register(rcp_ua_world_sp(e.w), dev(&e, 1)->uuid, kid0, 3, &m));
        CHECK_ERR(rcp_ua_auths_handle(rcp_ua_world_auths(e.w), m.buf, m.len, &s), RCP_ERR_EXISTS);
        CHECK_OK(rcp_store_digest(st, after));
        CHECK_MEM(after, before, 32);
        CHECK(strstr(s.why, "already registered") != NULL);
        printf("  %-50s -> %-6s on %-15s %-19s \"%s\"\n", "re-register a UUID for another TRE",
               "AuthS", "REGISTER", rcp_errname(s.err), s.why);
        /* The rightful device still attaches. */
        run_done(&e, 1);
        env_close(&e);
    }
}

/* 5. A UUID used up; and the policy limit. */
static void uuid_used_up(void)
{
    env e;
    if (env_open(&e, 1, 321, 3, 1) == 0) {
        run_done(&e, 0);
        dev(&e, 0)->state = RCP_UA_DEV_IDLE;
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "UUID already used", RCP_NODE_AUTHS, RCP_UA_AUTHZ_REQUEST, RCP_ERR_REPLAY,
                   "already used");
        /* No secret in the reasons of this run (the device holds K now). */
        adv_no_secret(&e.a, dev(&e, 0)->cx.k, 16, "K");
        adv_no_secret(&e.a, dev(&e, 0)->cx.opc, 16, "OPc");
        env_close(&e);
    }
    if (env_open(&e, 1, 322, 1, 1) == 0) {
        /* max_authorizations = 1: SN_CREDENTIALS lost, the retry is one
         * authorization too many. */
        adv_drop(&e.a, RCP_UA_SN_CREDENTIALS);
        CHECK_ERR(adv_run(e.w, 0), RCP_ERR_STATE);
        adv_drop_none(&e.a);
        dev(&e, 0)->state = RCP_UA_DEV_IDLE;
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "policy limit (max_authorizations 1)", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_LIMIT, "authorizations its policy allows");
        env_close(&e);
    }
}

/* 6. No agreement between the SN and the Authorization Server. */
static void no_agreement(void)
{
    env e;
    if (env_open(&e, 1, 331, 3, 1) == 0) {
        /* The device names an AuthS this SN has no agreement with. */
        snprintf(dev(&e, 0)->auths_fqdn, sizeof dev(&e, 0)->auths_fqdn, "%s",
                 "auths.elsewhere.example");
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "SN without agreement with the AuthS", RCP_NODE_SN, RCP_UA_ATTACH_REQUEST,
                   RCP_ERR_UNTRUSTED, "no agreement");
        env_close(&e);
    }
    if (env_open(&e, 1, 332, 3, 1) == 0) {
        /* The AuthS has no agreement with this SN: the world's AuthS
         * configuration, with its SN agreements taken away for the run
         * (the world owns it; it is not const). */
        rcp_ua_auths *au = (rcp_ua_auths *)rcp_ua_world_auths(e.w);
        size_t keep = au->n_sns;
        au->n_sns = 0;
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "AuthS without agreement with the SN", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_UNTRUSTED, "no agreement");
        au->n_sns = keep;
        dev(&e, 0)->state = RCP_UA_DEV_IDLE;
        run_done(&e, 0);
        env_close(&e);
    }
    if (env_open(&e, 1, 333, 3, 1) == 0) {
        /* A request from an SN key the AuthS has no agreement with (an SN
         * of its own making, correctly signed). */
        rcp_ec_key *rogue = NULL;
        uint8_t kid[RCP_KID_LEN];
        struct token_edit t = {.field = 1, .idx = 1};
        CHECK_OK(rcp_ec_key_generate(RCP_CURVE_P256, rcp_ua_world_rng(e.w), &rogue));
        CHECK_OK(rcp_key_id(rogue, kid));
        CHECK_OK(adv_enc_bstr(kid, sizeof kid, t.item, sizeof t.item, &t.item_len));
        t.key = rogue;
        run_attack(&e, 0, RCP_UA_AUTHZ_REQUEST, edit_token, &t);
        ADV_EXPECT(&e.a, "request signed by an SN without agreement", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_UNTRUSTED, "no agreement");
        rcp_ec_key_free(rogue);
        env_close(&e);
    }
}

/* 7. Forged or altered authorization (tbs items: 0 label, 1 authz_id,
 * 2 uuid, 3 tre_kid, 4 sn_kid, 5 nonce, 6 issued_at, 7 expires,
 * 8 data_limit, 9 destination). */
static void forged_authorization(void)
{
    static const struct {
        const char *name;
        size_t idx;
    } alter[] = {{"altered authorization: data limit", 8},
                 {"altered authorization: expiry", 7},
                 {"altered authorization: destination", 9}};
    env e;
    struct token_edit t;
    for (size_t i = 0; i < sizeof alter / sizeof alter[0]; i++) {
        if (env_open(&e, 1, 341 + i, 3, 1) != 0)
            continue;
        memset(&t, 0, sizeof t);
        t.field = 1;
        t.idx = alter[i].idx;
        if (alter[i].idx == 9) {
            rcp_cbor_enc enc;
            rcp_cbor_enc_init(&enc, t.item, sizeof t.item);
            rcp_cbor_enc_text(&enc, "rsmf.attacker.example");
            CHECK_OK(rcp_cbor_enc_finish(&enc, &t.item_len));
        } else {
            CHECK_OK(adv_enc_uint(UINT64_C(1) << 40, t.item, sizeof t.item, &t.item_len));
        }
        run_attack(&e, 0, RCP_UA_AUTHZ_RESPONSE, edit_token, &t);
        ADV_EXPECT(&e.a, alter[i].name, RCP_NODE_SN, RCP_UA_AUTHZ_RESPONSE, RCP_ERR_SIGNATURE,
                   "not signed by");
        env_close(&e);
    }
    /* Forged: the same authorization signed by another key (a stranger's,
     * then the SN's own). */
    for (int who = 0; who < 2; who++) {
        rcp_ec_key *forger = NULL;
        if (env_open(&e, 1, 345 + (uint64_t)who, 3, 1) != 0)
            continue;
        memset(&t, 0, sizeof t);
        t.field = 1;
        t.idx = 99; /* nothing replaced: re-signed as is */
        if (who == 0)
            CHECK_OK(rcp_ec_key_generate(RCP_CURVE_P256, rcp_ua_world_rng(e.w), &forger));
        t.key = who == 0 ? forger : rcp_ua_world_key(e.w, RCP_UA_KEY_SN_ECDSA);
        run_attack(&e, 0, RCP_UA_AUTHZ_RESPONSE, edit_token, &t);
        ADV_EXPECT(&e.a,
                   who == 0 ? "forged authorization (another key)"
                            : "forged authorization (the SN's own key)",
                   RCP_NODE_SN, RCP_UA_AUTHZ_RESPONSE, RCP_ERR_SIGNATURE, "not signed by");
        rcp_ec_key_free(forger);
        env_close(&e);
    }
    /* A genuine authorization of another session: device 1's, swapped into
     * device 0's answer; then one of device 0's own earlier session. */
    if (env_open(&e, 2, 347, 3, 1) == 0) {
        run_done(&e, 1);
        const adv_msg *other = adv_find(&e.a, RCP_UA_AUTHZ_RESPONSE, 0);
        struct field f = {1, NULL, 0};
        CHECK(other && adv_get_bstr(other->buf, other->len, 1, &f.p, &f.n) == 0);
        run_attack(&e, 0, RCP_UA_AUTHZ_RESPONSE, set_field, &f);
        ADV_EXPECT(&e.a, "authorization of another device's session", RCP_NODE_SN,
                   RCP_UA_AUTHZ_RESPONSE, RCP_ERR_PROTOCOL, "another UUID or session");
        env_close(&e);
    }
    if (env_open(&e, 1, 348, 3, 1) == 0) {
        adv_drop(&e.a, RCP_UA_SN_CREDENTIALS);
        CHECK_ERR(adv_run(e.w, 0), RCP_ERR_STATE);
        adv_drop_none(&e.a);
        dev(&e, 0)->state = RCP_UA_DEV_IDLE;
        const adv_msg *old = adv_find(&e.a, RCP_UA_AUTHZ_RESPONSE, 0);
        struct field f = {1, NULL, 0};
        CHECK(old && adv_get_bstr(old->buf, old->len, 1, &f.p, &f.n) == 0);
        run_attack(&e, 0, RCP_UA_AUTHZ_RESPONSE, set_field, &f);
        ADV_EXPECT(&e.a, "authorization of the device's earlier session", RCP_NODE_SN,
                   RCP_UA_AUTHZ_RESPONSE, RCP_ERR_PROTOCOL, "another UUID or session");
        env_close(&e);
    }
}

/* 8. Certificates from an untrusted CI (a second world has its own). */
static void untrusted_ci(void)
{
    env e, e2;
    if (env_open(&e2, 1, 999, 3, 1) != 0)
        return;
    const rcp_ua_tre_creds *foreign = rcp_ua_world_tre(e2.w, 0);
    for (int only_tre = 0; only_tre < 2; only_tre++) {
        if (env_open(&e, 1, 351 + (uint64_t)only_tre, 3, 1) != 0)
            continue;
        /* The device trusts this network's CI but its CERT.TRE (and, first,
         * also its CERT.PN) come from the other CI. */
        const rcp_ua_tre_creds *own = rcp_ua_world_tre(e.w, 0);
        rcp_ua_tre_creds fake = *foreign;
        fake.trust = own->trust;
        if (only_tre) {
            fake.cert_pn = own->cert_pn;
            fake.cert_pn_len = own->cert_pn_len;
        }
        dev(&e, 0)->tre = &fake;
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(
            &e.a, only_tre ? "CERT.TRE from an untrusted CI" : "CERT.PN + CERT.TRE from another CI",
            RCP_NODE_SN, RCP_UA_TRE_CREDENTIALS, RCP_ERR_UNTRUSTED,
            only_tre ? "CERT.TRE" : "CERT.PN");
        dev(&e, 0)->tre = own;
        env_close(&e);
    }
    /* The other world's SN_CHALLENGE, delivered to this world's device. */
    adv_drop(&e2.a, RCP_UA_TRE_CREDENTIALS);
    CHECK_ERR(adv_run(e2.w, 0), RCP_ERR_STATE);
    const adv_msg *chal = adv_last(&e2.a, RCP_UA_SN_CHALLENGE);
    if (chal && env_open(&e, 1, 353, 3, 1) == 0) {
        struct bytes b = {chal->buf, chal->len};
        run_attack(&e, 0, RCP_UA_SN_CHALLENGE, replace_message, &b);
        ADV_EXPECT(&e.a, "SN_CHALLENGE from an untrusted CI", RCP_NODE_DEVICE, RCP_UA_SN_CHALLENGE,
                   RCP_ERR_UNTRUSTED, "CERT.SN.ECKA");
        env_close(&e);
    }
    env_close(&e2);
}

/* 9. Expired or revoked CERT.TRE. */
static void expired_or_revoked(void)
{
    env e;
    if (env_open(&e, 1, 361, 3, 1) == 0) {
        /* TRE certificates last 3650 days, and so do the SN's own: a device
         * that keeps time refuses the expired CERT.SN.ECKA first.  To reach
         * the SN's check of CERT.TRE the device keeps its old time (many
         * devices have no clock) while the network's clock moves on. */
        rcp_fake_clock *net = rcp_ua_world_clock(e.w), stale;
        rcp_fake_clock_init(&stale, net->t);
        const rcp_clock *keep = dev(&e, 0)->clock;
        dev(&e, 0)->clock = &stale.clock;
        net->t += UINT64_C(3651) * 86400;
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "expired CERT.TRE", RCP_NODE_SN, RCP_UA_TRE_CREDENTIALS, RCP_ERR_EXPIRED,
                   "CERT.TRE");
        dev(&e, 0)->clock = keep;
        dev(&e, 0)->state = RCP_UA_DEV_IDLE;
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "expired CERT.SN.ECKA (device keeps time)", RCP_NODE_DEVICE,
                   RCP_UA_SN_CHALLENGE, RCP_ERR_EXPIRED, "CERT.SN.ECKA");
        env_close(&e);
    }
    if (env_open(&e, 2, 362, 3, 1) == 0) {
        CHECK_OK(rcp_ua_world_revoke_tre(e.w, 0));
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, NULL, NULL);
        ADV_EXPECT(&e.a, "revoked CERT.TRE", RCP_NODE_SN, RCP_UA_TRE_CREDENTIALS, RCP_ERR_REVOKED,
                   "CERT.TRE");
        run_done(&e, 1); /* the CRL lists device 0 only */
        env_close(&e);
    }
}

/* 10. Suite downgrade. */
static int strip_gcm(void *arg, uint8_t *buf, size_t *len)
{
    const uint64_t cbc_only[1] = {RCP_SUITE_CBC_HMAC};
    (void)arg;
    return adv_set_uints(buf, len, 4, cbc_only, 1);
}

static int choose_cbc(void *arg, uint8_t *buf, size_t *len)
{
    (void)arg;
    return adv_set_uint(buf, len, 3, RCP_SUITE_CBC_HMAC);
}

static void downgrade(void)
{
    env e;
    uint64_t suite = 0;
    if (env_open(&e, 1, 371, 3, 1) == 0) {
        /* The offer loses gcm: the SN, seeing only cbc-hmac, chooses it;
         * the device's ATK.TRE binds h(the request it sent). */
        run_attack(&e, 0, RCP_UA_ATTACH_REQUEST, strip_gcm, NULL);
        const adv_msg *chal = adv_last(&e.a, RCP_UA_SN_CHALLENGE);
        CHECK(chal && adv_get_uint(chal->buf, chal->len, 3, &suite) == 0 &&
              suite == RCP_SUITE_CBC_HMAC);
        ADV_EXPECT(&e.a, "suite downgrade: gcm stripped from the offer", RCP_NODE_SN,
                   RCP_UA_TRE_CREDENTIALS, RCP_ERR_PROTOCOL, "altered in transit");
        env_close(&e);
    }
    if (env_open(&e, 1, 372, 3, 1) == 0) {
        /* The SN chose gcm; the challenge is changed to the other suite
         * the device offered. */
        run_attack(&e, 0, RCP_UA_SN_CHALLENGE, choose_cbc, NULL);
        const adv_msg *chal = adv_last(&e.a, RCP_UA_SN_CHALLENGE); /* logged as sent */
        CHECK(chal && adv_get_uint(chal->buf, chal->len, 3, &suite) == 0 && suite == RCP_SUITE_GCM);
        ADV_EXPECT(&e.a, "suite downgrade: SN_CHALLENGE suite changed", RCP_NODE_SN,
                   RCP_UA_TRE_CREDENTIALS, RCP_ERR_PROTOCOL, "differs from the one chosen");
        env_close(&e);
    }
}

/* 11. Reflection. */
static void reflection(void)
{
    env e;
    if (env_open(&e, 2, 381, 3, 1) != 0)
        return;
    /* ATK.SN (label 33) of device 1's run where ATK.TRE (label 32) goes. */
    run_done(&e, 1);
    const adv_msg *cred = adv_find(&e.a, RCP_UA_SN_CREDENTIALS, 0);
    struct field f = {1, NULL, 0};
    CHECK(cred && adv_get_bstr(cred->buf, cred->len, 1, &f.p, &f.n) == 0);
    CHECK(adv_token_label(f.p, f.n) == RCP_UA_LABEL_ATK_SN);
    run_attack(&e, 0, RCP_UA_TRE_CREDENTIALS, set_field, &f);
    ADV_EXPECT(&e.a, "ATK.SN reflected as ATK.TRE", RCP_NODE_SN, RCP_UA_TRE_CREDENTIALS,
               RCP_ERR_DECODE, "malformed");
    env_close(&e);

    if (env_open(&e, 1, 382, 3, 1) == 0) {
        /* The device's own ATK.TRE reflected in the SN_CREDENTIALS it
         * waits for. */
        adv_drop(&e.a, RCP_UA_SN_CREDENTIALS);
        CHECK_ERR(adv_run(e.w, 0), RCP_ERR_STATE);
        adv_drop_none(&e.a);
        const adv_msg *t2 = adv_last(&e.a, RCP_UA_TRE_CREDENTIALS);
        const adv_msg *c2 = adv_last(&e.a, RCP_UA_SN_CREDENTIALS);
        struct field h = {1, NULL, 0};
        uint8_t msg[RCP_MSG_MAX];
        size_t msg_len = c2 ? c2->len : 0;
        CHECK(t2 && c2 && adv_get_bstr(t2->buf, t2->len, 1, &h.p, &h.n) == 0);
        if (c2)
            memcpy(msg, c2->buf, c2->len);
        CHECK(set_field(&h, msg, &msg_len) == 0);
        adv_inject(&e.a, 0, RCP_NODE_SN, RCP_NODE_DEVICE, msg, msg_len);
        ADV_EXPECT(&e.a, "ATK.TRE reflected as ATK.SN", RCP_NODE_DEVICE, RCP_UA_SN_CREDENTIALS,
                   RCP_ERR_DECODE, "malformed");
        /* The SN's own messages sent back to it. */
        const adv_msg *chal = adv_last(&e.a, RCP_UA_SN_CHALLENGE);
        adv_inject(&e.a, 0, RCP_NODE_DEVICE, RCP_NODE_SN, chal->buf, chal->len);
        ADV_EXPECT(&e.a, "SN_CHALLENGE reflected to the SN", RCP_NODE_SN, RCP_UA_SN_CHALLENGE,
                   RCP_ERR_PROTOCOL, "not for a Serving Network");
        adv_inject(&e.a, 0, RCP_NODE_DEVICE, RCP_NODE_SN, c2->buf, c2->len);
        ADV_EXPECT(&e.a, "SN_CREDENTIALS reflected to the SN", RCP_NODE_SN, RCP_UA_SN_CREDENTIALS,
                   RCP_ERR_PROTOCOL, "not for a Serving Network");
        env_close(&e);
    }
}

/* 12. A token made for another SN: a genuine CERT.SN.ECKA of another SN
 * (same CI) in the challenge.  The device accepts it, encrypts M1 to that
 * SN and names it in ATK.TRE.  The SN compares IsSN with its own key id
 * before any key agreement (cheap checks first), so it refuses with
 * RCP_ERR_PROTOCOL, never reaching the failed decryption (RCP_ERR_AUTH). */
static void token_for_another_sn(void)
{
    env e;
    uint8_t other[RCP_CCERT_MAX_LEN];
    size_t other_len = 0;
    if (env_open(&e, 1, 391, 3, 1) != 0)
        return;
    CHECK_OK(rcp_ua_world_issue_other_sn_ecka(e.w, other, sizeof other, &other_len));
    struct field f = {1, other, other_len};
    run_attack(&e, 0, RCP_UA_SN_CHALLENGE, set_field, &f);
    const adv_event *ev = adv_event_of(&e.a, RCP_NODE_DEVICE, RCP_UA_SN_CHALLENGE);
    CHECK(ev != NULL && ev->err == 0);
    ADV_EXPECT(&e.a, "token made for another SN", RCP_NODE_SN, RCP_UA_TRE_CREDENTIALS,
               RCP_ERR_PROTOCOL, "another SN");
    env_close(&e);
}

int main(void)
{
    printf("attacks (attack -> who refused it, on which message, error, reason):\n");
    unknown_uuid();
    uuid_of_another_tre();
    uuid_used_up();
    no_agreement();
    forged_authorization();
    untrusted_ci();
    expired_or_revoked();
    downgrade();
    reflection();
    token_for_another_sn();
    return rcp_t_done("test_ua_adversary");
}
