/*
 * The SQLite backend of the store.
 *
 * Every operation that writes runs in one BEGIN IMMEDIATE transaction: the
 * write lock is taken before the first read, so the checks a function makes
 * still hold when it writes, across connections and processes (a deferred
 * transaction would read a snapshot and then fail to upgrade with
 * SQLITE_BUSY_SNAPSHOT).  Any failure rolls the transaction back, so a call
 * that fails changes nothing.  Statements are prepared once per handle and
 * take bound parameters only; values are bound SQLITE_STATIC (no copy of K
 * or OPc in SQLite's heap) and unbound right after the step.
 *
 * Settings (docs/store.md): WAL journal (readers do not block the writer;
 * several processes share one file), synchronous = FULL (a committed
 * allocation or ledger entry survives a power cut), busy timeout, foreign
 * keys on, secure_delete, defensive mode; the file is created 0600 because
 * it holds K and OPc.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/sqlite_schema.h"
#include "store/store_impl.h"

#define SQ_MEMORY_TARGET ":memory:"
#define SQ_BUSY_TIMEOUT_MS 5000 /* a writer waits this long for another's lock */
#define SQ_FILE_MODE 0600       /* K and OPc live in this file */

enum sq_stmt_id {
    Q_BEGIN_WRITE,
    Q_BEGIN_READ,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_UUID_GET,
    Q_UUID_INSERT,
    Q_UUID_AUTHORIZED,
    Q_UUID_USED,
    Q_AUTHZ_GET,
    Q_AUTHZ_INSERT,
    Q_AUTHZ_ACK,
    Q_LEDGER_NEXT,
    Q_LEDGER_INSERT,
    Q_LEDGER_COUNT_ALL,
    Q_LEDGER_COUNT_KIND,
    Q_LEDGER_GET,
    Q_NONCE_GET,
    Q_NONCE_INSERT,
    Q_HSS_GET,
    Q_HSS_INSERT,
    Q_HSS_MAX_IMSI,
    Q_HSS_CAS,
    Q_ALLOC_BY_UUID,
    Q_ALLOC_BY_IMSI,
    Q_ALLOC_INSERT,
    Q_ALLOC_SET_AUTHZ,
    Q_ALLOC_SET_STATE,
    Q_ALLOC_PENDING,
    Q_ALLOC_COUNT,
    Q_COUNT
};

/* Standard SQL apart from the transaction verbs and ?N placeholders. */
static const char *const k_sql[Q_COUNT] = {
    [Q_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [Q_BEGIN_READ] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_UUID_GET] = "SELECT tre_kid, sp, max_authorizations, authorizations, state, registered_at "
                   "FROM as_uuid WHERE uuid = ?1",
    [Q_UUID_INSERT] = "INSERT INTO as_uuid (uuid, tre_kid, sp, max_authorizations, "
                      "authorizations, state, registered_at) VALUES (?1, ?2, ?3, ?4, 0, 1, ?5)",
    [Q_UUID_AUTHORIZED] = "UPDATE as_uuid SET authorizations = authorizations + 1, state = 2 "
                          "WHERE uuid = ?1",
    [Q_UUID_USED] = "UPDATE as_uuid SET state = 3 WHERE uuid = ?1",
    [Q_AUTHZ_GET] = "SELECT uuid, sn_kid, issued_at, expires_at, acked_at "
                    "FROM as_authorization WHERE authz_id = ?1",
    [Q_AUTHZ_INSERT] = "INSERT INTO as_authorization (authz_id, uuid, sn_kid, issued_at, "
                       "expires_at, acked_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
    [Q_AUTHZ_ACK] = "UPDATE as_authorization SET acked_at = ?2 "
                    "WHERE authz_id = ?1 AND acked_at IS NULL",
    [Q_LEDGER_NEXT] = "SELECT coalesce(max(seq), 0) + 1 FROM as_ledger",
    [Q_LEDGER_INSERT] = "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_LEDGER_COUNT_ALL] = "SELECT count(*) FROM as_ledger",
    [Q_LEDGER_COUNT_KIND] = "SELECT count(*) FROM as_ledger WHERE kind = ?1",
    [Q_LEDGER_GET] = "SELECT kind, uuid, authz_id, sn_kid, at, record FROM as_ledger "
                     "WHERE seq = ?1",
    [Q_NONCE_GET] = "SELECT 1 FROM sn_nonce WHERE nonce = ?1",
    [Q_NONCE_INSERT] = "INSERT INTO sn_nonce (nonce, uuid, consumed_at) VALUES (?1, ?2, ?3)",
    [Q_HSS_GET] = "SELECT k, opc, r1, r2, r3, r4, r5, c1, c2, c3, c4, c5, sqn "
                  "FROM hss_subscriber WHERE imsi = ?1",
    [Q_HSS_INSERT] = "INSERT INTO hss_subscriber (imsi, k, opc, r1, r2, r3, r4, r5, "
                     "c1, c2, c3, c4, c5, sqn) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0)",
    [Q_HSS_MAX_IMSI] = "SELECT max(imsi) FROM hss_subscriber WHERE imsi BETWEEN ?1 AND ?2",
    [Q_HSS_CAS] = "UPDATE hss_subscriber SET sqn = ?3 WHERE imsi = ?1 AND sqn = ?2",
    [Q_ALLOC_BY_UUID] = "SELECT imsi, uuid, authz_id, tre_kid, auths, state FROM sn_allocation "
                        "WHERE uuid = ?1",
    [Q_ALLOC_BY_IMSI] = "SELECT imsi, uuid, authz_id, tre_kid, auths, state FROM sn_allocation "
                        "WHERE imsi = ?1",
    [Q_ALLOC_INSERT] = "INSERT INTO sn_allocation (imsi, uuid, authz_id, tre_kid, auths, state, "
                       "allocated_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
    [Q_ALLOC_SET_AUTHZ] = "UPDATE sn_allocation SET authz_id = ?2, auths = ?3 WHERE uuid = ?1",
    [Q_ALLOC_SET_STATE] = "UPDATE sn_allocation SET state = ?2 WHERE imsi = ?1",
    [Q_ALLOC_PENDING] = "SELECT imsi, uuid, authz_id, tre_kid, auths, state FROM sn_allocation "
                        "WHERE state = 2 ORDER BY imsi LIMIT ?1",
    [Q_ALLOC_COUNT] = "SELECT count(*) FROM sn_allocation",
};

/* The digest walk: every table, primary-key order, columns as documented
 * in docs/store.md.  Adding a table or column to the schema means adding
 * it here (and to the PostgreSQL backend's list). */
static const struct {
    const char *table;
    const char *sql;
} k_digest_tables[] = {
    {"schema_version", "SELECT version FROM schema_version ORDER BY version"},
    {"as_uuid", "SELECT uuid, tre_kid, sp, max_authorizations, authorizations, state, "
                "registered_at FROM as_uuid ORDER BY uuid"},
    {"as_authorization", "SELECT authz_id, uuid, sn_kid, issued_at, expires_at, acked_at "
                         "FROM as_authorization ORDER BY authz_id"},
    {"as_ledger", "SELECT seq, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger "
                  "ORDER BY seq"},
    {"hss_subscriber", "SELECT imsi, k, opc, r1, r2, r3, r4, r5, c1, c2, c3, c4, c5, sqn "
                       "FROM hss_subscriber ORDER BY imsi"},
    {"sn_allocation", "SELECT imsi, uuid, authz_id, tre_kid, auths, state, allocated_at "
                      "FROM sn_allocation ORDER BY imsi"},
    {"sn_nonce", "SELECT nonce, uuid, consumed_at FROM sn_nonce ORDER BY nonce"},
};

typedef struct {
    rcp_store base; /* first: an rcp_store * is an sq_store * */
    sqlite3 *db;
    sqlite3_stmt *stmt[Q_COUNT];
} sq_store;

