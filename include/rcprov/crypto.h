/*
 * rcprov — the crypto layer: one narrow interface over OpenSSL 3.
 *
 * Only src/crypto/openssl*.c include OpenSSL headers; nothing in this header
 * leaks an OpenSSL type.  Every function returns 0 or a negative RCP_ERR_*.
 * Secrets that pass through a function's locals are wiped before it returns.
 * Constructions, source clauses and choices: docs/spec/crypto.md.
 */
#ifndef RCPROV_CRYPTO_H
#define RCPROV_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/error.h"
#include "rcprov/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- sizes */

#define RCP_SHA256_LEN 32
#define RCP_SHA1_LEN 20
#define RCP_AES_BLOCK 16
#define RCP_AES128_KEY 16
#define RCP_GCM_TAG_MAX 16
#define RCP_CMAC_LEN 16

/* ------------------------------------------------------------ hashing/MAC */

RCP_MUST_CHECK int rcp_sha256(const uint8_t *msg, size_t len, uint8_t out[RCP_SHA256_LEN]);

/* One piece of a multi-part input (HMAC over concatenations without copies). */
typedef struct {
    const uint8_t *data;
    size_t len;
} rcp_iov;

RCP_MUST_CHECK int rcp_sha256_v(const rcp_iov *parts, size_t n, uint8_t out[RCP_SHA256_LEN]);

/* HMAC (RFC 2104) with SHA-256 / SHA-1, full-length output.  Any key length. */
RCP_MUST_CHECK int rcp_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg,
                                   size_t len, uint8_t out[RCP_SHA256_LEN]);
RCP_MUST_CHECK int rcp_hmac_sha256_v(const uint8_t *key, size_t key_len, const rcp_iov *parts,
                                     size_t n, uint8_t out[RCP_SHA256_LEN]);
RCP_MUST_CHECK int rcp_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                                 uint8_t out[RCP_SHA1_LEN]);

/* ------------------------------------------------------------------- AES
 * key_len is 16, 24 or 32 (AES-128/192/256) unless a function says
 * otherwise; anything else is RCP_ERR_KEY_INVALID. */

/* Keyed single-block encryptor, reused across blocks (Milenage runs six
 * blocks under one key).  Opaque; heap-allocated by the backend. */
typedef struct rcp_aes_block rcp_aes_block;

RCP_MUST_CHECK int rcp_aes_block_new(const uint8_t *key, size_t key_len, rcp_aes_block **out);
RCP_MUST_CHECK int rcp_aes_block_encrypt(rcp_aes_block *ctx, const uint8_t in[RCP_AES_BLOCK],
                                         uint8_t out[RCP_AES_BLOCK]);
void rcp_aes_block_free(rcp_aes_block *ctx); /* wipes the key schedule; NULL ok */

/* ECB over whole blocks (len % 16 == 0, else RCP_ERR_LENGTH). */
RCP_MUST_CHECK int rcp_aes_ecb_encrypt(const uint8_t *key, size_t key_len, const uint8_t *in,
                                       size_t len, uint8_t *out);
RCP_MUST_CHECK int rcp_aes_ecb_decrypt(const uint8_t *key, size_t key_len, const uint8_t *in,
                                       size_t len, uint8_t *out);

/* CBC without padding (len % 16 == 0, else RCP_ERR_LENGTH); out may equal in. */
RCP_MUST_CHECK int rcp_aes_cbc_encrypt(const uint8_t *key, size_t key_len,
                                       const uint8_t iv[RCP_AES_BLOCK], const uint8_t *in,
                                       size_t len, uint8_t *out);
RCP_MUST_CHECK int rcp_aes_cbc_decrypt(const uint8_t *key, size_t key_len,
                                       const uint8_t iv[RCP_AES_BLOCK], const uint8_t *in,
                                       size_t len, uint8_t *out);

/* CBC with PKCS#7 padding.  Encrypt writes len rounded up to the next
 * multiple of 16 (always at least one padding byte); decrypt returns
 * RCP_ERR_PADDING on bad padding and RCP_ERR_LENGTH on a ciphertext that is
 * empty or not whole blocks.  Both: RCP_ERR_BUFFER_TOO_SMALL when out_cap is
 * below the output length; out may equal in.  Unauthenticated: use only
 * where something else authenticates the ciphertext. */
RCP_MUST_CHECK int rcp_aes_cbc_pkcs7_encrypt(const uint8_t *key, size_t key_len,
                                             const uint8_t iv[RCP_AES_BLOCK], const uint8_t *in,
                                             size_t len, uint8_t *out, size_t out_cap,
                                             size_t *out_len);
