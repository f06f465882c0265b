/*
 * Adversary harness shared by the uuid-attach adversary tests
 * (test_ua_adversary.c, test_ua_adv_replay.c, test_ua_adv_tamper.c).
 *
 * An adv sits on a world's bus as its tap and its observer:
 *   - it logs every message as sent, before any change (what an
 *     eavesdropper records), so a test can replay or splice it later;
 *   - it drops the messages whose type is in its drop set (they stay in the
 *     log, "held", and a test releases them with adv_release);
 *   - a scenario hook may alter a message in place and mark it as the
 *     attacked one (ADV_ATTACK).  Marking ("arming") takes the SHA-256
 *     digest of both stores (rcp_store_digest) right before the message is
 *     delivered; the observer takes them again right when the first
 *     rejection after it happens.  For replays a test arms by hand and
 *     injects the recorded message (adv_inject).
 * On every delivery to a device it also checks the engine invariant "a
 * device that rejects a message is left exactly as it was".
 *
 * Functions are static inline so that each test program uses what it needs.
 */
#ifndef TEST_UA_ADV_H
#define TEST_UA_ADV_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/cert.h"
#include "rcprov/envelope.h"
#include "rcprov/sim.h"

#define ADV_LOG_MAX 64
#define ADV_EV_MAX 128
#define ADV_DROP_MAX 4
#define ADV_FIELDS_MAX 12

typedef struct {
    size_t dev;
    rcp_node from, to;
    uint32_t type;
    int dropped;
    size_t len;
    uint8_t buf[RCP_MSG_MAX];
} adv_msg;

typedef struct {
    size_t dev;
    rcp_node to;
    uint32_t type;
    int err;
    char why[192];
} adv_event;

typedef struct adv adv;

enum { ADV_PASS = 0, ADV_DROP = 1, ADV_ATTACK = 2 };
/* Called for every message after it was logged; may change buf[0..*len)
 * (capacity RCP_MSG_MAX). */
typedef int (*adv_hook)(adv *a, size_t dev, rcp_node from, rcp_node to, uint32_t type, uint8_t *buf,
                        size_t *len);

struct adv {
    rcp_ua_world *w;
    adv_hook hook;
    void *ctx;
    uint32_t drop[ADV_DROP_MAX];
    size_t n_drop;
    adv_msg *log; /* ADV_LOG_MAX entries: pointers into it stay valid */
    size_t n_log;
    adv_event ev[ADV_EV_MAX];
    size_t n_ev;
    int overflow;
    /* the attack */
    int arm_next; /* arm on the next message tapped (an injected one) */
    int armed, rejected;
    size_t arm_ev, rej_ev; /* first event after arming; the first rejection */
    uint8_t before_sn[32], before_auths[32], after_sn[32], after_auths[32];
    /* device engine before the delivery being handled */
    rcp_ua_device snap;
};

static inline const char *adv_node(rcp_node n)
{
    return n == RCP_NODE_DEVICE ? "device" : n == RCP_NODE_SN ? "SN" : "AuthS";
}

static inline const char *adv_type(uint32_t t)
{
    static const char *const names[] = {"ATTACH_REQUEST",
                                        "SN_CHALLENGE",
                                        "TRE_CREDENTIALS",
                                        "SN_CREDENTIALS",
                                        "AKA_ATTACH",
                                        "AKA_CHALLENGE",
                                        "AKA_RESPONSE",
                                        "AKA_RESULT",
                                        "AUTHZ_REQUEST",
                                        "AUTHZ_RESPONSE",
                                        "ACK",
                                        "ACK_RESPONSE",
                                        "REGISTER",
                                        "REGISTER_RESPONSE"};
    if (t == RCP_MSG_ERROR)
        return "ERROR";
    if (t >= RCP_UA_ATTACH_REQUEST && t <= RCP_UA_REGISTER_RESPONSE)
        return names[t - RCP_UA_ATTACH_REQUEST];
    return "?";
}

static inline void adv_digests(adv *a, uint8_t sn[32], uint8_t auths[32])
{
    CHECK_OK(rcp_store_digest(rcp_ua_world_sn_store(a->w), sn));
    CHECK_OK(rcp_store_digest(rcp_ua_world_auths_store(a->w), auths));
}

