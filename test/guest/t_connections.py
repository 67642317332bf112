# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-connections: every report names its own connection, however connections share a
thread, an SSL object or an SSL object's address, and however big their hellos are.

1. asyncio: 40 TLS handshakes interleaved in one Python thread (asyncio.open_connection, all
   started at once with gather), against seven local s_servers run without tlsdiag, one per
   cause (client certificate required, no shared cipher, self-signed, unknown CA, expired,
   wrong name) plus a good one. Every connection has its own SNI (c<N>.<kind>.test, which its
   server's certificate covers or not as planned); with TLSDIAG_REPEAT_WINDOW=0 each failing
   connection must get exactly one handshake_failed with the cause of ITS server, the good
   ones none.
2. Address reuse: nginx with tlsdiag, clients one after another from their own source address
   (127.0.0.N): good ones with SNI tenant1.private.example between failing ones without SNI
   (TLS 1.0 only, no shared cipher, a record that is not TLS, a Certificate where the
   ClientHello belongs) and plain HTTP. Every server report names only its own connection: no tenant1 on a connection that
   sent no SNI, the cause of its own probe, and none for the good ones or plain HTTP. The same
   in one C process (cn_reuse free): a freed server SSL's address handed to the next SSL_new,
   printed to prove it, and a failure before that SSL's own hello must not carry the previous
   connection's SNI or versions.
3. SSL_clear: cn_reuse clear fails a handshake, clears both SSLs, and fails another for
   another reason: both failures are reported, on both sides.
4. Big hellos to an s_server running with tlsdiag: a ClientHello with 3000 unknown cipher
   suites (6 KB) must be reported as 3000 suites offered, never as none; one with a 5 KB
   padding extension ahead of its SNI must still show that SNI as the peer's host.

`python3 t_connections.py asyncio|nginx-clients|raw-hello SPEC.json` are the client halves, run
as child processes (with or without tlsdiag as each check says)."""
import asyncio
import json
import os
import re
import secrets
import socket
import ssl
import struct
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

from guestlib import (PYTHON, ROOT, SServer, Skip, as_steps, base_env, check,  # noqa: E402
                      read_jsonl, sanitizer_findings, host_env)

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
TENANT = "tenant1.private.example"


# ---- certificates ------------------------------------------------------------------------

def _openssl(*args, cwd=None):
    p = subprocess.run(["openssl", *args], env=base_env(), capture_output=True, text=True, cwd=cwd)
    check(p.returncode == 0, f"openssl {' '.join(args[:3])} failed: {p.stderr[-400:]}")


def _date(offset_days):
    return time.strftime("%Y%m%d%H%M%SZ", time.gmtime(time.time() + offset_days * 86400))


def _ca(d, name):
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.pem"),
             "-subj", f"/CN=tlsdiag connections {name}", "-days", "2",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def _leaf(d, name, sans, signer, start=-1, end=2):
    """A P-256 leaf with these DNS names, signed by signer (a CA made by _ca, or None:
    self-signed), valid from start to end days from now (openssl ca can backdate)."""
    key, crt, csr = (str(d / f"{name}.{x}") for x in ("key", "pem", "csr"))
    san = ",".join(f"DNS:{n}" for n in sans)
    if signer is None:
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", key, "-out", crt, "-subj", f"/CN={sans[0]}", "-days", "2",
                 "-addext", f"subjectAltName={san}")
        return
    _openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", key, "-out", csr, "-subj", f"/CN={sans[0]}")
    db = d / f"{name}.db"
    db.mkdir()
    (db / "index.txt").write_text("")
    (db / "serial").write_text(secrets.token_hex(8) + "\n")
    (db / "ca.cnf").write_text(f"""[ca]
default_ca = this
[this]
dir = {db}
database = $dir/index.txt
serial = $dir/serial
new_certs_dir = $dir
certificate = {d / signer}.pem
private_key = {d / signer}.key
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = {san}
""")
    _openssl("ca", "-batch", "-config", str(db / "ca.cnf"), "-notext", "-in", csr, "-out", crt,
             "-extensions", "leaf", "-startdate", _date(start), "-enddate", _date(end))


def make_pki(tmp):
    d = tmp / "pki"
    if (d / "complete").exists():
        return d
    d.mkdir(parents=True, exist_ok=True)
    _ca(d, "ca")
    _ca(d, "other-ca")
    _leaf(d, "good", ["*.good.test", "*.certreq.test", "*.nocipher.test", TENANT, "localhost"], "ca")
    _leaf(d, "wrongname", ["*.elsewhere.test"], "ca")
    _leaf(d, "expired", ["*.expired.test"], "ca", start=-30, end=-2)
    _leaf(d, "unknownca", ["*.unknownca.test"], "other-ca")
    _leaf(d, "selfsigned", ["*.selfsigned.test"], None)
    # check_nginx.Nginx serves these two.
    (d / "good-chain.pem").write_text((d / "good.pem").read_text() + (d / "ca.pem").read_text())
    (d / "good.key").chmod(0o644)
    (d / "complete").write_text("")
    return d


def _child(build, tmp, mode, spec, env, timeout=120):
    spec_path = tmp / f"{mode}-spec.json"
    spec_path.write_text(json.dumps(spec))
    p = subprocess.run([PYTHON, "-B", str(HERE), mode, str(spec_path)], env=env, capture_output=True,
                       text=True, errors="replace", timeout=timeout)
    found = sanitizer_findings(p.stderr)
    check(not found, f"sanitizer report:\n{found}")
    check(p.returncode == 0, f"{mode} client exited {p.returncode}: {p.stdout[-800:]} {p.stderr[-1500:]}")
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise AssertionError(f"{mode} client printed no result: {p.stdout[-500:]!r} {p.stderr[-800:]!r}")


def _events(path):
    check(path.exists(), f"no output file {path}: tlsdiag wrote nothing")
    return read_jsonl(path)


def _brief(e):
    return json.dumps({k: e.get(k) for k in ("event", "role", "cause", "peer", "versions", "evidence")})[:400]


# ---- 1. asyncio: 40 interleaved handshakes in one thread --------------------------------------

# kind: (s_server arguments, client context settings, cause expected on the client side)
ASYNC_KINDS = {
    "certreq": (["-cert", "good.pem", "-key", "good.key", "-Verify", "1", "-CAfile", "ca.pem",
                 "-no_tls1_3"], {}, "client_cert_missing"),
    "nocipher": (["-cert", "good.pem", "-key", "good.key", "-no_tls1_3",
                  "-cipher", "ECDHE-ECDSA-AES128-SHA"], {"ciphers": "ECDHE+AESGCM"}, "no_shared_cipher"),
    "selfsigned": (["-cert", "selfsigned.pem", "-key", "selfsigned.key"], {}, "self_signed"),
    "unknownca": (["-cert", "unknownca.pem", "-key", "unknownca.key"], {}, "unknown_ca"),
    "expired": (["-cert", "expired.pem", "-key", "expired.key"], {}, "expired"),
    "wrongname": (["-cert", "wrongname.pem", "-key", "wrongname.key"], {}, "hostname_mismatch"),
    "good": (["-cert", "good.pem", "-key", "good.key"], {}, None),
}
N_ASYNC = 40


def asyncio_interleaved(build, tmp):
    pki = make_pki(tmp)
    servers = {}
    try:
        for kind, (args, _, _) in ASYNC_KINDS.items():
            servers[kind] = SServer([a if not a.endswith((".pem", ".key")) else str(pki / a) for a in args],
                                    log=tmp / f"s_server-{kind}.log")
        kinds = list(ASYNC_KINDS)
        conns = [{"i": i, "kind": kinds[i % len(kinds)], "port": servers[kinds[i % len(kinds)]].port,
                  "host": f"c{i}.{kinds[i % len(kinds)]}.test"} for i in range(N_ASYNC)]
        out = tmp / "asyncio.jsonl"
        env = host_env(build.cnf, mode="1", output=f"file:{out}", window=0)
        spec = {"ca": str(pki / "ca.pem"), "conns": conns,
                "settings": {k: v[1] for k, v in ASYNC_KINDS.items()}}
        result = _child(build, tmp, "asyncio", spec, env)
    finally:
        for s in servers.values():
            s.stop()

    # The clients did what was planned: only the good ones got through.
    wrong = [(c["host"], result[c["host"]]) for c in conns
             if (result[c["host"]] == "ok") != (c["kind"] == "good")]
    check(not wrong, f"client outcomes not as planned (without any help from tlsdiag): {wrong[:5]}")
    check(result["_interleaved"], f"the handshakes did not overlap in time: {result['_interleaved']}")

    events = _events(out)
    failed = [e for e in events if e["event"] == "handshake_failed"]
    others = Counter(e["event"] for e in events if e["event"] != "handshake_failed")
    check(not others, f"events other than handshake_failed with TLSDIAG=1 and window 0: {dict(others)}")
    by_host = {}
    for e in failed:
        by_host.setdefault((e.get("peer") or {}).get("host"), []).append(e)
    problems = []
    for c in conns:
        want = ASYNC_KINDS[c["kind"]][2]
        got = by_host.pop(c["host"], [])
        if want is None:
            if got:
                problems.append(f"{c['host']} (good): reported {[e.get('cause') for e in got]}")
            continue
        if len(got) != 1:
            problems.append(f"{c['host']}: {len(got)} reports, want 1 ({[e.get('cause') for e in got]})")
            continue
        e = got[0]
        addr = (e.get("peer") or {}).get("addr")
        if e.get("role") != "client" or e.get("cause") != want:
            problems.append(f"{c['host']}: role {e.get('role')} cause {e.get('cause')}, want client {want}")
        elif addr and not addr.endswith(f":{c['port']}"):
            problems.append(f"{c['host']}: peer.addr {addr}, its server is on port {c['port']}")
    if by_host:
        problems.append(f"reports for no connection of this test: {list(by_host)[:5]}")
    mixed = Counter((c.split(": ")[0].split(".")[1], c.split("cause ")[-1].split(",")[0])
                    for c in problems if "cause " in c)
    check(not problems, f"{len(problems)} of {N_ASYNC} connections misreported "
          f"(kind, reported cause: {dict(mixed)}): " + "; ".join(problems[:6]))
    n_fail = sum(ASYNC_KINDS[c["kind"]][2] is not None for c in conns)
    return f"{n_fail} failures, each once with its own server's cause; {N_ASYNC - n_fail} good, silent"


async def _async_clients(spec):
    contexts = {}
    for kind, settings in spec["settings"].items():
        ctx = ssl.create_default_context(cafile=spec["ca"])
        if "ciphers" in settings:
            ctx.set_ciphers(settings["ciphers"])
        contexts[kind] = ctx
    timeline = []
    gate = asyncio.Event()

    async def one(c):
        await gate.wait()
        timeline.append(("start", c["i"]))
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                "127.0.0.1", c["port"], ssl=contexts[c["kind"]], server_hostname=c["host"],
                ssl_handshake_timeout=30), 60)
        except (ssl.SSLError, ConnectionError, OSError, asyncio.TimeoutError) as e:
            timeline.append(("end", c["i"]))
            return c["host"], f"{type(e).__name__}: {e}"
        timeline.append(("end", c["i"]))
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        try:
            await asyncio.wait_for(reader.read(), 30)
        except (ssl.SSLError, ConnectionError, asyncio.TimeoutError):
            pass
        writer.close()
        try:
            await writer.wait_closed()
        except (ssl.SSLError, ConnectionError):
            pass
        return c["host"], "ok"

    tasks = asyncio.gather(*(one(c) for c in spec["conns"]))
    gate.set()
    results = dict(await tasks)
    # Interleaved: some handshake started before another one had ended.
    open_now, overlap = 0, 0
    for what, _ in timeline:
        open_now += 1 if what == "start" else -1
        overlap = max(overlap, open_now)
    results["_interleaved"] = overlap if overlap > 1 else 0
    return results


# ---- 2. address reuse: nginx, then one C process ----------------------------------------------

# (kind, server cause; None: no report; "*": one report, whatever its cause): run one after
# another, each from 127.0.0.<10 + its index>. tls10 and nocipher are real TLS clients without
# SNI; notls is a record that is not TLS (nginx takes its 0x16 for TLS), wrongmsg a TLS record
# holding a Certificate instead of a ClientHello: both fail before any hello of their own.
# Plain HTTP never reaches OpenSSL (nginx answers it itself): no report.
NGINX_PROBES = [
    ("good", None), ("tls10", "peer_version_too_low"),
    ("good", None), ("notls", "not_tls"),
    ("good", None), ("wrongmsg", "*"),
    ("good", None), ("nocipher", "no_shared_cipher"),
    ("good", None), ("http", None),
    ("good", None), ("notls", "not_tls"),
    ("good", None), ("wrongmsg", "*"),
    ("good", None), ("tls10", "peer_version_too_low"),
]


def _import_nginx():
    sys.path.insert(0, str(ROOT / "test" / "nginx"))
    import check_nginx
    return check_nginx


def nginx_reuse(build, tmp):
    if not os.access(NGINX, os.X_OK):
        raise Skip(f"{NGINX} is not there (Debian package nginx-light)")
    pki = make_pki(tmp)
    cn = _import_nginx()
    env = {"OPENSSL_CONF": build.cnf, "TLSDIAG": "1", "TLSDIAG_FORMAT": "json",
           "TLSDIAG_REPEAT_WINDOW": "0", "TLSDIAG_RATE_LIMIT": "0"}
    server = cn.Nginx(NGINX, tmp / "nginx-reuse", pki,
                      ["ssl_protocols TLSv1.2 TLSv1.3;"], env)
    try:
        check(server.workers_map(build.so), f"the nginx worker does not have {build.so} mapped")
        # The readiness probe connected and left without a word: nothing to explain.
        before = len(read_jsonl(server.events)) if server.events.exists() else 0
        probes = [{"kind": k, "src": f"127.0.0.{10 + i}"} for i, (k, _) in enumerate(NGINX_PROBES)]
        result = _child(build, tmp, "nginx-clients",
                        {"port": server.port, "ca": str(pki / "ca.pem"), "probes": probes}, base_env())
        cn.settle([server.events])
    finally:
        server.stop()
    events = _events(server.events)[before:]

    bad_clients = [(p["src"], p["kind"], r) for p, r in zip(probes, result) if not r.startswith("as planned")]
    check(not bad_clients, f"clients did not behave as planned: {bad_clients}")
    by_src = {}
    for e in events:
        addr = (e.get("peer") or {}).get("addr") or ""
        by_src.setdefault(addr.rsplit(":", 1)[0], []).append(e)
    problems = []
    for p, (kind, cause) in zip(probes, NGINX_PROBES):
        got = by_src.pop(p["src"], [])
        if cause is None:
            if got:
                problems.append(f"{kind} from {p['src']}: reported {[_brief(e) for e in got]}")
            continue
        if len(got) != 1:
            problems.append(f"{kind} from {p['src']}: {len(got)} reports, want 1")
            continue
        e = got[0]
        host = (e.get("peer") or {}).get("host")
        if e.get("event") != "handshake_failed" or e.get("role") != "server" or \
                (cause != "*" and e.get("cause") != cause):
            problems.append(f"{kind} from {p['src']}: {e.get('event')} {e.get('role')} cause "
                            f"{e.get('cause')}, want server {cause}")
        if host:
            problems.append(f"{kind} from {p['src']} sent no SNI, reported with peer.host {host!r}")
        v = e.get("versions") or {}
        if kind in ("notls", "wrongmsg") and (v.get("negotiated") or v.get("peer") in ("TLSv1.2", "TLSv1.3")):
            problems.append(f"{kind} from {p['src']} sent no hello, reported with the versions of "
                            f"another connection: negotiated {v.get('negotiated')}, peer {v.get('peer')}")
        if TENANT in json.dumps(e):
            problems.append(f"{kind} from {p['src']}: the report names {TENANT}: {_brief(e)}")
    if by_src:
        problems.append("reports matching no probe: " + "; ".join(_brief(e) for v in by_src.values() for e in v))
    check(not problems, f"{len(problems)} wrong: " + " | ".join(problems[:8]))
    n = sum(c is not None for _, c in NGINX_PROBES)
    return f"{n} failing probes each reported once as its own; good and plain-HTTP ones silent"


# A well-formed TLS record whose first handshake message is a Certificate, not a ClientHello.
WRONG_FIRST_MESSAGE = bytes.fromhex("1603010007" "0b000003000000")


def _probe(kind, src, port, ca):
    sock = socket.socket()
    sock.settimeout(20)
    sock.bind((src, 0))
    sock.connect(("127.0.0.1", port))
    try:
        if kind == "good":
            ctx = ssl.create_default_context(cafile=ca)
            with ctx.wrap_socket(sock, server_hostname=TENANT) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = b""
                while chunk := s.recv(4096):
                    data += chunk
            return "as planned" if b"hello from nginx" in data else f"good: got {data[:100]!r}"
        if kind in ("notls", "wrongmsg", "http"):
            sock.sendall({"notls": b"\x16\x00\x00\x00\x10" + b"x" * 16,
                          "wrongmsg": WRONG_FIRST_MESSAGE,
                          "http": b"GET / HTTP/1.0\r\n\r\n"}[kind])
            data = _until_eof(sock)
            if kind == "http":
                return "as planned" if b"400" in data else f"http: got {data[:100]!r}"
            return "as planned"
        # A real TLS client over this socket, through memory BIOs, so that it stays connected
        # until nginx has closed: the server's report always has a peer to name.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if kind == "tls10":
            ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        else:   # nocipher: nginx has an ECDSA certificate, the client offers RSA suites only
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            ctx.set_ciphers("AES128-SHA:AES256-SHA")
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing, server_hostname=None)
        while True:
            try:
                obj.do_handshake()
                return f"{kind}: the handshake succeeded"
            except ssl.SSLWantReadError:
                sock.sendall(outgoing.read())
                data = sock.recv(65536)
                if not data:
                    return f"{kind}: nginx closed without an alert"
                incoming.write(data)
            except ssl.SSLError as e:
                _until_eof(sock)
                return f"as planned ({e.reason})"
    finally:
        sock.close()


def _until_eof(sock):
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def c_host_reuse(build, tmp, rounds=10):
    out = tmp / "cn-free.jsonl"
    env = host_env(build.cnf, mode="1", output=f"file:{out}", window=0)
    p = subprocess.run([build.prog("cn_reuse"), "free", str(rounds)], env=env, capture_output=True,
                       text=True, errors="replace", timeout=60)
    found = sanitizer_findings(p.stderr)
    check(not found, f"sanitizer report:\n{found}")
    check(p.returncode == 0, f"cn_reuse free exited {p.returncode}: {p.stdout[-600:]} {p.stderr[-600:]}")
    rows = [dict(kv.split("=") for kv in line.split()) for line in p.stdout.splitlines()
            if line.startswith("round=")]
    check(len(rows) == rounds, f"{len(rows)} rounds printed, want {rounds}: {p.stdout[-400:]}")
    reused = [r for r in rows if r["good_server"] == r["bad_server"]]
    reused_kinds = {r["bad"] for r in reused}
    check(reused_kinds == {"not_tls", "eof"},
          f"the allocator did not hand a freed server SSL's address back for both kinds of "
          f"failure (reused in rounds {[r['round'] for r in reused]}); nothing was proved")
    events = _events(out)
    check(len(events) == rounds and all(e["event"] == "handshake_failed" for e in events),
          f"{len(events)} events, want {rounds} handshake_failed (one per bad connection): "
          f"{[_brief(e) for e in events][:3]}")
    problems = []
    for r, e in zip(rows, events):
        want = {"not_tls": "not_tls", "eof": "peer_closed"}[r["bad"]]
        host = (e.get("peer") or {}).get("host")
        v = e.get("versions") or {}
        tag = f"round {r['round']} ({r['bad']}, {'same address' if r in reused else 'new address'})"
        if e.get("role") != "server" or e.get("cause") != want:
            problems.append(f"{tag}: {e.get('role')} {e.get('cause')}, want server {want}")
        if host or "reuse.test" in json.dumps(e):
            problems.append(f"{tag}: carries the previous connection's SNI ({host!r})")
        if v.get("negotiated") or v.get("peer") in ("TLSv1.2", "TLSv1.3"):
            problems.append(f"{tag}: carries the previous connection's versions "
                            f"(negotiated {v.get('negotiated')}, peer {v.get('peer')})")
    check(not problems, f"{len(problems)} wrong: " + " | ".join(problems[:6]))
    return f"{len(reused)} of {rounds} bad SSLs at a freed good one's address; all reported as their own"


# ---- 3. SSL_clear ------------------------------------------------------------------------------

def c_host_clear(build, tmp):
    out = tmp / "cn-clear.jsonl"
    env = host_env(build.cnf, mode="1", output=f"file:{out}", window=0)
    p = subprocess.run([build.prog("cn_reuse"), "clear"], env=env, capture_output=True,
                       text=True, errors="replace", timeout=60)
    found = sanitizer_findings(p.stderr)
    check(not found, f"sanitizer report:\n{found}")
    check(p.returncode == 0 and "outcome=FF" in p.stdout,
          f"cn_reuse clear exited {p.returncode}: {p.stdout[-600:]} {p.stderr[-600:]}")
    addrs = re.findall(r"attempt=\d client=(\S+) server=(\S+)", p.stdout)
    check(len(addrs) == 2 and addrs[0] == addrs[1], f"not the same SSL objects twice: {addrs}")
    events = _events(out)
    got = {(e.get("role"), (e.get("peer") or {}).get("host")): e for e in events
           if e["event"] == "handshake_failed"}
    problems = []
    for role in ("client", "server"):
        for host in ("first.clear.test", "second.clear.test"):
            if (role, host) not in got:
                problems.append(f"{role}: no report of the handshake with SNI {host}")
    first = got.get(("client", "first.clear.test"))
    if first and first.get("cause") != "self_signed":
        problems.append(f"client, first: cause {first.get('cause')}, want self_signed")
    second = got.get(("server", "second.clear.test"))
    if second and second.get("cause") != "peer_version_too_low":
        problems.append(f"server, second: cause {second.get('cause')}, want peer_version_too_low")
    second_c = got.get(("client", "second.clear.test"))
    if second_c and second_c.get("cause") != "peer_rejected_versions":
        problems.append(f"client, second: cause {second_c.get('cause')}, want peer_rejected_versions")
    check(len(events) == 4, f"{len(events)} events, want 4 (two failures x two sides): "
          + "; ".join(_brief(e) for e in events) + (" | " + "; ".join(problems) if problems else ""))
    check(not problems, " | ".join(problems) + " :: " + "; ".join(_brief(e) for e in events))
    return "both failures of a cleared SSL pair reported, each with its own cause"


# ---- 4. big ClientHellos -----------------------------------------------------------------------

def _ext(typ, body):
    return struct.pack("!HH", typ, len(body)) + body


def _sni(name):
    n = name.encode()
    return _ext(0, struct.pack("!HBH", len(n) + 3, 0, len(n)) + n)


def client_hello(version, suites, extensions, record_version=0x0301):
    body = struct.pack("!H", version) + os.urandom(32) + b"\x00"
    body += struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites)
    body += b"\x01\x00"
    exts = b"".join(extensions)
    body += struct.pack("!H", len(exts)) + exts
    msg = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return struct.pack("!BHH", 22, record_version, len(msg)) + msg


# 3000 suite ids from 0x3000..0x3BB7, a range IANA has not assigned (no SCSV, no GREASE).
HUGE_SUITES = list(range(0x3000, 0x3000 + 3000))
HELLOS = {
    # TLS 1.2, 3000 suites the server cannot know: no shared cipher.
    "huge-offer": lambda: client_hello(0x0303, HUGE_SUITES, [
        _sni("huge.offer.test"), _ext(10, b"\x00\x04\x00\x17\x00\x18"), _ext(11, b"\x01\x00"),
        _ext(13, b"\x00\x04\x04\x03\x08\x04")]),
    # TLS 1.0 only (no supported_versions), a 5000-byte padding extension ahead of the SNI: the
    # server (TLS 1.2 only) refuses the version before it reads the SNI itself.
    "big-extension": lambda: client_hello(0x0301, [0xC013, 0xC014, 0x002F, 0x0035], [
        _ext(21, b"\x00" * 5000), _sni("big.hello.test"), _ext(10, b"\x00\x04\x00\x17\x00\x18"),
        _ext(11, b"\x01\x00")]),
}


def _raw_hello_server(build, tmp, name, args):
    pki = make_pki(tmp)
    out = tmp / f"{name}.jsonl"
    env = host_env(build.cnf, mode="1", output=f"file:{out}", window=0)
    with SServer(["-cert", str(pki / "good.pem"), "-key", str(pki / "good.key"), *args],
                 env=env, log=tmp / f"s_server-{name}.log") as s:
        result = _child(build, tmp, "raw-hello", {"port": s.port, "hello": name}, base_env())
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (out.exists() and out.stat().st_size):
            time.sleep(0.05)
    check(result["size"] > 4096 + 1000, f"the hello is only {result['size']} bytes")
    check(result["alert"], f"s_server sent no alert: {result}")
    events = _events(out)
    check(len(events) == 1 and events[0]["event"] == "handshake_failed" and events[0]["role"] == "server",
          f"{len(events)} events, want one server handshake_failed: {[_brief(e) for e in events]}")
    return events[0], result


def huge_offer(build, tmp):
    e, result = _raw_hello_server(build, tmp, "huge-offer", [])
    ev = e.get("evidence") or {}
    offered = ev.get("client_ciphers") or ""
    check(e.get("cause") == "no_shared_cipher", f"cause {e.get('cause')}, want no_shared_cipher: {_brief(e)}")
    check(not re.match(r"\s*0\b", offered) and not re.search(r"\b0 (cipher )?suites", json.dumps(e)),
          f"a 3000-suite offer reported as none: evidence.client_ciphers={offered!r}, "
          f"summary {e.get('summary')!r}")
    check(offered.startswith("3000 suites") or "3000" in offered
          or re.search(r"(?i)too (large|big|long)", offered),
          f"evidence.client_ciphers does not say 3000 suites (nor that the offer was too large "
          f"to read): {offered!r}")
    return f"{result['size']}-byte hello: client_ciphers {offered[:40]!r}"


def big_extension(build, tmp):
    e, result = _raw_hello_server(build, tmp, "big-extension", ["-tls1_2"])
    host = (e.get("peer") or {}).get("host")
    check(e.get("cause") == "peer_version_too_low",
          f"cause {e.get('cause')}, want peer_version_too_low: {_brief(e)}")
    check(host == "big.hello.test",
          f"peer.host {host!r}, want 'big.hello.test' (the SNI after the 5 KB padding): {_brief(e)}")
    return f"{result['size']}-byte hello: peer.host {host}, cause {e.get('cause')}"


def _raw_hello(spec):
    hello = HELLOS[spec["hello"]]()
    with socket.create_connection(("127.0.0.1", spec["port"]), timeout=20) as sock:
        sock.sendall(hello)
        data = _until_eof(sock)
    # An alert record: 21 3 x 0 2 level desc.
    return {"size": len(hello), "alert": len(data) >= 7 and data[0] == 21, "reply": data[:16].hex()}


# ---- the table -----------------------------------------------------------------------------

TABLE = [
    (f"connections: {N_ASYNC} interleaved asyncio handshakes in one thread, each with its own "
     "server's cause", asyncio_interleaved),
    ("connections: nginx, failing no-SNI clients after SNI ones: each report names its own "
     "connection", nginx_reuse),
    ("connections: a freed SSL's address reused in one process: the report is the new "
     "connection's", c_host_reuse),
    ("connections: SSL_clear and a second failure: both reported", c_host_clear),
    ("connections: a ClientHello with 3000 cipher suites is reported as 3000 offered", huge_offer),
    ("connections: a ClientHello with a 5 KB extension keeps its SNI", big_extension),
]


def cases(build, tmp):
    return as_steps(TABLE, build, tmp)


TARGETS = {"check-connections": [cases]}


def main():
    mode, spec = sys.argv[1], json.loads(Path(sys.argv[2]).read_text())
    if mode == "asyncio":
        out = asyncio.run(_async_clients(spec))
    elif mode == "nginx-clients":
        out = [_probe(p["kind"], p["src"], spec["port"], spec["ca"]) for p in spec["probes"]]
    elif mode == "raw-hello":
        out = _raw_hello(spec)
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
