/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* observe: see include/observe.h. Called only when there is something to report. It never runs
 * a verification with the host's store: the verification's own result, depth and chain are
 * kept by OpenSSL and by hook.c, and a staple is checked against a private store of the host
 * store's certificates on the chain's path (store_for_path). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include "catalogue.h"
#include "intercept.h"
#include "observe.h"
#include "phrases.h"
#include "runtime.h"
#include "util.h"

/* snprintf(dst, cap, "%s", src) without the formatting machinery: observe runs in every
 * failure, repeats included, and copies a dozen strings each time. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    if (cap == 0) return;
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- the certificate that failed ------------------------------------------------------ */

/* OpenSSL keeps the chain it built, failed or not (SSL_get0_verified_chain), and the failing
 * depth indexes it; the store ctx's free, seen by hook.c, gave the depth when the result alone
 * does not. No verification runs again, so no callback of the host's runs again. */
static X509 *failed_certificate(SSL *ssl, int depth, X509 *leaf, STACK_OF(X509) *sent)
{
    STACK_OF(X509) *built = SSL_get0_verified_chain(ssl);
    if (depth >= 0 && depth < sk_X509_num(built)) return sk_X509_value(built, depth);
    if (depth >= 0 && depth < sk_X509_num(sent)) return sk_X509_value(sent, depth);
    return leaf;
}

static int count_not_yet_valid(STACK_OF(X509) *chain, time_t now)
{
    int n = 0;
    for (int i = 0; i < sk_X509_num(chain); i++)
        if (td_asn1_time(X509_get0_notBefore(sk_X509_value(chain, i))) > now) n++;
    return n;
}

/* ---- trust store ------------------------------------------------------------------------ */

static int count_pem_certs(const char *path)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) return -1;
    char line[256];
    int n = 0;
    long lines = 0;
    while (fgets(line, sizeof(line), f) != NULL && ++lines < 2000000)
        if (!strncmp(line, "-----BEGIN CERTIFICATE-----", 27) ||
            !strncmp(line, "-----BEGIN TRUSTED CERTIFICATE-----", 35))
            n++;
    fclose(f);
    return n;
}

/* Certificates in a CApath are found through <hash>.<n> names (c_rehash). */
static int count_hash_links(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 100000) {
        const char *s = e->d_name;
        int hex = 0;
        while (hex < 8 && ((s[hex] >= '0' && s[hex] <= '9') || (s[hex] >= 'a' && s[hex] <= 'f')))
            hex++;
        if (hex == 8 && s[8] == '.' && s[9] >= '0' && s[9] <= '9') n++;
    }
    closedir(d);
    return n;
}

/* Calls fn on each object the store has loaded. X509_STORE_get1_objects (3.3 on; get0 is
 * deprecated in 4.0) gives a list of our own, taken under the store's lock; before 3.3 the
 * store's own list is walked under that lock. */
static void for_each_object(X509_STORE *store, void (*fn)(X509_OBJECT *, void *), void *arg)
{
    if (store == NULL) return;
#if OPENSSL_VERSION_NUMBER >= 0x30300000L
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get1_objects(store);
    for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) fn(sk_X509_OBJECT_value(objs, i), arg);
    sk_X509_OBJECT_pop_free(objs, X509_OBJECT_free);
#else
    if (!X509_STORE_lock(store)) return;
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(store);
    for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) fn(sk_X509_OBJECT_value(objs, i), arg);
    X509_STORE_unlock(store);
#endif
}

static void count_cert(X509_OBJECT *obj, void *arg)
{
    if (X509_OBJECT_get_type(obj) == X509_LU_X509) ++*(int *)arg;
}

static int store_cert_count(X509_STORE *store)
{
    int n = 0;
    for_each_object(store, count_cert, &n);
    return n;
}

static void push_cert(X509_OBJECT *obj, void *list)
{
    X509 *x = X509_OBJECT_get0_X509(obj);
    if (x != NULL && X509_up_ref(x) && !sk_X509_push(list, x)) X509_free(x);
}

#define TD_PATH_NAMES 32

/* Adds name to names (of *n) unless there already; 0 when full. */
static int note_issuer(const X509_NAME **names, int *n, const X509_NAME *name)
{
    for (int i = 0; i < *n; i++)
        if (X509_NAME_cmp(names[i], name) == 0) return 1;
    if (*n == TD_PATH_NAMES) return 0;
    names[(*n)++] = name;
    return 1;
}

/* A private store of the host store's certificates that can be on a path up from the leaf and
 * the chain sent: those whose subject is the issuer of one of them, or of one taken already.
 * With OpenSSL's own verification and no lookup methods, checking a staple against it runs none
 * of the host's callbacks and reads no file (OpenSSL's file lookups clear the error queue), and
 * it costs what it holds: a copy of the whole store sorts itself again at every certificate
 * added (the system bundle, 145 certificates: 3.3 million instructions for every stapled trace
 * line or OCSP failure; this takes 64,000). */
