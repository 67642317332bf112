/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* runtime: which program hosts tlsdiag, and which TLS-using library in it made the connection,
 * to give fixes in its terms (PyMongo, curl, libmongoc, ...). */
#ifndef TLSDIAG_RUNTIME_H
#define TLSDIAG_RUNTIME_H

/* The host program, from its executable alone. */
enum td_runtime {
    TD_RT_OTHER,
    TD_RT_PYTHON,
    TD_RT_PYPY,
    TD_RT_CURL,
    TD_RT_OPENSSL_CLI,
    TD_RT_NODE,
    TD_RT_RUBY,
    TD_RT_PHP,
    TD_RT_NGINX,
    TD_RT_COUNT
};

/* What is loaded into the host, from /proc/self/maps and /proc/self/cmdline (td_runtime_info
 * and struct td_report carry these bits). */
enum {
    TD_LOADED_PYMONGO = 1 << 0,     /* PyMongo's C extensions (/pymongo/, /bson/_cbson) */
    TD_LOADED_MONGOC = 1 << 1,      /* libmongoc-1.0.so or libmongoc2 */
    TD_LOADED_PHP_MONGODB = 1 << 2, /* PHP's mongodb.so extension (libmongoc bundled) */
    TD_LOADED_RUBY_BSON = 1 << 3,   /* ruby-bson's bson_native.so, which the mongo gem loads */
    TD_LOADED_PIP = 1 << 4,         /* a Python whose command line is pip, pip3 or -m pip */
};

/* Options that libraries set on their SSL_CTX, read from the failing connection (SSL_get_options)
 * to tell which library in the host made it, measured on Debian 12 with OpenSSL 3.0:
 * - PyMongo 3.11 and 4.x get_ssl_context, and libmongoc (alone or inside PHP's mongodb.so) add
 *   OP_NO_RENEGOTIATION; ssl.create_default_context(), urllib3 and PHP streams do not;
 * - urllib3 1.26 and 2.x create_urllib3_context (requests, pip's vendored copy) adds OP_NO_TICKET;
 * - Ruby's SSLContext#set_params (Net::HTTP, open-uri) clears OP_DONT_INSERT_EMPTY_FRAGMENTS,
 *   which the mongo gem's bare SSLContext.new keeps. */
#define TD_SSL_OPT_NO_RENEGOTIATION 0x40000000UL /* PyMongo, libmongoc */
#define TD_SSL_OPT_NO_TICKET 0x00004000UL        /* urllib3 */
#define TD_SSL_OPT_EMPTY_FRAGMENTS 0x00000800UL  /* kept by the mongo gem */

struct td_runtime_info {
    enum td_runtime kind;
    char program[64]; /* basename of /proc/self/exe */
    char exe[256];
    int pymongo;     /* PyMongo's modules are mapped into the process */
    unsigned loaded; /* TD_LOADED_* */
};

/* Fill out: the executable is read once per process; with scan_modules (only when there is a
 * failure to explain), the command line once too, and the mappings every time (modules get
 * loaded after the first handshake). Never fails. */
void td_runtime_get(struct td_runtime_info *out, int scan_modules);

#endif