RCP_MUST_CHECK int rcp_aes_cbc_pkcs7_decrypt(const uint8_t *key, size_t key_len,
                                             const uint8_t iv[RCP_AES_BLOCK], const uint8_t *in,
                                             size_t len, uint8_t *out, size_t out_cap,
                                             size_t *out_len);

/* CTR mode (SP 800-38A): 128-bit big-endian counter block starting at
 * icb, incremented over all 128 bits.  Same call encrypts and decrypts. */
RCP_MUST_CHECK int rcp_aes_ctr(const uint8_t *key, size_t key_len, const uint8_t icb[RCP_AES_BLOCK],
                               const uint8_t *in, size_t len, uint8_t *out);

/* GCM (SP 800-38D).  iv_len >= 1, any length (12 is the fast path; 16 is
 * what the seed 000 GCM suite uses; IVs over 128 bytes, which OpenSSL 3.0
 * refuses, are handled by rcprov); tag_len 4..16.  iv_len 0 or a tag_len
 * outside 4..16 is RCP_ERR_INVALID_ARG.  out may equal in.  Decrypt returns
 * RCP_ERR_AUTH when the tag does not verify, and then leaves out zeroed. */
RCP_MUST_CHECK int rcp_aes_gcm_encrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                                       size_t iv_len, const uint8_t *aad, size_t aad_len,
                                       const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag,
                                       size_t tag_len);
RCP_MUST_CHECK int rcp_aes_gcm_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv,
                                       size_t iv_len, const uint8_t *aad, size_t aad_len,
                                       const uint8_t *in, size_t len, const uint8_t *tag,
                                       size_t tag_len, uint8_t *out);

/* CMAC (SP 800-38B), full 16-byte output. */
RCP_MUST_CHECK int rcp_aes_cmac(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                                uint8_t out[RCP_CMAC_LEN]);

/* ------------------------------------------------------------ randomness */

/* OpenSSL's CSPRNG (RAND_bytes) as an rcp_rng. */
const rcp_rng *rcp_rng_system(void);

/* Deterministic generator for tests and reproducible vectors: HMAC_DRBG
 * (SP 800-90A, SHA-256, no reseed, no prediction resistance) instantiated
 * from the seed bytes.  Never use it for real keys. */
typedef struct {
    uint8_t k[RCP_SHA256_LEN];
    uint8_t v[RCP_SHA256_LEN];
    rcp_rng rng; /* points back at this struct after rcp_drbg_init */
} rcp_drbg;

RCP_MUST_CHECK int rcp_drbg_init(rcp_drbg *d, const uint8_t *seed, size_t seed_len);
void rcp_drbg_wipe(rcp_drbg *d);

/* ------------------------------------------------------ elliptic curves */

typedef enum {
    RCP_CURVE_NONE = 0,
    RCP_CURVE_P256 = 1,    /* secp256r1 / prime256v1 */
    RCP_CURVE_BP256R1 = 2, /* brainpoolP256r1 (RFC 5639) */
    RCP_CURVE_BP384R1 = 3, /* brainpoolP384r1: ECDH/ECDSA only for KATs */
    RCP_CURVE_BP512R1 = 4, /* brainpoolP512r1: idem */
    RCP_CURVE_X25519 = 5,  /* ECDH/ECIES only (TS 33.501 profile A) */
} rcp_curve;

#define RCP_EC_MAX_SCALAR 64  /* bytes of the largest private scalar */
#define RCP_EC_MAX_POINT 129  /* bytes of the largest uncompressed point */
#define RCP_EC_MAX_SECRET 64  /* bytes of the largest ECDH secret */
#define RCP_ECDSA_MAX_RAW 128 /* r||s of the largest curve */
#define RCP_ECDSA_MAX_DER 141 /* DER signature of the largest curve */
#define RCP_P256_SCALAR 32
#define RCP_P256_POINT 65 /* 0x04 || X || Y */
#define RCP_P256_POINT_COMPRESSED 33

/* Field/scalar size in bytes (32 for the 256-bit curves), 0 if unknown. */
size_t rcp_curve_size(rcp_curve c);
/* Uncompressed point size (65 for 256-bit curves, 32 for X25519). */
size_t rcp_curve_point_size(rcp_curve c);
/* "p256", "brainpoolp256r1", "brainpoolp384r1", "brainpoolp512r1",
 * "x25519"; NULL for an unknown curve. */
