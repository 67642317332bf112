/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* test_classify: td_classify is a pure function of the report, so every cause can be proved
 * here from a report built in C, without a server: the section and cause it picks, the evidence
 * that proves it, and the words td_render makes of it in text and JSON. Each case fills in only
 * what observe.c would have seen; the catalogue is walked at the end, and a cause without a case
 * fails the run, so a new cause cannot ship untested. */
#include <stdlib.h>
#include <string.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "check.h"
#include "classify.h"
#include "intercept.h"
#include "render.h"
#include "runtime.h"

#define NOW 1800000000L

struct classify_case {
    const char *what;
    void (*setup)(struct td_report *r);
    enum td_cause_id cause;
    enum td_section section;
    const char *key, *value; /* one evidence line that proves it, or NULL; a key with a NULL
                              * value must be absent */
    const char *text;        /* in the text rendering */
    const char *json;        /* in the JSON rendering */
};

/* ---- the facts, as observe.c would have gathered them ---- */

static void ssl_error(struct td_report *r, int reason, const char *str)
{
    r->err = ERR_PACK(ERR_LIB_SSL, 0, reason);
    r->err_lib = ERR_LIB_SSL;
    r->err_reason = reason;
    snprintf(r->err_reason_str, sizeof(r->err_reason_str), "%s", str);
}

static void received(struct td_report *r, int desc)
{
    r->alert_seen = 1;
    r->alert_level = SSL3_AL_FATAL;
    r->alert_desc = desc;
}

static void verify_failed(struct td_report *r, long code)
{
    ssl_error(r, SSL_R_CERTIFICATE_VERIFY_FAILED, "certificate verify failed");
    r->verify_code = code;
    r->vcert.present = 1;
    strcpy(r->vcert.subject, "CN=db.example");
    strcpy(r->vcert.issuer, "CN=Issuing CA");
    strcpy(r->vcert.not_before, "2026-01-01T00:00:00Z");
    strcpy(r->vcert.not_after, "2027-01-01T00:00:00Z");
    r->top.present = 1;
    strcpy(r->top.subject, "CN=db.example");
    strcpy(r->top.issuer, "CN=Private CA");
    r->chain_sent = 1;
    r->store_loaded = 140;
}

static void trust_store_missing(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    r->store_loaded = 0;
    r->os = TD_OS_DEBIAN;
}

/* The same empty store on another system, or with SSL_CERT_FILE/SSL_CERT_DIR pointing at nothing
 * usable: only the fix's words change. */
static void trust_store_on(struct td_report *r, int os, int env_set)
{
    trust_store_missing(r);
    r->os = os;
    r->cert_env_set = env_set;
}

static void trust_store_elsewhere(struct td_report *r)
{
    trust_store_on(r, TD_OS_OTHER, 0);
}
static void trust_store_fedora(struct td_report *r)
{
    trust_store_on(r, TD_OS_FEDORA, 0);
}
static void trust_store_env(struct td_report *r)
{
    trust_store_on(r, TD_OS_OTHER, 1);
}
static void trust_store_env_debian(struct td_report *r)
{
    trust_store_on(r, TD_OS_DEBIAN, 1);
}
static void trust_store_env_fedora(struct td_report *r)
{
    trust_store_on(r, TD_OS_FEDORA, 1);
}

static void unknown_ca(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

static void unknown_ca_server(struct td_report *r)
{
    unknown_ca(r);
    r->role = TD_ROLE_SERVER;
    r->chain_sent = 2;
}

/* ---- a chain's other problems, and a sole leaf weighed ---- */

static void add_problem(struct td_report *r, long code, int depth, const char *subject)
{
    struct td_chain_problem *p = &r->problems[r->n_problems++];
    memset(p, 0, sizeof(*p));
    p->code = code;
    p->depth = depth;
    strcpy(p->subject, subject);
    strcpy(p->issuer, "CN=Private CA");
    strcpy(p->not_before, "2026-01-01T00:00:00Z");
    strcpy(p->not_after, "2026-06-01T00:00:00Z");
    strcpy(p->key, "RSA-1024");
    strcpy(p->sig_digest, "SHA1");
}

/* A complete chain up to a root nobody here trusts: the usual words. */
static void unknown_ca_full_chain(struct td_report *r)
{
    unknown_ca(r);
    r->chain_sent = 2;
    r->top.self_signed = 1;
    strcpy(r->top.subject, "CN=Private Root");
    strcpy(r->top.issuer, "CN=Private Root");
}

/* OpenSSL stopped at the untrusted issuer; tlsdiag's own verification also met the leaf's
 * expiry, its name, and the issuer problem again (which is the main one, not an "also"). */
static void unknown_ca_expired(struct td_report *r)
{
    unknown_ca_full_chain(r);
    r->verify_depth = 1;
    strcpy(r->requested_name, "db.example");
    r->leaf.present = 1;
    strcpy(r->leaf.san, "DNS:other.example");
    add_problem(r, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, 1, "CN=Private Root");
    add_problem(r, X509_V_ERR_CERT_HAS_EXPIRED, 0, "CN=db.example");
    add_problem(r, X509_V_ERR_HOSTNAME_MISMATCH, 0, "CN=db.example");
}

/* Every kind of problem a chain can add, each in its own words, after a revoked leaf. */
static void revoked_and_more(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_CERT_REVOKED);
    strcpy(r->requested_name, "10.0.0.5");
    r->leaf.present = 1;
    strcpy(r->leaf.cn, "db.example");
    r->security_level = 2;
    add_problem(r, X509_V_ERR_CERT_REVOKED, 0, "CN=db.example");
    add_problem(r, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, 2, "CN=Proxy Root");
    add_problem(r, X509_V_ERR_CERT_NOT_YET_VALID, 1, "CN=Issuing CA");
    add_problem(r, X509_V_ERR_EE_KEY_TOO_SMALL, 0, "CN=db.example");
    add_problem(r, X509_V_ERR_INVALID_PURPOSE, 0, "CN=db.example");
    add_problem(r, X509_V_ERR_IP_ADDRESS_MISMATCH, 0, "CN=db.example");
    add_problem(r, X509_V_ERR_PATH_LENGTH_EXCEEDED, 1, "CN=Issuing CA");
}

/* A weak intermediate as observe.c places it: at its own depth, described itself. */
static void weak_digest_intermediate(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_CA_MD_TOO_WEAK);
    r->verify_depth = 1;
    strcpy(r->vcert.subject, "CN=Issuing CA");
    strcpy(r->vcert.issuer, "CN=Root CA");
    strcpy(r->vcert.sig_digest, "SHA1");
    r->security_level = 2;
    add_problem(r, X509_V_ERR_CA_MD_TOO_WEAK, 1, "CN=Issuing CA");
    add_problem(r, X509_V_ERR_CA_KEY_TOO_SMALL, 2, "CN=Root CA");
}

/* Only the leaf, for a public name, its issuer in no store here: the server's chain is short. */
static void sole_leaf_public(struct td_report *r)
{
    unknown_ca(r);
    strcpy(r->requested_name, "db.example.com");
}

/* The issuer's name is in the store, yet it did not verify: a replaced CA, the client's side. */
static void sole_leaf_other_key(struct td_report *r)
{
    sole_leaf_public(r);
    r->issuer_in_store = 1;
}

static void missing_intermediate(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE);
    strcpy(r->top.aia_ca_issuers, "http://ca.example/int.crt");
}

static void self_signed(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    r->runtime = TD_RT_PYTHON;
}

static void self_signed_in_chain(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
    strcpy(r->top.subject, "CN=Proxy Root");
}

static void expired(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_CERT_HAS_EXPIRED);
    r->vcert.na = NOW - 3 * 86400;
}

static void not_yet_valid(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_CERT_NOT_YET_VALID);
    r->now = TLSDIAG_BUILD_EPOCH + 1000;
    r->vcert.nb = r->now + 5 * 86400;
    r->not_yet_valid_count = 1;
}

static void not_yet_valid_clock(struct td_report *r)
{
    not_yet_valid(r);
    r->not_yet_valid_count = 3;
}

static void hostname_mismatch(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_HOSTNAME_MISMATCH);
    strcpy(r->requested_name, "db.example");
    r->leaf.present = 1;
    strcpy(r->leaf.san, "DNS:other.example");
    r->runtime = TD_RT_CURL;
}

static void weak_key(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_EE_KEY_TOO_SMALL);
    strcpy(r->vcert.key, "RSA");
    r->vcert.key_bits = 1024;
    r->security_level = 2;
}

static void bad_purpose(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_INVALID_PURPOSE);
    strcpy(r->vcert.eku, "TLS Web Client Authentication");
}

static void revoked_crl(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_CERT_REVOKED);
}
static void other_verify(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_CERT_SIGNATURE_FAILURE);
}

/* ---- interception: observe.c recognised an entry of intercept.c's table in the chain ---- */

static const struct td_interceptor *interceptor(const char *product)
{
    for (size_t i = 0; i < td_n_interceptors; i++)
        if (!strcmp(td_interceptors[i].product, product)) return &td_interceptors[i];
    abort(); /* a case names an entry the table lost */
}

static void intercepted(struct td_report *r, long code, const char *product, int depth,
                        const char *ca)
{
    verify_failed(r, code);
    r->interceptor = interceptor(product);
    r->interceptor_depth = depth;
    snprintf(r->interceptor_ca, sizeof(r->interceptor_ca), "%s", ca);
    r->runtime = TD_RT_PYTHON;
}

/* Superfish's root sent as the top of the chain: a key everyone has. */
static void known_key(struct td_report *r)
{
    intercepted(r, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "Superfish", 1,
                "CN=Superfish\\, Inc.,C=US,ST=CA,L=SF,O=Superfish\\, Inc.");
    r->chain_sent = 2;
}

