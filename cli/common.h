/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* common: what every tlsdiag subcommand shares: exit statuses, colour, error lines, JSON
 * strings, where the executable lives. */
#ifndef TLSDIAG_CLI_COMMON_H
#define TLSDIAG_CLI_COMMON_H
#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand (run passes its child's status through). */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* Colour is decided once, from stdout: a terminal and NO_COLOR unset or empty. */
void term_init(void);
const char *term_on(const char *sgr); /* "" when colour is off */
const char *term_off(void);
#define SGR_BOLD "1"
#define SGR_RED "31"
#define SGR_GREEN "32"
#define SGR_YELLOW "33"

/* Print "tlsdiag: <command>: message" on stderr. */
void cli_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write s as a JSON string literal (quotes included), escaped as the provider escapes its own
 * output (td_escape): a hostile name cannot break the JSON or forge a terminal line. */
void json_string(FILE *out, const char *s);

/* The directory holding this executable, from /proc/self/exe; 0 when unknown. */
int self_dir(char *dir, size_t cap);

#endif
