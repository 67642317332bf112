# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""The one test library of tlsdiag: every runner and check module imports it.

  environment  SCRUB, base_env(**extra), tlsdiag_env(build_or_cnf, mode, fmt, output, window)
  processes    run(argv, env) -> Result; Server (any server that prints its port);
               SServer (openssl s_server -WWW on a port it picks)
  events       read_events(path) -> (events, problems), read_jsonl(path) -> events:
               every line one whole tlsdiag/1 JSON object, no private-key marker;
               contract_problems(event), lookup(event, "a.b.*"), scalar_text(value)
  certificates make_pki(build) (test/pki/make-pki.sh), make_ocsp_fixtures(dir)
               (test/pki/ocsp-fixtures.sh), make_ca_and_leaf(dir), staple_facts(der)
  skipping     Skip, missing(requirement) / require(*requirements), EXIT_SKIP (77)
  reporting    Tally (passed/failed/skipped, the "N passed, N failed[, N skipped]" line and
               the exit status), expect/skip/finish for the ok/FAIL style check scripts

Everything runs on 127.0.0.1 with ports the servers pick themselves. A server is
"ready" when it has said which port it bound; nothing here sleeps to wait for one.
Run as a script, for the shell scripts: `tdlib.py --unset-args` prints env(1) arguments
("-u NAME" per line) that remove from the current environment what base_env() removes;
`tdlib.py --count-events FILE` prints how many events read_events() finds in FILE and exits 1
(problems on stderr) when it finds any problem.
"""
import contextlib
import datetime
import functools
import json
import os
import socket
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

ROOT = Path(__file__).resolve().parents[2]
TLSDIAG_VERSION = (ROOT / "VERSION").read_text().strip()
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
EXIT_SKIP = 77

# ---- the environment ---------------------------------------------------------------------

# Variables that would change what a TLS host does, or whether tlsdiag is on, or how a test
# tool behaves: OpenSSL's and tlsdiag's own, trust-store and key-log overrides, proxies,
# Python start-up hooks, sanitizer options, preloads and faketime's clock.
# Every run starts from an environment without them, then adds what it needs.
SCRUB = re.compile(
    r"^(OPENSSL_.*|TLSDIAG.*|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE|REQUESTS_CA_BUNDLE|"
    r"SSLKEYLOGFILE|CURL_HOME|(?i:[a-z_]*_proxy)|PYTHON(PATH|HOME|STARTUP|WARNINGS)|"
    r"[A-Z]*SAN_OPTIONS|LD_PRELOAD|FAKETIME.*)$")


def base_env(**extra):
    """The caller's environment without SCRUB's variables, in the C locale, plus extra."""
    env = {k: v for k, v in os.environ.items() if not SCRUB.match(k)}
    env["LC_ALL"] = "C"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Tell curl not to read ~/.curlrc, whatever HOME is.
    env["CURL_HOME"] = "/nonexistent"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def tlsdiag_env(where, mode="1", fmt="json", output=None, window=None):
    """The variables that turn tlsdiag on: its config plus TLSDIAG*. where is a build
    directory (its openssl.cnf is used) or an openssl.cnf itself."""
    cnf = Path(where)
    if cnf.suffix != ".cnf":
        cnf = cnf / "openssl.cnf"
    env = {"OPENSSL_CONF": str(cnf), "TLSDIAG": mode, "TLSDIAG_FORMAT": fmt}
    if output is not None:
        env["TLSDIAG_OUTPUT"] = output
    if window is not None:
        env["TLSDIAG_REPEAT_WINDOW"] = str(window)
    if window == 0 or mode == "trace":
        # A test that asks for every failure explained, or for a trace line per handshake,
        # wants the rate limit off as well; the limit's own tests set TLSDIAG_RATE_LIMIT.
        env["TLSDIAG_RATE_LIMIT"] = "0"
    return env


# ---- skipping ----------------------------------------------------------------------------

class Skip(Exception):
    """What cannot run on this machine (a tool, a module, root): said so in the output,
    counted as skipped, never as passed or failed."""


def _python_has(module):
    p = subprocess.run([PYTHON, "-c", "import " + module], capture_output=True, env=base_env())
    return p.returncode == 0


# What tlsdiag recognises PyMongo by (provider/runtime.c): one of its C extensions mapped into
# the process, which PyMongo's message module tries to load even when the import then fails.
_PYMONGO_MAPS_AN_EXTENSION = (
    "import pymongo, pymongo.message\n"
    "maps = open('/proc/self/maps').read()\n"
    "print('/pymongo/' in maps or '/bson/_cbson' in maps)")


@functools.lru_cache(maxsize=None)
def pymongo_has_c():
    """Whether PyMongo here maps one of its C extensions (pymongo.has_c(); Debian:
    python3-pymongo-ext). Without one, tlsdiag cannot tell PyMongo from plain Python."""
    p = subprocess.run([PYTHON, "-c", _PYMONGO_MAPS_AN_EXTENSION],
                       capture_output=True, text=True, env=base_env())
    return p.stdout.strip() == "True"


@functools.lru_cache(maxsize=None)
def missing(requirement):
    """None when requirement holds on this machine, else why not. A requirement is
    "root", "pymongo-c" (PyMongo with its C extensions), "python:MODULE" (importable by
    PYTHON), or the name or path of a program."""
    if requirement == "root":
        return None if os.geteuid() == 0 else "needs root"
    if requirement == "pymongo-c":
        return None if pymongo_has_c() else "PyMongo has no C extensions here"
    if requirement.startswith("python:"):
        module = requirement[len("python:"):]
        return None if _python_has(module) else "%s cannot import %s" % (PYTHON, module)
    if "/" in requirement:
        return None if os.access(requirement, os.X_OK) else "%s is not there" % requirement
    return None if shutil.which(requirement) else "%s is not installed" % requirement


def require(*requirements):
    """Raise Skip naming every requirement that does not hold."""
    why = [m for m in (missing(r) for r in requirements) if m]
    if why:
        raise Skip("; ".join(why))


# ---- processes ---------------------------------------------------------------------------

class ServerError(AssertionError):
    """A server did not start: fails whatever needed it."""


class Server:
    """A server process in its own session, so that stopping it reaches every child.
    Everything it prints goes to log_path (a file, never a pipe that could fill up)."""

    READY = re.compile(r"^(?:ACCEPT \S*:(\d+)|PORT (\d+))\s*$", re.M)

    def __init__(self, argv, env=None, log_path=None, ready_timeout=10.0):
        self.argv = [str(a) for a in argv]
        self.proc = None
        self.port = None
        self._own_log = log_path is None
        if self._own_log:
            fd, log_path = tempfile.mkstemp(prefix="tlsdiag-server-", suffix=".log")
            os.close(fd)
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "wb")
        try:
            # stdin stays an open pipe that is never written: s_server treats EOF on
            # stdin as "quit" after its first connection.
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=self._log,
                                         stderr=subprocess.STDOUT, env=env or base_env(),
                                         start_new_session=True)
        except OSError as e:
            self._log.close()
            raise ServerError("cannot start %s: %s" % (self.argv[0], e))
        deadline = time.monotonic() + ready_timeout
        while self.port is None:
            m = self.READY.search(self.log())
            if m:
                self.port = int(m.group(1) or m.group(2))
            elif self.proc.poll() is not None:
                rc = self.proc.returncode
                tail = self.log_tail()
                self.stop()
                raise ServerError("%s exited with %s before it was ready: %s" % (self.argv[:3], rc, tail))
            elif time.monotonic() > deadline:
                tail = self.log_tail()
                self.stop()
                raise ServerError("%s not ready after %.0fs: %s" % (self.argv[:3], ready_timeout, tail))
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
                self.proc.wait(timeout=5)
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
        if self._own_log:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class SServer(Server):
    """openssl s_server -WWW (so it never reads stdin) on 127.0.0.1 with a port it chose,
    plus args. Runs without tlsdiag unless env turns it on; its output goes to log (a
    temporary file when not given)."""

    def __init__(self, args, env=None, log=None):
        super().__init__(["openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW"] + list(args),
                         env, log)


class Result:
    def __init__(self, rc, stdout, stderr, timed_out=False, took=0.0):
        self.rc, self.stdout, self.stderr, self.timed_out, self.took = rc, stdout, stderr, timed_out, took

    def describe(self):
        return "exit %s%s, stdout %r, stderr %r" % (
            self.rc, " (timed out)" if self.timed_out else "", clip(self.stdout), clip(self.stderr))


def run(argv, env=None, timeout=30.0, cwd=None, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE):
    """Run a client to completion in its own session; kill its whole group on timeout. stderr
    may be a file descriptor of the caller's (then Result.stderr is "")."""
    start = time.monotonic()
    proc = subprocess.Popen([str(a) for a in argv], stdin=stdin, stdout=subprocess.PIPE,
                            stderr=stderr, env=env or base_env(), cwd=cwd, start_new_session=True)
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    return Result(proc.returncode, out.decode(errors="replace"),
                  err.decode(errors="replace") if err is not None else "", timed_out,
                  time.monotonic() - start)


