/*
 * rcprov aka diagnose: why does a USIM reject this AUTN?
 *
 * Given K, OP or OPc, RAND and AUTN (and optionally the USIM's highest
 * accepted SQN, or the AUTS it answered), it checks the MAC the way a USIM
 * does (TS 33.102 6.3.3), retries with OP and OPc swapped (the most common
 * provisioning slip), recovers SQN from AUTN and SQN_MS from AUTS, and
 * classifies SQN against SQN_MS (Annex C.2.2).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "rcprov/aka.h"
#include "rcprov/bytes.h"

enum finding {
    F_OP_IS_OPC,        /* --op value verifies as OPc */
    F_OPC_IS_OP,        /* --opc value verifies as OP */
    F_MAC_UNEXPLAINED,  /* MAC fails under both readings */
    F_AMF_SEPARATION,   /* --eps and AMF bit 0 clear */
    F_SQN_STALE,        /* SQN not above SQN_MS */
    F_SQN_OUT_OF_RANGE, /* SQN more than delta ahead of SQN_MS */
    F_AUTS_MAC,         /* AUTS MAC-S does not verify */
    F_COUNT
};

static const char *const k_finding_code[F_COUNT] = {
    "op_is_opc", "opc_is_op",        "mac_unexplained", "amf_separation_bit",
    "sqn_stale", "sqn_out_of_range", "auts_mac_fail",
};

struct diagnosis {
    int findings[F_COUNT];
    size_t n_findings;
    int reading;  /* 0: as given, 1: OP/OPc swapped, -1: MAC fails both */
    uint64_t sqn; /* from AUTN, valid when reading >= 0 */
    uint8_t amf[2];
    int have_sqn_ms;
    uint64_t sqn_ms;
    const char *sqn_ms_source; /* "option" or "auts" */
    const char *auts;          /* "ok", "fail", "absent" */
    char message[512];
};

static void add_finding(struct diagnosis *d, enum finding f)
{
    d->findings[d->n_findings++] = (int)f;
}

/* Milenage set up for one reading of the OP/OPc value. */
static int setup_reading(const struct cli_mil_input *in, const rcp_milenage_consts *consts,
                         int swapped, rcp_milenage *m)
{
    const uint8_t *value = in->have_op ? in->op : in->opc;
    int is_op = in->have_op ? !swapped : swapped;
    return cli_mil_setup(in, value, is_op, consts, m);
}

/* Does AUTN verify under m?  Fills sqn and amf from AUTN when it does. */
static int autn_mac_ok(const rcp_milenage *m, const uint8_t rand[16], const uint8_t autn[16],
                       uint64_t *sqn, uint8_t amf[2], int *ok)
{
    uint8_t ak[6], sqn_b[6], xmac[8];
    int ret = rcp_milenage_f2345(m, rand, NULL, NULL, NULL, ak);
    if (ret == 0) {
        rcp_xor(sqn_b, autn, ak, 6); /* TS 33.102 6.3.3: SQN = (SQN xor AK) xor AK */
        ret = rcp_milenage_f1(m, rand, sqn_b, autn + 6, xmac, NULL);
    }
    if (ret == 0) {
        *ok = rcp_ct_equal(xmac, autn + 8, 8);
        *sqn = rcp_be48_get(sqn_b);
        memcpy(amf, autn + 6, 2);
    }
    rcp_wipe(ak, sizeof ak);
    return ret;
}

/* Does AUTS verify under m?  Recovers SQN_MS (TS 33.102 6.3.5). */
static int auts_ok(const rcp_milenage *m, const uint8_t rand[16], const uint8_t auts[14],
                   uint64_t *sqn_ms, int *ok)
{
    int ret = rcp_aka_hss_resync(m, rand, auts, sqn_ms);
    *ok = ret == 0;
    return ret == RCP_ERR_AKA_MAC ? 0 : ret;
}

/* SQN against SQN_MS by the Annex C.2.2 rule; 0 fresh, else a finding. */
static int classify_sqn(uint64_t sqn, uint64_t sqn_ms, unsigned ind_bits, uint64_t delta)
{
    uint64_t seq = sqn >> ind_bits, seq_ms = sqn_ms >> ind_bits;
    if (seq <= seq_ms)
        return F_SQN_STALE + 1;
    if (delta != 0 && seq - seq_ms > delta)
        return F_SQN_OUT_OF_RANGE + 1;
    return 0;
}

