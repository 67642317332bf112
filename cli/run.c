/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* run: start a program with the tlsdiag provider switched on for it and nothing else changed.
 * We exec the program in place, so its exit status, signals and pid are its own. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "phrases.h"
#include "cli.h"
#include "common.h"
#include "cnf.h"
#include "elfdeps.h"

static void run_usage(FILE *out)
{
    fputs("usage: tlsdiag run [-v] [--json] [--output DEST] [--] CMD [ARGS...]\n"
          "\n"
          "Run CMD with the tlsdiag provider switched on: every TLS handshake CMD makes through\n"
          "the system OpenSSL is watched, and a failed one is explained on stderr. OPENSSL_CONF\n"
          "is pointed at a config that includes the system one (or your own OPENSSL_CONF), so\n"
          "the TLS policy CMD sees is unchanged. tlsdiag exits with CMD's status.\n"
          "\n"
          "  -v, --verbose    also report successful handshakes (TLSDIAG=trace) and say which\n"
          "                   config is used\n"
          "      --json       JSON Lines instead of text (TLSDIAG_FORMAT=json)\n"
          "      --output D   stderr, file:PATH or syslog (TLSDIAG_OUTPUT)\n"
          "  -h, --help       this text\n"
          "\n"
          "For node, --openssl-shared-config is added and the config carries a nodejs_conf line.\n",
          out);
}

/* The file execvp would run, for inspecting node; "" when not found. */
static void find_in_path(const char *cmd, char *out, size_t cap)
{
    out[0] = '\0';
    if (strchr(cmd, '/') != NULL) {
        snprintf(out, cap, "%s", cmd);
        return;
    }
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir != NULL;
         dir = strtok_r(NULL, ":", &save)) {
        char probe[PATH_MAX];
        if ((size_t)snprintf(probe, sizeof(probe), "%s/%s", dir[0] ? dir : ".", cmd) >=
            sizeof(probe))
            continue;
        if (access(probe, X_OK) == 0) {
            snprintf(out, cap, "%s", probe);
            break;
        }
    }
    free(copy);
}

static int is_node(const char *cmd)
{
    const char *base = strrchr(cmd, '/');
    base = base ? base + 1 : cmd;
    return !strcmp(base, "node") || !strcmp(base, "nodejs");
}

/* Say whether the provider can see node's handshakes at all. It links the system libssl;
 * a node with its own static OpenSSL loads the provider through that copy, and the
 * provider's libssl calls bind to node's exported symbols. Without those exports they
 * would bind to a second, unused libssl and nothing would be seen. */
static void node_note(const char *cmd, int verbose)
{
    char exe[PATH_MAX], real[PATH_MAX];
    struct elf_openssl e;
    find_in_path(cmd, exe, sizeof(exe));
    if (exe[0] == '\0' || realpath(exe, real) == NULL) return;
    elf_openssl_inspect(real, &e);
    if (!e.readable) return;
    if (e.needs_libssl) {
        if (verbose) fprintf(stderr, "tlsdiag: run: %s links the system libssl\n", real);
    } else if (e.exports_ssl) {
        if (verbose)
            fprintf(
                stderr,
                "tlsdiag: run: %s carries its own OpenSSL (no libssl in its dynamic section) and\n"
                "  exports it; the provider is loaded by that copy and watches its handshakes\n",
                real);
    } else {
        fprintf(
            stderr,
            "tlsdiag: run: warning: %s has OpenSSL linked in statically and does not export\n"
            "  it, so the provider cannot see its handshakes (it would hook the system libssl,\n"
            "  which this node does not use)\n",
            real);
    }
}

/* The program for which to judge what TLS library does the work: git's own binary does no TLS,
 * its https helper does. */
static void tls_program(const char *cmd, char *exe, size_t cap)
{
    const char *base = strrchr(cmd, '/');
    base = base ? base + 1 : cmd;
    if (!strcmp(base, "git") && access("/usr/lib/git-core/git-remote-https", X_OK) == 0)
        snprintf(exe, cap, "%s", "/usr/lib/git-core/git-remote-https");
    else find_in_path(cmd, exe, cap);
}

