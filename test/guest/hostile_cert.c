/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* hostile_cert: write a self-signed certificate whose names try to forge tlsdiag's output
 * (terminal escapes, line breaks that start a fake "tlsdiag:" headline, a bidi override, C1
 * controls, invalid UTF-8), and its key. The bytes go into the certificate exactly as given:
 * the openssl CLI would refuse or re-encode most of them.
 *
 * usage: hostile_cert KEY_OUT CERT_OUT san|nosan
 *   san    names in the subject and in subjectAltName (DNS entries are IA5Strings of raw bytes)
 *   nosan  no subjectAltName, and a CN that is not valid UTF-8, so hostname checks fall back to it.
 *          It is a T61String: OpenSSL will not encode a UTF8String that is not UTF-8, but takes
 *          any bytes as T61, and tlsdiag reads the CN's bytes whatever their string type.
 * The payloads are repeated in t_hostile.py, which predicts how each must be rendered. */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static const char cn_san[] =
    "evil\x1b[2J\x1b]0;pwned\x07\r\ntlsdiag: FAKE-CN headline \xe2\x80\xaegpj.exe";
static const char org_san[] = "Org\ttab\x7f del \xc2\x9b"
                              "31m c1 \xe2\x81\xa6isolate";
static const char cn_nosan[] = "bad\xff\xfeutf8\ntlsdiag: FAKE-CN2 \x1b[1m";
static const char *const dns_names[] = {
    "a.example\ntlsdiag: FAKE-SAN",
    "b\x1b[31m.example\r",
    "c\xff\xfe.example",
    "d\xe2\x80\xae.example",
};

static int add_name(X509_NAME *name, int nid, int type, const char *bytes)
{
    /* A type without MBSTRING_FLAG stores the bytes as they are, unchecked. */
    return X509_NAME_add_entry_by_NID(name, nid, type, (const unsigned char *)bytes,
                                      (int)strlen(bytes), -1, 0);
}

static int add_sans(X509 *cert)
{
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    int ok = names != NULL;
    for (size_t i = 0; ok && i < sizeof(dns_names) / sizeof(dns_names[0]); i++) {
        GENERAL_NAME *g = GENERAL_NAME_new();
        ASN1_IA5STRING *s = ASN1_IA5STRING_new();
        ok = g != NULL && s != NULL && ASN1_STRING_set(s, dns_names[i], (int)strlen(dns_names[i]));
        if (ok) {
            GENERAL_NAME_set0_value(g, GEN_DNS, s);
            ok = sk_GENERAL_NAME_push(names, g) > 0;
        } else {
            ASN1_IA5STRING_free(s);
        }
        if (!ok) GENERAL_NAME_free(g);
    }
    ok = ok && X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
    GENERAL_NAMES_free(names);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "san") && strcmp(argv[3], "nosan"))) {
        fprintf(stderr, "usage: hostile_cert KEY_OUT CERT_OUT san|nosan\n");
        return 2;
    }
    int with_san = !strcmp(argv[3], "san");
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok =
        key != NULL && cert != NULL && name != NULL && X509_set_version(cert, 2) &&
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 7) &&
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
        X509_gmtime_adj(X509_getm_notAfter(cert), 86400) &&
        add_name(name, NID_organizationName, V_ASN1_UTF8STRING, with_san ? org_san : "Plain Org") &&
        (with_san ? add_name(name, NID_commonName, V_ASN1_UTF8STRING, cn_san)
                  : add_name(name, NID_commonName, V_ASN1_T61STRING, cn_nosan)) &&
        X509_set_subject_name(cert, name) && X509_set_issuer_name(cert, name) &&
        X509_set_pubkey(cert, key) && (!with_san || add_sans(cert)) &&
        X509_sign(cert, key, EVP_sha256()) > 0;
    FILE *kf = ok ? fopen(argv[1], "w") : NULL, *cf = ok ? fopen(argv[2], "w") : NULL;
    ok = ok && kf != NULL && cf != NULL &&
         PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL) && PEM_write_X509(cf, cert);
    if (kf != NULL) fclose(kf);
    if (cf != NULL) fclose(cf);
    X509_NAME_free(name);
    X509_free(cert);
    EVP_PKEY_free(key);
    if (!ok) fprintf(stderr, "hostile_cert: could not make the certificate\n");
    return ok ? 0 : 1;
}
