# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Repeat suppression in real clients: the first failure of a kind is explained, its repeats
within the window are counted, and the count comes out once, when the window ends or at exit.

(a) python3 ssl against openssl s_server: 5 identical failures, with a different peer and a
    different cause in between, both explained at once.
(b) PyMongo retrying against a server it does not trust for ~10 s: one explanation, and a
    summary whose count is what a TLS server on the other end saw, minus one.
(c) a 2-second window: the summary is written when the next failure finds the window over.
(d) the rate limit: 300 failures explained one by one (window 0) with TLSDIAG_RATE_LIMIT=5 and
    TLSDIAG_RATE_BURST=10: at most the burst plus what the rate refills are explained, and a
    rate_limited event counts every other one (nothing silently lost).
(d') the same limit set by the provider's config keys (rate_limit, rate_burst in its openssl.cnf
    section), not the environment.
(e) trace mode under the same limit: 300 good handshakes give at most that many trace lines,
    and rate_limited events count the rest."""
import json
import re
import subprocess
import time
from pathlib import Path

from guestlib import (
    PYTHON, ROOT, SServer, as_steps, base_env, check, host_env, make_ca_and_leaf, read_jsonl)

HERE = Path(__file__).resolve().parent
CLIENT = str(ROOT / "test/clients/pyclient.py")


def _pki(tmp):
    d = tmp / "pki"
    if not (d / "cert.pem").exists():
        make_ca_and_leaf(d)
    return {k: str(d / f"{k}.pem") for k in ("ca", "cert", "key")}


def _client(build, out, steps, window=None, timeout=120):
    env = host_env(build.cnf, mode="1", fmt="json", output=f"file:{out}", window=window)
    p = subprocess.run([PYTHON, CLIENT, "--plan", "--log", str(out), *steps], env=env, capture_output=True,
                       text=True, timeout=timeout)
    check(p.returncode == 0, f"client exited {p.returncode}: {p.stderr[-1500:]}")
    return json.loads(p.stdout), read_jsonl(out)


def _key(e):
    return (e["event"], e["peer"]["addr"], e.get("cause"))


def five_identical(build, tmp):
    pki = _pki(tmp)
    out = tmp / "five.jsonl"
    with SServer(["-cert", pki["cert"], "-key", pki["key"]]) as a, \
            SServer(["-cert", pki["cert"], "-key", pki["key"]]) as b:
        untrusted_a = f"{a.port},system,localhost"
        steps = [untrusted_a] * 3 + [f"{b.port},system,localhost",
                                     f"{a.port},{pki['ca']},localhost,tls12-cipher=AES128-SHA"] \
            + [untrusted_a] * 2 + ["snapshot"]
        result, events = _client(build, out, steps)
        addr_a, addr_b = f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"
    check(result["outcomes"] == "FFFFFFF", f"client outcomes {result['outcomes']}, expected 7 failures")
    check(result["snapshots"] == [["handshake_failed"] * 3],
          f"before exit the log held {result['snapshots']}: expected 3 explanations and no summary yet")
    got = [_key(e) for e in events]
    check(len(got) == 4, f"expected 3 explanations and 1 summary, got {got}")
    first_cause = got[0][2]
    check(got[0] == ("handshake_failed", addr_a, first_cause) and first_cause in ("unknown_ca", "self_signed"),
          f"first line {got[0]}: expected the first failure to {addr_a} explained")
    check(got[1] == ("handshake_failed", addr_b, first_cause),
          f"second line {got[1]}: the same cause at another peer must be explained at once")
    check(got[2][0] == "handshake_failed" and got[2][1] == addr_a and got[2][2] != first_cause,
          f"third line {got[2]}: another cause at the same peer must be explained at once")
    check(got[3] == ("repeat_summary", addr_a, first_cause) and events[3].get("count") == 4,
          f"last line {got[3]} count {events[3].get('count')}: expected the summary for {addr_a} with count 4")
    return f"explained: {first_cause}@A, {first_cause}@B, {got[2][2]}@A; summary count 4 at exit"


PYMONGO_CLIENT = """
import sys, time
import pymongo
from pymongo.errors import ServerSelectionTimeoutError
client = pymongo.MongoClient('localhost', int(sys.argv[1]), tls=True, serverSelectionTimeoutMS=10000)
start = time.monotonic()
try:
    client.admin.command('ping')
    print('connected?!')
except ServerSelectionTimeoutError:
    print('timeout after %.1f s' % (time.monotonic() - start))
client.close()
"""


def pymongo_retries(build, tmp):
    pki = _pki(tmp)
    out = tmp / "pymongo.jsonl"
    server = subprocess.Popen([PYTHON, str(HERE / "counting_server.py"), pki["cert"], pki["key"]],
                              env=base_env(), stdout=subprocess.PIPE, text=True)
    try:
        m = re.match(r"PORT (\d+)", server.stdout.readline())
        check(m, "counting server did not start")
        port = int(m.group(1))
        env = host_env(build.cnf, mode="1", fmt="json", output=f"file:{out}")
        p = subprocess.run([PYTHON, "-c", PYMONGO_CLIENT, str(port)], env=env, capture_output=True,
                           text=True, timeout=60)
        check(p.returncode == 0 and p.stdout.startswith("timeout"),
              f"PyMongo run: exit {p.returncode}, {p.stdout!r} {p.stderr[-1500:]!r}")
    finally:
        # Give the last connection's verdict a moment to arrive, then stop the witness.
        time.sleep(0.5)
        server.terminate()
        witness, _ = server.communicate(timeout=10)
    verdicts = witness.splitlines()
    # client.close() may cut a handshake short at the very end; the client never failed that
    # one (nothing to explain), so it is not counted, and only there is it allowed.
    if verdicts and verdicts[-1].startswith("other") and "EOF" in verdicts[-1].upper():
        verdicts = verdicts[:-1]
    refused = verdicts.count("refused")
    others = [v for v in verdicts if v != "refused"]
    check(not others, f"the server saw handshakes end other than by the client refusing: {others}")
    check(refused >= 5, f"PyMongo made only {refused} handshakes in 10 s; too few to test counting")
    events = read_jsonl(out)
    failed = [e for e in events if e["event"] == "handshake_failed"]
    summaries = [e for e in events if e["event"] == "repeat_summary"]
    check(len(failed) == 1 and failed[0].get("section") == "CERTIFICATE_VERIFY_FAILED",
          f"expected one CERTIFICATE_VERIFY_FAILED explanation, got {[(e.get('section'), e.get('cause')) for e in failed]}")
    check(len(summaries) == 1 and summaries[0].get("count") == refused - 1,
          f"server saw {refused} handshakes: expected one summary with count {refused - 1}, "
          f"got {[s.get('count') for s in summaries]}")
    check(len(events) == 2, f"unexpected extra events: {[e['event'] for e in events]}")
    return f"{refused} handshakes seen by the server: 1 explanation + summary count {refused - 1}"


def window_ends(build, tmp):
    pki = _pki(tmp)
    out = tmp / "window.jsonl"
    with SServer(["-cert", pki["cert"], "-key", pki["key"]]) as a:
        fail = f"{a.port},system,localhost"
        # Three failures well inside one second, then one after the 2 s window has surely
        # ended (time() has 1 s steps), then one more inside the new window.
        steps = [fail] * 3 + ["sleep=3.3", fail, "snapshot", fail]
        result, events = _client(build, out, steps, window=2)
    check(result["outcomes"] == "FFFFF", f"outcomes {result['outcomes']}")
    mid = result["snapshots"][0]
    check(mid == ["handshake_failed", "repeat_summary", "handshake_failed"],
          f"while the client still ran the log held {mid}: expected the first window's summary to be "
          "written by the failure that found the window over, before that failure's explanation")
    kinds = [(e["event"], e.get("count")) for e in events]
    check(kinds == [("handshake_failed", None), ("repeat_summary", 2), ("handshake_failed", None),
                    ("repeat_summary", 1)],
          f"events {kinds}: expected failed, summary 2, failed, summary 1 (at exit)")
    return "summary of 2 written at the window's end, summary of 1 at exit"


def _hshost(build, out, steps, cnf=None, **extra):
    limits = {} if cnf else {"TLSDIAG_RATE_LIMIT": 5, "TLSDIAG_RATE_BURST": 10}
    env = host_env(cnf or build.cnf, mode=extra.pop("mode", "1"), fmt="json", output=f"file:{out}", window=0,
                   **limits, **extra)
    if cnf:
        del env["TLSDIAG_RATE_LIMIT"]  # the config's keys must decide
    t0 = time.monotonic()
    p = subprocess.run([build.prog("hshost"), *steps], env=env, capture_output=True, text=True, timeout=120)
    check(p.returncode == 0, f"hshost exited {p.returncode}: {p.stderr[-800:]}")
    return time.monotonic() - t0, read_jsonl(out)


def _held(events, of):
    return sum(e["count"] for e in events if e["event"] == "rate_limited" and e["of"] == of)


def rate_limited_failures(build, tmp, by_config=False):
    cnf = None
    if by_config:
        cnf = tmp / "rate.cnf"
        cnf.write_text(Path(build.cnf).read_text().replace(
            "[ tlsdiag_sect ]\n", "[ tlsdiag_sect ]\nrate_limit = 5\nrate_burst = 10\n"))
        check("rate_limit = 5" in cnf.read_text(), f"no tlsdiag_sect in {build.cnf}")
    took, events = _hshost(build, tmp / ("rate-cnf.jsonl" if by_config else "rate.jsonl"), ["fail*150"], cnf)
    explained = sum(1 for e in events if e["event"] == "handshake_failed")
    held = _held(events, "handshake_failed")
    # 150 failures, each seen at both ends of hshost's own connections.
    check(explained + held == 300, f"{explained} explained + {held} held back != 300")
    allowed = 10 + 5 * took + 1
    check(explained <= allowed, f"{explained} explained in {took:.1f} s: more than burst 10 + 5/s")
    check(held > 0, "nothing was held back: the limit proves nothing here")
    return f"{explained} explained, {held} held back and counted, in {took:.1f} s"


def rate_limited_trace(build, tmp):
    took, events = _hshost(build, tmp / "trace.jsonl", ["ok*150"], mode="trace")
    lines = sum(1 for e in events if e["event"] == "handshake_ok")
    held = _held(events, "handshake_ok")
    check(lines + held == 300, f"{lines} trace lines + {held} held back != 300")
    check(lines <= 10 + 5 * took + 1, f"{lines} trace lines in {took:.1f} s: more than burst 10 + 5/s")
    return f"{lines} trace lines, {held} held back and counted"


def held_back_window(build, tmp):
    """A window whose first failure the rate limit held back is summarised with what the key
    alone knows: the kind, the count, and the program, never an empty one."""
    out = tmp / "held-window.jsonl"
    env = host_env(build.cnf, mode="1", fmt="json", output=f"file:{out}", window=60,
                   TLSDIAG_RATE_LIMIT=1, TLSDIAG_RATE_BURST=1)
    p = subprocess.run([build.prog("hshost"), "fail"], env=env, capture_output=True, text=True,
                       timeout=60)
    check(p.returncode == 0, f"hshost exited {p.returncode}: {p.stderr[-800:]}")
    events = read_jsonl(out)
    explained = [e for e in events if e["event"] == "handshake_failed"]
    held = [e for e in events if e["event"] == "repeat_summary" and e.get("held_back")]
    check(len(explained) == 1, f"{len(explained)} explanations, expected the one the burst allows")
    check(len(held) == 1 and held[0].get("count") == 1,
          f"held-back summaries {held}: expected one, counting the other end's failure")
    check(held[0].get("program") == "hshost",
          f"the held-back summary names program {held[0].get('program')!r}")
    return f"1 explained, the other end's failure in a held-back summary of {held[0]['program']}"


CASES = [
    ("repeat (a): 5 identical failures -> 1 explanation + summary 4 at exit; other peer/cause explained at once",
     five_identical),
    ("repeat (b): PyMongo retrying 10 s -> 1 explanation + summary = server-counted handshakes - 1",
     pymongo_retries),
    ("repeat (c): 2 s window -> summary written when the next failure ends the window", window_ends),
    ("repeat (d): rate limit 5/s, burst 10 -> failures beyond it counted in rate_limited", rate_limited_failures),
    ("repeat (d'): the same limit from the config keys rate_limit, rate_burst", rate_limited_failures, True),
    ("repeat (e): rate limit on trace lines -> the rest counted in rate_limited", rate_limited_trace),
    ("repeat (f): a window whose first failure was held back -> its summary names the program",
     held_back_window),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)
