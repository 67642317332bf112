/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* test_ocsp: td_ocsp_check and td_cert_must_staple on the responses test/pki/ocsp-fixtures.sh
 * makes with the openssl CLI: one verdict per kind of bad staple, the order in which verdicts
 * win when a response has several faults, the fields filled alongside, an untouched error
 * queue, damaged input, and concurrent use of one trust store.
 *
 * Usage: test_ocsp FIXTURES_DIR */
#define _GNU_SOURCE /* strptime, timegm */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "check.h"
#include "invariants.h"

#define DAY 86400L

static const char *fixtures;
static time_t now;

struct blob {
    unsigned char *bytes;
    size_t len;
};

static FILE *open_fixture(const char *name)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", fixtures, name);
    if ((f = fopen(path, "rb")) == NULL) {
        perror(path);
        exit(2);
    }
    return f;
}

static X509 *load_cert(const char *name)
{
    FILE *f = open_fixture(name);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);

    fclose(f);
    if (x == NULL) {
        fprintf(stderr, "cannot read %s\n", name);
        exit(2);
    }
    return x;
}

/* Exactly len bytes on the heap, so that ASan sees a read past the end. */
static struct blob load_der(const char *name)
{
    FILE *f = open_fixture(name);
    struct blob b;
    long n;

    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
        (b.bytes = malloc((size_t)n)) == NULL || fread(b.bytes, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", name);
        exit(2);
    }
    fclose(f);
    b.len = (size_t)n;
    return b;
}

static X509 *root, *ca, *leaf, *other, *revoked, *muststaple, *rogue;
static STACK_OF(X509) *chain;    /* what a server sends after its leaf: the issuing CA */
static STACK_OF(X509) *no_chain; /* an empty one */
static X509_STORE *trust_root, *trust_rogue;

static STACK_OF(X509) *stack_of(X509 *a, X509 *b)
{
    STACK_OF(X509) *sk = sk_X509_new_null();

    if (sk == NULL || (a != NULL && !sk_X509_push(sk, a)) || (b != NULL && !sk_X509_push(sk, b)))
        abort();
    return sk;
}

static X509_STORE *store_of(X509 *anchor)
{
    X509_STORE *st = X509_STORE_new();

    if (st == NULL || !X509_STORE_add_cert(st, anchor)) abort();
    return st;
}

static const char *verdict_name(enum td_ocsp_verdict v)
{
    static const char *const names[] = { "NONE",           "GOOD",       "REVOKED",
                                         "UNKNOWN_STATUS", "STALE",      "UNSUCCESSFUL",
                                         "BAD_SIGNATURE",  "WRONG_CERT", "MALFORMED",
                                         "NO_ISSUER" };

    return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "(out of range)";
}

#define SENTINEL_REASON 4242

/* Run the check twice: once with an error of the caller's already queued, which must still be
 * the only one afterwards, and once on an empty queue, which must stay empty. Both runs must
 * agree. */
static struct td_ocsp_info check_queue_kept(const char *what, const unsigned char *der, size_t len,
                                            X509 *cert, STACK_OF(X509) *sk, X509_STORE *trust,
                                            time_t at)
{
    struct td_ocsp_info with_error, on_empty;
    unsigned long first, last;

    ERR_clear_error();
    ERR_raise(ERR_LIB_USER, SENTINEL_REASON);
    td_ocsp_check(der, len, cert, sk, trust, at, &with_error);
    first = ERR_peek_error();
    last = ERR_peek_last_error();
    CHECK(ERR_GET_REASON(first) == SENTINEL_REASON && first == last,
          "%s: the caller's error queue changed", what);
    ERR_clear_error();
    td_ocsp_check(der, len, cert, sk, trust, at, &on_empty);
    CHECK(ERR_peek_error() == 0, "%s: errors left on an empty queue", what);
    CHECK(memcmp(&with_error, &on_empty, sizeof(on_empty)) == 0,
          "%s: the result depends on the error queue", what);
    CHECK(ocsp_info_sane(&on_empty), "%s: inconsistent fields", what);
    return on_empty;
}

