/* Milenage unit tests: non-default r/c constants (expected values from the
 * independent Python reference tests/tools/milenage_ref.py), the session API,
 * optional outputs and every error path. */
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/milenage.h"

/* Inputs with operator-chosen r1..r5 / c1..c5 and the outputs the reference
 * computes for them.  The first three rows are edge cases (all-zero r and c;
 * rotations 1, 127 and odd values; multiples of 8 other than the defaults
 * with all-ones c), the rest random. */
struct consts_case {
    const char *k, *opc;
    const char *rand, *sqn, *amf;
    unsigned r[5];
    const char *c[5];
    const char *mac_a, *mac_s, *res;
    const char *ck;
    const char *ik;
    const char *ak, *ak_star;
};

static const struct consts_case consts_cases[] = {
    /* generated: tests/tools/milenage_ref.py consts --count 5 --seed 20240601 */
    {
        "1e746b79c84295ebda3c6c5133f46f88",
        "60da135bf96ae44ad3da9182560c20a5",
        "e1b4964020e6f283e64f96b08d13e0e0",
        "a7a65e420b69",
        "ff94",
        {0, 0, 0, 0, 0},
        {"00000000000000000000000000000000", "00000000000000000000000000000000",
         "00000000000000000000000000000000", "00000000000000000000000000000000",
         "00000000000000000000000000000000"},
        "4e2d90e6bb0eec6d",
        "e7977cdaa5d387e0",
        "ea11db293396c70a",
        "2f49ab9536e441d9ea11db293396c70a",
        "2f49ab9536e441d9ea11db293396c70a",
        "2f49ab9536e4",
        "2f49ab9536e4",
    },
    {
        "1b40506ec50410353a609b6a78af8932",
        "ef5117dc6dedcf3a89ab3fc946a8c1c8",
        "9e62d76b7dd2c8d5622d261054b3fdef",
        "8cd6616940f4",
        "bb57",
        {1, 127, 7, 9, 120},
        {"9713b93662cb43003a5f9ccdad9a6f2d", "9e8c1878d5464ac5248fcff28cc334f4",
         "52bd78ee9ff29d16769799bacbebb741", "670c22f05c9cb0ad168afe5e7d671459",
         "ef5ead0be38a95e0cc64498c8ee93884"},
        "c7e64fda6ce9b104",
        "9667d9e25c61e4c3",
        "95347f6350c1aebf",
        "f87e89ee0f1d26fb2d040d9e5abf1781",
        "0272923e7c00308739c2e9d77797d43e",
        "b78a1aa84e99",
        "8b27d0b4f738",
    },
    {
        "320eda654556714d77a21cf2d003bd08",
        "477d220b171581fa74d08ea7f91435a1",
        "ac765dfe87a7585d8822e624a363f404",
        "937e1d8c7834",
        "5a8b",
        {8, 16, 24, 40, 120},
        {"ffffffffffffffffffffffffffffffff", "ffffffffffffffffffffffffffffffff",
         "ffffffffffffffffffffffffffffffff", "ffffffffffffffffffffffffffffffff",
         "ffffffffffffffffffffffffffffffff"},
        "d682de67889e86e9",
        "1f70b5c60a4c4609",
        "50deb376f9e62eda",
        "a544271f038ec959f62ce70862191aef",
        "13a5a515b36749c18c5a733077ae217e",
        "9e1d43cfb40a",
        "1ebf75aa9b92",
    },
    {
        "baf6c2e699cf500ef8d025712c5bccf6",
        "1909b38f381829dead1d2f638f4995f6",
        "a187e64ce2385ef1752952e607fafbc4",
        "2a3f909eca8f",
        "6c2d",
        {100, 54, 67, 79, 100},
        {"8fc7aa86136b14bfae1591f09e1e266c", "c79ef1335c080031c76ca69148cb821c",
         "819a4670fb12493a5bc0fd0271ea75ec", "9729d0724e79c5f9e7c228f16a13ffc1",
         "7f89361a37d88a4792d5907cac3cab0a"},
        "6753a7a2b5561341",
        "33c5953bcde6c06f",
        "1f6b8db7c963b3ae",
        "ccb8a4e653a6bd5e060fda68963575c2",
        "18b8e66f987a58bba1de94bc52c38423",
        "7437e9e5ac11",
        "b8a5b46ab9f8",
    },
    {
        "72a447d775a4c5519751ecc79d12274e",
        "a23129b6e4a996398ae61555a832b1dd",
        "6f3bba04d970b9a8f099e365e838c379",
        "85b42d6205be",
        "0dbe",
        {120, 66, 78, 78, 48},
        {"b5ed4573bd3854589bbd06a7ea6e4c96", "cd985ec71615c89b4e78cabefde2c389",
         "53ff17a6e35fb4ed7d3dce6beb890ed2", "a09d47d9d11bfcc8ef0b3463827103e2",
         "2e3f5b04d9319ea5974bec8ddaa30637"},
        "9b0611411de57578",
        "9d5656778e964e44",
        "b664775368131747",
        "de9b49c9d8fff9a44c991144b674049b",
        "93eaef7955ef3ce94659c2efb757e003",
        "d79845f9bc48",
        "9bed3cc3c701",
    },
    {
        "0ddf4bfbf8cac472528ec5f319280521",
        "3c9a0f567b8f45b9041dc694758e21cb",
        "7bd4b9899bce687e1d508de7f40a9509",
        "7da2a4b0a5eb",
        "2ba2",
        {73, 4, 106, 57, 47},
        {"619979d68056c8656f95abaa3d86d63c", "3e2fb6fafc72c9288336aed053dbb690",
         "cf8fbff984aa41b389b49f0fd950fef2", "7220b3b4bdc8e8a8aeb40eb897e1fb07",
         "7bb3520a56e5597c4d38a6625b620680"},
        "e81deae2030631f8",
        "daa5b3eb5f0f3df7",
        "263a4b26df11828c",
        "0d1759b6e5e1388d461430c108f7df48",
        "8ca3f59078748ae849287690614e628b",
        "5f0a873f2872",
        "69ddf143a5dd",
    },
    {
        "cb7641e2489b45baee2f046cd691bdcc",
        "0a53dc61df80884c6cca6294db78a2c6",
        "2b45a830d2a84df4be872785791236ae",
        "3c8b554c2ff3",
        "edcc",
        {115, 94, 100, 59, 95},
        {"f6e1c9faf6ecaa2087d1fbf51c02973e", "02aece82e920057f037bec8bac964a9c",
         "8fcdd013edc4e3abbef25b58e9417fd8", "1d0c8a7e1e8a1efd67afd069f0951fd2",
         "9da8574f514fcd727ee10427467d0ae3"},
        "d44885d2d0282049",
        "1b9cb32245463b84",
        "fe253975c75cf99c",
        "2ce52e88a2c96e97ba2c668cc9457938",
        "e0eb82fa3526287ba1d883227903a774",
        "93e81af6bcaa",
        "8d95ec2134c8",
    },
    {
        "9ef70a0def654017f2d637dccf53f041",
        "c6952de9dbd861e14a5b59911bb0834a",
        "c42c84cf68cb1b6e3c6195d32736d949",
        "3d3f3c7d0f99",
        "e7af",
        {125, 34, 18, 32, 115},
        {"213a807ee8a5c06c26e0e6e18fdfe267", "50431765de3eb48751fcb8151a06da06",
         "fdcecb137aa9c5d7a01af928d9909ef2", "5b5fdb1db7f5285b926e772c465a9eb5",
         "50d9cbd09aa133d13cc165486b1721d4"},
        "ccf4c5f1e23e79c3",
        "d4a35b4500f904d9",
        "dad0abb79fcd3e9a",
        "046a0692be676931af8fa2d6688d49c7",
        "8d63ae528dcfcd744b635d0dbf0bd8e4",
        "e776088224cb",
        "c1441a5ed71e",
    },
};

