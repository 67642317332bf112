/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* common: see common.h. */
#define _GNU_SOURCE
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "util.h"

char **cli_argv;

static int term_auto, term_colour, term_utf8;

void term_init(void)
{
    const char *no_colour = getenv("NO_COLOR"), *term = getenv("TERM");
    term_auto = isatty(STDOUT_FILENO) && (no_colour == NULL || no_colour[0] == '\0') &&
                (term == NULL || strcmp(term, "dumb") != 0);
    term_colour = term_auto;
    /* The locale is asked for its charset and put back at once: case-folding, ctype and
     * escaping (td_escape) here and in the provider loaded by check stay those of "C". */
    if (setlocale(LC_CTYPE, "") != NULL) {
        term_utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
        setlocale(LC_CTYPE, "C");
    }
}

int term_color_option(const char *command, const char *when)
{
    if (!strcmp(when, "always")) term_colour = 1;
    else if (!strcmp(when, "never")) term_colour = 0;
    else if (!strcmp(when, "auto")) term_colour = term_auto;
    else {
        cli_error(command, "--color wants auto, always or never, not '%s'", when);
        return 0;
    }
    return 1;
}

const char *term_on(const char *sgr)
{
    static char buf[4][16];
    static int next;
    if (!term_colour) return "";
    char *b = buf[next++ % 4];
    snprintf(b, sizeof(buf[0]), "\033[%sm", sgr);
    return b;
}

const char *term_off(void)
{
    return term_colour ? "\033[0m" : "";
}

const char *glyph(enum glyph g)
{
    static const char *const glyphs[][2] = {
        [GLYPH_OK] = { "✓", "ok" },       [GLYPH_FAIL] = { "✗", "FAIL" },
        [GLYPH_BRANCH] = { "└─", "`- " }, [GLYPH_DASH] = { "—", "-" },
        [GLYPH_ARROW] = { "→", "->" },
    };
    return glyphs[g][term_utf8 ? 0 : 1];
}

void cli_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tlsdiag: %s%s", command ? command : "", command ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void json_string(FILE *out, const char *s)
{
    char small[1024], *buf = small;
    size_t len = strlen(s != NULL ? s : "");
    /* The most an input byte can become is a control's \u00XX. */
    size_t cap = 6 * len + 1;
    if (cap > sizeof(small) && (buf = malloc(cap)) == NULL) {
        fputs("\"\"", out);
        return;
    }
    td_escape(buf, cap > sizeof(small) ? cap : sizeof(small), s != NULL ? s : "", 1);
    fprintf(out, "\"%s\"", buf);
    if (buf != small) free(buf);
}

int self_dir(char *dir, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL) return 0;
    *slash = '\0';
    if ((size_t)snprintf(dir, cap, "%s", exe[0] ? exe : "/") >= cap) return 0;
    return 1;
}
