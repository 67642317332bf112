/* output: see include/output.h. Lines are written with one write() each, so concurrent
 * threads and processes appending to one file do not interleave within a line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "output.h"
#include "settings.h"

static struct stat stderr_at_init;
static int stderr_usable;
static atomic_int file_fd = -1;
static atomic_int warned;
static pthread_mutex_t reopen_lock = PTHREAD_MUTEX_INITIALIZER;

void td_output_init(void)
{
    stderr_usable = fstat(STDERR_FILENO, &stderr_at_init) == 0;
    /* A daemon that closed fd 2 and then opened a data file read-write got that file as fd 2.
     * Shells redirect stderr write-only; a read-write regular file is the host's data. */
    int fl = fcntl(STDERR_FILENO, F_GETFL);
    if (stderr_usable && S_ISREG(stderr_at_init.st_mode) && fl >= 0 && (fl & O_ACCMODE) == O_RDWR)
        stderr_usable = 0;
}

void td_output_after_fork(void)
{
    /* The inherited descriptor still works, but a fresh lock is needed in the child. */
    pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
    reopen_lock = fresh;
}

/* stderr still names the file it named when we started (a daemon may close fd 2 and
 * have it reused for a socket or a data file we must never write into). */
static int stderr_still_ours(void)
{
    struct stat now;
    if (fstat(STDERR_FILENO, &now) != 0) return 0;
    if (stderr_usable && now.st_dev == stderr_at_init.st_dev && now.st_ino == stderr_at_init.st_ino)
        return 1;
    /* Daemons point fd 2 at their own log once started (nginx: error_log): a regular file
     * opened write-only for appending is such a log, never a data file. */
    int fl = fcntl(STDERR_FILENO, F_GETFL);
    return S_ISREG(now.st_mode) && fl >= 0 && (fl & O_ACCMODE) == O_WRONLY && (fl & O_APPEND);
}

static int write_all_quietly(int fd, const char *buf, size_t len);

void td_output_warning(const char *line)
{
    if (stderr_still_ours()) write_all_quietly(STDERR_FILENO, line, strlen(line));
}

static void warn_once(const char *what, int err)
{
    if (atomic_exchange(&warned, 1)) return;
    char msg[256];
    snprintf(msg, sizeof(msg), "tlsdiag: warning: cannot write diagnostics to %s: %s; "
             "further diagnostics are dropped\n", what, strerror(err));
    td_output_warning(msg);
}

/* write() with SIGPIPE blocked in this thread, and a SIGPIPE we caused taken back, so a
 * closed pipe never kills or signals the host. Returns 0 or an errno; *done gets the bytes
 * written when it is not NULL. */
static int write_counted(int fd, const char *buf, size_t len, size_t *done);

static int write_all_quietly(int fd, const char *buf, size_t len)
{
    return write_counted(fd, buf, len, NULL);
}

/* The write loop itself: returns 0 or an errno; *done counts the bytes written. */
static int write_plain(int fd, const char *buf, size_t len, size_t *done)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        buf += n;
        len -= (size_t)n;
        *done += (size_t)n;
    }
    return 0;
}

static int write_counted(int fd, const char *buf, size_t len, size_t *done)
{
    sigset_t pipe_only, old, pending;
    size_t ignored = 0;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &old);

    int err = write_plain(fd, buf, len, done != NULL ? done : &ignored);
    if (err == EPIPE && !was_pending) {
        struct timespec zero = { 0, 0 };
        sigtimedwait(&pipe_only, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

/* Never wait for a slow reader: if a pipe or terminal cannot take data now, drop it. */
static int ready_now(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLOUT };
    return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

static int open_log_file(void)
{
    int fd = open(td_settings.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -errno;
    return fd;
}

static atomic_long file_checked_at;     /* when the file's link count was last looked at */
static atomic_int file_is_regular;

static void write_file(const char *text, size_t len)
{
    int fd = atomic_load(&file_fd);
    struct stat st;
    /* Reopen when the file was removed or rotated away, so lines are not lost into it. Looking
     * costs a system call; trace mode writes a line per handshake, so look once a second. */
    long now = (long)time(NULL);
    int have_st = 1;
    if (fd < 0 || atomic_exchange(&file_checked_at, now) != now) {
        have_st = fd >= 0 && fstat(fd, &st) == 0;
        if (have_st) atomic_store(&file_is_regular, S_ISREG(st.st_mode));
    } else {
        st.st_nlink = 1;
    }
    if (!have_st || st.st_nlink == 0) {
        pthread_mutex_lock(&reopen_lock);
        fd = atomic_load(&file_fd);
        have_st = fd >= 0 && fstat(fd, &st) == 0;
        if (!have_st || st.st_nlink == 0) {
            int nfd = open_log_file();
            if (nfd < 0) {
                pthread_mutex_unlock(&reopen_lock);
                warn_once(td_settings.path, -nfd);
                return;
            }
            int old = atomic_exchange(&file_fd, nfd);
            if (old >= 0) close(old);
            fd = nfd;
            if (fstat(fd, &st) == 0) atomic_store(&file_is_regular, S_ISREG(st.st_mode));
        }
        pthread_mutex_unlock(&reopen_lock);
    }
    if (len == 0) return;
    size_t done = 0;
    /* A regular file cannot raise SIGPIPE: skip the signal-mask dance. A FIFO at the path
     * still gets it. */
    int err = atomic_load(&file_is_regular) ? write_plain(fd, text, len, &done)
                                           : write_counted(fd, text, len, &done);
    if (err) {
        /* A full disk may take part of a line: cut it back, so every line in the file parses.
         * O_APPEND put it at the end; another writer appending in the instant since is the
         * one case this could clip, and it needs a full disk as well. */
        if (done > 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)done) {
            int ignored = ftruncate(fd, st.st_size - (off_t)done);
            (void)ignored;
        }
        warn_once(td_settings.path, err);
    }
}

/* syslog(3) would change the host's ident or connection; speak to /dev/log ourselves,
 * without blocking, one datagram per line. */
static void write_syslog(const char *text, size_t len)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) { warn_once("syslog", errno); return; }
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    strcpy(sa.sun_path, "/dev/log");
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        warn_once("syslog (/dev/log)", errno);
        close(fd);
        return;
    }
    const char *line = text, *end = text + len;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);
        char msg[2048];
        int m = snprintf(msg, sizeof(msg), "<12>tlsdiag[%ld]: %.*s", (long)getpid(),
                         (int)(n < 1900 ? n : 1900), line);
        if (m > 0 && send(fd, msg, (size_t)m < sizeof(msg) ? (size_t)m : sizeof(msg) - 1,
                          MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
            warn_once("syslog", errno);
            break;
        }
        line += n + 1;
    }
    close(fd);
}

void td_output_prepare(void)
{
    /* Open the log now: a daemon's workers inherit it even when they may not create it. */
    if (td_settings.sink == TD_SINK_FILE) write_file("", 0);
}

void td_output_write(const char *text, size_t len)
{
    switch (td_settings.sink) {
    case TD_SINK_FILE:
        write_file(text, len);
        break;
    case TD_SINK_SYSLOG:
        write_syslog(text, len);
        break;
    case TD_SINK_STDERR:
        if (stderr_still_ours() && ready_now(STDERR_FILENO))
            write_all_quietly(STDERR_FILENO, text, len);
        break;
    }
}
