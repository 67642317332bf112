/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* output: see include/output.h.
 *
 * No write may wait. The descriptor of each sink is of a kind decided once:
 *   regular file      plain write(): it cannot block, and O_APPEND keeps lines whole;
 *   pipe or FIFO      written only when the whole text surely fits (pipe_takes_whole), through
 *                     a description of our own opened O_NONBLOCK (/proc/self/fd), so the host's
 *                     own descriptor keeps its flags and a racing writer cannot make us wait;
 *   socket            send(MSG_DONTWAIT | MSG_NOSIGNAL);
 *   tty, char device  through a non-blocking description of our own, like a pipe.
 * A line that cannot go now is dropped and counted; the next line that goes says how many.
 *
 * stderr is what fd 2 was when the provider started: if fd 2 later names another file (a
 * daemon closed it and opened its own file there), nothing is written to it any more. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "phrases.h"
#include "output.h"
#include "render.h"
#include "settings.h"

enum sink_kind { KIND_NONE, KIND_REGULAR, KIND_PIPE, KIND_SOCKET, KIND_DEVICE };

static struct stat stderr_at_init;
static enum sink_kind stderr_kind;
static atomic_int file_fd = -1;
static atomic_int file_kind;
static atomic_int warned;
static atomic_long dropped;
static pthread_mutex_t reopen_lock = PTHREAD_MUTEX_INITIALIZER;

static enum sink_kind kind_of(const struct stat *st)
{
    if (S_ISREG(st->st_mode)) return KIND_REGULAR;
    if (S_ISFIFO(st->st_mode)) return KIND_PIPE;
    if (S_ISSOCK(st->st_mode)) return KIND_SOCKET;
    if (S_ISCHR(st->st_mode)) return KIND_DEVICE;
    return KIND_NONE;
}

void td_output_init(void)
{
    if (fstat(STDERR_FILENO, &stderr_at_init) != 0) {
        stderr_kind = KIND_NONE;
        return;
    }
    stderr_kind = kind_of(&stderr_at_init);
    /* A daemon that closed fd 2 and then opened a data file read-write got that file as fd 2.
     * Shells redirect stderr write-only; a read-write regular file is the host's data. */
    int fl = fcntl(STDERR_FILENO, F_GETFL);
    if (stderr_kind == KIND_REGULAR && (fl < 0 || (fl & O_ACCMODE) == O_RDWR))
        stderr_kind = KIND_NONE;
}

void td_output_after_fork(void)
{
    /* The inherited descriptor still works, but a fresh lock is needed in the child. */
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    reopen_lock = fresh;
}

/* fd 2 still names the file it named when we started. */
static int stderr_still_ours(void)
{
    struct stat now;
    return stderr_kind != KIND_NONE && fstat(STDERR_FILENO, &now) == 0 &&
           now.st_dev == stderr_at_init.st_dev && now.st_ino == stderr_at_init.st_ino;
}

/* write() with SIGPIPE blocked in this thread, and a SIGPIPE we caused taken back, so a
 * closed pipe never kills or signals the host. Returns 0 or an errno; *done counts bytes. */
