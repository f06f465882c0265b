/* AES block, ECB, CBC, CTR, GCM and CMAC over OpenSSL 3 EVP. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

/* EVP cipher for a mode and a key length, or NULL for a bad key length. */
static const EVP_CIPHER *aes_cipher(const char *mode, size_t key_len)
{
    if (strcmp(mode, "ecb") == 0)
        return key_len == 16 ? EVP_aes_128_ecb() : key_len == 24 ? EVP_aes_192_ecb()
               : key_len == 32 ? EVP_aes_256_ecb() : NULL;
    if (strcmp(mode, "cbc") == 0)
        return key_len == 16 ? EVP_aes_128_cbc() : key_len == 24 ? EVP_aes_192_cbc()
               : key_len == 32 ? EVP_aes_256_cbc() : NULL;
    if (strcmp(mode, "ctr") == 0)
        return key_len == 16 ? EVP_aes_128_ctr() : key_len == 24 ? EVP_aes_192_ctr()
               : key_len == 32 ? EVP_aes_256_ctr() : NULL;
    if (strcmp(mode, "gcm") == 0)
        return key_len == 16 ? EVP_aes_128_gcm() : key_len == 24 ? EVP_aes_192_gcm()
               : key_len == 32 ? EVP_aes_256_gcm() : NULL;
    return NULL;
}

struct rcp_aes_block {
    EVP_CIPHER_CTX *ctx;
};

int rcp_aes_block_new(const uint8_t *key, size_t key_len, rcp_aes_block **out)
{
    if (key == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    const EVP_CIPHER *c = aes_cipher("ecb", key_len);
    if (c == NULL)
        return RCP_ERR_KEY_INVALID;
    rcp_aes_block *b = calloc(1, sizeof *b);
    if (b == NULL)
        return RCP_ERR_NO_MEMORY;
    b->ctx = EVP_CIPHER_CTX_new();
    if (b->ctx == NULL || EVP_EncryptInit_ex(b->ctx, c, NULL, key, NULL) != 1 ||
        EVP_CIPHER_CTX_set_padding(b->ctx, 0) != 1) {
        rcp_aes_block_free(b);
        return RCP_ERR_CRYPTO;
    }
    *out = b;
    return RCP_OK;
}

int rcp_aes_block_encrypt(rcp_aes_block *b, const uint8_t in[RCP_AES_BLOCK],
                          uint8_t out[RCP_AES_BLOCK])
{
    if (b == NULL || in == NULL || out == NULL)
        return RCP_ERR_INVALID_ARG;
    int len = 0;
    if (EVP_EncryptUpdate(b->ctx, out, &len, in, RCP_AES_BLOCK) != 1 || len != RCP_AES_BLOCK)
        return RCP_ERR_CRYPTO;
    return RCP_OK;
}

void rcp_aes_block_free(rcp_aes_block *b)
{
    if (b == NULL)
        return;
    EVP_CIPHER_CTX_free(b->ctx); /* OpenSSL cleanses the key schedule */
    free(b);
}
