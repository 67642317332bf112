#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-nginx: tlsdiag inside Debian's nginx explains failed handshakes from the server side.

nginx (master + one worker, unprivileged port on 127.0.0.1, config generated per case) is
run twice per case: without tlsdiag, and with OPENSSL_CONF=build/openssl.cnf TLSDIAG=1 and
JSON events to a file. The same clients (pyclient.py, curl, openssl s_client, all without
tlsdiag themselves) run against both, one after the other. For every client:

  - the client's exit status, stdout and stderr are the same against both servers;
  - the lines nginx adds to its error_log are the same (timestamps, pids, connection
    numbers and ports aside): tlsdiag must not change what nginx logs;
  - with tlsdiag, the worker wrote exactly the events the case expects.

The worker is checked to have build/tlsdiag.so mapped (and not without the config), and
every case that expects silence also runs a control client that must produce an event, so
a tlsdiag that is not loaded, not hooked or not writing cannot pass as "silent".

Cases: 1 version too low, 2 no shared cipher, 3 client certificate from an untrusted CA,
4 a client that does not trust nginx, 5 plain HTTP to the TLS port, 6 a good client (plus
TLSDIAG=trace), 7 no client certificate for ssl_verify_client on (nginx's 400), 8 the same
client served by ssl_verify_client optional, and where TLSDIAG_OUTPUT=stderr lands when nginx runs with daemon off.

Usage: check_nginx.py [--build DIR] [--nginx PATH] [-v]
Prints ok/FAIL per case (-v: every check) and ends with "N passed, N failed"; without nginx
every case is skipped and the exit status is 77.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import tdlib  # noqa: E402

CLIENTS = tdlib.ROOT / "test" / "clients"
# Each client's lines in the error log and events file are read once both have been
# quiet this long: nginx logs a failed handshake just after the alert reached the client.
SETTLE_QUIET = 0.15
SETTLE_LIMIT = 3.0


class Checks:
    """The checks of one case: each is kept with its outcome, failures are listed."""

    def __init__(self):
        self.results = []

    def expect(self, cond, what):
        self.results.append((bool(cond), what))
        return bool(cond)

    @property
    def failed(self):
        return [w for ok, w in self.results if not ok]


# ---- nginx ---------------------------------------------------------------------------------

class NginxError(Exception):
    pass


class Nginx:
    """One nginx master (and its worker) in its own session, with its own prefix directory."""

    PROBE_LOGGED = re.compile(r"\*1 client closed connection while SSL handshaking")

    def __init__(self, binary, prefix, pki, directives, tlsdiag_env):
        self.prefix = Path(prefix)
        self.prefix.mkdir(parents=True)
        self.error_log = self.prefix / "error.log"
        self.events = self.prefix / "events.jsonl"
        self.output = self.prefix / "nginx-output.txt"   # nginx's own stdout+stderr
        self.proc = None
        ident = tdlib.nginx_worker_identity()
        if ident:
            # The worker (nobody) opens the events file itself: let it reach and write it.
            os.chmod(self.prefix.parent, 0o711)
            os.chmod(self.prefix, 0o711)
            self.events.touch(mode=0o600)
            os.chown(self.events, ident[0].pw_uid, ident[1].gr_gid)
        env = tdlib.base_env()
        if tlsdiag_env:
            env.update(tlsdiag_env)
            env.setdefault("TLSDIAG_OUTPUT", "file:" + str(self.events))
            env.setdefault("TLSDIAG_REPEAT_WINDOW", "0")   # every client explained, not counted
            env.setdefault("TLSDIAG_RATE_LIMIT", "0")
        for attempt in range(5):
            self.port = tdlib.free_port()
            conf = tdlib.nginx_conf(self.prefix, self.port, f"{pki}/good-chain.pem", f"{pki}/good.key",
                                    directives)
            (self.prefix / "nginx.conf").write_text(conf)
            if self._start(binary, env):
                return
            if "Address already in use" not in self.error_log_text():
                break
        raise NginxError("nginx did not start: %s" % tdlib.clip(self.error_log_text()
                                                                 + self.output_text(), 600))

    def _start(self, binary, env):
        self.error_log.write_bytes(b"")
        with open(self.output, "wb") as out:
            self.proc = subprocess.Popen(
                [binary, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
                 "-e", str(self.error_log)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
            except OSError:
                time.sleep(0.02)
                continue
            # The master listens before its worker runs: the probe is ready when the worker
            # has logged it, so that its line never lands among a client's lines.
            while time.monotonic() < deadline:
                if self.PROBE_LOGGED.search(self.error_log_text()):
                    return True
                time.sleep(0.02)
        self.stop()
        raise NginxError("nginx not ready after 10 s: %s" % tdlib.clip(self.error_log_text(), 600))

    def worker_pids(self):
        try:
            text = Path("/proc/%d/task/%d/children" % (self.proc.pid, self.proc.pid)).read_text()
            return [int(p) for p in text.split()]
        except (OSError, ValueError):
            return []

    def workers_map(self, path):
        """Whether every worker has path mapped (False when there is no worker)."""
        pids = self.worker_pids()
        found = []
        for pid in pids:
            try:
                found.append(str(path) in Path("/proc/%d/maps" % pid).read_text())
            except OSError:
                found.append(False)
        return bool(pids) and all(found)

    def error_log_text(self):
        try:
            return self.error_log.read_text(errors="replace")
        except OSError:
            return ""

    def output_text(self):
        try:
            return self.output.read_text(errors="replace")
        except OSError:
            return ""

    def read_events(self):
        return tdlib.read_events(self.events)

    def stop(self):
        """Graceful stop (SIGQUIT), then SIGTERM, then SIGKILL to the group; returns the status."""
        if self.proc is None:
            return None
        for sig, wait in ((signal.SIGQUIT, 5), (signal.SIGTERM, 3)):
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                rc = self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            rc = self.proc.wait()
        # The master is reaped; a worker it did not wait for is killed with the group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None
        return rc


def settle(paths):
    """Wait until none of the files has grown for SETTLE_QUIET seconds."""
    def sizes():
        out = []
        for p in paths:
            try:
                out.append(os.stat(p).st_size)
            except OSError:
                out.append(-1)
        return out
    last, since, deadline = sizes(), time.monotonic(), time.monotonic() + SETTLE_LIMIT
    while time.monotonic() < deadline:
        time.sleep(0.03)
        now = sizes()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= SETTLE_QUIET:
            return


# ---- normalisation -------------------------------------------------------------------------

_LOG_TIME = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")
_LOG_PID = re.compile(r"\b\d+#\d+: ")
_LOG_CONN = re.compile(r"\*\d+ ")
_ENDPOINT = re.compile(r"\b((?:\d{1,3}\.){3}\d{1,3}|localhost|\[[0-9a-fA-F:]+\]):\d+\b")
# s_client prefixes OpenSSL errors with its thread id.
_THREAD_ID = re.compile(r"^[0-9A-F]{8,}:error:", re.M)


def normalise_log(lines):
    out = []
    for line in lines:
        line = _LOG_TIME.sub("", line)
        line = _LOG_PID.sub("PID#TID: ", line)
        line = _LOG_CONN.sub("*N ", line)
        out.append(_ENDPOINT.sub(r"\1:PORT", line))
    return out


def normalise_client(text):
    return _ENDPOINT.sub(r"\1:PORT", _THREAD_ID.sub("THREAD:error:", text))


# ---- clients -------------------------------------------------------------------------------

class Client:
    def __init__(self, label, argv, rc, output=None):
        self.label = label
        self.argv = argv          # function of (port, pki)
        self.rc = rc              # the exit status it must have (against nginx without tlsdiag)
        self.output = output      # a regex its stdout+stderr must match (proves the failure)


def command(*words):
    """A client's command line as a function of (port, pki): {port} and {pki} in a word stand
    for nginx's port and the test PKI's directory."""
    return lambda port, pki: [w.format(port=port, pki=pki) for w in words]


ROOT_CA = "{pki}/root.crt"
HTTPS = "https://localhost:{port}/"


def python(*args):
    return command(tdlib.PYTHON, str(CLIENTS / "pyclient.py"), "--port", "{port}", *args)


def curl(*args):
    return command("curl", "-sS", "--max-time", "10", *args)


def s_client(*args):
    return command("openssl", "s_client", "-brief", "-verify_return_error",
                   "-connect", "127.0.0.1:{port}", "-servername", "localhost", *args)


class Outcome:
    """What one client run produced: its result, and what it added to nginx's files."""

    def __init__(self, result, log_lines, events):
        self.result, self.log_lines, self.events = result, log_lines, events


def run_client(server, client, pki):
    log_before = len(server.error_log_text().splitlines())
    events_before = len(server.read_events()[0])
    argv = client.argv(server.port, pki)
    # The clients never load tlsdiag: only the server side differs between the two runs.
    result = tdlib.run(argv, tdlib.base_env(), timeout=20)
    settle([server.error_log, server.events])
    log_lines = server.error_log_text().splitlines()[log_before:]
    events = server.read_events()[0][events_before:]
    return Outcome(result, log_lines, events)


# ---- event expectations --------------------------------------------------------------------

def values(ev, path):
    return [tdlib.scalar_text(v) for v in tdlib.lookup(ev, path)]


def check_event(checks, ev, who, expectations):
    """expectations: (path, op, value); op is == or ~= (regex search) or !~ or 'in'."""
    problems = tdlib.contract_problems(ev)
    checks.expect(not problems, "%s: the event keeps the tlsdiag/1 contract (%s)" % (who, "; ".join(problems)))
    for path, op, want in expectations:
        got = values(ev, path)
        if op == "==":
            ok = got == [want]
        elif op == "in":
            ok = len(got) == 1 and got[0] in want
        elif op == "~=":
            ok = any(re.search(want, g) for g in got)
        elif op == "!~":
            ok = not any(re.search(want, g) for g in got)
        else:
            raise ValueError(op)
        checks.expect(ok, "%s: %s %s %r (is %s)" % (who, path, op, want,
                                                     ", ".join(repr(g) for g in got) or "absent"))


def server_failure(section, cause, *extra):
    return [("event", "==", "handshake_failed"), ("role", "==", "server"),
            ("program", "==", "nginx"), ("section", "==", section), ("cause", "==", cause)] + list(extra)


ADDR = ("peer.addr", "~=", r"^127\.0\.0\.1:[0-9]+$")
PLACEHOLDERS = [("summary", "!~", r"[{}]|(^|\s)\?(\s|$)"), ("fix", "!~", r"[{}]")]


# ---- cases ---------------------------------------------------------------------------------

class Case:
    def __init__(self, name, title, directives, clients, expect_events, log=None, control=False):
        self.name, self.title = name, title
        self.directives = directives        # function of pki
        self.clients = clients
        # function(client) -> [(path, op, value) or function(event) -> (ok, what)]; None: silent
        self.expect_events = expect_events
        self.log = log                      # a regex nginx's own log must show (without tlsdiag)
        self.control = control              # run the control client after the case's clients


def min_source_named(ev):
    """limit_source's minimum part names what set it (nginx's ssl_protocols disables TLSv1 and
    TLSv1.1 through SSL_OP_NO_* options), and does not claim that nothing did."""
    text = " ".join(values(ev, "evidence.limit_source"))
    minimum = text.split("; maximum")[0]
    ok = ("none set" not in minimum
          and re.search(r"(?i)SSL_OP_NO_TLSv1|disabl|application|ssl_protocols", minimum))
    return ok, "evidence.limit_source names where the minimum TLSv1.2 comes from (%r)" % text


CONTROL = Client("control: python, untrusting", python(), 1)
CONTROL_EXPECT = server_failure("OTHER", "peer_rejected_our_certificate")

MODERN = lambda pki: ["ssl_protocols TLSv1.2 TLSv1.3;"]  # noqa: E731

CASES = [
    Case("case1-version-too-low",
         "ssl_protocols TLSv1.2 TLSv1.3 and a client capped at TLS 1.0",
         MODERN,
         [Client("python --max TLSv1", python("--cafile", ROOT_CA, "--min", "TLSv1", "--max", "TLSv1",
                                              "--ciphers", "DEFAULT:@SECLEVEL=0"),
                 1, r"TLSV1_ALERT_PROTOCOL_VERSION"),
          Client("curl --tls-max 1.0", curl("--cacert", ROOT_CA, "--tlsv1.0", "--tls-max", "1.0",
                                            "--ciphers", "DEFAULT@SECLEVEL=0", HTTPS),
                 35, r"alert protocol version")],
         lambda client: server_failure(
             "TLSV1_ALERT_PROTOCOL_VERSION", "peer_version_too_low", ADDR,
             ("versions.peer", "==", "TLSv1"), ("versions.min", "==", "TLSv1.2"),
             ("alert.dir", "==", "sent"), ("evidence.peer_offered", "~=", r"TLSv1\b"),
             min_source_named),
         log=r"SSL_do_handshake\(\) failed .*unsupported protocol"),

    Case("case2-no-shared-cipher",
         "ssl_ciphers AES128-SHA, TLS 1.2 only, and a client offering only ECDHE suites",
         lambda pki: ["ssl_protocols TLSv1.2;", "ssl_ciphers AES128-SHA;"],
         [Client("python ECDHE+AESGCM", python("--cafile", ROOT_CA, "--max", "TLSv1.2",
                                               "--ciphers", "ECDHE+AESGCM"),
                 1, r"SSLV3_ALERT_HANDSHAKE_FAILURE"),
          Client("curl ECDHE-RSA-AES128-GCM-SHA256", curl("--cacert", ROOT_CA, "--tls-max", "1.2",
                                                          "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256", HTTPS),
                 35, r"handshake failure")],
         lambda client: server_failure(
             "SSLV3_ALERT_HANDSHAKE_FAILURE", "no_shared_cipher", ADDR,
             ("alert.dir", "==", "sent"),
             ("evidence.client_cipher_names", "~=", r"^ECDHE-[A-Z0-9-]+(:ECDHE-[A-Z0-9-]+)*$"),
             ("evidence.client_ciphers", "~=", r"forward-secret only"),
             ("evidence.server_allows", "~=", r"(^|:)AES128-SHA(:|$)")),
         log=r"SSL_do_handshake\(\) failed .*no shared cipher"),

    # nginx's verify callback accepts every certificate so that it can answer with a page of its
    # own: the handshake completes, and nginx rejects the request (400 "The SSL certificate
    # error") after logging the verify result. The explanation must still come.
    Case("case3-client-cert-untrusted",
         "ssl_verify_client on, ssl_client_certificate other-root.crt, client.crt from the test CA",
         lambda pki: MODERN(pki) + ["ssl_verify_client on;",
                                    "ssl_client_certificate %s;" % (pki / "other-root.crt")],
         [Client("python --cert client.crt", python("--cafile", ROOT_CA, "--cert", "{pki}/client.crt",
                                                    "--key", "{pki}/client.key", "--request"),
                 0, r"^ok TLSv1\.3 "),
          Client("curl --cert client.crt", curl("--cacert", ROOT_CA, "--cert", "{pki}/client.crt",
                                                "--key", "{pki}/client.key", HTTPS),
                 0, r"400 The SSL certificate error")],
         lambda client: server_failure(
             "CERTIFICATE_VERIFY_FAILED", "unknown_ca", ADDR,
             ("verify.code", "in", ("20", "21")),
             ("evidence.about", "~=", r"client's certificate"),
             ("verify.subject", "~=", r"tlsdiag test client"),
             ("evidence.certificate", "~=", r"tlsdiag test client"),
             # The advice is for this server's operator (trust the client's CA), not the client's.
             ("fix", "~=", r"(?i)\bserver\b")),
         log=r"client SSL certificate verify error: \(2[01]:"),

    Case("case4-client-distrusts-nginx",
         "a client without the test root",
         MODERN,
         [Client("python without --cafile", python(), 1, r"CERTIFICATE_VERIFY_FAILED"),
          Client("curl without --cacert", curl(HTTPS), 60, r"unable to get local issuer certificate"),
          Client("s_client without -CAfile", s_client(), 1, r"certificate verify failed")],
         # No peer.addr here: these clients reset the connection right after their alert, and
         # tlsdiag looks the address up only when nginx's read of the alert fails, by which time
         # getpeername() often answers ENOTCONN (seen with strace), so it is null in some runs.
         lambda client: server_failure(
             "OTHER", "peer_rejected_our_certificate",
             ("alert.dir", "==", "received"), ("alert.desc", "~=", r"(?i)unknown ca"),
             ("summary", "~=", r"with an? '(?i:unknown ca)' alert")),
         log=r"SSL_do_handshake\(\) failed .*alert unknown ca"),

    # nginx peeks at the first byte of a connection on an ssl listener: anything that cannot
    # start a TLS (or SSLv2) hello is read as plain HTTP and answered with 400 without ever
    # creating an SSL object, so OpenSSL, and tlsdiag with it, never see these bytes. The
    # control client afterwards proves that tlsdiag is live in this worker.
    Case("case5-plain-http",
         "curl http:// to the TLS port",
         MODERN,
         [Client("curl http://", curl("http://127.0.0.1:{port}/"), 0,
                 r"400 The plain HTTP request was sent to HTTPS port")],
         None, log=r"client sent plain HTTP request to HTTPS port", control=True),

    # ssl_verify_client on asks for a certificate without OpenSSL's FAIL_IF_NO_PEER_CERT: the
    # handshake completes without one, and nginx answers 400 and drops the session (issue 15).
    Case("case7-client-cert-missing",
         "ssl_verify_client on, a client without a certificate",
         lambda pki: MODERN(pki) + ["ssl_verify_client on;",
                                    "ssl_client_certificate %s;" % (pki / "root.crt")],
         [Client("python --request, no --cert", python("--cafile", ROOT_CA, "--request"),
                 0, r"^ok TLSv1\.3 "),
          Client("curl, no --cert", curl("--cacert", ROOT_CA, HTTPS),
                 0, r"400 No required SSL certificate was sent")],
         lambda client: server_failure(
             "OTHER", "client_cert_missing", ADDR,
             ("summary", "~=", r"^The client sent no certificate, and nginx requires one"),
             ("evidence.error", "~=", r"without a client certificate, and nginx refused"),
             ("fix", "~=", r"ssl_verify_client optional")),
         log=r"client sent no required SSL certificate"),

    # The same client served by ssl_verify_client optional: nothing failed, nothing is said.
    Case("case8-client-cert-optional",
         "ssl_verify_client optional, a client without a certificate",
         lambda pki: MODERN(pki) + ["ssl_verify_client optional;",
                                    "ssl_client_certificate %s;" % (pki / "root.crt")],
         [Client("python --request, no --cert", python("--cafile", ROOT_CA, "--request"),
                 0, r"^ok TLSv1\.3 "),
          Client("curl, no --cert", curl("--cacert", ROOT_CA, HTTPS), 0, r"^hello from nginx$")],
         None, control=True),

    Case("case6-good-client",
         "clients that trust the test root",
         MODERN,
         [Client("python --cafile root.crt", python("--cafile", ROOT_CA), 0, r"^ok TLSv1\.3 "),
          Client("curl --cacert root.crt", curl("--cacert", ROOT_CA, HTTPS), 0, r"^hello from nginx$"),
          Client("s_client -CAfile root.crt", s_client("-CAfile", ROOT_CA), 0, r"Verification: OK")],
         None, control=True),
]

TRACE_EXPECT = [("event", "==", "handshake_ok"), ("role", "==", "server"), ("program", "==", "nginx"),
                ("cause", "==", "ok"), ("versions.negotiated", "==", "TLSv1.3"), ADDR]


# ---- running -------------------------------------------------------------------------------

def serve(args, pki, scratch, tag, case, tlsdiag_env, clients):
    """Start nginx for case, run clients, stop it. Returns (outcomes, nginx facts)."""
    server = Nginx(args.nginx, scratch / tag, pki, case.directives(pki), tlsdiag_env)
    try:
        facts = {"mapped": server.workers_map(args.build / "tlsdiag.so"), "port": server.port}
        outcomes = [run_client(server, c, pki) for c in clients]
    finally:
        facts_rc = server.stop()
    facts["rc"] = facts_rc
    facts["all_events"], facts["event_problems"] = server.read_events()
    facts["output"] = server.output_text()
    facts["error_log"] = server.error_log_text()
    return outcomes, facts


def run_case(args, pki, scratch, case):
    checks = Checks()
    clients = list(case.clients) + ([CONTROL] if case.control else [])
    plain, pf = serve(args, pki, scratch, case.name + "-plain", case, None, case.clients)
    diag, df = serve(args, pki, scratch, case.name + "-tlsdiag", case,
                     tdlib.tlsdiag_env(args.build, "1", "json"), clients)

    checks.expect(df["mapped"], "the nginx worker has tlsdiag.so mapped with the config")
    checks.expect(not pf["mapped"], "the nginx worker without the config has no tlsdiag.so")
    checks.expect(pf["rc"] == 0 and df["rc"] == 0,
                  "nginx stops cleanly on SIGQUIT (exit %s without, %s with tlsdiag)" % (pf["rc"], df["rc"]))
    checks.expect(pf["output"] == df["output"] == "",
                  "nginx prints nothing outside its error log (%r / %r)" % (
                      tdlib.clip(pf["output"]), tdlib.clip(df["output"])))
    checks.expect(not df["event_problems"], "every events line is a JSON object (%s)" % "; ".join(df["event_problems"]))

    for client, p, d in zip(case.clients, plain, diag):
        who = client.label
        checks.expect(p.result.rc == client.rc and not p.result.timed_out,
                      "%s: exits %d without tlsdiag (%s)" % (who, client.rc, p.result.describe()))
        if client.output:
            checks.expect(re.search(client.output, p.result.stdout + p.result.stderr, re.M),
                          "%s: output shows %r" % (who, client.output))
        same = (p.result.rc, normalise_client(p.result.stdout), normalise_client(p.result.stderr)) == \
               (d.result.rc, normalise_client(d.result.stdout), normalise_client(d.result.stderr))
        checks.expect(same, "%s: exit status and output are the same with tlsdiag in nginx "
                      "(without: %s; with: %s)" % (who, p.result.describe(), d.result.describe()))
        if case.log:
            checks.expect(any(re.search(case.log, line) for line in p.log_lines),
                          "%s: nginx logs %r (%s)" % (who, case.log, tdlib.clip(" | ".join(p.log_lines))))
        checks.expect(normalise_log(p.log_lines) == normalise_log(d.log_lines),
                      "%s: nginx's error_log lines are the same with tlsdiag (without: %s; with: %s)" % (
                          who, tdlib.clip(" | ".join(p.log_lines)), tdlib.clip(" | ".join(d.log_lines))))
        if case.expect_events is None:
            checks.expect(not d.events, "%s: tlsdiag says nothing (%s)" % (
                who, tdlib.clip(str(d.events))))
        elif checks.expect(len(d.events) == 1, "%s: exactly one event from nginx (%d: %s)" % (
                who, len(d.events), tdlib.clip(str(d.events), 600))):
            ev = d.events[0]
            wanted = case.expect_events(client)
            check_event(checks, ev, who, [w for w in wanted if isinstance(w, tuple)] + PLACEHOLDERS)
            for fn in (w for w in wanted if callable(w)):
                ok, what = fn(ev)
                checks.expect(ok, "%s: %s" % (who, what))

    if case.control:
        c = diag[-1]
        if checks.expect(len(c.events) == 1, "control (a client that distrusts nginx) gets one "
                         "event: tlsdiag is live in this worker (%d events)" % len(c.events)):
            check_event(checks, c.events[0], "control", CONTROL_EXPECT)
    checks.expect(len(df["all_events"]) == sum(len(o.events) for o in diag),
                  "no events other than the clients' (none at shutdown): %d in all" % len(df["all_events"]))

    if case.name == "case6-good-client":
        trace, tf = serve(args, pki, scratch, case.name + "-trace", case,
                          tdlib.tlsdiag_env(args.build, "trace", "json"), case.clients)
        for client, t, p in zip(case.clients, trace, plain):
            who = "trace, " + client.label
            checks.expect((t.result.rc, normalise_client(t.result.stdout)) ==
                          (p.result.rc, normalise_client(p.result.stdout)),
                          "%s: same outcome as without tlsdiag (%s)" % (who, t.result.describe()))
            if checks.expect(len(t.events) == 1, "%s: one handshake_ok event (%d: %s)" % (
                    who, len(t.events), tdlib.clip(str(t.events)))):
                check_event(checks, t.events[0], who, TRACE_EXPECT)
        checks.expect(len(tf["all_events"]) == sum(len(t.events) for t in trace),
                      "trace: no events other than the clients' (none at shutdown): %d in all"
                      % len(tf["all_events"]))
    return checks


def run_stderr_case(args, pki, scratch):
    """TLSDIAG_OUTPUT=stderr in nginx: with daemon off the master points fd 2 at the error_log
    file (ngx_log_redirect_stderr) after tlsdiag has started and before it forks the worker. fd 2
    then names nginx's own file, not the one tlsdiag was given, so tlsdiag writes nothing there
    (operators give a daemon file: or syslog). The same client with a file sink is explained, so
    this silence is not a tlsdiag that is not running."""
    checks = Checks()
    case = CASES[3]
    client = case.clients[0]
    _, df = serve(args, pki, scratch, "stderr-output", case,
                  dict(tdlib.tlsdiag_env(args.build, "1", "text", "stderr"), TLSDIAG_REPEAT_WINDOW="0"),
                  [client])
    checks.expect("tlsdiag" not in df["error_log"],
                  "TLSDIAG_OUTPUT=stderr: nothing of tlsdiag's in nginx's error_log, which fd 2 became "
                  "after tlsdiag started (found: %r)" % df["error_log"][-300:])
    checks.expect(df["mapped"], "the nginx worker has tlsdiag.so mapped")
    _, control = serve(args, pki, scratch, "stderr-control", case,
                       dict(tdlib.tlsdiag_env(args.build, "1", "json"), TLSDIAG_REPEAT_WINDOW="0"),
                       [client])
    checks.expect(any(e.get("cause") == "peer_rejected_our_certificate" for e in control["all_events"]),
                  "control: the same client with a file sink is explained")
    return checks


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(tdlib.ROOT / "build"))
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every check")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()
    args.build = Path(args.build).resolve()
    if not os.access(args.nginx, os.X_OK):
        print("skip check-nginx: %s is not there: install nginx-light (listed in .ci/packages)" % args.nginx)
        print("check-nginx: 0 passed, 0 failed, %d skipped" % (len(CASES) + 1))
        return tdlib.EXIT_SKIP

    started = time.monotonic()
    pki = tdlib.make_pki(args.build)
    scratch = tdlib.scratch_dir("tlsdiag-nginx-")
    passed = failed = 0
    try:
        runs = [(c.name + ": " + c.title, lambda c=c: run_case(args, pki, scratch, c)) for c in CASES]
        runs.append(("stderr-output: where TLSDIAG_OUTPUT=stderr lands with daemon off",
                     lambda: run_stderr_case(args, pki, scratch)))
        for title, fn in runs:
            try:
                checks = fn()
                failures = checks.failed
            except NginxError as e:
                checks, failures = None, [str(e)]
            print("%s %s" % ("ok  " if not failures else "FAIL", title))
            if args.verbose and checks:
                for ok, what in checks.results:
                    print("    %s %s" % ("ok  " if ok else "FAIL", what))
            else:
                for what in failures:
                    print("    FAIL %s" % what)
            sys.stdout.flush()
            passed, failed = passed + (not failures), failed + bool(failures)
    finally:
        if args.keep:
            print("scratch kept in %s" % scratch)
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print("check-nginx: %d passed, %d failed (%.0f s)" % (passed, failed, time.monotonic() - started))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
