/*
 * rcprov device / sp / demo: the flow over the network (docs/rcprovd.md).
 *
 *   rcprov device uuid-attach --sn coap://HOST:PORT --state DIR
 *   rcprov sp register --sp sp.conf --uuid HEX --tre-cert FILE [--auths coaps://HOST:PORT]
 *   rcprov demo [--devices N] ...   PKI, configs, daemons, N devices, table
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "deploy.h"
#include "devstate.h"
#include "fileio.h"
#include "launch.h"
#include "netrun.h"
#include "rcprov/bytes.h"

static volatile int interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static const char *state_name(rcp_ua_dev_state s)
{
    static const char *const names[] = {
        "idle",        "waiting for the SN challenge",  "waiting for credentials",
        "provisioned", "waiting for the AKA challenge", "waiting for the AKA result",
        "done"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

/* ------------------------------------------------------------- device */
struct dev_ctx {
    devstate *ds;
    int quiet;
};

static int dev_save(void *ctx, char *err, size_t cap)
{
    return devstate_save(((struct dev_ctx *)ctx)->ds, err, cap);
}

static void dev_progress(void *ctx, netdev *d, const char *what)
{
    struct dev_ctx *c = ctx;
    if (c->quiet)
        return;
    if (strcmp(what, "retrying") == 0)
        fprintf(stderr, "device: %s; retrying (attempt %u)\n", d->why, d->attempts + 1);
    else if (strcmp(what, "provisioned") == 0)
        fprintf(stderr, "device: provisioned: IMSI %s; proving it by EPS AKA\n", d->dev->cx.imsi);
    else if (strcmp(what, "done") != 0 && strcmp(what, "failed") != 0)
        fprintf(stderr, "device: %s (state: %s)\n",
                strcmp(what, "aka") == 0 ? "resuming at the AKA" : "attaching",
                state_name(d->dev->state));
}

static void device_usage(FILE *f)
{
    fprintf(
        f, "usage: rcprov device uuid-attach --sn coap://HOST:PORT --state DIR\n"
           "                                 [--attempts N] [--block-size B] [--quiet] [--json]\n\n"
           "Runs one device (ME + TRE) through uuid-attach and EPS AKA against a Serving\n"
           "Network over CoAP.  DIR holds device.conf, the TRE's key and certificates, and\n"
           "state.cbor, rewritten atomically after every step: a device killed at any\n"
           "point resumes where it was.  Exit 0 once provisioned and AKA verified.\n"
           "--block-size B (16..1024, a power of two; default 1024): messages larger than B\n"
           "go block-wise (RFC 7959), for links with small datagrams.\n");
}

