"""The shared vectors through Python: same statuses as the Rust tests expect.

* ``jwt_verify_lib/verify.json``: every non-mutated ``verifyJwt``/``verifyJwtWithAudiences``
  case (with its ``strict_expect*`` where tagged with a divergence, and its
  ``strict_equivalent`` rewrite giving the original answer);
* ``jwt_verify_lib/status.json``: every status has an exception with that code and message;
* ``security/jwt_attacks.json``: every case's ``status``, except ``b64-sig-padded`` (meshauth
  accepts exact padding, for Envoy parity) and the one ``policy`` case. Where the case pins
  Envoy's answer (``envoy_status`` starting with a status name) the core's Envoy-parity answer is accepted
  too; where the key set is refused at load time, the per-key status (``jwks_status``, or any
  ``Jwks*`` status when that field is a description) stands for ``JwksNoValidKeys``;
  ``token-over-16KiB`` may use the dedicated ``JwtTooLarge`` (the case's note allows it);
  ``VECTOR_ISSUES`` lists cases whose stated premise is false (checked by a test).
"""

import json

import pytest

import meshauth
from conftest import load_vectors

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


# Vector data issues (reported to the corpus owner): the case's premise is false.
# b64-sig-length-mod4-1: "append one A (length = 1 mod 4)" was applied to a 43-character
# signature, giving 44 characters (0 mod 4): valid base64url for 33 bytes, so the token is
# rejected by the signature check (JwtVerificationFail), not by base64 decoding.
VECTOR_ISSUES = {"b64-sig-length-mod4-1": "JwtVerificationFail"}


def test_vector_issue_premise():
    import base64

    case = next(c for c in ATTACKS["cases"] if c["id"] == "b64-sig-length-mod4-1")
    sig = case["token"].rsplit(".", 1)[1]
    assert len(sig) % 4 == 0  # not the impossible length the case claims
    raw = base64.urlsafe_b64decode(sig)
    assert len(raw) == 33 and base64.urlsafe_b64encode(raw).decode() == sig


def attack_cases():
    return list(_attack_cases())


def _attack_cases():
    for c in ATTACKS["cases"]:
        if c["expect"] == "policy":
            continue
        yield pytest.param(c, id=c["id"])


STATUS_NAMES = {r[1] for r in meshauth.status_table()}


def attack_expected(c):
    """The set of acceptable statuses (see the module docstring)."""
    if c["id"] == "b64-sig-padded":
        return {"Ok"}  # exact padding is accepted, for Envoy parity
    want = {c["status"]}
    envoy = (c.get("envoy_status") or "").split(" ")[0]  # "JwtBadFormat (why ...)"
    if envoy in STATUS_NAMES and envoy != "Ok":
        want.add(envoy)
    if c["id"] in VECTOR_ISSUES:
        want = {VECTOR_ISSUES[c["id"]]}
    if c["id"] == "token-over-16KiB":
        want.add("JwtTooLarge")
    return want


def load_status(c):
    """Statuses standing for JwksNoValidKeys when the key set is refused at load time."""
    js = c.get("jwks_status", "")
    if js in STATUS_NAMES:
        return {js}
    return {n for n in STATUS_NAMES if n.startswith("Jwks")}


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

    want = attack_expected(case)
    try:
        meshauth.Jwks.from_json(json.dumps(doc))
    except meshauth.MeshAuthError as e:
        assert case["status"] == "JwksNoValidKeys", e.code
        assert e.code in load_status(case)
        assert isinstance(e, meshauth.InvalidKeyError)
        return
    got = outcome(run)
    assert got in want
    assert (got == "Ok") == (case["expect"] == "accept" or case["id"] == "b64-sig-padded")


def test_attack_corpus_is_complete():
    ids = [c.id for c in attack_cases()]
    assert len(ids) == len(ATTACKS["cases"]) - 1 and len(ids) >= 160
