#!/usr/bin/python3
"""A pyOpenSSL client that asks for a stapled OCSP response and judges it, as
PyMongo's OCSP support (pymongo[ocsp]) does.

--verdict reject makes the status callback return False, which OpenSSL reports as
"invalid status response" after sending alert bad_certificate_status_response.
Exit 0 and print "ok" on success, 1 and the error on failure.
"""
import argparse
import socket
import sys

from OpenSSL import SSL


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", required=True)
    p.add_argument("--verdict", choices=("accept", "reject"), default="reject")
    p.add_argument("--timeout", type=float, default=5.0, help="connect timeout")
    args = p.parse_args()

    staple = {}

    def ocsp_callback(conn, ocsp_bytes, data):
        staple["len"] = len(ocsp_bytes)
        return args.verdict == "accept"

    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.load_verify_locations(args.cafile)
    ctx.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: bool(ok))
    ctx.set_ocsp_client_callback(ocsp_callback)

    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    # pyOpenSSL does not retry on a socket with a timeout (it raises WantReadError),
    # so hand it a blocking one; the harness bounds the run time.
    sock.setblocking(True)
    conn = SSL.Connection(ctx, sock)
    conn.set_tlsext_host_name(args.host.encode())
    conn.request_ocsp()
    conn.set_connect_state()
    try:
        conn.do_handshake()
    except SSL.Error as e:
        print("%s: %s (staple %s bytes)" % (type(e).__name__, e, staple.get("len", "no")),
              file=sys.stderr)
        return 1
    finally:
        sock.close()
    print("ok %s (staple %s bytes)" % (conn.get_protocol_version_name(), staple.get("len", "no")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
