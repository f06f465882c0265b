/* rcprov milenage: f1, f1*, f2, f3, f4, f5, f5* on given inputs (TS 35.206). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rcprov/bytes.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: rcprov milenage --k HEX (--op HEX | --opc HEX) --rand HEX --sqn HEX --amf HEX\n"
            "                       [--c1 HEX ... --c5 HEX] [--r1 N ... --r5 N] [--json]\n\n"
            "Runs MILENAGE (3GPP TS 35.206) and prints OPc, MAC-A (f1), MAC-S (f1*), RES (f2),\n"
            "CK (f3), IK (f4), AK (f5) and AK* (f5*).\n\n");
    cli_mil_usage(f);
    fprintf(f, "  --rand HEX        RAND (16 bytes)\n"
               "  --sqn HEX         SQN (6 bytes)\n"
               "  --amf HEX         AMF (2 bytes)\n"
               "  --json            one JSON object with keys opc, mac_a, mac_s, res, ck, ik, ak, "
               "ak_star\n");
}

int cmd_milenage(int argc, char **argv)
{
    const char *cmd = "rcprov milenage";
    struct cli_mil_input in;
    uint8_t rand[16], sqn[6], amf[2];
    int have_rand = 0, have_sqn = 0, have_amf = 0, json = 0, help = 0;
    memset(&in, 0, sizeof in);

    struct cli_opt opts[CLI_MIL_N_OPTS + 4];
    cli_mil_opts(&in, opts);
    size_t n = CLI_MIL_N_OPTS;
    opts[n++] = (struct cli_opt){"rand", CLI_HEX, rand, 16, &have_rand};
    opts[n++] = (struct cli_opt){"sqn", CLI_HEX, sqn, 6, &have_sqn};
    opts[n++] = (struct cli_opt){"amf", CLI_HEX, amf, 2, &have_amf};
    opts[n++] = (struct cli_opt){"json", CLI_FLAG, &json, 0, NULL};

    int ret = cli_parse(cmd, argc, argv, 1, opts, n, &help);
    if (ret == 0 && help) {
        usage(stdout);
        goto out;
    }
    rcp_milenage_consts consts;
    if (ret == 0)
        ret = cli_mil_check(cmd, &in, &consts);
    const char *missing = !have_rand ? "--rand" : !have_sqn ? "--sqn" : !have_amf ? "--amf" : NULL;
    if (ret == 0 && missing) {
        fprintf(stderr, "%s: missing required option %s\n", cmd, missing);
        ret = CLI_EXIT_USAGE;
    }
    if (ret)
        goto out;

    rcp_milenage m;
    uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];
    if (cli_mil_setup(&in, in.have_op ? in.op : in.opc, in.have_op, &consts, &m) != 0 ||
        rcp_milenage_f1(&m, rand, sqn, amf, mac_a, mac_s) != 0 ||
        rcp_milenage_f2345(&m, rand, res, ck, ik, ak) != 0 ||
        rcp_milenage_f5star(&m, rand, ak_star) != 0) {
        fprintf(stderr, "%s: Milenage computation failed in the crypto library\n", cmd);
        ret = CLI_EXIT_FAIL;
    } else {
        if (json)
            printf("{");
        cli_print_hex("opc", m.opc, 16, json, 0);
        cli_print_hex("mac_a", mac_a, 8, json, 0);
        cli_print_hex("mac_s", mac_s, 8, json, 0);
        cli_print_hex("res", res, 8, json, 0);
        cli_print_hex("ck", ck, 16, json, 0);
        cli_print_hex("ik", ik, 16, json, 0);
        cli_print_hex("ak", ak, 6, json, 0);
        cli_print_hex("ak_star", ak_star, 6, json, 1);
        if (json)
            printf("}\n");
    }
    rcp_milenage_wipe(&m);
    rcp_wipe(res, sizeof res);
    rcp_wipe(ck, sizeof ck);
    rcp_wipe(ik, sizeof ik);
    rcp_wipe(ak, sizeof ak);
    rcp_wipe(ak_star, sizeof ak_star);
out:
    rcp_wipe(&in, sizeof in);
    return ret;
}
