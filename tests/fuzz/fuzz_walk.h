/*
 * Helpers shared by the fuzz targets (a header, so that the fuzz_*.c glob
 * does not make it a target): invariant checks and a walker that reads
 * every item of a cursor and can write it again.
 */
#ifndef RCP_FUZZ_WALK_H
#define RCP_FUZZ_WALK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcprov/cbor.h"

/* A broken invariant is a crash, so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The error code each validator reason must come with (rcprov/cbor.h). */
static inline int fuzz_reason_code(enum rcp_cbor_reason why)
{
    switch (why) {
    case RCP_CBOR_TRUNCATED:
    case RCP_CBOR_TRAILING:
    case RCP_CBOR_MALFORMED:
    case RCP_CBOR_INDEFINITE:
    case RCP_CBOR_NON_SHORTEST:
    case RCP_CBOR_DUPLICATE_KEY:
    case RCP_CBOR_UNSORTED_KEY:
    case RCP_CBOR_BAD_UTF8:
        return RCP_ERR_DECODE;
    case RCP_CBOR_FLOAT:
    case RCP_CBOR_SIMPLE:
    case RCP_CBOR_TAG:
        return RCP_ERR_UNSUPPORTED;
    case RCP_CBOR_SIZE:
    case RCP_CBOR_DEPTH:
    case RCP_CBOR_ITEMS:
        return RCP_ERR_LIMIT;
    default:
        return 1; /* never an error code: any other reason breaks the check */
    }
}

/* Map lookups on the map that is the next item of c: a value found lies
 * inside the map, and lookups never move c. */
static inline void fuzz_probe_map(const rcp_cbor_cursor *c)
{
    static const int64_t keys[] = {0, 1, 2, 23, 24, -1, -25, INT64_MIN, INT64_MAX};
    rcp_cbor_cursor whole = *c, value;
    FUZZ_ASSERT(rcp_cbor_enter(&whole, &value) == 0);
    size_t lo = value.base, hi = value.base + value.len;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        size_t before = rcp_cbor_offset(c);
        int r = rcp_cbor_map_find_int(c, keys[k], &value);
        FUZZ_ASSERT(rcp_cbor_offset(c) == before && c->err == 0);
        if (r == 0) {
            FUZZ_ASSERT(value.base > lo && value.base + value.len <= hi && value.len > 0);
            FUZZ_ASSERT(rcp_cbor_skip(&value) == 0 && rcp_cbor_at_end(&value));
        } else {
            FUZZ_ASSERT(r == RCP_ERR_NOT_FOUND && value.err == RCP_ERR_NOT_FOUND);
        }
    }
}

/*
 * Read every item of c in pre-order and, when e is not NULL, write it again
 * into e.  Every read must succeed on a validated span; each item is also
 * read as the wrong type (on a copy), which must fail without consuming.
 * Tags are read but not written (the encoder has no tags): pass e = NULL
 * for spans that may hold tags.
 */
static inline void fuzz_walk(rcp_cbor_cursor *c, rcp_cbor_enc *e)
{
    while (!rcp_cbor_at_end(c)) {
        FUZZ_ASSERT(c->err == 0);
        enum rcp_cbor_type t = rcp_cbor_peek(c);
        uint64_t u = 0;
        int64_t i = 0;
        size_t n = 0;
        const uint8_t *p = NULL;
        const char *s = NULL;
        bool b = false;

        rcp_cbor_cursor wrong = *c;
        int r =
            t == RCP_CBOR_T_UINT ? rcp_cbor_expect_null(&wrong) : rcp_cbor_expect_uint(&wrong, &u);
        FUZZ_ASSERT(r == RCP_ERR_DECODE && wrong.diag.reason == RCP_CBOR_TYPE);
        FUZZ_ASSERT(wrong.pos == c->pos && u == 0);
        rcp_cbor_cursor skipped = *c;
        FUZZ_ASSERT(rcp_cbor_skip(&skipped) == 0 && skipped.pos > c->pos);

        switch (t) {
        case RCP_CBOR_T_UINT:
            FUZZ_ASSERT(rcp_cbor_expect_uint(c, &u) == 0);
            if (e)
                rcp_cbor_enc_uint(e, u);
            break;
        case RCP_CBOR_T_NEGINT: {
            rcp_cbor_cursor as_int = *c;
            FUZZ_ASSERT(rcp_cbor_expect_negint(c, &u) == 0);
            r = rcp_cbor_expect_int(&as_int, &i);
            if (u <= (uint64_t)INT64_MAX)
                FUZZ_ASSERT(r == 0 && i == -1 - (int64_t)u);
            else
                FUZZ_ASSERT(r == RCP_ERR_RANGE && i == 0);
            if (e)
                rcp_cbor_enc_negint(e, u);
            break;
        }
        case RCP_CBOR_T_BSTR:
            FUZZ_ASSERT(rcp_cbor_expect_bstr(c, &p, &n, 0, SIZE_MAX) == 0);
            FUZZ_ASSERT(p != NULL || n == 0);
            if (e)
                rcp_cbor_enc_bstr(e, p, n);
            break;
        case RCP_CBOR_T_TSTR:
            FUZZ_ASSERT(rcp_cbor_expect_tstr(c, &s, &n, 0, SIZE_MAX) == 0);
            FUZZ_ASSERT(rcp_cbor_utf8_valid((const uint8_t *)s, n));
            if (e)
                rcp_cbor_enc_tstr(e, s, n);
            break;
        case RCP_CBOR_T_ARRAY:
            FUZZ_ASSERT(rcp_cbor_expect_array(c, &n) == 0);
            if (e)
                rcp_cbor_enc_array(e, n);
            break;
        case RCP_CBOR_T_MAP:
            fuzz_probe_map(c);
            FUZZ_ASSERT(rcp_cbor_expect_map(c, &n) == 0);
            if (e)
                rcp_cbor_enc_map(e, n);
            break;
        case RCP_CBOR_T_TAG:
            FUZZ_ASSERT(e == NULL);
            FUZZ_ASSERT(rcp_cbor_expect_tag(c, &u) == 0);
            break;
        case RCP_CBOR_T_BOOL:
            FUZZ_ASSERT(rcp_cbor_expect_bool(c, &b) == 0);
            if (e)
                rcp_cbor_enc_bool(e, b);
            break;
        case RCP_CBOR_T_NULL:
            FUZZ_ASSERT(rcp_cbor_expect_null(c) == 0);
            if (e)
                rcp_cbor_enc_null(e);
            break;
        case RCP_CBOR_T_NONE:
            FUZZ_ASSERT(!"validated span holds an item the cursor cannot read");
            break;
        }
    }
    FUZZ_ASSERT(rcp_cbor_expect_end(c) == 0);
}

#endif
