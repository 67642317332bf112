/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* phrases: the catalogue's wording of evidence lines and of tlsdiag's own lines (trace, repeat
 * and drop notices). Causes' summaries and fixes are in provider/catalogue.c; these are the
 * facts around them. They are printf formats, not {key} templates, so that the compiler checks
 * each use's arguments (-Wformat=2): classify.c and render.c name a phrase and pass values only.
 * Change the words here, and test/unit/test_classify.c shows every line that changed. */
#ifndef TLSDIAG_PHRASES_H
#define TLSDIAG_PHRASES_H

/* ---- amounts ---- */
#define TD_SAY_DAYS "%ld days"
#define TD_SAY_HOURS "%ld hours"
#define TD_SAY_MINUTES "%ld minutes"
#define TD_SAY_SECONDS "%ld seconds"
#define TD_SAY_RANGE "%s to %s" /* versions, validity */
#define TD_SAY_N_OFFERED "%d offered"
#define TD_SAY_NONE_SENT "none sent"
#define TD_SAY_NOT_SEEN "(not seen)"

/* ---- the failure itself ---- */
#define TD_SAY_ALERT "%s fatal '%s' %s the %s" /* sent/received, name, to/from, peer */
#define TD_SAY_SENT "sent"
#define TD_SAY_RECEIVED "received"
#define TD_SAY_TO "to"
#define TD_SAY_FROM "from"
#define TD_SAY_ALERT_AFTER_HELLO "received fatal '%s' from the server right after our ClientHello"
#define TD_SAY_ERROR_CLIENT_CHECKED \
    "none: the handshake finished, and %s checked the certificate " \
    "itself afterwards and closed the connection"
#define TD_SAY_ERROR_SERVER_REFUSED \
    "none: this server's verify callback let the certificate " \
    "through, and the application refuses the connection after " \
    "the handshake (nginx answers 400)"
#define TD_SAY_ERROR_NONE "none (the connection ended)"
#define TD_SAY_ERROR_SERVER_NO_CERT \
    "none: the handshake finished without a client certificate, and %s refused the client " \
    "afterwards (nginx answers 400 \"No required SSL certificate was sent\")"
#define TD_SAY_PYMONGO_HOST "PyMongo in %s"
#define TD_SAY_OURS_NONE "(none sent)"

/* ---- NULL cipher suites ---- */
#define TD_SAY_SERVER_NULL_ONLY \
    "all %d suites this server allows are NULL suites (no encryption), which clients do not offer"
#define TD_SAY_OFFERED_NULL_ONLY "all %d suites we offered are NULL suites (no encryption)"

/* ---- Diffie-Hellman ---- */
#define TD_SAY_DH_GROUP "the server's DH group: %d bits; security level %d needs at least %d"
#define TD_SAY_DH_GROUP_BITS "the server's DH group: %d bits"
#define TD_SAY_DH_CHECK "%s (the DH library's check of the server's group)"

/* ---- certificate lists ---- */
#define TD_SAY_CERT_LIST_LIMIT "%ld bytes (SSL_get_max_cert_list of this connection)"
#define TD_SAY_CERT_LIST_SIZE \
    "larger than %ld bytes (OpenSSL refuses the message from its header, so its full size " \
    "is not known)"
#define TD_SAY_OUR_CHAIN \
    "%ld bytes in %d certificate(s); our certificate has %d subjectAltName entries"
#define TD_SAY_PEER_LIMIT_DEFAULT \
    "OpenSSL takes at most %d bytes by default (SSL_CTX_set_max_cert_list)"

/* ---- certificates ---- */
#define TD_SAY_ABOUT_CLIENT_CERT "the client's certificate, checked by this server"
#define TD_SAY_VERIFY "%ld (%s)"                     /* code (OpenSSL's words) */
#define TD_SAY_PATH_MISSING "%s (%s) does not exist" /* path (where it came from) */
#define TD_SAY_PATH_COUNT "%s (%s): %d %s%s"         /* path (from): n what[, age] */
#define TD_SAY_OPENSSL_DEFAULT "OpenSSL default"     /* where a CA path came from */
#define TD_SAY_CERTIFICATES "certificates"
#define TD_SAY_HASH_LINKS "hashed certificate links"
#define TD_SAY_CHANGED_AGO ", last changed %ld days ago"
#define TD_SAY_STORE_LOADED "%d CA certificates loaded into this connection's store"
#define TD_SAY_SOLE_CERT \
    "the %s sent only its own certificate; if its issuer is an intermediate " \
    "CA, its chain is incomplete"
