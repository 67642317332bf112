/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* conn: what tlsdiag keeps about one connection, in the SSL's own ex_data slot, so that no
 * fact can ever be attributed to another connection: it is created by the first record the
 * connection handles (our ClientHello, or the peer's first record on a server), reset when a
 * new handshake starts on the same SSL (SSL_clear, renegotiation), and freed when the handshake
 * completes with nothing left to keep, or with the SSL. */
#ifndef TLSDIAG_CONN_H
#define TLSDIAG_CONN_H
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

enum {
    TD_CONN_ALERT_SENT = 1 << 0,       /* we sent a fatal alert */
    TD_CONN_ALERT_RECEIVED = 1 << 1,   /* the peer sent us a fatal alert */
    TD_CONN_NOT_TLS = 1 << 2,          /* a received record header was not TLS */
    TD_CONN_REPORTED = 1 << 3,         /* this handshake's failure has been explained */
    TD_CONN_PEER_SPOKE = 1 << 4,       /* at least one record header came from the peer */
    TD_CONN_DONE = 1 << 5,             /* this handshake completed */
    TD_CONN_APP_DATA_SENT = 1 << 6,    /* the host sent application data: it accepted the peer */
    TD_CONN_NAME_UNCHECKED = 1 << 7,   /* completed with a certificate OpenSSL was not asked to
                                      * match to a name: the host may match it itself, and
                                      * refuse by closing before it sends anything */
    TD_CONN_FIN_SENT = 1 << 8,         /* our Finished went out (msg callback) */
    TD_CONN_FIN_RECEIVED = 1 << 9,     /* the peer's Finished came in (msg callback) */
    TD_CONN_NO_CLIENT_CERT = 1 << 10,  /* a server completed a handshake that asked for a client
                                       * certificate without requiring one of OpenSSL (nginx's
                                       * ssl_verify_client on) and got none: the host may refuse
                                       * the client itself, decided when the connection ends */
    TD_CONN_NO_CERT_REFUSED = 1 << 11, /* ... and it did (server_refused_after_handshake) */
};

struct td_report;

/* A hello exactly as it crossed the wire (the handshake message, header included), in the
 * connection's own inline space when it fits (the common case: one allocation per handshake),
 * else on the heap. */
struct td_hello_bytes {
    unsigned char *msg;
    size_t len, cap;
    int on_heap;
};

/* Room kept for the ServerHello when the state is made for a ClientHello (a usual one is about
 * 130 bytes; a post-quantum key share takes the heap). */
#define TD_CONN_SERVER_HELLO_ROOM 160

struct td_conn {
    uint32_t flags;
    uint8_t sent_level, sent_desc;
    uint8_t recv_level, recv_desc;
    uint8_t header[5];
    uint8_t header_len;
    uint8_t inner_type_sent;    /* TLS 1.3: the true type of the record going out now */
    unsigned long err_at_alert; /* error peeked when we sent our fatal alert */
    long verify_seen;           /* a failed verification, seen when its store ctx went */
    int verify_seen_depth;
    /* What that verification was given. References, freed with the state. */
    X509 *failed_leaf;
    STACK_OF(X509) *failed_chain;
    /* The two hellos of the current handshake; freed once it completes. */
    struct td_hello_bytes client_hello, server_hello;
    char addr[64];       /* a server's peer, noted when its first record came */
    char *name_to_check; /* with NAME_UNCHECKED: the name the client asked for (heap: the state
                          * of every other connection stays small) */
    /* With NAME_UNCHECKED, what a report made after the SSL is gone needs (from OpenSSL 3.2 on
     * a connection being freed must not be looked into): a reference to the certificate, the
     * version, and the suite's name (OpenSSL's own static string). */
    X509 *kept_leaf;
    int kept_version;
    const char *kept_cipher;
    /* A finished explanation waiting for the host's decision: made while the SSL was whole,
     * emitted if the host gives up (closes, frees, starts over), dropped if it carries on. */
    struct td_report *pending;
    /* What decides it:
     *   UNVERIFIED   a client finished a handshake whose certificate failed (curl and Node
     *                decide afterwards): sending data is carrying on, closing is giving up;
     *   CLIENT_CERT  a server did so with a client's certificate: only the application's own
     *                refusal (see server_refused_after_handshake) makes it a failure;
     *   SILENT_EXIT  a handshake call returned a system error with nothing on the error queue:
     *                any further record is carrying on (a driver's BIO pausing looks the same),
     *                the connection ending is giving up. */
    enum {
        TD_PENDING_NONE,
        TD_PENDING_UNVERIFIED,
        TD_PENDING_CLIENT_CERT,
        TD_PENDING_SILENT_EXIT
    } pending_kind;
    /* While a decision waits (pending, NAME_UNCHECKED): the list hook.c walks at exit, for hosts
     * that exit without freeing the connection they gave up on (Node's process.exit). */
    struct td_conn *undecided_prev, *undecided_next;
    SSL *undecided_ssl;
    unsigned long undecided_gen;
    /* A DHE ServerKeyExchange received: the bit length of the server's prime (dh_key_too_small),
     * 0 when none came. */
    uint16_t dh_bits;
    size_t inline_used, inline_cap;
    unsigned char inline_hellos[]; /* sized when the state is made; not zeroed */
};

#endif
