/*
 * The store (include/rcprov/store.h) on SQLite: every function and error,
 * on a private in-memory database and on a file (reopened for persistence,
 * older and newer schemas, constraints checked with a raw connection, two
 * handles and two threads on one file).  Every failed call is checked to
 * leave the digest unchanged.
 *
 * When $RCP_PG_URL is set (tests/scripts/store_pg.sh sets it to a
 * throwaway cluster of tests/tools/pg.sh), every backend-independent case
 * runs on PostgreSQL too, each on an empty schema, plus PostgreSQL's own:
 * the same operations give the same digest as SQLite, schema versions and
 * migrations (also two openers at once), constraints checked with a raw
 * connection, a reconnect after the server dropped the connection, a
 * deadlock run again, a lock held past the lock timeout.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/store.h"
#include "tools/pg_test.h"

#define T0 1700000000ULL /* a fixed "now" */
#define DAY 86400ULL

static char g_dir[256]; /* temporary folder for file stores */
static int g_file_no;
static const char *g_pg_url; /* $RCP_PG_URL, or NULL: no PostgreSQL cases */

/* ------------------------------------------------------------- fixtures */

static void fill(uint8_t *p, size_t n, uint8_t tag, unsigned i)
{
    for (size_t j = 0; j < n; j++)
        p[j] = (uint8_t)(tag ^ (j * 7) ^ (i >> ((j % 4) * 8)));
    p[0] = tag;
    p[n - 1] = (uint8_t)i;
    if (n > 2)
        p[n - 2] = (uint8_t)(i >> 8);
}

static void uuid_of(uint8_t u[RCP_UUID_LEN], unsigned i)
{
    fill(u, RCP_UUID_LEN, 0xa0, i);
}
static void kid_of(uint8_t k[RCP_KID_LEN], unsigned i)
{
    fill(k, RCP_KID_LEN, 0xb0, i);
}
static void authz_of(uint8_t a[RCP_AUTHZ_ID_LEN], unsigned i)
{
    fill(a, RCP_AUTHZ_ID_LEN, 0xc0, i);
}
static void nonce_of(uint8_t n[RCP_NONCE_LEN], unsigned i)
{
    fill(n, RCP_NONCE_LEN, 0xd0, i);
}
static void sn_of(uint8_t k[RCP_KID_LEN], unsigned i)
{
    fill(k, RCP_KID_LEN, 0xe0, i);
}

static void record_for(rcp_uuid_record *r, unsigned uuid_i, unsigned tre_i, uint32_t max)
{
    memset(r, 0, sizeof *r);
    uuid_of(r->uuid, uuid_i);
    kid_of(r->tre_kid, tre_i);
    snprintf(r->sp, sizeof r->sp, "sp.example.org");
    r->max_authorizations = max;
}

/* A provisioning request with its own K/OPc/constants. */
typedef struct {
    rcp_provision_request req;
    uint8_t k[16], opc[16];
    rcp_milenage_consts consts;
    char mcc[4], mnc[4];
    char auths[RCP_STORE_NAME_MAX + 2];
} preq;

static void preq_init(preq *p, unsigned uuid_i, unsigned tre_i, unsigned authz_i, unsigned nonce_i,
                      unsigned key_i)
{
    memset(p, 0, sizeof *p);
    uuid_of(p->req.uuid, uuid_i);
    kid_of(p->req.tre_kid, tre_i);
    authz_of(p->req.authz_id, authz_i);
    nonce_of(p->req.nonce, nonce_i);
    fill(p->k, 16, 0x11, key_i);
    fill(p->opc, 16, 0x22, key_i);
    rcp_milenage_consts_default(&p->consts);
    p->consts.r[2] = (uint8_t)(key_i % 128); /* non-default constants survive the store */
    snprintf(p->mcc, sizeof p->mcc, "001");
    snprintf(p->mnc, sizeof p->mnc, "01");
    p->req.mcc = p->mcc;
    p->req.mnc = p->mnc;
    p->req.msin_first = 1000;
    p->req.msin_last = 1004; /* five IMSIs */
    p->req.msin_digits = 10;
    snprintf(p->auths, sizeof p->auths, "auths.example.org");
    p->req.auths = p->auths;
    p->req.k = p->k;
    p->req.opc = p->opc;
    p->req.consts = &p->consts;
}

static rcp_store *open_ok(const char *url)
{
    rcp_store *st = NULL;
    char msg[RCP_STORE_ERRMSG_MAX];
    int ret = rcp_store_open_ex(url, &st, msg, sizeof msg);
    if (ret != 0) {
        rcp_t_fail_at(__FILE__, __LINE__, "open %s: %s: %s", url, rcp_errname(ret), msg);
        exit(1); /* nothing below can run without a store */
    }
    rcp_t_pass++;
    return st;
}

/* A fresh file URL in the temporary folder. */
static void file_url(char *url, size_t cap, char *path, size_t path_cap)
{
    snprintf(path, path_cap, "%s/store%d.db", g_dir, ++g_file_no);
    /* "sqlite:" + path; a path that does not fit is a test set-up error */
    if (strlen(path) + 8 > cap) {
        fprintf(stderr, "test_store: temporary path too long: %s\n", path);
        exit(1);
    }
    memcpy(url, "sqlite:", 7);
    memcpy(url + 7, path, strlen(path) + 1);
}

static void digest(rcp_store *st, uint8_t d[32])
{
    int ret = rcp_store_digest(st, d);
    if (ret != 0) {
        rcp_t_fail_at(__FILE__, __LINE__, "digest: %s (%s)", rcp_errname(ret),
                      rcp_store_errmsg(st));
        memset(d, 0, 32);
    }
}

/* The message of the last call checked by CHECK_FAILS_CLEAN. */
static char g_msg[RCP_STORE_ERRMSG_MAX];

/* expr must fail with err and leave the store's digest unchanged; its
 * message is kept in g_msg (the digest call after it clears the store's). */
#define CHECK_FAILS_CLEAN(st, expr, err)                                                           \
    do {                                                                                           \
        uint8_t before_[32], after_[32];                                                           \
        digest((st), before_);                                                                     \
        CHECK_ERR(expr, err);                                                                      \
        snprintf(g_msg, sizeof g_msg, "%s", rcp_store_errmsg(st));                                 \
        digest((st), after_);                                                                      \
        CHECK_MEM(after_, before_, 32);                                                            \
    } while (0)

/* expr must succeed and leave the digest unchanged (an idempotent repeat). */
#define CHECK_NOOP(st, expr)                                                                       \
    do {                                                                                           \
        uint8_t before_[32], after_[32];                                                           \
        digest((st), before_);                                                                     \
        CHECK_OK(expr);                                                                            \
        digest((st), after_);                                                                      \
        CHECK_MEM(after_, before_, 32);                                                            \
    } while (0)

static uint64_t ledger_n(rcp_store *st, rcp_ledger_kind kind)
{
    uint64_t n = 0;
    CHECK_OK(rcp_store_ledger_count(st, kind, &n));
    return n;
}

/* register uuid_i for tre_i with max authorizations, expect creation */
static void reg(rcp_store *st, unsigned uuid_i, unsigned tre_i, uint32_t max, uint64_t now)
{
    rcp_uuid_record r;
    int created = -1;
    record_for(&r, uuid_i, tre_i, max);
    CHECK_OK(rcp_store_uuid_register(st, &r, now, &created));
    CHECK(created == 1);
}

static int authorize(rcp_store *st, unsigned uuid_i, unsigned authz_i, unsigned sn_i, uint64_t now)
{
    uint8_t u[RCP_UUID_LEN], a[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN], rec[40];
    uuid_of(u, uuid_i);
    authz_of(a, authz_i);
    sn_of(sn, sn_i);
    fill(rec, sizeof rec, 0x5a, authz_i);
    return rcp_store_authorize(st, u, a, sn, now, now + DAY, rec, sizeof rec);
}

static int ack(rcp_store *st, unsigned authz_i, unsigned uuid_i, unsigned sn_i, uint64_t now,
               int *first)
{
    uint8_t u[RCP_UUID_LEN], a[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN], rec[24];
    uuid_of(u, uuid_i);
    authz_of(a, authz_i);
    sn_of(sn, sn_i);
    fill(rec, sizeof rec, 0x3c, authz_i);
    return rcp_store_acknowledge(st, a, u, sn, now, rec, sizeof rec, first);
}

/* ================================================= open, URL, messages */

