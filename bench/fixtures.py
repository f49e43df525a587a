#!/usr/bin/env python3
"""Writes the token fixtures every benchmark reads (Rust, Python, Node, C), so all sides verify
the same bytes.

    python bench/fixtures.py OUT.json [OUT.tsv]

For each of the 13 algorithms: a 5-key JWKS of that algorithm (kids `<alg>-0` .. `<alg>-4`, each
JWK with its `alg`), and a token signed with the middle key (`<alg>-2`) carrying
iss/sub/aud/exp/iat/scope. RSA keys are 2048-bit (the same five serve RS* and PS*), HMAC keys
64 bytes. Keys are fresh for each run; tokens are signed with PyJWT (cryptography / OpenSSL).
"""
import base64
import json
import sys

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ISSUER = "https://issuer.example"
AUDIENCE = "api.example"
CLAIMS = {
    "iss": ISSUER,
    "sub": "alice@example.com",
    "aud": AUDIENCE,
    "iat": 1700000000,
    "exp": 4102444800,  # 2100-01-01: valid for every verifier's own clock
    "scope": "read:orders write:orders profile",
}
ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
        "HS256", "HS384", "HS512", "EdDSA"]
CURVES = {"ES256": ec.SECP256R1, "ES384": ec.SECP384R1, "ES512": ec.SECP521R1}


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def public_jwk(alg, key):
    if alg[:2] == "HS":
        return {"kty": "oct", "k": b64(key)}
    return json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(key.public_key()))


def main(out, tsv=None):
    rsa_keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(5)]
    fixtures = {"issuer": ISSUER, "audience": AUDIENCE, "claims": CLAIMS, "algs": {}}
    for alg in ALGS:
        if alg[:2] in ("RS", "PS"):
            keys = rsa_keys
        elif alg in CURVES:
            keys = [ec.generate_private_key(CURVES[alg]()) for _ in range(5)]
        elif alg == "EdDSA":
            keys = [ed25519.Ed25519PrivateKey.generate() for _ in range(5)]
        else:
            keys = [bytes([i + 1]) * 64 for i in range(5)]
        jwks = []
        for i, k in enumerate(keys):
            j = public_jwk(alg, k)
            j.update({"kid": f"{alg}-{i}", "alg": alg, "use": "sig"})
            jwks.append(j)
        kid = f"{alg}-2"
        token = jwt.encode(CLAIMS, keys[2], algorithm=alg, headers={"kid": kid, "typ": "JWT"})
        fixtures["algs"][alg] = {
            "kid": kid,
            "token": token,
            "jwks": json.dumps({"keys": jwks}, separators=(",", ":")),
            "jwk": jwks[2],
        }
    with open(out, "w") as f:
        json.dump(fixtures, f, indent=1)
    if tsv:
        # For the C benchmark: alg, issuer, audience, token, JWKS (no tabs or newlines in any).
        with open(tsv, "w") as f:
            for alg, a in fixtures["algs"].items():
                f.write("\t".join([alg, ISSUER, AUDIENCE, a["token"], a["jwks"]]) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
