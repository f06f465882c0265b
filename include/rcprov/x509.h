/*
 * rcprov — X.509 v3 certificates, CRLs and trust stores (crypto layer, over
 * OpenSSL 3; nothing here leaks an OpenSSL type).
 *
 * The certificate and CRL profile, the cross-certification scheme and the
 * verification rules are specified in docs/spec/x509.md.  In short:
 *
 *  - certificates are v3, signed with ecdsa-with-SHA256, keys on P-256 or
 *    brainpoolP256r1; a CA has basicConstraints cA TRUE (critical, optional
 *    pathLenConstraint) and keyUsage keyCertSign|cRLSign; a leaf has
 *    basicConstraints cA FALSE and keyUsage digitalSignature (usage sign) or
 *    keyAgreement (usage agree); keyUsage is critical; SKI is RFC 7093
 *    method 1 (SHA-256 of subjectPublicKey, first 160 bits); AKI is the
 *    issuer's SKI;
 *  - a cross-certificate is a CA certificate by root A for root B's subject
 *    name, key and SKI, so that whatever B issued chains to A as well;
 *  - CRLs are v2 with cRLNumber and AKI, thisUpdate and nextUpdate.
 *
 * Times are seconds since the Unix epoch (int64_t).  A certificate or CRL
 * is valid for not_before <= t < not_after: OpenSSL 3.0 treats the
 * notAfter second itself as expired, and both verification paths here
 * follow it so that they give one answer (docs/spec/x509.md "Time").
 *
 * Every function returns 0 or a negative RCP_ERR_*.  Objects are opaque and
 * heap-allocated; certificates and CRLs are immutable once made and may be
 * shared read-only between threads.  A store is filled by one thread; its
 * verify functions may then run concurrently.
 */
#ifndef RCPROV_X509_H
#define RCPROV_X509_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/crypto.h"
#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- sizes */

#define RCP_X509_SERIAL_MAX 20          /* RFC 5280 4.1.2.2: at most 20 octets */
#define RCP_X509_NAME_MAX 64            /* RFC 5280 A.1: ub-common-name, ub-organization-name */
#define RCP_X509_DN_MAX 256             /* one-line distinguished name, for people */
#define RCP_X509_KEYID_MAX 32           /* SKI/AKI bytes kept (rcprov makes 20) */
#define RCP_X509_SKI_LEN 20             /* RFC 7093 2 method 1: 160 bits */
#define RCP_X509_EXT_MAX 16             /* extensions listed by rcp_x509_get_info */
#define RCP_X509_DER_MAX 65536          /* largest certificate accepted */
#define RCP_X509_CRL_DER_MAX (4u << 20) /* largest CRL accepted */
#define RCP_X509_PEM_MAX 8192           /* enough for any certificate rcprov issues */
#define RCP_PKCS8_PEM_MAX 1024          /* PKCS#8 PEM of any supported EC key */
#define RCP_X509_PATHLEN_NONE (-1)
#define RCP_X509_TIME_MIN (-631152000LL) /* 1950-01-01T00:00:00Z, RFC 5280 4.1.2.5.1 */
#define RCP_X509_TIME_MAX 253402300799LL /* 9999-12-31T23:59:59Z, RFC 5280 4.1.2.5 */

/* The role of a key.  The values equal rcp_key_usage of rcprov/cert.h
 * (compact certificates), so one may be cast to the other. */
typedef enum {
    RCP_X509_USAGE_ANY = 0,   /* verification: no usage wanted */
    RCP_X509_USAGE_CA = 1,    /* keyCertSign + cRLSign, basicConstraints cA */
    RCP_X509_USAGE_SIGN = 2,  /* digitalSignature */
    RCP_X509_USAGE_AGREE = 3, /* keyAgreement */
} rcp_x509_usage;

/* "ca", "sign", "agree" ("any" for 0); NULL if unknown. */
const char *rcp_x509_usage_name(rcp_x509_usage u);

/* keyUsage bits as numbered in RFC 5280 4.2.1.3 (bit n = 1 << n). */
#define RCP_X509_KU_DIGITAL_SIGNATURE (1u << 0)
#define RCP_X509_KU_NON_REPUDIATION (1u << 1)
#define RCP_X509_KU_KEY_ENCIPHERMENT (1u << 2)
#define RCP_X509_KU_DATA_ENCIPHERMENT (1u << 3)
#define RCP_X509_KU_KEY_AGREEMENT (1u << 4)
#define RCP_X509_KU_KEY_CERT_SIGN (1u << 5)
#define RCP_X509_KU_CRL_SIGN (1u << 6)
#define RCP_X509_KU_ENCIPHER_ONLY (1u << 7)
#define RCP_X509_KU_DECIPHER_ONLY (1u << 8)

