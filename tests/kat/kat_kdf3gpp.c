/*
 * 3GPP KDF known-answer tests (tests/vectors/kdf_3gpp.json):
 *  - RFC 5448 App. C CK'/IK' cases through rcp_kdf_3gpp with FC 0x20;
 *  - every EPS regression vector through rcp_kdf_3gpp and, where rcprov has
 *    a function for that key (KASME, algorithm keys, KeNB), through it too.
 * Then the PLMN encoding and the error paths of the KDF layer.
 */
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/crypto.h"
#include "rcprov/kdf3gpp.h"

#define MAX_P 4
#define MAX_P_LEN 64
#define AUTN_SQN_XOR_AK_LEN 6

static long run_rfc5448(const json_t *root)
{
    const json_t *sec = json_object_get(root, "rfc5448_ck_prime_ik_prime");
    const json_t *tests = json_object_get(sec, "tests");
    size_t i;
    const json_t *t;
    long cases = 0;

    CHECK(json_is_array(tests) && json_array_size(tests) > 0);
    json_array_foreach(tests, i, t)
    {
        uint8_t ck[16], ik[16], autn[16], name[MAX_P_LEN], key[32], want_key[32];
        uint8_t ck_p[16], ik_p[16], out[RCP_KDF_OUT_LEN];
        size_t name_len;

        CHECK(rcp_t_hex(t, "CK", ck, sizeof ck) == 16);
        CHECK(rcp_t_hex(t, "IK", ik, sizeof ik) == 16);
        CHECK(rcp_t_hex(t, "AUTN", autn, sizeof autn) == 16);
        CHECK(rcp_t_hex(t, "CK_prime", ck_p, sizeof ck_p) == 16);
        CHECK(rcp_t_hex(t, "IK_prime", ik_p, sizeof ik_p) == 16);
        CHECK(rcp_t_hex(t, "derived_KDF_key_hex", want_key, sizeof want_key) == 32);
        name_len = rcp_t_hex(t, "network_name_hex", name, sizeof name);
        /* the hex helper field and the ASCII name must agree */
        const char *ascii = rcp_t_str(t, "network_name");
        CHECK(strlen(ascii) == name_len && memcmp(ascii, name, name_len) == 0);

        /* TS 33.402 A.2: key = CK || IK, FC = 0x20, P0 = access network
         * name, P1 = SQN xor AK (the first six octets of AUTN) */
        memcpy(key, ck, 16);
        memcpy(key + 16, ik, 16);
        CHECK_MEM(key, want_key, 32);
        const rcp_kdf_param p[] = {{name, name_len}, {autn, AUTN_SQN_XOR_AK_LEN}};
        CHECK_OK(rcp_kdf_3gpp(key, sizeof key, RCP_FC_CK_IK_PRIME, p, 2, out));
        CHECK_MEM(out, ck_p, 16);      /* CK' = first 128 bits */
        CHECK_MEM(out + 16, ik_p, 16); /* IK' = last 128 bits */
        cases++;
    }
    return cases;
}

static uint32_t be32(const uint8_t b[4])
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static long run_eps(const json_t *root, long *high_level)
{
    const json_t *vecs = json_object_get(root, "eps_regression_vectors");
    size_t i;
    const json_t *t;
    long cases = 0;

    CHECK(json_is_array(vecs) && json_array_size(vecs) > 0);
    json_array_foreach(vecs, i, t)
    {
        uint8_t key[64], fc_b[1], want[RCP_KDF_OUT_LEN], out[RCP_KDF_OUT_LEN];
        uint8_t pbuf[MAX_P][MAX_P_LEN];
        rcp_kdf_param p[MAX_P];
        size_t key_len, n_p, j;
        const json_t *plist = json_object_get(t, "P");
        const json_t *pv;

        key_len = rcp_t_hex(t, "key", key, sizeof key);
        CHECK(rcp_t_hex(t, "FC", fc_b, sizeof fc_b) == 1);
        CHECK(rcp_t_hex(t, "expected_output", want, sizeof want) == RCP_KDF_OUT_LEN);
        CHECK(json_is_array(plist) && json_array_size(plist) <= MAX_P);
        n_p = json_array_size(plist);
        json_array_foreach(plist, j, pv)
        {
            p[j].data = pbuf[j];
            p[j].len = rcp_t_hex_str(json_string_value(pv), pbuf[j], MAX_P_LEN);
        }

        /* the generic KDF, full 256-bit output */
        CHECK_OK(rcp_kdf_3gpp(key, key_len, fc_b[0], p, n_p, out));
        CHECK_MEM(out, want, RCP_KDF_OUT_LEN);

        /* the function rcprov uses for that key, when there is one */
        if (fc_b[0] == RCP_FC_KASME) {
            CHECK(key_len == 32 && n_p == 2 && p[0].len == RCP_PLMN_LEN && p[1].len == 6);
            CHECK_OK(rcp_kdf_kasme(key, key + 16, pbuf[0], pbuf[1], out));
            CHECK_MEM(out, want, RCP_KDF_OUT_LEN);
            (*high_level)++;
        } else if (fc_b[0] == RCP_FC_EPS_ALG) {
            CHECK(key_len == 32 && n_p == 2 && p[0].len == 1 && p[1].len == 1);
            uint8_t k128[16];
            CHECK_OK(rcp_kdf_eps_alg_key(key, pbuf[0][0], pbuf[1][0], k128));
            CHECK_MEM(k128, want + RCP_KDF_OUT_LEN - 16, 16); /* A.7: last 128 bits */
            (*high_level)++;
        } else if (fc_b[0] == RCP_FC_KENB) {
            CHECK(key_len == 32 && n_p == 1 && p[0].len == 4);
            CHECK_OK(rcp_kdf_kenb(key, be32(pbuf[0]), out));
            CHECK_MEM(out, want, RCP_KDF_OUT_LEN);
            (*high_level)++;
        }
        cases++;
    }
    return cases;
}

