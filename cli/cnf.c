/* cnf: find tlsdiag's own openssl.cnf and, when the caller already has an OPENSSL_CONF (or the
 * host is Node), write a small config that .includes it and adds the provider. The shape of
 * what is added follows tools/gen-cnf.sh: OpenSSL merges a re-opened [section] into the one
 * already read, so we only add keys the included file does not set, and its ssl_conf policy
 * stays in force. Unlike the script we read the included file with OpenSSL's own parser, so
 * .include directives and $ENV:: references inside it resolve exactly as the host will. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include "common.h"
#include "cnf.h"

#ifndef TLSDIAG_DATADIR
#define TLSDIAG_DATADIR "/usr/local/share/tlsdiag"
#endif

static int file_readable(const char *path)
{
    return access(path, R_OK) == 0;
}

static void set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* Build tree first (build/tlsdiag next to build/tlsdiag.so and build/openssl.cnf), then an
 * install relative to the executable (bin/../share/tlsdiag, so a DESTDIR copy or a moved
 * prefix still finds its own files), then the prefix compiled in. */
static int find_own(char *out, size_t cap)
{
    char dir[PATH_MAX], probe[PATH_MAX + 64];
    if (self_dir(dir, sizeof(dir))) {
        snprintf(probe, sizeof(probe), "%s/tlsdiag.so", dir);
        if (file_readable(probe)) {
            snprintf(probe, sizeof(probe), "%s/openssl.cnf", dir);
            if (file_readable(probe) && (size_t)snprintf(out, cap, "%s", probe) < cap) return 1;
        }
        snprintf(probe, sizeof(probe), "%s/../share/tlsdiag/openssl.cnf", dir);
        if (file_readable(probe) && realpath(probe, out) != NULL) return 1;
    }
    snprintf(probe, sizeof(probe), "%s/openssl.cnf", TLSDIAG_DATADIR);
    if (file_readable(probe) && (size_t)snprintf(out, cap, "%s", probe) < cap) return 1;
    return 0;
}

/* The value of key in exactly this section. NCONF_get_string would fall back to [default],
 * which is not what OpenSSL's module loader does for these keys. */
static const char *section_value(CONF *conf, const char *section, const char *key)
{
    STACK_OF(CONF_VALUE) *values = NCONF_get_section(conf, section);
    const char *found = NULL;
    for (int i = 0; values != NULL && i < sk_CONF_VALUE_num(values); i++) {
        CONF_VALUE *v = sk_CONF_VALUE_value(values, i);
        if (v->name != NULL && !strcmp(v->name, key)) found = v->value;
    }
    return found;
}

struct cnf_shape {
    char init[256];                /* openssl_conf's section, "" when the file has none */
    char providers[256];           /* the init section's providers section, "" when none */
    int providers_listed;          /* entries in the providers section */
    int has_default;               /* a provider entry named default */
    char tlsdiag_module[PATH_MAX]; /* module of an entry that is tlsdiag, "" when none */
    int has_tlsdiag;
    int has_nodejs_conf;
};

static int is_tlsdiag_entry(CONF *conf, const char *name, const char *section, char *module,
                            size_t cap)
{
    const char *m = section_value(conf, section, "module");
    const char *base = m ? strrchr(m, '/') : NULL;
    base = base ? base + 1 : m;
    if (m != NULL && strcmp(base, "tlsdiag.so") != 0) return 0;
    if (m == NULL && strcmp(name, "tlsdiag") != 0) return 0;
    snprintf(module, cap, "%s", m ? m : "");
    return 1;
}

