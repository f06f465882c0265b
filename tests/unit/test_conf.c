/*
 * Configuration files (apps/common/conf.h) and daemon configurations
 * (apps/common/node.h): the INI parser with every error and its file:line,
 * the typed getters, then node_load end to end on a PKI generated here
 * (compact CI and SN certificates, an X.509 TLS CA with SN, AuthS and SP
 * certificates, secret files): SN, AuthS and both in one file load with the
 * values given, and each bad configuration is refused with a message
 * naming its file:line, [section] and key.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "harness.h"
#include "node.h"
#include "rcprov/bytes.h"
#include "rcprov/x509.h"

#define DAY 86400

static char g_dir[256]; /* temporary folder: PKI, configurations, data */

/* err must contain want (reported with the caller's line). */
#define CHECK_HAS(err, want) check_has(__LINE__, (err), (want))
static void check_has(int line, const char *err, const char *want)
{
    if (err != NULL && strstr(err, want) != NULL)
        rcp_t_pass++;
    else
        rcp_t_fail_at(__FILE__, line, "message \"%s\" lacks \"%s\"", err ? err : "(null)", want);
}

/* ================================================================ parser */

static const char k_good[] = "# a comment\n"
                             "  ; another, after blanks\n"
                             "\t\n"
                             "[daemon]\n"
                             "log_level = info\n"
                             "[peer]\n"
                             "  name   =   a b c   \n"
                             "[peer]\n"
                             "name = second\n"
                             "ci = x\n"
                             "ci = y\n"
                             "ci=z\n"
                             "[a.b-c_1]\r\n"
                             "k = v#not-a-comment\r\n"
                             "last = no newline";

