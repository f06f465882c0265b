/*
 * X.509 certificates, CRLs, trust stores and PKCS#8 keys (rcprov/x509.h):
 * issue and parse, every verification failure with its exact error code in
 * both the full path validation and the cached fast path, cross-certified
 * paths both ways, CRL revocation, validity boundaries, usage, tampering,
 * PEM round trips, and the mode of key files written by `rcprov pki`.
 */
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/x509.h"

#define T0 1800000000LL /* 2027-01-15T08:00:00Z */
#define DAY 86400LL
#define NOW (T0 + 10 * DAY)

extern char **environ;

/* Two roots (A: "GSMA CI", B: "Operator CA"), an intermediate under A with
 * a sign and an agree leaf, a leaf under B, and the cross-certificates
 * A->B and B->A. */
struct world {
    rcp_drbg drbg;
    rcp_curve curve;
    rcp_ec_key *ka, *kb, *kint, *ksign, *kagree, *kleafb, *kother;
    rcp_x509 *ra, *rb, *inta, *sign, *agree, *leafb, *ab, *ba;
};

static rcp_x509 *issue(const char *cn, const char *org, uint8_t serial, rcp_x509_usage usage,
                       int path_len, const rcp_ec_key *subject, const rcp_x509 *issuer,
                       const rcp_ec_key *issuer_key, int64_t nb, int64_t na)
{
    rcp_x509 *c = NULL;
    uint8_t sn[2] = {0x10, serial};
    rcp_x509_template t = {sn, 2, cn, org, usage, path_len, subject, nb, na};
    CHECK_OK(rcp_x509_issue(&t, issuer, issuer_key, &c));
    return c;
}

static void make_world(struct world *w, rcp_curve curve)
{
    memset(w, 0, sizeof *w);
    w->curve = curve;
    CHECK_OK(rcp_drbg_init(&w->drbg, (const uint8_t *)"x509", 4));
    rcp_ec_key **keys[] = {&w->ka, &w->kb, &w->kint, &w->ksign, &w->kagree, &w->kleafb, &w->kother};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        CHECK_OK(rcp_ec_key_generate(curve, &w->drbg.rng, keys[i]));
    const int none = RCP_X509_PATHLEN_NONE;
    w->ra = issue("GSMA CI", "GSMA test", 1, RCP_X509_USAGE_CA, none, w->ka, NULL, w->ka, T0 - DAY,
                  T0 + 3650 * DAY);
    w->rb = issue("Operator CA", "Operator", 1, RCP_X509_USAGE_CA, none, w->kb, NULL, w->kb,
                  T0 - DAY, T0 + 3650 * DAY);
    w->inta =
        issue("EUM 1", NULL, 2, RCP_X509_USAGE_CA, 0, w->kint, w->ra, w->ka, T0, T0 + 1000 * DAY);
    w->sign = issue("eUICC 0001", NULL, 3, RCP_X509_USAGE_SIGN, none, w->ksign, w->inta, w->kint,
                    T0, T0 + 365 * DAY);
    w->agree = issue("eUICC 0001 ka", NULL, 4, RCP_X509_USAGE_AGREE, none, w->kagree, w->inta,
                     w->kint, T0, T0 + 365 * DAY);
    w->leafb = issue("CP-AU 1", NULL, 5, RCP_X509_USAGE_SIGN, none, w->kleafb, w->rb, w->kb, T0,
                     T0 + 365 * DAY);
    const uint8_t s_ab[] = {0x20, 0x01}, s_ba[] = {0x20, 0x02};
    CHECK_OK(
        rcp_x509_cross_certify(w->rb, w->ra, w->ka, s_ab, 2, T0, T0 + 1000 * DAY, none, &w->ab));
    CHECK_OK(
        rcp_x509_cross_certify(w->ra, w->rb, w->kb, s_ba, 2, T0, T0 + 1000 * DAY, none, &w->ba));
}

static void free_world(struct world *w)
{
    rcp_x509 *certs[] = {w->ra, w->rb, w->inta, w->sign, w->agree, w->leafb, w->ab, w->ba};
    for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++)
        rcp_x509_free(certs[i]);
    rcp_ec_key *keys[] = {w->ka, w->kb, w->kint, w->ksign, w->kagree, w->kleafb, w->kother};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        rcp_ec_key_free(keys[i]);
    rcp_drbg_wipe(&w->drbg);
}

/* Store with root A trusted, EUM 1 given as intermediate (cached if asked). */
static rcp_x509_store *store_a(const struct world *w, int cache_int)
{
    rcp_x509_store *st = NULL;
    rcp_x509_why why;
    CHECK_OK(rcp_x509_store_new(&st));
    CHECK_OK(rcp_x509_store_add_anchor(st, w->ra, &why));
    CHECK_OK(rcp_x509_store_add_untrusted(st, w->inta));
    if (cache_int)
        CHECK_OK(rcp_x509_store_add_ca(st, w->inta, NOW, &why));
    return st;
}

static const uint8_t *der_of(const rcp_x509 *c, size_t *len)
{
    return rcp_x509_der(c, len);
}

/* Full and cached verification must both give expect. */
static void check_both(const rcp_x509_store *st, const rcp_x509 *leaf, int64_t now,
                       rcp_x509_usage want, int expect, const char *why_has)
{
    rcp_x509_why w1, w2;
    size_t len = 0;
    const uint8_t *der = der_of(leaf, &len);
    memset(&w1, 0, sizeof w1);
    memset(&w2, 0, sizeof w2);
    CHECK_ERR(rcp_x509_store_verify(st, leaf, NULL, 0, now, want, NULL, &w1), expect);
    CHECK_ERR(rcp_x509_store_verify_cached(st, der, len, now, want, NULL, &w2), expect);
    if (why_has != NULL) {
        CHECK(strstr(w1.text, why_has) != NULL);
        CHECK(strstr(w2.text, why_has) != NULL);
        if (strstr(w1.text, why_has) == NULL || strstr(w2.text, why_has) == NULL)
            fprintf(stderr, "  full: %s\n  cached: %s\n", w1.text, w2.text);
    }
}

static size_t find_bytes(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return i;
    return SIZE_MAX;
}

/* ------------------------------------------------------------- fields */

