/* Compact certificates and CRLs: issue, parse, verify, every failure reason. */
#include <string.h>

#include "harness.h"
#include "rcprov/cbor.h"
#include "rcprov/cert.h"

#define T0 1800000000u /* 2027-01-15 */
#define DAY 86400u

struct pki {
    rcp_drbg drbg;
    rcp_ec_key *root_key, *ca_key, *leaf_key, *other_key;
    uint8_t root[RCP_CCERT_MAX_LEN], ca[RCP_CCERT_MAX_LEN], leaf[RCP_CCERT_MAX_LEN];
    size_t root_len, ca_len, leaf_len;
};

static int issue(const char *subject, const uint8_t *serial, size_t serial_len, rcp_key_usage usage,
                 const rcp_ec_key *subj, const rcp_ec_key *issuer, uint64_t nb, uint64_t na,
                 uint8_t *out, size_t *out_len)
{
    rcp_ccert_template t = {serial, serial_len, subject, usage, subj, nb, na, NULL, 0};
    return rcp_ccert_issue(&t, issuer, out, RCP_CCERT_MAX_LEN, out_len);
}

static void make_pki(struct pki *p, rcp_curve curve)
{
    memset(p, 0, sizeof *p);
    CHECK_OK(rcp_drbg_init(&p->drbg, (const uint8_t *)"ccert", 5));
    CHECK_OK(rcp_ec_key_generate(curve, &p->drbg.rng, &p->root_key));
    CHECK_OK(rcp_ec_key_generate(curve, &p->drbg.rng, &p->ca_key));
    CHECK_OK(rcp_ec_key_generate(curve, &p->drbg.rng, &p->leaf_key));
    CHECK_OK(rcp_ec_key_generate(curve, &p->drbg.rng, &p->other_key));
    CHECK_OK(issue("CI root", (const uint8_t *)"\x01", 1, RCP_USAGE_CA, p->root_key, p->root_key,
                   T0, T0 + 3650 * DAY, p->root, &p->root_len));
    CHECK_OK(issue("PN 4711", (const uint8_t *)"\x02", 1, RCP_USAGE_CA, p->ca_key, p->root_key, T0,
                   T0 + 1000 * DAY, p->ca, &p->ca_len));
    CHECK_OK(issue("TRE 0001", (const uint8_t *)"\x10\x01", 2, RCP_USAGE_SIGN, p->leaf_key,
                   p->ca_key, T0, T0 + 365 * DAY, p->leaf, &p->leaf_len));
}

static void free_pki(struct pki *p)
{
    rcp_ec_key_free(p->root_key);
    rcp_ec_key_free(p->ca_key);
    rcp_ec_key_free(p->leaf_key);
    rcp_ec_key_free(p->other_key);
    rcp_drbg_wipe(&p->drbg);
}

static void test_decode_fields(const struct pki *p)
{
    rcp_ccert c;
    uint8_t kid_ca[RCP_KEY_ID_LEN], kid_leaf[RCP_KEY_ID_LEN];
    CHECK_OK(rcp_ccert_decode(p->leaf, p->leaf_len, &c));
    CHECK_OK(rcp_key_id(p->ca_key, kid_ca));
    CHECK_OK(rcp_key_id(p->leaf_key, kid_leaf));
    CHECK_MEM(c.issuer_kid, kid_ca, RCP_KEY_ID_LEN);
    CHECK_MEM(c.subject_kid, kid_leaf, RCP_KEY_ID_LEN);
    CHECK(c.subject_len == 8 && memcmp(c.subject, "TRE 0001", 8) == 0);
    CHECK(c.serial_len == 2 && c.serial[0] == 0x10 && c.serial[1] == 0x01);
    CHECK(c.usage == RCP_USAGE_SIGN);
    CHECK(c.not_before == T0 && c.not_after == T0 + 365 * DAY);
    CHECK(c.attrs_len == 1 && c.attrs[0] == 0xa0);
    /* The key round-trips through the compressed point. */
    rcp_ec_key *k = NULL;
    uint8_t a[65], b[65];
    size_t an = 0, bn = 0;
    CHECK_OK(rcp_ccert_key(&c, &k));
    CHECK_OK(rcp_ec_key_public(k, 0, a, sizeof a, &an));
    CHECK_OK(rcp_ec_key_public(p->leaf_key, 0, b, sizeof b, &bn));
    CHECK(an == 65 && bn == 65);
    CHECK_MEM(a, b, 65);
    CHECK_OK(rcp_ccert_check_sig(&c, p->ca_key));
    CHECK_ERR(rcp_ccert_check_sig(&c, p->root_key), RCP_ERR_SIGNATURE);
    rcp_ec_key_free(k);
    /* 2 + 1 + tbs (~100) + 2 + 64: a P-256 leaf stays well under 200 bytes. */
    CHECK(p->leaf_len < 200);
}

