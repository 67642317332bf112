/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* check: one handshake the way a default client on this machine makes it (system trust
 * store, system policy, SNI, hostname check), with the tlsdiag provider loaded in this very
 * process. On failure the explanation is the provider's own; we only add the chain as it
 * was verified. On success we report what a default client would not tell you.
 *
 * The provider must be loaded by this process's first OpenSSL initialisation, which reads
 * OPENSSL_CONF and TLSDIAG. Choosing the config already uses OpenSSL's parser, so the work
 * is done in two stages: stage 1 parses the arguments, picks the config, sets the
 * environment and re-executes this program; stage 2 (marked by TLSDIAG_CHECK_FD) connects. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "cli.h"
#include "common.h"
#include "cnf.h"
#include "intercept.h"
#include "ocsp_check.h"
#include "phrases.h"
#include "report.h"
#include "util.h"

#define DEFAULT_PORT "27017"
#define EXPIRY_WARN_DAYS 30
#define MAX_DEPTH 16
#define STAGE_ENV "TLSDIAG_CHECK_FD"

struct check_opts {
    char host[256], port[8];
    const char *target;
    const char *ca, *servername, *cert, *key;
    int min_version, max_version; /* 0: what the system policy says */
    int json, verbose;
    int timeout;             /* seconds, for connect and for the handshake */
    unsigned char alpn[256]; /* --alpn in wire format (length-prefixed names) */
    unsigned alpn_len;
    int no_versions; /* --no-versions: no probe of each TLS version */
};

static void check_usage(FILE *out)
{
    fputs("usage: tlsdiag check [options] HOST[:PORT]\n"
          "\n"
          "Make one TLS handshake with HOST (port 27017 unless given; IPv6 as [::1]:PORT) the way\n"
          "a default client on this machine would: system trust store, system TLS policy, SNI\n"
          "unless HOST is an IP address, and a hostname check. A failure is explained by the\n"
          "tlsdiag provider; a success is reported with the chain, where its trust anchor was\n"
          "found, the OCSP staple, and warnings. Each certificate comes with its SANs, key,\n"
          "signature algorithm, serial and SHA-256 fingerprint; the connection with its group and\n"
          "ALPN; and one more handshake per TLS version says which versions the server accepts.\n"
          "\n"
          "  --ca FILE|DIR        trust only these CA certificates (like tlsCAFile)\n"
          "  --servername NAME    send NAME as SNI and check the certificate against it\n"
          "  --min VERSION        lowest TLS version to offer (1.0, 1.1, 1.2, 1.3 or TLSv1.2...)\n"
          "  --max VERSION        highest TLS version to offer\n"
          "  --cert FILE          client certificate (PEM, may hold the key too)\n"
          "  --key FILE           client private key (PEM), when not in --cert\n"
          "  --timeout SECONDS    for connecting and for each handshake (default 10)\n"
          "  --alpn LIST          offer these ALPN protocols (comma-separated, e.g. h2,http/1.1)\n"
          "  --no-versions        do not probe which TLS versions the server accepts\n"
          "  --json               one JSON object on stdout, with the provider's events\n"
          "  -v, --verbose        trace mode: the provider also reports the successful handshake\n"
          "  -h, --help           this text\n"
          "\n"
          "exit status: 0 handshake ok, 1 handshake failed, 2 usage or network error\n",
          out);
}

static int parse_version(const char *s)
{
    char name[16];
    if (!strncasecmp(s, "TLSv", 4)) s += 4;
    else if (!strncasecmp(s, "TLS", 3)) s += 3;
    if (!strcmp(s, "1.0")) s = "1"; /* how people write what OpenSSL calls TLSv1 */
    if (s[0] != '1' || strlen(s) > 3) return -1;
    snprintf(name, sizeof(name), "TLSv%s", s);
    int v = td_version_from_name(name);
    return v ? v : -1;
}

/* HOST, HOST:PORT, [V6], [V6]:PORT, or a bare IPv6 address (more than one colon). */
static int parse_target(const char *t, struct check_opts *o)
{
    const char *port = NULL;
    size_t hostlen;
    if (t[0] == '[') {
        const char *close = strchr(t, ']');
        if (close == NULL || (close[1] != '\0' && close[1] != ':')) return 0;
        hostlen = (size_t)(close - t - 1);
        t++;
        if (close[1] == ':') port = close + 2;
    } else {
        const char *colon = strchr(t, ':');
        if (colon != NULL && strchr(colon + 1, ':') == NULL) {
            hostlen = (size_t)(colon - t);
            port = colon + 1;
        } else {
            hostlen = strlen(t);
        }
    }
    if (hostlen == 0 || hostlen >= sizeof(o->host)) return 0;
    memcpy(o->host, t, hostlen);
    o->host[hostlen] = '\0';
    if (port == NULL) port = DEFAULT_PORT;
    char *end;
    long p = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || p < 1 || p > 65535) return 0;
    snprintf(o->port, sizeof(o->port), "%ld", p);
    return 1;
}

static int is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* "h2,http/1.1" as ALPN's wire format: each name after its length byte. */
static int parse_alpn(const char *list, struct check_opts *o)
{
    o->alpn_len = 0;
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len > 255 || o->alpn_len + 1 + len > sizeof(o->alpn)) return 0;
        o->alpn[o->alpn_len++] = (unsigned char)len;
        memcpy(o->alpn + o->alpn_len, p, len);
        o->alpn_len += (unsigned)len;
        p += len;
        if (*p == '\0') return 1;
    }
}

