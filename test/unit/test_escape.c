/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* test_escape: td_escape, which every byte from a peer or a certificate passes through on its way
 * into tlsdiag's output. Each case is an input and what text and JSON must make of it: nothing a
 * hostile name holds may reach a terminal or a log as a control, a reordering or invisible
 * character, or as something that reads like one of tlsdiag's own escapes. */
#include <string.h>

#include "check.h"
#include "render.h"

struct escape_case {
    const char *what;
    const char *input;
    const char *text;
    const char *json;
};

static const struct escape_case cases[] = {
    { "plain ASCII", "CN=db.example.com", "CN=db.example.com", "CN=db.example.com" },
    { "UTF-8 letters stay", "CN=\xc3\xa9t\xc3\xa9", "CN=\xc3\xa9t\xc3\xa9",
      "CN=\xc3\xa9t\xc3\xa9" },
    { "newline and tab", "a\nb\tc", "a\\x0Ab\\x09c", "a\\u000ab\\u0009c" },
    { "escape and DEL", "\x1b[31m\x7f", "\\x1B[31m\\x7F", "\\u001b[31m\\u007f" },
    { "C1 control (NEL)",
      "a\xc2\x85"
      "b",
      "a\\u{0085}b", "a\\u0085b" },
    { "invalid UTF-8",
      "a\xff\xc3"
      "b",
      "a\\xFF\\xC3b", "a\\\\xFF\\\\xC3b" },
    { "overlong encoding", "\xc0\xaf", "\\xC0\\xAF", "\\\\xC0\\\\xAF" },
    { "a backslash of the peer's", "a\\x41", "a\\\\x41", "a\\\\x41" },
    { "a quote", "say \"hi\"", "say \"hi\"", "say \\\"hi\\\"" },
    { "right-to-left override U+202E",
      "\xe2\x80\xae"
      "moc",
      "\\u{202E}moc", "\\u202emoc" },
    { "zero width space U+200B",
      "a\xe2\x80\x8b"
      "b",
      "a\\u{200B}b", "a\\u200bb" },
    { "left-to-right mark U+200E", "a\xe2\x80\x8e", "a\\u{200E}", "a\\u200e" },
    { "right-to-left mark U+200F", "a\xe2\x80\x8f", "a\\u{200F}", "a\\u200f" },
    { "word joiner U+2060", "a\xe2\x81\xa0", "a\\u{2060}", "a\\u2060" },
    { "byte order mark U+FEFF",
      "\xef\xbb\xbf"
      "a",
      "\\u{FEFF}a", "\\ufeffa" },
    { "Arabic letter mark U+061C",
      "\xd8\x9c"
      "a",
      "\\u{061C}a", "\\u061ca" },
    { "soft hyphen U+00AD",
      "a\xc2\xad"
      "b",
      "a\\u{00AD}b", "a\\u00adb" },
    { "first strong isolate U+2068", "\xe2\x81\xa8", "\\u{2068}", "\\u2068" },
    { "line separator U+2028", "\xe2\x80\xa8", "\\u{2028}", "\\u2028" },
    { "tag letter U+E0041", "\xf3\xa0\x81\x81", "\\u{E0041}", "\\udb40\\udc41" },
    { "surrogate encoded in UTF-8", "\xed\xa0\x80", "\\xED\\xA0\\x80", "\\\\xED\\\\xA0\\\\x80" },
};

int main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct escape_case *c = &cases[i];
        char out[256];
        td_escape(out, sizeof(out), c->input, 0);
        CHECK(strcmp(out, c->text) == 0, "%s, text: got \"%s\", want \"%s\"", c->what, out,
              c->text);
        td_escape(out, sizeof(out), c->input, 1);
        CHECK(strcmp(out, c->json) == 0, "%s, JSON: got \"%s\", want \"%s\"", c->what, out,
              c->json);
    }
    /* Escapes are never cut in half, and the result always ends. */
    char small[8];
    size_t n = td_escape(small, sizeof(small), "\xe2\x80\xae\xe2\x80\xae", 0);
    CHECK(n < sizeof(small) && small[n] == '\0' && strcmp(small, "") == 0,
          "a 7-byte buffer takes no half escape: got \"%s\"", small);
    return check_summary("test_escape");
}
