/*
 * rcprov — the store: what network roles persist.
 *
 * One interface, two backends (SQLite, PostgreSQL; docs/store.md).  Every
 * invariant that must hold across instances of a network function is
 * enforced here, inside one transaction, not in process memory:
 *   - a UUID is authorized no more often than its policy allows, and never
 *     after it was used up (acknowledged);
 *   - an authorization is acknowledged at most once, and only if it exists;
 *   - the ledger never has an acknowledgement without its authorization, nor
 *     two entries for one event;
 *   - an IMSI is allocated once, a UUID gets at most one IMSI (a retry gets
 *     the same one back), a session nonce is consumed once.
 * A call that fails changes nothing.  Secrets (K, OPc) stored here are the
 * HSS's subscriber data; callers wipe their copies.
 *
 * Errors every function below may return besides the ones it lists:
 * RCP_ERR_INVALID_ARG (a NULL required pointer, a malformed argument),
 * RCP_ERR_RANGE (a time above INT64_MAX, an SQN above 2^48 - 1),
 * RCP_ERR_STORE (the backend failed, e.g. the database stayed locked longer
 * than the busy timeout; rcp_store_errmsg says what), RCP_ERR_NO_MEMORY.
 * A handle is used by one thread at a time; several handles (threads,
 * processes) may share one database.  Schema, invariants and settings:
 * docs/store.md.
 */
#ifndef RCPROV_STORE_H
#define RCPROV_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "rcprov/error.h"
#include "rcprov/milenage.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rcp_store rcp_store;

#define RCP_UUID_LEN 16
#define RCP_KID_LEN 8
#define RCP_AUTHZ_ID_LEN 16
#define RCP_NONCE_LEN 16
#define RCP_IMSI_MAX 15 /* digits */
#define RCP_STORE_RECORD_MAX 2048
#define RCP_STORE_SCHEMA_VERSION 1
#define RCP_STORE_NAME_MAX 253   /* FQDNs */
#define RCP_STORE_ERRMSG_MAX 256 /* bytes of an error message, NUL included */

/* Open a store by URL: "sqlite::memory:" (private in-memory database),
 * "sqlite:PATH" (file, created when missing) or "postgresql://USER@HOST:PORT/DB"
 * ("postgres://" too; libpq's URI form).  The schema is created or
 * migrated to RCP_STORE_SCHEMA_VERSION.  Errors: RCP_ERR_INVALID_ARG (URL
 * not understood), RCP_ERR_UNSUPPORTED (backend not built, or a schema newer
 * than this code), RCP_ERR_STORE (could not open/migrate). */
RCP_MUST_CHECK int rcp_store_open(const char *url, rcp_store **out);
/* As rcp_store_open; on failure msg (if not NULL) receives why, e.g. "store
 * schema version 2 is newer than this rcprov supports (1): upgrade rcprov".
 * msg_cap of RCP_STORE_ERRMSG_MAX holds any message. */
RCP_MUST_CHECK int rcp_store_open_ex(const char *url, rcp_store **out, char *msg, size_t msg_cap);
void rcp_store_close(rcp_store *st); /* NULL ok */

/* A store URL fit for messages and logs: a password in it
 * ("postgresql://user:secret@host/db") becomes "***". */
void rcp_store_url_redact(const char *url, char *out, size_t cap);

/* Message of the last failed call on st, for logs ("" after a call that
 * succeeded, "no store" for NULL).  Names what was wrong ("UUID 1b4e... is
 * not registered at this Authorization Server"); never contains secrets. */
const char *rcp_store_errmsg(const rcp_store *st);

/* SHA-256 over the whole content of every table in a canonical order: two
 * stores with the same digest hold the same data.  For tests ("a rejected
 * message leaves the store byte-identical") and audits. */
RCP_MUST_CHECK int rcp_store_digest(rcp_store *st, uint8_t out[32]);

/* ================================================= Authorization Server */

typedef enum {
    RCP_UUID_REGISTERED = 1, /* registered, never authorized */
    RCP_UUID_AUTHORIZED = 2, /* authorized at least once, not acknowledged */
    RCP_UUID_USED = 3,       /* acknowledged: the device is provisioned; final */
} rcp_uuid_state;

