/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* util: see include/util.h. What the provider and the tlsdiag command both say about a
 * certificate, a name or a peer's bytes, so that the two cannot word them differently. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include "ocsp_check.h"
#include "phrases.h"
#include "report.h"
#include "util.h"

/* ---- escaping -------------------------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        *cp = c & 0x1f;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        *cp = c & 0x0f;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        *cp = c & 0x07;
        min = 0x10000;
    } else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        *cp = (*cp << 6) | (s[i] & 0x3f);
    }
    if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return 0;
    return len;
}

/* Code points that reorder, hide or split text on a terminal or in a log viewer: C1 controls,
 * the line and paragraph separators, and every format character (Unicode category Cf: bidi
 * marks and overrides, zero-width characters, the BOM, tags). */
static int sneaky(unsigned cp)
{
    static const struct {
        unsigned lo, hi;
    } ranges[] = {
        { 0x0080, 0x009f },   { 0x00ad, 0x00ad },   { 0x0600, 0x0605 },   { 0x061c, 0x061c },
        { 0x06dd, 0x06dd },   { 0x070f, 0x070f },   { 0x0890, 0x0891 },   { 0x08e2, 0x08e2 },
        { 0x180e, 0x180e },   { 0x200b, 0x200f },   { 0x2028, 0x202e },   { 0x2060, 0x2064 },
        { 0x2066, 0x206f },   { 0xfeff, 0xfeff },   { 0xfff9, 0xfffb },   { 0x110bd, 0x110bd },
        { 0x110cd, 0x110cd }, { 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a },
        { 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },
    };
    if (cp < 0x80) return 0;
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (cp >= ranges[i].lo && cp <= ranges[i].hi) return 1;
    return 0;
}

/* Bytes copied as they are: printable ASCII but the backslash (1 in text, 2 in JSON, where the
 * double quote is not). */
#define TD_PLAIN_TEXT 1
#define TD_PLAIN_JSON 2
static const unsigned char plain_bytes[256] = {
    [' ' ... '!'] = TD_PLAIN_TEXT | TD_PLAIN_JSON,
    ['"'] = TD_PLAIN_TEXT,
    ['#' ... '['] = TD_PLAIN_TEXT | TD_PLAIN_JSON,
    [']' ... '~'] = TD_PLAIN_TEXT | TD_PLAIN_JSON,
};

size_t td_escape(char *dst, size_t cap, const char *src, int json)
{
    const unsigned plain = json ? TD_PLAIN_JSON : TD_PLAIN_TEXT;
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)src;
    size_t n = strlen(src);
    if (cap == 0) return 0;
    for (size_t i = 0; i < n;) {
        /* A run of printable ASCII needs no decoding: most of every value is one. */
        size_t run = 0;
        while (i + run < n && (plain_bytes[s[i + run]] & plain)) run++;
        if (run > 0) {
            if (o + run >= cap) run = cap - 1 - o;
            memcpy(dst + o, s + i, run);
            o += run;
            i += run;
            if (o + 1 >= cap) break;
            continue;
        }
        char tmp[16];
        const char *piece = tmp;
        size_t plen;
        unsigned cp = 0;
        size_t ul = utf8_len(s + i, n - i, &cp);
        if (ul == 0) {
            plen = (size_t)snprintf(tmp, sizeof(tmp), json ? "\\\\x%02X" : "\\x%02X", s[i]);
            ul = 1;
        } else if (cp < 0x20 || cp == 0x7f) {
            plen = (size_t)snprintf(tmp, sizeof(tmp), json ? "\\u%04x" : "\\x%02X", cp);
        } else if (sneaky(cp)) {
            if (!json) plen = (size_t)snprintf(tmp, sizeof(tmp), "\\u{%04X}", cp);
            else if (cp > 0xffff) /* JSON spells these as a surrogate pair */
                plen = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x\\u%04x",
                                        0xd800 + ((cp - 0x10000) >> 10),
                                        0xdc00 + ((cp - 0x10000) & 0x3ff));
            else plen = (size_t)snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
        } else if (cp == '\\' || (json && cp == '"')) {
            /* In text too: a backslash of the peer's must not read as one of our escapes. */
            tmp[0] = '\\';
            tmp[1] = (char)cp;
            plen = 2;
        } else {
            piece = (const char *)s + i;
            plen = ul;
        }
        if (o + plen >= cap) break;
        memcpy(dst + o, piece, plen);
        o += plen;
        i += ul;
    }
    dst[o] = '\0';
    return o;
}

/* ---- certificates ----------------------------------------------------------------------- */

void td_name_print(const X509_NAME *n, char *dst, size_t cap)
{
    dst[0] = '\0';
    BIO *b = BIO_new(BIO_s_mem());
    if (b == NULL) return;
    /* RFC 2253 order (CN first) reads best; keep UTF-8 as is, td_escape makes it safe. */
    if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int len = BIO_read(b, dst, (int)cap - 1);
        dst[len > 0 ? len : 0] = '\0';
    }
    BIO_free(b);
}

time_t td_asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (t == NULL || !ASN1_TIME_to_tm(t, &tm)) return 0;
    return timegm(&tm);
}

/* A certificate date OpenSSL could not read is left empty, not shown as 1970. */
static void rfc3339(time_t t, char *dst, size_t cap)
{
    if (t == 0) dst[0] = '\0';
    else td_rfc3339(t, dst, cap);
}

