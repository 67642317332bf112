/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* tlsdiag: the command-line face of the tlsdiag provider. `run` switches the provider on for
 * another program, `check` makes one handshake the way a default client here would,
 * `explain` reads an error message pasted from a log, and `config` prints the openssl.cnf that
 * enables the provider (make builds and installs its output); `report` sums up many hosts'
 * JSON Lines events. */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "common.h"

static void usage(FILE *out)
{
    fputs("usage: tlsdiag [--color=WHEN] COMMAND [ARGS...]\n"
          "       tlsdiag -V | --version | -h | --help\n"
          "\n"
          "Explain failed TLS handshakes, mapped to the PyMongo \"Troubleshooting TLS\" guide.\n"
          "\n"
          "commands:\n"
          "  run [-v] -- CMD [ARGS...]   run CMD with the tlsdiag provider switched on\n"
          "  check HOST[:PORT]           one handshake the way a default client here would\n"
          "  explain TEXT | -            read a TLS error message pasted from a log\n"
          "  config [--snippet] [--mode MODE] --module PATH [SYSTEM_CNF]\n"
          "                              print an openssl.cnf that switches the provider on\n"
          "  report [--json] [--since TIME] [--top N] [FILE...]\n"
          "                              sum up JSON Lines events from many hosts by cause\n"
          "\n"
          "options (--color also after any COMMAND):\n"
          "  --color=WHEN                auto (default: on a terminal, NO_COLOR unset or empty,\n"
          "                              TERM not dumb), always or never\n"
          "  -V, --version               print the version\n"
          "  -h, --help                  this text\n"
          "\n"
          "`tlsdiag COMMAND --help` describes each command; see also tlsdiag(1), tlsdiag(7).\n",
          out);
}

int main(int argc, char **argv)
{
    int i = 1;
    cli_argv = argv;
    term_init();
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strncmp(a, "--color=", 8) || !strcmp(a, "--color")) {
            const char *when = a[7] == '=' ? a + 8 : i + 1 < argc ? argv[++i] : "";
            if (!term_color_option(NULL, when)) return CLI_USAGE;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return CLI_OK;
        } else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
            printf("tlsdiag %s\n", TLSDIAG_VERSION);
            return CLI_OK;
        } else {
            cli_error(NULL, "unknown option '%s'", a);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *command = argv[i];
    argc -= i;
    argv += i;
    if (!strcmp(command, "run")) return cmd_run(argc, argv);
    if (!strcmp(command, "check")) return cmd_check(argc, argv);
    if (!strcmp(command, "explain")) return cmd_explain(argc, argv);
    if (!strcmp(command, "config")) return cmd_config(argc, argv);
    if (!strcmp(command, "report")) return cmd_report(argc, argv);
    if (!strcmp(command, "help")) {
        usage(stdout);
        return CLI_OK;
    }
    cli_error(NULL, "unknown command '%s'", command);
    usage(stderr);
    return CLI_USAGE;
}
