#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# smoke.sh BUILD_DIR WORK_DIR
# curl, openssl s_client and Python's ssl against real openssl s_server setups (good,
# self-signed, wrong host, TLS 1.0 only, ...), once without tlsdiag and once per tlsdiag
# mode (TLSDIAG=1 and trace, output to a file). Exit status, stdout, stderr and the
# body fetched must be identical in every mode: tlsdiag may only add its own output.
# The servers run in the same mode as the clients, so server-side hooks are covered too.
# A client whose libssl is of another major than the module's (sid's curl and python3 on
# OpenSSL 3 beside experimental's OpenSSL 4) must instead get tlsdiag's one mismatch warning
# on stderr, no event, and otherwise the same output (test/mixed/mixed-major.sh has more).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: smoke.sh BUILD_DIR WORK_DIR}" && pwd)
work=${2:?usage: smoke.sh BUILD_DIR WORK_DIR}
PYTHON=${PYTHON:-/usr/bin/python3}
cnf=$build/openssl.cnf
modes="none on trace"

fail=0
say() { echo "transparency: smoke: $*"; }
bad() { say "FAIL: $*"; fail=1; }

[ -r "$cnf" ] || { say "FAIL: $cnf is missing (run make first)"; exit 1; }
rm -rf "$work"
mkdir -p "$work/docroot"
work=$(cd "$work" && pwd)
pki=$work/pki
# The project's PKI generator, in a directory of our own so runs never share keys.
OPENSSL_CONF=/dev/null sh "$top/test/pki/make-pki.sh" "$pki" >/dev/null
echo "tlsdiag transparency smoke" > "$work/docroot/hello.txt"

# name | server | server arguments | curl exit status expected without tlsdiag ("-": any)
# The expectation keeps each setup honest: if a "self-signed" server accidentally
# worked, identical outputs would prove little.
scenarios=$(cat <<'EOF'
good|tls|-cert good.crt -key good.key -cert_chain inter.crt|0
tls12_only|tls|-cert good.crt -key good.key -cert_chain inter.crt -tls1_2|0
self_signed|tls|-cert selfsigned.crt -key selfsigned.key|60
wrong_host|tls|-cert wronghost.crt -key wronghost.key -cert_chain inter.crt|60
expired|tls|-cert expired.crt -key expired.key -cert_chain inter.crt|60
unknown_ca|tls|-cert unknown.crt -key unknown.key -cert_chain other-inter.crt|60
missing_intermediate|tls|-cert good.crt -key good.key|60
weak_key|tls|-cert weakkey.crt -key weakkey.key -cert_chain inter.crt -cipher DEFAULT:@SECLEVEL=0|-
tls10_only|tls|-cert good.crt -key good.key -cert_chain inter.crt -tls1 -cipher DEFAULT:@SECLEVEL=0|35
no_shared_cipher|tls|-cert good.crt -key good.key -cert_chain inter.crt -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256|35
client_cert_required|tls|-cert good.crt -key good.key -cert_chain inter.crt -Verify 1 -CAfile root.crt|-
not_tls|plain||35
EOF
)

# The tests' one environment scrub (test/harness/tdlib.py): env(1) -u arguments.
mapfile -t scrub < <("$PYTHON" -B "$top/test/harness/tdlib.py" --unset-args)

# mode_env MODE EVENTS_FILE: the env(1) arguments for MODE.
mode_env() {
    local args=("${scrub[@]}" LC_ALL=C PYTHONDONTWRITEBYTECODE=1 CURL_HOME=/nonexistent)
    case $1 in
        none)  ;;
        on)    args+=(OPENSSL_CONF="$cnf" TLSDIAG=1 TLSDIAG_FORMAT=json TLSDIAG_OUTPUT="file:$2") ;;
        trace) args+=(OPENSSL_CONF="$cnf" TLSDIAG=trace TLSDIAG_FORMAT=json TLSDIAG_OUTPUT="file:$2") ;;
    esac
    printf '%s\n' "${args[@]}"
}

server_pid=""
stop_server() {
    [ -n "$server_pid" ] || return 0
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}
trap stop_server EXIT

# start_server MODE NAME KIND SERVER_ARGS: sets server_pid and port.
start_server() {
    local mode=$1 name=$2 kind=$3 server_args=$4 log=$work/$1/$2.server.log env_args
    mapfile -t env_args < <(mode_env "$mode" "$work/$mode/events/$name.server.jsonl")
    if [ "$kind" = plain ]; then
        env "${env_args[@]}" "$PYTHON" "$here/plain_server.py" >"$log" 2>&1 &
    else
        # -WWW serves files from the working directory; the PKI lives elsewhere.
        server_args=$(echo "$server_args" | sed -E "s#([^ ]+\.(crt|key))#$pki/\1#g")
        # shellcheck disable=SC2086  # SERVER_ARGS is a word list by design
        (cd "$work/docroot" && exec env "${env_args[@]}" openssl s_server \
            -accept 127.0.0.1:0 -WWW $server_args) >"$log" 2>&1 &
    fi
    server_pid=$!
    port=""
    for _ in $(seq 100); do
        port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$log" 2>/dev/null)
        [ -z "$port" ] || return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.05
    done
    bad "$mode/$name: server did not start: $(tr '\n' ' ' < "$log")"
    return 1
}

