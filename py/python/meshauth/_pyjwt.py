"""PyJWT-compatible layer: ``decode``, ``decode_complete``, ``get_unverified_header``.

These are thin wrappers over :func:`meshauth.verify`: the key argument is turned into a
:class:`meshauth.Jwks`, PyJWT's arguments into meshauth's, and every check is the core's
(Envoy's semantics). The few checks PyJWT makes that Envoy does not (a token ``aud`` with no
``audience`` argument, an issuer container, ``options["require"]``) are done here, on the
verified claims. Differences from PyJWT are listed in the package README ("Migrating from PyJWT").
"""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from . import _meshauth, errors
from ._meshauth import Jwks

KeyLike = Union["Jwks", str, bytes, Mapping[str, Any]]

_OPTION_DEFAULTS = {
    "verify_signature": True,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "require": [],
    "strict_aud": False,
}
_HS = ("HS256", "HS384", "HS512")
_ALL_ALGS = frozenset(
    "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 HS256 HS384 HS512 EdDSA".split()
)
# Effectively no clock check: the core compares in 128-bit arithmetic, so this cannot overflow.
_NO_TIME_CHECK = 2**64 - 1


def _as_text(data: Union[str, bytes]) -> str:
    return data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data


def _key_to_jwks(key: Any) -> Jwks:
    """Turns a decode() key into a Jwks: a Jwks, a JWKS or JWK dict, PEM text, a ``cryptography``
    public or private key object, or an HMAC secret (str or bytes)."""
    if isinstance(key, Jwks):
        return key
    if isinstance(key, Mapping):
        doc = key if "keys" in key else {"keys": [dict(key)]}
        return Jwks.from_json(json.dumps(doc))
    if hasattr(key, "public_bytes") or hasattr(key, "public_key"):
        from cryptography.hazmat.primitives import serialization

        pub = key.public_key() if hasattr(key, "public_key") else key
        pem = pub.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return Jwks.from_pem(pem)
    if isinstance(key, (str, bytes, bytearray)):
        raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
        stripped = raw.strip()
        if b"-----BEGIN" in raw:
            # Never an HMAC secret (CVE-2015-9235 / CVE-2017-11424): an asymmetric key.
            return Jwks.from_pem(raw)
        if stripped.startswith((b"{", b"ssh-", b"ecdsa-sha2-")):
            # A JWK JSON text or an OpenSSH key is never an HMAC secret
            # (GHSA-xgmm-8j9v-c9wx, CVE-2022-29217).
            raise errors.InvalidKeyError(
                "This key looks like a JWK or an OpenSSH public key and must not be used as "
                "an HMAC secret; pass a dict or a Jwks instead.",
                code="InvalidArgument",
                status=errors.error_class("InvalidArgument").status,
            )
        oct_jwk = {"kty": "oct", "k": _meshauth.b64url_encode(raw)}
        return Jwks.from_json(json.dumps({"keys": [oct_jwk]}))
    raise TypeError(f"unsupported key type {type(key).__name__}")


def _leeway_seconds(leeway: Union[int, float, datetime.timedelta]) -> int:
    if isinstance(leeway, datetime.timedelta):
        leeway = leeway.total_seconds()
    if leeway < 0:
        raise ValueError("leeway must not be negative")
    return int(leeway)


def _invalid_argument(message: str) -> errors.MeshAuthError:
    return errors.error_class("InvalidArgument")(message)


