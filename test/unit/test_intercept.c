/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* test_intercept: provider/intercept.c's table and lookups. The public-key entries are proved
 * against the real certificates (test/pki/fixtures, from Chromium's blocklist): their SPKI
 * SHA-256 is recomputed here, so a wrong hash in the table fails. Names match whole components
 * only, a name never stands in for a public key, and a public CA's names match nothing. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check.h"
#include "intercept.h"

static const struct td_interceptor *lookup(const char *subject, const char *issuer,
                                           const unsigned char *spki, int *by_issuer)
{
    int dummy;
    return td_intercept_lookup(subject, issuer, spki, by_issuer ? by_issuer : &dummy);
}

static int named(const struct td_interceptor *i, const char *product)
{
    return i != NULL && !strcmp(i->product, product);
}

/* The fixture's SPKI hash, as observe.c computes it; 0 when the file cannot be read. */
static int fixture_spki(const char *dir, const char *file, unsigned char out[32], char *subject,
                        size_t cap)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    if (x == NULL) return 0;
    unsigned char *der = NULL;
    unsigned int n = 0;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
    int ok = len > 0 && EVP_Digest(der, (size_t)len, out, &n, EVP_sha256(), NULL) && n == 32;
    X509_NAME_oneline(X509_get_subject_name(x), subject, (int)cap);
    OPENSSL_free(der);
    X509_free(x);
    return ok;
}

static void check_fixtures(const char *dir)
{
    static const struct {
        const char *file, *product;
    } fixtures[] = {
        { "superfish.pem", "Superfish" },
        { "edellroot.pem", "eDellRoot (Dell Foundation Services)" },
        { "dsdtestprovider.pem", "DSDTestProvider (Dell System Detect)" },
    };
    for (size_t k = 0; k < sizeof(fixtures) / sizeof(fixtures[0]); k++) {
        unsigned char spki[32];
        char subject[256] = "";
        int ok = fixture_spki(dir, fixtures[k].file, spki, subject, sizeof(subject));
        CHECK(ok, "%s/%s: no certificate", dir, fixtures[k].file);
        if (!ok) continue;
        const struct td_interceptor *i = lookup(NULL, NULL, spki, NULL);
        CHECK(named(i, fixtures[k].product), "%s (%s): SPKI names %s, expected %s",
              fixtures[k].file, subject, i ? i->product : "nothing", fixtures[k].product);
        CHECK(i != NULL && td_intercept_key_is_public(i), "%s: not a public key", fixtures[k].file);
        /* One bit off is another key. */
        spki[31] ^= 1;
        CHECK(lookup(NULL, NULL, spki, NULL) == NULL, "%s: a key one bit off matched",
              fixtures[k].file);
    }
}

static void check_table(void)
{
    CHECK(td_n_interceptors > 10, "only %zu entries", td_n_interceptors);
    for (size_t k = 0; k < td_n_interceptors; k++) {
        const struct td_interceptor *i = &td_interceptors[k];
        CHECK(i->product != NULL && i->product[0] != '\0', "entry %zu has no product", k);
        if (td_intercept_key_is_public(i)) {
            const char *h = i->spki_sha256;
            int hex = h != NULL && strlen(h) == 64;
            for (int c = 0; hex && c < 64; c++)
                hex = isxdigit((unsigned char)h[c]) && !isupper((unsigned char)h[c]);
            CHECK(hex, "%s: SPKI '%s' is not 64 lowercase hex digits", i->product, h ? h : "");
            for (size_t j = 0; j < k; j++)
                CHECK(td_interceptors[j].spki_sha256 == NULL ||
                          strcmp(td_interceptors[j].spki_sha256, h ? h : "") != 0,
                      "%s: SPKI listed twice", i->product);
        } else {
            /* A name entry needs a name, and a name that names nothing else here. */
            CHECK(i->names[0] != NULL, "%s: no name", i->product);
        }
    }
}

