/* CBOR codec: RFC 8949 Appendix A, every rejection rule, limits, cursor,
 * encoder structure checks, truncation and buffer cuts. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rcprov/cbor.h"

/* ------------------------------------------------------------ helpers */

/* Copy into a heap block of exactly n bytes so ASan sees any overread. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *q = malloc(n ? n : 1);
    if (q == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    if (n)
        memcpy(q, p, n);
    return q;
}

static void check_validate(int line, const char *hex, const rcp_cbor_limits *lim, int want,
                           enum rcp_cbor_reason want_why, size_t want_off)
{
    uint8_t tmp[1024];
    size_t n = rcp_t_hex_str(hex, tmp, sizeof tmp);
    uint8_t *buf = exact_copy(tmp, n);
    rcp_cbor_diag d;
    int r = rcp_cbor_validate(buf, n, lim, &d);
    if (r == want && d.reason == want_why && d.offset == want_off)
        rcp_t_pass++;
    else
        rcp_t_fail_at(__FILE__, line, "%s: got %s (%s) at %zu, want %s (%s) at %zu", hex,
                      rcp_errname(r), rcp_cbor_reason_str(d.reason), d.offset, rcp_errname(want),
                      rcp_cbor_reason_str(want_why), want_off);
    free(buf);
}

#define ACCEPT(hex, lim) check_validate(__LINE__, hex, lim, 0, RCP_CBOR_OK, 0)
#define REJECT(hex, lim, err, why, off) check_validate(__LINE__, hex, lim, err, why, off)

/* Decode an input and re-encode every item it holds; a deterministic
 * decoder and encoder must give back the same bytes. */
static int transcode(const uint8_t *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    rcp_cbor_cursor c;
    rcp_cbor_enc e;
    int r = rcp_cbor_decode_init(&c, in, n, NULL);
    if (r)
        return r;
    rcp_cbor_enc_init(&e, out, cap);
    while (!rcp_cbor_at_end(&c) && c.err == 0) {
        uint64_t u;
        size_t len;
        const uint8_t *p;
        const char *s;
        bool b;
        switch (rcp_cbor_peek(&c)) {
        case RCP_CBOR_T_UINT:
            if (rcp_cbor_expect_uint(&c, &u) == 0)
                rcp_cbor_enc_uint(&e, u);
            break;
        case RCP_CBOR_T_NEGINT:
            if (rcp_cbor_expect_negint(&c, &u) == 0)
                rcp_cbor_enc_negint(&e, u);
            break;
        case RCP_CBOR_T_BSTR:
            if (rcp_cbor_expect_bstr(&c, &p, &len, 0, SIZE_MAX) == 0)
                rcp_cbor_enc_bstr(&e, p, len);
            break;
        case RCP_CBOR_T_TSTR:
            if (rcp_cbor_expect_tstr(&c, &s, &len, 0, SIZE_MAX) == 0)
                rcp_cbor_enc_tstr(&e, s, len);
            break;
        case RCP_CBOR_T_ARRAY:
            if (rcp_cbor_expect_array(&c, &len) == 0)
                rcp_cbor_enc_array(&e, len);
            break;
        case RCP_CBOR_T_MAP:
            if (rcp_cbor_expect_map(&c, &len) == 0)
                rcp_cbor_enc_map(&e, len);
            break;
        case RCP_CBOR_T_BOOL:
            if (rcp_cbor_expect_bool(&c, &b) == 0)
                rcp_cbor_enc_bool(&e, b);
            break;
        case RCP_CBOR_T_NULL:
            if (rcp_cbor_expect_null(&c) == 0)
                rcp_cbor_enc_null(&e);
            break;
        default:
            return RCP_ERR_UNSUPPORTED;
        }
    }
    if (c.err)
        return c.err;
    return rcp_cbor_enc_finish(&e, out_len);
}

/* ------------------------------------------------------------ op lists */

/* A data item described as the sequence of encoder calls that makes it;
 * the same list checks what the cursor reads back. */
enum op_kind {
    OP_END,
    OP_UINT,
    OP_INT,
    OP_NEG,
    OP_BSTR,
    OP_TSTR,
    OP_ARRAY,
    OP_MAP,
    OP_BOOL,
    OP_NULL
};
struct op {
    enum op_kind k;
    uint64_t u;    /* uint value, negint argument, count, bool */
    int64_t i;     /* OP_INT */
    const char *s; /* OP_BSTR: hex; OP_TSTR: UTF-8 text */
};
#define U(v)                                                                                       \
    {                                                                                              \
        OP_UINT, (v), 0, NULL                                                                      \
    }
#define I(v)                                                                                       \
    {                                                                                              \
        OP_INT, 0, (v), NULL                                                                       \
    }
#define NEG(v)                                                                                     \
    {                                                                                              \
        OP_NEG, (v), 0, NULL                                                                       \
    }
#define B(h)                                                                                       \
    {                                                                                              \
        OP_BSTR, 0, 0, (h)                                                                         \
    }
#define T(s)                                                                                       \
    {                                                                                              \
        OP_TSTR, 0, 0, (s)                                                                         \
    }
#define A(n)                                                                                       \
    {                                                                                              \
        OP_ARRAY, (n), 0, NULL                                                                     \
    }
#define M(n)                                                                                       \
    {                                                                                              \
        OP_MAP, (n), 0, NULL                                                                       \
    }
#define BOOL(v)                                                                                    \
    {                                                                                              \
        OP_BOOL, (v), 0, NULL                                                                      \
    }
#define NUL                                                                                        \
    {                                                                                              \
        OP_NULL, 0, 0, NULL                                                                        \
    }
#define OPS(...) ((const struct op[]){__VA_ARGS__, {OP_END, 0, 0, NULL}})

static void run_ops(rcp_cbor_enc *e, const struct op *ops)
{
    uint8_t bin[256];
    for (; ops->k != OP_END; ops++) {
        switch (ops->k) {
        case OP_UINT:
            rcp_cbor_enc_uint(e, ops->u);
            break;
        case OP_INT:
            rcp_cbor_enc_int(e, ops->i);
            break;
        case OP_NEG:
            rcp_cbor_enc_negint(e, ops->u);
            break;
        case OP_BSTR: {
            size_t n = rcp_t_hex_str(ops->s, bin, sizeof bin);
            rcp_cbor_enc_bstr(e, bin, n);
            break;
        }
        case OP_TSTR:
            rcp_cbor_enc_text(e, ops->s);
            break;
        case OP_ARRAY:
            rcp_cbor_enc_array(e, (size_t)ops->u);
            break;
        case OP_MAP:
            rcp_cbor_enc_map(e, (size_t)ops->u);
            break;
        case OP_BOOL:
            rcp_cbor_enc_bool(e, ops->u != 0);
            break;
        case OP_NULL:
            rcp_cbor_enc_null(e);
            break;
        case OP_END:
            break;
        }
    }
}

