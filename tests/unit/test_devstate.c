/*
 * Device state directories (apps/common/devstate.h), loopback deployments
 * (apps/common/deploy.h) and the file helpers under them (fileio.h).
 *
 * A deployment of three devices is made in a temporary folder and checked
 * file by file (modes, exact configuration text, certificates verifying
 * under their CAs, keys matching certificates, UUIDs re-checked with the
 * TRE's secret).  Then devices of an in-process world are stopped in each
 * state by dropping the message they wait for; their state goes through
 * state.cbor into a devstate and back, field by field, and the dropped
 * message is delivered to the restored device, which must finish.  Last,
 * state.cbor and device.conf are corrupted (every truncation, a bit flip
 * at every byte, a newer version, another device's state): each is refused
 * with a message naming the file, or loaded, never a crash.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy.h"
#include "devstate.h"
#include "fileio.h"
#include "harness.h"
#include "node.h"
#include "rcprov/bytes.h"
#include "rcprov/cert.h"
#include "rcprov/sim.h"
#include "rcprov/x509.h"

#define N_DEV 3
#define SN_PORT 15683
#define AUTHS_PORT 15684

static char g_dir[256];
static char g_dep[512];  /* the deployment */
static char g_dev1[600]; /* its first device */
static rcp_drbg g_drbg;
static char g_err[1024];

static void cleanup(void)
{
    if (g_dir[0])
        (void)fio_remove_tree(g_dir);
}

static void path_of(char *out, size_t cap, const char *a, const char *b)
{
    if ((size_t)snprintf(out, cap, "%s/%s", a, b) >= cap) {
        fprintf(stderr, "path too long: %s/%s\n", a, b);
        exit(1);
    }
}

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *buf = NULL;
    char err[600];
    if (fio_read(path, 1 << 20, &buf, len, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        *len = 0;
        return NULL;
    }
    return buf;
}

static int mode_of(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

/* Regular files under dir (recursively); names with ".tmp-" counted apart. */
static void count_files(const char *dir, int *files, int *temps)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        char p[1024];
        struct stat sb;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        path_of(p, sizeof p, dir, de->d_name);
        if (lstat(p, &sb) != 0)
            continue;
        if (strstr(de->d_name, ".tmp-"))
            (*temps)++;
        if (S_ISDIR(sb.st_mode))
            count_files(p, files, temps);
        else if (S_ISREG(sb.st_mode))
            (*files)++;
    }
    closedir(d);
}

/* ------------------------------------------------------------- fileio */

static void test_fileio(void)
{
    char p[600], q[600], err[700];
    uint8_t *buf = NULL;
    size_t len = 0;
    path_of(p, sizeof p, g_dir, "fio/a/b/c");
    CHECK(fio_mkdirs(p, 0755) == 0);
    CHECK(fio_mkdirs(p, 0755) == 0); /* existing: fine */
    path_of(q, sizeof q, p, "f");
    CHECK(fio_write_atomic(q, "one", 3, 0600, 0) == 0);
    CHECK(mode_of(q) == 0600);
    CHECK(fio_write_atomic(q, "two", 3, 0600, 0) == -EEXIST); /* no replace */
    CHECK(fio_write_atomic(q, "three", 5, 0644, 1) == 0);
    CHECK(fio_read(q, 100, &buf, &len, err, sizeof err) == 0);
    CHECK(len == 5 && memcmp(buf, "three", 5) == 0 && buf[5] == 0);
    free(buf);
    CHECK(fio_read(q, 4, &buf, &len, err, sizeof err) == -EFBIG);
    CHECK(buf == NULL && len == 0 && contains(err, "larger than 4 bytes") && contains(err, q));
    path_of(q, sizeof q, p, "missing");
    CHECK(fio_read(q, 100, &buf, &len, err, sizeof err) == -ENOENT);
    CHECK(contains(err, q) && contains(err, "cannot open") && contains(err, strerror(ENOENT)));
    CHECK(fio_read(p, 100, &buf, &len, err, sizeof err) == -EINVAL);
    CHECK(contains(err, "not a regular file"));
    path_of(q, sizeof q, p, "new");
    CHECK(fio_write_new(q, "x", 1, 0600) == 0);
    CHECK(fio_write_new(q, "y", 1, 0600) == -EEXIST);
    path_of(q, sizeof q, p, "new/deeper");
    CHECK(fio_mkdirs(q, 0755) == -ENOTDIR);
    CHECK(fio_write_atomic(q, "x", 1, 0600, 1) == -ENOTDIR);

    /* remove_tree removes a link, never what it points at. */
    char outside[600], link_path[700];
    path_of(outside, sizeof outside, g_dir, "fio-outside");
    CHECK(fio_mkdirs(outside, 0755) == 0);
    path_of(q, sizeof q, outside, "keep");
    CHECK(fio_write_new(q, "k", 1, 0644) == 0);
    path_of(link_path, sizeof link_path, p, "link");
    CHECK(symlink(outside, link_path) == 0);
    path_of(p, sizeof p, g_dir, "fio");
    CHECK(fio_remove_tree(p) == 0);
    CHECK(access(p, F_OK) != 0 && access(q, F_OK) == 0);
    CHECK(fio_remove_tree(p) == 0); /* absent: fine */
    CHECK(fio_remove_tree(outside) == 0);
    int files = 0, temps = 0;
    count_files(g_dir, &files, &temps);
    CHECK(files == 0 && temps == 0);
}

/* ------------------------------------------------------------- deploy */

static size_t g_progress_calls, g_progress_last;
static void progress(void *ctx, size_t done, size_t total)
{
    (void)ctx;
    CHECK(total == N_DEV && done == g_progress_last + 1);
    g_progress_last = done;
    g_progress_calls++;
}

static deploy_opts opts_for(const char *dir, size_t n)
{
    deploy_opts o = {.dir = dir,
                     .devices = n,
                     .curve = RCP_CURVE_P256,
                     .suite = RCP_SUITE_GCM,
                     .host = "127.0.0.1",
                     .sn_port = SN_PORT,
                     .auths_port = AUTHS_PORT,
                     .rng = &g_drbg.rng};
    return o;
}

