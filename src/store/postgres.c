/*
 * The PostgreSQL backend of the store (libpq).
 *
 * Same semantics as the SQLite backend (sqlite.c), kept for several daemon
 * instances sharing one database:
 *
 *  - Every call that writes runs in one READ COMMITTED transaction that
 *    first takes the lock of what it is about to check: the row it reads
 *    (SELECT ... FOR UPDATE on the UUID, the allocation or the subscriber),
 *    the ledger (LOCK TABLE as_ledger IN SHARE ROW EXCLUSIVE MODE, for the
 *    gapless "max + 1" sequence number) or the IMSI allocator (a
 *    transaction-scoped advisory lock, for "highest IMSI + 1").  In READ
 *    COMMITTED every statement after a lock wait sees what the previous
 *    holder committed, so the checks of a call still hold when it writes.
 *    (SERIALIZABLE would take its snapshot before the first lock wait and
 *    then abort every conflicting writer of the ledger: correct, but a
 *    retry storm on the busiest table.)
 *  - A value that must be new (a nonce, a UUID, an authz_id) is inserted
 *    with ON CONFLICT DO NOTHING: a concurrent inserter of the same key is
 *    waited for, and "no row inserted" is the answer (REPLAY, EXISTS).
 *  - Constraints and triggers of postgres_schema.c hold every invariant on
 *    their own, whatever writes.
 *  - A deadlock (40P01), a serialization failure (40001) or a connection
 *    lost before the COMMIT was sent rolls back and runs the whole call
 *    again, at most PG_TX_ATTEMPTS times.  Any other failure rolls back, so
 *    a call that fails changes nothing; outputs are written only after the
 *    commit.
 *
 * Statements are prepared once per connection (again after a reconnect)
 * with typed parameters; values travel in binary (bytea, int8) or as text
 * (text columns), never inside SQL.  Error messages carry PostgreSQL's
 * primary message and SQLSTATE, never its DETAIL (which can quote a row,
 * K included), never the URL (which can hold a password).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "store/postgres_schema.h"
#include "store/store_impl.h"

#define PG_TX_ATTEMPTS 10            /* runs of one call before a deadlock is reported */
#define PG_LOCK_TIMEOUT "5000"       /* ms a statement waits for a lock, as SQLite's busy timeout */
#define PG_CONNECT_TIMEOUT "10"      /* s, unless the URL sets connect_timeout */
#define PG_SERVER_VERSION_MIN 110000 /* EXECUTE FUNCTION in CREATE TRIGGER */

/* Transaction-scoped advisory lock keys ("rcp" + a number): database-wide,
 * released at commit or rollback. */
#define PG_LOCK_MIGRATE 0x7263700001LL
#define PG_LOCK_IMSI 0x7263700002LL

/* Type OIDs (pg_type.dat; stable across PostgreSQL versions). */
#define PG_OID_BYTEA 17
#define PG_OID_INT8 20
#define PG_OID_TEXT 25

#define PG_SQLSTATE_SERIALIZATION "40001"
#define PG_SQLSTATE_DEADLOCK "40P01"
#define PG_SQLSTATE_OUT_OF_MEMORY "53200"

#define PG_BEGIN_WRITE "BEGIN ISOLATION LEVEL READ COMMITTED"
#define PG_BEGIN_SNAPSHOT "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

enum pg_stmt_id {
    Q_UUID_GET,
    Q_UUID_LOCK,
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
    Q_NONCE_INSERT,
    Q_HSS_GET,
    Q_HSS_LOCK,
    Q_HSS_INSERT,
    Q_HSS_MAX_IMSI,
    Q_HSS_CAS,
    Q_ADVISORY_LOCK,
    Q_ALLOC_BY_UUID,
    Q_ALLOC_BY_IMSI,
    Q_ALLOC_LOCK_UUID,
    Q_ALLOC_LOCK_IMSI,
    Q_ALLOC_INSERT,
    Q_ALLOC_SET_AUTHZ,
    Q_ALLOC_SET_STATE,
    Q_ALLOC_PENDING,
    Q_ALLOC_COUNT,
    Q_DIGEST_FIRST, /* the digest walk, one statement per table */
    Q_COUNT = Q_DIGEST_FIRST + 7
};

#define PG_PARAMS_MAX 14
#define B PG_OID_BYTEA
#define I PG_OID_INT8
#define T PG_OID_TEXT

#define ALLOC_COLS "SELECT imsi, uuid, authz_id, tre_kid, auths, state FROM sn_allocation "
#define HSS_COLS "SELECT k, opc, r1, r2, r3, r4, r5, c1, c2, c3, c4, c5, sqn FROM hss_subscriber "
#define UUID_COLS                                                                                  \
    "SELECT tre_kid, sp, max_authorizations, authorizations, state, registered_at FROM as_uuid "

/* The DML of sqlite.c with $N placeholders, plus the locking reads. */
static const struct {
    const char *sql;
    int nparams;
    unsigned int types[PG_PARAMS_MAX];
} k_stmt[Q_COUNT] = {
    [Q_UUID_GET] = {UUID_COLS "WHERE uuid = $1", 1, {B}},
    [Q_UUID_LOCK] = {UUID_COLS "WHERE uuid = $1 FOR UPDATE", 1, {B}},
    [Q_UUID_INSERT] = {"INSERT INTO as_uuid (uuid, tre_kid, sp, max_authorizations, "
                       "authorizations, state, registered_at) VALUES ($1, $2, $3, $4, 0, 1, $5) "
                       "ON CONFLICT (uuid) DO NOTHING",
                       5,
                       {B, B, T, I, I}},
    [Q_UUID_AUTHORIZED] = {"UPDATE as_uuid SET authorizations = authorizations + 1, state = 2 "
                           "WHERE uuid = $1",
                           1,
                           {B}},
    [Q_UUID_USED] = {"UPDATE as_uuid SET state = 3 WHERE uuid = $1", 1, {B}},
    [Q_AUTHZ_GET] = {"SELECT uuid, sn_kid, issued_at, expires_at, acked_at "
                     "FROM as_authorization WHERE authz_id = $1",
                     1,
                     {B}},
    [Q_AUTHZ_INSERT] = {"INSERT INTO as_authorization (authz_id, uuid, sn_kid, issued_at, "
                        "expires_at, acked_at) VALUES ($1, $2, $3, $4, $5, NULL) "
                        "ON CONFLICT (authz_id) DO NOTHING",
                        5,
                        {B, B, B, I, I}},
    [Q_AUTHZ_ACK] = {"UPDATE as_authorization SET acked_at = $2 "
                     "WHERE authz_id = $1 AND acked_at IS NULL",
                     2,
                     {B, I}},
    [Q_LEDGER_NEXT] = {"SELECT coalesce(max(seq), 0) + 1 FROM as_ledger", 0, {0}},
    [Q_LEDGER_INSERT] = {"INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                         7,
                         {I, I, B, B, B, I, B}},
    [Q_LEDGER_COUNT_ALL] = {"SELECT count(*) FROM as_ledger", 0, {0}},
    [Q_LEDGER_COUNT_KIND] = {"SELECT count(*) FROM as_ledger WHERE kind = $1", 1, {I}},
    [Q_LEDGER_GET] = {"SELECT kind, uuid, authz_id, sn_kid, at, record FROM as_ledger "
                      "WHERE seq = $1",
                      1,
                      {I}},
    [Q_NONCE_INSERT] = {"INSERT INTO sn_nonce (nonce, uuid, consumed_at) VALUES ($1, $2, $3) "
                        "ON CONFLICT (nonce) DO NOTHING",
                        3,
                        {B, B, I}},
    [Q_HSS_GET] = {HSS_COLS "WHERE imsi = $1", 1, {T}},
    [Q_HSS_LOCK] = {HSS_COLS "WHERE imsi = $1 FOR UPDATE", 1, {T}},
    [Q_HSS_INSERT] = {"INSERT INTO hss_subscriber (imsi, k, opc, r1, r2, r3, r4, r5, "
                      "c1, c2, c3, c4, c5, sqn) "
                      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0)",
                      13,
                      {T, B, B, I, I, I, I, I, B, B, B, B, B}},
    [Q_HSS_MAX_IMSI] = {"SELECT max(imsi) FROM hss_subscriber WHERE imsi BETWEEN $1 AND $2",
                        2,
                        {T, T}},
    [Q_HSS_CAS] = {"UPDATE hss_subscriber SET sqn = $3 WHERE imsi = $1 AND sqn = $2", 3, {T, I, I}},
    [Q_ADVISORY_LOCK] = {"SELECT pg_advisory_xact_lock($1)", 1, {I}},
    [Q_ALLOC_BY_UUID] = {ALLOC_COLS "WHERE uuid = $1", 1, {B}},
    [Q_ALLOC_BY_IMSI] = {ALLOC_COLS "WHERE imsi = $1", 1, {T}},
    [Q_ALLOC_LOCK_UUID] = {ALLOC_COLS "WHERE uuid = $1 FOR UPDATE", 1, {B}},
    [Q_ALLOC_LOCK_IMSI] = {ALLOC_COLS "WHERE imsi = $1 FOR UPDATE", 1, {T}},
    [Q_ALLOC_INSERT] = {"INSERT INTO sn_allocation (imsi, uuid, authz_id, tre_kid, auths, state, "
                        "allocated_at) VALUES ($1, $2, $3, $4, $5, 1, $6)",
                        6,
                        {T, B, B, B, T, I}},
    [Q_ALLOC_SET_AUTHZ] = {"UPDATE sn_allocation SET authz_id = $2, auths = $3 WHERE uuid = $1",
                           3,
                           {B, B, T}},
    [Q_ALLOC_SET_STATE] = {"UPDATE sn_allocation SET state = $2 WHERE imsi = $1", 2, {T, I}},
    [Q_ALLOC_PENDING] = {ALLOC_COLS "WHERE state = 2 ORDER BY imsi LIMIT $1", 1, {I}},
    [Q_ALLOC_COUNT] = {"SELECT count(*) FROM sn_allocation", 0, {0}},
    /* The digest walk: the tables, orders and columns of sqlite.c's list
     * and docs/store.md (bytea and "C" text order bytewise, as SQLite). */
    [Q_DIGEST_FIRST + 0] = {"SELECT version FROM schema_version ORDER BY version", 0, {0}},
    [Q_DIGEST_FIRST + 1] = {"SELECT uuid, tre_kid, sp, max_authorizations, authorizations, "
                            "state, registered_at FROM as_uuid ORDER BY uuid",
                            0,
                            {0}},
    [Q_DIGEST_FIRST + 2] = {"SELECT authz_id, uuid, sn_kid, issued_at, expires_at, acked_at "
                            "FROM as_authorization ORDER BY authz_id",
                            0,
                            {0}},
    [Q_DIGEST_FIRST + 3] = {"SELECT seq, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger "
                            "ORDER BY seq",
                            0,
                            {0}},
    [Q_DIGEST_FIRST + 4] = {"SELECT imsi, k, opc, r1, r2, r3, r4, r5, c1, c2, c3, c4, c5, sqn "
                            "FROM hss_subscriber ORDER BY imsi",
                            0,
                            {0}},
    [Q_DIGEST_FIRST + 5] = {"SELECT imsi, uuid, authz_id, tre_kid, auths, state, allocated_at "
                            "FROM sn_allocation ORDER BY imsi",
                            0,
                            {0}},
    [Q_DIGEST_FIRST + 6] = {"SELECT nonce, uuid, consumed_at FROM sn_nonce ORDER BY nonce", 0, {0}},
};

