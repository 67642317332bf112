# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""The syslog sink against a real rsyslogd (Debian's rsyslog, run in the foreground with its own
config and its own socket in the test's directory; /dev/log is never touched).

 1. One event is one message: five different failures (one with a certificate whose names make
    long reports) arrive as one message per explanation (hshost's, at both ends), each of them
    whole, valid JSON within rsyslog's default 8 KB, tagged tlsdiag[pid], at severity warning.
    (A report too big for 8 KB is shortened, never cut: test_classify's check_json_fits.)
 2. A text explanation is one message, its lines joined by " | ".
 3. Facility and identity are settings: TLSDIAG_SYSLOG_FACILITY=local3, TLSDIAG_SYSLOG_IDENT.
 4. 200 failures in a tight loop (400 explanations): at least 95 % arrive, and every one is
    accounted for: the ones that could not go are counted in a later reports_dropped message.
 5. The fleet path: a second rsyslogd receives over TCP on loopback what the first forwards,
    with the forwarding rule of doc/rsyslog-tlsdiag-forward.conf (the one the README shows), and
    `tlsdiag report` over the central log counts every failure.
 6. A stream socket (syslog-ng's unix-stream) gets NUL-terminated messages, each valid JSON.
Hosts: test/guest/hshost.c and openssl s_client against s_server."""
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

from guestlib import check, host_env
import tdlib  # noqa: E402  (on sys.path once guestlib is imported)

RSYSLOGD = "/usr/sbin/rsyslogd"
FORWARD_CONF = tdlib.ROOT / "doc" / "rsyslog-tlsdiag-forward.conf"
# What each message is written as: tag, severity, facility and the message itself.
TEMPLATE = '"%syslogtag%\\t%syslogseverity-text%\\t%syslogfacility-text%\\t%msg:2:$%\\n"'


class Rsyslogd:
    """rsyslogd -n with a config of our own: a unix socket (or a TCP port) in, a file out."""

    def __init__(self, tmp, name, tcp_port=None, extra=""):
        if not os.access(RSYSLOGD, os.X_OK):
            raise tdlib.Skip("rsyslogd is not installed (Debian's rsyslog, in .ci/packages)")
        self.dir = Path(tmp) / name
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "work").mkdir(exist_ok=True)
        self.sock = self.dir / "log.sock"
        self.out = self.dir / "out.log"
        inputs = (f'module(load="imtcp")\ninput(type="imtcp" address="127.0.0.1" port="{tcp_port}")\n'
                  if tcp_port else
                  f'module(load="imuxsock" SysSock.Use="off")\n'
                  f'input(type="imuxsock" Socket="{self.sock}" RateLimit.Interval="0")\n')
        conf = (f'global(workDirectory="{self.dir}/work")\n{inputs}'
                f'template(name="fields" type="string" string={TEMPLATE})\n'
                f'{extra}'
                f'action(type="omfile" file="{self.out}" template="fields")\n')
        (self.dir / "rsyslog.conf").write_text(conf)
        self.proc = subprocess.Popen([RSYSLOGD, "-n", "-f", str(self.dir / "rsyslog.conf"),
                                      "-i", str(self.dir / "pid")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("rsyslogd exited: %s" % self.proc.stdout.read().decode(errors="replace"))
            if tcp_port and _port_open(tcp_port) or not tcp_port and self.sock.exists():
                return
            time.sleep(0.05)
        raise AssertionError("rsyslogd did not open its input within 10 s")

    def messages(self, count=None, settle=1.0, timeout=15):
        """The (tag, severity, facility, msg) lines written so far: waits for count of them, or
        until nothing new came for settle seconds."""
        deadline, last, seen = time.monotonic() + timeout, time.monotonic(), -1
        while time.monotonic() < deadline:
            lines = self.out.read_text(errors="replace").splitlines() if self.out.exists() else []
            if count is not None and len(lines) >= count:
                break
            if len(lines) != seen:
                seen, last = len(lines), time.monotonic()
            elif time.monotonic() - last >= settle and (count is None or time.monotonic() - last >= 3):
                break
            time.sleep(0.1)
        return [tuple(line.split("\t", 3)) for line in lines if line.count("\t") >= 3]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _port_open(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _env(build, where, fmt="json", **extra):
    return host_env(build.cnf, mode="1", fmt=fmt, output="syslog:%s" % where, window=0, **extra)


def _hshost(build, env, *args):
    res = tdlib.run([build.prog("hshost"), *args], env, timeout=120)
    check(not res.timed_out, "hshost hung")
    return res


def _s_client(pki, env, port, *args):
    return tdlib.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername", "localhost",
                      "-CAfile", str(pki / "root.crt"), "-verify_return_error", *args], env, timeout=30)


def _json(msg):
    try:
        return json.loads(msg)
    except ValueError as e:
        raise AssertionError("a message is not JSON (%s): %r" % (e, tdlib.clip(msg, 200)))


def five_failures(build, tmp):
    pki = tdlib.make_pki(build.dir)
    rs = Rsyslogd(tmp, "five")
    servers = []
    try:
        env = _env(build, rs.sock)
        _hshost(build, env, "fail")
        _hshost(build, env, "--bulky-cert", "fail")
        for cert, extra, client_args in (("expired", [], []),
                                         ("wronghost", [], ["-verify_hostname", "localhost"]),
                                         ("good", ["-tls1_2"], ["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])):
            srv = tdlib.SServer(["-cert", pki / ("%s.crt" % cert), "-key", pki / ("%s.key" % cert),
                                 "-cert_chain", pki / "inter.crt", *extra])
            servers.append(srv)
            _s_client(pki, env, srv.port, *client_args)
        got = rs.messages(count=7)
    finally:
        for srv in servers:
            srv.stop()
        rs.stop()
    # hshost is both ends of its handshakes: each of its failures is explained by both.
    check(len(got) == 7, "%d messages for 7 events (5 failures, 2 of them seen from both ends): %r"
          % (len(got), [tdlib.clip(m[3], 80) for m in got]))
    events = [_json(m[3]) for m in got]
    for (tag, severity, facility, msg), ev in zip(got, events):
        problems = tdlib.contract_problems(ev)
        check(not problems, "event breaks the contract: %s" % problems)
        check(tag.startswith("tlsdiag[") and tag.endswith("]:"), "tag %r, not tlsdiag[PID]:" % tag)
        check((severity, facility) == ("warning", "user"), "severity/facility %s/%s" % (severity, facility))
        check(len(msg) < 8096, "a message of %d bytes (rsyslog's maximum is 8096)" % len(msg))
    causes = [ev["cause"] for ev in events if ev["role"] == "client"]
    check(sorted(causes) == sorted(["self_signed", "self_signed", "expired", "hostname_mismatch",
                                    "peer_rejected_versions"]), "client causes %s" % causes)
    longest = max(len(m[3]) for m in got)
    check(longest > 4000, "the bulky certificate's report is only %d bytes: it proves little" % longest)
    return "7 messages, all JSON, client causes %s; the longest %d bytes" % (", ".join(causes), longest)


def text_one_message(build, tmp):
    rs = Rsyslogd(tmp, "text")
    try:
        env = _env(build, rs.sock, fmt="text", TLSDIAG_SYSLOG_FACILITY="local3",
                   TLSDIAG_SYSLOG_IDENT="tls-audit")
        _hshost(build, env, "fail")
        got = rs.messages(count=2)
    finally:
        rs.stop()
    check(len(got) == 2, "%d messages for one failure explained at both ends" % len(got))
    client = [m for m in got if "(client)" in m[3].split(" | ")[0]]
    check(len(client) == 1, "no one message holds the client's explanation: %r" % [m[3][:80] for m in got])
    tag, severity, facility, msg = client[0]
    check(tag.startswith("tls-audit["), "tag %r, not the TLSDIAG_SYSLOG_IDENT" % tag)
    check(facility == "local3", "facility %s, not local3" % facility)
    check(msg.startswith("tlsdiag: CERTIFICATE_VERIFY_FAILED:"), "message starts %r" % msg[:60])
    check(" | what: " in msg and " | cause: " in msg and " | fix: " in msg, "lines not joined by ' | ': %r"
          % tdlib.clip(msg, 200))
    return "one message of %d bytes, tag %s, facility local3" % (len(msg), tag)


def storm_accounted(build, tmp):
    rs = Rsyslogd(tmp, "storm")
    try:
        res = _hshost(build, _env(build, rs.sock), "fail*200")
        check(res.rc == 0, "hshost failed: %s" % tdlib.clip(res.stdout + res.stderr))
        got = rs.messages(count=400, settle=2)
    finally:
        rs.stop()
    events = [_json(m[3]) for m in got]
    failed = sum(1 for e in events if e["event"] == "handshake_failed")
    reported = sum(e["count"] for e in events if e["event"] == "reports_dropped")
    # 200 failures, each explained by the client and the server end.
    check(failed >= 380, "only %d of 400 explanations arrived" % failed)
    check(failed + reported <= 400, "%d arrived + %d reported dropped > 400" % (failed, reported))
    # Drops after the last message that went cannot be told; every other one is.
    check(failed == 400 or reported > 0, "%d of 400 arrived and no reports_dropped message counts the rest" % failed)
    return "%d of 400 explanations (200 failures, both ends) arrived, %d reported dropped" % (failed, reported)


def forwarded_over_tcp(build, tmp):
    port = tdlib.free_port()
    rule = FORWARD_CONF.read_text().replace("LOGHOST", "127.0.0.1").replace("6514", str(port))
    # The central one also keeps rsyslog's standard file format, which tlsdiag report reads.
    fleet_log = Path(tmp) / "central" / "fleet.log"
    central = Rsyslogd(tmp, "central", tcp_port=port,
                       extra='action(type="omfile" file="%s" template="RSYSLOG_FileFormat")\n' % fleet_log)
    try:
        local = Rsyslogd(tmp, "local", extra=rule)
        try:
            _hshost(build, _env(build, local.sock), "fail", "fail12")
            got = central.messages(count=4)
        finally:
            local.stop()
    finally:
        central.stop()
    check(len(got) == 4, "the central rsyslogd received %d of 4 events (2 failures, both ends)" % len(got))
    for tag, _, _, msg in got:
        check(tag.startswith("tlsdiag["), "forwarded tag %r" % tag)
        problems = tdlib.contract_problems(_json(msg))
        check(not problems, "forwarded event breaks the contract: %s" % problems)
    rep = tdlib.run([str(build.dir / "tlsdiag"), "report", "--json", str(fleet_log)])
    check(rep.rc == 1, "tlsdiag report over the central log exited %s, not 1 (failures)" % rep.rc)
    summary = json.loads(rep.stdout)
    check(summary["failures"] == 4 and summary["hosts"] == 1 and summary["skipped_lines"] == 0,
          "tlsdiag report over the central log: %d failures on %d hosts, %d lines skipped" % (
              summary["failures"], summary["hosts"], summary["skipped_lines"]))
    shown = (tdlib.ROOT / "README.md").read_text()
    body = [line for line in FORWARD_CONF.read_text().splitlines() if line and not line.startswith("#")]
    check(all(line in shown for line in body), "README.md does not show the forwarding rule this test ran")
    return "4 events forwarded whole over TCP to 127.0.0.1:%d; README shows the same rule" % port


def stream_socket(build, tmp):
    path = Path(tmp) / "stream.sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(16)
    data, done = [], threading.Event()

    def serve():
        srv.settimeout(0.2)
        while not done.is_set():
            try:
                conn, _ = srv.accept()
            except (OSError, socket.timeout):
                continue
            with conn:
                conn.settimeout(5)
                while chunk := conn.recv(65536):
                    data.append(chunk)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        _hshost(build, _env(build, path), "fail", "fail12")
        time.sleep(0.5)
    finally:
        done.set()
        t.join(5)
        srv.close()
    frames = [f for f in b"".join(data).split(b"\0") if f]
    check(len(frames) == 4, "%d NUL-terminated messages for 4 events (2 failures, both ends)" % len(frames))
    for f in frames:
        text = f.decode()
        check(text.startswith("<12>"), "message starts %r, not <12> (user.warning)" % text[:12])
        _json(text.split("]: ", 1)[1])
    return "4 framed messages, each JSON"


CASES = [
    ("syslog: five failures, one message per explanation, each valid JSON under 8 KB", five_failures),
    ("syslog: a text explanation is one message; facility and ident are settings", text_one_message),
    ("syslog: 200 failures in a tight loop: >= 95 % arrive, drops are counted", storm_accounted),
    ("syslog: forwarded over TCP to a second rsyslogd (doc/rsyslog-tlsdiag-forward.conf)", forwarded_over_tcp),
    ("syslog: a stream socket gets NUL-framed messages", stream_socket),
]


def cases(build, tmp):
    return [(name, fn, build, tmp) for name, fn in CASES]


TARGETS = {"check-syslog": [cases]}
