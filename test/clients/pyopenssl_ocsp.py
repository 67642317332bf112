#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 The tlsdiag authors
# SPDX-License-Identifier: Apache-2.0
"""A pyOpenSSL client that asks for a stapled OCSP response and judges it with a policy, as
PyMongo's OCSP support (pymongo[ocsp]) and other pyOpenSSL applications do.

--policy accept  return True whatever was stapled.
--policy reject  return False whatever was stapled (an application-specific refusal).
--policy strict  accept only a staple that proves the leaf is good right now: it parses,
                 its responseStatus is successful, it is about this leaf (CertID), it is
                 signed by the leaf's issuer or a delegated responder (EKU OCSPSigning)
                 that the issuer signed, it is current, and certStatus is good. No staple
                 at all is rejected too.
--policy raise   raise from the callback (a broken callback, not a verdict).

The callback's own reasoning goes to stdout ("policy: ..."), so a test can tell that the
client refused for the reason it meant to. Returning False makes OpenSSL send
bad_certificate_status_response and fail with "invalid status response"; raising makes
pyOpenSSL return -1, OpenSSL send internal_error, and pyOpenSSL re-raise the exception.
Exit 0 and print "ok <protocol> (staple N bytes)" on a completed handshake; exit 1 and print
"<ExceptionType>: <message> (staple N bytes)" on stderr when the handshake fails ("staple no
bytes" when the callback never ran).
"""
import argparse
import datetime
import socket
import sys

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from OpenSSL import SSL


class Refused(Exception):
    pass


def signature_ok(public_key, signature, hash_algorithm, data):
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hash_algorithm))
        elif isinstance(public_key, dsa.DSAPublicKey):
            public_key.verify(signature, data, hash_algorithm)
        elif isinstance(public_key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            public_key.verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def cert_id(leaf, issuer, algorithm):
    """The CertID a responder would use for leaf under issuer, hashed with algorithm."""
    return ocsp.OCSPRequestBuilder().add_certificate(leaf, issuer, algorithm).build()


def key_hash(cert):
    # KeyHash is the SHA-1 of the subjectPublicKey bits; a CertID computes exactly that.
    return cert_id(cert, cert, hashes.SHA1()).issuer_key_hash


def find_signer(response, issuer):
    if response.responder_name == issuer.subject or response.responder_key_hash == key_hash(issuer):
        return issuer, "issuer"
    for cert in response.certificates:
        named = (response.responder_name is not None and cert.subject == response.responder_name) \
            or (response.responder_key_hash is not None and key_hash(cert) == response.responder_key_hash)
        if not named:
            continue
        if cert.issuer != issuer.subject or not signature_ok(
                issuer.public_key(), cert.signature, cert.signature_hash_algorithm,
                cert.tbs_certificate_bytes):
            raise Refused("responder %s is not certified by the leaf's issuer" % cert.subject.rfc4514_string())
        try:
            eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except x509.ExtensionNotFound:
            eku = []
        if ExtendedKeyUsageOID.OCSP_SIGNING not in eku:
            raise Refused("responder %s may not sign OCSP responses" % cert.subject.rfc4514_string())
        return cert, "delegated responder"
    raise Refused("the responder is neither the leaf's issuer nor a certificate it includes")


def strict_verdict(conn, staple):
    """Return why the staple is acceptable; raise Refused with why it is not."""
    if not staple:
        raise Refused("nothing stapled")
    leaf = conn.get_peer_certificate().to_cryptography()
    chain = [c.to_cryptography() for c in conn.get_peer_cert_chain() or []]
    issuer = next((c for c in chain if c.subject == leaf.issuer and c != leaf), None)
    if issuer is None:
        raise Refused("the leaf's issuer is not in the chain")
    try:
        response = ocsp.load_der_ocsp_response(staple)
    except ValueError as e:
        raise Refused("the staple does not parse (%s)" % e)
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise Refused("responseStatus %s" % response.response_status.name)
    wanted = cert_id(leaf, issuer, response.hash_algorithm)
    if (response.serial_number, response.issuer_name_hash, response.issuer_key_hash) != \
            (wanted.serial_number, wanted.issuer_name_hash, wanted.issuer_key_hash):
        raise Refused("the response is about serial %x, not the leaf (serial %x)"
                      % (response.serial_number, leaf.serial_number))
    signer, role = find_signer(response, issuer)
    if not signature_ok(signer.public_key(), response.signature, response.signature_hash_algorithm,
                        response.tbs_response_bytes):
        raise Refused("the response's signature does not verify with the %s's key" % role)
    now = datetime.datetime.utcnow()
    if response.this_update > now:
        raise Refused("thisUpdate %s is in the future" % response.this_update.isoformat())
    if response.next_update is not None and response.next_update < now:
        raise Refused("nextUpdate %s has passed" % response.next_update.isoformat())
    if response.certificate_status != ocsp.OCSPCertStatus.GOOD:
        raise Refused("certStatus %s" % response.certificate_status.name.lower())
    return "good, signed by the %s" % role


def make_callback(policy, seen):
    def callback(conn, staple, data):
        seen["len"] = len(staple)
        if policy == "accept":
            return True
        if policy == "raise":
            print("policy: raising from the callback (staple %d bytes)" % len(staple), flush=True)
            raise RuntimeError("deliberate failure inside the OCSP callback")
        if policy == "reject":
            print("policy: refusing whatever was stapled (staple %d bytes)" % len(staple), flush=True)
            return False
        try:
            why = strict_verdict(conn, staple)
        except Refused as e:
            print("policy: refused: %s" % e, flush=True)
            return False
        print("policy: accepted: %s" % why, flush=True)
        return True
    return callback


def staple_handshake(args, ocsp_callback):
    """Connect to args.host:args.port (within args.timeout), verify the server against
    args.cafile, ask for a staple and hand it to ocsp_callback (pyOpenSSL's
    set_ocsp_client_callback). Returns (connection, None) after a completed handshake, or
    (connection, the exception) when the handshake raised; a failed connect raises."""
    ctx = SSL.Context(SSL.TLS_CLIENT_METHOD)
    ctx.load_verify_locations(args.cafile)
    ctx.set_verify(SSL.VERIFY_PEER, lambda conn, cert, errno, depth, ok: bool(ok))
    ctx.set_ocsp_client_callback(ocsp_callback)

    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    # pyOpenSSL does not retry on a socket with a timeout (it raises WantReadError),
    # so hand it a blocking one; the harness bounds the run time.
    sock.setblocking(True)
    conn = SSL.Connection(ctx, sock)
    conn.set_tlsext_host_name(args.host.encode())
    conn.request_ocsp()
    conn.set_connect_state()
    try:
        conn.do_handshake()
    except Exception as e:
        return conn, e
    finally:
        sock.close()
    return conn, None


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cafile", required=True)
    p.add_argument("--policy", choices=("accept", "reject", "strict", "raise"),
                   default="strict")
    p.add_argument("--timeout", type=float, default=5.0, help="connect timeout")
    args = p.parse_args()

    seen = {}
    conn, error = staple_handshake(args, make_callback(args.policy, seen))
    staple = seen.get("len", "no")
    if error is not None:
        print("%s: %s (staple %s bytes)" % (type(error).__name__, error, staple), file=sys.stderr)
        return 1
    print("ok %s (staple %s bytes)" % (conn.get_protocol_version_name(), staple))
    return 0


if __name__ == "__main__":
    sys.exit(main())
