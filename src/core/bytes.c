#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rcprov/bytes.h"
#include "rcprov/rng.h"

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rcp_hex_decode(const char *hex, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (hex == NULL || out_len == NULL || (out == NULL && out_cap != 0))
        return RCP_ERR_INVALID_ARG;
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return RCP_ERR_DECODE;
    if (n / 2 > out_cap)
        return RCP_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return RCP_ERR_DECODE;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = n / 2;
    return RCP_OK;
}

int rcp_hex_decode_exact(const char *hex, uint8_t *out, size_t want_len)
{
    if (hex == NULL)
        return RCP_ERR_INVALID_ARG;
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return RCP_ERR_DECODE;
    if (n / 2 != want_len) {
        /* Report a bad character before a bad length: it is the likelier typo. */
        for (size_t i = 0; i < n; i++)
            if (hex_nibble(hex[i]) < 0)
                return RCP_ERR_DECODE;
        return RCP_ERR_LENGTH;
    }
    size_t got = 0;
    return rcp_hex_decode(hex, out, want_len, &got);
}

int rcp_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_cap)
{
    static const char digits[] = "0123456789abcdef";
    if ((in == NULL && len != 0) || out == NULL)
        return RCP_ERR_INVALID_ARG;
    if (out_cap < 2 * len + 1)
        return RCP_ERR_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
    return RCP_OK;
}

int rcp_ct_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    /* Accumulate differences without an early exit; the final reduction to
     * 0/1 avoids a data-dependent branch. */
    volatile uint8_t acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= (uint8_t)(a[i] ^ b[i]);
    return (int)(1 & ((uint32_t)(acc - 1) >> 8));
}

void rcp_wipe(void *p, size_t len)
{
    if (p == NULL || len == 0)
        return;
    explicit_bzero(p, len);
}

void rcp_xor(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(a[i] ^ b[i]);
}

void rcp_time_format(int64_t t, char out[RCP_TIME_STR_LEN])
{
    struct tm tm;
    time_t tt = (time_t)t;
    /* 1950-01-01 .. 9999-12-31: the range certificates can express */
    if (t < -631152000LL || t > 253402300799LL || gmtime_r(&tt, &tm) == NULL)
        snprintf(out, RCP_TIME_STR_LEN, "%lld", (long long)t);
    else
        strftime(out, RCP_TIME_STR_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

uint64_t rcp_be48_get(const uint8_t in[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | in[i];
    return v;
}

void rcp_be48_put(uint8_t out[6], uint64_t v)
{
    for (int i = 5; i >= 0; i--) {
        out[i] = (uint8_t)v;
        v >>= 8;
    }
}

int rcp_rng_fill(const rcp_rng *rng, uint8_t *out, size_t len)
{
    if (rng == NULL || rng->fill == NULL || (out == NULL && len != 0))
        return RCP_ERR_INVALID_ARG;
    return rng->fill(rng->ctx, out, len);
}

/* ------------------------------------------------------------- writer */

void rcp_writer_init(rcp_writer *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->err = 0;
}

void rcp_writer_put(rcp_writer *w, const void *data, size_t len)
{
    if (w->err)
        return;
    if (len > w->cap - w->len) {
        w->err = RCP_ERR_BUFFER_TOO_SMALL;
        return;
    }
    if (len)
        memcpy(w->buf + w->len, data, len);
    w->len += len;
}

void rcp_writer_u8(rcp_writer *w, uint8_t v)
{
    rcp_writer_put(w, &v, 1);
}

void rcp_writer_u16be(rcp_writer *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    rcp_writer_put(w, b, 2);
}

void rcp_writer_u32be(rcp_writer *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    rcp_writer_put(w, b, 4);
}

int rcp_writer_status(const rcp_writer *w)
{
    return w->err;
}

/* ------------------------------------------------------------- reader */

void rcp_reader_init(rcp_reader *r, const uint8_t *buf, size_t len)
{
    r->buf = buf;
    r->len = buf ? len : 0;
    r->pos = 0;
    r->err = 0;
}

const uint8_t *rcp_reader_view(rcp_reader *r, size_t len)
{
    if (r->err)
        return NULL;
    if (len > r->len - r->pos) {
        r->err = RCP_ERR_DECODE;
        return NULL;
    }
    const uint8_t *p = r->buf + r->pos;
    r->pos += len;
    return p;
}

void rcp_reader_get(rcp_reader *r, void *out, size_t len)
{
    const uint8_t *p = rcp_reader_view(r, len);
    if (p == NULL) {
        if (len)
            memset(out, 0, len);
        return;
    }
    if (len)
        memcpy(out, p, len);
}

uint8_t rcp_reader_u8(rcp_reader *r)
{
    uint8_t b = 0;
    rcp_reader_get(r, &b, 1);
    return b;
}

uint16_t rcp_reader_u16be(rcp_reader *r)
{
    uint8_t b[2];
    rcp_reader_get(r, b, 2);
    return (uint16_t)(b[0] << 8 | b[1]);
}

uint32_t rcp_reader_u32be(rcp_reader *r)
{
    uint8_t b[4];
    rcp_reader_get(r, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

size_t rcp_reader_remaining(const rcp_reader *r)
{
    return r->err ? 0 : r->len - r->pos;
}

int rcp_reader_status(const rcp_reader *r)
{
    return r->err;
}

int rcp_digits(const char *s, size_t n, size_t min, size_t max)
{
    if (s == NULL || n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}
