"""Shared fixtures: where the shared vectors live, and keys generated with ``cryptography``.

Expected values come from the vectors or from independent implementations (PyJWT,
``cryptography``), never from meshauth itself.
"""

import base64
import json
import os
import pathlib
import sys
import threading
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


def b64url(data: bytes) -> str:
    """Base64url without padding (the standard library's encoder)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def gil_released(fn, tries: int = 300) -> bool:
    """Whether another thread ran Python code *while* ``fn`` ran.

    The helper thread runs one step each time it is woken, then blocks again (releasing the
    GIL). The switch interval is made huge, so the only way the helper can take the GIL while
    the main thread is between ``wake.release()`` and reading the counter is for ``fn`` to
    release it: with a GIL-holding ``fn`` the counter never moves. No timing is measured, but
    ``fn`` must last long enough (tens of microseconds) for the helper to be scheduled.
    """
    wake = threading.Semaphore(0)
    stop = threading.Event()
    ticks = [0]

    def helper():
        while True:
            wake.acquire()  # blocks with the GIL released
            if stop.is_set():
                return
            ticks[0] += 1

    old = sys.getswitchinterval()
    t = threading.Thread(target=helper)
    t.start()
    sys.setswitchinterval(100.0)
    try:
        progressed = 0
        for _ in range(tries):
            before = ticks[0]
            wake.release()
            fn()
            progressed += ticks[0] != before
    finally:
        sys.setswitchinterval(old)
        stop.set()
        wake.release()
        t.join()
    return progressed > 0
