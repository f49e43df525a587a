"""Type stubs for the native module ``meshauth._meshauth``."""

import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

_Data = Union[str, bytes]

class Jwks:
    """A parsed, immutable key set, safe to share between threads."""

    @staticmethod
    def from_json(data: _Data, *, allow_legacy_rsa: bool = False, ec_tables: int = 8) -> Jwks:
        """Parses a JWKS document or Google's kid -> PEM certificate map; the first
        ``ec_tables`` EC keys get a precomputed verification table (faster ES256/384/512)."""
    @staticmethod
    def from_pem(
        data: _Data,
        *,
        kid: Optional[str] = None,
        alg: Optional[str] = None,
        allow_legacy_rsa: bool = False,
        ec_tables: int = 8,
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

class Verifier:
    """The key set and the options of ``verify``, parsed once; thread-safe and immutable."""

    def __init__(
        self,
        jwks: Jwks,
        *,
        issuer: Optional[str] = None,
        audiences: Optional[Sequence[str]] = None,
        clock_skew: int = 60,
        algorithms: Optional[Sequence[str]] = None,
        require_exp: bool = False,
        max_lifetime: Optional[int] = None,
        max_age: Optional[int] = None,
        max_token_bytes: Optional[int] = None,
    ) -> None: ...
    def verify(self, token: _Data, now: Optional[int] = None) -> Dict[str, Any]:
        """As ``meshauth.verify`` with this key set and these options: the claims."""
    def verify_complete(self, token: _Data, now: Optional[int] = None) -> VerifiedToken:
        """As ``meshauth.verify_complete`` with this key set and these options."""
    @property
    def jwks(self) -> Jwks:
        """The key set given to the constructor."""
    @property
    def issuer(self) -> Optional[str]:
        """The required issuer, or None."""
    @property
    def audiences(self) -> List[str]:
        """The accepted audiences as compared (sanitised)."""
    @property
    def clock_skew(self) -> int:
        """The clock skew in seconds."""
    @property
    def algorithms(self) -> List[str]:
        """The accepted algorithms."""

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
    max_age: Optional[int] = None,
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
    max_age: Optional[int] = None,
    max_token_bytes: Optional[int] = None,
) -> VerifiedToken:
    """As verify, returning a VerifiedToken."""

def decode_unverified(token: _Data) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """UNVERIFIED: (header, claims) of a token; nothing is checked."""

def status_table() -> List[Tuple[int, str, str, int]]:
    """Every status as (code, name, message, http_status)."""

def b64url_encode(data: bytes) -> str:
    """Base64url without padding."""

# ---- lifecycle (meshauth._lifecycle wraps these) ----

def jwks_changed(old: _Data, new: _Data) -> bool:
    """Whether the key set ``new`` differs from ``old`` (core jwks_compare::changed)."""

def jwks_diff(
    old: _Data, new: _Data
) -> Tuple[List[Tuple[str, str]], List[Tuple[str, str]], List[Tuple[str, str]]]:
    """(added, removed, modified), each a sorted list of (kind, name)."""

def jwk_thumbprint(jwk: _Data) -> str:
    """RFC 7638 SHA-256 thumbprint of a JWK, base64url."""

def canonical_jwks(data: _Data) -> str:
    """The canonical text of a JWKS document."""

class CertInfo:
    """What meshauth reads from one X.509 certificate."""

    @property
    def not_before(self) -> int:
        """notBefore, Unix seconds."""
    @property
    def not_after(self) -> int:
        """notAfter, Unix seconds."""
    @property
    def not_before_dt(self) -> datetime.datetime:
        """notBefore as an aware UTC datetime."""
    @property
    def not_after_dt(self) -> datetime.datetime:
        """notAfter as an aware UTC datetime."""
    @property
    def subject(self) -> str:
        """Subject, RFC 4514."""
    @property
    def issuer(self) -> str:
        """Issuer, RFC 4514."""
    @property
    def serial(self) -> str:
        """Serial number, upper-case hex."""
    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER, lower-case hex."""
    @property
    def spiffe_id(self) -> Optional[str]:
        """The first spiffe:// URI SAN."""
    @property
    def dns_names(self) -> List[str]:
        """The DNS SANs."""
    @property
    def is_ca(self) -> bool:
        """basicConstraints cA."""

