/*
 * rcprov bench: measured cost, as ratios against primitives timed in the
 * same run (the machines are shared and noisy; every figure is the median
 * of rounds).
 *
 *   rcprov bench certs           ECDSA verify as `openssl speed` measures
 *                                it, our ECDSA verify, and verifying a
 *                                compact and an X.509 leaf against a cached
 *                                issuer.
 *   rcprov bench uuid-attach-sn  the Serving Network alone on one core:
 *                                flows per second against the bound set by
 *                                the public-key operations it performs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "cli.h"
#include "rcprov/bytes.h"
#include "rcprov/envelope.h"
#include "rcprov/sim.h"
#include "rcprov/x509.h"

#define T0 1800000000u
#define DAY 86400u

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct bench_opts {
    rcp_curve curve;
    double seconds;
    unsigned rounds;
    int json, quiet;
};

static int parse_common(const char *cmd, int argc, char **argv, struct bench_opts *o,
                        void (*usage)(FILE *))
{
    const char *curve = "p256", *seconds = "1";
    unsigned long long rounds = 5;
    int help = 0;
    struct cli_opt opts[] = {
        {"curve", CLI_STRING, &curve, 0, NULL},
        {"seconds", CLI_STRING, &seconds, 0, NULL},
        {"rounds", CLI_UINT, &rounds, BENCH_MAX_ROUNDS, NULL},
        {"json", CLI_FLAG, &o->json, 0, NULL},
        {"quiet", CLI_FLAG, &o->quiet, 0, NULL},
    };
    int ret = cli_parse(cmd, argc, argv, 2, opts, sizeof opts / sizeof opts[0], &help);
    if (ret)
        return ret;
    if (help) {
        usage(stdout);
        return -1;
    }
    o->curve = rcp_curve_from_name(curve);
    if (o->curve != RCP_CURVE_P256 && o->curve != RCP_CURVE_BP256R1) {
        fprintf(stderr, "%s: --curve must be p256 or brainpoolp256r1, got '%s'\n", cmd, curve);
        return CLI_EXIT_USAGE;
    }
    char *end = NULL;
    o->seconds = strtod(seconds, &end);
    if (end == seconds || *end != '\0' || !(o->seconds >= 0.05 && o->seconds <= 600)) {
        fprintf(stderr, "%s: --seconds must be a number from 0.05 to 600, got '%s'\n", cmd,
                seconds);
        return CLI_EXIT_USAGE;
    }
    if (rounds < 1) {
        fprintf(stderr, "%s: --rounds must be at least 1\n", cmd);
        return CLI_EXIT_USAGE;
    }
    o->rounds = (unsigned)rounds;
    return 0;
}

/* ================================================================ certs */

struct cert_bench {
    rcp_ec_key *ca_key;
    rcp_ccert_store *cstore;
    uint8_t cleaf[RCP_CCERT_MAX_LEN];
    size_t cleaf_len;
    rcp_x509_store *xstore;
    const uint8_t *xleaf;
    size_t xleaf_len;
    const uint8_t *tbs, *sig;
    size_t tbs_len;
};

static int op_ecdsa_verify(void *p)
{
    struct cert_bench *b = p;
    return rcp_ecdsa_verify(b->ca_key, b->tbs, b->tbs_len, b->sig, RCP_CCERT_SIG_LEN);
}

static int op_compact_verify(void *p)
{
    struct cert_bench *b = p;
    return rcp_ccert_verify(b->cstore, b->cleaf, b->cleaf_len, T0 + DAY, RCP_USAGE_SIGN, NULL,
                            NULL);
}

static int op_x509_verify(void *p)
{
    struct cert_bench *b = p;
    return rcp_x509_store_verify_cached(b->xstore, b->xleaf, b->xleaf_len, T0 + DAY,
                                        RCP_X509_USAGE_SIGN, NULL, NULL);
}

static void usage_certs(FILE *f)
{
    fprintf(f, "usage: rcprov bench certs [--curve p256|brainpoolp256r1] [--seconds S]\n"
               "                          [--rounds N] [--json] [--quiet]\n\n"
               "Times, in one run and interleaved, OpenSSL's own ECDSA verify (openssl speed),\n"
               "rcprov's ECDSA verify, and verifying a compact and an X.509 leaf against a cached\n"
               "issuer.  Prints microseconds per operation and ratios to openssl speed.\n");
}