#define N_CONSTS_CASES (sizeof consts_cases / sizeof consts_cases[0])

/* TS 35.207 test set 1 (also TS 35.208 4.3.1), used where any valid
 * subscriber will do. */
static const char *const SET1_K = "465b5ce8b199b49faa5f0a2ee238a6bc";
static const char *const SET1_OP = "cdc202d5123e20f62b6d676ac72cb318";
static const char *const SET1_OPC = "cd63cb71954a9f4e48a5994e37a02baf";
static const char *const SET1_RAND = "23553cbe9637a89d218ae64dae47bf35";
static const char *const SET1_SQN = "ff9bb4d0b607";
static const char *const SET1_AMF = "b9b9";
static const char *const SET1_F1 = "4a9ffac354dfafb3";
static const char *const SET1_F1STAR = "01cfaf9ec4e871e9";
static const char *const SET1_F2 = "a54211d5e3ba50bf";
static const char *const SET1_F3 = "b40ba9a3c58b2a05bbf0d987b21bf8cb";
static const char *const SET1_F4 = "f769bcd751044604127672711c6d3441";
static const char *const SET1_F5 = "aa689c648370";
static const char *const SET1_F5STAR = "451e8beca43b";

static void hex16(const char *h, uint8_t out[16])
{
    CHECK(rcp_t_hex_str(h, out, 16) == 16);
}

