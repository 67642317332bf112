#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Connect with PyMongo over TLS and run "ping", as a MongoDB application would.

Exit 0 and print "ok" when ping succeeds, 1 otherwise, printing the error PyMongo raised on
stderr. There is no MongoDB server in the tests: every handshake failure in the guide happens
before any MongoDB protocol is spoken. The error is printed without the topology description
PyMongo appends, which carries a random id and timings.

--ocsp-report: prove PyMongo judged a staple through pyOpenSSL. PyMongo 3.11 uses pyOpenSSL
(pymongo.pyopenssl_context) when pyOpenSSL, cryptography, service_identity and requests all
import; otherwise it silently falls back to the ssl module, which never looks at a staple.
With this option stdout also carries, the same whether or not tlsdiag is loaded,
  "path: pyopenssl" or "path: ssl"                   first
  "ocsp_callback: staple N bytes -> 1|0|raised ExcName"   once per distinct outcome of
                                                     pymongo.ocsp_support's callback, last
"""
import argparse
import re
import sys

import pymongo.ssl_support
from pymongo import MongoClient
from pymongo.errors import PyMongoError


def instrument():
    """Wrap the OCSP callback pyopenssl_context registers; return the outcomes list, or
    None when PyMongo is not on its pyOpenSSL path."""
    impl = getattr(pymongo.ssl_support, "_ssl", None)
    if impl is None or not getattr(impl, "IS_PYOPENSSL", False):
        return None
    import pymongo.pyopenssl_context as pyossl
    if impl is not pyossl:
        return None
    outcomes = []
    original = pyossl._ocsp_callback

    # SSLContext.__init__ reads the module global at call time, so the wrapper is what
    # each context hands to pyOpenSSL's set_ocsp_client_callback.
    def recording_callback(conn, ocsp_bytes, user_data):
        try:
            verdict = original(conn, ocsp_bytes, user_data)
        except Exception as e:
            outcomes.append((len(ocsp_bytes), "raised " + type(e).__name__))
            raise
        outcomes.append((len(ocsp_bytes), str(int(bool(verdict)))))
        return verdict

    pyossl._ocsp_callback = recording_callback
    return outcomes


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile")
    p.add_argument("--certkey", help="client certificate and key in one PEM (tlsCertificateKeyFile)")
    p.add_argument("--allow-invalid-hostnames", action="store_true")
    p.add_argument("--timeout-ms", type=int, default=600, help="serverSelectionTimeoutMS")
    p.add_argument("--ocsp-report", action="store_true",
                   help="report PyMongo's TLS path and its OCSP callback's verdicts")
    args = p.parse_args()

    outcomes = None
    if args.ocsp_report:
        outcomes = instrument()
        print("path: %s" % ("pyopenssl" if outcomes is not None else "ssl"), flush=True)
    kwargs = dict(tls=True, serverSelectionTimeoutMS=args.timeout_ms,
                  connectTimeoutMS=args.timeout_ms, socketTimeoutMS=args.timeout_ms,
                  directConnection=True)
    if args.cafile:
        kwargs["tlsCAFile"] = args.cafile
    if args.certkey:
        kwargs["tlsCertificateKeyFile"] = args.certkey
    if args.allow_invalid_hostnames:
        kwargs["tlsAllowInvalidHostnames"] = True
    status = 0
    try:
        client = MongoClient(args.host, args.port, **kwargs)
        client.admin.command("ping")
        client.close()
        print("ok")
    except PyMongoError as e:
        message = re.sub(r", Timeout: .*", "", str(e), flags=re.S)
        print("%s: %s" % (type(e).__name__, message), file=sys.stderr)
        status = 1
    # PyMongo retries for as long as server selection allows, so how many handshakes ran
    # depends on timing: list each distinct outcome once.
    for length, verdict in sorted(set(outcomes or [])):
        print("ocsp_callback: staple %d bytes -> %s" % (length, verdict))
    return status


if __name__ == "__main__":
    sys.exit(main())
