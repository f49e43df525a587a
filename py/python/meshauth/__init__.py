"""meshauth: service-mesh JWT/JWKS verification with Envoy's semantics, from a Rust core.

Native API (parse keys once, verify many tokens; the GIL is released while verifying)::

    import meshauth
    jwks = meshauth.Jwks.from_json(jwks_bytes)
    claims = meshauth.verify(token, jwks, issuer="https://issuer.example",
                             audiences=["api"], clock_skew=60)

    # Many tokens, same options: parse them once (same answers, less work per call).
    verifier = meshauth.Verifier(jwks, issuer="https://issuer.example", audiences=["api"])
    claims = verifier.verify(token)

Errors are :class:`MeshAuthError` subclasses, one per status (``meshauth.errors.JwtExpired``),
with ``.code`` (``"JwtExpired"``), ``.status`` (its number) and Envoy's message as ``str(e)``;
they also carry PyJWT's class names (``ExpiredSignatureError`` ...).

Lifecycle: :func:`jwks_changed`, :func:`jwks_diff`, :func:`jwk_thumbprint`,
:func:`canonical_jwks`, :func:`cert_info`, :func:`cert_expiry`, :func:`rotation_delay`,
:func:`merge_trust_bundles`, and :class:`JwksClient` (HTTP, OIDC discovery, refresh, unknown-kid
refetch). Mesh policy: :class:`Authenticator` (RequestAuthentication) and :class:`Policy`
(AuthorizationPolicy).

PyJWT-compatible layer: :func:`decode`, :func:`decode_complete`, :func:`get_unverified_header`
(``import meshauth as jwt`` for most uses; see the README's migration note).
"""

from __future__ import annotations

from . import errors
from ._meshauth import (
    Jwks,
    VerifiedToken,
    Verifier,
    decode_unverified,
    status_table,
    verify,
    verify_complete,
)
from ._client import JwksClient
from ._lifecycle import (
    canonical_jwks,
    cert_expiry,
    cert_info,
    jwk_thumbprint,
    jwks_changed,
    jwks_diff,
    merge_trust_bundles,
    rotation_delay,
)
from ._meshauth import CertInfo, Scheduler
from ._mesh import Authenticator, AuthResult, Policy
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
    "Verifier",
    "verify",
    "verify_complete",
    "decode_unverified",
    "status_table",
    "jwks_changed",
    "jwks_diff",
    "jwk_thumbprint",
    "canonical_jwks",
    "CertInfo",
    "cert_info",
    "cert_expiry",
    "rotation_delay",
    "merge_trust_bundles",
    "Scheduler",
    "JwksClient",
    "Authenticator",
    "AuthResult",
    "Policy",
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
