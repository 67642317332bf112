#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A server that reads the ClientHello and closes the connection without an alert.

The client sees an EOF in the middle of the handshake, as with a firewall, an
access list or a server that dislikes the hello but says nothing.
"""
import serverlib


def handle(conn):
    serverlib.read_client_hello(conn)
    # Everything the client sent has been read, so close() sends FIN, not RST.


if __name__ == "__main__":
    serverlib.serve(serverlib.parse_args(__doc__.splitlines()[0]), handle)