static int run_certs(int argc, char **argv)
{
    const char *cmd = "rcprov bench certs";
    struct bench_opts o = {0};
    struct cert_bench b;
    rcp_drbg drbg;
    rcp_ec_key *root_key = NULL, *leaf_key = NULL;
    rcp_x509 *xroot = NULL, *xca = NULL, *xleaf = NULL;
    uint8_t croot[RCP_CCERT_MAX_LEN], cca[RCP_CCERT_MAX_LEN];
    size_t croot_len = 0, cca_len = 0;
    rcp_cert_why cwhy;
    rcp_x509_why xwhy;
    rcp_ccert leaf;
    double v_ossl[BENCH_MAX_ROUNDS], v_ecdsa[BENCH_MAX_ROUNDS], v_compact[BENCH_MAX_ROUNDS],
        v_x509[BENCH_MAX_ROUNDS];
    memset(&b, 0, sizeof b);
    int ret = parse_common(cmd, argc, argv, &o, usage_certs);
    if (ret)
        return ret < 0 ? 0 : ret;

    /* A CI -> intermediate -> leaf chain in both formats, same keys. */
    ret = rcp_drbg_init(&drbg, (const uint8_t *)"bench certs", 11);
    if (ret == 0)
        ret = rcp_ec_key_generate(o.curve, &drbg.rng, &root_key);
    if (ret == 0)
        ret = rcp_ec_key_generate(o.curve, &drbg.rng, &b.ca_key);
    if (ret == 0)
        ret = rcp_ec_key_generate(o.curve, &drbg.rng, &leaf_key);
    rcp_ccert_template t_root = {
        (const uint8_t *)"\x01", 1,    "bench CI", RCP_USAGE_CA, root_key, T0,
        T0 + 3650 * DAY,         NULL, 0};
    rcp_ccert_template t_ca = {
        (const uint8_t *)"\x02", 1,    "bench PN", RCP_USAGE_CA, b.ca_key, T0,
        T0 + 3650 * DAY,         NULL, 0};
    rcp_ccert_template t_leaf = {(const uint8_t *)"\x03", 1,        "bench TRE",
                                 RCP_USAGE_SIGN,          leaf_key, T0,
                                 T0 + 365 * DAY,          NULL,     0};
    if (ret == 0)
        ret = rcp_ccert_issue(&t_root, root_key, croot, sizeof croot, &croot_len);
    if (ret == 0)
        ret = rcp_ccert_issue(&t_ca, root_key, cca, sizeof cca, &cca_len);
    if (ret == 0)
        ret = rcp_ccert_issue(&t_leaf, b.ca_key, b.cleaf, sizeof b.cleaf, &b.cleaf_len);
    if (ret == 0)
        ret = rcp_ccert_store_new(&b.cstore);
    if (ret == 0)
        ret = rcp_ccert_store_add_anchor(b.cstore, croot, croot_len, &cwhy);
    if (ret == 0)
        ret = rcp_ccert_store_add_ca(b.cstore, cca, cca_len, T0 + DAY, &cwhy);
    if (ret == 0)
        ret = rcp_ccert_decode(b.cleaf, b.cleaf_len, &leaf);
    rcp_x509_template x_root = {(const uint8_t *)"\x01", 1, "bench CI", NULL,
                                RCP_X509_USAGE_CA,       1, root_key,   T0,
                                T0 + 3650 * DAY};
    rcp_x509_template x_ca = {(const uint8_t *)"\x02", 1, "bench PN", NULL,
                              RCP_X509_USAGE_CA,       0, b.ca_key,   T0,
                              T0 + 3650 * DAY};
    rcp_x509_template x_leaf = {
        (const uint8_t *)"\x03", 1,        "bench TRE", NULL,          RCP_X509_USAGE_SIGN,
        RCP_X509_PATHLEN_NONE,   leaf_key, T0,          T0 + 365 * DAY};
    if (ret == 0)
        ret = rcp_x509_issue(&x_root, NULL, root_key, &xroot);
    if (ret == 0)
        ret = rcp_x509_issue(&x_ca, xroot, root_key, &xca);
    if (ret == 0)
        ret = rcp_x509_issue(&x_leaf, xca, b.ca_key, &xleaf);
    if (ret == 0)
        ret = rcp_x509_store_new(&b.xstore);
    if (ret == 0)
        ret = rcp_x509_store_add_anchor(b.xstore, xroot, &xwhy);
    if (ret == 0)
        ret = rcp_x509_store_add_ca(b.xstore, xca, T0 + DAY, &xwhy);
    if (ret) {
        fprintf(stderr, "%s: set-up failed: %s\n", cmd, rcp_strerror(ret));
        ret = CLI_EXIT_FAIL;
        goto out;
    }
    b.xleaf = rcp_x509_der(xleaf, &b.xleaf_len);
    b.tbs = leaf.tbs;
    b.tbs_len = leaf.tbs_len;
    b.sig = leaf.sig;

    int secs = o.seconds < 1 ? 1 : (int)(o.seconds + 0.5);
    for (unsigned r = 0; r < o.rounds; r++) {
        bench_progress(o.quiet || o.json, "bench certs: round %u/%u: openssl speed", r + 1,
                       o.rounds);
        double vps = bench_openssl_speed_verify_per_s(o.curve, secs);
        if (vps <= 0) {
            ret = CLI_EXIT_FAIL;
            goto out;
        }
        v_ossl[r] = 1e6 / vps;
        bench_progress(o.quiet || o.json, "bench certs: round %u/%u: rcprov", r + 1, o.rounds);
        v_ecdsa[r] = bench_time_us("ECDSA verify", op_ecdsa_verify, &b, o.seconds);
        v_compact[r] = bench_time_us("compact leaf", op_compact_verify, &b, o.seconds);
        v_x509[r] = bench_time_us("X.509 leaf", op_x509_verify, &b, o.seconds);
        if (v_ecdsa[r] < 0 || v_compact[r] < 0 || v_x509[r] < 0) {
            ret = CLI_EXIT_FAIL;
            goto out;
        }
    }
    bench_progress(o.quiet || o.json, "%s", "");
    double m_ossl = bench_median(v_ossl, o.rounds), m_ecdsa = bench_median(v_ecdsa, o.rounds);
    double m_compact = bench_median(v_compact, o.rounds), m_x509 = bench_median(v_x509, o.rounds);
    if (o.json) {
        printf("{\"bench\":\"certs\",\"curve\":\"%s\",\"rounds\":%u,"
               "\"openssl_speed_verify_us\":%.2f,\"ecdsa_verify_us\":%.2f,"
               "\"compact_leaf_verify_us\":%.2f,\"x509_leaf_verify_us\":%.2f,"
               "\"compact_leaf_bytes\":%zu,\"x509_leaf_bytes\":%zu,"
               "\"ecdsa_ratio\":%.3f,\"compact_ratio\":%.3f,\"x509_ratio\":%.3f}\n",
               rcp_curve_name(o.curve), o.rounds, m_ossl, m_ecdsa, m_compact, m_x509, b.cleaf_len,
               b.xleaf_len, m_ecdsa / m_ossl, m_compact / m_ossl, m_x509 / m_ossl);
    } else {
        printf("certificate verification, %s, median of %u rounds (cost / openssl speed):\n",
               rcp_curve_name(o.curve), o.rounds);
        printf("  %-44s %9.2f us  1.00\n", "ECDSA verify, openssl speed", m_ossl);
        printf("  %-44s %9.2f us  %.2f\n", "ECDSA verify, rcprov (SHA-256 + verify)", m_ecdsa,
               m_ecdsa / m_ossl);
        printf("  %-44s %9.2f us  %.2f   (%zu bytes)\n", "compact leaf vs cached issuer", m_compact,
               m_compact / m_ossl, b.cleaf_len);
        printf("  %-44s %9.2f us  %.2f   (%zu bytes)\n", "X.509 leaf vs cached issuer", m_x509,
               m_x509 / m_ossl, b.xleaf_len);
    }
    ret = 0;
out:
    rcp_ec_key_free(root_key);
    rcp_ec_key_free(leaf_key);
    rcp_ec_key_free(b.ca_key);
    rcp_ccert_store_free(b.cstore);
    rcp_x509_store_free(b.xstore);
    rcp_x509_free(xroot);
    rcp_x509_free(xca);
    rcp_x509_free(xleaf);
    rcp_drbg_wipe(&drbg);
    return ret;
}

