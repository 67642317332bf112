#!/usr/bin/python3
"""A pyOpenSSL client that asks for a stapled OCSP response and judges it, as
PyMongo's OCSP support (pymongo[ocsp]) does.

--verdict reject makes the status callback return False, which OpenSSL reports as
"invalid status response" after sending alert bad_certificate_status_response.
Exit 0 and print "ok" on success, 1 and the error on failure.
"""
import sys
from pathlib import Path

from OpenSSL import SSL

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import clientlib  # noqa: E402


def main():
    p = clientlib.arguments(__doc__)
    p.add_argument("--verdict", choices=("accept", "reject"), default="reject")
    p.add_argument("--timeout", type=float, default=5.0, help="connect timeout")
    args = p.parse_args()

    staple = {}

    def ocsp_callback(conn, ocsp_bytes, data):
        staple["len"] = len(ocsp_bytes)
        return args.verdict == "accept"

    conn, error = clientlib.staple_handshake(args, ocsp_callback, SSL.Error)
    if error is not None:
        print("%s: %s (staple %s bytes)" % (type(error).__name__, error, staple.get("len", "no")),
              file=sys.stderr)
        return 1
    print("ok %s (staple %s bytes)" % (conn.get_protocol_version_name(), staple.get("len", "no")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