def drain_now(fd):
    """Everything a pipe or FIFO holds right now, without waiting."""
    os.set_blocking(fd, False)
    held = b""
    try:
        while True:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            held += chunk
    except BlockingIOError:
        pass
    return held


# ---- events ------------------------------------------------------------------------------

SECTIONS = {"CERTIFICATE_VERIFY_FAILED", "TLSV1_ALERT_PROTOCOL_VERSION", "INVALID_STATUS_RESPONSE",
            "SSLV3_ALERT_HANDSHAKE_FAILURE", "UNSAFE_LEGACY_RENEGOTIATION_DISABLED", "OTHER"}
EVENTS = {"handshake_failed", "handshake_ok", "repeat_summary", "rate_limited", "reports_dropped"}
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def parse_events(data, where="events"):
    """(events, problems) of tlsdiag's JSON Lines output as bytes. Every line must be one
    whole tlsdiag/1 JSON object (no half-written or interleaved line, no repeated key, no
    blank line), the last line terminated, and no private-key PEM marker anywhere."""
    events, problems = [], []
    if data and not data.endswith(b"\n"):
        problems.append("%s: last line is not terminated: %r" % (where, data[-120:]))
    if b"PRIVATE KEY" in data:
        problems.append("%s: a private key PEM marker in tlsdiag's output" % where)
    for n, raw in enumerate(data.splitlines(), 1):
        duplicates = []

        def pairs(items, duplicates=duplicates):
            seen = set()
            for k, _ in items:
                if k in seen:
                    duplicates.append(k)
                seen.add(k)
            return dict(items)
        try:
            obj = json.loads(raw.decode("utf-8"), object_pairs_hook=pairs)
        except (UnicodeDecodeError, ValueError) as e:
            problems.append("%s:%d: not a JSON object (%s): %r" % (where, n, e, raw[:200]))
            continue
        if not isinstance(obj, dict) or obj.get("schema") != "tlsdiag/1":
            problems.append("%s:%d: not a tlsdiag/1 object: %r" % (where, n, raw[:200]))
            continue
        if duplicates:
            problems.append("%s:%d: repeats key(s) %s in one object"
                            % (where, n, ", ".join(sorted(set(duplicates)))))
        events.append(obj)
    return events, problems


