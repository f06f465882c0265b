/*
 * MILENAGE known-answer tests: every test set of TS 35.207 (implementers'
 * data) and TS 35.208 (conformance data), all 13 fields each.
 *
 * Per set: OPc from OP; f1, f1*, f2, f3, f4, f5, f5* through the one-shot
 * functions and again through one session; then the same data through the
 * AKA layer (vector, USIM acceptance, AUTS and resynchronisation).
 */
#include <string.h>

#include "harness.h"
#include "rcprov/aka.h"
#include "rcprov/bytes.h"
#include "rcprov/milenage.h"

struct mil_set {
    uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
    uint8_t f1[8], f1star[8], f2[8], f3[16], f4[16], f5[6], f5star[6];
};

static void load_set(const json_t *t, struct mil_set *s)
{
    CHECK(rcp_t_hex(t, "K", s->k, sizeof s->k) == sizeof s->k);
    CHECK(rcp_t_hex(t, "RAND", s->rand, sizeof s->rand) == sizeof s->rand);
    CHECK(rcp_t_hex(t, "SQN", s->sqn, sizeof s->sqn) == sizeof s->sqn);
    CHECK(rcp_t_hex(t, "AMF", s->amf, sizeof s->amf) == sizeof s->amf);
    CHECK(rcp_t_hex(t, "OP", s->op, sizeof s->op) == sizeof s->op);
    CHECK(rcp_t_hex(t, "OPc", s->opc, sizeof s->opc) == sizeof s->opc);
    CHECK(rcp_t_hex(t, "f1", s->f1, sizeof s->f1) == sizeof s->f1);
    CHECK(rcp_t_hex(t, "f1star", s->f1star, sizeof s->f1star) == sizeof s->f1star);
    CHECK(rcp_t_hex(t, "f2", s->f2, sizeof s->f2) == sizeof s->f2);
    CHECK(rcp_t_hex(t, "f3", s->f3, sizeof s->f3) == sizeof s->f3);
    CHECK(rcp_t_hex(t, "f4", s->f4, sizeof s->f4) == sizeof s->f4);
    CHECK(rcp_t_hex(t, "f5", s->f5, sizeof s->f5) == sizeof s->f5);
    CHECK(rcp_t_hex(t, "f5star", s->f5star, sizeof s->f5star) == sizeof s->f5star);
}

/* The thirteen fields through the Milenage API. */
static void check_functions(const struct mil_set *s)
{
    uint8_t opc[16], mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];
    rcp_milenage m;
    rcp_milenage_session ses;

    CHECK_OK(rcp_milenage_opc(s->k, s->op, opc));
    CHECK_MEM(opc, s->opc, 16);
    rcp_milenage_init(&m, s->k, opc, NULL);
    CHECK_OK(rcp_milenage_f1(&m, s->rand, s->sqn, s->amf, mac_a, mac_s));
    CHECK_MEM(mac_a, s->f1, 8);
    CHECK_MEM(mac_s, s->f1star, 8);
    CHECK_OK(rcp_milenage_f2345(&m, s->rand, res, ck, ik, ak));
    CHECK_MEM(res, s->f2, 8);
    CHECK_MEM(ck, s->f3, 16);
    CHECK_MEM(ik, s->f4, 16);
    CHECK_MEM(ak, s->f5, 6);
    CHECK_OK(rcp_milenage_f5star(&m, s->rand, ak_star));
    CHECK_MEM(ak_star, s->f5star, 6);

    memset(mac_a, 0, 8);
    memset(mac_s, 0, 8);
    memset(res, 0, 8);
    memset(ck, 0, 16);
    memset(ik, 0, 16);
    memset(ak, 0, 6);
    memset(ak_star, 0, 6);
    CHECK_OK(rcp_milenage_session_begin(&ses, &m, s->rand));
    CHECK_OK(rcp_milenage_session_f1(&ses, s->sqn, s->amf, mac_a, mac_s));
    CHECK_OK(rcp_milenage_session_f2345(&ses, res, ck, ik, ak));
    CHECK_OK(rcp_milenage_session_f5star(&ses, ak_star));
    rcp_milenage_session_end(&ses);
    CHECK_MEM(mac_a, s->f1, 8);
    CHECK_MEM(mac_s, s->f1star, 8);
    CHECK_MEM(res, s->f2, 8);
    CHECK_MEM(ck, s->f3, 16);
    CHECK_MEM(ik, s->f4, 16);
    CHECK_MEM(ak, s->f5, 6);
    CHECK_MEM(ak_star, s->f5star, 6);
    rcp_milenage_wipe(&m);
}

/* The same data seen by AKA: AUTN = (SQN xor f5) || AMF || f1 (TS 33.102
 * 6.3.2), a fresh USIM accepts it and answers f2/f3/f4, and AUTS carries
 * SQN_MS under f5* and verifies at the HSS. */
