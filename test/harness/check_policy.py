#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""check-policy: the config `tlsdiag config` composes keeps the system's TLS policy.

For each test "system" config (one with only an ssl_conf policy, one that also has
its own providers section, Debian 13's list that activates nothing), Python's
effective policy -- SSLContext().minimum_version and get_ciphers() -- must be the
same under the plain system config and under the config composed from it, and
tlsdiag and default must be active in the composed one. The policy must also differ
from what an empty config gives, so that a composer that dropped the policy (or a
probe that saw nothing) fails this check. A list that activates providers of its
own (FIPS-like) must be left as it is: no default added. `tlsdiag run` under an
OPENSSL_CONF must compose the same config as `tlsdiag config` (one composer), so the
Debian 13 list keeps default there too.
Usage: check_policy.py BUILD
"""
import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tdlib  # noqa: E402
from tdlib import expect  # noqa: E402  (prints ok/FAIL, counted by tdlib.finish)

POLICY = """\
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.3
CipherString = ECDHE+AESGCM:!aNULL
Ciphersuites = TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
"""

SYSTEMS = {
    # Debian's shape: an init section with ssl_conf and no providers.
    "ssl_conf-only": "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n" + POLICY,
    # Fedora's shape: the init section already lists providers and activates default.
    "with-providers": ("openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
                       "ssl_conf = ssl_sect\n[provider_sect]\ndefault = default_sect\n"
                       "[default_sect]\nactivate = 1\n" + POLICY),
    # Debian 13's shape: default is listed but its activate is commented out, so OpenSSL runs
    # on the implicit default provider, which activating tlsdiag alone would switch off.
    "debian13-list": ("openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
                      "ssl_conf = ssl_sect\n[provider_sect]\ndefault = default_sect\n"
                      "[default_sect]\n# activate = 1\n" + POLICY),
}

# A list that chose its providers (a FIPS setup, with base standing in for fips, which may not
# be installed): default must stay off.
FIPS_LIKE = ("openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
             "[provider_sect]\nbase = base_sect\n[base_sect]\nactivate = 1\n")

PROBE = ("import json, ssl\n"
         "c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
         "print(json.dumps({'minimum_version': c.minimum_version.name,"
         " 'ciphers': [x['name'] for x in c.get_ciphers()]}))\n")


def policy(cnf):
    r = tdlib.run([tdlib.PYTHON, "-c", PROBE], dict(tdlib.base_env(), OPENSSL_CONF=str(cnf)))
    if r.rc != 0 or r.stderr:
        return None, r.describe()
    return json.loads(r.stdout), None


def compose(build, system, *flags):
    return tdlib.run([build / "tlsdiag", "config", *flags, "--module", build / "tlsdiag.so",
                      system], tdlib.base_env())


def providers(cnf, argv=()):
    """The active providers' names under cnf, from `openssl list -providers` (run through
    argv, e.g. tlsdiag run), or None with the failure."""
    r = tdlib.run([*argv, "openssl", "list", "-providers"],
                  dict(tdlib.base_env(), OPENSSL_CONF=str(cnf)))
    if r.rc != 0:
        return None, r
    return set(line.strip().rstrip(":") for line in r.stdout.splitlines()
               if line.startswith("  ") and not line.startswith("    ")), r


def body(text):
    """A composed config without its header comment and .include line (run names the
    included file by its real path)."""
    return [line for line in text.splitlines() if not line.startswith(("#", ".include"))]


def check_fips_like(build, tmp):
    system = tmp / "system-fips-like.cnf"
    system.write_text(FIPS_LIKE)
    r = compose(build, system)
    if not expect(r.rc == 0, "fips-like: tlsdiag config succeeds", r.describe()):
        return
    generated = tmp / "tlsdiag-fips-like.cnf"
    generated.write_text(r.stdout)
    names, r = providers(generated)
    expect(names is not None and "tlsdiag" in names and "base" in names and "default" not in names,
           "fips-like: the composed config adds tlsdiag and leaves default off (%s)" % names,
           r.describe())


def check_unreadable(build, tmp):
    missing = tmp / "no-such.cnf"
    for flags in ((), ("--snippet",)):
        r = compose(build, missing, *flags)
        expect(r.rc == 0 and not any(line.startswith(".include") for line in r.stdout.splitlines())
               and "tlsdiag_default_sect" in r.stdout
               and ("no readable system config" in r.stdout or flags),
               "unreadable system config %s: a config of our own, nothing included"
               % (" ".join(flags) or "(standalone)"), r.describe())


def check_run(build, tmp):
    """The disagreement that made one composer: run used to activate tlsdiag alone under a
    Debian 13 list, which switched default (and all crypto) off."""
    system = tmp / "system-debian13-list.cnf"
    names, r = providers(system, [build / "tlsdiag", "run", "-v", "--"])
    if not expect(names is not None, "debian13-list: tlsdiag run -- openssl list -providers runs",
                  r.describe()):
        return
    expect({"default", "tlsdiag"} <= names,
           "debian13-list: under tlsdiag run, default is still active beside tlsdiag (%s)" % names,
           r.describe())
    if "OPENSSL_CONF=" not in r.stderr:
        expect(False, "debian13-list: run -v names the config it composed", r.describe())
        return
    ran = Path(r.stderr.split("OPENSSL_CONF=")[1].split()[0])
    printed = compose(build, system)
    expect(ran.exists() and body(ran.read_text()) == body(printed.stdout),
           "debian13-list: run composes what tlsdiag config prints",
           "run: %s\nconfig: %s" % (ran.read_text() if ran.exists() else ran, printed.stdout))


def main():
    build = Path(sys.argv[1]).resolve()
    with tdlib.scratch("tlsdiag-policy-") as tmp:
        empty = tmp / "empty.cnf"
        empty.write_text("")
        default, err = policy(empty)
        if not expect(default is not None, "python runs with an empty config", err):
            return 1
        for name, text in SYSTEMS.items():
            system = tmp / ("system-%s.cnf" % name)
            system.write_text(text)
            generated = tmp / ("tlsdiag-%s.cnf" % name)
            r = compose(build, system)
            if not expect(r.rc == 0, "%s: tlsdiag config succeeds" % name, r.describe()):
                continue
            generated.write_text(r.stdout)

            plain, err = policy(system)
            ours, err2 = policy(generated)
            if not expect(plain is not None and ours is not None,
                          "%s: python runs under both configs" % name, err or err2):
                continue
            expect(plain["minimum_version"] == "TLSv1_3",
                   "%s: the system config sets minimum_version TLSv1_3 (%s)" % (name, plain["minimum_version"]))
            # Each comparison below can only fail if the value it compares is policy-driven.
            expect(plain["minimum_version"] != default["minimum_version"],
                   "%s: its minimum_version differs from an empty config's (%s)" % (name, default["minimum_version"]))
            expect(plain["ciphers"] != default["ciphers"],
                   "%s: its cipher list differs from an empty config's (%d suites)" % (name, len(default["ciphers"])))
            expect(ours["minimum_version"] == plain["minimum_version"],
                   "%s: same minimum_version with the generated config (%s vs %s)"
                   % (name, ours["minimum_version"], plain["minimum_version"]))
            expect(ours["ciphers"] == plain["ciphers"],
                   "%s: same cipher list with the generated config (%d vs %d suites: %s)"
                   % (name, len(ours["ciphers"]), len(plain["ciphers"]), ":".join(ours["ciphers"][:8])))
            names, r = providers(generated)
            expect(names is not None and {"tlsdiag", "default"} <= names,
                   "%s: the generated config activates tlsdiag and default (%s)" % (name, names),
                   r.describe())
        check_fips_like(build, tmp)
        check_unreadable(build, tmp)
        check_run(build, tmp)
    return tdlib.finish("check-policy")


if __name__ == "__main__":
    sys.exit(main())
