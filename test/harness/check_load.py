#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-load: build/openssl.cnf loads tlsdiag next to the default provider, and
tlsdiag is silent unless TLSDIAG asks it to speak.

1. `openssl list -providers -verbose` with the config lists tlsdiag with a name, the
   project's version, build info and status active (and default still active);
   without the config tlsdiag is absent.
2. Loading the config prints nothing: `openssl version` and `python3 -c 'import ssl'`
   have the same output with and without it, TLSDIAG unset or set.
3. A failing handshake (self-signed server) prints exactly what it prints without
   tlsdiag when TLSDIAG is unset, 0 or off, and more than that with TLSDIAG=1, so
   this check notices a provider that is not actually loaded.
Usage: check_load.py BUILD VERSION
"""
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tdlib  # noqa: E402
from tdlib import expect  # noqa: E402  (prints ok/FAIL, counted by tdlib.finish)


def provider_blocks(listing):
    """{provider id: {field: value}} from `openssl list -providers -verbose`."""
    blocks, current = {}, None
    for line in listing.splitlines():
        m = re.match(r"^  (\S+)\s*$", line)
        if m:
            current = blocks.setdefault(m.group(1), {})
            continue
        m = re.match(r"^    ([a-z][a-z ]*): (.*)$", line)
        if m and current is not None:
            current[m.group(1)] = m.group(2).strip()
    return blocks


def main():
    build, version = Path(sys.argv[1]).resolve(), sys.argv[2]
    cnf = str(build / "openssl.cnf")
    base = tdlib.base_env()
    with_cnf = dict(base, OPENSSL_CONF=cnf)

    r = tdlib.run(["openssl", "list", "-providers", "-verbose"], with_cnf)
    expect(r.rc == 0 and r.stderr == "", "openssl list -providers -verbose with the config: "
           "exit 0, nothing on stderr (%s)" % tdlib.clip(r.stderr))
    blocks = provider_blocks(r.stdout)
    td = blocks.get("tlsdiag", {})
    expect(bool(td), "tlsdiag is listed (providers: %s)" % ", ".join(blocks) or "none")
    expect(bool(td.get("name")), "tlsdiag has a name (%r)" % td.get("name"))
    expect(td.get("version") == version, "tlsdiag version is %s (%r)" % (version, td.get("version")))
    expect(bool(td.get("build info")), "tlsdiag has build info (%r)" % td.get("build info"))
    expect(td.get("status") == "active", "tlsdiag status is active (%r)" % td.get("status"))
    expect(blocks.get("default", {}).get("status") == "active",
           "the default provider is still active next to it")

    r = tdlib.run(["openssl", "list", "-providers"], base)
    expect(r.rc == 0 and "tlsdiag" not in r.stdout, "without the config tlsdiag is not loaded")

    for argv in (["openssl", "version"], [tdlib.PYTHON, "-c", "import ssl; ssl.create_default_context()"]):
        plain = tdlib.run(argv, base)
        for extra in ({}, {"TLSDIAG": "1"}, {"TLSDIAG": "trace"}):
            r = tdlib.run(argv, dict(with_cnf, **extra))
            expect((r.rc, r.stdout, r.stderr) == (plain.rc, plain.stdout, plain.stderr),
                   "%s prints the same with the config and %s" % (
                       " ".join(argv[:2]), " ".join("%s=%s" % kv for kv in extra.items()) or "TLSDIAG unset"))

    pki = tdlib.make_pki(build)
    with tdlib.scratch("tlsdiag-load-") as tmp:
        with tdlib.Server(["openssl", "s_server", "-accept", "127.0.0.1:0",
                           "-cert", str(pki / "selfsigned.crt"), "-key", str(pki / "selfsigned.key")],
                          base, tmp / "server.log") as server:
            client = [tdlib.PYTHON, str(tdlib.ROOT / "test/clients/pyclient.py"),
                      "--port", str(server.port), "--cafile", str(pki / "root.crt")]
            plain = tdlib.run(client, base)
            expect(plain.rc == 1 and "CERTIFICATE_VERIFY_FAILED" in plain.stderr,
                   "the self-signed server fails verification without tlsdiag (%s)" % plain.describe())
            for value in (None, "0", "off"):
                env = dict(with_cnf)
                if value is not None:
                    env["TLSDIAG"] = value
                r = tdlib.run(client, env)
                expect((r.rc, r.stdout, r.stderr) == (plain.rc, plain.stdout, plain.stderr),
                       "a failed handshake with TLSDIAG %s prints nothing extra (%s)"
                       % ("unset" if value is None else "set to " + value, r.describe()))
            r = tdlib.run(client, dict(with_cnf, TLSDIAG="1"))
            expect(r.rc == plain.rc and len(r.stderr) > len(plain.stderr) and "tlsdiag" in r.stderr,
                   "with TLSDIAG=1 the same failure is explained on stderr")

    return tdlib.finish("check-load")


if __name__ == "__main__":
    sys.exit(main())
