/*
 * Writes docs/spec/vectors/certificates.json: for each curve a CI ->
 * intermediate -> leaf chain (plus a revoked leaf and a CRL), made from a
 * fixed DRBG seed, with the test-only private keys and every byte a second
 * implementation needs.  Keys and to-be-signed bytes are reproducible;
 * ECDSA signatures are randomized (OpenSSL 3.0 has no RFC 6979), so a
 * regenerated file differs only in signatures.
 *
 * usage: gen_cert_vectors OUT.json
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "rcprov/bytes.h"
#include "rcprov/cert.h"

#define T0 1800000000u /* 2027-01-15T08:00:00Z */
#define DAY 86400u

static json_t *hexj(const uint8_t *p, size_t n)
{
    char buf[2 * RCP_CCRL_MAX_LEN + 1];
    if (rcp_hex_encode(p, n, buf, sizeof buf) != 0)
        return NULL;
    return json_string(buf);
}

static int key_json(json_t *keys, const char *name, const rcp_ec_key *k)
{
    uint8_t d[32], pu[65], pc[33], kid[8];
    size_t dn = 0, pun = 0, pcn = 0;
    if (rcp_ec_key_private(k, d, sizeof d, &dn) || rcp_ec_key_public(k, 0, pu, sizeof pu, &pun) ||
        rcp_ec_key_public(k, 1, pc, sizeof pc, &pcn) || rcp_key_id(k, kid))
        return -1;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "curve", json_string(rcp_curve_name(rcp_ec_key_curve(k))));
    json_object_set_new(o, "private", hexj(d, dn));
    json_object_set_new(o, "public_uncompressed", hexj(pu, pun));
    json_object_set_new(o, "public_compressed", hexj(pc, pcn));
    json_object_set_new(o, "kid", hexj(kid, 8));
    json_array_append_new(keys, o);
    rcp_wipe(d, sizeof d);
    return 0;
}

static int cert_json(json_t *certs, const char *name, const char *issuer, const uint8_t *cert,
                     size_t len)
{
    rcp_ccert c;
    if (rcp_ccert_decode(cert, len, &c))
        return -1;
    json_t *o = json_object();
    char subject[RCP_CCERT_SUBJECT_MAX + 1];
    memcpy(subject, c.subject, c.subject_len);
    subject[c.subject_len] = 0;
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "issuer_key", json_string(issuer));
    json_object_set_new(o, "serial", hexj(c.serial, c.serial_len));
    json_object_set_new(o, "subject", json_string(subject));
    json_object_set_new(o, "usage", json_string(rcp_key_usage_name(c.usage)));
    json_object_set_new(o, "curve", json_string(rcp_curve_name(c.curve)));
    json_object_set_new(o, "not_before", json_integer((json_int_t)c.not_before));
    json_object_set_new(o, "not_after", json_integer((json_int_t)c.not_after));
    json_object_set_new(o, "attrs", hexj(c.attrs, c.attrs_len));
    json_object_set_new(o, "tbs", hexj(c.tbs, c.tbs_len));
    json_object_set_new(o, "signature", hexj(c.sig, RCP_CCERT_SIG_LEN));
    json_object_set_new(o, "encoding", hexj(cert, len));
    json_array_append_new(certs, o);
    return 0;
}

