/* Message envelope: registry, encode/decode, every rejection, cuts. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rcprov/envelope.h"

/* docs/spec/cbor.md example: uuid-attach type 32, body {1: h'0102', 2: "x"} */
static const char k_example_hex[] = "83011820a2014201020261"
                                    "78";

static void build_example_body(rcp_cbor_enc *e)
{
    rcp_cbor_enc_uint(e, 1);
    rcp_cbor_enc_bstr(e, (const uint8_t *)"\x01\x02", 2);
    rcp_cbor_enc_uint(e, 2);
    rcp_cbor_enc_text(e, "x");
}

static void test_registry(void)
{
    static const struct {
        enum rcp_flow flow;
        const char *name;
        uint32_t first, last;
    } want[] = {
        {RCP_FLOW_COMMON, "common", 0, 31},
        {RCP_FLOW_UUID_ATTACH, "uuid-attach", 32, 63},
        {RCP_FLOW_EUICC_ATTACH, "euicc-attach", 64, 95},
        {RCP_FLOW_KME, "kme", 96, 127},
        {RCP_FLOW_MCIM, "mcim", 128, 159},
        {RCP_FLOW_AKA_BOOTSTRAP, "aka-bootstrap", 160, 191},
    };
    CHECK(sizeof want / sizeof want[0] == RCP_FLOW_COUNT);
    for (size_t k = 0; k < RCP_FLOW_COUNT; k++) {
        enum rcp_flow f;
        CHECK(strcmp(rcp_flow_name(want[k].flow), want[k].name) == 0);
        CHECK_OK(rcp_flow_from_name(want[k].name, &f));
        CHECK(f == want[k].flow);
        CHECK(RCP_MSG_TYPE_FIRST(want[k].flow) == want[k].first);
        CHECK(RCP_MSG_TYPE_LAST(want[k].flow) == want[k].last);
    }
    enum rcp_flow f;
    CHECK_ERR(rcp_flow_from_name("gba", &f), RCP_ERR_NOT_FOUND);
    CHECK_ERR(rcp_flow_from_name(NULL, &f), RCP_ERR_NOT_FOUND);
    CHECK(rcp_flow_name((enum rcp_flow)RCP_FLOW_COUNT) == NULL);

    /* each type belongs to exactly the flow whose block holds it: the
     * blocks are disjoint and nothing past the last block is accepted */
    long owned = 0;
    for (uint64_t t = 0; t < 400; t++) {
        int r = rcp_msg_type_flow(t, &f);
        size_t holders = 0, holder = 0;
        for (size_t k = 0; k < RCP_FLOW_COUNT; k++) {
            if (t >= want[k].first && t <= want[k].last && t != 0) {
                holders++;
                holder = k;
            }
        }
        if (holders == 1 && r == 0 && f == want[holder].flow)
            owned++;
        else if (holders == 0 && r == RCP_ERR_UNSUPPORTED && f == RCP_FLOW_COMMON)
            owned++;
        else
            rcp_t_fail_at(__FILE__, __LINE__, "type %llu: %s, %zu holders", (unsigned long long)t,
                          rcp_errname(r), holders);
    }
    CHECK(owned == 400);
    CHECK_ERR(rcp_msg_type_flow(UINT64_MAX, &f), RCP_ERR_UNSUPPORTED);
    /* every registered type fits a two-byte head */
    CHECK(RCP_CBOR_HEAD_SIZE(RCP_MSG_TYPE_LAST(RCP_FLOW_COUNT - 1)) == 2);
}

