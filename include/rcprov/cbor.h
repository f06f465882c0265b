/*
 * rcprov — deterministic CBOR (RFC 8949) over libcbor, without heap.
 *
 * The wire profile (docs/spec/cbor.md) is the core deterministic encoding
 * of RFC 8949 section 4.2.1 restricted to the data items the protocols use:
 * unsigned and negative integers, byte strings, UTF-8 text strings, arrays,
 * maps, true, false and null.  Tags are refused unless a decoder explicitly
 * allows them; floating-point numbers, undefined and other simple values
 * are always refused.
 *
 * Encoder: rcp_cbor_enc writes into a caller buffer, checks the structure it
 * is given (declared counts, one top-level item, map keys strictly ascending
 * in bytewise order of their encodings) and keeps the first error (sticky,
 * as BearSSL does): after a failure every write is a no-op and
 * rcp_cbor_enc_finish() reports the first error.
 *
 * Decoder: rcp_cbor_decode_init() first validates the whole input under
 * explicit limits with libcbor's streaming decoder, then hands out a pull
 * cursor whose results point into the input (nothing is copied).  Cursor
 * errors are sticky too.  Every failure fills an rcp_cbor_diag: the reason
 * and the byte offset in the message where it was found.
 *
 * Nothing here allocates memory.  Pointers returned by the decoder point
 * into the caller's input and live as long as it does.
 */
#ifndef RCPROV_CBOR_H
#define RCPROV_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ limits */

/* Defaults used when a decoder is given NULL limits. */
#define RCP_CBOR_DEFAULT_MAX_SIZE 16384u /* bytes of input */
#define RCP_CBOR_DEFAULT_MAX_DEPTH 8u    /* arrays/maps nested in one another */
#define RCP_CBOR_DEFAULT_MAX_ITEMS 1024u /* data items in the whole input */

/* Hard caps: the validator and the encoder keep one frame per open
 * container on the stack, so depth is bounded at compile time. */
#define RCP_CBOR_MAX_DEPTH 32u     /* largest max_depth a decoder accepts */
#define RCP_CBOR_ENC_MAX_DEPTH 16u /* deepest nesting the encoder writes */

/* Bytes of the head of an item whose argument is n (shortest form), and of a
 * whole byte/text string of n bytes: use these to size buffers. */
#define RCP_CBOR_HEAD_SIZE(n)                                                                      \
    ((uint64_t)(n) < 24u            ? 1u                                                           \
     : (uint64_t)(n) <= 0xffu       ? 2u                                                           \
     : (uint64_t)(n) <= 0xffffu     ? 3u                                                           \
     : (uint64_t)(n) <= 0xffffffffu ? 5u                                                           \
                                    : 9u)
#define RCP_CBOR_STR_SIZE(n) (RCP_CBOR_HEAD_SIZE(n) + (n))
#define RCP_CBOR_HEAD_MAX 9u

typedef struct rcp_cbor_limits {
    size_t max_size;    /* input longer than this: RCP_ERR_LIMIT (SIZE) */
    uint32_t max_depth; /* array/map nesting deeper than this: RCP_ERR_LIMIT (DEPTH);
                           at most RCP_CBOR_MAX_DEPTH; 0 allows scalars only */
    uint32_t max_items; /* more data items than this: RCP_ERR_LIMIT (ITEMS); every head
                           counts one (a map entry is two items, a tag one more) */
    bool allow_tags;    /* false: any tag is RCP_ERR_UNSUPPORTED (TAG) */
} rcp_cbor_limits;

#define RCP_CBOR_LIMITS_DEFAULT                                                                    \
    {                                                                                              \
        RCP_CBOR_DEFAULT_MAX_SIZE, RCP_CBOR_DEFAULT_MAX_DEPTH, RCP_CBOR_DEFAULT_MAX_ITEMS, false   \
    }

/* ------------------------------------------------------------ diagnostics */

/* Why an encode or decode failed.  The RCP_ERR_* code says what kind of
 * failure it is; the reason says which rule was broken. */
