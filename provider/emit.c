/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* emit: render a report in the configured format and hand it to the output, after the line
 * that says how many earlier ones could not be written, if any were dropped. */
#include <stdlib.h>
#include <syslog.h>
#include "emit.h"
#include "output.h"
#include "render.h"
#include "settings.h"

#define TD_RENDER_CAP 16384
#define TD_DROPPED_CAP 256

void td_emit(const struct td_report *r)
{
    char *buf = malloc(TD_DROPPED_CAP + TD_RENDER_CAP);
    if (buf == NULL) return;
    long dropped = td_output_take_dropped();
    size_t n =
        dropped > 0 ? td_render_dropped(dropped, td_settings.format, buf, TD_DROPPED_CAP) : 0;
    n += td_render(r, td_settings.format, buf + n, td_output_event_cap(TD_RENDER_CAP));
    int severity = r->event == TD_EV_HANDSHAKE_FAILED ? LOG_WARNING
                   : r->event == TD_EV_HANDSHAKE_OK   ? LOG_INFO
                                                      : LOG_NOTICE;
    if (n > 0) td_output_write(buf, n, severity);
    free(buf);
}
