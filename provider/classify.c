/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* classify: see include/classify.h. A pure function of the report: it reads nothing else (no
 * SSL, no file, no environment), which is what lets test/unit/test_classify.c replay reports.
 * The order of the checks matters: the most specific signal wins (a verify result over the
 * alert it caused, our own error over a generic EOF). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "classify.h"
#include "phrases.h"

static void set_cause(struct td_report *r, enum td_cause_id id)
{
    r->cause = &td_causes[id];
    r->section = r->cause->section;
}

/* The same wording choice for what happened and what to do. */
static void set_variant(struct td_report *r, enum td_variant v)
{
    r->summary_variant = r->fix_variant = v;
}

#define ev td_evidence_add

static void span(long seconds, char *dst, size_t cap)
{
    long s = labs(seconds);
    if (s >= 2 * 86400) snprintf(dst, cap, TD_SAY_DAYS, s / 86400);
    else if (s >= 2 * 3600) snprintf(dst, cap, TD_SAY_HOURS, s / 3600);
    else if (s >= 120) snprintf(dst, cap, TD_SAY_MINUTES, s / 60);
    else snprintf(dst, cap, TD_SAY_SECONDS, s);
}

/* ---- CERTIFICATE_VERIFY_FAILED ---------------------------------------------------------- */

static enum td_variant store_fix(const struct td_report *r)
{
    if (r->os == TD_OS_DEBIAN) return r->cert_env_set ? TD_V_ENV_DEBIAN : TD_V_DEBIAN;
    if (r->os == TD_OS_FEDORA) return r->cert_env_set ? TD_V_ENV_FEDORA : TD_V_FEDORA;
    return r->cert_env_set ? TD_V_ENV : TD_V_BASE;
}

static void trust_path_evidence(struct td_report *r, const char *key, const struct td_trust_path *t,
                                const char *what)
{
    if (t->path[0] == '\0') return;
    if (t->count < 0) {
        ev(r, key, TD_SAY_PATH_MISSING, t->path, t->from);
        return;
    }
    char age[64] = "";
    if (t->age_days > 365) snprintf(age, sizeof(age), TD_SAY_CHANGED_AGO, t->age_days);
    ev(r, key, TD_SAY_PATH_COUNT, t->path, t->from, t->count, what, age);
}

/* What the trust store amounts to: the CA certificates the connection could reach. */
static int trust_evidence(struct td_report *r)
{
    trust_path_evidence(r, "ca_file", &r->ca_file, TD_SAY_CERTIFICATES);
    trust_path_evidence(r, "ca_dir", &r->ca_dir, TD_SAY_HASH_LINKS);
    ev(r, "store_loaded", TD_SAY_STORE_LOADED, r->store_loaded);
    ev(r, "openssldir", "%s", r->openssl_dir ? r->openssl_dir : "");
    return r->store_loaded + (r->ca_file.count > 0 ? r->ca_file.count : 0) +
           (r->ca_dir.count > 0 ? r->ca_dir.count : 0);
}

/* ---- the chain's other problems ------------------------------------------------------- */

/* The problem OpenSSL reported, as tlsdiag's verification met it again. */
static int is_main_problem(const struct td_report *r, const struct td_chain_problem *p)
{
    if (td_verify_no_issuer(p->code) && td_verify_no_issuer(r->verify_code)) return 1;
    return p->code == r->verify_code && (r->verify_depth < 0 || p->depth == r->verify_depth);
}

static void also_line(struct td_report *r, const char *key, const struct td_chain_problem *p)
{
    const char *name = r->requested_name[0] ? r->requested_name : r->host;
    switch (p->code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        ev(r, key, TD_SAY_ALSO_NO_ISSUER, p->depth, p->subject, p->issuer);
        break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        ev(r, key, TD_SAY_ALSO_SELF_SIGNED, p->depth, p->subject);
        break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        ev(r, key, TD_SAY_ALSO_EXPIRED, p->depth, p->not_after, p->subject);
        break;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        ev(r, key, TD_SAY_ALSO_NOT_YET_VALID, p->depth, p->not_before, p->subject);
        break;
    case X509_V_ERR_EE_KEY_TOO_SMALL:
    case X509_V_ERR_CA_KEY_TOO_SMALL:
        ev(r, key, TD_SAY_ALSO_WEAK_KEY, p->depth, p->key, r->security_level, p->subject);
        break;
    case X509_V_ERR_CA_MD_TOO_WEAK:
        ev(r, key, TD_SAY_ALSO_WEAK_DIGEST, p->depth,
           p->sig_digest[0] ? p->sig_digest : TD_SAY_WEAK_DIGEST_UNNAMED, r->security_level,
           p->subject);
        break;
    case X509_V_ERR_INVALID_PURPOSE:
        ev(r, key, TD_SAY_ALSO_PURPOSE, r->role == TD_ROLE_SERVER ? "clientAuth" : "serverAuth",
           p->depth, p->subject);
        break;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: {
        char names[sizeof(r->leaf.san)];
        if (r->leaf.san[0]) snprintf(names, sizeof(names), "%s", r->leaf.san);
        else snprintf(names, sizeof(names), TD_SAY_CN_ONLY, r->leaf.cn);
        ev(r, key, TD_SAY_ALSO_NAME, name, p->depth, p->subject, names);
        break;
    }
    default:
        ev(r, key, TD_SAY_ALSO_OTHER, p->code, X509_verify_cert_error_string(p->code), p->depth,
           p->subject);
        break;
    }
}

/* The problems besides the one OpenSSL stopped at, a line each; the fix then says to take the
 * reported one first (render.c). */
static void also_evidence(struct td_report *r)
{
    static const char *const keys[TD_MAX_PROBLEMS] = { "also_1", "also_2", "also_3", "also_4",
                                                       "also_5", "also_6", "also_7", "also_8" };
    int n = 0;
    for (int i = 0; i < r->n_problems && i < TD_MAX_PROBLEMS; i++)
        if (!is_main_problem(r, &r->problems[i])) also_line(r, keys[n++], &r->problems[i]);
    if (n > 0) ev(r, "_also_count", "%d", n);
}

