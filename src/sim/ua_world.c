/* An in-process uuid-attach world: PKI, AuthS, SN + HSS, SP, devices, bus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/envelope.h"
#include "rcprov/sim.h"

#define T0 1800000000u /* 2027-01-15T08:00:00Z: start of every world */
#define DAY 86400u
#define QUEUE_MAX 16

struct dev_slot {
    rcp_ua_device dev;
    rcp_ec_key *tre_key;
    uint8_t cert_tre[RCP_CCERT_MAX_LEN];
    size_t cert_tre_len;
    rcp_ua_tre_creds creds;
    uint8_t k_tresi[16], catv[4];
};

struct rcp_ua_world {
    rcp_drbg drbg;
    rcp_fake_clock clock;
    rcp_ec_key *ci_key, *pn_key, *ecka_key, *ecdsa_key, *auths_key, *sp_key;
    uint8_t cert_ci[RCP_CCERT_MAX_LEN], cert_pn[RCP_CCERT_MAX_LEN];
    uint8_t cert_ecka[RCP_CCERT_MAX_LEN], cert_ecdsa[RCP_CCERT_MAX_LEN];
    size_t cert_ci_len, cert_pn_len, cert_ecka_len, cert_ecdsa_len;
    rcp_ccert_store *sn_trust, *dev_trust;
    rcp_store *sn_store, *auths_store;
    rcp_ua_sn_creds creds;
    rcp_ua_auths_agreement auths_ag;
    rcp_ua_sn sn;
    rcp_ua_sn_agreement sn_ag;
    rcp_ua_sp_agreement sp_ag;
    rcp_ua_auths auths;
    rcp_ua_sp sp;
    rcp_milenage_consts consts;
    uint8_t op[16];
    uint32_t max_authz;
    size_t n;
    struct dev_slot *devs;
    rcp_bus_tap tap;
    void *tap_ctx;
    rcp_bus_observer obs;
    void *obs_ctx;
};

static int issue(const char *subject, uint32_t serial, rcp_key_usage usage, const rcp_ec_key *subj,
                 const rcp_ec_key *issuer, uint64_t days, uint8_t *out, size_t *out_len)
{
    uint8_t s[4] = {(uint8_t)(serial >> 24), (uint8_t)(serial >> 16), (uint8_t)(serial >> 8),
                    (uint8_t)serial};
    rcp_ccert_template t = {s, 4, subject, usage, subj, T0 - DAY, T0 + days * DAY, NULL, 0};
    return rcp_ccert_issue(&t, issuer, out, RCP_CCERT_MAX_LEN, out_len);
}

static int open_store(const rcp_ua_world_opts *o, const char *name, rcp_store **st)
{
    char url[4096];
    if (o->dir)
        snprintf(url, sizeof url, "sqlite:%s/%s.db", o->dir, name);
    else
        snprintf(url, sizeof url, "sqlite::memory:");
    return rcp_store_open(url, st);
}

static int make_device(rcp_ua_world *w, size_t i, const rcp_ua_world_opts *o)
{
    struct dev_slot *d = &w->devs[i];
    char subject[32];
    uint8_t uuid[RCP_UUID_LEN];
    snprintf(subject, sizeof subject, "TRE %08zu", i + 1);
    int ret = rcp_ec_key_generate(o->curve, &w->drbg.rng, &d->tre_key);
    if (ret == 0)
        ret = issue(subject, (uint32_t)(0x10000000u + i), RCP_USAGE_SIGN, d->tre_key, w->pn_key,
                    3650, d->cert_tre, &d->cert_tre_len);
    if (ret == 0)
        ret = rcp_rng_fill(&w->drbg.rng, d->k_tresi, sizeof d->k_tresi);
    if (ret == 0)
        ret = rcp_rng_fill(&w->drbg.rng, d->catv, sizeof d->catv);
    /* Step 0-a: the TRE generates its UUID. */
    if (ret == 0)
        ret = rcp_ua_uuid_generate(d->k_tresi, d->catv, i + 1, &w->drbg.rng, uuid);
    if (ret)
        return ret;
    d->creds = (rcp_ua_tre_creds){o->curve,   d->tre_key,     d->cert_tre, d->cert_tre_len,
                                  w->cert_pn, w->cert_pn_len, w->dev_trust};
    rcp_ua_device_init(&d->dev, &d->creds, uuid, w->auths.fqdn, &w->drbg.rng, &w->clock.clock);
    if (o->suite == RCP_SUITE_CBC_HMAC) {
        d->dev.suites[0] = RCP_SUITE_CBC_HMAC;
        d->dev.suites[1] = RCP_SUITE_GCM;
    }
    return RCP_OK;
}