static void set1_milenage(rcp_milenage *m)
{
    uint8_t k[16], opc[16];
    hex16(SET1_K, k);
    hex16(SET1_OPC, opc);
    rcp_milenage_init(m, k, opc, NULL);
}

static void test_default_consts(void)
{
    rcp_milenage_consts c;
    static const uint8_t want_r[5] = {64, 0, 32, 64, 96};
    static const uint8_t want_last[5] = {0, 1, 2, 4, 8};
    memset(&c, 0xa5, sizeof c);
    rcp_milenage_consts_default(&c);
    CHECK_MEM(c.r, want_r, 5);
    for (int i = 0; i < 5; i++) {
        uint8_t want[16] = {0};
        want[15] = want_last[i];
        CHECK_MEM(c.c[i], want, 16);
    }
    rcp_milenage_consts_default(NULL); /* must not crash */

    /* init with NULL consts and with explicit defaults: identical structs */
    rcp_milenage a, b;
    uint8_t k[16], opc[16];
    hex16(SET1_K, k);
    hex16(SET1_OPC, opc);
    memset(&a, 0x11, sizeof a);
    memset(&b, 0x22, sizeof b);
    rcp_milenage_init(&a, k, opc, NULL);
    rcp_milenage_init(&b, k, opc, &c);
    CHECK_MEM(&a, &b, sizeof a);
    CHECK_MEM(a.k, k, 16);
    CHECK_MEM(a.opc, opc, 16);
    rcp_milenage_wipe(&a);
    uint8_t zero[sizeof a];
    memset(zero, 0, sizeof zero);
    CHECK_MEM(&a, zero, sizeof a);
    rcp_milenage_wipe(NULL);
    rcp_milenage_init(NULL, k, opc, NULL); /* must not crash */
}

