/*
 * rcprov crash uuid-attach: crash safety, measured.
 *
 * A loopback deployment (lab.h) with K Serving Networks and K Authorization
 * Servers on shared stores (SQLite files, or one PostgreSQL with --store)
 * serves N devices while daemons are killed with SIGKILL at random moments
 * and started again, many times.  Devices retry (CoAP retransmission, then
 * a fresh exchange).  Afterwards the stores must show that every device
 * was provisioned exactly once and with the credentials it holds, that no
 * IMSI was allocated twice, and that the ledger lost and doubled nothing:
 * every acknowledgement follows its authorization, none is taken twice, no
 * UUID is authorized beyond its policy, one acknowledgement per device.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lab.h"
#include "rcprov/bytes.h"
#include "rcprov/store.h"

#define MAX_AUTHZ 16

static void usage(FILE *f)
{
    fprintf(f, "usage: rcprov crash uuid-attach [--devices N] [--kills K] [--instances I]\n"
               "                                [--store URL] [--interval-ms M] [--seed S]\n"
               "                                [--concurrency C] [--json] [--quiet]\n\n"
               "Runs N devices (default 200) against I Serving Networks and I Authorization\n"
               "Servers (default 2) sharing their stores, and meanwhile kills a random daemon\n"
               "with SIGKILL every M ms on average (default 150) and restarts it, K times\n"
               "(default 40).  Then checks the stores: each device provisioned exactly once\n"
               "with the IMSI it holds, no IMSI twice, the ledger without loss or double\n"
               "entries.  Exit 0 when every check holds.\n");
}

struct chaos {
    lab *L;
    unsigned kills_left, kills_sn, kills_auths, kills_under_load;
    unsigned interval_ms;
    uint64_t next_ms;
    unsigned seed;
    int failed;
    char err[512];
    int quiet;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static unsigned rnd(unsigned *seed, unsigned n)
{
    *seed = *seed * 1103515245u + 12345u;
    return ((*seed >> 8) & 0xffffffu) % (n ? n : 1);
}

/* Called by the device loop: time for a crash? */
static void chaos_tick(void *ctx, size_t done, size_t ok, size_t failed)
{
    struct chaos *c = ctx;
    (void)ok;
    if (!c->quiet && isatty(2))
        fprintf(stderr, "\r\033[Kcrash: %zu devices done, %zu failed, %u kills to go", done, failed,
                c->kills_left);
    if (c->kills_left == 0 || c->failed || now_ms() < c->next_ms)
        return;
    lab *L = c->L;
    int sn = (int)rnd(&c->seed, 2);
    unsigned i = rnd(&c->seed, sn ? L->n_sn : L->n_auths);
    if (lab_crash_restart(L, sn, i, c->err, sizeof c->err) != 0) {
        c->failed = 1;
        return;
    }
    c->kills_left--;
    if (done < c->L->o.devices)
        c->kills_under_load++;
    if (sn)
        c->kills_sn++;
    else
        c->kills_auths++;
    c->next_ms = now_ms() + c->interval_ms / 2 + rnd(&c->seed, c->interval_ms + 1);
}

struct verdict {
    size_t checks, failures;
    char first[256];
};

