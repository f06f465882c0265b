/* AES block, ECB, CBC (raw and PKCS#7), CTR, GCM and CMAC over OpenSSL 3 EVP.
 * Constructions and sources: docs/spec/crypto.md section "AES". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

/* The largest IV OpenSSL 3.0's GCM provider takes (GCM_IV_MAX_SIZE, 1024
 * bits); longer IVs go through gcm_long_iv() below. */
#define GCM_OPENSSL_IV_MAX 128
#define GCM_IV_LONG_EQUIV 16
#define GCM_TAG_MIN 4

/* Ciphers fetched once (see openssl_hash.c: an implicit fetch per call
 * costs more than encrypting a short message). */
static const char *const k_modes[4] = {"ECB", "CBC", "CTR", "GCM"};
static EVP_CIPHER *g_ciphers[4][3];
static pthread_once_t g_cipher_once = PTHREAD_ONCE_INIT;

static void fetch_ciphers(void)
{
    static const int bits[3] = {128, 192, 256};
    char name[32];
    for (int m = 0; m < 4; m++)
        for (int k = 0; k < 3; k++) {
            snprintf(name, sizeof name, "AES-%d-%s", bits[k], k_modes[m]);
            g_ciphers[m][k] = EVP_CIPHER_fetch(NULL, name, NULL);
        }
}

/* EVP cipher for a mode and a key length, or NULL for a bad key length. */
static const EVP_CIPHER *aes_cipher(const char *mode, size_t key_len)
{
    int k = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
    if (k < 0 || pthread_once(&g_cipher_once, fetch_ciphers) != 0)
        return NULL;
    for (int m = 0; m < 4; m++)
        if (strcasecmp(mode, k_modes[m]) == 0)
            return g_ciphers[m][k];
    return NULL;
}

static int valid_key_len(size_t key_len)
{
    return key_len == 16 || key_len == 24 || key_len == 32;
}

/* OpenSSL takes int lengths; our lengths are size_t.  Feed in chunks. */
#define EVP_CHUNK ((size_t)1 << 30)

/* One pass of a non-AEAD EVP cipher without padding: len bytes in, len out. */
static int evp_crypt(const EVP_CIPHER *c, int enc, const uint8_t *key, const uint8_t *iv,
                     const uint8_t *in, size_t len, uint8_t *out)
{
    int ret = RCP_ERR_CRYPTO;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return RCP_ERR_NO_MEMORY;
    if (EVP_CipherInit_ex(ctx, c, NULL, key, iv, enc) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx, 0) != 1)
        goto out;
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done < EVP_CHUNK ? len - done : EVP_CHUNK;
        int got = 0;
        if (EVP_CipherUpdate(ctx, out + done, &got, in + done, (int)chunk) != 1 ||
            (size_t)got != chunk)
            goto out;
        done += chunk;
    }
    int fin = 0;
    if (EVP_CipherFinal_ex(ctx, out + done, &fin) != 1 || fin != 0)
        goto out;
    ret = RCP_OK;
out:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
    return ret;
}

/* ------------------------------------------------------------ AES block */

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

/* ------------------------------------------------------------------ ECB */

static int ecb(int enc, const uint8_t *key, size_t key_len, const uint8_t *in, size_t len,
               uint8_t *out)
{
    if (key == NULL || ((in == NULL || out == NULL) && len != 0))
        return RCP_ERR_INVALID_ARG;
    const EVP_CIPHER *c = aes_cipher("ecb", key_len);
    if (c == NULL)
        return RCP_ERR_KEY_INVALID;
    if (len % RCP_AES_BLOCK != 0)
        return RCP_ERR_LENGTH;
    if (len == 0)
        return RCP_OK;
    return evp_crypt(c, enc, key, NULL, in, len, out); /* SP 800-38A 6.1 */
}

int rcp_aes_ecb_encrypt(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len,
                        uint8_t *out)
{
    return ecb(1, key, key_len, in, len, out);
}

