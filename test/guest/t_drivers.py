# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-drivers: MongoDB drivers that do their TLS handshake non-blocking must not be reported
for the would-block pauses of a handshake that goes on to succeed, and their real failures must
be explained as what they are.

Hosts (tlsdiag in them, nothing modified): test/clients/mongoc_client.c (the system libmongoc 1.23)
and test/guest/drv_ping.php (php-mongodb 1.15, which bundles libmongoc 1.23.1). libmongoc puts
BIO_new_ssl over a BIO of its own whose reads go to the socket with a 0 ms timeout
(mongoc-stream-tls-openssl-bio.c); each BIO_do_handshake that has to wait returns -1 (so
SSL_CB_CONNECT_EXIT fires with -1), libmongoc poll()s and calls it again
(mongoc_async_cmd_tls_setup). Its BIO sets the retry flag on the SSL BIO, not on the BIO
OpenSSL reads from, so inside libssl SSL_get_error() at that exit answers SSL_ERROR_SYSCALL
with errno EAGAIN, not SSL_ERROR_WANT_READ.

No mongod: the server is a Python ssl server (no tlsdiag) that completes the handshake, reads
the driver's hello and closes, so the ping fails at the protocol level ("connection closed
calling hello"), which is not a TLS failure. It logs every handshake it sees, which proves the
drivers' handshakes really completed (or really failed). The "late" server is the same one
behind a TCP proxy (in this process, plain sockets) that holds the server's first bytes back
150 ms. Every check that expects silence ends with a control: the same driver against the
expired-certificate server must produce an event in that run's output."""
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

from guestlib import (
    PYTHON, Skip, as_steps, base_env, check, make_ca_and_leaf, read_jsonl, tally, host_env)

HERE = Path(__file__).resolve().parent
GOOD_COUNT = 20
EXPIRED_COUNT = 10