static void test_open_errors(void)
{
    rcp_store *st = (rcp_store *)&st; /* must be reset to NULL on failure */
    char msg[RCP_STORE_ERRMSG_MAX];
    char path[300];

    CHECK_ERR(rcp_store_open(NULL, &st), RCP_ERR_INVALID_ARG);
    CHECK(st == NULL);
    CHECK_ERR(rcp_store_open("sqlite::memory:", NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_open_ex("", &st, msg, sizeof msg), RCP_ERR_INVALID_ARG);
    CHECK(strstr(msg, "not understood") != NULL);
    CHECK_ERR(rcp_store_open_ex("sqlite:", &st, msg, sizeof msg), RCP_ERR_INVALID_ARG);
    CHECK(strstr(msg, "names no file") != NULL);
    CHECK_ERR(rcp_store_open("mysql://db/rcprov", &st), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_open("SQLITE::memory:", &st), RCP_ERR_INVALID_ARG);
    /* PostgreSQL: nothing listens on port 1 of the loopback; libpq's
     * message, never the password */
    CHECK_ERR(
        rcp_store_open_ex("postgresql://rcprov:s3cret-pw@127.0.0.1:1/rcprov", &st, msg, sizeof msg),
        RCP_ERR_STORE);
    CHECK(strstr(msg, "cannot connect to the PostgreSQL store") != NULL);
    CHECK(strstr(msg, "127.0.0.1") != NULL && strstr(msg, "s3cret") == NULL);
    CHECK(st == NULL);
    CHECK_ERR(rcp_store_open("postgres://127.0.0.1:1/rcprov", &st), RCP_ERR_STORE);
    CHECK(st == NULL);
    CHECK_ERR(rcp_store_open_ex("postgresql:rcprov", &st, msg, sizeof msg), RCP_ERR_INVALID_ARG);
    CHECK(strstr(msg, "postgresql://USER@HOST:PORT/DATABASE") != NULL);
    CHECK_ERR(rcp_store_open_ex("postgres://u:s3cret-pw@127.0.0.1:1/db?no_such_option=%zz", &st,
                                msg, sizeof msg),
              RCP_ERR_INVALID_ARG);
    CHECK(strstr(msg, "not understood by libpq") != NULL && strstr(msg, "s3cret") == NULL);
    CHECK(st == NULL);
    snprintf(path, sizeof path, "sqlite:%s/no/such/folder/x.db", g_dir);
    CHECK_ERR(rcp_store_open_ex(path, &st, msg, sizeof msg), RCP_ERR_STORE);
    CHECK(strstr(msg, "cannot open") != NULL);
    CHECK(st == NULL);
    /* a short message buffer truncates, never overflows */
    char tiny[8];
    CHECK_ERR(rcp_store_open_ex("sqlite:", &st, tiny, sizeof tiny), RCP_ERR_INVALID_ARG);
    CHECK(strlen(tiny) == sizeof tiny - 1);
    CHECK(strcmp(rcp_store_errmsg(NULL), "no store") == 0);
    rcp_store_close(NULL);

    /* every function refuses a NULL store */
    uint8_t b32[32] = {0};
    uint64_t n;
    size_t sz;
    rcp_uuid_record r;
    record_for(&r, 1, 1, 1);
    CHECK_ERR(rcp_store_digest(NULL, b32), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_uuid_register(NULL, &r, T0, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_ledger_count(NULL, 0, &n), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_alloc_count(NULL, &n), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_alloc_pending_acks(NULL, NULL, 0, &sz), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_hss_set_sqn(NULL, "001010000001000", 0, 1), RCP_ERR_INVALID_ARG);
}

/* Two fresh stores, memory and file, hold the same content: same digest. */
static void test_fresh_digest(void)
{
    char url[300], path[300];
    uint8_t dm[32], dm2[32], df[32];
    rcp_store *m = open_ok("sqlite::memory:");
    rcp_store *m2 = open_ok("sqlite::memory:");
    file_url(url, sizeof url, path, sizeof path);
    rcp_store *f = open_ok(url);

    digest(m, dm);
    digest(m2, dm2);
    digest(f, df);
    CHECK_MEM(dm2, dm, 32);
    CHECK_MEM(df, dm, 32);
    CHECK(strcmp(rcp_store_errmsg(m), "") == 0);
    CHECK_ERR(rcp_store_digest(m, NULL), RCP_ERR_INVALID_ARG);

    /* same operations, same digest; one differing field, another digest */
    reg(m, 1, 1, 2, T0);
    reg(f, 1, 1, 2, T0);
    reg(m2, 1, 1, 2, T0 + 1);
    digest(m, dm);
    digest(f, df);
    digest(m2, dm2);
    CHECK_MEM(df, dm, 32);
    CHECK(memcmp(dm, dm2, 32) != 0);
    rcp_store_close(m);
    rcp_store_close(m2);
    rcp_store_close(f);
}

/* Every table counts: a successful write that touches only one table
 * (SQN: hss_subscriber; state: sn_allocation; a retry with the same
 * authorization: sn_nonce only) changes the digest. */
static void test_digest_covers(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_provision_result res;
    uint8_t d[8][32];
    preq p;
    int k = 0;

    digest(st, d[k++]);
    reg(st, 1, 1, 2, T0);
    digest(st, d[k++]);
    CHECK_OK(authorize(st, 1, 10, 1, T0));
    digest(st, d[k++]);
    CHECK_OK(ack(st, 10, 1, 1, T0, NULL));
    digest(st, d[k++]);
    preq_init(&p, 1, 1, 10, 1, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0, &res));
    digest(st, d[k++]);
    preq_init(&p, 1, 1, 10, 2, 1); /* same authorization: only a nonce is added */
    CHECK_OK(rcp_store_provision(st, &p.req, T0, &res));
    CHECK(res.reused == 1);
    digest(st, d[k++]);
    CHECK_OK(rcp_store_hss_set_sqn(st, res.sub.imsi, 0, 1));
    digest(st, d[k++]);
    CHECK_OK(rcp_store_alloc_set_state(st, res.sub.imsi, RCP_ALLOC_AKA_OK));
    digest(st, d[k++]);
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (memcmp(d[i], d[j], 32) == 0)
                rcp_t_fail_at(__FILE__, __LINE__, "digest %d equals digest %d", i, j);
            else
                rcp_t_pass++;
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
}

/* The AS tables count on their own: two stores that differ in one AS table
 * only (the registry's SP name, an authorization's expiry, a ledger
 * record) have different digests. */
static void test_digest_as_tables(void)
{
    rcp_store *x = open_ok("sqlite::memory:");
    rcp_store *y = open_ok("sqlite::memory:");
    rcp_uuid_record r;
    uint8_t u[RCP_UUID_LEN], a[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN], dx[32], dy[32];

    record_for(&r, 1, 1, 2);
    CHECK_OK(rcp_store_uuid_register(x, &r, T0, NULL));
    snprintf(r.sp, sizeof r.sp, "other.example.org");
    CHECK_OK(rcp_store_uuid_register(y, &r, T0, NULL));
    digest(x, dx);
    digest(y, dy);
    CHECK(memcmp(dx, dy, 32) != 0);
    rcp_store_close(y);

    y = open_ok("sqlite::memory:");
    record_for(&r, 1, 1, 2);
    CHECK_OK(rcp_store_uuid_register(y, &r, T0, NULL));
    digest(x, dx);
    digest(y, dy);
    CHECK_MEM(dy, dx, 32);
    uuid_of(u, 1);
    authz_of(a, 1);
    sn_of(sn, 1);
    CHECK_OK(rcp_store_authorize(x, u, a, sn, T0, T0 + DAY, NULL, 0));
    CHECK_OK(rcp_store_authorize(y, u, a, sn, T0, T0 + 2 * DAY, NULL, 0));
    digest(x, dx);
    digest(y, dy);
    CHECK(memcmp(dx, dy, 32) != 0);
    rcp_store_close(x);
    rcp_store_close(y);

    /* and the ledger: the same authorization, another record */
    static const uint8_t rec_x[3] = {1, 2, 3}, rec_y[3] = {1, 2, 4};
    x = open_ok("sqlite::memory:");
    y = open_ok("sqlite::memory:");
    record_for(&r, 1, 1, 2);
    CHECK_OK(rcp_store_uuid_register(x, &r, T0, NULL));
    CHECK_OK(rcp_store_uuid_register(y, &r, T0, NULL));
    CHECK_OK(rcp_store_authorize(x, u, a, sn, T0, T0 + DAY, rec_x, sizeof rec_x));
    CHECK_OK(rcp_store_authorize(y, u, a, sn, T0, T0 + DAY, rec_y, sizeof rec_y));
    digest(x, dx);
    digest(y, dy);
    CHECK(memcmp(dx, dy, 32) != 0);
    rcp_store_close(x);
    rcp_store_close(y);
}

/* ================================================= Authorization Server */

static void test_register(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_uuid_record r, got;
    rcp_ledger_entry *e = malloc(sizeof *e);
    uint8_t zero[RCP_AUTHZ_ID_LEN] = {0};
    int created = -1;

    record_for(&r, 1, 1, 2);
    r.authorizations = 7; /* ignored on input */
    r.state = RCP_UUID_USED;
    r.registered_at = 12345;
    CHECK_OK(rcp_store_uuid_register(st, &r, T0, &created));
    CHECK(created == 1);
    CHECK(strcmp(rcp_store_errmsg(st), "") == 0);
    CHECK_OK(rcp_store_uuid_get(st, r.uuid, &got));
    CHECK_MEM(got.uuid, r.uuid, RCP_UUID_LEN);
    CHECK_MEM(got.tre_kid, r.tre_kid, RCP_KID_LEN);
    CHECK(strcmp(got.sp, "sp.example.org") == 0);
    CHECK(got.max_authorizations == 2);
    CHECK(got.authorizations == 0);
    CHECK(got.state == RCP_UUID_REGISTERED);
    CHECK(got.registered_at == T0);

    /* idempotent: the same registration again changes nothing */
    created = -1;
    CHECK_NOOP(st, rcp_store_uuid_register(st, &r, T0 + 50, &created));
    CHECK(created == 0);
    CHECK_NOOP(st, rcp_store_uuid_register(st, &r, T0 + 50, NULL));
    CHECK(ledger_n(st, 0) == 1);

    /* the same UUID for another TRE, SP or policy: a conflict */
    rcp_uuid_record other = r;
    kid_of(other.tre_kid, 2);
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, T0, &created), RCP_ERR_EXISTS);
    CHECK(strstr(g_msg, "another TRE") != NULL);
    other = r;
    snprintf(other.sp, sizeof other.sp, "other-sp");
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, T0, &created), RCP_ERR_EXISTS);
    other = r;
    other.max_authorizations = 3;
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, T0, &created), RCP_ERR_EXISTS);

    /* malformed registrations */
    other = r;
    uuid_of(other.uuid, 9);
    other.sp[0] = '\0';
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, T0, NULL), RCP_ERR_INVALID_ARG);
    memset(other.sp, 'a', sizeof other.sp); /* no NUL inside the array */
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, T0, NULL), RCP_ERR_INVALID_ARG);
    snprintf(other.sp, sizeof other.sp, "bad\nsp");
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, T0, NULL), RCP_ERR_INVALID_ARG);
    memset(other.sp, 'a', 63); /* 63 characters + NUL: the longest allowed */
    other.sp[63] = '\0';
    other.max_authorizations = 0;
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, T0, NULL), RCP_ERR_INVALID_ARG);
    other.max_authorizations = UINT32_MAX;
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, &other, (uint64_t)INT64_MAX + 1, NULL),
                      RCP_ERR_RANGE);
    CHECK_FAILS_CLEAN(st, rcp_store_uuid_register(st, NULL, T0, NULL), RCP_ERR_INVALID_ARG);
    CHECK_OK(rcp_store_uuid_register(st, &other, (uint64_t)INT64_MAX, &created));
    CHECK(created == 1);
    CHECK_OK(rcp_store_uuid_get(st, other.uuid, &got));
    CHECK(strlen(got.sp) == 63 && got.max_authorizations == UINT32_MAX);
    CHECK(got.registered_at == (uint64_t)INT64_MAX);

    /* lookups */
    uint8_t unknown[RCP_UUID_LEN];
    uuid_of(unknown, 77);
    CHECK_ERR(rcp_store_uuid_get(st, unknown, &got), RCP_ERR_NOT_FOUND);
    CHECK(strstr(rcp_store_errmsg(st), "is not registered") != NULL);
    CHECK_ERR(rcp_store_uuid_get(st, NULL, &got), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_uuid_get(st, unknown, NULL), RCP_ERR_INVALID_ARG);

    /* the ledger has one REGISTER entry per created UUID, nothing else */
    CHECK(ledger_n(st, 0) == 2);
    CHECK(ledger_n(st, RCP_LEDGER_REGISTER) == 2);
    CHECK_OK(rcp_store_ledger_get(st, 1, e));
    CHECK(e->seq == 1 && e->kind == RCP_LEDGER_REGISTER && e->at == T0 && e->record_len == 0);
    CHECK_MEM(e->uuid, r.uuid, RCP_UUID_LEN);
    CHECK_MEM(e->authz_id, zero, RCP_AUTHZ_ID_LEN);
    CHECK_MEM(e->sn_kid, zero, RCP_KID_LEN);
    free(e);
    rcp_store_close(st);
}

static void test_authorize(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_uuid_record got;
    rcp_authorization a;
    rcp_ledger_entry *e = malloc(sizeof *e);
    uint8_t u[RCP_UUID_LEN], az[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN];
    uint8_t big[RCP_STORE_RECORD_MAX + 1];

    uuid_of(u, 1);
    authz_of(az, 100);
    sn_of(sn, 1);
    memset(big, 0x42, sizeof big);

    CHECK_FAILS_CLEAN(st, authorize(st, 1, 100, 1, T0), RCP_ERR_NOT_FOUND);
    CHECK(strstr(g_msg, "is not registered at this Authorization Server") != NULL);
    reg(st, 1, 1, 2, T0);

    /* malformed calls change nothing */
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, u, az, sn, T0, T0, NULL, 0), RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, u, az, sn, T0, T0 - 1, NULL, 0),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, u, az, sn, T0, T0 + 1, big, sizeof big),
                      RCP_ERR_LENGTH);
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, u, az, sn, T0, T0 + 1, NULL, 3),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, NULL, az, sn, T0, T0 + 1, NULL, 0),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, u, NULL, sn, T0, T0 + 1, NULL, 0),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, u, az, NULL, T0, T0 + 1, NULL, 0),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_authorize(st, u, az, sn, T0, (uint64_t)INT64_MAX + 1, NULL, 0),
                      RCP_ERR_RANGE);

    /* first authorization: a record of the largest size */
    CHECK_OK(rcp_store_authorize(st, u, az, sn, T0 + 10, T0 + DAY, big, RCP_STORE_RECORD_MAX));
    CHECK_OK(rcp_store_uuid_get(st, u, &got));
    CHECK(got.state == RCP_UUID_AUTHORIZED && got.authorizations == 1);
    CHECK_OK(rcp_store_authz_get(st, az, &a));
    CHECK_MEM(a.authz_id, az, RCP_AUTHZ_ID_LEN);
    CHECK_MEM(a.uuid, u, RCP_UUID_LEN);
    CHECK_MEM(a.sn_kid, sn, RCP_KID_LEN);
    CHECK(a.issued_at == T0 + 10 && a.expires == T0 + DAY && a.acked == 0 && a.acked_at == 0);
    CHECK_OK(rcp_store_ledger_get(st, 2, e));
    CHECK(e->kind == RCP_LEDGER_AUTHORIZE && e->at == T0 + 10);
    CHECK(e->record_len == RCP_STORE_RECORD_MAX);
    CHECK_MEM(e->record, big, RCP_STORE_RECORD_MAX);
    CHECK_MEM(e->authz_id, az, RCP_AUTHZ_ID_LEN);
    CHECK_MEM(e->sn_kid, sn, RCP_KID_LEN);

    /* the same authz_id again (count still allows one more): EXISTS */
    CHECK_FAILS_CLEAN(st, authorize(st, 1, 100, 1, T0 + 20), RCP_ERR_EXISTS);
    /* an authz_id is unique across UUIDs too */
    reg(st, 2, 2, 1, T0);
    CHECK_FAILS_CLEAN(st, authorize(st, 2, 100, 1, T0 + 20), RCP_ERR_EXISTS);
    /* second authorization (a retry, possibly by another SN), then the limit */
    CHECK_OK(authorize(st, 1, 101, 2, T0 + 30));
    CHECK_OK(rcp_store_uuid_get(st, u, &got));
    CHECK(got.state == RCP_UUID_AUTHORIZED && got.authorizations == 2);
    CHECK_FAILS_CLEAN(st, authorize(st, 1, 102, 1, T0 + 40), RCP_ERR_LIMIT);
    CHECK(strstr(g_msg, "all 2 authorizations") != NULL);
    /* a zero-length record is allowed */
    uuid_of(u, 2);
    authz_of(az, 200);
    CHECK_OK(rcp_store_authorize(st, u, az, sn, T0 + 50, T0 + 51, NULL, 0));
    CHECK_OK(rcp_store_ledger_get(st, 5, e));
    CHECK(e->kind == RCP_LEDGER_AUTHORIZE && e->record_len == 0);

    /* used up: after the ack, no further authorization, even below the limit */
    reg(st, 3, 3, 5, T0);
    CHECK_OK(authorize(st, 3, 300, 1, T0 + 60));
    CHECK_OK(ack(st, 300, 3, 1, T0 + 70, NULL));
    CHECK_FAILS_CLEAN(st, authorize(st, 3, 301, 1, T0 + 80), RCP_ERR_REPLAY);
    CHECK(strstr(g_msg, "used up") != NULL);

    /* authz_get errors */
    authz_of(az, 999);
    CHECK_ERR(rcp_store_authz_get(st, az, &a), RCP_ERR_NOT_FOUND);
    CHECK_ERR(rcp_store_authz_get(st, NULL, &a), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_authz_get(st, az, NULL), RCP_ERR_INVALID_ARG);
    free(e);
    rcp_store_close(st);
}