/* Mark the next delivery as the attack: digests "before" now. */
static inline void adv_arm(adv *a)
{
    adv_digests(a, a->before_sn, a->before_auths);
    a->armed = 1;
    a->rejected = 0;
    a->arm_ev = a->n_ev;
}

static inline int adv_tap(void *ctx, size_t dev, rcp_node from, rcp_node to, uint32_t type,
                          uint8_t *buf, size_t *len)
{
    adv *a = ctx;
    adv_msg *m = NULL;
    if (a->n_log < ADV_LOG_MAX) {
        m = &a->log[a->n_log++];
        m->dev = dev;
        m->from = from;
        m->to = to;
        m->type = type;
        m->dropped = 0;
        m->len = *len;
        memcpy(m->buf, buf, *len);
    } else {
        a->overflow = 1;
    }
    if (a->arm_next) {
        /* The injected message is itself the attack: no hook, no drop. */
        a->arm_next = 0;
        adv_arm(a);
        if (to == RCP_NODE_DEVICE)
            a->snap = *rcp_ua_world_device(a->w, dev);
        return 0;
    }
    int act = a->hook ? a->hook(a, dev, from, to, type, buf, len) : ADV_PASS;
    for (size_t i = 0; act == ADV_PASS && i < a->n_drop; i++)
        if (a->drop[i] == type)
            act = ADV_DROP;
    if (act == ADV_DROP) {
        if (m)
            m->dropped = 1;
        return 1;
    }
    if (act == ADV_ATTACK)
        adv_arm(a);
    if (to == RCP_NODE_DEVICE)
        a->snap = *rcp_ua_world_device(a->w, dev);
    return 0;
}

static inline void adv_observe(void *ctx, size_t dev, rcp_node to, uint32_t type, int err,
                               const char *why)
{
    adv *a = ctx;
    if (a->n_ev < ADV_EV_MAX) {
        adv_event *e = &a->ev[a->n_ev++];
        e->dev = dev;
        e->to = to;
        e->type = type;
        e->err = err;
        snprintf(e->why, sizeof e->why, "%s", why ? why : "");
    } else {
        a->overflow = 1;
    }
    /* A device that rejected a message is exactly as it was before it. */
    if (to == RCP_NODE_DEVICE && err != 0) {
        if (memcmp(&a->snap, rcp_ua_world_device(a->w, dev), sizeof a->snap) == 0)
            rcp_t_pass++;
        else
            rcp_t_fail_at(__FILE__, __LINE__, "device %zu changed while rejecting %s (%s)", dev,
                          adv_type(type), rcp_errname(err));
    }
    if (a->armed && !a->rejected && err != 0 && a->n_ev > 0) {
        a->rejected = 1;
        a->rej_ev = a->n_ev - 1;
        adv_digests(a, a->after_sn, a->after_auths);
    }
}

