/*
 * store_pg_race — several processes hammer one PostgreSQL store at once,
 * as several Authorization Server and Serving Network instances sharing a
 * database would, then the invariants are checked through the store API
 * and with plain SQL.  Run by tests/scripts/store_pg.sh on a throwaway
 * cluster (tests/tools/pg.sh); the database $RCP_PG_URL names is wiped.
 *
 * Usage: store_pg_race [PROCESSES [UUIDS]]   (default 8 processes, 40 UUIDs)
 *
 * Every process, for every UUID (each in its own order, so they collide):
 *   AS: registers it (max 3 authorizations), asks for an authorization of
 *       its own, acknowledges it, and acknowledges the next process's one;
 *   SN: provisions it (its own session nonce), consumes a nonce shared by
 *       all processes, advances SQN_HE 5 times, tries one compare-and-set,
 *       completes AKA with a RAND shared by all, takes the acknowledgement.
 * Then: each UUID registered once, authorized at most 3 times (and exactly
 * as often as the calls that succeeded), acknowledged exactly once (one
 * first ack in all processes), one IMSI per UUID and no IMSI twice (the
 * range dense from its first), the same K for every retry, each shared
 * value consumed once, no SQN advance lost, the ledger gapless with every
 * entry after its cause.  All processes also open the empty database at
 * the same moment (the migration lock).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/store.h"
#include "tools/pg_test.h"

#define PROCS_DEFAULT 8
#define PROCS_MAX 32
#define UUIDS_DEFAULT 40
#define UUIDS_MAX 200
#define MAX_AUTHZ 3 /* each UUID's policy */
#define ADVANCES 5  /* hss_advance calls per process and UUID */
#define SQN_STEP 32 /* what each advance adds */
#define MSIN_FIRST 1000
#define T0 1700000000ULL
#define DAY 86400ULL

typedef struct {
    int errors; /* results no interleaving allows */
    char first_error[RCP_STORE_ERRMSG_MAX + 64];
    unsigned created;
    unsigned granted[UUIDS_MAX], limit, used_up;
    unsigned ack_first[UUIDS_MAX], ack_repeat, ack_replay, ack_unknown;
    unsigned fresh, reused;
    unsigned nonce_won, nonce_replay;
    unsigned rand_won[UUIDS_MAX], rand_replay;
    unsigned advances[UUIDS_MAX], cas_won[UUIDS_MAX], cas_lost;
    unsigned acked, acked_early;
    char imsi[UUIDS_MAX][RCP_IMSI_MAX + 1];
    uint8_t k[UUIDS_MAX][16];
} proc_result;

static unsigned g_procs = PROCS_DEFAULT, g_uuids = UUIDS_DEFAULT;
static const char *g_url;

static void fill(uint8_t *p, size_t n, uint8_t tag, unsigned i)
{
    for (size_t j = 0; j < n; j++)
        p[j] = (uint8_t)(tag ^ (j * 7) ^ (i >> ((j % 4) * 8)));
    p[0] = tag;
    p[n - 1] = (uint8_t)i;
    if (n > 2)
        p[n - 2] = (uint8_t)(i >> 8);
}

static void uuid_of(uint8_t u[RCP_UUID_LEN], unsigned u_i)
{
    fill(u, RCP_UUID_LEN, 0xa0, u_i);
}
static void tre_of(uint8_t k[RCP_KID_LEN], unsigned u_i)
{
    fill(k, RCP_KID_LEN, 0xb0, u_i);
}
/* the authorization process w asks for UUID u */
static void authz_of(uint8_t a[RCP_AUTHZ_ID_LEN], unsigned w, unsigned u_i)
{
    fill(a, RCP_AUTHZ_ID_LEN, 0xc0, 1000 * (w + 1) + u_i);
}
static void sn_of(uint8_t k[RCP_KID_LEN], unsigned w)
{
    fill(k, RCP_KID_LEN, 0xe0, w);
}
/* the authorization every SN provisioning of UUID u names */
static void sn_authz_of(uint8_t a[RCP_AUTHZ_ID_LEN], unsigned u_i)
{
    fill(a, RCP_AUTHZ_ID_LEN, 0xc1, u_i);
}

static void bad(proc_result *r, const char *what, unsigned u, int ret, rcp_store *st)
{
    if (r->errors++ == 0)
        snprintf(r->first_error, sizeof r->first_error, "%s (UUID %u): %s: %s", what, u,
                 rcp_errname(ret), rcp_store_errmsg(st));
}

