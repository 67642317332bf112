/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* guestlib: what the guest tests' C hosts share. Real OpenSSL handshakes between an SSL client
 * and an SSL server in the same process, joined by an in-memory BIO pair: no sockets, no ports,
 * so thousands of them fit in a few seconds. The identities are made at run time. */
#ifndef TLSDIAG_GUESTLIB_H
#define TLSDIAG_GUESTLIB_H
#include <stdio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct gl_identity {
    EVP_PKEY *key;
    X509 *cert; /* self-signed, P-256, CN=guest.test */
};

/* A fresh P-256 key and a self-signed certificate for it. Returns 1 on success. */
int gl_identity_new(struct gl_identity *id);
/* The same, with subjectAltNames made of escape characters: every report that shows them
 * grows several-fold when escaped, past a pipe buffer page (4096 bytes) in JSON. */
int gl_identity_new_bulky(struct gl_identity *id);
void gl_identity_free(struct gl_identity *id);

SSL_CTX *gl_server_ctx(const struct gl_identity *id);
/* A client that verifies the server and trusts `trusted` only (NULL: trusts nothing, so every
 * handshake fails certificate verification). max_version 0 means no limit. */
SSL_CTX *gl_client_ctx(X509 *trusted, int max_version);

enum gl_side { GL_PENDING = 0, GL_DONE = 1, GL_FAILED = -1 };

struct gl_outcome {
    enum gl_side client, server;
    int app_data_ok; /* after success: one byte went server -> client */
};

/* One handshake; sni may be NULL. After a success, one application byte goes from server to
 * client, so that a TLS 1.3 client also reads the server's session tickets. Leaves the
 * thread's error queue empty. */
void gl_handshake(SSL_CTX *client, SSL_CTX *server, const char *sni, struct gl_outcome *out);

/* Record every TLS secret OpenSSL derives for this context's connections (NSS key log lines),
 * so a test can prove none of them reaches tlsdiag's output. */
void gl_log_secrets(SSL_CTX *ctx, FILE *to);

/* The path of the loaded object whose name contains `needle` ("" when none), so a test can tell
 * which build of the provider a config really brought in (plain, ASan or TSan). */
const char *gl_loaded_object(const char *needle);

#endif
