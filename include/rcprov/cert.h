/*
 * rcprov — compact certificates and CRLs (docs/spec/certificates.md).
 *
 * Seed 000 writes a certificate as CERT.X = SIGN(SK.Y)[PK.X, X0, X1, ...].
 * rcprov's compact certificate is that, in deterministic CBOR:
 *
 *   compact-cert = [ tbs: bstr .cbor cert-tbs, sig: bstr .size 64 ]
 *   cert-tbs     = [ label: 1, serial, issuer key id, subject, usage, curve,
 *                    compressed public key, not_before, not_after, attrs ]
 *
 * The signature is ECDSA-SHA256 (raw r||s) by the issuer over the tbs bytes.
 * Every signed object rcprov defines starts its to-be-signed array with a
 * label from one registry (RCP_LABEL_*), so a signature made for one purpose
 * never verifies as another.
 *
 * Parsing never allocates and never trusts a length; results point into the
 * caller's buffer.  The trust store (rcp_ccert_store) keeps the parsed keys
 * of trust anchors and verified CA certificates, so verifying a leaf costs
 * one CBOR parse, one SHA-256 and one ECDSA verification.
 */
#ifndef RCPROV_CERT_H
#define RCPROV_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/cbor.h"
#include "rcprov/crypto.h"
#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Registry of signed-object labels (first element of every to-be-signed
 * array).  1..31: PKI objects; flows take 32*flow + n, the same blocks as
 * their message types (rcprov/envelope.h). */
enum rcp_signed_label {
    RCP_LABEL_CERT = 1, /* compact certificate */
    RCP_LABEL_CRL = 2,  /* compact CRL */
};

typedef enum {
    RCP_USAGE_CA = 1,    /* signs certificates and CRLs */
    RCP_USAGE_SIGN = 2,  /* ECDSA: signs protocol tokens */
    RCP_USAGE_AGREE = 3, /* ECKA: static key agreement */
} rcp_key_usage;

#define RCP_KEY_ID_LEN 8
#define RCP_CCERT_SERIAL_MAX 16
#define RCP_CCERT_SUBJECT_MAX 64
#define RCP_CCERT_ATTRS_MAX 256 /* bytes of the encoded attrs map */
#define RCP_CCERT_SIG_LEN 64
#define RCP_CCERT_MAX_LEN 512 /* largest encoded certificate accepted */
#define RCP_CCRL_MAX_REVOKED 1024
#define RCP_CCRL_MAX_LEN (64 + RCP_CCRL_MAX_REVOKED * (RCP_CCERT_SERIAL_MAX + 1))

/* ------------------------------------------------------- signed objects
 * Every signed object (certificate, CRL, flow token) is
 *   [ tbs: bstr .cbor [label, fields...], sig: bstr .size 64 ]
 * with sig = ECDSA-SHA256 (raw r||s) over the tbs bytes. */
typedef void (*rcp_tbs_writer)(rcp_cbor_enc *e, const void *ctx);

/* Write [bstr-wrap(write_tbs), sig] into out, signing with key (private,
 * 256-bit curve).  write_tbs writes exactly one item (the tbs array). */
RCP_MUST_CHECK int rcp_signed_encode(rcp_tbs_writer write_tbs, const void *ctx,
                                     const rcp_ec_key *key, uint8_t *out, size_t cap,
                                     size_t *out_len);

/* Parse the outer [tbs, sig] under lim: tbs becomes a cursor on the tbs
 * item (tbs->buf/len are the signed bytes), *sig points at the 64 signature
 * bytes.  CBOR profile errors pass through; any other shape returns
 * structure_err.  No signature check. */
RCP_MUST_CHECK int rcp_signed_decode(const uint8_t *in, size_t len, const rcp_cbor_limits *lim,
                                     int structure_err, rcp_cbor_cursor *tbs, const uint8_t **sig);

const char *rcp_key_usage_name(rcp_key_usage u); /* "ca", "sign", "agree"; NULL if unknown */
rcp_key_usage rcp_key_usage_from_name(const char *name); /* 0 if unknown */

