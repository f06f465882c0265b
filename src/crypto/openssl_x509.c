/*
 * X.509 v3 certificates, CRLs and trust stores over OpenSSL 3
 * (rcprov/x509.h).  Profile, cross-certification and verification rules:
 * docs/spec/x509.md.
 *
 * Two ways to verify:
 *  - full path validation by OpenSSL's X509_verify_cert (RFC 5280 6.1) with
 *    X509_V_FLAG_X509_STRICT and CRL checking on every certificate of the
 *    path (a missing CRL is tolerated or not by the store's policy);
 *  - the cached fast path: CA certificates that passed the full validation
 *    are kept parsed with their path's validity window, CRL and path-length
 *    budget, so a leaf they issued costs one parse, one signature check and
 *    a few comparisons.  It applies the same checks to the leaf as the full
 *    path does, so both give the same answer.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/asn1t.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "openssl_internal.h"
#include "rcprov/bytes.h"
#include "rcprov/x509.h"

#define PEM_LABEL_CERT "CERTIFICATE"        /* RFC 7468 5 */
#define PEM_LABEL_CRL "X509 CRL"            /* RFC 7468 6 */
#define READ_MAX (2 * RCP_X509_CRL_DER_MAX) /* largest PEM/DER input read */

/* ------------------------------------------------------------- helpers */

static void set_why(rcp_x509_why *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_why(rcp_x509_why *why, const char *fmt, ...)
{
    if (why == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->text, sizeof why->text, fmt, ap);
    va_end(ap);
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian calendar (RFC 5280
 * 4.1.2.5: times are UTC in the Gregorian calendar).  Counted in 400-year
 * eras of 146097 days, each year starting on March 1 so that the leap day
 * is the last day of a year. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                   /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
    return era * 146097 + doe - 719468; /* 719468: 0000-03-01 .. 1970-01-01 */
}

static int time_get(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return RCP_ERR_DECODE;
    }
    *out = days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return RCP_OK;
}

/* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on;
 * ASN1_TIME_set makes exactly that choice. */
static int time_set(ASN1_TIME *t, int64_t v)
{
    return t != NULL && ASN1_TIME_set(t, (time_t)v) != NULL ? RCP_OK : RCP_ERR_CRYPTO;
}

static int time_ok(int64_t t)
{
    return t >= RCP_X509_TIME_MIN && t <= RCP_X509_TIME_MAX;
}

/* Serial magnitude -> INTEGER.  RFC 5280 4.1.2.2: positive, at most 20
 * octets of content (a leading 0x00 counts when the top bit is set). */
static int serial_to_asn1(const uint8_t *s, size_t n, ASN1_INTEGER **out)
{
    *out = NULL;
    if (s == NULL)
        return RCP_ERR_INVALID_ARG;
    while (n > 0 && s[0] == 0) {
        s++;
        n--;
    }
    if (n == 0 || n > RCP_X509_SERIAL_MAX || (n == RCP_X509_SERIAL_MAX && (s[0] & 0x80)))
        return RCP_ERR_INVALID_ARG;
    BIGNUM *bn = BN_bin2bn(s, (int)n, NULL);
    ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    BN_free(bn);
    if (ai == NULL) {
        ERR_clear_error();
        return RCP_ERR_NO_MEMORY;
    }
    *out = ai;
    return RCP_OK;
}

/* INTEGER -> magnitude bytes (at most RCP_X509_SERIAL_MAX + 1). */
static int serial_from_asn1(const ASN1_INTEGER *ai, uint8_t out[RCP_X509_SERIAL_MAX + 1],
                            size_t *len, int *negative)
{
    int ret = RCP_ERR_CERT;
    BIGNUM *bn = ASN1_INTEGER_to_BN(ai, NULL);
    *len = 0;
    if (bn == NULL) {
        ret = RCP_ERR_DECODE;
        goto out;
    }
    int n = BN_num_bytes(bn);
    if (n > RCP_X509_SERIAL_MAX + 1)
        goto out;
    if (negative)
        *negative = BN_is_negative(bn);
    *len = (size_t)BN_bn2bin(bn, out);
    ret = RCP_OK;
out:
    if (ret)
        ERR_clear_error();
    BN_free(bn);
    return ret;
}

static void hex_of(const uint8_t *p, size_t n, char *out, size_t cap)
{
    if (n == 0 || rcp_hex_encode(p, n, out, cap) != 0)
        snprintf(out, cap, "%s", n == 0 ? "00" : "?");
}

/* UTF-8 text of a string, "" when absent, longer than cap-1, or holding
 * NUL; control characters shown as '?' (names end up in one-line
 * reasons). */
static void utf8_copy(const ASN1_STRING *s, char *out, size_t cap)
{
    unsigned char *u = NULL;
    out[0] = '\0';
    int n = s ? ASN1_STRING_to_UTF8(&u, s) : -1;
    if (n >= 0 && (size_t)n < cap && memchr(u, 0, (size_t)n) == NULL) {
        for (int i = 0; i < n; i++)
            out[i] = (u[i] < 0x20 || u[i] == 0x7f) ? '?' : (char)u[i];
        out[n] = '\0';
    }
    OPENSSL_free(u);
    ERR_clear_error();
}

static void name_cn(const X509_NAME *nm, char out[RCP_X509_NAME_MAX + 1])
{
    out[0] = '\0';
    int i = nm ? X509_NAME_get_index_by_NID(nm, NID_commonName, -1) : -1;
    if (i >= 0)
        utf8_copy(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i)), out, RCP_X509_NAME_MAX + 1);
}

/* RFC 2253 one-line form, UTF-8 kept as is. */
static void name_line(const X509_NAME *nm, char *out, size_t cap)
{
    char *p = NULL;
    out[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (b != NULL && nm != NULL &&
        X509_NAME_print_ex(b, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        long n = BIO_get_mem_data(b, &p);
        if (n > 0 && p != NULL) {
            size_t k = (size_t)n < cap ? (size_t)n : cap - 1;
            for (size_t i = 0; i < k; i++)
                out[i] = ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) ? '?' : p[i];
            out[k] = '\0';
        }
    }
    BIO_free(b);
    ERR_clear_error();
}

/* A name for people: the commonName, else the one-line DN. */
static void display_name(const X509_NAME *nm, char *out, size_t cap)
{
    char cn[RCP_X509_NAME_MAX + 1];
    name_cn(nm, cn);
    if (cn[0] != '\0')
        snprintf(out, cap, "%s", cn);
    else
        name_line(nm, out, cap);
}

static void cert_display(X509 *x, char *out, size_t cap)
{
    display_name(x ? X509_get_subject_name(x) : NULL, out, cap);
}

/* DER starts with a SEQUENCE tag; anything else is read as PEM text
 * (RFC 7468 2: text may precede and follow the blocks). */
static int is_pem(const uint8_t *buf, size_t len)
{
    return len > 0 && buf[0] != 0x30;
}

/* PEM armour (RFC 7468) of der into out, NUL-terminated. */
static int pem_encode(BIO *b, const char *label, const uint8_t *der, size_t len, char *out,
                      size_t cap, size_t *out_len)
{
    char *p = NULL;
    if (b == NULL)
        return RCP_ERR_NO_MEMORY;
    if (PEM_write_bio(b, label, "", der, (long)len) <= 0) {
        ERR_clear_error();
        return RCP_ERR_CRYPTO;
    }
    long n = BIO_get_mem_data(b, &p);
    if (n <= 0 || p == NULL)
        return RCP_ERR_CRYPTO;
    *out_len = (size_t)n + 1;
    if (out == NULL || cap < (size_t)n + 1)
        return RCP_ERR_BUFFER_TOO_SMALL;
    memcpy(out, p, (size_t)n);
    out[n] = '\0';
    *out_len = (size_t)n;
    return RCP_OK;
}

/* The profile's curves (docs/spec/x509.md "Keys"). */
static int cert_curve_ok(rcp_curve c)
{
    return c == RCP_CURVE_P256 || c == RCP_CURVE_BP256R1;
}

/* Printable name of a name or text field: bytes 1..64, no control
 * characters (they would end up in one-line reasons and logs). */
static int name_field_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > RCP_X509_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* keyUsage bits of OpenSSL (KU_*) -> RFC 5280 bit numbers. */
static unsigned ku_from_openssl(uint32_t k)
{
    static const struct {
        uint32_t ossl;
        unsigned rcp;
    } map[] = {
        {KU_DIGITAL_SIGNATURE, RCP_X509_KU_DIGITAL_SIGNATURE},
        {KU_NON_REPUDIATION, RCP_X509_KU_NON_REPUDIATION},
        {KU_KEY_ENCIPHERMENT, RCP_X509_KU_KEY_ENCIPHERMENT},
        {KU_DATA_ENCIPHERMENT, RCP_X509_KU_DATA_ENCIPHERMENT},
        {KU_KEY_AGREEMENT, RCP_X509_KU_KEY_AGREEMENT},
        {KU_KEY_CERT_SIGN, RCP_X509_KU_KEY_CERT_SIGN},
        {KU_CRL_SIGN, RCP_X509_KU_CRL_SIGN},
        {KU_ENCIPHER_ONLY, RCP_X509_KU_ENCIPHER_ONLY},
        {KU_DECIPHER_ONLY, RCP_X509_KU_DECIPHER_ONLY},
    };
    unsigned r = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (k & map[i].ossl)
            r |= map[i].rcp;
    return r;
}

/* A certificate that may issue certificates: basicConstraints cA and, when
 * keyUsage is present, keyCertSign (RFC 5280 4.2.1.3, 4.2.1.9). */
static int x509_is_ca(X509 *x)
{
    uint32_t fl = X509_get_extension_flags(x);
    if ((fl & EXFLAG_INVALID) || !(fl & EXFLAG_CA))
        return 0;
    return !(fl & EXFLAG_KUSAGE) || (X509_get_key_usage(x) & KU_KEY_CERT_SIGN);
}

/* Usage class from the basicConstraints cA flag and keyUsage (OpenSSL KU_*). */
static rcp_x509_usage usage_class(int is_ca, int has_ku, uint32_t ku)
{
    if (is_ca)
        return RCP_X509_USAGE_CA;
    if (!has_ku)
        return RCP_X509_USAGE_ANY;
    int ds = (ku & KU_DIGITAL_SIGNATURE) != 0, ka = (ku & KU_KEY_AGREEMENT) != 0;
    return ds && !ka ? RCP_X509_USAGE_SIGN : ka && !ds ? RCP_X509_USAGE_AGREE : RCP_X509_USAGE_ANY;
}

static rcp_x509_usage x509_usage(X509 *x)
{
    uint32_t fl = X509_get_extension_flags(x);
    return usage_class((fl & EXFLAG_CA) != 0, (fl & EXFLAG_KUSAGE) != 0, X509_get_key_usage(x));
}

const char *rcp_x509_usage_name(rcp_x509_usage u)
{
    switch (u) {
    case RCP_X509_USAGE_ANY:
        return "any";
    case RCP_X509_USAGE_CA:
        return "ca";
    case RCP_X509_USAGE_SIGN:
        return "sign";
    case RCP_X509_USAGE_AGREE:
        return "agree";
    }
    return NULL;
}

/* Is a certificate usable for want?  rcprov requires keyUsage for every
 * usage check (its own certificates always carry it, critical). */
static int usage_ok(const X509_NAME *subject, int is_ca, int has_ku, uint32_t ku,
                    rcp_x509_usage want, rcp_x509_why *why)
{
    int ok = 0;
    if (!has_ku)
        ku = 0;
    switch (want) {
    case RCP_X509_USAGE_CA:
        ok = is_ca && (ku & KU_KEY_CERT_SIGN);
        break;
    case RCP_X509_USAGE_SIGN:
        ok = !is_ca && (ku & KU_DIGITAL_SIGNATURE);
        break;
    case RCP_X509_USAGE_AGREE:
        ok = !is_ca && (ku & KU_KEY_AGREEMENT);
        break;
    case RCP_X509_USAGE_ANY:
        ok = 1;
        break;
    }
    if (ok)
        return RCP_OK;
    char nm[RCP_X509_DN_MAX];
    display_name(subject, nm, sizeof nm);
    rcp_x509_usage has = usage_class(is_ca, has_ku, ku);
    set_why(why, "certificate '%s' has usage '%s', expected '%s'", nm,
            has == RCP_X509_USAGE_ANY ? "none or mixed" : rcp_x509_usage_name(has),
            rcp_x509_usage_name(want));
    return RCP_ERR_CERT;
}

static int usage_check(X509 *x, rcp_x509_usage want, rcp_x509_why *why)
{
    uint32_t fl = X509_get_extension_flags(x);
    return usage_ok(X509_get_subject_name(x), (fl & EXFLAG_CA) != 0, (fl & EXFLAG_KUSAGE) != 0,
                    X509_get_key_usage(x), want, why);
}

/* ---------------------------------------------------------- certificates */

struct rcp_x509 {
    atomic_long refs;
    X509 *x;
    uint8_t *der;
    size_t der_len;
};

static int wrap_x509(const uint8_t *der, size_t len, X509 *x, rcp_x509 **out)
{
    rcp_x509 *c = calloc(1, sizeof *c);
    uint8_t *copy = malloc(len);
    if (c == NULL || copy == NULL) {
        free(c);
        free(copy);
        return RCP_ERR_NO_MEMORY;
    }
    memcpy(copy, der, len);
    atomic_init(&c->refs, 1);
    c->x = x;
    c->der = copy;
    c->der_len = len;
    (void)X509_get_extension_flags(x); /* compute OpenSSL's extension cache once, here */
    ERR_clear_error();
    *out = c;
    return RCP_OK;
}

int rcp_x509_from_der(const uint8_t *der, size_t len, rcp_x509 **out)
{
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (der == NULL && len != 0)
        return RCP_ERR_INVALID_ARG;
    if (len > RCP_X509_DER_MAX)
        return RCP_ERR_LENGTH;
    if (len == 0)
        return RCP_ERR_DECODE;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL || p != der + len) { /* nothing may follow the certificate */
        X509_free(x);
        ERR_clear_error();
        return RCP_ERR_DECODE;
    }
    int ret = wrap_x509(der, len, x, out);
    if (ret)
        X509_free(x);
    return ret;
}

