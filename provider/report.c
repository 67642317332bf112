/* report: small helpers shared by everything that fills or reads a td_report. */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <openssl/ssl.h>
#include "report.h"

struct td_report *td_report_new(enum td_event event)
{
    struct td_report *r = malloc(sizeof(*r));
    if (r == NULL) return NULL;
    /* Zeroing all 27 KB per report showed in `make bench` (a trace line per handshake, a
     * counted repeat per retry): the tail is only read where its own flags say so. */
    memset(r, 0, offsetof(struct td_report, vcert));
    r->vcert.present = r->top.present = r->ours.present = 0;
    r->offered.parsed = r->answer.parsed = 0;
    r->event = event;
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

const char *td_alert_name(int desc)
{
    /* OpenSSL 3.0 has no long names for the TLS 1.3 alerts. */
    switch (desc) {
    case 109: return "missing extension";
    case 115: return "unknown PSK identity";
    case 116: return "certificate required";
    case 120: return "no application protocol";
    default: return SSL_alert_desc_string_long(desc);
    }
}
