/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* test_journal: the journal sink's field encoder, byte for byte against the native protocol
 * (systemd.io/JOURNAL_NATIVE_PROTOCOL), and one entry sent to a datagram socket of the test's:
 * the report's strings escaped, errno kept, and an entry that cannot go counted as dropped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "journal.h"
#include "output.h"
#include "settings.h"

static void encoder(void)
{
    char buf[512];
    size_t n = td_journal_field(buf, sizeof(buf), 0, "PRIORITY", "4", 1);
    CHECK(n == 11 && !memcmp(buf, "PRIORITY=4\n", 11), "KEY=VALUE form: %zu bytes", n);
    n = td_journal_field(buf, sizeof(buf), n, "A", "x=y", 3);
    CHECK(n == 17 && !memcmp(buf + 11, "A=x=y\n", 6), "an '=' in a value keeps the plain form");
    n = td_journal_field(buf, sizeof(buf), 0, "EMPTY", "", 0);
    CHECK(n == 7 && !memcmp(buf, "EMPTY=\n", 7), "an empty value");

    /* A newline takes the binary form: KEY\n, a 64-bit little-endian length, the value, \n. */
    char value[300];
    memset(value, 'v', sizeof(value));
    value[10] = '\n';
    n = td_journal_field(buf, sizeof(buf), 0, "MESSAGE", value, sizeof(value));
    static const unsigned char len300[8] = { 0x2c, 0x01, 0, 0, 0, 0, 0, 0 };
    CHECK(n == 8 + 8 + 300 + 1, "binary form: %zu bytes", n);
    CHECK(!memcmp(buf, "MESSAGE\n", 8) && !memcmp(buf + 8, len300, 8), "binary form's header");
    CHECK(!memcmp(buf + 16, value, 300) && buf[316] == '\n', "binary form's value and end");

    /* Exactly full fits; a byte less does not, and the overflow sticks. */
    CHECK(td_journal_field(buf, 11, 0, "PRIORITY", "4", 1) == 11, "an exact fit");
    n = td_journal_field(buf, 10, 0, "PRIORITY", "4", 1);
    CHECK(n == 11, "too long: cap + 1, got %zu", n);
    CHECK(td_journal_field(buf, 10, n, "A", "", 0) == 11, "an overflowed entry stays overflowed");
    CHECK(td_journal_field(buf, 20, 0, "MESSAGE", "a\nb", 3) == 20, "binary form, an exact fit");
    CHECK(td_journal_field(buf, 19, 0, "MESSAGE", "a\nb", 3) == 20, "binary form, a byte short");
}

/* The value of KEY in a KEY=VALUE entry (NUL-terminated copy), or NULL. */
static const char *field(const char *entry, size_t len, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = entry; p < entry + len;) {
        const char *nl = memchr(p, '\n', (size_t)(entry + len - p));
        if (nl == NULL) break;
        if ((size_t)(nl - p) > kl && !memcmp(p, key, kl) && p[kl] == '=') {
            snprintf(out, cap, "%.*s", (int)(nl - p - (long)kl - 1), p + kl + 1);
            return out;
        }
        p = nl + 1;
    }
    return NULL;
}

static void one_entry(void)
{
    char dir[] = "/tmp/test_journal.XXXXXX";
    if (mkdtemp(dir) == NULL) {
        CHECK(0, "mkdtemp");
        return;
    }
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", dir);
    int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(srv >= 0 && bind(srv, (struct sockaddr *)&sa, sizeof(sa)) == 0, "bind %s", sa.sun_path);
    td_settings.sink = TD_SINK_JOURNAL;
    snprintf(td_settings.path, sizeof(td_settings.path), "%s", sa.sun_path);

    struct td_report *r = td_report_new(TD_EV_HANDSHAKE_FAILED);
    snprintf(r->host, sizeof(r->host), "evil\n\x1b[2Jhost");
    snprintf(r->program, sizeof(r->program), "prog");
    r->verify_code = 10;
    errno = EILSEQ;
    td_journal_send(r, 0, 4, "line one\n  line two\n", 20, "{\"a\":1}\n", 8);
    CHECK(errno == EILSEQ, "errno changed to %d", errno);
    char entry[4096], v[512];
    ssize_t n = recv(srv, entry, sizeof(entry), MSG_DONTWAIT);
    CHECK(n > 0, "no datagram");
    size_t len = n > 0 ? (size_t)n : 0;
    const char *got = field(entry, len, "TLSDIAG_PEER_HOST", v, sizeof(v));
    CHECK(got && !strcmp(got, "evil\\x0A\\x1B[2Jhost"), "TLSDIAG_PEER_HOST %s",
          got ? got : "absent");
    got = field(entry, len, "TLSDIAG_VERIFY_CODE", v, sizeof(v));
    CHECK(got && !strcmp(got, "10"), "TLSDIAG_VERIFY_CODE %s", got ? got : "absent");
    got = field(entry, len, "TLSDIAG_JSON", v, sizeof(v));
    CHECK(got && !strcmp(got, "{\"a\":1}"), "TLSDIAG_JSON %s", got ? got : "absent");
    static const char message[] = "MESSAGE\n\x13\0\0\0\0\0\0\0line one\n  line two\n";
    CHECK(len > sizeof(message) && !memcmp(entry, message, sizeof(message) - 1),
          "MESSAGE in the binary form, without its last newline");
    CHECK(td_output_take_dropped() == 0, "a sent entry counted as dropped");

    /* Nobody at the path: dropped and counted, errno still kept. */
    close(srv);
    unlink(sa.sun_path);
    rmdir(dir);
    errno = EILSEQ;
    td_journal_send(r, 0, 4, "x\n", 2, "{}\n", 3);
    CHECK(errno == EILSEQ, "errno changed to %d on a failed send", errno);
    CHECK(td_output_take_dropped() == 1, "an entry that could not go is not counted");
    td_journal_send(NULL, 7, 5, "7 dropped\n", 10, "{}\n", 3);
    CHECK(td_output_take_dropped() == 7,
          "a reports_dropped entry that could not go loses its count");
    free(r);
}

int main(void)
{
    encoder();
    one_entry();
    return check_summary("test_journal");
}
