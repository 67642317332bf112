/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* handshake_bench: what tlsdiag costs a TLS handshake, measured in one process.
 *
 * Both ends of every connection live in this process and talk over an in-memory
 * BIO pair, so a run measures libssl (and whatever the loaded config hooks into it)
 * and nothing of the network. The mode under test is chosen by the environment the
 * driver (bench/run_bench.py) sets: OPENSSL_CONF, TLSDIAG, TLSDIAG_OUTPUT,
 * TLSDIAG_REPEAT_WINDOW. This program only reports what it measured, ending with one
 * JSON object on stdout; it exits non-zero when a handshake does not end as the
 * workload expects, so a broken setup never produces numbers.
 *
 *   handshake_bench keygen DIR
 *       RSA-2048 and P-256 keys with self-signed certificates, into DIR
 *   handshake_bench run DIR WORKLOAD COUNT [WARMUP]
 *       times COUNT handshakes (or holds COUNT idle SSL objects), prints the totals
 *   handshake_bench serve DIR WORKLOAD PER_BATCH [WARMUP]
 *       prints "ready"; for each "go" line on stdin times PER_BATCH handshakes and
 *       prints their CPU seconds; at end of input prints the totals
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define BENCH_HOST "bench.tlsdiag.test"

/* ---- allocation counting ------------------------------------------------------
 * Defining malloc & co. in the executable interposes them for every shared object
 * in the process (glibc documents this as "replacing malloc"): libcrypto, libssl and
 * the tlsdiag provider all allocate through these, whether they call OPENSSL_malloc
 * or malloc directly, and without LD_PRELOAD. They forward to glibc's own allocator,
 * so the heap layout is the one the host programs get. Counters are atomic because
 * the provider may allocate from a thread of its own. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static uint64_t alloc_calls; /* malloc/calloc/realloc/memalign calls that returned memory */
static uint64_t alloc_bytes; /* bytes those calls asked for */
static int64_t live_bytes;   /* usable bytes currently allocated */

static void count_alloc(void *p, size_t asked)
{
    if (p == NULL) return;
    __atomic_fetch_add(&alloc_calls, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&alloc_bytes, asked, __ATOMIC_RELAXED);
    __atomic_fetch_add(&live_bytes, (int64_t)malloc_usable_size(p), __ATOMIC_RELAXED);
}

static void count_release(void *p)
{
    if (p != NULL)
        __atomic_fetch_sub(&live_bytes, (int64_t)malloc_usable_size(p), __ATOMIC_RELAXED);
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    count_alloc(p, n);
    return p;
}

void *calloc(size_t n, size_t size)
{
    void *p = __libc_calloc(n, size);
    count_alloc(p, n * size);
    return p;
}

void *realloc(void *old, size_t n)
{
    size_t old_usable = old != NULL ? malloc_usable_size(old) : 0;
    void *p = __libc_realloc(old, n);
    if (p == NULL && n != 0) return NULL; /* failed: old is untouched */
    /* moved, resized, or (n == 0) freed */
    __atomic_fetch_sub(&live_bytes, (int64_t)old_usable, __ATOMIC_RELAXED);
    count_alloc(p, n);
    return p;
}

void free(void *p)
{
    count_release(p);
    __libc_free(p);
}

void *memalign(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    count_alloc(p, n);
    return p;
}

void *aligned_alloc(size_t align, size_t n)
{
    return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = memalign(align, n);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t n)
{
    return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return memalign(page, (n + page - 1) / page * page);
}

struct alloc_snapshot {
    uint64_t calls, bytes;
    int64_t live;
};

static struct alloc_snapshot alloc_now(void)
{
    struct alloc_snapshot s = {
        __atomic_load_n(&alloc_calls, __ATOMIC_RELAXED),
        __atomic_load_n(&alloc_bytes, __ATOMIC_RELAXED),
        __atomic_load_n(&live_bytes, __ATOMIC_RELAXED),
    };
    return s;
}

