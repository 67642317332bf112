/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* explain: read a TLS error message pasted from a log (Python ssl, PyMongo, pyOpenSSL, requests,
 * pip, curl, the openssl CLI, Node and its mongodb driver, Ruby and the mongo gem, PHP streams
 * and the PHP MongoDB driver, the MongoDB C driver) and say which guide section it belongs to,
 * which causes the text can and cannot tell apart, and which tlsdiag command would decide. The
 * program it names picks the catalogue's hint column, as the provider's observations do. A
 * message from a TLS stack that is not OpenSSL (Go, GnuTLS and wget, NSS, Java, .NET, rustls,
 * Windows Schannel, Erlang/OTP, Apple's Secure Transport) still gets its cause from its words,
 * that runtime's own fix (runtime_fix), and the note that tlsdiag cannot see its handshakes.
 * test/cli/explain-real.txt holds messages users pasted in public threads, with the cause each
 * thread established; `make check-explain-real` measures explain against them.
 *
 * The text is matched on OpenSSL's own identifiers, not on any one program's wording: reason
 * strings, X509 verify strings and alert names come from the linked OpenSSL at run time, packed
 * error codes are decoded with ERR_reason_error_string, and matching ignores case, '-' and '_'
 * so "[SSL: CERTIFICATE_VERIFY_FAILED]", "self signed" (1.1.1) and "self-signed" (3.x), and Node's
 * ERR_SSL_* and X509 codes all meet the same needles. Sections, cause ids and their meanings
 * come from the catalogue the provider uses (provider/catalogue.c). */
#define _GNU_SOURCE
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "catalogue.h"
#include "report.h"
#include "cli.h"
#include "common.h"
#include "phrases.h"

#define TEXT_MAX (1 << 20)
#define MAX_CAUSES 16

enum source {
    SRC_UNKNOWN,
    SRC_PYTHON,
    SRC_PYMONGO,
    SRC_PYOPENSSL,
    SRC_REQUESTS,
    SRC_PIP,
    SRC_CURL,
    SRC_OPENSSL_CLI,
    SRC_NODE,
    SRC_RUBY,
    SRC_RUBY_MONGO,
    SRC_PHP,
    SRC_PHP_MONGODB,
    SRC_MONGOC,
    /* TLS stacks tlsdiag cannot load into: their words still name a cause. */
    SRC_GO,
    SRC_GNUTLS,
    SRC_NSS,
    SRC_JAVA,
    SRC_DOTNET,
    SRC_RUSTLS,
    SRC_WGET,
    SRC_SCHANNEL,
    SRC_ERLANG,
    SRC_SECURETRANSPORT,
    SRC_COUNT
};

static const struct {
    const char *id, *name, *run;
    int column;        /* the catalogue's hint column (TD_RT_ or TD_HINT_) whose hint applies */
    const char *stack; /* not OpenSSL: the TLS library that does the work, or NULL */
} sources[SRC_COUNT] = {
    [SRC_UNKNOWN] = { "unknown", "an OpenSSL-based program", "YOUR_PROGRAM [ARGS...]", TD_RT_OTHER,
                      NULL },
    [SRC_PYTHON] = { "python", "Python's ssl module", "python3 YOUR_SCRIPT.py", TD_RT_PYTHON,
                     NULL },
    [SRC_PYMONGO] = { "pymongo", "PyMongo", "python3 YOUR_SCRIPT.py", TD_HINT_PYMONGO, NULL },
    [SRC_PYOPENSSL] = { "pyopenssl", "pyOpenSSL (PyMongo's OCSP path)", "python3 YOUR_SCRIPT.py",
                        TD_RT_PYTHON, NULL },
    [SRC_REQUESTS] = { "requests", "requests (urllib3)", "python3 YOUR_SCRIPT.py", TD_HINT_REQUESTS,
                       NULL },
    [SRC_PIP] = { "pip", "pip", "pip3 install PACKAGE", TD_HINT_PIP, NULL },
    [SRC_CURL] = { "curl", "curl", "curl -sS https://HOST:PORT/", TD_RT_CURL, NULL },
    [SRC_OPENSSL_CLI] = { "openssl", "the openssl command", "openssl s_client -connect HOST:PORT",
                          TD_RT_OPENSSL_CLI, NULL },
    [SRC_NODE] = { "node", "Node.js", "node YOUR_SCRIPT.js", TD_RT_NODE, NULL },
    [SRC_RUBY] = { "ruby", "Ruby's openssl", "ruby YOUR_SCRIPT.rb", TD_RT_RUBY, NULL },
    [SRC_RUBY_MONGO] = { "ruby-mongo", "the Ruby MongoDB driver", "ruby YOUR_SCRIPT.rb",
                         TD_HINT_RUBY_MONGO, NULL },
    [SRC_PHP] = { "php", "PHP's streams", "php YOUR_SCRIPT.php", TD_RT_PHP, NULL },
    [SRC_PHP_MONGODB] = { "php-mongodb", "the PHP MongoDB driver", "php YOUR_SCRIPT.php",
                          TD_HINT_PHP_MONGODB, NULL },
    [SRC_MONGOC] = { "mongoc", "the MongoDB C driver", "YOUR_PROGRAM [ARGS...]", TD_HINT_MONGOC,
                     NULL },
    [SRC_GO] = { "go", "a Go program", "YOUR_PROGRAM [ARGS...]", TD_RT_OTHER, "Go's crypto/tls" },
    [SRC_GNUTLS] = { "gnutls", "a GnuTLS program (wget, git, curl-gnutls)",
                     "YOUR_PROGRAM [ARGS...]", TD_RT_OTHER, "GnuTLS" },
    [SRC_NSS] = { "nss", "an NSS program (Firefox, curl-nss)", "YOUR_PROGRAM [ARGS...]",
                  TD_RT_OTHER, "NSS" },
    [SRC_JAVA] = { "java", "a Java program", "java YOUR_PROGRAM", TD_RT_OTHER, "Java's JSSE" },
    /* .NET's SslStream on Linux is OpenSSL (System.Security.Cryptography.Native.OpenSsl loads
     * the system's libssl), so the provider sees it: only the generic fix, no blind spot. */
    [SRC_DOTNET] = { "dotnet", "a .NET program", "dotnet YOUR_PROGRAM", TD_RT_OTHER, NULL },
    [SRC_RUSTLS] = { "rustls", "a rustls program", "YOUR_PROGRAM [ARGS...]", TD_RT_OTHER,
                     "rustls" },
    /* wget's own words: Debian's wget is built on GnuTLS. */
    [SRC_WGET] = { "wget", "wget", "wget https://HOST:PORT/", TD_RT_OTHER,
                   "GnuTLS (Debian's wget)" },
    [SRC_SCHANNEL] = { "schannel", "a Windows program on Schannel (curl, git, PowerShell)",
                       "YOUR_PROGRAM [ARGS...]", TD_RT_OTHER, "Windows' Schannel" },
    [SRC_ERLANG] = { "erlang", "an Erlang/Elixir program", "YOUR_PROGRAM [ARGS...]", TD_RT_OTHER,
                     "Erlang/OTP's ssl" },
    [SRC_SECURETRANSPORT] = { "securetransport", "a macOS program on Secure Transport",
                              "YOUR_PROGRAM [ARGS...]", TD_RT_OTHER, "Apple's Secure Transport" },
};

/* A runtime tlsdiag cannot hook fixes things in its own terms: what to do there, by the kind of
 * cause. NULL where the generic fix is all there is. */
enum fix_kind { FIX_TRUST, FIX_NAME, FIX_VERSION, FIX_HANDSHAKE, FIX_REVOCATION, FIX_KINDS };
static const char *const runtime_fix[SRC_COUNT][FIX_KINDS] = {
    [SRC_JAVA] = {
        [FIX_TRUST] = "Java trusts only its own store: import the CA with keytool -importcert "
                      "-alias NAME -file CA.pem -keystore $JAVA_HOME/lib/security/cacerts "
                      "(password changeit), or point the JVM at a store with "
                      "-Djavax.net.ssl.trustStore=FILE -Djavax.net.ssl.trustStorePassword=PASS; "
                      "a TLS-inspecting proxy's root goes there too",
        [FIX_NAME] = "Java checks the subjectAltName only (an IP address must be an IP SAN): "
                     "connect by a name the certificate covers, or reissue it with that name",
        [FIX_VERSION] = "enable the versions both sides speak: -Djdk.tls.client.protocols="
                        "TLSv1.2,TLSv1.3 (and -Dhttps.protocols), and look at "
                        "jdk.tls.disabledAlgorithms in $JAVA_HOME/conf/security/java.security; "
                        "an old JDK 8 needs an update for TLS 1.3",
        [FIX_HANDSHAKE] = "an old JDK lacks the server's cipher suites or curves (and SNI off "
                          "with -Djsse.enableSNIExtension=false breaks virtual hosts): update the "
                          "JDK, check jdk.tls.disabledAlgorithms, and see what was offered with "
                          "-Djavax.net.debug=ssl:handshake",
        [FIX_REVOCATION] = "the JVM could not check revocation: make the CRL/OCSP URLs reachable, "
                           "or set com.sun.net.ssl.checkRevocation / ocsp.enable as intended",
    },
    [SRC_GO] = {
        [FIX_TRUST] = "Go reads the system roots, which SSL_CERT_FILE and SSL_CERT_DIR override "
                      "on Linux: install the CA (update-ca-certificates), or run with "
                      "SSL_CERT_FILE=CA-BUNDLE.pem; a scratch or distroless image needs "
                      "ca-certificates copied in; a chain the server sends incomplete is fixed "
                      "on the server",
        [FIX_NAME] = "Go checks the subjectAltName only (since Go 1.15 never the CN): reissue "
                     "the certificate with the name, or connect by a name it covers",
        [FIX_VERSION] = "Go clients default to TLS 1.2 and up: tls.Config{MinVersion} below "
                        "that only if the server really is that old",
        [FIX_HANDSHAKE] = "Go 1.22 dropped RSA key exchange (GODEBUG=tlsrsakex=1 brings it "
                          "back) and 3DES; a server that needs them, or a client certificate, "
                          "fails this way",
    },
    [SRC_DOTNET] = {
        [FIX_TRUST] = "install the CA into the machine store (Windows: certlm.msc, Trusted Root "
                      "Certification Authorities; Linux: /usr/local/share/ca-certificates and "
                      "update-ca-certificates, which .NET reads)",
        [FIX_NAME] = "connect with the name the certificate covers (the URI host or SslStream's "
                     "targetHost) or reissue the certificate with it in the subjectAltName",
        [FIX_REVOCATION] = "the CRL/OCSP URLs in the certificate must be reachable from here; "
                           "X509RevocationMode.NoCheck only where that is acceptable",
    },
    [SRC_RUSTLS] = {
        [FIX_TRUST] = "rustls trusts only the roots it is given: webpki-roots (built in) "
                      "ignores the system store, so a private or proxy CA goes into the "
                      "RootCertStore, or the program uses rustls-native-certs (which reads "
                      "SSL_CERT_FILE) or rustls-platform-verifier",
        [FIX_NAME] = "rustls checks the subjectAltName only, never the CN: reissue the "
                     "certificate with the name (or IP address) in its SAN",
    },
    [SRC_GNUTLS] = {
        [FIX_TRUST] = "GnuTLS reads the system bundle (/etc/ssl/certs/ca-certificates.crt on "
                      "Debian): apt-get install --reinstall ca-certificates and "
                      "update-ca-certificates; for a private CA, git config http.sslCAInfo FILE",
    },
    [SRC_WGET] = {
        [FIX_TRUST] = "update the system CA bundle (ca-certificates), or give wget the CA: "
                      "--ca-certificate=FILE (ca_certificate in .wgetrc)",
    },
    [SRC_NSS] = {
        [FIX_TRUST] = "import the CA into the NSS database: certutil -A -d sql:$HOME/.pki/nssdb "
                      "-n NAME -t C,, -i CA.pem",
    },
    [SRC_SCHANNEL] = {
        [FIX_TRUST] = "Schannel trusts the Windows store: install the CA into Trusted Root "
                      "Certification Authorities (certlm.msc); git for Windows reads it with "
                      "http.sslBackend=schannel, its openssl backend uses its own bundle",
        [FIX_REVOCATION] = "Schannel could not reach the CRL/OCSP server: let it through the "
                           "proxy or firewall, or tell curl --ssl-revoke-best-effort (git: "
                           "http.schannelCheckRevoke=false)",
    },
    [SRC_ERLANG] = {
        [FIX_TRUST] = "give ssl the CAs: {cacerts, public_key:cacerts_get()} (OTP 25 and later) "
                      "or {cacertfile, FILE}; an old OTP image needs an update",
        [FIX_NAME] = "connect by a name the certificate covers, or set server_name_indication "
                     "and customize_hostname_check to what it does cover",
    },
    [SRC_SECURETRANSPORT] = {
        [FIX_TRUST] = "add the CA to the keychain and trust it: security add-trusted-cert -d -r "
                      "trustRoot -k /Library/Keychains/System.keychain CA.pem",
    },
};

struct text {
    const char *orig;
    char *norm;  /* lower case, '-' and '_' as ' ', same length as orig */
    char *extra; /* reason strings decoded from packed codes, normalised */
};

struct verdict {
    enum td_section section;
    enum td_cause_id causes[MAX_CAUSES];
    int n_causes;
    char matched[320];     /* the words in the text that decided, as written */
    long verify_code;      /* -1 when none */
    int alert;             /* alert received, -1 when none */
    const char *undecided; /* what tells the candidates apart */
    const char *outside;   /* when the verdict was made outside OpenSSL's handshake */
    int network;           /* not a TLS failure at all */
    enum source source;
    int pyopenssl;
    char host[256], port[8];
    int own_certificate; /* a failure loading this program's own certificate */
    int fix_kind;        /* enum fix_kind for runtime_fix, or -1: from the first cause */
    int port_assumed;    /* the text named a host but no port */
};

/* ---- text helpers ---- */

static void normalise(const char *in, char *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        out[i] =
            (c == '-' || c == '_' || c == '\n' || c == '\t' || c == '\r') ? ' ' : (char)tolower(c);
    }
    out[len] = '\0';
}

