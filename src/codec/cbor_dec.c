/*
 * Deterministic CBOR decoder: whole-input validation under limits, then a
 * pull cursor over the validated bytes.
 *
 * Heads are parsed by libcbor's streaming decoder (cbor_stream_decode: one
 * head per call, no allocation).  Its callbacks only say which item was
 * seen; how many bytes it read tells us the head's width, which is how
 * non-shortest heads are caught.  Before libcbor sees an initial byte we
 * screen it for what the profile refuses or libcbor 0.8 treats its own way
 * (indefinite lengths, floats, simple values, tags).
 */
#include <string.h>

#include <cbor.h>

#include "rcprov/cbor.h"

#define MAJOR_UINT 0u
#define MAJOR_NEGINT 1u
#define MAJOR_BSTR 2u
#define MAJOR_TSTR 3u
#define MAJOR_ARRAY 4u
#define MAJOR_MAP 5u
#define MAJOR_TAG 6u
#define MAJOR_SIMPLE 7u

/* RFC 8949 3.3: additional information values of major type 7 */
#define AI_FALSE 20u
#define AI_TRUE 21u
#define AI_NULL 22u
#define AI_FLOAT16 25u
#define AI_FLOAT64 27u
#define AI_INDEFINITE 31u /* RFC 8949 3.2 (break for major type 7) */
#define AI_RESERVED_FIRST 28u

#define IB_FALSE 0xf4u
#define IB_TRUE 0xf5u
#define IB_NULL 0xf6u

struct head {
    unsigned major;
    uint64_t arg;        /* value, length, count, tag number, or simple value */
    const uint8_t *data; /* string content */
    size_t head_len;
    size_t item_len; /* head plus string content */
};

/* ------------------------------------------------------------ heads */

struct head_ctx {
    uint64_t arg;
    const uint8_t *data;
    size_t data_len;
    unsigned calls;
};

static void on_u8(void *ctx, uint8_t v)
{
    ((struct head_ctx *)ctx)->arg = v;
    ((struct head_ctx *)ctx)->calls++;
}
static void on_u16(void *ctx, uint16_t v)
{
    ((struct head_ctx *)ctx)->arg = v;
    ((struct head_ctx *)ctx)->calls++;
}
static void on_u32(void *ctx, uint32_t v)
{
    ((struct head_ctx *)ctx)->arg = v;
    ((struct head_ctx *)ctx)->calls++;
}
static void on_u64(void *ctx, uint64_t v)
{
    ((struct head_ctx *)ctx)->arg = v;
    ((struct head_ctx *)ctx)->calls++;
}
static void on_string(void *ctx, cbor_data data, size_t len)
{
    struct head_ctx *h = ctx;
    h->data = data;
    h->data_len = len;
    h->arg = len;
    h->calls++;
}
static void on_count(void *ctx, size_t n)
{
    ((struct head_ctx *)ctx)->arg = n;
    ((struct head_ctx *)ctx)->calls++;
}
static void on_bool(void *ctx, bool v)
{
    ((struct head_ctx *)ctx)->arg = v;
    ((struct head_ctx *)ctx)->calls++;
}
static void on_null(void *ctx)
{
    ((struct head_ctx *)ctx)->calls++;
}

/* Screened out before libcbor: if one of these fires, the head is refused. */
static void on_refused(void *ctx)
{
    ((struct head_ctx *)ctx)->calls += 2;
}
static void on_refused_float(void *ctx, float v)
{
    (void)v;
    on_refused(ctx);
}
static void on_refused_double(void *ctx, double v)
{
    (void)v;
    on_refused(ctx);
}

static const struct cbor_callbacks k_head_callbacks = {
    .uint8 = on_u8,
    .uint16 = on_u16,
    .uint32 = on_u32,
    .uint64 = on_u64,
    .negint8 = on_u8,
    .negint16 = on_u16,
    .negint32 = on_u32,
    .negint64 = on_u64,
    .byte_string_start = on_refused,
    .byte_string = on_string,
    .string = on_string,
    .string_start = on_refused,
    .indef_array_start = on_refused,
    .array_start = on_count,
    .indef_map_start = on_refused,
    .map_start = on_count,
    .tag = on_u64,
    .float2 = on_refused_float,
    .float4 = on_refused_float,
    .float8 = on_refused_double,
    .undefined = on_refused,
    .null = on_null,
    .boolean = on_bool,
    .indef_break = on_refused,
};