int rcp_x509_read(const uint8_t *buf, size_t len, rcp_x509 **out, size_t cap, size_t *n)
{
    int ret = RCP_ERR_DECODE;
    BIO *b = NULL;
    char *name = NULL, *hdr = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    size_t got = 0;
    if (out == NULL || n == NULL || (buf == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    *n = 0;
    if (len > READ_MAX)
        return RCP_ERR_LENGTH;
    if (!is_pem(buf, len)) {
        if (cap < 1)
            return RCP_ERR_LIMIT;
        ret = rcp_x509_from_der(buf, len, &out[0]);
        if (ret == 0)
            *n = 1;
        return ret;
    }
    b = BIO_new_mem_buf(buf, (int)len);
    if (b == NULL) {
        ret = RCP_ERR_NO_MEMORY;
        goto out;
    }
    for (;;) {
        ERR_clear_error();
        if (PEM_read_bio(b, &name, &hdr, &data, &dlen) != 1) {
            /* End of input is "no start line"; anything else is a broken block. */
            unsigned long e = ERR_peek_last_error();
            ret = (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)
                      ? (got ? RCP_OK : RCP_ERR_DECODE)
                      : RCP_ERR_DECODE;
            goto out;
        }
        if (strcmp(name, PEM_LABEL_CERT) == 0) {
            if (got == cap) {
                ret = RCP_ERR_LIMIT;
                goto out;
            }
            ret = rcp_x509_from_der(data, (size_t)dlen, &out[got]);
            if (ret)
                goto out;
            got++;
        }
        OPENSSL_free(name);
        OPENSSL_free(hdr);
        OPENSSL_free(data);
        name = hdr = NULL;
        data = NULL;
    }
out:
    ERR_clear_error();
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    OPENSSL_free(data);
    BIO_free(b);
    if (ret) {
        for (size_t i = 0; i < got; i++) {
            rcp_x509_free(out[i]);
            out[i] = NULL;
        }
        got = 0;
    }
    *n = got;
    return ret;
}

const uint8_t *rcp_x509_der(const rcp_x509 *c, size_t *len)
{
    if (c == NULL) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = c->der_len;
    return c->der;
}

int rcp_x509_to_pem(const rcp_x509 *c, char *out, size_t cap, size_t *out_len)
{
    if (c == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    BIO *b = BIO_new(BIO_s_mem());
    int ret = pem_encode(b, PEM_LABEL_CERT, c->der, c->der_len, out, cap, out_len);
    BIO_free(b);
    return ret;
}

int rcp_x509_ref(rcp_x509 *c, rcp_x509 **out)
{
    if (c == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    atomic_fetch_add(&c->refs, 1);
    *out = c;
    return RCP_OK;
}

void rcp_x509_free(rcp_x509 *c)
{
    if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    X509_free(c->x);
    free(c->der);
    free(c);
}

int rcp_x509_public_key(const rcp_x509 *c, rcp_ec_key **out)
{
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (c == NULL)
        return RCP_ERR_INVALID_ARG;
    EVP_PKEY *pk = X509_get0_pubkey(c->x);
    if (pk == NULL) {
        ERR_clear_error();
        return RCP_ERR_UNSUPPORTED;
    }
    return rcp_ec_key_from_evp(pk, out);
}

rcp_x509_usage rcp_x509_usage_of(const rcp_x509 *c)
{
    return c ? x509_usage(c->x) : RCP_X509_USAGE_ANY;
}

static void keyid_copy(const ASN1_OCTET_STRING *os, uint8_t *out, size_t *len)
{
    *len = 0;
    if (os == NULL)
        return;
    int n = ASN1_STRING_length(os);
    if (n > 0 && n <= RCP_X509_KEYID_MAX) {
        memcpy(out, ASN1_STRING_get0_data(os), (size_t)n);
        *len = (size_t)n;
    }
}

/* Short name of an object, or its dotted form. */
static void obj_name(const ASN1_OBJECT *o, char *out, size_t cap)
{
    int nid = OBJ_obj2nid(o);
    const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
    if (sn != NULL)
        snprintf(out, cap, "%s", sn);
    else if (OBJ_obj2txt(out, (int)cap, o, 1) <= 0)
        snprintf(out, cap, "?");
}

int rcp_x509_get_info(const rcp_x509 *c, rcp_x509_info *out)
{
    int ret = RCP_ERR_INVALID_ARG;
    rcp_ec_key *k = NULL;
    if (c == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    X509 *x = c->x;
    uint32_t fl = X509_get_extension_flags(x);
    out->version = (int)X509_get_version(x) + 1;
    ret = serial_from_asn1(X509_get0_serialNumber(x), out->serial, &out->serial_len,
                           &out->serial_negative);
    if (ret)
        goto out;
    name_line(X509_get_subject_name(x), out->subject, sizeof out->subject);
    name_line(X509_get_issuer_name(x), out->issuer, sizeof out->issuer);
    name_cn(X509_get_subject_name(x), out->subject_cn);
    name_cn(X509_get_issuer_name(x), out->issuer_cn);
    ret = time_get(X509_get0_notBefore(x), &out->not_before);
    if (ret == 0)
        ret = time_get(X509_get0_notAfter(x), &out->not_after);
    if (ret)
        goto out;
    const X509_ALGOR *sig_alg = NULL;
    const ASN1_OBJECT *alg = NULL;
    X509_get0_signature(NULL, &sig_alg, x);
    X509_ALGOR_get0(&alg, NULL, NULL, sig_alg);
    obj_name(alg, out->sig_alg, sizeof out->sig_alg);
    ASN1_OBJECT *kalg = NULL;
    X509_PUBKEY *xpk = X509_get_X509_PUBKEY(x);
    if (xpk != NULL && X509_PUBKEY_get0_param(&kalg, NULL, NULL, NULL, xpk) == 1)
        obj_name(kalg, out->key_alg, sizeof out->key_alg);
    if (rcp_x509_public_key(c, &k) == 0 &&
        rcp_ec_key_public(k, 0, out->pub, sizeof out->pub, &out->pub_len) == 0)
        out->curve = rcp_ec_key_curve(k);
    else
        out->pub_len = 0;
    out->has_key_usage = (fl & EXFLAG_KUSAGE) != 0;
    out->key_usage = out->has_key_usage ? ku_from_openssl(X509_get_key_usage(x)) : 0;
    out->has_basic_constraints = (fl & EXFLAG_BCONS) != 0;
    out->is_ca = (fl & EXFLAG_CA) != 0;
    long pl = X509_get_pathlen(x);
    out->path_len = (pl >= 0 && pl <= INT_MAX) ? (int)pl : RCP_X509_PATHLEN_NONE;
    out->usage = x509_usage(x);
    keyid_copy(X509_get0_subject_key_id(x), out->ski, &out->ski_len);
    keyid_copy(X509_get0_authority_key_id(x), out->aki, &out->aki_len);
    out->self_issued = (fl & EXFLAG_SI) != 0;
    out->self_signed = X509_self_signed(x, 1) == 1;
    ret = rcp_sha256(c->der, c->der_len, out->sha256);
    if (ret)
        goto out;
    int n_ext = X509_get_ext_count(x);
    out->ext_total = n_ext > 0 ? (size_t)n_ext : 0;
    for (int i = 0; i < n_ext && out->n_ext < RCP_X509_EXT_MAX; i++) {
        X509_EXTENSION *e = X509_get_ext(x, i);
        obj_name(X509_EXTENSION_get_object(e), out->ext[out->n_ext].name,
                 sizeof out->ext[out->n_ext].name);
        out->ext[out->n_ext].critical = X509_EXTENSION_get_critical(e) > 0;
        out->n_ext++;
    }
    ret = RCP_OK;
out:
    ERR_clear_error();
    rcp_ec_key_free(k);
    return ret;
}

int rcp_x509_signed_by(const rcp_x509 *a, const rcp_x509 *b)
{
    if (a == NULL || b == NULL)
        return 0;
    /* X509_check_issued: names, AKI against SKI, issuer key usage. */
    int ok = X509_check_issued(b->x, a->x) == X509_V_OK &&
             X509_verify(a->x, X509_get0_pubkey(b->x)) == 1;
    ERR_clear_error();
    return ok;
}

/* ------------------------------------------------------------- issuing */

/* RFC 7093 2 method 1: the leftmost 160 bits of SHA-256 over the value of
 * the subjectPublicKey BIT STRING (tag, length and unused-bits octet
 * excluded). */
static int ski_compute(X509 *x, uint8_t ski[RCP_X509_SKI_LEN])
{
    uint8_t h[RCP_SHA256_LEN];
    ASN1_BIT_STRING *bits = X509_get0_pubkey_bitstr(x);
    if (bits == NULL || ASN1_STRING_length(bits) <= 0)
        return RCP_ERR_CERT;
    int ret = rcp_sha256(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), h);
    if (ret == 0)
        memcpy(ski, h, RCP_X509_SKI_LEN);
    return ret;
}

/* The key identifier a certificate's subject is known by: its SKI, or
 * (for foreign certificates without one) the RFC 7093 value. */
static int keyid_of(X509 *x, uint8_t *out, size_t *len)
{
    keyid_copy(X509_get0_subject_key_id(x), out, len);
    if (*len)
        return RCP_OK;
    *len = RCP_X509_SKI_LEN;
    return ski_compute(x, out);
}

struct tbs {
    const X509_NAME *subject;
    EVP_PKEY *subject_pkey; /* public part used */
    const uint8_t *ski;     /* NULL: computed */
    size_t ski_len;
    const ASN1_INTEGER *serial;
    rcp_x509_usage usage;
    int path_len;
    int64_t not_before, not_after;
};

static int add_ext(X509 *x, int nid, void *value, int critical)
{
    return X509_add1_ext_i2d(x, nid, value, critical, X509V3_ADD_DEFAULT) == 1 ? RCP_OK
                                                                               : RCP_ERR_CRYPTO;
}

/* Build, sign (issuer NULL: self-signed) and re-parse a certificate. */
static int sign_cert(const struct tbs *t, X509 *issuer, const rcp_ec_key *issuer_key,
                     rcp_x509 **out)
{
    int ret = RCP_ERR_NO_MEMORY;
    uint8_t ski[RCP_X509_KEYID_MAX], aki[RCP_X509_KEYID_MAX];
    size_t ski_len = 0, aki_len = 0;
    unsigned char *der = NULL;
    X509 *x = X509_new();
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
    ASN1_OCTET_STRING *ski_os = ASN1_OCTET_STRING_new();
    AUTHORITY_KEYID *akid = AUTHORITY_KEYID_new();
    if (x == NULL || bc == NULL || ku == NULL || ski_os == NULL || akid == NULL)
        goto out;
    ret = RCP_ERR_CRYPTO;
    /* RFC 5280 4.1.2.1: version 3, as extensions follow. */
    if (X509_set_version(x, X509_VERSION_3) != 1 ||
        X509_set_serialNumber(x, (ASN1_INTEGER *)t->serial) != 1 ||
        X509_set_subject_name(x, t->subject) != 1 ||
        X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : t->subject) != 1 ||
        time_set(X509_getm_notBefore(x), t->not_before) != 0 ||
        time_set(X509_getm_notAfter(x), t->not_after) != 0 ||
        X509_set_pubkey(x, t->subject_pkey) != 1)
        goto out;
    /* basicConstraints, RFC 5280 4.2.1.9: critical in every certificate
     * rcprov makes; cA TRUE with an optional pathLenConstraint for a CA,
     * cA FALSE (the DEFAULT, so an empty SEQUENCE) for a leaf. */
    bc->ca = t->usage == RCP_X509_USAGE_CA ? 0xff : 0;
    if (t->usage == RCP_X509_USAGE_CA && t->path_len >= 0) {
        bc->pathlen = ASN1_INTEGER_new();
        if (bc->pathlen == NULL || ASN1_INTEGER_set(bc->pathlen, t->path_len) != 1)
            goto out;
    }
    /* keyUsage, RFC 5280 4.2.1.3 (critical): bit 5 keyCertSign + bit 6
     * cRLSign for a CA, bit 0 digitalSignature for sign, bit 4
     * keyAgreement for agree (RFC 5480 3: the two EC key uses). */
    int ku_ok = 1;
    if (t->usage == RCP_X509_USAGE_CA)
        ku_ok = ASN1_BIT_STRING_set_bit(ku, 5, 1) && ASN1_BIT_STRING_set_bit(ku, 6, 1);
    else if (t->usage == RCP_X509_USAGE_SIGN)
        ku_ok = ASN1_BIT_STRING_set_bit(ku, 0, 1);
    else
        ku_ok = ASN1_BIT_STRING_set_bit(ku, 4, 1);
    if (!ku_ok)
        goto out;
    /* subjectKeyIdentifier, RFC 5280 4.2.1.2 (non-critical). */
    if (t->ski != NULL && t->ski_len > 0 && t->ski_len <= RCP_X509_KEYID_MAX) {
        memcpy(ski, t->ski, t->ski_len);
        ski_len = t->ski_len;
    } else {
        ret = ski_compute(x, ski);
        if (ret)
            goto out;
        ret = RCP_ERR_CRYPTO;
        ski_len = RCP_X509_SKI_LEN;
    }
    /* authorityKeyIdentifier, RFC 5280 4.2.1.1 (non-critical): keyIdentifier
     * = the issuer's SKI; a root names itself. */
    if (issuer != NULL) {
        ret = keyid_of(issuer, aki, &aki_len);
        if (ret)
            goto out;
        ret = RCP_ERR_CRYPTO;
    } else {
        memcpy(aki, ski, ski_len);
        aki_len = ski_len;
    }
    akid->keyid = ASN1_OCTET_STRING_new();
    if (akid->keyid == NULL || ASN1_OCTET_STRING_set(akid->keyid, aki, (int)aki_len) != 1 ||
        ASN1_OCTET_STRING_set(ski_os, ski, (int)ski_len) != 1 ||
        add_ext(x, NID_basic_constraints, bc, 1) != 0 || add_ext(x, NID_key_usage, ku, 1) != 0 ||
        add_ext(x, NID_subject_key_identifier, ski_os, 0) != 0 ||
        add_ext(x, NID_authority_key_identifier, akid, 0) != 0)
        goto out;
    /* signatureAlgorithm ecdsa-with-SHA256 (RFC 5758 3.2), parameters absent. */
    if (X509_sign(x, rcp_ec_key_evp(issuer_key), EVP_sha256()) <= 0)
        goto out;
    int der_len = i2d_X509(x, &der);
    if (der_len <= 0)
        goto out;
    ret = rcp_x509_from_der(der, (size_t)der_len, out);
out:
    if (ret)
        ERR_clear_error();
    OPENSSL_free(der);
    X509_free(x);
    BASIC_CONSTRAINTS_free(bc);
    ASN1_BIT_STRING_free(ku);
    ASN1_OCTET_STRING_free(ski_os);
    AUTHORITY_KEYID_free(akid);
    return ret;
}

static int validity_ok(int64_t nb, int64_t na)
{
    return time_ok(nb) && time_ok(na) && na > nb;
}

/* issuer_key may sign for issuer (a CA certificate), or for the subject of
 * a root when issuer is NULL. */
static int issuer_check(X509 *issuer, const rcp_ec_key *issuer_key, EVP_PKEY *root_subject)
{
    if (!cert_curve_ok(rcp_ec_key_curve(issuer_key)))
        return RCP_ERR_UNSUPPORTED;
    if (!rcp_ec_key_has_private(issuer_key))
        return RCP_ERR_KEY_INVALID;
    EVP_PKEY *want = issuer ? X509_get0_pubkey(issuer) : root_subject;
    if (issuer != NULL && !x509_is_ca(issuer)) {
        ERR_clear_error();
        return RCP_ERR_CERT;
    }
    int eq = want != NULL && EVP_PKEY_eq(want, rcp_ec_key_evp(issuer_key)) == 1;
    ERR_clear_error();
    return eq ? RCP_OK : RCP_ERR_KEY_INVALID;
}

int rcp_x509_issue(const rcp_x509_template *t, const rcp_x509 *issuer, const rcp_ec_key *issuer_key,
                   rcp_x509 **out)
{
    int ret = RCP_ERR_INVALID_ARG;
    ASN1_INTEGER *serial = NULL;
    X509_NAME *nm = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (t == NULL || issuer_key == NULL || t->subject_key == NULL || !name_field_ok(t->cn) ||
        (t->org != NULL && !name_field_ok(t->org)) || !validity_ok(t->not_before, t->not_after))
        return RCP_ERR_INVALID_ARG;
    if (t->usage != RCP_X509_USAGE_CA && t->usage != RCP_X509_USAGE_SIGN &&
        t->usage != RCP_X509_USAGE_AGREE)
        return RCP_ERR_INVALID_ARG;
    if (t->path_len < RCP_X509_PATHLEN_NONE ||
        (t->usage != RCP_X509_USAGE_CA && t->path_len != RCP_X509_PATHLEN_NONE))
        return RCP_ERR_INVALID_ARG;
    if (issuer == NULL && t->usage != RCP_X509_USAGE_CA)
        return RCP_ERR_INVALID_ARG; /* rcprov makes no self-signed leaves */
    if (!cert_curve_ok(rcp_ec_key_curve(t->subject_key)))
        return RCP_ERR_UNSUPPORTED;
    ret = issuer_check(issuer ? issuer->x : NULL, issuer_key, rcp_ec_key_evp(t->subject_key));
    if (ret)
        return ret;
    ret = serial_to_asn1(t->serial, t->serial_len, &serial);
    if (ret)
        return ret;
    ret = RCP_ERR_INVALID_ARG;
    nm = X509_NAME_new();
    /* Subject: O (when given) then CN, as UTF8String (RFC 5280 4.1.2.6,
     * 4.1.2.4: UTF8String for new certificates). */
    if (nm == NULL ||
        (t->org != NULL &&
         X509_NAME_add_entry_by_NID(nm, NID_organizationName, MBSTRING_UTF8,
                                    (const unsigned char *)t->org, -1, -1, 0) != 1) ||
        X509_NAME_add_entry_by_NID(nm, NID_commonName, MBSTRING_UTF8, (const unsigned char *)t->cn,
                                   -1, -1, 0) != 1)
        goto out; /* not UTF-8 */
    struct tbs b = {nm,          rcp_ec_key_evp(t->subject_key),
                    NULL,        0,
                    serial,      t->usage,
                    t->path_len, t->not_before,
                    t->not_after};
    ret = sign_cert(&b, issuer ? issuer->x : NULL, issuer_key, out);
out:
    ERR_clear_error();
    X509_NAME_free(nm);
    ASN1_INTEGER_free(serial);
    return ret;
}

int rcp_x509_cross_certify(const rcp_x509 *subject_ca, const rcp_x509 *issuer,
                           const rcp_ec_key *issuer_key, const uint8_t *serial, size_t serial_len,
                           int64_t not_before, int64_t not_after, int path_len, rcp_x509 **out)
{
    uint8_t ski[RCP_X509_KEYID_MAX];
    size_t ski_len = 0;
    ASN1_INTEGER *sn = NULL;
    rcp_ec_key *subject_key = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (subject_ca == NULL || issuer == NULL || issuer_key == NULL ||
        !validity_ok(not_before, not_after) || path_len < RCP_X509_PATHLEN_NONE)
        return RCP_ERR_INVALID_ARG;
    if (!x509_is_ca(subject_ca->x))
        return RCP_ERR_CERT;
    int ret = rcp_x509_public_key(subject_ca, &subject_key);
    if (ret)
        goto out;
    ret = RCP_ERR_UNSUPPORTED;
    if (!cert_curve_ok(rcp_ec_key_curve(subject_key)))
        goto out;
    ret = issuer_check(issuer->x, issuer_key, NULL);
    if (ret == 0)
        ret = keyid_of(subject_ca->x, ski, &ski_len);
    if (ret == 0)
        ret = serial_to_asn1(serial, serial_len, &sn);
    if (ret)
        goto out;
    /* The same subject name, key and SKI as B's own certificate: OpenSSL
     * then finds it as issuer of anything B signed (name and AKI match). */
    struct tbs b = {X509_get_subject_name(subject_ca->x),
                    rcp_ec_key_evp(subject_key),
                    ski,
                    ski_len,
                    sn,
                    RCP_X509_USAGE_CA,
                    path_len,
                    not_before,
                    not_after};
    ret = sign_cert(&b, issuer->x, issuer_key, out);
out:
    ERR_clear_error();
    ASN1_INTEGER_free(sn);
    rcp_ec_key_free(subject_key);
    return ret;
}

/* ------------------------------------------------------------------ CRLs */

struct rcp_x509_crl {
    X509_CRL *crl;
    uint8_t *der;
    size_t der_len;
};

static int crl_from_der(const uint8_t *der, size_t len, rcp_x509_crl **out)
{
    if (len > RCP_X509_CRL_DER_MAX)
        return RCP_ERR_LENGTH;
    if (len == 0)
        return RCP_ERR_DECODE;
    const unsigned char *p = der;
    X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
    rcp_x509_crl *c = NULL;
    uint8_t *copy = NULL;
    if (crl == NULL || p != der + len) {
        X509_CRL_free(crl);
        ERR_clear_error();
        return RCP_ERR_DECODE;
    }
    c = calloc(1, sizeof *c);
    copy = malloc(len);
    if (c == NULL || copy == NULL) {
        free(c);
        free(copy);
        X509_CRL_free(crl);
        return RCP_ERR_NO_MEMORY;
    }
    memcpy(copy, der, len);
    c->crl = crl;
    c->der = copy;
    c->der_len = len;
    *out = c;
    return RCP_OK;
}

int rcp_x509_crl_read(const uint8_t *buf, size_t len, rcp_x509_crl **out)
{
    int ret = RCP_ERR_DECODE;
    BIO *b = NULL;
    char *name = NULL, *hdr = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    if (out == NULL || (buf == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (len > READ_MAX)
        return RCP_ERR_LENGTH;
    if (!is_pem(buf, len))
        return crl_from_der(buf, len, out);
    b = BIO_new_mem_buf(buf, (int)len);
    if (b == NULL)
        return RCP_ERR_NO_MEMORY;
    for (;;) {
        if (PEM_read_bio(b, &name, &hdr, &data, &dlen) != 1)
            break; /* no (more) blocks, or a broken one */
        if (strcmp(name, PEM_LABEL_CRL) == 0) {
            ret = crl_from_der(data, (size_t)dlen, out);
            break;
        }
        OPENSSL_free(name);
        OPENSSL_free(hdr);
        OPENSSL_free(data);
        name = hdr = NULL;
        data = NULL;
    }
    ERR_clear_error();
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    OPENSSL_free(data);
    BIO_free(b);
    return ret;
}

const uint8_t *rcp_x509_crl_der(const rcp_x509_crl *crl, size_t *len)
{
    if (crl == NULL) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = crl->der_len;
    return crl->der;
}

int rcp_x509_crl_to_pem(const rcp_x509_crl *crl, char *out, size_t cap, size_t *out_len)
{
    if (crl == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    BIO *b = BIO_new(BIO_s_mem());
    int ret = pem_encode(b, PEM_LABEL_CRL, crl->der, crl->der_len, out, cap, out_len);
    BIO_free(b);
    return ret;
}

void rcp_x509_crl_free(rcp_x509_crl *crl)
{
    if (crl == NULL)
        return;
    X509_CRL_free(crl->crl);
    free(crl->der);
    free(crl);
}

/* The CRL's AKI keyIdentifier (RFC 5280 5.2.1), if any. */
static void crl_aki(X509_CRL *crl, uint8_t *out, size_t *len)
{
    *len = 0;
    AUTHORITY_KEYID *akid = X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, NULL, NULL);
    if (akid != NULL)
        keyid_copy(akid->keyid, out, len);
    AUTHORITY_KEYID_free(akid);
    ERR_clear_error();
}

/* cRLNumber (RFC 5280 5.2.3). */
static int crl_number(X509_CRL *crl, uint64_t *num)
{
    int ok = 0;
    ASN1_INTEGER *n = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
    if (n != NULL && ASN1_INTEGER_get_uint64(num, n) == 1)
        ok = 1;
    ASN1_INTEGER_free(n);
    ERR_clear_error();
    return ok;
}

int rcp_x509_crl_get_info(const rcp_x509_crl *c, rcp_x509_crl_info *out)
{
    if (c == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    X509_CRL *crl = c->crl;
    name_line(X509_CRL_get_issuer(crl), out->issuer, sizeof out->issuer);
    name_cn(X509_CRL_get_issuer(crl), out->issuer_cn);
    out->version = (int)X509_CRL_get_version(crl) + 1;
    if (time_get(X509_CRL_get0_lastUpdate(crl), &out->this_update) != 0)
        return RCP_ERR_DECODE;
    const ASN1_TIME *nu = X509_CRL_get0_nextUpdate(crl);
    if (nu != NULL) {
        if (time_get(nu, &out->next_update) != 0)
            return RCP_ERR_DECODE;
        out->has_next_update = 1;
    }
    out->has_crl_number = X509_CRL_get_ext_by_NID(crl, NID_crl_number, -1) >= 0;
    if (out->has_crl_number && !crl_number(crl, &out->crl_number))
        out->crl_number = 0;
    crl_aki(crl, out->aki, &out->aki_len);
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *obj = NULL;
    X509_CRL_get0_signature(crl, NULL, &alg);
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    obj_name(obj, out->sig_alg, sizeof out->sig_alg);
    STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(crl);
    out->n_revoked = rev ? (size_t)sk_X509_REVOKED_num(rev) : 0;
    ERR_clear_error();
    return RCP_OK;
}

int rcp_x509_crl_entry(const rcp_x509_crl *c, size_t i, uint8_t serial[RCP_X509_SERIAL_MAX + 1],
                       size_t *serial_len, int64_t *revoked_at)
{
    if (c == NULL || serial == NULL || serial_len == NULL || revoked_at == NULL)
        return RCP_ERR_INVALID_ARG;
    *serial_len = 0;
    STACK_OF(X509_REVOKED) *rev = X509_CRL_get_REVOKED(c->crl);
    if (rev == NULL || i >= (size_t)sk_X509_REVOKED_num(rev))
        return RCP_ERR_NOT_FOUND;
    X509_REVOKED *r = sk_X509_REVOKED_value(rev, (int)i);
    int ret = serial_from_asn1(X509_REVOKED_get0_serialNumber(r), serial, serial_len, NULL);
    if (ret == 0)
        ret = time_get(X509_REVOKED_get0_revocationDate(r), revoked_at);
    return ret;
}

static int crl_lists_int(X509_CRL *crl, const ASN1_INTEGER *serial)
{
    X509_REVOKED *r = NULL;
    int hit = X509_CRL_get0_by_serial(crl, &r, serial) > 0;
    ERR_clear_error();
    return hit;
}

int rcp_x509_crl_lists(const rcp_x509_crl *crl, const uint8_t *serial, size_t serial_len)
{
    ASN1_INTEGER *ai = NULL;
    if (crl == NULL || serial_to_asn1(serial, serial_len, &ai) != 0)
        return 0;
    int hit = crl_lists_int(crl->crl, ai);
    ASN1_INTEGER_free(ai);
    return hit;
}

static int crl_verify_with(X509_CRL *crl, X509 *issuer)
{
    int ok = X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) == 0 &&
             X509_CRL_verify(crl, X509_get0_pubkey(issuer)) == 1;
    ERR_clear_error();
    return ok;
}

int rcp_x509_crl_check_issuer(const rcp_x509_crl *crl, const rcp_x509 *issuer)
{
    if (crl == NULL || issuer == NULL)
        return RCP_ERR_INVALID_ARG;
    return crl_verify_with(crl->crl, issuer->x) ? RCP_OK : RCP_ERR_SIGNATURE;
}

int rcp_x509_crl_issue(const rcp_x509 *issuer, const rcp_ec_key *issuer_key, uint64_t number,
                       int64_t this_update, int64_t next_update, const rcp_x509_revoked *revoked,
                       size_t n, rcp_x509_crl **out)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t aki[RCP_X509_KEYID_MAX];
    size_t aki_len = 0;
    unsigned char *der = NULL;
    X509_CRL *crl = NULL;
    ASN1_TIME *tm = NULL;
    ASN1_INTEGER *num = NULL, *sn = NULL;
    AUTHORITY_KEYID *akid = NULL;
    X509_REVOKED *r = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (issuer == NULL || issuer_key == NULL || (n > 0 && revoked == NULL) ||
        !validity_ok(this_update, next_update) || n > (size_t)INT_MAX)
        return RCP_ERR_INVALID_ARG;
    ret = issuer_check(issuer->x, issuer_key, NULL);
    if (ret)
        return ret;
    if ((X509_get_extension_flags(issuer->x) & EXFLAG_KUSAGE) &&
        !(X509_get_key_usage(issuer->x) & KU_CRL_SIGN))
        return RCP_ERR_CERT; /* RFC 5280 4.2.1.3: cRLSign needed to sign CRLs */
    ret = keyid_of(issuer->x, aki, &aki_len);
    if (ret)
        return ret;
    ret = RCP_ERR_NO_MEMORY;
    crl = X509_CRL_new();
    tm = ASN1_TIME_new();
    num = ASN1_INTEGER_new();
    akid = AUTHORITY_KEYID_new();
    if (crl == NULL || tm == NULL || num == NULL || akid == NULL ||
        (akid->keyid = ASN1_OCTET_STRING_new()) == NULL)
        goto out;
    ret = RCP_ERR_CRYPTO;
    /* RFC 5280 5.1.2.1: v2 (extensions are present). */
    if (X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
        X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->x)) != 1 ||
        time_set(tm, this_update) != 0 || X509_CRL_set1_lastUpdate(crl, tm) != 1 ||
        time_set(tm, next_update) != 0 || X509_CRL_set1_nextUpdate(crl, tm) != 1)
        goto out;
    for (size_t i = 0; i < n; i++) {
        ret = serial_to_asn1(revoked[i].serial, revoked[i].serial_len, &sn);
        if (ret == 0 && !time_ok(revoked[i].revoked_at))
            ret = RCP_ERR_INVALID_ARG;
        if (ret)
            goto out;
        ret = RCP_ERR_CRYPTO;
        r = X509_REVOKED_new();
        if (r == NULL || X509_REVOKED_set_serialNumber(r, sn) != 1 ||
            time_set(tm, revoked[i].revoked_at) != 0 ||
            X509_REVOKED_set_revocationDate(r, tm) != 1 || X509_CRL_add0_revoked(crl, r) != 1)
            goto out;
        r = NULL;
        ASN1_INTEGER_free(sn);
        sn = NULL;
    }
    /* RFC 5280 5.1.2.6 leaves the order open; ascending serials make one
     * encoding per content and let OpenSSL binary-search the list. */
    if (X509_CRL_sort(crl) != 1)
        goto out;
    STACK_OF(X509_REVOKED) *list = X509_CRL_get_REVOKED(crl);
    for (int i = 1; i < sk_X509_REVOKED_num(list); i++)
        if (ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(list, i - 1)),
                             X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(list, i))) == 0) {
            ret = RCP_ERR_INVALID_ARG; /* the same serial twice */
            goto out;
        }
    /* RFC 5280 5.2.1 AKI and 5.2.3 cRLNumber, both non-critical. */
    if (ASN1_OCTET_STRING_set(akid->keyid, aki, (int)aki_len) != 1 ||
        ASN1_INTEGER_set_uint64(num, number) != 1 ||
        X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT) !=
            1 ||
        X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, X509V3_ADD_DEFAULT) != 1)
        goto out;
    /* RFC 5280 5.1.1.2: ecdsa-with-SHA256, as for certificates. */
    if (X509_CRL_sign(crl, rcp_ec_key_evp(issuer_key), EVP_sha256()) <= 0)
        goto out;
    int der_len = i2d_X509_CRL(crl, &der);
    if (der_len <= 0)
        goto out;
    ret = crl_from_der(der, (size_t)der_len, out);