def read_events(path):
    """(events, problems) of a JSON Lines file (parse_events); a missing file is no events."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return [], []
    return parse_events(data, str(path))


def read_jsonl(path):
    """The events of a JSON Lines file; any problem parse_events finds raises AssertionError
    (fails the check that reads it). A missing file raises FileNotFoundError."""
    events, problems = parse_events(Path(path).read_bytes(), str(path))
    if problems:
        raise AssertionError("; ".join(problems[:3]))
    return events


def contract_problems(ev):
    """What in one event breaks the tlsdiag/1 JSON Lines contract."""
    p = []
    if ev.get("schema") != "tlsdiag/1":
        p.append("schema is %r, not 'tlsdiag/1'" % ev.get("schema"))
    if ev.get("tlsdiag") != TLSDIAG_VERSION:
        p.append("tlsdiag (the version) is %r, not %r (VERSION)" % (ev.get("tlsdiag"), TLSDIAG_VERSION))
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


def tally(events, *keys):
    """Counts of events by the given fields (dotted paths allowed), as a dict of tuples."""
    out = {}
    for e in events:
        k = []
        for key in keys:
            v = e
            for part in key.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            k.append(v)
        out[tuple(k)] = out.get(tuple(k), 0) + 1
    return out


def clip(s, n=300):
    s = s if isinstance(s, str) else repr(s)
    s = s.strip().replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


# ---- certificates ------------------------------------------------------------------------

def make_pki(build):
    """Generate (or reuse) the test PKI under BUILD/test-pki; return its path."""
    pki = Path(build) / "test-pki"
    r = run(["sh", str(ROOT / "test/pki/make-pki.sh"), str(pki)], base_env(), timeout=120)
    if r.rc != 0:
        raise SystemExit("make-pki.sh failed: " + r.describe())
    return pki


def make_ocsp_fixtures(directory):
    """Generate (or reuse) test/pki/ocsp-fixtures.sh's certificates and staples in directory.
    Raises Skip without faketime (the staples dated outside now need it)."""
    require("faketime")
    r = run(["sh", str(ROOT / "test/pki/ocsp-fixtures.sh"), str(directory)], base_env(), timeout=180)
    if r.rc != 0:
        raise RuntimeError("ocsp-fixtures.sh failed: " + r.describe())
    return Path(directory)


def make_ca_and_leaf(dirpath, names=("localhost",), cn="localhost"):
    """A private CA and a leaf for 127.0.0.1 and the given DNS names, made with the openssl CLI.
    Returns dict of paths: ca, ca_key, cert, key."""
    d = Path(dirpath)
    d.mkdir(parents=True, exist_ok=True)
    p = {k: str(d / f"{k}.pem") for k in ("ca", "ca_key", "cert", "key", "csr")}
    env = base_env()
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    subprocess.run(["openssl", "req", "-x509", *ec, "-keyout", p["ca_key"], "-out", p["ca"],
                    "-subj", "/CN=tlsdiag guest test CA", "-days", "2",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
                   check=True, env=env, capture_output=True)
    subprocess.run(["openssl", "req", *ec, "-keyout", p["key"], "-out", p["csr"],
                    "-subj", f"/CN={cn}"], check=True, env=env, capture_output=True)
    ext = d / "leaf.ext"
    sans = ",".join([f"DNS:{n}" for n in names] + ["IP:127.0.0.1"])
    ext.write_text(f"subjectAltName={sans}\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", p["csr"], "-CA", p["ca"], "-CAkey", p["ca_key"],
                    "-CAcreateserial", "-out", p["cert"], "-days", "2", "-extfile", str(ext)],
                   check=True, env=env, capture_output=True)
    return p


def _openssl_time(text):
    """'Dec  4 10:00:37 2026 GMT' -> '2026-12-04T10:00:37Z'."""
    t = datetime.datetime.strptime(" ".join(text.split()), "%b %d %H:%M:%S %Y GMT")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def staple_facts(der):
    """What `openssl ocsp -resp_text` itself reads in an OCSP response file: the ground truth
    for tlsdiag's staple evidence. Keys: length, response_status, cert_status,
    revocation_reason, this_update, next_update, revocation_time (None when absent)."""
    der = Path(der)
    out = subprocess.run(["openssl", "ocsp", "-respin", str(der), "-resp_text", "-noverify"],
                         env=base_env(OPENSSL_CONF="/dev/null"), capture_output=True, text=True).stdout
    facts = {"length": der.stat().st_size}
    for key, pattern in (("response_status", r"(?:OCSP Response Status|Responder Error): (\S+)"),
                         ("cert_status", r"Cert Status: (\S+)"),
                         ("revocation_reason", r"Revocation Reason: (\S+)")):
        m = re.search(pattern, out)
        facts[key] = m.group(1) if m else None
    for key, label in (("this_update", "This Update"), ("next_update", "Next Update"),
                       ("revocation_time", "Revocation Time")):
        m = re.search(label + r": (.+ GMT)", out)
        facts[key] = _openssl_time(m.group(1)) if m else None
    return facts


# ---- scratch directories -----------------------------------------------------------------

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


# ---- reporting ---------------------------------------------------------------------------

class Tally:
    """Counts of a runner's cases. line() is its last line, "[NAME: ]N passed, N failed"
    with ", N skipped" when some were; status() its exit status: 1 when any failed, 77 when
    every one was skipped, else 0."""

    def __init__(self, name=None):
        self.name = name
        self.passed = self.failed = self.skipped = 0

    def add(self, outcome):
        """outcome: "ok", "FAIL" or "skip"."""
        if outcome == "ok":
            self.passed += 1
        elif outcome == "skip":
            self.skipped += 1
        else:
            self.failed += 1

    def line(self, extra=""):
        tail = ", %d skipped" % self.skipped if self.skipped else ""
        return "%s%d passed, %d failed%s%s" % (self.name + ": " if self.name else "", self.passed,
                                              self.failed, tail, extra)

    def status(self):
        if self.failed:
            return 1
        if self.skipped and not self.passed:
            return EXIT_SKIP
        return 0


_report = Tally()


def expect(cond, what, detail=""):
    """Print "ok  WHAT" or "FAIL WHAT[: DETAIL]" and count it; return cond."""
    print("%s %s%s" % ("ok  " if cond else "FAIL", what, ": " + detail if detail and not cond else ""))
    _report.add("ok" if cond else "FAIL")
    return cond


def skip(what, why):
    """Print "skip WHAT: WHY" and count it as skipped."""
    print("skip %s: %s" % (what, why))
    _report.add("skip")


def finish(name):
    """Print the script's last line, "NAME: N passed, N failed[, N skipped]"; return its exit status."""
    _report.name = name
    print(_report.line())
    return _report.status()