static struct td_ocsp_info check_file(const char *der_name, X509 *cert, STACK_OF(X509) *sk,
                                      X509_STORE *trust, time_t at)
{
    struct blob b = load_der(der_name);
    struct td_ocsp_info info = check_queue_kept(der_name, b.bytes, b.len, cert, sk, trust, at);

    free(b.bytes);
    return info;
}

#define EXPECT_VERDICT(what, info, want) \
    CHECK((info).verdict == (want), "%s: verdict %s, want %s (signature: %s)", what, \
          verdict_name((info).verdict), verdict_name(want), (info).signature_error)

/* An RFC 3339 UTC time that means what the seconds field says it means. */
static int rfc3339_matches(const char *text, long seconds_from_now)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    if (strlen(text) != 20 || (end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
        *end != '\0')
        return 0;
    return timegm(&tm) - now == seconds_from_now;
}

static void test_good(void)
{
    STACK_OF(X509) *with_leaf = stack_of(leaf, ca);
    struct td_ocsp_info i = check_file("good.der", leaf, chain, trust_root, now);

    EXPECT_VERDICT("good", i, TD_OCSP_GOOD);
    CHECK(i.response_status == 0 && strcmp(i.response_status_str, "successful") == 0,
          "good: response status %d \"%s\"", i.response_status, i.response_status_str);
    CHECK(strcmp(i.cert_status, "good") == 0 && i.revocation_time[0] == '\0' &&
              i.revocation_reason[0] == '\0',
          "good: cert status \"%s\"", i.cert_status);
    CHECK(i.signature_ok == 1 && i.signature_error[0] == '\0' && !i.responder_delegated,
          "good: signature %d \"%s\", delegated %d", i.signature_ok, i.signature_error,
          i.responder_delegated);
    /* made within the last day (the fixtures are cached that long), valid for 7 days */
    CHECK(i.this_update_in <= 0 && i.this_update_in > -DAY - 600, "good: thisUpdate %lds away",
          i.this_update_in);
    /* openssl ocsp reads the clock once per field: they may straddle a second */
    CHECK(labs(i.next_update_in - i.this_update_in - 7 * DAY) <= 1, "good: valid %lds",
          i.next_update_in - i.this_update_in);
    CHECK(rfc3339_matches(i.this_update, i.this_update_in) &&
              rfc3339_matches(i.next_update, i.next_update_in),
          "good: dates \"%s\" / \"%s\" disagree with their offsets", i.this_update, i.next_update);

    i = check_file("good.der", leaf, no_chain, trust_root, now);
    EXPECT_VERDICT("good, issuer not sent but not in the store either", i, TD_OCSP_NO_ISSUER);
    i = check_file("good.der", leaf, chain, NULL, now);
    EXPECT_VERDICT("good, no trust store: the chain's issuer anchors", i, TD_OCSP_GOOD);
    CHECK(i.signature_ok == 1, "good, no trust store: signature not checked");
    i = check_file("good-nocerts.der", leaf, chain, trust_root, now);
    EXPECT_VERDICT("good without the signer's certificate", i, TD_OCSP_GOOD);
    i = check_file("good.der", leaf, with_leaf, trust_root, now);
    EXPECT_VERDICT("good, chain that starts with the leaf", i, TD_OCSP_GOOD);
    sk_X509_free(with_leaf);
    i = check_file("muststaple.der", muststaple, chain, trust_root, now);
    EXPECT_VERDICT("muststaple", i, TD_OCSP_GOOD);
    i = check_file("othercert.der", other, chain, trust_root, now);
    EXPECT_VERDICT("othercert about its own certificate", i, TD_OCSP_GOOD);
}

