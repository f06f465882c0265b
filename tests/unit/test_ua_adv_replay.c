/*
 * uuid-attach adversary tests (issue 4, item 6), part 1: replay of each
 * message, in the same session (after the legit exchange of that message)
 * and across sessions (the device restarted, the old message injected into
 * the new session).  Each replay is refused with its own RCP_ERR_* and a
 * reason naming it, and both stores are byte-identical right before the
 * replayed message is delivered and right when it is refused
 * (rcp_store_digest).  Where the protocol answers a replay by design
 * (ATTACH_REQUEST, AKA_ATTACH, ACK, REGISTER) the test says why and asserts
 * exactly what may change.  After each test the legit exchange still
 * completes, with one authorization and one IMSI.
 */
#include "test_ua_adv.h"

typedef struct {
    rcp_ua_world *w;
    adv a;
    rcp_ua_device *d;
} env;

static int env_open(env *e, size_t n, uint64_t seed)
{
    memset(e, 0, sizeof *e);
    e->w = adv_world(n, RCP_SUITE_GCM, seed, 3);
    if (e->w == NULL)
        return -1;
    adv_init(&e->a, e->w);
    e->d = rcp_ua_world_device(e->w, 0);
    for (size_t i = 0; i < n; i++)
        if (adv_register(e->w, i))
            return -1;
    return 0;
}

static void env_close(env *e)
{
    adv_free(&e->a);
    rcp_ua_world_free(e->w);
}

/* Run device 0 with every message of type lost (held in the log): the run
 * stops there.  The drop set is cleared afterwards. */
static void pause_at(env *e, uint32_t type)
{
    adv_drop_none(&e->a);
    adv_drop(&e->a, type);
    int r = adv_run(e->w, 0);
    if (r == RCP_ERR_STATE)
        rcp_t_pass++;
    else
        rcp_t_fail_at(__FILE__, __LINE__, "pause at %s: run gave %s", adv_type(type),
                      rcp_errname(r));
    adv_drop_none(&e->a);
}

/* Session A: the device's SN_CREDENTIALS are lost (the SN consumed A's
 * nonce and allocated the IMSI, the AuthS authorized A), then the device
 * restarts the attach from step 1. */
static void session_a(env *e)
{
    pause_at(e, RCP_UA_SN_CREDENTIALS);
    CHECK(e->d->state == RCP_UA_DEV_WAIT_CREDENTIALS);
    e->d->state = RCP_UA_DEV_IDLE;
}

static void run_done(env *e)
{
    adv_drop_none(&e->a);
    CHECK_OK(adv_run(e->w, 0));
    CHECK(e->d->state == RCP_UA_DEV_DONE);
}

static void release_done(env *e, const adv_msg *held)
{
    CHECK(held != NULL && held->dropped);
    if (held == NULL)
        return;
    CHECK_OK(adv_release(&e->a, held));
    CHECK(e->d->state == RCP_UA_DEV_DONE);
}

static uint64_t ledger(env *e, rcp_ledger_kind k)
{
    uint64_t n = 0;
    CHECK_OK(rcp_store_ledger_count(rcp_ua_world_auths_store(e->w), k, &n));
    return n;
}

static uint64_t allocations(env *e)
{
    uint64_t n = 0;
    CHECK_OK(rcp_store_alloc_count(rcp_ua_world_sn_store(e->w), &n));
    return n;
}

/* One authorization per session that reached the AuthS, one IMSI. */
static void one_imsi(env *e, uint64_t authorizations)
{
    CHECK(allocations(e) == 1);
    CHECK(ledger(e, RCP_LEDGER_AUTHORIZE) == authorizations);
}

/* The device's secrets never show in a reason. */
static void no_secrets(env *e)
{
    adv_no_secret(&e->a, e->d->cx.k, 16, "K");
    adv_no_secret(&e->a, e->d->cx.opc, 16, "OPc");
}

/* ------------------------------------------------------ ATTACH_REQUEST */

