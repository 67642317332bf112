/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* report: `tlsdiag report`, the fleet view. Reads the provider's JSON Lines events (schema
 * tlsdiag/1) from many hosts' files, as written by TLSDIAG_OUTPUT=file: or forwarded through
 * syslog (a line may carry a syslog prefix, whose host name is then the event's host), and
 * says which causes failed, how often, where, for whom and since when. Every string that came
 * from an event is escaped (td_escape) before it is printed. Memory is bounded: at most
 * MAX_CAUSES causes and MAX_NAMES names of each kind per cause are told apart; past a cap the
 * failures still count in the totals and the output says which cap was hit. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "common.h"
#include "json.h"
#include "util.h"

enum { MAX_CAUSES = 1000, MAX_NAMES = 1000, MAX_ENTRIES = 200000 };
enum { LINE_MAX_BYTES = 64 * 1024, NAME_MAX_BYTES = 256, TOP_MAX = 1000 };

/* What a name is counted as; KIND_HOST and KIND_PROGRAM also fleet-wide (cause NO_CAUSE). */
enum kind { KIND_PEER, KIND_HOST, KIND_PROGRAM, KIND_COUNT };
static const char *const kind_names[KIND_COUNT] = { "peers", "hosts", "programs" };
#define NO_CAUSE SIZE_MAX

struct entry {
    char *key; /* cause index, kind and name, the hash key */
    const char *name;
    size_t cause;
    enum kind kind;
    unsigned long long failures;
};

struct cause {
    char *section, *id;
    unsigned long long failures;
    time_t first, last;
    size_t distinct[KIND_COUNT];
};

struct tally {
    struct entry *e;
    size_t n, cap;
    size_t *slot; /* open addressing: index + 1 into e, 0 free */
    size_t nslots;
    struct cause *c;
    size_t nc, ccap;
    size_t fleet[KIND_COUNT]; /* distinct hosts and programs over every cause */
    unsigned long long failures, events, dropped, skipped, ignored;
    time_t first, last;
    int capped_causes, capped_names[KIND_COUNT], capped_entries;
    unsigned long long uncounted; /* failures of causes past MAX_CAUSES */
    char first_skip[128];
};

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Room in *array (of *cap items of size each) for item n, doubling it when full; 0 when out of
 * memory. */
static int room(size_t n, void **array, size_t *cap, size_t size)
{
    if (n < *cap) return 1;
    size_t more = *cap ? *cap * 2 : 64;
    void *bigger = realloc(*array, more * size);
    if (bigger == NULL) return 0;
    *array = bigger;
    *cap = more;
    return 1;
}

/* The entry for key (length len), created when new and may_create; NULL when it is not there
 * and may not be made (a cap, memory). */
static struct entry *lookup(struct tally *t, const char *key, size_t len, int may_create,
                            int *created)
{
    *created = 0;
    if (t->n * 2 >= t->nslots) {
        size_t nslots = t->nslots ? t->nslots * 2 : 1024;
        size_t *slot = calloc(nslots, sizeof(*slot));
        if (slot == NULL) return NULL;
        for (size_t i = 0; i < t->n; i++) {
            size_t s = hash(t->e[i].key, strlen(t->e[i].key)) & (nslots - 1);
            while (slot[s]) s = (s + 1) & (nslots - 1);
            slot[s] = i + 1;
        }
        free(t->slot);
        t->slot = slot;
        t->nslots = nslots;
    }
    size_t s = hash(key, len) & (t->nslots - 1);
    for (; t->slot[s]; s = (s + 1) & (t->nslots - 1)) {
        struct entry *e = &t->e[t->slot[s] - 1];
        if (!strncmp(e->key, key, len) && e->key[len] == '\0') return e;
    }
    if (!may_create) return NULL;
    if (t->n >= MAX_ENTRIES) {
        t->capped_entries = 1;
        return NULL;
    }
    if (!room(t->n, (void **)&t->e, &t->cap, sizeof(*t->e))) return NULL;
    struct entry *e = &t->e[t->n];
    if ((e->key = strndup(key, len)) == NULL) return NULL;
    t->slot[s] = ++t->n;
    *created = 1;
    return e;
}

/* A name as stored: at most NAME_MAX_BYTES, a longer one cut and marked with "...". */
static void clip_name(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n < NAME_MAX_BYTES) {
        memcpy(dst, src, n + 1);
    } else {
        memcpy(dst, src, NAME_MAX_BYTES - 4);
        memcpy(dst + NAME_MAX_BYTES - 4, "...", 4);
    }
}

