# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Sinks: where tlsdiag's output goes must never change what the host does.

The rules checked here:
 1. No write blocks: a stderr pipe nobody reads makes tlsdiag drop lines, never wait.
 2. Opening the sink never blocks: a FIFO as TLSDIAG_OUTPUT=file:... with no reader is not
    waited for (O_NONBLOCK), and one whose reader never reads does not stall the host either.
 3. A sink path in a world-writable directory the caller does not own is refused (nothing is
    created or written there, at most one warning); a directory or a socket as the path neither
    hangs nor crashes the host.
 4. What fd 2 is, is decided at start-up: a daemon that later closes fd 2 and opens its own
    O_WRONLY|O_APPEND data file there never finds tlsdiag's reports in it.
 5. Log rotation by rename (logrotate without copytruncate) is followed: failures from 1.5 s
    after the rename on land in a new file at the path, never in the renamed one.
 6. A line that does not fit is dropped whole: what a pipe or FIFO holds is whole lines (every
    JSON line parses; in text no line is cut and glued to the next report).

Every host runs twice under the same fault, with tlsdiag off and on; exit status and stdout
must match. The only timing is a generous timeout that tells a hang from a finish; the off
run's time is shown next to it. Hosts: test/guest/hshost.c, test/guest/sk_fd2.c, openssl(1),
python3."""
import fcntl
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

from guestlib import PYTHON, Skip, as_steps, check, host_env, read_jsonl, warning_lines
import tdlib  # noqa: E402  (on sys.path once guestlib is imported)

PAGE = 4096
PIPE_SIZE = 65536


class Hung(AssertionError):
    pass


def _run(argv, env, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60):
    """Run argv in its own session; a run past the timeout is killed (with all it started)
    and raises Hung."""
    res = tdlib.run(argv, env, timeout=timeout, stdin=stdin, stderr=stderr)
    if res.timed_out:
        raise Hung(f"{os.path.basename(argv[0])} hung: killed after {timeout}s; its stdout so far "
                   f"{res.stdout[-200:]!r}")
    return res


def _off(build):
    return host_env(build.cnf, mode="0")


def _on(build, **kw):
    kw.setdefault("mode", "1")
    kw.setdefault("fmt", "json")
    kw.setdefault("window", 0)
    return host_env(build.cnf, **kw)


def _same_as_off(build, argv, env_on, fault=None, timeout=60):
    """Run argv with tlsdiag off, then on, each under a fresh copy of the fault (a function
    giving (stderr, cleanup)); the on run must finish and show what the off run showed."""
    results = []
    for env in (_off(build), env_on):
        stderr, cleanup = fault() if fault else (subprocess.PIPE, None)
        try:
            try:
                results.append(_run(argv, env, stderr=stderr, timeout=timeout))
            except Hung as e:
                if env is env_on:
                    raise Hung(f"with tlsdiag on, {e} (with tlsdiag off it took {results[0].took:.1f}s)")
                raise AssertionError(f"even with tlsdiag off, {e}")
        finally:
            if cleanup:
                cleanup()
    off, on = results
    check(on.rc not in (-13, 141), f"the host died of SIGPIPE (exit {on.rc}); stdout {on.stdout!r}")
    check((on.rc, on.stdout) == (off.rc, off.stdout),
          f"host differs with tlsdiag on: exit {on.rc} vs {off.rc} off, stdout {on.stdout!r} vs {off.stdout!r}")
    warnings = warning_lines(on.stderr)
    check(len(warnings) <= 1, f"{len(warnings)} tlsdiag warnings: {warnings}")
    return on, off


def _prefill_line(n):
    head = f"host: earlier stderr output, page {n} ".encode()
    return head + b"." * (PAGE - 1 - len(head)) + b"\n"


# ---- whole lines (rule 6) -----------------------------------------------------------------

def _whole_lines(data, fmt, where):
    """What reached a pipe or FIFO is whole lines: the stream ends at a line end, and each line
    is a whole tlsdiag line. JSON: a tlsdiag/1 object, or a plain `tlsdiag: ` notice (a dropped-
    lines warning). Text: a report's first line (`tlsdiag: ...`) or one of its indented lines,
    and `tlsdiag: ` nowhere else (a line cut short has the next report glued to it)."""
    check(data == b"" or data.endswith(b"\n"),
          f"{where}: the output ends inside a line (a line was cut short): ...{data[-160:]!r}")
    n_reports = 0
    for n, raw in enumerate(data.splitlines(), 1):
        if fmt == "json" and not raw.startswith(b"tlsdiag: "):
            # The tests' one reader judges each JSON line (whole tlsdiag/1 object, no key marker).
            _, problems = tdlib.parse_events(raw + b"\n", f"{where}: line {n} ({len(raw)} bytes)")
            check(not problems, "; ".join(problems))
            n_reports += not _is_drop_notice(raw)
            continue
        check(raw.startswith(b"tlsdiag: ") or (fmt == "text" and raw.startswith(b"  ")),
              f"{where}: line {n} is not a whole tlsdiag line: {raw[:200]!r}")
        check(raw.find(b"tlsdiag: ", 1) < 0,
              f"{where}: line {n} holds a line cut short with the next one glued on: "
              f"{raw[:120]!r}...{raw[raw.find(b'tlsdiag: ', 1) - 60:][:160]!r}")
        n_reports += (raw.startswith(b"tlsdiag: ") and not raw.startswith(b"tlsdiag: warning")
                      and not _is_drop_notice(raw))
    return n_reports


# ---- 1 and 6: stderr a pipe nobody reads ----------------------------------------------------

_pipe_runs = {}


def _stderr_pipe_run(build, fmt, prefill_pages, pipe_size, count):
    """hshost --bulky-cert fail*count, stderr a pipe of pipe_size bytes that already holds
    prefill_pages whole pages of earlier output and that nobody reads. Once per setting; gives
    (error or None, held bytes after the prefill)."""
    key = (fmt, prefill_pages, pipe_size, count)
    if key in _pipe_runs:
        return _pipe_runs[key]
    prefill = b"".join(_prefill_line(n) for n in range(prefill_pages))
    held = {}

    def fault():
        r, w = os.pipe()
        got = fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, pipe_size)
        check(got == pipe_size, f"cannot make a {pipe_size}-byte pipe (got {got})")
        for n in range(prefill_pages):   # one write a page: each fills a pipe page whole
            os.write(w, _prefill_line(n))

        def cleanup():
            os.close(w)
            held["data"] = tdlib.drain_now(r)   # the host is gone: what did it leave in the pipe?
            os.close(r)
        return w, cleanup

    argv = [build.prog("hshost"), "--bulky-cert", f"fail*{count}"]
    error = None
    try:
        _same_as_off(build, argv, _on(build, fmt=fmt), fault=fault, timeout=60)
    except AssertionError as e:
        error = e
    data = held.get("data", b"")
    check(data.startswith(prefill), "the pipe lost the output it held before the host started")
    _pipe_runs[key] = (error, data[len(prefill):])
    return _pipe_runs[key]


def stderr_unread_pipe(build, tmp, fmt, prefill_pages, count):
    """The host finishes as with tlsdiag off, however full its stderr pipe gets."""
    error, held = _stderr_pipe_run(build, fmt, prefill_pages, PIPE_SIZE, count)
    if error:
        raise error
    taken = _count_reports(held, fmt)
    if prefill_pages == 0:
        # Each failed handshake makes two reports (client and server side).
        check(taken < 2 * count, f"the pipe took all {taken} reports ({len(held)} bytes): it never "
              "filled, so this proves nothing")
    return f"the pipe took {taken} of {2 * count} reports ({len(held)} bytes)"


def _is_drop_notice(line):
    """tlsdiag's own line saying how many earlier reports it dropped (not a report itself)."""
    return b'"event":"reports_dropped"' in line or (line.startswith(b"tlsdiag: ")
                                                   and b"earlier report" in line)


