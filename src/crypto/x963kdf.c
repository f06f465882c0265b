/* ANSI X9.63 key derivation with SHA-256, on the crypto interface only.
 * SEC 1 v2 3.6.1; NIST SP 800-135 rev 1 4.1; docs/spec/crypto.md "X9.63 KDF". */
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

int rcp_x963_kdf_sha256(const uint8_t *z, size_t z_len, const uint8_t *info, size_t info_len,
                        uint8_t *out, size_t out_len)
{
    int ret = RCP_OK;
    uint8_t block[RCP_SHA256_LEN];
    if ((z == NULL && z_len != 0) || (info == NULL && info_len != 0) ||
        (out == NULL && out_len != 0))
        return RCP_ERR_INVALID_ARG;
    /* SEC 1 3.6.1 step 2: keydatalen < hashlen * (2^32 - 1). */
    if (out_len / RCP_SHA256_LEN >= 0xffffffffu)
        return RCP_ERR_LENGTH;
    uint32_t counter = 1; /* step 3: Counter = 00000001 (32-bit big-endian) */
    for (size_t off = 0; off < out_len; off += RCP_SHA256_LEN, counter++) {
        const uint8_t ctr[4] = {(uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
                                (uint8_t)(counter >> 8), (uint8_t)counter};
        const rcp_iov parts[3] = {{z, z_len}, {ctr, sizeof ctr}, {info, info_len}};
        ret = rcp_sha256_v(parts, 3, block); /* step 4.1: K_i = Hash(Z || Counter || SharedInfo) */
        if (ret)
            goto out;
        size_t take = out_len - off < RCP_SHA256_LEN ? out_len - off : RCP_SHA256_LEN;
        memcpy(out + off, block, take); /* step 5: leftmost keydatalen octets */
    }
out:
    if (ret && out_len)
        rcp_wipe(out, out_len);
    rcp_wipe(block, sizeof block);
    return ret;
}
