#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Run the end-to-end scenarios in test/scenarios/*.case.

A case names a server, a client and what tlsdiag must say about the handshake
between them (test/scenarios/README explains the format). For each case the
server is started once on a free loopback port and the client is run:

  a  without tlsdiag (OPENSSL_CONF unset)
  b  with tlsdiag's openssl.cnf, TLSDIAG unset         -> must behave exactly as a
  c  with TLSDIAG=1, JSON events to a file              -> must behave exactly as a;
                                                           its events are checked
  d  with TLSDIAG=1, text to stderr                     -> the text rendering is checked
  e  with TLSDIAG=trace, JSON to a file (only when the case has trace: lines)

"Exactly" means the same exit status, stdout and stderr: tlsdiag must change
neither the outcome nor the application's own error message.

Usage: run_scenarios.py [--build DIR] [--cases DIR] [--jobs N] [--baseline-only] [-v] [GLOB...]
--cases picks the directory of *.case files (default test/scenarios; check-ocsp uses
test/scenarios/ocsp). GLOBs (or the SCENARIOS variable, space or comma separated) pick
cases by name. Prints one ok/FAIL/skip line per case and ends with "N passed, N failed"
(", N skipped" appended when some were). Exit status: 1 when a case failed, 77 when every
case was skipped (a tool it requires is absent), else 0.
"""
import argparse
import fnmatch
import os
import re
import shlex
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tdlib  # noqa: E402

SCENARIO_DIR = tdlib.ROOT / "test" / "scenarios"
RUN_TIMEOUT = 30.0

PATH_OPS = ("==", "!=", "~=", "!~", "<", ">", "contains", "!contains", "exists", "absent",
            "unset")
NO_VALUE_OPS = ("exists", "absent", "unset")
COUNT_OPS = ("==", ">=", "<=")
# Expectation keys: their values may start with a [REQUIREMENT] or [!REQUIREMENT] condition.
EXPECT_KEYS = ("client-output", "client-stdout", "client-stderr", "json", "events", "text",
               "trace", "trace-events", "server-json")
STAPLE_FACTS = ("length", "response_status", "cert_status", "revocation_reason", "this_update",
                "next_update", "revocation_time")


class CaseError(Exception):
    """The case file itself is wrong."""


class Case:
    LIST_KEYS = {"env", "requires", "setup"} | set(EXPECT_KEYS)
    ONE_KEYS = {"server", "client", "exit", "silent", "server-tlsdiag", "timeout", "staple", "compare"}

    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.stem
        self.description = ""
        self.text = self.path.read_text()
        self.fields = {k: [] for k in self.LIST_KEYS}
        for n, raw in enumerate(self.text.splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                if not self.description:
                    self.description = line.lstrip("# ").strip()
                continue
            key, sep, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if not sep or (key not in self.LIST_KEYS and key not in self.ONE_KEYS):
                raise CaseError("%s:%d: unknown line %r" % (self.path.name, n, raw))
            if key in EXPECT_KEYS:
                value = split_condition(value, "%s:%d" % (self.path.name, n))
            if key in self.LIST_KEYS:
                self.fields[key].append(value)
            elif key in self.fields:
                raise CaseError("%s:%d: %s given twice" % (self.path.name, n, key))
            else:
                self.fields[key] = value
        for required in ("server", "client", "exit"):
            if required not in self.fields:
                raise CaseError("%s: no %s: line" % (self.path.name, required))
        self.silent = self.fields.get("silent", "no") == "yes"
        if self.silent and (self.fields["json"] or self.fields["text"]):
            raise CaseError("%s: silent cases cannot have json:/text: expectations" % self.path.name)
        if not self.silent and not self.fields["json"]:
            raise CaseError("%s: a failure case needs json: expectations" % self.path.name)
        if self.fields.get("compare", "exact") not in STDOUT_FILTERS:
            raise CaseError("%s: compare: is one of %s" % (self.path.name, ", ".join(STDOUT_FILTERS)))
        for key in ("json", "trace", "server-json"):
            for _, e in self.fields[key]:
                parse_path_expectation(e, self.path.name)
        self.requires = [r for line in self.fields["requires"] for r in line.split()]
        self.uses_ocsp = bool(re.search(r"\$(OCSP\b|\{OCSP\})", self.text))

    def get(self, key, default=None):
        return self.fields.get(key, default)

    def expectations(self, key):
        """The expectations of key whose condition holds on this machine."""
        return [text for cond, text in self.fields[key] if condition_holds(cond)]


def split_condition(value, where):
    """"[REQ] rest" -> (("REQ", True), "rest"); "[!REQ] rest" -> (("REQ", False), "rest")."""
    m = re.match(r"^\[(!?)([\w:./-]+)\]\s*(.*)$", value)
    if not m:
        if value.startswith("["):
            raise CaseError("%s: bad condition in %r (want [REQUIREMENT] or [!REQUIREMENT])" % (where, value))
        return None, value
    return (m.group(2), m.group(1) != "!"), m.group(3)


def condition_holds(cond):
    if cond is None:
        return True
    requirement, wanted = cond
    return (requirement_missing(requirement) is None) == wanted


# The build directory the runner uses (--build): built:PATH and npm-mongodb look there.
BUILD_DIR = tdlib.ROOT / "build"
_MISSING = {}


def _probe(argv):
    """True when argv runs and exits 0 (a runtime that can load a library)."""
    if not shutil.which(argv[0]):
        return False
    try:
        return tdlib.run(argv, tdlib.base_env(), timeout=30).rc == 0
    except OSError:
        return False


def requirement_missing(requirement):
    """tdlib.missing plus the runtime words: ruby:GEM (ruby can require GEM), php:EXT (php has
    the extension EXT loaded), npm-mongodb (runtimes.mk installed the npm mongodb driver in
    BUILD/runtimes/npm), openssl-before:X.Y (the openssl command is older than OpenSSL X.Y) and built:PATH
    (BUILD/PATH exists). Answers are cached."""
    if requirement in _MISSING:
        return _MISSING[requirement]
    if requirement.startswith("ruby:"):
        gem = requirement[len("ruby:"):]
        why = None if _probe(["ruby", "-e", "require ARGV[0]", gem]) else "ruby cannot require %s" % gem
    elif requirement.startswith("php:"):
        ext = requirement[len("php:"):]
        why = None if _probe(["php", "-r", "exit(extension_loaded($argv[1]) ? 0 : 1);", ext]) \
            else "php has no %s extension" % ext
    elif requirement == "npm-mongodb":
        where = BUILD_DIR / "runtimes/npm/node_modules/mongodb/package.json"
        why = None if where.exists() else "the npm mongodb driver is not in %s (npm install failed?)" % where.parent
    elif requirement.startswith("openssl-before:"):
        want = requirement[len("openssl-before:"):]
        words = tdlib.run(["openssl", "version"]).stdout.split()
        have = words[1] if len(words) > 1 else "?"
        def numbers(v):
            return tuple(int(n) for n in re.findall(r"\d+", v)[:3])
        why = None if numbers(have) < numbers(want) else "the openssl command is OpenSSL %s, not before %s" % (
            have, want)
    elif requirement.startswith("built:"):
        where = BUILD_DIR / requirement[len("built:"):]
        why = None if where.exists() else "%s is not built" % where
    else:
        why = tdlib.missing(requirement)
    _MISSING[requirement] = why
    return why


def s_client_status(text):
    """What of s_client's stdout must not change with tlsdiag. s_client also prints session
    ids, keys, times, and as many TLS 1.3 tickets as arrive before it quits: keep its staple
    report (from "OCSP response:", 4.0's "OCSP responses:", to the next "---") and its first
    verify result."""
    kept, in_block, verified = [], False, False
    for line in text.splitlines():
        if line.startswith(("OCSP response:", "OCSP responses:")):
            in_block = True
        elif in_block and line == "---":
            in_block = False
        if in_block:
            kept.append(line)
        elif line.lstrip().startswith("Verify return code:") and not verified:
            kept.append(line.strip())
            verified = True
    return "\n".join(kept)


# compare: how the client's stdout is compared between runs (the one hook in the format).
STDOUT_FILTERS = {"exact": lambda text: text, "s_client-status": s_client_status}


def parse_path_expectation(text, where="?"):
    parts = text.split(None, 2)
    if len(parts) < 2 or parts[1] not in PATH_OPS:
        raise CaseError("%s: bad expectation %r (want PATH OP [VALUE])" % (where, text))
    path, op = parts[0], parts[1]
    value = parts[2] if len(parts) > 2 else None
    if (op in NO_VALUE_OPS) != (value is None):
        raise CaseError("%s: %r: %s %s a value" % (where, text, op,
                                                   "takes no" if value else "needs"))
    if op in ("~=", "!~") and "@{" not in value and "$" not in value:
        re.compile(value)
    return path, op, value


def event_refs(value, event):
    """Replace each @{PATH} in value by the event's own value at PATH."""
    def repl(m):
        values = [tdlib.scalar_text(v) for v in tdlib.lookup(event, m.group(1))]
        return values[0] if values else "<%s missing>" % m.group(1)
    return re.sub(r"@\{([\w.*]+)\}", repl, value)


def ordered(a, b):
    """a and b as numbers when both are, else as strings (RFC 3339 UTC times compare as times)."""
    try:
        return float(a), float(b)
    except ValueError:
        return a, b


def check_path(event, text, variables=None):
    """None when the expectation holds, else the reason it does not."""
    path, op, want = parse_path_expectation(text)
    if want is not None:
        want = event_refs(substitute(want, variables or {}, text), event)
    values = [tdlib.scalar_text(v) for v in tdlib.lookup(event, path)]
    shown = ", ".join(repr(v) for v in values) if values else "nothing"
    if op == "exists":
        return None if values else "%s is missing" % path
    if op == "absent":
        return None if not values else "%s should be absent, is %s" % (path, shown)
    if op == "unset":
        return None if all(v == "null" for v in values) else "%s should be absent or null, is %s" % (path, shown)
    if not values:
        return "%s is missing (wanted %s %s)" % (path, op, want)
    if op == "==":
        ok = any(v == want for v in values)
    elif op == "!=":
        ok = all(v != want for v in values)
    elif op == "~=":
        ok = any(re.search(want, v) for v in values)
    elif op == "!~":
        ok = not any(re.search(want, v) for v in values)
    elif op == "contains":
        ok = any(want in v for v in values)
    elif op == "!contains":
        ok = not any(want in v for v in values)
    elif op == "<":
        ok = any(x < y for x, y in (ordered(v, want) for v in values))
    else:
        ok = any(x > y for x, y in (ordered(v, want) for v in values))
    return None if ok else "%s is %s, wanted %s %s" % (path, tdlib.clip(shown, 160), op, want)


def check_count(events, text):
    parts = text.split()
    if len(parts) != 3 or parts[1] not in COUNT_OPS or not parts[2].isdigit():
        return "bad count expectation %r (want KIND OP N)" % text
    kind, op, n = parts[0], parts[1], int(parts[2])
    got = sum(1 for e in events if e.get("event") == kind)
    ok = {"==": got == n, ">=": got >= n, "<=": got <= n}[op]
    return None if ok else "%d %s event(s), wanted %s %d" % (got, kind, op, n)


def check_regex(text, expectation, what, variables=None):
    op, _, rx = substitute(expectation, variables or {}, expectation).partition(" ")
    if op not in ("~=", "!~") or not rx:
        return "bad %s expectation %r (want ~= REGEX or !~ REGEX)" % (what, expectation)
    found = re.search(rx.strip(), text, re.M)
    if op == "~=" and not found:
        return "%s does not match /%s/: %r" % (what, rx.strip(), tdlib.clip(text, 240))
    if op == "!~" and found:
        return "%s matches /%s/ (it must not): %r" % (what, rx.strip(), tdlib.clip(found.group(0)))
    return None


def exit_ok(rc, spec):
    if spec == "nonzero":
        return rc != 0
    return str(rc) in spec.split("|")


def substitute(text, variables, where):
    def repl(m):
        name = m.group(1) or m.group(2)
        if name not in variables:
            raise CaseError("%s: unknown variable $%s" % (where, name))
        return variables[name]
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", repl, text)


def extra_lines(with_diag, without):
    """Lines of with_diag that are not among the lines of without (as a multiset):
    what tlsdiag added to a stream the application also writes to."""
    remaining = without.splitlines()
    extra = []
    for line in with_diag.splitlines():
        if line in remaining:
            remaining.remove(line)
        else:
            extra.append(line)
    return "\n".join(extra), remaining


def first_event(events, kind=None):
    for e in events:
        if kind is None or e.get("event") == kind:
            return e
    return None


class Outcome:
    def __init__(self, case):
        self.case = case
        self.reasons = []
        self.details = []
        self.seconds = 0.0
        self.skipped = None     # why the case could not run here

    @property
    def status(self):
        return "skip" if self.skipped else "FAIL" if self.reasons else "ok"

    def fail(self, reason):
        if reason:
            self.reasons.append(reason)

    def detail(self, text):
        self.details.append(text)


# OpenSSL's error lines (ERR_print_errors) start with the thread's id, which differs per run.
OPENSSL_ERROR_THREAD = re.compile(r"^[0-9A-F]{8,16}(?=:error:)", re.M)


def stderr_canonical(text):
    """stderr as the runs compare it: with OpenSSL's thread id in error lines blanked."""
    return OPENSSL_ERROR_THREAD.sub("<thread>", text)


def same_as_baseline(outcome, label, base, other, compare_stderr=True, stdout_filter=None):
    stdout_filter = stdout_filter or STDOUT_FILTERS["exact"]
    if other.timed_out:
        outcome.fail("run %s timed out" % label)
        return
    diffs = []
    if other.rc != base.rc:
        diffs.append("exit %s vs %s" % (other.rc, base.rc))
    if stdout_filter(other.stdout) != stdout_filter(base.stdout):
        diffs.append("stdout %r vs %r" % (tdlib.clip(stdout_filter(other.stdout), 160),
                                          tdlib.clip(stdout_filter(base.stdout), 160)))
    if compare_stderr and stderr_canonical(other.stderr) != stderr_canonical(base.stderr):
        diffs.append("stderr %r vs %r" % (tdlib.clip(other.stderr, 240), tdlib.clip(base.stderr, 160)))
    if diffs:
        outcome.fail("transparency: run %s differs from run a: %s" % (label, "; ".join(diffs)))


def check_events(outcome, label, path):
    events, problems = tdlib.read_events(path)
    for p in problems:
        outcome.fail("run %s: %s" % (label, p))
    for i, ev in enumerate(events):
        for p in tdlib.contract_problems(ev):
            outcome.fail("run %s: event %d (%s): %s" % (label, i + 1, ev.get("event"), p))
    return events


def staple_variables(path):
    """$STAPLE and $STAPLE_<FACT> for a staple file: what `openssl ocsp` reads in it ("none"
    for a fact it does not have)."""
    facts = tdlib.staple_facts(path)
    variables = {"STAPLE": str(path)}
    for key in STAPLE_FACTS:
        variables["STAPLE_" + key.upper()] = "none" if facts[key] is None else str(facts[key])
    return variables


def run_case(case, opts):
    out = Outcome(case)
    started = time.monotonic()
    why = [m for m in (requirement_missing(r) for r in case.requires) if m]
    if case.uses_ocsp and opts.ocsp is None:
        why.append(opts.ocsp_missing)
    if why:
        out.skipped = "; ".join(why)
        return out
    tmp = tdlib.scratch_dir("tlsdiag-%s-" % case.name)
    (tmp / "empty").mkdir()
    variables = {
        "PKI": str(opts.pki), "TMP": str(tmp), "PYTHON": tdlib.PYTHON, "BUILD": str(opts.build),
        "ROOT": str(tdlib.ROOT), "CLIENTS": str(tdlib.ROOT / "test/clients"),
        "SERVERS": str(tdlib.ROOT / "test/servers"),
    }
    if opts.ocsp is not None:
        variables["OCSP"] = str(opts.ocsp)
    server = None
    try:
        for command in case.get("setup"):
            argv = shlex.split(substitute(command, variables, case.name))
            r = tdlib.run(argv, tdlib.base_env(), timeout=120)
            if r.rc != 0:
                raise CaseError("setup %s failed: %s" % (argv[:3], r.describe()))
        if case.get("staple"):
            variables.update(staple_variables(substitute(case.get("staple"), variables, case.name)))
        server_line = case.get("server")
        if server_line != "none":
            senv = tdlib.base_env()
            if case.get("server-tlsdiag") == "yes":
                senv.update(tdlib.tlsdiag_env(opts.build, output="file:%s/server.jsonl" % tmp))
            argv = shlex.split(substitute(server_line, variables, case.name))
            server = tdlib.Server(argv, senv, tmp / "server.log")
            variables["PORT"] = str(server.port)
        client = shlex.split(substitute(case.get("client"), variables, case.name))
        cenv = tdlib.base_env()
        for assignment in case.get("env"):
            k, sep, v = assignment.partition("=")
            if not sep:
                raise CaseError("%s: env line %r is not NAME=VALUE" % (case.name, assignment))
            cenv[k.strip()] = substitute(v.strip(), variables, case.name)
        timeout = float(case.get("timeout", RUN_TIMEOUT))
        stdout_filter = STDOUT_FILTERS[case.get("compare", "exact")]

        def client_run(extra):
            env = dict(cenv)
            env.update(extra)
            return tdlib.run(client, env, timeout=timeout)

        def same(label, other, compare_stderr=True):
            same_as_baseline(out, label, a, other, compare_stderr, stdout_filter)

        a = client_run({})
        out.detail("run a: " + a.describe())
        if a.timed_out:
            out.fail("run a (no tlsdiag) timed out after %.0fs" % timeout)
            return out
        if not exit_ok(a.rc, case.get("exit")):
            out.fail("client exited %s without tlsdiag, wanted %s: %s"
                     % (a.rc, case.get("exit"), tdlib.clip(a.stderr or a.stdout, 200)))
        for key, text in (("client-output", a.stdout + a.stderr), ("client-stdout", a.stdout),
                          ("client-stderr", a.stderr)):
            for e in case.expectations(key):
                out.fail(check_regex(text, e, key.replace("-", " "), variables))
        if opts.baseline_only:
            return out

        b = client_run({"OPENSSL_CONF": str(opts.build / "openssl.cnf")})
        same("b (tlsdiag loaded, TLSDIAG unset)", b)

        events_path = tmp / "events.jsonl"
        c = client_run(tdlib.tlsdiag_env(opts.build, output="file:%s" % events_path))
        same("c (TLSDIAG=1, json to file)", c)
        events = check_events(out, "c", events_path)
        out.detail("events: " + " ".join(tdlib.clip(events_path.read_text(), 1500).split())
                   if events_path.exists() else "events: none")

        d = client_run(tdlib.tlsdiag_env(opts.build, fmt="text"))
        same("d (TLSDIAG=1, text to stderr)", d, compare_stderr=False)
        text, missing = extra_lines(stderr_canonical(d.stderr), stderr_canonical(a.stderr))
        if missing:
            out.fail("run d lost the application's own stderr lines: %r" % tdlib.clip("\n".join(missing)))
        out.detail("text: %r" % tdlib.clip(text, 1200))

        if case.silent:
            if events:
                out.fail("expected no tlsdiag output, got %d event(s): %s"
                         % (len(events), tdlib.clip(str(events[0]), 300)))
            if text:
                out.fail("expected no tlsdiag text, got %r" % tdlib.clip(text, 300))
        else:
            failed = first_event(events, "handshake_failed")
            if failed is None:
                out.fail("no handshake_failed event (got %s)"
                         % (", ".join(str(e.get("event")) for e in events) or "no events"))
            else:
                for e in case.expectations("json"):
                    out.fail(check_path(failed, e, variables))
            if not text.strip():
                out.fail("no text explanation on stderr in run d")
        for e in case.expectations("events"):
            out.fail(check_count(events, e))
        for e in case.expectations("text"):
            out.fail(check_regex(text, e, "text", variables))

        if case.get("trace") or case.get("trace-events"):
            trace_path = tmp / "trace.jsonl"
            t = client_run(tdlib.tlsdiag_env(opts.build, mode="trace", output="file:%s" % trace_path))
            same("e (TLSDIAG=trace, json to file)", t)
            tevents = check_events(out, "e", trace_path)
            out.detail("trace: " + " ".join(tdlib.clip(trace_path.read_text(), 1500).split())
                       if trace_path.exists() else "trace: none")
            first = first_event(tevents)
            if case.get("trace") and first is None:
                out.fail("trace run wrote no event")
            elif first is not None:
                for e in case.expectations("trace"):
                    out.fail(check_path(first, e, variables))
            for e in case.expectations("trace-events"):
                out.fail(check_count(tevents, e))

        if case.get("server-json"):
            # The server writes its event after sending its alert, possibly after the
            # client is gone: stop it first so everything it had to say is on disk.
            server.stop()
            sevents = check_events(out, "server", tmp / "server.jsonl")
            sfailed = first_event(sevents, "handshake_failed")
            if sfailed is None:
                out.fail("server side: no handshake_failed event")
            else:
                for e in case.expectations("server-json"):
                    out.fail(check_path(sfailed, e, variables))
    except (tdlib.ServerError, CaseError, OSError) as e:
        out.fail(str(e))
    except Exception as e:  # a harness bug must fail the case, not the whole run
        out.fail("harness error: %s: %s" % (type(e).__name__, e))
    finally:
        if server:
            server.stop()
            out.detail("server log: " + server.log_tail(4))
        out.seconds = time.monotonic() - started
        if opts.keep:
            out.detail("kept " + str(tmp))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def select_cases(directory, patterns):
    paths = sorted(Path(directory).glob("*.case"))
    if patterns:
        paths = [p for p in paths if any(fnmatch.fnmatch(p.stem, g) for g in patterns)]
    return paths


def main():
    ap = argparse.ArgumentParser(description="Run tlsdiag's end-to-end scenarios.")
    ap.add_argument("--build", default=str(tdlib.ROOT / "build"))
    ap.add_argument("--cases", "--scenario-dir", dest="cases", default=str(SCENARIO_DIR),
                    help="the directory of *.case files (default test/scenarios)")
    ap.add_argument("--jobs", "-j", type=int, default=3)
    ap.add_argument("--baseline-only", action="store_true",
                    help="run only a (no tlsdiag): checks the scenarios themselves")
    ap.add_argument("--keep", action="store_true", help="keep each case's temporary directory")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true", help="print run details for every case")
    ap.add_argument("patterns", nargs="*")
    opts = ap.parse_args()
    patterns = opts.patterns or [p for p in re.split(r"[\s,]+", os.environ.get("SCENARIOS", "")) if p]

    try:
        cases = [Case(p) for p in select_cases(opts.cases, patterns)]
    except CaseError as e:
        print("bad case file: %s" % e)
        return 2
    if opts.list:
        for c in cases:
            print("%-40s %s" % (c.name, c.description))
        return 0
    if not cases:
        print("no scenarios match %s" % (patterns or "(all)"))
        return 2

    opts.build = Path(opts.build).resolve()
    global BUILD_DIR
    BUILD_DIR = opts.build
    if not opts.baseline_only:
        for f in ("tlsdiag.so", "openssl.cnf"):
            if not (opts.build / f).exists():
                print("missing %s: run make first (or use --baseline-only)" % (opts.build / f))
                return 2
    opts.pki = tdlib.make_pki(opts.build)
    # $OCSP: test/pki/ocsp-fixtures.sh's set, made once when a selected case uses it.
    opts.ocsp, opts.ocsp_missing = None, None
    if any(c.uses_ocsp for c in cases):
        try:
            opts.ocsp = tdlib.make_ocsp_fixtures(opts.build / "ocsp" / "pki")
        except tdlib.Skip as e:
            opts.ocsp_missing = "no OCSP fixtures: %s" % e

    lock = threading.Lock()
    results = []

    def one(case):
        o = run_case(case, opts)
        with lock:
            results.append(o)
            if o.skipped:
                print("skip %s: %s" % (case.name, o.skipped), flush=True)
                return
            print("%s %s (%.1fs)" % ("ok  " if not o.reasons else "FAIL", case.name, o.seconds), flush=True)
            for r in o.reasons:
                print("     - %s" % r)
            if o.reasons or opts.verbose:
                print("     # %s" % case.description)
                for d in o.details:
                    print("     | %s" % d)
            sys.stdout.flush()

    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as pool:
        list(pool.map(one, cases))

    tally = tdlib.Tally()
    for o in results:
        tally.add(o.status)
    failed = sorted(o.case.name for o in results if o.status == "FAIL")
    if failed:
        print("failed: " + " ".join(failed))
    print(tally.line())
    return tally.status()


if __name__ == "__main__":
    sys.exit(main())