/* A name that looks like one of the public DNS: not an address, not a single label, and under a
 * top-level label that is no private or reserved one (RFC 2606, 6761, 6762, 8375). */
static int public_name(const char *name)
{
    static const char *const private_tlds[] = { "localhost", "local",   "internal", "lan",
                                                "home",      "corp",    "intranet", "localdomain",
                                                "test",      "example", "invalid",  "arpa" };
    const char *dot = strrchr(name, '.');
    if (strchr(name, ':') != NULL || dot == NULL || dot == name) return 0;
    const char *tld = dot + 1;
    size_t n = strlen(tld);
    if (n < 2 || n > 63) return 0;
    int punycode = !strncasecmp(tld, "xn--", 4);
    for (size_t i = punycode ? 4 : 0; i < n; i++)
        if (!isalpha((unsigned char)tld[i]) &&
            !(punycode && (isdigit((unsigned char)tld[i]) || tld[i] == '-')))
            return 0;
    for (size_t i = 0; i < sizeof(private_tlds) / sizeof(private_tlds[0]); i++)
        if (!strcasecmp(tld, private_tlds[i])) return 0;
    return 1;
}

/* The name a sole leaf is weighed by: the one asked for, else the certificate's first DNS name. */
static void weighed_name(const struct td_report *r, char *dst, size_t cap)
{
    const char *asked = r->requested_name[0] ? r->requested_name : r->host;
    const char *dns = strstr(r->leaf.san, "DNS:");
    if (asked[0] != '\0' || dns == NULL) {
        snprintf(dst, cap, "%s", asked[0] ? asked : r->leaf.cn);
        return;
    }
    dns += 4;
    snprintf(dst, cap, "%.*s", (int)strcspn(dns, ", "), dns);
}

/* A server sent only its leaf, without AIA, and its issuer is not trusted: either the client
 * lacks a private CA or the server leaves out its intermediate. A public name and an issuer
 * known nowhere here point at the server; anything else at the client. Both fixes are given. */
static void weigh_sole_cert(struct td_report *r)
{
    char name[TD_FIELD];
    weighed_name(r, name, sizeof(name));
    if (r->issuer_in_store) {
        ev(r, "weighed", TD_SAY_WEIGHED_OTHER_KEY, r->top.issuer);
        r->fix_variant = TD_V_SOLE_CERT;
    } else if (public_name(name)) {
        ev(r, "weighed", TD_SAY_WEIGHED_SEND_CHAIN, name, r->top.issuer);
        r->fix_variant = TD_V_SEND_CHAIN;
    } else {
        ev(r, "weighed", TD_SAY_WEIGHED_PRIVATE, name, r->top.issuer);
        r->fix_variant = TD_V_SOLE_CERT;
    }
}

/* ---- interception ---------------------------------------------------------------------- */

static int cause_is(const struct td_report *r, enum td_cause_id id)
{
    return r->cause == &td_causes[id];
}

/* After the verify code's cause: interception software observe.c recognised in the chain, or a
 * public service's certificate from a CA the store does not know, names who re-signed the
 * connection, as Chromium's interstitials tell "intercepted by X" from a misconfigured server.
 * A key everyone has outranks any code (the fix is to remove it, never to trust it); a proxy
 * replaces only the causes that mean "no trusted issuer", and a weak one the weak-key cause, so
 * that its fix never says to lower the security level. The verify evidence stays. */
static void classify_interception(struct td_report *r)
{
    const struct td_interceptor *i = r->interceptor;
    int untrusted = cause_is(r, TD_CAUSE_UNKNOWN_CA) || cause_is(r, TD_CAUSE_SELF_SIGNED) ||
                    cause_is(r, TD_CAUSE_SELF_SIGNED_IN_CHAIN) ||
                    cause_is(r, TD_CAUSE_MISSING_INTERMEDIATE);
    int weak = cause_is(r, TD_CAUSE_WEAK_KEY_OR_DIGEST);
    const char *name = r->requested_name[0] ? r->requested_name : r->host;
    const char *listed = untrusted && i == NULL ? td_intercept_public_name(name) : NULL;

    if (r->role != TD_ROLE_CLIENT || (i == NULL && listed == NULL)) return;
    if (i != NULL) {
        if (td_intercept_key_is_public(i))
            ev(r, "interceptor", TD_SAY_INTERCEPTOR_BY_KEY, i->product, i->spki_sha256);
        else
            ev(r, "interceptor", TD_SAY_INTERCEPTOR_BY_NAME, i->product,
               td_intercept_kind_words(i));
        ev(r, "interceptor_ca", "%s", r->interceptor_ca);
        ev(r, "interceptor_depth", "%d", r->interceptor_depth);
        ev(r, "_product", "%s", i->product);
    }
    if (i != NULL && td_intercept_key_is_public(i)) {
        set_cause(r, TD_CAUSE_INTERCEPTED_KNOWN_KEY);
        set_variant(r, i->kind == TD_ICPT_DEV_CERT ? TD_V_DEV_CERT : TD_V_BASE);
        r->no_hint = 1; /* every runtime's hint would say how to trust it */
        return;
    }
    if (i == NULL) {
        ev(r, "public_service", TD_SAY_PUBLIC_SERVICE, name, listed);
        ev(r, "requested", "%s", name);
        ev(r, "_issuing_ca", "%s", r->top.self_signed ? r->top.subject : r->top.issuer);
        set_cause(r, TD_CAUSE_INTERCEPTED_BY_PROXY);
        set_variant(r, TD_V_PUBLIC_NAME);
        r->no_hint = 1; /* whether to trust that CA at all is the question */
        return;
    }
    if (!untrusted && !weak) return; /* an expired or misnamed proxy certificate: keep the cause */
    set_cause(r, TD_CAUSE_INTERCEPTED_BY_PROXY);
    set_variant(r, i->kind == TD_ICPT_ANTIVIRUS  ? TD_V_ANTIVIRUS
                   : i->kind == TD_ICPT_DEBUGGER ? TD_V_DEBUGGER
                                                 : TD_V_BASE);
    if (weak) {
        r->fix_variant = TD_V_WEAK_ROOT;
        r->no_hint = 1; /* trusting it would not help: the level refuses it anyway */
    }
}