static void count_name(struct tally *t, size_t cause, enum kind kind, const char *name,
                       unsigned long long n)
{
    char key[NAME_MAX_BYTES + 64], clipped[NAME_MAX_BYTES];
    size_t *distinct = cause == NO_CAUSE ? &t->fleet[kind] : &t->c[cause].distinct[kind];
    int created;
    clip_name(clipped, name);
    int len = snprintf(key, sizeof(key), "%zu/%d/%s", cause == NO_CAUSE ? 0 : cause + 1, (int)kind,
                       clipped);
    /* At the cap only names already known are counted. */
    struct entry *e = lookup(t, key, (size_t)len, *distinct < MAX_NAMES, &created);
    if (e == NULL) {
        t->capped_names[kind] = 1;
        return;
    }
    if (created) {
        e->name = strchr(strchr(e->key, '/') + 1, '/') + 1;
        e->cause = cause;
        e->kind = kind;
        e->failures = 0;
        (*distinct)++;
    }
    e->failures += n;
}

static struct cause *find_cause(struct tally *t, const char *section, const char *id)
{
    char key[2 * NAME_MAX_BYTES + 8], a[NAME_MAX_BYTES], b[NAME_MAX_BYTES];
    int created;
    clip_name(a, section);
    clip_name(b, id);
    int len = snprintf(key, sizeof(key), "c/%s/%s", a, b);
    /* At the cap known causes still count; a new one only in the totals. */
    struct entry *e = lookup(t, key, (size_t)len, t->nc < MAX_CAUSES, &created);
    if (e == NULL) {
        if (t->nc >= MAX_CAUSES) t->capped_causes = 1;
        return NULL;
    }
    if (!created) return &t->c[e->cause];
    if (!room(t->nc, (void **)&t->c, &t->ccap, sizeof(*t->c))) return NULL;
    struct cause *c = &t->c[t->nc];
    memset(c, 0, sizeof(*c));
    c->section = strdup(a);
    c->id = strdup(b);
    if (c->section == NULL || c->id == NULL) {
        free(c->section);
        free(c->id);
        return NULL;
    }
    e->name = e->key;
    e->cause = t->nc++;
    e->kind = KIND_COUNT; /* a cause's own entry, never listed as a name */
    return c;
}

/* RFC 3339 (date-time) as seconds since the epoch; 0 when s is not one. */
static int parse_rfc3339(const char *s, time_t *out)
{
    struct tm tm = { 0 };
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
        (s[10] != 'T' && s[10] != 't'))
        return 0;
    s += 11;
    if (sscanf(s, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3 || n != 8) return 0;
    s += 8;
    if (*s == '.') {
        if (s[1] < '0' || s[1] > '9') return 0;
        for (s++; *s >= '0' && *s <= '9'; s++) continue;
    }
    long offset = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        int oh, om;
        if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 || oh > 23 || om > 59) return 0;
        offset = (oh * 3600L + om * 60L) * (*s == '-' ? -1 : 1);
        s += 6;
    } else {
        return 0;
    }
    if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = timegm(&tm) - offset;
    return 1;
}

/* --since: RFC 3339, or N followed by s, m, h or d (that long ago). */
static int parse_since(const char *s, time_t *out)
{
    char *end;
    if (parse_rfc3339(s, out)) return 1;
    if (*s < '0' || *s > '9') return 0;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    long unit = !strcmp(end, "s")   ? 1
                : !strcmp(end, "m") ? 60
                : !strcmp(end, "h") ? 3600
                : !strcmp(end, "d") ? 86400
                                    : 0;
    if (unit == 0 || errno != 0 || n > 100000ULL * 86400 / (unsigned long long)unit) return 0;
    *out = time(NULL) - (time_t)(n * (unsigned long long)unit);
    return 1;
}

static size_t token(const char *p)
{
    return strcspn(p, " ");
}

/* A syslog-forwarded line: the start of its message, with the host name (or "" when the prefix
 * has none, as in syslog(3)'s local format) copied to host; NULL when line has no prefix this
 * knows. RFC 5424 ("<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG"), and BSD syslog / rsyslog /
 * journalctl files ("[<PRI>]Mmm dd hh:mm:ss HOST TAG: MSG", or an RFC 3339 timestamp). */