static int plus_step(void *ctx, uint64_t sqn, uint64_t *next)
{
    (void)ctx;
    *next = sqn + SQN_STEP;
    return 0;
}

/* ------------------------------------------------------------ AS side */

/* Register the UUID (every process: one creates it) and ask for an
 * authorization of our own: MAX_AUTHZ processes at most get one. */
static void as_authorize_round(rcp_store *st, proc_result *r, unsigned w, unsigned u_i)
{
    rcp_uuid_record rec;
    uint8_t u[RCP_UUID_LEN], a[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN], rbuf[48];
    int created = 0, ret;

    memset(&rec, 0, sizeof rec);
    uuid_of(rec.uuid, u_i);
    tre_of(rec.tre_kid, u_i);
    snprintf(rec.sp, sizeof rec.sp, "sp.example.org");
    rec.max_authorizations = MAX_AUTHZ;
    ret = rcp_store_uuid_register(st, &rec, T0, &created);
    if (ret)
        bad(r, "register", u_i, ret, st);
    else
        r->created += (unsigned)created;

    uuid_of(u, u_i);
    authz_of(a, w, u_i);
    sn_of(sn, w);
    fill(rbuf, sizeof rbuf, 0x5a, w * 1000 + u_i);
    ret = rcp_store_authorize(st, u, a, sn, T0 + 1, T0 + DAY, rbuf, sizeof rbuf);
    if (ret == 0)
        r->granted[u_i]++;
    else if (ret == RCP_ERR_LIMIT)
        r->limit++;
    else if (ret == RCP_ERR_REPLAY)
        r->used_up++;
    else
        bad(r, "authorize", u_i, ret, st);
}

/* Acknowledge our own, then the next process's authorization: one first
 * ack per UUID whatever the interleaving. */
static void as_ack_round(rcp_store *st, proc_result *r, unsigned w, unsigned u_i)
{
    uint8_t u[RCP_UUID_LEN], a[RCP_AUTHZ_ID_LEN], sn[RCP_KID_LEN], rbuf[24];
    int first = -1, ret;
    unsigned next = (w + 1) % g_procs;

    uuid_of(u, u_i);
    fill(rbuf, sizeof rbuf, 0x3c, w * 1000 + u_i);
    for (int k = 0; k < 2; k++) {
        unsigned who = k == 0 ? w : next;
        authz_of(a, who, u_i);
        sn_of(sn, who);
        ret = rcp_store_acknowledge(st, a, u, sn, T0 + 2, rbuf, sizeof rbuf, &first);
        if (ret == 0 && first == 1)
            r->ack_first[u_i]++;
        else if (ret == 0 && first == 0)
            r->ack_repeat++;
        else if (ret == RCP_ERR_REPLAY)
            r->ack_replay++;
        else if (ret == RCP_ERR_NOT_FOUND)
            r->ack_unknown++; /* not granted (limit, used up) or not yet */
        else
            bad(r, "acknowledge", u_i, ret, st);
    }
}

/* ------------------------------------------------------------ SN side */