def _count_reports(data, fmt):
    """How many reports (whole or not) a stream holds: a rough count that needs no whole lines."""
    lines = data.split(b"\n")
    if fmt == "json":
        return sum(line.count(b'{"schema":"tlsdiag/1"') for line in lines if not _is_drop_notice(line))
    return sum(1 for line in lines if line.startswith(b"tlsdiag: ")
               and not line.startswith(b"tlsdiag: warning") and not _is_drop_notice(line))


def stderr_unread_pipe_whole_lines(build, tmp, fmt, prefill_pages, count):
    error, held = _stderr_pipe_run(build, fmt, prefill_pages, PIPE_SIZE, count)
    n = _whole_lines(held, fmt, f"stderr pipe ({fmt}, {prefill_pages} pages held before)")
    return f"{n} whole reports{'; the run itself failed: ' + str(error)[:80] if error else ''}"


def stderr_pipe_smaller_than_report(build, tmp):
    """A one-page pipe: the client's JSON report (over 4096 bytes) can never fit. The host must
    finish, and the pipe must hold no first page of it."""
    error, held = _stderr_pipe_run(build, "json", 0, PAGE, 10)
    _whole_lines(held, "json", "one-page stderr pipe")
    if error:
        raise error
    return f"the pipe took {len(held)} bytes"


