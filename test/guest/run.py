# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Entry point of the guest checks: run.py TARGET BUILD [BUILD...]

Each make target of test/guest/guest.mk names one TARGET here. A target runs a list of check
modules (t_*.py) against a build directory, prints ok/FAIL per check and ends with one
"TARGET: N passed, N failed" line."""
import sys
from functools import partial
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))

import guestlib  # noqa: E402
from guestlib import Build, Checks  # noqa: E402
import t_connections  # noqa: E402
import t_fork  # noqa: E402
import t_host_code  # noqa: E402
import t_hostile  # noqa: E402
import t_output  # noqa: E402
import t_privilege  # noqa: E402
import t_reload  # noqa: E402
import t_repeat  # noqa: E402
import t_threads  # noqa: E402


def _reuse_without_quarantine(build, tmp):
    """ASan holds freed memory back (its quarantine), so no address would be reused and the
    check would prove nothing: without the quarantine the allocator hands addresses back."""
    saved = guestlib.SANITIZER_ENV["ASAN_OPTIONS"]
    guestlib.SANITIZER_ENV["ASAN_OPTIONS"] = saved + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
    try:
        return t_connections.c_host_reuse(build, tmp)
    finally:
        guestlib.SANITIZER_ENV["ASAN_OPTIONS"] = saved


def _asan_c_hosts(build, tmp):
    """The newest C hosts under ASan+UBSan: a freed SSL's address reused, SSL_clear, and the
    host's own store callbacks (each check already fails on a sanitizer report)."""
    return [("asan: cn_reuse free (a freed SSL's address reused)", _reuse_without_quarantine, build, tmp),
            ("asan: cn_reuse clear (SSL_clear between handshakes)", t_connections.c_host_clear, build, tmp),
            ("asan: hc_store_cb (the host's verify callbacks)", t_host_code.c_store_callback, build, tmp, 10, 3)]


# What each target runs: functions of (build, tmp) that give its steps, (name, function, arguments...).
PLANS = {
    "check-threads": [t_threads.cases],
    # TSan makes each handshake about 8 times slower: fewer of them, same 8 threads.
    "check-tsan": [t_threads.tsan_canary, partial(t_threads.cases, per_thread=150, same_per_thread=50)],
    "check-asan": [partial(t_threads.cases, per_thread=100, same_per_thread=50), t_fork.cases, t_reload.cases,
                   _asan_c_hosts],
    "check-fork": [t_fork.cases],
    "check-reload": [t_reload.cases],
    "check-repeat": [t_repeat.cases],
    "check-output-faults": [t_output.cases],
    "check-hostile": [t_hostile.cases],
    "check-privilege": [t_privilege.cases],
}


def _module_plans():
    """Newer check modules (t_*.py) name their own targets in a TARGETS dict, so that adding
    one is a new file plus a fragment in test/guest/mk/, not an edit here."""
    import importlib
    for path in sorted(Path(__file__).resolve().parent.glob("t_*.py")):
        mod = importlib.import_module(path.stem)
        for target, steps in getattr(mod, "TARGETS", {}).items():
            PLANS.setdefault(target, []).extend(steps)


def plan(target, build, tmp):
    _module_plans()
    if target not in PLANS:
        raise SystemExit(f"run.py: unknown target {target}")
    for cases in PLANS[target]:
        yield from cases(build, tmp)


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: run.py TARGET BUILD")
    target, build = sys.argv[1], Build(sys.argv[2])
    checks = Checks(target)
    for name, fn, *args in plan(target, build, checks.tmp):
        checks.run(name, fn, *args)
    checks.finish()


if __name__ == "__main__":
    main()
