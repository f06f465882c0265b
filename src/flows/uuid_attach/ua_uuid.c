/* uuid-attach: the TRE-generated UUID (seed 000 step 0-a, 128-bit layout). */
#include <string.h>

#include "rcprov/bytes.h"
#include "ua_internal.h"

/* Block = Rand (6 bytes) || CATV (4 bytes) || SN (6 bytes), big-endian. */
int rcp_ua_uuid_generate(const uint8_t k_tresi[16], const uint8_t catv[4], uint64_t tre_serial,
                         const rcp_rng *rng, uint8_t uuid[RCP_UUID_LEN])
{
    uint8_t block[16];
    if (k_tresi == NULL || catv == NULL || uuid == NULL)
        return RCP_ERR_INVALID_ARG;
    if (tre_serial > RCP_UA_TRE_SN_MAX)
        return RCP_ERR_RANGE;
    int ret = rcp_rng_fill(rng, block, 6);
    if (ret)
        return ret;
    memcpy(block + 6, catv, 4);
    rcp_be48_put(block + 10, tre_serial);
    ret = rcp_aes_ecb_encrypt(k_tresi, 16, block, 16, uuid);
    rcp_wipe(block, sizeof block);
    return ret;
}

int rcp_ua_uuid_check(const uint8_t k_tresi[16], const uint8_t catv[4],
                      const uint8_t uuid[RCP_UUID_LEN], uint64_t *tre_serial)
{
    uint8_t block[16];
    if (k_tresi == NULL || catv == NULL || uuid == NULL || tre_serial == NULL)
        return RCP_ERR_INVALID_ARG;
    int ret = rcp_aes_ecb_decrypt(k_tresi, 16, uuid, 16, block);
    if (ret == 0 && !rcp_ct_equal(block + 6, catv, 4))
        ret = RCP_ERR_AUTH;
    *tre_serial = ret == 0 ? rcp_be48_get(block + 10) : 0;
    rcp_wipe(block, sizeof block);
    return ret;
}
