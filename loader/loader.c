/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* loader: a tlsdiag.so for a modules directory that several OpenSSL majors share. Debian's
 * libcrypto.so.3 and libcrypto.so.4 both look in /usr/lib/<arch>/ossl-modules, so a config that
 * names "tlsdiag.so" without a path reaches the same file from a 3.x and a 4.x process. This
 * module links no libcrypto: it asks the core that loaded it for its version (the core's
 * "openssl-version", through the core's own get_params) and hands over to the build made for
 * that major, tlsdiag/ossl<N>.so beside itself. When there is none it stays an empty provider and,
 * if tlsdiag is switched on, says so once. It always succeeds, like the provider itself. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>

typedef int provider_init_fn(const OSSL_CORE_HANDLE *, const OSSL_DISPATCH *,
                             const OSSL_DISPATCH **, void **);

static const OSSL_DISPATCH empty_dispatch[] = { { 0, NULL } };
static int warned;

static int switched_on(const char *mode)
{
    const char *env = secure_getenv("TLSDIAG");
    if (env != NULL) mode = env; /* the environment wins, as in settings.c */
    return mode != NULL && mode[0] != '\0' && strcmp(mode, "0") != 0 && strcmp(mode, "off") != 0;
}

__attribute__((visibility("default"))) int OSSL_provider_init(const OSSL_CORE_HANDLE *handle,
                                                              const OSSL_DISPATCH *in,
                                                              const OSSL_DISPATCH **out,
                                                              void **provctx)
{
    OSSL_FUNC_core_get_params_fn *get = NULL;
    char *version = NULL, *mode = NULL, path[PATH_MAX];
    /* Built by hand: OSSL_PARAM_construct_* would be a libcrypto call (SIZE_MAX: unmodified). */
    OSSL_PARAM params[] = { { OSSL_PROV_PARAM_CORE_VERSION, OSSL_PARAM_UTF8_PTR, &version, 0,
                              SIZE_MAX },
                            { "mode", OSSL_PARAM_UTF8_PTR, &mode, 0, SIZE_MAX },
                            { NULL, 0, NULL, 0, 0 } };
    Dl_info self;
    long major = 0;

    *out = empty_dispatch;
    *provctx = (void *)handle;
    for (const OSSL_DISPATCH *d = in; d != NULL && d->function_id != 0; d++)
        if (d->function_id == OSSL_FUNC_CORE_GET_PARAMS) get = OSSL_FUNC_core_get_params(d);
    if (get != NULL && get(handle, params) && version != NULL) major = strtol(version, NULL, 10);
    if (major <= 0 || !dladdr((void *)OSSL_provider_init, &self) || self.dli_fname == NULL)
        return 1;

    const char *slash = strrchr(self.dli_fname, '/');
    int dir_len = slash == NULL ? 1 : (int)(slash - self.dli_fname);
    snprintf(path, sizeof(path), "%.*s/tlsdiag/ossl%ld.so", dir_len,
             slash == NULL ? "." : self.dli_fname, major);

    void *build = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    provider_init_fn *init =
        build == NULL ? NULL : (provider_init_fn *)dlsym(build, "OSSL_provider_init");
    if (init != NULL) return init(handle, in, out, provctx); /* the build stays loaded */

    if (!warned && switched_on(mode)) {
        char line[PATH_MAX + 256];
        warned = 1;
        int n = snprintf(line, sizeof(line),
                         "tlsdiag: warning: no tlsdiag build for OpenSSL %ld is installed (%s%s); "
                         "tlsdiag is inactive here and the program runs unchanged.\n",
                         major, build == NULL ? dlerror() : path,
                         build == NULL ? "" : ": no OSSL_provider_init");
        if (n > 0)
            (void)!write(STDERR_FILENO, line,
                         (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    }
    if (build != NULL) dlclose(build);
    return 1;
}
