# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""CPython's own TLS tests, run without tlsdiag and with it in trace mode: the per-test
outcomes must be identical, or tlsdiag changed what a host program sees.

usage: cpython_tls.py --cnf build/openssl.cnf --workdir DIR [-j N] [TEST_MODULE...]

Outcomes come from regrtest's JUnit XML (test id -> passed / skipped: reason /
failure / error), plus each module's own verdict from regrtest's progress lines,
so a module that crashes or is skipped as a whole still counts.
A difference is re-run twice per mode: it fails the check only when it reproduces
exactly; when a mode disagrees with itself the test is reported as flaky.
The trace file must hold valid tlsdiag/1 JSON lines from the test processes (read by the
tests' one reader, test/harness/tdlib.py), which proves the provider really was loaded in
the "on" run. Without CPython's test suite (libpython3.X-testsuite) it skips: exit 77.
"""
import argparse
import collections
import importlib.util
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import tdlib  # noqa: E402

DEFAULT_TESTS = [
    "test_ssl", "test_httplib", "test_urllib2_localnet", "test_ftplib", "test_poplib",
    "test_imaplib", "test_asyncio.test_ssl", "test_asyncio.test_sslproto",
    "test_asyncio.test_events", "test_asyncio.test_streams", "test_asyncio.test_sendfile",
]
# Far more handshakes than this happen in test_ssl alone; fewer means hooks were lost.
MIN_OK_EVENTS = 50
MIN_FAILED_EVENTS = 5
# More differences than this are a broken tlsdiag, not flaky tests: no re-run.
MAX_RERUN = 40
SHOW_DIFFERENCES = 40
REGRTEST_TIMEOUT = 900

MODULE_LINE = re.compile(r"\[\s*\d+/\d+(?:/\d+)?\]\s+(test[\w.]+)\s+(.*)$")


def log(msg):
    print("transparency: cpython: " + msg, flush=True)


def base_env():
    # The one scrub (tdlib.SCRUB); locale- and time-zone-dependent skips must not depend on
    # the caller's shell either.
    return tdlib.base_env(LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="UTC", PYTHONHASHSEED="0")


def mode_env(mode, cnf, events):
    env = base_env()
    if mode == "on":
        env.update(OPENSSL_CONF=cnf, TLSDIAG="trace", TLSDIAG_FORMAT="json",
                   TLSDIAG_OUTPUT="file:" + events)
    return env


def module_verdict(text):
    # "passed (31.1 sec)", "failed (2 errors)", "skipped -- reason", "resource denied ..."
    text = re.sub(r"\s*\(.*?\)\s*$", "", text.strip())
    return re.sub(r"\s+--\s.*$", "", text) or "?"


def run_regrtest(mode, tests, jobs, cnf, workdir, tag, matches=()):
    xml_path = os.path.join(workdir, "%s-%s.xml" % (tag, mode))
    out_path = os.path.join(workdir, "%s-%s.log" % (tag, mode))
    events = os.path.join(workdir, "%s-%s.events.jsonl" % (tag, mode))
    for path in (xml_path, events):
        if os.path.exists(path):
            os.unlink(path)
    cmd = [sys.executable, "-m", "test", "-u-network", "--junit-xml", xml_path,
           "--tempdir", os.path.join(workdir, "tmp-" + tag + "-" + mode)]
    # Always through worker processes: a crashing test then fails its module instead of
    # the whole run, and regrtest prints one "[n/N] module verdict" line per module.
    cmd += ["-j%d" % max(1, jobs)]
    for m in matches:
        cmd += ["-m", m]
    cmd += list(tests)
    t0 = time.monotonic()
    with open(out_path, "w") as out:
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                env=mode_env(mode, cnf, events), cwd=workdir,
                                timeout=REGRTEST_TIMEOUT).returncode
        except subprocess.TimeoutExpired:
            # Whatever finished is still compared; the rest shows up as absent.
            out.write("\n*** killed after %ds\n" % REGRTEST_TIMEOUT)
            rc = -1
    took = time.monotonic() - t0
    outcomes = {}
    if os.path.exists(xml_path):
        for n, case in enumerate(ET.parse(xml_path).getroot().iter("testcase")):
            # regrtest writes a bare <testcase/> for a module whose worker failed to
            # report; it still has to count, under a name of its own.
            name = case.get("name") or "(unnamed testcase #%d)" % n
            outcome = "passed"
            for child in case:
                if child.tag == "skipped":
                    reason = (child.text or child.get("message") or "").strip()
                    outcome = "skipped: " + reason
                    break
                if child.tag in ("failure", "error"):
                    outcome = child.tag
                    break
            outcomes[name] = outcome
    modules = {}
    with open(out_path) as out:
        for line in out:
            m = MODULE_LINE.search(line)
            if m:
                modules[m.group(1)] = module_verdict(m.group(2))
    for t in tests:
        # A module missing from the progress lines never ran: that must not compare equal.
        modules.setdefault(t, "no verdict (see %s)" % out_path)
    return {"outcomes": outcomes, "modules": modules, "rc": rc,
            "took": took, "log": out_path, "events": events}


def check_events(path, full_set):
    """Problems with the trace file, and a summary line. The event counts are only
    known well enough to bound when test_ssl ran."""
    min_ok, min_failed = (MIN_OK_EVENTS, MIN_FAILED_EVENTS) if full_set else (1, 0)
    problems = []
    if not os.path.exists(path):
        return ["no trace file %s: tlsdiag was not loaded, or wrote nothing" % path], ""
    counts = collections.Counter()
    programs = collections.Counter()
    events, bad = tdlib.read_events(path)
    problems.extend(bad[:5])
    if bad:
        counts["invalid"] = len(bad)
    for event in events:
        counts[event.get("event")] += 1
        programs[event.get("program")] += 1
    if counts["invalid"]:
        problems.append("%d problems in %s: lines that are not whole tlsdiag/1 JSON objects"
                        % (counts["invalid"], path))
    if counts["handshake_ok"] < min_ok:
        problems.append("only %d handshake_ok events in trace mode (expected >= %d)"
                        % (counts["handshake_ok"], min_ok))
    if counts["handshake_failed"] < min_failed:
        problems.append("only %d handshake_failed events (test_ssl fails more handshakes "
                        "than %d on purpose)" % (counts["handshake_failed"], min_failed))
    if not any(p and p.startswith("python") for p in programs):
        problems.append("no event names a python program: %s" % dict(programs))
    summary = "%d events (%s) from %s" % (
        sum(counts.values()), ", ".join("%s %d" % kv for kv in sorted(counts.items())),
        ", ".join("%s %d" % kv for kv in programs.most_common()))
    return problems, summary


def differences(off, on):
    diff = {}
    for key in ("outcomes", "modules"):
        for name in sorted(set(off[key]) | set(on[key])):
            a, b = off[key].get(name, "absent"), on[key].get(name, "absent")
            if a != b:
                diff[name] = (a, b)
    return diff


def module_of(name, tests):
    for t in sorted(tests, key=len, reverse=True):
        if name == t or name.startswith("test." + t + "."):
            return t
    return name


def rerun_differences(diff, tests, cnf, workdir):
    """Splits differences into (reproducible, flaky), each name -> outcomes per mode."""
    if not diff:
        return {}, {}
    if len(diff) > MAX_RERUN:
        log("%d differences: too many to be flaky tests, not re-running them" % len(diff))
        return {n: {"off": [a], "on": [b]} for n, (a, b) in diff.items()}, {}
    log("%d differences in the first pass; re-running them twice per mode" % len(diff))
    modules = sorted({module_of(n, tests) for n in diff})
    # A whole-module difference (crash, skip) needs the whole module; otherwise
    # only the differing tests are re-run.
    whole = any(m in diff and not any(n.startswith("test." + m + ".") for n in diff)
                for m in modules)
    matches = () if whole else sorted(n for n in diff if n not in modules)
    seen = {n: {"off": [a], "on": [b]} for n, (a, b) in diff.items()}
    for attempt in (1, 2):
        for mode in ("off", "on"):
            res = run_regrtest(mode, modules, 1, cnf, workdir, "rerun%d" % attempt, matches)
            for n in diff:
                got = res["outcomes"].get(n) or res["modules"].get(n) or "absent"
                seen[n][mode].append(got)
    confirmed = {n: s for n, s in seen.items()
                 if len(set(s["off"])) == 1 and len(set(s["on"])) == 1}
    flaky = {n: s for n, s in seen.items() if n not in confirmed}
    return confirmed, flaky


def tally(outcomes):
    c = collections.Counter(o.split(":")[0] for o in outcomes.values())
    return ", ".join("%d %s" % (n, k) for k, n in sorted(c.items()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cnf", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("tests", nargs="*")
    args = ap.parse_args()
    tests = args.tests or DEFAULT_TESTS
    cnf = os.path.abspath(args.cnf)
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)

    version = "%d.%d" % sys.version_info[:2]
    for mod in ("test.libregrtest", "test.test_ssl"):
        if importlib.util.find_spec(mod) is None:
            log("skip: %s has no %s: install libpython%s-testsuite" % (sys.executable, mod, version))
            return tdlib.EXIT_SKIP
    if not os.path.exists(cnf):
        log("FAIL: %s does not exist (run make first)" % cnf)
        return 1

    log("running %s with %s (-j%d), without tlsdiag then with it"
        % (" ".join(tests), sys.executable, args.jobs))
    off = run_regrtest("off", tests, args.jobs, cnf, workdir, "full")
    on = run_regrtest("on", tests, args.jobs, cnf, workdir, "full")
    failed = False
    for mode, res in (("off", off), ("on", on)):
        log("%-3s: %d test ids (%s) in %.0fs, regrtest exit %d; log %s"
            % (mode, len(res["outcomes"]), tally(res["outcomes"]), res["took"], res["rc"], res["log"]))

    if len(off["outcomes"]) < 100 or "passed" not in off["outcomes"].values():
        log("FAIL: the run without tlsdiag produced %d results; the comparison would prove "
            "nothing (see %s)" % (len(off["outcomes"]), off["log"]))
        failed = True

    problems, summary = check_events(on["events"], "test_ssl" in tests)
    log("trace file: " + (summary or "absent"))
    for p in problems:
        log("FAIL: " + p)
    failed = failed or bool(problems)

    diff = differences(off, on)
    confirmed, flaky = rerun_differences(diff, tests, cnf, workdir)
    for n, s in flaky.items():
        log("flaky (a mode disagrees with itself, not counted): %s\n    off: %s\n    on:  %s"
            % (n, s["off"], s["on"]))
    for n, s in list(confirmed.items())[:SHOW_DIFFERENCES]:
        log("FAIL: %s differs:\n    without tlsdiag: %s\n    with tlsdiag:    %s"
            % (n, s["off"][0], s["on"][0]))
    if len(confirmed) > SHOW_DIFFERENCES:
        log("... and %d more differences (logs: %s, %s)"
            % (len(confirmed) - SHOW_DIFFERENCES, off["log"], on["log"]))
    failed = failed or bool(confirmed)

    # Tests failing identically in both runs are not tlsdiag's doing, but say so.
    broken = sorted(n for n, o in off["outcomes"].items()
                    if o in ("failure", "error") and n not in diff)
    for n in broken:
        log("note: fails with and without tlsdiag alike: %s" % n)
    reasons = collections.Counter(o[len("skipped: "):] for n, o in off["outcomes"].items()
                                  if o.startswith("skipped: "))
    log("skipped without tlsdiag, by reason:")
    for reason, n in reasons.most_common():
        print("    %4d  %s" % (n, reason))
    ids = set(off["outcomes"]) | set(on["outcomes"])
    same = sum(1 for n in ids if off["outcomes"].get(n) == on["outcomes"].get(n))
    log("%s: %d test ids in %d modules compared, %d identical, %d differences, "
        "%d flaky" % ("FAIL" if failed else "PASS", len(ids), len(off["modules"]), same,
                      len(confirmed), len(flaky)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
