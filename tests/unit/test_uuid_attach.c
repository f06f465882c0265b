/* uuid-attach end to end in one process: every role, both curves and both
 * suites, retries after lost messages, and the store's invariants. */
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/sim.h"

static rcp_ua_world *world(size_t n, rcp_curve curve, rcp_seal_suite suite, uint64_t seed)
{
    rcp_ua_world_opts o = {n, curve, suite, seed, NULL, 3, 0};
    rcp_ua_world *w = NULL;
    CHECK_OK(rcp_ua_world_new(&o, &w));
    return w;
}

static uint64_t ledger(rcp_ua_world *w, rcp_ledger_kind k)
{
    uint64_t n = 0;
    CHECK_OK(rcp_store_ledger_count(rcp_ua_world_auths_store(w), k, &n));
    return n;
}

static void test_all_roles(rcp_curve curve, rcp_seal_suite suite)
{
    const size_t n = 6;
    char why[256] = "";
    rcp_ua_world *w = world(n, curve, suite, 42);
    if (w == NULL)
        return;
    rcp_ua_run_stats st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < n; i++)
        CHECK_OK(rcp_ua_world_register(w, i, why, sizeof why));
    for (size_t i = 0; i < n; i++) {
        int r = rcp_ua_world_run(w, i, &st, why, sizeof why);
        if (r)
            rcp_t_fail_at(__FILE__, __LINE__, "device %zu: %s", i, why);
        else
            rcp_t_pass++;
        rcp_ua_device *d = rcp_ua_world_device(w, i);
        CHECK(d->state == RCP_UA_DEV_DONE);
        CHECK(d->suite == suite);
        /* The SN's allocation matches what the device holds. */
        rcp_allocation al;
        CHECK_OK(rcp_store_alloc_by_imsi(rcp_ua_world_sn_store(w), d->cx.imsi, &al));
        CHECK_MEM(al.uuid, d->uuid, RCP_UUID_LEN);
        CHECK(al.state == RCP_ALLOC_ACKED);
        rcp_hss_subscriber sub;
        CHECK_OK(rcp_store_hss_get(rcp_ua_world_sn_store(w), d->cx.imsi, &sub));
        CHECK_MEM(sub.k, d->cx.k, 16);
        CHECK_MEM(sub.opc, d->cx.opc, 16);
        CHECK(strncmp(d->cx.imsi, "00101", 5) == 0 && strlen(d->cx.imsi) == 15);
        CHECK(strcmp(d->cx.destination, "rsmf.rcprov.test") == 0);
        rcp_wipe(&sub, sizeof sub);
        /* The AuthS marked the UUID used. */
        rcp_uuid_record rec;
        CHECK_OK(rcp_store_uuid_get(rcp_ua_world_auths_store(w), d->uuid, &rec));
        CHECK(rec.state == RCP_UUID_USED && rec.authorizations == 1);
    }
    /* Costs per device: 4 round trips (2 provisioning + 2 AKA). */
    CHECK(st.round_trips == 4 * n);
    CHECK(st.device_ops.sign == n && st.device_ops.verify == 3 * n && st.device_ops.ecdh == 2 * n &&
          st.device_ops.keygen == n);
    /* The SN verifies CERT.PN once (then cached): 2 + 1 per device + 1. */
    CHECK(st.sn_ops.verify == 3 * n + 1);
    CHECK(st.sn_ops.sign == 3 * n && st.sn_ops.ecdh == 2 * n && st.sn_ops.keygen == n);
    CHECK(ledger(w, RCP_LEDGER_REGISTER) == n);
    CHECK(ledger(w, RCP_LEDGER_AUTHORIZE) == n);
    CHECK(ledger(w, RCP_LEDGER_ACK) == n);
    uint64_t allocs = 0;
    CHECK_OK(rcp_store_alloc_count(rcp_ua_world_sn_store(w), &allocs));
    CHECK(allocs == n);
    /* A provisioned UUID cannot be used again. */
    rcp_ua_device *d0 = rcp_ua_world_device(w, 0);
    d0->state = RCP_UA_DEV_IDLE;
    CHECK_ERR(rcp_ua_world_run(w, 0, NULL, why, sizeof why), RCP_ERR_REPLAY);
    CHECK(strstr(why, "already used") != NULL);
    rcp_ua_world_free(w);
}