int rcp_ua_world_new(const rcp_ua_world_opts *o, rcp_ua_world **out)
{
    rcp_cert_why why;
    uint8_t seed[8];
    if (o == NULL || out == NULL || o->devices == 0 ||
        (o->curve != RCP_CURVE_P256 && o->curve != RCP_CURVE_BP256R1) ||
        (o->suite != RCP_SUITE_GCM && o->suite != RCP_SUITE_CBC_HMAC))
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    rcp_ua_world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return RCP_ERR_NO_MEMORY;
    w->devs = calloc(o->devices, sizeof *w->devs);
    if (w->devs == NULL) {
        free(w);
        return RCP_ERR_NO_MEMORY;
    }
    w->n = o->devices;
    w->max_authz = o->max_authorizations ? o->max_authorizations : 3;
    for (int i = 0; i < 8; i++)
        seed[i] = (uint8_t)(o->seed >> (56 - 8 * i));
    int ret = rcp_drbg_init(&w->drbg, seed, sizeof seed);
    rcp_fake_clock_init(&w->clock, T0);
    const rcp_rng *rng = &w->drbg.rng;

    /* PKI: CI root; PN intermediate; SN ECKA + ECDSA leaves under the CI. */
    if (ret == 0)
        ret = rcp_ec_key_generate(o->curve, rng, &w->ci_key);
    if (ret == 0)
        ret = rcp_ec_key_generate(o->curve, rng, &w->pn_key);
    if (ret == 0)
        ret = rcp_ec_key_generate(o->curve, rng, &w->ecka_key);
    if (ret == 0)
        ret = rcp_ec_key_generate(o->curve, rng, &w->ecdsa_key);
    if (ret == 0)
        ret = rcp_ec_key_generate(o->curve, rng, &w->auths_key);
    if (ret == 0)
        ret = rcp_ec_key_generate(o->curve, rng, &w->sp_key);
    if (ret == 0)
        ret = issue("rcprov sim CI", 1, RCP_USAGE_CA, w->ci_key, w->ci_key, 7300, w->cert_ci,
                    &w->cert_ci_len);
    if (ret == 0)
        ret = issue("rcprov sim PN 1", 2, RCP_USAGE_CA, w->pn_key, w->ci_key, 7300, w->cert_pn,
                    &w->cert_pn_len);
    if (ret == 0)
        ret = issue("sn.001.01.rcprov.test", 3, RCP_USAGE_AGREE, w->ecka_key, w->ci_key, 3650,
                    w->cert_ecka, &w->cert_ecka_len);
    if (ret == 0)
        ret = issue("sn.001.01.rcprov.test", 4, RCP_USAGE_SIGN, w->ecdsa_key, w->ci_key, 3650,
                    w->cert_ecdsa, &w->cert_ecdsa_len);
    if (ret == 0)
        ret = rcp_ccert_store_new(&w->sn_trust);
    if (ret == 0)
        ret = rcp_ccert_store_new(&w->dev_trust);
    if (ret == 0)
        ret = rcp_ccert_store_add_anchor(w->sn_trust, w->cert_ci, w->cert_ci_len, &why);
    if (ret == 0)
        ret = rcp_ccert_store_add_anchor(w->dev_trust, w->cert_ci, w->cert_ci_len, &why);
    if (ret == 0)
        ret = open_store(o, "sn", &w->sn_store);
    if (ret == 0)
        ret = open_store(o, "auths", &w->auths_store);
    if (ret == 0)
        ret = rcp_rng_fill(rng, w->op, sizeof w->op);
    if (ret)
        goto fail;
    rcp_milenage_consts_default(&w->consts);

    /* Authorization Server, with its agreements (the SN, the SP). */
    uint8_t ecka_kid[RCP_KID_LEN];
    ret = rcp_key_id(w->ecdsa_key, w->sn_ag.ecdsa_kid);
    if (ret == 0)
        ret = rcp_key_id(w->ecka_key, ecka_kid);
    if (ret == 0)
        ret = rcp_ec_key_ref(w->ecdsa_key, &w->sn_ag.ecdsa_key);
    if (ret == 0)
        ret = rcp_key_id(w->sp_key, w->sp_ag.kid);
    if (ret == 0)
        ret = rcp_ec_key_ref(w->sp_key, &w->sp_ag.key);
    if (ret == 0)
        ret = rcp_ec_key_ref(w->auths_key, &w->auths_ag.key);
    if (ret)
        goto fail;
    memcpy(w->sn_ag.ecka_kids[0], ecka_kid, RCP_KID_LEN);
    w->sn_ag.n_ecka = 1;
    snprintf(w->sn_ag.name, sizeof w->sn_ag.name, "sn.001.01.rcprov.test");
    snprintf(w->sp_ag.name, sizeof w->sp_ag.name, "oem.rcprov.test");
    snprintf(w->auths_ag.fqdn, sizeof w->auths_ag.fqdn, "auths.rcprov.test");
    w->auths = (rcp_ua_auths){.fqdn = w->auths_ag.fqdn,
                              .key = w->auths_key,
                              .sns = &w->sn_ag,
                              .n_sns = 1,
                              .sps = &w->sp_ag,
                              .n_sps = 1,
                              .authz_lifetime = 3600,
                              .data_limit = 10u << 20,
                              .destination = "rsmf.rcprov.test",
                              .max_skew = 300,
                              .store = w->auths_store,
                              .rng = rng,
                              .clock = &w->clock.clock};
    w->sp = (rcp_ua_sp){"oem.rcprov.test", w->sp_key, &w->clock.clock};

    /* Serving Network with its HSS (test PLMN 001/01). */
    w->creds = (rcp_ua_sn_creds){.curve = o->curve,
                                 .ecka_key = w->ecka_key,
                                 .cert_ecka = w->cert_ecka,
                                 .cert_ecka_len = w->cert_ecka_len,
                                 .ecdsa_key = w->ecdsa_key,
                                 .cert_ecdsa = w->cert_ecdsa,
                                 .cert_ecdsa_len = w->cert_ecdsa_len};
    w->sn = (rcp_ua_sn){.creds = &w->creds,
                        .n_creds = 1,
                        .suites = {RCP_SUITE_GCM, RCP_SUITE_CBC_HMAC},
                        .n_suites = 2,
                        .trust = w->sn_trust,
                        .auths = &w->auths_ag,
                        .n_auths = 1,
                        .cookie_lifetime = 120,
                        .mcc = "001",
                        .mnc = "01",
                        .msin_first = 1000000000u,
                        .msin_last =
                            1000000000u + (o->msin_count ? o->msin_count : o->devices + 16) - 1,
                        .op = w->op,
                        .consts = &w->consts,
                        .amf = {0x80, 0x00},
                        .store = w->sn_store,
                        .rng = rng,
                        .clock = &w->clock.clock};
    rcp_sqn_scheme_default(&w->sn.sqn);
    ret = rcp_ua_sn_creds_init(&w->creds);
    if (ret == 0)
        ret = rcp_rng_fill(rng, w->sn.cookie_key, sizeof w->sn.cookie_key);
    for (size_t i = 0; ret == 0 && i < w->n; i++)
        ret = make_device(w, i, o);
    if (ret)
        goto fail;
    *out = w;
    return RCP_OK;
fail:
    rcp_ua_world_free(w);
    return ret;
}

