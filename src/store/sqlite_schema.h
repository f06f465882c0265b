/*
 * rcprov store — the SQLite schema as a list of migrations (internal).
 * Tables, invariants and the migration scheme: docs/store.md.
 */
#ifndef RCPROV_STORE_SQLITE_SCHEMA_H
#define RCPROV_STORE_SQLITE_SCHEMA_H

#include "rcprov/store.h"

/* Created (IF NOT EXISTS) before any migration runs, in the same
 * transaction; one row per migration applied, the highest is the version. */
extern const char rcp_sqlite_schema_version_ddl[];

/* rcp_sqlite_migrations[v] takes a store from version v to v + 1.  A
 * migration is static SQL, never edited once released: a change to the
 * schema is a new entry and a new RCP_STORE_SCHEMA_VERSION. */
extern const char *const rcp_sqlite_migrations[RCP_STORE_SCHEMA_VERSION];

#endif
