#!/bin/sh
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# ocsp-fixtures.sh DIR: a small PKI and a set of stapled-OCSP responses, made at run time with
# the openssl CLI (and faketime for the responses dated outside "now"). Prints nothing on
# success. Re-running is cheap: a stamp holds the checksum of this script and of pkilib.sh
# (the steps it shares with make-pki.sh), and the set is remade only when one of them changed
# or the set is more than a day old (good.der is valid 7 days).
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
#
# ocsp-fixtures.sh DIR --near-expiry OUT [MINUTES]: (makes DIR if needed, then) writes to OUT a
# response "leaf good", signed by ca, whose nextUpdate is MINUTES (default 60) from now: the
# "refresh it soon" staple. It is made on every call, never cached, since it goes stale.
set -eu
. "$(dirname "$0")/pkilib.sh"

if [ "${2:-}" = --near-expiry ]; then
    pki_script=$(basename "$0")
    dir=$1 out=${3:?usage: ocsp-fixtures.sh DIR --near-expiry OUT [MINUTES]} minutes=${4:-60}
    sh "$0" "$dir"
    OPENSSL_CONF=/dev/null
    export OPENSSL_CONF
    near=$(mktemp -d)
    trap 'rm -rf "$near"' EXIT INT TERM
    # `openssl ocsp` answers from an index that names the leaf as valid.
    serial=$(openssl x509 -in "$dir/leaf.pem" -noout -serial | cut -d= -f2)
    end=$(openssl x509 -in "$dir/leaf.pem" -noout -enddate | cut -d= -f2)
    printf 'V\t%s\t\t%s\tunknown\t/CN=localhost\n' "$(date -u -d "$end" +%y%m%d%H%M%SZ)" "$serial" \
        > "$near/index.txt"
    cd "$near"
    quiet openssl ocsp -index index.txt -CA "$dir/ca.pem" -issuer "$dir/ca.pem" -cert "$dir/leaf.pem" \
        -rsigner "$dir/ca.pem" -rkey "$dir/ca.key" -no_nonce -nmin "$minutes" -respout "$near/out.der"
    cd - >/dev/null
    mv "$near/out.der" "$out"
    exit 0
fi

# Remade once a day: good.der, the newest response, is valid for 7 days.
made_today() { [ -n "$(find "$1/.stamp" -mmin -1440)" ]; }
pki_begin "${1:-}" made_today
# An index that lists nothing: what the responder answers from for unknown.der.
mkdir db-empty
: > db-empty/index.txt

pki_section server "$PKI_TLS_USAGE" serverAuth "$PKI_SAN_LOCALHOST"
pki_section other "$PKI_TLS_USAGE" serverAuth "subjectAltName = DNS:other.localhost"
pki_section muststaple "$PKI_TLS_USAGE" serverAuth "$PKI_SAN_LOCALHOST" "tlsfeature = status_request"
pki_section responder digitalSignature OCSPSigning "noCheck = ignored"
pki_self_section rogue digitalSignature OCSPSigning

pki_keys 2048 root ca leaf other muststaple revoked responder rogue

pki_self_signed root.pem root.key "/O=tlsdiag tests/CN=tlsdiag OCSP Test Root" 3650 v3_ca
pki_sign ca.pem ca.key "/O=tlsdiag tests/CN=tlsdiag OCSP Test Issuing CA" root.pem root.key \
    3650 v3_ca 0x1000
pki_self_signed rogue.pem rogue.key "/O=Elsewhere/CN=Rogue OCSP Responder" 3650 rogue
pki_ca_db ca.pem ca.key 2000

# Start a day back so a client whose clock runs a little behind still accepts the leaves.
start=$(pki_date '-1 day')
end=$(pki_date '+365 days')
issue() { # issue NAME CN EXTENSIONS
    pki_issue "$1.pem" "$1.key" "/O=tlsdiag tests/CN=$2" "$3" "$start" "$end"
    cat "$1.pem" ca.pem > "$1-fullchain.pem"
}
issue leaf localhost server
issue other other.localhost other
issue muststaple localhost muststaple
issue revoked localhost server
issue responder "tlsdiag OCSP Responder" responder
pki_revoke revoked.pem
cp ca.pem chain.pem

respond() { # respond OUT CERT SIGNER [openssl ocsp options...], CERT and SIGNER by NAME
    out=$1 cert=$2 signer=$3
    shift 3
    pki_respond "$out" "$cert.pem" "$signer.pem" "$signer.key" "$@"
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
pki_respond_at -3d expired.der leaf.pem ca.pem ca.key -ndays 1
pki_respond_at +10d notyet.der leaf.pem ca.pem ca.key -ndays 7

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

rm -rf db-empty
pki_finish
