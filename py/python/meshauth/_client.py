"""``JwksClient``: fetches and caches a JWKS over HTTP(S) with ``urllib.request``.

All scheduling is the core's sans-IO ``refresh::Scheduler`` (``meshauth._meshauth.Scheduler``):
when to fetch, OpenID discovery, backoff after failures, validation of every body,
stale-if-error and the unknown-``kid`` cooldown. This module only performs the HTTP requests the
scheduler asks for and reports their results.
"""

from __future__ import annotations

import http.client
import math
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, Optional, Union

from . import _meshauth, errors
from ._meshauth import Jwks, VerifiedToken
from .errors import MeshAuthError, PyJWKClientConnectionError, PyJWKClientError

__all__ = ["JwksClient"]

#: Status name -> Envoy's message, from the core's table.
_MESSAGES = {name: message for _, name, message, _ in _meshauth.status_table()}


class JwksClient:
    """A thread-safe JWKS cache for one issuer, like PyJWT's ``PyJWKClient``.

    Give ``jwks_uri`` (fetched directly) or ``issuer`` (its URL is found by OpenID discovery,
    ``<issuer>/.well-known/openid-configuration``, whose ``issuer`` must match exactly).

    - ``cache_max_age``: seconds between refreshes after a success (the scheduler backs off
      1, 2, 4 ... 60 minutes after failures).
    - ``cooldown``: minimum seconds between the start of the last fetch and a refetch caused by
      a token with an unknown ``kid``.
    - ``timeout``: socket timeout of each HTTP request, seconds.
    - ``stale_if_error``: keep serving the last good keys when a refresh fails (default). With
      ``False``, a failed refresh makes :meth:`get_jwks` raise until a refresh succeeds.
    - ``allow_http``: accept ``http://`` URLs (in-cluster endpoints, tests); https only otherwise.
    - ``headers``: extra request headers; ``max_bytes``: JWKS size limit (default 1 MiB);
      ``clock``: a function returning Unix seconds (default ``time.time``; for tests).

    One fetch is in flight at a time. While a refresh runs, other threads keep verifying with
    the current keys; only a client without any keys yet makes them wait for it.

    Errors: :class:`PyJWKClientConnectionError` when no keys can be had because the endpoint
    failed (network error, timeout, non-2xx), :class:`PyJWKClientError` when it answered with a
    body that is not a usable JWKS or discovery document (the message names the status).
    """

    def __init__(
        self,
        issuer: Optional[str] = None,
        jwks_uri: Optional[str] = None,
        *,
        cache_max_age: float = 600,
        cooldown: float = 30,
        timeout: float = 5,
        stale_if_error: bool = True,
        allow_http: bool = False,
        headers: Optional[Dict[str, str]] = None,
        max_bytes: Optional[int] = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not issuer and not jwks_uri:
            raise errors.error_class("InvalidArgument")("JwksClient needs an issuer or a jwks_uri")
        self.issuer = issuer or ""
        self.jwks_uri = jwks_uri
        self._timeout = timeout
        self._stale_if_error = stale_if_error
        self._allow_http = allow_http
        self._headers = {"Accept": "application/json", "User-Agent": "meshauth-python"}
        self._headers.update(headers or {})
        self._clock = clock
        self._sched = _meshauth.Scheduler(
            refresh_interval=max(1, int(cache_max_age)),
            unknown_kid_cooldown=max(1, int(math.ceil(cooldown))),
            fetch_timeout=max(60, int(math.ceil(timeout * 4))),
            allow_http=allow_http,
            max_bytes=max_bytes,
        )
        self._entry = self._sched.register(self.issuer, jwks_uri, self._now())
        self._fetch_lock = threading.Lock()
        self._last_error: Optional[PyJWKClientError] = None

    def _now(self) -> int:
        return int(self._clock())

    # ---- host I/O ----

    def _get(self, url: str, max_bytes: int):
        """GET ``url``: (body, Cache-Control) or raises PyJWKClientConnectionError."""
        try:
            _meshauth.check_url(url, self._allow_http)
        except MeshAuthError as e:
            raise PyJWKClientConnectionError(f"refusing to fetch {url!r}: {e}") from e
        req = urllib.request.Request(url, headers=self._headers)
        try:
            with urllib.request.urlopen(req, timeout=self._timeout) as resp:
                body = resp.read(max_bytes + 1)
                return body, resp.headers.get("Cache-Control")
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            raise PyJWKClientConnectionError(
                f'Fail to fetch data from the url, err: "{e}"'
            ) from e

    def _perform(self, entry: int, kind: str, url: str, max_bytes: int) -> str:
        """Performs one fetch and reports it; returns the scheduler's outcome kind."""
        try:
            body, cache_control = self._get(url, max_bytes)
        except PyJWKClientConnectionError as e:
            self._last_error = e
            try:
                self._sched.on_failed(entry, self._now())
            except MeshAuthError:
                pass  # already timed out by the scheduler
            return "failed"
        try:
            outcome, value = self._sched.on_fetched(entry, body, cache_control, self._now())
        except MeshAuthError:
            self._last_error = PyJWKClientConnectionError(
                f"fetch of {url!r} was not answered within the scheduler's fetch timeout"
            )
            return "failed"
        if outcome == "rejected":
            self._last_error = PyJWKClientError(
                f"{kind} document from {url!r} refused: {value}: {_MESSAGES.get(value, '')}"
            )
        else:
            self._last_error = None
        return outcome

    def _refresh(self, wait: bool) -> None:
        """Performs every fetch the scheduler has due (discovery, then JWKS). Only one thread
        fetches; with ``wait=False`` a thread that finds a fetch running returns at once."""
        if not self._fetch_lock.acquire(blocking=wait):
            return
        try:
            for _ in range(4):  # discovery + JWKS fetch in one cycle, bounded
                fetches, _, _ = self._sched.poll(self._now())
                if not fetches:
                    return
                outcomes = [self._perform(*f) for f in fetches]
                if "resolved" not in outcomes:
                    return
        finally:
            self._fetch_lock.release()

    def _touch(self) -> None:
        try:
            self._sched.touch(self._entry, self._now())
        except MeshAuthError:  # evicted after a long idle time: register again
            self._entry = self._sched.register(self.issuer, self.jwks_uri, self._now())

    def _has_keys(self) -> bool:
        info = self._sched.info(self._entry)
        return bool(info and info["has_keys"])

    def _current(self) -> Jwks:
        try:
            keys = self._sched.keys(self._entry)
        except MeshAuthError as e:
            err = self._last_error
            raise (err or PyJWKClientConnectionError("no key set fetched yet")) from e
        if not self._stale_if_error and self._last_error is not None:
            raise self._last_error
        return keys

    # ---- public API ----

    def get_jwks(self) -> Jwks:
        """The current key set, refreshed first when the scheduler says it is due."""
        self._touch()
        self._refresh(wait=not self._has_keys())
        return self._current()

    def refresh(self) -> Jwks:
        """Like :meth:`get_jwks`, waiting for a refresh in progress in another thread."""
        self._touch()
        self._refresh(wait=True)
        return self._current()

    def info(self) -> Dict[str, Any]:
        """The scheduler's view of this client's entry (failures, next fetch, has_keys ...)."""
        return self._sched.info(self._entry) or {}

    def verify(
        self, token: Union[str, bytes], *, complete: bool = False, **verify_kwargs: Any
    ) -> Union[Dict[str, Any], VerifiedToken]:
        """Verifies ``token`` with :func:`meshauth.verify` (``verify_kwargs``: ``issuer``,
        ``audiences``, ``clock_skew``, ``algorithms``, ``now`` ...; ``complete=True`` returns a
        :class:`VerifiedToken`). When no key matches the token (``JwksKidAlgMismatch``, e.g. a
        new ``kid`` after a rotation) the key set is fetched again once, if the cooldown allows,
        and the token verified again."""
        fn = _meshauth.verify_complete if complete else _meshauth.verify
        keys = self.get_jwks()
        try:
            return fn(token, keys, **verify_kwargs)
        except errors.error_class("JwksKidAlgMismatch"):
            if not self._sched.on_unknown_kid(self._entry, self._now()):
                raise
            self._refresh(wait=True)
            return fn(token, self._current(), **verify_kwargs)

    def __repr__(self) -> str:
        where = self.jwks_uri or self.issuer
        return f"<meshauth.JwksClient {where!r}>"