static void classify_verify(struct td_report *r)
{
    const struct td_cert *c = &r->vcert;
    char clock[32], amount[32];
    long code = r->verify_code;
    int server = r->role == TD_ROLE_SERVER;

    td_rfc3339(r->now, clock, sizeof(clock));
    if (server) ev(r, "about", TD_SAY_ABOUT_CLIENT_CERT);
    ev(r, "certificate", "%s", c->subject);
    ev(r, "depth", "%d", r->verify_depth);
    ev(r, "issuer", "%s", c->issuer);
    ev(r, "verify", TD_SAY_VERIFY, code, X509_verify_cert_error_string(code));
    ev(r, "_purpose", "%s", server ? "clientAuth" : "serverAuth");

    enum td_cause_id causes[TD_RULE_CAUSES];
    td_verify_causes(code, causes);
    switch (causes[0]) {
    case TD_CAUSE_SELF_SIGNED: set_cause(r, TD_CAUSE_SELF_SIGNED); break;
    case TD_CAUSE_SELF_SIGNED_IN_CHAIN:
        ev(r, "root", "%s", r->top.subject);
        ev(r, "chain_sent", "%d", r->chain_sent);
        set_cause(r, TD_CAUSE_SELF_SIGNED_IN_CHAIN);
        break;
    case TD_CAUSE_TRUST_STORE_MISSING:
    case TD_CAUSE_MISSING_INTERMEDIATE: {
        ev(r, "root", "%s", r->top.subject);
        ev(r, "root_issuer", "%s", r->top.issuer);
        ev(r, "chain_sent", "%d", r->chain_sent);
        int usable = trust_evidence(r);
        if (usable == 0 && !server) {
            r->fix_variant = store_fix(r);
            set_cause(r, TD_CAUSE_TRUST_STORE_MISSING);
        } else if (!r->top.self_signed && r->top.aia_ca_issuers[0] != '\0') {
            /* An issuer we could fetch but were not sent: the server's chain stops short. */
            ev(r, "aia", "%s", r->top.aia_ca_issuers);
            set_cause(r, TD_CAUSE_MISSING_INTERMEDIATE);
        } else {
            if (r->chain_sent == 1 && !r->top.self_signed) {
                ev(r, "note", TD_SAY_SOLE_CERT, server ? "client" : "server");
                r->summary_variant = TD_V_SOLE_CERT;
                if (!server) weigh_sole_cert(r);
            }
            if (server) r->fix_variant = TD_V_SERVER;
            else ev(r, "_untrusted_ca", "%s", r->top.self_signed ? r->top.subject : r->top.issuer);
            set_cause(r, TD_CAUSE_UNKNOWN_CA);
        }
        break;
    }
    case TD_CAUSE_EXPIRED:
        span(r->now - c->na, amount, sizeof(amount));
        ev(r, "valid", TD_SAY_RANGE, c->not_before, c->not_after);
        ev(r, "clock", TD_SAY_AFTER_NOT_AFTER, clock, amount);
        ev(r, "_span", "%s", amount);
        ev(r, "_not_after", "%s", c->not_after);
        ev(r, "_now", "%s", clock);
        set_cause(r, TD_CAUSE_EXPIRED);
        break;
    case TD_CAUSE_NOT_YET_VALID: {
        span(c->nb - r->now, amount, sizeof(amount));
        int several = r->not_yet_valid_count;
        ev(r, "valid", TD_SAY_RANGE, c->not_before, c->not_after);
        ev(r, "clock", TD_SAY_BEFORE_NOT_BEFORE, clock, amount);
        ev(r, "_span", "%s", amount);
        ev(r, "_not_before", "%s", c->not_before);
        ev(r, "_now", "%s", clock);
        if (several > 1 || r->now < TLSDIAG_BUILD_EPOCH - 86400) {
            ev(r, "_not_yet_valid_count", "%d", several);
            r->fix_variant = TD_V_CLOCK_WRONG;
        }
        set_cause(r, TD_CAUSE_NOT_YET_VALID);
        break;
    }
    case TD_CAUSE_HOSTNAME_MISMATCH:
        ev(r, "requested", "%s", r->requested_name[0] ? r->requested_name : r->host);
        if (r->leaf.san[0]) ev(r, "names", "%s", r->leaf.san);
        else ev(r, "names", TD_SAY_CN_ONLY, r->leaf.cn);
        set_cause(r, TD_CAUSE_HOSTNAME_MISMATCH);
        break;
    case TD_CAUSE_WEAK_KEY_OR_DIGEST:
        if (code == X509_V_ERR_CA_MD_TOO_WEAK)
            ev(r, "weakness", TD_SAY_WEAK_DIGEST,
               c->sig_digest[0] ? c->sig_digest : TD_SAY_WEAK_DIGEST_UNNAMED);
        else /* c->key is "RSA-1024": its type, the bits apart */
            ev(r, "weakness", TD_SAY_WEAK_KEY, c->key_bits, (int)strcspn(c->key, "-"), c->key);
        ev(r, "security_level", "%d", r->security_level);
        set_cause(r, TD_CAUSE_WEAK_KEY_OR_DIGEST);
        break;
    case TD_CAUSE_BAD_PURPOSE:
        ev(r, "eku", "%s", c->eku[0] ? c->eku : TD_SAY_NO_EKU);
        set_cause(r, TD_CAUSE_BAD_PURPOSE);
        break;
    case TD_CAUSE_REVOKED_CRL: set_cause(r, TD_CAUSE_REVOKED_CRL); break;
    default: set_cause(r, TD_CAUSE_OTHER_VERIFY); break;
    }
    classify_interception(r);
    also_evidence(r);
}

/* ---- versions ------------------------------------------------------------------------- */

