/*
 * AKA unit tests: HSS vectors, USIM AUTN checks in the order MAC -> AMF
 * separation bit -> SQN, the SEQ/IND array with delta and age limit, AUTS
 * and HSS resynchronisation, and every error path.  Randomness (RAND) comes
 * from a seeded HMAC_DRBG, so every run is the same.
 */
#include <string.h>

#include "harness.h"
#include "rcprov/aka.h"
#include "rcprov/bytes.h"
#include "rcprov/crypto.h"
#include "rcprov/kdf3gpp.h"

/* TS 35.208 test set 19 subscriber (K, OPc). */
static const char *const SUB_K = "5122250214c33e723a5dd523fc145fc0";
static const char *const SUB_OPC = "981d464c7c52eb6e5036234984ad0bcf";

static const uint8_t AMF_EPS[2] = {0x80, 0x00};  /* separation bit set */
static const uint8_t AMF_UMTS[2] = {0x00, 0x00}; /* separation bit clear */

static rcp_drbg g_drbg;

/* The network side of one subscriber: Milenage parameters and SQN_HE. */
struct hss {
    rcp_milenage m;
    rcp_sqn_scheme scheme;
    uint64_t sqn_he;
    uint8_t sn_id[RCP_PLMN_LEN];
};

static void subscriber(rcp_milenage *m)
{
    uint8_t k[16], opc[16];
    CHECK(rcp_t_hex_str(SUB_K, k, 16) == 16);
    CHECK(rcp_t_hex_str(SUB_OPC, opc, 16) == 16);
    rcp_milenage_init(m, k, opc, NULL);
}

static void hss_init(struct hss *h)
{
    memset(h, 0, sizeof *h);
    subscriber(&h->m);
    rcp_sqn_scheme_default(&h->scheme);
    CHECK_OK(rcp_plmn_encode("001", "01", h->sn_id));
}

static void fresh_rand(uint8_t rand[16])
{
    CHECK_OK(rcp_rng_fill(&g_drbg.rng, rand, 16));
}

/* HSS: next SQN with this IND, a fresh RAND, an EPS vector. */
static void hss_next_vector(struct hss *h, unsigned ind, const uint8_t amf[2], rcp_aka_vector *v)
{
    uint8_t rand[16];
    uint64_t sqn;
    fresh_rand(rand);
    CHECK_OK(rcp_aka_sqn_next(&h->scheme, h->sqn_he, ind, &sqn));
    h->sqn_he = sqn;
    CHECK_OK(rcp_aka_hss_vector(&h->m, rand, sqn, amf, h->sn_id, v));
}

/* A vector for an explicit SQN (for SQN-scheme tests). */
static void vector_for_sqn(const struct hss *h, uint64_t sqn, const uint8_t amf[2],
                           rcp_aka_vector *v)
{
    uint8_t rand[16];
    fresh_rand(rand);
    CHECK_OK(rcp_aka_hss_vector(&h->m, rand, sqn, amf, h->sn_id, v));
}

static uint64_t mk_sqn(const rcp_sqn_scheme *s, uint64_t seq, uint64_t ind)
{
    return seq << s->ind_bits | ind;
}

static int is_zero(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= b[i];
    return acc == 0;
}

/* USIM authenticate expecting a result; the state must be unchanged for
 * every outcome but success. */
static int usim_run(rcp_usim_sqn *u, const rcp_milenage *m, const rcp_aka_vector *v,
                    rcp_usim_result *r)
{
    rcp_usim_sqn before;
    memcpy(&before, u, sizeof before);
    int ret = rcp_usim_authenticate(u, m, v->rand, v->autn, r);
    if (ret != RCP_OK)
        CHECK(memcmp(&before, u, sizeof before) == 0);
    return ret;
}

/* Accepted, with RES = XRES and the same keys on both sides. */
static void expect_accept(rcp_usim_sqn *u, const rcp_milenage *m, const rcp_aka_vector *v,
                          const uint8_t sn_id[RCP_PLMN_LEN])
{
    rcp_usim_result r;
    uint8_t kasme[32];
    CHECK_OK(usim_run(u, m, v, &r));
    CHECK(r.res_len == v->xres_len && r.res_len == 8);
    CHECK(rcp_ct_equal(r.res, v->xres, r.res_len));
    CHECK_MEM(r.ck, v->ck, 16);
    CHECK_MEM(r.ik, v->ik, 16);
    CHECK(is_zero(r.auts, sizeof r.auts));
    /* UE side KASME (TS 33.401 A.2) from its own CK, IK and AUTN */
    CHECK_OK(rcp_kdf_kasme(r.ck, r.ik, sn_id, v->autn, kasme));
    CHECK_MEM(kasme, v->kasme, 32);
}

