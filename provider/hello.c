/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* hello: a reader for ClientHello and ServerHello messages as the msg callback hands them over.
 *
 * The bytes come from the peer (or from a host application we do not control), so every read
 * goes through struct reader, which refuses to move past its end: a hostile length can make a
 * parse fail, never make it read outside [msg, msg + len). Nothing here allocates, so it is
 * safe to call from any callback, on any thread.
 *
 * What the struct holds for a ServerHello, beyond the header's comments:
 *   ciphers[0]   the selected suite (n_ciphers == 1);
 *   versions[0]  the supported_versions selection, when the extension is there (TLS 1.3);
 *   groups[0]    the key_share group: the one a TLS 1.3 ServerHello used, or the one a
 *                HelloRetryRequest asks for;
 *   has_sni      the server acknowledged SNI with an empty server_name extension (TLS <= 1.2).
 * A HelloRetryRequest is a ServerHello on the wire and is reported as one. */
#include <string.h>

#include "hello.h"

#define HS_CLIENT_HELLO 1
#define HS_SERVER_HELLO 2
#define RANDOM_LEN 32
#define SESSION_ID_MAX 32

#define EXT_SERVER_NAME 0x0000
#define EXT_STATUS_REQUEST 0x0005
#define EXT_SUPPORTED_GROUPS 0x000a
#define EXT_SIGNATURE_ALGORITHMS 0x000d
#define EXT_SUPPORTED_VERSIONS 0x002b
#define EXT_KEY_SHARE 0x0033
#define EXT_RENEGOTIATION_INFO 0xff01

#define SNI_HOST_NAME 0
#define CIPHER_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff

