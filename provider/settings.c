/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* settings: turn TLSDIAG_* variables and the provider's config keys into td_settings.
 * The environment wins over the config. Every bad value warns once and keeps the default,
 * because a provider that fails would take every SSL_CTX_new in the process down with it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "phrases.h"
#include "output.h"
#include "render.h"
#include "settings.h"

/* Indexed by key: a key added to enum td_key must get its names here. A missing config name
 * ends the provider's OSSL_PARAM list early and silently drops the keys after it (that hid
 * rate_limit and rate_burst; check-repeat (d') reads them from a config). */
const char *const td_key_names[TD_KEY_COUNT] = {
    [TD_KEY_MODE] = "mode",
    [TD_KEY_OUTPUT] = "output",
    [TD_KEY_FORMAT] = "format",
    [TD_KEY_REPEAT_WINDOW] = "repeat_window",
    [TD_KEY_SYSLOG_FACILITY] = "syslog_facility",
    [TD_KEY_SYSLOG_IDENT] = "syslog_ident",
    [TD_KEY_RATE_LIMIT] = "rate_limit",
    [TD_KEY_RATE_BURST] = "rate_burst",
};
const char *const td_env_names[TD_KEY_COUNT] = {
    [TD_KEY_MODE] = "TLSDIAG",
    [TD_KEY_OUTPUT] = "TLSDIAG_OUTPUT",
    [TD_KEY_FORMAT] = "TLSDIAG_FORMAT",
    [TD_KEY_REPEAT_WINDOW] = "TLSDIAG_REPEAT_WINDOW",
    [TD_KEY_SYSLOG_FACILITY] = "TLSDIAG_SYSLOG_FACILITY",
    [TD_KEY_SYSLOG_IDENT] = "TLSDIAG_SYSLOG_IDENT",
    [TD_KEY_RATE_LIMIT] = "TLSDIAG_RATE_LIMIT",
    [TD_KEY_RATE_BURST] = "TLSDIAG_RATE_BURST",
};

#define DEFAULT_IDENT "tlsdiag"
#define DEFAULT_RATE 10
#define DEFAULT_BURST 50
struct td_settings td_settings = { .mode = TD_MODE_OFF,
                                   .repeat_window = 60,
                                   .rate_limit = DEFAULT_RATE,
                                   .rate_burst = DEFAULT_BURST,
                                   .syslog_facility = LOG_USER,
                                   .syslog_ident = DEFAULT_IDENT };