static void versions_list(const struct td_hello *h, char *dst, size_t cap)
{
    dst[0] = '\0';
    size_t o = 0;
    if (h->n_versions > 0) {
        for (int i = 0; i < h->n_versions && i < TD_HELLO_MAX_VERSIONS; i++) {
            const char *n = td_version_name(h->versions[i]);
            if (!strcmp(n, "unknown")) continue; /* GREASE and future versions */
            o += (size_t)snprintf(dst + o, cap - o, "%s%s", o ? ", " : "", n);
            if (o >= cap) return;
        }
    } else if (h->parsed) {
        snprintf(dst, cap, TD_SAY_UP_TO, td_version_name(h->legacy_version));
    }
}

/* At security level 1 and above OpenSSL 3 refuses the SHA-1/MD5 signatures TLS 1.0 and 1.1
 * need, so a range that starts below TLS 1.2 really starts at TLS 1.2. */
static int level_rules_out_old(const struct td_report *r)
{
    return r->security_level >= 1 && r->min_version && r->min_version < TLS1_2_VERSION &&
           r->max_version >= TLS1_2_VERSION;
}

static void allowed_text(const struct td_report *r, char *dst, size_t cap)
{
    if (r->min_version == 0 || r->max_version == 0 || r->min_version > r->max_version)
        snprintf(dst, cap, TD_SAY_NO_VERSION, td_version_name(r->min_version),
                 td_version_name(r->max_version));
    else if (level_rules_out_old(r))
        snprintf(dst, cap, TD_SAY_RANGE_AT_LEVEL, td_version_name(TLS1_2_VERSION),
                 td_version_name(r->max_version), r->security_level,
                 td_version_name(r->min_version), td_version_name(r->max_version));
    else
        snprintf(dst, cap, TD_SAY_RANGE, td_version_name(r->min_version),
                 td_version_name(r->max_version));
}

/* Where the minimum and maximum come from: the config's policy, the application, or disabled
 * versions. */
static void version_source(struct td_report *r)
{
    const struct td_policy *p = &r->policy;
    const char *path = p->path[0] ? p->path : TD_SAY_THE_CONFIG;
    char *out = r->version_limit_source;
    size_t cap = sizeof(r->version_limit_source);
    int n;
    if (r->min_explicit && p->min[0] && td_version_from_name(p->min) == r->min_version)
        n = snprintf(out, cap, TD_SAY_MIN_FROM_CONFIG, p->min, p->section, path);
    else if (r->min_explicit)
        n = snprintf(out, cap, TD_SAY_MIN_FROM_APP, td_version_name(r->min_version), path,
                     p->min[0] ? TD_SAY_CONFIG_SAYS_MIN : TD_SAY_CONFIG_NO_MIN, p->min);
    else if (r->min_version > TLS1_VERSION)
        n = snprintf(out, cap, TD_SAY_MIN_DISABLED, td_version_name(r->min_version), path);
    else
        n = snprintf(out, cap, TD_SAY_MIN_NONE, path, r->security_level,
                     r->security_level >= 1 ? TD_SAY_LEVEL_RULES_OUT_OLD : "");
    if (n > 0 && (size_t)n < cap && !r->max_explicit && r->max_version &&
        r->max_version < TLS1_3_VERSION)
        snprintf(out + n, cap - (size_t)n, TD_SAY_MAX_DISABLED, td_version_name(r->max_version));
    else if (n > 0 && (size_t)n < cap && r->max_explicit) {
        if (p->max[0] && td_version_from_name(p->max) == r->max_version)
            snprintf(out + n, cap - (size_t)n, TD_SAY_MAX_FROM_CONFIG, p->max, p->section, path);
        else
            snprintf(out + n, cap - (size_t)n, TD_SAY_MAX_FROM_APP,
                     td_version_name(r->max_version));
    }
    if (p->max[0]) ev(r, "config_max", TD_SAY_CONFIG_MAX, p->max, p->section, path);
    if (p->ciphers[0]) ev(r, "config_ciphers", TD_SAY_CONFIG_CIPHERS, p->ciphers, p->section, path);
}

static void classify_version(struct td_report *r, enum td_cause_id id)
{
    char buf[256];
    int client = r->role == TD_ROLE_CLIENT;
    set_cause(r, id);
    version_source(r);
    allowed_text(r, buf, sizeof(buf));
    ev(r, "allowed", "%s", buf);
    ev(r, "limit_source", "%s", r->version_limit_source);
    if (client) {
        versions_list(&r->offered, buf, sizeof(buf));
        ev(r, "offered", "%s", buf[0] ? buf : TD_SAY_NOT_SEEN);
    } else {
        versions_list(&r->offered, buf, sizeof(buf));
        ev(r, "peer_offered", "%s",
           buf[0]            ? buf
           : r->peer_version ? td_version_name(r->peer_version)
                             : TD_SAY_NOT_SEEN);
    }
    if (r->peer_version) ev(r, "peer_version", "%s", td_version_name(r->peer_version));
    ev(r, "openssl", "%s", r->openssl_version);
    if (r->err_reason == SSL_R_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED)
        ev(r, "note", TD_SAY_LEGACY_SIGALG, r->err_reason_str, r->security_level);
    /* Version errors are about the offer, not the outcome. */
    r->negotiated = 0;

    ev(r, "_min", "%s", td_version_name(r->min_version));
    ev(r, "_max", "%s", td_version_name(r->max_version));
    if (id == TD_CAUSE_PEER_REJECTED_VERSIONS && r->max_version && r->max_version < TLS1_3_VERSION)
        r->fix_variant = r->max_version < TLS1_2_VERSION ? TD_V_CAPPED_OLD : TD_V_CAPPED;
    if (id == TD_CAUSE_PEER_VERSION_TOO_LOW) {
        ev(r, "_lowest", "%s", r->peer_version ? td_version_name(r->peer_version) : "TLSv1");
        if (!client) set_variant(r, TD_V_SERVER);
        /* "Below this client's minimum" must not stand beside a range that includes it. */
        else if (r->peer_version && r->peer_version >= r->min_version && level_rules_out_old(r))
            r->summary_variant = TD_V_LEVEL;
    }
}