static void test_issuer_lookup(void)
{
    X509_STORE *trust_ca = store_of(root);
    struct td_ocsp_info i;

    if (!X509_STORE_add_cert(trust_ca, ca)) abort();

    /* nothing names the issuer: the status is still read, by serial and issuer name hash */
    i = check_file("good.der", leaf, no_chain, NULL, now);
    EXPECT_VERDICT("no issuer anywhere", i, TD_OCSP_NO_ISSUER);
    CHECK(strcmp(i.cert_status, "good") == 0 && i.this_update[0] != '\0' &&
              i.next_update[0] != '\0',
          "no issuer: status \"%s\" and dates not filled", i.cert_status);
    CHECK(i.signature_ok == -1, "no issuer, no store: signature_ok %d", i.signature_ok);
    i = check_file("good.der", leaf, NULL, NULL, now);
    EXPECT_VERDICT("NULL chain", i, TD_OCSP_NO_ISSUER);
    i = check_file("good.der", NULL, chain, trust_root, now);
    EXPECT_VERDICT("no leaf", i, TD_OCSP_NO_ISSUER);

    /* the issuer can come from the store when the peer did not send it */
    i = check_file("good.der", leaf, no_chain, trust_ca, now);
    EXPECT_VERDICT("issuer from the trust store", i, TD_OCSP_GOOD);
    CHECK(i.signature_ok == 1 && !i.responder_delegated, "issuer from the store: signature %d",
          i.signature_ok);
    X509_STORE_free(trust_ca);
}

static void test_revoked(void)
{
    struct td_ocsp_info i = check_file("revoked.der", revoked, chain, trust_root, now);

    EXPECT_VERDICT("revoked", i, TD_OCSP_REVOKED);
    CHECK(strcmp(i.cert_status, "revoked") == 0 &&
              strcmp(i.revocation_reason, "keyCompromise") == 0,
          "revoked: status \"%s\", reason \"%s\"", i.cert_status, i.revocation_reason);
    CHECK(strlen(i.revocation_time) == 20 && i.signature_ok == 1, "revoked: time \"%s\"",
          i.revocation_time);
    i = check_file("revoked.der", revoked, chain, trust_root, now + 8 * DAY);
    EXPECT_VERDICT("revoked and stale: revoked wins", i, TD_OCSP_REVOKED);
    i = check_file("revoked.der", revoked, chain, trust_rogue, now);
    EXPECT_VERDICT("revoked but unverifiable: the signature wins", i, TD_OCSP_BAD_SIGNATURE);
    CHECK(strcmp(i.cert_status, "revoked") == 0, "revoked, bad signature: status \"%s\" not kept",
          i.cert_status);
}

static void test_stale(void)
{
    struct td_ocsp_info i = check_file("expired.der", leaf, chain, trust_root, now);

    EXPECT_VERDICT("expired", i, TD_OCSP_STALE);
    CHECK(i.next_update_in < -DAY && i.next_update_in > -3 * DAY &&
              strcmp(i.cert_status, "good") == 0,
          "expired: nextUpdate %lds away, status \"%s\"", i.next_update_in, i.cert_status);
    CHECK(rfc3339_matches(i.next_update, i.next_update_in), "expired: nextUpdate \"%s\"",
          i.next_update);

    i = check_file("notyet.der", leaf, chain, trust_root, now);
    EXPECT_VERDICT("not yet valid", i, TD_OCSP_STALE);
    CHECK(i.this_update_in > 8 * DAY, "notyet: thisUpdate %lds away", i.this_update_in);

    /* the caller's clock is the one that counts */
    i = check_file("good.der", leaf, chain, trust_root, now + 8 * DAY);
    EXPECT_VERDICT("good, eight days later", i, TD_OCSP_STALE);
    CHECK(i.next_update_in < 0, "good, eight days later: nextUpdate %lds away", i.next_update_in);
    i = check_file("good.der", leaf, chain, trust_root, now - 2 * DAY);
    EXPECT_VERDICT("good, two days earlier", i, TD_OCSP_STALE);
    i = check_file("expired.der", leaf, chain, trust_root, now - 5 * DAY / 2);
    EXPECT_VERDICT("expired, back when it was current", i, TD_OCSP_GOOD);
}

