/* repeat: explain the first failure of a kind in full, count its repeats within a window,
 * and summarise them when the window ends or the process exits. */
#ifndef TLSDIAG_REPEAT_H
#define TLSDIAG_REPEAT_H
#include "report.h"

/* Returns 1 when r should be explained, 0 when it is a counted repeat. May emit summaries
 * of expired windows first, through td_emit. */
int td_repeat_admit(const struct td_report *r);
/* Emit summaries for every window that still has uncounted repeats. */
void td_repeat_flush(void);
void td_repeat_after_fork(void);

#endif