/* A statement being bound; the first bind error is kept (sticky). */
typedef struct {
    sqlite3_stmt *q;
    int rc;
} sq_bind;

static sq_store *sq(rcp_store *st)
{
    return (sq_store *)st;
}

/* ------------------------------------------------------------ helpers */

static int sq_fail(sq_store *s, int rc, const char *what)
{
    int err = (rc & 0xff) == SQLITE_NOMEM ? RCP_ERR_NO_MEMORY : RCP_ERR_STORE;
    /* SQLite's messages name constraints and triggers, never bound values */
    return rcp_store_fail(&s->base, err, "%s: %s", what, sqlite3_errmsg(s->db));
}

static int sq_corrupt(sq_store *s, const char *what)
{
    return rcp_store_fail(&s->base, RCP_ERR_STORE,
                          "%s: a stored value has an unexpected type or "
                          "size (database damaged or not an rcprov store)",
                          what);
}

static void sq_reset(sqlite3_stmt *q)
{
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
}

static int sq_prep(sq_store *s, enum sq_stmt_id id, sq_bind *b)
{
    int rc;

    if (s->stmt[id] == NULL) {
        rc =
            sqlite3_prepare_v3(s->db, k_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL);
        if (rc != SQLITE_OK)
            return sq_fail(s, rc, "preparing a statement");
    }
    b->q = s->stmt[id];
    b->rc = SQLITE_OK;
    return RCP_OK;
}

static void b_blob(sq_bind *b, int i, const uint8_t *p, size_t n)
{
    if (b->rc != SQLITE_OK)
        return;
    if (n == 0) /* a NULL pointer would bind SQL NULL, not an empty blob */
        b->rc = sqlite3_bind_zeroblob(b->q, i, 0);
    else
        b->rc = sqlite3_bind_blob(b->q, i, p, (int)n, SQLITE_STATIC);
}

static void b_text(sq_bind *b, int i, const char *p)
{
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_text(b->q, i, p, -1, SQLITE_STATIC);
}

static void b_int(sq_bind *b, int i, int64_t v)
{
    if (b->rc == SQLITE_OK)
        b->rc = sqlite3_bind_int64(b->q, i, v);
}

/* Run a statement that returns no row; always leaves it reset. */
static int sq_run(sq_store *s, sq_bind *b, const char *what)
{
    int ret = RCP_OK;
    int rc = b->rc;

    if (rc == SQLITE_OK)
        rc = sqlite3_step(b->q);
    if (rc != SQLITE_DONE)
        ret = sq_fail(s, rc == SQLITE_ROW ? SQLITE_MISUSE : rc, what);
    sq_reset(b->q);
    return ret;
}

/* Step a query to its next row: 1 = a row is ready (read it, then
 * sq_reset), 0 = no more rows, < 0 = error (both leave it reset). */
static int sq_next(sq_store *s, sq_bind *b, const char *what)
{
    int ret;
    int rc = b->rc;

    if (rc == SQLITE_OK)
        rc = sqlite3_step(b->q);
    if (rc == SQLITE_ROW)
        return 1;
    ret = rc == SQLITE_DONE ? 0 : sq_fail(s, rc, what);
    sq_reset(b->q);
    return ret;
}

/* Column readers: 0, or -1 when the stored value is not what the schema
 * says (caller reports sq_corrupt). */
static int col_fixed(sqlite3_stmt *q, int i, uint8_t *out, size_t len)
{
    const void *p;

    if (sqlite3_column_type(q, i) != SQLITE_BLOB)
        return -1;
    p = sqlite3_column_blob(q, i); /* blob before bytes, as SQLite advises */
    if ((size_t)sqlite3_column_bytes(q, i) != len || p == NULL)
        return -1;
    memcpy(out, p, len);
    return 0;
}