static void test_fields(const struct world *w)
{
    rcp_x509_info in;
    uint8_t pub[RCP_EC_MAX_POINT], h[RCP_SHA256_LEN];
    size_t pub_len = 0;

    CHECK_OK(rcp_x509_get_info(w->sign, &in));
    CHECK(in.version == 3);
    CHECK(in.serial_len == 2 && in.serial[0] == 0x10 && in.serial[1] == 3);
    CHECK(strcmp(in.subject_cn, "eUICC 0001") == 0);
    CHECK(strcmp(in.issuer_cn, "EUM 1") == 0);
    CHECK(strcmp(in.subject, "CN=eUICC 0001") == 0);
    CHECK(in.not_before == T0 && in.not_after == T0 + 365 * DAY);
    CHECK(strcmp(in.sig_alg, "ecdsa-with-SHA256") == 0);
    CHECK(strcmp(in.key_alg, "id-ecPublicKey") == 0);
    CHECK(in.curve == w->curve);
    CHECK_OK(rcp_ec_key_public(w->ksign, 0, pub, sizeof pub, &pub_len));
    CHECK(in.pub_len == pub_len);
    CHECK_MEM(in.pub, pub, pub_len);
    CHECK(in.has_key_usage && in.key_usage == RCP_X509_KU_DIGITAL_SIGNATURE);
    CHECK(in.has_basic_constraints && !in.is_ca && in.path_len == RCP_X509_PATHLEN_NONE);
    CHECK(in.usage == RCP_X509_USAGE_SIGN);
    CHECK(!in.self_issued && !in.self_signed);
    /* SKI: RFC 7093 method 1 over the uncompressed point. */
    CHECK_OK(rcp_sha256(pub, pub_len, h));
    CHECK(in.ski_len == RCP_X509_SKI_LEN);
    CHECK_MEM(in.ski, h, RCP_X509_SKI_LEN);
    rcp_x509_info ii;
    CHECK_OK(rcp_x509_get_info(w->inta, &ii));
    CHECK(in.aki_len == ii.ski_len);
    CHECK_MEM(in.aki, ii.ski, ii.ski_len);
    /* Extension list and criticality: BC and KU critical, SKI/AKI not. */
    CHECK(in.n_ext == 4 && in.ext_total == 4);
    int seen = 0;
    for (size_t i = 0; i < in.n_ext; i++) {
        if (strcmp(in.ext[i].name, "basicConstraints") == 0 && in.ext[i].critical)
            seen |= 1;
        if (strcmp(in.ext[i].name, "keyUsage") == 0 && in.ext[i].critical)
            seen |= 2;
        if (strcmp(in.ext[i].name, "subjectKeyIdentifier") == 0 && !in.ext[i].critical)
            seen |= 4;
        if (strcmp(in.ext[i].name, "authorityKeyIdentifier") == 0 && !in.ext[i].critical)
            seen |= 8;
    }
    CHECK(seen == 15);
    CHECK(rcp_x509_usage_of(w->agree) == RCP_X509_USAGE_AGREE);

    CHECK_OK(rcp_x509_get_info(w->agree, &in));
    CHECK(in.key_usage == RCP_X509_KU_KEY_AGREEMENT && in.usage == RCP_X509_USAGE_AGREE);

    CHECK_OK(rcp_x509_get_info(w->ra, &in));
    CHECK(in.self_issued && in.self_signed && in.is_ca);
    CHECK(in.path_len == RCP_X509_PATHLEN_NONE);
    CHECK(in.key_usage == (RCP_X509_KU_KEY_CERT_SIGN | RCP_X509_KU_CRL_SIGN));
    CHECK(strcmp(in.subject, "CN=GSMA CI,O=GSMA test") == 0);
    CHECK(in.aki_len == in.ski_len && memcmp(in.aki, in.ski, in.ski_len) == 0);
    CHECK(in.usage == RCP_X509_USAGE_CA);
    CHECK(ii.is_ca && ii.path_len == 0 && !ii.self_signed);

    /* The cross-certificate A->B: B's name, key and SKI; A as issuer. */
    rcp_x509_info cb, rb;
    CHECK_OK(rcp_x509_get_info(w->ab, &cb));
    CHECK_OK(rcp_x509_get_info(w->rb, &rb));
    CHECK(strcmp(cb.subject, rb.subject) == 0);
    CHECK(strcmp(cb.issuer_cn, "GSMA CI") == 0);
    CHECK(cb.ski_len == rb.ski_len && memcmp(cb.ski, rb.ski, rb.ski_len) == 0);
    CHECK(cb.pub_len == rb.pub_len && memcmp(cb.pub, rb.pub, rb.pub_len) == 0);
    CHECK(cb.is_ca && !cb.self_issued);
    CHECK(rcp_x509_signed_by(w->ab, w->ra) == 1);
    CHECK(rcp_x509_signed_by(w->ab, w->rb) == 0);
    CHECK(rcp_x509_signed_by(w->sign, w->inta) == 1);
    CHECK(rcp_x509_signed_by(w->sign, w->ra) == 0);

    /* The certificate's key is usable and is the subject's. */
    rcp_ec_key *k = NULL;
    uint8_t p2[RCP_EC_MAX_POINT];
    size_t p2_len = 0;
    CHECK_OK(rcp_x509_public_key(w->sign, &k));
    CHECK_OK(rcp_ec_key_public(k, 0, p2, sizeof p2, &p2_len));
    CHECK(p2_len == pub_len && memcmp(p2, pub, pub_len) == 0);
    CHECK(!rcp_ec_key_has_private(k));
    rcp_ec_key_free(k);
}

/* ----------------------------------------------------------- encodings */