/* TS 24.301 9.9.3.32 encoding of the serving network id. */
static void test_plmn(void)
{
    static const struct {
        const char *mcc, *mnc, *hex;
    } ok[] = {
        {"001", "01", "00f110"},  /* srsRAN KASME vector of kdf_3gpp.json: MCC 001, MNC 01 */
        {"208", "93", "02f839"},  /* 2-digit MNC: filler F in MNC digit 3 */
        {"310", "410", "130014"}, /* 3-digit MNC */
        {"208", "034", "024830"}, /* the SN id of the Open5GS KASME vector */
        {"999", "999", "999999"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint8_t out[RCP_PLMN_LEN], want[RCP_PLMN_LEN];
        rcp_t_hex_str(ok[i].hex, want, sizeof want);
        CHECK_OK(rcp_plmn_encode(ok[i].mcc, ok[i].mnc, out));
        CHECK_MEM(out, want, RCP_PLMN_LEN);
    }
    static const struct {
        const char *mcc, *mnc;
    } bad[] = {
        {"01", "01"},  {"0011", "01"}, {"001", "1"}, {"001", "0101"}, {"00a", "01"},
        {"001", "0x"}, {"", "01"},     {"001", ""},  {"0 1", "01"},   {"001", "-1"},
    };
    uint8_t out[RCP_PLMN_LEN];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_ERR(rcp_plmn_encode(bad[i].mcc, bad[i].mnc, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_plmn_encode(NULL, "01", out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_plmn_encode("001", NULL, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_plmn_encode("001", "01", NULL), RCP_ERR_INVALID_ARG);
}

/* S built by hand for a known case, and the KDF's argument checks. */
static void test_kdf_api(void)
{
    uint8_t key[32], out[RCP_KDF_OUT_LEN], want[RCP_KDF_OUT_LEN], ref[RCP_KDF_OUT_LEN];
    static const uint8_t big[0x10000];
    memset(key, 0x42, sizeof key);

    /* no parameter: S = FC only */
    uint8_t s_fc[1] = {0x7a};
    CHECK_OK(rcp_hmac_sha256(key, sizeof key, s_fc, 1, want));
    CHECK_OK(rcp_kdf_3gpp(key, sizeof key, 0x7a, NULL, 0, out));
    CHECK_MEM(out, want, sizeof want);

    /* an empty parameter still carries its length field 0x0000 */
    uint8_t s_empty[3] = {0x7a, 0x00, 0x00};
    const rcp_kdf_param empty = {NULL, 0};
    CHECK_OK(rcp_hmac_sha256(key, sizeof key, s_empty, sizeof s_empty, want));
    CHECK_OK(rcp_kdf_3gpp(key, sizeof key, 0x7a, &empty, 1, out));
    CHECK_MEM(out, want, sizeof want);

    /* the largest parameter, 65535 octets, length field ffff */
    static uint8_t s_max[1 + 0xFFFF + 2];
    s_max[0] = 0x7a;
    s_max[1 + 0xFFFF] = 0xff;
    s_max[1 + 0xFFFF + 1] = 0xff;
    const rcp_kdf_param pmax = {big, 0xFFFF};
    CHECK_OK(rcp_hmac_sha256(key, sizeof key, s_max, sizeof s_max, want));
    CHECK_OK(rcp_kdf_3gpp(key, sizeof key, 0x7a, &pmax, 1, out));
    CHECK_MEM(out, want, sizeof want);
    const rcp_kdf_param ptoo = {big, 0x10000};
    CHECK_ERR(rcp_kdf_3gpp(key, sizeof key, 0x7a, &ptoo, 1, out), RCP_ERR_LENGTH);

    /* RCP_KDF_MAX_PARAMS parameters are fine, one more is not */
    uint8_t one = 1;
    rcp_kdf_param many[RCP_KDF_MAX_PARAMS + 1];
    for (size_t i = 0; i < RCP_KDF_MAX_PARAMS + 1; i++) {
        many[i].data = &one;
        many[i].len = 1;
    }
    uint8_t s_many[1 + 3 * RCP_KDF_MAX_PARAMS];
    s_many[0] = 0x7a;
    for (size_t i = 0; i < RCP_KDF_MAX_PARAMS; i++) {
        s_many[1 + 3 * i] = 1;
        s_many[2 + 3 * i] = 0;
        s_many[3 + 3 * i] = 1;
    }
    CHECK_OK(rcp_hmac_sha256(key, sizeof key, s_many, sizeof s_many, want));
    CHECK_OK(rcp_kdf_3gpp(key, sizeof key, 0x7a, many, RCP_KDF_MAX_PARAMS, out));
    CHECK_MEM(out, want, sizeof want);
    CHECK_ERR(rcp_kdf_3gpp(key, sizeof key, 0x7a, many, RCP_KDF_MAX_PARAMS + 1, out),
              RCP_ERR_INVALID_ARG);

    /* an empty key is valid HMAC */
    CHECK_OK(rcp_hmac_sha256(NULL, 0, s_fc, 1, want));
    CHECK_OK(rcp_kdf_3gpp(NULL, 0, 0x7a, NULL, 0, out));
    CHECK_MEM(out, want, sizeof want);

    const rcp_kdf_param nulldata = {NULL, 1};
    CHECK_ERR(rcp_kdf_3gpp(key, sizeof key, 0x7a, &nulldata, 1, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_3gpp(NULL, 1, 0x7a, NULL, 0, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_3gpp(key, sizeof key, 0x7a, NULL, 1, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_3gpp(key, sizeof key, 0x7a, NULL, 0, NULL), RCP_ERR_INVALID_ARG);

    /* high-level functions: arguments, and agreement with the generic KDF */
    uint8_t ck[16], ik[16], sn[3] = {0x00, 0xf1, 0x10}, sqnak[6] = {1, 2, 3, 4, 5, 6};
    memcpy(ck, key, 16);
    memcpy(ik, key + 16, 16);
    CHECK_ERR(rcp_kdf_kasme(NULL, ik, sn, sqnak, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_kasme(ck, NULL, sn, sqnak, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_kasme(ck, ik, NULL, sqnak, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_kasme(ck, ik, sn, NULL, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_kasme(ck, ik, sn, sqnak, NULL), RCP_ERR_INVALID_ARG);

    uint8_t k16[16];
    for (uint8_t type = RCP_ALG_NAS_ENC; type <= RCP_ALG_UP_INT; type++) {
        for (uint8_t id = 0; id <= 0x0F; id++) {
            const rcp_kdf_param p[] = {{&type, 1}, {&id, 1}};
            CHECK_OK(rcp_kdf_3gpp(key, 32, RCP_FC_EPS_ALG, p, 2, ref));
            CHECK_OK(rcp_kdf_eps_alg_key(key, type, id, k16));
            CHECK_MEM(k16, ref + 16, 16);
        }
    }
    CHECK_ERR(rcp_kdf_eps_alg_key(key, 0x00, RCP_EEA2, k16), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_eps_alg_key(key, RCP_ALG_UP_INT + 1, RCP_EEA2, k16), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_eps_alg_key(key, RCP_ALG_NAS_INT, 0x10, k16), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_eps_alg_key(NULL, RCP_ALG_NAS_INT, RCP_EIA2, k16), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_eps_alg_key(key, RCP_ALG_NAS_INT, RCP_EIA2, NULL), RCP_ERR_INVALID_ARG);

    static const uint32_t counts[] = {0, 1, 0x01020304u, 0xffffffffu};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        uint8_t c[4] = {(uint8_t)(counts[i] >> 24), (uint8_t)(counts[i] >> 16),
                        (uint8_t)(counts[i] >> 8), (uint8_t)counts[i]};
        const rcp_kdf_param p = {c, 4};
        CHECK_OK(rcp_kdf_3gpp(key, 32, RCP_FC_KENB, &p, 1, ref));
        CHECK_OK(rcp_kdf_kenb(key, counts[i], out));
        CHECK_MEM(out, ref, 32);
    }
    CHECK_ERR(rcp_kdf_kenb(NULL, 0, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_kdf_kenb(key, 0, NULL), RCP_ERR_INVALID_ARG);
}

int main(void)
{
    json_t *root = rcp_t_load_json("kdf_3gpp.json");
    long high_level = 0;

    rcp_t_file_begin("kdf_3gpp.json rfc5448_ck_prime_ik_prime");
    long n = run_rfc5448(root);
    CHECK(n == 4); /* RFC 5448 App. C: test cases 1..4 */
    rcp_t_file_end(n);

    rcp_t_file_begin("kdf_3gpp.json eps_regression_vectors");
    n = run_eps(root, &high_level);
    /* at least the entries of the file as written (2 KASME, 5 algorithm
     * keys, 1 KeNB, 1 S-KgNB, 2 NR keys); new entries need no new code */
    CHECK(n >= 11);
    CHECK(high_level >= 8);
    rcp_t_file_end(n);
    json_decref(root);

    test_plmn();
    test_kdf_api();
    return rcp_t_done("kat_kdf3gpp");
}