static inline void adv_init(adv *a, rcp_ua_world *w)
{
    memset(a, 0, sizeof *a);
    a->w = w;
    a->log = calloc(ADV_LOG_MAX, sizeof *a->log);
    if (a->log == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    rcp_ua_world_set_tap(w, adv_tap, a);
    rcp_ua_world_set_observer(w, adv_observe, a);
}

/* Detach from the world (which the caller frees). */
static inline void adv_free(adv *a)
{
    if (a->overflow)
        rcp_t_fail_at(__FILE__, __LINE__, "adversary log overflow: raise ADV_LOG_MAX/ADV_EV_MAX");
    if (a->w) {
        rcp_ua_world_set_tap(a->w, NULL, NULL);
        rcp_ua_world_set_observer(a->w, NULL, NULL);
    }
    free(a->log);
    a->log = NULL;
}

static inline void adv_drop(adv *a, uint32_t type)
{
    if (a->n_drop < ADV_DROP_MAX)
        a->drop[a->n_drop++] = type;
}

static inline void adv_drop_none(adv *a)
{
    a->n_drop = 0;
}

/* The nth (0-based) logged message of a type, or NULL. */
static inline const adv_msg *adv_find(const adv *a, uint32_t type, size_t nth)
{
    for (size_t i = 0; i < a->n_log; i++)
        if (a->log[i].type == type && nth-- == 0)
            return &a->log[i];
    return NULL;
}

static inline const adv_msg *adv_last(const adv *a, uint32_t type)
{
    for (size_t i = a->n_log; i-- > 0;)
        if (a->log[i].type == type)
            return &a->log[i];
    return NULL;
}

/* Deliver a logged message again, as it travelled (from, to, device). */
static inline int adv_release(adv *a, const adv_msg *m)
{
    char why[256];
    return rcp_ua_world_inject(a->w, m->dev, m->from, m->to, m->buf, m->len, why, sizeof why);
}

/* Deliver bytes to a node as the attack (a replay or a spliced message):
 * the tap arms when it sees them, right before their delivery. */
static inline int adv_inject(adv *a, size_t dev, rcp_node from, rcp_node to, const uint8_t *buf,
                             size_t len)
{
    char why[256];
    a->armed = a->rejected = 0;
    a->arm_next = 1;
    int ret = rcp_ua_world_inject(a->w, dev, from, to, buf, len, why, sizeof why);
    if (a->arm_next) {
        a->arm_next = 0;
        rcp_t_fail_at(__FILE__, __LINE__, "a message injected to the %s never reached the tap",
                      adv_node(to));
    }
    return ret;
}

static inline int adv_replay(adv *a, const adv_msg *m)
{
    return adv_inject(a, m->dev, m->from, m->to, m->buf, m->len);
}

/* The first rejection after arming must be err at node, for a message of
 * type (0: any), with phrase in its reason, and both stores byte-identical
 * to what they were right before the attacked message was delivered. */
#define ADV_EXPECT(a, attack, node, type, err, phrase)                                             \
    adv_expect_at(__FILE__, __LINE__, a, attack, node, type, err, phrase, 1)
/* The same, but the SN digest is left to the caller (the documented
 * exception where SQN_HE may move; the caller proves nothing else did). */
#define ADV_EXPECT_SN_BY_CALLER(a, attack, node, type, err, phrase)                                \
    adv_expect_at(__FILE__, __LINE__, a, attack, node, type, err, phrase, 0)

static inline void adv_expect_at(const char *file, int line, adv *a, const char *attack,
                                 rcp_node node, uint32_t type, int err, const char *phrase,
                                 int check_sn)
{
    if (!a->armed || !a->rejected) {
        rcp_t_fail_at(file, line, "%s: nothing rejected it", attack);
        printf("  %-50s NOT REJECTED\n", attack);
        return;
    }
    const adv_event *e = &a->ev[a->rej_ev];
    printf("  %-50s -> %-6s on %-15s %-19s \"%s\"\n", attack, adv_node(e->to), adv_type(e->type),
           rcp_errname(e->err), e->why);
    if (e->to == node && (type == 0 || e->type == type))
        rcp_t_pass++;
    else
        rcp_t_fail_at(file, line, "%s: rejected by %s on %s, expected %s on %s", attack,
                      adv_node(e->to), adv_type(e->type), adv_node(node), adv_type(type));
    if (e->err == err)
        rcp_t_pass++;
    else
        rcp_t_fail_at(file, line, "%s: %s, expected %s", attack, rcp_errname(e->err),
                      rcp_errname(err));
    if (phrase == NULL || strstr(e->why, phrase) != NULL)
        rcp_t_pass++;
    else
        rcp_t_fail_at(file, line, "%s: reason \"%s\" lacks \"%s\"", attack, e->why, phrase);
    if (!check_sn || memcmp(a->before_sn, a->after_sn, 32) == 0)
        rcp_t_pass++;
    else
        rcp_t_fail_at(file, line, "%s: SN store changed", attack);
    if (memcmp(a->before_auths, a->after_auths, 32) == 0)
        rcp_t_pass++;
    else
        rcp_t_fail_at(file, line, "%s: AuthS store changed", attack);
    a->armed = 0;
}

/* Both stores as they were when the attack was armed (for attacks answered
 * without a rejection: idempotent messages). */
#define ADV_UNCHANGED(a, attack) adv_unchanged_at(__FILE__, __LINE__, a, attack)
static inline void adv_unchanged_at(const char *file, int line, adv *a, const char *attack)
{
    uint8_t sn[32], auths[32];
    adv_digests(a, sn, auths);
    if (memcmp(sn, a->before_sn, 32) == 0 && memcmp(auths, a->before_auths, 32) == 0)
        rcp_t_pass++;
    else
        rcp_t_fail_at(file, line, "%s: a store changed", attack);
}

/* Number of rejections (non-zero errors) among the events since arming. */
static inline size_t adv_rejections_since_arm(const adv *a)
{
    size_t n = 0;
    for (size_t i = a->arm_ev; i < a->n_ev; i++)
        n += a->ev[i].err != 0;
    return n;
}

/* The event of the first delivery of a type to a node since arming, or NULL. */
static inline const adv_event *adv_event_of(const adv *a, rcp_node to, uint32_t type)
{
    for (size_t i = a->arm_ev; i < a->n_ev; i++)
        if (a->ev[i].to == to && a->ev[i].type == type)
            return &a->ev[i];
    return NULL;
}

/* No reason seen so far contains the hex of a secret (either case). */
static inline void adv_no_secret(const adv *a, const uint8_t *secret, size_t n, const char *what)
{
    char hex[2 * 32 + 1], up[2 * 32 + 1];
    if (n > 32 || rcp_hex_encode(secret, n, hex, sizeof hex) != 0) {
        rcp_t_fail_at(__FILE__, __LINE__, "hex of %s", what);
        return;
    }
    for (size_t i = 0; i <= 2 * n; i++)
        up[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f' ? hex[i] - 'a' + 'A' : hex[i]);
    int leaked = 0;
    for (size_t i = 0; i < a->n_ev; i++)
        leaked |= strstr(a->ev[i].why, hex) != NULL || strstr(a->ev[i].why, up) != NULL;
    if (!leaked)
        rcp_t_pass++;
    else
        rcp_t_fail_at(__FILE__, __LINE__, "a reason contains %s", what);
}

/* ------------------------------------------------- message surgery
 * Bodies are maps with small uint keys; values are kept as their encoded
 * items and written back unchanged except the one replaced. */
typedef struct {
    uint32_t type;
    size_t n;
    uint64_t key[ADV_FIELDS_MAX];
    const uint8_t *val[ADV_FIELDS_MAX]; /* encoded value items, into the message */
    size_t val_len[ADV_FIELDS_MAX];
} adv_body;

static inline int adv_parse(const uint8_t *msg, size_t len, adv_body *b)
{
    rcp_envelope env;
    size_t pairs = 0;
    memset(b, 0, sizeof *b);
    if (rcp_envelope_decode(&env, msg, len, NULL, NULL) != 0 ||
        rcp_cbor_expect_map(&env.body, &pairs) != 0 || pairs > ADV_FIELDS_MAX)
        return -1;
    for (size_t i = 0; i < pairs; i++) {
        rcp_cbor_cursor v;
        if (rcp_cbor_expect_uint(&env.body, &b->key[i]) != 0 || rcp_cbor_enter(&env.body, &v) != 0)
            return -1;
        b->val[i] = v.buf;
        b->val_len[i] = v.len;
    }
    b->type = env.type;
    b->n = pairs;
    return 0;
}

static inline int adv_field(const adv_body *b, uint64_t key, const uint8_t **item, size_t *len)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->key[i] == key) {
            *item = b->val[i];
            *len = b->val_len[i];
            return 0;
        }
    return -1;
}

