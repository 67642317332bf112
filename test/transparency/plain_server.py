# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""plain_server.py: a plaintext TCP server on 127.0.0.1 (ephemeral port, printed as
"ACCEPT 127.0.0.1:PORT") that answers every connection with an HTTP 400, so TLS
clients read "HTTP/" where a record header belongs."""
import socket

RESPONSE = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

listener = socket.create_server(("127.0.0.1", 0))
print("ACCEPT 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
while True:
    conn, _ = listener.accept()
    with conn:
        conn.settimeout(5)
        try:
            conn.recv(65536)
            conn.sendall(RESPONSE)
        except OSError:
            pass
