#!/bin/bash
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# deb-install.sh [--preflight] DEB MODULE_DEB VERSION: installs the .debs that check-deb built
# (tlsdiag, and tlsdiag-openssl<major>, the build for this OpenSSL) into THIS system with
# `dpkg -i`, checks it works from where Debian put it, and purges it again:
#  - OPENSSL_CONF=/usr/share/tlsdiag/openssl.cnf openssl list -providers shows tlsdiag active,
#    at VERSION; the config names the module bare (tlsdiag.so), which OpenSSL resolves in its
#    own modules directory, pkg-config's modulesdir; dpkg -V finds every file as packaged;
#  - a real python3 client against a self-signed `openssl s_server` on 127.0.0.1 fails, and
#    with TLSDIAG=1 and the installed config the JSON event (TLSDIAG_OUTPUT=file:) names
#    CERTIFICATE_VERIFY_FAILED / self_signed at VERSION; the client's own /proc/self/maps shows
#    that the tlsdiag code in it is the installed loader and ossl<major>.so, nothing else;
#  - /usr/bin/tlsdiag --version prints VERSION, explain names self_signed and exits 0 (tlsdiag(1));
#  - man -P cat finds and renders tlsdiag(1) and tlsdiag(7) from /usr/share/man;
#  - dpkg --purge of both removes every file dpkg -L listed, /usr/share/tlsdiag, /usr/share/doc/tlsdiag,
#    the loader and MODULESDIR/tlsdiag/.
# It purges in a trap, whatever happens. Exit 77 (skip) when not root, when a tlsdiag package
# or a hand-made `make install` into the modules directory is there already (never overwritten),
# or without man (man-db), python3 or openssl. --preflight runs only these checks, before the
# package is built. It never touches the system openssl.cnf.
set -euo pipefail
. "$(dirname "$0")/../lib/self_signed_server.sh"
preflight=0
[ "${1:-}" != --preflight ] || { preflight=1; shift; }
deb=${1:-} module_deb=${2:-} version=${3:-}
packages="tlsdiag tlsdiag-openssl3 tlsdiag-openssl4"
python=${PYTHON:-/usr/bin/python3}

fail() { echo "check-deb-install: FAIL: $*" >&2; exit 1; }
skip() { echo "check-deb-install: skipped: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "not root (it installs the package into this system)"
command -v dpkg >/dev/null || skip "dpkg is not installed"
for p in $packages; do
    if status=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null) && [ "$status" != "unknown ok not-installed" ]; then
        skip "a $p package is on this system already ($status); not touching it"
    fi
done
modulesdir=$(pkg-config --variable=modulesdir libcrypto) || skip "pkg-config knows no libcrypto"
[ -n "$modulesdir" ] || fail "pkg-config knows no modulesdir for libcrypto"
for f in "$modulesdir/tlsdiag.so" "$modulesdir/tlsdiag" /usr/bin/tlsdiag /usr/share/tlsdiag; do
    [ ! -e "$f" ] || skip "$f exists (a make install by hand?); dpkg -i would overwrite it"
done
command -v man >/dev/null || skip "man is not installed (man-db)"
command -v openssl >/dev/null || skip "openssl is not installed"
[ -x "$python" ] || skip "$python is not installed"
[ "$preflight" = 0 ] || exit 0

