/*
 * Writes docs/spec/vectors/uuid-attach.json: one uuid-attach run with fixed
 * randomness (HMAC_DRBG seeded by the world seed), with every key, shared
 * secret, derived key and message of the exchange, so a second
 * implementation can check it byte for byte.  The device's and the SN's
 * traced values are compared here: both sides must derive the same.
 *
 * usage: gen_ua_vectors OUT.json [p256|brainpoolp256r1] [gcm|cbc-hmac]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rcprov/bytes.h"
#include "rcprov/sim.h"

#define MAX_TRACE 32

struct trace_log {
    size_t n;
    struct {
        char name[32];
        size_t len;
        uint8_t v[512];
    } e[MAX_TRACE];
};

static void emit(void *ctx, const char *name, const uint8_t *v, size_t len)
{
    struct trace_log *t = ctx;
    if (t->n == MAX_TRACE || len > sizeof t->e[0].v)
        return;
    snprintf(t->e[t->n].name, sizeof t->e[t->n].name, "%s", name);
    memcpy(t->e[t->n].v, v, len);
    t->e[t->n].len = len;
    t->n++;
}

static const uint8_t *find(const struct trace_log *t, const char *name, size_t *len)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->e[i].name, name) == 0) {
            *len = t->e[i].len;
            return t->e[i].v;
        }
    fprintf(stderr, "gen_ua_vectors: no traced value '%s'\n", name);
    exit(1);
}

static json_t *hexj(const uint8_t *p, size_t n)
{
    char *buf = malloc(2 * n + 1);
    if (buf == NULL || rcp_hex_encode(p, n, buf, 2 * n + 1) != 0)
        exit(1);
    json_t *j = json_string(buf);
    free(buf);
    return j;
}

static json_t *ks_list(const uint8_t *ks)
{
    json_t *a = json_array();
    for (int i = 0; i < 3; i++)
        json_array_append_new(a, hexj(ks + 16 * i, 16));
    return a;
}

struct recorder {
    json_t *messages;
};

static const char *node_name(rcp_node n)
{
    return n == RCP_NODE_DEVICE ? "device" : n == RCP_NODE_SN ? "sn" : "auths";
}

static const char *msg_name(uint32_t type)
{
    switch (type) {
    case RCP_UA_ATTACH_REQUEST:
        return "ATTACH_REQUEST";
    case RCP_UA_SN_CHALLENGE:
        return "SN_CHALLENGE";
    case RCP_UA_TRE_CREDENTIALS:
        return "TRE_CREDENTIALS";
    case RCP_UA_SN_CREDENTIALS:
        return "SN_CREDENTIALS";
    case RCP_UA_AKA_ATTACH:
        return "AKA_ATTACH";
    case RCP_UA_AKA_CHALLENGE:
        return "AKA_CHALLENGE";
    case RCP_UA_AKA_RESPONSE:
        return "AKA_RESPONSE";
    case RCP_UA_AKA_RESULT:
        return "AKA_RESULT";
    case RCP_UA_AUTHZ_REQUEST:
        return "AUTHZ_REQUEST";
    case RCP_UA_AUTHZ_RESPONSE:
        return "AUTHZ_RESPONSE";
    case RCP_UA_ACK:
        return "ACK";
    case RCP_UA_ACK_RESPONSE:
        return "ACK_RESPONSE";
    case RCP_UA_REGISTER:
        return "REGISTER";
    case RCP_UA_REGISTER_RESPONSE:
        return "REGISTER_RESPONSE";
    default:
        return "ERROR";
    }
}

static int record(void *ctx, size_t dev, rcp_node from, rcp_node to, uint32_t type, uint8_t *buf,
                  size_t *len)
{
    struct recorder *r = ctx;
    (void)dev;
    json_t *m = json_object();
    json_object_set_new(m, "from", json_string(node_name(from)));
    json_object_set_new(m, "to", json_string(node_name(to)));
    json_object_set_new(m, "name", json_string(msg_name(type)));
    json_object_set_new(m, "type", json_integer(type));
    json_object_set_new(m, "hex", hexj(buf, *len));
    json_array_append_new(r->messages, m);
    return 0;
}

static void pub(json_t *o, const char *name, const rcp_ec_key *k)
{
    uint8_t p[65];
    size_t n = 0;
    if (rcp_ec_key_public(k, 0, p, sizeof p, &n) != 0)
        exit(1);
    json_object_set_new(o, name, hexj(p, n));
}

static void priv(json_t *o, const char *name, const rcp_ec_key *k)
{
    uint8_t d[32];
    size_t n = 0;
    if (rcp_ec_key_private(k, d, sizeof d, &n) != 0)
        exit(1);
    json_object_set_new(o, name, hexj(d, n));
    rcp_wipe(d, sizeof d);
}

/* Uncompressed SEC1 form of a compressed point. */
static json_t *uncompressed(rcp_curve c, const uint8_t *pt, size_t len)
{
    rcp_ec_key *k = NULL;
    uint8_t p[65];
    size_t n = 0;
    if (rcp_ec_key_from_public(c, pt, len, &k) != 0 || rcp_ec_key_public(k, 0, p, sizeof p, &n))
        exit(1);
    rcp_ec_key_free(k);
    return hexj(p, n);
}