static void test_nondefault_consts(void)
{
    for (size_t i = 0; i < N_CONSTS_CASES; i++) {
        const struct consts_case *t = &consts_cases[i];
        uint8_t k[16], opc[16], rand[16], sqn[6], amf[2];
        uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];
        uint8_t w8[8], w16[16], w6[6];
        rcp_milenage_consts c;
        rcp_milenage m;

        hex16(t->k, k);
        hex16(t->opc, opc);
        hex16(t->rand, rand);
        CHECK(rcp_t_hex_str(t->sqn, sqn, 6) == 6);
        CHECK(rcp_t_hex_str(t->amf, amf, 2) == 2);
        for (int j = 0; j < 5; j++) {
            c.r[j] = (uint8_t)t->r[j];
            hex16(t->c[j], c.c[j]);
        }
        rcp_milenage_init(&m, k, opc, &c);
        CHECK_OK(rcp_milenage_f1(&m, rand, sqn, amf, mac_a, mac_s));
        CHECK_OK(rcp_milenage_f2345(&m, rand, res, ck, ik, ak));
        CHECK_OK(rcp_milenage_f5star(&m, rand, ak_star));
        rcp_t_hex_str(t->mac_a, w8, 8);
        CHECK_MEM(mac_a, w8, 8);
        rcp_t_hex_str(t->mac_s, w8, 8);
        CHECK_MEM(mac_s, w8, 8);
        rcp_t_hex_str(t->res, w8, 8);
        CHECK_MEM(res, w8, 8);
        rcp_t_hex_str(t->ck, w16, 16);
        CHECK_MEM(ck, w16, 16);
        rcp_t_hex_str(t->ik, w16, 16);
        CHECK_MEM(ik, w16, 16);
        rcp_t_hex_str(t->ak, w6, 6);
        CHECK_MEM(ak, w6, 6);
        rcp_t_hex_str(t->ak_star, w6, 6);
        CHECK_MEM(ak_star, w6, 6);

        /* The constants matter: with the defaults the outputs differ. */
        rcp_milenage d;
        uint8_t dres[8];
        rcp_milenage_init(&d, k, opc, NULL);
        CHECK_OK(rcp_milenage_f2345(&d, rand, dres, NULL, NULL, NULL));
        CHECK(memcmp(dres, res, 8) != 0);
        rcp_milenage_wipe(&m);
        rcp_milenage_wipe(&d);
    }
}

/* Every r value 0..127 in every position gives a result distinct from its
 * neighbours (a rotation implementation that ignores the low three bits,
 * or the high ones, would repeat outputs). */
static void test_every_rotation(void)
{
    rcp_milenage m;
    uint8_t rand[16], sqn[6], amf[2];
    uint8_t prev[5][8], cur[5][8];
    long distinct = 0;

    set1_milenage(&m);
    hex16(SET1_RAND, rand);
    rcp_t_hex_str(SET1_SQN, sqn, 6);
    rcp_t_hex_str(SET1_AMF, amf, 2);
    for (unsigned r = 0; r <= RCP_MIL_ROT_MAX; r++) {
        for (int j = 0; j < 5; j++)
            m.consts.r[j] = (uint8_t)r;
        uint8_t ck[16], ik[16], ak_star[6];
        CHECK_OK(rcp_milenage_f1(&m, rand, sqn, amf, cur[0], NULL));
        CHECK_OK(rcp_milenage_f2345(&m, rand, cur[1], ck, ik, NULL));
        CHECK_OK(rcp_milenage_f5star(&m, rand, ak_star));
        memcpy(cur[2], ck, 8);
        memcpy(cur[3], ik, 8);
        memcpy(cur[4], ak_star, 6);
        memset(cur[4] + 6, 0, 2);
        if (r > 0) {
            for (int j = 0; j < 5; j++)
                distinct += memcmp(prev[j], cur[j], 8) != 0;
        }
        memcpy(prev, cur, sizeof prev);
    }
    CHECK(distinct == 5 * RCP_MIL_ROT_MAX);
    rcp_milenage_wipe(&m);
}