static void replay_attach_request(void)
{
    env e;
    const uint8_t *cookie = NULL, *n1 = NULL, *n2 = NULL;
    size_t cookie_len = 0, n1_len = 0, n2_len = 0;
    if (env_open(&e, 1, 101) == 0) {
        /* Same session: the SN answered it; the device's TRE_CREDENTIALS
         * are held on the way. */
        pause_at(&e, RCP_UA_TRE_CREDENTIALS);
        const adv_msg *req = adv_last(&e.a, RCP_UA_ATTACH_REQUEST);
        const adv_msg *chal = adv_last(&e.a, RCP_UA_SN_CHALLENGE);
        const adv_msg *held = adv_last(&e.a, RCP_UA_TRE_CREDENTIALS);
        adv_replay(&e.a, req);
        /* Harmless by construction: the SN answers a fresh challenge and
         * writes nothing; the device, waiting for credentials, refuses it. */
        const adv_event *ev = adv_event_of(&e.a, RCP_NODE_SN, RCP_UA_ATTACH_REQUEST);
        CHECK(ev != NULL && ev->err == 0);
        ADV_EXPECT(&e.a, "replay ATTACH_REQUEST, same session", RCP_NODE_DEVICE,
                   RCP_UA_SN_CHALLENGE, RCP_ERR_STATE, "not expected now");
        const adv_msg *fresh = adv_last(&e.a, RCP_UA_SN_CHALLENGE);
        CHECK(fresh != chal);
        CHECK(adv_get_bstr(chal->buf, chal->len, 2, &n1, &n1_len) == 0 &&
              adv_get_bstr(fresh->buf, fresh->len, 2, &n2, &n2_len) == 0 &&
              n1_len == RCP_NONCE_LEN && n2_len == RCP_NONCE_LEN && memcmp(n1, n2, n1_len) != 0);
        /* The replayed exchange cannot complete: the only TRE_CREDENTIALS
         * the attacker has answer the old nonce; spliced onto the fresh
         * cookie they are refused. */
        uint8_t splice[RCP_MSG_MAX];
        size_t splice_len = held->len;
        memcpy(splice, held->buf, held->len);
        CHECK(adv_get_bstr(fresh->buf, fresh->len, 4, &cookie, &cookie_len) == 0 &&
              adv_set_bstr(splice, &splice_len, 5, cookie, cookie_len) == 0);
        adv_inject(&e.a, 0, RCP_NODE_DEVICE, RCP_NODE_SN, splice, splice_len);
        ADV_EXPECT(&e.a, "replayed ATTACH_REQUEST, exchange completed", RCP_NODE_SN,
                   RCP_UA_TRE_CREDENTIALS, RCP_ERR_REPLAY, "answers another challenge");
        release_done(&e, held);
        one_imsi(&e, 1);
        env_close(&e);
    }
    if (env_open(&e, 1, 102) == 0) {
        /* Across sessions: A lost its credentials; B waits for its own. */
        session_a(&e);
        pause_at(&e, RCP_UA_TRE_CREDENTIALS);
        const adv_msg *old = adv_find(&e.a, RCP_UA_ATTACH_REQUEST, 0);
        const adv_msg *cur = adv_find(&e.a, RCP_UA_ATTACH_REQUEST, 1);
        const adv_msg *held = adv_last(&e.a, RCP_UA_TRE_CREDENTIALS);
        /* It carries nothing of a session: B's request is A's, byte for
         * byte, so "replaying" it is sending it again. */
        CHECK(old && cur && old->len == cur->len && memcmp(old->buf, cur->buf, old->len) == 0);
        adv_replay(&e.a, old);
        ADV_EXPECT(&e.a, "replay ATTACH_REQUEST, across sessions", RCP_NODE_DEVICE,
                   RCP_UA_SN_CHALLENGE, RCP_ERR_STATE, "not expected now");
        release_done(&e, held);
        one_imsi(&e, 2);
        env_close(&e);
    }
}

/* -------------------------------------------------------- SN_CHALLENGE */