out:
    ERR_clear_error();
    OPENSSL_free(der);
    X509_REVOKED_free(r);
    ASN1_INTEGER_free(sn);
    X509_CRL_free(crl);
    ASN1_TIME_free(tm);
    ASN1_INTEGER_free(num);
    AUTHORITY_KEYID_free(akid);
    return ret;
}

/* ----------------------------------------------------------- trust store */

/* A trust anchor or a CA certificate verified by the full path validation. */
struct entry {
    X509 *cert;
    rcp_ec_key *key;     /* its public key for the fast path; NULL if not an EC key of crypto.h */
    int parent;          /* index of the issuer's entry; -1 for an anchor */
    int64_t nb, na;      /* own validity: valid for nb <= t < na */
    int64_t from, until; /* the whole path's: the latest nb, the earliest na */
    int budget;          /* non-self-issued CA certificates allowed below (INT_MAX: no limit) */
    int crl;             /* index of the CRL this CA signed; CRL_NONE, or CRL_BAD when a CRL
                            naming it does not verify with its key */
    int revoked;         /* listed in the parent's CRL */
};

#define CRL_NONE (-1)
#define CRL_BAD (-2)

struct crl_slot {
    X509_CRL *crl;
    int verified; /* its signature verified with a cached issuer */
    int has_number;
    uint64_t number;
    int64_t this_update, next_update;
    int has_next_update;
};

