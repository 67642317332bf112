# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# pkilib.sh: what the PKI generators (make-pki.sh, ocsp-fixtures.sh) share. Each one sources
# this file and does:
#
#   pki_begin DIR FRESH   returns only when DIR must be (re)made; the shell is then in a scratch
#                         directory whose ext.cnf holds the CA section v3_ca
#   pki_section, pki_keys, pki_self_signed, pki_sign, pki_ca_db, pki_issue, pki_revoke,
#   pki_respond: the openssl CLI steps, each through `quiet`
#   pki_finish [FILE...]  moves the result into DIR and stamps it
#
# Re-running is cheap: the stamp holds the checksum of the script and of this file, and DIR is
# remade only when one of them changed or the script's FRESH function (called with DIR) fails.
# The steps leave working files in the scratch directory (ext.cnf, ca.cnf, db/, *.csr,
# cmd.log); pki_finish removes them, and any other *.cnf, before the move.

# The usual key usage of a TLS end entity, and the names every test connects to.
PKI_TLS_USAGE="digitalSignature, keyEncipherment"
PKI_SAN_LOCALHOST="subjectAltName = DNS:localhost, IP:127.0.0.1"

quiet() { # run a command, show its output only when it fails
    "$@" >cmd.log 2>&1 || { echo "$pki_script: failed: $*" >&2; cat cmd.log >&2; exit 1; }
}

pki_date() { # pki_date 'DATE OFFSET': that time as openssl ca -startdate/-enddate want it
    date -u -d "$1" +%Y%m%d%H%M%SZ
}

pki_begin() { # pki_begin DIR FRESH
    pki_script=$(basename "$0")
    [ -n "$1" ] || { echo "usage: $pki_script DIR" >&2; exit 2; }
    pki_sum=$(cat "$0" "$(dirname "$0")/pkilib.sh" | cksum)
    mkdir -p "$1"
    pki_dir=$(cd "$1" && pwd)

    # openssl must not read the caller's config (it may be a tlsdiag one, or absent).
    OPENSSL_CONF=/dev/null
    export OPENSSL_CONF

    # Callers may run concurrently (make -j, the demo next to a test run): one generates,
    # the others wait and then find the stamp.
    exec 9>>"$pki_dir/.lock"
    flock 9
    if [ -f "$pki_dir/.stamp" ] && [ "$(cat "$pki_dir/.stamp")" = "$pki_sum" ] && "$2" "$pki_dir"; then
        exit 0
    fi

    # Build in a scratch directory inside DIR, then move into place, so an interrupted run
    # never leaves a half-made set that the stamp would vouch for.
    pki_work="$pki_dir/.work.$$"
    rm -rf "$pki_work"
    mkdir -p "$pki_work/db"
    trap 'rm -rf "$pki_work"' EXIT INT TERM
    cd "$pki_work"

    cat > ext.cnf <<'EOF'
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
}

pki_keys() { # pki_keys BITS NAME...: an RSA key NAME.key for each NAME
    _pki_bits=$1
    shift
    for _pki_name; do
        quiet openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$_pki_bits" -out "$_pki_name.key"
    done
}

# pki_section NAME KEY_USAGE EXTENDED_KEY_USAGE [LINE...]: an end-entity section of ext.cnf
# for a certificate that a CA issues; each LINE is added as it is.
pki_section() {
    _pki_name=$1 _pki_ku=$2 _pki_eku=$3
    shift 3
    pki_self_section "$_pki_name" "$_pki_ku" "$_pki_eku" "authorityKeyIdentifier = keyid" "$@"
}

# pki_self_section: the same for a self-signed certificate (there is no other key to name).
pki_self_section() {
    printf '\n[ %s ]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, %s\n' "$1" "$2" >> ext.cnf
    printf 'extendedKeyUsage = %s\nsubjectKeyIdentifier = hash\n' "$3" >> ext.cnf
    shift 3
    for _pki_line; do
        printf '%s\n' "$_pki_line" >> ext.cnf
    done
}

