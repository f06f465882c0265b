/*
 * rcprov — the 3GPP generic key derivation function (TS 33.220 Annex B.2)
 * and the EPS keys built on it (TS 33.401 Annex A).
 *
 * Every FC value rcprov uses is listed here, with its source; FC values the
 * seeds leave open are chosen in this table and nowhere else
 * (docs/spec/alg3gpp.md lists each FC with its source and explains each
 * choice).
 *
 * Errors common to all functions below: RCP_ERR_INVALID_ARG for a NULL
 * required pointer, RCP_ERR_CRYPTO from the HMAC backend.  Outputs are
 * written only on success.
 */
#ifndef RCPROV_KDF3GPP_H
#define RCPROV_KDF3GPP_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* FC values standardised by 3GPP. */
#define RCP_FC_KASME 0x10       /* TS 33.401 A.2 */
#define RCP_FC_KENB 0x11        /* TS 33.401 A.3 */
#define RCP_FC_EPS_ALG 0x15     /* TS 33.401 A.7: NAS/RRC/UP algorithm keys */
#define RCP_FC_CK_IK_PRIME 0x20 /* TS 33.402 A.2 (RFC 5448) */

/* TS 33.401 A.7 algorithm type distinguishers. */
#define RCP_ALG_NAS_ENC 0x01
#define RCP_ALG_NAS_INT 0x02
#define RCP_ALG_RRC_ENC 0x03
#define RCP_ALG_RRC_INT 0x04
#define RCP_ALG_UP_ENC 0x05
#define RCP_ALG_UP_INT 0x06

/* Algorithm identities (TS 33.401 5.1.3.2 / 5.1.4.2). */
#define RCP_EEA0 0x00
#define RCP_EEA1 0x01
#define RCP_EEA2 0x02
#define RCP_EIA1 0x01
#define RCP_EIA2 0x02

#define RCP_KDF_OUT_LEN 32
#define RCP_KDF_MAX_PARAMS 8
#define RCP_PLMN_LEN 3

/* One parameter Pi of S; its length Li is written as 2 bytes big-endian.
 * A parameter longer than 65535 bytes is RCP_ERR_LENGTH. */
typedef struct {
    const uint8_t *data;
    size_t len;
} rcp_kdf_param;

/* Derived key = HMAC-SHA-256(key, FC || P0 || L0 || ... || Pn || Ln).
 * n_params 0..RCP_KDF_MAX_PARAMS (more: RCP_ERR_INVALID_ARG); params may be
 * NULL when n_params is 0; a parameter may be empty (data NULL, len 0).
 * key_len may be any length, 0 included (key may then be NULL). */
RCP_MUST_CHECK int rcp_kdf_3gpp(const uint8_t *key, size_t key_len, uint8_t fc,
                                const rcp_kdf_param *params, size_t n_params,
                                uint8_t out[RCP_KDF_OUT_LEN]);

/* PLMN identity as used in the serving network id (TS 24.301 9.9.3.32,
 * TS 33.401 A.2): MCC digits 1,2 / MCC 3, MNC 3 (F if 2-digit MNC) / MNC 2,1
 * in BCD.  mcc: 3 digits; mnc: 2 or 3 digits.  RCP_ERR_INVALID_ARG otherwise. */
RCP_MUST_CHECK int rcp_plmn_encode(const char *mcc, const char *mnc, uint8_t out[RCP_PLMN_LEN]);

/* KASME = KDF(CK||IK, FC=0x10, P0 = SN id, P1 = SQN xor AK)  (TS 33.401 A.2). */
RCP_MUST_CHECK int rcp_kdf_kasme(const uint8_t ck[16], const uint8_t ik[16],
                                 const uint8_t sn_id[RCP_PLMN_LEN], const uint8_t sqn_xor_ak[6],
                                 uint8_t kasme[32]);

/* K_alg = last 16 bytes of KDF(KASME, FC=0x15, P0 = type distinguisher,
 * P1 = algorithm identity)  (TS 33.401 A.7).  Also for KeNB-derived keys.
 * alg_type must be RCP_ALG_NAS_ENC..RCP_ALG_UP_INT and alg_id fit in the
 * low 4 bits (A.7: the high nibble is all zeros): RCP_ERR_INVALID_ARG
 * otherwise. */
RCP_MUST_CHECK int rcp_kdf_eps_alg_key(const uint8_t key[32], uint8_t alg_type, uint8_t alg_id,
                                       uint8_t out[16]);

/* KeNB = KDF(KASME, FC=0x11, P0 = uplink NAS COUNT (4 bytes))  (TS 33.401 A.3). */
RCP_MUST_CHECK int rcp_kdf_kenb(const uint8_t kasme[32], uint32_t ul_nas_count, uint8_t kenb[32]);

#ifdef __cplusplus
}
#endif
#endif
