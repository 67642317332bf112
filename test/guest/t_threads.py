# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Many threads, one process: every handshake reported exactly once, every line whole.

The host is test/guest/threads.c: THREADS threads each run PER_THREAD in-memory handshakes, half
of them against a client that does not trust the server. Both ends live in the process, so each
handshake is seen twice by tlsdiag, once as client and once as server, and both views must be
reported once. Each handshake has its own SNI, which tlsdiag reports as the peer host: that is
what lets the check say *which* handshake went missing or was reported twice."""
import subprocess
from collections import Counter

from guestlib import check, read_jsonl, sanitizer_findings, host_env


def _run(build, tmp, name, args, mode, window, timeout):
    out = tmp / f"{name}.jsonl"
    env = host_env(build.cnf, mode=mode, fmt="json", output=f"file:{out}", window=window)
    p = subprocess.run([build.prog("threads"), *map(str, args)], env=env, capture_output=True,
                       text=True, errors="replace", timeout=timeout)
    found = sanitizer_findings(p.stderr)
    check(not found, f"sanitizer report:\n{found}")
    check(p.returncode == 0, f"threads exited {p.returncode}: {p.stdout} {p.stderr[-2000:]}")
    check(f"module={build.so}" in p.stdout,
          f"the host did not run the provider of {build.dir}: {p.stdout.strip()}")
    check(out.exists(), f"no output file {out}")
    return p, read_jsonl(out)


def each_once(build, tmp, threads, per_thread, timeout):
    p, events = _run(build, tmp, "each-once", [threads, per_thread], "trace", 0, timeout)
    total = threads * per_thread
    expected = {"handshake_ok": set(), "handshake_failed": set()}
    for t in range(threads):
        for i in range(per_thread):
            fail = i % 2 == 1
            expected["handshake_failed" if fail else "handshake_ok"].add(
                f"t{t}-{i}-{'fail' if fail else 'ok'}.guest.test")

    pids = {e["pid"] for e in events}
    check(len(pids) == 1, f"events from several pids: {pids}")
    counts = Counter((e["role"], e["event"]) for e in events)
    want = {(role, ev): total // 2 for role in ("client", "server")
            for ev in ("handshake_ok", "handshake_failed")}
    check(dict(counts) == want, f"event counts {dict(counts)}, expected {want}")
    for role in ("client", "server"):
        for ev, hosts in expected.items():
            seen = Counter(e["peer"]["host"] for e in events if e["role"] == role and e["event"] == ev)
            dup = [h for h, n in seen.items() if n > 1]
            missing = hosts - set(seen)
            extra = set(seen) - hosts
            check(not dup and not missing and not extra,
                  f"{role} {ev}: {len(dup)} reported twice (e.g. {dup[:3]}), {len(missing)} missing "
                  f"(e.g. {sorted(missing)[:3]}), {len(extra)} unexpected (e.g. {sorted(extra)[:3]})")
    failed_causes = Counter((e["role"], e.get("cause")) for e in events if e["event"] == "handshake_failed")
    check(failed_causes.get(("client", "self_signed")) == total // 2,
          f"client failures not all explained as self_signed: {dict(failed_causes)}")
    return f"{len(events)} lines, {total} handshakes x 2 sides, each reported once"


def repeats_counted(build, tmp, threads, per_thread, timeout):
    """All failures alike: one explanation per side, and one summary counting every other one,
    however the threads interleave in the repeat table."""
    p, events = _run(build, tmp, "repeats", ["--same-sni", threads, per_thread], "1", 3600, timeout)
    failures = threads * per_thread // 2
    for role in ("client", "server"):
        explained = [e for e in events if e["role"] == role and e["event"] == "handshake_failed"]
        summaries = [e for e in events if e["role"] == role and e["event"] == "repeat_summary"]
        check(len(explained) == 1, f"{role}: {len(explained)} explanations of {failures} identical failures")
        check(len(summaries) == 1 and summaries[0].get("count") == failures - 1,
              f"{role}: summaries {[s.get('count') for s in summaries]}, expected one with count {failures - 1}")
    others = [e["event"] for e in events if e["event"] not in ("handshake_failed", "repeat_summary")]
    check(not others, f"unexpected events with TLSDIAG=1: {Counter(others)}")
    return f"{failures} identical failures per side: 1 explained + summary count {failures - 1}"


def cases(build, tmp, threads=8, per_thread=2000, same_threads=8, same_per_thread=500, timeout=300):
    yield (f"threads: {threads}x{per_thread} handshakes, each reported exactly once per side",
           each_once, build, tmp, threads, per_thread, timeout)
    yield (f"threads: {same_threads}x{same_per_thread} identical failures counted exactly",
           repeats_counted, build, tmp, same_threads, same_per_thread, timeout)


def _tsan_speaks(build):
    p = subprocess.run([build.prog("tsan_canary")], env=host_env(build.cnf, mode="0"),
                       capture_output=True, text=True, errors="replace", timeout=60)
    check("WARNING: ThreadSanitizer: data race" in p.stderr and p.returncode != 0,
          f"TSan did not report the planted race (exit {p.returncode}): {p.stderr[-500:]}")
    nm = subprocess.run(["nm", "-D", "--undefined-only", str(build.so)], capture_output=True, text=True)
    check("__tsan_func_entry" in nm.stdout, f"{build.so} is not built with -fsanitize=thread")
    return "planted race reported; provider is instrumented"


def tsan_canary(build, tmp):
    yield "tsan: ThreadSanitizer reports a planted race, and the provider is instrumented", _tsan_speaks, build