static void check_text(const char *rel, const char *want)
{
    char p[700];
    size_t len = 0;
    path_of(p, sizeof p, g_dep, rel);
    uint8_t *got = slurp(p, &len);
    CHECK(got != NULL && len == strlen(want) && memcmp(got, want, len) == 0);
    if (got && (len != strlen(want) || memcmp(got, want, len) != 0))
        fprintf(stderr, "%s differs:\n%s\n--- expected:\n%s\n", rel, (char *)got, want);
    free(got);
}

static rcp_ec_key *load_key(const char *rel)
{
    char p[700];
    size_t len = 0;
    rcp_ec_key *k = NULL;
    path_of(p, sizeof p, g_dep, rel);
    uint8_t *b = slurp(p, &len);
    CHECK(b != NULL && rcp_ec_key_from_pkcs8_pem((const char *)b, len, &k) == 0);
    if (b)
        rcp_wipe(b, len);
    free(b);
    return k;
}

static int same_public(const rcp_ec_key *a, const rcp_ec_key *b)
{
    uint8_t pa[RCP_EC_MAX_POINT], pb[RCP_EC_MAX_POINT];
    size_t la = 0, lb = 0;
    return a && b && rcp_ec_key_public(a, 0, pa, sizeof pa, &la) == 0 &&
           rcp_ec_key_public(b, 0, pb, sizeof pb, &lb) == 0 && la == lb && memcmp(pa, pb, la) == 0;
}

/* A compact certificate that verifies in st for usage and holds the key
 * of key_rel. */
static void check_ccert(rcp_ccert_store *st, const char *rel, rcp_key_usage usage,
                        const char *key_rel, const char *subject)
{
    char p[700];
    size_t len = 0;
    rcp_ccert c;
    rcp_cert_why why;
    uint8_t kid[RCP_KEY_ID_LEN];
    path_of(p, sizeof p, g_dep, rel);
    uint8_t *b = slurp(p, &len);
    rcp_ec_key *k = load_key(key_rel);
    CHECK(b != NULL);
    if (b == NULL || k == NULL)
        goto out;
    CHECK_OK(rcp_ccert_verify(st, b, len, rcp_clock_now(rcp_clock_system()), usage, &c, &why));
    CHECK(rcp_key_id(k, kid) == 0 && memcmp(kid, c.subject_kid, RCP_KEY_ID_LEN) == 0);
    CHECK(c.curve == RCP_CURVE_P256);
    if (subject)
        CHECK(c.subject_len == strlen(subject) && memcmp(c.subject, subject, c.subject_len) == 0);
out:
    free(b);
    rcp_ec_key_free(k);
}

/* An X.509 PEM that verifies under the DTLS CA and holds key_rel's key. */
static void check_x509(rcp_x509_store *st, const char *rel, const char *key_rel, int is_ca)
{
    char p[700];
    size_t len = 0, n = 0;
    rcp_x509 *c = NULL;
    rcp_ec_key *pk = NULL;
    rcp_x509_why why;
    path_of(p, sizeof p, g_dep, rel);
    uint8_t *b = slurp(p, &len);
    rcp_ec_key *k = load_key(key_rel);
    CHECK(b != NULL && rcp_x509_read(b, len, &c, 1, &n) == 0 && n == 1);
    if (c) {
        CHECK_OK(rcp_x509_public_key(c, &pk));
        CHECK(same_public(pk, k));
        CHECK_OK(rcp_x509_store_verify(st, c, NULL, 0, (int64_t)rcp_clock_now(rcp_clock_system()),
                                       is_ca ? RCP_X509_USAGE_CA : RCP_X509_USAGE_SIGN, NULL,
                                       &why));
    }
    rcp_x509_free(c);
    rcp_ec_key_free(pk);
    rcp_ec_key_free(k);
    free(b);
}

static void check_tree(void)
{
    static const struct {
        const char *rel;
        int mode;
    } files[] = {
        {"pki/ci.key", 0600},     {"pki/ci.cbor", 0644},    {"pki/pn.key", 0600},
        {"pki/pn.cbor", 0644},    {"pki/tls-ca.key", 0600}, {"pki/tls-ca.pem", 0644},
        {"sn/sn.conf", 0644},     {"sn/ecka.key", 0600},    {"sn/ecka.cbor", 0644},
        {"sn/ecdsa.key", 0600},   {"sn/ecdsa.cbor", 0644},  {"sn/tls.pem", 0644},
        {"sn/op.hex", 0600},      {"sn/cookie.key", 0600},  {"auths/auths.conf", 0644},
        {"auths/sign.key", 0600}, {"auths/tls.pem", 0644},  {"sp/sp.conf", 0644},
        {"sp/sp.key", 0600},      {"sp/tls.pem", 0644},     {"devices.txt", 0644},
    };
    static const struct {
        const char *name;
        int mode;
    } dev_files[] = {{"device.conf", 0644}, {"tre.key", 0600}, {"tre.cbor", 0644},
                     {"pn.cbor", 0644},     {"ci.cbor", 0644}, {"tre-secret.hex", 0600}};
    char p[700], rel[64];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_of(p, sizeof p, g_dep, files[i].rel);
        if (mode_of(p) != files[i].mode)
            fprintf(stderr, "%s: mode %o\n", files[i].rel, (unsigned)mode_of(p));
        CHECK(mode_of(p) == files[i].mode);
    }
    for (int n = 1; n <= N_DEV; n++)
        for (size_t i = 0; i < sizeof dev_files / sizeof dev_files[0]; i++) {
            snprintf(rel, sizeof rel, "devices/%05d/%s", n, dev_files[i].name);
            path_of(p, sizeof p, g_dep, rel);
            CHECK(mode_of(p) == dev_files[i].mode);
        }
    int nfiles = 0, temps = 0;
    count_files(g_dep, &nfiles, &temps);
    CHECK(nfiles == (int)(sizeof files / sizeof files[0]) + 6 * N_DEV);
    CHECK(temps == 0);
    /* Nothing beside it either (the temporary tree was renamed). */
    nfiles = temps = 0;
    count_files(g_dir, &nfiles, &temps);
    CHECK(temps == 0);

    /* Secret hex files: 32 hex digits and a line end. */
    static const char *const hexes[] = {"sn/op.hex", "sn/cookie.key"};
    for (size_t i = 0; i < 2; i++) {
        size_t len = 0;
        uint8_t out[16];
        path_of(p, sizeof p, g_dep, hexes[i]);
        uint8_t *b = slurp(p, &len);
        CHECK(b != NULL && len == 33 && b[32] == '\n');
        if (b) {
            b[32] = 0;
            CHECK(rcp_hex_decode_exact((char *)b, out, sizeof out) == 0);
            rcp_wipe(b, len);
        }
        free(b);
    }
}

