# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Shared plumbing for the scripted faulty TLS servers.

Each server listens on 127.0.0.1, reports the port it bound (a "PORT n" line on
stdout and, with --ready-file, a file that appears atomically once the socket
listens), then handles connections one after another until it is terminated.
The harness waits for that report instead of sleeping.
"""
import argparse
import os
import signal
import socket
import struct
import sys
import threading

RECORD_HANDSHAKE = 22
RECORD_ALERT = 21
HANDSHAKE_CLIENT_HELLO = 1
IO_TIMEOUT = 5.0


def parse_args(description, extra=()):
    """The common options, plus (name, argparse kwargs) pairs a server needs of its own."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--port", type=int, default=0, help="port to listen on, 0 picks a free one")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--ready-file", help="written (port number) once the socket listens")
    for name, kwargs in extra:
        p.add_argument(name, **kwargs)
    return p.parse_args()


def serve(args, handle):
    """Listen, report readiness, and call handle(conn) for each connection."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(16)
    port = listener.getsockname()[1]
    print("PORT %d" % port, flush=True)
    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.ready_file)
    while True:
        conn, _ = listener.accept()
        # A thread per connection: a client that never closes must not hold up the
        # next one (PyMongo's monitor and its operation connect concurrently).
        threading.Thread(target=_run, args=(handle, conn), daemon=True).start()


def _run(handle, conn):
    conn.settimeout(IO_TIMEOUT)
    try:
        handle(conn)
    except (OSError, ValueError) as e:
        print("connection: %s" % e, flush=True)
    finally:
        conn.close()


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ValueError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def read_client_hello(conn):
    """Read handshake records until one whole ClientHello has arrived; return its body
    (without the 4-byte handshake header). Reads exactly the records that carry it, so
    nothing is left unread when the caller closes (which would turn FIN into RST)."""
    data = b""
    while True:
        header = recv_exact(conn, 5)
        ctype, _, length = struct.unpack("!BHH", header)
        if ctype != RECORD_HANDSHAKE:
            raise ValueError("expected a handshake record, got content type %d" % ctype)
        data += recv_exact(conn, length)
        if len(data) >= 4:
            if data[0] != HANDSHAKE_CLIENT_HELLO:
                raise ValueError("expected ClientHello, got handshake type %d" % data[0])
            body_len = int.from_bytes(data[1:4], "big")
            if len(data) >= 4 + body_len:
                return data[4:4 + body_len]


class ClientHello:
    """The fields of a ClientHello body the servers need."""

    def __init__(self, body):
        pos = 0

        def take(n):
            nonlocal pos
            if pos + n > len(body):
                raise ValueError("ClientHello truncated")
            out = body[pos:pos + n]
            pos += n
            return out

        self.legacy_version = int.from_bytes(take(2), "big")
        self.random = take(32)
        self.session_id = take(take(1)[0])
        suites = take(int.from_bytes(take(2), "big"))
        self.cipher_suites = [int.from_bytes(suites[i:i + 2], "big") for i in range(0, len(suites), 2)]
        self.compression = take(take(1)[0])
        self.extensions = {}
        if pos < len(body):
            ext_data = take(int.from_bytes(take(2), "big"))
            i = 0
            while i + 4 <= len(ext_data):
                etype, elen = struct.unpack("!HH", ext_data[i:i + 4])
                self.extensions[etype] = ext_data[i + 4:i + 4 + elen]
                i += 4 + elen


def record(ctype, payload, version=0x0303):
    return struct.pack("!BHH", ctype, version, len(payload)) + payload


def handshake(msg_type, body):
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


def drain_until_closed(conn):
    """Read whatever the client sends (its alert) until it closes or goes quiet,
    so our close is an orderly FIN after the client has said its piece."""
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
