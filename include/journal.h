/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* journal: events as structured entries for systemd-journald, in its native protocol
 * (systemd.io/JOURNAL_NATIVE_PROTOCOL), spoken here without libsystemd. */
#ifndef TLSDIAG_JOURNAL_H
#define TLSDIAG_JOURNAL_H
#include <stddef.h>
#include "report.h"

/* Append the field KEY with vlen bytes of value to the entry of len bytes in buf: KEY=VALUE\n,
 * or, when the value holds a newline, KEY\n, its length as 64-bit little endian, the value and
 * \n. Returns the new length; cap + 1 when it does not fit (and every later call keeps that),
 * so a caller checks once, at the end. key must be a valid journal field name. */
size_t td_journal_field(char *buf, size_t cap, size_t len, const char *key, const char *value,
                        size_t vlen);

/* Send one entry to the journal socket (td_settings.path) without waiting: MESSAGE is text (a
 * text explanation, its lines kept), TLSDIAG_JSON is json (its one line), the other fields come
 * from r. r NULL: the notice that count earlier events were dropped. What cannot go is counted
 * with output.c's dropped events; errno is kept. */
void td_journal_send(const struct td_report *r, long count, int severity, const char *text,
                     size_t tlen, const char *json, size_t jlen);

#endif