static char *normalised_copy(const char *s)
{
    size_t len = strlen(s);
    char *n = malloc(len + 1);
    if (n != NULL) normalise(s, n, len);
    return n;
}

/* Where a normalised needle occurs in the text or in the decoded reasons; -1 when absent.
 * Returns the offset in the original text, or the length of the text for a decoded hit. */
static long find(const struct text *t, const char *needle)
{
    char nn[256];
    size_t len = strlen(needle);
    if (len == 0 || len >= sizeof(nn)) return -1;
    normalise(needle, nn, len);
    const char *hit = strstr(t->norm, nn);
    if (hit != NULL) return hit - t->norm;
    if (t->extra != NULL && strstr(t->extra, nn) != NULL) return (long)strlen(t->orig);
    return -1;
}

static int has(const struct text *t, const char *needle)
{
    return find(t, needle) >= 0;
}

/* Like has(), but not where the words name an alert ("sslv3 alert certificate revoked" is the
 * peer's alert 44, not verify error 23 "certificate revoked"). */
static int has_outside_alert(const struct text *t, const char *needle)
{
    char nn[256];
    size_t len = strlen(needle);
    if (len == 0 || len >= sizeof(nn)) return 0;
    normalise(needle, nn, len);
    for (const char *hay = t->norm; hay != NULL && *hay;) {
        const char *hit = strstr(hay, nn);
        if (hit == NULL) break;
        if (hit - t->norm < 6 || strncmp(hit - 6, "alert ", 6) != 0) return 1;
        hay = hit + 1;
    }
    for (const char *hay = t->extra; hay != NULL && *hay;) {
        const char *hit = strstr(hay, nn);
        if (hit == NULL) break;
        if (hit - t->extra < 6 || strncmp(hit - 6, "alert ", 6) != 0) return 1;
        hay = hit + 1;
    }
    return 0;
}

/* Quote what matched, from the original text, so the user sees their own words. */
static void note_match(struct verdict *v, const struct text *t, const char *needle,
                       const char *what)
{
    long at = find(t, needle);
    size_t len = strlen(needle);
    if (v->matched[0] != '\0') return;
    if (at >= 0 && (size_t)at < strlen(t->orig))
        snprintf(v->matched, sizeof(v->matched), "\"%.*s\"%s%s", (int)len, t->orig + at,
                 what ? " " : "", what ? what : "");
    else
        snprintf(v->matched, sizeof(v->matched), "\"%s\"%s%s", needle, what ? " " : "",
                 what ? what : "");
}

static void add_cause(struct verdict *v, enum td_cause_id id)
{
    for (int i = 0; i < v->n_causes; i++)
        if (v->causes[i] == id) return;
    if (v->n_causes < MAX_CAUSES) v->causes[v->n_causes++] = id;
}

/* ids ends with TD_CAUSE_COUNT. */
static void add_causes(struct verdict *v, const enum td_cause_id *ids)
{
    for (; *ids != TD_CAUSE_COUNT; ids++) add_cause(v, *ids);
}

/* Name a listed cause first: the text or the program makes it the likeliest. */
static void put_first(struct verdict *v, enum td_cause_id id)
{
    for (int i = 1; i < v->n_causes; i++) {
        if (v->causes[i] != id) continue;
        memmove(v->causes + 1, v->causes, (size_t)i * sizeof(v->causes[0]));
        v->causes[0] = id;
        return;
    }
}

/* The cause the provider gives an SSL reason (see td_reason_cause), so the two agree. */
static void add_reason_cause(struct verdict *v, int reason)
{
    add_cause(v, td_reason_cause(reason));
}

static void add_section_causes(struct verdict *v, enum td_section s)
{
    for (int i = 0; i < TD_CAUSE_COUNT; i++)
        if (td_causes[i].section == s && i != TD_CAUSE_OK) add_cause(v, (enum td_cause_id)i);
}

/* ---- what OpenSSL itself calls things ---- */

/* Packed codes "error:0A000086" (3.x: lib << 23 | reason) and "error:1416F086" (1.1.1:
 * lib << 24 | func << 12 | reason) become their reason strings, so a log that carries only
 * the code still matches. */
static char *decode_codes(const char *orig)
{
    size_t cap = 4096, len = 0;
    char *out = calloc(1, cap);
    if (out == NULL) return NULL;
    for (const char *p = orig; (p = strcasestr(p, "error:")) != NULL; p += 6) {
        const char *h = p + 6;
        int n = 0;
        while (n < 8 && isxdigit((unsigned char)h[n])) n++;
        if (n != 8 || isxdigit((unsigned char)h[8])) continue;
        unsigned long code = strtoul(h, NULL, 16);
        const char *reason = NULL;
        if (((code >> 23) & 0xff) != 0 && (code & 0x80000000UL) == 0)
            reason = ERR_reason_error_string(code);
        if (reason == NULL && (code >> 24) == ERR_LIB_SSL)
            reason = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, code & 0xfff));
        if (reason == NULL || len + strlen(reason) + 2 >= cap) continue;
        len += (size_t)snprintf(out + len, cap - len, "%s|", reason);
    }
    char *norm = normalised_copy(out);
    free(out);
    return norm;
}

/* The alert the text says was received: OpenSSL's reason for received alert N is reason
 * 1000 + N ("tlsv1 alert protocol version"); "SSL alert number N" is how the error data
 * says it. Returns -1 when none. */
static int find_alert(const struct text *t, struct verdict *v)
{
    int best = -1;
    size_t best_len = 0;
    for (int n = 0; n < 256; n++) {
        const char *reason = ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, 1000 + n));
        if (reason == NULL || strlen(reason) <= best_len || !has(t, reason)) continue;
        best = n;
        best_len = strlen(reason);
        v->matched[0] = '\0';
        note_match(v, t, reason, "(an alert received from the peer)");
    }
    const char *num = strcasestr(t->orig, "alert number ");
    if (best < 0 && num != NULL) {
        best = atoi(num + 13);
        v->matched[0] = '\0';
        snprintf(v->matched, sizeof(v->matched), "\"%.*s\" (%s)",
                 (int)(13 + strspn(num + 13, "0123456789")), num, td_alert_name(best));
    }
    return best;
}

/* Node names verify failures by the X509_V_ERR_* name without the prefix. */
static const struct {
    const char *name;
    int code;
} x509_names[] = {
    { "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", 20 },
    { "UNABLE_TO_GET_ISSUER_CERT", 2 },
    { "UNABLE_TO_VERIFY_LEAF_SIGNATURE", 21 },
    { "DEPTH_ZERO_SELF_SIGNED_CERT", 18 },
    { "SELF_SIGNED_CERT_IN_CHAIN", 19 },
    { "CERT_HAS_EXPIRED", 10 },
    { "CERT_NOT_YET_VALID", 9 },
    { "CERT_SIGNATURE_FAILURE", 7 },
    { "CERT_REVOKED", 23 },
    { "INVALID_PURPOSE", 26 },
    { "CERT_UNTRUSTED", 27 },
    { "CERT_REJECTED", 28 },
    { "HOSTNAME_MISMATCH", 62 },
    { "IP_ADDRESS_MISMATCH", 64 },
    { "INVALID_CA", 24 },
    { "CERT_CHAIN_TOO_LONG", 22 },
    /* Not EE_KEY_TOO_SMALL / CA_MD_TOO_WEAK: they are also SSL reasons for this program's own
     * certificate; Node's message carries the verify string for the peer's case anyway. */
};

/* The verify error the text names, by number where a program prints one, else by OpenSSL's
 * own string for it (the longest that occurs, so "self-signed certificate in certificate
 * chain" beats "self-signed certificate"), else by Node's code. -1 when none. */
static long find_verify_code(const struct text *t, struct verdict *v)
{
    /* s_client: num=21 after num=20 at depth 0 is a chain that ends at the leaf. */
    if (has(t, "verify error:num=21")) {
        snprintf(v->matched, sizeof(v->matched), "\"verify error:num=21\" (%s)",
                 X509_verify_cert_error_string(21));
        return 21;
    }
    static const char *const numbered[] = { "verify return code: ", "verify error:num=",
                                            "certificate verify failed (",
                                            "verify_code=", "verify_code: " };
    for (size_t i = 0; i < sizeof(numbered) / sizeof(numbered[0]); i++) {
        const char *at = strcasestr(t->orig, numbered[i]);
        if (at == NULL) continue;
        at += strlen(numbered[i]);
        long code = strtol(at, NULL, 10);
        if (code > 0 && code < 100) {
            snprintf(v->matched, sizeof(v->matched), "\"%s%ld\" (%s)", numbered[i], code,
                     X509_verify_cert_error_string(code));
            return code;
        }
    }
    long best = -1;
    size_t best_len = 0;
    for (long code = 1; code < 95; code++) {
        const char *s = X509_verify_cert_error_string(code);
        size_t len = strlen(s);
        /* Short or generic strings ("out of memory") say nothing about verification. */
        if (code == 17 || len < 12 || len <= best_len || !has_outside_alert(t, s)) continue;
        best = code;
        best_len = len;
    }
    if (best > 0) {
        v->matched[0] = '\0';
        note_match(v, t, X509_verify_cert_error_string(best), "(an X509 verify error)");
        return best;
    }
    for (size_t i = 0; i < sizeof(x509_names) / sizeof(x509_names[0]); i++) {
        if (!has(t, x509_names[i].name)) continue;
        v->matched[0] = '\0';
        note_match(v, t, x509_names[i].name, "(Node's name for an X509 verify error)");
        return x509_names[i].code;
    }
    return -1;
}

