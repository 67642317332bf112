# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Output faults: wherever tlsdiag's output cannot go, the host must not notice. For each fault
the host's handshake outcomes, its stdout and its exit status must be those of the same run with
TLSDIAG=0; no SIGPIPE may reach it; tlsdiag may say so in at most one warning line.

Hosts: test/guest/hshost.c (C, SIGPIPE left at its default, so one stray SIGPIPE kills it and
shows as exit -13) and test/guest/py_host.py (Python, which would raise BrokenPipeError)."""
import os
import stat
import subprocess
import time
from pathlib import Path

from guestlib import (
    PYTHON, Skip, as_steps, check, make_ca_and_leaf, read_jsonl, host_env, warning_lines)
import tdlib  # noqa: E402  (on sys.path once guestlib is imported)

HERE = Path(__file__).resolve().parent
STEPS = ["fail", "ok", "fail12", "ok12", "fail*3"]


def _run(argv, env, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60):
    res = tdlib.run(argv, env, timeout=timeout, stdin=stdin, stderr=stderr)
    if res.timed_out:
        raise AssertionError(f"{os.path.basename(argv[0])} hung: killed after {timeout}s")
    return res.rc, res.stdout, res.stderr


def _same_as_off(build, argv, env_on, stderr_factory=None, timeout=60):
    """Run argv with tlsdiag on and off under the same fault; compare what the host shows."""
    results = []
    for env in (env_on, host_env(build.cnf, mode="0")):
        stderr, cleanup = stderr_factory() if stderr_factory else (subprocess.PIPE, None)
        try:
            results.append(_run(argv, env, stderr=stderr, timeout=timeout))
        finally:
            if cleanup:
                cleanup()
    (rc, out, err), (rc_off, out_off, _) = results
    check(rc != -13 and rc != 141, f"the host died of SIGPIPE (exit {rc}); stdout {out!r}")
    check((rc, out) == (rc_off, out_off),
          f"host differs with tlsdiag on: exit {rc} vs {rc_off} off, stdout {out!r} vs {out_off!r}")
    warnings = warning_lines(err)
    check(len(warnings) <= 1, f"{len(warnings)} tlsdiag warnings: {warnings}")
    return rc, out, err


def _broken_pipe():
    r, w = os.pipe()
    os.close(r)   # the reader has gone before the host writes anything
    return w, lambda: os.close(w)


def _needs_mount_ns():
    p = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if p.returncode != 0:
        raise Skip(f"cannot make a mount namespace here (unshare -m: {p.stderr.decode().strip()})")


def _hshost(build, *args):
    return [build.prog("hshost"), *args, *STEPS]


def _on(build, **kw):
    kw.setdefault("mode", "trace")
    kw.setdefault("fmt", "text")
    kw.setdefault("window", 0)
    return host_env(build.cnf, **kw)


# ---- stderr --------------------------------------------------------------------------------

def stderr_closed(build, tmp):
    argv = ["sh", "-c", 'exec "$0" "$@" 2>&-', *_hshost(build)]
    _same_as_off(build, argv, _on(build))


def stderr_closed_reused(build, tmp, when):
    """fd 2 closed, then the host opens a data file, which gets fd 2. tlsdiag must never write
    its diagnostics into that file, whether the host opened it before or after tlsdiag began."""
    data = tmp / f"data-{when}.db"
    argv = ["sh", "-c", 'exec "$0" "$@" 2>&-', *_hshost(build, f"--open-{when}", str(data))]
    rc, out, _ = _same_as_off(build, argv, _on(build))
    check("data_fd=2 " in out, f"the data file did not land on fd 2, so this proves nothing: {out!r}")
    check("data_intact=1" in out and rc == 0, f"tlsdiag wrote into the host's data file on fd 2: "
          f"{data.read_bytes()[:300]!r}")


def stderr_broken_pipe(build, tmp, *extra):
    env = _on(build)
    _same_as_off(build, _hshost(build, *extra), env, stderr_factory=_broken_pipe)


def stderr_broken_pipe_python(build, tmp):
    pki = make_ca_and_leaf(tmp / "pki-py")
    argv = [PYTHON, str(HERE / "py_host.py"), pki["ca"], pki["cert"], pki["key"], "fail", "ok", "fail", "ok"]
    rc, out, _ = _same_as_off(build, argv, _on(build), stderr_factory=_broken_pipe)
    check(rc == 0 and out.strip() == "outcome=FOFO" and "BrokenPipe" not in out,
          f"python host: exit {rc}, {out!r}")


def broken_pipe_and_failing_file(build, tmp):
    """The file sink fails (ENOSPC) and the warning about it has nowhere to go either."""
    _same_as_off(build, _hshost(build), _on(build, output="file:/dev/full"), stderr_factory=_broken_pipe)


def broken_pipe_and_bad_setting(build, tmp):
    """A value tlsdiag does not understand, warned about on a stderr whose reader has gone."""
    _same_as_off(build, _hshost(build), _on(build, fmt="yaml"), stderr_factory=_broken_pipe)


def _full_pipe():
    """A pipe whose reader stays open and never reads."""
    r, w = os.pipe()

    def cleanup():
        os.close(w)
        os.close(r)
    return w, cleanup


def stderr_full_pipe(build, tmp):
    """stderr is a pipe whose reader never reads. Reports bigger than a pipe page (JSON, names
    full of escapes) keep coming after it is full: the host must finish as if tlsdiag were off."""
    argv = [build.prog("hshost"), "--bulky-cert", "fail*120"]
    start = time.monotonic()
    _same_as_off(build, argv, _on(build, mode="1", fmt="json"), stderr_factory=_full_pipe, timeout=60)
    return f"finished in {time.monotonic() - start:.1f}s"


def stderr_full_pipe_whole_lines(build, tmp):
    """What did fit into that pipe is whole lines: a line cut short would corrupt the next."""
    r, w = os.pipe()
    argv = [build.prog("hshost"), "--bulky-cert", "fail*120"]
    try:
        rc, out, _ = _run(argv, _on(build, mode="1", fmt="json"), stderr=w, timeout=60)
    finally:
        os.close(w)
    held = tdlib.drain_now(r)
    os.close(r)
    check(rc == 0, f"host exit {rc}")
    check(len(held) >= 32768, f"the pipe held only {len(held)} bytes: it never filled, so this proves nothing")
    path = tmp / "full-pipe.jsonl"
    path.write_bytes(held)
    events = read_jsonl(path)
    return f"pipe held {len(held)} bytes = {len(events)} whole lines"


# ---- files ---------------------------------------------------------------------------------

def read_only_directory(build, tmp):
    # Root ignores directory permission bits, so the directory is a read-only mount instead.
    _needs_mount_ns()
    d = tmp / "ro"
    d.mkdir()
    argv = ["unshare", "-m", "sh", "-c", 'mount -t tmpfs -o ro,size=64k tmpfs "$1" || exit 97; '
            'shift; exec "$@"', "sh", str(d), *_hshost(build)]
    _, _, err = _same_as_off(build, argv, _on(build, output=f"file:{d}/out.log"))
    check(not any("tlsdiag:" in l and "warning" not in l for l in err.splitlines()),
          f"diagnostics went to stderr instead: {err[:300]!r}")
    return f"warning: {warning_lines(err)}"


def deleted_while_running(build, tmp):
    """Lines written after the log file is deleted go to a new file at the same path."""
    log = tmp / "rotated.jsonl"
    argv = [build.prog("hshost"), "fail", "ok", "pause", "fail12", "ok12"]
    env = _on(build, fmt="json", output=f"file:{log}")
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        check(p.stdout.readline().strip() == "paused", "host did not pause")
        before = read_jsonl(log)
        log.unlink()
        # tlsdiag looks at the log's link count at most once a second (a system call per trace
        # line showed in `make bench`), so the promise is: lines from a second after the
        # deletion on land in the new file.
        time.sleep(1.1)
        p.stdin.write("\n")
        p.stdin.flush()
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    check(p.returncode == 0 and out.strip() == "outcome=FOFO", f"host: exit {p.returncode}, {out!r}")
    check(len(warning_lines(err)) <= 1, f"warnings: {warning_lines(err)}")
    check(len(before) == 4, f"{len(before)} lines before the deletion, expected 4 (2 handshakes x 2 sides)")
    check(log.exists(), "no new file after the old one was deleted: later lines were lost")
    mode = stat.S_IMODE(log.stat().st_mode)
    check(mode == 0o600, f"the recreated file has mode {oct(mode)}, expected 0600")
    after = read_jsonl(log)
    check([e["event"] for e in after].count("handshake_failed") == 2 and len(after) == 4,
          f"recreated file holds {[(e['role'], e['event']) for e in after]}, expected the 4 later events")
    return None


def dev_full(build, tmp):
    _, _, err = _same_as_off(build, _hshost(build), _on(build, output="file:/dev/full"))
    return f"warning: {warning_lines(err)}"


_tmpfs = {}


def _fill_tmpfs(build, tmp):
    if "result" not in _tmpfs:
        _needs_mount_ns()
        d = tmp / "small"
        d.mkdir()
        copy = tmp / "small-copy.jsonl"
        argv = ["unshare", "-m", "sh", "-c",
                'mount -t tmpfs -o size=16k tmpfs "$1" || exit 97; d=$1; c=$2; shift 2; "$@"; rc=$?; '
                'cp "$d/out.log" "$c" 2>/dev/null; exit $rc', "sh", str(d), str(copy),
                build.prog("hshost"), "ok*20", "fail*20", "ok*20"]
        env = _on(build, fmt="json", output=f"file:{d}/out.log")
        _tmpfs["result"] = _same_as_off(build, argv, env)
        _tmpfs["copy"] = copy
    return _tmpfs["result"], _tmpfs["copy"]


def tmpfs_fills(build, tmp):
    (rc, out, err), copy = _fill_tmpfs(build, tmp)
    check(copy.exists(), "no log file was written at all")
    size = copy.stat().st_size
    check(size >= 12 * 1024, f"the 16k file system never filled ({size} bytes), so this proves nothing")
    return f"{size} bytes written, warning: {warning_lines(err)}"


def tmpfs_fills_whole_lines(build, tmp):
    _, copy = _fill_tmpfs(build, tmp)
    check(copy.exists(), "no log file was written at all")
    events = read_jsonl(copy)
    return f"{len(events)} whole lines"


def syslog_without_dev_log(build, tmp):
    argv = _hshost(build)
    if os.path.exists("/dev/log"):
        _needs_mount_ns()
        argv = ["unshare", "-m", "sh", "-c", 'mount --bind /dev/null /dev/log || exit 97; exec "$@"',
                "sh", *argv]
        how = "/dev/log hidden in a mount namespace"
    else:
        how = "this machine has no /dev/log"
    _, _, err = _same_as_off(build, argv, _on(build, output="syslog"))
    return f"{how}; warning: {warning_lines(err)}"


CASES = [
    ("output: stderr closed (2>&-)", stderr_closed),
    ("output: stderr closed, fd 2 reused by a data file opened after tlsdiag started",
     stderr_closed_reused, "after"),
    ("output: stderr closed, fd 2 reused by a data file opened before tlsdiag started",
     stderr_closed_reused, "before"),
    ("output: stderr a pipe whose reader exited (C host, default SIGPIPE)", stderr_broken_pipe),
    ("output: stderr a pipe whose reader exited (C host with a SIGPIPE handler)",
     stderr_broken_pipe, "--sigpipe-handler"),
    ("output: stderr a pipe whose reader exited (Python host, no BrokenPipeError)",
     stderr_broken_pipe_python),
    ("output: file sink fails and stderr is a pipe whose reader exited", broken_pipe_and_failing_file),
    ("output: bad TLSDIAG_FORMAT value and stderr is a pipe whose reader exited",
     broken_pipe_and_bad_setting),
    ("output: stderr a full pipe nobody reads: host does not block", stderr_full_pipe),
    ("output: stderr a full pipe nobody reads: what fits is whole lines", stderr_full_pipe_whole_lines),
    ("output: file in a read-only directory", read_only_directory),
    ("output: file deleted while running -> later lines in a recreated 0600 file", deleted_while_running),
    ("output: file:/dev/full (ENOSPC)", dev_full),
    ("output: file on a 16k tmpfs that fills up", tmpfs_fills),
    ("output: file on a tmpfs that fills up keeps only whole lines", tmpfs_fills_whole_lines),
    ("output: syslog without /dev/log", syslog_without_dev_log),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)
