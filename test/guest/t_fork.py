# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""fork(): each process reports its own events once; nothing the parent counted before the fork
is reported again by the child; lines written by both processes at once stay whole.

The host is test/guest/forker.c, whose comment gives the script of handshakes."""
import re
import subprocess
from collections import Counter

from guestlib import as_steps, check, read_jsonl, sanitizer_findings, host_env

EXTRA_OK = 150


def both_report_their_own(build, tmp):
    out = tmp / "fork.jsonl"
    env = host_env(build.cnf, mode="trace", fmt="json", output=f"file:{out}")
    p = subprocess.run([build.prog("forker"), str(EXTRA_OK)], env=env, capture_output=True,
                       text=True, errors="replace", timeout=120)
    found = sanitizer_findings(p.stderr)
    check(not found, f"sanitizer report:\n{found}")
    check(p.returncode == 0, f"forker exited {p.returncode}: {p.stdout} {p.stderr[-1500:]}")
    m = re.search(r"parent=(\d+) child=(\d+)", p.stdout)
    check(m, f"no pids in {p.stdout!r}")
    parent, child = int(m.group(1)), int(m.group(2))
    events = read_jsonl(out)   # fails on any half-written or interleaved line

    got = Counter()
    counts = {}
    for e in events:
        who = {parent: "parent", child: "child"}.get(e["pid"], f"pid {e['pid']}")
        got[(who, e["role"], e["event"], e["peer"]["host"])] += 1
        if e["event"] == "repeat_summary":
            counts[(who, e["role"])] = e.get("count")
    want = Counter()
    for role in ("client", "server"):
        want[("parent", role, "handshake_failed", "fork.guest.test")] = 1
        want[("parent", role, "repeat_summary", "fork.guest.test")] = 1
        want[("parent", role, "handshake_ok", "parent-extra.guest.test")] = EXTRA_OK
        want[("child", role, "handshake_failed", "fork.guest.test")] = 1
        want[("child", role, "handshake_ok", "child.guest.test")] = 1
        want[("child", role, "handshake_ok", "child-extra.guest.test")] = EXTRA_OK
    diff = {k: (got.get(k, 0), want.get(k, 0)) for k in set(got) | set(want) if got.get(k, 0) != want.get(k, 0)}
    check(not diff, "events (got, expected) that differ: "
          + "; ".join(f"{k}: {v}" for k, v in sorted(diff.items(), key=str)))
    # Two failures before the fork and one after: the parent's single summary counts both
    # repeats; the child, which inherited one of them, must not report it.
    check(counts == {("parent", "client"): 2, ("parent", "server"): 2},
          f"repeat_summary counts {counts}, expected 2 for each side of the parent only")
    return f"parent {parent} and child {child}: {len(events)} whole lines, each event once"


CASES = [
    ("fork: parent and child each report their own events once, summaries not inherited",
     both_report_their_own),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)