/* ---- where the text came from ---- */

/* Messages from TLS stacks that are not OpenSSL, by the words only they use. */
static const struct {
    const char *needle;
    enum source source;
} foreign_words[] = {
    { "x509: certificate", SRC_GO },
    { "tls: failed to verify certificate", SRC_GO },
    { "tls: first record does not look like a tls handshake", SRC_GO },
    { "gnutls", SRC_GNUTLS },
    { "is not trusted.",
      SRC_GNUTLS }, /* wget: "ERROR: The certificate of 'HOST' is not trusted." */
    { "doesn't have a known issuer", SRC_GNUTLS },
    { "server certificate verification failed. cafile:", SRC_GNUTLS }, /* git, curl-gnutls */
    { "crlfile: none", SRC_GNUTLS },
    { "sec error ", SRC_NSS },
    { "ssl error bad cert domain", SRC_NSS },
    { "mozilla pkix error", SRC_NSS },
    { "pr end of file error", SRC_NSS },
    { "pr connect reset error", SRC_NSS },
    { "pkix path building failed", SRC_JAVA },
    { "javax.net.ssl", SRC_JAVA },
    { "sun.security.", SRC_JAVA },
    { "the remote certificate is invalid", SRC_DOTNET },
    { "remotecertificatenamemismatch", SRC_DOTNET },
    { "remotecertificatechainerrors", SRC_DOTNET },
    { "system.security.authentication", SRC_DOTNET },
    { "invalid peer certificate", SRC_RUSTLS },
    { "rustls", SRC_RUSTLS },
    { "webpkierror", SRC_RUSTLS },
    { "certnotvalidforname", SRC_RUSTLS },
    { "invalidcertificate(", SRC_RUSTLS },
    { "unable to locally verify the issuer's authority", SRC_WGET },
    { "insecurely, use `--no-check-certificate", SRC_WGET },
    { "schannel:", SRC_SCHANNEL },
    { "sec e untrusted root", SRC_SCHANNEL },
    { "crypt e revocation offline", SRC_SCHANNEL },
    { "cert trust ", SRC_SCHANNEL },
    { "the revocation function was unable to check revocation", SRC_DOTNET },
    { "x509chainbuildfail", SRC_DOTNET },
    { "the ssl connection could not be established", SRC_DOTNET },
    { "tls alert", SRC_ERLANG }, /* {tls_alert,{unknown_ca,...}} */
    { "ssl handshake.erl", SRC_ERLANG },
    { "generated client alert", SRC_ERLANG },
    { "received client alert", SRC_ERLANG },
    { "osstatus error -98", SRC_SECURETRANSPORT },
    { "errsslxcertchaininvalid", SRC_SECURETRANSPORT },
    { "errsslnorootcert", SRC_SECURETRANSPORT },
    { "received fatal alert:", SRC_JAVA },
    { "fatal alert received", SRC_JAVA },
    { "handshake alert:", SRC_JAVA },
    { "sslhandshakeexception", SRC_JAVA },
    { "java.security.cert.", SRC_JAVA },
    { "no appropriate protocol", SRC_JAVA },
    { "remote host terminated the handshake", SRC_JAVA },
    { "org.bouncycastle.tls", SRC_JAVA },
    { "does not match any of the subject alternative names", SRC_JAVA },
    { "remote error: tls: ", SRC_GO },
    { "tls: client didn't provide a certificate", SRC_GO },
    { "tls: unrecognized name", SRC_GO },
    { "tls: protocol version not supported", SRC_GO },
    { "the tls connection was non-properly terminated", SRC_GNUTLS },
    { "certificate is not trusted", SRC_GNUTLS },
    { "pki verification of server certificate failed", SRC_GNUTLS },
};

static enum source find_source(const struct text *t, int *pyopenssl)
{
    *pyopenssl = 0;
    for (size_t i = 0; i < sizeof(foreign_words) / sizeof(foreign_words[0]); i++)
        if (has(t, foreign_words[i].needle)) return foreign_words[i].source;
    *pyopenssl = has(t, "[('ssl routines'") || has(t, "openssl.ssl.error") || has(t, "pyopenssl") ||
                 has(t, "service_identity") || has(t, "verificationerror(errors=");
    /* pip's vendored requests says what requests says, and more. */
    if (has(t, "pip._vendor") || has(t, "could not fetch url") ||
        has(t, "there was a problem confirming the ssl certificate"))
        return SRC_PIP;
    /* Ruby's mongo gem wraps OpenSSL::SSL::SSLError in its own. */
    if (has(t, "mongo::error") || has(t, "mongo::client") || has(t, "mongo::serverselector"))
        return SRC_RUBY_MONGO;
    if (has(t, "mongodb\\driver\\") || has(t, "mongodb\\\\driver\\\\")) return SRC_PHP_MONGODB;
    if (has(t, "pymongo") || has(t, "serverselectiontimeouterror") || has(t, "autoreconnect") ||
        has(t, "ssl handshake failed:") || has(t, "topology description"))
        return SRC_PYMONGO;
    if (*pyopenssl) return SRC_PYOPENSSL;
    if (has(t, "requests.exceptions") || has(t, "urllib3.exceptions") ||
        has(t, "could not find a suitable tls ca certificate bundle") ||
        has(t, "httpsconnectionpool(") || has(t, "max retries exceeded with url"))
        return SRC_REQUESTS;
    if (has(t, "calling hello on") || has(t, "calling ismaster on") ||
        has(t, "no suitable servers found") || has(t, "mongoc") || has(t, "tls handshake failed:"))
        return SRC_MONGOC;
    if (has(t, "openssl::ssl::") || has(t, "ssl_connect returned=") ||
        has(t, "does not match the server certificate"))
        return SRC_RUBY;
    if (has(t, "stream_socket_enable_crypto") || has(t, "ssl operation failed with code") ||
        has(t, "failed to enable crypto") || has(t, "php warning:"))
        return SRC_PHP;
    if (has(t, "err_ssl_") || has(t, "err_tls_") || has(t, "at tlssocket") ||
        has(t, "node:internal") || has(t, "node:_tls") || has(t, "deps/openssl") ||
        has(t, "code: '") || has(t, "mongoserverselectionerror") || has(t, "mongonetworkerror") ||
        has(t, "unable_to_verify_leaf_signature") || has(t, "depth_zero_self_signed_cert") ||
        has(t, "self_signed_cert_in_chain") || has(t, "unable_to_get_issuer_cert_locally") ||
        has(t, "cert_has_expired") || has(t, "does not match certificate's altnames") ||
        has(t, "econnreset"))
        return SRC_NODE;
    if (has(t, "curl: (") || !strncmp(t->norm, "curl", 4) || has(t, "* ssl certificate problem"))
        return SRC_CURL;
    if (has(t, "[ssl:") || has(t, "_ssl.c:") || has(t, "sslcertverificationerror") ||
        has(t, "ssl.sslerror") || has(t, "sslzeroreturnerror") || has(t, "sslerror(") ||
        has(t, "eof occurred in violation of protocol") ||
        has(t, "hostname mismatch, certificate is not valid"))
        return SRC_PYTHON;
    if (has(t, "ssl routines:") || has(t, "verify return code") || has(t, "verify error:num=") ||
        has(t, "connected(") || has(t, "s_client"))
        return SRC_OPENSSL_CLI;
    return SRC_UNKNOWN;
}

/* ---- host and port ---- */

static int plausible_host(const char *h, size_t len)
{
    static const char *const code_suffixes[] = { ".c",  ".cc", ".cpp", ".h",    ".py",  ".js",
                                                 ".ts", ".rs", ".go",  ".java", ".mjs", ".cjs" };
    int letters = 0, dots = 0;
    if (len == 0 || len > 253) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)h[i];
        if (isalpha(c)) letters++;
        else if (c == '.') dots++;
        else if (!isdigit(c) && c != '-' && c != '_') return 0;
    }
    for (size_t i = 0; i < sizeof(code_suffixes) / sizeof(code_suffixes[0]); i++) {
        size_t sl = strlen(code_suffixes[i]);
        if (len > sl && !strncasecmp(h + len - sl, code_suffixes[i], sl)) return 0;
    }
    if (letters == 0) return dots == 3; /* a dotted IPv4 address */
    return dots > 0 || (len == 9 && !strncasecmp(h, "localhost", 9));
}

static int set_host(struct verdict *v, const char *h, size_t hlen, const char *p, size_t plen)
{
    if (hlen == 0 || hlen >= sizeof(v->host) || plen >= sizeof(v->port)) return 0;
    memcpy(v->host, h, hlen);
    v->host[hlen] = '\0';
    if (plen) {
        memcpy(v->port, p, plen);
        v->port[plen] = '\0';
        long n = atol(v->port);
        if (n < 1 || n > 65535) v->port[0] = '\0';
    }
    return 1;
}

/* In order of trust: PyMongo's ('host', port) tuple, the C driver's "on 'host:port'", a URL,
 * curl's "Failed to connect to HOST port N", Node's "Host: NAME." and "host: 'NAME'", then any
 * HOST:PORT or [V6]:PORT token that looks like a host and not like a source file. */
