/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* journal: see include/journal.h.
 *
 * The protocol is spoken by hand, not through libsystemd's sd_journal_send: this module is
 * loaded into every TLS process on the machine, and linking libsystemd would pull a library
 * into every one of them, and keep the module from loading at all on hosts without it
 * (containers, minimal images). The protocol is small and documented as a public interface.
 *
 * One event is one datagram on an AF_UNIX SOCK_DGRAM socket, a field per KEY=VALUE line (a
 * value with newlines in the length-prefixed form). An entry too big for a datagram (EMSGSIZE)
 * goes the protocol's other way: an empty datagram carrying, by SCM_RIGHTS, a sealed memfd that
 * holds it. Nothing waits: a full queue gets output.c's few short retries, then the event is
 * dropped and counted, and the next entry that goes is preceded by a reports_dropped one. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "journal.h"
#include "render.h"
#include "output.h"
#include "settings.h"

#define FIELDS_CAP 4096 /* every field but MESSAGE and TLSDIAG_JSON, escaped */

size_t td_journal_field(char *buf, size_t cap, size_t len, const char *key, const char *value,
                        size_t vlen)
{
    size_t klen = strlen(key);
    int binary = memchr(value, '\n', vlen) != NULL;
    size_t need = klen + vlen + 2 + (binary ? 8 : 0);
    if (len > cap || need > cap - len) return cap + 1;
    memcpy(buf + len, key, klen);
    len += klen;
    if (binary) {
        buf[len++] = '\n';
        for (int i = 0; i < 8; i++) buf[len++] = (char)((uint64_t)vlen >> (8 * i));
    } else buf[len++] = '=';
    memcpy(buf + len, value, vlen);
    len += vlen;
    buf[len++] = '\n';
    return len;
}

struct entry {
    char *buf;
    size_t cap, len;
};

static void add(struct entry *e, const char *key, const char *value)
{
    e->len = td_journal_field(e->buf, e->cap, e->len, key, value, strlen(value));
}

/* A value from a peer, a certificate or the host, escaped as the text output escapes it. */
static void add_escaped(struct entry *e, const char *key, const char *raw)
{
    char shown[TD_FIELD * 4];
    td_escape(shown, sizeof(shown), raw, 0);
    add(e, key, shown);
}

static void add_number(struct entry *e, const char *key, long n)
{
    char num[24];
    snprintf(num, sizeof(num), "%ld", n);
    add(e, key, num);
}

/* A rendering without the newline that ends it (the protocol's own \n ends the field). */
static void add_rendered(struct entry *e, const char *key, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\n') n--;
    e->len = td_journal_field(e->buf, e->cap, e->len, key, s, n);
}

static void add_report(struct entry *e, const struct td_report *r)
{
    char peer[TD_FIELD * 4 + 80], addr[64 * 4];
    add(e, "TLSDIAG_EVENT", td_event_name(r->event));
    /* A success belongs to no guide section, as in the JSON. */
    if (r->event != TD_EV_HANDSHAKE_OK) add(e, "TLSDIAG_SECTION", td_sections[r->section].id);
    add(e, "TLSDIAG_CAUSE", r->cause ? r->cause->id : "unknown");
    add_escaped(e, "TLSDIAG_PROGRAM", r->program);
    add(e, "TLSDIAG_ROLE", r->role == TD_ROLE_SERVER ? "server" : "client");
    /* The peer as the text shows it, and its two parts apart for exact matches. */
    td_escape(peer, TD_FIELD * 4, r->host[0] ? r->host : "-", 0);
    td_escape(addr, sizeof(addr), r->addr, 0);
    if (r->addr[0]) snprintf(peer + strlen(peer), sizeof(peer) - strlen(peer), " [%s]", addr);
    add(e, "TLSDIAG_PEER", peer);
    if (r->host[0]) add_escaped(e, "TLSDIAG_PEER_HOST", r->host);
    if (r->addr[0]) add(e, "TLSDIAG_PEER_ADDR", addr);
    if (r->verify_code != 0) add_number(e, "TLSDIAG_VERIFY_CODE", r->verify_code);
    if (r->event == TD_EV_REPEAT_SUMMARY || r->event == TD_EV_RATE_LIMITED)
        add_number(e, "TLSDIAG_COUNT", r->repeat_count);
}

/* An entry too big for a datagram, in a sealed memfd: journald reads it only once it can no
 * longer change. One attempt: a queue that is full now drops it like any other entry. */
static int send_memfd(int sock, const char *entry, size_t len)
{
    int mfd = memfd_create("tlsdiag-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0) return errno;
    int err = 0;
    for (size_t done = 0; err == 0 && done < len;) {
        ssize_t n = write(mfd, entry + done, len - done);
        if (n > 0) done += (size_t)n;
        else if (n == 0 || errno != EINTR) err = n < 0 ? errno : EIO;
    }
    int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL;
    if (err == 0 && fcntl(mfd, F_ADD_SEALS, seals) != 0) err = errno;
    if (err == 0) {
        union {
            char buf[CMSG_SPACE(sizeof(int))];
            struct cmsghdr align;
        } ctl;
        memset(&ctl, 0, sizeof(ctl));
        struct msghdr mh = { .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &mfd, sizeof(int));
        if (sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) err = errno;
    }
    close(mfd);
    return err;
}

/* A non-blocking datagram socket connected to the journal, or -1 after the one warning. */
static int journal_connect(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    /* settings.c accepts only paths that fit. */
    memcpy(sa.sun_path, td_settings.path, strnlen(td_settings.path, sizeof(sa.sun_path) - 1));
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        td_output_warn_errno("journal", errno);
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        td_output_warn_errno(td_settings.path, errno);
        close(fd);
        return -1;
    }
    return fd;
}

void td_journal_send(const struct td_report *r, long count, int severity, const char *text,
                     size_t tlen, const char *json, size_t jlen)
{
    int saved_errno = errno;
    struct entry e = { NULL, FIELDS_CAP + tlen + jlen + 64, 0 };
    int err = ENOMEM;
    int fd = -1;
    e.buf = malloc(e.cap);
    if (e.buf != NULL) {
        add_rendered(&e, "MESSAGE", text, tlen);
        add_number(&e, "PRIORITY", severity);
        add(&e, "SYSLOG_IDENTIFIER", td_settings.syslog_ident);
        add_number(&e, "SYSLOG_FACILITY", td_settings.syslog_facility >> 3);
        add(&e, "TLSDIAG_VERSION", TLSDIAG_VERSION);
        if (r != NULL) add_report(&e, r);
        else {
            add(&e, "TLSDIAG_EVENT", "reports_dropped");
            add_number(&e, "TLSDIAG_COUNT", count);
        }
        add_rendered(&e, "TLSDIAG_JSON", json, jlen);
        err = e.len > e.cap ? EMSGSIZE : (fd = journal_connect()) < 0 ? ECONNREFUSED : 0;
    }
    if (err == 0) err = td_output_send(fd, 0, e.buf, e.len);
    if (err == EMSGSIZE && fd >= 0) err = send_memfd(fd, e.buf, e.len);
    if (err != 0) {
        /* The notice that did not go keeps its count for the next one; an event counts one. */
        td_output_count_dropped(r != NULL ? 1 : count);
        if (err != EAGAIN && fd >= 0) td_output_warn_errno(td_settings.path, err);
    }
    if (fd >= 0) close(fd);
    free(e.buf);
    errno = saved_errno;
}
