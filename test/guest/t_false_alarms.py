# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-false-alarms: a failure is a failure only when the host gives up. tlsdiag must stay
silent for handshakes that the host carried on from, and for connections that never were TLS:

  - a python3 client that chose not to verify (CERT_NONE, no hostname check) completes its
    handshake with a self-signed server and closes without writing (or after reading one byte);
    control: the same client with CERT_REQUIRED fails and gets one event;
  - nginx with ssl_verify_client optional_no_ca accepts a client certificate from a CA it does
    not know and serves 200 (curl --cert); control: a TLS 1.0-only s_client gets one event;
  - openssl s_server and nginx (tlsdiag in them) receive 20 TCP connections that close before
    sending one byte (port probes, health checks), closed with FIN and with RST; control: a
    client that sends half a ClientHello and closes gets one peer_closed event from s_server;
    for nginx the control is the TLS 1.0 client.

Each silent case runs its control in the same kind of process (for the servers: the same
process, after the probes, which also proves the probes were handled before it)."""
import os
import re
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

from guestlib import (
    PYTHON, SServer, Skip, as_steps, base_env, check, read_jsonl, tally, host_env)
import tdlib  # noqa: E402  (on sys.path once guestlib is imported)
from t_drivers import Backend

HERE = Path(__file__).resolve().parent
NGINX = "/usr/sbin/nginx"
PROBES = 20

# The python3 client: COUNT connections to 127.0.0.1:PORT; one line per connection.
CLIENT = r"""
import socket, ssl, sys
port, mode, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if mode == "required":
    ctx = ssl.create_default_context()          # CERT_REQUIRED, system trust only
else:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
for _ in range(count):
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        tls = ctx.wrap_socket(raw, server_hostname="localhost")
    except ssl.SSLError as e:
        print("fail", e.reason, flush=True)
        raw.close()
        continue
    if mode == "read1":
        print("read", tls.recv(1), tls.version(), flush=True)
    else:
        print("ok", tls.version(), flush=True)
    tls.close()                                  # nothing written, no close_notify
"""


def _self_signed(tmp):
    d = tmp / "selfsigned"
    cert, key = d / "cert.pem", d / "key.pem"
    if not cert.exists():
        d.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, env=base_env(), capture_output=True)
    return str(cert), str(key)


def _events_file(tmp, tag):
    out = tmp / f"{tag}.jsonl"
    out.write_bytes(b"")
    return out


def _py_client(build, tmp, port, mode, count, tag):
    out = _events_file(tmp, tag)
    env = host_env(build.cnf, output=f"file:{out}", window=0)
    p = subprocess.run([PYTHON, "-c", CLIENT, str(port), mode, str(count)], env=env,
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    text = p.stdout.decode("utf-8", "replace")
    check(p.returncode == 0, f"python client ({mode}) exit {p.returncode}: {p.stderr[-600:]!r}")
    return text.splitlines(), read_jsonl(out)


def _py_control(build, tmp, port, tag):
    lines, events = _py_client(build, tmp, port, "required", 1, tag + "-control")
    check(lines and lines[0].startswith("fail CERTIFICATE_VERIFY_FAILED"),
          f"control: CERT_REQUIRED against the self-signed server did not fail: {lines}")
    got = tally(events, "event", "role", "section", "cause")
    want = {("handshake_failed", "client", "CERTIFICATE_VERIFY_FAILED", "self_signed"): 1}
    check(got == want, f"control: the CERT_REQUIRED client that failed got {got}, expected {want}")


def unverified_client(build, tmp, mode):
    cert, key = _self_signed(tmp)
    count = 5
    with Backend(cert, key, banner="hello\n" if mode == "read1" else None) as srv:
        lines, events = _py_client(build, tmp, srv.port, mode, count, f"py-{mode}")
        want = r"read b'h' TLSv1\.[23]" if mode == "read1" else r"ok TLSv1\.[23]"
        check(len(lines) == count and all(re.fullmatch(want, l) for l in lines),
              f"the CERT_NONE client did not carry on after its handshakes: {lines}")
        hs = srv.handshakes()
        check(len(hs) == count and all(h.startswith("hs ok") for h in hs),
              f"the server did not see {count} completed handshakes: {hs}")
        check(not events, f"{len(events)} events for {count} unverified handshakes the client carried "
              f"on from: {tally(events, 'event', 'section', 'cause')}; first: "
              f"{ {k: events[0].get(k) for k in ('state', 'section', 'cause', 'summary')} if events else None}")
        _py_control(build, tmp, srv.port, f"py-{mode}")
    return f"{count} handshakes, no events; control explained"


def required_control(build, tmp):
    cert, key = _self_signed(tmp)
    with Backend(cert, key) as srv:
        _py_control(build, tmp, srv.port, "py-required")


# ---- nginx ----------------------------------------------------------------------------------

def _nginx_mod():
    if not os.access(NGINX, os.X_OK):
        raise Skip(f"{NGINX} is not there (nginx-light)")
    sys.path.insert(0, str(HERE.parent / "nginx"))
    import check_nginx
    return check_nginx, tdlib


def _start_nginx(build, tmp, tag, directives):
    cn, tdlib = _nginx_mod()
    pki = tmp / "test-pki"
    if not (pki / "good-chain.pem").exists():
        tdlib.make_pki(tmp)
    env = dict(tdlib.tlsdiag_env(build.dir, "1", "json"), TLSDIAG_REPEAT_WINDOW="0")
    try:
        server = cn.Nginx(NGINX, tmp / tag, pki, directives, env)
    except cn.NginxError as e:
        raise AssertionError(str(e))
    return server, pki


def _events_now(path):
    try:
        return read_jsonl(path)
    except FileNotFoundError:
        return []


def _wait_events(path, n, limit=5.0):
    """The events in path once there are at least n (or limit seconds passed), then 0.3 s more."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and len(_events_now(path)) < n:
        time.sleep(0.05)
    time.sleep(0.3)
    return _events_now(path)


