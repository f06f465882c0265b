/* SP registrations and device runs over CoAP: netrun.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fileio.h"
#include "netrun.h"
#include "rcprov/bytes.h"
#include "rcprov/x509.h"

struct spctx {
    rcp_ua_sp sp;
    rcp_ec_key *key;
    char name[64];
    char host[64];
    uint16_t port;
    uint8_t *cert, *keypem, *ca;
    size_t cert_len, key_len, ca_len;
    rcp_net_identity id;
};

void sp_free(spctx *sp)
{
    if (sp == NULL)
        return;
    rcp_ec_key_free(sp->key);
    free(sp->cert);
    if (sp->keypem) {
        rcp_wipe(sp->keypem, sp->key_len);
        free(sp->keypem);
    }
    free(sp->ca);
    free(sp);
}

static int read_key(const conf *c, const conf_section *s, const char *key, uint8_t **buf,
                    size_t *len, char *err, size_t cap)
{
    char path[4096], e[512];
    if (conf_path(c, s, key, 1, path, sizeof path, err, cap) != 0)
        return -1;
    if (fio_read(path, 1u << 20, buf, len, e, sizeof e) != 0) {
        char where[256];
        conf_where(c, s, key, where, sizeof where);
        snprintf(err, cap, "%s: [sp] %s: %s", where, key, e);
        return -1;
    }
    return 0;
}

int sp_load(const char *conf_path, spctx **out, char *err, size_t cap)
{
    static const char *const sections[] = {"sp"};
    static const char *const keys[] = {"name", "key", "tls_cert", "tls_ca", "auths"};
    conf *c = NULL;
    *out = NULL;
    if (conf_load(conf_path, &c, err, cap) != 0)
        return -1;
    spctx *sp = calloc(1, sizeof *sp);
    const conf_section *s = conf_find(c, "sp", 0);
    const char *name = NULL;
    int ret = sp ? 0 : -1;
    if (ret == 0 && (conf_check_sections(c, sections, 1, err, cap) != 0 || s == NULL)) {
        if (s == NULL)
            snprintf(err, cap, "%s: no [sp] section", conf_path);
        ret = -1;
    }
    if (ret == 0)
        ret = conf_check_keys(c, s, keys, 5, NULL, 0, err, cap);
    if (ret == 0)
        ret = conf_str(c, s, "name", 1, &name, err, cap);
    if (ret == 0 && strlen(name) >= sizeof sp->name) {
        snprintf(err, cap, "%s: [sp] name: longer than 63 bytes", conf_path);
        ret = -1;
    }
    if (ret == 0)
        ret = conf_endpoint(c, s, "auths", 1, sp->host, sizeof sp->host, &sp->port, err, cap);
    if (ret == 0)
        ret = read_key(c, s, "key", &sp->keypem, &sp->key_len, err, cap);
    if (ret == 0)
        ret = read_key(c, s, "tls_cert", &sp->cert, &sp->cert_len, err, cap);
    if (ret == 0)
        ret = read_key(c, s, "tls_ca", &sp->ca, &sp->ca_len, err, cap);
    if (ret == 0 &&
        rcp_ec_key_from_pkcs8_pem((const char *)sp->keypem, sp->key_len, &sp->key) != 0) {
        snprintf(err, cap, "%s: [sp] key: not a PKCS#8 PEM EC private key", conf_path);
        ret = -1;
    }
    if (ret == 0) {
        snprintf(sp->name, sizeof sp->name, "%s", name);
        sp->sp = (rcp_ua_sp){sp->name, sp->key, rcp_clock_system()};
        sp->id = (rcp_net_identity){(const char *)sp->cert, sp->cert_len,
                                    (const char *)sp->keypem, sp->key_len,
                                    (const char *)sp->ca, sp->ca_len};
        *out = sp;
    } else {
        sp_free(sp);
    }
    conf_free(c);
    return ret;
}

void sp_set_auths(spctx *sp, const char *host, uint16_t port)
{
    snprintf(sp->host, sizeof sp->host, "%s", host);
    sp->port = port;
}

int tre_kid_from_file(const char *path, uint8_t kid[RCP_KID_LEN], char *err, size_t cap)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    rcp_ccert c;
    if (fio_read(path, RCP_CCERT_MAX_LEN, &buf, &len, err, cap) != 0)
        return -1;
    int ret = rcp_ccert_decode(buf, len, &c);
    free(buf);
    if (ret) {
        snprintf(err, cap, "%s: not a compact certificate (%s)", path, rcp_strerror(ret));
        return -1;
    }
    memcpy(kid, c.subject_kid, RCP_KID_LEN);
    return 0;
}

struct reg_run {
    spctx *sp;
    sp_item *item;
    size_t *in_flight, *done;
};

static void on_registered(void *ctx, int err, const uint8_t *msg, size_t len, const char *why)
{
    struct reg_run *r = ctx;
    sp_item *it = r->item;
    if (err) {
        it->err = err;
        snprintf(it->why, sizeof it->why, "%s", why ? why : rcp_strerror(err));
    } else {
        it->err = rcp_ua_sp_register_result(msg, len, it->uuid, &it->created, it->why,
                                            sizeof it->why);
    }
    it->done = 1;
    (*r->in_flight)--;
    (*r->done)++;
    free(r);
}

size_t sp_register_all(spctx *sp, rcp_net *net, sp_item *items, size_t n,
                       uint32_t max_authorizations, unsigned concurrency,
                       void (*progress)(void *ctx, size_t done, size_t n), void *ctx)
{
    size_t next = 0, in_flight = 0, done = 0, failed = 0;
    if (concurrency == 0)
        concurrency = 1;
    while (done < n) {
        while (next < n && in_flight < concurrency) {
            sp_item *it = &items[next++];
            rcp_out_msg m;
            struct reg_run *r = calloc(1, sizeof *r);
            int ret = r ? rcp_ua_sp_register(&sp->sp, it->uuid, it->tre_kid, max_authorizations,
                                             &m)
                        : RCP_ERR_NO_MEMORY;
            if (ret == 0) {
                *r = (struct reg_run){sp, it, &in_flight, &done};
                ret = rcp_net_request(net, sp->host, sp->port, "ua-auths", &sp->id, NULL, NULL,
                                      m.buf, m.len, on_registered, r);
            }
            if (ret) {
                free(r);
                it->err = ret;
                snprintf(it->why, sizeof it->why, "cannot send REGISTER: %s", rcp_strerror(ret));
                it->done = 1;
                done++;
                continue;
            }
            in_flight++;
        }
        if (in_flight && rcp_net_run(net, 20) != 0)
            break;
        if (progress)
            progress(ctx, done, n);
    }
    for (size_t i = 0; i < n; i++)
        failed += items[i].err != 0 || !items[i].done;
    return failed;
}

size_t netrun_devices(rcp_net *net, netdev *devs, size_t n, unsigned concurrency,
                      void (*tick)(void *ctx, size_t done, size_t ok, size_t failed), void *ctx,
                      volatile int *stop)
{
    size_t next = 0, done = 0, failed = 0, n_active = 0;
    uint64_t last_tick = 0;
    if (concurrency == 0)
        concurrency = 1;
    if (concurrency > n)
        concurrency = (unsigned)n;
    /* The devices in flight: only these are looked at on each turn. */
    size_t *active = calloc(concurrency, sizeof *active);
    if (active == NULL)
        return n;
    while (done < n && !(stop && *stop)) {
        for (size_t k = 0; k < n_active;) {
            netdev *d = &devs[active[k]];
            if (d->finished) {
                done++;
                failed += d->err != 0;
                active[k] = active[--n_active];
                continue;
            }
            netdev_poll(d);
            k++;
        }
        while (next < n && n_active < concurrency) {
            active[n_active++] = next;
            (void)netdev_start(&devs[next++]);
        }
        if (done == n)
            break;
        if (rcp_net_run(net, 5) != 0)
            continue; /* a socket error: the requests concerned time out and retry */
        uint64_t t = netdev_now_us();
        if (tick && t - last_tick >= 100000) {
            last_tick = t;
            tick(ctx, done, done - failed, failed);
        }
    }
    free(active);
    failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += !devs[i].finished || devs[i].err != 0;
    if (tick)
        tick(ctx, n - (stop && *stop ? failed : 0), n - failed, failed);
    return failed;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double netrun_percentile(double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}
