#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-cli: the tlsdiag command against real local servers and real clients.

  check    one faulty server per failure class (exit 1, the section in --json, and the
           provider's own event inside it); a good server (exit 0 and the report); network
           and usage errors (exit 2)
  run      python3, curl and node under `tlsdiag run` print the provider's explanation and
           exit with the child's status; a caller's OPENSSL_CONF policy stays in force
  explain  every case of test/cli/explain-corpus.txt; and for each failure class, the error
           a real client printed is explained in the section the provider found

Certificates come from test/pki/make-pki.sh and test/pki/ocsp-fixtures.sh, generated at run
time; servers listen on 127.0.0.1 ports they pick themselves.
Usage: check_cli.py --build BUILD [-k SUBSTRING]
"""
import argparse
import json
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(HERE.parent / "harness"))
import tdlib  # noqa: E402  (shared servers, clients and environment scrubbing)

PY = tdlib.PYTHON
SERVERS = tdlib.ROOT / "test" / "servers"


class Failure(Exception):
    pass


def expect(cond, what, result=None):
    if not cond:
        raise Failure(what + ("; " + result.describe() if result is not None else ""))


def json_lines(result):
    """The provider's JSON events among a `tlsdiag run --json` child's stderr lines, read by
    the tests' one reader (each a whole tlsdiag/1 object, no key material)."""
    data = "".join(line + "\n" for line in result.stderr.splitlines() if line.startswith("{"))
    events, problems = tdlib.parse_events(data.encode(), "stderr")
    expect(not problems, "run --json: %s" % "; ".join(problems), result)
    return events


class Ctx:
    def __init__(self, build):
        self.build = Path(build).resolve()
        self.exe = str(self.build / "tlsdiag")
        self.scratch = tdlib.scratch_dir("tlsdiag-cli-")
        self.pki = tdlib.make_pki(self.build)
        ocsp = self.build / "unit" / "pki"
        r = tdlib.run(["sh", str(tdlib.ROOT / "test/pki/ocsp-fixtures.sh"), str(ocsp)], tdlib.base_env(), timeout=120)
        if r.rc != 0:
            raise SystemExit("ocsp-fixtures.sh failed: " + r.describe())
        self.ocsp = ocsp
        self.logs = 0

    def env(self, **extra):
        env = tdlib.base_env()
        # Keep the scratch files of `run` (generated configs) inside this test's directory.
        env["XDG_RUNTIME_DIR"] = str(self.scratch)
        env.update(extra)
        return env

    def log(self, name):
        self.logs += 1
        return self.scratch / ("%02d-%s.log" % (self.logs, name))

    def s_server(self, name, *args, env=None):
        argv = ["openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "100"] + list(args)
        return tdlib.Server(argv, env or self.env(OPENSSL_CONF="/dev/null"), self.log(name))

    def script_server(self, script):
        return tdlib.Server([PY, str(SERVERS / script)], self.env(), self.log(script))

    def tlsdiag(self, *args, env=None, timeout=30, stdin=None):
        if stdin is None:
            return tdlib.run([self.exe] + list(args), env or self.env(), timeout=timeout)
        p = subprocess.run([self.exe] + list(args), input=stdin.encode(), capture_output=True,
                           env=env or self.env(), timeout=timeout)
        return tdlib.Result(p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))

    def check_json(self, *args, env=None):
        r = self.tlsdiag("check", "--json", "--timeout", "5", *args, env=env)
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            raise Failure("check --json did not print one JSON object; " + r.describe())
        return r, doc

    def cert(self, name):
        return [str(self.pki / (name + ".crt")), str(self.pki / (name + ".key"))]


def server_args(ctx, cert, chain=True, *extra):
    crt, key = ctx.cert(cert)
    args = ["-cert", crt, "-key", key]
    if chain:
        args += ["-cert_chain", str(ctx.pki / "inter.crt")]
    return args + list(extra)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- a real client's own words, for the explain cross-check ----

PY_CLIENT = r"""
import socket, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
if len(sys.argv) > 4:
    ctx.maximum_version = getattr(ssl.TLSVersion, sys.argv[4])
try:
    with socket.create_connection((host, port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname=host):
            pass
except Exception as e:
    print("%s.%s: %s" % (type(e).__module__, type(e).__name__, e))
    sys.exit(3)
print("connected")
"""


def python_error(ctx, port, cafile, max_version=None, env=None):
    argv = [PY, "-c", PY_CLIENT, "localhost", str(port), cafile] + ([max_version] if max_version else [])
    r = tdlib.run(argv, env or ctx.env(OPENSSL_CONF="/dev/null"))
    expect(r.rc == 3, "the plain python client should fail against this server", r)
    return r.stdout.strip()


# ---- the failure classes ----

def class_cases(ctx):
    """(name, server factory, extra check args, section, cause, client error factory)."""
    root = str(ctx.pki / "root.crt")
    fx = ctx.ocsp
    return [
        ("self-signed", lambda: ctx.s_server("selfsigned", *server_args(ctx, "selfsigned", False)),
         [], "CERTIFICATE_VERIFY_FAILED", "self_signed",
         lambda p: python_error(ctx, p, root)),
        ("expired", lambda: ctx.s_server("expired", *server_args(ctx, "expired")),
         ["--ca", root], "CERTIFICATE_VERIFY_FAILED", "expired",
         lambda p: python_error(ctx, p, root)),
        ("wrong-host", lambda: ctx.s_server("wronghost", *server_args(ctx, "wronghost")),
         ["--ca", root], "CERTIFICATE_VERIFY_FAILED", "hostname_mismatch",
         lambda p: python_error(ctx, p, root)),
        ("tls13-only", lambda: ctx.s_server("tls13", *server_args(ctx, "good"), "-tls1_3"),
         ["--ca", root, "--max", "1.2"], "TLSV1_ALERT_PROTOCOL_VERSION", "peer_rejected_versions",
         lambda p: python_error(ctx, p, root, "TLSv1_2")),
        ("tls10-only", lambda: ctx.s_server("tls10", *server_args(ctx, "good"), "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"),
         ["--ca", root], "TLSV1_ALERT_PROTOCOL_VERSION", "peer_version_too_low",
         lambda p: python_error(ctx, p, root)),
        ("revoked-staple", lambda: ctx.s_server("ocsp-revoked", "-cert", str(fx / "revoked.pem"),
                                                "-key", str(fx / "revoked.key"), "-cert_chain", str(fx / "chain.pem"),
                                                "-status_file", str(fx / "revoked.der")),
         ["--ca", str(fx / "root.pem")], "INVALID_STATUS_RESPONSE", "ocsp_revoked",
         lambda p: curl_error(ctx, p, str(fx / "root.pem"), "--cert-status")),
        ("no-shared-cipher", lambda: ctx.s_server("anon", "-nocert", "-tls1_2", "-cipher", "aNULL:@SECLEVEL=0"),
         [], "SSLV3_ALERT_HANDSHAKE_FAILURE", None,
         lambda p: python_error(ctx, p, root)),
        ("no-renegotiation-info", lambda: ctx.script_server("norenego.py"),
         ["--ca", root], "UNSAFE_LEGACY_RENEGOTIATION_DISABLED", "legacy_renegotiation",
         lambda p: python_error(ctx, p, root)),
        ("plain-http", lambda: ctx.script_server("http.py"),
         ["--ca", root], "OTHER", "not_tls",
         lambda p: python_error(ctx, p, root)),
    ]


def curl_error(ctx, port, cafile, *args):
    r = tdlib.run(["curl", "-sS", "--cacert", cafile] + list(args) + ["https://localhost:%d/" % port],
                  ctx.env(OPENSSL_CONF="/dev/null"))
    expect(r.rc != 0, "the plain curl client should fail against this server", r)
    return r.stderr.strip()


def test_check_failure_classes(ctx):
    for name, make, args, section, cause, client_error in class_cases(ctx):
        with make() as srv:
            r, doc = ctx.check_json(*args, "localhost:%d" % srv.port)
            where = "check %s: " % name
            expect(r.rc == 1, where + "exit status should be 1 (handshake failed)", r)
            expect(doc.get("result") == "handshake_failed", where + "result %r" % doc.get("result"), r)
            expect(doc.get("section") == section, where + "section %r, want %r" % (doc.get("section"), section), r)
            if cause:
                expect(doc.get("cause") == cause, where + "cause %r, want %r" % (doc.get("cause"), cause), r)
            failed = [e for e in doc.get("events", []) if e.get("event") == "handshake_failed"]
            expect(len(failed) == 1, where + "want exactly the provider's one handshake_failed event", r)
            expect(failed[0].get("section") == section and failed[0].get("program") == "tlsdiag",
                   where + "the event is not the provider's report of this handshake", r)
            expect(not tdlib.contract_problems(failed[0]),
                   where + "event breaks the contract: %s" % tdlib.contract_problems(failed[0]))
            # What a real client printed for the same server must land in the same section.
            text = client_error(srv.port)
            e = ctx.tlsdiag("explain", "--json", text)
            got = json.loads(e.stdout) if e.rc == 0 else {}
            expect(got.get("section") == section,
                   where + "explain put the client's %r in %r, the provider in %r" % (text, got.get("section"), section), e)
            if cause:
                expect(cause in [c["id"] for c in got.get("causes", [])],
                       where + "explain's candidates for %r lack %r" % (text, cause), e)


def test_check_text_failure(ctx):
    with ctx.s_server("selfsigned-text", *server_args(ctx, "selfsigned", False)) as srv:
        target = "localhost:%d" % srv.port
        r = ctx.tlsdiag("check", target, env=ctx.env(LC_ALL="C.UTF-8"))
        expect(r.rc == 1, "text check of a self-signed server should exit 1", r)
        for needle in ("handshake failed", "✗ CN=localhost", "self-signed certificate",
                       "CERTIFICATE_VERIFY_FAILED", "self_signed", " → 127.0.0.1"):
            expect(needle in r.stdout, "text check (C.UTF-8) lacks %r" % needle, r)
        expect("\033[" not in r.stdout, "colour codes although stdout is not a terminal", r)
        # The C locale's charset is ASCII: so is every byte (the provider's own lines included).
        r = ctx.tlsdiag("check", target)
        expect(r.rc == 1 and r.stdout.isascii() and r.stderr.isascii(), "check under LC_ALL=C prints only ASCII", r)
        for needle in ("FAIL handshake failed", "FAIL CN=localhost", " -> 127.0.0.1", "self_signed"):
            expect(needle in r.stdout, "text check (C) lacks %r" % needle, r)
        # --color before the command survives check's re-execution; after it too.
        for argv in (["--color=always", "check", target], ["check", target, "--color=always"]):
            r = ctx.tlsdiag(*argv)
            expect(r.rc == 1 and "\033[31m" in r.stdout, "tlsdiag %s: colour to a pipe" % " ".join(argv), r)


def test_check_good(ctx):
    root = str(ctx.pki / "root.crt")
    with ctx.s_server("good", *server_args(ctx, "good"), "-status_file", str(ctx.pki / "good.ocsp.der")) as srv:
        target = "localhost:%d" % srv.port
        r = ctx.tlsdiag("check", "--ca", root, target, env=ctx.env(LC_ALL="C.UTF-8"))
        expect(r.rc == 0, "check of a good server with --ca should exit 0", r)
        lines = r.stdout.splitlines()
        for needle in ("handshake ok: TLSv1.3", "trust anchor: CN=tlsdiag Test Root CA",
                       "found in file %s (--ca)" % root, "OCSP staple: stapled, good"):
            expect(needle in r.stdout, "good check lacks %r" % needle, r)
        chain = [l for l in lines if "✓" in l or "✗" in l]
        expect(len(chain) == 4 and all("✓" in l for l in chain[1:]),
               "want the status line and three ✓ certificate lines (leaf, intermediate, root)", r)
        expect("CN=localhost" in chain[1] and "Intermediate" in chain[2] and "(trust anchor)" in chain[3],
               "chain lines out of order", r)
        expect(re.search(r"^ {4}└─✓ CN=tlsdiag Test Root CA,O=tlsdiag tests — self-signed", r.stdout, re.M), "the root's line (C.UTF-8)", r)
        r = ctx.tlsdiag("check", "--ca", root, target)
        expect(r.rc == 0 and r.stdout.isascii(), "a good check under LC_ALL=C prints only ASCII", r)
        expect(re.search(r"^ {4}`- ok CN=tlsdiag Test Root CA,O=tlsdiag tests - self-signed", r.stdout, re.M), "the root's line (C)", r)

        r, doc = ctx.check_json("--ca", root, target)
        expect(r.rc == 0 and doc["result"] == "ok" and doc["version"] == "TLSv1.3", "json good check", r)
        expect([c["depth"] for c in doc["chain"]] == [0, 1, 2] and all(c["ok"] for c in doc["chain"]),
               "json chain should be three verified certificates", r)
        expect(doc["ocsp"]["stapled"] is True and "good" in doc["ocsp"]["status"], "json staple", r)
        expect(doc["events"] == [], "a good handshake outside trace mode must not produce events", r)
        # An expires_soon warning for exactly the certificates with less than 30 days left
        # (make-pki's leaf lives 30 days, its CAs a year).
        soon = sorted(w["text"].split(" expires in ")[0] for w in doc["warnings"] if w["id"] == "expires_soon")
        want = sorted(c["subject"] for c in doc["chain"] if c["days_left"] < 30)
        expect(soon == want and want, "expires_soon warnings %s, want %s" % (soon, want), r)

        # Trace mode: the provider reports the successful handshake too.
        r = ctx.tlsdiag("check", "--json", "-v", "--ca", root, target)
        doc = json.loads(r.stdout)
        expect(r.rc == 0 and [e["event"] for e in doc["events"]] == ["handshake_ok"],
               "check -v should carry the provider's handshake_ok event", r)

        # Without --ca, SSL_CERT_FILE is where a default client finds the anchor.
        r, doc = ctx.check_json(target, env=ctx.env(SSL_CERT_FILE=root))
        expect(r.rc == 0 and doc["trust_anchor"] == {"source": "file", "path": root, "origin": "SSL_CERT_FILE"},
               "anchor should be reported as found in SSL_CERT_FILE", r)

        # A hashed directory (--ca DIR) is searched the way OpenSSL does.
        hashdir = ctx.scratch / "hashed"
        hashdir.mkdir(exist_ok=True)
        h = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", root], capture_output=True,
                           text=True, env=ctx.env(OPENSSL_CONF="/dev/null")).stdout.strip()
        shutil.copy(root, hashdir / (h + ".0"))
        r, doc = ctx.check_json("--ca", str(hashdir), target)
        expect(r.rc == 0 and doc["trust_anchor"]["source"] == "directory"
               and doc["trust_anchor"]["path"] == str(hashdir / (h + ".0")), "anchor in a hashed --ca dir", r)

        # --servername: SNI and the name checked are that name, not the address dialled.
        r, doc = ctx.check_json("--ca", root, "--servername", "other.example", "127.0.0.1:%d" % srv.port)
        expect(r.rc == 1 and doc["section"] == "CERTIFICATE_VERIFY_FAILED" and doc["cause"] == "hostname_mismatch",
               "--servername other.example must be checked against the certificate", r)
        # An IP literal is checked as an address (the leaf has IP:127.0.0.1).
        r, doc = ctx.check_json("--ca", root, "127.0.0.1:%d" % srv.port)
        expect(r.rc == 0, "127.0.0.1 is in the leaf's SAN", r)


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def test_check_ipv6(ctx):
    if not ipv6_loopback():
        print("  (no ::1 on this machine: IPv6 targets not tested)")
        return
    root = str(ctx.pki / "root.crt")
    argv = ["openssl", "s_server", "-accept", "[::1]:0", "-naccept", "10"] + server_args(ctx, "good")
    with tdlib.Server(argv, ctx.env(OPENSSL_CONF="/dev/null"), ctx.log("ipv6")) as srv:
        target = "[::1]:%d" % srv.port
        r, doc = ctx.check_json("--ca", root, target)
        # The leaf names 127.0.0.1 and localhost, not ::1: an address checked as an address.
        expect(r.rc == 1 and doc["cause"] == "hostname_mismatch" and doc["addr"] == target,
               "check [::1]:PORT should reach ::1 and check the address against the SAN", r)
        r, doc = ctx.check_json("--ca", root, "--servername", "localhost", target)
        expect(r.rc == 0 and doc["host"] == "::1" and doc["port"] == srv.port, "check [::1]:PORT --servername localhost", r)


