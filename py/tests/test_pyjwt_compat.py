"""The PyJWT-compatible layer against PyJWT itself, on the same tokens and keys.

For each case both libraries decode the same token with the same arguments: both must accept
with equal claims, or both must reject -- and meshauth's exception must be an instance of the
meshauth class bearing PyJWT's exception class name. Where meshauth deliberately differs (Envoy's
semantics), the case says so and pins both answers (see "Migrating from PyJWT" in the README).
"""

import datetime
import json
import warnings

import jwt
import pytest

import meshauth
from conftest import AUD, ISS, NOW, claims, public_jwk, public_pem, sign

SECRET = "s3cr3t-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def run(fn):
    """("ok", result) or ("err", exception)."""
    try:
        return "ok", fn()
    except Exception as e:  # noqa: BLE001
        return "err", e


def compare(token, their_key, our_key, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = run(lambda: jwt.decode(token, their_key, **kw))
    ours = run(lambda: meshauth.decode(token, our_key, **kw))
    assert theirs[0] == ours[0], (theirs, ours)
    if theirs[0] == "ok":
        assert ours[1] == theirs[1]
    else:
        name = type(theirs[1]).__name__
        assert isinstance(ours[1], getattr(meshauth, name)), (name, repr(ours[1]))
        assert isinstance(ours[1], meshauth.MeshAuthError) and ours[1].code
    return theirs, ours


SCENARIOS = {
    "valid": (claims(), {}),
    "expired": (claims(exp=NOW - 3600, iat=NOW - 7200), {}),
    "expired-within-leeway": (claims(exp=NOW - 30), {"leeway": 120}),
    "expired-beyond-leeway": (claims(exp=NOW - 3600), {"leeway": datetime.timedelta(seconds=60)}),
    "nbf-future": (claims(nbf=NOW + 3600), {}),
    "nbf-within-leeway": (claims(nbf=NOW + 30), {"leeway": 120}),
    "aud-ok": (claims(), {"audience": AUD}),
    "aud-list": (claims(aud=["x", AUD]), {"audience": ["y", AUD]}),
    "aud-wrong": (claims(), {"audience": "other"}),
    "aud-not-expected": (claims(), {"audience": None}),
    "aud-absent": (claims(aud=None), {}),
    "iss-ok": (claims(), {"issuer": ISS, "audience": AUD}),
    "iss-wrong": (claims(), {"issuer": "https://evil.example", "audience": AUD}),
    "iss-substring": (claims(), {"issuer": ISS + ".evil", "audience": AUD}),
    "iss-container": (claims(), {"issuer": ["https://a", ISS], "audience": AUD}),
    "iss-container-wrong": (claims(), {"issuer": ["https://a"], "audience": AUD}),
    "require-present": (claims(), {"audience": AUD, "options": {"require": ["exp", "iss", "sub"]}}),
    "require-missing": (claims(), {"audience": AUD, "options": {"require": ["jti"]}}),
    "require-exp-missing": (claims(exp=None), {"audience": AUD, "options": {"require": ["exp"]}}),
    "no-verify-aud": (claims(), {"options": {"verify_aud": False}}),
    "no-verify-time": (
        claims(exp=NOW - 3600, nbf=NOW + 3600),
        {"audience": AUD, "options": {"verify_exp": False, "verify_nbf": False}},
    ),
    "no-verify-signature": (claims(exp=NOW - 3600), {"options": {"verify_signature": False}}),
}


@pytest.fixture(scope="module")
def keys(rsa_key, ec_key, ed_key):
    """(private key, PyJWT key, meshauth key forms) per algorithm."""
    out = {}
    for alg, priv in (("RS256", rsa_key), ("PS256", rsa_key), ("ES256", ec_key), ("EdDSA", ed_key)):
        pem = public_pem(priv)
        jwk = public_jwk(priv, alg, "k1")
        forms = {
            "pem": pem,
            "pem-bytes": pem.encode(),
            "jwk-dict": jwk,
            "jwks-dict": {"keys": [jwk]},
            "jwks": meshauth.Jwks.from_json(json.dumps({"keys": [jwk]})),
            "crypto-public": priv.public_key(),
        }
        out[alg] = (priv, priv.public_key(), forms)
    forms = {"secret-str": SECRET, "secret-bytes": SECRET.encode()}
    out["HS256"] = (SECRET, SECRET, forms)
    out["HS512"] = (SECRET, SECRET, forms)
    return out


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "EdDSA", "HS256", "HS512"])
def test_same_outcome_as_pyjwt(keys, alg, scenario):
    payload, kw = SCENARIOS[scenario]
    priv, their_key, forms = keys[alg]
    token = sign(payload, priv, alg, kid="k1")
    kw = dict(kw)
    if not kw.get("options", {}).get("verify_signature", True) is False:
        kw["algorithms"] = [alg]
    if "audience" not in kw and "aud" in payload and scenario != "no-verify-aud":
        kw["audience"] = AUD
    if scenario == "aud-not-expected":
        kw.pop("audience")
    for name, our_key in forms.items():
        compare(token, their_key, our_key, **kw)


def test_scenarios_really_differ(keys):
    # Guard against a vacuous comparison: PyJWT must reject some and accept others.
    priv, pub, _ = keys["RS256"]
    outcomes = set()
    for scenario, (payload, kw) in SCENARIOS.items():
        kw = {"algorithms": ["RS256"], "audience": AUD, **kw}
        outcomes.add(run(lambda: jwt.decode(sign(payload, priv, "RS256"), pub, **kw))[0])
    assert outcomes == {"ok", "err"}