int rcp_aes_ecb_decrypt(const uint8_t *key, size_t key_len, const uint8_t *in, size_t len,
                        uint8_t *out)
{
    return ecb(0, key, key_len, in, len, out);
}

/* ------------------------------------------------------------------ CBC */

static int cbc(int enc, const uint8_t *key, size_t key_len, const uint8_t *iv, const uint8_t *in,
               size_t len, uint8_t *out)
{
    if (key == NULL || iv == NULL || ((in == NULL || out == NULL) && len != 0))
        return RCP_ERR_INVALID_ARG;
    const EVP_CIPHER *c = aes_cipher("cbc", key_len);
    if (c == NULL)
        return RCP_ERR_KEY_INVALID;
    if (len % RCP_AES_BLOCK != 0)
        return RCP_ERR_LENGTH;
    if (len == 0)
        return RCP_OK;
    return evp_crypt(c, enc, key, iv, in, len, out); /* SP 800-38A 6.2 */
}

int rcp_aes_cbc_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[RCP_AES_BLOCK],
                        const uint8_t *in, size_t len, uint8_t *out)
{
    return cbc(1, key, key_len, iv, in, len, out);
}

int rcp_aes_cbc_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[RCP_AES_BLOCK],
                        const uint8_t *in, size_t len, uint8_t *out)
{
    return cbc(0, key, key_len, iv, in, len, out);
}

