/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* catalogue: the one table of guide sections and causes, and every sentence tlsdiag says about
 * them (the wording of evidence lines is in include/phrases.h). Texts use {key} placeholders for
 * values only (names, dates, counts) that classify.c puts in the evidence; keys starting with
 * '_' are values for the texts only, never shown as evidence. Where the wording depends on the
 * case, a cause holds one text per variant (enum td_variant) and classify.c names the variant.
 * Ids are part of the JSON contract: never change one.
 *
 * How to add a cause:
 *   1. include/catalogue.h: a TD_CAUSE_ value, in its section's place (the README table and
 *      tlsdiag(7) list causes in enum order).
 *   2. here: its entry, first line `    { "id", SECTION,` (check-man reads that form), with its
 *      meaning, summary and fix, variants if its words depend on the case, and hint cells for
 *      the runtimes (and PyMongo) that have a remedy of their own.
 *   3. the rule tables below if a verify code, alert or SSL reason names it, so classify.c and
 *      `tlsdiag explain` both know; otherwise the branch in td_classify that decides it.
 *   4. test/unit/test_classify.c: a case (a report built in C) for it and for each variant; the
 *      test fails while a cause has none.
 *   5. a scenario in test/scenarios/ that makes the failure for real, and `make readme-catalogue`. */
#include <string.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include "catalogue.h"

#define GUIDE "https://www.mongodb.com/docs/languages/python/pymongo-driver/current/security/tls/"

const struct td_section_info td_sections[TD_SEC_COUNT] = {
    [TD_SEC_CERTIFICATE_VERIFY_FAILED] = { "CERTIFICATE_VERIFY_FAILED", "CERTIFICATE_VERIFY_FAILED",
                                           GUIDE "#certificate_verify_failed" },
    [TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION] = { "TLSV1_ALERT_PROTOCOL_VERSION",
                                              "TLSV1_ALERT_PROTOCOL_VERSION",
                                              GUIDE "#tlsv1_alert_protocol_version" },
    [TD_SEC_INVALID_STATUS_RESPONSE] = { "INVALID_STATUS_RESPONSE", "Invalid Status Response",
                                         GUIDE "#invalid-status-response" },
    [TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE] = { "SSLV3_ALERT_HANDSHAKE_FAILURE",
                                               "SSLV3_ALERT_HANDSHAKE_FAILURE",
                                               GUIDE "#sslv3_alert_handshake_failure" },
    [TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED] = { "UNSAFE_LEGACY_RENEGOTIATION_DISABLED",
                                                      "Unsafe Legacy Renegotiation Disabled",
                                                      GUIDE
                                                      "#unsafe-legacy-renegotiation-disabled" },
    [TD_SEC_OTHER] = { "OTHER", "TLS handshake failed", GUIDE "#troubleshooting" },
};

#define CVF TD_SEC_CERTIFICATE_VERIFY_FAILED
#define VER TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION
#define OCSP TD_SEC_INVALID_STATUS_RESPONSE
#define HSF TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE
#define RENEG TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED
#define OTHER TD_SEC_OTHER

/* ---- hint cells: each in its runtime's own syntax, never another's ---- */

/* Driver TLS pages; PyMongo's is the guide itself (td_sections). */
#define DOCS "https://www.mongodb.com/docs/"
#define DOCS_NODE DOCS "drivers/node/current/security/tls/"
#define DOCS_RUBY DOCS "ruby-driver/current/security/tls/"
#define DOCS_PHP DOCS "php-library/current/security/tls/"
#define DOCS_MONGOC DOCS "languages/c/c-driver/current/libmongoc/guides/configuring_tls/"

/* Give the client the CA: one text per column. */
#define CA_PYMONGO "PyMongo: MongoClient(..., tls=True, tlsCAFile='/path/to/ca.pem')."
#define CA_PYTHON "Python: ssl.create_default_context(cafile='/path/to/ca.pem')."
#define CA_REQUESTS \
    "requests: requests.get(url, verify='/path/to/ca.pem'), or export " \
    "REQUESTS_CA_BUNDLE=/path/to/ca.pem (urllib3: PoolManager(ca_certs='/path/to/ca.pem'))."
#define CA_PIP \
    "pip: pip install --cert /path/to/ca.pem ..., or export PIP_CERT=/path/to/ca.pem " \
    "(pip config set global.cert /path/to/ca.pem)."
#define CA_CURL "curl --cacert /path/to/ca.pem, or export CURL_CA_BUNDLE=/path/to/ca.pem."
#define CA_OPENSSL "openssl s_client -CAfile /path/to/ca.pem (or -CApath DIR)."
#define CA_NODE \
    "Node: NODE_EXTRA_CA_CERTS=/path/to/ca.pem node app.js, or tls.connect({ ca: " \
    "fs.readFileSync('/path/to/ca.pem') }); the mongodb driver: new MongoClient(uri, { tls: " \
    "true, tlsCAFile: '/path/to/ca.pem' }) (" DOCS_NODE ")."
#define CA_RUBY \
    "Ruby: http.ca_file = '/path/to/ca.pem' (Net::HTTP#ca_file=; " \
    "OpenSSL::SSL::SSLContext#ca_file= for a socket)."
#define CA_RUBY_MONGO \
    "Mongo::Client.new(['host:27017'], ssl: true, ssl_ca_cert: '/path/to/ca.pem') (" DOCS_RUBY ")" \
    "."
#define CA_PHP \
    "PHP: stream_context_create(['ssl' => ['cafile' => '/path/to/ca.pem']]), or openssl.cafile " \
    "in php.ini."
#define CA_PHP_MONGODB \
    "new MongoDB\\Driver\\Manager('mongodb://host/?tls=true&tlsCAFile=/path/to/ca.pem') " \
    "(" DOCS_PHP ")."
#define CA_MONGOC \
    "libmongoc: mongodb://host/?tls=true&tlsCAFile=/path/to/ca.pem, or " \
    "mongoc_uri_set_option_as_utf8(uri, MONGOC_URI_TLSCAFILE, \"/path/to/ca.pem\") (" DOCS_MONGOC \
    ")."
#define CA_NGINX \
    "nginx (proxying): proxy_ssl_trusted_certificate /path/to/ca.pem; proxy_ssl_verify on;"
#define CA_OTHER \
    "OpenSSL's default CA file can be pointed at the CA: SSL_CERT_FILE=/path/to/ca.pem, if the " \
    "program loads the default paths; or use its own CA-file option."

/* The same texts for every column, with a column's extra words where it has them. */
#define CA_CELLS(py, pymongo, req, curl, node, other) \
    [TD_RT_PYTHON] = py CA_PYTHON, [TD_RT_PYPY] = py CA_PYTHON, \
    [TD_HINT_PYMONGO] = py CA_PYMONGO pymongo, [TD_HINT_REQUESTS] = CA_REQUESTS req, \
    [TD_HINT_PIP] = CA_PIP, [TD_RT_CURL] = CA_CURL curl, [TD_RT_OPENSSL_CLI] = CA_OPENSSL, \
    [TD_RT_NODE] = CA_NODE node, [TD_RT_RUBY] = CA_RUBY, [TD_HINT_RUBY_MONGO] = CA_RUBY_MONGO, \
    [TD_RT_PHP] = CA_PHP, [TD_HINT_PHP_MONGODB] = CA_PHP_MONGODB, [TD_HINT_MONGOC] = CA_MONGOC, \
    [TD_RT_NGINX] = CA_NGINX, [TD_RT_OTHER] = CA_OTHER other