static void find_host(const char *s, struct verdict *v, int single_label_ok)
{
    const char *p;
    int https = 0;
    if ((p = strstr(s, "('")) != NULL) {
        for (; p != NULL; p = strstr(p + 2, "('")) {
            const char *q = strchr(p + 2, '\'');
            if (q && !strncmp(q, "', ", 3) && isdigit((unsigned char)q[3]) &&
                set_host(v, p + 2, (size_t)(q - p - 2), q + 3, strspn(q + 3, "0123456789")))
                return;
        }
    }
    if ((p = strstr(s, " on '")) != NULL) {
        const char *h = p + 5, *colon = strpbrk(h, ":'");
        if (colon && *colon == ':' &&
            set_host(v, h, (size_t)(colon - h), colon + 1, strspn(colon + 1, "0123456789")))
            return;
    }
    if ((p = strstr(s, "://")) != NULL) {
        const char *h = p + 3;
        https = p - s >= 5 && !strncasecmp(p - 5, "https", 5);
        const char *at = strpbrk(h, "@/ ");
        if (at && *at == '@') h = at + 1; /* mongodb://user:pass@host */
        if (*h == '[') {
            const char *close = strchr(h, ']');
            if (close &&
                set_host(v, h + 1, (size_t)(close - h - 1), close[1] == ':' ? close + 2 : "",
                         close[1] == ':' ? strspn(close + 2, "0123456789") : 0))
                goto url_default;
        } else {
            size_t hl = strcspn(h, ":/,?' \"");
            if (hl && set_host(v, h, hl, h[hl] == ':' ? h + hl + 1 : "",
                               h[hl] == ':' ? strspn(h + hl + 1, "0123456789") : 0))
                goto url_default;
        }
    }
    if ((p = strstr(s, "host='")) != NULL) { /* urllib3: HTTPSConnectionPool(host='h', port=443) */
        const char *h = p + 6, *q = strchr(h, '\''), *port = q ? strstr(q, "port=") : NULL;
        int near = port != NULL && port - q < 4;
        if (q && set_host(v, h, (size_t)(q - h), near ? port + 5 : "",
                          near ? strspn(port + 5, "0123456789") : 0))
            return;
    }
    if ((p = strcasestr(s, "failed to connect to ")) != NULL) {
        const char *h = p + 21, *sp = strstr(h, " port ");
        if (sp && set_host(v, h, (size_t)(sp - h), sp + 6, strspn(sp + 6, "0123456789"))) return;
    }
    if ((p = strstr(s, "Host: ")) != NULL) {
        const char *h = p + 6;
        size_t hl = strcspn(h, ". \n");
        while (h[hl] == '.' && h[hl + 1] != ' ' && h[hl + 1] != '\0' && h[hl + 1] != '\n')
            hl += 1 + strcspn(h + hl + 1, ". \n");
        if (hl && set_host(v, h, hl, "", 0)) goto port_only;
    }
    if ((p = strstr(s, "host: '")) != NULL || (p = strstr(s, "hostname: '")) != NULL) {
        const char *h = strchr(p, '\'') + 1, *q = strchr(h, '\'');
        if (q && set_host(v, h, (size_t)(q - h), "", 0)) goto port_only;
    }
    for (p = s; *p; p++) {
        if (*p == '[') {
            const char *close = strchr(p, ']');
            if (close && close[1] == ':' && isdigit((unsigned char)close[2]) &&
                memchr(p, ':', (size_t)(close - p)) &&
                set_host(v, p + 1, (size_t)(close - p - 1), close + 2,
                         strspn(close + 2, "0123456789")))
                return;
            continue;
        }
        if (*p != ':' || !isdigit((unsigned char)p[1]) || p == s) continue;
        size_t plen = strspn(p + 1, "0123456789");
        if (isalnum((unsigned char)p[1 + plen]) || p[1 + plen] == '.') continue;
        const char *h = p;
        while (h > s &&
               (isalnum((unsigned char)h[-1]) || h[-1] == '.' || h[-1] == '-' || h[-1] == '_'))
            h--;
        size_t hl = (size_t)(p - h);
        int ok = plausible_host(h, hl);
        /* A single-label name ("mongo1:27017") only where a driver put it, "host:port: ". */
        if (!ok && single_label_ok && hl && p[1 + plen] == ':' &&
            (h == s || h[-1] == ' ' || h[-1] == '\'')) {
            ok = 1;
            for (size_t i = 0; i < hl; i++)
                if (!isalnum((unsigned char)h[i]) && h[i] != '-') ok = 0;
            ok = ok && isalpha((unsigned char)h[0]);
        }
        if (ok && set_host(v, h, hl, p + 1, plen)) return;
    }
    return;
url_default:
    if (!v->port[0] && https) snprintf(v->port, sizeof(v->port), "443");
    return;
port_only:
    if ((p = strstr(s, "port: ")) != NULL && isdigit((unsigned char)p[6]))
        set_host(v, v->host, strlen(v->host), p + 6, strspn(p + 6, "0123456789"));
}

/* ---- the rules ---- */

static const enum td_cause_id hsf_all[] = { TD_CAUSE_NO_SHARED_CIPHER, TD_CAUSE_NO_COMMON_GROUP,
                                            TD_CAUSE_CLIENT_CERT_MISSING, TD_CAUSE_SNI_REJECTED,
                                            TD_CAUSE_COUNT };
static const enum td_cause_id closed_all[] = { TD_CAUSE_PEER_CLOSED, TD_CAUSE_NO_SHARED_CIPHER,
                                               TD_CAUSE_CLIENT_CERT_MISSING,
                                               TD_CAUSE_PEER_INTERNAL_ERROR, TD_CAUSE_COUNT };

/* What a staple the application refused can have been: every cause of the section, in the
 * catalogue's order, but the application's own callback failing (a different message). */
static void add_staple_causes(struct verdict *v)
{
    for (int id = 0; id < TD_CAUSE_COUNT; id++)
        if (td_causes[id].section == TD_SEC_INVALID_STATUS_RESPONSE &&
            id != TD_CAUSE_OCSP_CALLBACK_FAILURE)
            add_cause(v, (enum td_cause_id)id);
}

static void add_rule_causes(struct verdict *v, const enum td_cause_id *ids, int n)
{
    for (int i = 0; i < n; i++) add_cause(v, ids[i]);
}

static void verify_causes(struct verdict *v, long code)
{
    enum td_cause_id causes[TD_RULE_CAUSES];
    int n = td_verify_causes(code, causes);
    v->section = TD_SEC_CERTIFICATE_VERIFY_FAILED;
    add_rule_causes(v, causes, n);
    switch (causes[0]) {
    case TD_CAUSE_TRUST_STORE_MISSING:
        v->undecided =
            "whether the trust store is empty, the CA is not in it, or the server left out "
            "an intermediate shows only in the chain the server sends and the CA file the "
            "application loads";
        break;
    case TD_CAUSE_MISSING_INTERMEDIATE:
        v->undecided =
            "whether the server left out its intermediate or the CA is simply unknown here "
            "shows only in the chain the server sends and the CA file the application loads";
        break;
    case TD_CAUSE_SELF_SIGNED_IN_CHAIN:
        v->undecided =
            "which root it is (a private CA, or a TLS-intercepting proxy's) shows in the chain";
        break;
    case TD_CAUSE_NOT_YET_VALID:
        v->undecided =
            "whether the certificate is really not valid yet or this machine's clock is wrong, "
            "and which certificate of the chain it is";
        break;
    case TD_CAUSE_EXPIRED:
        v->undecided =
            "whether the certificate really expired or this machine's clock is wrong, and "
            "which certificate of the chain it is";
        break;
    default: break;
    }
}

static void hostname_phrase(struct verdict *v, const struct text *t)
{
    static const struct {
        const char *needle, *outside;
    } phrases[] = {
        { "ssl handshake failed due to a hostname mismatch",
          "the mongo gem checks the name itself after the handshake, so `tlsdiag run -- ruby` "
          "sees a successful handshake; `tlsdiag check` makes OpenSSL check the name and shows "
          "it" },
        { "hostname mismatch", NULL },
        { "ip address mismatch", NULL },
        { "does not match certificate's altnames",
          "Node checks the name itself after the handshake, so `tlsdiag run -- node` sees a "
          "successful handshake; `tlsdiag check` makes OpenSSL check the name and shows it" },
        { "err tls cert altname invalid",
          "Node checks the name itself after the handshake, so `tlsdiag run -- node` sees a "
          "successful handshake; `tlsdiag check` makes OpenSSL check the name and shows it" },
        { "no alternative certificate subject name matches",
          "curl checks the name itself after the handshake, so `tlsdiag run -- curl` sees a "
          "successful handshake; `tlsdiag check` makes OpenSSL check the name and shows it" },
        { "does not match target host name",
          "curl checks the name itself after the handshake, so `tlsdiag run -- curl` sees a "
          "successful handshake; `tlsdiag check` makes OpenSSL check the name and shows it" },
        { "dnsmismatch",
          "pyOpenSSL (PyMongo's OCSP path) checks the name with service_identity after the "
          "handshake, which tlsdiag's hooks do not see; `tlsdiag check` shows it" },
        { "ipaddressmismatch",
          "pyOpenSSL (PyMongo's OCSP path) checks the name with service_identity after the "
          "handshake, which tlsdiag's hooks do not see; `tlsdiag check` shows it" },
        { "doesn't match",
          "this is PyMongo's (or ssl.match_hostname's) own check, after the handshake" },
        { "does not match the server certificate",
          "Ruby checks the name itself after the handshake (post_connection_check), so "
          "`tlsdiag run -- ruby` sees a successful handshake; `tlsdiag check` makes OpenSSL "
          "check the name and shows it" },
        { "did not match expected",
          "PHP checks the name itself after the handshake (peer_name), so `tlsdiag run -- php` "
          "sees a successful handshake; `tlsdiag check` makes OpenSSL check the name and shows "
          "it" },
        { "tls handshake failed: failed certificate verification",
          "the C driver checks the name itself after the handshake (a certificate that does not "
          "verify fails inside it, with an OpenSSL error); `tlsdiag check` shows it" },
    };
    for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
        if (!has(t, phrases[i].needle)) continue;
        if (!strcmp(phrases[i].needle, "doesn't match") && !has(t, "hostname")) continue;
        v->section = TD_SEC_CERTIFICATE_VERIFY_FAILED;
        add_cause(v, TD_CAUSE_HOSTNAME_MISMATCH);
        v->outside = phrases[i].outside;
        note_match(v, t, phrases[i].needle, NULL);
        return;
    }
}

/* What a stack that is not OpenSSL says, in its own words: the verify error it means (0: a
 * verification failure it does not name), or (code -1) a section and its causes, likeliest first.
 * First match wins, so the specific come first. */
static const enum td_cause_id c_store[] = { TD_CAUSE_TRUST_STORE_MISSING, TD_CAUSE_COUNT };
static const enum td_cause_id c_untrusted_root[] = { TD_CAUSE_UNKNOWN_CA,
                                                     TD_CAUSE_SELF_SIGNED_IN_CHAIN,
                                                     TD_CAUSE_SELF_SIGNED, TD_CAUSE_COUNT };
static const enum td_cause_id c_name_chain[] = { TD_CAUSE_HOSTNAME_MISMATCH, TD_CAUSE_UNKNOWN_CA,
                                                 TD_CAUSE_SELF_SIGNED, TD_CAUSE_COUNT };
static const enum td_cause_id c_expired_or_not[] = { TD_CAUSE_EXPIRED, TD_CAUSE_NOT_YET_VALID,
                                                     TD_CAUSE_COUNT };
static const enum td_cause_id c_revocation[] = { TD_CAUSE_OTHER_VERIFY, TD_CAUSE_REVOKED_CRL,
                                                 TD_CAUSE_COUNT };
static const enum td_cause_id c_other_verify[] = { TD_CAUSE_OTHER_VERIFY, TD_CAUSE_COUNT };
static const enum td_cause_id c_version[] = { TD_CAUSE_PEER_REJECTED_VERSIONS,
                                              TD_CAUSE_PEER_VERSION_TOO_LOW, TD_CAUSE_COUNT };
static const enum td_cause_id c_no_protocols[] = { TD_CAUSE_NO_PROTOCOLS_AVAILABLE,
                                                   TD_CAUSE_PEER_VERSION_TOO_LOW, TD_CAUSE_COUNT };
static const enum td_cause_id c_sni[] = { TD_CAUSE_SNI_REJECTED, TD_CAUSE_COUNT };
static const enum td_cause_id c_cert_refused[] = { TD_CAUSE_CLIENT_CERT_REJECTED,
                                                   TD_CAUSE_PEER_REJECTED_OUR_CERTIFICATE,
                                                   TD_CAUSE_CLIENT_CERT_MISSING, TD_CAUSE_COUNT };
static const enum td_cause_id c_they_refused[] = { TD_CAUSE_PEER_REJECTED_OUR_CERTIFICATE,
                                                   TD_CAUSE_CLIENT_CERT_REJECTED, TD_CAUSE_COUNT };