static void test_acknowledge(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_uuid_record got;
    rcp_authorization a;
    rcp_ledger_entry *e = malloc(sizeof *e);
    uint8_t u[RCP_UUID_LEN], az[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN], rec[24];
    uint8_t big[RCP_STORE_RECORD_MAX + 1] = {0};
    int first = -1;

    reg(st, 1, 1, 3, T0);
    CHECK_OK(authorize(st, 1, 100, 1, T0 + 1));
    CHECK_OK(authorize(st, 1, 101, 2, T0 + 2)); /* a second SN got one too */
    uuid_of(u, 1);
    authz_of(az, 100);
    sn_of(sn, 1);

    CHECK_FAILS_CLEAN(st, ack(st, 999, 1, 1, T0 + 5, &first), RCP_ERR_NOT_FOUND);
    CHECK(strstr(g_msg, "never granted") != NULL);
    CHECK_FAILS_CLEAN(st, ack(st, 100, 1, 2, T0 + 5, &first), RCP_ERR_PROTOCOL); /* wrong SN */
    reg(st, 2, 2, 1, T0);
    CHECK_FAILS_CLEAN(st, ack(st, 100, 2, 1, T0 + 5, &first), RCP_ERR_PROTOCOL); /* wrong UUID */
    CHECK_FAILS_CLEAN(st, rcp_store_acknowledge(st, az, u, sn, T0, big, sizeof big, &first),
                      RCP_ERR_LENGTH);
    CHECK_FAILS_CLEAN(st, rcp_store_acknowledge(st, az, u, sn, T0, NULL, 1, &first),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_acknowledge(st, NULL, u, sn, T0, NULL, 0, &first),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_acknowledge(st, az, NULL, sn, T0, NULL, 0, &first),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_acknowledge(st, az, u, NULL, T0, NULL, 0, &first),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(
        st, rcp_store_acknowledge(st, az, u, sn, (uint64_t)INT64_MAX + 1, NULL, 0, &first),
        RCP_ERR_RANGE);
    CHECK(first == -1); /* failed calls do not write outputs */

    uint64_t acks = ledger_n(st, RCP_LEDGER_ACK), all = ledger_n(st, 0);
    CHECK(acks == 0);
    CHECK_OK(ack(st, 100, 1, 1, T0 + 10, &first));
    CHECK(first == 1);
    CHECK(ledger_n(st, RCP_LEDGER_ACK) == 1 && ledger_n(st, 0) == all + 1);
    CHECK_OK(rcp_store_uuid_get(st, u, &got));
    CHECK(got.state == RCP_UUID_USED && got.authorizations == 2);
    CHECK_OK(rcp_store_authz_get(st, az, &a));
    CHECK(a.acked == 1 && a.acked_at == T0 + 10);
    CHECK_OK(rcp_store_ledger_get(st, all + 1, e));
    fill(rec, sizeof rec, 0x3c, 100);
    CHECK(e->kind == RCP_LEDGER_ACK && e->at == T0 + 10 && e->record_len == sizeof rec);
    CHECK_MEM(e->record, rec, sizeof rec);
    CHECK_MEM(e->uuid, u, RCP_UUID_LEN);
    CHECK_MEM(e->authz_id, az, RCP_AUTHZ_ID_LEN);
    CHECK_MEM(e->sn_kid, sn, RCP_KID_LEN);

    /* a retried ack: 0, first = 0, nothing new (not even its time) */
    first = -1;
    CHECK_NOOP(st, ack(st, 100, 1, 1, T0 + 99, &first));
    CHECK(first == 0);
    CHECK_NOOP(st, ack(st, 100, 1, 1, T0 + 99, NULL));
    CHECK_OK(rcp_store_authz_get(st, az, &a));
    CHECK(a.acked_at == T0 + 10);
    CHECK(ledger_n(st, RCP_LEDGER_ACK) == 1);
    /* the wrong SN is refused also after the ack */
    CHECK_FAILS_CLEAN(st, ack(st, 100, 1, 2, T0 + 99, &first), RCP_ERR_PROTOCOL);
    /* the other authorization of the used-up UUID cannot be acked: one ack per UUID */
    CHECK_FAILS_CLEAN(st, ack(st, 101, 1, 2, T0 + 99, &first), RCP_ERR_REPLAY);
    CHECK(strstr(g_msg, "another authorization") != NULL);
    free(e);
    rcp_store_close(st);
}

static void test_ledger(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_ledger_entry *e = malloc(sizeof *e);
    uint64_t n;

    /* interleave two UUIDs; the ledger keeps commit order */
    reg(st, 1, 1, 2, T0 + 1);
    reg(st, 2, 2, 2, T0 + 2);
    CHECK_OK(authorize(st, 2, 20, 1, T0 + 3));
    CHECK_OK(authorize(st, 1, 10, 2, T0 + 4));
    CHECK_OK(ack(st, 10, 1, 2, T0 + 5, NULL));
    CHECK_OK(authorize(st, 2, 21, 1, T0 + 6));
    CHECK_OK(ack(st, 21, 2, 1, T0 + 7, NULL));
    static const struct {
        rcp_ledger_kind kind;
        unsigned uuid, authz, sn;
    } want[] = {
        {RCP_LEDGER_REGISTER, 1, 0, 0},   {RCP_LEDGER_REGISTER, 2, 0, 0},
        {RCP_LEDGER_AUTHORIZE, 2, 20, 1}, {RCP_LEDGER_AUTHORIZE, 1, 10, 2},
        {RCP_LEDGER_ACK, 1, 10, 2},       {RCP_LEDGER_AUTHORIZE, 2, 21, 1},
        {RCP_LEDGER_ACK, 2, 21, 1},
    };
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint8_t u[RCP_UUID_LEN], a[RCP_AUTHZ_ID_LEN] = {0}, sn[RCP_KID_LEN] = {0}, rec[40];
        CHECK_OK(rcp_store_ledger_get(st, i + 1, e));
        uuid_of(u, want[i].uuid);
        if (want[i].authz) {
            authz_of(a, want[i].authz);
            sn_of(sn, want[i].sn);
        }
        CHECK(e->seq == i + 1 && e->kind == want[i].kind && e->at == T0 + 1 + i);
        CHECK_MEM(e->uuid, u, RCP_UUID_LEN);
        CHECK_MEM(e->authz_id, a, RCP_AUTHZ_ID_LEN);
        CHECK_MEM(e->sn_kid, sn, RCP_KID_LEN);
        if (want[i].kind == RCP_LEDGER_AUTHORIZE) {
            fill(rec, 40, 0x5a, want[i].authz);
            CHECK(e->record_len == 40);
            CHECK_MEM(e->record, rec, 40);
        }
    }
    CHECK(ledger_n(st, 0) == 7);
    CHECK(ledger_n(st, RCP_LEDGER_REGISTER) == 2);
    CHECK(ledger_n(st, RCP_LEDGER_AUTHORIZE) == 3);
    CHECK(ledger_n(st, RCP_LEDGER_ACK) == 2);
    CHECK_ERR(rcp_store_ledger_get(st, 8, e), RCP_ERR_NOT_FOUND);
    CHECK_ERR(rcp_store_ledger_get(st, 0, e), RCP_ERR_NOT_FOUND);
    CHECK_ERR(rcp_store_ledger_get(st, UINT64_MAX, e), RCP_ERR_NOT_FOUND);
    CHECK_ERR(rcp_store_ledger_get(st, 1, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_ledger_count(st, (rcp_ledger_kind)4, &n), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_ledger_count(st, 0, NULL), RCP_ERR_INVALID_ARG);
    free(e);
    rcp_store_close(st);
}

/* ======================================================= Serving Network */

static void check_sub(const rcp_hss_subscriber *sub, const preq *p, const char *imsi)
{
    CHECK(strcmp(sub->imsi, imsi) == 0);
    CHECK_MEM(sub->k, p->k, 16);
    CHECK_MEM(sub->opc, p->opc, 16);
    CHECK_MEM(&sub->consts, &p->consts, sizeof p->consts);
}

static void test_provision(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_provision_result res, res2;
    rcp_hss_subscriber sub;
    rcp_allocation al;
    preq p, retry, bad;
    uint64_t n;

    /* a new allocation: the first MSIN, zero-padded; SQN 0; state PROVISIONED */
    preq_init(&p, 1, 1, 100, 1, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0, &res));
    CHECK(res.reused == 0);
    check_sub(&res.sub, &p, "001010000001000");
    CHECK(res.sub.sqn == 0);
    CHECK_OK(rcp_store_hss_get(st, "001010000001000", &sub));
    check_sub(&sub, &p, "001010000001000");
    CHECK(sub.sqn == 0);
    CHECK_OK(rcp_store_alloc_by_uuid(st, p.req.uuid, &al));
    CHECK(strcmp(al.imsi, "001010000001000") == 0 && al.state == RCP_ALLOC_PROVISIONED);
    CHECK_MEM(al.uuid, p.req.uuid, RCP_UUID_LEN);
    CHECK_MEM(al.authz_id, p.req.authz_id, RCP_AUTHZ_ID_LEN);
    CHECK_MEM(al.tre_kid, p.req.tre_kid, RCP_KID_LEN);
    CHECK(strcmp(al.auths, "auths.example.org") == 0);
    CHECK_OK(rcp_store_alloc_by_imsi(st, "001010000001000", &al));
    CHECK_MEM(al.uuid, p.req.uuid, RCP_UUID_LEN);

    /* the same session nonce again: a replay, nothing changes */
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &p.req, T0 + 1, &res2), RCP_ERR_REPLAY);
    CHECK(strstr(g_msg, "already consumed") != NULL);
    /* even for another UUID */
    preq_init(&bad, 2, 2, 200, 1, 2);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0 + 1, &res2), RCP_ERR_REPLAY);

    /* a retry (new session, new authorization, fresh K offered): the same
     * IMSI and the first K; the authorization is updated */
    preq_init(&retry, 1, 1, 101, 2, 99);
    snprintf(retry.auths, sizeof retry.auths, "auths2.example.net"); /* another AuthS */
    CHECK_OK(rcp_store_provision(st, &retry.req, T0 + 2, &res2));
    CHECK(res2.reused == 1);
    check_sub(&res2.sub, &p, "001010000001000");
    CHECK_OK(rcp_store_alloc_by_uuid(st, p.req.uuid, &al));
    CHECK_MEM(al.authz_id, retry.req.authz_id, RCP_AUTHZ_ID_LEN);
    CHECK(strcmp(al.auths, "auths2.example.net") == 0);
    CHECK_OK(rcp_store_alloc_count(st, &n));
    CHECK(n == 1);

    /* a retry from another TRE is refused: K never goes to another TRE */
    preq_init(&bad, 1, 2, 102, 3, 3);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0 + 3, &res2), RCP_ERR_PROTOCOL);
    CHECK(strstr(g_msg, "not for this TRE") != NULL);
    /* ... and its nonce was not consumed: the rollback took it back */
    preq_init(&bad, 9, 9, 109, 3, 9);
    CHECK_OK(rcp_store_provision(st, &bad.req, T0 + 3, &res2));
    CHECK(strcmp(res2.sub.imsi, "001010000001001") == 0 && res2.reused == 0);

    /* fill the range: 1002, 1003, 1004, then exhausted */
    for (unsigned i = 0; i < 3; i++) {
        char want[16];
        preq_init(&bad, 10 + i, 10 + i, 110 + i, 10 + i, 10 + i);
        CHECK_OK(rcp_store_provision(st, &bad.req, T0 + 4, &res2));
        snprintf(want, sizeof want, "00101000000%04u", 1002 + i);
        CHECK(strcmp(res2.sub.imsi, want) == 0);
    }
    preq_init(&bad, 20, 20, 120, 20, 20);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0 + 5, &res2), RCP_ERR_LIMIT);
    CHECK(strstr(g_msg, "exhausted") != NULL);
    /* a retry still gets its IMSI back from an exhausted range */
    preq_init(&retry, 1, 1, 103, 21, 21);
    CHECK_OK(rcp_store_provision(st, &retry.req, T0 + 6, &res2));
    CHECK(res2.reused == 1 && strcmp(res2.sub.imsi, "001010000001000") == 0);

    /* a changed range never collides with earlier IMSIs: [1002, 1010]
     * continues above the highest one held, 1005 */
    preq_init(&bad, 21, 21, 121, 22, 22);
    bad.req.msin_first = 1002;
    bad.req.msin_last = 1010;
    CHECK_OK(rcp_store_provision(st, &bad.req, T0 + 7, &res2));
    CHECK(strcmp(res2.sub.imsi, "001010000001005") == 0);
    /* a range below the used one starts at its own first MSIN */
    preq_init(&bad, 22, 22, 122, 23, 23);
    bad.req.msin_first = 0;
    bad.req.msin_last = 9;
    CHECK_OK(rcp_store_provision(st, &bad.req, T0 + 7, &res2));
    CHECK(strcmp(res2.sub.imsi, "001010000000000") == 0);
    /* a 3-digit MNC whose IMSIs overlap the 2-digit one's numerically:
     * 001 012 xxxxxxxxx vs 001 01 2xxxxxxxxx */
    preq_init(&bad, 23, 23, 123, 24, 24);
    snprintf(bad.mnc, sizeof bad.mnc, "012");
    bad.req.msin_digits = 9;
    bad.req.msin_first = 0;
    bad.req.msin_last = 999999999;
    CHECK_OK(rcp_store_provision(st, &bad.req, T0 + 8, &res2));
    CHECK(strcmp(res2.sub.imsi, "001012000000000") == 0);
    preq_init(&bad, 24, 24, 124, 25, 25);
    bad.req.msin_first = 2000000000;
    bad.req.msin_last = 2000000001;
    CHECK_OK(rcp_store_provision(st, &bad.req, T0 + 8, &res2));
    CHECK(strcmp(res2.sub.imsi, "001012000000001") == 0); /* not ...000 again */
    /* the largest MSIN of a 9-digit range */
    preq_init(&bad, 25, 25, 125, 26, 26);
    snprintf(bad.mcc, sizeof bad.mcc, "999");
    snprintf(bad.mnc, sizeof bad.mnc, "999");
    bad.req.msin_digits = 9;
    bad.req.msin_first = 999999999;
    bad.req.msin_last = 999999999;
    memset(bad.auths, 'a', RCP_STORE_NAME_MAX); /* the longest name */
    bad.auths[RCP_STORE_NAME_MAX] = '\0';
    CHECK_OK(rcp_store_provision(st, &bad.req, T0 + 9, &res2));
    CHECK(strcmp(res2.sub.imsi, "999999999999999") == 0);
    CHECK_OK(rcp_store_alloc_by_imsi(st, "999999999999999", &al));
    CHECK(strlen(al.auths) == RCP_STORE_NAME_MAX);
    CHECK_OK(rcp_store_alloc_count(st, &n));
    CHECK(n == 10);

    /* malformed requests change nothing */
    const struct {
        const char *mcc, *mnc;
        unsigned digits;
        uint64_t first, last;
    } badreq[] = {
        {"01", "01", 10, 0, 1},
        {"0011", "01", 9, 0, 1},
        {"0a1", "01", 10, 0, 1},
        {"001", "1", 11, 0, 1},
        {"001", "0123", 8, 0, 1},
        {"001", "0x", 10, 0, 1},
        {"001", "01", 9, 0, 1},
        {"001", "01", 11, 0, 1},
        {"001", "01", 10, 5, 4},
        {"001", "01", 10, 0, 10000000000ULL},
        {"001", "012", 9, 1000000000, 1000000000},
        {"", "01", 12, 0, 1},
    };
    for (unsigned i = 0; i < sizeof badreq / sizeof badreq[0]; i++) {
        preq_init(&bad, 30 + i, 30, 130, 30 + i, 30);
        bad.req.mcc = badreq[i].mcc;
        bad.req.mnc = badreq[i].mnc;
        bad.req.msin_digits = badreq[i].digits;
        bad.req.msin_first = badreq[i].first;
        bad.req.msin_last = badreq[i].last;
        CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    }
    preq_init(&bad, 40, 40, 140, 40, 40);
    bad.req.mcc = NULL;
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    preq_init(&bad, 40, 40, 140, 40, 40);
    bad.req.auths = NULL;
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    static const char *const bad_auths[] = {"", "auths example.org", "auths.example.org\n", "\x7f"};
    for (size_t i = 0; i < sizeof bad_auths / sizeof bad_auths[0]; i++) {
        preq_init(&bad, 40, 40, 140, 40, 40);
        snprintf(bad.auths, sizeof bad.auths, "%s", bad_auths[i]);
        CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    }
    preq_init(&bad, 40, 40, 140, 40, 40);
    memset(bad.auths, 'a', RCP_STORE_NAME_MAX + 1); /* 254 characters */
    bad.auths[RCP_STORE_NAME_MAX + 1] = '\0';
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    preq_init(&bad, 40, 40, 140, 40, 40);
    bad.req.k = NULL;
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    preq_init(&bad, 40, 40, 140, 40, 40);
    bad.req.opc = NULL;
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    preq_init(&bad, 40, 40, 140, 40, 40);
    bad.req.consts = NULL;
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    preq_init(&bad, 40, 40, 140, 40, 40);
    bad.consts.r[4] = 128;
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, &res2), RCP_ERR_INVALID_ARG);
    preq_init(&bad, 40, 40, 140, 40, 40);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, (uint64_t)INT64_MAX + 1, &res2),
                      RCP_ERR_RANGE);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, NULL, T0, &res2), RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &bad.req, T0, NULL), RCP_ERR_INVALID_ARG);

    /* lookups */
    CHECK_ERR(rcp_store_hss_get(st, "001010000009999", &sub), RCP_ERR_NOT_FOUND);
    CHECK_ERR(rcp_store_hss_get(st, "00101000000999", &sub), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_hss_get(st, "0010100000099999", &sub), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_hss_get(st, "00101000000999x", &sub), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_hss_get(st, NULL, &sub), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_hss_get(st, "001010000001000", NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_alloc_by_imsi(st, "001010000009999", &al), RCP_ERR_NOT_FOUND);
    CHECK_ERR(rcp_store_alloc_by_imsi(st, "1234", &al), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_alloc_by_imsi(st, "001010000001000", NULL), RCP_ERR_INVALID_ARG);
    uint8_t unknown[RCP_UUID_LEN];
    uuid_of(unknown, 777);
    CHECK_ERR(rcp_store_alloc_by_uuid(st, unknown, &al), RCP_ERR_NOT_FOUND);
    CHECK(strstr(rcp_store_errmsg(st), "has no IMSI allocation") != NULL);
    CHECK_ERR(rcp_store_alloc_by_uuid(st, NULL, &al), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_alloc_count(st, NULL), RCP_ERR_INVALID_ARG);
    rcp_wipe(&res, sizeof res);
    rcp_wipe(&res2, sizeof res2);
    rcp_wipe(&sub, sizeof sub);
    rcp_store_close(st);
}

