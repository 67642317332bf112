/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* render: see include/render.h. Every byte that came from a peer or a certificate passes
 * through td_escape on its way out, so a hostile subject or SNI cannot forge log lines. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "phrases.h"
#include "render.h"
#include "runtime.h"

/* Expand {key} placeholders from the report's evidence into dst; an absent key is "?". With
 * escape, the values are escaped for text as they go in and the template, ours, is copied as
 * it is (a hint's PHP class names keep their single backslashes). */
/* A placeholder is {identifier}: a brace around anything else is the text's own (a hint's
 * tls.connect({ servername: NAME })). Returns its closing brace, or NULL. */
static const char *placeholder_end(const char *p)
{
    const char *q = p + 1;
    if (!(isalpha((unsigned char)*q) || *q == '_')) return NULL;
    while (isalnum((unsigned char)*q) || *q == '_') q++;
    return *q == '}' && q - p < 40 ? q : NULL;
}

static void expand_as(const struct td_report *r, const char *tmpl, char *dst, size_t cap,
                      int escape)
{
    size_t o = 0;
    if (cap == 0) return;
    for (const char *p = tmpl; *p != '\0' && o + 1 < cap;) {
        const char *close;
        if (*p == '{' && (close = placeholder_end(p)) != NULL) {
            char key[40];
            memcpy(key, p + 1, (size_t)(close - p - 1));
            key[close - p - 1] = '\0';
            const char *v = td_evidence_get(r, key);
            if (v == NULL) v = "?";
            if (escape) {
                o += td_escape(dst + o, cap - o, v, 0);
                p = close + 1;
                continue;
            }
            size_t vl = strlen(v);
            if (o + vl >= cap) vl = cap - o - 1;
            memcpy(dst + o, v, vl);
            o += vl;
            p = close + 1;
        } else {
            dst[o++] = *p++;
        }
    }
    dst[o] = '\0';
}

static void expand(const struct td_report *r, const char *tmpl, char *dst, size_t cap)
{
    expand_as(r, tmpl, dst, cap, 0);
}

/* A cause's fix, then, when tlsdiag found more problems in the chain than the one OpenSSL
 * stopped at, the order to take them in. */
static void expand_fix(const struct td_report *r, char *dst, size_t cap)
{
    expand(r, td_cause_fix(r->cause, r->fix_variant), dst, cap);
    size_t n = strlen(dst);
    if (td_evidence_get(r, "_also_count") == NULL || n + 2 >= cap) return;
    dst[n++] = ' ';
    expand(r, td_also_fix, dst + n, cap - n);
}

/* ---- a bounded string builder --------------------------------------------------------- */

struct out {
    char *buf;
    size_t cap, len;
    size_t value_cap; /* JSON: longest string value, in bytes before escaping; 0: no limit */
    int full;         /* something did not fit */
    int shortened;    /* a value was cut to value_cap */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
    if (o->len + 1 >= o->cap) {
        o->full = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= o->cap - o->len) o->full = 1;
    o->len += (size_t)n < o->cap - o->len ? (size_t)n : o->cap - o->len - 1;
}

/* tmpl with each "%s" replaced by the next of args, in order; nothing else in it is read. A
 * trace line is written for every handshake, and vsnprintf was most of its cost. */
static void put_strings(struct out *o, const char *tmpl, const char *const *args, size_t n)
{
    if (o->len + 1 >= o->cap) {
        o->full = 1;
        return;
    }
    char *d = o->buf + o->len, *end = o->buf + o->cap - 1;
    size_t next = 0;
    for (const char *t = tmpl; *t != '\0' && !o->full; t++) {
        if (t[0] != '%' || t[1] != 's') { /* a lone '%' is text */
            if (d < end) *d++ = *t;
            else o->full = 1;
            continue;
        }
        const char *value = next < n ? args[next++] : "";
        size_t k = strlen(value), room = (size_t)(end - d);
        if (k > room) {
            k = room;
            o->full = 1;
        }
        memcpy(d, value, k);
        d += k;
        t++;
    }
    *d = '\0';
    o->len = (size_t)(d - o->buf);
}

/* A long as decimal text in buf (24 bytes), without printf. */
static const char *decimal(long v, char *buf)
{
    char *p = buf + 23;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    *p = '\0';
    do *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) *--p = '-';
    return p;
}

