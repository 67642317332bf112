# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""The guest checks' own pieces on top of the one test library (test/harness/tdlib.py, which
holds the environment scrub, the event reader, s_server, certificates and Skip; they are
re-exported here so that a check module imports from one place): the sanitizer options
every C host runs with, the build directory of C hosts, and the per-check verdict printer.

The checks (t_*.py) are run by run.py against a BUILD directory that holds tlsdiag.so,
openssl.cnf and guest/ (the compiled C hosts)."""
import os
import re
import shutil
import sys
import time
import traceback
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))

import tdlib  # noqa: E402
from tdlib import (PYTHON, ROOT, SServer, Skip, base_env, make_ca_and_leaf,  # noqa: E402,F401
                   read_jsonl, require, tally)

__all__ = ["PYTHON", "ROOT", "SServer", "Skip", "base_env", "make_ca_and_leaf", "read_jsonl",
           "require", "tally", "SANITIZER_ENV", "sanitizer_findings", "host_env", "Build",
           "Checks", "as_steps", "check", "warning_lines"]

# Every sanitizer finding must show on stderr and in the exit status (TSan goes on to report
# all races; UBSan stops at its first finding). Inert for a program built without sanitizers.
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=86",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=87",
    "TSAN_OPTIONS": "halt_on_error=0:exitcode=66:second_deadlock_stack=1",
}
SANITIZER_REPORT = re.compile(r"(WARNING: ThreadSanitizer|ERROR: AddressSanitizer|"
                              r"ERROR: LeakSanitizer|runtime error:|ThreadSanitizer: reported)")


def sanitizer_findings(stderr_text):
    """The first lines of any sanitizer report in a host's stderr ("" when clean)."""
    lines = stderr_text.splitlines()
    for i, line in enumerate(lines):
        if SANITIZER_REPORT.search(line):
            return "\n".join(lines[i:i + 25])
    return ""


def host_env(cnf, mode="1", fmt="json", output=None, window=None, **extra):
    """A whole environment for a guest host with tlsdiag on: base_env(), the sanitizer
    options, tdlib.tlsdiag_env(cnf, ...), then extra."""
    env = base_env(**SANITIZER_ENV)
    env.update(tdlib.tlsdiag_env(cnf, mode, fmt, output, window))
    env.update({k: str(v) for k, v in extra.items()})
    return env


class Build:
    def __init__(self, path):
        self.dir = Path(path).resolve()
        self.so = self.dir / "tlsdiag.so"
        self.cnf = str(self.dir / "openssl.cnf")
        self.bin = self.dir / "guest"

    def prog(self, name):
        return str(self.bin / name)


class Checks:
    """Runs named checks, prints `ok - name`, `FAIL - name: why` or `skip - name: why` for
    each, then one `<target>: N passed, N failed[, N skipped]` line; the exit status is 1
    when any check failed, 77 when every check was skipped (tdlib.Tally)."""

    def __init__(self, target):
        self.target = target
        self.tally = tdlib.Tally(target)
        self.tmp = tdlib.scratch_dir(f"tlsdiag-{target}-")

    def run(self, name, fn, *args):
        start = time.monotonic()
        try:
            note = fn(*args)
        except Skip as s:
            self.tally.add("skip")
            print(f"skip - {name}: {s}", flush=True)
            return
        except AssertionError as e:
            self.tally.add("FAIL")
            print(f"FAIL - {name}: {e}", flush=True)
            return
        except Exception:
            self.tally.add("FAIL")
            print(f"FAIL - {name}: unexpected error\n{traceback.format_exc()}", flush=True)
            return
        self.tally.add("ok")
        took = time.monotonic() - start
        print(f"ok - {name} ({took:.1f}s){': ' + note if note else ''}", flush=True)

    def finish(self):
        # GUEST_KEEP=1 keeps the outputs of a passing run too, to look at them.
        if self.tally.failed == 0 and not os.environ.get("GUEST_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"{self.target}: outputs kept in {self.tmp}")
        print(self.tally.line(), flush=True)
        sys.exit(self.tally.status())


def as_steps(table, build, tmp):
    """run.py's steps for a module's table of (name, function, extra arguments...): each
    function is called as function(build, tmp, *extra)."""
    return [(name, fn, build, tmp, *extra) for name, fn, *extra in table]


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def warning_lines(text):
    return [line for line in text.splitlines() if line.startswith("tlsdiag: warning")]
