"""Key-set and certificate lifecycle helpers: thin wrappers of the core's ``jwks_compare``,
``cert``, ``rotation`` and ``bundle`` modules that accept Python objects (dicts) besides text."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple, Union

from . import _meshauth
from ._meshauth import CertInfo

__all__ = [
    "jwks_changed",
    "jwks_diff",
    "jwk_thumbprint",
    "canonical_jwks",
    "cert_info",
    "cert_expiry",
    "rotation_delay",
    "merge_trust_bundles",
]

_Text = Union[str, bytes, bytearray, memoryview]
_JsonArg = Union[_Text, Dict[str, Any], List[Any]]


def _data(x: Any, what: str) -> Union[str, bytes]:
    """str/bytes as they are (bytearray/memoryview copied to bytes)."""
    if isinstance(x, (str, bytes)):
        return x
    if isinstance(x, (bytearray, memoryview)):
        return bytes(x)
    raise TypeError(f"{what} must be str or bytes, not {type(x).__name__}")


def _json_text(x: Any, what: str) -> Union[str, bytes]:
    """JSON text: str/bytes as they are, a dict or list serialised with ``json.dumps``."""
    if isinstance(x, (dict, list)):
        return json.dumps(x, ensure_ascii=False, separators=(",", ":"))
    return _data(x, what)


def jwks_changed(old: Optional[_JsonArg], new: _JsonArg) -> bool:
    """Whether the key set ``new`` differs from ``old`` (a JWKS document each: dict, str or bytes).

    Member order, whitespace, escapes and number spelling do not matter and ``keys`` is a
    multiset; any other difference anywhere in the document is a change. An ``old`` that is
    ``None``, empty or not a usable JWKS counts as changed. A ``new`` that is not a usable JWKS
    raises its status (``meshauth.errors.JwksParseError``, ``JwksNoKeys``, ``JwksBadKeys`` ...):
    keep the old keys then.
    """
    o = b"" if old is None else _json_text(old, "old")
    return _meshauth.jwks_changed(o, _json_text(new, "new"))


def jwks_diff(old: Optional[_JsonArg], new: _JsonArg) -> Dict[str, Any]:
    """Key-by-key difference of two JWKS documents (core ``jwks_compare::diff``).

    Returns ``{"changed": bool, "added": [...], "removed": [...], "modified": [...]}``; each
    list is sorted and names a key by its ``kid``, or, for a key without one, by
    ``"thumbprint:<RFC 7638 thumbprint>"`` (or ``"digest:<sha256 of its canonical JSON>"`` when
    it lacks the thumbprint members). ``changed`` is :func:`jwks_changed` (it also sees
    differences outside ``keys``). An ``old`` that is ``None`` or unusable is an empty set;
    ``new`` must be a usable JWKS (errors as :func:`jwks_changed`).
    """
    o = b"" if old is None else _json_text(old, "old")
    n = _json_text(new, "new")
    added, removed, modified = _meshauth.jwks_diff(o, n)

    def names(v: List[Tuple[str, str]]) -> List[str]:
        return [name if kind == "kid" else f"{kind}:{name}" for kind, name in v]

    return {
        "changed": _meshauth.jwks_changed(o, n),
        "added": names(added),
        "removed": names(removed),
        "modified": names(modified),
    }


def jwk_thumbprint(jwk: _JsonArg) -> str:
    """The RFC 7638 SHA-256 thumbprint of one JWK (dict, or JSON str/bytes), base64url without
    padding. Only the required members count (RSA ``e``, ``kty``, ``n``; EC ``crv``, ``kty``,
    ``x``, ``y``; oct ``k``, ``kty``; OKP ``crv``, ``kty``, ``x``). A missing member raises its
    status (e.g. ``meshauth.errors.JwksRSAKeyMissingN``)."""
    return _meshauth.jwk_thumbprint(_json_text(jwk, "jwk"))


def canonical_jwks(data: _JsonArg) -> str:
    """The canonical text of a JWKS document: members sorted, no whitespace, numbers and
    strings in one spelling, ``keys`` sorted by their canonical text. Two documents are the same
    key set exactly when their canonical texts are equal."""
    return _meshauth.canonical_jwks(_json_text(data, "data"))


def cert_info(data: _Text) -> List[CertInfo]:
    """Every certificate of a PEM bundle (text around blocks and non-certificate blocks are
    skipped) or of one DER certificate, in order, as :class:`CertInfo` (``not_before``,
    ``not_after`` Unix seconds, ``not_before_dt``/``not_after_dt`` aware UTC datetimes,
    ``subject``, ``issuer``, ``serial``, ``fingerprint`` (SHA-256 hex), ``spiffe_id``,
    ``dns_names``, ``is_ca``). A bad certificate block raises ``meshauth.errors.CertBadPem``,
    ``CertTruncated`` or ``CertMalformed``; no certificate at all ``CertNotFound``."""
    return _meshauth.cert_info(_data(data, "data"))


def cert_expiry(data: _Text) -> int:
    """Istio's certificate expiry: ``notAfter`` (Unix seconds) of the first well-formed PEM block
    (the leaf); the rest of the chain is ignored."""
    return _meshauth.cert_expiry(_data(data, "data"))


def rotation_delay(
    now: Union[int, float],
    created: Union[int, float],
    expire: Union[int, float],
    grace_ratio: float = 0.5,
    *,
    jitter: float = 0.0,
    draw: Union[None, int, Tuple[int, float]] = None,
) -> Union[int, float]:
    """Seconds from ``now`` until a certificate valid from ``created`` to ``expire`` (Unix
    seconds) should be rotated: Istio's ``expire - r * (expire - created)`` with
    ``r = clamp(grace_ratio + sign * u * jitter, 0, 1)``, never negative. No jitter by default.
    ``draw`` is the random draw: 64 random bits (int) or ``(sign, u)`` with sign ±1 and
    ``0 <= u < 1``; with ``jitter > 0`` and no ``draw``, Python's ``random`` supplies it.
    Computed in nanoseconds by the core; returns an int when whole, else a float.
    ``meshauth.errors.RotationInvalidInput`` unless ``expire > created`` and the ratio and
    jitter are within ``0..1``."""
    return _meshauth.rotation_delay(now, created, expire, grace_ratio, jitter=jitter, draw=draw)


def merge_trust_bundles(*bundles: _Text, strict: bool = True) -> bytes:
    """Merges trust bundles (PEM, or one DER certificate each) by certificate into canonical
    PEM: one ``CERTIFICATE`` block per distinct certificate, 64 columns, LF, sorted (Istio's
    order). Non-certificate blocks and bundles without certificates are ignored. With
    ``strict`` (the default) a certificate block that does not parse raises its status
    (``CertBadPem``, ``CertTruncated``, ``CertMalformed``) naming the bundle and byte range;
    with ``strict=False`` it is left out. ``CertTooLarge`` above 1 MiB or 1000 blocks."""
    return _meshauth.merge_trust_bundles(*[_data(b, "bundle") for b in bundles], strict=strict)
