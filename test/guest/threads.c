/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* threads: many handshakes at once in one process, half of them failing, so that
 * check_threads.py can prove each one is reported exactly once and every line is whole.
 *
 * usage: threads [--same-sni] THREADS PER_THREAD
 * Every handshake carries its own SNI, t<thread>-<n>-<ok|fail>.guest.test, which tlsdiag reports
 * as the peer host; the checker matches the reports against that list. With --same-sni all
 * failures look alike (SNI fail.guest.test), so they race through the repeat counter instead.
 * Odd threads cap the client at TLS 1.2 so both protocol paths run concurrently. Prints the
 * provider object it runs with and one line of totals. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/ssl.h>
#include "guestlib.h"

static struct gl_identity server_id;
static SSL_CTX *server_ctx;
static SSL_CTX *trusting[2], *distrusting[2]; /* [0] any version, [1] at most TLS 1.2 */
static int per_thread;
static int same_sni;
static atomic_long unexpected; /* handshakes whose outcome was not the planned one */

static void *worker(void *arg)
{
    int t = (int)(long)arg;
    char sni[64];
    for (int i = 0; i < per_thread; i++) {
        int should_fail = i % 2;
        struct gl_outcome o;
        if (same_sni) snprintf(sni, sizeof(sni), "%s.guest.test", should_fail ? "fail" : "ok");
        else snprintf(sni, sizeof(sni), "t%d-%d-%s.guest.test", t, i, should_fail ? "fail" : "ok");
        gl_handshake(should_fail ? distrusting[t % 2] : trusting[t % 2], server_ctx, sni, &o);
        int as_planned = should_fail ? o.client == GL_FAILED && o.server == GL_FAILED
                                     : o.client == GL_DONE && o.server == GL_DONE && o.app_data_ok;
        if (!as_planned) atomic_fetch_add(&unexpected, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--same-sni") == 0) {
        same_sni = 1;
        argv++;
        argc--;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: threads [--same-sni] THREADS PER_THREAD\n");
        return 2;
    }
    int threads = atoi(argv[1]);
    per_thread = atoi(argv[2]);
    if (threads < 1 || threads > 64 || per_thread < 2 || per_thread % 2) {
        fprintf(stderr, "threads: THREADS 1..64, PER_THREAD even\n");
        return 2;
    }
    /* SSL_CTX_new loads OPENSSL_CONF, and with it tlsdiag, before any thread starts: the
     * contexts are then shared by all threads, as a server or a connection pool shares them. */
    if (!gl_identity_new(&server_id) || (server_ctx = gl_server_ctx(&server_id)) == NULL) return 1;
    for (int v = 0; v < 2; v++) {
        trusting[v] = gl_client_ctx(server_id.cert, v ? TLS1_2_VERSION : 0);
        distrusting[v] = gl_client_ctx(NULL, v ? TLS1_2_VERSION : 0);
        if (trusting[v] == NULL || distrusting[v] == NULL) return 1;
    }

    printf("module=%s\n", gl_loaded_object("tlsdiag"));
    fflush(stdout);
    pthread_t tid[64];
    for (int t = 0; t < threads; t++)
        if (pthread_create(&tid[t], NULL, worker, (void *)(long)t) != 0) return 1;
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);

    long bad = atomic_load(&unexpected);
    printf("handshakes=%d unexpected=%ld\n", threads * per_thread, bad);
    for (int v = 0; v < 2; v++) {
        SSL_CTX_free(trusting[v]);
        SSL_CTX_free(distrusting[v]);
    }
    SSL_CTX_free(server_ctx);
    gl_identity_free(&server_id);
    return bad == 0 ? 0 : 1;
}