static void expect(struct verdict *v, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void expect(struct verdict *v, int ok, const char *fmt, ...)
{
    v->checks++;
    if (ok)
        return;
    if (v->failures++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(v->first, sizeof v->first, fmt, ap);
        va_end(ap);
    }
}

static int open_role(const lab *L, int sn, rcp_store **st, char *err, size_t cap)
{
    char url[4200];
    lab_store_url(L->dir, L->o.store, sn, url, sizeof url);
    return rcp_store_open_ex(url, st, err, cap);
}

/* The SN's allocations against what each device holds. */
static void check_sn(lab *L, rcp_store *st, struct verdict *v)
{
    size_t n = L->o.devices;
    char(*imsis)[RCP_IMSI_MAX + 1] = calloc(n, sizeof *imsis);
    for (size_t i = 0; i < n && imsis; i++) {
        rcp_ua_device *d = L->devs[i].dev;
        rcp_allocation al;
        int ret = rcp_store_alloc_by_uuid(st, d->uuid, &al);
        expect(v, ret == 0, "device %zu: no allocation for its UUID (%s)", i + 1,
               rcp_strerror(ret));
        if (ret)
            continue;
        expect(v, strcmp(al.imsi, d->cx.imsi) == 0, "device %zu holds IMSI %s, the SN allocated %s",
               i + 1, d->cx.imsi, al.imsi);
        rcp_hss_subscriber sub;
        ret = rcp_store_hss_get(st, al.imsi, &sub);
        expect(v,
               ret == 0 && rcp_ct_equal(sub.k, d->cx.k, 16) && rcp_ct_equal(sub.opc, d->cx.opc, 16),
               "device %zu: K/OPc in the HSS differ from the device's", i + 1);
        rcp_wipe(&sub, sizeof sub);
        expect(v, al.state == RCP_ALLOC_ACKED, "device %zu: allocation not acknowledged (state %d)",
               i + 1, (int)al.state);
        memcpy(imsis[i], al.imsi, sizeof imsis[i]);
    }
    /* No IMSI twice. */
    for (size_t i = 0; i < n && imsis; i++)
        for (size_t j = i + 1; j < n; j++)
            if (imsis[i][0] && strcmp(imsis[i], imsis[j]) == 0)
                expect(v, 0, "IMSI %s allocated to devices %zu and %zu", imsis[i], i + 1, j + 1);
    free(imsis);
}

struct az {
    uint8_t id[RCP_AUTHZ_ID_LEN];
    uint8_t uuid[RCP_UUID_LEN];
    int acked;
};

/* The ledger: nothing lost, nothing doubled. */
static void check_ledger(lab *L, rcp_store *st, struct verdict *v, uint64_t *authz_out,
                         uint64_t *acks_out)
{
    uint64_t total = 0;
    if (rcp_store_ledger_count(st, 0, &total) != 0) {
        expect(v, 0, "ledger: cannot count");
        return;
    }
    struct az *a = calloc(total + 1, sizeof *a);
    size_t na = 0;
    uint64_t acks = 0;
    rcp_ledger_entry e;
    for (uint64_t seq = 1; a && seq <= total; seq++) {
        int ret = rcp_store_ledger_get(st, seq, &e);
        expect(v, ret == 0, "ledger entry %llu missing (sequence gap)", (unsigned long long)seq);
        if (ret)
            continue;
        if (e.kind == RCP_LEDGER_AUTHORIZE) {
            for (size_t k = 0; k < na; k++)
                if (memcmp(a[k].id, e.authz_id, RCP_AUTHZ_ID_LEN) == 0)
                    expect(v, 0, "authorization recorded twice (entry %llu)",
                           (unsigned long long)seq);
            memcpy(a[na].id, e.authz_id, RCP_AUTHZ_ID_LEN);
            memcpy(a[na].uuid, e.uuid, RCP_UUID_LEN);
            na++;
        } else if (e.kind == RCP_LEDGER_ACK) {
            acks++;
            size_t k = 0;
            while (k < na && memcmp(a[k].id, e.authz_id, RCP_AUTHZ_ID_LEN) != 0)
                k++;
            expect(v, k < na, "acknowledgement without an earlier authorization (entry %llu)",
                   (unsigned long long)seq);
            if (k < na) {
                expect(v, !a[k].acked, "authorization acknowledged twice (entry %llu)",
                       (unsigned long long)seq);
                a[k].acked = 1;
            }
        }
    }
    /* Per device: within its policy, exactly one acknowledgement. */
    for (size_t i = 0; a && i < L->o.devices; i++) {
        const uint8_t *uuid = L->devs[i].dev->uuid;
        unsigned nz = 0, nack = 0;
        for (size_t k = 0; k < na; k++)
            if (memcmp(a[k].uuid, uuid, RCP_UUID_LEN) == 0) {
                nz++;
                nack += a[k].acked;
            }
        expect(v, nz >= 1 && nz <= MAX_AUTHZ, "device %zu: %u authorizations (policy %d)", i + 1,
               nz, MAX_AUTHZ);
        expect(v, nack == 1, "device %zu: %u acknowledgements", i + 1, nack);
    }
    *authz_out = na;
    *acks_out = acks;
    free(a);
}

int cmd_crash(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "uuid-attach") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        fprintf(stderr, "rcprov crash: expected the flow: uuid-attach\n");
        return CLI_EXIT_USAGE;
    }
    const char *store = NULL;
    unsigned long long n = 200, kills = 40, inst = 2, interval = 150, seed = 1, conc = 16;
    int json = 0, quiet = 0, help = 0;
    struct cli_opt opts[] = {
        {"devices", CLI_UINT, &n, 5000, NULL},
        {"kills", CLI_UINT, &kills, 10000, NULL},
        {"instances", CLI_UINT, &inst, LAB_MAX_INSTANCES, NULL},
        {"store", CLI_STRING, &store, 0, NULL},
        {"interval-ms", CLI_UINT, &interval, 60000, NULL},
        {"seed", CLI_UINT, &seed, 0xffffffffu, NULL},
        {"concurrency", CLI_UINT, &conc, 1000, NULL},
        {"json", CLI_FLAG, &json, 0, NULL},
        {"quiet", CLI_FLAG, &quiet, 0, NULL},
    };
    int ret = cli_parse("crash uuid-attach", argc, argv, 2, opts, 9, &help);
    if (ret || help) {
        if (help)
            usage(stdout);
        return help ? 0 : ret;
    }
    if (n == 0 || inst == 0 || interval < 10 || conc == 0) {
        fprintf(stderr, "rcprov crash uuid-attach: %s\n",
                n == 0      ? "--devices: at least 1"
                : inst == 0 ? "--instances: 1 to 4"
                : conc == 0 ? "--concurrency: at least 1"
                            : "--interval-ms: at least 10");
        return CLI_EXIT_USAGE;
    }
    signal(SIGPIPE, SIG_IGN);
    /* Short CoAP timers: a killed peer is noticed in a second, not 45. */
    lab_opts lo = {.devices = (size_t)n,
                   .curve = RCP_CURVE_P256,
                   .suite = RCP_SUITE_GCM,
                   .log_level = "warn",
                   .quiet = quiet || json,
                   .sn_instances = (unsigned)inst,
                   .auths_instances = (unsigned)inst,
                   .store = store,
                   .max_authorizations = MAX_AUTHZ,
                   .client_ack_timeout_ms = 300,
                   .client_request_timeout_ms = 3000};
    char err[1024];
    lab L;
    time_t t0 = time(NULL);
    if (lab_up(&L, &lo, err, sizeof err) != 0) {
        fprintf(stderr, "rcprov crash uuid-attach: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < n; i++) {
        L.devs[i].max_attempts = 60;
        L.devs[i].retry_ms = 100;
    }
    struct chaos c = {.L = &L,
                      .kills_left = (unsigned)kills,
                      .interval_ms = (unsigned)interval,
                      .next_ms = now_ms() + interval,
                      .seed = (unsigned)seed,
                      .quiet = lo.quiet};
    size_t failed = netrun_devices(L.net, L.devs, (size_t)n, (unsigned)conc, chaos_tick, &c, NULL);
    /* The remaining kills, if the devices finished first. */
    while (c.kills_left && !c.failed) {
        c.next_ms = 0;
        chaos_tick(&c, n, n - failed, failed);
    }
    if (!lo.quiet && isatty(2))
        fprintf(stderr, "\r\033[K");
    if (c.failed)
        fprintf(stderr, "rcprov crash uuid-attach: restarting a daemon: %s\n", c.err);

    /* Acknowledgements owed after crashes are retried by the SNs (every
     * second): wait until the AuthS has one per device and the SN has
     * recorded every answer (an ACK_RESPONSE lost with a killed SN is
     * answered again on the retry). */
    lab_result r;
    uint64_t want = L.before[3] + (n - failed);
    for (int waited = 0; waited < 60; waited++) {
        memset(&r, 0, sizeof r);
        rcp_store *sn_st = NULL;
        rcp_allocation due;
        size_t n_due = 1;
        if (open_role(&L, 1, &sn_st, err, sizeof err) == 0 &&
            rcp_store_alloc_pending_acks(sn_st, &due, 1, &n_due) != 0)
            n_due = 1;
        rcp_store_close(sn_st);
        if (lab_count(L.dir, L.o.store, &r, err, sizeof err) == 0 && r.ledger_acks >= want &&
            n_due == 0)
            break;
        sleep(1);
    }
    struct verdict v = {0};
    uint64_t authz = 0, acks = 0;
    rcp_store *st = NULL;
    if (open_role(&L, 1, &st, err, sizeof err) == 0) {
        check_sn(&L, st, &v);
        rcp_store_close(st);
    } else {
        expect(&v, 0, "SN store: %s", err);
    }
    st = NULL;
    if (open_role(&L, 0, &st, err, sizeof err) == 0) {
        check_ledger(&L, st, &v, &authz, &acks);
        rcp_store_close(st);
    } else {
        expect(&v, 0, "AuthS store: %s", err);
    }
    unsigned retries = 0;
    for (size_t i = 0; i < n; i++)
        retries += L.devs[i].attempts;
    char first_dev[256] = "";
    for (size_t i = 0; i < n && !first_dev[0]; i++)
        if (L.devs[i].err)
            snprintf(first_dev, sizeof first_dev, "device %zu: %.200s", i + 1, L.devs[i].why);
    lab_down(&L, &r);
    int clean = r.sn_status == 0 && r.auths_status == 0;
    int ok = failed == 0 && v.failures == 0 && !c.failed && clean;
    const char *backend = store ? "postgresql" : "sqlite";
    if (json) {
        printf("{\"flow\": \"uuid-attach\", \"store\": \"%s\", \"instances\": %llu, "
               "\"devices\": %llu, \"done\": %zu, \"failed\": %zu, \"kills\": %llu, "
               "\"kills_sn\": %u, \"kills_auths\": %u, \"kills_under_load\": %u, "
               "\"device_retries\": %u, "
               "\"authorizations\": %llu, \"acknowledgements\": %llu, \"checks\": %zu, "
               "\"check_failures\": %zu, \"daemons_stopped_cleanly\": %s, \"elapsed_s\": %ld, "
               "\"ok\": %s}\n",
               backend, inst, n, (size_t)n - failed, failed, kills - c.kills_left, c.kills_sn,
               c.kills_auths, c.kills_under_load, retries, (unsigned long long)authz,
               (unsigned long long)acks, v.checks, v.failures, clean ? "true" : "false",
               (long)(time(NULL) - t0), ok ? "true" : "false");
    } else {
        printf("crash test, uuid-attach, %s store, %llu SN + %llu AuthS instances:\n", backend,
               inst, inst);
        printf("  %llu kills with SIGKILL (%u SN, %u AuthS; %u while devices were running), "
               "each followed by a restart\n",
               kills - c.kills_left, c.kills_sn, c.kills_auths, c.kills_under_load);
        printf("  %zu/%llu devices provisioned and AKA verified, %u retries in all\n",
               (size_t)n - failed, n, retries);
        printf("  ledger: %llu authorizations, %llu acknowledgements\n", (unsigned long long)authz,
               (unsigned long long)acks);
        printf("  %zu checks on the stores, %zu failed%s%s\n", v.checks, v.failures,
               v.failures ? ": " : "", v.failures ? v.first : "");
        printf("  daemons %s; %ld s\n", clean ? "stopped cleanly" : "did NOT stop cleanly",
               (long)(time(NULL) - t0));
    }
    if (failed)
        fprintf(stderr, "rcprov crash uuid-attach: %zu devices failed; first: %s\n", failed,
                first_dev);
    return ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