#undef B
#undef I
#undef T

static const char *const k_digest_tables[Q_COUNT - Q_DIGEST_FIRST] = {
    "schema_version", "as_uuid",       "as_authorization", "as_ledger",
    "hss_subscriber", "sn_allocation", "sn_nonce",
};

typedef struct {
    rcp_store base; /* first: an rcp_store * is a pg_store * */
    PGconn *conn;
    int retry;       /* the last failure may pass if the transaction runs again */
    int prepared;    /* k_stmt is prepared on this connection */
    uint32_t jitter; /* xorshift state for the retry back-off (not a secret) */
} pg_store;

/* Parameters of one statement: pointers to the caller's data (no copy of K
 * or OPc here), integers in network order. */
typedef struct {
    int n;
    const char *val[PG_PARAMS_MAX];
    int len[PG_PARAMS_MAX];
    int fmt[PG_PARAMS_MAX];
    uint8_t i8[PG_PARAMS_MAX][8];
} pg_params;

static pg_store *pg(rcp_store *st)
{
    return (pg_store *)st;
}

/* ------------------------------------------------------------ messages */

/* libpq's messages end with a newline and may span lines; one line here. */
static void one_line(char *out, size_t cap, const char *in)
{
    size_t n = 0;

    if (cap == 0)
        return;
    for (; in != NULL && *in != '\0' && n + 1 < cap; in++) {
        char c = (*in == '\n' || *in == '\t' || *in == '\r') ? ' ' : *in;
        if (c == ' ' && (n == 0 || out[n - 1] == ' '))
            continue;
        out[n++] = c;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

/* The failure of a statement (res may be NULL: libpq could not even send
 * it).  Marks deadlocks and serialization failures as retryable. */
static int pg_fail(pg_store *s, const PGresult *res, const char *what)
{
    char text[RCP_STORE_ERRMSG_MAX];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int err = RCP_ERR_STORE;

    /* the primary message names the constraint or the rule broken; DETAIL
     * may quote a whole row, K included, and is never used */
    one_line(text, sizeof text,
             primary != NULL ? primary
             : res != NULL   ? PQresultErrorMessage(res)
                             : PQerrorMessage(s->conn));
    if (state != NULL &&
        (strcmp(state, PG_SQLSTATE_SERIALIZATION) == 0 || strcmp(state, PG_SQLSTATE_DEADLOCK) == 0))
        s->retry = 1;
    if (res == NULL && PQstatus(s->conn) == CONNECTION_OK)
        err = RCP_ERR_NO_MEMORY; /* libpq returns no result only when out of memory */
    if (state != NULL && strcmp(state, PG_SQLSTATE_OUT_OF_MEMORY) == 0)
        err = RCP_ERR_NO_MEMORY;
    if (state != NULL)
        return rcp_store_fail(&s->base, err, "%s: %s (SQLSTATE %s)", what, text, state);
    return rcp_store_fail(&s->base, err, "%s: %s", what, text[0] ? text : "PostgreSQL failed");
}

static int pg_corrupt(pg_store *s, const char *what)
{
    return rcp_store_fail(&s->base, RCP_ERR_STORE,
                          "%s: a stored value has an unexpected type or "
                          "size (database damaged or not an rcprov store)",
                          what);
}

static void quiet_notices(void *arg, const char *message)
{
    (void)arg, (void)message;
}

/* ------------------------------------------------------------ parameters */

static void p_blob(pg_params *p, const uint8_t *b, size_t n)
{
    static const char empty[1] = ""; /* NULL would be SQL NULL, not an empty bytea */
    p->val[p->n] = n > 0 ? (const char *)b : empty;
    p->len[p->n] = (int)n;
    p->fmt[p->n] = 1;
    p->n++;
}

static void p_text(pg_params *p, const char *s)
{
    p->val[p->n] = s; /* text format: NUL-terminated */
    p->len[p->n] = 0;
    p->fmt[p->n] = 0;
    p->n++;
}

static void p_int(pg_params *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        p->i8[p->n][i] = (uint8_t)u;
    p->val[p->n] = (const char *)p->i8[p->n];
    p->len[p->n] = 8;
    p->fmt[p->n] = 1;
    p->n++;
}

static void p_null(pg_params *p)
{
    p->val[p->n] = NULL;
    p->len[p->n] = 0;
    p->fmt[p->n] = 1;
    p->n++;
}

/* ------------------------------------------------------------ statements */

/* A constant statement without parameters (transaction control, LOCK). */
static int pg_cmd(pg_store *s, const char *sql, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    int ret = RCP_OK;

    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        ret = pg_fail(s, res, what);
    PQclear(res);
    return ret;
}

static void stmt_name(enum pg_stmt_id id, char name[16])
{
    static const char digits[] = "0123456789";
    memcpy(name, "rcp_q", 5);
    name[5] = digits[(id / 10) % 10];
    name[6] = digits[id % 10];
    name[7] = '\0';
}

static int prepare_all(pg_store *s)
{
    char name[16];
    /* a previous attempt on this connection may have prepared some */
    int ret = pg_cmd(s, "DEALLOCATE ALL", "preparing the statements");

    if (ret)
        return ret;
    for (int id = 0; id < Q_COUNT; id++) {
        PGresult *res;
        stmt_name((enum pg_stmt_id)id, name);
        res = PQprepare(s->conn, name, k_stmt[id].sql, k_stmt[id].nparams, k_stmt[id].types);
        if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
            ret = pg_fail(s, res, "preparing a statement");
            PQclear(res);
            return ret;
        }
        PQclear(res);
    }
    s->prepared = 1;
    return RCP_OK;
}

/* Run a prepared statement; on success *out (if not NULL) receives the
 * result (binary columns), which the caller PQclears. */
static int pg_exec(pg_store *s, enum pg_stmt_id id, const pg_params *p, PGresult **out,
                   const char *what)
{
    static const pg_params none = {0};
    char name[16];
    PGresult *res;
    ExecStatusType status;
    int ret;

    if (p == NULL)
        p = &none;
    if (p->n != k_stmt[id].nparams)
        return rcp_store_fail(&s->base, RCP_ERR_STORE, "%s: internal error (parameters)", what);
    stmt_name(id, name);
    res = PQexecPrepared(s->conn, name, p->n, p->val, p->len, p->fmt, 1);
    status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        ret = pg_fail(s, res, what);
        PQclear(res);
        return ret;
    }
    if (out != NULL)
        *out = res;
    else
        PQclear(res);
    return RCP_OK;
}

/* Rows an INSERT, UPDATE or DELETE changed. */
static long affected(const PGresult *res)
{
    const char *t = PQcmdTuples((PGresult *)res);
    return t[0] == '\0' ? -1 : strtol(t, NULL, 10);
}

/* A statement whose only answer is how many rows it changed. */
static int pg_change(pg_store *s, enum pg_stmt_id id, const pg_params *p, long *changed,
                     const char *what)
{
    PGresult *res = NULL;
    int ret = pg_exec(s, id, p, &res, what);
    if (ret)
        return ret;
    *changed = affected(res);
    PQclear(res);
    return RCP_OK;
}

/* Zero every value a result holds before it is freed (K, OPc). */
static void res_wipe(PGresult *res)
{
    if (res == NULL)
        return;
    for (int r = 0; r < PQntuples(res); r++)
        for (int c = 0; c < PQnfields(res); c++)
            rcp_wipe(PQgetvalue(res, r, c), (size_t)PQgetlength(res, r, c));
}

/* ------------------------------------------------------------ columns
 * 0, or -1 when the stored value is not what the schema says (the caller
 * reports pg_corrupt). */

static int col_fixed(const PGresult *res, int r, int c, uint8_t *out, size_t len)
{
    if (PQgetisnull(res, r, c) || PQftype(res, c) != PG_OID_BYTEA ||
        (size_t)PQgetlength(res, r, c) != len)
        return -1;
    memcpy(out, PQgetvalue(res, r, c), len);
    return 0;
}

static int col_u64(const PGresult *res, int r, int c, uint64_t *out)
{
    const uint8_t *p;
    uint64_t v = 0;

    if (PQgetisnull(res, r, c) || PQftype(res, c) != PG_OID_INT8 || PQgetlength(res, r, c) != 8)
        return -1;
    p = (const uint8_t *)PQgetvalue(res, r, c);
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = v;
    return 0;
}