static void test_encoding(const struct world *w)
{
    size_t len = 0, n = 0, need = 0, pem_len = 0;
    const uint8_t *der = der_of(w->sign, &len);
    rcp_x509 *c = NULL, *list[4] = {NULL};
    char pem[RCP_X509_PEM_MAX], bundle[2 * RCP_X509_PEM_MAX + 64];

    CHECK_OK(rcp_x509_from_der(der, len, &c));
    size_t len2 = 0;
    const uint8_t *der2 = der_of(c, &len2);
    CHECK(len2 == len && memcmp(der2, der, len) == 0);
    rcp_x509_free(c);
    c = NULL;

    CHECK_OK(rcp_x509_to_pem(w->sign, pem, sizeof pem, &pem_len));
    CHECK(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
    CHECK(strlen(pem) == pem_len);
    CHECK_ERR(rcp_x509_to_pem(w->sign, pem, 16, &need), RCP_ERR_BUFFER_TOO_SMALL);
    CHECK(need == pem_len + 1);
    CHECK_OK(rcp_x509_read((const uint8_t *)pem, pem_len, list, 4, &n));
    CHECK(n == 1);
    if (n == 1) {
        der2 = der_of(list[0], &len2);
        CHECK(len2 == len && memcmp(der2, der, len) == 0);
        rcp_x509_free(list[0]);
    }
    /* A bundle with text around the blocks and a key block in between. */
    size_t off = (size_t)snprintf(bundle, sizeof bundle, "leaf:\n%s", pem);
    off += (size_t)snprintf(bundle + off, sizeof bundle - off,
                            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    CHECK_OK(rcp_x509_to_pem(w->inta, bundle + off, sizeof bundle - off, &pem_len));
    off += pem_len;
    CHECK_OK(rcp_x509_read((const uint8_t *)bundle, off, list, 4, &n));
    CHECK(n == 2);
    if (n == 2) {
        CHECK(rcp_x509_signed_by(list[0], list[1]) == 1);
        rcp_x509_free(list[0]);
        rcp_x509_free(list[1]);
    }
    CHECK_ERR(rcp_x509_read((const uint8_t *)bundle, off, list, 1, &n), RCP_ERR_LIMIT);
    CHECK(n == 0);
    /* DER input to rcp_x509_read; garbage; trailing bytes; truncation. */
    CHECK_OK(rcp_x509_read(der, len, list, 4, &n));
    CHECK(n == 1);
    rcp_x509_free(list[0]);
    CHECK_ERR(rcp_x509_read((const uint8_t *)"hello", 5, list, 4, &n), RCP_ERR_DECODE);
    CHECK_ERR(rcp_x509_read((const uint8_t *)"-----BEGIN CERTIFICATE-----\n!!!\n"
                                             "-----END CERTIFICATE-----\n",
                            60, list, 4, &n),
              RCP_ERR_DECODE);
    uint8_t longer[RCP_X509_PEM_MAX];
    memcpy(longer, der, len);
    longer[len] = 0;
    CHECK_ERR(rcp_x509_from_der(longer, len + 1, &c), RCP_ERR_DECODE);
    CHECK_ERR(rcp_x509_from_der(der, len - 1, &c), RCP_ERR_DECODE);
    CHECK_ERR(rcp_x509_from_der(der, 0, &c), RCP_ERR_DECODE);
    CHECK(c == NULL);

    /* GeneralizedTime after 2049 and UTCTime before: times round-trip. */
    rcp_x509 *late = issue("late", NULL, 9, RCP_X509_USAGE_SIGN, RCP_X509_PATHLEN_NONE, w->ksign,
                           w->inta, w->kint, 2524608000LL /* 2050-01-01 */, RCP_X509_TIME_MAX);
    rcp_x509_info in;
    CHECK_OK(rcp_x509_get_info(late, &in));
    CHECK(in.not_before == 2524608000LL && in.not_after == RCP_X509_TIME_MAX);
    der2 = der_of(late, &len2);
    CHECK(find_bytes(der2, len2, "20500101000000Z") != SIZE_MAX);
    rcp_x509_free(late);
    rcp_x509 *early = issue("early", NULL, 9, RCP_X509_USAGE_SIGN, RCP_X509_PATHLEN_NONE, w->ksign,
                            w->inta, w->kint, RCP_X509_TIME_MIN, 2524607999LL);
    CHECK_OK(rcp_x509_get_info(early, &in));
    CHECK(in.not_before == RCP_X509_TIME_MIN && in.not_after == 2524607999LL);
    der2 = der_of(early, &len2);
    CHECK(find_bytes(der2, len2, "500101000000Z") != SIZE_MAX);
    CHECK(find_bytes(der2, len2, "491231235959Z") != SIZE_MAX);
    rcp_x509_free(early);
}

/* ---------------------------------------------------------------- keys */

static const char k_sec1_pem[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIEAMnqP+8E4Bj0pf/582FxoAZ1zVrtfdVyj3owdcUIQLoAoGCCqGSM49\n"
    "AwEHoUQDQgAEDMixzOIMDuu/kYDeSSxr5ZZIQkbtoZ82sH5ZPWm1zS+w7G/p4HTD\n"
    "LEh8NpEQzGyP4Dg+bc5hJ4OvTj0cSPhW9g==\n"
    "-----END EC PRIVATE KEY-----\n";
/* The same key as PKCS#8, made by `openssl pkcs8 -topk8 -nocrypt`. */
static const char k_p8_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQAyeo/7wTgGPSl//\n"
                               "nzYXGgBnXNWu191XKPejB1xQhAuhRANCAAQMyLHM4gwO67+RgN5JLGvllkhCRu2h\n"
                               "nzawflk9abXNL7Dsb+ngdMMsSHw2kRDMbI/gOD5tzmEng69OPRxI+Fb2\n"
                               "-----END PRIVATE KEY-----\n";
static const char k_p8_pub[] = "040cc8b1cce20c0eebbf9180de492c6be596484246eda19f36b07e593d69b5cd"
                               "2fb0ec6fe9e074c32c487c369110cc6c8fe0383e6dce612783af4e3d1c48f856f6";
/* A brainpoolP256r1 key by OpenSSL. */
static const char k_bp8_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIGIAgEAMBQGByqGSM49AgEGCSskAwMCCAEBBwRtMGsCAQEEIG8pevbJt0xXRiEC\n"
                                "vIGlgMkQiiAcWes8GIkYwh8b1eHHoUQDQgAEn4E6Co/WD4M990RYO8E/bOM5M2TG\n"
                                "nsCQQ/Dcfq4Bb7mARy1S1ZN9VbYSIaloF3Ya/w5M6oAwr7YLXLRotvrr7g==\n"
                                "-----END PRIVATE KEY-----\n";
static const char k_bp8_pub[] =
    "049f813a0a8fd60f833df744583bc13f6ce3393364c69ec09043f0dc7eae016f"
    "b980472d52d5937d55b61221a96817761aff0e4cea8030afb60b5cb468b6faebee";
/* The P-256 key above encrypted (PBES2, AES-128-CBC, password "test"). */
static const char k_p8enc_pem[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjczAP5EDlPVwICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEEugw+T4MiGW+1gKaX7N2EMEgZCC\n"
    "tR+1CKAp0soeG3NP9T85NKhmz2MmoJLCuCicDu11KoEOiszkspHG8ErspsghF8Gu\n"
    "UlD+CE3DfpJxNgvSWY2y3RlLGk0BsFs+8O1xACmg4KiT7GzgnSw+wvBoDG2V3deb\n"
    "58H2oAoFDBly9aw5xnvP3k5ALbSqo3rpUPi4crxO5dlFcM47RBeGqQOhhat6/xM=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";
/* secp384r1: not a curve of crypto.h. */
static const char k_p384_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDSR6lEuGWKXfql0+3V\n"
    "1Zm87aUd5X9frjKgyQjINhotf3sSZQCmLLfS8XaLdoBBkRahZANiAARVAi8I3NtB\n"
    "ml+9NQcevdU4KOPkbzLs3/2nofz7PtYzbWAt98PTXPrbFGdmOC8KYFhoI8urfTw4\n"
    "iLsMtPESS97+vUKKn50JE+PXVtsN0y9YOj14bW+B/N5P/5ItJdjkoCE=\n"
    "-----END PRIVATE KEY-----\n";
/* P-256 with explicit curve parameters (RFC 5480 2.1.1: MUST NOT). */
static const char k_p8explicit_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIBeQIBADCCAQMGByqGSM49AgEwgfcCAQEwLAYHKoZIzj0BAQIhAP////8AAAAB\n"
    "AAAAAAAAAAAAAAAA////////////////MFsEIP////8AAAABAAAAAAAAAAAAAAAA\n"
    "///////////////8BCBaxjXYqjqT57PrvVV2mIa8ZR0GsMxTsPY7zjw+J9JgSwMV\n"
    "AMSdNgiG5wSTamZ44ROdJreBn36QBEEEaxfR8uEsQkf4vOblY6RA8ncDfYEt6zOg\n"
    "9KE5RdiYwpZP40Li/hp/m47n60p8D54WK84zV2sxXs7LtkBoN79R9QIhAP////8A\n"
    "AAAA//////////+85vqtpxeehPO5ysL8YyVRAgEBBG0wawIBAQQgqYyFfe52KW7D\n"
    "opGjzRfzRrmP9SBb9i3ibJd0QSo8LVGhRANCAATAxYKR+Syn42ETscGOnFAlMSpl\n"
    "/4YAn5yyvybyraZClG+rahUj91j4838daw/IJMhFzaS7fg29uFg0bRI+NGYV\n"
    "-----END PRIVATE KEY-----\n";
/* k_p8_pem's scalar with another (valid) point as its public key. */
static const char k_p8mismatch_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQAyeo/7wTgGPSl//\n"
    "nzYXGgBnXNWu191XKPejB1xQhAuhRANCAATcwiDFw5Gc6s0jN7zL86IUTQOlke0s\n"
    "FUcc0uTA78R2erXkpA63kngLcileBDCOpphzrQ2YV5QJewvqhdyq92Mx\n"
    "-----END PRIVATE KEY-----\n";

static void check_pub(const rcp_ec_key *k, const char *hex)
{
    uint8_t want[RCP_EC_MAX_POINT], got[RCP_EC_MAX_POINT];
    size_t want_len = rcp_t_hex_str(hex, want, sizeof want), got_len = 0;
    CHECK_OK(rcp_ec_key_public(k, 0, got, sizeof got, &got_len));
    CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
}

static void test_keys(rcp_curve curve)
{
    rcp_drbg d;
    rcp_ec_key *k = NULL, *k2 = NULL, *pub = NULL;
    char pem[RCP_PKCS8_PEM_MAX];
    size_t pem_len = 0, n = 0;
    uint8_t s1[RCP_EC_MAX_SCALAR], s2[RCP_EC_MAX_SCALAR], pt[RCP_EC_MAX_POINT];
    size_t l1 = 0, l2 = 0, pt_len = 0;

    CHECK_OK(rcp_drbg_init(&d, (const uint8_t *)"pkcs8", 5));
    CHECK_OK(rcp_ec_key_generate(curve, &d.rng, &k));
    CHECK_OK(rcp_ec_key_to_pkcs8_pem(k, pem, sizeof pem, &pem_len));
    CHECK(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    CHECK(strlen(pem) == pem_len);
    CHECK_OK(rcp_ec_key_from_pkcs8_pem(pem, pem_len, &k2));
    CHECK(rcp_ec_key_curve(k2) == curve && rcp_ec_key_has_private(k2));
    CHECK_OK(rcp_ec_key_private(k, s1, sizeof s1, &l1));
    CHECK_OK(rcp_ec_key_private(k2, s2, sizeof s2, &l2));
    CHECK(l1 == l2 && rcp_ct_equal(s1, s2, l1));
    CHECK_ERR(rcp_ec_key_to_pkcs8_pem(k, pem, 32, &n), RCP_ERR_BUFFER_TOO_SMALL);
    CHECK_OK(rcp_ec_key_public(k, 0, pt, sizeof pt, &pt_len));
    CHECK_OK(rcp_ec_key_from_public(curve, pt, pt_len, &pub));
    CHECK_ERR(rcp_ec_key_to_pkcs8_pem(pub, pem, sizeof pem, &n), RCP_ERR_INVALID_ARG);
    rcp_wipe(pem, sizeof pem);
    rcp_wipe(s1, sizeof s1);
    rcp_wipe(s2, sizeof s2);
    rcp_ec_key_free(k);
    rcp_ec_key_free(k2);
    rcp_ec_key_free(pub);
    rcp_drbg_wipe(&d);
}

static void test_key_fixtures(void)
{
    rcp_ec_key *k = NULL;
    CHECK_OK(rcp_ec_key_from_pkcs8_pem(k_p8_pem, strlen(k_p8_pem), &k));
    CHECK(rcp_ec_key_curve(k) == RCP_CURVE_P256);
    check_pub(k, k_p8_pub);
    rcp_ec_key_free(k);
    k = NULL;
    CHECK_OK(rcp_ec_key_from_pkcs8_pem(k_bp8_pem, strlen(k_bp8_pem), &k));
    CHECK(rcp_ec_key_curve(k) == RCP_CURVE_BP256R1);
    check_pub(k, k_bp8_pub);
    rcp_ec_key_free(k);
    k = NULL;
    /* Leading text and other blocks before the key are skipped. */
    char mixed[1024];
    snprintf(mixed, sizeof mixed,
             "comment\n-----BEGIN CERTIFICATE-----\nAAAA\n"
             "-----END CERTIFICATE-----\n%s",
             k_p8_pem);
    CHECK_OK(rcp_ec_key_from_pkcs8_pem(mixed, strlen(mixed), &k));
    rcp_ec_key_free(k);
    k = NULL;
    CHECK_ERR(rcp_ec_key_from_pkcs8_pem(k_sec1_pem, strlen(k_sec1_pem), &k), RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ec_key_from_pkcs8_pem(k_p8enc_pem, strlen(k_p8enc_pem), &k), RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ec_key_from_pkcs8_pem(k_p384_pem, strlen(k_p384_pem), &k), RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ec_key_from_pkcs8_pem(k_p8explicit_pem, strlen(k_p8explicit_pem), &k),
              RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ec_key_from_pkcs8_pem(k_p8mismatch_pem, strlen(k_p8mismatch_pem), &k),
              RCP_ERR_KEY_INVALID);
    CHECK_ERR(rcp_ec_key_from_pkcs8_pem("no key here", 11, &k), RCP_ERR_DECODE);
    CHECK_ERR(rcp_ec_key_from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\nMAA=\n"
                                        "-----END PRIVATE KEY-----\n",
                                        55, &k),
              RCP_ERR_DECODE);
    CHECK(k == NULL);
}

/* --------------------------------------------------------- issue checks */

static void test_issue_args(const struct world *w)
{
    rcp_x509 *c = NULL;
    const int none = RCP_X509_PATHLEN_NONE;
    uint8_t sn[21];
    memset(sn, 0x11, sizeof sn);
    rcp_x509_template t = {sn, 1, "x", NULL, RCP_X509_USAGE_SIGN, none, w->ksign, T0, T0 + DAY};
    CHECK_OK(rcp_x509_issue(&t, w->inta, w->kint, &c));
    rcp_x509_free(c);
    c = NULL;

    rcp_x509_template b = t;
    b.cn = "";
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.cn = "0123456789012345678901234567890123456789012345678901234567890123"; /* 64 */
    CHECK_OK(rcp_x509_issue(&b, w->inta, w->kint, &c));
    rcp_x509_free(c);
    c = NULL;
    b.cn = "01234567890123456789012345678901234567890123456789012345678901234"; /* 65 */
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.cn = "tab\there";
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.cn = "bad \xff utf8";
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b = t;
    b.org = "";
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);

    /* Serials: positive, at most 20 octets once encoded. */
    b = t;
    const uint8_t zero[3] = {0, 0, 0};
    b.serial = zero;
    b.serial_len = 3;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.serial = sn;
    b.serial_len = 20; /* 0x11...: top bit clear, 20 octets */
    CHECK_OK(rcp_x509_issue(&b, w->inta, w->kint, &c));
    rcp_x509_info in;
    CHECK_OK(rcp_x509_get_info(c, &in));
    CHECK(in.serial_len == 20 && memcmp(in.serial, sn, 20) == 0);
    rcp_x509_free(c);
    c = NULL;
    b.serial_len = 21;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    uint8_t high[20];
    memset(high, 0x80, sizeof high);
    b.serial = high;
    b.serial_len = 20; /* would need a 21st octet for the sign */
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.serial = NULL;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);

    /* Validity. */
    b = t;
    b.not_after = b.not_before;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.not_after = RCP_X509_TIME_MAX + 1;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.not_before = RCP_X509_TIME_MIN - 1;
    b.not_after = T0;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);

    /* Usage and path length. */
    b = t;
    b.usage = 7;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.usage = RCP_X509_USAGE_ANY;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b = t;
    b.path_len = 0;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b.usage = RCP_X509_USAGE_CA;
    b.path_len = -2;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_INVALID_ARG);
    b = t;
    CHECK_ERR(rcp_x509_issue(&b, NULL, w->ksign, &c), RCP_ERR_INVALID_ARG); /* self-signed leaf */

    /* Keys: the issuer's key must be private and match the issuer. */
    rcp_ec_key *pub = NULL, *x = NULL, *bp384 = NULL;
    uint8_t pt[RCP_EC_MAX_POINT];
    size_t pt_len = 0;
    CHECK_OK(rcp_ec_key_public(w->kint, 0, pt, sizeof pt, &pt_len));
    CHECK_OK(rcp_ec_key_from_public(w->curve, pt, pt_len, &pub));
    CHECK_ERR(rcp_x509_issue(&t, w->inta, pub, &c), RCP_ERR_KEY_INVALID);
    CHECK_ERR(rcp_x509_issue(&t, w->inta, w->kother, &c), RCP_ERR_KEY_INVALID);
    b = t;
    b.usage = RCP_X509_USAGE_CA;
    CHECK_ERR(rcp_x509_issue(&b, NULL, w->kother, &c), RCP_ERR_KEY_INVALID); /* root: own key */
    CHECK_ERR(rcp_x509_issue(&t, w->sign, w->ksign, &c), RCP_ERR_CERT); /* a leaf cannot issue */
    CHECK_OK(rcp_ec_key_generate(RCP_CURVE_X25519, &((struct world *)w)->drbg.rng, &x));
    CHECK_OK(rcp_ec_key_generate(RCP_CURVE_BP384R1, &((struct world *)w)->drbg.rng, &bp384));
    b = t;
    b.subject_key = x;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_UNSUPPORTED);
    b.subject_key = bp384;
    CHECK_ERR(rcp_x509_issue(&b, w->inta, w->kint, &c), RCP_ERR_UNSUPPORTED);
    CHECK(c == NULL);

    /* Cross-certification needs a CA subject and a CA issuer. */
    const uint8_t one = 1;
    CHECK_ERR(rcp_x509_cross_certify(w->sign, w->ra, w->ka, &one, 1, T0, T0 + DAY,
                                     RCP_X509_PATHLEN_NONE, &c),
              RCP_ERR_CERT);
    CHECK_ERR(rcp_x509_cross_certify(w->rb, w->sign, w->ksign, &one, 1, T0, T0 + DAY,
                                     RCP_X509_PATHLEN_NONE, &c),
              RCP_ERR_CERT);
    CHECK_ERR(rcp_x509_cross_certify(w->rb, w->ra, w->kb, &one, 1, T0, T0 + DAY,
                                     RCP_X509_PATHLEN_NONE, &c),
              RCP_ERR_KEY_INVALID);
    CHECK_ERR(
        rcp_x509_cross_certify(w->rb, w->ra, w->ka, &one, 1, T0, T0, RCP_X509_PATHLEN_NONE, &c),
        RCP_ERR_INVALID_ARG);
    rcp_ec_key_free(pub);
    rcp_ec_key_free(x);
    rcp_ec_key_free(bp384);
}

