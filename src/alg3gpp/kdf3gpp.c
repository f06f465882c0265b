/*
 * The 3GPP generic KDF (TS 33.220 Annex B.2) and the EPS keys of TS 33.401
 * Annex A built on it.
 */
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"
#include "rcprov/kdf3gpp.h"

#define KDF_LEN_FIELD 2           /* TS 33.220 B.2.1: Li is two octets */
#define KDF_PARAM_MAX_LEN 0xFFFFu /* largest length two octets can hold */
#define KDF_FC_LEN 1
#define KDF_ALG_KEY_LEN 16 /* TS 33.401 A.7: 128-bit algorithm keys */
#define KDF_ALG_ID_MAX 0x0F
#define KDF_NAS_COUNT_LEN 4
#define KDF_SQN_XOR_AK_LEN 6
#define KDF_CK_IK_LEN 32
#define KDF_MCC_DIGITS 3
#define KDF_MNC_DIGITS_SHORT 2
#define KDF_MNC_DIGITS_LONG 3
#define KDF_BCD_FILLER 0x0F /* TS 24.008 10.5.1.13: MNC digit 3 of a 2-digit MNC */

int rcp_kdf_3gpp(const uint8_t *key, size_t key_len, uint8_t fc, const rcp_kdf_param *params,
                 size_t n_params, uint8_t out[RCP_KDF_OUT_LEN])
{
    int ret = RCP_ERR_INVALID_ARG;
    /* S = FC || P0 || L0 || ... : one part for FC, two per parameter. */
    rcp_iov parts[KDF_FC_LEN + 2 * RCP_KDF_MAX_PARAMS];
    uint8_t lens[RCP_KDF_MAX_PARAMS][KDF_LEN_FIELD];
    size_t n_parts = 0;

    if (out == NULL || (key == NULL && key_len != 0) || (params == NULL && n_params != 0) ||
        n_params > RCP_KDF_MAX_PARAMS)
        goto cleanup;
    parts[n_parts].data = &fc; /* TS 33.220 B.2.1: FC, one octet */
    parts[n_parts].len = KDF_FC_LEN;
    n_parts++;
    for (size_t i = 0; i < n_params; i++) {
        ret = RCP_ERR_INVALID_ARG;
        if (params[i].data == NULL && params[i].len != 0)
            goto cleanup;
        ret = RCP_ERR_LENGTH;
        if (params[i].len > KDF_PARAM_MAX_LEN)
            goto cleanup;
        /* TS 33.220 B.2.1: Li = length of Pi in octets, two octets big-endian */
        lens[i][0] = (uint8_t)(params[i].len >> 8);
        lens[i][1] = (uint8_t)params[i].len;
        parts[n_parts].data = params[i].data;
        parts[n_parts].len = params[i].len;
        n_parts++;
        parts[n_parts].data = lens[i];
        parts[n_parts].len = KDF_LEN_FIELD;
        n_parts++;
    }
    /* TS 33.220 B.2.2: derived key = HMAC-SHA-256(Key, S) */
    ret = rcp_hmac_sha256_v(key, key_len, parts, n_parts, out);
cleanup:
    return ret;
}

/* One decimal digit, or -1. */
static int digit_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : -1;
}

/* Digits of s into d (n digits, exact length); 0 on success. */
static int parse_digits(const char *s, int *d, size_t min_n, size_t max_n, size_t *n)
{
    size_t len = strnlen(s, max_n + 1);
    if (len < min_n || len > max_n)
        return RCP_ERR_INVALID_ARG;
    for (size_t i = 0; i < len; i++) {
        d[i] = digit_value(s[i]);
        if (d[i] < 0)
            return RCP_ERR_INVALID_ARG;
    }
    *n = len;
    return RCP_OK;
}

