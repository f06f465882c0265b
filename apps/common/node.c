/*
 * rcprov — a daemon configuration loaded and its roles built (node.h,
 * docs/config.md).
 *
 * Every check a misconfiguration could fail later, at the first device or
 * the first DTLS handshake, is made here instead, with a message naming
 * file:line, [section] and key: keys against their certificates (full
 * public points compared), certificates against their anchors, curves,
 * usages, secret files' modes.  The SN is built as src/sim/ua_world.c
 * builds it in memory.  Secrets read from files (OP, cookie key, private
 * keys) are wiped from every buffer that held them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node.h"
#include "rcprov/bytes.h"
#include "rcprov/x509.h"

#define KEY_FILE_MAX 16384       /* a PKCS#8 PEM, maybe with comments */
#define X509_FILE_MAX (1u << 20) /* a CA bundle */
#define X509_CERTS_MAX 16        /* certificates read from one file */
#define SECRET_FILE_MAX 64       /* 32 hex digits and a line end */
#define CI_MAX RCP_CCERT_STORE_MAX
#define AGREEMENT_NAME_MAX 63 /* rcp_ua_sn_agreement.name, rcp_ua_sp_agreement.name */

static const char *const k_sections[] = {"daemon", "sn",           "auths-peer",
                                         "auths",  "sn-agreement", "sp-agreement"};
static const char *const k_daemon_keys[] = {"log_level", "data_dir", "drain_seconds", "block_size"};
static const char *const k_sn_keys[] = {"listen",
                                        "store",
                                        "name",
                                        "curve",
                                        "ecka_key",
                                        "ecka_cert",
                                        "ecdsa_key",
                                        "ecdsa_cert",
                                        "ci",
                                        "tls_cert",
                                        "tls_key",
                                        "tls_ca",
                                        "suites",
                                        "mcc",
                                        "mnc",
                                        "msin_first",
                                        "msin_last",
                                        "op_file",
                                        "cookie_key_file",
                                        "cookie_key_accept_file",
                                        "cookie_lifetime",
                                        "amf",
                                        "milenage_c1",
                                        "milenage_c2",
                                        "milenage_c3",
                                        "milenage_c4",
                                        "milenage_c5",
                                        "milenage_r1",
                                        "milenage_r2",
                                        "milenage_r3",
                                        "milenage_r4",
                                        "milenage_r5"};
static const char *const k_sn_repeatable[] = {"ci"};
static const char *const k_peer_keys[] = {"fqdn", "endpoint", "cert"};
static const char *const k_auths_keys[] = {"listen",      "store",   "fqdn",           "key",
                                           "tls_cert",    "tls_ca",  "authz_lifetime", "data_limit",
                                           "destination", "max_skew"};
static const char *const k_sn_ag_keys[] = {"name", "ecdsa_cert", "ecka_cert", "tls_cert"};
static const char *const k_sn_ag_repeatable[] = {"ecka_cert"};
static const char *const k_sp_ag_keys[] = {"name", "cert"};
static const char *const k_log_levels[] = {"error", "warn", "info", "debug"}; /* rcp_log_level */
static const char *const k_curves[] = {"p256", "brainpoolp256r1"};
static const rcp_curve k_curve_ids[] = {RCP_CURVE_P256, RCP_CURVE_BP256R1};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* What one load needs besides the node. */
typedef struct {
    const conf *c;
    char *err;
    size_t cap;
    uint64_t now;
} loader;

/* "file:line: [section] key: message" (key NULL: "file:line: [section] message";
 * s NULL: "file: [section] ..."); i picks the value of a repeated key. */