/* ---- handshake failure ------------------------------------------------------------------ */

static void classify_handshake_failure(struct td_report *r)
{
    char buf[512];
    int client = r->role == TD_ROLE_CLIENT;
    const struct td_cipher_mix m = r->offered_mix;
    set_cause(r, TD_CAUSE_NO_SHARED_CIPHER);
    if (r->offered.parsed) {
        versions_list(&r->offered, buf, sizeof(buf));
        ev(r, client ? "offered_versions" : "client_versions", "%s", buf);
        ev(r, client ? "offered_ciphers" : "client_ciphers", TD_SAY_SUITES, m.total, m.tls13, m.fs,
           m.non_fs, m.unknown, m.non_fs == 0 ? TD_SAY_FS_ONLY : "",
           m.examined < r->offered.n_ciphers ? TD_SAY_FIRST_SUITES_ONLY : "");
        ev(r, "groups", TD_SAY_N_OFFERED, r->offered.n_groups);
        ev(r, "sigalgs", TD_SAY_N_OFFERED, r->offered.n_sigalgs);
        ev(r, "sni", "%s", r->offered.has_sni ? r->offered.sni : TD_SAY_NONE_SENT);
    }
    if (!client) {
        ev(r, "server_allows", "%s", r->server_allows);
        ev(r, "client_cipher_names", "%s", m.names);
        ev(r, "_suites", "%d", m.total);
        set_variant(r, TD_V_SERVER);
        /* Old clients are not the problem when this server allows nothing but NULL suites. */
        if (r->server_total > 0 && r->server_null == r->server_total) {
            ev(r, "note", TD_SAY_SERVER_NULL_ONLY, r->server_total);
            r->fix_variant = TD_V_SERVER_NULL;
        }
        r->no_hint = 1;
        return;
    }
    if (r->alert_seen && !r->alert_sent && !r->answer.parsed)
        ev(r, "alert", TD_SAY_ALERT_AFTER_HELLO, td_alert_name(r->alert_desc));
    if (!r->offered.has_sni && r->offered.parsed) r->fix_variant = TD_V_NO_SNI;
    /* The cipher advice of the guide is for Python hosts that offered forward-secret suites only. */
    r->no_hint = !(m.non_fs == 0 && m.total > 0);
    /* Nothing but NULL suites offered: neither an old server nor RSA key exchange is the fault. */
    if (m.total > 0 && r->offered_null == m.total) {
        ev(r, "note", TD_SAY_OFFERED_NULL_ONLY, m.total);
        r->fix_variant = TD_V_NULL_OFFERED;
        r->no_hint = 1;
    }
}

/* ---- OCSP ------------------------------------------------------------------------------ */

/* How far ahead of this clock a staple may be dated before the clock is the likelier fault:
 * a few minutes, what servers and responders with working NTP never drift apart by. */
#define TD_OCSP_CLOCK_SLACK 300

static void classify_ocsp(struct td_report *r)
{
    const struct td_ocsp_info *o = &r->ocsp;
    ev(r, "certificate", "%s", r->leaf.subject);
    ev(r, "staple", "%s", r->ocsp_stapled ? "" : TD_SAY_NO_STAPLE);
    if (r->ocsp_stapled)
        snprintf(r->evidence[r->n_evidence - 1].value, sizeof(r->evidence[0].value), TD_SAY_STAPLED,
                 r->ocsp_len, o->response_status_str[0] ? o->response_status_str : TD_SAY_UNPARSED);
    if (o->cert_status[0]) ev(r, "cert_status", "%s", o->cert_status);
    if (o->this_update[0])
        ev(r, "staple_dates", TD_SAY_STAPLE_DATES, o->this_update,
           o->next_update[0] ? o->next_update : TD_SAY_NONE,
           o->next_update_in < 0 ? TD_SAY_PASSED : TD_SAY_IN, labs(o->next_update_in),
           o->next_update_in < 0 ? TD_SAY_AGO : TD_SAY_FROM_NOW,
           o->this_update_in > 0 ? TD_SAY_THIS_UPDATE_AHEAD : "");
    if (o->revocation_time[0])
        ev(r, "revoked", TD_SAY_REVOKED_AT, o->revocation_time,
           o->revocation_reason[0] ? o->revocation_reason : TD_SAY_UNSPECIFIED);
    if (r->ocsp_stapled && o->signature_ok == 0)
        ev(r, "signature", "%s",
           o->signature_error[0] ? o->signature_error : TD_SAY_DOES_NOT_VERIFY);
    if (r->ocsp_stapled && o->response_status >= 0)
        ev(r, "response_status", "%s", o->response_status_str);
    if (r->ocsp_stapled) ev(r, "_staple_bytes", TD_SAY_BYTES, r->ocsp_len);
    ev(r, "must_staple", "%s", r->leaf.must_staple ? "yes" : "no");

    /* A response signed ahead of this clock by more than clocks drift apart: a responder
     * signs when it answers, so it is this clock that is behind. */
    if (o->verdict == TD_OCSP_STALE && o->this_update_in > TD_OCSP_CLOCK_SLACK) {
        char now[32], amount[32];
        td_rfc3339(r->now, now, sizeof(now));
        span(o->this_update_in, amount, sizeof(amount));
        ev(r, "clock", TD_SAY_OCSP_CLOCK, now, o->this_update, amount);
        ev(r, "_now", "%s", now);
        ev(r, "_signed", "%s", o->this_update);
        ev(r, "_span", "%s", amount);
        set_variant(r, TD_V_CLOCK_WRONG);
    }
    switch (o->verdict) {
    case TD_OCSP_REVOKED: set_cause(r, TD_CAUSE_OCSP_REVOKED); break;
    case TD_OCSP_STALE: set_cause(r, TD_CAUSE_OCSP_STALE); break;
    case TD_OCSP_UNSUCCESSFUL: set_cause(r, TD_CAUSE_OCSP_UNSUCCESSFUL); break;
    case TD_OCSP_BAD_SIGNATURE: set_cause(r, TD_CAUSE_OCSP_BAD_SIGNATURE); break;
    case TD_OCSP_WRONG_CERT: set_cause(r, TD_CAUSE_OCSP_WRONG_CERTIFICATE); break;
    case TD_OCSP_MALFORMED: set_cause(r, TD_CAUSE_OCSP_MALFORMED); break;
    case TD_OCSP_NONE:
        set_cause(r, r->leaf.must_staple ? TD_CAUSE_OCSP_MISSING_STAPLE : TD_CAUSE_OCSP_REJECTED);
        break;
    default: set_cause(r, TD_CAUSE_OCSP_REJECTED); break;
    }
}

