/* hook: the handshake path. Three ways in, so that a host replacing one still gets its failure
 * explained: the msg callback (alerts, hellos, record headers), the info callback (handshake
 * exit and completion), and the SSL free_func (whatever is left unexplained when the SSL goes).
 *
 * Cost model: when a handshake succeeds and trace is off, tlsdiag allocates nothing. The msg
 * callback looks at a type byte per message and copies the two hellos into a per-thread buffer
 * (needed later only if this very handshake fails); state is allocated on the first sign of
 * trouble (a fatal alert, a non-TLS record) or at the failure itself. */
#define _GNU_SOURCE
#include <pthread.h>
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

/* Build, classify and emit the report for a failed handshake, once per connection. */
static void explain_failure(SSL *ssl, struct td_conn *c, enum td_when when)
{
    if (c != NULL && (c->flags & TD_CONN_REPORTED)) return;
    struct td_report *r = calloc(1, sizeof(*r));
    if (r == NULL) return;
    if (c != NULL) c->flags |= TD_CONN_REPORTED;

    ERR_set_mark();
    r->event = TD_EV_HANDSHAKE_FAILED;
    td_observe(r, ssl, c, when);
    td_classify(r, ssl);
    ERR_pop_to_mark();
    if (td_repeat_admit(r)) td_emit(r);
    free(r);
}

static void report_done(SSL *ssl, struct td_conn *c)
{
    struct td_report *r = calloc(1, sizeof(*r));
    if (r == NULL) return;
    ERR_set_mark();
    r->event = TD_EV_HANDSHAKE_OK;
    td_observe(r, ssl, c, TD_AT_DONE);
    td_classify(r, ssl);
    ERR_pop_to_mark();
    td_emit(r);
    free(r);
}

/* ---- callbacks -------------------------------------------------------------------------- */

static void on_alert(const SSL *ssl, int sent, int level, int desc)
{
    /* close_notify and other warnings are the ordinary end of a connection. */
    if (level != SSL3_AL_FATAL) return;
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
            c->verify_at_alert = SSL_get_verify_result(ssl);
            c->state_at_alert = (int)SSL_get_state(ssl);
        }
    } else if (!(c->flags & TD_CONN_ALERT_RECEIVED)) {
        c->flags |= TD_CONN_ALERT_RECEIVED;
        c->recv_level = (uint8_t)level;
        c->recv_desc = (uint8_t)desc;
        c->state_at_alert = (int)SSL_get_state(ssl);
    }
}

static void td_info_cb(const SSL *ssl, int where, int ret)
{
    if (atomic_load_explicit(&hooks_live, memory_order_relaxed)) {
        if (where & SSL_CB_ALERT) {
            on_alert(ssl, (where & SSL_CB_WRITE) != 0, (ret >> 8) & 0xff, ret & 0xff);
        } else if (where & SSL_CB_HANDSHAKE_DONE) {
            struct td_conn *c = conn_get(ssl, 0);
            if (c != NULL) c->flags |= TD_CONN_DONE;
            if (td_settings.mode == TD_MODE_TRACE) report_done((SSL *)ssl, c);
        } else if ((where & SSL_CB_EXIT) && ret <= 0) {
            int e = SSL_get_error(ssl, ret);
            /* WANT_READ/WANT_WRITE and friends are a non-blocking handshake pausing. */
            if (e == SSL_ERROR_SSL || e == SSL_ERROR_SYSCALL) {
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
        if (app != NULL && app != td_info_cb) app(ssl, where, ret);
    }
}

static void td_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                      SSL *ssl, void *arg)
{
    const unsigned char *p = buf;
    if (!atomic_load_explicit(&hooks_live, memory_order_relaxed) || len == 0) return;

    switch (content_type) {
    case SSL3_RT_ALERT:
        if (len >= 2) on_alert(ssl, write_p, p[0], p[1]);
        break;
    case SSL3_RT_HEADER:
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
            /* An application that set its own ctx-level info callback replaced ours;
             * come back at SSL level and chain to it (see td_info_cb). */
            if (SSL_get_info_callback(ssl) == NULL) {
                SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
                if (ctx != NULL && SSL_CTX_get_info_callback(ctx) != td_info_cb)
                    SSL_set_info_callback(ssl, td_info_cb);
            }
        } else if (p[0] == SSL3_MT_CERTIFICATE_REQUEST && !write_p) {
            struct td_conn *c = conn_get(ssl, td_settings.mode == TD_MODE_TRACE);
            if (c != NULL) c->flags |= TD_CONN_CERT_REQUESTED;
        }
        break;
    default:
        break;
    }
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

/* The last chance: a failure whose callbacks the host replaced is explained here. */
static void ssl_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct td_conn *c = ptr;
    if (c == NULL) return;
    if (parent != NULL && atomic_load(&hooks_live) && !(c->flags & TD_CONN_REPORTED)
        && (c->flags & (TD_CONN_ALERT_SENT | TD_CONN_ALERT_RECEIVED | TD_CONN_NOT_TLS)))
        explain_failure(parent, c, TD_AT_FREE);
    td_hello_cache_forget(parent);
    free(c);
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
    ctx_index = ssl_index = -1;
}
