/*
 * rcprov store — the PostgreSQL schema as a list of migrations, and the
 * PostgreSQL backend's entry (internal).  Tables, invariants and the
 * migration scheme: docs/store.md.
 */
#ifndef RCPROV_STORE_POSTGRES_SCHEMA_H
#define RCPROV_STORE_POSTGRES_SCHEMA_H

#include "store/store_impl.h"

/* The PostgreSQL backend.  Unlike the SQLite backend, its open takes the
 * whole URL ("postgresql://..." or "postgres://..."): libpq parses it. */
extern const rcp_store_backend rcp_store_backend_postgres;

/* Created (IF NOT EXISTS) before any migration runs, in the same
 * transaction and under the migration lock; one row per migration applied,
 * the highest is the version. */
extern const char rcp_pg_schema_version_ddl[];

/* rcp_pg_migrations[v] takes a store from version v to v + 1: static SQL,
 * never edited once released (a change is a new entry and a new
 * RCP_STORE_SCHEMA_VERSION, kept in step with rcp_sqlite_migrations so
 * both backends hold the same content for the digest). */
extern const char *const rcp_pg_migrations[RCP_STORE_SCHEMA_VERSION];

#endif