enum rcp_cbor_reason {
    RCP_CBOR_OK = 0,
    /* RCP_ERR_DECODE: not well-formed or not deterministic */
    RCP_CBOR_TRUNCATED,     /* input ends inside an item */
    RCP_CBOR_TRAILING,      /* bytes after the item (or unread items in a span) */
    RCP_CBOR_MALFORMED,     /* reserved additional information 28..30, or 31 on 0/1/6 */
    RCP_CBOR_INDEFINITE,    /* indefinite length string/array/map, or a break */
    RCP_CBOR_NON_SHORTEST,  /* argument not encoded in its shortest form */
    RCP_CBOR_DUPLICATE_KEY, /* map key equal to the previous key */
    RCP_CBOR_UNSORTED_KEY,  /* map key not after the previous key in bytewise order */
    RCP_CBOR_BAD_UTF8,      /* text string is not valid UTF-8 (RFC 3629) */
    /* RCP_ERR_UNSUPPORTED: well-formed CBOR outside the profile */
    RCP_CBOR_FLOAT,  /* floating-point number */
    RCP_CBOR_SIMPLE, /* undefined or a simple value other than false/true/null */
    RCP_CBOR_TAG,    /* tag, and the limits do not allow tags */
    /* RCP_ERR_LIMIT */
    RCP_CBOR_SIZE,  /* input longer than max_size */
    RCP_CBOR_DEPTH, /* nesting deeper than max_depth (or the encoder's cap) */
    RCP_CBOR_ITEMS, /* more items than max_items */
    /* cursor and encoder use */
    RCP_CBOR_TYPE,      /* RCP_ERR_DECODE: the item has another type than expected */
    RCP_CBOR_LENGTH,    /* RCP_ERR_LENGTH: string length outside the range asked for */
    RCP_CBOR_RANGE,     /* RCP_ERR_RANGE: integer does not fit the type asked for */
    RCP_CBOR_END,       /* RCP_ERR_DECODE: no item left to read */
    RCP_CBOR_COUNT,     /* RCP_ERR_STATE (encoder) / RCP_ERR_DECODE (envelope):
                           wrong number of items */
    RCP_CBOR_BUFFER,    /* RCP_ERR_BUFFER_TOO_SMALL: output buffer full */
    RCP_CBOR_ARG,       /* RCP_ERR_INVALID_ARG: bad argument */
    RCP_CBOR_NOT_FOUND, /* RCP_ERR_NOT_FOUND: map has no such key */
    /* envelope (rcprov/envelope.h) */
    RCP_CBOR_VERSION,  /* RCP_ERR_UNSUPPORTED: unknown protocol version */
    RCP_CBOR_MSG_TYPE, /* RCP_ERR_UNSUPPORTED: message type in no registered range */
};

typedef struct rcp_cbor_diag {
    enum rcp_cbor_reason reason;
    size_t offset; /* byte offset in the message (decoder) or output (encoder) */
} rcp_cbor_diag;

/* Short English phrase for a reason, e.g. "map keys not in ascending order";
 * never NULL. */
const char *rcp_cbor_reason_str(enum rcp_cbor_reason reason);

/* Head size of an argument, as RCP_CBOR_HEAD_SIZE. */
size_t rcp_cbor_head_size(uint64_t arg);

/* True when s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).  NUL is valid UTF-8. */
bool rcp_cbor_utf8_valid(const uint8_t *s, size_t n);

/* Bytewise lexicographic order of two encoded map keys (RFC 8949 4.2.1):
 * negative, 0 or positive as a sorts before, equal to, or after b. */
int rcp_cbor_key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn);

/* ------------------------------------------------------------ encoder */

struct rcp_cbor_enc_frame {
    uint64_t remaining;    /* items still to write (two per map entry) */
    size_t start;          /* bstr wrap: offset of its head */
    size_t key_start;      /* map: offset of the key being written */
    size_t prev_key_start; /* map: the previous key, for the order check */
    size_t prev_key_len;
    uint8_t kind;
    uint8_t has_prev;
};

