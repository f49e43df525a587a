"""meshauth exceptions: one class per core status, arranged under PyJWT's hierarchy.

Every exception meshauth raises is a :class:`MeshAuthError` with

* ``.code`` -- the status name, identical in Rust, C, Python and Node (e.g. ``"JwtExpired"``),
* ``.status`` -- its stable number (e.g. ``3``),
* ``.http_status`` -- what Envoy answers (401, or 403 for ``JwtAudienceNotAllowed``),
* ``str(e)`` -- the status message, byte-for-byte Envoy's (e.g. ``"Jwt is expired"``).

The classes are generated at import from the core's status table (``_meshauth.status_table()``),
so they can never drift from it. Each status gets a class of the same name in this module
(``meshauth.errors.JwtExpired``), whose base is the PyJWT-compatible class for its kind:

==========================================  ================================================
status                                      base class (PyJWT name)
==========================================  ================================================
JwtExpired                                  ExpiredSignatureError
JwtNotYetValid                              ImmatureSignatureError
JwtAudienceNotAllowed                       InvalidAudienceError
JwtUnknownIssuer                            InvalidIssuerError
JwtAlgNotAllowed, JwtHeaderNotImplementedAlg InvalidAlgorithmError
JwtVerificationFail,                        InvalidSignatureError
JwtEd25519SignatureWrongLength
JwtMissingExp                               MissingRequiredClaimError (``.claim == "exp"``)
JwtMissingIat                               MissingRequiredClaimError (``.claim == "iat"``)
JwksKidAlgMismatch (no key for the token)   InvalidTokenError
JwksFetchFail                               PyJWKClientConnectionError
other ``JwtHeader*``, ``JwtPayload*``,       DecodeError
``JwtSignature*``, ``JwtBadFormat``
other ``Jwt*``                              InvalidTokenError
other ``Jwks*`` (the key set is unusable)   InvalidKeyError
InvalidArgument                             MeshAuthError and ValueError
anything else (future statuses)             MeshAuthError
==========================================  ================================================

So ``except meshauth.InvalidTokenError`` catches every rejection of a token, exactly as with
PyJWT, while ``except meshauth.errors.JwtExpired`` or ``e.code == "JwtExpired"`` is precise.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from . import _meshauth

__all__ = [
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
    "error_class",
    "STATUS_NAMES",
]


class MeshAuthError(Exception):
    """Base of every meshauth exception.

    Attributes: ``code`` (status name, e.g. ``"JwtExpired"``), ``status`` (its number),
    ``http_status`` (401 or 403, as Envoy answers). ``str(e)`` is the status message.
    """

    code: str = "InvalidArgument"
    status: Optional[int] = None
    http_status: int = 401

    def __init__(
        self,
        message: Optional[str] = None,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        http_status: Optional[int] = None,
    ) -> None:
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if http_status is not None:
            self.http_status = http_status
        super().__init__(message if message is not None else self.code)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, code={self.code!r}, status={self.status!r})"


#: PyJWT's root exception name, the same class as :class:`MeshAuthError`.
PyJWTError = MeshAuthError


class InvalidTokenError(MeshAuthError):
    """The token was rejected (PyJWT's ``InvalidTokenError``)."""


class DecodeError(InvalidTokenError):
    """The token could not be split or decoded (PyJWT's ``DecodeError``)."""


class InvalidSignatureError(DecodeError):
    """The signature does not verify (PyJWT's ``InvalidSignatureError``)."""


class ExpiredSignatureError(InvalidTokenError):
    """The token is expired (PyJWT's ``ExpiredSignatureError``)."""


class ImmatureSignatureError(InvalidTokenError):
    """The token is not valid yet (PyJWT's ``ImmatureSignatureError``)."""


class InvalidAudienceError(InvalidTokenError):
    """The audience is not allowed (PyJWT's ``InvalidAudienceError``)."""


class InvalidIssuerError(InvalidTokenError):
    """The issuer is not the expected one (PyJWT's ``InvalidIssuerError``)."""


class InvalidAlgorithmError(InvalidTokenError):
    """The token's ``alg`` is not allowed or not implemented (PyJWT's ``InvalidAlgorithmError``)."""


class MissingRequiredClaimError(InvalidTokenError):
    """A required claim is missing (PyJWT's ``MissingRequiredClaimError``); ``.claim`` names it."""

    claim: str = ""

    def __init__(self, message: Optional[str] = None, *, claim: Optional[str] = None, **kw) -> None:
        if claim is not None:
            self.claim = claim
        if message is None and self.claim:
            message = f'Token is missing the "{self.claim}" claim'
        super().__init__(message, **kw)


class InvalidKeyError(MeshAuthError):
    """The key or key set is unusable (PyJWT's ``InvalidKeyError``)."""


class PyJWKClientError(MeshAuthError):
    """Fetching keys failed (PyJWT's ``PyJWKClientError``)."""


class PyJWKClientConnectionError(PyJWKClientError):
    """The key endpoint could not be reached (PyJWT's ``PyJWKClientConnectionError``)."""


# Statuses whose kind is not told by their name prefix (see the table in the module docstring).
_KIND: Dict[str, type] = {
    "JwtExpired": ExpiredSignatureError,
    "JwtNotYetValid": ImmatureSignatureError,
    "JwtAudienceNotAllowed": InvalidAudienceError,
    "JwtUnknownIssuer": InvalidIssuerError,
    "JwtAlgNotAllowed": InvalidAlgorithmError,
    "JwtHeaderNotImplementedAlg": InvalidAlgorithmError,
    "JwtVerificationFail": InvalidSignatureError,
    "JwtEd25519SignatureWrongLength": InvalidSignatureError,
    "JwtMissingExp": MissingRequiredClaimError,
    "JwtMissingIat": MissingRequiredClaimError,
    "JwksKidAlgMismatch": InvalidTokenError,
    "JwksFetchFail": PyJWKClientConnectionError,
}
# The claim a MissingRequiredClaimError status names (its ``.claim``).
_CLAIM: Dict[str, str] = {"JwtMissingExp": "exp", "JwtMissingIat": "iat"}
_DECODE_PREFIXES = ("JwtHeader", "JwtPayload", "JwtSignature", "JwtBadFormat")


def _base_for(name: str) -> tuple:
    if name in _KIND:
        return (_KIND[name],)
    if name.startswith(_DECODE_PREFIXES):
        return (DecodeError,)
    if name.startswith("Jwks"):
        return (InvalidKeyError,)
    if name.startswith("Jwt"):
        return (InvalidTokenError,)
    if name == "InvalidArgument":
        return (MeshAuthError, ValueError)
    return (MeshAuthError,)


_by_code: Dict[int, Type[MeshAuthError]] = {}
_by_name: Dict[str, Type[MeshAuthError]] = {}

for _code, _name, _message, _http in _meshauth.status_table():
    if _code == 0:  # Ok is not an error
        continue
    _attrs = {
        "__doc__": f"Status {_code} {_name}: {_message!r} (HTTP {_http}).",
        "__module__": __name__,
        "code": _name,
        "status": _code,
        "http_status": _http,
    }
    if _name in _CLAIM:
        _attrs["claim"] = _CLAIM[_name]
    _cls = type(_name, _base_for(_name), _attrs)
    _by_code[_code] = _cls
    _by_name[_name] = _cls
    globals()[_name] = _cls

#: Every status name that has an exception class, in code order.
STATUS_NAMES = tuple(_by_name)


def error_class(status) -> Type[MeshAuthError]:
    """The exception class of a status, given its name (``"JwtExpired"``) or number (``3``)."""
    table = _by_code if isinstance(status, int) else _by_name
    try:
        return table[status]
    except KeyError:
        raise ValueError(f"unknown meshauth status {status!r}") from None