/* Key identifier: the first 8 bytes of SHA-256 over the SEC1 compressed
 * public key (what a compact certificate carries). */
RCP_MUST_CHECK int rcp_key_id(const rcp_ec_key *key, uint8_t kid[RCP_KEY_ID_LEN]);

/* What goes into a new certificate. */
typedef struct {
    const uint8_t *serial; /* 1..RCP_CCERT_SERIAL_MAX bytes */
    size_t serial_len;
    const char *subject; /* 1..RCP_CCERT_SUBJECT_MAX bytes of UTF-8 */
    rcp_key_usage usage;
    const rcp_ec_key *subject_key; /* P-256 or brainpoolP256r1; public part used */
    uint64_t not_before;           /* seconds since the Unix epoch, inclusive */
    uint64_t not_after;            /* inclusive; must be >= not_before */
    const uint8_t *attrs;          /* encoded CBOR map {* uint => any}, or NULL: {} */
    size_t attrs_len;
} rcp_ccert_template;

/* A parsed certificate.  Pointers point into the encoded input. */
typedef struct {
    const uint8_t *serial;
    size_t serial_len;
    uint8_t issuer_kid[RCP_KEY_ID_LEN];
    uint8_t subject_kid[RCP_KEY_ID_LEN]; /* computed from pk */
    const char *subject;                 /* not NUL-terminated */
    size_t subject_len;
    rcp_key_usage usage;
    rcp_curve curve;
    uint8_t pk[RCP_P256_POINT_COMPRESSED];
    uint64_t not_before, not_after;
    const uint8_t *attrs; /* encoded attrs map */
    size_t attrs_len;
    const uint8_t *tbs; /* the signed bytes */
    size_t tbs_len;
    const uint8_t *sig; /* RCP_CCERT_SIG_LEN bytes */
} rcp_ccert;

/* Issue a certificate signed by issuer_key (private; P-256 or
 * brainpoolP256r1).  A self-signed root has issuer_key == subject_key.
 * Errors: RCP_ERR_INVALID_ARG (field out of its range, not_after <
 * not_before, attrs not a map with uint keys), RCP_ERR_BUFFER_TOO_SMALL,
 * RCP_ERR_KEY_INVALID (issuer has no private key), crypto errors. */
RCP_MUST_CHECK int rcp_ccert_issue(const rcp_ccert_template *t, const rcp_ec_key *issuer_key,
                                   uint8_t *out, size_t cap, size_t *out_len);

/* Parse (no signature or validity check).  RCP_ERR_DECODE / RCP_ERR_LIMIT /
 * RCP_ERR_UNSUPPORTED from the CBOR profile, RCP_ERR_CERT for a well-formed
 * encoding that is not a certificate (wrong label, field count, size, usage,
 * curve, point prefix). */
RCP_MUST_CHECK int rcp_ccert_decode(const uint8_t *in, size_t len, rcp_ccert *out);

/* The certificate's public key as a usable key (decompresses the point). */
RCP_MUST_CHECK int rcp_ccert_key(const rcp_ccert *c, rcp_ec_key **out);

/* Check c's signature with issuer's public key: 0 or RCP_ERR_SIGNATURE. */
RCP_MUST_CHECK int rcp_ccert_check_sig(const rcp_ccert *c, const rcp_ec_key *issuer);

/* ------------------------------------------------------------------ CRL
 *   compact-crl = [ tbs: bstr .cbor crl-tbs, sig: bstr .size 64 ]
 *   crl-tbs     = [ label: 2, issuer key id, this_update, next_update,
 *                   [* serial] ]   (serials strictly ascending, bytewise) */
typedef struct {
    uint8_t issuer_kid[RCP_KEY_ID_LEN];
    uint64_t this_update, next_update;
    size_t n_revoked;
    const uint8_t *revoked; /* encoded array of serials (points into input) */
    size_t revoked_len;
    const uint8_t *tbs;
    size_t tbs_len;
    const uint8_t *sig;
} rcp_ccrl;