/* Read the ops back with the cursor; returns true when every value matches. */
static bool read_ops(rcp_cbor_cursor *c, const struct op *ops)
{
    uint8_t bin[256];
    for (; ops->k != OP_END; ops++) {
        uint64_t u;
        int64_t i;
        size_t n, want_n;
        const uint8_t *p;
        const char *s;
        bool b;
        switch (ops->k) {
        case OP_UINT:
            if (rcp_cbor_expect_uint(c, &u) || u != ops->u)
                return false;
            break;
        case OP_INT:
            if (rcp_cbor_expect_int(c, &i) || i != ops->i)
                return false;
            break;
        case OP_NEG:
            if (rcp_cbor_expect_negint(c, &u) || u != ops->u)
                return false;
            break;
        case OP_BSTR:
            want_n = rcp_t_hex_str(ops->s, bin, sizeof bin);
            if (rcp_cbor_expect_bstr(c, &p, &n, 0, SIZE_MAX) || n != want_n ||
                (n && memcmp(p, bin, n) != 0))
                return false;
            break;
        case OP_TSTR:
            if (rcp_cbor_expect_tstr(c, &s, &n, 0, SIZE_MAX) || n != strlen(ops->s) ||
                memcmp(s, ops->s, n) != 0)
                return false;
            break;
        case OP_ARRAY:
            if (rcp_cbor_expect_array(c, &n) || n != ops->u)
                return false;
            break;
        case OP_MAP:
            if (rcp_cbor_expect_map(c, &n) || n != ops->u)
                return false;
            break;
        case OP_BOOL:
            if (rcp_cbor_expect_bool(c, &b) || b != (ops->u != 0))
                return false;
            break;
        case OP_NULL:
            if (rcp_cbor_expect_null(c))
                return false;
            break;
        case OP_END:
            break;
        }
    }
    return rcp_cbor_expect_end(c) == 0;
}

/* ------------------------------------------------------------ Appendix A */

/*
 * RFC 8949 Appendix A, Table 6 ("Examples of Encoded CBOR Data Items"):
 * every example, with the outcome this profile gives it.  The hex strings
 * are copied from the RFC.  Deterministic examples in the profile carry the
 * encoder calls that must produce exactly those bytes.
 */
struct appendix_a {
    const char *hex;
    int err;
    enum rcp_cbor_reason why;
    size_t off;
    const struct op *ops; /* NULL for rejected examples */
};

#define OK_(hex, ops)                                                                              \
    {                                                                                              \
        hex, 0, RCP_CBOR_OK, 0, ops                                                                \
    }
#define NO_(hex, err, why, off)                                                                    \
    {                                                                                              \
        hex, err, why, off, NULL                                                                   \
    }
#define FLOAT_(hex) NO_(hex, RCP_ERR_UNSUPPORTED, RCP_CBOR_FLOAT, 0)
#define TAG_(hex) NO_(hex, RCP_ERR_UNSUPPORTED, RCP_CBOR_TAG, 0)
#define INDEF_(hex, off) NO_(hex, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, off)

static const struct appendix_a k_appendix_a[] = {
    OK_("00", OPS(U(0))),
    OK_("01", OPS(U(1))),
    OK_("0a", OPS(U(10))),
    OK_("17", OPS(U(23))),
    OK_("1818", OPS(U(24))),
    OK_("1819", OPS(U(25))),
    OK_("1864", OPS(U(100))),
    OK_("1903e8", OPS(U(1000))),
    OK_("1a000f4240", OPS(U(1000000))),
    OK_("1b000000e8d4a51000", OPS(U(1000000000000))),
    OK_("1bffffffffffffffff", OPS(U(UINT64_MAX))),
    TAG_("c249010000000000000000"),                  /* 18446744073709551616: bignum tag */
    OK_("3bffffffffffffffff", OPS(NEG(UINT64_MAX))), /* -18446744073709551616 */
    TAG_("c349010000000000000000"),                  /* -18446744073709551617 */
    OK_("20", OPS(I(-1))),
    OK_("29", OPS(I(-10))),
    OK_("3863", OPS(I(-100))),
    OK_("3903e7", OPS(I(-1000))),
    FLOAT_("f90000"),
    FLOAT_("f98000"),
    FLOAT_("f93c00"),
    FLOAT_("fb3ff199999999999a"),
    FLOAT_("f93e00"),
    FLOAT_("f97bff"),
    FLOAT_("fa47c35000"),
    FLOAT_("fa7f7fffff"),
    FLOAT_("fb7e37e43c8800759c"),
    FLOAT_("f90001"),
    FLOAT_("f90400"),
    FLOAT_("f9c400"),
    FLOAT_("fbc010666666666666"),
    FLOAT_("f97c00"),
    FLOAT_("f97e00"),
    FLOAT_("f9fc00"),
    FLOAT_("fa7f800000"),
    FLOAT_("fa7fc00000"),
    FLOAT_("faff800000"),
    FLOAT_("fb7ff0000000000000"),
    FLOAT_("fb7ff8000000000000"),
    FLOAT_("fbfff0000000000000"),
    OK_("f4", OPS(BOOL(0))),
    OK_("f5", OPS(BOOL(1))),
    OK_("f6", OPS(NUL)),
    NO_("f7", RCP_ERR_UNSUPPORTED, RCP_CBOR_SIMPLE, 0),   /* undefined */
    NO_("f0", RCP_ERR_UNSUPPORTED, RCP_CBOR_SIMPLE, 0),   /* simple(16) */
    NO_("f8ff", RCP_ERR_UNSUPPORTED, RCP_CBOR_SIMPLE, 0), /* simple(255) */
    TAG_("c074323031332d30332d32315432303a30343a30305a"),
    TAG_("c11a514b67b0"),
    TAG_("c1fb41d452d9ec200000"),
    TAG_("d74401020304"),
    TAG_("d818456449455446"),
    TAG_("d82076687474703a2f2f7777772e6578616d706c652e636f6d"),
    OK_("40", OPS(B(""))),
    OK_("4401020304", OPS(B("01020304"))),
    OK_("60", OPS(T(""))),
    OK_("6161", OPS(T("a"))),
    OK_("6449455446", OPS(T("IETF"))),
    OK_("62225c", OPS(T("\"\\"))),
    OK_("62c3bc", OPS(T("\xc3\xbc"))),             /* "\u00fc" */
    OK_("63e6b0b4", OPS(T("\xe6\xb0\xb4"))),       /* "\u6c34" */
    OK_("64f0908591", OPS(T("\xf0\x90\x85\x91"))), /* "\ud800\udd51" */
    OK_("80", OPS(A(0))),
    OK_("83010203", OPS(A(3), U(1), U(2), U(3))),
    OK_("8301820203820405", OPS(A(3), U(1), A(2), U(2), U(3), A(2), U(4), U(5))),
    OK_("98190102030405060708090a0b0c0d0e0f101112131415161718181819",
        OPS(A(25), U(1), U(2), U(3), U(4), U(5), U(6), U(7), U(8), U(9), U(10), U(11), U(12), U(13),
            U(14), U(15), U(16), U(17), U(18), U(19), U(20), U(21), U(22), U(23), U(24), U(25))),
    OK_("a0", OPS(M(0))),
    OK_("a201020304", OPS(M(2), U(1), U(2), U(3), U(4))),
    OK_("a26161016162820203", OPS(M(2), T("a"), U(1), T("b"), A(2), U(2), U(3))),
    OK_("826161a161626163", OPS(A(2), T("a"), M(1), T("b"), T("c"))),
    OK_("a56161614161626142616361436164614461656145",
        OPS(M(5), T("a"), T("A"), T("b"), T("B"), T("c"), T("C"), T("d"), T("D"), T("e"), T("E"))),
    INDEF_("5f42010243030405ff", 0),
    INDEF_("7f657374726561646d696e67ff", 0),
    INDEF_("9fff", 0),
    INDEF_("9f018202039f0405ffff", 0),
    INDEF_("9f01820203820405ff", 0),
    INDEF_("83018202039f0405ff", 5),
    INDEF_("83019f0203ff820405", 2),
    INDEF_("9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", 0),
    INDEF_("bf61610161629f0203ffff", 0),
    INDEF_("826161bf61626163ff", 3),
    INDEF_("bf6346756ef563416d7421ff", 0),
};