static int chain(json_t *chains, rcp_curve curve, const char *seed)
{
    rcp_drbg drbg;
    rcp_ec_key *ci = NULL, *pn = NULL, *tre = NULL, *tre2 = NULL;
    uint8_t c_ci[RCP_CCERT_MAX_LEN], c_pn[RCP_CCERT_MAX_LEN], c_tre[RCP_CCERT_MAX_LEN],
        c_tre2[RCP_CCERT_MAX_LEN], crl[512];
    size_t n_ci, n_pn, n_tre, n_tre2, n_crl;
    int ret = -1;
    /* attrs of the leaf: {0: part number, 1: TRE serial} as seed 000 X0, X1 */
    const uint8_t attrs[] = {0xa2, 0x00, 0x66, 'P',  'N',  '-',  '4',  '7', '1',
                             0x01, 0x46, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78};
    if (rcp_drbg_init(&drbg, (const uint8_t *)seed, strlen(seed)) ||
        rcp_ec_key_generate(curve, &drbg.rng, &ci) || rcp_ec_key_generate(curve, &drbg.rng, &pn) ||
        rcp_ec_key_generate(curve, &drbg.rng, &tre) || rcp_ec_key_generate(curve, &drbg.rng, &tre2))
        goto out;
    rcp_ccert_template t_ci = {(const uint8_t *)"\x01",
                               1,
                               "rcprov test CI",
                               RCP_USAGE_CA,
                               ci,
                               T0,
                               T0 + 7300 * DAY,
                               NULL,
                               0};
    rcp_ccert_template t_pn = {(const uint8_t *)"\x02",
                               1,
                               "rcprov test PN 471",
                               RCP_USAGE_CA,
                               pn,
                               T0,
                               T0 + 3650 * DAY,
                               NULL,
                               0};
    rcp_ccert_template t_tre = {(const uint8_t *)"\x00\x00\x12\x34\x56\x78",
                                6,
                                "TRE 12345678",
                                RCP_USAGE_SIGN,
                                tre,
                                T0 + 3600,
                                T0 + 1825 * DAY,
                                attrs,
                                sizeof attrs};
    rcp_ccert_template t_tre2 = {(const uint8_t *)"\x00\x00\x12\x34\x56\x79",
                                 6,
                                 "TRE 12345679",
                                 RCP_USAGE_SIGN,
                                 tre2,
                                 T0,
                                 T0 + 1825 * DAY,
                                 NULL,
                                 0};
    /* three serials, given out of order: the CRL sorts them */
    const uint8_t *revoked[3] = {t_tre2.serial, (const uint8_t *)"\x07",
                                 (const uint8_t *)"\x00\x00\x12\x34\x56\x00"};
    size_t revoked_len[3] = {t_tre2.serial_len, 1, 6};
    if (rcp_ccert_issue(&t_ci, ci, c_ci, sizeof c_ci, &n_ci) ||
        rcp_ccert_issue(&t_pn, ci, c_pn, sizeof c_pn, &n_pn) ||
        rcp_ccert_issue(&t_tre, pn, c_tre, sizeof c_tre, &n_tre) ||
        rcp_ccert_issue(&t_tre2, pn, c_tre2, sizeof c_tre2, &n_tre2) ||
        rcp_ccrl_issue(pn, T0 + DAY, T0 + 31 * DAY, revoked, revoked_len, 3, crl, sizeof crl,
                       &n_crl))
        goto out;

    json_t *o = json_object(), *keys = json_array(), *certs = json_array();
    json_object_set_new(o, "curve", json_string(rcp_curve_name(curve)));
    json_object_set_new(o, "drbg_seed", json_string(seed));
    if (key_json(keys, "ci", ci) || key_json(keys, "pn", pn) || key_json(keys, "tre", tre) ||
        key_json(keys, "tre_revoked", tre2) || cert_json(certs, "ci", "ci", c_ci, n_ci) ||
        cert_json(certs, "pn", "ci", c_pn, n_pn) || cert_json(certs, "tre", "pn", c_tre, n_tre) ||
        cert_json(certs, "tre_revoked", "pn", c_tre2, n_tre2)) {
        json_decref(o);
        json_decref(keys);
        json_decref(certs);
        goto out;
    }
    rcp_ccrl l;
    if (rcp_ccrl_decode(crl, n_crl, &l))
        goto out;
    json_t *jcrl = json_object(), *serials = json_array();
    /* as the CRL carries them: shorter first, then bytewise */
    const size_t sorted[3] = {1, 2, 0};
    for (size_t i = 0; i < 3; i++)
        json_array_append_new(serials, hexj(revoked[sorted[i]], revoked_len[sorted[i]]));
    json_object_set_new(jcrl, "issuer_key", json_string("pn"));
    json_object_set_new(jcrl, "this_update", json_integer(T0 + DAY));
    json_object_set_new(jcrl, "next_update", json_integer(T0 + 31 * DAY));
    json_object_set_new(jcrl, "revoked", serials);
    json_object_set_new(jcrl, "tbs", hexj(l.tbs, l.tbs_len));
    json_object_set_new(jcrl, "signature", hexj(l.sig, RCP_CCERT_SIG_LEN));
    json_object_set_new(jcrl, "encoding", hexj(crl, n_crl));

    json_t *checks = json_array();
    struct {
        const char *cert;
        uint64_t time;
        int with_crl;
        const char *usage;
        const char *expect;
    } k_checks[] = {
        {"tre", T0 + 2 * DAY, 1, NULL, "valid"},
        {"tre", T0 + 2 * DAY, 1, "sign", "valid"},
        {"tre", T0 + 2 * DAY, 1, "agree", "wrong-usage"},
        {"tre_revoked", T0 + 2 * DAY, 1, NULL, "revoked"},
        {"tre_revoked", T0 + 2 * DAY, 0, NULL, "valid"},
        {"tre", T0 + 1825 * DAY, 0, NULL, "valid"},
        {"tre", T0 + 1825 * DAY + 1, 0, NULL, "expired"},
        {"tre", T0 + 3599, 0, NULL, "not-yet-valid"},
        {"tre", T0 - 1, 0, NULL, "expired"},
        {"tre", T0 + 40 * DAY, 1, NULL, "expired"},
        {"pn", T0 + 2 * DAY, 0, "ca", "valid"},
    };
    for (size_t i = 0; i < sizeof k_checks / sizeof k_checks[0]; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "cert", json_string(k_checks[i].cert));
        json_object_set_new(c, "time", json_integer((json_int_t)k_checks[i].time));
        json_object_set_new(c, "with_crl", json_boolean(k_checks[i].with_crl));
        if (k_checks[i].usage)
            json_object_set_new(c, "usage", json_string(k_checks[i].usage));
        json_object_set_new(c, "expect", json_string(k_checks[i].expect));
        json_array_append_new(checks, c);
    }
    json_object_set_new(o, "keys", keys);
    json_object_set_new(o, "certificates", certs);
    json_object_set_new(o, "crl", jcrl);
    json_object_set_new(o, "checks", checks);
    json_array_append_new(chains, o);
    ret = 0;