static void sn_round(rcp_store *st, proc_result *r, unsigned w, unsigned u_i)
{
    rcp_milenage_consts consts;
    rcp_provision_request rq;
    rcp_provision_result res;
    rcp_hss_subscriber sub;
    rcp_allocation al;
    uint8_t k[16], opc[16], shared[RCP_NONCE_LEN], authz[RCP_AUTHZ_ID_LEN];
    int ret;

    memset(&rq, 0, sizeof rq);
    memset(&res, 0, sizeof res);
    rcp_milenage_consts_default(&consts);
    fill(k, sizeof k, 0x11, w * 1000 + u_i); /* each process offers its own K */
    fill(opc, sizeof opc, 0x22, w * 1000 + u_i);
    uuid_of(rq.uuid, u_i);
    fill(rq.nonce, RCP_NONCE_LEN, 0xd0, w * 1000 + u_i);
    sn_authz_of(rq.authz_id, u_i);
    tre_of(rq.tre_kid, u_i);
    rq.mcc = "001";
    rq.mnc = "01";
    rq.msin_first = MSIN_FIRST;
    rq.msin_last = MSIN_FIRST + g_uuids - 1; /* exactly enough */
    rq.msin_digits = 10;
    rq.auths = "auths.example.org";
    rq.k = k;
    rq.opc = opc;
    rq.consts = &consts;
    ret = rcp_store_provision(st, &rq, T0 + 3, &res);
    if (ret) {
        bad(r, "provision", u_i, ret, st);
        return;
    }
    if (res.reused)
        r->reused++;
    else
        r->fresh++;
    memcpy(r->imsi[u_i], res.sub.imsi, sizeof r->imsi[u_i]);
    memcpy(r->k[u_i], res.sub.k, 16);

    fill(shared, sizeof shared, 0xf0, u_i); /* the same value in every process */
    ret = rcp_store_nonce_consume(st, shared, T0 + 4);
    if (ret == 0)
        r->nonce_won++;
    else if (ret == RCP_ERR_REPLAY)
        r->nonce_replay++;
    else
        bad(r, "nonce_consume", u_i, ret, st);

    for (int i = 0; i < ADVANCES; i++) {
        ret = rcp_store_hss_advance(st, res.sub.imsi, plus_step, NULL, &sub);
        if (ret == 0)
            r->advances[u_i]++;
        else
            bad(r, "hss_advance", u_i, ret, st);
    }
    /* one compare-and-set: lost when another process wrote in between */
    ret = rcp_store_hss_get(st, res.sub.imsi, &sub);
    if (ret == 0)
        ret = rcp_store_hss_set_sqn(st, res.sub.imsi, sub.sqn, sub.sqn + 1);
    if (ret == 0)
        r->cas_won[u_i]++;
    else if (ret == RCP_ERR_STATE)
        r->cas_lost++;
    else
        bad(r, "hss_set_sqn", u_i, ret, st);

    fill(shared, sizeof shared, 0xf1, u_i); /* the RAND of the UUID's one AKA run */
    ret = rcp_store_aka_complete(st, res.sub.imsi, shared, T0 + 5, &al);
    if (ret == 0 && al.state != RCP_ALLOC_PROVISIONED)
        r->rand_won[u_i]++;
    else if (ret == RCP_ERR_REPLAY)
        r->rand_replay++;
    else
        bad(r, "aka_complete", u_i, ret, st);

    sn_authz_of(authz, u_i);
    ret = rcp_store_alloc_acked(st, rq.uuid, authz);
    if (ret == 0)
        r->acked++;
    else if (ret == RCP_ERR_STATE)
        r->acked_early++; /* no process completed AKA for it yet */
    else
        bad(r, "alloc_acked", u_i, ret, st);
    rcp_wipe(&res, sizeof res);
    rcp_wipe(&sub, sizeof sub);
    rcp_wipe(k, sizeof k);
    rcp_wipe(opc, sizeof opc);
}

/* A stride coprime to the number of UUIDs: i -> (i * stride + offset) % n
 * visits every UUID once, in another order than i -> i + offset. */
static unsigned stride(void)
{
    static const unsigned primes[] = {3, 7, 11, 13, 17, 19, 23};
    for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++)
        if (g_uuids % primes[i] != 0)
            return primes[i];
    return 1;
}

static int worker(unsigned w, int go_fd, proc_result *r)
{
    char msg[RCP_STORE_ERRMSG_MAX], c;
    rcp_store *st = NULL;
    int ret;

    /* every process opens the empty database at the same moment */
    while (read(go_fd, &c, 1) < 0 && errno == EINTR)
        ;
    ret = rcp_store_open_ex(g_url, &st, msg, sizeof msg);
    if (ret) {
        r->errors++;
        snprintf(r->first_error, sizeof r->first_error, "open: %s: %s", rcp_errname(ret), msg);
        return 1;
    }
    for (unsigned i = 0; i < g_uuids; i++)
        as_authorize_round(st, r, w, (i + w * 7) % g_uuids);
    for (unsigned i = 0; i < g_uuids; i++)
        as_ack_round(st, r, w, (i * stride() + w * 5) % g_uuids);
    for (unsigned i = 0; i < g_uuids; i++)
        sn_round(st, r, w, (i * stride() + w * 11) % g_uuids);
    rcp_store_close(st);
    return r->errors ? 1 : 0;
}

/* ------------------------------------------------------------ checks */

/* What all processes did, added up. */
typedef struct {
    unsigned created, limit, used_up, ack_repeat, ack_replay, ack_unknown, fresh, reused;
    unsigned nonce_won, nonce_replay, rand_replay, cas_lost, acked, acked_early;
    unsigned granted[UUIDS_MAX], ack_first[UUIDS_MAX], rand_won[UUIDS_MAX];
    unsigned advances[UUIDS_MAX], cas_won[UUIDS_MAX];
    unsigned granted_all, ack_first_all, advances_all, cas_won_all;
} totals;