/* Rules decided by the initial byte alone. */
static int screen(uint8_t ib, bool allow_tags, enum rcp_cbor_reason *why)
{
    unsigned major = ib >> 5, ai = ib & 0x1fu;
    if (major == MAJOR_TAG && !allow_tags) {
        *why = RCP_CBOR_TAG;
        return RCP_ERR_UNSUPPORTED;
    }
    if (major == MAJOR_SIMPLE) {
        if (ai == AI_FALSE || ai == AI_TRUE || ai == AI_NULL)
            return 0;
        if (ai >= AI_FLOAT16 && ai <= AI_FLOAT64) {
            *why = RCP_CBOR_FLOAT;
            return RCP_ERR_UNSUPPORTED;
        }
        if (ai == AI_INDEFINITE) { /* break: only ends indefinite items */
            *why = RCP_CBOR_INDEFINITE;
            return RCP_ERR_DECODE;
        }
        if (ai >= AI_RESERVED_FIRST) {
            *why = RCP_CBOR_MALFORMED;
            return RCP_ERR_DECODE;
        }
        *why = RCP_CBOR_SIMPLE; /* simple 0..19, undefined (23), 1-byte simple (24) */
        return RCP_ERR_UNSUPPORTED;
    }
    if (ai == AI_INDEFINITE) {
        bool sized = major >= MAJOR_BSTR && major <= MAJOR_MAP;
        *why = sized ? RCP_CBOR_INDEFINITE : RCP_CBOR_MALFORMED;
        return RCP_ERR_DECODE;
    }
    if (ai >= AI_RESERVED_FIRST) {
        *why = RCP_CBOR_MALFORMED;
        return RCP_ERR_DECODE;
    }
    return 0;
}

/* Parse the head at p (avail bytes) and, for strings, claim the content. */
static int read_head(const uint8_t *p, size_t avail, bool allow_tags, struct head *h,
                     enum rcp_cbor_reason *why)
{
    memset(h, 0, sizeof *h);
    if (avail == 0) {
        *why = RCP_CBOR_TRUNCATED;
        return RCP_ERR_DECODE;
    }
    int r = screen(p[0], allow_tags, why);
    if (r)
        return r;
    h->major = p[0] >> 5;
    unsigned ai = p[0] & 0x1fu;

    if (h->major == MAJOR_TAG && ai < 24) {
        /* libcbor 0.8 refuses the one-byte tags 6..20 as unassigned; the
         * argument of a one-byte head is ai itself, so read it here. */
        h->arg = ai;
        h->head_len = h->item_len = 1;
        return 0;
    }
#if SIZE_MAX < UINT64_MAX
    /* libcbor casts 8-byte lengths and counts to size_t; anything that does
     * not fit cannot be present in an addressable input anyway. */
    if (ai == 27 && h->major >= MAJOR_BSTR && h->major <= MAJOR_MAP) {
        if (avail < 9 || p[1] || p[2] || p[3] || p[4]) {
            *why = RCP_CBOR_TRUNCATED;
            return RCP_ERR_DECODE;
        }
    }
#endif

    struct head_ctx ctx = {0};
    struct cbor_decoder_result res = cbor_stream_decode(p, avail, &k_head_callbacks, &ctx);
    if (res.status == CBOR_DECODER_NEDATA) {
        *why = RCP_CBOR_TRUNCATED;
        return RCP_ERR_DECODE;
    }
    if (res.status != CBOR_DECODER_FINISHED || ctx.calls != 1 || res.read == 0 ||
        res.read > avail) {
        *why = RCP_CBOR_MALFORMED;
        return RCP_ERR_DECODE;
    }
    h->arg = ctx.arg;
    h->item_len = res.read;
    h->head_len = res.read;
    if (h->major == MAJOR_BSTR || h->major == MAJOR_TSTR) {
        if (ctx.data_len > res.read - 1 || ctx.data != p + (res.read - ctx.data_len)) {
            *why = RCP_CBOR_MALFORMED;
            return RCP_ERR_DECODE;
        }
        h->data = ctx.data;
        h->head_len = res.read - ctx.data_len;
    }
    /* RFC 8949 4.2.1: arguments in the shortest form.  Major type 7 heads
     * that reach here (false, true, null) are one byte. */
    size_t shortest = h->major == MAJOR_SIMPLE ? 1 : rcp_cbor_head_size(h->arg);
    if (h->head_len != shortest) {
        *why = RCP_CBOR_NON_SHORTEST;
        return RCP_ERR_DECODE;
    }
    return 0;
}

