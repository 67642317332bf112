/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* report: small helpers shared by everything that fills or reads a td_report. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <openssl/ssl.h>
#include "report.h"

void *td_spare_take(struct td_spare *s)
{
    void *p = atomic_exchange_explicit(&s->block, NULL, memory_order_acquire);
    return p != NULL ? p : malloc(s->size);
}

void td_spare_give(struct td_spare *s, void *p)
{
    if (p != NULL) free(atomic_exchange_explicit(&s->block, p, memory_order_acq_rel));
}

static struct td_spare report_spare = { NULL, sizeof(struct td_report) };

void td_report_free(struct td_report *r)
{
    if (r != NULL) td_spare_give(&report_spare, r);
}

struct td_report *td_report_new_key(enum td_event event)
{
    struct td_report *r = td_spare_take(&report_spare);
    if (r == NULL) return NULL;
    memset(r, 0, TD_REPORT_KEY_SIZE);
    r->event = event;
    return r;
}

void td_report_init_rest(struct td_report *r)
{
    /* Zeroing all 40 KB per report showed in `make bench` (a trace line per handshake, a
     * counted repeat per retry): the tail is only read where its own flags say so. */
    memset((char *)r + TD_REPORT_KEY_SIZE, 0,
           offsetof(struct td_report, vcert) - TD_REPORT_KEY_SIZE);
    r->vcert.present = r->top.present = r->ours.present = 0;
    r->offered.parsed = r->answer.parsed = 0;
    r->n_problems = r->issuer_in_store = 0;
    r->interceptor = NULL;
    /* The long tail's facts (issue 15) are a few words, read by classify whatever the path. */
    memset(&r->max_cert_list, 0, sizeof(*r) - offsetof(struct td_report, max_cert_list));
    r->whole = 1;
}

struct td_report *td_report_new(enum td_event event)
{
    struct td_report *r = td_report_new_key(event);
    if (r != NULL) td_report_init_rest(r);
    return r;
}

void td_evidence_add(struct td_report *r, const char *key, const char *fmt, ...)
{
    struct td_evidence *e = NULL;
    /* A key appears once: a later, more specific observation replaces an earlier one. */
    for (int i = 0; i < r->n_evidence; i++)
        if (!strcmp(r->evidence[i].key, key)) e = &r->evidence[i];
    if (e == NULL) {
        if (r->n_evidence >= TD_MAX_EVIDENCE) return;
        e = &r->evidence[r->n_evidence++];
        e->key = key;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->value, sizeof(e->value), fmt, ap);
    va_end(ap);
}

const char *td_evidence_get(const struct td_report *r, const char *key)
{
    for (int i = 0; i < r->n_evidence; i++)
        if (!strcmp(r->evidence[i].key, key)) return r->evidence[i].value;
    return NULL;
}

/* Our own names: SSL_alert_desc_string_long spells them differently from one OpenSSL
 * release to the next ("unexpected_message" on 3.0, "unexpected message" on 3.5) and has
 * none for the TLS 1.3 alerts on 3.0; a report must read the same on every release. */
static const struct {
    unsigned char code;
    const char *name;
} alert_names[] = {
    { 0, "close notify" },
    { 10, "unexpected message" },
    { 20, "bad record MAC" },
    { 21, "decryption failed" },
    { 22, "record overflow" },
    { 30, "decompression failure" },
    { 40, "handshake failure" },
    { 41, "no certificate" },
    { 42, "bad certificate" },
    { 43, "unsupported certificate" },
    { 44, "certificate revoked" },
    { 45, "certificate expired" },
    { 46, "certificate unknown" },
    { 47, "illegal parameter" },
    { 48, "unknown CA" },
    { 49, "access denied" },
    { 50, "decode error" },
    { 51, "decrypt error" },
    { 60, "export restriction" },
    { 70, "protocol version" },
    { 71, "insufficient security" },
    { 80, "internal error" },
    { 86, "inappropriate fallback" },
    { 90, "user canceled" },
    { 100, "no renegotiation" },
    { 109, "missing extension" },
    { 110, "unsupported extension" },
    { 111, "certificate unobtainable" },
    { 112, "unrecognized name" },
    { 113, "bad certificate status response" },
    { 114, "bad certificate hash value" },
    { 115, "unknown PSK identity" },
    { 116, "certificate required" },
    { 120, "no application protocol" },
};

const char *td_alert_name(int desc)
{
    for (size_t i = 0; i < sizeof(alert_names) / sizeof(alert_names[0]); i++)
        if (alert_names[i].code == desc) return alert_names[i].name;
    return "unknown";
}
