# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A Python host for the output-fault checks: handshakes between an ssl client and an ssl server
in this one process, over memory BIOs (no sockets).

usage: py_host.py CA CERT KEY STEP...     STEP: ok | fail
Prints "outcome=" with O/F per handshake (the client's view). Any exception, BrokenPipeError
above all, is printed to stdout (stderr may be the broken thing) and exits 5."""
import ssl
import sys
import traceback


def handshake(client_ctx, server_ctx):
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname="localhost")
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done = {"client": None, "server": None}
    for _ in range(16):
        for name, obj in (("client", client), ("server", server)):
            if done[name] is None:
                try:
                    obj.do_handshake()
                    done[name] = True
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    pass
                except ssl.SSLError:
                    done[name] = False
        s_in.write(c_out.read())
        c_in.write(s_out.read())
        if None not in done.values():
            break
    return "O" if done["client"] else "F"


def main():
    ca, cert, key, steps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    trusting = ssl.create_default_context(cafile=ca)
    distrusting = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)   # verifies, trusts nothing
    outcome = "".join(handshake(distrusting if s == "fail" else trusting, server_ctx) for s in steps)
    print(f"outcome={outcome}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except BaseException:
        sys.stdout.write("EXCEPTION " + traceback.format_exc())
        sys.stdout.flush()
        sys.exit(5)