static int col_u64(sqlite3_stmt *q, int i, uint64_t *out)
{
    sqlite3_int64 v;

    if (sqlite3_column_type(q, i) != SQLITE_INTEGER)
        return -1;
    v = sqlite3_column_int64(q, i);
    if (v < 0)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int col_imsi(sqlite3_stmt *q, int i, char out[RCP_IMSI_MAX + 1])
{
    const unsigned char *p;

    if (sqlite3_column_type(q, i) != SQLITE_TEXT)
        return -1;
    p = sqlite3_column_text(q, i);
    if (p == NULL || (size_t)sqlite3_column_bytes(q, i) != RCP_IMSI_DIGITS)
        return -1;
    memcpy(out, p, RCP_IMSI_DIGITS);
    out[RCP_IMSI_DIGITS] = '\0';
    return rcp_store_imsi_valid(out) ? 0 : -1;
}

static int tx_begin(sq_store *s, enum sq_stmt_id id)
{
    sq_bind b = {0};
    int ret = sq_prep(s, id, &b);
    if (ret == 0)
        ret = sq_run(s, &b,
                     id == Q_BEGIN_WRITE ? "starting a write transaction (database "
                                           "locked by another writer?)"
                                         : "starting a read transaction");
    return ret;
}

static int tx_commit(sq_store *s)
{
    sq_bind b = {0};
    int ret = sq_prep(s, Q_COMMIT, &b);
    if (ret == 0)
        ret = sq_run(s, &b, "committing");
    return ret;
}

/* Roll back whatever is open; keeps the message of the error that caused it. */
static void tx_rollback(sq_store *s)
{
    sqlite3_stmt *q = s->stmt[Q_ROLLBACK];

    if (sqlite3_get_autocommit(s->db))
        return;
    if (q == NULL && sqlite3_prepare_v3(s->db, k_sql[Q_ROLLBACK], -1, SQLITE_PREPARE_PERSISTENT, &q,
                                        NULL) != SQLITE_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return;
    }
    s->stmt[Q_ROLLBACK] = q;
    sqlite3_step(q);
    sq_reset(q);
}

/* ------------------------------------------------------------ row reads */

static int read_uuid(sq_store *s, const uint8_t uuid[RCP_UUID_LEN], rcp_uuid_record *out,
                     int *found)
{
    static const char what[] = "reading the UUID registry";
    sq_bind b = {0};
    uint64_t max, count, state;
    const unsigned char *sp;
    size_t sp_len;
    int ret = sq_prep(s, Q_UUID_GET, &b);

    if (ret)
        return ret;
    b_blob(&b, 1, uuid, RCP_UUID_LEN);
    ret = sq_next(s, &b, what);
    *found = ret == 1;
    if (ret <= 0)
        return ret;
    memset(out, 0, sizeof *out);
    memcpy(out->uuid, uuid, RCP_UUID_LEN);
    ret = RCP_OK;
    sp = sqlite3_column_text(b.q, 1);
    sp_len = (size_t)sqlite3_column_bytes(b.q, 1);
    if (col_fixed(b.q, 0, out->tre_kid, RCP_KID_LEN) || sp == NULL || sp_len == 0 ||
        sp_len > RCP_STORE_SP_MAX || col_u64(b.q, 2, &max) || col_u64(b.q, 3, &count) ||
        col_u64(b.q, 4, &state) || col_u64(b.q, 5, &out->registered_at) || max > UINT32_MAX ||
        count > max || state < RCP_UUID_REGISTERED || state > RCP_UUID_USED)
        ret = sq_corrupt(s, what);
    else {
        memcpy(out->sp, sp, sp_len);
        out->max_authorizations = (uint32_t)max;
        out->authorizations = (uint32_t)count;
        out->state = (rcp_uuid_state)state;
    }
    sq_reset(b.q);
    return ret;
}

static int read_authz(sq_store *s, const uint8_t authz_id[RCP_AUTHZ_ID_LEN], rcp_authorization *out,
                      int *found)
{
    static const char what[] = "reading an authorization";
    sq_bind b = {0};
    int ret = sq_prep(s, Q_AUTHZ_GET, &b);

    if (ret)
        return ret;
    b_blob(&b, 1, authz_id, RCP_AUTHZ_ID_LEN);
    ret = sq_next(s, &b, what);
    *found = ret == 1;
    if (ret <= 0)
        return ret;
    memset(out, 0, sizeof *out);
    memcpy(out->authz_id, authz_id, RCP_AUTHZ_ID_LEN);
    ret = RCP_OK;
    if (col_fixed(b.q, 0, out->uuid, RCP_UUID_LEN) || col_fixed(b.q, 1, out->sn_kid, RCP_KID_LEN) ||
        col_u64(b.q, 2, &out->issued_at) || col_u64(b.q, 3, &out->expires))
        ret = sq_corrupt(s, what);
    else if (sqlite3_column_type(b.q, 4) != SQLITE_NULL) {
        out->acked = 1;
        if (col_u64(b.q, 4, &out->acked_at))
            ret = sq_corrupt(s, what);
    }
    sq_reset(b.q);
    return ret;
}

static int read_alloc_row(sq_store *s, sqlite3_stmt *q, rcp_allocation *out)
{
    const unsigned char *auths;
    size_t auths_len;
    uint64_t state;

    memset(out, 0, sizeof *out);
    auths = sqlite3_column_text(q, 4);
    auths_len = (size_t)sqlite3_column_bytes(q, 4);
    if (col_imsi(q, 0, out->imsi) || col_fixed(q, 1, out->uuid, RCP_UUID_LEN) ||
        col_fixed(q, 2, out->authz_id, RCP_AUTHZ_ID_LEN) ||
        col_fixed(q, 3, out->tre_kid, RCP_KID_LEN) || auths == NULL || auths_len == 0 ||
        auths_len > RCP_STORE_NAME_MAX || col_u64(q, 5, &state) || state < RCP_ALLOC_PROVISIONED ||
        state > RCP_ALLOC_ACKED)
        return sq_corrupt(s, "reading an allocation");
    memcpy(out->auths, auths, auths_len);
    out->state = (rcp_alloc_state)state;
    return RCP_OK;
}

/* key is a UUID (16 bytes) for Q_ALLOC_BY_UUID or an IMSI string. */
static int read_alloc(sq_store *s, enum sq_stmt_id id, const void *key, rcp_allocation *out,
                      int *found)
{
    sq_bind b = {0};
    int ret = sq_prep(s, id, &b);

    if (ret)
        return ret;
    if (id == Q_ALLOC_BY_UUID)
        b_blob(&b, 1, key, RCP_UUID_LEN);
    else
        b_text(&b, 1, key);
    ret = sq_next(s, &b, "reading an allocation");
    *found = ret == 1;
    if (ret <= 0)
        return ret;
    ret = read_alloc_row(s, b.q, out);
    sq_reset(b.q);
    return ret;
}

/* The subscriber's row into out (which the caller wipes). */
static int read_hss(sq_store *s, const char *imsi, rcp_hss_subscriber *out, int *found)
{
    static const char what[] = "reading an HSS subscriber";
    sq_bind b = {0};
    int ret = sq_prep(s, Q_HSS_GET, &b);

    if (ret)
        return ret;
    b_text(&b, 1, imsi);
    ret = sq_next(s, &b, what);
    *found = ret == 1;
    if (ret <= 0)
        return ret;
    memset(out, 0, sizeof *out);
    memcpy(out->imsi, imsi, RCP_IMSI_DIGITS + 1);
    ret = RCP_OK;
    if (col_fixed(b.q, 0, out->k, sizeof out->k) || col_fixed(b.q, 1, out->opc, sizeof out->opc))
        ret = sq_corrupt(s, what);
    for (int i = 0; i < 5 && ret == 0; i++) {
        uint64_t r;
        if (col_u64(b.q, 2 + i, &r) || r > RCP_MIL_ROT_MAX ||
            col_fixed(b.q, 7 + i, out->consts.c[i], sizeof out->consts.c[i]))
            ret = sq_corrupt(s, what);
        else
            out->consts.r[i] = (uint8_t)r;
    }
    if (ret == 0 && (col_u64(b.q, 12, &out->sqn) || out->sqn > RCP_SQN_HE_MAX))
        ret = sq_corrupt(s, what);
    sq_reset(b.q);
    return ret;
}

static int read_count(sq_store *s, enum sq_stmt_id id, int64_t param, uint64_t *count)
{
    static const char what[] = "counting";
    sq_bind b = {0};
    int ret = sq_prep(s, id, &b);

    if (ret)
        return ret;
    if (id == Q_LEDGER_COUNT_KIND)
        b_int(&b, 1, param);
    ret = sq_next(s, &b, what);
    if (ret == 0)
        return sq_corrupt(s, what); /* an aggregate always returns a row */
    if (ret < 0)
        return ret;
    ret = col_u64(b.q, 0, count) ? sq_corrupt(s, what) : RCP_OK;
    sq_reset(b.q);
    return ret;
}

/* Append to the ledger with the next sequence number.  Inside a write
 * transaction, so the number is the commit order. */
static int ledger_append(sq_store *s, rcp_ledger_kind kind, const uint8_t uuid[RCP_UUID_LEN],
                         const uint8_t *authz_id, const uint8_t *sn_kid, uint64_t at,
                         const uint8_t *record, size_t record_len)
{
    uint64_t seq = 0;
    sq_bind b = {0};
    int ret = read_count(s, Q_LEDGER_NEXT, 0, &seq);

    if (ret)
        return ret;
    ret = sq_prep(s, Q_LEDGER_INSERT, &b);
    if (ret)
        return ret;
    b_int(&b, 1, (int64_t)seq);
    b_int(&b, 2, kind);
    b_blob(&b, 3, uuid, RCP_UUID_LEN);
    if (authz_id == NULL) {
        if (b.rc == SQLITE_OK)
            b.rc = sqlite3_bind_null(b.q, 4);
        if (b.rc == SQLITE_OK)
            b.rc = sqlite3_bind_null(b.q, 5);
    } else {
        b_blob(&b, 4, authz_id, RCP_AUTHZ_ID_LEN);
        b_blob(&b, 5, sn_kid, RCP_KID_LEN);
    }
    b_int(&b, 6, (int64_t)at);
    b_blob(&b, 7, record, record_len);
    return sq_run(s, &b, "appending to the ledger");
}

/* ------------------------------------------------------------ open/close */

static void sq_close(rcp_store *st)
{
    sq_store *s = sq(st);

    for (size_t i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close_v2(s->db);
    free(s);
}

/* One integer from a query that needs no parameter (open-time checks). */
static int scalar(sq_store *s, const char *sql, int64_t *v, int *is_null)
{
    sqlite3_stmt *q = NULL;
    int ret = RCP_ERR_STORE;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        ret = sq_fail(s, rc == SQLITE_DONE ? SQLITE_ERROR : rc, "reading the schema");
        goto cleanup;
    }
    *is_null = sqlite3_column_type(q, 0) == SQLITE_NULL;
    *v = sqlite3_column_int64(q, 0);
    ret = RCP_OK;
cleanup:
    sqlite3_finalize(q);
    return ret;
}

/* The schema version: 0 for a new (empty) database; RCP_ERR_STORE for a
 * database holding other tables but no schema_version (not ours). */
static int schema_version_read(sq_store *s, int64_t *version)
{
    int64_t n = 0, v = 0;
    int is_null;
    int ret = scalar(s,
                     "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                     "AND name = 'schema_version'",
                     &n, &is_null);

    if (ret)
        return ret;
    if (n == 0) {
        ret = scalar(s,
                     "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' "
                     "ESCAPE '\\'",
                     &n, &is_null);
        if (ret)
            return ret;
        if (n > 0)
            return rcp_store_fail(&s->base, RCP_ERR_STORE,
                                  "the database holds other tables but no schema_version: "
                                  "not an rcprov store, left untouched");
        *version = 0;
        return RCP_OK;
    }
    ret = scalar(s, "SELECT max(version) FROM schema_version", &v, &is_null);
    if (ret)
        return ret;
    *version = is_null ? 0 : v;
    return RCP_OK;
}

static int schema_version_insert(sq_store *s, int64_t version)
{
    sqlite3_stmt *q = NULL;
    int rc =
        sqlite3_prepare_v2(s->db, "INSERT INTO schema_version (version) VALUES (?1)", -1, &q, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(q, 1, version);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? RCP_OK : sq_fail(s, rc, "recording the schema version");
}

/* Bring the schema to RCP_STORE_SCHEMA_VERSION in one write transaction
 * (re-reading the version under the lock: another process may have
 * migrated meanwhile).  A failed migration leaves the file as it was. */
static int schema_migrate(sq_store *s)
{
    int64_t version;
    int rc;
    int ret = tx_begin(s, Q_BEGIN_WRITE);

    if (ret)
        goto cleanup;
    ret = schema_version_read(s, &version);
    if (ret)
        goto cleanup;
    if (version > RCP_STORE_SCHEMA_VERSION) {
        ret = rcp_store_schema_newer(&s->base, version);
        goto cleanup;
    }
    rc = sqlite3_exec(s->db, rcp_sqlite_schema_version_ddl, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        ret = sq_fail(s, rc, "creating schema_version");
        goto cleanup;
    }
    for (; version < RCP_STORE_SCHEMA_VERSION; version++) {
        rc = sqlite3_exec(s->db, rcp_sqlite_migrations[version], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            ret = rcp_store_fail(&s->base, RCP_ERR_STORE,
                                 "migrating the store schema from version %lld to %lld: %s "
                                 "(nothing was changed)",
                                 (long long)version, (long long)version + 1, sqlite3_errmsg(s->db));
            goto cleanup;
        }
        ret = schema_version_insert(s, version + 1);
        if (ret)
            goto cleanup;
    }
    ret = tx_commit(s);
cleanup:
    tx_rollback(s);
    return ret;
}

/* Create the file 0600 before SQLite does (SQLite would use 0644 minus the
 * umask; its -wal and -shm files copy the database file's mode). */
static int create_private(const char *path, char *msg, size_t msg_cap)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, SQ_FILE_MODE);

    if (fd < 0) {
        rcp_store_msg(msg, msg_cap, "cannot open or create the store file %s", path);
        return RCP_ERR_STORE;
    }
    close(fd);
    return RCP_OK;
}

