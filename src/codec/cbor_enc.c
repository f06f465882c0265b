/*
 * Deterministic CBOR encoder into a caller buffer (RFC 8949 4.2.1).
 *
 * Heads come from libcbor's cbor_encode_* functions, which always pick the
 * shortest form and write nothing when the buffer is too small.  This file
 * adds what libcbor leaves to the caller: structure (declared counts, one
 * top-level item), the map key order rule, UTF-8 checks and a sticky error.
 */
#include <string.h>

#include <cbor.h>

#include "rcprov/cbor.h"

enum { FRAME_ARRAY = 1, FRAME_MAP = 2, FRAME_WRAP = 3 };

static void enc_fail(rcp_cbor_enc *e, int err, enum rcp_cbor_reason why, size_t offset)
{
    if (e->err)
        return;
    e->err = err;
    e->diag.reason = why;
    e->diag.offset = offset;
}

void rcp_cbor_enc_init(rcp_cbor_enc *e, uint8_t *buf, size_t cap)
{
    memset(e, 0, sizeof *e);
    e->buf = buf;
    e->cap = buf ? cap : 0;
}

int rcp_cbor_enc_status(const rcp_cbor_enc *e)
{
    return e->err;
}

static struct rcp_cbor_enc_frame *top(rcp_cbor_enc *e)
{
    return e->depth ? &e->frames[e->depth - 1] : NULL;
}

/* Before an item: may one more item go here?  Remember where a map key
 * starts so its encoding can be compared once it is complete. */
static bool begin_item(rcp_cbor_enc *e)
{
    if (e->err)
        return false;
    struct rcp_cbor_enc_frame *f = top(e);
    if (f == NULL) {
        if (e->done) {
            enc_fail(e, RCP_ERR_STATE, RCP_CBOR_COUNT, e->len);
            return false;
        }
        return true;
    }
    if (f->remaining == 0) { /* only a wrap frame stays open with nothing left */
        enc_fail(e, RCP_ERR_STATE, RCP_CBOR_COUNT, e->len);
        return false;
    }
    if (f->kind == FRAME_MAP && f->remaining % 2 == 0)
        f->key_start = e->len;
    return true;
}

/* An item ended at e->len: count it in its container, check key order, and
 * close every container this completes. */
static void end_item(rcp_cbor_enc *e)
{
    for (;;) {
        struct rcp_cbor_enc_frame *f = top(e);
        if (f == NULL) {
            e->done = true;
            return;
        }
        if (f->kind == FRAME_MAP && f->remaining % 2 == 0) {
            size_t klen = e->len - f->key_start;
            if (f->has_prev) {
                int c = rcp_cbor_key_cmp(e->buf + f->prev_key_start, f->prev_key_len,
                                         e->buf + f->key_start, klen);
                if (c >= 0) {
                    enc_fail(e, RCP_ERR_INVALID_ARG,
                             c == 0 ? RCP_CBOR_DUPLICATE_KEY : RCP_CBOR_UNSORTED_KEY, f->key_start);
                    return;
                }
            }
            f->prev_key_start = f->key_start;
            f->prev_key_len = klen;
            f->has_prev = 1;
        }
        f->remaining--;
        if (f->remaining > 0 || f->kind == FRAME_WRAP)
            return; /* a wrap is closed by rcp_cbor_enc_bstr_wrap_end */
        e->depth--;
    }
}

/* Account for n bytes a cbor_encode_* call wrote; 0 means they did not fit. */
static bool wrote(rcp_cbor_enc *e, size_t n)
{
    if (n == 0) {
        enc_fail(e, RCP_ERR_BUFFER_TOO_SMALL, RCP_CBOR_BUFFER, e->len);
        return false;
    }
    e->len += n;
    return true;
}

static unsigned char *out(rcp_cbor_enc *e)
{
    return e->cap ? e->buf + e->len : NULL;
}
static size_t room(const rcp_cbor_enc *e)
{
    return e->cap - e->len;
}

