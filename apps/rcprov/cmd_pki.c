/*
 * rcprov pki: certificate authorities for both certificate formats —
 * X.509 v3 (docs/spec/x509.md) and compact CBOR (docs/spec/certificates.md).
 *
 *   init    a new root CA directory (key + self-signed certificate + state)
 *   issue   an intermediate CA directory or a leaf certificate
 *   cross   cross-certify another root (seed 001: GSMA CI <-> operator CA)
 *   revoke  record a serial as revoked in the CA's state
 *   crl     emit the CA's CRL
 *   verify  a certificate against trust roots, intermediates and CRLs
 *   show    a readable dump of a certificate or CRL of either format
 *
 * Every command and option: docs/cli-pki.md.  Bad input: one line naming
 * the option or file, exit 2.  Files are written whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "pki.h"
#include "rcprov/bytes.h"

#define DEFAULT_ROOT_DAYS 3650
#define DEFAULT_CA_DAYS 1825
#define DEFAULT_LEAF_DAYS 365
#define DEFAULT_CRL_DAYS 7
#define MAX_DAYS 36500ULL
#define MAX_PATH_LEN 16ULL

static void usage(FILE *f)
{
    fprintf(f, "usage: rcprov pki COMMAND [options]   (rcprov pki COMMAND --help for details)\n\n"
               "Certificate authorities for X.509 v3 and compact (CBOR) certificates.\n\n"
               "commands:\n"
               "  init     new root CA directory: key, self-signed certificate, state\n"
               "  issue    intermediate CA directory (--usage ca) or leaf (--usage sign|agree)\n"
               "  cross    cross-certify another root CA (paths then verify both ways)\n"
               "  revoke   record a serial as revoked in the CA's state\n"
               "  crl      emit the CA's CRL\n"
               "  verify   verify a certificate: exit 0 when valid, else 1 and the reason\n"
               "  show     readable dump of a certificate or CRL (format detected)\n\n"
               "Full reference: docs/cli-pki.md\n");
}

/* ------------------------------------------------------------ helpers */

struct validity_opts {
    unsigned long long days;
    int have_days;
    const char *not_before, *not_after;
};

static void validity_opt_entries(struct validity_opts *v, struct cli_opt *o)
{
    o[0] = (struct cli_opt){"days", CLI_UINT, &v->days, MAX_DAYS, &v->have_days};
    o[1] = (struct cli_opt){"not-before", CLI_STRING, &v->not_before, 0, NULL};
    o[2] = (struct cli_opt){"not-after", CLI_STRING, &v->not_after, 0, NULL};
}

/* not_before: --not-before or now; not_after: --not-after or
 * not_before + --days (default def_days). */
