/*
 * rcprov pki — files, values and the CA directory (docs/cli-pki.md).
 *
 * Every file is written whole or not at all (fio_write_atomic, fileio.h): a
 * temporary file beside the target, created with its final mode (O_EXCL; a
 * key is 0600 from its first byte), fsync'ed, then renamed over the target
 * or linked to it.  CA state (serial counter, CRL number, issued and
 * revoked serials) lives in plain files updated that way under an exclusive
 * flock on DIR/lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fileio.h"
#include "pki.h"
#include "rcprov/bytes.h"
#include "rcprov/cbor.h"

#define CONF_X509 "format=x509\n"
#define CONF_COMPACT "format=compact\n"
#define STATE_MAX (4u << 20) /* largest state file read */

const char *pki_format_name(enum pki_format f)
{
    return f == PKI_COMPACT ? "compact" : "x509";
}

const char *pki_kind_name(enum pki_kind k)
{
    switch (k) {
    case PKI_KIND_X509_CERT:
        return "an X.509 certificate";
    case PKI_KIND_X509_CRL:
        return "an X.509 CRL";
    case PKI_KIND_COMPACT_CERT:
        return "a compact certificate";
    case PKI_KIND_COMPACT_CRL:
        return "a compact CRL";
    case PKI_KIND_KEY:
        return "a private key";
    case PKI_KIND_UNKNOWN:
        break;
    }
    return "neither a certificate nor a CRL of either format";
}

/* buf is NUL-terminated by pki_read_file (one byte past len). */
enum pki_kind pki_detect(const uint8_t *buf, size_t len)
{
    if (len == 0)
        return PKI_KIND_UNKNOWN;
    if (buf[0] == 0x30) { /* DER SEQUENCE: X.509 */
        rcp_x509 *c = NULL;
        rcp_x509_crl *crl = NULL;
        if (rcp_x509_from_der(buf, len, &c) == 0) {
            rcp_x509_free(c);
            return PKI_KIND_X509_CERT;
        }
        if (rcp_x509_crl_read(buf, len, &crl) == 0) {
            rcp_x509_crl_free(crl);
            return PKI_KIND_X509_CRL;
        }
        return PKI_KIND_UNKNOWN;
    }
    const char *s = (const char *)buf;
    if (memchr(buf, 0, len) == NULL && strstr(s, "-----BEGIN ") != NULL) {
        const char *c = strstr(s, "-----BEGIN CERTIFICATE-----");
        const char *l = strstr(s, "-----BEGIN X509 CRL-----");
        const char *k = strstr(s, "PRIVATE KEY-----");
        const char *first = NULL;
        enum pki_kind kind = PKI_KIND_UNKNOWN;
        if (c && (!first || c < first)) {
            first = c;
            kind = PKI_KIND_X509_CERT;
        }
        if (l && (!first || l < first)) {
            first = l;
            kind = PKI_KIND_X509_CRL;
        }
        if (k && (!first || k < first))
            kind = PKI_KIND_KEY;
        return kind;
    }
    rcp_ccert cc;
    rcp_ccrl cl;
    if (rcp_ccert_decode(buf, len, &cc) == 0)
        return PKI_KIND_COMPACT_CERT;
    if (rcp_ccrl_decode(buf, len, &cl) == 0)
        return PKI_KIND_COMPACT_CRL;
    return PKI_KIND_UNKNOWN;
}

/* ------------------------------------------------------------- files */

int pki_read_file(const char *cmd, const char *what, const char *path, size_t max, uint8_t **buf,
                  size_t *len)
{
    char err[PATH_MAX + 128];
    if (fio_read(path, max, buf, len, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s %s\n", cmd, what, err);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

int pki_exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

int pki_write_atomic(const char *path, const void *data, size_t len, mode_t mode, int replace)
{
    return -fio_write_atomic(path, data, len, mode, replace);
}

/* ------------------------------------------------------------- values */

void pki_fmt_time(int64_t t, char out[32])
{
    rcp_time_format(t, out); /* rcprov/bytes.h: one formatter for every message */
}

int pki_parse_time(const char *cmd, const char *opt, const char *s, int64_t *out)
{
    struct tm tm, back;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, n = 0;
    size_t len = strlen(s);
    if (len > 0 && strspn(s, "0123456789") == len) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == 0 && *end == '\0' && v <= (unsigned long long)RCP_X509_TIME_MAX) {
            *out = (int64_t)v;
            return 0;
        }
    } else if ((len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) ||
               (len == 20 &&
                sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &se, &n) == 6 &&
                n == 20)) {
        memset(&tm, 0, sizeof tm);
        tm.tm_year = y - 1900;
        tm.tm_mon = mo - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = se;
        time_t t = timegm(&tm);
        /* timegm normalises 2027-02-30 to March: refuse what changed. */
        if (y >= 1970 && gmtime_r(&t, &back) != NULL && back.tm_year == y - 1900 &&
            back.tm_mon == mo - 1 && back.tm_mday == d && back.tm_hour == h && back.tm_min == mi &&
            back.tm_sec == se && (int64_t)t <= RCP_X509_TIME_MAX) {
            *out = (int64_t)t;
            return 0;
        }
    }
    fprintf(stderr,
            "%s: --%s must be Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC, 1970..9999), "
            "got '%s'\n",
            cmd, opt, s);
    return CLI_EXIT_USAGE;
}