/* ------------------------------------------------------------ validation */

struct vframe {
    uint64_t remaining; /* items still to come (two per map entry) */
    size_t key_start;
    size_t prev_key_start;
    size_t prev_key_len;
    bool is_map;
    bool has_prev;
};

static int vfail(rcp_cbor_diag *d, int err, enum rcp_cbor_reason why, size_t offset)
{
    d->reason = why;
    d->offset = offset;
    return err;
}

/* The item ending at end is complete: count it in its container, check map
 * key order, and close every container it completes. */
static int complete(const uint8_t *buf, struct vframe *st, uint32_t *depth, bool *done, size_t end,
                    rcp_cbor_diag *d)
{
    while (*depth > 0) {
        struct vframe *f = &st[*depth - 1];
        if (f->is_map && f->remaining % 2 == 0) {
            size_t klen = end - f->key_start;
            if (f->has_prev) {
                int c = rcp_cbor_key_cmp(buf + f->prev_key_start, f->prev_key_len,
                                         buf + f->key_start, klen);
                if (c == 0)
                    return vfail(d, RCP_ERR_DECODE, RCP_CBOR_DUPLICATE_KEY, f->key_start);
                if (c > 0)
                    return vfail(d, RCP_ERR_DECODE, RCP_CBOR_UNSORTED_KEY, f->key_start);
            }
            f->prev_key_start = f->key_start;
            f->prev_key_len = klen;
            f->has_prev = true;
        }
        if (--f->remaining > 0)
            return 0;
        (*depth)--;
    }
    *done = true;
    return 0;
}

int rcp_cbor_validate(const uint8_t *buf, size_t len, const rcp_cbor_limits *lim,
                      rcp_cbor_diag *diag)
{
    static const rcp_cbor_limits k_default = RCP_CBOR_LIMITS_DEFAULT;
    rcp_cbor_diag scratch;
    rcp_cbor_diag *d = diag ? diag : &scratch;
    d->reason = RCP_CBOR_OK;
    d->offset = 0;
    if (lim == NULL)
        lim = &k_default;
    if ((buf == NULL && len != 0) || lim->max_depth > RCP_CBOR_MAX_DEPTH)
        return vfail(d, RCP_ERR_INVALID_ARG, RCP_CBOR_ARG, 0);
    if (len > lim->max_size)
        return vfail(d, RCP_ERR_LIMIT, RCP_CBOR_SIZE, lim->max_size);

    struct vframe st[RCP_CBOR_MAX_DEPTH];
    uint32_t depth = 0;
    uint64_t items = 0;
    bool done = false;
    bool after_tag = false; /* the next item is the content of a tag */
    size_t pos = 0;
    while (pos < len) {
        if (done)
            return vfail(d, RCP_ERR_DECODE, RCP_CBOR_TRAILING, pos);
        enum rcp_cbor_reason why = RCP_CBOR_OK;
        int r = screen(buf[pos], lim->allow_tags, &why);
        if (r)
            return vfail(d, r, why, pos);
        if (items >= lim->max_items)
            return vfail(d, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, pos);
        items++;
        struct head h;
        r = read_head(buf + pos, len - pos, lim->allow_tags, &h, &why);
        if (r)
            return vfail(d, r, why, pos);
        if (h.major == MAJOR_TSTR && !rcp_cbor_utf8_valid(h.data, (size_t)h.arg))
            return vfail(d, RCP_ERR_DECODE, RCP_CBOR_BAD_UTF8, pos);

        struct vframe *f = depth ? &st[depth - 1] : NULL;
        if (f && f->is_map && !after_tag && f->remaining % 2 == 0)
            f->key_start = pos; /* a key starts here (with its tags, if any) */
        size_t at = pos;
        pos += h.item_len;
        after_tag = h.major == MAJOR_TAG;
        if (after_tag)
            continue;
        if (h.major == MAJOR_ARRAY || h.major == MAJOR_MAP) {
            uint64_t budget = lim->max_items - items;
            if (h.major == MAJOR_ARRAY ? h.arg > budget : h.arg > budget / 2)
                return vfail(d, RCP_ERR_LIMIT, RCP_CBOR_ITEMS, at);
            if (depth >= lim->max_depth)
                return vfail(d, RCP_ERR_LIMIT, RCP_CBOR_DEPTH, at);
            if (h.arg > 0) {
                struct vframe *nf = &st[depth++];
                memset(nf, 0, sizeof *nf);
                nf->is_map = h.major == MAJOR_MAP;
                nf->remaining = nf->is_map ? 2 * h.arg : h.arg;
                continue;
            }
        }
        r = complete(buf, st, &depth, &done, pos, d);
        if (r)
            return r;
    }
    if (!done)
        return vfail(d, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, len);
    return 0;
}