/* A pragma whose answer must be one text value (journal_mode). */
static int pragma_text(sq_store *s, const char *sql, const char *want)
{
    sqlite3_stmt *q = NULL;
    const unsigned char *got;
    int ret = RCP_ERR_STORE;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        ret = sq_fail(s, rc == SQLITE_DONE ? SQLITE_ERROR : rc, sql);
        goto cleanup;
    }
    got = sqlite3_column_text(q, 0);
    if (got == NULL || strcmp((const char *)got, want) != 0) {
        ret = rcp_store_fail(&s->base, RCP_ERR_STORE, "%s: SQLite answered \"%s\", need \"%s\"",
                             sql, got ? (const char *)got : "", want);
        goto cleanup;
    }
    ret = RCP_OK;
cleanup:
    sqlite3_finalize(q);
    return ret;
}

static int configure(sq_store *s, int memory)
{
    int64_t on;
    int is_null;
    int rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    int ret;

    if (rc == SQLITE_OK)
        rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(s->db,
                          "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; "
                          "PRAGMA synchronous = FULL;",
                          NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(s, rc, "configuring SQLite");
    /* a SQLite built without foreign keys answers nothing: refuse it */
    ret = scalar(s, "PRAGMA foreign_keys", &on, &is_null);
    if (ret == 0 && on != 1)
        ret = rcp_store_fail(&s->base, RCP_ERR_UNSUPPORTED,
                             "this SQLite does not enforce foreign keys");
    if (ret == 0 && !memory)
        ret = pragma_text(s, "PRAGMA journal_mode = WAL", "wal");
    return ret;
}

static int sq_open(const char *target, rcp_store **out, char *msg, size_t msg_cap)
{
    sq_store *s = NULL;
    int64_t version;
    int memory = strcmp(target, SQ_MEMORY_TARGET) == 0;
    int rc;
    int ret = RCP_ERR_NO_MEMORY;

    s = calloc(1, sizeof *s);
    if (s == NULL) {
        rcp_store_msg(msg, msg_cap, "out of memory opening the store");
        goto cleanup;
    }
    s->base.be = &rcp_store_backend_sqlite;
    if (!memory) {
        ret = create_private(target, msg, msg_cap);
        if (ret)
            goto cleanup;
    }
    rc = sqlite3_open_v2(target, &s->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        ret = rc == SQLITE_NOMEM ? RCP_ERR_NO_MEMORY : RCP_ERR_STORE;
        rcp_store_msg(msg, msg_cap, "cannot open the store %s: %s", target,
                      s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        goto cleanup;
    }
    rc = sqlite3_extended_result_codes(s->db, 1);
    if (rc == SQLITE_OK) /* before the first read: another process may hold a lock */
        rc = sqlite3_busy_timeout(s->db, SQ_BUSY_TIMEOUT_MS);
    if (rc != SQLITE_OK) {
        ret = sq_fail(s, rc, "configuring SQLite");
        rcp_store_msg(msg, msg_cap, "%s", s->base.errmsg);
        goto cleanup;
    }
    /* Refuse a newer or foreign database before touching it (journal mode
     * is persistent); schema_migrate checks again under the write lock. */
    ret = schema_version_read(s, &version);
    if (ret == 0 && version > RCP_STORE_SCHEMA_VERSION)
        ret = rcp_store_schema_newer(&s->base, version);
    if (ret == 0)
        ret = configure(s, memory);
    if (ret == 0)
        ret = schema_migrate(s);
    if (ret) {
        rcp_store_msg(msg, msg_cap, "%s", s->base.errmsg);
        goto cleanup;
    }
    s->base.errmsg[0] = '\0';
    *out = &s->base;
    s = NULL;
cleanup:
    if (s != NULL)
        sq_close(&s->base);
    return ret;
}

/* ------------------------------------------------------------ digest */

static int digest_table(sq_store *s, rcp_store_digest_ctx *d, const char *table, const char *sql)
{
    static const char what[] = "computing the digest";
    sqlite3_stmt *q = NULL;
    int ret = RCP_OK;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);

    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        rc = sqlite3_step(q);
        if (rc != SQLITE_ROW)
            break;
        rcp_store_digest_row_begin(d, table);
        for (int i = 0; i < sqlite3_column_count(q); i++) {
            switch (sqlite3_column_type(q, i)) {
            case SQLITE_INTEGER:
                rcp_store_digest_int(d, sqlite3_column_int64(q, i));
                break;
            case SQLITE_TEXT:
                rcp_store_digest_text(d, sqlite3_column_text(q, i),
                                      (size_t)sqlite3_column_bytes(q, i));
                break;
            case SQLITE_BLOB:
                rcp_store_digest_blob(d, sqlite3_column_blob(q, i),
                                      (size_t)sqlite3_column_bytes(q, i));
                break;
            case SQLITE_NULL:
                rcp_store_digest_null(d);
                break;
            default: /* REAL: no column of the schema holds one */
                ret = sq_corrupt(s, what);
                goto cleanup;
            }
        }
        rcp_store_digest_row_end(d);
    }
    if (rc != SQLITE_DONE) {
        ret = sq_fail(s, rc, what);
        goto cleanup;
    }
    rcp_store_digest_table_end(d, table);
cleanup:
    sqlite3_finalize(q);
    return ret;
}

