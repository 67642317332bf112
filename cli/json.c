/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* json: see json.h. A recursive-descent parser over a byte range, depth bounded. */
#include <stdlib.h>
#include <string.h>
#include "json.h"

struct parser {
    struct json_doc *doc;
    const char *s, *end, *p;
    int depth;
};

static int fail(struct parser *ps, const char *why)
{
    if (ps->doc->error == NULL) {
        ps->doc->error = why;
        ps->doc->error_at = (size_t)(ps->p - ps->s);
    }
    return -1;
}

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int new_value(struct parser *ps, enum json_type type, int parent, const char *key)
{
    struct json_doc *d = ps->doc;
    if (d->n == d->cap) {
        int cap = d->cap ? d->cap * 2 : 64;
        struct json_value *v = realloc(d->v, (size_t)cap * sizeof(*v));
        if (v == NULL) return fail(ps, "out of memory");
        d->v = v;
        d->cap = cap;
    }
    struct json_value *v = &d->v[d->n];
    memset(v, 0, sizeof(*v));
    v->type = type;
    v->key = key;
    v->parent = parent;
    v->next = v->first = -1;
    return d->n++;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, at
 * most U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t n;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
    else return 0;
    if ((size_t)(end - p) < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A string at ps->p (on its opening quote), decoded into the doc's text. */
static const char *parse_string(struct parser *ps)
{
    struct json_doc *d = ps->doc;
    char *start = d->text + d->used, *o = start;
    ps->p++;
    for (;;) {
        if (ps->p >= ps->end) return fail(ps, "unterminated string"), NULL;
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') break;
        if (c < 0x20) return fail(ps, "control character in a string"), NULL;
        if (c != '\\') {
            size_t n = utf8_len((const unsigned char *)ps->p, (const unsigned char *)ps->end);
            if (n == 0) return fail(ps, "invalid UTF-8"), NULL;
            memcpy(o, ps->p, n);
            o += n;
            ps->p += n;
            continue;
        }
        if (ps->end - ps->p < 2) return fail(ps, "unterminated string"), NULL;
        char e = ps->p[1];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (e != '\0' && e != 'u' && simple != NULL) {
            *o++ = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            ps->p += 2;
            continue;
        }
        if (e != 'u') return fail(ps, "invalid escape"), NULL;
        unsigned cp, lo;
        if (ps->end - ps->p < 6 || !hex4(ps->p + 2, &cp))
            return fail(ps, "invalid \\u escape"), NULL;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(ps, "lone low surrogate"), NULL;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (ps->end - ps->p < 12 || ps->p[6] != '\\' || ps->p[7] != 'u' ||
                !hex4(ps->p + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return fail(ps, "high surrogate without its low half"), NULL;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            ps->p += 6;
        }
        if (cp == 0) return fail(ps, "\\u0000 in a string"), NULL;
        o = put_utf8(o, cp);
        ps->p += 6;
    }
    ps->p++;
    *o++ = '\0';
    d->used = (size_t)(o - d->text);
    return start;
}

static int is_digit(const struct parser *ps)
{
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

static int parse_number(struct parser *ps, int idx)
{
    const char *start = ps->p;
    char buf[64];
    if (ps->p < ps->end && *ps->p == '-') ps->p++;
    if (!is_digit(ps)) return fail(ps, "invalid number");
    if (*ps->p == '0') {
        ps->p++;
        if (is_digit(ps)) return fail(ps, "leading zero in a number");
    } else {
        while (is_digit(ps)) ps->p++;
    }
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (!is_digit(ps)) return fail(ps, "invalid fraction");
        while (is_digit(ps)) ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) ps->p++;
        if (!is_digit(ps)) return fail(ps, "invalid exponent");
        while (is_digit(ps)) ps->p++;
    }
    size_t n = (size_t)(ps->p - start);
    if (n >= sizeof(buf)) return fail(ps, "number too long");
    memcpy(buf, start, n);
    buf[n] = '\0';
    ps->doc->v[idx].num = strtod(buf, NULL);
    return idx;
}

static int parse_value(struct parser *ps, int parent, const char *key);

/* An object or array at ps->p (on its opening bracket). */
static int parse_container(struct parser *ps, int idx, char close)
{
    int last = -1;
    if (++ps->depth > JSON_MAX_DEPTH) return fail(ps, "nested too deeply");
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return idx;
    }
    for (;;) {
        const char *key = NULL;
        skip_ws(ps);
        if (close == '}') {
            if (ps->p >= ps->end || *ps->p != '"') return fail(ps, "expected a member name");
            if ((key = parse_string(ps)) == NULL) return -1;
            /* Two members of one name would let two readers see two different events. */
            for (int i = ps->doc->v[idx].first; i >= 0; i = ps->doc->v[i].next)
                if (!strcmp(ps->doc->v[i].key, key)) return fail(ps, "duplicate member name");
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') return fail(ps, "expected ':'");
            ps->p++;
        }
        int child = parse_value(ps, idx, key);
        if (child < 0) return -1;
        if (last < 0) ps->doc->v[idx].first = child;
        else ps->doc->v[last].next = child;
        last = child;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) break;
        return fail(ps, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
    ps->p++;
    ps->depth--;
    return idx;
}

static int literal(struct parser *ps, const char *word, enum json_type type, int parent,
                   const char *key)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "invalid literal");
    ps->p += n;
    return new_value(ps, type, parent, key);
}

