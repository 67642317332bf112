#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A TLS 1.2 server that offers only DHE with 1024-bit Diffie-Hellman parameters.

openssl s_server replaces small -dhparam groups with its own 2048-bit one, so Python's ssl
module plays the old server here. A client at security level 2 refuses the key (dh key too small).
"""
import ssl
import sys

import serverlib


def main():
    args = serverlib.parse_args(__doc__.splitlines()[0], extra=[("--cert", {}), ("--key", {}),
                                                                  ("--dhparam", {})])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_ciphers("DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0")
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_dh_params(args.dhparam)

    def handle(conn):
        try:
            with ctx.wrap_socket(conn, server_side=True):
                pass
        except (ssl.SSLError, OSError) as e:
            print("handshake: %s" % e, flush=True)

    serverlib.serve(args, handle)


if __name__ == "__main__":
    sys.exit(main())