/* ---- not TLS --------------------------------------------------------------------------- */

static void classify_not_tls(struct td_report *r)
{
    char hex[32] = "", ascii[8] = "";
    size_t o = 0;
    for (int i = 0; i < r->first_bytes_len; i++) {
        o += (size_t)snprintf(hex + o, sizeof(hex) - o, "%s%02X", i ? " " : "", r->first_bytes[i]);
        ascii[i] = isprint(r->first_bytes[i]) ? (char)r->first_bytes[i] : '.';
    }
    ascii[r->first_bytes_len] = '\0';
    int http = !strncmp(ascii, "HTTP", 4);
    int server_got_http =
        r->err_reason == SSL_R_HTTP_REQUEST || r->err_reason == SSL_R_HTTPS_PROXY_REQUEST;
    if (r->first_bytes_len > 0)
        ev(r, "first_bytes", TD_SAY_FIRST_BYTES, hex, ascii, http ? TD_SAY_AN_HTTP_RESPONSE : "");
    else ev(r, "first_bytes", "%s", server_got_http ? TD_SAY_AN_HTTP_REQUEST : TD_SAY_NOT_RECORDED);
    if (server_got_http) r->fix_variant = TD_V_GOT_HTTP;
    else if (http) r->fix_variant = TD_V_HTTP;
    set_cause(r, TD_CAUSE_NOT_TLS);
}

/* ---- Diffie-Hellman ----------------------------------------------------------------------- */

/* The smallest DH prime each security level allows (80, 112, 128, 192, 256 bits of security). */
static int dh_min_bits(int level)
{
    static const int bits[] = { 0, 1024, 2048, 3072, 7680, 15360 };
    return level >= 0 && level <= 5 ? bits[level] : 15360;
}

static void classify_dh(struct td_report *r, int reason)
{
    ev(r, "security_level", "%d", r->security_level);
    if (r->dh_bits > 0 && r->security_level > 0)
        ev(r, "dh_group", TD_SAY_DH_GROUP, r->dh_bits, r->security_level,
           dh_min_bits(r->security_level));
    else if (r->dh_bits > 0) ev(r, "dh_group", TD_SAY_DH_GROUP_BITS, r->dh_bits);
    if (r->dh_err_reason != 0) ev(r, "dh_check", TD_SAY_DH_CHECK, r->dh_err_str);
    /* Not too small but invalid: what the DH library found, or the SSL library's summary. */
    if (reason == SSL_R_BAD_DH_VALUE) {
        ev(r, "_dh_problem", "%s", r->dh_err_reason ? r->dh_err_str : r->err_reason_str);
        set_variant(r, TD_V_DH_INVALID);
    }
    set_cause(r, TD_CAUSE_DH_KEY_TOO_SMALL);
}

/* ---- certificate lists ------------------------------------------------------------------ */

/* OpenSSL reads a handshake message's header before the message, and refuses a certificate list
 * over its limit there: the list itself never arrives, so only the limit is known. */
static void classify_cert_list(struct td_report *r)
{
    ev(r, "limit", TD_SAY_CERT_LIST_LIMIT, r->max_cert_list);
    ev(r, "size", TD_SAY_CERT_LIST_SIZE, r->max_cert_list);
    ev(r, "_limit", "%ld", r->max_cert_list);
    set_cause(r, TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE);
}

/* A server whose own list is over OpenSSL's default limit, refused with the alert an OpenSSL
 * client sends for it (illegal_parameter) or a decoder's (decode_error): the client's limit. */
static int our_list_too_large(const struct td_report *r, int received)
{
    return r->role == TD_ROLE_SERVER && r->ours_chain_bytes > SSL_MAX_CERT_LIST_DEFAULT &&
           (received == SSL_AD_ILLEGAL_PARAMETER || received == SSL_AD_DECODE_ERROR);
}

/* The same list, and the client closed the connection before our handshake was done, with no
 * alert we could read: an OpenSSL client that refuses the list's header resets a server that
 * is still writing the rest, and its alert is lost with the connection. */
static int our_list_hung_up(const struct td_report *r, int received)
{
    return r->role == TD_ROLE_SERVER && r->ours_chain_bytes > SSL_MAX_CERT_LIST_DEFAULT &&
           received < 0 && !r->init_finished &&
           (r->err == 0 || r->err_lib == ERR_LIB_SYS ||
            (r->err_lib == ERR_LIB_SSL && r->err_reason == SSL_R_UNEXPECTED_EOF_WHILE_READING));
}

static void classify_our_list(struct td_report *r)
{
    ev(r, "our_chain", TD_SAY_OUR_CHAIN, r->ours_chain_bytes, r->ours_chain_certs,
       r->ours_san_count);
    ev(r, "peer_limit", TD_SAY_PEER_LIMIT_DEFAULT, SSL_MAX_CERT_LIST_DEFAULT);
    ev(r, "_our_bytes", "%ld", r->ours_chain_bytes);
    ev(r, "_our_sans", "%d", r->ours_san_count);
    set_variant(r, TD_V_SERVER);
    r->no_hint = 1; /* the hints are for a client that cannot raise its limit */
    set_cause(r, TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE);
}

/* ---- trace mode: a successful handshake ----------------------------------------------- */