#define TD_SAY_AFTER_NOT_AFTER "%s, %s after notAfter" /* the clock, how long */
#define TD_SAY_BEFORE_NOT_BEFORE "%s, %s before notBefore"
#define TD_SAY_CN_ONLY "CN=%s (no subjectAltName)"
#define TD_SAY_WEAK_DIGEST "a %s signature"
#define TD_SAY_WEAK_DIGEST_UNNAMED "weak"
#define TD_SAY_WEAK_KEY "a %d-bit %.*s key"
#define TD_SAY_NO_EKU "(no extendedKeyUsage)"
#define TD_SAY_OTHER_PURPOSES "other purposes only" /* an EKU naming none tlsdiag knows */

/* ---- the chain's other problems (also_N), found by tlsdiag's own verification ---- */
#define TD_SAY_ALSO_NO_ISSUER \
    "no trusted issuer at depth %d: '%s' was issued by '%s', which is not in the trust store"
#define TD_SAY_ALSO_SELF_SIGNED "self-signed and not trusted at depth %d: '%s'"
#define TD_SAY_ALSO_EXPIRED "expired at depth %d (%s): '%s'"             /* notAfter */
#define TD_SAY_ALSO_NOT_YET_VALID "not yet valid at depth %d (%s): '%s'" /* notBefore */
#define TD_SAY_ALSO_WEAK_KEY "key too small at depth %d (%s at security level %d): '%s'"
#define TD_SAY_ALSO_WEAK_DIGEST \
    "signature digest too weak at depth %d (%s at security level %d): '%s'"
#define TD_SAY_ALSO_PURPOSE "not issued for %s at depth %d: '%s'"
#define TD_SAY_ALSO_NAME "'%s' is not a name of the certificate at depth %d ('%s', names %s)"
#define TD_SAY_ALSO_OTHER "%ld (%s) at depth %d: '%s'"
/* Why a sole leaf whose issuer is unknown is read as the server's fault or the client's. */
#define TD_SAY_WEIGHED_SEND_CHAIN \
    "'%s' looks like a public name, its issuer '%s' is in no trust store here, and the server " \
    "sent one certificate: most likely its chain is incomplete"
#define TD_SAY_WEIGHED_PRIVATE \
    "'%s' is a private name or an address: most likely '%s' is a private CA the client must " \
    "be given"
#define TD_SAY_WEIGHED_OTHER_KEY \
    "a CA named '%s' is in the trust store but did not sign this certificate (a renewed or " \
    "replaced CA?): the client needs the one that did"
/* ---- interception (intercept.c's table) ---- */
#define TD_SAY_INTERCEPTOR_BY_KEY \
    "%s: its public key's SHA-256 is %s, a key whose private half is public"
#define TD_SAY_INTERCEPTOR_BY_NAME "%s (%s), recognised by the name of its CA"
#define TD_SAY_KIND_PROXY "a TLS-inspecting proxy"
#define TD_SAY_KIND_ANTIVIRUS "an antivirus product's HTTPS scanning"
#define TD_SAY_KIND_DEBUGGER "a debugging proxy"
#define TD_SAY_PUBLIC_SERVICE \
    "%s is a public service (list entry %s): its real certificate comes from a public CA, so " \
    "one from a CA this client does not know is evidence of interception"

/* ---- versions ---- */
#define TD_SAY_UP_TO "up to %s"
#define TD_SAY_NO_VERSION "none (minimum %s, maximum %s)"
/* The effective range, when the security level rules out the range's old end. */
#define TD_SAY_RANGE_AT_LEVEL \
    "%s to %s at security level %d, which rules out TLS 1.0/1.1 (the version range says %s to %s)"
#define TD_SAY_THE_CONFIG "the config"
#define TD_SAY_MIN_FROM_CONFIG "minimum: MinProtocol = %s in [%s] of %s"
#define TD_SAY_MIN_FROM_APP "minimum: %s, set by the application (%s %s%s)"
#define TD_SAY_CONFIG_SAYS_MIN "says MinProtocol = "
#define TD_SAY_CONFIG_NO_MIN "sets no MinProtocol"
#define TD_SAY_MIN_DISABLED \
    "minimum: %s, because the application disables the versions below it " \
    "(SSL_OP_NO_TLSv1...; nginx: ssl_protocols; %s has no MinProtocol)"