static void test_scheme_and_sqn_next(void)
{
    rcp_sqn_scheme s;
    uint64_t sqn = 0;

    memset(&s, 0xff, sizeof s);
    rcp_sqn_scheme_default(&s);
    CHECK(s.ind_bits == 5);
    CHECK(s.delta == (UINT64_C(1) << 28));
    CHECK(s.age_limit == 0);
    rcp_sqn_scheme_default(NULL); /* must not crash */

    /* C.1.1: SEQ_HE + 1; C.3.2: IND from the caller */
    CHECK_OK(rcp_aka_sqn_next(&s, 0, 3, &sqn));
    CHECK(sqn == ((UINT64_C(1) << 5) | 3));
    CHECK_OK(rcp_aka_sqn_next(&s, sqn, 31, &sqn));
    CHECK(sqn == ((UINT64_C(2) << 5) | 31));
    CHECK_OK(rcp_aka_sqn_next(&s, sqn, 0, &sqn));
    CHECK(sqn == (UINT64_C(3) << 5));
    /* the IND of the previous SQN does not matter, only its SEQ */
    CHECK_OK(rcp_aka_sqn_next(&s, (UINT64_C(7) << 5) | 17, 2, &sqn));
    CHECK(sqn == ((UINT64_C(8) << 5) | 2));

    /* last SEQ that still fits, then overflow */
    uint64_t seq_max = RCP_SQN_MAX >> 5;
    CHECK_OK(rcp_aka_sqn_next(&s, (seq_max - 1) << 5, 1, &sqn));
    CHECK(sqn == ((seq_max << 5) | 1));
    CHECK(sqn <= RCP_SQN_MAX);
    CHECK_ERR(rcp_aka_sqn_next(&s, sqn, 1, &sqn), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_sqn_next(&s, RCP_SQN_MAX + 1, 0, &sqn), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_sqn_next(&s, 0, 32, &sqn), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_sqn_next(&s, 0, 0, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_sqn_next(NULL, 0, 0, &sqn), RCP_ERR_INVALID_ARG);

    /* ind_bits 0: SQN = SEQ; ind_bits 8: 256 slots */
    rcp_sqn_scheme s0 = s, s8 = s, s9 = s;
    s0.ind_bits = 0;
    s8.ind_bits = RCP_AKA_MAX_IND_BITS;
    s9.ind_bits = RCP_AKA_MAX_IND_BITS + 1;
    CHECK_OK(rcp_aka_sqn_next(&s0, 41, 0, &sqn));
    CHECK(sqn == 42);
    CHECK_ERR(rcp_aka_sqn_next(&s0, 41, 1, &sqn), RCP_ERR_RANGE);
    CHECK_OK(rcp_aka_sqn_next(&s8, 0, 255, &sqn));
    CHECK(sqn == 0x1ff);
    CHECK_ERR(rcp_aka_sqn_next(&s8, 0, 256, &sqn), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_sqn_next(&s9, 0, 0, &sqn), RCP_ERR_INVALID_ARG);
}

/* HSS vector -> USIM accept; replay -> AUTS -> resync -> next accepted. */
static void test_end_to_end(void)
{
    struct hss h;
    rcp_usim_sqn u;
    rcp_usim_sqn before;
    rcp_aka_vector v, v2;
    rcp_usim_result r;
    uint64_t sqn_ms = 0, new_he = 0;

    hss_init(&h);
    rcp_usim_sqn_init(&u, NULL);
    CHECK(u.require_amf_sep == 1);
    CHECK(rcp_usim_sqn_ms(&u) == 0);

    hss_next_vector(&h, 1, AMF_EPS, &v);
    CHECK(h.sqn_he == mk_sqn(&h.scheme, 1, 1));
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[1] == 1);
    CHECK(rcp_usim_sqn_ms(&u) == h.sqn_he);

    /* replay of the accepted AUTN: sync failure, AUTS, state untouched */
    memcpy(&before, &u, sizeof before);
    CHECK_ERR(rcp_usim_authenticate(&u, &h.m, v.rand, v.autn, &r), RCP_ERR_AKA_SYNC);
    CHECK(memcmp(&before, &u, sizeof before) == 0);
    CHECK(r.sqn == h.sqn_he);
    CHECK(!is_zero(r.auts, sizeof r.auts));
    CHECK(r.res_len == 0 && is_zero(r.res, 8) && is_zero(r.ck, 16) && is_zero(r.ik, 16));

    /* HSS: AUTS verifies and carries SQN_MS */
    CHECK_OK(rcp_aka_hss_resync(&h.m, v.rand, r.auts, &sqn_ms));
    CHECK(sqn_ms == rcp_usim_sqn_ms(&u));
    /* the HSS is not behind, so it keeps SQN_HE (6.3.5 step 3) */
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&h.scheme, h.sqn_he, sqn_ms, &new_he));
    CHECK(new_he == h.sqn_he);
    h.sqn_he = new_he;

    hss_next_vector(&h, 2, AMF_EPS, &v2);
    expect_accept(&u, &h.m, &v2, h.sn_id);
    CHECK(u.seq_ms[2] == 2);
    CHECK(rcp_usim_sqn_ms(&u) == mk_sqn(&h.scheme, 2, 2));

    /* a UMTS vector: no SN id, KASME stays zero */
    rcp_aka_vector vu;
    uint8_t rand[16];
    fresh_rand(rand);
    CHECK_OK(rcp_aka_hss_vector(&h.m, rand, mk_sqn(&h.scheme, 3, 0), AMF_UMTS, NULL, &vu));
    CHECK(is_zero(vu.kasme, sizeof vu.kasme));
    u.require_amf_sep = 0; /* UMTS AKA */
    CHECK_OK(rcp_usim_authenticate(&u, &h.m, vu.rand, vu.autn, &r));
    CHECK(rcp_ct_equal(r.res, vu.xres, 8));
    rcp_milenage_wipe(&h.m);
}