def _unset_args():
    for k in sorted(os.environ):
        if SCRUB.match(k):
            print("-u")
            print(k)


def _count_events(path):
    events, problems = read_events(path)
    for p in problems[:5]:
        print("tdlib.py: %s" % p, file=sys.stderr)
    print(len(events))
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--unset-args"]:
        _unset_args()
    elif len(sys.argv) == 3 and sys.argv[1] == "--count-events":
        sys.exit(_count_events(sys.argv[2]))
    else:
        sys.exit("usage: tdlib.py --unset-args | --count-events FILE")


# ---- nginx ---------------------------------------------------------------------------------

def free_port():
    """A TCP port on 127.0.0.1 nothing listens on right now (the caller retries on a race)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_worker_identity():
    """The user and group nginx's worker runs as when the master is root (None otherwise):
    nobody and nogroup, or nobody's own group where there is no nogroup."""
    if os.geteuid() != 0:
        return None
    import grp
    import pwd
    user = pwd.getpwnam("nobody")
    try:
        group = grp.getgrnam("nogroup")
    except KeyError:
        group = grp.getgrgid(user.pw_gid)
    return user, group


def nginx_conf(prefix, port, cert, key, directives=()):
    """An nginx.conf for one TLS server on 127.0.0.1:port with everything under prefix, that
    passes tlsdiag's environment on to the worker (nginx clears it otherwise) and answers
    "hello from nginx"; directives are extra lines of its server block."""
    ident = nginx_worker_identity()
    user = "user %s %s;\n" % (ident[0].pw_name, ident[1].gr_name) if ident else ""
    server = "".join("        %s\n" % d for d in directives)
    return f"""{user}daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
env OPENSSL_CONF;
env TLSDIAG;
env TLSDIAG_FORMAT;
env TLSDIAG_OUTPUT;
env TLSDIAG_REPEAT_WINDOW;
env TLSDIAG_RATE_LIMIT;
env TLSDIAG_RATE_BURST;
env TLSDIAG_SYSLOG_FACILITY;
env TLSDIAG_SYSLOG_IDENT;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
{server}        location / {{ return 200 "hello from nginx\\n"; }}
    }}
}}
"""