#define TD_SAY_MIN_NONE "minimum: none set (%s has no MinProtocol), security level %d%s"
#define TD_SAY_LEVEL_RULES_OUT_OLD " rules out the SHA-1/MD5 signatures TLS 1.0/1.1 need"
#define TD_SAY_MAX_DISABLED "; maximum: %s, because the application disables the versions above it"
#define TD_SAY_MAX_FROM_CONFIG "; maximum: MaxProtocol = %s in [%s] of %s"
#define TD_SAY_MAX_FROM_APP "; maximum: %s, set by the application"
#define TD_SAY_CONFIG_MAX "MaxProtocol = %s in [%s] of %s"
#define TD_SAY_CONFIG_CIPHERS "CipherString = %s in [%s] of %s"
#define TD_SAY_LEGACY_SIGALG \
    "OpenSSL reports this as '%s': TLS 1.0/1.1 need SHA-1/MD5 signatures " \
    "that security level %d forbids, so it is the same version mismatch"

/* ---- cipher suites ---- */
#define TD_SAY_SUITES \
    "%d suites: %d TLS 1.3, %d forward-secret (ECDHE/DHE), %d without forward " \
    "secrecy, %d unknown to this OpenSSL%s%s"
#define TD_SAY_FS_ONLY " (forward-secret only)"
#define TD_SAY_FIRST_SUITES_ONLY " (kinds counted among the first suites only)"

/* ---- OCSP ---- */
#define TD_SAY_NO_STAPLE "no staple"
#define TD_SAY_STAPLED "%d bytes stapled, response status %s"
#define TD_SAY_UNPARSED "unparsed"
#define TD_SAY_STAPLE_DATES "thisUpdate %s, nextUpdate %s (%s %ld s %s)%s"
#define TD_SAY_NONE "none"
#define TD_SAY_PASSED "passed"
#define TD_SAY_IN "in"
#define TD_SAY_AGO "ago"
#define TD_SAY_FROM_NOW "from now"
#define TD_SAY_THIS_UPDATE_AHEAD "; thisUpdate is in the future"
#define TD_SAY_OCSP_CLOCK \
    "this machine's clock says %s; the server's OCSP response was signed at %s (thisUpdate), " \
    "%s ahead"
#define TD_SAY_REVOKED_AT "at %s, reason %s"
#define TD_SAY_UNSPECIFIED "unspecified"
#define TD_SAY_DOES_NOT_VERIFY "does not verify"
#define TD_SAY_BYTES "%d bytes"
#define TD_SAY_CALLBACK_ON_BYTES \
    "the application's OCSP callback raised an error on these bytes " \
    "(alert internal_error)"

/* ---- renegotiation, not TLS ---- */
#define TD_SAY_NO_RENEG_INFO "no renegotiation_info extension%s"
#define TD_SAY_SEEN_IN_SERVER_HELLO " (seen in the ServerHello)"
#define TD_SAY_FIRST_BYTES "%s \"%s\"%s" /* hex "ascii"[: what] */
#define TD_SAY_AN_HTTP_RESPONSE ": an HTTP response"
#define TD_SAY_AN_HTTP_REQUEST "an HTTP request"
#define TD_SAY_NOT_RECORDED "not recorded"

/* ---- trace mode: what a successful handshake still warns about ---- */
#define TD_SAY_OK_BUT_UNVERIFIED \
    "the peer's certificate did not verify (%ld, %s), yet the " \
    "handshake went on (verify mode %s): the application decides " \
    "afterwards, or does not check"
#define TD_SAY_STAPLE_NEXT "%s, next update %s"
#define TD_SAY_STAPLE_EXPIRED \
    "the stapled OCSP response expired %ld s ago; the server must refresh it"
#define TD_SAY_STAPLE_EXPIRES \
    "the stapled OCSP response expires in %ld s; the server must refresh it"