static void explain(struct diagnosis *d, const struct cli_mil_input *in, uint64_t delta)
{
    if (d->n_findings == 0) {
        if (d->have_sqn_ms)
            snprintf(d->message, sizeof d->message,
                     "AUTN is valid: MAC verifies and SQN %012" PRIx64
                     " is fresh against SQN_MS %012" PRIx64,
                     d->sqn, d->sqn_ms);
        else
            snprintf(d->message, sizeof d->message,
                     "AUTN MAC verifies; SQN is %012" PRIx64
                     " (freshness not checked: give --sqn-ms or --auts)",
                     d->sqn);
        return;
    }
    switch ((enum finding)d->findings[0]) {
    case F_OP_IS_OPC:
        snprintf(d->message, sizeof d->message,
                 "MAC fails with the value given as --op, but verifies when it is used as OPc: "
                 "that value is the OPc (pass it with --opc); SQN is %012" PRIx64,
                 d->sqn);
        break;
    case F_OPC_IS_OP:
        snprintf(d->message, sizeof d->message,
                 "MAC fails with the value given as --opc, but verifies when it is used as OP: "
                 "that value is the OP (pass it with --op); SQN is %012" PRIx64,
                 d->sqn);
        break;
    case F_MAC_UNEXPLAINED:
        snprintf(d->message, sizeof d->message,
                 "MAC fails with the given %s and also with OP/OPc swapped: K, %s or the Milenage "
                 "constants differ from the network's, or this AUTN was not made for this RAND",
                 in->have_op ? "OP" : "OPc", in->have_op ? "OP" : "OPc");
        break;
    case F_AMF_SEPARATION:
        snprintf(d->message, sizeof d->message,
                 "MAC verifies but AMF %02x%02x has the separation bit clear: an EPS UE rejects "
                 "it (TS 33.401 6.1.1); SQN is %012" PRIx64,
                 d->amf[0], d->amf[1], d->sqn);
        break;
    case F_SQN_STALE:
        snprintf(d->message, sizeof d->message,
                 "SQN %012" PRIx64
                 " is not fresh: not above the USIM's highest accepted SQN %012" PRIx64
                 " (from %s); the HSS must resynchronise to a SQN above it",
                 d->sqn, d->sqn_ms, d->sqn_ms_source);
        break;
    case F_SQN_OUT_OF_RANGE:
        snprintf(d->message, sizeof d->message,
                 "SQN %012" PRIx64 " is out of range: %" PRIu64
                 " steps ahead of the USIM's SQN %012" PRIx64
                 " (from %s), more than delta %" PRIu64,
                 d->sqn, d->sqn - d->sqn_ms, d->sqn_ms, d->sqn_ms_source, delta);
        break;
    case F_AUTS_MAC:
        snprintf(
            d->message, sizeof d->message,
            "AUTS does not verify (MAC-S mismatch): it was not made by this USIM for this RAND");
        break;
    case F_COUNT:
        break;
    }
}

