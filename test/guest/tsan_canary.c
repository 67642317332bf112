/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* tsan_canary: an unsynchronised counter shared by two threads. check-tsan runs it first and
 * requires ThreadSanitizer to report it: a silent TSan run proves nothing unless TSan can speak
 * on this machine (kernel, memory layout) with these flags. */
#include <pthread.h>
#include <stdio.h>

static long counter;

static void *bump(void *arg)
{
    for (int i = 0; i < 100000; i++) counter++;
    return arg;
}

int main(void)
{
    pthread_t a, b;
    pthread_create(&a, NULL, bump, NULL);
    pthread_create(&b, NULL, bump, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("%ld\n", counter);
    return 0;
}
