/*
 * rcprov pki verify: a certificate against trust roots, intermediates and
 * CRLs, in either format (detected from the file).  Exit 0 only when it is
 * valid; exit 1 with one line naming the certificate and the reason; exit 2
 * for bad input (docs/cli-pki.md "verify").
 *
 * X.509: OpenSSL's full path validation through rcp_x509_store_verify
 * (docs/spec/x509.md "Verification").  Compact: the rcp_ccert_store of
 * docs/spec/certificates.md, filled with every intermediate and CRL that
 * links to a trust root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "pki.h"

#define CMD "rcprov pki verify"
#define CHAIN_FILE_MAX 16 /* certificates read from one X.509 file */

enum { M_TRUSTED, M_UNTRUSTED, M_CRL, M_COUNT };

struct verify_in {
    const char *cert_file;
    const uint8_t *cert;
    size_t cert_len;
    const char *files[M_COUNT][PKI_MULTI_MAX];
    size_t n[M_COUNT];
    int64_t now;
    rcp_x509_usage want;
    int crl_required;
};

static const char *const k_opt[M_COUNT] = {"trusted", "untrusted", "crl"};

/* Read the i-th file of option m, which must be of kind want. */
static int read_kind(const struct verify_in *in, int m, size_t i, enum pki_kind want, uint8_t **buf,
                     size_t *len)
{
    const char *path = in->files[m][i];
    if (pki_read_file(CMD,
                      m == M_TRUSTED     ? "--trusted"
                      : m == M_UNTRUSTED ? "--untrusted"
                                         : "--crl",
                      path, PKI_FILE_MAX, buf, len) != 0)
        return CLI_EXIT_USAGE;
    enum pki_kind got = pki_detect(*buf, *len);
    if (got != want) {
        fprintf(stderr, "%s: --%s %s is %s, expected %s (as --cert %s is %s)\n", CMD, k_opt[m],
                path, pki_kind_name(got), pki_kind_name(want), in->cert_file,
                want == PKI_KIND_X509_CERT || want == PKI_KIND_X509_CRL ? "X.509" : "compact");
        free(*buf);
        *buf = NULL;
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static void print_ok(const struct verify_in *in, const char *name, size_t chain)
{
    char t[32];
    pki_fmt_time(in->now, t);
    printf("%s: OK: '%s'%s%s, path of %zu certificates, at %s\n", in->cert_file, name,
           in->want ? " for usage " : "", in->want ? rcp_x509_usage_name(in->want) : "", chain, t);
}

static int fail(const char *file, const char *why, int err)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", CMD, file, why, rcp_errname(err));
    return CLI_EXIT_FAIL;
}

/* ------------------------------------------------------------- X.509 */

static int verify_x509(const struct verify_in *in)
{
    rcp_x509_store *st = NULL;
    rcp_x509 *leaf[CHAIN_FILE_MAX] = {NULL}, *certs[CHAIN_FILE_MAX] = {NULL};
    rcp_x509_crl *crl = NULL;
    rcp_x509_why why;
    size_t n_leaf = 0, chain = 0;
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret = CLI_EXIT_USAGE, r;
    memset(&why, 0, sizeof why);

    r = rcp_x509_read(in->cert, in->cert_len, leaf, CHAIN_FILE_MAX, &n_leaf);
    if (r != 0) {
        fprintf(stderr, "%s: --cert %s: %s\n", CMD, in->cert_file,
                r == RCP_ERR_LIMIT ? "more than 16 certificates" : "malformed certificate");
        return CLI_EXIT_USAGE;
    }
    if (rcp_x509_store_new(&st) != 0) {
        ret = CLI_EXIT_FAIL;
        goto out;
    }
    rcp_x509_store_set_crl_policy(st, in->crl_required ? RCP_X509_CRL_REQUIRED
                                                       : RCP_X509_CRL_IF_PRESENT);
    for (int m = M_TRUSTED; m <= M_UNTRUSTED; m++)
        for (size_t i = 0; i < in->n[m]; i++) {
            size_t n = 0;
            if (read_kind(in, m, i, PKI_KIND_X509_CERT, &buf, &len) != 0)
                goto out;
            r = rcp_x509_read(buf, len, certs, CHAIN_FILE_MAX, &n);
            free(buf);
            buf = NULL;
            if (r != 0) {
                fprintf(stderr, "%s: --%s %s: %s\n", CMD, k_opt[m], in->files[m][i],
                        r == RCP_ERR_LIMIT ? "more than 16 certificates" : "malformed certificate");
                goto out;
            }
            for (size_t k = 0; k < n; k++) {
                r = m == M_TRUSTED ? rcp_x509_store_add_anchor(st, certs[k], &why)
                                   : rcp_x509_store_add_untrusted(st, certs[k]);
                rcp_x509_free(certs[k]);
                certs[k] = NULL;
                if (r != 0 && m == M_TRUSTED) {
                    fprintf(stderr, "%s: --trusted %s: %s\n", CMD, in->files[m][i], why.text);
                    for (size_t j = k + 1; j < n; j++)
                        rcp_x509_free(certs[j]);
                    goto out;
                }
                if (r != 0) {
                    fprintf(stderr, "%s: --untrusted %s: %s\n", CMD, in->files[m][i],
                            rcp_strerror(r));
                    for (size_t j = k + 1; j < n; j++)
                        rcp_x509_free(certs[j]);
                    goto out;
                }
            }
        }
    for (size_t i = 0; i < in->n[M_CRL]; i++) {
        if (read_kind(in, M_CRL, i, PKI_KIND_X509_CRL, &buf, &len) != 0)
            goto out;
        r = rcp_x509_crl_read(buf, len, &crl);
        free(buf);
        buf = NULL;
        if (r != 0) {
            fprintf(stderr, "%s: --crl %s: malformed CRL\n", CMD, in->files[M_CRL][i]);
            goto out;
        }
        r = rcp_x509_store_add_crl(st, crl, &why);
        rcp_x509_crl_free(crl);
        crl = NULL;
        if (r == RCP_ERR_REPLAY) /* an older CRL of an issuer whose newer one is held */
            continue;
        if (r == RCP_ERR_SIGNATURE) { /* a forged CRL makes the answer "no" */
            ret = fail(in->cert_file, why.text, r);
            goto out;
        }
        if (r != 0) {
            fprintf(stderr, "%s: --crl %s: %s\n", CMD, in->files[M_CRL][i], why.text);
            goto out;
        }
    }
    r = rcp_x509_store_verify(st, leaf[0], (const rcp_x509 *const *)leaf + 1, n_leaf - 1, in->now,
                              in->want, &chain, &why);
    if (r != 0) {
        ret = fail(in->cert_file, why.text, r);
        goto out;
    }
    rcp_x509_info info;
    if (rcp_x509_get_info(leaf[0], &info) != 0) {
        ret = CLI_EXIT_FAIL;
        goto out;
    }
    print_ok(in, info.subject_cn[0] ? info.subject_cn : info.subject, chain);
    ret = 0;
out:
    free(buf);
    for (size_t i = 0; i < n_leaf; i++)
        rcp_x509_free(leaf[i]);
    rcp_x509_store_free(st);
    return ret;
}

/* ------------------------------------------------------------ compact */

struct item {
    uint8_t *buf;
    size_t len;
    int done; /* added to the store (or a CRL replaced by a newer one) */
    int err;  /* last failure, 0 if none */
    rcp_cert_why why;
    rcp_ccert cert; /* intermediates */
    rcp_ccrl crl;   /* CRLs */
};

static void subject_of(const rcp_ccert *c, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s", (int)c->subject_len, c->subject);
}

static int verify_compact(const struct verify_in *in)
{
    rcp_ccert_store *st = NULL;
    rcp_ccert leaf, anchors[PKI_MULTI_MAX];
    uint8_t *abuf[PKI_MULTI_MAX] = {NULL};
    struct item inter[PKI_MULTI_MAX], crls[PKI_MULTI_MAX];
    rcp_cert_why why;
    int ret = CLI_EXIT_USAGE, r;
    size_t n_int = in->n[M_UNTRUSTED], n_crl = in->n[M_CRL], n_anchor = in->n[M_TRUSTED];
    memset(inter, 0, sizeof inter);
    memset(crls, 0, sizeof crls);
    memset(&why, 0, sizeof why);

    if (rcp_ccert_decode(in->cert, in->cert_len, &leaf) != 0 || rcp_ccert_store_new(&st) != 0) {
        ret = CLI_EXIT_FAIL;
        goto out;
    }
    for (size_t i = 0; i < n_anchor; i++) {
        size_t len = 0;
        if (read_kind(in, M_TRUSTED, i, PKI_KIND_COMPACT_CERT, &abuf[i], &len) != 0)
            goto out;
        r = rcp_ccert_store_add_anchor(st, abuf[i], len, &why);
        if (r == 0)
            r = rcp_ccert_decode(abuf[i], len, &anchors[i]);
        if (r != 0) {
            fprintf(stderr, "%s: --trusted %s: %s\n", CMD, in->files[M_TRUSTED][i], why.text);
            goto out;
        }
    }
    for (size_t i = 0; i < n_int; i++) {
        if (read_kind(in, M_UNTRUSTED, i, PKI_KIND_COMPACT_CERT, &inter[i].buf, &inter[i].len) != 0)
            goto out;
        if (rcp_ccert_decode(inter[i].buf, inter[i].len, &inter[i].cert) != 0)
            goto out;
    }
    for (size_t i = 0; i < n_crl; i++) {
        if (read_kind(in, M_CRL, i, PKI_KIND_COMPACT_CRL, &crls[i].buf, &crls[i].len) != 0)
            goto out;
        if (rcp_ccrl_decode(crls[i].buf, crls[i].len, &crls[i].crl) != 0)
            goto out;
    }
    /* Add what links to the store until nothing more does: the CRLs first
     * each round, so a CA is checked against its issuer's CRL before it is
     * cached. */
    for (int progress = 1; progress;) {
        progress = 0;
        for (size_t i = 0; i < n_crl; i++) {
            if (crls[i].done)
                continue;
            r = rcp_ccert_store_add_crl(st, crls[i].buf, crls[i].len, (uint64_t)in->now,
                                        &crls[i].why);
            if (r == 0 || r == RCP_ERR_REPLAY) {
                crls[i].done = 1;
                progress = 1;
            } else if (r != RCP_ERR_UNTRUSTED) {
                /* A forged or not yet valid CRL of a known CA: fail closed. */
                ret = fail(in->cert_file, crls[i].why.text, r);
                goto out;
            }
        }
        for (size_t i = 0; i < n_int && !progress; i++) {
            if (inter[i].done)
                continue;
            r = rcp_ccert_store_add_ca(st, inter[i].buf, inter[i].len, (uint64_t)in->now,
                                       &inter[i].why);
            inter[i].err = r;
            if (r == 0) {
                inter[i].done = 1;
                progress = 1; /* back to the CRLs: this CA's may be among them */
            }
        }
    }
    r = rcp_ccert_verify(st, in->cert, in->cert_len, (uint64_t)in->now, (rcp_key_usage)in->want,
                         NULL, &why);
    if (r == RCP_ERR_UNTRUSTED) {
        /* Say why the intermediate that would have linked the leaf failed. */
        const uint8_t *kid = leaf.issuer_kid;
        for (int depth = 0; depth < RCP_CCERT_CHAIN_MAX; depth++) {
            const struct item *hit = NULL;
            for (size_t i = 0; i < n_int; i++)
                if (!inter[i].done && memcmp(inter[i].cert.subject_kid, kid, RCP_KEY_ID_LEN) == 0)
                    hit = &inter[i];
            if (hit == NULL)
                break;
            if (hit->err != RCP_ERR_UNTRUSTED) {
                r = hit->err;
                memcpy(&why, &hit->why, sizeof why);
                break;
            }
            kid = hit->cert.issuer_kid;
        }
    }
    if (r != 0) {
        ret = fail(in->cert_file, why.text, r);
        goto out;
    }
    /* The path, leaf to anchor, and (--crl-required) a CRL of each issuer. */
    size_t chain = 1;
    const rcp_ccert *cur = &leaf;
    for (int depth = 0; depth < RCP_CCERT_CHAIN_MAX; depth++) {
        char subj[RCP_CCERT_SUBJECT_MAX + 1], iss[RCP_CCERT_SUBJECT_MAX + 1];
        const rcp_ccert *up = NULL;
        int is_anchor = 0;
        for (size_t i = 0; i < n_anchor && !up; i++)
            if (memcmp(anchors[i].subject_kid, cur->issuer_kid, RCP_KEY_ID_LEN) == 0) {
                up = &anchors[i];
                is_anchor = 1;
            }
        for (size_t i = 0; i < n_int && !up; i++)
            if (inter[i].done &&
                memcmp(inter[i].cert.subject_kid, cur->issuer_kid, RCP_KEY_ID_LEN) == 0)
                up = &inter[i].cert;
        if (up == NULL)
            break;
        if (in->crl_required) {
            int held = 0;
            for (size_t i = 0; i < n_crl; i++)
                if (crls[i].done &&
                    memcmp(crls[i].crl.issuer_kid, cur->issuer_kid, RCP_KEY_ID_LEN) == 0)
                    held = 1;
            if (!held) {
                subject_of(cur, subj, sizeof subj);
                subject_of(up, iss, sizeof iss);
                char msg[256];
                snprintf(msg, sizeof msg,
                         "no CRL of '%s' is held to check certificate '%s' (CRLs are required)",
                         iss, subj);
                ret = fail(in->cert_file, msg, RCP_ERR_UNTRUSTED);
                goto out;
            }
        }
        if (up == cur) /* the leaf is itself an anchor */
            break;
        chain++;
        if (is_anchor)
            break;
        cur = up;
    }
    char name[RCP_CCERT_SUBJECT_MAX + 1];
    subject_of(&leaf, name, sizeof name);
    print_ok(in, name, chain);
    ret = 0;
out:
    for (size_t i = 0; i < PKI_MULTI_MAX; i++) {
        free(abuf[i]);
        free(inter[i].buf);
        free(crls[i].buf);
    }
    rcp_ccert_store_free(st);
    return ret;
}

/* ------------------------------------------------------------ command */

int pki_cmd_verify(int argc, char **argv)
{
    static const char *const flags[] = {"crl-required"};
    struct verify_in in;
    const char *at = NULL, *usage_s = NULL;
    int help = 0, ret;
    uint8_t *buf = NULL;
    memset(&in, 0, sizeof in);
    in.cert_file = NULL;
    struct cli_opt o[] = {
        {"cert", CLI_STRING, &in.cert_file, 0, NULL},
        {"at", CLI_STRING, &at, 0, NULL},
        {"usage", CLI_STRING, &usage_s, 0, NULL},
        {"crl-required", CLI_FLAG, &in.crl_required, 0, NULL},
    };
    ret = pki_split_multi(CMD, &argc, argv, k_opt, M_COUNT, flags, 1, in.files, in.n);
    if (ret == 0)
        ret = cli_parse(CMD, argc, argv, 1, o, sizeof o / sizeof o[0], &help);
    if (ret == 0 && help) {
        printf("usage: rcprov pki verify --cert CERT --trusted ROOT [--trusted ROOT ...]\n"
               "         [--untrusted CERT ...] [--crl CRL ...] [--crl-required]\n"
               "         [--at T] [--usage ca|sign|agree]\n\n"
               "Verifies CERT (X.509 PEM/DER or compact CBOR, detected; further certificates\n"
               "in an X.509 CERT file serve as intermediates).  Exit 0 when valid at T\n"
               "(default now), else 1 with the reason.  Every CRL given is checked; a stale\n"
               "one fails.  --crl-required: every certificate below a root needs its\n"
               "issuer's CRL.\n");
        return 0;
    }
    if (ret)
        return ret;
    if (!in.cert_file || in.n[M_TRUSTED] == 0) {
        fprintf(stderr, "%s: missing required option %s\n", CMD,
                !in.cert_file ? "--cert" : "--trusted");
        return CLI_EXIT_USAGE;
    }
    in.now = (int64_t)time(NULL);
    if (at && pki_parse_time(CMD, "at", at, &in.now) != 0)
        return CLI_EXIT_USAGE;
    if (usage_s) {
        if (strcmp(usage_s, "ca") == 0)
            in.want = RCP_X509_USAGE_CA;
        else if (strcmp(usage_s, "sign") == 0)
            in.want = RCP_X509_USAGE_SIGN;
        else if (strcmp(usage_s, "agree") == 0)
            in.want = RCP_X509_USAGE_AGREE;
        else {
            fprintf(stderr, "%s: --usage must be ca, sign or agree, got '%s'\n", CMD, usage_s);
            return CLI_EXIT_USAGE;
        }
    }
    size_t len = 0;
    if (pki_read_file(CMD, "--cert", in.cert_file, PKI_FILE_MAX, &buf, &len) != 0)
        return CLI_EXIT_USAGE;
    in.cert = buf;
    in.cert_len = len;
    enum pki_kind kind = pki_detect(buf, len);
    if (kind == PKI_KIND_X509_CERT)
        ret = verify_x509(&in);
    else if (kind == PKI_KIND_COMPACT_CERT)
        ret = verify_compact(&in);
    else {
        fprintf(stderr, "%s: --cert %s is %s, not a certificate\n", CMD, in.cert_file,
                pki_kind_name(kind));
        ret = CLI_EXIT_USAGE;
    }
    free(buf);
    return ret;
}
