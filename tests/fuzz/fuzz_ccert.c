/*
 * Fuzz target: the compact certificate and CRL decoders (rcprov/cert.h).
 *
 * Any input either decodes into fields that satisfy the format's rules (and
 * whose tbs and signature lie inside the input), or is refused with the
 * CBOR profile's errors or RCP_ERR_CERT.  The first input byte chooses the
 * decoder, so one corpus serves both.  A decoded certificate's signature is
 * checked against a fixed key: it must never verify (the fuzzer cannot
 * forge ECDSA), and checking must not crash.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_walk.h"
#include "rcprov/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rcp_ec_key *fixed_key(void)
{
    static rcp_ec_key *key;
    if (key == NULL) {
        uint8_t d[32];
        memset(d, 0x11, sizeof d);
        if (rcp_ec_key_from_private(RCP_CURVE_P256, d, sizeof d, &key) != 0)
            abort();
    }
    return key;
}

static int within(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
    return p >= data && n <= size && p + n <= data + size;
}

static void check_cert(const uint8_t *data, size_t size)
{
    rcp_ccert c;
    int r = rcp_ccert_decode(data, size, &c);
    if (r != 0) {
        FUZZ_ASSERT(r == RCP_ERR_DECODE || r == RCP_ERR_LIMIT || r == RCP_ERR_UNSUPPORTED ||
                    r == RCP_ERR_CERT);
        FUZZ_ASSERT(c.tbs == NULL && c.serial == NULL);
        return;
    }
    FUZZ_ASSERT(size <= RCP_CCERT_MAX_LEN);
    FUZZ_ASSERT(within(c.tbs, c.tbs_len, data, size) && within(c.sig, 64, data, size));
    FUZZ_ASSERT(within(c.serial, c.serial_len, data, size));
    FUZZ_ASSERT(c.serial_len >= 1 && c.serial_len <= RCP_CCERT_SERIAL_MAX);
    FUZZ_ASSERT(c.subject_len >= 1 && c.subject_len <= RCP_CCERT_SUBJECT_MAX);
    FUZZ_ASSERT(rcp_key_usage_name(c.usage) != NULL);
    FUZZ_ASSERT(c.curve == RCP_CURVE_P256 || c.curve == RCP_CURVE_BP256R1);
    FUZZ_ASSERT(c.pk[0] == 2 || c.pk[0] == 3);
    FUZZ_ASSERT(c.not_before <= c.not_after);
    FUZZ_ASSERT(within(c.attrs, c.attrs_len, data, size) && c.attrs_len <= RCP_CCERT_ATTRS_MAX);
    FUZZ_ASSERT(rcp_ccert_check_sig(&c, fixed_key()) == RCP_ERR_SIGNATURE);
    /* The point may or may not be on the curve; importing must say which. */
    rcp_ec_key *k = NULL;
    int kr = rcp_ccert_key(&c, &k);
    FUZZ_ASSERT(kr == 0 || kr == RCP_ERR_POINT_INVALID);
    rcp_ec_key_free(k);
}

static void check_crl(const uint8_t *data, size_t size)
{
    rcp_ccrl l;
    int r = rcp_ccrl_decode(data, size, &l);
    if (r != 0) {
        FUZZ_ASSERT(r == RCP_ERR_DECODE || r == RCP_ERR_LIMIT || r == RCP_ERR_UNSUPPORTED ||
                    r == RCP_ERR_CERT);
        FUZZ_ASSERT(l.tbs == NULL);
        return;
    }
    FUZZ_ASSERT(l.this_update <= l.next_update && l.n_revoked <= RCP_CCRL_MAX_REVOKED);
    FUZZ_ASSERT(within(l.tbs, l.tbs_len, data, size) && within(l.sig, 64, data, size));
    FUZZ_ASSERT(within(l.revoked, l.revoked_len, data, size));
    (void)rcp_ccrl_lists(&l, (const uint8_t *)"\x01", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        check_crl(data + 1, size - 1);
    else
        check_cert(data + 1, size - 1);
    return 0;
}
