/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* sk_fd2: a daemon that, once OpenSSL (and tlsdiag) have started, closes fd 2 and opens its own
 * append-only data file (O_WRONLY|O_APPEND, exactly what `2>>file` would give), which becomes
 * fd 2. tlsdiag decided what fd 2 was at start-up: it must never write into this file.
 *
 * usage: sk_fd2 PATH BEFORE AFTER
 *   BEFORE failing handshakes while fd 2 is still what the host was started with, then the
 *   swap, then AFTER failing handshakes with the data file on fd 2.
 *
 * Prints "outcome=" (one F per failed handshake, O per success) and "data_fd=N data_intact=0|1";
 * exits 0 when every handshake failed as planned and the file holds exactly what the daemon
 * wrote, 4 when the file holds anything else, 1 on a handshake surprise. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include "guestlib.h"

#define REC1 "daemon record 1: tlsdiag must never write here\n"
#define REC2 "daemon record 2: written after the handshakes\n"

static int put(int fd, const char *s)
{
    return write(fd, s, strlen(s)) == (ssize_t)strlen(s);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        printf("usage: sk_fd2 PATH BEFORE AFTER\n");
        return 2;
    }
    const char *path = argv[1];
    int before = atoi(argv[2]), after = atoi(argv[3]);

    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, NULL)) return 1;
    struct gl_identity id;
    SSL_CTX *server, *client;
    if (!gl_identity_new(&id) || (server = gl_server_ctx(&id)) == NULL ||
        (client = gl_client_ctx(NULL, 0)) == NULL)
        return 1;

    char outcome[512];
    size_t n = 0;
    int as_planned = 1, data_fd = -1;
    for (int i = 0; i < before + after; i++) {
        if (i == before) {
            close(STDERR_FILENO);
            data_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0644);
            if (data_fd < 0 || !put(data_fd, REC1)) {
                printf("sk_fd2: cannot open %s\n", path);
                return 1;
            }
        }
        struct gl_outcome o;
        gl_handshake(client, server, "daemon.guest.test", &o);
        int ok = o.client == GL_DONE && o.server == GL_DONE && o.app_data_ok;
        if (ok) as_planned = 0;
        if (n + 1 < sizeof(outcome)) outcome[n++] = ok ? 'O' : 'F';
    }
    outcome[n] = '\0';
    printf("outcome=%s\n", outcome);

    int intact = 0;
    if (data_fd >= 0 && put(data_fd, REC2)) {
        char buf[8192];
        int rfd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t got = rfd >= 0 ? read(rfd, buf, sizeof(buf)) : -1;
        intact = got == (ssize_t)strlen(REC1 REC2) && memcmp(buf, REC1 REC2, (size_t)got) == 0;
        if (rfd >= 0) close(rfd);
    }
    printf("data_fd=%d data_intact=%d\n", data_fd, intact);
    fflush(stdout);
    SSL_CTX_free(client);
    SSL_CTX_free(server);
    gl_identity_free(&id);
    return !intact ? 4 : as_planned ? 0 : 1;
}
