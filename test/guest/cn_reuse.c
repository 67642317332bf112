/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* cn_reuse: connections that reuse an SSL object, or its address, in one thread, so that
 * t_connections.py can prove every report names its own connection only.
 *
 * usage: cn_reuse free ROUNDS
 *   Each round: a good handshake with SNI tenant<N>.reuse.test (server in this thread, client
 *   in a thread of its own over a socketpair, like a server process and its remote client),
 *   the server SSL freed, then at once a fresh server SSL (SSL_new right after SSL_free: the
 *   allocator hands the freed address back; if not, SSL_new again, up to 32 times, holding
 *   the others, until it does) that fails before any ClientHello of its own
 *   reaches it, over an in-memory BIO pair. Odd rounds feed it plain HTTP ("GET / HTTP/1.0",
 *   not TLS), even rounds a TLS record header and the first 4 bytes of a handshake message,
 *   then EOF (the peer went away). Prints one line per round:
 *     round=N good_server=%p bad_server=%p bad=<not_tls|eof> good=<0|1> failed=<0|1>
 *   and exits 0 when every good handshake succeeded and every bad one failed.
 *
 * usage: cn_reuse clear
 *   One client SSL and one server SSL, used twice with SSL_clear() in between:
 *   1. SNI first.clear.test, a client that trusts nothing (certificate verification fails);
 *   2. SNI second.clear.test, client capped at TLS 1.2 and server at least TLS 1.3
 *      (versions do not meet); the client now trusts the server, so only versions fail.
 *   Prints "client=%p server=%p" per attempt and "outcome=FF" when both failed (exit 0). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "guestlib.h"

/* Run both sides until neither moves; returns 1 when both finished the handshake. */
static int drive(SSL *client, SSL *server)
{
    enum gl_side c = GL_PENDING, s = GL_PENDING;
    for (int round = 0; round < 16 && (c == GL_PENDING || s == GL_PENDING); round++) {
        if (c == GL_PENDING) {
            int r = SSL_do_handshake(client), e = SSL_get_error(client, r);
            c = r == 1                                                  ? GL_DONE
                : e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? GL_PENDING
                                                                        : GL_FAILED;
        }
        if (s == GL_PENDING) {
            int r = SSL_do_handshake(server), e = SSL_get_error(server, r);
            s = r == 1                                                  ? GL_DONE
                : e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? GL_PENDING
                                                                        : GL_FAILED;
        }
    }
    ERR_clear_error();
    return c == GL_DONE && s == GL_DONE;
}

static int pair(SSL *client, SSL *server)
{
    BIO *a = NULL, *b = NULL;
    if (!BIO_new_bio_pair(&a, 0, &b, 0)) return 0;
    SSL_set_bio(client, a, a);
    SSL_set_bio(server, b, b);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    return 1;
}

struct client_job {
    SSL_CTX *ctx;
    int fd;
    const char *sni;
    int ok;
};

/* The good connection's client, in a thread of its own over a socket: the server thread sees
 * only the server's side of it, as a server process would. */