static const char *verdict_text(const struct td_ocsp_info *o)
{
    switch (o->verdict) {
    case TD_OCSP_REVOKED: return TD_SAY_OCSP_REVOKED;
    case TD_OCSP_UNKNOWN_STATUS: return TD_SAY_OCSP_UNKNOWN;
    case TD_OCSP_STALE: return o->this_update_in > 0 ? TD_SAY_OCSP_FUTURE : TD_SAY_OCSP_PASSED;
    case TD_OCSP_UNSUCCESSFUL: return TD_SAY_OCSP_UNSUCCESSFUL;
    case TD_OCSP_BAD_SIGNATURE: return TD_SAY_OCSP_BAD_SIGNATURE;
    case TD_OCSP_WRONG_CERT: return TD_SAY_OCSP_WRONG_CERT;
    case TD_OCSP_MALFORMED: return TD_SAY_OCSP_MALFORMED;
    case TD_OCSP_NO_ISSUER: return TD_SAY_OCSP_NO_ISSUER;
    default: return TD_SAY_OCSP_GOOD;
    }
}

static void classify_ok(struct td_report *r)
{
    set_cause(r, TD_CAUSE_OK);
    if (r->verify_code != X509_V_OK)
        ev(r, "warning_verify", TD_SAY_OK_BUT_UNVERIFIED, r->verify_code,
           X509_verify_cert_error_string(r->verify_code),
           (r->verify_mode & SSL_VERIFY_PEER) ? "peer" : "none");
    if (r->ocsp_stapled) {
        ev(r, "staple", TD_SAY_STAPLE_NEXT,
           r->ocsp.cert_status[0] ? r->ocsp.cert_status : verdict_text(&r->ocsp),
           r->ocsp.next_update[0] ? r->ocsp.next_update : TD_SAY_NONE);
        if (r->ocsp.next_update[0] && r->ocsp.next_update_in < 0)
            ev(r, "warning_staple", TD_SAY_STAPLE_EXPIRED, -r->ocsp.next_update_in);
        else if (r->ocsp.next_update[0] && r->ocsp.next_update_in < 24 * 3600)
            ev(r, "warning_staple", TD_SAY_STAPLE_EXPIRES, r->ocsp.next_update_in);
        if (r->ocsp.verdict != TD_OCSP_GOOD && r->ocsp.verdict != TD_OCSP_NONE)
            ev(r, "warning_staple_status", TD_SAY_STAPLE_NOT_GOOD, verdict_text(&r->ocsp));
    } else if (r->leaf.must_staple) {
        ev(r, "warning_must_staple", TD_SAY_MUST_STAPLE_NONE);
    }
}

/* ---- the decision ---------------------------------------------------------------------- */

/* Which hint column fits the host, from what observe saw: the library that made this connection
 * (its SSL options, include/runtime.h) before what is merely loaded (the mappings). Options of 0
 * are unknown (a connection already freed): what is loaded decides. */
static int made_by(const struct td_report *r, unsigned loaded, unsigned long option)
{
    return (r->loaded & loaded) && (r->ssl_options == 0 || (r->ssl_options & option));
}

static int hint_column(const struct td_report *r)
{
    if (r->runtime == TD_RT_PYTHON || r->runtime == TD_RT_PYPY) {
        if (r->loaded & TD_LOADED_PIP) return TD_HINT_PIP;
        if (r->ssl_options & TD_SSL_OPT_NO_RENEGOTIATION) return TD_HINT_PYMONGO;
        if (r->ssl_options & TD_SSL_OPT_NO_TICKET) return TD_HINT_REQUESTS;
        if (r->ssl_options == 0 && (r->pymongo || (r->loaded & TD_LOADED_PYMONGO)))
            return TD_HINT_PYMONGO;
        return r->runtime;
    }
    if (r->runtime == TD_RT_PHP)
        return made_by(r, TD_LOADED_PHP_MONGODB | TD_LOADED_MONGOC, TD_SSL_OPT_NO_RENEGOTIATION)
                   ? TD_HINT_PHP_MONGODB
                   : TD_RT_PHP;
    if (r->runtime == TD_RT_RUBY)
        return made_by(r, TD_LOADED_RUBY_BSON, TD_SSL_OPT_EMPTY_FRAGMENTS) ? TD_HINT_RUBY_MONGO
                                                                           : TD_RT_RUBY;
    if (made_by(r, TD_LOADED_MONGOC, TD_SSL_OPT_NO_RENEGOTIATION)) return TD_HINT_MONGOC;
    return (unsigned)r->runtime < TD_RT_COUNT ? (int)r->runtime : TD_RT_OTHER;
}