static void test_store(const struct pki *p)
{
    rcp_ccert_store *st = NULL;
    rcp_cert_why why;
    rcp_ccert c;
    CHECK_OK(rcp_ccert_store_new(&st));
    /* Nothing trusted yet. */
    CHECK_ERR(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 + DAY, 0, NULL, &why),
              RCP_ERR_UNTRUSTED);
    CHECK_ERR(rcp_ccert_store_add_anchor(st, p->ca, p->ca_len, &why), RCP_ERR_CERT);
    CHECK_OK(rcp_ccert_store_add_anchor(st, p->root, p->root_len, &why));
    CHECK_OK(rcp_ccert_store_add_anchor(st, p->root, p->root_len, &why)); /* idempotent */
    /* Leaf via chain (intermediate not cached). */
    const uint8_t *chain[2] = {p->leaf, p->ca};
    size_t lens[2] = {p->leaf_len, p->ca_len};
    CHECK_OK(rcp_ccert_verify_chain(st, chain, lens, 2, T0 + DAY, RCP_USAGE_SIGN, &c, &why));
    CHECK(c.usage == RCP_USAGE_SIGN);
    const uint8_t *rev[2] = {p->ca, p->leaf};
    size_t rev_lens[2] = {p->ca_len, p->leaf_len};
    CHECK_ERR(rcp_ccert_verify_chain(st, rev, rev_lens, 2, T0 + DAY, 0, NULL, &why),
              RCP_ERR_UNTRUSTED);
    /* Leaf needs its CA cached for the one-signature path. */
    CHECK_ERR(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 + DAY, 0, NULL, &why),
              RCP_ERR_UNTRUSTED);
    CHECK(strstr(why.text, "TRE 0001") != NULL);
    CHECK_OK(rcp_ccert_store_add_ca(st, p->ca, p->ca_len, T0 + DAY, &why));
    CHECK_OK(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 + DAY, RCP_USAGE_SIGN, &c, &why));
    /* Usage. */
    CHECK_ERR(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 + DAY, RCP_USAGE_AGREE, NULL, &why),
              RCP_ERR_CERT);
    CHECK(strstr(why.text, "usage 'sign', expected 'agree'") != NULL);
    /* Validity: leaf, then the intermediate's shorter window, then not-yet-valid. */
    CHECK_ERR(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 + 366 * DAY, 0, NULL, &why),
              RCP_ERR_EXPIRED);
    CHECK(strstr(why.text, "expired at") != NULL);
    CHECK_ERR(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 - 1, 0, NULL, &why), RCP_ERR_EXPIRED);
    CHECK(strstr(why.text, "not valid before") != NULL);
    /* A leaf valid longer than its CA fails once the CA expires. */
    uint8_t longleaf[RCP_CCERT_MAX_LEN];
    size_t longleaf_len = 0;
    CHECK_OK(issue("long", (const uint8_t *)"\x33", 1, RCP_USAGE_AGREE, p->leaf_key, p->ca_key, T0,
                   T0 + 2000 * DAY, longleaf, &longleaf_len));
    CHECK_OK(rcp_ccert_verify(st, longleaf, longleaf_len, T0 + 999 * DAY, 0, NULL, &why));
    CHECK_ERR(rcp_ccert_verify(st, longleaf, longleaf_len, T0 + 1001 * DAY, 0, NULL, &why),
              RCP_ERR_EXPIRED);
    CHECK(strstr(why.text, "issuer path") != NULL);
    /* A leaf cannot issue: its key signs a cert, verification says not a CA. */
    CHECK_ERR(rcp_ccert_store_add_ca(st, p->leaf, p->leaf_len, T0 + DAY, &why), RCP_ERR_CERT);
    rcp_ccert_store_free(st);
}

