/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* render: a td_report as text for people or as one JSON Lines object for machines. */
#ifndef TLSDIAG_RENDER_H
#define TLSDIAG_RENDER_H
#include <stddef.h>
#include "report.h"
#include "settings.h"

/* Renders into buf (NUL-terminated, truncated safely); returns the length written. */
size_t td_render(const struct td_report *r, enum td_format format, char *buf, size_t cap);

/* The line that says how many reports could not be written (see output.h). */
size_t td_render_dropped(long count, enum td_format format, char *buf, size_t cap);

/* The JSON name of an event ("handshake_failed", "repeat_summary", ...). */
const char *td_event_name(enum td_event e);

#endif
