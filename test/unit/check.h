/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* check: the few assertion helpers the unit tests share. Each CHECK counts once; a failure
 * prints where and why and the program carries on, so one run shows every broken case. */
#ifndef TLSDIAG_TEST_CHECK_H
#define TLSDIAG_TEST_CHECK_H
#include <stdio.h>

static int checks_passed, checks_failed;

#define CHECK(cond, ...) \
    do { \
        if (cond) { \
            checks_passed++; \
        } else { \
            checks_failed++; \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__); \
            fputc('\n', stderr); \
        } \
    } while (0)

/* The one summary line `make unit` looks for; the exit status says the same. */
static int check_summary(const char *program)
{
    printf("%s: %d passed, %d failed\n", program, checks_passed, checks_failed);
    return checks_failed == 0 && checks_passed > 0 ? 0 : 1;
}

#endif