/* RFC 8446 4.1.3: a ServerHello whose random is SHA-256("HelloRetryRequest") is an HRR. */
static const unsigned char hello_retry_random[RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

struct reader {
    const unsigned char *p;
    size_t left;
};

static int take(struct reader *r, size_t n, const unsigned char **bytes)
{
    if (r->left < n) return 0;
    *bytes = r->p;
    r->p += n;
    r->left -= n;
    return 1;
}

static int read_u8(struct reader *r, unsigned *v)
{
    const unsigned char *b;

    if (!take(r, 1, &b)) return 0;
    *v = b[0];
    return 1;
}

static int read_u16(struct reader *r, uint16_t *v)
{
    const unsigned char *b;

    if (!take(r, 2, &b)) return 0;
    *v = (uint16_t)((b[0] << 8) | b[1]);
    return 1;
}

static int read_u24(struct reader *r, size_t *v)
{
    const unsigned char *b;

    if (!take(r, 3, &b)) return 0;
    *v = ((size_t)b[0] << 16) | ((size_t)b[1] << 8) | b[2];
    return 1;
}

/* Split the next n bytes off as their own reader, so a nested structure cannot overrun its
 * declared length into whatever follows it. */
static int sub_reader(struct reader *r, size_t n, struct reader *sub)
{
    if (!take(r, n, &sub->p)) return 0;
    sub->left = n;
    return 1;
}

static int read_vector8(struct reader *r, struct reader *sub)
{
    unsigned n;

    return read_u8(r, &n) && sub_reader(r, n, sub);
}

static int read_vector16(struct reader *r, struct reader *sub)
{
    uint16_t n;

    return read_u16(r, &n) && sub_reader(r, n, sub);
}

/* A list of 16-bit values that must fill its reader exactly. Stores up to cap, counts all. */
static int read_u16_list(struct reader *list, uint16_t *store, int cap, int *count)
{
    uint16_t v;

    if (list->left % 2 != 0) return 0;
    while (list->left > 0) {
        if (!read_u16(list, &v)) return 0;
        if (*count < cap) store[*count] = v;
        (*count)++;
    }
    return 1;
}

/* An extension body given as one length-prefixed u16 list that must fill it. */
static int read_ext_u16_list16(struct reader *ext, uint16_t *store, int cap, int *count)
{
    struct reader list;

    return read_vector16(ext, &list) && ext->left == 0 && read_u16_list(&list, store, cap, count);
}

static int read_server_name(struct reader *ext, struct td_hello *out)
{
    struct reader list, name;
    unsigned type;

    if (out->is_server_hello) {
        /* the server's acknowledgement carries no data */
        if (ext->left != 0) return 0;
        out->has_sni = 1;
        return 1;
    }
    if (!read_vector16(ext, &list) || ext->left != 0 || list.left == 0) return 0;
    while (list.left > 0) {
        if (!read_u8(&list, &type) || !read_vector16(&list, &name)) return 0;
        /* Only the first host_name counts: that is the one a server acts on. */
        if (type == SNI_HOST_NAME && !out->has_sni) {
            size_t n = name.left < TD_HELLO_SNI_MAX ? name.left : TD_HELLO_SNI_MAX;

            memcpy(out->sni, name.p, n);
            out->sni[n] = '\0';
            out->has_sni = 1;
        }
    }
    return 1;
}

static int read_supported_versions(struct reader *ext, struct td_hello *out)
{
    struct reader list;

    if (out->is_server_hello) {
        uint16_t v;

        if (!read_u16(ext, &v) || ext->left != 0) return 0;
        out->versions[0] = v;
        out->n_versions = 1;
        return 1;
    }
    return read_vector8(ext, &list) && ext->left == 0 && list.left > 0 &&
           read_u16_list(&list, out->versions, TD_HELLO_MAX_VERSIONS, &out->n_versions);
}

/* A HelloRetryRequest's key_share is only the group it wants; a ServerHello's is a
 * KeyShareEntry, the group followed by the server's share. */
static int read_server_key_share(struct reader *ext, int retry_request, struct td_hello *out)
{
    uint16_t group;
    struct reader share;

    if (!read_u16(ext, &group)) return 0;
    if (!retry_request && (!read_vector16(ext, &share) || share.left == 0)) return 0;
    if (ext->left != 0) return 0;
    out->groups[0] = group;
    out->n_groups = 1;
    return 1;
}

/* One bit per extension we interpret, to refuse a second copy (RFC 8446 4.2 forbids it, and
 * counting it twice would misreport what was offered). */
enum seen_bit {
    SEEN_SNI = 1 << 0,
    SEEN_STATUS = 1 << 1,
    SEEN_GROUPS = 1 << 2,
    SEEN_SIGALGS = 1 << 3,
    SEEN_VERSIONS = 1 << 4,
    SEEN_KEY_SHARE = 1 << 5,
    SEEN_RENEGO = 1 << 6,
};

struct extensions_state {
    int retry_request; /* the ServerHello is a HelloRetryRequest */
    unsigned seen;     /* enum seen_bit */
};

static int first_time(struct extensions_state *st, unsigned bit)
{
    if (st->seen & bit) return 0;
    st->seen |= bit;
    return 1;
}

static int read_extension(uint16_t type, struct reader *ext, struct td_hello *out,
                          struct extensions_state *st)
{
    struct reader inner;

    switch (type) {
    case EXT_SERVER_NAME: return first_time(st, SEEN_SNI) && read_server_name(ext, out);
    case EXT_STATUS_REQUEST:
        if (!first_time(st, SEEN_STATUS)) return 0;
        out->status_request = 1;
        return 1;
    /* Offers that only a client makes: in a ServerHello they are the peer's mistake, which
     * OpenSSL will report; storing them would blur the key_share group kept in groups[0]. */
    case EXT_SUPPORTED_GROUPS:
        return first_time(st, SEEN_GROUPS) &&
               (out->is_server_hello ||
                read_ext_u16_list16(ext, out->groups, TD_HELLO_MAX_GROUPS, &out->n_groups));
    case EXT_SIGNATURE_ALGORITHMS:
        return first_time(st, SEEN_SIGALGS) &&
               (out->is_server_hello ||
                read_ext_u16_list16(ext, out->sigalgs, TD_HELLO_MAX_SIGALGS, &out->n_sigalgs));
    case EXT_SUPPORTED_VERSIONS:
        return first_time(st, SEEN_VERSIONS) && read_supported_versions(ext, out);
    case EXT_KEY_SHARE:
        /* A client's key_share says nothing its supported_groups does not. */
        return first_time(st, SEEN_KEY_SHARE) &&
               (!out->is_server_hello || read_server_key_share(ext, st->retry_request, out));
    case EXT_RENEGOTIATION_INFO:
        if (!first_time(st, SEEN_RENEGO) || !read_vector8(ext, &inner) || ext->left != 0) return 0;
        out->renegotiation_info = 1;
        return 1;
    default: return 1;
    }
}

static int read_extensions(struct reader *body, int retry_request, struct td_hello *out)
{
    struct reader all, ext;
    uint16_t type;
    struct extensions_state st = { retry_request, 0 };

    /* TLS <= 1.2 hellos may end right after the compression methods. */
    if (body->left == 0) return 1;
    if (!read_vector16(body, &all) || body->left != 0) return 0;
    while (all.left > 0) {
        if (!read_u16(&all, &type) || !read_vector16(&all, &ext)) return 0;
        if (!read_extension(type, &ext, out, &st)) return 0;
    }
    return 1;
}

/* Look through every suite offered, not only the ones that fit in the array. */
static int offers_suite(struct reader suites, uint16_t wanted)
{
    uint16_t suite;

    while (read_u16(&suites, &suite))
        if (suite == wanted) return 1;
    return 0;
}

static int read_client_hello(struct reader *body, struct td_hello *out)
{
    struct reader session_id, suites, compression;
    const unsigned char *random;

    if (!read_u16(body, &out->legacy_version) || !take(body, RANDOM_LEN, &random)) return 0;
    if (!read_vector8(body, &session_id) || session_id.left > SESSION_ID_MAX) return 0;
    if (!read_vector16(body, &suites) || suites.left == 0) return 0;
    out->scsv = offers_suite(suites, CIPHER_EMPTY_RENEGOTIATION_INFO_SCSV);
    if (!read_u16_list(&suites, out->ciphers, TD_HELLO_MAX_CIPHERS, &out->n_ciphers)) return 0;
    if (!read_vector8(body, &compression) || compression.left == 0) return 0;
    return read_extensions(body, 0, out);
}

static int read_server_hello(struct reader *body, struct td_hello *out)
{
    struct reader session_id;
    const unsigned char *random, *compression;
    uint16_t suite;

    if (!read_u16(body, &out->legacy_version) || !take(body, RANDOM_LEN, &random)) return 0;
    if (!read_vector8(body, &session_id) || session_id.left > SESSION_ID_MAX) return 0;
    if (!read_u16(body, &suite) || !take(body, 1, &compression)) return 0;
    out->ciphers[0] = suite;
    out->n_ciphers = 1;
    return read_extensions(body, memcmp(random, hello_retry_random, RANDOM_LEN) == 0, out);
}

int td_hello_parse(const unsigned char *msg, size_t len, struct td_hello *out)
{
    struct reader whole = { msg, len }, body;
    unsigned type;
    size_t body_len;
    int ok;

    if (out == NULL) return 0;
    memset(out, 0, sizeof(*out));
    if (msg == NULL) return 0;
    /* The callback hands over exactly one message: its length must account for every byte. */
    if (!read_u8(&whole, &type) || !read_u24(&whole, &body_len) || body_len != whole.left) return 0;
    if (!sub_reader(&whole, body_len, &body)) return 0;
    if (type == HS_CLIENT_HELLO) {
        ok = read_client_hello(&body, out);
    } else if (type == HS_SERVER_HELLO) {
        out->is_server_hello = 1;
        ok = read_server_hello(&body, out);
    } else {
        ok = 0;
    }
    if (!ok) {
        /* Half-filled fields would read as facts about the peer; report nothing instead. */
        memset(out, 0, sizeof(*out));
        return 0;
    }
    out->parsed = 1;
    return 1;
}

int td_hello_sni(const unsigned char *msg, size_t len, char *sni, size_t cap)
{
    struct reader whole = { msg, len }, body, skipped, all, ext;
    const unsigned char *random;
    unsigned type;
    size_t body_len;
    uint16_t v;

    if (msg == NULL || cap == 0) return 0;
    if (!read_u8(&whole, &type) || type != HS_CLIENT_HELLO || !read_u24(&whole, &body_len) ||
        body_len != whole.left || !sub_reader(&whole, body_len, &body))
        return 0;
    if (!read_u16(&body, &v) || !take(&body, RANDOM_LEN, &random) ||
        !read_vector8(&body, &skipped) || !read_vector16(&body, &skipped) ||
        !read_vector8(&body, &skipped) || !read_vector16(&body, &all))
        return 0;
    while (all.left > 0) {
        if (!read_u16(&all, &v) || !read_vector16(&all, &ext)) return 0;
        if (v != EXT_SERVER_NAME) continue;
        struct td_hello h = { 0 };
        if (!read_server_name(&ext, &h) || !h.has_sni) return 0;
        size_t n = strlen(h.sni);
        if (n > cap - 1) n = cap - 1;
        memcpy(sni, h.sni, n);
        sni[n] = '\0';
        return 1;
    }
    return 0;
}

static int is_grease(uint16_t v)
{
    /* RFC 8701: 0x0a0a, 0x1a1a, ... 0xfafa */
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

uint16_t td_hello_version(const struct td_hello *h)
{
    int i, stored;
    uint16_t best = 0;

    if (h == NULL || !h->parsed) return 0;
    if (h->n_versions <= 0) return h->legacy_version;
    if (h->is_server_hello) return h->versions[0];
    stored = h->n_versions < TD_HELLO_MAX_VERSIONS ? h->n_versions : TD_HELLO_MAX_VERSIONS;
    for (i = 0; i < stored; i++)
        if (!is_grease(h->versions[i]) && h->versions[i] > best) best = h->versions[i];
    return best != 0 ? best : h->legacy_version;
}