static void check_configs(void)
{
    check_text("sn/sn.conf", "[daemon]\n"
                             "log_level = info\n"
                             "data_dir = data\n"
                             "\n"
                             "[sn]\n"
                             "listen = 127.0.0.1:15683\n"
                             "name = sn.001.01.rcprov.test\n"
                             "curve = p256\n"
                             "ecka_key = ecka.key\n"
                             "ecka_cert = ecka.cbor\n"
                             "ecdsa_key = ecdsa.key\n"
                             "ecdsa_cert = ecdsa.cbor\n"
                             "ci = ../pki/ci.cbor\n"
                             "tls_cert = tls.pem\n"
                             "tls_ca = ../pki/tls-ca.pem\n"
                             "suites = gcm cbc-hmac\n"
                             "mcc = 001\n"
                             "mnc = 01\n"
                             "msin_first = 1000000000\n"
                             "msin_last = 1000001002\n"
                             "op_file = op.hex\n"
                             "cookie_key_file = cookie.key\n"
                             "cookie_lifetime = 120\n"
                             "amf = 8000\n"
                             "\n"
                             "[auths-peer]\n"
                             "fqdn = auths.rcprov.test\n"
                             "endpoint = 127.0.0.1:15684\n"
                             "cert = ../auths/tls.pem\n");
    check_text("auths/auths.conf", "[daemon]\n"
                                   "log_level = info\n"
                                   "data_dir = data\n"
                                   "\n"
                                   "[auths]\n"
                                   "listen = 127.0.0.1:15684\n"
                                   "fqdn = auths.rcprov.test\n"
                                   "key = sign.key\n"
                                   "tls_cert = tls.pem\n"
                                   "tls_ca = ../pki/tls-ca.pem\n"
                                   "authz_lifetime = 3600\n"
                                   "data_limit = 10485760\n"
                                   "destination = rsmf.rcprov.test\n"
                                   "max_skew = 300\n"
                                   "\n"
                                   "[sn-agreement]\n"
                                   "name = sn.001.01.rcprov.test\n"
                                   "ecdsa_cert = ../sn/ecdsa.cbor\n"
                                   "ecka_cert = ../sn/ecka.cbor\n"
                                   "\n"
                                   "[sp-agreement]\n"
                                   "name = oem.rcprov.test\n"
                                   "cert = ../sp/tls.pem\n");
    check_text("sp/sp.conf", "[sp]\n"
                             "name = oem.rcprov.test\n"
                             "key = sp.key\n"
                             "tls_cert = tls.pem\n"
                             "tls_ca = ../pki/tls-ca.pem\n"
                             "auths = 127.0.0.1:15684\n");
}

static void check_pki(void)
{
    rcp_ccert_store *st = NULL;
    rcp_x509_store *xs = NULL;
    rcp_x509 *ca = NULL;
    rcp_cert_why why;
    rcp_x509_why xwhy;
    char p[700], rel[64], key_rel[64], subject[32];
    size_t len = 0, n = 0;
    uint64_t now = rcp_clock_now(rcp_clock_system());

    CHECK_OK(rcp_ccert_store_new(&st));
    path_of(p, sizeof p, g_dep, "pki/ci.cbor");
    uint8_t *ci = slurp(p, &len);
    CHECK(ci != NULL && rcp_ccert_store_add_anchor(st, ci, len, &why) == 0);
    free(ci);
    check_ccert(st, "pki/ci.cbor", RCP_USAGE_CA, "pki/ci.key", "rcprov demo CI");
    check_ccert(st, "pki/pn.cbor", RCP_USAGE_CA, "pki/pn.key", NULL);
    check_ccert(st, "sn/ecka.cbor", RCP_USAGE_AGREE, "sn/ecka.key", DEPLOY_SN_NAME);
    check_ccert(st, "sn/ecdsa.cbor", RCP_USAGE_SIGN, "sn/ecdsa.key", DEPLOY_SN_NAME);
    path_of(p, sizeof p, g_dep, "pki/pn.cbor");
    uint8_t *pn = slurp(p, &len);
    CHECK(pn != NULL && rcp_ccert_store_add_ca(st, pn, len, now, &why) == 0);
    free(pn);
    for (int i = 1; i <= N_DEV; i++) {
        snprintf(rel, sizeof rel, "devices/%05d/tre.cbor", i);
        snprintf(key_rel, sizeof key_rel, "devices/%05d/tre.key", i);
        snprintf(subject, sizeof subject, "TRE %08d", i);
        check_ccert(st, rel, RCP_USAGE_SIGN, key_rel, subject);
        /* The device's copies are the PKI's. */
        static const char *const copies[] = {"ci.cbor", "pn.cbor"};
        for (int c = 0; c < 2; c++) {
            size_t la = 0, lb = 0;
            char a[700], b[700];
            snprintf(rel, sizeof rel, "devices/%05d/%s", i, copies[c]);
            path_of(a, sizeof a, g_dep, rel);
            snprintf(rel, sizeof rel, "pki/%s", copies[c]);
            path_of(b, sizeof b, g_dep, rel);
            uint8_t *x = slurp(a, &la), *y = slurp(b, &lb);
            CHECK(x && y && la == lb && memcmp(x, y, la) == 0);
            free(x);
            free(y);
        }
    }
    rcp_ccert_store_free(st);

    CHECK_OK(rcp_x509_store_new(&xs));
    path_of(p, sizeof p, g_dep, "pki/tls-ca.pem");
    uint8_t *b = slurp(p, &len);
    CHECK(b != NULL && rcp_x509_read(b, len, &ca, 1, &n) == 0);
    free(b);
    CHECK(ca != NULL && rcp_x509_store_add_anchor(xs, ca, &xwhy) == 0);
    check_x509(xs, "pki/tls-ca.pem", "pki/tls-ca.key", 1);
    check_x509(xs, "sn/tls.pem", "sn/ecdsa.key", 0);
    check_x509(xs, "auths/tls.pem", "auths/sign.key", 0);
    check_x509(xs, "sp/tls.pem", "sp/sp.key", 0);
    rcp_x509_free(ca);
    rcp_x509_store_free(xs);
}

