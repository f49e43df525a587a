"""``Authenticator`` (RequestAuthentication) and ``Policy`` (AuthorizationPolicy) over Istio's
scenarios, run as core/tests/authn.rs and core/tests/policy.rs run them: the expected HTTP
statuses and upstream headers come from the vector files."""

import json

import pytest
from conftest import load_vectors, shared_dir

import meshauth
from meshauth import errors

#: 2023-11-14: after TokenExpired (2019), before every other test token's exp (2119+).
NOW = 1_700_000_000
JWKS_URI = "http://jwks.test/jwks.json"


@pytest.fixture(scope="module")
def tokens():
    v = load_vectors("istio-samples/tests-common-jwt/tokens.json")
    return {t["name"]: t["token"] for t in v["tokens"]}


@pytest.fixture(scope="module")
def test_jwks():
    path = shared_dir() / "vectors" / "istio-samples" / "tests-common-jwt" / "jwks.json"
    return meshauth.Jwks.from_json(path.read_bytes())


def _fill(s, toks):
    for name, tok in (("payload1", "TokenIssuer1"), ("payload2", "TokenIssuer2"), ("payload3", "TokenIssuer1WithNestedClaims2")):
        s = s.replace(f"<{name}>", toks[tok].split(".")[1])
    for name, tok in toks.items():
        s = s.replace(f"<{name}>", tok)
    return s


def _upstream(headers, result):
    """The headers the upstream sees: the request's minus headers_to_remove plus headers_to_set."""
    up = {}
    for k, v in headers:
        k = k.lower()
        up[k] = up[k] + "," + v if k in up else v
    if result["kind"] != "rejected":
        for r in result["headers_to_remove"]:
            up.pop(r.lower(), None)
        for k, v in result["headers_to_set"]:
            up[k.lower()] = v
    return up


def _suites():
    return load_vectors("istio-samples/requestauthn_scenarios.json")["suites"]


@pytest.mark.parametrize("suite", _suites(), ids=lambda s: s["suite"])
def test_request_authentication_scenarios(suite, tokens, test_jwks):
    policy = suite["policy"]
    specs = policy.get("requestAuthentications") or [{"jwtRules": policy["jwtRules"]}]
    config = json.loads(json.dumps(specs).replace("<jwks>", JWKS_URI))
    auth = meshauth.Authenticator(config)
    # The host fetched the plain URI; the timeout and non-existent URIs never produced keys.
    auth.set_keys(JWKS_URI, test_jwks)
    pol = meshauth.Policy(policy.get("authorization", []))
    for case in suite["cases"]:
        req = case["request"]
        headers = [(k, _fill(v, tokens)) for k, v in req.get("headers", {}).items()]
        path = _fill(req.get("path", "/"), tokens)
        method = req.get("method", "GET")
        result = auth.authenticate(method, path, headers, host="b", now=NOW)
        decision = pol.evaluate(method, path, headers, result, host="b")
        assert decision["http_status"] == case["status"], (case["name"], result, decision)
        for k, v in case.get("upstream_headers", {}).items():
            want = _fill(v, tokens)
            got = _upstream(headers, result).get(k.lower())
            assert got == (want or None), (case["name"], k)


def test_authz_jwt_scenarios(tokens, test_jwks):
    pytest.importorskip("yaml")
    v = load_vectors("istio-samples/authz_jwt_scenarios.json")
    text = (
        v["policy_yaml"]
        .replace("{{ .JWTServer.JwksURI }}", JWKS_URI)
        .replace("{{ .To.ServiceName }}", "b")
    )
    # One YAML text with both resources: each class takes its own kind.
    auth = meshauth.Authenticator(text)
    assert len(auth.providers) == 2
    assert auth.set_keys(JWKS_URI, test_jwks) == 2
    pol = meshauth.Policy(text)
    assert pol.names == ["b"]
    assert len(v["cases"]) == 32
    for c in v["cases"]:
        headers = {"Authorization": f"Bearer {tokens[c['token']]}"} if c["token"] else {}
        result = auth.authenticate(c["method"], c["path"], headers, host="b", now=NOW)
        d = pol.evaluate(c["method"], c["path"], headers, result, host="b")
        assert d["allowed"] is c["allow"], (c["prefix"], c["path"], result["kind"])
        assert d["http_status"] == (200 if c["allow"] else 403)


