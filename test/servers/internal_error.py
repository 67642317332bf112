#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A server that reads the ClientHello and answers with a fatal internal_error alert.

This is how some load balancers and Atlas (IP not on the access list) refuse a
client right after its hello.
"""
import serverlib

ALERT_FATAL = 2
ALERT_INTERNAL_ERROR = 80


def handle(conn):
    serverlib.read_client_hello(conn)
    conn.sendall(serverlib.record(serverlib.RECORD_ALERT, bytes([ALERT_FATAL, ALERT_INTERNAL_ERROR])))
    serverlib.drain_until_closed(conn)


if __name__ == "__main__":
    serverlib.serve(serverlib.parse_args(__doc__.splitlines()[0]), handle)