static X509_STORE *store_for_path(X509_STORE *host, X509 *leaf, STACK_OF(X509) *chain)
{
    X509_STORE *ours = X509_STORE_new();
    STACK_OF(X509) *all = sk_X509_new_null();
    const X509_NAME *names[TD_PATH_NAMES];
    int n = 0, done = 0;
    if (ours == NULL || all == NULL) goto end;
    if (leaf != NULL) note_issuer(names, &n, X509_get_issuer_name(leaf));
    for (int i = 0; i < sk_X509_num(chain); i++)
        note_issuer(names, &n, X509_get_issuer_name(sk_X509_value(chain, i)));
    for_each_object(host, push_cert, all);
    /* Each round looks for the issuers named since the last; a taken certificate leaves the
     * list, so the rounds end. */
    while (done < n) {
        int from = done;
        done = n;
        for (int i = 0; i < sk_X509_num(all); i++) {
            X509 *x = sk_X509_value(all, i);
            int hit = 0;
            for (int k = from; k < done && !hit; k++)
                hit = X509_NAME_cmp(X509_get_subject_name(x), names[k]) == 0;
            if (!hit) continue;
            X509_STORE_add_cert(ours, x);
            note_issuer(names, &n, X509_get_issuer_name(x));
            X509_free(sk_X509_delete(all, i--));
        }
    }
end:
    sk_X509_pop_free(all, X509_free);
    return ours;
}

/* Counting a CA bundle reads the whole file (a directory, all its names): done again only when
 * the file or directory changed (another inode, size or modification time), so a process that
 * keeps failing for want of an issuer reads its trust store once. */
struct trust_count {
    int valid, is_dir;
    char path[sizeof(((struct td_trust_path *)0)->path)];
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    int count;
};
static pthread_mutex_t trust_lock = PTHREAD_MUTEX_INITIALIZER;
static struct trust_count trust_counts[2]; /* [is_dir] */

static int trust_count_matches(const struct trust_count *k, const char *path, int is_dir,
                               const struct stat *st)
{
    return k->valid && k->is_dir == is_dir && k->dev == st->st_dev && k->ino == st->st_ino &&
           k->size == st->st_size && k->mtime.tv_sec == st->st_mtim.tv_sec &&
           k->mtime.tv_nsec == st->st_mtim.tv_nsec && strcmp(k->path, path) == 0;
}

static int count_trust(const char *path, int is_dir, const struct stat *st)
{
    struct trust_count *k = &trust_counts[is_dir != 0];
    pthread_mutex_lock(&trust_lock);
    int n = trust_count_matches(k, path, is_dir, st) ? k->count : -2;
    pthread_mutex_unlock(&trust_lock);
    if (n != -2) return n;
    n = is_dir ? count_hash_links(path) : count_pem_certs(path);
    pthread_mutex_lock(&trust_lock);
    k->valid = strlen(path) < sizeof(k->path);
    k->is_dir = is_dir;
    copy_str(k->path, sizeof(k->path), path);
    k->dev = st->st_dev;
    k->ino = st->st_ino;
    k->size = st->st_size;
    k->mtime = st->st_mtim;
    k->count = n;
    pthread_mutex_unlock(&trust_lock);
    return n;
}

static void trust_path(struct td_trust_path *t, const char *path, const char *from, int is_dir,
                       time_t now)
{
    struct stat st;
    copy_str(t->path, sizeof(t->path), path);
    copy_str(t->from, sizeof(t->from), from);
    t->count = -1;
    if (stat(path, &st) != 0) return;
    t->age_days = (long)((now - st.st_mtime) / 86400);
    int n = count_trust(path, is_dir, &st);
    t->count = n < 0 ? 0 : n;
}

/* Where a client finds CA certificates, and what the connection's store holds. */
static void observe_trust(struct td_report *r, SSL *ssl)
{
    const char *env_file = X509_get_default_cert_file_env();
    const char *env_dir = X509_get_default_cert_dir_env();
    const char *file = secure_getenv(env_file);
    const char *dir = secure_getenv(env_dir);
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);

    r->trust_read = 1;
    r->cert_env_set = file != NULL || dir != NULL;
    /* A server trusts what its configuration loaded, not OpenSSL's default paths. */
    if (r->role == TD_ROLE_CLIENT) {
        trust_path(&r->ca_file, file ? file : X509_get_default_cert_file(),
                   file ? env_file : TD_SAY_OPENSSL_DEFAULT, 0, r->now);
        trust_path(&r->ca_dir, dir ? dir : X509_get_default_cert_dir(),
                   dir ? env_dir : TD_SAY_OPENSSL_DEFAULT, 1, r->now);
    }
    r->store_loaded = store_cert_count(ctx ? SSL_CTX_get_cert_store(ctx) : NULL);
    r->os = access("/etc/debian_version", F_OK) == 0 ? TD_OS_DEBIAN
            : access("/etc/pki/ca-trust", F_OK) == 0 ? TD_OS_FEDORA
                                                     : TD_OS_OTHER;
}

/* ---- version policy -------------------------------------------------------------------- */

/* The config's policy is the same for the whole process: read once, at the first failure. */
static struct td_policy policy;
static pthread_once_t policy_once = PTHREAD_ONCE_INIT;

static void copy_conf(char *dst, size_t cap, const char *v)
{
    copy_str(dst, cap, v != NULL ? v : "");
}

