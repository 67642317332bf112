/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* classify: decide the guide section and cause for a report, and add the evidence that proves
 * it. A pure function of the report (see include/observe.h for where its facts come from). */
#ifndef TLSDIAG_CLASSIFY_H
#define TLSDIAG_CLASSIFY_H
#include "report.h"

void td_classify(struct td_report *r);

#endif
