/* rcprov CLI — shared declarations: commands, exit codes, option parsing. */
#ifndef RCP_CLI_H
#define RCP_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* the command ran and its answer is "no" */
#define CLI_EXIT_USAGE 2 /* bad option, missing option, bad value */

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

int cmd_milenage(int argc, char **argv);
int cmd_aka(int argc, char **argv);
int cmd_pki(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_device(int argc, char **argv);
int cmd_sp(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_deploy(int argc, char **argv);
int cmd_crash(int argc, char **argv);

#include "rcprov/crypto.h"
/* --curve p256|brainpoolp256r1 and --suite gcm|cbc-hmac (suite_s may be
 * NULL): prints the error and returns CLI_EXIT_USAGE, or 0. */
int cli_curve_suite(const char *cmd, const char *curve_s, const char *suite_s, rcp_curve *curve,
                    rcp_seal_suite *suite);

/* Option table: every option takes a value except flags. */
enum cli_opt_kind {
    CLI_FLAG,   /* no value; *(int *)dest = 1 */
    CLI_HEX,    /* exact-length hex into (uint8_t *)dest, len bytes */
    CLI_UINT,   /* decimal 0..max into (unsigned long long *)dest */
    CLI_STRING, /* (const char **)dest */
};

struct cli_opt {
    const char *name; /* without the leading "--" */
    enum cli_opt_kind kind;
    void *dest;
    size_t len; /* CLI_HEX: bytes; CLI_UINT: maximum value */
    int *seen;  /* optional: set to 1 when given */
};

/* Parse argv[first..argc) against opts.  Prints a one-line error naming the
 * option on stderr and returns CLI_EXIT_USAGE on any problem (unknown
 * option, missing value, bad hex, wrong length, repeated option); 0 on
 * success.  "--help" sets *help (if non-NULL) and stops. */
int cli_parse(const char *cmd, int argc, char **argv, int first, const struct cli_opt *opts,
              size_t n_opts, int *help);

/* Print "name": "hex" JSON member / "name hex" text line. */
void cli_print_hex(const char *name, const uint8_t *p, size_t len, int json, int last);

#endif

/* ------------------------------------------- Milenage key material options
 * --k, --op | --opc, --c1..--c5, --r1..--r5, shared by every command that
 * runs Milenage. */
#include "rcprov/milenage.h"

#define CLI_MIL_N_OPTS 13

struct cli_mil_input {
    uint8_t k[16], op[16], opc[16];
    int have_k, have_op, have_opc;
    uint8_t c[5][16];
    int have_c[5];
    unsigned long long r[5];
    int have_r[5];
};

/* Write the CLI_MIL_N_OPTS option entries for in into opts. */
void cli_mil_opts(struct cli_mil_input *in, struct cli_opt *opts);

/* Check presence (K; exactly one of OP/OPc) and build the constants
 * (defaults of TS 35.206 where not given).  Prints the error; returns 0 or
 * CLI_EXIT_USAGE. */
int cli_mil_check(const char *cmd, const struct cli_mil_input *in, rcp_milenage_consts *consts);

/* Milenage parameters from K and OPc (the given OPc, or OPc computed from
 * the given OP when use_op). */
int cli_mil_setup(const struct cli_mil_input *in, const uint8_t *op_or_opc, int is_op,
                  const rcp_milenage_consts *consts, rcp_milenage *m);

/* Milenage option help lines. */
void cli_mil_usage(FILE *f);