/* Text of 1..max bytes into out[max + 1]. */
static int col_text(const PGresult *res, int r, int c, char *out, size_t max)
{
    size_t n;

    if (PQgetisnull(res, r, c) || PQftype(res, c) != PG_OID_TEXT)
        return -1;
    n = (size_t)PQgetlength(res, r, c);
    if (n == 0 || n > max)
        return -1;
    memcpy(out, PQgetvalue(res, r, c), n);
    out[n] = '\0';
    return strlen(out) == n ? 0 : -1;
}

static int col_imsi(const PGresult *res, int r, int c, char out[RCP_IMSI_MAX + 1])
{
    if (col_text(res, r, c, out, RCP_IMSI_DIGITS) || !rcp_store_imsi_valid(out))
        return -1;
    return 0;
}

/* ------------------------------------------------------------ connection */

/* Session settings, then the statements (the tables must exist). */
static int session_setup(pg_store *s)
{
    PQsetNoticeProcessor(s->conn, quiet_notices, NULL);
    s->prepared = 0;
    /* READ COMMITTED whatever the server's default: the locking scheme
     * above relies on a fresh snapshot per statement; synchronous_commit
     * on: a commit is on disk (a lost allocation would give a retrying
     * device a new K); lock_timeout: a writer waits for another's lock,
     * not forever */
    return pg_cmd(s,
                  "SET client_min_messages = warning;"
                  "SET default_transaction_isolation = 'read committed';"
                  "SET synchronous_commit = on;"
                  "SET lock_timeout = " PG_LOCK_TIMEOUT ";"
                  "SET client_encoding = 'UTF8';",
                  "configuring the PostgreSQL session");
}

/* Before each call: a connection lost since the last one (server restart,
 * network) is re-established, with its session and statements. */
static int pg_ready(pg_store *s)
{
    char text[RCP_STORE_ERRMSG_MAX];
    int ret;

    if (PQstatus(s->conn) == CONNECTION_OK && s->prepared)
        return RCP_OK;
    if (PQstatus(s->conn) != CONNECTION_OK) {
        PQreset(s->conn);
        if (PQstatus(s->conn) != CONNECTION_OK) {
            one_line(text, sizeof text, PQerrorMessage(s->conn));
            return rcp_store_fail(&s->base, RCP_ERR_STORE,
                                  "lost the connection to the PostgreSQL store: %s", text);
        }
        ret = session_setup(s);
        if (ret)
            return ret;
    }
    ret = prepare_all(s);
    if (ret == 0)
        s->base.errmsg[0] = '\0';
    return ret;
}

/* ------------------------------------------------------------ transactions */

static int pg_commit(pg_store *s)
{
    PGresult *res = PQexec(s->conn, "COMMIT");
    int ret = RCP_OK;

    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        ret = PQstatus(s->conn) == CONNECTION_OK
                  ? pg_fail(s, res, "committing")
                  : rcp_store_fail(&s->base, RCP_ERR_STORE,
                                   "the connection to PostgreSQL was lost while committing: "
                                   "the call may or may not have taken effect");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) /* an aborted transaction "commits" */
        ret = rcp_store_fail(&s->base, RCP_ERR_STORE, "committing: the transaction was aborted");
    PQclear(res);
    return ret;
}

/* Roll back whatever is open; keeps the message of the error that caused it. */
static void pg_rollback(pg_store *s)
{
    PGTransactionStatusType t = PQtransactionStatus(s->conn);

    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR)
        PQclear(PQexec(s->conn, "ROLLBACK"));
}

static void backoff(pg_store *s, unsigned attempt)
{
    long ms = 1L << (attempt < 6 ? attempt : 6); /* 2, 4, ... 64 ms */
    struct timespec ts;

    s->jitter ^= s->jitter << 13;
    s->jitter ^= s->jitter >> 17;
    s->jitter ^= s->jitter << 5;
    ms += (long)(s->jitter % (uint32_t)ms); /* two losers of a deadlock do not meet again */
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

typedef int (*pg_body_fn)(pg_store *s, void *ctx);

/* Run body in one transaction, again (from scratch) after a deadlock, a
 * serialization failure, or a connection lost before the COMMIT was sent
 * (the server rolled it back: nothing happened).  body writes only into
 * ctx; the caller copies its outputs out after a 0 return. */
static int pg_tx(pg_store *s, const char *begin, pg_body_fn body, void *ctx)
{
    int ret = pg_ready(s);

    for (unsigned attempt = 1; ret == 0; attempt++) {
        int committing = 0;
        s->retry = 0;
        ret = pg_cmd(s, begin, "starting a transaction");
        if (ret == 0)
            ret = body(s, ctx);
        if (ret == 0) {
            committing = 1;
            ret = pg_commit(s);
        }
        pg_rollback(s);
        if (ret != 0 && !committing && PQstatus(s->conn) != CONNECTION_OK)
            s->retry = 1; /* pg_ready reconnects below */
        if (ret == 0 || !s->retry)
            break;
        if (attempt == PG_TX_ATTEMPTS) {
            size_t n = strlen(s->base.errmsg);
            rcp_store_msg(s->base.errmsg + n, sizeof s->base.errmsg - n,
                          " (gave up after %d attempts)", PG_TX_ATTEMPTS);
            break;
        }
        backoff(s, attempt);
        ret = pg_ready(s);
    }
    if (ret == 0)
        s->base.errmsg[0] = '\0'; /* a retried attempt's failure is no failure */
    return ret;
}

/* A read outside a transaction (one statement sees one snapshot): run
 * again once on a fresh connection when the connection was lost. */
static int pg_read(pg_store *s, pg_body_fn body, void *ctx)
{
    int ret = pg_ready(s);

    if (ret == 0)
        ret = body(s, ctx);
    if (ret != 0 && PQstatus(s->conn) != CONNECTION_OK) {
        ret = pg_ready(s);
        if (ret == 0)
            ret = body(s, ctx);
    }
    return ret;
}

/* ------------------------------------------------------------ row reads */

static int read_uuid(pg_store *s, enum pg_stmt_id id, const uint8_t uuid[RCP_UUID_LEN],
                     rcp_uuid_record *out, int *found)
{
    static const char what[] = "reading the UUID registry";
    pg_params p = {0};
    PGresult *res = NULL;
    uint64_t max, count, state;
    int ret;

    p_blob(&p, uuid, RCP_UUID_LEN);
    ret = pg_exec(s, id, &p, &res, what);
    if (ret)
        return ret;
    *found = PQntuples(res) == 1;
    if (*found) {
        memset(out, 0, sizeof *out);
        memcpy(out->uuid, uuid, RCP_UUID_LEN);
        if (col_fixed(res, 0, 0, out->tre_kid, RCP_KID_LEN) ||
            col_text(res, 0, 1, out->sp, RCP_STORE_SP_MAX) || col_u64(res, 0, 2, &max) ||
            col_u64(res, 0, 3, &count) || col_u64(res, 0, 4, &state) ||
            col_u64(res, 0, 5, &out->registered_at) || max > UINT32_MAX || count > max ||
            state < RCP_UUID_REGISTERED || state > RCP_UUID_USED)
            ret = pg_corrupt(s, what);
        else {
            out->max_authorizations = (uint32_t)max;
            out->authorizations = (uint32_t)count;
            out->state = (rcp_uuid_state)state;
        }
    }
    PQclear(res);
    return ret;
}

static int read_authz(pg_store *s, const uint8_t authz_id[RCP_AUTHZ_ID_LEN], rcp_authorization *out,
                      int *found)
{
    static const char what[] = "reading an authorization";
    pg_params p = {0};
    PGresult *res = NULL;
    int ret;

    p_blob(&p, authz_id, RCP_AUTHZ_ID_LEN);
    ret = pg_exec(s, Q_AUTHZ_GET, &p, &res, what);
    if (ret)
        return ret;
    *found = PQntuples(res) == 1;
    if (*found) {
        memset(out, 0, sizeof *out);
        memcpy(out->authz_id, authz_id, RCP_AUTHZ_ID_LEN);
        if (col_fixed(res, 0, 0, out->uuid, RCP_UUID_LEN) ||
            col_fixed(res, 0, 1, out->sn_kid, RCP_KID_LEN) || col_u64(res, 0, 2, &out->issued_at) ||
            col_u64(res, 0, 3, &out->expires))
            ret = pg_corrupt(s, what);
        else if (!PQgetisnull(res, 0, 4)) {
            out->acked = 1;
            if (col_u64(res, 0, 4, &out->acked_at))
                ret = pg_corrupt(s, what);
        }
    }
    PQclear(res);
    return ret;
}

static int read_alloc_row(pg_store *s, const PGresult *res, int r, rcp_allocation *out)
{
    uint64_t state;

    memset(out, 0, sizeof *out);
    if (col_imsi(res, r, 0, out->imsi) || col_fixed(res, r, 1, out->uuid, RCP_UUID_LEN) ||
        col_fixed(res, r, 2, out->authz_id, RCP_AUTHZ_ID_LEN) ||
        col_fixed(res, r, 3, out->tre_kid, RCP_KID_LEN) ||
        col_text(res, r, 4, out->auths, RCP_STORE_NAME_MAX) || col_u64(res, r, 5, &state) ||
        state < RCP_ALLOC_PROVISIONED || state > RCP_ALLOC_ACKED)
        return pg_corrupt(s, "reading an allocation");
    out->state = (rcp_alloc_state)state;
    return RCP_OK;
}

/* key is a UUID (16 bytes) for the by-UUID statements, else an IMSI. */
static int read_alloc(pg_store *s, enum pg_stmt_id id, const void *key, rcp_allocation *out,
                      int *found)
{
    pg_params p = {0};
    PGresult *res = NULL;
    int ret;

    if (id == Q_ALLOC_BY_UUID || id == Q_ALLOC_LOCK_UUID)
        p_blob(&p, key, RCP_UUID_LEN);
    else
        p_text(&p, key);
    ret = pg_exec(s, id, &p, &res, "reading an allocation");
    if (ret)
        return ret;
    *found = PQntuples(res) == 1;
    if (*found)
        ret = read_alloc_row(s, res, 0, out);
    PQclear(res);
    return ret;
}

/* The subscriber's row into out (which the caller wipes). */
static int read_hss(pg_store *s, enum pg_stmt_id id, const char *imsi, rcp_hss_subscriber *out,
                    int *found)
{
    static const char what[] = "reading an HSS subscriber";
    pg_params p = {0};
    PGresult *res = NULL;
    int ret;

    p_text(&p, imsi);
    ret = pg_exec(s, id, &p, &res, what);
    if (ret)
        return ret;
    *found = PQntuples(res) == 1;
    if (*found) {
        memset(out, 0, sizeof *out);
        memcpy(out->imsi, imsi, RCP_IMSI_DIGITS + 1);
        if (col_fixed(res, 0, 0, out->k, sizeof out->k) ||
            col_fixed(res, 0, 1, out->opc, sizeof out->opc))
            ret = pg_corrupt(s, what);
        for (int i = 0; i < 5 && ret == 0; i++) {
            uint64_t r;
            if (col_u64(res, 0, 2 + i, &r) || r > RCP_MIL_ROT_MAX ||
                col_fixed(res, 0, 7 + i, out->consts.c[i], sizeof out->consts.c[i]))
                ret = pg_corrupt(s, what);
            else
                out->consts.r[i] = (uint8_t)r;
        }
        if (ret == 0 && (col_u64(res, 0, 12, &out->sqn) || out->sqn > RCP_SQN_HE_MAX))
            ret = pg_corrupt(s, what);
    }
    res_wipe(res);
    PQclear(res);
    return ret;
}

/* One bigint from a one-row statement (counts, the next ledger number). */
static int read_count(pg_store *s, enum pg_stmt_id id, const pg_params *p, uint64_t *count)
{
    static const char what[] = "counting";
    PGresult *res = NULL;
    int ret = pg_exec(s, id, p, &res, what);

    if (ret)
        return ret;
    if (PQntuples(res) != 1 || col_u64(res, 0, 0, count))
        ret = pg_corrupt(s, what); /* an aggregate always returns one row */
    PQclear(res);
    return ret;
}

/* Append to the ledger with the next sequence number.  The table lock
 * (taken last in every transaction that appends, so no lock waits on it in
 * a cycle) makes one writer at a time read "max + 1" and holds until the
 * commit: numbers are gapless and in commit order. */
static int ledger_append(pg_store *s, rcp_ledger_kind kind, const uint8_t uuid[RCP_UUID_LEN],
                         const uint8_t *authz_id, const uint8_t *sn_kid, uint64_t at,
                         const uint8_t *record, size_t record_len)
{
    pg_params p = {0};
    uint64_t seq = 0;
    int ret = pg_cmd(s, "LOCK TABLE as_ledger IN SHARE ROW EXCLUSIVE MODE", "locking the ledger");

    if (ret == 0)
        ret = read_count(s, Q_LEDGER_NEXT, NULL, &seq);
    if (ret)
        return ret;
    p_int(&p, (int64_t)seq);
    p_int(&p, kind);
    p_blob(&p, uuid, RCP_UUID_LEN);
    if (authz_id == NULL) {
        p_null(&p);
        p_null(&p);
    } else {
        p_blob(&p, authz_id, RCP_AUTHZ_ID_LEN);
        p_blob(&p, sn_kid, RCP_KID_LEN);
    }
    p_int(&p, (int64_t)at);
    p_blob(&p, record, record_len);
    return pg_exec(s, Q_LEDGER_INSERT, &p, NULL, "appending to the ledger");
}

/* ------------------------------------------------------------ open/close */

static void pg_close(rcp_store *st)
{
    pg_store *s = pg(st);

    PQfinish(s->conn);
    free(s);
}

/* One bigint (or NULL) from a constant query (open-time checks). */
static int scalar(pg_store *s, const char *sql, int64_t *v, int *is_null)
{
    PGresult *res = PQexecParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 1);
    uint64_t u = 0;
    int ret = RCP_OK;

    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
        ret = pg_fail(s, res, "reading the schema");
    } else if (PQntuples(res) != 1) {
        ret = pg_corrupt(s, "reading the schema");
    } else {
        *is_null = PQgetisnull(res, 0, 0);
        if (!*is_null && col_u64(res, 0, 0, &u))
            ret = pg_corrupt(s, "reading the schema");
        *v = (int64_t)u;
    }
    PQclear(res);
    return ret;
}