static void add_up(const proc_result *res, totals *t)
{
    memset(t, 0, sizeof *t);
    for (unsigned w = 0; w < g_procs; w++) {
        const proc_result *r = &res[w];
        t->created += r->created;
        t->limit += r->limit;
        t->used_up += r->used_up;
        t->ack_repeat += r->ack_repeat;
        t->ack_replay += r->ack_replay;
        t->ack_unknown += r->ack_unknown;
        t->fresh += r->fresh;
        t->reused += r->reused;
        t->nonce_won += r->nonce_won;
        t->nonce_replay += r->nonce_replay;
        t->rand_replay += r->rand_replay;
        t->cas_lost += r->cas_lost;
        t->acked += r->acked;
        t->acked_early += r->acked_early;
        for (unsigned u = 0; u < g_uuids; u++) {
            t->granted[u] += r->granted[u];
            t->ack_first[u] += r->ack_first[u];
            t->rand_won[u] += r->rand_won[u];
            t->advances[u] += r->advances[u];
            t->cas_won[u] += r->cas_won[u];
            t->granted_all += r->granted[u];
            t->ack_first_all += r->ack_first[u];
            t->advances_all += r->advances[u];
            t->cas_won_all += r->cas_won[u];
        }
    }
}

/* Through the store API: what every process saw adds up to what is stored. */
static void check_store(const proc_result *res, const totals *t)
{
    rcp_store *st = NULL;
    rcp_uuid_record rec;
    rcp_allocation al;
    rcp_hss_subscriber sub;
    rcp_ledger_entry *e = malloc(sizeof *e);
    uint64_t n = 0, n_reg = 0, n_auth = 0, n_ack = 0;
    char msg[RCP_STORE_ERRMSG_MAX];
    int owner[UUIDS_MAX];
    int ret = rcp_store_open_ex(g_url, &st, msg, sizeof msg);

    if (ret != 0 || e == NULL) {
        rcp_t_fail_at(__FILE__, __LINE__, "open: %s: %s", rcp_errname(ret), msg);
        free(e);
        return;
    }
    for (unsigned u = 0; u < g_uuids; u++)
        owner[u] = -1;
    for (unsigned u = 0; u < g_uuids; u++) {
        uint8_t uuid[RCP_UUID_LEN], authz[RCP_AUTHZ_ID_LEN];
        uint64_t want_sqn = (uint64_t)t->advances[u] * SQN_STEP + t->cas_won[u];
        unsigned msin;

        uuid_of(uuid, u);
        /* AS: granted at most MAX_AUTHZ times, and as often as stored; one
         * first acknowledgement in all processes */
        CHECK_OK(rcp_store_uuid_get(st, uuid, &rec));
        CHECK(t->granted[u] >= 1 && t->granted[u] <= MAX_AUTHZ);
        CHECK(rec.authorizations == t->granted[u]);
        CHECK(t->ack_first[u] == 1);
        CHECK(rec.state == RCP_UUID_USED);
        /* SN: one IMSI per UUID, the same (with the same K) for every
         * process, inside the range and no other UUID's */
        CHECK_OK(rcp_store_alloc_by_uuid(st, uuid, &al));
        for (unsigned w = 0; w < g_procs; w++) {
            CHECK(strcmp(res[w].imsi[u], al.imsi) == 0);
            CHECK_MEM(res[w].k[u], res[0].k[u], 16);
        }
        msin = (unsigned)strtoul(al.imsi + 5, NULL, 10); /* MCC 001, MNC 01 */
        if (strncmp(al.imsi, "00101", 5) == 0 && msin >= MSIN_FIRST &&
            msin < MSIN_FIRST + g_uuids && owner[msin - MSIN_FIRST] < 0) {
            owner[msin - MSIN_FIRST] = (int)u;
            rcp_t_pass++;
        } else {
            rcp_t_fail_at(__FILE__, __LINE__, "IMSI %s outside the range or handed out twice",
                          al.imsi);
        }
        /* no SQN advance lost, no compare-and-set applied on a stale value */
        CHECK_OK(rcp_store_hss_get(st, al.imsi, &sub));
        CHECK(sub.sqn == want_sqn);
        CHECK(t->rand_won[u] == 1);
        /* AKA done (once): the acknowledgement moves it to ACKED */
        sn_authz_of(authz, u);
        CHECK_OK(rcp_store_alloc_acked(st, uuid, authz));
        CHECK_OK(rcp_store_alloc_by_uuid(st, uuid, &al));
        CHECK(al.state == RCP_ALLOC_ACKED);
    }
    rcp_wipe(&sub, sizeof sub);
    CHECK_OK(rcp_store_alloc_count(st, &n));
    CHECK(n == g_uuids);
    CHECK(t->created == g_uuids);
    CHECK(t->fresh == g_uuids && t->reused == (g_procs - 1) * g_uuids);
    CHECK(t->nonce_won == g_uuids && t->nonce_replay == (g_procs - 1) * g_uuids);
    CHECK(t->rand_replay == (g_procs - 1) * g_uuids);
    CHECK(t->granted_all + t->limit + t->used_up == g_procs * g_uuids);
    CHECK(t->ack_first_all + t->ack_repeat + t->ack_replay + t->ack_unknown ==
          2 * g_procs * g_uuids);
    CHECK(t->advances_all == g_procs * g_uuids * ADVANCES);

    /* the ledger: one entry per event, numbered 1..N without a gap */
    CHECK_OK(rcp_store_ledger_count(st, RCP_LEDGER_REGISTER, &n_reg));
    CHECK_OK(rcp_store_ledger_count(st, RCP_LEDGER_AUTHORIZE, &n_auth));
    CHECK_OK(rcp_store_ledger_count(st, RCP_LEDGER_ACK, &n_ack));
    CHECK_OK(rcp_store_ledger_count(st, 0, &n));
    CHECK(n_reg == g_uuids && n_auth == t->granted_all && n_ack == g_uuids);
    CHECK(n == n_reg + n_auth + n_ack);
    for (uint64_t seq = 1; seq <= n; seq++)
        CHECK_OK(rcp_store_ledger_get(st, seq, e));
    CHECK_ERR(rcp_store_ledger_get(st, n + 1, e), RCP_ERR_NOT_FOUND);
    free(e);
    rcp_store_close(st);
}