/* Why a verification failed, for people: "certificate 'dev-7' expired at
 * 2027-01-01T00:00:00Z".  Always NUL-terminated after a failure. */
typedef struct {
    char text[256];
} rcp_x509_why;

/* ---------------------------------------------------------- certificates */

typedef struct rcp_x509 rcp_x509;

/* What goes into a new certificate. */
typedef struct {
    const uint8_t *serial; /* big-endian, positive, at most 20 octets once
                              DER-encoded (a leading 0x00 is added when the
                              top bit is set); leading zero bytes ignored */
    size_t serial_len;
    const char *cn;                /* subject commonName: 1..64 bytes of UTF-8 */
    const char *org;               /* subject organizationName (1..64 bytes) or NULL */
    rcp_x509_usage usage;          /* CA, SIGN or AGREE */
    int path_len;                  /* CA: pathLenConstraint >= 0 or
                                      RCP_X509_PATHLEN_NONE; others: NONE */
    const rcp_ec_key *subject_key; /* P-256 or brainpoolP256r1; public part used */
    int64_t not_before;            /* RCP_X509_TIME_MIN .. RCP_X509_TIME_MAX */
    int64_t not_after;             /* > not_before */
} rcp_x509_template;

/* Issue a certificate.  issuer NULL: a self-signed root, t->usage must be
 * CA and issuer_key must be the subject key.  Otherwise issuer is the CA's
 * certificate (basicConstraints cA and keyCertSign) and issuer_key its
 * private key.  Errors: RCP_ERR_INVALID_ARG (a template field out of its
 * range), RCP_ERR_KEY_INVALID (issuer_key has no private part or does not
 * match the issuer certificate / the subject key of a root),
 * RCP_ERR_UNSUPPORTED (a curve other than the two above), RCP_ERR_CERT
 * (issuer is not a CA), RCP_ERR_CRYPTO. */
RCP_MUST_CHECK int rcp_x509_issue(const rcp_x509_template *t, const rcp_x509 *issuer,
                                  const rcp_ec_key *issuer_key, rcp_x509 **out);

/* Cross-certify: issuer (root A, with its private key) certifies the CA
 * subject_ca (root B): the result carries B's subject name, public key and
 * SKI, basicConstraints cA TRUE with path_len, and A as issuer.  Leaves
 * under B then verify with only A trusted (path leaf -> ... -> B-by-A -> A).
 * Certify both ways for paths both ways.  Errors as rcp_x509_issue, plus
 * RCP_ERR_CERT when subject_ca is not a CA certificate. */
RCP_MUST_CHECK int rcp_x509_cross_certify(const rcp_x509 *subject_ca, const rcp_x509 *issuer,
                                          const rcp_ec_key *issuer_key, const uint8_t *serial,
                                          size_t serial_len, int64_t not_before, int64_t not_after,
                                          int path_len, rcp_x509 **out);

/* Parse one DER certificate; the whole input must be the certificate.
 * RCP_ERR_DECODE if it is not one, RCP_ERR_LENGTH above RCP_X509_DER_MAX.
 * No signature or validity is checked here. */
RCP_MUST_CHECK int rcp_x509_from_der(const uint8_t *der, size_t len, rcp_x509 **out);

/* Parse the PEM "CERTIFICATE" blocks of buf (text and other blocks around
 * them are ignored) or, when buf starts with a DER SEQUENCE tag (0x30), one
 * DER certificate.
 * Up to cap certificates go to out[0..*n).  RCP_ERR_DECODE when none is
 * found or one is malformed, RCP_ERR_LIMIT when there are more than cap.
 * On error nothing is returned (*n = 0). */
RCP_MUST_CHECK int rcp_x509_read(const uint8_t *buf, size_t len, rcp_x509 **out, size_t cap,
                                 size_t *n);

/* The DER encoding (owned by c, valid while c lives). */
const uint8_t *rcp_x509_der(const rcp_x509 *c, size_t *len);

/* PEM ("-----BEGIN CERTIFICATE-----", 64-column base64), NUL-terminated;
 * *out_len excludes the NUL.  RCP_ERR_BUFFER_TOO_SMALL with *out_len set
 * to the size needed (NUL included) when cap is too small. */
RCP_MUST_CHECK int rcp_x509_to_pem(const rcp_x509 *c, char *out, size_t cap, size_t *out_len);