struct rcp_x509_store {
    X509_STORE *anchors;
    STACK_OF(X509) * pool;     /* untrusted certificates and cached CAs, no self-signed */
    STACK_OF(X509_CRL) * crls; /* crls[i] is slot[i].crl */
    struct entry e[RCP_X509_STORE_MAX];
    size_t n;
    struct crl_slot slot[RCP_X509_STORE_MAX];
    size_t n_slot;
    rcp_x509_crl_policy policy;
};

int rcp_x509_store_new(rcp_x509_store **out)
{
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    rcp_x509_store *st = calloc(1, sizeof *st);
    if (st == NULL)
        return RCP_ERR_NO_MEMORY;
    st->anchors = X509_STORE_new();
    st->pool = sk_X509_new_null();
    st->crls = sk_X509_CRL_new_null();
    if (st->anchors == NULL || st->pool == NULL || st->crls == NULL) {
        rcp_x509_store_free(st);
        *out = NULL;
        return RCP_ERR_NO_MEMORY;
    }
    *out = st;
    return RCP_OK;
}

void rcp_x509_store_free(rcp_x509_store *st)
{
    if (st == NULL)
        return;
    X509_STORE_free(st->anchors);
    sk_X509_pop_free(st->pool, X509_free);
    sk_X509_CRL_free(st->crls); /* the slots own the CRLs */
    for (size_t i = 0; i < st->n; i++) {
        X509_free(st->e[i].cert);
        rcp_ec_key_free(st->e[i].key);
    }
    for (size_t i = 0; i < st->n_slot; i++)
        X509_CRL_free(st->slot[i].crl);
    free(st);
}