static void replay_sn_challenge(void)
{
    env e;
    if (env_open(&e, 1, 111) == 0) {
        pause_at(&e, RCP_UA_TRE_CREDENTIALS);
        const adv_msg *held = adv_last(&e.a, RCP_UA_TRE_CREDENTIALS);
        adv_replay(&e.a, adv_last(&e.a, RCP_UA_SN_CHALLENGE));
        ADV_EXPECT(&e.a, "replay SN_CHALLENGE, same session", RCP_NODE_DEVICE, RCP_UA_SN_CHALLENGE,
                   RCP_ERR_STATE, "not expected now");
        release_done(&e, held);
        adv_replay(&e.a, adv_find(&e.a, RCP_UA_SN_CHALLENGE, 0));
        ADV_EXPECT(&e.a, "replay SN_CHALLENGE, after the run", RCP_NODE_DEVICE, RCP_UA_SN_CHALLENGE,
                   RCP_ERR_STATE, "not expected now");
        env_close(&e);
    }
    if (env_open(&e, 1, 112) == 0) {
        /* Across sessions: B's challenge is lost and A's is delivered
         * instead.  The device cannot tell (its only freshness is the SN's
         * nonce, which the SN and the AuthS check): it answers A's nonce
         * and cookie, the SN takes them (the cookie is still valid), and
         * the AuthS refuses a second authorization for session A. */
        session_a(&e);
        pause_at(&e, RCP_UA_SN_CHALLENGE);
        CHECK(e.d->state == RCP_UA_DEV_WAIT_CHALLENGE);
        adv_replay(&e.a, adv_find(&e.a, RCP_UA_SN_CHALLENGE, 0));
        const adv_event *ev = adv_event_of(&e.a, RCP_NODE_DEVICE, RCP_UA_SN_CHALLENGE);
        CHECK(ev != NULL && ev->err == 0);
        ADV_EXPECT(&e.a, "replay SN_CHALLENGE, across sessions", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_REPLAY, "already authorized");
        e.d->state = RCP_UA_DEV_IDLE;
        run_done(&e);
        one_imsi(&e, 2);
        env_close(&e);
    }
}

/* ----------------------------------------------------- TRE_CREDENTIALS */

static void replay_tre_credentials(void)
{
    env e;
    if (env_open(&e, 1, 121) == 0) {
        /* Same session, after the exchange: the device holds its
         * credentials, its AKA_ATTACH is held. */
        pause_at(&e, RCP_UA_AKA_ATTACH);
        const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_ATTACH);
        const adv_msg *tre = adv_last(&e.a, RCP_UA_TRE_CREDENTIALS);
        adv_replay(&e.a, tre);
        ADV_EXPECT(&e.a, "replay TRE_CREDENTIALS, same session", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_REPLAY, "already authorized");
        release_done(&e, held);
        one_imsi(&e, 1);
        /* After the ack the UUID is used up; after the cookie's lifetime
         * the SN itself refuses it. */
        adv_replay(&e.a, tre);
        ADV_EXPECT(&e.a, "replay TRE_CREDENTIALS, after the run", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_REPLAY, "already used");
        rcp_ua_world_clock(e.w)->t += rcp_ua_world_sn(e.w)->cookie_lifetime + 1;
        adv_replay(&e.a, tre);
        ADV_EXPECT(&e.a, "replay TRE_CREDENTIALS, after cookie lifetime", RCP_NODE_SN,
                   RCP_UA_TRE_CREDENTIALS, RCP_ERR_EXPIRED, "challenge expired");
        env_close(&e);
    }
    if (env_open(&e, 1, 122) == 0) {
        /* In flight: the first exchange waits for the AuthS (its
         * AUTHZ_REQUEST held) when the replay arrives. */
        pause_at(&e, RCP_UA_AUTHZ_REQUEST);
        const adv_msg *req1 = adv_find(&e.a, RCP_UA_AUTHZ_REQUEST, 0);
        adv_drop(&e.a, RCP_UA_AUTHZ_REQUEST);
        adv_replay(&e.a, adv_last(&e.a, RCP_UA_TRE_CREDENTIALS));
        /* The SN is stateless: it asks again, and writes nothing. */
        CHECK(adv_rejections_since_arm(&e.a) == 0);
        ADV_UNCHANGED(&e.a, "in-flight TRE_CREDENTIALS at the SN");
        const adv_msg *req2 = adv_find(&e.a, RCP_UA_AUTHZ_REQUEST, 1);
        CHECK(req1 != NULL && req2 != NULL && req2->dropped);
        adv_drop_none(&e.a);
        adv_drop(&e.a, RCP_UA_AUTHZ_RESPONSE);
        /* The first request is authorized (its answer held)... */
        CHECK_OK(adv_release(&e.a, req1));
        CHECK(ledger(&e, RCP_LEDGER_AUTHORIZE) == 1);
        const adv_msg *resp = adv_last(&e.a, RCP_UA_AUTHZ_RESPONSE);
        /* ...and the replay's request maps to the same authorization id. */
        if (req2)
            adv_replay(&e.a, req2);
        ADV_EXPECT(&e.a, "replay TRE_CREDENTIALS, in flight", RCP_NODE_AUTHS, RCP_UA_AUTHZ_REQUEST,
                   RCP_ERR_REPLAY, "already authorized");
        adv_drop_none(&e.a);
        release_done(&e, resp);
        one_imsi(&e, 1);
        env_close(&e);
    }
    if (env_open(&e, 1, 123) == 0) {
        session_a(&e);
        pause_at(&e, RCP_UA_TRE_CREDENTIALS);
        const adv_msg *held = adv_last(&e.a, RCP_UA_TRE_CREDENTIALS);
        adv_replay(&e.a, adv_find(&e.a, RCP_UA_TRE_CREDENTIALS, 0));
        ADV_EXPECT(&e.a, "replay TRE_CREDENTIALS, across sessions", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_REPLAY, "already authorized");
        release_done(&e, held);
        one_imsi(&e, 2);
        env_close(&e);
    }
}

