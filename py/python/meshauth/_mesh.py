"""Istio ``RequestAuthentication`` (:class:`Authenticator`) and ``AuthorizationPolicy``
(:class:`Policy`) from Python dicts, JSON text, or YAML text when PyYAML is installed."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _meshauth, errors
from ._meshauth import Jwks

__all__ = ["Authenticator", "Policy", "AuthResult"]

_Config = Union[str, bytes, Mapping[str, Any], Sequence[Any]]
_Headers = Union[None, Mapping[str, Union[str, Sequence[str]]], Iterable[Tuple[str, str]]]


def _config_text(config: Any) -> Union[str, bytes]:
    """JSON text for the core: dicts/lists through ``json.dumps``; text that does not start
    like JSON is read as YAML (all documents) when PyYAML is importable."""
    if isinstance(config, (bytes, bytearray, memoryview)):
        config = bytes(config)
        head = config.lstrip()[:1]
        if head in (b"{", b"[") or not head:
            return config
        config = config.decode("utf-8")
    if isinstance(config, str):
        head = config.lstrip()[:1]
        if head in ("{", "[", ""):
            return config
        try:
            import yaml  # type: ignore[import-not-found]
        except ImportError:
            return config  # the core reports "(document): not valid JSON"
        try:
            docs = [d for d in yaml.load_all(config, Loader=_strict_loader(yaml)) if d is not None]
        except yaml.YAMLError as e:
            raise _config_invalid(f"not valid YAML ({' '.join(str(e).split())})") from e
        return json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False)
    if isinstance(config, (Mapping, list, tuple)):
        return json.dumps(config, ensure_ascii=False)
    raise TypeError(f"config must be a dict, a list, or JSON/YAML text, not {type(config).__name__}")


def _config_invalid(message: str) -> errors.MeshAuthError:
    """A ``ConfigInvalid`` about the whole document, shaped as the core's (``.field``)."""
    err = errors.error_class("ConfigInvalid")(f"(document): {message}")
    err.field = "(document)"  # type: ignore[attr-defined]
    return err


def _strict_loader(yaml: Any) -> Any:
    """PyYAML's safe loader, refusing a mapping that repeats a key (PyYAML keeps the last one),
    as the core refuses a JSON object that repeats a member: ``ConfigInvalid`` naming the line."""

    class StrictLoader(yaml.SafeLoader):  # type: ignore[misc,name-defined]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                try:
                    repeated = key in seen
                except TypeError:
                    break  # an unhashable key: PyYAML's own check below reports it
                if repeated:
                    line = key_node.start_mark.line + 1
                    raise _config_invalid(f"YAML line {line}: duplicate key {key!r}")
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def _pairs(items: Any) -> List[Tuple[str, str]]:
    """(name, value) pairs from a mapping (a list value repeats the name) or pairs."""
    if items is None:
        return []
    it = items.items() if isinstance(items, Mapping) else items
    out: List[Tuple[str, str]] = []
    for name, value in it:
        if isinstance(value, (list, tuple)):
            out.extend((str(name), str(v)) for v in value)
        else:
            out.append((str(name), str(value)))
    return out


class AuthResult(dict):
    """The dict :meth:`Authenticator.authenticate` returns (see there), which
    :meth:`Policy.evaluate` also accepts. ``.outcome`` is the native outcome."""

    outcome: Any

    def __init__(self, native: Any) -> None:
        super().__init__(native.to_dict())
        self.outcome = native


