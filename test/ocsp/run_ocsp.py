#!/usr/bin/python3
"""End-to-end tests of tlsdiag's INVALID_STATUS_RESPONSE explanations and of the staple
health it reports in trace mode.

Real servers staple the responses test/pki/ocsp-fixtures.sh makes: openssl s_server
-status_file for every response it agrees to send, staple_server.py (pyOpenSSL) for the
bytes that are not DER, which s_server refuses to send. Real clients judge them:
PyMongo 3.11 on its pyOpenSSL path, a pyOpenSSL client with a strict policy (and one that
refuses everything, and one whose callback raises), and openssl s_client -status in
trace mode.

Each case runs its client twice: once with tlsdiag loaded and on (JSON to a file), once
without tlsdiag, and asserts that the client's exit status and output are the same both
times, that the client did what the case means (PyMongo really judged the staple through
pyOpenSSL; the strict client refused for the reason meant), and that tlsdiag's event says
the right section and cause with the staple's own facts as evidence. The facts expected
are read from the fixtures with `openssl ocsp -resp_text`, not from tlsdiag.

Prints "ok NAME" or "FAIL NAME" and the reasons per case, then "N passed, N failed".
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PYTHON = os.environ.get("PYTHON", "/usr/bin/python3")
CLIENT_TIMEOUT = 30

SCRUBBED = re.compile(
    r"^(OPENSSL_CONF|OPENSSL_MODULES|OPENSSL_ENGINES|TLSDIAG.*|SSL_CERT_FILE|SSL_CERT_DIR|"
    r"SSLKEYLOGFILE|[Hh][Tt][Tt][Pp][Ss]?_[Pp][Rr][Oo][Xx][Yy]|[Aa][Ll][Ll]_[Pp][Rr][Oo][Xx][Yy]|"
    r"[Nn][Oo]_[Pp][Rr][Oo][Xx][Yy]|PYTHON(PATH|HOME|STARTUP|WARNINGS)|FAKETIME.*|LD_PRELOAD)$")


def clean_env():
    env = {k: v for k, v in os.environ.items() if not SCRUBBED.match(k)}
    env["LC_ALL"] = "C"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# ---- fixtures ------------------------------------------------------------------------------

def openssl_time(text):
    """'Dec  4 10:00:37 2026 GMT' -> '2026-12-04T10:00:37Z'."""
    t = datetime.datetime.strptime(" ".join(text.split()), "%b %d %H:%M:%S %Y GMT")
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def staple_facts(der):
    """What `openssl ocsp` itself reads in a response: the ground truth for the evidence."""
    out = subprocess.run(["openssl", "ocsp", "-respin", str(der), "-resp_text", "-noverify"],
                         env=dict(clean_env(), OPENSSL_CONF="/dev/null"),
                         capture_output=True, text=True).stdout
    facts = {"length": der.stat().st_size}
    for key, pattern in (("response_status", r"(?:OCSP Response Status|Responder Error): (\S+)"),
                         ("cert_status", r"Cert Status: (\S+)"),
                         ("revocation_reason", r"Revocation Reason: (\S+)")):
        m = re.search(pattern, out)
        facts[key] = m.group(1) if m else None
    for key, label in (("this_update", "This Update"), ("next_update", "Next Update"),
                       ("revocation_time", "Revocation Time")):
        m = re.search(label + r": (.+ GMT)", out)
        facts[key] = openssl_time(m.group(1)) if m else None
    return facts


def make_fixtures(pki, work):
    subprocess.run(["sh", str(ROOT / "test/pki/ocsp-fixtures.sh"), str(pki)], check=True,
                   env=clean_env())
    # A good response that runs out in an hour, for the "refresh it soon" warning. The
    # fixture set has none; `openssl ocsp` answers from an index naming the leaf as valid.
    near = work / "near"
    shutil.rmtree(near, ignore_errors=True)
    near.mkdir(parents=True)
    env = dict(clean_env(), OPENSSL_CONF="/dev/null")

    def cert_field(flag):
        return subprocess.run(["openssl", "x509", "-in", str(pki / "leaf.pem"), "-noout", flag],
                              env=env, check=True, capture_output=True, text=True
                              ).stdout.strip().split("=", 1)[1]
    not_after = datetime.datetime.strptime(" ".join(cert_field("-enddate").split()),
                                           "%b %d %H:%M:%S %Y GMT")
    (near / "index.txt").write_text("V\t%s\t\t%s\tunknown\t/CN=localhost\n"
                                    % (not_after.strftime("%y%m%d%H%M%SZ"), cert_field("-serial")))
    subprocess.run(["openssl", "ocsp", "-index", str(near / "index.txt"), "-CA", str(pki / "ca.pem"),
                    "-issuer", str(pki / "ca.pem"), "-cert", str(pki / "leaf.pem"),
                    "-rsigner", str(pki / "ca.pem"), "-rkey", str(pki / "ca.key"), "-no_nonce",
                    "-nmin", "60", "-respout", str(near / "near.der")],
                   env=env, check=True, capture_output=True)
    return near / "near.der"


# ---- servers -------------------------------------------------------------------------------

class Servers:
    """One server per (certificate, staple, kind), started on first use, on a port it picks."""

    def __init__(self, pki, work):
        self.pki, self.work, self.running = pki, work, {}
        self.lock = threading.Lock()

    def port(self, cert, staple, kind):
        key = (cert, str(staple), kind)
        with self.lock:
            if key not in self.running:
                self.running[key] = self._start(cert, staple, kind)
            return self.running[key][1]

    def _start(self, cert, staple, kind):
        pki = self.pki
        if kind == "raw":
            argv = [PYTHON, str(HERE / "staple_server.py"), "--cert", str(pki / ("%s-fullchain.pem" % cert)),
                    "--key", str(pki / ("%s.key" % cert)), "--staple", str(staple), "--lifetime", "600"]
        else:
            # -www answers each connection and keeps listening (PyMongo retries).
            argv = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-www",
                    "-cert", str(pki / ("%s.pem" % cert)), "-key", str(pki / ("%s.key" % cert)),
                    "-cert_chain", str(pki / "chain.pem")]
            if staple is not None:
                argv += ["-status_file", str(staple)]
        log = self.work / ("server-%d.log" % len(self.running))
        logf = open(log, "wb")
        # stdin is a pipe never written to: s_server quits on EOF from stdin.
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=logf, stderr=subprocess.STDOUT,
                                env=clean_env(), start_new_session=True)
        logf.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            m = re.search(r"^ACCEPT 127\.0\.0\.1:(\d+)", log.read_text(errors="replace"), re.M)
            if m:
                return proc, int(m.group(1))
            if proc.poll() is not None:
                break
            time.sleep(0.02)
        proc.kill()
        proc.wait()
        raise RuntimeError("server %s did not start: %s" % (argv, log.read_text(errors="replace")[-500:]))

    def stop(self):
        for proc, _ in self.running.values():
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in self.running.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdin:
                proc.stdin.close()


# ---- clients -------------------------------------------------------------------------------

def client_argv(client, port, pki):
    root = str(pki / "root.pem")
    if client == "pymongo":
        return [PYTHON, str(HERE / "pymongo_ocsp_client.py"), "--port", str(port), "--cafile", root]
    if client in ("strict", "reject", "raise"):
        return [PYTHON, str(HERE / "pyopenssl_ocsp_client.py"), "--port", str(port), "--cafile", root,
                "--policy", client]
    if client == "s_client":
        return ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername", "localhost",
                "-status", "-CAfile", root, "-verify_return_error"]
    raise ValueError(client)


def comparable_stdout(client, text):
    """What of a client's stdout must not change with tlsdiag. s_client also prints session
    ids, keys, times, and as many TLS 1.3 tickets as arrive before it quits: keep its staple
    report and its first verify result."""
    if client != "s_client":
        return text
    kept, in_block, verified = [], False, False
    for line in text.splitlines():
        if line.startswith("OCSP response:"):
            in_block = True
        elif in_block and line == "---":
            in_block = False
        if in_block:
            kept.append(line)
        elif line.lstrip().startswith("Verify return code:") and not verified:
            kept.append(line.strip())
            verified = True
    return "\n".join(kept)


def start_client(client, port, pki, build, events_file, mode):
    """Start a client, with tlsdiag on (mode "1" or "trace") or not loaded at all (None)."""
    env = clean_env()
    if mode is not None:
        env.update(OPENSSL_CONF=str(build / "openssl.cnf"), TLSDIAG=mode, TLSDIAG_FORMAT="json",
                   TLSDIAG_OUTPUT="file:%s" % events_file)
    return subprocess.Popen(client_argv(client, port, pki), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_client(proc):
    try:
        out, err = proc.communicate(timeout=CLIENT_TIMEOUT)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return "timeout", out, err


def read_events(path):
    if not path.exists():
        return [], []
    events, bad = [], []
    for line in path.read_text().splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            bad.append(line)
    return events, bad


# ---- expectations --------------------------------------------------------------------------

class Checker:
    def __init__(self):
        self.problems = []

    def eq(self, what, got, want):
        if got == want:
            return
        if isinstance(got, str) and isinstance(want, str) and "\n" in got + want:
            # Long outputs: show where they part, not both in full.
            a, b = got.splitlines(), want.splitlines()
            i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            self.problems.append("%s: differ at line %d: got %r, want %r"
                                 % (what, i + 1, a[i] if i < len(a) else "<end>",
                                    b[i] if i < len(b) else "<end>"))
        else:
            self.problems.append("%s: got %r, want %r" % (what, got, want))

    def true(self, what, cond):
        if not cond:
            self.problems.append(what)

    def match(self, what, pattern, text):
        if text is None or not re.search(pattern, text):
            self.problems.append("%s: %r does not match /%s/" % (what, text, pattern))


def get(event, dotted):
    node = event
    for part in dotted.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


ALERT_BAD_STATUS = "bad certificate status response"


# What tlsdiag recognises PyMongo by (provider/runtime.c): one of its C extensions mapped into
# the process, which PyMongo's message module tries to load even when the import then fails.
PYMONGO_MAPS_AN_EXTENSION = (
    "import pymongo, pymongo.message\n"
    "maps = open('/proc/self/maps').read()\n"
    "print('/pymongo/' in maps or '/bson/_cbson' in maps)")


def pymongo_has_c():
    """Whether PyMongo here maps one of its C extensions (Debian: python3-pymongo-ext). Without
    one, tlsdiag cannot tell PyMongo from plain Python."""
    p = subprocess.run([PYTHON, "-c", PYMONGO_MAPS_AN_EXTENSION],
                       capture_output=True, text=True, env=clean_env())
    return p.stdout.strip() == "True"


PYMONGO_HAS_C = None


def check_failure(ck, ev, case, facts, port):
    """The fields every INVALID_STATUS_RESPONSE report must carry."""
    ck.eq("section", ev.get("section"), "INVALID_STATUS_RESPONSE")
    ck.eq("cause", ev.get("cause"), case["cause"])
    ck.eq("role", ev.get("role"), "client")
    ck.eq("peer.addr", get(ev, "peer.addr"), "127.0.0.1:%d" % port)
    # The chain itself verifies: the staple alone is what failed.
    ck.eq("verify.code", get(ev, "verify.code"), 0)
    ck.eq("ocsp.requested", get(ev, "ocsp.requested"), True)
    stapled = case.get("staple") is not None
    ck.eq("ocsp.stapled", get(ev, "ocsp.stapled"), stapled)
    ck.eq("alert.dir", get(ev, "alert.dir"), "sent")
    if case.get("callback_raises"):
        ck.eq("alert.desc", get(ev, "alert.desc"), "internal error")
        ck.eq("openssl_error.reason", get(ev, "openssl_error.reason"), "ocsp callback failure")
    else:
        ck.eq("alert.desc", get(ev, "alert.desc"), ALERT_BAD_STATUS)
        ck.eq("openssl_error.reason", get(ev, "openssl_error.reason"), "invalid status response")
    ck.true("no summary", bool(ev.get("summary")))
    ck.true("no fix", bool(ev.get("fix")))
    ck.match("guide_url", r"#invalid-status-response$", ev.get("guide_url"))
    if stapled:
        ck.eq("ocsp.length", get(ev, "ocsp.length"), facts["length"])
        # A response about another certificate says nothing about this one.
        ck.eq("ocsp.cert_status", get(ev, "ocsp.cert_status"),
              None if case.get("other_cert") else facts["cert_status"])
    else:
        ck.eq("ocsp.cert_status", get(ev, "ocsp.cert_status"), None)
        # Nothing was stapled, so nothing can have been checked.
        for key in ("signature", "response_status", "cert_status", "staple_dates"):
            ck.true("evidence.%s present although nothing was stapled: %r"
                    % (key, get(ev, "evidence." + key)), get(ev, "evidence." + key) is None)
    if case["client"] == "pymongo":
        global PYMONGO_HAS_C
        if PYMONGO_HAS_C is None:
            PYMONGO_HAS_C = pymongo_has_c()
        if PYMONGO_HAS_C:
            ck.match("evidence.host", r"^PyMongo in ", get(ev, "evidence.host"))
        else:
            ck.eq("evidence.host (PyMongo without its C extensions is not recognised)",
                  get(ev, "evidence.host"), None)


def check_cause_evidence(ck, ev, cause, facts):
    evidence = ev.get("evidence") or {}
    if cause == "ocsp_revoked":
        ck.eq("ocsp.revocation_time", get(ev, "ocsp.revocation_time"), facts["revocation_time"])
        ck.eq("ocsp.revocation_reason", get(ev, "ocsp.revocation_reason"), facts["revocation_reason"])
        ck.eq("evidence.revoked", evidence.get("revoked"),
              "at %s, reason %s" % (facts["revocation_time"], facts["revocation_reason"]))
        ck.match("summary", re.escape(facts["revocation_time"]) + r".*" + facts["revocation_reason"],
                 ev.get("summary"))
    elif cause == "ocsp_stale":
        ck.eq("ocsp.this_update", get(ev, "ocsp.this_update"), facts["this_update"])
        ck.eq("ocsp.next_update", get(ev, "ocsp.next_update"), facts["next_update"])
        dates = evidence.get("staple_dates") or ""
        ck.match("evidence.staple_dates", "thisUpdate %s, nextUpdate %s"
                 % (re.escape(facts["this_update"]), re.escape(facts["next_update"])), dates)
        ck.true("summary does not carry the staple's dates: %r" % ev.get("summary"),
                facts["this_update"] in (ev.get("summary") or ""))
        # Which of the two dates is wrong follows from the clock the event was written at.
        if facts["next_update"] < ev.get("time", ""):
            ck.match("evidence.staple_dates (nextUpdate passed)", r"passed", dates)
        else:
            ck.true("thisUpdate %s should lie after the event's time %s"
                    % (facts["this_update"], ev.get("time")), facts["this_update"] > ev.get("time", ""))
    elif cause == "ocsp_unsuccessful":
        ck.eq("ocsp.response_status", get(ev, "ocsp.response_status"), facts["response_status"])
        ck.eq("evidence.response_status", evidence.get("response_status"), facts["response_status"])
        ck.match("summary", "'%s'" % re.escape(facts["response_status"]), ev.get("summary"))
    elif cause == "ocsp_bad_signature":
        ck.true("evidence.signature is empty", bool(evidence.get("signature")))
        ck.true("summary does not say why the signature fails: %r" % ev.get("summary"),
                bool(evidence.get("signature")) and evidence["signature"] in (ev.get("summary") or ""))
    elif cause == "ocsp_wrong_certificate":
        ck.match("evidence.certificate", r"CN=localhost", evidence.get("certificate"))
        ck.match("summary", r"does not cover its certificate 'CN=localhost", ev.get("summary"))
    elif cause == "ocsp_missing_staple":
        ck.eq("evidence.must_staple", evidence.get("must_staple"), "yes")
        ck.eq("evidence.staple", evidence.get("staple"), "no staple")
        ck.match("summary", r"must-staple", ev.get("summary"))
    elif cause == "ocsp_malformed":
        ck.eq("ocsp.response_status", get(ev, "ocsp.response_status"), None)
        summary = ev.get("summary") or ""
        ck.true("summary does not say how many bytes came: %r" % summary, "%d bytes" % facts["length"] in summary)
        ck.match("summary", r"not a valid OCSP response", summary)
        ck.true("summary does not read as a sentence: %r" % summary, summary.count("stapled") <= 1)
    elif cause == "ocsp_rejected":
        # Nothing is wrong in the staple: the report must say what was seen instead.
        seen = ("%d bytes stapled, response status %s" % (facts["length"], facts["response_status"])
                if facts else "no staple")
        ck.eq("evidence.staple", evidence.get("staple"), seen)
        ck.true("summary does not say what was stapled: %r" % ev.get("summary"),
                seen in (ev.get("summary") or ""))
        if facts:
            ck.eq("evidence.cert_status", evidence.get("cert_status"), facts["cert_status"])
    elif cause == "ocsp_callback_failure":
        ck.match("summary", r"callback failed", ev.get("summary"))


def check_trace(ck, ev, case, facts):
    ck.eq("cause", ev.get("cause"), "ok")
    ck.eq("ocsp.requested", get(ev, "ocsp.requested"), True)
    ck.eq("ocsp.stapled", get(ev, "ocsp.stapled"), facts is not None)
    evidence = ev.get("evidence") or {}
    if facts is not None and case.get("other_cert"):
        ck.eq("ocsp.cert_status", get(ev, "ocsp.cert_status"), None)
        # It parsed: it is about another certificate, which the staple line must not hide.
        ck.true("evidence.staple calls a parsed response unparsed: %r" % evidence.get("staple"),
                "unparsed" not in (evidence.get("staple") or "unparsed"))
    elif facts is not None:
        ck.eq("ocsp.cert_status", get(ev, "ocsp.cert_status"), facts["cert_status"])
        ck.eq("ocsp.next_update", get(ev, "ocsp.next_update"), facts["next_update"])
        ck.match("evidence.staple", r"next update %s" % re.escape(facts["next_update"] or "none"),
                 evidence.get("staple"))
    for key in ("warning_staple", "warning_staple_status", "warning_must_staple"):
        want = case.get(key)
        got = evidence.get(key)
        if want is None:
            ck.true("unexpected evidence.%s: %r" % (key, got), got is None)
        else:
            ck.match("evidence." + key, want, got)
        for wrong in case.get(key + "_not", ()):
            ck.true("evidence.%s says %r: %r" % (key, wrong, got), got is None or wrong not in got)


def check_client(ck, case, rc, out, err, facts):
    ck.eq("client exit status", rc, case["rc"])
    for pattern in case.get("stdout", ()):
        ck.match("client stdout", pattern, out)
    for pattern in case.get("stderr", ()):
        ck.match("client stderr", pattern, err)
    if case["client"] == "pymongo":
        # Without pyOpenSSL, PyMongo would never look at the staple: the case would prove nothing.
        ck.true("PyMongo did not take its pyOpenSSL path (stdout %r)" % out,
                "path: pyopenssl" in out)
        ck.true("PyMongo's OCSP callback never ran (stdout %r)" % out, "ocsp_callback:" in out)
        verdict = case["pymongo_verdict"]
        length = facts["length"] if facts else 0
        ck.match("PyMongo's OCSP callback verdict", r"(?m)^ocsp_callback: staple %d bytes -> %s$"
                 % (length, re.escape(verdict)), out)
        ck.true("PyMongo's callback gave more than one verdict: %r" % out, out.count("ocsp_callback:") == 1)
        if case["rc"] == 1 and verdict == "0":
            # pyOpenSSL's error is a list of (lib, func, reason) tuples; the ssl module's is not.
            ck.match("PyMongo error (pyOpenSSL form)",
                     r"\[\('SSL routines', '[^']*', 'invalid status response'\)\]", err)


# ---- the cases -----------------------------------------------------------------------------

def cases():
    c = []

    def fail(client, name, cert, staple, cause, **kw):
        c.append(dict(name="%s/%s" % (client, name), client=client, cert=cert, staple=staple,
                      cause=cause, rc=1, **kw))

    # PyMongo through pyOpenSSL: every stapled defect its callback refuses.
    for name, cert, staple, cause in (
            ("revoked", "revoked", "revoked", "ocsp_revoked"),
            ("expired", "leaf", "expired", "ocsp_stale"),
            ("notyet", "leaf", "notyet", "ocsp_stale"),
            ("wrongkey", "leaf", "wrongkey", "ocsp_bad_signature"),
            ("unauthorized", "leaf", "unauthorized", "ocsp_bad_signature"),
            ("unsuccessful", "leaf", "unsuccessful", "ocsp_unsuccessful"),
            ("missing-staple", "muststaple", None, "ocsp_missing_staple")):
        fail("pymongo", name, cert, staple, cause, pymongo_verdict="0")
    # PyMongo's callback raises on bytes that do not parse (cryptography's ValueError), so
    # OpenSSL reports a callback failure; the staple is still what is wrong.
    fail("pymongo", "malformed", "leaf", "malformed", "ocsp_malformed", raw=True, callback_raises=True,
         pymongo_verdict="raised ValueError", stderr=[r"error parsing asn1 value"])
    # What PyMongo accepts, tlsdiag must not report: it checks neither certStatus unknown nor
    # whether the response is about this certificate. s_server -www would then sit waiting
    # for an HTTP request while PyMongo waits for a MongoDB reply, and which timeout PyMongo
    # reports would be a race; staple_server.py closes cleanly right after the handshake.
    for name, cert, staple in (("good", "leaf", "good"), ("delegated", "leaf", "delegated"),
                               ("unknown-accepted", "leaf", "unknown"),
                               ("othercert-accepted", "leaf", "othercert"),
                               ("muststaple-stapled", "muststaple", "muststaple")):
        c.append(dict(name="pymongo/" + name, client="pymongo", cert=cert, staple=staple, cause=None,
                      rc=1, pymongo_verdict="1", raw=True,
                      stderr=[r"^ServerSelectionTimeoutError: localhost:\d+: ",
                              r"(?s)^(?!.*(SSL handshake failed|invalid status response))"]))

    # The strict pyOpenSSL client: its own reason must match the cause tlsdiag finds.
    for name, cert, staple, cause, reason in (
            ("revoked", "revoked", "revoked", "ocsp_revoked", r"refused: certStatus revoked"),
            ("expired", "leaf", "expired", "ocsp_stale", r"refused: nextUpdate .* has passed"),
            ("notyet", "leaf", "notyet", "ocsp_stale", r"refused: thisUpdate .* in the future"),
            ("unsuccessful", "leaf", "unsuccessful", "ocsp_unsuccessful", r"refused: responseStatus TRY_LATER"),
            ("wrongkey", "leaf", "wrongkey", "ocsp_bad_signature", r"refused: responder .*Rogue"),
            ("unauthorized", "leaf", "unauthorized", "ocsp_bad_signature",
             r"refused: responder .*other\.localhost.* may not sign"),
            ("othercert", "leaf", "othercert", "ocsp_wrong_certificate", r"refused: the response is about serial"),
            ("missing-staple", "muststaple", None, "ocsp_missing_staple", r"refused: nothing stapled"),
            ("unknown", "leaf", "unknown", "ocsp_rejected", r"refused: certStatus unknown"),
            ("no-staple", "leaf", None, "ocsp_rejected", r"refused: nothing stapled")):
        fail("strict", name, cert, staple, cause, stdout=[r"policy: " + reason], other_cert=name == "othercert",
             stderr=[r"\[\('SSL routines', '[^']*', 'invalid status response'\)\]"])
    fail("strict", "malformed", "leaf", "malformed", "ocsp_malformed", raw=True,
         stdout=[r"policy: refused: the staple does not parse"],
         stderr=[r"'invalid status response'"])
    for name, staple in (("good", "good"), ("delegated", "delegated"), ("good-nocerts", "good-nocerts")):
        c.append(dict(name="strict/" + name, client="strict", cert="leaf", staple=staple, cause=None,
                      rc=0, stdout=[r"policy: accepted: good", r"handshake ok"]))
    fail("reject", "good", "leaf", "good", "ocsp_rejected",
         stdout=[r"policy: refusing whatever was stapled \(staple 1\d\d\d bytes\)"],
         stderr=[r"'invalid status response'"])
    fail("raise", "good", "leaf", "good", "ocsp_callback_failure", callback_raises=True,
         stdout=[r"policy: raising from the callback"],
         stderr=[r"^RuntimeError: deliberate failure inside the OCSP callback"])

    # s_client -status never refuses a staple: trace mode reports its health instead.
    def trace(name, cert, staple, **kw):
        c.append(dict(name="s_client-trace/" + name, client="s_client", cert=cert, staple=staple,
                      cause="ok", rc=0, trace=True, stdout=[r"Verify return code: 0 \(ok\)"], **kw))
    trace("good", "leaf", "good", stdout_ocsp=r"Cert Status: good")
    trace("near-expiry", "leaf", "near", warning_staple=r"expires in (\d{1,4}) s",
          stdout_ocsp=r"Cert Status: good")
    trace("must-staple-none", "muststaple", None, warning_must_staple=r"must-staple",
          stdout_ocsp=r"OCSP response: no response sent")
    trace("must-staple-stapled", "muststaple", "muststaple", stdout_ocsp=r"Cert Status: good")
    trace("revoked", "revoked", "revoked", warning_staple_status=r"not good \(revoked\)",
          stdout_ocsp=r"Cert Status: revoked")
    # A stale or misdirected staple is "not good" for a reason its status field does not
    # give: the warning must name that reason, and a past nextUpdate has expired already.
    trace("expired", "leaf", "expired", warning_staple=r".", warning_staple_not=("expires in -",),
          warning_staple_status=r"not good", warning_staple_status_not=("(good)",),
          stdout_ocsp=r"Cert Status: good")
    trace("othercert", "leaf", "othercert", other_cert=True, warning_staple_status=r"not good",
          warning_staple_status_not=("(successful)",), stdout_ocsp=r"Cert Status: good")
    return c


# ---- running -------------------------------------------------------------------------------

def run_case(case, servers, pki, near, build, work, index):
    staple = None
    if case["staple"] == "near":
        staple = near
    elif case["staple"] is not None:
        staple = pki / ("%s.der" % case["staple"])
    facts = staple_facts(staple) if staple is not None else None
    kind = "raw" if case.get("raw") else "s_server"
    port = servers.port(case["cert"], staple, kind)
    ck = Checker()

    events_file = work / ("events-%02d.jsonl" % index)
    events_file.unlink(missing_ok=True)
    mode = "trace" if case.get("trace") else "1"
    # Both runs at once: each waits mostly on PyMongo's server selection timeout.
    on_proc = start_client(case["client"], port, pki, build, events_file, mode)
    off_proc = start_client(case["client"], port, pki, build, None, None)
    on, off = finish_client(on_proc), finish_client(off_proc)

    rc, out, err = on
    check_client(ck, case, rc, out, err, facts)
    if case.get("stdout_ocsp"):
        ck.match("s_client OCSP report", case["stdout_ocsp"], comparable_stdout("s_client", out))
    # Transparency: tlsdiag must not change what the client does or says.
    ck.eq("exit status with tlsdiag vs without", on[0], off[0])
    ck.eq("stdout with tlsdiag vs without", comparable_stdout(case["client"], on[1]),
          comparable_stdout(case["client"], off[1]))
    ck.eq("stderr with tlsdiag vs without", on[2], off[2])

    events, bad = read_events(events_file)
    ck.true("lines that are not JSON: %r" % bad[:2], not bad)
    for ev in events:
        ck.eq("schema", ev.get("schema"), "tlsdiag/1")
    failed = [e for e in events if e.get("event") == "handshake_failed"]
    oks = [e for e in events if e.get("event") == "handshake_ok"]
    if case.get("trace"):
        ck.true("%d handshake_failed events in trace mode" % len(failed), not failed)
        ck.eq("handshake_ok events", len(oks), 1)
        if oks:
            check_trace(ck, oks[0], case, facts)
    elif case["cause"] is None:
        ck.true("tlsdiag reported a handshake the client accepted: %r"
                % [(e.get("cause"), e.get("summary")) for e in failed], not failed)
    else:
        ck.eq("handshake_failed events", len(failed), 1)
        if failed:
            check_failure(ck, failed[0], case, facts, port)
            check_cause_evidence(ck, failed[0], case["cause"], facts)
    return ck.problems


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", default=str(ROOT / "build"))
    p.add_argument("--work", default=None, help="scratch directory (default BUILD/ocsp)")
    p.add_argument("-j", dest="jobs", type=int, default=3, help="cases run at once")
    p.add_argument("-k", dest="only", default=None, help="run only cases whose name contains this")
    args = p.parse_args()
    build = Path(args.build).resolve()
    work = Path(args.work).resolve() if args.work else build / "ocsp"
    for needed in (build / "tlsdiag.so", build / "openssl.cnf"):
        if not needed.exists():
            print("missing %s: run make first" % needed)
            return 2
    work.mkdir(parents=True, exist_ok=True)
    runs = work / "run"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir()
    pki = work / "pki"
    near = make_fixtures(pki, work)

    servers = Servers(pki, runs)
    selected = [(i, c) for i, c in enumerate(cases()) if not args.only or args.only in c["name"]]

    def run_one(item):
        i, case = item
        case_started = time.monotonic()
        try:
            problems = run_case(case, servers, pki, near, build, runs, i)
        except Exception as e:   # a broken case must not hide the others
            problems = ["harness error: %s: %s" % (type(e).__name__, e)]
        return case, problems, time.monotonic() - case_started

    passed = failed = 0
    started = time.monotonic()
    try:
        # Cases mostly wait (on PyMongo's server selection timeout): run a few at once.
        # map() hands results back in case order, so the report reads the same every time.
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for case, problems, took in pool.map(run_one, selected):
                if problems:
                    failed += 1
                    print("FAIL %s (%.1f s)" % (case["name"], took))
                    for problem in problems:
                        print("    %s" % problem)
                else:
                    passed += 1
                    print("ok   %s (%.1f s)" % (case["name"], took))
                sys.stdout.flush()
    finally:
        servers.stop()
    print("check-ocsp took %.0f s" % (time.monotonic() - started))
    print("check-ocsp: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
