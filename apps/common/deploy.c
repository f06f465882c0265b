/*
 * rcprov — a loopback deployment in a directory (deploy.h, docs/deploy.md).
 *
 * The keys devices check (CI, PN, TRE, the SN's ECKA and ECDSA keys) are on
 * the deployment's curve, as in the in-process world (src/sim/ua_world.c);
 * the keys only network functions see (the AuthS's signing key, the SP's
 * key, the DTLS CA) are P-256.  So is every DTLS key: on another curve the
 * SN gets a separate P-256 DTLS key (sn/tls.key), since DTLS stacks rarely
 * offer brainpool groups (OpenSSL's default groups do not).  Files are
 * written without a per-file fsync into a temporary tree that is flushed
 * once (syncfs) and renamed into place: a thousand devices are six
 * thousand files.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "deploy.h"
#include "devstate.h"
#include "fileio.h"
#include "rcprov/bytes.h"
#include "rcprov/cert.h"
#include "rcprov/flow.h"
#include "rcprov/uuid_attach.h"
#include "rcprov/x509.h"

#define DAY 86400u
#define VALID_DAYS 3650u
#define TEXT_MAX 4096
#define TRE_SERIAL_BASE 0x10000000u /* CERT.TRE serials, as in the in-process world */

/* Everything made once for the whole deployment. */
struct pki {
    uint64_t not_before, not_after;
    rcp_ec_key *ci, *pn, *tls_ca;
    rcp_x509 *tls_ca_cert;
    uint8_t cert_ci[RCP_CCERT_MAX_LEN], cert_pn[RCP_CCERT_MAX_LEN];
    size_t cert_ci_len, cert_pn_len;
};

/* A text file being assembled; overflow is sticky. */
struct text {
    char buf[TEXT_MAX];
    size_t len;
    int overflow;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    if (t->overflow)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof t->buf - t->len)
        t->overflow = 1;
    else
        t->len += (size_t)n;
}

/* ------------------------------------------------------------ files */

struct out {
    char root[PATH_MAX]; /* the temporary tree */
    char *err;
    size_t cap;
};

static int put(struct out *o, const char *rel, const void *data, size_t len, mode_t mode)
{
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/%s", o->root, rel) >= sizeof p)
        return app_errf(o->err, o->cap, RCP_ERR_IO, "%s/%s: path too long", o->root, rel);
    int r = fio_write_new(p, data, len, mode);
    if (r)
        return app_errf(o->err, o->cap, RCP_ERR_IO, "%s: cannot write: %s", p, strerror(-r));
    return 0;
}

static int put_text(struct out *o, const char *rel, const struct text *t, mode_t mode)
{
    if (t->overflow)
        return app_errf(o->err, o->cap, RCP_ERR_INVALID_ARG, "%s: longer than %d bytes", rel, TEXT_MAX);
    return put(o, rel, t->buf, t->len, mode);
}

static int put_dir(struct out *o, const char *rel)
{
    char p[PATH_MAX];
    if ((size_t)snprintf(p, sizeof p, "%s/%s", o->root, rel) >= sizeof p)
        return app_errf(o->err, o->cap, RCP_ERR_IO, "%s/%s: path too long", o->root, rel);
    if (mkdir(p, 0755) != 0)
        return app_errf(o->err, o->cap, RCP_ERR_IO, "%s: cannot create: %s", p, strerror(errno));
    return 0;
}

static int put_key(struct out *o, const char *rel, const rcp_ec_key *key)
{
    char pem[RCP_PKCS8_PEM_MAX];
    size_t len = 0;
    int ret = rcp_ec_key_to_pkcs8_pem(key, pem, sizeof pem, &len);
    if (ret)
        app_errf(o->err, o->cap, ret, "%s: cannot encode the key: %s", rel, rcp_strerror(ret));
    else
        ret = put(o, rel, pem, len, 0600);
    rcp_wipe(pem, sizeof pem);
    return ret;
}

static int put_x509(struct out *o, const char *rel, const rcp_x509 *c)
{
    char pem[RCP_X509_PEM_MAX];
    size_t len = 0;
    int ret = rcp_x509_to_pem(c, pem, sizeof pem, &len);
    if (ret)
        return app_errf(o->err, o->cap, ret, "%s: cannot encode: %s", rel, rcp_strerror(ret));
    return put(o, rel, pem, len, 0644);
}

