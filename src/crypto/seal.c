/*
 * The DERIVE/ENCRYPT/DECRYPT functions of seed 000 (uuid-attach), Annex
 * XX.2.1, in two suites: AES-128-CBC + HMAC-SHA-256/128 ("cbc-hmac") and
 * AES-128-GCM ("gcm", the seed's "eGCM-AES128" read as GCM).  Built on the
 * crypto interface only.  docs/spec/crypto.md "Seed 000 seal suites".
 */
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

#define SEAL_KEY 16
#define SEAL_KEYS 3
#define SEAL_PAD_BYTE 0xff

const char *rcp_seal_suite_name(rcp_seal_suite s)
{
    switch (s) {
    case RCP_SUITE_CBC_HMAC:
        return "cbc-hmac";
    case RCP_SUITE_GCM:
        return "gcm";
    default:
        return NULL;
    }
}

rcp_seal_suite rcp_seal_suite_from_name(const char *name)
{
    if (name == NULL)
        return RCP_SUITE_NONE;
    if (strcmp(name, "cbc-hmac") == 0)
        return RCP_SUITE_CBC_HMAC;
    if (strcmp(name, "gcm") == 0)
        return RCP_SUITE_GCM;
    return RCP_SUITE_NONE;
}

int rcp_seal_derive(const uint8_t *shs, size_t shs_len, uint8_t key_type, rcp_seal_keys *ks)
{
    uint8_t k[SEAL_KEYS * SEAL_KEY];
    if (shs == NULL || shs_len == 0 || ks == NULL)
        return RCP_ERR_INVALID_ARG;
    if (key_type != RCP_SEAL_KEY_TYPE_KS1 && key_type != RCP_SEAL_KEY_TYPE_KS2)
        return RCP_ERR_INVALID_ARG;
    /* seed 000 XX.2.1 "Key Derivation Function": SI = KEY_TYPE || "10" || "89" */
    const uint8_t si[3] = {key_type, 0x10, 0x89};
    /* KS = KDF-128(ShS, SI): X9.63 KDF with SHA-256, N = 3 keys of 128 bits */
    int ret = rcp_x963_kdf_sha256(shs, shs_len, si, sizeof si, k, sizeof k);
    if (ret == RCP_OK)
        for (size_t i = 0; i < SEAL_KEYS; i++)
            memcpy(ks->ks[i], k + SEAL_KEY * i, SEAL_KEY); /* KS[1] = KE, KS[2] = IV, KS[3] */
    rcp_wipe(k, sizeof k);
    return ret;
}

size_t rcp_seal_padded_len(size_t len)
{
    if (len > SIZE_MAX - (RCP_AES_BLOCK - 1))
        return 0;
    return (len + RCP_AES_BLOCK - 1) / RCP_AES_BLOCK * RCP_AES_BLOCK;
}

