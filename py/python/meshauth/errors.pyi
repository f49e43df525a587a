"""Type stubs for ``meshauth.errors``."""

from typing import Optional, Tuple, Type, Union

class MeshAuthError(Exception):
    code: str
    status: Optional[int]
    http_status: int
    def __init__(
        self,
        message: Optional[str] = ...,
        *,
        code: Optional[str] = ...,
        status: Optional[int] = ...,
        http_status: Optional[int] = ...,
    ) -> None: ...

PyJWTError = MeshAuthError

class InvalidTokenError(MeshAuthError): ...
class DecodeError(InvalidTokenError): ...
class InvalidSignatureError(DecodeError): ...
class ExpiredSignatureError(InvalidTokenError): ...
class ImmatureSignatureError(InvalidTokenError): ...
class InvalidAudienceError(InvalidTokenError): ...
class InvalidIssuerError(InvalidTokenError): ...
class InvalidAlgorithmError(InvalidTokenError): ...

class MissingRequiredClaimError(InvalidTokenError):
    claim: str
    def __init__(
        self,
        message: Optional[str] = ...,
        *,
        claim: Optional[str] = ...,
        code: Optional[str] = ...,
        status: Optional[int] = ...,
        http_status: Optional[int] = ...,
    ) -> None: ...

class InvalidKeyError(MeshAuthError): ...
class PyJWKClientError(MeshAuthError): ...
class PyJWKClientConnectionError(PyJWKClientError): ...

STATUS_NAMES: Tuple[str, ...]

def error_class(status: Union[int, str]) -> Type[MeshAuthError]: ...

# One class per core status (``JwtExpired``, ``JwksParseError``, ...), generated at import.
def __getattr__(name: str) -> Type[MeshAuthError]: ...
