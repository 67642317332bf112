/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* ocsp_check: what is wrong with a stapled OCSP response, worked out with OpenSSL's OCSP API.
 *
 * Every fact is gathered first (status, dates, signature), then the verdict is the first
 * problem in the header's order of precedence, so the report can show the dates of a response
 * whose signature is bad, or the status of one whose issuer is missing.
 *
 * Runs inside other programs' handshakes: it keeps no state, takes no locks of its own, touches
 * the caller's X509_STORE only through OpenSSL's locked lookups, and leaves the thread's error
 * queue exactly as it found it. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "ocsp_check.h"
#include "util.h"

#define TLS_FEATURE_STATUS_REQUEST 5

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* RFC 3339 text for t and, when asked, how many seconds t lies after now. 0 when t does not
 * parse. */
static int read_time(const ASN1_GENERALIZEDTIME *t, time_t now, char *text, size_t size,
                     long *seconds_from_now)
{
    struct tm when, now_tm;
    int days, seconds, year;
    long long diff;

    if (!ASN1_TIME_to_tm(t, &when)) return 0;
    if (OPENSSL_gmtime(&now, &now_tm) == NULL ||
        !OPENSSL_gmtime_diff(&days, &seconds, &now_tm, &when))
        return 0;
    year = when.tm_year + 1900;
    /* ASN1_TIME_to_tm keeps to these ranges; saying so also bounds the text's length. */
    if (year < 0 || year > 9999 || when.tm_mon < 0 || when.tm_mon > 11 || when.tm_mday < 1 ||
        when.tm_mday > 31 || when.tm_hour < 0 || when.tm_hour > 23 || when.tm_min < 0 ||
        when.tm_min > 59 || when.tm_sec < 0 || when.tm_sec > 60)
        return 0;
    td_rfc3339_tm(&when, text, size);
    if (seconds_from_now != NULL) {
        diff = (long long)days * 86400 + seconds;
        /* Saturate where long is 32 bits: the sign is what matters to the verdict. */
        *seconds_from_now = diff > LONG_MAX ? LONG_MAX : diff < LONG_MIN ? LONG_MIN : (long)diff;
    }
    return 1;
}

/* The leaf's issuer, with a reference the caller frees: from the chain first (that is what the
 * peer sent), else from the trust store. */
static X509 *find_issuer(X509 *leaf, STACK_OF(X509) *chain, X509_STORE *trust)
{
    X509 *issuer = NULL;
    X509_STORE_CTX *ctx;
    int i;

    for (i = 0; i < sk_X509_num(chain); i++) {
        X509 *candidate = sk_X509_value(chain, i);

        if (candidate != NULL && X509_check_issued(candidate, leaf) == X509_V_OK) {
            X509_up_ref(candidate);
            return candidate;
        }
    }
    if (trust == NULL || (ctx = X509_STORE_CTX_new()) == NULL) return NULL;
    if (!X509_STORE_CTX_init(ctx, trust, leaf, chain) ||
        X509_STORE_CTX_get1_issuer(&issuer, ctx, leaf) != 1)
        issuer = NULL;
    X509_STORE_CTX_free(ctx);
    return issuer;
}

static int issuer_name_hash_matches(X509 *leaf, const EVP_MD *md, const ASN1_OCTET_STRING *hash)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    return X509_NAME_digest(X509_get_issuer_name(leaf), md, digest, &n) &&
           (int)n == ASN1_STRING_length(hash) &&
           memcmp(digest, ASN1_STRING_get0_data(hash), n) == 0;
}

/* The SingleResponse about the leaf. With the issuer known, the whole CertID must match, hashed
 * with whichever digest the responder chose (OCSP_resp_find_status would only try the one we
 * guessed). Without the issuer, the serial and the issuer-name hash still single the leaf out
 * well enough to report its status, though not to prove it. */
