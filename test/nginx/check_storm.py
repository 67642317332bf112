# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A scan storm against nginx (one worker) with tlsdiag on: 2,000 TLS 1.0-only ClientHellos,
each from its own 127.x.y.z source address (all of 127/8 is loopback), with five SNI names.

What must hold:
 - one explanation (the first failure), the rest counted: a new client address or a new SNI
   name is not a new explanation; at most 50 lines written in all;
 - every failure is accounted for: the explained one plus the summary's count is 2,000;
 - the summary says how many distinct client addresses there were (an estimate past 64, within
   5 % of 2,000), the most frequent ones (one address among 240 scanners that came 60 times is
   first, with a count it surely had), and three of the five SNI names;
 - it comes when the window ends even though no failure follows (a later good handshake's
   ClientHello closes it, nginx still running), and at nginx's graceful shutdown (SIGQUIT);
 - nginx answered every ClientHello with a protocol_version alert, as without tlsdiag.
The worker's CPU time is measured by `make bench` (bench-storm), not here."""
import argparse
import json
import socket
import ssl
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import tdlib  # noqa: E402
from check_nginx import Nginx  # noqa: E402

SNIS = ["a.storm.example", "b.storm.example", "c.storm.example", "d.storm.example", "e.storm.example"]
ALERT_PROTOCOL_VERSION = b"\x15\x03\x01\x00\x02\x02\x46"


def tls10_hello(sni):
    """The bytes of a ClientHello that offers TLS 1.0 only, made by this Python's OpenSSL."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=sni)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def source(i):
    return "127.%d.%d.%d" % (20 + i // 62500, (i // 250) % 250 + 1, i % 250 + 1)


HEAVY = "127.99.0.1"


def hit(port, src, hello):
    """One scanner: connect from its address, send the hello, read the answer."""
    with socket.socket() as s:
        s.settimeout(5)
        s.bind((src, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(hello)
        answer = b""
        while len(answer) < 7:
            chunk = s.recv(64)
            if not chunk:
                break
            answer += chunk
        return answer


def storm(port, count, hellos, heavy=0):
    """count scanners of one ClientHello each, interleaved with heavy more from one address."""
    answers = {}
    every = count // heavy if heavy else 0
    for i in range(count + heavy):
        src = HEAVY if every and i % (every + 1) == every else source(i)
        a = hit(port, src, hellos[i % len(hellos)])
        answers[a[:7]] = answers.get(a[:7], 0) + 1
    return answers


def good_handshake(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost"):
            pass


def lines(path):
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def summaries(events):
    return [e for e in events if e.get("event") == "repeat_summary"]


def run(args, pki, scratch, name, count, window, check, heavy=0):
    env = tdlib.tlsdiag_env(args.build, "1", "json", None, window)
    nginx = Nginx(args.nginx, scratch / name, pki, ["ssl_protocols TLSv1.2 TLSv1.3;"], env)
    hellos = [tls10_hello(s) for s in SNIS]
    try:
        t0 = time.monotonic()
        answers = storm(nginx.port, count - heavy, hellos, heavy)
        took = time.monotonic() - t0
        check(answers == {ALERT_PROTOCOL_VERSION: count},
              "%s: nginx's answers were %r, not %d protocol_version alerts" % (name, answers, count))
        mid = None
        if window < 60:
            time.sleep(window + 1.2)
            good_handshake(nginx.port)
            time.sleep(0.5)
            mid, _ = nginx.read_events()
    finally:
        rc = nginx.stop()
    events, problems = nginx.read_events()
    check(not problems, "%s: the events file: %s" % (name, problems[:3]))
    check(rc == 0, "%s: nginx exited %s at the graceful stop" % (name, rc))
    for e in events:
        problems = tdlib.contract_problems(e)
        check(not problems, "%s: an event breaks the contract: %s" % (name, problems))
    failed = [e for e in events if e.get("event") == "handshake_failed"]
    sums = summaries(events)
    check(len(failed) == 1, "%s: %d explanations for %d failures of one kind" % (name, len(failed), count))
    check(failed[0]["cause"] == "peer_version_too_low", "%s: cause %s" % (name, failed[0]["cause"]))
    check(lines(nginx.events) <= 50, "%s: %d lines written" % (name, lines(nginx.events)))
    check(len(sums) == 1, "%s: %d summaries" % (name, len(sums)))
    s = sums[0]
    accounted = len(failed) + s["count"]
    check(accounted == count, "%s: %d explained + %d counted = %d, not %d" % (name, len(failed), s["count"],
                                                                            accounted, count))
    clients = s.get("clients") or {}
    distinct = clients.get("distinct", 0)
    if count > 64:
        check(clients.get("estimated") is True, "%s: %d addresses counted exactly?" % (name, count))
    addresses = count - heavy + (1 if heavy else 0)
    check(abs(distinct - addresses) <= 0.05 * addresses,
          "%s: %d distinct addresses reported for %d" % (name, distinct, addresses))
    snis = sorted(t["name"] for t in clients.get("sni", []))
    check(len(snis) == 3 and set(snis) <= set(SNIS), "%s: SNI names %s" % (name, snis))
    top = clients.get("top", [])
    check(len(top) == 3 and all(t["name"].startswith("127.") and ":" not in t["name"] for t in top),
          "%s: top addresses %s" % (name, top))
    if heavy:
        # The counts shown are ones each address surely had: the scanners had one each.
        check(top[0]["name"] == HEAVY and heavy - 1 <= top[0]["count"] <= heavy and top[1]["count"] == 1,
              "%s: the most frequent address is %s (%d times of %d), then %s" % (name, HEAVY, heavy, count, top))
    # What an operator runs over the storm's log: every failure counted under its one cause.
    rep = tdlib.run([str(Path(args.build) / "tlsdiag"), "report", "--json", str(nginx.events)])
    check(rep.rc == 1, "%s: tlsdiag report exited %s (1: failures found)" % (name, rep.rc))
    causes = {c["cause"]: c["failures"] for c in json.loads(rep.stdout)["causes"]}
    check(causes == {"peer_version_too_low": count}, "%s: tlsdiag report counts %s" % (name, causes))
    if mid is not None:
        check(summaries(mid), "%s: no summary %.1f s after its %d s window ended, nginx still running"
              % (name, window + 1.7, window))
    return "%d ClientHellos in %.1f s: 1 explanation, a summary of %d from %d%s distinct addresses, %d lines" % (
        count, took, s["count"], distinct, " (estimated)" if clients.get("estimated") else "", lines(nginx.events))


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    ap.add_argument("--count", type=int, default=2000)
    args = ap.parse_args()
    if not Path(args.nginx).exists():
        print("check-storm: skipped: %s is not there: install nginx-light (listed in .ci/packages)" % args.nginx)
        return 77
    pki = tdlib.make_pki(Path(args.build).resolve())
    with tdlib.scratch("tlsdiag-storm-") as scratch:
        for name, tag, count, window in (("storm, summarised at nginx's graceful shutdown", "storm", args.count, 60),
                                         ("storm, summarised when its window ends", "window", 300, 2)):
            try:
                detail = run(args, pki, Path(scratch), tag, count, window, check, heavy=60 if window < 60 else 0)
                tdlib.expect(True, "%s: %s" % (name, detail))
            except AssertionError as e:
                tdlib.expect(False, name, str(e))
    return tdlib.finish("check-storm")


if __name__ == "__main__":
    sys.exit(main())
