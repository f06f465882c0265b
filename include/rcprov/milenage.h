/*
 * rcprov — MILENAGE (3GPP TS 35.206) with settable operator constants.
 *
 * Seed 000 delivers "Milenage algorithm parameters" to the device, so the
 * rotation constants r1..r5 and the additive constants c1..c5 are parameters,
 * not compile-time values.  rcp_milenage_consts_default() sets the values of
 * TS 35.206 §4.1 (r = 64, 0, 32, 64, 96; c1 = 0, c2 = 1, c3 = 2, c4 = 4,
 * c5 = 8 as 128-bit integers).
 *
 * Every function computing outputs runs one AES-128 key schedule per call
 * (not per block).  Code that needs several functions for one RAND (the AKA
 * layer) opens an rcp_milenage_session, which also computes TEMP only once.
 *
 * Errors common to all functions below: RCP_ERR_INVALID_ARG for a NULL
 * required pointer, RCP_ERR_RANGE when an r value of the constants is above
 * 127, RCP_ERR_NO_MEMORY / RCP_ERR_CRYPTO from the AES backend.
 * Algorithm description and choices: docs/spec/alg3gpp.md.
 */
#ifndef RCPROV_MILENAGE_H
#define RCPROV_MILENAGE_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/crypto.h"
#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RCP_MIL_K_LEN 16
#define RCP_MIL_OP_LEN 16
#define RCP_MIL_RAND_LEN 16
#define RCP_MIL_SQN_LEN 6
#define RCP_MIL_AMF_LEN 2
#define RCP_MIL_MAC_LEN 8
#define RCP_MIL_RES_LEN 8
#define RCP_MIL_CK_LEN 16
#define RCP_MIL_IK_LEN 16
#define RCP_MIL_AK_LEN 6
#define RCP_MIL_ROT_MAX 127 /* largest rotation r1..r5, in bits */

typedef struct {
    uint8_t r[5];     /* r1..r5: left rotations in bits, 0..127 */
    uint8_t c[5][16]; /* c1..c5: 128-bit constants, big-endian */
} rcp_milenage_consts;

void rcp_milenage_consts_default(rcp_milenage_consts *c);

/* OPc = OP xor E_K(OP)  (TS 35.206 §4.1). */
RCP_MUST_CHECK int rcp_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16]);

/* A subscriber's Milenage parameters: K, OPc and the constants.
 * Holds secrets: wipe with rcp_milenage_wipe. */
typedef struct {
    uint8_t k[16];
    uint8_t opc[16];
    rcp_milenage_consts consts;
} rcp_milenage;

/* Fill m from K and OPc; consts NULL means the TS 35.206 defaults.
 * r values are checked when m is used (RCP_ERR_RANGE above 127). */
void rcp_milenage_init(rcp_milenage *m, const uint8_t k[16], const uint8_t opc[16],
                       const rcp_milenage_consts *consts);
void rcp_milenage_wipe(rcp_milenage *m);

/* f1 and f1*: network and resynchronisation authentication codes.
 * Either output may be NULL when not wanted. */
RCP_MUST_CHECK int rcp_milenage_f1(const rcp_milenage *m, const uint8_t rand[16],
                                   const uint8_t sqn[6], const uint8_t amf[2], uint8_t mac_a[8],
                                   uint8_t mac_s[8]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK); any output may be NULL (its block is
 * then not computed). */
RCP_MUST_CHECK int rcp_milenage_f2345(const rcp_milenage *m, const uint8_t rand[16], uint8_t res[8],
                                      uint8_t ck[16], uint8_t ik[16], uint8_t ak[6]);

/* f5*: anonymity key for resynchronisation (AUTS). */
RCP_MUST_CHECK int rcp_milenage_f5star(const rcp_milenage *m, const uint8_t rand[16],
                                       uint8_t ak_star[6]);

/*
 * A Milenage session for one RAND: the key schedule of K and TEMP =
 * E_K(RAND xor OPc) are computed once by _begin, then any of f1, f1*, f2..f5,
 * f5* can be evaluated.  The session copies what it needs from m (m may
 * change or be wiped afterwards) and holds secrets: always call
 * rcp_milenage_session_end, also after a failed _begin (it is then a no-op).
 */
typedef struct {
    rcp_aes_block *aes; /* E_K, owned by the session */
    uint8_t opc[16];
    uint8_t temp[16];
    rcp_milenage_consts consts;
} rcp_milenage_session;

RCP_MUST_CHECK int rcp_milenage_session_begin(rcp_milenage_session *s, const rcp_milenage *m,
                                              const uint8_t rand[16]);
RCP_MUST_CHECK int rcp_milenage_session_f1(rcp_milenage_session *s, const uint8_t sqn[6],
                                           const uint8_t amf[2], uint8_t mac_a[8],
                                           uint8_t mac_s[8]);
RCP_MUST_CHECK int rcp_milenage_session_f2345(rcp_milenage_session *s, uint8_t res[8],
                                              uint8_t ck[16], uint8_t ik[16], uint8_t ak[6]);
RCP_MUST_CHECK int rcp_milenage_session_f5star(rcp_milenage_session *s, uint8_t ak_star[6]);
/* Free the key schedule and wipe the session; NULL ok. */
void rcp_milenage_session_end(rcp_milenage_session *s);

#ifdef __cplusplus
}
#endif
#endif