static void test_encode_decode(void)
{
    uint8_t want[32], out[32], out2[32];
    size_t want_n = rcp_t_hex_str(k_example_hex, want, sizeof want), n = 0, n2 = 0;

    /* begin + body writes */
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, RCP_MSG_TYPE_FIRST(RCP_FLOW_UUID_ATTACH), 2);
    build_example_body(&e);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    CHECK(n == want_n);
    CHECK_MEM(out, want, want_n);

    /* the same message around a pre-encoded body */
    rcp_cbor_diag d;
    CHECK_OK(rcp_envelope_encode(out2, sizeof out2, &n2, 32, want + 4, want_n - 4, &d));
    CHECK(n2 == want_n && memcmp(out2, want, n2) == 0);

    rcp_envelope env;
    CHECK_OK(rcp_envelope_decode(&env, want, want_n, NULL, &d));
    CHECK(d.reason == RCP_CBOR_OK);
    CHECK(env.version == RCP_ENVELOPE_VERSION && env.type == 32);
    CHECK(env.flow == RCP_FLOW_UUID_ATTACH);
    CHECK(env.body.buf == want + 4 && env.body.len == want_n - 4 && env.body.base == 4);
    rcp_cbor_cursor v;
    const uint8_t *p;
    const char *s;
    size_t len;
    CHECK_OK(rcp_cbor_map_find_int(&env.body, 1, &v));
    CHECK_OK(rcp_cbor_expect_bstr(&v, &p, &len, 2, 2));
    CHECK(p == want + 7);
    CHECK_OK(rcp_cbor_map_find_int(&env.body, 2, &v));
    CHECK_OK(rcp_cbor_expect_tstr(&v, &s, &len, 1, 1));
    CHECK(s[0] == 'x');
    /* body errors report offsets in the message */
    rcp_cbor_cursor body = env.body;
    CHECK_OK(rcp_cbor_expect_map(&body, &len));
    CHECK(len == 2);
    uint64_t key;
    CHECK_OK(rcp_cbor_expect_uint(&body, &key));
    CHECK_ERR(rcp_cbor_expect_tstr(&body, &s, &len, 0, 9), RCP_ERR_DECODE);
    CHECK(body.diag.reason == RCP_CBOR_TYPE && body.diag.offset == 6);

    /* an empty body, and the last type of the last flow (two-byte head) */
    const uint32_t last = RCP_MSG_TYPE_LAST(RCP_FLOW_AKA_BOOTSTRAP);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, last, 0);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    CHECK(n == RCP_ENVELOPE_OVERHEAD_MAX + 1);
    CHECK(n == 5 && memcmp(out, "\x83\x01\x18\xbf\xa0", 5) == 0);
    CHECK_OK(rcp_envelope_decode(&env, out, n, NULL, NULL));
    CHECK(env.type == last && env.flow == RCP_FLOW_AKA_BOOTSTRAP);
    CHECK(rcp_cbor_peek(&env.body) == RCP_CBOR_T_MAP);

    /* a one-byte type (common block) */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, 1, 0);
    CHECK_OK(rcp_cbor_enc_finish(&e, &n));
    CHECK(n == 4 && memcmp(out, "\x83\x01\x01\xa0", 4) == 0);
    CHECK_OK(rcp_envelope_decode(&env, out, n, NULL, NULL));
    CHECK(env.flow == RCP_FLOW_COMMON);
}

static void check_decode(int line, const char *hex, const rcp_cbor_limits *lim, int want,
                         enum rcp_cbor_reason why, size_t off)
{
    uint8_t tmp[64];
    size_t n = rcp_t_hex_str(hex, tmp, sizeof tmp);
    uint8_t *msg = malloc(n ? n : 1);
    if (msg == NULL)
        exit(2);
    memcpy(msg, tmp, n);
    rcp_envelope env;
    rcp_cbor_diag d;
    int r = rcp_envelope_decode(&env, msg, n, lim, &d);
    size_t tmp_len;
    bool env_failed = env.body.err == r && env.type == 0 && env.version == 0 &&
                      rcp_cbor_expect_map(&env.body, &tmp_len) == r;
    if (r == want && d.reason == why && d.offset == off && env_failed)
        rcp_t_pass++;
    else
        rcp_t_fail_at(__FILE__, line, "%s: got %s (%s) at %zu, want %s (%s) at %zu", hex,
                      rcp_errname(r), rcp_cbor_reason_str(d.reason), d.offset, rcp_errname(want),
                      rcp_cbor_reason_str(why), off);
    free(msg);
}
#define BAD(hex, lim, err, why, off) check_decode(__LINE__, hex, lim, err, why, off)

