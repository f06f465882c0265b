/* Shared pieces of the flow engines: clock, step output, error message,
 * cookies, padded CBOR. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rcprov/bytes.h"
#include "rcprov/envelope.h"
#include "rcprov/flow.h"

uint64_t rcp_clock_now(const rcp_clock *c)
{
    return c && c->now ? c->now(c->ctx) : 0;
}

static uint64_t system_now(void *ctx)
{
    (void)ctx;
    return (uint64_t)time(NULL);
}

static const rcp_clock k_system_clock = {system_now, NULL};

const rcp_clock *rcp_clock_system(void)
{
    return &k_system_clock;
}

static uint64_t fake_now(void *ctx)
{
    return ((rcp_fake_clock *)ctx)->t;
}

void rcp_fake_clock_init(rcp_fake_clock *fc, uint64_t t)
{
    fc->t = t;
    fc->clock.now = fake_now;
    fc->clock.ctx = fc;
}

void rcp_step_init(rcp_step *s)
{
    memset(s, 0, sizeof *s);
}

int rcp_step_fail(rcp_step *s, int err, const char *fmt, ...)
{
    if (s->err == 0) {
        s->err = err;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->why, sizeof s->why, fmt, ap);
        va_end(ap);
    }
    return err;
}

rcp_out_msg *rcp_step_out(rcp_step *s, rcp_dest to, uint32_t type)
{
    if (s->n_out == RCP_STEP_MAX_OUT)
        return NULL;
    rcp_out_msg *m = &s->out[s->n_out++];
    m->to = to;
    m->peer[0] = '\0';
    m->type = type;
    m->len = 0;
    return m;
}

/* ---------------------------------------------------------- error message */