def test_check_tls12_only(ctx):
    root = str(ctx.pki / "root.crt")
    with ctx.s_server("tls12", *server_args(ctx, "good"), "-tls1_2") as srv:
        target = "localhost:%d" % srv.port
        r, doc = ctx.check_json("--ca", root, target)
        ids = [w["id"] for w in doc.get("warnings", [])]
        expect(r.rc == 0 and doc["version"] == "TLSv1.2" and "no_tls13" in ids,
               "a TLS 1.2-only server should warn no_tls13", r)
        # With --max 1.2 we never offered 1.3: a second, 1.3-only probe decides, and its
        # failure is not part of the report.
        r, doc = ctx.check_json("--ca", root, "--max", "TLSv1.2", target)
        expect(r.rc == 0 and "no_tls13" in [w["id"] for w in doc["warnings"]] and doc["events"] == [],
               "--max 1.2 against a 1.2-only server: probe refused, warning, no events", r)
    with ctx.s_server("tls13", *server_args(ctx, "good")) as srv:
        r, doc = ctx.check_json("--ca", root, "--max", "1.2", "localhost:%d" % srv.port)
        expect(r.rc == 0 and doc["version"] == "TLSv1.2" and "no_tls13" not in [w["id"] for w in doc["warnings"]],
               "the probe should find TLS 1.3 on a server that has it", r)