/* devices.txt, device.conf and tre-secret.hex agree, and the TRE's secret
 * decrypts the UUID to its serial. */
static void check_devices(void)
{
    char p[700], rel[64];
    size_t len = 0;
    path_of(p, sizeof p, g_dep, "devices.txt");
    char *list = (char *)slurp(p, &len);
    CHECK(list != NULL);
    if (list == NULL)
        return;
    char *line = list;
    for (int i = 1; i <= N_DEV; i++) {
        char name[16], hex[64], cert[64], want_cert[64], dir[700];
        int used = 0;
        CHECK(sscanf(line, "%15s %63s %63s\n%n", name, hex, cert, &used) == 3);
        snprintf(rel, sizeof rel, "%05d", i);
        snprintf(want_cert, sizeof want_cert, "devices/%05d/tre.cbor", i);
        CHECK(strcmp(name, rel) == 0 && strcmp(cert, want_cert) == 0 && strlen(hex) == 32);
        line += used;

        snprintf(rel, sizeof rel, "devices/%05d", i);
        path_of(dir, sizeof dir, g_dep, rel);
        devstate *d = NULL;
        int ret = devstate_load(dir, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err);
        CHECK(ret == 0);
        if (ret)
            fprintf(stderr, "devstate_load: %s\n", g_err);
        if (d == NULL)
            continue;
        rcp_ua_device *dev = devstate_device(d);
        uint8_t uuid[RCP_UUID_LEN];
        CHECK(rcp_hex_decode_exact(hex, uuid, sizeof uuid) == 0);
        CHECK_MEM(dev->uuid, uuid, RCP_UUID_LEN);
        CHECK(dev->state == RCP_UA_DEV_IDLE);
        CHECK(strcmp(dev->auths_fqdn, DEPLOY_AUTHS_FQDN) == 0);
        CHECK(dev->n_suites == 2 && dev->suites[0] == RCP_SUITE_GCM &&
              dev->suites[1] == RCP_SUITE_CBC_HMAC);
        CHECK(dev->tre != NULL && dev->tre->curve == RCP_CURVE_P256);
        CHECK(strcmp(devstate_dir(d), dir) == 0);

        /* One process per device: a second load waits for the first. */
        devstate *d2 = NULL;
        CHECK_ERR(devstate_load(dir, &g_drbg.rng, rcp_clock_system(), &d2, g_err, sizeof g_err),
                  RCP_ERR_UNAVAILABLE);
        CHECK(d2 == NULL && contains(g_err, "in use"));

        /* tre-secret.hex: K_TRESI and CATV give back the serial. */
        path_of(p, sizeof p, dir, "tre-secret.hex");
        char *sec = (char *)slurp(p, &len);
        char k_hex[64] = "", catv_hex[64] = "";
        unsigned long serial = 0;
        uint8_t k[16], catv[4];
        uint64_t got = 0;
        const char *at = sec ? strstr(sec, "[tre]\n") : NULL;
        CHECK(at != NULL && sscanf(at, "[tre]\nk_tresi = %63s\ncatv = %63s\nserial = %lu", k_hex,
                                   catv_hex, &serial) == 3);
        CHECK(rcp_hex_decode_exact(k_hex, k, 16) == 0 &&
              rcp_hex_decode_exact(catv_hex, catv, 4) == 0);
        CHECK_OK(rcp_ua_uuid_check(k, catv, uuid, &got));
        CHECK(got == (uint64_t)i && serial == (unsigned long)i);
        if (sec)
            rcp_wipe(sec, len);
        free(sec);
        devstate_free(d);
    }
    CHECK(*line == '\0');
    free(list);
}

static void test_deploy(void)
{
    char p[600];
    deploy_opts o = opts_for(g_dep, N_DEV);
    o.progress = progress;
    int ret = deploy_create(&o, g_err, sizeof g_err);
    CHECK(ret == 0);
    if (ret) {
        fprintf(stderr, "deploy_create: %s\n", g_err);
        return;
    }
    CHECK(g_progress_calls == N_DEV);
    check_tree();
    check_configs();
    check_pki();
    check_devices();

    /* Never over an existing deployment; an empty folder is fine. */
    CHECK_ERR(deploy_create(&o, g_err, sizeof g_err), RCP_ERR_EXISTS);
    CHECK(contains(g_err, "not empty"));
    path_of(p, sizeof p, g_dir, "empty/deeper");
    CHECK(fio_mkdirs(p, 0755) == 0);
    o = opts_for(p, 1);
    o.curve = RCP_CURVE_BP256R1;
    o.suite = RCP_SUITE_CBC_HMAC;
    o.sn_store = "sqlite:/tmp/never-opened-sn.db";
    o.log_level = "debug";
    o.host = "::1";
    CHECK_OK(deploy_create(&o, g_err, sizeof g_err));
    char q[700];
    size_t len = 0;
    path_of(q, sizeof q, p, "sn/sn.conf");
    char *sn = (char *)slurp(q, &len);
    CHECK(contains(sn, "listen = [::1]:15683\n") && contains(sn, "curve = brainpoolp256r1\n") &&
          contains(sn, "amf = 8000\nstore = sqlite:/tmp/never-opened-sn.db\n") &&
          contains(sn, "log_level = debug\n") && contains(sn, "msin_last = 1000001000\n"));
    free(sn);
    path_of(q, sizeof q, p, "auths/auths.conf");
    char *au = (char *)slurp(q, &len);
    CHECK(au != NULL && !contains(au, "store ="));
    free(au);
    path_of(q, sizeof q, p, "devices/00001/device.conf");
    char *dc = (char *)slurp(q, &len);
    CHECK(contains(dc, "curve = brainpoolp256r1\n") && contains(dc, "suites = cbc-hmac gcm\n"));
    free(dc);
    devstate *d = NULL;
    path_of(q, sizeof q, p, "devices/00001");
    CHECK_OK(devstate_load(q, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err));
    CHECK(d && devstate_device(d)->suites[0] == RCP_SUITE_CBC_HMAC &&
          devstate_device(d)->tre->curve == RCP_CURVE_BP256R1);
    devstate_free(d);

    /* Options out of range: nothing is created. */
    path_of(p, sizeof p, g_dir, "bad");
    struct {
        deploy_opts o;
        const char *says;
    } bad[8];
    for (int i = 0; i < 8; i++)
        bad[i].o = opts_for(p, 2);
    bad[0].o.devices = 0, bad[0].says = "devices";
    bad[1].o.devices = DEPLOY_DEVICES_MAX + 1, bad[1].says = "devices";
    bad[2].o.curve = RCP_CURVE_X25519, bad[2].says = "curve";
    bad[3].o.suite = RCP_SUITE_NONE, bad[3].says = "suite";
    bad[4].o.auths_port = SN_PORT, bad[4].says = "ports";
    bad[5].o.host = "127.0.0.1\n[sn]", bad[5].says = "host";
    bad[6].o.sn_store = "sqlite:x\nstore = y", bad[6].says = "store";
    bad[7].o.rng = NULL, bad[7].says = "random";
    for (int i = 0; i < 8; i++) {
        CHECK_ERR(deploy_create(&bad[i].o, g_err, sizeof g_err), RCP_ERR_INVALID_ARG);
        CHECK(contains(g_err, bad[i].says));
        CHECK(access(p, F_OK) != 0);
    }
    /* A file in the way. */
    CHECK(fio_write_new(p, "x", 1, 0644) == 0);
    o = opts_for(p, 1);
    CHECK_ERR(deploy_create(&o, g_err, sizeof g_err), RCP_ERR_EXISTS);
    CHECK(unlink(p) == 0);
}