int rcp_error_msg_encode(int code, const char *reason, uint8_t *out, size_t cap, size_t *out_len)
{
    rcp_cbor_enc e;
    size_t n = reason ? strnlen(reason, RCP_ERROR_REASON_MAX) : 0;
    if (out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    rcp_cbor_enc_init(&e, out, cap);
    rcp_envelope_begin(&e, RCP_MSG_ERROR, 2);
    rcp_cbor_enc_uint(&e, 1);
    rcp_cbor_enc_int(&e, code);
    rcp_cbor_enc_uint(&e, 2);
    /* Truncation may split a UTF-8 sequence: back off to a boundary. */
    while (n > 0 && !rcp_cbor_utf8_valid((const uint8_t *)reason, n))
        n--;
    rcp_cbor_enc_tstr(&e, reason ? reason : "", n);
    return rcp_cbor_enc_finish(&e, out_len);
}

int rcp_error_from_peer(int code)
{
    return code < 0 && code >= RCP_ERR_LAST ? code : RCP_ERR_PROTOCOL;
}

int rcp_error_msg_decode(rcp_cbor_cursor *body, int *code, char *reason, size_t reason_cap)
{
    size_t pairs = 0, n = 0;
    uint64_t k1 = 0, k2 = 0;
    int64_t c = 0;
    const char *s = NULL;
    if (body == NULL || code == NULL || reason == NULL || reason_cap == 0)
        return RCP_ERR_INVALID_ARG;
    if (rcp_cbor_expect_map(body, &pairs) != 0 || pairs != 2 ||
        rcp_cbor_expect_uint(body, &k1) != 0 || k1 != 1 || rcp_cbor_expect_int(body, &c) != 0 ||
        c > 0 || c < -1000 || rcp_cbor_expect_uint(body, &k2) != 0 || k2 != 2 ||
        rcp_cbor_expect_tstr(body, &s, &n, 0, RCP_ERROR_REASON_MAX) != 0)
        return RCP_ERR_DECODE;
    *code = (int)c;
    if (n >= reason_cap)
        n = reason_cap - 1;
    memcpy(reason, s, n);
    reason[n] = '\0';
    return RCP_OK;
}

/* ---------------------------------------------------------------- cookie */

static const char k_cookie_label[] = "rcprov cookie";

static void cookie_aad(uint8_t kind, uint8_t aad[sizeof k_cookie_label])
{
    memcpy(aad, k_cookie_label, sizeof k_cookie_label - 1);
    aad[sizeof k_cookie_label - 1] = kind;
}

int rcp_cookie_seal(const uint8_t key[RCP_COOKIE_KEY_LEN], uint8_t kind, const rcp_rng *rng,
                    const uint8_t *state, size_t state_len, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    uint8_t aad[sizeof k_cookie_label];
    if (key == NULL || state == NULL || out == NULL || out_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *out_len = 0;
    if (state_len > RCP_COOKIE_MAX - RCP_COOKIE_OVERHEAD)
        return RCP_ERR_LENGTH;
    if (cap < state_len + RCP_COOKIE_OVERHEAD)
        return RCP_ERR_BUFFER_TOO_SMALL;
    int ret = rcp_rng_fill(rng, out, 12);
    if (ret)
        return ret;
    cookie_aad(kind, aad);
    ret = rcp_aes_gcm_encrypt(key, RCP_COOKIE_KEY_LEN, out, 12, aad, sizeof aad, state, state_len,
                              out + 12, out + 12 + state_len, 16);
    if (ret == 0)
        *out_len = state_len + RCP_COOKIE_OVERHEAD;
    return ret;
}

int rcp_cookie_open(const uint8_t key[RCP_COOKIE_KEY_LEN], uint8_t kind, const uint8_t *cookie,
                    size_t cookie_len, uint8_t *state, size_t cap, size_t *state_len)
{
    uint8_t aad[sizeof k_cookie_label];
    if (key == NULL || cookie == NULL || state == NULL || state_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *state_len = 0;
    if (cookie_len < RCP_COOKIE_OVERHEAD || cookie_len > RCP_COOKIE_MAX)
        return RCP_ERR_LENGTH;
    size_t n = cookie_len - RCP_COOKIE_OVERHEAD;
    if (cap < n)
        return RCP_ERR_BUFFER_TOO_SMALL;
    cookie_aad(kind, aad);
    int ret = rcp_aes_gcm_decrypt(key, RCP_COOKIE_KEY_LEN, cookie, 12, aad, sizeof aad, cookie + 12,
                                  n, cookie + 12 + n, 16, state);
    if (ret)
        return ret;
    *state_len = n;
    return RCP_OK;
}

/* ----------------------------------------------------------- padded CBOR */

int rcp_unpad_cbor(const uint8_t *msrc, size_t len, const rcp_cbor_limits *lim, size_t *item_len)
{
    rcp_cbor_diag d;
    size_t n;
    if (msrc == NULL || item_len == NULL)
        return RCP_ERR_INVALID_ARG;
    *item_len = 0;
    /* One pass finds the end of the item: the validator reads the whole
     * item before it reports the bytes after it (and where they start).
     * The MAC was checked before, so nothing here is an oracle. */
    int ret = rcp_cbor_validate(msrc, len, lim, &d);
    if (ret == 0)
        n = len;
    else if (ret == RCP_ERR_DECODE && d.reason == RCP_CBOR_TRAILING && d.offset < len)
        n = d.offset;
    else
        return RCP_ERR_PADDING;
    if (rcp_seal_check_padding(msrc, len, n) != 0 ||
        (n != len && rcp_cbor_validate(msrc, n, lim, NULL) != 0))
        return RCP_ERR_PADDING;
    *item_len = n;
    return RCP_OK;
}

void rcp_op_counts_add(rcp_op_counts *a, const rcp_op_counts *b)
{
    a->sign += b->sign;
    a->verify += b->verify;
    a->ecdh += b->ecdh;
    a->keygen += b->keygen;
    a->seal += b->seal;
    a->open += b->open;
    a->pkv_compressed += b->pkv_compressed;
    a->pkv_uncompressed += b->pkv_uncompressed;
}