/* The schema version: 0 for a new (empty) schema; RCP_ERR_STORE for one
 * holding other relations but no schema_version (not ours).  "The schema"
 * is the one new tables go to: the first of search_path that exists. */
static int schema_version_read(pg_store *s, int64_t *version)
{
    int64_t n = 0, v = 0;
    int is_null;
    int ret = scalar(s,
                     "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                     "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                     "AND c.relname = 'schema_version' AND c.relkind IN ('r', 'p')",
                     &n, &is_null);

    if (ret)
        return ret;
    if (n == 0) {
        ret = scalar(s,
                     "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                     "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                     "AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')",
                     &n, &is_null);
        if (ret)
            return ret;
        if (n > 0)
            return rcp_store_fail(&s->base, RCP_ERR_STORE,
                                  "the database schema holds other tables but no schema_version: "
                                  "not an rcprov store, left untouched");
        *version = 0;
        return RCP_OK;
    }
    ret = scalar(s, "SELECT max(version)::bigint FROM schema_version", &v, &is_null);
    if (ret)
        return ret;
    *version = is_null ? 0 : v;
    return RCP_OK;
}

static int schema_version_insert(pg_store *s, int64_t version)
{
    static const unsigned int types[1] = {PG_OID_INT8};
    pg_params p = {0};
    PGresult *res;
    int ret = RCP_OK;

    p_int(&p, version);
    res = PQexecParams(s->conn, "INSERT INTO schema_version (version) VALUES ($1)", 1, types, p.val,
                       p.len, p.fmt, 1);
    if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
        ret = pg_fail(s, res, "recording the schema version");
    PQclear(res);
    return ret;
}

/* Bring the schema to RCP_STORE_SCHEMA_VERSION in one transaction, under
 * an advisory lock so that two processes opening one empty database at
 * once do not both create it: the second waits, then reads the version
 * the first committed.  PostgreSQL's DDL is transactional: a failed
 * migration leaves the database as it was. */
static int schema_migrate(pg_store *s)
{
    char text[RCP_STORE_ERRMSG_MAX];
    pg_params p = {0};
    int64_t version;
    PGresult *res;
    int ret = pg_cmd(s, PG_BEGIN_WRITE, "starting the migration");

    if (ret)
        goto cleanup;
    /* the statements are prepared after the migration: this one is not */
    p_int(&p, PG_LOCK_MIGRATE);
    res = PQexecParams(s->conn, k_stmt[Q_ADVISORY_LOCK].sql, 1, k_stmt[Q_ADVISORY_LOCK].types,
                       p.val, p.len, p.fmt, 1);
    if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
        ret = pg_fail(s, res, "taking the migration lock");
    PQclear(res);
    if (ret == 0)
        ret = schema_version_read(s, &version); /* again: another process may have migrated */
    if (ret)
        goto cleanup;
    if (version > RCP_STORE_SCHEMA_VERSION) {
        ret = rcp_store_schema_newer(&s->base, version);
        goto cleanup;
    }
    if (version < RCP_STORE_SCHEMA_VERSION)
        ret = pg_cmd(s, rcp_pg_schema_version_ddl, "creating schema_version");
    for (; ret == 0 && version < RCP_STORE_SCHEMA_VERSION; version++) {
        res = PQexec(s->conn, rcp_pg_migrations[version]);
        if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
            const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
            one_line(text, sizeof text, primary ? primary : PQerrorMessage(s->conn));
            ret = rcp_store_fail(&s->base, RCP_ERR_STORE,
                                 "migrating the store schema from version %lld to %lld: %s "
                                 "(nothing was changed)",
                                 (long long)version, (long long)version + 1, text);
        }
        PQclear(res);
        if (ret == 0)
            ret = schema_version_insert(s, version + 1);
    }
    if (ret == 0)
        ret = pg_commit(s);
cleanup:
    pg_rollback(s);
    return ret;
}

static int pg_open(const char *url, rcp_store **out, char *msg, size_t msg_cap)
{
    /* defaults first: what the URL sets overrides them (expand_dbname) */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {PG_CONNECT_TIMEOUT, "rcprov", url, NULL};
    char text[RCP_STORE_ERRMSG_MAX];
    PQconninfoOption *opts;
    char *perr = NULL;
    pg_store *s = NULL;
    int64_t version = 0;
    int ret = RCP_ERR_INVALID_ARG;

    /* libpq's parse errors may quote the URL, password included: not shown */
    opts = PQconninfoParse(url, &perr);
    if (opts == NULL) {
        ret = perr == NULL ? RCP_ERR_NO_MEMORY : RCP_ERR_INVALID_ARG;
        rcp_store_msg(msg, msg_cap,
                      "PostgreSQL store URL not understood by libpq: expected "
                      "postgresql://USER@HOST:PORT/DATABASE[?PARAM=VALUE...]");
        PQfreemem(perr);
        goto cleanup;
    }
    PQconninfoFree(opts);

    ret = RCP_ERR_NO_MEMORY;
    s = calloc(1, sizeof *s);
    if (s == NULL) {
        rcp_store_msg(msg, msg_cap, "out of memory opening the store");
        goto cleanup;
    }
    s->base.be = &rcp_store_backend_postgres;
    s->jitter = (uint32_t)time(NULL) ^ (uint32_t)getpid() ^ (uint32_t)(uintptr_t)s;
    if (s->jitter == 0)
        s->jitter = 1;
    s->conn = PQconnectdbParams(keys, vals, 1);
    if (s->conn == NULL) {
        rcp_store_msg(msg, msg_cap, "out of memory connecting to PostgreSQL");
        goto cleanup;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        ret = RCP_ERR_STORE;
        one_line(text, sizeof text, PQerrorMessage(s->conn));
        rcp_store_msg(msg, msg_cap, "cannot connect to the PostgreSQL store: %s", text);
        goto cleanup;
    }
    if (PQserverVersion(s->conn) < PG_SERVER_VERSION_MIN) {
        ret = RCP_ERR_UNSUPPORTED;
        rcp_store_msg(msg, msg_cap, "PostgreSQL server version %d is older than 11",
                      PQserverVersion(s->conn));
        goto cleanup;
    }
    ret = session_setup(s);
    /* refuse a newer or foreign schema before touching it; schema_migrate
     * checks again under its lock */
    if (ret == 0)
        ret = schema_version_read(s, &version);
    if (ret == 0 && version > RCP_STORE_SCHEMA_VERSION)
        ret = rcp_store_schema_newer(&s->base, version);
    if (ret == 0 && version < RCP_STORE_SCHEMA_VERSION)
        ret = schema_migrate(s);
    if (ret == 0)
        ret = prepare_all(s);
    if (ret) {
        rcp_store_msg(msg, msg_cap, "%s", s->base.errmsg);
        goto cleanup;
    }
    s->base.errmsg[0] = '\0';
    *out = &s->base;
    s = NULL;
cleanup:
    if (s != NULL)
        pg_close(&s->base);
    return ret;
}

