/*
 * rcprov sim uuid-attach: a whole world in one process — fresh PKI, an
 * Authorization Server, a Serving Network with its HSS (SQLite files in a
 * temporary folder unless --dir), an SP that registers N UUIDs, and N
 * devices run through the flow and a real EPS AKA with what they received.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "rcprov/sim.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rcprov sim uuid-attach --devices N [--curve p256|brainpoolp256r1]\n"
            "                              [--suite gcm|cbc-hmac] [--seed S] [--dir D] [--json]\n\n"
            "Builds a fresh PKI and world (SQLite stores in a temporary folder, or in D),\n"
            "registers N UUIDs through the SP, runs every device through uuid-attach and an\n"
            "EPS AKA with the credentials it received, and prints a summary.\n");
}

static void progress(int quiet, int tty, size_t done, size_t n, size_t ok, size_t failed)
{
    if (quiet)
        return;
    size_t step = n >= 10 ? n / 10 : 1;
    if (tty) {
        int width = 30, fill = (int)(width * done / n);
        fprintf(stderr, "\r[%.*s%*s] %zu/%zu  ok %zu  failed %zu", fill,
                "##############################", width - fill, "", done, n, ok, failed);
        if (done == n)
            fputc('\n', stderr);
    } else if (done % step == 0 || done == n) {
        fprintf(stderr, "sim: %zu/%zu devices done, %zu ok, %zu failed\n", done, n, ok, failed);
    }
}

static int run_uuid_attach(int argc, char **argv)
{
    const char *cmd = "rcprov sim uuid-attach";
    unsigned long long devices = 0, seed = 1;
    const char *curve_name = "p256", *suite_name = "gcm", *dir = NULL;
    int have_devices = 0, json = 0, help = 0, quiet = 0;
    struct cli_opt opts[] = {
        {"devices", CLI_UINT, &devices, 10000000, &have_devices},
        {"curve", CLI_STRING, &curve_name, 0, NULL},
        {"suite", CLI_STRING, &suite_name, 0, NULL},
        {"seed", CLI_UINT, &seed, (size_t)-1, NULL},
        {"dir", CLI_STRING, &dir, 0, NULL},
        {"json", CLI_FLAG, &json, 0, NULL},
        {"quiet", CLI_FLAG, &quiet, 0, NULL},
    };
    int ret = cli_parse(cmd, argc, argv, 2, opts, sizeof opts / sizeof opts[0], &help);
    if (ret)
        return ret;
    if (help) {
        usage(stdout);
        return 0;
    }
    if (!have_devices || devices == 0) {
        fprintf(stderr, "%s: --devices N (N >= 1) is required\n", cmd);
        return CLI_EXIT_USAGE;
    }
    rcp_curve curve = rcp_curve_from_name(curve_name);
    if (curve != RCP_CURVE_P256 && curve != RCP_CURVE_BP256R1) {
        fprintf(stderr, "%s: --curve must be p256 or brainpoolp256r1, got '%s'\n", cmd, curve_name);
        return CLI_EXIT_USAGE;
    }
    rcp_seal_suite suite = rcp_seal_suite_from_name(suite_name);
    if (suite == RCP_SUITE_NONE) {
        fprintf(stderr, "%s: --suite must be gcm or cbc-hmac, got '%s'\n", cmd, suite_name);
        return CLI_EXIT_USAGE;
    }
    char tmp[] = "/tmp/rcprov-sim-XXXXXX";
    const char *where = dir;
    if (dir == NULL) {
        if (mkdtemp(tmp) == NULL) {
            fprintf(stderr, "%s: cannot create a temporary folder: %s\n", cmd, strerror(errno));
            return CLI_EXIT_FAIL;
        }
        where = tmp;
    } else if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: cannot create --dir %s: %s\n", cmd, dir, strerror(errno));
        return CLI_EXIT_FAIL;
    }

    int tty = isatty(2);
    double t0 = now_s();
    rcp_ua_world *w = NULL;
    rcp_ua_world_opts o = {(size_t)devices, curve, suite, seed, where, 3, 0};
    char why[256] = "";
    ret = rcp_ua_world_new(&o, &w);
    if (ret) {
        fprintf(stderr, "%s: cannot build the world: %s\n", cmd, rcp_strerror(ret));
        ret = CLI_EXIT_FAIL;
        goto cleanup;
    }
    double t_world = now_s();
    size_t provisioned = 0, aka_ok = 0, failed = 0, reg_failed = 0;
    rcp_ua_run_stats st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < devices; i++) {
        if (rcp_ua_world_register(w, i, why, sizeof why) != 0) {
            reg_failed++;
            if (reg_failed <= 3)
                fprintf(stderr, "sim: register device %zu: %s\n", i, why);
        }
    }
    double t_reg = now_s();
    for (size_t i = 0; i < devices; i++) {
        int r = rcp_ua_world_run(w, i, &st, why, sizeof why);
        rcp_ua_device *d = rcp_ua_world_device(w, i);
        if (d->state >= RCP_UA_DEV_PROVISIONED)
            provisioned++;
        if (r == 0 && d->state == RCP_UA_DEV_DONE) {
            aka_ok++;
        } else {
            failed++;
            if (failed <= 3)
                fprintf(stderr, "%ssim: device %zu failed: %s\n", tty && !quiet ? "\n" : "", i,
                        why);
        }
        progress(quiet || json, tty, i + 1, devices, aka_ok, failed);
    }
    double t_end = now_s();
    uint64_t allocs = 0, acks = 0;
    if (rcp_store_alloc_count(rcp_ua_world_sn_store(w), &allocs) != 0 ||
        rcp_store_ledger_count(rcp_ua_world_auths_store(w), RCP_LEDGER_ACK, &acks) != 0)
        allocs = acks = 0;
    double n = (double)devices;
    double flows_s = (t_end - t_reg) > 0 ? n / (t_end - t_reg) : 0;
    if (json) {
        printf("{\"flow\":\"uuid-attach\",\"devices\":%llu,\"curve\":\"%s\",\"suite\":\"%s\","
               "\"seed\":%llu,\"provisioned\":%zu,\"aka_ok\":%zu,\"failed\":%zu,"
               "\"imsis_allocated\":%llu,\"acks_in_ledger\":%llu,"
               "\"round_trips_per_device\":%.2f,\"bytes_up_per_device\":%.1f,"
               "\"bytes_down_per_device\":%.1f,"
               "\"device_ops\":{\"sign\":%.2f,\"verify\":%.2f,\"ecdh\":%.2f,\"keygen\":%.2f},"
               "\"sn_ops\":{\"sign\":%.2f,\"verify\":%.2f,\"ecdh\":%.2f,\"keygen\":%.2f},"
               "\"setup_s\":%.3f,\"register_s\":%.3f,\"elapsed_s\":%.3f,\"flows_per_s\":%.1f}\n",
               devices, rcp_curve_name(curve), rcp_seal_suite_name(suite), seed, provisioned,
               aka_ok, failed, (unsigned long long)allocs, (unsigned long long)acks,
               st.round_trips / n, st.bytes_up / n, st.bytes_down / n, st.device_ops.sign / n,
               st.device_ops.verify / n, st.device_ops.ecdh / n, st.device_ops.keygen / n,
               st.sn_ops.sign / n, st.sn_ops.verify / n, st.sn_ops.ecdh / n, st.sn_ops.keygen / n,
               t_world - t0, t_reg - t_world, t_end - t_reg, flows_s);
    } else {
        printf("uuid-attach simulation: %llu devices, %s, %s, seed %llu, stores in %s%s\n", devices,
               rcp_curve_name(curve), rcp_seal_suite_name(suite), seed, where,
               dir ? "" : " (removed at exit)");
        printf("  %-28s %zu\n", "provisioned", provisioned);
        printf("  %-28s %zu\n", "AKA ok (new credentials)", aka_ok);
        printf("  %-28s %zu\n", "failed", failed);
        printf("  %-28s %llu (acks in ledger %llu)\n", "IMSIs allocated",
               (unsigned long long)allocs, (unsigned long long)acks);
        printf("  %-28s %.2f\n", "round trips per device", st.round_trips / n);
        printf("  %-28s %.1f up, %.1f down\n", "bytes per device", st.bytes_up / n,
               st.bytes_down / n);
        printf("  %-28s sign %.2f  verify %.2f  ecdh %.2f  keygen %.2f\n", "device ops",
               st.device_ops.sign / n, st.device_ops.verify / n, st.device_ops.ecdh / n,
               st.device_ops.keygen / n);
        printf("  %-28s sign %.2f  verify %.2f  ecdh %.2f  keygen %.2f\n", "SN ops per device",
               st.sn_ops.sign / n, st.sn_ops.verify / n, st.sn_ops.ecdh / n, st.sn_ops.keygen / n);
        printf("  %-28s %.2f s (setup %.2f s, register %.2f s), %.1f flows/s\n", "elapsed",
               t_end - t0, t_world - t0, t_reg - t_world, flows_s);
    }
    ret = failed == 0 && reg_failed == 0 && aka_ok == devices ? CLI_EXIT_OK : CLI_EXIT_FAIL;
cleanup:
    rcp_ua_world_free(w);
    if (dir == NULL)
        nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return ret;
}

int cmd_sim(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "uuid-attach") == 0)
        return run_uuid_attach(argc, argv);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "rcprov sim: %s (flows: uuid-attach)\n",
            argc >= 2 ? "unknown flow" : "missing flow");
    return CLI_EXIT_USAGE;
}
