/*
 * UMTS/EPS AKA on Milenage: HSS vectors and resynchronisation, USIM AUTN
 * check with the SEQ/IND array of TS 33.102 Annex C.2.2.
 *
 * Every function computes into locals and writes caller-visible state last
 * (a forged AUTN or a sync failure leaves the USIM state untouched).
 */
#include <string.h>

#include "rcprov/aka.h"
#include "rcprov/bytes.h"
#include "rcprov/kdf3gpp.h"

#define AKA_SQN_LEN RCP_MIL_SQN_LEN
#define AKA_AMF_LEN RCP_MIL_AMF_LEN
#define AKA_MAC_LEN RCP_MIL_MAC_LEN
/* AUTN = SQN xor AK (6) || AMF (2) || MAC (8)   (TS 33.102 6.3.2) */
#define AKA_AUTN_SQN_OFF 0
#define AKA_AUTN_AMF_OFF (AKA_AUTN_SQN_OFF + AKA_SQN_LEN)
#define AKA_AUTN_MAC_OFF (AKA_AUTN_AMF_OFF + AKA_AMF_LEN)
/* AUTS = SQN_MS xor AK* (6) || MAC-S (8)   (TS 33.102 6.3.3) */
#define AKA_AUTS_SQN_OFF 0
#define AKA_AUTS_MAC_OFF (AKA_AUTS_SQN_OFF + AKA_SQN_LEN)
/* TS 33.401 6.1.1 with TS 33.102 Annex H: the "AMF separation bit" is bit 0
 * of AMF, the most significant bit of its first octet. */
#define AKA_AMF_SEPARATION_BIT 0x80

void rcp_sqn_scheme_default(rcp_sqn_scheme *s)
{
    if (s == NULL)
        return;
    s->ind_bits = RCP_AKA_DEFAULT_IND_BITS; /* TS 33.102 C.3.2: a = 2^5 = 32 */
    s->delta = RCP_AKA_DEFAULT_DELTA;       /* TS 33.102 Annex C.2: delta = 2^28 */
    s->age_limit = 0;                       /* TS 33.102 C.2.2: L is optional */
}

static int scheme_valid(const rcp_sqn_scheme *s)
{
    return s != NULL && s->ind_bits <= RCP_AKA_MAX_IND_BITS;
}

static uint64_t ind_mask(const rcp_sqn_scheme *s)
{
    return (UINT64_C(1) << s->ind_bits) - 1;
}

int rcp_aka_sqn_next(const rcp_sqn_scheme *s, uint64_t sqn_he, unsigned ind, uint64_t *sqn_out)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint64_t seq;

    if (sqn_out == NULL || !scheme_valid(s))
        goto cleanup;
    ret = RCP_ERR_RANGE;
    if (sqn_he > RCP_SQN_MAX || ind > ind_mask(s))
        goto cleanup;
    seq = sqn_he >> s->ind_bits;
    if (seq >= RCP_SQN_MAX >> s->ind_bits) /* SEQ_HE + 1 would not fit */
        goto cleanup;
    /* TS 33.102 C.1.1: SEQ_HE = SEQ_HE + 1; C.3.2: SQN = SEQ || IND */
    *sqn_out = ((seq + 1) << s->ind_bits) | ind;
    ret = RCP_OK;
cleanup:
    return ret;
}

/* AUTS for SQN_MS inside an open session (TS 33.102 6.3.3):
 * AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF = 0x0000). */
static int auts_in_session(rcp_milenage_session *s, uint64_t sqn_ms, uint8_t auts[RCP_AUTS_LEN])
{
    static const uint8_t dummy_amf[AKA_AMF_LEN] = {0x00, 0x00}; /* TS 33.102 6.3.3 */
    int ret;
    uint8_t sqn_b[AKA_SQN_LEN];
    uint8_t ak_star[RCP_MIL_AK_LEN];
    uint8_t mac_s[AKA_MAC_LEN];

    rcp_be48_put(sqn_b, sqn_ms);
    ret = rcp_milenage_session_f5star(s, ak_star);
    if (ret)
        goto cleanup;
    ret = rcp_milenage_session_f1(s, sqn_b, dummy_amf, NULL, mac_s);
    if (ret)
        goto cleanup;
    rcp_xor(auts + AKA_AUTS_SQN_OFF, sqn_b, ak_star, AKA_SQN_LEN);
    memcpy(auts + AKA_AUTS_MAC_OFF, mac_s, AKA_MAC_LEN);
cleanup:
    rcp_wipe(ak_star, sizeof ak_star);
    rcp_wipe(mac_s, sizeof mac_s);
    rcp_wipe(sqn_b, sizeof sqn_b);
    return ret;
}