/* ------------------------------------------------------------ digest */

static int digest_row(pg_store *s, rcp_store_digest_ctx *d, const char *table, PGresult *res)
{
    rcp_store_digest_row_begin(d, table);
    for (int c = 0; c < PQnfields(res); c++) {
        const uint8_t *v = (const uint8_t *)PQgetvalue(res, 0, c);
        size_t n = (size_t)PQgetlength(res, 0, c);

        if (PQgetisnull(res, 0, c)) {
            rcp_store_digest_null(d);
            continue;
        }
        switch (PQftype(res, c)) {
        case PG_OID_INT8: {
            uint64_t u = 0;
            if (n != 8)
                return pg_corrupt(s, "computing the digest");
            for (size_t i = 0; i < 8; i++)
                u = u << 8 | v[i];
            rcp_store_digest_int(d, (int64_t)u);
            break;
        }
        case PG_OID_TEXT:
            rcp_store_digest_text(d, v, n);
            break;
        case PG_OID_BYTEA:
            rcp_store_digest_blob(d, v, n);
            break;
        default: /* no column of the schema has another type */
            return pg_corrupt(s, "computing the digest");
        }
    }
    rcp_store_digest_row_end(d);
    return RCP_OK;
}

/* One table, a row at a time (single-row mode: a store of any size needs
 * one row of memory, as with SQLite). */
static int digest_table(pg_store *s, rcp_store_digest_ctx *d, int t)
{
    static const char what[] = "computing the digest";
    char name[16];
    PGresult *res;
    int ret = RCP_OK;
    int done = 0;

    stmt_name((enum pg_stmt_id)(Q_DIGEST_FIRST + t), name);
    if (!PQsendQueryPrepared(s->conn, name, 0, NULL, NULL, NULL, 1))
        return pg_fail(s, NULL, what);
    PQsetSingleRowMode(s->conn); /* fails only when no query is pending */
    /* drain every result, even after an error, so the connection is idle */
    while ((res = PQgetResult(s->conn)) != NULL) {
        ExecStatusType st = PQresultStatus(res);
        if (ret == 0 && st == PGRES_SINGLE_TUPLE)
            ret = digest_row(s, d, k_digest_tables[t], res);
        else if (ret == 0 && st == PGRES_TUPLES_OK)
            done = 1;
        else if (ret == 0 && st != PGRES_SINGLE_TUPLE)
            ret = pg_fail(s, res, what);
        res_wipe(res);
        PQclear(res);
    }
    if (ret == 0 && !done)
        ret =
            rcp_store_fail(&s->base, RCP_ERR_STORE, "%s: the query ended without its result", what);
    if (ret == 0)
        rcp_store_digest_table_end(d, k_digest_tables[t]);
    return ret;
}

static int digest_body(pg_store *s, void *ctx)
{
    rcp_store_digest_ctx *d = ctx;
    int ret = RCP_OK;

    rcp_store_digest_init(d); /* from scratch on every attempt */
    for (int t = 0; ret == 0 && t < Q_COUNT - Q_DIGEST_FIRST; t++)
        ret = digest_table(s, d, t);
    return ret;
}

static int pg_digest(rcp_store *st, uint8_t out[32])
{
    pg_store *s = pg(st);
    rcp_store_digest_ctx d; /* holds K and OPc while hashing */
    int ret;

    memset(&d, 0, sizeof d);
    /* one snapshot for every table */
    ret = pg_tx(s, PG_BEGIN_SNAPSHOT, digest_body, &d);
    if (ret == 0 && rcp_store_digest_final(&d, out) != 0)
        ret = rcp_store_fail(st, RCP_ERR_STORE, "computing the digest: a row is too large");
    rcp_wipe(&d, sizeof d);
    return ret;
}

/* ================================================= Authorization Server */

typedef struct {
    const rcp_uuid_record *r;
    uint64_t now;
    int created;
} register_ctx;

/* A repeat must be the same registration. */
static int register_compare(pg_store *s, const rcp_uuid_record *old, const rcp_uuid_record *r)
{
    rcp_store_hexbuf hex;

    if (!rcp_ct_equal(old->tre_kid, r->tre_kid, RCP_KID_LEN))
        return rcp_store_fail(&s->base, RCP_ERR_EXISTS,
                              "UUID %s is already registered for another TRE",
                              rcp_store_hex(&hex, r->uuid, RCP_UUID_LEN));
    if (strcmp(old->sp, r->sp) != 0 || old->max_authorizations != r->max_authorizations)
        return rcp_store_fail(&s->base, RCP_ERR_EXISTS,
                              "UUID %s is already registered for this TRE with another SP "
                              "or authorization limit",
                              rcp_store_hex(&hex, r->uuid, RCP_UUID_LEN));
    return RCP_OK;
}

static int register_body(pg_store *s, void *ctx)
{
    register_ctx *c = ctx;
    const rcp_uuid_record *r = c->r;
    rcp_uuid_record old;
    pg_params p = {0};
    long changed = 0;
    int found;
    int ret = read_uuid(s, Q_UUID_LOCK, r->uuid, &old, &found);

    c->created = 0;
    if (ret)
        return ret;
    if (found)
        return register_compare(s, &old, r);
    p_blob(&p, r->uuid, RCP_UUID_LEN);
    p_blob(&p, r->tre_kid, RCP_KID_LEN);
    p_text(&p, r->sp);
    p_int(&p, r->max_authorizations);
    p_int(&p, (int64_t)c->now);
    ret = pg_change(s, Q_UUID_INSERT, &p, &changed, "registering the UUID");
    if (ret)
        return ret;
    if (changed == 0) {
        /* registered by a concurrent call that committed while this one
         * waited on the key: a statement now sees it */
        ret = read_uuid(s, Q_UUID_LOCK, r->uuid, &old, &found);
        if (ret == 0 && !found)
            ret = pg_corrupt(s, "registering the UUID");
        return ret ? ret : register_compare(s, &old, r);
    }
    ret = ledger_append(s, RCP_LEDGER_REGISTER, r->uuid, NULL, NULL, c->now, NULL, 0);
    if (ret == 0)
        c->created = 1;
    return ret;
}

static int pg_uuid_register(rcp_store *st, const rcp_uuid_record *r, uint64_t now, int *created)
{
    register_ctx c = {.r = r, .now = now};
    int ret = pg_tx(pg(st), PG_BEGIN_WRITE, register_body, &c);

    if (ret == 0 && created != NULL)
        *created = c.created;
    return ret;
}

/* The arguments and result of one read (pg_read runs it again after a
 * reconnect, so it keeps its inputs). */
typedef struct {
    const uint8_t *key; /* UUID, authz_id */
    const char *imsi;
    enum pg_stmt_id id;
    int64_t n; /* kind, seq, max */
    void *out;
    uint64_t count;
    size_t rows;
} read_ctx;

static int uuid_get_body(pg_store *s, void *ctx)
{
    read_ctx *c = ctx;
    rcp_store_hexbuf hex;
    int found = 0;
    int ret = read_uuid(s, Q_UUID_GET, c->key, c->out, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND,
                             "UUID %s is not registered at this Authorization Server",
                             rcp_store_hex(&hex, c->key, RCP_UUID_LEN));
    return ret;
}

static int pg_uuid_get(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_uuid_record *out)
{
    rcp_uuid_record rec;
    read_ctx c = {.key = uuid, .out = &rec};
    int ret = pg_read(pg(st), uuid_get_body, &c);

    if (ret == 0)
        *out = rec;
    return ret;
}

typedef struct {
    const uint8_t *uuid, *authz_id, *sn_kid;
    uint64_t now, expires;
    const uint8_t *record;
    size_t record_len;
    int first; /* acknowledge */
} as_ctx;

