/*
 * MILENAGE (3GPP TS 35.206 clause 4.1) with settable r1..r5 and c1..c5.
 *
 * Kernel E_K is AES-128 (TS 35.206 clause 3 / 4.1).  One key schedule per
 * call: every public function opens one session, which computes TEMP once
 * and then only the output blocks that are asked for.
 */
#include <string.h>

#include "rcprov/bytes.h"
#include "rcprov/crypto.h"
#include "rcprov/milenage.h"

#define MIL_BLOCK 16
#define MIL_BITS_PER_BYTE 8

/* Indices into the r/c arrays: OUT1..OUT5 use r1..r5 and c1..c5. */
enum { MIL_OUT1 = 0, MIL_OUT2, MIL_OUT3, MIL_OUT4, MIL_OUT5, MIL_N_OUT };

/* Where the function outputs sit in OUT1..OUT5 (TS 35.206 4.1). */
#define MIL_F1_OFF 0     /* f1  = OUT1[0..63]   */
#define MIL_F1STAR_OFF 8 /* f1* = OUT1[64..127] */
#define MIL_F5_OFF 0     /* f5  = OUT2[0..47]   */
#define MIL_F2_OFF 8     /* f2  = OUT2[64..127] */
#define MIL_F5STAR_OFF 0 /* f5* = OUT5[0..47]   */

void rcp_milenage_consts_default(rcp_milenage_consts *c)
{
    /* TS 35.206 4.1: r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96. */
    static const uint8_t default_r[MIL_N_OUT] = {64, 0, 32, 64, 96};
    /* TS 35.206 4.1: c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8 (128-bit, so
     * only the last byte is non-zero). */
    static const uint8_t default_c_last[MIL_N_OUT] = {0, 1, 2, 4, 8};

    if (c == NULL)
        return;
    memset(c, 0, sizeof *c);
    for (int i = 0; i < MIL_N_OUT; i++) {
        c->r[i] = default_r[i];
        c->c[i][MIL_BLOCK - 1] = default_c_last[i];
    }
}

/* out = in rotated left (towards the most significant bit) by r bits;
 * in is a 128-bit big-endian value.  out must not alias in. */
static void rotate_left_128(uint8_t out[MIL_BLOCK], const uint8_t in[MIL_BLOCK], unsigned r)
{
    unsigned q = r / MIL_BITS_PER_BYTE;
    unsigned s = r % MIL_BITS_PER_BYTE;

    for (unsigned i = 0; i < MIL_BLOCK; i++) {
        unsigned hi = in[(i + q) % MIL_BLOCK];
        unsigned lo = in[(i + q + 1) % MIL_BLOCK];
        out[i] = (uint8_t)(s == 0 ? hi : (hi << s) | (lo >> (MIL_BITS_PER_BYTE - s)));
    }
}

static int consts_valid(const rcp_milenage_consts *c)
{
    for (int i = 0; i < MIL_N_OUT; i++) {
        if (c->r[i] > RCP_MIL_ROT_MAX)
            return 0;
    }
    return 1;
}

int rcp_milenage_opc(const uint8_t k[16], const uint8_t op[16], uint8_t opc[16])
{
    int ret = RCP_ERR_INVALID_ARG;
    rcp_aes_block *aes = NULL;
    uint8_t e[MIL_BLOCK];

    if (k == NULL || op == NULL || opc == NULL)
        goto cleanup;
    ret = rcp_aes_block_new(k, RCP_MIL_K_LEN, &aes);
    if (ret)
        goto cleanup;
    ret = rcp_aes_block_encrypt(aes, op, e);
    if (ret)
        goto cleanup;
    rcp_xor(opc, e, op, MIL_BLOCK); /* TS 35.206 4.1: OPc = OP xor E_K[OP] */
    ret = RCP_OK;
cleanup:
    rcp_wipe(e, sizeof e);
    rcp_aes_block_free(aes);
    return ret;
}

void rcp_milenage_init(rcp_milenage *m, const uint8_t k[16], const uint8_t opc[16],
                       const rcp_milenage_consts *consts)
{
    if (m == NULL)
        return;
    memset(m, 0, sizeof *m);
    if (k != NULL)
        memcpy(m->k, k, sizeof m->k);
    if (opc != NULL)
        memcpy(m->opc, opc, sizeof m->opc);
    if (consts != NULL)
        m->consts = *consts;
    else
        rcp_milenage_consts_default(&m->consts);
}

