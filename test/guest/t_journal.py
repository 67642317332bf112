# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""The journal sink against the real systemd-journald (Debian's /lib/systemd/systemd-journald,
run by the test in a mount namespace of its own: there /run/systemd and /run/log are the test's
directories and /var/log/journal an empty tmpfs, so the machine's journal is never touched; the
entries are read back with journalctl --directory). Skipped where journald or a mount namespace
is not to be had.

 1. Real failures: hshost's self-signed failure (explained at both ends) and s_client against an
    expired certificate give three entries, each sent over the native protocol
    (_TRANSPORT=journal), with PRIORITY 4, SYSLOG_IDENTIFIER, SYSLOG_FACILITY and the TLSDIAG_*
    fields; MESSAGE is the text explanation with its lines; TLSDIAG_JSON is the event, whole,
    and agrees with the fields. journalctl TLSDIAG_CAUSE=expired (the README's example) finds
    the one, TLSDIAG_CAUSE=self_signed the client's (the server end's cause is another).
 2. `journal` alone speaks to /run/systemd/journal/socket (the host runs in journald's
    namespace); facility and identity are settings.
 3. Hostile names arrive escaped: a certificate whose SANs are ESC characters (hshost
    --bulky-cert), run as an executable whose name holds an ESC, a newline and a BEL: no control
    character but MESSAGE's newlines in any field, TLSDIAG_PROGRAM and MESSAGE show the name
    escaped as the text output does, TLSDIAG_JSON the SANs as JSON escapes.
 5. An entry too big for a datagram (EMSGSIZE, made so by test/guest/emsgsize_shim.c, an
    LD_PRELOAD that fails sends over 1000 bytes as a small net.core.wmem_default would) goes
    as a sealed memfd in an empty datagram: the strict parser checks the seals, and the real
    journald takes it.
 4. A socket nobody reads (a Python server that parses the native protocol strictly as
    documented, both of its forms and the memfd): hshost fail*50 finishes, its outcome line the
    same as with tlsdiag off, and every event is accounted for: the ones that could not go are
    counted by a reports_dropped entry once the socket takes entries again.