/* One-time values (AKA RANDs) share the consumed-nonce table with the
 * session nonces of rcp_store_provision. */
static void test_nonce_consume(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_provision_result res;
    uint8_t n1[RCP_NONCE_LEN], n2[RCP_NONCE_LEN];
    preq p;

    nonce_of(n1, 1);
    nonce_of(n2, 2);
    CHECK_OK(rcp_store_nonce_consume(st, n1, T0));
    CHECK_FAILS_CLEAN(st, rcp_store_nonce_consume(st, n1, T0 + 1), RCP_ERR_REPLAY);
    CHECK(strstr(g_msg, "already consumed") != NULL);
    /* consumed here, refused as a session nonce */
    preq_init(&p, 1, 1, 1, 1, 1);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &p.req, T0, &res), RCP_ERR_REPLAY);
    /* consumed as a session nonce, refused here */
    preq_init(&p, 1, 1, 1, 2, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0, &res));
    CHECK_FAILS_CLEAN(st, rcp_store_nonce_consume(st, n2, T0 + 2), RCP_ERR_REPLAY);
    CHECK_FAILS_CLEAN(st, rcp_store_nonce_consume(st, NULL, T0), RCP_ERR_INVALID_ARG);
    nonce_of(n2, 3);
    CHECK_FAILS_CLEAN(st, rcp_store_nonce_consume(st, n2, (uint64_t)INT64_MAX + 1), RCP_ERR_RANGE);
    CHECK_OK(rcp_store_nonce_consume(st, n2, (uint64_t)INT64_MAX));
    CHECK_ERR(rcp_store_nonce_consume(NULL, n2, T0), RCP_ERR_INVALID_ARG);
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
}

static void test_hss_sqn(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_provision_result res;
    rcp_hss_subscriber sub;
    preq p;
    const char *imsi = "001010000001000";

    preq_init(&p, 1, 1, 1, 1, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0, &res));
    CHECK_OK(rcp_store_hss_set_sqn(st, imsi, 0, 32));
    CHECK_OK(rcp_store_hss_get(st, imsi, &sub));
    CHECK(sub.sqn == 32);
    check_sub(&sub, &p, imsi); /* only the SQN changed */
    /* a stale compare-and-set loses */
    CHECK_FAILS_CLEAN(st, rcp_store_hss_set_sqn(st, imsi, 0, 64), RCP_ERR_STATE);
    CHECK(strstr(g_msg, "no longer 0") != NULL);
    CHECK_OK(rcp_store_hss_set_sqn(st, imsi, 32, 0xffffffffffffULL)); /* the largest SQN */
    CHECK_OK(rcp_store_hss_get(st, imsi, &sub));
    CHECK(sub.sqn == 0xffffffffffffULL);
    CHECK_OK(rcp_store_hss_set_sqn(st, imsi, 0xffffffffffffULL, 64)); /* resync may go down */
    CHECK_NOOP(st, rcp_store_hss_set_sqn(st, imsi, 64, 64));
    CHECK_FAILS_CLEAN(st, rcp_store_hss_set_sqn(st, imsi, 64, 0x1000000000000ULL), RCP_ERR_RANGE);
    CHECK_FAILS_CLEAN(st, rcp_store_hss_set_sqn(st, imsi, 0x1000000000000ULL, 1), RCP_ERR_RANGE);
    CHECK_FAILS_CLEAN(st, rcp_store_hss_set_sqn(st, "001010000009999", 0, 1), RCP_ERR_NOT_FOUND);
    CHECK_FAILS_CLEAN(st, rcp_store_hss_set_sqn(st, "abc", 0, 1), RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_hss_set_sqn(st, NULL, 0, 1), RCP_ERR_INVALID_ARG);
    rcp_wipe(&res, sizeof res);
    rcp_wipe(&sub, sizeof sub);
    rcp_store_close(st);
}

