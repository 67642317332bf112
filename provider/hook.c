/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* hook: where tlsdiag enters the handshake, and the only place that decides when a handshake
 * has failed.
 *
 *   OSSL_provider_init ── td_hook_install: ex_data indexes, once per process
 *
 *   SSL_CTX_new ─ ctx_new ─ installs td_info_cb and td_msg_cb on the context
 *
 *   host thread, inside the host's own SSL call           state: struct td_conn in the SSL's
 *   ─────────────────────────────────────────────        ex_data (include/conn.h), one per
 *   td_msg_cb     records, hellos, alerts ───────┐        connection, freed with it
 *   td_info_cb    exits, alerts, completion ─────┤
 *   store_ctx_free  end of every verification ───┤
 *   ssl_free      the connection goes ───────────┘
 *                      │ a failure the host has really had (never a pause)
 *                      ▼
 *   td_observe_key (the error, the peer, the alerts; one error mark from here to td_classify)
 *                      ▼
 *   td_repeat_admit ── a repeat, or held back by the rate limit: counted, nothing else is done
 *                      │ new
 *                      ▼
 *   td_observe_rest (the hellos, certificates, staple, trust store, policy)
 *                      ▼
 *   td_classify (pure: the report in, section, cause and evidence out)
 *                      ▼
 *   td_emit ── render ── output (never blocks)
 *
 * Everything runs in the host's thread, in the callback that saw the failure: no thread is
 * made, so nothing can fail for want of one, and no code of the host (verify callbacks, store
 * lookups) is run again, since observe never re-verifies with the host's store. What observe
 * calls only raises errors, which the mark takes back; nothing in it clears the queue.
 *
 * Cost model: a successful handshake allocates one td_conn, which holds a copy of both hellos
 * (what a failure needs, and what cannot be read back later), and frees it when the handshake
 * completes: a live connection holds nothing of ours. td_msg_cb looks at the state only for the
 * records that teach something (hellos, alerts, the peer's first record, a Finished when the
 * host's info callback took our place, a DHE ServerKeyExchange, and after completion only once
 * some state has outlived one); td_info_cb costs the state machine's loop one test. A repeat is
 * recognised from the few facts td_observe_key reads, before the rest of the diagnosis. In off
 * mode nothing is registered: no ex_data index, no callback. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "classify.h"
#include "conn.h"
#include "emit.h"
#include "hook.h"
#include "observe.h"
#include "output.h"
#include "repeat.h"
#include "runtime.h"
#include "settings.h"

/* OpenSSL refuses a ClientHello above 128 KB; nothing legal is larger. */
#define TD_HELLO_KEEP_MAX (256 * 1024)

/* Registered once per process and kept: OpenSSL never reuses a freed index, so freeing them
 * at unload and registering again would grow the table with every load. */
static int ctx_index = -1;
static int ssl_index = -1;
static int store_ctx_index = -1;
static int ssl_store_ctx_slot = -1; /* where libssl keeps a store ctx's SSL */
/* Cleared at teardown: callbacks left on live SSL_CTXs then do nothing. */
static atomic_int hooks_live;
/* Set, for good, the first time a handshake exit is kept as a possible pause (SILENT_EXIT):
 * until then no connection can hold one, so td_msg_cb need not look at the state of a record
 * it otherwise learns nothing from. */
static atomic_int silent_exit_seen;
/* Set, for good, the first time td_info_cb is put at SSL level (come_back_at_ssl_level): until
 * then it runs at ctx level only and has no application callback to chain to. */
static atomic_int promoted_seen;
/* Set, for good, the first time a connection's state outlives its handshake's completion (a
 * name or client certificate the host decides on afterwards, a kept explanation) or is made
 * after it: until then no finished connection has state, and td_msg_cb need not look for one
 * in the records that follow completion. */
static atomic_int state_after_done_seen;

static void td_info_cb(const SSL *ssl, int where, int ret);
static void td_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                      SSL *ssl, void *arg);

/* ---- per-connection state -------------------------------------------------------------- */

/* The state's head, zeroed; the inline hello space after it is not. */
static void conn_zero(struct td_conn *c)
{
    size_t cap = c->inline_cap;
    memset(c, 0, offsetof(struct td_conn, inline_hellos));
    c->inline_cap = cap;
}

static struct td_conn *conn_peek(const SSL *ssl)
{
    return SSL_get_ex_data(ssl, ssl_index);
}

/* The connection's state, made if it has none, with room for `hellos` bytes of hellos. */
static struct td_conn *conn_make(const SSL *ssl, size_t hellos)
{
    struct td_conn *c = conn_peek(ssl);
    if (c != NULL) return c;
    if (hellos > TD_HELLO_KEEP_MAX) hellos = 0; /* such a hello goes to the heap */
    if ((c = malloc(sizeof(*c) + hellos)) == NULL) return NULL;
    c->inline_cap = hellos;
    conn_zero(c);
    if (!SSL_set_ex_data((SSL *)ssl, ssl_index, c)) {
        free(c);
        return NULL;
    }
    if (SSL_is_init_finished(ssl))
        atomic_store_explicit(&state_after_done_seen, 1, memory_order_relaxed);
    return c;
}

static struct td_conn *conn_get(const SSL *ssl, int create)
{
    return create ? conn_make(ssl, 0) : conn_peek(ssl);
}

static void hello_free(struct td_hello_bytes *h)
{
    if (h->on_heap) free(h->msg);
    memset(h, 0, sizeof(*h));
}

static void hellos_free(struct td_conn *c)
{
    hello_free(&c->client_hello);
    hello_free(&c->server_hello);
    c->inline_used = 0;
}

/* Everything but the allocation itself, and the pending report, which the caller settles. */
/* ---- connections waiting for the host's decision ------------------------------------------ */