int rcp_aka_hss_vector(const rcp_milenage *m, const uint8_t rand[16], uint64_t sqn,
                       const uint8_t amf[2], const uint8_t *sn_id, rcp_aka_vector *out)
{
    int ret = RCP_ERR_INVALID_ARG;
    rcp_milenage_session s;
    rcp_aka_vector v;
    uint8_t sqn_b[AKA_SQN_LEN];
    uint8_t ak[RCP_MIL_AK_LEN];
    uint8_t mac_a[AKA_MAC_LEN];

    memset(&s, 0, sizeof s);
    memset(&v, 0, sizeof v);
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    if (m == NULL || rand == NULL || amf == NULL)
        goto cleanup;
    ret = RCP_ERR_RANGE;
    if (sqn > RCP_SQN_MAX)
        goto cleanup;
    rcp_be48_put(sqn_b, sqn);
    ret = rcp_milenage_session_begin(&s, m, rand);
    if (ret)
        goto cleanup;
    /* TS 33.102 6.3.2: MAC = f1(SQN, RAND, AMF), XRES = f2, CK = f3, IK = f4,
     * AK = f5 (all of RAND) */
    ret = rcp_milenage_session_f1(&s, sqn_b, amf, mac_a, NULL);
    if (ret)
        goto cleanup;
    ret = rcp_milenage_session_f2345(&s, v.xres, v.ck, v.ik, ak);
    if (ret)
        goto cleanup;
    memcpy(v.rand, rand, sizeof v.rand);
    v.xres_len = RCP_MIL_RES_LEN;
    /* TS 33.102 6.3.2: AUTN = SQN xor AK || AMF || MAC */
    rcp_xor(v.autn + AKA_AUTN_SQN_OFF, sqn_b, ak, AKA_SQN_LEN);
    memcpy(v.autn + AKA_AUTN_AMF_OFF, amf, AKA_AMF_LEN);
    memcpy(v.autn + AKA_AUTN_MAC_OFF, mac_a, AKA_MAC_LEN);
    if (sn_id != NULL) {
        /* TS 33.401 A.2: KASME from CK, IK, SN id and SQN xor AK */
        ret = rcp_kdf_kasme(v.ck, v.ik, sn_id, v.autn + AKA_AUTN_SQN_OFF, v.kasme);
        if (ret)
            goto cleanup;
    }
    ret = RCP_OK;
cleanup:
    rcp_milenage_session_end(&s);
    if (ret == RCP_OK)
        *out = v;
    else
        rcp_wipe(out, sizeof *out);
    rcp_wipe(&v, sizeof v);
    rcp_wipe(ak, sizeof ak);
    rcp_wipe(mac_a, sizeof mac_a);
    rcp_wipe(sqn_b, sizeof sqn_b);
    return ret;
}

int rcp_aka_hss_resync(const rcp_milenage *m, const uint8_t rand[16],
                       const uint8_t auts[RCP_AUTS_LEN], uint64_t *sqn_ms)
{
    static const uint8_t dummy_amf[AKA_AMF_LEN] = {0x00, 0x00}; /* TS 33.102 6.3.3 */
    int ret = RCP_ERR_INVALID_ARG;
    rcp_milenage_session s;
    uint8_t ak_star[RCP_MIL_AK_LEN];
    uint8_t sqn_b[AKA_SQN_LEN];
    uint8_t xmac_s[AKA_MAC_LEN];
    uint64_t recovered = 0;

    memset(&s, 0, sizeof s);
    if (sqn_ms == NULL)
        return RCP_ERR_INVALID_ARG;
    if (m == NULL || rand == NULL || auts == NULL)
        goto cleanup;
    ret = rcp_milenage_session_begin(&s, m, rand);
    if (ret)
        goto cleanup;
    /* TS 33.102 6.3.5: SQN_MS = (SQN_MS xor AK*) xor AK*, AK* = f5*(RAND) */
    ret = rcp_milenage_session_f5star(&s, ak_star);
    if (ret)
        goto cleanup;
    rcp_xor(sqn_b, auts + AKA_AUTS_SQN_OFF, ak_star, AKA_SQN_LEN);
    /* TS 33.102 6.3.5 step 4: verify MAC-S = f1*(SQN_MS, RAND, AMF = 0x0000) */
    ret = rcp_milenage_session_f1(&s, sqn_b, dummy_amf, NULL, xmac_s);
    if (ret)
        goto cleanup;
    ret = RCP_ERR_AKA_MAC;
    if (!rcp_ct_equal(xmac_s, auts + AKA_AUTS_MAC_OFF, AKA_MAC_LEN))
        goto cleanup;
    recovered = rcp_be48_get(sqn_b);
    ret = RCP_OK;
cleanup:
    rcp_milenage_session_end(&s);
    *sqn_ms = ret == RCP_OK ? recovered : 0;
    rcp_wipe(ak_star, sizeof ak_star);
    rcp_wipe(sqn_b, sizeof sqn_b);
    rcp_wipe(xmac_s, sizeof xmac_s);
    return ret;
}