const char *rcp_curve_name(rcp_curve c);
/* Parse a curve name as rcp_curve_name() prints it (also "P-256",
 * "secp256r1", "prime256v1", "brainpoolP256r1"; case-insensitive);
 * RCP_CURVE_NONE if unknown. */
rcp_curve rcp_curve_from_name(const char *name);

/* An EC key: public only, or private with its public part.  Opaque,
 * heap-allocated by the backend, wiped on free.  Keys are immutable after
 * creation and may be shared read-only between threads. */
typedef struct rcp_ec_key rcp_ec_key;

/* Generate a key pair.  The private scalar is drawn from rng by rejection
 * sampling in [1, n-1], so a deterministic rng gives a deterministic key
 * (X25519: 32 bytes from rng).  RCP_ERR_RNG if the rng fails or 64
 * candidates in a row are out of range; RCP_ERR_UNSUPPORTED for an unknown
 * curve. */
RCP_MUST_CHECK int rcp_ec_key_generate(rcp_curve curve, const rcp_rng *rng, rcp_ec_key **out);

/* Import a private scalar (big-endian, exactly rcp_curve_size bytes; X25519:
 * 32 bytes as in RFC 7748, any value, clamped when used).
 * RCP_ERR_KEY_INVALID if the length is wrong or the scalar is 0 or >= n. */
RCP_MUST_CHECK int rcp_ec_key_from_private(rcp_curve curve, const uint8_t *d, size_t d_len,
                                           rcp_ec_key **out);

/* Import a public point in SEC1 form, uncompressed (0x04||X||Y) or
 * compressed (0x02/0x03||X); X25519: 32 raw bytes.  The point is checked to
 * be on the curve and not the identity: RCP_ERR_POINT_INVALID otherwise
 * (also for any other length or form, and coordinates >= p).  This is the
 * only validation: rcp_ecdh and rcp_ecdsa_verify trust an imported key. */
RCP_MUST_CHECK int rcp_ec_key_from_public(rcp_curve curve, const uint8_t *pt, size_t pt_len,
                                          rcp_ec_key **out);

/* Import a DER SubjectPublicKeyInfo (RFC 5480 namedCurve, or RFC 8410
 * id-X25519).  Strict DER: anything else is RCP_ERR_DECODE.  Explicit curve
 * parameters, another algorithm, or a curve other than curve:
 * RCP_ERR_UNSUPPORTED.  Point checks as above. */
RCP_MUST_CHECK int rcp_ec_key_from_spki(rcp_curve curve, const uint8_t *der, size_t der_len,
                                        rcp_ec_key **out);

rcp_curve rcp_ec_key_curve(const rcp_ec_key *key);
int rcp_ec_key_has_private(const rcp_ec_key *key);

/* Export the public point; compressed selects SEC1 compressed form.
 * *out_len receives the size written. */
RCP_MUST_CHECK int rcp_ec_key_public(const rcp_ec_key *key, int compressed, uint8_t *out,
                                     size_t out_cap, size_t *out_len);
/* Export the private scalar (rcp_curve_size bytes, big-endian).
 * RCP_ERR_INVALID_ARG for a public-only key. */
RCP_MUST_CHECK int rcp_ec_key_private(const rcp_ec_key *key, uint8_t *out, size_t out_cap,
                                      size_t *out_len);

/* 1 when a and b are the same public key (same curve and point; a
 * reference of the same object counts at once), else 0.  Public data: not
 * constant time. */
int rcp_ec_key_equal(const rcp_ec_key *a, const rcp_ec_key *b);

/* Another reference to the same key (refcount); free each with _free. */
RCP_MUST_CHECK int rcp_ec_key_ref(rcp_ec_key *key, rcp_ec_key **out);
void rcp_ec_key_free(rcp_ec_key *key); /* NULL ok */

/* ECDSA with SHA-256 over msg (the hash is computed inside).
 * raw: r||s, each rcp_curve_size bytes; DER: ECDSA-Sig-Value, strict DER.
 * Signing is randomized (OpenSSL 3.0 has no RFC 6979); it needs a private
 * key (RCP_ERR_INVALID_ARG otherwise) and sig_cap of at least 2*size (raw)
 * or the curve's largest DER signature (72 bytes for 256-bit curves,
 * RCP_ECDSA_MAX_DER always suffices), else RCP_ERR_BUFFER_TOO_SMALL.
 * Verify returns 0 on a valid signature, RCP_ERR_SIGNATURE on an invalid or
 * malformed one.  X25519 keys: RCP_ERR_UNSUPPORTED. */