def test_outcome_dict_fields(tokens, test_jwks):
    auth = meshauth.Authenticator(
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "RequestAuthentication",
            "metadata": {"name": "r"},
            "spec": {
                "jwtRules": [
                    {
                        "issuer": "test-issuer-1@istio.io",
                        "jwksUri": JWKS_URI,
                        "outputClaimToHeaders": [{"header": "x-sub", "claim": "sub"}],
                    }
                ]
            },
        }
    )
    # Keys not set yet: a token fails closed.
    bearer = {"authorization": "Bearer " + tokens["TokenIssuer1"]}
    r = auth.authenticate("GET", "/", bearer, now=NOW)
    assert (r["kind"], r["code"], r["http_status"]) == ("rejected", "JwksFetchFail", 401)
    assert r["status"] == errors.JwksFetchFail.status
    assert r["message"] == "Jwks remote fetch is failed"
    assert r["www_authenticate"].startswith("Bearer realm=")
    assert auth.set_keys(JWKS_URI, test_jwks) == 1
    r = auth.authenticate("GET", "/", bearer, now=NOW)
    assert r["kind"] == "authenticated" and r["code"] is None and r["http_status"] is None
    assert (r["issuer"], r["subject"]) == ("test-issuer-1@istio.io", "sub-1")
    assert r["claims"]["iss"] == "test-issuer-1@istio.io"
    assert isinstance(r["claims"]["exp"], int)
    assert ("x-sub", "sub-1") in [tuple(p) for p in r["headers_to_set"]]
    assert "authorization" in [h.lower() for h in r["headers_to_remove"]]
    # Expired (at the real clock the TokenExpired token is long expired too).
    r = auth.authenticate("GET", "/", {"Authorization": "Bearer " + tokens["TokenExpired"]})
    assert (r["kind"], r["code"]) == ("rejected", "JwtExpired")
    # No token, and a token in the query string.
    assert auth.authenticate("GET", "/", {}, now=NOW)["kind"] == "no_token"
    r = auth.authenticate("GET", "/p?access_token=" + tokens["TokenIssuer1"], None, now=NOW)
    assert r["kind"] == "authenticated"
    r = auth.authenticate("GET", "/p", None, query="access_token=" + tokens["TokenIssuer1"], now=NOW)
    assert r["kind"] == "authenticated"
    pre = auth.authenticate(
        "OPTIONS", "/", {"Origin": "https://x", "Access-Control-Request-Method": "GET"}, now=NOW
    )
    assert pre["kind"] == "cors_preflight"
    # Unsetting the keys fails closed again.
    auth.set_keys(JWKS_URI, None)
    assert auth.authenticate("GET", "/", bearer, now=NOW)["code"] == "JwksFetchFail"


def test_policy_evaluate_and_lint():
    pol = meshauth.Policy(
        json.dumps(
            [
                {
                    "kind": "AuthorizationPolicy",
                    "metadata": {"name": "deny-admin"},
                    "spec": {"action": "DENY", "rules": [{"to": [{"operation": {"paths": ["/admin*"]}}]}]},
                },
                {
                    "kind": "AuthorizationPolicy",
                    "metadata": {"name": "need-jwt"},
                    "spec": {"rules": [{"from": [{"source": {"requestPrincipals": ["*/*"]}}]}]},
                },
            ]
        )
    )
    assert pol.names == ["deny-admin", "need-jwt"] and len(pol) == 2
    d = pol.evaluate("GET", "/admin/x", {}, None)
    assert d == {"allowed": False, "matched_policy": "deny-admin", "matched_rule": 0, "http_status": 403}
    d = pol.evaluate("GET", "/", {}, None)
    assert d == {"allowed": False, "matched_policy": None, "matched_rule": None, "http_status": 403}
    with pytest.raises(TypeError):
        pol.evaluate("GET", "/", {}, {"kind": "authenticated"})
    kinds = {w["kind"] for w in pol.lint()}
    assert "StarSlashStar" in kinds
    w = [w for w in pol.lint(issuers=["https://a.example"]) if w["kind"] == "StarSlashStar"][0]
    assert w["policy"] == "need-jwt" and w["rule"] == 0
    assert w["field"] == "rules[0].from[0].source.requestPrincipals[0]"
    assert w["fix"] and w["message"]


def test_config_errors_name_the_field():
    with pytest.raises(errors.ConfigInvalid) as ei:
        meshauth.Authenticator({"jwtRules": [{"issuer": "i", "jwksUri": JWKS_URI, "fromHeaders": [{"prefix": "x"}]}]})
    assert isinstance(ei.value, meshauth.MeshAuthError)
    assert ei.value.field.startswith("jwtRules[0].fromHeaders[0]")
    assert str(ei.value).startswith(ei.value.field + ": ")
    with pytest.raises(errors.ConfigInvalid) as ei:
        meshauth.Policy({"action": "ALLOW", "rules": [{"to": [{"operation": {"methods": "GET"}}]}]})
    assert "rules[0].to[0].operation.methods" in str(ei.value)
    with pytest.raises(errors.ConfigInvalid) as ei:
        meshauth.Policy("{not json")
    assert ei.value.field == "(document)"
    with pytest.raises(TypeError):
        meshauth.Authenticator(42)


