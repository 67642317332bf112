/* hook: the handshake path. Several ways in, so that a host replacing one still gets its failure
 * explained: the msg callback (alerts, hellos, record headers), the info callback (handshake
 * exit and completion), the X509_STORE_CTX free_func (every verification's end), and on 3.0/3.1
 * the SSL free_func (whatever is left unexplained when the SSL goes).
 *
 * Cost model: when a handshake succeeds and trace is off, tlsdiag allocates nothing. The msg
 * callback looks at a type byte per message and copies the two hellos into a per-thread buffer
 * (needed later only if this very handshake fails); state is allocated on the first sign of
 * trouble (a fatal alert, a non-TLS record) or at the failure itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include "classify.h"
#include "conn.h"
#include "emit.h"
#include "hello.h"
#include "hook.h"
#include "observe.h"
#include "output.h"
#include "repeat.h"
#include "settings.h"
#include "hello_cache.h"

static int ctx_index = -1;
static int ssl_index = -1;
static int store_ctx_index = -1;
/* Cleared at teardown: callbacks left on live SSL_CTXs then do nothing. */
static atomic_int hooks_live;

static void td_info_cb(const SSL *ssl, int where, int ret);
static void td_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                      SSL *ssl, void *arg);

/* ---- per-connection state -------------------------------------------------------------- */

static struct td_conn *conn_get(const SSL *ssl, int create)
{
    struct td_conn *c = SSL_get_ex_data(ssl, ssl_index);
    if (c == NULL && create) {
        c = calloc(1, sizeof(*c));
        if (c != NULL && !SSL_set_ex_data((SSL *)ssl, ssl_index, c)) {
            free(c);
            c = NULL;
        }
    }
    return c;
}

/* ---- explaining ------------------------------------------------------------------------- */

struct deep_job {
    struct td_report *r;
    SSL *ssl;
    const struct td_conn *c;
    enum td_when when;
};

static void deep_work(struct deep_job *j)
{
    td_observe_deep(j->r, j->ssl, j->c, j->when);
    td_classify(j->r, j->ssl);
}

static void *deep_thread(void *arg)
{
    deep_work(arg);
    ERR_clear_error();          /* this thread's own queue, never the host's */
    return NULL;
}

/* Run the deep observation on a short-lived thread. OpenSSL's X509 code may clear the calling
 * thread's error queue, marks and all, which would take the host's own errors with it (curl with
 * a CRL did exactly that); another thread has a queue of its own. The host thread waits, so the
 * SSL is not used concurrently. Without a thread, skip the deep part rather than risk it. */
static void run_deep(struct deep_job *j)
{
    sigset_t all, old;
    pthread_t t;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);   /* the worker must never take the host's signals */
    int rc = pthread_create(&t, NULL, deep_thread, j);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0) pthread_join(t, NULL);
    else td_classify(j->r, NULL);
}

static struct td_report *observe_local(enum td_event event, SSL *ssl, struct td_conn *c,
                                       enum td_when when)
{
    struct td_report *r = td_report_new(event);
    if (r == NULL) return NULL;
    ERR_set_mark();
    td_observe_local(r, ssl, c, when);
    ERR_pop_to_mark();
    return r;
}

static void complete_failure(struct td_report *r, SSL *ssl, struct td_conn *c, enum td_when when)
{
    struct deep_job job = { r, ssl, c, when };
    run_deep(&job);
}

static void emit_failure(struct td_report *r)
{
    td_repeat_remember(r);
    td_emit(r);
    free(r);
}

/* Explain a failed handshake, once per connection. A repeat of a failure explained within
 * the window is recognised from the cheap facts and only counted: drivers retrying every
 * half second must not pay for a full diagnosis each time. */
static void explain_failure(SSL *ssl, struct td_conn *c, enum td_when when)
{
    if (c != NULL && (c->flags & TD_CONN_REPORTED)) return;
    if (c != NULL) c->flags |= TD_CONN_REPORTED;
    struct td_report *r = observe_local(TD_EV_HANDSHAKE_FAILED, ssl, c, when);
    if (r == NULL) return;
    if (!td_repeat_admit(r)) {
        free(r);
        return;
    }
    complete_failure(r, ssl, c, when);
    emit_failure(r);
}

/* A failure kept for later (see struct td_conn.pending) is observed in full now, while the
 * SSL is whole, and admitted only if it is released as refused. */