static void test_forgery(const struct pki *p)
{
    rcp_ccert_store *st = NULL;
    rcp_cert_why why;
    uint8_t buf[RCP_CCERT_MAX_LEN], forged[RCP_CCERT_MAX_LEN];
    size_t forged_len = 0;
    CHECK_OK(rcp_ccert_store_new(&st));
    CHECK_OK(rcp_ccert_store_add_anchor(st, p->root, p->root_len, &why));
    CHECK_OK(rcp_ccert_store_add_ca(st, p->ca, p->ca_len, T0 + DAY, &why));
    /* Every single-bit flip anywhere fails (and never with success). */
    long flips_ok = 0;
    for (size_t i = 0; i < p->leaf_len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(buf, p->leaf, p->leaf_len);
            buf[i] ^= (uint8_t)(1u << bit);
            int r = rcp_ccert_verify(st, buf, p->leaf_len, T0 + DAY, 0, NULL, &why);
            if (r == 0)
                rcp_t_fail_at(__FILE__, __LINE__, "flip at %zu bit %d accepted", i, bit);
            else
                flips_ok++;
        }
    }
    CHECK(flips_ok == (long)p->leaf_len * 8);
    /* Every truncation fails with a decode error. */
    for (size_t cut = 0; cut < p->leaf_len; cut++)
        CHECK(rcp_ccert_verify(st, p->leaf, cut, T0 + DAY, 0, NULL, &why) != 0);
    /* Trailing byte. */
    memcpy(buf, p->leaf, p->leaf_len);
    buf[p->leaf_len] = 0;
    CHECK_ERR(rcp_ccert_verify(st, buf, p->leaf_len + 1, T0 + DAY, 0, NULL, &why), RCP_ERR_DECODE);
    /* A certificate self-signed by a key the store does not know is untrusted. */
    CHECK_OK(issue("evil", (const uint8_t *)"\x66", 1, RCP_USAGE_SIGN, p->other_key, p->other_key,
                   T0, T0 + DAY, forged, &forged_len));
    rcp_ccert fc;
    CHECK_OK(rcp_ccert_decode(forged, forged_len, &fc));
    CHECK_ERR(rcp_ccert_verify(st, forged, forged_len, T0 + 1, 0, NULL, &why), RCP_ERR_UNTRUSTED);
    rcp_ccert_store_free(st);
}