static int sq_digest(rcp_store *st, uint8_t out[32])
{
    sq_store *s = sq(st);
    rcp_store_digest_ctx d; /* holds K and OPc while hashing */
    int ret;

    rcp_store_digest_init(&d);
    ret = tx_begin(s, Q_BEGIN_READ); /* one snapshot for every table */
    for (size_t t = 0; ret == 0 && t < sizeof k_digest_tables / sizeof k_digest_tables[0]; t++)
        ret = digest_table(s, &d, k_digest_tables[t].table, k_digest_tables[t].sql);
    if (ret)
        goto cleanup;
    ret = rcp_store_digest_final(&d, out);
    if (ret) {
        ret = rcp_store_fail(st, RCP_ERR_STORE, "computing the digest: a row is too large");
        goto cleanup;
    }
    ret = tx_commit(s);
cleanup:
    rcp_wipe(&d, sizeof d);
    tx_rollback(s);
    return ret;
}

/* ================================================= Authorization Server */

static int sq_uuid_register(rcp_store *st, const rcp_uuid_record *r, uint64_t now, int *created)
{
    sq_store *s = sq(st);
    rcp_uuid_record old;
    rcp_store_hexbuf hex;
    sq_bind b = {0};
    int found;
    int ret = tx_begin(s, Q_BEGIN_WRITE);

    if (ret)
        goto cleanup;
    ret = read_uuid(s, r->uuid, &old, &found);
    if (ret)
        goto cleanup;
    if (found) {
        /* a repeat of the same registration is a no-op; anything else is a
         * conflict (another TRE: a racing attacker or a mistaken SP) */
        if (!rcp_ct_equal(old.tre_kid, r->tre_kid, RCP_KID_LEN)) {
            ret =
                rcp_store_fail(st, RCP_ERR_EXISTS, "UUID %s is already registered for another TRE",
                               rcp_store_hex(&hex, r->uuid, RCP_UUID_LEN));
            goto cleanup;
        }
        if (strcmp(old.sp, r->sp) != 0 || old.max_authorizations != r->max_authorizations) {
            ret = rcp_store_fail(st, RCP_ERR_EXISTS,
                                 "UUID %s is already registered for this TRE with another SP "
                                 "or authorization limit",
                                 rcp_store_hex(&hex, r->uuid, RCP_UUID_LEN));
            goto cleanup;
        }
        ret = tx_commit(s);
        if (ret == 0 && created != NULL)
            *created = 0;
        goto cleanup;
    }
    ret = sq_prep(s, Q_UUID_INSERT, &b);
    if (ret)
        goto cleanup;
    b_blob(&b, 1, r->uuid, RCP_UUID_LEN);
    b_blob(&b, 2, r->tre_kid, RCP_KID_LEN);
    b_text(&b, 3, r->sp);
    b_int(&b, 4, r->max_authorizations);
    b_int(&b, 5, (int64_t)now);
    ret = sq_run(s, &b, "registering the UUID");
    if (ret == 0)
        ret = ledger_append(s, RCP_LEDGER_REGISTER, r->uuid, NULL, NULL, now, NULL, 0);
    if (ret == 0)
        ret = tx_commit(s);
    if (ret == 0 && created != NULL)
        *created = 1;
cleanup:
    tx_rollback(s);
    return ret;
}

static int sq_uuid_get(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_uuid_record *out)
{
    sq_store *s = sq(st);
    rcp_uuid_record rec;
    rcp_store_hexbuf hex;
    int found;
    int ret = read_uuid(s, uuid, &rec, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND,
                             "UUID %s is not registered at this Authorization Server",
                             rcp_store_hex(&hex, uuid, RCP_UUID_LEN));
    if (ret == 0)
        *out = rec;
    return ret;
}

static int sq_authorize(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                        const uint8_t authz_id[RCP_AUTHZ_ID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                        uint64_t now, uint64_t expires, const uint8_t *record, size_t record_len)
{
    sq_store *s = sq(st);
    rcp_uuid_record u;
    rcp_authorization a;
    rcp_store_hexbuf hex;
    sq_bind b = {0};
    int found;
    int ret = tx_begin(s, Q_BEGIN_WRITE);

    if (ret)
        goto cleanup;
    ret = read_uuid(s, uuid, &u, &found);
    if (ret)
        goto cleanup;
    if (!found) {
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND,
                             "UUID %s is not registered at this Authorization Server",
                             rcp_store_hex(&hex, uuid, RCP_UUID_LEN));
        goto cleanup;
    }
    if (u.state == RCP_UUID_USED) {
        ret = rcp_store_fail(st, RCP_ERR_REPLAY,
                             "UUID %s is used up: its device was already provisioned",
                             rcp_store_hex(&hex, uuid, RCP_UUID_LEN));
        goto cleanup;
    }
    if (u.authorizations >= u.max_authorizations) {
        ret = rcp_store_fail(st, RCP_ERR_LIMIT,
                             "UUID %s has had all %u authorizations its policy allows",
                             rcp_store_hex(&hex, uuid, RCP_UUID_LEN), u.max_authorizations);
        goto cleanup;
    }
    ret = read_authz(s, authz_id, &a, &found);
    if (ret)
        goto cleanup;
    if (found) {
        ret = rcp_store_fail(st, RCP_ERR_EXISTS, "authorization %s already exists",
                             rcp_store_hex(&hex, authz_id, RCP_AUTHZ_ID_LEN));
        goto cleanup;
    }
    /* count first: the authorization's insert trigger checks it */
    ret = sq_prep(s, Q_UUID_AUTHORIZED, &b);
    if (ret)
        goto cleanup;
    b_blob(&b, 1, uuid, RCP_UUID_LEN);
    ret = sq_run(s, &b, "counting the authorization");
    if (ret)
        goto cleanup;
    ret = sq_prep(s, Q_AUTHZ_INSERT, &b);
    if (ret)
        goto cleanup;
    b_blob(&b, 1, authz_id, RCP_AUTHZ_ID_LEN);
    b_blob(&b, 2, uuid, RCP_UUID_LEN);
    b_blob(&b, 3, sn_kid, RCP_KID_LEN);
    b_int(&b, 4, (int64_t)now);
    b_int(&b, 5, (int64_t)expires);
    ret = sq_run(s, &b, "recording the authorization");
    if (ret == 0)
        ret =
            ledger_append(s, RCP_LEDGER_AUTHORIZE, uuid, authz_id, sn_kid, now, record, record_len);
    if (ret == 0)
        ret = tx_commit(s);
cleanup:
    tx_rollback(s);
    return ret;
}

