/* util: the small formatting both the provider and the command need, so the two say a time or a
 * protocol version the same way. Header-only on purpose: every program that includes it (the
 * provider, tlsdiag, doc/mkcatalogue, the unit tests) gets it without a new object on its link
 * line. */
#ifndef TLSDIAG_UTIL_H
#define TLSDIAG_UTIL_H
#include <stddef.h>
#include <strings.h>
#include <time.h>
#include <openssl/ssl.h>

/* RFC 3339 in UTC, the form of every time in tlsdiag's output. */
static inline void td_rfc3339(time_t t, char *dst, size_t cap)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(dst, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const struct { const char *name; int version; } td_version_names[] = {
    { "SSLv3", SSL3_VERSION }, { "TLSv1", TLS1_VERSION }, { "TLSv1.1", TLS1_1_VERSION },
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
    for (size_t i = 0; name != NULL && i < sizeof(td_version_names) / sizeof(td_version_names[0]); i++)
        if (!strcasecmp(name, td_version_names[i].name)) return td_version_names[i].version;
    return 0;
}

#endif
