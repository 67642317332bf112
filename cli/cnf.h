/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* cnf: which openssl.cnf switches the tlsdiag provider on for a process while keeping the
 * TLS policy it would have had anyway (the system config, or the caller's OPENSSL_CONF).
 * `tlsdiag config` (cmd_config, cli.h) prints what the same composer makes for make. */
#ifndef TLSDIAG_CLI_CNF_H
#define TLSDIAG_CLI_CNF_H
#include <limits.h>
#include <stddef.h>

struct cnf_choice {
    char path[PATH_MAX];   /* what OPENSSL_CONF should be set to */
    char own[PATH_MAX];    /* tlsdiag's own config (build/openssl.cnf or the installed one) */
    char module[PATH_MAX]; /* the provider module that config activates */
    char why[2 * PATH_MAX + 128]; /* one line on how path was chosen, for -v */
};

/* for_node: the config must also carry a nodejs_conf line, because Node reads that key
 * instead of openssl_conf. Returns 1, or 0 with a message in err. Uses OpenSSL's own config
 * parser, so call it before anything depends on this process's config being unloaded. */
int cnf_choose(int for_node, struct cnf_choice *c, char *err, size_t errcap);

#endif