static const enum td_cause_id c_cert_missing[] = { TD_CAUSE_CLIENT_CERT_MISSING, TD_CAUSE_COUNT };
static const enum td_cause_id c_internal[] = { TD_CAUSE_PEER_INTERNAL_ERROR, TD_CAUSE_COUNT };
static const enum td_cause_id c_not_tls[] = { TD_CAUSE_NOT_TLS, TD_CAUSE_COUNT };
static const enum td_cause_id c_unknown[] = { TD_CAUSE_UNKNOWN, TD_CAUSE_COUNT };

#define CVF TD_SEC_CERTIFICATE_VERIFY_FAILED
#define VER TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION
#define HSF TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE
#define OTH TD_SEC_OTHER
static const char say_record[] =
    "a record arrived corrupted or out of order: a proxy or middlebox rewriting the stream, "
    "a broken network path (offload, MTU), or one TLS connection shared between threads or "
    "carried across fork() tell themselves apart only outside the message";
static const char say_closed[] =
    "the peer closed the connection without saying why: how far the handshake got, and the "
    "server's own log, tell a required client certificate, no common cipher, an IP allow-list "
    "or a proxy apart";
static const char say_stalled[] =
    "the server accepted the connection but never finished the handshake: an IP allow-list "
    "(MongoDB Atlas's Network Access), a firewall or proxy that swallows TLS, or a server too "
    "busy to answer; `tlsdiag check` from the same machine shows which";

static const struct {
    const char *needle;
    long code;
    enum td_section section;        /* code -1 */
    const enum td_cause_id *causes; /* code -1 */
    int fix_kind;                   /* enum fix_kind, or -1 from the first cause */
    const char *undecided;
} foreign_causes[] = {
    /* Erlang/OTP's ssl */
    { "hostname check failed", 62, CVF, NULL, -1, NULL },
    { "generated client alert: fatal - unknown ca", 20, CVF, NULL, -1, NULL },
    { "unknown ca,", 20, CVF, NULL, -1, NULL },
    { "received client alert: fatal - certificate unknown", -1, OTH, c_they_refused, -1, NULL },
    { "received client alert: fatal - bad certificate", -1, OTH, c_they_refused, -1, NULL },
    /* Windows Schannel (curl, git, PowerShell) and .NET */
    { "sec e untrusted root", -1, CVF, c_untrusted_root, FIX_TRUST, NULL },
    { "cert trust is untrusted root", -1, CVF, c_untrusted_root, FIX_TRUST, NULL },
    { "crypt e revocation offline", -1, CVF, c_revocation, FIX_REVOCATION, NULL },
    { "revocation server was offline", -1, CVF, c_revocation, FIX_REVOCATION, NULL },
    { "0x80092013", -1, CVF, c_revocation, FIX_REVOCATION, NULL },
    { "cert trust revocation status unknown", -1, CVF, c_revocation, FIX_REVOCATION, NULL },
    { "remotecertificatenamemismatch, remotecertificatechainerrors", -1, CVF, c_name_chain, -1,
      NULL },
    { "remotecertificatenamemismatch", 62, CVF, NULL, -1, NULL },
    { "remotecertificatechainerrors", 20, CVF, NULL, -1, NULL },
    /* Apple's Secure Transport */
    { "errsslxcertchaininvalid", 20, CVF, NULL, -1, NULL },
    { "error -9807", 20, CVF, NULL, -1, NULL },
    { "errsslnorootcert", 20, CVF, NULL, -1, NULL },
    { "error -9813", 20, CVF, NULL, -1, NULL },
    { "errsslcertexpired", 10, CVF, NULL, -1, NULL },
    { "error -9814", 10, CVF, NULL, -1, NULL },
    /* Go's crypto/x509 and crypto/tls */
    { "x509: certificate signed by unknown authority", 20, CVF, NULL, -1, NULL },
    { "x509: certificate is valid for", 62, CVF, NULL, -1, NULL },
    { "x509: certificate is not valid for any names", 62, CVF, NULL, -1, NULL },
    { "x509: certificate relies on legacy common name field", 62, CVF, NULL, -1, NULL },
    { "x509: certificate has expired or is not yet valid: current time", 0, CVF, NULL, -1, NULL },
    { "x509: certificate has expired or is not yet valid", -1, CVF, c_expired_or_not, -1,
      "which of the two, and whether this machine's clock is wrong, the message does not say" },
    { "tls: failed to verify certificate", 0, CVF, NULL, -1, NULL },
    { "tls: client didn't provide a certificate", -1, OTH, c_cert_missing, -1, NULL },
    { "remote error: tls: handshake failure", -1, HSF, hsf_all, FIX_HANDSHAKE,
      "whether it is the cipher suites, the key-exchange groups, a client certificate the "
      "server requires, or SNI shows only in the handshake itself" },
    { "tls: protocol version not supported", -1, VER, c_version, FIX_VERSION, NULL },
    { "remote error: tls: internal error", -1, OTH, c_internal, -1, NULL },
    { "remote error: tls: unknown certificate authority", -1, OTH, c_cert_refused, -1, NULL },
    { "remote error: tls: bad certificate", -1, OTH, c_cert_refused, -1, NULL },
    { "remote error: tls: unknown certificate", -1, OTH, c_cert_refused, -1, NULL },
    { "remote error: tls: certificate required", -1, OTH, c_cert_missing, -1, NULL },
    { "tls: unrecognized name", -1, OTH, c_sni, FIX_HANDSHAKE, NULL },
    { "tls: first record does not look like a tls handshake", -1, OTH, c_not_tls, -1, NULL },
    /* wget's own words (before GnuTLS's, which it may print as well) */
    { "unable to locally verify the issuer's authority", 20, CVF, NULL, -1, NULL },
    /* GnuTLS (gnutls-cli, git, curl-gnutls, wget) */
    { "the certificate issuer is unknown", 20, CVF, NULL, -1, NULL },
    { "the issuer is unknown", 20, CVF, NULL, -1, NULL },
    { "doesn't have a known issuer", 20, CVF, NULL, -1, NULL },
    { "the name in the certificate does not match", 62, CVF, NULL, -1, NULL },
    { "certificate owner does not match hostname", 62, CVF, NULL, -1, NULL },
    { "no certificate subject alternative name matches", 62, CVF, NULL, -1, NULL },
    { "the certificate chain uses expired certificate", 10, CVF, NULL, -1, NULL },
    { "has expired.", 10, CVF, NULL, -1, NULL },
    { "the certificate chain uses not yet valid certificate", 9, CVF, NULL, -1, NULL },
    { "is not yet activated", 9, CVF, NULL, -1, NULL },
    { "server certificate verification failed. cafile: none", -1, CVF, c_store, FIX_TRUST, NULL },
    { "server certificate verification failed", 0, CVF, NULL, -1, NULL },
    { "certificate is not trusted", 0, CVF, NULL, -1, NULL },
    { "is not trusted.", 0, CVF, NULL, -1, NULL },
    { "the tls connection was non-properly terminated", -1, OTH, closed_all, -1, say_closed },
    /* NSS */
    { "mozilla pkix error self signed cert", 18, CVF, NULL, -1, NULL },
    { "sec error unknown issuer", 20, CVF, NULL, -1, NULL },
    { "sec error untrusted issuer", 20, CVF, NULL, -1, NULL },
    { "sec error expired issuer certificate", 10, CVF, NULL, -1, NULL },
    { "sec error expired certificate", 10, CVF, NULL, -1, NULL },
    { "ssl error bad cert domain", 62, CVF, NULL, -1, NULL },
    /* Java's JSSE (and Bouncy Castle's) */
    { "unable to find valid certification path to requested target", 20, CVF, NULL, -1, NULL },
    { "pkix path building failed", 20, CVF, NULL, -1, NULL },
    { "no subject alternative", 62, CVF, NULL, -1, NULL },
    { "does not match any of the subject alternative names", 62, CVF, NULL, -1, NULL },
    { "no name matching", 62, CVF, NULL, -1, NULL },
    { "certificateexpiredexception", 10, CVF, NULL, -1, NULL },
    { "certificatenotyetvalidexception", 9, CVF, NULL, -1, NULL },
    { "no appropriate protocol", -1, VER, c_no_protocols, FIX_VERSION,
      "this JVM enables no version the connection may use: TLS 1.0 and 1.1 are disabled in "
      "java.security since 8u291/11.0.11, or the application restricted the list" },
    { "alert: protocol version", -1, VER, c_version, FIX_VERSION, NULL },
    { "alert received protocol version", -1, VER, c_version, FIX_VERSION, NULL },
    { "alert:handshake failure", -1, HSF, hsf_all, FIX_HANDSHAKE, NULL },
    { "alert:protocol version", -1, VER, c_version, FIX_VERSION, NULL },
    { "alert: handshake failure", -1, HSF, hsf_all, FIX_HANDSHAKE,
      "whether it is the cipher suites, the key-exchange groups, a client certificate the "
      "server requires, or SNI shows only in the handshake itself" },
    { "handshake failure(40)", -1, HSF, hsf_all, FIX_HANDSHAKE, NULL },
    { "unrecognized name", -1, OTH, c_sni, FIX_HANDSHAKE,
      "the server does not serve the name sent; a JVM sending a name the server does not know "
      "gets this where other clients carry on (jsse.enableSNIExtension)" },
    { "alert: certificate unknown", -1, OTH, c_cert_refused, -1, NULL },
    { "alert: bad certificate", -1, OTH, c_cert_refused, -1, NULL },
    { "remote host terminated the handshake", -1, OTH, closed_all, -1, say_closed },
    { "ssl peer shut down incorrectly", -1, OTH, closed_all, -1, say_closed },
    { "bad record mac", -1, OTH, c_unknown, -1, say_record },
    /* .NET */
    { "the remote certificate is invalid", 0, CVF, NULL, -1, NULL },
    /* rustls */
    { "unknownissuer", 20, CVF, NULL, -1, NULL },
    { "notvalidforname", 62, CVF, NULL, -1, NULL },
    { "certificate not valid for name", 62, CVF, NULL, -1, NULL },
    { "invalid peer certificate: expired", 10, CVF, NULL, -1, NULL },
    { "invalidcertificate(expired)", 10, CVF, NULL, -1, NULL },
    { "invalid peer certificate: notvalidyet", 9, CVF, NULL, -1, NULL },
    { "nameconstraintviolation", -1, CVF, c_other_verify, -1, NULL },
    { "invalid peer certificate", 0, CVF, NULL, -1, NULL },
};
#undef CVF
#undef VER
#undef HSF
#undef OTH

/* Programs with a store of their own, or the system's, which is rarely missing: an unknown
 * issuer there is a CA not in it (a private CA, a TLS-inspecting proxy's) more often than no
 * store at all. */
static int has_own_store(enum source s)
{
    return s == SRC_JAVA || s == SRC_GO || s == SRC_RUSTLS || s == SRC_DOTNET || s == SRC_NODE ||
           s == SRC_ERLANG || s == SRC_SECURETRANSPORT || s == SRC_SCHANNEL || s == SRC_WGET ||
           s == SRC_NSS;
}