int pki_check_name(const char *cmd, const char *opt, const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > RCP_X509_NAME_MAX) {
        fprintf(stderr, "%s: --%s must be 1 to %d bytes, got %zu\n", cmd, opt, RCP_X509_NAME_MAX,
                n);
        return CLI_EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            fprintf(stderr, "%s: --%s must not contain control characters\n", cmd, opt);
            return CLI_EXIT_USAGE;
        }
    if (!rcp_cbor_utf8_valid((const uint8_t *)s, n)) {
        fprintf(stderr, "%s: --%s is not valid UTF-8\n", cmd, opt);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

size_t pki_serial_bytes(uint64_t v, uint8_t out[8])
{
    size_t n = 1;
    while (n < 8 && (v >> (8 * n)) != 0)
        n++;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return n;
}

void pki_hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    if (rcp_hex_encode(p, n, out, cap) != 0)
        out[0] = '\0';
}

static int in_list(const char *name, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && strncmp(list[i], name, len) == 0)
            return (int)i;
    return -1;
}

int pki_split_multi(const char *cmd, int *argc, char **argv, const char *const *multi,
                    size_t n_multi, const char *const *flags, size_t n_flags,
                    const char *vals[][PKI_MULTI_MAX], size_t *n)
{
    int out = 1;
    for (size_t m = 0; m < n_multi; m++)
        n[m] = 0;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            argv[out++] = argv[i]; /* cli_parse reports it */
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int m = in_list(name, len, multi, n_multi);
        if (m < 0) {
            argv[out++] = argv[i];
            /* A value option keeps its value with it. */
            if (!eq && in_list(name, len, flags, n_flags) < 0 && strcmp(a, "--help") != 0 &&
                i + 1 < *argc)
                argv[out++] = argv[++i];
            continue;
        }
        const char *val = eq ? eq + 1 : (i + 1 < *argc ? argv[++i] : NULL);
        if (val == NULL) {
            fprintf(stderr, "%s: option --%s needs a value\n", cmd, multi[m]);
            return CLI_EXIT_USAGE;
        }
        if (n[m] == PKI_MULTI_MAX) {
            fprintf(stderr, "%s: option --%s given more than %d times\n", cmd, multi[m],
                    PKI_MULTI_MAX);
            return CLI_EXIT_USAGE;
        }
        vals[m][n[m]++] = val;
    }
    *argc = out;
    return 0;
}

/* -------------------------------------------------------- CA directory */

static int ca_path(char *out, size_t cap, const char *dir, const char *file)
{
    return (size_t)snprintf(out, cap, "%s/%s", dir, file) < cap ? 0 : -1;
}

void pki_ca_free(struct pki_ca *ca)
{
    if (ca == NULL)
        return;
    rcp_ec_key_free(ca->key);
    rcp_x509_free(ca->x509);
    if (ca->lock_fd >= 0)
        close(ca->lock_fd); /* releases the flock */
    memset(ca, 0, sizeof *ca);
    ca->lock_fd = -1;
}