# The server: one thread per connection; prints "hs ok VERSION" or "hs fail ERROR" per handshake,
# then sends the banner (argv[3]) if it has one, reads once and closes.
SERVER = r"""
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
lock = threading.Lock()
def say(s):
    with lock:
        print(s, flush=True)
def serve(conn):
    conn.settimeout(10)
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except Exception as e:
        say("hs fail %s" % str(e).replace("\n", " "))
        conn.close()
        return
    say("hs ok %s" % tls.version())
    try:
        if len(sys.argv) > 3:
            tls.sendall(sys.argv[3].encode())
        tls.recv(65536)
    except Exception:
        pass
    tls.close()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(64)
print("PORT %d" % ls.getsockname()[1], flush=True)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""


class Backend:
    """The Python TLS server above, without tlsdiag, in its own session."""

    def __init__(self, cert, key, banner=None):
        extra = [banner] if banner else []
        self.proc = subprocess.Popen([PYTHON, "-c", SERVER, cert, key, *extra], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=base_env(), start_new_session=True)
        first = self.proc.stdout.readline().decode()
        m = re.match(r"PORT (\d+)", first)
        if not m:
            self.stop()
            raise AssertionError(f"the test TLS server did not start: {first!r}")
        self.port = int(m.group(1))
        self.lines = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.proc.stdout:
            self.lines.append(line.decode("utf-8", "replace").rstrip("\n"))

    def handshakes(self, settle=0.5):
        time.sleep(settle)
        return list(self.lines)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class DelayProxy:
    """127.0.0.1 TCP proxy to a backend port: client bytes go through at once, the server's
    first bytes on each connection wait `delay` seconds (a server that answers late)."""

    def __init__(self, backend_port, delay=0.15):
        self.backend_port, self.delay = backend_port, delay
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(64)
        self.port = self.ls.getsockname()[1]
        self.connections = 0
        self.delayed = 0
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            self.connections += 1
            try:
                s = socket.create_connection(("127.0.0.1", self.backend_port))
            except OSError:
                c.close()
                continue
            threading.Thread(target=self._pump, args=(c, s, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(s, c, True), daemon=True).start()

    def _pump(self, src, dst, hold_first):
        first = True
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if hold_first and first:
                    time.sleep(self.delay)
                    self.delayed += 1
                first = False
                dst.sendall(data)
        except OSError:
            pass
        for sock, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass

    def stop(self):
        self.stopped = True
        self.ls.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---- PKI ----------------------------------------------------------------------------------

def _pki(tmp):
    """The test CA and a good leaf (guestlib), plus a leaf from the same CA that has expired."""
    d = tmp / "pki"
    if (d / "expired.pem").exists():
        return {k: str(d / f"{k}.pem") for k in ("ca", "ca_key", "cert", "key", "expired")}
    p = make_ca_and_leaf(d)
    if not shutil.which("faketime"):
        raise Skip("faketime is not installed (needed to issue an expired certificate)")
    p["expired"] = str(d / "expired.pem")
    # Issued 10 days ago for 2 days by the trusted test CA: expired 8 days ago, otherwise good.
    subprocess.run(["faketime", "-f", "-10d", "openssl", "x509", "-req", "-in", p["csr"],
                    "-CA", p["ca"], "-CAkey", p["ca_key"], "-CAcreateserial", "-out", p["expired"],
                    "-days", "2", "-extfile", str(d / "leaf.ext")],
                   check=True, env=base_env(), capture_output=True)
    live = subprocess.run(["openssl", "x509", "-in", p["expired"], "-noout", "-checkend", "0"],
                          env=base_env(), capture_output=True)
    check(live.returncode == 1, f"the 'expired' certificate is not expired: {live.stdout!r}")
    return p


# ---- drivers ------------------------------------------------------------------------------

def _uri(port, ca=None):
    tail = f"&tlsCAFile={ca}" if ca else ""
    return (f"mongodb://localhost:{port}/?tls=true&serverSelectionTimeoutMS=3000"
            f"&connectTimeoutMS=3000{tail}")


def _argv(build, driver, port, ca, count):
    if driver == "mongoc":
        prog = build.prog("mongoc_client")
        if not os.access(prog, os.X_OK):
            raise Skip(f"{prog} is not built (libmongoc-dev missing?)")
        return [prog, _uri(port, ca), str(count)]
    if not shutil.which("php"):
        raise Skip("php-cli is not installed")
    has = subprocess.run(["php", "-r", 'exit(extension_loaded("mongodb") ? 0 : 1);'],
                         env=base_env(), capture_output=True)
    if has.returncode != 0:
        raise Skip("the PHP mongodb extension is not installed (php-mongodb)")
    # The CA goes in the driver options (ca_file) here, in the URI (tlsCAFile) for libmongoc.
    return ["php", str(HERE / "drv_ping.php"), _uri(port), ca, str(count)]


def _run(build, tmp, driver, port, ca, count, tag):
    """Run a driver with tlsdiag on (every failure explained). Returns (pings, events):
    pings is a list of (ok, message), one per ping."""
    out = tmp / f"{tag}.jsonl"
    out.write_bytes(b"")
    env = host_env(build.cnf, output=f"file:{out}", window=0)
    p = subprocess.run(_argv(build, driver, port, ca, count), env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30 + 5 * count)
    text = p.stdout.decode("utf-8", "replace")
    last = text.splitlines()[-1] if text.strip() else ""
    check(p.returncode in (0, 1) and re.fullmatch(rf"done \d+/{count}", last),
          f"{driver}: exit {p.returncode}, stdout {text[-600:]!r}, stderr {p.stderr[-600:]!r}")
    pings = []
    for line in text.splitlines():
        m = re.match(r"ping \d+ (ok|error) ?(.*)$", line)
        if m:
            pings.append((m.group(1) == "ok", m.group(2)))
    check(len(pings) == count, f"{driver}: {len(pings)} pings of {count}: {text[-600:]!r}")
    return pings, read_jsonl(out)


TLS_ERROR = re.compile(r"(?i)TLS handshake failed|certificate|ssl")


def _control(build, tmp, driver, pki, tag):
    """tlsdiag is live in this kind of process: one expired-certificate run gives an event."""
    with Backend(pki["expired"], pki["key"]) as srv:
        _, events = _run(build, tmp, driver, srv.port, pki["ca"], 1, tag + "-control")
    failed = [e for e in events if e.get("event") == "handshake_failed"]
    check(len(failed) >= 1, f"control: {driver} against an expired certificate produced no event "
          f"({len(events)} events), so silence would prove nothing")


def good_server(build, tmp, driver, delay):
    pki = _pki(tmp)
    tag = f"{driver}-good" + ("-late" if delay else "")
    with Backend(pki["cert"], pki["key"]) as srv:
        if delay:
            with DelayProxy(srv.port, delay) as proxy:
                pings, events = _run(build, tmp, driver, proxy.port, pki["ca"], GOOD_COUNT, tag)
                held = proxy.delayed
            check(held >= GOOD_COUNT, f"the proxy held back the server's first bytes on only "
                  f"{held} connections of {GOOD_COUNT}")
        else:
            pings, events = _run(build, tmp, driver, srv.port, pki["ca"], GOOD_COUNT, tag)
        hs = srv.handshakes()
    done = [h for h in hs if h.startswith("hs ok")]
    check(len(done) == GOOD_COUNT and len(hs) == GOOD_COUNT,
          f"{driver}: the server saw {len(done)} completed handshakes of {GOOD_COUNT} "
          f"({len(hs)} in all: {hs[:5]})")
    tls_errors = [m for ok, m in pings if not ok and TLS_ERROR.search(m)]
    check(not tls_errors, f"{driver}: pings failed in TLS: {tls_errors[:3]}")
    failed = [e for e in events if e.get("event") == "handshake_failed"]
    check(not failed, f"{driver}: {len(failed)} handshake_failed events for {GOOD_COUNT} handshakes "
          f"that completed ({tally(failed, 'section', 'cause', 'state')}); first: "
          f"{ {k: failed[0].get(k) for k in ('state', 'section', 'cause', 'evidence')} if failed else None}")
    check(not events, f"{driver}: tlsdiag wrote {len(events)} events: {tally(events, 'event', 'cause')}")
    _control(build, tmp, driver, pki, tag)
    return f"{len(pings)} pings, handshakes all completed, no events"


def expired_server(build, tmp, driver):
    pki = _pki(tmp)
    with Backend(pki["expired"], pki["key"]) as srv:
        pings, events = _run(build, tmp, driver, srv.port, pki["ca"], EXPIRED_COUNT, f"{driver}-expired")
        hs = srv.handshakes()
    check(all(not ok and TLS_ERROR.search(m) for ok, m in pings),
          f"{driver}: not every ping failed in TLS: {pings[:3]}")
    check(len(hs) == EXPIRED_COUNT and all(h.startswith("hs fail") for h in hs),
          f"{driver}: the server saw {len(hs)} handshakes, expected {EXPIRED_COUNT} failed: {hs[:3]}")
    got = tally(events, "event", "role", "section", "cause")
    want = {("handshake_failed", "client", "CERTIFICATE_VERIFY_FAILED", "expired"): EXPIRED_COUNT}
    check(got == want, f"{driver}: {EXPIRED_COUNT} expired-certificate failures explained as {got}, "
          f"expected {want}")
    codes = {str((e.get("verify") or {}).get("code")) for e in events}
    check(codes == {"10"}, f"{driver}: verify.code is {codes}, expected 10 (certificate has expired)")
    return f"{EXPIRED_COUNT} runs, each explained as expired"


CASES = [
    ("mongoc: 20 pings to a good TLS server, no events", good_server, "mongoc", 0),
    ("mongoc: 20 pings to a server that answers 150 ms late, no events", good_server, "mongoc", 0.15),
    ("mongoc: 10 pings to an expired certificate, each explained as expired", expired_server, "mongoc"),
    ("php: 20 pings to a good TLS server, no events", good_server, "php", 0),
    ("php: 20 pings to a server that answers 150 ms late, no events", good_server, "php", 0.15),
    ("php: 10 pings to an expired certificate, each explained as expired", expired_server, "php"),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)


TARGETS = {"check-drivers": [cases]}