/* ---------------------------------------------------- full verification */

static void test_verify_basic(const struct world *w)
{
    rcp_x509_store *st = store_a(w, 0);
    rcp_x509_why why;
    size_t chain_len = 0;
    CHECK_OK(
        rcp_x509_store_verify(st, w->sign, NULL, 0, NOW, RCP_X509_USAGE_SIGN, &chain_len, &why));
    CHECK(chain_len == 3);
    CHECK_OK(rcp_x509_store_verify(st, w->sign, NULL, 0, NOW, RCP_X509_USAGE_ANY, NULL, &why));
    CHECK_OK(rcp_x509_store_verify(st, w->agree, NULL, 0, NOW, RCP_X509_USAGE_AGREE, NULL, &why));
    CHECK_OK(rcp_x509_store_verify(st, w->inta, NULL, 0, NOW, RCP_X509_USAGE_CA, &chain_len, &why));
    CHECK(chain_len == 2);
    CHECK_OK(rcp_x509_store_verify(st, w->ra, NULL, 0, NOW, RCP_X509_USAGE_CA, &chain_len, &why));
    CHECK(chain_len == 1);
    /* Wrong usage: a sign leaf where agree is wanted and the reverse; a
     * leaf where a CA is wanted; a CA where a signer is wanted. */
    CHECK_ERR(rcp_x509_store_verify(st, w->sign, NULL, 0, NOW, RCP_X509_USAGE_AGREE, NULL, &why),
              RCP_ERR_CERT);
    CHECK(strstr(why.text, "has usage 'sign', expected 'agree'") != NULL);
    CHECK_ERR(rcp_x509_store_verify(st, w->agree, NULL, 0, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
              RCP_ERR_CERT);
    CHECK_ERR(rcp_x509_store_verify(st, w->sign, NULL, 0, NOW, RCP_X509_USAGE_CA, NULL, &why),
              RCP_ERR_CERT);
    CHECK_ERR(rcp_x509_store_verify(st, w->inta, NULL, 0, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
              RCP_ERR_CERT);
    /* No path: B's leaf, and a self-signed root that is not an anchor. */
    CHECK_ERR(rcp_x509_store_verify(st, w->leafb, NULL, 0, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_UNTRUSTED);
    CHECK(strstr(why.text, "Operator CA") != NULL && strstr(why.text, "CP-AU 1") != NULL);
    CHECK_ERR(rcp_x509_store_verify(st, w->rb, NULL, 0, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_UNTRUSTED);
    CHECK(strstr(why.text, "self-signed") != NULL);
    rcp_x509_store_free(st);

    /* Missing intermediate; then given per call. */
    CHECK_OK(rcp_x509_store_new(&st));
    CHECK_OK(rcp_x509_store_add_anchor(st, w->ra, &why));
    CHECK_ERR(rcp_x509_store_verify(st, w->sign, NULL, 0, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_UNTRUSTED);
    CHECK(strstr(why.text, "'EUM 1'") != NULL);
    const rcp_x509 *extra[] = {w->inta};
    CHECK_OK(rcp_x509_store_verify(st, w->sign, extra, 1, NOW, RCP_X509_USAGE_SIGN, NULL, &why));
    /* Anchors must be self-signed CAs. */
    CHECK_ERR(rcp_x509_store_add_anchor(st, w->inta, &why), RCP_ERR_CERT);
    CHECK_ERR(rcp_x509_store_add_anchor(st, w->sign, &why), RCP_ERR_CERT);
    CHECK_OK(rcp_x509_store_add_anchor(st, w->ra, &why)); /* twice: no-op */
    rcp_x509_store_free(st);

    /* Empty store. */
    CHECK_OK(rcp_x509_store_new(&st));
    CHECK_ERR(rcp_x509_store_verify(st, w->sign, extra, 1, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_UNTRUSTED);
    rcp_x509_store_free(st);
}

/* Validity at a given time, boundaries included, both paths. */
static void test_time(const struct world *w)
{
    rcp_x509_store *st = store_a(w, 1);
    check_both(st, w->sign, T0, RCP_X509_USAGE_SIGN, RCP_OK, NULL);
    /* Before T0 the intermediate is not valid either: the topmost
     * certificate out of its validity is the one named. */
    check_both(st, w->sign, T0 - 1, RCP_X509_USAGE_SIGN, RCP_ERR_EXPIRED,
               "'EUM 1' is not valid before 2027-01-15T08:00:00Z");
    check_both(st, w->sign, T0 - DAY - 1, RCP_X509_USAGE_SIGN, RCP_ERR_EXPIRED,
               "'GSMA CI' is not valid before 2027-01-14T08:00:00Z");
    rcp_x509 *later = issue("later", NULL, 19, RCP_X509_USAGE_SIGN, RCP_X509_PATHLEN_NONE, w->ksign,
                            w->inta, w->kint, T0 + DAY, T0 + 2 * DAY);
    check_both(st, later, T0 + DAY - 1, RCP_X509_USAGE_SIGN, RCP_ERR_EXPIRED,
               "'later' is not valid before 2027-01-16T08:00:00Z");
    check_both(st, later, T0 + DAY, RCP_X509_USAGE_SIGN, RCP_OK, NULL);
    rcp_x509_free(later);
    check_both(st, w->sign, T0 + 365 * DAY - 1, RCP_X509_USAGE_SIGN, RCP_OK, NULL);
    check_both(st, w->sign, T0 + 365 * DAY, RCP_X509_USAGE_SIGN, RCP_ERR_EXPIRED,
               "'eUICC 0001' expired at 2028-01-15T08:00:00Z");
    /* A leaf outliving its intermediate: the intermediate's expiry. */
    rcp_x509 *longer = issue("long", NULL, 20, RCP_X509_USAGE_SIGN, RCP_X509_PATHLEN_NONE, w->ksign,
                             w->inta, w->kint, T0, T0 + 2000 * DAY);
    check_both(st, longer, T0 + 1500 * DAY, RCP_X509_USAGE_ANY, RCP_ERR_EXPIRED,
               "'EUM 1' expired at");
    rcp_x509_free(longer);
    /* Issued before its intermediate's validity starts. */
    rcp_x509 *early = issue("early", NULL, 21, RCP_X509_USAGE_SIGN, RCP_X509_PATHLEN_NONE, w->ksign,
                            w->inta, w->kint, T0 - 10 * DAY, T0 + DAY);
    check_both(st, early, T0 - DAY / 2, RCP_X509_USAGE_ANY, RCP_ERR_EXPIRED,
               "'EUM 1' is not valid before");
    rcp_x509_free(early);
    rcp_x509_store_free(st);
}

/* Tampered certificates: every byte of the signed part counts. */
static void test_tamper(const struct world *w)
{
    rcp_x509_store *st = store_a(w, 1);
    rcp_x509_why why;
    size_t len = 0;
    const uint8_t *der = der_of(w->sign, &len);
    uint8_t buf[RCP_X509_PEM_MAX];
    rcp_x509 *t = NULL;

    /* A letter of the subject name. */
    memcpy(buf, der, len);
    size_t at = find_bytes(buf, len, "eUICC 0001");
    CHECK(at != SIZE_MAX);
    buf[at] = 'E';
    CHECK_OK(rcp_x509_from_der(buf, len, &t));
    check_both(st, t, NOW, RCP_X509_USAGE_SIGN, RCP_ERR_SIGNATURE,
               "signature of 'EUICC 0001' does not verify with the key of 'EUM 1'");
    rcp_x509_free(t);
    t = NULL;
    /* The last byte of the signature value. */
    memcpy(buf, der, len);
    buf[len - 1] ^= 0x01;
    CHECK_OK(rcp_x509_from_der(buf, len, &t));
    check_both(st, t, NOW, RCP_X509_USAGE_SIGN, RCP_ERR_SIGNATURE, "does not verify");
    rcp_x509_free(t);
    t = NULL;
    /* A validity digit: 2028 -> 2029 (UTCTime "28..." -> "29..."). */
    memcpy(buf, der, len);
    at = find_bytes(buf, len, "280115080000Z");
    CHECK(at != SIZE_MAX);
    buf[at + 1] = '9';
    CHECK_OK(rcp_x509_from_der(buf, len, &t));
    check_both(st, t, NOW, RCP_X509_USAGE_SIGN, RCP_ERR_SIGNATURE, NULL);
    rcp_x509_free(t);
    /* The issuer name (its first occurrence in the leaf): no issuer matches. */
    memcpy(buf, der, len);
    at = find_bytes(buf, len, "EUM 1");
    CHECK(at != SIZE_MAX);
    buf[at] = 'X';
    t = NULL;
    CHECK_OK(rcp_x509_from_der(buf, len, &t));
    check_both(st, t, NOW, RCP_X509_USAGE_SIGN, RCP_ERR_UNTRUSTED, "'XUM 1'");
    rcp_x509_free(t);
    /* Not a certificate at all. */
    CHECK_ERR(rcp_x509_store_verify_cached(st, der, len - 3, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_DECODE);
    CHECK_ERR(rcp_x509_store_verify_cached(st, (const uint8_t *)"x", 1, NOW, RCP_X509_USAGE_ANY,
                                           NULL, &why),
              RCP_ERR_DECODE);
    rcp_x509_store_free(st);
}

/* Cross-certified paths both ways (seed 001: GSMA CI <-> operator CA). */
static void test_cross(const struct world *w)
{
    rcp_x509_store *st = NULL;
    rcp_x509_why why;
    size_t chain_len = 0;

    /* Only A trusted: B's leaf through A->B. */
    CHECK_OK(rcp_x509_store_new(&st));
    CHECK_OK(rcp_x509_store_add_anchor(st, w->ra, &why));
    CHECK_ERR(rcp_x509_store_verify(st, w->leafb, NULL, 0, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
              RCP_ERR_UNTRUSTED);
    const rcp_x509 *via_ab[] = {w->rb, w->ab}; /* B's own root first: must not derail the path */
    CHECK_OK(
        rcp_x509_store_verify(st, w->leafb, via_ab, 2, NOW, RCP_X509_USAGE_SIGN, &chain_len, &why));
    CHECK(chain_len == 3);
    /* Cached: A->B verified once, then B's leaves cost one signature. */
    CHECK_OK(rcp_x509_store_add_ca(st, w->ab, NOW, &why));
    size_t len = 0;
    const uint8_t *der = der_of(w->leafb, &len);
    CHECK_OK(rcp_x509_store_verify_cached(st, der, len, NOW, RCP_X509_USAGE_SIGN, NULL, &why));
    CHECK_OK(rcp_x509_store_verify(st, w->leafb, NULL, 0, NOW, RCP_X509_USAGE_SIGN, NULL, &why));
    /* The cross-certificate's validity bounds the path. */
    check_both(st, w->leafb, T0 + 364 * DAY, RCP_X509_USAGE_SIGN, RCP_OK, NULL);
    rcp_x509 *late = issue("CP-AU 2", NULL, 22, RCP_X509_USAGE_SIGN, RCP_X509_PATHLEN_NONE,
                           w->kleafb, w->rb, w->kb, T0, T0 + 2000 * DAY);
    check_both(st, late, T0 + 1500 * DAY, RCP_X509_USAGE_SIGN, RCP_ERR_EXPIRED,
               "'Operator CA' expired at");
    rcp_x509_free(late);
    /* A's own chain still verifies in the same store. */
    const rcp_x509 *via_int[] = {w->inta};
    CHECK_OK(rcp_x509_store_verify(st, w->sign, via_int, 1, NOW, RCP_X509_USAGE_SIGN, NULL, &why));
    rcp_x509_store_free(st);

    /* Only B trusted: A's leaf through EUM 1 and B->A. */
    CHECK_OK(rcp_x509_store_new(&st));
    CHECK_OK(rcp_x509_store_add_anchor(st, w->rb, &why));
    const rcp_x509 *no_cross[] = {w->inta};
    CHECK_ERR(rcp_x509_store_verify(st, w->sign, no_cross, 1, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
              RCP_ERR_UNTRUSTED);
    const rcp_x509 *via_ba[] = {w->ra, w->inta, w->ba};
    CHECK_OK(
        rcp_x509_store_verify(st, w->sign, via_ba, 3, NOW, RCP_X509_USAGE_SIGN, &chain_len, &why));
    CHECK(chain_len == 4);
    CHECK_OK(rcp_x509_store_add_untrusted(st, w->ba));
    CHECK_OK(rcp_x509_store_add_untrusted(st, w->inta));
    CHECK_OK(rcp_x509_store_add_untrusted(st, w->ra));       /* self-signed: ignored */
    CHECK_OK(rcp_x509_store_add_ca(st, w->inta, NOW, &why)); /* caches B->A and EUM 1 */
    der = der_of(w->sign, &len);
    CHECK_OK(rcp_x509_store_verify_cached(st, der, len, NOW, RCP_X509_USAGE_SIGN, NULL, &why));
    /* One direction does not give the other: A->B alone does not make
     * A's leaves trusted by B. */
    rcp_x509_store_free(st);
    CHECK_OK(rcp_x509_store_new(&st));
    CHECK_OK(rcp_x509_store_add_anchor(st, w->rb, &why));
    const rcp_x509 *wrong_way[] = {w->inta, w->ab};
    CHECK_ERR(
        rcp_x509_store_verify(st, w->sign, wrong_way, 2, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
        RCP_ERR_UNTRUSTED);
    rcp_x509_store_free(st);
}

/* ------------------------------------------------------------------ CRL */

static rcp_x509_crl *crl_of(const rcp_x509 *ca, const rcp_ec_key *k, uint64_t number,
                            int64_t this_update, int64_t next_update,
                            const rcp_x509 *const *revoked, size_t n)
{
    rcp_x509_revoked r[4] = {0};
    rcp_x509_info in[4];
    rcp_x509_crl *crl = NULL;
    for (size_t i = 0; i < n; i++) {
        CHECK_OK(rcp_x509_get_info(revoked[i], &in[i]));
        r[i] = (rcp_x509_revoked){in[i].serial, in[i].serial_len, this_update - DAY};
    }
    CHECK_OK(rcp_x509_crl_issue(ca, k, number, this_update, next_update, r, n, &crl));
    return crl;
}

static void test_crl_format(const struct world *w)
{
    rcp_x509_crl *crl = NULL, *back = NULL;
    rcp_x509_crl_info ci;
    rcp_x509_info ii;
    const uint8_t s5[] = {5}, s3[] = {3}, s1001[] = {0x10, 0x01}, s3b[] = {0, 3};
    rcp_x509_revoked r[] = {{s5, 1, T0}, {s1001, 2, T0 + 1}, {s3, 1, T0 + 2}};
    CHECK_OK(rcp_x509_crl_issue(w->inta, w->kint, 7, NOW, NOW + 30 * DAY, r, 3, &crl));
    CHECK_OK(rcp_x509_crl_get_info(crl, &ci));
    CHECK_OK(rcp_x509_get_info(w->inta, &ii));
    CHECK(ci.version == 2 && ci.has_crl_number && ci.crl_number == 7);
    CHECK(ci.this_update == NOW && ci.has_next_update && ci.next_update == NOW + 30 * DAY);
    CHECK(strcmp(ci.issuer_cn, "EUM 1") == 0 && strcmp(ci.issuer, "CN=EUM 1") == 0);
    CHECK(ci.aki_len == ii.ski_len && memcmp(ci.aki, ii.ski, ii.ski_len) == 0);
    CHECK(strcmp(ci.sig_alg, "ecdsa-with-SHA256") == 0);
    CHECK(ci.n_revoked == 3);
    /* Ascending serials, with their dates. */
    uint8_t sn[RCP_X509_SERIAL_MAX + 1];
    size_t sl = 0;
    int64_t when = 0;
    CHECK_OK(rcp_x509_crl_entry(crl, 0, sn, &sl, &when));
    CHECK(sl == 1 && sn[0] == 3 && when == T0 + 2);
    CHECK_OK(rcp_x509_crl_entry(crl, 1, sn, &sl, &when));
    CHECK(sl == 1 && sn[0] == 5 && when == T0);
    CHECK_OK(rcp_x509_crl_entry(crl, 2, sn, &sl, &when));
    CHECK(sl == 2 && sn[0] == 0x10 && sn[1] == 0x01);
    CHECK_ERR(rcp_x509_crl_entry(crl, 3, sn, &sl, &when), RCP_ERR_NOT_FOUND);
    CHECK(rcp_x509_crl_lists(crl, s3, 1) == 1);
    CHECK(rcp_x509_crl_lists(crl, s3b, 2) == 1); /* leading zero ignored */
    CHECK(rcp_x509_crl_lists(crl, s1001, 2) == 1);
    const uint8_t s4[] = {4};
    CHECK(rcp_x509_crl_lists(crl, s4, 1) == 0);
    CHECK_OK(rcp_x509_crl_check_issuer(crl, w->inta));
    CHECK_ERR(rcp_x509_crl_check_issuer(crl, w->ra), RCP_ERR_SIGNATURE);
    /* PEM and DER round trips. */
    char pem[4096];
    size_t pem_len = 0, der_len = 0, der2_len = 0;
    CHECK_OK(rcp_x509_crl_to_pem(crl, pem, sizeof pem, &pem_len));
    CHECK(strncmp(pem, "-----BEGIN X509 CRL-----\n", 25) == 0);
    CHECK_OK(rcp_x509_crl_read((const uint8_t *)pem, pem_len, &back));
    const uint8_t *der = rcp_x509_crl_der(crl, &der_len), *der2 = rcp_x509_crl_der(back, &der2_len);
    CHECK(der_len == der2_len && memcmp(der, der2, der_len) == 0);
    rcp_x509_crl_free(back);
    back = NULL;
    CHECK_OK(rcp_x509_crl_read(der, der_len, &back));
    rcp_x509_crl_free(back);
    back = NULL;
    CHECK_ERR(rcp_x509_crl_read(der, der_len - 1, &back), RCP_ERR_DECODE);
    size_t cl = 0;
    const uint8_t *cd = der_of(w->sign, &cl);
    CHECK_ERR(rcp_x509_crl_read(cd, cl, &back), RCP_ERR_DECODE); /* a certificate */
    CHECK(back == NULL);
    rcp_x509_crl_free(crl);
    crl = NULL;

    /* Bad CRL requests. */
    rcp_x509_revoked dup[] = {{s3, 1, T0}, {s3b, 2, T0}};
    CHECK_ERR(rcp_x509_crl_issue(w->inta, w->kint, 1, NOW, NOW + DAY, dup, 2, &crl),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_x509_crl_issue(w->inta, w->kint, 1, NOW, NOW, NULL, 0, &crl),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_x509_crl_issue(w->sign, w->ksign, 1, NOW, NOW + DAY, NULL, 0, &crl),
              RCP_ERR_CERT);
    CHECK_ERR(rcp_x509_crl_issue(w->inta, w->ka, 1, NOW, NOW + DAY, NULL, 0, &crl),
              RCP_ERR_KEY_INVALID);
    CHECK(crl == NULL);
}

static void test_crl_verify(const struct world *w)
{
    rcp_x509_why why;
    const rcp_x509 *rev_sign[] = {w->sign}, *rev_int[] = {w->inta};

    /* CRL held before its issuer is cached, then attached when it is. */
    rcp_x509_store *st = store_a(w, 0);
    rcp_x509_crl *c1 = crl_of(w->inta, w->kint, 1, T0, T0 + 30 * DAY, rev_sign, 1);
    CHECK_OK(rcp_x509_store_add_crl(st, c1, &why));
    CHECK_ERR(rcp_x509_store_verify(st, w->sign, NULL, 0, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
              RCP_ERR_REVOKED);
    CHECK(strstr(why.text, "'eUICC 0001' (serial 1003) is revoked by 'EUM 1'") != NULL);
    CHECK_OK(rcp_x509_store_add_ca(st, w->inta, NOW, &why));
    check_both(st, w->sign, NOW, RCP_X509_USAGE_SIGN, RCP_ERR_REVOKED, "is revoked by 'EUM 1'");
    check_both(st, w->agree, NOW, RCP_X509_USAGE_AGREE, RCP_OK, NULL);
    /* Stale (now >= nextUpdate) and not yet valid CRLs fail closed. */
    check_both(st, w->agree, T0 + 30 * DAY - 1, RCP_X509_USAGE_AGREE, RCP_OK, NULL);
    check_both(st, w->agree, T0 + 30 * DAY, RCP_X509_USAGE_AGREE, RCP_ERR_EXPIRED,
               "CRL of 'EUM 1' is stale since 2027-02-14T08:00:00Z");
    check_both(st, w->agree, T0 - 1 + DAY * 0, RCP_X509_USAGE_AGREE, RCP_ERR_EXPIRED, NULL);

    /* A newer CRL replaces it; the older one cannot come back. */
    rcp_x509_crl *c2 = crl_of(w->inta, w->kint, 2, T0 + DAY, T0 + 60 * DAY, NULL, 0);
    CHECK_OK(rcp_x509_store_add_crl(st, c2, &why));
    check_both(st, w->sign, NOW, RCP_X509_USAGE_SIGN, RCP_OK, NULL);
    CHECK_ERR(rcp_x509_store_add_crl(st, c1, &why), RCP_ERR_REPLAY);
    CHECK(strstr(why.text, "not newer") != NULL);
    CHECK_OK(rcp_x509_store_add_crl(st, c2, &why)); /* the same again: no-op */
    rcp_x509_crl *c2b = crl_of(w->inta, w->kint, 2, T0 + 2 * DAY, T0 + 60 * DAY, rev_sign, 1);
    CHECK_ERR(rcp_x509_store_add_crl(st, c2b, &why),
              RCP_ERR_REPLAY); /* other content, same number */
    check_both(st, w->sign, NOW, RCP_X509_USAGE_SIGN, RCP_OK, NULL);

    /* The root revokes the intermediate after it was cached. */
    rcp_x509_crl *ca = crl_of(w->ra, w->ka, 1, T0, T0 + 30 * DAY, rev_int, 1);
    CHECK_OK(rcp_x509_store_add_crl(st, ca, &why));
    check_both(st, w->sign, NOW, RCP_X509_USAGE_SIGN, RCP_ERR_REVOKED,
               "'EUM 1' (serial 1002) is revoked by 'GSMA CI'");
    rcp_x509_store_free(st);

    /* A CRL whose signature does not verify. */
    size_t len = 0;
    const uint8_t *der = rcp_x509_crl_der(c2, &len);
    uint8_t bad[4096];
    memcpy(bad, der, len);
    bad[len - 1] ^= 1;
    rcp_x509_crl *cbad = NULL;
    CHECK_OK(rcp_x509_crl_read(bad, len, &cbad));
    st = store_a(w, 1);
    CHECK_ERR(rcp_x509_store_add_crl(st, cbad, &why), RCP_ERR_SIGNATURE);
    CHECK(strstr(why.text, "CRL of 'EUM 1' does not verify") != NULL);
    rcp_x509_store_free(st);
    st = store_a(w, 0); /* issuer not cached: held, and the full path finds it bad */
    CHECK_OK(rcp_x509_store_add_crl(st, cbad, &why));
    CHECK_ERR(rcp_x509_store_verify(st, w->agree, NULL, 0, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_SIGNATURE);
    CHECK(strstr(why.text, "CRL of 'EUM 1'") != NULL);
    /* ... and once EUM 1 is cached, the fast path fails on it too. */
    CHECK_OK(rcp_x509_store_add_ca(st, w->inta, NOW, &why));
    check_both(st, w->agree, NOW, RCP_X509_USAGE_AGREE, RCP_ERR_SIGNATURE,
               "CRL of 'EUM 1' does not verify");
    rcp_x509_store_free(st);

    /* Policy REQUIRED: a CRL for every certificate below the anchor. */
    st = store_a(w, 0);
    rcp_x509_store_set_crl_policy(st, RCP_X509_CRL_REQUIRED);
    CHECK_ERR(rcp_x509_store_verify(st, w->agree, NULL, 0, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_UNTRUSTED);
    CHECK(strstr(why.text, "no CRL of") != NULL);
    CHECK_ERR(rcp_x509_store_add_ca(st, w->inta, NOW, &why), RCP_ERR_UNTRUSTED);
    CHECK_OK(rcp_x509_store_add_crl(st, c2, &why));
    CHECK_ERR(rcp_x509_store_verify(st, w->agree, NULL, 0, NOW, RCP_X509_USAGE_ANY, NULL, &why),
              RCP_ERR_UNTRUSTED); /* still no CRL of GSMA CI for EUM 1 */
    CHECK(strstr(why.text, "no CRL of 'GSMA CI'") != NULL);
    rcp_x509_crl *ca_empty = crl_of(w->ra, w->ka, 1, T0, T0 + 30 * DAY, NULL, 0);
    CHECK_OK(rcp_x509_store_add_crl(st, ca_empty, &why));
    CHECK_OK(rcp_x509_store_add_ca(st, w->inta, NOW, &why));
    check_both(st, w->agree, NOW, RCP_X509_USAGE_AGREE, RCP_OK, NULL);
    rcp_x509_store_free(st);
    /* REQUIRED with only EUM 1's CRL cached but the root's missing. */
    st = store_a(w, 1);
    CHECK_OK(rcp_x509_store_add_crl(st, c2, &why));
    rcp_x509_store_set_crl_policy(st, RCP_X509_CRL_REQUIRED);
    check_both(st, w->agree, NOW, RCP_X509_USAGE_AGREE, RCP_ERR_UNTRUSTED, "no CRL of 'GSMA CI'");
    rcp_x509_store_free(st);

    rcp_x509_crl_free(c1);
    rcp_x509_crl_free(c2);
    rcp_x509_crl_free(c2b);
    rcp_x509_crl_free(ca);
    rcp_x509_crl_free(cbad);
    rcp_x509_crl_free(ca_empty);
}

/* Path length: EUM 1 has pathLenConstraint 0. */
static void test_pathlen(const struct world *w)
{
    rcp_x509_why why;
    rcp_ec_key *ksub = NULL;
    CHECK_OK(rcp_ec_key_generate(w->curve, &((struct world *)w)->drbg.rng, &ksub));
    rcp_x509 *sub = issue("sub CA", NULL, 30, RCP_X509_USAGE_CA, RCP_X509_PATHLEN_NONE, ksub,
                          w->inta, w->kint, T0, T0 + 100 * DAY);
    rcp_x509 *leaf = issue("under sub", NULL, 31, RCP_X509_USAGE_SIGN, RCP_X509_PATHLEN_NONE,
                           w->ksign, sub, ksub, T0, T0 + 100 * DAY);
    rcp_x509_store *st = store_a(w, 1);
    /* The sub-CA itself is a valid end of path ... */
    CHECK_OK(rcp_x509_store_verify(st, sub, NULL, 0, NOW, RCP_X509_USAGE_CA, NULL, &why));
    check_both(st, sub, NOW, RCP_X509_USAGE_CA, RCP_OK, NULL);
    /* ... but may not issue: path length exceeded, and not cacheable. */
    const rcp_x509 *extra[] = {sub};
    CHECK_ERR(rcp_x509_store_verify(st, leaf, extra, 1, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
              RCP_ERR_CERT);
    CHECK(strstr(why.text, "path length") != NULL);
    CHECK_ERR(rcp_x509_store_add_ca(st, sub, NOW, &why), RCP_ERR_CERT);
    CHECK(strstr(why.text, "path length constraint of 'EUM 1'") != NULL);
    size_t len = 0;
    const uint8_t *der = der_of(leaf, &len);
    CHECK_ERR(rcp_x509_store_verify_cached(st, der, len, NOW, RCP_X509_USAGE_SIGN, NULL, &why),
              RCP_ERR_UNTRUSTED);
    rcp_x509_store_free(st);
    rcp_x509_free(sub);
    rcp_x509_free(leaf);
    rcp_ec_key_free(ksub);
}

/* The fast path returns the leaf's key; anchors may be verified too. */
static void test_cached_misc(const struct world *w)
{
    rcp_x509_why why;
    rcp_ec_key *k = NULL;
    uint8_t a[RCP_EC_MAX_POINT], b[RCP_EC_MAX_POINT];
    size_t al = 0, bl = 0, len = 0;
    rcp_x509_store *st = store_a(w, 0);
    const uint8_t *der = der_of(w->sign, &len);
    CHECK_ERR(rcp_x509_store_verify_cached(st, der, len, NOW, RCP_X509_USAGE_SIGN, &k, &why),
              RCP_ERR_UNTRUSTED); /* EUM 1 known but not cached */
    CHECK(k == NULL);
    CHECK(strstr(why.text, "'EUM 1'") != NULL);
    CHECK_OK(rcp_x509_store_add_ca(st, w->inta, NOW, &why));
    CHECK_OK(rcp_x509_store_verify_cached(st, der, len, NOW, RCP_X509_USAGE_SIGN, &k, &why));
    CHECK_OK(rcp_ec_key_public(k, 0, a, sizeof a, &al));
    CHECK_OK(rcp_ec_key_public(w->ksign, 0, b, sizeof b, &bl));
    CHECK(al == bl && memcmp(a, b, al) == 0);
    rcp_ec_key_free(k);
    der = der_of(w->inta, &len);
    CHECK_OK(rcp_x509_store_verify_cached(st, der, len, NOW, RCP_X509_USAGE_CA, NULL, &why));
    /* An expired intermediate cannot be cached. */
    CHECK_ERR(rcp_x509_store_add_ca(st, w->inta, T0 + 1001 * DAY, &why), RCP_ERR_EXPIRED);
    CHECK_ERR(rcp_x509_store_add_ca(st, w->sign, NOW, &why), RCP_ERR_CERT); /* not a CA */
    rcp_x509_store_free(st);
}

struct thread_arg {
    const rcp_x509_store *st;
    const uint8_t *der;
    size_t len;
    int ok;
};

static void *verify_many(void *p)
{
    struct thread_arg *a = p;
    for (int i = 0; i < 200; i++)
        if (rcp_x509_store_verify_cached(a->st, a->der, a->len, NOW, RCP_X509_USAGE_SIGN, NULL,
                                         NULL) == 0)
            a->ok++;
    return NULL;
}

/* Concurrent fast-path verification on one filled store. */
static void test_threads(const struct world *w)
{
    rcp_x509_store *st = store_a(w, 1);
    pthread_t th[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){st, NULL, 0, 0};
        args[i].der = der_of(w->sign, &args[i].len);
        CHECK(pthread_create(&th[i], NULL, verify_many, &args[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        CHECK(pthread_join(th[i], NULL) == 0);
        CHECK(args[i].ok == 200);
    }
    rcp_x509_store_free(st);
}

/* `rcprov pki init` writes the CA key with mode 0600 even under umask 000. */
static void test_key_file_mode(void)
{
    const char *cli = getenv("RCP_CLI");
    char dir[] = "/tmp/rcp_x509_modeXXXXXX", ca[64], key[96];
    struct stat sb;
    CHECK(cli != NULL);
    if (cli == NULL || mkdtemp(dir) == NULL)
        return;
    snprintf(ca, sizeof ca, "%s/ca", dir);
    snprintf(key, sizeof key, "%s/ca/ca.key", dir);
    char *argv[] = {(char *)cli, "pki", "init", "--dir", ca, "--name", "mode test", NULL};
    pid_t pid;
    int status = -1;
    posix_spawn_file_actions_t fa;
    CHECK(posix_spawn_file_actions_init(&fa) == 0);
    CHECK(posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) == 0);
    mode_t old = umask(0);
    CHECK(posix_spawn(&pid, cli, &fa, NULL, argv, environ) == 0);
    umask(old);
    posix_spawn_file_actions_destroy(&fa);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(stat(key, &sb) == 0);
    CHECK((sb.st_mode & 0777) == 0600);
    CHECK(S_ISREG(sb.st_mode) && sb.st_uid == getuid());
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    rcp_curve curves[] = {RCP_CURVE_P256, RCP_CURVE_BP256R1};
    for (size_t i = 0; i < 2; i++) {
        struct world w;
        make_world(&w, curves[i]);
        test_fields(&w);
        test_encoding(&w);
        test_keys(curves[i]);
        test_issue_args(&w);
        test_verify_basic(&w);
        test_time(&w);
        test_tamper(&w);
        test_cross(&w);
        test_crl_format(&w);
        test_crl_verify(&w);
        test_pathlen(&w);
        test_cached_misc(&w);
        test_threads(&w);
        free_world(&w);
    }
    test_key_fixtures();
    test_key_file_mode();
    return rcp_t_done("test_x509");
}
