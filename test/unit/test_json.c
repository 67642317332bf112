/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* test_json: cli/json.c, the strict reader `tlsdiag report` parses events with: escapes,
 * \uXXXX and surrogate pairs, nesting and paths, numbers, and every kind of invalid input
 * rejected (with where it failed). */
#include <string.h>
#include "check.h"
#include "json.h"

static struct json_doc doc;

static int parses(const char *text)
{
    return json_parse(&doc, text, strlen(text));
}

static void rejects(const char *text, const char *why)
{
    int ok = parses(text);
    CHECK(!ok, "accepted invalid JSON %s", text);
    CHECK(ok || (doc.error != NULL && strstr(doc.error, why) != NULL),
          "%s: rejected as '%s', not '%s'", text, doc.error ? doc.error : "(none)", why);
}

static void string_is(const char *text, const char *want, size_t want_len)
{
    int ok = parses(text);
    CHECK(ok, "%s: %s at %zu", text, doc.error ? doc.error : "", doc.error_at);
    CHECK(ok && doc.v[0].type == JSON_STRING && strlen(doc.v[0].str) == want_len &&
              memcmp(doc.v[0].str, want, want_len) == 0,
          "%s decoded wrong", text);
}

int main(void)
{
    /* Escapes, one of each, and \u in BMP, two-byte, three-byte and a surrogate pair. */
    string_is("\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"", "a\"b\\c/d\be\ff\ng\rh\ti", 17);
    string_is("\"\\u0041\\u00e9\\u20AC\"", "A\xC3\xA9\xE2\x82\xAC", 6);
    string_is("\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80", 4);
    string_is("\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF", 4);
    string_is("\"\\u202e\"", "\xE2\x80\xAE", 3); /* a bidi override decodes; printing escapes it */
    string_is("\"h\xC3\xA9 \xF0\x9F\x98\x80\"", "h\xC3\xA9 \xF0\x9F\x98\x80", 8); /* raw UTF-8 */
    string_is("  \"\"  ", "", 0);

    /* An event-shaped object: nested objects read by path, arrays and scalars skipped. */
    const char *ev =
        "{\"schema\":\"tlsdiag/1\",\"peer\":{\"host\":\"db\\u002eexample\","
        "\"addr\":null},\"list\":[1,[2,{\"x\":[]}],{}],\"count\":42,"
        "\"neg\":-0.5e+2,\"half\":0.5,\"ok\":true,\"no\":false,\"deep\":{\"a\":{\"b\":\"c\"}}}";
    CHECK(parses(ev), "event: %s at %zu", doc.error, doc.error_at);
    const char *host = json_string_at(&doc, 0, "peer.host");
    CHECK(host && !strcmp(host, "db.example"), "peer.host is %s", host ? host : "NULL");
    CHECK(json_string_at(&doc, 0, "peer.addr") == NULL, "null is not a string");
    CHECK(json_member(&doc, 0, "peer") >= 0 && json_member(&doc, 0, "nope") < 0, "members");
    CHECK(json_string_at(&doc, 0, "deep.a.b") && !strcmp(json_string_at(&doc, 0, "deep.a.b"), "c"),
          "three steps deep");
    CHECK(json_string_at(&doc, 0, "count.x") == NULL, "a path through a number");
    CHECK(json_string_at(&doc, 0, "x") == NULL, "a member of an array is not the object's");
    long n = 0;
    CHECK(json_long_at(&doc, 0, "count", 1, 100, &n) && n == 42, "count is %ld", n);
    CHECK(!json_long_at(&doc, 0, "count", 1, 41, &n), "count above max");
    CHECK(json_long_at(&doc, 0, "neg", -100, 100, &n) && n == -50, "-0.5e+2 is %ld", n);
    CHECK(!json_long_at(&doc, 0, "half", 0, 1, &n), "0.5 is not a whole number");
    int i = json_member(&doc, 0, "neg");
    CHECK(i >= 0 && doc.v[i].num == -50.0, "-0.5e+2 is -50");
    CHECK(!json_long_at(&doc, 0, "schema", 0, 1, &n), "a string is not a number");
    i = json_member(&doc, 0, "ok");
    CHECK(i >= 0 && doc.v[i].type == JSON_TRUE, "true");
    i = json_member(&doc, 0, "no");
    CHECK(i >= 0 && doc.v[i].type == JSON_FALSE, "false");
    i = json_member(&doc, 0, "list");
    CHECK(i >= 0 && doc.v[i].type == JSON_ARRAY && doc.v[doc.v[i].first].type == JSON_NUMBER,
          "array");
    CHECK(parses("[1.5, 0, -0, 1e3, 1E-3, 123456789012]"), "numbers: %s", doc.error);
    CHECK(parses("0") && doc.v[0].num == 0, "a bare number");

    /* The deepest nesting allowed, and one deeper. */
    char deep[2 * JSON_MAX_DEPTH + 8];
    memset(deep, '[', JSON_MAX_DEPTH);
    memset(deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
    deep[2 * JSON_MAX_DEPTH] = '\0';
    CHECK(parses(deep), "%d levels: %s", JSON_MAX_DEPTH, doc.error);
    memset(deep, '[', JSON_MAX_DEPTH + 1);
    memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
    deep[2 * JSON_MAX_DEPTH + 2] = '\0';
    rejects(deep, "nested too deeply");

    /* Invalid input, each rejected for its own reason. */
    rejects("", "expected a value");
    rejects("{", "expected a member name");
    rejects("{\"a\":1,}", "expected a member name");
    rejects("[1,]", "expected a value");
    rejects("[1 2]", "expected ',' or ']'");
    rejects("{\"a\" 1}", "expected ':'");
    rejects("{\"a\":1 \"b\":2}", "expected ',' or '}'");
    rejects("{a:1}", "expected a member name");
    rejects("{\"a\":1,\"a\":2}", "duplicate member name");
    rejects("{\"a\":1}x", "text after the value");
    rejects("{\"a\":1}{}", "text after the value");
    rejects("\"abc", "unterminated string");
    rejects("\"abc\\", "unterminated string");
    rejects("\"a\tb\"", "control character");
    rejects("\"a\nb\"", "control character");
    rejects("\"\\x41\"", "invalid escape");
    rejects("\"\\u12\"", "invalid \\u escape");
    rejects("\"\\u12G4\"", "invalid \\u escape");
    rejects("\"\\ud83d\"", "high surrogate without its low half");
    rejects("\"\\ud83dx\\ude00\"", "high surrogate without its low half");
    rejects("\"\\ud83d\\u0041\"", "high surrogate without its low half");
    rejects("\"\\ude00\"", "lone low surrogate");
    rejects("\"\\u0000\"", "\\u0000");
    rejects("\"\xC3\"", "invalid UTF-8");
    rejects("\"\xC0\xAF\"", "invalid UTF-8");         /* overlong '/' */
    rejects("\"\xED\xA0\x80\"", "invalid UTF-8");     /* a surrogate in UTF-8 */
    rejects("\"\xF4\x90\x80\x80\"", "invalid UTF-8"); /* above U+10FFFF */
    rejects("\"\xFF\"", "invalid UTF-8");
    rejects("01", "leading zero");
    rejects("-", "invalid number");
    rejects("1.", "invalid fraction");
    rejects(".5", "expected a value");
    rejects("1e", "invalid exponent");
    rejects("+1", "expected a value");
    rejects("tru", "invalid literal");
    rejects("nul", "invalid literal");
    rejects("True", "expected a value");
    rejects("-x", "invalid number");
    rejects("{\"a\":\"b\"", "expected ',' or '}'");
    /* A truncated event, as a cut line leaves it; and where it failed. */
    const char *cut = "{\"schema\":\"tlsdiag/1\",\"peer\":{\"host\":\"x\"";
    rejects(cut, "expected ',' or '}'");
    CHECK(doc.error_at == strlen(cut), "failed at %zu, not at the end (%zu)", doc.error_at,
          strlen(cut));
    /* A NUL byte inside the given length is not the end of the text. */
    CHECK(!json_parse(&doc, "{}\0{}", 5), "text after a NUL byte ignored");
    CHECK(!json_parse(&doc, "\"a\0b\"", 5), "a NUL byte in a string accepted");
    /* The doc is reusable after a failure. */
    CHECK(parses("{\"k\":\"v\"}") && !strcmp(json_string_at(&doc, 0, "k"), "v"), "reuse");
    json_free(&doc);
    return check_summary("test_json");
}