/* With plain SQL, independently of the store's code. */
static void check_sql(void)
{
    static const struct {
        const char *what, *sql;
        long long want;
    } q[] = {
        {"IMSIs allocated twice",
         "SELECT count(*) FROM (SELECT imsi FROM sn_allocation GROUP BY imsi "
         "HAVING count(*) > 1) x",
         0},
        {"UUIDs with two IMSIs",
         "SELECT count(*) FROM (SELECT uuid FROM sn_allocation GROUP BY uuid "
         "HAVING count(*) > 1) x",
         0},
        {"UUIDs authorized more often than allowed",
         "SELECT count(*) FROM as_uuid WHERE authorizations > max_authorizations", 0},
        {"UUIDs whose count is not their authorizations",
         "SELECT count(*) FROM as_uuid u WHERE authorizations <> "
         "(SELECT count(*) FROM as_authorization a WHERE a.uuid = u.uuid)",
         0},
        {"UUIDs not acknowledged exactly once",
         "SELECT count(*) FROM as_uuid u WHERE (SELECT count(*) FROM as_authorization a "
         "WHERE a.uuid = u.uuid AND a.acked_at IS NOT NULL) <> 1",
         0},
        {"ledger gaps", "SELECT coalesce(max(seq), 0) - count(*) FROM as_ledger", 0},
        {"authorizations without their ledger entry",
         "SELECT count(*) FROM as_authorization a WHERE NOT EXISTS (SELECT 1 FROM as_ledger l "
         "WHERE l.kind = 2 AND l.authz_id = a.authz_id)",
         0},
        {"acknowledgements without their ledger entry",
         "SELECT count(*) FROM as_authorization a WHERE a.acked_at IS NOT NULL AND NOT EXISTS "
         "(SELECT 1 FROM as_ledger l WHERE l.kind = 3 AND l.authz_id = a.authz_id)",
         0},
        {"ack entries not after their authorize entry",
         "SELECT count(*) FROM as_ledger l WHERE kind = 3 AND NOT EXISTS (SELECT 1 FROM "
         "as_ledger a WHERE a.kind = 2 AND a.authz_id = l.authz_id AND a.seq < l.seq)",
         0},
        {"authorize entries not after their register entry",
         "SELECT count(*) FROM as_ledger l WHERE kind = 2 AND NOT EXISTS (SELECT 1 FROM "
         "as_ledger r WHERE r.kind = 1 AND r.uuid = l.uuid AND r.seq < l.seq)",
         0},
        {"two ledger entries for one event",
         "SELECT count(*) - count(DISTINCT (kind, coalesce(authz_id, uuid))) FROM as_ledger", 0},
        {"allocations whose subscriber is missing",
         "SELECT count(*) FROM sn_allocation s WHERE NOT EXISTS (SELECT 1 FROM hss_subscriber h "
         "WHERE h.imsi = s.imsi)",
         0},
        {"schema versions", "SELECT count(*) FROM schema_version", 1},
    };
    PGconn *c = rcp_t_pg_connect(g_url);

    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        long long v = rcp_t_pg_int(c, q[i].sql);
        if (v != q[i].want)
            rcp_t_fail_at(__FILE__, __LINE__, "%s: %lld, expected %lld", q[i].what, v, q[i].want);
        else
            rcp_t_pass++;
    }
    PQfinish(c);
}