def stderr_slow_reader_whole_lines(build, tmp, fmt):
    """A reader that takes 1000 bytes at a time with pauses: the free space in the pipe is any
    size at any moment. Every line that arrives is whole."""
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    got = []

    def reader():
        while True:
            chunk = os.read(r, 1000)
            if not chunk:
                return
            got.append(chunk)
            time.sleep(0.002)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    argv = [build.prog("hshost"), "--bulky-cert", "fail*60"]
    try:
        res = _run(argv, _on(build, fmt=fmt), stderr=w, timeout=60)
    finally:
        os.close(w)
        t.join(30)
        os.close(r)
    check(res.rc == 0 and res.stdout.strip() == "outcome=" + "F" * 60, f"host: exit {res.rc}, {res.stdout!r}")
    data = b"".join(got)
    n = _whole_lines(data, fmt, f"slowly read stderr pipe ({fmt})")
    check(n > 0, "no report reached the reader at all, so this proves nothing")
    return f"{n} whole reports, {len(data)} bytes"


# ---- 2: a FIFO as the file sink -------------------------------------------------------------

FIFO_HOSTS = {
    "openssl version": lambda build: ["openssl", "version"],
    "python3 -c 'import ssl'": lambda build: [PYTHON, "-c", "import ssl"],
    "hshost fail": lambda build: [build.prog("hshost"), "fail", "ok", "fail12"],
}


def _fifo(tmp, name):
    path = tmp / name
    if path.exists():
        path.unlink()
    os.mkfifo(path, 0o600)
    return path


def fifo_no_reader(build, tmp, host):
    """Nobody has the FIFO open for reading: opening it for writing would wait for a reader."""
    fifo = _fifo(tmp, "noreader.fifo")
    _same_as_off(build, FIFO_HOSTS[host](build), _on(build, output=f"file:{fifo}"), timeout=20)


def fifo_with_reader(build, tmp, host):
    """A reader drains the FIFO all along. The report may arrive through it (not required);
    what arrives is whole lines."""
    fifo = _fifo(tmp, "reader.fifo")
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    got, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                chunk = os.read(rfd, 1 << 16)
            except BlockingIOError:
                chunk = None
            if chunk:
                got.append(chunk)
            else:
                time.sleep(0.01)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        _same_as_off(build, FIFO_HOSTS[host](build), _on(build, output=f"file:{fifo}"), timeout=20)
    finally:
        time.sleep(0.05)
        stop.set()
        t.join(5)
        got.append(tdlib.drain_now(rfd))
        os.close(rfd)
    n = _whole_lines(b"".join(got), "json", "FIFO")
    return f"{n} reports arrived through the FIFO"


