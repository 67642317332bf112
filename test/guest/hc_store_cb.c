/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* hc_store_cb: a host whose certificate verify callbacks must be called by OpenSSL only, as
 * often and on the threads they would be without tlsdiag.
 *
 * usage: hc_store_cb FAILS OKS
 *
 * Three client contexts, each doing FAILS handshakes against a server it does not trust and
 * OKS against one it does (in-memory BIO pairs, guestlib's gl_handshake), all on the main thread:
 *   store  an X509_STORE verify callback (X509_STORE_set_verify_cb) only
 *   ssl    an SSL_CTX verify callback (SSL_CTX_set_verify with a callback) only
 *   both   both callbacks (OpenSSL calls the SSL_CTX one; the store's is overridden)
 * Every callback returns the verdict it was given, and records how often it was called, with
 * which verdicts, and whether the calling thread was not main. Prints per context
 *   CTX outcome=... store_calls=N (ok=N bad=N) ssl_calls=N (ok=N bad=N) foreign=N
 * and exits 0 when every handshake went as planned. A test compares that with tlsdiag on/off. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include "guestlib.h"

struct counts {
    long calls, ok, bad, foreign;
};

static pthread_t main_thread;
static struct counts store_counts, ssl_counts;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void record(struct counts *c, int ok)
{
    pthread_mutex_lock(&lock);
    c->calls++;
    if (ok) c->ok++;
    else c->bad++;
    if (!pthread_equal(pthread_self(), main_thread)) c->foreign++;
    pthread_mutex_unlock(&lock);
}

static int store_cb(int ok, X509_STORE_CTX *ctx)
{
    (void)ctx;
    record(&store_counts, ok);
    return ok;
}

static int ssl_cb(int ok, X509_STORE_CTX *ctx)
{
    (void)ctx;
    record(&ssl_counts, ok);
    return ok;
}

static SSL_CTX *client(X509 *trusted, int with_store_cb, int with_ssl_cb)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, with_ssl_cb ? ssl_cb : NULL);
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    if (with_store_cb) X509_STORE_set_verify_cb(store, store_cb);
    if (trusted != NULL && !X509_STORE_add_cert(store, trusted)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: hc_store_cb FAILS OKS\n");
        return 2;
    }
    int fails = atoi(argv[1]), oks = atoi(argv[2]);
    main_thread = pthread_self();
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) return 1;

    struct gl_identity id;
    SSL_CTX *server;
    if (!gl_identity_new(&id) || (server = gl_server_ctx(&id)) == NULL) return 1;

    static const struct {
        const char *name;
        int store, ssl;
    } kinds[] = {
        { "store", 1, 0 },
        { "ssl", 0, 1 },
        { "both", 1, 1 },
    };
    int status = 0;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        SSL_CTX *distrusting = client(NULL, kinds[k].store, kinds[k].ssl);
        SSL_CTX *trusting = client(id.cert, kinds[k].store, kinds[k].ssl);
        if (distrusting == NULL || trusting == NULL) return 1;
        memset(&store_counts, 0, sizeof(store_counts));
        memset(&ssl_counts, 0, sizeof(ssl_counts));
        char outcome[256];
        int n = 0;
        for (int i = 0; i < fails + oks && n + 1 < (int)sizeof(outcome); i++) {
            int want_fail = i < fails;
            struct gl_outcome o;
            gl_handshake(want_fail ? distrusting : trusting, server, "hc.guest.test", &o);
            int ok = o.client == GL_DONE && o.server == GL_DONE && o.app_data_ok;
            if (ok == want_fail) status = 1;
            outcome[n++] = ok ? 'O' : 'F';
        }
        outcome[n] = '\0';
        pthread_mutex_lock(&lock);
        printf("%s outcome=%s store_calls=%ld (ok=%ld bad=%ld) ssl_calls=%ld (ok=%ld bad=%ld) "
               "foreign=%ld\n",
               kinds[k].name, outcome, store_counts.calls, store_counts.ok, store_counts.bad,
               ssl_counts.calls, ssl_counts.ok, ssl_counts.bad,
               store_counts.foreign + ssl_counts.foreign);
        pthread_mutex_unlock(&lock);
        SSL_CTX_free(distrusting);
        SSL_CTX_free(trusting);
    }
    printf("module=%s\n", gl_loaded_object("tlsdiag"));
    fflush(stdout);
    SSL_CTX_free(server);
    gl_identity_free(&id);
    return status;
}
