/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* repeat: explain the first failure of a kind in full, count its repeats within a window,
 * and summarise them when the window ends or the process exits. */
#ifndef TLSDIAG_REPEAT_H
#define TLSDIAG_REPEAT_H
#include "report.h"

/* Returns 1 when r should be explained, 0 when it is a counted repeat, or held back by the
 * rate limit (then counted as well, and said in a summary). Decided from the facts
 * td_observe_local gathers (peer, error, alert, verify code), before any costly diagnosis.
 * May emit summaries of expired windows first, through td_emit. */
int td_repeat_admit(const struct td_report *r);
/* Keep the finished report of an admitted failure, for its window's summary. */
void td_repeat_remember(const struct td_report *r);
/* Close the windows whose time is up, if any is: called at every ClientHello, so a summary
 * comes when its window ends even if no failure follows. One relaxed load when none is open. */
void td_repeat_tick(void);
/* Returns 1 when a trace line may be written now, 0 when the rate limit holds it back (it is
 * counted, and said in a rate_limited event later). */
int td_repeat_trace_admit(void);
/* Emit summaries for every window that still has uncounted repeats. */
void td_repeat_flush(void);
void td_repeat_after_fork(void);

#endif