static void *client_thread(void *arg)
{
    struct client_job *j = arg;
    SSL *ssl = SSL_new(j->ctx);
    if (ssl != NULL && SSL_set_fd(ssl, j->fd) && SSL_set_tlsext_host_name(ssl, j->sni)) {
        char byte = 0;
        j->ok = SSL_connect(ssl) == 1 && SSL_read(ssl, &byte, 1) == 1 && byte == 'x';
        SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    ERR_clear_error();
    return NULL;
}

static int run_free(int rounds)
{
    struct gl_identity id;
    SSL_CTX *server_ctx, *client_ctx;
    if (!gl_identity_new(&id) || (server_ctx = gl_server_ctx(&id)) == NULL ||
        (client_ctx = gl_client_ctx(id.cert, 0)) == NULL)
        return 1;
    int as_planned = 1;
    for (int n = 1; n <= rounds; n++) {
        char sni[64];
        snprintf(sni, sizeof(sni), "tenant%d.reuse.test", n);
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
        struct client_job job = { client_ctx, sv[1], sni, 0 };
        pthread_t t;
        if (pthread_create(&t, NULL, client_thread, &job) != 0) return 1;
        SSL *server = SSL_new(server_ctx);
        if (server == NULL || !SSL_set_fd(server, sv[0])) return 1;
        int good = SSL_accept(server) == 1 && SSL_write(server, "x", 1) == 1;
        pthread_join(t, NULL);
        good = good && job.ok;
        void *good_addr = server;
        SSL_free(server);
        close(sv[0]);
        close(sv[1]);
        ERR_clear_error();

        /* Usually the first SSL_new gets the freed block back; if another block comes first,
         * hold it and ask again (a few times), so that the bad SSL has the good one's address. */
        SSL *held[32];
        int n_held = 0;
        SSL *bad = SSL_new(server_ctx);
        while (bad != NULL && (void *)bad != good_addr && n_held < 32) {
            held[n_held++] = bad;
            bad = SSL_new(server_ctx);
        }
        BIO *ours = NULL, *theirs = NULL;
        if (bad == NULL || !BIO_new_bio_pair(&ours, 0, &theirs, 0)) return 1;
        SSL_set_bio(bad, theirs, theirs);
        SSL_set_accept_state(bad);
        const char *kind = n % 2 ? "not_tls" : "eof";
        if (n % 2) {
            const char *http = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
            BIO_write(ours, http, (int)strlen(http));
        } else {
            /* A TLS handshake record that announces 512 bytes; only its first 4 come. */
            static const unsigned char part[9] = { 0x16, 0x03, 0x01, 0x02, 0x00,
                                                   0x01, 0x00, 0x01, 0xfc };
            BIO_write(ours, part, sizeof(part));
            BIO_shutdown_wr(ours);
        }
        int r = SSL_do_handshake(bad);
        int failed = r != 1 && SSL_get_error(bad, r) != SSL_ERROR_WANT_READ;
        ERR_clear_error();
        printf("round=%d good_server=%p bad_server=%p bad=%s good=%d failed=%d\n", n, good_addr,
               (void *)bad, kind, good, failed);
        if (!good || !failed) as_planned = 0;
        SSL_free(bad);
        BIO_free(ours);
        while (n_held > 0) SSL_free(held[--n_held]);
    }
    fflush(stdout);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    gl_identity_free(&id);
    return as_planned ? 0 : 1;
}

static int run_clear(void)
{
    struct gl_identity id;
    SSL_CTX *server_ctx, *client_ctx;
    if (!gl_identity_new(&id) || (server_ctx = gl_server_ctx(&id)) == NULL ||
        (client_ctx = gl_client_ctx(NULL, 0)) == NULL)
        return 1;
    SSL *client = SSL_new(client_ctx), *server = SSL_new(server_ctx);
    if (client == NULL || server == NULL) return 1;
    char outcome[3] = "..";

    /* 1: the client trusts nothing. */
    if (!pair(client, server) || !SSL_set_tlsext_host_name(client, "first.clear.test")) return 1;
    printf("attempt=1 client=%p server=%p\n", (void *)client, (void *)server);
    outcome[0] = drive(client, server) ? 'O' : 'F';

    /* 2: the same objects, cleared; now trusted, but the versions do not meet. */
    if (!SSL_clear(client) || !SSL_clear(server)) {
        printf("SSL_clear failed\n");
        return 1;
    }
    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx), id.cert);
    if (!pair(client, server) || !SSL_set_tlsext_host_name(client, "second.clear.test") ||
        !SSL_set_max_proto_version(client, TLS1_2_VERSION) ||
        !SSL_set_min_proto_version(server, TLS1_3_VERSION))
        return 1;
    printf("attempt=2 client=%p server=%p\n", (void *)client, (void *)server);
    outcome[1] = drive(client, server) ? 'O' : 'F';
    printf("outcome=%s\n", outcome);
    fflush(stdout);

    SSL_free(client);
    SSL_free(server);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
    gl_identity_free(&id);
    return strcmp(outcome, "FF") == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) return 1;
    if (argc == 3 && !strcmp(argv[1], "free")) return run_free(atoi(argv[2]));
    if (argc == 2 && !strcmp(argv[1], "clear")) return run_clear();
    fprintf(stderr, "usage: cn_reuse free ROUNDS | cn_reuse clear\n");
    return 2;
}