void rcp_ua_world_free(rcp_ua_world *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n && w->devs; i++) {
        rcp_ec_key_free(w->devs[i].tre_key);
        rcp_ua_device_wipe(&w->devs[i].dev);
        rcp_wipe(w->devs[i].k_tresi, sizeof w->devs[i].k_tresi);
    }
    free(w->devs);
    rcp_ec_key_free(w->ci_key);
    rcp_ec_key_free(w->pn_key);
    rcp_ec_key_free(w->ecka_key);
    rcp_ec_key_free(w->ecdsa_key);
    rcp_ec_key_free(w->auths_key);
    rcp_ec_key_free(w->sp_key);
    rcp_ec_key_free(w->sn_ag.ecdsa_key);
    rcp_ec_key_free(w->sp_ag.key);
    rcp_ec_key_free(w->auths_ag.key);
    rcp_ccert_store_free(w->sn_trust);
    rcp_ccert_store_free(w->dev_trust);
    rcp_store_close(w->sn_store);
    rcp_store_close(w->auths_store);
    rcp_wipe(w, sizeof *w);
    free(w);
}

rcp_ua_device *rcp_ua_world_device(rcp_ua_world *w, size_t i)
{
    return w && i < w->n ? &w->devs[i].dev : NULL;
}
const rcp_ua_sn *rcp_ua_world_sn(rcp_ua_world *w)
{
    return &w->sn;
}
const rcp_ua_auths *rcp_ua_world_auths(rcp_ua_world *w)
{
    return &w->auths;
}
rcp_store *rcp_ua_world_sn_store(rcp_ua_world *w)
{
    return w->sn_store;
}
rcp_store *rcp_ua_world_auths_store(rcp_ua_world *w)
{
    return w->auths_store;
}
rcp_fake_clock *rcp_ua_world_clock(rcp_ua_world *w)
{
    return &w->clock;
}
const rcp_rng *rcp_ua_world_rng(rcp_ua_world *w)
{
    return &w->drbg.rng;
}
const rcp_ua_sp *rcp_ua_world_sp(rcp_ua_world *w)
{
    return &w->sp;
}
const rcp_ua_tre_creds *rcp_ua_world_tre(rcp_ua_world *w, size_t i)
{
    return w && i < w->n ? &w->devs[i].creds : NULL;
}

