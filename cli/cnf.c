/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* cnf: every openssl.cnf tlsdiag writes, from one composer: the build's and the installed ones
 * (`tlsdiag config`, run by make), and the small config `tlsdiag run` writes when the caller
 * already has an OPENSSL_CONF (or the host is Node). The base file is read with OpenSSL's own
 * parser, so .include directives and $ENV:: references inside it resolve exactly as the host
 * will resolve them. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include "cli.h"
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
    int any_activated;             /* an entry whose section says activate = (true) */
    char default_sect[256];        /* the section of the entry named default, "" when none */
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

/* The spellings of true that OpenSSL's provider loader takes for activate. */
static int is_true(const char *v)
{
    static const char *const yes[] = { "1", "yes", "true", "on" };
    for (size_t i = 0; v != NULL && i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!strcasecmp(v, yes[i])) return 1;
    return 0;
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
                if (!strcmp(v->name, "default"))
                    snprintf(s->default_sect, sizeof(s->default_sect), "%s", v->value);
                if (is_true(section_value(conf, v->value, "activate"))) s->any_activated = 1;
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

enum cnf_form {
    CNF_STANDALONE, /* .includes the base file: for OPENSSL_CONF */
    CNF_SNIPPET,    /* no .include: to be .included at the end of the base file itself */
    CNF_NO_BASE,    /* the base file is unreadable: our part alone */
};

struct cnf_want {
    enum cnf_form form;
    int add_provider; /* 0: the base already activates tlsdiag, only nodejs_conf is missing */
    const char *module;
    const char *mode; /* the provider's mode key, NULL for none */
};

/* The one composer of every config tlsdiag writes: `make`, `make install`, `tlsdiag config` and
 * `tlsdiag run`. OpenSSL merges a re-opened [section] into the one already read and a repeated
 * key replaces the earlier one, so we never set a key `base` already sets (ssl_conf, alg_section,
 * ...): its ssl_conf policy (MinProtocol, CipherString, Options) stays in force. */
static void compose(struct text *t, const char *base, const struct cnf_shape *s,
                    const struct cnf_want *w)
{
    const char *init = s->init[0] ? s->init : "tlsdiag_init";
    const char *providers = s->providers[0] ? s->providers : "tlsdiag_providers";
    if (w->form == CNF_SNIPPET)
        add(t,
            "# Generated by tlsdiag for %s. Enable with one line at its end: "
            ".include <this file>\n",
            base);
    else if (w->form == CNF_STANDALONE)
        add(t,
            "# Generated by tlsdiag from %s. Enable with OPENSSL_CONF=<this file>.\n"
            ".include %s\n",
            base, base);
    else add(t, "# (no readable system config at %s)\n", base);
    add(t, "[ default ]\n");
    if (w->add_provider && !s->init[0]) add(t, "openssl_conf = %s\n", init);
    /* Node looks up nodejs_conf, not openssl_conf (unless run with --openssl-shared-config);
     * pointing it at the same init section makes it load exactly what every other program
     * loads. */
    if (!s->has_nodejs_conf && (w->add_provider || s->init[0])) add(t, "nodejs_conf = %s\n", init);
    if (!w->add_provider) return;
    if (!s->providers[0]) add(t, "[ %s ]\nproviders = %s\n", init, providers);
    add(t, "[ %s ]\ntlsdiag = tlsdiag_sect\n", providers);
    /* Activating any provider switches off the implicit default one. A list we create names
     * default too. A list that activates nothing (Debian 13 ships `default = default_sect` with
     * its activate commented out) relies on the implicit one, which our activation would switch
     * off and all crypto with it: activate default there, in the section the list already
     * names when it has one. A list that activates providers of its own (FIPS, say) chose them:
     * adding default would widen that choice. */
    if (!s->providers[0] || (!s->any_activated && !s->default_sect[0]))
        add(t, "default = tlsdiag_default_sect\n[ tlsdiag_default_sect ]\nactivate = 1\n");
    else if (!s->any_activated) add(t, "[ %s ]\nactivate = 1\n", s->default_sect);
    add(t, "[ tlsdiag_sect ]\nmodule = %s\nactivate = 1\n", w->module);
    if (w->mode != NULL) add(t, "mode = %s\n", w->mode);
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
    struct cnf_want want = { CNF_STANDALONE, add_provider, c->module, NULL };
    compose(&t, abs_included, &base, &want);
    if (t.overflow) {
        set_err(err, errcap, "generated config too long");
        return 0;
    }
    if (!write_generated(t.buf, c->path, sizeof(c->path), err, errcap)) return 0;
    snprintf(c->why, sizeof(c->why), "%s (includes %s%s%s)", c->path, abs_included,
             add_provider ? ", adds tlsdiag" : "",
             !base.has_nodejs_conf ? ", adds nodejs_conf" : "");
    return 1;
}

static void config_usage(FILE *out)
{
    fputs("usage: tlsdiag config [--snippet] [--mode MODE] --module PATH [SYSTEM_CNF]\n"
          "\n"
          "Print an openssl.cnf that switches the tlsdiag provider (PATH) on and keeps everything\n"
          "SYSTEM_CNF says, its TLS policy included. SYSTEM_CNF defaults to the system's config\n"
          "(OPENSSLDIR/openssl.cnf); it is read the way OpenSSL reads it, .include lines and all.\n"
          "\n"
          "  --snippet      a part to .include at the end of SYSTEM_CNF itself, instead of a file\n"
          "                 for OPENSSL_CONF that .includes SYSTEM_CNF\n"
          "  --mode MODE    the provider's mode key (the TLSDIAG variable still wins)\n"
          "  --module PATH  the provider module the config loads\n"
          "  -h, --help     this text\n",
          out);
}

/* The value ends up on one config line: a line break or a comment would cut it short or
 * smuggle in keys of its own. */
static int one_line_value(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '#') return 0;
    return v[0] != '\0';
}

