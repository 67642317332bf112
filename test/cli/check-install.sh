#!/bin/sh
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# check-install.sh BUILD MAKE: `make install` into a scratch DESTDIR with PREFIX=/usr, then
#  - the installed files are where they belong: the loader (links no libcrypto) as
#    MODULESDIR/tlsdiag.so, this build as MODULESDIR/tlsdiag/ossl<major>.so, the bash
#    completion as the source's copy in share/bash-completion/completions; the installed
#    configs name the bare module tlsdiag.so (OpenSSL resolves it in its modules directory);
#  - a real python3 handshake through the INSTALLED configs and loader (OPENSSL_MODULES pointing
#    at the DESTDIR's modules directory) fails and is explained; with ossl<major>.so moved away
#    the loader warns once instead; the installed tlsdiag runs;
#  - the man pages render without warnings;
#  - `make uninstall` with the same DESTDIR leaves no file behind, and leaves the loader (and
#    tlsdiag/) when another major's build (a fake ossl99.so) is still installed;
#  - without DESTDIR, into a scratch PREFIX and MODULESDIR (configs then name the loader's path),
#    the installed `tlsdiag run -- openssl s_client` explains a failure; uninstall leaves nothing.
set -eu
. "$(dirname "$0")/../lib/self_signed_server.sh"
build=$1 make=${2:-make}
python=${PYTHON:-/usr/bin/python3}
root=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-install.XXXXXX")
server_pid= sleeper=
cleanup() {
    [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
    [ -z "$sleeper" ] || kill "$sleeper" 2>/dev/null || true
    rm -rf "$root"
}
trap cleanup EXIT INT TERM
fail() { echo "check-install: FAIL: $*" >&2; exit 1; }

modulesdir=$(pkg-config --variable=modulesdir libcrypto)
[ -n "$modulesdir" ] || fail "pkg-config knows no modulesdir for libcrypto"
dest=$root/dest
major=$(pkg-config --modversion libcrypto | cut -d. -f1)
loader=$modulesdir/tlsdiag.so module=$modulesdir/tlsdiag/ossl$major.so
completion=/usr/share/bash-completion/completions/tlsdiag

$make --no-print-directory install BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$root/install.log" 2>&1 ||
    { cat "$root/install.log" >&2; fail "make install failed"; }

for f in "$loader" "$module" /usr/bin/tlsdiag /usr/share/tlsdiag/openssl.cnf \
         /usr/share/tlsdiag/tlsdiag-enable.cnf /usr/share/man/man1/tlsdiag.1 /usr/share/man/man7/tlsdiag.7 \
         "$completion"; do
    [ -f "$dest$f" ] || fail "make install did not install $f"
done
[ -x "$dest/usr/bin/tlsdiag" ] || fail "/usr/bin/tlsdiag is not executable"
cmp -s cli/tlsdiag.bash-completion "$dest$completion" || fail "$completion is not cli/tlsdiag.bash-completion"
extra=$(cd "$dest" && find . -type f | sort | sed 's|^\.||' |
        grep -v -x -e "$loader" -e "$module" -e /usr/bin/tlsdiag -e /usr/share/tlsdiag/openssl.cnf \
            -e /usr/share/tlsdiag/tlsdiag-enable.cnf -e /usr/share/man/man1/tlsdiag.1 \
            -e /usr/share/man/man7/tlsdiag.7 -e "$completion" || true)
[ -z "$extra" ] || fail "make install put unexpected files: $extra"
cmp -s "$build/tlsdiag.so" "$dest$module" || fail "$module is not $build/tlsdiag.so"
cmp -s "$build/loader/tlsdiag.so" "$dest$loader" || fail "$loader is not the loader ($build/loader/tlsdiag.so)"
! readelf -d "$dest$loader" | grep -q 'NEEDED.*libcrypto' || fail "the loader $loader links libcrypto"

# Both configs name the bare tlsdiag.so (the loader, found in each libcrypto's modules
# directory); the snippet must not include the system config (it is meant to be included BY it).
for cnf in openssl.cnf tlsdiag-enable.cnf; do
    grep -q "^module = tlsdiag.so\$" "$dest/usr/share/tlsdiag/$cnf" ||
        fail "$cnf does not name the module tlsdiag.so (no path)"
    ! grep -q "$dest" "$dest/usr/share/tlsdiag/$cnf" || fail "$cnf mentions the DESTDIR"
done
! grep -q '^\.include' "$dest/usr/share/tlsdiag/tlsdiag-enable.cnf" || fail "tlsdiag-enable.cnf must not .include anything"
grep -q '^\.include ' "$dest/usr/share/tlsdiag/openssl.cnf" || fail "openssl.cnf must include the system config"

# The installed configs as they are, OpenSSL's modules directory being the DESTDIR's
# (OPENSSL_MODULES): the standalone one, and the snippet appended to a copy of the system
# config, the way an administrator would.
export OPENSSL_MODULES="$dest$modulesdir"
cp "$dest/usr/share/tlsdiag/openssl.cnf" "$root/standalone.cnf"
system_cnf=$(openssl version -d | sed 's/^OPENSSLDIR: "\(.*\)"/\1/')/openssl.cnf
{ cat "$system_cnf"; echo; echo ".include $dest/usr/share/tlsdiag/tlsdiag-enable.cnf"; } > "$root/system-with-snippet.cnf"

# A self-signed server the client does not trust: the handshake fails on verification.
self_signed_server "$root" 30 60

client='
import socket, ssl, sys
try:
    with socket.create_connection(("localhost", int(sys.argv[1]))) as s:
        ssl.create_default_context().wrap_socket(s, server_hostname="localhost")
except ssl.SSLError as e:
    sys.exit(3)
'
for cnf in standalone.cnf system-with-snippet.cnf; do
    status=0
    OPENSSL_CONF="$root/$cnf" TLSDIAG=1 TLSDIAG_FORMAT=json "$python" -c "$client" "$port" \
        2> "$root/events.jsonl" || status=$?
    [ "$status" = 3 ] || fail "$cnf: the python client should fail with 3, got $status"
    "$python" - "$root/events.jsonl" "$cnf" <<'PY' || exit 1
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
ok = len(events) == 1 and events[0]["event"] == "handshake_failed" \
     and events[0]["section"] == "CERTIFICATE_VERIFY_FAILED" and events[0]["cause"] == "self_signed" \
     and events[0]["program"].startswith("python3")
if not ok:
    sys.exit("check-install: FAIL: %s: the installed module did not explain the failure: %s"
             % (sys.argv[2], open(sys.argv[1]).read()))
PY
    # Off unless TLSDIAG asks: loaded from the system config, it must stay silent.
    status=0
    OPENSSL_CONF="$root/$cnf" "$python" -c "$client" "$port" 2> "$root/quiet.txt" || status=$?
    [ "$status" = 3 ] && [ ! -s "$root/quiet.txt" ] || fail "$cnf: without TLSDIAG the module must be silent"
done

# Through the loader: with this major's build moved away, the loader alone is loaded and says so
# once, and the client's outcome is unchanged.
mv "$dest$module" "$root/ossl$major.so"
status=0
OPENSSL_CONF="$root/standalone.cnf" TLSDIAG=1 "$python" -c "$client" "$port" 2> "$root/missing.txt" || status=$?
mv "$root/ossl$major.so" "$dest$module"
[ "$status" = 3 ] || fail "loader without ossl$major.so: the python client should fail with 3, got $status"
[ "$(grep -c '^tlsdiag: ' "$root/missing.txt")" = 1 ] &&
    grep -q "^tlsdiag: warning: no tlsdiag build for OpenSSL $major is installed ($dest$module: " "$root/missing.txt" ||
    fail "the installed loader without ossl$major.so should warn once: $(cat "$root/missing.txt")"

# The installed command: it runs, finds its own installed config relative to itself, and
# under a caller's OPENSSL_CONF that already activates tlsdiag uses it as it is.
"$dest/usr/bin/tlsdiag" --version | grep -q '^tlsdiag ' || fail "installed tlsdiag --version"
status=0
OPENSSL_CONF="$root/standalone.cnf" "$dest/usr/bin/tlsdiag" run -v -- "$python" -c "$client" "$port" \
    2> "$root/run.txt" || status=$?
[ "$status" = 3 ] || fail "installed tlsdiag run: want the child's status 3, got $status"
grep -q "OPENSSL_CONF=$root/standalone.cnf (OPENSSL_CONF, already activates tlsdiag)" "$root/run.txt" ||
    fail "installed tlsdiag run did not reuse the caller's config: $(cat "$root/run.txt")"
grep -q 'CERTIFICATE_VERIFY_FAILED' "$root/run.txt" || fail "installed tlsdiag run: no explanation"
status=0
env -u OPENSSL_CONF "$dest/usr/bin/tlsdiag" run -v -- true 2> "$root/run2.txt" || status=$?
grep -q "OPENSSL_CONF=$dest/usr/share/tlsdiag/openssl.cnf" "$root/run2.txt" ||
    fail "installed tlsdiag should find $dest/usr/share/tlsdiag/openssl.cnf: $(cat "$root/run2.txt")"

# The man pages render cleanly.
for page in man1/tlsdiag.1 man7/tlsdiag.7; do
    warnings=$(LC_ALL=C.UTF-8 groff -man -ww -Wbreak -z -Tutf8 "$dest/usr/share/man/$page" 2>&1) ||
        fail "$page does not render"
    [ -z "$warnings" ] || fail "$page: groff warnings: $warnings"
done

$make --no-print-directory uninstall BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$root/uninstall.log" 2>&1 ||
    { cat "$root/uninstall.log" >&2; fail "make uninstall failed"; }
left=$(find "$dest" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall left files behind: $left"
[ ! -e "$dest/usr/share/tlsdiag" ] || fail "make uninstall left /usr/share/tlsdiag"
[ ! -e "$dest$modulesdir/tlsdiag" ] || fail "make uninstall left $modulesdir/tlsdiag/"

# Another major's build still installed (a fake ossl99.so): uninstall keeps the loader for it.
$make --no-print-directory install BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$root/install2.log" 2>&1 ||
    { cat "$root/install2.log" >&2; fail "make install (again) failed"; }
: > "$dest$modulesdir/tlsdiag/ossl99.so"
$make --no-print-directory uninstall BUILD="$build" DESTDIR="$dest" PREFIX=/usr >"$root/uninstall2.log" 2>&1 ||
    { cat "$root/uninstall2.log" >&2; fail "make uninstall (beside ossl99.so) failed"; }
left=$(cd "$dest" && find . -type f -o -type l | sed 's|^\.||' | sort | tr '\n' ' ')
[ "$left" = "$loader $modulesdir/tlsdiag/ossl99.so " ] ||
    fail "make uninstall beside another major's build should leave the loader and ossl99.so, left: $left"

# No DESTDIR: a scratch PREFIX and MODULESDIR, the configs name the loader by its path, and the
# installed command explains an openssl s_client failure through it.
unset OPENSSL_MODULES
prefix=$root/prefix pmods=$root/prefix/lib/ossl-modules
$make --no-print-directory install BUILD="$build" PREFIX="$prefix" MODULESDIR="$pmods" >"$root/install3.log" 2>&1 ||
    { cat "$root/install3.log" >&2; fail "make install PREFIX=$prefix MODULESDIR=$pmods failed"; }
grep -q "^module = $pmods/tlsdiag.so\$" "$prefix/share/tlsdiag/openssl.cnf" ||
    fail "with MODULESDIR=$pmods the config should name $pmods/tlsdiag.so"
[ -f "$pmods/tlsdiag/ossl$major.so" ] || fail "no $pmods/tlsdiag/ossl$major.so"
status=0
env -u OPENSSL_CONF -u TLSDIAG "$prefix/bin/tlsdiag" run -- openssl s_client -connect "localhost:$port" \
    -servername localhost -verify_return_error -brief </dev/null > "$root/s_client.out" 2> "$root/s_client.err" || status=$?
[ "$status" != 0 ] || fail "installed tlsdiag run -- openssl s_client: want a failure, got status 0"
grep -q '^tlsdiag: CERTIFICATE_VERIFY_FAILED' "$root/s_client.err" &&
    ! grep -q '^tlsdiag: warning' "$root/s_client.err" ||
    fail "installed tlsdiag run -- openssl s_client did not explain the failure: $(cat "$root/s_client.err")"
$make --no-print-directory uninstall BUILD="$build" PREFIX="$prefix" MODULESDIR="$pmods" >"$root/uninstall3.log" 2>&1 ||
    { cat "$root/uninstall3.log" >&2; fail "make uninstall PREFIX=$prefix failed"; }
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ] || fail "make uninstall PREFIX=$prefix left files behind: $left"

echo "check-install: ok (loader and ossl$major.so installed, failures explained through the installed loader, uninstalled; the loader kept beside another major's build)"
