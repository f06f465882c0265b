/* rcprov CLI — shared declarations: commands, exit codes, option parsing. */
#ifndef RCP_CLI_H
#define RCP_CLI_H

#include <stddef.h>
#include <stdint.h>

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

/* Option table: every option takes a value except flags. */
enum cli_opt_kind {
    CLI_FLAG,   /* no value; *(int *)dest = 1 */
    CLI_HEX,    /* exact-length hex into (uint8_t *)dest, len bytes */
    CLI_UINT,   /* decimal 0..max into (unsigned long *)dest */
    CLI_STRING, /* (const char **)dest */
};

struct cli_opt {
    const char *name; /* without the leading "--" */
    enum cli_opt_kind kind;
    void *dest;
    size_t len;        /* CLI_HEX: bytes; CLI_UINT: maximum value */
    int *seen;         /* optional: set to 1 when given */
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
