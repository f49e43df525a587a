"""The shared vectors through Python: same statuses as the Rust tests expect.

* ``jwt_verify_lib/verify.json``: every non-mutated ``verifyJwt``/``verifyJwtWithAudiences``
  case (with its ``strict_expect*`` where tagged with a divergence, and its
  ``strict_equivalent`` rewrite giving the original answer);
* ``jwt_verify_lib/status.json``: every status has an exception with that code and message;
* ``security/jwt_attacks.json``: every case's ``expect`` and exact ``status``, or meshauth's
  documented override from ``tests/vectors/attack_overrides.json`` (the same file the Rust and
  Node suites read);
* the project's own catalogue, ``tests/vectors/extra_attacks.json`` (HS256 tokens signed here with
  ``hmac``) and ``tests/vectors/attacks_extra_keys.json`` (tokens and keys made by
  ``tools/gen_attack_keys.py``), with the statuses the Rust, C and Node suites expect.
"""

import hashlib
import hmac
import json
import pathlib

import pytest

import meshauth
from conftest import b64url, load_vectors

VERIFY = load_vectors("jwt_verify_lib/verify.json")
STATUS = load_vectors("jwt_verify_lib/status.json")
ATTACKS = load_vectors("security/jwt_attacks.json")


def outcome(fn):
    """``"Ok"`` or the ``.code`` of the MeshAuthError raised."""
    try:
        fn()
    except meshauth.MeshAuthError as e:
        return e.code
    return "Ok"


def verify_runs():
    return list(_verify_runs())


def _verify_runs():
    for c in VERIFY:
        if c["api"] == "verifyTimeConstraint" or "mutate" in c:
            continue
        yield pytest.param(c, True, id=c["name"])
        if "strict_equivalent" in c:
            yield pytest.param(c, False, id=c["name"] + " [strict_equivalent]")


def pick(c, field, strict):
    return c.get("strict_" + field, c[field]) if strict else c[field]


def test_verify_cases_are_selected():
    assert sum(1 for _ in verify_runs()) >= 50


@pytest.mark.parametrize("case,strict", verify_runs())
def test_jwt_verify_lib_verify(case, strict):
    eq = {} if strict else case.get("strict_equivalent", {})
    token = eq.get("token", case["token"])
    jwks_text = eq.get("jwks", case["jwks"])
    if case["jwks_type"] == "jwks":
        load = lambda: meshauth.Jwks.from_json(jwks_text)  # noqa: E731
    elif case["jwks_type"] == "pem":
        load = lambda: meshauth.Jwks.from_pem(jwks_text, alg=case.get("pem_alg"))  # noqa: E731
    else:
        # An empty key set: no Python constructor builds one, and no key can match anyway; a
        # key of another family is equivalent (the expected status comes earlier).
        load = lambda: meshauth.Jwks.from_json('{"keys":[{"kty":"oct","k":"a2V5"}]}')  # noqa: E731
        assert pick(case, "expect", strict) != "Ok"
    assert outcome(lambda: meshauth.decode_unverified(token)) == pick(case, "expect_parse", strict)
    assert outcome(load) == pick(case, "expect_jwks", strict)
    if pick(case, "expect_parse", strict) != "Ok" or pick(case, "expect_jwks", strict) != "Ok":
        return
    jwks = load()
    got = outcome(
        lambda: meshauth.verify(
            token,
            jwks,
            audiences=case["audiences"],
            clock_skew=case["clock_skew"],
            now=min(case["now"], 2**63 - 1),
        )
    )
    assert got == pick(case, "expect", strict)


def test_status_table_matches_envoy():
    # Codes 0-72 are Envoy's, byte for byte: class name, .code, .status and str(e).
    for row in STATUS:
        if row["code"] == 0:
            continue
        cls = meshauth.error_class(row["name"])
        assert cls is meshauth.error_class(row["code"])
        assert cls is getattr(meshauth.errors, row["name"])
        e = cls(row["message"])
        assert (e.code, e.status, str(e)) == (row["name"], row["code"], row["message"])
        assert isinstance(e, meshauth.MeshAuthError)
        assert e.http_status == (403 if row["name"] == "JwtAudienceNotAllowed" else 401)
    # Every status of the core table (including meshauth's own, >= 73) has a class.
    table = meshauth.status_table()
    assert [r[1] for r in table[1:]] == list(meshauth.errors.STATUS_NAMES)
    assert {r["name"] for r in STATUS} <= {r[1] for r in table}


