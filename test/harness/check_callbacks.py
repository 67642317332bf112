#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-callbacks: the application's own callbacks still fire with tlsdiag on.

`openssl s_client -state -msg` installs an info callback (-state) and a message
callback (-msg) of its own. Against a failing server (self-signed certificate) and a
succeeding one, the handshake lines they print must be the same without tlsdiag and
with TLSDIAG=1 / TLSDIAG=trace, while tlsdiag, writing JSON to a file, records the
handshake too (a failure event, or handshake_ok in trace mode): both sets of
callbacks ran in the same process.
Usage: check_callbacks.py BUILD
"""
import difflib
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tdlib  # noqa: E402
from tdlib import expect  # noqa: E402  (prints ok/FAIL, counted by tdlib.finish)


def handshake_lines(result):
    """The lines the callbacks print for the handshake itself: -msg headers (no hex
    dumps) before s_client's first '---', and the -state lines. Left out is what
    depends on timing rather than on the callbacks: TLS 1.3 session tickets, the
    close_notify exchange, and where "negotiation finished" lands among them."""
    msg = []
    for line in result.stdout.splitlines():
        if line.startswith("---"):
            break
        if line.startswith((">>> ", "<<< ")):
            msg.append(line)
    state = [line for line in result.stderr.splitlines()
             if re.match(r"^(SSL_connect:|SSL3 alert |depth=|verify (return|error))", line)
             and not re.search(r"close notify|negotiation finished|session ticket", line)]
    return msg, state


def difference(want, got):
    diff = difflib.unified_diff(want, got, "without tlsdiag", "with tlsdiag", n=1, lineterm="")
    return " | ".join(list(diff)[2:14])


def compare_with_server(build, pki, base, tmp, kind, server_args):
    """s_client -state -msg against one server: without tlsdiag, then TLSDIAG=1 and trace."""
    with tdlib.Server(["openssl", "s_server", "-accept", "127.0.0.1:0"] + server_args,
                      base, tmp / ("%s.log" % kind)) as server:
        client = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % server.port,
                  "-servername", "localhost", "-CAfile", str(pki / "root.crt"),
                  "-verify_return_error", "-state", "-msg"]
        plain = tdlib.run(client, base, timeout=20)
        want_rc = 1 if kind == "failing" else 0
        if not expect(plain.rc == want_rc, "%s: s_client exits %d without tlsdiag" % (kind, want_rc),
                      plain.describe()):
            return
        msg0, state0 = handshake_lines(plain)
        expect(any("ClientHello" in m for m in msg0) and any("ServerHello" in m for m in msg0),
               "%s: -msg shows ClientHello and ServerHello without tlsdiag" % kind, repr(msg0[:4]))
        expect(any("write client hello" in s for s in state0),
               "%s: -state shows the handshake states without tlsdiag" % kind, repr(state0[:4]))
        for mode, event in (("1", "handshake_failed" if kind == "failing" else None),
                            ("trace", "handshake_failed" if kind == "failing" else "handshake_ok")):
            events_path = tmp / ("%s-%s.jsonl" % (kind, mode))
            r = tdlib.run(client, dict(base, **tdlib.tlsdiag_env(
                build, mode=mode, output="file:%s" % events_path)), timeout=20)
            msg, state = handshake_lines(r)
            label = "%s, TLSDIAG=%s" % (kind, mode)
            expect(r.rc == plain.rc, "%s: same exit status (%s)" % (label, r.rc))
            expect(msg == msg0, "%s: -msg prints the same %d handshake lines" % (label, len(msg0)),
                   difference(msg0, msg))
            expect(state == state0, "%s: -state prints the same %d lines" % (label, len(state0)),
                   difference(state0, state))
            events, problems = tdlib.read_events(events_path)
            kinds = [e.get("event") for e in events]
            if event:
                expect(event in kinds and not problems,
                       "%s: tlsdiag recorded %s as well" % (label, event), "events: %r %s" % (kinds, problems))
            else:
                expect(not kinds and not problems, "%s: tlsdiag recorded nothing" % label,
                       "events: %r %s" % (kinds, problems))


def main():
    build = Path(sys.argv[1]).resolve()
    pki = tdlib.make_pki(build)
    base = tdlib.base_env()
    servers = {
        "failing": ["-cert", str(pki / "selfsigned.crt"), "-key", str(pki / "selfsigned.key")],
        "succeeding": ["-cert", str(pki / "good.crt"), "-key", str(pki / "good.key"),
                       "-cert_chain", str(pki / "inter.crt"), "-www"],
    }
    with tdlib.scratch("tlsdiag-callbacks-") as tmp:
        try:
            for kind, server_args in servers.items():
                compare_with_server(build, pki, base, tmp, kind, server_args)
        except tdlib.ServerError as e:
            expect(False, "server start", str(e))
    return tdlib.finish("check-callbacks")


if __name__ == "__main__":
    sys.exit(main())
