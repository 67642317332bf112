#!/bin/sh
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# demo.sh [BUILD]: the five failures of PyMongo's "Troubleshooting TLS" guide, each one
# produced for real by a local server and a PyMongo (or pyOpenSSL) client, and explained
# by tlsdiag (TLSDIAG=1, text on the terminal). `make demo` builds first, then runs this.
# Servers listen on 127.0.0.1 on ports they pick; everything is removed on exit.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
PYTHON=${PYTHON:-/usr/bin/python3}
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
for f in tlsdiag.so openssl.cnf; do
    [ -f "$build/$f" ] || { echo "demo: $build/$f is missing; run make first" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-demo.XXXXXX")
server_pids=""
cleanup() {
    for pid in $server_pids; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pki=$build/test-pki
sh "$root/test/pki/make-pki.sh" "$pki"

# start_server NAME COMMAND...: run a server without tlsdiag and set $port once it has
# said which port it bound ("ACCEPT host:port" from s_server, "PORT n" from ours).
start_server() {
    log=$work/$1.log
    shift
    : > "$log"
    env -u OPENSSL_CONF -u TLSDIAG -u TLSDIAG_OUTPUT -u TLSDIAG_FORMAT "$@" </dev/null >"$log" 2>&1 &
    pid=$!
    server_pids="$server_pids $pid"
    port=""
    tries=0
    while [ -z "$port" ]; do
        port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p; s/^PORT \([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)
        [ -n "$port" ] && break
        kill -0 "$pid" 2>/dev/null || { echo "demo: server failed to start: $(cat "$log")" >&2; exit 1; }
        tries=$((tries + 1))
        [ "$tries" -lt 200 ] || { echo "demo: server not ready: $(cat "$log")" >&2; exit 1; }
        sleep 0.05
    done
}

# s_server in -www mode: it never reads its stdin, whose EOF would otherwise stop it.
s_server() {
    name=$1
    shift
    start_server "$name" openssl s_server -www -accept 127.0.0.1:0 "$@"
}

# explain N TITLE CLIENT...: one header line, then the client's own error and
# tlsdiag's explanation, both as the user would see them.
if [ -t 1 ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); else bold="" plain=""; fi
explain() {
    printf '\n%s=== %s%s\n' "$bold" "$1" "$plain"
    shift
    OPENSSL_CONF=$build/openssl.cnf TLSDIAG=1 TLSDIAG_FORMAT=text TLSDIAG_OUTPUT=stderr \
        "$@" 2>&1 || true
}

pymongo() {
    "$PYTHON" "$root/test/clients/pymongo_client.py" --port "$port" "$@"
}

good="-cert $pki/good.crt -key $pki/good.key -cert_chain $pki/inter.crt"

echo "tlsdiag demo: five real TLS failures, as PyMongo meets them, each explained by tlsdiag."

s_server verify -cert "$pki/selfsigned.crt" -key "$pki/selfsigned.key"
explain "1/5 CERTIFICATE_VERIFY_FAILED: the server's certificate is self-signed" \
    pymongo --cafile "$pki/root.crt"

# shellcheck disable=SC2086 # $good is a list of options
s_server version $good -tls1 -cipher 'DEFAULT@SECLEVEL=0'
explain "2/5 TLSV1_ALERT_PROTOCOL_VERSION: the server speaks only TLS 1.0" \
    pymongo --cafile "$pki/root.crt"

s_server ocsp -cert "$pki/revoked.crt" -key "$pki/revoked.key" -cert_chain "$pki/inter.crt" \
    -status_file "$pki/revoked.ocsp.der"
explain "3/5 Invalid Status Response: the server staples an OCSP response saying 'revoked'" \
    pymongo --cafile "$pki/root.crt"

s_server cipher -nocert -tls1_2 -cipher 'ADH-AES128-SHA:@SECLEVEL=0'
explain "4/5 SSLV3_ALERT_HANDSHAKE_FAILURE: the server has no cipher suite in common with the client" \
    pymongo --cafile "$pki/root.crt"

start_server renegotiation "$PYTHON" "$root/test/servers/norenego.py" --port 0
explain "5/5 Unsafe Legacy Renegotiation Disabled: the server does not support RFC 5746" \
    pymongo --cafile "$pki/root.crt"

echo
echo "demo: done (servers stopped, temporary files removed)."
