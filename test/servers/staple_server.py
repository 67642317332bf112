#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A TLS server that staples a file's bytes exactly as they are.

openssl s_server -status_file parses the file first and, when it is not an OCSP response,
sends internal_error instead of stapling it; nginx refuses such a file at start-up. To
put bytes that are not DER in front of a client, this server hands them to OpenSSL
through pyOpenSSL's server OCSP callback, which staples whatever it is given.

Prints "ACCEPT 127.0.0.1:PORT" once listening (as s_server does), serves one connection
at a time: the handshake, then close_notify, then waits for the client to hang up. Exits by
itself after --lifetime seconds.
"""
import argparse
import socket
import struct
import sys
import time

from OpenSSL import SSL


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cert", required=True, help="leaf then chain, PEM")
    p.add_argument("--key", required=True)
    p.add_argument("--staple", required=True, help="file whose bytes are stapled as they are")
    p.add_argument("--lifetime", type=float, default=300.0)
    args = p.parse_args()

    with open(args.staple, "rb") as f:
        staple = f.read()
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.use_certificate_chain_file(args.cert)
    ctx.use_privatekey_file(args.key)
    ctx.set_ocsp_server_callback(lambda conn, data: staple)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print("ACCEPT 127.0.0.1:%d" % listener.getsockname()[1], flush=True)

    deadline = time.monotonic() + args.lifetime
    while time.monotonic() < deadline:
        listener.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            sock, _ = listener.accept()
        except socket.timeout:
            break
        # pyOpenSSL wants a blocking socket; a kernel receive timeout still stops a client
        # that never finishes from holding the server (the read then fails with EAGAIN).
        sock.setblocking(True)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 5, 0))
        conn = SSL.Connection(ctx, sock)
        conn.set_accept_state()
        try:
            conn.do_handshake()
            conn.shutdown()
            # Wait for the client to close first: closing with its request unread would
            # send a reset, and whether it saw the close_notify or the reset would be a race.
            while sock.recv(4096):
                pass
        except (SSL.Error, OSError) as e:
            print("handshake: %s" % e, file=sys.stderr, flush=True)
        finally:
            sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