static pthread_mutex_t undecided_lock = PTHREAD_MUTEX_INITIALIZER;
static struct td_conn *undecided_head;
static unsigned long undecided_gen = 1; /* a fork's child starts a list of its own */

static void undecided_track(SSL *ssl, struct td_conn *c)
{
    pthread_mutex_lock(&undecided_lock);
    if (c->undecided_gen != undecided_gen) {
        c->undecided_gen = undecided_gen;
        c->undecided_ssl = ssl;
        c->undecided_prev = NULL;
        c->undecided_next = undecided_head;
        if (undecided_head != NULL) undecided_head->undecided_prev = c;
        undecided_head = c;
    }
    pthread_mutex_unlock(&undecided_lock);
}

static void undecided_untrack(struct td_conn *c)
{
    if (c->undecided_gen == 0) return;
    pthread_mutex_lock(&undecided_lock);
    if (c->undecided_gen == undecided_gen) {
        if (c->undecided_prev != NULL) c->undecided_prev->undecided_next = c->undecided_next;
        else undecided_head = c->undecided_next;
        if (c->undecided_next != NULL) c->undecided_next->undecided_prev = c->undecided_prev;
    }
    c->undecided_gen = 0;
    pthread_mutex_unlock(&undecided_lock);
}

/* What the state holds, let go; the state itself is left as it is. */
static void conn_drop_contents(struct td_conn *c)
{
    undecided_untrack(c);
    if (c->client_hello.on_heap) free(c->client_hello.msg);
    if (c->server_hello.on_heap) free(c->server_hello.msg);
    /* A successful handshake has none of these, and libcrypto's frees cost a call each even so. */
    if (c->failed_leaf != NULL) X509_free(c->failed_leaf);
    if (c->kept_leaf != NULL) X509_free(c->kept_leaf);
    if (c->failed_chain != NULL) sk_X509_pop_free(c->failed_chain, X509_free);
    if (c->name_to_check != NULL) free(c->name_to_check);
}

static void conn_clear(struct td_conn *c)
{
    conn_drop_contents(c);
    conn_zero(c);
}

/* The state goes (the SSL's slot no longer points at it). */
static void conn_free(struct td_conn *c)
{
    conn_drop_contents(c);
    free(c);
}

static void hello_keep(struct td_conn *c, struct td_hello_bytes *h, const unsigned char *msg,
                       size_t len)
{
    if (len > TD_HELLO_KEEP_MAX) len = TD_HELLO_KEEP_MAX;
    unsigned char *p = h->msg;
    int on_heap = h->on_heap;
    if (p == NULL || h->cap < len) {
        if (c->inline_used + len <= c->inline_cap) {
            p = c->inline_hellos + c->inline_used;
            c->inline_used += len;
            on_heap = 0;
        } else if ((p = malloc(len)) == NULL) {
            return; /* keep the older copy rather than none */
        } else {
            on_heap = 1;
        }
        if (h->on_heap) free(h->msg);
        h->cap = len;
    }
    memcpy(p, msg, len);
    h->msg = p;
    h->len = len;
    h->on_heap = on_heap;
}

/* A completed handshake's state goes, unless something in it still waits for the host; 1 if
 * it went. */
static int conn_release_if_idle(SSL *ssl, struct td_conn *c)
{
    if (c->pending != NULL) return 0;
    SSL_set_ex_data(ssl, ssl_index, NULL);
    conn_free(c);
    return 1;
}

/* ---- explaining ------------------------------------------------------------------------- */

/* A report on this handshake, read and classified in the host's thread inside one error mark,
 * which takes what OpenSSL raises on the way back off the host's queue (errno is kept by the
 * callers). With `admit`, a failure the repeat window or the rate limit holds back is counted
 * there, from the facts td_observe_key reads, and NULL is returned before the rest. */
static struct td_report *diagnose(enum td_event event, SSL *ssl, const struct td_conn *c,
                                  enum td_when when, int admit)
{
    struct td_report *r = td_report_new_key(event);
    if (r == NULL) return NULL;
    ERR_set_mark();
    td_observe_key(r, ssl, c, when);
    if (admit && !td_repeat_admit(r)) {
        ERR_pop_to_mark();
        td_report_free(r);
        return NULL;
    }
    td_report_init_rest(r);
    td_observe_rest(r, ssl, c, when);
    td_classify(r);
    ERR_pop_to_mark();
    return r;
}

static void emit_failure(struct td_report *r)
{
    td_repeat_remember(r);
    td_emit(r);
    td_report_free(r);
}

static void pending_drop(struct td_conn *c)
{
    td_report_free(c->pending);
    c->pending = NULL;
    c->pending_kind = TD_PENDING_NONE;
}

/* The host decided: it gave up on the connection (emit what was kept) or carried on (drop it). */
static void pending_settle(struct td_conn *c, int gave_up)
{
    struct td_report *r = c->pending;
    c->pending = NULL;
    c->pending_kind = TD_PENDING_NONE;
    if (r == NULL) return;
    if (gave_up && td_repeat_admit(r)) emit_failure(r);
    else td_report_free(r);
}

/* The connection ends (freed, or a new handshake on it) with something still kept: the host
 * gave up on it, except on a server whose only sign of refusal never came. */
static void pending_at_end(struct td_conn *c, int live)
{
    pending_settle(c, live && c->pending_kind != TD_PENDING_CLIENT_CERT);
}

/* Explain this handshake's failure, once. A repeat of a failure explained within the window is
 * recognised from the facts td_observe_key reads and only counted. */