static const char *syslog_message(const char *p, char *host, size_t cap)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *h = NULL;
    size_t hl = 0, n;
    host[0] = '\0';
    if (*p == '<') {
        n = strspn(p + 1, "0123456789");
        if (n < 1 || n > 3 || p[1 + n] != '>') return NULL;
        p += n + 2;
    }
    if (p[0] == '1' && p[1] == ' ') {
        p += 2;
        for (int field = 0; field < 5; field++) { /* timestamp, host, app, procid, msgid */
            if ((n = token(p)) == 0 || p[n] != ' ') return NULL;
            if (field == 1 && !(n == 1 && *p == '-')) h = p, hl = n;
            p += n + 1;
        }
        if (*p == '-') {
            p++;
        } else {
            if (*p != '[') return NULL;
            while (*p == '[') { /* SD-ELEMENTs: "]" inside a quoted value is escaped */
                int quoted = 0;
                for (p++; *p && (quoted || *p != ']'); p++) {
                    if (*p == '\\' && quoted && p[1]) p++;
                    else if (*p == '"') quoted = !quoted;
                }
                if (*p++ != ']') return NULL;
            }
        }
        if (*p++ != ' ') return NULL;
        if (!strncmp(p, "\xEF\xBB\xBF", 3)) p += 3; /* the BOM RFC 5424 allows before MSG */
    } else {
        char month[4] = { 0 };
        if (strnlen(p, 16) == 16) memcpy(month, p, 3);
        const char *m = month[0] ? strstr(months, month) : NULL;
        if (m != NULL && (m - months) % 3 == 0 && p[3] == ' ' &&
            (p[4] == ' ' || (p[4] >= '0' && p[4] <= '3')) && p[5] >= '0' && p[5] <= '9' &&
            p[6] == ' ' && strspn(p + 7, "0123456789:") == 8 && p[15] == ' ') {
            p += 16;
        } else if (p[0] >= '0' && p[0] <= '9' && (n = token(p)) > 0 && p[n] == ' ') {
            char ts[64];
            time_t ignored;
            if (n >= sizeof(ts)) return NULL;
            memcpy(ts, p, n);
            ts[n] = '\0';
            if (!parse_rfc3339(ts, &ignored)) return NULL;
            p += n + 1;
        } else {
            return NULL;
        }
        /* HOST TAG: or, in the local format, TAG: alone. A message forwarded as RFC 5424 and
         * written in rsyslog's file format has a TAG without its colon ("tlsdiag[42] {...}"). */
        if ((n = token(p)) == 0 || p[n] != ' ') return NULL;
        if (p[n - 1] != ':') {
            h = p, hl = n;
            p += n + 1;
            if ((n = token(p)) == 0 || p[n] != ' ' || (p[n - 1] != ':' && p[n + 1] != '{'))
                return NULL;
        }
        p += n + 1;
    }
    if (h != NULL) snprintf(host, cap, "%.*s", (int)(hl < cap ? hl : cap - 1), h);
    return p;
}

static void skip(struct tally *t, const char *where, long line)
{
    if (t->skipped++ == 0) snprintf(t->first_skip, sizeof(t->first_skip), "%s:%ld", where, line);
}

static const char *or_dash(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "-";
}

