/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* mongoc_client: the MongoDB C driver (libmongoc, unmodified) sending "ping" over TLS, for the
 * runtime matrix (test/scenarios/runtimes) and check-drivers (test/guest/t_drivers.py). tlsdiag
 * is in this process whenever the caller's environment loads it.
 *
 * usage: mongoc_client URI [COUNT]
 *   The URI carries tls=true and the CA (tlsCAFile=...), as applications pass them. Makes COUNT
 *   clients (default 1) one after the other (mongoc_client_new, so nothing is pooled or reused
 *   between them), sends each one "ping" to the admin database and destroys it. libmongoc 1.23
 *   does its TLS handshake non-blocking: BIO_new_ssl over its own BIO that reads the socket with
 *   a 0 ms timeout, BIO_do_handshake again after each poll() (mongoc_async_cmd_tls_setup,
 *   _mongoc_stream_tls_openssl_handshake).
 *
 * Prints one line per ping, "ping N ok" or "ping N error DOMAIN.CODE MESSAGE", then
 * "done OK/COUNT". Exits 0 when every ping succeeded, 1 when one failed, 2 on bad arguments. */
#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s URI [COUNT]\n", argv[0]);
        return 2;
    }
    int count = argc == 3 ? atoi(argv[2]) : 1, ok = 0;
    mongoc_init();
    for (int i = 0; i < count; i++) {
        bson_error_t error;
        mongoc_client_t *client = mongoc_client_new(argv[1]);
        if (!client) {
            fprintf(stderr, "mongoc_client: bad URI %s\n", argv[1]);
            return 2;
        }
        mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
        bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
        bson_t reply;
        if (mongoc_client_command_simple(client, "admin", cmd, NULL, &reply, &error)) {
            ok++;
            printf("ping %d ok\n", i);
        } else {
            /* Newlines in a message would break the one-line-per-ping output. */
            for (char *p = error.message; *p; p++)
                if (*p == '\n' || *p == '\r') *p = ' ';
            printf("ping %d error %u.%u %s\n", i, error.domain, error.code, error.message);
        }
        fflush(stdout);
        bson_destroy(&reply);
        bson_destroy(cmd);
        mongoc_client_destroy(client);
    }
    mongoc_cleanup();
    printf("done %d/%d\n", ok, count);
    return ok == count ? 0 : 1;
}
