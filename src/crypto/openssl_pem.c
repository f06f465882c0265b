/*
 * PKCS#8 PEM import and export of EC private keys (rcprov/x509.h):
 * PrivateKeyInfo of RFC 5208 / OneAsymmetricKey of RFC 5958 holding an
 * ECPrivateKey of RFC 5915 with a namedCurve (RFC 5480 2.1.1), armoured as
 * PEM "PRIVATE KEY" (RFC 7468 10).  Only unencrypted keys: rcprov keeps
 * key files readable by their owner alone (mode 0600) and never asks for a
 * password.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "openssl_internal.h"
#include "rcprov/bytes.h"
#include "rcprov/x509.h"

#define PEM_LABEL_PKCS8 "PRIVATE KEY"               /* RFC 7468 10 */
#define PEM_LABEL_PKCS8_ENC "ENCRYPTED PRIVATE KEY" /* RFC 7468 11 */

int rcp_ec_key_to_pkcs8_pem(const rcp_ec_key *key, char *out, size_t cap, size_t *out_len)
{
    int ret = RCP_ERR_CRYPTO;
    char *p = NULL;
    BIO *b = NULL;
    if (key == NULL || out == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    rcp_curve c = rcp_ec_key_curve(key);
    if (c == RCP_CURVE_X25519 || c == RCP_CURVE_NONE)
        return RCP_ERR_UNSUPPORTED;
    if (!rcp_ec_key_has_private(key))
        return RCP_ERR_INVALID_ARG;
    /* Secure-heap memory BIO: the encoding is cleared when freed. */
    b = BIO_new(BIO_s_secmem());
    if (b == NULL) {
        ret = RCP_ERR_NO_MEMORY;
        goto out;
    }
    /* No cipher: an unencrypted PrivateKeyInfo. */
    if (PEM_write_bio_PKCS8PrivateKey(b, rcp_ec_key_evp(key), NULL, NULL, 0, NULL, NULL) != 1)
        goto out;
    long n = BIO_get_mem_data(b, &p);
    if (n <= 0 || p == NULL)
        goto out;
    if (cap < (size_t)n + 1) {
        ret = RCP_ERR_BUFFER_TOO_SMALL;
        goto out;
    }
    memcpy(out, p, (size_t)n);
    out[n] = '\0';
    *out_len = (size_t)n;
    ret = RCP_OK;
out:
    ERR_clear_error();
    BIO_free(b);
    return ret;
}

int rcp_ec_key_from_pkcs8_pem(const char *pem, size_t len, rcp_ec_key **out)
{
    int ret = RCP_ERR_DECODE;
    BIO *b = NULL;
    char *name = NULL, *hdr = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    PKCS8_PRIV_KEY_INFO *p8 = NULL;
    EVP_PKEY *pk = NULL;
    if (out == NULL)
        return RCP_ERR_INVALID_ARG;
    *out = NULL;
    if (pem == NULL || len > 65536)
        return pem == NULL ? RCP_ERR_INVALID_ARG : RCP_ERR_LENGTH;
    b = BIO_new_mem_buf(pem, (int)len);
    if (b == NULL) {
        ret = RCP_ERR_NO_MEMORY;
        goto out;
    }
    /* The first key block; other blocks (certificates) are skipped.  PEM
     * decoding only: no password callback can run. */
    for (;;) {
        if (PEM_read_bio(b, &name, &hdr, &data, &dlen) != 1)
            goto out; /* none, or a broken block */
        if (strcmp(name, PEM_LABEL_PKCS8) == 0)
            break;
        if (strcmp(name, PEM_LABEL_PKCS8_ENC) == 0 || strstr(name, "PRIVATE KEY") != NULL) {
            ret = RCP_ERR_UNSUPPORTED; /* encrypted, or not PKCS#8 ("EC PRIVATE KEY") */
            goto out;
        }
        OPENSSL_free(name);
        OPENSSL_free(hdr);
        OPENSSL_clear_free(data, (size_t)dlen);
        name = hdr = NULL;
        data = NULL;
    }
    if (hdr != NULL && hdr[0] != '\0') {
        ret = RCP_ERR_UNSUPPORTED; /* RFC 1421 encryption headers */
        goto out;
    }
    const unsigned char *p = data;
    p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, dlen);
    if (p8 == NULL || p != data + dlen)
        goto out;
    const ASN1_OBJECT *alg = NULL;
    if (PKCS8_pkey_get0(&alg, NULL, NULL, NULL, p8) != 1 ||
        OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey) {
        ret = RCP_ERR_UNSUPPORTED; /* RFC 5480 2.1.1: id-ecPublicKey only */
        goto out;
    }
    pk = EVP_PKCS82PKEY(p8);
    if (pk == NULL) {
        ret = RCP_ERR_KEY_INVALID; /* ECPrivateKey malformed, or its point off the curve */
        goto out;
    }
    ret = rcp_ec_key_from_evp(pk, out);
    if (ret == 0 && !rcp_ec_key_has_private(*out)) {
        rcp_ec_key_free(*out);
        *out = NULL;
        ret = RCP_ERR_DECODE;
    }
out:
    ERR_clear_error();
    EVP_PKEY_free(pk);
    PKCS8_PRIV_KEY_INFO_free(p8); /* clears the key octets */
    OPENSSL_free(name);
    OPENSSL_free(hdr);
    if (data != NULL)
        OPENSSL_clear_free(data, (size_t)dlen);
    BIO_free(b);
    return ret;
}