int rcp_aes_cbc_pkcs7_encrypt(const uint8_t *key, size_t key_len, const uint8_t iv[RCP_AES_BLOCK],
                              const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t last[RCP_AES_BLOCK];
    if (key == NULL || iv == NULL || (in == NULL && len != 0) || out == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (!valid_key_len(key_len))
        return RCP_ERR_KEY_INVALID;
    size_t full = len - len % RCP_AES_BLOCK;
    size_t pad = RCP_AES_BLOCK - len % RCP_AES_BLOCK; /* RFC 5652 6.3: 1..16 bytes of value pad */
    if (len > SIZE_MAX - pad || out_cap < len + pad)
        return RCP_ERR_BUFFER_TOO_SMALL;
    if (len > full)
        memcpy(last, in + full, len - full);
    memset(last + (len - full), (int)pad, pad);
    /* Whole blocks first (in place allowed), then the padded last block
     * chained on the last ciphertext block. */
    ret = rcp_aes_cbc_encrypt(key, key_len, iv, in, full, out);
    if (ret)
        goto out;
    ret = rcp_aes_cbc_encrypt(key, key_len, full ? out + full - RCP_AES_BLOCK : iv, last,
                              RCP_AES_BLOCK, out + full);
    if (ret)
        goto out;
    *out_len = full + RCP_AES_BLOCK;
out:
    rcp_wipe(last, sizeof last);
    return ret;
}

int rcp_aes_cbc_pkcs7_decrypt(const uint8_t *key, size_t key_len, const uint8_t iv[RCP_AES_BLOCK],
                              const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t last[RCP_AES_BLOCK], chain[RCP_AES_BLOCK], ct_last[RCP_AES_BLOCK];
    if (key == NULL || iv == NULL || (in == NULL && len != 0) || (out == NULL && out_cap != 0) ||
        out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (!valid_key_len(key_len))
        return RCP_ERR_KEY_INVALID;
    if (len == 0 || len % RCP_AES_BLOCK != 0)
        return RCP_ERR_LENGTH;
    size_t head = len - RCP_AES_BLOCK;
    /* Copy the last ciphertext block and its chaining value before anything
     * is written: out may equal in. */
    memcpy(ct_last, in + head, RCP_AES_BLOCK);
    memcpy(chain, head ? in + head - RCP_AES_BLOCK : iv, RCP_AES_BLOCK);
    ret = rcp_aes_cbc_decrypt(key, key_len, chain, ct_last, RCP_AES_BLOCK, last);
    if (ret)
        goto out;
    /* RFC 5652 6.3 padding check over the whole last block without a
     * data-dependent branch: pad in 1..16 and the last pad bytes equal pad. */
    unsigned pad = last[RCP_AES_BLOCK - 1];
    unsigned bad = ((pad - 1u) >> 8) | ((16u - pad) >> 8); /* pad == 0 or pad > 16 */
    for (unsigned i = 0; i < RCP_AES_BLOCK; i++) {
        unsigned in_pad = ((RCP_AES_BLOCK - 1u - i) - pad) >> 8 & 1u; /* i >= 16 - pad */
        bad |= in_pad & (unsigned)((last[i] ^ pad) != 0);
    }
    if (bad & 1u) {
        ret = RCP_ERR_PADDING;
        goto out;
    }
    size_t plain = len - pad;
    if (out_cap < plain) {
        ret = RCP_ERR_BUFFER_TOO_SMALL;
        goto out;
    }
    ret = rcp_aes_cbc_decrypt(key, key_len, iv, in, head, out);
    if (ret)
        goto out;
    if (pad < RCP_AES_BLOCK)
        memcpy(out + head, last, RCP_AES_BLOCK - pad);
    *out_len = plain;
out:
    rcp_wipe(last, sizeof last);
    rcp_wipe(chain, sizeof chain);
    rcp_wipe(ct_last, sizeof ct_last);
    return ret;
}

/* ------------------------------------------------------------------ CTR */

int rcp_aes_ctr(const uint8_t *key, size_t key_len, const uint8_t icb[RCP_AES_BLOCK],
                const uint8_t *in, size_t len, uint8_t *out)
{
    if (key == NULL || icb == NULL || ((in == NULL || out == NULL) && len != 0))
        return RCP_ERR_INVALID_ARG;
    const EVP_CIPHER *c = aes_cipher("ctr", key_len);
    if (c == NULL)
        return RCP_ERR_KEY_INVALID;
    if (len == 0)
        return RCP_OK;
    /* SP 800-38A 6.5 with the B.1 standard incrementing function over the
     * whole 128-bit block (OpenSSL carries out of the low 32 bits). */
    return evp_crypt(c, 1, key, icb, in, len, out);
}

/* ------------------------------------------------------------------ GCM */

/* GF(2^128) in the bit order of SP 800-38D 6.3: bit 0 is the most significant
 * bit of byte 0.  hi holds bytes 0..7, lo bytes 8..15, both big-endian. */
typedef struct {
    uint64_t hi, lo;
} gf128;

static gf128 gf_load(const uint8_t b[16])
{
    gf128 x = {0, 0};
    for (int i = 0; i < 8; i++) {
        x.hi = x.hi << 8 | b[i];
        x.lo = x.lo << 8 | b[8 + i];
    }
    return x;
}

static void gf_store(uint8_t b[16], gf128 x)
{
    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)x.hi;
        b[8 + i] = (uint8_t)x.lo;
        x.hi >>= 8;
        x.lo >>= 8;
    }
}

/* X * Y, SP 800-38D 6.3 Algorithm 1, with masks instead of branches so the
 * time does not depend on the (secret) hash subkey. */
static gf128 gf_mul(gf128 x, gf128 y)
{
    gf128 z = {0, 0}, v = y;
    for (int i = 0; i < 128; i++) {
        uint64_t xi = i < 64 ? x.hi >> (63 - i) : x.lo >> (127 - i);
        uint64_t m = 0 - (xi & 1);
        z.hi ^= v.hi & m;
        z.lo ^= v.lo & m;
        uint64_t carry = 0 - (v.lo & 1);
        v.lo = v.lo >> 1 | v.hi << 63;
        v.hi = v.hi >> 1 ^ (carry & 0xe100000000000000ull); /* R = 11100001 || 0^120 */
    }
    return z;
}

/* Inverse by Fermat: h^(2^128 - 2) = prod_{i=1..127} h^(2^i).  h = 0 maps
 * to 0 (the caller handles that case). */
