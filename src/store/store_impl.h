/*
 * rcprov store — the interface between the front (src/store/store.c: URL
 * dispatch, argument validation) and one backend (src/store/sqlite.c,
 * src/store/postgres.c).  Internal to src/store.
 *
 * The front checks every argument a backend could misread (NULLs, lengths,
 * digits, ranges, times that fit int64) before it calls a backend, so a
 * backend only implements the transactional semantics documented in
 * include/rcprov/store.h and docs/store.md.  The canonical digest encoding
 * lives here too (store_digest.c), so that every backend hashes the same
 * content to the same value.
 */
#ifndef RCPROV_STORE_IMPL_H
#define RCPROV_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"
#include "rcprov/store.h"

#if defined(__GNUC__) || defined(__clang__)
#define RCP_STORE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RCP_STORE_PRINTF(f, a)
#endif

#define RCP_IMSI_DIGITS 15 /* TS 23.003 2.2: at most 15; rcprov allocates exactly 15 */
#define RCP_SQN_HE_MAX 0xffffffffffffULL /* SQN is 48 bits (TS 33.102 6.3.2) */
#define RCP_STORE_SP_MAX 63              /* bytes of an SP name (sp[64] with its NUL) */

typedef struct rcp_store_backend rcp_store_backend;

/* Every backend's handle starts with this. */
struct rcp_store {
    const rcp_store_backend *be;
    char errmsg[RCP_STORE_ERRMSG_MAX];
};

/* What the front computed from an rcp_provision_request: the request and
 * its IMSI range as 15-digit numbers (MCC MNC MSIN, with the MSIN
 * zero-padded), so that IMSI order is numeric order. */
typedef struct {
    const rcp_provision_request *req;
    uint64_t imsi_first; /* MCC MNC || msin_first */
    uint64_t imsi_last;  /* MCC MNC || msin_last */
} rcp_store_alloc_range;

