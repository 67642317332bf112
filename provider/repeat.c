/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* repeat: drivers retry a failing server every half second, and scanners hit a server from
 * thousands of addresses; the first failure of a kind is explained, the rest of the window is
 * counted and summarised in one line.
 *
 *   failure ── td_repeat_admit ── same kind as an open window? ── yes: count it (and its
 *                    │                                               peer, its SNI), done
 *                    │ no
 *                    ▼
 *              a token in the bucket? ── no: open a window that says "held back", count it
 *                    │ yes
 *                    ▼
 *              open a window, explain it
 *
 *   windows close when their time is up: at the next failure, at the next ClientHello
 *   (td_repeat_tick, one relaxed load while none is open), at exit; a closing window with
 *   anything counted emits its summary.
 *
 * The kind: a client's failures are per peer (host and address); a server's are per failure
 * alone, since every scanner has an address of its own: its summary tells the addresses apart
 * instead (how many, and the most frequent). Recognising a repeat reads only what
 * td_observe_key gathered: no file, no config, no thread. Failures only: the success path never
 * takes this lock. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "emit.h"
#include "repeat.h"
#include "runtime.h"
#include "settings.h"

#define TD_REPEAT_SLOTS 64
#define TD_EXACT_ADDRS 64     /* addresses counted exactly, then estimated */
#define TD_ESTIMATE_BITS 4096 /* linear counting: error about 1 % up to 4,000 addresses */
#define TD_TRACKED 8          /* candidates for the most frequent (space-saving counters) */

struct tracked {
    struct td_tally t[TD_TRACKED];
    long over[TD_TRACKED]; /* what an entry inherited: its count is at least count - over */
    int n;
};

struct window {
    int used;
    unsigned long order; /* when opened: the oldest is evicted first, never by slot position */
    time_t start;
    long repeats;
    struct td_report *first; /* what the summary repeats: program, peer, cause */
    struct td_aggregate agg;
    uint64_t exact[TD_EXACT_ADDRS];
    int n_exact, overflowed;
    unsigned char seen[TD_ESTIMATE_BITS / 8];
    struct tracked addrs, snis;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct window windows[TD_REPEAT_SLOTS];
static unsigned long opened;
/* The earliest time a window closes, 0 when none is open: what td_repeat_tick reads. */
static atomic_long next_close;

static struct {
    double tokens;
    struct timespec last;
    int primed;
} explain_bucket, trace_bucket;
/* Held back by the rate limit with no window to count them in: trace lines, and failures when
 * repeat_window is 0. Said in a rate_limited event once a line goes again, or at exit. */
static long trace_held, failures_held;

/* The address without its port: a server's clients each come from a new port. */
static size_t host_part(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    return colon ? (size_t)(colon - addr) : strlen(addr);
}

static int same_kind(const struct td_report *a, const struct td_report *b)
{
    /* The failure itself, as far as it is known before the diagnosis: same error, same
     * alert in the same direction, same verify result. */
    if (a->role != b->role || a->err != b->err || a->verify_code != b->verify_code ||
        a->alert_seen != b->alert_seen || a->alert_sent != b->alert_sent ||
        a->alert_desc != b->alert_desc || a->first_bytes_len != b->first_bytes_len)
        return 0;
    if (a->role == TD_ROLE_SERVER) return 1;
    return strcmp(a->host, b->host) == 0 && strcmp(a->addr, b->addr) == 0;
}

/* FNV-1a, then a 64-bit finaliser: addresses differ in a few low characters, and the estimate
 * needs all bits of the hash to vary with them. */
static uint64_t addr_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

static void count_addr(struct window *w, const char *addr, size_t n)
{
    uint64_t h = addr_hash(addr, n);
    w->seen[(h % TD_ESTIMATE_BITS) / 8] |= (unsigned char)(1u << (h % 8));
    if (w->overflowed) return;
    for (int i = 0; i < w->n_exact; i++)
        if (w->exact[i] == h) return;
    if (w->n_exact < TD_EXACT_ADDRS) w->exact[w->n_exact++] = h;
    else w->overflowed = 1;
}

static long distinct_addrs(const struct window *w, int *estimated)
{
    *estimated = w->overflowed;
    if (!w->overflowed) return w->n_exact;
    long zeros = 0;
    for (size_t i = 0; i < sizeof(w->seen); i++)
        for (int b = 0; b < 8; b++) zeros += !(w->seen[i] & (1u << b));
    if (zeros == 0) zeros = 1; /* saturated: the estimate is a floor */
    return lround(-(double)TD_ESTIMATE_BITS * log((double)zeros / TD_ESTIMATE_BITS));
}

/* Space-saving: a name not tracked takes the place of the least counted one, and inherits its
 * count, so the most frequent names stay whatever the order they come in; what it inherited is
 * kept apart, so that what is shown is a count each name surely had. */
static void tally(struct tracked *k, const char *name, size_t n)
{
    if (n == 0) return;
    if (n >= sizeof(k->t[0].name)) n = sizeof(k->t[0].name) - 1;
    int least = 0;
    for (int i = 0; i < k->n; i++) {
        if (strlen(k->t[i].name) == n && memcmp(k->t[i].name, name, n) == 0) {
            k->t[i].count++;
            return;
        }
        if (k->t[i].count < k->t[least].count) least = i;
    }
    int replace = k->n == TD_TRACKED;
    int i = replace ? least : k->n++;
    memcpy(k->t[i].name, name, n);
    k->t[i].name[n] = '\0';
    k->over[i] = replace ? k->t[i].count : 0;
    k->t[i].count = k->over[i] + 1;
}

static int most_first(const void *a, const void *b)
{
    long ca = ((const struct td_tally *)a)->count, cb = ((const struct td_tally *)b)->count;
    return ca < cb ? 1 : ca > cb ? -1 : 0;
}

static int top(struct tracked *k, struct td_tally *out)
{
    for (int i = 0; i < k->n; i++) {
        k->t[i].count -= k->over[i];
        k->over[i] = 0;
    }
    qsort(k->t, (size_t)k->n, sizeof(k->t[0]), most_first);
    int n = k->n < TD_TOP_SHOWN ? k->n : TD_TOP_SHOWN;
    memcpy(out, k->t, (size_t)n * sizeof(out[0]));
    return n;
}

static void note_peer(struct window *w, const struct td_report *r)
{
    if (r->role != TD_ROLE_SERVER) return;
    size_t n = host_part(r->addr);
    count_addr(w, r->addr, n);
    tally(&w->addrs, r->addr, n);
    tally(&w->snis, r->host, strlen(r->host));
}

/* A token bucket: rate_limit a second, up to rate_burst at once. Called with the lock held. */
static int take_token(double *tokens, struct timespec *last, int *primed)
{
    if (td_settings.rate_limit <= 0) return 1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!*primed) {
        *tokens = td_settings.rate_burst;
        *primed = 1;
    } else {
        double elapsed = (double)(now.tv_sec - last->tv_sec) + (now.tv_nsec - last->tv_nsec) / 1e9;
        *tokens += elapsed * td_settings.rate_limit;
        if (*tokens > td_settings.rate_burst) *tokens = td_settings.rate_burst;
    }
    *last = now;
    if (*tokens < 1) return 0;
    *tokens -= 1;
    return 1;
}