static void test_alloc_state(const char *url)
{
    rcp_store *st = open_ok(url);
    rcp_provision_result res;
    rcp_allocation al, list[4];
    preq p;
    size_t n = 99;

    for (unsigned i = 0; i < 3; i++) {
        preq_init(&p, i, i, i, i, i);
        CHECK_OK(rcp_store_provision(st, &p.req, T0, &res));
    }
    const char *a = "001010000001000", *b = "001010000001001", *c = "001010000001002";
    CHECK_OK(rcp_store_alloc_pending_acks(st, list, 4, &n));
    CHECK(n == 0);
    /* no skipping AKA_OK: the ack comes only after the device's AKA */
    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, a, RCP_ALLOC_ACKED), RCP_ERR_STATE);
    CHECK(strstr(g_msg, "PROVISIONED to ACKED") != NULL);
    CHECK_NOOP(st, rcp_store_alloc_set_state(st, a, RCP_ALLOC_PROVISIONED));
    CHECK_OK(rcp_store_alloc_set_state(st, c, RCP_ALLOC_AKA_OK));
    CHECK_OK(rcp_store_alloc_set_state(st, a, RCP_ALLOC_AKA_OK));
    CHECK_NOOP(st, rcp_store_alloc_set_state(st, a, RCP_ALLOC_AKA_OK));
    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, a, RCP_ALLOC_PROVISIONED), RCP_ERR_STATE);
    CHECK_OK(rcp_store_alloc_by_imsi(st, a, &al));
    CHECK(al.state == RCP_ALLOC_AKA_OK);

    /* acks due, in IMSI order, bounded by max */
    CHECK_OK(rcp_store_alloc_pending_acks(st, list, 4, &n));
    CHECK(n == 2 && strcmp(list[0].imsi, a) == 0 && strcmp(list[1].imsi, c) == 0);
    CHECK(list[0].state == RCP_ALLOC_AKA_OK);
    uint8_t u0[RCP_UUID_LEN];
    uuid_of(u0, 0);
    CHECK_MEM(list[0].uuid, u0, RCP_UUID_LEN);
    CHECK_OK(rcp_store_alloc_pending_acks(st, list, 1, &n));
    CHECK(n == 1 && strcmp(list[0].imsi, a) == 0);
    CHECK_OK(rcp_store_alloc_pending_acks(st, NULL, 0, &n));
    CHECK(n == 0);
    CHECK_ERR(rcp_store_alloc_pending_acks(st, NULL, 1, &n), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_store_alloc_pending_acks(st, list, 1, NULL), RCP_ERR_INVALID_ARG);

    CHECK_OK(rcp_store_alloc_set_state(st, a, RCP_ALLOC_ACKED));
    CHECK_NOOP(st, rcp_store_alloc_set_state(st, a, RCP_ALLOC_ACKED));
    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, a, RCP_ALLOC_AKA_OK), RCP_ERR_STATE);
    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, a, RCP_ALLOC_PROVISIONED), RCP_ERR_STATE);
    CHECK_OK(rcp_store_alloc_pending_acks(st, list, 4, &n));
    CHECK(n == 1 && strcmp(list[0].imsi, c) == 0);
    CHECK_OK(rcp_store_alloc_by_imsi(st, b, &al));
    CHECK(al.state == RCP_ALLOC_PROVISIONED);

    /* a retry keeps the state (and never resets an acked allocation) */
    preq_init(&p, 0, 0, 50, 50, 50);
    CHECK_OK(rcp_store_provision(st, &p.req, T0 + 1, &res));
    CHECK(res.reused == 1);
    CHECK_OK(rcp_store_alloc_by_imsi(st, a, &al));
    CHECK(al.state == RCP_ALLOC_ACKED);

    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, "001010000009999", RCP_ALLOC_AKA_OK),
                      RCP_ERR_NOT_FOUND);
    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, b, (rcp_alloc_state)0),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, b, (rcp_alloc_state)4),
                      RCP_ERR_INVALID_ARG);
    CHECK_FAILS_CLEAN(st, rcp_store_alloc_set_state(st, NULL, RCP_ALLOC_AKA_OK),
                      RCP_ERR_INVALID_ARG);
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
}

/* ============================================= files: persistence, schema */

static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rcp_t_fail_at(__FILE__, __LINE__, "raw open %s", path);
        exit(1);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int raw_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* One integer from a raw query (-1 when there is no row). */
static long long raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static void test_persistence(void)
{
    char url[300], path[300];
    uint8_t d1[32], d2[32];
    rcp_provision_result res;
    rcp_uuid_record got;
    struct stat sb;
    preq p;

    file_url(url, sizeof url, path, sizeof path);
    rcp_store *st = open_ok(url);
    reg(st, 1, 1, 2, T0);
    CHECK_OK(authorize(st, 1, 10, 1, T0 + 1));
    preq_init(&p, 1, 1, 10, 1, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0 + 2, &res));
    CHECK_OK(rcp_store_hss_set_sqn(st, res.sub.imsi, 0, 32));
    digest(st, d1);
    rcp_store_close(st);

    /* the file is private (it holds K and OPc) and in WAL mode */
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    sqlite3 *db = raw_open(path);
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW &&
          strcmp((const char *)sqlite3_column_text(q, 0), "wal") == 0);
    sqlite3_finalize(q);
    CHECK(raw_int(db, "SELECT max(version) FROM schema_version") == RCP_STORE_SCHEMA_VERSION);
    sqlite3_close(db);

    /* reopened: the same content, the same answers */
    st = open_ok(url);
    digest(st, d2);
    CHECK_MEM(d2, d1, 32);
    CHECK_OK(rcp_store_uuid_get(st, p.req.uuid, &got));
    CHECK(got.authorizations == 1 && got.state == RCP_UUID_AUTHORIZED);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &p.req, T0 + 3, &res), RCP_ERR_REPLAY);
    preq_init(&p, 1, 1, 11, 2, 2);
    CHECK_OK(rcp_store_provision(st, &p.req, T0 + 3, &res));
    CHECK(res.reused == 1 && res.sub.sqn == 32);
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
}