/* HSS far ahead (beyond delta) and HSS behind: both end in a reset of
 * SQN_HE to SQN_MS, after which the next vector is accepted. */
static void test_resync_resets(void)
{
    struct hss h;
    rcp_usim_sqn u;
    rcp_aka_vector v;
    rcp_usim_result r;
    uint64_t sqn_ms = 0, new_he = 0;

    /* ahead: SEQ_HE jumped beyond delta (e.g. a restored database) */
    hss_init(&h);
    rcp_usim_sqn_init(&u, NULL);
    hss_next_vector(&h, 0, AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    h.sqn_he = mk_sqn(&h.scheme, (UINT64_C(1) << 28) + 5, 0);
    hss_next_vector(&h, 0, AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);
    CHECK_OK(rcp_aka_hss_resync(&h.m, v.rand, r.auts, &sqn_ms));
    CHECK(sqn_ms == mk_sqn(&h.scheme, 1, 0));
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&h.scheme, h.sqn_he, sqn_ms, &new_he));
    CHECK(new_he == sqn_ms);
    h.sqn_he = new_he;
    hss_next_vector(&h, 0, AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[0] == 2);

    /* behind: the HSS lost its counter, the USIM is at SEQ 7 */
    h.sqn_he = 0;
    u.seq_ms[3] = 7;
    hss_next_vector(&h, 3, AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);
    CHECK_OK(rcp_aka_hss_resync(&h.m, v.rand, r.auts, &sqn_ms));
    CHECK(sqn_ms == mk_sqn(&h.scheme, 7, 3));
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&h.scheme, h.sqn_he, sqn_ms, &new_he));
    CHECK(new_he == sqn_ms);
    h.sqn_he = new_he;
    hss_next_vector(&h, 3, AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[3] == 8);

    /* the keep/reset rule at its edges (delta 2^28, SEQ_MS = 100) */
    rcp_sqn_scheme s = h.scheme;
    uint64_t ms = mk_sqn(&s, 100, 4);
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&s, mk_sqn(&s, 100, 9), ms, &new_he));
    CHECK(new_he == mk_sqn(&s, 100, 9)); /* next SEQ 101 > 100: keep */
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&s, mk_sqn(&s, 99, 9), ms, &new_he));
    CHECK(new_he == ms); /* next SEQ 100 is not fresh: reset */
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&s, mk_sqn(&s, 99 + s.delta, 0), ms, &new_he));
    CHECK(new_he == mk_sqn(&s, 99 + s.delta, 0)); /* next - SEQ_MS = delta: keep */
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&s, mk_sqn(&s, 100 + s.delta, 0), ms, &new_he));
    CHECK(new_he == ms); /* one beyond delta: reset */
    s.delta = 0;         /* delta off: any SEQ ahead is kept */
    CHECK_OK(rcp_aka_hss_sqn_after_resync(&s, mk_sqn(&s, 1000000000, 0), ms, &new_he));
    CHECK(new_he == mk_sqn(&s, 1000000000, 0));
    CHECK_ERR(rcp_aka_hss_sqn_after_resync(&s, RCP_SQN_MAX + 1, ms, &new_he), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_hss_sqn_after_resync(&s, 0, RCP_SQN_MAX + 1, &new_he), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_hss_sqn_after_resync(&s, 0, 0, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_sqn_after_resync(NULL, 0, 0, &new_he), RCP_ERR_INVALID_ARG);
    s.ind_bits = RCP_AKA_MAX_IND_BITS + 1;
    CHECK_ERR(rcp_aka_hss_sqn_after_resync(&s, 0, 0, &new_he), RCP_ERR_INVALID_ARG);
    rcp_milenage_wipe(&h.m);
}