static int read_shape(const char *path, struct cnf_shape *s, char *err, size_t errcap)
{
    long line = -1;
    CONF *conf = NCONF_new(NULL);
    memset(s, 0, sizeof(*s));
    if (conf == NULL || NCONF_load(conf, path, &line) <= 0) {
        unsigned long e = ERR_peek_last_error();
        const char *why =
            e && ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unreadable";
        if (line > 0) set_err(err, errcap, "cannot read %s line %ld: %s", path, line, why);
        else set_err(err, errcap, "cannot read %s: %s", path, why);
        NCONF_free(conf);
        ERR_clear_error();
        return 0;
    }
    const char *init = section_value(conf, "default", "openssl_conf");
    s->has_nodejs_conf = section_value(conf, "default", "nodejs_conf") != NULL;
    if (init != NULL) {
        snprintf(s->init, sizeof(s->init), "%s", init);
        const char *providers = section_value(conf, init, "providers");
        if (providers != NULL) {
            snprintf(s->providers, sizeof(s->providers), "%s", providers);
            STACK_OF(CONF_VALUE) *entries = NCONF_get_section(conf, providers);
            for (int i = 0; entries != NULL && i < sk_CONF_VALUE_num(entries); i++) {
                CONF_VALUE *v = sk_CONF_VALUE_value(entries, i);
                if (v->name == NULL || v->value == NULL) continue;
                s->providers_listed++;
                if (!strcmp(v->name, "default")) s->has_default = 1;
                if (!s->has_tlsdiag && is_tlsdiag_entry(conf, v->name, v->value, s->tlsdiag_module,
                                                        sizeof(s->tlsdiag_module)))
                    s->has_tlsdiag = 1;
            }
        }
    }
    NCONF_free(conf);
    ERR_clear_error();
    return 1;
}

/* A private directory for generated configs. They are kept, not deleted: the config must
 * outlive our exec, and grandchildren inherit OPENSSL_CONF. Names are content hashes, so the
 * same situation reuses the same file instead of piling up new ones. */
static int private_dir(char *out, size_t cap, char *err, size_t errcap)
{
    const char *base = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    if (base == NULL || base[0] != '/' || stat(base, &st) != 0 || !S_ISDIR(st.st_mode)) {
        base = getenv("TMPDIR");
        if (base == NULL || base[0] != '/') base = "/tmp";
    }
    if ((size_t)snprintf(out, cap, "%s/tlsdiag-%u", base, (unsigned)getuid()) >= cap) {
        set_err(err, errcap, "temporary directory path too long");
        return 0;
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST) {
        set_err(err, errcap, "cannot create %s: %s", out, strerror(errno));
        return 0;
    }
    /* In a shared /tmp someone else may have made it first: only trust our own 0700 dir. */
    if (lstat(out, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
        (st.st_mode & 077) != 0) {
        set_err(err, errcap, "%s is not a private directory owned by this user", out);
        return 0;
    }
    return 1;
}

static int write_generated(const char *text, char *out, size_t cap, char *err, size_t errcap)
{
    char dir[PATH_MAX - 64], tmp[PATH_MAX];
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: stable names, not security */
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    if (!private_dir(dir, sizeof(dir), err, errcap)) return 0;
    snprintf(out, cap, "%s/openssl-%016llx.cnf", dir, (unsigned long long)h);
    if (file_readable(out)) return 1;
    snprintf(tmp, sizeof(tmp), "%s/.openssl-XXXXXX", dir);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        set_err(err, errcap, "cannot create a file in %s: %s", dir, strerror(errno));
        return 0;
    }
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    ok = (fchmod(fd, 0600) == 0) && ok;
    ok = (close(fd) == 0) && ok;
    if (!ok || rename(tmp, out) != 0) {
        set_err(err, errcap, "cannot write %s: %s", out, strerror(errno));
        unlink(tmp);
        return 0;
    }
    return 1;
}

struct text {
    char buf[8192];
    size_t len;
    int overflow;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(t->buf) - t->len) t->overflow = 1;
    else t->len += (size_t)n;
}