def decode_complete(
    jwt: Union[str, bytes],
    key: KeyLike = "",
    algorithms: Optional[Iterable[str]] = None,
    options: Optional[Mapping[str, Any]] = None,
    audience: Optional[Union[str, Iterable[str]]] = None,
    issuer: Optional[Union[str, Iterable[str]]] = None,
    leeway: Union[int, float, datetime.timedelta] = 0,
) -> Dict[str, Any]:
    """PyJWT-compatible ``decode_complete``: verify and return
    ``{"header": dict, "payload": dict, "signature": bytes}``.

    ``key`` may be a :class:`meshauth.Jwks` (best: parsed once), a JWKS or JWK dict, PEM text,
    a ``cryptography`` key object, or an HMAC secret (str/bytes; PEM, JWK-JSON and OpenSSH
    texts are never taken as secrets). ``algorithms`` is required, as in PyJWT. ``audience``
    may be a str or a list; ``issuer`` a str or a container; ``leeway`` seconds or a
    timedelta (whole seconds). ``options``: ``verify_signature`` (False: **no check at all**,
    the token is only decoded -- never use the result for authorization), ``verify_aud``,
    ``verify_iss``, ``verify_exp`` and ``verify_nbf`` (these two only together), ``require``
    (a list of claim names).

    Raises PyJWT's exception classes (all :class:`meshauth.MeshAuthError` with ``.code``).
    """
    opts: Dict[str, Any] = dict(_OPTION_DEFAULTS)
    if options:
        unknown = set(options) - set(_OPTION_DEFAULTS) - {"verify_sub", "verify_jti"}
        if unknown:
            raise _invalid_argument(f"unsupported decode option(s): {sorted(unknown)}")
        if not options.get("verify_signature", True):
            # As in PyJWT, the verify_* options default to verify_signature.
            for k in ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss"):
                opts[k] = False
        opts.update(options)
    if opts["strict_aud"]:
        raise NotImplementedError("meshauth does not implement options['strict_aud']")
    token = _as_text(jwt)

    if not opts["verify_signature"]:
        if any(opts[k] for k in ("verify_exp", "verify_nbf", "verify_aud", "verify_iss")):
            raise _invalid_argument(
                "verify_signature=False decodes without any check; "
                "claim checks without a signature check are not supported"
            )
        header, payload = _meshauth.decode_unverified(token)
        _check_required(payload, opts["require"])
        return {"header": header, "payload": payload, "signature": _signature(token)}

    if algorithms is None:
        raise errors.DecodeError(
            'It is required that you pass in a value for the "algorithms" argument when '
            "calling decode().",
            code="InvalidArgument",
            status=errors.error_class("InvalidArgument").status,
        )
    algs = [a for a in algorithms if a in _ALL_ALGS]
    jwks = _key_to_jwks(key)

    if opts["verify_exp"] != opts["verify_nbf"]:
        raise _invalid_argument(
            "meshauth checks exp and nbf together: set verify_exp and verify_nbf to the same value"
        )
    skew = _leeway_seconds(leeway) if opts["verify_exp"] else _NO_TIME_CHECK

    audiences: Optional[List[str]] = None
    if opts["verify_aud"] and audience is not None:
        audiences = [audience] if isinstance(audience, str) else list(audience)
    one_issuer: Optional[str] = None
    issuers: Optional[List[str]] = None
    if opts["verify_iss"] and issuer is not None:
        if isinstance(issuer, str):
            one_issuer = issuer
        else:
            issuers = list(issuer)

    verified = _meshauth.verify_complete(
        token,
        jwks,
        issuer=one_issuer,
        audiences=audiences,
        clock_skew=skew,
        algorithms=algs,
        require_exp="exp" in opts["require"],
    )
    payload = verified.claims
    _check_required(payload, opts["require"])
    if issuers is not None and payload.get("iss") not in issuers:
        raise errors.error_class("JwtUnknownIssuer")("Jwt issuer is not configured")
    if opts["verify_aud"] and audience is None and "aud" in payload:
        # PyJWT rejects a token that names an audience when the caller expects none.
        raise errors.error_class("JwtAudienceNotAllowed")("Audiences in Jwt are not allowed")
    return {"header": verified.header, "payload": payload, "signature": _signature(token)}


def _check_required(payload: Mapping[str, Any], required: Iterable[str]) -> None:
    for claim in required:
        if claim not in payload:
            raise errors.MissingRequiredClaimError(claim=claim, code="JwtMissingClaim")


def _signature(token: str) -> bytes:
    sig = token.rsplit(".", 1)[-1]
    return base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))


def decode(
    jwt: Union[str, bytes],
    key: KeyLike = "",
    algorithms: Optional[Iterable[str]] = None,
    options: Optional[Mapping[str, Any]] = None,
    audience: Optional[Union[str, Iterable[str]]] = None,
    issuer: Optional[Union[str, Iterable[str]]] = None,
    leeway: Union[int, float, datetime.timedelta] = 0,
) -> Dict[str, Any]:
    """PyJWT-compatible ``decode``: verify ``jwt`` and return its claims as a dict.

    Same arguments as :func:`decode_complete` (see there); ``algorithms`` is required.
    Example, replacing ``import jwt``::

        import meshauth as jwt
        claims = jwt.decode(token, public_pem, algorithms=["RS256"], audience="api")
    """
    return decode_complete(
        jwt,
        key,
        algorithms=algorithms,
        options=options,
        audience=audience,
        issuer=issuer,
        leeway=leeway,
    )["payload"]


def get_unverified_header(jwt: Union[str, bytes]) -> Dict[str, Any]:
    """PyJWT-compatible: the token's header, decoded but **not verified**."""
    return _meshauth.decode_unverified(_as_text(jwt))[0]