void rcp_ua_world_set_tap(rcp_ua_world *w, rcp_bus_tap tap, void *ctx)
{
    w->tap = tap;
    w->tap_ctx = ctx;
}

const rcp_ec_key *rcp_ua_world_key(rcp_ua_world *w, rcp_ua_key_id id)
{
    switch (id) {
    case RCP_UA_KEY_CI:
        return w->ci_key;
    case RCP_UA_KEY_PN:
        return w->pn_key;
    case RCP_UA_KEY_SN_ECKA:
        return w->ecka_key;
    case RCP_UA_KEY_SN_ECDSA:
        return w->ecdsa_key;
    case RCP_UA_KEY_AUTHS:
        return w->auths_key;
    case RCP_UA_KEY_SP:
        return w->sp_key;
    }
    return NULL;
}

void rcp_ua_world_set_trace(rcp_ua_world *w, const rcp_trace *sn, const rcp_trace *device)
{
    w->sn.trace = sn;
    for (size_t i = 0; i < w->n; i++)
        w->devs[i].dev.trace = device;
}

void rcp_ua_world_set_observer(rcp_ua_world *w, rcp_bus_observer obs, void *ctx)
{
    w->obs = obs;
    w->obs_ctx = ctx;
}

int rcp_ua_world_revoke_tre(rcp_ua_world *w, size_t i)
{
    rcp_cert_why why;
    rcp_ccert c;
    uint8_t crl[512];
    size_t crl_len = 0;
    if (w == NULL || i >= w->n)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_ccert_decode(w->devs[i].cert_tre, w->devs[i].cert_tre_len, &c);
    if (ret)
        return ret;
    const uint8_t *serials[1] = {c.serial};
    size_t lens[1] = {c.serial_len};
    uint64_t now = w->clock.t;
    ret =
        rcp_ccrl_issue(w->pn_key, now, now + 7 * DAY, serials, lens, 1, crl, sizeof crl, &crl_len);
    if (ret == 0)
        ret = rcp_ccert_store_add_ca(w->sn_trust, w->cert_pn, w->cert_pn_len, now, &why);
    if (ret == 0)
        ret = rcp_ccert_store_add_crl(w->sn_trust, crl, crl_len, now, &why);
    return ret;
}

int rcp_ua_world_issue_other_sn_ecka(rcp_ua_world *w, uint8_t *out, size_t cap, size_t *len)
{
    rcp_ec_key *k = NULL;
    if (w == NULL || out == NULL || len == NULL || cap < RCP_CCERT_MAX_LEN)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_ec_key_generate(rcp_ec_key_curve(w->ci_key), &w->drbg.rng, &k);
    if (ret == 0)
        ret = issue("sn.999.99.other.test", 5, RCP_USAGE_AGREE, k, w->ci_key, 3650, out, len);
    rcp_ec_key_free(k);
    return ret;
}

