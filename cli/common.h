/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* common: what every tlsdiag subcommand shares: exit statuses, colour, glyphs, error lines,
 * JSON strings, where the executable lives. */
#ifndef TLSDIAG_CLI_COMMON_H
#define TLSDIAG_CLI_COMMON_H
#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand (run passes its child's status through). */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* main's argv, whole (global options included): what check re-executes. */
extern char **cli_argv;

/* Called once at start. Colour by default ("auto") when stdout is a terminal, NO_COLOR is unset
 * or empty and TERM is not "dumb"; --color=always|never overrides that, the environment
 * included. Glyphs (see glyph) are UTF-8 only when the locale's charset is. */
void term_init(void);
/* The global --color=WHEN, accepted by main before the command and by every command's getopt
 * ({ COLOR_LONGOPT } in its table); 0 after an error line naming the allowed values. */
int term_color_option(const char *command, const char *when);
enum { OPT_COLOR = 0x100 };
#define COLOR_LONGOPT "color", required_argument, NULL, OPT_COLOR

const char *term_on(const char *sgr); /* "" when colour is off */
const char *term_off(void);
#define SGR_BOLD "1"
#define SGR_RED "31"
#define SGR_GREEN "32"
#define SGR_YELLOW "33"

/* Every non-ASCII character the command prints, with its ASCII stand-in for other charsets. */
enum glyph { GLYPH_OK, GLYPH_FAIL, GLYPH_BRANCH, GLYPH_DASH, GLYPH_ARROW };
const char *glyph(enum glyph g);

/* Print "tlsdiag: <command>: message" on stderr. */
void cli_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write s as a JSON string literal (quotes included), escaped as the provider escapes its own
 * output (td_escape): a hostile name cannot break the JSON or forge a terminal line. */
void json_string(FILE *out, const char *s);

/* The directory holding this executable, from /proc/self/exe; 0 when unknown. */
int self_dir(char *dir, size_t cap);

#endif
