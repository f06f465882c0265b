/*
 * ECIES as in 3GPP TS 33.501 Annex C.3 (the SUCI protection scheme), with the
 * point format and tag length as parameters.  Built on the crypto interface
 * only.  docs/spec/crypto.md "ECIES".
 */
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

#define ECIES_ENC_KEY 16 /* TS 33.501 C.3.4.1/C.3.4.2: enckeylen 128 bits */
#define ECIES_ICB 16     /* icblen 128 bits */
#define ECIES_MAC_KEY 32 /* mackeylen 256 bits */
#define ECIES_KDF_OUT (ECIES_ENC_KEY + ECIES_ICB + ECIES_MAC_KEY)
#define ECIES_MAC_MIN 8
#define ECIES_MAC_MAX RCP_SHA256_LEN

const rcp_ecies_params RCP_ECIES_DEFAULT = {1, 16};
const rcp_ecies_params RCP_ECIES_TS33501 = {1, 8}; /* C.3.4.1/C.3.4.2: maclen 64 bits */

static int params_ok(const rcp_ecies_params *p)
{
    return p != NULL && p->mac_len >= ECIES_MAC_MIN && p->mac_len <= ECIES_MAC_MAX;
}

/* Size of the ephemeral public key as sent, 0 for an unknown curve. */
static size_t eph_len(rcp_curve curve, const rcp_ecies_params *p)
{
    size_t s = rcp_curve_size(curve);
    if (s == 0)
        return 0;
    if (curve == RCP_CURVE_X25519)
        return s;                                   /* C.3.4.1: 32-byte X25519 key */
    return p->compressed_point ? 1 + s : 1 + 2 * s; /* C.3.4.2: compressed */
}

size_t rcp_ecies_overhead(rcp_curve curve, const rcp_ecies_params *p)
{
    if (!params_ok(p))
        return 0;
    size_t e = eph_len(curve, p);
    return e ? e + p->mac_len : 0;
}

/* K = X9.63-KDF(Z, SharedInfo1 = ephemeral key as sent), C.3.3 step 2 /
 * C.3.2 (SEC 1 5.1.3 step 5). */
static int ecies_keys(const rcp_ec_key *priv, const rcp_ec_key *peer, const uint8_t *eph,
                      size_t eph_sz, uint8_t k[ECIES_KDF_OUT])
{
    uint8_t z[RCP_EC_MAX_SECRET];
    size_t z_len = 0;
    int ret = rcp_ecdh(priv, peer, z, sizeof z, &z_len); /* C.3.3 step 1 / C.3.4 ECDH */
    if (ret)
        goto out;
    ret = rcp_x963_kdf_sha256(z, z_len, eph, eph_sz, k, ECIES_KDF_OUT);
out:
    rcp_wipe(z, sizeof z);
    return ret;
}

int rcp_ecies_encrypt_with(const rcp_ecies_params *p, const rcp_ec_key *recipient,
                           const rcp_ec_key *ephemeral, const uint8_t *pt, size_t pt_len,
                           uint8_t *out, size_t out_cap, size_t *out_len)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t k[ECIES_KDF_OUT], mac[RCP_SHA256_LEN];
    if (out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (!params_ok(p) || recipient == NULL || ephemeral == NULL || (pt == NULL && pt_len != 0) ||
        out == NULL || !rcp_ec_key_has_private(ephemeral) ||
        rcp_ec_key_curve(recipient) != rcp_ec_key_curve(ephemeral))
        return RCP_ERR_INVALID_ARG;
    size_t e = eph_len(rcp_ec_key_curve(recipient), p);
    if (e == 0)
        return RCP_ERR_UNSUPPORTED;
    if (pt_len > SIZE_MAX - e - p->mac_len || out_cap < e + pt_len + p->mac_len)
        return RCP_ERR_BUFFER_TOO_SMALL;
    size_t got = 0;
    ret = rcp_ec_key_public(ephemeral, p->compressed_point, out, e, &got);
    if (ret)
        goto out;
    if (got != e) {
        ret = RCP_ERR_CRYPTO;
        goto out;
    }
    ret = ecies_keys(ephemeral, recipient, out, e, k);
    if (ret)
        goto out;
    /* C.3.3 step 3: C = AES-128-CTR(enc key, ICB, plaintext) */
    ret = rcp_aes_ctr(k, ECIES_ENC_KEY, k + ECIES_ENC_KEY, pt, pt_len, out + e);
    if (ret)
        goto out;
    /* C.3.3 step 4: tag = HMAC-SHA-256(mac key, C), leftmost mac_len bytes */
    ret = rcp_hmac_sha256(k + ECIES_ENC_KEY + ECIES_ICB, ECIES_MAC_KEY, out + e, pt_len, mac);
    if (ret)
        goto out;
    memcpy(out + e + pt_len, mac, p->mac_len); /* C.3.3 step 5: eph key || C || tag */
    *out_len = e + pt_len + p->mac_len;
out:
    if (ret)
        rcp_wipe(out, out_cap < e + pt_len + p->mac_len ? out_cap : e + pt_len + p->mac_len);
    rcp_wipe(k, sizeof k);
    rcp_wipe(mac, sizeof mac);
    return ret;
}

