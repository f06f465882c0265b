/*
 * rcprov pki show: a readable dump of an X.509 certificate (or a PEM bundle
 * of them), an X.509 CRL, a compact certificate or a compact CRL; the
 * format is detected from the file (docs/cli-pki.md "show").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pki.h"
#include "rcprov/cbor.h"

#define CMD "rcprov pki show"
#define BUNDLE_MAX 64

static void line(const char *label, const char *value)
{
    printf("%-18s %s\n", label, value);
}

static void line_hex(const char *label, const uint8_t *p, size_t n)
{
    char hex[2 * 512 + 1];
    if (n > 512)
        n = 512;
    pki_hex(p, n, hex, sizeof hex);
    line(label, n ? hex : "(none)");
}

static void line_time(const char *label, int64_t t)
{
    char s[32], v[64];
    pki_fmt_time(t, s);
    snprintf(v, sizeof v, "%s (%lld)", s, (long long)t);
    line(label, v);
}

static void key_usage_text(unsigned ku, char *out, size_t cap)
{
    static const char *const names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                        "dataEncipherment", "keyAgreement",   "keyCertSign",
                                        "cRLSign",          "encipherOnly",   "decipherOnly"};
    size_t off = 0;
    out[0] = '\0';
    for (unsigned b = 0; b < 9; b++)
        if (ku & (1u << b))
            off += (size_t)snprintf(out + off, off < cap ? cap - off : 0, "%s%s", off ? ", " : "",
                                    names[b]);
}

static int ext_critical(const rcp_x509_info *in, const char *name)
{
    for (size_t i = 0; i < in->n_ext; i++)
        if (strcmp(in->ext[i].name, name) == 0)
            return in->ext[i].critical;
    return 0;
}

static void show_x509(const rcp_x509 *c)
{
    rcp_x509_info in;
    char v[512];
    if (rcp_x509_get_info(c, &in) != 0) {
        line("error", "certificate fields unreadable");
        return;
    }
    line("format", "x509");
    line("kind", "certificate");
    snprintf(v, sizeof v, "%d", in.version);
    line("version", v);
    char sn[2 * (RCP_X509_SERIAL_MAX + 1) + 2];
    pki_hex(in.serial, in.serial_len, sn + 1, sizeof sn - 1);
    sn[0] = '-';
    line("serial", in.serial_negative ? sn : sn + 1);
    line("subject", in.subject);
    line("issuer", in.issuer);
    line_time("not before", in.not_before);
    line_time("not after", in.not_after);
    snprintf(v, sizeof v, "%s %s", in.key_alg,
             in.curve ? rcp_curve_name(in.curve) : "(curve not supported by rcprov)");
    line("public key", v);
    if (in.pub_len)
        line_hex("  point", in.pub, in.pub_len);
    line("signature", in.sig_alg);
    line("usage", in.usage == RCP_X509_USAGE_ANY ? "none or mixed" : rcp_x509_usage_name(in.usage));
    if (in.has_basic_constraints) {
        if (in.is_ca && in.path_len != RCP_X509_PATHLEN_NONE)
            snprintf(v, sizeof v, "CA:TRUE, pathLen:%d%s", in.path_len,
                     ext_critical(&in, "basicConstraints") ? " (critical)" : "");
        else
            snprintf(v, sizeof v, "CA:%s%s", in.is_ca ? "TRUE" : "FALSE",
                     ext_critical(&in, "basicConstraints") ? " (critical)" : "");
        line("basic constraints", v);
    } else {
        line("basic constraints", "(absent)");
    }
    if (in.has_key_usage) {
        char ku[256];
        key_usage_text(in.key_usage, ku, sizeof ku);
        snprintf(v, sizeof v, "%s%s", ku, ext_critical(&in, "keyUsage") ? " (critical)" : "");
        line("key usage", v);
    } else {
        line("key usage", "(absent)");
    }
    line_hex("subject key id", in.ski, in.ski_len);
    line_hex("authority key id", in.aki, in.aki_len);
    size_t off = 0;
    v[0] = '\0';
    for (size_t i = 0; i < in.n_ext; i++)
        off +=
            (size_t)snprintf(v + off, off < sizeof v ? sizeof v - off : 0, "%s%s%s", i ? ", " : "",
                             in.ext[i].name, in.ext[i].critical ? " (critical)" : "");
    if (in.ext_total > in.n_ext)
        snprintf(v + off, off < sizeof v ? sizeof v - off : 0, ", and %zu more",
                 in.ext_total - in.n_ext);
    line("extensions", in.n_ext ? v : "(none)");
    line("self-signed", in.self_signed   ? "yes"
                        : in.self_issued ? "self-issued, not self-signed"
                                         : "no");
    line_hex("sha256", in.sha256, sizeof in.sha256);
}

static void show_x509_crl(const rcp_x509_crl *crl)
{
    rcp_x509_crl_info in;
    char v[128];
    if (rcp_x509_crl_get_info(crl, &in) != 0) {
        line("error", "CRL fields unreadable");
        return;
    }
    line("format", "x509");
    line("kind", "CRL");
    snprintf(v, sizeof v, "%d", in.version);
    line("version", v);
    line("issuer", in.issuer);
    if (in.has_crl_number) {
        snprintf(v, sizeof v, "%llu", (unsigned long long)in.crl_number);
        line("crl number", v);
    } else {
        line("crl number", "(absent)");
    }
    line_time("this update", in.this_update);
    if (in.has_next_update)
        line_time("next update", in.next_update);
    else
        line("next update", "(absent)");
    line_hex("authority key id", in.aki, in.aki_len);
    line("signature", in.sig_alg);
    snprintf(v, sizeof v, "%zu", in.n_revoked);
    line("revoked", v);
    for (size_t i = 0; i < in.n_revoked; i++) {
        uint8_t sn[RCP_X509_SERIAL_MAX + 1];
        size_t sl = 0;
        int64_t at = 0;
        char hex[2 * sizeof sn + 1], t[32];
        if (rcp_x509_crl_entry(crl, i, sn, &sl, &at) != 0)
            continue;
        pki_hex(sn, sl, hex, sizeof hex);
        pki_fmt_time(at, t);
        printf("  serial %s revoked at %s\n", hex, t);
    }
}

static void show_compact(const rcp_ccert *c, size_t size)
{
    char v[128];
    uint8_t kid[RCP_KEY_ID_LEN];
    line("format", "compact");
    line("kind", "certificate");
    line_hex("serial", c->serial, c->serial_len);
    snprintf(v, sizeof v, "%.*s", (int)c->subject_len, c->subject);
    line("subject", v);
    line_hex("issuer key id", c->issuer_kid, RCP_KEY_ID_LEN);
    line_hex("subject key id", c->subject_kid, RCP_KEY_ID_LEN);
    line("usage", rcp_key_usage_name(c->usage));
    line("curve", rcp_curve_name(c->curve));
    line_hex("public key", c->pk, sizeof c->pk);
    line_time("not before", (int64_t)c->not_before);
    line_time("not after", (int64_t)c->not_after);
    line_hex("attributes", c->attrs, c->attrs_len);
    line_hex("signature", c->sig, RCP_CCERT_SIG_LEN);
    memcpy(kid, c->issuer_kid, sizeof kid);
    line("self-signed",
         memcmp(kid, c->subject_kid, RCP_KEY_ID_LEN) == 0 ? "yes (by key id)" : "no");
    snprintf(v, sizeof v, "%zu bytes", size);
    line("size", v);
}

static void show_compact_crl(const rcp_ccrl *crl, size_t size)
{
    static const rcp_cbor_limits lim = {RCP_CCRL_MAX_LEN, 2, RCP_CCRL_MAX_REVOKED + 1, false};
    rcp_cbor_cursor c;
    size_t count = 0, n = 0;
    const uint8_t *p = NULL;
    char v[64];
    line("format", "compact");
    line("kind", "CRL");
    line_hex("issuer key id", crl->issuer_kid, RCP_KEY_ID_LEN);
    line_time("this update", (int64_t)crl->this_update);
    line_time("next update", (int64_t)crl->next_update);
    snprintf(v, sizeof v, "%zu", crl->n_revoked);
    line("revoked", v);
    /* The revoked array, already validated by rcp_ccrl_decode. */
    if (rcp_cbor_decode_init(&c, crl->revoked, crl->revoked_len, &lim) == 0 &&
        rcp_cbor_expect_array(&c, &count) == 0)
        for (size_t i = 0; i < count; i++) {
            char hex[2 * RCP_CCERT_SERIAL_MAX + 1];
            if (rcp_cbor_expect_bstr(&c, &p, &n, 1, RCP_CCERT_SERIAL_MAX) != 0)
                break;
            pki_hex(p, n, hex, sizeof hex);
            printf("  serial %s\n", hex);
        }
    snprintf(v, sizeof v, "%zu bytes", size);
    line("size", v);
}