class Authenticator:
    """Istio ``RequestAuthentication`` with Envoy ``jwt_authn`` semantics (core ``authn``).

    ``config`` is a RequestAuthentication resource, a bare spec (``{"jwtRules": [...]}``), a list
    of them, or a Kubernetes ``List`` (``kubectl get -o yaml``; resources of other kinds are
    skipped), as a dict/list, JSON text, or YAML text
    (PyYAML needed). Field names are Istio's (``jwtRules``, ``issuer``, ``audiences``,
    ``jwks``, ``jwksUri``, ``fromHeaders``, ``fromParams``, ``fromCookies``,
    ``forwardOriginalToken``, ``outputPayloadToHeader``, ``outputClaimToHeaders`` ...).
    Configuration errors raise ``meshauth.errors.ConfigInvalid`` / ``ConfigUnsupported`` (or a
    ``Jwks*`` status for an inline ``jwks``) whose message starts with the field path
    (``jwtRules[0].fromHeaders[1].name: ...``), also in ``e.field``.

    Providers with a ``jwksUri`` have no keys until :meth:`set_keys` (they fail closed with
    ``JwksFetchFail``); pair it with a :class:`meshauth.JwksClient`.
    """

    def __init__(self, config: _Config) -> None:
        self._native = _meshauth.Authenticator(_config_text(config))

    def set_keys(self, jwks_uri: str, jwks: Optional[Jwks]) -> int:
        """Sets the keys of every provider whose ``jwksUri`` is ``jwks_uri`` (``None``: no keys,
        fail closed). Returns how many providers were updated."""
        return self._native.set_keys(jwks_uri, jwks)

    @property
    def providers(self) -> List[Dict[str, Any]]:
        """The providers in issuer order: ``issuer``, ``audiences``, ``jwks_uri``, ``has_keys``."""
        return self._native.providers()

    def authenticate(
        self,
        method: str,
        path: str,
        headers: _Headers = None,
        *,
        query: Optional[str] = None,
        cookies: _Headers = None,
        now: Optional[int] = None,
        host: str = "",
        scheme: str = "",
        port: int = 0,
    ) -> AuthResult:
        """Authenticates one request. ``path`` may include ``?query`` (``query`` overrides it);
        ``headers`` and ``cookies`` are a mapping (a list value repeats the header) or
        ``(name, value)`` pairs; ``now`` is Unix seconds (default: the current time).

        Returns an :class:`AuthResult` dict: ``kind`` (``"no_token"``, ``"cors_preflight"``,
        ``"authenticated"``, ``"rejected"``), ``code`` (status name, e.g. ``"JwtExpired"``),
        ``status`` (its number), ``message`` (Envoy's text), ``http_status`` (401, or 403 for
        ``JwtAudienceNotAllowed``), ``www_authenticate`` — those five only when rejected, else
        None — and ``issuer``, ``subject``, ``claims`` (when authenticated), ``headers_to_set``
        (pairs) and ``headers_to_remove`` (apply the removals first).
        A request without a token passes authentication: require one with a :class:`Policy`.
        """
        native = self._native.authenticate(
            method,
            path,
            _pairs(headers),
            query,
            _pairs(cookies),
            host,
            scheme,
            port,
            now,
        )
        return AuthResult(native)


class Policy:
    """Istio ``AuthorizationPolicy`` evaluation over JWT attributes (core ``policy``).

    ``config`` is an AuthorizationPolicy resource, a bare spec (``{"action": ..., "rules":
    [...]}``), a list of them, or a Kubernetes ``List`` (other kinds skipped), as a dict/list,
    JSON or YAML text.
    Errors as for :class:`Authenticator`.
    """

    def __init__(self, config: _Config) -> None:
        self._native = _meshauth.Policy(_config_text(config))

    @property
    def names(self) -> List[str]:
        """The policy names (``metadata.name``, or ``policy-<i>``)."""
        return self._native.names

    def __len__(self) -> int:
        return len(self._native)

    def evaluate(
        self,
        method: str,
        path: str,
        headers: _Headers = None,
        outcome: Optional[AuthResult] = None,
        *,
        query: Optional[str] = None,
        host: str = "",
        scheme: str = "",
        port: int = 0,
    ) -> Dict[str, Any]:
        """Istio's decision for a request given its authentication ``outcome`` (the
        :class:`AuthResult` of :meth:`Authenticator.authenticate`; ``None``: no token): any
        matching DENY rule denies, then one ALLOW rule must match if there are ALLOW policies.
        Returns ``{"allowed", "matched_policy", "matched_rule", "http_status"}`` where
        ``http_status`` is what the mesh answers (the rejection's 401/403, 403 when denied,
        else 200)."""
        if outcome is None:
            native = None
        elif isinstance(outcome, AuthResult):
            native = outcome.outcome
        elif isinstance(outcome, _meshauth.AuthOutcome):
            native = outcome
        else:
            raise TypeError("outcome must be the result of Authenticator.authenticate, or None")
        return self._native.evaluate(
            method, path, _pairs(headers), native, query, host, scheme, port
        )

    def lint(self, issuers: Optional[Sequence[str]] = None) -> List[Dict[str, Any]]:
        """Warnings about known JWT policy traps: dicts with ``kind`` (``StarSlashStar``,
        ``SubjectContainsSlash``, ``NonStringClaim``, ``HttpOnlyAttribute``), ``policy``,
        ``rule``, ``field``, ``message`` and ``fix``. ``issuers`` (the jwtRules issuers)
        sharpen the ``SubjectContainsSlash`` check."""
        return self._native.lint(list(issuers) if issuers is not None else None)