/* ------------------------------------------------------- AUTHZ_REQUEST */

static void replay_authz_request(void)
{
    env e;
    if (env_open(&e, 1, 131) == 0) {
        pause_at(&e, RCP_UA_AKA_ATTACH);
        const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_ATTACH);
        const adv_msg *req = adv_last(&e.a, RCP_UA_AUTHZ_REQUEST);
        adv_replay(&e.a, req);
        ADV_EXPECT(&e.a, "replay AUTHZ_REQUEST, same session", RCP_NODE_AUTHS, RCP_UA_AUTHZ_REQUEST,
                   RCP_ERR_REPLAY, "already authorized");
        release_done(&e, held);
        adv_replay(&e.a, req);
        ADV_EXPECT(&e.a, "replay AUTHZ_REQUEST, after the run", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_REPLAY, "already used");
        one_imsi(&e, 1);
        env_close(&e);
    }
    if (env_open(&e, 1, 132) == 0) {
        session_a(&e);
        pause_at(&e, RCP_UA_AKA_ATTACH);
        const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_ATTACH);
        adv_replay(&e.a, adv_find(&e.a, RCP_UA_AUTHZ_REQUEST, 0));
        ADV_EXPECT(&e.a, "replay AUTHZ_REQUEST, across sessions", RCP_NODE_AUTHS,
                   RCP_UA_AUTHZ_REQUEST, RCP_ERR_REPLAY, "already authorized");
        release_done(&e, held);
        one_imsi(&e, 2);
        env_close(&e);
    }
}

/* ------------------------------------------------------ AUTHZ_RESPONSE */

static void replay_authz_response(void)
{
    env e;
    if (env_open(&e, 1, 141) == 0) {
        pause_at(&e, RCP_UA_AKA_ATTACH);
        const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_ATTACH);
        const adv_msg *resp = adv_last(&e.a, RCP_UA_AUTHZ_RESPONSE);
        adv_replay(&e.a, resp);
        ADV_EXPECT(&e.a, "replay AUTHZ_RESPONSE, same session", RCP_NODE_SN, RCP_UA_AUTHZ_RESPONSE,
                   RCP_ERR_REPLAY, "already completed");
        release_done(&e, held);
        adv_replay(&e.a, resp);
        ADV_EXPECT(&e.a, "replay AUTHZ_RESPONSE, after the run", RCP_NODE_SN, RCP_UA_AUTHZ_RESPONSE,
                   RCP_ERR_REPLAY, "already completed");
        one_imsi(&e, 1);
        no_secrets(&e);
        env_close(&e);
    }
    if (env_open(&e, 1, 142) == 0) {
        session_a(&e);
        pause_at(&e, RCP_UA_AKA_ATTACH);
        const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_ATTACH);
        adv_replay(&e.a, adv_find(&e.a, RCP_UA_AUTHZ_RESPONSE, 0));
        ADV_EXPECT(&e.a, "replay AUTHZ_RESPONSE, across sessions", RCP_NODE_SN,
                   RCP_UA_AUTHZ_RESPONSE, RCP_ERR_REPLAY, "already completed");
        release_done(&e, held);
        one_imsi(&e, 2);
        no_secrets(&e);
        env_close(&e);
    }
}