static void check_aka(const struct mil_set *s)
{
    rcp_milenage m;
    rcp_aka_vector v;
    rcp_usim_sqn u;
    rcp_usim_result r;
    rcp_sqn_scheme scheme;
    uint8_t autn[16], auts[RCP_AUTS_LEN], sqn_ms_b[6];
    uint64_t sqn = rcp_be48_get(s->sqn), sqn_ms = 0;

    rcp_milenage_init(&m, s->k, s->opc, NULL);
    CHECK_OK(rcp_aka_hss_vector(&m, s->rand, sqn, s->amf, NULL, &v));
    rcp_xor(autn, s->sqn, s->f5, 6);
    memcpy(autn + 6, s->amf, 2);
    memcpy(autn + 8, s->f1, 8);
    CHECK_MEM(v.autn, autn, 16);
    CHECK_MEM(v.rand, s->rand, 16);
    CHECK(v.xres_len == 8);
    CHECK_MEM(v.xres, s->f2, 8);
    CHECK_MEM(v.ck, s->f3, 16);
    CHECK_MEM(v.ik, s->f4, 16);

    /* a fresh USIM: the test SQNs are far from zero, so no delta here, and
     * the test AMFs are arbitrary, so no separation bit either */
    rcp_sqn_scheme_default(&scheme);
    scheme.delta = 0;
    rcp_usim_sqn_init(&u, &scheme);
    u.require_amf_sep = 0;
    CHECK_OK(rcp_usim_authenticate(&u, &m, s->rand, autn, &r));
    CHECK(r.sqn == sqn);
    CHECK(r.res_len == 8);
    CHECK_MEM(r.res, s->f2, 8);
    CHECK_MEM(r.ck, s->f3, 16);
    CHECK_MEM(r.ik, s->f4, 16);
    CHECK(rcp_usim_sqn_ms(&u) == sqn);

    /* the same AUTN again is a replay: AUTS with SQN_MS = this SQN */
    CHECK_ERR(rcp_usim_authenticate(&u, &m, s->rand, autn, &r), RCP_ERR_AKA_SYNC);
    rcp_xor(sqn_ms_b, r.auts, s->f5star, 6); /* AUTS[0..5] = SQN_MS xor f5* */
    CHECK_MEM(sqn_ms_b, s->sqn, 6);
    CHECK_OK(rcp_aka_make_auts(&m, s->rand, sqn, auts));
    CHECK_MEM(auts, r.auts, RCP_AUTS_LEN);
    CHECK_OK(rcp_aka_hss_resync(&m, s->rand, r.auts, &sqn_ms));
    CHECK(sqn_ms == sqn);
    rcp_milenage_wipe(&m);
}

/* want_sets: the number of test sets the document defines (a truncated
 * vector file is a failure, not a smaller pass). */
static void run_file(const char *file, long want_sets)
{
    json_t *root = rcp_t_load_json(file);
    const json_t *sets = json_object_get(root, "test_sets");
    size_t i;
    const json_t *t;
    long cases = 0;

    CHECK(json_is_array(sets) && json_array_size(sets) > 0);
    rcp_t_file_begin(file);
    json_array_foreach(sets, i, t)
    {
        struct mil_set s;
        CHECK(rcp_t_int(t, "test_set") == (long long)i + 1);
        load_set(t, &s);
        check_functions(&s);
        check_aka(&s);
        rcp_wipe(&s, sizeof s);
        cases++;
    }
    CHECK(cases == want_sets);
    rcp_t_file_end(cases);
    json_decref(root);
}

/* RFC 5448 App. C cases 1 and 2 (an IETF publication) use the subscriber,
 * RAND, SQN and AMF of TS 35.208 test set 19: their RAND, AUTN, RES, CK and
 * IK must be what set 19 of the vector file gives. */
static void check_rfc5448_set19(void)
{
    json_t *mil = rcp_t_load_json("milenage_ts35208.json");
    json_t *kdf = rcp_t_load_json("kdf_3gpp.json");
    const json_t *set19 = json_array_get(json_object_get(mil, "test_sets"), 18);
    const json_t *tests =
        json_object_get(json_object_get(kdf, "rfc5448_ck_prime_ik_prime"), "tests");
    struct mil_set s;
    rcp_milenage m;
    rcp_aka_vector v;
    long cases = 0;

    rcp_t_file_begin("kdf_3gpp.json RFC 5448 cases 1-2 vs TS 35.208 set 19");
    CHECK(set19 != NULL && rcp_t_int(set19, "test_set") == 19);
    load_set(set19, &s);
    rcp_milenage_init(&m, s.k, s.opc, NULL);
    CHECK_OK(rcp_aka_hss_vector(&m, s.rand, rcp_be48_get(s.sqn), s.amf, NULL, &v));
    for (size_t i = 0; i < 2; i++) {
        const json_t *t = json_array_get(tests, i);
        uint8_t rand[16], autn[16], res[8], ck[16], ik[16];
        CHECK(t != NULL && rcp_t_int(t, "case") == (long long)i + 1);
        CHECK(rcp_t_hex(t, "RAND", rand, sizeof rand) == 16);
        CHECK(rcp_t_hex(t, "AUTN", autn, sizeof autn) == 16);
        CHECK(rcp_t_hex(t, "RES", res, sizeof res) == 8);
        CHECK(rcp_t_hex(t, "CK", ck, sizeof ck) == 16);
        CHECK(rcp_t_hex(t, "IK", ik, sizeof ik) == 16);
        CHECK_MEM(v.rand, rand, 16);
        CHECK_MEM(v.autn, autn, 16);
        CHECK_MEM(v.xres, res, 8);
        CHECK_MEM(v.ck, ck, 16);
        CHECK_MEM(v.ik, ik, 16);
        cases++;
    }
    rcp_t_file_end(cases);
    rcp_milenage_wipe(&m);
    json_decref(mil);
    json_decref(kdf);
}

int main(void)
{
    run_file("milenage_ts35207.json", 6);  /* TS 35.207 4.3: test sets 1..6 */
    run_file("milenage_ts35208.json", 20); /* TS 35.208 4.3: test sets 1..20 */
    check_rfc5448_set19();
    return rcp_t_done("kat_milenage");
}
