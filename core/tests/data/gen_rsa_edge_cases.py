#!/usr/bin/env python3
"""Writes rsa_edge_cases.json: RSA keys and JWS signatures at the edges of meshauth's RSA rules,
made with Python `cryptography` (OpenSSL), for core/tests/rsa_backends.rs.

Keys: 1024 and 2047 bits (legacy: usable only with `allow_legacy_rsa`, and only for RS256 and
RS512), and 2048 bits with e = 3. Each key signs MESSAGE with each RS*/PS* algorithm its size allows (PSS:
MGF1 with the same hash, salt length = hash length, as RFC 7518 requires). The keys are random,
so re-running changes the bytes only. Run from this directory: python3 gen_rsa_edge_cases.py
"""
import base64
import json
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MESSAGE = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9"
HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def be(i: int) -> bytes:
    return i.to_bytes((i.bit_length() + 7) // 8, "big")


keys = []
for name, bits, e in [("legacy-1024", 1024, 65537), ("legacy-2047", 2047, 65537), ("e3-2048", 2048, 3)]:
    k = rsa.generate_private_key(public_exponent=e, key_size=bits)
    pub = k.public_key().public_numbers()
    assert pub.n.bit_length() == bits
    sigs = {}
    for h, H in HASHES.items():
        sigs["RS" + h] = b64(k.sign(MESSAGE, padding.PKCS1v15(), H()))
        pss = padding.PSS(mgf=padding.MGF1(H()), salt_length=H.digest_size)
        try:
            sigs["PS" + h] = b64(k.sign(MESSAGE, pss, H()))
        except ValueError:  # PS512 needs 2 * 64 + 2 bytes: more than a 1024-bit modulus has
            pass
    keys.append({"name": name, "bits": bits, "n": b64(be(pub.n)), "e": b64(be(pub.e)), "signatures": sigs})

with open("rsa_edge_cases.json", "w") as f:
    json.dump({"message": MESSAGE.decode(), "keys": keys}, f, indent=1)
    f.write("\n")