/* A brainpool deployment: the SN's DTLS key is a P-256 key of its own
 * (sn/tls.key, certified by sn/tls.pem), which the AuthS accepts by the
 * [sn-agreement] tls_cert; the flow's keys stay on brainpool.  Both
 * configurations load as rcprovd loads them. */
static void test_deploy_brainpool(void)
{
    char dir[600], p[700], err[1024] = "";
    size_t len = 0;
    path_of(dir, sizeof dir, g_dir, "bp");
    deploy_opts o = opts_for(dir, 1);
    o.curve = RCP_CURVE_BP256R1;
    int ret = deploy_create(&o, g_err, sizeof g_err);
    CHECK(ret == 0);
    if (ret) {
        fprintf(stderr, "deploy_create: %s\n", g_err);
        return;
    }
    path_of(p, sizeof p, dir, "sn/tls.key");
    CHECK(mode_of(p) == 0600);
    rcp_ec_key *tls = NULL, *ecdsa = NULL;
    uint8_t *b = slurp(p, &len);
    CHECK(b != NULL && rcp_ec_key_from_pkcs8_pem((const char *)b, len, &tls) == 0);
    if (b)
        rcp_wipe(b, len);
    free(b);
    CHECK(tls != NULL && rcp_ec_key_curve(tls) == RCP_CURVE_P256);
    path_of(p, sizeof p, dir, "sn/ecdsa.key");
    b = slurp(p, &len);
    CHECK(b != NULL && rcp_ec_key_from_pkcs8_pem((const char *)b, len, &ecdsa) == 0);
    if (b)
        rcp_wipe(b, len);
    free(b);
    CHECK(ecdsa != NULL && rcp_ec_key_curve(ecdsa) == RCP_CURVE_BP256R1);

    path_of(p, sizeof p, dir, "sn/sn.conf");
    char *text = (char *)slurp(p, &len);
    CHECK(contains(text, "tls_cert = tls.pem\ntls_key = tls.key\ntls_ca = ../pki/tls-ca.pem\n"));
    free(text);
    node *nd = NULL;
    ret = node_load(p, &nd, err, sizeof err);
    CHECK(ret == 0 && nd != NULL);
    if (ret)
        fprintf(stderr, "node_load sn.conf: %s\n", err);
    if (nd) {
        rcp_ec_key *k = NULL;
        CHECK_OK(rcp_ec_key_from_pkcs8_pem(nd->sn_id.key_pem, nd->sn_id.key_pem_len, &k));
        CHECK(same_public(k, tls));
        rcp_ec_key_free(k);
        CHECK(nd->sn.creds[0].curve == RCP_CURVE_BP256R1);
        CHECK(same_public(nd->sn.creds[0].ecdsa_key, ecdsa));
    }
    node_free(nd);

    path_of(p, sizeof p, dir, "auths/auths.conf");
    text = (char *)slurp(p, &len);
    CHECK(contains(text, "ecka_cert = ../sn/ecka.cbor\ntls_cert = ../sn/tls.pem\n"));
    free(text);
    nd = NULL;
    ret = node_load(p, &nd, err, sizeof err);
    CHECK(ret == 0 && nd != NULL);
    if (ret)
        fprintf(stderr, "node_load auths.conf: %s\n", err);
    if (nd) {
        CHECK(nd->n_accept == 2 && same_public(nd->accept[0], tls));
        CHECK(same_public(nd->auths.sns[0].ecdsa_key, ecdsa));
    }
    node_free(nd);
    rcp_ec_key_free(tls);
    rcp_ec_key_free(ecdsa);

    /* P-256: the ECDSA key is the DTLS key, nothing extra (check_tree
     * counts the files of the P-256 deployment). */
    path_of(p, sizeof p, g_dep, "sn/tls.key");
    CHECK(access(p, F_OK) != 0);
    path_of(p, sizeof p, g_dep, "sn/sn.conf");
    ret = node_load(p, &nd, err, sizeof err);
    CHECK(ret == 0 && nd != NULL && nd->sn_tls_key == NULL);
    if (ret)
        fprintf(stderr, "node_load sn.conf: %s\n", err);
    node_free(nd);
}

static void clear_state(rcp_ua_device *d)
{
    rcp_ua_device zero;
    memset(&zero, 0, sizeof zero);
    rcp_ua_device_copy_state(d, &zero);
}