typedef struct {
    uint8_t uuid[RCP_UUID_LEN];
    uint8_t tre_kid[RCP_KID_LEN]; /* the TRE the UUID belongs to (key id of CERT.TRE) */
    char sp[64];                  /* registering SP, NUL-terminated */
    uint32_t max_authorizations;  /* policy: authorizations allowed before an ack */
    uint32_t authorizations;      /* granted so far */
    rcp_uuid_state state;
    uint64_t registered_at;
} rcp_uuid_record;

/* Register a UUID for a TRE.  Idempotent: registering the same UUID for the
 * same TRE again returns 0 and changes nothing (*created = 0); for another
 * TRE it is RCP_ERR_EXISTS, and so is a registration with another sp or
 * max_authorizations (a repeat must be the same request).  Appends a
 * "register" ledger entry (empty record) when created (*created = 1).
 * Input: uuid, tre_kid, sp (1..63 printable ASCII characters, NUL-terminated
 * in its array), max_authorizations >= 1; authorizations, state and
 * registered_at are ignored (0, REGISTERED and now are stored).  created may
 * be NULL. */
RCP_MUST_CHECK int rcp_store_uuid_register(rcp_store *st, const rcp_uuid_record *r, uint64_t now,
                                           int *created);

/* RCP_ERR_NOT_FOUND when the UUID is not registered. */
RCP_MUST_CHECK int rcp_store_uuid_get(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                                      rcp_uuid_record *out);

/* Grant an authorization, in one transaction: the UUID must exist
 * (RCP_ERR_NOT_FOUND), not be used up (RCP_ERR_REPLAY), and be below its
 * max_authorizations (RCP_ERR_LIMIT); authz_id must be new (RCP_ERR_EXISTS).
 * Checked in that order.  Increments the count, sets state AUTHORIZED,
 * records the authorization (authz_id, uuid, sn_kid, expiry) and appends an
 * "authorize" ledger entry carrying record (the signed request and the
 * signed authorization).  expires must be after now (RCP_ERR_INVALID_ARG);
 * record_len above RCP_STORE_RECORD_MAX is RCP_ERR_LENGTH (record may be
 * NULL when record_len is 0). */
RCP_MUST_CHECK int rcp_store_authorize(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                                       const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                                       const uint8_t sn_kid[RCP_KID_LEN], uint64_t now,
                                       uint64_t expires, const uint8_t *record, size_t record_len);

/* Acknowledge an authorization, in one transaction: it must exist
 * (RCP_ERR_NOT_FOUND) and belong to sn_kid and uuid (RCP_ERR_PROTOCOL).
 * The first acknowledgement sets the UUID USED and appends an "ack" ledger
 * entry (*first = 1); a repeated one changes nothing and returns 0 with
 * *first = 0 (the SN may retry an ack whose answer it lost).  A UUID is
 * acknowledged once: acknowledging another of its authorizations after one
 * was acknowledged is RCP_ERR_REPLAY.  record_len as for authorize; first
 * may be NULL. */
RCP_MUST_CHECK int rcp_store_acknowledge(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                                         const uint8_t uuid[RCP_UUID_LEN],
                                         const uint8_t sn_kid[RCP_KID_LEN], uint64_t now,
                                         const uint8_t *record, size_t record_len, int *first);

typedef enum {
    RCP_LEDGER_REGISTER = 1,
    RCP_LEDGER_AUTHORIZE = 2,
    RCP_LEDGER_ACK = 3,
} rcp_ledger_kind;

typedef struct {
    uint64_t seq; /* 1, 2, ... in commit order */
    rcp_ledger_kind kind;
    uint8_t uuid[RCP_UUID_LEN];
    uint8_t authz_id[RCP_AUTHZ_ID_LEN]; /* zero for REGISTER */
    uint8_t sn_kid[RCP_KID_LEN];        /* zero for REGISTER */
    uint64_t at;
    size_t record_len;
    uint8_t record[RCP_STORE_RECORD_MAX];
} rcp_ledger_entry;

/* Count ledger entries of one kind (0: all; another value is
 * RCP_ERR_INVALID_ARG). */