/* One line; default_host names the host when the line has no syslog prefix. */
static void take_line(struct tally *t, struct json_doc *doc, const char *line, size_t len,
                      const char *default_host, const char *where, long lineno, time_t since,
                      int has_since)
{
    char prefix_host[NAME_MAX_BYTES];
    const char *json = line + strspn(line, " \t");
    prefix_host[0] = '\0';
    if (*json != '{' && (json = syslog_message(line, prefix_host, sizeof(prefix_host))) == NULL)
        return skip(t, where, lineno);
    if (!json_parse(doc, json, len - (size_t)(json - line))) return skip(t, where, lineno);
    const char *schema = json_string_at(doc, 0, "schema"), *event = json_string_at(doc, 0, "event");
    const char *when = json_string_at(doc, 0, "time");
    time_t at;
    if (schema == NULL || strcmp(schema, "tlsdiag/1") != 0 || event == NULL || when == NULL ||
        !parse_rfc3339(when, &at))
        return skip(t, where, lineno);
    long count = 1;
    int failure = !strcmp(event, "handshake_failed"), summary = !strcmp(event, "repeat_summary");
    int dropped = !strcmp(event, "reports_dropped");
    const char *section = json_string_at(doc, 0, "section"), *id = json_string_at(doc, 0, "cause");
    if ((summary || dropped) && !json_long_at(doc, 0, "count", 1, 1L << 40, &count))
        return skip(t, where, lineno);
    if ((failure || summary) && (section == NULL || id == NULL)) return skip(t, where, lineno);
    if (has_since && at < since) return;
    t->events++;
    if (t->events == 1 || at < t->first) t->first = at;
    if (t->events == 1 || at > t->last) t->last = at;
    if (dropped) {
        t->dropped += (unsigned long long)count;
        return;
    }
    if (!failure && !summary) {
        t->ignored++; /* handshake_ok (trace mode), or a kind added later */
        return;
    }
    const char *host = prefix_host[0] ? prefix_host : json_string_at(doc, 0, "host");
    const char *program = or_dash(json_string_at(doc, 0, "program"));
    const char *peer = json_string_at(doc, 0, "peer.host");
    if (peer == NULL || peer[0] == '\0') peer = json_string_at(doc, 0, "peer.addr");
    host = or_dash(host != NULL && host[0] != '\0' ? host : default_host);
    peer = or_dash(peer);
    t->failures += (unsigned long long)count;
    count_name(t, NO_CAUSE, KIND_HOST, host, (unsigned long long)count);
    count_name(t, NO_CAUSE, KIND_PROGRAM, program, (unsigned long long)count);
    struct cause *c = find_cause(t, section, id);
    if (c == NULL) {
        t->uncounted += (unsigned long long)count;
        return;
    }
    size_t ci = (size_t)(c - t->c);
    if (c->failures == 0 || at < c->first) c->first = at;
    if (c->failures == 0 || at > c->last) c->last = at;
    c->failures += (unsigned long long)count;
    count_name(t, ci, KIND_PEER, peer, (unsigned long long)count);
    count_name(t, ci, KIND_HOST, host, (unsigned long long)count);
    count_name(t, ci, KIND_PROGRAM, program, (unsigned long long)count);
}

/* A line of at most LINE_MAX_BYTES into buf (NUL bytes kept, the newline dropped): its length,
 * or -1 at the end of the input. *too_long says the rest of a longer line was thrown away. */
static long read_line(FILE *in, char *buf, int *too_long)
{
    long len = 0;
    int c;
    *too_long = 0;
    while ((c = getc_unlocked(in)) != EOF && c != '\n') {
        if (len < LINE_MAX_BYTES) buf[len++] = (char)c;
        else *too_long = 1;
    }
    if (c == EOF && len == 0 && !*too_long) return -1;
    if (len > 0 && buf[len - 1] == '\r') len--;
    buf[len] = '\0';
    return len;
}

/* The host a plain file's events come from: its basename without the last extension. */
static void host_of_file(const char *path, char *host, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(host, cap, "%.*s", (int)(n < cap ? n : cap - 1), base);
}

static int read_input(struct tally *t, struct json_doc *doc, char *buf, const char *path,
                      time_t since, int has_since)
{
    int std = !strcmp(path, "-"), too_long;
    FILE *in = std ? stdin : fopen(path, "re");
    char host[NAME_MAX_BYTES];
    long len, lineno = 0;
    if (in == NULL) {
        cli_error("report", "cannot read %s: %s", path, strerror(errno));
        return 0;
    }
    if (std) snprintf(host, sizeof(host), "stdin");
    else host_of_file(path, host, sizeof(host));
    while ((len = read_line(in, buf, &too_long)) >= 0) {
        lineno++;
        if (too_long) skip(t, std ? "stdin" : path, lineno);
        else if (buf[strspn(buf, " \t")] != '\0') /* blank lines are not events, nor wrong */
            take_line(t, doc, buf, (size_t)len, host, std ? "stdin" : path, lineno, since,
                      has_since);
    }
    int ok = !ferror(in);
    if (!ok) cli_error("report", "error reading %s", path);
    if (!std) fclose(in);
    return ok;
}

/* Sorting: causes by failures, most first, then by name; names the same way. */
static struct tally *sorting;

static int by_failures(unsigned long long a, unsigned long long b)
{
    return a < b ? 1 : a > b ? -1 : 0;
}

