"""JWKS comparison and thumbprints, certificate facts, rotation timing and trust bundles.

Expected values: the shared vectors (Istio's compareJWKSResponse cases with the answers issue #4
gives them, as restated in core/tests/jwks_compare.rs; RFC 7638; x509/expected.json), Istio's
TestRotateTimeNoJitter rows, and ``cryptography`` for the bundle contents.
"""

import base64
import datetime
import json

import pytest
from conftest import load_vectors, shared_dir

import meshauth
from meshauth import errors

# --- JWKS comparison ---------------------------------------------------------------------------

#: The answer meshauth gives each case of compare_jwks_response_cases.json: True/False
#: (changed) or the status name raised. The same table as core/tests/jwks_compare.rs `expected`.
JWKS_CHANGED_EXPECTED = {
    "testEquivalentStrings": False,
    "testReorderedKeys": False,
    "testBothNoKidSame": False,
    "testBothExtraElements": False,
    "testDifferentKeys": True,
    "testOldJsonParseFailure": True,
    "testNewNoKid": True,
    "testOldNoKid": True,
    "testBothNoKidDifferent": True,
    "testOldNoKeys": True,
    "testNewExtraElements": True,
    "testOldExtraElements": True,
    "testNewJsonParseFailure": "JwksParseError",
    "testNewNoKeys": "JwksNoKeys",
    "testBothNoKeysSame": "JwksNoKeys",
    "testBothNoKeysDifferent": "JwksNoKeys",
    "cyclic_less_same_set_permuted": False,
    "nokid_same_member_count_swapped": False,
    "duplicate_kid_swapped": False,
    "number_1_vs_1e0": False,
    "member_order_and_whitespace": False,
    "unicode_escape_vs_literal": False,
    "bigint_beyond_2pow53": True,
    "duplicate_member_last_wins": "JwksParseError",
    "toplevel_member_outside_keys": True,
    "new_is_null": "JwksParseError",
    "new_is_array": "JwksParseError",
    "new_is_empty_string": "JwksParseError",
    "old_is_empty_string": True,
    "both_no_keys_same_content_other_whitespace": "JwksNoKeys",
    "keys_is_object_on_both_sides": "JwksBadKeys",
    "non_object_entries_reordered": "JwksKeyNotObject",
    "identical_garbage": "JwksParseError",
}


def _compare_cases():
    v = load_vectors("istio-samples/compare_jwks_response_cases.json")
    fixtures = v["fixtures"]
    cases = [
        (c["name"], fixtures.get(c["old"], c["old"]), fixtures.get(c["new"], c["new"]))
        for c in v["upstream_cases"]
    ]
    cases += [(c["name"], c["old"], c["new"]) for c in v["quirk_cases"]]
    return cases


def test_compare_cases_cover_the_table():
    names = [c[0] for c in _compare_cases()]
    assert len(names) == 33
    assert sorted(names) == sorted(JWKS_CHANGED_EXPECTED)


@pytest.mark.parametrize("name,old,new", _compare_cases(), ids=lambda x: x if isinstance(x, str) and len(x) < 60 else "")
def test_jwks_changed_istio_cases(name, old, new):
    want = JWKS_CHANGED_EXPECTED[name]
    if isinstance(want, bool):
        assert meshauth.jwks_changed(old, new) is want
        assert meshauth.jwks_changed(old.encode(), new.encode()) is want
    else:
        with pytest.raises(errors.error_class(want)) as ei:
            meshauth.jwks_changed(old, new)
        assert ei.value.code == want


RSA_A = {"kty": "RSA", "n": "a", "e": "AQAB"}
RSA_B = {"kty": "RSA", "n": "b", "e": "AQAB"}