static gf128 gf_inv(gf128 h)
{
    gf128 acc = {0x8000000000000000ull, 0}; /* the element 1 */
    gf128 sq = h;
    for (int i = 1; i < 128; i++) {
        sq = gf_mul(sq, sq);
        acc = gf_mul(acc, sq);
    }
    return acc;
}

/*
 * OpenSSL 3.0 refuses GCM IVs longer than 128 bytes, but SP 800-38D 7.1
 * allows any length up to 2^64 - 1 bits.  For such an IV we compute
 * J0 = GHASH_H(IV || 0^(s+64) || [len(IV)]_64) ourselves (SP 800-38D 7.1
 * step 2) and find the 16-byte IV' with the same J0:  for a 16-byte IV,
 * J0' = ((IV' * H) ^ L) * H with L = 0^64 || [128]_64, so
 * IV' = ((J0 * H^-1) ^ L) * H^-1.  Encryption and the tag depend on the IV
 * only through J0 (steps 3-6), so GCM with IV' is GCM with IV.
 */
static int gcm_long_iv(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                       uint8_t equiv[GCM_IV_LONG_EQUIV])
{
    int ret;
    uint8_t hbuf[16] = {0}, block[16];
    gf128 h, hinv, y = {0, 0};
    ret = rcp_aes_ecb_encrypt(key, key_len, hbuf, 16, hbuf); /* H = CIPH_K(0^128) */
    if (ret)
        goto out;
    h = gf_load(hbuf);
    for (size_t off = 0; off < iv_len; off += 16) {
        size_t take = iv_len - off < 16 ? iv_len - off : 16;
        memset(block, 0, sizeof block);
        memcpy(block, iv + off, take);
        gf128 xb = gf_load(block);
        y.hi ^= xb.hi;
        y.lo ^= xb.lo;
        y = gf_mul(y, h);
    }
    y.lo ^= (uint64_t)iv_len * 8; /* 0^64 || [len(IV)]_64 */
    y = gf_mul(y, h);             /* y = J0 */
    hinv = gf_inv(h);
    y = gf_mul(y, hinv);
    y.lo ^= 128; /* L for a 128-bit IV */
    y = gf_mul(y, hinv);
    gf_store(equiv, y);
    ret = RCP_OK;
out:
    rcp_wipe(hbuf, sizeof hbuf);
    rcp_wipe(block, sizeof block);
    rcp_wipe(&h, sizeof h);
    rcp_wipe(&hinv, sizeof hinv);
    rcp_wipe(&y, sizeof y);
    return ret;
}

/* Shared GCM driver: enc = 1 encrypts and writes tag; enc = 0 decrypts and
 * checks tag (OpenSSL compares it in constant time). */
