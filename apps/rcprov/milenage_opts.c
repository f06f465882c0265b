/* Milenage key-material options shared by `rcprov milenage` and `rcprov aka`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rcprov/bytes.h"

static const char *const k_c_names[5] = {"c1", "c2", "c3", "c4", "c5"};
static const char *const k_r_names[5] = {"r1", "r2", "r3", "r4", "r5"};

void cli_mil_opts(struct cli_mil_input *in, struct cli_opt *opts)
{
    size_t n = 0;
    opts[n++] = (struct cli_opt){"k", CLI_HEX, in->k, 16, &in->have_k};
    opts[n++] = (struct cli_opt){"op", CLI_HEX, in->op, 16, &in->have_op};
    opts[n++] = (struct cli_opt){"opc", CLI_HEX, in->opc, 16, &in->have_opc};
    for (int i = 0; i < 5; i++)
        opts[n++] = (struct cli_opt){k_c_names[i], CLI_HEX, in->c[i], 16, &in->have_c[i]};
    for (int i = 0; i < 5; i++)
        opts[n++] = (struct cli_opt){k_r_names[i], CLI_UINT, &in->r[i], 127, &in->have_r[i]};
}

int cli_mil_check(const char *cmd, const struct cli_mil_input *in, rcp_milenage_consts *consts)
{
    if (!in->have_k) {
        fprintf(stderr, "%s: missing required option --k\n", cmd);
        return CLI_EXIT_USAGE;
    }
    if (in->have_op == in->have_opc) {
        fprintf(stderr, "%s: give exactly one of --op and --opc\n", cmd);
        return CLI_EXIT_USAGE;
    }
    rcp_milenage_consts_default(consts);
    for (int i = 0; i < 5; i++) {
        if (in->have_c[i])
            memcpy(consts->c[i], in->c[i], 16);
        if (in->have_r[i])
            consts->r[i] = (uint8_t)in->r[i];
    }
    return 0;
}

int cli_mil_setup(const struct cli_mil_input *in, const uint8_t *op_or_opc, int is_op,
                  const rcp_milenage_consts *consts, rcp_milenage *m)
{
    uint8_t opc[16];
    int ret = 0;
    if (is_op)
        ret = rcp_milenage_opc(in->k, op_or_opc, opc);
    else
        memcpy(opc, op_or_opc, 16);
    if (ret == 0)
        rcp_milenage_init(m, in->k, opc, consts);
    rcp_wipe(opc, sizeof opc);
    return ret;
}

void cli_mil_usage(FILE *f)
{
    fprintf(
        f,
        "  --k HEX           subscriber key K (16 bytes)\n"
        "  --op HEX          operator variant OP (16 bytes), or\n"
        "  --opc HEX         OPc = OP xor E_K(OP) (16 bytes)\n"
        "  --c1..--c5 HEX    Milenage constants c1..c5 (16 bytes each; default TS 35.206)\n"
        "  --r1..--r5 N      Milenage rotations r1..r5 in bits, 0..127 (default 64 0 32 64 96)\n");
}