RCP_MUST_CHECK int rcp_ecdsa_sign(const rcp_ec_key *key, const uint8_t *msg, size_t len,
                                  uint8_t *sig, size_t sig_cap, size_t *sig_len);
RCP_MUST_CHECK int rcp_ecdsa_sign_der(const rcp_ec_key *key, const uint8_t *msg, size_t len,
                                      uint8_t *sig, size_t sig_cap, size_t *sig_len);
RCP_MUST_CHECK int rcp_ecdsa_verify(const rcp_ec_key *key, const uint8_t *msg, size_t len,
                                    const uint8_t *sig, size_t sig_len);
RCP_MUST_CHECK int rcp_ecdsa_verify_der(const rcp_ec_key *key, const uint8_t *msg, size_t len,
                                        const uint8_t *sig, size_t sig_len);

/* ECDH per BSI TR-03111 ECKA (ECKA-DH and ECKA-EG are the same computation):
 * secret = x-coordinate of d·Q, rcp_curve_size bytes.  X25519: RFC 7748 with
 * the all-zero output rejected.  The two keys must be on the same curve and
 * priv must hold a private key (RCP_ERR_INVALID_ARG otherwise); peer was
 * validated at import and is not checked again.  RCP_ERR_POINT_INVALID if
 * the result is the point at infinity or the X25519 output is all zero;
 * secret_cap below rcp_curve_size: RCP_ERR_BUFFER_TOO_SMALL. */
RCP_MUST_CHECK int rcp_ecdh(const rcp_ec_key *priv, const rcp_ec_key *peer, uint8_t *secret,
                            size_t secret_cap, size_t *secret_len);

/* ----------------------------------------------------------------- KDFs */

/* ANSI X9.63 KDF with SHA-256 (SEC 1 §3.6.1; NIST SP 800-135 §4.1):
 * out = SHA256(Z||counter32||info) for counter = 1, 2, ... truncated. */
RCP_MUST_CHECK int rcp_x963_kdf_sha256(const uint8_t *z, size_t z_len, const uint8_t *info,
                                       size_t info_len, uint8_t *out, size_t out_len);

/* ----------------------------------------------------------------- ECIES
 * One ECIES construction, the one of 3GPP TS 33.501 Annex C.3 (SUCI
 * profiles), used with a chosen tag length and point format:
 *   eph = fresh key pair on the recipient's curve
 *   Z   = ECDH(eph, recipient)
 *   K   = X9.63-KDF-SHA256(Z, SharedInfo1 = eph public key as sent), 64 bytes
 *         = enc key (16) || ICB (16) || MAC key (32)
 *   C   = AES-128-CTR(enc key, ICB, plaintext)
 *   T   = HMAC-SHA256(MAC key, C) truncated to mac_len
 *   out = eph public key as sent || C || T
 * RCP_ECIES_DEFAULT is what rcprov sends: compressed point, 16-byte tag. */
typedef struct {
    int compressed_point; /* ignored for X25519 */
    size_t mac_len;       /* 8 (TS 33.501 profiles) .. 32 */
} rcp_ecies_params;

extern const rcp_ecies_params RCP_ECIES_DEFAULT; /* compressed, 16 */
extern const rcp_ecies_params RCP_ECIES_TS33501; /* compressed, 8 */

/* Bytes of overhead (point + tag) added to a plaintext; 0 for an unknown
 * curve or invalid parameters. */
size_t rcp_ecies_overhead(rcp_curve curve, const rcp_ecies_params *p);

RCP_MUST_CHECK int rcp_ecies_encrypt(const rcp_ecies_params *p, const rcp_ec_key *recipient,
                                     const rcp_rng *rng, const uint8_t *pt, size_t pt_len,
                                     uint8_t *out, size_t out_cap, size_t *out_len);
/* As above with a given ephemeral private key (known-answer tests only);
 * it must be on the recipient's curve (RCP_ERR_INVALID_ARG otherwise).
 * Both: mac_len outside 8..32 is RCP_ERR_INVALID_ARG; out_cap below
 * pt_len + rcp_ecies_overhead is RCP_ERR_BUFFER_TOO_SMALL. */
RCP_MUST_CHECK int rcp_ecies_encrypt_with(const rcp_ecies_params *p, const rcp_ec_key *recipient,
                                          const rcp_ec_key *ephemeral, const uint8_t *pt,
                                          size_t pt_len, uint8_t *out, size_t out_cap,
                                          size_t *out_len);
