/*
 * rcprov demo: the whole of uuid-attach over the network, on loopback.
 *
 * Creates a PKI, daemon configurations and N device state directories in a
 * temporary folder (or --dir), starts an Authorization Server and a Serving
 * Network as two rcprovd processes (SN -> AuthS over CoAP with DTLS), has
 * the SP register the N UUIDs, runs the N devices concurrently over CoAP,
 * prints a table, stops the daemons with SIGTERM (they finish what is in
 * flight) and checks the stores they leave: one IMSI per device, one
 * authorization and one acknowledgement per device in the ledger.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "lab.h"

static volatile int interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rcprov demo [--devices N] [--concurrency C] [--curve p256|brainpoolp256r1]\n"
            "                   [--suite gcm|cbc-hmac] [--instances K] [--store URL]\n"
            "                   [--dir D] [--keep] [--json] [--quiet]\n\n"
            "On loopback: a fresh PKI and configurations (in a temporary folder, or D), an\n"
            "Authorization Server and a Serving Network as rcprovd daemons, N UUIDs (default\n"
            "100) registered by the SP, N devices run concurrently over CoAP (C at a time,\n"
            "default N, at most 256), a table per device and totals; then the daemons are stopped and\n"
            "their stores checked.  Nothing is left running; the folder is removed unless\n"
            "--dir or --keep.  Exit 0 when every device is provisioned and passed AKA.\n"
            "--instances K runs K Serving Networks and K Authorization Servers on the same\n"
            "stores (a device's successive messages go to different SNs); --store URL puts\n"
            "every daemon on that store (postgresql://USER@HOST:PORT/DB) instead of SQLite\n"
            "files, and the checks count only what this run added.\n");
}

static void tick(void *ctx, size_t done, size_t ok, size_t failed)
{
    const int *quiet = ctx;
    (void)ok;
    if (!*quiet && isatty(2))
        fprintf(stderr, "\r\033[Kdemo: devices: %zu done, %zu failed", done, failed);
}

/* Parse --curve and --suite (shared with the network bench). */
int cli_curve_suite(const char *cmd, const char *curve_s, const char *suite_s, rcp_curve *curve,
                    rcp_seal_suite *suite)
{
    if (strcmp(curve_s, "p256") == 0)
        *curve = RCP_CURVE_P256;
    else if (strcmp(curve_s, "brainpoolp256r1") == 0)
        *curve = RCP_CURVE_BP256R1;
    else {
        fprintf(stderr, "rcprov %s: --curve: \"%s\" is not p256 or brainpoolp256r1\n", cmd,
                curve_s);
        return CLI_EXIT_USAGE;
    }
    if (suite_s && (*suite = rcp_seal_suite_from_name(suite_s)) == RCP_SUITE_NONE) {
        fprintf(stderr, "rcprov %s: --suite: \"%s\" is not gcm or cbc-hmac\n", cmd, suite_s);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static void print_table(const lab *L, size_t n)
{
    printf("%-7s %-11s %-4s %-16s %4s %6s %6s %10s\n", "device", "provisioned", "AKA", "IMSI",
           "RTs", "up", "down", "latency ms");
    for (size_t i = 0; i < n; i++) {
        const netdev *d = &L->devs[i];
        int p = d->dev->state >= RCP_UA_DEV_PROVISIONED, a = d->dev->state == RCP_UA_DEV_DONE;
        double ms = d->finished ? (double)(d->t_end_us - d->t_start_us) / 1000.0 : 0;
        printf("%05zu   %-11s %-4s %-16s %4zu %6zu %6zu %10.1f%s%s\n", i + 1, p ? "yes" : "no",
               a ? "ok" : "no", p ? d->dev->cx.imsi : "-", d->round_trips, d->bytes_up,
               d->bytes_down, ms, d->err ? "  " : "", d->err ? d->why : "");
    }
}

int cmd_demo(int argc, char **argv)
{
    const char *curve_s = "p256", *suite_s = "gcm", *dir = NULL, *store = NULL;
    unsigned long long n = 100, conc = 0, inst = 1;
    int keep = 0, json = 0, quiet = 0, help = 0;
    struct cli_opt opts[] = {
        {"devices", CLI_UINT, &n, 99999, NULL},   {"concurrency", CLI_UINT, &conc, 10000, NULL},
        {"curve", CLI_STRING, &curve_s, 0, NULL}, {"suite", CLI_STRING, &suite_s, 0, NULL},
        {"dir", CLI_STRING, &dir, 0, NULL},       {"keep", CLI_FLAG, &keep, 0, NULL},
        {"json", CLI_FLAG, &json, 0, NULL},       {"quiet", CLI_FLAG, &quiet, 0, NULL},
        {"instances", CLI_UINT, &inst, LAB_MAX_INSTANCES, NULL},
        {"store", CLI_STRING, &store, 0, NULL},
    };
    int ret = cli_parse("demo", argc, argv, 1, opts, 10, &help);
    if (ret || help) {
        if (help)
            usage(stdout);
        return help ? 0 : ret;
    }
    if (inst == 0) {
        fprintf(stderr, "rcprov demo: --instances: 1 to %d\n", LAB_MAX_INSTANCES);
        return CLI_EXIT_USAGE;
    }
    if (store && strncmp(store, "postgresql://", 13) != 0 && strncmp(store, "postgres://", 11) != 0 &&
        strncmp(store, "sqlite:", 7) != 0) {
        fprintf(stderr, "rcprov demo: --store: \"%s\" is not a postgresql:// or sqlite: URL\n",
                store);
        return CLI_EXIT_USAGE;
    }
    lab_opts lo = {.devices = (size_t)n, .dir = dir, .keep = keep, .persist = 1,
                   .quiet = quiet || json, .sn_instances = (unsigned)inst,
                   .auths_instances = (unsigned)inst, .store = store};
    ret = cli_curve_suite("demo", curve_s, suite_s, &lo.curve, &lo.suite);
    if (ret)
        return ret;
    if (n == 0) {
        fprintf(stderr, "rcprov demo: --devices: at least 1\n");
        return CLI_EXIT_USAGE;
    }
    if (conc == 0)
        conc = n < 256 ? n : 256;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    double t0 = now_s();
    char err[1024];
    lab L;
    if (lab_up(&L, &lo, err, sizeof err) != 0) {
        fprintf(stderr, "rcprov demo: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    double t_run = now_s();
    size_t failed =
        netrun_devices(L.net, L.devs, (size_t)n, (unsigned)conc, tick, &lo.quiet, &interrupted);
    double run_s = now_s() - t_run;
    if (!lo.quiet && isatty(2))
        fprintf(stderr, "\r\033[K");

    size_t prov = 0, aka = 0, rt = 0, up = 0, down = 0, k = 0;
    double *lat = calloc((size_t)n, sizeof *lat);
    for (size_t i = 0; i < n; i++) {
        const netdev *d = &L.devs[i];
        prov += d->dev->state >= RCP_UA_DEV_PROVISIONED;
        aka += d->dev->state == RCP_UA_DEV_DONE;
        rt += d->round_trips;
        up += d->bytes_up;
        down += d->bytes_down;
        if (lat && d->finished && !d->err)
            lat[k++] = (double)(d->t_end_us - d->t_start_us) / 1000.0;
    }
    if (!json && !quiet)
        print_table(&L, (size_t)n);
    const char *kept = L.o.keep ? L.dir : NULL;
    char kept_dir[4096] = "";
    if (kept)
        snprintf(kept_dir, sizeof kept_dir, "%s", kept);
    lab_result r;
    lab_down(&L, &r);
    double p50 = lat ? netrun_percentile(lat, k, 50) : 0;
    double p99 = lat ? netrun_percentile(lat, k, 99) : 0;
    double nn = (double)n;
    int clean = r.sn_status == 0 && r.auths_status == 0;
    int stores_ok = r.counted && r.sn_allocations == n && r.ledger_acks == n &&
                    r.ledger_registrations == n;
    if (json) {
        printf("{\"flow\": \"uuid-attach\", \"transport\": \"coap\", \"devices\": %llu, "
               "\"concurrency\": %llu, \"provisioned\": %zu, \"aka_ok\": %zu, \"failed\": %zu, "
               "\"round_trips_per_device\": %.2f, \"bytes_up_per_device\": %.1f, "
               "\"bytes_down_per_device\": %.1f, \"latency_p50_ms\": %.1f, "
               "\"latency_p99_ms\": %.1f, \"run_s\": %.3f, \"sn_allocations\": %llu, "
               "\"ledger_registrations\": %llu, \"ledger_authorizations\": %llu, "
               "\"ledger_acks\": %llu, \"daemons_stopped_cleanly\": %s, \"elapsed_s\": %.2f}\n",
               n, conc, prov, aka, (size_t)n - aka, (double)rt / nn, (double)up / nn,
               (double)down / nn, p50, p99, run_s, (unsigned long long)r.sn_allocations,
               (unsigned long long)r.ledger_registrations,
               (unsigned long long)r.ledger_authorizations, (unsigned long long)r.ledger_acks,
               clean ? "true" : "false", now_s() - t0);
    } else if (!quiet) {
        printf("\ntotal: %zu/%llu provisioned, %zu/%llu AKA ok; per device %.1f round trips, "
               "%.0f bytes up, %.0f down\n",
               prov, n, aka, n, (double)rt / nn, (double)up / nn, (double)down / nn);
        printf("latency: p50 %.1f ms, p99 %.1f ms (%llu devices in %.2f s, %llu at a time)\n",
               p50, p99, n, run_s, conc);
        if (r.counted)
            printf("stores: %llu IMSIs allocated; ledger: %llu registrations, %llu "
                   "authorizations, %llu acknowledgements\n",
                   (unsigned long long)r.sn_allocations,
                   (unsigned long long)r.ledger_registrations,
                   (unsigned long long)r.ledger_authorizations,
                   (unsigned long long)r.ledger_acks);
        printf("daemons: %s\n", clean ? "stopped cleanly (SIGTERM, exit 0)"
                                      : "did not stop cleanly: see their rcprovd.log");
        if (kept)
            printf("kept: %s\n", kept_dir);
    }
    free(lat);
    if (interrupted)
        fprintf(stderr, "rcprov demo: interrupted\n");
    if (failed == 0 && clean && !stores_ok)
        fprintf(stderr, "rcprov demo: the stores do not hold one IMSI, one registration and one "
                        "acknowledgement per device\n");
    return failed == 0 && clean && stores_ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
