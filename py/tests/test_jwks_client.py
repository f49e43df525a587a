"""``JwksClient`` against a local HTTP server on 127.0.0.1 (OIDC discovery + JWKS).

The client's clock is injected, so refresh and cooldown rules are exercised without waiting;
only the timeout test sleeps (in the server handler, bounded). Expected counts of fetches follow
the scheduler's documented rules: one fetch in flight, refetch on an unknown kid at most once per
cooldown, stale keys kept after failures.
"""

import http.server
import json
import threading
import time

import pytest
from conftest import AUD, ISS, claims, public_jwk, sign

import meshauth
from meshauth import errors


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.jwks = {"keys": []}
        self.mode = "ok"  # ok | 500 | sleep | garbage
        self.sleep = 0.0
        self.issuer = None  # discovery "issuer"; default: the server's base URL
        self.hits = {"discovery": 0, "jwks": 0}


class _Handler(http.server.BaseHTTPRequestHandler):
    state: _State
    base: str

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        st = self.server.state  # type: ignore[attr-defined]
        base = self.server.base  # type: ignore[attr-defined]
        if self.path == "/.well-known/openid-configuration":
            with st.lock:
                st.hits["discovery"] += 1
            body = json.dumps({"issuer": st.issuer or base, "jwks_uri": base + "/jwks"}).encode()
        elif self.path == "/jwks":
            with st.lock:
                st.hits["jwks"] += 1
                mode, jwks, delay = st.mode, json.dumps(st.jwks).encode(), st.sleep
            if mode == "500":
                self.send_error(500, "outage")
                return
            if mode == "sleep":
                time.sleep(delay)
            body = b"this is not json" if mode == "garbage" else jwks
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout test)


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.state = _State()
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(timeout=5)


class Clock:
    def __init__(self, t=1_000_000):
        self.t = t

    def __call__(self):
        return self.t


def _key(ec_key, kid):
    return public_jwk(ec_key, "ES256", kid)


def _tok(ec_key, kid):
    return sign(claims(), ec_key, "ES256", kid=kid)


VERIFY = {"issuer": ISS, "audiences": [AUD]}


def test_discovery_then_rotation_refetches_on_unknown_kid(server, ec_key):
    from cryptography.hazmat.primitives.asymmetric import ec

    st = server.state
    st.jwks = {"keys": [_key(ec_key, "a")]}
    clock = Clock()
    client = meshauth.JwksClient(issuer=server.base, allow_http=True, clock=clock)
    assert client.verify(_tok(ec_key, "a"), **VERIFY)["sub"] == "alice"
    assert st.hits == {"discovery": 1, "jwks": 1}
    assert client.info()["discovered_uri"] == server.base + "/jwks"

    # The issuer rotates: a new key with a new kid.
    new_key = ec.generate_private_key(ec.SECP256R1())
    st.jwks = {"keys": [_key(ec_key, "a"), _key(new_key, "b")]}
    # Within the cooldown of the first fetch: no refetch, the token is refused.
    with pytest.raises(errors.JwksKidAlgMismatch):
        client.verify(_tok(new_key, "b"), **VERIFY)
    assert st.hits["jwks"] == 1
    # After the cooldown: one refetch (discovery then JWKS), and the token verifies.
    clock.t += 31
    v = client.verify(_tok(new_key, "b"), complete=True, **VERIFY)
    assert v.kid == "b"
    assert st.hits == {"discovery": 2, "jwks": 2}
    assert sorted(client.get_jwks().kids) == ["a", "b"]


def test_outage_keeps_stale_keys(server, ec_key):
    st = server.state
    st.jwks = {"keys": [_key(ec_key, "a")]}
    clock = Clock()
    uri = server.base + "/jwks"
    client = meshauth.JwksClient(jwks_uri=uri, allow_http=True, cache_max_age=60, clock=clock)
    strict = meshauth.JwksClient(
        jwks_uri=uri, allow_http=True, cache_max_age=60, stale_if_error=False, clock=clock
    )
    client.get_jwks()
    strict.get_jwks()
    assert st.hits["jwks"] == 2
    st.mode = "500"
    clock.t += 61  # refresh due
    assert client.verify(_tok(ec_key, "a"), **VERIFY)["iss"] == ISS
    assert st.hits["jwks"] == 3
    info = client.info()
    assert info["consecutive_failures"] == 1 and info["has_keys"]
    with pytest.raises(meshauth.PyJWKClientConnectionError):
        strict.get_jwks()
    # Within the backoff nothing is fetched again; the stale keys keep verifying.
    for _ in range(5):
        client.verify(_tok(ec_key, "a"), **VERIFY)
    assert st.hits["jwks"] == 4  # 3 + the strict client's failed refresh
    # The endpoint recovers: after the backoff (1 min) the strict client works again.
    st.mode = "ok"
    clock.t += 61
    assert len(strict.get_jwks()) == 1


def test_no_keys_and_outage_is_a_connection_error(server):
    server.state.mode = "500"
    client = meshauth.JwksClient(jwks_uri=server.base + "/jwks", allow_http=True, clock=Clock())
    with pytest.raises(meshauth.PyJWKClientConnectionError) as ei:
        client.get_jwks()
    assert isinstance(ei.value, meshauth.PyJWKClientError)
    assert "500" in str(ei.value)