static void read_policy(void)
{
    char *deflt = NULL;
    const char *path = secure_getenv("OPENSSL_CONF");
    if (path == NULL) path = deflt = CONF_get1_default_config_file();
    const char *init = NULL, *ssl_sect = NULL, *sd = NULL;
    CONF *conf = NCONF_new(NULL);
    long eline = 0;
    ERR_set_mark();
    if (conf != NULL && path != NULL && NCONF_load(conf, path, &eline) > 0) {
        copy_conf(policy.path, sizeof(policy.path), path);
        init = NCONF_get_string(conf, NULL, "openssl_conf");
        if (init) ssl_sect = NCONF_get_string(conf, init, "ssl_conf");
        if (ssl_sect) sd = NCONF_get_string(conf, ssl_sect, "system_default");
        if (sd) {
            copy_conf(policy.section, sizeof(policy.section), sd);
            copy_conf(policy.min, sizeof(policy.min), NCONF_get_string(conf, sd, "MinProtocol"));
            copy_conf(policy.max, sizeof(policy.max), NCONF_get_string(conf, sd, "MaxProtocol"));
            copy_conf(policy.ciphers, sizeof(policy.ciphers),
                      NCONF_get_string(conf, sd, "CipherString"));
        }
    } else if (path != NULL) {
        copy_conf(policy.path, sizeof(policy.path), path);
    }
    ERR_pop_to_mark();
    NCONF_free(conf);
    OPENSSL_free(deflt);
}

/* ---- what the host has loaded ---------------------------------------------------------- */

/* td_runtime_get(.., 1) reads /proc/self/maps, for the libraries that change the fix. Those come
 * and go only through the dynamic loader, whose counts of objects added and removed
 * (dl_iterate_phdr's dlpi_adds, dlpi_subs) say whether the last reading still holds: an
 * explained failure then rereads the maps only after a dlopen or dlclose. */
static pthread_mutex_t loaded_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int valid;
    unsigned long long adds, subs;
    int pymongo;
    unsigned loaded;
} loaded_seen;

static int loader_counts(struct dl_phdr_info *info, size_t size, void *data)
{
    unsigned long long *counts = data;
    if (size < offsetof(struct dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) return 1;
    counts[0] = info->dlpi_adds;
    counts[1] = info->dlpi_subs;
    counts[2] = 1;
    return 1; /* the first object carries the counts */
}

static void runtime_loaded(int *pymongo, unsigned *loaded)
{
    unsigned long long counts[3] = { 0, 0, 0 };
    struct td_runtime_info rt;
    dl_iterate_phdr(loader_counts, counts);
    pthread_mutex_lock(&loaded_lock);
    int hit = counts[2] && loaded_seen.valid && loaded_seen.adds == counts[0] &&
              loaded_seen.subs == counts[1];
    if (hit) {
        *pymongo = loaded_seen.pymongo;
        *loaded = loaded_seen.loaded;
    }
    pthread_mutex_unlock(&loaded_lock);
    if (hit) return;
    td_runtime_get(&rt, 1);
    *pymongo = rt.pymongo;
    *loaded = rt.loaded;
    pthread_mutex_lock(&loaded_lock);
    loaded_seen.valid = counts[2] != 0;
    loaded_seen.adds = counts[0];
    loaded_seen.subs = counts[1];
    loaded_seen.pymongo = rt.pymongo;
    loaded_seen.loaded = rt.loaded;
    pthread_mutex_unlock(&loaded_lock);
}

/* ---- our own certificate ---------------------------------------------------------------- */

/* A server explains its failures with the same certificate of its own each time: its
 * description is kept, with a reference to the certificate, so that the pointer can never
 * name another one. */
static pthread_mutex_t ours_lock = PTHREAD_MUTEX_INITIALIZER;
static X509 *ours_cert;
static struct td_cert ours_desc;

static void describe_ours(X509 *x, struct td_cert *dst)
{
    if (x == NULL) {
        td_cert_describe(NULL, dst);
        return;
    }
    pthread_mutex_lock(&ours_lock);
    int hit = ours_cert == x;
    if (hit) *dst = ours_desc;
    pthread_mutex_unlock(&ours_lock);
    if (hit) return;
    td_cert_describe(x, dst);
    if (!X509_up_ref(x)) return;
    pthread_mutex_lock(&ours_lock);
    X509 *old = ours_cert;
    ours_cert = x;
    ours_desc = *dst;
    pthread_mutex_unlock(&ours_lock);
    X509_free(old);
}

/* What our certificate list weighs as we send it: measured only when the peer refused us with
 * an alert or a server's peer hung up, since only a list over the peer's limit
 * (certificate_list_too_large) needs it. */
static void measure_ours(struct td_report *r, SSL *ssl)
{
    X509 *x = SSL_get_certificate(ssl);
    STACK_OF(X509) *chain = NULL;
    if (x == NULL) return;
    int len = i2d_X509(x, NULL);
    r->ours_chain_bytes = len > 0 ? len : 0;
    r->ours_chain_certs = 1;
    if (!SSL_get0_chain_certs(ssl, &chain) || chain == NULL) {
        SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
        if (ctx == NULL || !SSL_CTX_get0_chain_certs(ctx, &chain)) chain = NULL;
    }
    for (int i = 0; i < sk_X509_num(chain); i++) {
        len = i2d_X509(sk_X509_value(chain, i), NULL);
        r->ours_chain_bytes += len > 0 ? len : 0;
        r->ours_chain_certs++;
    }
    if (r->ours_chain_bytes <= SSL_MAX_CERT_LIST_DEFAULT) return; /* under any client's limit */
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    r->ours_san_count = names != NULL ? sk_GENERAL_NAME_num(names) : 0;
    GENERAL_NAMES_free(names);
}

void td_observe_after_fork(void)
{
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    loaded_lock = fresh;
    ours_lock = fresh;
    trust_lock = fresh;
}

/* ---- the connection -------------------------------------------------------------------- */

/* The peer's address as text (an IPv4-mapped IPv6 one as IPv4) and its port; 0 when the
 * connection has no socket. */
static int peer_ip_port(SSL *ssl, char ip[INET6_ADDRSTRLEN], unsigned *port, int *v6)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof(sa);
    int fd = SSL_get_rfd(ssl);
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&sa, &len) != 0) return 0;
    if (sa.ss_family == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, INET6_ADDRSTRLEN);
        *port = ntohs(s4->sin_port);
        *v6 = 0;
        return 1;
    }
    if (sa.ss_family != AF_INET6) return 0;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
    /* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; show them as IPv4. */
    *v6 = !IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);
    if (*v6) inet_ntop(AF_INET6, &s6->sin6_addr, ip, INET6_ADDRSTRLEN);
    else inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], ip, INET6_ADDRSTRLEN);
    *port = ntohs(s6->sin6_port);
    return 1;
}