int rcp_ecies_encrypt(const rcp_ecies_params *p, const rcp_ec_key *recipient, const rcp_rng *rng,
                      const uint8_t *pt, size_t pt_len, uint8_t *out, size_t out_cap,
                      size_t *out_len)
{
    rcp_ec_key *eph = NULL;
    if (out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (!params_ok(p) || recipient == NULL || rng == NULL)
        return RCP_ERR_INVALID_ARG;
    /* C.3.3 step 1 (SEC 1 5.1.3 step 1): a fresh ephemeral key pair */
    int ret = rcp_ec_key_generate(rcp_ec_key_curve(recipient), rng, &eph);
    if (ret == RCP_OK)
        ret = rcp_ecies_encrypt_with(p, recipient, eph, pt, pt_len, out, out_cap, out_len);
    rcp_ec_key_free(eph);
    return ret;
}

int rcp_ecies_decrypt(const rcp_ecies_params *p, const rcp_ec_key *recipient, const uint8_t *in,
                      size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t k[ECIES_KDF_OUT], mac[RCP_SHA256_LEN];
    rcp_ec_key *eph = NULL;
    if (out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (!params_ok(p) || recipient == NULL || !rcp_ec_key_has_private(recipient) ||
        (in == NULL && in_len != 0) || (out == NULL && out_cap != 0))
        return RCP_ERR_INVALID_ARG;
    rcp_curve curve = rcp_ec_key_curve(recipient);
    size_t e = eph_len(curve, p);
    if (e == 0)
        return RCP_ERR_UNSUPPORTED;
    if (in_len < e + p->mac_len)
        return RCP_ERR_LENGTH;
    size_t c_len = in_len - e - p->mac_len;
    if (out_cap < c_len)
        return RCP_ERR_BUFFER_TOO_SMALL;
    /* C.3.3 (decryption) step 1: the ephemeral key, validated on import */
    ret = rcp_ec_key_from_public(curve, in, e, &eph);
    if (ret)
        goto out;
    ret = ecies_keys(recipient, eph, in, e, k);
    if (ret)
        goto out;
    /* C.3.3 (decryption) step 3: check the tag before decrypting anything */
    ret = rcp_hmac_sha256(k + ECIES_ENC_KEY + ECIES_ICB, ECIES_MAC_KEY, in + e, c_len, mac);
    if (ret)
        goto out;
    if (!rcp_ct_equal(mac, in + e + c_len, p->mac_len)) {
        ret = RCP_ERR_AUTH;
        goto out;
    }
    ret = rcp_aes_ctr(k, ECIES_ENC_KEY, k + ECIES_ENC_KEY, in + e, c_len, out);
    if (ret)
        goto out;
    *out_len = c_len;
out:
    if (ret && c_len && out != NULL)
        rcp_wipe(out, c_len);
    rcp_ec_key_free(eph);
    rcp_wipe(k, sizeof k);
    rcp_wipe(mac, sizeof mac);
    return ret;
}