static void test_schema_versions(void)
{
    char url[300], path[300], msg[RCP_STORE_ERRMSG_MAX];
    rcp_store *st = NULL;
    sqlite3 *db;

    /* a newer schema is refused, with a clear message, and left untouched */
    file_url(url, sizeof url, path, sizeof path);
    st = open_ok(url);
    rcp_store_close(st);
    db = raw_open(path);
    CHECK(raw_exec(db, "INSERT INTO schema_version (version) VALUES (2)") == SQLITE_OK);
    sqlite3_close(db);
    st = (rcp_store *)&db;
    CHECK_ERR(rcp_store_open_ex(url, &st, msg, sizeof msg), RCP_ERR_UNSUPPORTED);
    CHECK(st == NULL);
    CHECK(strstr(msg, "schema version 2 is newer") != NULL && strstr(msg, "upgrade rcprov"));
    CHECK_ERR(rcp_store_open(url, &st), RCP_ERR_UNSUPPORTED);
    db = raw_open(path);
    CHECK(raw_int(db, "SELECT count(*) FROM schema_version") == 2);
    sqlite3_close(db);

    /* version 0 (an empty schema_version, as left by hand or by an older
     * tool): migrated to the current version */
    file_url(url, sizeof url, path, sizeof path);
    db = raw_open(path);
    CHECK(raw_exec(db, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY)") == SQLITE_OK);
    sqlite3_close(db);
    st = open_ok(url);
    reg(st, 1, 1, 1, T0);
    rcp_store_close(st);
    db = raw_open(path);
    CHECK(raw_int(db, "SELECT max(version) FROM schema_version") == RCP_STORE_SCHEMA_VERSION);
    CHECK(raw_int(db, "SELECT count(*) FROM as_uuid") == 1);
    sqlite3_close(db);

    /* a migration that fails half-way changes nothing: the version-0 file
     * already holds a table the migration creates */
    file_url(url, sizeof url, path, sizeof path);
    db = raw_open(path);
    CHECK(raw_exec(db, "CREATE TABLE schema_version (version INTEGER PRIMARY KEY);"
                       "CREATE TABLE sn_nonce (x INTEGER)") == SQLITE_OK);
    sqlite3_close(db);
    CHECK_ERR(rcp_store_open_ex(url, &st, msg, sizeof msg), RCP_ERR_STORE);
    CHECK(strstr(msg, "migrating the store schema from version 0 to 1") != NULL);
    db = raw_open(path);
    CHECK(raw_int(db, "SELECT count(*) FROM schema_version") == 0);
    CHECK(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'as_uuid'") == 0);
    CHECK(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'") == 2);
    sqlite3_close(db);

    /* a file that is not a database at all */
    file_url(url, sizeof url, path, sizeof path);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < 256; i++)
            fputs("not a database ", f);
        fclose(f);
    }
    CHECK_ERR(rcp_store_open_ex(url, &st, msg, sizeof msg), RCP_ERR_STORE);
    CHECK(strstr(msg, "not a database") != NULL);
    CHECK(st == NULL);

    /* a database that is not ours is refused and left untouched */
    file_url(url, sizeof url, path, sizeof path);
    db = raw_open(path);
    CHECK(raw_exec(db, "CREATE TABLE customers (id INTEGER)") == SQLITE_OK);
    sqlite3_close(db);
    CHECK_ERR(rcp_store_open_ex(url, &st, msg, sizeof msg), RCP_ERR_STORE);
    CHECK(strstr(msg, "not an rcprov store") != NULL);
    db = raw_open(path);
    CHECK(raw_int(db, "SELECT count(*) FROM sqlite_master") == 1);
    sqlite3_stmt *q = NULL;
    CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(q) == SQLITE_ROW &&
          strcmp((const char *)sqlite3_column_text(q, 0), "delete") == 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* The schema enforces the invariants on its own: writes that bypass the
 * store's logic are refused by constraints and triggers. */
static void test_constraints(void)
{
    char url[300], path[300];
    uint8_t d1[32], d2[32];
    rcp_provision_result res;
    preq p;

    file_url(url, sizeof url, path, sizeof path);
    rcp_store *st = open_ok(url);
    reg(st, 1, 1, 2, T0);
    reg(st, 2, 2, 1, T0);
    CHECK_OK(authorize(st, 1, 10, 1, T0 + 1));
    CHECK_OK(ack(st, 10, 1, 1, T0 + 2, NULL));
    preq_init(&p, 1, 1, 10, 1, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0 + 3, &res));
    CHECK_OK(rcp_store_alloc_set_state(st, res.sub.imsi, RCP_ALLOC_AKA_OK));
    digest(st, d1);

    sqlite3 *db = raw_open(path);
    CHECK(raw_exec(db, "PRAGMA foreign_keys = ON") == SQLITE_OK);
    static const char *const refused[] = {
        /* ledger: append-only, in sequence, one entry per event, causes first */
        "UPDATE as_ledger SET at = 0 WHERE seq = 1",
        "DELETE FROM as_ledger WHERE seq = 4",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 9, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger WHERE seq = 1",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 5, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger WHERE seq = 1",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 5, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger WHERE seq = 4",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 5, 3, uuid, authz_id, x'0000000000000000', at, record "
        "FROM as_ledger WHERE seq = 4",
        "INSERT INTO as_ledger (seq, kind, uuid, at, record) "
        "SELECT 5, 2, uuid, registered_at, x'' FROM as_uuid WHERE state = 1",
        /* registry: facts immutable, count and state only grow, USED final */
        "UPDATE as_uuid SET tre_kid = x'0000000000000000'",
        "UPDATE as_uuid SET state = 1, authorizations = 0 WHERE state = 3",
        "UPDATE as_uuid SET authorizations = 2 WHERE state = 3",
        "UPDATE as_uuid SET authorizations = 5",
        "DELETE FROM as_uuid",
        /* authorizations: counted, not for a used-up UUID, acked once */
        "INSERT INTO as_authorization (authz_id, uuid, sn_kid, issued_at, expires_at) "
        "SELECT x'00000000000000000000000000000001', uuid, x'0000000000000000', 1, 2 "
        "FROM as_uuid WHERE state = 3",
        "INSERT INTO as_authorization (authz_id, uuid, sn_kid, issued_at, expires_at) "
        "SELECT x'00000000000000000000000000000001', uuid, x'0000000000000000', 1, 2 "
        "FROM as_uuid WHERE state = 1",
        "UPDATE as_authorization SET acked_at = 1",
        "DELETE FROM as_authorization",
        /* SN: IMSIs never released, state forward only, nonces stay */
        "UPDATE sn_allocation SET state = 1",
        "UPDATE sn_allocation SET imsi = '001010000009999'",
        "DELETE FROM sn_allocation",
        "INSERT INTO sn_allocation (imsi, uuid, authz_id, tre_kid, state, allocated_at) "
        "SELECT '001010000009999', x'000102030405060708090a0b0c0d0e0f', authz_id, tre_kid, "
        "1, 0 FROM sn_allocation",
        "INSERT INTO sn_allocation (imsi, uuid, authz_id, tre_kid, state, allocated_at) "
        "SELECT imsi, x'000102030405060708090a0b0c0d0e0f', authz_id, tre_kid, 1, 0 "
        "FROM sn_allocation",
        "UPDATE sn_allocation SET auths = ''",
        "INSERT INTO sn_nonce VALUES (x'000102030405060708090a0b0c0d0e0f', x'01', 0)",
        "DELETE FROM sn_nonce",
        "UPDATE sn_nonce SET consumed_at = 0",
        "INSERT INTO sn_nonce SELECT nonce, uuid, 0 FROM sn_nonce",
        /* HSS: only SQN changes, within 48 bits; a subscriber with an
         * allocation stays; types are strict */
        "UPDATE hss_subscriber SET k = x'00000000000000000000000000000000'",
        "UPDATE hss_subscriber SET sqn = 281474976710656",
        "UPDATE hss_subscriber SET sqn = -1",
        "DELETE FROM hss_subscriber",
        "INSERT INTO hss_subscriber SELECT '00101000000100x', k, opc, r1, r2, r3, r4, r5, c1, "
        "c2, c3, c4, c5, 0 FROM hss_subscriber",
        "INSERT INTO hss_subscriber SELECT '001010000001999', 'text-k', opc, r1, r2, r3, r4, "
        "r5, c1, c2, c3, c4, c5, 0 FROM hss_subscriber",
        "INSERT INTO hss_subscriber SELECT '001010000001999', k, opc, 128, r2, r3, r4, r5, c1, "
        "c2, c3, c4, c5, 0 FROM hss_subscriber",
        "INSERT INTO schema_version (version) VALUES (0)",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        int rc = raw_exec(db, refused[i]);
        if ((rc & 0xff) != SQLITE_CONSTRAINT)
            rcp_t_fail_at(__FILE__, __LINE__, "not refused (rc %d): %s", rc, refused[i]);
        else
            rcp_t_pass++;
    }
    sqlite3_close(db);
    digest(st, d2);
    CHECK_MEM(d2, d1, 32);
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
}

/* ================================================ two instances, one file */

/* Two handles on one file (or one PostgreSQL database), interleaved call by
 * call, as two instances of a network function would be: each sees the
 * other's commits, and the invariants hold across them. */
static void test_two_handles(const char *url)
{
    rcp_provision_result r1, r2;
    rcp_hss_subscriber s1, s2;
    rcp_uuid_record got;
    uint8_t da[32], db[32];
    preq p;
    int first = -1;

    rcp_store *a = open_ok(url);
    rcp_store *b = open_ok(url);

    reg(a, 1, 1, 2, T0);
    CHECK_OK(rcp_store_uuid_get(b, (uuid_of(got.uuid, 1), got.uuid), &got));
    CHECK(got.state == RCP_UUID_REGISTERED);
    CHECK_OK(authorize(b, 1, 10, 1, T0 + 1));
    CHECK_FAILS_CLEAN(a, authorize(a, 1, 10, 1, T0 + 1), RCP_ERR_EXISTS);
    CHECK_OK(authorize(a, 1, 11, 2, T0 + 2));
    CHECK_FAILS_CLEAN(b, authorize(b, 1, 12, 1, T0 + 3), RCP_ERR_LIMIT);
    CHECK_OK(ack(a, 10, 1, 1, T0 + 4, &first));
    CHECK(first == 1);
    CHECK_OK(ack(b, 10, 1, 1, T0 + 5, &first)); /* the retry lands on the other instance */
    CHECK(first == 0);
    CHECK_FAILS_CLEAN(b, ack(b, 11, 1, 2, T0 + 5, &first), RCP_ERR_REPLAY);
    CHECK(ledger_n(b, 0) == 4 && ledger_n(a, RCP_LEDGER_ACK) == 1);

    /* allocations: never the same IMSI twice, a retry on the other instance
     * gets the same one, a nonce consumed on one is consumed for both */
    preq_init(&p, 1, 1, 10, 1, 1);
    CHECK_OK(rcp_store_provision(a, &p.req, T0, &r1));
    CHECK_FAILS_CLEAN(b, rcp_store_provision(b, &p.req, T0, &r2), RCP_ERR_REPLAY);
    preq_init(&p, 2, 2, 20, 2, 2);
    CHECK_OK(rcp_store_provision(b, &p.req, T0, &r2));
    CHECK(strcmp(r1.sub.imsi, "001010000001000") == 0);
    CHECK(strcmp(r2.sub.imsi, "001010000001001") == 0);
    preq_init(&p, 1, 1, 11, 3, 3);
    CHECK_OK(rcp_store_provision(b, &p.req, T0, &r2));
    CHECK(r2.reused == 1 && strcmp(r2.sub.imsi, r1.sub.imsi) == 0);
    CHECK_MEM(r2.sub.k, r1.sub.k, 16);
    uint8_t rand[RCP_NONCE_LEN];
    nonce_of(rand, 500); /* an AKA RAND completes once, whichever instance sees it */
    CHECK_OK(rcp_store_nonce_consume(a, rand, T0));
    CHECK_FAILS_CLEAN(b, rcp_store_nonce_consume(b, rand, T0), RCP_ERR_REPLAY);

    /* SQN compare-and-set race: both read SQN_HE = 0, both compute the next
     * SQN, only the first write wins; the loser re-reads and retries */
    const char *imsi = r1.sub.imsi;
    CHECK_OK(rcp_store_hss_get(a, imsi, &s1));
    CHECK_OK(rcp_store_hss_get(b, imsi, &s2));
    CHECK(s1.sqn == 0 && s2.sqn == 0);
    CHECK_OK(rcp_store_hss_set_sqn(a, imsi, s1.sqn, s1.sqn + 32));
    CHECK_FAILS_CLEAN(b, rcp_store_hss_set_sqn(b, imsi, s2.sqn, s2.sqn + 32), RCP_ERR_STATE);
    CHECK_OK(rcp_store_hss_get(b, imsi, &s2));
    CHECK(s2.sqn == 32);
    CHECK_OK(rcp_store_hss_set_sqn(b, imsi, s2.sqn, s2.sqn + 32));
    CHECK_OK(rcp_store_hss_get(a, imsi, &s1));
    CHECK(s1.sqn == 64);

    digest(a, da);
    digest(b, db);
    CHECK_MEM(db, da, 32);
    rcp_wipe(&r1, sizeof r1);
    rcp_wipe(&r2, sizeof r2);
    rcp_wipe(&s1, sizeof s1);
    rcp_wipe(&s2, sizeof s2);
    rcp_store_close(a);
    rcp_store_close(b);
}

/* Real concurrency: threads with their own handles on one store race to
 * provision the same UUIDs (each device retried at several instances) and
 * to register and authorize.  Every UUID ends with exactly one IMSI, the
 * IMSIs are distinct and dense, the ledger is gapless. */
#define RACE_THREADS 4
#define RACE_UUIDS 40

typedef struct {
    const char *url;
    unsigned id;
    int errors;
    int reused;
    int created;
} race_arg;

static void *race_worker(void *p)
{
    race_arg *arg = p;
    rcp_store *st = NULL;
    rcp_provision_result res;
    rcp_uuid_record r;
    preq req;
    int created;

    if (rcp_store_open(arg->url, &st) != 0) {
        arg->errors++;
        return NULL;
    }
    for (unsigned i = 0; i < RACE_UUIDS; i++) {
        unsigned u = (i + arg->id * 7) % RACE_UUIDS; /* different orders */
        record_for(&r, u, u, RACE_THREADS);
        if (rcp_store_uuid_register(st, &r, T0, &created) != 0)
            arg->errors++;
        arg->created += created;
        if (authorize(st, u, 1000 * (arg->id + 1) + u, arg->id, T0 + 1) != 0)
            arg->errors++;
        preq_init(&req, u, u, 1000 * (arg->id + 1) + u, 1000 * (arg->id + 1) + u, arg->id);
        req.req.msin_last = 1000 + RACE_UUIDS - 1; /* exactly enough */
        if (rcp_store_provision(st, &req.req, T0 + 2, &res) != 0)
            arg->errors++;
        arg->reused += res.reused;
    }
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
    return NULL;
}

static void test_threads(const char *url)
{
    pthread_t th[RACE_THREADS];
    race_arg args[RACE_THREADS];
    rcp_allocation al;
    rcp_ledger_entry *e = malloc(sizeof *e);
    int reused = 0, created = 0, errors = 0;
    uint64_t n;

    rcp_store *st = open_ok(url); /* creates the schema before the race */
    for (unsigned t = 0; t < RACE_THREADS; t++) {
        args[t] = (race_arg){.url = url, .id = t};
        CHECK(pthread_create(&th[t], NULL, race_worker, &args[t]) == 0);
    }
    for (unsigned t = 0; t < RACE_THREADS; t++) {
        CHECK(pthread_join(th[t], NULL) == 0);
        reused += args[t].reused;
        created += args[t].created;
        errors += args[t].errors;
    }
    CHECK(errors == 0);
    CHECK(created == RACE_UUIDS);
    CHECK(reused == (RACE_THREADS - 1) * RACE_UUIDS);
    CHECK_OK(rcp_store_alloc_count(st, &n));
    CHECK(n == RACE_UUIDS);
    /* every IMSI of the range went to exactly one UUID */
    int seen[RACE_UUIDS] = {0};
    for (unsigned i = 0; i < RACE_UUIDS; i++) {
        char imsi[16];
        snprintf(imsi, sizeof imsi, "00101000000%04u", 1000 + i);
        CHECK_OK(rcp_store_alloc_by_imsi(st, imsi, &al));
        unsigned u = al.uuid[RCP_UUID_LEN - 1];
        if (u < RACE_UUIDS)
            seen[u]++;
    }
    for (unsigned u = 0; u < RACE_UUIDS; u++)
        CHECK(seen[u] == 1);
    /* the ledger: one register per UUID, one authorize per thread and UUID,
     * numbered 1..N without a gap */
    CHECK(ledger_n(st, RCP_LEDGER_REGISTER) == RACE_UUIDS);
    CHECK(ledger_n(st, RCP_LEDGER_AUTHORIZE) == RACE_THREADS * RACE_UUIDS);
    n = ledger_n(st, 0);
    CHECK(n == (RACE_THREADS + 1) * RACE_UUIDS);
    for (uint64_t s = 1; s <= n; s++)
        CHECK_OK(rcp_store_ledger_get(st, s, e));
    CHECK_ERR(rcp_store_ledger_get(st, n + 1, e), RCP_ERR_NOT_FOUND);
    free(e);
    rcp_store_close(st);
}

/* A writer holding the lock makes the store wait (busy timeout), not fail;
 * held past the timeout, the call fails with RCP_ERR_STORE and changes
 * nothing. */
typedef struct {
    sqlite3 *db;
    unsigned hold_ms;
} holder_arg;

static void *release_later(void *p)
{
    holder_arg *h = p;
    struct timespec ts = {.tv_sec = h->hold_ms / 1000, .tv_nsec = (h->hold_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    raw_exec(h->db, "COMMIT");
    return NULL;
}

static void test_locked(void)
{
    char url[300], path[300];
    pthread_t th;
    holder_arg h;
    uint8_t d1[32], d2[32];

    file_url(url, sizeof url, path, sizeof path);
    rcp_store *st = open_ok(url);
    h.db = raw_open(path);
    h.hold_ms = 300;

    CHECK(raw_exec(h.db, "BEGIN IMMEDIATE") == SQLITE_OK);
    CHECK(pthread_create(&th, NULL, release_later, &h) == 0);
    reg(st, 1, 1, 1, T0); /* waits for the holder's commit */
    CHECK(pthread_join(th, NULL) == 0);

    digest(st, d1);
    CHECK(raw_exec(h.db, "BEGIN IMMEDIATE") == SQLITE_OK);
    rcp_uuid_record r;
    record_for(&r, 2, 2, 1);
    CHECK_ERR(rcp_store_uuid_register(st, &r, T0, NULL), RCP_ERR_STORE);
    CHECK(strstr(rcp_store_errmsg(st), "locked") != NULL);
    CHECK(raw_exec(h.db, "COMMIT") == SQLITE_OK);
    digest(st, d2);
    CHECK_MEM(d2, d1, 32);
    CHECK(ledger_n(st, 0) == 1);
    sqlite3_close(h.db);
    rcp_store_close(st);
}

/* The semantics, run on memory and on a fresh file each (and on
 * an empty PostgreSQL schema each). */
static void (*const k_semantics[])(const char *url) = {
    test_digest_covers, test_register,      test_authorize, test_acknowledge, test_ledger,
    test_provision,     test_nonce_consume, test_hss_sqn,   test_alloc_state,
};

/* ============================================================ PostgreSQL */

/* An empty schema: the next open creates the store. */
static void pg_fresh(void)
{
    rcp_t_pg_reset(g_pg_url);
}

static int sqn_plus_32(void *ctx, uint64_t sqn, uint64_t *next)
{
    (void)ctx;
    *next = sqn + 32;
    return 0;
}

/* Step `step` of a script that touches every table and every call that
 * writes; run on both backends, the digests must agree after each step. */
static void same_step(rcp_store *st, int step)
{
    static const char imsi1[] = "001010000001000", imsi2[] = "001010000001001";
    rcp_provision_result res;
    rcp_hss_subscriber sub;
    rcp_allocation al;
    uint8_t u[RCP_UUID_LEN], a[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN], n[RCP_NONCE_LEN];
    preq p;
    int first = -1;

    switch (step) {
    case 1:
        reg(st, 1, 1, 2, T0);
        reg(st, 2, 2, 1, T0 + 1);
        break;
    case 2:
        CHECK_OK(authorize(st, 1, 10, 1, T0 + 2));
        CHECK_OK(authorize(st, 1, 11, 2, T0 + 3));
        uuid_of(u, 2);
        authz_of(a, 20);
        sn_of(sn, 1);
        CHECK_OK(rcp_store_authorize(st, u, a, sn, T0 + 4, T0 + 5, NULL, 0)); /* empty record */
        break;
    case 3:
        CHECK_OK(ack(st, 11, 1, 2, T0 + 6, &first));
        CHECK(first == 1);
        CHECK_OK(ack(st, 11, 1, 2, T0 + 7, &first));
        CHECK(first == 0);
        break;
    case 4:
        preq_init(&p, 1, 1, 10, 1, 1);
        CHECK_OK(rcp_store_provision(st, &p.req, T0 + 8, &res));
        CHECK(res.reused == 0 && strcmp(res.sub.imsi, imsi1) == 0);
        preq_init(&p, 1, 1, 11, 2, 9); /* a retry with another authorization and AuthS */
        snprintf(p.auths, sizeof p.auths, "auths2.example.net");
        CHECK_OK(rcp_store_provision(st, &p.req, T0 + 9, &res));
        CHECK(res.reused == 1);
        preq_init(&p, 2, 2, 20, 3, 2);
        CHECK_OK(rcp_store_provision(st, &p.req, T0 + 10, &res));
        CHECK(strcmp(res.sub.imsi, imsi2) == 0);
        break;
    case 5:
        CHECK_OK(rcp_store_hss_set_sqn(st, imsi1, 0, 0xffffffffffffULL));
        CHECK_OK(rcp_store_hss_advance(st, imsi2, sqn_plus_32, NULL, &sub));
        CHECK(sub.sqn == 32);
        break;
    case 6:
        nonce_of(n, 100);
        CHECK_OK(rcp_store_aka_complete(st, imsi1, n, T0 + 11, &al));
        CHECK(al.state == RCP_ALLOC_AKA_OK);
        uuid_of(u, 1);
        authz_of(a, 11);
        CHECK_OK(rcp_store_alloc_acked(st, u, a));
        CHECK_OK(rcp_store_alloc_set_state(st, imsi2, RCP_ALLOC_AKA_OK));
        break;
    case 7:
        nonce_of(n, 200);
        CHECK_OK(rcp_store_nonce_consume(st, n, (uint64_t)INT64_MAX));
        /* failures change nothing */
        CHECK_ERR(authorize(st, 1, 12, 1, T0 + 12), RCP_ERR_REPLAY);
        CHECK_ERR(authorize(st, 2, 21, 1, T0 + 12), RCP_ERR_LIMIT);
        CHECK_ERR(rcp_store_nonce_consume(st, n, T0), RCP_ERR_REPLAY);
        break;
    default:
        break;
    }
    rcp_wipe(&res, sizeof res);
    rcp_wipe(&sub, sizeof sub);
}

#define SAME_STEPS 7

/* Same operations, same digest, on SQLite and on PostgreSQL. */
static void test_pg_same_digest(void)
{
    uint8_t dm[32], dq[32];
    rcp_ledger_entry *em = malloc(sizeof *em), *eq = malloc(sizeof *eq);
    uint64_t n = 0;

    pg_fresh();
    rcp_store *m = open_ok("sqlite::memory:");
    rcp_store *q = open_ok(g_pg_url);
    for (int step = 0; step <= SAME_STEPS; step++) {
        same_step(m, step);
        same_step(q, step);
        digest(m, dm);
        digest(q, dq);
        if (memcmp(dm, dq, 32) != 0)
            rcp_t_fail_at(__FILE__, __LINE__, "digests differ after step %d", step);
        else
            rcp_t_pass++;
    }
    /* and the ledger reads back alike */
    CHECK_OK(rcp_store_ledger_count(q, 0, &n));
    CHECK(n == 6);
    for (uint64_t i = 1; i <= n; i++) {
        memset(em, 0, sizeof *em);
        memset(eq, 0, sizeof *eq);
        CHECK_OK(rcp_store_ledger_get(m, i, em));
        CHECK_OK(rcp_store_ledger_get(q, i, eq));
        CHECK_MEM(eq, em, sizeof *em);
    }
    free(em);
    free(eq);
    rcp_store_close(m);
    rcp_store_close(q);
}

/* Closed and reopened: the same content, the same answers. */
static void test_pg_persistence(void)
{
    uint8_t d1[32], d2[32];
    rcp_provision_result res;
    rcp_uuid_record got;
    preq p;

    pg_fresh();
    rcp_store *st = open_ok(g_pg_url);
    reg(st, 1, 1, 2, T0);
    CHECK_OK(authorize(st, 1, 10, 1, T0 + 1));
    preq_init(&p, 1, 1, 10, 1, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0 + 2, &res));
    CHECK_OK(rcp_store_hss_set_sqn(st, res.sub.imsi, 0, 32));
    digest(st, d1);
    rcp_store_close(st);

    PGconn *c = rcp_t_pg_connect(g_pg_url);
    CHECK(rcp_t_pg_int(c, "SELECT max(version) FROM schema_version") == RCP_STORE_SCHEMA_VERSION);
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM schema_version") == 1);
    PQfinish(c);

    st = open_ok(g_pg_url);
    digest(st, d2);
    CHECK_MEM(d2, d1, 32);
    CHECK_OK(rcp_store_uuid_get(st, p.req.uuid, &got));
    CHECK(got.authorizations == 1 && got.state == RCP_UUID_AUTHORIZED);
    CHECK_FAILS_CLEAN(st, rcp_store_provision(st, &p.req, T0 + 3, &res), RCP_ERR_REPLAY);
    preq_init(&p, 1, 1, 11, 2, 2);
    CHECK_OK(rcp_store_provision(st, &p.req, T0 + 3, &res));
    CHECK(res.reused == 1 && res.sub.sqn == 32);
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
}

/* Schema versions: newer and foreign schemas refused and left untouched,
 * version 0 migrated, a failed migration rolled back entirely. */
static void test_pg_schema(void)
{
    char msg[RCP_STORE_ERRMSG_MAX];
    rcp_store *st = NULL;
    PGconn *c;

    pg_fresh();
    st = open_ok(g_pg_url);
    rcp_store_close(st);
    c = rcp_t_pg_connect(g_pg_url);
    rcp_t_pg_exec(c, "INSERT INTO schema_version (version) VALUES (2)");
    st = (rcp_store *)&c;
    CHECK_ERR(rcp_store_open_ex(g_pg_url, &st, msg, sizeof msg), RCP_ERR_UNSUPPORTED);
    CHECK(st == NULL);
    CHECK(strstr(msg, "schema version 2 is newer") != NULL && strstr(msg, "upgrade rcprov"));
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM schema_version") == 2);
    PQfinish(c);

    /* version 0: an empty schema_version */
    pg_fresh();
    c = rcp_t_pg_connect(g_pg_url);
    rcp_t_pg_exec(c, "CREATE TABLE schema_version (version bigint PRIMARY KEY)");
    st = open_ok(g_pg_url);
    reg(st, 1, 1, 1, T0);
    rcp_store_close(st);
    CHECK(rcp_t_pg_int(c, "SELECT max(version) FROM schema_version") == RCP_STORE_SCHEMA_VERSION);
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM as_uuid") == 1);
    PQfinish(c);

    /* a migration that fails half-way changes nothing (DDL is
     * transactional): the version-0 schema already holds a table it
     * creates */
    pg_fresh();
    c = rcp_t_pg_connect(g_pg_url);
    rcp_t_pg_exec(c, "CREATE TABLE schema_version (version bigint PRIMARY KEY);"
                     "CREATE TABLE sn_nonce (x integer)");
    CHECK_ERR(rcp_store_open_ex(g_pg_url, &st, msg, sizeof msg), RCP_ERR_STORE);
    CHECK(strstr(msg, "migrating the store schema from version 0 to 1") != NULL);
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM schema_version") == 0);
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 2);
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM pg_proc WHERE proname = 'rcp_refuse'") == 0);
    PQfinish(c);

    /* a schema that is not ours is refused and left untouched */
    pg_fresh();
    c = rcp_t_pg_connect(g_pg_url);
    rcp_t_pg_exec(c, "CREATE TABLE customers (id integer)");
    CHECK_ERR(rcp_store_open_ex(g_pg_url, &st, msg, sizeof msg), RCP_ERR_STORE);
    CHECK(strstr(msg, "not an rcprov store") != NULL);
    CHECK(st == NULL);
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                          "ON n.oid = c.relnamespace WHERE n.nspname = 'public'") == 1);
    PQfinish(c);
}