int pki_ca_load(const char *cmd, const char *opt, const char *dir, struct pki_ca *ca)
{
    char p[PATH_MAX + 16];
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret = CLI_EXIT_USAGE;
    memset(ca, 0, sizeof *ca);
    ca->lock_fd = -1;
    if (strlen(dir) >= sizeof ca->dir || strlen(dir) + 16 >= PATH_MAX) {
        fprintf(stderr, "%s: --%s: path too long\n", cmd, opt);
        return CLI_EXIT_USAGE;
    }
    snprintf(ca->dir, sizeof ca->dir, "%s", dir);
    ca_path(p, sizeof p, dir, "ca.conf");
    if (!pki_exists(p)) {
        fprintf(stderr,
                "%s: --%s %s: not a CA directory (no ca.conf; make one with 'rcprov pki init')\n",
                cmd, opt, dir);
        return CLI_EXIT_USAGE;
    }
    if (pki_read_file(cmd, "CA file", p, 4096, &buf, &len) != 0)
        return CLI_EXIT_USAGE;
    if (strcmp((char *)buf, CONF_X509) == 0)
        ca->format = PKI_X509;
    else if (strcmp((char *)buf, CONF_COMPACT) == 0)
        ca->format = PKI_COMPACT;
    free(buf);
    buf = NULL;
    if (ca->format == 0) {
        fprintf(stderr, "%s: --%s %s: ca.conf must be '%.*s' or '%.*s'\n", cmd, opt, dir,
                (int)strlen(CONF_X509) - 1, CONF_X509, (int)strlen(CONF_COMPACT) - 1, CONF_COMPACT);
        goto out;
    }
    ca_path(p, sizeof p, dir, "ca.key");
    if (pki_read_file(cmd, "CA key", p, 65536, &buf, &len) != 0)
        goto out;
    int r = rcp_ec_key_from_pkcs8_pem((const char *)buf, len, &ca->key);
    rcp_wipe(buf, len);
    free(buf);
    buf = NULL;
    if (r != 0) {
        fprintf(stderr, "%s: CA key %s: not a usable PKCS#8 EC private key (%s)\n", cmd, p,
                rcp_strerror(r));
        goto out;
    }
    uint8_t want[RCP_EC_MAX_POINT], have[RCP_EC_MAX_POINT];
    size_t want_len = 0, have_len = 0;
    rcp_ec_key *cert_key = NULL;
    if (ca->format == PKI_X509) {
        size_t n = 0;
        ca_path(p, sizeof p, dir, "ca.pem");
        if (pki_read_file(cmd, "CA certificate", p, PKI_FILE_MAX, &buf, &len) != 0)
            goto out;
        r = rcp_x509_read(buf, len, &ca->x509, 1, &n);
        if (r == 0)
            r = rcp_x509_public_key(ca->x509, &cert_key);
        rcp_x509_info in;
        if (r == 0)
            r = rcp_x509_get_info(ca->x509, &in);
        if (r == 0)
            snprintf(ca->name, sizeof ca->name, "%s",
                     in.subject_cn[0] ? in.subject_cn : in.subject);
    } else {
        ca_path(p, sizeof p, dir, "ca.cbor");
        if (pki_read_file(cmd, "CA certificate", p, RCP_CCERT_MAX_LEN, &buf, &len) != 0)
            goto out;
        memcpy(ca->ccert, buf, len);
        ca->ccert_len = len;
        r = rcp_ccert_decode(ca->ccert, ca->ccert_len, &ca->cc);
        if (r == 0)
            r = rcp_ccert_key(&ca->cc, &cert_key);
        if (r == 0)
            snprintf(ca->name, sizeof ca->name, "%.*s", (int)ca->cc.subject_len, ca->cc.subject);
    }
    free(buf);
    buf = NULL;
    if (r != 0) {
        fprintf(stderr, "%s: CA certificate %s: unreadable (%s)\n", cmd, p, rcp_strerror(r));
        goto out;
    }
    if (rcp_ec_key_public(ca->key, 0, want, sizeof want, &want_len) != 0 ||
        rcp_ec_key_public(cert_key, 0, have, sizeof have, &have_len) != 0 || want_len != have_len ||
        memcmp(want, have, want_len) != 0) {
        fprintf(stderr, "%s: --%s %s: ca.key is not the key of the CA certificate\n", cmd, opt,
                dir);
        rcp_ec_key_free(cert_key);
        goto out;
    }
    rcp_ec_key_free(cert_key);
    ret = 0;
out:
    free(buf);
    if (ret)
        pki_ca_free(ca);
    return ret;
}

