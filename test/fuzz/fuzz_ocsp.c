/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* fuzz_ocsp: td_ocsp_check on arbitrary bytes, against the leaf and chain of the fixtures that
 * test/pki/ocsp-fixtures.sh made in $TD_FUZZ_PKI (the seeds are that set's responses, so the
 * fuzzer starts from responses that reach the status, date and signature checks). Each input
 * is checked three ways: with the chain and a trust store; with the chain alone (the
 * temporary-store path); and with neither (the issuer-less path that matches by serial and
 * issuer-name hash). Any error left on the queue, or any inconsistent result, is a finding. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "invariants.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *leaf;
static STACK_OF(X509) *chain;
static X509_STORE *trust;
static time_t now;

static X509 *load(const char *dir, const char *name)
{
    char path[4096];
    FILE *f;
    X509 *x = NULL;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "r")) != NULL) {
        x = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (x == NULL) {
        fprintf(stderr, "fuzz_ocsp: cannot read %s (set TD_FUZZ_PKI to an ocsp-fixtures.sh DIR)\n",
                path);
        exit(2);
    }
    return x;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("TD_FUZZ_PKI");
    X509 *root;

    if (dir == NULL) dir = "build/fuzz/pki";
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    leaf = load(dir, "leaf.pem");
    root = load(dir, "root.pem");
    chain = sk_X509_new_null();
    trust = X509_STORE_new();
    if (chain == NULL || trust == NULL || !sk_X509_push(chain, load(dir, "ca.pem")) ||
        !X509_STORE_add_cert(trust, root))
        abort();
    X509_free(root);
    now = time(NULL);
    return 0;
}

static void check_once(const uint8_t *data, size_t size, STACK_OF(X509) *sk, X509_STORE *store)
{
    struct td_ocsp_info info;

    td_ocsp_check(data, size, leaf, sk, store, now, &info);
    if (!ocsp_info_sane(&info) || ERR_peek_error() != 0) abort();
    if (size == 0 && info.verdict != TD_OCSP_NONE) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_once(data, size, chain, trust);
    check_once(data, size, chain, NULL);
    check_once(data, size, NULL, NULL);
    return 0;
}
