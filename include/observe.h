/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* observe: everything tlsdiag learns about one connection, read from the SSL, its certificates
 * and the process's environment into a td_report. It is the only part that reads the world:
 * classify.c decides from the report alone. Callers bracket both calls with an error mark. */
#ifndef TLSDIAG_OBSERVE_H
#define TLSDIAG_OBSERVE_H
#include <openssl/ssl.h>
#include "conn.h"
#include "report.h"

/* When a report is made: at the failed handshake's exit, at a fatal alert (no exit will come),
 * when the SSL is freed (3.0/3.1 only), at a successful handshake's end (trace), or at the end
 * of a handshake whose certificate failed but that went on (kept until the host decides). */
enum td_when { TD_AT_EXIT, TD_AT_ALERT, TD_AT_FREE, TD_AT_DONE, TD_AT_DONE_UNVERIFIED };

/* The facts a repeat is recognised by and that must be read first: the host's error (peeked),
 * the peer, the alerts, the verify result, the name asked for. Only r's key (struct td_report's
 * first fields) is written. Plain getters; no I/O. */
void td_observe_key(struct td_report *r, SSL *ssl, const struct td_conn *c, enum td_when when);

/* The rest: the program, both hellos, versions and suite, the certificates, the staple (checked
 * against a private store of the host store's certificates on the chain's path, so that no
 * callback or lookup of the host's store runs), the trust store's files, the policy. */
void td_observe_rest(struct td_report *r, SSL *ssl, const struct td_conn *c, enum td_when when);

/* A name the host refused after the handshake, on a connection that can no longer be looked into
 * (see struct td_conn's kept_* fields): the report from what was kept. */
void td_observe_kept(struct td_report *r, const struct td_conn *c);

/* "ip:port" of the socket under the SSL, or "" (memory BIOs, custom BIOs, a closed peer). */
void td_peer_address(SSL *ssl, char *dst, size_t cap);
/* Only the address of the peer (no port, no brackets), "" when the connection has no socket. */
void td_peer_ip(SSL *ssl, char *dst, size_t cap);

/* In a fork's child: the locks observe keeps start afresh. */
void td_observe_after_fork(void);

#endif