/* Another reference to the same certificate; free each with _free. */
RCP_MUST_CHECK int rcp_x509_ref(rcp_x509 *c, rcp_x509 **out);
void rcp_x509_free(rcp_x509 *c); /* NULL ok */

/* The subject public key as a usable key.  RCP_ERR_UNSUPPORTED when it is
 * not an EC key on a curve of rcprov/crypto.h (or uses explicit curve
 * parameters); RCP_ERR_POINT_INVALID for a bad point. */
RCP_MUST_CHECK int rcp_x509_public_key(const rcp_x509 *c, rcp_ec_key **out);

/* Usage class of a certificate: CA when basicConstraints says cA; else SIGN
 * or AGREE when keyUsage has digitalSignature or keyAgreement alone; else
 * ANY (no keyUsage, or a mix). */
rcp_x509_usage rcp_x509_usage_of(const rcp_x509 *c);

/* Everything `rcprov pki show` prints. */
typedef struct {
    int version;                             /* 1, 2 or 3 */
    uint8_t serial[RCP_X509_SERIAL_MAX + 1]; /* magnitude, big-endian */
    size_t serial_len;
    int serial_negative;           /* RFC 5280 forbids it; shown, never issued */
    char subject[RCP_X509_DN_MAX]; /* RFC 2253 one-line form */
    char issuer[RCP_X509_DN_MAX];
    char subject_cn[RCP_X509_NAME_MAX + 1]; /* "" when absent or longer */
    char issuer_cn[RCP_X509_NAME_MAX + 1];
    int64_t not_before, not_after;
    char sig_alg[48];              /* "ecdsa-with-SHA256" */
    char key_alg[48];              /* "id-ecPublicKey" */
    rcp_curve curve;               /* RCP_CURVE_NONE when not an EC key of crypto.h */
    uint8_t pub[RCP_EC_MAX_POINT]; /* uncompressed point, when curve is set */
    size_t pub_len;
    int has_key_usage;
    unsigned key_usage; /* RCP_X509_KU_* */
    int has_basic_constraints;
    int is_ca;
    int path_len;         /* RCP_X509_PATHLEN_NONE when absent */
    rcp_x509_usage usage; /* rcp_x509_usage_of */
    uint8_t ski[RCP_X509_KEYID_MAX];
    size_t ski_len; /* 0 when absent */
    uint8_t aki[RCP_X509_KEYID_MAX];
    size_t aki_len;                 /* 0 when absent */
    int self_issued;                /* subject == issuer */
    int self_signed;                /* self-issued and its own key verifies it */
    uint8_t sha256[RCP_SHA256_LEN]; /* fingerprint over the DER */
    struct {
        char name[48]; /* short name ("basicConstraints") or dotted OID */
        int critical;
    } ext[RCP_X509_EXT_MAX];
    size_t n_ext; /* extensions beyond RCP_X509_EXT_MAX are not listed */
    size_t ext_total;
} rcp_x509_info;

RCP_MUST_CHECK int rcp_x509_get_info(const rcp_x509 *c, rcp_x509_info *out);

/* 1 if b's subject is a's issuer and a's AKI (if any) is b's SKI, and b's
 * public key verifies a's signature; else 0. */
int rcp_x509_signed_by(const rcp_x509 *a, const rcp_x509 *b);

/* ------------------------------------------------------------------ CRLs */

typedef struct rcp_x509_crl rcp_x509_crl;

typedef struct {
    const uint8_t *serial; /* as in rcp_x509_template */
    size_t serial_len;
    int64_t revoked_at; /* revocationDate */
} rcp_x509_revoked;

/* Issue a v2 CRL (RFC 5280 5.1) by the CA issuer with its private key:
 * cRLNumber crl_number, AKI = issuer's SKI, thisUpdate, nextUpdate (must be
 * > this_update), the n entries in ascending serial order (any order in;
 * duplicates are RCP_ERR_INVALID_ARG).  Errors as rcp_x509_issue; an issuer
 * without cRLSign is RCP_ERR_CERT. */
RCP_MUST_CHECK int rcp_x509_crl_issue(const rcp_x509 *issuer, const rcp_ec_key *issuer_key,
                                      uint64_t crl_number, int64_t this_update, int64_t next_update,
                                      const rcp_x509_revoked *revoked, size_t n,
                                      rcp_x509_crl **out);

/* Parse a CRL: the first PEM "X509 CRL" block, or DER (first byte 0x30).  RCP_ERR_DECODE if it is
 * not one, RCP_ERR_LENGTH above RCP_X509_CRL_DER_MAX. */
