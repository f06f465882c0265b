/*
 * docs/spec/vectors/certificates.json checked by the C implementation: keys
 * reproduce, each certificate decodes to its listed fields and tbs bytes,
 * signatures verify, re-issuing with the same keys reproduces the tbs, and
 * each listed check has its expected outcome.  (tests/tools/ccert_check.py
 * checks the same file independently, from the spec alone.)
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/cert.h"

struct vkey {
    const char *name;
    rcp_ec_key *key;
};

static rcp_ec_key *find_key(struct vkey *keys, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i].name, name) == 0)
            return keys[i].key;
    fprintf(stderr, "vector names unknown key '%s'\n", name);
    exit(2);
}

static const json_t *find_cert(const json_t *certs, const char *name)
{
    size_t i;
    const json_t *c;
    json_array_foreach(certs, i, c) if (strcmp(rcp_t_str(c, "name"), name) == 0) return c;
    fprintf(stderr, "vector names unknown certificate '%s'\n", name);
    exit(2);
}

static void check_chain(const json_t *chain)
{
    struct vkey keys[8];
    size_t nkeys = 0, i;
    const json_t *k, *c;
    rcp_curve curve = rcp_curve_from_name(rcp_t_str(chain, "curve"));
    CHECK(curve == RCP_CURVE_P256 || curve == RCP_CURVE_BP256R1);

    json_array_foreach(json_object_get(chain, "keys"), i, k)
    {
        uint8_t d[32], pu[65], pc[33], kid[8], got[65];
        size_t n = 0;
        CHECK(rcp_t_hex(k, "private", d, sizeof d) == 32);
        CHECK(rcp_t_hex(k, "public_uncompressed", pu, sizeof pu) == 65);
        CHECK(rcp_t_hex(k, "public_compressed", pc, sizeof pc) == 33);
        CHECK(rcp_t_hex(k, "kid", kid, sizeof kid) == 8);
        keys[nkeys].name = rcp_t_str(k, "name");
        CHECK_OK(rcp_ec_key_from_private(curve, d, 32, &keys[nkeys].key));
        CHECK_OK(rcp_ec_key_public(keys[nkeys].key, 0, got, sizeof got, &n));
        CHECK_MEM(got, pu, 65);
        CHECK_OK(rcp_ec_key_public(keys[nkeys].key, 1, got, sizeof got, &n));
        CHECK_MEM(got, pc, 33);
        CHECK_OK(rcp_key_id(keys[nkeys].key, got));
        CHECK_MEM(got, kid, 8);
        nkeys++;
    }

    const json_t *certs = json_object_get(chain, "certificates");
    json_array_foreach(certs, i, c)
    {
        uint8_t enc[RCP_CCERT_MAX_LEN], tbs[RCP_CCERT_MAX_LEN], sig[64], serial[16], attrs[256];
        uint8_t again[RCP_CCERT_MAX_LEN];
        size_t enc_len = rcp_t_hex(c, "encoding", enc, sizeof enc);
        size_t tbs_len = rcp_t_hex(c, "tbs", tbs, sizeof tbs);
        size_t serial_len = rcp_t_hex(c, "serial", serial, sizeof serial);
        size_t attrs_len = rcp_t_hex(c, "attrs", attrs, sizeof attrs);
        CHECK(rcp_t_hex(c, "signature", sig, sizeof sig) == 64);
        rcp_ec_key *subject = find_key(keys, nkeys, rcp_t_str(c, "name"));
        rcp_ec_key *issuer = find_key(keys, nkeys, rcp_t_str(c, "issuer_key"));
        rcp_ccert pc;
        CHECK_OK(rcp_ccert_decode(enc, enc_len, &pc));
        CHECK(pc.tbs_len == tbs_len);
        CHECK_MEM(pc.tbs, tbs, tbs_len);
        CHECK_MEM(pc.sig, sig, 64);
        CHECK(pc.serial_len == serial_len);
        CHECK_MEM(pc.serial, serial, serial_len);
        const char *subj = rcp_t_str(c, "subject");
        CHECK(pc.subject_len == strlen(subj) && memcmp(pc.subject, subj, pc.subject_len) == 0);
        CHECK(pc.usage == rcp_key_usage_from_name(rcp_t_str(c, "usage")));
        CHECK(pc.curve == curve);
        CHECK(pc.not_before == (uint64_t)rcp_t_int(c, "not_before"));
        CHECK(pc.not_after == (uint64_t)rcp_t_int(c, "not_after"));
        CHECK(pc.attrs_len == attrs_len);
        CHECK_MEM(pc.attrs, attrs, attrs_len);
        CHECK_OK(rcp_ccert_check_sig(&pc, issuer));
        /* Same template, same keys: the same tbs (signature randomized). */
        rcp_ccert_template t = {serial,       serial_len,
                                subj,         pc.usage,
                                subject,      pc.not_before,
                                pc.not_after, attrs_len == 1 && attrs[0] == 0xa0 ? NULL : attrs,
                                attrs_len};
        char subj_buf[RCP_CCERT_SUBJECT_MAX + 1];
        snprintf(subj_buf, sizeof subj_buf, "%s", subj);
        t.subject = subj_buf;
        size_t again_len = 0;
        rcp_ccert ac;
        CHECK_OK(rcp_ccert_issue(&t, issuer, again, sizeof again, &again_len));
        CHECK_OK(rcp_ccert_decode(again, again_len, &ac));
        CHECK(ac.tbs_len == tbs_len);
        CHECK_MEM(ac.tbs, tbs, tbs_len);
    }

    /* CRL */
    const json_t *crl = json_object_get(chain, "crl");
    uint8_t crl_enc[1024], crl_tbs[1024];
    size_t crl_len = rcp_t_hex(crl, "encoding", crl_enc, sizeof crl_enc);
    size_t crl_tbs_len = rcp_t_hex(crl, "tbs", crl_tbs, sizeof crl_tbs);
    rcp_ccrl l;
    CHECK_OK(rcp_ccrl_decode(crl_enc, crl_len, &l));
    CHECK(l.tbs_len == crl_tbs_len);
    CHECK_MEM(l.tbs, crl_tbs, crl_tbs_len);
    CHECK(l.this_update == (uint64_t)rcp_t_int(crl, "this_update"));
    CHECK(l.next_update == (uint64_t)rcp_t_int(crl, "next_update"));
    CHECK(l.n_revoked == json_array_size(json_object_get(crl, "revoked")));

    /* Checks: anchor ci, cached intermediate pn, the CRL when asked. */
    const json_t *chk;
    json_array_foreach(json_object_get(chain, "checks"), i, chk)
    {
        uint8_t root[RCP_CCERT_MAX_LEN], pn[RCP_CCERT_MAX_LEN], leaf[RCP_CCERT_MAX_LEN];
        size_t root_len = rcp_t_hex(find_cert(certs, "ci"), "encoding", root, sizeof root);
        size_t pn_len = rcp_t_hex(find_cert(certs, "pn"), "encoding", pn, sizeof pn);
        size_t leaf_len =
            rcp_t_hex(find_cert(certs, rcp_t_str(chk, "cert")), "encoding", leaf, sizeof leaf);
        uint64_t now = (uint64_t)rcp_t_int(chk, "time");
        uint64_t crl_time = l.this_update;
        rcp_ccert_store *st = NULL;
        rcp_cert_why why;
        CHECK_OK(rcp_ccert_store_new(&st));
        CHECK_OK(rcp_ccert_store_add_anchor(st, root, root_len, &why));
        CHECK_OK(rcp_ccert_store_add_ca(st, pn, pn_len, crl_time, &why));
        if (json_is_true(json_object_get(chk, "with_crl")))
            CHECK_OK(rcp_ccert_store_add_crl(st, crl_enc, crl_len, crl_time, &why));
        const char *expect = rcp_t_str(chk, "expect");
        const json_t *usage = json_object_get(chk, "usage");
        rcp_key_usage u = usage ? rcp_key_usage_from_name(json_string_value(usage)) : 0;
        CHECK(usage == NULL || u != 0);
        int want = strcmp(expect, "valid") == 0           ? 0
                   : strcmp(expect, "revoked") == 0       ? RCP_ERR_REVOKED
                   : strcmp(expect, "expired") == 0       ? RCP_ERR_EXPIRED
                   : strcmp(expect, "not-yet-valid") == 0 ? RCP_ERR_EXPIRED
                   : strcmp(expect, "wrong-usage") == 0   ? RCP_ERR_CERT
                                                          : 1;
        CHECK(want != 1);
        CHECK_ERR(rcp_ccert_verify(st, leaf, leaf_len, now, u, NULL, &why), want);
        if (strcmp(expect, "not-yet-valid") == 0)
            CHECK(strstr(why.text, "not valid before") != NULL);
        rcp_ccert_store_free(st);
    }
    for (size_t j = 0; j < nkeys; j++)
        rcp_ec_key_free(keys[j].key);
}

int main(void)
{
    json_t *root = rcp_t_load_json("../../docs/spec/vectors/certificates.json");
    size_t i;
    const json_t *chain;
    json_array_foreach(json_object_get(root, "chains"), i, chain)
    {
        char label[96];
        snprintf(label, sizeof label, "certificates.json chain %s", rcp_t_str(chain, "curve"));
        rcp_t_file_begin(label);
        check_chain(chain);
        rcp_t_file_end((long)json_array_size(json_object_get(chain, "certificates")));
    }
    json_decref(root);
    return rcp_t_done("kat_certificates");
}
