#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A plain-TCP HTTP server that answers "400 Bad Request" to anything.

A TLS client connecting here reads "HTTP/" where a record header should be, which
is what users hit when they point TLS at a plaintext port.
"""
import serverlib

RESPONSE = (b"HTTP/1.1 400 Bad Request\r\n"
            b"Content-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\n"
            b"Bad Request\n")


def handle(conn):
    try:
        conn.recv(65536)
    except OSError:
        pass
    conn.sendall(RESPONSE)
    serverlib.drain_until_closed(conn)


if __name__ == "__main__":
    serverlib.serve(serverlib.parse_args(__doc__.splitlines()[0]), handle)