static void test_appendix_a(void)
{
    size_t accepted = 0;
    for (size_t k = 0; k < sizeof k_appendix_a / sizeof k_appendix_a[0]; k++) {
        const struct appendix_a *t = &k_appendix_a[k];
        check_validate(__LINE__, t->hex, NULL, t->err, t->why, t->off);
        if (t->ops == NULL)
            continue;
        accepted++;
        uint8_t want[64], out[64], again[64];
        size_t want_n = rcp_t_hex_str(t->hex, want, sizeof want), n = 0;

        /* the encoder produces exactly the RFC's bytes */
        rcp_cbor_enc e;
        rcp_cbor_enc_init(&e, out, sizeof out);
        run_ops(&e, t->ops);
        CHECK_OK(rcp_cbor_enc_finish(&e, &n));
        if (n == want_n)
            CHECK_MEM(out, want, n);
        else
            rcp_t_fail_at(__FILE__, __LINE__, "%s: encoded %zu bytes", t->hex, n);

        /* the cursor reads back the same values */
        rcp_cbor_cursor c;
        CHECK_OK(rcp_cbor_decode_init(&c, want, want_n, NULL));
        if (!read_ops(&c, t->ops))
            rcp_t_fail_at(__FILE__, __LINE__, "%s: cursor read other values", t->hex);
        else
            rcp_t_pass++;

        /* decode + re-encode is the identity */
        CHECK_OK(transcode(want, want_n, again, sizeof again, &n));
        CHECK(n == want_n && memcmp(again, want, n) == 0);
    }
    CHECK(accepted == 37);

    /* The tagged examples are well-formed: with tags allowed they pass,
     * except 1(1363896240.5), which holds a float. */
    const rcp_cbor_limits tags = {RCP_CBOR_DEFAULT_MAX_SIZE, 8, 64, true};
    ACCEPT("c249010000000000000000", &tags);
    ACCEPT("c349010000000000000000", &tags);
    ACCEPT("c074323031332d30332d32315432303a30343a30305a", &tags);
    ACCEPT("c11a514b67b0", &tags);
    REJECT("c1fb41d452d9ec200000", &tags, RCP_ERR_UNSUPPORTED, RCP_CBOR_FLOAT, 1);
    ACCEPT("d74401020304", &tags);
    ACCEPT("d818456449455446", &tags);
    ACCEPT("d82076687474703a2f2f7777772e6578616d706c652e636f6d", &tags);
}

/* ------------------------------------------------------------ rejections */