static void append(char *dst, size_t cap, const char *sep, const char *piece, size_t piece_len)
{
    size_t len = strlen(dst);
    if (len > 0) {
        size_t sl = strlen(sep);
        if (len + sl >= cap) return;
        memcpy(dst + len, sep, sl + 1);
        len += sl;
    }
    if (len + piece_len >= cap) piece_len = cap - len - 1;
    memcpy(dst + len, piece, piece_len);
    dst[len + piece_len] = '\0';
}

void td_san_ip(const ASN1_OCTET_STRING *ip, char *dst, size_t cap)
{
    int l = ASN1_STRING_length(ip);
    const unsigned char *d = ASN1_STRING_get0_data(ip);
    if (cap < INET6_ADDRSTRLEN || (l == 4    ? inet_ntop(AF_INET, d, dst, (socklen_t)cap)
                                   : l == 16 ? inet_ntop(AF_INET6, d, dst, (socklen_t)cap)
                                             : NULL) == NULL)
        snprintf(dst, cap, "?");
}

static void describe_sans(X509 *x, char *dst, size_t cap)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    dst[0] = '\0';
    for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char piece[300];
        if (g->type == GEN_DNS) {
            int l = ASN1_STRING_length(g->d.dNSName);
            snprintf(piece, sizeof(piece), "DNS:%.*s", l > 255 ? 255 : l,
                     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD) {
            char ip[INET6_ADDRSTRLEN];
            td_san_ip(g->d.iPAddress, ip, sizeof(ip));
            snprintf(piece, sizeof(piece), "IP:%s", ip);
        } else {
            continue;
        }
        append(dst, cap, ", ", piece, strlen(piece));
    }
    GENERAL_NAMES_free(names);
}

static void describe_aia(X509 *x, char *dst, size_t cap)
{
    AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(x, NID_info_access, NULL, NULL);
    dst[0] = '\0';
    for (int i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        if (OBJ_obj2nid(ad->method) == NID_ad_ca_issuers && ad->location->type == GEN_URI) {
            int l = ASN1_STRING_length(ad->location->d.uniformResourceIdentifier);
            append(dst, cap, " ",
                   (const char *)ASN1_STRING_get0_data(ad->location->d.uniformResourceIdentifier),
                   (size_t)l);
        }
    }
    AUTHORITY_INFO_ACCESS_free(aia);
}

static void describe_eku(X509 *x, char *dst, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } ekus[] = {
        { XKU_SSL_SERVER, "serverAuth" }, { XKU_SSL_CLIENT, "clientAuth" },
        { XKU_SMIME, "emailProtection" }, { XKU_CODE_SIGN, "codeSigning" },
        { XKU_OCSP_SIGN, "OCSPSigning" }, { XKU_TIMESTAMP, "timeStamping" },
    };
    dst[0] = '\0';
    if (!(X509_get_extension_flags(x) & EXFLAG_XKUSAGE)) return;
    uint32_t bits = X509_get_extended_key_usage(x);
    for (size_t i = 0; i < sizeof(ekus) / sizeof(ekus[0]); i++)
        if (bits & ekus[i].bit) append(dst, cap, ", ", ekus[i].name, strlen(ekus[i].name));
    if (dst[0] == '\0') snprintf(dst, cap, TD_SAY_OTHER_PURPOSES);
}

int td_verify_no_issuer(long code)
{
    return code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
           code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
           code == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

void td_cert_describe(X509 *x, struct td_cert *d)
{
    memset(d, 0, sizeof(*d));
    if (x == NULL) return;
    d->present = 1;
    td_name_print(X509_get_subject_name(x), d->subject, sizeof(d->subject));
    /* Printing a name costs more than the rest of the description; a root's two are one. */
    if (X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0)
        memcpy(d->issuer, d->subject, sizeof(d->issuer));
    else td_name_print(X509_get_issuer_name(x), d->issuer, sizeof(d->issuer));
    d->nb = td_asn1_time(X509_get0_notBefore(x));
    d->na = td_asn1_time(X509_get0_notAfter(x));
    rfc3339(d->nb, d->not_before, sizeof(d->not_before));
    rfc3339(d->na, d->not_after, sizeof(d->not_after));
    describe_sans(x, d->san, sizeof(d->san));
    int cn = X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1);
    if (cn >= 0) {
        const ASN1_STRING *s =
            X509_NAME_ENTRY_get_data(X509_NAME_get_entry(X509_get_subject_name(x), cn));
        int l = ASN1_STRING_length(s);
        snprintf(d->cn, sizeof(d->cn), "%.*s", l > 255 ? 255 : l,
                 (const char *)ASN1_STRING_get0_data(s));
    }
    d->self_signed = X509_self_signed(x, 0) == 1;
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk != NULL) {
        d->key_bits = EVP_PKEY_get_bits(pk);
        const char *type = EVP_PKEY_get0_type_name(pk);
        snprintf(d->key, sizeof(d->key), "%s-%d", type ? type : "key", d->key_bits);
    }
    int md = NID_undef;
    if (X509_get_signature_info(x, &md, NULL, NULL, NULL) && md != NID_undef)
        snprintf(d->sig_digest, sizeof(d->sig_digest), "%s", OBJ_nid2sn(md));
    describe_eku(x, d->eku, sizeof(d->eku));
    describe_aia(x, d->aia_ca_issuers, sizeof(d->aia_ca_issuers));
    d->must_staple = td_cert_must_staple(x);
}
