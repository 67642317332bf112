/* catalogue: the one table of guide sections and causes. Texts may use {key} placeholders
 * that classify.c fills with evidence; keys starting with '_' are filled for the texts only.
 * Keep ids stable: they are part of the JSON contract. */
#include <string.h>
#include "catalogue.h"

#define GUIDE "https://www.mongodb.com/docs/languages/python/pymongo-driver/current/security/tls/"

const struct td_section_info td_sections[TD_SEC_COUNT] = {
    [TD_SEC_CERTIFICATE_VERIFY_FAILED] = {
        "CERTIFICATE_VERIFY_FAILED", "CERTIFICATE_VERIFY_FAILED", GUIDE "#certificate_verify_failed" },
    [TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION] = {
        "TLSV1_ALERT_PROTOCOL_VERSION", "TLSV1_ALERT_PROTOCOL_VERSION",
        GUIDE "#tlsv1_alert_protocol_version" },
    [TD_SEC_INVALID_STATUS_RESPONSE] = {
        "INVALID_STATUS_RESPONSE", "Invalid Status Response", GUIDE "#invalid-status-response" },
    [TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE] = {
        "SSLV3_ALERT_HANDSHAKE_FAILURE", "SSLV3_ALERT_HANDSHAKE_FAILURE",
        GUIDE "#sslv3_alert_handshake_failure" },
    [TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED] = {
        "UNSAFE_LEGACY_RENEGOTIATION_DISABLED", "Unsafe Legacy Renegotiation Disabled",
        GUIDE "#unsafe-legacy-renegotiation-disabled" },
    [TD_SEC_OTHER] = { "OTHER", "TLS handshake failed", GUIDE "#troubleshooting" },
};

#define CVF TD_SEC_CERTIFICATE_VERIFY_FAILED
#define VER TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION
#define OCSP TD_SEC_INVALID_STATUS_RESPONSE
#define HSF TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE
#define RENEG TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED
#define OTHER TD_SEC_OTHER

#define PY_CAFILE "PyMongo: MongoClient(..., tls=True, tlsCAFile='/path/to/ca.pem'); plain Python: " \
                  "ssl.create_default_context(cafile='/path/to/ca.pem')."
#define OCSP_OPTIONS "PyMongo: tlsDisableOCSPEndpointCheck=True only stops PyMongo asking the " \
                     "responder itself, stapled responses are still checked; tlsCRLFile=... " \
                     "checks revocation with a CRL instead of OCSP."

