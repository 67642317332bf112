/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* util: what the provider and the tlsdiag command both print, so the two say a time, a protocol
 * version, a name, a certificate and a peer's bytes the same way. The time and version helpers
 * are inline, so that the parsers linked on their own (provider/ocsp_check.c in test_ocsp and
 * fuzz_ocsp) need no other object; the rest is provider/util.c. */
#ifndef TLSDIAG_UTIL_H
#define TLSDIAG_UTIL_H
#include <stddef.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* RFC 3339 in UTC, the form of every time in tlsdiag's output, from a broken-down UTC time
 * within years 0 to 9999 (the modulos bound each field's width for the compiler). */
static inline void td_rfc3339_tm(const struct tm *tm, char *dst, size_t cap)
{
    snprintf(dst, cap, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(tm->tm_year + 1900) % 10000,
             (unsigned)(tm->tm_mon + 1) % 100, (unsigned)tm->tm_mday % 100,
             (unsigned)tm->tm_hour % 100, (unsigned)tm->tm_min % 100, (unsigned)tm->tm_sec % 100);
}

static inline void td_rfc3339(time_t t, char *dst, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    td_rfc3339_tm(&tm, dst, cap);
}

static const struct {
    const char *name;
    int version;
} td_version_names[] = {
    { "SSLv3", SSL3_VERSION },     { "TLSv1", TLS1_VERSION },     { "TLSv1.1", TLS1_1_VERSION },
    { "TLSv1.2", TLS1_2_VERSION }, { "TLSv1.3", TLS1_3_VERSION },
};

/* OpenSSL's name for a protocol version ("TLSv1.2"), or "unknown". */
static inline const char *td_version_name(int version)
{
    for (size_t i = 0; i < sizeof(td_version_names) / sizeof(td_version_names[0]); i++)
        if (td_version_names[i].version == version) return td_version_names[i].name;
    return "unknown";
}

/* The version of a name as a config writes it (MinProtocol = tlsv1.2), or 0. */
static inline int td_version_from_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(td_version_names) / sizeof(td_version_names[0]);
         i++)
        if (!strcasecmp(name, td_version_names[i].name)) return td_version_names[i].version;
    return 0;
}

/* Escaping used by every output: control characters, format characters (bidi, zero-width) and
 * invalid UTF-8 become visible escapes; json also escapes quotes and backslashes as JSON needs.
 * dst is always terminated and never ends in half an escape. Returns bytes written. */
size_t td_escape(char *dst, size_t cap, const char *src, int json);

/* A name in RFC 2253 order (CN first), UTF-8 kept as it is: escape it before printing. */
void td_name_print(const X509_NAME *name, char *dst, size_t cap);
/* An iPAddress SAN as text ("192.0.2.1", "2001:db8::1"), or "?" when it is neither length. */
void td_san_ip(const ASN1_OCTET_STRING *ip, char *dst, size_t cap);

/* An ASN1_TIME as seconds since the epoch, 0 when it cannot be read. The one way we compare
 * certificate times: X509_cmp_time is deprecated in OpenSSL 4.0. */
time_t td_asn1_time(const ASN1_TIME *t);

/* OpenSSL's verify codes for "no issuer found": one problem, whichever of the three it names. */
int td_verify_no_issuer(long code);

/* Describe a certificate into dst (subject, issuer, dates, SAN, key, digest, EKU, AIA). */
struct td_cert;
void td_cert_describe(X509 *x, struct td_cert *dst);

#endif