/* webpack-dev-server's own certificate, self-signed. */
static void known_dev_cert(struct td_report *r)
{
    intercepted(r, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, "webpack-dev-server", 0, "CN=Webpack");
}

/* A leaf for the host that Zscaler's root issued, the root not sent. */
static void proxy_zscaler(struct td_report *r)
{
    intercepted(r, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "Zscaler", 0,
                "CN=Zscaler Root CA,O=Zscaler Inc.");
    r->interceptor_by_issuer = 1;
}

static void proxy_eset(struct td_report *r)
{
    intercepted(r, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "ESET", 0,
                "CN=ESET SSL Filter CA,O=ESET spol. s r. o.");
}

static void proxy_mitmproxy(struct td_report *r)
{
    intercepted(r, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, "mitmproxy", 1,
                "CN=mitmproxy,O=mitmproxy");
    r->runtime = TD_RT_CURL;
}

/* A FortiGate root too weak for the security level. */
static void proxy_weak_root(struct td_report *r)
{
    intercepted(r, X509_V_ERR_CA_KEY_TOO_SMALL, "Fortinet FortiGate", 1,
                "CN=Fortinet_CA_SSL,O=Fortinet");
    strcpy(r->vcert.key, "RSA");
    r->vcert.key_bits = 1024;
    r->security_level = 2;
}

/* A proxy's certificate that expired is still an expired certificate: the cause stays. */
static void proxy_expired(struct td_report *r)
{
    proxy_zscaler(r);
    r->verify_code = X509_V_ERR_CERT_HAS_EXPIRED;
    r->vcert.na = NOW - 3 * 86400;
}

/* A server refusing a client certificate names no interceptor. */
static void proxy_as_server(struct td_report *r)
{
    proxy_zscaler(r);
    r->role = TD_ROLE_SERVER;
}

