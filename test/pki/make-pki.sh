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

# ---- chain problems (issue 15) ----
# expired + other-root.crt as the client's CA: an expired leaf under a CA it does not trust.
# sha1-inter           intermediate under root signed with SHA-1; sha1-inter-leaf (localhost)
#                      under it, sha1-inter-chain.pem the two
# weakroot             self-signed root with a 1024-bit key; weakroot-inter under it signs
#                      weakroot-leaf (localhost), weakroot-chain.pem leaf + intermediate
# publeaf, privleaf    leaves under inter without AIA, for db.example.com and for localhost:
#                      served alone, a short chain with nothing to fetch the issuer from
# renamed-inter        self-signed, named as inter but with another key: a replaced CA a
#                      client may still trust
pki_section noaia "$PKI_TLS_USAGE" serverAuth "$PKI_SAN_LOCALHOST"
pki_section pubname "$PKI_TLS_USAGE" serverAuth "subjectAltName = DNS:db.example.com"
pki_keys 2048 sha1-inter weakroot-inter
pki_keys 1024 weakroot
quiet openssl req -new -key sha1-inter.key -subj "/O=tlsdiag tests/CN=tlsdiag SHA-1 Intermediate CA" \
    -config ext.cnf -out sha1-inter.csr
quiet openssl x509 -req -in sha1-inter.csr -CA root.crt -CAkey root.key -set_serial 0x5a1 \
    -days 365 -sha1 -extfile ext.cnf -extensions v3_ca -out sha1-inter.crt
pki_sign sha1-inter-leaf.crt leaf.key "/O=tlsdiag tests/CN=localhost" sha1-inter.crt \
    sha1-inter.key 30 noaia
cat sha1-inter-leaf.crt sha1-inter.crt > sha1-inter-chain.pem
pki_self_signed weakroot.crt weakroot.key "/O=tlsdiag tests/CN=tlsdiag Weak Root CA" 365 v3_ca
pki_sign weakroot-inter.crt weakroot-inter.key "/O=tlsdiag tests/CN=tlsdiag Weak Root's Intermediate CA" \
    weakroot.crt weakroot.key 365 v3_ca
pki_sign weakroot-leaf.crt leaf.key "/O=tlsdiag tests/CN=localhost" weakroot-inter.crt \
    weakroot-inter.key 30 noaia
cat weakroot-leaf.crt weakroot-inter.crt > weakroot-chain.pem
pki_sign publeaf.crt leaf.key "/O=tlsdiag tests/CN=db.example.com" inter.crt inter.key 30 pubname
pki_sign privleaf.crt leaf.key "/O=tlsdiag tests/CN=localhost" inter.crt inter.key 30 noaia
pki_keys 2048 renamed-inter
pki_self_signed renamed-inter.crt renamed-inter.key "/O=tlsdiag tests/CN=tlsdiag Test Intermediate CA" \
    365 v3_ca
# ---- interception (issue 15) ----
# Certificates that look like interception, for test/scenarios/py-intercepted-*.case:
#   mitm-root.crt            "CN=mitmproxy, O=mitmproxy", the name mitmproxy gives its CA (a
#                            generated stand-in: the same name, our key)
#   mitm                     localhost under mitm-root, as mitmproxy forges a leaf on the fly
#   superfish-leaf           localhost, naming Superfish's root as its issuer (no AKID, so any
#                            key with that name may be its issuer); its key is ours, its
#                            signature is not Superfish's, and no client ever checks it, since
#                            the chain ends untrusted first
#                            (a case sends it with -cert_chain test/pki/fixtures/superfish.pem,
#                            the real root from Chromium's blocklist: a server may send any
#                            certificate, and the root's key is all the client looks at)
#   forti-root.crt           "CN=Fortinet_CA_SSL, O=Fortinet", FortiOS's CA name, with a 1024-bit
#                            key (a generated stand-in): the root an administrator installed,
#                            too weak for security level 2
#   forti                    localhost under forti-root
#   inspect-root.crt         "Example Corp Inspection CA", a CA named like no product
#   atlas                    cluster0.abcde.mongodb.net under inspect-root: a public service's
#                            name from a CA nobody trusts
pki_self_section intercepted_leaf "$PKI_TLS_USAGE" serverAuth "$PKI_SAN_LOCALHOST" \
    "authorityKeyIdentifier = none"
pki_section forged "$PKI_TLS_USAGE" serverAuth "$PKI_SAN_LOCALHOST"
pki_section atlas "$PKI_TLS_USAGE" serverAuth "subjectAltName = DNS:cluster0.abcde.mongodb.net"
pki_keys 2048 mitm-root inspect-root fake-superfish
pki_keys 1024 forti-root
pki_self_signed mitm-root.crt mitm-root.key "/CN=mitmproxy/O=mitmproxy" 365 v3_ca
pki_sign mitm.crt leaf.key "/CN=localhost" mitm-root.crt mitm-root.key 30 forged
cp leaf.key mitm.key
pki_self_signed forti-root.crt forti-root.key "/O=Fortinet/CN=Fortinet_CA_SSL" 365 v3_ca
pki_sign forti.crt leaf.key "/CN=localhost" forti-root.crt forti-root.key 30 forged
cp leaf.key forti.key
# The issuer's name as the real root spells it, in its order; fake-superfish only lends pki_sign
# a certificate of that name to sign with, and is not kept.
pki_self_signed fake-superfish.crt fake-superfish.key \
    "/O=Superfish, Inc./L=SF/ST=CA/C=US/CN=Superfish, Inc." 30 v3_ca
pki_sign superfish-leaf.crt leaf.key "/CN=localhost" fake-superfish.crt fake-superfish.key 30 \
    intercepted_leaf
cp leaf.key superfish-leaf.key
rm fake-superfish.crt fake-superfish.key
pki_self_signed inspect-root.crt inspect-root.key "/O=Example Corp/CN=Example Corp Inspection CA" \
    365 v3_ca
pki_sign atlas.crt leaf.key "/CN=cluster0.abcde.mongodb.net" inspect-root.crt inspect-root.key \
    30 atlas
cp leaf.key atlas.key
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