static int validity(const char *cmd, const struct validity_opts *v, unsigned long long def_days,
                    int64_t *nb, int64_t *na)
{
    *nb = (int64_t)time(NULL);
    if (v->not_before && pki_parse_time(cmd, "not-before", v->not_before, nb) != 0)
        return CLI_EXIT_USAGE;
    if (v->have_days && v->not_after) {
        fprintf(stderr, "%s: --days and --not-after exclude each other\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (v->have_days && v->days == 0) {
        fprintf(stderr, "%s: --days must be at least 1\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (v->not_after) {
        if (pki_parse_time(cmd, "not-after", v->not_after, na) != 0)
            return CLI_EXIT_USAGE;
    } else {
        *na = *nb + (int64_t)(v->have_days ? v->days : def_days) * PKI_DAY;
    }
    if (*na <= *nb) {
        fprintf(stderr, "%s: --not-after must be later than --not-before\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (*na > RCP_X509_TIME_MAX) {
        fprintf(stderr, "%s: validity must end by 9999-12-31T23:59:59Z\n", cmd);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int parse_format(const char *cmd, const char *s, enum pki_format *f)
{
    if (strcmp(s, "x509") == 0)
        *f = PKI_X509;
    else if (strcmp(s, "compact") == 0)
        *f = PKI_COMPACT;
    else {
        fprintf(stderr, "%s: --format must be x509 or compact, got '%s'\n", cmd, s);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int parse_curve(const char *cmd, const char *s, rcp_curve *c)
{
    *c = rcp_curve_from_name(s);
    if (*c != RCP_CURVE_P256 && *c != RCP_CURVE_BP256R1) {
        fprintf(stderr, "%s: --curve must be p256 or brainpoolp256r1, got '%s'\n", cmd, s);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static int parse_usage(const char *cmd, const char *s, rcp_x509_usage *u)
{
    if (strcmp(s, "ca") == 0)
        *u = RCP_X509_USAGE_CA;
    else if (strcmp(s, "sign") == 0)
        *u = RCP_X509_USAGE_SIGN;
    else if (strcmp(s, "agree") == 0)
        *u = RCP_X509_USAGE_AGREE;
    else {
        fprintf(stderr, "%s: --usage must be ca, sign or agree, got '%s'\n", cmd, s);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Options that only X.509 has. */
static int x509_only(const char *cmd, enum pki_format f, const char *opt, int given)
{
    if (given && f != PKI_X509) {
        fprintf(stderr, "%s: --%s applies to X.509 only (this is a compact CA)\n", cmd, opt);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* The subject key: --key FILE (PKCS#8 PEM) or a new one on curve. */
static int subject_key(const char *cmd, const char *key_file, const char *curve_name,
                       rcp_curve def_curve, rcp_ec_key **key, int *generated)
{
    rcp_curve curve = def_curve;
    *key = NULL;
    *generated = 0;
    if (curve_name && parse_curve(cmd, curve_name, &curve) != 0)
        return CLI_EXIT_USAGE;
    if (key_file) {
        uint8_t *buf = NULL;
        size_t len = 0;
        if (pki_read_file(cmd, "--key", key_file, 65536, &buf, &len) != 0)
            return CLI_EXIT_USAGE;
        int r = rcp_ec_key_from_pkcs8_pem((const char *)buf, len, key);
        rcp_wipe(buf, len);
        free(buf);
        if (r != 0) {
            fprintf(stderr, "%s: --key %s: %s\n", cmd, key_file,
                    r == RCP_ERR_UNSUPPORTED
                        ? "not an unencrypted PKCS#8 key on p256 or brainpoolp256r1 (convert with "
                          "'openssl pkcs8 -topk8 -nocrypt')"
                    : r == RCP_ERR_DECODE ? "no PEM \"PRIVATE KEY\" block"
                                          : "not a valid EC private key");
            return CLI_EXIT_USAGE;
        }
        rcp_curve kc = rcp_ec_key_curve(*key);
        if (kc != RCP_CURVE_P256 && kc != RCP_CURVE_BP256R1) {
            fprintf(stderr, "%s: --key %s: curve %s is not p256 or brainpoolp256r1\n", cmd,
                    key_file, rcp_curve_name(kc) ? rcp_curve_name(kc) : "?");
            rcp_ec_key_free(*key);
            *key = NULL;
            return CLI_EXIT_USAGE;
        }
        if (curve_name && kc != curve) {
            fprintf(stderr, "%s: --curve %s does not match the curve of --key %s (%s)\n", cmd,
                    curve_name, key_file, rcp_curve_name(kc));
            rcp_ec_key_free(*key);
            *key = NULL;
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    int r = rcp_ec_key_generate(curve, rcp_rng_system(), key);
    if (r != 0) {
        fprintf(stderr, "%s: key generation failed: %s\n", cmd, rcp_strerror(r));
        return CLI_EXIT_FAIL;
    }
    *generated = 1;
    return 0;
}

/* The certificate file bytes: PEM (or DER with --der) for X.509. */
static int x509_bytes(const rcp_x509 *c, int der, uint8_t **out, size_t *len)
{
    size_t n = 0;
    if (der) {
        const uint8_t *d = rcp_x509_der(c, &n);
        *out = malloc(n);
        if (*out == NULL)
            return RCP_ERR_NO_MEMORY;
        memcpy(*out, d, n);
        *len = n;
        return 0;
    }
    *out = malloc(RCP_X509_PEM_MAX);
    if (*out == NULL)
        return RCP_ERR_NO_MEMORY;
    int r = rcp_x509_to_pem(c, (char *)*out, RCP_X509_PEM_MAX, len);
    if (r) {
        free(*out);
        *out = NULL;
    }
    return r;
}

static int write_out(const char *cmd, const char *opt, const char *path, const void *data,
                     size_t len, mode_t mode, int replace)
{
    int err = pki_write_atomic(path, data, len, mode, replace);
    if (err == EEXIST) {
        fprintf(stderr, "%s: --%s %s: exists (%s)\n", cmd, opt, path,
                mode == 0600 ? "a key file is never overwritten" : "use --force to replace it");
        return CLI_EXIT_USAGE;
    }
    if (err) {
        fprintf(stderr, "%s: --%s %s: cannot write: %s\n", cmd, opt, path, strerror(err));
        return err == ENOENT || err == ENOTDIR || err == EACCES || err == EISDIR ? CLI_EXIT_USAGE
                                                                                 : CLI_EXIT_FAIL;
    }
    return 0;
}

/* Refuse early (before a serial is used) an output that would fail. */
static int out_free(const char *cmd, const char *opt, const char *path, int force, int is_key)
{
    if (path && pki_exists(path) && (is_key || !force)) {
        fprintf(stderr, "%s: --%s %s: exists (%s)\n", cmd, opt, path,
                is_key ? "a key file is never overwritten" : "use --force to replace it");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static void print_validity(int64_t nb, int64_t na)
{
    char a[32], b[32];
    pki_fmt_time(nb, a);
    pki_fmt_time(na, b);
    printf("valid %s to %s", a, b);
}

/* --------------------------------------------------------------- init */

static int cmd_init(int argc, char **argv)
{
    const char *cmd = "rcprov pki init";
    const char *dir = NULL, *name = NULL, *org = NULL, *format_s = NULL, *curve_s = NULL,
               *key_file = NULL;
    unsigned long long path_len = 0;
    int have_path_len = 0, help = 0, generated = 0, ret;
    struct validity_opts v = {0};
    struct cli_opt o[11] = {
        {"dir", CLI_STRING, &dir, 0, NULL},
        {"name", CLI_STRING, &name, 0, NULL},
        {"org", CLI_STRING, &org, 0, NULL},
        {"format", CLI_STRING, &format_s, 0, NULL},
        {"curve", CLI_STRING, &curve_s, 0, NULL},
        {"path-len", CLI_UINT, &path_len, MAX_PATH_LEN, &have_path_len},
        {"key", CLI_STRING, &key_file, 0, NULL},
    };
    validity_opt_entries(&v, &o[7]);
    rcp_ec_key *key = NULL;
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    rcp_x509 *x = NULL;
    enum pki_format format = PKI_X509;
    int64_t nb = 0, na = 0;

    ret = cli_parse(cmd, argc, argv, 1, o, 10, &help);
    if (ret == 0 && help) {
        printf("usage: rcprov pki init --dir DIR --name CN [--org O] [--format x509|compact]\n"
               "                       [--curve p256|brainpoolp256r1] [--key KEY.pem]\n"
               "                       [--days N | --not-before T --not-after T] [--path-len N]\n\n"
               "Creates DIR with a new root CA: ca.key (PKCS#8, mode 0600), ca.pem or ca.cbor\n"
               "(self-signed), and the state files. Defaults: x509, p256, 3650 days.\n");
        return 0;
    }
    if (ret)
        return ret;
    const char *missing = !dir ? "--dir" : !name ? "--name" : NULL;
    if (missing) {
        fprintf(stderr, "%s: missing required option %s\n", cmd, missing);
        return CLI_EXIT_USAGE;
    }
    if ((format_s && parse_format(cmd, format_s, &format) != 0) ||
        pki_check_name(cmd, "name", name) != 0 || (org && pki_check_name(cmd, "org", org) != 0) ||
        x509_only(cmd, format, "org", org != NULL) != 0 ||
        x509_only(cmd, format, "path-len", have_path_len) != 0 ||
        validity(cmd, &v, DEFAULT_ROOT_DAYS, &nb, &na) != 0)
        return CLI_EXIT_USAGE;
    if (pki_exists(dir)) {
        fprintf(stderr, "%s: --dir %s: already exists (a CA directory is never overwritten)\n", cmd,
                dir);
        return CLI_EXIT_USAGE;
    }
    ret = subject_key(cmd, key_file, curve_s, RCP_CURVE_P256, &key, &generated);
    if (ret)
        return ret;
    const uint8_t serial = 1; /* the root's own; DIR/serial continues at 2 */
    int r;
    if (format == PKI_X509) {
        rcp_x509_template t = {&serial,
                               1,
                               name,
                               org,
                               RCP_X509_USAGE_CA,
                               have_path_len ? (int)path_len : RCP_X509_PATHLEN_NONE,
                               key,
                               nb,
                               na};
        r = rcp_x509_issue(&t, NULL, key, &x);
        if (r == 0)
            r = x509_bytes(x, 0, &cert, &cert_len);
    } else {
        rcp_ccert_template t = {&serial,      1,    name, RCP_USAGE_CA, key, (uint64_t)nb,
                                (uint64_t)na, NULL, 0};
        cert = malloc(RCP_CCERT_MAX_LEN);
        r = cert ? rcp_ccert_issue(&t, key, cert, RCP_CCERT_MAX_LEN, &cert_len) : RCP_ERR_NO_MEMORY;
    }
    if (r != 0) {
        fprintf(stderr, "%s: cannot make the root certificate: %s\n", cmd, rcp_strerror(r));
        ret = CLI_EXIT_FAIL;
        goto out;
    }
    ret = pki_ca_create(cmd, "dir", dir, format, key, cert, cert_len, 2);
    if (ret)
        goto out;
    printf("init: %s: %s root CA '%s' (%s), serial 01, ", dir, pki_format_name(format), name,
           rcp_curve_name(rcp_ec_key_curve(key)));
    print_validity(nb, na);
    printf("\n");
out:
    free(cert);
    rcp_x509_free(x);
    rcp_ec_key_free(key);
    return ret;
}

/* --------------------------------------------------------------- issue */

static int cmd_issue(int argc, char **argv)
{
    const char *cmd = "rcprov pki issue";
    const char *ca_dir = NULL, *name = NULL, *org = NULL, *usage_s = NULL, *curve_s = NULL,
               *key_file = NULL, *key_out = NULL, *out = NULL, *out_dir = NULL, *format_s = NULL;
    unsigned long long path_len = 0;
    int have_path_len = 0, help = 0, der = 0, force = 0, generated = 0, ret;
    struct validity_opts v = {0};
    struct cli_opt o[17] = {
        {"ca", CLI_STRING, &ca_dir, 0, NULL},
        {"name", CLI_STRING, &name, 0, NULL},
        {"org", CLI_STRING, &org, 0, NULL},
        {"usage", CLI_STRING, &usage_s, 0, NULL},
        {"curve", CLI_STRING, &curve_s, 0, NULL},
        {"key", CLI_STRING, &key_file, 0, NULL},
        {"key-out", CLI_STRING, &key_out, 0, NULL},
        {"out", CLI_STRING, &out, 0, NULL},
        {"out-dir", CLI_STRING, &out_dir, 0, NULL},
        {"path-len", CLI_UINT, &path_len, MAX_PATH_LEN, &have_path_len},
        {"der", CLI_FLAG, &der, 0, NULL},
        {"force", CLI_FLAG, &force, 0, NULL},
        {"format", CLI_STRING, &format_s, 0, NULL},
    };
    validity_opt_entries(&v, &o[13]);
    struct pki_ca ca;
    rcp_ec_key *key = NULL;
    rcp_x509 *x = NULL;
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    int64_t nb = 0, na = 0;
    rcp_x509_usage u = RCP_X509_USAGE_ANY;
    enum pki_format want_format = 0;
    memset(&ca, 0, sizeof ca);
    ca.lock_fd = -1;

    ret = cli_parse(cmd, argc, argv, 1, o, 16, &help);
    if (ret == 0 && help) {
        printf("usage: rcprov pki issue --ca DIR --name CN --usage ca|sign|agree [--org O]\n"
               "         [--curve p256|brainpoolp256r1] [--key KEY.pem]\n"
               "         [--days N | --not-before T --not-after T]\n"
               "         --usage ca:         --out-dir NEWDIR [--path-len N]\n"
               "         --usage sign|agree: --out CERT [--key-out KEY.pem] [--der] [--force]\n\n"
               "Issues a certificate by the CA in DIR.  An intermediate (--usage ca) becomes a\n"
               "new CA directory NEWDIR that can itself issue.  The subject key is --key or a\n"
               "new one (written to --key-out, or NEWDIR/ca.key, mode 0600).\n");
        return 0;
    }
    if (ret)
        return ret;
    const char *missing = !ca_dir ? "--ca" : !name ? "--name" : !usage_s ? "--usage" : NULL;
    if (missing) {
        fprintf(stderr, "%s: missing required option %s\n", cmd, missing);
        return CLI_EXIT_USAGE;
    }
    if (parse_usage(cmd, usage_s, &u) != 0 || pki_check_name(cmd, "name", name) != 0 ||
        (org && pki_check_name(cmd, "org", org) != 0) ||
        (format_s && parse_format(cmd, format_s, &want_format) != 0) ||
        validity(cmd, &v, u == RCP_X509_USAGE_CA ? DEFAULT_CA_DAYS : DEFAULT_LEAF_DAYS, &nb, &na) !=
            0)
        return CLI_EXIT_USAGE;
    if (u == RCP_X509_USAGE_CA) {
        const char *bad = !out_dir  ? NULL
                          : out     ? "--out"
                          : key_out ? "--key-out"
                          : der     ? "--der"
                                    : NULL;
        if (!out_dir) {
            fprintf(stderr, "%s: --usage ca needs --out-dir (the new CA directory)\n", cmd);
            return CLI_EXIT_USAGE;
        }
        if (bad) {
            fprintf(stderr, "%s: %s does not apply to --usage ca (the CA goes to --out-dir)\n", cmd,
                    bad);
            return CLI_EXIT_USAGE;
        }
    } else {
        if (!out) {
            fprintf(stderr, "%s: --usage %s needs --out (the certificate file)\n", cmd, usage_s);
            return CLI_EXIT_USAGE;
        }
        if (out_dir || have_path_len) {
            fprintf(stderr, "%s: %s applies to --usage ca only\n", cmd,
                    out_dir ? "--out-dir" : "--path-len");
            return CLI_EXIT_USAGE;
        }
        if (!key_file && !key_out) {
            fprintf(stderr,
                    "%s: --key-out is required when --key is not given (where to write "
                    "the new private key)\n",
                    cmd);
            return CLI_EXIT_USAGE;
        }
        if (key_file && key_out) {
            fprintf(stderr, "%s: --key-out applies only to a new key (not with --key)\n", cmd);
            return CLI_EXIT_USAGE;
        }
        if (out_free(cmd, "out", out, force, 0) != 0 ||
            out_free(cmd, "key-out", key_out, 0, 1) != 0)
            return CLI_EXIT_USAGE;
    }
    ret = pki_ca_load(cmd, "ca", ca_dir, &ca);
    if (ret)
        return ret;
    ret = CLI_EXIT_USAGE;
    if (want_format && want_format != ca.format) {
        fprintf(stderr, "%s: --format %s does not match CA %s, which is %s\n", cmd, format_s,
                ca_dir, pki_format_name(ca.format));
        goto done;
    }
    if (x509_only(cmd, ca.format, "org", org != NULL) || x509_only(cmd, ca.format, "der", der) ||
        x509_only(cmd, ca.format, "path-len", have_path_len))
        goto done;
    if (u == RCP_X509_USAGE_CA && pki_exists(out_dir)) {
        fprintf(stderr, "%s: --out-dir %s: already exists (a CA directory is never overwritten)\n",
                cmd, out_dir);
        goto done;
    }
    if (ca.format == PKI_X509) {
        rcp_x509_info ci;
        if (rcp_x509_get_info(ca.x509, &ci) == 0 && u == RCP_X509_USAGE_CA && ci.path_len == 0) {
            fprintf(stderr, "%s: --ca %s: CA '%s' has pathLenConstraint 0 and cannot issue a CA\n",
                    cmd, ca_dir, ca.name);
            goto done;
        }
    }
    ret = subject_key(cmd, key_file, curve_s, rcp_ec_key_curve(ca.key), &key, &generated);
    if (ret)
        goto done;
    uint64_t counter = 0;
    uint8_t serial[8];
    ret = pki_ca_lock(cmd, &ca);
    if (ret == 0)
        ret = pki_ca_next_serial(cmd, &ca, &counter);
    if (ret)
        goto done;
    size_t serial_len = pki_serial_bytes(counter, serial);
    int r;
    if (ca.format == PKI_X509) {
        rcp_x509_template t = {
            serial, serial_len, name, org, u, have_path_len ? (int)path_len : RCP_X509_PATHLEN_NONE,
            key,    nb,         na};
        r = rcp_x509_issue(&t, ca.x509, ca.key, &x);
        if (r == 0)
            r = x509_bytes(x, der, &cert, &cert_len);
    } else {
        rcp_ccert_template t = {serial,       serial_len, name, (rcp_key_usage)u, key, (uint64_t)nb,
                                (uint64_t)na, NULL,       0};
        cert = malloc(RCP_CCERT_MAX_LEN);
        r = cert ? rcp_ccert_issue(&t, ca.key, cert, RCP_CCERT_MAX_LEN, &cert_len)
                 : RCP_ERR_NO_MEMORY;
    }
    if (r != 0) {
        fprintf(stderr, "%s: cannot issue: %s\n", cmd, rcp_strerror(r));
        ret = CLI_EXIT_FAIL;
        goto done;
    }
    /* The serial is recorded before any output exists: a failure below
     * leaves a gap in the serials, never a certificate the CA forgot. */
    ret = pki_ca_record_issued(cmd, &ca, serial, serial_len, na, usage_s, name);
    if (ret)
        goto done;
    char hex[17];
    pki_hex(serial, serial_len, hex, sizeof hex);
    if (u == RCP_X509_USAGE_CA) {
        ret = pki_ca_create(cmd, "out-dir", out_dir, ca.format, key, cert, cert_len, 1);
        if (ret)
            goto done;
        printf("issue: %s: %s intermediate CA '%s' (%s), serial %s, issued by '%s', ", out_dir,
               pki_format_name(ca.format), name, rcp_curve_name(rcp_ec_key_curve(key)), hex,
               ca.name);
    } else {
        if (generated) {
            char pem[RCP_PKCS8_PEM_MAX];
            size_t pem_len = 0;
            r = rcp_ec_key_to_pkcs8_pem(key, pem, sizeof pem, &pem_len);
            ret = r ? CLI_EXIT_FAIL : write_out(cmd, "key-out", key_out, pem, pem_len, 0600, 0);
            rcp_wipe(pem, sizeof pem);
            if (ret)
                goto done;
        }
        ret = write_out(cmd, "out", out, cert, cert_len, 0644, force);
        if (ret) {
            if (generated)
                (void)unlink(key_out); /* ours: created just above, never overwritten */
            goto done;
        }
        printf("issue: %s: %s %s certificate '%s' (%s), serial %s, issued by '%s', ", out,
               pki_format_name(ca.format), usage_s, name, rcp_curve_name(rcp_ec_key_curve(key)),
               hex, ca.name);
    }
    print_validity(nb, na);
    printf("\n");
done:
    free(cert);
    rcp_x509_free(x);
    rcp_ec_key_free(key);
    pki_ca_free(&ca);
    return ret;
}

/* --------------------------------------------------------------- cross */

static int cmd_cross(int argc, char **argv)
{
    const char *cmd = "rcprov pki cross";
    const char *ca_dir = NULL, *subject = NULL, *out = NULL, *format_s = NULL;
    unsigned long long path_len = 0;
    int have_path_len = 0, help = 0, der = 0, force = 0, ret;
    struct validity_opts v = {0};
    struct cli_opt o[11] = {
        {"ca", CLI_STRING, &ca_dir, 0, NULL},
        {"subject", CLI_STRING, &subject, 0, NULL},
        {"out", CLI_STRING, &out, 0, NULL},
        {"path-len", CLI_UINT, &path_len, MAX_PATH_LEN, &have_path_len},
        {"der", CLI_FLAG, &der, 0, NULL},
        {"force", CLI_FLAG, &force, 0, NULL},
        {"format", CLI_STRING, &format_s, 0, NULL},
    };
    validity_opt_entries(&v, &o[7]);
    struct pki_ca ca;
    uint8_t *buf = NULL, *cert = NULL;
    size_t len = 0, cert_len = 0;
    rcp_x509 *subj[1] = {NULL}, *x = NULL;
    rcp_ec_key *subj_key = NULL;
    int64_t nb = 0, na = 0;
    enum pki_format want_format = 0;
    char subj_name[RCP_X509_DN_MAX];
    memset(&ca, 0, sizeof ca);
    ca.lock_fd = -1;

    ret = cli_parse(cmd, argc, argv, 1, o, 10, &help);
    if (ret == 0 && help) {
        printf("usage: rcprov pki cross --ca DIR --subject ROOT_CERT --out CERT\n"
               "         [--days N | --not-before T --not-after T] [--path-len N] [--der] "
               "[--force]\n\n"
               "The CA in DIR certifies the root ROOT_CERT (its name, key and key identifier):\n"
               "whatever that root issued then verifies with only DIR's CA trusted.  Run it\n"
               "the other way round as well for paths both ways.  Default 1825 days.\n");
        return 0;
    }
    if (ret)
        return ret;
    const char *missing = !ca_dir ? "--ca" : !subject ? "--subject" : !out ? "--out" : NULL;
    if (missing) {
        fprintf(stderr, "%s: missing required option %s\n", cmd, missing);
        return CLI_EXIT_USAGE;
    }
    if ((format_s && parse_format(cmd, format_s, &want_format) != 0) ||
        validity(cmd, &v, DEFAULT_CA_DAYS, &nb, &na) != 0 || out_free(cmd, "out", out, force, 0))
        return CLI_EXIT_USAGE;
    ret = pki_ca_load(cmd, "ca", ca_dir, &ca);
    if (ret)
        return ret;
    ret = CLI_EXIT_USAGE;
    if ((want_format && want_format != ca.format) || x509_only(cmd, ca.format, "der", der) != 0 ||
        x509_only(cmd, ca.format, "path-len", have_path_len) != 0) {
        if (want_format && want_format != ca.format)
            fprintf(stderr, "%s: --format %s does not match CA %s, which is %s\n", cmd, format_s,
                    ca_dir, pki_format_name(ca.format));
        goto done;
    }
    if (pki_read_file(cmd, "--subject", subject, PKI_FILE_MAX, &buf, &len) != 0)
        goto done;
    enum pki_kind kind = pki_detect(buf, len);
    enum pki_kind want = ca.format == PKI_X509 ? PKI_KIND_X509_CERT : PKI_KIND_COMPACT_CERT;
    if (kind != want) {
        fprintf(stderr, "%s: --subject %s is %s, but CA %s is %s\n", cmd, subject,
                pki_kind_name(kind), ca_dir, pki_format_name(ca.format));
        goto done;
    }
    rcp_ccert sc;
    uint8_t pk_ca[RCP_EC_MAX_POINT], pk_subj[RCP_EC_MAX_POINT];
    size_t pk_ca_len = 0, pk_subj_len = 0;
    int is_ca = 0, r = 0;
    if (ca.format == PKI_X509) {
        size_t n = 0;
        rcp_x509_info si;
        r = rcp_x509_read(buf, len, subj, 1, &n);
        if (r == RCP_ERR_LIMIT) { /* a bundle: use its first certificate */
            r = 0;
        }
        if (r == 0 && subj[0] == NULL)
            r = RCP_ERR_DECODE;
        if (r == 0)
            r = rcp_x509_get_info(subj[0], &si);
        if (r == 0) {
            is_ca = si.usage == RCP_X509_USAGE_CA;
            snprintf(subj_name, sizeof subj_name, "%s",
                     si.subject_cn[0] ? si.subject_cn : si.subject);
            r = rcp_x509_public_key(subj[0], &subj_key);
        }
    } else {
        r = rcp_ccert_decode(buf, len, &sc);
        if (r == 0) {
            is_ca = sc.usage == RCP_USAGE_CA;
            snprintf(subj_name, sizeof subj_name, "%.*s", (int)sc.subject_len, sc.subject);
            r = rcp_ccert_key(&sc, &subj_key);
        }
    }
    if (r != 0) {
        fprintf(stderr, "%s: --subject %s: unreadable (%s)\n", cmd, subject, rcp_strerror(r));
        goto done;
    }
    if (!is_ca) {
        fprintf(stderr, "%s: --subject %s: '%s' is not a CA certificate\n", cmd, subject,
                subj_name);
        goto done;
    }
    if (rcp_ec_key_public(ca.key, 0, pk_ca, sizeof pk_ca, &pk_ca_len) == 0 &&
        rcp_ec_key_public(subj_key, 0, pk_subj, sizeof pk_subj, &pk_subj_len) == 0 &&
        pk_ca_len == pk_subj_len && memcmp(pk_ca, pk_subj, pk_ca_len) == 0) {
        fprintf(stderr, "%s: --subject %s is CA %s itself\n", cmd, subject, ca_dir);
        goto done;
    }
    uint64_t counter = 0;
    uint8_t serial[8];
    ret = pki_ca_lock(cmd, &ca);
    if (ret == 0)
        ret = pki_ca_next_serial(cmd, &ca, &counter);
    if (ret)
        goto done;
    size_t serial_len = pki_serial_bytes(counter, serial);
    if (ca.format == PKI_X509) {
        r = rcp_x509_cross_certify(subj[0], ca.x509, ca.key, serial, serial_len, nb, na,
                                   have_path_len ? (int)path_len : RCP_X509_PATHLEN_NONE, &x);
        if (r == 0)
            r = x509_bytes(x, der, &cert, &cert_len);
    } else {
        /* Compact: a CA certificate for the other root's key and subject;
         * its key id is the other root's, so whatever that root issued
         * finds it as issuer (docs/cli-pki.md "cross"). */
        char sname[RCP_CCERT_SUBJECT_MAX + 1];
        snprintf(sname, sizeof sname, "%.*s", (int)sc.subject_len, sc.subject);
        rcp_ccert_template t = {
            serial, serial_len, sname, RCP_USAGE_CA, subj_key, (uint64_t)nb, (uint64_t)na, NULL, 0};
        cert = malloc(RCP_CCERT_MAX_LEN);
        r = cert ? rcp_ccert_issue(&t, ca.key, cert, RCP_CCERT_MAX_LEN, &cert_len)
                 : RCP_ERR_NO_MEMORY;
    }
    if (r != 0) {
        fprintf(stderr, "%s: cannot cross-certify: %s\n", cmd, rcp_strerror(r));
        ret = CLI_EXIT_FAIL;
        goto done;
    }
    ret = pki_ca_record_issued(cmd, &ca, serial, serial_len, na, "ca", subj_name);
    if (ret == 0)
        ret = write_out(cmd, "out", out, cert, cert_len, 0644, force);
    if (ret)
        goto done;
    char hex[17];
    pki_hex(serial, serial_len, hex, sizeof hex);
    printf("cross: %s: %s cross-certificate for '%s' by '%s', serial %s, ", out,
           pki_format_name(ca.format), subj_name, ca.name, hex);
    print_validity(nb, na);
    printf("\n");
done:
    free(buf);
    free(cert);
    rcp_x509_free(subj[0]);
    rcp_x509_free(x);
    rcp_ec_key_free(subj_key);
    pki_ca_free(&ca);
    return ret;
}

/* -------------------------------------------------------------- revoke */

static int cmd_revoke(int argc, char **argv)
{
    const char *cmd = "rcprov pki revoke";
    const char *ca_dir = NULL, *serial_s = NULL, *cert_file = NULL, *at_s = NULL;
    int help = 0, ret;
    struct cli_opt o[] = {
        {"ca", CLI_STRING, &ca_dir, 0, NULL},
        {"serial", CLI_STRING, &serial_s, 0, NULL},
        {"cert", CLI_STRING, &cert_file, 0, NULL},
        {"at", CLI_STRING, &at_s, 0, NULL},
    };
    struct pki_ca ca;
    uint8_t serial[RCP_X509_SERIAL_MAX + 1], *buf = NULL;
    size_t serial_len = 0, len = 0;
    int64_t at = (int64_t)time(NULL);
    struct pki_revoked *list = NULL;
    size_t n = 0;
    memset(&ca, 0, sizeof ca);
    ca.lock_fd = -1;

    ret = cli_parse(cmd, argc, argv, 1, o, sizeof o / sizeof o[0], &help);
    if (ret == 0 && help) {
        printf("usage: rcprov pki revoke --ca DIR (--serial HEX | --cert CERT) [--at T]\n\n"
               "Records the serial as revoked (at T, default now) in DIR/revoked; the next\n"
               "'rcprov pki crl' lists it.  The serial must be one DIR issued.\n");
        return 0;
    }
    if (ret)
        return ret;
    if (!ca_dir) {
        fprintf(stderr, "%s: missing required option --ca\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (!serial_s == !cert_file) {
        fprintf(stderr, "%s: give exactly one of --serial and --cert\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (at_s && pki_parse_time(cmd, "at", at_s, &at) != 0)
        return CLI_EXIT_USAGE;
    if (serial_s) {
        if (rcp_hex_decode(serial_s, serial, RCP_X509_SERIAL_MAX, &serial_len) != 0 ||
            serial_len == 0) {
            fprintf(stderr, "%s: --serial must be 1 to %d bytes of hex, got '%s'\n", cmd,
                    RCP_X509_SERIAL_MAX, serial_s);
            return CLI_EXIT_USAGE;
        }
    }
    ret = pki_ca_load(cmd, "ca", ca_dir, &ca);
    if (ret)
        return ret;
    ret = CLI_EXIT_USAGE;
    if (cert_file) {
        if (pki_read_file(cmd, "--cert", cert_file, PKI_FILE_MAX, &buf, &len) != 0)
            goto done;
        enum pki_kind kind = pki_detect(buf, len);
        enum pki_kind want = ca.format == PKI_X509 ? PKI_KIND_X509_CERT : PKI_KIND_COMPACT_CERT;
        if (kind != want) {
            fprintf(stderr, "%s: --cert %s is %s, but CA %s is %s\n", cmd, cert_file,
                    pki_kind_name(kind), ca_dir, pki_format_name(ca.format));
            goto done;
        }
        int issued_here = 0;
        if (ca.format == PKI_X509) {
            rcp_x509 *c[1] = {NULL};
            rcp_x509_info in;
            size_t k = 0;
            int r = rcp_x509_read(buf, len, c, 1, &k);
            if (r == RCP_ERR_LIMIT)
                r = 0;
            if (r == 0 && c[0] && rcp_x509_get_info(c[0], &in) == 0 &&
                in.serial_len <= RCP_X509_SERIAL_MAX) {
                issued_here = rcp_x509_signed_by(c[0], ca.x509);
                memcpy(serial, in.serial, in.serial_len);
                serial_len = in.serial_len;
            }
            rcp_x509_free(c[0]);
        } else {
            rcp_ccert cc;
            uint8_t kid[RCP_KEY_ID_LEN];
            if (rcp_ccert_decode(buf, len, &cc) == 0 && rcp_key_id(ca.key, kid) == 0) {
                issued_here = memcmp(kid, cc.issuer_kid, RCP_KEY_ID_LEN) == 0 &&
                              rcp_ccert_check_sig(&cc, ca.key) == 0;
                memcpy(serial, cc.serial, cc.serial_len);
                serial_len = cc.serial_len;
            }
        }
        if (!issued_here) {
            fprintf(stderr, "%s: --cert %s was not issued by CA '%s' (%s)\n", cmd, cert_file,
                    ca.name, ca_dir);
            goto done;
        }
    }
    while (serial_len > 1 && serial[0] == 0) {
        memmove(serial, serial + 1, serial_len - 1);
        serial_len--;
    }
    char hex[2 * RCP_X509_SERIAL_MAX + 1], t[32];
    pki_hex(serial, serial_len, hex, sizeof hex);
    ret = pki_ca_lock(cmd, &ca);
    if (ret)
        goto done;
    int issued = pki_ca_was_issued(&ca, serial, serial_len);
    if (issued <= 0) {
        if (issued == 0)
            fprintf(stderr, "%s: serial %s was not issued by CA '%s' (see %s/issued)\n", cmd, hex,
                    ca.name, ca_dir);
        ret = issued == 0 ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
        goto done;
    }
    ret = pki_ca_revoked(cmd, &ca, &list, &n);
    if (ret)
        goto done;
    for (size_t i = 0; i < n; i++)
        if (list[i].serial_len == serial_len && memcmp(list[i].serial, serial, serial_len) == 0) {
            pki_fmt_time(list[i].at, t);
            printf("revoke: serial %s of CA '%s' was already revoked at %s\n", hex, ca.name, t);
            ret = 0;
            goto done;
        }
    ret = pki_ca_add_revoked(cmd, &ca, serial, serial_len, at);
    if (ret)
        goto done;
    pki_fmt_time(at, t);
    printf("revoke: serial %s of CA '%s' revoked at %s; 'rcprov pki crl' publishes it\n", hex,
           ca.name, t);
done:
    free(buf);
    free(list);
    pki_ca_free(&ca);
    return ret;
}

/* ----------------------------------------------------------------- crl */

static int cmd_crl(int argc, char **argv)
{
    const char *cmd = "rcprov pki crl";
    const char *ca_dir = NULL, *out = NULL, *this_s = NULL, *next_s = NULL;
    unsigned long long days = 0;
    int have_days = 0, help = 0, der = 0, force = 0, ret;
    struct cli_opt o[] = {
        {"ca", CLI_STRING, &ca_dir, 0, NULL},
        {"out", CLI_STRING, &out, 0, NULL},
        {"this-update", CLI_STRING, &this_s, 0, NULL},
        {"next-update", CLI_STRING, &next_s, 0, NULL},
        {"days", CLI_UINT, &days, MAX_DAYS, &have_days},
        {"der", CLI_FLAG, &der, 0, NULL},
        {"force", CLI_FLAG, &force, 0, NULL},
    };
    struct pki_ca ca;
    struct pki_revoked *list = NULL;
    size_t n = 0, data_len = 0;
    uint8_t *data = NULL;
    rcp_x509_crl *crl = NULL;
    int64_t tu = (int64_t)time(NULL), nu = 0;
    memset(&ca, 0, sizeof ca);
    ca.lock_fd = -1;

    ret = cli_parse(cmd, argc, argv, 1, o, sizeof o / sizeof o[0], &help);
    if (ret == 0 && help) {
        printf("usage: rcprov pki crl --ca DIR --out CRL [--this-update T]\n"
               "         [--days N | --next-update T] [--der] [--force]\n\n"
               "Emits the CRL of the CA in DIR listing every serial of DIR/revoked.  X.509:\n"
               "v2 CRL with the next CRL number of DIR/crlnumber.  Next update by default\n"
               "7 days after this update.\n");
        return 0;
    }
    if (ret)
        return ret;
    const char *missing = !ca_dir ? "--ca" : !out ? "--out" : NULL;
    if (missing) {
        fprintf(stderr, "%s: missing required option %s\n", cmd, missing);
        return CLI_EXIT_USAGE;
    }
    if (this_s && pki_parse_time(cmd, "this-update", this_s, &tu) != 0)
        return CLI_EXIT_USAGE;
    if (have_days && next_s) {
        fprintf(stderr, "%s: --days and --next-update exclude each other\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (have_days && days == 0) {
        fprintf(stderr, "%s: --days must be at least 1\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (next_s) {
        if (pki_parse_time(cmd, "next-update", next_s, &nu) != 0)
            return CLI_EXIT_USAGE;
    } else {
        nu = tu + (int64_t)(have_days ? days : DEFAULT_CRL_DAYS) * PKI_DAY;
    }
    if (nu <= tu || nu > RCP_X509_TIME_MAX) {
        fprintf(stderr, "%s: --next-update must be later than --this-update (and by 9999)\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (out_free(cmd, "out", out, force, 0) != 0)
        return CLI_EXIT_USAGE;
    ret = pki_ca_load(cmd, "ca", ca_dir, &ca);
    if (ret)
        return ret;
    if (x509_only(cmd, ca.format, "der", der) != 0) {
        ret = CLI_EXIT_USAGE;
        goto done;
    }
    ret = pki_ca_lock(cmd, &ca);
    if (ret == 0)
        ret = pki_ca_revoked(cmd, &ca, &list, &n);
    if (ret)
        goto done;
    uint64_t number = 0;
    int r;
    if (ca.format == PKI_X509) {
        rcp_x509_revoked *rv = calloc(n ? n : 1, sizeof *rv);
        ret = rv ? pki_ca_next_crl_number(cmd, &ca, &number) : CLI_EXIT_FAIL;
        if (ret) {
            free(rv);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            rv[i] = (rcp_x509_revoked){list[i].serial, list[i].serial_len, list[i].at};
        r = rcp_x509_crl_issue(ca.x509, ca.key, number, tu, nu, rv, n, &crl);
        free(rv);
        if (r == 0 && der) {
            const uint8_t *d = rcp_x509_crl_der(crl, &data_len);
            data = malloc(data_len);
            if (data)
                memcpy(data, d, data_len);
            else
                r = RCP_ERR_NO_MEMORY;
        } else if (r == 0) {
            size_t need = 0; /* a size query: BUFFER_TOO_SMALL with the size needed */
            r = rcp_x509_crl_to_pem(crl, NULL, 0, &need);
            data = r == RCP_ERR_BUFFER_TOO_SMALL ? malloc(need) : NULL;
            r = data ? rcp_x509_crl_to_pem(crl, (char *)data, need, &data_len) : RCP_ERR_NO_MEMORY;
        }
    } else {
        const uint8_t **sp = calloc(n ? n : 1, sizeof *sp);
        size_t *sl = calloc(n ? n : 1, sizeof *sl);
        data = malloc(RCP_CCRL_MAX_LEN);
        r = sp && sl && data ? 0 : RCP_ERR_NO_MEMORY;
        for (size_t i = 0; r == 0 && i < n; i++) {
            sp[i] = list[i].serial;
            sl[i] = list[i].serial_len;
        }
        if (r == 0)
            r = rcp_ccrl_issue(ca.key, (uint64_t)tu, (uint64_t)nu, sp, sl, n, data,
                               RCP_CCRL_MAX_LEN, &data_len);
        free(sp);
        free(sl);
    }
    if (r != 0) {
        fprintf(stderr, "%s: cannot make the CRL: %s\n", cmd, rcp_strerror(r));
        ret = CLI_EXIT_FAIL;
        goto done;
    }
    ret = write_out(cmd, "out", out, data, data_len, 0644, force);
    if (ret)
        goto done;
    char a[32], b[32];
    pki_fmt_time(tu, a);
    pki_fmt_time(nu, b);
    if (ca.format == PKI_X509)
        printf("crl: %s: x509 CRL number %llu of '%s', %zu revoked, this update %s, next update "
               "%s\n",
               out, (unsigned long long)number, ca.name, n, a, b);
    else
        printf("crl: %s: compact CRL of '%s', %zu revoked, this update %s, next update %s\n", out,
               ca.name, n, a, b);
done:
    free(data);
    free(list);
    rcp_x509_crl_free(crl);
    pki_ca_free(&ca);
    return ret;
}

/* ------------------------------------------------------------ dispatch */

int pki_cmd_init(int argc, char **argv)
{
    return cmd_init(argc, argv);
}
int pki_cmd_issue(int argc, char **argv)
{
    return cmd_issue(argc, argv);
}
int pki_cmd_cross(int argc, char **argv)
{
    return cmd_cross(argc, argv);
}
int pki_cmd_revoke(int argc, char **argv)
{
    return cmd_revoke(argc, argv);
}
int pki_cmd_crl(int argc, char **argv)
{
    return cmd_crl(argc, argv);
}

static const struct cli_command k_sub[] = {
    {"init", "new root CA", pki_cmd_init},
    {"issue", "intermediate CA or leaf", pki_cmd_issue},
    {"cross", "cross-certify a root", pki_cmd_cross},
    {"revoke", "revoke a serial", pki_cmd_revoke},
    {"crl", "emit the CRL", pki_cmd_crl},
    {"verify", "verify a certificate", pki_cmd_verify},
    {"show", "dump a certificate or CRL", pki_cmd_show},
};

int cmd_pki(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "rcprov pki: missing command: init, issue, cross, revoke, crl, verify or "
                        "show (see rcprov pki --help)\n");
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof k_sub / sizeof k_sub[0]; i++)
        if (strcmp(argv[1], k_sub[i].name) == 0)
            return k_sub[i].run(argc - 1, argv + 1);
    fprintf(stderr, "rcprov pki: unknown command '%s' (see rcprov pki --help)\n", argv[1]);
    return CLI_EXIT_USAGE;
}