/* ------------------------------------------------------------ cursor */

static int cfail(rcp_cbor_cursor *c, int err, enum rcp_cbor_reason why, size_t rel)
{
    if (c->err == 0) {
        c->err = err;
        c->diag.reason = why;
        c->diag.offset = c->base + rel;
    }
    return c->err;
}

static void cursor_span(rcp_cbor_cursor *c, const uint8_t *buf, size_t len, size_t base)
{
    memset(c, 0, sizeof *c);
    c->buf = buf;
    c->len = buf ? len : 0;
    c->base = base;
}

/* Put c into the error of another cursor (diagnostic offsets are absolute). */
static void cursor_copy_error(rcp_cbor_cursor *c, const rcp_cbor_cursor *from)
{
    cursor_span(c, NULL, 0, from->base);
    c->err = from->err;
    c->diag = from->diag;
}

int rcp_cbor_decode_init(rcp_cbor_cursor *c, const uint8_t *buf, size_t len,
                         const rcp_cbor_limits *lim)
{
    cursor_span(c, buf, len, 0);
    rcp_cbor_diag d;
    int r = rcp_cbor_validate(buf, len, lim, &d);
    if (r) {
        c->err = r;
        c->diag = d;
    }
    return r;
}

static int next_head(rcp_cbor_cursor *c, struct head *h)
{
    memset(h, 0, sizeof *h);
    if (c->err)
        return c->err;
    if (c->pos >= c->len)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_END, c->pos);
    enum rcp_cbor_reason why = RCP_CBOR_OK;
    /* The span was validated: a tag in it was allowed by the limits. */
    int r = read_head(c->buf + c->pos, c->len - c->pos, true, h, &why);
    if (r)
        return cfail(c, r, why, c->pos);
    return 0;
}

enum rcp_cbor_type rcp_cbor_peek(const rcp_cbor_cursor *c)
{
    if (c->err || c->pos >= c->len)
        return RCP_CBOR_T_NONE;
    uint8_t ib = c->buf[c->pos];
    switch (ib >> 5) {
    case MAJOR_UINT:
        return RCP_CBOR_T_UINT;
    case MAJOR_NEGINT:
        return RCP_CBOR_T_NEGINT;
    case MAJOR_BSTR:
        return RCP_CBOR_T_BSTR;
    case MAJOR_TSTR:
        return RCP_CBOR_T_TSTR;
    case MAJOR_ARRAY:
        return RCP_CBOR_T_ARRAY;
    case MAJOR_MAP:
        return RCP_CBOR_T_MAP;
    case MAJOR_TAG:
        return RCP_CBOR_T_TAG;
    default:
        if (ib == IB_FALSE || ib == IB_TRUE)
            return RCP_CBOR_T_BOOL;
        if (ib == IB_NULL)
            return RCP_CBOR_T_NULL;
        return RCP_CBOR_T_NONE;
    }
}

bool rcp_cbor_at_end(const rcp_cbor_cursor *c)
{
    return c->err == 0 && c->pos == c->len;
}

