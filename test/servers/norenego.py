#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A TLS 1.2 server that omits the RFC 5746 renegotiation_info extension.

It reads a ClientHello and answers with a ServerHello that selects TLS 1.2 and a
cipher the client offered, and carries no extensions at all: an OpenSSL 3 client
without SSL_OP_LEGACY_SERVER_CONNECT aborts right there with
"unsafe legacy renegotiation disabled". This is what an unpatched middlebox does,
and s_server cannot be made to do it.
"""
import os

import serverlib

# Preferred picks, ECDHE-RSA first since our certificates are RSA.
PREFERRED = [0xC02F, 0xC030, 0xCCA8, 0xC027, 0xC013, 0x009C, 0x002F]
SCSV = {0x00FF, 0x5600}


def choose_cipher(offered):
    for c in PREFERRED:
        if c in offered:
            return c
    for c in offered:
        if c >> 8 != 0x13 and c not in SCSV:  # 0x13xx are TLS 1.3 suites
            return c
    raise ValueError("client offered no TLS 1.2 cipher")


def server_hello(hello):
    body = (b"\x03\x03"                       # TLS 1.2, and no supported_versions
            + os.urandom(32)                  # random; no downgrade sentinel
            + b"\x00"                         # empty session id: no resumption
            + choose_cipher(hello.cipher_suites).to_bytes(2, "big")
            + b"\x00")                        # null compression
    # No extensions block at all, so certainly no renegotiation_info (0xff01).
    return serverlib.record(serverlib.RECORD_HANDSHAKE, serverlib.handshake(2, body))


def handle(conn):
    hello = serverlib.ClientHello(serverlib.read_client_hello(conn))
    conn.sendall(server_hello(hello))
    serverlib.drain_until_closed(conn)


if __name__ == "__main__":
    serverlib.serve(serverlib.parse_args(__doc__.splitlines()[0]), handle)
