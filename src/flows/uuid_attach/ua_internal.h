/* uuid-attach: decoded messages and tokens shared by the role engines.
 * Every pointer points into the received message. */
#ifndef RCP_UA_INTERNAL_H
#define RCP_UA_INTERNAL_H

#include "rcprov/envelope.h"
#include "rcprov/uuid_attach.h"

#define UA_PK_LEN RCP_P256_POINT_COMPRESSED
#define UA_SIG_LEN RCP_CCERT_SIG_LEN
#define UA_TOKEN_MAX 1024

extern const rcp_cbor_limits ua_msg_limits;

struct ua_attach_request {
    const uint8_t *uuid;
    const char *fqdn;
    size_t fqdn_len;
    uint64_t slice;
    uint64_t suites[4];
    size_t n_suites;
    uint64_t curves[4];
    size_t n_curves;
};

struct ua_challenge {
    const uint8_t *cert_ecka;
    size_t cert_ecka_len;
    const uint8_t *nonce;
    uint64_t suite;
    const uint8_t *cookie;
    size_t cookie_len;
};

struct ua_tre_credentials {
    const uint8_t *atk, *cert_pn, *m1, *h1, *cookie;
    size_t atk_len, cert_pn_len, m1_len, cookie_len;
};

struct ua_sn_credentials {
    const uint8_t *atk, *cert_ecdsa;
    size_t atk_len, cert_ecdsa_len;
};

/* ATK.TRE.ECDHE = SIGN(SK.TRE.ECDSA)[PK.TRE.ECDHE, IsSN, UUID, nonce, suite, curve, h(M1)] */
struct ua_atk_tre {
    const uint8_t *pk, *is_sn, *uuid, *nonce, *h_m1;
    uint64_t suite, curve;
    const uint8_t *tbs, *sig;
    size_t tbs_len;
};

/* ATK.SN.ECDHE = SIGN(SK.SN.ECDSA)[PK.SN.ECDHE, UUID, M2, H2, PK.TRE.ECDHE, nonce, suite, curve,
 * h(M1)] */
struct ua_atk_sn {
    const uint8_t *pk, *uuid, *m2, *h2, *pk_tre, *nonce, *h_m1;
    size_t m2_len;
    uint64_t suite, curve;
    const uint8_t *tbs, *sig;
    size_t tbs_len;
};

struct ua_authz_req {
    const uint8_t *sn_kid, *uuid, *nonce, *atk_tre, *cert_tre;
    size_t atk_tre_len, cert_tre_len;
    uint64_t at;
    const uint8_t *tbs, *sig;
    size_t tbs_len;
};

struct ua_authz {
    const uint8_t *authz_id, *uuid, *tre_kid, *sn_kid, *nonce;
    uint64_t issued_at, expires, data_limit;
    const char *destination;
    size_t destination_len;
    const uint8_t *tbs, *sig;
    size_t tbs_len;
};

struct ua_ack {
    const uint8_t *authz_id, *uuid, *sn_kid;
    uint64_t at;
    const uint8_t *tbs, *sig;
    size_t tbs_len;
};

struct ua_register {
    const uint8_t *sp_kid, *uuid, *tre_kid;
    uint64_t max_authz, at;
    const uint8_t *tbs, *sig;
    size_t tbs_len;
};

/* Decoders: 0, or RCP_ERR_DECODE (with the CBOR errors passed through) when
 * the item is not exactly the message/token. */
int ua_dec_attach_request(rcp_cbor_cursor *body, struct ua_attach_request *m);
int ua_dec_challenge(rcp_cbor_cursor *body, struct ua_challenge *m);
int ua_dec_tre_credentials(rcp_cbor_cursor *body, struct ua_tre_credentials *m);
int ua_dec_sn_credentials(rcp_cbor_cursor *body, struct ua_sn_credentials *m);
int ua_dec_atk_tre(const uint8_t *tok, size_t len, struct ua_atk_tre *t);
int ua_dec_atk_sn(const uint8_t *tok, size_t len, struct ua_atk_sn *t);
int ua_dec_authz_req(const uint8_t *tok, size_t len, struct ua_authz_req *t);
int ua_dec_authz(const uint8_t *tok, size_t len, struct ua_authz *t);
int ua_dec_ack(const uint8_t *tok, size_t len, struct ua_ack *t);
int ua_dec_register(const uint8_t *tok, size_t len, struct ua_register *t);

/* Body readers for the small messages: a map of exactly the given uint keys
 * (ascending), each value a bstr of [min,max] bytes; out pointers/lengths. */
int ua_dec_bstr_map(rcp_cbor_cursor *body, size_t n, const uint64_t *keys, const size_t *min,
                    const size_t *max, const uint8_t **vals, size_t *lens);

/* Token writers (sign with key into out). */
int ua_enc_atk_tre(const rcp_ec_key *key, const struct ua_atk_tre *t, uint8_t *out, size_t cap,
                   size_t *len);
int ua_enc_atk_sn(const rcp_ec_key *key, const struct ua_atk_sn *t, uint8_t *out, size_t cap,
                  size_t *len);
int ua_enc_authz_req(const rcp_ec_key *key, const struct ua_authz_req *t, uint8_t *out, size_t cap,
                     size_t *len);
int ua_enc_authz(const rcp_ec_key *key, const struct ua_authz *t, uint8_t *out, size_t cap,
                 size_t *len);
int ua_enc_ack(const rcp_ec_key *key, const struct ua_ack *t, uint8_t *out, size_t cap,
               size_t *len);
int ua_enc_register(const rcp_ec_key *key, const struct ua_register *t, uint8_t *out, size_t cap,
                    size_t *len);

/* Token signature check with the signer's key: 0 or RCP_ERR_SIGNATURE. */
int ua_check_sig(const uint8_t *tbs, size_t tbs_len, const uint8_t *sig, const rcp_ec_key *key);

/* CX_PARAMETERS clear text. */
int ua_enc_cx(const rcp_ua_cx_params *cx, uint8_t *out, size_t cap, size_t *len);
int ua_dec_cx(const uint8_t *in, size_t len, rcp_ua_cx_params *cx);

/* h = first 16 bytes of SHA-256(msg). */
int ua_hash(const uint8_t *msg, size_t len, uint8_t h[RCP_UA_HASH_LEN]);

/* Queue an error message for the peer (to RCP_TO_REPLY) and fail the step. */
int ua_reject(rcp_step *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reserve the step's next output slot for a message of type with a body of
 * pairs entries, and start it in e.  When no slot is left, e writes into
 * nothing (its finish fails with RCP_ERR_BUFFER_TOO_SMALL) and a static
 * scratch slot is returned, so callers need no NULL check. */
rcp_out_msg *ua_out_begin(rcp_step *s, rcp_dest to, uint32_t type, size_t pairs, rcp_cbor_enc *e);

/* Compressed public key of an EC key (33 bytes). */
int ua_pk(const rcp_ec_key *k, uint8_t out[UA_PK_LEN]);

#endif