def x509_facts(ctx, path):
    """What `openssl x509` says of a certificate: serial, SHA-256 fingerprint, key, signature
    algorithm and the end date's distance in whole days (negative when past)."""
    def x509(*args):
        r = tdlib.run(["openssl", "x509", "-noout", "-in", str(path)] + list(args), ctx.env(OPENSSL_CONF="/dev/null"))
        expect(r.rc == 0, "openssl x509 %s" % " ".join(args), r)
        return r.stdout
    text = x509("-text")
    bits = re.search(r"Public-Key: \((\d+) bit\)", text).group(1)
    algo = re.search(r"Public Key Algorithm: (\S+)", text).group(1)
    end = x509("-enddate").strip().split("=", 1)[1]
    end_t = time.mktime(time.strptime(end.replace(" GMT", ""), "%b %d %H:%M:%S %Y")) - time.timezone
    left = (end_t - time.time()) / 86400
    return {"serial": x509("-serial").strip().split("=", 1)[1],
            "sha256": x509("-fingerprint", "-sha256").strip().split("=", 1)[1],
            "key": {"rsaEncryption": "RSA"}.get(algo, algo) + " " + bits,
            "sig_alg": re.search(r"Signature Algorithm: (\S+)", text).group(1),
            "days_left": int(left) if left >= 0 else -int(-left)}


def s_client_group(ctx, port):
    """The key exchange group as openssl s_client names it ("Server Temp Key: X25519, ...")."""
    p = subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername", "localhost"],
                       input=b"", capture_output=True, env=ctx.env(OPENSSL_CONF="/dev/null"), timeout=30)
    m = re.search(r"^Server Temp Key: ([^,\s]+)", p.stdout.decode(errors="replace"), re.M)
    expect(m is not None, "s_client printed no Server Temp Key:\n" + p.stdout.decode(errors="replace"))
    return m.group(1)


