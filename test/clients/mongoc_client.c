/* mongoc_client: the MongoDB C driver (libmongoc, unmodified) sending "ping" once over TLS, for
 * the runtime matrix (test/scenarios/runtimes). Built by test/scenarios/runtimes/runtimes.mk
 * with `pkg-config libmongoc-1.0`.
 *
 * usage: mongoc_client URI
 *   The URI carries tls=true and the CA (tlsCAFile=...), as applications pass them.
 * Prints "ok" and exits 0 when the ping succeeds; else prints "error DOMAIN.CODE MESSAGE" on
 * stderr and exits 1. */
#include <mongoc/mongoc.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s URI\n", argv[0]);
        return 2;
    }
    mongoc_init();
    mongoc_client_t *client = mongoc_client_new(argv[1]);
    if (!client) {
        fprintf(stderr, "mongoc_client: bad URI %s\n", argv[1]);
        return 2;
    }
    mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
    bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
    bson_t reply;
    bson_error_t error;
    int status = 0;
    if (mongoc_client_command_simple(client, "admin", cmd, NULL, &reply, &error)) {
        printf("ok\n");
    } else {
        for (char *p = error.message; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
        fprintf(stderr, "error %u.%u %s\n", error.domain, error.code, error.message);
        status = 1;
    }
    bson_destroy(&reply);
    bson_destroy(cmd);
    mongoc_client_destroy(client);
    mongoc_cleanup();
    return status;
}