static int sq_acknowledge(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                          const uint8_t uuid[RCP_UUID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                          uint64_t now, const uint8_t *record, size_t record_len, int *first)
{
    sq_store *s = sq(st);
    rcp_authorization a;
    rcp_uuid_record u;
    rcp_store_hexbuf hex;
    sq_bind b = {0};
    int found;
    int ret = tx_begin(s, Q_BEGIN_WRITE);

    if (ret)
        goto cleanup;
    ret = read_authz(s, authz_id, &a, &found);
    if (ret)
        goto cleanup;
    if (!found) {
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND,
                             "authorization %s was never granted by this Authorization Server",
                             rcp_store_hex(&hex, authz_id, RCP_AUTHZ_ID_LEN));
        goto cleanup;
    }
    if (!rcp_ct_equal(a.sn_kid, sn_kid, RCP_KID_LEN) || !rcp_ct_equal(a.uuid, uuid, RCP_UUID_LEN)) {
        ret = rcp_store_fail(st, RCP_ERR_PROTOCOL,
                             "authorization %s was granted to another Serving Network or UUID",
                             rcp_store_hex(&hex, authz_id, RCP_AUTHZ_ID_LEN));
        goto cleanup;
    }
    if (a.acked) { /* a retried ack: already recorded, nothing to do */
        ret = tx_commit(s);
        if (ret == 0 && first != NULL)
            *first = 0;
        goto cleanup;
    }
    ret = read_uuid(s, uuid, &u, &found);
    if (ret)
        goto cleanup;
    if (!found) { /* the foreign key makes this impossible */
        ret = sq_corrupt(s, "acknowledging: the authorization's UUID is missing");
        goto cleanup;
    }
    if (u.state == RCP_UUID_USED) {
        ret = rcp_store_fail(st, RCP_ERR_REPLAY,
                             "UUID %s was already acknowledged through another authorization",
                             rcp_store_hex(&hex, uuid, RCP_UUID_LEN));
        goto cleanup;
    }
    /* authorization first: the ledger's insert trigger checks acked_at */
    ret = sq_prep(s, Q_AUTHZ_ACK, &b);
    if (ret)
        goto cleanup;
    b_blob(&b, 1, authz_id, RCP_AUTHZ_ID_LEN);
    b_int(&b, 2, (int64_t)now);
    ret = sq_run(s, &b, "recording the acknowledgement");
    if (ret == 0 && sqlite3_changes(s->db) != 1)
        ret = sq_corrupt(s, "recording the acknowledgement");
    if (ret)
        goto cleanup;
    ret = sq_prep(s, Q_UUID_USED, &b);
    if (ret)
        goto cleanup;
    b_blob(&b, 1, uuid, RCP_UUID_LEN);
    ret = sq_run(s, &b, "marking the UUID used");
    if (ret == 0)
        ret = ledger_append(s, RCP_LEDGER_ACK, uuid, authz_id, sn_kid, now, record, record_len);
    if (ret == 0)
        ret = tx_commit(s);
    if (ret == 0 && first != NULL)
        *first = 1;
cleanup:
    tx_rollback(s);
    return ret;
}

static int sq_authz_get(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                        rcp_authorization *out)
{
    sq_store *s = sq(st);
    rcp_authorization a;
    rcp_store_hexbuf hex;
    int found;
    int ret = read_authz(s, authz_id, &a, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND,
                             "authorization %s was never granted by this Authorization Server",
                             rcp_store_hex(&hex, authz_id, RCP_AUTHZ_ID_LEN));
    if (ret == 0)
        *out = a;
    return ret;
}

static int sq_ledger_count(rcp_store *st, rcp_ledger_kind kind, uint64_t *count)
{
    sq_store *s = sq(st);
    return read_count(s, kind == 0 ? Q_LEDGER_COUNT_ALL : Q_LEDGER_COUNT_KIND, kind, count);
}

static int sq_ledger_get(rcp_store *st, uint64_t seq, rcp_ledger_entry *out)
{
    static const char what[] = "reading the ledger";
    sq_store *s = sq(st);
    uint64_t kind = 0;
    const void *rec;
    size_t rec_len;
    sq_bind b = {0};
    int ret = sq_prep(s, Q_LEDGER_GET, &b);

    if (ret)
        return ret;
    b_int(&b, 1, (int64_t)seq);
    ret = sq_next(s, &b, what);
    if (ret < 0)
        return ret;
    if (ret == 0)
        return rcp_store_fail(st, RCP_ERR_NOT_FOUND, "the ledger has no entry %llu",
                              (unsigned long long)seq);
    memset(out, 0, sizeof *out);
    out->seq = seq;
    ret = RCP_OK;
    if (col_u64(b.q, 0, &kind) || kind < RCP_LEDGER_REGISTER || kind > RCP_LEDGER_ACK ||
        col_fixed(b.q, 1, out->uuid, RCP_UUID_LEN) || col_u64(b.q, 4, &out->at) ||
        sqlite3_column_type(b.q, 5) != SQLITE_BLOB)
        ret = sq_corrupt(s, what);
    else if (kind != RCP_LEDGER_REGISTER && (col_fixed(b.q, 2, out->authz_id, RCP_AUTHZ_ID_LEN) ||
                                             col_fixed(b.q, 3, out->sn_kid, RCP_KID_LEN)))
        ret = sq_corrupt(s, what);
    if (ret == 0) {
        rec = sqlite3_column_blob(b.q, 5);
        rec_len = (size_t)sqlite3_column_bytes(b.q, 5);
        if (rec_len > RCP_STORE_RECORD_MAX || (rec == NULL && rec_len > 0)) {
            ret = sq_corrupt(s, what);
        } else {
            out->kind = (rcp_ledger_kind)kind;
            out->record_len = rec_len;
            if (rec_len > 0)
                memcpy(out->record, rec, rec_len);
        }
    }
    sq_reset(b.q);
    return ret;
}

/* ======================================================= Serving Network */

/* The next free IMSI of the range: one above the highest IMSI the HSS holds
 * in it.  IMSIs are never deleted, so every IMSI above that one is free, and
 * none below is handed out again; no counter is needed, and a changed range
 * configuration cannot collide with earlier allocations. */
static int next_imsi(sq_store *s, const rcp_store_alloc_range *range, char imsi[RCP_IMSI_MAX + 1])
{
    static const char what[] = "finding the next free IMSI";
    char lo[RCP_IMSI_MAX + 1], hi[RCP_IMSI_MAX + 1], top[RCP_IMSI_MAX + 1];
    uint64_t next = range->imsi_first;
    sq_bind b = {0};
    int ret = sq_prep(s, Q_HSS_MAX_IMSI, &b);

    if (ret)
        return ret;
    rcp_store_imsi_format(range->imsi_first, lo);
    rcp_store_imsi_format(range->imsi_last, hi);
    b_text(&b, 1, lo);
    b_text(&b, 2, hi);
    ret = sq_next(s, &b, what);
    if (ret == 0)
        return sq_corrupt(s, what); /* an aggregate always returns a row */
    if (ret < 0)
        return ret;
    ret = RCP_OK;
    if (sqlite3_column_type(b.q, 0) != SQLITE_NULL) {
        if (col_imsi(b.q, 0, top) || rcp_store_imsi_parse(top, &next) || next < range->imsi_first ||
            next > range->imsi_last)
            ret = sq_corrupt(s, what);
        next++;
    }
    sq_reset(b.q);
    if (ret)
        return ret;
    if (next > range->imsi_last)
        return rcp_store_fail(
            &s->base, RCP_ERR_LIMIT, "the MSIN range %llu..%llu of PLMN %s%s is exhausted",
            (unsigned long long)range->req->msin_first, (unsigned long long)range->req->msin_last,
            range->req->mcc, range->req->mnc);
    rcp_store_imsi_format(next, imsi);
    return RCP_OK;
}

/* Consume a one-time value inside the caller's write transaction:
 * RCP_ERR_REPLAY if it was consumed before.  uuid may be NULL. */
static int nonce_take(sq_store *s, const uint8_t nonce[RCP_NONCE_LEN], const uint8_t *uuid,
                      uint64_t now, const char *what)
{
    rcp_store_hexbuf hex;
    sq_bind b = {0};
    int ret = sq_prep(s, Q_NONCE_GET, &b);

    if (ret)
        return ret;
    b_blob(&b, 1, nonce, RCP_NONCE_LEN);
    ret = sq_next(s, &b, "checking a one-time value");
    if (ret == 1) {
        sq_reset(b.q);
        return rcp_store_fail(&s->base, RCP_ERR_REPLAY, "%s %s was already consumed", what,
                              rcp_store_hex(&hex, nonce, RCP_NONCE_LEN));
    }
    if (ret)
        return ret;
    ret = sq_prep(s, Q_NONCE_INSERT, &b);
    if (ret)
        return ret;
    b_blob(&b, 1, nonce, RCP_NONCE_LEN);
    if (uuid != NULL)
        b_blob(&b, 2, uuid, RCP_UUID_LEN);
    else if (b.rc == SQLITE_OK)
        b.rc = sqlite3_bind_null(b.q, 2);
    b_int(&b, 3, (int64_t)now);
    return sq_run(s, &b, "consuming a one-time value");
}