RCP_MUST_CHECK int rcp_x509_crl_read(const uint8_t *buf, size_t len, rcp_x509_crl **out);
const uint8_t *rcp_x509_crl_der(const rcp_x509_crl *crl, size_t *len);
/* PEM ("-----BEGIN X509 CRL-----"); sizes as rcp_x509_to_pem. */
RCP_MUST_CHECK int rcp_x509_crl_to_pem(const rcp_x509_crl *crl, char *out, size_t cap,
                                       size_t *out_len);
void rcp_x509_crl_free(rcp_x509_crl *crl); /* NULL ok */

typedef struct {
    char issuer[RCP_X509_DN_MAX];
    char issuer_cn[RCP_X509_NAME_MAX + 1];
    int version;
    int64_t this_update;
    int64_t next_update; /* 0 with has_next_update = 0 when absent */
    int has_next_update;
    uint64_t crl_number; /* when has_crl_number (numbers above 2^64-1: 0) */
    int has_crl_number;
    uint8_t aki[RCP_X509_KEYID_MAX];
    size_t aki_len;
    char sig_alg[48];
    size_t n_revoked;
} rcp_x509_crl_info;

RCP_MUST_CHECK int rcp_x509_crl_get_info(const rcp_x509_crl *crl, rcp_x509_crl_info *out);

/* Entry i (0-based, in the CRL's order) of the revoked list. */
RCP_MUST_CHECK int rcp_x509_crl_entry(const rcp_x509_crl *crl, size_t i,
                                      uint8_t serial[RCP_X509_SERIAL_MAX + 1], size_t *serial_len,
                                      int64_t *revoked_at);

/* 1 if the CRL lists serial (magnitude, leading zeros ignored), else 0. */
int rcp_x509_crl_lists(const rcp_x509_crl *crl, const uint8_t *serial, size_t serial_len);

/* 0 if issuer's subject is the CRL's issuer and its key verifies the CRL,
 * else RCP_ERR_SIGNATURE. */
RCP_MUST_CHECK int rcp_x509_crl_check_issuer(const rcp_x509_crl *crl, const rcp_x509 *issuer);

/* ----------------------------------------------------------- trust store
 *
 * A store holds trust anchors (self-signed CA certificates), untrusted
 * certificates for path building (intermediates, cross-certificates), CRLs,
 * and a cache of CA certificates it has verified.
 *
 * rcp_x509_store_verify runs OpenSSL's full path validation (RFC 5280 6.1)
 * over all of them.  rcp_x509_store_verify_cached is the fast path for
 * certificates whose issuer is an anchor or a cached CA: one parse, one
 * signature check, validity, CRL lookup and usage; it gives the same answer
 * as the full path for such certificates.
 *
 * Both return 0 when valid, else (the first failure found; why says which
 * certificate and what):
 *   RCP_ERR_DECODE     the certificate does not parse
 *   RCP_ERR_UNTRUSTED  no path to an anchor (issuer unknown, self-signed
 *                      non-anchor), or a CRL required by the policy missing
 *   RCP_ERR_SIGNATURE  a certificate's or CRL's signature does not verify
 *   RCP_ERR_EXPIRED    a certificate outside its validity, or a CRL stale
 *                      (now >= nextUpdate) or not yet valid
 *   RCP_ERR_REVOKED    a certificate on the path is listed in its issuer's CRL
 *   RCP_ERR_CERT       anything else: issuer not a CA, path length exceeded,
 *                      unknown critical extension, profile violation, or the
 *                      certificate's usage is not the one wanted
 */
typedef struct rcp_x509_store rcp_x509_store;

#define RCP_X509_STORE_MAX 64 /* anchors + cached CAs; CRL issuers; untrusted: twice this */

typedef enum {
    RCP_X509_CRL_IF_PRESENT = 0, /* default: check every CRL held (stale ones fail) */
    RCP_X509_CRL_REQUIRED = 1,   /* every certificate below an anchor needs a CRL of its issuer */
} rcp_x509_crl_policy;

RCP_MUST_CHECK int rcp_x509_store_new(rcp_x509_store **out);
void rcp_x509_store_free(rcp_x509_store *st); /* NULL ok */

void rcp_x509_store_set_crl_policy(rcp_x509_store *st, rcp_x509_crl_policy p);

/* Add a trust anchor: a self-signed CA certificate whose self-signature
 * verifies (RCP_ERR_CERT / RCP_ERR_SIGNATURE otherwise).  Its validity is
 * checked at verification time.  Adding one twice is a no-op. */
RCP_MUST_CHECK int rcp_x509_store_add_anchor(rcp_x509_store *st, const rcp_x509 *cert,
                                             rcp_x509_why *why);

