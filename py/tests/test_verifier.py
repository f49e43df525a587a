"""``meshauth.Verifier``: options parsed once, the same answers as the module-level ``verify``.

Expected statuses come from the shared vectors (``security/jwt_attacks.json`` with the documented
overrides, ``jwt_verify_lib/verify.json``); expected claims from PyJWT or Python's ``json``.
"""

import hashlib
import hmac
import json
import threading

import pytest

import meshauth
from conftest import AUD, ISS, b64url, claims, gil_released, public_jwk, sign
from test_vectors import ATTACKS, attack_expected, outcome, pick, verify_runs

SECRET = b"0123456789abcdef0123456789abcdef"


def hs256(payload: bytes, header: bytes = b'{"alg":"HS256","kid":"h"}', key: bytes = SECRET) -> str:
    """A token over exact payload bytes, signed with the standard library's ``hmac``."""
    signing_input = f"{b64url(header)}.{b64url(payload)}"
    sig = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(sig)}"


def hmac_jwks(key: bytes = SECRET) -> meshauth.Jwks:
    return meshauth.Jwks.from_json(json.dumps({"keys": [{"kty": "oct", "kid": "h", "k": b64url(key)}]}))


@pytest.fixture(scope="module")
def mixed(rsa_key, ec_key, ed_key):
    return meshauth.Jwks.from_json(
        json.dumps(
            {
                "keys": [
                    public_jwk(rsa_key, "RS256", "rsa"),
                    public_jwk(ec_key, "ES256", "ec"),
                    public_jwk(ed_key, "EdDSA", "ed"),
                    {"kty": "oct", "kid": "h", "k": b64url(SECRET)},
                ]
            }
        )
    )


# Cases whose key set loads (the others are JwksNoValidKeys: no verifier can be built; their key
# set errors are checked in test_vectors).
LOADING_ATTACKS = [
    pytest.param(c, id=c["id"]) for c in ATTACKS["cases"] if attack_expected(c)[1] != "JwksNoValidKeys"
]


@pytest.mark.parametrize("case", LOADING_ATTACKS)
def test_attack_corpus_same_as_verify(case):
    val = ATTACKS["validation"]
    doc = case["jwks_inline"] if "jwks_inline" in case else ATTACKS["jwks"][case["jwks"]]
    jwks = meshauth.Jwks.from_json(json.dumps(doc))
    opts = dict(issuer=val["issuer"], audiences=val["audiences"], clock_skew=val["clock_skew"])
    v = meshauth.Verifier(jwks, **opts)
    expect, want = attack_expected(case)
    via_module = outcome(lambda: meshauth.verify(case["token"], jwks, now=val["now"], **opts))
    via_verifier = outcome(lambda: v.verify(case["token"], now=val["now"]))
    via_complete = outcome(lambda: v.verify_complete(case["token"], now=val["now"]))
    assert via_module == via_verifier == via_complete == want
    assert (want == "Ok") == (expect == "accept")
    if want == "Ok":
        a = meshauth.verify_complete(case["token"], jwks, now=val["now"], **opts)
        b = v.verify_complete(case["token"].encode(), now=val["now"])
        assert (a.claims, a.header, a.alg, a.kid, a.key_index, a.principal, a.scopes, a.token) == (
            b.claims, b.header, b.alg, b.kid, b.key_index, b.principal, b.scopes, b.token
        )
        assert v.verify(case["token"], now=val["now"]) == a.claims


# JWKS-document cases whose key set loads (PEM and empty key sets, and refused sets, are covered
# by test_vectors).
LOADING_VERIFY_RUNS = [
    p for p in verify_runs()
    if p.values[0]["jwks_type"] == "jwks" and pick(p.values[0], "expect_jwks", p.values[1]) == "Ok"
]


@pytest.mark.parametrize("case,strict", LOADING_VERIFY_RUNS)
def test_jwt_verify_lib_cases(case, strict):
    eq = {} if strict else case.get("strict_equivalent", {})
    token = eq.get("token", case["token"])
    jwks = meshauth.Jwks.from_json(eq.get("jwks", case["jwks"]))
    if pick(case, "expect_parse", strict) != "Ok":
        want = pick(case, "expect_parse", strict)
    else:
        want = pick(case, "expect", strict)
    v = meshauth.Verifier(jwks, audiences=case["audiences"], clock_skew=case["clock_skew"])
    assert outcome(lambda: v.verify(token, now=min(case["now"], 2**63 - 1))) == want


def test_each_family_and_claims(mixed, rsa_key, ec_key, ed_key):
    v = meshauth.Verifier(mixed, issuer=ISS, audiences=[AUD])
    for alg, key, kid in [("RS256", rsa_key, "rsa"), ("ES256", ec_key, "ec"), ("EdDSA", ed_key, "ed"),
                          ("HS256", SECRET, "h")]:
        c = claims(sub=f"s-{alg}", scope="a b")
        tok = sign(c, key, alg, kid=kid)
        assert v.verify(tok) == c
        assert v.verify(tok.encode()) == c
        full = v.verify_complete(tok)
        assert (full.claims, full.alg, full.kid, full.scopes) == (c, alg, kid, ["a", "b"])
        assert full.principal == f"{ISS}/s-{alg}"