static int parse_args(int argc, char **argv, struct check_opts *o)
{
    static const struct option opts[] = {
        { "ca", required_argument, NULL, 'C' },
        { "servername", required_argument, NULL, 'S' },
        { "min", required_argument, NULL, 'm' },
        { "max", required_argument, NULL, 'M' },
        { "cert", required_argument, NULL, 'c' },
        { "key", required_argument, NULL, 'k' },
        { "timeout", required_argument, NULL, 't' },
        { "alpn", required_argument, NULL, 'A' },
        { "no-versions", no_argument, NULL, 'N' },
        { "json", no_argument, NULL, 'j' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { COLOR_LONGOPT },
        { NULL, 0, NULL, 0 },
    };
    int c;
    char *end;
    memset(o, 0, sizeof(*o));
    o->timeout = 10;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":vh", opts, NULL)) != -1) {
        switch (c) {
        case 'C': o->ca = optarg; break;
        case 'S': o->servername = optarg; break;
        case 'c': o->cert = optarg; break;
        case 'k': o->key = optarg; break;
        case 'j': o->json = 1; break;
        case 'v': o->verbose = 1; break;
        case 'N': o->no_versions = 1; break;
        case 'A':
            if (!parse_alpn(optarg, o)) {
                cli_error("check",
                          "--alpn wants protocol names separated by commas, each 1 to "
                          "255 bytes, not '%s'",
                          optarg);
                return 0;
            }
            break;
        case 'm':
        case 'M': {
            int v = parse_version(optarg);
            if (v < 0) {
                cli_error("check", "unknown TLS version '%s' (use 1.0, 1.1, 1.2 or 1.3)", optarg);
                return 0;
            }
            *(c == 'm' ? &o->min_version : &o->max_version) = v;
            break;
        }
        case 't':
            o->timeout = (int)strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || o->timeout < 1 || o->timeout > 3600) {
                cli_error("check", "--timeout wants whole seconds from 1 to 3600, not '%s'",
                          optarg);
                return 0;
            }
            break;
        case 'h': return -1;
        case OPT_COLOR:
            if (!term_color_option("check", optarg)) return -2;
            break;
        case ':': cli_error("check", "option '%s' needs a value", argv[optind - 1]); return 0;
        default: cli_error("check", "unknown option '%s'", argv[optind - 1]); return 0;
        }
    }
    if (optind != argc - 1) {
        cli_error("check", optind >= argc ? "no HOST[:PORT] given" : "one HOST[:PORT] only");
        return 0;
    }
    o->target = argv[optind];
    if (!parse_target(o->target, o)) {
        cli_error("check", "'%s' is not HOST, HOST:PORT or [IPv6]:PORT", o->target);
        return 0;
    }
    if (o->min_version && o->max_version && o->min_version > o->max_version) {
        cli_error("check", "--min is above --max");
        return 0;
    }
    if (o->key && !o->cert) {
        cli_error("check", "--key needs --cert");
        return 0;
    }
    return 1;
}

/* ---- stage 1: environment, then re-exec ---- */

/* A private file for the provider's report. The provider opens its output path with
 * O_NOFOLLOW, so it must be a real path (not /proc/self/fd/N); stage 2 reads it through the
 * descriptor inherited from here and removes it. */
static int events_file_create(char *path, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, cap, "%s/tlsdiag-check-XXXXXX", dir && dir[0] == '/' ? dir : "/tmp");
    return mkstemp(path);
}

static int stage1(const struct check_opts *o)
{
    struct cnf_choice choice;
    char err[PATH_MAX + 256], fdnum[16], path[PATH_MAX], output[PATH_MAX + 8];
    if (!cnf_choose(0, &choice, err, sizeof(err))) {
        cli_error("check", "%s", err);
        return CLI_USAGE;
    }
    int fd = events_file_create(path, sizeof(path));
    if (fd < 0) {
        cli_error("check", "cannot create a file for the provider's report: %s", strerror(errno));
        return CLI_USAGE;
    }
    snprintf(fdnum, sizeof(fdnum), "%d", fd);
    snprintf(output, sizeof(output), "file:%s", path);
    if (setenv("OPENSSL_CONF", choice.path, 1) ||
        setenv("TLSDIAG", o->verbose ? "trace" : "1", 1) ||
        setenv("TLSDIAG_FORMAT", o->json ? "json" : "text", 1) ||
        setenv("TLSDIAG_OUTPUT", output, 1) || setenv(STAGE_ENV, fdnum, 1)) {
        cli_error("check", "cannot set the environment: %s", strerror(errno));
        return CLI_USAGE;
    }
    if (o->verbose && !o->json) fprintf(stderr, "tlsdiag: check: OPENSSL_CONF=%s\n", choice.why);
    fflush(NULL);
    /* The whole command line, so that stage 2 sees the global options (--color) too. */
    execv("/proc/self/exe", cli_argv);
    execvp(cli_argv[0], cli_argv); /* no /proc: the name we were started by */
    cli_error("check", "cannot re-execute myself: %s", strerror(errno));
    unlink(path);
    return CLI_USAGE;
}

/* ---- stage 2: the handshake ---- */

struct depth_record {
    X509 *cert;
    int err; /* X509_V_OK or the first error reported at this depth */
};

struct outcome {
    char addr[INET6_ADDRSTRLEN + 8];
    int connected;
    char net_error[512];
    int ok; /* handshake completed */
    int timed_out;
    char version[16], cipher[64];
    long verify_result;
    unsigned long ssl_err;
    struct depth_record chain[MAX_DEPTH];
    int depth_max; /* highest depth the verify callback saw, -1 none */
    /* OCSP */
    int staple_len;
    struct td_ocsp_info ocsp;
    int must_staple;
    /* trust anchor */
    char anchor_source[32]; /* "file", "directory", "" */
    char anchor_path[PATH_MAX];
    char anchor_origin[64]; /* "--ca", "SSL_CERT_FILE", "OpenSSL default", ... */
    int offered_tls13;
    int tls13_probe; /* -1 not run, 0 refused, 1 accepted */
    char group[64];  /* the negotiated key exchange group, "" none */
    char alpn[256];  /* the negotiated ALPN protocol, "" none */
    int probe;       /* a version probe: no OCSP, no verdict after the handshake */
    int probed;      /* the versions below were probed */
    struct version_probe {
        int result; /* 1 accepted, 0 refused, -1 not tried */
        char note[160];
    } versions[4]; /* in the order of probe_versions */
};

/* The versions probed, newest first, by the names OpenSSL gives them. */
static const struct {
    int version;
    const char *name;
} probe_versions[4] = {
    { TLS1_3_VERSION, "TLSv1.3" },
    { TLS1_2_VERSION, "TLSv1.2" },
    { TLS1_1_VERSION, "TLSv1.1" },
    { TLS1_VERSION, "TLSv1" },
};

static int depth_slot = -1; /* SSL ex_data index for the outcome being filled */

static int verify_record(int preverify_ok, X509_STORE_CTX *xs)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct outcome *out = ssl ? SSL_get_ex_data(ssl, depth_slot) : NULL;
    int depth = X509_STORE_CTX_get_error_depth(xs);
    X509 *cert = X509_STORE_CTX_get_current_cert(xs);
    if (out != NULL && depth >= 0 && depth < MAX_DEPTH && cert != NULL) {
        struct depth_record *d = &out->chain[depth];
        if (d->cert == NULL && X509_up_ref(cert)) d->cert = cert;
        if (!preverify_ok && d->err == X509_V_OK) d->err = X509_STORE_CTX_get_error(xs);
        if (depth > out->depth_max) out->depth_max = depth;
    }
    /* Only watching: the verdict stays OpenSSL's, so the provider sees a normal client. */
    return preverify_ok;
}

/* Reject a stapled response that is present but not good, as the MongoDB drivers' OCSP
 * rules do (and PyMongo's pyOpenSSL path); a missing staple is only a warning here. */
