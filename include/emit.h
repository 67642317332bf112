/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* emit: the one path from a finished report to the output (render, then write). */
#ifndef TLSDIAG_EMIT_H
#define TLSDIAG_EMIT_H
#include "report.h"

void td_emit(const struct td_report *r);

#endif