/* The ephemeral key is read in the form p selects (its length follows from
 * p and the recipient's curve).  RCP_ERR_AUTH on a bad tag (nothing
 * decrypted), RCP_ERR_POINT_INVALID on a bad ephemeral point, RCP_ERR_LENGTH
 * on a too-short input, RCP_ERR_INVALID_ARG if recipient has no private key,
 * RCP_ERR_BUFFER_TOO_SMALL if out_cap is below the plaintext length. */
RCP_MUST_CHECK int rcp_ecies_decrypt(const rcp_ecies_params *p, const rcp_ec_key *recipient,
                                     const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                     size_t *out_len);

/* --------------------------------------------------- seed 000 seal suites
 * DERIVE/ENCRYPT/DECRYPT of seed 000 (uuid-attach), Annex XX.2:
 *   KS[1..3] = X9.63-KDF-SHA256(ShS, SI = KEY_TYPE||0x10||0x89), 3 x 16 bytes
 *   MSRC     = clear text || 0xFF * (0..15), a multiple of 16 bytes
 *   cbc-hmac: MDST = AES-128-CBC(KS[1], IV = KS[2], MSRC)
 *             HCHECK = first 16 bytes of HMAC-SHA256(KS[3], MSRC)
 *   gcm:      MDST||HCHECK = AES-128-GCM(KS[1], IV = KS[2] (128 bits),
 *             AAD = KS[3], MSRC), 16-byte tag ("eGCM" read as GCM; see
 *             docs/spec/crypto.md)
 * The clear text must be self-delimiting (rcprov puts one CBOR item there),
 * so open returns the padded MSRC and the decoder finds the end; the
 * padding is then checked by rcp_seal_check_padding. */
typedef enum {
    RCP_SUITE_NONE = 0,
    RCP_SUITE_CBC_HMAC = 1,
    RCP_SUITE_GCM = 2,
} rcp_seal_suite;

#define RCP_SEAL_KEY_TYPE_KS1 0x10
#define RCP_SEAL_KEY_TYPE_KS2 0x30
#define RCP_SEAL_HCHECK_LEN 16

typedef struct {
    uint8_t ks[3][16];
} rcp_seal_keys;

const char *rcp_seal_suite_name(rcp_seal_suite s);         /* "cbc-hmac", "gcm" */
rcp_seal_suite rcp_seal_suite_from_name(const char *name); /* NONE if unknown */

/* KS = KDF-128(ShS, SI) for key_type 0x10 (KS1) or 0x30 (KS2); any other
 * key_type or an empty ShS is RCP_ERR_INVALID_ARG.  A key set seals one
 * message only (GCM: the IV is part of the key set). */
RCP_MUST_CHECK int rcp_seal_derive(const uint8_t *shs, size_t shs_len, uint8_t key_type,
                                   rcp_seal_keys *ks);
/* Padded length for a clear text of len bytes (0 for 0; 0 if len is too
 * large to pad). */
size_t rcp_seal_padded_len(size_t len);
/* Encrypt: out gets rcp_seal_padded_len(len) bytes of MDST, hcheck 16 bytes.
 * clear may equal out.  An empty clear text seals to an empty MDST and a
 * tag.  RCP_ERR_UNSUPPORTED for an unknown suite. */
RCP_MUST_CHECK int rcp_seal(rcp_seal_suite s, const rcp_seal_keys *ks, const uint8_t *clear,
                            size_t len, uint8_t *out, size_t out_cap, size_t *out_len,
                            uint8_t hcheck[RCP_SEAL_HCHECK_LEN]);
/* Decrypt and verify: RCP_ERR_AUTH on mismatch (out zeroed), RCP_ERR_LENGTH
 * if len is not a multiple of 16 (0 is allowed: the empty MSRC),
 * RCP_ERR_BUFFER_TOO_SMALL if out_cap < len.  out gets the padded MSRC. */
RCP_MUST_CHECK int rcp_seal_open(rcp_seal_suite s, const rcp_seal_keys *ks, const uint8_t *mdst,
                                 size_t len, const uint8_t hcheck[RCP_SEAL_HCHECK_LEN],
                                 uint8_t *out, size_t out_cap);
/* Check that msrc[clear_len..msrc_len) is 0..15 bytes of 0xFF that make the
 * length a multiple of 16; RCP_ERR_PADDING otherwise. */
RCP_MUST_CHECK int rcp_seal_check_padding(const uint8_t *msrc, size_t msrc_len, size_t clear_len);

#ifdef __cplusplus
}
#endif
#endif