static void test_rejections(void)
{
    static const rcp_cbor_limits tags = {RCP_CBOR_DEFAULT_MAX_SIZE, 8, 64, true};

    /* empty input, trailing bytes */
    REJECT("", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 0);
    REJECT("0000", NULL, RCP_ERR_DECODE, RCP_CBOR_TRAILING, 1);
    REJECT("8301020300", NULL, RCP_ERR_DECODE, RCP_CBOR_TRAILING, 4);
    REJECT("a0f9", NULL, RCP_ERR_DECODE, RCP_CBOR_TRAILING, 1);

    /* indefinite lengths and a stray break */
    REJECT("9f01ff", NULL, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, 0);
    REJECT("bfff", NULL, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, 0);
    REJECT("5fff", NULL, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, 0);
    REJECT("7fff", NULL, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, 0);
    REJECT("ff", NULL, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, 0);
    REJECT("8201ff", NULL, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, 2);

    /* reserved additional information (RFC 8949 3: 28..30; 31 on 0, 1, 6) */
    REJECT("1c", NULL, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 0);
    REJECT("3d", NULL, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 0);
    REJECT("5e", NULL, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 0);
    REJECT("1f", NULL, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 0);
    REJECT("3f", NULL, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 0);
    REJECT("df", &tags, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 0);
    REJECT("fc", NULL, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 0);
    REJECT("8101fe", NULL, RCP_ERR_DECODE, RCP_CBOR_TRAILING, 2);
    REJECT("82011c", NULL, RCP_ERR_DECODE, RCP_CBOR_MALFORMED, 2);

    /* duplicate keys: integer, text, and a complex key */
    REJECT("a201000100", NULL, RCP_ERR_DECODE, RCP_CBOR_DUPLICATE_KEY, 3);
    REJECT("a2616100616100", NULL, RCP_ERR_DECODE, RCP_CBOR_DUPLICATE_KEY, 4);
    REJECT("a28101008101f6", NULL, RCP_ERR_DECODE, RCP_CBOR_DUPLICATE_KEY, 4);
    REJECT("a3000001000100", NULL, RCP_ERR_DECODE, RCP_CBOR_DUPLICATE_KEY, 5);

    /* unsorted keys: bytewise order of the encodings (RFC 8949 4.2.1), not
     * RFC 7049's length-first order: 24 (1818) sorts before -1 (20). */
    REJECT("a202000100", NULL, RCP_ERR_DECODE, RCP_CBOR_UNSORTED_KEY, 3);
    REJECT("a2616200616100", NULL, RCP_ERR_DECODE, RCP_CBOR_UNSORTED_KEY, 4);
    REJECT("a22000181800", NULL, RCP_ERR_DECODE, RCP_CBOR_UNSORTED_KEY, 3);
    ACCEPT("a21818002000", NULL);
    REJECT("a26161000a00", NULL, RCP_ERR_DECODE, RCP_CBOR_UNSORTED_KEY, 4);
    ACCEPT("a20a00616100", NULL);
    ACCEPT("a2616200626161f6", NULL); /* "b" (6162) before "aa" (626161) */
    /* key order is per map: an inner map restarts it */
    ACCEPT("a201a1020003a10100", NULL);

    /* non-shortest heads, one per major type and width */
    REJECT("1817", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("1900ff", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("1a0000ffff", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("1b00000000ffffffff", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("3800", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("3b0000000000000000", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("580100", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("59000100", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("780161", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("9800", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("b800", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("d80100", &tags, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 0);
    REJECT("82011900ff", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 2);
    ACCEPT("18ff", NULL);
    ACCEPT("190100", NULL);
    ACCEPT("1a00010000", NULL);
    ACCEPT("1b0000000100000000", NULL);

    /* bad UTF-8 (RFC 3629) in text strings */
    REJECT("61ff", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 0);
    REJECT("6180", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 0);
    REJECT("62c080", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 0);     /* overlong */
    REJECT("63eda080", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 0);   /* surrogate */
    REJECT("64f4908080", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 0); /* > U+10FFFF */
    REJECT("61c3", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 0);       /* cut sequence */
    REJECT("a1016261ff", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 2);
    ACCEPT("4180", NULL); /* byte strings hold any bytes */

    /* floats, simple values, undefined */
    REJECT("f93c00", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_FLOAT, 0);
    REJECT("fa47c35000", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_FLOAT, 0);
    REJECT("8201fb3ff199999999999a", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_FLOAT, 2);
    REJECT("f7", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_SIMPLE, 0);
    REJECT("e0", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_SIMPLE, 0);
    REJECT("f820", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_SIMPLE, 0);

    /* tags: refused by default, read when allowed (any number, 6..20 too,
     * which libcbor 0.8 alone refuses) */
    REJECT("c001", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_TAG, 0);
    REJECT("8201d82001", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_TAG, 2);
    ACCEPT("c601", &tags);
    ACCEPT("d401", &tags);
    ACCEPT("c1c1c101", &tags);
    REJECT("c1", &tags, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 1);
    /* a tagged key is compared with its tag: 1(1) is c101, after 02 */
    ACCEPT("a20200c10100", &tags);
    REJECT("a2c101000200", &tags, RCP_ERR_DECODE, RCP_CBOR_UNSORTED_KEY, 4);
    REJECT("a2c10100c10100", &tags, RCP_ERR_DECODE, RCP_CBOR_DUPLICATE_KEY, 4);

    /* truncation inside heads, strings and containers */
    REJECT("19", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 0);
    REJECT("1a0001", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 0);
    REJECT("4401", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 0);
    REJECT("5bffffffffffffffff00", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 0);
    REJECT("810001", NULL, RCP_ERR_DECODE, RCP_CBOR_TRAILING, 2);
    REJECT("8200", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 2);
    REJECT("a101", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 2);

    /* argument checks */
    rcp_cbor_diag d;
    CHECK_ERR(rcp_cbor_validate(NULL, 1, NULL, &d), RCP_ERR_INVALID_ARG);
    CHECK(d.reason == RCP_CBOR_ARG);
    const rcp_cbor_limits deep = {64, RCP_CBOR_MAX_DEPTH + 1, 64, false};
    const uint8_t zero = 0;
    CHECK_ERR(rcp_cbor_validate(&zero, 1, &deep, &d), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_cbor_validate(NULL, 0, NULL, NULL), RCP_ERR_DECODE);
}

/* ------------------------------------------------------------ limits */

static void test_limits(void)
{
    uint8_t buf[RCP_CBOR_MAX_DEPTH + 2];
    rcp_cbor_diag d;

    /* depth: n nested one-element arrays around 0 are n levels */
    for (uint32_t limit = 0; limit <= RCP_CBOR_MAX_DEPTH; limit++) {
        const rcp_cbor_limits lim = {1024, limit, 1024, false};
        memset(buf, 0x81, limit);
        buf[limit] = 0x00;
        uint8_t *ok = exact_copy(buf, limit + 1);
        CHECK_OK(rcp_cbor_validate(ok, limit + 1, &lim, &d));
        free(ok);
        memset(buf, 0x81, limit + 1);
        buf[limit + 1] = 0x00;
        uint8_t *deep = exact_copy(buf, limit + 2);
        CHECK_ERR(rcp_cbor_validate(deep, limit + 2, &lim, &d), RCP_ERR_LIMIT);
        CHECK(d.reason == RCP_CBOR_DEPTH && d.offset == limit);
        free(deep);
    }
    /* empty containers count as a level too; maps as arrays */
    const rcp_cbor_limits flat = {1024, 0, 1024, false};
    REJECT("80", &flat, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, 0);
    REJECT("a0", &flat, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, 0);
    ACCEPT("00", &flat);
    const rcp_cbor_limits two = {1024, 2, 1024, false};
    ACCEPT("a101a10200", &two);
    REJECT("a101a10280", &two, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, 4);
    REJECT("a101a10281f6", &two, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, 4);
    /* the default is RCP_CBOR_DEFAULT_MAX_DEPTH */
    REJECT("81818181818181818100", NULL, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, 8);
    ACCEPT("818181818181818100", NULL);

    /* items: [1, 2, 3] is four items */
    const rcp_cbor_limits four = {1024, 8, 4, false};
    const rcp_cbor_limits three = {1024, 8, 3, false};
    ACCEPT("83010203", &four);
    REJECT("83010203", &three, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 0);
    /* map entries are two items each: {1: 2} is three */
    ACCEPT("a10102", &three);
    const rcp_cbor_limits two_items = {1024, 8, 2, false};
    REJECT("a10102", &two_items, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 0);
    /* a count larger than the budget fails at its head, before truncation */
    REJECT("9bffffffffffffffff", NULL, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 0);
    REJECT("bbffffffffffffffff", NULL, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 0);
    REJECT("9a00010000", NULL, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 0);
    /* tags count as items */
    const rcp_cbor_limits tag_items = {1024, 8, 3, true};
    ACCEPT("c1c101", &tag_items);
    REJECT("c1c1c101", &tag_items, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 3);
    const rcp_cbor_limits none = {1024, 8, 0, false};
    REJECT("00", &none, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 0);

    /* size: exactly max_size passes, one byte more fails before parsing */
    const rcp_cbor_limits five = {5, 8, 64, false};
    ACCEPT("4401020304", &five);
    REJECT("450102030405", &five, RCP_ERR_LIMIT, RCP_CBOR_SIZE, 5);
    REJECT("ffffffffffff", &five, RCP_ERR_LIMIT, RCP_CBOR_SIZE, 5);
    static uint8_t big[RCP_CBOR_DEFAULT_MAX_SIZE + 1];
    size_t content = RCP_CBOR_DEFAULT_MAX_SIZE - 3; /* 59 hi lo + content */
    big[0] = 0x59;
    big[1] = (uint8_t)(content >> 8);
    big[2] = (uint8_t)content;
    CHECK_OK(rcp_cbor_validate(big, RCP_CBOR_DEFAULT_MAX_SIZE, NULL, &d));
    CHECK_ERR(rcp_cbor_validate(big, RCP_CBOR_DEFAULT_MAX_SIZE + 1, NULL, &d), RCP_ERR_LIMIT);
    CHECK(d.reason == RCP_CBOR_SIZE);
}

/* ------------------------------------------------------------ UTF-8 */

static void test_utf8(void)
{
    static const char *const good[] = {
        "",       "00",     "7f",     "c280",     "dfbf",     "e0a080",
        "ed9fbf", "ee8080", "efbfbf", "f0908080", "f48fbfbf", "61c3bce6b0b4f0908591",
    };
    static const char *const bad[] = {
        "80",     "bf",     "c0af",       "c1bf",   "c2",       "c27f",     "e080af",
        "e09fbf", "eda080", "edbfbf",     "e0a0",   "f08f8080", "f4908080", "f5808080",
        "ff",     "fe",     "f0908080c3", "e0a0c0", "f090c080",
    };
    uint8_t buf[16];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        size_t n = rcp_t_hex_str(good[i], buf, sizeof buf);
        if (rcp_cbor_utf8_valid(buf, n))
            rcp_t_pass++;
        else
            rcp_t_fail_at(__FILE__, __LINE__, "valid UTF-8 %s refused", good[i]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n = rcp_t_hex_str(bad[i], buf, sizeof buf);
        if (!rcp_cbor_utf8_valid(buf, n))
            rcp_t_pass++;
        else
            rcp_t_fail_at(__FILE__, __LINE__, "invalid UTF-8 %s accepted", bad[i]);
    }
}

/* ------------------------------------------------------------ encoder */

static const uint8_t k_pattern300[300] = {1, 2, 3}; /* rest zero */

/* One message using every writer: integers at every head width, strings,
 * nested containers, keys of each kind, and two bstr wraps (one needing a
 * wider head than its placeholder). */
static void build_rich(rcp_cbor_enc *e)
{
    rcp_cbor_enc_map(e, 10);
    rcp_cbor_enc_uint(e, 0);
    rcp_cbor_enc_uint(e, 0);
    rcp_cbor_enc_uint(e, 1);
    rcp_cbor_enc_array(e, 9);
    rcp_cbor_enc_uint(e, 23);
    rcp_cbor_enc_uint(e, 24);
    rcp_cbor_enc_uint(e, 255);
    rcp_cbor_enc_uint(e, 256);
    rcp_cbor_enc_uint(e, 65535);
    rcp_cbor_enc_uint(e, 65536);
    rcp_cbor_enc_uint(e, 4294967295u);
    rcp_cbor_enc_uint(e, 4294967296u);
    rcp_cbor_enc_uint(e, UINT64_MAX);
    rcp_cbor_enc_uint(e, 2);
    rcp_cbor_enc_array(e, 7);
    rcp_cbor_enc_int(e, -1);
    rcp_cbor_enc_int(e, -24);
    rcp_cbor_enc_int(e, -25);
    rcp_cbor_enc_int(e, -256);
    rcp_cbor_enc_int(e, -257);
    rcp_cbor_enc_int(e, INT64_MIN);
    rcp_cbor_enc_negint(e, UINT64_MAX);
    rcp_cbor_enc_uint(e, 3);
    rcp_cbor_enc_bstr(e, k_pattern300, sizeof k_pattern300);
    rcp_cbor_enc_uint(e, 4);
    rcp_cbor_enc_text(e, "text \xc3\xbc \xe6\xb0\xb4 \xf0\x90\x85\x91");
    rcp_cbor_enc_uint(e, 5);
    rcp_cbor_enc_array(e, 5);
    rcp_cbor_enc_bool(e, true);
    rcp_cbor_enc_bool(e, false);
    rcp_cbor_enc_null(e);
    rcp_cbor_enc_array(e, 0);
    rcp_cbor_enc_map(e, 0);
    rcp_cbor_enc_uint(e, 6);
    rcp_cbor_enc_bstr_wrap_begin(e);
    rcp_cbor_enc_map(e, 2);
    rcp_cbor_enc_uint(e, 1);
    rcp_cbor_enc_bstr(e, k_pattern300, 20);
    rcp_cbor_enc_uint(e, 2);
    rcp_cbor_enc_text(e, "tbs");
    rcp_cbor_enc_bstr_wrap_end(e, NULL, NULL);
    rcp_cbor_enc_uint(e, 7);
    rcp_cbor_enc_bstr_wrap_begin(e);
    rcp_cbor_enc_uint(e, 1000);
    rcp_cbor_enc_bstr_wrap_end(e, NULL, NULL);
    rcp_cbor_enc_int(e, -1);
    rcp_cbor_enc_text(e, "negative key");
    rcp_cbor_enc_text(e, "txt");
    rcp_cbor_enc_tstr(e, "a\0b", 3);
}

static size_t rich_message(uint8_t *out, size_t cap)
{
    rcp_cbor_enc e;
    size_t n = 0;
    rcp_cbor_enc_init(&e, out, cap);
    build_rich(&e);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    return n;
}

static void check_rich(const uint8_t *msg, size_t n)
{
    rcp_cbor_cursor c, v;
    size_t count, len;
    uint64_t u;
    int64_t i;
    const uint8_t *p;
    const char *s;
    bool b;
    CHECK_OK(rcp_cbor_decode_init(&c, msg, n, NULL));
    CHECK(rcp_cbor_peek(&c) == RCP_CBOR_T_MAP);

    /* lookups by key leave c where it is */
    CHECK_OK(rcp_cbor_map_find_int(&c, 3, &v));
    CHECK_OK(rcp_cbor_expect_bstr(&v, &p, &len, 300, 300));
    CHECK(p[0] == 1 && p[2] == 3 && p[299] == 0);
    CHECK_OK(rcp_cbor_expect_end(&v));
    CHECK_OK(rcp_cbor_map_find_int(&c, -1, &v));
    CHECK_OK(rcp_cbor_expect_tstr(&v, &s, &len, 0, 64));
    CHECK(len == 12 && memcmp(s, "negative key", 12) == 0);
    CHECK_ERR(rcp_cbor_map_find_int(&c, 8, &v), RCP_ERR_NOT_FOUND);
    CHECK(v.err == RCP_ERR_NOT_FOUND && v.diag.reason == RCP_CBOR_NOT_FOUND);
    CHECK_ERR(rcp_cbor_map_find_int(&c, -2, &v), RCP_ERR_NOT_FOUND);
    CHECK(rcp_cbor_offset(&c) == 0);

    CHECK_OK(rcp_cbor_expect_map(&c, &count));
    CHECK(count == 10);
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK(u == 0);
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK_OK(rcp_cbor_expect_array(&c, &count));
    CHECK(count == 9);
    static const uint64_t uints[9] = {23,    24,          255,         256,       65535,
                                      65536, 4294967295u, 4294967296u, UINT64_MAX};
    for (size_t k = 0; k < 9; k++) {
        CHECK_OK(rcp_cbor_expect_uint(&c, &u));
        CHECK(u == uints[k]);
    }
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK_OK(rcp_cbor_expect_array(&c, &count));
    CHECK(count == 7);
    static const int64_t ints[6] = {-1, -24, -25, -256, -257, INT64_MIN};
    for (size_t k = 0; k < 6; k++) {
        CHECK_OK(rcp_cbor_expect_int(&c, &i));
        CHECK(i == ints[k]);
    }
    rcp_cbor_cursor save = c;
    CHECK_ERR(rcp_cbor_expect_int(&save, &i), RCP_ERR_RANGE); /* -2^64 */
    CHECK(save.diag.reason == RCP_CBOR_RANGE && i == 0);
    CHECK_OK(rcp_cbor_expect_negint(&c, &u));
    CHECK(u == UINT64_MAX);
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK_OK(rcp_cbor_skip(&c)); /* the 300-byte bstr */
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK_OK(rcp_cbor_expect_tstr(&c, &s, &len, 0, 64));
    CHECK(len == 16 && memcmp(s, "text \xc3\xbc \xe6\xb0\xb4 \xf0\x90\x85\x91", len) == 0);
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK_OK(rcp_cbor_expect_array(&c, &count));
    CHECK(count == 5);
    CHECK_OK(rcp_cbor_expect_bool(&c, &b));
    CHECK(b == true);
    CHECK_OK(rcp_cbor_expect_bool(&c, &b));
    CHECK(b == false);
    CHECK(rcp_cbor_peek(&c) == RCP_CBOR_T_NULL);
    CHECK_OK(rcp_cbor_expect_null(&c));
    CHECK_OK(rcp_cbor_expect_array(&c, &count));
    CHECK(count == 0);
    CHECK_OK(rcp_cbor_expect_map(&c, &count));
    CHECK(count == 0);
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK(u == 6);
    rcp_cbor_cursor inner;
    size_t inner_at = rcp_cbor_offset(&c) + 2; /* 0x58 len */
    CHECK_OK(rcp_cbor_expect_bstr_wrapped(&c, &inner, NULL));
    CHECK(inner.base == inner_at);
    CHECK_OK(rcp_cbor_expect_map(&inner, &count));
    CHECK(count == 2);
    CHECK_OK(rcp_cbor_expect_uint(&inner, &u));
    CHECK_OK(rcp_cbor_expect_bstr(&inner, &p, &len, 20, 20));
    CHECK_OK(rcp_cbor_expect_uint(&inner, &u));
    CHECK_OK(rcp_cbor_expect_tstr(&inner, &s, &len, 3, 3));
    CHECK_OK(rcp_cbor_expect_end(&inner));
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK(u == 7);
    CHECK_OK(rcp_cbor_expect_bstr(&c, &p, &len, 0, 8));
    CHECK(len == 3 && p[0] == 0x19 && p[1] == 0x03 && p[2] == 0xe8);
    CHECK_OK(rcp_cbor_expect_int(&c, &i));
    CHECK(i == -1);
    CHECK_OK(rcp_cbor_skip(&c));
    CHECK_OK(rcp_cbor_expect_tstr(&c, &s, &len, 3, 3));
    CHECK_OK(rcp_cbor_expect_tstr(&c, &s, &len, 3, 3));
    CHECK(memcmp(s, "a\0b", 3) == 0);
    CHECK(rcp_cbor_at_end(&c));
    CHECK_OK(rcp_cbor_expect_end(&c));
    CHECK(rcp_cbor_peek(&c) == RCP_CBOR_T_NONE);
    CHECK_ERR(rcp_cbor_expect_uint(&c, &u), RCP_ERR_DECODE);
    CHECK(c.diag.reason == RCP_CBOR_END && c.diag.offset == n);
}

static void test_rich_round_trip(void)
{
    uint8_t msg[600], again[600];
    size_t n = rich_message(msg, sizeof msg), m = 0;
    CHECK(n > 400);
    check_rich(msg, n);
    CHECK_OK(transcode(msg, n, again, sizeof again, &m));
    CHECK(m == n && memcmp(msg, again, n) == 0);

    /* every cut of the input is truncated, and nothing else */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *part = exact_copy(msg, cut);
        rcp_cbor_diag d;
        int r = rcp_cbor_validate(part, cut, NULL, &d);
        if (r == RCP_ERR_DECODE && d.reason == RCP_CBOR_TRUNCATED && d.offset <= cut)
            rcp_t_pass++;
        else
            rcp_t_fail_at(__FILE__, __LINE__, "cut %zu/%zu: %s (%s) at %zu", cut, n, rcp_errname(r),
                          rcp_cbor_reason_str(d.reason), d.offset);
        free(part);
    }

    /* every cut of the output buffer is RCP_ERR_BUFFER_TOO_SMALL; the exact
     * size is enough (the wrap head is widened in place) */
    for (size_t cap = 0; cap <= n; cap++) {
        uint8_t *out = malloc(cap ? cap : 1);
        rcp_cbor_enc e;
        size_t len = 99;
        rcp_cbor_enc_init(&e, cap ? out : NULL, cap);
        build_rich(&e);
        int r = rcp_cbor_enc_finish(&e, &len);
        if (cap < n) {
            if (r == RCP_ERR_BUFFER_TOO_SMALL && e.diag.reason == RCP_CBOR_BUFFER && len == 0)
                rcp_t_pass++;
            else
                rcp_t_fail_at(__FILE__, __LINE__, "cap %zu/%zu: %s", cap, n, rcp_errname(r));
        } else {
            CHECK_OK(r);
            CHECK(len == n && memcmp(out, msg, n) == 0);
        }
        free(out);
    }
}

static size_t enc_hex(void (*build)(rcp_cbor_enc *), uint8_t *out, size_t cap, int *err)
{
    rcp_cbor_enc e;
    size_t n = 0;
    rcp_cbor_enc_init(&e, out, cap);
    build(&e);
    *err = rcp_cbor_enc_finish(&e, &n);
    return n;
}

static void build_int_extremes(rcp_cbor_enc *e)
{
    rcp_cbor_enc_array(e, 4);
    rcp_cbor_enc_int(e, INT64_MIN);
    rcp_cbor_enc_int(e, INT64_MAX);
    rcp_cbor_enc_int(e, 0);
    rcp_cbor_enc_negint(e, 0);
}

static void test_encoder_values(void)
{
    uint8_t out[64], want[64];
    int err;
    size_t n = enc_hex(build_int_extremes, out, sizeof out, &err);
    size_t wn = rcp_t_hex_str("843b7fffffffffffffff1b7fffffffffffffff0020", want, sizeof want);
    CHECK_OK(err);
    CHECK(n == wn);
    CHECK_MEM(out, want, wn);

    /* bstr wrap head widths: the wrapped item (a bstr of `content` bytes)
     * is 1, 23, 24, 255, 256 and 300 bytes long: wrap heads of 1, 1, 2, 2, 3
     * and 3 bytes */
    static const size_t contents[] = {0, 22, 23, 253, 254, 297};
    static const size_t wrap_heads[] = {1, 1, 2, 2, 3, 3};
    for (size_t k = 0; k < sizeof contents / sizeof contents[0]; k++) {
        uint8_t buf[320];
        size_t content = contents[k];
        rcp_cbor_enc e;
        const uint8_t *inner = NULL;
        size_t inner_len = 0, total = 0;
        rcp_cbor_enc_init(&e, buf, sizeof buf);
        rcp_cbor_enc_bstr_wrap_begin(&e);
        rcp_cbor_enc_bstr(&e, k_pattern300, content);
        rcp_cbor_enc_bstr_wrap_end(&e, &inner, &inner_len);
        CHECK_OK(rcp_cbor_enc_finish(&e, &total));
        size_t h = rcp_cbor_head_size(inner_len);
        CHECK(h == wrap_heads[k] && total == h + inner_len && inner == buf + h);
        CHECK(inner_len == RCP_CBOR_STR_SIZE(content));
        /* the wrapped bytes are the item on its own */
        uint8_t alone[320];
        rcp_cbor_enc a;
        size_t alone_n = 0;
        rcp_cbor_enc_init(&a, alone, sizeof alone);
        rcp_cbor_enc_bstr(&a, k_pattern300, content);
        CHECK_OK(rcp_cbor_enc_finish(&a, &alone_n));
        CHECK(alone_n == inner_len && memcmp(alone, inner, alone_n) == 0);
        CHECK(buf[0] >> 5 == 2);
    }

    /* raw items: copied when valid and deterministic, refused otherwise */
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_array(&e, 2);
    rcp_cbor_enc_raw(&e, (const uint8_t *)"\xa1\x01\x02", 3);
    rcp_cbor_enc_raw(&e, (const uint8_t *)"\x18\x18", 2);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    CHECK(n == 6 && memcmp(out, "\x82\xa1\x01\x02\x18\x18", 6) == 0);
    static const struct {
        const char *hex;
        enum rcp_cbor_reason why;
    } bad_raw[] = {
        {"1817", RCP_CBOR_NON_SHORTEST}, {"0000", RCP_CBOR_TRAILING},
        {"", RCP_CBOR_TRUNCATED},        {"a202000100", RCP_CBOR_UNSORTED_KEY},
        {"c001", RCP_CBOR_TAG},          {"f93c00", RCP_CBOR_FLOAT},
    };
    for (size_t k = 0; k < sizeof bad_raw / sizeof bad_raw[0]; k++) {
        uint8_t item[16];
        size_t in = rcp_t_hex_str(bad_raw[k].hex, item, sizeof item);
        rcp_cbor_enc_init(&e, out, sizeof out);
        rcp_cbor_enc_raw(&e, item, in);
        CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_INVALID_ARG);
        CHECK(e.diag.reason == bad_raw[k].why && e.len == 0);
    }
}

static void test_encoder_rules(void)
{
    uint8_t out[64];
    rcp_cbor_enc e;
    size_t n;

    /* keys: ascending, strictly, per map, for every key type */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_uint(&e, 1);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_UNSORTED_KEY && e.diag.offset == 3);
    size_t frozen = e.len;
    rcp_cbor_enc_null(&e); /* sticky: nothing more is written */
    CHECK(e.len == frozen);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_INVALID_ARG);
    CHECK(n == 0);

    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_int(&e, -5);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_int(&e, -5);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_DUPLICATE_KEY);

    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_text(&e, "b");
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_text(&e, "a");
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_UNSORTED_KEY);

    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_text(&e, "id");
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_text(&e, "id");
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_DUPLICATE_KEY);

    /* bytewise, not length-first: 24 before -1, then "a" after both */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 3);
    rcp_cbor_enc_int(&e, 24);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_int(&e, -1);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_text(&e, "a");
    rcp_cbor_enc_null(&e);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    CHECK(n == 9 && memcmp(out, "\xa3\x18\x18\xf6\x20\xf6\x61\x61\xf6", 9) == 0);

    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_int(&e, -1);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_int(&e, 24);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_UNSORTED_KEY);

    /* a complex key (array) and a wrapped key are compared whole */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_array(&e, 1);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_array(&e, 1);
    rcp_cbor_enc_uint(&e, 1);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_UNSORTED_KEY);

    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_bstr_wrap_begin(&e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr_wrap_end(&e, NULL, NULL);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_bstr(&e, (const uint8_t *)"\x01", 1);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_DUPLICATE_KEY);

    /* each map checks its own keys */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 2);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_map(&e, 1);
    rcp_cbor_enc_uint(&e, 5);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_map(&e, 1);
    rcp_cbor_enc_uint(&e, 0);
    rcp_cbor_enc_null(&e);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));

    /* counts: too many items, a second top-level item, open containers */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_array(&e, 1);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_uint(&e, 2);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_STATE);
    CHECK(e.diag.reason == RCP_CBOR_COUNT && e.diag.offset == 2);

    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_array(&e, 2);
    rcp_cbor_enc_uint(&e, 1);
    CHECK_OK(rcp_cbor_enc_status(&e));
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_STATE);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_map(&e, 1);
    rcp_cbor_enc_uint(&e, 1);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_STATE);
    rcp_cbor_enc_init(&e, out, sizeof out);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_STATE); /* nothing written */

    /* wraps: end without begin, empty, two items, unclosed */
    rcp_cbor_enc_init(&e, out, sizeof out);
    const uint8_t *inner = out;
    size_t inner_len = 7;
    rcp_cbor_enc_bstr_wrap_end(&e, &inner, &inner_len);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_STATE);
    CHECK(inner == NULL && inner_len == 0);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_bstr_wrap_begin(&e);
    rcp_cbor_enc_bstr_wrap_end(&e, NULL, NULL);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_STATE);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_bstr_wrap_begin(&e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_uint(&e, 2);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_STATE);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_bstr_wrap_begin(&e);
    rcp_cbor_enc_uint(&e, 1);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_STATE);
    /* a wrap cannot be closed from inside an open array */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_bstr_wrap_begin(&e);
    rcp_cbor_enc_array(&e, 2);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_bstr_wrap_end(&e, NULL, NULL);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_STATE);

    /* text must be UTF-8; pointers must be there */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_tstr(&e, "\xc0\x80", 2);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_BAD_UTF8 && e.len == 0);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_bstr(&e, NULL, 1);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_ARG);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_text(&e, NULL);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_ARG && e.len == 0);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_bstr(&e, NULL, 0);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    CHECK(n == 1 && out[0] == 0x40);

    /* depth: RCP_CBOR_ENC_MAX_DEPTH open containers, not one more */
    rcp_cbor_enc_init(&e, out, sizeof out);
    for (unsigned k = 0; k < RCP_CBOR_ENC_MAX_DEPTH; k++)
        rcp_cbor_enc_array(&e, 1);
    rcp_cbor_enc_uint(&e, 0);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    CHECK(n == RCP_CBOR_ENC_MAX_DEPTH + 1);
    rcp_cbor_enc_init(&e, out, sizeof out);
    for (unsigned k = 0; k <= RCP_CBOR_ENC_MAX_DEPTH; k++)
        rcp_cbor_enc_array(&e, 1);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_LIMIT);
    CHECK(e.diag.reason == RCP_CBOR_DEPTH);

    /* zero-capacity and NULL buffers fail cleanly */
    rcp_cbor_enc_init(&e, NULL, 10);
    rcp_cbor_enc_uint(&e, 1);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_BUFFER_TOO_SMALL);
}

