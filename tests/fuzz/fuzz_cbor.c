/*
 * Fuzz target: the CBOR validator and cursor (rcprov/cbor.h).
 *
 * Any input: the validator either accepts it or names a reason that agrees
 * with its error code.  An accepted input is read item by item with the
 * cursor, re-encoded, and must come back byte for byte (the profile admits
 * one encoding per value).  Looser limits and allowed tags accept a
 * superset.
 */
#include "fuzz_walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rcp_cbor_diag d;
    int r = rcp_cbor_validate(data, size, NULL, &d);
    if (r != 0) {
        FUZZ_ASSERT(r == fuzz_reason_code(d.reason));
        FUZZ_ASSERT(d.offset <= size);
    } else {
        FUZZ_ASSERT(d.reason == RCP_CBOR_OK);

        /* decode, walk, re-encode into a buffer of exactly the input size */
        uint8_t *out = malloc(size);
        FUZZ_ASSERT(out != NULL);
        rcp_cbor_cursor c;
        rcp_cbor_enc e;
        size_t n = 0;
        FUZZ_ASSERT(rcp_cbor_decode_init(&c, data, size, NULL) == 0);
        rcp_cbor_enc_init(&e, out, size);
        fuzz_walk(&c, &e);
        FUZZ_ASSERT(rcp_cbor_enc_finish(&e, &n) == 0);
        FUZZ_ASSERT(n == size && memcmp(out, data, size) == 0);
        free(out);

        /* the same bytes as one raw item */
        uint8_t wrapped[RCP_CBOR_HEAD_MAX + 64];
        if (size <= 64) {
            rcp_cbor_enc_init(&e, wrapped, sizeof wrapped);
            rcp_cbor_enc_bstr_wrap_begin(&e);
            rcp_cbor_enc_raw(&e, data, size);
            const uint8_t *inner = NULL;
            size_t inner_len = 0;
            rcp_cbor_enc_bstr_wrap_end(&e, &inner, &inner_len);
            FUZZ_ASSERT(rcp_cbor_enc_finish(&e, &n) == 0);
            FUZZ_ASSERT(inner_len == size && memcmp(inner, data, size) == 0);
        }

        /* the size limit is exact */
        rcp_cbor_limits lim = RCP_CBOR_LIMITS_DEFAULT;
        lim.max_size = size;
        FUZZ_ASSERT(rcp_cbor_validate(data, size, &lim, NULL) == 0);
        lim.max_size = size - 1;
        FUZZ_ASSERT(rcp_cbor_validate(data, size, &lim, &d) == RCP_ERR_LIMIT);
        FUZZ_ASSERT(d.reason == RCP_CBOR_SIZE);
    }

    /* the widest limits, tags allowed: accept at least what the defaults
     * accepted, and walk whatever they accept */
    const rcp_cbor_limits wide = {SIZE_MAX, RCP_CBOR_MAX_DEPTH, UINT32_MAX, true};
    rcp_cbor_diag dw;
    int rw = rcp_cbor_validate(data, size, &wide, &dw);
    if (r == 0)
        FUZZ_ASSERT(rw == 0);
    if (rw != 0) {
        FUZZ_ASSERT(rw == fuzz_reason_code(dw.reason));
        FUZZ_ASSERT(dw.reason != RCP_CBOR_TAG && dw.reason != RCP_CBOR_SIZE);
        return 0;
    }
    rcp_cbor_cursor c;
    FUZZ_ASSERT(rcp_cbor_decode_init(&c, data, size, &wide) == 0);
    fuzz_walk(&c, NULL);
    return 0;
}
