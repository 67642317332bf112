/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* ocsp_check: read a stapled OCSP response with OpenSSL's OCSP API and say what is wrong with it. */
#ifndef TLSDIAG_OCSP_CHECK_H
#define TLSDIAG_OCSP_CHECK_H
#include <stddef.h>
#include <time.h>
#include <openssl/x509.h>

enum td_ocsp_verdict {
    TD_OCSP_NONE = 0, /* nothing stapled */
    TD_OCSP_GOOD,
    TD_OCSP_REVOKED,
    TD_OCSP_UNKNOWN_STATUS, /* certStatus unknown */
    TD_OCSP_STALE,          /* nextUpdate passed or thisUpdate in the future */
    TD_OCSP_UNSUCCESSFUL,   /* responseStatus != successful */
    TD_OCSP_BAD_SIGNATURE,  /* signature or responder does not verify */
    TD_OCSP_WRONG_CERT,     /* no SingleResponse for the leaf */
    TD_OCSP_MALFORMED,      /* bytes do not parse */
    TD_OCSP_NO_ISSUER,      /* cannot identify the leaf: issuer unknown */
};

struct td_ocsp_info {
    enum td_ocsp_verdict verdict;
    int response_status; /* OCSP_RESPONSE_STATUS_*, -1 if unparsed */
    char response_status_str[32];
    char cert_status[16];     /* "good", "revoked", "unknown" or "" */
    char revocation_time[32]; /* RFC 3339 */
    char revocation_reason[32];
    char this_update[32], next_update[32];
    long next_update_in; /* seconds from now, negative if past */
    long this_update_in;
    int signature_ok; /* 1 verifies, 0 fails, -1 not checked */
    char signature_error[128];
    int responder_delegated; /* signed by a delegated responder certificate */
};

/* Check DER staple against the leaf and the chain (issuer first where known; trust may be NULL).
 * Never leaves errors on the queue. now is the clock to compare against. */
void td_ocsp_check(const unsigned char *der, size_t len, X509 *leaf, STACK_OF(X509) *chain,
                   X509_STORE *trust, time_t now, struct td_ocsp_info *out);

/* 1 when the certificate carries the TLS feature status_request (must-staple). */
int td_cert_must_staple(X509 *cert);

#endif