/* Content of a bstr item. */
static inline int adv_bstr_of(const uint8_t *item, size_t len, const uint8_t **p, size_t *n)
{
    rcp_cbor_cursor c;
    if (rcp_cbor_decode_init(&c, item, len, NULL) != 0 ||
        rcp_cbor_expect_bstr(&c, p, n, 0, RCP_MSG_MAX) != 0)
        return -1;
    return 0;
}

/* Content of the bstr value of key in a message. */
static inline int adv_get_bstr(const uint8_t *msg, size_t len, uint64_t key, const uint8_t **p,
                               size_t *n)
{
    adv_body b;
    const uint8_t *item = NULL;
    size_t item_len = 0;
    if (adv_parse(msg, len, &b) || adv_field(&b, key, &item, &item_len))
        return -1;
    return adv_bstr_of(item, item_len, p, n);
}

/* The uint value of key in a message. */
static inline int adv_get_uint(const uint8_t *msg, size_t len, uint64_t key, uint64_t *v)
{
    adv_body b;
    rcp_cbor_cursor c;
    const uint8_t *item = NULL;
    size_t n = 0;
    if (adv_parse(msg, len, &b) || adv_field(&b, key, &item, &n) ||
        rcp_cbor_decode_init(&c, item, n, NULL) != 0 || rcp_cbor_expect_uint(&c, v) != 0)
        return -1;
    return 0;
}

