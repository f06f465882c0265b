/* SHA-256, HMAC, the system RNG and the deterministic HMAC_DRBG, over OpenSSL 3. */
#include <pthread.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

/* Algorithms fetched once: OpenSSL 3 otherwise looks each one up in its
 * provider store on every call, which costs more than hashing a short
 * message.  HMAC keeps a template context per digest (digest already set),
 * duplicated for each call. */
static EVP_MD *g_sha256;
static EVP_MAC_CTX *g_hmac_sha256, *g_hmac_sha1;
static pthread_once_t g_fetch_once = PTHREAD_ONCE_INIT;

static EVP_MAC_CTX *hmac_template(EVP_MAC *mac, const char *digest)
{
    OSSL_PARAM params[2];
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (ctx != NULL && EVP_MAC_CTX_set_params(ctx, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

static void fetch_once(void)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    g_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    g_hmac_sha256 = hmac_template(mac, "SHA256");
    g_hmac_sha1 = hmac_template(mac, "SHA1");
    EVP_MAC_free(mac); /* the contexts hold their own references */
}

static int fetched(void)
{
    return pthread_once(&g_fetch_once, fetch_once) == 0 && g_sha256 && g_hmac_sha256 && g_hmac_sha1;
}

int rcp_sha256_v(const rcp_iov *parts, size_t n, uint8_t out[RCP_SHA256_LEN])
{
    int ret = RCP_ERR_CRYPTO;
    if (out == NULL || (parts == NULL && n != 0))
        return RCP_ERR_INVALID_ARG;
    if (!fetched())
        return RCP_ERR_CRYPTO;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return RCP_ERR_NO_MEMORY;
    if (EVP_DigestInit_ex(ctx, g_sha256, NULL) != 1)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (parts[i].len && EVP_DigestUpdate(ctx, parts[i].data, parts[i].len) != 1)
            goto out;
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != RCP_SHA256_LEN)
        goto out;
    ret = RCP_OK;
out:
    EVP_MD_CTX_free(ctx);
    return ret;
}

int rcp_sha256(const uint8_t *msg, size_t len, uint8_t out[RCP_SHA256_LEN])
{
    if (msg == NULL && len != 0)
        return RCP_ERR_INVALID_ARG;
    rcp_iov part = {msg, len};
    return rcp_sha256_v(&part, 1, out);
}

/* HMAC over a list of parts with the EVP_MAC API (one code path for SHA-1
 * and SHA-256). */
static int hmac_v(const char *digest, const uint8_t *key, size_t key_len, const rcp_iov *parts,
                  size_t n, uint8_t *out, size_t out_len)
{
    int ret = RCP_ERR_CRYPTO;
    static const uint8_t empty_key[1] = {0};
    if (out == NULL || (key == NULL && key_len != 0) || (parts == NULL && n != 0))
        return RCP_ERR_INVALID_ARG;
    if (!fetched())
        return RCP_ERR_CRYPTO;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(strcmp(digest, "SHA1") == 0 ? g_hmac_sha1 : g_hmac_sha256);
    if (ctx == NULL)
        return RCP_ERR_NO_MEMORY;
    /* OpenSSL refuses a NULL key pointer; an empty key is valid HMAC. */
    if (EVP_MAC_init(ctx, key_len ? key : empty_key, key_len, NULL) != 1)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (parts[i].len && EVP_MAC_update(ctx, parts[i].data, parts[i].len) != 1)
            goto out;
    size_t got = 0;
    if (EVP_MAC_final(ctx, out, &got, out_len) != 1 || got != out_len)
        goto out;
    ret = RCP_OK;
out:
    EVP_MAC_CTX_free(ctx);
    return ret;
}

int rcp_hmac_sha256_v(const uint8_t *key, size_t key_len, const rcp_iov *parts, size_t n,
                      uint8_t out[RCP_SHA256_LEN])
{
    return hmac_v("SHA256", key, key_len, parts, n, out, RCP_SHA256_LEN);
}

int rcp_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                    uint8_t out[RCP_SHA256_LEN])
{
    if (msg == NULL && len != 0)
        return RCP_ERR_INVALID_ARG;
    rcp_iov part = {msg, len};
    return hmac_v("SHA256", key, key_len, &part, 1, out, RCP_SHA256_LEN);
}

int rcp_hmac_sha1(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
                  uint8_t out[RCP_SHA1_LEN])
{
    if (msg == NULL && len != 0)
        return RCP_ERR_INVALID_ARG;
    rcp_iov part = {msg, len};
    return hmac_v("SHA1", key, key_len, &part, 1, out, RCP_SHA1_LEN);
}

/* ------------------------------------------------------------ system RNG */

static int system_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        int chunk = len > 1u << 20 ? 1 << 20 : (int)len;
        if (RAND_bytes(out, chunk) != 1)
            return RCP_ERR_RNG;
        out += chunk;
        len -= (size_t)chunk;
    }
    return RCP_OK;
}

static const rcp_rng k_system_rng = {system_fill, NULL};

const rcp_rng *rcp_rng_system(void)
{
    return &k_system_rng;
}

/* --------------------------------------------------- HMAC_DRBG (SP 800-90A) */

/* HMAC_DRBG_Update (SP 800-90A 10.1.2.2). */
static int drbg_update(rcp_drbg *d, const uint8_t *data, size_t len)
{
    int ret;
    for (uint8_t round = 0; round < 2; round++) {
        rcp_iov parts[3] = {{d->v, sizeof d->v}, {&round, 1}, {data, len}};
        ret = rcp_hmac_sha256_v(d->k, sizeof d->k, parts, len ? 3 : 2, d->k);
        if (ret)
            return ret;
        ret = rcp_hmac_sha256(d->k, sizeof d->k, d->v, sizeof d->v, d->v);
        if (ret)
            return ret;
        if (len == 0)
            break;
    }
    return RCP_OK;
}

static int drbg_fill(void *ctx, uint8_t *out, size_t len)
{
    rcp_drbg *d = ctx;
    while (len > 0) {
        int ret = rcp_hmac_sha256(d->k, sizeof d->k, d->v, sizeof d->v, d->v);
        if (ret)
            return ret;
        size_t take = len < sizeof d->v ? len : sizeof d->v;
        memcpy(out, d->v, take);
        out += take;
        len -= take;
    }
    return drbg_update(d, NULL, 0);
}

int rcp_drbg_init(rcp_drbg *d, const uint8_t *seed, size_t seed_len)
{
    if (d == NULL || (seed == NULL && seed_len != 0))
        return RCP_ERR_INVALID_ARG;
    memset(d->k, 0x00, sizeof d->k);
    memset(d->v, 0x01, sizeof d->v);
    d->rng.fill = drbg_fill;
    d->rng.ctx = d;
    return drbg_update(d, seed, seed_len);
}

void rcp_drbg_wipe(rcp_drbg *d)
{
    if (d)
        rcp_wipe(d, sizeof *d);
}
