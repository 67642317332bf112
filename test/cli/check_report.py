#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-report: `tlsdiag report` over real events from real failing handshakes.

Two "hosts" are made from real runs with tlsdiag on (TLSDIAG_FORMAT=json, a file sink):
  web1.jsonl  test/guest/hshost 'fail*3' (client and server in one process: 3 self_signed,
              3 peer_rejected_our_certificate), two `openssl s_client` handshakes with an
              `s_server` that serves the test PKI's expired certificate (-servername localhost)
  web2.jsonl  hshost 'fail*2', one s_client against the same server (-servername
              other.example), and hshost 'fail*3' with a 60 s repeat window: one explanation
              and a repeat_summary of 2 per side
The report's counts are checked against these known numbers and against the events themselves
(read with Python's json module); then --json, --since, stdin, skipped lines, a hostile line,
syslog-prefixed lines (BSD, RFC 3339 and RFC 5424), reports_dropped, the caps and usage errors.
Usage: check_report.py --build BUILD [-k SUBSTRING]
"""
import datetime
import json
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True
sys.path.insert(0, str(HERE.parent / "harness"))
import tdlib  # noqa: E402
import check_cli  # noqa: E402  (its expect, Failure and test runner)

expect = check_cli.expect


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ctx:
    def __init__(self, build):
        self.build = Path(build).resolve()
        self.exe = str(self.build / "tlsdiag")
        self.scratch = tdlib.scratch_dir("tlsdiag-report-")
        self.pki = tdlib.make_pki(self.build)
        self.made = False

    def report(self, *args, stdin=None, timeout=30):
        if stdin is None:
            return tdlib.run([self.exe, "report"] + list(args), tdlib.base_env(), timeout=timeout)
        with open(stdin, "rb") as f:
            return tdlib.run([self.exe, "report"] + list(args), tdlib.base_env(), timeout=timeout, stdin=f)

    def on(self, path, window=0):
        return tdlib.base_env(**tdlib.tlsdiag_env(self.build, output="file:%s" % path, window=window))

    def hshost(self, path, steps, window=0):
        r = tdlib.run([self.build / "guest" / "hshost", steps], self.on(path, window))
        expect(r.rc == 0 and "outcome=" + "F" * int(steps.split("*")[1]) in r.stdout, "hshost %s" % steps, r)

    def s_client(self, path, port, servername):
        r = tdlib.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername", servername,
                       "-CAfile", self.pki / "root.crt", "-verify_return_error"], self.on(path))
        expect(r.rc != 0 and "certificate has expired" in r.stdout + r.stderr, "s_client to the expired server", r)

    def events(self):
        """Make web1.jsonl and web2.jsonl once (real handshakes); return their paths."""
        self.web1, self.web2 = self.scratch / "web1.jsonl", self.scratch / "web2.jsonl"
        if self.made:
            return self.web1, self.web2
        pki = self.pki
        with tdlib.SServer(["-cert", pki / "expired.crt", "-key", pki / "expired.key",
                            "-cert_chain", pki / "inter.crt"]) as srv:
            self.hshost(self.web1, "fail*3")
            self.s_client(self.web1, srv.port, "localhost")
            self.s_client(self.web1, srv.port, "localhost")
            time.sleep(1.1)  # so that a cause's first and last times differ
            self.hshost(self.web2, "fail*2")
            self.s_client(self.web2, srv.port, "other.example")
        time.sleep(1.1)
        self.hshost(self.web2, "fail*3", window=60)
        self.port = srv.port
        self.made = True
        return self.web1, self.web2


def read_events(*paths):
    out = []
    for p in paths:
        for line in Path(p).read_text().splitlines():
            ev = json.loads(line)
            expect(ev["schema"] == "tlsdiag/1", "%s: a tlsdiag/1 event" % p)
            out.append((Path(p).stem, ev))
    return out


def expected(events):
    """What the report must say, computed from the events themselves."""
    causes = {}
    for host, ev in events:
        if ev["event"] not in ("handshake_failed", "repeat_summary"):
            continue
        c = causes.setdefault("%s / %s" % (ev["section"], ev["cause"]),
                              {"failures": 0, "hosts": {}, "programs": {}, "peers": {}, "times": []})
        n = ev.get("count", 1) if ev["event"] == "repeat_summary" else 1
        c["failures"] += n
        for key, name in (("hosts", host), ("programs", ev["program"]),
                          ("peers", ev["peer"]["host"] or ev["peer"]["addr"])):
            c[key][name] = c[key].get(name, 0) + n
        c["times"].append(ev["time"])
    return causes


CAUSE_LINE = re.compile(r"^(\S+ / \S+): (\d+) failures?, (\d+) hosts?, (\d+) programs?$")


def parse_text(text):
    """The text report as {cause: {failures, hosts, programs, since, last, peers, program_list,
    host_list}} plus its header line."""
    lines = text.splitlines()
    causes, cur = {}, None
    for line in lines[1:]:
        m = CAUSE_LINE.match(line)
        if m:
            cur = causes[m.group(1)] = {"failures": int(m.group(2)), "hosts": int(m.group(3)),
                                        "programs": int(m.group(4))}
            continue
        m = re.match(r"^  since +(\S+), last (\S+)$", line)
        if m and cur is not None:
            cur["since"], cur["last"] = m.group(1), m.group(2)
            continue
        m = re.match(r"^  (peers|programs|hosts): +(.*)$", line)
        if m and cur is not None:
            cur[m.group(1) + "_list"] = m.group(2)
    return lines[0] if lines else "", causes


def names(listing):
    """ "a (3), b (1), 2 more (4)" as [("a", 3), ("b", 1), ("2 more", 4)]."""
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r"(?:^|, )(.+?) \((\d+)\)", listing)]


def test_real_events(ctx):
    web1, web2 = ctx.events()
    evs = read_events(web1, web2)
    kinds = sorted(set(ev["event"] for _, ev in evs))
    expect(kinds == ["handshake_failed", "repeat_summary"], "the runs gave failures and summaries: %s" % kinds)
    want = expected(evs)
    # The runs' known numbers: the events are what the handshakes should have produced.
    known = {"CERTIFICATE_VERIFY_FAILED / self_signed": 8, "OTHER / peer_rejected_our_certificate": 8,
             "CERTIFICATE_VERIFY_FAILED / expired": 3}
    expect({k: v["failures"] for k, v in want.items()} == known,
           "the real events hold %s" % {k: v["failures"] for k, v in want.items()})
    r = ctx.report(web1, web2)
    expect(r.rc == 1, "failures give exit 1", r)
    header, got = parse_text(r.stdout)
    expect(header.startswith("tlsdiag report: 19 failures in 3 causes, 2 hosts, 2 programs, "),
           "header totals: %r" % header, r)
    alltimes = sorted(ev["time"] for _, ev in evs)
    expect(header.endswith("%s -> %s" % (alltimes[0], alltimes[-1])), "header span: %r" % header)
    expect(list(got) == ["CERTIFICATE_VERIFY_FAILED / self_signed", "OTHER / peer_rejected_our_certificate",
                         "CERTIFICATE_VERIFY_FAILED / expired"], "causes by total, then name: %s" % list(got), r)
    for cause, w in want.items():
        g = got[cause]
        expect(g["failures"] == w["failures"], "%s: %d failures, want %d" % (cause, g["failures"], w["failures"]))
        expect(g["hosts"] == 2 == len(w["hosts"]), "%s: on both hosts, got %d" % (cause, g["hosts"]))
        expect(g["programs"] == len(w["programs"]) == 1, "%s: %d programs" % (cause, g["programs"]))
        expect(g["since"] == min(w["times"]) and g["last"] == max(w["times"]),
               "%s: since %s last %s, want %s %s" % (cause, g["since"], g["last"], min(w["times"]), max(w["times"])))
        want_hosts = sorted(w["hosts"].items(), key=lambda kv: (-kv[1], kv[0]))
        expect(names(g["hosts_list"]) == want_hosts, "%s: hosts %s, want %s" % (cause, g["hosts_list"], want_hosts))
        want_peers = sorted(w["peers"].items(), key=lambda kv: (-kv[1], kv[0]))
        expect(names(g["peers_list"]) == want_peers, "%s: peers %s, want %s" % (cause, g["peers_list"], want_peers))
        expect(names(g["programs_list"]) == list(w["programs"].items()), "%s: programs %s" % (cause, g["programs_list"]))
    expect(names(got["CERTIFICATE_VERIFY_FAILED / expired"]["peers_list"]) == [("localhost", 2), ("other.example", 1)],
           "expired: the s_client peers by count", r)
    expect(got["CERTIFICATE_VERIFY_FAILED / expired"]["programs_list"] == "openssl (3)", "expired: openssl", r)
    expect(names(got["CERTIFICATE_VERIFY_FAILED / self_signed"]["hosts_list"]) == [("web2", 5), ("web1", 3)],
           "self_signed: web2 has 2 + 1 + a summary of 2, web1 3", r)
    ss = got["CERTIFICATE_VERIFY_FAILED / self_signed"]
    expect(ss["since"] < ss["last"], "self_signed spans the runs: %s to %s" % (ss["since"], ss["last"]))
    expect(not r.stderr, "nothing skipped, nothing on stderr", r)
    # --top 1: the first peer and host, the rest summed.
    r = ctx.report("--top", "1", web1, web2)
    _, got = parse_text(r.stdout)
    expect(got["CERTIFICATE_VERIFY_FAILED / expired"]["peers_list"] == "localhost (2), 1 more (1)",
           "--top 1 lists one peer and the rest", r)
    expect(got["CERTIFICATE_VERIFY_FAILED / expired"]["hosts_list"] == "web1 (2), 1 more (1)", "--top 1 hosts", r)
    # The order of the files changes nothing.
    expect(ctx.report(web2, web1).stdout == ctx.report(web1, web2).stdout, "the files' order does not matter")


def test_json_matches_text(ctx):
    web1, web2 = ctx.events()
    r = ctx.report("--json", web1, web2)
    expect(r.rc == 1, "--json: exit 1 too", r)
    doc = json.loads(r.stdout)
    expect(r.stdout.count("\n") == 1, "one JSON object, one line", r)
    expect(doc["schema"] == "tlsdiag-report/1" and doc["tlsdiag"] == tdlib.TLSDIAG_VERSION, "schema and version", r)
    expect(doc["failures"] == 19 and doc["hosts"] == 2 and doc["programs"] == 2 and doc["dropped"] == 0
           and doc["skipped_lines"] == 0 and doc["capped"] == [] and doc["since"] is None, "totals: %s" % doc)
    expect([h["name"] for h in doc["host_list"]] == ["web2", "web1"], "fleet hosts: %s" % doc["host_list"])
    _, text = parse_text(ctx.report(web1, web2).stdout)
    expect(len(doc["causes"]) == len(text) == 3, "three causes in both")
    for c, (name, t) in zip(doc["causes"], text.items()):
        expect("%s / %s" % (c["section"], c["cause"]) == name, "the same order: %s, %s" % (c["cause"], name))
        expect((c["failures"], c["hosts"], c["programs"], c["first"], c["last"]) ==
               (t["failures"], t["hosts"], t["programs"], t["since"], t["last"]), "%s: json %s, text %s" % (name, c, t))
        expect([(p["name"], p["failures"]) for p in c["top_peers"]] == names(t["peers_list"]), "%s: peers" % name)
        expect([(p["name"], p["failures"]) for p in c["program_list"]] == names(t["programs_list"]), "%s: programs" % name)
    expect(sum(c["failures"] for c in doc["causes"]) == doc["failures"], "the causes add up to the total")
    doc = json.loads(ctx.report("--json", "--top", "0", web1, web2).stdout)
    expect(all(c["top_peers"] == [] for c in doc["causes"]) and doc["top"] == 0, "--top 0: no peers listed")


def test_since(ctx):
    web1, web2 = ctx.events()
    future = rfc3339(time.time() + 86400)
    for since in (future, future.replace("Z", "+00:00"), "2099-01-01T00:00:00.5+02:00"):
        r = ctx.report("--since", since, web1, web2)
        expect(r.rc == 0, "--since %s: no failures, exit 0" % since, r)
        expect(r.stdout.startswith("tlsdiag report: no failures (events since "), "says so: %r" % r.stdout, r)
        expect(json.loads(ctx.report("--json", "--since", since, web1, web2).stdout)["failures"] == 0, "--json too")
    r = ctx.report("--since", "1h", web1, web2)
    expect(r.rc == 1 and "19 failures" in r.stdout.splitlines()[0], "--since 1h keeps every event", r)
    evs = read_events(web1, web2)
    last = max(ev["time"] for _, ev in evs)
    doc = json.loads(ctx.report("--json", "--since", last, web1, web2).stdout)
    want = sum(ev.get("count", 1) for _, ev in evs if ev["time"] >= last)
    expect(doc["failures"] == want and doc["since"] == last, "--since the last time: %d, want %d" % (doc["failures"], want))
    for bad in ("yesterday", "1y", "2026-13-01T00:00:00Z", "2026-12-02T03:00:00", "-1h", ""):
        r = ctx.report("--since", bad, web1)
        expect(r.rc == 2 and "--since" in r.stderr and not r.stdout, "--since %r is a usage error" % bad, r)


def test_stdin(ctx):
    web1, web2 = ctx.events()
    r = ctx.report(stdin=web1)
    expect(r.rc == 1 and "8 failures in 3 causes, 1 host, 2 programs" in r.stdout, "stdin", r)
    expect("  hosts:    stdin (3)" in r.stdout, "stdin's host is 'stdin'", r)
    r = ctx.report("-", web2, stdin=web1)
    expect("19 failures in 3 causes, 2 hosts" in r.stdout, "'-' among files", r)


def test_skipped_lines(ctx):
    web1, _ = ctx.events()
    lines = web1.read_text().splitlines()
    bad = ctx.scratch / "mixed.log"
    bad.write_text("\n".join([lines[0], "this is not JSON", lines[1][: len(lines[1]) // 2], "",
                              '{"schema":"other/1","event":"handshake_failed","time":"2026-12-02T00:00:00Z"}',
                              lines[1].replace('"tlsdiag/1"', '"tlsdiag/1","schema":"x"'),
                              '[1,2]', lines[2] + " trailing"] + lines[1:]) + "\n")
    r = ctx.report("--json", bad)
    doc = json.loads(r.stdout)
    expect(doc["skipped_lines"] == 6, "6 lines skipped, the blank one not: %d" % doc["skipped_lines"], r)
    expect(doc["failures"] == len(lines), "every real line counted once: %d" % doc["failures"], r)
    err = r.stderr.splitlines()
    expect(len(err) == 1 and "skipped 6 lines that are not tlsdiag/1 events" in err[0] and "mixed.log:2" in err[0],
           "one stderr line with the count and the first", r)
    long_line = ctx.scratch / "long.jsonl"
    long_line.write_text('{"x":"%s"}\n%s\n' % ("a" * 70000, lines[0]))
    r = ctx.report("--json", long_line)
    expect(json.loads(r.stdout)["skipped_lines"] == 1 and json.loads(r.stdout)["failures"] == 1,
           "a line over 64 KiB is skipped, the next one read", r)


def test_hostile_strings(ctx):
    web1, _ = ctx.events()
    ev = json.loads(web1.read_text().splitlines()[0])
    ev["program"] = "evil\x1b[31m\nFAKE / forged: 999 failures\u202eexe"
    ev["peer"] = {"host": "db\r\n  peers:    x (1)\u202e\u200b.example", "addr": None}
    path = ctx.scratch / "evil.jsonl"
    path.write_text(json.dumps(ev) + "\n")
    r = ctx.report(path)
    expect(r.rc == 1, "a hostile event is still a failure", r)
    for ch in "\x1b\r\u202e\u200b":
        expect(ch not in r.stdout, "%r is not printed raw" % ch, r)
    expect(r.stdout.count("\n") == len(r.stdout.splitlines()) and len(r.stdout.splitlines()) == 7,
           "no forged lines: %d" % len(r.stdout.splitlines()), r)
    expect("evil\\x1B[31m\\x0AFAKE / forged: 999 failures\\u{202E}exe (1)" in r.stdout, "program escaped", r)
    expect("db\\x0D\\x0A  peers:    x (1)\\u{202E}\\u{200B}.example (1)" in r.stdout, "peer escaped", r)
    doc = json.loads(ctx.report("--json", path).stdout)
    c = doc["causes"][0]
    expect(c["program_list"][0]["name"] == ev["program"] and c["top_peers"][0]["name"] == ev["peer"]["host"],
           "--json: the strings round-trip through JSON escapes: %r" % c["program_list"][0]["name"])
    raw = ctx.report("--json", path).stdout
    expect("\u202e" not in raw and "\x1b" not in raw, "--json carries no raw control or bidi character")


def test_syslog_prefixes(ctx):
    web1, _ = ctx.events()
    lines = web1.read_text().splitlines()
    path = ctx.scratch / "central.log"
    forms = ["Dec  2 03:19:52 db1 tlsdiag[123]: %s",                              # rsyslog's file format
             "<12>Dec 02 03:19:52 db1 tlsdiag[123]: %s",                         # with its priority
             "2026-12-02T03:19:52.123456+00:00 db2 tlsdiag[124]: %s",            # RSYSLOG_FileFormat
             "<12>1 2026-12-02T03:19:52+00:00 db3 tlsdiag 125 - - %s",           # RFC 5424
             '<12>1 2026-12-02T03:19:52Z db3 tlsdiag 125 ID [x@1 a="]\\"]"] \ufeff%s',  # SD and a BOM
             "<12>Dec  2 03:19:52 tlsdiag[126]: %s",                             # syslog(3) local: no host
             "2026-12-02T03:19:52.123456+00:00 db2 tlsdiag[127] %s"]            # 5424 in RSYSLOG_FileFormat
    path.write_text("".join(f % lines[0] + "\n" for f in forms) + "Dec  2 03:19:52 db1 sshd[1]: not tlsdiag\n"
                    + "<12>1 2026-12-02T03:19:52Z db3 app - - - {\"schema\":\"tlsdiag/1\"\n"
                    + "Dec 42 03:19:52 db1 tlsdiag[1]: %s\n" % lines[0])
    r = ctx.report("--json", path)
    doc = json.loads(r.stdout)
    expect(doc["failures"] == 7, "every prefixed form read: %d" % doc["failures"], r)
    expect(doc["skipped_lines"] == 3, "a non-JSON message, a cut one and a bad date skipped: %d" % doc["skipped_lines"], r)
    hosts = {h["name"]: h["failures"] for h in doc["host_list"]}
    expect(hosts == {"db1": 2, "db2": 2, "db3": 2, "central": 1}, "hosts from the prefixes: %s" % hosts, r)


def test_dropped(ctx):
    web1, _ = ctx.events()
    path = ctx.scratch / "drops.jsonl"
    path.write_text('{"schema":"tlsdiag/1","tlsdiag":"0.1.0","event":"reports_dropped","time":"2026-12-02T03:00:00Z",'
                    '"pid":1,"count":7}\n'
                    '{"schema":"tlsdiag/1","event":"handshake_ok","time":"2026-12-02T03:00:01Z","pid":1,'
                    '"program":"p","role":"client","peer":{"host":"h","addr":null}}\n')
    r = ctx.report(path)
    expect(r.rc == 0 and r.stdout.startswith("tlsdiag report: no failures, "), "drops alone: exit 0", r)
    expect("  not seen: 7 dropped (reports_dropped)" in r.stdout, "the drops said", r)
    r = ctx.report("--json", path, web1)
    doc = json.loads(r.stdout)
    expect(r.rc == 1 and doc["dropped"] == 7 and doc["failures"] == 8, "drops apart from failures: %s" % doc, r)
    path.write_text('{"schema":"tlsdiag/1","event":"reports_dropped","time":"2026-12-02T03:00:00Z","count":0}\n')
    expect(json.loads(ctx.report("--json", path).stdout)["skipped_lines"] == 1, "a count of 0 is not an event")


def test_caps(ctx):
    path = ctx.scratch / "many.jsonl"
    ev = {"schema": "tlsdiag/1", "event": "handshake_failed", "time": "2026-12-02T03:00:00Z", "program": "p",
          "role": "client", "section": "OTHER"}
    with open(path, "w") as f:
        for i in range(1005):
            f.write(json.dumps(dict(ev, cause="c%04d" % i, peer={"host": "h", "addr": None})) + "\n")
        for i in range(1003):
            f.write(json.dumps(dict(ev, cause="c0000", peer={"host": "peer%04d" % i, "addr": None})) + "\n")
    r = ctx.report("--json", path, timeout=60)
    doc = json.loads(r.stdout)
    expect(doc["failures"] == 2008 and doc["causes_total"] == 1000 and doc["uncounted"] == 5,
           "1000 causes told apart, the other 5's failures in the total: %s" % {k: doc[k] for k in ("failures", "causes_total", "uncounted")}, r)
    expect(doc["capped"] == ["causes", "peers"], "the caps hit: %s" % doc["capped"], r)
    c0 = [c for c in doc["causes"] if c["cause"] == "c0000"][0]
    expect(c0["failures"] == 1004 and c0["peers"] == 1000, "c0000: 1004 failures, 1000 peers told apart: %s" % c0["peers"])
    r = ctx.report(path, timeout=60)
    expect("  over 1000 causes: 5 failures of the others counted in the total only" in r.stdout, "text says the cause cap", r)
    expect("  over 1000 peers for one cause (or the fleet)" in r.stdout, "text says the peer cap", r)


def test_usage(ctx):
    r = ctx.report("--help")
    expect(r.rc == 0 and "exit status: 0 when the input holds no failures, 1 when" in r.stdout, "--help: exit status", r)
    for opt in ("--json", "--since TIME", "--top N"):
        expect(opt in r.stdout, "--help lists %s" % opt, r)
    top = tdlib.run([ctx.exe, "--help"])
    expect("  report [--json] [--since TIME] [--top N] [FILE...]" in top.stdout, "tlsdiag --help lists report", top)
    for args in (["--top", "x"], ["--top", "1001"], ["--top", "-1"], ["--bogus"], ["--since"], ["--color=red"]):
        r = ctx.report(*args)
        expect(r.rc == 2 and not r.stdout and r.stderr.startswith("tlsdiag: report: "), "%s: usage error" % args, r)
    r = ctx.report(str(ctx.scratch / "missing.jsonl"))
    expect(r.rc == 2 and "cannot read" in r.stderr and not r.stdout, "a missing file: exit 2", r)
    empty = ctx.scratch / "empty.jsonl"
    empty.write_text("")
    r = ctx.report(empty)
    expect(r.rc == 0 and r.stdout == "tlsdiag report: no failures\n" and not r.stderr, "empty input", r)


TESTS = [test_real_events, test_json_matches_text, test_since, test_stdin, test_skipped_lines,
         test_hostile_strings, test_syslog_prefixes, test_dropped, test_caps, test_usage]


def main():
    return check_cli.run_tests("check-report", Ctx, TESTS, (KeyError, ValueError))


if __name__ == "__main__":
    sys.exit(main())