/* ======================================================= uuid-attach-sn */

/* One device's messages, made before the measurement. */
struct prepared {
    uint8_t attach[RCP_MSG_MAX], tre[RCP_MSG_MAX], authz[RCP_MSG_MAX];
    size_t attach_len, tre_len, authz_len;
    uint8_t uuid[RCP_UUID_LEN], authz_id[RCP_AUTHZ_ID_LEN];
};

static int first_out(const rcp_step *s, uint32_t type, uint8_t *buf, size_t *len)
{
    for (size_t k = 0; k < s->n_out; k++)
        if (s->out[k].type == type) {
            memcpy(buf, s->out[k].buf, s->out[k].len);
            *len = s->out[k].len;
            return 0;
        }
    return RCP_ERR_PROTOCOL;
}

/* Drive the world's device, SN and AuthS up to the AuthS answer. */
static int prepare(rcp_ua_world *w, size_t i, rcp_store *scratch, struct prepared *p)
{
    rcp_step s, s2;
    char why[256];
    rcp_ua_device *d = rcp_ua_world_device(w, i);
    rcp_ua_sn sn = *rcp_ua_world_sn(w);
    sn.store = scratch;
    int ret = rcp_ua_world_register(w, i, why, sizeof why);
    if (ret == 0)
        ret = rcp_ua_device_start(d, &s);
    if (ret == 0)
        ret = first_out(&s, RCP_UA_ATTACH_REQUEST, p->attach, &p->attach_len);
    if (ret == 0)
        ret = rcp_ua_sn_handle(&sn, p->attach, p->attach_len, &s);
    /* (a handler clears its step first: never pass a step's own output) */
    if (ret == 0)
        ret = rcp_ua_device_handle(d, s.out[0].buf, s.out[0].len, &s2);
    if (ret == 0)
        ret = first_out(&s2, RCP_UA_TRE_CREDENTIALS, p->tre, &p->tre_len);
    if (ret == 0)
        ret = rcp_ua_sn_handle(&sn, p->tre, p->tre_len, &s);
    if (ret == 0)
        ret = rcp_ua_auths_handle(rcp_ua_world_auths(w), s.out[0].buf, s.out[0].len, &s2);
    if (ret == 0)
        ret = first_out(&s2, RCP_UA_AUTHZ_RESPONSE, p->authz, &p->authz_len);
    if (ret)
        return ret;
    memcpy(p->uuid, d->uuid, RCP_UUID_LEN);
    /* The authorization id, for the ACK_RESPONSE the bench plays back. */
    rcp_envelope env;
    rcp_cbor_cursor t;
    const uint8_t *v = NULL, *sig = NULL;
    size_t n = 0, pairs = 0;
    uint64_t k = 0, label = 0;
    if (rcp_envelope_decode(&env, p->authz, p->authz_len, NULL, NULL) != 0 ||
        rcp_cbor_expect_map(&env.body, &pairs) != 0 || rcp_cbor_expect_uint(&env.body, &k) != 0 ||
        rcp_cbor_expect_bstr(&env.body, &v, &n, 1, RCP_MSG_MAX) != 0 ||
        rcp_signed_decode(v, n, NULL, RCP_ERR_DECODE, &t, &sig) != 0 ||
        rcp_cbor_expect_array(&t, &pairs) != 0 || rcp_cbor_expect_uint(&t, &label) != 0 ||
        rcp_cbor_expect_bstr(&t, &v, &n, RCP_AUTHZ_ID_LEN, RCP_AUTHZ_ID_LEN) != 0)
        return RCP_ERR_DECODE;
    memcpy(p->authz_id, v, RCP_AUTHZ_ID_LEN);
    return RCP_OK;
}

