/* rcprov — command-line tool for engineers. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct cli_command k_commands[] = {
    {"milenage", "run Milenage f1..f5* on given K, OP/OPc, RAND, SQN, AMF", cmd_milenage},
    {"aka", "AKA tools: 'aka diagnose' explains why a USIM rejects an AUTN", cmd_aka},
    {"pki", "X.509 and compact CAs: init, issue, cross, revoke, crl, verify, show", cmd_pki},
    {"sim", "run a flow's whole world in one process: 'sim uuid-attach --devices N'", cmd_sim},
    {"bench", "measured cost as ratios: 'bench certs', 'bench uuid-attach-sn', "
              "'bench uuid-attach --net'", cmd_bench},
    {"sp", "the SP/OEM: 'sp register' a UUID at an Authorization Server", cmd_sp},
    {"device", "a device over the network: 'device uuid-attach --sn URL --state DIR'", cmd_device},
    {"deploy", "write a loopback deployment: PKI, rcprovd configs, SP, devices", cmd_deploy},
    {"crash", "crash safety: kill daemons at random under load, then check the stores",
     cmd_crash},
    {"demo", "PKI, daemons and N devices over CoAP on loopback, with a table", cmd_demo},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: rcprov COMMAND [options]   (rcprov COMMAND --help for details)\n\n");
    fprintf(f, "commands:\n");
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        fprintf(f, "  %-10s %s\n", k_commands[i].name, k_commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof k_commands / sizeof k_commands[0]; i++)
        if (strcmp(argv[1], k_commands[i].name) == 0)
            return k_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "rcprov: unknown command '%s' (see rcprov --help)\n", argv[1]);
    return CLI_EXIT_USAGE;
}
