/* report: small helpers shared by everything that fills or reads a td_report. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <openssl/ssl.h>
#include "report.h"

void td_evidence_add(struct td_report *r, const char *key, const char *fmt, ...)
{
    if (r->n_evidence >= TD_MAX_EVIDENCE) return;
    struct td_evidence *e = &r->evidence[r->n_evidence++];
    e->key = key;
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

const char *td_version_name(int version)
{
    switch (version) {
    case SSL3_VERSION: return "SSLv3";
    case TLS1_VERSION: return "TLSv1";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
    default: return "unknown";
    }
}