int pki_cmd_show(int argc, char **argv)
{
    const char *in_file = NULL;
    int help = 0, ret;
    uint8_t *buf = NULL;
    size_t len = 0;
    struct cli_opt o[] = {{"in", CLI_STRING, &in_file, 0, NULL}};
    ret = cli_parse(CMD, argc, argv, 1, o, 1, &help);
    if (ret == 0 && help) {
        printf("usage: rcprov pki show --in FILE\n\n"
               "Prints the fields of an X.509 certificate (every one of a PEM bundle), an X.509\n"
               "CRL, a compact certificate or a compact CRL.  The format is detected.\n");
        return 0;
    }
    if (ret)
        return ret;
    if (!in_file) {
        fprintf(stderr, "%s: missing required option --in\n", CMD);
        return CLI_EXIT_USAGE;
    }
    if (pki_read_file(CMD, "--in", in_file, PKI_FILE_MAX, &buf, &len) != 0)
        return CLI_EXIT_USAGE;
    enum pki_kind kind = pki_detect(buf, len);
    ret = 0;
    switch (kind) {
    case PKI_KIND_X509_CERT: {
        rcp_x509 *certs[BUNDLE_MAX];
        size_t n = 0;
        if (rcp_x509_read(buf, len, certs, BUNDLE_MAX, &n) != 0) {
            fprintf(stderr, "%s: --in %s: malformed X.509 certificate\n", CMD, in_file);
            ret = CLI_EXIT_USAGE;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (i)
                printf("\n");
            show_x509(certs[i]);
            rcp_x509_free(certs[i]);
        }
        break;
    }
    case PKI_KIND_X509_CRL: {
        rcp_x509_crl *crl = NULL;
        if (rcp_x509_crl_read(buf, len, &crl) != 0) {
            fprintf(stderr, "%s: --in %s: malformed X.509 CRL\n", CMD, in_file);
            ret = CLI_EXIT_USAGE;
            break;
        }
        show_x509_crl(crl);
        rcp_x509_crl_free(crl);
        break;
    }
    case PKI_KIND_COMPACT_CERT: {
        rcp_ccert c;
        if (rcp_ccert_decode(buf, len, &c) == 0)
            show_compact(&c, len);
        break;
    }
    case PKI_KIND_COMPACT_CRL: {
        rcp_ccrl c;
        if (rcp_ccrl_decode(buf, len, &c) == 0)
            show_compact_crl(&c, len);
        break;
    }
    case PKI_KIND_KEY:
        fprintf(stderr, "%s: --in %s is a private key; show prints certificates and CRLs only\n",
                CMD, in_file);
        ret = CLI_EXIT_USAGE;
        break;
    case PKI_KIND_UNKNOWN:
        fprintf(stderr, "%s: --in %s is %s\n", CMD, in_file, pki_kind_name(kind));
        ret = CLI_EXIT_USAGE;
        break;
    }
    free(buf);
    return ret;
}
