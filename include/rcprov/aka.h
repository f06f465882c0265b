/*
 * rcprov — UMTS/EPS AKA (TS 33.102 §6.3, TS 33.401 §6.1) on top of Milenage.
 *
 * HSS/AuC side: make vectors, manage SQN_HE, resynchronise from AUTS.
 * USIM side: check AUTN (MAC, AMF separation bit, SQN freshness by the
 * TS 33.102 Annex C.2 SEQ/IND array scheme), answer RES, or AUTS.
 *
 * Errors common to all functions below: RCP_ERR_INVALID_ARG for a NULL
 * required pointer or a scheme with ind_bits above RCP_AKA_MAX_IND_BITS;
 * the Milenage errors of rcprov/milenage.h (RCP_ERR_RANGE for an r value
 * above 127, RCP_ERR_NO_MEMORY / RCP_ERR_CRYPTO from the AES backend).
 * Scheme, order of checks and every choice: docs/spec/alg3gpp.md.
 */
#ifndef RCPROV_AKA_H
#define RCPROV_AKA_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/error.h"
#include "rcprov/milenage.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RCP_AUTN_LEN 16
#define RCP_AUTS_LEN 14
#define RCP_SQN_MAX ((UINT64_C(1) << 48) - 1)
#define RCP_AKA_MAX_IND_BITS 8
#define RCP_AKA_DEFAULT_IND_BITS 5
#define RCP_AKA_DEFAULT_DELTA (UINT64_C(1) << 28)

/* The SQN scheme of TS 33.102 Annex C: SQN = SEQ || IND, IND the low
 * ind_bits bits.  delta bounds how far SEQ may jump ahead of the highest
 * accepted SEQ (Annex C.2, optional: 0 disables); age_limit L bounds how far
 * a SEQ may lag behind the highest accepted SEQ (C.2.2: accepted only if
 * SEQ_MS - SEQ < L; optional: 0 disables). */
typedef struct {
    unsigned ind_bits;  /* 0..RCP_AKA_MAX_IND_BITS; 5 is typical */
    uint64_t delta;     /* default 2^28 */
    uint64_t age_limit; /* default 0 (off) */
} rcp_sqn_scheme;

void rcp_sqn_scheme_default(rcp_sqn_scheme *s); /* ind_bits 5, delta 2^28, L 0 */

/* An authentication vector for EPS (KASME included) or UMTS (kasme unused). */
typedef struct {
    uint8_t rand[16];
    uint8_t xres[8];
    size_t xres_len; /* 8 with Milenage f2 */
    uint8_t ck[16];
    uint8_t ik[16];
    uint8_t autn[16];
    uint8_t kasme[32];
} rcp_aka_vector;

/* HSS: the next SQN for a subscriber.  SEQ_HE is incremented by one for each
 * new vector and IND is taken from ind (C.1.1/C.3.2).  sqn_he is the last
 * SQN issued (0 before the first); returns the new SQN in *sqn_out.
 * RCP_ERR_RANGE if SEQ would overflow, if sqn_he is above RCP_SQN_MAX or if
 * ind does not fit in ind_bits. */
RCP_MUST_CHECK int rcp_aka_sqn_next(const rcp_sqn_scheme *s, uint64_t sqn_he, unsigned ind,
                                    uint64_t *sqn_out);

/* HSS: build a vector for (RAND, SQN, AMF).  sn_id non-NULL adds KASME
 * (TS 33.401 A.2); sn_id NULL leaves kasme zeroed (UMTS AKA).
 * RCP_ERR_RANGE if sqn is above RCP_SQN_MAX.  *out is written only on
 * success (zeroed otherwise). */
RCP_MUST_CHECK int rcp_aka_hss_vector(const rcp_milenage *m, const uint8_t rand[16], uint64_t sqn,
                                      const uint8_t amf[2], const uint8_t *sn_id,
                                      rcp_aka_vector *out);

/* HSS: verify AUTS for RAND (MAC-S = f1*(SQN_MS, RAND, AMF = 0x0000), TS
 * 33.102 6.3.5) and recover SQN_MS.  RCP_ERR_AKA_MAC if MAC-S is wrong
 * (*sqn_ms is then 0). */