Hosts: test/guest/hshost.c and openssl s_client against s_server."""
import fcntl
import json
import mmap
import os
import re
import select
import shutil
import socket
import subprocess
import time
from pathlib import Path

from guestlib import check, host_env
import tdlib  # noqa: E402  (on sys.path once guestlib is imported)
from t_syslog import Rsyslogd, _hshost, _json, _s_client

JOURNALD = "/lib/systemd/systemd-journald"
VERSION = (tdlib.ROOT / "VERSION").read_text().strip()
# A field name as the protocol documents it: A-Z, 0-9 and _, not first, at most 64.
FIELD_NAME = re.compile(rb"[A-Z0-9][A-Z0-9_]{0,63}")


class Journald:
    """systemd-journald in a mount namespace of its own; self.sock is its native socket as seen
    from outside, self.pid the process to nsenter for the default path."""

    def __init__(self, tmp, name):
        for tool in (JOURNALD, shutil.which("unshare") or "unshare", shutil.which("journalctl") or "journalctl"):
            if not os.access(tool, os.X_OK):
                raise tdlib.Skip("%s is not installed (Debian's systemd)" % tool)
        if os.geteuid() != 0 or not os.path.isdir("/run/systemd") or not os.path.isdir("/run/log"):
            raise tdlib.Skip("a private journald needs root and /run/systemd, /run/log to mount over")
        self.dir = Path(tmp) / name
        self.run, self.log = self.dir / "run", self.dir / "log"
        self.run.mkdir(parents=True, exist_ok=True)
        self.log.mkdir(exist_ok=True)
        self.sock = self.run / "journal" / "socket"
        script = ("mount --bind %s /run/systemd && mount --bind %s /run/log && "
                  "{ ! [ -d /var/log/journal ] || mount -t tmpfs tmpfs /var/log/journal; } && exec %s"
                  % (self.run, self.log, JOURNALD))
        self.proc = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c", script],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=tdlib.base_env(SYSTEMD_LOG_TARGET="console"))
        self.pid = self.proc.pid
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise tdlib.Skip("journald could not start here: %s"
                                 % tdlib.clip(self.proc.stdout.read().decode(errors="replace")))
            if self.sock.exists() and list(self.log.glob("journal/*/system.journal")):
                return
            time.sleep(0.05)
        self.stop()
        raise tdlib.Skip("journald did not open its socket within 10 s")

    def entries(self, *matches, count, timeout=15):
        """The entries tlsdiag wrote (journalctl -o json, TLSDIAG_VERSION set) that match, once
        count of them are there (or timeout passed), and a second more for any extra one."""
        deadline, got = time.monotonic() + timeout, []
        while len(got) < count and time.monotonic() < deadline:
            time.sleep(0.1)
            got = self._read(matches)
        time.sleep(1)
        return self._read(matches)

    def _read(self, matches):
        res = tdlib.run(["journalctl", "--directory=%s" % next(self.log.glob("journal/*")),
                         "--no-pager", "--all", "-o", "json", "TLSDIAG_VERSION=" + VERSION, *matches],
                        tdlib.base_env(), timeout=30)
        return [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]

    stop = Rsyslogd.stop  # the same: SIGTERM, SIGKILL after 10 s


def _into_journald(tmp, name, count, send):
    """A journald of its own; send(jd) runs the hosts; returns the entries once count are in."""
    jd = Journald(tmp, name)
    try:
        send(jd)
        return jd.entries(count=count)
    finally:
        jd.stop()


def _env(build, where, **extra):
    # No rate limit, no repeat folding: every failure is one event the test counts.
    return host_env(build.cnf, mode="1", output=where, window=0, TLSDIAG_RATE_LIMIT=0, **extra)


def _no_controls(entry, name):
    """Every value tlsdiag sent is a string (journalctl shows other bytes as a list) without
    control characters, but for MESSAGE's newlines. journald's own fields (_EXE, _CMDLINE: the
    raw name) are not ours."""
    for key, value in entry.items():
        if key.startswith("_"):
            continue
        check(isinstance(value, str), "%s: %s is not text: %r" % (name, key, tdlib.clip(str(value), 80)))
        allowed = "\n" if key == "MESSAGE" else ""
        bad = [c for c in value if (ord(c) < 0x20 or ord(c) == 0x7f) and c not in allowed]
        check(not bad, "%s: %s holds control characters %r" % (name, key, bad[:4]))


def _text_escaped(s):
    """td_escape's text form for ASCII (what these tests send): a control as \\xNN, a
    backslash doubled. The JSON's strings decode to the raw bytes; the fields show them so."""
    if s is None:
        return None
    check(s.isascii(), "a test value that is not ASCII: %r" % s)
    return "".join("\\x%02X" % ord(c) if ord(c) < 0x20 or ord(c) == 0x7f else
                   "\\\\" if c == "\\" else c for c in s)


def _agrees(entry):
    """The checks every event's entry must pass; returns its JSON."""
    ev = _json(entry.get("TLSDIAG_JSON", ""))
    problems = tdlib.contract_problems(ev)
    check(not problems, "TLSDIAG_JSON breaks the contract: %s" % problems)
    check(entry.get("_TRANSPORT") == "journal", "_TRANSPORT %r: not the native protocol" % entry.get("_TRANSPORT"))
    check(entry.get("TLSDIAG_EVENT") == ev["event"], "TLSDIAG_EVENT %r, JSON %r" % (entry.get("TLSDIAG_EVENT"), ev["event"]))
    for field, key in (("TLSDIAG_CAUSE", "cause"), ("TLSDIAG_SECTION", "section"), ("TLSDIAG_ROLE", "role"),
                       ("TLSDIAG_PROGRAM", "program")):
        want = _text_escaped(ev[key])
        check(entry.get(field) == want, "%s %r, the JSON's %s as text %r" % (field, entry.get(field), key, want))
    host, addr = _text_escaped(ev["peer"]["host"]), _text_escaped(ev["peer"]["addr"])
    shown = (host or "-") + (" [%s]" % addr if addr else "")
    check(entry.get("TLSDIAG_PEER") == shown, "TLSDIAG_PEER %r, the JSON's peer %r" % (entry.get("TLSDIAG_PEER"), shown))
    code = ev["verify"]["code"]
    check(entry.get("TLSDIAG_VERIFY_CODE") == (str(code) if code else None),
          "TLSDIAG_VERIFY_CODE %r, the JSON's %r" % (entry.get("TLSDIAG_VERIFY_CODE"), code))
    check(entry.get("TLSDIAG_VERSION") == VERSION, "TLSDIAG_VERSION %r" % entry.get("TLSDIAG_VERSION"))
    lines = entry.get("MESSAGE", "").split("\n")
    check(len(lines) >= 5 and lines[0].startswith("tlsdiag: ") and not entry["MESSAGE"].endswith("\n"),
          "MESSAGE is not the text explanation, line by line: %r" % tdlib.clip(entry.get("MESSAGE", ""), 200))
    check("  cause:    %s / %s" % (ev["section"], ev["cause"]) in lines,
          "MESSAGE has no cause line for %s: %r" % (ev["cause"], lines))
    return ev