/* ------------------------------------------------------ SN_CREDENTIALS */

static void replay_sn_credentials(void)
{
    env e;
    if (env_open(&e, 1, 151) == 0) {
        pause_at(&e, RCP_UA_AKA_ATTACH);
        const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_ATTACH);
        const adv_msg *cred = adv_last(&e.a, RCP_UA_SN_CREDENTIALS);
        adv_replay(&e.a, cred);
        ADV_EXPECT(&e.a, "replay SN_CREDENTIALS, same session", RCP_NODE_DEVICE,
                   RCP_UA_SN_CREDENTIALS, RCP_ERR_STATE, "not expected now");
        release_done(&e, held);
        adv_replay(&e.a, cred);
        ADV_EXPECT(&e.a, "replay SN_CREDENTIALS, after the run", RCP_NODE_DEVICE,
                   RCP_UA_SN_CREDENTIALS, RCP_ERR_STATE, "not expected now");
        no_secrets(&e);
        env_close(&e);
    }
    if (env_open(&e, 1, 152) == 0) {
        /* Across sessions: while B waits for its credentials, A's arrive
         * (genuine, signed by the SN, same IMSI): they answer another
         * ephemeral key and nonce. */
        session_a(&e);
        pause_at(&e, RCP_UA_SN_CREDENTIALS);
        const adv_msg *held = adv_find(&e.a, RCP_UA_SN_CREDENTIALS, 1);
        adv_replay(&e.a, adv_find(&e.a, RCP_UA_SN_CREDENTIALS, 0));
        ADV_EXPECT(&e.a, "replay SN_CREDENTIALS, across sessions", RCP_NODE_DEVICE,
                   RCP_UA_SN_CREDENTIALS, RCP_ERR_REPLAY, "not for this session");
        release_done(&e, held);
        one_imsi(&e, 2);
        no_secrets(&e);
        env_close(&e);
    }
}

/* ------------------------------------------------------------ AKA
 * A message that makes the HSS issue a fresh vector (AKA_ATTACH, or an
 * AUTS) is answered, as in EPS: the documented exception.  Only SQN_HE may
 * change.  Proof: the AuthS digest is unchanged; the allocation, the IMSI
 * count and the subscriber's K, OPc and constants read back the same; and
 * with SQN_HE set back to its old value (compare-and-set) the SN digest is
 * byte-identical to before -- so allocations, ledger, consumed nonces and
 * everything else are unchanged. */
static void expect_only_sqn(env *e, const char *attack, const rcp_allocation *al_before,
                            const rcp_hss_subscriber *sub_before)
{
    rcp_store *st = rcp_ua_world_sn_store(e->w);
    rcp_allocation al;
    rcp_hss_subscriber sub;
    uint8_t sn[32], auths[32];
    ADV_EXPECT_SN_BY_CALLER(&e->a, attack, RCP_NODE_DEVICE, RCP_UA_AKA_CHALLENGE, RCP_ERR_STATE,
                            "not expected now");
    adv_digests(&e->a, sn, auths);
    CHECK_MEM(sn, e->a.after_sn, 32); /* nothing moved after the rejection */
    CHECK_MEM(auths, e->a.before_auths, 32);
    CHECK(memcmp(sn, e->a.before_sn, 32) != 0); /* SQN_HE moved */
    CHECK_OK(rcp_store_alloc_by_imsi(st, al_before->imsi, &al));
    CHECK(memcmp(&al, al_before, sizeof al) == 0);
    CHECK(allocations(e) == 1);
    CHECK_OK(rcp_store_hss_get(st, al_before->imsi, &sub));
    CHECK(memcmp(sub.k, sub_before->k, 16) == 0 && memcmp(sub.opc, sub_before->opc, 16) == 0 &&
          memcmp(&sub.consts, &sub_before->consts, sizeof sub.consts) == 0);
    CHECK(sub.sqn > sub_before->sqn);
    CHECK_OK(rcp_store_hss_set_sqn(st, al_before->imsi, sub.sqn, sub_before->sqn));
    adv_digests(&e->a, sn, auths);
    CHECK_MEM(sn, e->a.before_sn, 32);
    rcp_wipe(&sub, sizeof sub);
}