/* Fields are private; the struct is public so callers can keep it on the
 * stack (about 0.8 KiB). */
typedef struct rcp_cbor_enc {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err;
    rcp_cbor_diag diag;
    uint32_t depth;
    bool done; /* one complete top-level item has been written */
    struct rcp_cbor_enc_frame frames[RCP_CBOR_ENC_MAX_DEPTH];
} rcp_cbor_enc;

/* Start encoding one top-level item into buf[0..cap).  buf may be NULL only
 * when cap is 0 (every write then fails with RCP_ERR_BUFFER_TOO_SMALL). */
void rcp_cbor_enc_init(rcp_cbor_enc *e, uint8_t *buf, size_t cap);

/* Each write appends one data item (a container head opens a container).
 * Failures, kept in e (first one wins):
 *   RCP_ERR_BUFFER_TOO_SMALL (BUFFER)  the item does not fit;
 *   RCP_ERR_STATE (COUNT)               more items than the enclosing array, map
 *                                       or bstr wrap declared, or a second
 *                                       top-level item;
 *   RCP_ERR_INVALID_ARG (DUPLICATE_KEY, UNSORTED_KEY)  a map key not strictly
 *                                       after the previous key of that map in
 *                                       bytewise order of the encodings
 *                                       (RFC 8949 4.2.1); checked for every key
 *                                       type, integer and text alike;
 *   RCP_ERR_INVALID_ARG (BAD_UTF8, ARG) bad text or a NULL pointer with n > 0;
 *   RCP_ERR_LIMIT (DEPTH)               more than RCP_CBOR_ENC_MAX_DEPTH open
 *                                       containers. */
void rcp_cbor_enc_uint(rcp_cbor_enc *e, uint64_t v);
void rcp_cbor_enc_int(rcp_cbor_enc *e, int64_t v);
/* Negative integer -1 - n: the whole CBOR range down to -2^64. */
void rcp_cbor_enc_negint(rcp_cbor_enc *e, uint64_t n);
void rcp_cbor_enc_bstr(rcp_cbor_enc *e, const uint8_t *p, size_t n);
/* Text string of n bytes of UTF-8 (not NUL-terminated). */
void rcp_cbor_enc_tstr(rcp_cbor_enc *e, const char *s, size_t n);
/* Text string from a NUL-terminated C string (NULL: RCP_ERR_INVALID_ARG). */
void rcp_cbor_enc_text(rcp_cbor_enc *e, const char *s);
void rcp_cbor_enc_bool(rcp_cbor_enc *e, bool v);
void rcp_cbor_enc_null(rcp_cbor_enc *e);
/* Open an array of n items / a map of n key-value pairs; the next n items
 * (2n for a map: key, value, key, ...) go inside. */
void rcp_cbor_enc_array(rcp_cbor_enc *e, size_t n);
void rcp_cbor_enc_map(rcp_cbor_enc *e, size_t n);

/*
 * Byte string wrapping one nested item: bstr .cbor item.  Between begin and
 * end write exactly one item (of any kind).  end returns where its encoding
 * sits in the output (the to-be-signed bytes of a signed structure), valid
 * while the output buffer is; pass NULL to ignore.  The head is first given
 * one byte and widened at end, so a buffer exactly as large as the final
 * encoding suffices.  end fails with RCP_ERR_STATE (COUNT) when no wrap is
 * open or its item is incomplete.  On any error *inner is NULL, *inner_len 0.
 */
void rcp_cbor_enc_bstr_wrap_begin(rcp_cbor_enc *e);
void rcp_cbor_enc_bstr_wrap_end(rcp_cbor_enc *e, const uint8_t **inner, size_t *inner_len);

/* Append one item that is already encoded (e.g. a message body made
 * elsewhere).  It must be exactly one well-formed deterministic item in this
 * profile, without tags; else RCP_ERR_INVALID_ARG, with the validator's
 * reason in e->diag. */
void rcp_cbor_enc_raw(rcp_cbor_enc *e, const uint8_t *item, size_t n);