int rcp_aka_hss_sqn_after_resync(const rcp_sqn_scheme *s, uint64_t sqn_he, uint64_t sqn_ms,
                                 uint64_t *sqn_he_out)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint64_t next_seq, seq_ms;
    int acceptable;

    if (sqn_he_out == NULL || !scheme_valid(s))
        goto cleanup;
    ret = RCP_ERR_RANGE;
    if (sqn_he > RCP_SQN_MAX || sqn_ms > RCP_SQN_MAX)
        goto cleanup;
    next_seq = (sqn_he >> s->ind_bits) + 1;
    seq_ms = sqn_ms >> s->ind_bits;
    /* TS 33.102 6.3.5 step 2: would the next SQN_HE be accepted?  A SEQ
     * above the USIM's highest SEQ_MS is fresh for every IND (C.2.2 (a)),
     * and must stay within delta of it (Annex C.2). */
    acceptable = next_seq > seq_ms && (s->delta == 0 || next_seq - seq_ms <= s->delta);
    /* TS 33.102 6.3.5 step 5: otherwise reset SQN_HE to SQN_MS */
    *sqn_he_out = acceptable ? sqn_he : sqn_ms;
    ret = RCP_OK;
cleanup:
    return ret;
}

void rcp_usim_sqn_init(rcp_usim_sqn *u, const rcp_sqn_scheme *s)
{
    if (u == NULL)
        return;
    memset(u, 0, sizeof *u); /* TS 33.102 C.2.2: every SEQ_MS starts at zero */
    if (s != NULL)
        u->scheme = *s;
    else
        rcp_sqn_scheme_default(&u->scheme);
    u->require_amf_sep = 1; /* TS 33.401 6.1.1: EPS AKA */
}

/* Highest SEQ_MS and its IND; seq 0 when nothing was accepted yet. */
static void highest_seq(const rcp_usim_sqn *u, uint64_t *seq, uint64_t *ind)
{
    uint64_t n = UINT64_C(1) << u->scheme.ind_bits;
    *seq = 0;
    *ind = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (u->seq_ms[i] != 0 && u->seq_ms[i] >= *seq) {
            *seq = u->seq_ms[i];
            *ind = i;
        }
    }
}

uint64_t rcp_usim_sqn_ms(const rcp_usim_sqn *u)
{
    uint64_t seq, ind;

    if (u == NULL || !scheme_valid(&u->scheme))
        return 0;
    highest_seq(u, &seq, &ind);
    if (seq == 0)
        return 0;
    /* TS 33.102 C.2.2 (b): SQN_MS, the highest previously accepted SQN */
    return (seq << u->scheme.ind_bits) | ind;
}

int rcp_usim_sqn_check(const rcp_usim_sqn *u, uint64_t sqn)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint64_t seq, ind, max_seq, max_ind;

    if (u == NULL || !scheme_valid(&u->scheme))
        goto cleanup;
    ret = RCP_ERR_RANGE;
    if (sqn > RCP_SQN_MAX)
        goto cleanup;
    ret = RCP_ERR_AKA_SYNC;
    seq = sqn >> u->scheme.ind_bits;
    ind = sqn & ind_mask(&u->scheme);
    highest_seq(u, &max_seq, &max_ind);
    /* TS 33.102 C.2.2: with a limit L, accept only if SEQ_MS - SEQ < L,
     * checked before (a) and (b) */
    if (u->scheme.age_limit != 0 && seq < max_seq && max_seq - seq >= u->scheme.age_limit)
        goto cleanup;
    /* TS 33.102 C.2.2 (a)/(b): fresh only if SEQ > SEQ_MS(IND) */
    if (seq <= u->seq_ms[ind])
        goto cleanup;
    /* TS 33.102 Annex C.2: SEQ may not run more than delta ahead of the
     * highest accepted SEQ_MS (protection against wrap around) */
    if (u->scheme.delta != 0 && seq > max_seq && seq - max_seq > u->scheme.delta)
        goto cleanup;
    ret = RCP_OK;
cleanup:
    return ret;
}