static void check_names(void)
{
    int by_issuer = -1;
    const struct td_interceptor *i;

    i = lookup("CN=www.example.com", "CN=mitmproxy,O=mitmproxy", NULL, &by_issuer);
    CHECK(named(i, "mitmproxy") && by_issuer == 1, "a leaf issued by mitmproxy's CA: %s, %d",
          i ? i->product : "nothing", by_issuer);
    i = lookup("CN=mitmproxy,O=mitmproxy", "CN=mitmproxy,O=mitmproxy", NULL, &by_issuer);
    CHECK(named(i, "mitmproxy") && by_issuer == 0, "mitmproxy's CA itself: by issuer %d",
          by_issuer);
    /* Both names needed, each a whole component. */
    CHECK(lookup(NULL, "CN=mitmproxy", NULL, NULL) == NULL, "CN=mitmproxy alone matched");
    CHECK(lookup(NULL, "CN=mitmproxy2,O=mitmproxy", NULL, NULL) == NULL, "CN=mitmproxy2 matched");
    CHECK(lookup(NULL, "CN=not mitmproxy,O=mitmproxy", NULL, NULL) == NULL,
          "a CN ending in mitmproxy matched");
    CHECK(lookup(NULL, "CN=x\\,CN=mitmproxy,O=mitmproxy", NULL, NULL) == NULL,
          "an escaped comma split a component");
    /* Case does not matter; a trailing '*' takes any rest. */
    CHECK(named(lookup(NULL, "cn=zscaler root ca,o=zscaler inc.,c=US", NULL, NULL), "Zscaler"),
          "Zscaler in lower case");
    CHECK(named(lookup(NULL,
                       "CN=Charles Proxy CA (1 Jan 2020\\, laptop),OU=https://charlesproxy.com/"
                       "ssl,O=XK72 Ltd",
                       NULL, NULL),
                "Charles Proxy"),
          "Charles' dated CA");
    CHECK(named(lookup(NULL, "CN=Cisco Umbrella Secondary SubCA lon-SG,O=Cisco", NULL, NULL),
                "Cisco Umbrella"),
          "Cisco Umbrella's sub-CA");
    CHECK(named(lookup(NULL,
                       "CN=DO_NOT_TRUST_FiddlerRoot,OU=Created by http://www.fiddler2.com,"
                       "O=DO_NOT_TRUST",
                       NULL, NULL),
                "Fiddler"),
          "Fiddler's root");
    CHECK(
        named(lookup("CN=ESET SSL Filter CA,O=ESET spol. s r. o.,C=SK", NULL, NULL, NULL), "ESET"),
        "ESET's filter CA");
    CHECK(named(lookup(NULL, "CN=PortSwigger CA,OU=PortSwigger CA,O=PortSwigger,C=PortSwigger",
                       NULL, NULL),
                "Burp Suite"),
          "Burp's CA");
    /* A name never claims a public key: Superfish's names without its key name nothing. */
    CHECK(lookup(NULL, "CN=Superfish\\, Inc.,C=US,ST=CA,L=SF,O=Superfish\\, Inc.", NULL, NULL) ==
              NULL,
          "Superfish's name without its key matched");
    CHECK(lookup("CN=eDellRoot", "CN=eDellRoot", NULL, NULL) == NULL,
          "eDellRoot's name without its key matched");
    /* Public CAs and ordinary names match nothing. */
    static const char *const innocent[] = {
        "CN=R3,O=Let's Encrypt,C=US",
        "CN=ISRG Root X1,O=Internet Security Research Group,C=US",
        "CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US",
        "CN=Amazon RSA 2048 M02,O=Amazon,C=US",
        "CN=GTS CA 1C3,O=Google Trust Services LLC,C=US",
        "CN=localhost,O=tlsdiag tests",
        "",
    };
    for (size_t k = 0; k < sizeof(innocent) / sizeof(innocent[0]); k++) {
        i = lookup(innocent[k], innocent[k], NULL, NULL);
        CHECK(i == NULL, "'%s' named %s", innocent[k], i ? i->product : "");
    }
    CHECK(lookup(NULL, NULL, NULL, NULL) == NULL, "nothing named something");
}

static void check_public_names(void)
{
    static const struct {
        const char *host, *entry;
    } cases[] = {
        { "cluster0.abcde.mongodb.net", "*.mongodb.net" },
        { "CLUSTER0-SHARD-00-00.ABCDE.MONGODB.NET", "*.mongodb.net" },
        { "github.com", "github.com" },
        { "github.com.", "github.com" },
        { "api.github.com", "*.github.com" },
        { "files.pythonhosted.org", "files.pythonhosted.org" },
        { "pypi.org", "pypi.org" },
        { "s3.us-east-1.amazonaws.com", "*.amazonaws.com" },
        { "mongodb.net", NULL },           /* the bare domain is not a cluster */
        { "evilmongodb.net", NULL },       /* a suffix, not a domain below */
        { ".mongodb.net", NULL },          /* no label */
        { "pypi.org.evil.example", NULL }, /* the list's name as a prefix */
        { "localhost", NULL },
        { "db.example", NULL },
        { "", NULL },
    };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const char *got = td_intercept_public_name(cases[k].host);
        CHECK(cases[k].entry ? got != NULL && !strcmp(got, cases[k].entry) : got == NULL,
              "'%s': %s, expected %s", cases[k].host, got ? got : "none",
              cases[k].entry ? cases[k].entry : "none");
    }
    CHECK(td_intercept_public_name(NULL) == NULL, "NULL is no public name");
}

int main(int argc, char **argv)
{
    check_fixtures(argc > 1 ? argv[1] : "test/pki/fixtures");
    check_table();
    check_names();
    check_public_names();
    return check_summary("test_intercept");
}
