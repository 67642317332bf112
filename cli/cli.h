/* cli: the tlsdiag command. One file per subcommand; this header holds what they share. */
#ifndef TLSDIAG_CLI_H
#define TLSDIAG_CLI_H
#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand (run passes its child's status through). */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);

/* Colour is decided once, from stdout: a terminal and NO_COLOR unset or empty. */
void term_init(void);
extern int term_colour;
const char *term_on(const char *sgr);   /* "" when colour is off */
const char *term_off(void);
#define SGR_BOLD "1"
#define SGR_RED "31"
#define SGR_GREEN "32"
#define SGR_YELLOW "33"
#define SGR_DIM "2"

/* Print "tlsdiag: <command>: message" on stderr. */
void cli_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write s as a JSON string literal (quotes included), escaping what JSON requires. */
void json_string(FILE *out, const char *s);

/* The directory holding this executable, from /proc/self/exe; 0 when unknown. */
int self_dir(char *dir, size_t cap);

#endif