void rcp_x509_store_set_crl_policy(rcp_x509_store *st, rcp_x509_crl_policy p)
{
    if (st != NULL)
        st->policy = p;
}

static int entry_find(const rcp_x509_store *st, X509 *x)
{
    for (size_t i = 0; i < st->n; i++)
        if (X509_cmp(st->e[i].cert, x) == 0)
            return (int)i;
    return -1;
}

/* Could slot's CRL be e's?  Same name and, when the CRL has an AKI, the
 * entry's SKI (RFC 5280 6.3.3 (b)(1), (f)). */
static int crl_names_entry(X509_CRL *crl, X509 *cert)
{
    uint8_t a[RCP_X509_KEYID_MAX], s[RCP_X509_KEYID_MAX];
    size_t al = 0, sl = 0;
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(cert)) != 0)
        return 0;
    crl_aki(crl, a, &al);
    if (al == 0)
        return 1;
    keyid_copy(X509_get0_subject_key_id(cert), s, &sl);
    return sl == al && memcmp(a, s, al) == 0;
}

static int same_crl_issuer(X509_CRL *a, X509_CRL *b)
{
    uint8_t ka[RCP_X509_KEYID_MAX], kb[RCP_X509_KEYID_MAX];
    size_t la = 0, lb = 0;
    if (X509_NAME_cmp(X509_CRL_get_issuer(a), X509_CRL_get_issuer(b)) != 0)
        return 0;
    crl_aki(a, ka, &la);
    crl_aki(b, kb, &lb);
    return la == lb && memcmp(ka, kb, la) == 0;
}

/* Revocation flags of the cached CAs from their parents' CRLs. */
static void recompute_revoked(rcp_x509_store *st)
{
    for (size_t i = 0; i < st->n; i++) {
        struct entry *e = &st->e[i];
        e->revoked = 0;
        if (e->parent < 0)
            continue;
        int c = st->e[e->parent].crl;
        if (c >= 0)
            e->revoked = crl_lists_int(st->slot[c].crl, X509_get0_serialNumber(e->cert));
    }
}

/* Attach to entry i the held CRL that names it and verifies with its key.
 * One that names it but does not verify makes its certificates fail, as
 * OpenSSL's path validation fails on it (CRL_SIGNATURE_FAILURE). */
static void attach_crls(rcp_x509_store *st, size_t i)
{
    for (size_t s = 0; s < st->n_slot; s++) {
        if (!crl_names_entry(st->slot[s].crl, st->e[i].cert))
            continue;
        if (crl_verify_with(st->slot[s].crl, st->e[i].cert)) {
            st->slot[s].verified = 1;
            st->e[i].crl = (int)s;
        } else if (st->e[i].crl == CRL_NONE) {
            st->e[i].crl = CRL_BAD;
        }
    }
}

static int slot_fill(struct crl_slot *s, X509_CRL *crl)
{
    memset(s, 0, sizeof *s);
    s->crl = crl;
    s->has_number = crl_number(crl, &s->number);
    if (time_get(X509_CRL_get0_lastUpdate(crl), &s->this_update) != 0)
        return RCP_ERR_DECODE;
    const ASN1_TIME *nu = X509_CRL_get0_nextUpdate(crl);
    s->has_next_update = nu != NULL;
    if (nu != NULL && time_get(nu, &s->next_update) != 0)
        return RCP_ERR_DECODE;
    /* OpenSSL sorts the revoked list at the first lookup (under the CRL's
     * lock); do it here, once, before any verification thread looks. */
    ASN1_INTEGER *probe = ASN1_INTEGER_new();
    if (probe == NULL || ASN1_INTEGER_set(probe, 1) != 1) {
        ASN1_INTEGER_free(probe);
        return RCP_ERR_NO_MEMORY;
    }
    (void)crl_lists_int(crl, probe);
    ASN1_INTEGER_free(probe);
    return RCP_OK;
}

/* A new entry for cert under parent (-1: anchor); window and budget from
 * the parent.  Returns its index or a negative error. */
static int entry_add(rcp_x509_store *st, X509 *cert, int parent, rcp_x509_why *why)
{
    struct entry e;
    int64_t nb, na;
    char nm[RCP_X509_DN_MAX];
    if (st->n == RCP_X509_STORE_MAX) {
        set_why(why, "trust store full (%d certificates)", RCP_X509_STORE_MAX);
        return RCP_ERR_LIMIT;
    }
    if (time_get(X509_get0_notBefore(cert), &nb) != 0 ||
        time_get(X509_get0_notAfter(cert), &na) != 0) {
        cert_display(cert, nm, sizeof nm);
        set_why(why, "certificate '%s' has a malformed validity", nm);
        return RCP_ERR_CERT;
    }
    memset(&e, 0, sizeof e);
    e.parent = parent;
    e.crl = CRL_NONE;
    e.nb = e.from = nb;
    e.na = e.until = na;
    e.budget = INT_MAX;
    if (parent >= 0) {
        const struct entry *p = &st->e[parent];
        if (p->from > e.from)
            e.from = p->from;
        if (p->until < e.until)
            e.until = p->until;
        /* RFC 5280 6.1.4 (l), (m): a non-self-issued CA uses one step of
         * its issuer's path length. */
        e.budget = p->budget;
        if (!(X509_get_extension_flags(cert) & EXFLAG_SI) && e.budget != INT_MAX) {
            if (e.budget == 0) {
                char pn[RCP_X509_DN_MAX];
                cert_display(cert, nm, sizeof nm);
                cert_display(p->cert, pn, sizeof pn);
                set_why(why, "path length constraint of '%s' leaves no room for CA '%s' to issue",
                        pn, nm);
                return RCP_ERR_CERT;
            }
            e.budget--;
        }
    }
    long pl = X509_get_pathlen(cert);
    if (pl >= 0 && pl < e.budget)
        e.budget = (int)pl;
    if (rcp_ec_key_from_evp(X509_get0_pubkey(cert), &e.key) != 0)
        e.key = NULL; /* the full path still works; the fast path says why not */
    ERR_clear_error();
    if (!X509_up_ref(cert)) {
        rcp_ec_key_free(e.key);
        return RCP_ERR_CRYPTO;
    }
    e.cert = cert;
    st->e[st->n] = e;
    attach_crls(st, st->n);
    st->n++;
    recompute_revoked(st);
    return (int)st->n - 1;
}

int rcp_x509_store_add_anchor(rcp_x509_store *st, const rcp_x509 *cert, rcp_x509_why *why)
{
    char nm[RCP_X509_DN_MAX];
    if (st == NULL || cert == NULL)
        return RCP_ERR_INVALID_ARG;
    X509 *x = cert->x;
    cert_display(x, nm, sizeof nm);
    if (X509_self_signed(x, 0) != 1 || !x509_is_ca(x)) {
        ERR_clear_error();
        set_why(why, "'%s' is not a self-signed CA certificate", nm);
        return RCP_ERR_CERT;
    }
    if (X509_self_signed(x, 1) != 1) {
        ERR_clear_error();
        set_why(why, "self-signature of '%s' does not verify", nm);
        return RCP_ERR_SIGNATURE;
    }
    int i = entry_find(st, x);
    if (i >= 0 && st->e[i].parent < 0)
        return RCP_OK; /* idempotent */
    if (X509_STORE_add_cert(st->anchors, x) != 1) {
        ERR_clear_error();
        return RCP_ERR_CRYPTO;
    }
    int idx = entry_add(st, x, -1, why);
    return idx < 0 ? idx : RCP_OK;
}