static int gcm(int enc, const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
               const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
               uint8_t *tag, size_t tag_len)
{
    int ret = RCP_ERR_CRYPTO;
    uint8_t equiv[GCM_IV_LONG_EQUIV];
    uint8_t fin[RCP_AES_BLOCK]; /* GCM's final step writes no bytes */
    EVP_CIPHER_CTX *ctx = NULL;
    if (key == NULL || iv == NULL || tag == NULL || (aad == NULL && aad_len != 0) ||
        ((in == NULL || out == NULL) && len != 0))
        return RCP_ERR_INVALID_ARG;
    const EVP_CIPHER *c = aes_cipher("gcm", key_len);
    if (c == NULL)
        return RCP_ERR_KEY_INVALID;
    /* SP 800-38D 5.2.1.1: IV of at least 1 bit (we take whole bytes);
     * 5.2.1.2: tag lengths 128..96, and 64/32 for some applications. */
    if (iv_len == 0 || tag_len < GCM_TAG_MIN || tag_len > RCP_GCM_TAG_MAX)
        return RCP_ERR_INVALID_ARG;
    if (iv_len > GCM_OPENSSL_IV_MAX) {
        ret = gcm_long_iv(key, key_len, iv, iv_len, equiv);
        if (ret)
            goto out;
        iv = equiv;
        iv_len = sizeof equiv;
        ret = RCP_ERR_CRYPTO;
    }
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        ret = RCP_ERR_NO_MEMORY;
        goto out;
    }
    if (EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, enc) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)iv_len, NULL) != 1 ||
        EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1)
        goto out;
    int got = 0;
    for (size_t done = 0; done < aad_len;) {
        size_t chunk = aad_len - done < EVP_CHUNK ? aad_len - done : EVP_CHUNK;
        if (EVP_CipherUpdate(ctx, NULL, &got, aad + done, (int)chunk) != 1)
            goto out;
        done += chunk;
    }
    for (size_t done = 0; done < len;) {
        size_t chunk = len - done < EVP_CHUNK ? len - done : EVP_CHUNK;
        if (EVP_CipherUpdate(ctx, out + done, &got, in + done, (int)chunk) != 1 ||
            (size_t)got != chunk)
            goto out;
        done += chunk;
    }
    if (enc) {
        if (EVP_CipherFinal_ex(ctx, fin, &got) != 1 || got != 0 ||
            EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, (int)tag_len, tag) != 1)
            goto out;
    } else {
        if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, (int)tag_len, tag) != 1)
            goto out;
        if (EVP_CipherFinal_ex(ctx, fin, &got) != 1 || got != 0) {
            ret = RCP_ERR_AUTH; /* SP 800-38D 7.2 step 8: return FAIL */
            goto out;
        }
    }
    ret = RCP_OK;
out:
    if (ret != RCP_OK && len != 0 && out != NULL)
        rcp_wipe(out, len); /* no unauthenticated plaintext leaves */
    EVP_CIPHER_CTX_free(ctx);
    rcp_wipe(equiv, sizeof equiv);
    return ret;
}

int rcp_aes_gcm_encrypt(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                        const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                        uint8_t *out, uint8_t *tag, size_t tag_len)
{
    return gcm(1, key, key_len, iv, iv_len, aad, aad_len, in, len, out, tag, tag_len);
}

int rcp_aes_gcm_decrypt(const uint8_t *key, size_t key_len, const uint8_t *iv, size_t iv_len,
                        const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                        const uint8_t *tag, size_t tag_len, uint8_t *out)
{
    /* gcm() only reads the tag when decrypting. */
    return gcm(0, key, key_len, iv, iv_len, aad, aad_len, in, len, out, (uint8_t *)tag, tag_len);
}

/* ----------------------------------------------------------------- CMAC */

int rcp_aes_cmac(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                 uint8_t out[RCP_CMAC_LEN])
{
    int ret = RCP_ERR_CRYPTO;
    if (key == NULL || out == NULL || (msg == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    const char *cipher = key_len == 16   ? "AES-128-CBC"
                         : key_len == 24 ? "AES-192-CBC"
                         : key_len == 32 ? "AES-256-CBC"
                                         : NULL;
    if (cipher == NULL)
        return RCP_ERR_KEY_INVALID;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    if (ctx == NULL) {
        ret = RCP_ERR_NO_MEMORY;
        goto out;
    }
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)cipher, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(ctx, key, key_len, params) != 1) /* SP 800-38B 6.1 subkeys */
        goto out;
    for (size_t done = 0; done < len;) {
        size_t chunk = len - done < EVP_CHUNK ? len - done : EVP_CHUNK;
        if (EVP_MAC_update(ctx, msg + done, chunk) != 1)
            goto out;
        done += chunk;
    }
    size_t got = 0;
    if (EVP_MAC_final(ctx, out, &got, RCP_CMAC_LEN) != 1 || got != RCP_CMAC_LEN)
        goto out;
    ret = RCP_OK; /* SP 800-38B 6.2, Tlen = 128 */
out:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ret;
}