def test_check_details(ctx):
    """Each certificate's SANs, key, signature, serial and fingerprint (as openssl x509 gives
    them), the group (as s_client names it) and ALPN, in text and in --json alike."""
    root = str(ctx.pki / "root.crt")
    certs = [ctx.pki / "good.crt", ctx.pki / "inter.crt", ctx.pki / "root.crt"]
    want = [x509_facts(ctx, c) for c in certs]
    expect(want[0]["key"] == "RSA 2048", "make-pki's leaf should be RSA 2048, is %s" % want[0]["key"])
    with ctx.s_server("details", *server_args(ctx, "good"), "-alpn", "h2,http/1.1") as srv:
        target = "localhost:%d" % srv.port
        group = s_client_group(ctx, srv.port)
        r = ctx.tlsdiag("check", "--ca", root, "--alpn", "h2,http/1.1", target, env=ctx.env(LC_ALL="C.UTF-8"))
        expect(r.rc == 0, "check --alpn h2,http/1.1 of a good server", r)
        lines = r.stdout.splitlines()
        marks = [i for i, l in enumerate(lines) if re.match(r"^ +(└─)?✓ CN=", l)]
        expect(len(marks) == 3, "want three certificate lines", r)
        for depth, (at, facts) in enumerate(zip(marks, want)):
            pad = " " * (2 * depth + 4)
            details = lines[at + 1:at + 5]
            sans = "DNS:localhost, IP:127.0.0.1" if depth == 0 else "none"
            expect(details == [pad + "SAN: " + sans,
                               pad + "key: %s, signature: %s" % (facts["key"], facts["sig_alg"]),
                               pad + "serial: " + facts["serial"], pad + "SHA-256: " + facts["sha256"]],
                   "details of the certificate at depth %d: got %s, want %s, %s" % (depth, details, facts, sans), r)
        expect(re.fullmatch(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}", want[0]["sha256"]), "a SHA-256 fingerprint is 32 colon-separated bytes")
        expect(re.search(r"^group: (\S+)$", r.stdout, re.M) and
               re.search(r"^group: (\S+)$", r.stdout, re.M).group(1).lower() == group.lower(),
               "the group line should name s_client's %s" % group, r)
        expect("\nALPN: h2\n" in r.stdout, "ALPN: h2 (the server's first choice among ours)", r)
        r = ctx.tlsdiag("check", "--ca", root, "--alpn", "http/1.1", target)
        expect(r.rc == 0 and "\nALPN: http/1.1\n" in r.stdout, "--alpn http/1.1 is what is negotiated", r)
        r = ctx.tlsdiag("check", "--ca", root, target)
        expect(r.rc == 0 and re.search(r"^ALPN: none\b", r.stdout, re.M), "no --alpn: ALPN none", r)

        r, doc = ctx.check_json("--ca", root, "--alpn", "h2,http/1.1", target)
        expect(r.rc == 0 and (doc["group"] or "").lower() == group.lower() and doc["alpn"] == "h2", "json group and alpn", r)
        for c, facts in zip(doc["chain"], want):
            got = {k: c.get(k) for k in ("serial", "sha256", "key", "sig_alg")}
            facts = {k: facts[k] for k in got}
            expect(got == facts, "json chain[%d]: %s, want %s" % (c["depth"], got, facts), r)
        expect([c["sans"] for c in doc["chain"]] == [["DNS:localhost", "IP:127.0.0.1"], [], []], "json sans", r)
        r, doc = ctx.check_json("--ca", root, target)
        expect(r.rc == 0 and doc["alpn"] is None, "json alpn without --alpn is null", r)


def test_check_interception(ctx):
    """A chain re-signed by an interception CA: trusted (--ca), check succeeds and warns who
    intercepts; untrusted, the provider's explanation names it; a real server gets no warning."""
    mitm_root = str(ctx.pki / "mitm-root.crt")
    with ctx.s_server("mitm", *server_args(ctx, "mitm", False)) as srv:
        target = "localhost:%d" % srv.port
        r, doc = ctx.check_json("--ca", mitm_root, target)
        icpt = [w for w in doc.get("warnings", []) if w["id"] == "interception"]
        expect(r.rc == 0 and doc["result"] == "ok", "check through a trusted mitmproxy CA succeeds", r)
        expect(len(icpt) == 1 and "intercepted by mitmproxy" in icpt[0]["text"]
               and "CN=mitmproxy" in icpt[0]["text"], "one interception warning naming mitmproxy", r)
        r = ctx.tlsdiag("check", "--ca", mitm_root, target)
        expect(r.rc == 0 and re.search(r"^! this connection is intercepted by mitmproxy", r.stdout, re.M),
               "the text report warns of the interception", r)
        r, doc = ctx.check_json("--ca", str(ctx.pki / "root.crt"), target)
        expect(r.rc == 1 and doc["cause"] == "intercepted_by_proxy",
               "untrusted, the provider names the interception (cause %r)" % doc.get("cause"), r)
    with ctx.s_server("not-mitm", *server_args(ctx, "good")) as srv:
        r, doc = ctx.check_json("--ca", str(ctx.pki / "root.crt"), "localhost:%d" % srv.port)
        expect(r.rc == 0 and not [w for w in doc["warnings"] if w["id"].startswith("interception")],
               "no interception warning for a server's own chain", r)


def test_check_versions(ctx):
    """One probe per version: what s_server -tls1_2 and a default s_server accept; --no-versions."""
    root = str(ctx.pki / "root.crt")
    with ctx.s_server("versions-tls12", *server_args(ctx, "good"), "-tls1_2") as srv:
        target = "localhost:%d" % srv.port
        r = ctx.tlsdiag("check", "--ca", root, target)
        line = [l for l in r.stdout.splitlines() if l.startswith("versions: ")]
        expect(r.rc == 0 and len(line) == 1, "one versions line", r)
        expect("TLSv1.2 yes" in line[0] and re.search(r"TLSv1\.3 no \(.+\)", line[0]),
               "against s_server -tls1_2: TLSv1.2 yes, TLSv1.3 no (why)", r)
        r, doc = ctx.check_json("--ca", root, target)
        expect(doc["versions"].get("TLSv1.2") is True and doc["versions"].get("TLSv1.3") is False
               and doc["version_notes"].get("TLSv1.3"), "json versions against s_server -tls1_2", r)
        r = ctx.tlsdiag("check", "--ca", root, "--no-versions", target)
        expect(r.rc == 0 and not re.search(r"^versions:", r.stdout, re.M), "--no-versions: no versions line", r)
        r, doc = ctx.check_json("--ca", root, "--no-versions", target)
        expect(r.rc == 0 and doc["versions"] is None, "--no-versions: json versions null", r)
    with ctx.s_server("versions-default", *server_args(ctx, "good")) as srv:
        r = ctx.tlsdiag("check", "--ca", root, "localhost:%d" % srv.port)
        expect(r.rc == 0 and re.search(r"^versions: TLSv1\.3 yes, TLSv1\.2 yes, ", r.stdout, re.M),
               "a default s_server: TLSv1.3 yes, TLSv1.2 yes", r)
    with ctx.s_server("versions-tls10", *server_args(ctx, "good"), "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0") as srv:
        r, doc = ctx.check_json("--ca", root, "localhost:%d" % srv.port)
        expect(doc["versions"] == {"TLSv1.3": False, "TLSv1.2": False, "TLSv1.1": False, "TLSv1": True},
               "a TLS 1.0-only server: only TLSv1 accepted (probed at SECLEVEL=0)", r)


def test_check_expired_wording(ctx):
    """Dates read as sentences: "expired N days ago", N as openssl x509 -enddate says."""
    root = str(ctx.pki / "root.crt")
    facts = x509_facts(ctx, ctx.pki / "expired.crt")
    days = -facts["days_left"]
    expect(days >= 1, "expired.crt should have expired at least a day ago")
    with ctx.s_server("expired-wording", *server_args(ctx, "expired")) as srv:
        target = "localhost:%d" % srv.port
        r = ctx.tlsdiag("check", "--ca", root, target)
        expect(r.rc == 1 and re.search(r"^ +(FAIL|✗) CN=localhost.*, expired %d days? ago \(" % days, r.stdout, re.M),
               "the expired leaf's line should say 'expired %d days ago'" % days, r)
        expect(not re.search(r"\(-\d+ days\)", r.stdout), "no '(-N days)' any more", r)
        expect(re.search(r"expires in \d+ days \(", r.stdout), "the intermediate 'expires in N days'", r)
        r, doc = ctx.check_json("--ca", root, target)
        expect(doc["chain"][0]["days_left"] == -days and doc["chain"][0]["sha256"] == facts["sha256"],
               "json days_left %d and the expired cert's fingerprint" % -days, r)


def test_check_must_staple(ctx):
    fx = ctx.ocsp
    with ctx.s_server("muststaple", "-cert", str(fx / "muststaple.pem"), "-key", str(fx / "muststaple.key"),
                      "-cert_chain", str(fx / "chain.pem")) as srv:
        r, doc = ctx.check_json("--ca", str(fx / "root.pem"), "localhost:%d" % srv.port)
        expect(r.rc == 0 and doc["ocsp"]["must_staple"] is True and doc["ocsp"]["stapled"] is False,
               "must-staple certificate served without a staple", r)
        expect("must_staple_missing" in [w["id"] for w in doc["warnings"]], "want must_staple_missing", r)


def test_check_client_certificate(ctx):
    root = str(ctx.pki / "root.crt")
    with ctx.s_server("mtls", *server_args(ctx, "good"), "-Verify", "1", "-CAfile", root,
                      "-verify_return_error") as srv:
        target = "localhost:%d" % srv.port
        # TLS 1.3: the refusal arrives after the client has finished its side.
        r, doc = ctx.check_json("--ca", root, target)
        expect(r.rc == 1 and doc["section"] == "OTHER" and doc["cause"] == "client_cert_missing",
               "a server that requires a client certificate refuses us after the handshake", r)
        r, doc = ctx.check_json("--ca", root, "--cert", str(ctx.pki / "client-chain.pem"),
                                "--key", str(ctx.pki / "client.key"), target)
        expect(r.rc == 0 and doc["result"] == "ok", "--cert/--key satisfy it", r)
        r = ctx.tlsdiag("check", "--ca", root, "--cert", str(ctx.scratch / "missing.pem"), target)
        expect(r.rc == 2 and "cannot set up the client" in r.stderr, "an unreadable --cert is exit 2", r)


def weak_policy_conf(ctx):
    """A caller's own config that lowers the security level, as some sites do."""
    conf = ctx.scratch / "seclevel1.cnf"
    conf.write_text("openssl_conf = site_init\n[site_init]\nssl_conf = site_ssl\n"
                    "[site_ssl]\nsystem_default = site_default\n"
                    "[site_default]\nCipherString = DEFAULT@SECLEVEL=0\n")
    return conf


def test_check_weak_warnings(ctx):
    """Weak keys and SHA-1 fail at the default security level; with a caller's OPENSSL_CONF
    that lowers it (kept in force by tlsdiag), the handshake passes and check warns."""
    root = str(ctx.pki / "root.crt")
    env = ctx.env(OPENSSL_CONF=str(weak_policy_conf(ctx)))
    for cert, warning in (("weakkey", "weak_key"), ("sha1", "sha1_signature")):
        with ctx.s_server(cert, *server_args(ctx, cert), "-cipher", "DEFAULT:@SECLEVEL=0") as srv:
            target = "localhost:%d" % srv.port
            r, doc = ctx.check_json("--ca", root, target)
            expect(r.rc == 1, "%s fails at the default security level" % cert, r)
            r, doc = ctx.check_json("--ca", root, target, env=env)
            expect(r.rc == 0 and warning in [w["id"] for w in doc["warnings"]],
                   "%s under the caller's SECLEVEL=0 config: want exit 0 and %s" % (cert, warning), r)


def test_check_errors(ctx):
    r, doc = ctx.check_json("localhost:%d" % free_port())
    expect(r.rc == 2 and doc["result"] == "error" and "refused" in doc["error"].lower(),
           "connection refused is exit 2", r)
    r = ctx.tlsdiag("check", "no-such-host.invalid:27017")
    expect(r.rc == 2 and "cannot resolve" in r.stdout + r.stderr, "an unknown name is exit 2", r)
    with ctx.script_server("closer.py") as srv:
        r, doc = ctx.check_json("[::1]:%d" % srv.port)
        expect(r.rc == 2, "nothing listens on ::1 for a 127.0.0.1 server: exit 2", r)
        r, doc = ctx.check_json("127.0.0.1:%d" % srv.port)
        expect(r.rc == 1 and doc["section"] == "OTHER" and doc["cause"] == "peer_closed",
               "a server closing mid-handshake is a failed handshake (exit 1, peer_closed)", r)


def test_usage_errors(ctx):
    cases = [
        [], ["bogus"], ["check"], ["check", "a:1", "b:2"], ["check", "--min", "1.9", "h"],
        ["check", "host:99999"], ["check", "--bogus", "h"], ["check", "--timeout", "0", "h"],
        ["check", "--min", "1.3", "--max", "1.2", "h"], ["check", "--key", "k.pem", "h"],
        ["check", "[::1"], ["check", "--alpn", "", "h"], ["check", "--alpn", "h2,,x", "h"], ["run"], ["run", "--bogus", "--", "true"], ["explain"],
        ["explain", "--bogus", "x"], ["explain", "   "],
    ] + COLOR_ERRORS
    for args in cases:
        r = ctx.tlsdiag(*args)
        expect(r.rc == 2, "tlsdiag %s should be a usage error (exit 2)" % " ".join(args), r)
        expect(r.stderr.strip() and not r.stdout.strip(), "usage errors go to stderr only: %s" % args, r)
    r = ctx.tlsdiag("run", "--", "/nonexistent/program")
    expect(r.rc == 127 and "cannot run" in r.stderr, "an unknown command exits 127 like a shell", r)
    for args in (["--help"], ["run", "--help"], ["check", "--help"], ["explain", "--help"]):
        r = ctx.tlsdiag(*args)
        expect(r.rc == 0 and r.stdout.startswith("usage: tlsdiag"), "tlsdiag %s" % " ".join(args), r)
    for args in COLOR_ERRORS:
        r = ctx.tlsdiag(*args)
        expect(len(r.stderr.splitlines()) == 1 and all(w in r.stderr for w in ("auto", "always", "never")),
               "a bad --color is one line naming auto, always and never: %s" % args, r)
    r = ctx.tlsdiag("--help")
    expect(re.search(r"^ +-V, --version +", r.stdout, re.M), "--help lists -V, --version", r)
    expect(re.search(r"^ +--color=WHEN +", r.stdout, re.M), "--help lists --color=WHEN", r)
    for flag in ("-V", "--version", "--color=never"):
        r = ctx.tlsdiag(*([flag, "-V"] if flag.startswith("--color") else [flag]))
        expect(r.rc == 0 and r.stdout == "tlsdiag %s\n" % tdlib.TLSDIAG_VERSION and not r.stderr,
               "tlsdiag %s prints 'tlsdiag' and VERSION (%s)" % (flag, tdlib.TLSDIAG_VERSION), r)
    # --color is accepted after every command's name.
    for args in (["run", "--color=never", "--", "true"], ["explain", "--color=never", "certificate has expired"],
                 ["config", "--color=always", "--module", "/x/tlsdiag.so"], ["check", "--color", "auto", "--help"]):
        r = ctx.tlsdiag(*args)
        expect(r.rc == 0, "tlsdiag %s" % " ".join(args), r)


COLOR_ERRORS = [["--color=bogus"], ["--color"], ["--color=", "explain", "x"], ["check", "--color=yes", "h"],
                ["run", "--color=on", "--", "true"], ["explain", "--color=sometimes", "x"],
                ["config", "--color=NEVER", "--module", "/x"]]


def run_on_pty(argv, env):
    """Run with stdout on a terminal; return what it printed."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL, env=env)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        elif p.poll() is not None:
            break
    p.wait(timeout=10)
    os.close(master)
    return p.returncode, out.decode(errors="replace")


def colour_env(ctx, **extra):
    """ctx.env with NO_COLOR unset and a TERM that has colours, whatever the caller's are."""
    env = ctx.env(**dict({"TERM": "xterm"}, **extra))
    if "NO_COLOR" not in extra:
        env.pop("NO_COLOR", None)
    return env


def test_colour(ctx):
    text = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired"
    # (argv before the text, extra environment, colour wanted), on a terminal
    for flags, extra, want in (
            ([], {}, True), ([], {"NO_COLOR": "1"}, False), ([], {"NO_COLOR": ""}, True),
            ([], {"TERM": "dumb"}, False), (["--color=never"], {}, False),
            (["--color=always"], {"NO_COLOR": "1"}, True), (["explain", "--color=always"], {"TERM": "dumb"}, True),
            (["--color=never", "--color=auto"], {}, True)):
        argv = [ctx.exe] + flags + ([] if "explain" in flags else ["explain"]) + [text]
        rc, out = run_on_pty(argv, colour_env(ctx, **extra))
        expect(rc == 0 and ("\033[" in out) == want and "expired" in out,
               "on a terminal, %s with %s: colour %s: %r" % (flags, extra, "expected" if want else "must be off", out[:200]))
    # and to a pipe
    for flags, want in (([], False), (["--color=always"], True), (["--color=auto"], False),
                        (["--color=always", "--color=never"], False)):
        for where in ("before", "after"):
            argv = flags + ["explain", text] if where == "before" else ["explain"] + flags + [text]
            r = ctx.tlsdiag(*argv, env=colour_env(ctx))
            expect(r.rc == 0 and ("\033[" in r.stdout) == want,
                   "to a pipe, %s %s the command: colour %s" % (flags, where, "expected" if want else "must be off"), r)


COMPLETION = tdlib.ROOT / "cli" / "tlsdiag.bash-completion"


def complete(*words):
    """What _tlsdiag offers for the command line words (the last one being completed)."""
    script = 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _tlsdiag; printf "%s\\n" "${COMPREPLY[@]}"'
    r = tdlib.run(["bash", "--norc", "--noprofile", "-c", script, str(COMPLETION)] + list(words))
    expect(r.rc == 0 and not r.stderr, "bash completion of %s" % (words,), r)
    return [w for w in r.stdout.splitlines() if w]


def test_completion(ctx):
    if shutil.which("bash") is None:
        raise tdlib.Skip("no bash")
    for words, want in ((["tlsdiag", "ch"], ["check"]), (["tlsdiag", "check", "--co"], ["--color="]),
                        (["tlsdiag", ""], ["run", "check", "explain", "config", "report"]),
                        (["tlsdiag", "report", "--s"], ["--since"]),
                        (["tlsdiag", "--color=al"], ["--color=always"]),
                        (["tlsdiag", "--color", "=", ""], ["auto", "always", "never"]),
                        (["tlsdiag", "--color=never", "ex"], ["explain"]),
                        (["tlsdiag", "check", "--min", "1.1", "--m"], ["--min", "--max"]),
                        (["tlsdiag", "run", "--", "tlsdia"], None)):
        got = complete(*words)
        if want is None:  # a program name: the shell's own list, not ours
            expect("run" not in got and "--json" not in got, "after run -- a program is completed, got %s" % got)
        else:
            expect(got == want, "completing %s: got %s, want %s" % (words, got, want))
    # Every option the command's --help lists is offered, and -V/--version at the top.
    for command in ("", "run", "check", "explain", "config", "report"):
        helptext = ctx.tlsdiag(*([command, "--help"] if command else ["--help"])).stdout
        if not command:  # the top's own options, not those of the commands it summarises
            helptext = helptext.split("\noptions")[1]
        listed = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*=?)", helptext)) - {"-", "--"}
        offered = set(complete(*(["tlsdiag"] + ([command] if command else []) + ["-"])))
        expect("--color=" in offered, "completion of 'tlsdiag %s -' lacks --color=" % command)
        offered |= {o.rstrip("=") for o in offered}
        missing = sorted(o for o in listed if o not in offered and o not in ("--openssl-shared-config",))
        expect(not missing, "completion of 'tlsdiag %s -' lacks %s (from its --help)" % (command, missing))