def fifo_reader_never_reads(build, tmp):
    """The FIFO's reader keeps it open and never reads: once it is full, the host must not wait."""
    fifo = _fifo(tmp, "stuck.fifo")
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        argv = [build.prog("hshost"), "--bulky-cert", "fail*40"]
        try:
            _same_as_off(build, argv, _on(build, output=f"file:{fifo}"), timeout=20)
        finally:
            held = tdlib.drain_now(rfd)
    finally:
        os.close(rfd)
    n = _whole_lines(held, "json", "unread FIFO")
    return f"the FIFO held {len(held)} bytes = {n} whole reports"


# ---- 3: refused sink paths ------------------------------------------------------------------

def _needs_root_and_nobody():
    if os.geteuid() != 0:
        raise Skip("needs root, to give a directory to another user")
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        raise Skip("no user 'nobody' on this machine")


def _control_sink_works(build, tmp):
    """The same host and settings with the sink in the caller's own directory do write reports
    there: so nothing written in a refused place is the refusal, not a quiet tlsdiag."""
    d = tmp / "own-dir"
    d.mkdir(exist_ok=True)
    log = d / "out.jsonl"
    if not log.exists():
        res = _run(_REFUSE_HOST(build), _on(build, output=f"file:{log}"), timeout=20)
        check(res.rc == 0, f"control run: host exit {res.rc}, {res.stdout!r}")
    check(log.exists() and any(e["event"] == "handshake_failed" for e in read_jsonl(log)),
          "with the sink in the caller's own directory nothing was written either, so this proves nothing")


def _REFUSE_HOST(build):
    return [build.prog("hshost"), "fail", "ok", "fail12"]


def _world_writable_dir(tmp, name, mode, owner):
    d = tmp / name
    if d.exists():
        shutil.rmtree(d)
    d.mkdir()
    os.chown(d, owner.pw_uid, owner.pw_gid)
    os.chmod(d, mode)
    return d


def refused_world_writable_dir(build, tmp, mode):
    """The sink would be created in a world-writable directory owned by another user."""
    nobody = _needs_root_and_nobody()
    _control_sink_works(build, tmp)
    d = _world_writable_dir(tmp, f"ww-{mode:o}", mode, nobody)
    path = d / "out.jsonl"
    on, _ = _same_as_off(build, _REFUSE_HOST(build), _on(build, output=f"file:{path}"), timeout=20)
    check(not os.listdir(d), f"tlsdiag made {os.listdir(d)} in a {mode:o} directory owned by nobody: "
          f"{path.read_bytes()[:200] if path.exists() else b''!r}")
    return f"warning: {warning_lines(on.stderr)}"


def refused_precreated_file(build, tmp):
    """A file another user made (mode 0666) in a sticky world-writable directory they own."""
    nobody = _needs_root_and_nobody()
    _control_sink_works(build, tmp)
    d = _world_writable_dir(tmp, "ww-precreated", 0o1777, nobody)
    path = d / "out.jsonl"
    path.write_bytes(b"")
    os.chown(path, nobody.pw_uid, nobody.pw_gid)
    os.chmod(path, 0o666)
    on, _ = _same_as_off(build, _REFUSE_HOST(build), _on(build, output=f"file:{path}"), timeout=20)
    st = path.stat()
    check(st.st_size == 0, f"tlsdiag wrote {st.st_size} bytes into nobody's file in a world-writable "
          f"directory: {path.read_bytes()[:200]!r}")
    check((st.st_uid, stat.S_IMODE(st.st_mode)) == (nobody.pw_uid, 0o666) and os.listdir(d) == [path.name],
          f"tlsdiag changed nobody's file or directory: uid {st.st_uid}, mode {oct(st.st_mode)}, {os.listdir(d)}")
    return f"warning: {warning_lines(on.stderr)}"