def real_failures(build, tmp):
    pki = tdlib.make_pki(build.dir)
    jd = Journald(tmp, "real")
    try:
        env = _env(build, "journal:%s" % jd.sock)
        _hshost(build, env, "fail")
        srv = tdlib.SServer(["-cert", pki / "expired.crt", "-key", pki / "expired.key",
                             "-cert_chain", pki / "inter.crt"])
        try:
            _s_client(pki, env, srv.port)
        finally:
            srv.stop()
        got = jd.entries(count=3)
        expired = jd.entries("TLSDIAG_CAUSE=expired", count=1)
        self_signed = jd.entries("TLSDIAG_CAUSE=self_signed", count=1)
    finally:
        jd.stop()
    check(len(got) == 3, "%d entries for 3 events (hshost's failure at both ends, s_client's): %r"
          % (len(got), [tdlib.clip(e.get("MESSAGE", ""), 60) for e in got]))
    for entry in got:
        _agrees(entry)
        check((entry.get("PRIORITY"), entry.get("SYSLOG_IDENTIFIER"), entry.get("SYSLOG_FACILITY")) == ("4", "tlsdiag", "1"),
              "PRIORITY/SYSLOG_IDENTIFIER/SYSLOG_FACILITY %s/%s/%s, not 4/tlsdiag/1"
              % (entry.get("PRIORITY"), entry.get("SYSLOG_IDENTIFIER"), entry.get("SYSLOG_FACILITY")))
    check(len(expired) == 1 and expired[0].get("TLSDIAG_PROGRAM") == "openssl",
          "journalctl TLSDIAG_CAUSE=expired found %d entries" % len(expired))
    check(expired[0].get("TLSDIAG_PEER_HOST") == "localhost", "TLSDIAG_PEER_HOST %r" % expired[0].get("TLSDIAG_PEER_HOST"))
    # hshost's server end sees its certificate rejected: another cause, not matched.
    roles = [e.get("TLSDIAG_ROLE") for e in self_signed]
    check(roles == ["client"], "journalctl TLSDIAG_CAUSE=self_signed found roles %s" % roles)
    return "3 entries over _TRANSPORT=journal; TLSDIAG_CAUSE=expired finds 1, self_signed 1"


def default_socket(build, tmp):
    env = _env(build, "journal", TLSDIAG_SYSLOG_FACILITY="local3", TLSDIAG_SYSLOG_IDENT="tls-audit")

    def send(jd):
        res = tdlib.run(["nsenter", "-t", str(jd.pid), "-m", "--", build.prog("hshost"), "fail"], env, timeout=120)
        check(not res.timed_out and res.rc == 0, "hshost in journald's namespace: %s" % res)
    got = _into_journald(tmp, "default", 2, send)
    check(len(got) == 2, "%d entries at /run/systemd/journal/socket for one failure at both ends" % len(got))
    for entry in got:
        _agrees(entry)
        check(entry.get("SYSLOG_IDENTIFIER") == "tls-audit", "SYSLOG_IDENTIFIER %r" % entry.get("SYSLOG_IDENTIFIER"))
        check(entry.get("SYSLOG_FACILITY") == "19", "SYSLOG_FACILITY %r, not 19 (local3)" % entry.get("SYSLOG_FACILITY"))
    return "2 entries by the default path, identifier tls-audit, facility 19"