struct sn_run {
    rcp_ua_sn sn;
    struct prepared *p;
    size_t n;
    rcp_op_counts ops;
    size_t flows;
};

/* One whole flow as the SN sees it, with the device's AKA answer computed
 * here (Milenage, no public-key work) and the AuthS answers played back. */
static int sn_flow(struct sn_run *r, size_t i, const char *imsi)
{
    struct prepared *p = &r->p[i];
    rcp_step s;
    uint8_t msg[RCP_MSG_MAX], cookie[RCP_COOKIE_MAX], res[8];
    size_t len = 0, cookie_len = 0;
    int ret = rcp_ua_sn_handle(&r->sn, p->attach, p->attach_len, &s);
    rcp_op_counts_add(&r->ops, &s.ops);
    if (ret == 0)
        ret = rcp_ua_sn_handle(&r->sn, p->tre, p->tre_len, &s);
    rcp_op_counts_add(&r->ops, &s.ops);
    if (ret == 0)
        ret = rcp_ua_sn_handle(&r->sn, p->authz, p->authz_len, &s);
    rcp_op_counts_add(&r->ops, &s.ops);
    /* AKA: attach with the IMSI, answer with RES, take the result and ack. */
    rcp_cbor_enc e;
    if (ret == 0) {
        rcp_cbor_enc_init(&e, msg, sizeof msg);
        rcp_envelope_begin(&e, RCP_UA_AKA_ATTACH, 1);
        rcp_cbor_enc_uint(&e, 1);
        rcp_cbor_enc_text(&e, imsi);
        ret = rcp_cbor_enc_finish(&e, &len);
    }
    if (ret == 0)
        ret = rcp_ua_sn_handle(&r->sn, msg, len, &s);
    rcp_op_counts_add(&r->ops, &s.ops);
    if (ret == 0) {
        rcp_envelope env;
        const uint8_t *rand = NULL, *ck = NULL;
        size_t n = 0, pairs = 0;
        uint64_t k = 0;
        rcp_hss_subscriber sub;
        rcp_milenage mil;
        if (rcp_envelope_decode(&env, s.out[0].buf, s.out[0].len, NULL, NULL) != 0 ||
            rcp_cbor_expect_map(&env.body, &pairs) != 0 ||
            rcp_cbor_expect_uint(&env.body, &k) != 0 ||
            rcp_cbor_expect_bstr(&env.body, &rand, &n, 16, 16) != 0 ||
            rcp_cbor_expect_uint(&env.body, &k) != 0 || rcp_cbor_skip(&env.body) != 0 ||
            rcp_cbor_expect_uint(&env.body, &k) != 0 ||
            rcp_cbor_expect_bstr(&env.body, &ck, &cookie_len, 1, sizeof cookie) != 0)
            return RCP_ERR_DECODE;
        memcpy(cookie, ck, cookie_len);
        ret = rcp_store_hss_get(r->sn.store, imsi, &sub);
        if (ret == 0) {
            rcp_milenage_init(&mil, sub.k, sub.opc, &sub.consts);
            ret = rcp_milenage_f2345(&mil, rand, res, NULL, NULL, NULL);
            rcp_milenage_wipe(&mil);
        }
        rcp_wipe(&sub, sizeof sub);
    }
    if (ret == 0) {
        rcp_cbor_enc_init(&e, msg, sizeof msg);
        rcp_envelope_begin(&e, RCP_UA_AKA_RESPONSE, 2);
        rcp_cbor_enc_uint(&e, 1);
        rcp_cbor_enc_bstr(&e, res, 8);
        rcp_cbor_enc_uint(&e, 3);
        rcp_cbor_enc_bstr(&e, cookie, cookie_len);
        ret = rcp_cbor_enc_finish(&e, &len);
    }
    if (ret == 0)
        ret = rcp_ua_sn_handle(&r->sn, msg, len, &s);
    rcp_op_counts_add(&r->ops, &s.ops);
    if (ret == 0) {
        rcp_cbor_enc_init(&e, msg, sizeof msg);
        rcp_envelope_begin(&e, RCP_UA_ACK_RESPONSE, 2);
        rcp_cbor_enc_uint(&e, 1);
        rcp_cbor_enc_bstr(&e, p->authz_id, RCP_AUTHZ_ID_LEN);
        rcp_cbor_enc_uint(&e, 2);
        rcp_cbor_enc_bstr(&e, p->uuid, RCP_UUID_LEN);
        ret = rcp_cbor_enc_finish(&e, &len);
    }
    if (ret == 0)
        ret = rcp_ua_sn_handle(&r->sn, msg, len, &s);
    if (ret == 0)
        r->flows++;
    return ret;
}

