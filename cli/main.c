/* tlsdiag: the command-line face of the tlsdiag provider. `run` switches the provider on for
 * another program, `check` makes one handshake the way a default client here would, and
 * `explain` reads an error message pasted from a log. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

int term_colour;

void term_init(void)
{
    const char *no_colour = getenv("NO_COLOR");
    term_colour = isatty(STDOUT_FILENO) && (no_colour == NULL || no_colour[0] == '\0');
}

const char *term_on(const char *sgr)
{
    static char buf[4][16];
    static int next;
    if (!term_colour) return "";
    char *b = buf[next++ % 4];
    snprintf(b, sizeof(buf[0]), "\033[%sm", sgr);
    return b;
}

const char *term_off(void)
{
    return term_colour ? "\033[0m" : "";
}

void cli_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tlsdiag: %s%s", command ? command : "", command ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p == '\t') fputs("\\t", out);
        else if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

int self_dir(char *dir, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) return 0;
    *slash = '\0';
    if ((size_t)snprintf(dir, cap, "%s", exe[0] ? exe : "/") >= cap) return 0;
    return 1;
}

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