static int pool_add(rcp_x509_store *st, X509 *x)
{
    for (int i = 0; i < sk_X509_num(st->pool); i++)
        if (X509_cmp(sk_X509_value(st->pool, i), x) == 0)
            return RCP_OK;
    if (sk_X509_num(st->pool) >= 2 * RCP_X509_STORE_MAX)
        return RCP_ERR_LIMIT;
    if (!X509_up_ref(x))
        return RCP_ERR_CRYPTO;
    if (sk_X509_push(st->pool, x) <= 0) {
        X509_free(x);
        return RCP_ERR_NO_MEMORY;
    }
    return RCP_OK;
}

int rcp_x509_store_add_untrusted(rcp_x509_store *st, const rcp_x509 *cert)
{
    if (st == NULL || cert == NULL)
        return RCP_ERR_INVALID_ARG;
    int ss = X509_self_signed(cert->x, 0);
    ERR_clear_error();
    if (ss == 1)
        return RCP_OK; /* only an anchor may end a path: see x509.h */
    return pool_add(st, cert->x);
}

int rcp_x509_store_add_crl(rcp_x509_store *st, const rcp_x509_crl *c, rcp_x509_why *why)
{
    int ok_by[RCP_X509_STORE_MAX];
    struct crl_slot fresh;
    char nm[RCP_X509_DN_MAX];
    if (st == NULL || c == NULL)
        return RCP_ERR_INVALID_ARG;
    X509_CRL *crl = c->crl;
    display_name(X509_CRL_get_issuer(crl), nm, sizeof nm);
    int ret = slot_fill(&fresh, crl);
    if (ret) {
        set_why(why, "CRL of '%s' has a malformed update time", nm);
        return ret;
    }
    size_t named = 0, verified = 0;
    for (size_t i = 0; i < st->n; i++) {
        ok_by[i] = 0;
        if (!crl_names_entry(crl, st->e[i].cert))
            continue;
        named++;
        ok_by[i] = crl_verify_with(crl, st->e[i].cert);
        verified += (size_t)ok_by[i];
    }
    if (named > 0 && verified == 0) {
        set_why(why, "CRL of '%s' does not verify with the key of '%s'", nm, nm);
        return RCP_ERR_SIGNATURE;
    }
    int s = -1;
    for (size_t i = 0; i < st->n_slot; i++)
        if (same_crl_issuer(st->slot[i].crl, crl))
            s = (int)i;
    if (s >= 0 && st->slot[s].verified && verified > 0) {
        /* RFC 5280 5.2.3: cRLNumber increases with each CRL; an older CRL
         * (or another CRL under the same number) is a replay. */
        const struct crl_slot *old = &st->slot[s];
        int same = i2d_X509_CRL(old->crl, NULL) == (int)c->der_len &&
                   X509_CRL_cmp(old->crl, crl) == 0 && X509_CRL_match(old->crl, crl) == 0;
        ERR_clear_error();
        if (same)
            return RCP_OK;
        int older = (old->has_number && fresh.has_number) ? fresh.number <= old->number
                                                          : fresh.this_update <= old->this_update;
        if (older) {
            set_why(why, "CRL of '%s' is not newer than the one held (replay?)", nm);
            return RCP_ERR_REPLAY;
        }
    }
    if (s < 0 && st->n_slot == RCP_X509_STORE_MAX) {
        set_why(why, "trust store full (%d CRLs)", RCP_X509_STORE_MAX);
        return RCP_ERR_LIMIT;
    }
    if (!X509_CRL_up_ref(crl))
        return RCP_ERR_CRYPTO;
    fresh.verified = verified > 0;
    if (s >= 0) {
        X509_CRL_free(st->slot[s].crl);
        st->slot[s] = fresh;
        (void)sk_X509_CRL_set(st->crls, s, crl);
    } else {
        if (sk_X509_CRL_push(st->crls, crl) <= 0) {
            X509_CRL_free(crl);
            return RCP_ERR_NO_MEMORY;
        }
        s = (int)st->n_slot++;
        st->slot[s] = fresh;
    }
    for (size_t i = 0; i < st->n; i++)
        if (ok_by[i])
            st->e[i].crl = s;
    recompute_revoked(st);
    return RCP_OK;
}

/* ------------------------------------------------- full path validation */

static int verify_cb(int ok, X509_STORE_CTX *ctx)
{
    if (ok)
        return 1;
    const rcp_x509_store *st = X509_STORE_CTX_get_app_data(ctx);
    /* RCP_X509_CRL_IF_PRESENT: a certificate whose issuer has no CRL in the
     * store is not checked; every CRL that is held is (stale ones fail). */
    if (X509_STORE_CTX_get_error(ctx) == X509_V_ERR_UNABLE_TO_GET_CRL && st != NULL &&
        st->policy == RCP_X509_CRL_IF_PRESENT)
        return 1;
    return 0;
}

static int map_verify_error(int err)
{
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
        return RCP_ERR_EXPIRED;
    case X509_V_ERR_CERT_REVOKED:
        return RCP_ERR_REVOKED;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        return RCP_ERR_SIGNATURE;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        return RCP_ERR_UNTRUSTED;
    case X509_V_ERR_OUT_OF_MEM:
        return RCP_ERR_NO_MEMORY;
    default:
        return RCP_ERR_CERT;
    }
}

/* The CRL held for the issuer of x (OpenSSL forgets which CRL failed). */
static const struct crl_slot *slot_for(const rcp_x509_store *st, X509 *x)
{
    uint8_t a[RCP_X509_KEYID_MAX], k[RCP_X509_KEYID_MAX];
    size_t al = 0, kl = 0;
    keyid_copy(X509_get0_authority_key_id(x), k, &kl);
    for (size_t i = 0; i < st->n_slot; i++) {
        X509_CRL *crl = st->slot[i].crl;
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(x)) != 0)
            continue;
        crl_aki(crl, a, &al);
        if (al == 0 || kl == 0 || (al == kl && memcmp(a, k, al) == 0))
            return &st->slot[i];
    }
    return NULL;
}

/* One line for people from a failed X509_verify_cert. */
static void why_from_ctx(rcp_x509_why *why, const rcp_x509_store *st, X509_STORE_CTX *ctx, int err)
{
    char nm[RCP_X509_DN_MAX], up[RCP_X509_DN_MAX], t[32], sn[2 * (RCP_X509_SERIAL_MAX + 1) + 1];
    uint8_t serial[RCP_X509_SERIAL_MAX + 1];
    size_t serial_len = 0;
    int64_t v = 0;
    if (why == NULL)
        return;
    X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    X509 *leaf = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : cur;
    const struct crl_slot *slot = cur ? slot_for(st, cur) : NULL;
    cert_display(cur, nm, sizeof nm);
    display_name(cur ? X509_get_issuer_name(cur) : NULL, up, sizeof up);
    switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        if (cur == NULL || time_get(X509_get0_notAfter(cur), &v) != 0)
            break;
        rcp_time_format((int64_t)(v), t);
        set_why(why, "certificate '%s' expired at %s", nm, t);
        return;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        if (cur == NULL || time_get(X509_get0_notBefore(cur), &v) != 0)
            break;
        rcp_time_format((int64_t)(v), t);
        set_why(why, "certificate '%s' is not valid before %s", nm, t);
        return;
    case X509_V_ERR_CERT_REVOKED:
        if (cur == NULL ||
            serial_from_asn1(X509_get0_serialNumber(cur), serial, &serial_len, NULL) != 0)
            break;
        hex_of(serial, serial_len, sn, sizeof sn);
        set_why(why, "certificate '%s' (serial %s) is revoked by '%s'", nm, sn, up);
        return;
    case X509_V_ERR_CRL_HAS_EXPIRED:
        if (slot == NULL || !slot->has_next_update)
            break;
        rcp_time_format((int64_t)(slot->next_update), t);
        set_why(why, "CRL of '%s' is stale since %s: add a newer CRL", up, t);
        return;
    case X509_V_ERR_CRL_NOT_YET_VALID:
        if (slot == NULL)
            break;
        rcp_time_format((int64_t)(slot->this_update), t);
        set_why(why, "CRL of '%s' is not valid before %s", up, t);
        return;
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        set_why(why, "CRL of '%s' does not verify with the key of '%s'", up, up);
        return;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        set_why(why, "signature of '%s' does not verify with the key of '%s'", nm, up);
        return;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        set_why(why,
                "issuer '%s' of '%s' is not a trust anchor, and no intermediate given links it "
                "to one",
                up, nm);
        return;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        set_why(why, "'%s' is self-signed and not a trust anchor", nm);
        return;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        cert_display(leaf, up, sizeof up);
        set_why(why, "path of '%s' ends at self-signed '%s', which is not a trust anchor", up, nm);
        return;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
        set_why(why, "no CRL of '%s' is held to check certificate '%s' (CRLs are required)", up,
                nm);
        return;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
        set_why(why, "path length constraint of '%s' is exceeded", nm);
        return;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        set_why(why, "certificate '%s' issued a certificate but is not a CA", nm);
        return;
    default:
        break;
    }
    set_why(why, "certificate '%s': %s", nm, X509_verify_cert_error_string(err));
}

static int full_verify(const rcp_x509_store *st, X509 *x, const rcp_x509 *const *extra,
                       size_t n_extra, int64_t now, rcp_x509_usage want,
                       STACK_OF(X509) * *chain_out, size_t *chain_len, rcp_x509_why *why)
{
    int ret = RCP_ERR_NO_MEMORY;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_dup(st->pool);
    if (ctx == NULL || untrusted == NULL)
        goto out;
    for (size_t i = 0; i < n_extra; i++) {
        if (extra[i] == NULL || X509_self_signed(extra[i]->x, 0) == 1)
            continue; /* only an anchor may end a path */
        if (sk_X509_push(untrusted, extra[i]->x) <= 0)
            goto out;
    }
    ret = RCP_ERR_CRYPTO;
    if (X509_STORE_CTX_init(ctx, st->anchors, x, untrusted) != 1)
        goto out;
    X509_STORE_CTX_set0_crls(ctx, st->crls);
    X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_time(vp, (time_t)now);
    /* Strict RFC 5280 checks; CRLs for every certificate of the path, a
     * missing one handled by verify_cb per the policy. */
    if (X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_X509_STRICT | X509_V_FLAG_CRL_CHECK |
                                            X509_V_FLAG_CRL_CHECK_ALL) != 1 ||
        X509_STORE_CTX_set_app_data(ctx, (void *)st) != 1)
        goto out;
    X509_STORE_CTX_set_verify_cb(ctx, verify_cb);
    if (X509_verify_cert(ctx) != 1) {
        int err = X509_STORE_CTX_get_error(ctx);
        ret = err == X509_V_OK ? RCP_ERR_CRYPTO : map_verify_error(err);
        why_from_ctx(why, st, ctx, err);
        goto out;
    }
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    if (chain_len)
        *chain_len = (size_t)sk_X509_num(chain);
    ret = usage_check(x, want, why);
    if (ret == 0 && chain_out) {
        *chain_out = X509_STORE_CTX_get1_chain(ctx);
        if (*chain_out == NULL)
            ret = RCP_ERR_NO_MEMORY;
    }
out:
    ERR_clear_error();
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted);
    return ret;
}