/* The config text that adds tlsdiag (add_provider) and/or nodejs_conf to `included`. */
static void compose(struct text *t, const char *included, const struct cnf_shape *s,
                    int add_provider, int for_node, const char *module)
{
    const char *init = s->init[0] ? s->init : "tlsdiag_init";
    const char *providers = s->providers[0] ? s->providers : "tlsdiag_providers";
    add(t, "# Generated by tlsdiag: %s%s, with %s.\n", included, add_provider ? "" : " as it is",
        add_provider ? "the tlsdiag provider added" : "nodejs_conf added");
    add(t, ".include %s\n[ default ]\n", included);
    if (add_provider && !s->init[0]) add(t, "openssl_conf = %s\n", init);
    /* Node looks up nodejs_conf, not openssl_conf; pointing it at the same init section makes
     * it load exactly what every other program loads. */
    if (for_node && !s->has_nodejs_conf) add(t, "nodejs_conf = %s\n", init);
    if (!add_provider) return;
    if (!s->providers[0]) add(t, "[ %s ]\nproviders = %s\n", init, providers);
    add(t, "[ %s ]\n", providers);
    /* Activating any provider switches off the implicit default one. When the file already
     * activates providers of its own (a FIPS-only setup, say) that choice is already made
     * and adding default would widen it, so default is only named where nothing was. */
    int need_default = s->providers_listed == 0;
    if (need_default) add(t, "default = tlsdiag_default_sect\n");
    add(t, "tlsdiag = tlsdiag_sect\n");
    if (need_default) add(t, "[ tlsdiag_default_sect ]\nactivate = 1\n");
    add(t, "[ tlsdiag_sect ]\nmodule = %s\nactivate = 1\n", module);
}

int cnf_choose(int for_node, struct cnf_choice *c, char *err, size_t errcap)
{
    struct cnf_shape own, base;
    memset(c, 0, sizeof(*c));
    if (!find_own(c->own, sizeof(c->own))) {
        set_err(err, errcap,
                "cannot find tlsdiag's openssl.cnf (looked next to this program, in "
                "../share/tlsdiag and in %s); run `make` or `make install`",
                TLSDIAG_DATADIR);
        return 0;
    }
    if (!read_shape(c->own, &own, err, errcap)) return 0;
    if (!own.has_tlsdiag || !own.tlsdiag_module[0]) {
        set_err(err, errcap, "%s does not activate the tlsdiag provider", c->own);
        return 0;
    }
    snprintf(c->module, sizeof(c->module), "%s", own.tlsdiag_module);

    const char *caller = getenv("OPENSSL_CONF");
    char caller_real[PATH_MAX], own_real[PATH_MAX];
    int caller_is_own = caller != NULL && realpath(caller, caller_real) != NULL &&
                        realpath(c->own, own_real) != NULL && !strcmp(caller_real, own_real);
    const char *included = c->own;
    int add_provider = 0;
    base = own;
    if (caller != NULL && caller[0] != '\0' && !caller_is_own) {
        if (!read_shape(caller, &base, err, errcap)) return 0;
        included = caller;
        add_provider = !base.has_tlsdiag;
    }
    if (!add_provider && !(for_node && !base.has_nodejs_conf)) {
        snprintf(c->path, sizeof(c->path), "%s", included);
        snprintf(c->why, sizeof(c->why), "%s%s", included,
                 included == c->own ? "" : " (OPENSSL_CONF, already activates tlsdiag)");
        return 1;
    }
    struct text t = { .len = 0 };
    char abs_included[PATH_MAX];
    if (realpath(included, abs_included) == NULL)
        snprintf(abs_included, sizeof(abs_included), "%s", included);
    compose(&t, abs_included, &base, add_provider, for_node, c->module);
    if (t.overflow) {
        set_err(err, errcap, "generated config too long");
        return 0;
    }
    if (!write_generated(t.buf, c->path, sizeof(c->path), err, errcap)) return 0;
    snprintf(c->why, sizeof(c->why), "%s (includes %s%s%s)", c->path, abs_included,
             add_provider ? ", adds tlsdiag" : "", for_node ? ", adds nodejs_conf" : "");
    return 1;
}