static OCSP_SINGLERESP *find_single(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer)
{
    const ASN1_INTEGER *serial = X509_get0_serialNumber(leaf);
    int i, n = OCSP_resp_count(bs);

    for (i = 0; i < n; i++) {
        OCSP_SINGLERESP *single = OCSP_resp_get0(bs, i);
        OCSP_CERTID *id, *leaf_id;
        ASN1_OCTET_STRING *name_hash = NULL;
        ASN1_OBJECT *md_oid = NULL;
        ASN1_INTEGER *id_serial = NULL;
        const EVP_MD *md;
        int same;

        if (single == NULL) continue;
        /* OCSP_id_get0_info only reads, but its prototype predates const. */
        id = (OCSP_CERTID *)OCSP_SINGLERESP_get0_id(single);
        if (id == NULL || !OCSP_id_get0_info(&name_hash, &md_oid, NULL, &id_serial, id)) continue;
        if (id_serial == NULL || ASN1_INTEGER_cmp(id_serial, serial) != 0) continue;
        if ((md = EVP_get_digestbyobj(md_oid)) == NULL) continue;
        if (issuer == NULL) {
            if (name_hash != NULL && issuer_name_hash_matches(leaf, md, name_hash)) return single;
            continue;
        }
        leaf_id = OCSP_cert_to_id(md, leaf, issuer);
        same = leaf_id != NULL && OCSP_id_cmp(leaf_id, id) == 0;
        OCSP_CERTID_free(leaf_id);
        if (same) return single;
    }
    return NULL;
}

/* Status, reason and dates of the leaf's SingleResponse. 0 when its times do not parse. */
static int read_single(OCSP_SINGLERESP *single, time_t now, struct td_ocsp_info *out, int *status,
                       int *has_next_update)
{
    int reason = OCSP_REVOKED_STATUS_NOSTATUS;
    ASN1_GENERALIZEDTIME *revoked_at = NULL, *this_update = NULL, *next_update = NULL;

    *status = OCSP_single_get0_status(single, &reason, &revoked_at, &this_update, &next_update);
    if (*status != V_OCSP_CERTSTATUS_GOOD && *status != V_OCSP_CERTSTATUS_REVOKED &&
        *status != V_OCSP_CERTSTATUS_UNKNOWN)
        return 0;
    copy_text(out->cert_status, sizeof(out->cert_status), OCSP_cert_status_str(*status));
    if (*status == V_OCSP_CERTSTATUS_REVOKED) {
        if (revoked_at != NULL &&
            !read_time(revoked_at, now, out->revocation_time, sizeof(out->revocation_time), NULL))
            return 0;
        if (reason != OCSP_REVOKED_STATUS_NOSTATUS)
            copy_text(out->revocation_reason, sizeof(out->revocation_reason),
                      OCSP_crl_reason_str(reason));
    }
    if (this_update == NULL || !read_time(this_update, now, out->this_update,
                                          sizeof(out->this_update), &out->this_update_in))
        return 0;
    *has_next_update = next_update != NULL;
    return next_update == NULL || read_time(next_update, now, out->next_update,
                                            sizeof(out->next_update), &out->next_update_in);
}

/* The newest error on the queue as "reason: detail", for the report. */
static void describe_last_error(char *text, size_t size)
{
    const char *data = NULL, *reason;
    int flags = 0;
    unsigned long e = ERR_peek_last_error_data(&data, &flags);

    if (e == 0) {
        copy_text(text, size, "verification failed");
        return;
    }
    reason = ERR_reason_error_string(e);
    if (reason == NULL) reason = "verification failed";
    if (data != NULL && (flags & ERR_TXT_STRING) && *data != '\0')
        snprintf(text, size, "%s: %s", reason, data);
    else copy_text(text, size, reason);
}

/* The signature and the responder's authority, with the peer's chain as untrusted helpers.
 * Without a trust store the issuer found in the chain is the anchor: the question is then only
 * "did the leaf's CA (or its delegate) sign this", which is what a stapled response must show.
 * OCSP_basic_verify takes no clock: the responder's certificate is judged at the real time. */
static void check_signature(OCSP_BASICRESP *bs, STACK_OF(X509) *chain, X509_STORE *trust,
                            X509 *issuer, struct td_ocsp_info *out)
{
    X509_STORE *store = trust;
    unsigned long flags = 0;
    int ok;

    if (store == NULL) {
        if (issuer == NULL) return;
        if ((store = X509_STORE_new()) == NULL || !X509_STORE_add_cert(store, issuer)) {
            X509_STORE_free(store);
            return;
        }
        /* the issuer may be an intermediate: let it end the chain on its own */
        flags |= OCSP_PARTIAL_CHAIN;
    }
    ok = OCSP_basic_verify(bs, chain, store, flags) > 0;
    out->signature_ok = ok;
    if (!ok) describe_last_error(out->signature_error, sizeof(out->signature_error));
    if (store != trust) X509_STORE_free(store);
}

