#!/usr/bin/python3
"""PyMongo over TLS with OCSP, instrumented to prove it judged the staple through pyOpenSSL.

PyMongo 3.11 uses pyOpenSSL (pymongo.pyopenssl_context) when pyOpenSSL, cryptography,
service_identity and requests all import; otherwise it silently falls back to the ssl
module, which never looks at a staple. A test of tlsdiag's OCSP explanations for PyMongo
means nothing on the fallback, so this client reports which path PyMongo took and every
verdict its OCSP callback (pymongo.ocsp_support._ocsp_callback) returned.

Output, the same whether or not tlsdiag is loaded:
  stdout  "path: pyopenssl" or "path: ssl"
          "ocsp_callback: staple N bytes -> 1|0|raised ExcName" for each distinct outcome
  stderr  the error PyMongo raised, without the topology description (random ids, timings)
Exit 0 when "ping" succeeds, 1 when PyMongo raised, 2 on a usage error.
"""
import re
import sys
from pathlib import Path

import pymongo.ssl_support
from pymongo import MongoClient
from pymongo.errors import PyMongoError

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients"))
import clientlib  # noqa: E402  (the command line, shared with the other clients)


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
    p = clientlib.arguments(__doc__)
    p.add_argument("--timeout-ms", type=int, default=1000, help="serverSelectionTimeoutMS")
    args = p.parse_args()

    outcomes = instrument()
    print("path: %s" % ("pyopenssl" if outcomes is not None else "ssl"), flush=True)
    status = 0
    try:
        client = MongoClient(args.host, args.port, tls=True, tlsCAFile=args.cafile,
                             serverSelectionTimeoutMS=args.timeout_ms,
                             connectTimeoutMS=args.timeout_ms, socketTimeoutMS=args.timeout_ms,
                             directConnection=True)
        client.admin.command("ping")
        client.close()
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