static int hss_insert(sq_store *s, const rcp_hss_subscriber *sub)
{
    sq_bind b = {0};
    int ret = sq_prep(s, Q_HSS_INSERT, &b);

    if (ret)
        return ret;
    b_text(&b, 1, sub->imsi);
    b_blob(&b, 2, sub->k, sizeof sub->k);
    b_blob(&b, 3, sub->opc, sizeof sub->opc);
    for (int i = 0; i < 5; i++) {
        b_int(&b, 4 + i, sub->consts.r[i]);
        b_blob(&b, 9 + i, sub->consts.c[i], sizeof sub->consts.c[i]);
    }
    return sq_run(s, &b, "storing the HSS subscriber");
}

static int sq_provision(rcp_store *st, const rcp_store_alloc_range *range, uint64_t now,
                        rcp_provision_result *out)
{
    sq_store *s = sq(st);
    const rcp_provision_request *req = range->req;
    rcp_provision_result res; /* holds K and OPc: wiped at cleanup */
    rcp_allocation alloc;
    rcp_store_hexbuf hex, hex2;
    sq_bind b = {0};
    int found;
    int ret;

    memset(&res, 0, sizeof res);
    ret = tx_begin(s, Q_BEGIN_WRITE);
    if (ret)
        goto cleanup;
    /* consume the session nonce: a replayed session stops here */
    ret = nonce_take(s, req->nonce, req->uuid, now, "session nonce");
    if (ret)
        goto cleanup;

    ret = read_alloc(s, Q_ALLOC_BY_UUID, req->uuid, &alloc, &found);
    if (ret)
        goto cleanup;
    if (found) {
        /* a retry: the same IMSI and K, never to another TRE */
        if (!rcp_ct_equal(alloc.tre_kid, req->tre_kid, RCP_KID_LEN)) {
            ret = rcp_store_fail(st, RCP_ERR_PROTOCOL,
                                 "UUID %s has an IMSI allocated for TRE %s, not for this TRE",
                                 rcp_store_hex(&hex, req->uuid, RCP_UUID_LEN),
                                 rcp_store_hex(&hex2, alloc.tre_kid, RCP_KID_LEN));
            goto cleanup;
        }
        ret = sq_prep(s, Q_ALLOC_SET_AUTHZ, &b);
        if (ret)
            goto cleanup;
        b_blob(&b, 1, req->uuid, RCP_UUID_LEN);
        b_blob(&b, 2, req->authz_id, RCP_AUTHZ_ID_LEN);
        b_text(&b, 3, req->auths);
        ret = sq_run(s, &b, "updating the allocation's authorization");
        if (ret)
            goto cleanup;
        ret = read_hss(s, alloc.imsi, &res.sub, &found);
        if (ret == 0 && !found) /* the foreign key makes this impossible */
            ret = sq_corrupt(s, "provisioning: the allocation's subscriber is missing");
        if (ret)
            goto cleanup;
        res.reused = 1;
    } else {
        ret = next_imsi(s, range, res.sub.imsi);
        if (ret)
            goto cleanup;
        memcpy(res.sub.k, req->k, sizeof res.sub.k);
        memcpy(res.sub.opc, req->opc, sizeof res.sub.opc);
        res.sub.consts = *req->consts;
        res.sub.sqn = 0;
        ret = hss_insert(s, &res.sub);
        if (ret)
            goto cleanup;
        ret = sq_prep(s, Q_ALLOC_INSERT, &b);
        if (ret)
            goto cleanup;
        b_text(&b, 1, res.sub.imsi);
        b_blob(&b, 2, req->uuid, RCP_UUID_LEN);
        b_blob(&b, 3, req->authz_id, RCP_AUTHZ_ID_LEN);
        b_blob(&b, 4, req->tre_kid, RCP_KID_LEN);
        b_text(&b, 5, req->auths);
        b_int(&b, 6, (int64_t)now);
        ret = sq_run(s, &b, "storing the allocation");
        if (ret)
            goto cleanup;
        res.reused = 0;
    }
    ret = tx_commit(s);
    if (ret == 0)
        *out = res;
cleanup:
    rcp_wipe(&res, sizeof res);
    tx_rollback(s);
    return ret;
}

static int sq_nonce_consume(rcp_store *st, const uint8_t nonce[RCP_NONCE_LEN], uint64_t now)
{
    sq_store *s = sq(st);
    int ret = tx_begin(s, Q_BEGIN_WRITE);

    if (ret == 0)
        ret = nonce_take(s, nonce, NULL, now, "one-time value");
    if (ret == 0)
        ret = tx_commit(s);
    tx_rollback(s);
    return ret;
}

/* Move an allocation one state forward inside the caller's transaction. */
static int alloc_step(sq_store *s, const char *imsi, rcp_alloc_state state)
{
    sq_bind b = {0};
    int ret = sq_prep(s, Q_ALLOC_SET_STATE, &b);
    if (ret)
        return ret;
    b_text(&b, 1, imsi);
    b_int(&b, 2, state);
    return sq_run(s, &b, "moving the allocation's state");
}

static int sq_aka_complete(rcp_store *st, const char *imsi, const uint8_t rand[RCP_NONCE_LEN],
                           uint64_t now, rcp_allocation *out)
{
    sq_store *s = sq(st);
    rcp_allocation a;
    int found = 0;
    int ret = tx_begin(s, Q_BEGIN_WRITE);
    if (ret == 0)
        ret = read_alloc(s, Q_ALLOC_BY_IMSI, imsi, &a, &found);
    if (ret == 0 && !found)
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND, "IMSI %s has no IMSI allocation", imsi);
    if (ret == 0)
        ret = nonce_take(s, rand, NULL, now, "AKA RAND");
    if (ret == 0 && a.state == RCP_ALLOC_PROVISIONED) {
        ret = alloc_step(s, imsi, RCP_ALLOC_AKA_OK);
        a.state = RCP_ALLOC_AKA_OK;
    }
    if (ret == 0)
        ret = tx_commit(s);
    tx_rollback(s);
    if (ret == 0)
        *out = a;
    return ret;
}

static int sq_alloc_acked(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                          const uint8_t authz_id[RCP_AUTHZ_ID_LEN])
{
    sq_store *s = sq(st);
    rcp_allocation a;
    rcp_store_hexbuf h;
    int found = 0;
    int ret = tx_begin(s, Q_BEGIN_WRITE);
    if (ret == 0)
        ret = read_alloc(s, Q_ALLOC_BY_UUID, uuid, &a, &found);
    if (ret == 0 && !found)
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND, "UUID %s has no allocation",
                             rcp_store_hex(&h, uuid, RCP_UUID_LEN));
    if (ret == 0 && !rcp_ct_equal(a.authz_id, authz_id, RCP_AUTHZ_ID_LEN))
        ret = rcp_store_fail(st, RCP_ERR_PROTOCOL,
                             "the acknowledged authorization is not the allocation's latest");
    if (ret == 0 && a.state == RCP_ALLOC_PROVISIONED)
        ret = rcp_store_fail(st, RCP_ERR_STATE, "allocation of IMSI %s is acknowledged before AKA",
                             a.imsi);
    if (ret == 0 && a.state == RCP_ALLOC_AKA_OK)
        ret = alloc_step(s, a.imsi, RCP_ALLOC_ACKED);
    if (ret == 0)
        ret = tx_commit(s);
    tx_rollback(s);
    return ret;
}