/* Offset and length of the content of the bstr value of key. */
static inline int adv_bstr_span(const uint8_t *msg, size_t len, uint64_t key, size_t *off,
                                size_t *n)
{
    const uint8_t *p = NULL;
    if (adv_get_bstr(msg, len, key, &p, n))
        return -1;
    *off = (size_t)(p - msg);
    return 0;
}

/* Rewrite msg (capacity RCP_MSG_MAX) with the value of key replaced by an
 * encoded item. */
static inline int adv_set_item(uint8_t *msg, size_t *len, uint64_t key, const uint8_t *item,
                               size_t item_len)
{
    adv_body b;
    uint8_t out[RCP_MSG_MAX];
    size_t out_len = 0;
    int found = 0;
    if (adv_parse(msg, *len, &b))
        return -1;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, b.type, b.n);
    for (size_t i = 0; i < b.n; i++) {
        rcp_cbor_enc_uint(&e, b.key[i]);
        if (b.key[i] == key) {
            rcp_cbor_enc_raw(&e, item, item_len);
            found = 1;
        } else {
            rcp_cbor_enc_raw(&e, b.val[i], b.val_len[i]);
        }
    }
    if (!found || rcp_cbor_enc_finish(&e, &out_len) != 0)
        return -1;
    memcpy(msg, out, out_len);
    *len = out_len;
    return 0;
}

static inline int adv_set_bstr(uint8_t *msg, size_t *len, uint64_t key, const uint8_t *p, size_t n)
{
    uint8_t item[RCP_MSG_MAX];
    size_t item_len = 0;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, item, sizeof item);
    rcp_cbor_enc_bstr(&e, p, n);
    if (rcp_cbor_enc_finish(&e, &item_len) != 0)
        return -1;
    return adv_set_item(msg, len, key, item, item_len);
}

static inline int adv_set_uint(uint8_t *msg, size_t *len, uint64_t key, uint64_t v)
{
    uint8_t item[16];
    size_t item_len = 0;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, item, sizeof item);
    rcp_cbor_enc_uint(&e, v);
    if (rcp_cbor_enc_finish(&e, &item_len) != 0)
        return -1;
    return adv_set_item(msg, len, key, item, item_len);
}

static inline int adv_set_uints(uint8_t *msg, size_t *len, uint64_t key, const uint64_t *v,
                                size_t n)
{
    uint8_t item[64];
    size_t item_len = 0;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, item, sizeof item);
    rcp_cbor_enc_array(&e, n);
    for (size_t i = 0; i < n; i++)
        rcp_cbor_enc_uint(&e, v[i]);
    if (rcp_cbor_enc_finish(&e, &item_len) != 0)
        return -1;
    return adv_set_item(msg, len, key, item, item_len);
}

/* ------------------------------------------------------ token surgery
 * token = [bstr .cbor [label, fields...], sig] */
typedef struct {
    size_t n; /* items of the tbs array, label included */
    const uint8_t *item[ADV_FIELDS_MAX];
    size_t item_len[ADV_FIELDS_MAX];
    const uint8_t *tbs, *sig;
    size_t tbs_len;
} adv_token;

static inline int adv_token_parse(const uint8_t *tok, size_t len, adv_token *t)
{
    static const rcp_cbor_limits lim = RCP_CBOR_LIMITS_DEFAULT;
    rcp_cbor_cursor c;
    memset(t, 0, sizeof *t);
    if (rcp_signed_decode(tok, len, &lim, RCP_ERR_DECODE, &c, &t->sig) != 0)
        return -1;
    t->tbs = c.buf;
    t->tbs_len = c.len;
    if (rcp_cbor_expect_array(&c, &t->n) != 0 || t->n > ADV_FIELDS_MAX)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        rcp_cbor_cursor v;
        if (rcp_cbor_enter(&c, &v) != 0)
            return -1;
        t->item[i] = v.buf;
        t->item_len[i] = v.len;
    }
    return 0;
}

