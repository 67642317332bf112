# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""The host's own code and resources stay the host's: tlsdiag must never call a host's
certificate verify callbacks (it would, by re-running X509_verify_cert on the host's store), and
must not need a thread of its own to explain a failure (a host under a thread limit).

Every check runs a real host twice against the same real peer, with the same OPENSSL_CONF and
TLSDIAG=0, then TLSDIAG=1 (events to a file, so the host's stderr is its own): the host's exit
status and output must be the same, and with tlsdiag on the failure must be explained, so that
an inert tlsdiag cannot pass.

  ruby    Ruby's OpenSSL::X509::Store#verify_callback (a Ruby proc: called on a thread Ruby does
          not know, Ruby crashes), against a server from an untrusted CA and an expired one
  C       test/guest/hc_store_cb.c: X509_STORE and SSL_CTX verify callbacks counted, with the
          thread each was called on
  python  an unprivileged python3 under RLIMIT_NPROC=1 (no thread can be made)
  nginx   ssl_verify_client on, the worker under RLIMIT_NPROC=1, clients with an untrusted
          certificate, none, and a good one: the worker must not die and clients see the same
"""
import os
import pwd
import re
import resource
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import tdlib
from guestlib import (PYTHON, SServer, Skip, as_steps, base_env, check, make_ca_and_leaf,
                      read_jsonl, sanitizer_findings, host_env)

NGINX = "/usr/sbin/nginx"
RUBY = shutil.which("ruby") or "/usr/bin/ruby"


def _run(argv, env, timeout=60, **kw):
    p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def _env(build, mode, events, **extra):
    """The same environment on and off but for TLSDIAG; events to a file, every failure explained."""
    return host_env(build.cnf, mode=mode, fmt="json", output=f"file:{events}", window=0, **extra)


def _events(path):
    return read_jsonl(path) if Path(path).exists() else []


def _failed(events, role="client"):
    return [e for e in events if e.get("event") == "handshake_failed" and e.get("role") == role]


def _clip(s, n=600):
    s = s if isinstance(s, str) else repr(s)
    return s if len(s) <= n else s[:n] + "..."


def _leaf(d, ca, name, days, eku, cn="localhost"):
    """A P-256 leaf for 127.0.0.1/localhost signed by ca (a make_ca_and_leaf dict); days may be
    negative (notAfter before now: expired)."""
    d = Path(d)
    d.mkdir(parents=True, exist_ok=True)
    key, csr, cert, ext = (str(d / f"{name}.{x}") for x in ("key", "csr", "pem", "ext"))
    env = base_env()
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", csr, "-subj", f"/CN={cn}"],
                   check=True, env=env, capture_output=True)
    Path(ext).write_text(f"subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage={eku}\n")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca["ca"], "-CAkey", ca["ca_key"],
                    "-CAcreateserial", "-out", cert, "-days", str(days), "-extfile", ext],
                   check=True, env=env, capture_output=True)
    return {"cert": cert, "key": key}


# ---- 1. Ruby: a verify_callback on the store ------------------------------------------------

RUBY_CLIENT = r'''
require "socket"
require "openssl"
host, port, cafile = ARGV[0], Integer(ARGV[1]), ARGV[2]
calls = Hash.new(0)
store = OpenSSL::X509::Store.new
store.add_file(cafile)
store.verify_callback = proc { |ok, ctx| calls["#{ok}/#{ctx.error}"] += 1; ok }
ctx = OpenSSL::SSL::SSLContext.new
ctx.verify_mode = OpenSSL::SSL::VERIFY_PEER
ctx.cert_store = store
sock = TCPSocket.new(host, port)
ssl = OpenSSL::SSL::SSLSocket.new(sock, ctx)
ssl.hostname = "localhost"
status = 0
begin
  ssl.connect
  puts "connected verify_result=#{ssl.verify_result}"
rescue OpenSSL::SSL::SSLError => e
  puts "ssl error: #{e.message.sub(/peeraddr=\S+/, 'peeraddr=ADDR')}"
  puts "verify_result=#{ssl.verify_result}"
  status = 3
ensure
  sock.close
end
# Ruby's SSLContext has its own SSL-level callback, so OpenSSL never calls the store's in a
# handshake: "none" off, and the same on.
seen = calls.sort.map { |k, v| "#{k}=#{v}" }.join(" ")
puts "store verify_callback calls: #{seen.empty? ? 'none' : seen}"
exit status
'''

_ruby_pki = {}


def _ruby_setup(tmp):
    if not os.access(RUBY, os.X_OK):
        raise Skip("no ruby here (Debian package ruby)")
    p = subprocess.run([RUBY, "-ropenssl", "-e", "exit 0"], env=base_env(), capture_output=True)
    if p.returncode != 0:
        raise Skip(f"ruby has no openssl extension: {p.stderr.decode(errors='replace')[:200]}")
    if not _ruby_pki:
        trusted = make_ca_and_leaf(tmp / "rb-trusted")
        other = make_ca_and_leaf(tmp / "rb-other")
        expired = _leaf(tmp / "rb-trusted", trusted, "expired", -1, "serverAuth")
        script = tmp / "client.rb"
        script.write_text(RUBY_CLIENT)
        _ruby_pki.update(script=str(script), ca=trusted["ca"],
                         servers={"untrusted": (other["cert"], other["key"]),
                                  "expired": (expired["cert"], expired["key"]),
                                  "trusted": (trusted["cert"], trusted["key"])})
    return _ruby_pki


def ruby_store_callback(build, tmp, server, verify_code):
    pki = _ruby_setup(tmp)
    cert, key = pki["servers"][server]
    with SServer(["-cert", cert, "-key", key]) as srv:
        argv = [RUBY, pki["script"], "127.0.0.1", str(srv.port), pki["ca"]]
        ev_off, ev_on = tmp / f"rb-{server}-off.jsonl", tmp / f"rb-{server}-on.jsonl"
        off = _run(argv, _env(build, "0", ev_off))
        on = _run(argv, _env(build, "1", ev_on))
    want_rc = 0 if verify_code == 0 else 3
    check(off[0] == want_rc and f"verify_result={verify_code}" in off[1],
          f"without tlsdiag ruby did not end as planned (exit {off[0]}, want {want_rc} and verify "
          f"{verify_code}): {off[1]!r} {_clip(off[2])!r}")
    check(on[0] == off[0], f"ruby exited {on[0]} with tlsdiag on, {off[0]} off (negative: killed by "
          f"that signal); stdout {on[1]!r}; stderr {_clip(on[2], 1500)!r}")
    check(on[1:] == off[1:], f"ruby's output differs with tlsdiag on:\n on: {on[1]!r} {_clip(on[2])!r}\n"
          f"off: {off[1]!r} {_clip(off[2])!r}")
    check(not _events(ev_off), f"events with TLSDIAG=0: {_clip(str(_events(ev_off)))}")
    events = _events(ev_on)
    if verify_code == 0:
        check(not _failed(events), f"a failure reported for a good connection: {_clip(str(events))}")
        return f"{off[1].strip().splitlines()[0]}"
    failed = _failed(events)
    check(len(failed) == 1, f"{len(failed)} client handshake_failed events, expected 1: {_clip(str(events))}")
    e = failed[0]
    check(e.get("section") == "CERTIFICATE_VERIFY_FAILED" and (e.get("verify") or {}).get("code") == verify_code,
          f"event section {e.get('section')!r} verify {e.get('verify')}, expected CERTIFICATE_VERIFY_FAILED "
          f"with code {verify_code}")
    return f"cause {e.get('cause')}; {off[1].splitlines()[-1]}"


# ---- 2. C: X509_STORE and SSL_CTX verify callbacks counted ----------------------------------

_LINE = re.compile(r"^(store|ssl|both) outcome=(\S+) store_calls=(\d+) \(ok=\d+ bad=\d+\) "
                   r"ssl_calls=(\d+) \(ok=\d+ bad=\d+\) foreign=(\d+)$", re.M)


def c_store_callback(build, tmp, fails, oks):
    argv = [build.prog("hc_store_cb"), str(fails), str(oks)]
    ev_off, ev_on = tmp / "hc-off.jsonl", tmp / "hc-on.jsonl"
    off = _run(argv, _env(build, "0", ev_off))
    on = _run(argv, _env(build, "1", ev_on))
    found = sanitizer_findings(on[2])
    check(not found, f"sanitizer report:\n{found}")
    check(off[0] == 0, f"hc_store_cb without tlsdiag exited {off[0]}: {off[1]!r} {_clip(off[2])!r}")
    check(f"module={build.so}" in off[1], f"the host did not load the provider of {build.dir}: {off[1]!r}")
    rows_off = {m[0]: m[1:] for m in _LINE.findall(off[1])}
    check(set(rows_off) == {"store", "ssl", "both"}, f"unexpected host output: {off[1]!r}")
    plan = "F" * fails + "O" * oks
    check(rows_off["store"][0] == plan and int(rows_off["store"][1]) >= fails + oks
          and int(rows_off["ssl"][2]) >= fails + oks,
          f"without tlsdiag the callbacks were not called as they must be, so this proves nothing: {off[1]!r}")
    check(on[0] == off[0], f"hc_store_cb exited {on[0]} with tlsdiag on, {off[0]} off: {on[1]!r} {_clip(on[2])!r}")
    rows_on = {m[0]: m[1:] for m in _LINE.findall(on[1])}
    foreign = {k: int(v[3]) for k, v in rows_on.items() if int(v[3])}
    check(not foreign, f"verify callbacks called from a thread other than the host's with tlsdiag on: {foreign}\n"
          f" on: {on[1]!r}\noff: {off[1]!r}")
    check(on[1] == off[1], f"callback counts differ with tlsdiag on:\n on: {on[1]!r}\noff: {off[1]!r}")
    check(not _events(ev_off), "events with TLSDIAG=0")
    failed = _failed(_events(ev_on))
    sections = Counter(e.get("section") for e in failed)
    check(sections == {"CERTIFICATE_VERIFY_FAILED": 3 * fails},
          f"client failures explained: {dict(sections)}, expected {3 * fails} CERTIFICATE_VERIFY_FAILED")
    return "; ".join(f"{k} store={v[1]} ssl={v[2]}" for k, v in sorted(rows_off.items()))


# ---- shared by 3 and 4: a directory an unprivileged user can read ---------------------------

NOBODY = pwd.getpwnam("nobody") if "nobody" in {p.pw_name for p in pwd.getpwall()} else None


def _need_root(what):
    if os.geteuid() != 0:
        raise Skip(f"{what} needs root (to switch to an unprivileged user)")
    if NOBODY is None:
        raise Skip("no user nobody here")


def _shared_dir(tmp, name):
    """tmp/name, reachable (0711 tmp, 0755 dir) and readable by nobody."""
    os.chmod(tmp, 0o711)
    d = tmp / name
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    return d


def _as_nobody():
    os.setgroups([])
    os.setgid(NOBODY.pw_gid)
    os.setuid(NOBODY.pw_uid)
    # Lowered after the switch: set before it, the kernel would refuse the exec (EAGAIN) if
    # nobody already ran another process. An unprivileged process cannot raise it back.
    resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))


def _provider_for_nobody(build, d):
    """build's config when nobody can read it and the provider; else a copy of both in d."""
    probe = subprocess.run([PYTHON, "-c", "import sys; [open(p, 'rb').close() for p in sys.argv[1:]]",
                            str(build.so), build.cnf], env=base_env(), capture_output=True,
                           preexec_fn=_as_nobody)
    if probe.returncode == 0:
        return build.cnf
    so = d / "tlsdiag.so"
    shutil.copy(build.so, so)
    os.chmod(so, 0o755)
    cnf = d / "openssl.cnf"
    text = Path(build.cnf).read_text().replace(str(build.so), str(so))
    check(str(so) in text, f"{build.cnf} does not name {build.so}")
    cnf.write_text(text)
    os.chmod(cnf, 0o644)
    return str(cnf)


# ---- 3. an unprivileged Python that cannot make a thread ------------------------------------

PY_CLIENT = r'''
import socket, ssl, sys, threading
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    print("thread_start=allowed")
except RuntimeError as e:
    print("thread_start=refused")
ctx = ssl.create_default_context(cafile=cafile)
try:
    with socket.create_connection((host, port), timeout=20) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as tls:
            print("connected", tls.version())
except ssl.SSLCertVerificationError as e:
    print("verify failed:", e.verify_code, e.verify_message)
    sys.exit(3)
'''


def python_no_threads(build, tmp):
    _need_root("running python3 as nobody")
    d = _shared_dir(tmp, "py-nobody")
    cnf = _provider_for_nobody(build, d)
    server = make_ca_and_leaf(d / "server")
    client_ca = make_ca_and_leaf(d / "client-trust")
    for f in (d / "server").iterdir():
        os.chmod(f, 0o644)
    for f in (d / "client-trust").iterdir():
        os.chmod(f, 0o644)
    os.chmod(d / "server", 0o755)
    os.chmod(d / "client-trust", 0o755)
    script = d / "client.py"
    script.write_text(PY_CLIENT)
    os.chmod(script, 0o644)
    out_dir = d / "events"
    out_dir.mkdir(mode=0o755)
    os.chown(out_dir, NOBODY.pw_uid, NOBODY.pw_gid)
    results = {}
    with SServer(["-cert", server["cert"], "-key", server["key"]]) as srv:
        argv = [PYTHON, "-I", str(script), "127.0.0.1", str(srv.port), client_ca["ca"]]
        for mode in ("0", "1"):
            env = host_env(cnf, mode=mode, fmt="json", output=f"file:{out_dir}/events-{mode}.jsonl",
                           window=0, HOME="/nonexistent")
            results[mode] = _run(argv, env, preexec_fn=_as_nobody)
    off, on = results["0"], results["1"]
    check(off[0] == 3 and "verify failed: 20 " in off[1],
          f"without tlsdiag python did not fail verification as planned (exit {off[0]}): {off[1]!r} {_clip(off[2])!r}")
    check("thread_start=refused" in off[1],
          f"python could start a thread under RLIMIT_NPROC=1, so this proves nothing: {off[1]!r}")
    check(on[0] == off[0], f"python exited {on[0]} with tlsdiag on, {off[0]} off (negative: killed by that "
          f"signal): {on[1]!r} {_clip(on[2])!r}")
    check(on[1:] == off[1:], f"python's output differs with tlsdiag on:\n on: {on[1]!r} {_clip(on[2])!r}\n"
          f"off: {off[1]!r} {_clip(off[2])!r}")
    check(not _events(out_dir / "events-0.jsonl"), "events with TLSDIAG=0")
    ev_path = out_dir / "events-1.jsonl"
    check(ev_path.exists(), f"tlsdiag wrote no event file {ev_path} (stderr {_clip(on[2])!r})")
    failed = _failed(_events(ev_path))
    causes = [e.get("cause") for e in failed]
    check(causes == ["unknown_ca"], f"client failures explained as {causes}, expected one unknown_ca")
    return f"{off[1].split(chr(10))[1]}; explained as unknown_ca"


# ---- 4. nginx: a worker that cannot make a thread -------------------------------------------

def _thread_limit():
    """RLIMIT_NPROC=1 for nginx, inherited by its worker. The root master is not held to it (the
    kernel exempts root), so it still forks its worker; the worker, once it is nobody, cannot
    make a single thread. (Setting the limit on the running worker with prlimit needs
    CAP_SYS_RESOURCE, which a container often lacks.)"""
    resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))