/* The schema holds the invariants on its own: writes that bypass the
 * store's logic are refused (SQLSTATE class 23) and change nothing. */
static void test_pg_constraints(void)
{
    uint8_t d1[32], d2[32];
    rcp_provision_result res;
    char state[6];
    preq p;

    pg_fresh();
    rcp_store *st = open_ok(g_pg_url);
    reg(st, 1, 1, 2, T0);
    reg(st, 2, 2, 1, T0);
    CHECK_OK(authorize(st, 1, 10, 1, T0 + 1));
    CHECK_OK(ack(st, 10, 1, 1, T0 + 2, NULL));
    preq_init(&p, 1, 1, 10, 1, 1);
    CHECK_OK(rcp_store_provision(st, &p.req, T0 + 3, &res));
    CHECK_OK(rcp_store_alloc_set_state(st, res.sub.imsi, RCP_ALLOC_AKA_OK));
    digest(st, d1);

#define Z8 "'\\x0000000000000000'"
#define U16 "'\\x000102030405060708090a0b0c0d0e0f'"
    static const char *const refused[] = {
        /* ledger: append-only, in sequence, one entry per event, causes first */
        "UPDATE as_ledger SET at = 0 WHERE seq = 1",
        "DELETE FROM as_ledger WHERE seq = 4",
        "TRUNCATE as_ledger",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 9, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger WHERE seq = 1",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 5, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger WHERE seq = 1",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 5, kind, uuid, authz_id, sn_kid, at, record FROM as_ledger WHERE seq = 4",
        "INSERT INTO as_ledger (seq, kind, uuid, authz_id, sn_kid, at, record) "
        "SELECT 5, 3, uuid, authz_id, " Z8 ", at, record FROM as_ledger WHERE seq = 4",
        "INSERT INTO as_ledger (seq, kind, uuid, at, record) "
        "SELECT 5, 2, uuid, registered_at, '' FROM as_uuid WHERE state = 1",
        /* registry: facts immutable, count and state only grow, USED final */
        "UPDATE as_uuid SET tre_kid = " Z8,
        "UPDATE as_uuid SET state = 1, authorizations = 0 WHERE state = 3",
        "UPDATE as_uuid SET authorizations = 2 WHERE state = 3",
        "UPDATE as_uuid SET authorizations = 5",
        "DELETE FROM as_uuid",
        "TRUNCATE as_uuid CASCADE",
        /* authorizations: counted, not for a used-up UUID, acked once */
        "INSERT INTO as_authorization (authz_id, uuid, sn_kid, issued_at, expires_at) "
        "SELECT '\\x00000000000000000000000000000001', uuid, " Z8 ", 1, 2 "
        "FROM as_uuid WHERE state = 3",
        "INSERT INTO as_authorization (authz_id, uuid, sn_kid, issued_at, expires_at) "
        "SELECT '\\x00000000000000000000000000000001', uuid, " Z8 ", 1, 2 "
        "FROM as_uuid WHERE state = 1",
        "UPDATE as_authorization SET acked_at = 1",
        "DELETE FROM as_authorization",
        /* SN: IMSIs never released, state forward only, nonces stay */
        "UPDATE sn_allocation SET state = 1",
        "UPDATE sn_allocation SET imsi = '001010000009999'",
        "DELETE FROM sn_allocation",
        "TRUNCATE hss_subscriber CASCADE",
        "INSERT INTO sn_allocation (imsi, uuid, authz_id, tre_kid, auths, state, allocated_at) "
        "SELECT '001010000009999', " U16 ", authz_id, tre_kid, auths, 1, 0 FROM sn_allocation",
        "INSERT INTO sn_allocation (imsi, uuid, authz_id, tre_kid, auths, state, allocated_at) "
        "SELECT imsi, " U16 ", authz_id, tre_kid, auths, 1, 0 FROM sn_allocation",
        "UPDATE sn_allocation SET auths = ''",
        "INSERT INTO sn_nonce VALUES (" U16 ", '\\x01', 0)",
        "DELETE FROM sn_nonce",
        "TRUNCATE sn_nonce",
        "UPDATE sn_nonce SET consumed_at = 0",
        "INSERT INTO sn_nonce SELECT nonce, uuid, 0 FROM sn_nonce",
        /* HSS: only SQN changes, within 48 bits; a subscriber with an
         * allocation stays; IMSIs are 15 digits */
        "UPDATE hss_subscriber SET k = '\\x00000000000000000000000000000000'",
        "UPDATE hss_subscriber SET sqn = 281474976710656",
        "UPDATE hss_subscriber SET sqn = -1",
        "DELETE FROM hss_subscriber",
        "INSERT INTO hss_subscriber SELECT '00101000000100x', k, opc, r1, r2, r3, r4, r5, c1, "
        "c2, c3, c4, c5, 0 FROM hss_subscriber",
        "INSERT INTO hss_subscriber SELECT '001010000001999', 'text-k', opc, r1, r2, r3, r4, "
        "r5, c1, c2, c3, c4, c5, 0 FROM hss_subscriber",
        "INSERT INTO hss_subscriber SELECT '001010000001999', k, opc, 128, r2, r3, r4, r5, c1, "
        "c2, c3, c4, c5, 0 FROM hss_subscriber",
        "INSERT INTO schema_version (version) VALUES (0)",
    };
#undef Z8
#undef U16
    PGconn *c = rcp_t_pg_connect(g_pg_url);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        rcp_t_pg_try(c, refused[i], state);
        if (strncmp(state, "23", 2) != 0)
            rcp_t_fail_at(__FILE__, __LINE__, "not refused (SQLSTATE \"%s\"): %s", state,
                          refused[i]);
        else
            rcp_t_pass++;
    }
    PQfinish(c);
    digest(st, d2);
    CHECK_MEM(d2, d1, 32);
    rcp_wipe(&res, sizeof res);
    rcp_store_close(st);
}