# meshauth's documented answers where they differ from the corpus (shared with the Rust and Node
# suites, so every surface expects the same statuses).
OVERRIDES = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "attack_overrides.json").read_text()
)["overrides"]


def attack_cases():
    return [pytest.param(c, id=c["id"]) for c in ATTACKS["cases"]]


def attack_expected(c):
    """(outcome, status): the case's own, or meshauth's override."""
    o = OVERRIDES.get(c["id"], c)
    return o["expect"], o["status"]


@pytest.mark.parametrize("case", attack_cases())
def test_jwt_attacks(case):
    val = ATTACKS["validation"]
    doc = case["jwks_inline"] if "jwks_inline" in case else ATTACKS["jwks"][case["jwks"]]

    def run():
        jwks = meshauth.Jwks.from_json(json.dumps(doc))
        meshauth.verify(
            case["token"],
            jwks,
            issuer=val["issuer"],
            audiences=val["audiences"],
            clock_skew=val["clock_skew"],
            now=val["now"],
        )

    expect, want = attack_expected(case)
    try:
        meshauth.Jwks.from_json(json.dumps(doc))
    except meshauth.MeshAuthError as e:
        # Envoy answers JwksNoValidKeys when the provider's key set did not load; the set's own
        # status is the first refused key's (`jwks_status` when it names a status).
        assert want == "JwksNoValidKeys", e.code
        if case.get("jwks_status") in {r[1] for r in meshauth.status_table()}:
            assert e.code == case["jwks_status"]
        assert isinstance(e, meshauth.InvalidKeyError)
        return
    got = outcome(run)
    assert got == want
    assert (got == "Ok") == (expect == "accept")


def test_attack_corpus_is_complete():
    assert len(attack_cases()) == 167
    assert set(OVERRIDES) <= {c["id"] for c in ATTACKS["cases"]}


PROJECT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"
EXTRA = json.loads((PROJECT / "extra_attacks.json").read_text())
EXTRA_KEYS = json.loads((PROJECT / "attacks_extra_keys.json").read_text())


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in EXTRA["cases"]])
def test_extra_attacks(case):
    # HS256 over the case's claims with a 32-byte key of 0x07 bytes, signed by Python's hmac.
    key = bytes([7]) * 32
    signed = b64url(b'{"alg":"HS256"}') + "." + b64url(case["claims"].encode())
    mac = hmac.new(key, signed.encode(), hashlib.sha256).digest()
    token = signed + "." + b64url(mac) + case.get("append_to_signature", "")
    jwks = meshauth.Jwks.from_json(json.dumps({"keys": [{"kty": "oct", "k": b64url(key)}]}))
    got = outcome(
        lambda: meshauth.verify(
            token,
            jwks,
            issuer=case.get("issuer"),
            audiences=case.get("audiences"),
            now=case.get("now", 1_700_000_000),
        )
    )
    assert got == case["status"]


def extra_keys_token(case) -> bytes:
    if "token_hex" in case:
        return bytes.fromhex(case["token_hex"])
    if "token_repeat" in case:
        r = case["token_repeat"]
        return (r["unit"] * r["count"]).encode()
    return case["token"].encode()


def extra_keys_set(case):
    if "pem" in case:
        return meshauth.Jwks.from_pem(EXTRA_KEYS["pem"][case["pem"]])
    doc = case["jwks_inline"] if "jwks_inline" in case else EXTRA_KEYS["jwks"][case["jwks"]]
    return meshauth.Jwks.from_json(json.dumps(doc))


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in EXTRA_KEYS["cases"]])
def test_attacks_extra_keys(case):
    val = EXTRA_KEYS["validation"]
    jwks = []
    load = outcome(lambda: jwks.append(extra_keys_set(case)))
    assert load == case.get("jwks_status", "Ok")
    if load != "Ok":
        assert case["status"] == "JwksNoValidKeys"
        return
    got = outcome(
        lambda: meshauth.verify(
            extra_keys_token(case),
            jwks[0],
            issuer=val["issuer"],
            audiences=val["audiences"],
            clock_skew=val["clock_skew"],
            now=val["now"],
        )
    )
    assert got == case["status"]
    assert (got == "Ok") == (case["expect"] == "accept")


def test_project_catalogues_are_complete():
    assert len(EXTRA["cases"]) == 75
    assert len(EXTRA_KEYS["cases"]) == 97
    assert sum(c["expect"] == "accept" for c in EXTRA_KEYS["cases"]) >= 6
