#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""requests.get over TLS as applications write it, for the runtime matrix
(test/scenarios/runtimes).

usage: requests_client.py URL CAFILE
Prints "ok STATUS" and exits 0, or "CLASS: MESSAGE" on stderr and exits 1 (the message
without the object addresses urllib3 puts in it).
"""
import re
import sys

import requests


def main():
    url, cafile = sys.argv[1:3]
    try:
        r = requests.get(url, verify=cafile, timeout=10)
    except requests.RequestException as e:
        print("%s: %s" % (type(e).__name__, re.sub(r" at 0x[0-9a-f]+", "", str(e))), file=sys.stderr)
        return 1
    print("ok %d" % r.status_code)
    return 0


if __name__ == "__main__":
    sys.exit(main())