PY_EXIT = r"""
import socket, ssl, sys
port, code_on_failure = int(sys.argv[1]), int(sys.argv[2])
try:
    with socket.create_connection(("localhost", port), timeout=5) as s:
        with ssl.create_default_context().wrap_socket(s, server_hostname="localhost"):
            pass
except ssl.SSLError as e:
    print("python:", e)
    sys.exit(code_on_failure)
"""


def test_run(ctx):
    with ctx.s_server("run-selfsigned", *server_args(ctx, "selfsigned", False)) as srv:
        r = ctx.tlsdiag("run", "--", PY, "-c", PY_EXIT, str(srv.port), "7")
        expect(r.rc == 7, "run must exit with python's status", r)
        for needle in ("CERTIFICATE_VERIFY_FAILED", "self_signed", "python3"):
            expect(needle in r.stderr, "run -- python3: explanation lacks %r" % needle, r)
        r = ctx.tlsdiag("run", "--json", "--", "curl", "-sS", "https://localhost:%d/" % srv.port)
        expect(r.rc == 60, "run must exit with curl's status (60)", r)
        events = json_lines(r)
        expect(len(events) == 1 and events[0]["section"] == "CERTIFICATE_VERIFY_FAILED"
               and events[0]["program"] == "curl", "run --json -- curl: one CERTIFICATE_VERIFY_FAILED event", r)
        # A child that succeeds or fails for other reasons keeps its own status.
        r = ctx.tlsdiag("run", PY, "-c", "import sys; sys.exit(0)")
        expect(r.rc == 0 and r.stderr == "", "run without -- and a silent child", r)
    # -v: trace mode (successful handshakes reported) and the config used.
    with ctx.s_server("run-good", *server_args(ctx, "good")) as srv:
        env = ctx.env(SSL_CERT_FILE=str(ctx.pki / "root.crt"))
        r = ctx.tlsdiag("run", "-v", "--json", "--", PY, "-c", PY_EXIT, str(srv.port), "5", env=env)
        events = json_lines(r)
        expect(r.rc == 0 and "OPENSSL_CONF=%s" % (ctx.build / "openssl.cnf") in r.stderr
               and [e["event"] for e in events] == ["handshake_ok"],
               "run -v names build/openssl.cnf and reports the successful handshake", r)


