/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* json: a small, strict JSON reader (RFC 8259) for the events tlsdiag reads back, such as the
 * JSON Lines `tlsdiag report` aggregates. One document is parsed whole into a flat array of
 * values; strings are decoded (escapes, \uXXXX surrogate pairs) into NUL-terminated UTF-8.
 * Anything that is not exactly JSON is rejected: trailing commas, leading zeros, bare control
 * characters, invalid UTF-8, lone surrogates, \u0000 (a C string cannot hold it), text after
 * the value, a member name twice in one object, nesting deeper than JSON_MAX_DEPTH. Writing
 * JSON is common.h's json_string. */
#ifndef TLSDIAG_CLI_JSON_H
#define TLSDIAG_CLI_JSON_H
#include <stddef.h>

enum json_type {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
};

enum { JSON_MAX_DEPTH = 64 };

struct json_value {
    enum json_type type;
    const char *key; /* the member's name inside an object, else NULL */
    const char *str; /* JSON_STRING: the decoded text */
    double num;      /* JSON_NUMBER */
    int parent;      /* index of the enclosing array or object, -1 for the root */
    int next;        /* the next member or element of the same parent, -1 at the end */
    int first;       /* arrays and objects: the first member or element, -1 when empty */
};

struct json_doc {
    struct json_value *v; /* v[0] is the root */
    int n, cap;
    char *text; /* decoded strings and keys live here */
    size_t used, text_cap;
    size_t error_at;   /* after a failed parse: the byte offset where it failed */
    const char *error; /* and why */
};

/* Parse len bytes (exactly one JSON value, whitespace around it allowed). 1 on success; 0 with
 * doc->error and doc->error_at set. A doc may be parsed into again; json_free releases it. */
int json_parse(struct json_doc *doc, const char *src, size_t len);
void json_free(struct json_doc *doc);

/* The value of member key in object obj, or -1 (obj not an object, or no such member). */
int json_member(const struct json_doc *doc, int obj, const char *key);
/* The string at path "a.b" from obj (members of nested objects), or NULL when a step is
 * missing or the value is not a string. */
const char *json_string_at(const struct json_doc *doc, int obj, const char *path);
/* The number at path as a long: 1 when it is a whole number within [min, max]. */
int json_long_at(const struct json_doc *doc, int obj, const char *path, long min, long max,
                 long *out);

#endif