static int authorize_body(pg_store *s, void *ctx)
{
    const as_ctx *c = ctx;
    rcp_uuid_record u;
    rcp_store_hexbuf hex;
    pg_params p = {0};
    long changed = 0;
    int found;
    /* the UUID's row lock serializes every authorization and ack of it */
    int ret = read_uuid(s, Q_UUID_LOCK, c->uuid, &u, &found);

    if (ret)
        return ret;
    if (!found)
        return rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND,
                              "UUID %s is not registered at this Authorization Server",
                              rcp_store_hex(&hex, c->uuid, RCP_UUID_LEN));
    if (u.state == RCP_UUID_USED)
        return rcp_store_fail(&s->base, RCP_ERR_REPLAY,
                              "UUID %s is used up: its device was already provisioned",
                              rcp_store_hex(&hex, c->uuid, RCP_UUID_LEN));
    if (u.authorizations >= u.max_authorizations)
        return rcp_store_fail(&s->base, RCP_ERR_LIMIT,
                              "UUID %s has had all %u authorizations its policy allows",
                              rcp_store_hex(&hex, c->uuid, RCP_UUID_LEN), u.max_authorizations);
    /* count first: the authorization's insert trigger checks it */
    p_blob(&p, c->uuid, RCP_UUID_LEN);
    ret = pg_exec(s, Q_UUID_AUTHORIZED, &p, NULL, "counting the authorization");
    if (ret)
        return ret;
    /* an authz_id is new or EXISTS, also against a concurrent grant of the
     * same id to another UUID (the insert waits for it) */
    memset(&p, 0, sizeof p);
    p_blob(&p, c->authz_id, RCP_AUTHZ_ID_LEN);
    p_blob(&p, c->uuid, RCP_UUID_LEN);
    p_blob(&p, c->sn_kid, RCP_KID_LEN);
    p_int(&p, (int64_t)c->now);
    p_int(&p, (int64_t)c->expires);
    ret = pg_change(s, Q_AUTHZ_INSERT, &p, &changed, "recording the authorization");
    if (ret)
        return ret;
    if (changed != 1)
        return rcp_store_fail(&s->base, RCP_ERR_EXISTS, "authorization %s already exists",
                              rcp_store_hex(&hex, c->authz_id, RCP_AUTHZ_ID_LEN));
    return ledger_append(s, RCP_LEDGER_AUTHORIZE, c->uuid, c->authz_id, c->sn_kid, c->now,
                         c->record, c->record_len);
}

static int pg_authorize(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                        const uint8_t authz_id[RCP_AUTHZ_ID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                        uint64_t now, uint64_t expires, const uint8_t *record, size_t record_len)
{
    as_ctx c = {.uuid = uuid,
                .authz_id = authz_id,
                .sn_kid = sn_kid,
                .now = now,
                .expires = expires,
                .record = record,
                .record_len = record_len};
    return pg_tx(pg(st), PG_BEGIN_WRITE, authorize_body, &c);
}

static int acknowledge_body(pg_store *s, void *ctx)
{
    as_ctx *c = ctx;
    rcp_authorization a;
    rcp_uuid_record u;
    rcp_store_hexbuf hex;
    pg_params p = {0};
    long changed = 0;
    int found, ufound;
    /* lock the UUID first: every writer of its authorizations' acked_at
     * holds it, so what is read below is current */
    int ret = read_uuid(s, Q_UUID_LOCK, c->uuid, &u, &ufound);

    c->first = 0;
    if (ret == 0)
        ret = read_authz(s, c->authz_id, &a, &found);
    if (ret)
        return ret;
    if (!found)
        return rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND,
                              "authorization %s was never granted by this Authorization Server",
                              rcp_store_hex(&hex, c->authz_id, RCP_AUTHZ_ID_LEN));
    if (!rcp_ct_equal(a.sn_kid, c->sn_kid, RCP_KID_LEN) ||
        !rcp_ct_equal(a.uuid, c->uuid, RCP_UUID_LEN))
        return rcp_store_fail(&s->base, RCP_ERR_PROTOCOL,
                              "authorization %s was granted to another Serving Network or UUID",
                              rcp_store_hex(&hex, c->authz_id, RCP_AUTHZ_ID_LEN));
    if (a.acked) /* a retried ack: already recorded, nothing to do */
        return RCP_OK;
    if (!ufound) /* the foreign key makes this impossible */
        return pg_corrupt(s, "acknowledging: the authorization's UUID is missing");
    if (u.state == RCP_UUID_USED)
        return rcp_store_fail(&s->base, RCP_ERR_REPLAY,
                              "UUID %s was already acknowledged through another authorization",
                              rcp_store_hex(&hex, c->uuid, RCP_UUID_LEN));
    /* authorization first: the ledger's insert trigger checks acked_at */
    p_blob(&p, c->authz_id, RCP_AUTHZ_ID_LEN);
    p_int(&p, (int64_t)c->now);
    ret = pg_change(s, Q_AUTHZ_ACK, &p, &changed, "recording the acknowledgement");
    if (ret == 0 && changed != 1)
        ret = pg_corrupt(s, "recording the acknowledgement");
    if (ret)
        return ret;
    memset(&p, 0, sizeof p);
    p_blob(&p, c->uuid, RCP_UUID_LEN);
    ret = pg_exec(s, Q_UUID_USED, &p, NULL, "marking the UUID used");
    if (ret == 0)
        ret = ledger_append(s, RCP_LEDGER_ACK, c->uuid, c->authz_id, c->sn_kid, c->now, c->record,
                            c->record_len);
    if (ret == 0)
        c->first = 1;
    return ret;
}

static int pg_acknowledge(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                          const uint8_t uuid[RCP_UUID_LEN], const uint8_t sn_kid[RCP_KID_LEN],
                          uint64_t now, const uint8_t *record, size_t record_len, int *first)
{
    as_ctx c = {.uuid = uuid,
                .authz_id = authz_id,
                .sn_kid = sn_kid,
                .now = now,
                .record = record,
                .record_len = record_len};
    int ret = pg_tx(pg(st), PG_BEGIN_WRITE, acknowledge_body, &c);

    if (ret == 0 && first != NULL)
        *first = c.first;
    return ret;
}

static int authz_get_body(pg_store *s, void *ctx)
{
    read_ctx *c = ctx;
    rcp_store_hexbuf hex;
    int found = 0;
    int ret = read_authz(s, c->key, c->out, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND,
                             "authorization %s was never granted by this Authorization Server",
                             rcp_store_hex(&hex, c->key, RCP_AUTHZ_ID_LEN));
    return ret;
}

static int pg_authz_get(rcp_store *st, const uint8_t authz_id[RCP_AUTHZ_ID_LEN],
                        rcp_authorization *out)
{
    rcp_authorization a;
    read_ctx c = {.key = authz_id, .out = &a};
    int ret = pg_read(pg(st), authz_get_body, &c);

    if (ret == 0)
        *out = a;
    return ret;
}

static int count_body(pg_store *s, void *ctx)
{
    read_ctx *c = ctx;
    pg_params p = {0};

    if (c->id == Q_LEDGER_COUNT_KIND)
        p_int(&p, c->n);
    return read_count(s, c->id, &p, &c->count);
}

static int pg_ledger_count(rcp_store *st, rcp_ledger_kind kind, uint64_t *count)
{
    read_ctx c = {.id = kind == 0 ? Q_LEDGER_COUNT_ALL : Q_LEDGER_COUNT_KIND, .n = kind};
    int ret = pg_read(pg(st), count_body, &c);

    if (ret == 0)
        *count = c.count;
    return ret;
}

static int ledger_get_body(pg_store *s, void *ctx)
{
    static const char what[] = "reading the ledger";
    read_ctx *c = ctx;
    rcp_ledger_entry *out = c->out;
    uint64_t seq = (uint64_t)c->n;
    pg_params p = {0};
    PGresult *res = NULL;
    uint64_t kind = 0;
    size_t rec_len;
    int ret;

    p_int(&p, c->n);
    ret = pg_exec(s, Q_LEDGER_GET, &p, &res, what);
    if (ret)
        return ret;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "the ledger has no entry %llu",
                              (unsigned long long)seq);
    }
    memset(out, 0, sizeof *out);
    out->seq = seq;
    rec_len = (size_t)PQgetlength(res, 0, 5);
    if (col_u64(res, 0, 0, &kind) || kind < RCP_LEDGER_REGISTER || kind > RCP_LEDGER_ACK ||
        col_fixed(res, 0, 1, out->uuid, RCP_UUID_LEN) || col_u64(res, 0, 4, &out->at) ||
        PQgetisnull(res, 0, 5) || PQftype(res, 5) != PG_OID_BYTEA || rec_len > RCP_STORE_RECORD_MAX)
        ret = pg_corrupt(s, what);
    else if (kind != RCP_LEDGER_REGISTER &&
             (col_fixed(res, 0, 2, out->authz_id, RCP_AUTHZ_ID_LEN) ||
              col_fixed(res, 0, 3, out->sn_kid, RCP_KID_LEN)))
        ret = pg_corrupt(s, what);
    if (ret == 0) {
        out->kind = (rcp_ledger_kind)kind;
        out->record_len = rec_len;
        if (rec_len > 0)
            memcpy(out->record, PQgetvalue(res, 0, 5), rec_len);
    }
    PQclear(res);
    return ret;
}

static int pg_ledger_get(rcp_store *st, uint64_t seq, rcp_ledger_entry *out)
{
    read_ctx c = {.n = (int64_t)seq, .out = out}; /* the front keeps seq <= INT64_MAX */
    return pg_read(pg(st), ledger_get_body, &c);
}

/* ======================================================= Serving Network */

/* The next free IMSI of the range: one above the highest IMSI the HSS holds
 * in it (docs/store.md, Allocation).  Called under the IMSI lock. */