int cmd_device(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "uuid-attach") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            device_usage(stdout);
            return 0;
        }
        fprintf(stderr, "rcprov device: expected the flow: uuid-attach\n");
        return CLI_EXIT_USAGE;
    }
    const char *sn = NULL, *dir = NULL;
    unsigned long long attempts = 5, block = 1024;
    int json = 0, quiet = 0, help = 0;
    struct cli_opt opts[] = {
        {"sn", CLI_STRING, &sn, 0, NULL},
        {"state", CLI_STRING, &dir, 0, NULL},
        {"attempts", CLI_UINT, &attempts, 100, NULL},
        {"json", CLI_FLAG, &json, 0, NULL},
        {"quiet", CLI_FLAG, &quiet, 0, NULL},
        {"block-size", CLI_UINT, &block, 1024, NULL},
    };
    int ret = cli_parse("device uuid-attach", argc, argv, 2, opts, 6, &help);
    if (ret || help) {
        if (help)
            device_usage(stdout);
        return help ? 0 : ret;
    }
    char host[64];
    uint16_t port = 0;
    int secure = 0;
    if (sn == NULL || dir == NULL) {
        fprintf(stderr, "rcprov device uuid-attach: --%s is required\n", sn ? "state" : "sn");
        return CLI_EXIT_USAGE;
    }
    if (launch_parse_url(sn, host, sizeof host, &port, &secure) != 0 || secure) {
        fprintf(stderr, "rcprov device uuid-attach: --sn: \"%s\" is not coap://HOST:PORT\n", sn);
        return CLI_EXIT_USAGE;
    }
    if (attempts == 0) {
        fprintf(stderr, "rcprov device uuid-attach: --attempts: at least 1\n");
        return CLI_EXIT_USAGE;
    }
    if (block < 16 || (block & (block - 1))) {
        fprintf(stderr, "rcprov device uuid-attach: --block-size: a power of two, 16..1024\n");
        return CLI_EXIT_USAGE;
    }
    char err[512];
    struct dev_ctx c = {NULL, quiet};
    if (devstate_load(dir, rcp_rng_system(), rcp_clock_system(), &c.ds, err, sizeof err) != 0) {
        fprintf(stderr, "rcprov device uuid-attach: --state: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    rcp_net_opts no;
    rcp_net_opts_default(&no);
    no.log_level = RCP_LOG_ERROR;
    no.request_timeout_ms = 20000;
    no.block_size = (unsigned)block;
    rcp_net *net = NULL;
    if (rcp_net_new(&no, &net) != 0) {
        devstate_free(c.ds);
        fprintf(stderr, "rcprov device uuid-attach: cannot start CoAP\n");
        return CLI_EXIT_FAIL;
    }
    netdev d;
    memset(&d, 0, sizeof d);
    d.net = net;
    snprintf(d.host, sizeof d.host, "%s", host);
    d.port = port;
    d.dev = devstate_device(c.ds);
    d.save = dev_save;
    d.save_ctx = &c;
    d.progress = dev_progress;
    d.progress_ctx = &c;
    d.max_attempts = (unsigned)attempts;
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    size_t failed = netrun_devices(net, &d, 1, 1, NULL, NULL, &interrupted);
    rcp_ua_device *dev = d.dev;
    double ms = (double)(d.t_end_us - d.t_start_us) / 1000.0;
    if (json) {
        printf("{\"flow\": \"uuid-attach\", \"state\": \"%s\", \"provisioned\": %s, \"aka_ok\": "
               "%s, \"imsi\": \"%s\", \"round_trips\": %zu, \"bytes_up\": %zu, "
               "\"bytes_down\": %zu, \"attempts\": %u, \"latency_ms\": %.1f, \"error\": \"%s\"}\n",
               state_name(dev->state), dev->state >= RCP_UA_DEV_PROVISIONED ? "true" : "false",
               dev->state == RCP_UA_DEV_DONE ? "true" : "false",
               dev->state >= RCP_UA_DEV_PROVISIONED ? dev->cx.imsi : "", d.round_trips, d.bytes_up,
               d.bytes_down, d.attempts + 1, ms, failed ? rcp_errname(d.err) : "");
    } else if (failed == 0) {
        printf("device: provisioned and AKA verified: IMSI %s (%zu round trips, %zu bytes up, "
               "%zu down, %.1f ms)\n",
               dev->cx.imsi, d.round_trips, d.bytes_up, d.bytes_down, ms);
    }
    if (failed)
        fprintf(stderr, "device: %s: %s (state: %s)\n",
                interrupted ? "interrupted" : rcp_errname(d.err),
                interrupted ? "stopped by a signal" : d.why, state_name(dev->state));
    rcp_net_free(net);
    devstate_free(c.ds);
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ----------------------------------------------------------------- sp */
static void sp_usage(FILE *f)
{
    fprintf(f, "usage: rcprov sp register --sp sp.conf --uuid HEX --tre-cert FILE\n"
               "                          [--auths coaps://HOST:PORT] [--max-authorizations N]\n"
               "                          [--json]\n\n"
               "Registers a UUID and the TRE it belongs to (CERT.TRE, compact) at the\n"
               "Authorization Server, over CoAP with DTLS under the SP's certificate; the\n"
               "registration is signed by the SP's key.  Registering again the same way is\n"
               "idempotent.  sp.conf: [sp] name, key, tls_cert, tls_ca, auths = HOST:PORT.\n");
}

int cmd_sp(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "register") != 0) {
        if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
            sp_usage(stdout);
            return 0;
        }
        fprintf(stderr, "rcprov sp: expected: register\n");
        return CLI_EXIT_USAGE;
    }
    const char *conf_path = NULL, *auths = NULL, *tre_cert = NULL;
    uint8_t uuid[RCP_UUID_LEN];
    int have_uuid = 0, json = 0, help = 0;
    unsigned long long max_authz = 3;
    struct cli_opt opts[] = {
        {"sp", CLI_STRING, &conf_path, 0, NULL},
        {"auths", CLI_STRING, &auths, 0, NULL},
        {"uuid", CLI_HEX, uuid, RCP_UUID_LEN, &have_uuid},
        {"tre-cert", CLI_STRING, &tre_cert, 0, NULL},
        {"max-authorizations", CLI_UINT, &max_authz, 16, NULL},
        {"json", CLI_FLAG, &json, 0, NULL},
    };
    int ret = cli_parse("sp register", argc, argv, 2, opts, 6, &help);
    if (ret || help) {
        if (help)
            sp_usage(stdout);
        return help ? 0 : ret;
    }
    const char *missing = !conf_path ? "sp" : !have_uuid ? "uuid" : !tre_cert ? "tre-cert" : NULL;
    if (missing) {
        fprintf(stderr, "rcprov sp register: --%s is required\n", missing);
        return CLI_EXIT_USAGE;
    }
    if (max_authz == 0) {
        fprintf(stderr, "rcprov sp register: --max-authorizations: 1 to 16\n");
        return CLI_EXIT_USAGE;
    }
    char err[512], host[64];
    uint16_t port = 0;
    int secure = 0;
    if (auths && (launch_parse_url(auths, host, sizeof host, &port, &secure) != 0 || !secure)) {
        fprintf(stderr, "rcprov sp register: --auths: \"%s\" is not coaps://HOST:PORT\n", auths);
        return CLI_EXIT_USAGE;
    }
    sp_item it;
    memset(&it, 0, sizeof it);
    memcpy(it.uuid, uuid, RCP_UUID_LEN);
    if (tre_kid_from_file(tre_cert, it.tre_kid, err, sizeof err) != 0) {
        fprintf(stderr, "rcprov sp register: --tre-cert: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    spctx *sp = NULL;
    if (sp_load(conf_path, &sp, err, sizeof err) != 0) {
        fprintf(stderr, "rcprov sp register: --sp: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (auths)
        sp_set_auths(sp, host, port);
    rcp_net_opts no;
    rcp_net_opts_default(&no);
    no.log_level = RCP_LOG_ERROR;
    no.request_timeout_ms = 20000;
    rcp_net *net = NULL;
    size_t failed = 1;
    if (rcp_net_new(&no, &net) == 0)
        failed = sp_register_all(sp, net, &it, 1, (uint32_t)max_authz, 1, NULL, NULL);
    char hex[2 * RCP_UUID_LEN + 1] = "";
    if (rcp_hex_encode(uuid, RCP_UUID_LEN, hex, sizeof hex) != 0)
        hex[0] = 0;
    if (json)
        printf("{\"uuid\": \"%s\", \"registered\": %s, \"created\": %s, \"error\": \"%s\"}\n", hex,
               failed ? "false" : "true", it.created ? "true" : "false",
               failed ? rcp_errname(it.err) : "");
    else if (!failed)
        printf("sp: UUID %s %s\n", hex,
               it.created ? "registered" : "was already registered to this TRE (no change)");
    if (failed)
        fprintf(stderr, "rcprov sp register: %s: %s\n", rcp_errname(it.err), it.why);
    rcp_net_free(net);
    sp_free(sp);
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/* ------------------------------------------------------------- deploy */
static void deploy_usage(FILE *f)
{
    fprintf(f, "usage: rcprov deploy --dir D [--devices N] [--sn-port P] [--auths-port Q]\n"
               "                     [--host IP] [--curve p256|brainpoolp256r1]\n"
               "                     [--suite gcm|cbc-hmac] [--log-level L]\n\n"
               "Writes a loopback deployment into D (which must not exist or be empty): a PKI,\n"
               "sn/sn.conf and auths/auths.conf for rcprovd, sp/sp.conf for 'rcprov sp\n"
               "register', N device state directories under devices/ and devices.txt\n"
               "(directory, UUID, CERT.TRE per line).  Defaults: 10 devices, ports 5683 and\n"
               "5684 on 127.0.0.1.  Layout: docs/rcprovd.md.\n");
}

int cmd_deploy(int argc, char **argv)
{
    const char *dir = NULL, *host = "127.0.0.1", *curve_s = "p256", *suite_s = "gcm",
               *level = "info";
    unsigned long long n = 10, sn_port = 5683, auths_port = 5684;
    int help = 0;
    struct cli_opt opts[] = {
        {"dir", CLI_STRING, &dir, 0, NULL},
        {"devices", CLI_UINT, &n, DEPLOY_DEVICES_MAX, NULL},
        {"sn-port", CLI_UINT, &sn_port, 65535, NULL},
        {"auths-port", CLI_UINT, &auths_port, 65535, NULL},
        {"host", CLI_STRING, &host, 0, NULL},
        {"curve", CLI_STRING, &curve_s, 0, NULL},
        {"suite", CLI_STRING, &suite_s, 0, NULL},
        {"log-level", CLI_STRING, &level, 0, NULL},
    };
    int ret = cli_parse("deploy", argc, argv, 1, opts, 8, &help);
    if (ret || help) {
        if (help)
            deploy_usage(stdout);
        return help ? 0 : ret;
    }
    deploy_opts o = {.dir = dir,
                     .devices = (size_t)n,
                     .host = host,
                     .sn_port = (uint16_t)sn_port,
                     .auths_port = (uint16_t)auths_port,
                     .log_level = level,
                     .rng = rcp_rng_system()};
    if (dir == NULL || n == 0 || sn_port == 0 || auths_port == 0 || sn_port == auths_port) {
        fprintf(stderr, "rcprov deploy: %s\n",
                dir == NULL ? "--dir is required"
                : n == 0    ? "--devices: at least 1"
                            : "--sn-port and --auths-port: two different ports 1..65535");
        return CLI_EXIT_USAGE;
    }
    if (rcp_log_level_from_name(level) < 0) {
        fprintf(stderr, "rcprov deploy: --log-level: \"%s\" is not error, warn, info or debug\n",
                level);
        return CLI_EXIT_USAGE;
    }
    ret = cli_curve_suite("deploy", curve_s, suite_s, &o.curve, &o.suite);
    if (ret)
        return ret;
    char err[1024];
    if (deploy_create(&o, err, sizeof err) != 0) {
        fprintf(stderr, "rcprov deploy: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    printf("deploy: %llu devices in %s\n"
           "  rcprovd --config %s/auths/auths.conf    (Authorization Server, coaps://%s:%llu)\n"
           "  rcprovd --config %s/sn/sn.conf          (Serving Network, coap://%s:%llu)\n"
           "  rcprov sp register --sp %s/sp/sp.conf --uuid ... --tre-cert ...\n"
           "  rcprov device uuid-attach --sn coap://%s:%llu --state %s/devices/00001\n",
           n, dir, dir, host, auths_port, dir, host, sn_port, dir, host, sn_port, dir);
    return 0;
}