static void explain_failure(SSL *ssl, struct td_conn *c, enum td_when when)
{
    if (c != NULL && (c->flags & TD_CONN_REPORTED)) return;
    if (c != NULL) {
        c->flags |= TD_CONN_REPORTED;
        if (c->pending_kind == TD_PENDING_SILENT_EXIT) pending_drop(c); /* the real cause */
    }
    struct td_report *r = diagnose(TD_EV_HANDSHAKE_FAILED, ssl, c, when, 1);
    if (r != NULL) emit_failure(r);
}

/* Keep a full explanation until the host shows whether it gives up. */
static void hold_failure(SSL *ssl, struct td_conn *c, int kind, enum td_when when)
{
    if (c->pending != NULL || (c->flags & TD_CONN_REPORTED)) return;
    struct td_report *r = diagnose(TD_EV_HANDSHAKE_FAILED, ssl, c, when, 0);
    if (r == NULL) return;
    c->pending = r;
    c->pending_kind = kind;
    undecided_track(ssl, c);
}

static void report_done(SSL *ssl, const struct td_conn *c)
{
    /* A peer that renegotiates in a loop must not make us write without end. */
    if (!td_repeat_trace_admit()) return;
    struct td_report *r = diagnose(TD_EV_HANDSHAKE_OK, ssl, c, TD_AT_DONE, 0);
    if (r == NULL) return;
    td_emit(r);
    td_report_free(r);
}

/* ---- when the host has failed ---------------------------------------------------------- */

/* Only our ctx-level callback, with no SSL-level one, is sure to get the handshake's exit: the
 * exit goes to the callback in place when the handshake call began, and a callback we put at
 * SSL level during a call (come_back_at_ssl_level) does not get that call's exit. */
static int exit_reaches_us(const SSL *ssl)
{
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    return SSL_get_info_callback(ssl) == NULL && ctx != NULL &&
           SSL_CTX_get_info_callback(ctx) == td_info_cb;
}

/* Whether our info callback sees this connection's completion: at ctx level with none at SSL
 * level, or promoted to SSL level ourselves. Ruby and Node put their own at SSL level. */
static int completion_reaches_us(const SSL *ssl)
{
    return SSL_get_info_callback(ssl) == td_info_cb || exit_reaches_us(ssl);
}

/* Both Finished messages have crossed: the handshake is over, whatever the state machine says
 * after a later error (a fatal alert puts it back "in init"). Read from OpenSSL's own copies,
 * so it holds after our state is released; a new handshake on the SSL resets them. */
static int finished_both_ways(const SSL *ssl)
{
    unsigned char md[1];
    return SSL_get_finished(ssl, md, sizeof(md)) > 0 &&
           SSL_get_peer_finished(ssl, md, sizeof(md)) > 0;
}

/* A server sees port probes and health checks that connect and leave without a byte: those
 * are not TLS failures. A client that hears nothing has failed. */
static int peer_took_part(const SSL *ssl, const struct td_conn *c)
{
    return !SSL_is_server((SSL *)ssl) || (c != NULL && (c->flags & TD_CONN_PEER_SPOKE));
}

/* Hosts that finish a handshake whose certificate failed and decide afterwards: a client that
 * asked for verification with a callback that lets everything through, curl, which always checks
 * the result itself, and Node, which checks it in JavaScript. A client that asked for none
 * (Python's CERT_NONE) chose not to verify. */
static int host_decides_after_handshake(const SSL *ssl)
{
    struct td_runtime_info rt;
    if (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) return 1;
    td_runtime_get(&rt, 0);
    return rt.kind == TD_RT_CURL || rt.kind == TD_RT_NODE;
}

/* A server whose verify callback let a bad client certificate through (nginx does, for every
 * ssl_verify_client mode) and that then refuses the client itself: nginx answers 400 and drops
 * the session from its cache, which marks it not resumable. With optional_no_ca it serves the
 * request and keeps the session. */
static int server_refused_after_handshake(const SSL *ssl)
{
    SSL_SESSION *s = SSL_get0_session(ssl);
    return s != NULL && !SSL_SESSION_is_resumable(s);
}

/* A server that let a handshake finish without the client certificate it asked for, and then
 * refused the client itself: nginx's ssl_verify_client on answers 400 "No required SSL
 * certificate was sent" and drops the session from its cache, as for a bad certificate. With
 * optional it serves the request and keeps the session: no failure. */
static void no_cert_refused(SSL *ssl, struct td_conn *c, enum td_when when)
{
    c->flags &= ~TD_CONN_NO_CLIENT_CERT;
    if ((c->flags & TD_CONN_REPORTED) || !server_refused_after_handshake(ssl)) return;
    /* A session past its timeout leaves the cache (and is marked so) by being flushed, not
     * refused: a long-lived connection served with optional ends that way too. */
    SSL_SESSION *s = SSL_get0_session(ssl);
#if OPENSSL_VERSION_NUMBER >= 0x30300000L /* the time_t getter; the long one is deprecated */
    time_t made = SSL_SESSION_get_time_ex(s);
#else
    time_t made = (time_t)SSL_SESSION_get_time(s);
#endif
    if (made + (time_t)SSL_SESSION_get_timeout(s) <= time(NULL)) return;
    c->flags |= TD_CONN_NO_CERT_REFUSED;
    explain_failure(ssl, c, when);
}

/* Whether the peer's certificate covers the name the client asked for (SNI): what curl, Ruby's
 * post_connection_check, service_identity, urllib3 and Node's checkServerIdentity check after
 * the handshake, when the host did not give OpenSSL a name to check. */
static int certificate_covers(X509 *leaf, const char *name)
{
    if (leaf == NULL || name == NULL || name[0] == '\0') return 1;
    ERR_set_mark();
    int ok = X509_check_ip_asc(leaf, name, 0);
    if (ok < 0) ok = X509_check_host(leaf, name, 0, 0, NULL); /* not an IP address */
    ERR_pop_to_mark();
    return ok != 0;
}

