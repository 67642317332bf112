/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* test_hello: td_hello_parse on the hellos OpenSSL really sends, and on damaged and hand-built ones.
 *
 * The real hellos come from handshakes between two SSL objects joined by a BIO pair: the msg
 * callback keeps the bytes each side wrote, and the server's client_hello callback records how
 * OpenSSL itself read the same ClientHello, so every parse is checked twice: against what the
 * test configured, and against OpenSSL's own reading. Hand-built hellos reach what OpenSSL never
 * sends (GREASE, more entries than the arrays hold, an over-long SNI, broken framing).
 *
 * Usage: test_hello [--dump DIR]   (--dump also writes every valid hello to DIR, as fuzz seeds) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "check.h"
#include "invariants.h"

#define MAX_CAPTURED 4
#define MAX_RAW 2048

static const char *dump_dir;

/* RFC 8446 4.1.3: the random of a HelloRetryRequest, SHA-256("HelloRetryRequest") */
static const unsigned char retry_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ---- what each side sent, and what OpenSSL's server made of each ClientHello ---- */

struct message {
    unsigned char *bytes;
    size_t len;
};

struct capture {
    struct message hello[MAX_CAPTURED];
    int n;
};

struct raw {
    int present;
    unsigned char bytes[MAX_RAW];
    size_t len;
};

struct openssl_view {
    unsigned legacy_version;
    struct raw ciphers, server_name, groups, sigalgs, versions, status_request, renegotiate;
};

struct openssl_views {
    struct openssl_view seen[MAX_CAPTURED];
    int n;
};

struct handshake {
    struct capture client_sent, server_sent;
    struct openssl_views server_read;
    int completed;
    int version;     /* SSL_version of the client afterwards */
    uint16_t cipher; /* protocol id of the cipher the client ended up with */
};

static void on_message(int write_p, int version, int content_type, const void *buf, size_t len,
                       SSL *ssl, void *arg)
{
    struct capture *c = arg;
    const unsigned char *p = buf;

    if (!write_p || content_type != SSL3_RT_HANDSHAKE || len == 0 || c->n >= MAX_CAPTURED) return;
    if (p[0] != SSL3_MT_CLIENT_HELLO && p[0] != SSL3_MT_SERVER_HELLO) return;
    c->hello[c->n].bytes = malloc(len);
    if (c->hello[c->n].bytes == NULL) abort();
    memcpy(c->hello[c->n].bytes, buf, len);
    c->hello[c->n].len = len;
    c->n++;
}

static void keep(struct raw *r, const unsigned char *p, size_t n)
{
    r->present = 1;
    r->len = n < MAX_RAW ? n : MAX_RAW;
    memcpy(r->bytes, p, r->len);
}

static void keep_ext(SSL *s, unsigned type, struct raw *r)
{
    const unsigned char *p;
    size_t n;

    if (SSL_client_hello_get0_ext(s, type, &p, &n)) keep(r, p, n);
}

static int on_client_hello(SSL *s, int *alert, void *arg)
{
    struct openssl_views *v = arg;
    struct openssl_view *seen;
    const unsigned char *p;
    size_t n;

    if (v->n >= MAX_CAPTURED) return SSL_CLIENT_HELLO_SUCCESS;
    seen = &v->seen[v->n++];
    seen->legacy_version = SSL_client_hello_get0_legacy_version(s);
    n = SSL_client_hello_get0_ciphers(s, &p);
    keep(&seen->ciphers, p, n);
    keep_ext(s, TLSEXT_TYPE_server_name, &seen->server_name);
    keep_ext(s, TLSEXT_TYPE_supported_groups, &seen->groups);
    keep_ext(s, TLSEXT_TYPE_signature_algorithms, &seen->sigalgs);
    keep_ext(s, TLSEXT_TYPE_supported_versions, &seen->versions);
    keep_ext(s, TLSEXT_TYPE_status_request, &seen->status_request);
    keep_ext(s, TLSEXT_TYPE_renegotiate, &seen->renegotiate);
    return SSL_CLIENT_HELLO_SUCCESS;
}

/* The server acknowledges SNI only when something on its side looked at the name. */
static int on_server_name(SSL *s, int *alert, void *arg)
{
    return SSL_TLSEXT_ERR_OK;
}

/* Any bytes will do: the client has no status callback, so nothing parses them. */
static int on_status_request(SSL *s, void *arg)
{
    static const char staple[] = "stapled bytes";
    unsigned char *copy = OPENSSL_memdup(staple, sizeof(staple) - 1);

    if (copy == NULL || !SSL_set_tlsext_status_ocsp_resp(s, copy, (long)(sizeof(staple) - 1)))
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    return SSL_TLSEXT_ERR_OK;
}

static EVP_PKEY *server_key;
static X509 *server_cert;

static void make_server_identity(void)
{
    /* A name of our own: from OpenSSL 4.0 the certificate's own is const. */
    X509_NAME *name = X509_NAME_new();

    server_key = EVP_EC_gen("P-256");
    server_cert = X509_new();
    if (server_key == NULL || server_cert == NULL || name == NULL) abort();
    if (!X509_set_version(server_cert, X509_VERSION_3) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(server_cert), 1) ||
        !X509_gmtime_adj(X509_getm_notBefore(server_cert), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(server_cert), 86400) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"example.test",
                                    -1, -1, 0) ||
        !X509_set_subject_name(server_cert, name) || !X509_set_issuer_name(server_cert, name) ||
        !X509_set_pubkey(server_cert, server_key) ||
        !X509_sign(server_cert, server_key, EVP_sha256()))
        abort();
    X509_NAME_free(name);
}