def test_jwks_changed_accepts_dicts_and_none():
    doc = {"keys": [{"kid": "k", **RSA_A}, RSA_B]}
    same = json.dumps({"keys": [RSA_B, {"kid": "k", **RSA_A}]}, indent=3)
    assert meshauth.jwks_changed(doc, same) is False
    assert meshauth.jwks_changed(None, doc) is True
    assert meshauth.jwks_changed(doc, {"keys": [RSA_B]}) is True
    with pytest.raises(TypeError):
        meshauth.jwks_changed(doc, 5)


def test_canonical_jwks():
    # Members sorted, no whitespace, keys sorted by canonical text (worked by hand).
    doc = '{ "keys" : [ {"n":"b","kty":"RSA","e":"AQAB"}, {"e":"AQAB","n":"a","kty":"RSA"} ] }'
    want = '{"keys":[{"e":"AQAB","kty":"RSA","n":"a"},{"e":"AQAB","kty":"RSA","n":"b"}]}'
    assert meshauth.canonical_jwks(doc) == want
    assert meshauth.canonical_jwks(json.loads(doc)) == want
    with pytest.raises(errors.JwksNoKeys):
        meshauth.canonical_jwks("{}")


def _rfc7638_vectors():
    v = load_vectors("rfc7638.json")
    return [v] + v["additional"]


@pytest.mark.parametrize("vec", _rfc7638_vectors(), ids=lambda v: v["jwk"]["kty"])
def test_jwk_thumbprint_rfc7638(vec):
    want = vec["thumbprint_sha256_b64url"]
    assert base64.urlsafe_b64decode(want + "=").hex() == vec["sha256_hex"]
    jwk = vec["jwk"]
    assert meshauth.jwk_thumbprint(jwk) == want
    assert meshauth.jwk_thumbprint(json.dumps(jwk)) == want
    assert meshauth.jwk_thumbprint(json.dumps(jwk).encode()) == want
    # kid, use and member order do not change it.
    other = dict(reversed(list({**jwk, "kid": "other", "use": "sig"}.items())))
    assert meshauth.jwk_thumbprint(other) == want


def test_jwk_thumbprint_errors():
    with pytest.raises(errors.JwksRSAKeyMissingN):
        meshauth.jwk_thumbprint({"kty": "RSA", "e": "AQAB"})
    with pytest.raises(errors.JwksMissingKty):
        meshauth.jwk_thumbprint({"n": "a"})
    with pytest.raises(errors.JwksParseError):
        meshauth.jwk_thumbprint("[1]")
    with pytest.raises(meshauth.InvalidKeyError):
        meshauth.jwk_thumbprint("{not json")


def test_jwks_diff_names_by_kid_or_thumbprint():
    old = {"keys": [{"kid": "k1", **RSA_A}, {"kid": "k2", **RSA_A}, RSA_A, RSA_B]}
    new = {
        "keys": [
            {"kid": "k2", **RSA_B},
            {"kid": "k3", **RSA_A},
            {**RSA_A, "use": "sig"},
        ]
    }
    tp = lambda jwk: "thumbprint:" + meshauth.jwk_thumbprint(jwk)  # noqa: E731
    d = meshauth.jwks_diff(old, new)
    assert d["changed"] is True
    assert d["added"] == ["k3"]
    assert sorted(d["removed"]) == sorted(["k1", tp(RSA_B)])
    assert sorted(d["modified"]) == sorted(["k2", tp(RSA_A)])
    same = meshauth.jwks_diff(new, json.dumps(new))
    assert same == {"changed": False, "added": [], "removed": [], "modified": []}
    # An unusable old set is empty; an unusable new one raises.
    assert meshauth.jwks_diff(None, {"keys": [{"kid": "a", **RSA_A}]})["added"] == ["a"]
    with pytest.raises(errors.JwksNoKeys):
        meshauth.jwks_diff(old, {"nokeys": []})


# --- certificates --------------------------------------------------------------------------------


def _x509(name: str) -> bytes:
    return (shared_dir() / "vectors" / "x509" / name).read_bytes()


def _x509_expected():
    return json.loads(_x509("expected.json"))


