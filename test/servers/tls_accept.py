#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A TLS server that completes every handshake, reads once and closes: a good server that is
not a mongod (or an HTTP server), for the runtime matrix's "good" driver cases.

usage: tls_accept.py --cert PEM --key KEY [--banner TEXT] [--close-notify] [--port N]
(PEM: the leaf and its intermediates, e.g. $PKI/good-chain.pem)
Each connection: the handshake (Python ssl, no tlsdiag in this process), an optional banner,
one read of whatever the client sends (a MongoDB hello), close (without a close_notify, as a
server that drops the connection does; with --close-notify after one). The client sees a completed
handshake and then the connection closed: its ping fails at the protocol level, not in TLS.
Prints "PORT n" once listening, then "hs ok VERSION" or "hs fail REASON" per connection.
"""
import ssl
import sys
import threading

import serverlib

LOCK = threading.Lock()


def say(text):
    with LOCK:
        print(text, flush=True)


def main():
    args = serverlib.parse_args(__doc__.splitlines()[0], [
        ("--cert", dict(required=True)), ("--key", dict(required=True)),
        ("--banner", dict(help="bytes sent once the handshake completed")),
        ("--close-notify", dict(action="store_true",
                                help="end with a TLS close_notify (unwrap) before closing"))])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)

    def handle(conn):
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            say("hs fail %s" % str(e).replace("\n", " "))
            return
        say("hs ok %s" % tls.version())
        try:
            if args.banner:
                tls.sendall(args.banner.encode())
            tls.recv(65536)
            if args.close_notify:
                tls.unwrap()
        except (ssl.SSLError, OSError):
            pass
        tls.close()

    serverlib.serve(args, handle)


if __name__ == "__main__":
    sys.exit(main())