static int write_quietly(int fd, const char *buf, size_t len, size_t *done)
{
    sigset_t pipe_only, old, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
    int err = 0;
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : EAGAIN;
            break;
        }
        buf += n;
        len -= (size_t)n;
        *done += (size_t)n;
    }
    if (err == EPIPE && !was_pending) {
        struct timespec zero = { 0, 0 };
        sigtimedwait(&pipe_only, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

/* The whole of len bytes goes into the pipe now, or none of it. Up to PIPE_BUF a non-blocking
 * write is all or nothing by itself. A longer one is written only into an empty pipe: how much
 * a pipe with data in it can still take depends on how its pages are filled, which nothing
 * tells, and a write that does not fit would split the line. */
static int pipe_takes_whole(int fd, size_t len)
{
    int queued = 0;
    if (len <= PIPE_BUF) return 1;
    int size = fcntl(fd, F_GETPIPE_SZ);
    return size > 0 && (size_t)size >= len && ioctl(fd, FIONREAD, &queued) == 0 && queued == 0;
}

/* A write to a pipe, FIFO, tty or device through a non-blocking description of our own. */
static int write_nonblocking(int fd, enum sink_kind kind, const char *buf, size_t len)
{
    char path[32];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    int ours = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (ours < 0) return errno == ENXIO ? EPIPE : EAGAIN; /* ENXIO: a FIFO with no reader */
    int err = EAGAIN;
    size_t done = 0;
    struct stat a, b;
    /* The path must still lead to the same file (fd may have been replaced meanwhile). */
    if (fstat(ours, &a) == 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino &&
        a.st_dev == b.st_dev && (kind != KIND_PIPE || pipe_takes_whole(ours, len)))
        err = write_quietly(ours, buf, len, &done);
    close(ours);
    /* A part of a line went out: end it, so that the next line starts clean. */
    if (err != 0 && done > 0) {
        size_t ignored = 0;
        write_quietly(fd, "\n", 1, &ignored);
    }
    return err;
}

/* Write one or more whole lines to fd, of the given kind, without ever waiting. */
static int write_kind(int fd, enum sink_kind kind, const char *buf, size_t len)
{
    size_t done = 0;
    switch (kind) {
    case KIND_REGULAR: return write_quietly(fd, buf, len, &done);
    case KIND_SOCKET: {
        ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK) return write_nonblocking(fd, KIND_DEVICE, buf, len);
        if (n > 0 && (size_t)n < len) send(fd, "\n", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        return n < 0 ? errno : (size_t)n < len ? EAGAIN : 0;
    }
    case KIND_PIPE:
    case KIND_DEVICE: return write_nonblocking(fd, kind, buf, len);
    default: return EBADF;
    }
}

static void write_stderr(const char *text, size_t len)
{
    if (!stderr_still_ours()) return;
    if (write_kind(STDERR_FILENO, stderr_kind, text, len) != 0) atomic_fetch_add(&dropped, 1);
}

void td_output_warning(const char *line)
{
    write_stderr(line, strlen(line));
}

static void warn_once(const char *what, const char *why)
{
    if (atomic_exchange(&warned, 1)) return;
    char msg[768], shown[256];
    td_escape(shown, sizeof(shown), what, 0); /* a path from the environment */
    snprintf(msg, sizeof(msg), TD_SAY_WARN_SINK, shown, why);
    td_output_warning(msg);
}

static void warn_errno(const char *what, int err)
{
    warn_once(what, strerror(err));
}

void td_output_warn_errno(const char *what, int err)
{
    warn_errno(what, err);
}

long td_output_take_dropped(void)
{
    return atomic_exchange(&dropped, 0);
}

void td_output_count_dropped(long n)
{
    atomic_fetch_add(&dropped, n);
}

/* ---- the file sink ----------------------------------------------------------------------- */

/* A log in a directory anyone may write to, and that is not ours, could have been put there by
 * anyone: a FIFO that would stall us, or a file that would show our reports to its owner. */
static const char *unsafe_place(const char *path, const struct stat *file)
{
    char copy[sizeof(td_settings.path)];
    struct stat dir;
    snprintf(copy, sizeof(copy), "%s", path);
    if (stat(dirname(copy), &dir) != 0) return NULL; /* open() will say why */
    if (!(dir.st_mode & S_IWOTH)) return NULL;
    if (dir.st_uid != geteuid()) return TD_SAY_SINK_UNSAFE_DIR;
    if (file != NULL && file->st_uid != geteuid()) return TD_SAY_SINK_UNSAFE_FILE;
    return NULL;
}

/* Opens never wait (O_NONBLOCK: a FIFO with no reader fails at once) and never follow a link.
 * Returns the descriptor, or -1 after one warning. */
static int open_log_file(void)
{
    const char *path = td_settings.path;
    const char *why = unsafe_place(path, NULL);
    if (why != NULL) {
        warn_once(path, why);
        return -1;
    }
    int fd = open(
        path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
    if (fd < 0) {
        warn_errno(path, errno);
        return -1;
    }
    struct stat st;
    enum sink_kind kind = fstat(fd, &st) == 0 ? kind_of(&st) : KIND_NONE;
    if (kind == KIND_NONE) why = TD_SAY_SINK_KIND;
    else why = unsafe_place(path, &st);
    if (why != NULL) {
        close(fd);
        warn_once(path, why);
        return -1;
    }
    atomic_store(&file_kind, kind);
    return fd;
}

static atomic_long file_checked_at; /* when the path was last compared with the descriptor */

/* The path no longer leads to our descriptor: removed, or renamed away by log rotation. */
static int file_moved(int fd)
{
    struct stat at_path, ours;
    return stat(td_settings.path, &at_path) != 0 || fstat(fd, &ours) != 0 ||
           at_path.st_ino != ours.st_ino || at_path.st_dev != ours.st_dev;
}

static void write_file(const char *text, size_t len)
{
    int fd = atomic_load(&file_fd);
    /* Looking costs two system calls; trace mode writes a line per handshake: once a second. */
    long now = (long)time(NULL);
    int look = atomic_exchange(&file_checked_at, now) != now;
    if (look && (fd < 0 || file_moved(fd))) {
        pthread_mutex_lock(&reopen_lock);
        fd = atomic_load(&file_fd);
        if (fd < 0 || file_moved(fd)) {
            int nfd = open_log_file();
            if (nfd >= 0 || fd < 0) {
                int old = atomic_exchange(&file_fd, nfd);
                if (old >= 0) close(old);
                fd = nfd;
            }
        }
        pthread_mutex_unlock(&reopen_lock);
    }
    if (fd < 0 || len == 0) return;
    enum sink_kind kind = atomic_load(&file_kind);
    off_t before = 0;
    struct stat st;
    if (kind == KIND_REGULAR && fstat(fd, &st) == 0) before = st.st_size;
    int err = write_kind(fd, kind, text, len);
    if (err == 0) return;
    atomic_fetch_add(&dropped, 1);
    if (err != EAGAIN) warn_errno(td_settings.path, err);
    if (kind == KIND_REGULAR) {
        /* A full disk may take part of a line: cut it back, so every line in the file parses.
         * Another writer appending in the same instant is the one case this could clip, and
         * it needs a full disk as well. */
        if (fstat(fd, &st) == 0 && st.st_size > before) {
            int ignored = ftruncate(fd, before);
            (void)ignored;
        }
    }
}

/* ---- the syslog sink ---------------------------------------------------------------------
 *
 * syslog(3) would change the host's ident and connection; we speak to the socket ourselves.
 * One event is one message, in the format syslog(3) itself sends to a local socket and that
 * rsyslog's imuxsock and syslog-ng's unix sockets parse:
 *     <PRI>Mmm dd hh:mm:ss IDENT[PID]: MSG
 * MSG is one JSON object, or a text explanation with its lines joined by " | " (its
 * indentation dropped). A new message starts at every line that is not indented, so the
 * dropped-reports notice that may precede an event goes as its own message.
 * Datagram sockets (rsyslog, journald's /dev/log) get one datagram per message; stream
 * sockets (syslog-ng's unix-stream) one NUL-terminated message each, as syslog(3) frames
 * them. A full receiver queue (EAGAIN) is retried a few times, each after a wait of at most
 * SYSLOG_RETRY_MS, then the message is dropped and counted. */

#define SYSLOG_MSG_MAX 8192 /* rsyslog's default maxMessageSize, header included */
#define SYSLOG_RETRIES 3
#define SYSLOG_RETRY_MS 2

static int syslog_connect(int *stream)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    /* settings.c accepts only paths that fit. */
    size_t plen = strnlen(td_settings.path, sizeof(sa.sun_path) - 1);
    memcpy(sa.sun_path, td_settings.path, plen);
    for (int type = SOCK_DGRAM;; type = SOCK_STREAM) {
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            warn_errno("syslog", errno);
            return -1;
        }
        /* A stream socket's connect may still be in progress: sending will say. */
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EINPROGRESS) {
            *stream = type == SOCK_STREAM;
            return fd;
        }
        int err = errno;
        close(fd);
        if (err != EPROTOTYPE || type == SOCK_STREAM) {
            warn_errno(td_settings.path, err);
            return -1;
        }
    }
}