[ -f "$deb" ] || fail "no package $deb"
[ -f "$module_deb" ] || fail "no package $module_deb"
[ -n "$version" ] || fail "usage: deb-install.sh [--preflight] DEB MODULE_DEB VERSION"
major=$(pkg-config --modversion libcrypto | cut -d. -f1)
loader=$modulesdir/tlsdiag.so module=$modulesdir/tlsdiag/ossl$major.so
cnf=/usr/share/tlsdiag/openssl.cnf
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-deb-install.XXXXXX")
installed=0 server_pid= sleeper=
cleanup() {
    local status=$?
    [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
    [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
    if [ "$installed" = 1 ]; then
        dpkg --purge $packages > "$tmp/purge.log" 2>&1 ||
            { cat "$tmp/purge.log" >&2; echo "check-deb-install: dpkg --purge $packages failed" >&2; status=1; }
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "check-deb-install: interrupted; purging tlsdiag" >&2; exit 1' INT TERM HUP
# Nothing from the caller's environment may point OpenSSL or man elsewhere.
unset OPENSSL_MODULES OPENSSL_CONF MANPATH TLSDIAG TLSDIAG_OUTPUT TLSDIAG_FORMAT TLSDIAG_REPEAT_WINDOW

installed=1
dpkg -i "$deb" "$module_deb" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log" >&2; fail "dpkg -i $deb $module_deb failed"; }
{ dpkg -L tlsdiag && dpkg -L "tlsdiag-openssl$major"; } > "$tmp/listed" || fail "dpkg -L failed after the install"
while IFS= read -r p; do [ -d "$p" ] || printf '%s\n' "$p"; done < "$tmp/listed" > "$tmp/files"
for f in "$loader" "$module" /usr/bin/tlsdiag "$cnf" /usr/share/tlsdiag/tlsdiag-enable.cnf; do
    grep -qx "$f" "$tmp/files" || fail "dpkg -L of the two packages does not list $f"
    [ -f "$f" ] || fail "$f is not installed"
done
verify=$(dpkg -V tlsdiag "tlsdiag-openssl$major" 2>&1) && [ -z "$verify" ] || fail "dpkg -V: $verify"

# a. The installed config activates the installed module, found by OpenSSL in its modules dir.
grep -qx 'module = tlsdiag.so' "$cnf" || fail "$cnf does not name the module tlsdiag.so: $(grep module "$cnf")"
[ "$(openssl version -m)" = "MODULESDIR: \"$modulesdir\"" ] ||
    fail "openssl looks for modules in $(openssl version -m), not pkg-config's $modulesdir"
OPENSSL_CONF=$cnf openssl list -providers -verbose > "$tmp/providers" 2>&1 ||
    { cat "$tmp/providers" >&2; fail "OPENSSL_CONF=$cnf openssl list -providers failed"; }
"$python" - "$tmp/providers" "$version" <<'PY' || exit 1
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^  tlsdiag\n((?:    .*\n)*)", text, re.M)
ok = m and "    status: active\n" in m.group(1) and ("    version: %s\n" % sys.argv[2]) in m.group(1)
if not ok:
    sys.exit("check-deb-install: FAIL: openssl list -providers -verbose shows no active tlsdiag %s:\n%s"
             % (sys.argv[2], text))
PY

# b. A real failing handshake, explained by the installed module.
self_signed_server "$tmp" 5 120
# The client fails the handshake itself (exit 3), then writes the files mapped into it that
# have tlsdiag in their path: the tlsdiag code this process really ran.
client='
import socket, ssl, sys
status = 0
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as s:
        ssl.create_default_context().wrap_socket(s, server_hostname="localhost")
except ssl.SSLCertVerificationError:
    status = 3
maps = sorted({l.split(None, 5)[5].strip() for l in open("/proc/self/maps")
               if len(l.split(None, 5)) == 6 and "tlsdiag" in l})
open(sys.argv[2], "w").write("".join(m + "\n" for m in maps))
sys.exit(status)
'
status=0
TLSDIAG=1 OPENSSL_CONF=$cnf TLSDIAG_OUTPUT=file:$tmp/events.jsonl TLSDIAG_FORMAT=json \
    "$python" -c "$client" "$port" "$tmp/maps" > "$tmp/client.log" 2>&1 || status=$?
[ "$status" = 3 ] || fail "the python3 client should fail verification (3), got $status: $(cat "$tmp/client.log")"
[ -s "$tmp/events.jsonl" ] || fail "no event in TLSDIAG_OUTPUT=file:$tmp/events.jsonl (client said: $(cat "$tmp/client.log"))"
"$python" - "$tmp/events.jsonl" "$version" <<'PY' || exit 1
import json, sys
lines = open(sys.argv[1]).read().splitlines()
events = [json.loads(l) for l in lines]
want = {"event": "handshake_failed", "section": "CERTIFICATE_VERIFY_FAILED", "cause": "self_signed",
        "tlsdiag": sys.argv[2]}
if len(events) != 1 or any(events[0].get(k) != v for k, v in want.items()):
    sys.exit("check-deb-install: FAIL: want one event with %s, got:\n%s" % (want, "\n".join(lines)))
PY
printf '%s\n' "$loader" "$module" > "$tmp/maps.want"
cmp -s "$tmp/maps" "$tmp/maps.want" ||
    fail "the client should have mapped the installed $loader and $module only, it mapped: $(cat "$tmp/maps")"
# Off unless TLSDIAG asks.
status=0
OPENSSL_CONF=$cnf TLSDIAG_OUTPUT=file:$tmp/quiet.jsonl "$python" -c "$client" "$port" "$tmp/maps" \
    > "$tmp/quiet.log" 2>&1 || status=$?
[ "$status" = 3 ] && [ ! -s "$tmp/quiet.log" ] && [ ! -s "$tmp/quiet.jsonl" ] ||
    fail "without TLSDIAG the client should fail (3, got $status) with no report: $(cat "$tmp/quiet.log" "$tmp/quiet.jsonl" 2>/dev/null)"

out=$(/usr/bin/tlsdiag --version 2>&1) || fail "/usr/bin/tlsdiag --version failed: $out"
[ "$out" = "tlsdiag $version" ] || fail "/usr/bin/tlsdiag --version says '$out', VERSION is $version"
status=0
/usr/bin/tlsdiag explain 'certificate verify failed: self-signed certificate' > "$tmp/explain.txt" 2>&1 || status=$?
[ "$status" = 0 ] || fail "/usr/bin/tlsdiag explain should exit 0 (tlsdiag(1): success), got $status: $(cat "$tmp/explain.txt")"
grep -q '^cause: *self_signed: ' "$tmp/explain.txt" || fail "/usr/bin/tlsdiag explain does not name self_signed: $(cat "$tmp/explain.txt")"

# c. The man pages, through man(1) from where the package put them.
for page in 1 7; do
    where=$(man -w "$page" tlsdiag 2>&1) || fail "man -w $page tlsdiag: $where"
    [ "$where" = "/usr/share/man/man$page/tlsdiag.$page.gz" ] || fail "man $page tlsdiag finds $where, not the installed page"
    LC_ALL=C.UTF-8 MANWIDTH=80 man -P cat "$page" tlsdiag > "$tmp/man$page.txt" 2> "$tmp/man$page.err" ||
        fail "man -P cat $page tlsdiag failed: $(cat "$tmp/man$page.err")"
    [ -s "$tmp/man$page.txt" ] && grep -q tlsdiag "$tmp/man$page.txt" ||
        fail "man -P cat $page tlsdiag printed nothing about tlsdiag: $(cat "$tmp/man$page.err")"
    grep -q "^TLSDIAG($page)" "$tmp/man$page.txt" || fail "man $page tlsdiag is not the page TLSDIAG($page): $(head -3 "$tmp/man$page.txt")"
done

# The purge leaves nothing behind.
kill "$server_pid" 2>/dev/null || true
server_pid=
installed=0
dpkg --purge $packages > "$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log" >&2; fail "dpkg --purge $packages failed"; }
left=$(while IFS= read -r f; do [ ! -e "$f" ] && [ ! -L "$f" ] || printf ' %s' "$f"; done < "$tmp/files")
[ -z "$left" ] || fail "dpkg --purge left files dpkg -L listed:$left"
for f in /usr/share/tlsdiag /usr/share/doc/tlsdiag "/usr/share/doc/tlsdiag-openssl$major" "$loader" "$modulesdir/tlsdiag"; do
    [ ! -e "$f" ] || fail "dpkg --purge left $f"
done
for p in $packages; do
    if status=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null) && [ "$status" != "unknown ok not-installed" ]; then
        fail "dpkg still knows $p after the purge: $status"
    fi
done
echo "check-deb-install: ok ($deb: dpkg -i; tlsdiag $version active from $modulesdir, a self-signed handshake explained as self_signed by the installed module, /usr/bin/tlsdiag, man 1 and 7; dpkg --purge left nothing)"
