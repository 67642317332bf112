# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Hostile input: names a peer controls (certificate subject and subjectAltName, SNI) must not
be able to forge or hide tlsdiag output. Text output may hold no control character but the line
ends, no C1 control or bidi override, only valid UTF-8, and no line that starts "tlsdiag:" other
than real headlines. JSON lines must parse, and the values must come back as the peer sent them
(invalid UTF-8 bytes as visible \\xNN text).

Client role: python3 ssl with tlsdiag against openssl s_server serving certificates made by
test/guest/hostile_cert.c. Server role: openssl s_server with tlsdiag, and openssl s_client
sending a hostile SNI (and offering only TLS 1.2 to a TLS 1.3 server, so the handshake fails)."""
import codecs
import json
import subprocess
import time
from pathlib import Path

from guestlib import (
    PYTHON, ROOT, SServer, as_steps, base_env, check, host_env, make_ca_and_leaf, read_jsonl)

HERE = Path(__file__).resolve().parent

# The same bytes as in hostile_cert.c.
CN_SAN = b"evil\x1b[2J\x1b]0;pwned\x07\r\ntlsdiag: FAKE-CN headline \xe2\x80\xaegpj.exe"
CN_NOSAN = b"bad\xff\xfeutf8\ntlsdiag: FAKE-CN2 \x1b[1m"
DNS_NAMES = [b"a.example\ntlsdiag: FAKE-SAN", b"b\x1b[31m.example\r", b"c\xff\xfe.example",
             b"d\xe2\x80\xae.example"]
SNI = b"evil\x1b[31m\r\ntlsdiag: FAKE-SNI \xe2\x80\xae\xc2\x9b\xff\xfe.example"


def _visible_bytes(err):
    bad = err.object[err.start:err.end]
    return "".join(f"\\x{b:02X}" for b in bad), err.end


codecs.register_error("tlsdiag-visible", _visible_bytes)


def json_value(raw):
    """What a JSON value carrying these bytes must decode to: the text as is, with each byte
    that is not valid UTF-8 shown as \\xNN."""
    return raw.decode("utf-8", "tlsdiag-visible")


def _is_forbidden(ch):
    cp = ord(ch)
    return (cp < 0x20 and ch != "\n") or cp == 0x7F or 0x80 <= cp <= 0x9F \
        or 0x202A <= cp <= 0x202E or 0x2066 <= cp <= 0x2069 or cp in (0x2028, 0x2029)


def check_text(path, headlines, markers):
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError(f"{path}: output is not valid UTF-8 ({e}): {data[max(0, e.start - 40):e.end + 40]!r}")
    bad = sorted({f"U+{ord(c):04X}" for c in text if _is_forbidden(c)})
    check(not bad, f"{path}: raw control/bidi characters in the text output: {bad}")
    heads = [l for l in text.splitlines() if l.startswith("tlsdiag:")]
    forged = [l for l in heads if "FAKE" in l.split(":", 2)[1][:12]]
    check(not forged, f"{path}: a peer-controlled name started a line: {forged}")
    check(len(heads) == headlines, f"{path}: {len(heads)} lines start with 'tlsdiag:', expected {headlines}: {heads}")
    for m in markers:
        check(m in text, f"{path}: the hostile value {m!r} was not shown at all, so its escaping is unproven")


def check_json_lines(path):
    data = Path(path).read_bytes()
    bad = sorted({f"0x{b:02X}" for b in data if b < 0x20 and b != 0x0A})
    check(not bad, f"{path}: raw control bytes in JSON lines: {bad}")
    text = data.decode("utf-8")
    hidden = sorted({f"U+{ord(c):04X}" for c in text if _is_forbidden(c) and c != "\n"})
    check(not hidden, f"{path}: raw C1/bidi characters in JSON lines (must be \\u escapes): {hidden}")
    return read_jsonl(path)


def _certs(build, tmp):
    d = tmp / "hostile"
    d.mkdir(exist_ok=True)
    for variant in ("san", "nosan"):
        subprocess.run([build.prog("hostile_cert"), str(d / f"{variant}.key"), str(d / f"{variant}.crt"), variant],
                       check=True, env=base_env())
    return d


def _client_run(build, tmp, fmt):
    d = _certs(build, tmp)
    out = tmp / f"client.{fmt}"
    with SServer(["-cert", str(d / "san.crt"), "-key", str(d / "san.key")]) as a, \
            SServer(["-cert", str(d / "nosan.crt"), "-key", str(d / "nosan.key")]) as b:
        steps = [f"{a.port},system,localhost",
                 f"{a.port},{d / 'san.crt'},nomatch.example",
                 f"{b.port},{d / 'nosan.crt'},nomatch.example"]
        env = host_env(build.cnf, mode="1", fmt=fmt, output=f"file:{out}")
        p = subprocess.run([PYTHON, str(ROOT / "test/clients/pyclient.py"), "--plan", *steps], env=env, capture_output=True,
                           text=True, timeout=60)
    check(p.returncode == 0 and json.loads(p.stdout)["outcomes"] == "FFF",
          f"client: exit {p.returncode} {p.stdout!r} {p.stderr[-800:]!r}")
    check(out.exists(), "tlsdiag wrote nothing")
    return out


def client_text(build, tmp):
    out = _client_run(build, tmp, "text")
    check_text(out, 3, ["FAKE-CN", "FAKE-SAN", "FAKE-CN2"])


def client_json(build, tmp):
    out = _client_run(build, tmp, "json")
    events = check_json_lines(out)
    check([e["event"] for e in events] == ["handshake_failed"] * 3, f"events {[e['event'] for e in events]}")
    untrusted, mismatch, mismatch_cn = events
    sans = json_value(b", ".join(b"DNS:" + n for n in DNS_NAMES))
    check(untrusted["verify"].get("san") == sans,
          f"verify.san {untrusted['verify'].get('san')!r} does not round-trip; expected {sans!r}")
    check("FAKE-CN headline" in (untrusted["verify"].get("subject") or ""),
          f"verify.subject {untrusted['verify'].get('subject')!r} lost the CN")
    check(mismatch.get("cause") == "hostname_mismatch" and mismatch["evidence"].get("names") == sans,
          f"hostname mismatch evidence.names {mismatch['evidence'].get('names')!r}, expected {sans!r}")
    cn = json_value(b"CN=" + CN_NOSAN + b" (no subjectAltName)")
    check(mismatch_cn.get("cause") == "hostname_mismatch" and mismatch_cn["evidence"].get("names") == cn,
          f"CN fallback evidence.names {mismatch_cn['evidence'].get('names')!r}, expected {cn!r}")
    return "SAN, subject and CN values round-trip"


def _server_run(build, tmp, fmt):
    pki = make_ca_and_leaf(tmp / f"pki-{fmt}")
    out = tmp / f"server.{fmt}"
    env = host_env(build.cnf, mode="1", fmt=fmt, output=f"file:{out}")
    with SServer(["-cert", pki["cert"], "-key", pki["key"], "-tls1_3"], env=env) as s:
        subprocess.run([b"openssl", b"s_client", b"-connect", f"127.0.0.1:{s.port}".encode(), b"-tls1_2",
                        b"-servername", SNI], stdin=subprocess.DEVNULL, capture_output=True,
                       env=base_env(), timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (out.exists() and out.read_bytes().endswith(b"\n")):
            time.sleep(0.05)
    check(out.exists(), "the server's tlsdiag wrote nothing")
    return out


def server_text(build, tmp):
    out = _server_run(build, tmp, "text")
    check_text(out, 1, ["FAKE-SNI"])


def server_json(build, tmp):
    out = _server_run(build, tmp, "json")
    events = check_json_lines(out)
    check(len(events) == 1 and events[0]["role"] == "server", f"events {[(e['role'], e['event']) for e in events]}")
    want = json_value(SNI)
    check(events[0]["peer"]["host"] == want, f"peer.host {events[0]['peer']['host']!r} does not round-trip; "
          f"expected {want!r}")
    return "SNI round-trips"


CASES = [
    ("hostile: certificate names (client role), text output stays inert", client_text),
    ("hostile: certificate names (client role), JSON parses and round-trips", client_json),
    ("hostile: SNI (server role), text output stays inert", server_text),
    ("hostile: SNI (server role), JSON parses and round-trips", server_json),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)
