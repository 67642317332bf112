#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# mixed-major.sh BUILD_DIR WORK_DIR [OTHER_BUILD_DIR [LOADER_SO]]
# Two OpenSSL majors on one machine (the transition): a process whose libssl is of one major,
# handed the tlsdiag module built for the other, must get exactly one warning naming both
# versions, no diagnostics and no hooks, and the outcome it would have had without tlsdiag.
#
#   forward: PYTHON (its ssl module on libssl.so.3, say) with BUILD_DIR's module (built for 4)
#   reverse: the openssl CLI (4) with OTHER_BUILD_DIR's module (built for 3), when given
#   loader:  LOADER_SO (loader/loader.c) as tlsdiag.so with both builds beside it, as a modules
#            directory both majors share holds them: each process gets its own build and
#            explains; with its build missing, it gets the loader's one warning instead.
#
# Each case runs a self-signed server (the client fails verification) and a good one (it
# succeeds), once without tlsdiag and once with it switched on; exit status and stdout must be
# identical, and stderr identical but for the one warning. With tlsdiag off: nothing at all.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: mixed-major.sh BUILD_DIR WORK_DIR [OTHER_BUILD_DIR]}" && pwd)
work=${2:?usage: mixed-major.sh BUILD_DIR WORK_DIR [OTHER_BUILD_DIR]}
other=${3:-}
loader=${4:-}
[ -z "$other" ] || other=$(cd "$other" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}

fail=0
say() { echo "mixed-major: $*"; }
bad() { say "FAIL: $*"; fail=1; }

rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
pki=$work/pki
OPENSSL_CONF=/dev/null sh "$top/test/pki/make-pki.sh" "$pki" >/dev/null