static int fail(const loader *L, const conf_section *s, const char *sec, const char *key, size_t i,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int fail(const loader *L, const conf_section *s, const char *sec, const char *key, size_t i,
                const char *fmt, ...)
{
    char where[CONF_ERR_MAX], msg[CONF_ERR_MAX];
    va_list ap;
    if (L->err == NULL || L->cap == 0)
        return -1;
    if (s)
        conf_where_nth(L->c, s, key, i, where, sizeof where);
    else
        conf_where(L->c, NULL, NULL, where, sizeof where); /* "file:0" */
    if (s == NULL) {
        char *colon = strrchr(where, ':');
        if (colon)
            *colon = '\0';
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (key)
        snprintf(L->err, L->cap, "%s: [%s] %s: %s", where, sec, key, msg);
    else
        snprintf(L->err, L->cap, "%s: [%s] %s", where, sec, msg);
    return -1;
}

static void free_secret(void *p, size_t len)
{
    if (p) {
        rcp_wipe(p, len);
        free(p);
    }
}

/* ---------------------------------------------------------------- files */

/* Read a whole file (at most max bytes) into a NUL-terminated heap buffer.
 * secret: refuse a file group or others may access (as ssh does). */
static int read_file(const loader *L, const conf_section *s, const char *key, size_t i,
                     const char *path, size_t max, int secret, uint8_t **buf, size_t *len)
{
    const char *sec = conf_section_name(s);
    struct stat st;
    size_t n = 0;
    int ret = -1;
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(L, s, sec, key, i, "cannot read %s: %s", path, strerror(errno));
    uint8_t *b = malloc(max + 2);
    if (b == NULL) {
        fail(L, s, sec, key, i, "out of memory");
        goto done;
    }
    if (fstat(fd, &st) != 0) {
        fail(L, s, sec, key, i, "cannot stat %s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(L, s, sec, key, i, "%s is not a regular file", path);
        goto done;
    }
    if (secret && (st.st_mode & 077)) {
        fail(L, s, sec, key, i,
             "%s holds a secret but group or others may access it (mode %04o): chmod 600 it", path,
             (unsigned)(st.st_mode & 07777));
        goto done;
    }
    for (;;) {
        ssize_t r = read(fd, b + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fail(L, s, sec, key, i, "cannot read %s: %s", path, strerror(errno));
            goto done;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > max) {
            fail(L, s, sec, key, i, "%s is larger than %zu bytes", path, max);
            goto done;
        }
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    b = NULL;
    ret = 0;
done:
    free_secret(b, max + 2);
    close(fd);
    return ret;
}

/* A file holding exactly len bytes as hex (2*len digits, optional line
 * end), mode 0600 or stricter.  Its content never appears in a message. */
static int read_secret_hex(const loader *L, const conf_section *s, const char *key, uint8_t *out,
                           size_t len)
{
    char path[NODE_PATH_MAX];
    uint8_t *buf = NULL;
    size_t n = 0;
    if (conf_path(L->c, s, key, 1, path, sizeof path, L->err, L->cap))
        return -1;
    if (read_file(L, s, key, 0, path, SECRET_FILE_MAX, 1, &buf, &n))
        return -1;
    size_t m = n;
    if (m > 0 && buf[m - 1] == '\n')
        m--;
    if (m > 0 && buf[m - 1] == '\r')
        m--;
    buf[m] = 0;
    int ret = 0;
    if (m != 2 * len || rcp_hex_decode_exact((const char *)buf, out, len) != 0)
        ret = fail(L, s, conf_section_name(s), key, 0,
                   "%s must hold exactly %zu hex digits (%zu bytes) and an optional line end", path,
                   2 * len, len);
    free_secret(buf, n + 1);
    return ret;
}

/* A PKCS#8 PEM private key on p256 or brainpoolP256r1.  pem (may be NULL)
 * receives a clean re-encoding of the key for the transport (a secret). */
static int load_key(const loader *L, const conf_section *s, const char *key, rcp_ec_key **out,
                    char **pem, size_t *pem_len)
{
    const char *sec = conf_section_name(s);
    char path[NODE_PATH_MAX];
    uint8_t *buf = NULL;
    size_t n = 0;
    int ret;
    if (conf_path(L->c, s, key, 1, path, sizeof path, L->err, L->cap))
        return -1;
    if (read_file(L, s, key, 0, path, KEY_FILE_MAX, 1, &buf, &n))
        return -1;
    ret = rcp_ec_key_from_pkcs8_pem((const char *)buf, n, out);
    free_secret(buf, n + 1);
    if (ret == RCP_ERR_DECODE)
        return fail(L, s, sec, key, 0, "%s holds no PKCS#8 PEM \"PRIVATE KEY\"", path);
    if (ret == RCP_ERR_UNSUPPORTED)
        return fail(L, s, sec, key, 0,
                    "%s: encrypted key, another algorithm or an unsupported curve (rcprov reads "
                    "unencrypted PKCS#8 keys on p256 or brainpoolp256r1)",
                    path);
    if (ret)
        return fail(L, s, sec, key, 0, "%s: invalid key (%s)", path, rcp_strerror(ret));
    rcp_curve cv = rcp_ec_key_curve(*out);
    if (cv != RCP_CURVE_P256 && cv != RCP_CURVE_BP256R1)
        return fail(L, s, sec, key, 0, "%s: a key on %s; rcprov roles use p256 or brainpoolp256r1",
                    path, rcp_curve_name(cv) ? rcp_curve_name(cv) : "an unknown curve");
    if (pem == NULL)
        return 0;
    *pem = malloc(RCP_PKCS8_PEM_MAX);
    if (*pem == NULL)
        return fail(L, s, sec, key, 0, "out of memory");
    ret = rcp_ec_key_to_pkcs8_pem(*out, *pem, RCP_PKCS8_PEM_MAX, pem_len);
    if (ret)
        return fail(L, s, sec, key, 0, "%s: cannot re-encode the key (%s)", path,
                    rcp_strerror(ret));
    return 0;
}

/* A compact certificate (raw CBOR) into out; parsed points into out. */
static int load_ccert(const loader *L, const conf_section *s, const char *key, size_t i,
                      const char *path, uint8_t out[RCP_CCERT_MAX_LEN], size_t *len,
                      rcp_ccert *parsed)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    if (read_file(L, s, key, i, path, X509_FILE_MAX, 0, &buf, &n))
        return -1;
    if (n > RCP_CCERT_MAX_LEN) {
        free(buf);
        return fail(L, s, conf_section_name(s), key, i,
                    "%s is not a compact certificate (larger than %d bytes)", path,
                    RCP_CCERT_MAX_LEN);
    }
    memcpy(out, buf, n);
    free(buf);
    *len = n;
    int ret = rcp_ccert_decode(out, n, parsed);
    if (ret)
        return fail(L, s, conf_section_name(s), key, i, "%s is not a compact certificate (%s)",
                    path, rcp_strerror(ret));
    return 0;
}

/* X.509 certificates (PEM or DER) of a file; pem (may be NULL) receives
 * them re-encoded as PEM, for the transport. */
static int load_x509(const loader *L, const conf_section *s, const char *key, size_t i,
                     const char *path, rcp_x509 **certs, size_t *n_certs, char **pem,
                     size_t *pem_len)
{
    const char *sec = conf_section_name(s);
    uint8_t *buf = NULL;
    size_t n = 0;
    if (read_file(L, s, key, i, path, X509_FILE_MAX, 0, &buf, &n))
        return -1;
    int ret = rcp_x509_read(buf, n, certs, X509_CERTS_MAX, n_certs);
    free(buf);
    if (ret == RCP_ERR_LIMIT)
        return fail(L, s, sec, key, i, "%s holds more than %d certificates", path, X509_CERTS_MAX);
    if (ret)
        return fail(L, s, sec, key, i, "%s holds no valid X.509 certificate (PEM or DER)", path);
    if (pem == NULL)
        return 0;
    size_t cap = *n_certs * RCP_X509_PEM_MAX, off = 0;
    *pem = malloc(cap);
    if (*pem == NULL)
        return fail(L, s, sec, key, i, "out of memory");
    for (size_t k = 0; k < *n_certs; k++) {
        size_t w = 0;
        ret = rcp_x509_to_pem(certs[k], *pem + off, cap - off, &w);
        if (ret)
            return fail(L, s, sec, key, i, "%s: certificate %zu does not fit PEM (%s)", path, k + 1,
                        rcp_strerror(ret));
        off += w;
    }
    *pem_len = off;
    return 0;
}

static void free_x509s(rcp_x509 **certs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rcp_x509_free(certs[i]);
}

/* ----------------------------------------------------------------- keys */

/* 1 if the compact certificate c holds key's public key. */
static int ccert_holds(const rcp_ccert *c, const rcp_ec_key *key)
{
    uint8_t p[RCP_EC_MAX_POINT];
    size_t len = 0;
    if (c->curve != rcp_ec_key_curve(key) || rcp_ec_key_public(key, 1, p, sizeof p, &len))
        return 0;
    return len == sizeof c->pk && memcmp(p, c->pk, len) == 0;
}

/* ------------------------------------------------------------ X.509 trust */

/* A store with the CA certificates of tls_ca: self-signed ones as anchors,
 * the others for path building. */
static int tls_trust(const loader *L, const conf_section *s, rcp_x509 **ca, size_t n_ca,
                     const char *ca_path, rcp_x509_store **out)
{
    const char *sec = conf_section_name(s);
    rcp_x509_why why;
    size_t anchors = 0;
    if (rcp_x509_store_new(out))
        return fail(L, s, sec, "tls_ca", 0, "out of memory");
    for (size_t i = 0; i < n_ca; i++) {
        if (rcp_x509_store_add_anchor(*out, ca[i], &why) == 0)
            anchors++;
        else if (rcp_x509_store_add_untrusted(*out, ca[i]))
            return fail(L, s, sec, "tls_ca", 0, "out of memory");
    }
    if (anchors == 0)
        return fail(L, s, sec, "tls_ca", 0, "%s holds no self-signed CA certificate", ca_path);
    return 0;
}

/* certs[0] (followed by its chain) must verify under the store now, be a
 * leaf that may sign (DTLS with ECDSA), and hold key when key != NULL.
 * *pub (may be NULL) receives its public key. */
static int check_tls_cert(const loader *L, const conf_section *s, const char *key, size_t i,
                          const char *path, const rcp_x509_store *st, rcp_x509 **certs, size_t n,
                          const rcp_ec_key *want, const char *want_name, rcp_ec_key **pub)
{
    const char *sec = conf_section_name(s);
    rcp_x509_why why;
    rcp_ec_key *k = NULL;
    int ret = rcp_x509_store_verify(st, certs[0], (const rcp_x509 *const *)certs + 1, n - 1,
                                    (int64_t)L->now, RCP_X509_USAGE_ANY, NULL, &why);
    if (ret)
        return fail(L, s, sec, key, i, "%s does not verify under tls_ca: %s", path, why.text);
    rcp_x509_usage u = rcp_x509_usage_of(certs[0]);
    if (u == RCP_X509_USAGE_CA || u == RCP_X509_USAGE_AGREE)
        return fail(L, s, sec, key, i, "%s is %s certificate, not a DTLS (signing) certificate",
                    path, u == RCP_X509_USAGE_CA ? "a CA" : "a key-agreement");
    ret = rcp_x509_public_key(certs[0], &k);
    if (ret)
        return fail(L, s, sec, key, i, "%s: unusable public key (%s)", path, rcp_strerror(ret));
    rcp_curve cv = rcp_ec_key_curve(k);
    if (cv != RCP_CURVE_P256 && cv != RCP_CURVE_BP256R1) {
        rcp_ec_key_free(k);
        return fail(L, s, sec, key, i, "%s: a key on %s; rcprov uses p256 or brainpoolp256r1", path,
                    rcp_curve_name(cv) ? rcp_curve_name(cv) : "an unknown curve");
    }
    if (want && !rcp_ec_key_equal(k, want)) {
        rcp_ec_key_free(k);
        return fail(L, s, sec, key, i, "%s does not hold the public key of %s", path, want_name);
    }
    if (pub)
        *pub = k;
    else
        rcp_ec_key_free(k);
    return 0;
}

/* tls_ca and tls_cert of a role section: the identity for the transport
 * (cert and CA PEM; the key PEM is set by the caller) and the trust store
 * that checks peers' certificates. */
static int load_tls(const loader *L, const conf_section *s, const rcp_ec_key *key,
                    const char *key_name, rcp_net_identity *id, rcp_x509_store **trust)
{
    char ca_path[NODE_PATH_MAX], cert_path[NODE_PATH_MAX];
    rcp_x509 *ca[X509_CERTS_MAX], *certs[X509_CERTS_MAX];
    size_t n_ca = 0, n_certs = 0, len = 0;
    char *pem = NULL;
    int ret = -1;
    if (conf_path(L->c, s, "tls_ca", 1, ca_path, sizeof ca_path, L->err, L->cap) ||
        conf_path(L->c, s, "tls_cert", 1, cert_path, sizeof cert_path, L->err, L->cap))
        return -1;
    if (load_x509(L, s, "tls_ca", 0, ca_path, ca, &n_ca, &pem, &len))
        goto done;
    id->ca_pem = pem;
    id->ca_pem_len = len;
    pem = NULL;
    if (tls_trust(L, s, ca, n_ca, ca_path, trust))
        goto done;
    if (load_x509(L, s, "tls_cert", 0, cert_path, certs, &n_certs, &pem, &len))
        goto done;
    id->cert_pem = pem;
    id->cert_pem_len = len;
    pem = NULL;
    ret =
        check_tls_cert(L, s, "tls_cert", 0, cert_path, *trust, certs, n_certs, key, key_name, NULL);
done:
    free(pem);
    free_x509s(ca, n_ca);
    free_x509s(certs, n_certs);
    return ret;
}

/* --------------------------------------------------------------- values */

/* RFC 1035 host name syntax, letters of either case: 1..253 characters,
 * labels of 1..63 letters, digits and '-'. */
static int is_fqdn(const char *v)
{
    size_t len = strlen(v), label = 0;
    if (len == 0 || len > RCP_UA_FQDN_MAX)
        return 0;
    for (const char *p = v; *p; p++) {
        if (*p == '.') {
            if (label == 0)
                return 0;
            label = 0;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= '0' && *p <= '9') || *p == '-') {
            if (++label > 63)
                return 0;
        } else {
            return 0;
        }
    }
    return label > 0;
}

static int get_fqdn(const loader *L, const conf_section *s, const char *key, char *out, size_t cap)
{
    const char *v = NULL;
    if (conf_str(L->c, s, key, 1, &v, L->err, L->cap))
        return -1;
    if (!is_fqdn(v) || strlen(v) >= cap)
        return fail(L, s, conf_section_name(s), key, 0,
                    "'%.64s' is not a domain name (letters, digits, '-', dots; up to 253)", v);
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

/* 1..AGREEMENT_NAME_MAX printable ASCII characters (the store's SP name). */
static int get_agreement_name(const loader *L, const conf_section *s, char *out)
{
    const char *v = NULL;
    if (conf_str(L->c, s, "name", 1, &v, L->err, L->cap))
        return -1;
    size_t len = strlen(v);
    int ok = len <= AGREEMENT_NAME_MAX;
    for (size_t i = 0; ok && i < len; i++)
        ok = v[i] >= 0x21 && v[i] <= 0x7e;
    if (!ok)
        return fail(L, s, conf_section_name(s), "name", 0,
                    "'%.64s' is not 1..%d printable ASCII characters without blanks", v,
                    AGREEMENT_NAME_MAX);
    memcpy(out, v, len + 1);
    return 0;
}

static int get_listen(const loader *L, const conf_section *s, char *host, uint16_t *port)
{
    if (conf_endpoint(L->c, s, "listen", 1, host, NODE_HOST_MAX, port, L->err, L->cap))
        return -1;
    if (strcmp(host, "localhost") == 0) /* the transport takes IP literals */
        snprintf(host, NODE_HOST_MAX, "127.0.0.1");
    return 0;
}

/* The store URL of a role: default sqlite:<data_dir>/<file>; a relative
 * sqlite path is relative to data_dir. */
static int open_store(const loader *L, const conf_section *s, const node *nd, const char *file,
                      char *url, rcp_store **out)
{
    const char *v = NULL;
    char msg[RCP_STORE_ERRMSG_MAX];
    int w;
    if (conf_str(L->c, s, "store", 0, &v, L->err, L->cap))
        return -1;
    if (v == NULL)
        w = snprintf(url, NODE_URL_MAX, "sqlite:%s/%s", nd->data_dir, file);
    else if (strncmp(v, "sqlite:", 7) == 0 && v[7] != '/' && strcmp(v + 7, ":memory:") != 0)
        w = snprintf(url, NODE_URL_MAX, "sqlite:%s/%s", nd->data_dir, v + 7);
    else
        w = snprintf(url, NODE_URL_MAX, "%s", v);
    if (w < 0 || w >= NODE_URL_MAX)
        return fail(L, s, conf_section_name(s), "store", 0, "URL too long");
    msg[0] = '\0';
    int ret = rcp_store_open_ex(url, out, msg, sizeof msg);
    if (ret) {
        char shown[NODE_URL_MAX];
        rcp_store_url_redact(url, shown, sizeof shown);
        return fail(L, s, conf_section_name(s), "store", 0, "cannot open %s: %s", shown,
                    msg[0] ? msg : rcp_strerror(ret));
    }
    return 0;
}

/* ------------------------------------------------------------- [daemon] */

static int load_daemon(const loader *L, node *nd)
{
    const conf_section *s = conf_find(L->c, "daemon", 0);
    int level = RCP_LOG_INFO;
    uint64_t drain = 10, block = 1024;
    struct stat st;
    if (s && conf_check_keys(L->c, s, k_daemon_keys, N_OF(k_daemon_keys), NULL, 0, L->err, L->cap))
        return -1;
    if (s && (conf_enum(L->c, s, "log_level", 0, k_log_levels, N_OF(k_log_levels), &level, L->err,
                        L->cap) ||
              conf_uint(L->c, s, "drain_seconds", 0, 0, 600, &drain, L->err, L->cap) ||
              conf_uint(L->c, s, "block_size", 0, 16, 1024, &block, L->err, L->cap)))
        return -1;
    if (block & (block - 1))
        return fail(L, s, "daemon", "block_size", 0, "%llu is not a power of two (16..1024)",
                    (unsigned long long)block);
    /* rcp_net_opts_default() leaves every field 0 (the transport's
     * documented defaults) but the two set here. */
    memset(&nd->net, 0, sizeof nd->net);
    nd->net.log_level = (rcp_log_level)level;
    nd->net.block_size = (unsigned)block;
    nd->drain_seconds = (unsigned)drain;

    if (conf_resolve(L->c, "data", nd->data_dir, sizeof nd->data_dir))
        return fail(L, s, "daemon", "data_dir", 0, "path too long");
    if (s && conf_path(L->c, s, "data_dir", 0, nd->data_dir, sizeof nd->data_dir, L->err, L->cap))
        return -1;
    if (stat(nd->data_dir, &st) != 0) {
        if (errno != ENOENT)
            return fail(L, s, "daemon", "data_dir", 0, "cannot stat %s: %s", nd->data_dir,
                        strerror(errno));
        if (mkdir(nd->data_dir, 0700) != 0)
            return fail(L, s, "daemon", "data_dir", 0, "cannot create %s: %s", nd->data_dir,
                        strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return fail(L, s, "daemon", "data_dir", 0, "%s is not a directory", nd->data_dir);
    }
    return 0;
}

/* ----------------------------------------------------------------- [sn] */

/* One SN credential (ECKA or ECDSA): key, certificate verified under the CI
 * anchors for its usage, on curve, holding the key. */
static int load_sn_cred(const loader *L, const conf_section *s, const char *key_key,
                        const char *cert_key, rcp_key_usage usage, rcp_curve curve,
                        rcp_ccert_store *trust, rcp_ec_key **key, char **pem, size_t *pem_len,
                        uint8_t *cert, size_t *cert_len)
{
    char path[NODE_PATH_MAX];
    rcp_ccert c;
    rcp_cert_why why;
    if (load_key(L, s, key_key, key, pem, pem_len))
        return -1;
    if (rcp_ec_key_curve(*key) != curve)
        return fail(L, s, "sn", key_key, 0, "the key is on %s, but curve = %s",
                    rcp_curve_name(rcp_ec_key_curve(*key)), rcp_curve_name(curve));
    if (conf_path(L->c, s, cert_key, 1, path, sizeof path, L->err, L->cap) ||
        load_ccert(L, s, cert_key, 0, path, cert, cert_len, &c))
        return -1;
    if (c.curve != curve)
        return fail(L, s, "sn", cert_key, 0, "%s is on %s, but curve = %s", path,
                    rcp_curve_name(c.curve) ? rcp_curve_name(c.curve) : "an unknown curve",
                    rcp_curve_name(curve));
    why.text[0] = '\0';
    int ret = rcp_ccert_verify(trust, cert, *cert_len, L->now, usage, &c, &why);
    if (ret)
        return fail(L, s, "sn", cert_key, 0,
                    "%s does not verify under the ci anchors for usage %s: %s", path,
                    rcp_key_usage_name(usage), why.text[0] ? why.text : rcp_strerror(ret));
    if (!ccert_holds(&c, *key))
        return fail(L, s, "sn", cert_key, 0, "%s does not hold the public key of %s", path,
                    key_key);
    return 0;
}

static int load_suites(const loader *L, const conf_section *s, rcp_ua_sn *sn)
{
    const char *v = "gcm cbc-hmac";
    char buf[128];
    if (conf_str(L->c, s, "suites", 0, &v, L->err, L->cap))
        return -1;
    if (strlen(v) >= sizeof buf)
        return fail(L, s, "sn", "suites", 0, "too long: one or two of gcm, cbc-hmac");
    memcpy(buf, v, strlen(v) + 1);
    sn->n_suites = 0;
    for (char *save = NULL, *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
        rcp_seal_suite su = rcp_seal_suite_from_name(t);
        if (su == RCP_SUITE_NONE)
            return fail(L, s, "sn", "suites", 0, "unknown suite '%.32s' (gcm, cbc-hmac)", t);
        if (sn->n_suites == 2 || (sn->n_suites == 1 && sn->suites[0] == su))
            return fail(L, s, "sn", "suites", 0, "one or two different suites of gcm, cbc-hmac");
        sn->suites[sn->n_suites++] = su;
    }
    if (sn->n_suites == 0)
        return fail(L, s, "sn", "suites", 0, "one or two of gcm, cbc-hmac");
    return 0;
}

/* PLMN and IMSI range: MSIN = 15 - len(MCC) - len(MNC) digits (TS 23.003 2.2). */
static int load_plmn(const loader *L, const conf_section *s, node *nd)
{
    const char *mcc = NULL, *mnc = NULL;
    uint64_t first = 0, last = 0, max = 1;
    if (conf_str(L->c, s, "mcc", 1, &mcc, L->err, L->cap))
        return -1;
    if (!rcp_digits(mcc, strlen(mcc), 3, 3))
        return fail(L, s, "sn", "mcc", 0, "'%.16s' is not 3 digits", mcc);
    if (conf_str(L->c, s, "mnc", 1, &mnc, L->err, L->cap))
        return -1;
    if (!rcp_digits(mnc, strlen(mnc), 2, 3))
        return fail(L, s, "sn", "mnc", 0, "'%.16s' is not 2 or 3 digits", mnc);
    memcpy(nd->sn_mcc, mcc, 4);
    memcpy(nd->sn_mnc, mnc, strlen(mnc) + 1);
    size_t digits = RCP_IMSI_MAX - 3 - strlen(mnc);
    for (size_t i = 0; i < digits; i++)
        max *= 10;
    max -= 1;
    if (conf_uint(L->c, s, "msin_first", 1, 0, max, &first, L->err, L->cap) ||
        conf_uint(L->c, s, "msin_last", 1, 0, max, &last, L->err, L->cap))
        return -1;
    if (last < first)
        return fail(L, s, "sn", "msin_last", 0, "%llu is below msin_first %llu",
                    (unsigned long long)last, (unsigned long long)first);
    nd->sn.msin_first = first;
    nd->sn.msin_last = last;
    return 0;
}

static int load_milenage(const loader *L, const conf_section *s, node *nd)
{
    char key[16];
    uint8_t amf[2] = {0x80, 0x00};
    if (conf_hex(L->c, s, "amf", 0, amf, 2, L->err, L->cap))
        return -1;
    /* TS 33.401 6.1.1: E-UTRAN accepts only vectors with the AMF separation bit set. */
    if (!(amf[0] & 0x80))
        return fail(L, s, "sn", "amf", 0,
                    "the separation bit (0x8000) must be set (TS 33.401 6.1.1)");
    memcpy(nd->sn.amf, amf, 2);
    rcp_milenage_consts_default(&nd->sn_consts);
    for (int i = 0; i < 5; i++) {
        uint64_t r = nd->sn_consts.r[i];
        snprintf(key, sizeof key, "milenage_c%d", i + 1);
        if (conf_hex(L->c, s, key, 0, nd->sn_consts.c[i], 16, L->err, L->cap))
            return -1;
        snprintf(key, sizeof key, "milenage_r%d", i + 1);
        if (conf_uint(L->c, s, key, 0, 0, RCP_MIL_ROT_MAX, &r, L->err, L->cap))
            return -1;
        nd->sn_consts.r[i] = (uint8_t)r;
    }
    nd->sn.consts = &nd->sn_consts;
    return 0;
}

/* [auths-peer] sections: the Authorization Servers this SN may ask. */
static int load_peers(const loader *L, node *nd, const rcp_x509_store *trust)
{
    size_t n = conf_count(L->c, "auths-peer");
    if (n == 0)
        return fail(L, conf_find(L->c, "sn", 0), "sn", NULL, 0,
                    "needs at least one [auths-peer] section: an Authorization Server it has an "
                    "agreement with");
    nd->peers = calloc(n, sizeof *nd->peers);
    nd->sn_agreements = calloc(n, sizeof *nd->sn_agreements);
    if (nd->peers == NULL || nd->sn_agreements == NULL)
        return fail(L, NULL, "auths-peer", NULL, 0, "out of memory");
    nd->n_peers = n; /* node_free frees what is set of both arrays */
    for (size_t i = 0; i < n; i++) {
        const conf_section *s = conf_find(L->c, "auths-peer", i);
        node_peer *p = &nd->peers[i];
        rcp_ua_auths_agreement *ag = &nd->sn_agreements[i];
        char path[NODE_PATH_MAX];
        rcp_x509 *certs[X509_CERTS_MAX];
        size_t n_certs = 0;
        if (conf_check_keys(L->c, s, k_peer_keys, N_OF(k_peer_keys), NULL, 0, L->err, L->cap) ||
            get_fqdn(L, s, "fqdn", p->name, sizeof p->name))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(nd->peers[j].name, p->name) == 0)
                return fail(L, s, "auths-peer", "fqdn", 0,
                            "%s is already named by an earlier [auths-peer]", p->name);
        if (conf_endpoint(L->c, s, "endpoint", 1, p->host, sizeof p->host, &p->port, L->err,
                          L->cap))
            return -1;
        if (strcmp(p->host, "localhost") == 0)
            snprintf(p->host, sizeof p->host, "127.0.0.1");
        if (conf_path(L->c, s, "cert", 1, path, sizeof path, L->err, L->cap) ||
            load_x509(L, s, "cert", 0, path, certs, &n_certs, NULL, NULL))
            return -1;
        int ret = check_tls_cert(L, s, "cert", 0, path, trust, certs, n_certs, NULL, NULL, &p->key);
        free_x509s(certs, n_certs);
        if (ret)
            return -1;
        memcpy(ag->fqdn, p->name, sizeof ag->fqdn);
        if (rcp_ec_key_ref(p->key, &ag->key))
            return fail(L, s, "auths-peer", "cert", 0, "out of memory");
    }
    return 0;
}

static int load_sn(const loader *L, node *nd)
{
    const conf_section *s = conf_find(L->c, "sn", 0);
    const char *vals[CI_MAX + 1];
    rcp_x509_store *tls = NULL;
    rcp_cert_why why;
    char path[NODE_PATH_MAX];
    char *key_pem = NULL;
    size_t key_pem_len = 0;
    int curve_i = 0, ret = -1;
    rcp_ua_sn *sn = &nd->sn;

    if (conf_check_keys(L->c, s, k_sn_keys, N_OF(k_sn_keys), k_sn_repeatable, N_OF(k_sn_repeatable),
                        L->err, L->cap) ||
        get_listen(L, s, nd->sn_host, &nd->sn_port) ||
        conf_enum(L->c, s, "curve", 1, k_curves, N_OF(k_curves), &curve_i, L->err, L->cap))
        return -1;
    rcp_curve curve = k_curve_ids[curve_i];

    /* CI anchors: the SN's own certificates and every PN/TRE chain verify
     * under them. */
    size_t n_ci = conf_all(s, "ci", vals, CI_MAX + 1);
    if (n_ci == 0)
        return fail(L, s, "sn", "ci", 0, "missing (required in [sn]; repeat it for several CIs)");
    if (n_ci > CI_MAX)
        return fail(L, s, "sn", "ci", CI_MAX, "more than %d CI anchors", CI_MAX);
    if (rcp_ccert_store_new(&nd->sn_trust))
        return fail(L, s, "sn", "ci", 0, "out of memory");
    for (size_t i = 0; i < n_ci; i++) {
        uint8_t cert[RCP_CCERT_MAX_LEN];
        size_t len = 0;
        rcp_ccert c;
        if (conf_resolve(L->c, vals[i], path, sizeof path))
            return fail(L, s, "sn", "ci", i, "path too long");
        if (load_ccert(L, s, "ci", i, path, cert, &len, &c))
            return -1;
        why.text[0] = '\0';
        int r = rcp_ccert_store_add_anchor(nd->sn_trust, cert, len, &why);
        if (r)
            return fail(L, s, "sn", "ci", i, "%s cannot be a CI anchor: %s", path,
                        why.text[0] ? why.text : rcp_strerror(r));
    }

    if (load_sn_cred(L, s, "ecka_key", "ecka_cert", RCP_USAGE_AGREE, curve, nd->sn_trust,
                     &nd->sn_ecka_key, NULL, NULL, nd->sn_cert_ecka, &nd->sn_creds.cert_ecka_len))
        return -1;
    /* The DTLS key: tls_key, or the ECDSA key without one.  A separate key
     * lets the DTLS link stay on P-256 (which every DTLS stack offers) while
     * the flow's signatures use the SN's curve (brainpool groups are rarely
     * in a DTLS stack's supported groups). */
    const char *tls_key_v[1];
    int own_tls_key = conf_all(s, "tls_key", tls_key_v, 1) > 0;
    if (load_sn_cred(L, s, "ecdsa_key", "ecdsa_cert", RCP_USAGE_SIGN, curve, nd->sn_trust,
                     &nd->sn_ecdsa_key, own_tls_key ? NULL : &key_pem,
                     own_tls_key ? NULL : &key_pem_len, nd->sn_cert_ecdsa,
                     &nd->sn_creds.cert_ecdsa_len))
        goto done;
    if (own_tls_key && load_key(L, s, "tls_key", &nd->sn_tls_key, &key_pem, &key_pem_len))
        goto done;
    nd->sn_id.key_pem = key_pem;
    nd->sn_id.key_pem_len = key_pem_len;
    key_pem = NULL;
    nd->sn_creds.curve = curve;
    nd->sn_creds.ecka_key = nd->sn_ecka_key;
    nd->sn_creds.cert_ecka = nd->sn_cert_ecka;
    nd->sn_creds.ecdsa_key = nd->sn_ecdsa_key;
    nd->sn_creds.cert_ecdsa = nd->sn_cert_ecdsa;
    if (rcp_ua_sn_creds_init(&nd->sn_creds)) {
        fail(L, s, "sn", "ecdsa_key", 0, "the credential set is unusable");
        goto done;
    }

    /* DTLS towards Authorization Servers. */
    if (load_tls(L, s, own_tls_key ? nd->sn_tls_key : nd->sn_ecdsa_key,
                 own_tls_key ? "tls_key" : "ecdsa_key", &nd->sn_id, &tls))
        goto done;

    if (load_suites(L, s, sn) || load_plmn(L, s, nd) || load_milenage(L, s, nd))
        goto done;
    if (read_secret_hex(L, s, "op_file", nd->sn_op, sizeof nd->sn_op) ||
        read_secret_hex(L, s, "cookie_key_file", sn->cookie_key, sizeof sn->cookie_key))
        goto done;
    /* A key rotation: cookies sealed under this second key still open. */
    const char *accept = NULL;
    if (conf_str(L->c, s, "cookie_key_accept_file", 0, &accept, L->err, L->cap))
        goto done;
    if (accept) {
        if (read_secret_hex(L, s, "cookie_key_accept_file", nd->sn_cookie_key_accept,
                            sizeof nd->sn_cookie_key_accept))
            goto done;
        sn->cookie_key_accept = nd->sn_cookie_key_accept;
    }
    sn->cookie_lifetime = 120;
    if (conf_uint(L->c, s, "cookie_lifetime", 0, 10, 3600, &sn->cookie_lifetime, L->err, L->cap))
        goto done;

    /* name: for logs; default the subject of CERT.SN.ECDSA. */
    const char *name = NULL;
    if (conf_str(L->c, s, "name", 0, &name, L->err, L->cap))
        goto done;
    if (name) {
        if (strlen(name) > RCP_UA_FQDN_MAX) {
            fail(L, s, "sn", "name", 0, "longer than %d characters", RCP_UA_FQDN_MAX);
            goto done;
        }
        memcpy(nd->sn_name, name, strlen(name) + 1);
    } else {
        rcp_ccert c;
        if (rcp_ccert_decode(nd->sn_cert_ecdsa, nd->sn_creds.cert_ecdsa_len, &c) == 0)
            snprintf(nd->sn_name, sizeof nd->sn_name, "%.*s", (int)c.subject_len, c.subject);
    }

    if (load_peers(L, nd, tls))
        goto done;
    if (open_store(L, s, nd, "sn.db", nd->sn_store_url, &sn->store))
        goto done;

    sn->creds = &nd->sn_creds;
    sn->n_creds = 1;
    sn->trust = nd->sn_trust;
    sn->auths = nd->sn_agreements;
    sn->n_auths = nd->n_peers;
    sn->mcc = nd->sn_mcc;
    sn->mnc = nd->sn_mnc;
    sn->op = nd->sn_op;
    rcp_sqn_scheme_default(&sn->sqn);
    sn->rng = rcp_rng_system();
    sn->clock = rcp_clock_system();
    sn->trace = NULL;
    nd->has_sn = 1;
    ret = 0;
done:
    free_secret(key_pem, RCP_PKCS8_PEM_MAX); /* as load_key allocates it */
    rcp_x509_store_free(tls);
    return ret;
}

/* -------------------------------------------------------------- [auths] */

static int load_sn_agreements(const loader *L, node *nd, const rcp_x509_store *trust)
{
    size_t n = conf_count(L->c, "sn-agreement");
    if (n == 0)
        return fail(L, conf_find(L->c, "auths", 0), "auths", NULL, 0,
                    "needs at least one [sn-agreement] section: a Serving Network it authorizes");
    nd->auths_sns = calloc(n, sizeof *nd->auths_sns);
    nd->auths_sn_tls = calloc(n, sizeof *nd->auths_sn_tls);
    if (nd->auths_sns == NULL || nd->auths_sn_tls == NULL)
        return fail(L, NULL, "sn-agreement", NULL, 0, "out of memory");
    nd->auths.n_sns = n; /* node_free frees the keys that are set */
    for (size_t i = 0; i < n; i++) {
        const conf_section *s = conf_find(L->c, "sn-agreement", i);
        rcp_ua_sn_agreement *ag = &nd->auths_sns[i];
        const char *vals[RCP_UA_MAX_CURVES + 1];
        char path[NODE_PATH_MAX];
        uint8_t cert[RCP_CCERT_MAX_LEN];
        size_t len = 0;
        rcp_ccert c;
        if (conf_check_keys(L->c, s, k_sn_ag_keys, N_OF(k_sn_ag_keys), k_sn_ag_repeatable,
                            N_OF(k_sn_ag_repeatable), L->err, L->cap) ||
            get_agreement_name(L, s, ag->name) ||
            conf_path(L->c, s, "ecdsa_cert", 1, path, sizeof path, L->err, L->cap) ||
            load_ccert(L, s, "ecdsa_cert", 0, path, cert, &len, &c))
            return -1;
        if (c.usage != RCP_USAGE_SIGN)
            return fail(L, s, "sn-agreement", "ecdsa_cert", 0,
                        "%s is a certificate for usage %s, not sign (CERT.SN.ECDSA)", path,
                        rcp_key_usage_name(c.usage) ? rcp_key_usage_name(c.usage) : "?");
        int ret = rcp_ccert_key(&c, &ag->ecdsa_key);
        if (ret)
            return fail(L, s, "sn-agreement", "ecdsa_cert", 0, "%s: unusable public key (%s)", path,
                        rcp_strerror(ret));
        memcpy(ag->ecdsa_kid, c.subject_kid, RCP_KID_LEN);
        for (size_t j = 0; j < i; j++)
            if (memcmp(nd->auths_sns[j].ecdsa_kid, ag->ecdsa_kid, RCP_KID_LEN) == 0)
                return fail(L, s, "sn-agreement", "ecdsa_cert", 0,
                            "%s is already the key of [sn-agreement] %s", path,
                            nd->auths_sns[j].name);
        size_t n_ecka = conf_all(s, "ecka_cert", vals, RCP_UA_MAX_CURVES + 1);
        if (n_ecka == 0)
            return fail(L, s, "sn-agreement", "ecka_cert", 0,
                        "missing (required in [sn-agreement]; one per curve the SN serves)");
        if (n_ecka > RCP_UA_MAX_CURVES)
            return fail(L, s, "sn-agreement", "ecka_cert", RCP_UA_MAX_CURVES,
                        "more than %d (one per curve)", RCP_UA_MAX_CURVES);
        for (size_t k = 0; k < n_ecka; k++) {
            if (conf_resolve(L->c, vals[k], path, sizeof path))
                return fail(L, s, "sn-agreement", "ecka_cert", k, "path too long");
            if (load_ccert(L, s, "ecka_cert", k, path, cert, &len, &c))
                return -1;
            if (c.usage != RCP_USAGE_AGREE)
                return fail(L, s, "sn-agreement", "ecka_cert", k,
                            "%s is a certificate for usage %s, not agree (CERT.SN.ECKA)", path,
                            rcp_key_usage_name(c.usage) ? rcp_key_usage_name(c.usage) : "?");
            memcpy(ag->ecka_kids[k], c.subject_kid, RCP_KID_LEN);
        }
        ag->n_ecka = n_ecka;

        /* tls_cert: the SN's DTLS certificate when its DTLS key is not its
         * ECDSA key ([sn] tls_key). */
        path[0] = '\0';
        if (conf_path(L->c, s, "tls_cert", 0, path, sizeof path, L->err, L->cap))
            return -1;
        if (path[0]) {
            rcp_x509 *certs[X509_CERTS_MAX];
            size_t n_certs = 0;
            if (load_x509(L, s, "tls_cert", 0, path, certs, &n_certs, NULL, NULL))
                return -1;
            ret = check_tls_cert(L, s, "tls_cert", 0, path, trust, certs, n_certs, NULL, NULL,
                                 &nd->auths_sn_tls[i]);
            free_x509s(certs, n_certs);
            if (ret)
                return -1;
        }
    }
    return 0;
}

static int load_sp_agreements(const loader *L, node *nd, const rcp_x509_store *trust)
{
    size_t n = conf_count(L->c, "sp-agreement");
    if (n == 0)
        return 0;
    nd->auths_sps = calloc(n, sizeof *nd->auths_sps);
    if (nd->auths_sps == NULL)
        return fail(L, NULL, "sp-agreement", NULL, 0, "out of memory");
    nd->auths.n_sps = n; /* node_free frees the keys that are set */
    for (size_t i = 0; i < n; i++) {
        const conf_section *s = conf_find(L->c, "sp-agreement", i);
        rcp_ua_sp_agreement *ag = &nd->auths_sps[i];
        char path[NODE_PATH_MAX];
        rcp_x509 *certs[X509_CERTS_MAX];
        size_t n_certs = 0;
        if (conf_check_keys(L->c, s, k_sp_ag_keys, N_OF(k_sp_ag_keys), NULL, 0, L->err, L->cap) ||
            get_agreement_name(L, s, ag->name))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(nd->auths_sps[j].name, ag->name) == 0)
                return fail(L, s, "sp-agreement", "name", 0,
                            "%s is already named by an earlier [sp-agreement]", ag->name);
        if (conf_path(L->c, s, "cert", 1, path, sizeof path, L->err, L->cap) ||
            load_x509(L, s, "cert", 0, path, certs, &n_certs, NULL, NULL))
            return -1;
        int ret =
            check_tls_cert(L, s, "cert", 0, path, trust, certs, n_certs, NULL, NULL, &ag->key);
        free_x509s(certs, n_certs);
        if (ret)
            return -1;
        if (rcp_key_id(ag->key, ag->kid))
            return fail(L, s, "sp-agreement", "cert", 0, "%s: cannot compute the key id", path);
    }
    return 0;
}

static int load_auths(const loader *L, node *nd)
{
    const conf_section *s = conf_find(L->c, "auths", 0);
    rcp_x509_store *tls = NULL;
    char *key_pem = NULL;
    size_t key_pem_len = 0;
    int ret = -1;
    rcp_ua_auths *a = &nd->auths;

    if (conf_check_keys(L->c, s, k_auths_keys, N_OF(k_auths_keys), NULL, 0, L->err, L->cap) ||
        get_listen(L, s, nd->auths_host, &nd->auths_port) ||
        get_fqdn(L, s, "fqdn", nd->auths_fqdn, sizeof nd->auths_fqdn) ||
        load_key(L, s, "key", &nd->auths_key, &key_pem, &key_pem_len))
        goto done;
    nd->auths_id.key_pem = key_pem;
    nd->auths_id.key_pem_len = key_pem_len;
    key_pem = NULL;
    if (load_tls(L, s, nd->auths_key, "key", &nd->auths_id, &tls))
        goto done;
    a->authz_lifetime = 3600;
    a->data_limit = 10u << 20;
    a->max_skew = 300;
    if (conf_uint(L->c, s, "authz_lifetime", 0, 60, 2592000, &a->authz_lifetime, L->err, L->cap) ||
        conf_uint(L->c, s, "data_limit", 0, 0, UINT64_C(1) << 40, &a->data_limit, L->err, L->cap) ||
        get_fqdn(L, s, "destination", nd->auths_destination, sizeof nd->auths_destination) ||
        conf_uint(L->c, s, "max_skew", 0, 0, 3600, &a->max_skew, L->err, L->cap))
        goto done;

    if (load_sn_agreements(L, nd, tls) || load_sp_agreements(L, nd, tls))
        goto done;
    size_t n_sns = a->n_sns, n_sps = a->n_sps;

    /* DTLS clients: the SNs (the keys of their tls_cert, else their ECDSA
     * keys) and the SPs. */
    nd->accept = calloc(n_sns + n_sps, sizeof *nd->accept);
    if (nd->accept == NULL) {
        fail(L, s, "auths", NULL, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_sns; i++)
        nd->accept[nd->n_accept++] =
            nd->auths_sn_tls[i] ? nd->auths_sn_tls[i] : nd->auths_sns[i].ecdsa_key;
    for (size_t i = 0; i < n_sps; i++)
        nd->accept[nd->n_accept++] = nd->auths_sps[i].key;

    if (open_store(L, s, nd, "auths.db", nd->auths_store_url, &a->store))
        goto done;
    a->fqdn = nd->auths_fqdn;
    a->key = nd->auths_key;
    a->sns = nd->auths_sns;
    a->sps = nd->auths_sps;
    a->destination = nd->auths_destination;
    a->rng = rcp_rng_system();
    a->clock = rcp_clock_system();
    nd->has_auths = 1;
    ret = 0;
done:
    free_secret(key_pem, RCP_PKCS8_PEM_MAX);
    rcp_x509_store_free(tls);
    return ret;
}

/* ------------------------------------------------------------------ node */

/* Sections that may appear once, and sections that need a role. */
static int check_layout(const loader *L)
{
    static const char *const once[] = {"daemon", "sn", "auths"};
    static const struct {
        const char *section, *needs;
    } needs[] = {{"auths-peer", "sn"}, {"sn-agreement", "auths"}, {"sp-agreement", "auths"}};
    char where[CONF_ERR_MAX];
    if (conf_check_sections(L->c, k_sections, N_OF(k_sections), L->err, L->cap))
        return -1;
    for (size_t i = 0; i < N_OF(once); i++) {
        if (conf_count(L->c, once[i]) > 1) {
            conf_where(L->c, conf_find(L->c, once[i], 0), NULL, where, sizeof where);
            return fail(L, conf_find(L->c, once[i], 1), once[i], NULL, 0,
                        "given twice (first at %s): a configuration hosts one of each role", where);
        }
    }
    if (conf_count(L->c, "sn") == 0 && conf_count(L->c, "auths") == 0) {
        conf_where(L->c, NULL, NULL, where, sizeof where);
        char *colon = strrchr(where, ':');
        if (colon)
            *colon = '\0'; /* the file alone */
        if (L->err && L->cap)
            snprintf(L->err, L->cap, "%s: no [sn] or [auths] section: nothing to run", where);
        return -1;
    }
    for (size_t i = 0; i < N_OF(needs); i++)
        if (conf_count(L->c, needs[i].section) > 0 && conf_count(L->c, needs[i].needs) == 0)
            return fail(L, conf_find(L->c, needs[i].section, 0), needs[i].section, NULL, 0,
                        "belongs to a [%s] role, and this configuration has none", needs[i].needs);
    return 0;
}

int node_load(const char *path, node **out, char *err, size_t cap)
{
    conf *c = NULL;
    loader L = {NULL, err, cap, rcp_clock_now(rcp_clock_system())};
    if (err && cap)
        err[0] = '\0';
    if (out == NULL || path == NULL) {
        if (err && cap)
            snprintf(err, cap, "node_load: bad arguments");
        return -1;
    }
    *out = NULL;
    node *nd = calloc(1, sizeof *nd);
    if (nd == NULL) {
        if (err && cap)
            snprintf(err, cap, "%s: out of memory", path);
        return -1;
    }
    if (strlen(path) >= sizeof nd->path) {
        if (err && cap)
            snprintf(err, cap, "%.64s...: path too long", path);
        free(nd);
        return -1;
    }
    memcpy(nd->path, path, strlen(path) + 1);
    if (conf_load(path, &c, err, cap))
        goto fail;
    L.c = c;
    if (check_layout(&L) || load_daemon(&L, nd))
        goto fail;
    if (conf_count(c, "sn") && load_sn(&L, nd))
        goto fail;
    if (conf_count(c, "auths") && load_auths(&L, nd))
        goto fail;
    conf_free(c);
    *out = nd;
    return 0;
fail:
    conf_free(c);
    node_free(nd);
    return -1;
}

static void free_identity(rcp_net_identity *id)
{
    free((void *)id->cert_pem);
    free_secret((void *)id->key_pem, RCP_PKCS8_PEM_MAX); /* load_key size */
    free((void *)id->ca_pem);
    memset(id, 0, sizeof *id);
}

void node_free(node *n)
{
    if (n == NULL)
        return;
    rcp_store_close(n->sn.store);
    rcp_store_close(n->auths.store);
    rcp_ec_key_free(n->sn_ecka_key);
    rcp_ec_key_free(n->sn_ecdsa_key);
    rcp_ec_key_free(n->sn_tls_key);
    rcp_ccert_store_free(n->sn_trust);
    for (size_t i = 0; n->peers && n->sn_agreements && i < n->n_peers; i++) {
        rcp_ec_key_free(n->peers[i].key);
        rcp_ec_key_free(n->sn_agreements[i].key);
    }
    for (size_t i = 0; n->auths_sns && i < n->auths.n_sns; i++)
        rcp_ec_key_free(n->auths_sns[i].ecdsa_key);
    for (size_t i = 0; n->auths_sn_tls && i < n->auths.n_sns; i++)
        rcp_ec_key_free(n->auths_sn_tls[i]);
    for (size_t i = 0; n->auths_sps && i < n->auths.n_sps; i++)
        rcp_ec_key_free(n->auths_sps[i].key);
    free(n->peers);
    free(n->sn_agreements);
    free_identity(&n->sn_id);
    free_identity(&n->auths_id);
    rcp_ec_key_free(n->auths_key);
    free(n->accept);
    free(n->auths_sns);
    free(n->auths_sn_tls);
    free(n->auths_sps);
    rcp_wipe(n, sizeof *n); /* OP, cookie key */
    free(n);
}
