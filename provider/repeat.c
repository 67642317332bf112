/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* repeat: drivers retry a failing server every half second; the first failure is explained,
 * the rest of the window is counted and summarised in one line. Failures only: the success
 * path never takes this lock. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "emit.h"
#include "repeat.h"
#include "settings.h"

#define TD_REPEAT_SLOTS 64

struct window {
    int used;
    time_t start;
    long repeats;
    struct td_report *first; /* what the summary repeats: program, peer, cause */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct window windows[TD_REPEAT_SLOTS];

/* Same program (always, in one process), same peer, same cause. A server's peers are told
 * apart by address without port, since every client connection has a new port. */
static int same_kind(const struct td_report *a, const struct td_report *b)
{
    /* The failure itself, as far as it is known before the diagnosis: same error, same
     * alert in the same direction, same verify result. */
    if (a->role != b->role || a->err != b->err || a->verify_code != b->verify_code ||
        a->alert_seen != b->alert_seen || a->alert_sent != b->alert_sent ||
        a->alert_desc != b->alert_desc || a->first_bytes_len != b->first_bytes_len ||
        strcmp(a->host, b->host) != 0)
        return 0;
    if (a->role == TD_ROLE_CLIENT) return strcmp(a->addr, b->addr) == 0;
    const char *pa = strrchr(a->addr, ':'), *pb = strrchr(b->addr, ':');
    size_t la = pa ? (size_t)(pa - a->addr) : strlen(a->addr);
    size_t lb = pb ? (size_t)(pb - b->addr) : strlen(b->addr);
    return la == lb && memcmp(a->addr, b->addr, la) == 0;
}

/* Called with the lock held; emitting under it keeps summaries in order. */
static void close_window(struct window *w)
{
    if (w->repeats > 0) {
        struct td_report *s = w->first;
        s->event = TD_EV_REPEAT_SUMMARY;
        s->repeat_count = w->repeats;
        s->now = time(NULL);
        td_emit(s);
    }
    free(w->first);
    memset(w, 0, sizeof(*w));
}

int td_repeat_admit(const struct td_report *r)
{
    if (td_settings.repeat_window <= 0 || r->event != TD_EV_HANDSHAKE_FAILED) return 1;
    time_t now = r->now ? r->now : time(NULL);
    int admit = 1;
    struct window *free_slot = NULL, *oldest = NULL;

    pthread_mutex_lock(&lock);
    for (int i = 0; i < TD_REPEAT_SLOTS; i++) {
        struct window *w = &windows[i];
        if (w->used && now - w->start >= td_settings.repeat_window) close_window(w);
        if (!w->used) {
            if (free_slot == NULL) free_slot = w;
            continue;
        }
        if (oldest == NULL || w->start < oldest->start) oldest = w;
        if (admit && same_kind(w->first, r)) {
            w->repeats++;
            admit = 0;
        }
    }
    if (admit) {
        struct window *w = free_slot;
        if (w == NULL) {
            close_window(oldest);
            w = oldest;
        }
        w->first = malloc(sizeof(*r));
        if (w->first != NULL) {
            memcpy(w->first, r, sizeof(*r));
            w->used = 1;
            w->start = now;
            w->repeats = 0;
        }
    }
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

void td_repeat_flush(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < TD_REPEAT_SLOTS; i++)
        if (windows[i].used) close_window(&windows[i]);
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
}

/* Summaries still open at exit are written even if OpenSSL's own cleanup never runs. */
__attribute__((destructor)) static void flush_at_exit(void)
{
    td_repeat_flush();
}
