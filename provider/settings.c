/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* settings: turn TLSDIAG_* variables and the provider's config keys into td_settings.
 * The environment wins over the config. Every bad value warns once and keeps the default,
 * because a provider that fails would take every SSL_CTX_new in the process down with it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "phrases.h"
#include "output.h"
#include "render.h"
#include "settings.h"

const char *const td_key_names[TD_KEY_COUNT] = { "mode", "output", "format", "repeat_window" };
const char *const td_env_names[TD_KEY_COUNT] = { "TLSDIAG", "TLSDIAG_OUTPUT", "TLSDIAG_FORMAT",
                                                 "TLSDIAG_REPEAT_WINDOW" };

struct td_settings td_settings = { .mode = TD_MODE_OFF, .repeat_window = 60 };

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

static int parse_output(const char *v, struct td_settings *s)
{
    if (!strcmp(v, "stderr")) s->sink = TD_SINK_STDERR;
    else if (!strcmp(v, "syslog")) s->sink = TD_SINK_SYSLOG;
    else if (!strncmp(v, "file:", 5) && v[5] != '\0' && strlen(v + 5) < sizeof(s->path)) {
        s->sink = TD_SINK_FILE;
        strcpy(s->path, v + 5);
    } else return 0;
    return 1;
}

static int parse_format(const char *v, enum td_format *out)
{
    if (!strcmp(v, "text")) *out = TD_FORMAT_TEXT;
    else if (!strcmp(v, "json")) *out = TD_FORMAT_JSON;
    else return 0;
    return 1;
}

static int parse_window(const char *v, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < 0 || n > 86400) return 0;
    *out = (int)n;
    return 1;
}

void td_settings_resolve(struct td_settings *s, const char *const config[TD_KEY_COUNT])
{
    memset(s, 0, sizeof(*s));
    s->repeat_window = 60;
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
            if (!parse_output(v, s)) warn_bad(name, v, "stderr, file:PATH or syslog", "stderr");
            break;
        case TD_KEY_FORMAT:
            if (!parse_format(v, &s->format)) warn_bad(name, v, "text or json", "text");
            break;
        case TD_KEY_REPEAT_WINDOW:
            if (!parse_window(v, &s->repeat_window))
                warn_bad(name, v, "seconds from 0 to 86400", "60");
            break;
        case TD_KEY_COUNT: break;
        }
    }
}
