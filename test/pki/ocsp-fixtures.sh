#!/bin/sh
# ocsp-fixtures.sh DIR: a small PKI and a set of stapled-OCSP responses, made at run time with
# the openssl CLI (and faketime for the responses dated outside "now"). Prints nothing on
# success. Re-running is cheap: a stamp holds the script's checksum, and the set is remade
# only when the script changed or the set is more than a day old (good.der is valid 7 days).
# DIR belongs to this script: each regeneration removes whatever else is in it. Private keys
# land there too; it is a build directory and is never committed.
#
# Certificates (PEM; each certificate NAME.pem has its private key in NAME.key):
#   root.pem          "tlsdiag OCSP Test Root"; the anchor clients trust (-CAfile root.pem)
#   ca.pem            issuing CA under root; signs every leaf and most responses
#   chain.pem         what a server sends after its leaf: ca.pem (s_server -cert_chain chain.pem)
#   leaf.pem          CN=localhost, SAN DNS:localhost, IP:127.0.0.1
#   other.pem         CN=other.localhost, SAN DNS:other.localhost (the "other cert")
#   muststaple.pem    like leaf, plus the TLS Feature extension status_request (must-staple)
#   revoked.pem       like leaf, revoked by ca with reason keyCompromise
#   responder.pem     delegated OCSP responder under ca (EKU OCSPSigning, ocsp-nocheck)
#   rogue.pem         self-signed, unrelated to root; signs wrongkey.der
#   NAME-fullchain.pem  NAME.pem + ca.pem, for servers that take one file
#
# OCSP responses (DER, for s_server -status_file):
#   good.der          leaf good, signed by ca, nextUpdate in 7 days
#   good-nocerts.der  the same without the signer's certificate (the client must have ca)
#   revoked.der       revoked.pem revoked (keyCompromise), signed by ca
#   expired.der       leaf good, but thisUpdate 3 days ago and nextUpdate 2 days ago
#   notyet.der        leaf good, but thisUpdate 10 days in the future
#   unknown.der       leaf with certStatus unknown (answered from an index that lacks it)
#   wrongkey.der      leaf good, signed by rogue (key and certificate unrelated to the chain)
#   unauthorized.der  leaf good, signed by other.pem: same CA, but not an OCSP signer
#   othercert.der     other.pem good: a valid response about a different certificate
#   delegated.der     leaf good, signed by responder.pem
#   muststaple.der    muststaple.pem good
#   unsuccessful.der  responseStatus tryLater (3), no responseBytes
#   malformed.der     bytes that are not DER at all
set -eu