/* AUTS: known answer from the Python reference, and forgeries. */
static void test_auts(void)
{
    rcp_milenage m;
    uint8_t k[16], opc[16], rand[16], auts[RCP_AUTS_LEN], want[RCP_AUTS_LEN];
    uint64_t sqn_ms = 99;

    /* TS 35.208 set 1 subscriber and RAND; SQN_MS = ff9bb4d0b607; MAC-S with
     * the dummy AMF 0000 (TS 33.102 6.3.3).  Expected value computed by
     * tests/tools/milenage_ref.py. */
    rcp_t_hex_str("465b5ce8b199b49faa5f0a2ee238a6bc", k, 16);
    rcp_t_hex_str("cd63cb71954a9f4e48a5994e37a02baf", opc, 16);
    rcp_t_hex_str("23553cbe9637a89d218ae64dae47bf35", rand, 16);
    rcp_milenage_init(&m, k, opc, NULL);
    rcp_t_hex_str("ba853f3c123ccf44e93596e355c6", want, sizeof want);
    CHECK_OK(rcp_aka_make_auts(&m, rand, UINT64_C(0xff9bb4d0b607), auts));
    CHECK_MEM(auts, want, RCP_AUTS_LEN);
    CHECK_OK(rcp_aka_hss_resync(&m, rand, auts, &sqn_ms));
    CHECK(sqn_ms == UINT64_C(0xff9bb4d0b607));
    /* SQN_MS = 0x21 (SEQ 1, IND 1) */
    rcp_t_hex_str("451e8beca41a80125eca8884b56a", want, sizeof want);
    CHECK_OK(rcp_aka_make_auts(&m, rand, 0x21, auts));
    CHECK_MEM(auts, want, RCP_AUTS_LEN);
    /* SQN_MS = 0 is a valid AUTS too (a USIM that never accepted anything) */
    CHECK_OK(rcp_aka_make_auts(&m, rand, 0, auts));
    CHECK_OK(rcp_aka_hss_resync(&m, rand, auts, &sqn_ms));
    CHECK(sqn_ms == 0);

    /* every single-bit change of AUTS is refused, sqn_ms reported 0 */
    CHECK_OK(rcp_aka_make_auts(&m, rand, 0x21, auts));
    long refused = 0;
    for (int bit = 0; bit < RCP_AUTS_LEN * 8; bit++) {
        auts[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        sqn_ms = 99;
        refused += rcp_aka_hss_resync(&m, rand, auts, &sqn_ms) == RCP_ERR_AKA_MAC && sqn_ms == 0;
        auts[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
    }
    CHECK(refused == RCP_AUTS_LEN * 8);
    /* AUTS for another RAND, or from another key, is refused */
    uint8_t rand2[16];
    memcpy(rand2, rand, 16);
    rand2[15] ^= 1;
    CHECK_ERR(rcp_aka_hss_resync(&m, rand2, auts, &sqn_ms), RCP_ERR_AKA_MAC);
    rcp_milenage other = m;
    other.k[0] ^= 1;
    CHECK_ERR(rcp_aka_hss_resync(&other, rand, auts, &sqn_ms), RCP_ERR_AKA_MAC);
    /* MAC-S uses AMF 0000, not the AMF of the AUTN: f1* with AMF 0000 */
    uint8_t mac_s[8], ak_star[6], sqn_b[6];
    static const uint8_t amf0[2] = {0, 0};
    rcp_be48_put(sqn_b, 0x21);
    CHECK_OK(rcp_milenage_f1(&m, rand, sqn_b, amf0, NULL, mac_s));
    CHECK_OK(rcp_milenage_f5star(&m, rand, ak_star));
    CHECK_MEM(auts + 6, mac_s, 8);
    rcp_xor(sqn_b, sqn_b, ak_star, 6);
    CHECK_MEM(auts, sqn_b, 6);
    rcp_milenage_wipe(&m);
    rcp_milenage_wipe(&other);
}

/* C.2.2: one SEQ_MS per IND. */
static void test_ind_slots(void)
{
    struct hss h;
    rcp_usim_sqn u;
    rcp_aka_vector v;
    rcp_usim_result r;

    hss_init(&h);
    rcp_usim_sqn_init(&u, NULL);
    vector_for_sqn(&h, mk_sqn(&h.scheme, 5, 1), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    /* lower SEQ, different IND: accepted (out-of-order vectors per IND) */
    vector_for_sqn(&h, mk_sqn(&h.scheme, 3, 2), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[1] == 5 && u.seq_ms[2] == 3);
    /* SQN_MS stays the highest: SEQ 5 with IND 1 */
    CHECK(rcp_usim_sqn_ms(&u) == mk_sqn(&h.scheme, 5, 1));
    /* same IND, same or lower SEQ: sync failure */
    vector_for_sqn(&h, mk_sqn(&h.scheme, 3, 2), AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);
    vector_for_sqn(&h, mk_sqn(&h.scheme, 4, 1), AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);
    /* AUTS then carries SQN_MS = SEQ 5 / IND 1, not the slot that failed */
    uint64_t sqn_ms = 0;
    CHECK_OK(rcp_aka_hss_resync(&h.m, v.rand, r.auts, &sqn_ms));
    CHECK(sqn_ms == mk_sqn(&h.scheme, 5, 1));
    /* same IND, higher SEQ: accepted */
    vector_for_sqn(&h, mk_sqn(&h.scheme, 4, 2), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[2] == 4);
    /* every one of the 32 slots is independent */
    for (uint64_t ind = 0; ind < 32; ind++)
        CHECK_OK(rcp_usim_sqn_check(&u, mk_sqn(&h.scheme, 6, ind)));
    CHECK_ERR(rcp_usim_sqn_check(&u, mk_sqn(&h.scheme, 5, 1)), RCP_ERR_AKA_SYNC);
    CHECK_OK(rcp_usim_sqn_check(&u, mk_sqn(&h.scheme, 1, 0)));

    /* ties: two slots with the same highest SEQ -> the higher SQN */
    u.seq_ms[7] = 6;
    u.seq_ms[9] = 6;
    CHECK(rcp_usim_sqn_ms(&u) == mk_sqn(&h.scheme, 6, 9));

    /* ind_bits 0: a single counter */
    rcp_sqn_scheme s0 = h.scheme;
    s0.ind_bits = 0;
    rcp_usim_sqn_init(&u, &s0);
    vector_for_sqn(&h, 10, AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[0] == 10 && rcp_usim_sqn_ms(&u) == 10);
    vector_for_sqn(&h, 9, AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);

    /* ind_bits 8: 256 slots, the last one included */
    rcp_sqn_scheme s8 = h.scheme;
    s8.ind_bits = RCP_AKA_MAX_IND_BITS;
    rcp_usim_sqn_init(&u, &s8);
    vector_for_sqn(&h, mk_sqn(&s8, 1, 255), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[255] == 1 && rcp_usim_sqn_ms(&u) == 0x1ff);
    rcp_milenage_wipe(&h.m);
}

/* Annex C.2: SEQ may run at most delta ahead of the highest SEQ_MS. */
static void test_delta(void)
{
    struct hss h;
    rcp_usim_sqn u;
    rcp_sqn_scheme s;
    rcp_aka_vector v;
    rcp_usim_result r;

    hss_init(&h);
    s = h.scheme;
    s.delta = 16;
    rcp_usim_sqn_init(&u, &s);
    CHECK_OK(rcp_usim_sqn_check(&u, mk_sqn(&s, 16, 0)));                    /* 16 - 0 = delta */
    CHECK_ERR(rcp_usim_sqn_check(&u, mk_sqn(&s, 17, 0)), RCP_ERR_AKA_SYNC); /* beyond */
    vector_for_sqn(&h, mk_sqn(&s, 5, 0), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    /* measured from the highest SEQ_MS over all slots, for every IND */
    vector_for_sqn(&h, mk_sqn(&s, 22, 3), AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);
    vector_for_sqn(&h, mk_sqn(&s, 21, 3), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    CHECK(u.seq_ms[3] == 21);
    /* the default delta, 2^28 */
    rcp_usim_sqn_init(&u, NULL);
    CHECK_OK(rcp_usim_sqn_check(&u, mk_sqn(&u.scheme, UINT64_C(1) << 28, 0)));
    CHECK_ERR(rcp_usim_sqn_check(&u, mk_sqn(&u.scheme, (UINT64_C(1) << 28) + 1, 0)),
              RCP_ERR_AKA_SYNC);
    /* delta 0 switches the check off */
    s.delta = 0;
    rcp_usim_sqn_init(&u, &s);
    CHECK_OK(rcp_usim_sqn_check(&u, RCP_SQN_MAX));
    CHECK_ERR(rcp_usim_sqn_check(&u, RCP_SQN_MAX + 1), RCP_ERR_RANGE);
    rcp_milenage_wipe(&h.m);
}

/* C.2.2: with a limit L, accept only if SEQ_MS - SEQ < L. */
static void test_age_limit(void)
{
    struct hss h;
    rcp_usim_sqn u;
    rcp_sqn_scheme s;
    rcp_aka_vector v;
    rcp_usim_result r;

    hss_init(&h);
    s = h.scheme;
    s.age_limit = 10;
    rcp_usim_sqn_init(&u, &s);
    vector_for_sqn(&h, mk_sqn(&s, 20, 0), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    /* 20 - 11 = 9 < 10: accepted in an unused slot */
    vector_for_sqn(&h, mk_sqn(&s, 11, 1), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    /* 20 - 10 = 10: too old, although slot 2 never saw a SEQ */
    vector_for_sqn(&h, mk_sqn(&s, 10, 2), AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);
    CHECK(u.seq_ms[2] == 0);
    /* without L the same SQN is fine */
    u.scheme.age_limit = 0;
    CHECK_OK(rcp_usim_sqn_check(&u, mk_sqn(&s, 10, 2)));
    u.scheme.age_limit = 10;
    /* a SEQ above the highest is never too old */
    CHECK_OK(rcp_usim_sqn_check(&u, mk_sqn(&s, 21, 2)));
    rcp_milenage_wipe(&h.m);
}

/* TS 33.401 6.1.1: the AMF separation bit. */
static void test_amf_separation(void)
{
    struct hss h;
    rcp_usim_sqn u;
    rcp_aka_vector v;
    rcp_usim_result r;

    hss_init(&h);
    rcp_usim_sqn_init(&u, NULL);
    hss_next_vector(&h, 0, AMF_UMTS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_AMF);
    CHECK(r.sqn == h.sqn_he); /* MAC was good: SQN reported */
    CHECK(r.res_len == 0 && is_zero(r.res, 8) && is_zero(r.ck, 16) && is_zero(r.ik, 16));
    CHECK(is_zero(r.auts, sizeof r.auts));
    /* other AMF bits do not matter, only bit 0 */
    static const uint8_t amf_7fff[2] = {0x7f, 0xff};
    static const uint8_t amf_8001[2] = {0x80, 0x01};
    hss_next_vector(&h, 0, amf_7fff, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_AMF);
    hss_next_vector(&h, 0, amf_8001, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    /* not required (UMTS AKA): accepted */
    u.require_amf_sep = 0;
    hss_next_vector(&h, 0, AMF_UMTS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    rcp_milenage_wipe(&h.m);
}

/* Any flipped AUTN bit is a MAC failure that leaves no trace; the checks
 * come in the order MAC -> AMF -> SQN. */
static void test_forgeries_and_order(void)
{
    struct hss h;
    rcp_usim_sqn u, before;
    rcp_aka_vector v;
    rcp_usim_result r;
    long mac_failures = 0, untouched = 0, zeroed = 0;

    hss_init(&h);
    rcp_usim_sqn_init(&u, NULL);
    hss_next_vector(&h, 4, AMF_EPS, &v);
    memcpy(&before, &u, sizeof before);
    for (int bit = 0; bit < RCP_AUTN_LEN * 8; bit++) {
        uint8_t autn[16];
        memcpy(autn, v.autn, 16);
        autn[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
        memset(&r, 0xa5, sizeof r);
        int ret = rcp_usim_authenticate(&u, &h.m, v.rand, autn, &r);
        mac_failures += ret == RCP_ERR_AKA_MAC;
        untouched += memcmp(&before, &u, sizeof before) == 0;
        zeroed += is_zero(&r, sizeof r);
    }
    CHECK(mac_failures == RCP_AUTN_LEN * 8);
    CHECK(untouched == RCP_AUTN_LEN * 8);
    CHECK(zeroed == RCP_AUTN_LEN * 8);

    /* wrong RAND, wrong K, wrong OPc, other constants: MAC failure */
    uint8_t rand2[16];
    memcpy(rand2, v.rand, 16);
    rand2[0] ^= 0x01;
    CHECK_ERR(rcp_usim_authenticate(&u, &h.m, rand2, v.autn, &r), RCP_ERR_AKA_MAC);
    rcp_milenage other = h.m;
    other.k[15] ^= 0x01;
    CHECK_ERR(rcp_usim_authenticate(&u, &other, v.rand, v.autn, &r), RCP_ERR_AKA_MAC);
    other = h.m;
    other.opc[0] ^= 0x80;
    CHECK_ERR(rcp_usim_authenticate(&u, &other, v.rand, v.autn, &r), RCP_ERR_AKA_MAC);
    other = h.m;
    other.consts.r[0] = 1;
    CHECK_ERR(rcp_usim_authenticate(&u, &other, v.rand, v.autn, &r), RCP_ERR_AKA_MAC);
    CHECK(memcmp(&before, &u, sizeof before) == 0);

    /* order: a forged MAC on an AMF without the separation bit is a MAC
     * failure, not an AMF failure */
    rcp_aka_vector vu;
    vector_for_sqn(&h, mk_sqn(&h.scheme, 9, 0), AMF_UMTS, &vu);
    vu.autn[15] ^= 1;
    CHECK_ERR(usim_run(&u, &h.m, &vu, &r), RCP_ERR_AKA_MAC);
    /* order: a replayed SQN with a bad AMF is an AMF failure, not sync */
    vector_for_sqn(&h, mk_sqn(&h.scheme, 2, 4), AMF_EPS, &v);
    expect_accept(&u, &h.m, &v, h.sn_id);
    vector_for_sqn(&h, mk_sqn(&h.scheme, 2, 4), AMF_UMTS, &vu);
    CHECK_ERR(usim_run(&u, &h.m, &vu, &r), RCP_ERR_AKA_AMF);
    CHECK(is_zero(r.auts, sizeof r.auts));
    /* and with a good AMF the same SQN is a sync failure */
    vector_for_sqn(&h, mk_sqn(&h.scheme, 2, 4), AMF_EPS, &v);
    CHECK_ERR(usim_run(&u, &h.m, &v, &r), RCP_ERR_AKA_SYNC);
    rcp_milenage_wipe(&h.m);
    rcp_milenage_wipe(&other);
}

static void test_errors(void)
{
    struct hss h;
    rcp_usim_sqn u, before;
    rcp_aka_vector v;
    rcp_usim_result r;
    uint8_t rand[16], auts[RCP_AUTS_LEN];
    uint64_t sqn_ms = 0;

    hss_init(&h);
    rcp_usim_sqn_init(&u, NULL);
    fresh_rand(rand);

    /* vector */
    CHECK_ERR(rcp_aka_hss_vector(NULL, rand, 1, AMF_EPS, NULL, &v), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_vector(&h.m, NULL, 1, AMF_EPS, NULL, &v), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_vector(&h.m, rand, 1, NULL, NULL, &v), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_vector(&h.m, rand, 1, AMF_EPS, NULL, NULL), RCP_ERR_INVALID_ARG);
    memset(&v, 0xa5, sizeof v);
    CHECK_ERR(rcp_aka_hss_vector(&h.m, rand, RCP_SQN_MAX + 1, AMF_EPS, NULL, &v), RCP_ERR_RANGE);
    CHECK(is_zero(&v, sizeof v)); /* nothing half-written */
    CHECK_OK(rcp_aka_hss_vector(&h.m, rand, RCP_SQN_MAX, AMF_EPS, h.sn_id, &v));
    rcp_milenage bad = h.m;
    bad.consts.r[2] = 200;
    CHECK_ERR(rcp_aka_hss_vector(&bad, rand, 1, AMF_EPS, NULL, &v), RCP_ERR_RANGE);

    /* resync */
    CHECK_OK(rcp_aka_make_auts(&h.m, rand, 5, auts));
    CHECK_ERR(rcp_aka_hss_resync(NULL, rand, auts, &sqn_ms), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_resync(&h.m, NULL, auts, &sqn_ms), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_resync(&h.m, rand, NULL, &sqn_ms), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_resync(&h.m, rand, auts, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_hss_resync(&bad, rand, auts, &sqn_ms), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_make_auts(NULL, rand, 5, auts), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_make_auts(&h.m, NULL, 5, auts), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_make_auts(&h.m, rand, 5, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aka_make_auts(&h.m, rand, RCP_SQN_MAX + 1, auts), RCP_ERR_RANGE);
    CHECK_ERR(rcp_aka_make_auts(&bad, rand, 5, auts), RCP_ERR_RANGE);

    /* USIM */
    vector_for_sqn(&h, mk_sqn(&h.scheme, 1, 0), AMF_EPS, &v);
    memcpy(&before, &u, sizeof before);
    CHECK_ERR(rcp_usim_authenticate(NULL, &h.m, v.rand, v.autn, &r), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_usim_authenticate(&u, NULL, v.rand, v.autn, &r), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_usim_authenticate(&u, &h.m, NULL, v.autn, &r), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_usim_authenticate(&u, &h.m, v.rand, NULL, &r), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_usim_authenticate(&u, &h.m, v.rand, v.autn, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_usim_authenticate(&u, &bad, v.rand, v.autn, &r), RCP_ERR_RANGE);
    CHECK(is_zero(&r, sizeof r));
    u.scheme.ind_bits = RCP_AKA_MAX_IND_BITS + 1;
    memcpy(&before, &u, sizeof before);
    CHECK_ERR(rcp_usim_authenticate(&u, &h.m, v.rand, v.autn, &r), RCP_ERR_INVALID_ARG);
    CHECK(memcmp(&before, &u, sizeof before) == 0);
    CHECK_ERR(rcp_usim_sqn_check(&u, 1), RCP_ERR_INVALID_ARG);
    CHECK(rcp_usim_sqn_ms(&u) == 0);
    u.scheme.ind_bits = 5;
    CHECK_ERR(rcp_usim_sqn_check(NULL, 1), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_usim_sqn_check(&u, RCP_SQN_MAX + 1), RCP_ERR_RANGE);
    CHECK(rcp_usim_sqn_ms(NULL) == 0);
    rcp_usim_sqn_init(NULL, NULL); /* must not crash */
    /* after all that, the genuine vector is still accepted */
    expect_accept(&u, &h.m, &v, h.sn_id);
    rcp_milenage_wipe(&h.m);
    rcp_milenage_wipe(&bad);
}

int main(void)
{
    static const uint8_t seed[] = "rcprov test_aka deterministic RAND";
    if (rcp_drbg_init(&g_drbg, seed, sizeof seed - 1) != 0)
        return 2;
    test_scheme_and_sqn_next();
    test_end_to_end();
    test_resync_resets();
    test_auts();
    test_ind_slots();
    test_delta();
    test_age_limit();
    test_amf_separation();
    test_forgeries_and_order();
    test_errors();
    rcp_drbg_wipe(&g_drbg);
    return rcp_t_done("test_aka");
}
