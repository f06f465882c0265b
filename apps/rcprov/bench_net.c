/*
 * rcprov bench uuid-attach --net: uuid-attach over CoAP on loopback.
 *
 * Brings up a loopback deployment (lab.h: an Authorization Server and a
 * Serving Network as rcprovd processes, N registered devices), runs the N
 * devices with C in flight, and reports whole flows (attach, credentials,
 * AKA, acknowledgement) per second with p50/p99 latency.  In the same run
 * it measures the in-process Serving Network rate (rcprov bench
 * uuid-attach-sn's flows, no network, no device or AuthS work) and prints
 * the ratio of the two.  Devices keep their state in memory here (no
 * state.cbor writes): the bench measures the network functions.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "lab.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rcprov bench uuid-attach --net [--devices N] [--concurrency C]\n"
            "                                [--curve p256|brainpoolp256r1] [--data-base D]\n"
            "                                [--json] [--quiet]\n\n"
            "Runs N devices (default 2000) through uuid-attach and AKA against rcprovd daemons\n"
            "on loopback, C at a time (default 96), and prints flows per second, p50/p99\n"
            "latency, the CPU per flow of each process and the ratio to the in-process\n"
            "Serving Network rate measured in the same run.  The deployment (and the\n"
            "daemons' SQLite stores) goes under D: default /dev/shm (memory, like the\n"
            "in-process baseline's store), so the ratio measures the network and not the\n"
            "disk; give a disk folder to include fsync (docs/rcprovd.md).\n");
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) a process has used so far: /proc/PID/stat. */
static double cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    /* Fields after the command name (which may hold blanks): ") S ppid ...". */
    const char *p = strrchr(buf, ')');
    unsigned long long ut = 0, st = 0;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                            &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void tick(void *ctx, size_t done, size_t ok, size_t failed)
{
    const int *quiet = ctx;
    (void)ok;
    if (!*quiet)
        bench_progress(0, "bench: %zu flows done, %zu failed", done, failed);
}