static void test_parse_good(void)
{
    conf *c = NULL;
    char err[CONF_ERR_MAX] = "", where[64];
    const char *v = NULL, *vals[4];
    CHECK(conf_parse(k_good, strlen(k_good), "t.conf", "/etc/rcprov", &c, err, sizeof err) == 0);
    if (c == NULL) {
        fprintf(stderr, "parse: %s\n", err);
        return;
    }
    CHECK(conf_n_sections(c) == 4);
    CHECK(strcmp(conf_section_name(conf_section_at(c, 0)), "daemon") == 0);
    CHECK(strcmp(conf_section_name(conf_section_at(c, 3)), "a.b-c_1") == 0);
    CHECK(conf_section_at(c, 4) == NULL);
    CHECK(conf_count(c, "peer") == 2);
    CHECK(conf_count(c, "nope") == 0);
    const conf_section *p0 = conf_find(c, "peer", 0), *p1 = conf_find(c, "peer", 1);
    CHECK(p0 != NULL && p1 != NULL && p0 != p1);
    CHECK(conf_find(c, "peer", 2) == NULL);
    CHECK(conf_str(c, p0, "name", 1, &v, err, sizeof err) == 0 && strcmp(v, "a b c") == 0);
    CHECK(conf_str(c, p1, "name", 1, &v, err, sizeof err) == 0 && strcmp(v, "second") == 0);
    CHECK(conf_all(p1, "ci", vals, 4) == 3);
    CHECK(strcmp(vals[0], "x") == 0 && strcmp(vals[1], "y") == 0 && strcmp(vals[2], "z") == 0);
    CHECK(conf_all(p1, "ci", vals, 2) == 2);
    conf_where_nth(c, p1, "ci", 2, where, sizeof where);
    CHECK(strcmp(where, "t.conf:12") == 0);
    conf_where(c, p1, "ci", where, sizeof where);
    CHECK(strcmp(where, "t.conf:10") == 0);
    conf_where(c, p1, NULL, where, sizeof where);
    CHECK(strcmp(where, "t.conf:8") == 0);
    const conf_section *s = conf_find(c, "a.b-c_1", 0);
    CHECK(conf_str(c, s, "k", 1, &v, err, sizeof err) == 0 && strcmp(v, "v#not-a-comment") == 0);
    CHECK(conf_str(c, s, "last", 1, &v, err, sizeof err) == 0 && strcmp(v, "no newline") == 0);
    /* optional and absent: the default stays */
    v = "default";
    CHECK(conf_str(c, s, "absent", 0, &v, err, sizeof err) == 0 && strcmp(v, "default") == 0);
    CHECK(conf_str(c, s, "absent", 1, &v, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf:13: [a.b-c_1] absent: missing");

    /* sections and keys allowed */
    static const char *const secs[] = {"daemon", "peer", "a.b-c_1"};
    CHECK(conf_check_sections(c, secs, 3, err, sizeof err) == 0);
    CHECK(conf_check_sections(c, secs, 2, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf:13: unknown section [a.b-c_1]");
    static const char *const keys[] = {"name", "ci"};
    static const char *const rep[] = {"ci"};
    CHECK(conf_check_keys(c, p1, keys, 2, rep, 1, err, sizeof err) == 0);
    CHECK(conf_check_keys(c, p1, keys, 2, NULL, 0, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf:11: [peer] ci: given twice (also on line 10)");
    CHECK(conf_check_keys(c, p1, keys, 1, rep, 1, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf:10: [peer] ci: unknown key");

    /* paths resolve against the configuration's directory */
    char path[256];
    CHECK(conf_resolve(c, "pki/ci.cbor", path, sizeof path) == 0);
    CHECK(strcmp(path, "/etc/rcprov/pki/ci.cbor") == 0);
    CHECK(conf_resolve(c, "/abs/x", path, sizeof path) == 0 && strcmp(path, "/abs/x") == 0);
    CHECK(conf_resolve(c, "pki/ci.cbor", path, 10) == -1);
    CHECK(conf_path(c, p0, "name", 1, path, sizeof path, err, sizeof err) == 0);
    CHECK(strcmp(path, "/etc/rcprov/a b c") == 0);
    CHECK(conf_path(c, p0, "name", 1, path, 8, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf:7: [peer] name: path too long");
    conf_free(c);
    conf_free(NULL);

    /* no directory: relative paths stay relative (to the current directory) */
    CHECK(conf_parse("[s]\np = a/b\n", 12, "u.conf", NULL, &c, err, sizeof err) == 0);
    CHECK(conf_path(c, conf_find(c, "s", 0), "p", 1, path, sizeof path, err, sizeof err) == 0);
    CHECK(strcmp(path, "a/b") == 0);
    conf_free(c);

    /* an empty file is an empty configuration */
    CHECK(conf_parse("", 0, "e.conf", NULL, &c, err, sizeof err) == 0);
    CHECK(c != NULL && conf_n_sections(c) == 0);
    conf_free(c);
}

static const char k_values[] = "[sn]\n"                        /* 1 */
                               "n = 42\n"                      /* 2 */
                               "big = 18446744073709551615\n"  /* 3 */
                               "over = 18446744073709551616\n" /* 4 */
                               "neg = -1\n"                    /* 5 */
                               "plus = +5\n"                   /* 6 */
                               "hexnum = 0x10\n"               /* 7 */
                               "amf = 8000\n"                  /* 8 */
                               "amfbad = 80g0\n"               /* 9 */
                               "amf3 = 800\n"                  /* 10 */
                               "curve = p384\n"                /* 11 */
                               "e1 = 127.0.0.1:5683\n"         /* 12 */
                               "e2 = [::1]:5683\n"             /* 13 */
                               "e3 = localhost:1\n"            /* 14 */
                               "e4 = ::1:5683\n"               /* 15 */
                               "e5 = 127.0.0.1\n"              /* 16 */
                               "e6 = 127.0.0.1:0\n"            /* 17 */
                               "e7 = 127.0.0.1:65536\n"        /* 18 */
                               "e8 = example.com:5683\n"       /* 19 */
                               "e9 = [::1]5683\n"              /* 20 */
                               "e10 = 1.2.3.256:5683\n"        /* 21 */
                               "e11 = [1.2.3.4]:5683\n"        /* 22 */
                               "e12 = [2001:db8::7]:65535\n"   /* 23 */
                               "e13 = 10.0.0.1:5683x\n"        /* 24 */
                               "msin_last = 99999999999\n"     /* 25 */
                               "curve2 = brainpoolp256r1\n";   /* 26 */

static void test_getters(void)
{
    conf *c = NULL;
    char err[CONF_ERR_MAX] = "", host[64];
    uint64_t u = 7;
    uint8_t b[4];
    int e = -1;
    uint16_t port = 0;
    CHECK(conf_parse(k_values, strlen(k_values), "v.conf", NULL, &c, err, sizeof err) == 0);
    if (c == NULL)
        return;
    const conf_section *s = conf_find(c, "sn", 0);

    CHECK(conf_uint(c, s, "n", 1, 0, 100, &u, err, sizeof err) == 0 && u == 42);
    CHECK(conf_uint(c, s, "n", 1, 0, 10, &u, err, sizeof err) == -1 && u == 42);
    CHECK_HAS(err, "v.conf:2: [sn] n: not a number between 0 and 10");
    CHECK(conf_uint(c, s, "n", 1, 43, 100, &u, err, sizeof err) == -1);
    CHECK(conf_uint(c, s, "big", 1, 0, UINT64_MAX, &u, err, sizeof err) == 0 && u == UINT64_MAX);
    CHECK(conf_uint(c, s, "over", 1, 0, UINT64_MAX, &u, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:4: [sn] over: not a number between 0 and 18446744073709551615");
    CHECK(conf_uint(c, s, "neg", 1, 0, 10, &u, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:5: [sn] neg:");
    CHECK(conf_uint(c, s, "plus", 1, 0, 10, &u, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:6: [sn] plus:");
    CHECK(conf_uint(c, s, "hexnum", 1, 0, 100, &u, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:7: [sn] hexnum:");
    CHECK(conf_uint(c, s, "msin_last", 1, 1, 9999999999ULL, &u, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:25: [sn] msin_last: not a number between 1 and 9999999999");
    u = 5;
    CHECK(conf_uint(c, s, "absent", 0, 0, 10, &u, err, sizeof err) == 0 && u == 5);
    CHECK(conf_uint(c, s, "absent", 1, 0, 10, &u, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:1: [sn] absent: missing");

    CHECK(conf_hex(c, s, "amf", 1, b, 2, err, sizeof err) == 0 && b[0] == 0x80 && b[1] == 0);
    CHECK(conf_hex(c, s, "amf", 1, b, 3, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:8: [sn] amf: not 6 hex digits");
    CHECK(conf_hex(c, s, "amfbad", 1, b, 2, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:9: [sn] amfbad: not 4 hex digits");
    CHECK(conf_hex(c, s, "amf3", 1, b, 2, err, sizeof err) == -1);
    CHECK_HAS(err, "v.conf:10: [sn] amf3: not 4 hex digits");

    static const char *const curves[] = {"p256", "brainpoolp256r1"};
    CHECK(conf_enum(c, s, "curve2", 1, curves, 2, &e, err, sizeof err) == 0 && e == 1);
    CHECK(conf_enum(c, s, "curve", 1, curves, 2, &e, err, sizeof err) == -1 && e == 1);
    CHECK_HAS(err, "v.conf:11: [sn] curve: 'p384' is not one of: p256, brainpoolp256r1");

    CHECK(conf_endpoint(c, s, "e1", 1, host, sizeof host, &port, err, sizeof err) == 0);
    CHECK(strcmp(host, "127.0.0.1") == 0 && port == 5683);
    CHECK(conf_endpoint(c, s, "e2", 1, host, sizeof host, &port, err, sizeof err) == 0);
    CHECK(strcmp(host, "::1") == 0 && port == 5683);
    CHECK(conf_endpoint(c, s, "e3", 1, host, sizeof host, &port, err, sizeof err) == 0);
    CHECK(strcmp(host, "localhost") == 0 && port == 1);
    CHECK(conf_endpoint(c, s, "e12", 1, host, sizeof host, &port, err, sizeof err) == 0);
    CHECK(strcmp(host, "2001:db8::7") == 0 && port == 65535);
    CHECK(conf_endpoint(c, s, "e1", 1, host, 5, &port, err, sizeof err) == -1); /* host_cap */
    static const struct {
        const char *key, *want;
    } bad[] = {
        {"e4", "v.conf:15: [sn] e4: '::1:5683': an IPv6 address goes in brackets"},
        {"e5", "v.conf:16: [sn] e5: '127.0.0.1' is not host:port"},
        {"e6", "v.conf:17: [sn] e6: '127.0.0.1:0': port must be"},
        {"e7", "v.conf:18: [sn] e7: '127.0.0.1:65536': port must be"},
        {"e8", "v.conf:19: [sn] e8: 'example.com:5683': host must be an IP address or localhost"},
        {"e9", "v.conf:20: [sn] e9: '[::1]5683' is not [IPv6]:port"},
        {"e10", "v.conf:21: [sn] e10: '1.2.3.256:5683': host must be"},
        {"e11", "v.conf:22: [sn] e11: '[1.2.3.4]:5683': host must be"},
        {"e13", "v.conf:24: [sn] e13: '10.0.0.1:5683x': port must be"},
        {"absent", "v.conf:1: [sn] absent: missing"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(conf_endpoint(c, s, bad[i].key, 1, host, sizeof host, &port, err, sizeof err) == -1);
        CHECK_HAS(err, bad[i].want);
    }
    port = 9;
    CHECK(conf_endpoint(c, s, "absent", 0, host, sizeof host, &port, err, sizeof err) == 0);
    CHECK(port == 9);
    conf_free(c);
}

static void test_parse_errors(void)
{
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"k = v\n", "t.conf:1: key 'k' before any [section]"},
        {"# c\n[sn]\njunk\n", "t.conf:3: expected '[section]', 'key = value' or a comment"},
        {"[sn]\n= v\n", "t.conf:2: expected '[section]'"},
        {"[sn]\nk v\n", "t.conf:2: expected '[section]'"},
        {"[SN]\n", "t.conf:1: bad section name [SN]"},
        {"[]\n", "t.conf:1: bad section name []"},
        {"[s n]\n", "t.conf:1: bad section name [s n]"},
        {"[sn\n", "t.conf:1: section header without ']'"},
        {"[sn] # role\n", "t.conf:1: text after the section header [sn]"},
        {"[sn]\nk =\n", "t.conf:2: [sn] k: empty value"},
        {"[sn]\nk =  \t \n", "t.conf:2: [sn] k: empty value"},
        {"[sn]\nKey = v\n", "t.conf:2: bad key 'Key'"},
        {"[sn]\nk-x = v\n", "t.conf:2: bad key 'k-x'"},
        {"[sn]\nk = v # note\n", "t.conf:2: [sn] k: '#' after a blank: comments go on"},
        {"[sn]\nk = v\t; note\n", "t.conf:2: [sn] k: ';' after a blank"},
    };
    char err[CONF_ERR_MAX];
    conf *c = (conf *)1;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK(conf_parse(bad[i].text, strlen(bad[i].text), "t.conf", NULL, &c, err, sizeof err) ==
              -1);
        CHECK(c == NULL);
        CHECK_HAS(err, bad[i].want);
    }

    /* line length: 1023 characters pass, 1024 do not (CR LF not counted) */
    char *text = malloc(2048);
    memcpy(text, "[s]\nk = ", 8);
    memset(text + 8, 'a', 1023 - 4);
    memcpy(text + 8 + 1019, "\r\n", 2);
    CHECK(conf_parse(text, 8 + 1019 + 2, "t.conf", NULL, &c, err, sizeof err) == 0);
    conf_free(c);
    memset(text + 8, 'a', 1024 - 4);
    memcpy(text + 8 + 1020, "\n[t]\n", 5);
    CHECK(conf_parse(text, 8 + 1020 + 5, "t.conf", NULL, &c, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf:2: line longer than 1023 characters");
    free(text);

    /* NUL byte, named by its line */
    static const char nul[] = "[s]\nk = v\nx\0y = z\n";
    CHECK(conf_parse(nul, sizeof nul - 1, "t.conf", NULL, &c, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf:3: NUL byte");

    /* more than 1 MiB */
    size_t big = (1u << 20) + 1;
    text = malloc(big);
    memset(text, '\n', big);
    CHECK(conf_parse(text, big, "t.conf", NULL, &c, err, sizeof err) == -1);
    CHECK_HAS(err, "t.conf: larger than 1 MiB");
    CHECK(conf_parse(text, big - 1, "t.conf", NULL, &c, err, sizeof err) == 0);
    conf_free(c);
    free(text);
}

/* ============================================================== files */

static void path_of(char *out, size_t cap, const char *rel)
{
    snprintf(out, cap, "%s/%s", g_dir, rel);
}

static void write_file(const char *rel, const void *data, size_t len, mode_t mode)
{
    char path[512];
    path_of(path, sizeof path, rel);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    CHECK(fwrite(data, 1, len, f) == len);
    CHECK(fclose(f) == 0);
    CHECK(chmod(path, mode) == 0);
}

static void write_str(const char *rel, const char *text, mode_t mode)
{
    write_file(rel, text, strlen(text), mode);
}

static void set_mode(const char *rel, mode_t mode)
{
    char path[512];
    path_of(path, sizeof path, rel);
    CHECK(chmod(path, mode) == 0);
}

static void test_load_files(void)
{
    char err[CONF_ERR_MAX], path[512], want[PATH_MAX + 600], real[PATH_MAX];
    conf *c = NULL;
    path_of(path, sizeof path, "nope.conf");
    CHECK(conf_load(path, &c, err, sizeof err) == -1 && c == NULL);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    CHECK_HAS(err, want);
    CHECK(conf_load(g_dir, &c, err, sizeof err) == -1);
    CHECK_HAS(err, "not a regular file");

    char *big = malloc((1u << 20) + 1);
    memset(big, '#', (1u << 20) + 1);
    write_file("big.conf", big, (1u << 20) + 1, 0644);
    free(big);
    path_of(path, sizeof path, "big.conf");
    CHECK(conf_load(path, &c, err, sizeof err) == -1);
    CHECK_HAS(err, "big.conf: larger than 1 MiB");
    unlink(path);

    CHECK(mkdir(strcat(strcpy(path, g_dir), "/sub"), 0700) == 0);
    write_str("sub/x.conf", "[s]\np = rel/f\nbad = 3x\n", 0644);
    path_of(path, sizeof path, "sub/x.conf");
    CHECK(conf_load(path, &c, err, sizeof err) == 0);
    if (c) {
        const conf_section *s = conf_find(c, "s", 0);
        char got[PATH_MAX + 32];
        uint64_t u;
        CHECK(realpath(g_dir, real) != NULL);
        snprintf(want, sizeof want, "%s/sub/rel/f", real);
        CHECK(conf_path(c, s, "p", 1, got, sizeof got, err, sizeof err) == 0);
        CHECK(strcmp(got, want) == 0);
        /* messages name the file as given */
        CHECK(conf_uint(c, s, "bad", 1, 0, 9, &u, err, sizeof err) == -1);
        snprintf(want, sizeof want, "%s:3: [s] bad: not a number between 0 and 9", path);
        CHECK_HAS(err, want);
        conf_free(c);
    }
    unlink(path);
    path_of(path, sizeof path, "sub");
    rmdir(path);
}

/* ===================================================== a PKI on disk */

static rcp_drbg g_drbg;
static int64_t g_now;

static rcp_ec_key *new_key(rcp_curve curve)
{
    rcp_ec_key *k = NULL;
    CHECK_OK(rcp_ec_key_generate(curve, &g_drbg.rng, &k));
    return k;
}

static void write_key(const char *rel, const rcp_ec_key *k, mode_t mode)
{
    char pem[RCP_PKCS8_PEM_MAX];
    size_t len = 0;
    CHECK_OK(rcp_ec_key_to_pkcs8_pem(k, pem, sizeof pem, &len));
    write_file(rel, pem, len, mode);
    rcp_wipe(pem, sizeof pem);
}

static void write_ccert(const char *rel, const char *subject, uint8_t serial, rcp_key_usage usage,
                        const rcp_ec_key *subj, const rcp_ec_key *issuer)
{
    uint8_t out[RCP_CCERT_MAX_LEN], sn[2] = {0x30, serial};
    size_t len = 0;
    rcp_ccert_template t = {
        sn,   2, subject, usage, subj, (uint64_t)(g_now - DAY), (uint64_t)(g_now + 365 * DAY),
        NULL, 0};
    CHECK_OK(rcp_ccert_issue(&t, issuer, out, sizeof out, &len));
    write_file(rel, out, len, 0644);
}

static rcp_x509 *write_x509(const char *rel, const char *cn, uint8_t serial, rcp_x509_usage usage,
                            const rcp_ec_key *subj, const rcp_x509 *issuer,
                            const rcp_ec_key *issuer_key)
{
    rcp_x509 *c = NULL;
    char pem[RCP_X509_PEM_MAX];
    size_t len = 0;
    uint8_t sn[2] = {0x40, serial};
    rcp_x509_template t = {
        sn, 2, cn, NULL, usage, RCP_X509_PATHLEN_NONE, subj, g_now - DAY, g_now + 365 * DAY};
    CHECK_OK(rcp_x509_issue(&t, issuer, issuer_key, &c));
    CHECK_OK(rcp_x509_to_pem(c, pem, sizeof pem, &len));
    write_file(rel, pem, len, 0644);
    return c;
}

/* The keys the tests compare against. */
static rcp_ec_key *g_ecka, *g_ecdsa, *g_auths, *g_sp;
static rcp_ec_key *g_sn_tls; /* a DTLS key of the SN apart from its ECDSA key ([sn] tls_key) */
static const uint8_t g_op[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
                                 0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};

static void make_pki(void)
{
    static const char *const dirs[] = {"pki", "sn", "auths", "sp", "other"};
    char path[512];
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        path_of(path, sizeof path, dirs[i]);
        CHECK(mkdir(path, 0755) == 0);
    }
    CHECK_OK(rcp_drbg_init(&g_drbg, (const uint8_t *)"test_conf", 9));
    g_now = (int64_t)time(NULL);

    /* compact: two CIs, the SN's ECKA and ECDSA certificates under the first */
    rcp_ec_key *ci = new_key(RCP_CURVE_P256), *ci2 = new_key(RCP_CURVE_P256);
    g_ecka = new_key(RCP_CURVE_P256);
    g_ecdsa = new_key(RCP_CURVE_P256);
    write_ccert("pki/ci.cbor", "test CI", 1, RCP_USAGE_CA, ci, ci);
    write_ccert("pki/ci2.cbor", "other CI", 2, RCP_USAGE_CA, ci2, ci2);
    write_ccert("sn/ecka.cbor", "sn.001.01.rcprov.test", 3, RCP_USAGE_AGREE, g_ecka, ci);
    write_ccert("sn/ecdsa.cbor", "sn.001.01.rcprov.test", 4, RCP_USAGE_SIGN, g_ecdsa, ci);
    write_key("sn/ecka.key", g_ecka, 0600);
    write_key("sn/ecdsa.key", g_ecdsa, 0600);
    rcp_ec_key *bp = new_key(RCP_CURVE_BP256R1);
    write_key("sn/bp.key", bp, 0600);
    write_str("sn/op.hex", "cd63cb71954a9f4e48a5994e37a02baf\n", 0600);
    write_str("sn/cookie.key", "000102030405060708090a0b0c0d0e0f", 0600);
    write_str("sn/notakey.key", "hello\n", 0600);
    write_str("sn/short.key", "0123456789abcdef0123456789ab\n", 0600);

    /* X.509: the TLS CA, SN / AuthS / SP certificates; another CA */
    rcp_ec_key *ca = new_key(RCP_CURVE_P256), *ca2 = new_key(RCP_CURVE_P256);
    g_auths = new_key(RCP_CURVE_P256);
    g_sp = new_key(RCP_CURVE_P256);
    g_sn_tls = new_key(RCP_CURVE_P256);
    rcp_ec_key *other = new_key(RCP_CURVE_P256);
    rcp_x509 *root =
        write_x509("pki/tls-ca.pem", "rcprov test TLS CA", 1, RCP_X509_USAGE_CA, ca, NULL, ca);
    rcp_x509 *root2 = write_x509("other/ca.pem", "other CA", 2, RCP_X509_USAGE_CA, ca2, NULL, ca2);
    rcp_x509 *certs[] = {
        root,
        root2,
        write_x509("sn/tls.pem", "sn.001.01.rcprov.test", 3, RCP_X509_USAGE_SIGN, g_ecdsa, root,
                   ca),
        write_x509("auths/tls.pem", "auths.rcprov.test", 4, RCP_X509_USAGE_SIGN, g_auths, root, ca),
        write_x509("sp/tls.pem", "oem.rcprov.test", 5, RCP_X509_USAGE_SIGN, g_sp, root, ca),
        write_x509("other/tls.pem", "auths.rcprov.test", 6, RCP_X509_USAGE_SIGN, g_auths, root2,
                   ca2),
        write_x509("other/agree.pem", "auths.rcprov.test", 7, RCP_X509_USAGE_AGREE, g_auths, root,
                   ca),
        write_x509("sn/tls2.pem", "sn.001.01.rcprov.test", 8, RCP_X509_USAGE_SIGN, g_sn_tls, root,
                   ca),
        write_x509("other/sn-tls.pem", "sn.001.01.rcprov.test", 9, RCP_X509_USAGE_SIGN, g_sn_tls,
                   root2, ca2),
    };
    write_key("sn/tls.key", g_sn_tls, 0600);
    write_key("auths/sign.key", g_auths, 0600);
    for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++)
        rcp_x509_free(certs[i]);
    rcp_ec_key *keys[] = {ci, ci2, bp, ca, ca2, other};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        rcp_ec_key_free(keys[i]);
}

/* ============================================== configurations on disk */

static const char *const k_sn[] = {
    "# a Serving Network",
    "[daemon]",
    "log_level = debug",
    "block_size = 512",
    "drain_seconds = 5",
    "",
    "[sn]",
    "listen = 127.0.0.1:5683",
    "name = sn.001.01.rcprov.test",
    "curve = p256",
    "ecka_key = sn/ecka.key",
    "ecka_cert = sn/ecka.cbor",
    "ecdsa_key = sn/ecdsa.key",
    "ecdsa_cert = sn/ecdsa.cbor",
    "ci = pki/ci2.cbor",
    "ci = pki/ci.cbor",
    "tls_cert = sn/tls.pem",
    "tls_ca = pki/tls-ca.pem",
    "suites = cbc-hmac",
    "mcc = 001",
    "mnc = 01",
    "msin_first = 1000000000",
    "msin_last = 1000009999",
    "op_file = sn/op.hex",
    "cookie_key_file = sn/cookie.key",
    "cookie_lifetime = 300",
    "amf = 9001",
    "milenage_r2 = 5",
    "milenage_c3 = 000000000000000000000000000000aa",
    "",
    "[auths-peer]",
    "fqdn = auths.rcprov.test",
    "endpoint = 127.0.0.1:5684",
    "cert = auths/tls.pem",
    "",
    "[auths-peer]",
    "fqdn = auths2.rcprov.test",
    "endpoint = [::1]:5685",
    "cert = sp/tls.pem",
};
#define N_SN (sizeof k_sn / sizeof k_sn[0])
#define N_SN_NO_PEERS 30 /* lines up to the first [auths-peer] */

static const char *const k_auths[] = {
    "[auths]",
    "listen = localhost:5684",
    "store = sqlite:auths-test.db",
    "fqdn = auths.rcprov.test",
    "key = auths/sign.key",
    "tls_cert = auths/tls.pem",
    "tls_ca = pki/tls-ca.pem",
    "authz_lifetime = 7200",
    "data_limit = 1048576",
    "destination = rsmf.rcprov.test",
    "max_skew = 60",
    "",
    "[sn-agreement]",
    "name = sn.001.01.rcprov.test",
    "ecdsa_cert = sn/ecdsa.cbor",
    "ecka_cert = sn/ecka.cbor",
    "",
    "[sp-agreement]",
    "name = oem.rcprov.test",
    "cert = sp/tls.pem",
};
#define N_AUTHS (sizeof k_auths / sizeof k_auths[0])

/* Write lines as rel, replacing the first line that starts with match by
 * repl (NULL: drop it), then append extra (may be NULL).  Returns the
 * 1-based line number of the replacement (0 if none). */
static unsigned write_conf(const char *rel, const char *const *lines, size_t n, const char *match,
                           const char *repl, const char *extra)
{
    static char text[16384];
    size_t off = 0;
    unsigned line = 0, at = 0, done = 0;
    for (size_t i = 0; i < n; i++) {
        const char *l = lines[i];
        if (!done && match && strncmp(l, match, strlen(match)) == 0) {
            done = 1;
            if (repl == NULL)
                continue;
            l = repl;
            at = line + 1;
        }
        off += (size_t)snprintf(text + off, sizeof text - off, "%s\n", l);
        line++;
    }
    CHECK(match == NULL || done);
    if (extra)
        off += (size_t)snprintf(text + off, sizeof text - off, "%s", extra);
    write_file(rel, text, off, 0644);
    return at;
}

static int same_key(const rcp_ec_key *a, const rcp_ec_key *b)
{
    uint8_t pa[RCP_EC_MAX_POINT], pb[RCP_EC_MAX_POINT];
    size_t la = 0, lb = 0;
    if (a == NULL || b == NULL || rcp_ec_key_public(a, 1, pa, sizeof pa, &la) ||
        rcp_ec_key_public(b, 1, pb, sizeof pb, &lb))
        return 0;
    return la == lb && memcmp(pa, pb, la) == 0;
}

static void check_kid(const uint8_t *kid, const rcp_ec_key *k)
{
    uint8_t want[RCP_KID_LEN];
    CHECK_OK(rcp_key_id(k, want));
    CHECK_MEM(kid, want, RCP_KID_LEN);
}

static node *load_ok(const char *rel)
{
    char path[512], err[CONF_ERR_MAX] = "";
    node *nd = NULL;
    path_of(path, sizeof path, rel);
    int ret = node_load(path, &nd, err, sizeof err);
    CHECK(ret == 0 && nd != NULL);
    if (ret != 0)
        fprintf(stderr, "node_load %s: %s\n", rel, err);
    return nd;
}

static void check_sn(const node *nd)
{
    const rcp_ua_sn *sn = &nd->sn;
    char want[NODE_URL_MAX + 32];
    struct stat st;
    CHECK(nd->has_sn);
    CHECK(strcmp(nd->sn_name, "sn.001.01.rcprov.test") == 0);
    CHECK(strcmp(nd->sn_host, "127.0.0.1") == 0 && nd->sn_port == 5683);
    CHECK(sn->n_creds == 1 && sn->creds == &nd->sn_creds);
    CHECK(sn->creds[0].curve == RCP_CURVE_P256);
    CHECK(same_key(sn->creds[0].ecka_key, g_ecka) && same_key(sn->creds[0].ecdsa_key, g_ecdsa));
    check_kid(sn->creds[0].ecka_kid, g_ecka);
    check_kid(sn->creds[0].ecdsa_kid, g_ecdsa);
    CHECK(sn->creds[0].cert_ecka_len > 0 && sn->creds[0].cert_ecdsa_len > 0);
    CHECK(sn->n_suites == 1 && sn->suites[0] == RCP_SUITE_CBC_HMAC);
    CHECK(sn->trust != NULL);
    CHECK(strcmp(sn->mcc, "001") == 0 && strcmp(sn->mnc, "01") == 0);
    CHECK(sn->msin_first == 1000000000u && sn->msin_last == 1000009999u);
    CHECK_MEM(sn->op, g_op, 16);
    static const uint8_t cookie[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    CHECK_MEM(sn->cookie_key, cookie, 16);
    CHECK(sn->cookie_lifetime == 300);
    CHECK(sn->amf[0] == 0x90 && sn->amf[1] == 0x01);
    rcp_milenage_consts def;
    rcp_milenage_consts_default(&def);
    CHECK(sn->consts->r[0] == def.r[0] && sn->consts->r[1] == 5 && sn->consts->r[4] == def.r[4]);
    CHECK(sn->consts->c[2][15] == 0xaa && sn->consts->c[2][0] == 0);
    CHECK_MEM(sn->consts->c[0], def.c[0], 16);
    rcp_sqn_scheme sq;
    rcp_sqn_scheme_default(&sq);
    CHECK(sn->sqn.ind_bits == sq.ind_bits && sn->sqn.delta == sq.delta &&
          sn->sqn.age_limit == sq.age_limit);
    CHECK(sn->store != NULL && sn->rng == rcp_rng_system() && sn->clock == rcp_clock_system());
    CHECK(sn->trace == NULL);
    /* the Authorization Servers */
    CHECK(nd->n_peers == 2 && sn->n_auths == 2);
    CHECK(strcmp(nd->peers[0].name, "auths.rcprov.test") == 0);
    CHECK(strcmp(nd->peers[0].host, "127.0.0.1") == 0 && nd->peers[0].port == 5684);
    CHECK(same_key(nd->peers[0].key, g_auths));
    CHECK(strcmp(nd->peers[1].name, "auths2.rcprov.test") == 0);
    CHECK(strcmp(nd->peers[1].host, "::1") == 0 && nd->peers[1].port == 5685);
    CHECK(same_key(nd->peers[1].key, g_sp));
    CHECK(strcmp(sn->auths[0].fqdn, "auths.rcprov.test") == 0);
    CHECK(same_key(sn->auths[0].key, g_auths) && same_key(sn->auths[1].key, g_sp));
    /* the DTLS identity: its key PEM is the ECDSA key */
    rcp_ec_key *k = NULL;
    CHECK(nd->sn_id.key_pem != NULL && nd->sn_id.cert_pem != NULL && nd->sn_id.ca_pem != NULL);
    CHECK_OK(rcp_ec_key_from_pkcs8_pem(nd->sn_id.key_pem, nd->sn_id.key_pem_len, &k));
    CHECK(same_key(k, g_ecdsa));
    rcp_ec_key_free(k);
    CHECK(strncmp(nd->sn_id.cert_pem, "-----BEGIN CERTIFICATE-----", 27) == 0);
    CHECK(strlen(nd->sn_id.cert_pem) == nd->sn_id.cert_pem_len);
    CHECK(strlen(nd->sn_id.ca_pem) == nd->sn_id.ca_pem_len);
    /* the store: default, in data_dir (created 0700) */
    snprintf(want, sizeof want, "sqlite:%s/sn.db", nd->data_dir);
    CHECK(strcmp(nd->sn_store_url, want) == 0);
    CHECK(stat(nd->data_dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
    snprintf(want, sizeof want, "%s/sn.db", nd->data_dir);
    CHECK(access(want, F_OK) == 0);
}

static void check_auths(const node *nd)
{
    const rcp_ua_auths *a = &nd->auths;
    char want[NODE_URL_MAX + 32];
    CHECK(nd->has_auths);
    CHECK(strcmp(nd->auths_host, "127.0.0.1") == 0 && nd->auths_port == 5684);
    CHECK(strcmp(a->fqdn, "auths.rcprov.test") == 0);
    CHECK(same_key(a->key, g_auths) && rcp_ec_key_has_private(a->key));
    CHECK(a->authz_lifetime == 7200 && a->data_limit == 1048576 && a->max_skew == 60);
    CHECK(strcmp(a->destination, "rsmf.rcprov.test") == 0);
    CHECK(a->n_sns == 1 && strcmp(a->sns[0].name, "sn.001.01.rcprov.test") == 0);
    check_kid(a->sns[0].ecdsa_kid, g_ecdsa);
    CHECK(same_key(a->sns[0].ecdsa_key, g_ecdsa));
    CHECK(a->sns[0].n_ecka == 1);
    check_kid(a->sns[0].ecka_kids[0], g_ecka);
    CHECK(a->n_sps == 1 && strcmp(a->sps[0].name, "oem.rcprov.test") == 0);
    check_kid(a->sps[0].kid, g_sp);
    CHECK(same_key(a->sps[0].key, g_sp));
    CHECK(nd->n_accept == 2);
    CHECK(nd->n_accept == 2 && same_key(nd->accept[0], g_ecdsa) && same_key(nd->accept[1], g_sp));
    CHECK(a->store != NULL && a->rng == rcp_rng_system() && a->clock == rcp_clock_system());
    snprintf(want, sizeof want, "sqlite:%s/auths-test.db", nd->data_dir);
    CHECK(strcmp(nd->auths_store_url, want) == 0);
    rcp_ec_key *k = NULL;
    CHECK_OK(rcp_ec_key_from_pkcs8_pem(nd->auths_id.key_pem, nd->auths_id.key_pem_len, &k));
    CHECK(same_key(k, g_auths));
    rcp_ec_key_free(k);
}

static void test_node_good(void)
{
    char real[PATH_MAX], want[PATH_MAX + 16];
    CHECK(realpath(g_dir, real) != NULL);

    write_conf("sn.conf", k_sn, N_SN, NULL, NULL, NULL);
    node *nd = load_ok("sn.conf");
    if (nd) {
        snprintf(want, sizeof want, "%s/data", real);
        CHECK(strcmp(nd->data_dir, want) == 0);
        CHECK(nd->net.log_level == RCP_LOG_DEBUG && nd->net.block_size == 512);
        CHECK(nd->net.ack_timeout_ms == 0 && nd->net.log == NULL);
        CHECK(nd->drain_seconds == 5);
        CHECK(!nd->has_auths && nd->n_accept == 0);
        check_sn(nd);
        char path[512];
        path_of(path, sizeof path, "sn.conf");
        CHECK(strcmp(nd->path, path) == 0);
        node_free(nd);
    }
    node_free(NULL);

    write_conf("auths.conf", k_auths, N_AUTHS, NULL, NULL, NULL);
    nd = load_ok("auths.conf");
    if (nd) {
        CHECK(!nd->has_sn && nd->n_peers == 0);
        CHECK(nd->net.log_level == RCP_LOG_INFO && nd->net.block_size == 1024);
        CHECK(nd->drain_seconds == 10);
        check_auths(nd);
        node_free(nd);
    }

    /* both roles in one file, defaults for everything optional of [sn],
     * and data_dir elsewhere */
    static char both[16384];
    size_t off = 0;
    off += (size_t)snprintf(both + off, sizeof both - off, "[daemon]\ndata_dir = state\n");
    for (size_t i = 6; i < N_SN; i++) {
        static const char *const optional[] = {
            "name =", "suites =", "cookie_lifetime =", "amf =", "milenage_r2 =", "milenage_c3 ="};
        int skip = 0;
        for (size_t j = 0; j < sizeof optional / sizeof optional[0]; j++)
            skip |= strncmp(k_sn[i], optional[j], strlen(optional[j])) == 0;
        if (!skip)
            off += (size_t)snprintf(both + off, sizeof both - off, "%s\n", k_sn[i]);
    }
    for (size_t i = 0; i < N_AUTHS; i++)
        off += (size_t)snprintf(both + off, sizeof both - off, "%s\n", k_auths[i]);
    write_str("both.conf", both, 0644);
    nd = load_ok("both.conf");
    if (nd) {
        snprintf(want, sizeof want, "%s/state", real);
        CHECK(strcmp(nd->data_dir, want) == 0);
        CHECK(nd->has_sn && nd->has_auths);
        check_auths(nd);
        const rcp_ua_sn *sn = &nd->sn;
        rcp_milenage_consts def;
        rcp_milenage_consts_default(&def);
        CHECK(strcmp(nd->sn_name, "sn.001.01.rcprov.test") == 0); /* from the certificate */
        CHECK(sn->n_suites == 2 && sn->suites[0] == RCP_SUITE_GCM &&
              sn->suites[1] == RCP_SUITE_CBC_HMAC);
        CHECK(sn->cookie_lifetime == 120);
        CHECK(sn->amf[0] == 0x80 && sn->amf[1] == 0x00);
        CHECK(memcmp(sn->consts, &def, sizeof def) == 0);
        CHECK(nd->n_peers == 2 && sn->n_auths == 2);
        node_free(nd);
    }
}

/* A bad configuration: node_load must fail, leave *out NULL and name what
 * is wrong (every want must be in the message). */
static void expect_bad_at(int line, const char *const *lines, size_t n, const char *match,
                          const char *repl, const char *extra, const char *want1, const char *want2)
{
    char path[512], err[CONF_ERR_MAX] = "";
    node *nd = (node *)1;
    write_conf("bad.conf", lines, n, match, repl, extra);
    path_of(path, sizeof path, "bad.conf");
    int ret = node_load(path, &nd, err, sizeof err);
    if (getenv("RCP_TEST_VERBOSE"))
        printf("%s\n", err);
    if (ret == -1 && nd == NULL)
        rcp_t_pass++;
    else
        rcp_t_fail_at(__FILE__, line, "bad.conf loaded (ret %d)", ret);
    if (ret == 0 && nd != (node *)1)
        node_free(nd);
    check_has(line, err, want1);
    if (want2)
        check_has(line, err, want2);
    /* one line, no secrets */
    check_has(line, strchr(err, '\n') == NULL ? "ok" : "newline", "ok");
    check_has(line, strstr(err, "cd63cb71954a9f4e") == NULL ? "ok" : "OP leaked", "ok");
    check_has(line, strstr(err, "0123456789abcdef") == NULL ? "ok" : "key leaked", "ok");
}
#define EXPECT_BAD(...) expect_bad_at(__LINE__, __VA_ARGS__)

/* Replace the line starting with match in the SN configuration; the
 * message must start with "bad.conf:<that line>: " + want. */
static void sn_bad_at(int line, const char *match, const char *repl, const char *want,
                      const char *want2)
{
    char full[256];
    unsigned at = 0;
    for (size_t i = 0, l = 0; i < N_SN; i++) {
        l++;
        if (strncmp(k_sn[i], match, strlen(match)) == 0) {
            at = (unsigned)l;
            break;
        }
    }
    if (repl && want[0])
        snprintf(full, sizeof full, "bad.conf:%u: %s", at, want);
    else
        snprintf(full, sizeof full, "%s", want);
    expect_bad_at(line, k_sn, N_SN, match, repl, NULL, full, want2);
}
#define SN_BAD(...) sn_bad_at(__LINE__, __VA_ARGS__)

static void test_node_bad(void)
{
    /* layout */
    SN_BAD("amf =", "colour = blue", "[sn] colour: unknown key", NULL);
    SN_BAD("mcc =", NULL, "bad.conf:7: [sn] mcc: missing", NULL);
    SN_BAD("listen =", NULL, "bad.conf:7: [sn] listen: missing", NULL);
    SN_BAD("tls_ca =", NULL, "[sn] tls_ca: missing", NULL);
    SN_BAD("[daemon]", "[foo]", "unknown section [foo]", NULL);
    SN_BAD("[daemon]", "[sn-agreement]", "[sn-agreement] belongs to a [auths] role", NULL);
    EXPECT_BAD(k_sn, N_SN, NULL, NULL, "[sn]\nlisten = 127.0.0.1:1\n", "[sn] given twice (first at",
               NULL);
    EXPECT_BAD(k_sn, 5, NULL, NULL, NULL, "bad.conf: no [sn] or [auths] section: nothing to run",
               NULL);
    EXPECT_BAD(k_sn, N_SN_NO_PEERS, NULL, NULL, NULL,
               "bad.conf:7: [sn] needs at least one [auths-peer]", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, NULL, NULL, "[auths-peer]\nfqdn = x.test\n",
               "[auths-peer] belongs to a [sn] role", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, NULL, NULL,
               "[sp-agreement]\nname = oem.rcprov.test\ncert = sp/tls.pem\n",
               "[sp-agreement] name: oem.rcprov.test is already named", NULL);
    /* [daemon] */
    SN_BAD("block_size =", "block_size = 1000", "[daemon] block_size: 1000 is not a power of two",
           NULL);
    SN_BAD("block_size =", "block_size = 2048",
           "[daemon] block_size: not a number between 16 and 1024", NULL);
    SN_BAD("log_level =", "log_level = loud", "[daemon] log_level: 'loud' is not one of", NULL);
    SN_BAD("drain_seconds =", "drain_seconds = 601", "[daemon] drain_seconds: not a number", NULL);
    SN_BAD("drain_seconds =", "data_dir = sn/op.hex", "[daemon] data_dir:", "is not a directory");
    SN_BAD("drain_seconds =", "data_dir = nope/data", "[daemon] data_dir: cannot create",
           "No such file or directory");
    /* [sn] values */
    SN_BAD("curve =", "curve = p384", "[sn] curve: 'p384' is not one of: p256, brainpoolp256r1",
           NULL);
    SN_BAD("curve =", "curve = brainpoolp256r1", "",
           "[sn] ecka_key: the key is on p256, but curve = brainpoolp256r1");
    SN_BAD("ecka_key =", "ecka_key = sn/bp.key", "[sn] ecka_key: the key is on brainpoolp256r1",
           NULL);
    SN_BAD("listen =", "listen = 127.0.0.1", "[sn] listen: '127.0.0.1' is not host:port", NULL);
    SN_BAD("listen =", "listen = 127.0.0.1:70000", "[sn] listen:", "port must be");
    SN_BAD("listen =", "listen = sn.example:5683", "[sn] listen:", "host must be an IP address");
    SN_BAD("msin_last =", "msin_last = 999", "[sn] msin_last: 999 is below msin_first 1000000000",
           NULL);
    SN_BAD("msin_last =", "msin_last = 10000000000",
           "[sn] msin_last: not a number between 0 and 9999999999", NULL);
    SN_BAD("mnc =", "mnc = 001", "", "[sn] msin_first: not a number between 0 and 999999999");
    SN_BAD("mnc =", "mnc = 1", "[sn] mnc: '1' is not 2 or 3 digits", NULL);
    SN_BAD("mcc =", "mcc = 01a", "[sn] mcc: '01a' is not 3 digits", NULL);
    SN_BAD("amf =", "amf = 0000", "[sn] amf: the separation bit (0x8000) must be set", NULL);
    SN_BAD("amf =", "amf = 80", "[sn] amf: not 4 hex digits", NULL);
    SN_BAD("suites =", "suites = gcm gcm", "[sn] suites: one or two different suites", NULL);
    SN_BAD("suites =", "suites = aes", "[sn] suites: unknown suite 'aes'", NULL);
    SN_BAD("suites =", "suites = gcm cbc-hmac gcm", "[sn] suites:", NULL);
    SN_BAD("cookie_lifetime =", "cookie_lifetime = 5",
           "[sn] cookie_lifetime: not a number between 10 and 3600", NULL);
    SN_BAD("milenage_r2 =", "milenage_r2 = 128", "[sn] milenage_r2: not a number between 0 and 127",
           NULL);
    SN_BAD("milenage_c3 =", "milenage_c3 = 00", "[sn] milenage_c3: not 32 hex digits", NULL);
    /* [sn] files */
    SN_BAD("ecka_cert =", "ecka_cert = sn/missing.cbor", "[sn] ecka_cert: cannot read",
           "sn/missing.cbor: No such file or directory");
    SN_BAD("ecka_cert =", "ecka_cert = sn/ecdsa.cbor",
           "[sn] ecka_cert:", "does not verify under the ci anchors for usage agree");
    SN_BAD("ecka_cert =", "ecka_cert = sn/tls.pem",
           "[sn] ecka_cert:", "is not a compact certificate");
    SN_BAD("ecdsa_key =", "ecdsa_key = sn/ecka.key", "", "[sn] ecdsa_cert:");
    SN_BAD("ci = pki/ci.cbor", NULL, "[sn] ecka_cert:", "does not verify under the ci anchors");
    SN_BAD("ci = pki/ci.cbor", "ci = sn/ecka.cbor", "[sn] ci:", "is not a self-signed CA");
    SN_BAD("ecdsa_key =", "ecdsa_key = sn/notakey.key", "[sn] ecdsa_key:", "no PKCS#8 PEM");
    SN_BAD("tls_cert =", "tls_cert = auths/tls.pem",
           "[sn] tls_cert:", "does not hold the public key of ecdsa_key");
    /* tls_key: tls_cert must then hold its key, not the ECDSA key's */
    SN_BAD("tls_cert =", "tls_cert = sn/tls.pem\ntls_key = sn/tls.key",
           "[sn] tls_cert:", "sn/tls.pem does not hold the public key of tls_key");
    SN_BAD("tls_cert =", "tls_cert = sn/tls2.pem\ntls_key = sn/ecka.key",
           "[sn] tls_cert:", "does not hold the public key of tls_key");
    EXPECT_BAD(k_sn, N_SN, "tls_cert =", "tls_cert = sn/tls2.pem\ntls_key = sn/notakey.key", NULL,
               "bad.conf:18: [sn] tls_key:", "no PKCS#8 PEM");
    EXPECT_BAD(k_sn, N_SN, "tls_cert =", "tls_cert = sn/tls2.pem\ntls_key = sn/nope.key", NULL,
               "bad.conf:18: [sn] tls_key: cannot read", "sn/nope.key");
    EXPECT_BAD(k_sn, N_SN, "tls_cert =",
               "tls_cert = sn/tls2.pem\ntls_key = sn/tls.key\n"
               "tls_key = sn/tls.key",
               NULL, "[sn] tls_key", "twice");
    EXPECT_BAD(k_sn, N_SN, "tls_ca =", "tls_ca = other/ca.pem", NULL,
               "bad.conf:17: [sn] tls_cert:", "does not verify under tls_ca");
    SN_BAD("tls_ca =", "tls_ca = sn/tls.pem", "[sn] tls_ca:", "no self-signed CA certificate");
    SN_BAD("op_file =", "op_file = sn/nope.hex", "[sn] op_file: cannot read", "sn/nope.hex");
    SN_BAD("cookie_key_file =", "cookie_key_file = sn/short.key",
           "[sn] cookie_key_file:", "must hold exactly 32 hex digits");
    SN_BAD("cookie_lifetime =", "store = sqlite:/nonexistent/dir/sn.db",
           "[sn] store: cannot open sqlite:/nonexistent/dir/sn.db", NULL);
    /* secret files readable by others */
    set_mode("sn/op.hex", 0644);
    SN_BAD("op_file =", "op_file = sn/op.hex",
           "[sn] op_file:", "group or others may access it (mode 0644)");
    set_mode("sn/op.hex", 0600);
    set_mode("sn/cookie.key", 0640);
    SN_BAD("cookie_key_file =", "cookie_key_file = sn/cookie.key",
           "[sn] cookie_key_file:", "(mode 0640)");
    set_mode("sn/cookie.key", 0600);
    set_mode("sn/ecdsa.key", 0604);
    SN_BAD("ecdsa_key =", "ecdsa_key = sn/ecdsa.key", "[sn] ecdsa_key:", "(mode 0604)");
    set_mode("sn/ecdsa.key", 0600);
    set_mode("sn/tls.key", 0640);
    EXPECT_BAD(k_sn, N_SN, "tls_cert =", "tls_cert = sn/tls2.pem\ntls_key = sn/tls.key", NULL,
               "bad.conf:18: [sn] tls_key:", "(mode 0640)");
    set_mode("sn/tls.key", 0600);
    /* [auths-peer] */
    SN_BAD("endpoint = 127.0.0.1:5684", "endpoint = ::1:5684",
           "[auths-peer] endpoint:", "IPv6 address goes in brackets");
    SN_BAD("cert = auths/tls.pem", "cert = other/tls.pem",
           "[auths-peer] cert:", "does not verify under tls_ca");
    SN_BAD("cert = auths/tls.pem", "cert = other/agree.pem",
           "[auths-peer] cert:", "key-agreement certificate");
    SN_BAD("fqdn = auths2", "fqdn = auths.rcprov.test",
           "[auths-peer] fqdn:", "already named by an earlier [auths-peer]");
    SN_BAD("fqdn = auths.rcprov.test", "fqdn = bad_name", "[auths-peer] fqdn: 'bad_name' is not",
           NULL);
    SN_BAD("fqdn = auths.rcprov.test", "port = 1", "[auths-peer] port: unknown key", NULL);

    /* [auths] */
    EXPECT_BAD(k_auths, 12, NULL, NULL, NULL,
               "bad.conf:1: [auths] needs at least one [sn-agreement]", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "key =", "key = sn/ecdsa.key", NULL,
               "bad.conf:6: [auths] tls_cert:", "does not hold the public key of key");
    EXPECT_BAD(k_auths, N_AUTHS, "authz_lifetime =", "authz_lifetime = 10", NULL,
               "bad.conf:8: [auths] authz_lifetime: not a number between 60 and 2592000", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "data_limit =", "data_limit = 1099511627777", NULL,
               "bad.conf:9: [auths] data_limit: not a number between 0 and 1099511627776", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "max_skew =", "max_skew = 3601", NULL,
               "bad.conf:11: [auths] max_skew:", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "destination =", NULL, NULL,
               "bad.conf:1: [auths] destination: missing", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "fqdn =", "fqdn = a..b", NULL, "bad.conf:4: [auths] fqdn:", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "listen =", "listen = 1.2.3.4.5:1", NULL,
               "bad.conf:2: [auths] listen:", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "store =", "store = nosuch:x", NULL,
               "bad.conf:3: [auths] store: cannot open nosuch:x", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "ecka_cert =", "ecka_cert = sn/ecdsa.cbor", NULL,
               "bad.conf:16: [sn-agreement] ecka_cert:", "not agree");
    EXPECT_BAD(k_auths, N_AUTHS, "ecdsa_cert =", "ecdsa_cert = sn/ecka.cbor", NULL,
               "bad.conf:15: [sn-agreement] ecdsa_cert:", "not sign");
    EXPECT_BAD(k_auths, N_AUTHS, "ecka_cert =",
               "ecka_cert = sn/ecka.cbor\necka_cert = sn/ecka.cbor\necka_cert = sn/ecka.cbor", NULL,
               "bad.conf:18: [sn-agreement] ecka_cert: more than 2", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "ecka_cert =", NULL, NULL,
               "bad.conf:13: [sn-agreement] ecka_cert: missing", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "name = sn.", "name = this name has blanks", NULL,
               "bad.conf:14: [sn-agreement] name:", NULL);
    EXPECT_BAD(
        k_auths, N_AUTHS, NULL, NULL,
        "[sn-agreement]\nname = again\necdsa_cert = sn/ecdsa.cbor\necka_cert = sn/ecka.cbor\n",
        "bad.conf:23: [sn-agreement] ecdsa_cert:", "already the key of [sn-agreement]");
    /* [sn-agreement] tls_cert: under tls_ca, a DTLS (signing) certificate */
    EXPECT_BAD(k_auths, N_AUTHS,
               "ecka_cert =", "ecka_cert = sn/ecka.cbor\ntls_cert = other/sn-tls.pem", NULL,
               "bad.conf:17: [sn-agreement] tls_cert:", "does not verify under tls_ca");
    EXPECT_BAD(k_auths, N_AUTHS,
               "ecka_cert =", "ecka_cert = sn/ecka.cbor\ntls_cert = other/agree.pem", NULL,
               "bad.conf:17: [sn-agreement] tls_cert:", "key-agreement certificate");
    EXPECT_BAD(k_auths, N_AUTHS,
               "ecka_cert =", "ecka_cert = sn/ecka.cbor\ntls_cert = sn/ecdsa.cbor", NULL,
               "bad.conf:17: [sn-agreement] tls_cert:", NULL);
    EXPECT_BAD(k_auths, N_AUTHS, "ecka_cert =", "ecka_cert = sn/ecka.cbor\ntls_cert = sn/none.pem",
               NULL, "bad.conf:17: [sn-agreement] tls_cert: cannot read", "sn/none.pem");
    EXPECT_BAD(k_auths, N_AUTHS, "cert = sp/tls.pem", "cert = other/tls.pem", NULL,
               "bad.conf:20: [sp-agreement] cert:", "does not verify under tls_ca");
    EXPECT_BAD(k_auths, N_AUTHS, "cert = sp/tls.pem", NULL, NULL,
               "bad.conf:18: [sp-agreement] cert: missing", NULL);
}

/* Variants of the SN configuration that must load. */
static void test_node_variants_load(void)
{
    node *nd;
    write_conf("v.conf", k_sn, N_SN, "name =", "name = x", NULL);
    nd = load_ok("v.conf");
    CHECK(nd != NULL && strcmp(nd->sn_name, "x") == 0);
    node_free(nd);
    /* explicit store with a relative sqlite path, in data_dir */
    write_conf("v.conf", k_sn, N_SN, "cookie_lifetime =", "store = sqlite:other.db", NULL);
    nd = load_ok("v.conf");
    if (nd) {
        char want[NODE_URL_MAX + 32];
        snprintf(want, sizeof want, "sqlite:%s/other.db", nd->data_dir);
        CHECK(strcmp(nd->sn_store_url, want) == 0);
        CHECK(nd->sn.cookie_lifetime == 120);
    }
    node_free(nd);
    /* in-memory store, IPv6 listener, one CI */
    write_conf("v.conf", k_sn, N_SN, "ci = pki/ci2.cbor", "store = sqlite::memory:", NULL);
    nd = load_ok("v.conf");
    CHECK(nd != NULL && strcmp(nd->sn_store_url, "sqlite::memory:") == 0);
    node_free(nd);
    /* tls_key: the DTLS identity is that key and tls_cert its certificate;
     * the flow's credentials stay the ECDSA key's */
    write_conf("v.conf", k_sn, N_SN, "tls_cert =", "tls_cert = sn/tls2.pem\ntls_key = sn/tls.key",
               NULL);
    nd = load_ok("v.conf");
    if (nd) {
        rcp_ec_key *k = NULL;
        CHECK_OK(rcp_ec_key_from_pkcs8_pem(nd->sn_id.key_pem, nd->sn_id.key_pem_len, &k));
        CHECK(same_key(k, g_sn_tls) && rcp_ec_key_has_private(k));
        rcp_ec_key_free(k);
        CHECK(same_key(nd->sn_tls_key, g_sn_tls));
        CHECK(same_key(nd->sn.creds[0].ecdsa_key, g_ecdsa));
        check_kid(nd->sn.creds[0].ecdsa_kid, g_ecdsa);
    }
    node_free(nd);
    /* tls_key naming the ECDSA key itself: today's default, spelled out */
    write_conf("v.conf", k_sn, N_SN, "tls_cert =", "tls_cert = sn/tls.pem\ntls_key = sn/ecdsa.key",
               NULL);
    nd = load_ok("v.conf");
    CHECK(nd != NULL && same_key(nd->sn_tls_key, g_ecdsa));
    node_free(nd);
    /* without tls_key, no separate key */
    write_conf("v.conf", k_sn, N_SN, NULL, NULL, NULL);
    nd = load_ok("v.conf");
    CHECK(nd != NULL && nd->sn_tls_key == NULL);
    node_free(nd);

    /* [sn-agreement] tls_cert: the AuthS accepts that key on DTLS instead
     * of the ECDSA key, which still verifies the SN's messages */
    write_conf("v.conf", k_auths, N_AUTHS,
               "ecka_cert =", "ecka_cert = sn/ecka.cbor\ntls_cert = sn/tls2.pem", NULL);
    nd = load_ok("v.conf");
    if (nd) {
        CHECK(nd->n_accept == 2 && same_key(nd->accept[0], g_sn_tls) &&
              same_key(nd->accept[1], g_sp));
        CHECK(!same_key(nd->accept[0], g_ecdsa));
        CHECK(same_key(nd->auths.sns[0].ecdsa_key, g_ecdsa));
        check_kid(nd->auths.sns[0].ecdsa_kid, g_ecdsa);
        CHECK(same_key(nd->auths_sn_tls[0], g_sn_tls));
    }
    node_free(nd);
    /* without it: the ECDSA key (check_auths), and no separate key */
    write_conf("v.conf", k_auths, N_AUTHS, NULL, NULL, NULL);
    nd = load_ok("v.conf");
    CHECK(nd != NULL && nd->auths_sn_tls != NULL && nd->auths_sn_tls[0] == NULL &&
          same_key(nd->accept[0], g_ecdsa));
    node_free(nd);
}

/* The examples (examples/NAME.conf) load on the layout of docs/config.md (the PKI above). */
static void test_examples(void)
{
    static const struct {
        const char *example, *dest;
        int sn, auths;
    } ex[] = {
        {"sn.conf", "sn/sn.conf", 1, 0},
        {"auths.conf", "auths/auths.conf", 0, 1},
        {"sn+auths.conf", "sn+auths.conf", 1, 1},
    };
    char src[PATH_MAX + 64], dir[PATH_MAX];
    const char *root = getenv("RCP_SOURCE_DIR");
    if (root && *root) {
        snprintf(dir, sizeof dir, "%s", root);
    } else { /* run by hand: the source tree this file is in */
        snprintf(dir, sizeof dir, "%s", __FILE__);
        char *t = strstr(dir, "/tests/unit/");
        if (t)
            *t = '\0';
    }
    for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        snprintf(src, sizeof src, "%s/examples/%s", dir, ex[i].example);
        FILE *f = fopen(src, "rb");
        CHECK(f != NULL);
        if (f == NULL) {
            fprintf(stderr, "cannot open %s\n", src);
            continue;
        }
        static char text[32768];
        size_t len = fread(text, 1, sizeof text, f);
        fclose(f);
        CHECK(len > 0 && len < sizeof text);
        write_file(ex[i].dest, text, len, 0644);
        node *nd = load_ok(ex[i].dest);
        if (nd == NULL)
            continue;
        CHECK(nd->has_sn == ex[i].sn && nd->has_auths == ex[i].auths);
        CHECK(nd->net.log_level == RCP_LOG_INFO && nd->net.block_size == 1024);
        CHECK(nd->drain_seconds == 10);
        if (ex[i].sn) {
            CHECK(nd->n_peers == 1 && same_key(nd->peers[0].key, g_auths));
            CHECK(nd->sn.msin_first == 1000000000u && nd->sn.msin_last == 1000009999u);
            CHECK_MEM(nd->sn.op, g_op, 16);
            check_kid(nd->sn.creds[0].ecdsa_kid, g_ecdsa);
        }
        if (ex[i].auths) {
            CHECK(nd->auths.n_sns == 1 && nd->auths.n_sps == 1 && nd->n_accept == 2);
            CHECK(nd->auths.authz_lifetime == 3600 && nd->auths.max_skew == 300);
            check_kid(nd->auths.sps[0].kid, g_sp);
        }
        node_free(nd);
    }
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void remove_dir(void)
{
    if (g_dir[0])
        nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/rcp_conf_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(g_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    atexit(remove_dir);
    test_parse_good();
    test_getters();
    test_parse_errors();
    test_load_files();
    make_pki();
    test_node_good();
    test_node_bad();
    test_node_variants_load();
    test_examples();
    rcp_ec_key_free(g_ecka);
    rcp_ec_key_free(g_ecdsa);
    rcp_ec_key_free(g_auths);
    rcp_ec_key_free(g_sp);
    rcp_ec_key_free(g_sn_tls);
    rcp_drbg_wipe(&g_drbg);
    return rcp_t_done("test_conf");
}