/* No entry of the table, but a MongoDB Atlas name from a CA nobody here trusts. */
static void public_name(struct td_report *r)
{
    verify_failed(r, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    strcpy(r->requested_name, "cluster0.abcde.mongodb.net");
    strcpy(r->top.issuer, "CN=Corp Inspection CA");
}

/* The same from a name that is no public service: unknown_ca, as before. */
static void public_name_not_listed(struct td_report *r)
{
    public_name(r);
    strcpy(r->requested_name, "db.internal.example");
}

static void versions(struct td_report *r, int min, int max)
{
    r->min_version = min;
    r->max_version = max;
    r->openssl_version = "OpenSSL 3.0.test";
}

static void peer_rejected_versions(struct td_report *r)
{
    received(r, SSL_AD_PROTOCOL_VERSION);
    ssl_error(r, SSL_R_TLSV1_ALERT_PROTOCOL_VERSION, "tlsv1 alert protocol version");
    versions(r, TLS1_VERSION, TLS1_1_VERSION);
    r->max_explicit = 1;
}

static void peer_version_too_low(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    ssl_error(r, SSL_R_UNSUPPORTED_PROTOCOL, "unsupported protocol");
    versions(r, TLS1_2_VERSION, TLS1_2_VERSION);
    r->peer_version = TLS1_VERSION;
}

static void server_refused_versions(struct td_report *r)
{
    peer_rejected_versions(r);
    versions(r, TLS1_2_VERSION, TLS1_3_VERSION);
    r->max_explicit = 0;
}

static void client_capped_12(struct td_report *r)
{
    peer_rejected_versions(r);
    versions(r, TLS1_2_VERSION, TLS1_2_VERSION);
}

static void server_too_old(struct td_report *r)
{
    peer_version_too_low(r);
    r->role = TD_ROLE_CLIENT;
}

/* OpenSSL 3's default: any version from TLS 1.0, at security level 1. */
static void server_too_old_level(struct td_report *r)
{
    server_too_old(r);
    ssl_error(r, SSL_R_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED,
              "legacy sigalg disallowed or unsupported");
    versions(r, TLS1_VERSION, TLS1_3_VERSION);
    r->security_level = 1;
}

static void no_protocols(struct td_report *r)
{
    ssl_error(r, SSL_R_NO_PROTOCOLS_AVAILABLE, "no protocols available");
    versions(r, TLS1_3_VERSION, TLS1_2_VERSION);
}

static void staple(struct td_report *r, enum td_ocsp_verdict verdict)
{
    ssl_error(r, SSL_R_INVALID_STATUS_RESPONSE, "invalid status response");
    r->leaf.present = 1;
    strcpy(r->leaf.subject, "CN=db.example");
    r->ocsp_requested = r->ocsp_stapled = 1;
    r->ocsp_len = 1234;
    r->ocsp.verdict = verdict;
    r->ocsp.signature_ok = verdict == TD_OCSP_BAD_SIGNATURE ? 0 : 1;
    r->ocsp.response_status = verdict == TD_OCSP_MALFORMED ? -1 : 0;
    strcpy(r->ocsp.response_status_str,
           verdict == TD_OCSP_UNSUCCESSFUL ? "tryLater" : "successful");
    if (verdict == TD_OCSP_MALFORMED) r->ocsp.response_status_str[0] = '\0';
    strcpy(r->ocsp.this_update, "2026-11-01T00:00:00Z");
    strcpy(r->ocsp.next_update, "2026-11-08T00:00:00Z");
    r->ocsp.next_update_in = verdict == TD_OCSP_STALE ? -3600 : 86400 * 3;
    if (verdict == TD_OCSP_REVOKED) {
        strcpy(r->ocsp.cert_status, "revoked");
        strcpy(r->ocsp.revocation_time, "2026-10-01T00:00:00Z");
        strcpy(r->ocsp.revocation_reason, "keyCompromise");
    }
}

static void ocsp_revoked(struct td_report *r)
{
    staple(r, TD_OCSP_REVOKED);
}
static void ocsp_stale(struct td_report *r)
{
    staple(r, TD_OCSP_STALE);
}
/* Signed ten days ahead of this clock: the clock is behind, not the server's staple. */
static void ocsp_from_the_future(struct td_report *r)
{
    staple(r, TD_OCSP_STALE);
    r->now = 1793491200L - 10 * 86400; /* 2026-10-22T00:00:00Z, ten days before thisUpdate */
    r->ocsp.this_update_in = 10 * 86400;
    r->ocsp.next_update_in = 17 * 86400;
}

/* A minute ahead is clocks drifting apart, within the slack: the usual words. */
static void ocsp_a_minute_ahead(struct td_report *r)
{
    ocsp_from_the_future(r);
    r->ocsp.this_update_in = 60;
}

static void ocsp_unsuccessful(struct td_report *r)
{
    staple(r, TD_OCSP_UNSUCCESSFUL);
}
static void ocsp_bad_signature(struct td_report *r)
{
    staple(r, TD_OCSP_BAD_SIGNATURE);
    strcpy(r->ocsp.signature_error, "signer certificate not found");
}
static void ocsp_wrong_cert(struct td_report *r)
{
    staple(r, TD_OCSP_WRONG_CERT);
}
static void ocsp_malformed(struct td_report *r)
{
    staple(r, TD_OCSP_MALFORMED);
}

static void ocsp_missing(struct td_report *r)
{
    staple(r, TD_OCSP_NONE);
    r->ocsp_stapled = 0;
    r->leaf.must_staple = 1;
}

static void ocsp_rejected(struct td_report *r)
{
    staple(r, TD_OCSP_NONE);
    r->ocsp_stapled = 0;
}

static void ocsp_callback(struct td_report *r)
{
    staple(r, TD_OCSP_GOOD);
    ssl_error(r, SSL_R_OCSP_CALLBACK_FAILURE, "ocsp callback failure");
}

static void offered(struct td_report *r, int total, int non_fs, int sni)
{
    r->offered.parsed = 1;
    r->offered.n_versions = 1;
    r->offered.versions[0] = TLS1_2_VERSION;
    r->offered.n_ciphers = total;
    r->offered_mix.total = r->offered_mix.examined = total;
    r->offered_mix.non_fs = non_fs;
    r->offered_mix.fs = total - non_fs;
    r->offered.has_sni = sni;
    if (sni) strcpy(r->offered.sni, "db.example");
}

static void no_shared_cipher_server(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    r->runtime = TD_RT_PYTHON; /* the guide's Python advice is for clients */
    ssl_error(r, SSL_R_NO_SHARED_CIPHER, "no shared cipher");
    offered(r, 3, 3, 1);
    strcpy(r->server_allows, "ECDHE-RSA-AES128-GCM-SHA256");
}

/* A server whose cipher list holds nothing but NULL suites: old clients are not the fault. */
static void no_shared_cipher_server_null(struct td_report *r)
{
    no_shared_cipher_server(r);
    strcpy(r->server_allows, "NULL-SHA256:NULL-SHA");
    r->server_total = r->server_null = 2;
}

/* A client that offered nothing but NULL suites (eNULL:@SECLEVEL=0): neither is the server. */
static void no_shared_cipher_null_offered(struct td_report *r)
{
    received(r, SSL_AD_HANDSHAKE_FAILURE);
    ssl_error(r, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, "sslv3 alert handshake failure");
    r->runtime = TD_RT_PYTHON;
    offered(r, 4, 4, 1);
    r->offered_null = 4;
}

static void no_shared_cipher_client(struct td_report *r)
{
    r->runtime = TD_RT_PYTHON;
    received(r, SSL_AD_HANDSHAKE_FAILURE);
    ssl_error(r, SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, "sslv3 alert handshake failure");
    offered(r, 5, 0, 0);
}

static void no_shared_cipher_sni(struct td_report *r)
{
    no_shared_cipher_client(r);
    r->offered.has_sni = 1;
    strcpy(r->offered.sni, "db.example");
}

static void no_common_group(struct td_report *r)
{
    ssl_error(r, SSL_R_NO_SHARED_GROUPS, "no shared groups");
    r->offered.n_groups = 2;
}

static void legacy_reneg(struct td_report *r)
{
    r->runtime = TD_RT_PYTHON;
    ssl_error(r, SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED,
              "unsafe legacy renegotiation disabled");
    strcpy(r->policy.path, "/etc/ssl/openssl.cnf");
    r->openssl_version = "OpenSSL 3.0.test";
}

static void not_tls(struct td_report *r)
{
    ssl_error(r, SSL_R_WRONG_VERSION_NUMBER, "wrong version number");
    memcpy(r->first_bytes, "HTTP/", 5);
    r->first_bytes_len = 5;
}

static void not_tls_bytes(struct td_report *r)
{
    not_tls(r);
    memcpy(r->first_bytes, "\x3a\x00\x00\x00\x01", 5); /* a MongoDB reply */
}

static void http_to_server(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    ssl_error(r, SSL_R_HTTP_REQUEST, "http request");
}

static void peer_closed(struct td_report *r)
{
    strcpy(r->state, "SSLv3/TLS read server hello");
}

static void peer_internal_error(struct td_report *r)
{
    received(r, SSL_AD_INTERNAL_ERROR);
    ssl_error(r, SSL_R_TLSV1_ALERT_INTERNAL_ERROR, "tlsv1 alert internal error");
}

static void dh_small(struct td_report *r)
{
    ssl_error(r, SSL_R_DH_KEY_TOO_SMALL, "dh key too small");
    r->security_level = 2;
    r->dh_bits = 1024; /* from the ServerKeyExchange */
}

/* Not too small: a group the DH library's check refused (a composite modulus). */
static void dh_invalid(struct td_report *r)
{
    ssl_error(r, SSL_R_BAD_DH_VALUE, "bad dh value");
    r->security_level = 2;
    r->dh_bits = 2048;
    r->dh_err_reason = DH_R_CHECK_P_NOT_PRIME;
    strcpy(r->dh_err_str, "check p not prime");
}

static void client_cert_rejected(struct td_report *r)
{
    received(r, SSL_AD_UNKNOWN_CA);
    ssl_error(r, SSL_R_TLSV1_ALERT_UNKNOWN_CA, "tlsv1 alert unknown ca");
    r->ours.present = 1;
    strcpy(r->ours.subject, "CN=app client");
    strcpy(r->ours.issuer, "CN=Client CA");
}

static void client_cert_missing(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    ssl_error(r, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, "peer did not return a certificate");
}

/* A TLS 1.3 server asks for the certificate this client does not have. */
static void client_cert_required(struct td_report *r)
{
    received(r, TLS13_AD_CERTIFICATE_REQUIRED);
    ssl_error(r, SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, "tlsv13 alert certificate required");
}

/* nginx's ssl_verify_client on: the handshake finished without a certificate, and nginx then
 * answered 400 and dropped the session; nothing on the queue, no alert. */
static void client_cert_missing_nginx(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    strcpy(r->program, "nginx");
    r->runtime = TD_RT_NGINX;
    r->init_finished = 1;
    r->verify_mode = SSL_VERIFY_PEER;
    r->refused_without_cert = 1;
}

/* The same handshake with a host that did not refuse the client is no failure at all, and is
 * never reported; a report that does not say it was refused is what it otherwise seems. */
static void no_cert_not_refused(struct td_report *r)
{
    client_cert_missing_nginx(r);
    r->refused_without_cert = 0;
}

static void peer_rejected_ours(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    received(r, SSL_AD_BAD_CERTIFICATE);
    ssl_error(r, SSL_R_SSLV3_ALERT_BAD_CERTIFICATE, "sslv3 alert bad certificate");
}

static void sni_rejected(struct td_report *r)
{
    received(r, SSL_AD_UNRECOGNIZED_NAME);
    ssl_error(r, SSL_R_TLSV1_UNRECOGNIZED_NAME, "tlsv1 unrecognized name");
    offered(r, 5, 0, 1);
}

static void sni_rejected_server(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    r->alert_seen = r->alert_sent = 1;
    r->alert_desc = SSL_AD_UNRECOGNIZED_NAME;
    offered(r, 5, 0, 0);
}

static void sni_none_sent(struct td_report *r)
{
    sni_rejected(r);
    r->offered.has_sni = 0;
}

static void sni_rejected_by_server(struct td_report *r)
{
    sni_rejected_server(r);
    r->offered.has_sni = 1;
    strcpy(r->offered.sni, "db.example");
}

/* OpenSSL refused the server's Certificate from its header: the limit is all we know. */
static void cert_list_too_large(struct td_report *r)
{
    r->alert_seen = r->alert_sent = 1;
    r->alert_level = SSL3_AL_FATAL;
    r->alert_desc = SSL_AD_ILLEGAL_PARAMETER;
    ssl_error(r, SSL_R_EXCESSIVE_MESSAGE_SIZE, "excessive message size");
    r->max_cert_list = 102400;
    r->runtime = TD_RT_PYTHON;
}

/* The server's side of it: the client refused our 113 KB list with illegal_parameter. */
static void cert_list_ours_too_large(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    received(r, SSL_AD_ILLEGAL_PARAMETER);
    ssl_error(r, SSL_R_SSLV3_ALERT_ILLEGAL_PARAMETER, "sslv3 alert illegal parameter");
    r->ours_chain_bytes = 113772;
    r->ours_chain_certs = 2;
    r->ours_san_count = 7002;
}

/* The client reset us while we wrote that list: its alert was lost with the connection. */
static void cert_list_ours_hung_up(struct td_report *r)
{
    r->role = TD_ROLE_SERVER;
    r->ours_chain_bytes = 113772;
    r->ours_chain_certs = 2;
    r->ours_san_count = 7002;
}

/* The same alert for a list under any client's limit is no such thing. */
static void illegal_parameter_small_list(struct td_report *r)
{
    cert_list_ours_too_large(r);
    r->ours_chain_bytes = 3000;
}

static void peer_alert(struct td_report *r)
{
    received(r, SSL_AD_UNEXPECTED_MESSAGE);
    ssl_error(r, SSL_R_SSLV3_ALERT_UNEXPECTED_MESSAGE, "sslv3 alert unexpected message");
}

static void unknown(struct td_report *r)
{
    ssl_error(r, SSL_R_BAD_LENGTH, "bad length");
}

static void ok(struct td_report *r)
{
    r->event = TD_EV_HANDSHAKE_OK;
    r->negotiated = TLS1_3_VERSION;
    strcpy(r->cipher, "TLS_AES_256_GCM_SHA384");
}

#define CVF TD_SEC_CERTIFICATE_VERIFY_FAILED
#define VER TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION
#define OCSP TD_SEC_INVALID_STATUS_RESPONSE
#define HSF TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE

static const struct classify_case cases[] = {
    { "empty trust store on Debian", trust_store_missing, TD_CAUSE_TRUST_STORE_MISSING, CVF,
      "store_loaded", "0 CA certificates loaded into this connection's store",
      "  fix:      Install or refresh the system's root certificates: apt-get install --reinstall "
      "ca-certificates && update-ca-certificates\n",
      "\"cause\":\"trust_store_missing\"" },
    { "empty trust store elsewhere", trust_store_elsewhere, TD_CAUSE_TRUST_STORE_MISSING, CVF, NULL,
      NULL,
      "  fix:      Install or refresh the system's root certificates: install your "
      "distribution's ca-certificates package\n",
      "\"cause\":\"trust_store_missing\"" },
    { "empty trust store on Fedora", trust_store_fedora, TD_CAUSE_TRUST_STORE_MISSING, CVF, NULL,
      NULL, "root certificates: dnf reinstall ca-certificates && update-ca-trust\n",
      "\"fix\":\"Install or refresh" },
    { "SSL_CERT_FILE points at nothing", trust_store_env, TD_CAUSE_TRUST_STORE_MISSING, CVF, NULL,
      NULL,
      "  fix:      SSL_CERT_FILE/SSL_CERT_DIR are set and point at nothing usable: unset "
      "them or point them at a CA bundle. Install or refresh the system's root certificates: "
      "install "
      "your distribution's ca-certificates package\n",
      "\"fix\":\"SSL_CERT_FILE/SSL_CERT_DIR" },
    { "SSL_CERT_FILE points at nothing, Debian", trust_store_env_debian,
      TD_CAUSE_TRUST_STORE_MISSING, CVF, NULL, NULL,
      "a CA bundle. Install or refresh the system's root certificates: apt-get install "
      "--reinstall ca-certificates && update-ca-certificates\n",
      "\"fix\":\"SSL_CERT_FILE" },
    { "SSL_CERT_FILE points at nothing, Fedora", trust_store_env_fedora,
      TD_CAUSE_TRUST_STORE_MISSING, CVF, NULL, NULL,
      "a CA bundle. Install or refresh the system's root certificates: dnf reinstall "
      "ca-certificates && update-ca-trust\n",
      "\"fix\":\"SSL_CERT_FILE" },
    { "unknown CA, the server sent only its own certificate", unknown_ca, TD_CAUSE_UNKNOWN_CA, CVF,
      "root_issuer", "CN=Private CA",
      "  what:     The server's certificate 'CN=db.example' was issued by 'CN=Private CA', which "
      "this "
      "client does not trust; we rejected the server.\n",
      "\"fix\":\"If 'CN=Private CA' is a private or test CA, give its certificate to the client" },
    { "unknown CA, a complete chain", unknown_ca_full_chain, TD_CAUSE_UNKNOWN_CA, CVF, "root",
      "CN=Private Root", "which is not in this client's trust store; we rejected the server.\n",
      "\"fix\":\"If 'CN=Private Root' is a private or test CA" },
    { "unknown CA, and the leaf expired and misnamed too", unknown_ca_expired, TD_CAUSE_UNKNOWN_CA,
      CVF, "_also_count", "2",
      "also_1:           expired at depth 0 (2026-06-01T00:00:00Z): 'CN=db.example'\n"
      "            also_2:           'db.example' is not a name of the certificate at depth 0 "
      "('CN=db.example', names DNS:other.example)\n",
      "update the CA certificates package. OpenSSL stopped at this one; fix it first, then the 2 "
      "other problem(s) of the same chain listed as also_N" },
    { "revoked, and every other kind of problem", revoked_and_more, TD_CAUSE_REVOKED_CRL, CVF,
      "also_6", "25 (path length constraint exceeded) at depth 1: 'CN=Issuing CA'",
      "also_1:           self-signed and not trusted at depth 2: 'CN=Proxy Root'\n"
      "            also_2:           not yet valid at depth 1 (2026-01-01T00:00:00Z): 'CN=Issuing "
      "CA'\n            also_3:           key too small at depth 0 (RSA-1024 at security level 2): "
      "'CN=db.example'\n            also_4:           not issued for serverAuth at depth 0: "
      "'CN=db.example'\n",
      "\"also_5\":\"'10.0.0.5' is not a name of the certificate at depth 0 ('CN=db.example', "
      "names CN=db.example (no subjectAltName))\"" },
    { "SHA-1 intermediate, and a 1024-bit root above it", weak_digest_intermediate,
      TD_CAUSE_WEAK_KEY_OR_DIGEST, CVF, "also_1",
      "key too small at depth 2 (RSA-1024 at security level 2): 'CN=Root CA'",
      "certificate:      CN=Issuing CA\n            depth:            1\n",
      "\"weakness\":\"a SHA1 signature\"" },
    { "a sole leaf for a public name", sole_leaf_public, TD_CAUSE_UNKNOWN_CA, CVF, "weighed",
      "'db.example.com' looks like a public name, its issuer 'CN=Private CA' is in no trust store "
      "here, and the server sent one certificate: most likely its chain is incomplete",
      "  fix:      The server must send its intermediate certificate ('CN=Private CA') along "
      "with its own: its certificate file must hold",
      "give its certificate to the client instead.\"" },
    { "a sole leaf whose issuer's name is in the store", sole_leaf_other_key, TD_CAUSE_UNKNOWN_CA,
      CVF, "weighed",
      "a CA named 'CN=Private CA' is in the trust store but did not sign this certificate (a "
      "renewed or replaced CA?): the client needs the one that did",
      "  fix:      If 'CN=Private CA' is a private or test CA",
      "If it is an intermediate CA, the server must send it too: its certificate file" },
    { "unknown CA of a client certificate", unknown_ca_server, TD_CAUSE_UNKNOWN_CA, CVF, "about",
      "the client's certificate, checked by this server",
      "  what:     The client's chain ends at 'CN=db.example', which is not in this server's trust "
      "store; we rejected the client.\n",
      "\"fix\":\"Add the CA that issued the client's certificate ('CN=Private CA') to the CAs" },
    { "incomplete chain", missing_intermediate, TD_CAUSE_MISSING_INTERMEDIATE, CVF, "aia",
      "http://ca.example/int.crt",
      "fetching the issuer from http://ca.example/int.crt; OpenSSL clients do not.\n",
      "\"cause\":\"missing_intermediate\"" },
    { "self-signed, Python host", self_signed, TD_CAUSE_SELF_SIGNED, CVF, "verify",
      "18 (self-signed certificate)",
      "  also:     Python: ssl.create_default_context(cafile='/path/to/ca.pem').\n",
      "\"hint\":\"Python: ssl.create_default_context(" },
    { "self-signed root in the chain", self_signed_in_chain, TD_CAUSE_SELF_SIGNED_IN_CHAIN, CVF,
      "root", "CN=Proxy Root",
      "the self-signed root 'CN=Proxy Root', which this client does not trust",
      "\"section\":\"CERTIFICATE_VERIFY_FAILED\"" },
    { "expired three days ago", expired, TD_CAUSE_EXPIRED, CVF, "clock",
      "2027-01-15T08:00:00Z, 3 days after notAfter",
      "at depth 0 expired 3 days ago (2027-01-01T00:00:00Z); we rejected the server.\n",
      "\"fix\":\"Renew the certificate on the server. If this machine's clock "
      "(2027-01-15T08:00:00Z) "
      "is wrong, fix it (timedatectl, NTP).\"" },
    { "not valid yet, the clock looks right", not_yet_valid, TD_CAUSE_NOT_YET_VALID, CVF, "valid",
      "2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z",
      "only becomes valid in 5 days (2026-01-01T00:00:00Z); we rejected the server.\n",
      "start date: reissue it, or wait 5 days. If the clock is wrong, fix it (NTP).\"" },
    { "not valid yet, three of them: the clock", not_yet_valid_clock, TD_CAUSE_NOT_YET_VALID, CVF,
      NULL, NULL, "  fix:      3 certificates are not valid yet: this machine's clock says ",
      "this one is valid only from 2026-01-01T00:00:00Z. The clock is most likely wrong: fix it "
      "(timedatectl set-ntp true, or date -s), not the certificates.\"" },
    { "name mismatch, curl host", hostname_mismatch, TD_CAUSE_HOSTNAME_MISMATCH, CVF, "names",
      "DNS:other.example",
      "  what:     We asked for 'db.example', but the server's certificate covers only "
      "DNS:other.example.\n"
      "  evidence:",
      "\"hint\":\"curl --resolve NAME:PORT:ADDR" },
    { "1024-bit key at level 2", weak_key, TD_CAUSE_WEAK_KEY_OR_DIGEST, CVF, "weakness",
      "a 1024-bit RSA key", "uses a 1024-bit RSA key, which security level 2 forbids",
      "\"cause\":\"weak_key_or_digest\"" },
    { "client-only EKU", bad_purpose, TD_CAUSE_BAD_PURPOSE, CVF, "eku",
      "TLS Web Client Authentication", "not for serverAuth; we rejected the server.\n",
      "\"fix\":\"Reissue the certificate with extendedKeyUsage = serverAuth.\"" },
    { "revoked in a CRL", revoked_crl, TD_CAUSE_REVOKED_CRL, CVF, "verify",
      "23 (certificate revoked)", "is listed as revoked in the CRL this client checks",
      "\"cause\":\"revoked_crl\"" },
    { "Superfish's root in the chain", known_key, TD_CAUSE_INTERCEPTED_KNOWN_KEY, CVF,
      "interceptor_depth", "1",
      "  what:     Your traffic is being intercepted by Superfish, whose root key is public",
      "\"interceptor\":\"Superfish: its public key's SHA-256 is "
      "4bb8f35ba1e126f8dde1b0c420625ed86dce61a7bddadbdea9aba578ff13145e" },
    { "webpack-dev-server's shared certificate", known_dev_cert, TD_CAUSE_INTERCEPTED_KNOWN_KEY,
      CVF, "interceptor_ca", "CN=Webpack",
      "which webpack-dev-server shipped to everyone together with",
      "Give the development server a certificate of its own" },
    { "Zscaler's root issued the leaf", proxy_zscaler, TD_CAUSE_INTERCEPTED_BY_PROXY, CVF,
      "interceptor", "Zscaler (a TLS-inspecting proxy), recognised by the name of its CA",
      "is being intercepted by Zscaler, a TLS-inspecting proxy",
      "Get your organisation's inspection CA certificate" },
    { "ESET's HTTPS scanning", proxy_eset, TD_CAUSE_INTERCEPTED_BY_PROXY, CVF, "interceptor_ca",
      "CN=ESET SSL Filter CA,O=ESET spol. s r. o.", "intercepted by ESET's HTTPS scanning",
      "Exclude this program (or this host) from ESET's HTTPS or SSL scanning" },
    { "mitmproxy in the way", proxy_mitmproxy, TD_CAUSE_INTERCEPTED_BY_PROXY, CVF, "verify",
      "19 (self-signed certificate in certificate chain)",
      "goes through mitmproxy, a debugging proxy", "~/.mitmproxy/mitmproxy-ca-cert.pem" },
    { "a FortiGate root with a 1024-bit key", proxy_weak_root, TD_CAUSE_INTERCEPTED_BY_PROXY, CVF,
      "weakness", "a 1024-bit RSA key",
      "uses a 1024-bit RSA key, which security level 2 forbids. Have its administrator reissue it",
      "\"cause\":\"intercepted_by_proxy\"" },
    { "an expired proxy certificate", proxy_expired, TD_CAUSE_EXPIRED, CVF, "interceptor",
      "Zscaler (a TLS-inspecting proxy), recognised by the name of its CA", "expired 3 days ago",
      "\"cause\":\"expired\"" },
    { "a server does not look for interceptors", proxy_as_server, TD_CAUSE_UNKNOWN_CA, CVF, "about",
      "the client's certificate, checked by this server", "to the CAs this server trusts",
      "\"cause\":\"unknown_ca\"" },
    { "an Atlas name from an unknown CA", public_name, TD_CAUSE_INTERCEPTED_BY_PROXY, CVF,
      "public_service",
      "cluster0.abcde.mongodb.net is a public service (list entry *.mongodb.net): its real "
      "certificate comes from a public CA, so one from a CA this client does not know is evidence "
      "of interception",
      "but the one we received was issued by 'CN=Corp Inspection CA'",
      "Find out who issued 'CN=Corp Inspection CA'" },
    { "a private name from an unknown CA", public_name_not_listed, TD_CAUSE_UNKNOWN_CA, CVF, "root",
      "CN=db.example", "which this client does not trust; we rejected the server.",
      "\"cause\":\"unknown_ca\"" },
    { "bad signature", other_verify, TD_CAUSE_OTHER_VERIFY, CVF, "verify",
      "7 (certificate signature failure)",
      "  what:     Certificate verification failed at depth 0: 7 (certificate signature "
      "failure).\n",
      "\"cause\":\"other_verify\"" },
    { "a client capped at TLS 1.1", peer_rejected_versions, TD_CAUSE_PEER_REJECTED_VERSIONS, VER,
      "offered", "(not seen)",
      "  fix:      This client is capped at TLSv1.1 (see limit_source) and the server wants "
      "something "
      "newer (most servers now require TLS 1.2 or later): remove that cap",
      "\"alert\":{\"dir\":\"received\",\"level\":\"fatal\",\"desc\":\"protocol "
      "version\",\"code\":70}" },
    { "a TLS 1.0 client at a TLS 1.2 server", peer_version_too_low, TD_CAUSE_PEER_VERSION_TOO_LOW,
      VER, "allowed", "TLSv1.2 to TLSv1.2",
      "  what:     The client offered at most TLSv1, below this server's minimum; we ended the "
      "handshake.\n",
      "\"fix\":\"The client must support TLS 1.2 or later" },
    { "a server that speaks only old versions", server_refused_versions,
      TD_CAUSE_PEER_REJECTED_VERSIONS, VER, "allowed", "TLSv1.2 to TLSv1.3",
      "  fix:      The server accepts none of TLSv1.2 to TLSv1.3: it most likely speaks only older "
      "versions (TLS 1.0/1.1).",
      "this application only (MinProtocol = TLSv1 with CipherString" },
    { "a client capped at TLS 1.2", client_capped_12, TD_CAUSE_PEER_REJECTED_VERSIONS, VER, NULL,
      NULL,
      "  fix:      This client is capped at TLSv1.2 (see limit_source) and the server wants "
      "something newer: remove that cap",
      "supports TLS 1.2 and 1.3, so the guide's 'OpenSSL too old'" },
    { "a TLS 1.0 server", server_too_old, TD_CAUSE_PEER_VERSION_TOO_LOW, VER, "peer_version",
      "TLSv1",
      "  what:     The server chose TLSv1, below this client's minimum; we ended the handshake.\n",
      "e.g. MinProtocol = TLSv1 and CipherString = DEFAULT@SECLEVEL=0 in a config .included" },
    { "a TLS 1.0 server, allowed by version, not by the security level", server_too_old_level,
      TD_CAUSE_PEER_VERSION_TOO_LOW, VER, "allowed",
      "TLSv1.2 to TLSv1.3 at security level 1, which rules out TLS 1.0/1.1 (the version range says "
      "TLSv1 to TLSv1.3)",
      "  what:     The server chose TLSv1; this client's version range allows it, but its security "
      "level does not (see allowed), so the handshake could not complete.\n",
      "MinProtocol = TLSv1 and CipherString = DEFAULT@SECLEVEL=0" },
    { "minimum above maximum", no_protocols, TD_CAUSE_NO_PROTOCOLS_AVAILABLE, VER, "allowed",
      "none (minimum TLSv1.3, maximum TLSv1.2)",
      "leave no TLS version to offer (none (minimum TLSv1.3, maximum TLSv1.2)); no hello was "
      "sent.\n",
      "\"cause\":\"no_protocols_available\"" },
    { "revoked staple", ocsp_revoked, TD_CAUSE_OCSP_REVOKED, OCSP, "revoked",
      "at 2026-10-01T00:00:00Z, reason keyCompromise",
      "saying its certificate is revoked (at 2026-10-01T00:00:00Z, reason keyCompromise).\n",
      "\"revocation_reason\":\"keyCompromise\"" },
    { "outdated staple", ocsp_stale, TD_CAUSE_OCSP_STALE, OCSP, "staple_dates",
      "thisUpdate 2026-11-01T00:00:00Z, nextUpdate 2026-11-08T00:00:00Z (passed 3600 s ago)",
      "response is not current: thisUpdate", "\"cause\":\"ocsp_stale\"" },
    { "a staple from the future: this clock", ocsp_from_the_future, TD_CAUSE_OCSP_STALE, OCSP,
      "clock",
      "this machine's clock says 2026-10-22T00:00:00Z; the server's OCSP response was signed at "
      "2026-11-01T00:00:00Z (thisUpdate), 10 days ahead",
      "  what:     The server's stapled OCSP response is dated 10 days ahead of this machine: this "
      "machine's clock says 2026-10-22T00:00:00Z; the server's OCSP response was signed at "
      "2026-11-01T00:00:00Z.\n",
      "fix the clock (timedatectl set-ntp true, or date -s), not the server." },
    { "a staple a minute ahead", ocsp_a_minute_ahead, TD_CAUSE_OCSP_STALE, OCSP, "clock", NULL,
      "response is not current: thisUpdate", "\"cause\":\"ocsp_stale\"" },
    { "tryLater", ocsp_unsuccessful, TD_CAUSE_OCSP_UNSUCCESSFUL, OCSP, "response_status",
      "tryLater", "whose status is 'tryLater', not successful.\n",
      "\"response_status\":\"tryLater\"" },
    { "signed by a stranger", ocsp_bad_signature, TD_CAUSE_OCSP_BAD_SIGNATURE, OCSP, "signature",
      "signer certificate not found", "authorised responder (signer certificate not found).\n",
      "\"cause\":\"ocsp_bad_signature\"" },
    { "another certificate's staple", ocsp_wrong_cert, TD_CAUSE_OCSP_WRONG_CERTIFICATE, OCSP,
      "certificate", "CN=db.example", "does not cover its certificate 'CN=db.example'.\n",
      "\"cause\":\"ocsp_wrong_certificate\"" },
    { "must-staple, none stapled", ocsp_missing, TD_CAUSE_OCSP_MISSING_STAPLE, OCSP, "must_staple",
      "yes", "is must-staple, but no OCSP response was stapled.\n", "\"stapled\":false" },
    { "garbage staple", ocsp_malformed, TD_CAUSE_OCSP_MALFORMED, OCSP, "staple",
      "1234 bytes stapled, response status unparsed",
      "  what:     The server stapled 1234 bytes that are not a valid OCSP response.\n",
      "\"cause\":\"ocsp_malformed\"" },
    { "callback said no to nothing", ocsp_rejected, TD_CAUSE_OCSP_REJECTED, OCSP, "staple",
      "no staple", "rejected the server's status (no staple).\n", "\"cause\":\"ocsp_rejected\"" },
    { "callback error", ocsp_callback, TD_CAUSE_OCSP_CALLBACK_FAILURE, OCSP, NULL, NULL,
      "callback failed with an error (not a verdict)", "\"cause\":\"ocsp_callback_failure\"" },
    { "no shared cipher, as the server", no_shared_cipher_server, TD_CAUSE_NO_SHARED_CIPHER, HSF,
      "server_allows", "ECDHE-RSA-AES128-GCM-SHA256",
      "  what:     The client offered 3 cipher suites and this server allows none of them (no "
      "shared cipher).\n",
      "Old clients may lack ECDHE/AES-GCM suites.\",\"guide_url\"" },
    { "no shared cipher, a server of NULL suites only", no_shared_cipher_server_null,
      TD_CAUSE_NO_SHARED_CIPHER, HSF, "note",
      "all 2 suites this server allows are NULL suites (no encryption), which clients do not offer",
      "  fix:      This server allows only NULL cipher suites, which encrypt nothing",
      "not the client.\",\"guide_url\"" },
    { "handshake_failure, a client of NULL suites only", no_shared_cipher_null_offered,
      TD_CAUSE_NO_SHARED_CIPHER, HSF, "note",
      "all 4 suites we offered are NULL suites (no encryption)",
      "  fix:      This client offered only NULL cipher suites, which encrypt nothing and which "
      "servers rightly refuse: fix this client's cipher list (drop eNULL/NULL, or use DEFAULT), "
      "not the server.\n",
      "\"cause\":\"no_shared_cipher\"" },
    { "handshake_failure, forward-secret Python client without SNI", no_shared_cipher_client,
      TD_CAUSE_NO_SHARED_CIPHER, HSF, "sni", "none sent",
      "is it). We sent no SNI: if the server hosts several names it may need one (connect by name, "
      "not IP). "
      "If the server is old",
      "\"hint\":\"Python 3.10+ offers only forward-secret suites" },
    { "handshake_failure, the client sent SNI", no_shared_cipher_sni, TD_CAUSE_NO_SHARED_CIPHER,
      HSF, "sni", "db.example",
      "  fix:      Compare with what the server allows (its log says 'no shared "
      "cipher' if that is it). If the server is old",
      "\"cause\":\"no_shared_cipher\"" },
    { "no common group", no_common_group, TD_CAUSE_NO_COMMON_GROUP, HSF, "groups", "2 offered",
      "share no key-exchange group (we offered 2 offered).\n", "\"cause\":\"no_common_group\"" },
    { "legacy renegotiation", legacy_reneg, TD_CAUSE_LEGACY_RENEGOTIATION,
      TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED, "server_hello",
      "no renegotiation_info extension", "of the config in use (/etc/ssl/openssl.cnf), or .include",
      "\"hint\":\"Python 3.12+: ctx.options" },
    { "an HTTP server", not_tls, TD_CAUSE_NOT_TLS, TD_SEC_OTHER, "first_bytes",
      "48 54 54 50 2F \"HTTP/\": an HTTP response",
      "  fix:      This port serves plain HTTP, not TLS: use the TLS port, or http://.\n",
      "\"cause\":\"not_tls\"" },
    { "not TLS, not HTTP either", not_tls_bytes, TD_CAUSE_NOT_TLS, TD_SEC_OTHER, "first_bytes",
      "3A 00 00 00 01 \":....\"",
      "  fix:      Check the port, and whether the server has TLS enabled (a MongoDB server "
      "without "
      "net.tls.mode, a proxy, or another service may be answering).\n",
      "\"cause\":\"not_tls\"" },
    { "an HTTP client at a TLS server", http_to_server, TD_CAUSE_NOT_TLS, TD_SEC_OTHER,
      "first_bytes", "an HTTP request",
      "  fix:      A client spoke plain HTTP to this TLS port: it should use https:// or TLS.\n",
      "\"cause\":\"not_tls\"" },
    { "closed without a word", peer_closed, TD_CAUSE_PEER_CLOSED, TD_SEC_OTHER, "error",
      "none (the connection ended)", "during the handshake (SSLv3/TLS read server hello) without",
      "\"cause\":\"peer_closed\"" },
    { "internal_error", peer_internal_error, TD_CAUSE_PEER_INTERNAL_ERROR, TD_SEC_OTHER, "alert",
      "received fatal 'internal error' from the server", "aborted with an internal_error alert.\n",
      "\"cause\":\"peer_internal_error\"" },
    { "small DH key", dh_small, TD_CAUSE_DH_KEY_TOO_SMALL, TD_SEC_OTHER, "dh_group",
      "the server's DH group: 1024 bits; security level 2 needs at least 2048",
      "smaller than security level 2 allows.\n", "\"cause\":\"dh_key_too_small\"" },
    { "a DH group that is not one", dh_invalid, TD_CAUSE_DH_KEY_TOO_SMALL, TD_SEC_OTHER, "dh_check",
      "check p not prime (the DH library's check of the server's group)",
      "check refused (check p not prime): not a valid group",
      "\"dh_group\":\"the server's DH group: 2048 bits" },
    { "our certificate refused", client_cert_rejected, TD_CAUSE_CLIENT_CERT_REJECTED, TD_SEC_OTHER,
      "our_issuer", "CN=Client CA", "('CN=app client') with a 'unknown CA' alert.\n",
      "\"cause\":\"client_cert_rejected\"" },
    { "no client certificate", client_cert_missing, TD_CAUSE_CLIENT_CERT_MISSING, TD_SEC_OTHER,
      "error", "peer did not return a certificate",
      "  what:     The client sent no certificate, and test requires one; we refused the client.\n",
      "\"cause\":\"client_cert_missing\"" },
    { "no client certificate, as the client (TLS 1.3)", client_cert_required,
      TD_CAUSE_CLIENT_CERT_MISSING, TD_SEC_OTHER, "alert",
      "received fatal 'certificate required' from the server",
      "requires a client certificate and this client sent none.\n",
      "\"cause\":\"client_cert_missing\"" },
    { "nginx refused a client without a certificate after the handshake", client_cert_missing_nginx,
      TD_CAUSE_CLIENT_CERT_MISSING, TD_SEC_OTHER, "error",
      "none: the handshake finished without a client certificate, and nginx refused the client "
      "afterwards (nginx answers 400 \"No required SSL certificate was sent\")",
      "  fix:      The client must send a certificate from a CA this server trusts for clients",
      "\"summary\":\"The client sent no certificate, and nginx requires one; we refused the "
      "client.\"" },
    { "a server that finished without a certificate and was not refused", no_cert_not_refused,
      TD_CAUSE_PEER_CLOSED, TD_SEC_OTHER, "error", "none (the connection ended)",
      "without saying why", "\"cause\":\"peer_closed\"" },
    { "the client refused us", peer_rejected_ours, TD_CAUSE_PEER_REJECTED_OUR_CERTIFICATE,
      TD_SEC_OTHER, "alert", "received fatal 'bad certificate' from the client",
      "rejected this server's certificate with a 'bad certificate' alert.\n",
      "\"cause\":\"peer_rejected_our_certificate\"" },
    { "unrecognized name", sni_rejected, TD_CAUSE_SNI_REJECTED, TD_SEC_OTHER, "sni", "db.example",
      "the name we asked for (SNI 'db.example') with an unrecognized_name alert",
      "\"cause\":\"sni_rejected\"" },
    { "unrecognized name, as the server, no SNI", sni_rejected_server, TD_CAUSE_SNI_REJECTED,
      TD_SEC_OTHER, "sni", "none sent",
      "  what:     The client asked for no name (no SNI), which this server does not "
      "serve; we refused it with an unrecognized_name alert.\n",
      "\"dir\":\"sent\"" },
    { "unrecognized name, no SNI sent", sni_none_sent, TD_CAUSE_SNI_REJECTED, TD_SEC_OTHER, "sni",
      "none sent",
      "  what:     The server refused the name we asked for (no SNI) with an "
      "unrecognized_name alert: it does not serve that name.\n",
      "\"cause\":\"sni_rejected\"" },
    { "unrecognized name, as the server", sni_rejected_by_server, TD_CAUSE_SNI_REJECTED,
      TD_SEC_OTHER, "sni", "db.example",
      "  what:     The client asked for 'db.example', which this server does not "
      "serve; we refused it with an unrecognized_name alert.\n",
      "\"dir\":\"sent\"" },
    { "a certificate list over our limit", cert_list_too_large, TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE,
      TD_SEC_OTHER, "limit", "102400 bytes (SSL_get_max_cert_list of this connection)",
      "  also:     Python's ssl module has no setting for this limit",
      "\"cause\":\"certificate_list_too_large\"" },
    { "our certificate list over the client's limit", cert_list_ours_too_large,
      TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE, TD_SEC_OTHER, "our_chain",
      "113772 bytes in 2 certificate(s); our certificate has 7002 subjectAltName entries",
      "split its 7002 names over several certificates", "\"peer_limit\":" },
    { "a client hung up on our oversized list", cert_list_ours_hung_up,
      TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE, TD_SEC_OTHER, "our_chain",
      "113772 bytes in 2 certificate(s); our certificate has 7002 subjectAltName entries",
      "The client closed the connection while this server sent its certificate list",
      "\"peer_limit\":" },
    { "illegal_parameter for a small list", illegal_parameter_small_list, TD_CAUSE_PEER_ALERT,
      TD_SEC_OTHER, "alert", "received fatal 'illegal parameter' from the client",
      "'illegal parameter'", "\"cause\":\"peer_alert\"" },
    { "some other alert", peer_alert, TD_CAUSE_PEER_ALERT, TD_SEC_OTHER, "alert",
      "received fatal 'unexpected message' from the server",
      "ended the handshake with the alert 'unexpected message'.\n", "\"cause\":\"peer_alert\"" },
    { "nothing known", unknown, TD_CAUSE_UNKNOWN, TD_SEC_OTHER, "error", "bad length",
      "  what:     The handshake failed: bad length.\n", "\"cause\":\"unknown\"" },
    { "a good handshake in trace mode", ok, TD_CAUSE_OK, TD_SEC_OTHER, NULL, NULL,
      "tlsdiag: handshake ok: test (client) to db.example [-] TLSv1.3 TLS_AES_256_GCM_SHA384",
      "\"event\":\"handshake_ok\"" },
};

/* Which wordings the cases reached, so a variant nobody renders fails the run. */
static int summary_seen[TD_CAUSE_COUNT][TD_V_COUNT], fix_seen[TD_CAUSE_COUNT][TD_V_COUNT];

static void run(const struct classify_case *c)
{
    static char text[16384], json[16384];
    struct td_report *r = calloc(1, sizeof(*r));
    if (r == NULL) abort();
    r->event = TD_EV_HANDSHAKE_FAILED;
    r->now = NOW;
    r->role = TD_ROLE_CLIENT;
    strcpy(r->program, "test");
    strcpy(r->host, "db.example");
    r->verify_depth = 0;
    r->openssl_version = "OpenSSL 3.0.test";
    r->openssl_dir = "/usr/lib/ssl";
    c->setup(r);
    td_classify(r);
    td_render(r, TD_FORMAT_TEXT, text, sizeof(text));
    td_render(r, TD_FORMAT_JSON, json, sizeof(json));

    if (r->cause == &td_causes[c->cause]) {
        summary_seen[c->cause][r->summary_variant] = fix_seen[c->cause][r->fix_variant] = 1;
    }
    CHECK(r->cause == &td_causes[c->cause], "%s: cause %s, expected %s", c->what,
          r->cause ? r->cause->id : "(none)", td_causes[c->cause].id);
    CHECK(r->section == c->section, "%s: section %s, expected %s", c->what,
          td_sections[r->section].id, td_sections[c->section].id);
    if (c->key != NULL && c->value == NULL) {
        CHECK(td_evidence_get(r, c->key) == NULL, "%s: evidence %s is there, expected none",
              c->what, c->key);
    } else if (c->key != NULL) {
        const char *v = td_evidence_get(r, c->key);
        CHECK(v != NULL && !strcmp(v, c->value), "%s: evidence %s is '%s', expected '%s'", c->what,
              c->key, v ? v : "(absent)", c->value);
    }
    CHECK(strstr(text, c->text) != NULL, "%s: text lacks '%s':\n%s", c->what, c->text, text);
    CHECK(strstr(json, c->json) != NULL, "%s: JSON lacks '%s':\n%s", c->what, c->json, json);
    /* What a text needs must be there: a placeholder with no value renders as "?". */
    CHECK(strstr(text, "'?'") == NULL && strstr(text, " ? ") == NULL && strstr(text, "(?)") == NULL,
          "%s: a placeholder went unfilled:\n%s", c->what, text);
    CHECK(strchr(json, '\n') == json + strlen(json) - 1, "%s: JSON is not one line", c->what);
    for (int i = 0; i < r->n_evidence; i++)
        if (r->evidence[i].key[0] == '_') {
            char quoted[64];
            snprintf(quoted, sizeof(quoted), "\"%s\":", r->evidence[i].key);
            CHECK(strstr(json, quoted) == NULL, "%s: %s shown in JSON", c->what,
                  r->evidence[i].key);
        }
    free(r);
}

/* ---- hint columns: every runtime gets its own syntax, and only its own ---- */

/* The facts observe.c records that make classify pick a column. */
struct column_facts {
    int column;
    const char *what;
    enum td_runtime runtime;
    int pymongo;
    unsigned loaded;
    unsigned long ssl_options;
};

#define OPTS_PYTHON 0x825200d0UL /* ssl.create_default_context() on OpenSSL 3.0 */
static const struct column_facts columns[] = {
    { TD_RT_OTHER, "an unknown program", TD_RT_OTHER, 0, 0, 0 },
    { TD_RT_PYTHON, "plain Python", TD_RT_PYTHON, 0, 0, OPTS_PYTHON },
    { TD_RT_PYPY, "plain PyPy", TD_RT_PYPY, 0, 0, OPTS_PYTHON },
    { TD_RT_CURL, "curl", TD_RT_CURL, 0, 0, 0 },
    { TD_RT_OPENSSL_CLI, "openssl", TD_RT_OPENSSL_CLI, 0, 0, 0 },
    { TD_RT_NODE, "Node", TD_RT_NODE, 0, 0, 0 },
    { TD_RT_RUBY, "plain Ruby", TD_RT_RUBY, 0, 0, 0x80020050UL },
    { TD_RT_PHP, "plain PHP", TD_RT_PHP, 0, 0, 0x801200d0UL },
    { TD_RT_NGINX, "nginx", TD_RT_NGINX, 0, 0, 0 },
    { TD_HINT_PYMONGO, "PyMongo, pure Python (its SSL option)", TD_RT_PYTHON, 0, 0,
      OPTS_PYTHON | TD_SSL_OPT_NO_RENEGOTIATION },
    { TD_HINT_REQUESTS, "requests (urllib3's SSL option)", TD_RT_PYTHON, 0, 0,
      OPTS_PYTHON | TD_SSL_OPT_NO_TICKET },
    { TD_HINT_PIP, "pip", TD_RT_PYTHON, 0, TD_LOADED_PIP, OPTS_PYTHON | TD_SSL_OPT_NO_TICKET },
    { TD_HINT_MONGOC, "libmongoc", TD_RT_OTHER, 0, TD_LOADED_MONGOC, 0xc0120850UL },
    { TD_HINT_PHP_MONGODB, "PHP's mongodb extension", TD_RT_PHP, 0, TD_LOADED_PHP_MONGODB,
      0xc0120850UL },
    { TD_HINT_RUBY_MONGO, "Ruby's mongo gem", TD_RT_RUBY, 0, TD_LOADED_RUBY_BSON, 0x80120850UL },
    /* More ways to the same columns. */
    { TD_HINT_PYMONGO, "PyMongo's C extensions mapped, connection gone", TD_RT_PYTHON, 1,
      TD_LOADED_PYMONGO, 0 },
    { TD_HINT_PYMONGO, "PyMongo on PyPy", TD_RT_PYPY, 0, 0, TD_SSL_OPT_NO_RENEGOTIATION },
    { TD_HINT_REQUESTS, "requests in a program that has PyMongo loaded", TD_RT_PYTHON, 1,
      TD_LOADED_PYMONGO, OPTS_PYTHON | TD_SSL_OPT_NO_TICKET },
    { TD_RT_PYTHON, "plain ssl in a program that has PyMongo loaded", TD_RT_PYTHON, 1,
      TD_LOADED_PYMONGO, OPTS_PYTHON },
    { TD_RT_PHP, "PHP streams with the mongodb extension loaded", TD_RT_PHP, 0,
      TD_LOADED_PHP_MONGODB, 0x801200d0UL },
    { TD_HINT_PHP_MONGODB, "PHP's mongodb extension, connection gone", TD_RT_PHP, 0,
      TD_LOADED_PHP_MONGODB, 0 },
    { TD_RT_RUBY, "Net::HTTP with the mongo gem loaded", TD_RT_RUBY, 0, TD_LOADED_RUBY_BSON,
      0x80020050UL },
    { TD_RT_OTHER, "a C program with libmongoc loaded, its own connection", TD_RT_OTHER, 0,
      TD_LOADED_MONGOC, 0x80120050UL },
    { TD_RT_OTHER, "a runtime out of range", TD_RT_COUNT, 0, 0, 0 },
};

/* What each column's CA-trust cells must say, and the token that is its alone (Python and PyPy
 * share theirs). */
static const struct {
    const char *must[2];
    const char *own;
} tokens[TD_HINT_COUNT] = {
    [TD_RT_OTHER] = { { "SSL_CERT_FILE", NULL }, "SSL_CERT_FILE=/path" },
    [TD_RT_PYTHON] = { { "cafile=", NULL }, "cafile=" },
    [TD_RT_PYPY] = { { "cafile=", NULL }, "cafile=" },
    [TD_RT_CURL] = { { "--cacert", "CURL_CA_BUNDLE" }, "--cacert" },
    [TD_RT_OPENSSL_CLI] = { { "-CAfile", NULL }, "-CAfile" },
    [TD_RT_NODE] = { { "NODE_EXTRA_CA_CERTS", "tlsCAFile" }, "NODE_EXTRA_CA_CERTS" },
    [TD_RT_RUBY] = { { "ca_file", NULL }, "Net::HTTP" },
    [TD_RT_PHP] = { { "stream_context_create", NULL }, "stream_context_create" },
    [TD_RT_NGINX] = { { "proxy_ssl_trusted_certificate", NULL }, "proxy_ssl_" },
    [TD_HINT_PYMONGO] = { { "tlsCAFile=", NULL }, "tlsCAFile='" },
    [TD_HINT_REQUESTS] = { { "REQUESTS_CA_BUNDLE", "verify=" }, "REQUESTS_CA_BUNDLE" },
    [TD_HINT_PIP] = { { "PIP_CERT", "--cert" }, "PIP_CERT" },
    [TD_HINT_MONGOC] = { { "tlsCAFile=", "MONGOC_URI_TLSCAFILE" }, "MONGOC_URI_" },
    [TD_HINT_PHP_MONGODB] = { { "MongoDB\\Driver\\Manager", "tlsCAFile=" },
                              "MongoDB\\Driver\\Manager" },
    [TD_HINT_RUBY_MONGO] = { { "ssl_ca_cert:", NULL }, "ssl_ca_cert:" },
};

static int ca_trust_cause(int id)
{
    return id == TD_CAUSE_TRUST_STORE_MISSING || id == TD_CAUSE_UNKNOWN_CA ||
           id == TD_CAUSE_SELF_SIGNED || id == TD_CAUSE_SELF_SIGNED_IN_CHAIN;
}

/* The JSON report's hint, unescaped (\\ and \" are all our texts need), or "" if none. */
static void json_hint(const char *json, char *out, size_t cap)
{
    const char *p = strstr(json, "\"hint\":\"");
    size_t o = 0;
    if (p != NULL)
        for (p += 8; *p != '\0' && *p != '"' && o + 1 < cap; p++) {
            if (*p == '\\' && p[1] != '\0') p++;
            out[o++] = *p;
        }
    out[o] = '\0';
}

static void json_field(const char *json, const char *key, char *out, size_t cap)
{
    char quoted[64];
    snprintf(quoted, sizeof(quoted), "\"%s\":\"", key);
    const char *p = strstr(json, quoted);
    size_t o = 0;
    if (p != NULL)
        for (p += strlen(quoted); *p != '\0' && *p != '"' && o + 1 < cap; p++) out[o++] = *p;
    out[o] = '\0';
}

static void run_column(const struct classify_case *c, const struct column_facts *f)
{
    static char json[16384], text[16384], hint[4096], guide[512];
    struct td_report *r = calloc(1, sizeof(*r));
    if (r == NULL) abort();
    r->event = TD_EV_HANDSHAKE_FAILED;
    r->now = NOW;
    r->role = TD_ROLE_CLIENT;
    strcpy(r->program, "test");
    strcpy(r->host, "db.example");
    r->openssl_version = "OpenSSL 3.0.test";
    r->openssl_dir = "/usr/lib/ssl";
    c->setup(r);
    r->runtime = f->runtime;
    r->pymongo = f->pymongo;
    r->loaded = f->loaded;
    r->ssl_options = f->ssl_options;
    td_classify(r);
    td_render(r, TD_FORMAT_JSON, json, sizeof(json));
    td_render(r, TD_FORMAT_TEXT, text, sizeof(text));
    json_hint(json, hint, sizeof(hint));
    json_field(json, "guide_url", guide, sizeof(guide));
    int col = f->column, cause = (int)(r->cause - td_causes);

    CHECK(r->hint_column == col, "%s, %s: hint column %d, expected %d", c->what, f->what,
          r->hint_column, col);
    /* The text says it as it is: our own backslashes (PHP's class names) are not escaped. */
    CHECK(hint[0] == '\0' || strstr(text, hint) != NULL, "%s, %s: the text's hint differs:\n%s",
          c->what, f->what, text);
    if (ca_trust_cause(cause) && r->role == TD_ROLE_CLIENT)
        for (int k = 0; k < 2; k++)
            CHECK(tokens[col].must[k] == NULL || strstr(hint, tokens[col].must[k]) != NULL,
                  "%s, %s: the hint lacks '%s': '%s'", c->what, f->what, tokens[col].must[k], hint);
    for (int other = 0; other < TD_HINT_COUNT; other++) {
        if (other == col || !strcmp(tokens[other].own, tokens[col].own)) continue;
        CHECK(strstr(hint, tokens[other].own) == NULL,
              "%s, %s: the hint has column %d's '%s': '%s'", c->what, f->what, other,
              tokens[other].own, hint);
    }
    /* Every placeholder was filled, and braces of the text's own (Node's tls.connect({ ... }))
     * were kept: a '?' the cell does not have is a placeholder without its evidence. */
    const char *cell = td_cause_hint_column(r->cause, col);
    CHECK(cell == NULL || strchr(cell, '?') != NULL || strchr(hint, '?') == NULL,
          "%s, %s: the hint has an unfilled placeholder: '%s'", c->what, f->what, hint);
    const char *doc = td_hint_doc_url[col];
    CHECK(!strcmp(guide, doc ? doc : td_sections[r->section].guide_url), "%s, %s: guide_url '%s'",
          c->what, f->what, guide);
    free(r);
}

/* Brace depth outside strings is back to 0 at the end, and nothing follows but the newline. */
static int json_closed(const char *j)
{
    int depth = 0, in_string = 0;
    for (const char *p = j; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1]) p++;
            else if (*p == '"') in_string = 0;
        } else if (*p == '"') in_string = 1;
        else if (*p == '{') depth++;
        else if (*p == '}' && --depth == 0) return !strcmp(p, "}\n");
    }
    return 0;
}