out:
    rcp_ec_key_free(ci);
    rcp_ec_key_free(pn);
    rcp_ec_key_free(tre);
    rcp_ec_key_free(tre2);
    rcp_drbg_wipe(&drbg);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_cert_vectors OUT.json\n");
        return 2;
    }
    json_t *root = json_object(), *chains = json_array();
    json_object_set_new(
        root, "description",
        json_string("rcprov compact certificates and CRL (docs/spec/certificates.md)"
                    ": CI -> PN (intermediate) -> TRE leaf chains with test-only "
                    "private keys. TEST KEYS: never use them for anything else."));
    json_object_set_new(root, "generator",
                        json_string("tests/tools/gen_cert_vectors.c (keys from HMAC_DRBG seeded "
                                    "with drbg_seed; ECDSA signatures randomized)"));
    json_object_set_new(root, "encoding", json_string("lowercase hex; times in Unix seconds"));
    if (chain(chains, RCP_CURVE_P256, "rcprov certificates p256") ||
        chain(chains, RCP_CURVE_BP256R1, "rcprov certificates brainpoolp256r1")) {
        fprintf(stderr, "gen_cert_vectors: generation failed\n");
        return 1;
    }
    json_object_set_new(root, "chains", chains);
    if (json_dump_file(root, argv[1], JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
        fprintf(stderr, "gen_cert_vectors: cannot write %s\n", argv[1]);
        return 1;
    }
    json_decref(root);
    return 0;
}
