#!/bin/sh
# make-pki.sh DIR: the test PKI, generated at run time with the openssl CLI.
#
# Every file lands in DIR (private keys included; DIR is a build directory and is
# never committed). Re-running is cheap: a stamp records the script's checksum and
# the PKI is rebuilt only when the script changed or the good leaf is about to expire.
#
# Layout (NAME.crt leaf only, NAME.key its key, NAME-chain.pem leaf + intermediate):
#   root.crt                 "tlsdiag Test Root CA"; the anchor clients trust
#   inter.crt                intermediate under root; signs every leaf below
#   good                     localhost, SAN DNS:localhost, IP:127.0.0.1
#   good-fullchain.pem       good + inter + root: a chain that carries its self-signed root
#   chain-with-root.pem      inter + root, for s_server -cert_chain
#   expired, notyet          validity in the past / in the future
#   wronghost                SAN DNS:other.example only
#   weakkey                  1024-bit RSA key
#   sha1                     signed with SHA-1
#   clientauth               EKU clientAuth only (no serverAuth)
#   revoked                  listed in inter.crl.pem
#   selfsigned               self-signed leaf for localhost
#   unknown                  localhost under other-inter -> other-root, a second unrelated PKI
#   client                   client certificate (EKU clientAuth) under inter;
#                            client-combined.pem is key + certificate in one file (PyMongo)
#   inter.crl.pem            CRL of inter, revoking "revoked"
#   dh1024.pem               1024-bit DH parameters (too small at security level 2)
#   good.ocsp.der            OCSP response (status good) for good, signed by inter
#   revoked.ocsp.der         OCSP response (status revoked) for revoked, signed by inter
set -eu