def hostile_names(build, tmp):
    # The names journal.c escapes itself come from the host: its program name, here hshost
    # copied to a name with an ESC, a newline and a BEL in it; the certificate's SANs are ESCs.
    hostile = Path(tmp) / "hs\x1b[31m\nhost\x07"
    shutil.copy(build.prog("hshost"), hostile)

    def send(jd):
        res = tdlib.run([str(hostile), "--bulky-cert", "fail"], _env(build, "journal:%s" % jd.sock), timeout=120)
        check(not res.timed_out and res.rc == 0, "hshost: %s" % res)
    got = _into_journald(tmp, "hostile", 2, send)
    check(len(got) == 2, "%d entries for one failure at both ends" % len(got))
    client = [e for e in got if e.get("TLSDIAG_ROLE") == "client"]
    check(len(client) == 1, "no client entry")
    for entry in got:
        _no_controls(entry, entry.get("TLSDIAG_ROLE"))
        _agrees(entry)
    entry = client[0]
    check(entry.get("TLSDIAG_PROGRAM") == "hs\\x1B[31m\\x0Ahost\\x07",
          "TLSDIAG_PROGRAM %r, not the escaped name" % entry.get("TLSDIAG_PROGRAM"))
    check("hs\\x1B[31m\\x0Ahost\\x07 (client)" in entry["MESSAGE"], "MESSAGE does not show the escaped name")
    check("\\u001b" in entry["TLSDIAG_JSON"], "the ESC-filled SANs are not escaped in TLSDIAG_JSON")
    return "no control character in any field; TLSDIAG_PROGRAM %s; TLSDIAG_JSON %d bytes" % (
        entry["TLSDIAG_PROGRAM"], len(entry["TLSDIAG_JSON"]))


# ---- a strict receiver for the socket nobody reads ----------------------------------------

def parse_native(data):
    """One entry of the native protocol into {name: value}, failing on anything the protocol
    does not allow: a bad name, a field twice, a binary length that overruns or is not
    followed by a newline, bytes that are not UTF-8."""
    fields, i = {}, 0
    while i < len(data):
        nl = data.find(b"\n", i)
        check(nl >= 0, "a field without its newline at byte %d" % i)
        line = data[i:nl]
        if b"=" in line:
            key, value = line.split(b"=", 1)
            i = nl + 1
        else:
            key, n = line, int.from_bytes(data[nl + 1:nl + 9], "little")
            check(nl + 9 + n < len(data) and data[nl + 9 + n] == 0x0A,
                  "%r: a binary length of %d overruns or lacks its newline" % (key, n))
            value, i = data[nl + 9:nl + 9 + n], nl + 10 + n
            check(b"\n" in value, "%r uses the binary form for a value without a newline" % key)
        check(FIELD_NAME.fullmatch(key), "%r is not a valid field name" % key)
        check(key.decode() not in fields, "%r twice" % key)
        fields[key.decode()] = value.decode("utf-8")
    return fields


def receive(sock, kinds=None):
    """Every datagram waiting on sock, parsed; a memfd must come alone and sealed. kinds, if
    given, gets "memfd" or "datagram" for each."""
    out = []
    while True:
        try:
            data, anc, _, _ = sock.recvmsg(1 << 20, socket.CMSG_SPACE(4 * 4), socket.MSG_DONTWAIT)
        except BlockingIOError:
            return out
        fds = [int.from_bytes(d[j:j + 4], "little") for lvl, typ, d in anc
               if (lvl, typ) == (socket.SOL_SOCKET, socket.SCM_RIGHTS) for j in range(0, len(d), 4)]
        check(bool(data) != bool(fds) and len(fds) <= 1, "a datagram with %d bytes and %d descriptors" % (len(data), len(fds)))
        if fds:
            seals = fcntl.fcntl(fds[0], fcntl.F_GET_SEALS)
            want = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
            check(seals & want == want, "a memfd not sealed (seals %#x)" % seals)
            with mmap.mmap(fds[0], 0, prot=mmap.PROT_READ) as m:
                data = bytes(m)
            os.close(fds[0])
        if kinds is not None:
            kinds.append("memfd" if fds else "datagram")
        out.append(parse_native(data))


def _outcome(text):
    return [line for line in text.splitlines() if line.startswith("outcome=")]


