"""Shared pieces of the end-to-end tests: environments, servers, clients, events.

Everything runs on 127.0.0.1 with ports the servers pick themselves. A server is
"ready" when it has said which port it bound; nothing here sleeps to wait for one.
"""
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")

# Variables that would change what a TLS client does, or whether tlsdiag is on.
# Every run starts from an environment without them, then adds what it needs.
_SCRUBBED = re.compile(
    r"^(OPENSSL_CONF|OPENSSL_MODULES|OPENSSL_ENGINES|TLSDIAG.*|SSL_CERT_FILE|SSL_CERT_DIR|"
    r"CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|SSLKEYLOGFILE|CURL_HOME|"
    r"[Hh][Tt][Tt][Pp][Ss]?_[Pp][Rr][Oo][Xx][Yy]|[Aa][Ll][Ll]_[Pp][Rr][Oo][Xx][Yy]|"
    r"[Nn][Oo]_[Pp][Rr][Oo][Xx][Yy]|PYTHON(PATH|HOME|STARTUP|WARNINGS))$")

SECTIONS = {"CERTIFICATE_VERIFY_FAILED", "TLSV1_ALERT_PROTOCOL_VERSION", "INVALID_STATUS_RESPONSE",
            "SSLV3_ALERT_HANDSHAKE_FAILURE", "UNSAFE_LEGACY_RENEGOTIATION_DISABLED", "OTHER"}
EVENTS = {"handshake_failed", "handshake_ok", "repeat_summary"}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def base_env():
    env = {k: v for k, v in os.environ.items() if not _SCRUBBED.match(k)}
    env["LC_ALL"] = "C"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Tell curl not to read ~/.curlrc, whatever HOME is.
    env["CURL_HOME"] = "/nonexistent"
    return env


def tlsdiag_env(build, mode="1", fmt="json", output=None):
    """The variables that turn tlsdiag on: its config plus TLSDIAG*."""
    env = {"OPENSSL_CONF": str(Path(build) / "openssl.cnf"), "TLSDIAG": mode, "TLSDIAG_FORMAT": fmt}
    if output:
        env["TLSDIAG_OUTPUT"] = output
    return env


class ServerError(Exception):
    pass


class Server:
    """A server process in its own session, so that stopping it reaches every child."""

    READY = re.compile(r"^(?:ACCEPT \S*:(\d+)|PORT (\d+))\s*$", re.M)

    def __init__(self, argv, env, log_path, ready_timeout=10.0):
        self.argv = argv
        self.log_path = Path(log_path)
        self.proc = None
        self.port = None
        self._log = open(self.log_path, "wb")
        try:
            # stdin stays an open pipe that is never written: s_server treats EOF on
            # stdin as "quit" after its first connection.
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=self._log,
                                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
        except OSError as e:
            self._log.close()
            raise ServerError("cannot start %s: %s" % (argv[0], e))
        deadline = time.monotonic() + ready_timeout
        while self.port is None:
            m = self.READY.search(self.log())
            if m:
                self.port = int(m.group(1) or m.group(2))
            elif self.proc.poll() is not None:
                rc = self.proc.returncode
                self.stop()
                raise ServerError("server exited with %s before it was ready: %s" % (rc, self.log_tail()))
            elif time.monotonic() > deadline:
                self.stop()
                raise ServerError("server not ready after %.0fs: %s" % (ready_timeout, self.log_tail()))
            else:
                time.sleep(0.02)

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=6):
        return " | ".join(self.log().strip().splitlines()[-n:])

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        if self.proc.stdin:
            self.proc.stdin.close()
        self._log.close()
        self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Result:
    def __init__(self, rc, stdout, stderr, timed_out=False):
        self.rc, self.stdout, self.stderr, self.timed_out = rc, stdout, stderr, timed_out

    def describe(self):
        return "exit %s%s, stdout %r, stderr %r" % (
            self.rc, " (timed out)" if self.timed_out else "", clip(self.stdout), clip(self.stderr))