# The OpenSSL major each program runs and the module's (from its DT_NEEDED libcrypto.so.N).
mismatch_warning='^tlsdiag: warning: this process runs OpenSSL '
module_major=$(readelf -d "$build/tlsdiag.so" | sed -n 's/.*\[libcrypto\.so\.\([0-9]*\)\].*/\1/p')
declare -A major=(
    [curl]=$(curl -V | sed -n '1s/.* OpenSSL\/\([0-9]*\)\..*/\1/p')
    [s_client]=$(openssl version | sed -n 's/^OpenSSL \([0-9]*\)\..*/\1/p')
    [python]=$("$PYTHON" -c 'import ssl; print(ssl.OPENSSL_VERSION_INFO[0])')
)
major[server]=${major[s_client]}
for who in curl s_client python; do
    [ "${major[$who]}" = "$module_major" ] ||
        say "$who runs OpenSSL ${major[$who]:-?}, the module is built for $module_major: it must get one warning and no event"
done

# Thread ids prefix OpenSSL's error lines and ports change per run; nothing else may. The
# mismatch warning is counted by run_client and then left out.
normalize() {
    sed -E -e 's/^[0-9A-F]{6,16}:error:/TID:error:/' -e "s/\b$port\b/PORT/g" -e "/$mismatch_warning/d" "$@"
}

# run_client MODE NAME CLIENT: one client run, results under MODE/results/.
run_client() {
    local mode=$1 name=$2 client=$3 env_args rc
    local out=$work/$mode/results/$name.$client
    mapfile -t env_args < <(mode_env "$mode" "$work/$mode/events/$name.$client.jsonl")
    (
        cd "$work/docroot"
        case $client in
            curl)
                env "${env_args[@]}" curl -sS --max-time 20 --cacert "$pki/root.crt" \
                    -o "$out.body" -w '%{http_code} %{ssl_verify_result}\n' \
                    "https://localhost:$port/hello.txt" ;;
            s_client)
                printf 'GET /hello.txt HTTP/1.0\r\n\r\n' |
                    env "${env_args[@]}" timeout 20 openssl s_client -brief -ign_eof \
                        -connect "127.0.0.1:$port" -servername localhost -verify_hostname localhost \
                        -verify_return_error -CAfile "$pki/root.crt" ;;
            python)
                env "${env_args[@]}" "$PYTHON" "$top/test/clients/pyclient.py" --host 127.0.0.1 \
                    --port "$port" --servername localhost --cafile "$pki/root.crt" --get /hello.txt \
                    --timeout 20 ;;
        esac
    ) >"$out.out.raw" 2>"$out.err.raw" && rc=0 || rc=$?
    echo "$rc" > "$out.rc"
    local warned want=0
    warned=$(grep -c "$mismatch_warning" "$out.err.raw" || true)
    [ "$mode" = none ] || [ "${major[$client]}" = "$module_major" ] || want=1
    [ "$warned" = "$want" ] ||
        bad "$mode/$name: $client printed the major-mismatch warning $warned times, wanted $want"
    normalize "$out.out.raw" > "$out.out"
    normalize "$out.err.raw" > "$out.err"
    rm -f "$out.out.raw" "$out.err.raw"
    if [ -f "$out.body" ]; then normalize "$out.body" > "$out.body.n" && mv "$out.body.n" "$out.body"; fi
}

# events_in FILE: how many events FILE holds, read by the tests' one reader (which fails on
# any line that is not a whole tlsdiag/1 JSON object).
events_in() { "$PYTHON" -B "$top/test/harness/tdlib.py" --count-events "$1"; }

t0=$(date +%s)
for mode in $modes; do
    mkdir -p "$work/$mode/results" "$work/$mode/events"
    while IFS='|' read -r name kind args expect; do
        start_server "$mode" "$name" "$kind" "$args" || continue
        for client in curl s_client python; do
            run_client "$mode" "$name" "$client"
        done
        stop_server
        normalize "$work/$mode/$name.server.log" > "$work/$mode/results/$name.server"
        if [ "$mode" = none ] && [ "$expect" != - ] &&
           [ "$(cat "$work/none/results/$name.curl.rc")" != "$expect" ]; then
            bad "$name: curl exited $(cat "$work/none/results/$name.curl.rc") without tlsdiag," \
                "expected $expect: the setup is not what it claims"
        fi
        # In trace mode every handshake is an event; none means the hook never ran,
        # and then identical output would prove nothing.
        if [ "$mode" = trace ]; then
            for who in curl s_client python server; do
                [ "$who" != server ] || [ "$kind" = tls ] || continue
                n=$(events_in "$work/trace/events/$name.$who.jsonl") ||
                    bad "trace/$name: $who's events are not all whole tlsdiag/1 JSON lines"
                if [ "${major[$who]}" != "$module_major" ]; then
                    [ "$n" -eq 0 ] ||
                        bad "trace/$name: $n tlsdiag events from $who, which runs another OpenSSL major: tlsdiag must be inert there"
                    continue
                fi
                [ "$n" -gt 0 ] ||
                    bad "trace/$name: no tlsdiag event from $who: tlsdiag was not active in it"
            done
        fi
    done <<< "$scenarios"
done

for mode in $modes; do
    [ "$mode" != none ] || continue
    if diff -r "$work/none/results" "$work/$mode/results" > "$work/diff-$mode.txt"; then
        runs=("$work/none/results"/*.rc)
        say "TLSDIAG=$mode: output identical to no tlsdiag for ${#runs[@]} client runs and their servers"
    else
        bad "TLSDIAG=$mode changes what programs print or return:"
        head -n 60 "$work/diff-$mode.txt" | sed 's/^/    /'
    fi
done

say "results without tlsdiag (scenario: curl s_client python exit status):"
while IFS='|' read -r name _; do
    printf '    %-22s' "$name"
    for client in curl s_client python; do
        printf ' %-3s' "$(cat "$work/none/results/$name.$client.rc" 2>/dev/null || echo '?')"
    done
    echo
done <<< "$scenarios"
say "$([ $fail = 0 ] && echo PASS || echo FAIL) in $(( $(date +%s) - t0 ))s (files in $work)"
exit $fail