void rcp_milenage_wipe(rcp_milenage *m)
{
    if (m != NULL)
        rcp_wipe(m, sizeof *m);
}

int rcp_milenage_session_begin(rcp_milenage_session *s, const rcp_milenage *m,
                               const uint8_t rand[16])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t x[MIL_BLOCK];

    if (s == NULL)
        return RCP_ERR_INVALID_ARG;
    memset(s, 0, sizeof *s);
    if (m == NULL || rand == NULL)
        goto cleanup;
    ret = RCP_ERR_RANGE;
    if (!consts_valid(&m->consts))
        goto cleanup;
    memcpy(s->opc, m->opc, sizeof s->opc);
    s->consts = m->consts;
    ret = rcp_aes_block_new(m->k, RCP_MIL_K_LEN, &s->aes);
    if (ret)
        goto cleanup;
    rcp_xor(x, rand, s->opc, MIL_BLOCK);
    ret = rcp_aes_block_encrypt(s->aes, x, s->temp); /* TS 35.206 4.1: TEMP */
cleanup:
    rcp_wipe(x, sizeof x);
    if (ret)
        rcp_milenage_session_end(s);
    return ret;
}

void rcp_milenage_session_end(rcp_milenage_session *s)
{
    if (s == NULL)
        return;
    rcp_aes_block_free(s->aes);
    rcp_wipe(s, sizeof *s);
}

/* OUTi = E_K[rot(x, ri) xor extra xor ci] xor OPc  (TS 35.206 4.1), where
 * extra is TEMP for OUT1 and absent (NULL) for OUT2..OUT5. */
static int milenage_out(rcp_milenage_session *s, int idx, const uint8_t x[MIL_BLOCK],
                        const uint8_t *extra, uint8_t out[MIL_BLOCK])
{
    int ret;
    uint8_t in[MIL_BLOCK];

    rotate_left_128(in, x, s->consts.r[idx]);
    if (extra != NULL)
        rcp_xor(in, in, extra, MIL_BLOCK);
    rcp_xor(in, in, s->consts.c[idx], MIL_BLOCK);
    ret = rcp_aes_block_encrypt(s->aes, in, out);
    if (ret == RCP_OK)
        rcp_xor(out, out, s->opc, MIL_BLOCK);
    rcp_wipe(in, sizeof in);
    return ret;
}

int rcp_milenage_session_f1(rcp_milenage_session *s, const uint8_t sqn[6], const uint8_t amf[2],
                            uint8_t mac_a[8], uint8_t mac_s[8])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t in1[MIL_BLOCK];
    uint8_t out1[MIL_BLOCK];

    if (s == NULL || sqn == NULL || amf == NULL)
        goto cleanup;
    ret = RCP_ERR_STATE;
    if (s->aes == NULL)
        goto cleanup;
    /* TS 35.206 4.1: IN1 = SQN || AMF || SQN || AMF */
    memcpy(in1, sqn, RCP_MIL_SQN_LEN);
    memcpy(in1 + RCP_MIL_SQN_LEN, amf, RCP_MIL_AMF_LEN);
    memcpy(in1 + RCP_MIL_SQN_LEN + RCP_MIL_AMF_LEN, in1, RCP_MIL_SQN_LEN + RCP_MIL_AMF_LEN);
    rcp_xor(in1, in1, s->opc, MIL_BLOCK);
    /* TS 35.206 4.1: OUT1 = E_K[TEMP xor rot(IN1 xor OPc, r1) xor c1] xor OPc */
    ret = milenage_out(s, MIL_OUT1, in1, s->temp, out1);
    if (ret)
        goto cleanup;
    if (mac_a != NULL)
        memcpy(mac_a, out1 + MIL_F1_OFF, RCP_MIL_MAC_LEN);
    if (mac_s != NULL)
        memcpy(mac_s, out1 + MIL_F1STAR_OFF, RCP_MIL_MAC_LEN);
cleanup:
    rcp_wipe(in1, sizeof in1);
    rcp_wipe(out1, sizeof out1);
    return ret;
}