static void sn_state(env *e, rcp_allocation *al, rcp_hss_subscriber *sub)
{
    rcp_store *st = rcp_ua_world_sn_store(e->w);
    CHECK_OK(rcp_store_alloc_by_imsi(st, e->d->cx.imsi, al));
    CHECK_OK(rcp_store_hss_get(st, e->d->cx.imsi, sub));
}

static void replay_aka_attach(void)
{
    env e;
    rcp_allocation al;
    rcp_hss_subscriber sub;
    if (env_open(&e, 1, 161) != 0)
        return;
    pause_at(&e, RCP_UA_AKA_RESPONSE);
    const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_RESPONSE);
    const adv_msg *att = adv_last(&e.a, RCP_UA_AKA_ATTACH);
    sn_state(&e, &al, &sub);
    adv_replay(&e.a, att);
    const adv_event *ev = adv_event_of(&e.a, RCP_NODE_SN, RCP_UA_AKA_ATTACH);
    CHECK(ev != NULL && ev->err == 0);
    expect_only_sqn(&e, "replay AKA_ATTACH, same session (exception)", &al, &sub);
    release_done(&e, held);
    sn_state(&e, &al, &sub);
    adv_replay(&e.a, att);
    expect_only_sqn(&e, "replay AKA_ATTACH, after the run (exception)", &al, &sub);
    one_imsi(&e, 1);
    no_secrets(&e);
    rcp_wipe(&sub, sizeof sub);
    env_close(&e);
}

/* A new AKA run of a provisioned device (it lost power before it kept
 * DONE): AKA_ATTACH again, a fresh vector. */
static void new_aka_run(env *e, uint32_t pause)
{
    CHECK(e->d->state == RCP_UA_DEV_DONE);
    e->d->state = RCP_UA_DEV_PROVISIONED;
    pause_at(e, pause);
}

static void replay_aka_challenge(void)
{
    env e;
    rcp_allocation al;
    rcp_hss_subscriber sub;
    if (env_open(&e, 1, 171) != 0)
        return;
    pause_at(&e, RCP_UA_AKA_RESPONSE);
    const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_RESPONSE);
    const adv_msg *chal = adv_last(&e.a, RCP_UA_AKA_CHALLENGE);
    adv_replay(&e.a, chal);
    ADV_EXPECT(&e.a, "replay AKA_CHALLENGE, same session", RCP_NODE_DEVICE, RCP_UA_AKA_CHALLENGE,
               RCP_ERR_STATE, "not expected now");
    release_done(&e, held);
    adv_replay(&e.a, chal);
    ADV_EXPECT(&e.a, "replay AKA_CHALLENGE, after the run", RCP_NODE_DEVICE, RCP_UA_AKA_CHALLENGE,
               RCP_ERR_STATE, "not expected now");

    /* In a new AKA run the old challenge passes the USIM's MAC check but
     * not its SQN check: the device answers AUTS (RCP_ERR_AKA_SYNC inside
     * the USIM), keeps its state, and the stores do not change.  The AUTS
     * is held, then released: the HSS resynchronises and the run ends. */
    new_aka_run(&e, RCP_UA_AKA_CHALLENGE);
    CHECK(e.d->state == RCP_UA_DEV_WAIT_AKA_CHALLENGE);
    rcp_ua_device before = *e.d;
    adv_drop(&e.a, RCP_UA_AKA_RESPONSE);
    adv_replay(&e.a, chal);
    const adv_event *ev = adv_event_of(&e.a, RCP_NODE_DEVICE, RCP_UA_AKA_CHALLENGE);
    CHECK(ev != NULL && ev->err == 0);
    const adv_msg *auts = adv_last(&e.a, RCP_UA_AKA_RESPONSE);
    const uint8_t *p = NULL;
    size_t n = 0;
    CHECK(auts != NULL && auts->dropped && adv_get_bstr(auts->buf, auts->len, 2, &p, &n) == 0 &&
          n == RCP_AUTS_LEN);
    CHECK(memcmp(&before, e.d, sizeof before) == 0);
    ADV_UNCHANGED(&e.a, "replay AKA_CHALLENGE, new AKA run");
    printf("  %-50s -> %-6s on %-15s answered with AUTS (USIM: RCP_ERR_AKA_SYNC)\n",
           "replay AKA_CHALLENGE, new AKA run", "device", "AKA_CHALLENGE");
    adv_drop_none(&e.a);
    release_done(&e, auts);

    /* The AUTS itself, replayed, makes the HSS issue a fresh vector: the
     * same exception as AKA_ATTACH, only SQN_HE moves. */
    sn_state(&e, &al, &sub);
    adv_replay(&e.a, auts);
    expect_only_sqn(&e, "replay AKA_RESPONSE (AUTS) (exception)", &al, &sub);
    one_imsi(&e, 1);
    no_secrets(&e);
    rcp_wipe(&sub, sizeof sub);
    env_close(&e);
}

