#!/usr/bin/env python3
"""Writes spiffe_chain.pem: leaf, intermediate, root (ECDSA P-256), made with Python `cryptography`.

Fixed values the tests check (the keys are random, so re-running changes the bytes only):
- leaf: CN=workload, URI SAN spiffe://cluster.local/ns/default/sa/web, DNS SANs web.default.svc and
  web.default.svc.cluster.local, serial 0x0a1b2c, not CA, 2024-01-01T00:00:00Z .. 2024-01-02T00:00:00Z
- intermediate: CN=Intermediate CA,O=meshauth test, CA, serial 2,
  2023-06-01T00:00:00Z .. 2024-01-01T12:00:00Z (expires before the leaf)
- root: CN=Root CA,O=meshauth test, CA, serial 1, 2020-01-01T00:00:00Z .. 2040-01-01T00:00:00Z
Run from this directory: python3 gen_spiffe_chain.py
"""
import datetime as dt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

def name(cn, org=None):
    attrs = []
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)

def utc(*a):
    return dt.datetime(*a, tzinfo=dt.timezone.utc)

def make(subject, issuer, pub, key, serial, nb, na, ca, sans=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
         .serial_number(serial).not_valid_before(nb).not_valid_after(na)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if sans:
        b = b.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return b.sign(key, hashes.SHA256())

rk, ik, lk = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
root_n, int_n = name("Root CA", "meshauth test"), name("Intermediate CA", "meshauth test")
root = make(root_n, root_n, rk.public_key(), rk, 1, utc(2020, 1, 1), utc(2040, 1, 1), True)
inter = make(int_n, root_n, ik.public_key(), rk, 2, utc(2023, 6, 1), utc(2024, 1, 1, 12), True)
leaf = make(name("workload"), int_n, lk.public_key(), ik, 0x0A1B2C, utc(2024, 1, 1), utc(2024, 1, 2), False,
            [x509.UniformResourceIdentifier("spiffe://cluster.local/ns/default/sa/web"),
             x509.DNSName("web.default.svc"), x509.DNSName("web.default.svc.cluster.local")])
with open("spiffe_chain.pem", "wb") as f:
    for c in (leaf, inter, root):
        f.write(c.public_bytes(serialization.Encoding.PEM))