/* Every state field, byte for byte. */
static void check_same_state(const rcp_ua_device *a, const rcp_ua_device *b)
{
    const rcp_ua_cx_params *x = &a->cx, *y = &b->cx;
    CHECK(a->state == b->state);
    CHECK_MEM(a->h_m1, b->h_m1, sizeof a->h_m1);
    CHECK_MEM(a->sk_ecdhe, b->sk_ecdhe, sizeof a->sk_ecdhe);
    CHECK_MEM(a->pk_ecdhe, b->pk_ecdhe, sizeof a->pk_ecdhe);
    CHECK_MEM(a->nonce, b->nonce, sizeof a->nonce);
    CHECK(a->suite == b->suite);
    CHECK_MEM(a->sn_ecka_kid, b->sn_ecka_kid, sizeof a->sn_ecka_kid);
    CHECK_MEM(a->sn_subject, b->sn_subject, sizeof a->sn_subject);
    CHECK_MEM(x->imsi, y->imsi, sizeof x->imsi);
    CHECK_MEM(x->k, y->k, sizeof x->k);
    CHECK_MEM(x->opc, y->opc, sizeof x->opc);
    CHECK_MEM(x->consts.r, y->consts.r, sizeof x->consts.r);
    CHECK_MEM(x->consts.c, y->consts.c, sizeof x->consts.c);
    CHECK_MEM(x->mcc, y->mcc, sizeof x->mcc);
    CHECK_MEM(x->mnc, y->mnc, sizeof x->mnc);
    CHECK(x->data_limit == y->data_limit && x->valid_until == y->valid_until);
    CHECK_MEM(x->destination, y->destination, sizeof x->destination);
    CHECK(a->usim.scheme.ind_bits == b->usim.scheme.ind_bits &&
          a->usim.scheme.delta == b->usim.scheme.delta &&
          a->usim.scheme.age_limit == b->usim.scheme.age_limit &&
          a->usim.require_amf_sep == b->usim.require_amf_sep);
    CHECK_MEM(a->usim.seq_ms, b->usim.seq_ms, sizeof a->usim.seq_ms);
    CHECK_MEM(a->kasme, b->kasme, sizeof a->kasme);
    CHECK_MEM(a->rand, b->rand, sizeof a->rand);
}

/* Drop (and keep) the first message of one type to the device. */
struct hold {
    uint32_t type;
    int held;
    uint8_t buf[RCP_MSG_MAX];
    size_t len;
};

static int hold_tap(void *ctx, size_t device, rcp_node from, rcp_node to, uint32_t type,
                    uint8_t *buf, size_t *len)
{
    struct hold *h = ctx;
    (void)device;
    (void)from;
    if (to != RCP_NODE_DEVICE || type != h->type || h->held)
        return 0;
    memcpy(h->buf, buf, *len);
    h->len = *len;
    h->held = 1;
    return 1;
}

static devstate *load_dev1(void)
{
    devstate *d = NULL;
    int ret = devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err);
    CHECK(ret == 0);
    if (ret)
        fprintf(stderr, "devstate_load: %s\n", g_err);
    return d;
}

static void state_file(char *out, size_t cap)
{
    path_of(out, cap, g_dev1, DEVSTATE_FILE);
}

/* Run a world's device until it waits for hold_type (0: to the end), take
 * its state through state.cbor, put it back, deliver the held message and
 * finish.  Returns the state.cbor bytes (malloc) when keep is set. */
static uint8_t *round_trip(uint32_t hold_type, rcp_ua_dev_state want, size_t *keep_len)
{
    rcp_ua_world_opts wo = {1, RCP_CURVE_P256, RCP_SUITE_GCM, 0x5eed0000u + hold_type, NULL, 3, 0};
    rcp_ua_world *w = NULL;
    struct hold h = {.type = hold_type};
    char why[256], sp[700];
    uint8_t *kept = NULL;
    size_t len = 0;
    CHECK_OK(rcp_ua_world_new(&wo, &w));
    if (w == NULL)
        return NULL;
    CHECK_OK(rcp_ua_world_register(w, 0, why, sizeof why));
    rcp_ua_world_set_tap(w, hold_tap, &h);
    int ret = rcp_ua_world_run(w, 0, NULL, why, sizeof why);
    CHECK(hold_type ? ret == RCP_ERR_STATE && h.held : ret == 0);
    rcp_ua_world_set_tap(w, NULL, NULL);
    rcp_ua_device *wd = rcp_ua_world_device(w, 0);
    CHECK(wd->state == want);

    devstate *d = load_dev1();
    if (d == NULL)
        goto out;
    rcp_ua_device_copy_state(devstate_device(d), wd);
    ret = devstate_save(d, g_err, sizeof g_err);
    CHECK(ret == 0);
    if (ret)
        fprintf(stderr, "devstate_save: %s\n", g_err);
    devstate_free(d);
    state_file(sp, sizeof sp);
    CHECK(mode_of(sp) == 0600);
    if (keep_len) {
        kept = slurp(sp, &len);
        *keep_len = len;
    }
    /* The ephemeral key is on disk only while it is needed; the engine
     * has wiped it in every other state. */
    if (want == RCP_UA_DEV_WAIT_CREDENTIALS) {
        size_t flen = 0;
        uint8_t *f = slurp(sp, &flen);
        int has_sk = 0;
        for (size_t i = 0; f && i + sizeof wd->sk_ecdhe <= flen; i++)
            if (memcmp(f + i, wd->sk_ecdhe, sizeof wd->sk_ecdhe) == 0)
                has_sk = 1;
        CHECK(has_sk);
        free(f);
    } else {
        uint8_t zero[sizeof wd->sk_ecdhe] = {0};
        CHECK_MEM(wd->sk_ecdhe, zero, sizeof zero);
    }

    d = load_dev1();
    if (d == NULL)
        goto out;
    check_same_state(devstate_device(d), wd);
    /* Resume: the world's device gets the state back from the file and
     * takes the message it was waiting for. */
    clear_state(wd);
    rcp_ua_device_copy_state(wd, devstate_device(d));
    devstate_free(d);
    if (hold_type) {
        CHECK_OK(
            rcp_ua_world_inject(w, 0, RCP_NODE_SN, RCP_NODE_DEVICE, h.buf, h.len, why, sizeof why));
        CHECK(wd->state == RCP_UA_DEV_DONE);
    }
out:
    rcp_ua_world_free(w);
    return kept;
}

