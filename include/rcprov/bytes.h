/*
 * rcprov — byte helpers: hex, constant-time compare, wiping, bounded
 * reader/writer.  No allocation.
 */
#ifndef RCPROV_BYTES_H
#define RCPROV_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Decode hex (upper or lower case, no separators, even length) into out.
 * *out_len receives the number of bytes.  Errors: RCP_ERR_DECODE (odd length
 * or a non-hex character), RCP_ERR_BUFFER_TOO_SMALL.
 */
RCP_MUST_CHECK int rcp_hex_decode(const char *hex, uint8_t *out, size_t out_cap, size_t *out_len);

/* Decode hex that must be exactly want_len bytes.  Errors as above, plus
 * RCP_ERR_LENGTH when the decoded length differs. */
RCP_MUST_CHECK int rcp_hex_decode_exact(const char *hex, uint8_t *out, size_t want_len);

/* Encode len bytes as lowercase hex plus NUL; out needs 2*len+1 bytes. */
RCP_MUST_CHECK int rcp_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_cap);

/* 1 when s[0..n) has between min and max characters, all ASCII digits. */
int rcp_digits(const char *s, size_t n, size_t min, size_t max);

/* 1 when a and b are equal, 0 otherwise; time depends only on len. */
int rcp_ct_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* Overwrite len bytes with zeros in a way the compiler cannot elide. */
void rcp_wipe(void *p, size_t len);

/* XOR n bytes: out[i] = a[i] ^ b[i] (out may alias a or b). */
void rcp_xor(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n);

/* Seconds since the Unix epoch as ISO 8601 UTC ("2027-01-15T08:00:00Z"),
 * or as the plain number when outside years 1950..9999; always
 * NUL-terminated.  For messages to people. */
#define RCP_TIME_STR_LEN 32
void rcp_time_format(int64_t t, char out[RCP_TIME_STR_LEN]);

/* Big-endian helpers. */
uint64_t rcp_be48_get(const uint8_t in[6]);
void rcp_be48_put(uint8_t out[6], uint64_t v);

/*
 * Bounded writer.  The first failure is sticky (BearSSL style): later
 * writes do nothing and rcp_writer_status() reports the first error.
 */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err;
} rcp_writer;

void rcp_writer_init(rcp_writer *w, uint8_t *buf, size_t cap);
void rcp_writer_put(rcp_writer *w, const void *data, size_t len);
void rcp_writer_u8(rcp_writer *w, uint8_t v);
void rcp_writer_u16be(rcp_writer *w, uint16_t v);
void rcp_writer_u32be(rcp_writer *w, uint32_t v);
/* 0 while no write failed, else the first error. */
int rcp_writer_status(const rcp_writer *w);

/* Bounded reader with the same sticky error. */
typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
    int err;
} rcp_reader;

void rcp_reader_init(rcp_reader *r, const uint8_t *buf, size_t len);
/* Copy len bytes out; on underflow sets RCP_ERR_DECODE and zero-fills out. */
void rcp_reader_get(rcp_reader *r, void *out, size_t len);
/* Return a pointer to the next len bytes and advance, or NULL on underflow. */
const uint8_t *rcp_reader_view(rcp_reader *r, size_t len);
uint8_t rcp_reader_u8(rcp_reader *r);
uint16_t rcp_reader_u16be(rcp_reader *r);
uint32_t rcp_reader_u32be(rcp_reader *r);
size_t rcp_reader_remaining(const rcp_reader *r);
int rcp_reader_status(const rcp_reader *r);

#ifdef __cplusplus
}
#endif
#endif
