"""What the OCSP test clients share: their command line, and a pyOpenSSL handshake that asks
for a stapled OCSP response.

Used by pyopenssl_ocsp.py here and by test/ocsp/pyopenssl_ocsp_client.py and
test/ocsp/pymongo_ocsp_client.py. Loading this module imports nothing outside the standard
library: pymongo_ocsp_client.py reports whether PyMongo found pyOpenSSL, so it must not be
the one that imports it.
"""
import argparse
import socket


def arguments(doc):
    """A parser described by doc's first line, with --host, --port and --cafile."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", required=True)
    return p


def staple_handshake(args, ocsp_callback, handshake_errors):
    """Connect to args.host:args.port (within args.timeout), verify the server against
    args.cafile, ask for a staple and hand it to ocsp_callback (pyOpenSSL's
    set_ocsp_client_callback). Returns (connection, None) after a completed handshake, or
    (connection, the exception) when the handshake raised one of handshake_errors; anything
    else it raises, and so does a failed connect."""
    from OpenSSL import SSL

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
    except handshake_errors as e:
        return conn, e
    finally:
        sock.close()
    return conn, None