int rcp_usim_authenticate(rcp_usim_sqn *u, const rcp_milenage *m, const uint8_t rand[16],
                          const uint8_t autn[16], rcp_usim_result *out)
{
    int ret = RCP_ERR_INVALID_ARG;
    rcp_milenage_session s;
    rcp_usim_result r;
    uint8_t ak[RCP_MIL_AK_LEN];
    uint8_t sqn_b[AKA_SQN_LEN];
    uint8_t xmac[AKA_MAC_LEN];
    const uint8_t *amf;
    uint64_t sqn = 0;

    memset(&s, 0, sizeof s);
    memset(&r, 0, sizeof r);
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    if (u == NULL || m == NULL || rand == NULL || autn == NULL || !scheme_valid(&u->scheme))
        goto cleanup;
    ret = rcp_milenage_session_begin(&s, m, rand);
    if (ret)
        goto cleanup;
    /* TS 33.102 6.3.3: AK = f5(RAND), SQN = (SQN xor AK) xor AK */
    ret = rcp_milenage_session_f2345(&s, NULL, NULL, NULL, ak);
    if (ret)
        goto cleanup;
    rcp_xor(sqn_b, autn + AKA_AUTN_SQN_OFF, ak, AKA_SQN_LEN);
    amf = autn + AKA_AUTN_AMF_OFF;
    /* TS 33.102 6.3.3: XMAC = f1(SQN, RAND, AMF), compared with MAC first */
    ret = rcp_milenage_session_f1(&s, sqn_b, amf, xmac, NULL);
    if (ret)
        goto cleanup;
    ret = RCP_ERR_AKA_MAC;
    if (!rcp_ct_equal(xmac, autn + AKA_AUTN_MAC_OFF, AKA_MAC_LEN))
        goto cleanup;
    sqn = rcp_be48_get(sqn_b);
    r.sqn = sqn;
    /* TS 33.401 6.1.1: for EPS the AMF separation bit must be 1 */
    ret = RCP_ERR_AKA_AMF;
    if (u->require_amf_sep && (amf[0] & AKA_AMF_SEPARATION_BIT) == 0)
        goto cleanup;
    /* TS 33.102 6.3.3: SQN in the correct range (Annex C.2.2)?  If not,
     * AUTS with SQN_MS; the state is not touched. */
    ret = rcp_usim_sqn_check(u, sqn);
    if (ret == RCP_ERR_AKA_SYNC) {
        int auts_ret = auts_in_session(&s, rcp_usim_sqn_ms(u), r.auts);
        if (auts_ret)
            ret = auts_ret;
        goto cleanup;
    }
    if (ret)
        goto cleanup;
    /* TS 33.102 6.3.3: RES = f2(RAND), CK = f3(RAND), IK = f4(RAND) */
    ret = rcp_milenage_session_f2345(&s, r.res, r.ck, r.ik, NULL);
    if (ret)
        goto cleanup;
    r.res_len = RCP_MIL_RES_LEN;
    /* TS 33.102 C.2.2 (a): SEQ_MS(IND) = SEQ, committed last */
    u->seq_ms[sqn & ind_mask(&u->scheme)] = sqn >> u->scheme.ind_bits;
    ret = RCP_OK;
cleanup:
    rcp_milenage_session_end(&s);
    if (ret != RCP_OK && ret != RCP_ERR_AKA_SYNC && ret != RCP_ERR_AKA_AMF)
        memset(&r, 0, sizeof r); /* nothing is valid after a MAC or other failure */
    *out = r;
    rcp_wipe(&r, sizeof r);
    rcp_wipe(ak, sizeof ak);
    rcp_wipe(sqn_b, sizeof sqn_b);
    rcp_wipe(xmac, sizeof xmac);
    return ret;
}

int rcp_aka_make_auts(const rcp_milenage *m, const uint8_t rand[16], uint64_t sqn_ms,
                      uint8_t auts[RCP_AUTS_LEN])
{
    int ret = RCP_ERR_INVALID_ARG;
    rcp_milenage_session s;
    uint8_t a[RCP_AUTS_LEN];

    memset(&s, 0, sizeof s);
    if (m == NULL || rand == NULL || auts == NULL)
        goto cleanup;
    ret = RCP_ERR_RANGE;
    if (sqn_ms > RCP_SQN_MAX)
        goto cleanup;
    ret = rcp_milenage_session_begin(&s, m, rand);
    if (ret)
        goto cleanup;
    ret = auts_in_session(&s, sqn_ms, a);
    if (ret)
        goto cleanup;
    memcpy(auts, a, RCP_AUTS_LEN);
cleanup:
    rcp_milenage_session_end(&s);
    rcp_wipe(a, sizeof a);
    return ret;
}