/* Values longer than value_cap lose their tail at a character boundary and end in "...". */
#define TD_VALUE_CAP_MAX 1024

static void put_escaped(struct out *o, const char *s, int json)
{
    char part[TD_VALUE_CAP_MAX + 4];
    s = s ? s : "";
    if (o->value_cap > 0 && o->value_cap <= TD_VALUE_CAP_MAX && strlen(s) > o->value_cap) {
        size_t k = o->value_cap;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
        memcpy(part, s, k);
        memcpy(part + k, "...", 4);
        s = part;
        o->shortened = 1;
    }
    if (o->len + 1 >= o->cap) {
        o->full = 1;
        return;
    }
    o->len += td_escape(o->buf + o->len, o->cap - o->len, s, json);
    if (o->len + 1 >= o->cap) o->full = 1;
}

/* JSON: "key":"escaped value" with a leading comma unless first. */
static void jstr(struct out *o, int *first, const char *key, const char *value)
{
    put(o, "%s\"%s\":", *first ? "" : ",", key);
    *first = 0;
    if (value == NULL) {
        put(o, "null");
        return;
    }
    put(o, "\"");
    put_escaped(o, value, 1);
    put(o, "\"");
}

static void jnum(struct out *o, int *first, const char *key, long value)
{
    put(o, "%s\"%s\":%ld", *first ? "" : ",", key, value);
    *first = 0;
}

static void jbool(struct out *o, int *first, const char *key, int value)
{
    put(o, "%s\"%s\":%s", *first ? "" : ",", key, value ? "true" : "false");
    *first = 0;
}

static void jopen(struct out *o, int *first, const char *key)
{
    put(o, "%s\"%s\":{", *first ? "" : ",", key);
    *first = 0;
}

const char *td_event_name(enum td_event e)
{
    switch (e) {
    case TD_EV_HANDSHAKE_OK: return "handshake_ok";
    case TD_EV_REPEAT_SUMMARY: return "repeat_summary";
    case TD_EV_RATE_LIMITED: return "rate_limited";
    default: return "handshake_failed";
    }
}

/* "key":[{"name":...,"count":N},...] */
static void json_tallies(struct out *o, int *first, const char *key, const struct td_tally *t,
                         int n)
{
    put(o, "%s\"%s\":[", *first ? "" : ",", key);
    *first = 0;
    for (int i = 0; i < n; i++) {
        int g = 1;
        put(o, "%s{", i ? "," : "");
        jstr(o, &g, "name", t[i].name);
        jnum(o, &g, "count", t[i].count);
        put(o, "}");
    }
    put(o, "]");
}

static void text_tallies(struct out *o, const char *label, const struct td_tally *t, int n)
{
    for (int i = 0; i < n; i++) {
        char name[sizeof(t[i].name) * 4];
        td_escape(name, sizeof(name), t[i].name, 0);
        put(o, TD_SAY_TALLY, i ? ", " : label, name, t[i].count);
    }
}

static const char *nonempty(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : NULL;
}

static const char *version_or_null(int v)
{
    return v ? td_version_name(v) : NULL;
}

static const char *hint_for(const struct td_report *r)
{
    if (r->cause == NULL || r->no_hint) return NULL;
    return td_cause_hint_column(r->cause, r->hint_column);
}