/* A report far larger than the sink takes (a hostile certificate's escapes) is never cut into
 * invalid JSON: its values are shortened, and it says so. */
static void check_json_fits(void)
{
    static char json[7000];
    struct td_report *r = calloc(1, sizeof(*r));
    if (r == NULL) abort();
    r->event = TD_EV_HANDSHAKE_FAILED;
    r->now = NOW;
    strcpy(r->program, "test");
    memset(r->host, 1, TD_FIELD - 1); /* every byte becomes a 6-byte \u0001 */
    for (int i = 0; i < TD_MAX_EVIDENCE; i++) {
        char value[TD_FIELD * 2];
        memset(value, 1, sizeof(value) - 1);
        value[sizeof(value) - 1] = '\0';
        td_evidence_add(r, i % 2 ? "subject" : "issuer", "%s", value);
    }
    td_classify(r);
    size_t n = td_render(r, TD_FORMAT_JSON, json, sizeof(json));
    CHECK(n > 0 && n < sizeof(json), "JSON of %zu bytes in a buffer of %zu", n, sizeof(json));
    CHECK(json_closed(json), "the JSON was cut: ...%s", json + (n > 80 ? n - 80 : 0));
    CHECK(strstr(json, "\"shortened\":true") != NULL, "a shortened event does not say so");
    CHECK(strstr(json, "...\"") != NULL, "no value ends in '...'");
    memset(r, 0, sizeof(*r));
    r->event = TD_EV_HANDSHAKE_FAILED;
    strcpy(r->program, "test");
    td_classify(r);
    td_render(r, TD_FORMAT_JSON, json, sizeof(json));
    CHECK(json_closed(json) && strstr(json, "shortened") == NULL, "a small event was shortened");
    free(r);
}

