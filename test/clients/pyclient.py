#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""The tests' one TLS client on Python's ssl module, as an application would write it.

One handshake (the default): connect to --host:--port, verify the server (--cafile, or the
default verify paths), optionally send a request. Exit 0 and print "ok <version> <cipher>"
when the handshake (and the request, if any) succeeds, with --get PATH followed by the
server's whole answer; exit 1 and
print "<ExceptionType>: <message>" on stderr when it fails. The output depends only on the
outcome, so a harness can compare runs with and without tlsdiag byte for byte.
Used by test/scenarios/*.case, check-load, check-nginx and the transparency smoke test.

A plan of handshakes in one process (--plan, for the guest checks of repeat suppression and
hostile names; tlsdiag is in this process whenever the caller's environment loads it):
  pyclient.py --plan [--log PATH] STEP...
  STEP is one of
    PORT,TRUST,NAME[,tls12-cipher=CIPHER]   one handshake to 127.0.0.1:PORT sending SNI NAME
                                            (hex:HEX for raw bytes); TRUST is "system" or a CA file
    sleep=SECONDS
    snapshot                                 record the events tlsdiag has written to PATH so far
  Prints one JSON object: {"outcomes": "OF...", "snapshots": [[event, ...], ...]} (O: the
  handshake completed, F: it failed).
"""
import argparse
import json
import socket
import ssl
import sys
import time
import warnings
from pathlib import Path

# TLS 1.0/1.1 settings are deprecated in the ssl module; scenarios use them on purpose.
warnings.filterwarnings("ignore", category=DeprecationWarning)

VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def context(cafile=None, crlfile=None, check_hostname=True, ciphers=None, min_version=None,
            max_version=None, cert=None, key=None):
    """An application's default client context, with the given changes."""
    ctx = ssl.create_default_context(cafile=cafile)
    if crlfile:
        ctx.load_verify_locations(cafile=crlfile)
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if not check_hostname:
        ctx.check_hostname = False
    if ciphers:
        ctx.set_ciphers(ciphers)
    if min_version:
        ctx.minimum_version = VERSIONS[min_version]
    if max_version:
        ctx.maximum_version = VERSIONS[max_version]
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


# ---- one handshake -----------------------------------------------------------------------

def one(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", help="trust these CAs; without it the default verify paths are used")
    p.add_argument("--crlfile", help="load this CRL and check the leaf against it")
    p.add_argument("--servername", help="SNI and name to check (default: --host)")
    p.add_argument("--no-check-hostname", action="store_true")
    p.add_argument("--min", choices=VERSIONS, dest="min_version")
    p.add_argument("--max", choices=VERSIONS, dest="max_version")
    p.add_argument("--ciphers", help="OpenSSL cipher string, e.g. 'DEFAULT:@SECLEVEL=0'")
    p.add_argument("--cert", help="client certificate (PEM)")
    p.add_argument("--key", help="client private key (PEM)")
    p.add_argument("--request", action="store_true",
                   help="after the handshake send an HTTP GET and read the answer "
                        "(a TLS 1.3 server rejects a client certificate only then)")
    p.add_argument("--get", metavar="PATH",
                   help="after the handshake send GET PATH and print the whole answer")
    p.add_argument("--timeout", type=float, default=5.0)
    args = p.parse_args(argv)

    ctx = context(args.cafile, args.crlfile, not args.no_check_hostname, args.ciphers,
                  args.min_version, args.max_version, args.cert, args.key)
    try:
        with socket.create_connection((args.host, args.port), timeout=args.timeout) as sock:
            with ctx.wrap_socket(sock, server_hostname=args.servername or args.host) as tls:
                answer = b""
                if args.request or args.get:
                    tls.sendall(b"GET %s HTTP/1.0\r\n\r\n" % (args.get or "/").encode())
                    while True:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        answer += chunk
                print("ok %s %s" % (tls.version(), tls.cipher()[0]))
                if args.get:
                    print(answer.decode("utf-8", "replace"))
    except (ssl.SSLError, ssl.CertificateError, OSError) as e:
        print("%s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


# ---- a plan of handshakes ----------------------------------------------------------------

def plan_handshake(port, trust, name, cipher):
    ctx = context(cafile=None if trust == "system" else trust)
    if cipher:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(cipher)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            with ctx.wrap_socket(sock, server_hostname=name):
                return "O"
        except (ssl.SSLError, ConnectionError):
            return "F"


def snapshot(path):
    """The kinds of the events tlsdiag has written to path so far (the tests' one reader)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
    import tdlib
    events, problems = tdlib.read_events(path)
    if problems:
        raise SystemExit("pyclient.py: %s" % "; ".join(problems[:3]))
    return [e["event"] for e in events]


def plan(argv):
    log = None
    if argv[:1] == ["--log"]:
        log, argv = argv[1], argv[2:]
    outcomes, snapshots = "", []
    for step in argv:
        if step.startswith("sleep="):
            time.sleep(float(step[6:]))
        elif step == "snapshot":
            snapshots.append(snapshot(log))
        else:
            port, trust, name, *rest = step.split(",")
            if name.startswith("hex:"):
                name = bytes.fromhex(name[4:]).decode("utf-8", "surrogateescape")
            cipher = rest[0].split("=", 1)[1] if rest else None
            outcomes += plan_handshake(int(port), trust, name, cipher)
    print(json.dumps({"outcomes": outcomes, "snapshots": snapshots}))
    return 0


if __name__ == "__main__":
    sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
    if sys.argv[1:2] == ["--plan"]:
        sys.exit(plan(sys.argv[2:]))
    sys.exit(one(sys.argv[1:]))