/* Add a certificate for path building (not trusted by itself).
 * Self-signed certificates are ignored here (returns 0): they can only end
 * a path, and only an anchor may; OpenSSL 3.0 would otherwise pick one as
 * issuer and miss a cross-certified path. */
RCP_MUST_CHECK int rcp_x509_store_add_untrusted(rcp_x509_store *st, const rcp_x509 *cert);

/* Add a CRL.  When its issuer is an anchor or cached CA, the signature is
 * checked now (RCP_ERR_SIGNATURE), and a CRL older than the one held for
 * that issuer (lower cRLNumber, or same number with other content) is
 * refused with RCP_ERR_REPLAY, so an old CRL cannot un-revoke a
 * certificate.  A CRL whose issuer is not cached yet is held and checked
 * when that issuer is cached (and by the full path validation).  Adding a
 * CRL marks cached CAs that it lists as revoked. */
RCP_MUST_CHECK int rcp_x509_store_add_crl(rcp_x509_store *st, const rcp_x509_crl *crl,
                                          rcp_x509_why *why);

/* Verify a CA certificate at time now by the full path validation and
 * cache it and every CA on its path, so that certificates they issued
 * verify by rcp_x509_store_verify_cached.  Errors as the verify functions;
 * RCP_ERR_LIMIT when the cache is full. */
RCP_MUST_CHECK int rcp_x509_store_add_ca(rcp_x509_store *st, const rcp_x509 *cert, int64_t now,
                                         rcp_x509_why *why);

/* Full path validation of cert at time now (anchors, untrusted
 * certificates of the store and extra[0..n_extra), cached CAs, CRLs by the
 * policy) for usage want (ANY: no usage check).  chain_len (may be NULL)
 * receives the length of the path found, anchor included. */
RCP_MUST_CHECK int rcp_x509_store_verify(const rcp_x509_store *st, const rcp_x509 *cert,
                                         const rcp_x509 *const *extra, size_t n_extra, int64_t now,
                                         rcp_x509_usage want, size_t *chain_len, rcp_x509_why *why);

/* Fast path: verify the DER certificate der against its issuer in the
 * cache (an anchor or a CA added by rcp_x509_store_add_ca), at time now,
 * for usage want, with the checks and error codes of the full path.  Cost:
 * a light parse (the leaf's public key is not decoded unless key is
 * given), one ECDSA verification, a few comparisons and a CRL lookup: about
 * 1.2 times a raw rcp_ecdsa_verify_der (docs/spec/x509.md).  It handles
 * rcprov's profile: a leaf not signed with ecdsa-with-SHA256, or under a CA
 * whose key is not an EC key of crypto.h, is RCP_ERR_CERT (use
 * rcp_x509_store_verify).  RCP_ERR_UNTRUSTED when no cached issuer
 * matches.  key (may be NULL) receives the certificate's public key on
 * success. */
RCP_MUST_CHECK int rcp_x509_store_verify_cached(const rcp_x509_store *st, const uint8_t *der,
                                                size_t len, int64_t now, rcp_x509_usage want,
                                                rcp_ec_key **key, rcp_x509_why *why);

/* ------------------------------------------------------------ PKCS#8 PEM */

/* Unencrypted PKCS#8 PrivateKeyInfo (RFC 5208, RFC 5958; the EC key inside
 * per RFC 5915 with a namedCurve) as PEM "PRIVATE KEY", NUL-terminated;
 * *out_len excludes the NUL.  The buffer holds a secret: wipe it.
 * RCP_ERR_INVALID_ARG for a public-only key, RCP_ERR_UNSUPPORTED for
 * X25519, RCP_ERR_BUFFER_TOO_SMALL (RCP_PKCS8_PEM_MAX always suffices). */
RCP_MUST_CHECK int rcp_ec_key_to_pkcs8_pem(const rcp_ec_key *key, char *out, size_t cap,
                                           size_t *out_len);

/* Read the first PEM "PRIVATE KEY" block of pem.  RCP_ERR_DECODE when there
 * is none or it is malformed; RCP_ERR_UNSUPPORTED for an encrypted key
 * ("ENCRYPTED PRIVATE KEY"; no password is ever asked for), another
 * algorithm, explicit curve parameters or an unsupported curve;
 * RCP_ERR_KEY_INVALID when the scalar is out of range or the embedded
 * public key does not match it. */
RCP_MUST_CHECK int rcp_ec_key_from_pkcs8_pem(const char *pem, size_t len, rcp_ec_key **out);

#ifdef __cplusplus
}
#endif
#endif