static void replay_aka_response(void)
{
    env e;
    if (env_open(&e, 1, 181) != 0)
        return;
    run_done(&e);
    const adv_msg *res = adv_last(&e.a, RCP_UA_AKA_RESPONSE);
    adv_replay(&e.a, res);
    ADV_EXPECT(&e.a, "replay AKA_RESPONSE, same session", RCP_NODE_SN, RCP_UA_AKA_RESPONSE,
               RCP_ERR_REPLAY, "already completed");
    new_aka_run(&e, RCP_UA_AKA_RESPONSE);
    const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_RESPONSE);
    adv_replay(&e.a, res);
    ADV_EXPECT(&e.a, "replay AKA_RESPONSE, new AKA run", RCP_NODE_SN, RCP_UA_AKA_RESPONSE,
               RCP_ERR_REPLAY, "already completed");
    release_done(&e, held);
    one_imsi(&e, 1);
    no_secrets(&e);
    env_close(&e);
}

static void replay_aka_result(void)
{
    env e;
    if (env_open(&e, 1, 191) != 0)
        return;
    run_done(&e);
    const adv_msg *result = adv_last(&e.a, RCP_UA_AKA_RESULT);
    adv_replay(&e.a, result);
    ADV_EXPECT(&e.a, "replay AKA_RESULT, same session", RCP_NODE_DEVICE, RCP_UA_AKA_RESULT,
               RCP_ERR_STATE, "not expected now");
    /* In a new AKA run the device waits for a result: the old one confirms
     * another KASME. */
    new_aka_run(&e, RCP_UA_AKA_RESULT);
    CHECK(e.d->state == RCP_UA_DEV_WAIT_AKA_RESULT);
    const adv_msg *held = adv_last(&e.a, RCP_UA_AKA_RESULT);
    adv_replay(&e.a, result);
    ADV_EXPECT(&e.a, "replay AKA_RESULT, new AKA run", RCP_NODE_DEVICE, RCP_UA_AKA_RESULT,
               RCP_ERR_AUTH, "KASME confirmation failed");
    release_done(&e, held);
    one_imsi(&e, 1);
    no_secrets(&e);
    env_close(&e);
}

/* --------------------------------------------------------- ACK, REGISTER
 * Idempotent by design: a repeated ACK (the SN may retry one whose answer
 * it lost) and a repeated REGISTER are answered, say "not the first", and
 * change nothing. */

static int flag_of(const uint8_t *msg, size_t len, uint64_t key, int *v)
{
    adv_body b;
    const uint8_t *item = NULL;
    size_t n = 0;
    if (adv_parse(msg, len, &b) || adv_field(&b, key, &item, &n) || n != 1 ||
        (item[0] != 0xf4 && item[0] != 0xf5))
        return -1;
    *v = item[0] == 0xf5;
    return 0;
}