/* A non-system Python may read another OpenSSL directory. */
#define PY_STORE \
    "If this Python is not the system's (python.org build, pyenv, PyPy), it may use another " \
    "OpenSSL directory: python3 -c 'import ssl; print(ssl.get_default_verify_paths())' shows it. " \
    "Portable PyPy: pip install certifi; export SSL_CERT_FILE=$(pypy -c 'import certifi; " \
    "print(certifi.where())'). "

/* Client certificates. */
#define CERT_PYMONGO \
    "PyMongo: tlsCertificateKeyFile='/path/to/client.pem' (certificate and key in one file)."
#define CERT_PYTHON "Python: ctx.load_cert_chain('/path/to/client.crt', '/path/to/client.key')."
#define CERT_REQUESTS \
    "requests: requests.get(url, cert=('/path/to/client.crt', '/path/to/client.key'))."
#define CERT_PIP \
    "pip: pip install --client-cert /path/to/client.pem ... (certificate and key in one file)."
#define CERT_CURL "curl --cert /path/to/client.crt --key /path/to/client.key."
#define CERT_OPENSSL "openssl s_client -cert /path/to/client.crt -key /path/to/client.key."
#define CERT_NODE \
    "Node: tls.connect({ cert: fs.readFileSync('client.crt'), key: fs.readFileSync('client.key') " \
    "}); " \
    "the mongodb driver: new MongoClient(uri, { tls: true, tlsCertificateKeyFile: " \
    "'/path/to/client.pem' })."
#define CERT_RUBY \
    "Ruby: http.cert = OpenSSL::X509::Certificate.new(File.read('client.crt')), http.key = " \
    "OpenSSL::PKey.read(File.read('client.key'))."
#define CERT_RUBY_MONGO \
    "Mongo::Client.new(['host:27017'], ssl: true, ssl_cert: '/path/to/client.crt', ssl_key: " \
    "'/path/to/client.key')."
#define CERT_PHP \
    "PHP: stream_context_create(['ssl' => ['local_cert' => '/path/to/client.crt', 'local_pk' => " \
    "'/path/to/client.key']])."
#define CERT_PHP_MONGODB \
    "new " \
    "MongoDB\\Driver\\Manager('mongodb://host/?tls=true&tlsCertificateKeyFile=/path/to/" \
    "client.pem')" \
    " (certificate and key in one file)."
#define CERT_MONGOC \
    "libmongoc: tlsCertificateKeyFile=/path/to/client.pem in the URI " \
    "(MONGOC_URI_TLSCERTIFICATEKEYFILE; certificate and key in one file)."
#define CERT_NGINX "nginx (proxying): proxy_ssl_certificate and proxy_ssl_certificate_key."
#define CERT_CELLS(pymongo) \
    [TD_RT_PYTHON] = CERT_PYTHON, [TD_RT_PYPY] = CERT_PYTHON, [TD_HINT_PYMONGO] = pymongo, \
    [TD_HINT_REQUESTS] = CERT_REQUESTS, [TD_HINT_PIP] = CERT_PIP, [TD_RT_CURL] = CERT_CURL, \
    [TD_RT_OPENSSL_CLI] = CERT_OPENSSL, [TD_RT_NODE] = CERT_NODE, [TD_RT_RUBY] = CERT_RUBY, \
    [TD_HINT_RUBY_MONGO] = CERT_RUBY_MONGO, [TD_RT_PHP] = CERT_PHP, \
    [TD_HINT_PHP_MONGODB] = CERT_PHP_MONGODB, [TD_HINT_MONGOC] = CERT_MONGOC, \
    [TD_RT_NGINX] = CERT_NGINX

/* Python and PyPy take the same advice. */
#define PYTHONS(text) [TD_RT_PYTHON] = text, [TD_RT_PYPY] = text

#define ENV_UNUSABLE \
    "SSL_CERT_FILE/SSL_CERT_DIR are set and point at nothing usable: unset them " \
    "or point them at a CA bundle. "
#define REFRESH "Install or refresh the system's root certificates: "
#define REFRESH_DEBIAN \
    REFRESH "apt-get install --reinstall ca-certificates && update-ca-certificates"
#define REFRESH_FEDORA REFRESH "dnf reinstall ca-certificates && update-ca-trust"
#define REFRESH_OTHER REFRESH "install your distribution's ca-certificates package"

/* Our own maximum is what the server refuses. */
#define CAPPED(why) \
    "This client is capped at {_max} (see limit_source) and the server wants " \
    "something newer" why ": remove that cap (MaxProtocol, or the application's " \
    "maximum version). This OpenSSL ({openssl}) supports TLS 1.2 and 1.3, so the " \
    "guide's 'OpenSSL too old' advice does not apply."

/* How a server sends its whole chain. */
#define SEND_CHAIN \
    "its certificate file must hold its own certificate followed by the intermediate(s) " \
    "(mongod: the full chain in net.tls.certificateKeyFile; nginx: ssl_certificate; openssl " \
    "s_server: -cert_chain)."

#define HSF_FIX(sni) \
    "Compare with what the server allows (its log says 'no shared cipher' if " \
    "that is it)." sni " If the server is old and offers only RSA key exchange, " \
    "allow such suites for this connection only, or better, upgrade the server."

#define OCSP_OPTIONS \
    "PyMongo: tlsDisableOCSPEndpointCheck=True only stops PyMongo asking the " \
    "responder itself, stapled responses are still checked; tlsCRLFile=... " \
    "checks revocation with a CRL instead of OCSP."

