"""meshauth: service-mesh JWT/JWKS verification with Envoy's semantics, from a Rust core.

Native API (parse keys once, verify many tokens; the GIL is released while verifying)::

    import meshauth
    jwks = meshauth.Jwks.from_json(jwks_bytes)
    claims = meshauth.verify(token, jwks, issuer="https://issuer.example",
                             audiences=["api"], clock_skew=60)

Errors are :class:`MeshAuthError` subclasses, one per status (``meshauth.errors.JwtExpired``),
with ``.code`` (``"JwtExpired"``), ``.status`` (its number) and Envoy's message as ``str(e)``;
they also carry PyJWT's class names (``ExpiredSignatureError`` ...).

PyJWT-compatible layer: :func:`decode`, :func:`decode_complete`, :func:`get_unverified_header`
(``import meshauth as jwt`` for most uses; see the README's migration note).
"""

from __future__ import annotations

from . import errors
from ._meshauth import (
    Jwks,
    VerifiedToken,
    decode_unverified,
    status_table,
    verify,
    verify_complete,
)
from ._pyjwt import decode, decode_complete, get_unverified_header
from .errors import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    MeshAuthError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWTError,
    error_class,
)

__all__ = [
    "Jwks",
    "VerifiedToken",
    "verify",
    "verify_complete",
    "decode_unverified",
    "status_table",
    "decode",
    "decode_complete",
    "get_unverified_header",
    "errors",
    "error_class",
    "MeshAuthError",
    "PyJWTError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidAlgorithmError",
    "MissingRequiredClaimError",
    "InvalidKeyError",
    "PyJWKClientError",
    "PyJWKClientConnectionError",
]