void td_peer_ip(SSL *ssl, char *dst, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned port;
    int v6;
    copy_str(dst, cap, peer_ip_port(ssl, ip, &port, &v6) ? ip : "");
}

void td_peer_address(SSL *ssl, char *dst, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    unsigned port;
    int v6;
    if (!peer_ip_port(ssl, ip, &port, &v6)) dst[0] = '\0';
    else snprintf(dst, cap, v6 ? "[%s]:%u" : "%s:%u", ip, port);
}

/* 0 from the getters means "no limit"; report what that amounts to, minus disabled versions. */
static void effective_versions(struct td_report *r, SSL *ssl)
{
    static const struct {
        int v;
        uint64_t off;
    } all[] = {
        { TLS1_VERSION, SSL_OP_NO_TLSv1 },
        { TLS1_1_VERSION, SSL_OP_NO_TLSv1_1 },
        { TLS1_2_VERSION, SSL_OP_NO_TLSv1_2 },
        { TLS1_3_VERSION, SSL_OP_NO_TLSv1_3 },
    };
    uint64_t opts = SSL_get_options(ssl);
    int lo = (int)SSL_get_min_proto_version(ssl), hi = (int)SSL_get_max_proto_version(ssl);
    r->min_explicit = lo != 0;
    r->max_explicit = hi != 0;
    r->min_version = r->max_version = 0;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if ((opts & all[i].off) || (lo && all[i].v < lo) || (hi && all[i].v > hi)) continue;
        if (!r->min_version) r->min_version = all[i].v;
        r->max_version = all[i].v;
    }
    if (!r->min_version) { /* nothing left: keep the raw limits to show why */
        r->min_version = lo;
        r->max_version = hi;
    }
}

/* On 3.0 SSL_free releases the verify parameters before our free_func runs. */
static int param_usable(enum td_when when)
{
    return when != TD_AT_FREE;
}

/* After completion the hellos are gone (a trace line, a certificate the host refused). */
static int key_after_done(enum td_when when)
{
    return when == TD_AT_DONE || when == TD_AT_DONE_UNVERIFIED;
}

static unsigned long pick_error(void)
{
    /* The newest error is what Python and most hosts show; an older SSL-library error is the
     * better cause when the newest came from elsewhere (a provider, a BIO). */
    unsigned long last = ERR_peek_last_error(), first;
    if (last != 0 && ERR_GET_LIB(last) != ERR_LIB_SSL && (first = ERR_peek_error()) != 0 &&
        ERR_GET_LIB(first) == ERR_LIB_SSL)
        return first;
    return last;
}

/* The kinds of the offered suites, by what this OpenSSL knows of them; a server lists, too, what
 * it could have chosen. */
static void observe_ciphers(struct td_report *r, SSL *ssl)
{
    struct td_cipher_mix *m = &r->offered_mix;
    size_t o = 0;
    int stored =
        r->offered.n_ciphers < TD_HELLO_MAX_CIPHERS ? r->offered.n_ciphers : TD_HELLO_MAX_CIPHERS;
    m->total = r->offered.n_ciphers;
    m->examined = stored;
    for (int i = 0; i < stored; i++) {
        uint16_t id = r->offered.ciphers[i];
        if (id == 0x00ff || (id & 0x0f0f) == 0x0a0a) { /* SCSV, GREASE */
            m->total--;
            continue;
        }
        unsigned char b[2] = { (unsigned char)(id >> 8), (unsigned char)id };
        const SSL_CIPHER *c = SSL_CIPHER_find(ssl, b);
        if (c == NULL) {
            m->unknown++;
            continue;
        }
        int kx = SSL_CIPHER_get_kx_nid(c);
        if (SSL_CIPHER_get_cipher_nid(c) == NID_undef) r->offered_null++; /* no encryption */
        if (kx == NID_kx_any) m->tls13++;
        else if (kx == NID_kx_ecdhe || kx == NID_kx_dhe || kx == NID_kx_ecdhe_psk ||
                 kx == NID_kx_dhe_psk)
            m->fs++;
        else m->non_fs++;
        if (o + 40 < sizeof(m->names))
            o += (size_t)snprintf(m->names + o, sizeof(m->names) - o, "%s%s", o ? ":" : "",
                                  SSL_CIPHER_get_name(c));
    }
    if (r->role != TD_ROLE_SERVER) return;
    STACK_OF(SSL_CIPHER) *ours = SSL_get1_supported_ciphers(ssl);
    r->server_total = sk_SSL_CIPHER_num(ours) > 0 ? sk_SSL_CIPHER_num(ours) : 0;
    for (int i = 0; i < r->server_total; i++)
        if (SSL_CIPHER_get_cipher_nid(sk_SSL_CIPHER_value(ours, i)) == NID_undef) r->server_null++;
    o = 0;
    for (int i = 0; i < sk_SSL_CIPHER_num(ours) && o + 40 < sizeof(r->server_allows); i++)
        o += (size_t)snprintf(r->server_allows + o, sizeof(r->server_allows) - o, "%s%s",
                              o ? ":" : "", SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ours, i)));
    sk_SSL_CIPHER_free(ours);
}

