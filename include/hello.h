/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* hello: bounds-checked parsing of ClientHello and ServerHello bodies.
 * Input is peer-controlled: every read is checked against the length. */
#ifndef TLSDIAG_HELLO_H
#define TLSDIAG_HELLO_H
#include <stddef.h>
#include <stdint.h>

#define TD_HELLO_MAX_VERSIONS 8
#define TD_HELLO_MAX_CIPHERS 128
#define TD_HELLO_MAX_GROUPS 24
#define TD_HELLO_MAX_SIGALGS 32
#define TD_HELLO_SNI_MAX 255

struct td_hello {
    int parsed; /* 1 when the message parsed completely */
    int is_server_hello;
    uint16_t legacy_version;
    uint16_t versions[TD_HELLO_MAX_VERSIONS]; /* supported_versions, as sent */
    int n_versions;
    uint16_t ciphers[TD_HELLO_MAX_CIPHERS]; /* ServerHello: ciphers[0] is the chosen one */
    int n_ciphers;                          /* count as sent, may exceed what was stored */
    uint16_t groups[TD_HELLO_MAX_GROUPS];
    int n_groups;
    uint16_t sigalgs[TD_HELLO_MAX_SIGALGS];
    int n_sigalgs;
    int has_sni;
    char sni[TD_HELLO_SNI_MAX + 1]; /* raw bytes, NUL-terminated; escape before printing */
    int status_request;             /* extension 5 present */
    int renegotiation_info;         /* extension 0xff01 present */
    int scsv;                       /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV offered */
};

/* Parse a handshake message body including its 4-byte header (type, 24-bit length),
 * as the msg callback delivers it. Returns 1 on success, 0 when malformed. */
int td_hello_parse(const unsigned char *msg, size_t len, struct td_hello *out);

/* Only the first host_name a ClientHello asks for, raw and NUL-terminated in sni (cap bytes):
 * what a server's repeated failure is counted under, without the lists td_hello_parse keeps.
 * 1 if there is one; sni is left alone otherwise. */
int td_hello_sni(const unsigned char *msg, size_t len, char *sni, size_t cap);

/* The highest version a hello offers (ClientHello) or selects (ServerHello). */
uint16_t td_hello_version(const struct td_hello *h);

#endif