static void test_unknown(void)
{
    struct td_ocsp_info i = check_file("unknown.der", leaf, chain, trust_root, now);

    EXPECT_VERDICT("unknown", i, TD_OCSP_UNKNOWN_STATUS);
    CHECK(strcmp(i.cert_status, "unknown") == 0, "unknown: status \"%s\"", i.cert_status);
    i = check_file("unknown.der", leaf, chain, trust_root, now + 8 * DAY);
    EXPECT_VERDICT("unknown and stale: stale wins", i, TD_OCSP_STALE);
}

static void test_signatures(void)
{
    struct td_ocsp_info i = check_file("wrongkey.der", leaf, chain, trust_root, now);

    EXPECT_VERDICT("wrongkey", i, TD_OCSP_BAD_SIGNATURE);
    CHECK(i.signature_ok == 0 && i.signature_error[0] != '\0' && i.responder_delegated == 1,
          "wrongkey: signature %d \"%s\", delegated %d", i.signature_ok, i.signature_error,
          i.responder_delegated);
    CHECK(strcmp(i.cert_status, "good") == 0 && i.this_update[0] != '\0',
          "wrongkey: status \"%s\" and dates must still be read", i.cert_status);
    i = check_file("wrongkey.der", leaf, chain, NULL, now);
    EXPECT_VERDICT("wrongkey, no trust store", i, TD_OCSP_BAD_SIGNATURE);

    /* same CA, but a server certificate is no OCSP signer */
    i = check_file("unauthorized.der", leaf, chain, trust_root, now);
    EXPECT_VERDICT("unauthorized", i, TD_OCSP_BAD_SIGNATURE);
    CHECK(i.responder_delegated == 1, "unauthorized: delegated %d", i.responder_delegated);

    i = check_file("delegated.der", leaf, chain, trust_root, now);
    EXPECT_VERDICT("delegated", i, TD_OCSP_GOOD);
    CHECK(i.responder_delegated == 1 && i.signature_ok == 1,
          "delegated: delegated %d, signature %d", i.responder_delegated, i.signature_ok);
    i = check_file("delegated.der", leaf, chain, NULL, now);
    EXPECT_VERDICT("delegated, no trust store", i, TD_OCSP_GOOD);

    /* a store that does not lead back to the responder */
    i = check_file("good.der", leaf, chain, trust_rogue, now);
    EXPECT_VERDICT("good, trusting only the rogue", i, TD_OCSP_BAD_SIGNATURE);
    CHECK(strcmp(i.cert_status, "good") == 0, "good, rogue store: status \"%s\"", i.cert_status);
}

static void test_wrong_cert(void)
{
    struct td_ocsp_info i = check_file("othercert.der", leaf, chain, trust_root, now);

    EXPECT_VERDICT("othercert", i, TD_OCSP_WRONG_CERT);
    CHECK(i.cert_status[0] == '\0' && i.signature_ok == 1,
          "othercert: status \"%s\" belongs to another certificate", i.cert_status);
    i = check_file("good.der", revoked, chain, trust_root, now);
    EXPECT_VERDICT("good.der for the revoked leaf", i, TD_OCSP_WRONG_CERT);
    i = check_file("othercert.der", leaf, chain, trust_rogue, now);
    EXPECT_VERDICT("othercert and unverifiable: wrong cert wins", i, TD_OCSP_WRONG_CERT);
}