static void test_optional_outputs_and_session(void)
{
    rcp_milenage m;
    uint8_t rand[16], sqn[6], amf[2];
    uint8_t w8[8], w16[16], w6[6];
    uint8_t a8[8], b8[8], c16[16], d16[16], e6[6], f6[6];

    set1_milenage(&m);
    hex16(SET1_RAND, rand);
    rcp_t_hex_str(SET1_SQN, sqn, 6);
    rcp_t_hex_str(SET1_AMF, amf, 2);

    /* each output alone, others NULL */
    CHECK_OK(rcp_milenage_f1(&m, rand, sqn, amf, a8, NULL));
    rcp_t_hex_str(SET1_F1, w8, 8);
    CHECK_MEM(a8, w8, 8);
    CHECK_OK(rcp_milenage_f1(&m, rand, sqn, amf, NULL, b8));
    rcp_t_hex_str(SET1_F1STAR, w8, 8);
    CHECK_MEM(b8, w8, 8);
    CHECK_OK(rcp_milenage_f1(&m, rand, sqn, amf, NULL, NULL));
    CHECK_OK(rcp_milenage_f2345(&m, rand, a8, NULL, NULL, NULL));
    rcp_t_hex_str(SET1_F2, w8, 8);
    CHECK_MEM(a8, w8, 8);
    CHECK_OK(rcp_milenage_f2345(&m, rand, NULL, c16, NULL, NULL));
    rcp_t_hex_str(SET1_F3, w16, 16);
    CHECK_MEM(c16, w16, 16);
    CHECK_OK(rcp_milenage_f2345(&m, rand, NULL, NULL, d16, NULL));
    rcp_t_hex_str(SET1_F4, w16, 16);
    CHECK_MEM(d16, w16, 16);
    CHECK_OK(rcp_milenage_f2345(&m, rand, NULL, NULL, NULL, e6));
    rcp_t_hex_str(SET1_F5, w6, 6);
    CHECK_MEM(e6, w6, 6);
    CHECK_OK(rcp_milenage_f2345(&m, rand, NULL, NULL, NULL, NULL));

    /* one session, every function, same answers; order does not matter */
    rcp_milenage_session s;
    CHECK_OK(rcp_milenage_session_begin(&s, &m, rand));
    rcp_milenage_wipe(&m); /* the session keeps its own copy */
    CHECK_OK(rcp_milenage_session_f5star(&s, f6));
    rcp_t_hex_str(SET1_F5STAR, w6, 6);
    CHECK_MEM(f6, w6, 6);
    CHECK_OK(rcp_milenage_session_f2345(&s, a8, c16, d16, e6));
    rcp_t_hex_str(SET1_F2, w8, 8);
    CHECK_MEM(a8, w8, 8);
    rcp_t_hex_str(SET1_F3, w16, 16);
    CHECK_MEM(c16, w16, 16);
    rcp_t_hex_str(SET1_F4, w16, 16);
    CHECK_MEM(d16, w16, 16);
    rcp_t_hex_str(SET1_F5, w6, 6);
    CHECK_MEM(e6, w6, 6);
    CHECK_OK(rcp_milenage_session_f1(&s, sqn, amf, a8, b8));
    rcp_t_hex_str(SET1_F1, w8, 8);
    CHECK_MEM(a8, w8, 8);
    rcp_t_hex_str(SET1_F1STAR, w8, 8);
    CHECK_MEM(b8, w8, 8);
    rcp_milenage_session_end(&s);
    /* ended: key schedule gone, secrets wiped, further use is a state error */
    CHECK(s.aes == NULL);
    uint8_t zero16[16] = {0};
    CHECK_MEM(s.temp, zero16, 16);
    CHECK_MEM(s.opc, zero16, 16);
    CHECK_ERR(rcp_milenage_session_f1(&s, sqn, amf, a8, b8), RCP_ERR_STATE);
    CHECK_ERR(rcp_milenage_session_f2345(&s, a8, NULL, NULL, NULL), RCP_ERR_STATE);
    CHECK_ERR(rcp_milenage_session_f5star(&s, f6), RCP_ERR_STATE);
    rcp_milenage_session_end(&s); /* twice is harmless */
    rcp_milenage_session_end(NULL);
}

