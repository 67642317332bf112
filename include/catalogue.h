/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* catalogue: every guide section and cause id tlsdiag can name, with its texts and the rules
 * that map OpenSSL's codes to causes. The data lives in provider/catalogue.c, and only there;
 * its first comment says how to add a cause. */
#ifndef TLSDIAG_CATALOGUE_H
#define TLSDIAG_CATALOGUE_H
#include "runtime.h"

enum td_section {
    TD_SEC_CERTIFICATE_VERIFY_FAILED,
    TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION,
    TD_SEC_INVALID_STATUS_RESPONSE,
    TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE,
    TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED,
    TD_SEC_OTHER,
    TD_SEC_COUNT
};

struct td_section_info {
    const char *id;    /* JSON `section` */
    const char *title; /* the guide's heading */
    const char *guide_url;
};

/* In the order of the README's table and tlsdiag(7): within a section, most specific first. */
enum td_cause_id {
    /* CERTIFICATE_VERIFY_FAILED */
    TD_CAUSE_TRUST_STORE_MISSING,
    TD_CAUSE_UNKNOWN_CA,
    TD_CAUSE_MISSING_INTERMEDIATE,
    TD_CAUSE_SELF_SIGNED,
    TD_CAUSE_SELF_SIGNED_IN_CHAIN,
    TD_CAUSE_EXPIRED,
    TD_CAUSE_NOT_YET_VALID,
    TD_CAUSE_HOSTNAME_MISMATCH,
    TD_CAUSE_WEAK_KEY_OR_DIGEST,
    TD_CAUSE_BAD_PURPOSE,
    TD_CAUSE_REVOKED_CRL,
    TD_CAUSE_OTHER_VERIFY,
    TD_CAUSE_INTERCEPTED_KNOWN_KEY,
    TD_CAUSE_INTERCEPTED_BY_PROXY,
    /* TLSV1_ALERT_PROTOCOL_VERSION */
    TD_CAUSE_PEER_REJECTED_VERSIONS,
    TD_CAUSE_PEER_VERSION_TOO_LOW,
    TD_CAUSE_NO_PROTOCOLS_AVAILABLE,
    /* INVALID_STATUS_RESPONSE */
    TD_CAUSE_OCSP_REVOKED,
    TD_CAUSE_OCSP_STALE,
    TD_CAUSE_OCSP_UNSUCCESSFUL,
    TD_CAUSE_OCSP_BAD_SIGNATURE,
    TD_CAUSE_OCSP_WRONG_CERTIFICATE,
    TD_CAUSE_OCSP_MISSING_STAPLE,
    TD_CAUSE_OCSP_MALFORMED,
    TD_CAUSE_OCSP_REJECTED,
    TD_CAUSE_OCSP_CALLBACK_FAILURE,
    /* SSLV3_ALERT_HANDSHAKE_FAILURE */
    TD_CAUSE_NO_SHARED_CIPHER,
    TD_CAUSE_NO_COMMON_GROUP,
    /* UNSAFE_LEGACY_RENEGOTIATION_DISABLED */
    TD_CAUSE_LEGACY_RENEGOTIATION,
    /* OTHER */
    TD_CAUSE_NOT_TLS,
    TD_CAUSE_PEER_CLOSED,
    TD_CAUSE_PEER_INTERNAL_ERROR,
    TD_CAUSE_DH_KEY_TOO_SMALL,
    TD_CAUSE_CLIENT_CERT_REJECTED,
    TD_CAUSE_CLIENT_CERT_MISSING,
    TD_CAUSE_PEER_REJECTED_OUR_CERTIFICATE,
    TD_CAUSE_SNI_REJECTED,
    TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE,
    TD_CAUSE_PEER_ALERT,
    TD_CAUSE_UNKNOWN,
    TD_CAUSE_OK,
    TD_CAUSE_COUNT
};

/* Which wording of a cause's summary or fix fits the case: classify picks one for each (see
 * struct td_report), the catalogue holds the words. A cause that has no text for a variant
 * uses its TD_V_BASE text, so most causes name none. */