static void print_diagnosis(const struct diagnosis *d, int json)
{
    char sqn[13], amf[5], sqn_ms[13];
    snprintf(sqn, sizeof sqn, "%012" PRIx64, d->sqn);
    snprintf(amf, sizeof amf, "%02x%02x", d->amf[0], d->amf[1]);
    snprintf(sqn_ms, sizeof sqn_ms, "%012" PRIx64, d->sqn_ms);
    const char *reading = d->reading == 0 ? "as_given" : d->reading == 1 ? "swapped" : "unknown";
    const char *primary = d->n_findings ? k_finding_code[d->findings[0]] : "ok";
    if (json) {
        printf("{\"diagnosis\":\"%s\",\"findings\":[", primary);
        for (size_t i = 0; i < d->n_findings; i++)
            printf("%s\"%s\"", i ? "," : "", k_finding_code[d->findings[i]]);
        printf("],\"mac\":\"%s\",\"key_material\":\"%s\",", d->reading == 0 ? "ok" : "fail",
               reading);
        if (d->reading >= 0)
            printf("\"sqn\":\"%s\",\"amf\":\"%s\",", sqn, amf);
        else
            printf("\"sqn\":null,\"amf\":null,");
        if (d->have_sqn_ms)
            printf("\"sqn_ms\":\"%s\",\"sqn_ms_source\":\"%s\",", sqn_ms, d->sqn_ms_source);
        else
            printf("\"sqn_ms\":null,\"sqn_ms_source\":null,");
        printf("\"auts\":\"%s\",\"message\":\"%s\"}\n", d->auts, d->message);
        return;
    }
    printf("%s: %s\n", primary, d->message);
    printf("  mac          %s (key material %s)\n", d->reading == 0 ? "ok" : "fail", reading);
    if (d->reading >= 0)
        printf("  sqn          %s\n  amf          %s\n", sqn, amf);
    if (d->have_sqn_ms)
        printf("  sqn_ms       %s (from %s)\n", sqn_ms, d->sqn_ms_source);
    printf("  auts         %s\n", d->auts);
    for (size_t i = 1; i < d->n_findings; i++)
        printf("  also         %s\n", k_finding_code[d->findings[i]]);
}

static void usage_diagnose(FILE *f)
{
    fprintf(
        f, "usage: rcprov aka diagnose --k HEX (--op HEX | --opc HEX) --rand HEX --autn HEX\n"
           "                           [--sqn-ms HEX] [--auts HEX] [--ind-bits N] [--delta N]\n"
           "                           [--eps] [--c1..--c5 HEX] [--r1..--r5 N] [--json]\n\n"
           "Explains why a USIM rejects an AUTN: checks the MAC, retries with OP and OPc\n"
           "swapped, recovers SQN from AUTN (and SQN_MS from AUTS), and checks SQN freshness.\n\n");
    cli_mil_usage(f);
    fprintf(
        f,
        "  --rand HEX        RAND (16 bytes)\n"
        "  --autn HEX        AUTN = SQN^AK || AMF || MAC-A (16 bytes)\n"
        "  --sqn-ms HEX      the USIM's highest accepted SQN (6 bytes)\n"
        "  --auts HEX        AUTS the USIM returned on a sync failure (14 bytes)\n"
        "  --ind-bits N      IND bits of the SQN (TS 33.102 Annex C; default 0: SQN compared "
        "whole)\n"
        "  --delta N         largest accepted jump of SEQ (default 268435456 = 2^28; 0 = no "
        "limit)\n"
        "  --eps             also check the AMF separation bit (EPS AKA, TS 33.401 6.1.1)\n"
        "  --json            one JSON object: diagnosis, findings, mac, key_material, sqn, amf,\n"
        "                    sqn_ms, sqn_ms_source, auts, message\n\n"
        "Exit status: 0 when the AUTN would be accepted, 1 when a problem was found, 2 on bad "
        "usage.\n");
}