struct rcp_store_backend {
    /* target: what follows "scheme:" in the URL.  On failure, *out is NULL
     * and msg holds why. */
    int (*open)(const char *target, rcp_store **out, char *msg, size_t msg_cap);
    void (*close)(rcp_store *st);
    int (*digest)(rcp_store *st, uint8_t out[32]);
    int (*uuid_register)(rcp_store *st, const rcp_uuid_record *r, uint64_t now, int *created);
    int (*uuid_get)(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_uuid_record *out);
    int (*authorize)(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                     const uint8_t authz_id[RCP_AUTHZ_ID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                     uint64_t now, uint64_t expires, const uint8_t *record, size_t record_len);
    int (*acknowledge)(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                       const uint8_t uuid[RCP_UUID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                       uint64_t now, const uint8_t *record, size_t record_len, int *first);
    int (*authz_get)(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                     rcp_authorization *out);
    int (*ledger_count)(rcp_store *st, rcp_ledger_kind kind, uint64_t *count);
    int (*ledger_get)(rcp_store *st, uint64_t seq, rcp_ledger_entry *out);
    int (*provision)(rcp_store *st, const rcp_store_alloc_range *range, uint64_t now,
                     rcp_provision_result *out);
    int (*hss_get)(rcp_store *st, const char *imsi, rcp_hss_subscriber *out);
    int (*hss_set_sqn)(rcp_store *st, const char *imsi, uint64_t old_sqn, uint64_t new_sqn);
    int (*hss_advance)(rcp_store *st, const char *imsi, rcp_sqn_next_fn next, void *ctx,
                       rcp_hss_subscriber *out);
    int (*alloc_by_imsi)(rcp_store *st, const char *imsi, rcp_allocation *out);
    int (*alloc_by_uuid)(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_allocation *out);
    int (*alloc_set_state)(rcp_store *st, const char *imsi, rcp_alloc_state state);
    int (*alloc_pending_acks)(rcp_store *st, rcp_allocation *out, size_t max, size_t *n);
    int (*nonce_consume)(rcp_store *st, const uint8_t nonce[RCP_NONCE_LEN], uint64_t now);
    int (*aka_complete)(rcp_store *st, const char *imsi, const uint8_t rand[RCP_NONCE_LEN],
                        uint64_t now, rcp_allocation *out);
    int (*alloc_acked)(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                       const uint8_t authz_id[RCP_AUTHZ_ID_LEN]);
    int (*alloc_count)(rcp_store *st, uint64_t *count);
};

extern const rcp_store_backend rcp_store_backend_sqlite;

/* Format the message of a failed call into st->errmsg; returns err so a
 * caller can write `ret = rcp_store_fail(st, RCP_ERR_..., "...")`. */
int rcp_store_fail(rcp_store *st, int err, const char *fmt, ...) RCP_STORE_PRINTF(3, 4);
/* RCP_ERR_UNSUPPORTED for a store whose schema version is newer than this
 * code's, with the message every backend gives. */
int rcp_store_schema_newer(rcp_store *st, int64_t version);

/* Same, into a caller's buffer (open, before there is a handle). */
void rcp_store_msg(char *msg, size_t cap, const char *fmt, ...) RCP_STORE_PRINTF(3, 4);

/* Lowercase hex of n <= 32 bytes for messages (ids, never secrets). */
typedef struct {
    char s[65];
} rcp_store_hexbuf;
const char *rcp_store_hex(rcp_store_hexbuf *b, const uint8_t *p, size_t n);

/* 1 when s is exactly RCP_IMSI_DIGITS decimal digits. */
int rcp_store_imsi_valid(const char *s);
/* Write v as a 15-digit, zero-padded IMSI; v must be below 10^15. */
void rcp_store_imsi_format(uint64_t v, char out[RCP_IMSI_MAX + 1]);
/* Parse a 15-digit IMSI; 0 or RCP_ERR_INVALID_ARG. */
RCP_MUST_CHECK int rcp_store_imsi_parse(const char *s, uint64_t *v);

/* ----------------------------------------------------------- digest
 * The canonical content hash.  A backend walks every table in the order of
 * docs/store.md, each in primary-key order, and feeds each row's columns in
 * their documented order; the encoding is length-prefixed throughout:
 *   h0   = SHA-256("rcprov-store-digest-v1")
 *   row  = "R" || u32 len(table) || table || value...
 *   value= 0x00 (NULL) | 0x01 || int64 BE | 0x02 || u32 len || text
 *        | 0x03 || u32 len || blob
 *   h    = SHA-256(h || u32 len(row) || row)       for each row
 *   h    = SHA-256(h || "T" || u32 len(table) || table || u64 rows)  per table
 * The row buffer holds secrets (K, OPc) and is wiped by _final/_abort. */
#define RCP_STORE_DIGEST_ROW_MAX (RCP_STORE_RECORD_MAX + 512)

typedef struct {
    uint8_t h[RCP_SHA256_LEN];
    uint8_t row[RCP_STORE_DIGEST_ROW_MAX];
    rcp_writer w;
    uint64_t rows; /* in the current table */
    int err;       /* sticky */
} rcp_store_digest_ctx;

void rcp_store_digest_init(rcp_store_digest_ctx *d);
void rcp_store_digest_row_begin(rcp_store_digest_ctx *d, const char *table);
void rcp_store_digest_null(rcp_store_digest_ctx *d);
void rcp_store_digest_int(rcp_store_digest_ctx *d, int64_t v);
void rcp_store_digest_text(rcp_store_digest_ctx *d, const uint8_t *p, size_t n);
void rcp_store_digest_blob(rcp_store_digest_ctx *d, const uint8_t *p, size_t n);
void rcp_store_digest_row_end(rcp_store_digest_ctx *d);
void rcp_store_digest_table_end(rcp_store_digest_ctx *d, const char *table);
/* The digest, or the first error; wipes the context either way. */
int rcp_store_digest_final(rcp_store_digest_ctx *d, uint8_t out[RCP_SHA256_LEN]);

#endif