static int status_verdict(SSL *ssl, void *arg)
{
    struct outcome *out = arg;
    const unsigned char *der = NULL;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &der);
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    out->must_staple = leaf != NULL && td_cert_must_staple(leaf);
    if (len <= 0 || der == NULL || leaf == NULL) return 1;
    out->staple_len = (int)len;
    STACK_OF(X509) *verified = SSL_get0_verified_chain(ssl);
    STACK_OF(X509) *issuers = sk_X509_new_null();
    for (int i = 1; verified != NULL && issuers != NULL && i < sk_X509_num(verified); i++)
        sk_X509_push(issuers, sk_X509_value(verified, i));
    td_ocsp_check(der, (size_t)len, leaf, issuers, SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl)),
                  time(NULL), &out->ocsp);
    sk_X509_free(issuers);
    switch (out->ocsp.verdict) {
    case TD_OCSP_NONE:
    case TD_OCSP_GOOD:
    case TD_OCSP_NO_ISSUER: /* cannot judge it, like the drivers' soft-fail */ return 1;
    default: return 0;
    }
}

static int connect_with_timeout(const struct check_opts *o, struct outcome *out)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
    int rc = getaddrinfo(o->host, o->port, &hints, &res);
    if (rc != 0) {
        snprintf(out->net_error, sizeof(out->net_error), "cannot resolve %.200s: %s", o->host,
                 gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        char host[INET6_ADDRSTRLEN], serv[8];
        getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV);
        snprintf(out->addr, sizeof(out->addr), ai->ai_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
                 host, serv);
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) continue;
        int e = 0;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            e = errno;
            if (e == EINPROGRESS) {
                struct pollfd p = { .fd = fd, .events = POLLOUT };
                socklen_t elen = sizeof(e);
                int n = poll(&p, 1, o->timeout * 1000);
                if (n == 0) e = ETIMEDOUT;
                else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0) e = errno;
            }
        }
        if (e == 0) break;
        snprintf(out->net_error, sizeof(out->net_error), "cannot connect to %s: %s", out->addr,
                 e == ETIMEDOUT ? "no answer (timed out)" : strerror(e));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) return -1;
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    struct timeval tv = { .tv_sec = o->timeout };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    out->connected = 1;
    out->net_error[0] = '\0';
    return fd;
}

static SSL_CTX *make_ctx(const struct check_opts *o, int min_version, int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == NULL) return NULL;
    int ok;
    if (o->ca) {
        struct stat st;
        int is_dir = stat(o->ca, &st) == 0 && S_ISDIR(st.st_mode);
        ok = SSL_CTX_load_verify_locations(ctx, is_dir ? NULL : o->ca, is_dir ? o->ca : NULL);
    } else {
        ok = SSL_CTX_set_default_verify_paths(ctx);
    }
    if (ok && min_version) ok = SSL_CTX_set_min_proto_version(ctx, min_version);
    if (ok && max_version) ok = SSL_CTX_set_max_proto_version(ctx, max_version);
    if (ok && o->alpn_len) ok = SSL_CTX_set_alpn_protos(ctx, o->alpn, o->alpn_len) == 0;
    if (ok && o->cert) {
        ok = SSL_CTX_use_certificate_chain_file(ctx, o->cert) &&
             SSL_CTX_use_PrivateKey_file(ctx, o->key ? o->key : o->cert, SSL_FILETYPE_PEM) &&
             SSL_CTX_check_private_key(ctx);
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_record);
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* In TLS 1.3 the client is done before the server has judged its Finished (and its
 * certificate): a server that rejects us says so in an alert that arrives afterwards. Wait
 * briefly for whatever the server sends first (tickets, or that alert) without waiting for
 * application data, which a MongoDB server never sends unasked. 0 when the server refused. */
#define SETTLE_MS 300
static int settle(SSL *ssl, int fd)
{
    char byte;
    int flags = fcntl(fd, F_GETFL), ok = 1;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = SETTLE_MS -
                    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, (int)left) <= 0) break;
        int n = SSL_peek(ssl, &byte, 1);
        if (n > 0) break;
        int e = SSL_get_error(ssl, n);
        if (e == SSL_ERROR_WANT_READ) continue;
        ok = e == SSL_ERROR_ZERO_RETURN; /* a clean close is not a refusal */
        break;
    }
    fcntl(fd, F_SETFL, flags);
    return ok;
}

/* The group and the ALPN protocol the handshake settled on. */
static void negotiated(SSL *ssl, struct outcome *out)
{
    const unsigned char *proto = NULL;
    unsigned len = 0;
    const char *name = NULL;
    /* SSL_get_negotiated_group and SSL_group_to_name are both in 3.0 and later. */
    int nid = SSL_get_negotiated_group(ssl);
    if (nid != 0 && nid != NID_undef) {
        name = SSL_group_to_name(ssl, nid);
        if (name == NULL && !(nid & TLSEXT_nid_unknown)) name = OBJ_nid2sn(nid);
        if (name == NULL)
            snprintf(out->group, sizeof(out->group), "0x%04x", nid & ~TLSEXT_nid_unknown);
    }
    if (name != NULL) snprintf(out->group, sizeof(out->group), "%s", name);
    SSL_get0_alpn_selected(ssl, &proto, &len);
    if (proto != NULL && len > 0)
        snprintf(out->alpn, sizeof(out->alpn), "%.*s", (int)len, (const char *)proto);
}

/* One handshake. Returns 1 when it completed; fills out. */
static int handshake(const struct check_opts *o, SSL_CTX *ctx, struct outcome *out, SSL **keep)
{
    int fd = connect_with_timeout(o, out);
    if (fd < 0) return 0;
    SSL *ssl = SSL_new(ctx);
    if (ssl == NULL) {
        close(fd);
        return 0;
    }
    const char *name = o->servername ? o->servername : o->host;
    int name_is_ip = is_ip_literal(name);
    SSL_set_ex_data(ssl, depth_slot, out);
    SSL_set_fd(ssl, fd);
    /* What a default client does: SNI for names only, and the name checked in OpenSSL. */
    if (!name_is_ip && name[0] != '\0') SSL_set_tlsext_host_name(ssl, name);
    if (name_is_ip) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name);
    else if (name[0] != '\0') X509_VERIFY_PARAM_set1_host(SSL_get0_param(ssl), name, 0);
    if (!out->probe) {
        SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
        SSL_CTX_set_tlsext_status_cb(ctx, status_verdict);
        SSL_CTX_set_tlsext_status_arg(ctx, out);
    }

    errno = 0;
    int rc = SSL_connect(ssl);
    out->verify_result = SSL_get_verify_result(ssl);
    if (rc == 1) {
        out->ok = 1;
        snprintf(out->version, sizeof(out->version), "%s", SSL_get_version(ssl));
        snprintf(out->cipher, sizeof(out->cipher), "%s", SSL_get_cipher_name(ssl));
        negotiated(ssl, out);
        if (!out->probe && SSL_version(ssl) >= TLS1_3_VERSION && !settle(ssl, fd)) {
            out->ok = 0;
            out->ssl_err = ERR_peek_last_error();
        }
    } else {
        int e = errno;
        out->ssl_err = ERR_peek_last_error();
        out->timed_out =
            SSL_get_error(ssl, rc) == SSL_ERROR_SYSCALL && (e == EAGAIN || e == EWOULDBLOCK);
    }
    if (keep != NULL && out->ok) {
        *keep = ssl;
        return 1;
    }
    if (out->ok) SSL_shutdown(ssl);
    SSL_free(ssl);
    close(fd);
    return out->ok;
}

