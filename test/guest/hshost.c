/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* hshost: a small TLS host whose outcome a test can compare with tlsdiag on and off.
 *
 * usage: hshost [options] STEP...
 *   STEP: ok | ok12 | fail | fail12 | pause, optionally repeated as STEP*N
 *     ok/ok12      a handshake the client trusts (any version / at most TLS 1.2)
 *     fail/fail12  a handshake the client does not trust
 *     pause        print "paused", wait for a line on stdin (lets a test act mid-run)
 *   --config PATH        load this openssl.cnf explicitly, not through OPENSSL_CONF (a setuid
 *                        program ignores OPENSSL_CONF, and so would never load tlsdiag)
 *   --sigpipe-handler    count SIGPIPEs with a handler instead of dying of them
 *   --open-before PATH   open PATH as a data file before OpenSSL (and tlsdiag) start
 *   --open-after PATH    the same, once tlsdiag has started
 *   --secrets PATH       write the server key (PEM) and every TLS secret (key log lines) there
 *   --bulky-cert         the server's certificate has long, escape-filled names (big reports)
 *   --print-ids          print the real and effective user ids first (proves a setuid run)
 *
 * Prints "outcome=" with one letter per handshake (O succeeded, F failed: the client's view,
 * which is what the host's user sees) and exits 0 when every handshake went as planned. A data
 * file must read back exactly as written, or the exit status is 4. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include "guestlib.h"

#define DATA_TEXT "host data: tlsdiag must never write here\n"

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
    sigpipes++;
}

static int open_data(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, DATA_TEXT, strlen(DATA_TEXT)) != (ssize_t)strlen(DATA_TEXT)) {
        perror(path);
        exit(1);
    }
    return fd;
}

static int data_intact(int fd)
{
    char buf[4096];
    ssize_t n = pread(fd, buf, sizeof(buf), 0);
    return n == (ssize_t)strlen(DATA_TEXT) && memcmp(buf, DATA_TEXT, (size_t)n) == 0;
}

int main(int argc, char **argv)
{
    const char *config = NULL, *before = NULL, *after = NULL, *secrets = NULL;
    int argi = 1, bulky = 0;
    for (; argi < argc && strncmp(argv[argi], "--", 2) == 0; argi++) {
        const char *opt = argv[argi];
        if (!strcmp(opt, "--sigpipe-handler")) {
            signal(SIGPIPE, on_sigpipe);
            continue;
        }
        if (!strcmp(opt, "--bulky-cert")) {
            bulky = 1;
            continue;
        }
        if (!strcmp(opt, "--print-ids")) {
            printf("ruid=%ld euid=%ld\n", (long)getuid(), (long)geteuid());
            continue;
        }
        if (argi + 1 >= argc) {
            fprintf(stdout, "hshost: %s needs a value\n", opt);
            return 2;
        }
        const char *value = argv[++argi];
        if (!strcmp(opt, "--config")) config = value;
        else if (!strcmp(opt, "--open-before")) before = value;
        else if (!strcmp(opt, "--open-after")) after = value;
        else if (!strcmp(opt, "--secrets")) secrets = value;
        else {
            fprintf(stdout, "hshost: unknown option %s\n", opt);
            return 2;
        }
    }

    int data_fd = before != NULL ? open_data(before) : -1;

    OPENSSL_INIT_SETTINGS *settings = OPENSSL_INIT_new();
    if (config != NULL) OPENSSL_INIT_set_config_filename(settings, config);
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, settings)) return 1;
    OPENSSL_INIT_free(settings);

    if (after != NULL) data_fd = open_data(after);

    struct gl_identity id;
    SSL_CTX *server = NULL, *trusting[2], *distrusting[2];
    if (!(bulky ? gl_identity_new_bulky(&id) : gl_identity_new(&id)) ||
        (server = gl_server_ctx(&id)) == NULL)
        return 1;
    for (int v = 0; v < 2; v++) {
        trusting[v] = gl_client_ctx(id.cert, v ? TLS1_2_VERSION : 0);
        distrusting[v] = gl_client_ctx(NULL, v ? TLS1_2_VERSION : 0);
        if (trusting[v] == NULL || distrusting[v] == NULL) return 1;
    }
    FILE *secrets_file = NULL;
    if (secrets != NULL) {
        secrets_file = fopen(secrets, "w");
        if (secrets_file == NULL ||
            !PEM_write_PrivateKey(secrets_file, id.key, NULL, NULL, 0, NULL, NULL))
            return 1;
        fflush(secrets_file);
        gl_log_secrets(server, secrets_file);
        for (int v = 0; v < 2; v++) {
            gl_log_secrets(trusting[v], secrets_file);
            gl_log_secrets(distrusting[v], secrets_file);
        }
    }

    char outcome[4096];
    size_t n_outcome = 0;
    int as_planned = 1;
    for (int s = argi; s < argc; s++) {
        char step[32];
        int times = 1;
        snprintf(step, sizeof(step), "%s", argv[s]);
        char *star = strchr(step, '*');
        if (star != NULL) {
            *star = '\0';
            times = atoi(star + 1);
        }
        for (int i = 0; i < times; i++) {
            if (!strcmp(step, "pause")) {
                char line[16];
                printf("paused\n");
                fflush(stdout);
                if (fgets(line, sizeof(line), stdin) == NULL) return 1;
                continue;
            }
            int want_fail = !strncmp(step, "fail", 4);
            int tls12 = strstr(step, "12") != NULL;
            if (!want_fail && strncmp(step, "ok", 2) != 0) {
                printf("hshost: unknown step %s\n", step);
                return 2;
            }
            struct gl_outcome o;
            gl_handshake(want_fail ? distrusting[tls12] : trusting[tls12], server,
                         "host.guest.test", &o);
            int ok = o.client == GL_DONE && o.server == GL_DONE && o.app_data_ok;
            if (ok == want_fail) as_planned = 0;
            if (n_outcome + 1 < sizeof(outcome)) outcome[n_outcome++] = ok ? 'O' : 'F';
        }
    }
    outcome[n_outcome] = '\0';
    printf("outcome=%s\n", outcome);

    int status = as_planned ? 0 : 1;
    if (data_fd >= 0) {
        int intact = data_intact(data_fd);
        printf("data_fd=%d data_intact=%d\n", data_fd, intact);
        if (!intact) status = 4;
    }
    if (sigpipes > 0) {
        printf("sigpipe_handler_calls=%d\n", (int)sigpipes);
        status = 3;
    }
    fflush(stdout);
    for (int v = 0; v < 2; v++) {
        SSL_CTX_free(trusting[v]);
        SSL_CTX_free(distrusting[v]);
    }
    SSL_CTX_free(server);
    gl_identity_free(&id);
    if (secrets_file != NULL) fclose(secrets_file);
    return status;
}