static int next_imsi(pg_store *s, const rcp_store_alloc_range *range, char imsi[RCP_IMSI_MAX + 1])
{
    static const char what[] = "finding the next free IMSI";
    char lo[RCP_IMSI_MAX + 1], hi[RCP_IMSI_MAX + 1], top[RCP_IMSI_MAX + 1];
    uint64_t next = range->imsi_first;
    pg_params p = {0};
    PGresult *res = NULL;
    int ret;

    rcp_store_imsi_format(range->imsi_first, lo);
    rcp_store_imsi_format(range->imsi_last, hi);
    p_text(&p, lo);
    p_text(&p, hi);
    ret = pg_exec(s, Q_HSS_MAX_IMSI, &p, &res, what);
    if (ret)
        return ret;
    if (PQntuples(res) != 1)
        ret = pg_corrupt(s, what); /* an aggregate always returns a row */
    else if (!PQgetisnull(res, 0, 0)) {
        if (col_imsi(res, 0, 0, top) || rcp_store_imsi_parse(top, &next) ||
            next < range->imsi_first || next > range->imsi_last)
            ret = pg_corrupt(s, what);
        next++;
    }
    PQclear(res);
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

/* Consume a one-time value inside the caller's transaction: RCP_ERR_REPLAY
 * if it was consumed before (or by a concurrent call that committed: the
 * insert waits for it).  uuid may be NULL. */
static int nonce_take(pg_store *s, const uint8_t nonce[RCP_NONCE_LEN], const uint8_t *uuid,
                      uint64_t now, const char *what)
{
    rcp_store_hexbuf hex;
    pg_params p = {0};
    long changed = 0;
    int ret;

    p_blob(&p, nonce, RCP_NONCE_LEN);
    if (uuid != NULL)
        p_blob(&p, uuid, RCP_UUID_LEN);
    else
        p_null(&p);
    p_int(&p, (int64_t)now);
    ret = pg_change(s, Q_NONCE_INSERT, &p, &changed, "consuming a one-time value");
    if (ret == 0 && changed != 1)
        ret = rcp_store_fail(&s->base, RCP_ERR_REPLAY, "%s %s was already consumed", what,
                             rcp_store_hex(&hex, nonce, RCP_NONCE_LEN));
    return ret;
}

static int hss_insert(pg_store *s, const rcp_hss_subscriber *sub)
{
    pg_params p = {0};

    p_text(&p, sub->imsi);
    p_blob(&p, sub->k, sizeof sub->k);
    p_blob(&p, sub->opc, sizeof sub->opc);
    for (int i = 0; i < 5; i++)
        p_int(&p, sub->consts.r[i]);
    for (int i = 0; i < 5; i++)
        p_blob(&p, sub->consts.c[i], sizeof sub->consts.c[i]);
    return pg_exec(s, Q_HSS_INSERT, &p, NULL, "storing the HSS subscriber");
}

typedef struct {
    const rcp_store_alloc_range *range;
    uint64_t now;
    rcp_provision_result res; /* holds K and OPc: wiped by the caller */
} provision_ctx;

static int provision_body(pg_store *s, void *ctx)
{
    provision_ctx *c = ctx;
    const rcp_provision_request *req = c->range->req;
    rcp_allocation alloc;
    rcp_store_hexbuf hex, hex2;
    pg_params p = {0};
    int found = 0;
    int ret;

    rcp_wipe(&c->res, sizeof c->res);
    /* consume the session nonce: a replayed session stops here */
    ret = nonce_take(s, req->nonce, req->uuid, c->now, "session nonce");
    if (ret == 0)
        ret = read_alloc(s, Q_ALLOC_LOCK_UUID, req->uuid, &alloc, &found);
    if (ret == 0 && !found) {
        /* a new allocation: one allocator at a time, then look again (a
         * concurrent call may have allocated this UUID meanwhile) */
        p_int(&p, PG_LOCK_IMSI);
        ret = pg_exec(s, Q_ADVISORY_LOCK, &p, NULL, "locking the IMSI allocator");
        if (ret == 0)
            ret = read_alloc(s, Q_ALLOC_LOCK_UUID, req->uuid, &alloc, &found);
    }
    if (ret)
        return ret;
    if (found) {
        /* a retry: the same IMSI and K, never to another TRE */
        if (!rcp_ct_equal(alloc.tre_kid, req->tre_kid, RCP_KID_LEN))
            return rcp_store_fail(&s->base, RCP_ERR_PROTOCOL,
                                  "UUID %s has an IMSI allocated for TRE %s, not for this TRE",
                                  rcp_store_hex(&hex, req->uuid, RCP_UUID_LEN),
                                  rcp_store_hex(&hex2, alloc.tre_kid, RCP_KID_LEN));
        memset(&p, 0, sizeof p);
        p_blob(&p, req->uuid, RCP_UUID_LEN);
        p_blob(&p, req->authz_id, RCP_AUTHZ_ID_LEN);
        p_text(&p, req->auths);
        ret = pg_exec(s, Q_ALLOC_SET_AUTHZ, &p, NULL, "updating the allocation's authorization");
        if (ret == 0)
            ret = read_hss(s, Q_HSS_GET, alloc.imsi, &c->res.sub, &found);
        if (ret == 0 && !found) /* the foreign key makes this impossible */
            ret = pg_corrupt(s, "provisioning: the allocation's subscriber is missing");
        c->res.reused = 1;
        return ret;
    }
    ret = next_imsi(s, c->range, c->res.sub.imsi);
    if (ret)
        return ret;
    memcpy(c->res.sub.k, req->k, sizeof c->res.sub.k);
    memcpy(c->res.sub.opc, req->opc, sizeof c->res.sub.opc);
    c->res.sub.consts = *req->consts;
    c->res.sub.sqn = 0;
    ret = hss_insert(s, &c->res.sub);
    if (ret)
        return ret;
    memset(&p, 0, sizeof p);
    p_text(&p, c->res.sub.imsi);
    p_blob(&p, req->uuid, RCP_UUID_LEN);
    p_blob(&p, req->authz_id, RCP_AUTHZ_ID_LEN);
    p_blob(&p, req->tre_kid, RCP_KID_LEN);
    p_text(&p, req->auths);
    p_int(&p, (int64_t)c->now);
    ret = pg_exec(s, Q_ALLOC_INSERT, &p, NULL, "storing the allocation");
    c->res.reused = 0;
    return ret;
}

static int pg_provision(rcp_store *st, const rcp_store_alloc_range *range, uint64_t now,
                        rcp_provision_result *out)
{
    provision_ctx c;
    int ret;

    memset(&c, 0, sizeof c);
    c.range = range;
    c.now = now;
    ret = pg_tx(pg(st), PG_BEGIN_WRITE, provision_body, &c);
    if (ret == 0)
        *out = c.res;
    rcp_wipe(&c, sizeof c);
    return ret;
}

typedef struct {
    const uint8_t *nonce;
    uint64_t now;
} nonce_ctx;

static int nonce_body(pg_store *s, void *ctx)
{
    const nonce_ctx *c = ctx;
    return nonce_take(s, c->nonce, NULL, c->now, "one-time value");
}

static int pg_nonce_consume(rcp_store *st, const uint8_t nonce[RCP_NONCE_LEN], uint64_t now)
{
    nonce_ctx c = {.nonce = nonce, .now = now};
    return pg_tx(pg(st), PG_BEGIN_WRITE, nonce_body, &c);
}

/* Move an allocation one state forward inside the caller's transaction. */
static int alloc_step(pg_store *s, const char *imsi, rcp_alloc_state state)
{
    pg_params p = {0};
    p_text(&p, imsi);
    p_int(&p, state);
    return pg_exec(s, Q_ALLOC_SET_STATE, &p, NULL, "moving the allocation's state");
}

typedef struct {
    const char *imsi;
    const uint8_t *key; /* RAND (aka_complete), UUID (alloc_acked) */
    const uint8_t *authz_id;
    uint64_t now;
    rcp_alloc_state state;
    rcp_allocation a;
} alloc_ctx;

static int aka_complete_body(pg_store *s, void *ctx)
{
    alloc_ctx *c = ctx;
    int found = 0;
    /* existence first (allocations are never deleted, so no lock is needed
     * for it), then the RAND, then the row lock: one lock order with
     * provisioning (nonce, then allocation) */
    int ret = read_alloc(s, Q_ALLOC_BY_IMSI, c->imsi, &c->a, &found);

    if (ret == 0 && !found)
        ret =
            rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "IMSI %s has no IMSI allocation", c->imsi);
    if (ret == 0)
        ret = nonce_take(s, c->key, NULL, c->now, "AKA RAND");
    if (ret == 0)
        ret = read_alloc(s, Q_ALLOC_LOCK_IMSI, c->imsi, &c->a, &found);
    if (ret == 0 && !found)
        ret = pg_corrupt(s, "completing AKA: the allocation disappeared");
    if (ret == 0 && c->a.state == RCP_ALLOC_PROVISIONED) {
        ret = alloc_step(s, c->imsi, RCP_ALLOC_AKA_OK);
        c->a.state = RCP_ALLOC_AKA_OK;
    }
    return ret;
}

static int pg_aka_complete(rcp_store *st, const char *imsi, const uint8_t rand[RCP_NONCE_LEN],
                           uint64_t now, rcp_allocation *out)
{
    alloc_ctx c = {.imsi = imsi, .key = rand, .now = now};
    int ret = pg_tx(pg(st), PG_BEGIN_WRITE, aka_complete_body, &c);

    if (ret == 0)
        *out = c.a;
    return ret;
}

static int alloc_acked_body(pg_store *s, void *ctx)
{
    alloc_ctx *c = ctx;
    rcp_store_hexbuf h;
    int found = 0;
    int ret = read_alloc(s, Q_ALLOC_LOCK_UUID, c->key, &c->a, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "UUID %s has no allocation",
                             rcp_store_hex(&h, c->key, RCP_UUID_LEN));
    if (ret == 0 && !rcp_ct_equal(c->a.authz_id, c->authz_id, RCP_AUTHZ_ID_LEN))
        ret = rcp_store_fail(&s->base, RCP_ERR_PROTOCOL,
                             "the acknowledged authorization is not the allocation's latest");
    if (ret == 0 && c->a.state == RCP_ALLOC_PROVISIONED)
        ret = rcp_store_fail(&s->base, RCP_ERR_STATE,
                             "allocation of IMSI %s is acknowledged before AKA", c->a.imsi);
    if (ret == 0 && c->a.state == RCP_ALLOC_AKA_OK)
        ret = alloc_step(s, c->a.imsi, RCP_ALLOC_ACKED);
    return ret;
}