static void test_opc(void)
{
    uint8_t k[16], op[16], opc[16], want[16];
    hex16(SET1_K, k);
    hex16(SET1_OP, op);
    hex16(SET1_OPC, want);
    CHECK_OK(rcp_milenage_opc(k, op, opc));
    CHECK_MEM(opc, want, 16);
    /* in place: opc may alias op */
    CHECK_OK(rcp_milenage_opc(k, op, op));
    CHECK_MEM(op, want, 16);
    CHECK_ERR(rcp_milenage_opc(NULL, op, opc), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_opc(k, NULL, opc), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_opc(k, op, NULL), RCP_ERR_INVALID_ARG);
}

static void test_errors(void)
{
    rcp_milenage m;
    uint8_t rand[16], sqn[6], amf[2], o8[8], o16[16], o6[6];
    rcp_milenage_session s;

    set1_milenage(&m);
    hex16(SET1_RAND, rand);
    rcp_t_hex_str(SET1_SQN, sqn, 6);
    rcp_t_hex_str(SET1_AMF, amf, 2);

    CHECK_ERR(rcp_milenage_f1(NULL, rand, sqn, amf, o8, o8), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f1(&m, NULL, sqn, amf, o8, o8), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f1(&m, rand, NULL, amf, o8, o8), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f1(&m, rand, sqn, NULL, o8, o8), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f2345(NULL, rand, o8, o16, o16, o6), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f2345(&m, NULL, o8, o16, o16, o6), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f5star(NULL, rand, o6), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f5star(&m, NULL, o6), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_f5star(&m, rand, NULL), RCP_ERR_INVALID_ARG);

    CHECK_ERR(rcp_milenage_session_begin(NULL, &m, rand), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_session_begin(&s, NULL, rand), RCP_ERR_INVALID_ARG);
    CHECK(s.aes == NULL);
    CHECK_ERR(rcp_milenage_session_begin(&s, &m, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_session_f1(NULL, sqn, amf, o8, o8), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_session_f2345(NULL, o8, o16, o16, o6), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_session_f5star(NULL, o6), RCP_ERR_INVALID_ARG);
    CHECK_OK(rcp_milenage_session_begin(&s, &m, rand));
    CHECK_ERR(rcp_milenage_session_f1(&s, NULL, amf, o8, o8), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_session_f1(&s, sqn, NULL, o8, o8), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_milenage_session_f5star(&s, NULL), RCP_ERR_INVALID_ARG);
    rcp_milenage_session_end(&s);

    /* every r position above 127 is refused, by every entry point */
    for (int j = 0; j < 5; j++) {
        rcp_milenage bad = m;
        bad.consts.r[j] = RCP_MIL_ROT_MAX + 1;
        CHECK_ERR(rcp_milenage_f1(&bad, rand, sqn, amf, o8, o8), RCP_ERR_RANGE);
        CHECK_ERR(rcp_milenage_f2345(&bad, rand, o8, o16, o16, o6), RCP_ERR_RANGE);
        CHECK_ERR(rcp_milenage_f5star(&bad, rand, o6), RCP_ERR_RANGE);
        CHECK_ERR(rcp_milenage_session_begin(&s, &bad, rand), RCP_ERR_RANGE);
        CHECK(s.aes == NULL); /* a failed begin leaves an ended session */
        bad.consts.r[j] = 255;
        CHECK_ERR(rcp_milenage_f2345(&bad, rand, o8, NULL, NULL, NULL), RCP_ERR_RANGE);
        rcp_milenage_wipe(&bad);
    }
    rcp_milenage_wipe(&m);
}

int main(void)
{
    test_default_consts();
    test_nondefault_consts();
    test_every_rotation();
    test_optional_outputs_and_session();
    test_opc();
    test_errors();
    return rcp_t_done("test_milenage");
}
