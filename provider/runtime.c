/* runtime: name the host program from its executable, and look for PyMongo and pyOpenSSL in
 * its mappings. Only done when there is something to explain; never guessed from nothing. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "runtime.h"

static struct td_runtime_info info;
static pthread_once_t once = PTHREAD_ONCE_INIT;

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

static void scan_maps(struct td_runtime_info *out)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL) return;
    char line[512];
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, "/pymongo/") || strstr(line, "/bson/_cbson")) out->pymongo = 1;
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
    if (scan_modules && (out->kind == TD_RT_PYTHON || out->kind == TD_RT_PYPY)) scan_maps(out);
}