static void test_crl(const struct pki *p)
{
    rcp_ccert_store *st = NULL;
    rcp_cert_why why;
    uint8_t crl[1024], crl2[1024], crl_old[1024];
    size_t crl_len = 0, crl2_len = 0, crl_old_len = 0;
    const uint8_t *serials[3] = {(const uint8_t *)"\x10\x01", (const uint8_t *)"\x05",
                                 (const uint8_t *)"\x10\x00"};
    size_t lens[3] = {2, 1, 2};
    CHECK_OK(rcp_ccert_store_new(&st));
    CHECK_OK(rcp_ccert_store_add_anchor(st, p->root, p->root_len, &why));
    CHECK_OK(rcp_ccert_store_add_ca(st, p->ca, p->ca_len, T0 + DAY, &why));
    CHECK_OK(rcp_ccrl_issue(p->ca_key, T0 + DAY, T0 + 8 * DAY, serials, lens, 3, crl, sizeof crl,
                            &crl_len));
    rcp_ccrl l;
    CHECK_OK(rcp_ccrl_decode(crl, crl_len, &l));
    CHECK(l.n_revoked == 3);
    CHECK(rcp_ccrl_lists(&l, (const uint8_t *)"\x10\x01", 2) == 1);
    CHECK(rcp_ccrl_lists(&l, (const uint8_t *)"\x10\x02", 2) == 0);
    /* Duplicate serials are refused at issue. */
    const uint8_t *dup[2] = {(const uint8_t *)"\x05", (const uint8_t *)"\x05"};
    size_t dlens[2] = {1, 1};
    CHECK_ERR(rcp_ccrl_issue(p->ca_key, T0, T0 + 1, dup, dlens, 2, crl2, sizeof crl2, &crl2_len),
              RCP_ERR_INVALID_ARG);
    /* A CRL signed by the wrong key. */
    rcp_ec_key *wrong = p->other_key;
    CHECK_OK(rcp_ccrl_issue(wrong, T0 + DAY, T0 + 8 * DAY, serials, lens, 1, crl2, sizeof crl2,
                            &crl2_len));
    CHECK_ERR(rcp_ccert_store_add_crl(st, crl2, crl2_len, T0 + DAY, &why), RCP_ERR_UNTRUSTED);
    CHECK_OK(rcp_ccrl_issue(p->ca_key, T0, T0 + 8 * DAY, serials, lens, 0, crl_old, sizeof crl_old,
                            &crl_old_len));
    CHECK_OK(rcp_ccert_store_add_crl(st, crl, crl_len, T0 + 2 * DAY, &why));
    CHECK_ERR(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 + 2 * DAY, 0, NULL, &why),
              RCP_ERR_REVOKED);
    CHECK(strstr(why.text, "revoked") != NULL);
    /* An older CRL (which did not list the leaf) cannot be replayed. */
    CHECK_ERR(rcp_ccert_store_add_crl(st, crl_old, crl_old_len, T0 + 2 * DAY, &why),
              RCP_ERR_REPLAY);
    CHECK_ERR(rcp_ccert_verify(st, p->leaf, p->leaf_len, T0 + 2 * DAY, 0, NULL, &why),
              RCP_ERR_REVOKED);
    /* A stale CRL fails closed. */
    uint8_t other_leaf[RCP_CCERT_MAX_LEN];
    size_t other_len = 0;
    CHECK_OK(issue("TRE 0002", (const uint8_t *)"\x10\x02", 2, RCP_USAGE_SIGN, p->leaf_key,
                   p->ca_key, T0, T0 + 365 * DAY, other_leaf, &other_len));
    CHECK_OK(rcp_ccert_verify(st, other_leaf, other_len, T0 + 3 * DAY, 0, NULL, &why));
    CHECK_ERR(rcp_ccert_verify(st, other_leaf, other_len, T0 + 9 * DAY, 0, NULL, &why),
              RCP_ERR_EXPIRED);
    CHECK(strstr(why.text, "stale") != NULL);
    /* Tampered CRL. */
    crl[crl_len - 1] ^= 1;
    CHECK_ERR(rcp_ccert_store_add_crl(st, crl, crl_len, T0 + 2 * DAY, &why), RCP_ERR_SIGNATURE);
    rcp_ccert_store_free(st);
}