/* Label (first tbs item) of a token, or -1. */
static inline long adv_token_label(const uint8_t *tok, size_t len)
{
    adv_token t;
    rcp_cbor_cursor c;
    uint64_t label = 0;
    if (adv_token_parse(tok, len, &t) || t.n == 0 ||
        rcp_cbor_decode_init(&c, t.item[0], t.item_len[0], NULL) != 0 ||
        rcp_cbor_expect_uint(&c, &label) != 0)
        return -1;
    return (long)label;
}

struct adv_raw {
    const uint8_t *p;
    size_t n;
};

static inline void adv_write_raw(rcp_cbor_enc *e, const void *ctx)
{
    const struct adv_raw *r = ctx;
    rcp_cbor_enc_raw(e, r->p, r->n);
}

/* Re-encode a token with tbs item idx replaced by an encoded item (idx >=
 * n: nothing replaced).  key NULL: keep the original signature (an altered
 * token); else sign the new tbs with key (a forgery). */
static inline int adv_token_build(const adv_token *t, size_t idx, const uint8_t *item,
                                  size_t item_len, const rcp_ec_key *key, uint8_t *out, size_t cap,
                                  size_t *out_len)
{
    uint8_t tbs[RCP_MSG_MAX];
    size_t tbs_len = 0;
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, tbs, sizeof tbs);
    rcp_cbor_enc_array(&e, t->n);
    for (size_t i = 0; i < t->n; i++)
        rcp_cbor_enc_raw(&e, i == idx ? item : t->item[i], i == idx ? item_len : t->item_len[i]);
    if (rcp_cbor_enc_finish(&e, &tbs_len) != 0)
        return -1;
    if (key) {
        struct adv_raw r = {tbs, tbs_len};
        return rcp_signed_encode(adv_write_raw, &r, key, out, cap, out_len) == 0 ? 0 : -1;
    }
    rcp_cbor_enc_init(&e, out, cap);
    rcp_cbor_enc_array(&e, 2);
    rcp_cbor_enc_bstr(&e, tbs, tbs_len);
    rcp_cbor_enc_bstr(&e, t->sig, RCP_CCERT_SIG_LEN);
    return rcp_cbor_enc_finish(&e, out_len) == 0 ? 0 : -1;
}

static inline int adv_enc_uint(uint64_t v, uint8_t *out, size_t cap, size_t *len)
{
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, cap);
    rcp_cbor_enc_uint(&e, v);
    return rcp_cbor_enc_finish(&e, len);
}

static inline int adv_enc_bstr(const uint8_t *p, size_t n, uint8_t *out, size_t cap, size_t *len)
{
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, cap);
    rcp_cbor_enc_bstr(&e, p, n);
    return rcp_cbor_enc_finish(&e, len);
}

/* ------------------------------------------------------------ worlds */
static inline rcp_ua_world *adv_world(size_t n, rcp_seal_suite suite, uint64_t seed,
                                      uint32_t max_authz)
{
    rcp_ua_world_opts o = {n, RCP_CURVE_P256, suite, seed, NULL, max_authz, 0};
    rcp_ua_world *w = NULL;
    int ret = rcp_ua_world_new(&o, &w);
    if (ret) {
        rcp_t_fail_at(__FILE__, __LINE__, "world: %s", rcp_errname(ret));
        return NULL;
    }
    return w;
}

static inline int adv_register(rcp_ua_world *w, size_t i)
{
    char why[256] = "";
    int ret = rcp_ua_world_register(w, i, why, sizeof why);
    if (ret)
        rcp_t_fail_at(__FILE__, __LINE__, "register %zu: %s", i, why);
    return ret;
}

/* Run device i: 0 or the first error (the reasons are in the adversary's
 * events). */
static inline int adv_run(rcp_ua_world *w, size_t i)
{
    char why[256] = "";
    return rcp_ua_world_run(w, i, NULL, why, sizeof why);
}

/* Key id of device i's CERT.TRE. */
static inline void adv_tre_kid(rcp_ua_world *w, size_t i, uint8_t kid[RCP_KID_LEN])
{
    const rcp_ua_tre_creds *c = rcp_ua_world_tre(w, i);
    rcp_ccert cert;
    CHECK_OK(rcp_ccert_decode(c->cert_tre, c->cert_tre_len, &cert));
    memcpy(kid, cert.subject_kid, RCP_KID_LEN);
}

#endif
