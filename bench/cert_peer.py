#!/usr/bin/env python3
"""Peer benchmark for core/benches/cert.rs: Python `cryptography` parsing the same 3-certificate
PEM chains (load_pem_x509_certificates, then notBefore/notAfter of each), timed with timeit.

    python3 bench/cert_peer.py [--shared PATH]

Also reports a fuller variant that reads what meshauth's CertInfo holds (subject, issuer, serial,
SHA-256 fingerprint, SANs, basicConstraints) so the two sides do comparable work.
"""
import argparse, os, sys, timeit

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives import hashes

FILES = ["istio_ecc-int2-cert-chain.pem", "istio_cert-chain-trailing-line.pem"]


def validity(data):
    certs = x509.load_pem_x509_certificates(data)
    return [(c.not_valid_before_utc, c.not_valid_after_utc) for c in certs]


def full(data):
    out = []
    for c in x509.load_pem_x509_certificates(data):
        try:
            san = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            dns = san.get_values_for_type(x509.DNSName)
            uris = san.get_values_for_type(x509.UniformResourceIdentifier)
        except x509.ExtensionNotFound:
            dns, uris = [], []
        try:
            ca = c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            ca = False
        out.append((c.not_valid_before_utc, c.not_valid_after_utc, c.subject.rfc4514_string(),
                    c.issuer.rfc4514_string(), c.serial_number, c.fingerprint(hashes.SHA256()),
                    dns, uris, ca))
    return out


def per_call(fn, data):
    timer = timeit.Timer(lambda: fn(data))
    n, _ = timer.autorange()
    best = min(timer.repeat(repeat=5, number=n)) / n
    return best


def main():
    ap = argparse.ArgumentParser()
    default = os.environ.get("MESHAUTH_SHARED") or os.path.join(os.path.dirname(__file__), "..", "..", "shared")
    ap.add_argument("--shared", default=default)
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, cryptography {cryptography.__version__}")
    for f in FILES:
        data = open(os.path.join(args.shared, "vectors", "x509", f), "rb").read()
        assert len(validity(data)) == 3
        for name, fn in (("load_pem_x509_certificates + validity", validity), ("+ all CertInfo fields", full)):
            t = per_call(fn, data)
            print(f"{f}: {name}: {t * 1e6:.2f} us")


if __name__ == "__main__":
    main()