/* td_hello_parse zeroes `out` itself, whatever it is given. */
static void parse_hello(const struct td_hello_bytes *h, struct td_hello *out)
{
    td_hello_parse(h->len > 0 ? h->msg : NULL, h->len, out);
}

/* The facts a repeat is known by (see same_kind in repeat.c) and what must be read at once: the
 * error, the peer, the alerts, the verify result; and the program, which every line says.
 * Everything else waits for td_observe_rest, so that a counted repeat does not pay for it. */
void td_observe_key(struct td_report *r, SSL *ssl, const struct td_conn *c, enum td_when when)
{
    /* First, before any call of ours can add to the queue. At a sent alert the reason is on
     * the queue; at a received one, what is there is not ours to read (the alert itself names
     * the reason). */
    r->err =
        when == TD_AT_EXIT || (when == TD_AT_ALERT && c != NULL && (c->flags & TD_CONN_ALERT_SENT))
            ? pick_error()
            : 0;
    struct td_runtime_info rt;
    td_runtime_get(&rt, 0);
    copy_str(r->program, sizeof(r->program), rt.program);
    r->runtime = rt.kind;
    r->now = time(NULL);
    r->role = SSL_is_server(ssl) ? TD_ROLE_SERVER : TD_ROLE_CLIENT;
    r->verify_depth = -1;

    X509_VERIFY_PARAM *param = param_usable(when) ? SSL_get0_param(ssl) : NULL;
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (sni != NULL) copy_str(r->host, sizeof(r->host), sni);
    if (param != NULL && r->role == TD_ROLE_CLIENT) {
        const char *h = X509_VERIFY_PARAM_get0_host(param, 0);
        char *ip = h == NULL ? X509_VERIFY_PARAM_get1_ip_asc(param) : NULL;
        copy_str(r->requested_name, sizeof(r->requested_name), h ? h : ip ? ip : "");
        if (r->host[0] == '\0') copy_str(r->host, sizeof(r->host), r->requested_name);
        OPENSSL_free(ip);
    }
    /* A server that failed before it read the client's SNI (a version refused) has it only in
     * the ClientHello it kept. */
    if (r->role == TD_ROLE_SERVER && r->host[0] == '\0' && c != NULL && !key_after_done(when))
        td_hello_sni(c->client_hello.msg, c->client_hello.len, r->host, sizeof(r->host));
    td_peer_address(ssl, r->addr, sizeof(r->addr));
    /* A client that resets right after its alert leaves no peer to ask: use what its first
     * record's arrival saw. */
    if (r->addr[0] == '\0' && c != NULL) copy_str(r->addr, sizeof(r->addr), c->addr);

    /* Alerts: the one we sent means we refused the peer; one we received, the reverse. */
    if (c != NULL && (c->flags & TD_CONN_ALERT_SENT)) {
        r->alert_seen = r->alert_sent = 1;
        r->alert_level = c->sent_level;
        r->alert_desc = c->sent_desc;
    } else if (c != NULL && (c->flags & TD_CONN_ALERT_RECEIVED)) {
        r->alert_seen = 1;
        r->alert_level = c->recv_level;
        r->alert_desc = c->recv_desc;
    }

    if (r->err == 0 && c != NULL) r->err = c->err_at_alert;
    if (r->err == 0 && r->alert_seen && !r->alert_sent)
        r->err = ERR_PACK(ERR_LIB_SSL, 0, SSL_AD_REASON_OFFSET + r->alert_desc);
    if (r->err != 0) {
        r->err_lib = ERR_GET_LIB(r->err);
        r->err_reason = ERR_GET_REASON(r->err);
    }
    if (!r->alert_seen && r->err_lib == ERR_LIB_SSL && r->err_reason > SSL_AD_REASON_OFFSET &&
        r->err_reason < SSL_AD_REASON_OFFSET + 256) {
        r->alert_seen = 1;
        r->alert_level = SSL3_AL_FATAL;
        r->alert_desc = r->err_reason - SSL_AD_REASON_OFFSET;
    }

    r->verify_code = SSL_get_verify_result(ssl);
    if (c != NULL && c->verify_seen != X509_V_OK &&
        (r->verify_code == X509_V_OK || r->verify_code == c->verify_seen)) {
        r->verify_code = c->verify_seen;
        r->verify_depth = c->verify_seen_depth;
    }
    if (c != NULL && (c->flags & TD_CONN_NOT_TLS)) {
        memcpy(r->first_bytes, c->header, c->header_len);
        r->first_bytes_len = c->header_len;
    }
}