/* ---- small helpers -------------------------------------------------------------- */

static void die(const char *what)
{
    fprintf(stderr, "handshake_bench: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set size, from /proc because getrusage only knows the peak. */
static long rss_bytes(void)
{
    long pages_total = 0, pages_resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL) die("cannot open /proc/self/statm");
    if (fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2)
        die("cannot parse /proc/self/statm");
    fclose(f);
    return pages_resident * sysconf(_SC_PAGESIZE);
}

static char *path_in(const char *dir, const char *name)
{
    static char buf[4096];
    if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", dir, name) >= sizeof(buf)) die("path too long");
    return buf;
}

/* ---- keygen ----------------------------------------------------------------------- */

static void add_ext(X509 *cert, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (ext == NULL || !X509_add_ext(cert, ext, -1)) die("cannot add certificate extension");
    X509_EXTENSION_free(ext);
}

static void write_key_and_cert(const char *dir, const char *stem, EVP_PKEY *key, long serial)
{
    X509 *cert = X509_new();
    if (cert == NULL || !X509_set_version(cert, X509_VERSION_3) ||
        !ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) ||
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 86400) == NULL ||
        !X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
                                    (const unsigned char *)BENCH_HOST, -1, -1, 0) ||
        !X509_set_issuer_name(cert, X509_get_subject_name(cert)) || !X509_set_pubkey(cert, key))
        die("cannot build certificate");
    add_ext(cert, NID_subject_alt_name, "DNS:" BENCH_HOST);
    add_ext(cert, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert, NID_ext_key_usage, "serverAuth");
    if (!X509_sign(cert, key, EVP_sha256())) die("cannot sign certificate");

    char name[64];
    snprintf(name, sizeof(name), "%s.key", stem);
    mode_t old_mask = umask(077);
    FILE *f = fopen(path_in(dir, name), "w");
    umask(old_mask);
    if (f == NULL || !PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) || fclose(f) != 0)
        die("cannot write key");
    snprintf(name, sizeof(name), "%s.crt", stem);
    f = fopen(path_in(dir, name), "w");
    if (f == NULL || !PEM_write_X509(f, cert) || fclose(f) != 0) die("cannot write certificate");
    X509_free(cert);
}

static int keygen(const char *dir)
{
    EVP_PKEY *rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (rsa == NULL || ec == NULL) die("key generation failed");
    write_key_and_cert(dir, "rsa", rsa, 1);
    write_key_and_cert(dir, "ecdsa", ec, 2);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    return 0;
}

/* ---- workloads -------------------------------------------------------------------- */

enum outcome { EXPECT_OK, EXPECT_VERIFY_FAILURE };

struct workload {
    const char *name;
    const char *key;          /* "rsa" or "ecdsa" */
    int version;              /* pinned protocol version */
    int client_trusts_server; /* 0: empty trust store, the verify failure workload */
    int resume;               /* every measured handshake resumes one TLS 1.3 session */
    int idle; /* COUNT connections left open: 1 after one step each, 2 once established */
};

static const struct workload workloads[] = {
    { "tls13-rsa", "rsa", TLS1_3_VERSION, 1, 0, 0 },
    { "tls13-ecdsa", "ecdsa", TLS1_3_VERSION, 1, 0, 0 },
    { "tls12-rsa", "rsa", TLS1_2_VERSION, 1, 0, 0 },
    { "resume13", "rsa", TLS1_3_VERSION, 1, 1, 0 },
    /* the driver runs this one with and without TLSDIAG_REPEAT_WINDOW=0 */
    { "fail-verify", "rsa", TLS1_3_VERSION, 0, 0, 0 },
    { "idle", "ecdsa", TLS1_3_VERSION, 1, 0, 1 },
    { "idle-open", "ecdsa", TLS1_3_VERSION, 1, 0, 2 },
};

struct bench {
    const struct workload *w;
    SSL_CTX *client_ctx, *server_ctx;
    SSL_SESSION *session; /* resume workload only */
};