def directory_as_path(build, tmp):
    d = tmp / "a-directory"
    d.mkdir(exist_ok=True)
    on, _ = _same_as_off(build, _REFUSE_HOST(build), _on(build, output=f"file:{d}"), timeout=20)
    check(d.is_dir() and not os.listdir(d), f"the directory changed: {os.listdir(d)}")
    return f"warning: {warning_lines(on.stderr)}"


def socket_as_path(build, tmp):
    """A listening unix socket at the path: not a file to write, and nothing may connect to it."""
    path = tmp / "a-socket"
    if path.exists():
        path.unlink()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.bind(str(path))
        s.listen(8)
        s.setblocking(False)
        on, _ = _same_as_off(build, _REFUSE_HOST(build), _on(build, output=f"file:{path}"), timeout=20)
        try:
            conn, _ = s.accept()
            conn.close()
            raise AssertionError("tlsdiag connected to the unix socket at the sink path")
        except BlockingIOError:
            pass
    finally:
        s.close()
    check(stat.S_ISSOCK(path.lstat().st_mode), "the socket at the sink path was replaced")
    return f"warning: {warning_lines(on.stderr)}"


# ---- 4: fd 2 reused by a daemon's append-only data file ----------------------------------

def fd2_append_only_data_file(build, tmp, stderr_closed):
    """sk_fd2 fails one handshake with fd 2 as started (a pipe, or closed with 2>&-), then closes
    fd 2, opens its data file O_WRONLY|O_APPEND (it becomes fd 2) and fails 5 more."""
    data = tmp / f"daemon-{'closed' if stderr_closed else 'pipe'}.data"
    prog = [build.prog("sk_fd2"), str(data), "1", "5"]
    argv = ["sh", "-c", 'exec "$0" "$@" 2>&-', *prog] if stderr_closed else prog
    on, _ = _same_as_off(build, argv, _on(build, fmt="text", output="stderr"), timeout=60)
    check("data_fd=2 " in on.stdout, f"the data file did not land on fd 2, so this proves nothing: {on.stdout!r}")
    if not stderr_closed:
        check(on.stderr.startswith("tlsdiag: "), "the failure before the swap was not reported on the "
              f"original stderr, so this proves nothing: {on.stderr[:200]!r}")
    check(on.rc == 0 and "data_intact=1" in on.stdout,
          f"tlsdiag wrote into the daemon's O_WRONLY|O_APPEND data file on fd 2: {data.read_bytes()[:300]!r}")


# ---- 5: log rotation by rename --------------------------------------------------------------