/* Drop the first message of one type: the device's retry must succeed with
 * the same IMSI and no second allocation. */
struct dropper {
    uint32_t type;
    int dropped;
};

static int drop_once(void *ctx, size_t dev, rcp_node from, rcp_node to, uint32_t type, uint8_t *buf,
                     size_t *len)
{
    struct dropper *d = ctx;
    (void)dev, (void)from, (void)to, (void)buf, (void)len;
    if (type == d->type && !d->dropped) {
        d->dropped = 1;
        return 1;
    }
    return 0;
}

static void test_retry_after_loss(uint32_t lost_type)
{
    char why[256] = "";
    rcp_ua_world *w = world(2, RCP_CURVE_P256, RCP_SUITE_GCM, 7);
    if (w == NULL)
        return;
    struct dropper dr = {lost_type, 0};
    CHECK_OK(rcp_ua_world_register(w, 0, why, sizeof why));
    rcp_ua_world_set_tap(w, drop_once, &dr);
    /* First run stops (a message was lost), then a power cut: restart. */
    int r = rcp_ua_world_run(w, 0, NULL, why, sizeof why);
    CHECK(r == RCP_ERR_STATE && dr.dropped);
    rcp_ua_device *d = rcp_ua_world_device(w, 0);
    if (d->state < RCP_UA_DEV_PROVISIONED)
        d->state = RCP_UA_DEV_IDLE; /* restart the attach from step 1 */
    r = rcp_ua_world_run(w, 0, NULL, why, sizeof why);
    if (r)
        rcp_t_fail_at(__FILE__, __LINE__, "retry after losing type %u: %s", lost_type, why);
    CHECK(d->state == RCP_UA_DEV_DONE);
    uint64_t allocs = 0;
    CHECK_OK(rcp_store_alloc_count(rcp_ua_world_sn_store(w), &allocs));
    CHECK(allocs == 1);
    CHECK(ledger(w, RCP_LEDGER_ACK) == (lost_type == RCP_UA_ACK ? 0 : 1));
    rcp_ua_world_free(w);
}

static void test_uuid(void)
{
    uint8_t k[16], catv[4] = {1, 2, 3, 4}, uuid[16], uuid2[16];
    uint64_t sn = 0;
    rcp_drbg d;
    memset(k, 0x42, sizeof k);
    CHECK_OK(rcp_drbg_init(&d, (const uint8_t *)"uuid", 4));
    CHECK_OK(rcp_ua_uuid_generate(k, catv, 0x123456789abcULL, &d.rng, uuid));
    CHECK_OK(rcp_ua_uuid_generate(k, catv, 0x123456789abcULL, &d.rng, uuid2));
    CHECK(memcmp(uuid, uuid2, 16) != 0); /* fresh Rand: never recycled */
    CHECK_OK(rcp_ua_uuid_check(k, catv, uuid, &sn));
    CHECK(sn == 0x123456789abcULL);
    uuid[3] ^= 1;
    CHECK_ERR(rcp_ua_uuid_check(k, catv, uuid, &sn), RCP_ERR_AUTH);
    CHECK_ERR(rcp_ua_uuid_generate(k, catv, RCP_UA_TRE_SN_MAX + 1, &d.rng, uuid), RCP_ERR_RANGE);
    rcp_drbg_wipe(&d);
}

/* The first message of an output to the SN / to an AuthS, into buf. */
static size_t take(const rcp_step *s, rcp_dest to, uint8_t *buf)
{
    for (size_t k = 0; k < s->n_out; k++)
        if (s->out[k].to == to) {
            memcpy(buf, s->out[k].buf, s->out[k].len);
            return s->out[k].len;
        }
    return 0;
}

/* Rotating the SN's cookie key: a cookie sealed under the old key opens at
 * an SN that seals with the new key only while it still accepts the old
 * one; new cookies use the new key. */