struct pair {
    SSL *client, *server;
};

static FILE *open_key_file(const char *dir, const char *stem, const char *ext)
{
    char name[64];
    snprintf(name, sizeof(name), "%s.%s", stem, ext);
    FILE *f = fopen(path_in(dir, name), "r");
    if (f == NULL) die("cannot open a key or certificate (run keygen first)");
    return f;
}

static X509 *read_cert(const char *dir, const char *stem)
{
    FILE *f = open_key_file(dir, stem, "crt");
    X509 *cert = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (cert == NULL) die("cannot read certificate");
    return cert;
}

static EVP_PKEY *read_key(const char *dir, const char *stem)
{
    FILE *f = open_key_file(dir, stem, "key");
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (key == NULL) die("cannot read key");
    return key;
}

/* The contexts are made after the config is loaded: SSL_CTX_new is where the
 * provider's ex_data hook meets each context. */
static void make_contexts(struct bench *b, const char *dir)
{
    const struct workload *w = b->w;
    X509 *cert = read_cert(dir, w->key);
    EVP_PKEY *key = read_key(dir, w->key);

    b->server_ctx = SSL_CTX_new(TLS_server_method());
    b->client_ctx = SSL_CTX_new(TLS_client_method());
    if (b->server_ctx == NULL || b->client_ctx == NULL) die("SSL_CTX_new failed");
    if (!SSL_CTX_use_certificate(b->server_ctx, cert) ||
        !SSL_CTX_use_PrivateKey(b->server_ctx, key) || !SSL_CTX_check_private_key(b->server_ctx))
        die("server certificate/key rejected");
    /* TLS 1.2 session IDs would otherwise pile up in the server cache, a cost
     * and a memory growth that has nothing to do with the mode under test.
     * TLS 1.3 resumption uses stateless tickets and needs no cache. */
    SSL_CTX_set_session_cache_mode(b->server_ctx, SSL_SESS_CACHE_OFF);
    if (!SSL_CTX_set_min_proto_version(b->server_ctx, w->version) ||
        !SSL_CTX_set_max_proto_version(b->server_ctx, w->version) ||
        !SSL_CTX_set_min_proto_version(b->client_ctx, w->version) ||
        !SSL_CTX_set_max_proto_version(b->client_ctx, w->version))
        die("cannot pin the protocol version");
    SSL_CTX_set_verify(b->client_ctx, SSL_VERIFY_PEER, NULL);
    if (w->client_trusts_server &&
        !X509_STORE_add_cert(SSL_CTX_get_cert_store(b->client_ctx), cert))
        die("cannot trust the server certificate");
    X509_free(cert);
    EVP_PKEY_free(key);
}

static struct pair new_pair(const struct bench *b)
{
    struct pair p = { SSL_new(b->client_ctx), SSL_new(b->server_ctx) };
    BIO *client_end = NULL, *server_end = NULL;
    if (p.client == NULL || p.server == NULL || !BIO_new_bio_pair(&client_end, 0, &server_end, 0))
        die("cannot create a connection");
    SSL_set_bio(p.client, client_end, client_end);
    SSL_set_bio(p.server, server_end, server_end);
    SSL_set_connect_state(p.client);
    SSL_set_accept_state(p.server);
    if (!SSL_set_tlsext_host_name(p.client, BENCH_HOST) || !SSL_set1_host(p.client, BENCH_HOST))
        die("cannot set the server name");
    if (b->session != NULL && !SSL_set_session(p.client, b->session))
        die("cannot set the session to resume");
    return p;
}

