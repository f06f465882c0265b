/* Shared flow pieces: cookies, the padded-CBOR split, error messages, steps. */
#include <string.h>

#include "harness.h"
#include "rcprov/envelope.h"
#include "rcprov/flow.h"

static void test_cookie(void)
{
    uint8_t key[RCP_COOKIE_KEY_LEN], other[RCP_COOKIE_KEY_LEN];
    uint8_t state[40], cookie[RCP_COOKIE_MAX], back[RCP_COOKIE_MAX], cookie2[RCP_COOKIE_MAX];
    size_t len = 0, len2 = 0, n = 0;
    rcp_drbg d;
    CHECK_OK(rcp_drbg_init(&d, (const uint8_t *)"cookie", 6));
    memset(key, 7, sizeof key);
    memset(other, 8, sizeof other);
    for (size_t i = 0; i < sizeof state; i++)
        state[i] = (uint8_t)i;
    CHECK_OK(rcp_cookie_seal(key, 1, &d.rng, state, sizeof state, cookie, sizeof cookie, &len));
    CHECK(len == sizeof state + RCP_COOKIE_OVERHEAD);
    CHECK_OK(rcp_cookie_open(key, 1, cookie, len, back, sizeof back, &n));
    CHECK(n == sizeof state);
    CHECK_MEM(back, state, sizeof state);
    /* Fresh IV each time: two cookies of one state differ. */
    CHECK_OK(rcp_cookie_seal(key, 1, &d.rng, state, sizeof state, cookie2, sizeof cookie2, &len2));
    CHECK(len2 == len && memcmp(cookie, cookie2, len) != 0);
    /* Another kind, another key, any flipped bit: refused. */
    CHECK_ERR(rcp_cookie_open(key, 2, cookie, len, back, sizeof back, &n), RCP_ERR_AUTH);
    CHECK_ERR(rcp_cookie_open(other, 1, cookie, len, back, sizeof back, &n), RCP_ERR_AUTH);
    long flips = 0;
    for (size_t i = 0; i < len; i++) {
        cookie[i] ^= 0x01;
        if (rcp_cookie_open(key, 1, cookie, len, back, sizeof back, &n) == RCP_ERR_AUTH)
            flips++;
        cookie[i] ^= 0x01;
    }
    CHECK(flips == (long)len);
    CHECK_ERR(rcp_cookie_open(key, 1, cookie, RCP_COOKIE_OVERHEAD - 1, back, sizeof back, &n),
              RCP_ERR_LENGTH);
    CHECK_ERR(rcp_cookie_open(key, 1, cookie, len, back, 3, &n), RCP_ERR_BUFFER_TOO_SMALL);
    CHECK_ERR(rcp_cookie_seal(key, 1, &d.rng, state, sizeof state, cookie, 10, &len),
              RCP_ERR_BUFFER_TOO_SMALL);
    uint8_t big[RCP_COOKIE_MAX] = {0};
    CHECK_ERR(rcp_cookie_seal(key, 1, &d.rng, big, sizeof big, cookie, sizeof cookie, &len),
              RCP_ERR_LENGTH);
    rcp_drbg_wipe(&d);
}

/* msrc = item || 0xFF * pad, the whole a multiple of 16. */
static size_t padded(const uint8_t *item, size_t n, uint8_t *out)
{
    size_t total = rcp_seal_padded_len(n);
    memcpy(out, item, n);
    memset(out + n, 0xff, total - n);
    return total;
}

