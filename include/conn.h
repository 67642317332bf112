/* conn: the little state tlsdiag keeps per connection, and only once there is a reason to. */
#ifndef TLSDIAG_CONN_H
#define TLSDIAG_CONN_H
#include <stdint.h>
#include <openssl/x509.h>

enum {
    TD_CONN_ALERT_SENT = 1 << 0,    /* we sent a fatal alert */
    TD_CONN_ALERT_RECEIVED = 1 << 1,/* the peer sent us a fatal alert */
    TD_CONN_NOT_TLS = 1 << 2,       /* a received record header was not TLS */
    TD_CONN_REPORTED = 1 << 3,      /* the failure has been explained */
};

struct td_report;

struct td_conn {
    uint32_t flags;
    uint8_t sent_level, sent_desc;
    uint8_t recv_level, recv_desc;
    uint8_t header[5];
    uint8_t header_len;
    unsigned long err_at_alert;     /* error peeked when we sent our fatal alert */
    long verify_seen;               /* a failed verification, seen when its store ctx went */
    int verify_seen_depth;
    /* What that verification was given. A server does not keep a client's chain that failed,
     * so this is the only place to describe it from. References, freed with the state. */
    X509 *failed_leaf;
    STACK_OF(X509) *failed_chain;
    /* A client whose host verifies after the handshake (curl 8, Node) finished it with a bad
     * certificate: the explanation, made while the SSL was whole, waits to see whether the
     * host sends data (it accepted) or closes (it refused). */
    struct td_report *pending;
};

#endif