size_t rcp_cbor_offset(const rcp_cbor_cursor *c)
{
    return c->base + c->pos;
}

/* Read the next head and require its major type; consume only the head (and
 * string content) on success. */
static int expect_major(rcp_cbor_cursor *c, unsigned major, struct head *h)
{
    int r = next_head(c, h);
    if (r)
        return r;
    if (h->major != major)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TYPE, c->pos);
    return 0;
}

int rcp_cbor_expect_uint(rcp_cbor_cursor *c, uint64_t *v)
{
    struct head h;
    *v = 0;
    int r = expect_major(c, MAJOR_UINT, &h);
    if (r)
        return r;
    *v = h.arg;
    c->pos += h.item_len;
    return 0;
}

int rcp_cbor_expect_negint(rcp_cbor_cursor *c, uint64_t *n)
{
    struct head h;
    *n = 0;
    int r = expect_major(c, MAJOR_NEGINT, &h);
    if (r)
        return r;
    *n = h.arg;
    c->pos += h.item_len;
    return 0;
}

int rcp_cbor_expect_int(rcp_cbor_cursor *c, int64_t *v)
{
    struct head h;
    *v = 0;
    int r = next_head(c, &h);
    if (r)
        return r;
    if (h.major != MAJOR_UINT && h.major != MAJOR_NEGINT)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TYPE, c->pos);
    if (h.arg > (uint64_t)INT64_MAX)
        return cfail(c, RCP_ERR_RANGE, RCP_CBOR_RANGE, c->pos);
    *v = h.major == MAJOR_UINT ? (int64_t)h.arg : -1 - (int64_t)h.arg;
    c->pos += h.item_len;
    return 0;
}

static int expect_string(rcp_cbor_cursor *c, unsigned major, const uint8_t **p, size_t *n,
                         size_t min, size_t max)
{
    struct head h;
    *p = NULL;
    *n = 0;
    int r = expect_major(c, major, &h);
    if (r)
        return r;
    if (h.arg < min || h.arg > max)
        return cfail(c, RCP_ERR_LENGTH, RCP_CBOR_LENGTH, c->pos);
    *p = h.data;
    *n = (size_t)h.arg;
    c->pos += h.item_len;
    return 0;
}

int rcp_cbor_expect_bstr(rcp_cbor_cursor *c, const uint8_t **p, size_t *n, size_t min, size_t max)
{
    return expect_string(c, MAJOR_BSTR, p, n, min, max);
}

int rcp_cbor_expect_tstr(rcp_cbor_cursor *c, const char **s, size_t *n, size_t min, size_t max)
{
    const uint8_t *p;
    int r = expect_string(c, MAJOR_TSTR, &p, n, min, max);
    *s = (const char *)p;
    return r;
}

int rcp_cbor_expect_bool(rcp_cbor_cursor *c, bool *v)
{
    struct head h;
    *v = false;
    int r = next_head(c, &h);
    if (r)
        return r;
    uint8_t ib = c->buf[c->pos];
    if (ib != IB_FALSE && ib != IB_TRUE)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TYPE, c->pos);
    *v = ib == IB_TRUE;
    c->pos += h.item_len;
    return 0;
}

int rcp_cbor_expect_null(rcp_cbor_cursor *c)
{
    struct head h;
    int r = next_head(c, &h);
    if (r)
        return r;
    if (c->buf[c->pos] != IB_NULL)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TYPE, c->pos);
    c->pos += h.item_len;
    return 0;
}

static int expect_count(rcp_cbor_cursor *c, unsigned major, size_t *count)
{
    struct head h;
    *count = 0;
    int r = expect_major(c, major, &h);
    if (r)
        return r;
    /* Each item takes at least one byte: a count beyond the span is a lie
     * (cannot pass validation, but the cursor does not rely on that). */
    if (h.arg > c->len - c->pos - h.item_len)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, c->pos);
    *count = (size_t)h.arg;
    c->pos += h.item_len;
    return 0;
}

int rcp_cbor_expect_array(rcp_cbor_cursor *c, size_t *count)
{
    return expect_count(c, MAJOR_ARRAY, count);
}

