/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* output: deliver finished lines to stderr, a file or syslog without ever blocking,
 * raising SIGPIPE, or writing into a descriptor the host has since reused. The sink is
 * chosen by the settings; what fd 2 is, is decided once, at td_output_init. */
#ifndef TLSDIAG_OUTPUT_H
#define TLSDIAG_OUTPUT_H
#include <stddef.h>

/* Remember what stderr is now, so a later reuse of fd 2 is noticed. Call once at init. */
void td_output_init(void);
/* A warning line for the user on stderr, if stderr is still the one we started with;
 * never raises SIGPIPE. */
void td_output_warning(const char *line);
/* Open a file sink now (after the settings are known), so that forked workers running as
 * another user inherit it; warns once if it cannot be opened. */
void td_output_prepare(void);
/* Write one or more complete lines, without ever waiting: what cannot go now is dropped and
 * counted. A file that cannot be written gives one warning. severity is syslog's (LOG_WARNING
 * for a failure), used by the syslog sink only. */
void td_output_write(const char *text, size_t len, int severity);
/* The largest event the sink takes whole, given the caller's own limit: syslog receivers cut
 * longer messages (rsyslog at 8 KB), so a JSON event must be rendered to fit. */
size_t td_output_event_cap(size_t wanted);
/* How many writes were dropped since the last call (and reset the count). */
long td_output_take_dropped(void);
/* Count n more writes as dropped: a sink of its own (journal.c) shares the one count. */
void td_output_count_dropped(long n);
/* The one warning about the sink, for what could not be done (errno err); later ones are
 * silent, whichever sink they come from. */
void td_output_warn_errno(const char *what, int err);
/* Send one whole message on a non-blocking socket (stream: it may take part of it), waiting
 * only a few short retries (at most 2 ms each) on a full queue; 0 when it went, else the
 * errno (EAGAIN: the queue stayed full). Never raises SIGPIPE. */
int td_output_send(int fd, int stream, const char *msg, size_t len);
/* Forget the open file after fork (the child reopens lazily). */
void td_output_after_fork(void);

#endif