int bench_net_run(int argc, char **argv)
{
    const char *curve_s = "p256", *base = NULL;
    unsigned long long n = 2000, conc = 96;
    int net = 0, json = 0, quiet = 0, help = 0;
    struct cli_opt opts[] = {
        {"net", CLI_FLAG, &net, 0, NULL},
        {"devices", CLI_UINT, &n, 99999, NULL},
        {"concurrency", CLI_UINT, &conc, 4096, NULL},
        {"curve", CLI_STRING, &curve_s, 0, NULL},
        {"data-base", CLI_STRING, &base, 0, NULL},
        {"json", CLI_FLAG, &json, 0, NULL},
        {"quiet", CLI_FLAG, &quiet, 0, NULL},
    };
    int ret = cli_parse("bench uuid-attach", argc, argv, 2, opts, 7, &help);
    if (ret || help) {
        if (help)
            usage(stdout);
        return help ? 0 : ret;
    }
    if (!net) {
        fprintf(stderr, "rcprov bench uuid-attach: only --net is measured here (the in-process "
                        "Serving Network alone is 'rcprov bench uuid-attach-sn')\n");
        return CLI_EXIT_USAGE;
    }
    if (n == 0 || conc == 0) {
        fprintf(stderr, "rcprov bench uuid-attach: --%s: at least 1\n",
                n == 0 ? "devices" : "concurrency");
        return CLI_EXIT_USAGE;
    }
    if (base == NULL)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
    lab_opts lo = {.devices = (size_t)n, .suite = RCP_SUITE_GCM, .log_level = "warn",
                   .base = base, .quiet = quiet || json};
    ret = cli_curve_suite("bench uuid-attach", curve_s, NULL, &lo.curve, &lo.suite);
    if (ret)
        return ret;
    signal(SIGPIPE, SIG_IGN);
    int q = quiet || json;

    /* The in-process Serving Network rate, in this run. */
    double sn_rate = 0;
    bench_progress(q, "bench: in-process Serving Network rate");
    ret = bench_sn_inprocess(lo.curve, lo.curve == RCP_CURVE_P256 ? 2000 : 400, 3, &sn_rate);
    if (ret) {
        fprintf(stderr, "rcprov bench uuid-attach: in-process SN bench failed: %s\n",
                rcp_strerror(ret));
        return CLI_EXIT_FAIL;
    }

    char err[1024];
    lab L;
    bench_progress(q, "bench: setting up %llu devices and the daemons", n);
    if (lab_up(&L, &lo, err, sizeof err) != 0) {
        bench_progress(q, "%s", "");
        fprintf(stderr, "rcprov bench uuid-attach: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    double t0 = now_s();
    double c_sn = cpu_s(L.sn.pid), c_auths = cpu_s(L.auths.pid), c_self = cpu_s(getpid());
    size_t failed = netrun_devices(L.net, L.devs, (size_t)n, (unsigned)conc, tick, &q, NULL);
    double secs = now_s() - t0;
    /* CPU per flow of each process during the run (microseconds). */
    double per = 1e6 / (double)n;
    c_sn = (cpu_s(L.sn.pid) - c_sn) * per;
    c_auths = (cpu_s(L.auths.pid) - c_auths) * per;
    c_self = (cpu_s(getpid()) - c_self) * per;
    bench_progress(q, "%s", "");
    double *lat = calloc((size_t)n, sizeof *lat);
    size_t k = 0, rt = 0;
    for (size_t i = 0; lat && i < n; i++) {
        rt += L.devs[i].round_trips;
        if (L.devs[i].finished && !L.devs[i].err)
            lat[k++] = (double)(L.devs[i].t_end_us - L.devs[i].t_start_us) / 1000.0;
    }
    const char *first_err = NULL;
    for (size_t i = 0; i < n && !first_err; i++)
        if (L.devs[i].err)
            first_err = L.devs[i].why;
    char first[256] = "";
    if (first_err)
        snprintf(first, sizeof first, "%s", first_err);
    lab_result r;
    lab_down(&L, &r);
    double p50 = lat ? netrun_percentile(lat, k, 50) : 0, p99 = lat ? netrun_percentile(lat, k, 99) : 0;
    free(lat);
    double rate = (double)(n - failed) / secs, ratio = rate / sn_rate;
    if (json) {
        printf("{\"bench\": \"uuid-attach-net\", \"curve\": \"%s\", \"devices\": %llu, "
               "\"concurrency\": %llu, \"ok\": %zu, \"failed\": %zu, \"seconds\": %.3f, "
               "\"flows_per_s\": %.1f, \"latency_p50_ms\": %.2f, \"latency_p99_ms\": %.2f, "
               "\"round_trips_per_device\": %.2f, \"inprocess_sn_flows_per_s\": %.1f, "
               "\"ratio\": %.3f, \"data_base\": \"%s\", \"cpu_us_per_flow\": {\"sn\": %.1f, \"auths\": %.1f, "
               "\"devices\": %.1f}, \"daemons_stopped_cleanly\": %s, \"ledger_acks\": %llu}\n",
               rcp_curve_name(lo.curve), n, conc, (size_t)n - failed, failed, secs, rate, p50, p99,
               (double)rt / (double)n, sn_rate, ratio, base ? base : "$TMPDIR", c_sn, c_auths,
               c_self,
               r.sn_status == 0 && r.auths_status == 0 ? "true" : "false",
               (unsigned long long)r.ledger_acks);
    } else {
        printf("uuid-attach over CoAP on loopback, %s: %llu devices, %llu at a time, stores "
               "under %s\n",
               rcp_curve_name(lo.curve), n, conc, base ? base : "$TMPDIR");
        printf("  flows/s %.1f (%zu ok, %zu failed, %.2f s); latency p50 %.1f ms, p99 %.1f ms\n",
               rate, (size_t)n - failed, failed, secs, p50, p99);
        printf("  in-process Serving Network (same run): %.1f flows/s; ratio %.3f\n", sn_rate,
               ratio);
        printf("  CPU per flow: Serving Network %.0f us, Authorization Server %.0f us, devices "
               "and client %.0f us\n",
               c_sn, c_auths, c_self);
        printf("  daemons: %s; ledger acknowledgements %llu\n",
               r.sn_status == 0 && r.auths_status == 0 ? "stopped cleanly" : "NOT stopped cleanly",
               (unsigned long long)r.ledger_acks);
    }
    if (failed)
        fprintf(stderr, "rcprov bench uuid-attach: %zu flows failed; first: %s\n", failed, first);
    return failed || r.sn_status != 0 || r.auths_status != 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
