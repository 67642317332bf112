/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* intercept: see include/intercept.h. Every entry says where it comes from. The SPKI hashes
 * were checked here: for each certificate we have (test/pki/fixtures/ holds the three from
 * Chromium; webpack-dev-server's and preact-cli's were read from their repositories), `openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst
 * -sha256` gives the value written, and it equals the source's. Name patterns are what the
 * cited material shows a product's CA to be called, or, where the comment says so, what users
 * report it to be called, unverified here; where only part of the name is known, the pattern is
 * that part and ends in '*'. A name can be copied by anyone, so a name
 * match only ever names a proxy (whose fix is its owner's CA), never a public key. */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include "intercept.h"
#include "phrases.h"
#include "util.h"

/* Chromium: net/data/ssl/blocklist/README.md (chromium/chromium) lists these under "Private Key
 * Leakages", and net/cert/cert_verify_proc_blocklist.inc holds their SPKI SHA-256 in
 * kSPKIBlockList, each under a comment naming the certificate's file. */
#define CHROMIUM_BLOCKLIST "chromium/chromium net/cert/cert_verify_proc_blocklist.inc"

const struct td_interceptor td_interceptors[] = {
    /* ---- roots and certificates whose private keys are public (by SPKI SHA-256) ---- */

    /* Superfish (adware preinstalled on Lenovo laptops, 2014-2015): one root on every machine,
     * its key extracted. Chromium's blocklist README, "Superfish"; certificate
     * net/data/ssl/blocklist/b6fe9151402bad1c06d7e66db67a26aa7356f2e6c644dbcf9f98968ff632e1b7.pem
     * (test/pki/fixtures/superfish.pem); SPKI in CHROMIUM_BLOCKLIST. */
    { "Superfish",
      TD_ICPT_KNOWN_KEY,
      "4bb8f35ba1e126f8dde1b0c420625ed86dce61a7bddadbdea9aba578ff13145e",
      { "CN=Superfish\\, Inc.", "O=Superfish\\, Inc.", NULL } },
    /* eDellRoot (Dell Foundation Services, 2015): README "Dell"; certificate
     * net/data/ssl/blocklist/ec30c9c3065a06bb07dc5b1c6b497f370c1ca65c0f30c08e042ba6bcecc78f2c.pem
     * (test/pki/fixtures/edellroot.pem); SPKI in CHROMIUM_BLOCKLIST. */
    { "eDellRoot (Dell Foundation Services)",
      TD_ICPT_KNOWN_KEY,
      "cdee9f3305572a677e1a6c82dc1e02a35b11cae6a684338c9f37fe1ac8daec23",
      { "CN=eDellRoot", NULL, NULL } },
    /* DSDTestProvider (Dell System Detect, 2015): README "Dell"; certificate
     * net/data/ssl/blocklist/0f912fd7be760be25afbc56bdc09cd9e5dcc9c6f6a55a778aefcb6aa30e31554.pem
     * (test/pki/fixtures/dsdtestprovider.pem); SPKI in CHROMIUM_BLOCKLIST. */
    { "DSDTestProvider (Dell System Detect)",
      TD_ICPT_KNOWN_KEY,
      "130ad4e0633521290531b6651f5759b0bc7bc656709ff8f365c2143b0389b6f6",
      { "CN=DSDTestProvider", "O=DSDTestProvider", NULL } },
    /* Cyberoam DPI appliances: one default CA key on every device, leaked (CVE-2012-3372).
     * README "Cyberoam"; the blocklist stores the key itself, its file named by the SPKI hash,
     * net/data/ssl/blocklist/1af56c98ff043ef92bebff54cebb4dd67a25ba956c817f3e6dd3c1e52eb584c1.key;
     * the same value in CHROMIUM_BLOCKLIST. No name: the certificates carry the owner's. */
    { "Cyberoam SSL inspection (shared default key)",
      TD_ICPT_KNOWN_KEY,
      "1af56c98ff043ef92bebff54cebb4dd67a25ba956c817f3e6dd3c1e52eb584c1",
      { NULL, NULL, NULL } },
    /* Sennheiser HeadSetup (2018) installed a root whose key shipped with it. README
     * "Sennheiser": 91e5cc32910686c5cac25c18cc805696c7b33868c280caf0c72844a2a8eb91e2.pem and
     * ddd8ab9178c99cbd9685ea4ae66dc28bfdc9a5a8a166f7f69ad0b5042ad6eb28.pem; the SPKI hashes are
     * CHROMIUM_BLOCKLIST's entries under those two comments (certificates not fetched here). */
    { "Sennheiser HeadSetup",
      TD_ICPT_KNOWN_KEY,
      "0c43ea8bcde9fc3bca165664ac8215567e3489d5393a0c81e1a79141992e1953",
      { NULL, NULL, NULL } },
    { "Sennheiser HeadSetup",
      TD_ICPT_KNOWN_KEY,
      "8f591f7aa4dc3efe9490c38a4692c9011ed128f1de595569406d77b6fa1f6b4c",
      { NULL, NULL, NULL } },
    /* webpack-dev-server shipped a certificate and its key in its repository (webpack/
     * webpack-dev-server ssl/server.pem, CN=Webpack, the 2017 version; and ssl/ca.crt with
     * ssl/ca.key, O=webpack, 2014). SPKI computed here from those certificates. No name
     * pattern: "CN=Webpack" alone could be anyone's. */
    { "webpack-dev-server",
      TD_ICPT_DEV_CERT,
      "3617a8ec380a5cf08b08e94b309f2d19ecffc6c7cbef3ec220220d09d78ee8ff",
      { NULL, NULL, NULL } },
    { "webpack-dev-server",
      TD_ICPT_DEV_CERT,
      "8ccaf212316c595afb9a0af4be01668781796f839ba9a22012fdbb431d8630fd",
      { NULL, NULL, NULL } },
    /* preact-cli shipped a CA certificate and its key for `preact watch --https` (preactjs/
     * preact-cli src/resources/cert.pem and key.pem, O=Acme Co, CA:TRUE, SAN localhost). SPKI
     * computed here from cert.pem. */
    { "preact-cli",
      TD_ICPT_DEV_CERT,
      "680971cb44b0fd56592102a256e85c58e87109ad8044c2b90d8f3c6e9eeab897",
      { NULL, NULL, NULL } },

    /* ---- debugging proxies (by name) ---- */

    /* mitmproxy makes its CA in ~/.mitmproxy on first run (mitmproxy docs, concepts/
     * certificates.md); the certificate it makes is CN=mitmproxy, O=mitmproxy (as in a
     * published mitmproxy-ca.pem, PeterPawn/YourFritz mitmproxy-ca.pem). */
    { "mitmproxy", TD_ICPT_DEBUGGER, NULL, { "CN=mitmproxy", "O=mitmproxy", NULL } },
    /* Fiddler Classic: the root Windows asks to install is "DO_NOT_TRUST_FiddlerRoot"
     * (Lawin0129/LawinServer issue 116); Fiddler Everywhere's is
     * "Fiddler_Root_Certificate_Authority" (telerik/fiddler-everywhere-docs pull request 359). */
    { "Fiddler", TD_ICPT_DEBUGGER, NULL, { "CN=DO_NOT_TRUST_FiddlerRoot", NULL, NULL } },
    { "Fiddler Everywhere",
      TD_ICPT_DEBUGGER,
      NULL,
      { "CN=Fiddler_Root_Certificate_Authority", NULL, NULL } },
    /* Charles: "Charles Proxy Custom Root Certificate (built on HOST, DATE)" as an import error
     * shows it (leedium/occ-react-component issue 49); older versions "Charles Proxy CA (...)". */
    { "Charles Proxy", TD_ICPT_DEBUGGER, NULL, { "CN=Charles Proxy *", NULL, NULL } },
    /* Burp Suite's CA, CN=PortSwigger CA, O=PortSwigger: the name Burp's CA certificate is
     * widely reported with (PortSwigger's documentation calls it "PortSwigger CA"); neither the
     * certificate nor that page was in the search material here. */
    { "Burp Suite", TD_ICPT_DEBUGGER, NULL, { "CN=PortSwigger CA", "O=PortSwigger", NULL } },

    /* ---- corporate TLS inspection (by name) ---- */

    /* Zscaler: "CN = Zscaler Root CA, O = Zscaler Inc." (the certificate in sectigo/CTLogs
     * pull request 57); users report it in e.g. britive/python-cli issue 213. */
    { "Zscaler", TD_ICPT_PROXY, NULL, { "CN=Zscaler Root CA", "O=Zscaler Inc.", NULL } },
    /* The intermediate that issues Zscaler's forged leaves, "Zscaler Intermediate Root CA
     * (zscaler.net) ...", as users report it: unverified here, hence the '*'. */
    { "Zscaler", TD_ICPT_PROXY, NULL, { "CN=Zscaler Intermediate Root CA*", NULL, NULL } },
    /* Cisco Umbrella: a forged leaf issued by "O=Cisco, CN=Cisco Umbrella Secondary SubCA
     * lon-SG" (the chain in jsdelivr/www.jsdelivr.com issue 290, decoded here); "Cisco
     * Umbrella Root CA" in NuGet/setup-nuget issue 53. */
    { "Cisco Umbrella", TD_ICPT_PROXY, NULL, { "CN=Cisco Umbrella *", NULL, NULL } },
    /* FortiGate deep inspection: FortiOS's built-in inspection CAs are called Fortinet_CA_SSL
     * and Fortinet_CA_Untrusted, as FortiOS's documentation names them; the search material
     * here shows only users meeting Fortinet inspection (Ylianst/MeshCentral issue 3989,
     * pivpn/pivpn issue 1711), not the certificate, so these two names are unverified here. */
    { "Fortinet FortiGate", TD_ICPT_PROXY, NULL, { "CN=Fortinet_CA_SSL*", NULL, NULL } },
    { "Fortinet FortiGate", TD_ICPT_PROXY, NULL, { "CN=Fortinet_CA_Untrusted*", NULL, NULL } },
    /* Netskope: its inspection CAs carry O=Netskope, as users report them; no certificate or
     * document of Netskope's was in the search material here, so this is unverified. */
    { "Netskope", TD_ICPT_PROXY, NULL, { "O=Netskope*", NULL, NULL } },
    /* Palo Alto Networks and Blue Coat/Symantec ProxySG inspect with a CA the organisation
     * generates and names itself (netbirdio/netbird issue 5200 shows such an issuer): no name
     * to recognise, so no entry; the public-service check below still catches them. */

    /* ---- antivirus HTTPS scanning (by name) ---- */

    /* Kaspersky: "Kaspersky Anti-Virus Personal Root Certificate", the name users report for
     * the root its HTTPS scanning installs (Kaspersky's interception is what EFForg/
     * https-everywhere issue 11680 and zaproxy/zaproxy issue 3266 are about); the certificate
     * itself was not in the search material here. */
    { "Kaspersky",
      TD_ICPT_ANTIVIRUS,
      NULL,
      { "CN=Kaspersky Anti-Virus Personal Root*", NULL, NULL } },
    /* Avast and AVG: "Avast Web/Mail Shield Root", "AVG Web/Mail Shield Root", the names users
     * report for the roots their HTTPS scanning installs (curl/curl issue 8848 and jstedfast/
     * MailKit issue 912 are such failures; neither shows the name, which is unverified here). */
    { "Avast", TD_ICPT_ANTIVIRUS, NULL, { "CN=Avast Web/Mail Shield Root", NULL, NULL } },
    { "AVG", TD_ICPT_ANTIVIRUS, NULL, { "CN=AVG Web/Mail Shield Root", NULL, NULL } },
    /* ESET: "ESET SSL Filter CA", the name users report for its SSL/TLS filtering root; ESET's
     * help on that root (help.eset.com idh_config_epfw_ssl_cert_set, archived in dropod/issues
     * issue 13322) and a failure it caused (keeweb/keeweb issue 2238) do not print the name. */
    { "ESET", TD_ICPT_ANTIVIRUS, NULL, { "CN=ESET SSL Filter CA*", NULL, NULL } },
    /* Bitdefender: "Bitdefender Personal CA.Net-Defender", the name users report for the root
     * of its "Encrypted web scan"; not in the search material here, so unverified. */
    { "Bitdefender", TD_ICPT_ANTIVIRUS, NULL, { "CN=Bitdefender Personal CA*", NULL, NULL } },
};
const size_t td_n_interceptors = sizeof(td_interceptors) / sizeof(td_interceptors[0]);

/* Public services whose real certificates come from public CAs only: a certificate for one of
 * them from a CA this client does not know is interception, or a stale trust store (the fix
 * says both). Kept short: what tlsdiag's users connect to most (MongoDB Atlas, the package
 * registries their tools fetch from, the clouds' APIs). "*." is any name below the domain. */
static const char *const public_names[] = {
    "*.mongodb.net", /* MongoDB Atlas clusters */
    "*.mongodb.com",
    "mongodb.com",
    "github.com",
    "*.github.com",
    "*.githubusercontent.com",
    "pypi.org",
    "files.pythonhosted.org",
    "registry.npmjs.org",
    "*.amazonaws.com",
    "google.com",
    "*.google.com",
    "*.googleapis.com",
};

/* One RFC 2253 component (up to an unescaped ',' or '+') equal to pat, or, when pat ends in
 * '*', starting with the rest of it. */
static int component_matches(const char *c, size_t len, const char *pat)
{
    size_t n = strlen(pat);
    if (n > 0 && pat[n - 1] == '*') return len >= n - 1 && strncasecmp(c, pat, n - 1) == 0;
    return len == n && strncasecmp(c, pat, n) == 0;
}

static int name_has(const char *dn, const char *pat)
{
    const char *p = dn;
    int first = tolower((unsigned char)pat[0]);
    while (*p != '\0') {
        const char *e = p;
        while (*e != '\0' && *e != ',' && *e != '+') e += (e[0] == '\\' && e[1] != '\0') ? 2 : 1;
        /* Most components differ in their attribute's first letter already. */
        if (tolower((unsigned char)*p) == first && component_matches(p, (size_t)(e - p), pat))
            return 1;
        p = *e != '\0' ? e + 1 : e;
    }
    return 0;
}

static int names_match(const struct td_interceptor *i, const char *dn)
{
    if (dn == NULL || dn[0] == '\0' || i->names[0] == NULL) return 0;
    for (int k = 0; k < TD_ICPT_NAMES && i->names[k] != NULL; k++)
        if (!name_has(dn, i->names[k])) return 0;
    return 1;
}

static int spki_matches(const struct td_interceptor *i, const unsigned char *spki)
{
    static const char hex[] = "0123456789abcdef";
    if (spki == NULL || i->spki_sha256 == NULL) return 0;
    for (int k = 0; k < TD_SPKI_SHA256_LEN; k++)
        if (i->spki_sha256[2 * k] != hex[spki[k] >> 4] ||
            i->spki_sha256[2 * k + 1] != hex[spki[k] & 15])
            return 0;
    return 1;
}

const struct td_interceptor *td_intercept_lookup(const char *subject, const char *issuer,
                                                 const unsigned char *spki, int *by_name_of_issuer)
{
    if (by_name_of_issuer != NULL) *by_name_of_issuer = 0;
    /* A key is proof; a name is a claim: the key decides first. */
    for (size_t k = 0; k < td_n_interceptors; k++)
        if (spki_matches(&td_interceptors[k], spki)) return &td_interceptors[k];
    for (size_t k = 0; k < td_n_interceptors; k++) {
        const struct td_interceptor *i = &td_interceptors[k];
        /* A name alone never claims a public key: only its hash does. */
        if (td_intercept_key_is_public(i)) continue;
        if (names_match(i, subject)) return i;
        if (names_match(i, issuer)) {
            if (by_name_of_issuer != NULL) *by_name_of_issuer = 1;
            return i;
        }
    }
    return NULL;
}

/* Fetched once: EVP_sha256() is fetched again at every digest, which costs more than the hash
 * of a key. */
static EVP_MD *sha256;
static void fetch_sha256(void)
{
    sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const struct td_interceptor *td_intercept_cert(X509 *x, const char *subject, const char *issuer,
                                               int *by_name_of_issuer, char *ca, size_t cap)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    pthread_once(&once, fetch_sha256);
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
    int hashed = len > 0 &&
                 EVP_Digest(der, (size_t)len, md, &mdlen, sha256 ? sha256 : EVP_sha256(), NULL) &&
                 mdlen == TD_SPKI_SHA256_LEN;
    OPENSSL_free(der);
    char subject_buf[256], issuer_buf[256];
    if (subject == NULL) {
        td_name_print(X509_get_subject_name(x), subject_buf, sizeof(subject_buf));
        subject = subject_buf;
    }
    if (issuer == NULL) {
        td_name_print(X509_get_issuer_name(x), issuer_buf, sizeof(issuer_buf));
        issuer = issuer_buf;
    }
    int by_issuer = 0;
    const struct td_interceptor *hit =
        td_intercept_lookup(subject, issuer, hashed ? md : NULL, &by_issuer);
    if (by_name_of_issuer != NULL) *by_name_of_issuer = by_issuer;
    if (hit != NULL && ca != NULL && cap > 0) snprintf(ca, cap, "%s", by_issuer ? issuer : subject);
    return hit;
}

const char *td_intercept_kind_words(const struct td_interceptor *i)
{
    return i->kind == TD_ICPT_ANTIVIRUS  ? TD_SAY_KIND_ANTIVIRUS
           : i->kind == TD_ICPT_DEBUGGER ? TD_SAY_KIND_DEBUGGER
                                         : TD_SAY_KIND_PROXY;
}

const char *td_intercept_public_name(const char *host)
{
    if (host == NULL) return NULL;
    size_t n = strlen(host);
    if (n > 0 && host[n - 1] == '.') n--;
    for (size_t k = 0; k < sizeof(public_names) / sizeof(public_names[0]); k++) {
        const char *p = public_names[k];
        size_t m = strlen(p);
        if (p[0] == '*') { /* ".domain" at the end, with at least one label before it */
            m--;
            if (n > m && host[n - m - 1] != '.' && strncasecmp(host + n - m, p + 1, m) == 0)
                return p;
        } else if (n == m && strncasecmp(host, p, m) == 0) {
            return p;
        }
    }
    return NULL;
}
