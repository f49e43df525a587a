"""Shared fixtures: where the shared vectors live, and keys generated with ``cryptography``.

Expected values come from the vectors or from independent implementations (PyJWT,
``cryptography``), never from meshauth itself.
"""

import json
import os
import pathlib
import time

import pytest


def shared_dir() -> pathlib.Path:
    """``$MESHAUTH_SHARED``, or ``../shared`` beside the repository root."""
    env = os.environ.get("MESHAUTH_SHARED")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(__file__).resolve().parents[2].parent / "shared"


def load_vectors(rel: str):
    """Parses a JSON vector file relative to ``shared/vectors``."""
    path = shared_dir() / "vectors" / rel
    assert path.is_file(), f"missing shared vector file {path} (set MESHAUTH_SHARED)"
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def attacks():
    """The JWT attack corpus (``security/jwt_attacks.json``)."""
    return load_vectors("security/jwt_attacks.json")


@pytest.fixture(scope="session")
def rsa_key():
    """A fresh RSA-2048 private key (``cryptography``)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_key():
    """A fresh P-256 private key (``cryptography``)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def ed_key():
    """A fresh Ed25519 private key (``cryptography``)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.generate()


def public_pem(private_key) -> str:
    """SubjectPublicKeyInfo PEM of a ``cryptography`` private key."""
    from cryptography.hazmat.primitives import serialization

    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_jwk(private_key, alg: str, kid: str) -> dict:
    """The public JWK of a ``cryptography`` key, built by PyJWT (an independent encoder)."""
    import jwt

    algo = jwt.get_algorithm_by_name(alg)
    jwk = json.loads(algo.to_jwk(private_key.public_key()))
    jwk.update({"kid": kid, "alg": alg})
    return jwk


NOW = int(time.time())
ISS = "https://issuer.example"
AUD = "meshauth-api"


def claims(**over) -> dict:
    """Standard claims valid for an hour around the current time, overridable."""
    base = {"iss": ISS, "sub": "alice", "aud": AUD, "iat": NOW - 10, "exp": NOW + 3600}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict, key, alg: str, kid=None, headers=None) -> str:
    """A token signed by PyJWT (independent of meshauth)."""
    import jwt

    h = dict(headers or {})
    if kid is not None:
        h["kid"] = kid
    return jwt.encode(payload, key, algorithm=alg, headers=h or None)
