/* A loopback deployment up and down: lab.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deploy.h"
#include "fileio.h"
#include "lab.h"
#include "rcprov/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say(const lab *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const lab *L, const char *fmt, ...)
{
    if (L->o.quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("lab: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void progress(void *ctx, size_t done, size_t n)
{
    const lab *L = ctx;
    if (!L->o.quiet && isatty(2))
        fprintf(stderr, "\r\033[Klab: %zu/%zu%s", done, n, done == n ? "\r\033[K" : "");
}

static int save_dev(void *ctx, char *err, size_t cap)
{
    return devstate_save(ctx, err, cap);
}

int lab_count(const char *dir, lab_result *r, char *err, size_t cap)
{
    char url[4200];
    rcp_store *st = NULL;
    snprintf(url, sizeof url, "sqlite:%s/sn/data/sn.db", dir);
    int ret = rcp_store_open_ex(url, &st, err, cap);
    if (ret == 0)
        ret = rcp_store_alloc_count(st, &r->sn_allocations);
    rcp_store_close(st);
    st = NULL;
    if (ret)
        return ret;
    snprintf(url, sizeof url, "sqlite:%s/auths/data/auths.db", dir);
    ret = rcp_store_open_ex(url, &st, err, cap);
    if (ret == 0)
        ret = rcp_store_ledger_count(st, RCP_LEDGER_REGISTER, &r->ledger_registrations);
    if (ret == 0)
        ret = rcp_store_ledger_count(st, RCP_LEDGER_AUTHORIZE, &r->ledger_authorizations);
    if (ret == 0)
        ret = rcp_store_ledger_count(st, RCP_LEDGER_ACK, &r->ledger_acks);
    rcp_store_close(st);
    return ret;
}

static int start_daemons(lab *L, char *err, size_t cap)
{
    char daemon[4096], conf[4200], log[4200];
    if (launch_find_daemon(daemon, sizeof daemon, err, cap) != 0)
        return -1;
    snprintf(conf, sizeof conf, "%s/auths/auths.conf", L->dir);
    snprintf(log, sizeof log, "%s/auths/rcprovd.log", L->dir);
    if (launch_daemon(daemon, "Authorization Server", conf, log, 10000, &L->auths, err, cap) != 0)
        return -1;
    snprintf(conf, sizeof conf, "%s/sn/sn.conf", L->dir);
    snprintf(log, sizeof log, "%s/sn/rcprovd.log", L->dir);
    if (launch_daemon(daemon, "Serving Network", conf, log, 10000, &L->sn, err, cap) != 0)
        return -1;
    say(L, "Authorization Server on coaps://127.0.0.1:%u (pid %ld), Serving Network on "
           "coap://127.0.0.1:%u (pid %ld)",
        L->auths_port, (long)L->auths.pid, L->sn_port, (long)L->sn.pid);
    return 0;
}

static int load_devices(lab *L, sp_item *items, char *err, size_t cap)
{
    size_t n = L->o.devices;
    for (size_t i = 0; i < n; i++) {
        char ddir[4200], cert[4300];
        snprintf(ddir, sizeof ddir, "%s/devices/%05zu", L->dir, i + 1);
        if (devstate_load(ddir, rcp_rng_system(), rcp_clock_system(), &L->ds[i], err, cap) != 0)
            return -1;
        rcp_ua_device *d = devstate_device(L->ds[i]);
        memcpy(items[i].uuid, d->uuid, RCP_UUID_LEN);
        snprintf(cert, sizeof cert, "%s/tre.cbor", ddir);
        if (tre_kid_from_file(cert, items[i].tre_kid, err, cap) != 0)
            return -1;
        netdev *nd = &L->devs[i];
        memset(nd, 0, sizeof *nd);
        nd->net = L->net;
        snprintf(nd->host, sizeof nd->host, "127.0.0.1");
        nd->port = L->sn_port;
        nd->dev = d;
        if (L->o.persist) {
            nd->save = save_dev;
            nd->save_ctx = L->ds[i];
        }
    }
    return 0;
}

int lab_up(lab *L, const lab_opts *o, char *err, size_t cap)
{
    memset(L, 0, sizeof *L);
    L->o = *o;
    size_t n = o->devices;
    if (n == 0 || n > DEPLOY_DEVICES_MAX) {
        snprintf(err, cap, "devices: 1 to %u", DEPLOY_DEVICES_MAX);
        return -1;
    }
    if (o->dir) {
        snprintf(L->dir, sizeof L->dir, "%s", o->dir);
        L->o.keep = 1;
    } else {
        const char *tmp = o->base ? o->base : getenv("TMPDIR");
        if (tmp == NULL || *tmp == 0)
            tmp = "/tmp";
        snprintf(L->dir, sizeof L->dir, "%s/rcprov-lab-XXXXXX", tmp);
        if (mkdtemp(L->dir) == NULL) {
            snprintf(err, cap, "cannot create a temporary folder in %s", tmp);
            L->dir[0] = 0;
            return -1;
        }
    }
    /* Each loaded device holds its state directory's lock (one descriptor):
     * raise the soft limit towards the hard one for large runs. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 256) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > n + 256 ? n + 256 : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < n + 64) {
            snprintf(err, cap, "%zu devices need %zu open files; the limit is %llu (ulimit -n)",
                     n, n + 64, (unsigned long long)rl.rlim_cur);
            if (!o->dir)
                rmdir(L->dir);
            return -1;
        }
    }
    double t0 = now_s();
    L->sn_port = launch_free_udp_port();
    L->auths_port = launch_free_udp_port();
    while (L->auths_port == L->sn_port && L->auths_port != 0)
        L->auths_port = launch_free_udp_port();
    sp_item *items = calloc(n, sizeof *items);
    L->ds = calloc(n, sizeof *L->ds);
    L->devs = calloc(n, sizeof *L->devs);
    deploy_opts dop = {.dir = L->dir,
                       .devices = n,
                       .curve = o->curve,
                       .suite = o->suite,
                       .host = "127.0.0.1",
                       .sn_port = L->sn_port,
                       .auths_port = L->auths_port,
                       .log_level = o->log_level,
                       .rng = rcp_rng_system(),
                       .progress = progress,
                       .progress_ctx = L};
    int ret = -1;
    if (!items || !L->ds || !L->devs) {
        snprintf(err, cap, "out of memory");
        goto fail;
    }
    if (L->sn_port == 0 || L->auths_port == 0) {
        snprintf(err, cap, "no free UDP port on 127.0.0.1");
        goto fail;
    }
    if (deploy_create(&dop, err, cap) != 0)
        goto fail;
    say(L, "PKI, configurations and %zu devices in %s", n, L->dir);
    if (start_daemons(L, err, cap) != 0)
        goto fail;
    rcp_net_opts no;
    rcp_net_opts_default(&no);
    no.log_level = RCP_LOG_ERROR;
    no.request_timeout_ms = 30000;
    char conf[4200];
    snprintf(conf, sizeof conf, "%s/sp/sp.conf", L->dir);
    if (rcp_net_new(&no, &L->net) != 0) {
        snprintf(err, cap, "cannot start CoAP");
        goto fail;
    }
    if (sp_load(conf, &L->sp, err, cap) != 0 || load_devices(L, items, err, cap) != 0)
        goto fail;
    L->t_setup_s = now_s() - t0;
    double t1 = now_s();
    if (sp_register_all(L->sp, L->net, items, n, 3, 32, progress, L) != 0) {
        for (size_t i = 0; i < n; i++)
            if (items[i].err) {
                snprintf(err, cap, "SP registering device %zu: %s: %s", i + 1,
                         rcp_errname(items[i].err), items[i].why);
                break;
            }
        goto fail;
    }
    L->t_register_s = now_s() - t1;
    say(L, "SP registered %zu UUIDs over DTLS in %.2f s", n, L->t_register_s);
    ret = 0;
fail:
    free(items);
    if (ret) {
        lab_result r;
        lab_down(L, &r);
    }
    return ret;
}

void lab_down(lab *L, lab_result *r)
{
    char err[512];
    memset(r, 0, sizeof *r);
    r->sn_status = launch_stop(&L->sn, 15000);
    r->auths_status = launch_stop(&L->auths, 15000);
    rcp_net_free(L->net);
    L->net = NULL;
    if (L->dir[0] && r->sn_status == 0 && r->auths_status == 0)
        r->counted = lab_count(L->dir, r, err, sizeof err) == 0;
    for (size_t i = 0; L->ds && i < L->o.devices; i++)
        devstate_free(L->ds[i]);
    free(L->ds);
    free(L->devs);
    L->ds = NULL;
    L->devs = NULL;
    sp_free(L->sp);
    L->sp = NULL;
    if (L->dir[0] && !L->o.keep)
        fio_remove_tree(L->dir);
}
