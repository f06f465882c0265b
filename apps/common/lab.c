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

void lab_store_url(const char *dir, const char *store, int sn, char *out, size_t cap)
{
    if (store)
        snprintf(out, cap, "%s", store);
    else
        snprintf(out, cap, "sqlite:%s/%s/data/%s.db", dir, sn ? "sn" : "auths",
                 sn ? "sn" : "auths");
}

int lab_count(const char *dir, const char *store, lab_result *r, char *err, size_t cap)
{
    char url[4200];
    rcp_store *st = NULL;
    lab_store_url(dir, store, 1, url, sizeof url);
    int ret = rcp_store_open_ex(url, &st, err, cap);
    if (ret == 0)
        ret = rcp_store_alloc_count(st, &r->sn_allocations);
    rcp_store_close(st);
    st = NULL;
    if (ret)
        return ret;
    lab_store_url(dir, store, 0, url, sizeof url);
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

launched *lab_daemon(lab *L, int sn, unsigned i)
{
    if (i == 0)
        return sn ? &L->sn : &L->auths;
    if (i >= (sn ? L->n_sn : L->n_auths))
        return NULL;
    return sn ? &L->sns[i] : &L->authss[i];
}

static void conf_name(const lab *L, int sn, unsigned i, char *out, size_t cap)
{
    const char *role = sn ? "sn" : "auths";
    if (i == 0)
        snprintf(out, cap, "%s/%s/%s.conf", L->dir, role, role);
    else
        snprintf(out, cap, "%s/%s/%s-%u.conf", L->dir, role, role, i + 1);
}

static int start_one(lab *L, int sn, unsigned i, char *err, size_t cap)
{
    char conf[4200], log[4200], name[32];
    conf_name(L, sn, i, conf, sizeof conf);
    snprintf(log, sizeof log, "%s/%s/rcprovd-%u.log", L->dir, sn ? "sn" : "auths", i + 1);
    snprintf(name, sizeof name, "%s %u", sn ? "Serving Network" : "Authorization Server", i + 1);
    return launch_daemon(L->daemon, name, conf, log, 10000, lab_daemon(L, sn, i), err, cap);
}

int lab_crash_restart(lab *L, int sn, unsigned i, char *err, size_t cap)
{
    launched *d = lab_daemon(L, sn, i);
    if (d == NULL)
        return app_errf(err, cap, -1, "no such instance");
    launch_kill(d);
    return start_one(L, sn, i, err, cap);
}

/* Instance i's configuration: instance 0's with its own listener (and, for
 * an SN, the AuthS instance of the same number, round robin). */
static int write_instance_conf(lab *L, int sn, unsigned i, char *err, size_t cap)
{
    char src[4200], dst[4200], line[1200];
    conf_name(L, sn, 0, src, sizeof src);
    conf_name(L, sn, i, dst, sizeof dst);
    FILE *in = fopen(src, "r");
    if (in == NULL)
        return app_errf(err, cap, -1, "%s: cannot read", src);
    size_t len = 0, capb = 8192;
    char *out = malloc(capb);
    while (out && fgets(line, sizeof line, in)) {
        char repl[200];
        const char *use = line;
        if (strncmp(line, "listen = ", 9) == 0) {
            snprintf(repl, sizeof repl, "listen = 127.0.0.1:%u\n",
                     sn ? L->sn_ports[i] : L->auths_ports[i]);
            use = repl;
        } else if (sn && strncmp(line, "endpoint = ", 11) == 0) {
            snprintf(repl, sizeof repl, "endpoint = 127.0.0.1:%u\n",
                     L->auths_ports[i % L->n_auths]);
            use = repl;
        }
        size_t ul = strlen(use);
        if (len + ul + 1 > capb) {
            char *bigger = realloc(out, capb *= 2);
            if (bigger == NULL) {
                free(out);
                out = NULL;
                break;
            }
            out = bigger;
        }
        memcpy(out + len, use, ul);
        len += ul;
    }
    fclose(in);
    if (out == NULL)
        return app_errf(err, cap, -1, "out of memory");
    int ret = fio_write_atomic(dst, out, len, 0644, 1);
    free(out);
    return ret ? app_errf(err, cap, -1, "%s: cannot write", dst) : 0;
}

static int start_daemons(lab *L, char *err, size_t cap)
{
    if (launch_find_daemon(L->daemon, sizeof L->daemon, err, cap) != 0)
        return -1;
    for (unsigned i = 1; i < L->n_auths; i++)
        if (write_instance_conf(L, 0, i, err, cap) != 0)
            return -1;
    for (unsigned i = 1; i < L->n_sn; i++)
        if (write_instance_conf(L, 1, i, err, cap) != 0)
            return -1;
    for (unsigned i = 0; i < L->n_auths; i++)
        if (start_one(L, 0, i, err, cap) != 0)
            return -1;
    for (unsigned i = 0; i < L->n_sn; i++)
        if (start_one(L, 1, i, err, cap) != 0)
            return -1;
    say(L,
        "%u Authorization Server%s from coaps://127.0.0.1:%u, %u Serving Network%s from "
        "coap://127.0.0.1:%u",
        L->n_auths, L->n_auths > 1 ? "s" : "", L->auths_port, L->n_sn, L->n_sn > 1 ? "s" : "",
        L->sn_port);
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
        for (unsigned k = 0; k < L->n_sn && L->n_sn > 1; k++)
            nd->ports[nd->n_ports++] = L->sn_ports[(i + k) % L->n_sn];
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
            snprintf(err, cap, "%zu devices need %zu open files; the limit is %llu (ulimit -n)", n,
                     n + 64, (unsigned long long)rl.rlim_cur);
            if (!o->dir)
                rmdir(L->dir);
            return -1;
        }
    }
    double t0 = now_s();
    L->n_sn = o->sn_instances ? o->sn_instances : 1;
    L->n_auths = o->auths_instances ? o->auths_instances : 1;
    if (L->n_sn > LAB_MAX_INSTANCES || L->n_auths > LAB_MAX_INSTANCES) {
        snprintf(err, cap, "at most %d instances of a role", LAB_MAX_INSTANCES);
        if (!o->dir)
            rmdir(L->dir);
        return -1;
    }
    /* Distinct free ports for every listener. */
    uint16_t all[2 * LAB_MAX_INSTANCES];
    size_t n_all = 0;
    while (n_all < L->n_sn + L->n_auths) {
        uint16_t p = launch_free_udp_port();
        int dup = p == 0;
        for (size_t k = 0; k < n_all; k++)
            dup |= all[k] == p;
        if (p == 0)
            break;
        if (!dup)
            all[n_all++] = p;
    }
    for (unsigned i = 0; i < L->n_sn && n_all == L->n_sn + L->n_auths; i++)
        L->sn_ports[i] = all[i];
    for (unsigned i = 0; i < L->n_auths && n_all == L->n_sn + L->n_auths; i++)
        L->auths_ports[i] = all[L->n_sn + i];
    L->sn_port = L->sn_ports[0];
    L->auths_port = L->auths_ports[0];
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
                       .sn_store = o->store,
                       .auths_store = o->store,
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
    if (o->store) {
        /* A shared database may hold earlier runs: count what is new. */
        lab_result b;
        memset(&b, 0, sizeof b);
        if (lab_count(L->dir, o->store, &b, err, cap) != 0)
            goto fail;
        L->before[0] = b.sn_allocations;
        L->before[1] = b.ledger_registrations;
        L->before[2] = b.ledger_authorizations;
        L->before[3] = b.ledger_acks;
    }
    if (start_daemons(L, err, cap) != 0)
        goto fail;
    rcp_net_opts no;
    rcp_net_opts_default(&no);
    no.log_level = RCP_LOG_ERROR;
    no.request_timeout_ms = o->client_request_timeout_ms ? o->client_request_timeout_ms : 30000;
    no.ack_timeout_ms = o->client_ack_timeout_ms;
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
    if (sp_register_all(L->sp, L->net, items, n, o->max_authorizations ? o->max_authorizations : 3,
                        32, progress, L) != 0) {
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
    for (unsigned i = 1; i < L->n_sn; i++) {
        int st = launch_stop(&L->sns[i], 15000);
        if (r->sn_status == 0)
            r->sn_status = st;
    }
    r->auths_status = launch_stop(&L->auths, 15000);
    for (unsigned i = 1; i < L->n_auths; i++) {
        int st = launch_stop(&L->authss[i], 15000);
        if (r->auths_status == 0)
            r->auths_status = st;
    }
    rcp_net_free(L->net);
    L->net = NULL;
    if (L->dir[0] && r->sn_status == 0 && r->auths_status == 0)
        r->counted = lab_count(L->dir, L->o.store, r, err, sizeof err) == 0;
    if (r->counted) {
        r->sn_allocations -= L->before[0];
        r->ledger_registrations -= L->before[1];
        r->ledger_authorizations -= L->before[2];
        r->ledger_acks -= L->before[3];
    }
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