def test_options_match_verify(rsa_key):
    jwks = meshauth.Jwks.from_json(json.dumps({"keys": [public_jwk(rsa_key, "RS256", "rsa")]}))
    tok = sign(claims(exp=2_000_000_000, nbf=1_900_000_000, iat=1_900_000_000), rsa_key, "RS256", kid="rsa")
    no_exp = sign(claims(exp=None), rsa_key, "RS256", kid="rsa")
    # (options, now, expected status): the Envoy rules test_api checks against the module function.
    rows = [
        ({}, 1_950_000_000, "Ok"),
        ({}, 2_000_000_060, "Ok"),
        ({}, 2_000_000_061, "JwtExpired"),
        ({"clock_skew": 0}, 2_000_000_001, "JwtExpired"),
        ({}, 1_899_999_939, "JwtNotYetValid"),
        ({"issuer": "https://other"}, 1_950_000_000, "JwtUnknownIssuer"),
        ({"audiences": ["other"]}, 1_950_000_000, "JwtAudienceNotAllowed"),
        ({"audiences": ["other", "https://" + AUD + "/"]}, 1_950_000_000, "Ok"),
        ({"algorithms": ["ES256"]}, 1_950_000_000, "JwtAlgNotAllowed"),
        ({"algorithms": ["ES256", "RS256"]}, 1_950_000_000, "Ok"),
        ({"max_lifetime": 50_000_000}, 1_950_000_000, "JwtLifetimeTooLong"),
        ({"max_lifetime": 100_000_000}, 1_950_000_000, "Ok"),
        ({"max_token_bytes": 100}, 1_950_000_000, "JwtTooLarge"),
        ({"max_age": 49_999_940}, 1_950_000_000, "Ok"),
        ({"max_age": 49_999_939}, 1_950_000_000, "JwtExpired"),
    ]
    for kw, now, want in rows:
        v = meshauth.Verifier(jwks, **kw)
        assert outcome(lambda: v.verify(tok, now=now)) == want, kw
        assert outcome(lambda: meshauth.verify(tok, jwks, now=now, **kw)) == want, kw
    assert meshauth.Verifier(jwks).verify(no_exp)["sub"] == "alice"
    with pytest.raises(meshauth.MissingRequiredClaimError) as ei:
        meshauth.Verifier(jwks, require_exp=True).verify(no_exp)
    assert ei.value.code == "JwtMissingExp"
    # The default `now` is the current time.
    expired = sign(claims(iat=1000, exp=2000), rsa_key, "RS256", kid="rsa")
    with pytest.raises(meshauth.ExpiredSignatureError):
        meshauth.Verifier(jwks).verify(expired)


def test_option_errors(mixed):
    with pytest.raises(ValueError) as ei:
        meshauth.Verifier(mixed, algorithms=["none"])
    assert ei.value.code == "InvalidArgument"
    with pytest.raises(ValueError) as ei:
        meshauth.Verifier(mixed, algorithms=["RS256", "HS257"])
    assert ei.value.code == "InvalidArgument"
    with pytest.raises(OverflowError):
        meshauth.Verifier(mixed, clock_skew=-1)
    with pytest.raises(TypeError):
        meshauth.Verifier(mixed, issuer=5)
    with pytest.raises(TypeError):
        meshauth.Verifier(mixed, audiences="api", unknown=1)
    with pytest.raises(TypeError):
        meshauth.Verifier(mixed, ISS)  # options are keyword-only
    with pytest.raises(TypeError):
        meshauth.Verifier('{"keys": []}')
    v = meshauth.Verifier(mixed)
    with pytest.raises(TypeError):
        v.verify(12)
    with pytest.raises(TypeError):
        v.verify("a.b.c", now="now")
    with pytest.raises(meshauth.DecodeError):
        v.verify("a.b")


def test_object_shape(mixed):
    v = meshauth.Verifier(mixed, issuer=ISS, audiences=["https://" + AUD + "/", "other"], clock_skew=5,
                          algorithms=["RS256", "ES256"], max_lifetime=60, max_token_bytes=4096)
    assert v.jwks is mixed
    # Audiences as compared (Envoy's sanitising), algorithms in the core's order.
    assert (v.issuer, v.audiences, v.clock_skew, v.algorithms) == (ISS, [AUD, "other"], 5, ["RS256", "ES256"])
    d = meshauth.Verifier(mixed)
    assert (d.issuer, d.audiences, d.clock_skew) == (None, [], 60)
    assert len(d.algorithms) == 13
    assert "Verifier" in repr(v) and ISS in repr(v)
    with pytest.raises(AttributeError):
        v.issuer = "x"
    with pytest.raises((AttributeError, TypeError)):
        v.anything = 1