def test_run_keeps_callers_openssl_conf(ctx):
    """A caller's OPENSSL_CONF (here: MinProtocol = TLSv1.3) stays in force under run, and
    the provider is added to it: the child fails the same way, now with an explanation."""
    conf = ctx.scratch / "min13.cnf"
    conf.write_text("openssl_conf = site_init\n[site_init]\nssl_conf = site_ssl\n"
                    "[site_ssl]\nsystem_default = site_default\n[site_default]\nMinProtocol = TLSv1.3\n")
    env = ctx.env(OPENSSL_CONF=str(conf), SSL_CERT_FILE=str(ctx.pki / "root.crt"))
    with ctx.s_server("run-tls12", *server_args(ctx, "good"), "-tls1_2") as srv:
        plain = tdlib.run([PY, "-c", PY_EXIT, str(srv.port), "4"], env)
        expect(plain.rc == 4 and "protocol version" in plain.stdout and not plain.stderr,
               "without tlsdiag the caller's MinProtocol makes python fail, silently", plain)
        r = ctx.tlsdiag("run", "-v", "--", PY, "-c", PY_EXIT, str(srv.port), "4", env=env)
        expect(r.rc == 4 and "protocol version" in r.stdout, "under run the same policy applies", r)
        expect("TLSV1_ALERT_PROTOCOL_VERSION" in r.stderr, "and the provider explains it", r)
        expect("includes %s" % conf in r.stderr and "adds tlsdiag" in r.stderr,
               "run -v should name the generated config that includes the caller's", r)
        # The same under `check`: the caller's policy decides the handshake.
        r, doc = ctx.check_json("localhost:%d" % srv.port, env=env)
        expect(r.rc == 1 and doc["section"] == "TLSV1_ALERT_PROTOCOL_VERSION",
               "check keeps the caller's MinProtocol", r)


NODE_CLIENT = r"""
const tls = require('tls');
// 127.0.0.1, not localhost: Debian's Node 18 tries ::1 first and gives up there.
const s = tls.connect({host: '127.0.0.1', servername: 'localhost', port: +process.argv[1], maxVersion: 'TLSv1.2'});
s.on('secureConnect', () => { s.end(); process.exit(0); });
s.on('error', e => { console.log('node:', e.code); process.exit(9); });
"""


def test_run_node(ctx):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise tdlib.Skip("node is not installed: tlsdiag run -- node not tested")
    with ctx.s_server("run-node", *server_args(ctx, "good"), "-tls1_3") as srv:
        env = ctx.env(LD_DEBUG="files")
        r = ctx.tlsdiag("run", "-v", "--", node, "-e", NODE_CLIENT, str(srv.port), env=env)
        expect(r.rc == 9 and "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" in r.stdout, "node's own status and error", r)
        loaded = [l for l in r.stderr.splitlines() if "tlsdiag.so" in l and "dynamically loaded by" in l]
        expect(loaded, "node did not load the tlsdiag provider under run", r)
        conf = Path(r.stderr.split("OPENSSL_CONF=")[1].split()[0])
        expect("nodejs_conf = " in conf.read_text(), "the config node got lacks nodejs_conf", r)


def test_run_blind_spots(ctx):
    """`run` says so when a program does not use OpenSSL (wget and git's https helper link
    GnuTLS), and says nothing about one that does (curl)."""
    blind = [(name, argv) for name, argv in (
        ("wget", ["wget", "-q", "-T", "2", "-O", "/dev/null", "https://127.0.0.1:1/"]),
        ("git", ["git", "ls-remote", "https://127.0.0.1:1/x"])) if shutil.which(name)]
    if not blind:
        print("  (neither wget nor git is installed: the GnuTLS warning is not tested)")
    for name, argv in blind:
        r = ctx.tlsdiag("run", "--", *argv)
        expect(re.search(r"warning: \S+ uses GnuTLS, not OpenSSL: tlsdiag cannot see its handshakes", r.stderr)
               and "tlsdiag check HOST:PORT" in r.stderr, f"run -- {name}: no blind-spot warning", r)
    r = ctx.tlsdiag("run", "--", "curl", "-s", "--max-time", "2", "https://127.0.0.1:1/")
    expect("cannot see" not in r.stderr, "run -- curl: a blind-spot warning for a libssl program", r)


