/* observe: gather the facts about one connection into a td_report, at failure time
 * (or at handshake end in trace mode). Everything it calls is bracketed by an error mark. */
#ifndef TLSDIAG_OBSERVE_H
#define TLSDIAG_OBSERVE_H
#include <openssl/ssl.h>
#include "report.h"
#include "conn.h"

/* When a report is made: at the failed handshake's exit, at a fatal alert (no exit will come),
 * when the SSL is freed (3.0/3.1 only), at a successful handshake's end (trace), or at the end
 * of a handshake whose certificate failed but that went on (kept until the host decides). */
enum td_when { TD_AT_EXIT, TD_AT_ALERT, TD_AT_FREE, TD_AT_DONE, TD_AT_DONE_UNVERIFIED };

/* What must be read in the host's own thread: its error queue, the per-thread hello cache, and
 * plain getters. Touches nothing that could disturb the host. */
void td_observe_local(struct td_report *r, SSL *ssl, const struct td_conn *c, enum td_when when);

/* The rest: certificates, a re-run of the verification, the staple. Some of OpenSSL's X509
 * code clears the calling thread's error queue (marks included), so hook.c runs this on a
 * thread of its own. */
void td_observe_deep(struct td_report *r, SSL *ssl, const struct td_conn *c, enum td_when when);

/* Trust store facts for CERTIFICATE_VERIFY_FAILED evidence; returns the number of CA
 * certificates the connection's store could reach (0 means nothing usable was loaded). */
int td_observe_trust_store(struct td_report *r, SSL *ssl);

/* Where the minimum/maximum version comes from (config file and section, or the application). */
void td_observe_version_source(struct td_report *r, SSL *ssl);

/* "ip:port" of the socket under the SSL, or "" (memory BIOs, custom BIOs, a closed peer). */
void td_peer_address(SSL *ssl, char *dst, size_t cap);

/* Describe a certificate into dst (subject, issuer, dates, SAN, key, digest, EKU, AIA). */
void td_cert_describe(X509 *x, struct td_cert *dst);

#endif
