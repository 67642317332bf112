/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* guestlib: see guestlib.h. */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include "guestlib.h"

static int add_bulky_sans(X509 *cert)
{
    char name[64];
    memset(name, '\x1b', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    int ok = names != NULL;
    for (int i = 0; ok && i < 8; i++) {
        GENERAL_NAME *g = GENERAL_NAME_new();
        ASN1_IA5STRING *s = ASN1_IA5STRING_new();
        ok = g != NULL && s != NULL && ASN1_STRING_set(s, name, -1);
        if (ok) GENERAL_NAME_set0_value(g, GEN_DNS, s);
        else ASN1_IA5STRING_free(s);
        ok = ok && sk_GENERAL_NAME_push(names, g) > 0;
        if (!ok) GENERAL_NAME_free(g);
    }
    ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
    GENERAL_NAMES_free(names);
    return ok;
}

static int identity_new(struct gl_identity *id, int bulky)
{
    memset(id, 0, sizeof(*id));
    id->key = EVP_EC_gen("P-256");
    id->cert = X509_new();
    if (id->key == NULL || id->cert == NULL) return 0;
    X509_NAME *name = X509_NAME_new();
    int ok = name != NULL && X509_set_version(id->cert, 2) &&
             ASN1_INTEGER_set(X509_get_serialNumber(id->cert), 1) &&
             X509_gmtime_adj(X509_getm_notBefore(id->cert), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(id->cert), 86400) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const unsigned char *)"guest.test", -1, -1, 0) &&
             X509_set_subject_name(id->cert, name) && X509_set_issuer_name(id->cert, name) &&
             X509_set_pubkey(id->cert, id->key) && (!bulky || add_bulky_sans(id->cert)) &&
             X509_sign(id->cert, id->key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    return ok;
}

int gl_identity_new(struct gl_identity *id)
{
    return identity_new(id, 0);
}

int gl_identity_new_bulky(struct gl_identity *id)
{
    return identity_new(id, 1);
}

void gl_identity_free(struct gl_identity *id)
{
    EVP_PKEY_free(id->key);
    X509_free(id->cert);
    memset(id, 0, sizeof(*id));
}

SSL_CTX *gl_server_ctx(const struct gl_identity *id)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) return NULL;
    if (!SSL_CTX_use_certificate(ctx, id->cert) || !SSL_CTX_use_PrivateKey(ctx, id->key)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

SSL_CTX *gl_client_ctx(X509 *trusted, int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) return NULL;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if ((trusted != NULL && !X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), trusted)) ||
        (max_version != 0 && !SSL_CTX_set_max_proto_version(ctx, max_version))) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* One step of a side that has not finished: returns its new state. */
static enum gl_side step(SSL *ssl)
{
    int r = SSL_do_handshake(ssl);
    if (r == 1) return GL_DONE;
    int e = SSL_get_error(ssl, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? GL_PENDING : GL_FAILED;
}

void gl_handshake(SSL_CTX *client_ctx, SSL_CTX *server_ctx, const char *sni, struct gl_outcome *out)
{
    memset(out, 0, sizeof(*out));
    out->client = out->server = GL_FAILED;
    SSL *client = SSL_new(client_ctx), *server = SSL_new(server_ctx);
    BIO *client_end = NULL, *server_end = NULL;
    if (client == NULL || server == NULL || !BIO_new_bio_pair(&client_end, 0, &server_end, 0))
        goto done;
    SSL_set_bio(client, client_end, client_end);
    SSL_set_bio(server, server_end, server_end);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    if (sni != NULL && !SSL_set_tlsext_host_name(client, sni)) goto done;

    out->client = out->server = GL_PENDING;
    /* Each round moves every flight across; a TLS handshake needs at most a handful. A side that
     * waits forever (its peer failed without telling it) stays PENDING and counts as failed. */
    for (int round = 0; round < 16 && (out->client == GL_PENDING || out->server == GL_PENDING);
         round++) {
        if (out->client == GL_PENDING) out->client = step(client);
        if (out->server == GL_PENDING) out->server = step(server);
    }
    if (out->client == GL_PENDING) out->client = GL_FAILED;
    if (out->server == GL_PENDING) out->server = GL_FAILED;

    if (out->client == GL_DONE && out->server == GL_DONE) {
        char byte = 0;
        out->app_data_ok =
            SSL_write(server, "x", 1) == 1 && SSL_read(client, &byte, 1) == 1 && byte == 'x';
    }
done:
    SSL_free(client);
    SSL_free(server);
    ERR_clear_error();
}

static pthread_mutex_t secrets_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *secrets_out;

static void keylog(const SSL *ssl, const char *line)
{
    pthread_mutex_lock(&secrets_lock);
    if (secrets_out != NULL) {
        fprintf(secrets_out, "%s\n", line);
        fflush(secrets_out);
    }
    pthread_mutex_unlock(&secrets_lock);
}

void gl_log_secrets(SSL_CTX *ctx, FILE *to)
{
    pthread_mutex_lock(&secrets_lock);
    secrets_out = to;
    pthread_mutex_unlock(&secrets_lock);
    SSL_CTX_set_keylog_callback(ctx, keylog);
}

struct object_search {
    const char *needle;
    char found[512];
};

static int match_object(struct dl_phdr_info *info, size_t size, void *data)
{
    struct object_search *s = data;
    if (info->dlpi_name == NULL || strstr(info->dlpi_name, s->needle) == NULL) return 0;
    snprintf(s->found, sizeof(s->found), "%s", info->dlpi_name);
    return 1;
}

const char *gl_loaded_object(const char *needle)
{
    static struct object_search search;
    memset(&search, 0, sizeof(search));
    search.needle = needle;
    dl_iterate_phdr(match_object, &search);
    return search.found;
}
