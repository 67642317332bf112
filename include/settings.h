/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* settings: what TLSDIAG_* variables and the provider's config keys ask for. */
#ifndef TLSDIAG_SETTINGS_H
#define TLSDIAG_SETTINGS_H

enum td_mode { TD_MODE_OFF = 0, TD_MODE_ON = 1, TD_MODE_TRACE = 2 };
enum td_format { TD_FORMAT_TEXT = 0, TD_FORMAT_JSON = 1 };
enum td_sink { TD_SINK_STDERR = 0, TD_SINK_FILE = 1, TD_SINK_SYSLOG = 2, TD_SINK_JOURNAL = 3 };

struct td_settings {
    enum td_mode mode;
    enum td_format format;
    enum td_sink sink;
    char path[1024];       /* TD_SINK_FILE: the file; TD_SINK_SYSLOG: the socket */
    int repeat_window;     /* seconds; 0 explains every repeat */
    int syslog_facility;   /* LOG_USER, LOG_DAEMON, LOG_LOCAL0.. (already shifted, as syslog.h) */
    int rate_limit;        /* explanations per second, per process; 0: no limit */
    int rate_burst;        /* explanations allowed at once before rate_limit applies */
    char syslog_ident[33]; /* the TAG of each syslog message */
};

/* Names of the provider's openssl.cnf keys, in the order td_settings_resolve takes them. */
enum td_key {
    TD_KEY_MODE,
    TD_KEY_OUTPUT,
    TD_KEY_FORMAT,
    TD_KEY_REPEAT_WINDOW,
    TD_KEY_SYSLOG_FACILITY,
    TD_KEY_SYSLOG_IDENT,
    TD_KEY_RATE_LIMIT,
    TD_KEY_RATE_BURST,
    TD_KEY_COUNT
};
extern const char *const td_key_names[TD_KEY_COUNT];
extern const char *const td_env_names[TD_KEY_COUNT];

/* Resolve from the environment (secure_getenv, it wins) and the config values
 * (NULL where absent). A bad value warns once on stderr and keeps the default. */
void td_settings_resolve(struct td_settings *out, const char *const config[TD_KEY_COUNT]);

/* The settings in force for this process; mode is OFF until the provider is initialised. */
extern struct td_settings td_settings;

#endif