static void replay_ack(void)
{
    env e;
    if (env_open(&e, 1, 201) != 0)
        return;
    run_done(&e);
    const adv_msg *ack_resp = adv_last(&e.a, RCP_UA_ACK_RESPONSE);
    CHECK(ack_resp != NULL && ledger(&e, RCP_LEDGER_ACK) == 1);
    CHECK_OK(adv_replay(&e.a, adv_last(&e.a, RCP_UA_ACK)));
    CHECK(adv_rejections_since_arm(&e.a) == 0);
    const adv_msg *again = adv_last(&e.a, RCP_UA_ACK_RESPONSE);
    /* Answered again (an SN may retry an ack whose answer it lost), with
     * the same body, and no second ledger entry. */
    CHECK(again != ack_resp && again->len == ack_resp->len &&
          memcmp(again->buf, ack_resp->buf, ack_resp->len) == 0);
    ADV_UNCHANGED(&e.a, "replay ACK");
    printf("  %-50s -> %-6s answered, no new ledger entry, stores unchanged\n", "replay ACK",
           "AuthS");
    CHECK(ledger(&e, RCP_LEDGER_ACK) == 1);
    /* The answer, replayed to the SN: the allocation is already ACKED. */
    CHECK_OK(adv_replay(&e.a, ack_resp));
    CHECK(adv_rejections_since_arm(&e.a) == 0);
    ADV_UNCHANGED(&e.a, "replay ACK_RESPONSE");
    printf("  %-50s -> %-6s taken, stores unchanged\n", "replay ACK_RESPONSE", "SN");
    env_close(&e);
}

static void replay_register(void)
{
    env e;
    rcp_out_msg m;
    rcp_step s;
    uint8_t kid[RCP_KID_LEN], before[32], after[32];
    int created = -1;
    memset(&e, 0, sizeof e);
    e.w = adv_world(1, RCP_SUITE_GCM, 211, 3);
    if (e.w == NULL)
        return;
    adv_init(&e.a, e.w);
    e.d = rcp_ua_world_device(e.w, 0);
    rcp_store *st = rcp_ua_world_auths_store(e.w);
    const rcp_ua_auths *auths = rcp_ua_world_auths(e.w);
    adv_tre_kid(e.w, 0, kid);
    CHECK_OK(rcp_ua_sp_register(rcp_ua_world_sp(e.w), e.d->uuid, kid, 3, &m));
    CHECK_OK(rcp_ua_auths_handle(auths, m.buf, m.len, &s));
    CHECK(s.n_out == 1 && flag_of(s.out[0].buf, s.out[0].len, 2, &created) == 0 && created == 1);
    for (int round = 0; round < 2; round++) {
        /* round 0: right after; round 1: after a complete run (UUID used) */
        if (round == 1)
            run_done(&e);
        CHECK_OK(rcp_store_digest(st, before));
        CHECK_OK(rcp_ua_auths_handle(auths, m.buf, m.len, &s));
        CHECK_OK(rcp_store_digest(st, after));
        CHECK_MEM(after, before, 32);
        CHECK(s.n_out == 1 && s.out[0].type == RCP_UA_REGISTER_RESPONSE &&
              flag_of(s.out[0].buf, s.out[0].len, 2, &created) == 0 && created == 0);
        printf("  %-50s -> %-6s answered, created = false, store unchanged\n",
               round ? "replay REGISTER, after the run" : "replay REGISTER", "AuthS");
    }
    CHECK(ledger(&e, RCP_LEDGER_REGISTER) == 1);
    env_close(&e);
}

int main(void)
{
    printf("replays (attack -> who refused it, on which message, error, reason):\n");
    replay_attach_request();
    replay_sn_challenge();
    replay_tre_credentials();
    replay_authz_request();
    replay_authz_response();
    replay_sn_credentials();
    replay_aka_attach();
    replay_aka_challenge();
    replay_aka_response();
    replay_aka_result();
    replay_ack();
    replay_register();
    return rcp_t_done("test_ua_adv_replay");
}