/* Primitive costs, as the SN performs them: with keys used once, as in a
 * flow (OpenSSL sets a key up on its first use), from pools made before
 * the timing. */
#define POOL 1500

struct prim {
    rcp_curve curve;
    rcp_ec_key *key;             /* a long-term key (signs, ECKA) */
    rcp_ec_key *fresh_pub[POOL]; /* imported peer keys, each used once */
    rcp_ec_key *fresh_own[POOL]; /* generated keys, each used once */
    uint8_t pts_c[POOL][RCP_P256_POINT_COMPRESSED];
    uint8_t pt_u[RCP_P256_POINT];
    uint8_t msg[128], sigs[POOL][64];
    size_t next;
};

static double time_pool(const char *what, int (*op)(struct prim *, size_t), struct prim *x)
{
    double t0 = now_s();
    for (size_t i = 0; i < POOL; i++) {
        int ret = op(x, i);
        if (ret) {
            fprintf(stderr, "bench: %s failed: %s\n", what, rcp_strerror(ret));
            return ret;
        }
    }
    return (now_s() - t0) * 1e6 / POOL;
}

static int op_verify(struct prim *x, size_t i)
{
    return rcp_ecdsa_verify(x->fresh_pub[i], x->msg, sizeof x->msg, x->sigs[i], 64);
}

static int op_sign(struct prim *x, size_t i)
{
    uint8_t sig[64];
    size_t n = 0;
    (void)i;
    return rcp_ecdsa_sign(x->key, x->msg, sizeof x->msg, sig, sizeof sig, &n);
}

static int op_ecdh_static(struct prim *x, size_t i) /* KS1: own ECKA key x fresh peer */
{
    uint8_t z[RCP_EC_MAX_SECRET];
    size_t n = 0;
    return rcp_ecdh(x->key, x->fresh_pub[i], z, sizeof z, &n);
}

static int op_ecdh_ephemeral(struct prim *x, size_t i) /* KS2: fresh own x fresh peer */
{
    uint8_t z[RCP_EC_MAX_SECRET];
    size_t n = 0;
    return rcp_ecdh(x->fresh_own[i], x->fresh_pub[(i + 1) % POOL], z, sizeof z, &n);
}

static int op_keygen(struct prim *x, size_t i)
{
    rcp_ec_key *k = NULL;
    (void)i;
    int ret = rcp_ec_key_generate(x->curve, rcp_rng_system(), &k);
    rcp_ec_key_free(k);
    return ret;
}

/* SEC 1 3.2.2.1 public key validation (with 2.3.4 point decoding) of a
 * received point, compressed or not: what rcp_ec_key_from_public does. */
static int op_pkv_c(struct prim *x, size_t i)
{
    rcp_ec_key *k = NULL;
    int ret = rcp_ec_key_from_public(x->curve, x->pts_c[i], RCP_P256_POINT_COMPRESSED, &k);
    rcp_ec_key_free(k);
    return ret;
}

static int op_pkv_u(struct prim *x, size_t i)
{
    rcp_ec_key *k = NULL;
    (void)i;
    int ret = rcp_ec_key_from_public(x->curve, x->pt_u, sizeof x->pt_u, &k);
    rcp_ec_key_free(k);
    return ret;
}

