/*
 * Test-only access to the PostgreSQL database that $RCP_PG_URL names
 * (tests/tools/pg.sh starts a throwaway cluster and sets it): a raw libpq
 * connection to reset the schema between cases and to make writes that
 * bypass the store.  Never linked into rcprov itself (the store's libpq
 * code stays in src/store/postgres*.c).
 *
 * Resetting drops the schema `public` with everything in it, so it is
 * refused unless the database's name starts with RCP_T_PG_DB_PREFIX.
 */
#ifndef RCP_TEST_PG_TEST_H
#define RCP_TEST_PG_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#define RCP_T_PG_DB_PREFIX "rcprov_test"

static inline void rcp_t_pg_quiet(void *arg, const char *message)
{
    (void)arg, (void)message;
}

/* A raw connection; exits on failure (the tests cannot run without it). */
static inline PGconn *rcp_t_pg_connect(const char *url)
{
    PGconn *c = PQconnectdb(url);
    if (c == NULL || PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pg_test: cannot connect to $RCP_PG_URL: %s",
                c ? PQerrorMessage(c) : "out of memory\n");
        exit(1);
    }
    PQsetNoticeProcessor(c, rcp_t_pg_quiet, NULL);
    return c;
}

/* Run sql (one or more statements); "" on success, else the SQLSTATE of
 * the failure (copied into state[6]). */
static inline const char *rcp_t_pg_try(PGconn *c, const char *sql, char state[6])
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

    state[0] = '\0';
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        snprintf(state, 6, "%s", s ? s : "?????");
    PQclear(r);
    return state;
}

/* Run sql, which must succeed; exits otherwise. */
static inline void rcp_t_pg_exec(PGconn *c, const char *sql)
{
    char state[6];
    if (rcp_t_pg_try(c, sql, state)[0] != '\0') {
        fprintf(stderr, "pg_test: %s failed: %s", sql, PQerrorMessage(c));
        exit(1);
    }
}

/* One integer from a query (-1 when it fails or has no row). */
static inline long long rcp_t_pg_int(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    long long v = -1;
    if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
        !PQgetisnull(r, 0, 0))
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* An empty schema public, as a new database has: the next rcp_store_open
 * creates the store.  Exits when the database is not a test database. */
static inline void rcp_t_pg_reset(const char *url)
{
    PGconn *c = rcp_t_pg_connect(url);
    const char *db = PQdb(c);

    if (db == NULL || strncmp(db, RCP_T_PG_DB_PREFIX, strlen(RCP_T_PG_DB_PREFIX)) != 0) {
        fprintf(stderr,
                "pg_test: $RCP_PG_URL names database \"%s\"; the tests wipe it, so its name "
                "must start with \"" RCP_T_PG_DB_PREFIX "\"\n",
                db ? db : "");
        exit(1);
    }
    rcp_t_pg_exec(c, "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;");
    PQfinish(c);
}

#endif