/* The rest of what the handshake itself shows: both hellos, versions, suite, state, OCSP. Read
 * in the same callback as the key, right after it. */
static void observe_handshake(struct td_report *r, SSL *ssl, const struct td_conn *c,
                              enum td_when when)
{
    int done = key_after_done(when);
    int client = r->role == TD_ROLE_CLIENT;
    r->openssl_version = OpenSSL_version(OPENSSL_VERSION);
    r->openssl_dir = OpenSSL_version(OPENSSL_DIR);
    if (r->err != 0) {
        const char *s = ERR_reason_error_string(r->err);
        copy_str(r->err_reason_str, sizeof(r->err_reason_str), s ? s : "unknown");
    }

    /* `offered` is always the ClientHello: ours as a client, the peer's as a server. Both are
     * this connection's own, kept in its state until the handshake completed. */
    if (c != NULL && !done) {
        parse_hello(&c->client_hello, &r->offered);
        parse_hello(&c->server_hello, &r->answer);
    }

    effective_versions(r, ssl);
    r->security_level = SSL_get_security_level(ssl);
    r->init_finished = SSL_is_init_finished(ssl);
    /* After completion the hellos are gone, and the version is settled. */
    if (done || r->init_finished) r->negotiated = SSL_version(ssl);
    else if (r->answer.parsed) r->negotiated = td_hello_version(&r->answer);
    if (client && r->answer.parsed) r->peer_version = td_hello_version(&r->answer);
    if (!client && r->offered.parsed) r->peer_version = td_hello_version(&r->offered);
    else if (!client && SSL_client_version(ssl) > 0 && !done)
        r->peer_version = SSL_client_version(ssl);

    const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
    if (cipher == NULL && r->answer.parsed && r->answer.n_ciphers > 0) {
        unsigned char id[2] = { (unsigned char)(r->answer.ciphers[0] >> 8),
                                (unsigned char)r->answer.ciphers[0] };
        cipher = SSL_CIPHER_find(ssl, id);
    }
    if (cipher != NULL) copy_str(r->cipher, sizeof(r->cipher), SSL_CIPHER_get_name(cipher));
    copy_str(r->state, sizeof(r->state), SSL_state_string_long(ssl));
    r->verify_mode = SSL_get_verify_mode(ssl);

    if (client) {
        r->ocsp_requested = SSL_get_tlsext_status_type(ssl) == TLSEXT_STATUSTYPE_ocsp;
        const unsigned char *resp = NULL;
        long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
        r->ocsp_stapled = len > 0 && resp != NULL;
        r->ocsp_len = r->ocsp_stapled ? (int)len : 0;
    }
    r->refused_without_cert = c != NULL && (c->flags & TD_CONN_NO_CERT_REFUSED) != 0;
    r->dh_bits = c != NULL ? c->dh_bits : 0;
}

static void observe_staple(struct td_report *r, SSL *ssl, X509 *leaf, STACK_OF(X509) *chain)
{
    const unsigned char *resp = NULL;
    long len = SSL_get_tlsext_status_ocsp_resp(ssl, &resp);
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    if (len <= 0 || resp == NULL) return;
    X509_STORE *trust = store_for_path(ctx ? SSL_CTX_get_cert_store(ctx) : NULL, leaf, chain);
    td_ocsp_check(resp, (size_t)len, leaf, chain, trust, r->now, &r->ocsp);
    X509_STORE_free(trust);
}

/* ---- interception software ------------------------------------------------------------ */

/* Each certificate the peer sent, by the SHA-256 of its SubjectPublicKeyInfo and by its own and
 * its issuer's names (which also names the root above the top of a chain sent without it). A
 * public key's match wins over a name's, and the first match, nearest the leaf, over later
 * ones. Runs only for a client whose verification failed: a few hashes of a few hundred bytes. */
static void observe_interception(struct td_report *r, STACK_OF(X509) *chain)
{
    int best_key = 0;
    for (int i = 0; i < sk_X509_num(chain) && i < 10; i++) {
        char ca[TD_FIELD];
        int by_issuer = 0;
        /* The leaf and the top were described already: their names are printed. */
        const struct td_cert *known = i == 0                        ? &r->leaf
                                      : i == sk_X509_num(chain) - 1 ? &r->top
                                                                    : NULL;
        const struct td_interceptor *hit =
            td_intercept_cert(sk_X509_value(chain, i), known ? known->subject : NULL,
                              known ? known->issuer : NULL, &by_issuer, ca, sizeof(ca));
        if (hit == NULL) continue;
        int key = td_intercept_key_is_public(hit);
        if (r->interceptor != NULL && (best_key || !key)) continue;
        r->interceptor = hit;
        r->interceptor_depth = i;
        r->interceptor_by_issuer = by_issuer;
        copy_str(r->interceptor_ca, sizeof(r->interceptor_ca), ca);
        best_key = key;
    }
}

/* ---- every problem of a failed chain -------------------------------------------------- */