static void test_unpad(void)
{
    uint8_t buf[64], item[48];
    size_t len = 0;
    /* Every clear-text length 1..24: a byte string ending in 0xFF bytes,
     * the hardest case (the padding looks like the item's tail). */
    for (size_t n = 1; n <= 24; n++) {
        size_t body = n - 1; /* one-byte bstr head (body < 24) + content */
        item[0] = (uint8_t)(0x40 + body);
        memset(item + 1, 0xff, body);
        size_t total = padded(item, n, buf);
        CHECK(rcp_unpad_cbor(buf, total, NULL, &len) == 0 && len == n);
    }
    /* A 16-byte item needs no padding. */
    const uint8_t sixteen[16] = {0x4f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    CHECK_OK(rcp_unpad_cbor(sixteen, sizeof sixteen, NULL, &len));
    CHECK(len == 16);
    /* Padding that is not 0xFF, or 16 bytes of it, or garbage: refused. */
    const uint8_t item3[3] = {0x82, 0x01, 0x02};
    size_t total = padded(item3, 3, buf);
    buf[total - 1] = 0xfe;
    CHECK_ERR(rcp_unpad_cbor(buf, total, NULL, &len), RCP_ERR_PADDING);
    memcpy(buf, item3, 3);
    memset(buf + 3, 0xff, 29); /* 29 bytes of padding: more than 15 */
    CHECK_ERR(rcp_unpad_cbor(buf, 32, NULL, &len), RCP_ERR_PADDING);
    memset(buf, 0xff, 16); /* a lone break and padding: no item at all */
    CHECK_ERR(rcp_unpad_cbor(buf, 16, NULL, &len), RCP_ERR_PADDING);
    const uint8_t truncated[16] = {0x58, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    CHECK_ERR(rcp_unpad_cbor(truncated, sizeof truncated, NULL, &len), RCP_ERR_PADDING);
    CHECK_ERR(rcp_unpad_cbor(NULL, 16, NULL, &len), RCP_ERR_INVALID_ARG);
}

static void test_error_message(void)
{
    uint8_t msg[256];
    size_t len = 0;
    rcp_envelope env;
    int code = 0;
    char reason[RCP_ERROR_REASON_MAX + 1];
    CHECK_OK(rcp_error_msg_encode(RCP_ERR_REPLAY, "replayed", msg, sizeof msg, &len));
    CHECK_OK(rcp_envelope_decode(&env, msg, len, NULL, NULL));
    CHECK(env.type == RCP_MSG_ERROR);
    CHECK_OK(rcp_error_msg_decode(&env.body, &code, reason, sizeof reason));
    CHECK(code == RCP_ERR_REPLAY && strcmp(reason, "replayed") == 0);
    /* A long reason is cut at a UTF-8 boundary, never inside a sequence. */
    char longer[400];
    for (size_t i = 0; i + 2 < sizeof longer; i += 2) {
        longer[i] = (char)0xc3; /* U+00E9 */
        longer[i + 1] = (char)0xa9;
    }
    longer[sizeof longer - 2] = 'x';
    longer[sizeof longer - 1] = '\0';
    CHECK_OK(rcp_error_msg_encode(RCP_ERR_PROTOCOL, longer, msg, sizeof msg, &len));
    CHECK_OK(rcp_envelope_decode(&env, msg, len, NULL, NULL));
    CHECK_OK(rcp_error_msg_decode(&env.body, &code, reason, sizeof reason));
    CHECK(strlen(reason) <= RCP_ERROR_REASON_MAX && strlen(reason) % 2 == 0);
    /* What a peer's code becomes on this side. */
    CHECK(rcp_error_from_peer(RCP_ERR_REPLAY) == RCP_ERR_REPLAY);
    CHECK(rcp_error_from_peer(-999) == RCP_ERR_PROTOCOL);
    CHECK(rcp_error_from_peer(0) == RCP_ERR_PROTOCOL);
    CHECK(rcp_error_from_peer(7) == RCP_ERR_PROTOCOL);
    /* A positive code is not an error. */
    rcp_cbor_enc e;
    rcp_cbor_enc_init(&e, msg, sizeof msg);
    rcp_envelope_begin(&e, RCP_MSG_ERROR, 2);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_int(&e, 5);
    rcp_cbor_enc_uint(&e, 2);
    rcp_cbor_enc_text(&e, "x");
    CHECK_OK(rcp_cbor_enc_finish(&e, &len));
    CHECK_OK(rcp_envelope_decode(&env, msg, len, NULL, NULL));
    CHECK_ERR(rcp_error_msg_decode(&env.body, &code, reason, sizeof reason), RCP_ERR_DECODE);
}

static void test_step(void)
{
    rcp_step s;
    rcp_step_init(&s);
    CHECK(rcp_step_out(&s, RCP_TO_REPLY, 33) != NULL);
    CHECK(rcp_step_out(&s, RCP_TO_AUTHS, 40) != NULL);
    CHECK(rcp_step_out(&s, RCP_TO_REPLY, 1) == NULL); /* full */
    CHECK(rcp_step_fail(&s, RCP_ERR_AUTH, "first %d", 1) == RCP_ERR_AUTH);
    CHECK(rcp_step_fail(&s, RCP_ERR_DECODE, "second") == RCP_ERR_DECODE);
    CHECK(s.err == RCP_ERR_AUTH && strcmp(s.why, "first 1") == 0); /* first one wins */
    rcp_fake_clock fc;
    rcp_fake_clock_init(&fc, 42);
    CHECK(rcp_clock_now(&fc.clock) == 42);
    fc.t = 43;
    CHECK(rcp_clock_now(&fc.clock) == 43);
    CHECK(rcp_clock_now(rcp_clock_system()) > 1700000000u);
}

int main(void)
{
    test_cookie();
    test_unpad();
    test_error_message();
    test_step();
    return rcp_t_done("test_flow_common");
}
