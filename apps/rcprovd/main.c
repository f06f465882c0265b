/*
 * rcprovd — hosts rcprov network functions over CoAP (docs/rcprovd.md).
 *
 *   rcprovd --config FILE [--check] [--log-level L] [--ready-file PATH]
 *
 * The roles of the configuration (docs/config.md) are engines behind the
 * CoAP transport: the Serving Network of uuid-attach at POST /ua-sn (CoAP
 * over UDP, for devices), the Authorization Server at POST /ua-auths (CoAP
 * over DTLS, for Serving Networks and SPs).  SIGTERM or SIGINT: stop taking
 * new exchanges, let those in flight finish (at most drain_seconds), exit 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "node.h"
#include "rcprov/transport.h"
#include "rcprov/uuid_attach.h"

#define EXIT_USAGE 2

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: rcprovd --config FILE [--check] [--log-level error|warn|info|debug]\n"
               "               [--ready-file PATH]\n"
               "  --config FILE      the roles to host and their keys (docs/config.md)\n"
               "  --check            check the configuration (keys, certificates, stores) and exit\n"
               "  --log-level L      override [daemon] log_level\n"
               "  --ready-file PATH  write the process id there once every listener is up\n");
}

static void dlog(const node *nd, rcp_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void dlog(const node *nd, rcp_log_level lvl, const char *fmt, ...)
{
    if (lvl > nd->net.log_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rcprovd: %s: ", rcp_log_level_name(lvl));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* The engines behind the services. */
static int sn_service(void *ctx, const uint8_t *msg, size_t len, rcp_step *out)
{
    return rcp_ua_sn_handle(ctx, msg, len, out);
}

static int auths_service(void *ctx, const uint8_t *msg, size_t len, rcp_step *out)
{
    return rcp_ua_auths_handle(ctx, msg, len, out);
}

struct ack_timer {
    const rcp_ua_sn *sn;
    size_t cursor;
};

static int sn_ack_timer(void *ctx, rcp_step *out)
{
    struct ack_timer *t = ctx;
    return rcp_ua_sn_resend_acks(t->sn, &t->cursor, out);
}

static int setup(node *nd, rcp_net *net, struct ack_timer *at)
{
    int ret = 0;
    if (nd->has_auths) {
        ret = rcp_net_add_service(net, "ua-auths", auths_service, &nd->auths, 1);
        if (ret == 0)
            ret = rcp_net_listen(net, nd->auths_host, nd->auths_port, &nd->auths_id,
                                 nd->accept, nd->n_accept);
        if (ret) {
            dlog(nd, RCP_LOG_ERROR, "[auths] listen %s:%u: %s", nd->auths_host, nd->auths_port,
                 ret == RCP_ERR_IO ? "cannot bind (port in use?)" : rcp_strerror(ret));
            return ret;
        }
        dlog(nd, RCP_LOG_INFO, "Authorization Server %s on coaps://%s:%u/ua-auths",
             nd->auths.fqdn, nd->auths_host, rcp_net_port(net, 0));
    }
    if (nd->has_sn) {
        ret = rcp_net_add_service(net, "ua-sn", sn_service, &nd->sn, 0);
        for (size_t i = 0; ret == 0 && i < nd->n_peers; i++)
            ret = rcp_net_add_peer(net, nd->peers[i].name, nd->peers[i].host, nd->peers[i].port,
                                   "ua-auths", &nd->sn_id, nd->peers[i].key);
        if (ret) {
            dlog(nd, RCP_LOG_ERROR, "[auths-peer]: %s", rcp_strerror(ret));
            return ret;
        }
        ret = rcp_net_listen(net, nd->sn_host, nd->sn_port, NULL, NULL, 0);
        if (ret) {
            dlog(nd, RCP_LOG_ERROR, "[sn] listen %s:%u: %s", nd->sn_host, nd->sn_port,
                 ret == RCP_ERR_IO ? "cannot bind (port in use?)" : rcp_strerror(ret));
            return ret;
        }
        at->sn = &nd->sn;
        ret = rcp_net_add_timer(net, 1000, sn_ack_timer, at, "ua-sn");
        if (ret)
            return ret;
        dlog(nd, RCP_LOG_INFO, "Serving Network on coap://%s:%u/ua-sn (%zu Authorization Server%s)",
             nd->sn_host, nd->sn_port, nd->n_peers, nd->n_peers == 1 ? "" : "s");
    }
    return 0;
}

static int write_ready(const char *path)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    return fio_write_atomic(path, buf, (size_t)n, 0644, 1);
}