REJECT_STATUS = {
    "istio_cert-parse-fail.pem": "CertBadPem",
    "x509-parser_no_end.pem": "CertBadPem",
    "istio_root-ca-bundle-with-graceful-failures.pem": "CertMalformed",
}


@pytest.mark.parametrize("name", sorted(_x509_expected()))
def test_cert_info_vectors(name):
    want = _x509_expected()[name]
    want = want if isinstance(want, list) else [want]
    data = _x509(name)
    expects = {w["expect"] for w in want}
    if expects - {"parse", "parse_or_skip"}:
        status = REJECT_STATUS.get(name, "CertMalformed")
        with pytest.raises(errors.error_class(status)):
            meshauth.cert_info(data)
        return
    got = meshauth.cert_info(data)
    assert len(got) == len(want)
    for w, c in zip(want, got):
        assert c.not_before == w["not_before_unix"]
        assert c.not_after == w["not_after_unix"]
        assert c.subject == w["subject"]
        for attr, key in (("not_before_dt", "not_before_rfc3339"), ("not_after_dt", "not_after_rfc3339")):
            dt = getattr(c, attr)
            assert dt.tzinfo is not None and dt.utcoffset() == datetime.timedelta(0)
            assert dt == datetime.datetime.fromisoformat(w[key].replace("Z", "+00:00"))
    assert meshauth.cert_expiry(data) == want[0]["not_after_unix"]


def test_cert_info_fields_against_cryptography():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    data = _x509("istio_ecc-int2-cert-chain.pem")
    ours = meshauth.cert_info(data.decode())
    theirs = x509.load_pem_x509_certificates(data)
    assert len(ours) == len(theirs) == 3
    for o, t in zip(ours, theirs):
        assert o.fingerprint == t.fingerprint(hashes.SHA256()).hex()
        assert int(o.serial, 16) == t.serial_number
        try:
            bc = t.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            bc = False
        assert o.is_ca is bc
        try:
            san = t.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            dns = san.get_values_for_type(x509.DNSName)
            uris = [u for u in san.get_values_for_type(x509.UniformResourceIdentifier) if u.startswith("spiffe://")]
        except x509.ExtensionNotFound:
            dns, uris = [], []
        assert o.dns_names == dns
        assert o.spiffe_id == (uris[0] if uris else None)
        assert isinstance(o.issuer, str) and o.issuer
    assert "CertInfo" in repr(ours[0])


def test_cert_errors():
    with pytest.raises(errors.CertNotFound):
        meshauth.cert_info(b"no certificate here")
    with pytest.raises(errors.CertBadPem):
        meshauth.cert_expiry(_x509("istio_cert-parse-fail.pem"))
    with pytest.raises(TypeError):
        meshauth.cert_info(123)


# --- rotation ------------------------------------------------------------------------------------

NOW = 1_700_000_000
MIN = 60
HOUR = 3600

#: Istio TestRotateTimeNoJitter: (name, created, expire, ratio, expected delay seconds).
ISTIO_NO_JITTER = [
    ("already expired", NOW - 2, NOW - 1, 0.5, 0),
    ("grace period .50", NOW, NOW + HOUR, 0.5, 30 * MIN),
    ("grace period .25", NOW, NOW + HOUR, 0.25, 45 * MIN),
    ("grace period .75", NOW, NOW + HOUR, 0.75, 15 * MIN),
    ("grace period 1", NOW, NOW + HOUR, 1.0, 0),
    ("grace period 0", NOW, NOW + HOUR, 0.0, HOUR),
    ("grace period .25 shifted", NOW + 30 * MIN, NOW + 90 * MIN, 0.25, 75 * MIN),
    ("jitter cannot make grace ratio exceed 1", NOW, NOW + HOUR, 1.0, 0),
]