def test_yaml_text(monkeypatch):
    text = "jwtRules:\n- issuer: https://a.example\n  jwksUri: https://a.example/keys\n"
    if __import__("importlib").util.find_spec("yaml") is not None:
        assert meshauth.Authenticator(text).providers[0]["issuer"] == "https://a.example"
    # Without PyYAML, YAML text reaches the core as (invalid) JSON.
    monkeypatch.setitem(__import__("sys").modules, "yaml", None)
    with pytest.raises(errors.ConfigInvalid) as ei:
        meshauth.Authenticator(text)
    assert ei.value.field == "(document)"
    # A repeated key is refused (PyYAML alone would keep the last), as the core refuses JSON that
    # repeats a member.
    if __import__("importlib").util.find_spec("yaml") is not None:
        monkeypatch.undo()
        dup = "jwtRules: []\nselector: {}\njwtRules:\n- issuer: https://a.example\n"
        with pytest.raises(errors.ConfigInvalid) as ei:
            meshauth.Authenticator(dup)
        assert ei.value.field == "(document)"
        assert "line 3: duplicate key 'jwtRules'" in str(ei.value)
        with pytest.raises(errors.ConfigInvalid):
            meshauth.Policy("rules: []\naction: DENY\nrules: [{}]\n")
        # YAML that does not parse is ConfigInvalid too, not PyYAML's own exception.
        for bad in ("jwtRules: [\n", "? [1, 2]\n: 3\n"):
            with pytest.raises(errors.ConfigInvalid) as ei:
                meshauth.Authenticator(bad)
            assert str(ei.value).startswith("(document): not valid YAML (")
    # JSON text and bytes never need PyYAML.
    doc = '{"jwtRules": [{"issuer": "https://a.example", "jwksUri": "https://a.example/keys"}]}'
    assert len(meshauth.Authenticator(doc).providers) == 1
    assert len(meshauth.Authenticator(doc.encode()).providers) == 1


def test_kubectl_list_yaml():
    """Two `kubectl get ... -o yaml` outputs in one file: each is a `List` document, and each
    class takes its own kind from both lists' items."""
    pytest.importorskip("yaml")
    text = """apiVersion: v1
kind: List
items:
- apiVersion: security.istio.io/v1
  kind: RequestAuthentication
  metadata: {name: a}
  spec:
    jwtRules:
    - issuer: https://a.example
      jwksUri: https://a.example/keys
- apiVersion: security.istio.io/v1
  kind: AuthorizationPolicy
  metadata: {name: deny-admin}
  spec:
    action: DENY
    rules: [{to: [{operation: {paths: ["/admin"]}}]}]
---
apiVersion: v1
kind: List
items:
- apiVersion: security.istio.io/v1
  kind: RequestAuthentication
  metadata: {name: b}
  spec:
    jwtRules: [{issuer: https://b.example, jwksUri: https://b.example/keys}]
"""
    auth = meshauth.Authenticator(text)
    assert [p["issuer"] for p in auth.providers] == ["https://a.example", "https://b.example"]
    pol = meshauth.Policy(text)
    assert pol.names == ["deny-admin"]
    no_identity = auth.authenticate("GET", "/admin", {}, now=NOW)
    assert pol.evaluate("GET", "/admin", {}, no_identity)["http_status"] == 403
    assert pol.evaluate("GET", "/other", {}, no_identity)["http_status"] == 200


def test_authenticate_while_keys_change_in_threads(tokens, test_jwks):
    import threading

    auth = meshauth.Authenticator({"jwtRules": [{"issuer": "test-issuer-1@istio.io", "jwksUri": JWKS_URI}]})
    bearer = {"authorization": "Bearer " + tokens["TokenIssuer1"]}
    stop = threading.Event()
    seen, failures = set(), []

    def reader():
        try:
            while not stop.is_set():
                r = auth.authenticate("GET", "/", bearer, now=NOW)
                seen.add(r["code"] or r["kind"])
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(e)

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(200):
        auth.set_keys(JWKS_URI, test_jwks if i % 2 else None)
    auth.set_keys(JWKS_URI, test_jwks)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not failures
    assert seen <= {"authenticated", "JwksFetchFail"}
    assert auth.authenticate("GET", "/", bearer, now=NOW)["kind"] == "authenticated"