/* Issue a CRL listing n serials (any order; sorted and checked for
 * duplicates here).  issuer_key must be the CA's private key. */
RCP_MUST_CHECK int rcp_ccrl_issue(const rcp_ec_key *issuer_key, uint64_t this_update,
                                  uint64_t next_update, const uint8_t *const *serials,
                                  const size_t *serial_lens, size_t n, uint8_t *out, size_t cap,
                                  size_t *out_len);
RCP_MUST_CHECK int rcp_ccrl_decode(const uint8_t *in, size_t len, rcp_ccrl *out);
/* 1 if serial is listed in crl, else 0. */
int rcp_ccrl_lists(const rcp_ccrl *crl, const uint8_t *serial, size_t serial_len);

/* ---------------------------------------------------------- trust store */
#define RCP_CCERT_STORE_MAX 64
#define RCP_CCERT_CHAIN_MAX 4 /* certificates from anchor to leaf, anchor included */

typedef struct rcp_ccert_store rcp_ccert_store;

RCP_MUST_CHECK int rcp_ccert_store_new(rcp_ccert_store **out);
void rcp_ccert_store_free(rcp_ccert_store *st); /* NULL ok */

/* Why a verification failed, for people: "certificate 'X' expired at ...". */
typedef struct {
    char text[192];
} rcp_cert_why;

/* Add a trust anchor: a self-signed CA certificate (its own signature is
 * checked; its validity is checked at verification time). */
RCP_MUST_CHECK int rcp_ccert_store_add_anchor(rcp_ccert_store *st, const uint8_t *cert, size_t len,
                                              rcp_cert_why *why);
/* Verify a CA certificate against the store at time now and cache it, so
 * certificates it issued verify with one signature check.  Errors as
 * rcp_ccert_verify. */
RCP_MUST_CHECK int rcp_ccert_store_add_ca(rcp_ccert_store *st, const uint8_t *cert, size_t len,
                                          uint64_t now, rcp_cert_why *why);
/* 1 if a CA with key id kid (anchor or cached) is in the store, else 0. */
int rcp_ccert_store_has(const rcp_ccert_store *st, const uint8_t kid[RCP_KEY_ID_LEN]);

/* Verify a CRL against its issuer in the store and attach it (replacing an
 * older one: this_update must not go back).  Certificates that issuer signed
 * are then checked against it; once now passes next_update they fail with
 * RCP_ERR_EXPIRED until a newer CRL is added. */
RCP_MUST_CHECK int rcp_ccert_store_add_crl(rcp_ccert_store *st, const uint8_t *crl, size_t len,
                                           uint64_t now, rcp_cert_why *why);

/* Verify a certificate whose issuer is in the store (anchor or cached CA)
 * at time now, for usage want (0: any).  On success *out (may be NULL) is
 * the parsed certificate.  Errors:
 *   RCP_ERR_DECODE / RCP_ERR_CERT ...  malformed certificate
 *   RCP_ERR_UNTRUSTED  issuer not in the store
 *   RCP_ERR_SIGNATURE  signature does not verify
 *   RCP_ERR_EXPIRED    certificate or its issuer outside validity, or CRL stale
 *   RCP_ERR_REVOKED    listed in the issuer's CRL
 *   RCP_ERR_CERT       usage differs from want, or issuer is not a CA */
RCP_MUST_CHECK int rcp_ccert_verify(const rcp_ccert_store *st, const uint8_t *cert, size_t len,
                                    uint64_t now, rcp_key_usage want, rcp_ccert *out,
                                    rcp_cert_why *why);

/* Verify a chain given leaf first (certs[0] = leaf, then its issuers up to
 * but not including an anchor in the store), without caching anything. */
RCP_MUST_CHECK int rcp_ccert_verify_chain(const rcp_ccert_store *st, const uint8_t *const *certs,
                                          const size_t *lens, size_t n, uint64_t now,
                                          rcp_key_usage want, rcp_ccert *leaf, rcp_cert_why *why);

#ifdef __cplusplus
}
#endif
#endif
