/*
 * The SQLite schema of the store, as migrations.  Every invariant of
 * include/rcprov/store.h is enforced twice: by the transaction logic of
 * sqlite.c, and here by constraints and triggers, so that a bug in the logic
 * or a hand-made UPDATE cannot break it either (docs/store.md lists which
 * rule enforces what).  STRICT tables: a value of the wrong type is refused
 * rather than converted.
 */
#include "store/sqlite_schema.h"

const char rcp_sqlite_schema_version_ddl[] = "CREATE TABLE IF NOT EXISTS schema_version ("
                                             "  version INTEGER PRIMARY KEY CHECK (version >= 1)"
                                             ") STRICT;";

/* Version 1: the Authorization Server (as_*) and the Serving Network (sn_*,
 * hss_*) of uuid-attach (seed 000). */
static const char k_v1[] =
    /* ---------------------------------------------- Authorization Server */
    /* The UUID registry.  A UUID is never deleted nor recycled; its
     * registration facts never change; the count and the state only grow;
     * USED (3) is final. */
    "CREATE TABLE as_uuid ("
    "  uuid BLOB PRIMARY KEY CHECK (length(uuid) = 16),"
    "  tre_kid BLOB NOT NULL CHECK (length(tre_kid) = 8),"
    "  sp TEXT NOT NULL CHECK (length(CAST(sp AS BLOB)) BETWEEN 1 AND 63),"
    "  max_authorizations INTEGER NOT NULL"
    "    CHECK (max_authorizations BETWEEN 1 AND 4294967295),"
    "  authorizations INTEGER NOT NULL"
    "    CHECK (authorizations >= 0 AND authorizations <= max_authorizations),"
    "  state INTEGER NOT NULL CHECK (state IN (1, 2, 3)),"
    "  registered_at INTEGER NOT NULL CHECK (registered_at >= 0),"
    "  CHECK ((state = 1) = (authorizations = 0))"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TRIGGER as_uuid_update BEFORE UPDATE ON as_uuid"
    "  WHEN NEW.uuid IS NOT OLD.uuid OR NEW.tre_kid IS NOT OLD.tre_kid"
    "    OR NEW.sp IS NOT OLD.sp OR NEW.max_authorizations IS NOT OLD.max_authorizations"
    "    OR NEW.registered_at IS NOT OLD.registered_at"
    "    OR NEW.authorizations < OLD.authorizations OR NEW.state < OLD.state"
    "    OR (OLD.state = 3 AND NEW.authorizations <> OLD.authorizations)"
    " BEGIN SELECT RAISE(ABORT, 'as_uuid: registration is immutable, count and state only "
    "grow, USED is final'); END;"
    "CREATE TRIGGER as_uuid_delete BEFORE DELETE ON as_uuid"
    " BEGIN SELECT RAISE(ABORT, 'as_uuid: UUIDs are never deleted nor recycled'); END;"

    /* Authorizations granted.  (authz_id, uuid, sn_kid) is unique so the
     * ledger can reference all three: an entry cannot name another UUID or
     * SN than its authorization.  At most one acknowledged per UUID. */
    "CREATE TABLE as_authorization ("
    "  authz_id BLOB PRIMARY KEY CHECK (length(authz_id) = 16),"
    "  uuid BLOB NOT NULL REFERENCES as_uuid (uuid),"
    "  sn_kid BLOB NOT NULL CHECK (length(sn_kid) = 8),"
    "  issued_at INTEGER NOT NULL CHECK (issued_at >= 0),"
    "  expires_at INTEGER NOT NULL CHECK (expires_at > issued_at),"
    "  acked_at INTEGER CHECK (acked_at IS NULL OR acked_at >= 0),"
    "  UNIQUE (authz_id, uuid, sn_kid)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX as_authorization_by_uuid ON as_authorization (uuid);"
    "CREATE UNIQUE INDEX as_authorization_one_ack ON as_authorization (uuid)"
    "  WHERE acked_at IS NOT NULL;"
    /* Granted only to a UUID not used up, and only after its count was
     * raised: count = number of authorizations, so count <= max holds for
     * the authorizations themselves. */
    "CREATE TRIGGER as_authorization_insert BEFORE INSERT ON as_authorization"
    "  WHEN (SELECT state FROM as_uuid WHERE uuid = NEW.uuid) = 3"
    "    OR (SELECT authorizations FROM as_uuid WHERE uuid = NEW.uuid)"
    "       <> (SELECT count(*) FROM as_authorization WHERE uuid = NEW.uuid) + 1"
    " BEGIN SELECT RAISE(ABORT, 'as_authorization: UUID used up or its count not raised'); "
    "END;"
    "CREATE TRIGGER as_authorization_update BEFORE UPDATE ON as_authorization"
    "  WHEN NEW.authz_id IS NOT OLD.authz_id OR NEW.uuid IS NOT OLD.uuid"
    "    OR NEW.sn_kid IS NOT OLD.sn_kid OR NEW.issued_at IS NOT OLD.issued_at"
    "    OR NEW.expires_at IS NOT OLD.expires_at"
    "    OR OLD.acked_at IS NOT NULL OR NEW.acked_at IS NULL"
    " BEGIN SELECT RAISE(ABORT, 'as_authorization: only a first acknowledgement may be "
    "recorded'); END;"
    "CREATE TRIGGER as_authorization_delete BEFORE DELETE ON as_authorization"
    " BEGIN SELECT RAISE(ABORT, 'as_authorization: authorizations are never deleted'); END;"

    /* The business ledger: append-only, seq = 1, 2, ... in commit order, one
     * entry per event (one register per UUID, one authorize per
     * authorization, one ack per authorization and per UUID), an ack only
     * after its authorize, an authorize only after its register. */
    "CREATE TABLE as_ledger ("
    "  seq INTEGER PRIMARY KEY CHECK (seq >= 1),"
    "  kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),"
    "  uuid BLOB NOT NULL REFERENCES as_uuid (uuid),"
    "  authz_id BLOB,"
    "  sn_kid BLOB,"
    "  at INTEGER NOT NULL CHECK (at >= 0),"
    "  record BLOB NOT NULL CHECK (length(record) <= 2048),"
    "  CHECK ((kind = 1 AND authz_id IS NULL AND sn_kid IS NULL AND length(record) = 0)"
    "      OR (kind IN (2, 3) AND authz_id IS NOT NULL AND sn_kid IS NOT NULL)),"
    "  UNIQUE (kind, authz_id),"
    "  FOREIGN KEY (authz_id, uuid, sn_kid)"
    "    REFERENCES as_authorization (authz_id, uuid, sn_kid)"
    ") STRICT;"
    "CREATE UNIQUE INDEX as_ledger_one_register ON as_ledger (uuid) WHERE kind = 1;"
    "CREATE UNIQUE INDEX as_ledger_one_ack ON as_ledger (uuid) WHERE kind = 3;"
    "CREATE TRIGGER as_ledger_insert BEFORE INSERT ON as_ledger"
    "  WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM as_ledger)"
    "    OR (NEW.kind = 2 AND NOT EXISTS (SELECT 1 FROM as_ledger"
    "          WHERE kind = 1 AND uuid = NEW.uuid))"
    "    OR (NEW.kind = 3 AND NOT EXISTS (SELECT 1 FROM as_ledger"
    "          WHERE kind = 2 AND authz_id = NEW.authz_id))"
    "    OR (NEW.kind = 3 AND (SELECT acked_at FROM as_authorization"
    "          WHERE authz_id = NEW.authz_id) IS NULL)"
    " BEGIN SELECT RAISE(ABORT, 'as_ledger: entry out of sequence or without its cause'); "
    "END;"
    "CREATE TRIGGER as_ledger_update BEFORE UPDATE ON as_ledger"
    " BEGIN SELECT RAISE(ABORT, 'as_ledger: the ledger is append-only'); END;"
    "CREATE TRIGGER as_ledger_delete BEFORE DELETE ON as_ledger"
    " BEGIN SELECT RAISE(ABORT, 'as_ledger: the ledger is append-only'); END;"

    /* ---------------------------------------------------- Serving Network */
    /* HSS subscribers: K, OPc, Milenage constants and SQN_HE.  Only the SQN
     * changes; a subscriber with an allocation cannot be deleted (foreign
     * key from sn_allocation). */
    "CREATE TABLE hss_subscriber ("
    "  imsi TEXT PRIMARY KEY"
    "    CHECK (length(imsi) = 15 AND imsi NOT GLOB '*[^0-9]*'),"
    "  k BLOB NOT NULL CHECK (length(k) = 16),"
    "  opc BLOB NOT NULL CHECK (length(opc) = 16),"
    "  r1 INTEGER NOT NULL CHECK (r1 BETWEEN 0 AND 127),"
    "  r2 INTEGER NOT NULL CHECK (r2 BETWEEN 0 AND 127),"
    "  r3 INTEGER NOT NULL CHECK (r3 BETWEEN 0 AND 127),"
    "  r4 INTEGER NOT NULL CHECK (r4 BETWEEN 0 AND 127),"
    "  r5 INTEGER NOT NULL CHECK (r5 BETWEEN 0 AND 127),"
    "  c1 BLOB NOT NULL CHECK (length(c1) = 16),"
    "  c2 BLOB NOT NULL CHECK (length(c2) = 16),"
    "  c3 BLOB NOT NULL CHECK (length(c3) = 16),"
    "  c4 BLOB NOT NULL CHECK (length(c4) = 16),"
    "  c5 BLOB NOT NULL CHECK (length(c5) = 16),"
    "  sqn INTEGER NOT NULL CHECK (sqn BETWEEN 0 AND 281474976710655)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TRIGGER hss_subscriber_update BEFORE UPDATE ON hss_subscriber"
    "  WHEN NEW.imsi IS NOT OLD.imsi OR NEW.k IS NOT OLD.k OR NEW.opc IS NOT OLD.opc"
    "    OR NEW.r1 IS NOT OLD.r1 OR NEW.r2 IS NOT OLD.r2 OR NEW.r3 IS NOT OLD.r3"
    "    OR NEW.r4 IS NOT OLD.r4 OR NEW.r5 IS NOT OLD.r5"
    "    OR NEW.c1 IS NOT OLD.c1 OR NEW.c2 IS NOT OLD.c2 OR NEW.c3 IS NOT OLD.c3"
    "    OR NEW.c4 IS NOT OLD.c4 OR NEW.c5 IS NOT OLD.c5"
    " BEGIN SELECT RAISE(ABORT, 'hss_subscriber: only SQN_HE may change'); END;"

    /* IMSI allocations: one per UUID, one UUID per IMSI, never deleted (an
     * IMSI is never handed out twice); the state moves one step forward;
     * authz_id and auths (the AuthS FQDN acks go to) follow the latest
     * authorization. */
    "CREATE TABLE sn_allocation ("
    "  imsi TEXT PRIMARY KEY REFERENCES hss_subscriber (imsi),"
    "  uuid BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),"
    "  authz_id BLOB NOT NULL CHECK (length(authz_id) = 16),"
    "  tre_kid BLOB NOT NULL CHECK (length(tre_kid) = 8),"
    "  auths TEXT NOT NULL CHECK (length(CAST(auths AS BLOB)) BETWEEN 1 AND 253),"
    "  state INTEGER NOT NULL CHECK (state IN (1, 2, 3)),"
    "  allocated_at INTEGER NOT NULL CHECK (allocated_at >= 0)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX sn_allocation_by_state ON sn_allocation (state, imsi);"
    "CREATE TRIGGER sn_allocation_update BEFORE UPDATE ON sn_allocation"
    "  WHEN NEW.imsi IS NOT OLD.imsi OR NEW.uuid IS NOT OLD.uuid"
    "    OR NEW.tre_kid IS NOT OLD.tre_kid OR NEW.allocated_at IS NOT OLD.allocated_at"
    "    OR NEW.state NOT IN (OLD.state, OLD.state + 1)"
    " BEGIN SELECT RAISE(ABORT, 'sn_allocation: IMSI, UUID and TRE are fixed, the state "
    "moves one step forward'); END;"
    "CREATE TRIGGER sn_allocation_delete BEFORE DELETE ON sn_allocation"
    " BEGIN SELECT RAISE(ABORT, 'sn_allocation: IMSIs are never released'); END;"

    /* One-time values consumed (session nonces with the UUID they
     * provisioned, AKA RANDs without): each once, for good. */
    "CREATE TABLE sn_nonce ("
    "  nonce BLOB PRIMARY KEY CHECK (length(nonce) = 16),"
    "  uuid BLOB CHECK (uuid IS NULL OR length(uuid) = 16),"
    "  consumed_at INTEGER NOT NULL CHECK (consumed_at >= 0)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TRIGGER sn_nonce_update BEFORE UPDATE ON sn_nonce"
    " BEGIN SELECT RAISE(ABORT, 'sn_nonce: a consumed nonce stays consumed'); END;"
    "CREATE TRIGGER sn_nonce_delete BEFORE DELETE ON sn_nonce"
    " BEGIN SELECT RAISE(ABORT, 'sn_nonce: a consumed nonce stays consumed'); END;";

const char *const rcp_sqlite_migrations[RCP_STORE_SCHEMA_VERSION] = {
    k_v1, /* 0 -> 1 */
};
