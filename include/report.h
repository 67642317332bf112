/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* report: the facts tlsdiag gathers about one handshake, and the verdict on them.
 * Built only when there is something to say (a failure, or trace mode). */
#ifndef TLSDIAG_REPORT_H
#define TLSDIAG_REPORT_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "catalogue.h"
#include "hello.h"
#include "intercept.h"
#include "ocsp_check.h"
#include "util.h"

#define TD_FIELD 256 /* cap on any certificate- or peer-derived text */
#define TD_MAX_EVIDENCE 40
#define TD_MAX_PROBLEMS 8

enum td_event {
    TD_EV_HANDSHAKE_FAILED,
    TD_EV_HANDSHAKE_OK,
    TD_EV_REPEAT_SUMMARY,
    TD_EV_RATE_LIMITED /* trace lines the rate limit held back (repeat_count of them) */
};

/* What a summary adds up (repeat.c): the peers of the failures it counts. */
#define TD_TOP_SHOWN 3
struct td_tally {
    char name[64];
    long count;
};
struct td_aggregate {
    long distinct_addrs; /* client addresses, ports aside: exact, or an estimate past 64 */
    int distinct_estimated;
    int n_addrs, n_snis;
    /* The most frequent, first, each with a count it surely had (at least). */
    struct td_tally addrs[TD_TOP_SHOWN], snis[TD_TOP_SHOWN];
    int first_held_back; /* the first was not explained either: the rate limit held it back */
    int rate_limit, rate_burst; /* the limit in force, for the words */
};
enum td_role { TD_ROLE_CLIENT, TD_ROLE_SERVER };

struct td_cert {
    int present;
    char subject[TD_FIELD], issuer[TD_FIELD];
    char not_before[32], not_after[32]; /* RFC 3339 */
    time_t nb, na;
    char san[512]; /* "DNS:a, IP:1.2.3.4" */
    char cn[TD_FIELD];
    int self_signed;
    char key[32]; /* "RSA-1024", "EC-256" */
    int key_bits;
    char sig_digest[32];
    char eku[128];
    char aia_ca_issuers[TD_FIELD];
    int must_staple;
};

struct td_evidence {
    const char *key;
    char value[TD_FIELD * 2];
};

/* One place a client looks for CA certificates (a file, or a hashed directory). */
struct td_trust_path {
    char path[TD_FIELD];
    char from[48]; /* "OpenSSL default" or the variable that set it */
    int count;     /* certificates or hash links; -1 when it does not exist */
    long age_days; /* since it last changed */
};

/* One problem of a failed chain, as tlsdiag's own verification of it found (observe.c): the
 * certificate it is about, at its depth, with what the words need. */
struct td_chain_problem {
    long code; /* X509_V_ERR_* */
    int depth;
    char subject[TD_FIELD], issuer[TD_FIELD];
    char not_before[32], not_after[32];
    char key[32];
    char sig_digest[32];
};

/* The system policy of the config in use (its ssl_conf system_default section). */
struct td_policy {
    char path[TD_FIELD]; /* the config file, or "" when none was loaded */
    char section[64];
    char min[16], max[16]; /* MinProtocol, MaxProtocol, or "" */
    char ciphers[160];     /* CipherString, or "" */
};

/* The cipher suites of a ClientHello, by kind, as this OpenSSL knows them. */
struct td_cipher_mix {
    int total, fs, non_fs, tls13, unknown, examined;
    char names[1024]; /* the known ones, OpenSSL names, ':'-separated */
};

struct td_report {
    /* The key: what td_observe_key reads, and all a repeat is recognised by (repeat.c). A report
     * made for it has only this part zeroed (td_report_new_key) until it is admitted. */
    enum td_event event;
    time_t now;
    enum td_role role;
    char host[TD_FIELD];           /* SNI or requested name, raw */
    char addr[64];                 /* "127.0.0.1:443" */
    char requested_name[TD_FIELD]; /* the host or IP checked against the SAN */
    int alert_seen, alert_sent, alert_level, alert_desc;
    long verify_code; /* SSL_get_verify_result, X509_V_OK when fine */
    int verify_depth;
    /* the OpenSSL error peeked at failure */
    unsigned long err;
    int err_lib, err_reason;
    unsigned char first_bytes[5]; /* a record header that was not TLS */
    int first_bytes_len;
    int whole; /* past the key, td_report_init_rest has run: the rest is valid */
    /* Not part of a repeat's kind, but of every line said about one (a window's summary whose
     * first failure was held back has only the key). */
    char program[64];
    enum td_runtime runtime;

    /* The rest of the head, from TD_REPORT_KEY_SIZE on: zeroed for every report. */
    int pymongo;               /* PyMongo's modules are mapped into the host */
    unsigned loaded;           /* TD_LOADED_*: driver libraries mapped, pip on the command line */
    unsigned long ssl_options; /* SSL_get_options of this connection (which library made it) */

    /* versions, OpenSSL protocol numbers (TLS1_2_VERSION ...), 0 if unknown */
    int min_version, max_version, negotiated, peer_version;
    int min_explicit, max_explicit; /* set on the SSL (config or application), not defaults */
    char version_limit_source[TD_FIELD * 3];
    int security_level;
    char cipher[64];
    char state[64]; /* SSL_state_string_long at failure */

    /* certificate verification */
    int chain_sent; /* how many certificates the peer sent */

    /* OCSP */
    int ocsp_requested, ocsp_stapled, ocsp_len;
    struct td_ocsp_info ocsp;

    char err_reason_str[128];