/* See output.h: one whole message, with the few short retries above (journal.c's too). */
int td_output_send(int fd, int stream, const char *msg, size_t len)
{
    size_t sent = 0;
    for (int attempt = 0; attempt <= SYSLOG_RETRIES; attempt++) {
        ssize_t n = send(fd, msg + sent, len - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) sent += (size_t)n;
        if (sent == len) return 0;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return errno;
        /* A datagram goes whole or not at all; a stream may have taken part of it. */
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        if (attempt < SYSLOG_RETRIES) poll(&p, 1, SYSLOG_RETRY_MS);
    }
    return EAGAIN;
}

/* The header syslog(3) writes: priority, local time, ident and pid. */
static size_t syslog_header(char *buf, size_t cap, int severity)
{
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm) == NULL) memset(&tm, 0, sizeof(tm));
    int n = snprintf(buf, cap,
                     "<%d>%s %2d %02d:%02d:%02d %s[%ld]: ", td_settings.syslog_facility | severity,
                     months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     td_settings.syslog_ident, (long)getpid());
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static void write_syslog(const char *text, size_t len, int severity)
{
    int stream = 0;
    int fd = syslog_connect(&stream);
    if (fd < 0) {
        atomic_fetch_add(&dropped, 1);
        return;
    }
    char msg[SYSLOG_MSG_MAX + 1];
    const char *p = text, *end = text + len;
    while (p < end) {
        if (*p == '\n') {
            p++;
            continue;
        }
        size_t m = syslog_header(msg, sizeof(msg), severity);
        /* This message: the line at p and every indented line after it. */
        do {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *eol = nl ? nl : end;
            const char *from = p;
            if (*from == ' ' || *from == '\t') {
                while (from < eol && (*from == ' ' || *from == '\t')) from++;
                if (m + 3 < SYSLOG_MSG_MAX) memcpy(msg + m, " | ", 3), m += 3;
            }
            size_t n = (size_t)(eol - from);
            if (n > SYSLOG_MSG_MAX - m) n = SYSLOG_MSG_MAX - m;
            memcpy(msg + m, from, n);
            m += n;
            p = nl ? nl + 1 : end;
        } while (p < end && (*p == ' ' || *p == '\t'));
        if (stream) msg[m++] = '\0';
        int err = td_output_send(fd, stream, msg, m);
        if (err != 0) {
            atomic_fetch_add(&dropped, 1);
            if (err != EAGAIN) warn_errno(td_settings.path, err);
            /* A stream that took part of a message has lost its framing: start afresh. */
            if (stream) break;
        }
    }
    close(fd);
}

size_t td_output_event_cap(size_t wanted)
{
    /* Room for the header: priority, timestamp, a 32-byte ident, a pid. */
    size_t syslog_cap = SYSLOG_MSG_MAX - 80;
    return td_settings.sink == TD_SINK_SYSLOG && wanted > syslog_cap ? syslog_cap : wanted;
}

void td_output_prepare(void)
{
    /* Open the log now: a daemon's workers inherit it even when they may not create it. */
    if (td_settings.sink == TD_SINK_FILE) write_file("", 0);
}

void td_output_write(const char *text, size_t len, int severity)
{
    switch (td_settings.sink) {
    case TD_SINK_FILE: write_file(text, len); break;
    case TD_SINK_SYSLOG: write_syslog(text, len, severity); break;
    case TD_SINK_STDERR: write_stderr(text, len); break;
    case TD_SINK_JOURNAL: break; /* emit.c sends fields to journal.c, not lines */
    }
}
