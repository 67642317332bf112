#!/usr/bin/python3
"""Connect with PyMongo over TLS and run "ping", as a MongoDB application would.

Exit 0 when ping succeeds, 1 otherwise, printing the error PyMongo raised. There is
no MongoDB server in the tests: every handshake failure in the guide happens before
any MongoDB protocol is spoken. The error is printed without the topology
description PyMongo appends, which carries a random id and timings.
"""
import argparse
import re
import sys

from pymongo import MongoClient
from pymongo.errors import PyMongoError


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile")
    p.add_argument("--certkey", help="client certificate and key in one PEM (tlsCertificateKeyFile)")
    p.add_argument("--allow-invalid-hostnames", action="store_true")
    p.add_argument("--timeout-ms", type=int, default=600, help="serverSelectionTimeoutMS")
    args = p.parse_args()

    kwargs = dict(tls=True, serverSelectionTimeoutMS=args.timeout_ms,
                  connectTimeoutMS=args.timeout_ms, socketTimeoutMS=args.timeout_ms,
                  directConnection=True)
    if args.cafile:
        kwargs["tlsCAFile"] = args.cafile
    if args.certkey:
        kwargs["tlsCertificateKeyFile"] = args.certkey
    if args.allow_invalid_hostnames:
        kwargs["tlsAllowInvalidHostnames"] = True
    try:
        client = MongoClient(args.host, args.port, **kwargs)
        client.admin.command("ping")
    except PyMongoError as e:
        message = re.sub(r", Timeout: .*", "", str(e), flags=re.S)
        print("%s: %s" % (type(e).__name__, message), file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
