/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* elfdeps: what an executable's dynamic section says about the OpenSSL it uses, so `run` can
 * tell whether the provider (linked to the system libssl) can see that program's handshakes. */
#ifndef TLSDIAG_CLI_ELFDEPS_H
#define TLSDIAG_CLI_ELFDEPS_H

struct elf_openssl {
    int readable;          /* a 64-bit ELF file we could parse */
    int needs_libssl;      /* DT_NEEDED names libssl.so.* */
    int exports_ssl;       /* defines and exports SSL_CTX_new itself (a static copy) */
    const char *other_tls; /* another TLS library it links ("GnuTLS", "NSS"), or NULL */
    int go;                /* a Go program: crypto/tls, not OpenSSL */
};

void elf_openssl_inspect(const char *path, struct elf_openssl *out);

#endif