/* The host ends a connection it never sent data on. If it had a name left to check and the
 * certificate does not cover it, the host refused the peer for that: say so, as OpenSSL
 * would have (X509_V_ERR_HOSTNAME_MISMATCH at depth 0). Done only now, never on success. */
static void name_refused(SSL *ssl, struct td_conn *c, enum td_when when)
{
    if (!(c->flags & TD_CONN_NAME_UNCHECKED) || (c->flags & TD_CONN_APP_DATA_SENT)) return;
    c->flags &= ~TD_CONN_NAME_UNCHECKED;
    if (certificate_covers(SSL_get0_peer_certificate(ssl), c->name_to_check)) return;
    c->verify_seen = X509_V_ERR_HOSTNAME_MISMATCH;
    c->verify_seen_depth = 0;
    explain_failure(ssl, c, when);
}

/* The runtimes that match the name themselves after the handshake when OpenSSL was not asked
 * to: curl, Node (checkServerIdentity), Ruby (post_connection_check), Python's urllib3 and
 * service_identity (pyOpenSSL). Any other host that gave OpenSSL no name checks none, and a
 * connection it closes unused is no refusal. */
static int runtime_checks_names(void)
{
    struct td_runtime_info rt;
    td_runtime_get(&rt, 0);
    return rt.kind == TD_RT_CURL || rt.kind == TD_RT_NODE || rt.kind == TD_RT_RUBY ||
           rt.kind == TD_RT_PYTHON || rt.kind == TD_RT_PYPY;
}

/* Of those, the ones that match an address they connected to, for which no SNI is sent: curl,
 * Node, Ruby, and urllib3 (requests, pip), which a Python connection shows by OP_NO_TICKET
 * (see include/runtime.h). A plain Python socket with no server_hostname checks nothing. */
static int runtime_checks_addresses(const SSL *ssl)
{
    struct td_runtime_info rt;
    td_runtime_get(&rt, 0);
    if (rt.kind == TD_RT_PYTHON || rt.kind == TD_RT_PYPY)
        return (SSL_get_options(ssl) & TD_SSL_OPT_NO_TICKET) != 0;
    return rt.kind == TD_RT_CURL || rt.kind == TD_RT_NODE || rt.kind == TD_RT_RUBY;
}

/* name_refused for a connection that may no longer be looked into (OpenSSL 3.2 and later, in
 * the SSL's free_func): decided and described from what on_done kept. */
static void name_refused_after_free(struct td_conn *c)
{
    if ((c->flags & (TD_CONN_APP_DATA_SENT | TD_CONN_REPORTED)) || c->kept_leaf == NULL ||
        certificate_covers(c->kept_leaf, c->name_to_check))
        return;
    c->flags |= TD_CONN_REPORTED;
    struct td_report *r = td_report_new(TD_EV_HANDSHAKE_FAILED);
    if (r == NULL) return;
    ERR_set_mark();
    td_observe_kept(r, c);
    ERR_pop_to_mark();
    if (td_repeat_admit(r)) {
        td_classify(r);
        emit_failure(r);
    } else {
        td_report_free(r);
    }
}

/* A client's certificate verified, but OpenSSL was given no name to match it to: keep the name
 * asked for, for name_refused. Called at the end of the verification, while the SSL is whole
 * (on 3.0 its parameters are gone by the time it is freed). */
static int keep_name_to_check(const SSL *ssl, struct td_conn *c, int verify_error)
{
    if (SSL_is_server((SSL *)ssl) || verify_error != X509_V_OK || !runtime_checks_names()) return 0;
    X509_VERIFY_PARAM *param = SSL_get0_param((SSL *)ssl);
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    char *ip;
    if (param != NULL && X509_VERIFY_PARAM_get0_host(param, 0) != NULL) return 0;
    if (param != NULL && (ip = X509_VERIFY_PARAM_get1_ip_asc(param)) != NULL) {
        OPENSSL_free(ip);
        return 0;
    }
    char name[256] = "";
    if (sni != NULL) snprintf(name, sizeof(name), "%s", sni);
    else if (runtime_checks_addresses(ssl)) td_peer_ip((SSL *)ssl, name, sizeof(name));
    if (name[0] == '\0') return 0;
    free(c->name_to_check);
    if ((c->name_to_check = strdup(name)) == NULL) return 0;
    c->flags |= TD_CONN_NAME_UNCHECKED;
    undecided_track((SSL *)ssl, c);
    return 1;
}