static void outcome_free(struct outcome *out)
{
    for (int i = 0; i < MAX_DEPTH; i++) X509_free(out->chain[i].cert);
}

/* ---- which versions the server accepts ---- */

static int version_built(int version)
{
    switch (version) {
#ifdef OPENSSL_NO_TLS1
    case TLS1_VERSION: return 0;
#endif
#ifdef OPENSSL_NO_TLS1_1
    case TLS1_1_VERSION: return 0;
#endif
#ifdef OPENSSL_NO_TLS1_2
    case TLS1_2_VERSION: return 0;
#endif
#ifdef OPENSSL_NO_TLS1_3
    case TLS1_3_VERSION: return 0;
#endif
    default: return 1;
    }
}

/* One handshake offering VERSION only, the certificate not judged (the chain's own lines do
 * that). TLS 1.0 and 1.1 need security level 0 in OpenSSL 3, for this probe only. Returns 1
 * when the server accepted it, 0 when it refused (note says how), -1 when this OpenSSL
 * cannot offer it, -2 when the server could not be reached or did not answer. */
static int probe_version(const struct check_opts *o, int version, char *note, size_t cap)
{
    struct outcome p;
    memset(&p, 0, sizeof(p));
    p.depth_max = -1;
    p.probe = 1;
    note[0] = '\0';
    if (!version_built(version)) {
        snprintf(note, cap, "not built into this OpenSSL");
        return -1;
    }
    ERR_clear_error();
    SSL_CTX *ctx = make_ctx(o, version, version);
    if (ctx != NULL && version < TLS1_2_VERSION &&
        !SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0")) {
        SSL_CTX_free(ctx);
        ctx = NULL;
    }
    if (ctx == NULL) {
        snprintf(note, cap, "this OpenSSL cannot offer it");
        return -1;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    int ok = handshake(o, ctx, &p, NULL);
    SSL_CTX_free(ctx);
    outcome_free(&p);
    int reason = ERR_GET_REASON(p.ssl_err);
    const char *r = p.ssl_err ? ERR_reason_error_string(p.ssl_err) : NULL;
    if (ok) return 1;
    if (reason == SSL_R_NO_PROTOCOLS_AVAILABLE || reason == SSL_R_NO_CIPHERS_AVAILABLE) {
        snprintf(note, cap, "this OpenSSL cannot offer it: %s", r);
        return -1;
    }
    if (!p.connected) snprintf(note, cap, "%.150s", p.net_error);
    else if (p.timed_out) snprintf(note, cap, "no answer within the timeout");
    else if (r != NULL && (!strncmp(r, "tlsv1 alert ", 12) || !strncmp(r, "sslv3 alert ", 12)))
        snprintf(note, cap, "%s alert", r + 12);
    else snprintf(note, cap, "%s", r ? r : "the connection ended");
    return p.connected && !p.timed_out ? 0 : -2;
}

/* Each version once, newest first. A probe that got no answer ends the probing, so that a
 * silent server costs one more timeout, not four. */
static void probe_all(const struct check_opts *o, struct outcome *out)
{
    int stop = 0;
    out->probed = 1;
    for (int i = 0; i < 4; i++) {
        struct version_probe *v = &out->versions[i];
        if (stop) {
            v->result = -1;
            snprintf(v->note, sizeof(v->note), "an earlier probe got no answer");
            continue;
        }
        v->result = probe_version(o, probe_versions[i].version, v->note, sizeof(v->note));
        stop = v->result == -2;
        if (stop) v->result = -1;
    }
}

/* ---- facts about certificates ---- */

/* What a certificate's chain line and warnings need: the provider's own description, plus the
 * day it expires, how many days are left (negative when past), and two weaknesses. */
#define MAX_SANS 32
struct cert_facts {
    struct td_cert d;
    char date[16];                 /* notAfter as YYYY-MM-DD */
    char start[16];                /* notBefore as YYYY-MM-DD */
    long days_left, days_to_start; /* whole days, negative when past */
    int expired, not_yet;
    int weak_key, sha1;
    char key[64];     /* "RSA 2048", "EC P-256", "Ed25519" */
    char sig_alg[80]; /* "sha256WithRSAEncryption" */
    char serial[100]; /* hex, as openssl x509 -serial prints it */
    char sha256[100]; /* colon-separated hex, as openssl x509 -fingerprint -sha256 */
    int nsans;        /* DNS and IP names, raw bytes: print them through put_bytes */
    struct san {
        char text[300];
        size_t len;
    } sans[MAX_SANS];
};

static void key_name(EVP_PKEY *pk, char *buf, size_t cap)
{
    char group[64];
    const char *type = pk ? EVP_PKEY_get0_type_name(pk) : NULL;
    if (pk == NULL) {
        snprintf(buf, cap, "unknown");
    } else if (EVP_PKEY_is_a(pk, "EC") && EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL)) {
        const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
        snprintf(buf, cap, "EC %.56s", nist ? nist : group);
    } else if (EVP_PKEY_is_a(pk, "ED25519") || EVP_PKEY_is_a(pk, "ED448")) {
        snprintf(buf, cap, "Ed%s", EVP_PKEY_is_a(pk, "ED448") ? "448" : "25519");
    } else {
        snprintf(buf, cap, "%s %d", type ? type : "key", EVP_PKEY_get_bits(pk));
    }
}

static void hex_bytes(const unsigned char *p, size_t len, const char *sep, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < len && o + 4 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%02X", i ? sep : "", p[i]);
}

static void cert_sans(X509 *x, struct cert_facts *f)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names) && f->nsans < MAX_SANS; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        struct san *san = &f->sans[f->nsans];
        if (g->type == GEN_DNS) {
            int l = ASN1_STRING_length(g->d.dNSName);
            size_t n = l < 0                               ? 0
                       : (size_t)l > sizeof(san->text) - 5 ? sizeof(san->text) - 5
                                                           : (size_t)l;
            memcpy(san->text, "DNS:", 4);
            memcpy(san->text + 4, ASN1_STRING_get0_data(g->d.dNSName), n);
            san->len = 4 + n;
        } else if (g->type == GEN_IPADD) {
            char ip[INET6_ADDRSTRLEN];
            td_san_ip(g->d.iPAddress, ip, sizeof(ip));
            san->len = (size_t)snprintf(san->text, sizeof(san->text), "IP:%s", ip);
        } else {
            continue;
        }
        san->text[san->len] = '\0';
        f->nsans++;
    }
    GENERAL_NAMES_free(names);
}

