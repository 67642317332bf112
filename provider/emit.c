/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* emit: render a report in the configured format and hand it to the output, after the line
 * that says how many earlier ones could not be written, if any were dropped. */
#include <stdlib.h>
#include <syslog.h>
#include "emit.h"
#include "journal.h"
#include "output.h"
#include "render.h"
#include "settings.h"

#define TD_RENDER_CAP 16384
#define TD_DROPPED_CAP 256

/* Room for either use: the journal's two renderings, or a dropped-count line and an event. */
static struct td_spare render_spare = { NULL, 2 * TD_RENDER_CAP };
_Static_assert(TD_DROPPED_CAP <= TD_RENDER_CAP, "a dropped-count line and an event fit");

/* journald takes fields, not lines: the text explanation for people and the JSON beside it,
 * whatever the format setting says. buf holds two renderings. */
static void emit_journal(const struct td_report *r, int severity, char *buf)
{
    char *json = buf + TD_RENDER_CAP;
    long dropped = td_output_take_dropped();
    if (dropped > 0) {
        size_t tn = td_render_dropped(dropped, TD_FORMAT_TEXT, buf, TD_DROPPED_CAP);
        size_t jn = td_render_dropped(dropped, TD_FORMAT_JSON, json, TD_DROPPED_CAP);
        td_journal_send(NULL, dropped, LOG_NOTICE, buf, tn, json, jn);
    }
    size_t tn = td_render(r, TD_FORMAT_TEXT, buf, TD_RENDER_CAP);
    size_t jn = td_render(r, TD_FORMAT_JSON, json, TD_RENDER_CAP);
    td_journal_send(r, 0, severity, buf, tn, json, jn);
}

void td_emit(const struct td_report *r)
{
    int journal = td_settings.sink == TD_SINK_JOURNAL;
    char *buf = td_spare_take(&render_spare);
    if (buf == NULL) return;
    int severity = r->event == TD_EV_HANDSHAKE_FAILED ? LOG_WARNING
                   : r->event == TD_EV_HANDSHAKE_OK   ? LOG_INFO
                                                      : LOG_NOTICE;
    if (journal) {
        emit_journal(r, severity, buf);
        td_spare_give(&render_spare, buf);
        return;
    }
    long dropped = td_output_take_dropped();
    size_t n =
        dropped > 0 ? td_render_dropped(dropped, td_settings.format, buf, TD_DROPPED_CAP) : 0;
    n += td_render(r, td_settings.format, buf + n, td_output_event_cap(TD_RENDER_CAP));
    if (n > 0) td_output_write(buf, n, severity);
    td_spare_give(&render_spare, buf);
}