    int init_finished;           /* the handshake had completed */
    int verify_mode;             /* SSL_get_verify_mode */
    const char *openssl_version; /* OpenSSL_version(OPENSSL_VERSION), static */
    const char *openssl_dir;     /* OpenSSL_version(OPENSSL_DIR), static */

    /* verdict */
    enum td_section section;
    const struct td_cause *cause;
    enum td_variant summary_variant; /* which of the cause's wordings fits this case */
    enum td_variant fix_variant;
    int no_hint;     /* the cause's runtime hint is not for this case */
    int hint_column; /* the catalogue's hint column for this host (TD_RT_ or TD_HINT_), classify's */
    int n_evidence;
    long repeat_count;                    /* TD_EV_REPEAT_SUMMARY, TD_EV_RATE_LIMITED */
    const struct td_aggregate *aggregate; /* TD_EV_REPEAT_SUMMARY, TD_EV_RATE_LIMITED */
    enum td_event held_event;             /* TD_EV_RATE_LIMITED: of what kind they were */
    struct td_cert leaf;                  /* the peer's own certificate */

    /* Below: only failures fill these in (see td_report_new), so a trace line does not pay
     * for zeroing them. Each is valid only as far as its present/parsed/n_ field says. */
    struct td_cert vcert;    /* the certificate that failed, at verify_depth */
    struct td_cert top;      /* top of the chain as sent */
    struct td_cert ours;     /* our own certificate, if we have one */
    struct td_hello offered; /* the ClientHello (ours as a client, the peer's as a server) */
    struct td_hello answer;  /* the ServerHello */
    struct td_cipher_mix offered_mix; /* valid when offered.parsed */
    char server_allows[512];          /* a server: the suites it can choose, ':'-separated */
    int not_yet_valid_count;          /* certificates in the peer's chain not valid yet */
    /* Where a client's CA certificates come from, and how many the connection's store holds;
     * read only for a verification that found no issuer. */
    int trust_read;
    struct td_trust_path ca_file, ca_dir;
    int store_loaded;
    int cert_env_set; /* SSL_CERT_FILE or SSL_CERT_DIR is set */
    enum { TD_OS_OTHER, TD_OS_DEBIAN, TD_OS_FEDORA } os;
    struct td_policy policy;
    struct td_evidence evidence[TD_MAX_EVIDENCE];
    /* OpenSSL stops at a chain's first problem; tlsdiag's own verification of a failed chain
     * goes on and finds them all (up to TD_MAX_PROBLEMS, the one OpenSSL reported included). */
    int n_problems;
    struct td_chain_problem problems[TD_MAX_PROBLEMS];
    int issuer_in_store; /* a name in the trust store is the top certificate's issuer's */
    /* Interception software recognised in the chain a client was sent (intercept.c), or NULL;
     * looked for only when its verification failed. td_report_new sets it NULL. */
    const struct td_interceptor *interceptor;
    int interceptor_depth;         /* the certificate it was recognised in, 0 = the leaf */
    int interceptor_by_issuer;     /* by the issuer that certificate names, not by itself */
    char interceptor_ca[TD_FIELD]; /* that certificate's subject, or the issuer it names */

    /* The handshake's long tail (issue 15): zeroed by td_report_new, whatever the event. */
    long max_cert_list;    /* SSL_get_max_cert_list: the largest certificate list we take */
    long ours_chain_bytes; /* our certificate and chain as we send them (DER), when the peer
                            * refused us with an alert; 0 when not measured */
    int ours_chain_certs, ours_san_count;
    /* A server that asked for a client certificate, finished the handshake without one, and
     * then refused the client itself (nginx's 400 "No required SSL certificate was sent"). */
    int refused_without_cert;
    int dh_bits; /* the server's DH prime, bits, from its ServerKeyExchange; 0 if unseen */
    /* The oldest error on the queue when it came from the DH library (what a bad DH value was
     * found to be, e.g. DH_R_CHECK_P_NOT_PRIME), 0 otherwise. */
    int dh_err_reason;
    char dh_err_str[96];
    /* NULL (unencrypted) suites: of the ClientHello's known ones, and a server's own (of how
     * many it allows); valid with offered_mix. */
    int offered_null, server_null, server_total;
};
/* Where a report's key ends: td_report_new_key zeroes what comes before. */
#define TD_REPORT_KEY_SIZE offsetof(struct td_report, pymongo)

/* One block of a fixed size kept for the next taker, so that what trace mode makes and drops
 * again for every handshake (the report, the buffer it is rendered into) is not a malloc and a
 * free each time. Threads take it in turn; once used it stays allocated, one block a kind. */
struct td_spare {
    _Atomic(void *) block;
    size_t size;
};
void *td_spare_take(struct td_spare *s);         /* s->size bytes, not zeroed; NULL if none */
void td_spare_give(struct td_spare *s, void *p); /* p (NULL, or from td_spare_take) back */

/* A report for this event, zeroed where the event reads it (a failure: all of it). NULL when
 * memory is short. Free with td_report_free (free() is right too, but keeps no spare). */
struct td_report *td_report_new(enum td_event event);
/* Frees what td_report_new or td_report_new_key made (NULL allowed). */
void td_report_free(struct td_report *r);
/* A report with only its key zeroed, for td_observe_key; td_report_init_rest makes it whole once
 * the failure is not a counted repeat. */
struct td_report *td_report_new_key(enum td_event event);
void td_report_init_rest(struct td_report *r);

/* Add an evidence line; printf-style; silently dropped when full. */
void td_evidence_add(struct td_report *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *td_evidence_get(const struct td_report *r, const char *key);

/* The alert's RFC name, the same on every OpenSSL release; "unknown" for codes no RFC names. */
const char *td_alert_name(int desc);

#endif