# The major a module is linked to, from its DT_NEEDED libcrypto.so.N.
module_major() {
    readelf -d "$1" | sed -n 's/.*Shared library: \[libcrypto\.so\.\([0-9]*\)\].*/\1/p'
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_pid=""
stop_server() {
    [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
    server_pid=""
}
trap stop_server EXIT

# start_server CERT [CHAIN]: openssl s_server without tlsdiag, on a free port (sets $port).
start_server() {
    local cert=$1 chain=${2:-}
    port=$(free_port)
    local args=(-accept "127.0.0.1:$port" -cert "$pki/$cert.crt" -key "$pki/$cert.key" -www -quiet)
    [ -z "$chain" ] || args+=(-cert_chain "$pki/$chain")
    OPENSSL_CONF=/dev/null openssl s_server "${args[@]}" >/dev/null 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do
        "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null && return 0
        sleep 0.1
    done
    bad "s_server on $port did not start"
    return 1
}

# run NAME CNF MODE CMD...: the client's exit status, stdout and stderr into $work/NAME.*
run() {
    local name=$1 cnf=$2 mode=$3; shift 3
    local env_args=(env -u TLSDIAG -u OPENSSL_CONF)
    [ "$cnf" = - ] || env_args+=(OPENSSL_CONF="$cnf")
    [ "$mode" = - ] || env_args+=(TLSDIAG="$mode")
    set +e
    "${env_args[@]}" "$@" >"$work/$name.out" 2>"$work/$name.err" </dev/null
    echo $? >"$work/$name.rc"
    set -e
}

# check CASE CNF CLIENT_MAJOR MODULE_MAJOR CMD...: the assertions for one client and server.
check() {
    local cmajor=$3 mmajor=$4
    check_warning "$1" "$2" "tlsdiag: warning: this process runs OpenSSL $cmajor.*built for OpenSSL $mmajor\..*inactive.*Install the tlsdiag build for OpenSSL $cmajor " "${@:5}"
}

# check_warning CASE CNF REGEX CMD...: one warning matching REGEX (grep -E), the outcome unchanged.
check_warning() {
    local case=$1 cnf=$2 want=$3; shift 3
    run "$case.base" - - "$@"
    run "$case.on" "$cnf" 1 "$@"
    run "$case.off" "$cnf" - "$@"
    local w
    w=$(grep -c '^tlsdiag: ' "$work/$case.on.err" || true)
    if [ "$w" != 1 ]; then
        bad "$case: $w tlsdiag lines on stderr, wanted exactly the one warning:"
        sed 's/^/    /' "$work/$case.on.err"
    fi
    local line
    line=$(grep '^tlsdiag: ' "$work/$case.on.err" | head -n1 || true)
    echo "$line" | grep -qE "$want" || bad "$case: not the warning wanted (/$want/): $line"
    for m in on off; do
        cmp -s "$work/$case.base.rc" "$work/$case.$m.rc" ||
            bad "$case: exit status $(cat "$work/$case.base.rc") without tlsdiag, $(cat "$work/$case.$m.rc") with TLSDIAG=$m"
        cmp -s "$work/$case.base.out" "$work/$case.$m.out" ||
            { bad "$case: stdout differs with TLSDIAG=$m:"; diff "$work/$case.base.out" "$work/$case.$m.out" | sed 's/^/    /'; }
    done
    { grep -v '^tlsdiag: ' "$work/$case.on.err" || true; } | cmp -s "$work/$case.base.err" - ||
        bad "$case: stderr differs beyond the warning"
    cmp -s "$work/$case.base.err" "$work/$case.off.err" ||
        bad "$case: tlsdiag off but stderr differs (it must say nothing when off)"
    say "$case: exit $(cat "$work/$case.base.rc"), the same with tlsdiag; one warning: ${line:0:90}..."
}

# The client: two handshakes and several contexts in one process, so "one warning per process"
# is tested too. Prints the outcome of each.
cat >"$work/client.py" <<'EOF'
import socket, ssl, sys
port, cafile = int(sys.argv[1]), sys.argv[2]
for attempt in range(2):
    ctx = ssl.create_default_context(cafile=cafile)
    try:
        with socket.create_connection(("127.0.0.1", port), 5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"GET / HTTP/1.0\r\n\r\n")
                print("ok", tls.version(), tls.recv(15))
    except ssl.SSLError as e:
        print("error", e.reason, e.verify_message if hasattr(e, "verify_message") else "")
sys.exit(0 if "good" in sys.argv[3] else 3)
EOF

# s_client, with the thread id that prefixes its error lines taken out (it differs per run).
cat >"$work/s_client.sh" <<'EOF'
{ openssl s_client -connect "127.0.0.1:$1" -servername localhost -CAfile "$2" \
    -verify_return_error -brief </dev/null 2>&1 1>&3 | sed 's/^[0-9A-F]*:error:/error:/' >&2
  exit "${PIPESTATUS[0]}"; } 3>&1
EOF

mmajor=$(module_major "$build/tlsdiag.so")
pmajor=$("$PYTHON" -c 'import ssl; print(ssl.OPENSSL_VERSION_INFO[0])')
say "module $build/tlsdiag.so is built for OpenSSL $mmajor; $PYTHON runs OpenSSL $pmajor ($("$PYTHON" -c 'import ssl; print(ssl.OPENSSL_VERSION)'))"
if [ "$mmajor" = "$pmajor" ]; then
    bad "$PYTHON uses the module's own major ($mmajor); this test needs a client of another major"
    exit 1
fi

start_server selfsigned
check "python-$pmajor-self-signed" "$build/openssl.cnf" "$pmajor" "$mmajor" \
    "$PYTHON" "$work/client.py" "$port" "$pki/root.crt" bad
stop_server
start_server good inter.crt
check "python-$pmajor-good" "$build/openssl.cnf" "$pmajor" "$mmajor" \
    "$PYTHON" "$work/client.py" "$port" "$pki/root.crt" good
stop_server

# explains CASE CNF CMD...: with tlsdiag on, the failure is explained and nothing warns.
explains() {
    local case=$1 cnf=$2; shift 2
    run "$case" "$cnf" 1 "$@"
    if grep -q '^tlsdiag: CERTIFICATE_VERIFY_FAILED' "$work/$case.err" &&
        ! grep -q '^tlsdiag: warning' "$work/$case.err"; then
        say "$case: explained by its own build, no warning"
    else
        bad "$case: not explained by its own build:"
        sed 's/^/    /' "$work/$case.err"
    fi
}

# The control: the openssl CLI of the module's own major gets the explanation, not the warning.
cmajor=$(openssl version | sed -n 's/^OpenSSL \([0-9]*\)\..*/\1/p')
if [ "$cmajor" = "$mmajor" ]; then
    start_server selfsigned
    explains "openssl-$cmajor-control" "$build/openssl.cnf" bash "$work/s_client.sh" "$port" "$pki/root.crt"
    stop_server
fi

# The reverse: the openssl CLI of this machine with a module built for the other major.
if [ -n "$other" ]; then
    omajor=$(module_major "$other/tlsdiag.so")
    if [ "$omajor" = "$cmajor" ]; then
        bad "$other/tlsdiag.so is built for OpenSSL $omajor, the openssl CLI's own major"
    else
        sed "s#$build/tlsdiag.so#$other/tlsdiag.so#g" "$build/openssl.cnf" >"$work/other.cnf"
        grep -q "$other/tlsdiag.so" "$work/other.cnf" || bad "no module path to replace in $build/openssl.cnf"
        start_server selfsigned
        check "openssl-$cmajor-self-signed" "$work/other.cnf" "$cmajor" "$omajor" \
            bash "$work/s_client.sh" "$port" "$pki/root.crt"
        stop_server
    fi
else
    say "reverse case (a $mmajor process with a module for another major) not run: no OTHER_BUILD_DIR"
fi


# The loader: one tlsdiag.so in a directory both majors share, each build beside it.
if [ -n "$loader" ] && [ -n "$other" ]; then
    mods=$work/modules
    mkdir -p "$mods/tlsdiag"
    cp "$loader" "$mods/tlsdiag.so"
    cp "$build/tlsdiag.so" "$mods/tlsdiag/ossl$mmajor.so"
    cp "$other/tlsdiag.so" "$mods/tlsdiag/ossl$omajor.so"
    sed "s#$build/tlsdiag.so#$mods/tlsdiag.so#g" "$build/openssl.cnf" >"$work/loader.cnf"
    start_server selfsigned
    explains "loader-python-$pmajor" "$work/loader.cnf" \
        "$PYTHON" "$work/client.py" "$port" "$pki/root.crt" bad
    explains "loader-openssl-$cmajor" "$work/loader.cnf" bash "$work/s_client.sh" "$port" "$pki/root.crt"
    rm "$mods/tlsdiag/ossl$pmajor.so"
    check_warning "loader-python-$pmajor-missing" "$work/loader.cnf" \
        "^tlsdiag: warning: no tlsdiag build for OpenSSL $pmajor is installed \\($mods/tlsdiag/ossl$pmajor.so: .*inactive" \
        "$PYTHON" "$work/client.py" "$port" "$pki/root.crt" bad
    stop_server
else
    say "loader case not run: it needs OTHER_BUILD_DIR and LOADER_SO"
fi

[ $fail -eq 0 ] && say "PASS" || say "FAILED"
exit $fail