static struct td_report *build_failure(SSL *ssl, struct td_conn *c, enum td_when when)
{
    struct td_report *r = observe_local(TD_EV_HANDSHAKE_FAILED, ssl, c, when);
    if (r != NULL) complete_failure(r, ssl, c, when);
    return r;
}

/* The host refused the connection it kept after a failed verification: say why now. */
static void release_pending(struct td_conn *c, int refused)
{
    struct td_report *r = c->pending;
    c->pending = NULL;
    if (r == NULL) return;
    if (refused && td_repeat_admit(r)) emit_failure(r);
    else free(r);
}

static void report_done(SSL *ssl, struct td_conn *c)
{
    struct td_report *r = observe_local(TD_EV_HANDSHAKE_OK, ssl, c, TD_AT_DONE);
    if (r == NULL) return;
    struct deep_job job = { r, ssl, c, TD_AT_DONE };
    /* Only a staple needs verification code; everything else is safe in the host's thread. */
    if (r->ocsp_stapled) {
        run_deep(&job);
    } else {
        ERR_set_mark();
        deep_work(&job);
        ERR_pop_to_mark();
    }
    td_emit(r);
    free(r);
}

/* ---- callbacks -------------------------------------------------------------------------- */

/* Only our ctx-level callback, with no SSL-level one, is sure to get the handshake's exit: the
 * exit goes to the callback in place when the handshake call began, and a callback we put at
 * SSL level during a call (come_back_at_ssl_level) does not get that call's exit. */
static int exit_reaches_us(const SSL *ssl)
{
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    return SSL_get_info_callback(ssl) == NULL && ctx != NULL
        && SSL_CTX_get_info_callback(ctx) == td_info_cb;
}

static void on_alert(const SSL *ssl, int sent, int level, int desc)
{
    /* close_notify and other warnings are the ordinary end of a connection; our own
     * close_notify with nothing sent after a failed verification is the host refusing. */
    if (level != SSL3_AL_FATAL) {
        struct td_conn *pc = sent && desc == SSL3_AD_CLOSE_NOTIFY ? conn_get(ssl, 0) : NULL;
        if (pc != NULL && pc->pending != NULL) release_pending(pc, 1);
        return;
    }
    struct td_conn *c = conn_get(ssl, 1);
    if (c == NULL) return;
    if (sent) {
        if (!(c->flags & TD_CONN_ALERT_SENT)) {
            c->flags |= TD_CONN_ALERT_SENT;
            c->sent_level = (uint8_t)level;
            c->sent_desc = (uint8_t)desc;
            /* The reason is on the queue now; a host that replaced our info callback
             * may have cleared it by the time the SSL is freed. */
            c->err_at_alert = ERR_peek_last_error();
            if (c->verify_seen == X509_V_OK) {
                c->verify_seen = SSL_get_verify_result(ssl);
                c->verify_seen_depth = -1;
            }
        }
    } else if (!(c->flags & TD_CONN_ALERT_RECEIVED)) {
        c->flags |= TD_CONN_ALERT_RECEIVED;
        c->recv_level = (uint8_t)level;
        c->recv_desc = (uint8_t)desc;
    }
    /* Explain now when no failed handshake exit will reach us: the host's info callback took
     * our place (Ruby, Node, s_client -state), or the handshake had already finished (a TLS 1.3
     * server refusing our certificate answers after it), which has no exit at all. */
    if (!exit_reaches_us(ssl) || SSL_is_init_finished(ssl))
        explain_failure((SSL *)ssl, c, TD_AT_ALERT);
}

/* A server that asked for a client certificate, whose verify callback let a bad one through
 * (nginx does, then answers 400 itself): the connection fails after the handshake. */
static int client_cert_accepted_anyway(const SSL *ssl)
{
    return SSL_is_server((SSL *)ssl) && (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER)
        && SSL_get_verify_result(ssl) != X509_V_OK;
}