/* 1 finished, 0 wants more input, -1 failed. */
static int step(SSL *ssl)
{
    int ret = SSL_do_handshake(ssl);
    if (ret == 1) return 1;
    int err = SSL_get_error(ssl, ret);
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* Alternates the two ends until neither can make progress. */
static void run_to_end(struct pair p, int *client, int *server)
{
    *client = *server = 0;
    for (int round = 0; round < 16 && (*client == 0 || *server == 0); round++) {
        if (*client == 0) *client = step(p.client);
        if (*server == 0) *server = step(p.server);
    }
}

/* Both ends say close_notify, as applications do. It also matters: SSL_free of a
 * connection that was not shut down marks its session not resumable. */
static void close_both(struct pair p)
{
    if (SSL_shutdown(p.client) < 0 || SSL_shutdown(p.server) < 0) die("shutdown failed");
}

/* Runs both ends to the end of the handshake and checks it ended as the workload
 * says: both sides done, or the client refusing the certificate and the server
 * failing on the alert it got. keep_session, when not NULL, receives the client's
 * session with the ticket the server sent after the handshake. */
static void handshake(const struct bench *b, SSL_SESSION **keep_session)
{
    struct pair p = new_pair(b);
    int client, server;
    run_to_end(p, &client, &server);
    if (b->w->client_trusts_server) {
        if (client != 1 || server != 1) die("a handshake that should succeed did not");
        if (b->session != NULL && !SSL_session_reused(p.client)) die("the session was not resumed");
        if (keep_session != NULL) {
            /* TLS 1.3 tickets arrive after the handshake: reading is what processes them. */
            char byte;
            if (SSL_read(p.client, &byte, 1) > 0) die("unexpected application data");
            *keep_session = SSL_get1_session(p.client);
            if (*keep_session == NULL || !SSL_SESSION_is_resumable(*keep_session))
                die("no resumable session");
        }
        close_both(p);
    } else {
        if (client != -1 || server != -1 ||
            SSL_get_verify_result(p.client) != X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT)
            die("a handshake that should fail certificate verification did not");
    }
    ERR_clear_error();
    SSL_free(p.client);
    SSL_free(p.server);
}

/* The measured region for callgrind: the driver has it zero every counter on entry
 * and dump them on return (--zero-before, --dump-after), which takes in the threads
 * the provider starts meanwhile. Out of line, and the warm-up stays out of it. */
__attribute__((noinline)) void bench_measured_handshakes(const struct bench *b, long count);
__attribute__((noinline)) void bench_measured_handshakes(const struct bench *b, long count)
{
    for (long i = 0; i < count; i++) handshake(b, NULL);
}

/* count SSL objects, in client/server pairs. idle 1: the client's hello sent, the server's
 * first flight sent in answer, then nothing: what a process holds for peers that are slow
 * to answer; each object has met every hook the provider installs at creation and at the
 * first handshake messages. idle 2: the handshake completed and the connection left open,
 * what a server holds for its established clients. */
static void idle_connections(const struct bench *b, long count)
{
    long n_pairs = count / 2;
    struct pair *pairs = __libc_calloc((size_t)n_pairs, sizeof(*pairs));
    if (pairs == NULL) die("out of memory");
    memset(pairs, 0, (size_t)n_pairs * sizeof(*pairs)); /* resident before the first reading */
    long rss_before = rss_bytes();
    struct alloc_snapshot before = alloc_now();
    for (long i = 0; i < n_pairs; i++) {
        pairs[i] = new_pair(b);
        if (b->w->idle == 2) {
            int client, server;
            run_to_end(pairs[i], &client, &server);
            if (client != 1 || server != 1) die("an open connection did not complete");
        } else if (step(pairs[i].client) != 0 || step(pairs[i].server) != 0) {
            die("an idle connection did not stop half way");
        }
    }
    long rss_after = rss_bytes();
    struct alloc_snapshot after = alloc_now();
    printf("{\"workload\":\"%s\",\"objects\":%ld,\"rss_bytes\":%ld,\"heap_bytes\":%lld,"
           "\"allocs\":%llu,\"provider_loaded\":%d}\n",
           b->w->name, 2 * n_pairs, rss_after - rss_before, (long long)(after.live - before.live),
           (unsigned long long)(after.calls - before.calls),
           OSSL_PROVIDER_available(NULL, "tlsdiag"));
    for (long i = 0; i < n_pairs; i++) {
        SSL_free(pairs[i].client);
        SSL_free(pairs[i].server);
    }
    __libc_free(pairs);
}

/* What the timed batches of one process add up to. Allocations are counted around
 * each batch only, so stdio's buffers and the warm-up never enter them. */
struct totals {
    long handshakes;
    double cpu, wall;
    uint64_t alloc_calls, alloc_bytes;
    int64_t live_bytes;
};

static double timed_batch(const struct bench *b, long n, struct totals *t)
{
    struct alloc_snapshot before = alloc_now();
    double cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID), wall0 = seconds(CLOCK_MONOTONIC);
    bench_measured_handshakes(b, n);
    double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
    t->wall += seconds(CLOCK_MONOTONIC) - wall0;
    struct alloc_snapshot after = alloc_now();
    t->handshakes += n;
    t->cpu += cpu;
    t->alloc_calls += after.calls - before.calls;
    t->alloc_bytes += after.bytes - before.bytes;
    t->live_bytes += after.live - before.live;
    return cpu;
}