static void pool_free(struct prim *x)
{
    for (size_t i = 0; i < POOL; i++) {
        rcp_ec_key_free(x->fresh_pub[i]);
        rcp_ec_key_free(x->fresh_own[i]);
        x->fresh_pub[i] = x->fresh_own[i] = NULL;
    }
}

/* Fresh keys for one round: POOL signers' public keys (imported from
 * compressed points, signatures made), POOL generated own keys. */
static int pool_fill(struct prim *x)
{
    int ret = 0;
    for (size_t i = 0; ret == 0 && i < POOL; i++) {
        rcp_ec_key *signer = NULL;
        size_t n = 0;
        ret = rcp_ec_key_generate(x->curve, rcp_rng_system(), &signer);
        if (ret == 0)
            ret = rcp_ecdsa_sign(signer, x->msg, sizeof x->msg, x->sigs[i], 64, &n);
        if (ret == 0)
            ret = rcp_ec_key_public(signer, 1, x->pts_c[i], sizeof x->pts_c[i], &n);
        if (ret == 0)
            ret =
                rcp_ec_key_from_public(x->curve, x->pts_c[i], sizeof x->pts_c[i], &x->fresh_pub[i]);
        if (ret == 0)
            ret = rcp_ec_key_generate(x->curve, rcp_rng_system(), &x->fresh_own[i]);
        rcp_ec_key_free(signer);
    }
    return ret;
}

static void usage_sn(FILE *f)
{
    fprintf(f, "usage: rcprov bench uuid-attach-sn [--curve p256|brainpoolp256r1] [--seconds S]\n"
               "                                   [--rounds N] [--json] [--quiet]\n\n"
               "Drives the Serving Network alone on one core (device messages and Authorization\n"
               "Server answers prepared beforehand, in-memory store) through whole uuid-attach\n"
               "flows, AKA included, and measures in the same run each public-key primitive the\n"
               "SN performs.  Prints flows/s, the crypto-bound limit 1 / (sum of primitive costs\n"
               "per flow) and their ratio.\n");
}

/* The world and the prepared flows of an in-process SN bench. */
static int sn_setup(rcp_curve curve, size_t n, struct sn_run *r, rcp_ua_world **w,
                    rcp_store **scratch)
{
    rcp_ua_world_opts wo = {n, curve, RCP_SUITE_GCM, 99, NULL, 3, n + 16};
    int ret = rcp_ua_world_new(&wo, w);
    if (ret == 0)
        ret = rcp_store_open("sqlite::memory:", scratch);
    r->p = ret == 0 ? calloc(n, sizeof *r->p) : NULL;
    if (ret == 0 && r->p == NULL)
        ret = RCP_ERR_NO_MEMORY;
    for (size_t i = 0; ret == 0 && i < n; i++)
        ret = prepare(*w, i, *scratch, &r->p[i]);
    if (ret)
        return ret;
    r->n = n;
    r->sn = *rcp_ua_world_sn(*w);
    r->sn.rng = rcp_rng_system(); /* as in production, not the world's test DRBG */
    return 0;
}

/* One round: every prepared flow through the SN on a fresh store (the
 * prepared sessions are new to it); flows per second. */
static int sn_round(struct sn_run *r, double *rate)
{
    rcp_store *st = NULL;
    int ret = rcp_store_open("sqlite::memory:", &st);
    if (ret)
        return ret;
    r->sn.store = st;
    memset(&r->ops, 0, sizeof r->ops);
    r->flows = 0;
    double t0 = now_s();
    for (size_t i = 0; i < r->n && ret == 0; i++) {
        char imsi[16];
        snprintf(imsi, sizeof imsi, "00101%010llu", (unsigned long long)(r->sn.msin_first + i));
        ret = sn_flow(r, i, imsi);
    }
    double t1 = now_s();
    rcp_store_close(st);
    if (ret == 0)
        *rate = (double)r->flows / (t1 - t0);
    return ret;
}

int bench_sn_inprocess(rcp_curve curve, size_t n, unsigned rounds, double *flows_per_s)
{
    struct sn_run r;
    rcp_ua_world *w = NULL;
    rcp_store *scratch = NULL;
    double v[BENCH_MAX_ROUNDS];
    memset(&r, 0, sizeof r);
    if (rounds == 0 || rounds > BENCH_MAX_ROUNDS)
        return RCP_ERR_INVALID_ARG;
    int ret = sn_setup(curve, n, &r, &w, &scratch);
    for (unsigned i = 0; ret == 0 && i < rounds; i++)
        ret = sn_round(&r, &v[i]);
    if (ret == 0)
        *flows_per_s = bench_median(v, rounds);
    free(r.p);
    rcp_store_close(scratch);
    rcp_ua_world_free(w);
    return ret;
}