static int parse_value(struct parser *ps, int parent, const char *key)
{
    int idx;
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, "expected a value");
    switch (*ps->p) {
    case '{':
    case '[':
        if ((idx = new_value(ps, *ps->p == '{' ? JSON_OBJECT : JSON_ARRAY, parent, key)) < 0)
            return -1;
        return parse_container(ps, idx, *ps->p == '{' ? '}' : ']');
    case '"': {
        const char *s = parse_string(ps);
        if (s == NULL || (idx = new_value(ps, JSON_STRING, parent, key)) < 0) return -1;
        ps->doc->v[idx].str = s;
        return idx;
    }
    case 't': return literal(ps, "true", JSON_TRUE, parent, key);
    case 'f': return literal(ps, "false", JSON_FALSE, parent, key);
    case 'n': return literal(ps, "null", JSON_NULL, parent, key);
    default:
        if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9')) return fail(ps, "expected a value");
        if ((idx = new_value(ps, JSON_NUMBER, parent, key)) < 0) return -1;
        return parse_number(ps, idx);
    }
}

int json_parse(struct json_doc *doc, const char *src, size_t len)
{
    struct parser ps = { doc, src, src + len, src, 0 };
    doc->n = 0;
    doc->used = 0;
    doc->error = NULL;
    doc->error_at = 0;
    /* A decoded string is never longer than its source, quotes included: len + 1 is enough. */
    if (doc->text_cap < len + 1) {
        char *t = realloc(doc->text, len + 1);
        if (t == NULL) return fail(&ps, "out of memory"), 0;
        doc->text = t;
        doc->text_cap = len + 1;
    }
    if (parse_value(&ps, -1, NULL) < 0) return 0;
    skip_ws(&ps);
    if (ps.p != ps.end) return fail(&ps, "text after the value"), 0;
    return 1;
}

void json_free(struct json_doc *doc)
{
    free(doc->v);
    free(doc->text);
    memset(doc, 0, sizeof(*doc));
}

int json_member(const struct json_doc *doc, int obj, const char *key)
{
    if (obj < 0 || obj >= doc->n || doc->v[obj].type != JSON_OBJECT) return -1;
    for (int i = doc->v[obj].first; i >= 0; i = doc->v[i].next)
        if (!strcmp(doc->v[i].key, key)) return i;
    return -1;
}

static int value_at(const struct json_doc *doc, int obj, const char *path)
{
    char step[64];
    while (obj >= 0) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(step)) return -1;
        memcpy(step, path, n);
        step[n] = '\0';
        obj = json_member(doc, obj, step);
        if (dot == NULL) return obj;
        path = dot + 1;
    }
    return -1;
}

const char *json_string_at(const struct json_doc *doc, int obj, const char *path)
{
    int i = value_at(doc, obj, path);
    return i >= 0 && doc->v[i].type == JSON_STRING ? doc->v[i].str : NULL;
}

int json_long_at(const struct json_doc *doc, int obj, const char *path, long min, long max,
                 long *out)
{
    int i = value_at(doc, obj, path);
    if (i < 0 || doc->v[i].type != JSON_NUMBER) return 0;
    double d = doc->v[i].num;
    if (!(d >= (double)min && d <= (double)max) || d != (double)(long)d) return 0;
    *out = (long)d;
    return 1;
}