/* The problems a user would otherwise meet one handshake at a time. Others (a CRL the list
 * does not carry, a path length) would be artefacts of verifying again, or are rare enough to
 * leave to OpenSSL's one code. */
static int chain_problem_worth(long code)
{
    switch (code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_CA_MD_TOO_WEAK:
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return 1;
    default: return 0;
    }
}

struct chain_walk {
    struct td_report *r;
    X509 *leaf, *top; /* already described in r->leaf and r->top */
};

/* A certificate's description, from the report when it is one observe described already. */
static void describe_known(const struct chain_walk *w, X509 *x, struct td_cert *d)
{
    if (x != NULL && x == w->leaf) *d = w->r->leaf;
    else if (x != NULL && x == w->top) *d = w->r->top;
    else td_cert_describe(x, d);
}

/* Our own verify callback: it records the problem and lets the verification go on, so that it
 * reaches the checks OpenSSL's first error skipped. */
static int record_chain_problem(int ok, X509_STORE_CTX *ctx)
{
    const struct chain_walk *w = X509_STORE_CTX_get_app_data(ctx);
    struct td_report *r = w != NULL ? w->r : NULL;
    long code = ok ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    int depth = X509_STORE_CTX_get_error_depth(ctx);
    if (r == NULL || !chain_problem_worth(code) || r->n_problems >= TD_MAX_PROBLEMS) return 1;
    for (int i = 0; i < r->n_problems; i++)
        if (r->problems[i].code == code && r->problems[i].depth == depth) return 1;
    struct td_chain_problem *p = &r->problems[r->n_problems++];
    struct td_cert d;
    describe_known(w, X509_STORE_CTX_get_current_cert(ctx), &d);
    p->code = code;
    p->depth = depth;
    copy_str(p->subject, sizeof(p->subject), d.subject);
    copy_str(p->issuer, sizeof(p->issuer), d.issuer);
    copy_str(p->not_before, sizeof(p->not_before), d.not_before);
    copy_str(p->not_after, sizeof(p->not_after), d.not_after);
    copy_str(p->key, sizeof(p->key), d.key);
    copy_str(p->sig_digest, sizeof(p->sig_digest), d.sig_digest);
    return 1;
}

/* A key or digest too weak for the security level: the catalogue's rules say which codes. */
static int weak_code(long code)
{
    enum td_cause_id causes[TD_RULE_CAUSES];
    return td_verify_causes(code, causes) >= 1 && causes[0] == TD_CAUSE_WEAK_KEY_OR_DIGEST;
}

/* The failed chain verified once more, by tlsdiag: against the trust store's certificates (no
 * lookup or callback of the host's runs), with the connection's parameters (names, flags,
 * purpose, the security level as libssl sets it), and our own callback, which records every
 * problem. Where the depth we have is missing (an alert recorded only the result) or can name
 * the wrong certificate (a weak key or digest: a host callback that goes on, as Node's does,
 * leaves the depth of a later check), ours names the one at fault. */
static void chain_problems(struct td_report *r, SSL *ssl, X509 *leaf, STACK_OF(X509) *sent,
                           X509 *top, int depth_known, enum td_when when)
{
    SSL_CTX *sctx = SSL_get_SSL_CTX(ssl);
    /* The host store's certificates as a trusted list of our own, searched in order: a store
     * snapshot would sort itself again at every certificate added (a CA bundle of 140: ~10^7
     * instructions a failure), and a list runs no lookup method or callback of the host's. */
    STACK_OF(X509) *trusted = sk_X509_new_null();
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    struct chain_walk walk = { r, leaf, top };
    if (trusted != NULL && sctx != NULL)
        for_each_object(SSL_CTX_get_cert_store(sctx), push_cert, trusted);
    if (trusted == NULL || store == NULL || ctx == NULL ||
        !X509_STORE_CTX_init(ctx, store, leaf, sent))
        goto end;
    X509_STORE_CTX_set0_trusted_stack(ctx, trusted);
    X509_STORE_CTX_set_default(ctx, r->role == TD_ROLE_CLIENT ? "ssl_server" : "ssl_client");
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    if (param_usable(when) && SSL_get0_param(ssl) != NULL)
        X509_VERIFY_PARAM_set1(param, SSL_get0_param(ssl));
    X509_VERIFY_PARAM_set_auth_level(param, r->security_level);
    X509_STORE_CTX_set_verify_cb(ctx, record_chain_problem);
    X509_STORE_CTX_set_app_data(ctx, &walk);
    X509_verify_cert(ctx);
    X509_STORE_CTX_set_app_data(ctx, NULL);

    if (weak_code(r->verify_code) || !depth_known) {
        STACK_OF(X509) *built = X509_STORE_CTX_get0_chain(ctx);
        for (int i = 0; i < r->n_problems; i++) {
            const struct td_chain_problem *p = &r->problems[i];
            if (p->code != r->verify_code || p->depth < 0 || p->depth >= sk_X509_num(built))
                continue;
            r->verify_depth = p->depth;
            describe_known(&walk, sk_X509_value(built, p->depth), &r->vcert);
            break;
        }
    }
    if (top != NULL && td_verify_no_issuer(r->verify_code))
        for (int i = 0; i < sk_X509_num(trusted) && !r->issuer_in_store; i++)
            r->issuer_in_store = !X509_NAME_cmp(X509_get_subject_name(sk_X509_value(trusted, i)),
                                                X509_get_issuer_name(top));
end:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    sk_X509_pop_free(trusted, X509_free);
}

