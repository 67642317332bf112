# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""Secrets and privilege: the log file is private and never reached through a symlink; a setuid
program is not steered by its caller's TLSDIAG variables; no key or TLS secret is ever printed.
The host is test/guest/hshost.c."""
import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from guestlib import ROOT, Skip, as_steps, check, read_jsonl, host_env, warning_lines

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


def _host(argv, env, timeout=60):
    p = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def file_mode_0600(build, tmp):
    log = tmp / "private.jsonl"
    argv = ["sh", "-c", 'umask 000; exec "$0" "$@"', build.prog("hshost"), "fail", "ok"]
    rc, out, err = _host(argv, host_env(build.cnf, mode="trace", output=f"file:{log}"))
    check(rc == 0, f"host exit {rc}: {out} {err}")
    check(log.exists() and len(read_jsonl(log)) == 4, "the log file was not written")
    mode = stat.S_IMODE(log.stat().st_mode)
    check(mode == 0o600, f"log file created with mode {oct(mode)} under umask 000, expected 0600")


def symlink_not_followed(build, tmp, dangling):
    d = tmp / ("dangling" if dangling else "symlink")
    d.mkdir()
    victim = d / "victim"
    if not dangling:
        victim.write_text("the host's own file\n")
    link = d / "tlsdiag.log"
    link.symlink_to(victim)
    argv = [build.prog("hshost"), "fail", "ok"]
    rc, out, err = _host(argv, host_env(build.cnf, mode="trace", output=f"file:{link}"))
    rc_off, out_off, _ = _host(argv, host_env(build.cnf, mode="0"))
    check((rc, out) == (rc_off, out_off), f"host differs: {rc} {out!r} vs off {rc_off} {out_off!r}")
    check(link.is_symlink(), "the symlink was replaced")
    if dangling:
        check(not victim.exists(), "tlsdiag created the symlink's target")
    else:
        content = victim.read_bytes()
        check(content == b"the host's own file\n", f"tlsdiag wrote through the symlink: {content[:200]!r}")
    check(len(warning_lines(err)) <= 1, f"warnings: {warning_lines(err)}")
    return f"warning: {warning_lines(err)}"


class SetuidCopy:
    """A setuid-root copy of hshost, in a directory everyone can reach, with two configs:
    plain (mode from the environment only) and one that switches tlsdiag on by itself."""

    def __init__(self, build):
        if os.geteuid() != 0:
            raise Skip("making a setuid-root copy needs root")
        self.dir = Path(tempfile.mkdtemp(prefix="tlsdiag-setuid-"))
        os.chmod(self.dir, 0o755)
        self.bin = self.dir / "hshost"
        shutil.copy(build.prog("hshost"), self.bin)
        os.chown(self.bin, 0, 0)
        os.chmod(self.bin, 0o4755)
        self.cnf_plain = self.dir / "plain.cnf"
        shutil.copy(build.cnf, self.cnf_plain)
        self.cnf_on = self.dir / "on.cnf"
        system_cnf = subprocess.run(["openssl", "version", "-d"], capture_output=True, text=True).stdout
        system_cnf = re.search(r'"(.*)"', system_cnf).group(1) + "/openssl.cnf"
        # build-tsan has no command of its own: its config is written by build/'s.
        cli = build.dir / "tlsdiag"
        cli = cli if cli.exists() else ROOT / "build" / "tlsdiag"
        with open(self.cnf_on, "w") as f:
            subprocess.run([str(cli), "config", "--mode", "1", "--module", str(build.so), system_cnf],
                           stdout=f, check=True)
        for c in (self.cnf_plain, self.cnf_on):
            os.chmod(c, 0o644)
        # Only root may write here: a setuid-root process could, a caller could not.
        self.private = self.dir / "root-only"
        self.private.mkdir(mode=0o700)

    def run(self, as_nobody, cnf, env):
        argv = (NOBODY if as_nobody else []) + [str(self.bin), "--print-ids", "--config", str(cnf), "fail", "ok"]
        return _host(argv, env)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def _steering_env(build, target):
    env = host_env(build.cnf, mode="trace", fmt="json", output=f"file:{target}")
    env.pop("OPENSSL_CONF")   # the program loads its config itself (--config)
    return env


def setuid_ignores_env(build, tmp):
    s = SetuidCopy(build)
    try:
        # Control: the same binary, not elevated (run by root), follows the variables. Without
        # this, "no output" below could just mean tlsdiag never loaded.
        control = s.private / "control.jsonl"
        rc, out, err = s.run(False, s.cnf_plain, _steering_env(build, control))
        check(rc == 0 and "ruid=0 euid=0" in out, f"control run: exit {rc} {out!r} {err[-500:]!r}")
        check(control.exists() and len(read_jsonl(control)) == 4,
              "control run: tlsdiag did not follow TLSDIAG_OUTPUT, so the setuid run would prove nothing")

        target = s.private / "steered.jsonl"
        rc, out, err = s.run(True, s.cnf_plain, _steering_env(build, target))
        check("ruid=65534 euid=0" in out, f"not a setuid run: {out!r} {err[-300:]!r}")
        check(rc == 0 and "outcome=FO" in out, f"setuid host: exit {rc} {out!r} {err[-500:]!r}")
        check(not target.exists(), f"a setuid-root program wrote {target} because its caller said so")
        check("tlsdiag" not in err, f"tlsdiag spoke though only the caller's environment asked: {err[:400]!r}")
    finally:
        s.remove()
    return "control followed the variables; the setuid run ignored them"


def setuid_config_wins(build, tmp):
    """tlsdiag on by the config (mode = 1): the setuid program explains its failure in the
    config's way (text, stderr, failures only), not in the caller's (JSON, a file, trace)."""
    s = SetuidCopy(build)
    try:
        target = s.private / "steered.jsonl"
        rc, out, err = s.run(True, s.cnf_on, _steering_env(build, target))
        check("ruid=65534 euid=0" in out, f"not a setuid run: {out!r}")
        check(rc == 0 and "outcome=FO" in out, f"setuid host: exit {rc} {out!r} {err[-500:]!r}")
        check(not target.exists(), f"the setuid program wrote the caller's file {target}")
        heads = [l for l in err.splitlines() if l.startswith("tlsdiag:")]
        check(any("CERTIFICATE_VERIFY_FAILED" in h for h in heads),
              f"tlsdiag was on by config but explained nothing on stderr: {err[:400]!r}")
        check(not any("handshake ok" in h for h in heads) and "{" not in err,
              f"the caller's TLSDIAG=trace / TLSDIAG_FORMAT=json took effect: {heads}")
    finally:
        s.remove()
    return f"{len(heads)} text explanations on stderr, caller's variables ignored"


def _secrets_of(path):
    """The secrets in path's key log lines (not the client randoms, which are public) and the
    key's PEM lines."""
    text = path.read_text()
    key_log = [l.split() for l in text.splitlines() if re.match(r"^[A-Z_0-9]+ [0-9a-f]+ [0-9a-f]+$", l)]
    # The marker is spelled in two pieces so that this source does not look like a key file.
    pem = text.split("-----BEGIN " + "PRIVATE KEY-----")[1].split("-----END")[0].split()
    return {parts[2] for parts in key_log}, len(key_log), pem


