/*
 * The PostgreSQL schema of the store, as migrations: the same tables,
 * columns, constraints and rules as sqlite_schema.c, so that an invariant
 * holds whichever backend (or hand-made statement) writes, and the same
 * content gives the same digest on both.  SQLite's triggers become PL/pgSQL
 * trigger functions that raise SQLSTATE 23000 (integrity_constraint_
 * violation), so every refused write is in class 23 like a constraint's.
 *
 * Types: bytea for blobs, text COLLATE "C" for text (bytewise order, as
 * SQLite's BINARY collation: the digest walks rows in primary-key order),
 * bigint for every integer (the digest hashes integers as int64).
 * TRUNCATE bypasses row triggers in PostgreSQL, so every table that is
 * never emptied refuses it too.
 */
#include "store/postgres_schema.h"

const char rcp_pg_schema_version_ddl[] = "CREATE TABLE IF NOT EXISTS schema_version ("
                                         "  version bigint PRIMARY KEY CHECK (version >= 1)"
                                         ");";

/* Version 1: the Authorization Server (as_*) and the Serving Network (sn_*,
 * hss_*) of uuid-attach (seed 000). */
static const char k_v1[] =
    /* A trigger that refuses whatever fired it, with the message it was
     * created with (deletes, truncates, any update of the append-only
     * tables). */
    "CREATE FUNCTION rcp_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';"
    " END $$;"

    /* ---------------------------------------------- Authorization Server */
    /* The UUID registry.  A UUID is never deleted nor recycled; its
     * registration facts never change; the count and the state only grow;
     * USED (3) is final. */
    "CREATE TABLE as_uuid ("
    "  uuid bytea PRIMARY KEY CHECK (octet_length(uuid) = 16),"
    "  tre_kid bytea NOT NULL CHECK (octet_length(tre_kid) = 8),"
    "  sp text COLLATE \"C\" NOT NULL CHECK (octet_length(sp) BETWEEN 1 AND 63),"
    "  max_authorizations bigint NOT NULL"
    "    CHECK (max_authorizations BETWEEN 1 AND 4294967295),"
    "  authorizations bigint NOT NULL"
    "    CHECK (authorizations >= 0 AND authorizations <= max_authorizations),"
    "  state bigint NOT NULL CHECK (state IN (1, 2, 3)),"
    "  registered_at bigint NOT NULL CHECK (registered_at >= 0),"
    "  CHECK ((state = 1) = (authorizations = 0))"
    ");"
    "CREATE FUNCTION as_uuid_update() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF NEW.uuid IS DISTINCT FROM OLD.uuid OR NEW.tre_kid IS DISTINCT FROM OLD.tre_kid"
    "     OR NEW.sp IS DISTINCT FROM OLD.sp"
    "     OR NEW.max_authorizations IS DISTINCT FROM OLD.max_authorizations"
    "     OR NEW.registered_at IS DISTINCT FROM OLD.registered_at"
    "     OR NEW.authorizations < OLD.authorizations OR NEW.state < OLD.state"
    "     OR (OLD.state = 3 AND NEW.authorizations <> OLD.authorizations) THEN"
    "   RAISE EXCEPTION 'as_uuid: registration is immutable, count and state only grow, USED "
    "is final' USING ERRCODE = 'integrity_constraint_violation';"
    "  END IF;"
    "  RETURN NEW;"
    " END $$;"
    "CREATE TRIGGER as_uuid_update BEFORE UPDATE ON as_uuid"
    "  FOR EACH ROW EXECUTE FUNCTION as_uuid_update();"
    "CREATE TRIGGER as_uuid_delete BEFORE DELETE ON as_uuid"
    "  FOR EACH ROW EXECUTE FUNCTION rcp_refuse('as_uuid: UUIDs are never deleted nor recycled');"
    "CREATE TRIGGER as_uuid_truncate BEFORE TRUNCATE ON as_uuid"
    "  FOR EACH STATEMENT EXECUTE FUNCTION"
    "  rcp_refuse('as_uuid: UUIDs are never deleted nor recycled');"

    /* Authorizations granted.  (authz_id, uuid, sn_kid) is unique so the
     * ledger can reference all three: an entry cannot name another UUID or
     * SN than its authorization.  At most one acknowledged per UUID. */
    "CREATE TABLE as_authorization ("
    "  authz_id bytea PRIMARY KEY CHECK (octet_length(authz_id) = 16),"
    "  uuid bytea NOT NULL REFERENCES as_uuid (uuid),"
    "  sn_kid bytea NOT NULL CHECK (octet_length(sn_kid) = 8),"
    "  issued_at bigint NOT NULL CHECK (issued_at >= 0),"
    "  expires_at bigint NOT NULL CHECK (expires_at > issued_at),"
    "  acked_at bigint CHECK (acked_at IS NULL OR acked_at >= 0),"
    "  UNIQUE (authz_id, uuid, sn_kid)"
    ");"
    "CREATE INDEX as_authorization_by_uuid ON as_authorization (uuid);"
    "CREATE UNIQUE INDEX as_authorization_one_ack ON as_authorization (uuid)"
    "  WHERE acked_at IS NOT NULL;"
    /* Granted only to a UUID not used up, and only after its count was
     * raised: count = number of authorizations, so count <= max holds for
     * the authorizations themselves. */
    "CREATE FUNCTION as_authorization_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF (SELECT state FROM as_uuid WHERE uuid = NEW.uuid) = 3"
    "     OR (SELECT authorizations FROM as_uuid WHERE uuid = NEW.uuid)"
    "        <> (SELECT count(*) FROM as_authorization WHERE uuid = NEW.uuid) + 1 THEN"
    "   RAISE EXCEPTION 'as_authorization: UUID used up or its count not raised'"
    "     USING ERRCODE = 'integrity_constraint_violation';"
    "  END IF;"
    "  RETURN NEW;"
    " END $$;"
    "CREATE TRIGGER as_authorization_insert BEFORE INSERT ON as_authorization"
    "  FOR EACH ROW EXECUTE FUNCTION as_authorization_insert();"
    "CREATE FUNCTION as_authorization_update() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF NEW.authz_id IS DISTINCT FROM OLD.authz_id OR NEW.uuid IS DISTINCT FROM OLD.uuid"
    "     OR NEW.sn_kid IS DISTINCT FROM OLD.sn_kid"
    "     OR NEW.issued_at IS DISTINCT FROM OLD.issued_at"
    "     OR NEW.expires_at IS DISTINCT FROM OLD.expires_at"
    "     OR OLD.acked_at IS NOT NULL OR NEW.acked_at IS NULL THEN"
    "   RAISE EXCEPTION 'as_authorization: only a first acknowledgement may be recorded'"
    "     USING ERRCODE = 'integrity_constraint_violation';"
    "  END IF;"
    "  RETURN NEW;"
    " END $$;"
    "CREATE TRIGGER as_authorization_update BEFORE UPDATE ON as_authorization"
    "  FOR EACH ROW EXECUTE FUNCTION as_authorization_update();"
    "CREATE TRIGGER as_authorization_delete BEFORE DELETE ON as_authorization"
    "  FOR EACH ROW EXECUTE FUNCTION"
    "  rcp_refuse('as_authorization: authorizations are never deleted');"
    "CREATE TRIGGER as_authorization_truncate BEFORE TRUNCATE ON as_authorization"
    "  FOR EACH STATEMENT EXECUTE FUNCTION"
    "  rcp_refuse('as_authorization: authorizations are never deleted');"

    /* The business ledger: append-only, seq = 1, 2, ... in commit order, one
     * entry per event (one register per UUID, one authorize per
     * authorization, one ack per authorization and per UUID), an ack only
     * after its authorize, an authorize only after its register.  The
     * backend appends under LOCK TABLE as_ledger IN SHARE ROW EXCLUSIVE
     * MODE, so "max + 1" is read by one writer at a time and seq follows
     * commit order; the trigger and the primary key hold it for any other
     * writer. */
    "CREATE TABLE as_ledger ("
    "  seq bigint PRIMARY KEY CHECK (seq >= 1),"
    "  kind bigint NOT NULL CHECK (kind IN (1, 2, 3)),"
    "  uuid bytea NOT NULL REFERENCES as_uuid (uuid),"
    "  authz_id bytea,"
    "  sn_kid bytea,"
    "  at bigint NOT NULL CHECK (at >= 0),"
    "  record bytea NOT NULL CHECK (octet_length(record) <= 2048),"
    "  CHECK ((kind = 1 AND authz_id IS NULL AND sn_kid IS NULL AND octet_length(record) = 0)"
    "      OR (kind IN (2, 3) AND authz_id IS NOT NULL AND sn_kid IS NOT NULL)),"
    "  UNIQUE (kind, authz_id),"
    "  FOREIGN KEY (authz_id, uuid, sn_kid)"
    "    REFERENCES as_authorization (authz_id, uuid, sn_kid)"
    ");"
    "CREATE UNIQUE INDEX as_ledger_one_register ON as_ledger (uuid) WHERE kind = 1;"
    "CREATE UNIQUE INDEX as_ledger_one_ack ON as_ledger (uuid) WHERE kind = 3;"
    "CREATE FUNCTION as_ledger_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF NEW.seq IS DISTINCT FROM (SELECT coalesce(max(seq), 0) + 1 FROM as_ledger)"
    "     OR (NEW.kind = 2 AND NOT EXISTS (SELECT 1 FROM as_ledger"
    "           WHERE kind = 1 AND uuid = NEW.uuid))"
    "     OR (NEW.kind = 3 AND NOT EXISTS (SELECT 1 FROM as_ledger"
    "           WHERE kind = 2 AND authz_id = NEW.authz_id))"
    "     OR (NEW.kind = 3 AND (SELECT acked_at FROM as_authorization"
    "           WHERE authz_id = NEW.authz_id) IS NULL) THEN"
    "   RAISE EXCEPTION 'as_ledger: entry out of sequence or without its cause'"
    "     USING ERRCODE = 'integrity_constraint_violation';"
    "  END IF;"
    "  RETURN NEW;"
    " END $$;"
    "CREATE TRIGGER as_ledger_insert BEFORE INSERT ON as_ledger"
    "  FOR EACH ROW EXECUTE FUNCTION as_ledger_insert();"
    "CREATE TRIGGER as_ledger_update BEFORE UPDATE OR DELETE ON as_ledger"
    "  FOR EACH ROW EXECUTE FUNCTION rcp_refuse('as_ledger: the ledger is append-only');"
    "CREATE TRIGGER as_ledger_truncate BEFORE TRUNCATE ON as_ledger"
    "  FOR EACH STATEMENT EXECUTE FUNCTION rcp_refuse('as_ledger: the ledger is append-only');"

    /* ---------------------------------------------------- Serving Network */
    /* HSS subscribers: K, OPc, Milenage constants and SQN_HE.  Only the SQN
     * changes; a subscriber with an allocation cannot be deleted (foreign
     * key from sn_allocation). */
    "CREATE TABLE hss_subscriber ("
    "  imsi text COLLATE \"C\" PRIMARY KEY CHECK (imsi ~ '^[0-9]{15}$'),"
    "  k bytea NOT NULL CHECK (octet_length(k) = 16),"
    "  opc bytea NOT NULL CHECK (octet_length(opc) = 16),"
    "  r1 bigint NOT NULL CHECK (r1 BETWEEN 0 AND 127),"
    "  r2 bigint NOT NULL CHECK (r2 BETWEEN 0 AND 127),"
    "  r3 bigint NOT NULL CHECK (r3 BETWEEN 0 AND 127),"
    "  r4 bigint NOT NULL CHECK (r4 BETWEEN 0 AND 127),"
    "  r5 bigint NOT NULL CHECK (r5 BETWEEN 0 AND 127),"
    "  c1 bytea NOT NULL CHECK (octet_length(c1) = 16),"
    "  c2 bytea NOT NULL CHECK (octet_length(c2) = 16),"
    "  c3 bytea NOT NULL CHECK (octet_length(c3) = 16),"
    "  c4 bytea NOT NULL CHECK (octet_length(c4) = 16),"
    "  c5 bytea NOT NULL CHECK (octet_length(c5) = 16),"
    "  sqn bigint NOT NULL CHECK (sqn BETWEEN 0 AND 281474976710655)"
    ");"
    "CREATE FUNCTION hss_subscriber_update() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF NEW.imsi IS DISTINCT FROM OLD.imsi OR NEW.k IS DISTINCT FROM OLD.k"
    "     OR NEW.opc IS DISTINCT FROM OLD.opc"
    "     OR NEW.r1 IS DISTINCT FROM OLD.r1 OR NEW.r2 IS DISTINCT FROM OLD.r2"
    "     OR NEW.r3 IS DISTINCT FROM OLD.r3 OR NEW.r4 IS DISTINCT FROM OLD.r4"
    "     OR NEW.r5 IS DISTINCT FROM OLD.r5"
    "     OR NEW.c1 IS DISTINCT FROM OLD.c1 OR NEW.c2 IS DISTINCT FROM OLD.c2"
    "     OR NEW.c3 IS DISTINCT FROM OLD.c3 OR NEW.c4 IS DISTINCT FROM OLD.c4"
    "     OR NEW.c5 IS DISTINCT FROM OLD.c5 THEN"
    "   RAISE EXCEPTION 'hss_subscriber: only SQN_HE may change'"
    "     USING ERRCODE = 'integrity_constraint_violation';"
    "  END IF;"
    "  RETURN NEW;"
    " END $$;"
    "CREATE TRIGGER hss_subscriber_update BEFORE UPDATE ON hss_subscriber"
    "  FOR EACH ROW EXECUTE FUNCTION hss_subscriber_update();"

    /* IMSI allocations: one per UUID, one UUID per IMSI, never deleted (an
     * IMSI is never handed out twice); the state moves one step forward;
     * authz_id and auths (the AuthS FQDN acks go to) follow the latest
     * authorization. */
    "CREATE TABLE sn_allocation ("
    "  imsi text COLLATE \"C\" PRIMARY KEY REFERENCES hss_subscriber (imsi),"
    "  uuid bytea NOT NULL UNIQUE CHECK (octet_length(uuid) = 16),"
    "  authz_id bytea NOT NULL CHECK (octet_length(authz_id) = 16),"
    "  tre_kid bytea NOT NULL CHECK (octet_length(tre_kid) = 8),"
    "  auths text COLLATE \"C\" NOT NULL CHECK (octet_length(auths) BETWEEN 1 AND 253),"
    "  state bigint NOT NULL CHECK (state IN (1, 2, 3)),"
    "  allocated_at bigint NOT NULL CHECK (allocated_at >= 0)"
    ");"
    "CREATE INDEX sn_allocation_by_state ON sn_allocation (state, imsi);"
    "CREATE FUNCTION sn_allocation_update() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    "  IF NEW.imsi IS DISTINCT FROM OLD.imsi OR NEW.uuid IS DISTINCT FROM OLD.uuid"
    "     OR NEW.tre_kid IS DISTINCT FROM OLD.tre_kid"
    "     OR NEW.allocated_at IS DISTINCT FROM OLD.allocated_at"
    "     OR NEW.state NOT IN (OLD.state, OLD.state + 1) THEN"
    "   RAISE EXCEPTION 'sn_allocation: IMSI, UUID and TRE are fixed, the state moves one "
    "step forward' USING ERRCODE = 'integrity_constraint_violation';"
    "  END IF;"
    "  RETURN NEW;"
    " END $$;"
    "CREATE TRIGGER sn_allocation_update BEFORE UPDATE ON sn_allocation"
    "  FOR EACH ROW EXECUTE FUNCTION sn_allocation_update();"
    "CREATE TRIGGER sn_allocation_delete BEFORE DELETE ON sn_allocation"
    "  FOR EACH ROW EXECUTE FUNCTION rcp_refuse('sn_allocation: IMSIs are never released');"
    "CREATE TRIGGER sn_allocation_truncate BEFORE TRUNCATE ON sn_allocation"
    "  FOR EACH STATEMENT EXECUTE FUNCTION"
    "  rcp_refuse('sn_allocation: IMSIs are never released');"
    /* hss_subscriber is referenced by sn_allocation, so TRUNCATE of it
     * alone already fails; with CASCADE it reaches sn_allocation's trigger. */

    /* One-time values consumed (session nonces with the UUID they
     * provisioned, AKA RANDs without): each once, for good. */
    "CREATE TABLE sn_nonce ("
    "  nonce bytea PRIMARY KEY CHECK (octet_length(nonce) = 16),"
    "  uuid bytea CHECK (uuid IS NULL OR octet_length(uuid) = 16),"
    "  consumed_at bigint NOT NULL CHECK (consumed_at >= 0)"
    ");"
    "CREATE TRIGGER sn_nonce_update BEFORE UPDATE OR DELETE ON sn_nonce"
    "  FOR EACH ROW EXECUTE FUNCTION rcp_refuse('sn_nonce: a consumed nonce stays consumed');"
    "CREATE TRIGGER sn_nonce_truncate BEFORE TRUNCATE ON sn_nonce"
    "  FOR EACH STATEMENT EXECUTE FUNCTION"
    "  rcp_refuse('sn_nonce: a consumed nonce stays consumed');";

const char *const rcp_pg_migrations[RCP_STORE_SCHEMA_VERSION] = {
    k_v1, /* 0 -> 1 */
};
