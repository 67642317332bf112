/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* intercept: known TLS-interception software, named. A table (provider/intercept.c, each entry
 * with where it comes from) of roots whose private keys are public, recognised by the SHA-256
 * of their SubjectPublicKeyInfo, and of TLS-inspecting proxies, antivirus products and debugging
 * proxies, recognised by the names of their CAs; and a short list of public services whose
 * certificates only ever come from public CAs. Pure lookups: strings and bytes in, an entry
 * out, no OpenSSL object, so test/unit/test_intercept.c can prove every entry. observe.c asks
 * only when a client's verification failed. */
#ifndef TLSDIAG_INTERCEPT_H
#define TLSDIAG_INTERCEPT_H
#include <stddef.h>
#include <openssl/types.h>

#define TD_SPKI_SHA256_LEN 32

enum td_intercept_kind {
    TD_ICPT_KNOWN_KEY, /* an interception root whose private key anyone can have */
    TD_ICPT_DEV_CERT,  /* a development tool's certificate shipped with its private key */
    TD_ICPT_PROXY,     /* a corporate TLS-inspecting proxy or firewall */
    TD_ICPT_ANTIVIRUS, /* an antivirus product's HTTPS scanning */
    TD_ICPT_DEBUGGER,  /* a debugging proxy a developer runs */
};

#define TD_ICPT_NAMES 3

struct td_interceptor {
    const char *product;
    enum td_intercept_kind kind;
    /* The SHA-256 of the DER SubjectPublicKeyInfo, 64 lowercase hex digits, or NULL. */
    const char *spki_sha256;
    /* Relative distinguished names one certificate name (its subject, or the issuer it names)
     * must all hold, as RFC 2253 prints them ("CN=mitmproxy"); a trailing '*' matches any rest
     * of the value. Compared without regard to case. Unused slots are NULL. */
    const char *names[TD_ICPT_NAMES];
};

/* Whether the entry's key is public: trusting its certificate lets anyone impersonate any
 * server, so the only fix is to remove it, never to add it. */
static inline int td_intercept_key_is_public(const struct td_interceptor *i)
{
    return i->kind == TD_ICPT_KNOWN_KEY || i->kind == TD_ICPT_DEV_CERT;
}

/* The entry that one certificate of a chain belongs to: by its SPKI hash (spki, 32 bytes, or
 * NULL) first, then by its subject or the issuer it names (RFC 2253 strings as td_name_print
 * writes them, or NULL). *by_name_of_issuer is set when only the issuer name matched. NULL when
 * none does. */
const struct td_interceptor *td_intercept_lookup(const char *subject, const char *issuer,
                                                 const unsigned char *spki, int *by_name_of_issuer);

/* The entry of the list for a public service name (host names: "cluster0.ab1cd.mongodb.net"),
 * the list's pattern ("*.mongodb.net"), or NULL. A trailing dot is ignored. */
/* The same for a certificate itself: its SPKI hashed, its names printed (or given: subject and
 * issuer as td_name_print wrote them, when the caller has them already). ca (cap bytes, may be
 * NULL) receives the name that matched (the subject, or the issuer it names). */
const struct td_interceptor *td_intercept_cert(X509 *x, const char *subject, const char *issuer,
                                               int *by_name_of_issuer, char *ca, size_t cap);

/* What kind of software a name-matched entry is, in words (include/phrases.h). */
const char *td_intercept_kind_words(const struct td_interceptor *i);

const char *td_intercept_public_name(const char *host);

/* The whole table, for the unit test. */
extern const struct td_interceptor td_interceptors[];
extern const size_t td_n_interceptors;

#endif