def _hshost_paused(build, env, args, between):
    """hshost ARGS with a pause among them: between() runs while it waits."""
    p = subprocess.Popen([build.prog("hshost"), *args], env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    start = time.monotonic()
    # A host stalled by the sink would never get to its pause.
    if not select.select([p.stdout], [], [], 60)[0]:
        p.kill()
        p.wait()
        raise AssertionError("hshost did not reach its pause within 60 s: stalled")
    line = p.stdout.readline()
    check(line == b"paused\n", "hshost printed %r, not paused" % line)
    between()
    try:
        out, err = p.communicate(b"\n", timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError("hshost hung")
    return p.returncode, out.decode(), time.monotonic() - start


def full_socket(build, tmp):
    path = Path(tmp) / "full.sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(str(path))
    args = ["fail*50", "pause", "fail"]
    first = []
    try:
        rc_off, out_off, took_off = _hshost_paused(
            build, host_env(build.cnf, mode="0"), args, lambda: None)
        rc, out, took = _hshost_paused(build, _env(build, "journal:%s" % path), args,
                                       lambda: first.extend(receive(srv)))
        time.sleep(0.5)
        later = receive(srv)
    finally:
        srv.close()
    check(rc == rc_off == 0, "hshost exited %d with tlsdiag, %d without" % (rc, rc_off))
    check(_outcome(out) == _outcome(out_off) and _outcome(out), "outcome %s with tlsdiag, %s without"
          % (_outcome(out), _outcome(out_off)))
    check(took < took_off + 10, "hshost took %.1f s with a full journal socket, %.1f s without" % (took, took_off))
    for entry in first + later:
        check(entry.get("PRIORITY") in ("4", "5"), "PRIORITY %r" % entry.get("PRIORITY"))
        check(json.loads(entry["TLSDIAG_JSON"])["event"] == entry["TLSDIAG_EVENT"], "TLSDIAG_JSON disagrees")
    events = [e for e in first + later if e["TLSDIAG_EVENT"] == "handshake_failed"]
    notices = [e for e in later if e["TLSDIAG_EVENT"] == "reports_dropped"]
    check(len(notices) == 1, "%d reports_dropped entries after the socket was read" % len(notices))
    dropped = int(notices[0]["TLSDIAG_COUNT"])
    check(dropped == json.loads(notices[0]["TLSDIAG_JSON"])["count"], "TLSDIAG_COUNT and the JSON's count differ")
    check(dropped > 0 and len(events) + dropped == 102,
          "%d entries arrived + %d counted dropped, for 102 events (51 failures, both ends)" % (len(events), dropped))
    check(all("\n" in e["MESSAGE"] for e in events), "a MESSAGE without its lines")
    return "%.1f s (%.1f s without tlsdiag); %d entries arrived, %d dropped and counted" % (
        took, took_off, len(events), dropped)


def memfd_entries(build, tmp):
    shim = Path(build.prog("emsgsize_shim.so"))
    check(shim.exists(), "%s is not built (journal.mk builds it)" % shim)
    path = Path(tmp) / "memfd.sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    srv.bind(str(path))
    kinds = []
    # Every entry is over 1000 bytes: each send fails as too big, and the memfd must carry it.
    small = {"LD_PRELOAD": str(shim), "EMSGSIZE_OVER": "1000"}
    try:
        _hshost(build, _env(build, "journal:%s" % path, **small), "--bulky-cert", "fail")
        time.sleep(0.2)
        parsed = receive(srv, kinds)
    finally:
        srv.close()
    check(kinds == ["memfd", "memfd"], "the entries came as %s, not two memfds" % kinds)
    for entry in parsed:
        check(json.loads(entry["TLSDIAG_JSON"])["cause"] == entry["TLSDIAG_CAUSE"], "TLSDIAG_JSON disagrees")
    got = _into_journald(tmp, "memfd", 2, lambda jd: _hshost(
        build, _env(build, "journal:%s" % jd.sock, **small), "--bulky-cert", "fail"))
    check(len(got) == 2, "journald took %d of 2 entries sent as memfds" % len(got))
    for entry in got:
        _agrees(entry)
    return "2 sealed memfds parsed strictly; journald took both (%d bytes of JSON)" % max(
        len(e["TLSDIAG_JSON"]) for e in got)


CASES = [
    ("journal: real failures into a real journald, fields and journalctl matches", real_failures),
    ("journal: `journal` speaks to /run/systemd/journal/socket; facility and identifier", default_socket),
    ("journal: hostile certificate names arrive escaped", hostile_names),
    ("journal: a socket nobody reads stalls nothing; drops are counted", full_socket),
    ("journal: an entry too big for a datagram goes as a sealed memfd", memfd_entries),
]


def cases(build, tmp):
    return [(name, fn, build, tmp) for name, fn in CASES]


TARGETS = {"check-journal": [cases]}