dir=${1:?usage: make-pki.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
sum=$(cksum < "$here/make-pki.sh")

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# Callers may run concurrently (make -j, the demo next to a test run): one generates,
# the others wait and then find the stamp.
exec 9>>"$dir/.lock"
flock 9
if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$sum" ] &&
   openssl x509 -in "$dir/good.crt" -noout -checkend 86400 >/dev/null 2>&1; then
    exit 0
fi

# Build in a scratch directory inside DIR, then move into place, so an interrupted
# run never leaves a half-made PKI that the stamp would vouch for.
work="$dir/.work.$$"
rm -rf "$work"
mkdir -p "$work/db"
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

# openssl must not read the caller's config (it may be a tlsdiag one, or absent).
OPENSSL_CONF=/dev/null
export OPENSSL_CONF

ts() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

rsa() { openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1" 2>/dev/null; }

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
authorityInfoAccess = caIssuers;URI:http://127.0.0.1:9/inter.crt

[ wronghost ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:other.example

[ clientauth ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost, IP:127.0.0.1

[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ selfsigned ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF

# `openssl ca` rather than `x509 -req`: it takes explicit start and end dates
# (OpenSSL 3.0's x509 cannot backdate) and keeps the database that -gencrl and
# the OCSP responder read.
cat > ca.cnf <<EOF
[ ca ]
default_ca = inter_ca
[ inter_ca ]
dir = $work/db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $work/inter.crt
private_key = $work/inter.key
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
echo 1000 > db/serial
echo 1000 > db/crlnumber

rsa root.key 2048
rsa inter.key 2048
rsa other-root.key 2048
rsa other-inter.key 2048
rsa leaf.key 2048
rsa weakkey.key 1024

past=$(ts '-1 day')
future=$(ts '+30 days')

openssl req -x509 -new -key root.key -subj "/O=tlsdiag tests/CN=tlsdiag Test Root CA" \
    -days 365 -sha256 -extensions v3_ca -config ext.cnf -out root.crt 2>/dev/null
openssl req -x509 -new -key other-root.key -subj "/O=Elsewhere/CN=Unrelated Root CA" \
    -days 365 -sha256 -extensions v3_ca -config ext.cnf -out other-root.crt 2>/dev/null

ca_cert() { # ca_cert OUT SUBJECT KEY ISSUER_CRT ISSUER_KEY
    openssl req -new -key "$3" -subj "$2" -out "$1.csr" -config ext.cnf 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA "$4" -CAkey "$5" -set_serial "0x$(openssl rand -hex 8)" \
        -days 365 -sha256 -extfile ext.cnf -extensions v3_ca -out "$1" 2>/dev/null
}
ca_cert inter.crt "/O=tlsdiag tests/CN=tlsdiag Test Intermediate CA" inter.key root.crt root.key
ca_cert other-inter.crt "/O=Elsewhere/CN=Unrelated Intermediate CA" other-inter.key \
    other-root.crt other-root.key

leaf() { # leaf NAME KEY EXTENSIONS START END [MD] [SUBJECT]
    openssl req -new -key "$2" -subj "${7:-/O=tlsdiag tests/CN=localhost}" -out "$1.csr" \
        -config ext.cnf 2>/dev/null
    openssl ca -batch -config ca.cnf -notext -preserveDN -in "$1.csr" -out "$1.crt" \
        -extfile ext.cnf -extensions "$3" -startdate "$4" -enddate "$5" -md "${6:-sha256}" \
        2>ca.log || { cat ca.log >&2; exit 1; }
    [ "$2" = "$1.key" ] || cp "$2" "$1.key"
    cat "$1.crt" inter.crt > "$1-chain.pem"
}
leaf good leaf.key server "$past" "$future"
leaf expired leaf.key server "$(ts '-60 days')" "$(ts '-2 days')"
leaf notyet leaf.key server "$(ts '+10 days')" "$(ts '+60 days')"
leaf wronghost leaf.key wronghost "$past" "$future" sha256 "/O=tlsdiag tests/CN=other.example"
leaf weakkey weakkey.key server "$past" "$future"
leaf sha1 leaf.key server "$past" "$future" sha1
leaf clientauth leaf.key clientauth "$past" "$future"
leaf revoked leaf.key server "$past" "$future"
leaf client leaf.key client "$past" "$future" sha256 "/O=tlsdiag tests/CN=tlsdiag test client"
cat client.key client.crt > client-combined.pem

openssl ca -batch -config ca.cnf -revoke revoked.crt -crl_reason keyCompromise 2>ca.log ||
    { cat ca.log >&2; exit 1; }
openssl ca -batch -config ca.cnf -gencrl -out inter.crl.pem 2>ca.log || { cat ca.log >&2; exit 1; }

# The unrelated PKI's leaf: same name, same key, an issuer nobody here trusts.
openssl req -new -key leaf.key -subj "/O=Elsewhere/CN=localhost" -out unknown.csr \
    -config ext.cnf 2>/dev/null
openssl x509 -req -in unknown.csr -CA other-inter.crt -CAkey other-inter.key \
    -set_serial "0x$(openssl rand -hex 8)" -days 30 -sha256 -extfile ext.cnf -extensions server \
    -out unknown.crt 2>/dev/null
cp leaf.key unknown.key
cat unknown.crt other-inter.crt > unknown-chain.pem

openssl req -x509 -new -key leaf.key -subj "/O=tlsdiag tests/CN=localhost" -days 30 -sha256 \
    -extensions selfsigned -config ext.cnf -out selfsigned.crt 2>/dev/null
cp leaf.key selfsigned.key

# Diffie-Hellman parameters too small for security level 2 (dh_key_too_small).
openssl dhparam -dsaparam -out dh1024.pem 1024 2>/dev/null

cat good.crt inter.crt root.crt > good-fullchain.pem
cat inter.crt root.crt > chain-with-root.pem

# Staples signed by the issuer itself: "good" for good (a client may still reject it),
# "revoked" for revoked (the database above already marks it).
for name in good revoked; do
    openssl ocsp -issuer inter.crt -cert "$name.crt" -no_nonce -reqout "$name.ocsp.req" >/dev/null 2>&1
    openssl ocsp -index db/index.txt -CA inter.crt -rsigner inter.crt -rkey inter.key \
        -reqin "$name.ocsp.req" -respout "$name.ocsp.der" -ndays 7 >/dev/null 2>&1
done

rm -f ./*.csr ./*.req ca.log ext.cnf ca.cnf
rm -rf db
chmod 600 ./*.key client-combined.pem

# Replace the previous generation in one sweep; keep DIR itself (callers may hold it).
find "$dir" -mindepth 1 -maxdepth 1 ! -name "$(basename "$work")" ! -name .lock -exec rm -rf {} +
mv ./* "$dir"/
echo "$sum" > "$dir/.stamp"