static void test_bad_templates(const struct pki *p)
{
    uint8_t out[RCP_CCERT_MAX_LEN];
    size_t n = 0;
    const uint8_t s[17] = {1};
    rcp_ccert_template t = {s, 1, "x", RCP_USAGE_SIGN, p->leaf_key, T0, T0, NULL, 0};
    CHECK_OK(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n));
    t.serial_len = 0;
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.serial_len = 17;
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.serial_len = 1;
    t.not_after = T0 - 1;
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.not_after = T0;
    t.usage = (rcp_key_usage)9;
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.usage = RCP_USAGE_SIGN;
    t.subject = "";
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.subject = "\xff\xfe";
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.subject = "x";
    /* attrs: a map with uint keys is fine; text keys or a non-map are not. */
    const uint8_t attrs_ok[] = {0xa2, 0x00, 0x41, 0xaa, 0x01, 0x63, 'a', 'b', 'c'};
    const uint8_t attrs_text_key[] = {0xa1, 0x61, 'k', 0x01};
    const uint8_t attrs_array[] = {0x80};
    t.attrs = attrs_ok;
    t.attrs_len = sizeof attrs_ok;
    CHECK_OK(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n));
    rcp_ccert c;
    CHECK_OK(rcp_ccert_decode(out, n, &c));
    CHECK(c.attrs_len == sizeof attrs_ok);
    CHECK_MEM(c.attrs, attrs_ok, sizeof attrs_ok);
    t.attrs = attrs_text_key;
    t.attrs_len = sizeof attrs_text_key;
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.attrs = attrs_array;
    t.attrs_len = sizeof attrs_array;
    CHECK_ERR(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &n), RCP_ERR_INVALID_ARG);
    t.attrs = NULL;
    t.attrs_len = 0;
    /* Output buffer too small at every cut. */
    size_t full = 0;
    CHECK_OK(rcp_ccert_issue(&t, p->ca_key, out, sizeof out, &full));
    long small_ok = 0;
    for (size_t cap = 0; cap < full; cap++)
        if (rcp_ccert_issue(&t, p->ca_key, out, cap, &n) == RCP_ERR_BUFFER_TOO_SMALL)
            small_ok++;
    CHECK(small_ok == (long)full);
    /* A public-only issuer key cannot sign. */
    uint8_t pub[65];
    size_t pub_len = 0;
    rcp_ec_key *pubkey = NULL;
    CHECK_OK(rcp_ec_key_public(p->ca_key, 0, pub, sizeof pub, &pub_len));
    CHECK_OK(rcp_ec_key_from_public(rcp_ec_key_curve(p->ca_key), pub, pub_len, &pubkey));
    CHECK_ERR(rcp_ccert_issue(&t, pubkey, out, sizeof out, &n), RCP_ERR_KEY_INVALID);
    rcp_ec_key_free(pubkey);
}

/* Hand-made encodings that are valid CBOR but not certificates. */
static void test_not_a_cert(void)
{
    rcp_ccert c;
    const uint8_t empty_array[] = {0x80};
    const uint8_t three[] = {0x83, 0x40, 0x40, 0x40};
    CHECK_ERR(rcp_ccert_decode(empty_array, sizeof empty_array, &c), RCP_ERR_CERT);
    CHECK_ERR(rcp_ccert_decode(three, sizeof three, &c), RCP_ERR_CERT);
    const uint8_t indefinite[] = {0x9f, 0xff};
    CHECK_ERR(rcp_ccert_decode(indefinite, sizeof indefinite, &c), RCP_ERR_DECODE);
    CHECK_ERR(rcp_ccert_decode(NULL, 0, &c), RCP_ERR_DECODE);
}

int main(void)
{
    rcp_curve curves[2] = {RCP_CURVE_P256, RCP_CURVE_BP256R1};
    for (int i = 0; i < 2; i++) {
        struct pki p;
        make_pki(&p, curves[i]);
        test_decode_fields(&p);
        test_store(&p);
        test_forgery(&p);
        test_crl(&p);
        test_bad_templates(&p);
        free_pki(&p);
    }
    test_not_a_cert();
    return rcp_t_done("test_ccert");
}