/* 16 random bytes as 32 hex digits and a line end, mode 0600. */
static int put_secret_hex(struct out *o, const char *rel, const rcp_rng *rng)
{
    uint8_t b[16];
    char hex[2 * sizeof b + 2];
    int ret = rcp_rng_fill(rng, b, sizeof b);
    if (ret == 0)
        ret = rcp_hex_encode(b, sizeof b, hex, sizeof hex);
    if (ret)
        ret = app_errf(o->err, o->cap, ret, "%s: %s", rel, rcp_strerror(ret));
    else {
        strcat(hex, "\n");
        ret = put(o, rel, hex, strlen(hex), 0600);
    }
    rcp_wipe(b, sizeof b);
    rcp_wipe(hex, sizeof hex);
    return ret;
}

/* ------------------------------------------------------------- keys */

static int gen(const rcp_rng *rng, rcp_curve curve, rcp_ec_key **k, char *err, size_t cap)
{
    int ret = rcp_ec_key_generate(curve, rng, k);
    if (ret)
        return app_errf(err, cap, ret, "key generation failed: %s", rcp_strerror(ret));
    return 0;
}

static int ccert(const struct pki *p, const char *subject, uint32_t serial, rcp_key_usage usage,
                 const rcp_ec_key *subj, const rcp_ec_key *issuer, uint8_t *out, size_t *out_len,
                 char *err, size_t cap)
{
    uint8_t s[4] = {(uint8_t)(serial >> 24), (uint8_t)(serial >> 16), (uint8_t)(serial >> 8),
                    (uint8_t)serial};
    rcp_ccert_template t = {s,    sizeof s, subject, usage, subj, p->not_before, p->not_after,
                            NULL, 0};
    int ret = rcp_ccert_issue(&t, issuer, out, RCP_CCERT_MAX_LEN, out_len);
    if (ret)
        return app_errf(err, cap, ret, "cannot issue the certificate of '%s': %s", subject,
                    rcp_strerror(ret));
    return 0;
}

static int x509_leaf(const struct pki *p, const char *cn, uint8_t serial, const rcp_ec_key *key,
                     rcp_x509 **out, char *err, size_t cap)
{
    rcp_x509_template t = {&serial,
                           1,
                           cn,
                           NULL,
                           RCP_X509_USAGE_SIGN,
                           RCP_X509_PATHLEN_NONE,
                           key,
                           (int64_t)p->not_before,
                           (int64_t)p->not_after};
    int ret = rcp_x509_issue(&t, p->tls_ca_cert, p->tls_ca, out);
    if (ret)
        return app_errf(err, cap, ret, "cannot issue the DTLS certificate of '%s': %s", cn,
                    rcp_strerror(ret));
    return 0;
}

static void pki_free(struct pki *p)
{
    rcp_ec_key_free(p->ci);
    rcp_ec_key_free(p->pn);
    rcp_ec_key_free(p->tls_ca);
    rcp_x509_free(p->tls_ca_cert);
    memset(p, 0, sizeof *p);
}