int rcp_x509_store_verify(const rcp_x509_store *st, const rcp_x509 *cert,
                          const rcp_x509 *const *extra, size_t n_extra, int64_t now,
                          rcp_x509_usage want, size_t *chain_len, rcp_x509_why *why)
{
    if (chain_len)
        *chain_len = 0;
    if (st == NULL || cert == NULL || (n_extra > 0 && extra == NULL))
        return RCP_ERR_INVALID_ARG;
    return full_verify(st, cert->x, extra, n_extra, now, want, NULL, chain_len, why);
}

int rcp_x509_store_add_ca(rcp_x509_store *st, const rcp_x509 *cert, int64_t now, rcp_x509_why *why)
{
    STACK_OF(X509) *chain = NULL;
    if (st == NULL || cert == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = full_verify(st, cert->x, NULL, 0, now, RCP_X509_USAGE_CA, &chain, NULL, why);
    if (ret)
        return ret;
    int n = sk_X509_num(chain);
    int parent = entry_find(st, sk_X509_value(chain, n - 1));
    if (parent < 0 || st->e[parent].parent >= 0) {
        set_why(why, "path ends at a certificate that is not an anchor of this store");
        ret = RCP_ERR_UNTRUSTED;
        goto out;
    }
    /* Cache every CA of the path, from below the anchor down to cert. */
    for (int i = n - 2; i >= 0; i--) {
        X509 *c = sk_X509_value(chain, i);
        int idx = entry_find(st, c);
        if (idx < 0) {
            idx = entry_add(st, c, parent, why);
            if (idx < 0) {
                ret = idx;
                goto out;
            }
            if (X509_self_signed(c, 0) != 1 && pool_add(st, c) != 0) {
                ret = RCP_ERR_LIMIT;
                set_why(why, "trust store full (%d untrusted certificates)",
                        2 * RCP_X509_STORE_MAX);
                goto out;
            }
        }
        parent = idx;
    }
    ret = RCP_OK;
out:
    ERR_clear_error();
    sk_X509_pop_free(chain, X509_free);
    return ret;
}

/* ------------------------------------------------------------ fast path
 *
 * d2i_X509 decodes the subject public key at once, and in OpenSSL 3.0 that
 * builds an EC group per certificate: ~90% of its cost, more than the ECDSA
 * verification itself.  The fast path needs the leaf's key only when the
 * caller asks for it, so it parses the leaf with OpenSSL's ASN.1 template
 * machinery into a light structure that keeps the subjectPublicKeyInfo as
 * an algorithm and a bit string, then applies the checks OpenSSL's path
 * validation makes on a certificate below the anchor. */

/* The ASN.1 templates below are OpenSSL's macros (asn1t.h), which
 * clang-format cannot lay out. */
/* clang-format off */
typedef struct {
    X509_ALGOR *alg;
    ASN1_BIT_STRING *key;
} LIGHT_SPKI;

ASN1_SEQUENCE(LIGHT_SPKI) = {
    ASN1_SIMPLE(LIGHT_SPKI, alg, X509_ALGOR),
    ASN1_SIMPLE(LIGHT_SPKI, key, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(LIGHT_SPKI)

/* TBSCertificate (RFC 5280 4.1), its encoding kept for the signature. */
typedef struct {
    ASN1_INTEGER *version;
    ASN1_INTEGER *serial;
    X509_ALGOR *sig_alg;
    X509_NAME *issuer;
    X509_VAL *validity;
    X509_NAME *subject;
    LIGHT_SPKI *spki;
    ASN1_BIT_STRING *issuer_uid;
    ASN1_BIT_STRING *subject_uid;
    STACK_OF(X509_EXTENSION) *extensions;
    ASN1_ENCODING enc;
} LIGHT_TBS;

ASN1_SEQUENCE_enc(LIGHT_TBS, enc, NULL) = {
    ASN1_EXP_OPT(LIGHT_TBS, version, ASN1_INTEGER, 0),
    ASN1_SIMPLE(LIGHT_TBS, serial, ASN1_INTEGER),
    ASN1_SIMPLE(LIGHT_TBS, sig_alg, X509_ALGOR),
    ASN1_SIMPLE(LIGHT_TBS, issuer, X509_NAME),
    ASN1_SIMPLE(LIGHT_TBS, validity, X509_VAL),
    ASN1_SIMPLE(LIGHT_TBS, subject, X509_NAME),
    ASN1_SIMPLE(LIGHT_TBS, spki, LIGHT_SPKI),
    ASN1_IMP_OPT(LIGHT_TBS, issuer_uid, ASN1_BIT_STRING, 1),
    ASN1_IMP_OPT(LIGHT_TBS, subject_uid, ASN1_BIT_STRING, 2),
    ASN1_EXP_SEQUENCE_OF_OPT(LIGHT_TBS, extensions, X509_EXTENSION, 3),
} static_ASN1_SEQUENCE_END_ref(LIGHT_TBS, LIGHT_TBS)

typedef struct {
    LIGHT_TBS *tbs;
    X509_ALGOR *sig_alg;
    ASN1_BIT_STRING *sig;
} LIGHT_CERT;

ASN1_SEQUENCE(LIGHT_CERT) = {
    ASN1_SIMPLE(LIGHT_CERT, tbs, LIGHT_TBS),
    ASN1_SIMPLE(LIGHT_CERT, sig_alg, X509_ALGOR),
    ASN1_SIMPLE(LIGHT_CERT, sig, ASN1_BIT_STRING),
} static_ASN1_SEQUENCE_END(LIGHT_CERT)

/* What the checks need from a leaf. */
struct leaf {
    LIGHT_CERT *lc;
    AUTHORITY_KEYID *akid;
    int is_ca, bc_critical, has_ku, has_ski, has_pathlen, invalid, unhandled_critical, kid_critical;
    uint32_t ku; /* OpenSSL KU_* */
    int64_t nb, na;
};
/* clang-format on */

static void leaf_free(struct leaf *l)
{
    ASN1_item_free((ASN1_VALUE *)l->lc, ASN1_ITEM_rptr(LIGHT_CERT));
    AUTHORITY_KEYID_free(l->akid);
}

/* Decode one extension value with OpenSSL's method for it; 0 if malformed. */
static int ext_decodes(X509_EXTENSION *ex, const X509V3_EXT_METHOD *m, void **value)
{
    void *v = X509V3_EXT_d2i(ex);
    if (v == NULL)
        return 0;
    if (value != NULL) {
        *value = v;
        return 1;
    }
    if (m->it != NULL)
        ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
    else if (m->ext_free != NULL)
        m->ext_free(v);
    return 1;
}

/* Parse der into l and read its extensions as OpenSSL's extension cache
 * does (ossl_x509v3_cache_extensions): a duplicate or undecodable extension
 * makes the certificate invalid; a critical one OpenSSL does not support
 * (X509_supported_extension) is unhandled. */
static int leaf_parse(const uint8_t *der, size_t len, struct leaf *l)
{
    const unsigned char *p = der;
    memset(l, 0, sizeof *l);
    l->lc = (LIGHT_CERT *)ASN1_item_d2i(NULL, &p, (long)len, ASN1_ITEM_rptr(LIGHT_CERT));
    if (l->lc == NULL || p != der + len)
        return RCP_ERR_DECODE;
    const LIGHT_TBS *t = l->lc->tbs;
    if (time_get(t->validity->notBefore, &l->nb) != 0 ||
        time_get(t->validity->notAfter, &l->na) != 0)
        return RCP_ERR_DECODE;
    int n = sk_X509_EXTENSION_num(t->extensions);
    for (int i = 0; i < n; i++) {
        X509_EXTENSION *ex = sk_X509_EXTENSION_value(t->extensions, i);
        const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ex);
        int crit = X509_EXTENSION_get_critical(ex) > 0, nid = OBJ_obj2nid(obj);
        for (int j = 0; j < i; j++)
            if (OBJ_cmp(obj,
                        X509_EXTENSION_get_object(sk_X509_EXTENSION_value(t->extensions, j))) == 0)
                l->invalid = 1; /* RFC 5280 4.2: at most one instance of an extension */
        if (crit && !X509_supported_extension(ex))
            l->unhandled_critical = 1;
        const X509V3_EXT_METHOD *m = X509V3_EXT_get(ex);
        if (m == NULL)
            continue; /* unknown and non-critical: ignored (RFC 5280 4.2) */
        void *v = NULL;
        void **keep = nid == NID_basic_constraints || nid == NID_key_usage ||
                              nid == NID_authority_key_identifier
                          ? &v
                          : NULL;
        if (!ext_decodes(ex, m, keep)) {
            l->invalid = 1;
            continue;
        }
        switch (nid) {
        case NID_basic_constraints: {
            BASIC_CONSTRAINTS *bc = v;
            l->is_ca = bc->ca != 0;
            l->bc_critical = crit;
            if (bc->pathlen != NULL) {
                l->has_pathlen = 1;
                if (ASN1_STRING_type(bc->pathlen) == V_ASN1_NEG_INTEGER || !bc->ca)
                    l->invalid = 1;
            }
            BASIC_CONSTRAINTS_free(bc);
            break;
        }
        case NID_key_usage: {
            ASN1_BIT_STRING *ku = v;
            const unsigned char *d = ASN1_STRING_get0_data(ku);
            int dl = ASN1_STRING_length(ku);
            /* OpenSSL's KU_* layout: first octet, then bit 8 (decipherOnly). */
            l->ku = (dl > 0 ? d[0] : 0) | (dl > 1 ? (uint32_t)d[1] << 8 : 0);
            l->has_ku = 1;
            ASN1_BIT_STRING_free(ku);
            break;
        }
        case NID_authority_key_identifier:
            /* A duplicate (already marked invalid above) replaces the
             * first, which is freed: found by fuzz_x509. */
            AUTHORITY_KEYID_free(l->akid);
            l->akid = v;
            l->kid_critical |= crit;
            break;
        case NID_subject_key_identifier:
            l->has_ski = 1;
            l->kid_critical |= crit;
            break;
        default:
            break;
        }
    }
    return RCP_OK;
}

/* The checks X509_V_FLAG_X509_STRICT makes on a certificate below the
 * anchor (OpenSSL 3.0 check_extensions), plus unknown critical extensions
 * (RFC 5280 4.2) and version 3. */
static int leaf_profile(const struct leaf *l, rcp_x509_why *why)
{
    const LIGHT_TBS *t = l->lc->tbs;
    const char *what = NULL;
    long version = t->version ? ASN1_INTEGER_get(t->version) : 0;
    if (l->invalid)
        what = "has an invalid or duplicate extension";
    else if (l->unhandled_critical)
        what = "has an unhandled critical extension";
    else if (version != X509_VERSION_3)
        what = "is not version 3";
    else if (l->is_ca && !l->bc_critical)
        what = "is a CA whose basicConstraints is not critical";
    else if (l->kid_critical)
        what = "marks a key identifier critical";
    else if (l->akid == NULL)
        what = "has no authorityKeyIdentifier";
    else if (l->is_ca && !l->has_ski)
        what = "is a CA without subjectKeyIdentifier";
    else if (l->has_ku && (l->ku & KU_KEY_CERT_SIGN) && !l->is_ca)
        what = "has keyCertSign but is not a CA";
    else if (l->has_pathlen && !l->is_ca)
        what = "has a path length but is not a CA";
    else if (X509_NAME_entry_count(t->subject) == 0)
        what = "has an empty subject";
    else {
        /* RFC 5480 2.1.1: EC keys name their curve. */
        const ASN1_OBJECT *kalg = NULL;
        int ptype = 0;
        X509_ALGOR_get0(&kalg, &ptype, NULL, t->spki->alg);
        if (OBJ_obj2nid(kalg) == NID_X9_62_id_ecPublicKey && ptype != V_ASN1_OBJECT)
            what = "has an EC key with explicit curve parameters";
    }
    if (what == NULL)
        return RCP_OK;
    char nm[RCP_X509_DN_MAX];
    display_name(t->subject, nm, sizeof nm);
    set_why(why, "certificate '%s' %s", nm, what);
    return RCP_ERR_CERT;
}

static int crl_time_check(const struct crl_slot *s, int64_t now, rcp_x509_why *why)
{
    char nm[RCP_X509_DN_MAX], t[32];
    /* Same boundaries as OpenSSL 3.0: thisUpdate <= now < nextUpdate. */
    if (now < s->this_update) {
        display_name(X509_CRL_get_issuer(s->crl), nm, sizeof nm);
        rcp_time_format((int64_t)(s->this_update), t);
        set_why(why, "CRL of '%s' is not valid before %s", nm, t);
        return RCP_ERR_EXPIRED;
    }
    if (s->has_next_update && now >= s->next_update) {
        display_name(X509_CRL_get_issuer(s->crl), nm, sizeof nm);
        rcp_time_format((int64_t)(s->next_update), t);
        set_why(why, "CRL of '%s' is stale since %s: add a newer CRL", nm, t);
        return RCP_ERR_EXPIRED;
    }
    return RCP_OK;
}

/* Revocation status of the certificate (serial, subject) issued by entry i. */
static int revocation_check(const rcp_x509_store *st, int i, const ASN1_INTEGER *serial,
                            const X509_NAME *subject, int64_t now, rcp_x509_why *why)
{
    char nm[RCP_X509_DN_MAX], up[RCP_X509_DN_MAX], sn[2 * (RCP_X509_SERIAL_MAX + 1) + 1];
    uint8_t sb[RCP_X509_SERIAL_MAX + 1];
    size_t sb_len = 0;
    const struct entry *e = &st->e[i];
    if (e->crl == CRL_BAD) {
        cert_display(e->cert, up, sizeof up);
        set_why(why, "CRL of '%s' does not verify with the key of '%s'", up, up);
        return RCP_ERR_SIGNATURE;
    }
    if (e->crl < 0) {
        if (st->policy == RCP_X509_CRL_IF_PRESENT)
            return RCP_OK;
        display_name(subject, nm, sizeof nm);
        cert_display(e->cert, up, sizeof up);
        set_why(why, "no CRL of '%s' is held to check certificate '%s' (CRLs are required)", up,
                nm);
        return RCP_ERR_UNTRUSTED;
    }
    const struct crl_slot *s = &st->slot[e->crl];
    int ret = crl_time_check(s, now, why);
    if (ret)
        return ret;
    if (crl_lists_int(s->crl, serial)) {
        display_name(subject, nm, sizeof nm);
        cert_display(e->cert, up, sizeof up);
        if (serial_from_asn1(serial, sb, &sb_len, NULL) != 0)
            sb_len = 0;
        hex_of(sb, sb_len, sn, sizeof sn);
        set_why(why, "certificate '%s' (serial %s) is revoked by '%s'", nm, sn, up);
        return RCP_ERR_REVOKED;
    }
    return RCP_OK;
}

/* Validity of one certificate: OpenSSL 3.0's boundaries, valid for
 * notBefore <= now < notAfter. */
static int time_check(const X509_NAME *subject, int64_t nb, int64_t na, int64_t now,
                      rcp_x509_why *why)
{
    char nm[RCP_X509_DN_MAX], t[32];
    if (now >= nb && now < na)
        return RCP_OK;
    display_name(subject, nm, sizeof nm);
    rcp_time_format((int64_t)(now < nb ? nb : na), t);
    set_why(why,
            now < nb ? "certificate '%s' is not valid before %s" : "certificate '%s' expired at %s",
            nm, t);
    return RCP_ERR_EXPIRED;
}

/* The leaf against cached issuer i, in the order of OpenSSL's path
 * validation: revocation of the path top down (check_revocation), then
 * validity top down, then the leaf's signature and validity
 * (internal_verify), then usage. */
static int verify_with_entry(const rcp_x509_store *st, int i, const struct leaf *l, int64_t now,
                             rcp_x509_usage want, rcp_x509_why *why)
{
    char nm[RCP_X509_DN_MAX], up[RCP_X509_DN_MAX];
    const struct entry *e = &st->e[i];
    const LIGHT_CERT *lc = l->lc;
    int path[RCP_X509_STORE_MAX], depth = 0;
    for (int j = i; j >= 0 && depth < RCP_X509_STORE_MAX; j = st->e[j].parent)
        path[depth++] = j;
    /* The cached CAs must still be unrevoked by their parents' current
     * CRLs (a CRL added after caching counts). */
    for (int k = depth - 1; k > 0; k--) {
        X509 *c = st->e[path[k - 1]].cert;
        int ret = revocation_check(st, path[k], X509_get0_serialNumber(c), X509_get_subject_name(c),
                                   now, why);
        if (ret)
            return ret;
    }
    int ret = revocation_check(st, i, lc->tbs->serial, lc->tbs->subject, now, why);
    if (ret)
        return ret;
    if (now < e->from || now >= e->until) /* some CA of the path: name the topmost */
        for (int k = depth - 1; k >= 0; k--) {
            const struct entry *p = &st->e[path[k]];
            ret = time_check(X509_get_subject_name(p->cert), p->nb, p->na, now, why);
            if (ret)
                return ret;
        }
    display_name(lc->tbs->subject, nm, sizeof nm);
    cert_display(e->cert, up, sizeof up);
    if (e->key == NULL) {
        set_why(why,
                "CA '%s' has a key the cached path does not handle: verify '%s' by the full "
                "path",
                up, nm);
        return RCP_ERR_CERT;
    }
    /* RFC 5280 4.1.1.2: the outer and inner algorithms are the same;
     * rcprov's profile signs with ecdsa-with-SHA256 (RFC 5758 3.2). */
    const ASN1_OBJECT *alg = NULL;
    X509_ALGOR_get0(&alg, NULL, NULL, lc->sig_alg);
    if (X509_ALGOR_cmp(lc->sig_alg, lc->tbs->sig_alg) != 0 ||
        OBJ_obj2nid(alg) != NID_ecdsa_with_SHA256) {
        set_why(why, "certificate '%s' is not signed with ecdsa-with-SHA256 as in its body", nm);
        return RCP_ERR_CERT;
    }
    /* The signature value: a BIT STRING without unused bits holding a DER
     * ECDSA-Sig-Value over the exact bytes of tbsCertificate. */
    const ASN1_ENCODING *enc = &lc->tbs->enc;
    if ((lc->sig->flags & 0x07) != 0 || enc->enc == NULL || enc->len <= 0 ||
        rcp_ecdsa_verify_der(e->key, enc->enc, (size_t)enc->len, ASN1_STRING_get0_data(lc->sig),
                             (size_t)ASN1_STRING_length(lc->sig)) != 0) {
        set_why(why, "signature of '%s' does not verify with the key of '%s'", nm, up);
        return RCP_ERR_SIGNATURE;
    }
    ret = time_check(lc->tbs->subject, l->nb, l->na, now, why);
    if (ret)
        return ret;
    return usage_ok(lc->tbs->subject, l->is_ca, l->has_ku, l->ku, want, why);
}

/* The leaf's key, from its subjectPublicKeyInfo: a namedCurve EC key on a
 * curve of crypto.h (RFC 5480 2.1.1, RFC 5639). */
static int leaf_key(const struct leaf *l, rcp_ec_key **key)
{
    const ASN1_OBJECT *kalg = NULL;
    const void *pval = NULL;
    int ptype = 0;
    X509_ALGOR_get0(&kalg, &ptype, &pval, l->lc->tbs->spki->alg);
    if (OBJ_obj2nid(kalg) != NID_X9_62_id_ecPublicKey || ptype != V_ASN1_OBJECT)
        return RCP_ERR_UNSUPPORTED;
    int nid = OBJ_obj2nid(pval);
    rcp_curve c = nid == NID_X9_62_prime256v1  ? RCP_CURVE_P256
                  : nid == NID_brainpoolP256r1 ? RCP_CURVE_BP256R1
                  : nid == NID_brainpoolP384r1 ? RCP_CURVE_BP384R1
                  : nid == NID_brainpoolP512r1 ? RCP_CURVE_BP512R1
                                               : RCP_CURVE_NONE;
    const ASN1_BIT_STRING *bits = l->lc->tbs->spki->key;
    if (c == RCP_CURVE_NONE)
        return RCP_ERR_UNSUPPORTED;
    if ((bits->flags & 0x07) != 0)
        return RCP_ERR_POINT_INVALID;
    return rcp_ec_key_from_public(c, ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits),
                                  key);
}

int rcp_x509_store_verify_cached(const rcp_x509_store *st, const uint8_t *der, size_t len,
                                 int64_t now, rcp_x509_usage want, rcp_ec_key **key,
                                 rcp_x509_why *why)
{
    struct leaf l;
    char nm[RCP_X509_DN_MAX], up[RCP_X509_DN_MAX];
    uint8_t aki[RCP_X509_KEYID_MAX], ski[RCP_X509_KEYID_MAX];
    size_t aki_len = 0, ski_len = 0;
    rcp_x509_why first;
    int tried = 0;
    if (key)
        *key = NULL;
    if (st == NULL || (der == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    if (len > RCP_X509_DER_MAX)
        return RCP_ERR_LENGTH;
    int ret = len ? leaf_parse(der, len, &l) : RCP_ERR_DECODE;
    if (len == 0)
        memset(&l, 0, sizeof l);
    if (ret) {
        set_why(why, "not a DER X.509 certificate");
        goto out;
    }
    ret = leaf_profile(&l, why);
    if (ret)
        goto out;
    keyid_copy(l.akid->keyid, aki, &aki_len);
    first.text[0] = '\0';
    ret = RCP_ERR_UNTRUSTED;
    /* Try each cached issuer with the leaf's issuer name and key identifier
     * (the same leaf may chain to several: a root and its cross-certificate);
     * the first that verifies wins, else the first one's reason is given. */
    for (size_t i = 0; i < st->n; i++) {
        X509 *c = st->e[i].cert;
        if (X509_NAME_cmp(l.lc->tbs->issuer, X509_get_subject_name(c)) != 0)
            continue;
        keyid_copy(X509_get0_subject_key_id(c), ski, &ski_len);
        if (aki_len && ski_len && (aki_len != ski_len || memcmp(aki, ski, aki_len) != 0))
            continue;
        int r = verify_with_entry(st, (int)i, &l, now, want, tried ? NULL : &first);
        if (r == 0) {
            ret = RCP_OK;
            break;
        }
        if (!tried)
            ret = r;
        tried = 1;
    }
    if (ret == RCP_OK) {
        if (key) {
            ret = leaf_key(&l, key);
            if (ret)
                set_why(why, "certificate key is not usable (%s)", rcp_strerror(ret));
        }
    } else if (tried) {
        set_why(why, "%s", first.text);
    } else {
        display_name(l.lc->tbs->subject, nm, sizeof nm);
        display_name(l.lc->tbs->issuer, up, sizeof up);
        set_why(why, "issuer '%s' of '%s' is not a cached CA or anchor of this store", up, nm);
    }
out:
    ERR_clear_error();
    leaf_free(&l);
    return ret;
}