static void push(rcp_cbor_enc *e, uint8_t kind, uint64_t items, size_t start)
{
    if (e->depth == RCP_CBOR_ENC_MAX_DEPTH) {
        enc_fail(e, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, start);
        return;
    }
    struct rcp_cbor_enc_frame *f = &e->frames[e->depth++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->remaining = items;
    f->start = start;
}

void rcp_cbor_enc_uint(rcp_cbor_enc *e, uint64_t v)
{
    if (begin_item(e) && wrote(e, cbor_encode_uint(v, out(e), room(e))))
        end_item(e);
}

void rcp_cbor_enc_negint(rcp_cbor_enc *e, uint64_t n)
{
    if (begin_item(e) && wrote(e, cbor_encode_negint(n, out(e), room(e))))
        end_item(e);
}

void rcp_cbor_enc_int(rcp_cbor_enc *e, int64_t v)
{
    if (v >= 0)
        rcp_cbor_enc_uint(e, (uint64_t)v);
    else
        rcp_cbor_enc_negint(e, (uint64_t)(-(v + 1))); /* -1 - n = v, no overflow */
}

static void put_string(rcp_cbor_enc *e, bool text, const uint8_t *p, size_t n)
{
    if (!begin_item(e))
        return;
    size_t at = e->len;
    if (p == NULL && n != 0) {
        enc_fail(e, RCP_ERR_INVALID_ARG, RCP_CBOR_ARG, at);
        return;
    }
    if (text && !rcp_cbor_utf8_valid(p, n)) {
        enc_fail(e, RCP_ERR_INVALID_ARG, RCP_CBOR_BAD_UTF8, at);
        return;
    }
    size_t h = text ? cbor_encode_string_start(n, out(e), room(e))
                    : cbor_encode_bytestring_start(n, out(e), room(e));
    if (!wrote(e, h))
        return;
    if (n > room(e)) {
        enc_fail(e, RCP_ERR_BUFFER_TOO_SMALL, RCP_CBOR_BUFFER, at);
        return;
    }
    if (n)
        memcpy(e->buf + e->len, p, n);
    e->len += n;
    end_item(e);
}

void rcp_cbor_enc_bstr(rcp_cbor_enc *e, const uint8_t *p, size_t n)
{
    put_string(e, false, p, n);
}

void rcp_cbor_enc_tstr(rcp_cbor_enc *e, const char *s, size_t n)
{
    put_string(e, true, (const uint8_t *)s, n);
}

void rcp_cbor_enc_text(rcp_cbor_enc *e, const char *s)
{
    if (s == NULL) {
        if (begin_item(e))
            enc_fail(e, RCP_ERR_INVALID_ARG, RCP_CBOR_ARG, e->len);
        return;
    }
    put_string(e, true, (const uint8_t *)s, strlen(s));
}

void rcp_cbor_enc_bool(rcp_cbor_enc *e, bool v)
{
    if (begin_item(e) && wrote(e, cbor_encode_bool(v, out(e), room(e))))
        end_item(e);
}

void rcp_cbor_enc_null(rcp_cbor_enc *e)
{
    if (begin_item(e) && wrote(e, cbor_encode_null(out(e), room(e))))
        end_item(e);
}

void rcp_cbor_enc_array(rcp_cbor_enc *e, size_t n)
{
    if (!begin_item(e))
        return;
    size_t at = e->len;
    if (!wrote(e, cbor_encode_array_start(n, out(e), room(e))))
        return;
    if (n == 0)
        end_item(e);
    else
        push(e, FRAME_ARRAY, n, at);
}

void rcp_cbor_enc_map(rcp_cbor_enc *e, size_t n)
{
    if (!begin_item(e))
        return;
    size_t at = e->len;
    if ((uint64_t)n > UINT64_MAX / 2) {
        enc_fail(e, RCP_ERR_INVALID_ARG, RCP_CBOR_ARG, at);
        return;
    }
    if (!wrote(e, cbor_encode_map_start(n, out(e), room(e))))
        return;
    if (n == 0)
        end_item(e);
    else
        push(e, FRAME_MAP, 2 * (uint64_t)n, at);
}

void rcp_cbor_enc_bstr_wrap_begin(rcp_cbor_enc *e)
{
    if (!begin_item(e))
        return;
    size_t at = e->len;
    /* One byte for the head now; wrap_end widens it once the length is known,
     * so the inner item never needs more room than the final encoding. */
    if (!wrote(e, cbor_encode_bytestring_start(0, out(e), room(e))))
        return;
    push(e, FRAME_WRAP, 1, at);
}

void rcp_cbor_enc_bstr_wrap_end(rcp_cbor_enc *e, const uint8_t **inner, size_t *inner_len)
{
    if (inner)
        *inner = NULL;
    if (inner_len)
        *inner_len = 0;
    if (e->err)
        return;
    struct rcp_cbor_enc_frame *f = top(e);
    if (f == NULL || f->kind != FRAME_WRAP || f->remaining != 0) {
        enc_fail(e, RCP_ERR_STATE, RCP_CBOR_COUNT, e->len);
        return;
    }
    size_t start = f->start;
    size_t n = e->len - start - 1;
    size_t h = rcp_cbor_head_size(n);
    if (h - 1 > room(e)) {
        enc_fail(e, RCP_ERR_BUFFER_TOO_SMALL, RCP_CBOR_BUFFER, e->len);
        return;
    }
    if (h > 1)
        memmove(e->buf + start + h, e->buf + start + 1, n);
    if (cbor_encode_bytestring_start(n, e->buf + start, h) != h) {
        /* cannot happen: h is the shortest head size libcbor also picks */
        enc_fail(e, RCP_ERR_STATE, RCP_CBOR_BUFFER, start);
        return;
    }
    e->len += h - 1;
    e->depth--;
    end_item(e);
    if (e->err)
        return;
    if (inner)
        *inner = e->buf + start + h;
    if (inner_len)
        *inner_len = n;
}

void rcp_cbor_enc_raw(rcp_cbor_enc *e, const uint8_t *item, size_t n)
{
    if (!begin_item(e))
        return;
    size_t at = e->len;
    /* The caller made these bytes, so size and count limits only need to
     * admit them; determinism and well-formedness are what is checked. */
    const rcp_cbor_limits lim = {n, RCP_CBOR_MAX_DEPTH, UINT32_MAX, false};
    rcp_cbor_diag d;
    if (rcp_cbor_validate(item, n, &lim, &d) != 0) {
        enc_fail(e, RCP_ERR_INVALID_ARG, d.reason, at);
        return;
    }
    if (n > room(e)) {
        enc_fail(e, RCP_ERR_BUFFER_TOO_SMALL, RCP_CBOR_BUFFER, at);
        return;
    }
    memcpy(e->buf + e->len, item, n);
    e->len += n;
    end_item(e);
}

int rcp_cbor_enc_finish(const rcp_cbor_enc *e, size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (e->err)
        return e->err;
    if (e->depth != 0 || !e->done)
        return RCP_ERR_STATE;
    if (out_len)
        *out_len = e->len;
    return 0;
}