/* ------------------------------------------------------------ cursor */

static void test_cursor(void)
{
    uint8_t msg[64];
    /* [1, h'0102', "ab", {1: -2, 3: [4]}, true] */
    size_t n = rcp_t_hex_str("8501420102626162a20121038104f5", msg, sizeof msg);
    rcp_cbor_cursor c, v;
    uint64_t u;
    int64_t i;
    size_t len;
    const uint8_t *p;
    const char *s;
    bool b;

    CHECK_OK(rcp_cbor_decode_init(&c, msg, n, NULL));

    /* a type mismatch is sticky and consumes nothing */
    rcp_cbor_cursor t = c;
    CHECK_ERR(rcp_cbor_expect_map(&t, &len), RCP_ERR_DECODE);
    CHECK(t.diag.reason == RCP_CBOR_TYPE && t.diag.offset == 0 && rcp_cbor_offset(&t) == 0);
    CHECK_ERR(rcp_cbor_expect_array(&t, &len), RCP_ERR_DECODE); /* still failing */
    CHECK(len == 0 && rcp_cbor_peek(&t) == RCP_CBOR_T_NONE && !rcp_cbor_at_end(&t));
    CHECK_ERR(rcp_cbor_skip(&t), RCP_ERR_DECODE);
    CHECK_ERR(rcp_cbor_expect_end(&t), RCP_ERR_DECODE);

    CHECK_OK(rcp_cbor_expect_array(&c, &len));
    CHECK(len == 5);
    t = c;
    CHECK_ERR(rcp_cbor_expect_bstr(&t, &p, &len, 0, 9), RCP_ERR_DECODE);
    CHECK(t.diag.offset == 1 && p == NULL);
    CHECK_ERR(rcp_cbor_map_find_int(&t, 1, &v), RCP_ERR_DECODE); /* t's error */
    CHECK_OK(rcp_cbor_expect_int(&c, &i));
    CHECK(i == 1);
    t = c;
    CHECK_ERR(rcp_cbor_expect_bstr(&t, &p, &len, 3, 9), RCP_ERR_LENGTH);
    CHECK(t.diag.reason == RCP_CBOR_LENGTH && t.diag.offset == 2);
    t = c;
    CHECK_ERR(rcp_cbor_expect_bstr(&t, &p, &len, 0, 1), RCP_ERR_LENGTH);
    t = c;
    CHECK_ERR(rcp_cbor_expect_tstr(&t, &s, &len, 0, 9), RCP_ERR_DECODE);
    CHECK(s == NULL);
    CHECK_OK(rcp_cbor_expect_bstr(&c, &p, &len, 2, 2));
    CHECK(p == msg + 3 && p[0] == 1 && p[1] == 2);
    t = c;
    CHECK_ERR(rcp_cbor_expect_bstr(&t, &p, &len, 0, 9), RCP_ERR_DECODE);
    CHECK_OK(rcp_cbor_expect_tstr(&c, &s, &len, 2, 2));
    CHECK(s == (const char *)msg + 6 && memcmp(s, "ab", 2) == 0);

    /* map lookups: value cursors span exactly their value */
    CHECK_ERR(rcp_cbor_map_find_int(&c, 2, &v), RCP_ERR_NOT_FOUND);
    CHECK_OK(rcp_cbor_map_find_int(&c, 1, &v));
    CHECK(v.len == 1 && v.base == 10);
    CHECK_OK(rcp_cbor_expect_int(&v, &i));
    CHECK(i == -2 && rcp_cbor_at_end(&v));
    CHECK_ERR(rcp_cbor_expect_int(&v, &i), RCP_ERR_DECODE);
    CHECK(v.diag.reason == RCP_CBOR_END && v.diag.offset == 11);
    CHECK_OK(rcp_cbor_map_find_int(&c, 3, &v));
    CHECK_OK(rcp_cbor_expect_array(&v, &len));
    CHECK(len == 1);
    CHECK_ERR(rcp_cbor_expect_end(&v), RCP_ERR_DECODE); /* 4 unread */
    CHECK(v.diag.reason == RCP_CBOR_TRAILING && v.diag.offset == 13);

    rcp_cbor_cursor sub;
    CHECK_OK(rcp_cbor_enter(&c, &sub));
    CHECK(sub.buf == msg + 8 && sub.len == 6 && rcp_cbor_offset(&c) == 14);
    CHECK(rcp_cbor_peek(&sub) == RCP_CBOR_T_MAP);
    CHECK_OK(rcp_cbor_skip(&sub));
    CHECK(rcp_cbor_at_end(&sub));
    CHECK_ERR(rcp_cbor_map_find_int(&c, 1, &v), RCP_ERR_DECODE); /* true is not a map */
    CHECK(v.err == RCP_ERR_DECODE && v.diag.reason == RCP_CBOR_TYPE);
    t = c;
    CHECK_ERR(rcp_cbor_expect_null(&t), RCP_ERR_DECODE);
    t = c;
    CHECK_ERR(rcp_cbor_expect_uint(&t, &u), RCP_ERR_DECODE);
    CHECK(u == 0);
    CHECK_OK(rcp_cbor_expect_bool(&c, &b));
    CHECK(b);
    CHECK_OK(rcp_cbor_expect_end(&c));
    CHECK_ERR(rcp_cbor_enter(&c, &sub), RCP_ERR_DECODE);
    CHECK(sub.err == RCP_ERR_DECODE);

    /* int64 range */
    uint8_t big[16];
    size_t bn = rcp_t_hex_str("1b8000000000000000", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, NULL));
    CHECK_ERR(rcp_cbor_expect_int(&c, &i), RCP_ERR_RANGE);
    bn = rcp_t_hex_str("3b8000000000000000", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, NULL));
    CHECK_ERR(rcp_cbor_expect_int(&c, &i), RCP_ERR_RANGE);
    bn = rcp_t_hex_str("1b7fffffffffffffff", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, NULL));
    CHECK_OK(rcp_cbor_expect_int(&c, &i));
    CHECK(i == INT64_MAX);
    bn = rcp_t_hex_str("3b7fffffffffffffff", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, NULL));
    CHECK_OK(rcp_cbor_expect_int(&c, &i));
    CHECK(i == INT64_MIN);

    /* a failed init leaves the cursor failing with the validator's reason */
    bn = rcp_t_hex_str("a202000100", big, sizeof big);
    CHECK_ERR(rcp_cbor_decode_init(&c, big, bn, NULL), RCP_ERR_DECODE);
    CHECK(c.diag.reason == RCP_CBOR_UNSORTED_KEY && c.diag.offset == 3);
    CHECK_ERR(rcp_cbor_expect_map(&c, &len), RCP_ERR_DECODE);
    CHECK(c.diag.reason == RCP_CBOR_UNSORTED_KEY);

    /* tags, when allowed */
    const rcp_cbor_limits tags = {64, 4, 16, true};
    bn = rcp_t_hex_str("82d82001c1c102", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, &tags));
    CHECK_OK(rcp_cbor_expect_array(&c, &len));
    CHECK(rcp_cbor_peek(&c) == RCP_CBOR_T_TAG);
    t = c;
    CHECK_ERR(rcp_cbor_expect_uint(&t, &u), RCP_ERR_DECODE);
    CHECK_OK(rcp_cbor_expect_tag(&c, &u));
    CHECK(u == 32);
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK(u == 1);
    CHECK_OK(rcp_cbor_enter(&c, &sub)); /* 1(1(2)) whole */
    CHECK(sub.len == 3);
    CHECK_OK(rcp_cbor_expect_end(&c));

    /* a wrapped item that is not valid reports offsets in the outer message */
    bn = rcp_t_hex_str("820143011817", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, NULL));
    CHECK_OK(rcp_cbor_expect_array(&c, &len));
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    rcp_cbor_cursor inner;
    CHECK_ERR(rcp_cbor_expect_bstr_wrapped(&c, &inner, NULL), RCP_ERR_DECODE);
    CHECK(inner.diag.reason == RCP_CBOR_TRAILING && inner.diag.offset == 4);
    CHECK(c.err == RCP_ERR_DECODE && c.diag.offset == 4);
    bn = rcp_t_hex_str("8201421817", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, NULL));
    CHECK_OK(rcp_cbor_expect_array(&c, &len));
    CHECK_OK(rcp_cbor_expect_uint(&c, &u));
    CHECK_ERR(rcp_cbor_expect_bstr_wrapped(&c, &inner, NULL), RCP_ERR_DECODE);
    CHECK(inner.diag.reason == RCP_CBOR_NON_SHORTEST && inner.diag.offset == 3);
    CHECK(c.diag.reason == RCP_CBOR_NON_SHORTEST && c.diag.offset == 3);
    bn = rcp_t_hex_str("820101", big, sizeof big);
    CHECK_OK(rcp_cbor_decode_init(&c, big, bn, NULL));
    CHECK_OK(rcp_cbor_expect_array(&c, &len));
    CHECK_ERR(rcp_cbor_expect_bstr_wrapped(&c, &inner, NULL), RCP_ERR_DECODE);
    CHECK(inner.err == RCP_ERR_DECODE && inner.diag.reason == RCP_CBOR_TYPE);
}

static void test_reasons(void)
{
    for (int r = RCP_CBOR_OK; r <= RCP_CBOR_MSG_TYPE; r++)
        CHECK(strcmp(rcp_cbor_reason_str((enum rcp_cbor_reason)r), "unknown reason") != 0);
    CHECK(strcmp(rcp_cbor_reason_str((enum rcp_cbor_reason)999), "unknown reason") == 0);
    CHECK(rcp_cbor_head_size(23) == 1 && rcp_cbor_head_size(24) == 2);
    CHECK(rcp_cbor_head_size(0xffff) == 3 && rcp_cbor_head_size(0x10000) == 5);
    CHECK(rcp_cbor_head_size(0xffffffffu) == 5 && rcp_cbor_head_size(0x100000000u) == 9);
}

int main(void)
{
    test_appendix_a();
    test_rejections();
    test_limits();
    test_utf8();
    test_rich_round_trip();
    test_encoder_values();
    test_encoder_rules();
    test_cursor();
    test_reasons();
    return rcp_t_done("test_cbor");
}
