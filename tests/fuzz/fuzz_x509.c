/*
 * Fuzz target: the X.509 certificate and CRL decoders (rcprov/x509.h).
 *
 * The first byte chooses: certificate from DER, PEM/DER bundle reader, CRL
 * reader, or the cached fast-path verifier against a fixed store.  Any
 * input is either refused with a documented error or yields an object
 * whose DER re-encoding parses again to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_walk.h"
#include "rcprov/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rcp_x509_store *fixed_store(void)
{
    static rcp_x509_store *st;
    if (st == NULL) {
        rcp_ec_key *k = NULL;
        rcp_x509 *root = NULL;
        rcp_x509_why why;
        uint8_t d[32];
        memset(d, 0x22, sizeof d);
        rcp_x509_template t = {
            (const uint8_t *)"\x01", 1,    "fuzz root", NULL,        RCP_X509_USAGE_CA,
            RCP_X509_PATHLEN_NONE,   NULL, 0,           4000000000LL};
        if (rcp_ec_key_from_private(RCP_CURVE_P256, d, sizeof d, &k) != 0)
            abort();
        t.subject_key = k;
        if (rcp_x509_issue(&t, NULL, k, &root) != 0 || rcp_x509_store_new(&st) != 0 ||
            rcp_x509_store_add_anchor(st, root, &why) != 0)
            abort();
        rcp_x509_free(root);
        rcp_ec_key_free(k);
    }
    return st;
}

static void check_cert(rcp_x509 *c)
{
    size_t len = 0;
    const uint8_t *der = rcp_x509_der(c, &len);
    FUZZ_ASSERT(der != NULL && len > 0);
    rcp_x509 *again = NULL;
    FUZZ_ASSERT(rcp_x509_from_der(der, len, &again) == 0);
    size_t len2 = 0;
    const uint8_t *der2 = rcp_x509_der(again, &len2);
    FUZZ_ASSERT(len2 == len && memcmp(der, der2, len) == 0);
    rcp_x509_info info;
    (void)rcp_x509_get_info(c, &info);
    rcp_ec_key *k = NULL;
    if (rcp_x509_public_key(c, &k) == 0)
        rcp_ec_key_free(k);
    rcp_x509_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    switch (data[0] & 3) {
    case 0: {
        rcp_x509 *c = NULL;
        int r = rcp_x509_from_der(in, n, &c);
        FUZZ_ASSERT(r == 0 || r == RCP_ERR_DECODE || r == RCP_ERR_LENGTH ||
                    r == RCP_ERR_INVALID_ARG);
        if (r == 0) {
            check_cert(c);
            rcp_x509_free(c);
        } else {
            FUZZ_ASSERT(c == NULL);
        }
        break;
    }
    case 1: {
        rcp_x509 *certs[4] = {NULL};
        size_t count = 0;
        if (rcp_x509_read(in, n, certs, 4, &count) == 0) {
            FUZZ_ASSERT(count <= 4);
            for (size_t i = 0; i < count; i++) {
                check_cert(certs[i]);
                rcp_x509_free(certs[i]);
            }
        }
        break;
    }
    case 2: {
        rcp_x509_crl *crl = NULL;
        if (rcp_x509_crl_read(in, n, &crl) == 0) {
            rcp_x509_crl_info info;
            size_t len = 0;
            FUZZ_ASSERT(rcp_x509_crl_der(crl, &len) != NULL && len > 0);
            (void)rcp_x509_crl_get_info(crl, &info);
            (void)rcp_x509_crl_lists(crl, (const uint8_t *)"\x01", 1);
            rcp_x509_crl_free(crl);
        }
        break;
    }
    default: {
        rcp_x509_why why;
        rcp_ec_key *k = NULL;
        int r = rcp_x509_store_verify_cached(fixed_store(), in, n, 2000000000LL, RCP_X509_USAGE_ANY,
                                             &k, &why);
        /* The fuzzer cannot forge a signature by the fixed root. */
        FUZZ_ASSERT(r != 0 && k == NULL);
        break;
    }
    }
    return 0;
}