static void cert_facts(X509 *x, struct cert_facts *f)
{
    int day = 0, sec = 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    const X509_ALGOR *alg = NULL;
    const ASN1_OBJECT *alg_oid = NULL;
    memset(f, 0, sizeof(*f));
    td_cert_describe(x, &f->d);
    snprintf(f->date, sizeof(f->date), "%.10s", f->d.not_after);
    snprintf(f->start, sizeof(f->start), "%.10s", f->d.not_before);
    if (ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notAfter(x))) {
        f->days_left = day;
        f->expired = day < 0 || sec < 0;
    }
    if (ASN1_TIME_diff(&day, &sec, NULL, X509_get0_notBefore(x))) {
        f->days_to_start = day;
        f->not_yet = day > 0 || sec > 0;
    }
    key_name(X509_get0_pubkey(x), f->key, sizeof(f->key));
    X509_get0_signature(NULL, &alg, x);
    if (alg != NULL) X509_ALGOR_get0(&alg_oid, NULL, NULL, alg);
    if (alg_oid == NULL || OBJ_obj2txt(f->sig_alg, sizeof(f->sig_alg), alg_oid, 0) <= 0)
        snprintf(f->sig_alg, sizeof(f->sig_alg), "unknown");
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    int neg = ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER, slen = ASN1_STRING_length(serial);
    f->serial[0] = '-';
    hex_bytes(ASN1_STRING_get0_data(serial), slen > 0 ? (size_t)slen : 0, "", f->serial + neg,
              sizeof(f->serial) - 1);
    if (slen <= 0) snprintf(f->serial, sizeof(f->serial), "00");
    if (X509_digest(x, EVP_sha256(), md, &mdlen))
        hex_bytes(md, mdlen, ":", f->sha256, sizeof(f->sha256));
    cert_sans(x, f);
    EVP_PKEY *pk = X509_get0_pubkey(x);
    f->weak_key =
        pk != NULL &&
        (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS") || EVP_PKEY_is_a(pk, "DSA")) &&
        f->d.key_bits < 2048;
    /* A trust anchor's own signature is never checked, so SHA-1 there is harmless. */
    f->sha1 = !f->d.self_signed && !strcmp(f->d.sig_digest, OBJ_nid2sn(NID_sha1));
}

/* How a certificate's dates read today: the one wording of chain lines and warnings. */
static const char *validity(const struct cert_facts *f, char *buf, size_t cap)
{
    long n = f->not_yet ? f->days_to_start : f->expired ? -f->days_left : f->days_left;
    char days[32];
    if (n == 0) snprintf(days, sizeof(days), "less than a day");
    else snprintf(days, sizeof(days), "%ld day%s", n, n == 1 ? "" : "s");
    if (f->not_yet) snprintf(buf, cap, "not valid for another %s (from %s)", days, f->start);
    else if (f->expired) snprintf(buf, cap, "expired %s ago (%s)", days, f->date);
    else snprintf(buf, cap, "expires in %s (%s)", days, f->date);
    return buf;
}

/* Certificate text for a terminal, escaped as the provider escapes its own lines. */
static const char *esc(const char *s)
{
    static char buf[4][6 * TD_FIELD + 1];
    static int next;
    char *b = buf[next++ % 4];
    td_escape(b, sizeof(buf[0]), s, 0);
    return b;
}

/* Raw bytes from a certificate (a NUL in a name included), escaped; as a JSON string when
 * json is set. */
static void put_bytes(const char *p, size_t len, int json)
{
    if (json) putchar('"');
    for (size_t i = 0; i < len;) {
        size_t seg = strnlen(p + i, len - i);
        char buf[6 * sizeof(((struct san *)0)->text) + 1];
        char piece[sizeof(((struct san *)0)->text)];
        snprintf(piece, sizeof(piece), "%.*s", (int)seg, p + i);
        td_escape(buf, sizeof(buf), piece, json);
        fputs(buf, stdout);
        i += seg;
        if (i < len) {
            fputs(json ? "\\u0000" : "\\x00", stdout);
            i++;
        }
    }
    if (json) putchar('"');
}

/* ---- where the trust anchor came from ---- */

static int file_has_cert(const char *path, X509 *want)
{
    BIO *b = BIO_new_file(path, "r");
    int found = 0;
    X509 *x;
    if (b == NULL) {
        ERR_clear_error();
        return 0;
    }
    while (!found && (x = PEM_read_bio_X509_AUX(b, NULL, NULL, NULL)) != NULL) {
        found = X509_cmp(x, want) == 0;
        X509_free(x);
    }
    BIO_free(b);
    ERR_clear_error();
    return found;
}

/* The hashed-directory lookup OpenSSL itself does: DIR/<subject hash>.N. */
static int dir_has_cert(const char *dir, X509 *want, char *found, size_t cap)
{
    int ok = 0;
    unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(want), NULL, NULL, &ok);
    if (!ok) return 0;
    for (int n = 0; n < 100; n++) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%08lx.%d", dir, h, n);
        if (access(path, R_OK) != 0) break;
        if (file_has_cert(path, want)) {
            snprintf(found, cap, "%s", path);
            return 1;
        }
    }
    return 0;
}

static int dirs_have_cert(const char *dirs, X509 *want, char *found, size_t cap)
{
    char *copy = strdup(dirs), *save = NULL;
    int hit = 0;
    for (char *d = strtok_r(copy, ":", &save); !hit && d != NULL; d = strtok_r(NULL, ":", &save))
        hit = dir_has_cert(d, want, found, cap);
    free(copy);
    return hit;
}