/* 0 while no write failed, else the first error. */
int rcp_cbor_enc_status(const rcp_cbor_enc *e);

/* Check that exactly one complete top-level item was written and give its
 * length (0 on failure).  Returns the first write error, or RCP_ERR_STATE
 * when a container or wrap is still open or nothing was written. */
RCP_MUST_CHECK int rcp_cbor_enc_finish(const rcp_cbor_enc *e, size_t *out_len);

/* ------------------------------------------------------------ decoder */

/*
 * Validate that buf[0..len) is exactly one data item in the profile under
 * the limits (NULL: defaults).  Rules (docs/spec/cbor.md 3.3); the input is
 * read once from the start and the first broken rule is reported:
 *   len > max_size                         RCP_ERR_LIMIT (SIZE)
 *   bytes after the item                   RCP_ERR_DECODE (TRAILING)
 *   a tag when !allow_tags                 RCP_ERR_UNSUPPORTED (TAG)
 *   float / undefined, simple value        RCP_ERR_UNSUPPORTED (FLOAT / SIMPLE)
 *   indefinite length or break             RCP_ERR_DECODE (INDEFINITE)
 *   reserved additional information        RCP_ERR_DECODE (MALFORMED)
 *   more than max_items items              RCP_ERR_LIMIT (ITEMS)
 *   input ends inside an item              RCP_ERR_DECODE (TRUNCATED)
 *   argument not in shortest form          RCP_ERR_DECODE (NON_SHORTEST)
 *   text string not UTF-8                  RCP_ERR_DECODE (BAD_UTF8)
 *   deeper than max_depth                  RCP_ERR_LIMIT (DEPTH)
 *   map key equal to the previous one      RCP_ERR_DECODE (DUPLICATE_KEY)
 *   map key before the previous one        RCP_ERR_DECODE (UNSORTED_KEY)
 * RCP_ERR_INVALID_ARG (ARG) for buf NULL with len > 0 or max_depth above
 * RCP_CBOR_MAX_DEPTH.  diag (may be NULL) receives the reason and offset.
 */
RCP_MUST_CHECK int rcp_cbor_validate(const uint8_t *buf, size_t len, const rcp_cbor_limits *lim,
                                     rcp_cbor_diag *diag);

/* Types as the cursor sees them. */
enum rcp_cbor_type {
    RCP_CBOR_T_NONE = 0, /* at the end, or the cursor is in error */
    RCP_CBOR_T_UINT,
    RCP_CBOR_T_NEGINT,
    RCP_CBOR_T_BSTR,
    RCP_CBOR_T_TSTR,
    RCP_CBOR_T_ARRAY,
    RCP_CBOR_T_MAP,
    RCP_CBOR_T_TAG,
    RCP_CBOR_T_BOOL,
    RCP_CBOR_T_NULL,
};

/*
 * Pull cursor over a validated span of items.  It reads items in pre-order
 * (a container head, then its contents) and does not track containers: the
 * caller reads the count from the head and then that many items (twice as
 * many for a map).  Fields are readable: err (0 or the first error), diag
 * (reason and offset of that error, offsets counted from the start of the
 * message given to rcp_cbor_decode_init).
 */
typedef struct rcp_cbor_cursor {
    const uint8_t *buf; /* start of the span */
    size_t len;         /* bytes in the span */
    size_t pos;         /* next item, relative to buf */
    size_t base;        /* offset of buf in the message, for diagnostics */
    int err;
    rcp_cbor_diag diag;
} rcp_cbor_cursor;

/* Validate buf[0..len) (see rcp_cbor_validate) and put the cursor before its
 * item.  On failure returns the error and leaves the cursor in that error. */
RCP_MUST_CHECK int rcp_cbor_decode_init(rcp_cbor_cursor *c, const uint8_t *buf, size_t len,
                                        const rcp_cbor_limits *lim);

/* Type of the next item, without consuming it. */
enum rcp_cbor_type rcp_cbor_peek(const rcp_cbor_cursor *c);