def load_corpus(path):
    cases, cur = [], None
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if line.startswith("@ "):
            fields = line[2:].split()
            cur = {"line": n, "section": fields[0], "cause": fields[1],
                   "target": fields[2] if len(fields) > 2 else None, "text": []}
            cases.append(cur)
        elif cur is not None:
            cur["text"].append(line)
    for c in cases:
        c["text"] = "\n".join(c["text"]).strip("\n")
    return cases


def test_explain_corpus(ctx):
    cases = load_corpus(HERE / "explain-corpus.txt")
    expect(len(cases) >= 100, "the corpus has only %d cases" % len(cases))
    sections = set()
    bad = []
    for c in cases:
        r = ctx.tlsdiag("explain", "--json", "-", stdin=c["text"])
        try:
            doc = json.loads(r.stdout)
        except ValueError:
            bad.append("line %d: no JSON: %s" % (c["line"], r.describe()))
            continue
        ids = [x["id"] for x in doc["causes"]]
        target = None
        if doc["host"]:
            target = ("[%s]:%s" if ":" in doc["host"] else "%s:%s") % (doc["host"], doc["port"])
        problems = []
        if r.rc != 0 or r.stderr:
            problems.append("exit %d, stderr %r" % (r.rc, r.stderr))
        if doc["section"] != c["section"]:
            problems.append("section %s" % doc["section"])
        if c["cause"] == "-":
            if not doc["network_error"] or ids:
                problems.append("want a network error without causes, got %s" % ids)
        elif c["cause"] not in ids:
            problems.append("causes %s lack %s" % (ids, c["cause"]))
        if c["target"] and c["target"] != target:
            problems.append("target %s, want %s" % (target, c["target"]))
        if c["target"] and "tlsdiag check %s" % c["target"] not in doc["commands"] and not doc["network_error"]:
            problems.append("commands %s lack `tlsdiag check %s`" % (doc["commands"], c["target"]))
        if problems:
            bad.append("line %d (%s %s): %s" % (c["line"], c["section"], c["cause"], "; ".join(problems)))
        sections.add(c["section"])
    expect(not bad, "%d of %d corpus cases wrong:\n    %s" % (len(bad), len(cases), "\n    ".join(bad)))
    expect(sections == tdlib.SECTIONS, "the corpus should cover every section, has %s" % sorted(sections))
    # Text mode names the section, the causes and the deciding command.
    r = ctx.tlsdiag("explain", "pymongo.errors.ServerSelectionTimeoutError: db1.example.net:27017: "
                    "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local "
                    "issuer certificate (_ssl.c:1006)")
    for needle in ("section: CERTIFICATE_VERIFY_FAILED", "cannot tell these causes apart", "missing_intermediate",
                   "Ruled out by the text:", "tlsdiag check db1.example.net:27017", "tlsdiag run -- python3"):
        expect(needle in r.stdout, "explain text lacks %r" % needle, r)


# Each hint column's own words in its CA hint (the hostname hint for the mongo gem and PHP
# streams, whose real messages decide only a name mismatch): a case's hint must carry its own
# column's token and no other column's.
HINT_TOKENS = {
    "requests": "REQUESTS_CA_BUNDLE", "pip": "PIP_CERT", "ruby": "ca_file",
    "ruby-mongo": "ssl_ca_cert:", "php": "stream_context_create",
    "php-mongodb": "MongoDB\\Driver\\Manager", "mongoc": "MONGOC_URI_TLSCAFILE",
    "node": "NODE_EXTRA_CA_CERTS",
}

# (source, cause, hint token or None, message). Every message was printed by the real client on
# Debian 12 against `openssl s_server -accept 127.0.0.1:PORT` with certificates from
# build/test-pki (selfsigned.crt, expired-chain.pem, wronghost.crt; good.crt without its chain;
# good.crt with chain-with-root.pem against other-root.crt).
EXPLAIN_RUNTIMES = [
    # requests 2.34.2, urllib3 2.7.0, Python 3.11: requests.get(url) against selfsigned.crt
    ("requests", "self_signed", "REQUESTS_CA_BUNDLE",
     "requests.exceptions.SSLError: HTTPSConnectionPool(host='localhost', port=44301): Max retries exceeded "
     "with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
     "verify failed: self-signed certificate (_ssl.c:1006)')))"),
    # pip 23.2.1 (Python 3.11): pip3 download --index-url https://localhost:44301/simple/ against selfsigned.crt
    ("pip", "self_signed", "PIP_CERT",
     "Could not fetch URL https://localhost:44301/simple/nothing/: There was a problem confirming the ssl "
     "certificate: HTTPSConnectionPool(host='localhost', port=44301): Max retries exceeded with url: "
     "/simple/nothing/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
     "certificate verify failed: self-signed certificate (_ssl.c:1006)'))) - skipping"),
    # ruby 3.1.2, test/clients/ruby_tls.rb against selfsigned.crt
    ("ruby", "self_signed", "ca_file",
     "OpenSSL::SSL::SSLError: SSL_connect returned=1 errno=0 peeraddr=127.0.0.1:44301 state=error: "
     "certificate verify failed (self-signed certificate)"),
    # ruby 3.1.2, test/clients/ruby_tls.rb against wronghost.crt (post_connection_check)
    ("ruby", "hostname_mismatch", None,
     'OpenSSL::SSL::SSLError: hostname "localhost" does not match the server certificate'),
    # ruby-mongo 2.5.1 (Debian), Mongo::Address#socket(ssl: true, ssl_ca_cert: root.crt) against
    # wronghost.crt: the gem words every other TLS failure "SSL handshake failed. MongoDB may not be
    # configured with SSL support.", without OpenSSL's reason
    ("ruby-mongo", "hostname_mismatch", "ssl_verify_hostname",
     "Mongo::Error::SocketError: SSL handshake failed due to a hostname mismatch."),
    # PHP 8.2.36, stream_socket_client('tcp://...') + stream_socket_enable_crypto against
    # selfsigned.crt: PHP prints no verify reason, so only the section is decided
    ("php", None, None,
     "PHP Warning:  stream_socket_enable_crypto(): SSL operation failed with code 1. OpenSSL Error messages:\n"
     "error:0A000086:SSL routines::certificate verify failed in Command line code on line 1"),
    # PHP 8.2.36, stream_socket_client('tls://localhost:44303', ..., stream_context_create(cafile)) against
    # wronghost.crt (PHP checks peer_name itself)
    ("php", "hostname_mismatch", "stream_context_create",
     "PHP Warning:  stream_socket_client(): Peer certificate subjectAltName did not match expected name "
     "`localhost' in Command line code on line 1\n"
     "PHP Warning:  stream_socket_client(): Failed to enable crypto in Command line code on line 1"),
    # PHP 8.2.36 with php-mongodb (libmongoc 1.23 bundled), test/clients/php_mongodb.php against selfsigned.crt
    ("php-mongodb", "self_signed", "MongoDB\\Driver\\Manager",
     "MongoDB\\Driver\\Exception\\ConnectionTimeoutException: No suitable servers found "
     "(`serverSelectionTryOnce` set): [TLS handshake failed: certificate verify failed (18): self-signed "
     "certificate calling hello on 'localhost:44301']"),
    # libmongoc 1.23.1, test/clients/mongoc_client.c against selfsigned.crt
    ("mongoc", "self_signed", "MONGOC_URI_TLSCAFILE",
     "error 15.13053 No suitable servers found (`serverSelectionTryOnce` set): [TLS handshake failed: "
     "certificate verify failed (18): self-signed certificate calling hello on 'localhost:44301']"),
    # libmongoc 1.23.1, test/clients/mongoc_client.c against wronghost.crt
    ("mongoc", "hostname_mismatch", None,
     "error 15.13053 No suitable servers found (`serverSelectionTryOnce` set): [TLS handshake failed: "
     "certificate verify failed (62): hostname mismatch calling hello on 'localhost:44303']"),
    # Node 20.20.2, https.get against selfsigned.crt ("${e} code: '${e.code}'")
    ("node", "self_signed", "NODE_EXTRA_CA_CERTS",
     "Error: self-signed certificate code: 'DEPTH_ZERO_SELF_SIGNED_CERT'"),
    # Node 20.20.2, test/clients/node_client.js (prints e.code) against selfsigned.crt, expired-chain.pem
    ("node", "self_signed", "NODE_EXTRA_CA_CERTS", "node: DEPTH_ZERO_SELF_SIGNED_CERT"),
    ("node", "expired", None, "node: CERT_HAS_EXPIRED"),
    # Node 20.20.2, https.get against wronghost.crt with ca: root.crt
    ("node", "hostname_mismatch", None,
     "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: Host: "
     "localhost. is not in the cert's altnames: DNS:other.example"),
    # Node 20.20.2, https.get against good.crt sent without its intermediate
    ("node", "missing_intermediate", None,
     "Error: unable to verify the first certificate code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'"),
    # Node 20.20.2, https.get against good.crt + chain-with-root.pem, ca: other-root.crt
    ("node", "self_signed_in_chain", None,
     "Error: self-signed certificate in certificate chain code: 'SELF_SIGNED_CERT_IN_CHAIN'"),
    # npm mongodb 6.22.0 on Node 20.20.2, test/clients/node_mongodb.js against selfsigned.crt
    ("node", "self_signed", "NODE_EXTRA_CA_CERTS", "MongoServerSelectionError: self-signed certificate"),
]