/* Called with the lock held; emitting under it keeps summaries in order. */
static void close_window(struct window *w)
{
    long counted = w->repeats + w->agg.first_held_back;
    if (counted > 0 && w->first != NULL) {
        struct td_report *s = w->first;
        s->event = TD_EV_REPEAT_SUMMARY;
        s->repeat_count = counted;
        s->now = time(NULL);
        w->agg.distinct_addrs = distinct_addrs(w, &w->agg.distinct_estimated);
        w->agg.n_addrs = top(&w->addrs, w->agg.addrs);
        w->agg.n_snis = top(&w->snis, w->agg.snis);
        w->agg.rate_limit = td_settings.rate_limit;
        w->agg.rate_burst = td_settings.rate_burst;
        s->aggregate = &w->agg;
        td_emit(s);
    }
    free(w->first);
    memset(w, 0, sizeof(*w));
}

static void note_next_close(void)
{
    long next = 0;
    for (int i = 0; i < TD_REPEAT_SLOTS; i++) {
        long end = (long)windows[i].start + td_settings.repeat_window;
        if (windows[i].used && (next == 0 || end < next)) next = end;
    }
    atomic_store_explicit(&next_close, next, memory_order_relaxed);
}

static void close_expired(time_t now)
{
    for (int i = 0; i < TD_REPEAT_SLOTS; i++)
        if (windows[i].used && now - windows[i].start >= td_settings.repeat_window)
            close_window(&windows[i]);
}

/* Says how many lines of a kind were held back; called with the lock held. */
static void emit_held(long *held, enum td_event what)
{
    if (*held == 0) return;
    struct td_report *s = td_report_new(TD_EV_RATE_LIMITED);
    if (s != NULL) {
        struct td_runtime_info rt;
        td_runtime_get(&rt, 0);
        snprintf(s->program, sizeof(s->program), "%s", rt.program);
        struct td_aggregate limits = { .rate_limit = td_settings.rate_limit,
                                       .rate_burst = td_settings.rate_burst };
        s->now = time(NULL);
        s->repeat_count = *held;
        s->held_event = what;
        s->aggregate = &limits;
        td_emit(s);
        free(s);
    }
    *held = 0;
}