static void test_cookie_key_rotation(void)
{
    rcp_ua_world *w = world(1, RCP_CURVE_P256, RCP_SUITE_GCM, 7);
    if (w == NULL)
        return;
    char why[256] = "";
    CHECK_OK(rcp_ua_world_register(w, 0, why, sizeof why));
    rcp_ua_sn old_sn = *rcp_ua_world_sn(w);
    rcp_ua_device *d = rcp_ua_world_device(w, 0);
    static uint8_t m[RCP_MSG_MAX], tre[RCP_MSG_MAX];
    rcp_step s;
    CHECK_OK(rcp_ua_device_start(d, &s));
    size_t n = take(&s, RCP_TO_SN, m);
    CHECK_OK(rcp_ua_sn_handle(&old_sn, m, n, &s)); /* SN_CHALLENGE, cookie under the old key */
    n = take(&s, RCP_TO_REPLY, m);
    CHECK(n > 0);
    CHECK_OK(rcp_ua_device_handle(d, m, n, &s)); /* TRE_CREDENTIALS carries that cookie */
    size_t tre_len = take(&s, RCP_TO_SN, tre);
    CHECK(tre_len > 0);

    rcp_ua_sn rotated = old_sn;
    uint8_t old_key[RCP_COOKIE_KEY_LEN];
    memcpy(old_key, old_sn.cookie_key, sizeof old_key);
    for (size_t i = 0; i < RCP_COOKIE_KEY_LEN; i++)
        rotated.cookie_key[i] = (uint8_t)(old_key[i] ^ 0x5a);
    /* New key only: the cookie in flight is refused, nothing stored. */
    uint8_t before[32], after[32];
    CHECK_OK(rcp_store_digest(rcp_ua_world_sn_store(w), before));
    CHECK_ERR(rcp_ua_sn_handle(&rotated, tre, tre_len, &s), RCP_ERR_AUTH);
    CHECK_OK(rcp_store_digest(rcp_ua_world_sn_store(w), after));
    CHECK(memcmp(before, after, sizeof before) == 0);
    /* New key, old one still accepted: the exchange goes on to the AuthS. */
    rotated.cookie_key_accept = old_key;
    CHECK_OK(rcp_ua_sn_handle(&rotated, tre, tre_len, &s));
    CHECK(take(&s, RCP_TO_AUTHS, m) > 0);
    /* A cookie the rotated SN seals now uses the new key: an SN that has
     * only the old key refuses it. */
    CHECK_OK(rcp_ua_device_start(d, &s));
    n = take(&s, RCP_TO_SN, m);
    CHECK_OK(rcp_ua_sn_handle(&rotated, m, n, &s));
    n = take(&s, RCP_TO_REPLY, m);
    CHECK_OK(rcp_ua_device_handle(d, m, n, &s));
    tre_len = take(&s, RCP_TO_SN, tre);
    CHECK_ERR(rcp_ua_sn_handle(&old_sn, tre, tre_len, &s), RCP_ERR_AUTH);
    rotated.cookie_key_accept = NULL;
    CHECK_OK(rcp_ua_sn_handle(&rotated, tre, tre_len, &s));
    rcp_wipe(old_key, sizeof old_key);
    rcp_ua_world_free(w);
}

int main(void)
{
    test_uuid();
    test_cookie_key_rotation();
    test_all_roles(RCP_CURVE_P256, RCP_SUITE_GCM);
    test_all_roles(RCP_CURVE_P256, RCP_SUITE_CBC_HMAC);
    test_all_roles(RCP_CURVE_BP256R1, RCP_SUITE_GCM);
    test_all_roles(RCP_CURVE_BP256R1, RCP_SUITE_CBC_HMAC);
    test_retry_after_loss(RCP_UA_SN_CHALLENGE);
    test_retry_after_loss(RCP_UA_AUTHZ_RESPONSE);
    test_retry_after_loss(RCP_UA_SN_CREDENTIALS);
    test_retry_after_loss(RCP_UA_AKA_CHALLENGE);
    test_retry_after_loss(RCP_UA_AKA_RESULT);
    return rcp_t_done("test_uuid_attach");
}