const struct td_cause td_causes[] = {
    /* ---- CERTIFICATE_VERIFY_FAILED ---- */
    { "trust_store_missing", CVF,
      "OpenSSL's CA file and directory are missing or empty, so no certificate can be trusted",
      "This {_side} has no trusted root certificates at all, so it could not verify {_peer_cert}.",
      "{_store_fix}",
      "If this Python is not the system's (python.org build, pyenv, PyPy), it may use another "
      "OpenSSL directory: python3 -c 'import ssl; print(ssl.get_default_verify_paths())' shows it. "
      "Portable PyPy: pip install certifi; export SSL_CERT_FILE=$(pypy -c 'import certifi; "
      "print(certifi.where())'). " PY_CAFILE,
      "curl --cacert /path/to/ca.pem, or CURL_CA_BUNDLE." },
    { "unknown_ca", CVF,
      "the chain ends at a CA that is not in the trust store",
      "{_unknown_ca_summary}",
      "{_unknown_ca_fix}",
      PY_CAFILE, "curl --cacert /path/to/ca.pem." },
    { "missing_intermediate", CVF,
      "the server sent an incomplete chain: an intermediate CA certificate is missing",
      "The {_peer} sent {chain_sent} certificate(s) and the chain stops at '{root}', whose issuer "
      "'{root_issuer}' was neither sent nor trusted: the {_peer}'s chain is incomplete.",
      "Fix the {_peer}'s configuration to send its intermediate certificate(s) along with its own "
      "(for MongoDB: put the full chain in the PEM file given to tlsCertificateKeyFile). "
      "Browsers hide this by fetching the issuer from {aia}; OpenSSL clients do not.",
      NULL, NULL },
    { "self_signed", CVF,
      "the peer's certificate is self-signed and not trusted",
      "The {_peer}'s certificate '{certificate}' is self-signed (its subject is its issuer) and "
      "this {_side} does not trust it; we rejected the {_peer}.",
      "Trust this certificate explicitly by giving it to the client as its CA file, or replace it "
      "with one issued by a CA the client trusts. Options that disable verification are for tests only.",
      PY_CAFILE " tlsAllowInvalidCertificates=True is for tests only.",
      "curl --cacert <the server's certificate>; -k is for tests only." },
    { "self_signed_in_chain", CVF,
      "the chain includes a self-signed root that is not trusted",
      "The {_peer} sent a chain that ends in the self-signed root '{root}', which this {_side} does "
      "not trust; we rejected the {_peer}.",
      "If '{root}' is your private CA or a TLS-intercepting proxy's CA, give it to the client as "
      "its CA file; otherwise the {_peer} is not who it claims to be.",
      PY_CAFILE, "curl --cacert /path/to/ca.pem." },
    { "expired", CVF,
      "a certificate in the chain has expired (or the clock is wrong)",
      "The certificate '{certificate}' at depth {depth} expired {_ago}; we rejected the {_peer}.",
      "Renew the certificate on the {_peer}. {_clock_fix}",
      NULL, NULL },
    { "not_yet_valid", CVF,
      "a certificate is not valid yet (or the clock is wrong)",
      "The certificate '{certificate}' at depth {depth} only becomes valid {_ahead}; we rejected "
      "the {_peer}.",
      "{_clock_fix}",
      NULL, NULL },
    { "hostname_mismatch", CVF,
      "the certificate does not cover the name or address that was asked for",
      "We asked for '{requested}', but the {_peer}'s certificate covers only {names}.",
      "Connect with a name the certificate covers, or reissue the certificate with '{requested}' "
      "in its subjectAltName.",
      "PyMongo: use a host name from the certificate in the connection string (replica set members "
      "must be listed under names in their certificates); tlsAllowInvalidHostnames=True is for tests only.",
      "curl --resolve NAME:PORT:ADDR lets you use the certificate's name with another address." },
    { "weak_key_or_digest", CVF,
      "a certificate's key or signature digest is too weak for the security level",
      "The certificate '{certificate}' at depth {depth} uses {weakness}, which security level "
      "{security_level} forbids; we rejected the {_peer}.",
      "Reissue the certificate with at least a 2048-bit RSA or a 256-bit EC key, signed with SHA-256 "
      "or better. Only if you must, lower the level for that one application "
      "(CipherString = DEFAULT@SECLEVEL=1), knowing what it lets through.",
      NULL, NULL },
    { "bad_purpose", CVF,
      "the certificate is not issued for this purpose (extended key usage)",
      "The certificate '{certificate}' is only good for {eku}, not for {_purpose}; we rejected the {_peer}.",
      "Reissue the certificate with extendedKeyUsage = {_purpose}.",
      NULL, NULL },
    { "revoked_crl", CVF,
      "the certificate is revoked in a CRL the application loaded",
      "The certificate '{certificate}' at depth {depth} is listed as revoked in the CRL this {_side} "
      "checks; we rejected the {_peer}.",
      "The {_peer} must get a new certificate. If the CRL is wrong or outdated, update the CRL file.",
      "PyMongo: the CRL comes from tlsCRLFile.", NULL },
    { "other_verify", CVF,
      "certificate verification failed for another reason",
      "Certificate verification failed at depth {depth}: {verify}.",
      "Look at the certificate at that depth with: openssl x509 -noout -text.",
      NULL, NULL },
    /* ---- TLSV1_ALERT_PROTOCOL_VERSION ---- */
    { "peer_rejected_versions", VER,
      "the peer refused every TLS version we offered (alert protocol_version received)",
      "The {_peer} refused the TLS versions we offered ({offered}) with a protocol_version alert.",
      "{_version_fix}",
      "Python 3.10+ already requires TLS 1.2; an older limit comes from the application "
      "(ssl.SSLContext.maximum_version) or the config above.",
      "curl: drop --tls-max, or raise --tlsv1.x to what the server accepts." },
    { "peer_version_too_low", VER,
      "the peer only speaks TLS versions below our minimum",
      "The {_peer} {_peer_version_verb} {peer_version}, below this {_side}'s minimum; "
      "we ended the handshake.",
      "{_version_fix}",
      NULL, NULL },
    { "no_protocols_available", VER,
      "the local settings allow no TLS version at all",
      "This {_side}'s settings leave no TLS version to offer ({allowed}); no hello was sent.",
      "Make MinProtocol not exceed MaxProtocol and do not disable every version ({limit_source}).",
      NULL, NULL },
    /* ---- INVALID_STATUS_RESPONSE ---- */
    { "ocsp_revoked", OCSP,
      "the stapled OCSP response says the certificate is revoked",
      "The {_peer} stapled an OCSP response saying its certificate is revoked ({revoked}).",
      "The server operator must replace the revoked certificate. Do not work around this. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_stale", OCSP,
      "the stapled OCSP response is outdated (nextUpdate passed) or from the future",
      "The {_peer}'s stapled OCSP response is not current: {staple_dates}.",
      "The server operator must refresh the staple (the server fetches it from its CA's responder; "
      "check that it can reach it), or fix the clock. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_unsuccessful", OCSP,
      "the stapled OCSP response is not successful (tryLater, unauthorized, ...)",
      "The {_peer} stapled an OCSP response whose status is '{response_status}', not successful.",
      "The server operator must fix how the staple is fetched from the CA's responder. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_bad_signature", OCSP,
      "the stapled OCSP response's signature or responder does not verify",
      "The {_peer}'s stapled OCSP response is not signed by the certificate's issuer or an "
      "authorised responder ({signature}).",
      "The server operator must staple a response from the issuing CA's responder. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_wrong_certificate", OCSP,
      "the stapled OCSP response is for another certificate",
      "The {_peer} stapled an OCSP response that does not cover its certificate '{certificate}'.",
      "The server operator must refresh the staple after changing certificates. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_missing_staple", OCSP,
      "the certificate requires a staple (must-staple) and none was sent",
      "The {_peer}'s certificate '{certificate}' is must-staple, but no OCSP response was stapled.",
      "The server operator must enable OCSP stapling. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_malformed", OCSP,
      "the stapled OCSP response does not parse",
      "The {_peer} stapled {_staple_bytes} that are not a valid OCSP response.",
      "The server operator must fix the staple file or stapling setup. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_rejected", OCSP,
      "the application's OCSP check rejected the staple, for none of the reasons above (what was seen is shown)",
      "The application's OCSP status callback rejected the {_peer}'s status ({staple}).",
      "Check the application's OCSP policy. " OCSP_OPTIONS,
      NULL, NULL },
    { "ocsp_callback_failure", OCSP,
      "the application's OCSP status callback itself failed",
      "The application's OCSP status callback failed with an error (not a verdict); the client "
      "sent internal_error.",
      "This is a bug or an environment problem in the application's OCSP code (for PyMongo: the "
      "pymongo[ocsp] dependencies). " OCSP_OPTIONS,
      NULL, NULL },
    /* ---- SSLV3_ALERT_HANDSHAKE_FAILURE ---- */
    { "no_shared_cipher", HSF,
      "the two sides have no cipher suite in common",
      "{_hsf_summary}",
      "{_hsf_fix}",
      "Python 3.10+ offers only forward-secret suites (ECDHE/DHE) at security level 2; "
      "MongoDB before 4.2 (before 3.6.14/4.0.3 on Linux) has none of them. Upgrade the server to "
      "4.2 or later, or use Python 3.9, or install pymongo[ocsp] (pyOpenSSL keeps its own ciphers).",
      NULL },
    { "no_common_group", HSF,
      "the two sides have no key-exchange group in common",
      "The {_peer} and this {_side} share no key-exchange group (we offered {groups}).",
      "Allow a group the peer supports (Groups = ... in the config, or the application's setting).",
      NULL, NULL },
    /* ---- UNSAFE_LEGACY_RENEGOTIATION_DISABLED ---- */
    { "legacy_renegotiation", RENEG,
      "the server does not support secure renegotiation (RFC 5746) and OpenSSL 3 refuses it",
      "The server's ServerHello carries no renegotiation_info extension: it (or a proxy in front of "
      "it) predates RFC 5746, and OpenSSL 3 refuses such servers by default.",
      "Best: upgrade the server or proxy. Last resort, with OpenSSL >= 3.0.4: add "
      "'Options = UnsafeLegacyServerConnect' to the [system_default_sect] of the config in use "
      "({_config}), or .include a file that does; do not point OPENSSL_CONF at a new minimal file. "
      "This re-opens the renegotiation attack (CVE-2009-3555) on these connections.",
      "Python 3.12+: ctx.options |= ssl.OP_LEGACY_SERVER_CONNECT for this connection only.", NULL },
    /* ---- OTHER ---- */
    { "not_tls", OTHER,
      "the peer does not speak TLS",
      "The {_peer} answered with bytes that are not TLS ({first_bytes}).",
      "{_not_tls_fix}",
      "PyMongo: tls=True against a server without TLS fails like this; check the port and whether "
      "the server has TLS enabled.", NULL },
    { "peer_closed", OTHER,
      "the peer closed the connection in the middle of the handshake, without an alert",
      "The {_peer} closed the connection during the handshake ({state}) without saying why.",
      "Common reasons: the server has no cipher or version in common and closes silently (old "
      "MongoDB), an IP allow-list or firewall (MongoDB Atlas: add this client's address to the IP "
      "access list), a proxy, or a server that requires a client certificate. Check the server's log.",
      NULL, NULL },
    { "peer_internal_error", OTHER,
      "the peer sent alert internal_error",
      "The {_peer} aborted with an internal_error alert.",
      "Hosted services send this for clients they refuse: on MongoDB Atlas it almost always means "
      "this client's address is not on the project's IP access list. Otherwise check the server's log.",
      NULL, NULL },
    { "dh_key_too_small", OTHER,
      "the server's Diffie-Hellman key is too small for the security level",
      "The server chose a DHE cipher with a DH key smaller than security level {security_level} allows.",
      "The server should use a 2048-bit or larger DH group or prefer ECDHE; as a client-side "
      "workaround exclude DHE suites (add ':!DH' to the cipher string).",
      NULL, NULL },
    { "client_cert_rejected", OTHER,
      "the server rejected our client certificate",
      "The server rejected this client's certificate ('{our_certificate}') with a '{_alert_name}' alert.",
      "Check that the server trusts the CA that issued our certificate, that it is not expired "
      "({our_validity}), and that it is the right one.",
      "PyMongo: tlsCertificateKeyFile must hold the certificate and its key in one PEM file.",
      "curl: --cert/--key." },
    { "client_cert_missing", OTHER,
      "the server requires a client certificate and none was sent",
      "The server requires a client certificate and this client sent none.",
      "Configure the client's certificate and key.",
      "PyMongo: tlsCertificateKeyFile='/path/to/client.pem' (certificate and key in one file).",
      "curl --cert client.pem --key client.key." },
    { "peer_rejected_our_certificate", OTHER,
      "the client rejected this server's certificate",
      "The client rejected this server's certificate with a '{_alert_name}' alert.",
      "Check the chain this server sends (intermediates included), its names, and its dates; "
      "the client's own log says which check failed.",
      NULL, NULL },
    { "sni_rejected", OTHER,
      "the server does not serve the name the client asked for (SNI), or needed one and got none",
      "{_sni_summary}",
      "Connect with a name the server is configured for (the SNI comes from the host in the "
      "connection string; an IP address sends none), or add this name to the server's configuration.",
      NULL, NULL },
    { "peer_alert", OTHER,
      "the peer ended the handshake with an alert",
      "The {_peer} ended the handshake with the alert '{_alert_name}'.",
      "The alert names what the peer disliked; check the peer's log for details.",
      NULL, NULL },
    { "unknown", OTHER,
      "a failure tlsdiag has no explanation for yet",
      "The handshake failed: {error}.",
      "Run the client with tlsdiag in trace mode (TLSDIAG=trace) and report the output.",
      NULL, NULL },
    { "ok", OTHER, "the handshake succeeded", "The handshake succeeded.", "", NULL, NULL },
};

const int td_cause_count = (int)(sizeof(td_causes) / sizeof(td_causes[0]));

const struct td_cause *td_cause_find(const char *id)
{
    for (int i = 0; i < td_cause_count; i++)
        if (!strcmp(td_causes[i].id, id)) return &td_causes[i];
    return NULL;
}
