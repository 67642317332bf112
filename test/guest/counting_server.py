# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A TLS server that counts, on its own side of the wire, the handshakes its clients abandon.

usage: counting_server.py CERT KEY
Listens on 127.0.0.1, prints "PORT n", then for every connection one line: "refused" when the
client ended the handshake with a fatal alert (it did not accept this server), "ok" when the
handshake completed, "other <reason>" otherwise. Runs without tlsdiag: it is the independent
witness of how many handshakes the client under test really made."""
import socket
import ssl
import sys


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(f"PORT {listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        conn.settimeout(10)
        try:
            with ctx.wrap_socket(conn, server_side=True):
                verdict = "ok"
        except ssl.SSLError as e:
            verdict = "refused" if "ALERT" in str(e.reason or "").upper() else f"other {e.reason}"
        except OSError as e:
            verdict = f"other {e}"
        finally:
            conn.close()
        print(verdict, flush=True)


if __name__ == "__main__":
    main()