static int run_diagnose(int argc, char **argv)
{
    const char *cmd = "rcprov aka diagnose";
    struct cli_mil_input in;
    uint8_t rand[16], autn[16], sqn_ms_b[6], auts[14];
    int have_rand = 0, have_autn = 0, have_sqn_ms = 0, have_auts = 0, json = 0, eps = 0;
    int help = 0;
    unsigned long long ind_bits = 0, delta = UINT64_C(1) << 28;
    struct diagnosis d;
    rcp_milenage m;
    memset(&in, 0, sizeof in);
    memset(&d, 0, sizeof d);
    memset(&m, 0, sizeof m);

    struct cli_opt opts[CLI_MIL_N_OPTS + 8];
    cli_mil_opts(&in, opts);
    size_t n = CLI_MIL_N_OPTS;
    opts[n++] = (struct cli_opt){"rand", CLI_HEX, rand, 16, &have_rand};
    opts[n++] = (struct cli_opt){"autn", CLI_HEX, autn, 16, &have_autn};
    opts[n++] = (struct cli_opt){"sqn-ms", CLI_HEX, sqn_ms_b, 6, &have_sqn_ms};
    opts[n++] = (struct cli_opt){"auts", CLI_HEX, auts, 14, &have_auts};
    opts[n++] = (struct cli_opt){"ind-bits", CLI_UINT, &ind_bits, RCP_AKA_MAX_IND_BITS, NULL};
    opts[n++] = (struct cli_opt){"delta", CLI_UINT, &delta, (size_t)RCP_SQN_MAX, NULL};
    opts[n++] = (struct cli_opt){"eps", CLI_FLAG, &eps, 0, NULL};
    opts[n++] = (struct cli_opt){"json", CLI_FLAG, &json, 0, NULL};

    int ret = cli_parse(cmd, argc, argv, 2, opts, n, &help);
    if (ret == 0 && help) {
        usage_diagnose(stdout);
        goto out;
    }
    rcp_milenage_consts consts;
    if (ret == 0)
        ret = cli_mil_check(cmd, &in, &consts);
    const char *missing = !have_rand ? "--rand" : !have_autn ? "--autn" : NULL;
    if (ret == 0 && missing) {
        fprintf(stderr, "%s: missing required option %s\n", cmd, missing);
        ret = CLI_EXIT_USAGE;
    }
    if (ret)
        goto out;

    /* MAC under the key material as given, then with OP and OPc swapped. */
    d.reading = -1;
    for (int swapped = 0; swapped <= 1 && d.reading < 0; swapped++) {
        int ok = 0;
        uint64_t sqn = 0;
        uint8_t amf[2];
        if (setup_reading(&in, &consts, swapped, &m) != 0 ||
            autn_mac_ok(&m, rand, autn, &sqn, amf, &ok) != 0)
            goto crypto_fail;
        if (ok) {
            d.reading = swapped;
            d.sqn = sqn;
            memcpy(d.amf, amf, 2);
        }
    }
    if (d.reading == 1)
        add_finding(&d, in.have_op ? F_OP_IS_OPC : F_OPC_IS_OP);
    else if (d.reading < 0)
        add_finding(&d, F_MAC_UNEXPLAINED);
    if (d.reading >= 0 && eps && !(d.amf[0] & 0x80))
        add_finding(&d, F_AMF_SEPARATION);

    /* SQN_MS: given, or recovered from AUTS under the reading that worked. */
    if (have_sqn_ms) {
        d.have_sqn_ms = 1;
        d.sqn_ms = rcp_be48_get(sqn_ms_b);
        d.sqn_ms_source = "option";
    }
    d.auts = "absent";
    if (have_auts) {
        int ok = 0;
        uint64_t sqn_ms = 0;
        for (int swapped = 0; swapped <= 1 && !ok; swapped++) {
            if (d.reading >= 0 && swapped != d.reading)
                continue;
            if (setup_reading(&in, &consts, swapped, &m) != 0 ||
                auts_ok(&m, rand, auts, &sqn_ms, &ok) != 0)
                goto crypto_fail;
        }
        d.auts = ok ? "ok" : "fail";
        if (!ok) {
            add_finding(&d, F_AUTS_MAC);
        } else if (!d.have_sqn_ms) {
            d.have_sqn_ms = 1;
            d.sqn_ms = sqn_ms;
            d.sqn_ms_source = "auts";
        }
    }
    if (d.reading >= 0 && d.have_sqn_ms) {
        int f = classify_sqn(d.sqn, d.sqn_ms, (unsigned)ind_bits, delta);
        if (f)
            add_finding(&d, (enum finding)(f - 1));
    }

    explain(&d, &in, delta);
    print_diagnosis(&d, json);
    ret = d.n_findings ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    goto out;

crypto_fail:
    fprintf(stderr, "%s: Milenage computation failed in the crypto library\n", cmd);
    ret = CLI_EXIT_FAIL;
out:
    rcp_milenage_wipe(&m);
    rcp_wipe(&in, sizeof in);
    return ret;
}

int cmd_aka(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "diagnose") == 0)
        return run_diagnose(argc, argv);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: rcprov aka diagnose [options]   (rcprov aka diagnose --help)\n");
        return CLI_EXIT_OK;
    }
    fprintf(stderr, "rcprov aka: %s (the subcommand is 'diagnose')\n",
            argc >= 2 ? "unknown subcommand" : "missing subcommand");
    return CLI_EXIT_USAGE;
}