def rotated_by_rename(build, tmp, create_new):
    """fail, pause (the test renames LOG to LOG.1, and with create_new makes a new empty LOG as
    logrotate's `create` does), 2 s later fail twice more: those go to LOG, none to LOG.1."""
    log = tmp / f"rotate-{'create' if create_new else 'rename'}.jsonl"
    old = tmp / (log.name + ".1")
    argv = [build.prog("hshost"), "fail", "pause", "fail*2"]
    env = _on(build, output=f"file:{log}")
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    watchdog = threading.Timer(60, lambda: os.killpg(p.pid, signal.SIGKILL))
    watchdog.start()
    try:
        check(p.stdout.readline().strip() == "paused", "host did not pause")
        before = log.read_bytes()
        n_before = len(read_jsonl(log))
        check(n_before >= 1, "the first failure was not logged, so this proves nothing")
        os.rename(log, old)
        if create_new:
            os.close(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        time.sleep(2.0)   # the promise: from 1.5 s after the rename on
        p.stdin.write("\n")
        p.stdin.flush()
        out, err = p.communicate(timeout=60)
    finally:
        watchdog.cancel()
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    check(p.returncode == 0 and out.strip() == "outcome=FFF", f"host: exit {p.returncode}, {out!r}")
    check(len(warning_lines(err)) <= 1, f"warnings: {warning_lines(err)}")
    rotated = old.read_bytes()
    read_jsonl(old)
    check(rotated == before, f"{len(read_jsonl(old)) - n_before} lines went on into the renamed "
          f"{old.name} after the rename (new LOG {'exists' if log.exists() else 'does not exist'})")
    check(log.exists(), "no new log file at the path after the rename: the later lines were lost")
    after = read_jsonl(log)
    check(len(after) == 2 * n_before and all(e["event"] == "handshake_failed" for e in after),
          f"the new log holds {[(e['role'], e['event']) for e in after]}, expected {2 * n_before} failures")
    return None


CASES = [
    # 1: stderr a pipe nobody reads
    ("sinks: stderr pipe nobody reads, json, 20 bulky failures: host unchanged",
     stderr_unread_pipe, "json", 0, 20),
    ("sinks: stderr pipe nobody reads, text, 60 bulky failures: host unchanged",
     stderr_unread_pipe, "text", 0, 60),
    ("sinks: stderr pipe nobody reads holding 60 KiB already, json: host unchanged",
     stderr_unread_pipe, "json", 15, 20),
    ("sinks: stderr pipe nobody reads holding 60 KiB already, text: host unchanged",
     stderr_unread_pipe, "text", 15, 20),
    # 2: a FIFO as the file sink
    *[(f"sinks: FIFO sink, no reader: {h} does not hang", fifo_no_reader, h) for h in FIFO_HOSTS],
    *[(f"sinks: FIFO sink with a reader: {h} unchanged, whole lines", fifo_with_reader, h)
      for h in FIFO_HOSTS],
    ("sinks: FIFO sink whose reader never reads: host does not stall, whole lines",
     fifo_reader_never_reads),
    # 3: refused paths
    ("sinks: file in a sticky 1777 directory owned by nobody: refused", refused_world_writable_dir, 0o1777),
    ("sinks: file in a 0777 directory owned by nobody: refused", refused_world_writable_dir, 0o777),
    ("sinks: nobody's 0666 file in nobody's 1777 directory: refused", refused_precreated_file),
    ("sinks: a directory as the file sink: no hang, no crash", directory_as_path),
    ("sinks: a listening unix socket as the file sink: no hang, no crash", socket_as_path),
    # 4: fd 2 decided at start-up
    ("sinks: daemon's O_WRONLY|O_APPEND data file becomes fd 2 after start (was a pipe): untouched",
     fd2_append_only_data_file, False),
    ("sinks: daemon's O_WRONLY|O_APPEND data file becomes fd 2 after start (was closed): untouched",
     fd2_append_only_data_file, True),
    # 5: rotation
    ("sinks: log renamed (rotation without create): later failures in a new LOG, not LOG.1",
     rotated_by_rename, False),
    ("sinks: log renamed and a new empty LOG created: later failures there, not LOG.1",
     rotated_by_rename, True),
    # 6: whole lines
    ("sinks: stderr pipe nobody reads, json: what it holds is whole lines",
     stderr_unread_pipe_whole_lines, "json", 0, 20),
    ("sinks: stderr pipe nobody reads, text: what it holds is whole lines",
     stderr_unread_pipe_whole_lines, "text", 0, 60),
    ("sinks: stderr pipe holding 60 KiB already, json: what it takes is whole lines",
     stderr_unread_pipe_whole_lines, "json", 15, 20),
    ("sinks: stderr pipe holding 60 KiB already, text: what it takes is whole lines",
     stderr_unread_pipe_whole_lines, "text", 15, 20),
    ("sinks: one-page stderr pipe, json reports bigger than it: host unchanged, no part of one",
     stderr_pipe_smaller_than_report),
    ("sinks: stderr pipe read slowly, json: every line whole", stderr_slow_reader_whole_lines, "json"),
    ("sinks: stderr pipe read slowly, text: every line whole", stderr_slow_reader_whole_lines, "text"),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)


TARGETS = {"check-sinks": [cases]}