RCP_MUST_CHECK int rcp_aka_hss_resync(const rcp_milenage *m, const uint8_t rand[16],
                                      const uint8_t auts[RCP_AUTS_LEN], uint64_t *sqn_ms);

/* HSS, after rcp_aka_hss_resync succeeded (TS 33.102 6.3.5 steps 2-5): if
 * the next SQN the HSS would generate from sqn_he is acceptable to a USIM
 * whose highest accepted SQN is sqn_ms (SEQ_HE + 1 > SEQ_MS, and within
 * delta when delta is on), SQN_HE is kept; otherwise it is reset to SQN_MS.
 * *sqn_he_out receives the value to store.  RCP_ERR_RANGE if sqn_he or
 * sqn_ms is above RCP_SQN_MAX. */
RCP_MUST_CHECK int rcp_aka_hss_sqn_after_resync(const rcp_sqn_scheme *s, uint64_t sqn_he,
                                                uint64_t sqn_ms, uint64_t *sqn_he_out);

/* USIM state: the SEQ_MS array of Annex C.2.2, one entry per IND value. */
typedef struct {
    rcp_sqn_scheme scheme;
    uint64_t seq_ms[1u << RCP_AKA_MAX_IND_BITS]; /* highest accepted SEQ per IND */
    int require_amf_sep;                         /* 1: EPS, AMF bit 0 must be 1 */
} rcp_usim_sqn;

/* All SEQ_MS entries zero (C.2.2); s NULL means rcp_sqn_scheme_default.
 * require_amf_sep is set to 1 (EPS AKA, TS 33.401 6.1.1); set it to 0 for
 * UMTS AKA. */
void rcp_usim_sqn_init(rcp_usim_sqn *u, const rcp_sqn_scheme *s);
/* Highest SQN accepted so far (SEQ_MS max with its IND), for AUTS; 0 before
 * any SQN was accepted.  If two IND entries hold the same highest SEQ, the
 * higher SQN (larger IND) is returned. */
uint64_t rcp_usim_sqn_ms(const rcp_usim_sqn *u);

/* USIM result of one authentication. */
typedef struct {
    uint8_t res[8];
    size_t res_len;
    uint8_t ck[16];
    uint8_t ik[16];
    uint8_t auts[RCP_AUTS_LEN]; /* set when the call returns RCP_ERR_AKA_SYNC */
    uint64_t sqn;               /* SQN recovered from AUTN (valid unless MAC failed) */
} rcp_usim_result;

/* USIM: check AUTN for RAND (TS 33.102 6.3.3).  Order of checks: MAC first
 * (RCP_ERR_AKA_MAC: nothing changes), then the AMF separation bit when
 * required (RCP_ERR_AKA_AMF), then SQN (RCP_ERR_AKA_SYNC: auts filled, state
 * unchanged).  On success updates u and fills res/ck/ik.  Fields of *out
 * not listed for a result are zero. */
RCP_MUST_CHECK int rcp_usim_authenticate(rcp_usim_sqn *u, const rcp_milenage *m,
                                         const uint8_t rand[16], const uint8_t autn[16],
                                         rcp_usim_result *out);

/* Is SQN acceptable to a USIM in state u?  0 yes, RCP_ERR_AKA_SYNC no,
 * RCP_ERR_RANGE if sqn is above RCP_SQN_MAX.  No state change; exposed for
 * diagnosis tools. */
RCP_MUST_CHECK int rcp_usim_sqn_check(const rcp_usim_sqn *u, uint64_t sqn);

/* Build AUTS = (SQN_MS xor AK*) || MAC-S for RAND.  RCP_ERR_RANGE if sqn_ms
 * is above RCP_SQN_MAX. */
RCP_MUST_CHECK int rcp_aka_make_auts(const rcp_milenage *m, const uint8_t rand[16], uint64_t sqn_ms,
                                     uint8_t auts[RCP_AUTS_LEN]);

#ifdef __cplusplus
}
#endif
#endif