int rcp_milenage_session_f2345(rcp_milenage_session *s, uint8_t res[8], uint8_t ck[16],
                               uint8_t ik[16], uint8_t ak[6])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t x[MIL_BLOCK];
    uint8_t out[MIL_BLOCK];

    if (s == NULL)
        goto cleanup;
    ret = RCP_ERR_STATE;
    if (s->aes == NULL)
        goto cleanup;
    rcp_xor(x, s->temp, s->opc, MIL_BLOCK); /* TEMP xor OPc, input of OUT2..OUT5 */
    ret = RCP_OK;
    if (res != NULL || ak != NULL) {
        ret = milenage_out(s, MIL_OUT2, x, NULL, out); /* TS 35.206 4.1: OUT2 */
        if (ret)
            goto cleanup;
        if (res != NULL)
            memcpy(res, out + MIL_F2_OFF, RCP_MIL_RES_LEN);
        if (ak != NULL)
            memcpy(ak, out + MIL_F5_OFF, RCP_MIL_AK_LEN);
    }
    if (ck != NULL) {
        ret = milenage_out(s, MIL_OUT3, x, NULL, out); /* TS 35.206 4.1: f3 = OUT3 */
        if (ret)
            goto cleanup;
        memcpy(ck, out, RCP_MIL_CK_LEN);
    }
    if (ik != NULL) {
        ret = milenage_out(s, MIL_OUT4, x, NULL, out); /* TS 35.206 4.1: f4 = OUT4 */
        if (ret)
            goto cleanup;
        memcpy(ik, out, RCP_MIL_IK_LEN);
    }
cleanup:
    rcp_wipe(x, sizeof x);
    rcp_wipe(out, sizeof out);
    return ret;
}

int rcp_milenage_session_f5star(rcp_milenage_session *s, uint8_t ak_star[6])
{
    int ret = RCP_ERR_INVALID_ARG;
    uint8_t x[MIL_BLOCK];
    uint8_t out[MIL_BLOCK];

    if (s == NULL || ak_star == NULL)
        goto cleanup;
    ret = RCP_ERR_STATE;
    if (s->aes == NULL)
        goto cleanup;
    rcp_xor(x, s->temp, s->opc, MIL_BLOCK);
    ret = milenage_out(s, MIL_OUT5, x, NULL, out); /* TS 35.206 4.1: OUT5 */
    if (ret)
        goto cleanup;
    memcpy(ak_star, out + MIL_F5STAR_OFF, RCP_MIL_AK_LEN);
cleanup:
    rcp_wipe(x, sizeof x);
    rcp_wipe(out, sizeof out);
    return ret;
}

int rcp_milenage_f1(const rcp_milenage *m, const uint8_t rand[16], const uint8_t sqn[6],
                    const uint8_t amf[2], uint8_t mac_a[8], uint8_t mac_s[8])
{
    int ret;
    rcp_milenage_session s;

    if (sqn == NULL || amf == NULL)
        return RCP_ERR_INVALID_ARG;
    ret = rcp_milenage_session_begin(&s, m, rand);
    if (ret)
        goto cleanup;
    ret = rcp_milenage_session_f1(&s, sqn, amf, mac_a, mac_s);
cleanup:
    rcp_milenage_session_end(&s);
    return ret;
}

int rcp_milenage_f2345(const rcp_milenage *m, const uint8_t rand[16], uint8_t res[8],
                       uint8_t ck[16], uint8_t ik[16], uint8_t ak[6])
{
    int ret;
    rcp_milenage_session s;

    ret = rcp_milenage_session_begin(&s, m, rand);
    if (ret)
        goto cleanup;
    ret = rcp_milenage_session_f2345(&s, res, ck, ik, ak);
cleanup:
    rcp_milenage_session_end(&s);
    return ret;
}

int rcp_milenage_f5star(const rcp_milenage *m, const uint8_t rand[16], uint8_t ak_star[6])
{
    int ret;
    rcp_milenage_session s;

    if (ak_star == NULL)
        return RCP_ERR_INVALID_ARG;
    ret = rcp_milenage_session_begin(&s, m, rand);
    if (ret)
        goto cleanup;
    ret = rcp_milenage_session_f5star(&s, ak_star);
cleanup:
    rcp_milenage_session_end(&s);
    return ret;
}