@pytest.mark.parametrize("name,created,expire,ratio,want", ISTIO_NO_JITTER, ids=[r[0] for r in ISTIO_NO_JITTER])
def test_rotation_istio_no_jitter(name, created, expire, ratio, want):
    got = meshauth.rotation_delay(NOW, created, expire, ratio)
    assert got == want and isinstance(got, int)


def test_rotation_istio_with_jitter_bounds_and_worked_values():
    # TestRotateTimeWithJitter: (ratio, jitter, min delay, max delay) for a 1 h certificate.
    rows = [(1.0, 0.5, 0, 30 * MIN), (0.5, 0.5, 0, HOUR), (0.0, 0.5, 30 * MIN, HOUR)]
    for ratio, jitter, lo, hi in rows:
        for u in (0.0, 0.5, 0.999999):
            for sign in (1, -1):
                d = meshauth.rotation_delay(NOW, NOW, NOW + HOUR, ratio, jitter=jitter, draw=(sign, u))
                assert lo <= d <= hi
        for _ in range(20):  # random draws from Python's random
            assert lo <= meshauth.rotation_delay(NOW, NOW, NOW + HOUR, ratio, jitter=jitter) <= hi
    # ratio 1, jitter .5, u .5, sign -1 -> r .75 -> 15 min; ratio 0, sign +1 -> r .25 -> 45 min.
    assert meshauth.rotation_delay(NOW, NOW, NOW + HOUR, 1.0, jitter=0.5, draw=(-1, 0.5)) == 15 * MIN
    assert meshauth.rotation_delay(NOW, NOW, NOW + HOUR, 0.0, jitter=0.5, draw=(1, 0.5)) == 45 * MIN
    # 64-bit draws: top bit clear = +1, low 53 bits 2^52 -> u = .5.
    assert meshauth.rotation_delay(NOW, NOW, NOW + HOUR, 0.0, jitter=0.5, draw=1 << 52) == 45 * MIN


def test_rotation_fractional_seconds_and_errors():
    # 3 s lifetime, half -> 1.5 s after creation.
    assert meshauth.rotation_delay(NOW, NOW, NOW + 3) == 1.5
    assert meshauth.rotation_delay(NOW + 0.25, NOW, NOW + 3) == 1.25
    with pytest.raises(errors.RotationInvalidInput):
        meshauth.rotation_delay(NOW, NOW, NOW)  # expire must be after created
    with pytest.raises(errors.RotationInvalidInput):
        meshauth.rotation_delay(NOW, NOW, NOW + 10, 1.5)
    with pytest.raises(errors.RotationInvalidInput):
        meshauth.rotation_delay(NOW, NOW, NOW + 10, jitter=0.1, draw=(2, 0.5))
    with pytest.raises(errors.RotationInvalidInput):
        meshauth.rotation_delay(float("nan"), NOW, NOW + 10)


# --- trust bundles -------------------------------------------------------------------------------


def _canonical_pem(der: bytes) -> str:
    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def test_merge_trust_bundles_by_certificate():
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    a = _x509("istio_ecc-int2-cert-chain.pem")
    b = _x509("go_testcert_localhost.pem")
    crlf = a.replace(b"\n", b"\r\n")
    ders = {c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(a + b"\n" + b)}
    want = "".join(sorted(_canonical_pem(d) for d in ders)).encode()
    got = meshauth.merge_trust_bundles(a, b, crlf, b)
    assert isinstance(got, bytes)
    assert got == want
    assert meshauth.merge_trust_bundles(b, a) == want
    assert meshauth.merge_trust_bundles(got) == got
    assert meshauth.merge_trust_bundles() == b""


def test_merge_trust_bundles_invalid_blocks():
    good = _x509("go_testcert_localhost.pem")
    bad = _x509("istio_cert-parse-fail.pem")
    with pytest.raises(errors.CertBadPem) as ei:
        meshauth.merge_trust_bundles(good, bad)
    assert "bundle 1" in str(ei.value)
    assert meshauth.merge_trust_bundles(good, bad, strict=False) == meshauth.merge_trust_bundles(good)