def no_secrets(build, tmp):
    """Every secret the handshakes derived (TLS 1.2 master secret, TLS 1.3 traffic secrets) and
    the server's private key are known to the host; none may appear in trace output."""
    n_runs = n_lines = 0
    for fmt in ("text", "json"):
        for sink in ("file", "stderr"):
            secrets = tmp / f"secrets-{fmt}-{sink}.txt"
            log = tmp / f"trace-{fmt}.{sink}"
            argv = [build.prog("hshost"), "--secrets", str(secrets), "ok", "ok12", "fail", "fail12"]
            env = host_env(build.cnf, mode="trace", fmt=fmt, window=0,
                           output=f"file:{log}" if sink == "file" else "stderr")
            rc, out, err = _host(argv, env)
            check(rc == 0, f"host exit {rc}: {out} {err}")
            text = log.read_text(errors="replace") if sink == "file" else err
            check(len(text.splitlines()) >= 8, f"too little output to check: {text[:300]!r}")
            values, n_key_log, pem = _secrets_of(secrets)
            check(n_key_log >= 8, f"only {n_key_log} key log lines: the secrets were not captured")
            low = text.lower()
            check("PRIVATE KEY" not in text and "-----BEGIN" not in text, "a PEM block in tlsdiag's output")
            for v in values:
                check(v.lower() not in low, f"a TLS secret is in tlsdiag's output ({fmt}, {sink})")
            for line in pem:
                check(line not in text, "a line of the private key's PEM is in tlsdiag's output")
            n_runs += 1
            n_lines += n_key_log
    return f"{n_runs} runs, {n_lines} key log lines: none in the output"


CASES = [
    ("privilege: log file created 0600 (umask 000)", file_mode_0600),
    ("privilege: symlink at the log path is not followed (existing target)", symlink_not_followed, False),
    ("privilege: symlink at the log path is not followed (dangling)", symlink_not_followed, True),
    ("privilege: setuid-root program run by nobody ignores TLSDIAG* variables", setuid_ignores_env),
    ("privilege: setuid-root program on by config still ignores the caller's variables", setuid_config_wins),
    ("secrets: no private key and no TLS secret in any output (text, JSON, trace)", no_secrets),
]


def cases(build, tmp):
    return as_steps(CASES, build, tmp)
