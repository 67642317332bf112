# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# Sourced by the install tests (test/cli/check-install.sh, test/dist/deb-install.sh):
#   self_signed_server DIR NACCEPT SECONDS
# makes a self-signed certificate for localhost in DIR and starts `openssl s_server` with it on
# 127.0.0.1 (a port it chose, without tlsdiag: OPENSSL_CONF=/dev/null), its stdin a FIFO held
# open for SECONDS so it does not quit on EOF. Sets port, server_pid and sleeper (the caller
# kills both); calls the caller's fail() when something does not start.
self_signed_server() {
    local dir=$1 naccept=$2 seconds=$3
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" -days 2 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost > "$dir/req.log" 2>&1 ||
        fail "openssl req could not make the certificate: $(cat "$dir/req.log")"
    mkfifo "$dir/stdin"
    sleep "$seconds" > "$dir/stdin" &
    sleeper=$!
    OPENSSL_CONF=/dev/null openssl s_server -accept 127.0.0.1:0 -naccept "$naccept" -cert "$dir/cert.pem" \
        -key "$dir/key.pem" < "$dir/stdin" > "$dir/server.log" 2>&1 &
    server_pid=$!
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$dir/server.log")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    fail "s_server did not start: $(cat "$dir/server.log")"
}
