/*
 * rcprov test harness: counting checks, JSON vector loading, hex helpers.
 *
 * Each test program counts its checks and ends with rcp_t_done(), which
 * prints "<name>: N passed, N failed" and returns the exit status.  Vector
 * files are found under $RCP_VECTORS (set by CTest) or tests/vectors.
 */
#ifndef RCP_TEST_HARNESS_H
#define RCP_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "rcprov/error.h"

extern long rcp_t_pass;
extern long rcp_t_fail;

void rcp_t_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond)                                                                                  \
            rcp_t_pass++;                                                                          \
        else                                                                                       \
            rcp_t_fail_at(__FILE__, __LINE__, "CHECK(%s)", #cond);                                 \
    } while (0)

/* expr must return err (an RCP_ERR_* or 0). */
#define CHECK_ERR(expr, err)                                                                       \
    do {                                                                                           \
        int rcp_t_got_ = (expr);                                                                   \
        if (rcp_t_got_ == (err))                                                                   \
            rcp_t_pass++;                                                                          \
        else                                                                                       \
            rcp_t_fail_at(__FILE__, __LINE__, "%s returned %s, expected %s", #expr,                \
                          rcp_errname(rcp_t_got_), rcp_errname(err));                              \
    } while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, 0)

/* Compare len bytes; on mismatch print both in hex. */
#define CHECK_MEM(got, want, len)                                                                  \
    rcp_t_check_mem(__FILE__, __LINE__, #got, (const uint8_t *)(got), (const uint8_t *)(want),     \
                    (len))

void rcp_t_check_mem(const char *file, int line, const char *what, const uint8_t *got,
                     const uint8_t *want, size_t len);

/* Print the summary line and return 0 if nothing failed (and something ran). */
int rcp_t_done(const char *name);

/* Open a vector file relative to the vector directory; exits on failure. */
json_t *rcp_t_load_json(const char *rel_path);

/* Hex string member of obj decoded into out (exits on malformed data: a
 * broken vector file is a test failure, not a skip).  Returns the length. */
size_t rcp_t_hex(const json_t *obj, const char *key, uint8_t *out, size_t cap);

/* Decode a hex string; exits on malformed data. */
size_t rcp_t_hex_str(const char *hex, uint8_t *out, size_t cap);

/* String/int member of obj; exits when missing. */
const char *rcp_t_str(const json_t *obj, const char *key);
long long rcp_t_int(const json_t *obj, const char *key);

/* Per-file counters for KAT programs: rcp_t_file_begin() remembers the
 * counters, rcp_t_file_end() prints "file: N cases, N passed, N failed". */
void rcp_t_file_begin(const char *file);
void rcp_t_file_end(long cases);

#endif