static SSL_CTX *new_ctx(const SSL_METHOD *method, int min_version, int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(method);

    if (ctx == NULL || !SSL_CTX_set_min_proto_version(ctx, min_version) ||
        !SSL_CTX_set_max_proto_version(ctx, max_version))
        abort();
    return ctx;
}

static SSL_CTX *new_server_ctx(int min_version, const char *groups)
{
    SSL_CTX *ctx = new_ctx(TLS_server_method(), min_version, TLS1_3_VERSION);

    if (!SSL_CTX_use_certificate(ctx, server_cert) || !SSL_CTX_use_PrivateKey(ctx, server_key) ||
        (groups != NULL && !SSL_CTX_set1_groups_list(ctx, groups)))
        abort();
    SSL_CTX_set_tlsext_servername_callback(ctx, on_server_name);
    SSL_CTX_set_tlsext_status_cb(ctx, on_status_request);
    return ctx;
}

/* Run one handshake to its end, good or bad, capturing both sides. */
static void run_handshake(SSL_CTX *client_ctx, SSL_CTX *server_ctx, const char *sni,
                          int want_status, struct handshake *hs)
{
    SSL *client = SSL_new(client_ctx), *server = SSL_new(server_ctx);
    BIO *client_bio, *server_bio;
    int i, client_done = 0, server_done = 0;

    memset(hs, 0, sizeof(*hs));
    if (client == NULL || server == NULL || !BIO_new_bio_pair(&client_bio, 0, &server_bio, 0))
        abort();
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_msg_callback(client, on_message);
    SSL_set_msg_callback_arg(client, &hs->client_sent);
    SSL_set_msg_callback(server, on_message);
    SSL_set_msg_callback_arg(server, &hs->server_sent);
    SSL_CTX_set_client_hello_cb(server_ctx, on_client_hello, &hs->server_read);
    if (sni != NULL && !SSL_set_tlsext_host_name(client, sni)) abort();
    if (want_status && !SSL_set_tlsext_status_type(client, TLSEXT_STATUSTYPE_ocsp)) abort();
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);

    for (i = 0; i < 64 && !(client_done && server_done); i++) {
        int rc = SSL_do_handshake(client), rs = SSL_do_handshake(server);
        int ec = SSL_get_error(client, rc), es = SSL_get_error(server, rs);

        client_done = rc == 1;
        server_done = rs == 1;
        if ((rc <= 0 && ec != SSL_ERROR_WANT_READ && ec != SSL_ERROR_WANT_WRITE) ||
            (rs <= 0 && es != SSL_ERROR_WANT_READ && es != SSL_ERROR_WANT_WRITE))
            break;
    }
    hs->completed = client_done && server_done;
    hs->version = SSL_version(client);
    if (SSL_get_current_cipher(client) != NULL)
        hs->cipher = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(client));
    ERR_clear_error();
    SSL_free(client);
    SSL_free(server);
}

static void free_handshake(struct handshake *hs)
{
    int i;

    for (i = 0; i < hs->client_sent.n; i++) free(hs->client_sent.hello[i].bytes);
    for (i = 0; i < hs->server_sent.n; i++) free(hs->server_sent.hello[i].bytes);
}

/* ---- comparisons ---- */

static int same_u16_list(const uint16_t *values, int n, int cap, const unsigned char *raw,
                         size_t raw_len)
{
    int i;

    if (n < 0 || raw_len != 2 * (size_t)n) return 0;
    for (i = 0; i < n && i < cap; i++)
        if (values[i] != ((raw[2 * i] << 8) | raw[2 * i + 1])) return 0;
    return 1;
}

static int same_u16s(const uint16_t *values, int n, const uint16_t *expected, int n_expected)
{
    return n == n_expected && memcmp(values, expected, (size_t)n * sizeof(*values)) == 0;
}

/* The configured suites, as sent. OpenSSL before 3.2 also appends the renegotiation SCSV to
 * every first ClientHello; later versions send the renegotiation_info extension instead. */
static int same_suites(const struct td_hello *h, const uint16_t *expected, int n_expected)
{
    uint16_t sent[TD_HELLO_MAX_CIPHERS];
    int n = 0;
    for (int i = 0; i < h->n_ciphers && i < TD_HELLO_MAX_CIPHERS; i++)
        if (h->ciphers[i] != 0x00ff) sent[n++] = h->ciphers[i];
    return same_u16s(sent, n, expected, n_expected);
}

/* Our parse of a ClientHello against OpenSSL's reading of the same bytes. */
static void check_against_openssl(const char *what, const struct td_hello *h,
                                  const struct openssl_view *o)
{
    CHECK(h->legacy_version == o->legacy_version, "%s: legacy_version %#x, OpenSSL read %#x", what,
          h->legacy_version, o->legacy_version);
    CHECK(same_u16_list(h->ciphers, h->n_ciphers, TD_HELLO_MAX_CIPHERS, o->ciphers.bytes,
                        o->ciphers.len),
          "%s: %d ciphers differ from OpenSSL's %zu bytes", what, h->n_ciphers, o->ciphers.len);
    CHECK(o->groups.present
              ? o->groups.len >= 2 && same_u16_list(h->groups, h->n_groups, TD_HELLO_MAX_GROUPS,
                                                    o->groups.bytes + 2, o->groups.len - 2)
              : h->n_groups == 0,
          "%s: groups differ from OpenSSL's", what);
    CHECK(o->sigalgs.present
              ? o->sigalgs.len >= 2 && same_u16_list(h->sigalgs, h->n_sigalgs, TD_HELLO_MAX_SIGALGS,
                                                     o->sigalgs.bytes + 2, o->sigalgs.len - 2)
              : h->n_sigalgs == 0,
          "%s: signature algorithms differ from OpenSSL's", what);
    CHECK(o->versions.present ? o->versions.len >= 1 &&
                                    same_u16_list(h->versions, h->n_versions, TD_HELLO_MAX_VERSIONS,
                                                  o->versions.bytes + 1, o->versions.len - 1)
                              : h->n_versions == 0,
          "%s: supported_versions differ from OpenSSL's", what);
    /* server_name: list length (2), type (1), name length (2), name */
    CHECK(o->server_name.present
              ? h->has_sni && o->server_name.len >= 5 && strlen(h->sni) == o->server_name.len - 5 &&
                    memcmp(h->sni, o->server_name.bytes + 5, o->server_name.len - 5) == 0
              : !h->has_sni,
          "%s: SNI \"%s\" differs from OpenSSL's", what, h->sni);
    CHECK(h->status_request == o->status_request.present, "%s: status_request %d, OpenSSL %d", what,
          h->status_request, o->status_request.present);
    CHECK(h->renegotiation_info == o->renegotiate.present, "%s: renegotiation_info %d, OpenSSL %d",
          what, h->renegotiation_info, o->renegotiate.present);
}

