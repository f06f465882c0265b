/* Option parsing shared by the rcprov commands: one-line errors, exit 2. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "rcprov/bytes.h"

static const struct cli_opt *find_opt(const struct cli_opt *opts, size_t n, const char *name,
                                      size_t name_len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == name_len && strncmp(opts[i].name, name, name_len) == 0)
            return &opts[i];
    return NULL;
}

static int set_value(const char *cmd, const struct cli_opt *o, const char *val)
{
    switch (o->kind) {
    case CLI_HEX: {
        int ret = rcp_hex_decode_exact(val, o->dest, o->len);
        if (ret == RCP_ERR_LENGTH) {
            fprintf(stderr, "%s: --%s must be %zu bytes (%zu hex digits), got %zu hex digits\n",
                    cmd, o->name, o->len, 2 * o->len, strlen(val));
            return CLI_EXIT_USAGE;
        }
        if (ret != 0) {
            fprintf(stderr, "%s: --%s is not valid hex: '%s'\n", cmd, o->name, val);
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    case CLI_UINT: {
        char *end = NULL;
        errno = 0;
        if (val[0] < '0' || val[0] > '9') {
            fprintf(stderr, "%s: --%s must be a decimal number, got '%s'\n", cmd, o->name, val);
            return CLI_EXIT_USAGE;
        }
        unsigned long long v = strtoull(val, &end, 10);
        if (errno != 0 || *end != '\0' || v > o->len) {
            fprintf(stderr, "%s: --%s must be a decimal number from 0 to %zu, got '%s'\n", cmd,
                    o->name, o->len, val);
            return CLI_EXIT_USAGE;
        }
        *(unsigned long long *)o->dest = v;
        return 0;
    }
    case CLI_STRING:
        *(const char **)o->dest = val;
        return 0;
    case CLI_FLAG:
        break;
    }
    return CLI_EXIT_USAGE;
}

int cli_parse(const char *cmd, int argc, char **argv, int first, const struct cli_opt *opts,
              size_t n_opts, int *help)
{
    /* Track repeats without writing into the caller's seen flags twice. */
    unsigned char given[64] = {0};
    if (n_opts > sizeof given)
        return CLI_EXIT_USAGE;
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            if (help)
                *help = 1;
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            fprintf(stderr, "%s: unexpected argument '%s' (options start with --)\n", cmd, arg);
            return CLI_EXIT_USAGE;
        }
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const struct cli_opt *o = find_opt(opts, n_opts, name, name_len);
        if (o == NULL) {
            fprintf(stderr, "%s: unknown option '--%.*s' (see %s --help)\n", cmd, (int)name_len,
                    name, cmd);
            return CLI_EXIT_USAGE;
        }
        size_t idx = (size_t)(o - opts);
        if (given[idx]) {
            fprintf(stderr, "%s: option --%s given twice\n", cmd, o->name);
            return CLI_EXIT_USAGE;
        }
        given[idx] = 1;
        if (o->seen)
            *o->seen = 1;
        if (o->kind == CLI_FLAG) {
            if (eq) {
                fprintf(stderr, "%s: option --%s takes no value\n", cmd, o->name);
                return CLI_EXIT_USAGE;
            }
            *(int *)o->dest = 1;
            continue;
        }
        const char *val;
        if (eq) {
            val = eq + 1;
        } else if (i + 1 < argc) {
            val = argv[++i];
        } else {
            fprintf(stderr, "%s: option --%s needs a value\n", cmd, o->name);
            return CLI_EXIT_USAGE;
        }
        int ret = set_value(cmd, o, val);
        if (ret)
            return ret;
    }
    return 0;
}

void cli_print_hex(const char *name, const uint8_t *p, size_t len, int json, int last)
{
    char hex[2 * 64 + 1];
    if (rcp_hex_encode(p, len, hex, sizeof hex) != 0)
        hex[0] = '\0';
    if (json)
        printf("\"%s\":\"%s\"%s", name, hex, last ? "" : ",");
    else
        printf("%-8s %s\n", name, hex);
}