class _Nginx:
    PROBE_LOGGED = re.compile(r"\*1 client closed connection while SSL handshaking")

    def __init__(self, prefix, pki, env):
        self.prefix = prefix
        prefix.mkdir(mode=0o711)
        os.chmod(prefix, 0o711)
        self.error_log = prefix / "error.log"
        self.events = prefix / "events.jsonl"
        self.events.touch(mode=0o600)
        os.chown(self.events, NOBODY.pw_uid, NOBODY.pw_gid)
        env = dict(env, TLSDIAG_OUTPUT=f"file:{self.events}")
        self.proc = None
        for _ in range(5):
            self.port = tdlib.free_port()
            (prefix / "nginx.conf").write_text(tdlib.nginx_conf(prefix, self.port, pki['server']['cert'], pki['server']['key'],
                                                   ("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_verify_client on;",
                                                    f"ssl_client_certificate {pki['client_ca']};")))
            self.error_log.write_bytes(b"")
            with open(prefix / "output.txt", "wb") as out:
                self.proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                                              "-e", str(self.error_log)], stdin=subprocess.DEVNULL,
                                             stdout=out, stderr=subprocess.STDOUT, env=env,
                                             start_new_session=True, preexec_fn=_thread_limit)
            if self._ready():
                return
            self.stop()
            if "Address already in use" not in self.log():
                break
        raise AssertionError(f"nginx did not start: {_clip(self.log())}")

    def _ready(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.02)
                continue
            # The worker has taken a connection once it logged the probe's close.
            while time.monotonic() < deadline:
                if self.PROBE_LOGGED.search(self.log()) and self.workers():
                    return True
                time.sleep(0.02)
        return False

    def log(self):
        try:
            return self.error_log.read_text(errors="replace")
        except OSError:
            return ""

    def workers(self):
        try:
            return [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except (OSError, ValueError):
            return []

    def stop(self):
        if self.proc is None:
            return
        for sig, wait in ((signal.SIGQUIT, 5), (signal.SIGTERM, 3)):
            try:
                os.kill(self.proc.pid, sig)
                self.proc.wait(timeout=wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.proc = None


def _nproc_limit(pid):
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max processes"):
            return line.split()[2:4]
    return None


def _curl(port, pki, who):
    argv = ["curl", "-sS", "--max-time", "20", "--cacert", pki["server_ca"], "-w", "\nhttp=%{http_code}\n"]
    if who != "none":
        argv += ["--cert", pki[who]["cert"], "--key", pki[who]["key"]]
    rc, out, err = _run(argv + [f"https://127.0.0.1:{port}/"], dict(base_env(), CURL_HOME="/nonexistent"))
    return rc, out.replace(f":{port}", ":PORT"), err.replace(f":{port}", ":PORT")


NGINX_CLIENTS = ("untrusted", "none", "good")


def _serve(build, tmp, pki, mode, tag):
    env = _env(build, mode, "unused")
    srv = _Nginx(tmp / f"nginx-{tag}", pki, env)
    try:
        workers = srv.workers()
        check(len(workers) == 1, f"nginx has workers {workers}, expected one")
        worker = workers[0]
        check(Path(f"/proc/{worker}/status").read_text().count(f"\t{NOBODY.pw_uid}\t") >= 1,
              f"nginx's worker {worker} does not run as nobody")
        mapped = str(build.so) in Path(f"/proc/{worker}/maps").read_text()
        limit = _nproc_limit(worker)
        check(limit == ["1", "1"], f"worker {worker} has Max processes {limit}, expected 1 1")
        results = {}
        for who in NGINX_CLIENTS:
            results[who] = _curl(srv.port, pki, who)
            time.sleep(0.2)   # a dying worker is logged by the master at once
        after = srv.workers()
    finally:
        srv.stop()
    log = srv.log()   # read after the stop: the master logs a worker's death when it reaps it
    return {"worker": worker, "after": after, "mapped": mapped, "results": results, "log": log,
            "events": _events(srv.events)}


def nginx_worker_no_threads(build, tmp):
    _need_root("nginx with its worker as nobody")
    if not os.access(NGINX, os.X_OK):
        raise Skip(f"{NGINX} is not there (Debian package nginx-light)")
    if not shutil.which("curl"):
        raise Skip("no curl here")
    d = _shared_dir(tmp, "nginx")
    server = make_ca_and_leaf(d / "server")
    trusted = make_ca_and_leaf(d / "client-ca")
    rogue = make_ca_and_leaf(d / "rogue-ca")
    pki = {"server": server, "server_ca": server["ca"], "client_ca": trusted["ca"],
           "good": _leaf(d / "client-ca", trusted, "client", 2, "clientAuth", cn="tlsdiag test client"),
           "untrusted": _leaf(d / "rogue-ca", rogue, "client", 2, "clientAuth", cn="tlsdiag rogue client")}
    off = _serve(build, d, pki, "0", "off")
    on = _serve(build, d, pki, "1", "on")
    for name, run in (("off", off), ("on", on)):
        died = [l for l in run["log"].splitlines() if "exited on signal" in l]
        check(not died, f"tlsdiag {name}: nginx's worker died: {died}")
        check(run["after"] == [run["worker"]],
              f"tlsdiag {name}: worker {run['worker']} replaced by {run['after']}: {_clip(run['log'][-800:])}")
    check(on["mapped"], "the nginx worker with tlsdiag on has no tlsdiag.so mapped")
    r_off, r_on = off["results"], on["results"]
    check(r_off["untrusted"][0] == 0 and "http=400" in r_off["untrusted"][1]
          and r_off["none"][0] == 0 and "http=400" in r_off["none"][1]
          and r_off["good"][0] == 0 and "http=200" in r_off["good"][1],
          f"without tlsdiag nginx did not answer 400, 400, 200 as planned: {r_off}")
    for who in NGINX_CLIENTS:
        check(r_on[who] == r_off[who], f"client with {who} certificate: with tlsdiag on {r_on[who]}, "
              f"off {r_off[who]}")
    check(not [e for e in off["events"] if e.get("event") == "handshake_failed"], "events with TLSDIAG=0")
    failed = _failed(on["events"], role="server")
    sections = [(e.get("section"), e.get("cause")) for e in failed]
    check(("CERTIFICATE_VERIFY_FAILED", "unknown_ca") in sections,
          f"no CERTIFICATE_VERIFY_FAILED/unknown_ca explanation from the worker: {sections} "
          f"({_clip(str(on['events']))})")
    return f"worker {on['worker']} survived under nproc=1; explained {sections}"


CASES = [
    ("host code: ruby store verify_callback, server from an untrusted CA", ruby_store_callback, "untrusted", 20),
    ("host code: ruby store verify_callback, expired server certificate", ruby_store_callback, "expired", 10),
    ("host code: ruby store verify_callback, trusted server (control)", ruby_store_callback, "trusted", 0),
    ("host code: C X509_STORE/SSL_CTX verify callbacks: same counts, host thread only",
     c_store_callback, 20, 5),
    ("host code: python3 as nobody under RLIMIT_NPROC=1, unknown CA", python_no_threads),
    ("host code: nginx ssl_verify_client, worker under RLIMIT_NPROC=1", nginx_worker_no_threads),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)


TARGETS = {"check-host-code": [cases]}