static void on_alert(const SSL *ssl, int sent, int level, int desc)
{
    if (level != SSL3_AL_FATAL) {
        /* Our own close_notify ends a connection the host kept after a failed verification.
         * After completion, only a state kept past it can be there to end. */
        struct td_conn *pc =
            sent && desc == SSL3_AD_CLOSE_NOTIFY &&
                    (atomic_load_explicit(&state_after_done_seen, memory_order_relaxed) ||
                     !SSL_is_init_finished(ssl))
                ? conn_get(ssl, 0)
                : NULL;
        if (pc != NULL) name_refused((SSL *)ssl, pc, TD_AT_ALERT);
        if (pc != NULL && pc->pending_kind == TD_PENDING_UNVERIFIED) pending_settle(pc, 1);
        if (pc != NULL && pc->pending_kind == TD_PENDING_CLIENT_CERT)
            pending_settle(pc, server_refused_after_handshake(ssl));
        if (pc != NULL && (pc->flags & TD_CONN_NO_CLIENT_CERT))
            no_cert_refused((SSL *)ssl, pc, TD_AT_ALERT);
        return;
    }
    /* An alert we send once both Finished messages have crossed ends a connection, not a
     * handshake: a peer that closed without close_notify after a good handshake (the Ruby
     * driver's reads then fail) is the application's business, never a TLS failure. A received
     * one still counts: a TLS 1.3 server refuses a client certificate after its Finished. */
    if (sent && finished_both_ways(ssl)) return;
    struct td_conn *c = conn_get(ssl, 1);
    if (c == NULL) return;
    if (sent) {
        if (!(c->flags & TD_CONN_ALERT_SENT)) {
            c->flags |= TD_CONN_ALERT_SENT;
            c->sent_level = (uint8_t)level;
            c->sent_desc = (uint8_t)desc;
            /* The reason is on the queue now; a host that replaced our info callback
             * may have cleared it by the time anything else runs. */
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

static int would_block(int err)
{
    return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == EINPROGRESS;
}

/* A handshake call returned without finishing. Only a definite failure is one: the WANT_*
 * results are a non-blocking handshake pausing, and so is a system error with nothing on the
 * queue and errno saying "try again", which is what drivers with their own BIOs (libmongoc,
 * the PHP driver) leave behind when they forget the retry flag. */
static void on_exit_unfinished(const SSL *ssl, int ret, int saved_errno)
{
    int e = SSL_get_error(ssl, ret);
    struct td_conn *c = conn_get(ssl, 0);
    if (e != SSL_ERROR_SSL && e != SSL_ERROR_SYSCALL &&
        !(e == SSL_ERROR_ZERO_RETURN && !SSL_is_init_finished(ssl)))
        return;
    if (!peer_took_part(ssl, c)) return;
    if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        if (would_block(saved_errno)) return;
        /* Nothing on the queue says what happened: kept until the host gives up or goes on. */
        if ((c = conn_get(ssl, 1)) != NULL) {
            atomic_store_explicit(&silent_exit_seen, 1, memory_order_relaxed);
            hold_failure((SSL *)ssl, c, TD_PENDING_SILENT_EXIT, TD_AT_EXIT);
        }
        return;
    }
    explain_failure((SSL *)ssl, conn_get(ssl, 1), TD_AT_EXIT);
}

static void on_done(const SSL *ssl)
{
    struct td_conn *c = conn_get(ssl, 0);
    if (c != NULL) {
        c->flags |= TD_CONN_DONE;
        hellos_free(c);
    }
    if (SSL_get_verify_result(ssl) != X509_V_OK && host_decides_after_handshake(ssl) &&
        (c = conn_get(ssl, 1)) != NULL)
        hold_failure((SSL *)ssl, c,
                     SSL_is_server((SSL *)ssl) ? TD_PENDING_CLIENT_CERT : TD_PENDING_UNVERIFIED,
                     TD_AT_DONE_UNVERIFIED);
    if (td_settings.mode == TD_MODE_TRACE) report_done((SSL *)ssl, c);
    /* Only a flag here, on the success path: whether the host refuses the client for the missing
     * certificate shows only when the connection ends (no_cert_refused). */
    if (c != NULL && SSL_is_server((SSL *)ssl) &&
        (SSL_get_verify_mode(ssl) & (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT)) ==
            SSL_VERIFY_PEER &&
        SSL_get0_peer_certificate(ssl) == NULL)
        c->flags |= TD_CONN_NO_CLIENT_CERT;
    if (c != NULL && (c->flags & TD_CONN_NAME_UNCHECKED) && c->kept_leaf == NULL) {
        X509 *leaf = SSL_get0_peer_certificate(ssl);
        const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
        if (leaf != NULL && X509_up_ref(leaf)) c->kept_leaf = leaf;
        c->kept_version = SSL_version(ssl);
        c->kept_cipher = cipher != NULL ? SSL_CIPHER_get_name(cipher) : NULL;
    }
    /* What the rest of the connection can bring (an alert, a renegotiation) starts afresh. */
    if (c != NULL && ((c->flags & (TD_CONN_NAME_UNCHECKED | TD_CONN_NO_CLIENT_CERT)) ||
                      !conn_release_if_idle((SSL *)ssl, c)))
        atomic_store_explicit(&state_after_done_seen, 1, memory_order_relaxed);
}

/* What td_info_cb passes on: kept apart, so that the state machine's loop costs only the test. */
static __attribute__((noinline)) void info_seen(const SSL *ssl, int where, int ret)
{
    /* errno is saved only around what can change it (hosts read errno after a failed call;
     * curl does). */
    if (((where & (SSL_CB_ALERT | SSL_CB_HANDSHAKE_DONE)) || ((where & SSL_CB_EXIT) && ret <= 0)) &&
        atomic_load_explicit(&hooks_live, memory_order_relaxed)) {
        int saved_errno = errno;
        if (where & SSL_CB_ALERT)
            on_alert(ssl, (where & SSL_CB_WRITE) != 0, (ret >> 8) & 0xff, ret & 0xff);
        else if (where & SSL_CB_HANDSHAKE_DONE) on_done(ssl);
        else on_exit_unfinished(ssl, ret, saved_errno);
        errno = saved_errno;
    }
    /* We only run at SSL level after promoting ourselves (see td_msg_cb); the application's
     * ctx-level callback is then looked up now, so a later SSL_CTX_set_info_callback counts. */
    if (atomic_load_explicit(&promoted_seen, memory_order_relaxed) &&
        SSL_get_info_callback(ssl) == td_info_cb) {
        SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
        void (*app)(const SSL *, int, int) = ctx != NULL ? SSL_CTX_get_info_callback(ctx) : NULL;
        if (app != NULL && app != td_info_cb) {
            int saved_errno = errno;
            app(ssl, where, ret);
            errno = saved_errno;
        }
    }
}

/* Most calls are the state machine's loop and successful exits, which touch nothing. */
static void td_info_cb(const SSL *ssl, int where, int ret)
{
    if ((where & (SSL_CB_ALERT | SSL_CB_HANDSHAKE_DONE)) || ((where & SSL_CB_EXIT) && ret <= 0) ||
        atomic_load_explicit(&promoted_seen, memory_order_relaxed))
        info_seen(ssl, where, ret);
}

/* An application that set its own ctx-level info callback replaced ours: come back at SSL
 * level, where td_info_cb chains to the application's callback. An SSL-level callback of the
 * application's own is left alone (it would lose its place). */
static void come_back_at_ssl_level(SSL *ssl)
{
    if (SSL_get_info_callback(ssl) == NULL) {
        SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
        if (ctx != NULL && SSL_CTX_get_info_callback(ctx) != td_info_cb) {
            atomic_store_explicit(&promoted_seen, 1, memory_order_relaxed);
            SSL_set_info_callback(ssl, td_info_cb);
        }
    }
}

/* A ClientHello starts a handshake: one on an SSL that already had one (SSL_clear, a
 * renegotiation) starts afresh. Whatever the last one left pending, the host gave up on. */
static struct td_conn *handshake_starts(SSL *ssl, struct td_conn *c, size_t hello_len)
{
    td_repeat_tick();
    if (c == NULL) return conn_make(ssl, hello_len + TD_CONN_SERVER_HELLO_ROOM);
    if (c->flags & (TD_CONN_DONE | TD_CONN_REPORTED | TD_CONN_ALERT_SENT | TD_CONN_ALERT_RECEIVED |
                    TD_CONN_NOT_TLS) ||
        c->pending != NULL) {
        uint32_t spoke = c->flags & TD_CONN_PEER_SPOKE;
        pending_at_end(c, 1);
        conn_clear(c);
        c->flags = spoke;
    }
    return c;
}

static void on_hello(SSL *ssl, struct td_conn *c, int sent, const unsigned char *p, size_t len)
{
    int server = SSL_is_server(ssl);
    if (p[0] == SSL3_MT_CLIENT_HELLO && sent != server) {
        if ((c = handshake_starts(ssl, c, len)) == NULL) return;
        hello_keep(c, &c->client_hello, p, len);
        if (server) td_peer_address(ssl, c->addr, sizeof(c->addr));
    } else if (p[0] == SSL3_MT_SERVER_HELLO && sent == server &&
               (c != NULL || (c = conn_make(ssl, len)) != NULL)) {
        hello_keep(c, &c->server_hello, p, len);
    }
    /* The peer's hello: it spoke, whatever its record headers showed (on a renegotiation the
     * first one comes before this state exists, and later ones are not looked at). */
    if (c != NULL && !sent) c->flags |= TD_CONN_PEER_SPOKE;
    come_back_at_ssl_level(ssl);
}

static void on_record_header(SSL *ssl, struct td_conn *c, int sent, const unsigned char *p,
                             size_t len)
{
    if (sent) {
        /* Application data going out: the host accepted the peer, whatever it checked. In TLS
         * 1.3 every encrypted record says "application data" outside, its own Finished too:
         * the inner type, given just before, tells. */
        if (c != NULL && p[0] == SSL3_RT_APPLICATION_DATA && SSL_is_init_finished(ssl) &&
            (SSL_version(ssl) != TLS1_3_VERSION ||
             c->inner_type_sent == SSL3_RT_APPLICATION_DATA)) {
            c->flags |= TD_CONN_APP_DATA_SENT;
            if (c->pending_kind == TD_PENDING_UNVERIFIED) pending_settle(c, 0);
            if ((c->flags & TD_CONN_NAME_UNCHECKED) && c->pending == NULL)
                conn_release_if_idle(ssl, c);
        }
        return;
    }
    /* A server's state starts with the peer's first record, sized for a ClientHello that fills
     * it; after the handshake, records are the application's and need none. */
    if (c == NULL && SSL_is_server(ssl) && !SSL_is_init_finished(ssl))
        c = conn_make(ssl, (len >= 5 ? ((size_t)p[3] << 8 | p[4]) : 0) + TD_CONN_SERVER_HELLO_ROOM);
    if (c == NULL) return;
    c->flags |= TD_CONN_PEER_SPOKE;
    /* A TLS record starts with a content type 20..24 and major version 3. Anything else
     * is a peer that does not speak TLS: keep the first bytes to show what it was. */
    if (len >= 2 && (p[0] < 20 || p[0] > 24 || p[1] != 3) && !(c->flags & TD_CONN_NOT_TLS)) {
        c->flags |= TD_CONN_NOT_TLS;
        c->header_len = (uint8_t)(len < sizeof(c->header) ? len : sizeof(c->header));
        memcpy(c->header, p, c->header_len);
    }
}

/* The second Finished completes the handshake. A host whose own info callback took our place
 * (Ruby, Node) never lets us see SSL_CB_HANDSHAKE_DONE, so completion is taken from here for
 * it: trace lines, certificates it decides on afterwards, and state released as for any other.
 * A received Finished is not yet checked when we see it; one that fails verification fails the
 * handshake, which is then explained as usual. */
static void on_finished(SSL *ssl, struct td_conn *c, int sent)
{
    c->flags |= sent ? TD_CONN_FIN_SENT : TD_CONN_FIN_RECEIVED;
    if ((c->flags & (TD_CONN_FIN_SENT | TD_CONN_FIN_RECEIVED)) ==
            (TD_CONN_FIN_SENT | TD_CONN_FIN_RECEIVED) &&
        !(c->flags & (TD_CONN_DONE | TD_CONN_REPORTED)) && !completion_reaches_us(ssl))
        on_done(ssl);
}

/* A client's received ServerKeyExchange: for a DHE suite only, the bit length of the server's
 * prime (its first field, after a PSK identity hint for DHE-PSK), for dh_key_too_small. The
 * message comes before OpenSSL checks it; anything short or odd is left unmeasured. */
static void on_server_key_exchange(SSL *ssl, struct td_conn *c, const unsigned char *p, size_t len)
{
    const SSL_CIPHER *cipher = SSL_get_pending_cipher(ssl);
    int kx = cipher != NULL ? SSL_CIPHER_get_kx_nid(cipher) : NID_undef;
    size_t o = 4; /* the handshake header */
    if (kx != NID_kx_dhe && kx != NID_kx_dhe_psk) return;
    if (kx == NID_kx_dhe_psk) {
        if (len < o + 2) return;
        o += 2 + ((size_t)p[o] << 8 | p[o + 1]);
    }
    if (len < o + 2) return;
    size_t n = (size_t)p[o] << 8 | p[o + 1];
    o += 2;
    if (n == 0 || len < o + n) return;
    while (n > 0 && p[o] == 0) { /* leading zero bytes */
        o++;
        n--;
    }
    if (n == 0 || n > 8192) return;
    unsigned bits = (unsigned)(n - 1) * 8, top = p[o];
    while (top != 0) {
        bits++;
        top >>= 1;
    }
    c->dh_bits = (uint16_t)bits;
}

/* What td_msg_cb passes on: kept apart, so that the records it drops cost only the filter. */
static __attribute__((noinline)) void msg_seen(int write_p, int content_type,
                                               const unsigned char *p, size_t len, SSL *ssl)
{
    int saved_errno = errno;
    /* on_alert looks for the state itself, only when it needs it. */
    struct td_conn *c = content_type != SSL3_RT_ALERT ? conn_peek(ssl) : NULL;

    /* Any record after an exit that left nothing to go on: the handshake was only paused. */
    if (c != NULL && c->pending_kind == TD_PENDING_SILENT_EXIT) pending_drop(c);

    switch (content_type) {
    case SSL3_RT_ALERT:
        if (len >= 2) on_alert(ssl, write_p, p[0], p[1]);
        break;
    case SSL3_RT_HEADER: on_record_header(ssl, c, write_p, p, len); break;
    case SSL3_RT_INNER_CONTENT_TYPE:
        if (write_p && c != NULL) c->inner_type_sent = p[0];
        break;
    case SSL3_RT_HANDSHAKE:
        if (p[0] == SSL3_MT_CLIENT_HELLO || p[0] == SSL3_MT_SERVER_HELLO)
            on_hello(ssl, c, write_p, p, len);
        else if (p[0] == SSL3_MT_FINISHED && c != NULL) on_finished(ssl, c, write_p);
        else if (p[0] == SSL3_MT_SERVER_KEY_EXCHANGE && !write_p && c != NULL)
            on_server_key_exchange(ssl, c, p, len);
        break;
    default: break;
    }
    errno = saved_errno;
}

/* Whether a received record header can say something new: a peer's first record (a server's
 * state is made there; PEER_SPOKE, kept across handshakes, is set) comes while we wait for its
 * hello, and after completion only a state kept past it can be waiting. A header that does not
 * look like TLS always can (see on_record_header). */
static int received_header_teaches(const SSL *ssl, const unsigned char *p, size_t len)
{
    if (len >= 2 && (p[0] < 20 || p[0] > 24 || p[1] != 3)) return 1;
    switch (SSL_get_state(ssl)) {
    case TLS_ST_BEFORE:
    case TLS_ST_CW_CLNT_HELLO: return 1;
    case TLS_ST_OK: return atomic_load_explicit(&state_after_done_seen, memory_order_relaxed);
    default: return 0;
    }
}

static void td_msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                      SSL *ssl, void *arg)
{
    const unsigned char *p = buf;
    if (!atomic_load_explicit(&hooks_live, memory_order_relaxed) || len == 0) return;
    /* Most of what goes by teaches nothing: the handshake messages between the hellos and the
     * Finished, the types of received TLS 1.3 records, the headers of the peer's records once
     * its first has come, and our own records except, on a state kept past completion,
     * application data (the inner type says which, in TLS 1.3). Unless a kept exit may be
     * waiting for the next record (silent_exit_seen), these return before the state is looked
     * up. */
    if (!atomic_load_explicit(&silent_exit_seen, memory_order_relaxed)) {
        switch (content_type) {
        case SSL3_RT_ALERT: break;
        case SSL3_RT_HEADER:
            if (write_p ? p[0] != SSL3_RT_APPLICATION_DATA ||
                              !atomic_load_explicit(&state_after_done_seen, memory_order_relaxed)
                        : !received_header_teaches(ssl, p, len))
                return;
            break;
        case SSL3_RT_INNER_CONTENT_TYPE:
            if (!write_p || !atomic_load_explicit(&state_after_done_seen, memory_order_relaxed))
                return;
            break;
        case SSL3_RT_HANDSHAKE:
            /* A Finished is looked at only for a host whose info callback took our place. */
            if (p[0] == SSL3_MT_FINISHED
                    ? completion_reaches_us(ssl)
                    : p[0] != SSL3_MT_CLIENT_HELLO && p[0] != SSL3_MT_SERVER_HELLO &&
                          !(p[0] == SSL3_MT_SERVER_KEY_EXCHANGE && !write_p))
                return;
            break;
        default: return;
        }
    }
    msg_seen(write_p, content_type, p, len, ssl);
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
 * host that replaced our info callback. A kept explanation is emitted whatever the version,
 * since it was made while the SSL was whole: the host gave up on the connection. */
static void ssl_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    struct td_conn *c = ptr;
    if (c == NULL) return;
    int saved_errno = errno;
    int live = atomic_load(&hooks_live);
    /* Only 3.0 and 3.1 run this before taking the connection apart; from 3.2 on, its
     * certificates and session are already gone here, so we must not look. */
    int whole = parent != NULL && OpenSSL_version_num() < 0x30200000L && live;
    if (whole && !(c->flags & TD_CONN_REPORTED) && c->pending == NULL &&
        ((c->flags & TD_CONN_NOT_TLS)
         /* a verify error the host tolerated (curl -k, Node) ended in a finished handshake */
         || (c->verify_seen != X509_V_OK && !SSL_is_init_finished(parent))))
        explain_failure(parent, c, TD_AT_FREE);
    /* A completion our info callback never saw (Node and Ruby put their own at SSL level): the
     * connection ends without data sent, so the host refused what it checked afterwards. */
    if (whole && !(c->flags & (TD_CONN_DONE | TD_CONN_REPORTED | TD_CONN_APP_DATA_SENT)) &&
        c->pending == NULL && !SSL_is_server(parent) && SSL_is_init_finished(parent)) {
        if (SSL_get_verify_result(parent) != X509_V_OK && host_decides_after_handshake(parent))
            explain_failure(parent, c, TD_AT_FREE);
    }
    if (whole && (c->flags & TD_CONN_NO_CLIENT_CERT)) no_cert_refused(parent, c, TD_AT_FREE);
    if (whole && (c->flags & TD_CONN_NAME_UNCHECKED)) name_refused(parent, c, TD_AT_FREE);
    else if (live && (c->flags & TD_CONN_NAME_UNCHECKED)) name_refused_after_free(c);
    pending_at_end(c, live);
    conn_free(c);
    errno = saved_errno;
}

/* A fourth way in, for hosts that replace both the info and the msg callback (s_client -state
 * -msg): every certificate verification ends by freeing its X509_STORE_CTX, which still holds
 * the error, its depth and the SSL it was for (its chain is already gone). Failures are
 * recorded; either way the info callback gets a chance to come back. */
static void store_ctx_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                           void *argp)
{
    X509_STORE_CTX *v = parent;
    if (v == NULL || !atomic_load_explicit(&hooks_live, memory_order_relaxed)) return;
    SSL *ssl = X509_STORE_CTX_get_ex_data(v, ssl_store_ctx_slot);
    if (ssl == NULL) return; /* not a TLS peer's chain (or an OCSP check of ours) */
    int saved_errno = errno;
    come_back_at_ssl_level(ssl); /* if the msg callback was replaced too */
    int err = X509_STORE_CTX_get_error(v);
    struct td_conn *c = conn_get(ssl, err != X509_V_OK);
    if (c != NULL && err == X509_V_OK) keep_name_to_check(ssl, c, err);
    if (c != NULL && err != X509_V_OK && c->verify_seen == X509_V_OK) {
        c->verify_seen = err;
        c->verify_seen_depth = X509_STORE_CTX_get_error_depth(v);
        X509 *leaf = X509_STORE_CTX_get0_cert(v);
        if (leaf != NULL && X509_up_ref(leaf)) c->failed_leaf = leaf;
        c->failed_chain = X509_chain_up_ref(X509_STORE_CTX_get0_untrusted(v));
        /* A client may go on and decide afterwards (Node): see undecided_at_exit. */
        if (!SSL_is_server(ssl)) undecided_track(ssl, c);
    }
    errno = saved_errno;
}