enum td_variant {
    TD_V_BASE,      /* the usual case; for role-dependent texts, this client's */
    TD_V_SERVER,    /* this process is the server */
    TD_V_SOLE_CERT, /* unknown_ca: the peer sent only its own certificate */
    TD_V_DEBIAN,    /* trust_store_missing: how to refresh the store here */
    TD_V_FEDORA,
    TD_V_ENV, /* ... and SSL_CERT_FILE/SSL_CERT_DIR point at nothing usable */
    TD_V_ENV_DEBIAN,
    TD_V_ENV_FEDORA,
    TD_V_CLOCK_WRONG,   /* not_yet_valid: several certificates, or a clock before the build;
                         * ocsp_stale: a staple signed ahead of this clock */
    TD_V_CAPPED,        /* peer_rejected_versions: our maximum is below TLS 1.3 */
    TD_V_CAPPED_OLD,    /* ... and below TLS 1.2 */
    TD_V_NO_SNI,        /* no_shared_cipher, sni_rejected: the client sent no SNI */
    TD_V_SERVER_NO_SNI, /* sni_rejected, as the server, to a client that sent none */
    TD_V_GOT_HTTP,      /* not_tls: a client spoke HTTP to this server */
    TD_V_HTTP,          /* not_tls: the server answered in HTTP */
    TD_V_LEVEL,         /* peer_version_too_low: the version is allowed, the security level not */
    TD_V_SEND_CHAIN,  /* unknown_ca: a sole leaf for a public name, its issuer known nowhere here */
    TD_V_DEV_CERT,    /* intercepted_known_key: a development tool's shared certificate */
    TD_V_ANTIVIRUS,   /* intercepted_by_proxy: an antivirus product's HTTPS scanning */
    TD_V_DEBUGGER,    /* ... a debugging proxy */
    TD_V_PUBLIC_NAME, /* ... not named, but a public service's certificate from an unknown CA */
    TD_V_WEAK_ROOT,   /* ... and its CA's key or signature is too weak for the security level */
    TD_V_DH_INVALID,  /* dh_key_too_small: the group is not a valid one (bad DH value) */
    TD_V_NULL_OFFERED, /* no_shared_cipher: this client offered only NULL (unencrypted) suites */
    TD_V_SERVER_NULL,  /* no_shared_cipher: this server allows only NULL suites */
    TD_V_HUNG_UP,      /* certificate_list_too_large: the client hung up on our oversized list */
    TD_V_COUNT
};

/* Hint columns: one per runtime (enum td_runtime), then one per library whose fixes differ from
 * its host's, chosen by classify from what was observed (r->hint_column): PyMongo (its modules
 * mapped, or its SSL option on the connection), requests/urllib3 (urllib3's SSL option), pip
 * (its command line), libmongoc in a program that is not PHP, PHP's mongodb extension, Ruby's
 * mongo gem (ruby-bson's native extension). An empty library cell falls back to its host's
 * runtime (td_hint_base). Adding a runtime's remedies is one column: a TD_RT_ or TD_HINT_ value,
 * and cells where it has something to say. */
enum {
    TD_HINT_PYMONGO = TD_RT_COUNT,
    TD_HINT_REQUESTS,
    TD_HINT_PIP,
    TD_HINT_MONGOC,
    TD_HINT_PHP_MONGODB,
    TD_HINT_RUBY_MONGO,
    TD_HINT_COUNT
};

/* Texts may hold {key} placeholders, filled from the report's evidence at render time; they
 * stand for values only (names, dates, counts), never for sentences. A placeholder whose key
 * is absent is rendered as "?" */
struct td_cause {
    const char *id;                  /* JSON `cause`: stable, part of the contract */
    enum td_section section;         /* the guide section it belongs to */
    const char *meaning;             /* one line for the README table and the man page */
    const char *summary[TD_V_COUNT]; /* what happened, who refused whom, per variant */
    const char *fix[TD_V_COUNT];     /* what to do about it here, per variant */
    const char *hint[TD_HINT_COUNT]; /* extra in the host's own terms, per column, or NULL */
};

extern const struct td_section_info td_sections[TD_SEC_COUNT];
extern const struct td_cause td_causes[TD_CAUSE_COUNT];

/* Rules shared by provider/classify.c, which has the facts, and `tlsdiag explain`, which has only
 * the words of an error message, so both map a code to the same causes. A rule lists what the
 * code can mean, the likeliest first; classify tells them apart with the facts it has. */
#define TD_RULE_CAUSES 3

/* The causes a failed verification's X509_V_ERR_* code can mean: other_verify for a code no rule
 * names. Fills out, returns how many. */
int td_verify_causes(long code, enum td_cause_id out[TD_RULE_CAUSES]);

/* The causes of a fatal alert received from the peer that needs no other fact to place: as a
 * client reads it first, as a server second. Returns how many; 0 for an alert without a rule
 * (peer_alert, unless a more specific rule applies first). */
int td_alert_causes(int desc, enum td_cause_id out[TD_RULE_CAUSES]);

/* The one cause an OpenSSL SSL reason code (SSL_R_*) names by itself, or TD_CAUSE_COUNT for a
 * reason that needs other facts (or names none). */
enum td_cause_id td_reason_cause(int reason);

/* The text for a variant, falling back to TD_V_BASE. */
const char *td_cause_summary(const struct td_cause *c, int variant);
const char *td_cause_fix(const struct td_cause *c, int variant);

/* Said after the fix when the chain has more problems than the one OpenSSL reported (the
 * also_N evidence): {_also_count} of them. */
extern const char td_also_fix[];

/* The hint for a column (TD_RT_ or TD_HINT_), its host's if the column has none, or NULL. */
const char *td_cause_hint_column(const struct td_cause *c, int column);

/* The runtime a library column falls back to (a runtime column is its own). */
enum td_runtime td_hint_base(int column);

/* The driver's own TLS page for a driver column, or NULL where the section's guide link (the
 * PyMongo guide) is the one to follow. */
extern const char *const td_hint_doc_url[TD_HINT_COUNT];

#endif