static int decide_foreign(struct verdict *v, const struct text *t)
{
    for (size_t i = 0; i < sizeof(foreign_causes) / sizeof(foreign_causes[0]); i++) {
        if (!has(t, foreign_causes[i].needle)) continue;
        note_match(v, t, foreign_causes[i].needle, NULL);
        v->fix_kind = foreign_causes[i].fix_kind;
        if (foreign_causes[i].code > 0) {
            v->verify_code = foreign_causes[i].code;
            verify_causes(v, foreign_causes[i].code);
        } else if (foreign_causes[i].code < 0) {
            v->section = foreign_causes[i].section;
            add_causes(v, foreign_causes[i].causes);
            if (foreign_causes[i].undecided) v->undecided = foreign_causes[i].undecided;
            /* Go's server log: "http: TLS handshake error from ADDR: remote error: ..." is
             * the client refusing this server's certificate. */
            if (has(t, "handshake error from"))
                put_first(v, TD_CAUSE_PEER_REJECTED_OUR_CERTIFICATE);
        } else if (has(t, " is after ")) { /* Go: "current time X is after NOTAFTER" */
            verify_causes(v, X509_V_ERR_CERT_HAS_EXPIRED);
        } else if (has(t, " is before ")) {
            verify_causes(v, X509_V_ERR_CERT_NOT_YET_VALID);
        } else {
            v->section = TD_SEC_CERTIFICATE_VERIFY_FAILED;
            add_section_causes(v, TD_SEC_CERTIFICATE_VERIFY_FAILED);
            v->undecided = "the message does not say which check failed";
        }
        if (has_own_store(v->source) &&
            (v->verify_code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
             v->verify_code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT))
            put_first(v, TD_CAUSE_UNKNOWN_CA);
        return 1;
    }
    return 0;
}

static int decide_tls(struct verdict *v, const struct text *t)
{
    if (has(t, "unsafe legacy renegotiation disabled")) {
        v->section = TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED;
        add_reason_cause(v, SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED);
        note_match(v, t, "unsafe legacy renegotiation disabled", NULL);
        return 1;
    }

    /* OCSP: OpenSSL's verdict on the application's status callback, or a program's own. */
    if (has(t, "ocsp callback failure")) {
        v->section = TD_SEC_INVALID_STATUS_RESPONSE;
        add_reason_cause(v, SSL_R_OCSP_CALLBACK_FAILURE);
        note_match(v, t, "ocsp callback failure", NULL);
        return 1;
    }
    if (has(t, "invalid status response") || has(t, "bad certificate status response")) {
        v->section = TD_SEC_INVALID_STATUS_RESPONSE;
        add_staple_causes(v);
        note_match(v, t,
                   has(t, "invalid status response") ? "invalid status response"
                                                     : "bad certificate status response",
                   NULL);
        v->undecided =
            "what is wrong with the staple (revoked, outdated, not signed by the issuer, "
            "about another certificate, unparseable, or missing for a must-staple "
            "certificate) is only in the staple itself";
        return 1;
    }
    static const struct {
        const char *needle;
        enum td_cause_id cause;
    } curl_ocsp[] = {
        { "no ocsp response received", TD_CAUSE_OCSP_MISSING_STAPLE },
        { "revocation reason", TD_CAUSE_OCSP_REVOKED },
        { "certificate status: revoked", TD_CAUSE_OCSP_REVOKED },
        { "ocsp response has expired", TD_CAUSE_OCSP_STALE },
        { "invalid ocsp response status", TD_CAUSE_OCSP_UNSUCCESSFUL },
        { "ocsp response verification failed", TD_CAUSE_OCSP_BAD_SIGNATURE },
        { "could not find certificate id in ocsp response", TD_CAUSE_OCSP_WRONG_CERTIFICATE },
        { "invalid ocsp response", TD_CAUSE_OCSP_MALFORMED },
        { "failed ocsp verification", TD_CAUSE_COUNT }, /* any of them */
    };
    for (size_t i = 0; i < sizeof(curl_ocsp) / sizeof(curl_ocsp[0]); i++) {
        if (!has(t, curl_ocsp[i].needle)) continue;
        v->section = TD_SEC_INVALID_STATUS_RESPONSE;
        if (curl_ocsp[i].cause != TD_CAUSE_COUNT) {
            add_cause(v, curl_ocsp[i].cause);
            v->outside = "curl judges the staple itself (--cert-status) after the handshake, so "
                         "`tlsdiag run -- curl` sees a successful handshake; `tlsdiag check` "
                         "checks the staple the way a strict driver does";
        } else {
            add_staple_causes(v);
            v->undecided = "the C driver's message does not say what is wrong with the staple";
            v->outside = "the C driver checks OCSP itself after the handshake; `tlsdiag check` "
                         "checks the staple the way it does";
        }
        note_match(v, t, curl_ocsp[i].needle, NULL);
        return 1;
    }

    /* OCSP outside a handshake: a program (a server fetching its staple, a checker, a driver
     * asking the responder itself) got a responder's answer it could not use. */
    static const struct {
        const char *needle;
        enum td_cause_id cause;
    } ocsp_outside[] = {
        { "ocsp response not successful", TD_CAUSE_OCSP_UNSUCCESSFUL },
        { "ocsp: error from server", TD_CAUSE_OCSP_UNSUCCESSFUL },
        { "responder error:", TD_CAUSE_OCSP_UNSUCCESSFUL },
        { "has status unauthorized", TD_CAUSE_OCSP_UNSUCCESSFUL },
        { "ocsp status 6", TD_CAUSE_OCSP_UNSUCCESSFUL },
        { "unauthorizedexception", TD_CAUSE_OCSP_UNSUCCESSFUL },
        { "ocsp basic verify", TD_CAUSE_OCSP_BAD_SIGNATURE },
        { "response verify failure", TD_CAUSE_OCSP_BAD_SIGNATURE },
    };
    for (size_t i = 0; i < sizeof(ocsp_outside) / sizeof(ocsp_outside[0]); i++) {
        if (!has(t, ocsp_outside[i].needle)) continue;
        if (ocsp_outside[i].cause == TD_CAUSE_OCSP_UNSUCCESSFUL && !has(t, "ocsp") &&
            !has(t, "unauthorized"))
            continue;
        v->section = TD_SEC_INVALID_STATUS_RESPONSE;
        add_cause(v, ocsp_outside[i].cause);
        add_cause(v, TD_CAUSE_OCSP_REJECTED);
        note_match(v, t, ocsp_outside[i].needle, "(an OCSP responder's answer)");
        v->outside = "the OCSP answer was fetched outside any handshake (a server getting its "
                     "staple, a checker, or a driver asking the responder itself): "
                     "\"unauthorized\" means the responder does not know the certificate (too "
                     "new, expired, or another CA's); MongoDB drivers skip asking the responder "
                     "with tlsDisableOCSPEndpointCheck=true, or check a CRL with tlsCRLFile";
        return 1;
    }

    /* Protocol versions. */
    /* The causes are the provider's for the same reason (td_reason_cause) where one names it. */
    static const struct {
        const char *needle;
        int reason;
        enum td_cause_id cause;
    } versions[] = {
        { "tlsv1 alert protocol version", 0, TD_CAUSE_PEER_REJECTED_VERSIONS },
        { "unsupported protocol", SSL_R_UNSUPPORTED_PROTOCOL, TD_CAUSE_COUNT },
        { "version too low", SSL_R_VERSION_TOO_LOW, TD_CAUSE_COUNT },
        /* A TLS 1.0/1.1 server signs with MD5+SHA-1, which security level 1 and up refuse:
         * with no MinProtocol set, that is where a too-old server is turned away (classify
         * says so only when it saw the server's version, which a message does not show). */
        { "legacy sigalg disallowed or unsupported", 0, TD_CAUSE_PEER_VERSION_TOO_LOW },
        { "no protocols available", SSL_R_NO_PROTOCOLS_AVAILABLE, TD_CAUSE_COUNT },
        { "curl sslversion max incompatible with curl sslversion", 0,
          TD_CAUSE_NO_PROTOCOLS_AVAILABLE },
    };
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        if (!has(t, versions[i].needle)) continue;
        v->section = TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION;
        if (versions[i].reason) add_reason_cause(v, versions[i].reason);
        else add_cause(v, versions[i].cause);
        note_match(v, t, versions[i].needle, NULL);
        if (versions[i].cause == TD_CAUSE_PEER_REJECTED_VERSIONS) {
            v->alert = SSL_AD_PROTOCOL_VERSION;
            v->undecided = "which side's limit it is (this program's maximum, or the server's "
                           "minimum) shows in the versions offered and accepted";
        }
        if (versions[i].cause == TD_CAUSE_PEER_VERSION_TOO_LOW)
            v->undecided =
                "the server most likely speaks only TLS 1.0 or 1.1, whose signatures "
                "this security level refuses; the version it picks shows in the handshake";
        return 1;
    }

    /* The mongo gem's own name check says "hostname mismatch" too, after the handshake. */
    if (has(t, "ssl handshake failed due to a hostname mismatch")) hostname_phrase(v, t);
    if (v->n_causes) return 1;

    /* Certificate verification, by verify code when the text has one. */
    long code = find_verify_code(t, v);
    if (code > 0) {
        v->verify_code = code;
        verify_causes(v, code);
        if (has_own_store(v->source) && (code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
                                         code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT))
            put_first(v, TD_CAUSE_UNKNOWN_CA);
        return 1;
    }
    hostname_phrase(v, t);
    if (v->n_causes) return 1;
    if (has(t, "certificate verify failed") || has(t, "certificate_verify_failed") ||
        has(t, "certificate problem")) {
        v->section = TD_SEC_CERTIFICATE_VERIFY_FAILED;
        add_section_causes(v, TD_SEC_CERTIFICATE_VERIFY_FAILED);
        note_match(v, t,
                   has(t, "certificate verify failed") ? "certificate verify failed"
                                                       : "certificate problem",
                   NULL);
        v->undecided = "the message does not say which check failed (no verify code or reason "
                       "follows it)";
        return 1;
    }
    static const char *const ca_load[] = { "could not find a suitable tls ca certificate bundle",
                                           "error setting certificate verify locations",
                                           "error setting certificate file",
                                           "error adding trust anchors",
                                           "no certificate or crl found" };
    for (size_t i = 0; i < sizeof(ca_load) / sizeof(ca_load[0]); i++) {
        if (!has(t, ca_load[i])) continue;
        v->section = TD_SEC_CERTIFICATE_VERIFY_FAILED;
        add_cause(v, TD_CAUSE_TRUST_STORE_MISSING);
        note_match(v, t, ca_load[i],
                   "(the CA file or directory could not be loaded, before any handshake)");
        return 1;
    }

    /* Handshake failure, and what the guide shows next to it. */
    if (has(t, "sslv3 alert handshake failure") || has(t, "alert handshake failure")) {
        v->section = TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE;
        v->alert = SSL_AD_HANDSHAKE_FAILURE;
        add_causes(v, hsf_all);
        note_match(v, t, "alert handshake failure", "(alert 40 received from the peer)");
        v->undecided = "whether it is the cipher suites, the key-exchange groups, or a client "
                       "certificate the server requires (and whether SNI was sent) shows only in "
                       "the handshake itself";
        if (has(t, "client certificate") || has(t, "client cert"))
            put_first(v, TD_CAUSE_CLIENT_CERT_MISSING);
        return 1;
    }
    if (has(t, "no shared cipher") || has(t, "no ciphers available") || has(t, "no cipher match")) {
        v->section = TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE;
        add_reason_cause(v, SSL_R_NO_SHARED_CIPHER);
        note_match(v, t,
                   has(t, "no shared cipher")       ? "no shared cipher"
                   : has(t, "no ciphers available") ? "no ciphers available"
                                                    : "no cipher match",
                   NULL);
        return 1;
    }
    if (has(t, "no suitable key share") || has(t, "no shared groups")) {
        v->section = TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE;
        add_reason_cause(v, SSL_R_NO_SUITABLE_KEY_SHARE);
        note_match(v, t,
                   has(t, "no suitable key share") ? "no suitable key share" : "no shared groups",
                   NULL);
        return 1;
    }

    /* Everything else is in OTHER. */
    v->section = TD_SEC_OTHER;
    if (has(t, "dh key too small") || has(t, "bad dh value")) {
        add_reason_cause(v, has(t, "bad dh value") ? SSL_R_BAD_DH_VALUE : SSL_R_DH_KEY_TOO_SMALL);
        note_match(v, t, has(t, "bad dh value") ? "bad dh value" : "dh key too small", NULL);
        return 1;
    }
    if (has(t, "excessive message size")) {
        add_reason_cause(v, SSL_R_EXCESSIVE_MESSAGE_SIZE);
        note_match(v, t, "excessive message size", NULL);
        return 1;
    }
    if (has(t, "ee key too small") || has(t, "ca md too weak")) {
        add_cause(v, TD_CAUSE_WEAK_KEY_OR_DIGEST);
        v->own_certificate = 1;
        note_match(v, t, has(t, "ee key too small") ? "ee key too small" : "ca md too weak",
                   "(this program's own certificate, refused when it was loaded)");
        return 1;
    }
    static const char *const not_tls[] = { "wrong version number", "http request",
                                           "unknown protocol",     "packet length too long",
                                           "record layer failure", "https proxy request",
                                           "record too long" };
    for (size_t i = 0; i < sizeof(not_tls) / sizeof(not_tls[0]); i++) {
        if (!has(t, not_tls[i])) continue;
        add_reason_cause(v, SSL_R_WRONG_VERSION_NUMBER);
        note_match(v, t, not_tls[i], NULL);
        v->undecided = "what answered instead (plain MongoDB, an HTTP server or proxy, a "
                       "middlebox) shows in the first bytes received";
        /* A client held to an old version meets a modern server's record version. */
        static const char *const forced_old[] = { "protocol tlsv1", "tlsv1 method",
                                                  "tlsv1 1 method", "sslv3 method",
                                                  "tlsv1.0",        "tlsv1.1",
                                                  "ssl version=" };
        for (size_t k = 0; k < sizeof(forced_old) / sizeof(forced_old[0]); k++) {
            if (!has(t, forced_old[k])) continue;
            add_cause(v, TD_CAUSE_PEER_REJECTED_VERSIONS);
            v->undecided = "what answered instead (an HTTP server or proxy, a middlebox), or a "
                           "server that no longer speaks the old version this client is held "
                           "to, shows in the first bytes received and the versions offered";
            break;
        }
        return 1;
    }
    if (has(t, "peer did not return a certificate") ||
        has(t, "no ssl certificate provided by peer") || has(t, "certificate required")) {
        add_reason_cause(v, SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
        note_match(v, t,
                   has(t, "certificate required") ? "certificate required"
                   : has(t, "peer did not return a certificate")
                       ? "peer did not return a certificate"
                       : "no ssl certificate provided by peer",
                   NULL);
        return 1;
    }
    if (has(t, "decryption failed or bad record mac") ||
        (has(t, "bad record mac") && !has(t, "alert bad record mac"))) {
        add_cause(v, TD_CAUSE_UNKNOWN);
        note_match(v, t,
                   has(t, "decryption failed") ? "decryption failed or bad record mac"
                                               : "bad record mac",
                   "(a record that did not decrypt)");
        v->undecided = say_record;
        return 1;
    }
    static const char *const stalled[] = { "handshake operation timed out",
                                           "handshake timed out",
                                           "tls handshake timeout",
                                           "ssl handshake timeout",
                                           "timed out during the tls handshake",
                                           "timeout during handshake" };
    for (size_t i = 0; i < sizeof(stalled) / sizeof(stalled[0]); i++) {
        if (!has(t, stalled[i])) continue;
        add_causes(v, closed_all);
        note_match(v, t, stalled[i], "(connected, but the handshake never finished)");
        v->undecided = say_stalled;
        return 1;
    }
    int alert = find_alert(t, v);
    if (alert >= 0) {
        enum td_cause_id causes[TD_RULE_CAUSES];
        int n = td_alert_causes(alert, causes);
        v->alert = alert;
        /* unrecognized_name: the server does not serve the name sent, or wanted one. */
        if (alert == TLS1_AD_UNRECOGNIZED_NAME) add_cause(v, TD_CAUSE_SNI_REJECTED);
        else if (n == 0) add_cause(v, TD_CAUSE_PEER_ALERT);
        add_rule_causes(v, causes, n);
        /* A server that needed a client certificate and got none often says only this. */
        if (alert == SSL3_AD_BAD_CERTIFICATE || alert == SSL3_AD_CERTIFICATE_UNKNOWN)
            add_cause(v, TD_CAUSE_CLIENT_CERT_MISSING);
        if (n > 1)
            v->undecided = "a client reads this as the server rejecting its certificate; in a "
                           "server's log it means the client rejected the server's certificate";
        return 1;
    }
    static const char *const closed[] = { "unexpected eof while reading",
                                          "eof occurred in violation of protocol",
                                          "unexpected eof",
                                          "connection reset by peer",
                                          "econnreset",
                                          "socket disconnected before secure tls connection",
                                          "ssl_error_syscall",
                                          "ssl error syscall",
                                          "connection closed by peer",
                                          "connection has been closed (eof)" };
    for (size_t i = 0; i < sizeof(closed) / sizeof(closed[0]); i++) {
        if (!has(t, closed[i])) continue;
        add_causes(v, closed_all);
        note_match(v, t, closed[i], NULL);
        v->undecided = "the server closed the connection without saying why: how far the handshake "
                       "got, and what the server's log says, tell an old server without common "
                       "ciphers (the guide shows this EOF under SSLV3_ALERT_HANDSHAKE_FAILURE), a "
                       "required client certificate, and an IP allow-list (MongoDB Atlas) apart";
        return 1;
    }
    return 0;
}