static void test_rejections(void)
{
    /* version first: an unknown version is refused whatever follows */
    BAD("83021820a0", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_VERSION, 1);
    BAD("8100", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_VERSION, 1);
    BAD("8202f6", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_VERSION, 1);
    BAD("841864010203", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_VERSION, 1);
    BAD("832001a0", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 1);
    BAD("8340a0a0", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 1);

    /* shape */
    BAD("a0", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 0);
    BAD("01", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 0);
    BAD("80", NULL, RCP_ERR_DECODE, RCP_CBOR_COUNT, 0);
    BAD("8101", NULL, RCP_ERR_DECODE, RCP_CBOR_COUNT, 0);
    BAD("82011820", NULL, RCP_ERR_DECODE, RCP_CBOR_COUNT, 0);
    BAD("84011820a0a0", NULL, RCP_ERR_DECODE, RCP_CBOR_COUNT, 0);

    /* type */
    BAD("830100a0", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_MSG_TYPE, 2);
    BAD("830118c0a0", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_MSG_TYPE, 2);
    BAD("83011bffffffffffffffffa0", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_MSG_TYPE, 2);
    BAD("830120a0", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 2);
    BAD("83016161a0", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 2);

    /* body */
    BAD("8301182080", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 4);
    BAD("8301182040", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 4);
    BAD("83011820f6", NULL, RCP_ERR_DECODE, RCP_CBOR_TYPE, 4);

    /* the CBOR rules hold for the whole message, body included */
    BAD("8301190020a0", NULL, RCP_ERR_DECODE, RCP_CBOR_NON_SHORTEST, 2);
    BAD("83011820a0ff", NULL, RCP_ERR_DECODE, RCP_CBOR_TRAILING, 5);
    BAD("83011820a0a0", NULL, RCP_ERR_DECODE, RCP_CBOR_TRAILING, 5);
    BAD("83011820a202000100", NULL, RCP_ERR_DECODE, RCP_CBOR_UNSORTED_KEY, 7);
    BAD("83011820a201000100", NULL, RCP_ERR_DECODE, RCP_CBOR_DUPLICATE_KEY, 7);
    BAD("83011820bf01ff", NULL, RCP_ERR_DECODE, RCP_CBOR_INDEFINITE, 4);
    BAD("83011820a101f93c00", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_FLOAT, 6);
    BAD("83011820a101c001", NULL, RCP_ERR_UNSUPPORTED, RCP_CBOR_TAG, 6);
    BAD("83011820a10161ff", NULL, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, 6);
    BAD("", NULL, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, 0);

    /* limits pass through */
    const rcp_cbor_limits small = {5, 8, 64, false};
    BAD("83011820a100f6", &small, RCP_ERR_LIMIT, RCP_CBOR_SIZE, 5);
    const rcp_cbor_limits shallow = {64, 1, 64, false};
    BAD("83011820a0", &shallow, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, 4);
    const rcp_cbor_limits few = {64, 8, 5, false};
    BAD("83011820a10100", &few, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, 4);
}