RCP_MUST_CHECK int rcp_store_ledger_count(rcp_store *st, rcp_ledger_kind kind, uint64_t *count);
/* Entry with sequence number seq; RCP_ERR_NOT_FOUND past the end (and for
 * seq 0). */
RCP_MUST_CHECK int rcp_store_ledger_get(rcp_store *st, uint64_t seq, rcp_ledger_entry *out);

typedef struct {
    uint8_t authz_id[RCP_AUTHZ_ID_LEN];
    uint8_t uuid[RCP_UUID_LEN];
    uint8_t sn_kid[RCP_KID_LEN];
    uint64_t issued_at;
    uint64_t expires;
    int acked;         /* 1 once acknowledged */
    uint64_t acked_at; /* 0 while not acknowledged */
} rcp_authorization;

/* An authorization by id (RCP_ERR_NOT_FOUND), e.g. to check its expiry
 * before taking an acknowledgement. */
RCP_MUST_CHECK int rcp_store_authz_get(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                                       rcp_authorization *out);

/* ======================================================= Serving Network */

typedef struct {
    char imsi[RCP_IMSI_MAX + 1]; /* digits, NUL-terminated */
    uint8_t k[16];
    uint8_t opc[16];
    rcp_milenage_consts consts;
    uint64_t sqn; /* last SQN issued by the HSS (SQN_HE) */
} rcp_hss_subscriber;

typedef struct {
    uint8_t uuid[RCP_UUID_LEN];
    uint8_t nonce[RCP_NONCE_LEN];       /* the session's SN challenge, consumed */
    uint8_t authz_id[RCP_AUTHZ_ID_LEN]; /* the authorization this provisioning uses */
    uint8_t tre_kid[RCP_KID_LEN];
    const char *mcc, *mnc;          /* IMSI = MCC MNC MSIN from the range */
    uint64_t msin_first, msin_last; /* the SN's MSIN range, inclusive */
    unsigned msin_digits;           /* 15 - len(MCC) - len(MNC) */
    const char *auths;              /* FQDN of the authorizing AuthS (acks go there) */
    const uint8_t *k, *opc;         /* fresh values, used only for a new allocation */
    const rcp_milenage_consts *consts;
} rcp_provision_request;

typedef struct {
    rcp_hss_subscriber sub; /* the subscriber as stored (existing one on a retry) */
    int reused;             /* 1: the UUID already had this IMSI (a retry) */
} rcp_provision_result;

/* Provision, in one transaction: consume the session nonce (RCP_ERR_REPLAY
 * if already consumed); if the UUID already has an allocation, return it
 * (reused = 1: a device retrying after a lost answer gets the same IMSI and
 * K; its authz_id is updated, its state kept), else take the next free MSIN
 * of the range (RCP_ERR_LIMIT when the range is exhausted), store the
 * allocation (PROVISIONED) and the HSS subscriber (SQN 0).  An allocation
 * of the UUID for another TRE is RCP_ERR_PROTOCOL (its K is never handed to
 * a different TRE).  RCP_ERR_INVALID_ARG: MCC not 3 digits, MNC not 2 or 3
 * digits, msin_digits not 15 - len(MCC) - len(MNC), msin_first > msin_last,
 * msin_last not below 10^msin_digits, k, opc or consts NULL (always
 * required), an r of consts above RCP_MIL_ROT_MAX.  IMSIs are never reused:
 * the next free MSIN is one above the highest IMSI allocated in the range.
 * The result holds K and OPc: wipe it. */
RCP_MUST_CHECK int rcp_store_provision(rcp_store *st, const rcp_provision_request *req,
                                       uint64_t now, rcp_provision_result *out);

/* HSS: subscriber by IMSI (RCP_ERR_NOT_FOUND).  Holds secrets: wipe. */
RCP_MUST_CHECK int rcp_store_hss_get(rcp_store *st, const char *imsi, rcp_hss_subscriber *out);

/* HSS: atomically replace SQN_HE with new_sqn if it still equals old_sqn
 * (compare-and-set, so two instances never issue the same SQN):
 * RCP_ERR_STATE when it changed meanwhile (re-read and retry);
 * RCP_ERR_NOT_FOUND for an unknown IMSI. */