int cmd_config(int argc, char **argv)
{
    static const struct option opts[] = {
        { "snippet", no_argument, NULL, 's' },
        { "mode", required_argument, NULL, 'm' },
        { "module", required_argument, NULL, 'M' },
        { "help", no_argument, NULL, 'h' },
        { COLOR_LONGOPT },
        { NULL, 0, NULL, 0 },
    };
    struct cnf_want want = { CNF_STANDALONE, 1, NULL, NULL };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case 's': want.form = CNF_SNIPPET; break;
        case 'm': want.mode = optarg; break;
        case 'M': want.module = optarg; break;
        case 'h': config_usage(stdout); return CLI_OK;
        case OPT_COLOR:
            if (!term_color_option("config", optarg)) return CLI_USAGE;
            break;
        case ':':
            cli_error("config", "option '%s' needs a value", argv[optind - 1]);
            return CLI_USAGE;
        default:
            cli_error("config", "unknown option '%s'", argv[optind - 1]);
            config_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (want.module == NULL || argc - optind > 1) {
        cli_error("config",
                  want.module == NULL ? "--module PATH is required" : "one SYSTEM_CNF at most");
        config_usage(stderr);
        return CLI_USAGE;
    }
    if (!one_line_value(want.module) || (want.mode != NULL && !one_line_value(want.mode))) {
        cli_error("config", "--module and --mode take one line without '#'");
        return CLI_USAGE;
    }
    /* What we print must depend on SYSTEM_CNF alone, not on whatever config this process
     * would otherwise load for itself (the caller's OPENSSL_CONF, say). */
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    char system[PATH_MAX], cwd[PATH_MAX];
    int n;
    /* The .include line is read from wherever the host runs, not from here. */
    if (optind < argc && argv[optind][0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
        n = snprintf(system, sizeof(system), "%s/%s", cwd, argv[optind]);
    else if (optind < argc) n = snprintf(system, sizeof(system), "%s", argv[optind]);
    else
        n = snprintf(system, sizeof(system), "%s/openssl.cnf",
                     OPENSSL_info(OPENSSL_INFO_CONFIG_DIR));
    if (n < 0 || (size_t)n >= sizeof(system)) {
        cli_error("config", "SYSTEM_CNF path too long");
        return CLI_USAGE;
    }
    if (!one_line_value(system)) {
        cli_error("config", "SYSTEM_CNF must be one line without '#'");
        return CLI_USAGE;
    }

    struct cnf_shape shape;
    char err[PATH_MAX + 256];
    memset(&shape, 0, sizeof(shape));
    /* A missing system config is no error for OpenSSL (it runs on built-in defaults), so it
     * is none here either: the result then stands alone. One that is there but does not
     * parse would fail the host too, so it fails here. */
    if (!file_readable(system)) {
        if (want.form == CNF_STANDALONE) want.form = CNF_NO_BASE;
    } else if (!read_shape(system, &shape, err, sizeof(err))) {
        cli_error("config", "%s", err);
        return CLI_FAILED;
    }
    struct text t = { .len = 0 };
    compose(&t, system, &shape, &want);
    if (t.overflow) {
        cli_error("config", "generated config too long");
        return CLI_FAILED;
    }
    if (fwrite(t.buf, 1, t.len, stdout) != t.len || fflush(stdout) != 0) {
        cli_error("config", "cannot write: %s", strerror(errno));
        return CLI_FAILED;
    }
    return CLI_OK;
}