static int make_pki(const deploy_opts *o, struct pki *p, struct out *w)
{
    const uint8_t one = 1;
    int ret = gen(o->rng, o->curve, &p->ci, w->err, w->cap);
    if (ret == 0)
        ret = gen(o->rng, o->curve, &p->pn, w->err, w->cap);
    if (ret == 0)
        ret = gen(o->rng, RCP_CURVE_P256, &p->tls_ca, w->err, w->cap);
    if (ret == 0)
        ret = ccert(p, "rcprov demo CI", 1, RCP_USAGE_CA, p->ci, p->ci, p->cert_ci, &p->cert_ci_len,
                    w->err, w->cap);
    if (ret == 0)
        ret = ccert(p, "rcprov demo PN", 2, RCP_USAGE_CA, p->pn, p->ci, p->cert_pn, &p->cert_pn_len,
                    w->err, w->cap);
    if (ret == 0) {
        rcp_x509_template t = {&one,
                               1,
                               "rcprov demo TLS CA",
                               NULL,
                               RCP_X509_USAGE_CA,
                               0,
                               p->tls_ca,
                               (int64_t)p->not_before,
                               (int64_t)p->not_after};
        ret = rcp_x509_issue(&t, NULL, p->tls_ca, &p->tls_ca_cert);
        if (ret)
            app_errf(w->err, w->cap, ret, "cannot issue the DTLS CA certificate: %s",
                 rcp_strerror(ret));
    }
    if (ret == 0)
        ret = put_dir(w, "pki");
    if (ret == 0)
        ret = put_key(w, "pki/ci.key", p->ci);
    if (ret == 0)
        ret = put(w, "pki/ci.cbor", p->cert_ci, p->cert_ci_len, 0644);
    if (ret == 0)
        ret = put_key(w, "pki/pn.key", p->pn);
    if (ret == 0)
        ret = put(w, "pki/pn.cbor", p->cert_pn, p->cert_pn_len, 0644);
    if (ret == 0)
        ret = put_key(w, "pki/tls-ca.key", p->tls_ca);
    if (ret == 0)
        ret = put_x509(w, "pki/tls-ca.pem", p->tls_ca_cert);
    return ret;
}

