# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""The provider loaded and freed by extra library contexts besides the default one: one failing
handshake is still explained exactly once per side, and OPENSSL_cleanup ends the process cleanly.
The host is test/guest/reload.c."""
import re
import subprocess
from collections import Counter

from guestlib import check, read_jsonl, sanitizer_findings, host_env


def once_per_side(build, tmp, order):
    out = tmp / f"reload-{order}.jsonl"
    env = host_env(build.cnf, mode="1", fmt="json", output=f"file:{out}")
    p = subprocess.run([build.prog("reload"), build.cnf, order], env=env, capture_output=True,
                       text=True, errors="replace", timeout=60)
    found = sanitizer_findings(p.stderr)
    check(not found, f"sanitizer report:\n{found}")
    check(p.returncode == 0, f"reload {order} exited {p.returncode} (negative: killed by that signal): "
          f"{p.stdout!r} {p.stderr[-1500:]!r}")
    check("cleanup done" in p.stdout, f"did not get through OPENSSL_cleanup: {p.stdout!r}")
    extras = 5 if order == "cycles" else 2
    check(p.stdout.count("extra context has tlsdiag: 1") == extras and "default context has tlsdiag: 1" in p.stdout,
          f"tlsdiag was not loaded into every context, so this proves nothing: {p.stdout!r}")
    if order == "cycles":
        # One SSL index for the life of the process, however often the provider comes and goes.
        m = re.search(r"indexes taken by 5 load/unload cycles: (-?\d+)", p.stdout)
        check(m is not None and int(m.group(1)) == 1,
              f"load/unload cycles leak ex_data indexes: {m.group(0) if m else p.stdout!r}")
    events = read_jsonl(out) if out.exists() else []
    got = Counter((e["role"], e["event"]) for e in events)
    want = {("client", "handshake_failed"): 1, ("server", "handshake_failed"): 1}
    check(dict(got) == want, f"events {dict(got)}, expected {want}")
    return None


def cases(build, tmp):
    for order in ("extras-first", "default-first", "overlap", "cycles"):
        yield f"reload ({order}): one explanation per side, clean OPENSSL_cleanup", once_per_side, build, tmp, order