static void same(const struct trace_log *a, const struct trace_log *b, const char *name)
{
    size_t la = 0, lb = 0;
    const uint8_t *va = find(a, name, &la), *vb = find(b, name, &lb);
    if (la != lb || memcmp(va, vb, la) != 0) {
        fprintf(stderr, "gen_ua_vectors: device and SN disagree on %s\n", name);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: gen_ua_vectors OUT.json [p256|brainpoolp256r1] [gcm|cbc-hmac]\n");
        return 2;
    }
    rcp_curve curve = argc > 2 ? rcp_curve_from_name(argv[2]) : RCP_CURVE_P256;
    rcp_seal_suite suite = argc > 3 ? rcp_seal_suite_from_name(argv[3]) : RCP_SUITE_GCM;
    rcp_ua_world_opts o = {1, curve, suite, 20261124, NULL, 3, 1};
    rcp_ua_world *w = NULL;
    char why[256] = "";
    struct trace_log tsn, tdev;
    memset(&tsn, 0, sizeof tsn);
    memset(&tdev, 0, sizeof tdev);
    rcp_trace trace_sn = {emit, &tsn}, trace_dev = {emit, &tdev};
    struct recorder rec = {json_array()};
    if (rcp_ua_world_new(&o, &w) != 0) {
        fprintf(stderr, "gen_ua_vectors: cannot build the world\n");
        return 1;
    }
    rcp_ua_world_set_trace(w, &trace_sn, &trace_dev);
    rcp_ua_world_set_tap(w, record, &rec);
    if (rcp_ua_world_register(w, 0, why, sizeof why) != 0 ||
        rcp_ua_world_run(w, 0, NULL, why, sizeof why) != 0) {
        fprintf(stderr, "gen_ua_vectors: run failed: %s\n", why);
        return 1;
    }
    static const char *const both[] = {"shs1", "ks1", "shs2", "ks2", "cx_parameters"};
    for (size_t i = 0; i < sizeof both / sizeof both[0]; i++)
        same(&tsn, &tdev, both[i]);

    json_t *root = json_object();
    size_t n = 0;
    const uint8_t *v;
    json_object_set_new(root, "description",
                        json_string("One uuid-attach run (docs/spec/uuid-attach.md) with fixed "
                                    "randomness: keys, shared secrets, derived keys and every "
                                    "message as sent. TEST KEYS ONLY."));
    json_object_set_new(root, "generator",
                        json_string("tests/tools/gen_ua_vectors.c; world seed 20261124; ECDSA "
                                    "signatures are randomized by OpenSSL and verify, but are "
                                    "not reproducible"));
    json_object_set_new(root, "curve", json_string(rcp_curve_name(curve)));
    json_object_set_new(root, "suite", json_string(rcp_seal_suite_name(suite)));
    json_object_set_new(root, "time", json_integer((json_int_t)rcp_ua_world_clock(w)->t));
    v = find(&tdev, "sk_tre_ecdhe", &n);
    json_object_set_new(root, "sk_tre_ecdhe", hexj(v, n));
    v = find(&tdev, "pk_tre_ecdhe", &n);
    json_object_set_new(root, "pk_tre_ecdhe", uncompressed(curve, v, n));
    priv(root, "sk_sn_ecka", rcp_ua_world_key(w, RCP_UA_KEY_SN_ECKA));
    pub(root, "pk_sn_ecka", rcp_ua_world_key(w, RCP_UA_KEY_SN_ECKA));
    v = find(&tdev, "shs1", &n);
    json_object_set_new(root, "shs1", hexj(v, n));
    v = find(&tdev, "ks1", &n);
    json_object_set_new(root, "ks1", ks_list(v));
    v = find(&tsn, "cert_tre", &n);
    json_object_set_new(root, "cert_tre", hexj(v, n));
    v = find(&tdev, "m1", &n);
    json_object_set_new(root, "m1", hexj(v, n));
    v = find(&tdev, "h1", &n);
    json_object_set_new(root, "h1", hexj(v, n));
    v = find(&tsn, "sk_sn_ecdhe", &n);
    json_object_set_new(root, "sk_sn_ecdhe", hexj(v, n));
    v = find(&tsn, "pk_sn_ecdhe", &n);
    json_object_set_new(root, "pk_sn_ecdhe", uncompressed(curve, v, n));
    v = find(&tsn, "shs2", &n);
    json_object_set_new(root, "shs2", hexj(v, n));
    v = find(&tsn, "ks2", &n);
    json_object_set_new(root, "ks2", ks_list(v));
    v = find(&tsn, "cx_parameters", &n);
    json_object_set_new(root, "cx_parameters", hexj(v, n));
    v = find(&tsn, "m2", &n);
    json_object_set_new(root, "m2", hexj(v, n));
    v = find(&tsn, "h2", &n);
    json_object_set_new(root, "h2", hexj(v, n));

    /* What a checker needs to verify the signatures and certificates. */
    json_t *pki = json_object();
    const uint8_t *c;
    size_t cl;
    static const struct {
        rcp_ua_cert_id id;
        const char *name;
    } certs[] = {{RCP_UA_CERT_CI, "cert_ci"},
                 {RCP_UA_CERT_PN, "cert_pn"},
                 {RCP_UA_CERT_SN_ECKA, "cert_sn_ecka"},
                 {RCP_UA_CERT_SN_ECDSA, "cert_sn_ecdsa"}};
    for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++)
        if (rcp_ua_world_cert(w, certs[i].id, &c, &cl) == 0)
            json_object_set_new(pki, certs[i].name, hexj(c, cl));
    pub(pki, "pk_sn_ecdsa", rcp_ua_world_key(w, RCP_UA_KEY_SN_ECDSA));
    pub(pki, "pk_auths", rcp_ua_world_key(w, RCP_UA_KEY_AUTHS));
    pub(pki, "pk_sp", rcp_ua_world_key(w, RCP_UA_KEY_SP));
    pub(pki, "pk_tre_ecdsa", rcp_ua_world_tre(w, 0)->key);
    json_object_set_new(root, "pki", pki);
    rcp_ua_device *d = rcp_ua_world_device(w, 0);
    json_object_set_new(root, "uuid", hexj(d->uuid, RCP_UUID_LEN));
    json_object_set_new(root, "imsi", json_string(d->cx.imsi));
    json_object_set_new(root, "kasme", hexj(d->kasme, 32));
    json_object_set_new(root, "messages", rec.messages);
    if (json_dump_file(root, argv[1], JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        fprintf(stderr, "gen_ua_vectors: cannot write %s\n", argv[1]);
        return 1;
    }
    json_decref(root);
    rcp_ua_world_free(w);
    return 0;
}