/* The driver's own TLS page for a driver's column, else the guide's section. */
static const char *guide_for(const struct td_report *r)
{
    const char *doc = r->hint_column >= 0 && r->hint_column < TD_HINT_COUNT
                          ? td_hint_doc_url[r->hint_column]
                          : NULL;
    return doc != NULL ? doc : td_sections[r->section].guide_url;
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void render_json(const struct td_report *r, struct out *o)
{
    char when[32], text[2048];
    int f = 1, g;
    const struct td_section_info *sec = &td_sections[r->section];

    td_rfc3339(r->now, when, sizeof(when));
    put(o, "{");
    jstr(o, &f, "schema", "tlsdiag/1");
    jstr(o, &f, "tlsdiag", TLSDIAG_VERSION);
    jstr(o, &f, "event", td_event_name(r->event));
    jstr(o, &f, "time", when);
    jnum(o, &f, "pid", (long)getpid());
    jstr(o, &f, "program", r->program);
    jstr(o, &f, "role", r->role == TD_ROLE_SERVER ? "server" : "client");
    jopen(o, &f, "peer");
    g = 1;
    jstr(o, &g, "host", nonempty(r->host));
    jstr(o, &g, "addr", nonempty(r->addr));
    put(o, "}");
    if (r->event == TD_EV_RATE_LIMITED) {
        jnum(o, &f, "count", r->repeat_count);
        jstr(o, &f, "of", td_event_name(r->held_event));
        jnum(o, &f, "rate_limit", r->aggregate ? r->aggregate->rate_limit : 0);
        jnum(o, &f, "rate_burst", r->aggregate ? r->aggregate->rate_burst : 0);
        put(o, "}\n");
        return;
    }
    if (r->event == TD_EV_REPEAT_SUMMARY) {
        const struct td_aggregate *a = r->aggregate;
        jnum(o, &f, "count", r->repeat_count);
        jstr(o, &f, "section", a && a->first_held_back ? NULL : sec->id);
        jstr(o, &f, "cause", r->cause ? r->cause->id : "unknown");
        if (a != NULL) {
            jbool(o, &f, "held_back", a->first_held_back);
            if (r->role == TD_ROLE_SERVER) {
                jopen(o, &f, "clients");
                g = 1;
                jnum(o, &g, "distinct", a->distinct_addrs);
                jbool(o, &g, "estimated", a->distinct_estimated);
                json_tallies(o, &g, "top", a->addrs, a->n_addrs);
                json_tallies(o, &g, "sni", a->snis, a->n_snis);
                put(o, "}");
            }
        }
        put(o, "}\n");
        return;
    }
    jopen(o, &f, "versions");
    g = 1;
    jstr(o, &g, "min", version_or_null(r->min_version));
    jstr(o, &g, "max", version_or_null(r->max_version));
    jstr(o, &g, "negotiated", version_or_null(r->negotiated));
    jstr(o, &g, "peer", version_or_null(r->peer_version));
    jstr(o, &g, "limit_source", nonempty(r->version_limit_source));
    put(o, "}");
    jstr(o, &f, "cipher", nonempty(r->cipher));
    if (r->alert_seen) {
        jopen(o, &f, "alert");
        g = 1;
        jstr(o, &g, "dir", r->alert_sent ? "sent" : "received");
        jstr(o, &g, "level", r->alert_level == SSL3_AL_FATAL ? "fatal" : "warning");
        jstr(o, &g, "desc", td_alert_name(r->alert_desc));
        jnum(o, &g, "code", r->alert_desc);
        put(o, "}");
    }
    jopen(o, &f, "verify");
    g = 1;
    jnum(o, &g, "code", r->verify_code);
    jstr(o, &g, "message", X509_verify_cert_error_string(r->verify_code));
    if (r->verify_code != X509_V_OK) {
        jnum(o, &g, "depth", r->verify_depth);
        if (r->vcert.present) {
            jstr(o, &g, "subject", r->vcert.subject);
            jstr(o, &g, "issuer", r->vcert.issuer);
            jstr(o, &g, "not_before", r->vcert.not_before);
            jstr(o, &g, "not_after", r->vcert.not_after);
            jstr(o, &g, "san", r->vcert.san);
        }
    }
    put(o, "}");
    jopen(o, &f, "ocsp");
    g = 1;
    jbool(o, &g, "requested", r->ocsp_requested);
    jbool(o, &g, "stapled", r->ocsp_stapled);
    if (r->ocsp_stapled) {
        jnum(o, &g, "length", r->ocsp_len);
        jstr(o, &g, "response_status", nonempty(r->ocsp.response_status_str));
        jstr(o, &g, "this_update", nonempty(r->ocsp.this_update));
        jstr(o, &g, "next_update", nonempty(r->ocsp.next_update));
        jstr(o, &g, "revocation_time", nonempty(r->ocsp.revocation_time));
        jstr(o, &g, "revocation_reason", nonempty(r->ocsp.revocation_reason));
    }
    jstr(o, &g, "cert_status", nonempty(r->ocsp.cert_status));
    put(o, "}");
    if (r->err != 0) {
        jopen(o, &f, "openssl_error");
        g = 1;
        jstr(o, &g, "reason", r->err_reason_str);
        jnum(o, &g, "code", r->err_reason);
        jnum(o, &g, "lib", r->err_lib);
        snprintf(text, sizeof(text), "%08lX", r->err);
        jstr(o, &g, "packed", text);
        put(o, "}");
    }
    jstr(o, &f, "state", nonempty(r->state));
    /* A success belongs to no guide section. */
    jstr(o, &f, "section", r->event == TD_EV_HANDSHAKE_OK ? NULL : sec->id);
    jstr(o, &f, "cause", r->cause ? r->cause->id : "unknown");
    if (r->cause != NULL && r->event == TD_EV_HANDSHAKE_FAILED) {
        expand(r, td_cause_summary(r->cause, r->summary_variant), text, sizeof(text));
        jstr(o, &f, "summary", text);
    }
    jopen(o, &f, "evidence");
    g = 1;
    for (int i = 0; i < r->n_evidence; i++)
        if (r->evidence[i].key[0] != '_') jstr(o, &g, r->evidence[i].key, r->evidence[i].value);
    put(o, "}");
    if (r->cause != NULL && r->event == TD_EV_HANDSHAKE_FAILED) {
        expand_fix(r, text, sizeof(text));
        jstr(o, &f, "fix", text);
        const char *hint = hint_for(r);
        if (hint != NULL) {
            expand(r, hint, text, sizeof(text));
            jstr(o, &f, "hint", text);
        }
    }
    if (r->event == TD_EV_HANDSHAKE_FAILED) jstr(o, &f, "guide_url", guide_for(r));
    if (o->shortened) jbool(o, &f, "shortened", 1);
    put(o, "}\n");
}

/* ---- text ------------------------------------------------------------------------------ */

static void text_field(struct out *o, const char *label, const char *value)
{
    put(o, "  %-9s ", label);
    put_escaped(o, value, 0);
    put(o, "\n");
}

static void render_text(const struct td_report *r, struct out *o)
{
    char text[2048];
    const struct td_section_info *sec = &td_sections[r->section];
    const char *role = r->role == TD_ROLE_SERVER ? "server" : "client";
    const char *toward = r->role == TD_ROLE_SERVER ? "from" : "to";

    if (r->event == TD_EV_RATE_LIMITED) {
        put(o, TD_SAY_RATE_LIMITED, r->repeat_count,
            r->held_event == TD_EV_HANDSHAKE_OK ? TD_SAY_HELD_TRACE : TD_SAY_HELD_FAILURES,
            r->aggregate ? r->aggregate->rate_limit : 0,
            r->aggregate ? r->aggregate->rate_burst : 0);
        return;
    }
    if (r->event == TD_EV_REPEAT_SUMMARY) {
        const struct td_aggregate *a = r->aggregate;
        int held = a != NULL && a->first_held_back;
        put(o, TD_SAY_REPEAT_LINE, held ? "-" : sec->id, r->cause ? r->cause->id : "unknown",
            toward);
        put_escaped(o, r->host[0] ? r->host : r->addr, 0);
        if (held)
            put(o, TD_SAY_HELD_BACK, r->repeat_count, r->repeat_count == 1 ? "" : "s",
                a->rate_limit, a->rate_burst);
        else put(o, TD_SAY_REPEATED, r->repeat_count, r->repeat_count == 1 ? "" : "s");
        if (a != NULL && r->role == TD_ROLE_SERVER) {
            put(o, TD_SAY_CLIENTS, a->distinct_estimated ? "about " : "", a->distinct_addrs,
                a->distinct_addrs == 1 ? "" : "es");
            text_tallies(o, TD_SAY_TOP_ADDRS, a->addrs, a->n_addrs);
            text_tallies(o, TD_SAY_TOP_SNIS, a->snis, a->n_snis);
        }
        put(o, "\n");
        return;
    }
    if (r->event == TD_EV_HANDSHAKE_OK) {
        /* A line per handshake in trace mode: escape first, then one formatted write. */
        char program[sizeof(r->program) * 4], host[TD_FIELD * 4], addr[sizeof(r->addr) * 4];
        td_escape(program, sizeof(program), r->program, 0);
        td_escape(host, sizeof(host), r->host[0] ? r->host : "-", 0);
        td_escape(addr, sizeof(addr), r->addr[0] ? r->addr : "-", 0);
        char code[24];
        const char *args[] = {
            program,
            role,
            toward,
            host,
            addr,
            td_version_name(r->negotiated),
            r->cipher[0] ? r->cipher : "-",
            decimal(r->verify_code, code),
            X509_verify_cert_error_string(r->verify_code),
            r->ocsp_stapled
                ? (r->ocsp.cert_status[0] ? r->ocsp.cert_status : TD_SAY_STAPLE_PRESENT)
                : (r->ocsp_requested ? TD_SAY_STAPLE_REQUESTED_NONE : TD_SAY_STAPLE_NOT_REQUESTED),
        };
        put_strings(o, TD_SAY_TRACE_LINE, args, sizeof(args) / sizeof(args[0]));
        for (int i = 0; i < r->n_evidence; i++) {
            if (strncmp(r->evidence[i].key, "warning", 7) != 0) continue;
            put(o, "  warning: ");
            put_escaped(o, r->evidence[i].value, 0);
            put(o, "\n");
        }
        return;
    }
    put(o, "tlsdiag: %s: ", sec->title);
    put_escaped(o, r->program, 0);
    put(o, " (%s) %s ", role, toward);
    put_escaped(o, r->host[0] ? r->host : "-", 0);
    if (r->addr[0]) {
        put(o, " [");
        put_escaped(o, r->addr, 0);
        put(o, "]");
    }
    put(o, "\n");
    if (r->cause != NULL) {
        expand(r, td_cause_summary(r->cause, r->summary_variant), text, sizeof(text));
        text_field(o, "what:", text);
    }
    int shown = 0;
    for (int i = 0; i < r->n_evidence; i++) {
        char label[64];
        if (r->evidence[i].key[0] == '_') continue; /* template-only values */
        snprintf(label, sizeof(label), "%s:", r->evidence[i].key);
        put(o, "  %-9s %-17s ", shown++ == 0 ? "evidence:" : "", label);
        put_escaped(o, r->evidence[i].value, 0);
        put(o, "\n");
    }
    put(o, "  %-9s %s / %s\n", "cause:", sec->id, r->cause ? r->cause->id : "unknown");
    if (r->cause != NULL) {
        expand_fix(r, text, sizeof(text));
        text_field(o, "fix:", text);
        const char *hint = hint_for(r);
        if (hint != NULL) {
            expand_as(r, hint, text, sizeof(text), 1);
            if (text[0] != '\0') put(o, "  %-9s %s\n", "also:", text);
        }
    }
    put(o, "  %-9s %s\n", "guide:", guide_for(r));
}

size_t td_render_dropped(long count, enum td_format format, char *buf, size_t cap)
{
    struct out o = { buf, cap, 0, 0, 0, 0 };
    char when[32];
    if (cap == 0) return 0;
    buf[0] = '\0';
    if (format == TD_FORMAT_JSON) {
        int f = 1;
        td_rfc3339(time(NULL), when, sizeof(when));
        put(&o, "{");
        jstr(&o, &f, "schema", "tlsdiag/1");
        jstr(&o, &f, "tlsdiag", TLSDIAG_VERSION);
        jstr(&o, &f, "event", "reports_dropped");
        jstr(&o, &f, "time", when);
        jnum(&o, &f, "pid", (long)getpid());
        jnum(&o, &f, "count", count);
        put(&o, "}\n");
    } else {
        put(&o, TD_SAY_DROPPED, count, count == 1 ? "" : "s",
            count == 1 ? TD_SAY_WAS : TD_SAY_WERE);
    }
    return o.len;
}

size_t td_render(const struct td_report *r, enum td_format format, char *buf, size_t cap)
{
    struct out o = { buf, cap, 0, 0, 0, 0 };
    if (cap == 0) return 0;
    buf[0] = '\0';
    if (format == TD_FORMAT_JSON) {
        /* JSON that does not fit is never cut: the long values are, until it fits. */
        static const size_t caps[] = { 0, TD_VALUE_CAP_MAX, 256, 64 };
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
            o = (struct out){ buf, cap, 0, caps[i], 0, 0 };
            render_json(r, &o);
            if (!o.full) break;
        }
    } else render_text(r, &o);
    /* A truncated line still ends the line, so the next one starts clean. */
    if (o.len > 0 && buf[o.len - 1] != '\n') {
        if (o.len + 1 >= cap) o.len = cap - 2;
        buf[o.len++] = '\n';
        buf[o.len] = '\0';
    }
    return o.len;
}
