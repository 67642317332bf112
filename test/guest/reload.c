/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* reload: the provider loaded into several library contexts of one process, as a host that
 * makes its own OSSL_LIB_CTX (and loads the same config into it) does. check_reload.py then
 * expects exactly one explanation per side of one failing handshake in the default context,
 * and a clean exit through OPENSSL_cleanup.
 *
 * usage: reload CNF ORDER
 *   extras-first   two extra contexts load and free the provider, then the default one starts
 *   default-first  the default context starts, then two extra ones load and free it
 *   overlap        an extra context loads, the default starts, a second extra loads, the first
 *                  is freed, the handshake runs, then the second is freed
 *   cycles         five extra contexts load and free the provider one after another, then the
 *                  default one starts; prints how many SSL ex_data indexes the cycles took
 * The default context loads CNF through OPENSSL_CONF (set by the caller). */
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include "guestlib.h"

static OSSL_LIB_CTX *extra_context(const char *cnf)
{
    OSSL_LIB_CTX *libctx = OSSL_LIB_CTX_new();
    if (libctx == NULL || !OSSL_LIB_CTX_load_config(libctx, cnf)) {
        printf("loading %s into a new library context failed\n", cnf);
        return NULL;
    }
    /* Without this the test would prove nothing about a second registration. */
    printf("extra context has tlsdiag: %d\n", OSSL_PROVIDER_available(libctx, "tlsdiag"));
    return libctx;
}

static int start_default(void)
{
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) return 0;
    printf("default context has tlsdiag: %d\n", OSSL_PROVIDER_available(NULL, "tlsdiag"));
    return 1;
}

static int failing_handshake(void)
{
    struct gl_identity id;
    SSL_CTX *server = NULL, *client = NULL;
    int failed = 0;
    if (gl_identity_new(&id) && (server = gl_server_ctx(&id)) != NULL &&
        (client = gl_client_ctx(NULL, 0)) != NULL) {
        struct gl_outcome o;
        gl_handshake(client, server, "reload.guest.test", &o);
        failed = o.client == GL_FAILED && o.server == GL_FAILED;
    }
    SSL_CTX_free(client);
    SSL_CTX_free(server);
    gl_identity_free(&id);
    printf("handshake failed as planned: %d\n", failed);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: reload CNF extras-first|default-first|overlap\n");
        return 2;
    }
    const char *cnf = argv[1], *order = argv[2];
    int ok = 1;
    if (!strcmp(order, "extras-first")) {
        for (int i = 0; i < 2 && ok; i++) {
            OSSL_LIB_CTX *x = extra_context(cnf);
            ok = x != NULL;
            OSSL_LIB_CTX_free(x);
        }
        ok = ok && start_default() && failing_handshake();
    } else if (!strcmp(order, "default-first")) {
        ok = start_default();
        OSSL_LIB_CTX *a = ok ? extra_context(cnf) : NULL;
        OSSL_LIB_CTX *b = a != NULL ? extra_context(cnf) : NULL;
        ok = ok && a != NULL && b != NULL;
        OSSL_LIB_CTX_free(a);
        OSSL_LIB_CTX_free(b);
        ok = ok && failing_handshake();
    } else if (!strcmp(order, "overlap")) {
        OSSL_LIB_CTX *a = extra_context(cnf);
        ok = a != NULL && start_default();
        OSSL_LIB_CTX *b = ok ? extra_context(cnf) : NULL;
        ok = ok && b != NULL;
        OSSL_LIB_CTX_free(a);
        ok = ok && failing_handshake();
        OSSL_LIB_CTX_free(b);
    } else if (!strcmp(order, "cycles")) {
        /* OpenSSL hands out indexes in order and never reuses one: the gap between two of our
         * own is what the provider registered in between. */
        int before = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, NULL, NULL, NULL, NULL);
        for (int i = 0; i < 5 && ok; i++) {
            OSSL_LIB_CTX *x = extra_context(cnf);
            ok = x != NULL;
            OSSL_LIB_CTX_free(x);
        }
        int after = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, NULL, NULL, NULL, NULL);
        printf("SSL ex_data indexes taken by 5 load/unload cycles: %d\n", after - before - 1);
        ok = ok && start_default() && failing_handshake();
    } else {
        fprintf(stderr, "reload: unknown order %s\n", order);
        return 2;
    }
    /* Explicitly, so a teardown that breaks surfaces here and not in some later atexit. */
    OPENSSL_cleanup();
    printf("cleanup done\n");
    fflush(stdout);
    return ok ? 0 : 1;
}