static void report(const totals *t)
{
    printf("store_pg_race: %u processes x %u UUIDs, all at once:\n", g_procs, g_uuids);
    printf("  AS: %u registered (%u repeats), %u authorizations granted (%u refused: limit "
           "%u, used up %u), %u first acks (%u repeated, %u refused for another "
           "authorization, %u for an authorization not granted)\n",
           t->created, g_procs * g_uuids - t->created, t->granted_all, t->limit + t->used_up,
           t->limit, t->used_up, t->ack_first_all, t->ack_repeat, t->ack_replay, t->ack_unknown);
    printf("  SN: %u IMSIs allocated (%u retries got theirs back), shared nonces %u consumed "
           "/ %u replays refused, AKA RANDs %u / %u, %u SQN advances, compare-and-set %u won "
           "/ %u lost, %u acks taken / %u refused before AKA\n",
           t->fresh, t->reused, t->nonce_won, t->nonce_replay, g_uuids, t->rand_replay,
           t->advances_all, t->cas_won_all, t->cas_lost, t->acked, t->acked_early);
}

int main(int argc, char **argv)
{
    proc_result *res;
    totals t;
    pid_t pids[PROCS_MAX];
    int go[2];
    int failed = 0;

    g_url = getenv("RCP_PG_URL");
    if (g_url == NULL || g_url[0] == '\0') {
        fprintf(stderr, "store_pg_race: RCP_PG_URL is not set (tests/scripts/store_pg.sh sets "
                        "it to a throwaway cluster)\n");
        return 2;
    }
    if (argc > 1)
        g_procs = (unsigned)strtoul(argv[1], NULL, 10);
    if (argc > 2)
        g_uuids = (unsigned)strtoul(argv[2], NULL, 10);
    if (g_procs < 2 || g_procs > PROCS_MAX || g_uuids < 1 || g_uuids > UUIDS_MAX) {
        fprintf(stderr, "usage: store_pg_race [PROCESSES 2..%d [UUIDS 1..%d]]\n", PROCS_MAX,
                UUIDS_MAX);
        return 2;
    }
    rcp_t_pg_reset(g_url); /* an empty database: the workers' opens race to create it */
    res = mmap(NULL, sizeof *res * g_procs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
               0);
    if (res == MAP_FAILED || pipe(go) != 0) {
        perror("store_pg_race");
        return 1;
    }
    memset(res, 0, sizeof *res * g_procs);
    fflush(stdout);
    for (unsigned w = 0; w < g_procs; w++) {
        pids[w] = fork();
        if (pids[w] < 0) {
            perror("fork");
            return 1;
        }
        if (pids[w] == 0) {
            close(go[1]);
            exit(worker(w, go[0], &res[w]));
        }
    }
    close(go[0]);
    close(go[1]); /* go: every worker's read returns now */
    for (unsigned w = 0; w < g_procs; w++) {
        int status = 0;
        if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            rcp_t_fail_at(__FILE__, __LINE__, "process %u failed (status %d): %s", w, status,
                          res[w].first_error[0] ? res[w].first_error : "no message");
            failed = 1;
        } else {
            rcp_t_pass++;
        }
    }
    add_up(res, &t);
    report(&t);
    if (!failed) {
        check_store(res, &t);
        check_sql();
    }
    munmap(res, sizeof *res * g_procs);
    return rcp_t_done("store_pg_race");
}