static void test_unparsed(void)
{
    struct td_ocsp_info i = check_file("unsuccessful.der", leaf, chain, trust_root, now);
    struct blob good = load_der("good.der");

    EXPECT_VERDICT("unsuccessful", i, TD_OCSP_UNSUCCESSFUL);
    CHECK(i.response_status == 3 && strcmp(i.response_status_str, "trylater") == 0 &&
              i.cert_status[0] == '\0' && i.signature_ok == -1,
          "unsuccessful: status %d \"%s\"", i.response_status, i.response_status_str);

    i = check_file("malformed.der", leaf, chain, trust_root, now);
    EXPECT_VERDICT("malformed", i, TD_OCSP_MALFORMED);
    CHECK(i.response_status == -1 && i.signature_ok == -1, "malformed: status %d",
          i.response_status);

    i = check_queue_kept("nothing stapled", NULL, 0, leaf, chain, trust_root, now);
    EXPECT_VERDICT("nothing stapled", i, TD_OCSP_NONE);
    i = check_queue_kept("zero length", good.bytes, 0, leaf, chain, trust_root, now);
    EXPECT_VERDICT("zero length", i, TD_OCSP_NONE);
    td_ocsp_check(good.bytes, good.len, leaf, chain, trust_root, now, NULL);
    free(good.bytes);
}

/* Where the bytes of what the responder signed, and of the signature, sit in a response. */
static void signed_regions(const struct blob *der, size_t *tbs_at, size_t *tbs_len, size_t *sig_at,
                           size_t *sig_len)
{
    const unsigned char *p = der->bytes, *found;
    OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)der->len);
    OCSP_BASICRESP *bs = resp != NULL ? OCSP_response_get1_basic(resp) : NULL;
    const ASN1_OCTET_STRING *sig;
    unsigned char *tbs = NULL;
    int n;

    if (bs == NULL ||
        (n = i2d_OCSP_RESPDATA((OCSP_RESPDATA *)OCSP_resp_get0_respdata(bs), &tbs)) <= 0 ||
        (found = memmem(der->bytes, der->len, tbs, (size_t)n)) == NULL)
        abort();
    *tbs_at = (size_t)(found - der->bytes);
    *tbs_len = (size_t)n;
    sig = OCSP_resp_get0_signature(bs);
    if ((found = memmem(der->bytes, der->len, ASN1_STRING_get0_data(sig),
                        (size_t)ASN1_STRING_length(sig))) == NULL)
        abort();
    *sig_at = (size_t)(found - der->bytes);
    *sig_len = (size_t)ASN1_STRING_length(sig);
    OPENSSL_free(tbs);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(resp);
}

/* Every prefix of a good response is malformed; every bent byte yields some sane verdict, and
 * no bent byte of the signed data or of the signature leaves it GOOD. */
static void test_damage(void)
{
    struct blob good = load_der("good.der");
    struct td_ocsp_info i;
    size_t k, bad_prefix = (size_t)-1, insane = 0, leaked = 0, n_good_signed = 0;
    size_t tbs_at, tbs_len, sig_at, sig_len;

    signed_regions(&good, &tbs_at, &tbs_len, &sig_at, &sig_len);

    for (k = 1; k < good.len; k++) {
        unsigned char *prefix = malloc(k);

        memcpy(prefix, good.bytes, k);
        td_ocsp_check(prefix, k, leaf, chain, trust_root, now, &i);
        if (i.verdict != TD_OCSP_MALFORMED && bad_prefix == (size_t)-1) bad_prefix = k;
        free(prefix);
    }
    CHECK(bad_prefix == (size_t)-1, "damage: the %zu-byte prefix was not MALFORMED", bad_prefix);

    ERR_clear_error();
    for (k = 0; k < good.len; k++) {
        good.bytes[k] ^= 0x5a;
        td_ocsp_check(good.bytes, good.len, leaf, chain, trust_root, now, &i);
        good.bytes[k] ^= 0x5a;
        insane += !ocsp_info_sane(&i);
        leaked += ERR_peek_error() != 0;
        if ((k >= tbs_at && k < tbs_at + tbs_len) || (k >= sig_at && k < sig_at + sig_len))
            n_good_signed += i.verdict == TD_OCSP_GOOD;
        ERR_clear_error();
    }
    CHECK(insane == 0 && leaked == 0, "damage: %zu inconsistent results, %zu left errors", insane,
          leaked);
    CHECK(n_good_signed == 0,
          "damage: %zu bent bytes of the %zu signed and %zu signature bytes "
          "still GOOD",
          n_good_signed, tbs_len, sig_len);
    free(good.bytes);
}