static void emit_trace_held(void)
{
    emit_held(&trace_held, TD_EV_HANDSHAKE_OK);
}

int td_repeat_admit(const struct td_report *r)
{
    if (r->event != TD_EV_HANDSHAKE_FAILED) return 1;
    if (td_settings.repeat_window <= 0) {
        pthread_mutex_lock(&lock);
        int ok = take_token(&explain_bucket.tokens, &explain_bucket.last, &explain_bucket.primed);
        if (!ok) failures_held++;
        else emit_held(&failures_held, TD_EV_HANDSHAKE_FAILED);
        pthread_mutex_unlock(&lock);
        return ok;
    }
    time_t now = r->now ? r->now : time(NULL);
    struct window *free_slot = NULL, *oldest = NULL;

    pthread_mutex_lock(&lock);
    /* Under the lock next_close is exact: the slots are walked again only when one is due. */
    long next = atomic_load_explicit(&next_close, memory_order_relaxed);
    if (next != 0 && (long)now >= next) {
        close_expired(now);
        note_next_close();
    }
    for (int i = 0; i < TD_REPEAT_SLOTS; i++) {
        struct window *w = &windows[i];
        if (!w->used) {
            if (free_slot == NULL) free_slot = w;
            continue;
        }
        if (same_kind(w->first, r)) {
            w->repeats++;
            note_peer(w, r);
            pthread_mutex_unlock(&lock);
            return 0;
        }
        if (oldest == NULL || w->order < oldest->order) oldest = w;
    }
    int admit = take_token(&explain_bucket.tokens, &explain_bucket.last, &explain_bucket.primed);
    if (admit) emit_held(&failures_held, TD_EV_HANDSHAKE_FAILED);
    struct window *w = free_slot;
    if (w == NULL) {
        close_window(oldest);
        w = oldest;
    }
    w->first = malloc(sizeof(*r));
    if (w->first != NULL) {
        /* A report made for its key (td_report_new_key) has nothing valid past it: the copy's
         * rest is made empty, as it stays for a failure held back; td_repeat_remember brings
         * the explained one. */
        if (r->whole) {
            memcpy(w->first, r, sizeof(*r));
        } else {
            memcpy(w->first, r, TD_REPORT_KEY_SIZE);
            td_report_init_rest(w->first);
        }
        w->used = 1;
        w->order = ++opened;
        w->start = now;
        w->agg.first_held_back = !admit;
        note_peer(w, r);
    }
    note_next_close();
    pthread_mutex_unlock(&lock);
    return admit;
}

void td_repeat_remember(const struct td_report *r)
{
    if (td_settings.repeat_window <= 0 || r->event != TD_EV_HANDSHAKE_FAILED) return;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < TD_REPEAT_SLOTS; i++) {
        struct window *w = &windows[i];
        if (w->used && w->first != NULL && same_kind(w->first, r)) {
            memcpy(w->first, r, sizeof(*r));
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}

void td_repeat_tick(void)
{
    long next = atomic_load_explicit(&next_close, memory_order_relaxed);
    if (next == 0) return;
    time_t now = time(NULL);
    if ((long)now < next) return;
    pthread_mutex_lock(&lock);
    close_expired(now);
    note_next_close();
    pthread_mutex_unlock(&lock);
}

int td_repeat_trace_admit(void)
{
    pthread_mutex_lock(&lock);
    int ok = take_token(&trace_bucket.tokens, &trace_bucket.last, &trace_bucket.primed);
    if (ok) emit_trace_held();
    else trace_held++;
    pthread_mutex_unlock(&lock);
    return ok;
}

void td_repeat_flush(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < TD_REPEAT_SLOTS; i++)
        if (windows[i].used) close_window(&windows[i]);
    note_next_close();
    emit_trace_held();
    emit_held(&failures_held, TD_EV_HANDSHAKE_FAILED);
    pthread_mutex_unlock(&lock);
}

void td_repeat_after_fork(void)
{
    /* The parent reports its own repeats; the child starts counting afresh. */
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    lock = fresh;
    for (int i = 0; i < TD_REPEAT_SLOTS; i++) {
        free(windows[i].first);
        memset(&windows[i], 0, sizeof(windows[i]));
    }
    atomic_store(&next_close, 0);
    trace_held = failures_held = 0;
}

/* Summaries still open at exit are written even if OpenSSL's own cleanup never runs. */
__attribute__((destructor)) static void flush_at_exit(void)
{
    td_repeat_flush();
}