/* Say so plainly when the program does not use OpenSSL at all: nothing it does can be seen,
 * and `tlsdiag check` is the way to look at its server instead. */
static void blind_spot_note(const char *cmd)
{
    char exe[PATH_MAX], real[PATH_MAX];
    struct elf_openssl e;
    tls_program(cmd, exe, sizeof(exe));
    if (exe[0] == '\0' || realpath(exe, real) == NULL) return;
    elf_openssl_inspect(real, &e);
    if (!e.readable || e.needs_libssl) return;
    const char *what = e.other_tls != NULL ? e.other_tls : e.go ? "Go's crypto/tls" : NULL;
    if (what == NULL) return;
    fprintf(stderr, "tlsdiag: run: warning: " TD_SAY_BLIND_SPOT, real, what, "HOST:PORT");
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "json", no_argument, NULL, 'j' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { COLOR_LONGOPT },
        { NULL, 0, NULL, 0 },
    };
    int verbose = 0, json = 0, c;
    const char *output = NULL;

    /* "+": stop at the first non-option, so CMD's own options are left alone. */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:vho:", opts, NULL)) != -1) {
        switch (c) {
        case 'v': verbose = 1; break;
        case 'j': json = 1; break;
        case 'o': output = optarg; break;
        case 'h': run_usage(stdout); return CLI_OK;
        case OPT_COLOR:
            if (!term_color_option("run", optarg)) return CLI_USAGE;
            break;
        case ':': cli_error("run", "option '%s' needs a value", argv[optind - 1]); return CLI_USAGE;
        default:
            cli_error("run", "unknown option '%s'", argv[optind - 1]);
            run_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("run", "no command given");
        run_usage(stderr);
        return CLI_USAGE;
    }
    char **cmd = argv + optind;
    int node = is_node(cmd[0]);

    struct cnf_choice choice;
    char err[PATH_MAX + 256];
    if (!cnf_choose(node, &choice, err, sizeof(err))) {
        cli_error("run", "%s", err);
        return CLI_USAGE;
    }
    const char *mode = getenv("TLSDIAG");
    int keep_trace = mode != NULL && !strcasecmp(mode, "trace");
    if (setenv("OPENSSL_CONF", choice.path, 1) != 0 ||
        setenv("TLSDIAG", verbose || keep_trace ? "trace" : "1", 1) != 0 ||
        (json && setenv("TLSDIAG_FORMAT", "json", 1) != 0) ||
        (output && setenv("TLSDIAG_OUTPUT", output, 1) != 0)) {
        cli_error("run", "cannot set the environment: %s", strerror(errno));
        return CLI_USAGE;
    }
    if (verbose) fprintf(stderr, "tlsdiag: run: OPENSSL_CONF=%s\n", choice.why);

    char **child_argv = cmd;
    char **with_flag = NULL;
    if (!node) blind_spot_note(cmd[0]);
    if (node) {
        node_note(cmd[0], verbose);
        int n = argc - optind, has_flag = 0;
        for (int i = 1; i < n; i++)
            if (!strcmp(cmd[i], "--openssl-shared-config")) has_flag = 1;
        if (!has_flag) {
            with_flag = calloc((size_t)n + 2, sizeof(char *));
            if (with_flag == NULL) return CLI_USAGE;
            with_flag[0] = cmd[0];
            with_flag[1] = "--openssl-shared-config";
            memcpy(with_flag + 2, cmd + 1, (size_t)(n - 1) * sizeof(char *));
            child_argv = with_flag;
        }
    }
    fflush(NULL);
    execvp(child_argv[0], child_argv);
    int e = errno;
    cli_error("run", "cannot run %s: %s", child_argv[0], strerror(e));
    free(with_flag);
    /* The shell's conventions: 127 not found, 126 found but not runnable. */
    return e == ENOENT ? 127 : 126;
}