int main(int argc, char **argv)
{
    const char *config = NULL, *level = NULL, *ready = NULL;
    int check = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--check") == 0) {
            check = 1;
            continue;
        }
        const char **dst = strcmp(a, "--config") == 0      ? &config
                           : strcmp(a, "--log-level") == 0  ? &level
                           : strcmp(a, "--ready-file") == 0 ? &ready
                                                            : NULL;
        if (dst == NULL) {
            fprintf(stderr, "rcprovd: unknown option %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "rcprovd: %s needs a value\n", a);
            return EXIT_USAGE;
        }
        if (*dst) {
            fprintf(stderr, "rcprovd: %s given twice\n", a);
            return EXIT_USAGE;
        }
        *dst = argv[++i];
    }
    if (config == NULL) {
        fprintf(stderr, "rcprovd: --config FILE is required\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    int lvl = -1;
    if (level && (lvl = rcp_log_level_from_name(level)) < 0) {
        fprintf(stderr, "rcprovd: --log-level: \"%s\" is not error, warn, info or debug\n", level);
        return EXIT_USAGE;
    }

    char err[CONF_ERR_MAX];
    node *nd = NULL;
    if (node_load(config, &nd, err, sizeof err) != 0) {
        fprintf(stderr, "rcprovd: %s\n", err);
        return EXIT_USAGE;
    }
    if (lvl >= 0)
        nd->net.log_level = (rcp_log_level)lvl;
    if (check) {
        printf("rcprovd: %s: configuration valid (%s%s%s)\n", config, nd->has_sn ? "sn" : "",
               nd->has_sn && nd->has_auths ? ", " : "", nd->has_auths ? "auths" : "");
        node_free(nd);
        return 0;
    }

    rcp_net *net = NULL;
    struct ack_timer at = {0};
    /* Between network functions more than one request may be in flight on
     * one DTLS session (RFC 7252 4.7 allows a higher NSTART between nodes
     * that know each other). */
    if (nd->net.peer_nstart == 0)
        nd->net.peer_nstart = 32;
    /* A peer that restarted is noticed in seconds (then a new DTLS session
     * is opened), well before a device gives up on its own request. */
    if (nd->net.ack_timeout_ms == 0)
        nd->net.ack_timeout_ms = 1000;
    if (nd->net.max_retransmit == 0)
        nd->net.max_retransmit = 2;
    if (nd->net.request_timeout_ms == 0)
        nd->net.request_timeout_ms = 8000;
    int ret = rcp_net_new(&nd->net, &net);
    if (ret == 0)
        ret = setup(nd, net, &at);
    if (ret) {
        rcp_net_free(net);
        node_free(nd);
        return 1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (ready && write_ready(ready) != 0) {
        dlog(nd, RCP_LOG_ERROR, "--ready-file %s: %s", ready, strerror(errno));
        rcp_net_free(net);
        node_free(nd);
        return 1;
    }
    dlog(nd, RCP_LOG_INFO, "ready (pid %ld)", (long)getpid());

    time_t drain_end = 0;
    while (1) {
        if (stop_requested && drain_end == 0) {
            rcp_net_drain(net);
            drain_end = time(NULL) + (time_t)nd->drain_seconds;
            dlog(nd, RCP_LOG_INFO, "stopping: %zu exchange(s) in flight, waiting up to %u s",
                 rcp_net_in_flight(net), nd->drain_seconds);
        }
        if (drain_end) {
            size_t left = rcp_net_in_flight(net);
            if (left == 0)
                break;
            if (time(NULL) >= drain_end) {
                dlog(nd, RCP_LOG_WARN, "stopping with %zu exchange(s) unfinished", left);
                break;
            }
        }
        if (rcp_net_run(net, 100) != 0 && !stop_requested)
            dlog(nd, RCP_LOG_WARN, "I/O error in the CoAP loop");
    }
    /* Let the last answers leave (separate responses go out on the next
     * turn of the loop after their trigger). */
    for (int i = 0; i < 5; i++)
        if (rcp_net_run(net, 10) != 0)
            break;
    rcp_net_stats st;
    rcp_net_get_stats(net, &st);
    dlog(nd, RCP_LOG_INFO,
         "stopped: %llu requests handled, %llu sent to peers, %llu failed",
         (unsigned long long)st.requests_in, (unsigned long long)st.requests_out,
         (unsigned long long)st.failures);
    rcp_net_free(net);
    node_free(nd);
    if (ready)
        unlink(ready);
    return 0;
}