def test_unknown_kid_burst_fetches_at_most_once(server, ec_key):
    from cryptography.hazmat.primitives.asymmetric import ec

    st = server.state
    st.jwks = {"keys": [_key(ec_key, "a")]}
    clock = Clock()
    client = meshauth.JwksClient(
        jwks_uri=server.base + "/jwks", allow_http=True, cooldown=30, clock=clock
    )
    client.get_jwks()
    assert st.hits["jwks"] == 1
    clock.t += 100  # past the cooldown, before cache_max_age (600)
    other = ec.generate_private_key(ec.SECP256R1())
    for i in range(10):
        with pytest.raises(meshauth.InvalidTokenError) as ei:
            client.verify(_tok(other, f"unknown-{i}"), **VERIFY)
        assert ei.value.code == "JwksKidAlgMismatch"
        clock.t += 1
    assert st.hits["jwks"] == 2
    # Known kids never cause a fetch.
    client.verify(_tok(ec_key, "a"), **VERIFY)
    assert st.hits["jwks"] == 2


def test_timeout_is_a_connection_error(server, ec_key):
    st = server.state
    st.jwks = {"keys": [_key(ec_key, "a")]}
    st.mode, st.sleep = "sleep", 1.5
    client = meshauth.JwksClient(
        jwks_uri=server.base + "/jwks", allow_http=True, timeout=0.2, clock=Clock()
    )
    with pytest.raises(meshauth.PyJWKClientConnectionError) as ei:
        client.get_jwks()
    assert "timed out" in str(ei.value).lower()
    assert client.info()["consecutive_failures"] == 1


def test_refused_bodies_are_client_errors(server):
    st = server.state
    st.mode = "garbage"
    client = meshauth.JwksClient(jwks_uri=server.base + "/jwks", allow_http=True, clock=Clock())
    with pytest.raises(meshauth.PyJWKClientError) as ei:
        client.get_jwks()
    assert not isinstance(ei.value, meshauth.PyJWKClientConnectionError)
    assert "JwksParseError" in str(ei.value)
    # Discovery whose issuer is not exactly the configured one.
    st.mode, st.issuer = "ok", "https://someone-else.example"
    disc = meshauth.JwksClient(issuer=server.base, allow_http=True, clock=Clock())
    with pytest.raises(meshauth.PyJWKClientError) as ei:
        disc.get_jwks()
    assert "DiscoveryIssuerMismatch" in str(ei.value)
    assert st.hits["jwks"] == 1  # only the garbage fetch


def test_configuration_errors(server):
    with pytest.raises(errors.InvalidArgument):
        meshauth.JwksClient()
    # http is refused unless allowed, at construction, for a jwks_uri and for discovery alike
    # (the core scheduler checks the first URL of both kinds of entry).
    with pytest.raises(errors.DiscoveryBadJwksUri):
        meshauth.JwksClient(jwks_uri=server.base + "/jwks")
    with pytest.raises(errors.DiscoveryBadJwksUri):
        meshauth.JwksClient(issuer=server.base, clock=Clock())
    assert server.state.hits["discovery"] == 0


def test_threads_share_one_fetch(server, ec_key):
    st = server.state
    st.jwks = {"keys": [_key(ec_key, "a")]}
    st.mode, st.sleep = "sleep", 0.2  # a slow first fetch: the threads pile up behind it
    client = meshauth.JwksClient(issuer=server.base, allow_http=True, clock=Clock())
    tokens = [_tok(ec_key, "a") for _ in range(3)]
    barrier = threading.Barrier(8)
    results, failures = [], []

    def work():
        barrier.wait()
        try:
            for _ in range(10):
                for t in tokens:
                    results.append(client.verify(t, **VERIFY)["sub"])
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not failures
    assert results == ["alice"] * 240
    assert st.hits == {"discovery": 1, "jwks": 1}


def test_scheduler_sans_io(ec_key):
    """The thin native scheduler, driven by hand (no HTTP): the host loop of refresh.rs."""
    s = meshauth.Scheduler(refresh_interval=600, unknown_kid_cooldown=30)
    with pytest.raises(errors.DiscoveryBadJwksUri):
        s.register("https://i.example", "http://i.example/keys", 0)
    e = s.register("https://i.example", None, 100)  # discovery
    assert len(s) == 1
    with pytest.raises(errors.JwksFetchFail):
        s.keys(e)
    fetches, evicted, _ = s.poll(100)
    assert fetches == [(e, "discovery", "https://i.example/.well-known/openid-configuration", fetches[0][3])]
    assert evicted == []
    assert s.poll(100)[0] == []  # one fetch in flight per entry
    doc = json.dumps({"issuer": "https://i.example", "jwks_uri": "https://i.example/keys"})
    assert s.on_fetched(e, doc, None, 101) == ("resolved", "https://i.example/keys")
    (fetch,) = s.poll(101)[0]
    assert fetch[1:3] == ("jwks", "https://i.example/keys")
    body = json.dumps({"keys": [_key(ec_key, "a")]})
    kind, keys = s.on_fetched(e, body, "max-age=60", 102)
    assert kind == "changed" and keys.kids == ["a"]
    assert s.keys(e).kids == ["a"]
    with pytest.raises(errors.InvalidArgument):  # nothing in flight any more
        s.on_failed(e, 103)
    assert s.on_unknown_kid(e, 110) is False  # within 30 s of the fetch start (101)
    assert s.on_unknown_kid(e, 140) is True
    (fetch,) = s.poll(140)[0]
    assert fetch[1] == "discovery"  # every cycle starts with discovery
    s.on_failed(e, 141)
    info = s.info(e)
    assert info["consecutive_failures"] == 1 and info["has_keys"] is True
    assert info["discovered_uri"] == "https://i.example/keys"
    assert s.keys(e).kids == ["a"]  # stale keys kept
    assert s.info(e + (1 << 40)) is None
