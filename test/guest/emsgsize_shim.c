/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* emsgsize_shim: an LD_PRELOAD library that makes send() of more than EMSGSIZE_OVER bytes on a
 * datagram socket fail with EMSGSIZE, as a small net.core.wmem_default would, so that a test
 * reaches the journal sink's memfd path without changing the machine's limits for everyone.
 * (Visible by name: the build hides symbols by default.) */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

__attribute__((visibility("default"))) ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    static ssize_t (*real)(int, const void *, size_t, int);
    const char *over = getenv("EMSGSIZE_OVER");
    int type = 0;
    socklen_t tl = sizeof(type);
    if (over != NULL && len > strtoul(over, NULL, 10) &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_DGRAM) {
        errno = EMSGSIZE;
        return -1;
    }
    if (real == NULL) real = (ssize_t(*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
    return real(fd, buf, len, flags);
}
