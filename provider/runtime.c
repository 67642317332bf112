/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* runtime: name the host program from its executable, and look for the TLS-using libraries a
 * fix can be given for (PyMongo, libmongoc, PHP's and Ruby's MongoDB drivers, pip) in its
 * mappings and command line. Only done when there is something to explain; never guessed from
 * nothing. Fixed buffers only. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "runtime.h"

static struct td_runtime_info info;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static unsigned cmdline_loaded;
static pthread_once_t cmdline_once = PTHREAD_ONCE_INIT;

static enum td_runtime kind_of(const char *prog)
{
    if (!strncmp(prog, "pypy", 4)) return TD_RT_PYPY;
    if (!strncmp(prog, "python", 6)) return TD_RT_PYTHON;
    if (!strcmp(prog, "curl")) return TD_RT_CURL;
    if (!strcmp(prog, "openssl")) return TD_RT_OPENSSL_CLI;
    if (!strcmp(prog, "node") || !strcmp(prog, "nodejs")) return TD_RT_NODE;
    if (!strncmp(prog, "ruby", 4)) return TD_RT_RUBY;
    if (!strncmp(prog, "php", 3)) return TD_RT_PHP;
    if (!strcmp(prog, "nginx")) return TD_RT_NGINX;
    return TD_RT_OTHER;
}

/* pip, pip3, pip3.11: the name of pip's console script. */
static int is_pip_script(const char *arg)
{
    const char *base = strrchr(arg, '/');
    base = base ? base + 1 : arg;
    if (strncmp(base, "pip", 3) != 0) return 0;
    for (const char *p = base + 3; *p != '\0'; p++)
        if ((*p < '0' || *p > '9') && *p != '.') return 0;
    return 1;
}

/* A Python running pip: `pip3 ...` (argv[0] python, argv[1] the script, or the script itself),
 * or `python3 [options] -m pip ...`. Only the first arguments are looked at. */
static void read_cmdline(void)
{
    if (info.kind != TD_RT_PYTHON && info.kind != TD_RT_PYPY) return;
    char buf[1024];
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = '\0';
    const char *a = buf, *end = buf + n;
    if (is_pip_script(a)) cmdline_loaded |= TD_LOADED_PIP; /* pip run as its own script */
    for (int i = 1; i < 8 && (a += strlen(a) + 1) < end; i++) {
        if (!strcmp(a, "-mpip")) cmdline_loaded |= TD_LOADED_PIP;
        if (!strcmp(a, "-m")) {
            a += strlen(a) + 1;
            if (a < end && !strcmp(a, "pip")) cmdline_loaded |= TD_LOADED_PIP;
            return;
        }
        if (!strcmp(a, "-c") || !strncmp(a, "-m", 2)) return;
        if (!strcmp(a, "-W") || !strcmp(a, "-X")) {
            a += strlen(a) + 1; /* the option's value */
            continue;
        }
        if (a[0] == '-') continue;
        if (is_pip_script(a)) cmdline_loaded |= TD_LOADED_PIP; /* python3 /usr/bin/pip3 */
        return;
    }
}

static void scan_maps(struct td_runtime_info *out)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) return;
    char line[1024];
    while (fgets(line, sizeof(line), f) != NULL) {
        const char *path = strchr(line, '/');
        if (path == NULL) continue;
        if (strstr(path, "/pymongo/") || strstr(path, "/bson/_cbson")) {
            out->pymongo = 1;
            out->loaded |= TD_LOADED_PYMONGO;
        }
        if (strstr(path, "/libmongoc-1.0.so") || strstr(path, "/libmongoc2"))
            out->loaded |= TD_LOADED_MONGOC;
        if (strstr(path, "/mongodb.so")) out->loaded |= TD_LOADED_PHP_MONGODB;
        if (strstr(path, "/bson_native.so")) out->loaded |= TD_LOADED_RUBY_BSON;
    }
    fclose(f);
}

static void detect(void)
{
    ssize_t n = readlink("/proc/self/exe", info.exe, sizeof(info.exe) - 1);
    if (n <= 0) strcpy(info.exe, "unknown");
    else info.exe[n] = '\0';
    const char *base = strrchr(info.exe, '/');
    snprintf(info.program, sizeof(info.program), "%s", base ? base + 1 : info.exe);
    info.kind = kind_of(info.program);
}

void td_runtime_get(struct td_runtime_info *out, int scan_modules)
{
    pthread_once(&once, detect);
    *out = info;
    if (!scan_modules) return;
    pthread_once(&cmdline_once, read_cmdline);
    out->loaded |= cmdline_loaded;
    /* curl, the openssl command, Node and nginx load no library that changes the fix. */
    if (out->kind == TD_RT_OTHER || out->kind == TD_RT_PYTHON || out->kind == TD_RT_PYPY ||
        out->kind == TD_RT_RUBY || out->kind == TD_RT_PHP)
        scan_maps(out);
}