int pki_ca_lock(const char *cmd, struct pki_ca *ca)
{
    char p[PATH_MAX + 16];
    ca_path(p, sizeof p, ca->dir, "lock");
    ca->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (ca->lock_fd < 0 || flock(ca->lock_fd, LOCK_EX) != 0) {
        fprintf(stderr, "%s: cannot lock %s: %s\n", cmd, p, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return 0;
}

/* Read a decimal counter file, write value + 1, return value. */
static int counter_take(const char *cmd, struct pki_ca *ca, const char *file, uint64_t *value)
{
    char p[PATH_MAX + 16], text[32];
    uint8_t *buf = NULL;
    size_t len = 0;
    ca_path(p, sizeof p, ca->dir, file);
    if (pki_read_file(cmd, "CA state", p, 64, &buf, &len) != 0)
        return CLI_EXIT_FAIL;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull((char *)buf, &end, 10);
    int ok = errno == 0 && end != (char *)buf && (*end == '\n' || *end == '\0') && v >= 1 &&
             v < UINT64_MAX;
    free(buf);
    if (!ok) {
        fprintf(stderr, "%s: CA state %s: not a counter (decimal, 1 or more)\n", cmd, p);
        return CLI_EXIT_FAIL;
    }
    snprintf(text, sizeof text, "%llu\n", v + 1);
    int err = pki_write_atomic(p, text, strlen(text), 0644, 1);
    if (err) {
        fprintf(stderr, "%s: CA state %s: cannot update: %s\n", cmd, p, strerror(err));
        return CLI_EXIT_FAIL;
    }
    *value = (uint64_t)v;
    return 0;
}

int pki_ca_next_serial(const char *cmd, struct pki_ca *ca, uint64_t *serial)
{
    return counter_take(cmd, ca, "serial", serial);
}

int pki_ca_next_crl_number(const char *cmd, struct pki_ca *ca, uint64_t *number)
{
    return counter_take(cmd, ca, "crlnumber", number);
}

/* Append one line to a state file: read, extend, replace atomically. */
static int state_append(const char *cmd, struct pki_ca *ca, const char *file, const char *line)
{
    char p[PATH_MAX + 16];
    uint8_t *buf = NULL;
    size_t len = 0;
    ca_path(p, sizeof p, ca->dir, file);
    if (pki_read_file(cmd, "CA state", p, STATE_MAX, &buf, &len) != 0)
        return CLI_EXIT_FAIL;
    size_t add = strlen(line);
    uint8_t *nb = realloc(buf, len + add);
    if (nb == NULL) {
        free(buf);
        fprintf(stderr, "%s: out of memory\n", cmd);
        return CLI_EXIT_FAIL;
    }
    memcpy(nb + len, line, add);
    int err = pki_write_atomic(p, nb, len + add, 0644, 1);
    free(nb);
    if (err) {
        fprintf(stderr, "%s: CA state %s: cannot update: %s\n", cmd, p, strerror(err));
        return CLI_EXIT_FAIL;
    }
    return 0;
}

int pki_ca_record_issued(const char *cmd, struct pki_ca *ca, const uint8_t *serial,
                         size_t serial_len, int64_t not_after, const char *usage,
                         const char *subject)
{
    char hex[2 * RCP_X509_SERIAL_MAX + 1], line[256];
    pki_hex(serial, serial_len, hex, sizeof hex);
    snprintf(line, sizeof line, "%s %lld %s %s\n", hex, (long long)not_after, usage, subject);
    return state_append(cmd, ca, "issued", line);
}

/* Serial as stored: lower-case hex of the magnitude, no leading zero bytes. */
static void serial_norm(const uint8_t *s, size_t n, char *hex, size_t cap)
{
    while (n > 1 && s[0] == 0) {
        s++;
        n--;
    }
    pki_hex(s, n, hex, cap);
}

int pki_ca_was_issued(struct pki_ca *ca, const uint8_t *serial, size_t serial_len)
{
    char p[PATH_MAX + 16], want[2 * RCP_X509_SERIAL_MAX + 2];
    uint8_t *buf = NULL;
    size_t len = 0;
    ca_path(p, sizeof p, ca->dir, "issued");
    if (pki_read_file("rcprov pki", "CA state", p, STATE_MAX, &buf, &len) != 0)
        return -1;
    serial_norm(serial, serial_len, want, sizeof want - 1);
    strcat(want, " ");
    int found = 0;
    for (char *line = (char *)buf; line && *line;) {
        if (strncmp(line, want, strlen(want)) == 0) {
            found = 1;
            break;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    free(buf);
    return found;
}

int pki_ca_revoked(const char *cmd, struct pki_ca *ca, struct pki_revoked **list, size_t *n)
{
    char p[PATH_MAX + 16];
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0, count = 0;
    struct pki_revoked *l = NULL;
    *list = NULL;
    *n = 0;
    ca_path(p, sizeof p, ca->dir, "revoked");
    if (pki_read_file(cmd, "CA state", p, STATE_MAX, &buf, &len) != 0)
        return CLI_EXIT_FAIL;
    for (char *line = (char *)buf; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char hex[2 * RCP_X509_SERIAL_MAX + 2];
        long long at = 0;
        int used = 0;
        if (sscanf(line, "%41s %lld%n", hex, &at, &used) != 2 || line[used] != '\0') {
            fprintf(stderr, "%s: CA state %s: malformed line '%s'\n", cmd, p, line);
            goto fail;
        }
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            struct pki_revoked *nl2 = realloc(l, cap * sizeof *l);
            if (nl2 == NULL)
                goto fail;
            l = nl2;
        }
        if (rcp_hex_decode(hex, l[count].serial, sizeof l[count].serial, &l[count].serial_len) !=
                0 ||
            l[count].serial_len == 0) {
            fprintf(stderr, "%s: CA state %s: bad serial '%s'\n", cmd, p, hex);
            goto fail;
        }
        l[count].at = at;
        count++;
        if (!nl)
            break;
        line = nl + 1;
    }
    free(buf);
    *list = l;
    *n = count;
    return 0;
fail:
    free(buf);
    free(l);
    return CLI_EXIT_FAIL;
}

int pki_ca_add_revoked(const char *cmd, struct pki_ca *ca, const uint8_t *serial, size_t serial_len,
                       int64_t at)
{
    char hex[2 * RCP_X509_SERIAL_MAX + 1], line[128];
    serial_norm(serial, serial_len, hex, sizeof hex);
    snprintf(line, sizeof line, "%s %lld\n", hex, (long long)at);
    return state_append(cmd, ca, "revoked", line);
}

int pki_ca_create(const char *cmd, const char *opt, const char *dir, enum pki_format format,
                  const rcp_ec_key *key, const uint8_t *cert, size_t cert_len, uint64_t next_serial)
{
    char tmp[PATH_MAX], p[PATH_MAX + 16], pem[RCP_PKCS8_PEM_MAX], hex[17], serial[32];
    uint8_t rnd[8];
    size_t pem_len = 0;
    int ret = CLI_EXIT_FAIL, err = 0;
    if (pki_exists(dir)) {
        fprintf(stderr, "%s: --%s %s: already exists (a CA directory is never overwritten)\n", cmd,
                opt, dir);
        return CLI_EXIT_USAGE;
    }
    if (rcp_rng_fill(rcp_rng_system(), rnd, sizeof rnd) != 0 ||
        rcp_hex_encode(rnd, sizeof rnd, hex, sizeof hex) != 0 ||
        (size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%s", dir, hex) >= sizeof tmp - 16) {
        fprintf(stderr, "%s: --%s %s: path too long\n", cmd, opt, dir);
        return CLI_EXIT_USAGE;
    }
    if (mkdir(tmp, 0755) != 0) {
        fprintf(stderr, "%s: --%s %s: cannot create: %s\n", cmd, opt, dir, strerror(errno));
        return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? CLI_EXIT_USAGE
                                                                      : CLI_EXIT_FAIL;
    }
    int r = rcp_ec_key_to_pkcs8_pem(key, pem, sizeof pem, &pem_len);
    if (r != 0) {
        fprintf(stderr, "%s: cannot encode the CA key: %s\n", cmd, rcp_strerror(r));
        goto out;
    }
    const char *conf = format == PKI_X509 ? CONF_X509 : CONF_COMPACT;
    snprintf(serial, sizeof serial, "%llu\n", (unsigned long long)next_serial);
    struct {
        const char *name;
        const void *data;
        size_t len;
        mode_t mode;
    } files[] = {
        {"ca.key", pem, pem_len, 0600}, /* PKCS#8, owner only from creation on */
        {format == PKI_X509 ? "ca.pem" : "ca.cbor", cert, cert_len, 0644},
        {"serial", serial, strlen(serial), 0644},
        {"crlnumber", "1\n", 2, 0644},
        {"issued", "", 0, 0644},
        {"revoked", "", 0, 0644},
        {"lock", "", 0, 0600},
        {"ca.conf", conf, strlen(conf), 0644}, /* last: marks the directory complete */
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        ca_path(p, sizeof p, tmp, files[i].name);
        err = pki_write_atomic(p, files[i].data, files[i].len, files[i].mode, 0);
        if (err) {
            fprintf(stderr, "%s: cannot write %s: %s\n", cmd, p, strerror(err));
            goto out;
        }
    }
    if (rename(tmp, dir) != 0) {
        fprintf(stderr, "%s: --%s %s: cannot create: %s\n", cmd, opt, dir, strerror(errno));
        goto out;
    }
    (void)fio_fsync_parent(dir);
    ret = 0;
out:
    rcp_wipe(pem, sizeof pem);
    if (ret)
        (void)fio_remove_tree(tmp);
    return ret;
}