static void td_info_cb(const SSL *ssl, int where, int ret)
{
    int saved_errno = errno;    /* hosts read errno after a failed call (curl does) */
    if (atomic_load_explicit(&hooks_live, memory_order_relaxed)) {
        if (where & SSL_CB_ALERT) {
            on_alert(ssl, (where & SSL_CB_WRITE) != 0, (ret >> 8) & 0xff, ret & 0xff);
        } else if (where & SSL_CB_HANDSHAKE_DONE) {
            struct td_conn *c = conn_get(ssl, 0);
            if (client_cert_accepted_anyway(ssl)) {
                explain_failure((SSL *)ssl, conn_get(ssl, 1), TD_AT_EXIT);
            } else {
                if (!SSL_is_server((SSL *)ssl) && SSL_get_verify_result(ssl) != X509_V_OK
                    && (c = conn_get(ssl, 1)) != NULL && c->pending == NULL
                    && !(c->flags & TD_CONN_REPORTED)) {
                    c->flags |= TD_CONN_REPORTED;
                    c->pending = build_failure((SSL *)ssl, c, TD_AT_DONE_UNVERIFIED);
                }
                if (td_settings.mode == TD_MODE_TRACE) report_done((SSL *)ssl, c);
            }
        } else if ((where & SSL_CB_EXIT) && ret <= 0) {
            int e = SSL_get_error(ssl, ret);
            /* WANT_READ/WANT_WRITE and friends are a non-blocking handshake pausing. A clean
             * close mid-handshake is ZERO_RETURN when the host set SSL_OP_IGNORE_UNEXPECTED_EOF. */
            if (e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL
                || (e == SSL_ERROR_ZERO_RETURN && !SSL_is_init_finished(ssl))) {
                struct td_conn *c = conn_get(ssl, 0);
                int started = SSL_get_state(ssl) != TLS_ST_BEFORE || c != NULL;
                /* A server sees port probes that connect and leave before saying anything. */
                if (started || !SSL_is_server((SSL *)ssl))
                    explain_failure((SSL *)ssl, conn_get(ssl, 1), TD_AT_EXIT);
            }
        }
    }
    /* We only run at SSL level after promoting ourselves (see td_msg_cb); the application's
     * ctx-level callback is then looked up now, so a later SSL_CTX_set_info_callback counts. */
    if (SSL_get_info_callback(ssl) == td_info_cb) {
        SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
        void (*app)(const SSL *, int, int) = ctx != NULL ? SSL_CTX_get_info_callback(ctx) : NULL;
        errno = saved_errno;
        if (app != NULL && app != td_info_cb) app(ssl, where, ret);
    }
    errno = saved_errno;
}

/* An application that set its own ctx-level info callback replaced ours: come back at SSL
 * level, where td_info_cb chains to the application's callback. An SSL-level callback of the
 * application's own is left alone (it would lose its place). */
static void come_back_at_ssl_level(SSL *ssl)
{
    if (SSL_get_info_callback(ssl) == NULL) {
        SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
        if (ctx != NULL && SSL_CTX_get_info_callback(ctx) != td_info_cb)
            SSL_set_info_callback(ssl, td_info_cb);
    }
}

static void td_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                      SSL *ssl, void *arg)
{
    const unsigned char *p = buf;
    if (!atomic_load_explicit(&hooks_live, memory_order_relaxed) || len == 0) return;
    int saved_errno = errno;

    switch (content_type) {
    case SSL3_RT_ALERT:
        if (len >= 2) on_alert(ssl, write_p, p[0], p[1]);
        break;
    case SSL3_RT_HEADER:
        /* Application data going out: a host that kept a badly verified connection uses it. */
        if (write_p && p[0] == SSL3_RT_APPLICATION_DATA && SSL_is_init_finished(ssl)) {
            struct td_conn *c = conn_get(ssl, 0);
            if (c != NULL && c->pending != NULL) release_pending(c, 0);
        }
        /* A TLS record starts with a content type 20..24 and major version 3. Anything else
         * is a peer that does not speak TLS: keep the first bytes to show what it was. */
        if (!write_p && len >= 2 && (p[0] < 20 || p[0] > 24 || p[1] != 3)) {
            struct td_conn *c = conn_get(ssl, 1);
            if (c != NULL && !(c->flags & TD_CONN_NOT_TLS)) {
                c->flags |= TD_CONN_NOT_TLS;
                c->header_len = (uint8_t)(len < sizeof(c->header) ? len : sizeof(c->header));
                memcpy(c->header, p, c->header_len);
            }
        }
        break;
    case SSL3_RT_HANDSHAKE:
        if (p[0] == SSL3_MT_CLIENT_HELLO || p[0] == SSL3_MT_SERVER_HELLO) {
            td_hello_cache_put(ssl, write_p, p, len);
            if (!write_p && p[0] == SSL3_MT_CLIENT_HELLO && SSL_is_server(ssl)) {
                char addr[64];
                td_peer_address(ssl, addr, sizeof(addr));
                td_hello_cache_put_addr(ssl, addr);
            }
            come_back_at_ssl_level(ssl);
        }
        break;
    default:
        break;
    }
    errno = saved_errno;
}