def cert_info(data: _Data) -> List[CertInfo]:
    """Every certificate of a PEM bundle or one DER certificate."""

def cert_expiry(data: _Data) -> int:
    """notAfter of the first well-formed PEM block (Istio's leaf expiry)."""

def rotation_delay(
    now: Union[int, float],
    created: Union[int, float],
    expire: Union[int, float],
    grace_ratio: float = 0.5,
    *,
    jitter: float = 0.0,
    draw: Union[None, int, Tuple[int, float]] = None,
) -> Union[int, float]:
    """Seconds until rotation (Istio's rotateTime)."""

def merge_trust_bundles(*bundles: _Data, strict: bool = True) -> bytes:
    """Canonical PEM of the distinct certificates of the bundles."""

def check_url(url: str, allow_http: bool = False) -> None:
    """Raises DiscoveryBadJwksUri unless url is absolute https (or http when allowed)."""

_Fetch = Tuple[int, str, str, int]

class Scheduler:
    """The core's sans-IO JWKS refresh scheduler (refresh::Scheduler). Times: Unix seconds."""

    def __init__(
        self,
        *,
        refresh_interval: int = 1200,
        retry_initial: int = 60,
        retry_max: int = 3600,
        unknown_kid_cooldown: int = 30,
        fetch_timeout: int = 60,
        honor_cache_control: bool = False,
        cache_control_min: int = 60,
        cache_control_max: int = 86400,
        allow_http: bool = False,
        max_bytes: Optional[int] = None,
        allow_legacy_rsa: bool = False,
    ) -> None: ...
    def register(self, issuer: str, jwks_uri: Optional[str], now: int) -> int:
        """Registers (issuer, jwks_uri); None: OpenID discovery. Returns the entry handle."""
    def touch(self, entry: int, now: int) -> None:
        """Marks the entry used."""
    def poll(self, now: int) -> Tuple[List[_Fetch], List[int], Optional[int]]:
        """(fetches (entry, kind, url, max_bytes), evicted, next_wake)."""
    def on_fetched(
        self, entry: int, body: _Data, cache_control: Optional[str], now: int
    ) -> Tuple[str, Any]:
        """("unchanged", None) | ("changed", Jwks) | ("resolved", url) | ("rejected", status)."""
    def on_failed(self, entry: int, now: int) -> None:
        """The fetch in flight failed."""
    def on_unknown_kid(self, entry: int, now: int) -> bool:
        """Whether a refetch for an unknown kid is allowed now."""
    def keys(self, entry: int) -> Jwks:
        """The last good key set (JwksFetchFail if none)."""
    def info(self, entry: int) -> Optional[Dict[str, Any]]:
        """A snapshot of the entry."""
    def __len__(self) -> int: ...

# ---- mesh (meshauth._mesh wraps these) ----

class AuthOutcome:
    """A native authentication outcome."""

    @property
    def kind(self) -> str:
        """no_token, cors_preflight, authenticated or rejected."""
    def to_dict(self) -> Dict[str, Any]:
        """The outcome as a dict."""

class Authenticator:
    """RequestAuthentication from JSON text."""

    def __init__(self, config: _Data) -> None: ...
    def set_keys(self, jwks_uri: str, jwks: Optional[Jwks]) -> int:
        """Sets the keys of the providers with this jwksUri."""
    def providers(self) -> List[Dict[str, Any]]:
        """The providers."""
    def authenticate(
        self,
        method: str,
        path: str,
        headers: List[Tuple[str, str]],
        query: Optional[str],
        cookies: List[Tuple[str, str]],
        host: str,
        scheme: str,
        port: int,
        now: Optional[int],
    ) -> AuthOutcome:
        """Authenticates one request."""

class Policy:
    """AuthorizationPolicies from JSON text."""

    def __init__(self, config: _Data) -> None: ...
    @property
    def names(self) -> List[str]:
        """The policy names."""
    def evaluate(
        self,
        method: str,
        path: str,
        headers: List[Tuple[str, str]],
        outcome: Optional[AuthOutcome],
        query: Optional[str],
        host: str,
        scheme: str,
        port: int,
    ) -> Dict[str, Any]:
        """Istio's decision and the mesh's HTTP status."""
    def lint(self, issuers: Optional[Sequence[str]] = None) -> List[Dict[str, Any]]:
        """Warnings about JWT policy traps."""
    def __len__(self) -> int: ...