static int sq_hss_advance(rcp_store *st, const char *imsi, rcp_sqn_next_fn next, void *ctx,
                          rcp_hss_subscriber *out)
{
    sq_store *s = sq(st);
    rcp_hss_subscriber sub;
    sq_bind b = {0};
    uint64_t sqn = 0;
    int found = 0;
    int ret = tx_begin(s, Q_BEGIN_WRITE);
    if (ret == 0)
        ret = read_hss(s, imsi, &sub, &found);
    if (ret == 0 && !found)
        ret =
            rcp_store_fail(st, RCP_ERR_NOT_FOUND, "IMSI %s is not a subscriber of this HSS", imsi);
    if (ret == 0)
        ret = next(ctx, sub.sqn, &sqn);
    if (ret == 0 && sqn > RCP_SQN_HE_MAX)
        ret = rcp_store_fail(st, RCP_ERR_RANGE, "SQN_HE would leave 48 bits");
    if (ret == 0)
        ret = sq_prep(s, Q_HSS_CAS, &b);
    if (ret == 0) {
        b_text(&b, 1, imsi);
        b_int(&b, 2, (int64_t)sub.sqn);
        b_int(&b, 3, (int64_t)sqn);
        ret = sq_run(s, &b, "advancing SQN_HE");
    }
    if (ret == 0 && sqlite3_changes(s->db) != 1)
        ret = rcp_store_fail(st, RCP_ERR_STORE, "SQN_HE of IMSI %s changed under the write lock",
                             imsi);
    if (ret == 0)
        ret = tx_commit(s);
    tx_rollback(s);
    if (ret == 0) {
        sub.sqn = sqn;
        *out = sub;
    }
    rcp_wipe(&sub, sizeof sub);
    return ret;
}

static int sq_hss_get(rcp_store *st, const char *imsi, rcp_hss_subscriber *out)
{
    sq_store *s = sq(st);
    rcp_hss_subscriber sub;
    int found;
    int ret = read_hss(s, imsi, &sub, &found);

    if (ret == 0 && !found)
        ret =
            rcp_store_fail(st, RCP_ERR_NOT_FOUND, "IMSI %s is not a subscriber of this HSS", imsi);
    if (ret == 0)
        *out = sub;
    rcp_wipe(&sub, sizeof sub);
    return ret;
}

static int sq_hss_set_sqn(rcp_store *st, const char *imsi, uint64_t old_sqn, uint64_t new_sqn)
{
    sq_store *s = sq(st);
    rcp_hss_subscriber sub;
    sq_bind b = {0};
    int found;
    int ret = tx_begin(s, Q_BEGIN_WRITE);

    if (ret)
        goto cleanup;
    ret = sq_prep(s, Q_HSS_CAS, &b);
    if (ret)
        goto cleanup;
    b_text(&b, 1, imsi);
    b_int(&b, 2, (int64_t)old_sqn);
    b_int(&b, 3, (int64_t)new_sqn);
    ret = sq_run(s, &b, "updating SQN_HE");
    if (ret)
        goto cleanup;
    if (sqlite3_changes(s->db) != 1) {
        ret = read_hss(s, imsi, &sub, &found);
        if (ret == 0)
            ret = found ? rcp_store_fail(st, RCP_ERR_STATE,
                                         "SQN_HE of IMSI %s is no longer %llu: another instance "
                                         "issued a vector meanwhile (re-read and retry)",
                                         imsi, (unsigned long long)old_sqn)
                        : rcp_store_fail(st, RCP_ERR_NOT_FOUND,
                                         "IMSI %s is not a subscriber of this HSS", imsi);
        goto cleanup;
    }
    ret = tx_commit(s);
cleanup:
    rcp_wipe(&sub, sizeof sub);
    tx_rollback(s);
    return ret;
}

static int sq_alloc_get(rcp_store *st, enum sq_stmt_id id, const void *key, const char *key_text,
                        rcp_allocation *out)
{
    sq_store *s = sq(st);
    rcp_allocation a;
    int found;
    int ret = read_alloc(s, id, key, &a, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND, "%s has no IMSI allocation", key_text);
    if (ret == 0)
        *out = a;
    return ret;
}

static int sq_alloc_by_imsi(rcp_store *st, const char *imsi, rcp_allocation *out)
{
    char what[RCP_IMSI_MAX + 8];
    rcp_store_msg(what, sizeof what, "IMSI %s", imsi);
    return sq_alloc_get(st, Q_ALLOC_BY_IMSI, imsi, what, out);
}

static int sq_alloc_by_uuid(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_allocation *out)
{
    rcp_store_hexbuf hex;
    char what[sizeof hex.s + 8];
    rcp_store_msg(what, sizeof what, "UUID %s", rcp_store_hex(&hex, uuid, RCP_UUID_LEN));
    return sq_alloc_get(st, Q_ALLOC_BY_UUID, uuid, what, out);
}

static int sq_alloc_set_state(rcp_store *st, const char *imsi, rcp_alloc_state state)
{
    static const char *const names[] = {"?", "PROVISIONED", "AKA_OK", "ACKED"};
    sq_store *s = sq(st);
    rcp_allocation a;
    sq_bind b = {0};
    int found;
    int ret = tx_begin(s, Q_BEGIN_WRITE);

    if (ret)
        goto cleanup;
    ret = read_alloc(s, Q_ALLOC_BY_IMSI, imsi, &a, &found);
    if (ret)
        goto cleanup;
    if (!found) {
        ret = rcp_store_fail(st, RCP_ERR_NOT_FOUND, "IMSI %s has no IMSI allocation", imsi);
        goto cleanup;
    }
    if (a.state == state) { /* already there: a retried step */
        ret = tx_commit(s);
        goto cleanup;
    }
    if (state != a.state + 1) {
        ret = rcp_store_fail(st, RCP_ERR_STATE,
                             "allocation of IMSI %s cannot move from %s to %s (states only move "
                             "one step forward)",
                             imsi, names[a.state], names[state]);
        goto cleanup;
    }
    ret = sq_prep(s, Q_ALLOC_SET_STATE, &b);
    if (ret)
        goto cleanup;
    b_text(&b, 1, imsi);
    b_int(&b, 2, state);
    ret = sq_run(s, &b, "moving the allocation's state");
    if (ret == 0)
        ret = tx_commit(s);
cleanup:
    tx_rollback(s);
    return ret;
}

static int sq_alloc_pending_acks(rcp_store *st, rcp_allocation *out, size_t max, size_t *n)
{
    sq_store *s = sq(st);
    sq_bind b = {0};
    size_t got = 0;
    int ret = RCP_OK;

    if (max == 0)
        goto cleanup;
    ret = sq_prep(s, Q_ALLOC_PENDING, &b);
    if (ret)
        goto cleanup;
    b_int(&b, 1, max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max);
    /* LIMIT bounds the rows to max */
    while ((ret = sq_next(s, &b, "listing acks due")) == 1) {
        ret = read_alloc_row(s, b.q, &out[got]);
        if (ret) {
            sq_reset(b.q);
            goto cleanup;
        }
        got++;
    }
cleanup:
    if (ret == 0)
        *n = got;
    return ret;
}

static int sq_alloc_count(rcp_store *st, uint64_t *count)
{
    return read_count(sq(st), Q_ALLOC_COUNT, 0, count);
}

const rcp_store_backend rcp_store_backend_sqlite = {
    .open = sq_open,
    .close = sq_close,
    .digest = sq_digest,
    .uuid_register = sq_uuid_register,
    .uuid_get = sq_uuid_get,
    .authorize = sq_authorize,
    .acknowledge = sq_acknowledge,
    .authz_get = sq_authz_get,
    .ledger_count = sq_ledger_count,
    .ledger_get = sq_ledger_get,
    .provision = sq_provision,
    .hss_get = sq_hss_get,
    .hss_set_sqn = sq_hss_set_sqn,
    .alloc_by_imsi = sq_alloc_by_imsi,
    .alloc_by_uuid = sq_alloc_by_uuid,
    .alloc_set_state = sq_alloc_set_state,
    .alloc_pending_acks = sq_alloc_pending_acks,
    .nonce_consume = sq_nonce_consume,
    .aka_complete = sq_aka_complete,
    .hss_advance = sq_hss_advance,
    .alloc_acked = sq_alloc_acked,
    .alloc_count = sq_alloc_count,
};