int rcp_ua_world_cert(rcp_ua_world *w, rcp_ua_cert_id id, const uint8_t **cert, size_t *len)
{
    switch (id) {
    case RCP_UA_CERT_CI:
        *cert = w->cert_ci;
        *len = w->cert_ci_len;
        return RCP_OK;
    case RCP_UA_CERT_PN:
        *cert = w->cert_pn;
        *len = w->cert_pn_len;
        return RCP_OK;
    case RCP_UA_CERT_SN_ECKA:
        *cert = w->cert_ecka;
        *len = w->cert_ecka_len;
        return RCP_OK;
    case RCP_UA_CERT_SN_ECDSA:
        *cert = w->cert_ecdsa;
        *len = w->cert_ecdsa_len;
        return RCP_OK;
    }
    return RCP_ERR_INVALID_ARG;
}

static void set_why(char *why, size_t cap, const char *who, const rcp_step *s)
{
    if (why && cap)
        snprintf(why, cap, "%s: %s (%s)", who, s->why[0] ? s->why : rcp_strerror(s->err),
                 rcp_errname(s->err));
}

int rcp_ua_world_register(rcp_ua_world *w, size_t i, char *why, size_t why_cap)
{
    rcp_out_msg m;
    rcp_step s;
    uint8_t kid[RCP_KID_LEN];
    rcp_ccert c;
    if (w == NULL || i >= w->n)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_ccert_decode(w->devs[i].cert_tre, w->devs[i].cert_tre_len, &c);
    if (ret)
        return ret;
    memcpy(kid, c.subject_kid, RCP_KID_LEN);
    ret = rcp_ua_sp_register(&w->sp, w->devs[i].dev.uuid, kid, w->max_authz, &m);
    if (ret)
        return ret;
    ret = rcp_ua_auths_handle(&w->auths, m.buf, m.len, &s);
    if (ret)
        set_why(why, why_cap, "Authorization Server", &s);
    return ret;
}

/* ------------------------------------------------------------------ bus */

struct item {
    rcp_node from, to;
    uint32_t type;
    size_t len;
    uint8_t buf[RCP_MSG_MAX];
};

struct queue {
    size_t head, n;
    struct item items[QUEUE_MAX];
};

static int push(struct queue *q, rcp_node from, rcp_node to, const rcp_out_msg *m)
{
    if (q->n == QUEUE_MAX)
        return RCP_ERR_LIMIT;
    if (m->len > sizeof q->items[0].buf)
        return RCP_ERR_LENGTH;
    struct item *it = &q->items[(q->head + q->n++) % QUEUE_MAX];
    it->from = from;
    it->to = to;
    it->type = m->type;
    it->len = m->len;
    memcpy(it->buf, m->buf, m->len);
    return RCP_OK;
}