static int decide_network(struct verdict *v, const struct text *t)
{
    static const char *const net[] = { "connection refused",
                                       "econnrefused",
                                       "name or service not known",
                                       "getaddrinfo",
                                       "enotfound",
                                       "could not resolve host",
                                       "nodename nor servname",
                                       "temporary failure in name resolution",
                                       "no route to host",
                                       "network is unreachable",
                                       "timed out",
                                       "etimedout",
                                       "failed to connect to" };
    for (size_t i = 0; i < sizeof(net) / sizeof(net[0]); i++) {
        if (!has(t, net[i])) continue;
        v->section = TD_SEC_OTHER;
        v->network = 1;
        note_match(v, t, net[i], "(a network error: no TLS handshake took place)");
        return 1;
    }
    return 0;
}

static void explain_text(const char *input, struct verdict *v)
{
    struct text t = { .orig = input };
    memset(v, 0, sizeof(*v));
    v->verify_code = -1;
    v->alert = -1;
    t.norm = normalised_copy(input);
    t.extra = decode_codes(input);
    if (t.norm == NULL) return;
    v->source = find_source(&t, &v->pyopenssl);
    v->fix_kind = -1;
    int foreign = sources[v->source].stack != NULL || v->source == SRC_DOTNET;
    if (!(foreign && decide_foreign(v, &t)) && !decide_tls(v, &t) && !decide_network(v, &t)) {
        v->section = TD_SEC_OTHER;
        v->n_causes = 0;
        add_cause(v, TD_CAUSE_UNKNOWN);
        snprintf(v->matched, sizeof(v->matched), "nothing tlsdiag recognises");
    }
    find_host(input, v, v->source == SRC_PYMONGO || v->source == SRC_MONGOC);
    if (v->host[0] && !v->port[0]) {
        snprintf(v->port, sizeof(v->port), "%s", v->source == SRC_CURL ? "443" : "27017");
        v->port_assumed = 1;
    }
    free(t.norm);
    free(t.extra);
}

/* ---- output ---- */

static void target(const struct verdict *v, char *buf, size_t cap)
{
    if (!v->host[0]) snprintf(buf, cap, "HOST:PORT");
    else if (strchr(v->host, ':')) snprintf(buf, cap, "[%s]:%s", v->host, v->port);
    else snprintf(buf, cap, "%s:%s", v->host, v->port);
}

static void run_command(const struct verdict *v, char *buf, size_t cap)
{
    char tgt[300];
    target(v, tgt, sizeof(tgt));
    const char *tmpl = sources[v->source].run;
    const char *hp = strstr(tmpl, "HOST:PORT");
    if (hp == NULL) snprintf(buf, cap, "tlsdiag run -- %s", tmpl);
    else snprintf(buf, cap, "tlsdiag run -- %.*s%s%s", (int)(hp - tmpl), tmpl, tgt, hp + 9);
}

/* Which command decides: the server side of a failure is the same for every client, so a
 * handshake from here (check) shows it; what the application itself configures (its CA
 * file, version limits, ciphers, its own OCSP rules) only shows inside it (run). */
static const char *decider(const struct verdict *v)
{
    if (v->network) return "check";
    if (v->outside || sources[v->source].stack) return "check";
    if (v->own_certificate) return "run";
    for (int i = 0; i < v->n_causes; i++) {
        enum td_cause_id id = v->causes[i];
        if (id == TD_CAUSE_TRUST_STORE_MISSING || id == TD_CAUSE_NO_PROTOCOLS_AVAILABLE ||
            id == TD_CAUSE_OCSP_REJECTED || id == TD_CAUSE_OCSP_CALLBACK_FAILURE)
            return "both";
    }
    return "check";
}

/* The remedies the guide (its section for the verdict) gives, for the OpenSSL programs it is
 * written for; a runtime tlsdiag does not hook gets runtime_fix instead. */
static const char *const guide_remedies[TD_SEC_COUNT][4] = {
    [TD_SEC_CERTIFICATE_VERIFY_FAILED] = {
        "Linux: install your vendor's latest root certificates (Debian and Ubuntu: apt-get "
        "install --reinstall ca-certificates)",
        "macOS, Python 3.7 or later from python.org: open \"/Applications/Python "
        "VERSION/Install Certificates.command\"",
        "portable PyPy: pypy -m pip install certifi, then export SSL_CERT_FILE=$(pypy -c "
        "\"import certifi; print(certifi.where())\")",
    },
    [TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION] = {
        "macOS 10.12 or earlier: install Python from python.org, Homebrew or MacPorts",
        "`openssl version`: below 1.0.1 there is no TLS 1.1 or newer; upgrade it or ask your OS "
        "vendor",
        "the TLS version Python negotiates: python -c \"import requests; print(requests.get("
        "'https://www.howsmyssl.com/a/check', verify=False).json()['tls_version'])\" should "
        "say TLS 1.1 or later",
    },
    [TD_SEC_INVALID_STATUS_RESPONSE] = {
        "a responder this machine cannot use: tlsDisableOCSPEndpointCheck=true in the "
        "connection string (a stapled response is still checked), or tlsCRLFile=FILE to check "
        "a CRL instead; the guide's OCSP section has the rest",
    },
    [TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE] = {
        "Python 3.10 or later against MongoDB before 4.0: use Python 3.9, upgrade the server "
        "to 4.2 or later, or install PyMongo with its ocsp extra (pymongo[ocsp], which uses "
        "pyOpenSSL)",
    },
};

static int show_remedies(const struct verdict *v)
{
    return !v->network && !sources[v->source].stack && v->source != SRC_DOTNET && v->n_causes > 0 &&
           v->causes[0] != TD_CAUSE_UNKNOWN;
}

/* What the program that printed the text does about its likeliest cause, in its own terms, for a
 * runtime tlsdiag does not hook (or .NET): NULL where the generic fix is all there is. */