def _tls10_control(server, events_path, port):
    before = len(_events_now(events_path))
    p = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
                        "-tls1", "-cipher", "DEFAULT@SECLEVEL=0"], env=base_env(),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    check(p.returncode != 0, "control: the TLS 1.0 client connected to a TLS 1.2+ nginx")
    new = _wait_events(events_path, before + 1)[before:]
    got = tally(new, "event", "role", "cause")
    want = {("handshake_failed", "server", "peer_version_too_low"): 1}
    check(got == want, f"control: the TLS 1.0 client got {got} from nginx, expected {want}")


def nginx_optional_no_ca(build, tmp):
    server, pki = _start_nginx(build, tmp, "nginx-optional", [
        "ssl_protocols TLSv1.2 TLSv1.3;", "ssl_verify_client optional_no_ca;",
        "add_header X-Client-Verify $ssl_client_verify always;"])
    try:
        check(server.workers_map(build.so), "the nginx worker does not have tlsdiag.so mapped")
        runs = 3
        for i in range(runs):
            p = subprocess.run(["curl", "-sS", "-i", "--max-time", "10", "--cacert", str(pki / "root.crt"),
                                "--cert", str(pki / "client.crt"), "--key", str(pki / "client.key"),
                                f"https://localhost:{server.port}/"], env=base_env(),
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
            out = p.stdout.decode("utf-8", "replace")
            check(p.returncode == 0 and re.search(r"^HTTP/\S+ 200", out, re.M) and "hello from nginx" in out,
                  f"curl {i}: not served 200: exit {p.returncode}, {out[:300]!r} {p.stderr[-300:]!r}")
            check(re.search(r"(?i)^X-Client-Verify: FAILED:", out, re.M),
                  f"curl {i}: nginx did not see an unverifiable client certificate: {out[:400]!r}")
        events = _wait_events(server.events, 1, limit=1.0)
        check(not events, f"{len(events)} events from nginx for {runs} requests it served 200 "
              f"(optional_no_ca): {tally(events, 'event', 'section', 'cause')}")
        _tls10_control(server, server.events, server.port)
    finally:
        server.stop()
    return f"{runs} requests served 200 with an unknown-CA client certificate, no events"


# ---- connections that close before their first byte ----------------------------------------

_HELLO = []


def _client_hello():
    """A real ClientHello (made in a python3 child without tlsdiag)."""
    if not _HELLO:
        code = ("import ssl\nc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\nc.check_hostname = False\n"
                "c.verify_mode = ssl.CERT_NONE\ni, o = ssl.MemoryBIO(), ssl.MemoryBIO()\n"
                "s = c.wrap_bio(i, o, server_hostname='localhost')\ntry:\n    s.do_handshake()\n"
                "except ssl.SSLWantReadError:\n    pass\nprint(o.read().hex())\n")
        p = subprocess.run([PYTHON, "-c", code], env=base_env(), capture_output=True, check=True)
        _HELLO.append(bytes.fromhex(p.stdout.decode().strip()))
    return _HELLO[0]


def _probe(port, rst):
    """Connect, give the server time to accept (and to start reading: a reset that comes
    before accept() never reaches the host), then close or reset without sending a byte."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    time.sleep(0.05)
    if rst:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def _half_hello(port):
    hello = _client_hello()
    check(hello[:1] == b"\x16" and len(hello) > 100, f"not a ClientHello: {hello[:20]!r}")
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(hello[:len(hello) // 2])
    s.shutdown(socket.SHUT_WR)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()


def _probe_all(port, rst):
    for _ in range(PROBES):
        _probe(port, rst)
    time.sleep(0.3)


def _half_hello_control(events_path, port, what):
    """After the probes, on the same server: half a ClientHello, then close. Once its event is
    written the server has handled every probe before it (s_server takes connections one by
    one), so the events before it are the probes'."""
    _half_hello(port)
    events = _wait_events(events_path, 1)
    check(len(events) >= 1, f"control: half a ClientHello then close produced no event from {what}: "
          "tlsdiag is not live there, so silence would prove nothing")
    last = events[-1]
    check((last.get("event"), last.get("role"), last.get("cause")) == ("handshake_failed", "server", "peer_closed"),
          f"control: half a ClientHello gave {tally(events[-1:], 'event', 'role', 'cause')}, "
          "expected handshake_failed/server/peer_closed")
    return events[:-1]


def s_server_probes(build, tmp, rst):
    cert, key = _self_signed(tmp)
    how = "RST" if rst else "FIN"
    out = _events_file(tmp, f"s_server-probes-{how}")
    env = host_env(build.cnf, output=f"file:{out}", window=0)
    with SServer(["-cert", cert, "-key", key], env=env) as srv:
        maps = Path(f"/proc/{srv.proc.pid}/maps").read_text()
        check(str(build.so) in maps, f"s_server does not have {build.so} mapped")
        _probe_all(srv.port, rst)
        probe_events = _half_hello_control(out, srv.port, "openssl s_server")
    check(not probe_events, f"{len(probe_events)} events from openssl s_server for {PROBES} connections "
          f"closed ({how}) before their first byte: {tally(probe_events, 'event', 'section', 'cause')}")
    return f"{PROBES} empty connections, no events; half a ClientHello explained"


def nginx_probes(build, tmp, rst):
    """nginx peeks at a new connection's first byte (MSG_PEEK) before it makes an SSL object,
    so these probes may never reach OpenSSL at all; tlsdiag must not report them either way.
    The control is the TLS 1.0 client: nginx logs half a ClientHello, but baseline tlsdiag
    writes nothing for it in nginx (unlike s_server), so it cannot prove liveness here."""
    how = "RST" if rst else "FIN"
    server, _ = _start_nginx(build, tmp, f"nginx-probes-{how}", ["ssl_protocols TLSv1.2 TLSv1.3;"])
    try:
        check(server.workers_map(build.so), "the nginx worker does not have tlsdiag.so mapped")
        # nginx's own readiness probe (Nginx._start) was one such connection already.
        _probe_all(server.port, rst)
        closed = re.compile(r"client closed connection|Connection reset by peer|recv\(\) failed")
        deadline = time.monotonic() + 5
        while len(closed.findall(server.error_log_text())) < PROBES + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        n = len(closed.findall(server.error_log_text()))
        check(n >= PROBES + 1, f"nginx logged only {n} closed connections for {PROBES} probes and its own")
        probe_events = _wait_events(server.events, 1, limit=0.5)
        check(not probe_events, f"{len(probe_events)} events from nginx for {PROBES} connections closed "
              f"({how}) before their first byte: {tally(probe_events, 'event', 'section', 'cause')}")
        _tls10_control(server, server.events, server.port)
    finally:
        server.stop()
    return f"{PROBES} empty connections, no events; TLS 1.0 control explained"


CASES = [
    ("python CERT_NONE: handshake with a self-signed server, close without writing: no events",
     unverified_client, "close"),
    ("python CERT_NONE: handshake with a self-signed server, read one byte, close: no events",
     unverified_client, "read1"),
    ("control: python CERT_REQUIRED against the self-signed server: one event", required_control),
    ("nginx optional_no_ca: unknown-CA client certificate served 200: no events; TLS 1.0 control",
     nginx_optional_no_ca),
    ("s_server: 20 connections closed (FIN) before their first byte: no events", s_server_probes, False),
    ("s_server: 20 connections reset (RST) before their first byte: no events", s_server_probes, True),
    ("nginx: 20 connections closed (FIN) before their first byte: no events", nginx_probes, False),
    ("nginx: 20 connections reset (RST) before their first byte: no events", nginx_probes, True),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)


TARGETS = {"check-false-alarms": [cases]}