/* "HOST:PORT", with brackets around an IPv6 literal. */
static void endpoint(char *out, size_t cap, const char *host, uint16_t port)
{
    snprintf(out, cap, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
}

/* ------------------------------------------------------ network side */

static int make_sn(const deploy_opts *o, const struct pki *p, struct out *w, const char *level)
{
    rcp_ec_key *ecka = NULL, *ecdsa = NULL, *tls_key = NULL;
    rcp_x509 *tls = NULL;
    uint8_t c_ecka[RCP_CCERT_MAX_LEN], c_ecdsa[RCP_CCERT_MAX_LEN];
    size_t l_ecka = 0, l_ecdsa = 0;
    char sn_ep[96], auths_ep[96];
    struct text t = {.len = 0};
    int ret = gen(o->rng, o->curve, &ecka, w->err, w->cap);
    if (ret == 0)
        ret = gen(o->rng, o->curve, &ecdsa, w->err, w->cap);
    if (ret == 0)
        ret = ccert(p, DEPLOY_SN_NAME, 3, RCP_USAGE_AGREE, ecka, p->ci, c_ecka, &l_ecka, w->err,
                    w->cap);
    if (ret == 0)
        ret = ccert(p, DEPLOY_SN_NAME, 4, RCP_USAGE_SIGN, ecdsa, p->ci, c_ecdsa, &l_ecdsa, w->err,
                    w->cap);
    /* The DTLS key: the ECDSA key on P-256, else a P-256 key of its own. */
    int own_tls_key = o->curve != RCP_CURVE_P256;
    if (ret == 0 && own_tls_key)
        ret = gen(o->rng, RCP_CURVE_P256, &tls_key, w->err, w->cap);
    if (ret == 0)
        ret = x509_leaf(p, DEPLOY_SN_NAME, 2, own_tls_key ? tls_key : ecdsa, &tls, w->err, w->cap);
    if (ret == 0)
        ret = put_dir(w, "sn");
    if (ret == 0)
        ret = put_key(w, "sn/ecka.key", ecka);
    if (ret == 0)
        ret = put(w, "sn/ecka.cbor", c_ecka, l_ecka, 0644);
    if (ret == 0)
        ret = put_key(w, "sn/ecdsa.key", ecdsa);
    if (ret == 0)
        ret = put(w, "sn/ecdsa.cbor", c_ecdsa, l_ecdsa, 0644);
    if (ret == 0 && own_tls_key)
        ret = put_key(w, "sn/tls.key", tls_key);
    if (ret == 0)
        ret = put_x509(w, "sn/tls.pem", tls);
    if (ret == 0)
        ret = put_secret_hex(w, "sn/op.hex", o->rng);
    if (ret == 0)
        ret = put_secret_hex(w, "sn/cookie.key", o->rng);
    if (ret == 0) {
        endpoint(sn_ep, sizeof sn_ep, o->host, o->sn_port);
        endpoint(auths_ep, sizeof auths_ep, o->host, o->auths_port);
        add(&t, "[daemon]\nlog_level = %s\ndata_dir = data\n\n", level);
        add(&t, "[sn]\nlisten = %s\nname = " DEPLOY_SN_NAME "\ncurve = %s\n", sn_ep,
            rcp_curve_name(o->curve));
        add(&t, "ecka_key = ecka.key\necka_cert = ecka.cbor\n"
                "ecdsa_key = ecdsa.key\necdsa_cert = ecdsa.cbor\n"
                "ci = ../pki/ci.cbor\ntls_cert = tls.pem\n");
        if (own_tls_key)
            add(&t, "tls_key = tls.key\n");
        add(&t, "tls_ca = ../pki/tls-ca.pem\nsuites = gcm cbc-hmac\nmcc = 001\nmnc = 01\n");
        add(&t, "msin_first = %u\nmsin_last = %llu\n", DEPLOY_MSIN_FIRST,
            (unsigned long long)DEPLOY_MSIN_FIRST + o->devices + 999);
        add(&t, "op_file = op.hex\ncookie_key_file = cookie.key\ncookie_lifetime = 120\n"
                "amf = 8000\n");
        if (o->sn_store)
            add(&t, "store = %s\n", o->sn_store);
        add(&t,
            "\n[auths-peer]\nfqdn = " DEPLOY_AUTHS_FQDN "\nendpoint = %s\n"
            "cert = ../auths/tls.pem\n",
            auths_ep);
        ret = put_text(w, "sn/sn.conf", &t, 0644);
    }
    rcp_ec_key_free(ecka);
    rcp_ec_key_free(ecdsa);
    rcp_ec_key_free(tls_key);
    rcp_x509_free(tls);
    return ret;
}

static int make_auths_sp(const deploy_opts *o, const struct pki *p, struct out *w,
                         const char *level)
{
    rcp_ec_key *sign = NULL, *sp = NULL;
    rcp_x509 *tls = NULL, *sp_tls = NULL;
    char ep[96];
    struct text t = {.len = 0}, s = {.len = 0};
    int ret = gen(o->rng, RCP_CURVE_P256, &sign, w->err, w->cap);
    if (ret == 0)
        ret = gen(o->rng, RCP_CURVE_P256, &sp, w->err, w->cap);
    if (ret == 0)
        ret = x509_leaf(p, DEPLOY_AUTHS_FQDN, 3, sign, &tls, w->err, w->cap);
    if (ret == 0)
        ret = x509_leaf(p, DEPLOY_SP_NAME, 4, sp, &sp_tls, w->err, w->cap);
    if (ret == 0)
        ret = put_dir(w, "auths");
    if (ret == 0)
        ret = put_key(w, "auths/sign.key", sign);
    if (ret == 0)
        ret = put_x509(w, "auths/tls.pem", tls);
    endpoint(ep, sizeof ep, o->host, o->auths_port);
    if (ret == 0) {
        add(&t, "[daemon]\nlog_level = %s\ndata_dir = data\n\n", level);
        add(&t,
            "[auths]\nlisten = %s\nfqdn = " DEPLOY_AUTHS_FQDN "\nkey = sign.key\n"
            "tls_cert = tls.pem\ntls_ca = ../pki/tls-ca.pem\nauthz_lifetime = 3600\n"
            "data_limit = 10485760\ndestination = rsmf.rcprov.test\nmax_skew = 300\n",
            ep);
        if (o->auths_store)
            add(&t, "store = %s\n", o->auths_store);
        add(&t, "\n[sn-agreement]\nname = " DEPLOY_SN_NAME "\necdsa_cert = ../sn/ecdsa.cbor\n"
                "ecka_cert = ../sn/ecka.cbor\n");
        if (o->curve != RCP_CURVE_P256) /* the SN's DTLS key is its own (make_sn) */
            add(&t, "tls_cert = ../sn/tls.pem\n");
        add(&t, "\n[sp-agreement]\nname = " DEPLOY_SP_NAME "\ncert = ../sp/tls.pem\n");
        ret = put_text(w, "auths/auths.conf", &t, 0644);
    }
    if (ret == 0)
        ret = put_dir(w, "sp");
    if (ret == 0)
        ret = put_key(w, "sp/sp.key", sp);
    if (ret == 0)
        ret = put_x509(w, "sp/tls.pem", sp_tls);
    if (ret == 0) {
        add(&s,
            "[sp]\nname = " DEPLOY_SP_NAME "\nkey = sp.key\ntls_cert = tls.pem\n"
            "tls_ca = ../pki/tls-ca.pem\nauths = %s\n",
            ep);
        ret = put_text(w, "sp/sp.conf", &s, 0644);
    }
    rcp_ec_key_free(sign);
    rcp_ec_key_free(sp);
    rcp_x509_free(tls);
    rcp_x509_free(sp_tls);
    return ret;
}

/* --------------------------------------------------------- devices */

static const char *in_dir(char *out, size_t cap, const char *dir, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
    return out;
}

/* Device n (1-based): its TRE key and CERT.TRE, its UUID made by the TRE
 * from K_TRESI and CATV (step 0-a, as make_device in src/sim/ua_world.c),
 * and its directory.  Its line of devices.txt goes to line. */
static int make_device(const deploy_opts *o, const struct pki *p, struct out *w, size_t n,
                       struct text *line)
{
    rcp_ec_key *key = NULL;
    uint8_t cert[RCP_CCERT_MAX_LEN], k_tresi[16], catv[RCP_UA_CATV_LEN], uuid[RCP_UUID_LEN];
    char dir[32], rel[64], subject[32], uuid_hex[2 * RCP_UUID_LEN + 1], k_hex[33],
        catv_hex[2 * RCP_UA_CATV_LEN + 1];
    size_t cert_len = 0;
    struct text t = {.len = 0};
    snprintf(dir, sizeof dir, "devices/%05zu", n);
    snprintf(subject, sizeof subject, "TRE %08zu", n);
    int ret = gen(o->rng, o->curve, &key, w->err, w->cap);
    if (ret == 0)
        ret = ccert(p, subject, (uint32_t)(TRE_SERIAL_BASE + n), RCP_USAGE_SIGN, key, p->pn, cert,
                    &cert_len, w->err, w->cap);
    if (ret == 0 && ((ret = rcp_rng_fill(o->rng, k_tresi, sizeof k_tresi)) != 0 ||
                     (ret = rcp_rng_fill(o->rng, catv, sizeof catv)) != 0 ||
                     (ret = rcp_ua_uuid_generate(k_tresi, catv, n, o->rng, uuid)) != 0))
        app_errf(w->err, w->cap, ret, "device %zu: cannot make its UUID: %s", n, rcp_strerror(ret));
    if (ret == 0 && ((ret = rcp_hex_encode(uuid, sizeof uuid, uuid_hex, sizeof uuid_hex)) != 0 ||
                     (ret = rcp_hex_encode(k_tresi, sizeof k_tresi, k_hex, sizeof k_hex)) != 0 ||
                     (ret = rcp_hex_encode(catv, sizeof catv, catv_hex, sizeof catv_hex)) != 0))
        app_errf(w->err, w->cap, ret, "device %zu: %s", n, rcp_strerror(ret));
    if (ret == 0)
        ret = put_dir(w, dir);
    if (ret == 0)
        ret = put_key(w, in_dir(rel, sizeof rel, dir, "tre.key"), key);
    if (ret == 0)
        ret = put(w, in_dir(rel, sizeof rel, dir, "tre.cbor"), cert, cert_len, 0644);
    if (ret == 0)
        ret = put(w, in_dir(rel, sizeof rel, dir, "pn.cbor"), p->cert_pn, p->cert_pn_len, 0644);
    if (ret == 0)
        ret = put(w, in_dir(rel, sizeof rel, dir, "ci.cbor"), p->cert_ci, p->cert_ci_len, 0644);
    if (ret == 0) {
        rcp_seal_suite other = o->suite == RCP_SUITE_GCM ? RCP_SUITE_CBC_HMAC : RCP_SUITE_GCM;
        add(&t, "[device]\ncurve = %s\nuuid = %s\nauths = " DEPLOY_AUTHS_FQDN "\nsuites = %s %s\n",
            rcp_curve_name(o->curve), uuid_hex, rcp_seal_suite_name(o->suite),
            rcp_seal_suite_name(other));
        add(&t, "tre_key = tre.key\ntre_cert = tre.cbor\npn_cert = pn.cbor\nci = ci.cbor\n");
        ret = put_text(w, in_dir(rel, sizeof rel, dir, DEVSTATE_CONF), &t, 0644);
    }
    if (ret == 0) {
        /* What only the TRE knows: with it the TRE can re-check its UUID
         * (rcp_ua_uuid_check).  Nothing else in the deployment reads it. */
        t.len = 0;
        add(&t,
            "# K_TRESI and CATV never leave the TRE: UUID = AES-128[K_TRESI](Rand || CATV || "
            "serial)\n[tre]\nk_tresi = %s\ncatv = %s\nserial = %zu\n",
            k_hex, catv_hex, n);
        ret = put_text(w, in_dir(rel, sizeof rel, dir, "tre-secret.hex"), &t, 0600);
    }
    if (ret == 0)
        add(line, "%05zu %s %s/tre.cbor\n", n, uuid_hex, dir);
    rcp_ec_key_free(key);
    rcp_wipe(k_tresi, sizeof k_tresi);
    rcp_wipe(k_hex, sizeof k_hex);
    rcp_wipe(&t, sizeof t);
    return ret;
}

/* ---------------------------------------------------------- checks */

/* A value written into a configuration line: no line breaks or controls. */
static int one_line(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

static int check_opts(const deploy_opts *o, char *err, size_t cap)
{
    if (o == NULL || o->dir == NULL || o->dir[0] == '\0')
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "deploy: no directory given");
    if (o->devices < 1 || o->devices > DEPLOY_DEVICES_MAX)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "deploy: devices must be 1 to %d, got %zu",
                    DEPLOY_DEVICES_MAX, o->devices);
    if (o->curve != RCP_CURVE_P256 && o->curve != RCP_CURVE_BP256R1)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG,
                    "deploy: curve must be p256 or "
                    "brainpoolp256r1");
    if (o->suite != RCP_SUITE_GCM && o->suite != RCP_SUITE_CBC_HMAC)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "deploy: suite must be gcm or cbc-hmac");
    if (o->host == NULL || o->host[0] == '\0' || strlen(o->host) > 63 || !one_line(o->host) ||
        strchr(o->host, ' '))
        return app_errf(err, cap, RCP_ERR_INVALID_ARG,
                    "deploy: host must be an IP literal or "
                    "localhost");
    if (o->sn_port == 0 || o->auths_port == 0 || o->sn_port == o->auths_port)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG,
                    "deploy: the SN and AuthS ports must be two different ports 1..65535");
    if ((o->sn_store && (!one_line(o->sn_store) || !o->sn_store[0])) ||
        (o->auths_store && (!one_line(o->auths_store) || !o->auths_store[0])))
        return app_errf(err, cap, RCP_ERR_INVALID_ARG,
                    "deploy: a store URL is empty or holds a "
                    "line break");
    if (o->log_level && (!o->log_level[0] || !one_line(o->log_level)))
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "deploy: bad log level");
    if (o->rng == NULL)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "deploy: no random generator");
    return 0;
}