int rcp_seal(rcp_seal_suite s, const rcp_seal_keys *ks, const uint8_t *clear, size_t len,
             uint8_t *out, size_t out_cap, size_t *out_len, uint8_t hcheck[RCP_SEAL_HCHECK_LEN])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t mac[RCP_SHA256_LEN];
    if (out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (ks == NULL || (clear == NULL && len != 0) || (out == NULL && out_cap != 0) ||
        hcheck == NULL)
        return RCP_ERR_INVALID_ARG;
    if (s != RCP_SUITE_CBC_HMAC && s != RCP_SUITE_GCM)
        return RCP_ERR_UNSUPPORTED;
    size_t padded = rcp_seal_padded_len(len);
    if (padded < len)
        return RCP_ERR_LENGTH;
    if (out_cap < padded)
        return RCP_ERR_BUFFER_TOO_SMALL;
    /* seed 000 XX.2.1: MSRC "padded with FF" to a multiple of 128 bits */
    if (len)
        memmove(out, clear, len);
    if (padded > len)
        memset(out + len, SEAL_PAD_BYTE, padded - len);
    if (s == RCP_SUITE_CBC_HMAC) {
        /* HCHECK = HMAC-SHA256(KH = KS[3])[MSRC], truncated to 128 bits */
        ret = rcp_hmac_sha256(ks->ks[2], SEAL_KEY, out, padded, mac);
        if (ret)
            goto out;
        memcpy(hcheck, mac, RCP_SEAL_HCHECK_LEN);
        /* MDST = CBC-AES-128(KE = KS[1], IV = KS[2])[MSRC] */
        ret = rcp_aes_cbc_encrypt(ks->ks[0], SEAL_KEY, ks->ks[1], out, padded, out);
    } else {
        /* MDST, HCHECK = eGCM-AES128(KE = KS[1], IV = KS[2], EIV = KS[3])[MSRC],
         * read as GCM with a 128-bit IV and KS[3] as additional data */
        ret = rcp_aes_gcm_encrypt(ks->ks[0], SEAL_KEY, ks->ks[1], SEAL_KEY, ks->ks[2], SEAL_KEY,
                                  out, padded, out, hcheck, RCP_SEAL_HCHECK_LEN);
    }
    if (ret)
        goto out;
    *out_len = padded;
out:
    if (ret) {
        if (padded)
            rcp_wipe(out, padded);
        rcp_wipe(hcheck, RCP_SEAL_HCHECK_LEN);
    }
    rcp_wipe(mac, sizeof mac);
    return ret;
}

int rcp_seal_open(rcp_seal_suite s, const rcp_seal_keys *ks, const uint8_t *mdst, size_t len,
                  const uint8_t hcheck[RCP_SEAL_HCHECK_LEN], uint8_t *out, size_t out_cap)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t mac[RCP_SHA256_LEN];
    if (ks == NULL || (mdst == NULL && len != 0) || hcheck == NULL || (out == NULL && out_cap != 0))
        return RCP_ERR_INVALID_ARG;
    if (s != RCP_SUITE_CBC_HMAC && s != RCP_SUITE_GCM)
        return RCP_ERR_UNSUPPORTED;
    if (len % RCP_AES_BLOCK != 0)
        return RCP_ERR_LENGTH; /* MDST has the length of MSRC: whole blocks */
    if (out_cap < len)
        return RCP_ERR_BUFFER_TOO_SMALL;
    if (s == RCP_SUITE_CBC_HMAC) {
        /* DECRYPT: MSRC = CBC-AES-128^-1(KS[1], KS[2])[MDST], then the MAC over
         * MSRC, compared in constant time before anything looks at MSRC. */
        ret = rcp_aes_cbc_decrypt(ks->ks[0], SEAL_KEY, ks->ks[1], mdst, len, out);
        if (ret)
            goto out;
        ret = rcp_hmac_sha256(ks->ks[2], SEAL_KEY, out, len, mac);
        if (ret)
            goto out;
        if (!rcp_ct_equal(mac, hcheck, RCP_SEAL_HCHECK_LEN))
            ret = RCP_ERR_AUTH;
    } else {
        ret = rcp_aes_gcm_decrypt(ks->ks[0], SEAL_KEY, ks->ks[1], SEAL_KEY, ks->ks[2], SEAL_KEY,
                                  mdst, len, hcheck, RCP_SEAL_HCHECK_LEN, out);
    }
out:
    if (ret && len)
        rcp_wipe(out, len);
    rcp_wipe(mac, sizeof mac);
    return ret;
}

int rcp_seal_check_padding(const uint8_t *msrc, size_t msrc_len, size_t clear_len)
{
    if (msrc == NULL && msrc_len != 0)
        return RCP_ERR_INVALID_ARG;
    /* 0..15 bytes of padding that end MSRC on a block boundary */
    if (clear_len > msrc_len || rcp_seal_padded_len(clear_len) != msrc_len)
        return RCP_ERR_PADDING;
    uint8_t acc = 0;
    for (size_t i = clear_len; i < msrc_len; i++)
        acc |= (uint8_t)(msrc[i] ^ SEAL_PAD_BYTE);
    return acc == 0 ? RCP_OK : RCP_ERR_PADDING;
}