int rcp_cbor_expect_map(rcp_cbor_cursor *c, size_t *pairs)
{
    return expect_count(c, MAJOR_MAP, pairs);
}

int rcp_cbor_expect_tag(rcp_cbor_cursor *c, uint64_t *tag)
{
    struct head h;
    *tag = 0;
    int r = expect_major(c, MAJOR_TAG, &h);
    if (r)
        return r;
    *tag = h.arg;
    c->pos += h.item_len;
    return 0;
}

/* End of the item starting at pos (everything nested in it included). */
static int item_end(rcp_cbor_cursor *c, size_t *end)
{
    size_t pos = c->pos;
    uint64_t pending = 1;
    *end = pos;
    if (c->err)
        return c->err;
    if (pos >= c->len)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_END, pos);
    while (pending > 0) {
        struct head h;
        enum rcp_cbor_reason why = RCP_CBOR_OK;
        if (pos >= c->len)
            return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, pos);
        int r = read_head(c->buf + pos, c->len - pos, true, &h, &why);
        if (r)
            return cfail(c, r, why, pos);
        pos += h.item_len;
        pending--;
        if (h.major == MAJOR_ARRAY || h.major == MAJOR_MAP) {
            /* at least one byte per item: bounds pending by 2 * len */
            if (h.arg > c->len - pos)
                return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TRUNCATED, pos - h.item_len);
            pending += h.major == MAJOR_MAP ? 2 * h.arg : h.arg;
        } else if (h.major == MAJOR_TAG) {
            pending++;
        }
    }
    *end = pos;
    return 0;
}

int rcp_cbor_skip(rcp_cbor_cursor *c)
{
    size_t end;
    int r = item_end(c, &end);
    if (r)
        return r;
    c->pos = end;
    return 0;
}

int rcp_cbor_enter(rcp_cbor_cursor *c, rcp_cbor_cursor *sub)
{
    size_t end;
    int r = item_end(c, &end);
    if (r) {
        cursor_copy_error(sub, c);
        return r;
    }
    cursor_span(sub, c->buf + c->pos, end - c->pos, c->base + c->pos);
    c->pos = end;
    return 0;
}

int rcp_cbor_expect_end(rcp_cbor_cursor *c)
{
    if (c->err)
        return c->err;
    if (c->pos != c->len)
        return cfail(c, RCP_ERR_DECODE, RCP_CBOR_TRAILING, c->pos);
    return 0;
}

int rcp_cbor_expect_bstr_wrapped(rcp_cbor_cursor *c, rcp_cbor_cursor *inner,
                                 const rcp_cbor_limits *lim)
{
    const uint8_t *p;
    size_t n;
    int r = rcp_cbor_expect_bstr(c, &p, &n, 0, SIZE_MAX);
    if (r) {
        cursor_copy_error(inner, c);
        return r;
    }
    size_t content_at = c->pos - n; /* relative to c->buf */
    r = rcp_cbor_decode_init(inner, p, n, lim);
    inner->base = c->base + content_at;
    if (r) {
        inner->diag.offset += inner->base;
        cfail(c, r, inner->diag.reason, inner->diag.offset - c->base);
    }
    return r;
}

int rcp_cbor_map_find_int(const rcp_cbor_cursor *c, int64_t key, rcp_cbor_cursor *value)
{
    rcp_cbor_cursor m = *c;
    size_t pairs;
    int r = rcp_cbor_expect_map(&m, &pairs);
    for (size_t i = 0; r == 0 && i < pairs; i++) {
        struct head h;
        r = next_head(&m, &h);
        if (r)
            break;
        bool match = key >= 0 ? h.major == MAJOR_UINT && h.arg == (uint64_t)key
                              : h.major == MAJOR_NEGINT && h.arg == (uint64_t)(-(key + 1));
        r = rcp_cbor_skip(&m);
        if (r)
            break;
        if (match)
            return rcp_cbor_enter(&m, value);
        r = rcp_cbor_skip(&m);
    }
    if (r == 0)
        r = cfail(&m, RCP_ERR_NOT_FOUND, RCP_CBOR_NOT_FOUND, c->pos);
    cursor_copy_error(value, &m);
    return r;
}