void td_classify(struct td_report *r)
{
    int client = r->role == TD_ROLE_CLIENT;
    int reason = r->err_lib == ERR_LIB_SSL ? r->err_reason : 0;
    int received = r->alert_seen && !r->alert_sent ? r->alert_desc : -1;
    enum td_cause_id alert_causes[TD_RULE_CAUSES];
    enum td_cause_id by_reason = td_reason_cause(reason);

    if (r->event == TD_EV_HANDSHAKE_OK) {
        classify_ok(r);
        return;
    }
    ev(r, "_side", "%s", client ? "client" : "server");
    ev(r, "_peer", "%s", client ? "server" : "client");
    if (r->alert_seen) ev(r, "_alert_name", "%s", td_alert_name(r->alert_desc));
    if (r->alert_seen)
        ev(r, "alert", TD_SAY_ALERT, r->alert_sent ? TD_SAY_SENT : TD_SAY_RECEIVED,
           td_alert_name(r->alert_desc), r->alert_sent ? TD_SAY_TO : TD_SAY_FROM,
           client ? "server" : "client");
    if (r->err) ev(r, "error", "%s", r->err_reason_str);
    else if (!client && r->refused_without_cert)
        ev(r, "error", TD_SAY_ERROR_SERVER_NO_CERT, r->program);
    else if (client && r->verify_code != X509_V_OK && r->init_finished)
        ev(r, "error", TD_SAY_ERROR_CLIENT_CHECKED, r->program);
    else if (!client && r->verify_code != X509_V_OK && r->init_finished)
        ev(r, "error", TD_SAY_ERROR_SERVER_REFUSED);
    else ev(r, "error", TD_SAY_ERROR_NONE);

    if (!client && r->refused_without_cert) set_cause(r, TD_CAUSE_CLIENT_CERT_MISSING);
    else if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED ||
             (r->verify_code != X509_V_OK && (reason == 0 || r->alert_sent) && received < 0))
        classify_verify(r);
    else if (reason == SSL_R_INVALID_STATUS_RESPONSE) classify_ocsp(r);
    else if (reason == SSL_R_OCSP_CALLBACK_FAILURE && r->ocsp_stapled &&
             r->ocsp.verdict == TD_OCSP_MALFORMED) {
        classify_ocsp(r);
        ev(r, "note", TD_SAY_CALLBACK_ON_BYTES);
    } else if (by_reason == TD_CAUSE_OCSP_CALLBACK_FAILURE) {
        classify_ocsp(r); /* for the staple evidence */
        set_cause(r, TD_CAUSE_OCSP_CALLBACK_FAILURE);
    } else if (by_reason == TD_CAUSE_LEGACY_RENEGOTIATION) {
        ev(r, "server_hello", TD_SAY_NO_RENEG_INFO,
           r->answer.parsed && !r->answer.renegotiation_info ? TD_SAY_SEEN_IN_SERVER_HELLO : "");
        ev(r, "openssl", "%s", r->openssl_version);
        ev(r, "_config", "%s", r->policy.path[0] ? r->policy.path : "openssl.cnf");
        set_cause(r, TD_CAUSE_LEGACY_RENEGOTIATION);
    } else if (by_reason == TD_CAUSE_PEER_VERSION_TOO_LOW ||
               (reason == SSL_R_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED && r->peer_version &&
                r->peer_version < TLS1_2_VERSION))
        classify_version(r, TD_CAUSE_PEER_VERSION_TOO_LOW);
    else if (by_reason == TD_CAUSE_NO_PROTOCOLS_AVAILABLE)
        classify_version(r, TD_CAUSE_NO_PROTOCOLS_AVAILABLE);
    else if (received == SSL_AD_PROTOCOL_VERSION)
        classify_version(r, TD_CAUSE_PEER_REJECTED_VERSIONS);
    else if (by_reason == TD_CAUSE_NO_SHARED_CIPHER || received == SSL_AD_HANDSHAKE_FAILURE ||
             received == SSL_AD_INSUFFICIENT_SECURITY) {
        if (client && received == SSL_AD_HANDSHAKE_FAILURE && r->answer.parsed && !r->ours.present)
            set_cause(
                r,
                TD_CAUSE_CLIENT_CERT_MISSING); /* refused after its ServerHello: our missing cert */
        else classify_handshake_failure(r);
    } else if (by_reason == TD_CAUSE_NO_COMMON_GROUP) {
        ev(r, "groups", TD_SAY_N_OFFERED, r->offered.n_groups);
        set_cause(r, TD_CAUSE_NO_COMMON_GROUP);
    } else if (by_reason == TD_CAUSE_NOT_TLS || r->first_bytes_len > 0) classify_not_tls(r);
    else if (by_reason == TD_CAUSE_DH_KEY_TOO_SMALL) classify_dh(r, reason);
    else if (by_reason == TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE) classify_cert_list(r);
    else if (our_list_too_large(r, received)) classify_our_list(r);
    else if (our_list_hung_up(r, received)) {
        classify_our_list(r);
        r->summary_variant = TD_V_HUNG_UP;
    } else if (by_reason == TD_CAUSE_CLIENT_CERT_MISSING ||
               (client && received == TLS13_AD_CERTIFICATE_REQUIRED && !r->ours.present)) {
        set_cause(r, TD_CAUSE_CLIENT_CERT_MISSING);
    } else if (r->alert_seen && r->alert_desc == TLS1_AD_UNRECOGNIZED_NAME) {
        const char *sni = r->offered.parsed ? (r->offered.has_sni ? r->offered.sni : NULL)
                                            : (r->host[0] ? r->host : NULL);
        ev(r, "sni", "%s", sni ? sni : TD_SAY_NONE_SENT);
        r->summary_variant =
            client ? (sni ? TD_V_BASE : TD_V_NO_SNI) : (sni ? TD_V_SERVER : TD_V_SERVER_NO_SNI);
        set_cause(r, TD_CAUSE_SNI_REJECTED);
    } else if (received >= 0 && td_alert_causes(received, alert_causes) > 1) {
        if (client) {
            ev(r, "our_certificate", "%s", r->ours.present ? r->ours.subject : TD_SAY_OURS_NONE);
            if (r->ours.present) {
                ev(r, "our_issuer", "%s", r->ours.issuer);
                ev(r, "our_validity", TD_SAY_RANGE, r->ours.not_before, r->ours.not_after);
            }
        }
        set_cause(r, alert_causes[client ? 0 : 1]);
    } else if (received >= 0 && td_alert_causes(received, alert_causes) == 1)
        set_cause(r, alert_causes[0]);
    else if (received >= 0) set_cause(r, TD_CAUSE_PEER_ALERT);
    else if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING || r->err == 0) {
        ev(r, "state", "%s", r->state);
        set_cause(r, TD_CAUSE_PEER_CLOSED);
    } else set_cause(r, TD_CAUSE_UNKNOWN);

    /* A server's words: the client is the one who lacks a certificate, and the runtime hints,
     * which say how a client sends one, are the client's business, not this program's. */
    if (!client && r->cause == &td_causes[TD_CAUSE_CLIENT_CERT_MISSING]) {
        ev(r, "_program", "%s", r->program);
        set_variant(r, TD_V_SERVER);
        r->no_hint = 1;
    }
    r->hint_column = hint_column(r);
    if (r->hint_column == TD_HINT_PYMONGO) ev(r, "host", TD_SAY_PYMONGO_HOST, r->program);
}