const struct td_cause td_causes[TD_CAUSE_COUNT] = {
    /* ---- CERTIFICATE_VERIFY_FAILED ---- */
    [TD_CAUSE_TRUST_STORE_MISSING] =
    { "trust_store_missing", CVF,
      .meaning = "OpenSSL's CA file and directory are missing or empty, so no certificate can be trusted",
      .summary = { [TD_V_BASE] = "This {_side} has no trusted root certificates at all, so it could not verify the {_peer}'s certificate." },
      .fix = { [TD_V_BASE] = REFRESH_OTHER,
               [TD_V_DEBIAN] = REFRESH_DEBIAN,
               [TD_V_FEDORA] = REFRESH_FEDORA,
               [TD_V_ENV] = ENV_UNUSABLE REFRESH_OTHER,
               [TD_V_ENV_DEBIAN] = ENV_UNUSABLE REFRESH_DEBIAN,
               [TD_V_ENV_FEDORA] = ENV_UNUSABLE REFRESH_FEDORA },
      .hint = { CA_CELLS(PY_STORE, "", "", "", "", "") },
    },
    [TD_CAUSE_UNKNOWN_CA] =
    { "unknown_ca", CVF,
      .meaning = "the chain ends at a CA that is not in the trust store",
      .summary = { [TD_V_BASE] = "The {_peer}'s chain ends at '{root}', which is not in this {_side}'s "
                                 "trust store; we rejected the {_peer}.",
                   [TD_V_SOLE_CERT] = "The {_peer}'s certificate '{root}' was issued by '{root_issuer}', "
                                      "which this {_side} does not trust; we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "If '{_untrusted_ca}' is a private or test CA, give its certificate to the "
                             "client explicitly. If it is a TLS-intercepting proxy's CA (a corporate "
                             "firewall), add that CA. If it is a public CA, the trust store is out of "
                             "date: update the CA certificates package.",
               [TD_V_SERVER] = "Add the CA that issued the client's certificate ('{root_issuer}') to the "
                               "CAs this server trusts for clients (nginx: ssl_client_certificate; "
                               "openssl s_server: -CAfile; mongod: net.tls.CAFile or "
                               "net.tls.clusterCAFile), or have the client send its intermediate "
                               "certificates too.",
               [TD_V_SOLE_CERT] = "If '{root_issuer}' is a private or test CA, give its certificate "
                                  "to the client explicitly. If it is an intermediate CA, the server "
                                  "must send it too: " SEND_CHAIN,
               [TD_V_SEND_CHAIN] = "The server must send its intermediate certificate "
                                   "('{root_issuer}') along with its own: " SEND_CHAIN " Browsers "
                                   "hide this by fetching or caching intermediates; OpenSSL clients "
                                   "do not. Only if '{root_issuer}' is a private CA of your own, "
                                   "give its certificate to the client instead." },
      .hint = { CA_CELLS("", "", "", "", "", "") },
    },
    [TD_CAUSE_MISSING_INTERMEDIATE] =
    { "missing_intermediate", CVF,
      .meaning = "the server sent an incomplete chain: an intermediate CA certificate is missing",
      .summary = { [TD_V_BASE] = "The {_peer} sent {chain_sent} certificate(s) and the chain stops at '{root}', whose issuer "
      "'{root_issuer}' was neither sent nor trusted: the {_peer}'s chain is incomplete." },
      .fix = { [TD_V_BASE] = "Fix the {_peer}'s configuration to send its intermediate certificate(s) along with its own "
      "(for MongoDB: put the full chain in the PEM file given to tlsCertificateKeyFile). "
      "Browsers hide this by fetching the issuer from {aia}; OpenSSL clients do not." },
    },
    [TD_CAUSE_SELF_SIGNED] =
    { "self_signed", CVF,
      .meaning = "the peer's certificate is self-signed and not trusted",
      .summary = { [TD_V_BASE] = "The {_peer}'s certificate '{certificate}' is self-signed (its subject is its issuer) and "
      "this {_side} does not trust it; we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "Trust this certificate explicitly by giving it to the client as its CA file, or replace it "
      "with one issued by a CA the client trusts. Options that disable verification are for tests only." },
      .hint = { CA_CELLS("", " tlsAllowInvalidCertificates=True is for tests only.",
                         " verify=False is for tests only.", " -k is for tests only.",
                         " tlsAllowInvalidCertificates: true is for tests only.", "") },
    },
    [TD_CAUSE_SELF_SIGNED_IN_CHAIN] =
    { "self_signed_in_chain", CVF,
      .meaning = "the chain includes a self-signed root that is not trusted",
      .summary = { [TD_V_BASE] = "The {_peer} sent a chain that ends in the self-signed root '{root}', which this {_side} does "
      "not trust; we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "If '{root}' is your private CA or a TLS-intercepting proxy's CA, give it to the client as "
      "its CA file; otherwise the {_peer} is not who it claims to be." },
      .hint = { CA_CELLS("", "", "", "", "", "") },
    },
    [TD_CAUSE_EXPIRED] =
    { "expired", CVF,
      .meaning = "a certificate in the chain has expired (or the clock is wrong)",
      .summary = { [TD_V_BASE] = "The certificate '{certificate}' at depth {depth} expired {_span} ago ({_not_after}); we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "Renew the certificate on the {_peer}. If this machine's clock ({_now}) is "
                             "wrong, fix it (timedatectl, NTP)." },
    },
    [TD_CAUSE_NOT_YET_VALID] =
    { "not_yet_valid", CVF,
      .meaning = "a certificate is not valid yet (or the clock is wrong)",
      .summary = { [TD_V_BASE] = "The certificate '{certificate}' at depth {depth} only becomes valid in {_span} ({_not_before}); "
      "we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "If the clock ({_now}) is right, the certificate was issued with a future "
                             "start date: reissue it, or wait {_span}. If the clock is wrong, fix it (NTP).",
               [TD_V_CLOCK_WRONG] = "{_not_yet_valid_count} certificates are not valid yet: this "
                                    "machine's clock says {_now}, and this one is valid only from "
                                    "{_not_before}. The clock is most likely wrong: fix it "
                                    "(timedatectl set-ntp true, or date -s), not the certificates." },
    },
    [TD_CAUSE_HOSTNAME_MISMATCH] =
    { "hostname_mismatch", CVF,
      .meaning = "the certificate does not cover the name or address that was asked for",
      .summary = { [TD_V_BASE] = "We asked for '{requested}', but the {_peer}'s certificate covers only {names}." },
      .fix = { [TD_V_BASE] = "Connect with a name the certificate covers, or reissue the certificate with '{requested}' "
      "in its subjectAltName." },
      .hint = { PYTHONS("Python: ctx.wrap_socket(sock, server_hostname=NAME) with a name the certificate "
                        "covers; check_hostname = False is for tests only."),
                [TD_HINT_PYMONGO] = "PyMongo: use a host name from the certificate in the connection string (replica set members "
      "must be listed under names in their certificates); tlsAllowInvalidHostnames=True is for tests only.",
                [TD_HINT_REQUESTS] = "requests: use a URL whose host the certificate covers; verify=False is for tests only.",
                [TD_HINT_PIP] = "pip: use an --index-url whose host the certificate covers; --trusted-host is for tests only.",
                [TD_RT_CURL] = "curl --resolve NAME:PORT:ADDR lets you use the certificate's name with another address.",
                [TD_RT_OPENSSL_CLI] = "openssl s_client -servername NAME -verify_hostname NAME, with a name the certificate covers.",
                [TD_RT_NODE] = "Node: tls.connect({ servername: NAME }) with a name the certificate covers (or a "
      "checkServerIdentity that expects it); the mongodb driver: tlsAllowInvalidHostnames: true is for tests only.",
                [TD_RT_RUBY] = "Ruby: connect with a name the certificate covers (Net::HTTP checks it); "
      "verify_hostname = false is for tests only.",
                [TD_HINT_RUBY_MONGO] = "Mongo::Client: list hosts under names in their certificates; "
      "ssl_verify_hostname: false is for tests only.",
                [TD_RT_PHP] = "PHP: stream_context_create(['ssl' => ['peer_name' => NAME]]) with a name the "
      "certificate covers; 'verify_peer_name' => false is for tests only.",
                [TD_HINT_PHP_MONGODB] = "MongoDB\\Driver\\Manager: use host names from the certificates in the URI; "
      "tlsAllowInvalidHostnames=true is for tests only.",
                [TD_HINT_MONGOC] = "libmongoc: use host names from the certificates in the URI; "
      "tlsAllowInvalidHostnames=true (MONGOC_URI_TLSALLOWINVALIDHOSTNAMES) is for tests only.",
                [TD_RT_NGINX] = "nginx (proxying): proxy_ssl_name NAME with a name the certificate covers." },
    },
    [TD_CAUSE_WEAK_KEY_OR_DIGEST] =
    { "weak_key_or_digest", CVF,
      .meaning = "a certificate's key or signature digest is too weak for the security level",
      .summary = { [TD_V_BASE] = "The certificate '{certificate}' at depth {depth} uses {weakness}, which security level "
      "{security_level} forbids; we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "Reissue the certificate with at least a 2048-bit RSA or a 256-bit EC key, signed with SHA-256 "
      "or better. Only if you must, lower the level for that one application "
      "(CipherString = DEFAULT@SECLEVEL=1), knowing what it lets through." },
    },
    [TD_CAUSE_BAD_PURPOSE] =
    { "bad_purpose", CVF,
      .meaning = "the certificate is not issued for this purpose (extended key usage)",
      .summary = { [TD_V_BASE] = "The certificate '{certificate}' is only good for {eku}, not for {_purpose}; we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "Reissue the certificate with extendedKeyUsage = {_purpose}." },
    },
    [TD_CAUSE_REVOKED_CRL] =
    { "revoked_crl", CVF,
      .meaning = "the certificate is revoked in a CRL the application loaded",
      .summary = { [TD_V_BASE] = "The certificate '{certificate}' at depth {depth} is listed as revoked in the CRL this {_side} "
      "checks; we rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "The {_peer} must get a new certificate. If the CRL is wrong or outdated, update the CRL file." },
      .hint = { [TD_HINT_PYMONGO] = "PyMongo: the CRL comes from tlsCRLFile.",
                PYTHONS("Python: the CRL comes from ctx.load_verify_locations() with "
                        "ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF."),
                [TD_RT_CURL] = "curl: the CRL comes from --crlfile." },
    },
    [TD_CAUSE_OTHER_VERIFY] =
    { "other_verify", CVF,
      .meaning = "certificate verification failed for another reason",
      .summary = { [TD_V_BASE] = "Certificate verification failed at depth {depth}: {verify}." },
      .fix = { [TD_V_BASE] = "Look at the certificate at that depth with: openssl x509 -noout -text." },
    },
    /* Interception (provider/intercept.c's table), after Chromium's interstitials: "intercepted
     * by X" is told apart from "the server is misconfigured", and a key everyone has is never
     * to be trusted. */
    [TD_CAUSE_INTERCEPTED_KNOWN_KEY] =
    { "intercepted_known_key", CVF,
      .meaning = "the chain is that of interception software whose root key is public (Superfish, eDellRoot, ...)",
      .summary = { [TD_V_BASE] = "Your traffic is being intercepted by {_product}, whose root key is public: the "
                                 "chain the {_peer} sent is built on '{interceptor_ca}', whose private key anyone "
                                 "can download, so anyone on the network can impersonate any server to a machine "
                                 "that trusts it. We rejected the {_peer}.",
                   [TD_V_DEV_CERT] = "The {_peer} presented a certificate built on '{interceptor_ca}', which "
                                     "{_product} shipped to everyone together with its private key: anyone can "
                                     "impersonate a server with it. We rejected the {_peer}." },
      .fix = { [TD_V_BASE] = "Never trust '{interceptor_ca}' and do not add it to any CA file: that would let "
                             "anyone read and change this machine's traffic. Remove {_product} from this machine "
                             "and its root certificate from the system's and every browser's trust store (or, "
                             "if a network device presents it, have its administrator replace the shared "
                             "certificate with one of their own), then retry. Never disable certificate "
                             "verification to get past this.",
               [TD_V_DEV_CERT] = "Never trust this certificate and do not add it to any CA file. Give the "
                                 "development server a certificate of its own (mkcert, or openssl req -x509 "
                                 "-newkey rsa:2048 ...) and trust only that one; upgrade {_product} if it still "
                                 "uses the shared one." },
    },
    [TD_CAUSE_INTERCEPTED_BY_PROXY] =
    { "intercepted_by_proxy", CVF,
      .meaning = "a TLS-inspecting proxy, antivirus or debugging proxy re-signed the connection with a CA this client does not trust",
      .summary = { [TD_V_BASE] = "This {_side}'s connection is being intercepted by {_product}, a TLS-inspecting proxy: "
                                 "the certificate it received comes from '{interceptor_ca}', not from the server's "
                                 "own CA, and this {_side} does not trust it. The server itself is probably fine.",
                   [TD_V_ANTIVIRUS] = "This {_side}'s connection is being intercepted by {_product}'s HTTPS scanning: "
                                      "the certificate it received comes from '{interceptor_ca}', not from the "
                                      "server's own CA, and this {_side} does not trust it. The server itself is "
                                      "probably fine.",
                   [TD_V_DEBUGGER] = "This {_side}'s connection goes through {_product}, a debugging proxy: the "
                                     "certificate it received comes from '{interceptor_ca}', not from the server's "
                                     "own CA, and this {_side} does not trust it. The server itself is probably fine.",
                   [TD_V_PUBLIC_NAME] = "We asked for '{requested}', a public service whose certificate comes from "
                                        "a public CA, but the one we received was issued by '{_issuing_ca}', which "
                                        "this {_side} does not trust: something between this machine and the "
                                        "server is most likely intercepting TLS (a corporate proxy, an antivirus, "
                                        "a debugging proxy); the server is not at fault." },
      .fix = { [TD_V_BASE] = "Get your organisation's inspection CA certificate (from IT, or exported as PEM from the "
                             "system's certificate store where they installed '{interceptor_ca}') and give it to "
                             "this program as its CA file, or add it to the runtime's CA bundle. Never disable "
                             "certificate verification to get past it: that would accept any interceptor, not "
                             "just this one.",
               [TD_V_ANTIVIRUS] = "Exclude this program (or this host) from {_product}'s HTTPS or SSL scanning, or "
                                  "export its root certificate '{interceptor_ca}' as PEM and give it to this "
                                  "program as its CA file. Never disable certificate verification to get past it.",
               [TD_V_DEBUGGER] = "If you are running {_product} on purpose, give this program the tool's CA "
                                 "certificate (exported from {_product}, e.g. mitmproxy's "
                                 "~/.mitmproxy/mitmproxy-ca-cert.pem) as its CA file for this session only; if you "
                                 "are not, something proxies your traffic: check HTTPS_PROXY and the system's proxy "
                                 "settings, and stop it. Never disable certificate verification.",
               [TD_V_PUBLIC_NAME] = "Find out who issued '{_issuing_ca}' (openssl s_client -connect HOST:443 "
                                    "-servername HOST -showcerts shows the chain) and whether your organisation "
                                    "inspects TLS. If it does, get its CA certificate from IT and give it to this "
                                    "program as its CA file, or add it to the runtime's CA bundle. If nobody can "
                                    "account for it, do not trust it: the connection may be under attack. If it is "
                                    "a public CA after all, this machine's trust store is out of date: update the "
                                    "CA certificates package. Never disable certificate verification.",
               [TD_V_WEAK_ROOT] = "The interception CA '{interceptor_ca}' of {_product} uses {weakness}, which "
                                  "security level {security_level} forbids. Have its administrator reissue it "
                                  "with at least a 2048-bit RSA or a 256-bit EC key, signed with SHA-256; do not "
                                  "lower the security level to accept it, since anyone who breaks that key reads "
                                  "all the traffic it inspects." },
      .hint = { CA_CELLS("", " tlsAllowInvalidCertificates=True would accept any interceptor, not just this one.",
                         " verify=False would accept any interceptor, not just this one.",
                         " -k would accept any interceptor, not just this one.",
                         " NODE_TLS_REJECT_UNAUTHORIZED=0 would accept any interceptor, not just this one.", "") },
    },
    /* ---- TLSV1_ALERT_PROTOCOL_VERSION ---- */
    [TD_CAUSE_PEER_REJECTED_VERSIONS] =
    { "peer_rejected_versions", VER,
      .meaning = "the peer refused every TLS version we offered (alert protocol_version received)",
      .summary = { [TD_V_BASE] = "The {_peer} refused the TLS versions we offered ({offered}) with a protocol_version alert." },
      .fix = { [TD_V_BASE] = "The server accepts none of {_min} to {_max}: it most likely speaks only "
                             "older versions (TLS 1.0/1.1). Upgrade the server or the proxy in front of "
                             "it. This OpenSSL ({openssl}) is recent, so the guide's 'upgrade OpenSSL' "
                             "advice does not apply; to reach such a server anyway, lower the minimum "
                             "for this application only (MinProtocol = TLSv1 with CipherString = "
                             "DEFAULT@SECLEVEL=0 in a config .included from the one in use), which "
                             "weakens its security.",
               [TD_V_CAPPED] = CAPPED(""),
               [TD_V_CAPPED_OLD] = CAPPED(" (most servers now require TLS 1.2 or later)") },
      .hint = { PYTHONS("Python 3.10+ already requires TLS 1.2; an older limit comes from the application "
      "(ssl.SSLContext.maximum_version) or the config above."),
                [TD_RT_CURL] = "curl: drop --tls-max, or raise --tlsv1.x to what the server accepts." },
    },
    [TD_CAUSE_PEER_VERSION_TOO_LOW] =
    { "peer_version_too_low", VER,
      .meaning = "the peer only speaks TLS versions below our minimum",
      .summary = { [TD_V_BASE] = "The server chose {peer_version}, below this client's minimum; we ended the handshake.",
                   [TD_V_LEVEL] = "The server chose {peer_version}; this client's version range allows "
                                  "it, but its security level does not (see allowed), so the "
                                  "handshake could not complete.",
                   [TD_V_SERVER] = "The client offered at most {peer_version}, below this server's "
                                   "minimum; we ended the handshake." },
      .fix = { [TD_V_BASE] = "Upgrade the server (or the proxy in front of it) to TLS 1.2 or later. To "
                             "connect to it anyway, lower the limit for this application only, e.g. "
                             "MinProtocol = {_lowest} and CipherString = DEFAULT@SECLEVEL=0 in a config "
                             ".included from the one in use; this weakens the connection's security.",
               [TD_V_SERVER] = "The client must support TLS 1.2 or later (upgrade its TLS library or "
                               "runtime); or lower this server's minimum (see limit_source), knowing "
                               "that TLS 1.0/1.1 are deprecated (RFC 8996)." },
    },
    [TD_CAUSE_NO_PROTOCOLS_AVAILABLE] =
    { "no_protocols_available", VER,
      .meaning = "the local settings allow no TLS version at all",
      .summary = { [TD_V_BASE] = "This {_side}'s settings leave no TLS version to offer ({allowed}); no hello was sent." },
      .fix = { [TD_V_BASE] = "Make MinProtocol not exceed MaxProtocol and do not disable every version ({limit_source})." },
    },
    /* ---- INVALID_STATUS_RESPONSE ---- */
    [TD_CAUSE_OCSP_REVOKED] =
    { "ocsp_revoked", OCSP,
      .meaning = "the stapled OCSP response says the certificate is revoked",
      .summary = { [TD_V_BASE] = "The {_peer} stapled an OCSP response saying its certificate is revoked ({revoked})." },
      .fix = { [TD_V_BASE] = "The server operator must replace the revoked certificate. Do not work around this. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_STALE] =
    { "ocsp_stale", OCSP,
      .meaning = "the stapled OCSP response is outdated (nextUpdate passed) or from the future",
      .summary = { [TD_V_BASE] = "The {_peer}'s stapled OCSP response is not current: {staple_dates}.",
                   [TD_V_CLOCK_WRONG] = "The {_peer}'s stapled OCSP response is dated {_span} ahead of "
                                        "this machine: this machine's clock says {_now}; the "
                                        "server's OCSP response was signed at {_signed}." },
      .fix = { [TD_V_BASE] = "The server operator must refresh the staple (the server fetches it from its CA's responder; "
      "check that it can reach it), or fix the clock. " OCSP_OPTIONS,
               [TD_V_CLOCK_WRONG] = "A responder signs a response when it makes it, so one from the "
                                    "future most likely means this machine's clock ({_now}) is "
                                    "behind: fix the clock (timedatectl set-ntp true, or date -s), "
                                    "not the server. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_UNSUCCESSFUL] =
    { "ocsp_unsuccessful", OCSP,
      .meaning = "the stapled OCSP response is not successful (tryLater, unauthorized, ...)",
      .summary = { [TD_V_BASE] = "The {_peer} stapled an OCSP response whose status is '{response_status}', not successful." },
      .fix = { [TD_V_BASE] = "The server operator must fix how the staple is fetched from the CA's responder. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_BAD_SIGNATURE] =
    { "ocsp_bad_signature", OCSP,
      .meaning = "the stapled OCSP response's signature or responder does not verify",
      .summary = { [TD_V_BASE] = "The {_peer}'s stapled OCSP response is not signed by the certificate's issuer or an "
      "authorised responder ({signature})." },
      .fix = { [TD_V_BASE] = "The server operator must staple a response from the issuing CA's responder. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_WRONG_CERTIFICATE] =
    { "ocsp_wrong_certificate", OCSP,
      .meaning = "the stapled OCSP response is for another certificate",
      .summary = { [TD_V_BASE] = "The {_peer} stapled an OCSP response that does not cover its certificate '{certificate}'." },
      .fix = { [TD_V_BASE] = "The server operator must refresh the staple after changing certificates. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_MISSING_STAPLE] =
    { "ocsp_missing_staple", OCSP,
      .meaning = "the certificate requires a staple (must-staple) and none was sent",
      .summary = { [TD_V_BASE] = "The {_peer}'s certificate '{certificate}' is must-staple, but no OCSP response was stapled." },
      .fix = { [TD_V_BASE] = "The server operator must enable OCSP stapling. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_MALFORMED] =
    { "ocsp_malformed", OCSP,
      .meaning = "the stapled OCSP response does not parse",
      .summary = { [TD_V_BASE] = "The {_peer} stapled {_staple_bytes} that are not a valid OCSP response." },
      .fix = { [TD_V_BASE] = "The server operator must fix the staple file or stapling setup. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_REJECTED] =
    { "ocsp_rejected", OCSP,
      .meaning = "the application's OCSP check rejected the staple, for none of the reasons above (what was seen is shown)",
      .summary = { [TD_V_BASE] = "The application's OCSP status callback rejected the {_peer}'s status ({staple})." },
      .fix = { [TD_V_BASE] = "Check the application's OCSP policy. " OCSP_OPTIONS },
    },
    [TD_CAUSE_OCSP_CALLBACK_FAILURE] =
    { "ocsp_callback_failure", OCSP,
      .meaning = "the application's OCSP status callback itself failed",
      .summary = { [TD_V_BASE] = "The application's OCSP status callback failed with an error (not a verdict); the client "
      "sent internal_error." },
      .fix = { [TD_V_BASE] = "This is a bug or an environment problem in the application's OCSP code (for PyMongo: the "
      "pymongo[ocsp] dependencies). " OCSP_OPTIONS },
    },
    /* ---- SSLV3_ALERT_HANDSHAKE_FAILURE ---- */
    [TD_CAUSE_NO_SHARED_CIPHER] =
    { "no_shared_cipher", HSF,
      .meaning = "the two sides have no cipher suite in common",
      .summary = { [TD_V_BASE] = "The server refused our ClientHello with a handshake_failure alert: "
                                 "it found nothing it accepts in what we offered, most likely no "
                                 "cipher suite in common.",
                   [TD_V_SERVER] = "The client offered {_suites} cipher suites and this server allows "
                                   "none of them (no shared cipher)." },
      .fix = { [TD_V_BASE] = HSF_FIX(""),
               [TD_V_NO_SNI] = HSF_FIX(" We sent no SNI: if the server hosts several names it may "
                                       "need one (connect by name, not IP)."),
               [TD_V_SERVER] = "Allow a suite the client offers on this server (CipherString / "
                               "Ciphersuites), or upgrade the client. Old clients may lack ECDHE/AES-GCM "
                               "suites.",
               [TD_V_NULL_OFFERED] = "This client offered only NULL cipher suites, which encrypt "
                                     "nothing and which servers rightly refuse: fix this client's "
                                     "cipher list (drop eNULL/NULL, or use DEFAULT), not the server.",
               [TD_V_SERVER_NULL] = "This server allows only NULL cipher suites, which encrypt "
                                    "nothing and which no client offers by default: fix this "
                                    "server's cipher list (CipherString, nginx ssl_ciphers, "
                                    "s_server -cipher; e.g. DEFAULT), not the client." },
      .hint = { PYTHONS("Python 3.10+ offers only forward-secret suites (ECDHE/DHE) at security level 2; "
      "for an old server without them, ctx.set_ciphers(...) for that connection only, or upgrade the server."),
                [TD_HINT_PYMONGO] = "Python 3.10+ offers only forward-secret suites (ECDHE/DHE) at security level 2; "
      "MongoDB before 4.2 (before 3.6.14/4.0.3 on Linux) has none of them. Upgrade the server to "
      "4.2 or later, or use Python 3.9, or install pymongo[ocsp] (pyOpenSSL keeps its own ciphers)." },
    },
    [TD_CAUSE_NO_COMMON_GROUP] =
    { "no_common_group", HSF,
      .meaning = "the two sides have no key-exchange group in common",
      .summary = { [TD_V_BASE] = "The {_peer} and this {_side} share no key-exchange group (we offered {groups})." },
      .fix = { [TD_V_BASE] = "Allow a group the peer supports (Groups = ... in the config, or the application's setting)." },
    },
    /* ---- UNSAFE_LEGACY_RENEGOTIATION_DISABLED ---- */
    [TD_CAUSE_LEGACY_RENEGOTIATION] =
    { "legacy_renegotiation", RENEG,
      .meaning = "the server does not support secure renegotiation (RFC 5746) and OpenSSL 3 refuses it",
      .summary = { [TD_V_BASE] = "The server's ServerHello carries no renegotiation_info extension: it (or a proxy in front of "
      "it) predates RFC 5746, and OpenSSL 3 refuses such servers by default." },
      .fix = { [TD_V_BASE] = "Best: upgrade the server or proxy. Last resort, with OpenSSL >= 3.0.4: add "
      "'Options = UnsafeLegacyServerConnect' to the [system_default_sect] of the config in use "
      "({_config}), or .include a file that does; do not point OPENSSL_CONF at a new minimal file. "
      "This re-opens the renegotiation attack (CVE-2009-3555) on these connections." },
      .hint = { PYTHONS("Python 3.12+: ctx.options |= ssl.OP_LEGACY_SERVER_CONNECT for this connection only.") },
    },
    /* ---- OTHER ---- */
    [TD_CAUSE_NOT_TLS] =
    { "not_tls", OTHER,
      .meaning = "the peer does not speak TLS",
      .summary = { [TD_V_BASE] = "The {_peer} answered with bytes that are not TLS ({first_bytes})." },
      .fix = { [TD_V_BASE] = "Check the port, and whether the server has TLS enabled (a MongoDB server "
                             "without net.tls.mode, a proxy, or another service may be answering).",
               [TD_V_GOT_HTTP] = "A client spoke plain HTTP to this TLS port: it should use https:// "
                                 "or TLS.",
               [TD_V_HTTP] = "This port serves plain HTTP, not TLS: use the TLS port, or http://." },
      .hint = { [TD_HINT_PYMONGO] = "PyMongo: tls=True against a server without TLS fails like this; check the port and whether "
      "the server has TLS enabled." },
    },
    [TD_CAUSE_PEER_CLOSED] =
    { "peer_closed", OTHER,
      .meaning = "the peer closed the connection in the middle of the handshake, without an alert",
      .summary = { [TD_V_BASE] = "The {_peer} closed the connection during the handshake ({state}) without saying why." },
      .fix = { [TD_V_BASE] = "Common reasons: the server has no cipher or version in common and closes silently (old "
      "MongoDB), an IP allow-list or firewall (MongoDB Atlas: add this client's address to the IP "
      "access list), a proxy, or a server that requires a client certificate. Check the server's log." },
    },
    [TD_CAUSE_PEER_INTERNAL_ERROR] =
    { "peer_internal_error", OTHER,
      .meaning = "the peer sent alert internal_error",
      .summary = { [TD_V_BASE] = "The {_peer} aborted with an internal_error alert." },
      .fix = { [TD_V_BASE] = "Hosted services send this for clients they refuse: on MongoDB Atlas it almost always means "
      "this client's address is not on the project's IP access list. Otherwise check the server's log." },
    },
    [TD_CAUSE_DH_KEY_TOO_SMALL] =
    { "dh_key_too_small", OTHER,
      .meaning = "the server's Diffie-Hellman key is too small for the security level",
      .summary = { [TD_V_BASE] = "The server chose a DHE cipher with a DH key smaller than security level {security_level} allows.",
                   [TD_V_DH_INVALID] = "The server chose a DHE cipher with DH parameters that OpenSSL's "
                                       "check refused ({_dh_problem}): not a valid group (a bad "
                                       "modulus or generator, or a public value outside it); we "
                                       "refused it." },
      .fix = { [TD_V_BASE] = "The server should use a 2048-bit or larger DH group or prefer ECDHE; as a client-side "
      "workaround exclude DHE suites (add ':!DH' to the cipher string).",
               [TD_V_DH_INVALID] = "The server's DH parameters are broken, not merely small: it should "
                                   "use a standard group (RFC 7919 ffdhe2048 or larger, or parameters "
                                   "from openssl dhparam 2048) or prefer ECDHE. As a client-side "
                                   "workaround exclude DHE suites (add ':!DH' to the cipher string)." },
    },
    [TD_CAUSE_CLIENT_CERT_REJECTED] =
    { "client_cert_rejected", OTHER,
      .meaning = "the server rejected our client certificate",
      .summary = { [TD_V_BASE] = "The server rejected this client's certificate ('{our_certificate}') with a '{_alert_name}' alert." },
      .fix = { [TD_V_BASE] = "Check that the server trusts the CA that issued our certificate, that it is not expired "
      "({our_validity}), and that it is the right one." },
      .hint = { CERT_CELLS("PyMongo: tlsCertificateKeyFile must hold the certificate and its key in one PEM file.") },
    },
    [TD_CAUSE_CLIENT_CERT_MISSING] =
    { "client_cert_missing", OTHER,
      .meaning = "the server requires a client certificate and none was sent",
      .summary = { [TD_V_BASE] = "The server requires a client certificate and this client sent none.",
                   [TD_V_SERVER] = "The client sent no certificate, and {_program} requires one; we "
                                   "refused the client." },
      .fix = { [TD_V_BASE] = "Configure the client's certificate and key.",
               [TD_V_SERVER] = "The client must send a certificate from a CA this server trusts for "
                               "clients (its own TLS settings: certificate and key). If not every "
                               "client needs one here, make it optional (nginx: ssl_verify_client "
                               "optional; openssl s_server: -verify instead of -Verify)." },
      .hint = { CERT_CELLS(CERT_PYMONGO) },
    },
    [TD_CAUSE_PEER_REJECTED_OUR_CERTIFICATE] =
    { "peer_rejected_our_certificate", OTHER,
      .meaning = "the client rejected this server's certificate",
      .summary = { [TD_V_BASE] = "The client rejected this server's certificate with a '{_alert_name}' alert." },
      .fix = { [TD_V_BASE] = "Check the chain this server sends (intermediates included), its names, and its dates; "
      "the client's own log says which check failed." },
    },
    [TD_CAUSE_SNI_REJECTED] =
    { "sni_rejected", OTHER,
      .meaning = "the server does not serve the name the client asked for (SNI), or needed one and got none",
      .summary = { [TD_V_BASE] = "The server refused the name we asked for (SNI '{sni}') with an "
                                 "unrecognized_name alert: it does not serve that name.",
                   [TD_V_NO_SNI] = "The server refused the name we asked for (no SNI) with an "
                                   "unrecognized_name alert: it does not serve that name.",
                   [TD_V_SERVER] = "The client asked for '{sni}', which this server does not serve; we "
                                   "refused it with an unrecognized_name alert.",
                   [TD_V_SERVER_NO_SNI] = "The client asked for no name (no SNI), which this server "
                                          "does not serve; we refused it with an unrecognized_name "
                                          "alert." },
      .fix = { [TD_V_BASE] = "Connect with a name the server is configured for (the SNI comes from the host in the "
      "connection string; an IP address sends none), or add this name to the server's configuration." },
    },
    [TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE] =
    { "certificate_list_too_large", OTHER,
      .meaning = "a certificate list is larger than the receiving side takes (100 KiB by default in OpenSSL)",
      .summary = { [TD_V_BASE] = "The {_peer}'s certificate list is larger than the {_limit} bytes this {_side} "
                                 "takes (excessive message size), so OpenSSL refused it unread.",
                   [TD_V_SERVER] = "The client refused this server's certificate list ({_our_bytes} bytes; our "
                                   "certificate has {_our_sans} names) with a '{_alert_name}' alert: it is "
                                   "larger than the client takes.",
                   [TD_V_HUNG_UP] = "The client closed the connection while this server sent its "
                                    "certificate list ({_our_bytes} bytes; our certificate has "
                                    "{_our_sans} names), which is larger than an OpenSSL client takes "
                                    "by default: most likely it refused the list unread." },
      .fix = { [TD_V_BASE] = "Best, on the {_peer}: send a smaller certificate (fewer subjectAltName "
                             "entries, or the names split over several certificates chosen by SNI) "
                             "and only the intermediates the chain needs. Where the application "
                             "can set it, raise this {_side}'s limit: SSL_CTX_set_max_cert_list(ctx, "
                             "BYTES) in C.",
               [TD_V_SERVER] = "Serve a smaller certificate: split its {_our_sans} names over several "
                               "certificates (chosen by SNI), and send only the intermediates the "
                               "chain needs. OpenSSL clients take at most 102400 bytes unless the "
                               "application raises it, and most cannot (Python, curl)." },
      .hint = { PYTHONS("Python's ssl module has no setting for this limit (OpenSSL's "
                        "SSL_CTX_set_max_cert_list): only a smaller certificate on the server helps."),
                [TD_HINT_PYMONGO] = "PyMongo (and Python's ssl module under it) has no setting for this "
      "limit: only a smaller certificate on the server helps.",
                [TD_RT_CURL] = "curl has no option for this limit: only a smaller certificate on the server helps.",
                [TD_RT_OPENSSL_CLI] = "openssl s_client has no option for this limit: only a smaller "
      "certificate on the server helps.",
                [TD_RT_NODE] = "Node's tls module has no option for this limit: only a smaller certificate "
      "on the server helps." },
    },
    [TD_CAUSE_PEER_ALERT] =
    { "peer_alert", OTHER,
      .meaning = "the peer ended the handshake with an alert",
      .summary = { [TD_V_BASE] = "The {_peer} ended the handshake with the alert '{_alert_name}'." },
      .fix = { [TD_V_BASE] = "The alert names what the peer disliked; check the peer's log for details." },
    },
    [TD_CAUSE_UNKNOWN] =
    { "unknown", OTHER,
      .meaning = "a failure tlsdiag has no explanation for yet",
      .summary = { [TD_V_BASE] = "The handshake failed: {error}." },
      .fix = { [TD_V_BASE] = "Run the client with tlsdiag in trace mode (TLSDIAG=trace) and report the output." },
    },
    [TD_CAUSE_OK] =
    { "ok", OTHER,
      .meaning = "the handshake succeeded",
      .summary = { [TD_V_BASE] = "The handshake succeeded." },
      .fix = { [TD_V_BASE] = "" },
    },
};

const char td_also_fix[] =
    "OpenSSL stopped at this one; fix it first, then the {_also_count} other problem(s) of the "
    "same chain listed as also_N: each would fail the next handshake.";

const char *td_cause_summary(const struct td_cause *c, int variant)
{
    if (variant > TD_V_BASE && variant < TD_V_COUNT && c->summary[variant] != NULL)
        return c->summary[variant];
    return c->summary[TD_V_BASE];
}

const char *td_cause_fix(const struct td_cause *c, int variant)
{
    if (variant > TD_V_BASE && variant < TD_V_COUNT && c->fix[variant] != NULL)
        return c->fix[variant];
    return c->fix[TD_V_BASE];
}

enum td_runtime td_hint_base(int column)
{
    switch (column) {
    case TD_HINT_PYMONGO:
    case TD_HINT_REQUESTS:
    case TD_HINT_PIP: return TD_RT_PYTHON;
    case TD_HINT_PHP_MONGODB: return TD_RT_PHP;
    case TD_HINT_RUBY_MONGO: return TD_RT_RUBY;
    case TD_HINT_MONGOC: return TD_RT_OTHER;
    default:
        return column > TD_RT_OTHER && column < TD_RT_COUNT ? (enum td_runtime)column : TD_RT_OTHER;
    }
}

const char *td_cause_hint_column(const struct td_cause *c, int column)
{
    if (column < 0 || column >= TD_HINT_COUNT) column = TD_RT_OTHER;
    return c->hint[column] != NULL ? c->hint[column] : c->hint[td_hint_base(column)];
}

const char *const td_hint_doc_url[TD_HINT_COUNT] = {
    [TD_HINT_MONGOC] = DOCS_MONGOC,
    [TD_HINT_PHP_MONGODB] = DOCS_PHP,
    [TD_HINT_RUBY_MONGO] = DOCS_RUBY,
};

/* ---- rules ------------------------------------------------------------------------------ */

struct rule {
    long code;
    enum td_cause_id cause[TD_RULE_CAUSES];
    int n;
};

#define RULE(code, ...) \
    { \
        code, { __VA_ARGS__ }, \
            (int)(sizeof((enum td_cause_id[]){ __VA_ARGS__ }) / sizeof(enum td_cause_id)) \
    }

/* No issuer found: whether the store is empty, the CA unknown, or the chain short shows only in
 * the chain and the store. A leaf whose issuer was not found at all is most often a chain that
 * stops short. */
static const struct rule verify_rules[] = {
    RULE(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, TD_CAUSE_TRUST_STORE_MISSING, TD_CAUSE_UNKNOWN_CA,
         TD_CAUSE_MISSING_INTERMEDIATE),
    RULE(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, TD_CAUSE_TRUST_STORE_MISSING,
         TD_CAUSE_UNKNOWN_CA, TD_CAUSE_MISSING_INTERMEDIATE),
    RULE(X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, TD_CAUSE_MISSING_INTERMEDIATE,
         TD_CAUSE_UNKNOWN_CA, TD_CAUSE_TRUST_STORE_MISSING),
    RULE(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, TD_CAUSE_SELF_SIGNED),
    RULE(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, TD_CAUSE_SELF_SIGNED_IN_CHAIN),
    RULE(X509_V_ERR_CERT_NOT_YET_VALID, TD_CAUSE_NOT_YET_VALID),
    RULE(X509_V_ERR_CERT_HAS_EXPIRED, TD_CAUSE_EXPIRED),
    RULE(X509_V_ERR_HOSTNAME_MISMATCH, TD_CAUSE_HOSTNAME_MISMATCH),
    RULE(X509_V_ERR_EMAIL_MISMATCH, TD_CAUSE_HOSTNAME_MISMATCH),
    RULE(X509_V_ERR_IP_ADDRESS_MISMATCH, TD_CAUSE_HOSTNAME_MISMATCH),
    RULE(X509_V_ERR_EE_KEY_TOO_SMALL, TD_CAUSE_WEAK_KEY_OR_DIGEST),
    RULE(X509_V_ERR_CA_KEY_TOO_SMALL, TD_CAUSE_WEAK_KEY_OR_DIGEST),
    RULE(X509_V_ERR_CA_MD_TOO_WEAK, TD_CAUSE_WEAK_KEY_OR_DIGEST),
    RULE(X509_V_ERR_INVALID_PURPOSE, TD_CAUSE_BAD_PURPOSE),
    RULE(X509_V_ERR_CERT_REVOKED, TD_CAUSE_REVOKED_CRL),
};

/* A certificate alert is the peer refusing a certificate: ours, as a client (the server
 * refused our client certificate), or, as a server, the client refusing this server's. */
#define CERT_REFUSED TD_CAUSE_CLIENT_CERT_REJECTED, TD_CAUSE_PEER_REJECTED_OUR_CERTIFICATE
static const struct rule alert_rules[] = {
    RULE(SSL3_AD_BAD_CERTIFICATE, CERT_REFUSED),
    RULE(SSL3_AD_UNSUPPORTED_CERTIFICATE, CERT_REFUSED),
    RULE(SSL3_AD_CERTIFICATE_REVOKED, CERT_REFUSED),
    RULE(SSL3_AD_CERTIFICATE_EXPIRED, CERT_REFUSED),
    RULE(SSL3_AD_CERTIFICATE_UNKNOWN, CERT_REFUSED),
    RULE(TLS1_AD_UNKNOWN_CA, CERT_REFUSED),
    RULE(TLS1_AD_ACCESS_DENIED, CERT_REFUSED),
    RULE(TLS13_AD_CERTIFICATE_REQUIRED, CERT_REFUSED),
    RULE(SSL_AD_INTERNAL_ERROR, TD_CAUSE_PEER_INTERNAL_ERROR),
};

/* Reasons OpenSSL raises for exactly one of our causes, whatever else the report says. */
static const struct rule reason_rules[] = {
    RULE(SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED, TD_CAUSE_LEGACY_RENEGOTIATION),
    RULE(SSL_R_OCSP_CALLBACK_FAILURE, TD_CAUSE_OCSP_CALLBACK_FAILURE),
    RULE(SSL_R_UNSUPPORTED_PROTOCOL, TD_CAUSE_PEER_VERSION_TOO_LOW),
    RULE(SSL_R_VERSION_TOO_LOW, TD_CAUSE_PEER_VERSION_TOO_LOW),
    RULE(SSL_R_WRONG_SSL_VERSION, TD_CAUSE_PEER_VERSION_TOO_LOW),
    RULE(SSL_R_NO_PROTOCOLS_AVAILABLE, TD_CAUSE_NO_PROTOCOLS_AVAILABLE),
    RULE(SSL_R_NO_SHARED_CIPHER, TD_CAUSE_NO_SHARED_CIPHER),
    RULE(SSL_R_NO_CIPHERS_AVAILABLE, TD_CAUSE_NO_SHARED_CIPHER),
    RULE(SSL_R_NO_SHARED_GROUPS, TD_CAUSE_NO_COMMON_GROUP),
    RULE(SSL_R_NO_SUITABLE_KEY_SHARE, TD_CAUSE_NO_COMMON_GROUP),
    RULE(SSL_R_WRONG_VERSION_NUMBER, TD_CAUSE_NOT_TLS),
    RULE(SSL_R_HTTP_REQUEST, TD_CAUSE_NOT_TLS),
    RULE(SSL_R_HTTPS_PROXY_REQUEST, TD_CAUSE_NOT_TLS),
    RULE(SSL_R_PACKET_LENGTH_TOO_LONG, TD_CAUSE_NOT_TLS),
    RULE(SSL_R_DH_KEY_TOO_SMALL, TD_CAUSE_DH_KEY_TOO_SMALL),
    RULE(SSL_R_BAD_DH_VALUE, TD_CAUSE_DH_KEY_TOO_SMALL), /* its TD_V_DH_INVALID wording */
    RULE(SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE, TD_CAUSE_CLIENT_CERT_MISSING),
    /* OpenSSL's only handshake message with a limit this low is a certificate list (the
     * Certificate and CertificateRequest messages, max_cert_list). */
    RULE(SSL_R_EXCESSIVE_MESSAGE_SIZE, TD_CAUSE_CERTIFICATE_LIST_TOO_LARGE),
};

static int rule_causes(const struct rule *rules, size_t n, long code, enum td_cause_id *out)
{
    for (size_t i = 0; i < n; i++) {
        if (rules[i].code != code) continue;
        memcpy(out, rules[i].cause, sizeof(rules[i].cause));
        return rules[i].n;
    }
    return 0;
}

int td_verify_causes(long code, enum td_cause_id out[TD_RULE_CAUSES])
{
    int n = rule_causes(verify_rules, sizeof(verify_rules) / sizeof(verify_rules[0]), code, out);
    if (n == 0) out[n++] = TD_CAUSE_OTHER_VERIFY;
    return n;
}

enum td_cause_id td_reason_cause(int reason)
{
    enum td_cause_id c[TD_RULE_CAUSES];
    return rule_causes(reason_rules, sizeof(reason_rules) / sizeof(reason_rules[0]), reason, c)
               ? c[0]
               : TD_CAUSE_COUNT;
}

int td_alert_causes(int desc, enum td_cause_id out[TD_RULE_CAUSES])
{
    return rule_causes(alert_rules, sizeof(alert_rules) / sizeof(alert_rules[0]), desc, out);
}