RCP_MUST_CHECK int rcp_store_hss_set_sqn(rcp_store *st, const char *imsi, uint64_t old_sqn,
                                         uint64_t new_sqn);

/* HSS: read a subscriber and replace SQN_HE by next(ctx, SQN_HE) in one
 * write transaction (no other instance can issue a vector in between, so no
 * retry loop is needed).  An error from next is returned as is and changes
 * nothing.  *out is the subscriber with the new SQN (holds secrets: wipe). */
typedef int (*rcp_sqn_next_fn)(void *ctx, uint64_t sqn_he, uint64_t *next);
RCP_MUST_CHECK int rcp_store_hss_advance(rcp_store *st, const char *imsi, rcp_sqn_next_fn next,
                                         void *ctx, rcp_hss_subscriber *out);

typedef enum {
    RCP_ALLOC_PROVISIONED = 1, /* credentials sent to the device */
    RCP_ALLOC_AKA_OK = 2,      /* the device ran AKA with them: ack due */
    RCP_ALLOC_ACKED = 3,       /* the Authorization Server took the ack */
} rcp_alloc_state;

typedef struct {
    uint8_t uuid[RCP_UUID_LEN];
    char imsi[RCP_IMSI_MAX + 1];
    uint8_t authz_id[RCP_AUTHZ_ID_LEN]; /* latest authorization used */
    uint8_t tre_kid[RCP_KID_LEN];
    char auths[RCP_STORE_NAME_MAX + 1]; /* AuthS of the latest authorization */
    rcp_alloc_state state;
} rcp_allocation;

/* RCP_ERR_NOT_FOUND when there is no such allocation. */
RCP_MUST_CHECK int rcp_store_alloc_by_imsi(rcp_store *st, const char *imsi, rcp_allocation *out);
RCP_MUST_CHECK int rcp_store_alloc_by_uuid(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                                           rcp_allocation *out);
/* Move an allocation forward one step (PROVISIONED -> AKA_OK -> ACKED);
 * moving to the state it already has is a no-op; backwards, or skipping
 * AKA_OK (no ack before the device's AKA succeeded), is RCP_ERR_STATE;
 * RCP_ERR_NOT_FOUND for an unknown IMSI. */
RCP_MUST_CHECK int rcp_store_alloc_set_state(rcp_store *st, const char *imsi,
                                             rcp_alloc_state state);
/* Allocations in state AKA_OK (acks due), up to max, in IMSI order, for a
 * retry loop; *n receives how many were written. */
RCP_MUST_CHECK int rcp_store_alloc_pending_acks(rcp_store *st, rcp_allocation *out, size_t max,
                                                size_t *n);
/* Consume a one-time value (an AKA RAND, a session nonce of another
 * exchange): RCP_ERR_REPLAY if it was consumed before, else recorded.
 * Shares the consumed-nonce table with rcp_store_provision. */
RCP_MUST_CHECK int rcp_store_nonce_consume(rcp_store *st, const uint8_t nonce[RCP_NONCE_LEN],
                                           uint64_t now);

/* The end of a successful AKA run, in one transaction: consume RAND
 * (RCP_ERR_REPLAY if consumed before: nothing changes), read the
 * allocation of imsi (RCP_ERR_NOT_FOUND), and move it PROVISIONED ->
 * AKA_OK (a later state is kept).  *out is the allocation after the call. */
RCP_MUST_CHECK int rcp_store_aka_complete(rcp_store *st, const char *imsi,
                                          const uint8_t rand[RCP_NONCE_LEN], uint64_t now,
                                          rcp_allocation *out);

/* The Authorization Server took the acknowledgement of authz_id, in one
 * transaction: the UUID's allocation (RCP_ERR_NOT_FOUND) must carry that
 * authorization (RCP_ERR_PROTOCOL) and be AKA_OK (moved to ACKED) or
 * already ACKED (no change); PROVISIONED is RCP_ERR_STATE. */
RCP_MUST_CHECK int rcp_store_alloc_acked(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                                         const uint8_t authz_id[RCP_AUTHZ_ID_LEN]);

/* Count allocations (IMSIs handed out). */
RCP_MUST_CHECK int rcp_store_alloc_count(rcp_store *st, uint64_t *count);

#ifdef __cplusplus
}
#endif
#endif
