/* hello_cache: the last ClientHello/ServerHello each thread saw, kept as raw bytes so that a
 * handshake failing in the same thread can say what was offered, without allocating per
 * connection. Parsed only when a failure asks for it. */
#ifndef TLSDIAG_HELLO_CACHE_H
#define TLSDIAG_HELLO_CACHE_H
#include <stddef.h>
#include <openssl/ssl.h>
#include "hello.h"

void td_hello_cache_put(const SSL *ssl, int sent, const unsigned char *msg, size_t len);
/* Parse the cached hello of this SSL in that direction into out; 0 when there is none. */
int td_hello_cache_get(const SSL *ssl, int sent, struct td_hello *out);
void td_hello_cache_forget(const SSL *ssl);
/* A server's peer address, noted when the ClientHello arrived (kept with the received hello). */
void td_hello_cache_put_addr(const SSL *ssl, const char *addr);
void td_hello_cache_get_addr(const SSL *ssl, char *dst, size_t cap);

#endif