int rcp_plmn_encode(const char *mcc, const char *mnc, uint8_t out[RCP_PLMN_LEN])
{
    int ret = RCP_ERR_INVALID_ARG;
    int mcc_d[KDF_MCC_DIGITS];
    int mnc_d[KDF_MNC_DIGITS_LONG];
    size_t n_mcc = 0, n_mnc = 0;

    if (mcc == NULL || mnc == NULL || out == NULL)
        goto cleanup;
    ret = parse_digits(mcc, mcc_d, KDF_MCC_DIGITS, KDF_MCC_DIGITS, &n_mcc);
    if (ret)
        goto cleanup;
    ret = parse_digits(mnc, mnc_d, KDF_MNC_DIGITS_SHORT, KDF_MNC_DIGITS_LONG, &n_mnc);
    if (ret)
        goto cleanup;
    if (n_mnc == KDF_MNC_DIGITS_SHORT)
        mnc_d[2] = KDF_BCD_FILLER;
    /* TS 24.301 9.9.3.32 (TS 24.008 10.5.1.13 layout), used as the SN id of
     * TS 33.401 A.2: MCC2|MCC1, MNC3|MCC3, MNC2|MNC1 (high|low nibble). */
    out[0] = (uint8_t)(mcc_d[1] << 4 | mcc_d[0]);
    out[1] = (uint8_t)(mnc_d[2] << 4 | mcc_d[2]);
    out[2] = (uint8_t)(mnc_d[1] << 4 | mnc_d[0]);
    ret = RCP_OK;
cleanup:
    return ret;
}

int rcp_kdf_kasme(const uint8_t ck[16], const uint8_t ik[16], const uint8_t sn_id[RCP_PLMN_LEN],
                  const uint8_t sqn_xor_ak[6], uint8_t kasme[32])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t key[KDF_CK_IK_LEN];
    uint8_t derived[RCP_KDF_OUT_LEN];
    /* TS 33.401 A.2: Key = CK || IK, FC = 0x10, P0 = SN id, P1 = SQN xor AK */
    const rcp_kdf_param p[] = {
        {sn_id, RCP_PLMN_LEN},
        {sqn_xor_ak, KDF_SQN_XOR_AK_LEN},
    };

    if (ck == NULL || ik == NULL || sn_id == NULL || sqn_xor_ak == NULL || kasme == NULL)
        goto cleanup;
    memcpy(key, ck, KDF_CK_IK_LEN / 2);
    memcpy(key + KDF_CK_IK_LEN / 2, ik, KDF_CK_IK_LEN / 2);
    ret = rcp_kdf_3gpp(key, sizeof key, RCP_FC_KASME, p, sizeof p / sizeof p[0], derived);
    if (ret)
        goto cleanup;
    memcpy(kasme, derived, RCP_KDF_OUT_LEN);
cleanup:
    rcp_wipe(key, sizeof key);
    rcp_wipe(derived, sizeof derived);
    return ret;
}

int rcp_kdf_eps_alg_key(const uint8_t key[32], uint8_t alg_type, uint8_t alg_id, uint8_t out[16])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t derived[RCP_KDF_OUT_LEN];
    /* TS 33.401 A.7: FC = 0x15, P0 = algorithm type distinguisher, P1 =
     * algorithm identity in the four least significant bits of one octet */
    const rcp_kdf_param p[] = {
        {&alg_type, 1},
        {&alg_id, 1},
    };

    if (key == NULL || out == NULL || alg_type < RCP_ALG_NAS_ENC || alg_type > RCP_ALG_UP_INT ||
        alg_id > KDF_ALG_ID_MAX)
        goto cleanup;
    ret = rcp_kdf_3gpp(key, RCP_KDF_OUT_LEN, RCP_FC_EPS_ALG, p, sizeof p / sizeof p[0], derived);
    if (ret)
        goto cleanup;
    /* TS 33.401 A.7: the 128 least significant bits of the 256-bit output */
    memcpy(out, derived + RCP_KDF_OUT_LEN - KDF_ALG_KEY_LEN, KDF_ALG_KEY_LEN);
cleanup:
    rcp_wipe(derived, sizeof derived);
    return ret;
}

int rcp_kdf_kenb(const uint8_t kasme[32], uint32_t ul_nas_count, uint8_t kenb[32])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t count[KDF_NAS_COUNT_LEN];
    uint8_t derived[RCP_KDF_OUT_LEN];
    /* TS 33.401 A.3: FC = 0x11, P0 = uplink NAS COUNT, four octets */
    const rcp_kdf_param p[] = {{count, sizeof count}};

    if (kasme == NULL || kenb == NULL)
        goto cleanup;
    count[0] = (uint8_t)(ul_nas_count >> 24);
    count[1] = (uint8_t)(ul_nas_count >> 16);
    count[2] = (uint8_t)(ul_nas_count >> 8);
    count[3] = (uint8_t)ul_nas_count;
    ret = rcp_kdf_3gpp(kasme, RCP_KDF_OUT_LEN, RCP_FC_KENB, p, sizeof p / sizeof p[0], derived);
    if (ret)
        goto cleanup;
    memcpy(kenb, derived, RCP_KDF_OUT_LEN);
cleanup:
    rcp_wipe(derived, sizeof derived);
    return ret;
}