@pytest.mark.parametrize(
    "payload",
    [
        b'{"iss":"https://issuer.example","n":-0,"f":-0.0,"e":1E2,"g":2.5e-3,"z":0}',
        b'{"big":123456789012345678901234567890,"neg":-98765432109876543210,"max":9223372036854775807,'
        b'"over":9223372036854775808,"min":-9223372036854775808,"under":-9223372036854775809}',
        b'{"huge":1e400,"tiny":1e-400,"x":[1,[2,[3,{"a":null}]]],"t":true,"fl":false,"o":{}}',
        b'{"s":"q\\"b\\\\s\\/ \\b\\f\\n\\r\\t \\u00e9\\u20ac \\ud83d\\ude00 \xc3\xa9 \xf0\x9f\x98\x80"}',
        b'{"\\u0061b":1,"":"empty key","a.b":[],"lst":["x","y"]}',
        b' { "ws" : [ 1 , 2 ] , "k" : "v" } ',
    ],
)
def test_claims_equal_json_loads(payload):
    """Claims from exact payload bytes equal Python's own ``json.loads`` of those bytes."""
    tok = hs256(payload)
    v = meshauth.Verifier(hmac_jwks())
    want = json.loads(payload)
    got = v.verify(tok, now=1_700_000_000)
    assert got == want
    assert json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)
    assert [type(x) for x in got.values()] == [type(x) for x in want.values()]
    assert list(got) == list(want)
    assert meshauth.verify(tok, hmac_jwks(), now=1_700_000_000) == want
    assert v.verify_complete(tok, now=1_700_000_000).claims == want


def test_threads_share_one_verifier(mixed, rsa_key, ec_key, ed_key):
    v = meshauth.Verifier(mixed, issuer=ISS, audiences=[AUD])
    keys = [("RS256", rsa_key, "rsa"), ("ES256", ec_key, "ec"), ("EdDSA", ed_key, "ed"), ("HS256", SECRET, "h")]
    good = [(sign(claims(sub=f"user{i}"), k, alg, kid=kid), f"user{i}") for i, (alg, k, kid) in enumerate(keys * 3)]
    h, _, s = good[0][0].split(".")
    bad = f"{h}.{good[1][0].split('.')[1]}.{s}"
    results = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        local = []
        for _ in range(20):
            for tok, sub in good:
                local.append(v.verify(tok)["sub"] == sub)
            try:
                v.verify(bad)
                local.append(False)
            except meshauth.InvalidSignatureError as e:
                local.append(e.code == "JwtVerificationFail")
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 * 20 * (len(good) + 1) and all(results)


def test_gil_released_for_public_key_sets(rsa_key):
    jwks = meshauth.Jwks.from_json(json.dumps({"keys": [public_jwk(rsa_key, "RS256", "r")]}))
    tok = sign(claims(), rsa_key, "RS256", kid="r")
    v = meshauth.Verifier(jwks)
    assert gil_released(lambda: v.verify(tok))
    assert gil_released(lambda: meshauth.verify(tok, jwks))


def test_gil_released_for_hmac_too():
    # Released for every key set (bench/notes.md: it costs ~0.05 us, under 2 % of an HS256 call).
    # A single HMAC takes about a microsecond, too short a window for the helper thread to be
    # scheduled reliably; so the call is made long on purpose: a kid-less token with an 8 KiB
    # claim, signed by the last of 256 HMAC keys, makes the core try every key (~1 ms a call).
    secrets = [bytes([i, 255 - i]) * 16 for i in range(256)]
    jwks = meshauth.Jwks.from_json(json.dumps({"keys": [{"kty": "oct", "k": b64url(k)} for k in secrets]}))
    payload = json.dumps(claims(pad="x" * 8192)).encode()
    tok = hs256(payload, header=b'{"alg":"HS256"}', key=secrets[-1])
    v = meshauth.Verifier(jwks)
    assert v.verify(tok)["pad"] == "x" * 8192
    assert gil_released(lambda: v.verify(tok))


@pytest.mark.parametrize("alg,curve", [("ES256", "SECP256R1"), ("ES384", "SECP384R1"), ("ES512", "SECP521R1")])
def test_ec_tables_option_same_answers(alg, curve):
    """``ec_tables`` (precomputed ECDSA tables, default 8 keys per set) changes speed, not answers:
    PyJWT-signed tokens verify and a tampered signature fails, with tables and without."""
    from cryptography.hazmat.primitives.asymmetric import ec

    keys = [ec.generate_private_key(getattr(ec, curve)()) for _ in range(3)]
    doc = json.dumps({"keys": [public_jwk(k, alg, f"k{i}") for i, k in enumerate(keys)]})
    token = sign(claims(), keys[2], alg, kid="k2")
    head, _, sig = token.rpartition(".")
    tampered = f"{head}.{sig[:10]}{'A' if sig[10] != 'A' else 'B'}{sig[11:]}"
    for tables in (8, 1, 0):
        jwks = meshauth.Jwks.from_json(doc, ec_tables=tables)
        assert meshauth.verify(token, jwks, issuer=ISS, audiences=[AUD])["sub"] == "alice"
        with pytest.raises(meshauth.errors.error_class("JwtVerificationFail")):
            meshauth.verify(tampered, jwks, issuer=ISS, audiences=[AUD])
    with pytest.raises(OverflowError):
        meshauth.Jwks.from_json(doc, ec_tables=-1)