static int pg_alloc_acked(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN],
                          const uint8_t authz_id[RCP_AUTHZ_ID_LEN])
{
    alloc_ctx c = {.key = uuid, .authz_id = authz_id};
    return pg_tx(pg(st), PG_BEGIN_WRITE, alloc_acked_body, &c);
}

typedef struct {
    const char *imsi;
    rcp_sqn_next_fn next;
    void *next_ctx;
    uint64_t old_sqn, new_sqn; /* hss_set_sqn */
    rcp_hss_subscriber sub;    /* holds secrets: wiped by the caller */
} hss_ctx;

static int hss_advance_body(pg_store *s, void *ctx)
{
    hss_ctx *c = ctx;
    pg_params p = {0};
    uint64_t sqn = 0;
    long changed = 0;
    int found = 0;
    /* the row lock: no other instance issues a vector of this subscriber
     * until the commit */
    int ret = read_hss(s, Q_HSS_LOCK, c->imsi, &c->sub, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "IMSI %s is not a subscriber of this HSS",
                             c->imsi);
    if (ret == 0)
        ret = c->next(c->next_ctx, c->sub.sqn, &sqn);
    if (ret == 0 && sqn > RCP_SQN_HE_MAX)
        ret = rcp_store_fail(&s->base, RCP_ERR_RANGE, "SQN_HE would leave 48 bits");
    if (ret)
        return ret;
    p_text(&p, c->imsi);
    p_int(&p, (int64_t)c->sub.sqn);
    p_int(&p, (int64_t)sqn);
    ret = pg_change(s, Q_HSS_CAS, &p, &changed, "advancing SQN_HE");
    if (ret == 0 && changed != 1)
        ret = rcp_store_fail(&s->base, RCP_ERR_STORE,
                             "SQN_HE of IMSI %s changed under the row lock", c->imsi);
    if (ret == 0)
        c->sub.sqn = sqn;
    return ret;
}

/* next may run more than once when a deadlock makes the transaction run
 * again; only the last run's value is stored. */
static int pg_hss_advance(rcp_store *st, const char *imsi, rcp_sqn_next_fn next, void *ctx,
                          rcp_hss_subscriber *out)
{
    hss_ctx c;
    int ret;

    memset(&c, 0, sizeof c);
    c.imsi = imsi;
    c.next = next;
    c.next_ctx = ctx;
    ret = pg_tx(pg(st), PG_BEGIN_WRITE, hss_advance_body, &c);
    if (ret == 0)
        *out = c.sub;
    rcp_wipe(&c, sizeof c);
    return ret;
}

static int hss_get_body(pg_store *s, void *ctx)
{
    read_ctx *c = ctx;
    int found = 0;
    int ret = read_hss(s, Q_HSS_GET, c->imsi, c->out, &found);

    if (ret == 0 && !found)
        ret = rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "IMSI %s is not a subscriber of this HSS",
                             c->imsi);
    return ret;
}

static int pg_hss_get(rcp_store *st, const char *imsi, rcp_hss_subscriber *out)
{
    rcp_hss_subscriber sub;
    read_ctx c = {.imsi = imsi, .out = &sub};
    int ret = pg_read(pg(st), hss_get_body, &c);

    if (ret == 0)
        *out = sub;
    rcp_wipe(&sub, sizeof sub);
    return ret;
}

static int hss_set_sqn_body(pg_store *s, void *ctx)
{
    hss_ctx *c = ctx;
    pg_params p = {0};
    long changed = 0;
    int found = 0;
    int ret;

    p_text(&p, c->imsi);
    p_int(&p, (int64_t)c->old_sqn);
    p_int(&p, (int64_t)c->new_sqn);
    /* a concurrent update is waited for, then the WHERE is evaluated on the
     * row it committed: a stale old_sqn matches nothing */
    ret = pg_change(s, Q_HSS_CAS, &p, &changed, "updating SQN_HE");
    if (ret || changed == 1)
        return ret;
    ret = read_hss(s, Q_HSS_GET, c->imsi, &c->sub, &found);
    if (ret)
        return ret;
    return found ? rcp_store_fail(&s->base, RCP_ERR_STATE,
                                  "SQN_HE of IMSI %s is no longer %llu: another instance "
                                  "issued a vector meanwhile (re-read and retry)",
                                  c->imsi, (unsigned long long)c->old_sqn)
                 : rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND,
                                  "IMSI %s is not a subscriber of this HSS", c->imsi);
}

static int pg_hss_set_sqn(rcp_store *st, const char *imsi, uint64_t old_sqn, uint64_t new_sqn)
{
    hss_ctx c;
    int ret;

    memset(&c, 0, sizeof c);
    c.imsi = imsi;
    c.old_sqn = old_sqn;
    c.new_sqn = new_sqn;
    ret = pg_tx(pg(st), PG_BEGIN_WRITE, hss_set_sqn_body, &c);
    rcp_wipe(&c, sizeof c);
    return ret;
}

static int alloc_get_body(pg_store *s, void *ctx)
{
    read_ctx *c = ctx;
    rcp_store_hexbuf hex;
    int found = 0;
    int ret = read_alloc(s, c->id, c->id == Q_ALLOC_BY_UUID ? (const void *)c->key : c->imsi,
                         c->out, &found);

    if (ret == 0 && !found) {
        if (c->id == Q_ALLOC_BY_UUID)
            ret = rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "UUID %s has no IMSI allocation",
                                 rcp_store_hex(&hex, c->key, RCP_UUID_LEN));
        else
            ret = rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "IMSI %s has no IMSI allocation",
                                 c->imsi);
    }
    return ret;
}

static int pg_alloc_get(rcp_store *st, read_ctx *c, rcp_allocation *out)
{
    rcp_allocation a;
    int ret;

    c->out = &a;
    ret = pg_read(pg(st), alloc_get_body, c);
    if (ret == 0)
        *out = a;
    return ret;
}

static int pg_alloc_by_imsi(rcp_store *st, const char *imsi, rcp_allocation *out)
{
    read_ctx c = {.id = Q_ALLOC_BY_IMSI, .imsi = imsi};
    return pg_alloc_get(st, &c, out);
}

static int pg_alloc_by_uuid(rcp_store *st, const uint8_t uuid[RCP_UUID_LEN], rcp_allocation *out)
{
    read_ctx c = {.id = Q_ALLOC_BY_UUID, .key = uuid};
    return pg_alloc_get(st, &c, out);
}

static int alloc_set_state_body(pg_store *s, void *ctx)
{
    static const char *const names[] = {"?", "PROVISIONED", "AKA_OK", "ACKED"};
    alloc_ctx *c = ctx;
    int found = 0;
    int ret = read_alloc(s, Q_ALLOC_LOCK_IMSI, c->imsi, &c->a, &found);

    if (ret)
        return ret;
    if (!found)
        return rcp_store_fail(&s->base, RCP_ERR_NOT_FOUND, "IMSI %s has no IMSI allocation",
                              c->imsi);
    if (c->a.state == c->state) /* already there: a retried step */
        return RCP_OK;
    if (c->state != c->a.state + 1)
        return rcp_store_fail(&s->base, RCP_ERR_STATE,
                              "allocation of IMSI %s cannot move from %s to %s (states only move "
                              "one step forward)",
                              c->imsi, names[c->a.state], names[c->state]);
    return alloc_step(s, c->imsi, c->state);
}

static int pg_alloc_set_state(rcp_store *st, const char *imsi, rcp_alloc_state state)
{
    alloc_ctx c = {.imsi = imsi, .state = state};
    return pg_tx(pg(st), PG_BEGIN_WRITE, alloc_set_state_body, &c);
}

static int pending_body(pg_store *s, void *ctx)
{
    read_ctx *c = ctx;
    rcp_allocation *out = c->out;
    pg_params p = {0};
    PGresult *res = NULL;
    int rows;
    int ret;

    p_int(&p, c->n);
    ret = pg_exec(s, Q_ALLOC_PENDING, &p, &res, "listing acks due");
    if (ret)
        return ret;
    rows = PQntuples(res); /* LIMIT bounds the rows to max */
    if (rows < 0 || (uint64_t)rows > (uint64_t)c->n)
        ret = pg_corrupt(s, "listing acks due");
    for (int r = 0; ret == 0 && r < rows; r++)
        ret = read_alloc_row(s, res, r, &out[r]);
    PQclear(res);
    if (ret == 0)
        c->rows = (size_t)rows;
    return ret;
}

static int pg_alloc_pending_acks(rcp_store *st, rcp_allocation *out, size_t max, size_t *n)
{
    read_ctx c = {.n = max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max, .out = out};
    int ret;

    if (max == 0)
        return RCP_OK;
    ret = pg_read(pg(st), pending_body, &c);
    if (ret == 0)
        *n = c.rows;
    return ret;
}

static int pg_alloc_count(rcp_store *st, uint64_t *count)
{
    read_ctx c = {.id = Q_ALLOC_COUNT};
    int ret = pg_read(pg(st), count_body, &c);

    if (ret == 0)
        *count = c.count;
    return ret;
}

const rcp_store_backend rcp_store_backend_postgres = {
    .open = pg_open,
    .close = pg_close,
    .digest = pg_digest,
    .uuid_register = pg_uuid_register,
    .uuid_get = pg_uuid_get,
    .authorize = pg_authorize,
    .acknowledge = pg_acknowledge,
    .authz_get = pg_authz_get,
    .ledger_count = pg_ledger_count,
    .ledger_get = pg_ledger_get,
    .provision = pg_provision,
    .hss_get = pg_hss_get,
    .hss_set_sqn = pg_hss_set_sqn,
    .alloc_by_imsi = pg_alloc_by_imsi,
    .alloc_by_uuid = pg_alloc_by_uuid,
    .alloc_set_state = pg_alloc_set_state,
    .alloc_pending_acks = pg_alloc_pending_acks,
    .nonce_consume = pg_nonce_consume,
    .aka_complete = pg_aka_complete,
    .hss_advance = pg_hss_advance,
    .alloc_acked = pg_alloc_acked,
    .alloc_count = pg_alloc_count,
};