/* Which sole leaves are read as a short chain (the server's fix first): public names only. */
static void check_weighed_names(void)
{
    static const struct {
        const char *requested, *san;
        int send_chain;
    } names[] = {
        { "db.example.com", "", 1 },
        { "MONGO.Example.ORG", "", 1 },
        { "api.xn--p1ai", "", 1 },
        { "", "DNS:db.example.net, IP:10.0.0.1", 1 },
        { "db.example", "", 0 },
        { "db.internal", "", 0 },
        { "printer.local", "", 0 },
        { "nas.lan", "", 0 },
        { "router.home.arpa", "", 0 },
        { "localhost", "", 0 },
        { "mongo", "", 0 },
        { "10.0.0.5", "", 0 },
        { "::1", "", 0 },
        { "", "IP:10.0.0.1", 0 },
        { "db.example.com.", "", 0 },
        { "x.c", "", 0 },
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct td_report *r = calloc(1, sizeof(*r));
        if (r == NULL) abort();
        r->event = TD_EV_HANDSHAKE_FAILED;
        r->now = NOW;
        unknown_ca(r);
        strcpy(r->requested_name, names[i].requested);
        strcpy(r->leaf.san, names[i].san);
        td_classify(r);
        enum td_variant want = names[i].send_chain ? TD_V_SEND_CHAIN : TD_V_SOLE_CERT;
        CHECK(r->fix_variant == want, "sole leaf for '%s' (SAN '%s'): fix variant %d, expected %d",
              names[i].requested, names[i].san, (int)r->fix_variant, (int)want);
        free(r);
    }
}

