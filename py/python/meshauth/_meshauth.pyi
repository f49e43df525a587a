"""Type stubs for the native module ``meshauth._meshauth``."""

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

_Data = Union[str, bytes]

class Jwks:
    """A parsed, immutable key set, safe to share between threads."""

    @staticmethod
    def from_json(data: _Data, *, allow_legacy_rsa: bool = False) -> Jwks:
        """Parses a JWKS document or Google's kid -> PEM certificate map."""
    @staticmethod
    def from_pem(
        data: _Data,
        *,
        kid: Optional[str] = None,
        alg: Optional[str] = None,
        allow_legacy_rsa: bool = False,
    ) -> Jwks:
        """Parses one PEM public key (RSA, EC P-256/384/521, Ed25519)."""
    def __len__(self) -> int: ...
    @property
    def kids(self) -> List[Optional[str]]:
        """The kid of each usable key (None for a key without one)."""
    @property
    def keys(self) -> List[Dict[str, Any]]:
        """One dict per key: kid, alg, kty, crv, bits."""

class VerifiedToken:
    """A verified token."""

    @property
    def header(self) -> Dict[str, Any]:
        """The decoded JOSE header."""
    @property
    def claims(self) -> Dict[str, Any]:
        """The claims (payload)."""
    @property
    def principal(self) -> Optional[str]:
        """Istio's request principal ``iss/sub``, or None."""
    @property
    def scopes(self) -> List[str]:
        """The ``scope`` claim split on spaces."""
    @property
    def key_index(self) -> int:
        """The position in the key set of the key that verified the signature."""
    @property
    def alg(self) -> str:
        """The header's ``alg``."""
    @property
    def kid(self) -> Optional[str]:
        """The header's ``kid``."""
    @property
    def token(self) -> str:
        """The token text."""
    def claim(self, path: str) -> Any:
        """A claim by dotted path (``"a.b.c"``), or None when absent."""

def verify(
    token: _Data,
    jwks: Jwks,
    *,
    issuer: Optional[str] = None,
    audiences: Optional[Sequence[str]] = None,
    clock_skew: int = 60,
    algorithms: Optional[Sequence[str]] = None,
    now: Optional[int] = None,
    require_exp: bool = False,
    max_lifetime: Optional[int] = None,
    max_token_bytes: Optional[int] = None,
) -> Dict[str, Any]:
    """Verifies a token with Envoy's semantics and returns its claims."""

def verify_complete(
    token: _Data,
    jwks: Jwks,
    *,
    issuer: Optional[str] = None,
    audiences: Optional[Sequence[str]] = None,
    clock_skew: int = 60,
    algorithms: Optional[Sequence[str]] = None,
    now: Optional[int] = None,
    require_exp: bool = False,
    max_lifetime: Optional[int] = None,
    max_token_bytes: Optional[int] = None,
) -> VerifiedToken:
    """As verify, returning a VerifiedToken."""

def decode_unverified(token: _Data) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """UNVERIFIED: (header, claims) of a token; nothing is checked."""

def status_table() -> List[Tuple[int, str, str, int]]:
    """Every status as (code, name, message, http_status)."""

def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""