def run(argv, env, timeout=30.0, cwd=None):
    """Run a client to completion in its own session; kill its whole group on timeout."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        return Result(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return Result(proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"), True)


def read_events(path):
    """Parse a JSON Lines file. Returns (events, problems); a missing file is no events."""
    events, problems = [], []
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:
        return events, problems
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        duplicates = []

        def pairs(items, duplicates=duplicates):
            seen = set()
            for k, _ in items:
                if k in seen:
                    duplicates.append(k)
                seen.add(k)
            return dict(items)
        try:
            obj = json.loads(line, object_pairs_hook=pairs)
        except ValueError as e:
            problems.append("line %d is not JSON (%s): %s" % (n, e, clip(line)))
            continue
        if not isinstance(obj, dict):
            problems.append("line %d is not an object" % n)
            continue
        if duplicates:
            problems.append("line %d repeats key(s) %s in one object" % (n, ", ".join(sorted(set(duplicates)))))
        events.append(obj)
    return events, problems


def contract_problems(ev):
    """What in one event breaks the tlsdiag/1 JSON Lines contract."""
    p = []
    if ev.get("schema") != "tlsdiag/1":
        p.append("schema is %r, not 'tlsdiag/1'" % ev.get("schema"))
    kind = ev.get("event")
    if kind not in EVENTS:
        p.append("event is %r" % kind)
    if not isinstance(ev.get("time"), str) or not RFC3339_UTC.match(ev["time"]):
        p.append("time %r is not RFC 3339 UTC" % ev.get("time"))
    if not isinstance(ev.get("pid"), int) or isinstance(ev.get("pid"), bool):
        p.append("pid %r is not an integer" % ev.get("pid"))
    if not isinstance(ev.get("program"), str) or not ev.get("program"):
        p.append("program missing")
    if kind in ("handshake_failed", "handshake_ok") and ev.get("role") not in ("client", "server"):
        p.append("role is %r" % ev.get("role"))
    if kind == "handshake_failed":
        if ev.get("section") not in SECTIONS:
            p.append("section %r is not a guide section" % ev.get("section"))
        for key in ("cause", "summary", "fix", "guide_url"):
            if not isinstance(ev.get(key), str) or not ev.get(key):
                p.append("%s missing or empty" % key)
    if kind == "repeat_summary" and not isinstance(ev.get("count"), int):
        p.append("repeat_summary without an integer count")
    return p


def lookup(obj, path):
    """Values at a dotted path; '*' matches every key or index at that level.
    Returns a list (empty when the path does not exist)."""
    current = [obj]
    for part in path.split("."):
        nxt = []
        for node in current:
            if part == "*":
                if isinstance(node, dict):
                    nxt.extend(node.values())
                elif isinstance(node, list):
                    nxt.extend(node)
            elif isinstance(node, dict) and part in node:
                nxt.append(node[part])
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                nxt.append(node[int(part)])
        current = nxt
    return current


def scalar_text(v):
    """How an expectation sees a JSON value: true/false/null spelled as in JSON,
    objects and lists as compact JSON."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, separators=(",", ":"))
    return str(v)


def clip(s, n=300):
    s = s if isinstance(s, str) else repr(s)
    s = s.strip().replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


def make_pki(build):
    """Generate (or reuse) the test PKI under BUILD/test-pki; return its path."""
    pki = Path(build) / "test-pki"
    r = run(["sh", str(ROOT / "test/pki/make-pki.sh"), str(pki)], base_env(), timeout=120)
    if r.rc != 0:
        raise SystemExit("make-pki.sh failed: " + r.describe())
    return pki


def scratch_dir(prefix):
    return Path(tempfile.mkdtemp(prefix=prefix))


@contextlib.contextmanager
def scratch(prefix):
    """A scratch directory for the with block, removed when the block ends, however it ends."""
    path = scratch_dir(prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# ---- the ok/FAIL report of a check script ------------------------------------------------

_failures = []


def expect(cond, what, detail=""):
    """Print "ok  WHAT" or "FAIL WHAT[: DETAIL]" and remember a failure; return cond."""
    print("%s %s%s" % ("ok  " if cond else "FAIL", what, ": " + detail if detail and not cond else ""))
    if not cond:
        _failures.append(what)
    return cond


def finish(name):
    """Print the script's last line, "NAME: all passed" or "NAME: N failed"; return its exit status."""
    print("%s: %s" % (name, "%d failed" % len(_failures) if _failures else "all passed"))
    return 1 if _failures else 0