/* Deliver everything in q; device i is the one the exchange is about. */
static int drain(rcp_ua_world *w, size_t i, struct queue *q, rcp_ua_run_stats *st, char *why,
                 size_t why_cap)
{
    rcp_step s;
    int first_err = 0;
    while (q->n > 0) {
        struct item it = q->items[q->head];
        q->head = (q->head + 1) % QUEUE_MAX;
        q->n--;
        if (w->tap && w->tap(w->tap_ctx, i, it.from, it.to, it.type, it.buf, &it.len))
            continue; /* dropped */
        int ret = 0;
        switch (it.to) {
        case RCP_NODE_SN:
            if (it.from == RCP_NODE_DEVICE && st) {
                st->round_trips++;
                st->bytes_up += it.len;
            }
            ret = rcp_ua_sn_handle(&w->sn, it.buf, it.len, &s);
            if (w->obs)
                w->obs(w->obs_ctx, i, it.to, it.type, ret, s.why);
            if (st)
                rcp_op_counts_add(&st->sn_ops, &s.ops);
            if (ret && !first_err) {
                first_err = ret;
                set_why(why, why_cap, "Serving Network", &s);
            }
            for (size_t k = 0; k < s.n_out && k < RCP_STEP_MAX_OUT; k++) {
                rcp_dest d = s.out[k].to;
                rcp_node to = d == RCP_TO_AUTHS ? RCP_NODE_AUTHS : RCP_NODE_DEVICE;
                /* An error about an AuthS answer is for the device, never a
                 * reply to the AuthS. */
                if (d == RCP_TO_REPLY && it.from == RCP_NODE_AUTHS)
                    to = RCP_NODE_DEVICE;
                if (push(q, RCP_NODE_SN, to, &s.out[k]))
                    return RCP_ERR_LIMIT;
            }
            break;
        case RCP_NODE_AUTHS:
            if (it.type == RCP_MSG_ERROR)
                break; /* the AuthS takes no error messages */
            ret = rcp_ua_auths_handle(&w->auths, it.buf, it.len, &s);
            if (w->obs)
                w->obs(w->obs_ctx, i, it.to, it.type, ret, s.why);
            if (st)
                rcp_op_counts_add(&st->auths_ops, &s.ops);
            if (ret && !first_err) {
                first_err = ret;
                set_why(why, why_cap, "Authorization Server", &s);
            }
            for (size_t k = 0; k < s.n_out && k < RCP_STEP_MAX_OUT; k++)
                if (push(q, RCP_NODE_AUTHS, RCP_NODE_SN, &s.out[k]))
                    return RCP_ERR_LIMIT;
            break;
        case RCP_NODE_DEVICE: {
            rcp_ua_device *d = &w->devs[i].dev;
            if (st)
                st->bytes_down += it.len;
            ret = rcp_ua_device_handle(d, it.buf, it.len, &s);
            if (w->obs)
                w->obs(w->obs_ctx, i, it.to, it.type, ret, s.why);
            if (st)
                rcp_op_counts_add(&st->device_ops, &s.ops);
            if (ret && !first_err) {
                first_err = ret;
                set_why(why, why_cap, "device", &s);
            }
            for (size_t k = 0; k < s.n_out && k < RCP_STEP_MAX_OUT; k++)
                if (push(q, RCP_NODE_DEVICE, RCP_NODE_SN, &s.out[k]))
                    return RCP_ERR_LIMIT;
            break;
        }
        }
    }
    return first_err;
}

int rcp_ua_world_run(rcp_ua_world *w, size_t i, rcp_ua_run_stats *stats, char *why, size_t why_cap)
{
    struct queue *q;
    rcp_step s;
    if (w == NULL || i >= w->n)
        return RCP_ERR_INVALID_ARG;
    rcp_ua_device *d = &w->devs[i].dev;
    int ret = rcp_ua_device_start(d, &s);
    if (stats)
        rcp_op_counts_add(&stats->device_ops, &s.ops);
    if (ret) {
        set_why(why, why_cap, "device", &s);
        return ret;
    }
    q = calloc(1, sizeof *q);
    if (q == NULL)
        return RCP_ERR_NO_MEMORY;
    for (size_t k = 0; k < s.n_out && k < RCP_STEP_MAX_OUT; k++)
        push(q, RCP_NODE_DEVICE, RCP_NODE_SN, &s.out[k]);
    ret = drain(w, i, q, stats, why, why_cap);
    free(q);
    if (ret == 0 && d->state != RCP_UA_DEV_DONE) {
        if (why && why_cap)
            snprintf(why, why_cap, "device stopped in state %d (a message was lost)",
                     (int)d->state);
        ret = RCP_ERR_STATE;
    }
    return ret;
}

int rcp_ua_world_inject(rcp_ua_world *w, size_t device, rcp_node from, rcp_node to,
                        const uint8_t *msg, size_t len, char *why, size_t why_cap)
{
    rcp_out_msg m;
    rcp_envelope env;
    if (w == NULL || device >= w->n || msg == NULL || len > RCP_MSG_MAX)
        return RCP_ERR_INVALID_ARG;
    struct queue *q = calloc(1, sizeof *q);
    if (q == NULL)
        return RCP_ERR_NO_MEMORY;
    m.to = RCP_TO_NONE;
    /* The tap and the observer see the type as for any other message (0
     * only for bytes that are not an rcprov message). */
    m.type = rcp_envelope_decode(&env, msg, len, NULL, NULL) == 0 ? env.type : 0;
    m.len = len;
    memcpy(m.buf, msg, len);
    push(q, from, to, &m);
    int ret = drain(w, device, q, NULL, why, why_cap);
    free(q);
    return ret;
}