dir=${1:?usage: ocsp-fixtures.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
sum=$(cksum < "$here/ocsp-fixtures.sh")

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# Concurrent callers (make -j) wait for one generation instead of racing on the same files.
exec 9>"$dir/.lock"
flock 9

if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$sum" ] &&
   [ -n "$(find "$dir/.stamp" -mmin -1440)" ]; then
    exit 0
fi

# Build in a scratch directory, then move into place, so an interrupted run never leaves a
# half-made set that the stamp would vouch for.
work="$dir/.work.$$"
rm -rf "$work"
mkdir -p "$work/db" "$work/db-empty"
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

# openssl must not read the caller's config (it may be a tlsdiag one, or absent).
OPENSSL_CONF=/dev/null
export OPENSSL_CONF

quiet() { # run a command, show its output only when it fails
    "$@" >cmd.log 2>&1 || { echo "ocsp-fixtures.sh: failed: $*" >&2; cat cmd.log >&2; exit 1; }
}

cat > ext.cnf <<'EOF'
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1

[ other ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:other.localhost

[ muststaple ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1
tlsfeature = status_request

[ responder ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
noCheck = ignored

[ rogue ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
subjectKeyIdentifier = hash
EOF

# `openssl ca` keeps the index that -revoke writes and `openssl ocsp -index` answers from.
cat > ca.cnf <<EOF
[ ca ]
default_ca = issuing_ca
[ issuing_ca ]
dir = $work/db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
certificate = $work/ca.pem
private_key = $work/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
EOF
: > db/index.txt
echo 2000 > db/serial
: > db-empty/index.txt

for key in root ca leaf other muststaple revoked responder rogue; do
    quiet openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key.key"
done

quiet openssl req -x509 -new -key root.key -subj "/O=tlsdiag tests/CN=tlsdiag OCSP Test Root" \
    -days 3650 -sha256 -extensions v3_ca -config ext.cnf -out root.pem
quiet openssl req -new -key ca.key -subj "/O=tlsdiag tests/CN=tlsdiag OCSP Test Issuing CA" \
    -config ext.cnf -out ca.csr
quiet openssl x509 -req -in ca.csr -CA root.pem -CAkey root.key -set_serial 0x1000 \
    -days 3650 -sha256 -extfile ext.cnf -extensions v3_ca -out ca.pem
quiet openssl req -x509 -new -key rogue.key -subj "/O=Elsewhere/CN=Rogue OCSP Responder" \
    -days 3650 -sha256 -extensions rogue -config ext.cnf -out rogue.pem

# Start a day back so a client whose clock runs a little behind still accepts the leaves.
start=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
end=$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)
issue() { # issue NAME CN EXTENSIONS
    quiet openssl req -new -key "$1.key" -subj "/O=tlsdiag tests/CN=$2" -config ext.cnf -out "$1.csr"
    quiet openssl ca -batch -config ca.cnf -notext -preserveDN -in "$1.csr" -out "$1.pem" \
        -extfile ext.cnf -extensions "$3" -startdate "$start" -enddate "$end"
    cat "$1.pem" ca.pem > "$1-fullchain.pem"
}
issue leaf localhost server
issue other other.localhost other
issue muststaple localhost muststaple
issue revoked localhost server
issue responder "tlsdiag OCSP Responder" responder
quiet openssl ca -batch -config ca.cnf -revoke revoked.pem -crl_reason keyCompromise
cp ca.pem chain.pem

respond() { # respond OUT CERT SIGNER [openssl ocsp options...]
    out=$1 cert=$2 signer=$3
    shift 3
    quiet openssl ocsp -index db/index.txt -CA ca.pem -issuer ca.pem -cert "$cert.pem" \
        -rsigner "$signer.pem" -rkey "$signer.key" -no_nonce -respout "$out" "$@"
}
respond good.der leaf ca -ndays 7
respond revoked.der revoked ca -ndays 7
respond othercert.der other ca -ndays 7
respond delegated.der leaf responder -ndays 7
respond muststaple.der muststaple ca -ndays 7
respond good-nocerts.der leaf ca -ndays 7 -resp_no_certs
respond wrongkey.der leaf rogue -ndays 7
respond unauthorized.der leaf other -ndays 7
respond unknown.der leaf ca -ndays 7 -index db-empty/index.txt
# openssl ocsp always dates a response "now"; faketime moves "now" for just this process.
quiet faketime -f '-3d' openssl ocsp -index db/index.txt -CA ca.pem -issuer ca.pem \
    -cert leaf.pem -rsigner ca.pem -rkey ca.key -no_nonce -respout expired.der -ndays 1
quiet faketime -f '+10d' openssl ocsp -index db/index.txt -CA ca.pem -issuer ca.pem \
    -cert leaf.pem -rsigner ca.pem -rkey ca.key -no_nonce -respout notyet.der -ndays 7

# OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] OPTIONAL }:
# a responder that cannot answer sends the status alone.
cat > unsuccessful.cnf <<'EOF'
asn1 = SEQUENCE:response
[ response ]
responseStatus = ENUMERATED:3
EOF
quiet openssl asn1parse -genconf unsuccessful.cnf -noout -out unsuccessful.der
printf 'this is not an OCSP response\n' > malformed.der

# faketime must really have moved the clock, or expired.der would be a second good.der.
openssl ocsp -respin expired.der -resp_text -noverify 2>/dev/null |
    grep -q "Next Update: $(date -u -d '-2 days' '+%b %e')" ||
    { echo "ocsp-fixtures.sh: expired.der is not dated in the past (faketime?)" >&2; exit 1; }

rm -rf db db-empty ./*.csr ./*.cnf cmd.log
chmod 600 ./*.key

# Replace the previous generation in one sweep; keep DIR itself and the lock.
find "$dir" -mindepth 1 -maxdepth 1 ! -name "$(basename "$work")" ! -name .lock -exec rm -rf {} +
mv ./* "$dir"/
echo "$sum" > "$dir/.stamp"