static void test_round_trip(uint8_t **done_file, size_t *done_len, uint8_t **cred_file,
                            size_t *cred_len)
{
    char sp[700];
    /* Fresh: no state.cbor, IDLE; saving IDLE and loading gives IDLE. */
    state_file(sp, sizeof sp);
    (void)unlink(sp);
    devstate *d = load_dev1();
    if (d == NULL)
        return;
    rcp_ua_device idle = *devstate_device(d);
    CHECK(idle.state == RCP_UA_DEV_IDLE);
    CHECK_OK(devstate_save(d, g_err, sizeof g_err));
    devstate_free(d);
    d = load_dev1();
    if (d)
        check_same_state(devstate_device(d), &idle);
    devstate_free(d);

    round_trip(RCP_UA_SN_CHALLENGE, RCP_UA_DEV_WAIT_CHALLENGE, NULL);
    *cred_file = round_trip(RCP_UA_SN_CREDENTIALS, RCP_UA_DEV_WAIT_CREDENTIALS, cred_len);
    round_trip(RCP_UA_AKA_CHALLENGE, RCP_UA_DEV_WAIT_AKA_CHALLENGE, NULL);
    round_trip(RCP_UA_AKA_RESULT, RCP_UA_DEV_WAIT_AKA_RESULT, NULL);
    *done_file = round_trip(0, RCP_UA_DEV_DONE, done_len);

    /* A stale temporary file of an interrupted save goes at the next load. */
    char tmp[800];
    snprintf(tmp, sizeof tmp, "%s.tmp-0123456789abcdef", sp);
    CHECK(fio_write_new(tmp, "secret", 6, 0600) == 0);
    d = load_dev1();
    CHECK(access(tmp, F_OK) != 0);

    /* Save refuses what load would refuse, and leaves the file alone. */
    if (d) {
        size_t before_len = 0, after_len = 0;
        uint8_t *before = slurp(sp, &before_len);
        rcp_ua_device *dev = devstate_device(d);
        rcp_ua_device keep = *dev;
        dev->state = (rcp_ua_dev_state)42;
        CHECK_ERR(devstate_save(d, g_err, sizeof g_err), RCP_ERR_STATE);
        CHECK(contains(g_err, DEVSTATE_FILE) && contains(g_err, "state"));
        *dev = keep;
        dev->state = RCP_UA_DEV_WAIT_CREDENTIALS; /* with no ephemeral key */
        CHECK_ERR(devstate_save(d, g_err, sizeof g_err), RCP_ERR_STATE);
        CHECK(contains(g_err, "sk_ecdhe"));
        *dev = keep;
        memcpy(dev->cx.imsi, "00102x", 7);
        CHECK_ERR(devstate_save(d, g_err, sizeof g_err), RCP_ERR_STATE);
        CHECK(contains(g_err, "IMSI"));
        *dev = keep;
        dev->usim.seq_ms[200] = 1; /* beyond the 32 IND slots */
        CHECK_ERR(devstate_save(d, g_err, sizeof g_err), RCP_ERR_STATE);
        *dev = keep;
        uint8_t *after = slurp(sp, &after_len);
        CHECK(before && after && before_len == after_len && memcmp(before, after, before_len) == 0);
        free(before);
        free(after);
        rcp_wipe(&keep, sizeof keep);
    }
    devstate_free(d);
}

/* ---------------------------------------------------------- corruption */

static int g_refused, g_loaded;

/* Write bytes as state.cbor and load: refused naming state.cbor, or loaded. */
static void try_state(const uint8_t *b, size_t len, int must_refuse)
{
    char sp[700];
    devstate *d = NULL;
    state_file(sp, sizeof sp);
    CHECK(fio_write_atomic(sp, b, len, 0600, 1) == 0);
    g_err[0] = '\0';
    int ret = devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err);
    if (ret) {
        CHECK(d == NULL && contains(g_err, DEVSTATE_FILE) && contains(g_err, g_dev1));
        g_refused++;
    } else {
        CHECK(!must_refuse && d != NULL);
        g_loaded++;
    }
    devstate_free(d);
}

static void test_corrupt_state(const uint8_t *good, size_t len, const char *name)
{
    uint8_t *b = malloc(len + DEVSTATE_MAX + 2);
    if (b == NULL)
        return;
    g_refused = g_loaded = 0;
    for (size_t n = 0; n < len; n++) {
        memcpy(b, good, n);
        try_state(b, n, 1);
    }
    CHECK(g_refused == (int)len && g_loaded == 0);
    int refused = g_refused;
    for (size_t i = 0; i < len; i++) {
        memcpy(b, good, len);
        b[i] ^= (uint8_t)(1u << (i % 8));
        try_state(b, len, 0);
    }
    printf("%s (%zu bytes): every truncation refused; bit flips: %d refused, %d loaded\n", name,
           len, g_refused - refused, g_loaded);
    /* Flips inside K, OPc, KASME, hashes and nonces keep the format. */
    CHECK(g_loaded > 0 && g_refused - refused > 0);

    /* One byte more; or larger than any state. */
    memcpy(b, good, len);
    b[len] = 0;
    try_state(b, len + 1, 1);
    CHECK(contains(g_err, "after"));
    memset(b, 0, DEVSTATE_MAX + 1);
    try_state(b, DEVSTATE_MAX + 1, 1);
    CHECK(contains(g_err, "larger than"));
    free(b);
}

