/*
 * Unit tests of the crypto layer: every error path, round trips, tamper
 * tests, deterministic key generation, CMAC (SP 800-38B D.1) and CTR
 * (SP 800-38A F.5.1) known answers from tests/vectors/.
 */
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

#define BUF 512

static const rcp_curve k_ec_curves[] = {RCP_CURVE_P256, RCP_CURVE_BP256R1, RCP_CURVE_BP384R1,
                                        RCP_CURVE_BP512R1};
static const rcp_curve k_all_curves[] = {RCP_CURVE_P256, RCP_CURVE_BP256R1, RCP_CURVE_BP384R1,
                                         RCP_CURVE_BP512R1, RCP_CURVE_X25519};
#define N_EC (sizeof k_ec_curves / sizeof k_ec_curves[0])
#define N_ALL (sizeof k_all_curves / sizeof k_all_curves[0])

/* Group orders (SEC 2 2.4.2 for P-256; RFC 5639 3.4, 3.6, 3.7 for brainpool). */
static const char *const k_order_hex[] = {
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
    "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046"
    "565",
    "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac1"
    "0471db1d381085ddaddb58796829ca90069",
};

static const uint8_t k_key16[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                    0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + 31 * i);
}

/* ---------------------------------------------------------------- hashes */

static void test_hash_mac(void)
{
    uint8_t out[32], want[32];
    /* FIPS 180-2 B.1 / C.1 style facts: SHA-256("abc") and SHA-256("") */
    rcp_t_hex_str("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, 32);
    CHECK_OK(rcp_sha256((const uint8_t *)"abc", 3, out));
    CHECK_MEM(out, want, 32);
    rcp_t_hex_str("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want, 32);
    CHECK_OK(rcp_sha256(NULL, 0, out));
    CHECK_MEM(out, want, 32);
    rcp_iov parts[3] = {{(const uint8_t *)"a", 1}, {NULL, 0}, {(const uint8_t *)"bc", 2}};
    rcp_t_hex_str("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, 32);
    CHECK_OK(rcp_sha256_v(parts, 3, out));
    CHECK_MEM(out, want, 32);
    CHECK_ERR(rcp_sha256(NULL, 1, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_sha256((const uint8_t *)"a", 1, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_sha256_v(NULL, 1, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_hmac_sha256(NULL, 1, (const uint8_t *)"a", 1, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_hmac_sha256(k_key16, 16, NULL, 1, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_hmac_sha256(k_key16, 16, NULL, 0, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_hmac_sha1(k_key16, 16, NULL, 1, out), RCP_ERR_INVALID_ARG);
    CHECK_OK(rcp_hmac_sha256(NULL, 0, NULL, 0, out)); /* empty key and message are valid */
    /* RFC 2202 test case 2 (HMAC-SHA-1, key "Jefe") */
    const char *msg = "what do ya want for nothing?";
    rcp_t_hex_str("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", want, 20);
    CHECK_OK(rcp_hmac_sha1((const uint8_t *)"Jefe", 4, (const uint8_t *)msg, strlen(msg), out));
    CHECK_MEM(out, want, 20);
}

/* ------------------------------------------------------------------- AES */

static void test_aes_errors(void)
{
    uint8_t key[33] = {0}, iv[16] = {0}, in[64] = {0}, out[80], tag[16];
    size_t len = 0;
    const size_t bad_lens[] = {0, 15, 17, 23, 31, 33};
    rcp_aes_block *b = (rcp_aes_block *)&len;
    for (size_t i = 0; i < sizeof bad_lens / sizeof bad_lens[0]; i++) {
        size_t kl = bad_lens[i];
        CHECK_ERR(rcp_aes_block_new(key, kl, &b), RCP_ERR_KEY_INVALID);
        CHECK(b == NULL);
        CHECK_ERR(rcp_aes_ecb_encrypt(key, kl, in, 16, out), RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_ecb_decrypt(key, kl, in, 16, out), RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_cbc_encrypt(key, kl, iv, in, 16, out), RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_cbc_decrypt(key, kl, iv, in, 16, out), RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_cbc_pkcs7_encrypt(key, kl, iv, in, 5, out, sizeof out, &len),
                  RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_cbc_pkcs7_decrypt(key, kl, iv, in, 16, out, sizeof out, &len),
                  RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_ctr(key, kl, iv, in, 5, out), RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_gcm_encrypt(key, kl, iv, 12, NULL, 0, in, 5, out, tag, 16),
                  RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_gcm_decrypt(key, kl, iv, 12, NULL, 0, in, 5, tag, 16, out),
                  RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_aes_cmac(key, kl, in, 5, out), RCP_ERR_KEY_INVALID);
    }
    /* all three key sizes work */
    for (size_t kl = 16; kl <= 32; kl += 8) {
        CHECK_OK(rcp_aes_block_new(key, kl, &b));
        CHECK_OK(rcp_aes_block_encrypt(b, in, out));
        rcp_aes_block_free(b);
        CHECK_OK(rcp_aes_cmac(key, kl, in, 5, out));
    }
    /* lengths */
    CHECK_ERR(rcp_aes_ecb_encrypt(key, 16, in, 15, out), RCP_ERR_LENGTH);
    CHECK_ERR(rcp_aes_ecb_decrypt(key, 16, in, 17, out), RCP_ERR_LENGTH);
    CHECK_ERR(rcp_aes_cbc_encrypt(key, 16, iv, in, 1, out), RCP_ERR_LENGTH);
    CHECK_ERR(rcp_aes_cbc_decrypt(key, 16, iv, in, 31, out), RCP_ERR_LENGTH);
    CHECK_OK(rcp_aes_ecb_encrypt(key, 16, NULL, 0, NULL));
    CHECK_OK(rcp_aes_cbc_encrypt(key, 16, iv, NULL, 0, NULL));
    CHECK_OK(rcp_aes_ctr(key, 16, iv, NULL, 0, NULL));
    /* NULL arguments */
    CHECK_ERR(rcp_aes_block_new(NULL, 16, &b), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_block_new(key, 16, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_block_encrypt(NULL, in, out), RCP_ERR_INVALID_ARG);
    rcp_aes_block_free(NULL);
    CHECK_ERR(rcp_aes_ecb_encrypt(NULL, 16, in, 16, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_ecb_encrypt(key, 16, NULL, 16, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_cbc_encrypt(key, 16, NULL, in, 16, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_cbc_decrypt(key, 16, iv, in, 16, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_ctr(key, 16, NULL, in, 16, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_ctr(key, 16, iv, in, 16, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_cmac(key, 16, NULL, 1, out), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_cmac(key, 16, in, 1, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_cbc_pkcs7_encrypt(key, 16, iv, in, 5, out, sizeof out, NULL),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_cbc_pkcs7_decrypt(key, 16, NULL, in, 16, out, sizeof out, &len),
              RCP_ERR_INVALID_ARG);
}

static void test_cbc_pkcs7(void)
{
    uint8_t iv[16], pt[64], ct[80], back[80];
    size_t len = 0, blen = 0;
    fill(iv, 16, 3);
    fill(pt, sizeof pt, 9);
    for (size_t n = 0; n <= 48; n++) {
        size_t want = (n / 16 + 1) * 16; /* always 1..16 padding bytes */
        CHECK_OK(rcp_aes_cbc_pkcs7_encrypt(k_key16, 16, iv, pt, n, ct, sizeof ct, &len));
        CHECK(len == want);
        /* the padding is what CBC without padding decrypts to */
        CHECK_OK(rcp_aes_cbc_decrypt(k_key16, 16, iv, ct, len, back));
        CHECK_MEM(back, pt, n);
        int pad_ok = 1;
        for (size_t i = n; i < len; i++)
            pad_ok &= back[i] == (uint8_t)(len - n);
        CHECK(pad_ok);
        memset(back, 0, sizeof back);
        CHECK_OK(rcp_aes_cbc_pkcs7_decrypt(k_key16, 16, iv, ct, len, back, n, &blen));
        CHECK(blen == n);
        CHECK_MEM(back, pt, n);
        if (n > 0)
            CHECK_ERR(rcp_aes_cbc_pkcs7_decrypt(k_key16, 16, iv, ct, len, back, n - 1, &blen),
                      RCP_ERR_BUFFER_TOO_SMALL);
        CHECK_ERR(rcp_aes_cbc_pkcs7_encrypt(k_key16, 16, iv, pt, n, ct, want - 1, &len),
                  RCP_ERR_BUFFER_TOO_SMALL);
    }
    /* in place, both ways */
    memcpy(back, pt, 40);
    CHECK_OK(rcp_aes_cbc_pkcs7_encrypt(k_key16, 16, iv, back, 40, back, sizeof back, &len));
    CHECK_OK(rcp_aes_cbc_pkcs7_encrypt(k_key16, 16, iv, pt, 40, ct, sizeof ct, &blen));
    CHECK(len == 48 && blen == 48);
    CHECK_MEM(back, ct, 48);
    CHECK_OK(rcp_aes_cbc_pkcs7_decrypt(k_key16, 16, iv, back, 48, back, sizeof back, &len));
    CHECK(len == 40);
    CHECK_MEM(back, pt, 40);
    /* bad padding: craft last blocks with CBC without padding */
    static const struct {
        size_t n;
        uint8_t tail[4];
        size_t tail_len;
    } bad[] = {
        {16, {0x00}, 1},                   /* pad byte 0 */
        {16, {0x11}, 1},                   /* pad 17 > 16 */
        {16, {0xff}, 1},                   /* pad 255 */
        {16, {0x01, 0x02}, 2},             /* says 2, one byte differs */
        {16, {0x03, 0x04, 0x03, 0x03}, 4}, /* says 3, a middle byte differs */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t blk[32];
        memset(blk, 0x03, sizeof blk);
        memcpy(blk + 32 - bad[i].tail_len, bad[i].tail, bad[i].tail_len);
        CHECK_OK(rcp_aes_cbc_encrypt(k_key16, 16, iv, blk, 32, ct));
        CHECK_ERR(rcp_aes_cbc_pkcs7_decrypt(k_key16, 16, iv, ct, 32, back, sizeof back, &len),
                  RCP_ERR_PADDING);
        CHECK(len == 0);
    }
    /* a full block of 0x10 is valid: decrypts to nothing */
    uint8_t full[16];
    memset(full, 0x10, 16);
    CHECK_OK(rcp_aes_cbc_encrypt(k_key16, 16, iv, full, 16, ct));
    CHECK_OK(rcp_aes_cbc_pkcs7_decrypt(k_key16, 16, iv, ct, 16, NULL, 0, &len));
    CHECK(len == 0);
    CHECK_ERR(rcp_aes_cbc_pkcs7_decrypt(k_key16, 16, iv, ct, 0, back, sizeof back, &len),
              RCP_ERR_LENGTH);
    CHECK_ERR(rcp_aes_cbc_pkcs7_decrypt(k_key16, 16, iv, ct, 17, back, sizeof back, &len),
              RCP_ERR_LENGTH);
}

/* SP 800-38A F.5.1 and the 128-bit counter wrap. */
static void test_ctr(void)
{
    json_t *root = rcp_t_load_json("ctr_aes128_sp800_38a.json");
    uint8_t key[16], icb[16], pt[64], ct[64], out[64];
    size_t i, n = 0;
    const json_t *blk;
    CHECK(rcp_t_hex(root, "key", key, sizeof key) == 16);
    CHECK(rcp_t_hex(root, "init_counter", icb, sizeof icb) == 16);
    json_array_foreach(json_object_get(root, "blocks"), i, blk)
    {
        uint8_t ib[16], ks[16], x[16];
        CHECK(n + 16 <= sizeof pt);
        if (n + 16 > sizeof pt)
            break;
        CHECK(rcp_t_hex(blk, "input_block", ib, 16) == 16);
        CHECK(rcp_t_hex(blk, "plaintext", pt + n, 16) == 16);
        CHECK(rcp_t_hex(blk, "ciphertext", ct + n, 16) == 16);
        /* O_j = CIPH_K(T_j), C_j = P_j xor O_j */
        CHECK_OK(rcp_aes_ecb_encrypt(key, 16, ib, 16, ks));
        rcp_xor(x, pt + n, ks, 16);
        CHECK_MEM(x, ct + n, 16);
        n += 16;
    }
    CHECK(n == 64);
    CHECK_OK(rcp_aes_ctr(key, 16, icb, pt, n, out)); /* F.5.1 encrypt */
    CHECK_MEM(out, ct, n);
    CHECK_OK(rcp_aes_ctr(key, 16, icb, ct, n, out)); /* F.5.2 decrypt */
    CHECK_MEM(out, pt, n);
    CHECK_OK(rcp_aes_ctr(key, 16, icb, pt, 23, out)); /* partial last block */
    CHECK_MEM(out, ct, 23);
    json_decref(root);

    /* counter block ff..ff -> 00..00 -> 00..01: the increment covers all 128
     * bits (crypto.md section 2) */
    uint8_t c0[48] = {0}, ks[48], zeros[48] = {0};
    memset(c0, 0xff, 16);
    c0[47] = 0x01;
    CHECK_OK(rcp_aes_ecb_encrypt(k_key16, 16, c0, 48, ks));
    CHECK_OK(rcp_aes_ctr(k_key16, 16, c0, zeros, 48, out));
    CHECK_MEM(out, ks, 48);
    /* and a wrap of the low 32 bits carries into bit 96 */
    uint8_t c1[32] = {0};
    memset(c1 + 12, 0xff, 4);
    c1[16 + 11] = 0x01;
    CHECK_OK(rcp_aes_ecb_encrypt(k_key16, 16, c1, 32, ks));
    CHECK_OK(rcp_aes_ctr(k_key16, 16, c1, zeros, 32, out));
    CHECK_MEM(out, ks, 32);
}

static void test_gcm(void)
{
    uint8_t key[32], iv[300], aad[40], pt[70], ct[70], tag[16], out[70], zero[70] = {0};
    fill(key, sizeof key, 1);
    fill(iv, sizeof iv, 2);
    fill(aad, sizeof aad, 3);
    fill(pt, sizeof pt, 4);
    CHECK_ERR(rcp_aes_gcm_encrypt(key, 16, iv, 0, aad, 8, pt, 10, ct, tag, 16),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_gcm_encrypt(key, 16, iv, 12, aad, 8, pt, 10, ct, tag, 3),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_gcm_encrypt(key, 16, iv, 12, aad, 8, pt, 10, ct, tag, 17),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_gcm_decrypt(key, 16, iv, 12, aad, 8, ct, 10, tag, 3, out),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_gcm_encrypt(key, 16, NULL, 12, aad, 8, pt, 10, ct, tag, 16),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_gcm_encrypt(key, 16, iv, 12, NULL, 8, pt, 10, ct, tag, 16),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_gcm_encrypt(key, 16, iv, 12, aad, 8, pt, 10, ct, NULL, 16),
              RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_aes_gcm_decrypt(key, 16, iv, 12, aad, 8, ct, 10, NULL, 16, out),
              RCP_ERR_INVALID_ARG);
    /* IV lengths: 1, 12, 16, 128 (OpenSSL's maximum) and 129, 300 (rcprov's
     * J0 mapping); tag lengths 4..16; key sizes 16/24/32 */
    const size_t ivs[] = {1, 12, 16, 128, 129, 300};
    for (size_t i = 0; i < sizeof ivs / sizeof ivs[0]; i++) {
        for (size_t kl = 16; kl <= 32; kl += 8) {
            for (size_t tl = 4; tl <= 16; tl += 4) {
                CHECK_OK(rcp_aes_gcm_encrypt(key, kl, iv, ivs[i], aad, sizeof aad, pt, sizeof pt,
                                             ct, tag, tl));
                memset(out, 0, sizeof out);
                CHECK_OK(rcp_aes_gcm_decrypt(key, kl, iv, ivs[i], aad, sizeof aad, ct, sizeof ct,
                                             tag, tl, out));
                CHECK_MEM(out, pt, sizeof pt);
                tag[tl - 1] ^= 0x80;
                memset(out, 0x55, sizeof out);
                CHECK_ERR(rcp_aes_gcm_decrypt(key, kl, iv, ivs[i], aad, sizeof aad, ct, sizeof ct,
                                              tag, tl, out),
                          RCP_ERR_AUTH);
                CHECK_MEM(out, zero, sizeof out);
            }
        }
    }
    /* IVs that differ only past byte 128 give different results */
    uint8_t ct2[70], tag2[16];
    CHECK_OK(rcp_aes_gcm_encrypt(key, 16, iv, 300, NULL, 0, pt, sizeof pt, ct, tag, 16));
    iv[299] ^= 1;
    CHECK_OK(rcp_aes_gcm_encrypt(key, 16, iv, 300, NULL, 0, pt, sizeof pt, ct2, tag2, 16));
    iv[299] ^= 1;
    CHECK(memcmp(ct, ct2, sizeof ct) != 0 && memcmp(tag, tag2, 16) != 0);
    /* every ciphertext, AAD and tag byte is authenticated (12-byte IV) */
    CHECK_OK(rcp_aes_gcm_encrypt(key, 16, iv, 12, aad, 16, pt, 32, ct, tag, 16));
    int all_rejected = 1;
    for (size_t i = 0; i < 32 + 16 + 16; i++) {
        uint8_t *p = i < 32 ? ct + i : i < 48 ? aad + i - 32 : tag + i - 48;
        *p ^= 0x01;
        memset(out, 0x55, 32);
        int r = rcp_aes_gcm_decrypt(key, 16, iv, 12, aad, 16, ct, 32, tag, 16, out);
        all_rejected &= r == RCP_ERR_AUTH && memcmp(out, zero, 32) == 0;
        *p ^= 0x01;
    }
    CHECK(all_rejected);
    /* empty plaintext and AAD; in-place */
    CHECK_OK(rcp_aes_gcm_encrypt(key, 16, iv, 12, NULL, 0, NULL, 0, NULL, tag, 16));
    CHECK_OK(rcp_aes_gcm_decrypt(key, 16, iv, 12, NULL, 0, NULL, 0, tag, 16, NULL));
    memcpy(out, pt, 33);
    CHECK_OK(rcp_aes_gcm_encrypt(key, 16, iv, 12, aad, 5, out, 33, out, tag, 16));
    CHECK_OK(rcp_aes_gcm_decrypt(key, 16, iv, 12, aad, 5, out, 33, tag, 16, out));
    CHECK_MEM(out, pt, 33);
}

/* SP 800-38B D.1 examples 1-4 (= RFC 4493 section 4). */
static void test_cmac(void)
{
    json_t *root = rcp_t_load_json("cmac_aes128_sp800_38b.json");
    uint8_t key[16], l[16], zero[16] = {0}, out[16];
    size_t i;
    const json_t *t;
    long n = 0;
    CHECK(rcp_t_hex(root, "key", key, sizeof key) == 16);
    CHECK(rcp_t_hex(root, "ciph_k_zero", l, sizeof l) == 16);
    CHECK_OK(rcp_aes_ecb_encrypt(key, 16, zero, 16, out)); /* 6.1 step 1: L = CIPH_K(0^b) */
    CHECK_MEM(out, l, 16);
    json_array_foreach(json_object_get(root, "tests"), i, t)
    {
        uint8_t msg[64], tag[16];
        size_t len = rcp_t_hex(t, "message", msg, sizeof msg);
        CHECK(len * 8 == (size_t)rcp_t_int(t, "mlen_bits"));
        CHECK(rcp_t_hex(t, "tag", tag, sizeof tag) == 16);
        memset(out, 0, sizeof out);
        CHECK_OK(rcp_aes_cmac(key, 16, msg, len, out));
        CHECK_MEM(out, tag, 16);
        n++;
    }
    CHECK(n == 4);
    json_decref(root);
}

/* --------------------------------------------------------- EC helpers */

static void test_curve_names(void)
{
    CHECK(rcp_curve_from_name("p256") == RCP_CURVE_P256);
    CHECK(rcp_curve_from_name("P-256") == RCP_CURVE_P256);
    CHECK(rcp_curve_from_name("secp256r1") == RCP_CURVE_P256);
    CHECK(rcp_curve_from_name("prime256v1") == RCP_CURVE_P256);
    CHECK(rcp_curve_from_name("brainpoolP256r1") == RCP_CURVE_BP256R1);
    CHECK(rcp_curve_from_name("brainpoolp384r1") == RCP_CURVE_BP384R1);
    CHECK(rcp_curve_from_name("brainpoolP512r1") == RCP_CURVE_BP512R1);
    CHECK(rcp_curve_from_name("X25519") == RCP_CURVE_X25519);
    CHECK(rcp_curve_from_name("secp384r1") == RCP_CURVE_NONE);
    CHECK(rcp_curve_from_name(NULL) == RCP_CURVE_NONE);
    for (size_t i = 0; i < N_ALL; i++)
        CHECK(rcp_curve_from_name(rcp_curve_name(k_all_curves[i])) == k_all_curves[i]);
    CHECK(rcp_curve_name(RCP_CURVE_NONE) == NULL);
    CHECK(rcp_curve_size(RCP_CURVE_P256) == 32 && rcp_curve_point_size(RCP_CURVE_P256) == 65);
    CHECK(rcp_curve_size(RCP_CURVE_BP384R1) == 48 && rcp_curve_point_size(RCP_CURVE_BP384R1) == 97);
    CHECK(rcp_curve_size(RCP_CURVE_BP512R1) == 64 &&
          rcp_curve_point_size(RCP_CURVE_BP512R1) == RCP_EC_MAX_POINT);
    CHECK(rcp_curve_size(RCP_CURVE_X25519) == 32 && rcp_curve_point_size(RCP_CURVE_X25519) == 32);
    CHECK(rcp_curve_size((rcp_curve)99) == 0 && rcp_curve_point_size((rcp_curve)99) == 0);
}

/* ------------------------------------------------------------ EC keys */

/* A scripted rng: returns the queued blocks in turn, then fails. */
typedef struct {
    const uint8_t *blocks[4];
    size_t n, next;
    size_t calls;
} script_rng;

static int script_fill(void *ctx, uint8_t *out, size_t len)
{
    script_rng *s = ctx;
    s->calls++;
    if (s->next >= s->n)
        return RCP_ERR_RNG;
    memcpy(out, s->blocks[s->next++], len);
    return RCP_OK;
}

static int ff_fill(void *ctx, uint8_t *out, size_t len)
{
    (*(size_t *)ctx)++;
    memset(out, 0xff, len);
    return RCP_OK;
}

static void test_keygen(void)
{
    for (size_t i = 0; i < N_ALL; i++) {
        rcp_curve c = k_all_curves[i];
        size_t s = rcp_curve_size(c), la = 0, lb = 0;
        rcp_drbg d1, d2, d3;
        rcp_ec_key *a = NULL, *b = NULL, *x = NULL;
        uint8_t pa[RCP_EC_MAX_POINT], pb[RCP_EC_MAX_POINT], sa[RCP_EC_MAX_SCALAR],
            sb[RCP_EC_MAX_SCALAR];
        CHECK_OK(rcp_drbg_init(&d1, (const uint8_t *)"keygen seed", 11));
        CHECK_OK(rcp_drbg_init(&d2, (const uint8_t *)"keygen seed", 11));
        CHECK_OK(rcp_drbg_init(&d3, (const uint8_t *)"keygen seeD", 11));
        CHECK_OK(rcp_ec_key_generate(c, &d1.rng, &a));
        CHECK_OK(rcp_ec_key_generate(c, &d2.rng, &b));
        CHECK_OK(rcp_ec_key_generate(c, &d3.rng, &x));
        if (a && b && x) {
            CHECK(rcp_ec_key_curve(a) == c && rcp_ec_key_has_private(a));
            CHECK_OK(rcp_ec_key_private(a, sa, sizeof sa, &la));
            CHECK_OK(rcp_ec_key_private(b, sb, sizeof sb, &lb));
            CHECK(la == s && lb == s);
            CHECK_MEM(sa, sb, s); /* same seed, same key */
            CHECK_OK(rcp_ec_key_public(a, 0, pa, sizeof pa, &la));
            CHECK_OK(rcp_ec_key_public(b, 0, pb, sizeof pb, &lb));
            CHECK(la == lb && la == rcp_curve_point_size(c));
            CHECK_MEM(pa, pb, la);
            CHECK_OK(rcp_ec_key_private(x, sb, sizeof sb, &lb));
            CHECK(memcmp(sa, sb, s) != 0); /* other seed, other key */
            /* the private key re-imports to the same public key */
            rcp_ec_key *again = NULL;
            CHECK_OK(rcp_ec_key_from_private(c, sa, s, &again));
            CHECK_OK(rcp_ec_key_public(again, 0, pb, sizeof pb, &lb));
            CHECK_MEM(pa, pb, la);
            rcp_ec_key_free(again);
        }
        rcp_ec_key_free(a);
        rcp_ec_key_free(b);
        rcp_ec_key_free(x);
        rcp_drbg_wipe(&d1);
        rcp_drbg_wipe(&d2);
        rcp_drbg_wipe(&d3);
        /* the system rng works too */
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &a));
        rcp_ec_key_free(a);
    }
    /* rejection sampling: n-or-more and zero are skipped, the next value is the key */
    for (size_t i = 0; i < N_EC; i++) {
        rcp_curve c = k_ec_curves[i];
        size_t s = rcp_curve_size(c), len = 0;
        uint8_t big[RCP_EC_MAX_SCALAR], zero[RCP_EC_MAX_SCALAR] = {0}, good[RCP_EC_MAX_SCALAR],
                                        got[RCP_EC_MAX_SCALAR];
        CHECK(rcp_t_hex_str(k_order_hex[i], big, sizeof big) == s); /* exactly n */
        fill(good, s, 0x42);
        good[0] = 0x01;
        script_rng sr = {{big, zero, good}, 3, 0, 0};
        rcp_rng rng = {script_fill, &sr};
        rcp_ec_key *k = NULL;
        CHECK_OK(rcp_ec_key_generate(c, &rng, &k));
        CHECK(sr.calls == 3);
        if (k) {
            CHECK_OK(rcp_ec_key_private(k, got, sizeof got, &len));
            CHECK_MEM(got, good, s);
        }
        rcp_ec_key_free(k);
        /* an rng that fails: its error comes through */
        script_rng empty = {{NULL}, 0, 0, 0};
        rcp_rng bad = {script_fill, &empty};
        k = (rcp_ec_key *)&len;
        CHECK_ERR(rcp_ec_key_generate(c, &bad, &k), RCP_ERR_RNG);
        CHECK(k == NULL);
        /* an rng stuck at all-ones (>= n): bounded retries, then RCP_ERR_RNG */
        size_t calls = 0;
        rcp_rng stuck = {ff_fill, &calls};
        CHECK_ERR(rcp_ec_key_generate(c, &stuck, &k), RCP_ERR_RNG);
        CHECK(calls == 64);
    }
    rcp_ec_key *k = NULL;
    CHECK_ERR(rcp_ec_key_generate(RCP_CURVE_P256, NULL, &k), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_generate(RCP_CURVE_P256, rcp_rng_system(), NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_generate(RCP_CURVE_NONE, rcp_rng_system(), &k), RCP_ERR_UNSUPPORTED);
}

/* big-endian a - b (a >= b), n bytes */
static void be_sub(uint8_t *out, const uint8_t *a, const uint8_t *b, size_t n)
{
    int borrow = 0;
    for (size_t i = n; i-- > 0;) {
        int v = a[i] - b[i] - borrow;
        borrow = v < 0;
        out[i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
}

static void test_key_import(void)
{
    rcp_ec_key *k = NULL;
    uint8_t d[RCP_EC_MAX_SCALAR + 1], pub[RCP_EC_MAX_POINT + 1], buf[RCP_EC_MAX_POINT];
    size_t len = 0;
    for (size_t i = 0; i < N_EC; i++) {
        rcp_curve c = k_ec_curves[i];
        size_t s = rcp_curve_size(c);
        uint8_t n[RCP_EC_MAX_SCALAR], one[RCP_EC_MAX_SCALAR] = {0};
        CHECK(rcp_t_hex_str(k_order_hex[i], n, sizeof n) == s);
        one[s - 1] = 1;
        /* private key range [1, n-1] */
        memset(d, 0, sizeof d);
        CHECK_ERR(rcp_ec_key_from_private(c, d, s, &k), RCP_ERR_KEY_INVALID); /* 0 */
        CHECK(k == NULL);
        CHECK_ERR(rcp_ec_key_from_private(c, n, s, &k), RCP_ERR_KEY_INVALID); /* n */
        memset(d, 0xff, sizeof d);
        CHECK_ERR(rcp_ec_key_from_private(c, d, s, &k), RCP_ERR_KEY_INVALID); /* 2^8s - 1 */
        CHECK_ERR(rcp_ec_key_from_private(c, d, s - 1, &k), RCP_ERR_KEY_INVALID);
        CHECK_ERR(rcp_ec_key_from_private(c, d, s + 1, &k), RCP_ERR_KEY_INVALID);
        be_sub(d, n, one, s); /* n - 1 is valid: its public key is -G */
        rcp_ec_key *g = NULL, *gm = NULL;
        CHECK_OK(rcp_ec_key_from_private(c, d, s, &gm));
        CHECK_OK(rcp_ec_key_from_private(c, one, s, &g)); /* 1: public key G */
        if (g && gm) {
            uint8_t pg[RCP_EC_MAX_POINT], pgm[RCP_EC_MAX_POINT];
            size_t l1 = 0, l2 = 0;
            CHECK_OK(rcp_ec_key_public(g, 1, pg, sizeof pg, &l1));
            CHECK_OK(rcp_ec_key_public(gm, 1, pgm, sizeof pgm, &l2));
            CHECK(l1 == 1 + s && l2 == 1 + s);
            CHECK(memcmp(pg + 1, pgm + 1, s) == 0 && pg[0] != pgm[0]); /* same x, other y */
        }
        rcp_ec_key_free(g);
        rcp_ec_key_free(gm);

        /* public points */
        rcp_ec_key *kp = NULL;
        rcp_drbg drbg;
        CHECK_OK(rcp_drbg_init(&drbg, (const uint8_t *)"import", 6));
        CHECK_OK(rcp_ec_key_generate(c, &drbg.rng, &kp));
        rcp_drbg_wipe(&drbg);
        if (kp == NULL)
            continue;
        size_t ul = 0, cl = 0;
        uint8_t unc[RCP_EC_MAX_POINT], cmp[RCP_EC_MAX_POINT];
        CHECK_OK(rcp_ec_key_public(kp, 0, unc, sizeof unc, &ul));
        CHECK_OK(rcp_ec_key_public(kp, 1, cmp, sizeof cmp, &cl));
        CHECK(ul == 1 + 2 * s && cl == 1 + s && unc[0] == 4 && (cmp[0] == 2 || cmp[0] == 3));
        CHECK_ERR(rcp_ec_key_public(kp, 0, buf, ul - 1, &len), RCP_ERR_BUFFER_TOO_SMALL);
        CHECK_ERR(rcp_ec_key_public(kp, 1, buf, cl - 1, &len), RCP_ERR_BUFFER_TOO_SMALL);
        CHECK_ERR(rcp_ec_key_private(kp, buf, s - 1, &len), RCP_ERR_BUFFER_TOO_SMALL);
        /* compressed re-imports to the same point */
        CHECK_OK(rcp_ec_key_from_public(c, cmp, cl, &k));
        if (k) {
            CHECK(!rcp_ec_key_has_private(k));
            CHECK_OK(rcp_ec_key_public(k, 0, buf, sizeof buf, &len));
            CHECK(len == ul);
            CHECK_MEM(buf, unc, ul);
            CHECK_ERR(rcp_ec_key_private(k, buf, sizeof buf, &len), RCP_ERR_INVALID_ARG);
        }
        rcp_ec_key_free(k);
        k = NULL;
        /* invalid points: RCP_ERR_POINT_INVALID */
        memcpy(pub, unc, ul);
        pub[ul - 1] ^= 1; /* y changed: off the curve */
        CHECK_ERR(rcp_ec_key_from_public(c, pub, ul, &k), RCP_ERR_POINT_INVALID);
        CHECK(k == NULL);
        const uint8_t inf = 0x00;
        CHECK_ERR(rcp_ec_key_from_public(c, &inf, 1, &k), RCP_ERR_POINT_INVALID);
        CHECK_ERR(rcp_ec_key_from_public(c, NULL, 0, &k), RCP_ERR_POINT_INVALID);
        memcpy(pub, unc, ul);
        pub[0] = 0x06 | (unc[ul - 1] & 1); /* hybrid form */
        CHECK_ERR(rcp_ec_key_from_public(c, pub, ul, &k), RCP_ERR_POINT_INVALID);
        CHECK_ERR(rcp_ec_key_from_public(c, unc, ul - 1, &k), RCP_ERR_POINT_INVALID);
        memcpy(pub, unc, ul);
        pub[ul] = 0;
        CHECK_ERR(rcp_ec_key_from_public(c, pub, ul + 1, &k), RCP_ERR_POINT_INVALID);
        CHECK_ERR(rcp_ec_key_from_public(c, cmp, cl + 1, &k), RCP_ERR_POINT_INVALID);
        memcpy(pub, cmp, cl);
        pub[0] = 0x04; /* compressed length with the uncompressed tag */
        CHECK_ERR(rcp_ec_key_from_public(c, pub, cl, &k), RCP_ERR_POINT_INVALID);
        /* x = 0xff..ff is >= p for every curve here */
        memset(pub + 1, 0xff, s);
        pub[0] = 0x02;
        CHECK_ERR(rcp_ec_key_from_public(c, pub, cl, &k), RCP_ERR_POINT_INVALID);
        /* an x with no point on the curve: search for one deterministically */
        int found = 0;
        for (uint8_t v = 1; v < 64 && !found; v++) {
            memset(pub + 1, 0, s);
            pub[0] = 0x02;
            pub[s] = v;
            if (rcp_ec_key_from_public(c, pub, cl, &k) == RCP_ERR_POINT_INVALID)
                found = 1;
            rcp_ec_key_free(k);
            k = NULL;
        }
        CHECK(found);
        rcp_ec_key_free(kp);
    }
    /* X25519: 32 bytes only; any private value accepted */
    uint8_t u[33] = {9};
    CHECK_ERR(rcp_ec_key_from_public(RCP_CURVE_X25519, u, 31, &k), RCP_ERR_POINT_INVALID);
    CHECK_ERR(rcp_ec_key_from_public(RCP_CURVE_X25519, u, 33, &k), RCP_ERR_POINT_INVALID);
    CHECK_OK(rcp_ec_key_from_public(RCP_CURVE_X25519, u, 32, &k));
    rcp_ec_key_free(k);
    k = NULL;
    memset(d, 0, sizeof d);
    CHECK_OK(rcp_ec_key_from_private(RCP_CURVE_X25519, d, 32, &k));
    rcp_ec_key_free(k);
    k = NULL;
    CHECK_ERR(rcp_ec_key_from_private(RCP_CURVE_X25519, d, 31, &k), RCP_ERR_KEY_INVALID);
    /* arguments */
    CHECK_ERR(rcp_ec_key_from_private(RCP_CURVE_P256, NULL, 32, &k), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_from_private(RCP_CURVE_P256, d, 32, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_from_private(RCP_CURVE_NONE, d, 32, &k), RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ec_key_from_public(RCP_CURVE_P256, NULL, 65, &k), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_from_public((rcp_curve)42, u, 32, &k), RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ec_key_public(NULL, 0, buf, sizeof buf, &len), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_private(NULL, buf, sizeof buf, &len), RCP_ERR_INVALID_ARG);
    CHECK(rcp_ec_key_curve(NULL) == RCP_CURVE_NONE);
    CHECK(rcp_ec_key_has_private(NULL) == 0);
    rcp_ec_key_free(NULL);
    CHECK_ERR(rcp_ec_key_ref(NULL, &k), RCP_ERR_INVALID_ARG);
}

static size_t spki_for(rcp_curve c, const uint8_t *pt, size_t pt_len, uint8_t *out)
{
    /* RFC 5480 2.1.1 / RFC 8410 4, built by hand */
    static const uint8_t ec_alg[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    static const uint8_t p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    static const uint8_t bp256[] = {0x06, 0x09, 0x2b, 0x24, 0x03, 0x03,
                                    0x02, 0x08, 0x01, 0x01, 0x07};
    static const uint8_t x25519[] = {0x06, 0x03, 0x2b, 0x65, 0x6e};
    uint8_t alg[32];
    size_t al = 0;
    if (c == RCP_CURVE_X25519) {
        memcpy(alg, x25519, sizeof x25519);
        al = sizeof x25519;
    } else {
        const uint8_t *co = c == RCP_CURVE_P256 ? p256 : bp256;
        size_t cl = c == RCP_CURVE_P256 ? sizeof p256 : sizeof bp256;
        memcpy(alg, ec_alg, sizeof ec_alg);
        memcpy(alg + sizeof ec_alg, co, cl);
        al = sizeof ec_alg + cl;
    }
    size_t body = 2 + al + 2 + 1 + pt_len, o = 0;
    out[o++] = 0x30;
    out[o++] = (uint8_t)body;
    out[o++] = 0x30;
    out[o++] = (uint8_t)al;
    memcpy(out + o, alg, al);
    o += al;
    out[o++] = 0x03;
    out[o++] = (uint8_t)(1 + pt_len);
    out[o++] = 0x00;
    memcpy(out + o, pt, pt_len);
    return o + pt_len;
}

static void test_spki(void)
{
    const rcp_curve cs[] = {RCP_CURVE_P256, RCP_CURVE_BP256R1, RCP_CURVE_X25519};
    for (size_t i = 0; i < 3; i++) {
        rcp_curve c = cs[i];
        rcp_ec_key *kp = NULL, *k = NULL;
        uint8_t pt[RCP_EC_MAX_POINT], der[200], buf[RCP_EC_MAX_POINT];
        size_t pl = 0, len = 0;
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &kp));
        if (kp == NULL)
            continue;
        for (int comp = 0; comp <= (c == RCP_CURVE_X25519 ? 0 : 1); comp++) {
            CHECK_OK(rcp_ec_key_public(kp, comp, pt, sizeof pt, &pl));
            size_t dl = spki_for(c, pt, pl, der);
            CHECK_OK(rcp_ec_key_from_spki(c, der, dl, &k));
            if (k) {
                CHECK_OK(rcp_ec_key_public(k, comp, buf, sizeof buf, &len));
                CHECK(len == pl);
                CHECK_MEM(buf, pt, pl);
            }
            rcp_ec_key_free(k);
            k = NULL;
            /* the curve asked for must be the curve in the SPKI */
            rcp_curve other = c == RCP_CURVE_P256 ? RCP_CURVE_BP256R1 : RCP_CURVE_P256;
            CHECK_ERR(rcp_ec_key_from_spki(other, der, dl, &k), RCP_ERR_UNSUPPORTED);
            CHECK(k == NULL);
            /* trailing byte, truncation, long-form length, unused bits */
            der[dl] = 0;
            CHECK_ERR(rcp_ec_key_from_spki(c, der, dl + 1, &k), RCP_ERR_DECODE);
            CHECK_ERR(rcp_ec_key_from_spki(c, der, dl - 1, &k), RCP_ERR_DECODE);
            uint8_t lf[210];
            lf[0] = 0x30;
            lf[1] = 0x81;
            lf[2] = der[1];
            memcpy(lf + 3, der + 2, dl - 2);
            CHECK_ERR(rcp_ec_key_from_spki(c, lf, dl + 1, &k), RCP_ERR_DECODE);
            size_t bit_off = dl - pl - 1;
            der[bit_off] = 0x01;
            CHECK_ERR(rcp_ec_key_from_spki(c, der, dl, &k), RCP_ERR_DECODE);
            der[bit_off] = 0x00;
            /* a point that is not on the curve */
            if (c != RCP_CURVE_X25519 && comp == 0) {
                der[dl - 1] ^= 1;
                CHECK_ERR(rcp_ec_key_from_spki(c, der, dl, &k), RCP_ERR_POINT_INVALID);
            }
        }
        rcp_ec_key_free(kp);
    }
    /* explicit parameters (a SEQUENCE where the curve OID belongs) */
    static const uint8_t explicit_params[] = {0x30, 0x14, 0x30, 0x0e, 0x06, 0x07, 0x2a, 0x86,
                                              0x48, 0xce, 0x3d, 0x02, 0x01, 0x30, 0x03, 0x02,
                                              0x01, 0x01, 0x03, 0x02, 0x00, 0x04};
    rcp_ec_key *k = NULL;
    CHECK_ERR(rcp_ec_key_from_spki(RCP_CURVE_P256, explicit_params, sizeof explicit_params, &k),
              RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ec_key_from_spki(RCP_CURVE_P256, NULL, 0, &k), RCP_ERR_DECODE);
    CHECK_ERR(rcp_ec_key_from_spki(RCP_CURVE_P256, NULL, 5, &k), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_from_spki(RCP_CURVE_P256, explicit_params, 5, NULL), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_ec_key_from_spki(RCP_CURVE_NONE, explicit_params, 5, &k), RCP_ERR_UNSUPPORTED);
}

static void test_refcount(void)
{
    rcp_ec_key *a = NULL, *b = NULL;
    uint8_t pt[65];
    size_t len = 0;
    CHECK_OK(rcp_ec_key_generate(RCP_CURVE_P256, rcp_rng_system(), &a));
    CHECK_OK(rcp_ec_key_ref(a, &b));
    CHECK(a == b);
    rcp_ec_key_free(a);
    CHECK_OK(rcp_ec_key_public(b, 0, pt, sizeof pt, &len)); /* still alive */
    CHECK(len == 65);
    rcp_ec_key_free(b);
}

/* --------------------------------------------------------------- ECDSA */

static void test_ecdsa(void)
{
    const uint8_t msg[] = "rcprov ecdsa test message";
    for (size_t i = 0; i < N_EC; i++) {
        rcp_curve c = k_ec_curves[i];
        size_t s = rcp_curve_size(c), len = 0, dl = 0, pl = 0;
        uint8_t n[RCP_EC_MAX_SCALAR];
        CHECK(rcp_t_hex_str(k_order_hex[i], n, sizeof n) == s);
        rcp_ec_key *k = NULL, *pub = NULL, *other = NULL;
        uint8_t sig[RCP_ECDSA_MAX_RAW], der[RCP_ECDSA_MAX_DER + 8], pt[RCP_EC_MAX_POINT],
            t[RCP_ECDSA_MAX_DER + 8];
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &k));
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &other));
        if (k == NULL || other == NULL)
            goto next;
        CHECK_OK(rcp_ec_key_public(k, 1, pt, sizeof pt, &pl));
        CHECK_OK(rcp_ec_key_from_public(c, pt, pl, &pub));
        if (pub == NULL)
            goto next;
        /* raw round trip */
        CHECK_OK(rcp_ecdsa_sign(k, msg, sizeof msg, sig, sizeof sig, &len));
        CHECK(len == 2 * s);
        CHECK_OK(rcp_ecdsa_verify(pub, msg, sizeof msg, sig, len));
        CHECK_OK(rcp_ecdsa_verify(k, msg, sizeof msg, sig, len));
        CHECK_ERR(rcp_ecdsa_verify(other, msg, sizeof msg, sig, len), RCP_ERR_SIGNATURE);
        CHECK_ERR(rcp_ecdsa_verify(pub, msg, sizeof msg - 1, sig, len), RCP_ERR_SIGNATURE);
        CHECK_ERR(rcp_ecdsa_verify(pub, msg, sizeof msg, sig, len - 1), RCP_ERR_SIGNATURE);
        CHECK_ERR(rcp_ecdsa_verify(pub, msg, sizeof msg, sig, 0), RCP_ERR_SIGNATURE);
        int flips_rejected = 1;
        for (size_t b = 0; b < len; b++) {
            sig[b] ^= 0x01;
            flips_rejected &= rcp_ecdsa_verify(pub, msg, sizeof msg, sig, len) == RCP_ERR_SIGNATURE;
            sig[b] ^= 0x01;
        }
        CHECK(flips_rejected);
        /* (r, n - s) is valid too (no low-s rule); (r, n) and (0, s) are not */
        uint8_t alt[RCP_ECDSA_MAX_RAW];
        memcpy(alt, sig, s);
        be_sub(alt + s, n, sig + s, s);
        CHECK_OK(rcp_ecdsa_verify(pub, msg, sizeof msg, alt, 2 * s));
        memcpy(alt + s, n, s);
        CHECK_ERR(rcp_ecdsa_verify(pub, msg, sizeof msg, alt, 2 * s), RCP_ERR_SIGNATURE);
        memset(alt, 0, s);
        memcpy(alt + s, sig + s, s);
        CHECK_ERR(rcp_ecdsa_verify(pub, msg, sizeof msg, alt, 2 * s), RCP_ERR_SIGNATURE);
        /* DER round trip */
        CHECK_ERR(rcp_ecdsa_sign_der(k, msg, sizeof msg, der, 2 * s + 5, &dl),
                  RCP_ERR_BUFFER_TOO_SMALL);
        CHECK_OK(rcp_ecdsa_sign_der(k, msg, sizeof msg, der, sizeof der, &dl));
        CHECK(dl >= 8 && dl <= RCP_ECDSA_MAX_DER && der[0] == 0x30);
        CHECK_OK(rcp_ecdsa_verify_der(pub, msg, sizeof msg, der, dl));
        CHECK_ERR(rcp_ecdsa_verify_der(other, msg, sizeof msg, der, dl), RCP_ERR_SIGNATURE);
        CHECK_ERR(rcp_ecdsa_verify(pub, msg, sizeof msg, der, dl), RCP_ERR_SIGNATURE);
        CHECK_ERR(rcp_ecdsa_verify_der(pub, msg, sizeof msg, sig, 2 * s), RCP_ERR_SIGNATURE);
        flips_rejected = 1;
        for (size_t b = 0; b < dl; b++) {
            der[b] ^= 0x01;
            flips_rejected &=
                rcp_ecdsa_verify_der(pub, msg, sizeof msg, der, dl) == RCP_ERR_SIGNATURE;
            der[b] ^= 0x01;
        }
        CHECK(flips_rejected);
        /* trailing byte; a redundant leading zero in r (BER, not DER) */
        der[dl] = 0x00;
        CHECK_ERR(rcp_ecdsa_verify_der(pub, msg, sizeof msg, der, dl + 1), RCP_ERR_SIGNATURE);
        size_t hdr = der[1] == 0x81 ? 3 : 2;
        size_t rlen = der[hdr + 1];
        memcpy(t, der, hdr);
        t[hdr] = 0x02;
        t[hdr + 1] = (uint8_t)(rlen + 1);
        t[hdr + 2] = 0x00;
        memcpy(t + hdr + 3, der + hdr + 2, dl - hdr - 2);
        size_t tl = dl + 1;
        if (hdr == 2 && (size_t)t[1] + 1 < 0x80) {
            t[1] = (uint8_t)(t[1] + 1);
            CHECK_ERR(rcp_ecdsa_verify_der(pub, msg, sizeof msg, t, tl), RCP_ERR_SIGNATURE);
        } else if (hdr == 3) {
            t[2] = (uint8_t)(t[2] + 1);
            CHECK_ERR(rcp_ecdsa_verify_der(pub, msg, sizeof msg, t, tl), RCP_ERR_SIGNATURE);
        }
        /* signing needs the private key */
        CHECK_ERR(rcp_ecdsa_sign(pub, msg, sizeof msg, sig, sizeof sig, &len), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecdsa_sign(k, msg, sizeof msg, sig, 2 * s - 1, &len),
                  RCP_ERR_BUFFER_TOO_SMALL);
        CHECK_ERR(rcp_ecdsa_sign(k, NULL, 1, sig, sizeof sig, &len), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecdsa_sign(k, msg, 1, NULL, sizeof sig, &len), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecdsa_verify(NULL, msg, 1, sig, 2 * s), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecdsa_verify(pub, NULL, 1, sig, 2 * s), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecdsa_verify_der(pub, msg, 1, NULL, 3), RCP_ERR_INVALID_ARG);
        /* the empty message is a message */
        CHECK_OK(rcp_ecdsa_sign(k, NULL, 0, sig, sizeof sig, &len));
        CHECK_OK(rcp_ecdsa_verify(pub, NULL, 0, sig, len));
    next:
        rcp_ec_key_free(k);
        rcp_ec_key_free(pub);
        rcp_ec_key_free(other);
    }
    rcp_ec_key *x = NULL;
    uint8_t sig[64];
    size_t len = 0;
    CHECK_OK(rcp_ec_key_generate(RCP_CURVE_X25519, rcp_rng_system(), &x));
    CHECK_ERR(rcp_ecdsa_sign(x, sig, 1, sig, sizeof sig, &len), RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_ecdsa_verify(x, sig, 1, sig, sizeof sig), RCP_ERR_UNSUPPORTED);
    rcp_ec_key_free(x);
}

/* ---------------------------------------------------------------- ECDH */

static void test_ecdh(void)
{
    for (size_t i = 0; i < N_ALL; i++) {
        rcp_curve c = k_all_curves[i];
        size_t s = rcp_curve_size(c), l1 = 0, l2 = 0, pl = 0;
        rcp_ec_key *a = NULL, *b = NULL, *bp = NULL;
        uint8_t z1[RCP_EC_MAX_SECRET], z2[RCP_EC_MAX_SECRET], pt[RCP_EC_MAX_POINT];
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &a));
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &b));
        if (a && b) {
            CHECK_OK(rcp_ec_key_public(b, 1, pt, sizeof pt, &pl));
            CHECK_OK(rcp_ec_key_from_public(c, pt, pl, &bp));
            CHECK_OK(rcp_ecdh(a, b, z1, sizeof z1, &l1));
            CHECK_OK(rcp_ecdh(b, a, z2, sizeof z2, &l2));
            CHECK(l1 == s && l2 == s);
            CHECK_MEM(z1, z2, s);
            memset(z2, 0, sizeof z2);
            CHECK_OK(rcp_ecdh(a, bp, z2, s, &l2));
            CHECK_MEM(z1, z2, s);
            CHECK_ERR(rcp_ecdh(a, b, z2, s - 1, &l2), RCP_ERR_BUFFER_TOO_SMALL);
            CHECK_ERR(rcp_ecdh(bp, a, z2, sizeof z2, &l2), RCP_ERR_INVALID_ARG); /* no private */
            CHECK_ERR(rcp_ecdh(NULL, a, z2, sizeof z2, &l2), RCP_ERR_INVALID_ARG);
            CHECK_ERR(rcp_ecdh(a, NULL, z2, sizeof z2, &l2), RCP_ERR_INVALID_ARG);
            CHECK_ERR(rcp_ecdh(a, b, NULL, sizeof z2, &l2), RCP_ERR_INVALID_ARG);
            CHECK_ERR(rcp_ecdh(a, b, z2, sizeof z2, NULL), RCP_ERR_INVALID_ARG);
            /* curve mismatch */
            rcp_ec_key *o = NULL;
            rcp_curve oc = c == RCP_CURVE_P256 ? RCP_CURVE_BP256R1 : RCP_CURVE_P256;
            CHECK_OK(rcp_ec_key_generate(oc, rcp_rng_system(), &o));
            CHECK_ERR(rcp_ecdh(a, o, z2, sizeof z2, &l2), RCP_ERR_INVALID_ARG);
            rcp_ec_key_free(o);
        }
        rcp_ec_key_free(a);
        rcp_ec_key_free(b);
        rcp_ec_key_free(bp);
    }
    /* X25519 low-order peers (u = 0, u = 1): all-zero output rejected */
    rcp_ec_key *a = NULL, *lo = NULL;
    uint8_t u[32] = {0}, z[32];
    size_t len = 0;
    CHECK_OK(rcp_ec_key_generate(RCP_CURVE_X25519, rcp_rng_system(), &a));
    for (uint8_t v = 0; v <= 1; v++) {
        u[0] = v;
        CHECK_OK(rcp_ec_key_from_public(RCP_CURVE_X25519, u, 32, &lo));
        memset(z, 0x5a, sizeof z);
        CHECK_ERR(rcp_ecdh(a, lo, z, sizeof z, &len), RCP_ERR_POINT_INVALID);
        CHECK(len == 0);
        rcp_ec_key_free(lo);
        lo = NULL;
    }
    rcp_ec_key_free(a);
}

/* ----------------------------------------------------------- X9.63 KDF */

static void test_x963_errors(void)
{
    uint8_t out[80], a[80];
    CHECK_ERR(rcp_x963_kdf_sha256(NULL, 1, NULL, 0, out, 16), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_x963_kdf_sha256(out, 1, NULL, 1, out, 16), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_x963_kdf_sha256(out, 1, NULL, 0, NULL, 16), RCP_ERR_INVALID_ARG);
    CHECK_OK(rcp_x963_kdf_sha256(k_key16, 16, NULL, 0, NULL, 0));
    /* a longer output starts with the shorter one */
    CHECK_OK(rcp_x963_kdf_sha256(k_key16, 16, k_key16, 3, out, 80));
    CHECK_OK(rcp_x963_kdf_sha256(k_key16, 16, k_key16, 3, a, 33));
    CHECK_MEM(a, out, 33);
}

/* --------------------------------------------------------------- ECIES */

static void test_ecies(void)
{
    const rcp_ecies_params uncompressed = {0, 12};
    const rcp_ecies_params *params[] = {&RCP_ECIES_DEFAULT, &RCP_ECIES_TS33501, &uncompressed};
    uint8_t pt[40], ct[BUF], out[BUF], zero[BUF] = {0};
    size_t len = 0, olen = 0;
    fill(pt, sizeof pt, 0x11);
    CHECK(RCP_ECIES_DEFAULT.compressed_point == 1 && RCP_ECIES_DEFAULT.mac_len == 16);
    CHECK(RCP_ECIES_TS33501.compressed_point == 1 && RCP_ECIES_TS33501.mac_len == 8);
    for (size_t i = 0; i < N_ALL; i++) {
        rcp_curve c = k_all_curves[i];
        size_t s = rcp_curve_size(c);
        rcp_ec_key *r = NULL, *rp = NULL, *wrong = NULL;
        uint8_t pub[RCP_EC_MAX_POINT];
        size_t pl = 0;
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &r));
        CHECK_OK(rcp_ec_key_generate(c, rcp_rng_system(), &wrong));
        if (r == NULL || wrong == NULL)
            goto next;
        CHECK_OK(rcp_ec_key_public(r, 1, pub, sizeof pub, &pl));
        CHECK_OK(rcp_ec_key_from_public(c, pub, pl, &rp));
        if (rp == NULL)
            goto next;
        for (size_t p = 0; p < 3; p++) {
            const rcp_ecies_params *pp = params[p];
            size_t eph = c == RCP_CURVE_X25519 ? 32 : pp->compressed_point ? 1 + s : 1 + 2 * s;
            CHECK(rcp_ecies_overhead(c, pp) == eph + pp->mac_len);
            for (size_t n = 0; n <= sizeof pt; n += 20) {
                CHECK_OK(rcp_ecies_encrypt(pp, rp, rcp_rng_system(), pt, n, ct, sizeof ct, &len));
                CHECK(len == n + eph + pp->mac_len);
                memset(out, 0, sizeof out);
                CHECK_OK(rcp_ecies_decrypt(pp, r, ct, len, out, sizeof out, &olen));
                CHECK(olen == n);
                CHECK_MEM(out, pt, n);
                /* wrong recipient: the tag fails */
                CHECK_ERR(rcp_ecies_decrypt(pp, wrong, ct, len, out, sizeof out, &olen),
                          RCP_ERR_AUTH);
            }
            /* flip every byte: rejected (bad point or bad tag), nothing decrypted */
            int all_rejected = 1;
            for (size_t b = 0; b < len; b++) {
                ct[b] ^= 0x04;
                memset(out, 0, sizeof out);
                int e = rcp_ecies_decrypt(pp, r, ct, len, out, sizeof out, &olen);
                all_rejected &= (e == RCP_ERR_AUTH || e == RCP_ERR_POINT_INVALID) && olen == 0 &&
                                memcmp(out, zero, len) == 0;
                if (b >= eph && e != RCP_ERR_AUTH)
                    all_rejected = 0; /* past the point only the tag can catch it */
                ct[b] ^= 0x04;
            }
            CHECK(all_rejected);
            /* truncations */
            CHECK_ERR(rcp_ecies_decrypt(pp, r, ct, eph + pp->mac_len - 1, out, sizeof out, &olen),
                      RCP_ERR_LENGTH);
            CHECK_ERR(rcp_ecies_decrypt(pp, r, ct, len - 1, out, sizeof out, &olen), RCP_ERR_AUTH);
            CHECK_ERR(rcp_ecies_decrypt(pp, r, ct, len, out, len - eph - pp->mac_len - 1, &olen),
                      RCP_ERR_BUFFER_TOO_SMALL);
            CHECK_ERR(rcp_ecies_encrypt(pp, rp, rcp_rng_system(), pt, 10, ct, eph + pp->mac_len + 9,
                                        &len),
                      RCP_ERR_BUFFER_TOO_SMALL);
        }
        /* a point of the wrong form for the parameters is not a point */
        if (c != RCP_CURVE_X25519) {
            CHECK_OK(rcp_ecies_encrypt(&RCP_ECIES_DEFAULT, rp, rcp_rng_system(), pt, 40, ct,
                                       sizeof ct, &len));
            /* read as uncompressed: 02/03 where 04 belongs, or too short */
            CHECK_ERR(rcp_ecies_decrypt(&uncompressed, r, ct, len, out, sizeof out, &olen),
                      len >= rcp_ecies_overhead(c, &uncompressed) ? RCP_ERR_POINT_INVALID
                                                                  : RCP_ERR_LENGTH);
        }
        /* deterministic with a DRBG */
        rcp_drbg d1, d2;
        uint8_t ct2[BUF];
        size_t len2 = 0;
        CHECK_OK(rcp_drbg_init(&d1, (const uint8_t *)"ecies", 5));
        CHECK_OK(rcp_drbg_init(&d2, (const uint8_t *)"ecies", 5));
        CHECK_OK(rcp_ecies_encrypt(&RCP_ECIES_DEFAULT, rp, &d1.rng, pt, 20, ct, sizeof ct, &len));
        CHECK_OK(
            rcp_ecies_encrypt(&RCP_ECIES_DEFAULT, rp, &d2.rng, pt, 20, ct2, sizeof ct2, &len2));
        CHECK(len == len2);
        CHECK_MEM(ct, ct2, len);
        rcp_drbg_wipe(&d1);
        rcp_drbg_wipe(&d2);
        /* parameter and argument errors */
        const rcp_ecies_params short_tag = {1, 7}, long_tag = {1, 33};
        CHECK_ERR(rcp_ecies_encrypt(&short_tag, rp, rcp_rng_system(), pt, 5, ct, sizeof ct, &len),
                  RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecies_encrypt(&long_tag, rp, rcp_rng_system(), pt, 5, ct, sizeof ct, &len),
                  RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecies_decrypt(&short_tag, r, ct, 60, out, sizeof out, &len),
                  RCP_ERR_INVALID_ARG);
        CHECK(rcp_ecies_overhead(c, &long_tag) == 0);
        CHECK_ERR(rcp_ecies_encrypt(NULL, rp, rcp_rng_system(), pt, 5, ct, sizeof ct, &len),
                  RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecies_encrypt(&RCP_ECIES_DEFAULT, rp, NULL, pt, 5, ct, sizeof ct, &len),
                  RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecies_encrypt(&RCP_ECIES_DEFAULT, rp, rcp_rng_system(), NULL, 5, ct,
                                    sizeof ct, &len),
                  RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_ecies_decrypt(&RCP_ECIES_DEFAULT, rp, ct, 60, out, sizeof out, &len),
                  RCP_ERR_INVALID_ARG); /* recipient without private key */
        CHECK_ERR(rcp_ecies_encrypt_with(&RCP_ECIES_DEFAULT, rp, rp, pt, 5, ct, sizeof ct, &len),
                  RCP_ERR_INVALID_ARG); /* ephemeral without private key */
        rcp_ec_key *o = NULL;
        CHECK_OK(rcp_ec_key_generate(c == RCP_CURVE_P256 ? RCP_CURVE_X25519 : RCP_CURVE_P256,
                                     rcp_rng_system(), &o));
        CHECK_ERR(rcp_ecies_encrypt_with(&RCP_ECIES_DEFAULT, rp, o, pt, 5, ct, sizeof ct, &len),
                  RCP_ERR_INVALID_ARG); /* curves differ */
        rcp_ec_key_free(o);
    next:
        rcp_ec_key_free(r);
        rcp_ec_key_free(rp);
        rcp_ec_key_free(wrong);
    }
    CHECK(rcp_ecies_overhead(RCP_CURVE_NONE, &RCP_ECIES_DEFAULT) == 0);
    CHECK(rcp_ecies_overhead(RCP_CURVE_P256, &RCP_ECIES_DEFAULT) == 33 + 16);
    CHECK(rcp_ecies_overhead(RCP_CURVE_X25519, &RCP_ECIES_TS33501) == 32 + 8);
}

/* ---------------------------------------------------------- seal suites */

static void test_seal(void)
{
    const rcp_seal_suite suites[] = {RCP_SUITE_CBC_HMAC, RCP_SUITE_GCM};
    uint8_t shs[32], clear[48], mdst[64], hc[16], out[64], zero[64] = {0};
    size_t len = 0;
    rcp_seal_keys ks, ks_other;
    fill(shs, sizeof shs, 0x21);
    fill(clear, sizeof clear, 0x31);
    CHECK_OK(rcp_seal_derive(shs, sizeof shs, RCP_SEAL_KEY_TYPE_KS1, &ks));
    CHECK_OK(rcp_seal_derive(shs, sizeof shs, RCP_SEAL_KEY_TYPE_KS2, &ks_other));
    CHECK(memcmp(&ks, &ks_other, sizeof ks) != 0); /* KEY_TYPE separates KS1 and KS2 */
    CHECK_ERR(rcp_seal_derive(shs, sizeof shs, 0x20, &ks_other), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_seal_derive(NULL, 32, RCP_SEAL_KEY_TYPE_KS1, &ks_other), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_seal_derive(shs, 0, RCP_SEAL_KEY_TYPE_KS1, &ks_other), RCP_ERR_INVALID_ARG);
    CHECK_ERR(rcp_seal_derive(shs, 32, RCP_SEAL_KEY_TYPE_KS1, NULL), RCP_ERR_INVALID_ARG);
    CHECK(strcmp(rcp_seal_suite_name(RCP_SUITE_CBC_HMAC), "cbc-hmac") == 0);
    CHECK(strcmp(rcp_seal_suite_name(RCP_SUITE_GCM), "gcm") == 0);
    CHECK(rcp_seal_suite_name(RCP_SUITE_NONE) == NULL);
    CHECK(rcp_seal_suite_from_name("gcm") == RCP_SUITE_GCM);
    CHECK(rcp_seal_suite_from_name("cbc-hmac") == RCP_SUITE_CBC_HMAC);
    CHECK(rcp_seal_suite_from_name("eGCM") == RCP_SUITE_NONE);
    CHECK(rcp_seal_suite_from_name(NULL) == RCP_SUITE_NONE);
    CHECK(rcp_seal_padded_len(0) == 0 && rcp_seal_padded_len(1) == 16 &&
          rcp_seal_padded_len(16) == 16 && rcp_seal_padded_len(17) == 32);
    CHECK(rcp_seal_padded_len(SIZE_MAX) == 0);

    for (size_t si = 0; si < 2; si++) {
        rcp_seal_suite s = suites[si];
        for (size_t n = 0; n <= sizeof clear; n++) {
            size_t p = rcp_seal_padded_len(n);
            CHECK_OK(rcp_seal(s, &ks, clear, n, mdst, sizeof mdst, &len, hc));
            CHECK(len == p);
            memset(out, 0, sizeof out);
            CHECK_OK(rcp_seal_open(s, &ks, mdst, len, hc, out, sizeof out));
            CHECK_MEM(out, clear, n);
            CHECK_OK(rcp_seal_check_padding(out, len, n));
            CHECK_ERR(rcp_seal_open(s, &ks_other, mdst, len, hc, out, sizeof out), RCP_ERR_AUTH);
            CHECK_ERR(rcp_seal(s, &ks, clear, n, mdst, p == 0 ? 0 : p - 1, &len, hc),
                      p == 0 ? RCP_OK : RCP_ERR_BUFFER_TOO_SMALL);
        }
        /* tamper: every byte of MDST and HCHECK */
        CHECK_OK(rcp_seal(s, &ks, clear, 40, mdst, sizeof mdst, &len, hc));
        int all_rejected = 1;
        for (size_t b = 0; b < len + 16; b++) {
            uint8_t *q = b < len ? mdst + b : hc + (b - len);
            *q ^= 0x10;
            memset(out, 0x77, sizeof out);
            int e = rcp_seal_open(s, &ks, mdst, len, hc, out, sizeof out);
            all_rejected &= e == RCP_ERR_AUTH && memcmp(out, zero, len) == 0;
            *q ^= 0x10;
        }
        CHECK(all_rejected);
        /* dropping or moving blocks */
        CHECK_ERR(rcp_seal_open(s, &ks, mdst, len - 16, hc, out, sizeof out), RCP_ERR_AUTH);
        CHECK_ERR(rcp_seal_open(s, &ks, mdst + 16, len - 16, hc, out, sizeof out), RCP_ERR_AUTH);
        CHECK_ERR(rcp_seal_open(s, &ks, mdst, len - 1, hc, out, sizeof out), RCP_ERR_LENGTH);
        CHECK_ERR(rcp_seal_open(s, &ks, mdst, len, hc, out, len - 1), RCP_ERR_BUFFER_TOO_SMALL);
        /* in place */
        uint8_t inplace[48];
        memcpy(inplace, clear, 33);
        CHECK_OK(rcp_seal(s, &ks, inplace, 33, inplace, sizeof inplace, &len, hc));
        CHECK_OK(rcp_seal(s, &ks, clear, 33, mdst, sizeof mdst, &len, out));
        CHECK_MEM(inplace, mdst, len);
        CHECK_MEM(hc, out, 16);
        /* arguments */
        CHECK_ERR(rcp_seal(s, NULL, clear, 5, mdst, sizeof mdst, &len, hc), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_seal(s, &ks, NULL, 5, mdst, sizeof mdst, &len, hc), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_seal(s, &ks, clear, 5, mdst, sizeof mdst, NULL, hc), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_seal(s, &ks, clear, 5, mdst, sizeof mdst, &len, NULL), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_seal_open(s, &ks, mdst, 16, NULL, out, sizeof out), RCP_ERR_INVALID_ARG);
        CHECK_ERR(rcp_seal_open(s, NULL, mdst, 16, hc, out, sizeof out), RCP_ERR_INVALID_ARG);
    }
    /* GCM and CBC-HMAC differ; unknown suites */
    uint8_t m2[64], h2[16];
    CHECK_OK(rcp_seal(RCP_SUITE_CBC_HMAC, &ks, clear, 20, mdst, sizeof mdst, &len, hc));
    CHECK_OK(rcp_seal(RCP_SUITE_GCM, &ks, clear, 20, m2, sizeof m2, &len, h2));
    CHECK(memcmp(mdst, m2, 32) != 0 && memcmp(hc, h2, 16) != 0);
    CHECK_ERR(rcp_seal_open(RCP_SUITE_GCM, &ks, mdst, 32, hc, out, sizeof out), RCP_ERR_AUTH);
    CHECK_ERR(rcp_seal(RCP_SUITE_NONE, &ks, clear, 5, mdst, sizeof mdst, &len, hc),
              RCP_ERR_UNSUPPORTED);
    CHECK_ERR(rcp_seal_open((rcp_seal_suite)7, &ks, mdst, 16, hc, out, sizeof out),
              RCP_ERR_UNSUPPORTED);

    /* padding check */
    uint8_t msrc[48];
    memset(msrc, 0x01, sizeof msrc);
    memset(msrc + 20, 0xff, 12);
    CHECK_OK(rcp_seal_check_padding(msrc, 32, 20));
    CHECK_ERR(rcp_seal_check_padding(msrc, 32, 19), RCP_ERR_PADDING); /* a 0x01 in the padding */
    CHECK_OK(rcp_seal_check_padding(msrc, 32, 21)); /* an 0xFF that belongs to the clear text */
    CHECK_ERR(rcp_seal_check_padding(msrc, 32, 33), RCP_ERR_PADDING);
    CHECK_ERR(rcp_seal_check_padding(msrc, 32, 16), RCP_ERR_PADDING); /* 16 bytes of padding */
    CHECK_ERR(rcp_seal_check_padding(msrc, 31, 20), RCP_ERR_PADDING);
    CHECK_OK(rcp_seal_check_padding(msrc, 16, 16));
    CHECK_OK(rcp_seal_check_padding(NULL, 0, 0));
    CHECK_ERR(rcp_seal_check_padding(NULL, 16, 0), RCP_ERR_INVALID_ARG);
    for (size_t b = 20; b < 32; b++) {
        msrc[b] = 0xfe;
        CHECK_ERR(rcp_seal_check_padding(msrc, 32, 20), RCP_ERR_PADDING);
        msrc[b] = 0xff;
    }
}

int main(void)
{
    test_hash_mac();
    test_aes_errors();
    test_cbc_pkcs7();
    test_ctr();
    test_gcm();
    test_cmac();
    test_curve_names();
    test_keygen();
    test_key_import();
    test_spki();
    test_refcount();
    test_ecdsa();
    test_ecdh();
    test_x963_errors();
    test_ecies();
    test_seal();
    return rcp_t_done("test_crypto");
}
