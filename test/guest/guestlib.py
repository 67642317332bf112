"""What the guest checks share: clean environments, the tlsdiag switches, a per-test verdict
printer, JSON Lines reading, and openssl s_server on a port it picks itself.

The checks (t_*.py) are run by run.py against a BUILD directory that holds tlsdiag.so,
openssl.cnf and guest/ (the compiled C hosts)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3"

# Anything that would change what a TLS host does, or whether tlsdiag is on.
_SCRUB = re.compile(r"^(OPENSSL_.*|TLSDIAG.*|SSL_CERT_FILE|SSL_CERT_DIR|SSLKEYLOGFILE|"
                    r"[A-Za-z_]*_PROXY|[a-z_]*_proxy|PYTHON(PATH|HOME|STARTUP|WARNINGS)|"
                    r"ASAN_OPTIONS|UBSAN_OPTIONS|TSAN_OPTIONS|LSAN_OPTIONS|LD_PRELOAD)$")


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if not _SCRUB.match(k)}
    env["LC_ALL"] = "C"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update({k: str(v) for k, v in extra.items()})
    return env


# Every sanitizer finding must show on stderr and in the exit status (TSan goes on to report
# all races; UBSan stops at its first finding). Inert for a program built without sanitizers.
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=86",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=87",
    "TSAN_OPTIONS": "halt_on_error=0:exitcode=66:second_deadlock_stack=1",
}
SANITIZER_REPORT = re.compile(r"(WARNING: ThreadSanitizer|ERROR: AddressSanitizer|"
                              r"ERROR: LeakSanitizer|runtime error:|ThreadSanitizer: reported)")


def sanitizer_findings(stderr_text):
    """The first lines of any sanitizer report in a host's stderr ("" when clean)."""
    lines = stderr_text.splitlines()
    for i, line in enumerate(lines):
        if SANITIZER_REPORT.search(line):
            return "\n".join(lines[i:i + 25])
    return ""


def tlsdiag_env(cnf, mode="1", fmt="json", output=None, window=None, **extra):
    env = base_env(OPENSSL_CONF=cnf, TLSDIAG=mode, TLSDIAG_FORMAT=fmt, **SANITIZER_ENV)
    env.update({k: str(v) for k, v in extra.items()})
    if output is not None:
        env["TLSDIAG_OUTPUT"] = output
    if window is not None:
        env["TLSDIAG_REPEAT_WINDOW"] = str(window)
    return env


class Build:
    def __init__(self, path):
        self.dir = Path(path).resolve()
        self.so = self.dir / "tlsdiag.so"
        self.cnf = str(self.dir / "openssl.cnf")
        self.bin = self.dir / "guest"

    def prog(self, name):
        return str(self.bin / name)


class Checks:
    """Runs named checks, prints `ok - name` or `FAIL - name: why` for each, then one
    `<target>: N passed, N failed` line; the exit status is 1 when any check failed."""

    def __init__(self, target):
        self.target = target
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.tmp = Path(tempfile.mkdtemp(prefix=f"tlsdiag-{target}-"))

    def run(self, name, fn, *args):
        start = time.monotonic()
        try:
            note = fn(*args)
        except Skip as s:
            self.skipped += 1
            print(f"skip - {name}: {s}", flush=True)
            return
        except AssertionError as e:
            self.failed += 1
            print(f"FAIL - {name}: {e}", flush=True)
            return
        except Exception:
            self.failed += 1
            print(f"FAIL - {name}: unexpected error\n{traceback.format_exc()}", flush=True)
            return
        self.passed += 1
        took = time.monotonic() - start
        print(f"ok - {name} ({took:.1f}s){': ' + note if note else ''}", flush=True)

    def finish(self):
        # GUEST_KEEP=1 keeps the outputs of a passing run too, to look at them.
        if self.failed == 0 and not os.environ.get("GUEST_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"{self.target}: outputs kept in {self.tmp}")
        tail = f", {self.skipped} skipped" if self.skipped else ""
        print(f"{self.target}: {self.passed} passed, {self.failed} failed{tail}", flush=True)
        sys.exit(1 if self.failed else 0)


def as_steps(table, build, tmp):
    """run.py's steps for a module's table of (name, function, extra arguments...): each
    function is called as function(build, tmp, *extra)."""
    return [(name, fn, build, tmp, *extra) for name, fn, *extra in table]


class Skip(Exception):
    """A check that cannot run on this machine (said so in the output, never counted as passed)."""


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def read_jsonl(path):
    """Every line of a JSON Lines file, parsed. A line that is not one whole JSON object
    (a half-written or interleaved line) fails the check that reads it."""
    data = Path(path).read_bytes()
    check(data == b"" or data.endswith(b"\n"), f"{path}: last line is not terminated: {data[-120:]!r}")
    check(b"PRIVATE KEY" not in data, f"{path}: a private key PEM marker in tlsdiag's output")
    events = []
    for n, raw in enumerate(data.splitlines(), 1):
        try:
            obj = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise AssertionError(f"{path}:{n}: not a JSON object ({e}): {raw[:200]!r}")
        check(isinstance(obj, dict) and obj.get("schema") == "tlsdiag/1",
              f"{path}:{n}: not a tlsdiag/1 object: {raw[:200]!r}")
        events.append(obj)
    return events


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


def warning_lines(text):
    return [l for l in text.splitlines() if l.startswith("tlsdiag: warning")]


class SServer:
    """openssl s_server -WWW (so it never reads stdin, whose EOF would end it) on 127.0.0.1
    with a port it chose (it prints `ACCEPT host:port`).
    Runs without tlsdiag unless env turns it on; stop() ends it and its process group.
    Its stdout is drained all along, so its per-connection chatter can never fill a pipe."""

    def __init__(self, args, env=None, log=None):
        self.log = log
        err = open(log, "wb") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            ["openssl", "s_server", "-accept", "127.0.0.1:0", "-WWW"] + list(args),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err,
            env=env or base_env(), start_new_session=True)
        self.port = None
        self.output = []
        ready = threading.Event()

        def drain():
            for line in self.proc.stdout:
                self.output.append(line)
                m = re.match(rb"ACCEPT \S*:(\d+)", line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        threading.Thread(target=drain, daemon=True).start()
        ready.wait(10)
        if self.port is None:
            self.stop()
            raise AssertionError(f"s_server {args} did not start: {b''.join(self.output)[-500:]!r}")

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, 15)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


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
