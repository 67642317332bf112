/* hello_cache: see include/hello_cache.h. One slot per direction per thread: a blocking client
 * or a server worker fails in the thread that saw the hellos; an event loop juggling many
 * connections may have overwritten them, and then observe.c falls back to the SSL's settings. */
#include <stdio.h>
#include <string.h>
#include "hello_cache.h"

#define TD_HELLO_CACHE_BYTES 4096

struct hello_slot {
    const SSL *ssl;
    char addr[64];
    size_t len;
    unsigned char msg[TD_HELLO_CACHE_BYTES];
};

static __thread struct hello_slot slots[2];   /* [0] received, [1] sent */

void td_hello_cache_put(const SSL *ssl, int sent, const unsigned char *msg, size_t len)
{
    struct hello_slot *s = &slots[sent ? 1 : 0];
    struct hello_slot *other = &slots[sent ? 0 : 1];
    /* A ClientHello starts a handshake: whatever the other slot holds for this SSL (or for a
     * freed SSL that had the same address) belongs to an earlier one. */
    if (msg[0] == 1 && other->ssl == ssl) other->ssl = NULL;
    if (len > sizeof(s->msg)) len = sizeof(s->msg);
    s->ssl = ssl;
    s->addr[0] = '\0';
    s->len = len;
    memcpy(s->msg, msg, len);
}

int td_hello_cache_get(const SSL *ssl, int sent, struct td_hello *out)
{
    const struct hello_slot *s = &slots[sent ? 1 : 0];
    memset(out, 0, sizeof(*out));
    if (s->ssl != ssl || s->len == 0) return 0;
    return td_hello_parse(s->msg, s->len, out);
}

void td_hello_cache_forget(const SSL *ssl)
{
    for (int i = 0; i < 2; i++)
        if (slots[i].ssl == ssl) slots[i].ssl = NULL;
}

void td_hello_cache_put_addr(const SSL *ssl, const char *addr)
{
    if (slots[0].ssl == ssl) snprintf(slots[0].addr, sizeof(slots[0].addr), "%s", addr);
}

void td_hello_cache_get_addr(const SSL *ssl, char *dst, size_t cap)
{
    if (slots[0].ssl == ssl && cap > 0) snprintf(dst, cap, "%s", slots[0].addr);
}