#define TD_SAY_STAPLE_NOT_GOOD "the stapled OCSP response is not good (%s)"
#define TD_SAY_MUST_STAPLE_NONE "the certificate is must-staple but no OCSP response was stapled"
/* What is wrong with a staple, by verdict. */
#define TD_SAY_OCSP_REVOKED "revoked"
#define TD_SAY_OCSP_UNKNOWN "certStatus unknown"
#define TD_SAY_OCSP_FUTURE "thisUpdate is in the future"
#define TD_SAY_OCSP_PASSED "nextUpdate has passed"
#define TD_SAY_OCSP_UNSUCCESSFUL "response status not successful"
#define TD_SAY_OCSP_BAD_SIGNATURE "signature or responder does not verify"
#define TD_SAY_OCSP_WRONG_CERT "it is about another certificate"
#define TD_SAY_OCSP_MALFORMED "it does not parse"
#define TD_SAY_OCSP_NO_ISSUER "the certificate's issuer is unknown"
#define TD_SAY_OCSP_GOOD "good"

/* ---- tlsdiag's own lines (render.c) ---- */
#define TD_SAY_REPEAT_LINE "tlsdiag: %s (%s) %s " /* section (cause) to/from */
#define TD_SAY_REPEATED ": the same failure happened %ld more time%s (not explained again)"
#define TD_SAY_HELD_BACK \
    ": %ld failure%s of this kind, none explained: the rate limit (%d a second, %d at once) " \
    "held the first back"
#define TD_SAY_CLIENTS "; from %s%ld client address%s" /* "about ", count, "es" */
#define TD_SAY_TOP_ADDRS "; most: "
#define TD_SAY_TOP_SNIS "; SNI: "
#define TD_SAY_TALLY "%s%s x%ld" /* separator, name, count */
#define TD_SAY_RATE_LIMITED \
    "tlsdiag: %ld %s held back by the rate limit (%d a second, %d at once; TLSDIAG_RATE_LIMIT, " \
    "TLSDIAG_RATE_BURST)\n"
#define TD_SAY_HELD_FAILURES "failures were"
#define TD_SAY_HELD_TRACE "trace lines were"
/* Only %s here: render.c fills it in without printf (see put_strings). */
#define TD_SAY_TRACE_LINE \
    "tlsdiag: handshake ok: %s (%s) %s %s [%s] %s %s, verify %s (%s), staple %s\n"
#define TD_SAY_STAPLE_PRESENT "present"
#define TD_SAY_STAPLE_REQUESTED_NONE "requested, none"
#define TD_SAY_STAPLE_NOT_REQUESTED "not requested"
#define TD_SAY_DROPPED \
    "tlsdiag: %ld earlier report%s could not be written without waiting, and %s dropped\n"
#define TD_SAY_WAS "was"
#define TD_SAY_WERE "were"

/* ---- warnings: one line each, at most one of each kind per process ---- */
#define TD_SAY_WARN_SINK \
    "tlsdiag: warning: a report could not be written to %s: %.200s (each later one is tried " \
    "again, and what cannot go is counted; this warning is not repeated)\n" /* where, why */
#define TD_SAY_SINK_UNSAFE_DIR "its directory is writable by everyone and not ours"
#define TD_SAY_SINK_UNSAFE_FILE \
    "it lies in a directory writable by everyone and belongs to another user"
#define TD_SAY_SINK_KIND "it is neither a file, a pipe, a socket nor a character device"
#define TD_SAY_WARN_SETTING \
    "tlsdiag: warning: %s=\"%.64s\" is not understood (expected %s); using %s\n"
#define TD_SAY_WARN_MAJOR \
    "tlsdiag: warning: this process runs OpenSSL %.40s, but this tlsdiag module was built " \
    "for OpenSSL %s (%s); tlsdiag is inactive here and the program runs unchanged. " \
    "Install the tlsdiag build for OpenSSL %ld into this OpenSSL's modules directory " \
    "(its pkg-config --variable=modulesdir libcrypto), and name the module without a " \
    "path in openssl.cnf.\n"

/* ---- the CLI: a program whose TLS library is not OpenSSL (run.c, explain.c) ---- */
#define TD_SAY_BLIND_SPOT \
    "%s uses %s, not OpenSSL: tlsdiag cannot see its handshakes.\n" \
    "  Check the server it talks to instead: tlsdiag check %s\n" /* who, library, HOST:PORT */
#define TD_SAY_BLIND_WHO "The program that wrote this"           /* explain's who */

#endif