/* True when no error and every item of the span has been read. */
bool rcp_cbor_at_end(const rcp_cbor_cursor *c);

/* Offset in the message of the next item. */
size_t rcp_cbor_offset(const rcp_cbor_cursor *c);

/*
 * Expect the next item to be of one type and consume it.  Each returns 0, or
 * the cursor's (sticky) error: an item of another type is RCP_ERR_DECODE
 * (TYPE) and is not consumed; no item left is RCP_ERR_DECODE (END).  Outputs
 * are zero/NULL on any error.
 */
RCP_MUST_CHECK int rcp_cbor_expect_uint(rcp_cbor_cursor *c, uint64_t *v);
/* Integer of either sign in int64_t range; outside it RCP_ERR_RANGE (RANGE). */
RCP_MUST_CHECK int rcp_cbor_expect_int(rcp_cbor_cursor *c, int64_t *v);
/* Negative integer, as its argument n (the value is -1 - n). */
RCP_MUST_CHECK int rcp_cbor_expect_negint(rcp_cbor_cursor *c, uint64_t *n);
/* Byte string of min..max bytes (else RCP_ERR_LENGTH (LENGTH)); *p points
 * into the input. */
RCP_MUST_CHECK int rcp_cbor_expect_bstr(rcp_cbor_cursor *c, const uint8_t **p, size_t *n,
                                        size_t min, size_t max);
/* Text string of min..max bytes, valid UTF-8, not NUL-terminated. */
RCP_MUST_CHECK int rcp_cbor_expect_tstr(rcp_cbor_cursor *c, const char **s, size_t *n, size_t min,
                                        size_t max);
RCP_MUST_CHECK int rcp_cbor_expect_bool(rcp_cbor_cursor *c, bool *v);
RCP_MUST_CHECK int rcp_cbor_expect_null(rcp_cbor_cursor *c);
/* Array head: *count items follow. */
RCP_MUST_CHECK int rcp_cbor_expect_array(rcp_cbor_cursor *c, size_t *count);
/* Map head: *pairs key-value pairs (2 * *pairs items) follow. */
RCP_MUST_CHECK int rcp_cbor_expect_map(rcp_cbor_cursor *c, size_t *pairs);
/* Tag head (only present when the limits allowed tags): its item follows. */
RCP_MUST_CHECK int rcp_cbor_expect_tag(rcp_cbor_cursor *c, uint64_t *tag);

/* A byte string that wraps one item (bstr .cbor): validate its content under
 * lim (NULL: defaults) and set inner to a cursor on it.  Errors of the
 * content are reported with offsets in the outer message, and also set on c. */
RCP_MUST_CHECK int rcp_cbor_expect_bstr_wrapped(rcp_cbor_cursor *c, rcp_cbor_cursor *inner,
                                                const rcp_cbor_limits *lim);

/* Consume the next item whole (with everything nested in it). */
RCP_MUST_CHECK int rcp_cbor_skip(rcp_cbor_cursor *c);

/* Consume the next item whole and set sub to a cursor spanning exactly that
 * item (sub->buf/sub->len are its encoding, e.g. for hashing). */
RCP_MUST_CHECK int rcp_cbor_enter(rcp_cbor_cursor *c, rcp_cbor_cursor *sub);

/* 0 when every item of the span was read, else RCP_ERR_DECODE (TRAILING). */
RCP_MUST_CHECK int rcp_cbor_expect_end(rcp_cbor_cursor *c);

/*
 * Look up an integer key in the map that is the next item of c, without
 * moving c.  On success value spans the value of that key.  Returns
 * RCP_ERR_NOT_FOUND when the map has no such key, RCP_ERR_DECODE (TYPE) when
 * the next item is not a map, or c's error; on failure value is left in that
 * error.  To consume the map afterwards, rcp_cbor_skip(c).
 */
RCP_MUST_CHECK int rcp_cbor_map_find_int(const rcp_cbor_cursor *c, int64_t key,
                                         rcp_cbor_cursor *value);

#ifdef __cplusplus
}
#endif
#endif
