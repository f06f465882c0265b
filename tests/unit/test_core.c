/* Core layer: hex, constant-time compare, wipe, reader/writer, errors, DRBG. */
#include <string.h>

#include "harness.h"
#include "rcprov/bytes.h"
#include "rcprov/crypto.h"

static void test_hex(void)
{
    uint8_t buf[8];
    size_t n = 99;
    CHECK_OK(rcp_hex_decode("00ffA5", buf, sizeof buf, &n));
    CHECK(n == 3 && buf[0] == 0 && buf[1] == 0xff && buf[2] == 0xa5);
    CHECK_ERR(rcp_hex_decode("abc", buf, sizeof buf, &n), RCP_ERR_DECODE);
    CHECK_ERR(rcp_hex_decode("zz", buf, sizeof buf, &n), RCP_ERR_DECODE);
    CHECK_ERR(rcp_hex_decode("001122334455667788", buf, sizeof buf, &n), RCP_ERR_BUFFER_TOO_SMALL);
    CHECK_OK(rcp_hex_decode("", buf, sizeof buf, &n));
    CHECK(n == 0);
    CHECK_OK(rcp_hex_decode_exact("0102", buf, 2));
    CHECK_ERR(rcp_hex_decode_exact("0102", buf, 3), RCP_ERR_LENGTH);
    CHECK_ERR(rcp_hex_decode_exact("01g2", buf, 3), RCP_ERR_DECODE);
    char s[7];
    const uint8_t in[3] = {0x01, 0xab, 0xff};
    CHECK_OK(rcp_hex_encode(in, 3, s, sizeof s));
    CHECK(strcmp(s, "01abff") == 0);
    CHECK_ERR(rcp_hex_encode(in, 3, s, 6), RCP_ERR_BUFFER_TOO_SMALL);
}

static void test_ct_equal_and_wipe(void)
{
    uint8_t a[32], b[32];
    memset(a, 0x5a, sizeof a);
    memcpy(b, a, sizeof b);
    CHECK(rcp_ct_equal(a, b, sizeof a) == 1);
    for (size_t i = 0; i < sizeof a; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            if (rcp_ct_equal(a, b, sizeof a) != 0)
                rcp_t_fail_at(__FILE__, __LINE__, "difference at byte %zu bit %d missed", i, bit);
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    rcp_t_pass++;
    CHECK(rcp_ct_equal(a, b, 0) == 1);
    rcp_wipe(a, sizeof a);
    uint8_t zero[32] = {0};
    CHECK_MEM(a, zero, sizeof a);
}

static void test_writer_reader(void)
{
    uint8_t buf[7];
    rcp_writer w;
    rcp_writer_init(&w, buf, sizeof buf);
    rcp_writer_u8(&w, 0x01);
    rcp_writer_u16be(&w, 0x0203);
    rcp_writer_u32be(&w, 0x04050607);
    CHECK_OK(rcp_writer_status(&w));
    CHECK(w.len == 7);
    rcp_writer_u8(&w, 0x08); /* overflow is sticky */
    CHECK_ERR(rcp_writer_status(&w), RCP_ERR_BUFFER_TOO_SMALL);
    rcp_writer_u8(&w, 0x09);
    CHECK(w.len == 7);

    rcp_reader r;
    rcp_reader_init(&r, buf, sizeof buf);
    CHECK(rcp_reader_u8(&r) == 0x01);
    CHECK(rcp_reader_u16be(&r) == 0x0203);
    CHECK(rcp_reader_remaining(&r) == 4);
    CHECK(rcp_reader_u32be(&r) == 0x04050607);
    CHECK_OK(rcp_reader_status(&r));
    CHECK(rcp_reader_u8(&r) == 0); /* underflow */
    CHECK_ERR(rcp_reader_status(&r), RCP_ERR_DECODE);
    CHECK(rcp_reader_view(&r, 0) == NULL); /* sticky */
}

static void test_be48(void)
{
    uint8_t b[6];
    rcp_be48_put(b, 0xff9bb4d0b607ULL);
    const uint8_t want[6] = {0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07};
    CHECK_MEM(b, want, 6);
    CHECK(rcp_be48_get(b) == 0xff9bb4d0b607ULL);
}

static void test_errors(void)
{
    CHECK(strcmp(rcp_errname(RCP_ERR_AUTH), "RCP_ERR_AUTH") == 0);
    CHECK(strcmp(rcp_strerror(12345), "unknown error") == 0);
    for (int e = 0; e >= RCP_ERR_LAST; e--)
        CHECK(strcmp(rcp_errname(e), "RCP_ERR_UNKNOWN") != 0);
}

static void test_drbg(void)
{
    /* Same seed, same stream; different seed, different stream. */
    rcp_drbg a, b, c;
    uint8_t x[80], y[80], z[80];
    CHECK_OK(rcp_drbg_init(&a, (const uint8_t *)"seed", 4));
    CHECK_OK(rcp_drbg_init(&b, (const uint8_t *)"seed", 4));
    CHECK_OK(rcp_drbg_init(&c, (const uint8_t *)"seee", 4));
    CHECK_OK(rcp_rng_fill(&a.rng, x, sizeof x));
    CHECK_OK(rcp_rng_fill(&b.rng, y, sizeof y));
    CHECK_OK(rcp_rng_fill(&c.rng, z, sizeof z));
    CHECK_MEM(x, y, sizeof x);
    CHECK(memcmp(x, z, sizeof x) != 0);
    CHECK(memcmp(x, x + 32, 32) != 0);
    /* The next output differs from the first (state advances). */
    CHECK_OK(rcp_rng_fill(&a.rng, y, sizeof y));
    CHECK(memcmp(x, y, sizeof x) != 0);
    rcp_drbg_wipe(&a);
    rcp_drbg_wipe(&b);
    rcp_drbg_wipe(&c);
    CHECK_ERR(rcp_rng_fill(NULL, x, 1), RCP_ERR_INVALID_ARG);
    CHECK_OK(rcp_rng_fill(rcp_rng_system(), x, sizeof x));
}

int main(void)
{
    test_hex();
    test_ct_equal_and_wipe();
    test_writer_reader();
    test_be48();
    test_errors();
    test_drbg();
    return rcp_t_done("test_core");
}