static int sni_disagreements;

/* Parse from a heap block of exactly len bytes, so that ASan sees any read past the end. Every
 * message parsed here is also read by td_hello_sni (what a server's repeat is counted
 * under), from the same exact-size copy: on a ClientHello that parses it must find the same
 * name, or none when there is none, and never read past the end (ASan). */
static int parse_exact(const unsigned char *msg, size_t len, struct td_hello *out)
{
    unsigned char *copy = malloc(len > 0 ? len : 1);
    char sni[TD_HELLO_SNI_MAX + 1] = "untouched";
    int ok, found;

    if (copy == NULL) abort();
    if (len > 0) memcpy(copy, msg, len);
    ok = td_hello_parse(copy, len, out);
    found = td_hello_sni(copy, len, sni, sizeof(sni));
    if (ok && !out->is_server_hello &&
        (found != out->has_sni ||
         (found ? strcmp(sni, out->sni) != 0 : strcmp(sni, "untouched") != 0)))
        sni_disagreements++;
    if (ok && out->is_server_hello && found) sni_disagreements++;
    free(copy);
    return ok;
}

static void dump(const char *name, const unsigned char *msg, size_t len)
{
    char path[4096];
    FILE *f;

    if (dump_dir == NULL) return;
    snprintf(path, sizeof(path), "%s/%s.bin", dump_dir, name);
    if ((f = fopen(path, "wb")) == NULL || fwrite(msg, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* A valid hello must stop parsing when any part of it is missing, extended or bent. */
static void check_damage(const char *what, const unsigned char *msg, size_t len)
{
    struct td_hello h;
    unsigned char *bent = malloc(len + 1);
    size_t k, bad_prefix = (size_t)-1, mutations = 0, insane = 0;
    int i;
    static const unsigned char flips[] = { 0x01, 0x80, 0xff };

    if (bent == NULL) abort();
    CHECK(parse_exact(msg, len, &h) && hello_sane(&h), "%s: the intact message does not parse",
          what);
    dump(what, msg, len);

    for (k = 0; k < len; k++)
        if ((parse_exact(msg, k, &h) || !hello_all_zero(&h)) && bad_prefix == (size_t)-1)
            bad_prefix = k;
    CHECK(bad_prefix == (size_t)-1, "%s: the %zu-byte prefix of %zu was accepted", what, bad_prefix,
          len);

    memcpy(bent, msg, len);
    bent[len] = 0;
    CHECK(!parse_exact(bent, len + 1, &h), "%s: a trailing byte was accepted", what);
    for (i = -1; i <= 1; i += 2) {
        size_t body = (((size_t)msg[1] << 16) | ((size_t)msg[2] << 8) | msg[3]) + (size_t)i;

        memcpy(bent, msg, len);
        bent[1] = (unsigned char)(body >> 16);
        bent[2] = (unsigned char)(body >> 8);
        bent[3] = (unsigned char)body;
        CHECK(!parse_exact(bent, len, &h), "%s: header length off by %d was accepted", what, i);
    }

    /* Flipped bits may well leave a valid hello; what matters is that nothing odd comes out. */
    for (k = 0; k < len; k++) {
        for (i = 0; i < (int)sizeof(flips); i++) {
            memcpy(bent, msg, len);
            bent[k] ^= flips[i];
            mutations++;
            if (parse_exact(bent, len, &h) ? !hello_sane(&h) : !hello_all_zero(&h)) insane++;
        }
    }
    CHECK(insane == 0, "%s: %zu of %zu bit-flipped messages gave an inconsistent result", what,
          insane, mutations);
    free(bent);
}

static void check_all_damage(const char *what, const struct handshake *hs)
{
    char name[128];
    int i;

    for (i = 0; i < hs->client_sent.n; i++) {
        snprintf(name, sizeof(name), "%s-client-hello-%d", what, i);
        check_damage(name, hs->client_sent.hello[i].bytes, hs->client_sent.hello[i].len);
    }
    for (i = 0; i < hs->server_sent.n; i++) {
        snprintf(name, sizeof(name), "%s-server-hello-%d", what, i);
        check_damage(name, hs->server_sent.hello[i].bytes, hs->server_sent.hello[i].len);
    }
}

/* ---- real handshakes ---- */

static void test_tls12_client(void)
{
    SSL_CTX *client_ctx = new_ctx(TLS_client_method(), TLS1_2_VERSION, TLS1_2_VERSION);
    SSL_CTX *server_ctx = new_server_ctx(TLS1_2_VERSION, NULL);
    struct handshake hs;
    struct td_hello ch, sh;
    static const uint16_t ciphers[] = { 0xc02b, 0xc02c };
    static const uint16_t groups[] = { 0x0017, 0x001d };
    static const uint16_t sigalgs[] = { 0x0403, 0x0503 };

    if (!SSL_CTX_set_cipher_list(client_ctx,
                                 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384") ||
        !SSL_CTX_set1_groups_list(client_ctx, "P-256:X25519") ||
        !SSL_CTX_set1_sigalgs_list(client_ctx, "ECDSA+SHA256:ECDSA+SHA384"))
        abort();
    run_handshake(client_ctx, server_ctx, "example.test", 1, &hs);
    CHECK(hs.completed && hs.version == TLS1_2_VERSION, "tls12: handshake did not complete in 1.2");
    CHECK(hs.client_sent.n == 1 && hs.server_sent.n == 1 && hs.server_read.n == 1,
          "tls12: captured %d/%d hellos", hs.client_sent.n, hs.server_sent.n);
    if (hs.client_sent.n != 1 || hs.server_sent.n != 1 || hs.server_read.n != 1) goto out;

    CHECK(td_hello_parse(hs.client_sent.hello[0].bytes, hs.client_sent.hello[0].len, &ch) == 1,
          "tls12: ClientHello did not parse");
    CHECK(ch.parsed && !ch.is_server_hello, "tls12: ClientHello flags");
    CHECK(ch.legacy_version == 0x0303 && ch.n_versions == 0 && td_hello_version(&ch) == 0x0303,
          "tls12: ClientHello version %#x, %d supported_versions", ch.legacy_version,
          ch.n_versions);
    CHECK(same_suites(&ch, ciphers, 2), "tls12: %d ciphers, first %#x", ch.n_ciphers,
          ch.ciphers[0]);
    /* secure renegotiation is signalled one way or the other, never both (RFC 5746) */
    CHECK(ch.scsv + ch.renegotiation_info == 1, "tls12: scsv %d, renegotiation_info %d", ch.scsv,
          ch.renegotiation_info);
    CHECK(ch.has_sni && strcmp(ch.sni, "example.test") == 0, "tls12: SNI \"%s\"", ch.sni);
    CHECK(same_u16s(ch.groups, ch.n_groups, groups, 2), "tls12: %d groups", ch.n_groups);
    CHECK(same_u16s(ch.sigalgs, ch.n_sigalgs, sigalgs, 2), "tls12: %d sigalgs", ch.n_sigalgs);
    CHECK(ch.status_request == 1, "tls12: status_request not seen");
    check_against_openssl("tls12 ClientHello", &ch, &hs.server_read.seen[0]);

    CHECK(td_hello_parse(hs.server_sent.hello[0].bytes, hs.server_sent.hello[0].len, &sh) == 1,
          "tls12: ServerHello did not parse");
    CHECK(sh.parsed && sh.is_server_hello, "tls12: ServerHello flags");
    CHECK(sh.legacy_version == 0x0303 && sh.n_versions == 0 && td_hello_version(&sh) == 0x0303,
          "tls12: ServerHello version %#x", td_hello_version(&sh));
    CHECK(sh.n_ciphers == 1 && sh.ciphers[0] == hs.cipher &&
              (hs.cipher == 0xc02b || hs.cipher == 0xc02c),
          "tls12: ServerHello cipher %#x, negotiated %#x", sh.ciphers[0], hs.cipher);
    /* Whether status_request is acknowledged without a staple to send differs by version. */
    CHECK(sh.renegotiation_info == 1 && sh.has_sni == 1,
          "tls12: ServerHello renegotiation_info %d, SNI ack %d", sh.renegotiation_info,
          sh.has_sni);
    check_all_damage("tls12", &hs);
out:
    free_handshake(&hs);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
}

static void test_tls13_client(void)
{
    SSL_CTX *client_ctx = new_ctx(TLS_client_method(), TLS1_2_VERSION, TLS1_3_VERSION);
    SSL_CTX *server_ctx = new_server_ctx(TLS1_2_VERSION, NULL);
    struct handshake hs;
    struct td_hello ch, sh;
    static const uint16_t versions[] = { 0x0304, 0x0303 };
    static const uint16_t ciphers[] = { 0x1301, 0x1303, 0xc02b };

    if (!SSL_CTX_set_ciphersuites(client_ctx,
                                  "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256") ||
        !SSL_CTX_set_cipher_list(client_ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") ||
        !SSL_CTX_set1_groups_list(client_ctx, "X25519:P-256"))
        abort();
    run_handshake(client_ctx, server_ctx, NULL, 0, &hs);
    CHECK(hs.completed && hs.version == TLS1_3_VERSION, "tls13: handshake did not complete in 1.3");
    CHECK(hs.client_sent.n == 1 && hs.server_sent.n == 1 && hs.server_read.n == 1,
          "tls13: captured %d/%d hellos", hs.client_sent.n, hs.server_sent.n);
    if (hs.client_sent.n != 1 || hs.server_sent.n != 1 || hs.server_read.n != 1) goto out;

    CHECK(td_hello_parse(hs.client_sent.hello[0].bytes, hs.client_sent.hello[0].len, &ch) == 1,
          "tls13: ClientHello did not parse");
    CHECK(ch.legacy_version == 0x0303 && same_u16s(ch.versions, ch.n_versions, versions, 2),
          "tls13: ClientHello legacy %#x, %d supported_versions", ch.legacy_version, ch.n_versions);
    CHECK(td_hello_version(&ch) == 0x0304, "tls13: ClientHello version %#x", td_hello_version(&ch));
    CHECK(same_suites(&ch, ciphers, 3), "tls13: %d ciphers", ch.n_ciphers);
    CHECK(!ch.has_sni && ch.sni[0] == '\0', "tls13: SNI without one configured");
    CHECK(ch.n_groups == 2 && ch.groups[0] == 0x001d && ch.groups[1] == 0x0017, "tls13: groups");
    CHECK(ch.n_sigalgs > 0 && ch.status_request == 0, "tls13: %d sigalgs, status_request %d",
          ch.n_sigalgs, ch.status_request);
    check_against_openssl("tls13 ClientHello", &ch, &hs.server_read.seen[0]);

    CHECK(td_hello_parse(hs.server_sent.hello[0].bytes, hs.server_sent.hello[0].len, &sh) == 1,
          "tls13: ServerHello did not parse");
    CHECK(sh.is_server_hello && sh.legacy_version == 0x0303 && sh.n_versions == 1 &&
              sh.versions[0] == 0x0304 && td_hello_version(&sh) == 0x0304,
          "tls13: ServerHello version %#x", td_hello_version(&sh));
    CHECK(sh.n_ciphers == 1 && sh.ciphers[0] == hs.cipher && hs.cipher == 0x1301,
          "tls13: ServerHello cipher %#x, negotiated %#x", sh.ciphers[0], hs.cipher);
    CHECK(sh.n_groups == 1 && sh.groups[0] == 0x001d, "tls13: ServerHello key_share group %#x",
          sh.groups[0]);
    CHECK(!sh.renegotiation_info && !sh.has_sni && !sh.status_request,
          "tls13: ServerHello carries extensions that belong in EncryptedExtensions");
    check_all_damage("tls13", &hs);
out:
    free_handshake(&hs);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
}

/* The client's first key share (X25519) is one the server refuses, so it asks again. */
static void test_hello_retry_request(void)
{
    SSL_CTX *client_ctx = new_ctx(TLS_client_method(), TLS1_3_VERSION, TLS1_3_VERSION);
    SSL_CTX *server_ctx = new_server_ctx(TLS1_3_VERSION, "P-256");
    struct handshake hs;
    struct td_hello first, second, retry, sh;

    if (!SSL_CTX_set1_groups_list(client_ctx, "X25519:P-256")) abort();
    run_handshake(client_ctx, server_ctx, "retry.example.test", 0, &hs);
    CHECK(hs.completed && hs.version == TLS1_3_VERSION, "hrr: handshake did not complete");
    CHECK(hs.client_sent.n == 2 && hs.server_sent.n == 2, "hrr: captured %d/%d hellos",
          hs.client_sent.n, hs.server_sent.n);
    if (hs.client_sent.n != 2 || hs.server_sent.n != 2 || hs.server_read.n != 2) goto out;
    /* the premise: the first ServerHello really is a HelloRetryRequest */
    CHECK(hs.server_sent.hello[0].len > 38 &&
              memcmp(hs.server_sent.hello[0].bytes + 6, retry_random, 32) == 0,
          "hrr: the server did not send a HelloRetryRequest");

    CHECK(td_hello_parse(hs.server_sent.hello[0].bytes, hs.server_sent.hello[0].len, &retry) == 1,
          "hrr: HelloRetryRequest did not parse");
    CHECK(retry.is_server_hello && td_hello_version(&retry) == 0x0304 && retry.n_ciphers == 1,
          "hrr: HelloRetryRequest version %#x", td_hello_version(&retry));
    CHECK(retry.n_groups == 1 && retry.groups[0] == 0x0017, "hrr: requested group %#x",
          retry.groups[0]);
    CHECK(td_hello_parse(hs.server_sent.hello[1].bytes, hs.server_sent.hello[1].len, &sh) == 1 &&
              sh.n_groups == 1 && sh.groups[0] == 0x0017 && sh.ciphers[0] == hs.cipher,
          "hrr: final ServerHello");

    CHECK(td_hello_parse(hs.client_sent.hello[0].bytes, hs.client_sent.hello[0].len, &first) == 1 &&
              td_hello_parse(hs.client_sent.hello[1].bytes, hs.client_sent.hello[1].len, &second) ==
                  1,
          "hrr: ClientHellos did not parse");
    CHECK(strcmp(first.sni, "retry.example.test") == 0 && strcmp(second.sni, first.sni) == 0,
          "hrr: SNI \"%s\" / \"%s\"", first.sni, second.sni);
    check_against_openssl("hrr first ClientHello", &first, &hs.server_read.seen[0]);
    check_against_openssl("hrr second ClientHello", &second, &hs.server_read.seen[1]);
    check_all_damage("hrr", &hs);
out:
    free_handshake(&hs);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
}

/* The guide's TLSV1_ALERT_PROTOCOL_VERSION case: a TLS 1.1 client meets a TLS 1.2+ server. */
static void test_old_client_refused(void)
{
    SSL_CTX *client_ctx = new_ctx(TLS_client_method(), TLS1_VERSION, TLS1_1_VERSION);
    SSL_CTX *server_ctx = new_server_ctx(TLS1_2_VERSION, NULL);
    struct handshake hs;
    struct td_hello ch;

    if (!SSL_CTX_set_cipher_list(client_ctx, "DEFAULT:@SECLEVEL=0")) abort();
    run_handshake(client_ctx, server_ctx, "old.example.test", 0, &hs);
    CHECK(!hs.completed, "tls11: the handshake should have failed");
    CHECK(hs.client_sent.n == 1 && hs.server_sent.n == 0, "tls11: captured %d/%d hellos",
          hs.client_sent.n, hs.server_sent.n);
    if (hs.client_sent.n != 1 || hs.server_read.n != 1) goto out;
    CHECK(td_hello_parse(hs.client_sent.hello[0].bytes, hs.client_sent.hello[0].len, &ch) == 1,
          "tls11: ClientHello did not parse");
    CHECK(ch.legacy_version == 0x0302 && ch.n_versions == 0 && td_hello_version(&ch) == 0x0302,
          "tls11: ClientHello version %#x", td_hello_version(&ch));
    CHECK(ch.n_sigalgs == 0, "tls11: a TLS 1.1 hello has no signature_algorithms");
    check_against_openssl("tls11 ClientHello", &ch, &hs.server_read.seen[0]);
    check_all_damage("tls11", &hs);
out:
    free_handshake(&hs);
    SSL_CTX_free(client_ctx);
    SSL_CTX_free(server_ctx);
}

/* ---- hand-built hellos ---- */

struct builder {
    unsigned char b[1 << 17];
    size_t n;
    size_t open_at[8];
    int open_width[8];
    int depth;
};

static struct builder w;

static void put8(unsigned v)
{
    if (w.n >= sizeof(w.b)) abort();
    w.b[w.n++] = (unsigned char)v;
}

static void put16(unsigned v)
{
    put8(v >> 8);
    put8(v & 0xff);
}

static void put_bytes(const void *p, size_t n)
{
    if (n > sizeof(w.b) - w.n) abort();
    memcpy(w.b + w.n, p, n);
    w.n += n;
}

/* open_length/close_length: a length prefix filled in once its contents are written. */
static void open_length(int width)
{
    int i;

    w.open_at[w.depth] = w.n;
    w.open_width[w.depth++] = width;
    for (i = 0; i < width; i++) put8(0);
}

static void close_length(void)
{
    size_t at = w.open_at[--w.depth], n;
    int i, width = w.open_width[w.depth];

    n = w.n - at - (size_t)width;
    for (i = width - 1; i >= 0; i--, n >>= 8) w.b[at + (size_t)i] = (unsigned char)(n & 0xff);
}

static void begin_hello(unsigned type, unsigned legacy_version, const unsigned char *random)
{
    static const unsigned char zero_random[32];

    w.n = 0;
    w.depth = 0;
    put8(type);
    open_length(3);
    put16(legacy_version);
    put_bytes(random != NULL ? random : zero_random, 32);
}

/* ClientHello up to (not including) the extensions block */
static void begin_client_hello(const uint16_t *suites, int n_suites)
{
    int i;

    begin_hello(1, 0x0303, NULL);
    put8(0);
    open_length(2);
    for (i = 0; i < n_suites; i++) put16(suites[i]);
    close_length();
    put8(1);
    put8(0);
}

static void begin_server_hello(const unsigned char *random)
{
    begin_hello(2, 0x0303, random);
    put8(0);
    put16(0x1301);
    put8(0);
}

static void begin_ext(unsigned type)
{
    put16(type);
    open_length(2);
}

static void ext_u16_list(unsigned type, int prefix_width, const uint16_t *values, int n)
{
    int i;

    begin_ext(type);
    open_length(prefix_width);
    for (i = 0; i < n; i++) put16(values[i]);
    close_length();
    close_length();
}

static void ext_sni(const char *name, size_t len)
{
    begin_ext(0);
    open_length(2);
    put8(0);
    open_length(2);
    put_bytes(name, len);
    close_length();
    close_length();
    close_length();
}

static int finish_and_parse(const char *name, struct td_hello *h)
{
    while (w.depth > 0) close_length();
    if (parse_exact(w.b, w.n, h)) {
        dump(name, w.b, w.n);
        return 1;
    }
    return 0;
}

static const uint16_t one_suite[] = { 0x1301 };

static void test_counts_beyond_caps(void)
{
    uint16_t suites[200], groups[30], sigalgs[40];
    struct td_hello h;
    int i, stored_ok = 1;

    for (i = 0; i < 200; i++) suites[i] = (uint16_t)(0x1000 + i);
    suites[150] = 0x00ff; /* past the 128 the array holds */
    for (i = 0; i < 30; i++) groups[i] = (uint16_t)(0x0100 + i);
    for (i = 0; i < 40; i++) sigalgs[i] = (uint16_t)(0x0400 + i);

    begin_client_hello(suites, 200);
    open_length(2);
    ext_u16_list(10, 2, groups, 30);
    ext_u16_list(13, 2, sigalgs, 40);
    CHECK(finish_and_parse("synthetic-many", &h), "caps: hello did not parse");
    for (i = 0; i < TD_HELLO_MAX_CIPHERS; i++) stored_ok &= h.ciphers[i] == suites[i];
    for (i = 0; i < TD_HELLO_MAX_GROUPS; i++) stored_ok &= h.groups[i] == groups[i];
    for (i = 0; i < TD_HELLO_MAX_SIGALGS; i++) stored_ok &= h.sigalgs[i] == sigalgs[i];
    CHECK(h.n_ciphers == 200 && h.n_groups == 30 && h.n_sigalgs == 40,
          "caps: counted %d ciphers, %d groups, %d sigalgs", h.n_ciphers, h.n_groups, h.n_sigalgs);
    CHECK(stored_ok, "caps: the stored prefix differs from what was sent");
    CHECK(h.scsv == 1, "caps: the SCSV beyond the array was missed");

    suites[150] = 0x1096;
    begin_client_hello(suites, 200);
    CHECK(finish_and_parse("synthetic-no-scsv", &h) && h.scsv == 0, "caps: SCSV reported absent");
}

static void test_versions(void)
{
    static const uint16_t greasy[] = { 0x0a0a, 0x0303, 0x0304, 0x7a7a, 0x0302,
                                       0x0301, 0xfafa, 0x0300, 0x2a2a, 0x0302 };
    static const uint16_t only_grease[] = { 0x0a0a, 0x1a1a };
    static const uint16_t one_version = 0x0304;
    struct td_hello h;

    begin_client_hello(one_suite, 1);
    open_length(2);
    ext_u16_list(43, 1, greasy, 10);
    CHECK(finish_and_parse("synthetic-grease-versions", &h), "versions: hello did not parse");
    CHECK(h.n_versions == 10 && h.versions[0] == 0x0a0a && h.versions[7] == 0x0300,
          "versions: %d counted", h.n_versions);
    CHECK(td_hello_version(&h) == 0x0304, "versions: highest non-GREASE is %#x",
          td_hello_version(&h));

    begin_client_hello(one_suite, 1);
    open_length(2);
    ext_u16_list(43, 1, only_grease, 2);
    CHECK(finish_and_parse("synthetic-only-grease", &h) && td_hello_version(&h) == 0x0303,
          "versions: all-GREASE list falls back to legacy_version, got %#x", td_hello_version(&h));

    begin_client_hello(one_suite, 1);
    open_length(2);
    ext_u16_list(43, 1, NULL, 0);
    CHECK(!finish_and_parse("", &h), "versions: empty supported_versions accepted");

    /* a ServerHello selects exactly one version */
    begin_server_hello(NULL);
    open_length(2);
    begin_ext(43);
    put16(one_version);
    CHECK(finish_and_parse("synthetic-server-1.3", &h) && td_hello_version(&h) == 0x0304,
          "versions: ServerHello selection");
    begin_server_hello(NULL);
    open_length(2);
    begin_ext(43);
    put16(0x0304);
    put16(0x0303);
    CHECK(!finish_and_parse("", &h), "versions: ServerHello with a list accepted");

    /* hellos of TLS 1.2 and before may stop after the compression methods */
    begin_hello(1, 0x0301, NULL);
    put8(0);
    put16(2);
    put16(0x002f);
    put8(1);
    put8(0);
    CHECK(finish_and_parse("synthetic-no-extensions", &h) && h.n_versions == 0 &&
              td_hello_version(&h) == 0x0301 && h.n_ciphers == 1,
          "versions: hello without extensions");
}

static void test_sni(void)
{
    char long_name[300];
    struct td_hello h;

    memset(long_name, 'a', sizeof(long_name));
    long_name[254] = 'b';
    long_name[255] = 'c';
    begin_client_hello(one_suite, 1);
    open_length(2);
    ext_sni(long_name, sizeof(long_name));
    CHECK(finish_and_parse("synthetic-long-sni", &h), "sni: long name did not parse");
    CHECK(h.has_sni && strlen(h.sni) == TD_HELLO_SNI_MAX && h.sni[254] == 'b',
          "sni: kept %zu bytes, want the first %d", strlen(h.sni), TD_HELLO_SNI_MAX);

    /* only a host_name entry is a host name */
    begin_client_hello(one_suite, 1);
    open_length(2);
    begin_ext(0);
    open_length(2);
    put8(7);
    open_length(2);
    put_bytes("not-a-host", 10);
    close_length();
    put8(0);
    open_length(2);
    put_bytes("host.test", 9);
    CHECK(finish_and_parse("synthetic-sni-types", &h) && h.has_sni &&
              strcmp(h.sni, "host.test") == 0,
          "sni: picked \"%s\"", h.sni);

    begin_client_hello(one_suite, 1);
    open_length(2);
    begin_ext(0);
    open_length(2);
    CHECK(!finish_and_parse("", &h), "sni: empty server_name_list accepted");

    begin_server_hello(NULL);
    open_length(2);
    begin_ext(0);
    put8(0);
    CHECK(!finish_and_parse("", &h), "sni: a ServerHello's SNI acknowledgement must be empty");

    /* td_hello_sni's own bound: a name cut to the room it is given */
    char small[8] = "";
    begin_client_hello(one_suite, 1);
    open_length(2);
    ext_sni("abcdefghijkl", 12);
    while (w.depth > 0) close_length();
    CHECK(td_hello_sni(w.b, w.n, small, sizeof(small)) == 1 && strcmp(small, "abcdefg") == 0,
          "sni only: \"%s\" in 8 bytes", small);
    CHECK(td_hello_sni(w.b, w.n - 1, small, sizeof(small)) == 0, "sni only: a short message read");
    CHECK(sni_disagreements == 0,
          "sni only: %d hellos where td_hello_sni and td_hello_parse differ", sni_disagreements);
}

static void test_framing(void)
{
    static const unsigned char session_id[33] = { 0 };
    static const uint16_t groups[] = { 0x0017 };
    struct td_hello h;

    memset(&h, 0x5a, sizeof(h));
    CHECK(td_hello_parse(NULL, 10, &h) == 0 && hello_all_zero(&h), "framing: NULL message");
    CHECK(td_hello_parse(w.b, 10, NULL) == 0, "framing: NULL output");
    CHECK(td_hello_version(NULL) == 0 && td_hello_version(&h) == 0,
          "framing: version of nothing must be 0");

    begin_hello(11, 0x0303, NULL); /* a Certificate message */
    put8(0);
    CHECK(!finish_and_parse("", &h), "framing: handshake type 11 accepted");

    begin_hello(1, 0x0303, NULL);
    put8(33);
    put_bytes(session_id, 33);
    put16(2);
    put16(0x1301);
    put8(1);
    put8(0);
    CHECK(!finish_and_parse("", &h), "framing: 33-byte session id accepted");

    begin_hello(1, 0x0303, NULL);
    put8(32);
    put_bytes(session_id, 32);
    put16(2);
    put16(0x1301);
    put8(1);
    put8(0);
    CHECK(finish_and_parse("synthetic-session-id", &h), "framing: 32-byte session id refused");

    begin_client_hello(NULL, 0);
    CHECK(!finish_and_parse("", &h), "framing: empty cipher list accepted");

    begin_hello(1, 0x0303, NULL);
    put8(0);
    put16(3);
    put16(0x1301);
    put8(0x13);
    put8(1);
    put8(0);
    CHECK(!finish_and_parse("", &h), "framing: odd-length cipher list accepted");

    begin_hello(1, 0x0303, NULL);
    put8(0);
    put16(2);
    put16(0x1301);
    put8(0);
    CHECK(!finish_and_parse("", &h), "framing: no compression method accepted");

    /* an extension may not be sent twice; one we do not read may */
    begin_client_hello(one_suite, 1);
    open_length(2);
    ext_u16_list(10, 2, groups, 1);
    ext_u16_list(10, 2, groups, 1);
    CHECK(!finish_and_parse("", &h), "framing: duplicate supported_groups accepted");
    begin_client_hello(one_suite, 1);
    open_length(2);
    begin_ext(0x1234);
    close_length();
    begin_ext(0x1234);
    close_length();
    CHECK(finish_and_parse("synthetic-unknown-twice", &h),
          "framing: unknown extension twice refused");

    /* a list that does not fill its extension */
    begin_client_hello(one_suite, 1);
    open_length(2);
    begin_ext(10);
    put16(2);
    put16(0x0017);
    put8(0);
    CHECK(!finish_and_parse("", &h), "framing: bytes after supported_groups' list accepted");

    begin_client_hello(one_suite, 1);
    open_length(2);
    begin_ext(0xff01);
    put8(0);
    close_length();
    begin_ext(5);
    put8(1);
    put16(0);
    put16(0);
    CHECK(finish_and_parse("synthetic-reneg-status", &h) && h.renegotiation_info &&
              h.status_request,
          "framing: renegotiation_info and status_request");
    begin_client_hello(one_suite, 1);
    open_length(2);
    begin_ext(0xff01);
    put8(5);
    put8(1);
    CHECK(!finish_and_parse("", &h), "framing: renegotiation_info longer than its extension");
}

static void test_server_key_share(void)
{
    static const uint16_t client_groups[] = { 0x0017, 0x0018 };
    struct td_hello h;

    /* a HelloRetryRequest names a group; a ServerHello carries a share of it */
    begin_server_hello(retry_random);
    open_length(2);
    begin_ext(51);
    put16(0x0018);
    CHECK(finish_and_parse("synthetic-hrr", &h) && h.is_server_hello && h.groups[0] == 0x0018,
          "key_share: HelloRetryRequest group");
    begin_server_hello(retry_random);
    open_length(2);
    begin_ext(51);
    put16(0x0018);
    put16(1);
    put8(4);
    CHECK(!finish_and_parse("", &h), "key_share: HelloRetryRequest with a share accepted");
    begin_server_hello(NULL);
    open_length(2);
    begin_ext(51);
    put16(0x001d);
    CHECK(!finish_and_parse("", &h), "key_share: ServerHello without a share accepted");
    begin_server_hello(NULL);
    open_length(2);
    begin_ext(51);
    put16(0x001d);
    put16(2);
    put16(0xabcd);
    CHECK(finish_and_parse("synthetic-server-share", &h) && h.n_groups == 1 &&
              h.groups[0] == 0x001d,
          "key_share: ServerHello group");

    /* offers only a client makes do not displace the group a ServerHello used */
    begin_server_hello(NULL);
    open_length(2);
    ext_u16_list(10, 2, client_groups, 2);
    ext_u16_list(13, 2, client_groups, 2);
    begin_ext(51);
    put16(0x001d);
    put16(2);
    put16(0xabcd);
    CHECK(finish_and_parse("synthetic-server-client-offers", &h) && h.n_groups == 1 &&
              h.groups[0] == 0x001d && h.n_sigalgs == 0,
          "key_share: ServerHello with client-only extensions: %d groups, %d sigalgs", h.n_groups,
          h.n_sigalgs);
}

/* Bytes from nowhere: they must be refused, and never read out of bounds. */
static void test_garbage(void)
{
    unsigned char buf[700];
    uint32_t state = 0x2545f491u;
    struct td_hello h;
    int i, accepted = 0, framed_insane = 0;
    size_t len, k;

    for (i = 0; i < 20000; i++) {
        for (k = 0; k < sizeof(buf); k++) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            buf[k] = (unsigned char)state;
        }
        len = state % sizeof(buf);
        if (parse_exact(buf, len, &h) || !hello_all_zero(&h)) accepted++;
        /* the same bytes behind a correct header get further in; nothing odd may come out */
        if (len >= 4) {
            buf[0] = (unsigned char)(1 + (i & 1));
            buf[1] = 0;
            buf[2] = (unsigned char)((len - 4) >> 8);
            buf[3] = (unsigned char)(len - 4);
            if (parse_exact(buf, len, &h) ? !hello_sane(&h) : !hello_all_zero(&h)) framed_insane++;
        }
    }
    CHECK(accepted == 0, "garbage: %d random buffers accepted", accepted);
    CHECK(framed_insane == 0, "garbage: %d framed buffers gave an inconsistent result",
          framed_insane);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--dump") == 0) {
        dump_dir = argv[2];
    } else if (argc != 1) {
        fprintf(stderr, "usage: %s [--dump DIR]\n", argv[0]);
        return 2;
    }
    /* The machine's openssl.cnf (MinProtocol, CipherString, maybe tlsdiag itself) is not ours
     * to test: every context here states what it wants. */
    if (!OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL)) abort();
    make_server_identity();

    test_tls12_client();
    test_tls13_client();
    test_hello_retry_request();
    test_old_client_refused();
    test_counts_beyond_caps();
    test_versions();
    test_sni();
    test_framing();
    test_server_key_share();
    test_garbage();

    X509_free(server_cert);
    EVP_PKEY_free(server_key);
    return check_summary("test_hello");
}