@pytest.mark.parametrize("alg", ["RS256", "ES256", "HS256"])
def test_bad_signature_and_alg_not_allowed(keys, alg):
    priv, pub, forms = keys[alg]
    token = sign(claims(), priv, alg, kid="k1")
    h, p, s = token.split(".")
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims(sub="mallory")).encode()).decode()
    forged = f"{h}.{forged_payload}.{s}"
    other = "ES256" if alg != "ES256" else "RS256"
    for our_key in forms.values():
        _, ours = compare(forged, pub, our_key, algorithms=[alg], audience=AUD)
        assert ours[1].code == "JwtVerificationFail"
        _, ours = compare(token, pub, our_key, algorithms=[other], audience=AUD)
        assert ours[1].code == "JwtAlgNotAllowed"


def test_algorithms_required(keys):
    priv, pub, forms = keys["RS256"]
    token = sign(claims(), priv, "RS256")
    _, ours = compare(token, pub, forms["pem"], audience=AUD)
    assert str(ours[1]) == str(run(lambda: jwt.decode(token, pub, audience=AUD))[1])


def test_decode_complete_matches_pyjwt(keys):
    priv, pub, forms = keys["ES256"]
    token = sign(claims(), priv, "ES256", kid="k1", headers={"typ": "JWT"})
    theirs = jwt.decode_complete(token, pub, algorithms=["ES256"], audience=AUD)
    for our_key in forms.values():
        ours = meshauth.decode_complete(token, our_key, algorithms=["ES256"], audience=AUD)
        assert ours == {k: theirs[k] for k in ("header", "payload", "signature")}


def test_hmac_confusion_refused(keys):
    # CVE-2015-9235 family: an asymmetric public key is never an HMAC secret.
    _, _, forms = keys["RS256"]
    pem = forms["pem"]
    token = jwt.api_jws.PyJWS().encode(
        json.dumps(claims()).encode(), b"x" * 32, algorithm="HS256"
    )
    import hmac, hashlib, base64

    signing_input = token.rsplit(".", 1)[0].encode()
    mac = hmac.new(pem.encode(), signing_input, hashlib.sha256).digest()
    forged = signing_input.decode() + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    with pytest.raises(meshauth.InvalidTokenError):
        meshauth.decode(forged, pem, algorithms=["HS256"], audience=AUD)
    with pytest.raises(meshauth.InvalidKeyError):
        meshauth.decode(forged, json.dumps(forms["jwk-dict"]), algorithms=["HS256"], audience=AUD)
    with pytest.raises(meshauth.InvalidKeyError):
        meshauth.decode(forged, "ssh-ed25519 AAAAC3Nza", algorithms=["HS256"], audience=AUD)


# Deliberate differences (Envoy's semantics), pinned on both sides.
def test_divergence_missing_aud_with_audience(keys):
    priv, pub, forms = keys["RS256"]
    token = sign(claims(aud=None), priv, "RS256")
    with pytest.raises(jwt.MissingRequiredClaimError):
        jwt.decode(token, pub, algorithms=["RS256"], audience=AUD)
    with pytest.raises(meshauth.InvalidAudienceError) as ei:
        meshauth.decode(token, forms["pem"], algorithms=["RS256"], audience=AUD)
    assert ei.value.code == "JwtAudienceNotAllowed" and ei.value.http_status == 403


def test_divergence_audience_sanitised(keys):
    priv, pub, forms = keys["RS256"]
    token = sign(claims(aud="https://api.example/"), priv, "RS256")
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(token, pub, algorithms=["RS256"], audience="api.example")
    assert meshauth.decode(token, forms["pem"], algorithms=["RS256"], audience="api.example")


def test_divergence_check_order(keys):
    # Envoy checks time before the signature; PyJWT checks the signature first.
    priv, pub, forms = keys["RS256"]
    token = sign(claims(exp=NOW - 3600), priv, "RS256")
    h, p, s = token.split(".")
    bad = f"{h}.{p}.{s[:-4]}AAAA"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(bad, pub, algorithms=["RS256"], audience=AUD)
    with pytest.raises(meshauth.ExpiredSignatureError):
        meshauth.decode(bad, forms["pem"], algorithms=["RS256"], audience=AUD)


def test_options_validation(keys):
    priv, _, forms = keys["RS256"]
    token = sign(claims(), priv, "RS256")
    with pytest.raises(ValueError):
        meshauth.decode(token, forms["pem"], algorithms=["RS256"], options={"verify_exp": False})
    with pytest.raises(ValueError):
        meshauth.decode(token, forms["pem"], algorithms=["RS256"], options={"bogus": True})
    with pytest.raises(ValueError):
        meshauth.decode(
            token, forms["pem"], options={"verify_signature": False, "verify_exp": True}
        )
    with pytest.raises(NotImplementedError):
        meshauth.decode(token, forms["pem"], algorithms=["RS256"], options={"strict_aud": True})
    with pytest.raises(TypeError):
        meshauth.decode(token, 12345, algorithms=["RS256"])
    with pytest.raises(meshauth.MissingRequiredClaimError) as ei:
        meshauth.decode(token, forms["pem"], algorithms=["RS256"], audience=AUD,
                        options={"require": ["jti"]})
    assert ei.value.claim == "jti" and ei.value.code == "JwtMissingClaim"
    assert str(ei.value) == 'Token is missing the "jti" claim'