static void test_cuts(void)
{
    uint8_t msg[32];
    size_t n = rcp_t_hex_str(k_example_hex, msg, sizeof msg);

    /* every cut of the message is truncated */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, msg, cut);
        rcp_envelope env;
        rcp_cbor_diag d;
        int r = rcp_envelope_decode(&env, part, cut, NULL, &d);
        if (r == RCP_ERR_DECODE && d.reason == RCP_CBOR_TRUNCATED)
            rcp_t_pass++;
        else
            rcp_t_fail_at(__FILE__, __LINE__, "cut %zu: %s (%s)", cut, rcp_errname(r),
                          rcp_cbor_reason_str(d.reason));
        free(part);
    }

    /* every cut of the output buffer, both ways of encoding */
    for (size_t cap = 0; cap <= n; cap++) {
        uint8_t *out = malloc(cap ? cap : 1);
        rcp_cbor_enc e;
        size_t len = 99, len2 = 99;
        rcp_cbor_enc_init(&e, out, cap);
        rcp_envelope_begin(&e, 32, 2);
        build_example_body(&e);
        int r = rcp_cbor_enc_finish(&e, &len);
        int r2 = rcp_envelope_encode(out, cap, &len2, 32, msg + 4, n - 4, NULL);
        if (cap < n) {
            if (r == RCP_ERR_BUFFER_TOO_SMALL && r2 == RCP_ERR_BUFFER_TOO_SMALL && len == 0 &&
                len2 == 0)
                rcp_t_pass++;
            else
                rcp_t_fail_at(__FILE__, __LINE__, "cap %zu: %s / %s", cap, rcp_errname(r),
                              rcp_errname(r2));
        } else {
            CHECK_OK(r);
            CHECK_OK(r2);
            CHECK(len == n && len2 == n && memcmp(out, msg, n) == 0);
        }
        free(out);
    }
}

static void test_encode_errors(void)
{
    uint8_t out[32];
    size_t n = 99;
    rcp_cbor_diag d;
    rcp_cbor_enc e;

    /* types outside the registry */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, 0, 0);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_MSG_TYPE && e.len == 0);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, 192, 0);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_envelope_encode(out, sizeof out, &n, 500, (const uint8_t *)"\xa0", 1, &d),
              RCP_ERR_INVALID_ARG);
    CHECK(d.reason == RCP_CBOR_MSG_TYPE && n == 0);

    /* begin on an encoder that holds data */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_cbor_enc_uint(&e, 1);
    rcp_envelope_begin(&e, 32, 0);
    CHECK_ERR(rcp_cbor_enc_status(&e), RCP_ERR_STATE);

    /* body pairs: fewer or more than announced */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, 32, 2);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_null(&e);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_STATE);
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, 32, 1);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_uint(&e, 2);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_STATE);
    /* body keys out of order */
    rcp_cbor_enc_init(&e, out, sizeof out);
    rcp_envelope_begin(&e, 32, 2);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_null(&e);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_null(&e);
    CHECK_ERR(rcp_cbor_enc_finish(&e, &n), RCP_ERR_INVALID_ARG);
    CHECK(e.diag.reason == RCP_CBOR_UNSORTED_KEY && e.diag.offset == 7);

    /* pre-encoded bodies: must be one valid deterministic map */
    static const struct {
        const char *hex;
        enum rcp_cbor_reason why;
    } bad[] = {
        {"", RCP_CBOR_TYPE},
        {"80", RCP_CBOR_TYPE},
        {"01", RCP_CBOR_TYPE},
        {"a202000100", RCP_CBOR_UNSORTED_KEY},
        {"a10100ff", RCP_CBOR_TRAILING},
        {"a1", RCP_CBOR_TRUNCATED},
        {"b80100", RCP_CBOR_NON_SHORTEST},
        {"bf01ff", RCP_CBOR_INDEFINITE},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint8_t body[16];
        size_t bn = rcp_t_hex_str(bad[k].hex, body, sizeof body);
        int r = rcp_envelope_encode(out, sizeof out, &n, 32, bn ? body : NULL, bn, &d);
        if (r == RCP_ERR_INVALID_ARG && d.reason == bad[k].why && n == 0)
            rcp_t_pass++;
        else
            rcp_t_fail_at(__FILE__, __LINE__, "body %s: %s (%s)", bad[k].hex, rcp_errname(r),
                          rcp_cbor_reason_str(d.reason));
    }
}

int main(void)
{
    test_registry();
    test_encode_decode();
    test_rejections();
    test_cuts();
    test_encode_errors();
    return rcp_t_done("test_envelope");
}