static const char *runtime_fix_for(const struct verdict *v)
{
    int kind = v->fix_kind;
    if (v->network || v->n_causes == 0) return NULL;
    if (kind < 0) {
        const struct td_cause *c = &td_causes[v->causes[0]];
        switch (v->causes[0]) {
        case TD_CAUSE_HOSTNAME_MISMATCH: kind = FIX_NAME; break;
        case TD_CAUSE_REVOKED_CRL: kind = FIX_REVOCATION; break;
        case TD_CAUSE_SNI_REJECTED:
        case TD_CAUSE_NO_SHARED_CIPHER:
        case TD_CAUSE_NO_COMMON_GROUP: kind = FIX_HANDSHAKE; break;
        default:
            if (c->section == TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION) kind = FIX_VERSION;
            else if (c->section == TD_SEC_CERTIFICATE_VERIFY_FAILED &&
                     v->causes[0] <= TD_CAUSE_SELF_SIGNED_IN_CHAIN)
                kind = FIX_TRUST;
            break;
        }
    }
    return kind >= 0 && kind < FIX_KINDS ? runtime_fix[v->source][kind] : NULL;
}

static void print_text(const struct verdict *v)
{
    const struct td_section_info *s = &td_sections[v->section];
    char check[320], run[400];
    target(v, check, sizeof(check));
    run_command(v, run, sizeof(run));

    printf("%ssection:%s %s%s%s", term_on(SGR_BOLD), term_off(), term_on(SGR_BOLD), s->id,
           term_off());
    if (strcmp(s->title, s->id) != 0) printf(" (%s)", s->title);
    printf("\n         %s\n", s->guide_url);
    printf("%sfrom:%s    %s%s\n", term_on(SGR_BOLD), term_off(), sources[v->source].name,
           v->pyopenssl && v->source == SRC_PYMONGO ? " on its pyOpenSSL path" : "");
    printf("%smatched:%s %s\n", term_on(SGR_BOLD), term_off(), v->matched);
    if (v->network) {
        printf("\nThis is not a TLS failure: the connection itself failed, before any handshake.\n"
               "Check the address, the port, DNS and firewalls; `tlsdiag check` says the same.\n");
    } else if (v->n_causes == 1) {
        const struct td_cause *c = &td_causes[v->causes[0]];
        printf("\n%scause:%s   %s%s%s: %s\n", term_on(SGR_BOLD), term_off(), term_on(SGR_GREEN),
               c->id, term_off(), c->meaning);
        printf("The text alone decides this.%s%s\n", v->undecided ? " Still open: " : "",
               v->undecided ? v->undecided : "");
        const char *hint =
            sources[v->source].stack ? NULL : td_cause_hint_column(c, sources[v->source].column);
        if (hint) printf("%shint:%s    %s\n", term_on(SGR_BOLD), term_off(), hint);
    } else {
        printf("\nThe text alone cannot tell these causes apart:\n");
        for (int i = 0; i < v->n_causes; i++) {
            const struct td_cause *c = &td_causes[v->causes[i]];
            printf("  %s%-24s%s %s", term_on(SGR_YELLOW), c->id, term_off(), c->meaning);
            if (c->section != v->section) printf(" (guide section %s)", td_sections[c->section].id);
            putchar('\n');
        }
        if (v->undecided) printf("What tells them apart: %s.\n", v->undecided);
    }
    if (!v->network && v->n_causes > 0 && v->causes[0] != TD_CAUSE_UNKNOWN) {
        int ruled = 0;
        for (int i = 0; i < TD_CAUSE_COUNT; i++) {
            const struct td_cause *c = &td_causes[i];
            int listed = 0;
            for (int k = 0; k < v->n_causes; k++) listed |= v->causes[k] == (enum td_cause_id)i;
            if (listed || c->section != v->section || i == TD_CAUSE_OK) continue;
            printf("%s%s", ruled++ ? ", " : "Ruled out by the text: ", c->id);
        }
        if (ruled) printf(".\n");
    }
    const char *fix = runtime_fix_for(v);
    if (fix) printf("%sfix:%s     %s.\n", term_on(SGR_BOLD), term_off(), fix);
    for (int i = 0; show_remedies(v) && i < 4 && guide_remedies[v->section][i]; i++)
        printf("%s%s %s.\n", i ? "         " : "The guide's remedies for this section:\n         ",
               "-", guide_remedies[v->section][i]);
    if (v->outside) printf("%snote:%s    %s.\n", term_on(SGR_BOLD), term_off(), v->outside);
    if (sources[v->source].stack)
        printf("%snote:%s    " TD_SAY_BLIND_SPOT, term_on(SGR_BOLD), term_off(), TD_SAY_BLIND_WHO,
               sources[v->source].stack, check);
    if (v->source == SRC_PYOPENSSL || v->pyopenssl)
        printf(
            "%snote:%s    pyOpenSSL from a pip wheel carries its own OpenSSL, which tlsdiag cannot "
            "hook; Debian's python3-openssl uses the system one.\n",
            term_on(SGR_BOLD), term_off());
    printf("\nTo decide, run:\n");
    const char *d = decider(v);
    if (strcmp(d, "run") != 0)
        printf("  tlsdiag check %s%s\n", check,
               v->section == TD_SEC_CERTIFICATE_VERIFY_FAILED && !v->network
                   ? "          (add --ca FILE if the application uses its own CA file)"
                   : "");
    if (strcmp(d, "check") != 0 || (!v->outside && !v->network && !sources[v->source].stack))
        printf("  %s%s\n", run,
               strcmp(d, "check") ? "" : "   (to see it inside the application itself)");
    if (strcmp(d, "run") != 0 && !v->host[0])
        printf("(HOST:PORT: the server the application connects to; the text does not say.)\n");
    else if (strcmp(d, "run") != 0 && v->port_assumed)
        printf("(the text names no port: %s assumed)\n", v->port);
}

static void print_json(const struct verdict *v)
{
    const struct td_section_info *s = &td_sections[v->section];
    char check[320], run[400], cmd[400];
    target(v, check, sizeof(check));
    run_command(v, run, sizeof(run));
    printf("{\"schema\":\"tlsdiag-explain/1\",\"section\":\"%s\",\"title\":", s->id);
    json_string(stdout, s->title);
    printf(",\"guide_url\":");
    json_string(stdout, s->guide_url);
    printf(",\"source\":\"%s\",\"matched\":", sources[v->source].id);
    json_string(stdout, v->matched);
    printf(",\"network_error\":%s", v->network ? "true" : "false");
    if (v->verify_code > 0) printf(",\"verify_code\":%ld", v->verify_code);
    if (v->alert >= 0) printf(",\"alert\":%d", v->alert);
    printf(",\"causes\":[");
    for (int i = 0; i < v->n_causes; i++) {
        const struct td_cause *c = &td_causes[v->causes[i]];
        printf("%s{\"id\":\"%s\",\"section\":\"%s\",\"meaning\":", i ? "," : "", c->id,
               td_sections[c->section].id);
        json_string(stdout, c->meaning);
        printf("}");
    }
    printf("],\"decided\":%s,\"undecided\":", v->n_causes == 1 ? "true" : "false");
    json_string(stdout, v->undecided ? v->undecided : "");
    printf(",\"tls_library\":");
    json_string(stdout, sources[v->source].stack ? sources[v->source].stack : "OpenSSL");
    printf(",\"remedies\":[");
    for (int i = 0; show_remedies(v) && i < 4 && guide_remedies[v->section][i]; i++) {
        if (i) printf(",");
        json_string(stdout, guide_remedies[v->section][i]);
    }
    printf("]");
    printf(",\"runtime_fix\":");
    json_string(stdout, runtime_fix_for(v) ? runtime_fix_for(v) : "");
    printf(",\"outside_openssl\":");
    json_string(stdout, v->outside ? v->outside : "");
    printf(",\"host\":");
    json_string(stdout, v->host);
    printf(",\"port\":%s,\"port_assumed\":%s,\"commands\":[", v->port[0] ? v->port : "null",
           v->port_assumed ? "true" : "false");
    const char *d = decider(v);
    int first = 1;
    if (strcmp(d, "run") != 0) {
        snprintf(cmd, sizeof(cmd), "tlsdiag check %s", check);
        json_string(stdout, cmd);
        first = 0;
    }
    if (strcmp(d, "check") != 0 || (!v->outside && !v->network && !sources[v->source].stack)) {
        if (!first) printf(",");
        json_string(stdout, run);
    }
    printf("]}\n");
}

static void explain_usage(FILE *out)
{
    fputs(
        "usage: tlsdiag explain [--json] 'ERROR TEXT'\n"
        "       tlsdiag explain [--json] -        (read the text from stdin)\n"
        "\n"
        "Read a TLS error message as pasted from a log (Python ssl, PyMongo, pyOpenSSL, requests,\n"
        "pip, curl, openssl s_client, Node and its mongodb driver, Ruby and the mongo gem, PHP\n"
        "streams and its MongoDB driver, the MongoDB C driver) and name the guide section, the\n"
        "causes the text can and cannot tell apart, a hint in that program's terms, and the\n"
        "tlsdiag check or tlsdiag run command that would decide. Host and port are taken from\n"
        "the text when it has them. Messages from Go, GnuTLS (wget, git), NSS, Java, .NET,\n"
        "rustls, Windows Schannel, Erlang/OTP and Secure Transport get their cause too, the fix\n"
        "in that runtime's terms, and the note that tlsdiag cannot see those programs'\n"
        "handshakes (they do not use OpenSSL): tlsdiag check looks at their server instead.\n"
        "\n"
        "  --json       one JSON object instead of text\n"
        "  -h, --help   this text\n",
        out);
}

static char *read_stdin(void)
{
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    size_t n;
    if (buf == NULL) return NULL;
    while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += n;
        if (len + 1 == cap) {
            if (cap >= TEXT_MAX) break;
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) break;
            buf = bigger;
            cap *= 2;
        }
    }
    buf[len] = '\0';
    return buf;
}

int cmd_explain(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { COLOR_LONGOPT },
        { NULL, 0, NULL, 0 },
    };
    int json = 0, c;
    opterr = 0;
    optind = 1;
    /* "-" alone is the stdin marker, not an option: getopt leaves it as an operand. */
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': explain_usage(stdout); return CLI_OK;
        case OPT_COLOR:
            if (!term_color_option("explain", optarg)) return CLI_USAGE;
            break;
        case ':':
            cli_error("explain", "option '%s' needs a value", argv[optind - 1]);
            return CLI_USAGE;
        default:
            cli_error("explain", "unknown option '%s'", argv[optind - 1]);
            explain_usage(stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("explain", "no text given (pass it as one argument, or - to read stdin)");
        explain_usage(stderr);
        return CLI_USAGE;
    }
    char *joined = NULL;
    if (optind == argc - 1 && !strcmp(argv[optind], "-")) {
        joined = read_stdin();
    } else {
        /* Unquoted words are joined back with spaces, as the shell split them. */
        size_t len = 1;
        for (int i = optind; i < argc; i++) len += strlen(argv[i]) + 1;
        joined = calloc(1, len);
        for (int i = optind; joined && i < argc; i++) {
            if (i > optind) strcat(joined, " ");
            strcat(joined, argv[i]);
        }
    }
    if (joined == NULL || joined[strspn(joined, " \t\r\n")] == '\0') {
        cli_error("explain", "the text is empty");
        free(joined);
        return CLI_USAGE;
    }
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
    struct verdict v;
    explain_text(joined, &v);
    if (json) print_json(&v);
    else print_text(&v);
    free(joined);
    return CLI_OK;
}