/* DIR may exist only as an empty directory (rename replaces it); checked
 * before the work, and again by the rename (ENOTEMPTY). */
static int check_target(const char *dir, char *err, size_t cap)
{
    struct stat sb;
    if (lstat(dir, &sb) != 0)
        return errno == ENOENT ? 0 : app_errf(err, cap, RCP_ERR_IO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return app_errf(err, cap, RCP_ERR_EXISTS, "%s: exists and is not a directory", dir);
    DIR *d = opendir(dir);
    if (d == NULL)
        return app_errf(err, cap, RCP_ERR_IO, "%s: %s", dir, strerror(errno));
    int empty = 1;
    for (struct dirent *de; empty && (de = readdir(d)) != NULL;)
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    if (!empty)
        return app_errf(err, cap, RCP_ERR_EXISTS, "%s: exists and is not empty", dir);
    return 0;
}

/* ------------------------------------------------------------------ API */

int deploy_create(const deploy_opts *o, char *err, size_t cap)
{
    struct pki p;
    struct out w = {.err = err, .cap = cap};
    struct text *list = NULL;
    char dir[PATH_MAX], parent[PATH_MAX];
    uint8_t rnd[8];
    char hex[17];
    memset(&p, 0, sizeof p);
    int ret = check_opts(o, err, cap);
    if (ret)
        return ret;
    /* Without trailing slashes: DIR.tmp-<hex> must be a sibling. */
    size_t n = strlen(o->dir);
    while (n > 1 && o->dir[n - 1] == '/')
        n--;
    if (n + 32 >= sizeof dir)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "%s: path too long", o->dir);
    snprintf(dir, sizeof dir, "%.*s", (int)n, o->dir);
    if ((ret = check_target(dir, err, cap)) != 0)
        return ret;
    const char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        snprintf(parent, sizeof parent, "%.*s", (int)(slash - dir), dir);
        int r = fio_mkdirs(parent, 0755);
        if (r)
            return app_errf(err, cap, RCP_ERR_IO, "%s: cannot create: %s", parent, strerror(-r));
    }
    if ((ret = rcp_rng_fill(rcp_rng_system(), rnd, sizeof rnd)) != 0 ||
        (ret = rcp_hex_encode(rnd, sizeof rnd, hex, sizeof hex)) != 0)
        return app_errf(err, cap, ret, "deploy: %s", rcp_strerror(ret));
    if ((size_t)snprintf(w.root, sizeof w.root, "%s.tmp-%s", dir, hex) >= sizeof w.root)
        return app_errf(err, cap, RCP_ERR_INVALID_ARG, "%s: path too long", dir);
    if (mkdir(w.root, 0755) != 0)
        return app_errf(err, cap, RCP_ERR_IO, "%s: cannot create: %s", w.root, strerror(errno));

    const char *level = o->log_level ? o->log_level : "info";
    uint64_t now = rcp_clock_now(rcp_clock_system());
    p.not_before = now - DAY;
    p.not_after = now + (uint64_t)VALID_DAYS * DAY;
    ret = make_pki(o, &p, &w);
    if (ret == 0)
        ret = make_sn(o, &p, &w, level);
    if (ret == 0)
        ret = make_auths_sp(o, &p, &w, level);
    if (ret == 0)
        ret = put_dir(&w, "devices");

    /* devices.txt: about 60 bytes a line. */
    char *lines = NULL;
    size_t lines_len = 0;
    if (ret == 0 &&
        ((list = calloc(1, sizeof *list)) == NULL || (lines = malloc(o->devices * 64)) == NULL))
        ret = app_errf(err, cap, RCP_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 1; ret == 0 && i <= o->devices; i++) {
        list->len = 0;
        ret = make_device(o, &p, &w, i, list);
        if (ret == 0 && (list->overflow || lines_len + list->len > o->devices * 64))
            ret = app_errf(err, cap, RCP_ERR_INVALID_ARG, "devices.txt: line too long");
        if (ret == 0) {
            memcpy(lines + lines_len, list->buf, list->len);
            lines_len += list->len;
            if (o->progress)
                o->progress(o->progress_ctx, i, o->devices);
        }
    }
    if (ret == 0)
        ret = put(&w, "devices.txt", lines, lines_len, 0644);

    /* One flush, then the tree appears under its name. */
    if (ret == 0) {
        int r = fio_sync_fs(w.root);
        if (r)
            ret = app_errf(err, cap, RCP_ERR_IO, "%s: cannot flush: %s", w.root, strerror(-r));
    }
    if (ret == 0 && rename(w.root, dir) != 0)
        ret = errno == ENOTEMPTY || errno == EEXIST
                  ? app_errf(err, cap, RCP_ERR_EXISTS, "%s: exists and is not empty", dir)
                  : app_errf(err, cap, RCP_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
    if (ret == 0)
        (void)fio_fsync_parent(dir);
    else
        (void)fio_remove_tree(w.root);
    free(lines);
    free(list);
    pki_free(&p);
    return ret;
}