static void check_columns(void)
{
    for (int id = 0; id < TD_CAUSE_COUNT; id++) {
        int cells = 0;
        for (int k = 0; k < TD_HINT_COUNT; k++) cells += td_causes[id].hint[k] != NULL;
        if (ca_trust_cause(id))
            CHECK(cells == TD_HINT_COUNT, "cause %s: %d of %d hint cells", td_causes[id].id, cells,
                  TD_HINT_COUNT);
        if (cells == 0) continue;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            if ((int)cases[i].cause != id) continue;
            for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++)
                run_column(&cases[i], &columns[k]);
        }
    }
    /* An empty library cell is its host's. */
    CHECK(td_cause_hint_column(&td_causes[TD_CAUSE_LEGACY_RENEGOTIATION], TD_HINT_REQUESTS) ==
              td_causes[TD_CAUSE_LEGACY_RENEGOTIATION].hint[TD_RT_PYTHON],
          "requests falls back to Python");
    CHECK(td_cause_hint_column(&td_causes[TD_CAUSE_UNKNOWN_CA], -1) ==
              td_causes[TD_CAUSE_UNKNOWN_CA].hint[TD_RT_OTHER],
          "a column out of range is the generic one");
}

/* The trace line is filled in without printf (put_strings): every field in its place, the peer's
 * bytes escaped, and a buffer too small for it cut at its end, never past it. */