static int run_sn(int argc, char **argv)
{
    const char *cmd = "rcprov bench uuid-attach-sn";
    struct bench_opts o = {0};
    rcp_ua_world *w = NULL;
    rcp_store *scratch = NULL;
    struct sn_run r;
    struct prim *pr = NULL;
    double v_flow[BENCH_MAX_ROUNDS], v_ver[BENCH_MAX_ROUNDS], v_sign[BENCH_MAX_ROUNDS],
        v_ecdh[BENCH_MAX_ROUNDS], v_keygen[BENCH_MAX_ROUNDS], v_pkvc[BENCH_MAX_ROUNDS],
        v_pkvu[BENCH_MAX_ROUNDS], v_ratio[BENCH_MAX_ROUNDS], v_ratio_core[BENCH_MAX_ROUNDS],
        v_ecdh2[BENCH_MAX_ROUNDS];
    memset(&r, 0, sizeof r);
    int ret = parse_common(cmd, argc, argv, &o, usage_sn);
    if (ret)
        return ret < 0 ? 0 : ret;
    /* Enough prepared flows for one round of about --seconds. */
    size_t n = o.curve == RCP_CURVE_P256 ? 2000 : 400;
    n = (size_t)((double)n * o.seconds);
    if (n < 50)
        n = 50;
    bench_progress(o.quiet || o.json, "bench: preparing %zu device flows", n);
    ret = sn_setup(o.curve, n, &r, &w, &scratch);
    if (ret) {
        fprintf(stderr, "%s: preparing the flows failed: %s\n", cmd, rcp_strerror(ret));
        ret = CLI_EXIT_FAIL;
        goto out;
    }

    /* Primitive operands. */
    pr = calloc(1, sizeof *pr);
    if (pr == NULL) {
        ret = CLI_EXIT_FAIL;
        goto out;
    }
    pr->curve = o.curve;
    size_t pn = 0;
    ret = rcp_ec_key_generate(o.curve, rcp_rng_system(), &pr->key);
    if (ret == 0)
        ret = rcp_ec_key_public(pr->key, 0, pr->pt_u, sizeof pr->pt_u, &pn);
    if (ret) {
        ret = CLI_EXIT_FAIL;
        goto out;
    }

    rcp_op_counts per_flow = {0};
    for (unsigned round = 0; round < o.rounds; round++) {
        bench_progress(o.quiet || o.json, "bench: round %u/%u: %zu SN flows", round + 1, o.rounds,
                       n);
        double rate = 0;
        ret = sn_round(&r, &rate);
        if (ret) {
            fprintf(stderr, "%s: flow failed: %s\n", cmd, rcp_strerror(ret));
            ret = CLI_EXIT_FAIL;
            goto out;
        }
        v_flow[round] = rate;
        per_flow = r.ops;
        bench_progress(o.quiet || o.json, "bench: round %u/%u: primitives", round + 1, o.rounds);
        if (pool_fill(pr) != 0) {
            ret = CLI_EXIT_FAIL;
            goto out;
        }
        v_ver[round] = time_pool("verify", op_verify, pr);
        v_sign[round] = time_pool("sign", op_sign, pr);
        v_ecdh[round] = time_pool("ecdh (static)", op_ecdh_static, pr);
        v_ecdh2[round] = time_pool("ecdh (ephemeral)", op_ecdh_ephemeral, pr);
        v_keygen[round] = time_pool("keygen", op_keygen, pr);
        v_pkvc[round] = time_pool("key validation (compressed)", op_pkv_c, pr);
        v_pkvu[round] = time_pool("key validation (uncompressed)", op_pkv_u, pr);
        pool_free(pr);
        if (v_ver[round] < 0 || v_sign[round] < 0 || v_ecdh[round] < 0 || v_ecdh2[round] < 0 ||
            v_keygen[round] < 0 || v_pkvc[round] < 0 || v_pkvu[round] < 0) {
            ret = CLI_EXIT_FAIL;
            goto out;
        }
        /* The ratio of this round, from flows and primitives timed
         * back to back: robust to the machine's speed drifting between
         * rounds. */
        double f = (double)n;
        /* Of the SN's two ECDH per flow, one uses its static ECKA key and one
         * a fresh ephemeral key: each timed as such. */
        double ecdh_each = (v_ecdh[round] + v_ecdh2[round]) / 2;
        double core = (r.ops.verify * v_ver[round] + r.ops.sign * v_sign[round] +
                       r.ops.ecdh * ecdh_each + r.ops.keygen * v_keygen[round]) /
                      f;
        double all =
            core +
            (r.ops.pkv_compressed * v_pkvc[round] + r.ops.pkv_uncompressed * v_pkvu[round]) / f;
        v_ratio[round] = v_flow[round] * all / 1e6;
        v_ratio_core[round] = v_flow[round] * core / 1e6;
    }
    bench_progress(o.quiet || o.json, "%s", "");
    double fn = (double)n;
    double c_ver = per_flow.verify / fn, c_sign = per_flow.sign / fn, c_ecdh = per_flow.ecdh / fn,
           c_keygen = per_flow.keygen / fn, c_pkvc = per_flow.pkv_compressed / fn,
           c_pkvu = per_flow.pkv_uncompressed / fn;
    double m_ver = bench_median(v_ver, o.rounds), m_sign = bench_median(v_sign, o.rounds);
    double m_ecdh1 = bench_median(v_ecdh, o.rounds), m_ecdh2 = bench_median(v_ecdh2, o.rounds);
    double m_ecdh = (m_ecdh1 + m_ecdh2) / 2, m_keygen = bench_median(v_keygen, o.rounds);
    double m_pkvc = bench_median(v_pkvc, o.rounds), m_pkvu = bench_median(v_pkvu, o.rounds);
    double flows = bench_median(v_flow, o.rounds);
    /* The bound counts every public-key primitive the SN performs: ECDSA,
     * ECDH, key generation and the validation of received public keys
     * (SEC 1 3.2.2.1).  bound_core leaves validation out, for comparison. */
    double core_us = c_ver * m_ver + c_sign * m_sign + c_ecdh * m_ecdh + c_keygen * m_keygen;
    double cost_us = core_us + c_pkvc * m_pkvc + c_pkvu * m_pkvu;
    double bound = 1e6 / cost_us, bound_core = 1e6 / core_us;
    double ratio = bench_median(v_ratio, o.rounds),
           ratio_core = bench_median(v_ratio_core, o.rounds);
    if (o.json) {
        printf("{\"bench\":\"uuid-attach-sn\",\"curve\":\"%s\",\"rounds\":%u,\"flows\":%zu,"
               "\"flows_per_s\":%.1f,\"bound_per_s\":%.1f,\"ratio\":%.3f,"
               "\"bound_core_per_s\":%.1f,\"ratio_core\":%.3f,"
               "\"ops\":{\"verify\":%.3f,\"sign\":%.3f,\"ecdh\":%.3f,\"keygen\":%.3f,"
               "\"pkv_compressed\":%.3f,\"pkv_uncompressed\":%.3f},"
               "\"primitive_us\":{\"verify\":%.2f,\"sign\":%.2f,\"ecdh_static\":%.2f,"
               "\"ecdh_ephemeral\":%.2f,\"keygen\":%.2f,"
               "\"pkv_compressed\":%.2f,\"pkv_uncompressed\":%.2f}}\n",
               rcp_curve_name(o.curve), o.rounds, n, flows, bound, ratio, bound_core, ratio_core,
               c_ver, c_sign, c_ecdh, c_keygen, c_pkvc, c_pkvu, m_ver, m_sign, m_ecdh1, m_ecdh2,
               m_keygen, m_pkvc, m_pkvu);
    } else {
        printf("Serving Network alone, uuid-attach with AKA, %s, one core, median of %u rounds "
               "of %zu flows:\n",
               rcp_curve_name(o.curve), o.rounds, n);
        printf("  %-34s %6s %10s\n", "public-key primitive", "/flow", "us each");
        printf("  %-34s %6.3f %10.2f\n", "ECDSA verify", c_ver, m_ver);
        printf("  %-34s %6.3f %10.2f\n", "ECDSA sign", c_sign, m_sign);
        printf("  %-34s %6.3f %10.2f\n", "ECDH, static key x fresh peer", c_ecdh / 2, m_ecdh1);
        printf("  %-34s %6.3f %10.2f\n", "ECDH, fresh key x fresh peer", c_ecdh / 2, m_ecdh2);
        printf("  %-34s %6.3f %10.2f\n", "key generation", c_keygen, m_keygen);
        printf("  %-34s %6.3f %10.2f\n", "key validation, compressed point", c_pkvc, m_pkvc);
        printf("  %-34s %6.3f %10.2f\n", "key validation, uncompressed point", c_pkvu, m_pkvu);
        printf("  flows/s %.1f, crypto-bound %.1f/s, ratio %.3f (median of per-round ratios)\n",
               flows, bound, ratio);
        printf("  (without key validation in the bound: %.1f/s, ratio %.3f)\n", bound_core,
               ratio_core);
    }
    ret = 0;
out:
    free(r.p);
    rcp_store_close(scratch);
    rcp_ua_world_free(w);
    if (pr) {
        pool_free(pr);
        rcp_ec_key_free(pr->key);
        free(pr);
    }
    return ret;
}

int cmd_bench(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "certs") == 0)
        return run_certs(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "uuid-attach-sn") == 0)
        return run_sn(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "uuid-attach") == 0)
        return bench_net_run(argc, argv);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: rcprov bench certs|uuid-attach-sn|uuid-attach --net [options]   (--help for "
               "each)\n");
        return 0;
    }
    fprintf(stderr, "rcprov bench: %s (benches: certs, uuid-attach-sn, uuid-attach --net)\n",
            argc >= 2 ? "unknown bench" : "missing bench");
    return CLI_EXIT_USAGE;
}