static void test_must_staple(void)
{
    CHECK(td_cert_must_staple(muststaple) == 1, "must-staple certificate not recognised");
    CHECK(td_cert_must_staple(leaf) == 0 && td_cert_must_staple(root) == 0 &&
              td_cert_must_staple(NULL) == 0,
          "must-staple reported on a certificate without the TLS feature");
    ERR_raise(ERR_LIB_USER, SENTINEL_REASON);
    td_cert_must_staple(muststaple);
    CHECK(ERR_GET_REASON(ERR_peek_error()) == SENTINEL_REASON &&
              ERR_peek_error() == ERR_peek_last_error(),
          "must-staple: the caller's error queue changed");
    ERR_clear_error();
}

/* One trust store shared by threads that check different responses at once. */
struct worker {
    pthread_t thread;
    int wrong;
};

static void *work(void *arg)
{
    static const struct {
        const char *der;
        enum td_ocsp_verdict want;
    } cases[] = {
        { "good.der", TD_OCSP_GOOD },           { "wrongkey.der", TD_OCSP_BAD_SIGNATURE },
        { "malformed.der", TD_OCSP_MALFORMED }, { "delegated.der", TD_OCSP_GOOD },
        { "revoked.der", TD_OCSP_WRONG_CERT }, /* asked about leaf, not revoked.pem */
    };
    struct worker *me = arg;
    struct blob blobs[5];
    struct td_ocsp_info i;
    int round, c;

    for (c = 0; c < 5; c++) blobs[c] = load_der(cases[c].der);
    for (round = 0; round < 40; round++) {
        for (c = 0; c < 5; c++) {
            td_ocsp_check(blobs[c].bytes, blobs[c].len, leaf, chain, trust_root, now, &i);
            me->wrong += i.verdict != cases[c].want || ERR_peek_error() != 0;
        }
    }
    for (c = 0; c < 5; c++) free(blobs[c].bytes);
    OPENSSL_thread_stop();
    return NULL;
}

static void test_threads(void)
{
    struct worker workers[4];
    int t, wrong = 0;

    memset(workers, 0, sizeof(workers));
    for (t = 0; t < 4; t++)
        if (pthread_create(&workers[t].thread, NULL, work, &workers[t]) != 0) abort();
    for (t = 0; t < 4; t++) {
        pthread_join(workers[t].thread, NULL);
        wrong += workers[t].wrong;
    }
    CHECK(wrong == 0, "threads: %d wrong verdicts or leaked errors", wrong);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FIXTURES_DIR\n", argv[0]);
        return 2;
    }
    fixtures = argv[1];
    if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL)) abort();
    now = time(NULL);

    root = load_cert("root.pem");
    ca = load_cert("ca.pem");
    leaf = load_cert("leaf.pem");
    other = load_cert("other.pem");
    revoked = load_cert("revoked.pem");
    muststaple = load_cert("muststaple.pem");
    rogue = load_cert("rogue.pem");
    chain = stack_of(ca, NULL);
    no_chain = stack_of(NULL, NULL);
    trust_root = store_of(root);
    trust_rogue = store_of(rogue);

    test_good();
    test_issuer_lookup();
    test_revoked();
    test_stale();
    test_unknown();
    test_signatures();
    test_wrong_cert();
    test_unparsed();
    test_damage();
    test_must_staple();
    test_threads();

    X509_STORE_free(trust_root);
    X509_STORE_free(trust_rogue);
    sk_X509_free(chain);
    sk_X509_free(no_chain);
    X509_free(root);
    X509_free(ca);
    X509_free(leaf);
    X509_free(other);
    X509_free(revoked);
    X509_free(muststaple);
    X509_free(rogue);
    return check_summary("test_ocsp");
}