static int cause_order(const void *a, const void *b)
{
    const struct cause *x = &sorting->c[*(const size_t *)a], *y = &sorting->c[*(const size_t *)b];
    int r = by_failures(x->failures, y->failures);
    if (r == 0) r = strcmp(x->section, y->section);
    return r ? r : strcmp(x->id, y->id);
}

static int entry_order(const void *a, const void *b)
{
    const struct entry *x = *(const struct entry *const *)a, *y = *(const struct entry *const *)b;
    size_t cx = x->cause + 1, cy = y->cause + 1; /* NO_CAUSE + 1 == 0: the fleet's first */
    if (cx != cy) return cx < cy ? -1 : 1;
    if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
    int r = by_failures(x->failures, y->failures);
    return r ? r : strcmp(x->name, y->name);
}

/* What the output shows, in its order. */
struct view {
    const size_t *order;  /* causes */
    struct entry **names; /* names, sorted by entry_order */
    size_t n;
    size_t top;
    int has_since;
    time_t since;
};

/* The names of one cause (or the fleet) and kind, sorted: a range of the sorted names. */
struct names {
    struct entry **e;
    size_t n;
};

static struct names names_of(const struct view *v, size_t cause, enum kind kind)
{
    struct names r = { NULL, 0 };
    for (size_t i = 0; i < v->n; i++) {
        if (v->names[i]->cause != cause || v->names[i]->kind != kind) continue;
        if (r.e == NULL) r.e = &v->names[i];
        r.n++;
    }
    return r;
}

static void print_escaped(const char *s)
{
    char buf[NAME_MAX_BYTES * 6 + 1];
    td_escape(buf, sizeof(buf), s, 0);
    fputs(buf, stdout);
}

static void print_time(time_t t)
{
    char when[32];
    td_rfc3339(t, when, sizeof(when));
    fputs(when, stdout);
}