/* At exit, what is still undecided was given up on: the host exits instead of using it (Node's
 * process.exit in its 'error' handler never frees the socket). Registered after OpenSSL's own
 * atexit handler, so this runs before OPENSSL_cleanup, with every SSL still whole. */
static void undecided_at_exit(void)
{
    if (!atomic_load(&hooks_live)) return;
    pthread_mutex_lock(&undecided_lock);
    struct td_conn *c = undecided_head;
    undecided_head = NULL;
    undecided_gen++;
    pthread_mutex_unlock(&undecided_lock);
    for (struct td_conn *next; c != NULL; c = next) {
        next = c->undecided_next;
        c->undecided_gen = 0;
        int saved_errno = errno;
        SSL *ssl = c->undecided_ssl;
        name_refused(ssl, c, TD_AT_DONE_UNVERIFIED);
        /* A certificate that failed in a handshake the host let finish, and never used. */
        if (!(c->flags & (TD_CONN_REPORTED | TD_CONN_APP_DATA_SENT)) && c->pending == NULL &&
            c->verify_seen != X509_V_OK && SSL_is_init_finished(ssl) &&
            host_decides_after_handshake(ssl))
            explain_failure(ssl, c, TD_AT_DONE_UNVERIFIED);
        pending_at_end(c, 1);
        errno = saved_errno;
    }
}

static void after_fork_child(void)
{
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    undecided_lock = fresh;
    undecided_head = NULL;
    undecided_gen++;
    td_repeat_after_fork();
    td_output_after_fork();
    td_observe_after_fork();
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, after_fork_child);
    atexit(undecided_at_exit);
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
    /* libssl's own slot (its getter runs a once-only check at every call); -1 if it could not
     * be made, which no store ctx then holds. */
    ssl_store_ctx_slot = SSL_get_ex_data_X509_STORE_CTX_idx();
    pthread_once(&atfork_once, register_atfork);
    atomic_store(&hooks_live, 1);
    return 1;
}

/* The indexes stay registered (see above): with hooks_live cleared every callback returns at
 * once, and a later load switches them back on. */
void td_hook_uninstall(void)
{
    atomic_store(&hooks_live, 0);
}
