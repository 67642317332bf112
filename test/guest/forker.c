/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* forker: tlsdiag across fork(). check_fork.py reads the JSON lines both processes wrote.
 *
 * usage: forker EXTRA_OK
 * The parent fails the same handshake twice, so it holds one explained failure and one counted
 * repeat when it forks. The child then fails that handshake once more and completes one, and
 * exits through exit(), which runs every exit-time flush: if the child had inherited the parent's
 * repeat counts it would summarise them too, and if it shared the parent's window it would not
 * explain its own failure. Meanwhile the parent fails once more. Both also complete EXTRA_OK
 * handshakes at the same time, appending to the same file through the same inherited descriptor.
 * Prints "parent=PID child=PID"; exits 0 when the child exited 0 and no outcome was unplanned. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include "guestlib.h"

static SSL_CTX *server, *trusting, *distrusting;

static int run(int fail, const char *sni)
{
    struct gl_outcome o;
    gl_handshake(fail ? distrusting : trusting, server, sni, &o);
    int ok = o.client == GL_DONE && o.server == GL_DONE && o.app_data_ok;
    return fail ? o.client == GL_FAILED && o.server == GL_FAILED : ok;
}

int main(int argc, char **argv)
{
    int extra = argc > 1 ? atoi(argv[1]) : 0;
    struct gl_identity id;
    if (!gl_identity_new(&id) || (server = gl_server_ctx(&id)) == NULL ||
        (trusting = gl_client_ctx(id.cert, 0)) == NULL ||
        (distrusting = gl_client_ctx(NULL, 0)) == NULL)
        return 1;

    int planned = run(1, "fork.guest.test") && run(1, "fork.guest.test");
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        int child_planned = run(1, "fork.guest.test") && run(0, "child.guest.test");
        for (int i = 0; i < extra; i++) child_planned &= run(0, "child-extra.guest.test");
        exit(child_planned ? 0 : 1);
    }
    planned &= run(1, "fork.guest.test");
    for (int i = 0; i < extra; i++) planned &= run(0, "parent-extra.guest.test");
    int status = 0;
    if (waitpid(child, &status, 0) != child) return 1;
    printf("parent=%ld child=%ld child_status=%d\n", (long)getpid(), (long)child, status);
    SSL_CTX_free(server);
    SSL_CTX_free(trusting);
    SSL_CTX_free(distrusting);
    gl_identity_free(&id);
    return planned && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