/* ---- ex_data ---------------------------------------------------------------------------- */

/* Runs inside every SSL_CTX_new, before the application can set callbacks of its own. */
static void ctx_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    SSL_CTX *ctx = parent;
    if (ctx == NULL || !atomic_load(&hooks_live)) return;
    SSL_CTX_set_info_callback(ctx, td_info_cb);
    SSL_CTX_set_msg_callback(ctx, td_msg_cb);
}

/* SSL_dup: the copy starts with no state of its own (never share one pointer). */
static int ssl_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx,
                   long argl, void *argp)
{
    *from_d = NULL;
    return 1;
}

/* The last chance (3.0, 3.1): a failure nothing else explained, such as a non-TLS reply to a
 * host that replaced our info callback. */
static void ssl_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct td_conn *c = ptr;
    if (c == NULL) return;
    int saved_errno = errno;
    /* Only 3.0 and 3.1 run this before taking the connection apart; from 3.2 on, its
     * certificates and session are already gone here, so we must not look. */
    if (parent != NULL && OpenSSL_version_num() < 0x30200000L && atomic_load(&hooks_live)
        && !(c->flags & TD_CONN_REPORTED)
        && ((c->flags & TD_CONN_NOT_TLS)
            /* a verify error the host tolerated (curl -k, Node) ended in a finished handshake */
            || (c->verify_seen != X509_V_OK && !SSL_is_init_finished(parent))))
        explain_failure(parent, c, TD_AT_FREE);
    if (c->pending != NULL) release_pending(c, atomic_load(&hooks_live));
    td_hello_cache_forget(parent);
    X509_free(c->failed_leaf);
    sk_X509_pop_free(c->failed_chain, X509_free);
    free(c);
    errno = saved_errno;
}

/* A fourth way in, for hosts that replace both the info and the msg callback (s_client -state
 * -msg): every certificate verification ends by freeing its X509_STORE_CTX, which still holds
 * the error and the SSL it was for. Failures are recorded; either way the info callback gets a
 * chance to come back. A success costs two lookups. */
static void store_ctx_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                           void *argp)
{
    X509_STORE_CTX *v = parent;
    if (v == NULL || !atomic_load_explicit(&hooks_live, memory_order_relaxed)) return;
    SSL *ssl = X509_STORE_CTX_get_ex_data(v, SSL_get_ex_data_X509_STORE_CTX_idx());
    if (ssl == NULL) return;            /* not a TLS peer's chain (or our own re-run) */
    int saved_errno = errno;
    come_back_at_ssl_level(ssl);        /* if the msg callback was replaced too */
    int err = X509_STORE_CTX_get_error(v);
    struct td_conn *c = err != X509_V_OK ? conn_get(ssl, 1) : NULL;
    if (c != NULL && c->verify_seen == X509_V_OK) {
        c->verify_seen = err;
        c->verify_seen_depth = X509_STORE_CTX_get_error_depth(v);
        X509 *leaf = X509_STORE_CTX_get0_cert(v);
        if (leaf != NULL && X509_up_ref(leaf)) c->failed_leaf = leaf;
        c->failed_chain = X509_chain_up_ref(X509_STORE_CTX_get0_untrusted(v));
    }
    errno = saved_errno;
}

static void after_fork_child(void)
{
    td_repeat_after_fork();
    td_output_after_fork();
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, after_fork_child);
}

int td_hook_install(void)
{
    static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
    if (atomic_load(&hooks_live)) return 1;
    if (ssl_index < 0)
        ssl_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, NULL, NULL, ssl_dup, ssl_free);
    if (ctx_index < 0)
        ctx_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, NULL, ctx_new, NULL, NULL);
    if (store_ctx_index < 0)
        store_ctx_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509_STORE_CTX, 0, NULL, NULL,
                                                  NULL, store_ctx_free);
    if (ssl_index < 0 || ctx_index < 0) return 0;
    pthread_once(&atfork_once, register_atfork);
    atomic_store(&hooks_live, 1);
    return 1;
}

void td_hook_uninstall(void)
{
    atomic_store(&hooks_live, 0);
    if (ctx_index >= 0) CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL_CTX, ctx_index);
    if (ssl_index >= 0) CRYPTO_free_ex_index(CRYPTO_EX_INDEX_SSL, ssl_index);
    if (store_ctx_index >= 0) CRYPTO_free_ex_index(CRYPTO_EX_INDEX_X509_STORE_CTX, store_ctx_index);
    ctx_index = ssl_index = store_ctx_index = -1;
}