static void locate_anchor(const struct check_opts *o, X509 *anchor, struct outcome *out)
{
    char path[PATH_MAX];
    if (o->ca) {
        struct stat st;
        if (stat(o->ca, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (dir_has_cert(o->ca, anchor, path, sizeof(path))) {
                snprintf(out->anchor_source, sizeof(out->anchor_source), "directory");
                snprintf(out->anchor_path, sizeof(out->anchor_path), "%s", path);
            }
        } else if (file_has_cert(o->ca, anchor)) {
            snprintf(out->anchor_source, sizeof(out->anchor_source), "file");
            snprintf(out->anchor_path, sizeof(out->anchor_path), "%s", o->ca);
        }
        snprintf(out->anchor_origin, sizeof(out->anchor_origin), "--ca");
        return;
    }
    /* X509_STORE_set_default_paths reads the file first, then the directory. */
    const char *env_file = getenv(X509_get_default_cert_file_env());
    const char *file = env_file ? env_file : X509_get_default_cert_file();
    if (file_has_cert(file, anchor)) {
        snprintf(out->anchor_source, sizeof(out->anchor_source), "file");
        if (realpath(file, path) != NULL && strcmp(path, file) != 0)
            snprintf(out->anchor_path, sizeof(out->anchor_path), "%.2000s -> %.2000s", file, path);
        else snprintf(out->anchor_path, sizeof(out->anchor_path), "%s", file);
        snprintf(out->anchor_origin, sizeof(out->anchor_origin), "%s",
                 env_file ? X509_get_default_cert_file_env() : "OpenSSL default");
        return;
    }
    const char *env_dir = getenv(X509_get_default_cert_dir_env());
    const char *dirs = env_dir ? env_dir : X509_get_default_cert_dir();
    if (dirs_have_cert(dirs, anchor, path, sizeof(path))) {
        snprintf(out->anchor_source, sizeof(out->anchor_source), "directory");
        snprintf(out->anchor_path, sizeof(out->anchor_path), "%s", path);
        snprintf(out->anchor_origin, sizeof(out->anchor_origin), "%s",
                 env_dir ? X509_get_default_cert_dir_env() : "OpenSSL default");
    }
}

/* ---- the provider's report ---- */

static char *read_events(int fd, off_t from, off_t to)
{
    if (to < from) to = from;
    size_t len = (size_t)(to - from);
    char *buf = malloc(len + 1);
    if (buf == NULL) return NULL;
    ssize_t n = len ? pread(fd, buf, len, from) : 0;
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static off_t events_size(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? st.st_size : 0;
}

/* The value of a top-level string member of one JSON object (the provider's event lines);
 * nested objects and strings are skipped, so "section" inside evidence cannot match. */
static int json_top_string(const char *line, const char *key, char *out, size_t cap)
{
    int depth = 0;
    size_t klen = strlen(key);
    for (const char *p = line; *p; p++) {
        if (*p == '"') {
            const char *start = ++p;
            while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
            if (!*p) return 0;
            size_t len = (size_t)(p - start);
            const char *q = p + 1;
            while (*q == ' ') q++;
            if (depth == 1 && *q == ':' && len == klen && !memcmp(start, key, klen)) {
                q++;
                while (*q == ' ') q++;
                if (*q != '"') return 0;
                const char *v = ++q;
                while (*q && *q != '"') q += (*q == '\\' && q[1]) ? 2 : 1;
                size_t vlen = (size_t)(q - v) < cap - 1 ? (size_t)(q - v) : cap - 1;
                memcpy(out, v, vlen);
                out[vlen] = '\0';
                return 1;
            }
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            depth--;
        }
    }
    return 0;
}

/* ---- output ---- */

static const char *mark(int good)
{
    static char buf[2][48];
    static int next;
    char *b = buf[next++ % 2];
    snprintf(b, sizeof(buf[0]), "%s%s%s", term_on(good ? SGR_GREEN : SGR_RED),
             glyph(good ? GLYPH_OK : GLYPH_FAIL), term_off());
    return b;
}

struct warning {
    const char *id;
    char text[600];
};

static int collect_warnings(const struct outcome *out, struct warning *w, int cap)
{
    int n = 0;
    const struct td_interceptor *warned = NULL; /* a leaf names its CA, which follows: once */
    for (int d = 0; d <= out->depth_max && n < cap - 4; d++) {
        struct cert_facts f;
        if (out->chain[d].cert == NULL) continue;
        cert_facts(out->chain[d].cert, &f);
        if (f.days_left < EXPIRY_WARN_DAYS) {
            char when[96];
            w[n].id = "expires_soon";
            snprintf(w[n++].text, sizeof(w[0].text), "%.300s %s", f.d.subject,
                     validity(&f, when, sizeof(when)));
        }
        if (f.weak_key && n < cap) {
            w[n].id = "weak_key";
            snprintf(w[n++].text, sizeof(w[0].text),
                     "%.300s has a %s key; below 2048 bits RSA fails at security level 2",
                     f.d.subject, f.d.key);
        }
        int by_issuer = 0;
        char ca[256];
        const struct td_interceptor *icpt =
            n < cap ? td_intercept_cert(out->chain[d].cert, NULL, NULL, &by_issuer, ca, sizeof(ca))
                    : NULL;
        if (icpt == warned) icpt = NULL;
        else if (icpt != NULL) warned = icpt;
        if (icpt != NULL && td_intercept_key_is_public(icpt)) {
            /* Trusted here, which is the danger: whoever has the key can be any server. */
            w[n].id = "interception_known_key";
            snprintf(w[n++].text, sizeof(w[0].text),
                     "%.300s is %s's, whose private key is public: anyone can impersonate any "
                     "server to this machine; remove it from the trust store and uninstall %s",
                     ca, icpt->product, icpt->product);
        } else if (icpt != NULL) {
            w[n].id = "interception";
            snprintf(w[n++].text, sizeof(w[0].text),
                     "this connection is intercepted by %s (%s): %.300s re-signed it, so this is "
                     "not the server's own certificate",
                     icpt->product, td_intercept_kind_words(icpt), ca);
        }
        if (f.sha1 && n < cap) {
            w[n].id = "sha1_signature";
            snprintf(w[n++].text, sizeof(w[0].text),
                     "%.300s is signed with SHA-1, refused at security level 1 and up",
                     f.d.subject);
        }
    }
    int negotiated13 = !strcmp(out->version, "TLSv1.3");
    if (!negotiated13 && n < cap && (out->offered_tls13 || out->tls13_probe == 0)) {
        w[n].id = "no_tls13";
        snprintf(w[n++].text, sizeof(w[0].text),
                 "the server does not accept TLS 1.3 (negotiated %s)%s", out->version,
                 out->offered_tls13 ? "" : "; a TLS 1.3-only probe was refused");
    }
    if (out->must_staple && out->staple_len == 0 && n < cap) {
        w[n].id = "must_staple_missing";
        snprintf(w[n++].text, sizeof(w[0].text),
                 "the certificate is must-staple (TLS feature status_request) but no OCSP "
                 "response was stapled; strict clients (PyMongo with pymongo[ocsp]) fail");
    }
    return n;
}

static const char *ocsp_text(const struct outcome *out, char *buf, size_t cap)
{
    if (out->staple_len == 0) {
        snprintf(buf, cap, "requested, none stapled");
    } else if (out->ocsp.verdict == TD_OCSP_GOOD) {
        snprintf(buf, cap, "stapled, good (next update %s)",
                 out->ocsp.next_update[0] ? out->ocsp.next_update : "not given");
    } else {
        snprintf(buf, cap, "stapled, %s%s%s",
                 out->ocsp.cert_status[0] ? out->ocsp.cert_status : "not usable",
                 out->ocsp.signature_error[0] ? ": " : "", out->ocsp.signature_error);
    }
    return buf;
}

/* A certificate's details, indented under its chain line. */
static void print_details_text(const struct cert_facts *f, int indent)
{
    printf("%*sSAN: ", indent, "");
    for (int i = 0; i < f->nsans; i++) {
        if (i) fputs(", ", stdout);
        put_bytes(f->sans[i].text, f->sans[i].len, 0);
    }
    printf("%s\n", f->nsans ? "" : "none");
    printf("%*skey: %s, signature: %s\n", indent, "", f->key, f->sig_alg);
    printf("%*sserial: %s\n", indent, "", f->serial);
    printf("%*sSHA-256: %s\n", indent, "", f->sha256);
}

/* "versions: TLSv1.3 yes, TLSv1.2 no (protocol version alert), ..." */
static void print_versions_text(const struct outcome *out)
{
    if (!out->probed) return;
    printf("versions:");
    for (int i = 0; i < 4; i++) {
        const struct version_probe *v = &out->versions[i];
        printf("%s %s %s", i ? "," : "", probe_versions[i].name,
               v->result > 0    ? "yes"
               : v->result == 0 ? "no"
                                : "not tried");
        if (v->result <= 0 && v->note[0]) printf(" (%s)", v->note);
    }
    putchar('\n');
}

static void print_chain_text(const struct outcome *out, int anchor_known)
{
    printf("chain%s:\n", out->ok ? "" : " (as far as it was verified)");
    for (int d = 0; d <= out->depth_max; d++) {
        struct cert_facts f;
        if (out->chain[d].cert == NULL) continue;
        cert_facts(out->chain[d].cert, &f);
        int good = out->chain[d].err == X509_V_OK;
        char when[96];
        printf("  %*s%s%s %s %s %s%s, %s", 2 * (d > 0 ? d - 1 : 0), "",
               d > 0 ? glyph(GLYPH_BRANCH) : "", mark(good), esc(f.d.subject), glyph(GLYPH_DASH),
               f.d.self_signed ? "self-signed" : "issuer ", f.d.self_signed ? "" : esc(f.d.issuer),
               validity(&f, when, sizeof(when)));
        if (!good)
            printf(" %s[%s]%s", term_on(SGR_RED), X509_verify_cert_error_string(out->chain[d].err),
                   term_off());
        if (out->ok && d == out->depth_max && anchor_known) printf(" (trust anchor)");
        putchar('\n');
        print_details_text(&f, 2 * d + 4);
    }
}

static void print_text(const struct check_opts *o, const struct outcome *out, const char *events)
{
    printf("%stlsdiag check %s%s %s %s\n", term_on(SGR_BOLD), o->target, term_off(),
           glyph(GLYPH_ARROW), out->addr[0] ? out->addr : "?");
    if (!out->connected) {
        printf("%s %s\n", mark(0), out->net_error);
        return;
    }
    if (!out->ok) {
        printf("%s handshake failed%s\n", mark(0),
               out->timed_out ? ": no answer from the server within the timeout" : "");
        if (out->depth_max >= 0) print_chain_text(out, 0);
        print_versions_text(out);
        if (events != NULL && events[0] != '\0') {
            fputs(events, stdout);
        } else {
            /* The provider said nothing: not loaded, or not a handshake it recognises. */
            printf("%s (the tlsdiag provider gave no explanation%s)\n",
                   out->ssl_err ? ERR_reason_error_string(out->ssl_err) : "no OpenSSL error",
                   OSSL_PROVIDER_available(NULL, "tlsdiag") ? "" : ": it is not loaded");
            if (out->verify_result != X509_V_OK)
                printf("verify result %ld: %s\n", out->verify_result,
                       X509_verify_cert_error_string(out->verify_result));
        }
        return;
    }
    char buf[256];
    printf("%s handshake ok: %s, %s\n", mark(1), out->version, out->cipher);
    printf("group: %s\n", out->group[0] ? out->group : "none");
    printf("ALPN: %s%s\n", out->alpn[0] ? esc(out->alpn) : "none",
           out->alpn[0] || o->alpn_len ? "" : " (none offered; --alpn LIST offers some)");
    print_versions_text(out);
    print_chain_text(out, out->anchor_source[0] != '\0');
    if (out->depth_max >= 0 && out->chain[out->depth_max].cert != NULL) {
        struct cert_facts f;
        cert_facts(out->chain[out->depth_max].cert, &f);
        if (out->anchor_source[0])
            printf("trust anchor: %s, found in %s %s (%s)\n", esc(f.d.subject), out->anchor_source,
                   out->anchor_path, out->anchor_origin);
        else
            printf("trust anchor: %s, not found in the %s files tlsdiag knows of\n",
                   esc(f.d.subject), o->ca ? "--ca" : "default");
    }
    printf("OCSP staple: %s\n", ocsp_text(out, buf, sizeof(buf)));
    struct warning w[32];
    int n = collect_warnings(out, w, 32);
    if (n == 0) printf("warnings: none\n");
    for (int i = 0; i < n; i++)
        printf("%s! %s%s\n", term_on(SGR_YELLOW), esc(w[i].text), term_off());
    if (events != NULL && events[0] != '\0') fputs(events, stdout);
}

static void json_events(const char *events)
{
    fputs("\"events\":[", stdout);
    int first = 1;
    for (const char *line = events; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 0 && line[0] == '{') {
            printf("%s%.*s", first ? "" : ",", (int)len, line);
            first = 0;
        }
        line = end ? end + 1 : NULL;
    }
    fputs("]", stdout);
}

static void print_json(const struct check_opts *o, const struct outcome *out, const char *events,
                       int status)
{
    char section[64] = "", cause[64] = "", buf[256];
    printf("{\"schema\":\"tlsdiag-check/1\",\"target\":");
    json_string(stdout, o->target);
    printf(",\"host\":");
    json_string(stdout, o->host);
    printf(",\"port\":%s,\"addr\":", o->port);
    json_string(stdout, out->addr);
    printf(",\"result\":\"%s\",\"exit\":%d",
           !out->connected ? "error"
           : out->ok       ? "ok"
                           : "handshake_failed",
           status);
    if (!out->connected) {
        printf(",\"error\":");
        json_string(stdout, out->net_error);
    }
    for (const char *line = events; !out->ok && line && *line && !section[0];) {
        if (strstr(line, "\"handshake_failed\"") &&
            json_top_string(line, "section", section, sizeof(section)))
            json_top_string(line, "cause", cause, sizeof(cause));
        line = strchr(line, '\n');
        if (line) line++;
    }
    if (section[0]) {
        printf(",\"section\":\"%s\",\"cause\":", section);
        json_string(stdout, cause);
    }
    if (out->connected && !out->ok) {
        printf(",\"openssl_error\":");
        json_string(stdout, out->ssl_err ? ERR_reason_error_string(out->ssl_err) : "");
        printf(",\"verify_result\":%ld", out->verify_result);
    }
    if (out->ok) {
        printf(",\"version\":\"%s\",\"cipher\":", out->version);
        json_string(stdout, out->cipher);
    }
    printf(",\"group\":");
    if (out->group[0]) json_string(stdout, out->group);
    else printf("null");
    printf(",\"alpn\":");
    if (out->alpn[0]) json_string(stdout, out->alpn);
    else printf("null");
    printf(",\"versions\":");
    if (!out->probed) printf("null");
    for (int i = 0; out->probed && i < 4; i++) {
        const struct version_probe *v = &out->versions[i];
        printf("%s\"%s\":%s", i ? "," : "{", probe_versions[i].name,
               v->result > 0    ? "true"
               : v->result == 0 ? "false"
                                : "null");
    }
    printf("%s,\"version_notes\":{", out->probed ? "}" : "");
    for (int i = 0, first = 1; out->probed && i < 4; i++) {
        if (out->versions[i].result > 0) continue;
        printf("%s\"%s\":", first ? "" : ",", probe_versions[i].name);
        json_string(stdout, out->versions[i].note);
        first = 0;
    }
    printf("}");
    printf(",\"chain\":[");
    for (int d = 0; d <= out->depth_max; d++) {
        struct cert_facts f;
        if (out->chain[d].cert == NULL) continue;
        cert_facts(out->chain[d].cert, &f);
        printf("%s{\"depth\":%d,\"subject\":", d ? "," : "", d);
        json_string(stdout, f.d.subject);
        printf(",\"issuer\":");
        json_string(stdout, f.d.issuer);
        printf(",\"not_after\":\"%s\",\"days_left\":%ld,\"key\":\"%s\",\"ok\":%s", f.date,
               f.days_left, f.key, out->chain[d].err == X509_V_OK ? "true" : "false");
        printf(",\"sans\":[");
        for (int i = 0; i < f.nsans; i++) {
            if (i) putchar(',');
            put_bytes(f.sans[i].text, f.sans[i].len, 1);
        }
        printf("],\"sig_alg\":");
        json_string(stdout, f.sig_alg);
        printf(",\"serial\":\"%s\",\"sha256\":\"%s\"", f.serial, f.sha256);
        if (out->chain[d].err != X509_V_OK) {
            printf(",\"error\":");
            json_string(stdout, X509_verify_cert_error_string(out->chain[d].err));
        }
        printf("}");
    }
    printf("]");
    if (out->ok) {
        printf(",\"trust_anchor\":{\"source\":\"%s\",\"path\":", out->anchor_source);
        json_string(stdout, out->anchor_path);
        printf(",\"origin\":");
        json_string(stdout, out->anchor_origin);
        printf("},\"ocsp\":{\"requested\":true,\"stapled\":%s,\"status\":",
               out->staple_len ? "true" : "false");
        json_string(stdout, ocsp_text(out, buf, sizeof(buf)));
        printf(",\"must_staple\":%s}", out->must_staple ? "true" : "false");
        struct warning w[32];
        int n = collect_warnings(out, w, 32);
        printf(",\"warnings\":[");
        for (int i = 0; i < n; i++) {
            printf("%s{\"id\":\"%s\",\"text\":", i ? "," : "", w[i].id);
            json_string(stdout, w[i].text);
            printf("}");
        }
        printf("]");
    }
    printf(",");
    json_events(events);
    printf("}\n");
}

static int stage2(const struct check_opts *o, int events_fd)
{
    struct outcome out;
    memset(&out, 0, sizeof(out));
    out.depth_max = -1;
    out.tls13_probe = -1;
    depth_slot = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    SSL_CTX *ctx = make_ctx(o, o->min_version, o->max_version);
    if (ctx == NULL) {
        unsigned long e = ERR_peek_last_error();
        cli_error("check", "cannot set up the client (%s%s%s): %s", o->ca ? "--ca " : "",
                  o->ca ? o->ca : "", o->cert ? ", --cert/--key" : "",
                  e ? ERR_reason_error_string(e) : "unknown error");
        return CLI_USAGE;
    }
    long max = SSL_CTX_get_max_proto_version(ctx);
    out.offered_tls13 = max == 0 || max >= TLS1_3_VERSION;
    SSL *ssl = NULL;
    handshake(o, ctx, &out, &ssl);
    off_t reported = events_size(events_fd);
    if (out.ok) {
        STACK_OF(X509) *verified = SSL_get0_verified_chain(ssl);
        if (verified != NULL && sk_X509_num(verified) > 0)
            locate_anchor(o, sk_X509_value(verified, sk_X509_num(verified) - 1), &out);
        SSL_shutdown(ssl);
        close(SSL_get_fd(ssl));
        SSL_free(ssl);
    }
    /* Whatever the provider says about the probes is not part of the report: the events are
     * read up to `reported` only. */
    if (out.connected && !out.timed_out && !o->no_versions) probe_all(o, &out);
    /* We did not offer TLS 1.3 (--max or MaxProtocol), so whether the server has it is
     * unknown: the 1.3 probe decides, made here when the versions were not probed. */
    if (out.ok && !out.offered_tls13 && strcmp(out.version, "TLSv1.3") != 0) {
        char note[160];
        int r = out.probed ? out.versions[0].result
                           : probe_version(o, TLS1_3_VERSION, note, sizeof(note));
        out.tls13_probe = r > 0 ? 1 : r == 0 ? 0 : -1;
    }
    int status = !out.connected ? CLI_USAGE : out.ok ? CLI_OK : CLI_FAILED;
    char *events = read_events(events_fd, 0, reported);
    if (o->json) print_json(o, &out, events, status);
    else print_text(o, &out, events);
    if (!out.connected && !o->json) fprintf(stderr, "tlsdiag: check: %s\n", out.net_error);
    free(events);
    outcome_free(&out);
    SSL_CTX_free(ctx);
    fflush(stdout);
    return status;
}

int cmd_check(int argc, char **argv)
{
    struct check_opts o;
    int parsed = parse_args(argc, argv, &o);
    if (parsed == -2) return CLI_USAGE; /* a bad --color: its one line is said */
    if (parsed < 0) {
        check_usage(stdout);
        return CLI_OK;
    }
    if (parsed == 0) {
        fputs("usage: tlsdiag check [options] HOST[:PORT]   (tlsdiag check --help)\n", stderr);
        return CLI_USAGE;
    }
    const char *stage = getenv(STAGE_ENV);
    if (stage == NULL) return stage1(&o);
    int fd = atoi(stage);
    unsetenv(STAGE_ENV);
    struct stat st;
    if (fd < 3 || fstat(fd, &st) != 0) {
        cli_error("check", "internal: lost the provider's report buffer (%s=%s)", STAGE_ENV, stage);
        return CLI_USAGE;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    int status = stage2(&o, fd);
    const char *output = getenv("TLSDIAG_OUTPUT");
    if (output != NULL && !strncmp(output, "file:", 5)) unlink(output + 5);
    return status;
}