/* Delegated: the responder is some certificate other than the leaf's issuer. */
static int signer_is_delegate(OCSP_BASICRESP *bs, STACK_OF(X509) *chain, X509 *leaf, X509 *issuer)
{
    X509 *signer = NULL;

    if (OCSP_resp_get0_signer(bs, &signer, chain) != 1 || signer == NULL) return 0;
    if (issuer != NULL) return X509_cmp(signer, issuer) != 0;
    return leaf != NULL &&
           X509_NAME_cmp(X509_get_subject_name(signer), X509_get_issuer_name(leaf)) != 0;
}

static enum td_ocsp_verdict check(const unsigned char *der, size_t len, X509 *leaf,
                                  STACK_OF(X509) *chain, X509_STORE *trust, time_t now,
                                  struct td_ocsp_info *out)
{
    const unsigned char *p = der;
    OCSP_RESPONSE *resp = NULL;
    OCSP_BASICRESP *bs = NULL;
    OCSP_SINGLERESP *single = NULL;
    X509 *issuer = NULL;
    enum td_ocsp_verdict verdict;
    int times_ok = 1, status = -1, has_next_update = 0;

    if (len > LONG_MAX || (resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len)) == NULL)
        return TD_OCSP_MALFORMED;
    out->response_status = OCSP_response_status(resp);
    copy_text(out->response_status_str, sizeof(out->response_status_str),
              OCSP_response_status_str(out->response_status));
    if (out->response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        verdict = TD_OCSP_UNSUCCESSFUL;
        goto done;
    }
    if ((bs = OCSP_response_get1_basic(resp)) == NULL) {
        verdict = TD_OCSP_MALFORMED;
        goto done;
    }

    if (leaf != NULL) {
        issuer = find_issuer(leaf, chain, trust);
        single = find_single(bs, leaf, issuer);
        if (single != NULL) times_ok = read_single(single, now, out, &status, &has_next_update);
    }
    check_signature(bs, chain, trust, issuer, out);
    out->responder_delegated = signer_is_delegate(bs, chain, leaf, issuer);

    if (!times_ok) verdict = TD_OCSP_MALFORMED;
    else if (issuer == NULL) verdict = TD_OCSP_NO_ISSUER;
    else if (single == NULL) verdict = TD_OCSP_WRONG_CERT;
    else if (out->signature_ok != 1) verdict = TD_OCSP_BAD_SIGNATURE;
    else if (status == V_OCSP_CERTSTATUS_REVOKED) verdict = TD_OCSP_REVOKED;
    else if (out->this_update_in > 0 || (has_next_update && out->next_update_in < 0))
        /* No grace period, as PyMongo's check has none: a response dated a second ahead
         * of this clock is what makes such a client refuse it. */
        verdict = TD_OCSP_STALE;
    else if (status == V_OCSP_CERTSTATUS_UNKNOWN) verdict = TD_OCSP_UNKNOWN_STATUS;
    else verdict = TD_OCSP_GOOD;

done:
    X509_free(issuer);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
    return verdict;
}

void td_ocsp_check(const unsigned char *der, size_t len, X509 *leaf, STACK_OF(X509) *chain,
                   X509_STORE *trust, time_t now, struct td_ocsp_info *out)
{
    if (out == NULL) return;
    memset(out, 0, sizeof(*out));
    out->response_status = -1;
    out->signature_ok = -1;
    if (der == NULL || len == 0) {
        out->verdict = TD_OCSP_NONE;
        return;
    }
    ERR_set_mark();
    out->verdict = check(der, len, leaf, chain, trust, now, out);
    ERR_pop_to_mark();
}

int td_cert_must_staple(X509 *cert)
{
    TLS_FEATURE *features;
    int i, found = 0;

    /* Most certificates have no TLS feature extension: found without decoding or a mark. */
    if (cert == NULL || X509_get_ext_by_NID(cert, NID_tlsfeature, -1) < 0) return 0;
    ERR_set_mark();
    features = X509_get_ext_d2i(cert, NID_tlsfeature, NULL, NULL);
    for (i = 0; i < sk_ASN1_INTEGER_num(features); i++)
        if (ASN1_INTEGER_get(sk_ASN1_INTEGER_value(features, i)) == TLS_FEATURE_STATUS_REQUEST)
            found = 1;
    TLS_FEATURE_free(features);
    ERR_pop_to_mark();
    return found;
}
