#!/usr/bin/python3
"""A TLS client on Python's ssl module, as an application would write it.

Exit 0 and print "ok <version> <cipher>" when the handshake succeeds; exit 1 and
print the exception text on stderr when it fails. The output depends only on the
outcome, so the harness can compare runs with and without tlsdiag byte for byte.
"""
import argparse
import socket
import ssl
import sys
import warnings

# TLS 1.0/1.1 settings are deprecated in the ssl module; scenarios use them on purpose.
warnings.filterwarnings("ignore", category=DeprecationWarning)

VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2, "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", help="trust these CAs; without it the default verify paths are used")
    p.add_argument("--crlfile", help="load this CRL and check the leaf against it")
    p.add_argument("--servername", help="SNI and name to check (default: --host)")
    p.add_argument("--no-check-hostname", action="store_true")
    p.add_argument("--min", choices=VERSIONS, dest="min_version")
    p.add_argument("--max", choices=VERSIONS, dest="max_version")
    p.add_argument("--ciphers", help="OpenSSL cipher string, e.g. 'DEFAULT:@SECLEVEL=0'")
    p.add_argument("--cert", help="client certificate (PEM)")
    p.add_argument("--key", help="client private key (PEM)")
    p.add_argument("--request", action="store_true",
                   help="after the handshake send an HTTP GET and read the answer "
                        "(a TLS 1.3 server rejects a client certificate only then)")
    p.add_argument("--timeout", type=float, default=5.0)
    args = p.parse_args()

    ctx = ssl.create_default_context(cafile=args.cafile)
    if args.crlfile:
        ctx.load_verify_locations(cafile=args.crlfile)
        ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
    if args.no_check_hostname:
        ctx.check_hostname = False
    if args.ciphers:
        ctx.set_ciphers(args.ciphers)
    if args.min_version:
        ctx.minimum_version = VERSIONS[args.min_version]
    if args.max_version:
        ctx.maximum_version = VERSIONS[args.max_version]
    if args.cert:
        ctx.load_cert_chain(args.cert, args.key)

    try:
        with socket.create_connection((args.host, args.port), timeout=args.timeout) as sock:
            with ctx.wrap_socket(sock, server_hostname=args.servername or args.host) as tls:
                if args.request:
                    tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
                    while tls.recv(65536):
                        pass
                print("ok %s %s" % (tls.version(), tls.cipher()[0]))
    except (ssl.SSLError, ssl.CertificateError, OSError) as e:
        print("%s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