static void check_trace_line(void)
{
    static const char want[] =
        "tlsdiag: handshake ok: test (server) from db\\\\\\x01.example [10.0.0.1:4242] TLSv1.2 "
        "ECDHE-RSA-AES128-GCM-SHA256, verify 18 (self-signed certificate), staple requested, "
        "none\n"
        "  warning: the peer's certificate did not verify (18, self-signed certificate), yet the "
        "handshake went on (verify mode none): the application decides afterwards, or does not "
        "check\n";
    char line[512], small[41];
    struct td_report *r = td_report_new(TD_EV_HANDSHAKE_OK);
    if (r == NULL) abort();
    strcpy(r->program, "test");
    r->role = TD_ROLE_SERVER;
    strcpy(r->host, "db\\\x01.example");
    strcpy(r->addr, "10.0.0.1:4242");
    r->negotiated = TLS1_2_VERSION;
    strcpy(r->cipher, "ECDHE-RSA-AES128-GCM-SHA256");
    r->verify_code = X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT;
    r->ocsp_requested = 1;
    td_classify(r);
    size_t n = td_render(r, TD_FORMAT_TEXT, line, sizeof(line));
    CHECK(n == strlen(want) && strcmp(line, want) == 0, "trace line:\n%s\nwant:\n%s", line, want);
    memset(small, 'x', sizeof(small));
    n = td_render(r, TD_FORMAT_TEXT, small, sizeof(small) - 1);
    CHECK(n < sizeof(small) - 1 && small[n] == '\0' && small[sizeof(small) - 1] == 'x' &&
              strncmp(small, want, n - 1) == 0 && small[n - 1] == '\n',
          "a trace line in 40 bytes: %zu bytes, \"%s\"", n, small);
    td_report_free(r);
}

