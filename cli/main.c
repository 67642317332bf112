/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* tlsdiag: the command-line face of the tlsdiag provider. `run` switches the provider on for
 * another program, `check` makes one handshake the way a default client here would,
 * `explain` reads an error message pasted from a log, and `config` prints the openssl.cnf that
 * enables the provider (make builds and installs its output). */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "common.h"

static void usage(FILE *out)
{
    fputs("usage: tlsdiag COMMAND [ARGS...]\n"
          "\n"
          "Explain failed TLS handshakes, mapped to the PyMongo \"Troubleshooting TLS\" guide.\n"
          "\n"
          "commands:\n"
          "  run [-v] -- CMD [ARGS...]   run CMD with the tlsdiag provider switched on\n"
          "  check HOST[:PORT]           one handshake the way a default client here would\n"
          "  explain TEXT | -            read a TLS error message pasted from a log\n"
          "  config [--snippet] [--mode MODE] --module PATH [SYSTEM_CNF]\n"
          "                              print an openssl.cnf that switches the provider on\n"
          "\n"
          "`tlsdiag COMMAND --help` describes each command; see also tlsdiag(1), tlsdiag(7).\n",
          out);
}

int main(int argc, char **argv)
{
    term_init();
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *command = argv[1];
    if (!strcmp(command, "run")) return cmd_run(argc - 1, argv + 1);
    if (!strcmp(command, "check")) return cmd_check(argc - 1, argv + 1);
    if (!strcmp(command, "explain")) return cmd_explain(argc - 1, argv + 1);
    if (!strcmp(command, "config")) return cmd_config(argc - 1, argv + 1);
    if (!strcmp(command, "--help") || !strcmp(command, "-h") || !strcmp(command, "help")) {
        usage(stdout);
        return CLI_OK;
    }
    if (!strcmp(command, "--version")) {
        printf("tlsdiag %s\n", TLSDIAG_VERSION);
        return CLI_OK;
    }
    cli_error(NULL, "unknown command '%s'", command);
    usage(stderr);
    return CLI_USAGE;
}