/* Several processes' first open of one empty database at once: the
 * migration lock makes one create the schema and the others find it. */
#define OPEN_RACE 6

typedef struct {
    pthread_barrier_t *go;
    int ret;
    char msg[RCP_STORE_ERRMSG_MAX];
} open_race_arg;

static void *open_race_worker(void *p)
{
    open_race_arg *a = p;
    rcp_store *st = NULL;

    pthread_barrier_wait(a->go);
    a->ret = rcp_store_open_ex(g_pg_url, &st, a->msg, sizeof a->msg);
    rcp_store_close(st);
    return NULL;
}

static void test_pg_open_race(void)
{
    pthread_t th[OPEN_RACE];
    open_race_arg args[OPEN_RACE];
    pthread_barrier_t go;

    pg_fresh();
    CHECK(pthread_barrier_init(&go, NULL, OPEN_RACE) == 0);
    for (int i = 0; i < OPEN_RACE; i++) {
        args[i] = (open_race_arg){.go = &go, .ret = -1};
        CHECK(pthread_create(&th[i], NULL, open_race_worker, &args[i]) == 0);
    }
    for (int i = 0; i < OPEN_RACE; i++) {
        CHECK(pthread_join(th[i], NULL) == 0);
        if (args[i].ret != 0)
            rcp_t_fail_at(__FILE__, __LINE__, "concurrent open %d: %s: %s", i,
                          rcp_errname(args[i].ret), args[i].msg);
        else
            rcp_t_pass++;
    }
    pthread_barrier_destroy(&go);
    PGconn *c = rcp_t_pg_connect(g_pg_url);
    CHECK(rcp_t_pg_int(c, "SELECT count(*) FROM schema_version") == 1);
    PQfinish(c);
}

/* The server drops the connection (restart, failover, an administrator):
 * the next call reconnects, re-prepares and succeeds; a transaction cut
 * before its COMMIT is run again on the new connection. */
static void test_pg_reconnect(void)
{
    static const char kill_sql[] =
        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
        "WHERE application_name = 'rcprov' AND pid <> pg_backend_pid()";
    rcp_uuid_record got;
    uint8_t u[RCP_UUID_LEN], d1[32], d2[32];

    pg_fresh();
    rcp_store *st = open_ok(g_pg_url);
    PGconn *c = rcp_t_pg_connect(g_pg_url);
    reg(st, 1, 1, 2, T0);
    uuid_of(u, 1);
    CHECK(rcp_t_pg_int(c, kill_sql) == 1);
    CHECK_OK(rcp_store_uuid_get(st, u, &got)); /* a read */
    CHECK(got.state == RCP_UUID_REGISTERED);
    CHECK(rcp_t_pg_int(c, kill_sql) == 1);
    CHECK_OK(authorize(st, 1, 10, 1, T0 + 1)); /* a transaction */
    CHECK(strcmp(rcp_store_errmsg(st), "") == 0);
    CHECK(rcp_t_pg_int(c, kill_sql) == 1);
    digest(st, d1); /* a snapshot transaction */
    CHECK(rcp_t_pg_int(c, kill_sql) == 1);
    digest(st, d2);
    CHECK_MEM(d2, d1, 32);
    CHECK(ledger_n(st, 0) == 2);
    PQfinish(c);
    rcp_store_close(st);
}

/* A deadlock is run again, not reported: a raw connection holds the ledger
 * lock while an authorization holds its UUID's row and waits for the
 * ledger; then the raw connection asks for the UUID's row.  PostgreSQL
 * aborts the store's transaction (the raw session's deadlock_timeout is
 * long, so the store's backend detects the cycle), the raw connection gets
 * the row, commits, and the store's second run succeeds. */
typedef struct {
    rcp_store *st;
    int ret;
} deadlock_arg;

static void *deadlock_worker(void *p)
{
    deadlock_arg *a = p;
    a->ret = authorize(a->st, 1, 10, 1, T0 + 1);
    return NULL;
}

static void test_pg_deadlock_retry(void)
{
    struct timespec ms10 = {.tv_sec = 0, .tv_nsec = 10000000L};
    deadlock_arg arg = {.ret = -1};
    char state[6];
    pthread_t th;
    int waited = 0;

    pg_fresh();
    arg.st = open_ok(g_pg_url);
    reg(arg.st, 1, 1, 2, T0);
    PGconn *holder = rcp_t_pg_connect(g_pg_url), *watch = rcp_t_pg_connect(g_pg_url);
    rcp_t_pg_exec(holder, "SET deadlock_timeout = '60s'; BEGIN;"
                          "LOCK TABLE as_ledger IN SHARE ROW EXCLUSIVE MODE");
    CHECK(pthread_create(&th, NULL, deadlock_worker, &arg) == 0);
    /* until the authorization waits for the ledger (its UUID row locked) */
    while (rcp_t_pg_int(watch, "SELECT count(*) FROM pg_locks l JOIN pg_class c "
                               "ON c.oid = l.relation WHERE NOT l.granted "
                               "AND c.relname = 'as_ledger'") < 1 &&
           waited++ < 1000)
        nanosleep(&ms10, NULL);
    CHECK(waited < 1000);
    /* the cycle: this waits until PostgreSQL aborts the store's run */
    CHECK(rcp_t_pg_try(holder, "SELECT 1 FROM as_uuid FOR UPDATE", state)[0] == '\0');
    rcp_t_pg_exec(holder, "COMMIT");
    CHECK(pthread_join(th, NULL) == 0);
    CHECK_OK(arg.ret);
    CHECK(strcmp(rcp_store_errmsg(arg.st), "") == 0);
    CHECK(ledger_n(arg.st, RCP_LEDGER_AUTHORIZE) == 1);
    CHECK(rcp_t_pg_int(watch, "SELECT authorizations FROM as_uuid") == 1);
    PQfinish(holder);
    PQfinish(watch);
    rcp_store_close(arg.st);
}

/* A writer holding a lock makes the store wait (lock_timeout, 5 s), not
 * fail; held past it, the call fails with RCP_ERR_STORE and changes
 * nothing. */
typedef struct {
    PGconn *c;
    unsigned hold_ms;
} pg_holder_arg;

static void *pg_release_later(void *p)
{
    pg_holder_arg *h = p;
    struct timespec ts = {.tv_sec = h->hold_ms / 1000, .tv_nsec = (h->hold_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    rcp_t_pg_exec(h->c, "COMMIT");
    return NULL;
}

static void test_pg_locked(void)
{
    static const char lock_sql[] = "BEGIN; LOCK TABLE as_ledger IN SHARE ROW EXCLUSIVE MODE";
    pg_holder_arg h;
    pthread_t th;
    uint8_t d1[32], d2[32];
    rcp_uuid_record r;

    pg_fresh();
    rcp_store *st = open_ok(g_pg_url);
    h.c = rcp_t_pg_connect(g_pg_url);
    h.hold_ms = 300;
    rcp_t_pg_exec(h.c, lock_sql);
    CHECK(pthread_create(&th, NULL, pg_release_later, &h) == 0);
    reg(st, 1, 1, 1, T0); /* waits for the holder's commit */
    CHECK(pthread_join(th, NULL) == 0);

    digest(st, d1);
    rcp_t_pg_exec(h.c, lock_sql);
    record_for(&r, 2, 2, 1);
    CHECK_ERR(rcp_store_uuid_register(st, &r, T0, NULL), RCP_ERR_STORE);
    CHECK(strstr(rcp_store_errmsg(st), "lock timeout") != NULL);
    CHECK(strstr(rcp_store_errmsg(st), "55P03") != NULL);
    rcp_t_pg_exec(h.c, "COMMIT");
    digest(st, d2);
    CHECK_MEM(d2, d1, 32);
    CHECK(ledger_n(st, 0) == 1);
    PQfinish(h.c);
    rcp_store_close(st);
}

/* Every PostgreSQL case; returns after printing their count. */
static void run_postgres(void)
{
    long pass0 = rcp_t_pass, fail0 = rcp_t_fail;

    for (size_t i = 0; i < sizeof k_semantics / sizeof k_semantics[0]; i++) {
        pg_fresh();
        k_semantics[i](g_pg_url);
    }
    pg_fresh();
    test_two_handles(g_pg_url);
    pg_fresh();
    test_threads(g_pg_url);
    test_pg_same_digest();
    test_pg_persistence();
    test_pg_schema();
    test_pg_constraints();
    test_pg_open_race();
    test_pg_reconnect();
    test_pg_deadlock_retry();
    test_pg_locked();
    printf("test_store: on PostgreSQL: %ld passed, %ld failed\n", rcp_t_pass - pass0,
           rcp_t_fail - fail0);
}

/* ------------------------------------------------------------------ main */

static void remove_dir(void)
{
    char path[300];
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    for (int i = 1; i <= g_file_no; i++)
        for (size_t s = 0; s < sizeof suffix / sizeof suffix[0]; s++) {
            snprintf(path, sizeof path, "%s/store%d.db%s", g_dir, i, suffix[s]);
            unlink(path);
        }
    rmdir(g_dir);
}

/* Store URLs in messages never show a password. */
static void test_url_redact(void)
{
    static const char *const cases[][2] = {
        {"postgresql://rcprov:s3cret@127.0.0.1:5432/rcp", "postgresql://rcprov:***@127.0.0.1:5432/rcp"},
        {"postgres://u:p@h/db?sslmode=disable", "postgres://u:***@h/db?sslmode=disable"},
        {"postgresql://rcprov@127.0.0.1:5432/rcp", "postgresql://rcprov@127.0.0.1:5432/rcp"},
        {"postgresql://127.0.0.1:5432/rcp", "postgresql://127.0.0.1:5432/rcp"},
        {"sqlite:/var/lib/rcprov/sn.db", "sqlite:/var/lib/rcprov/sn.db"},
        {"sqlite::memory:", "sqlite::memory:"},
        {"postgresql://h/db?x=a:b@c", "postgresql://h/db?x=a:b@c"},
    };
    char out[200];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rcp_store_url_redact(cases[i][0], out, sizeof out);
        CHECK(strcmp(out, cases[i][1]) == 0);
        CHECK(strstr(out, "s3cret") == NULL);
    }
    rcp_store_url_redact(NULL, out, sizeof out);
    CHECK(out[0] == '\0');
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    char url[300], path[300];

    snprintf(g_dir, sizeof g_dir, "%s/rcp_store_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    atexit(remove_dir); /* also after an exit(1) in open_ok */
    g_pg_url = getenv("RCP_PG_URL");
    if (g_pg_url != NULL && g_pg_url[0] == '\0')
        g_pg_url = NULL;
    test_url_redact();
    test_open_errors();
    test_fresh_digest();
    test_digest_as_tables();
    for (size_t i = 0; i < sizeof k_semantics / sizeof k_semantics[0]; i++) {
        k_semantics[i]("sqlite::memory:");
        file_url(url, sizeof url, path, sizeof path);
        k_semantics[i](url);
    }
    test_persistence();
    test_schema_versions();
    test_constraints();
    file_url(url, sizeof url, path, sizeof path);
    test_two_handles(url);
    file_url(url, sizeof url, path, sizeof path);
    test_threads(url);
    test_locked();
    printf("test_store: on SQLite: %ld passed, %ld failed\n", rcp_t_pass, rcp_t_fail);
    if (g_pg_url != NULL)
        run_postgres();
    else
        printf("test_store: RCP_PG_URL not set: the PostgreSQL cases did not run "
               "(tests/scripts/store_pg.sh runs them)\n");
    return rcp_t_done("test_store");
}
