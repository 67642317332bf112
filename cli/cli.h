/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* cli: the tlsdiag command's subcommands, one file each, dispatched by main.c. What they share
 * is in common.h. */
#ifndef TLSDIAG_CLI_H
#define TLSDIAG_CLI_H

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_config(int argc, char **argv); /* in cnf.c, next to the composer it prints */
int cmd_report(int argc, char **argv);

#endif