static const char *plural(unsigned long long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void print_names(const char *label, struct names names, size_t top, int capped)
{
    printf("  %-9s ", label);
    for (size_t i = 0; i < names.n && i < top; i++) {
        if (i) fputs(", ", stdout);
        print_escaped(names.e[i]->name);
        printf(" (%llu)", names.e[i]->failures);
    }
    if (names.n > top) {
        unsigned long long rest = 0;
        for (size_t i = top; i < names.n; i++) rest += names.e[i]->failures;
        printf("%s%zu more (%llu)", top ? ", " : "", names.n - top, rest);
    }
    fputs(capped ? ", more not told apart\n" : "\n", stdout);
}

static void print_text(const struct tally *t, const struct view *v)
{
    printf("%stlsdiag report:%s ", term_on(SGR_BOLD), term_off());
    if (t->failures == 0) {
        fputs("no failures", stdout);
    } else {
        printf("%llu %s in %zu %s%s, %zu %s%s, %zu %s%s", t->failures,
               plural(t->failures, "failure", "failures"), t->nc + (t->capped_causes != 0),
               plural(t->nc, "cause", "causes"), t->capped_causes ? "+" : "", t->fleet[KIND_HOST],
               plural(t->fleet[KIND_HOST], "host", "hosts"), t->capped_names[KIND_HOST] ? "+" : "",
               t->fleet[KIND_PROGRAM], plural(t->fleet[KIND_PROGRAM], "program", "programs"),
               t->capped_names[KIND_PROGRAM] ? "+" : "");
    }
    if (t->events > 0) {
        fputs(", ", stdout);
        print_time(t->first);
        printf(" %s ", glyph(GLYPH_ARROW));
        print_time(t->last);
    }
    if (v->has_since) {
        fputs(" (events since ", stdout);
        print_time(v->since);
        fputs(")", stdout);
    }
    fputs("\n", stdout);
    if (t->dropped) printf("  not seen: %llu dropped (reports_dropped)\n", t->dropped);
    if (t->capped_causes)
        printf("  over %d causes: %llu failures of the others counted in the total only\n",
               MAX_CAUSES, t->uncounted);
    for (int k = 0; k < KIND_COUNT; k++)
        if (t->capped_names[k])
            printf("  over %d %s for one cause (or the fleet): the rest are not told apart\n",
                   MAX_NAMES, kind_names[k]);
    if (t->capped_entries)
        printf("  over %d names in all: later ones are not told apart\n", MAX_ENTRIES);
    for (size_t i = 0; i < t->nc; i++) {
        const struct cause *c = &t->c[v->order[i]];
        fputs("\n", stdout);
        fputs(term_on(SGR_BOLD), stdout);
        print_escaped(c->section);
        fputs(" / ", stdout);
        print_escaped(c->id);
        fputs(term_off(), stdout);
        printf(": %llu %s, %zu %s, %zu %s\n", c->failures,
               plural(c->failures, "failure", "failures"), c->distinct[KIND_HOST],
               plural(c->distinct[KIND_HOST], "host", "hosts"), c->distinct[KIND_PROGRAM],
               plural(c->distinct[KIND_PROGRAM], "program", "programs"));
        fputs("  since     ", stdout);
        print_time(c->first);
        fputs(", last ", stdout);
        print_time(c->last);
        fputs("\n", stdout);
        print_names("peers:", names_of(v, v->order[i], KIND_PEER), v->top, 0);
        print_names("programs:", names_of(v, v->order[i], KIND_PROGRAM), MAX_NAMES, 0);
        print_names("hosts:", names_of(v, v->order[i], KIND_HOST), v->top, 0);
    }
}

static void json_time(const char *key, time_t t, int known)
{
    char when[32];
    td_rfc3339(t, when, sizeof(when));
    if (known) printf(",\"%s\":\"%s\"", key, when);
    else printf(",\"%s\":null", key);
}

static void json_names(const char *key, struct names names, size_t top)
{
    printf(",\"%s\":[", key);
    for (size_t i = 0; i < names.n && i < top; i++) {
        printf("%s{\"name\":", i ? "," : "");
        json_string(stdout, names.e[i]->name);
        printf(",\"failures\":%llu}", names.e[i]->failures);
    }
    printf("]");
}

static void print_json(const struct tally *t, const struct view *v)
{
    printf("{\"schema\":\"tlsdiag-report/1\",\"tlsdiag\":\"%s\",\"failures\":%llu,"
           "\"dropped\":%llu,\"events\":%llu,\"skipped_lines\":%llu,\"causes_total\":%zu,"
           "\"hosts\":%zu,\"programs\":%zu",
           TLSDIAG_VERSION, t->failures, t->dropped, t->events, t->skipped, t->nc,
           t->fleet[KIND_HOST], t->fleet[KIND_PROGRAM]);
    json_time("first", t->first, t->events > 0);
    json_time("last", t->last, t->events > 0);
    json_time("since", v->since, v->has_since);
    printf(",\"top\":%zu,\"capped\":[", v->top);
    int f = 1;
    if (t->capped_causes) printf("%s\"causes\"", f ? "" : ","), f = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        if (t->capped_names[k]) printf("%s\"%s\"", f ? "" : ",", kind_names[k]), f = 0;
    if (t->capped_entries) printf("%s\"names\"", f ? "" : ","), f = 0;
    printf("],\"uncounted\":%llu", t->uncounted);
    json_names("host_list", names_of(v, NO_CAUSE, KIND_HOST), MAX_NAMES);
    json_names("program_list", names_of(v, NO_CAUSE, KIND_PROGRAM), MAX_NAMES);
    printf(",\"causes\":[");
    for (size_t i = 0; i < t->nc; i++) {
        const struct cause *c = &t->c[v->order[i]];
        printf("%s{\"section\":", i ? "," : "");
        json_string(stdout, c->section);
        printf(",\"cause\":");
        json_string(stdout, c->id);
        printf(",\"failures\":%llu,\"hosts\":%zu,\"programs\":%zu,\"peers\":%zu", c->failures,
               c->distinct[KIND_HOST], c->distinct[KIND_PROGRAM], c->distinct[KIND_PEER]);
        json_time("first", c->first, 1);
        json_time("last", c->last, 1);
        json_names("top_peers", names_of(v, v->order[i], KIND_PEER), v->top);
        json_names("program_list", names_of(v, v->order[i], KIND_PROGRAM), MAX_NAMES);
        json_names("host_list", names_of(v, v->order[i], KIND_HOST), MAX_NAMES);
        printf("}");
    }
    printf("]}\n");
}

static void report_usage(FILE *out)
{
    fputs("usage: tlsdiag report [--json] [--since TIME] [--top N] [FILE...]\n"
          "\n"
          "Sum up the provider's JSON Lines events (TLSDIAG_FORMAT=json, schema tlsdiag/1) from\n"
          "many hosts' files, or stdin when no FILE is given or FILE is -: which causes failed,\n"
          "how often (a repeat_summary counts its count), on how many hosts and programs, since\n"
          "when, and the peers that failed most. A line may carry a syslog prefix (BSD syslog,\n"
          "rsyslog or journalctl files, RFC 5424); its host name is then the host, else the\n"
          "file's name without its extension (logs/web1.jsonl is web1). Lines that are not\n"
          "tlsdiag/1 events are skipped and counted on stderr.\n"
          "\n"
          "  --json         one JSON object (schema tlsdiag-report/1) instead of text\n"
          "  --since TIME   only events at or after TIME: RFC 3339 (2026-12-02T03:00:00Z) or\n"
          "                 a time ago (90s, 30m, 1h, 2d)\n"
          "  --top N        list the N peers and hosts that failed most per cause (default 3)\n"
          "  -h, --help     this text\n"
          "\n"
          "exit status: 0 when the input holds no failures, 1 when it holds some (dropped\n"
          "reports alone are not failures), 2 on a usage error or a FILE that cannot be read.\n",
          out);
}

static void tally_free(struct tally *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->e[i].key);
    for (size_t i = 0; i < t->nc; i++) {
        free(t->c[i].section);
        free(t->c[i].id);
    }
    free(t->e);
    free(t->slot);
    free(t->c);
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "since", required_argument, NULL, 's' },
        { "top", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { COLOR_LONGOPT },
        { NULL, 0, NULL, 0 },
    };
    int json = 0, has_since = 0, c;
    time_t since = 0;
    size_t top = 3;
    char *end;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 's':
            if (!parse_since(optarg, &since)) {
                cli_error("report",
                          "--since wants RFC 3339 (2026-12-02T03:00:00Z) or a time ago "
                          "(30m, 1h, 2d), not '%s'",
                          optarg);
                return CLI_USAGE;
            }
            has_since = 1;
            break;
        case 't':
            errno = 0;
            top = strtoul(optarg, &end, 10);
            if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || errno || top > TOP_MAX) {
                cli_error("report", "--top wants a number from 0 to %d, not '%s'", TOP_MAX, optarg);
                return CLI_USAGE;
            }
            break;
        case 'h': report_usage(stdout); return CLI_OK;
        case OPT_COLOR:
            if (!term_color_option("report", optarg)) return CLI_USAGE;
            break;
        case ':':
            cli_error("report", "option '%s' needs a value", argv[optind - 1]);
            return CLI_USAGE;
        default:
            cli_error("report", "unknown option '%s'", argv[optind - 1]);
            report_usage(stderr);
            return CLI_USAGE;
        }
    }
    struct tally t = { 0 };
    struct json_doc doc = { 0 };
    char *buf = malloc(LINE_MAX_BYTES + 1);
    int ok = buf != NULL;
    if (optind >= argc) ok = ok && read_input(&t, &doc, buf, "-", since, has_since);
    for (int i = optind; ok && i < argc; i++)
        ok = read_input(&t, &doc, buf, argv[i], since, has_since);
    free(buf);
    json_free(&doc);
    size_t *order = malloc((t.nc + 1) * sizeof(*order));
    struct entry **sorted = malloc((t.n + 1) * sizeof(*sorted));
    if (!ok || order == NULL || sorted == NULL) {
        if (ok) cli_error("report", "out of memory");
        free(order);
        free(sorted);
        tally_free(&t);
        return CLI_USAGE;
    }
    if (t.skipped)
        cli_error("report", "skipped %llu %s that %s not tlsdiag/1 events (the first: %s)",
                  t.skipped, plural(t.skipped, "line", "lines"), plural(t.skipped, "is", "are"),
                  t.first_skip);
    sorting = &t;
    for (size_t i = 0; i < t.nc; i++) order[i] = i;
    qsort(order, t.nc, sizeof(*order), cause_order);
    struct view v = { order, sorted, 0, top, has_since, since };
    for (size_t i = 0; i < t.n; i++)
        if (t.e[i].kind != KIND_COUNT) sorted[v.n++] = &t.e[i];
    qsort(sorted, v.n, sizeof(*sorted), entry_order);
    if (json) print_json(&t, &v);
    else print_text(&t, &v);
    int status = t.failures > 0 ? CLI_FAILED : CLI_OK;
    free(order);
    free(sorted);
    tally_free(&t);
    return status;
}