void td_observe_rest(struct td_report *r, SSL *ssl, const struct td_conn *c, enum td_when when)
{
    int done = when == TD_AT_DONE;
    int client = r->role == TD_ROLE_CLIENT;

    observe_handshake(r, ssl, c, when);

    if (!done) {
        runtime_loaded(&r->pymongo, &r->loaded);
        /* Not part of a repeat's key, so read here: a counted repeat does not pay for it. */
        if (r->err != 0) {
            /* A bad DH value is the SSL library's summary; what the DH library found is older. */
            unsigned long first = ERR_peek_error();
            r->dh_err_reason = ERR_GET_LIB(first) == ERR_LIB_DH ? ERR_GET_REASON(first) : 0;
            const char *s = r->dh_err_reason ? ERR_reason_error_string(first) : NULL;
            copy_str(r->dh_err_str, sizeof(r->dh_err_str), s ? s : "");
        }

        r->ssl_options = (unsigned long)SSL_get_options(ssl);
        if (r->offered.parsed) observe_ciphers(r, ssl);
        pthread_once(&policy_once, read_policy);
        r->policy = policy;
    }
    /* The peer's chain as it was sent. A client's list starts with the leaf; a server's
     * does not include the client's own certificate. */
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    if (leaf == NULL && client && sk_X509_num(chain) > 0) leaf = sk_X509_value(chain, 0);
    r->chain_sent = sk_X509_num(chain) > 0 ? sk_X509_num(chain) : 0;
    if (!client && leaf != NULL) r->chain_sent++;
    if (leaf == NULL && c != NULL && c->failed_leaf != NULL) {
        /* A chain that failed verification and was not kept (a server's client chain). */
        leaf = c->failed_leaf;
        chain = c->failed_chain;
        r->chain_sent = sk_X509_num(chain) > 0 ? sk_X509_num(chain) : 1;
    }
    if (done) {
        /* Trace mode pays per handshake: keep to what its line and staple warnings need. */
        r->leaf.present = leaf != NULL;
        r->leaf.must_staple = leaf != NULL && td_cert_must_staple(leaf);
    } else {
        /* A certificate is described once: a self-signed leaf is also the top of its chain
         * and the one that failed. */
        X509 *top = sk_X509_num(chain) > 0 ? sk_X509_value(chain, sk_X509_num(chain) - 1) : leaf;
        if (leaf != NULL) td_cert_describe(leaf, &r->leaf);
        if (top == leaf) r->top = r->leaf;
        else td_cert_describe(top, &r->top);
        int depth_known = r->verify_depth >= 0;
        if (r->verify_code != X509_V_OK && leaf != NULL) {
            X509 *bad =
                param_usable(when) ? failed_certificate(ssl, r->verify_depth, leaf, chain) : leaf;
            if (r->verify_depth < 0 && bad == leaf) r->verify_depth = 0;
            if (bad == leaf) r->vcert = r->leaf;
            else if (bad == top) r->vcert = r->top;
            else td_cert_describe(bad, &r->vcert);
        }
        if (r->verify_code != X509_V_OK && leaf != NULL)
            chain_problems(r, ssl, leaf, chain, top, depth_known, when);
        if (r->verify_code == X509_V_ERR_CERT_NOT_YET_VALID)
            r->not_yet_valid_count = count_not_yet_valid(chain, r->now);
        if (td_verify_no_issuer(r->verify_code)) observe_trust(r, ssl);
        if (client && r->verify_code != X509_V_OK) observe_interception(r, chain);
        describe_ours(SSL_get_certificate(ssl), &r->ours);
        r->max_cert_list = (long)SSL_get_max_cert_list(ssl);
        /* Refused by an alert, or hung up on (a client that refuses a list OpenSSL is still
         * writing resets the connection before its alert can be read). */
        if (!r->alert_sent && (r->alert_seen || !client) && param_usable(when))
            measure_ours(r, ssl);
    }
    if (client && r->ocsp_stapled) observe_staple(r, ssl, leaf, chain);
}

void td_observe_kept(struct td_report *r, const struct td_conn *c)
{
    struct td_runtime_info rt;
    td_runtime_get(&rt, 1);
    r->now = time(NULL);
    copy_str(r->program, sizeof(r->program), rt.program);
    r->runtime = rt.kind;
    r->pymongo = rt.pymongo;
    r->loaded = rt.loaded;
    r->role = TD_ROLE_CLIENT;
    r->openssl_version = OpenSSL_version(OPENSSL_VERSION);
    r->openssl_dir = OpenSSL_version(OPENSSL_DIR);
    copy_str(r->host, sizeof(r->host), c->name_to_check);
    copy_str(r->requested_name, sizeof(r->requested_name), c->name_to_check);
    r->negotiated = c->kept_version;
    if (c->kept_cipher != NULL) copy_str(r->cipher, sizeof(r->cipher), c->kept_cipher);
    r->init_finished = 1;
    r->verify_code = X509_V_ERR_HOSTNAME_MISMATCH;
    r->verify_depth = 0;
    td_cert_describe(c->kept_leaf, &r->leaf);
    r->vcert = r->top = r->leaf;
}
