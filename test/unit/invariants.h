/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* invariants: what must hold of any result the parsers give, whatever bytes went in. Shared by
 * the unit tests (on damaged input) and the fuzz targets (on everything). */
#ifndef TLSDIAG_TEST_INVARIANTS_H
#define TLSDIAG_TEST_INVARIANTS_H
#include <string.h>

#include "hello.h"
#include "ocsp_check.h"

static inline int terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

/* The version td_hello_version reports is one the hello actually carries. */
static inline int hello_version_carried(const struct td_hello *h)
{
    uint16_t v = td_hello_version(h);
    int i;

    if (v == h->legacy_version) return 1;
    for (i = 0; i < h->n_versions && i < TD_HELLO_MAX_VERSIONS; i++)
        if (v == h->versions[i]) return 1;
    return 0;
}

/* An accepted hello: counts that make sense, an SNI that ends inside its array, a ServerHello
 * that selected exactly one of everything, and a version taken from the hello itself. */
static inline int hello_sane(const struct td_hello *h)
{
    return h->parsed == 1 && hello_version_carried(h) &&
           (h->is_server_hello == 0 || h->is_server_hello == 1) && h->n_versions >= 0 &&
           h->n_ciphers >= 0 && h->n_groups >= 0 && h->n_sigalgs >= 0 &&
           terminated(h->sni, sizeof(h->sni)) && (h->has_sni || h->sni[0] == '\0') &&
           (!h->is_server_hello || (h->n_ciphers == 1 && h->n_versions <= 1 && h->n_groups <= 1 &&
                                    h->n_sigalgs == 0 && h->scsv == 0));
}

/* A refused hello leaves nothing behind that could be mistaken for a fact about the peer. */
static inline int hello_all_zero(const struct td_hello *h)
{
    static const struct td_hello zero;

    return memcmp(h, &zero, sizeof(zero)) == 0 && td_hello_version(h) == 0;
}

static inline int ocsp_info_sane(const struct td_ocsp_info *i)
{
    return (unsigned)i->verdict <= TD_OCSP_NO_ISSUER && i->signature_ok >= -1 &&
           i->signature_ok <= 1 && (i->responder_delegated == 0 || i->responder_delegated == 1) &&
           (i->verdict != TD_OCSP_GOOD ||
            (i->signature_ok == 1 && strcmp(i->cert_status, "good") == 0)) &&
           terminated(i->response_status_str, sizeof(i->response_status_str)) &&
           terminated(i->cert_status, sizeof(i->cert_status)) &&
           terminated(i->revocation_time, sizeof(i->revocation_time)) &&
           terminated(i->revocation_reason, sizeof(i->revocation_reason)) &&
           terminated(i->this_update, sizeof(i->this_update)) &&
           terminated(i->next_update, sizeof(i->next_update)) &&
           terminated(i->signature_error, sizeof(i->signature_error));
}

#endif