# (source, cause, message) from TLS stacks tlsdiag cannot load into.
EXPLAIN_BLIND = [
    # Go's net/http (1.20 and later): not captured here (no Go toolchain on this machine); the words
    # are crypto/tls's "tls: failed to verify certificate: %w" around crypto/x509's UnknownAuthorityError
    ("go", "unknown_ca",
     'Get "https://localhost:44301/": tls: failed to verify certificate: x509: certificate signed by '
     "unknown authority"),
    # GNU Wget 1.21.3 (GnuTLS), wget https://localhost:44301/ against selfsigned.crt
    ("gnutls", "unknown_ca",
     "ERROR: The certificate of \u2018localhost\u2019 is not trusted.\n"
     "ERROR: The certificate of \u2018localhost\u2019 doesn't have a known issuer."),
    # git 2.39.5 (git-remote-https, libcurl-gnutls), git ls-remote https://localhost:44301/x against selfsigned.crt
    ("gnutls", "self_signed",
     "fatal: unable to access 'https://localhost:44301/x/': server certificate verification failed. CAfile: "
     "/etc/ssl/certs/ca-certificates.crt CRLfile: none"),
    # OpenJDK 17.0.15, new URL("https://localhost:44301/").openStream() against selfsigned.crt
    ("java", "unknown_ca",
     "javax.net.ssl.SSLHandshakeException: PKIX path building failed: "
     "sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path "
     "to requested target"),
]


def test_explain_runtimes(ctx):
    bad = []
    for source, cause, token, text in EXPLAIN_RUNTIMES:
        j = ctx.tlsdiag("explain", "--json", text)
        r = ctx.tlsdiag("explain", text)
        try:
            doc = json.loads(j.stdout)
        except ValueError:
            bad.append("%r: no JSON: %s" % (text, j.describe()))
            continue
        ids = [c["id"] for c in doc["causes"]]
        hint = "".join(l for l in r.stdout.splitlines() if l.startswith("hint:"))
        problems = []
        if doc["source"] != source:
            problems.append("source %s, want %s" % (doc["source"], source))
        if cause is None:
            if doc["section"] != "CERTIFICATE_VERIFY_FAILED" or len(ids) < 2:
                problems.append("want CERTIFICATE_VERIFY_FAILED undecided, got %s %s" % (doc["section"], ids))
        elif cause not in ids or (len(ids) > 1 and cause != "missing_intermediate"):
            problems.append("causes %s, want %s" % (ids, cause))
        if token is not None and token not in hint:
            problems.append("hint lacks %r: %r" % (token, hint))
        others = [t for s, t in HINT_TOKENS.items() if s != source and t in hint]
        if others:
            problems.append("hint has other columns' %s: %r" % (others, hint))
        if doc.get("tls_library") != "OpenSSL" or "cannot see" in r.stdout:
            problems.append("should be seen: %r" % r.stdout)
        if problems:
            bad.append("%s %r: %s" % (source, text[:60], "; ".join(problems)))
    for source, cause, text in EXPLAIN_BLIND:
        j = ctx.tlsdiag("explain", "--json", text)
        r = ctx.tlsdiag("explain", text)
        doc = json.loads(j.stdout)
        ids = [c["id"] for c in doc["causes"]]
        problems = []
        if doc["source"] != source:
            problems.append("source %s, want %s" % (doc["source"], source))
        if cause not in ids:
            problems.append("causes %s lack %s" % (ids, cause))
        if "not OpenSSL: tlsdiag cannot see its handshakes" not in r.stdout:
            problems.append("does not say it cannot be seen")
        if not re.search(r"Check the server it talks to instead: tlsdiag check (localhost:44301|HOST:PORT)\n",
                         r.stdout):
            problems.append("does not point at tlsdiag check")
        if "tlsdiag run" in r.stdout or any(c.startswith("tlsdiag run") for c in doc["commands"]):
            problems.append("suggests tlsdiag run, which cannot see it")
        if "hint:" in r.stdout:
            problems.append("gives an OpenSSL hint")
        if problems:
            bad.append("%s %r: %s\n%s" % (source, text[:60], "; ".join(problems), r.stdout))
    expect(not bad, "%d explain runtime cases wrong:\n    %s" % (len(bad), "\n    ".join(bad)))


TESTS = [test_check_interception, test_run_blind_spots, test_usage_errors, test_explain_corpus, test_explain_runtimes, test_colour, test_completion, test_check_errors, test_check_failure_classes,
         test_check_text_failure, test_check_good, test_check_ipv6, test_check_tls12_only, test_check_details,
         test_check_versions, test_check_expired_wording, test_check_must_staple,
         test_check_client_certificate, test_check_weak_warnings, test_run, test_run_keeps_callers_openssl_conf, test_run_node]


def run_tests(name, ctx_class, tests, errors=()):
    """The runner of check-cli and check-report: --build BUILD [-k SUBSTRING], each test given a
    ctx_class(BUILD), an ok/FAIL/skip line each and the tally's line; Failure, ServerError and
    errors fail a test. The scratch directory goes when every test passed. Returns the status."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("-k", default="", help="run only tests whose name contains this")
    args = ap.parse_args()
    ctx = ctx_class(args.build)
    tally = tdlib.Tally(name)
    start = time.monotonic()
    for test in tests:
        if args.k not in test.__name__:
            continue
        t0 = time.monotonic()
        try:
            test(ctx)
            tally.add("ok")
            print("ok   %s (%.1fs)" % (test.__name__, time.monotonic() - t0))
        except tdlib.Skip as e:
            tally.add("skip")
            print("skip %s: %s" % (test.__name__, e))
        except (Failure, tdlib.ServerError) + tuple(errors) as e:
            tally.add("FAIL")
            print("FAIL %s: %s%s" % (test.__name__, "" if isinstance(e, Failure) else type(e).__name__ + ": ", e))
    print(tally.line(" (%.1fs%s)" % (time.monotonic() - start,
                                     ", logs in %s" % ctx.scratch if tally.failed else "")))
    if tally.failed == 0:
        shutil.rmtree(ctx.scratch, ignore_errors=True)
    return tally.status()


def main():
    return run_tests("check-cli", Ctx, TESTS)

if __name__ == "__main__":
    sys.exit(main())