pki_self_signed() { # pki_self_signed OUT KEY SUBJECT DAYS SECTION
    quiet openssl req -x509 -new -key "$2" -subj "$3" -days "$4" -sha256 -extensions "$5" \
        -config ext.cnf -out "$1"
}

# pki_sign OUT KEY SUBJECT ISSUER_CERT ISSUER_KEY DAYS SECTION [SERIAL]: a certificate signed
# directly by an issuer (a CA, or a leaf outside the pki_ca_db database); the serial is random
# unless given.
pki_sign() {
    quiet openssl req -new -key "$2" -subj "$3" -config ext.cnf -out "${1%.*}.csr"
    quiet openssl x509 -req -in "${1%.*}.csr" -CA "$4" -CAkey "$5" \
        -set_serial "${8:-0x$(openssl rand -hex 8)}" -days "$6" -sha256 -extfile ext.cnf \
        -extensions "$7" -out "$1"
}

# pki_ca_db CA_CERT CA_KEY FIRST_SERIAL: the issuing CA that pki_issue, pki_revoke, pki_respond
# and `openssl ca -config ca.cnf` use. `openssl ca` rather than `x509 -req`: it takes explicit
# start and end dates (OpenSSL 3.0's x509 cannot backdate) and keeps the database that -revoke
# writes, -gencrl reads and `openssl ocsp -index` answers from.
pki_ca_db() {
    pki_ca_cert=$1
    cat > ca.cnf <<EOF
[ ca ]
default_ca = issuing_ca
[ issuing_ca ]
dir = $pki_work/db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $pki_work/$1
private_key = $pki_work/$2
default_md = sha256
default_crl_days = 30
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
EOF
    : > db/index.txt
    echo "$3" > db/serial
    echo 1000 > db/crlnumber
}

pki_issue() { # pki_issue OUT KEY SUBJECT SECTION START END [MD]: a certificate from pki_ca_db
    quiet openssl req -new -key "$2" -subj "$3" -config ext.cnf -out "${1%.*}.csr"
    quiet openssl ca -batch -config ca.cnf -notext -preserveDN -in "${1%.*}.csr" -out "$1" \
        -extfile ext.cnf -extensions "$4" -startdate "$5" -enddate "$6" -md "${7:-sha256}"
}

pki_revoke() { # pki_revoke CERT: pki_ca_db's CA revokes CERT, reason keyCompromise
    quiet openssl ca -batch -config ca.cnf -revoke "$1" -crl_reason keyCompromise
}

# pki_respond OUT CERT SIGNER_CERT SIGNER_KEY [openssl ocsp options...]: an OCSP response about
# CERT (a certificate of pki_ca_db's CA) answered from the CA's database.
pki_respond() {
    pki_respond_at "" "$@"
}

# pki_respond_at OFFSET OUT CERT SIGNER_CERT SIGNER_KEY [options...]: the same, dated as if
# the clock were off by OFFSET (faketime's -f, e.g. -3d): openssl ocsp always dates a response
# "now", and faketime moves "now" for just this process.
pki_respond_at() {
    _pki_at=$1 _pki_out=$2 _pki_cert=$3 _pki_signer=$4 _pki_rkey=$5
    shift 5
    quiet ${_pki_at:+faketime -f "$_pki_at"} openssl ocsp -index db/index.txt \
        -CA "$pki_ca_cert" -issuer "$pki_ca_cert" -cert "$_pki_cert" \
        -rsigner "$_pki_signer" -rkey "$_pki_rkey" -no_nonce -respout "$_pki_out" "$@"
}

pki_finish() { # pki_finish [FILE...]: FILEs, besides *.key, hold a private key
    rm -rf db ./*.csr ./*.cnf cmd.log
    chmod 600 ./*.key "$@"
    # Replace the previous generation in one sweep; keep DIR itself (callers may hold it) and
    # the lock.
    find "$pki_dir" -mindepth 1 -maxdepth 1 ! -name "$(basename "$pki_work")" ! -name .lock \
        -exec rm -rf {} +
    mv ./* "$pki_dir"/
    echo "$pki_sum" > "$pki_dir/.stamp"
}