static void test_corruption(const uint8_t *done, size_t done_len, const uint8_t *cred,
                            size_t cred_len)
{
    uint8_t b[DEVSTATE_MAX];
    if (done == NULL || cred == NULL || done_len < 8 || done_len > sizeof b)
        return;
    test_corrupt_state(done, done_len, "state.cbor in DONE");
    test_corrupt_state(cred, cred_len, "state.cbor in WAIT_CREDENTIALS");

    /* A newer format: map head, key 1, version 1 -> 2. */
    memcpy(b, done, done_len);
    CHECK(b[1] == 0x01 && b[2] == DEVSTATE_VERSION);
    b[2] = 0x02;
    devstate *d = NULL;
    char sp[700];
    state_file(sp, sizeof sp);
    CHECK(fio_write_atomic(sp, b, done_len, 0600, 1) == 0);
    CHECK_ERR(devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err),
              RCP_ERR_UNSUPPORTED);
    CHECK(contains(g_err, DEVSTATE_FILE) && contains(g_err, "version 2"));

    /* Another device's state (a copied file): its UUID differs. */
    memcpy(b, done, done_len);
    CHECK(b[3] == 0x02 && b[4] == 0x50); /* key 2, bstr of 16 */
    b[5] ^= 0xff;
    CHECK(fio_write_atomic(sp, b, done_len, 0600, 1) == 0);
    CHECK_ERR(devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err),
              RCP_ERR_DECODE);
    CHECK(contains(g_err, "state of device") && contains(g_err, DEVSTATE_CONF));

    /* Not CBOR at all. */
    try_state((const uint8_t *)"{\"state\":1}", 11, 1);
    CHECK(fio_write_atomic(sp, done, done_len, 0600, 1) == 0);
}

/* device.conf cut at every length, and files that do not belong. */
static void test_corrupt_conf(void)
{
    char cp[700], kp[700], other[700];
    size_t len = 0;
    path_of(cp, sizeof cp, g_dev1, DEVSTATE_CONF);
    uint8_t *good = slurp(cp, &len);
    CHECK(good != NULL);
    if (good == NULL)
        return;
    int refused = 0, loaded = 0;
    for (size_t n = 0; n < len; n++) {
        devstate *d = NULL;
        CHECK(fio_write_atomic(cp, good, n, 0644, 1) == 0);
        g_err[0] = '\0';
        if (devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err)) {
            /* conf.h errors name device.conf; a cut path names that file. */
            CHECK(d == NULL && g_err[0] != '\0' &&
                  (contains(g_err, DEVSTATE_CONF) || contains(g_err, g_dev1)));
            refused++;
        } else {
            loaded++; /* only without the last line end */
            CHECK(n == len - 1);
        }
        devstate_free(d);
    }
    printf("device.conf (%zu bytes): %d truncations refused, %d loaded\n", len, refused, loaded);
    CHECK(fio_write_atomic(cp, good, len, 0644, 1) == 0);
    free(good);

    devstate *d = NULL;
    /* A TRE key others can read. */
    path_of(kp, sizeof kp, g_dev1, "tre.key");
    CHECK(chmod(kp, 0644) == 0);
    CHECK(devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err) != 0);
    CHECK(contains(g_err, "tre.key") && contains(g_err, "0644"));
    CHECK(chmod(kp, 0600) == 0);

    /* Another device's key. */
    size_t kl = 0, ol = 0;
    uint8_t *mine = slurp(kp, &kl);
    snprintf(other, sizeof other, "%s/devices/00002/tre.key", g_dep);
    uint8_t *theirs = slurp(other, &ol);
    CHECK(mine && theirs && fio_write_atomic(kp, theirs, ol, 0600, 1) == 0);
    CHECK_ERR(devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err),
              RCP_ERR_DECODE);
    CHECK(contains(g_err, "not the key of CERT.TRE"));
    if (mine)
        CHECK(fio_write_atomic(kp, mine, kl, 0600, 1) == 0);
    if (mine)
        rcp_wipe(mine, kl);
    if (theirs)
        rcp_wipe(theirs, ol);
    free(mine);
    free(theirs);

    /* A CI anchor that is not the one CERT.PN chains to. */
    char ci[700];
    path_of(ci, sizeof ci, g_dev1, "ci.cbor");
    size_t cl = 0;
    uint8_t *ci_good = slurp(ci, &cl);
    rcp_ec_key *k = NULL;
    uint8_t cert[RCP_CCERT_MAX_LEN], s = 9;
    size_t cert_len = 0;
    uint64_t now = rcp_clock_now(rcp_clock_system());
    CHECK_OK(rcp_ec_key_generate(RCP_CURVE_P256, &g_drbg.rng, &k));
    rcp_ccert_template t = {&s, 1, "another CI", RCP_USAGE_CA, k, now - 100, now + 86400, NULL, 0};
    CHECK_OK(rcp_ccert_issue(&t, k, cert, sizeof cert, &cert_len));
    CHECK(fio_write_atomic(ci, cert, cert_len, 0644, 1) == 0);
    CHECK_ERR(devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err),
              RCP_ERR_UNTRUSTED);
    CHECK(contains(g_err, "CERT.TRE") && contains(g_err, DEVSTATE_CONF));
    CHECK(ci_good && fio_write_atomic(ci, ci_good, cl, 0644, 1) == 0);
    free(ci_good);
    rcp_ec_key_free(k);

    /* And the directory loads again. */
    CHECK_OK(devstate_load(g_dev1, &g_drbg.rng, rcp_clock_system(), &d, g_err, sizeof g_err));
    devstate_free(d);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    uint8_t seed[8] = {'d', 'e', 'v', 's', 't', 'a', 't', 'e'};
    uint8_t *done = NULL, *cred = NULL;
    size_t done_len = 0, cred_len = 0;

    umask(022);
    if (rcp_drbg_init(&g_drbg, seed, sizeof seed) != 0)
        return 1;
    snprintf(g_dir, sizeof g_dir, "%s/rcp_devstate_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        g_dir[0] = '\0';
        return 1;
    }
    atexit(cleanup);
    snprintf(g_dep, sizeof g_dep, "%s/deployment", g_dir);
    snprintf(g_dev1, sizeof g_dev1, "%s/devices/00001", g_dep);

    test_fileio();
    test_deploy();
    test_deploy_brainpool();
    test_round_trip(&done, &done_len, &cred, &cred_len);
    test_corruption(done, done_len, cred, cred_len);
    test_corrupt_conf();
    if (done)
        rcp_wipe(done, done_len);
    if (cred)
        rcp_wipe(cred, cred_len);
    free(done);
    free(cred);
    return rcp_t_done("test_devstate");
}