static void print_totals(const struct bench *b, const struct totals *t)
{
    printf("{\"workload\":\"%s\",\"count\":%ld,\"cpu_s\":%.6f,\"wall_s\":%.6f,"
           "\"allocs\":%llu,\"alloc_bytes\":%llu,\"live_bytes\":%lld,\"provider_loaded\":%d}\n",
           b->w->name, t->handshakes, t->cpu, t->wall, (unsigned long long)t->alloc_calls,
           (unsigned long long)t->alloc_bytes, (long long)t->live_bytes,
           OSSL_PROVIDER_available(NULL, "tlsdiag"));
}

/* The driver keeps one of these per mode alive and asks each in turn for a batch,
 * so the modes alternate every few tens of milliseconds and share whatever state
 * the machine is in. Only one of them runs at a time. */
static void serve_batches(const struct bench *b, long per_batch)
{
    struct totals t = { 0 };
    char line[16];
    printf("ready\n");
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        if (strcmp(line, "go\n") != 0) die("serve: expected \"go\"");
        printf("%.9f\n", timed_batch(b, per_batch, &t));
        fflush(stdout);
    }
    print_totals(b, &t);
}

static int run(const char *dir, const char *name, long count, long warmup, int serve)
{
    struct bench b = { 0 };
    for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++)
        if (strcmp(workloads[i].name, name) == 0) b.w = &workloads[i];
    if (b.w == NULL) die("unknown workload");
    if (count <= 0 || warmup < 0 || (b.w->idle && (count < 2 || serve))) die("bad count");

    /* Load the config (OPENSSL_CONF) now, so a config error is reported as one
     * instead of as a failed SSL_CTX_new further down. */
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) die("cannot load the OpenSSL config");
    make_contexts(&b, dir);
    if (b.w->resume) handshake(&b, &b.session);

    if (b.w->idle) {
        idle_connections(&b, count);
    } else {
        for (long i = 0; i < warmup; i++) handshake(&b, NULL);
        if (serve) {
            serve_batches(&b, count);
        } else {
            struct totals t = { 0 };
            timed_batch(&b, count, &t);
            print_totals(&b, &t);
        }
    }
    SSL_SESSION_free(b.session);
    SSL_CTX_free(b.client_ctx);
    SSL_CTX_free(b.server_ctx);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "keygen") == 0) return keygen(argv[2]);
    int serve = argc >= 2 && strcmp(argv[1], "serve") == 0;
    if ((argc == 5 || argc == 6) && (serve || strcmp(argv[1], "run") == 0))
        return run(argv[2], argv[3], atol(argv[4]), argc == 6 ? atol(argv[5]) : 10, serve);
    fprintf(stderr,
            "usage: %s keygen DIR\n"
            "       %s run DIR WORKLOAD COUNT [WARMUP]\n"
            "       %s serve DIR WORKLOAD PER_BATCH [WARMUP]\n",
            argv[0], argv[0], argv[0]);
    return 2;
}