static const struct {
    const char *name;
    int facility;
} facilities[] = {
    { "user", LOG_USER },         { "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
    { "authpriv", LOG_AUTHPRIV }, { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
    { "local2", LOG_LOCAL2 },     { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
    { "local5", LOG_LOCAL5 },     { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static void warn_bad(const char *name, const char *value, const char *expected,
                     const char *fallback)
{
    char line[512], shown[300];
    /* The value came from outside: show it escaped. */
    td_escape(shown, sizeof(shown), value, 0);
    snprintf(line, sizeof(line), TD_SAY_WARN_SETTING, name, shown, expected, fallback);
    td_output_warning(line);
}

static int parse_mode(const char *v, enum td_mode *out)
{
    if (!strcmp(v, "") || !strcmp(v, "0") || !strcasecmp(v, "off")) *out = TD_MODE_OFF;
    else if (!strcmp(v, "1") || !strcasecmp(v, "on")) *out = TD_MODE_ON;
    else if (!strcasecmp(v, "trace")) *out = TD_MODE_TRACE;
    else return 0;
    return 1;
}

/* A socket's path must fit sockaddr_un's sun_path (108 bytes with its terminator). */
#define SOCKET_PATH_MAX 107

static int parse_output(const char *v, struct td_settings *s)
{
    if (!strcmp(v, "stderr")) s->sink = TD_SINK_STDERR;
    else if (!strcmp(v, "syslog")) {
        s->sink = TD_SINK_SYSLOG;
        strcpy(s->path, "/dev/log");
    } else if (!strncmp(v, "syslog:", 7) && v[7] == '/' && strlen(v + 7) <= SOCKET_PATH_MAX) {
        s->sink = TD_SINK_SYSLOG;
        strcpy(s->path, v + 7);
    } else if (!strcmp(v, "journal")) {
        s->sink = TD_SINK_JOURNAL;
        strcpy(s->path, "/run/systemd/journal/socket");
    } else if (!strncmp(v, "journal:", 8) && v[8] == '/' && strlen(v + 8) <= SOCKET_PATH_MAX) {
        s->sink = TD_SINK_JOURNAL;
        strcpy(s->path, v + 8);
    } else if (!strncmp(v, "file:", 5) && v[5] != '\0' && strlen(v + 5) < sizeof(s->path)) {
        s->sink = TD_SINK_FILE;
        strcpy(s->path, v + 5);
    } else return 0;
    return 1;
}

static int parse_facility(const char *v, int *out)
{
    for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
        if (!strcasecmp(v, facilities[i].name)) {
            *out = facilities[i].facility;
            return 1;
        }
    return 0;
}

/* The TAG of RFC 3164: printable ASCII without blanks, ':' or '[' that would end it early. */
static int parse_ident(const char *v, char *out, size_t cap)
{
    size_t n = strlen(v);
    if (n == 0 || n >= cap) return 0;
    for (size_t i = 0; i < n; i++)
        if (v[i] <= ' ' || v[i] > '~' || v[i] == ':' || v[i] == '[' || v[i] == ']') return 0;
    memcpy(out, v, n + 1);
    return 1;
}

static int parse_format(const char *v, enum td_format *out)
{
    if (!strcmp(v, "text")) *out = TD_FORMAT_TEXT;
    else if (!strcmp(v, "json")) *out = TD_FORMAT_JSON;
    else return 0;
    return 1;
}

static int parse_count(const char *v, long max, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < 0 || n > max) return 0;
    *out = (int)n;
    return 1;
}

void td_settings_resolve(struct td_settings *s, const char *const config[TD_KEY_COUNT])
{
    memset(s, 0, sizeof(*s));
    s->repeat_window = 60;
    s->syslog_facility = LOG_USER;
    s->rate_limit = DEFAULT_RATE;
    s->rate_burst = DEFAULT_BURST;
    strcpy(s->syslog_ident, DEFAULT_IDENT);
    for (int k = 0; k < TD_KEY_COUNT; k++) {
        /* secure_getenv: a setuid or setgid program must not be steered by its caller. */
        const char *v = secure_getenv(td_env_names[k]);
        const char *name = td_env_names[k];
        if (v == NULL && config != NULL && config[k] != NULL) {
            v = config[k];
            name = td_key_names[k];
        }
        if (v == NULL) continue;
        switch ((enum td_key)k) {
        case TD_KEY_MODE:
            if (!parse_mode(v, &s->mode)) warn_bad(name, v, "0, off, 1, on or trace", "off");
            break;
        case TD_KEY_OUTPUT:
            if (!parse_output(v, s))
                warn_bad(name, v,
                         "stderr, file:PATH, syslog, syslog:/SOCKET, journal or journal:/SOCKET",
                         "stderr");
            break;
        case TD_KEY_FORMAT:
            if (!parse_format(v, &s->format)) warn_bad(name, v, "text or json", "text");
            break;
        case TD_KEY_REPEAT_WINDOW:
            if (!parse_count(v, 86400, &s->repeat_window))
                warn_bad(name, v, "seconds from 0 to 86400", "60");
            break;
        case TD_KEY_SYSLOG_FACILITY:
            if (!parse_facility(v, &s->syslog_facility))
                warn_bad(name, v, "user, daemon, auth, authpriv or local0 to local7", "user");
            break;
        case TD_KEY_SYSLOG_IDENT:
            if (!parse_ident(v, s->syslog_ident, sizeof(s->syslog_ident)))
                warn_bad(name, v, "1 to 32 printable characters, no blank, ':', '[' or ']'",
                         DEFAULT_IDENT);
            break;
        case TD_KEY_RATE_LIMIT:
            if (!parse_count(v, 1000000, &s->rate_limit))
                warn_bad(name, v, "explanations per second, 0 (no limit) to 1000000", "10");
            break;
        case TD_KEY_RATE_BURST:
            if (!parse_count(v, 1000000, &s->rate_burst) || s->rate_burst < 1) {
                s->rate_burst = DEFAULT_BURST;
                warn_bad(name, v, "1 to 1000000", "50");
            }
            break;
        case TD_KEY_COUNT: break;
        }
    }
}
