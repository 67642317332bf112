#!/bin/sh
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
# make-pki.sh DIR: the test PKI, generated at run time with the openssl CLI.
#
# Every file lands in DIR (private keys included; DIR is a build directory and is
# never committed). Re-running is cheap: a stamp records the checksum of this script and
# of pkilib.sh (the steps it shares with ocsp-fixtures.sh), and the PKI is rebuilt only
# when one of them changed or the good leaf is about to expire.
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
#   bigsans                  localhost and 7000 more names: a ~113 KB certificate (issue 15)
#   dh-badgen.pem            ffdhe2048's prime with generator p-1: invalid DH parameters
set -eu
. "$(dirname "$0")/pkilib.sh"

# Remade a day before the good leaf expires, so no test meets an expired "good".
good_for_a_day() { openssl x509 -in "$1/good.crt" -noout -checkend 86400 >/dev/null 2>&1; }
pki_begin "${1:-}" good_for_a_day

pki_section server "$PKI_TLS_USAGE" serverAuth "$PKI_SAN_LOCALHOST" \
    "authorityInfoAccess = caIssuers;URI:http://127.0.0.1:9/inter.crt"
pki_section wronghost "$PKI_TLS_USAGE" serverAuth "subjectAltName = DNS:other.example"
pki_section clientauth "$PKI_TLS_USAGE" clientAuth "$PKI_SAN_LOCALHOST"
pki_section client digitalSignature clientAuth
pki_self_section selfsigned "$PKI_TLS_USAGE" serverAuth "$PKI_SAN_LOCALHOST"

pki_keys 2048 root inter other-root other-inter leaf
pki_keys 1024 weakkey

pki_self_signed root.crt root.key "/O=tlsdiag tests/CN=tlsdiag Test Root CA" 365 v3_ca
pki_self_signed other-root.crt other-root.key "/O=Elsewhere/CN=Unrelated Root CA" 365 v3_ca
pki_sign inter.crt inter.key "/O=tlsdiag tests/CN=tlsdiag Test Intermediate CA" \
    root.crt root.key 365 v3_ca
pki_sign other-inter.crt other-inter.key "/O=Elsewhere/CN=Unrelated Intermediate CA" \
    other-root.crt other-root.key 365 v3_ca
pki_ca_db inter.crt inter.key 1000

past=$(pki_date '-1 day')
future=$(pki_date '+30 days')
leaf() { # leaf NAME KEY EXTENSIONS START END [MD] [SUBJECT]
    pki_issue "$1.crt" "$2" "${7:-/O=tlsdiag tests/CN=localhost}" "$3" "$4" "$5" "${6:-sha256}"
    [ "$2" = "$1.key" ] || cp "$2" "$1.key"
    cat "$1.crt" inter.crt > "$1-chain.pem"
}
leaf good leaf.key server "$past" "$future"
leaf expired leaf.key server "$(pki_date '-60 days')" "$(pki_date '-2 days')"
leaf notyet leaf.key server "$(pki_date '+10 days')" "$(pki_date '+60 days')"
leaf wronghost leaf.key wronghost "$past" "$future" sha256 "/O=tlsdiag tests/CN=other.example"
leaf weakkey weakkey.key server "$past" "$future"
leaf sha1 leaf.key server "$past" "$future" sha1
leaf clientauth leaf.key clientauth "$past" "$future"
leaf revoked leaf.key server "$past" "$future"
leaf client leaf.key client "$past" "$future" sha256 "/O=tlsdiag tests/CN=tlsdiag test client"
cat client.key client.crt > client-combined.pem

pki_revoke revoked.crt
quiet openssl ca -batch -config ca.cnf -gencrl -out inter.crl.pem

# The unrelated PKI's leaf: same name, same key, an issuer nobody here trusts.
pki_sign unknown.crt leaf.key "/O=Elsewhere/CN=localhost" other-inter.crt other-inter.key 30 server
cp leaf.key unknown.key
cat unknown.crt other-inter.crt > unknown-chain.pem

pki_self_signed selfsigned.crt leaf.key "/O=tlsdiag tests/CN=localhost" 30 selfsigned
cp leaf.key selfsigned.key

# Diffie-Hellman parameters too small for security level 2 (dh_key_too_small).
quiet openssl dhparam -dsaparam -out dh1024.pem 1024

cat good.crt inter.crt root.crt > good-fullchain.pem
cat inter.crt root.crt > chain-with-root.pem

# Staples signed by the issuer itself: "good" for good (a client may still reject it),
# "revoked" for revoked (the database above already marks it).
pki_respond good.ocsp.der good.crt inter.crt inter.key -ndays 7
pki_respond revoked.ocsp.der revoked.crt inter.crt inter.key -ndays 7

# ---- handshake long tail (issue 15) ----
# bigsans: localhost with 7000 more DNS names, a certificate of about 113 KB, over OpenSSL's
# default limit on a received certificate list (SSL_get_max_cert_list: 100 KiB), so a client
# refuses it with "excessive message size" (certificate_list_too_large).
pki_section bigsans "$PKI_TLS_USAGE" serverAuth \
    "subjectAltName = DNS:localhost, IP:127.0.0.1, $(seq -f 'DNS:h%05g.example' 1 7000 | paste -sd, -)"
leaf bigsans leaf.key bigsans "$past" "$future"
# dh-badgen.pem: the RFC 7919 ffdhe2048 prime with p-1 as its generator (p ends in ...FFFF, so
# p-1 ends in ...FFFE), large enough but no valid group: a client's check of the server's
# parameters refuses it with "bad dh value" (DH_R_NOT_SUITABLE_GENERATOR on the queue).
quiet openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out ffdhe2048.pem
ffdhe_p=$(openssl asn1parse -in ffdhe2048.pem | sed -n '2s/.*://p')
printf 'asn1 = SEQUENCE:dh\n[ dh ]\np = INTEGER:0x%s\ng = INTEGER:0x%s\n' \
    "$ffdhe_p" "$(printf '%s' "$ffdhe_p" | sed 's/F$/E/')" > dh-badgen.cnf
quiet openssl asn1parse -genconf dh-badgen.cnf -noout -out dh-badgen.der
quiet openssl dhparam -inform DER -in dh-badgen.der -out dh-badgen.pem
rm -f ffdhe2048.pem dh-badgen.der

pki_finish client-combined.pem
