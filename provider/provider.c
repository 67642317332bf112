/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* provider: the OpenSSL entry point. tlsdiag offers no algorithms; it is a provider only
 * because that is how openssl.cnf loads code into every OpenSSL-using process. Init reads the
 * settings, and when tlsdiag is switched on, registers the handshake hooks. It always succeeds:
 * with Debian's config_diagnostics = 1 a failing provider would break all TLS in the host.
 *
 * Loaded by a libcrypto of another major than the one it was built against (a 3.x process given
 * the 4.x build, or the reverse, on a machine with both), its hooks would go into the library it
 * is linked to, not the one the process uses: it would run and explain nothing. So it first
 * compares the core's version with its own and, on a mismatch, stays inert with one warning. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include "phrases.h"
#include "hook.h"
#include "output.h"
#include "repeat.h"
#include "settings.h"

static OSSL_FUNC_provider_gettable_params_fn tlsdiag_gettable_params;
static OSSL_FUNC_provider_get_params_fn tlsdiag_get_params;
static OSSL_FUNC_provider_teardown_fn tlsdiag_teardown;

/* Init can run once per library context that loads the config; the hooks are per process. */
static pthread_mutex_t instances_lock = PTHREAD_MUTEX_INITIALIZER;
static int instances;
static int settings_resolved;
static int major_warned;
static char inert_core[64]; /* the other major's version, when we are inert */

static const OSSL_PARAM tlsdiag_param_types[] = {
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0), OSSL_PARAM_END
};

static const OSSL_PARAM *tlsdiag_gettable_params(void *provctx)
{
    return tlsdiag_param_types;
}

static int tlsdiag_get_params(void *provctx, OSSL_PARAM params[])
{
    static const char *const modes[] = { "off", "on", "trace" };
    static char buildinfo[160];
    OSSL_PARAM *p;

    if (inert_core[0] != '\0')
        snprintf(buildinfo, sizeof(buildinfo),
                 "tlsdiag %s, built against %s, inactive: this process runs OpenSSL %s",
                 TLSDIAG_VERSION, OPENSSL_VERSION_TEXT, inert_core);
    else
        snprintf(buildinfo, sizeof(buildinfo), "tlsdiag %s, built against %s, mode %s",
                 TLSDIAG_VERSION, OPENSSL_VERSION_TEXT, modes[td_settings.mode]);
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) != NULL &&
        !OSSL_PARAM_set_utf8_ptr(p, "tlsdiag: TLS handshake diagnostics"))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) != NULL &&
        !OSSL_PARAM_set_utf8_ptr(p, TLSDIAG_VERSION))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) != NULL &&
        !OSSL_PARAM_set_utf8_ptr(p, buildinfo))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) != NULL &&
        !OSSL_PARAM_set_int(p, 1))
        return 0;
    return 1;
}

static void tlsdiag_teardown(void *provctx)
{
    pthread_mutex_lock(&instances_lock);
    if (--instances == 0) {
        td_repeat_flush();
        td_hook_uninstall();
    }
    pthread_mutex_unlock(&instances_lock);
}

static const OSSL_DISPATCH tlsdiag_dispatch[] = {
    { OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))tlsdiag_gettable_params },
    { OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))tlsdiag_get_params },
    { OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))tlsdiag_teardown },
    { 0, NULL }
};

/* For a core of another major: its name and status only (openssl list -providers shows why). */
static const OSSL_DISPATCH inert_dispatch[] = {
    { OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))tlsdiag_gettable_params },
    { OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))tlsdiag_get_params },
    { 0, NULL }
};

/* The provider's own openssl.cnf keys (mode, output, ...) come through core_get_params. */
static void read_config(const OSSL_CORE_HANDLE *handle, OSSL_FUNC_core_get_params_fn *get,
                        const char *values[TD_KEY_COUNT])
{
    OSSL_PARAM params[TD_KEY_COUNT + 1];
    char *found[TD_KEY_COUNT] = { 0 };

    for (int k = 0; k < TD_KEY_COUNT; k++)
        params[k] = OSSL_PARAM_construct_utf8_ptr(td_key_names[k], &found[k], 0);
    params[TD_KEY_COUNT] = OSSL_PARAM_construct_end();
    if (get == NULL || !get(handle, params)) return;
    for (int k = 0; k < TD_KEY_COUNT; k++) values[k] = found[k];
}

/* The major version of the libcrypto that loaded us, from the core's own "openssl-version"
 * (not from a libcrypto function: with two majors in the process, a call could bind to either).
 * 0 when the core does not say. */
static long core_major(const OSSL_CORE_HANDLE *handle, OSSL_FUNC_core_get_params_fn *get,
                       char *text, size_t size)
{
    char *version = NULL;
    OSSL_PARAM params[2];

    params[0] = OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_CORE_VERSION, &version, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (get == NULL || !get(handle, params) || version == NULL) return 0;
    snprintf(text, size, "%s", version);
    return strtol(version, NULL, 10);
}

/* One warning per process, through the settings' warning path (stderr as it was at start). */
static void warn_major(const char *core_version, long major)
{
    char line[512];

    if (major_warned) return;
    major_warned = 1;
    snprintf(line, sizeof(line), TD_SAY_WARN_MAJOR, core_version, OPENSSL_VERSION_STR,
             OPENSSL_VERSION_TEXT, major);
    td_output_warning(line);
}

__attribute__((visibility("default"))) int OSSL_provider_init(const OSSL_CORE_HANDLE *handle,
                                                              const OSSL_DISPATCH *in,
                                                              const OSSL_DISPATCH **out,
                                                              void **provctx)
{
    OSSL_FUNC_core_get_params_fn *get_params = NULL;
    const char *config[TD_KEY_COUNT] = { 0 };

    for (; in != NULL && in->function_id != 0; in++)
        if (in->function_id == OSSL_FUNC_CORE_GET_PARAMS)
            get_params = OSSL_FUNC_core_get_params(in);

    char core_version[64] = "";
    long major = core_major(handle, get_params, core_version, sizeof(core_version));
    int inert = major != 0 && major != OPENSSL_VERSION_MAJOR;

    pthread_mutex_lock(&instances_lock);
    if (!settings_resolved) {
        td_output_init(); /* first: settings warnings go through it */
        read_config(handle, get_params, config);
        td_settings_resolve(&td_settings, config);
        settings_resolved = 1;
    }
    if (inert) {
        /* Nothing of libssl is touched and no hook registered: an empty provider. Off, it
         * would do nothing anyway, so it says nothing either. */
        snprintf(inert_core, sizeof(inert_core), "%s", core_version);
        if (td_settings.mode != TD_MODE_OFF) warn_major(core_version, major);
        pthread_mutex_unlock(&instances_lock);
        *out = inert_dispatch;
        *provctx = (void *)handle;
        return 1;
    }
    if (instances++ == 0 && td_settings.mode != TD_MODE_OFF) {
        td_output_prepare();
        td_hook_install();
    }
    pthread_mutex_unlock(&instances_lock);

    *out = tlsdiag_dispatch;
    *provctx = (void *)handle;
    return 1;
}