int main(void)
{
    int covered[TD_CAUSE_COUNT] = { 0 };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run(&cases[i]);
        covered[cases[i].cause] = 1;
    }
    for (int i = 0; i < TD_CAUSE_COUNT; i++) {
        const struct td_cause *c = &td_causes[i];
        CHECK(covered[i], "cause %s has no case in test_classify.c", c->id);
        CHECK(c->id != NULL && c->meaning != NULL && c->summary[TD_V_BASE] != NULL &&
                  c->fix[TD_V_BASE] != NULL,
              "cause %d is incomplete in the catalogue", i);
        for (int k = 0; k < i; k++)
            CHECK(strcmp(td_causes[k].id, c->id) != 0, "cause id %s is used twice", c->id);
        for (int v = 0; v < TD_V_COUNT; v++) {
            CHECK(c->summary[v] == NULL || summary_seen[i][v],
                  "cause %s: summary variant %d has no case", c->id, v);
            CHECK(c->fix[v] == NULL || fix_seen[i][v], "cause %s: fix variant %d has no case",
                  c->id, v);
        }
    }
    /* The shared rules name causes of the right section, whoever asks (classify or explain). */
    for (long code = 1; code < 100; code++) {
        enum td_cause_id ids[TD_RULE_CAUSES];
        int n = td_verify_causes(code, ids);
        CHECK(n >= 1 && n <= TD_RULE_CAUSES, "verify code %ld: %d causes", code, n);
        for (int i = 0; i < n; i++)
            CHECK(td_causes[ids[i]].section == TD_SEC_CERTIFICATE_VERIFY_FAILED,
                  "verify code %ld means %s, outside CERTIFICATE_VERIFY_FAILED", code,
                  td_causes[ids[i]].id);
    }
    for (int desc = 0; desc < 256; desc++) {
        enum td_cause_id ids[TD_RULE_CAUSES];
        int n = td_alert_causes(desc, ids);
        for (int i = 0; i < n; i++)
            CHECK(td_causes[ids[i]].section == TD_SEC_OTHER, "alert %d means %s", desc,
                  td_causes[ids[i]].id);
    }
    CHECK(td_reason_cause(SSL_R_HTTP_REQUEST) == TD_CAUSE_NOT_TLS, "an HTTP request is not TLS");
    CHECK(td_reason_cause(SSL_R_CERTIFICATE_VERIFY_FAILED) == TD_CAUSE_COUNT,
          "a failed verification needs its verify code");
    check_columns();
    check_weighed_names();
    check_json_fits();
    check_trace_line();
    return check_summary("test_classify");
}
