#!/usr/bin/env python3
"""Generates tests/vectors/attacks_extra_keys.json: attack cases that need keys or bytes beyond
the HS256-over-claims format of extra_attacks.json (ES384/ES512 psychic and high-S signatures,
off-curve and wrong-curve EC keys, RSA exponents, PEM and X.509 key forms, embedded header keys,
empty HMAC keys, NUL bytes, invalid UTF-8, many dots, JWS JSON serialization).

Every expected status is set here by construction from DESIGN.md §3 and the corpus rules
(security-corpus.md), never read back from meshauth. Needs Python `cryptography`. The ECDSA
signatures are randomized, so a rerun changes the tokens but not the cases. Run from the repo
root: python3 tools/gen_attack_keys.py
"""
import base64
import datetime
import hashlib
import hmac
import json
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.x509.oid import NameOID


def b64(b):
    if isinstance(b, str):
        b = b.encode()
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jenc(o):
    return json.dumps(o, separators=(",", ":"))


def i2b(i, n):
    return i.to_bytes(n, "big")


NOW = 1800000000
P0 = jenc({"iss": "https://issuer.example", "sub": "alice", "aud": "meshauth-test",
           "iat": 1700000000, "exp": 4102444800})
# RFC 7515 A.1 oct key (corpus hs-1); RFC 8037 A.1 Ed25519 key (corpus ed-1).
HS_K = unb64("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
ED = ed25519.Ed25519PrivateKey.from_private_bytes(unb64("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"))
# Fixed private scalars (test keys generated for this file; only public parts are written).
P384 = ec.derive_private_key(int.from_bytes(hashlib.sha384(b"meshauth-p384").digest(), "big") >> 8, ec.SECP384R1())
P521 = ec.derive_private_key(int.from_bytes(hashlib.sha512(b"meshauth-p521").digest(), "big"), ec.SECP521R1())
P256 = ec.derive_private_key(int.from_bytes(hashlib.sha256(b"meshauth-p256").digest(), "big") >> 8, ec.SECP256R1())
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER = b"attacker-chosen-hmac-secret-0123"
ORDER = {
    "P-256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "P-384": 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    "P-521": int("01FF" + "FFFFFFFF" * 7 + "FFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409", 16),
}
FIELD = {"P-256": 32, "P-384": 48, "P-521": 66}
HASH = {"ES256": hashes.SHA256(), "ES384": hashes.SHA384(), "ES512": hashes.SHA512()}


def ec_jwk(key, crv, kid=None, alg=None, dy=0):
    nums = key.public_key().public_numbers()
    f = FIELD[crv]
    j = {"kty": "EC"}
    if kid:
        j["kid"] = kid
    if alg:
        j["alg"] = alg
    j.update({"crv": crv, "x": b64(i2b(nums.x, f)), "y": b64(i2b(nums.y + dy, f))})
    return j


def rsa_jwk(key, kid="rsa-x", alg="RS256", e=None):
    nums = key.public_key().public_numbers()
    j = {"kty": "RSA", "kid": kid}
    if alg:
        j["alg"] = alg
    j["n"] = b64(i2b(nums.n, key.key_size // 8))
    j["e"] = e if e is not None else b64(i2b(nums.e, 3))
    return j


def si(h, p=P0):
    hs = h if isinstance(h, (bytes, str)) and not isinstance(h, dict) else jenc(h)
    return b64(hs) + "." + b64(p)


def hs(h, key, p=P0, digest=hashlib.sha256):
    s = si(h, p)
    return s + "." + b64(hmac.new(key, s.encode(), digest).digest())


def es_raw(key, alg, crv, data):
    der = key.sign(data, ec.ECDSA(HASH[alg]))
    r, s = utils.decode_dss_signature(der)
    return r, s


def es(key, alg, crv, h, p=P0, mutate=None):
    s = si(h, p)
    r, sv = es_raw(key, alg, crv, s.encode())
    f = FIELD[crv]
    sig = i2b(r, f) + i2b(sv, f)
    if mutate:
        sig = mutate(r, sv, f)
    return s + "." + b64(sig)


def pem_of(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def self_signed(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "meshauth attack test")])
    t0 = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(t0).not_valid_after(t0 + datetime.timedelta(days=3650))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


HS1 = {"kty": "oct", "kid": "hs-1", "alg": "HS256", "k": b64(HS_K)}
ED1 = {"kty": "OKP", "kid": "ed-1", "alg": "EdDSA", "crv": "Ed25519",
       "x": b64(ED.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))}
EC384 = ec_jwk(P384, "P-384", "ec384", "ES384")
EC521 = ec_jwk(P521, "P-521", "ec521", "ES512")
jwks = {
    "ec": {"keys": [EC384, EC521]},
    "ec_no_alg": {"keys": [ec_jwk(P384, "P-384"), ec_jwk(P521, "P-521")]},
    "p521_only_no_alg": {"keys": [ec_jwk(P521, "P-521")]},
    "hs_and_asym": {"keys": [HS1, rsa_jwk(RSA), EC384, ED1]},
}
pem = {"rsa": pem_of(RSA), "p384": pem_of(P384), "p521": pem_of(P521), "ed25519": pem_of(ED)}
x509_map = {"x509-rsa": self_signed(RSA)}
cases = []


def case(id_, token, status, cite, note=None, **kw):
    c = {"id": id_, "expect": "accept" if status == "Ok" else "reject", "status": status}
    if isinstance(token, bytes):
        c["token_hex"] = token.hex()
    elif isinstance(token, dict):
        c["token_repeat"] = token
    else:
        c["token"] = token
    c.update(kw)
    c["cite"] = cite
    if note:
        c["note"] = note
    cases.append(c)


H384 = {"alg": "ES384", "kid": "ec384"}
H512 = {"alg": "ES512", "kid": "ec521"}
WY = "CVE-2022-21449; SEC 1 §4.1.4 (1 <= r, s <= n-1)"
for alg, crv, h in (("ES384", "P-384", H384), ("ES512", "P-521", H512)):
    key = P384 if crv == "P-384" else P521
    f, n = FIELD[crv], ORDER[crv]
    lo = alg.lower()
    case(f"{lo}-valid", es(key, alg, crv, h), "Ok", "RFC 7518 §3.4 (control)", jwks="ec")
    case(f"{lo}-psychic-r0-s0", si(h) + "." + b64(bytes(2 * f)), "JwtVerificationFail", WY, jwks="ec")
    case(f"{lo}-psychic-r-n-s-n", es(key, alg, crv, h, mutate=lambda r, s, f, n=n: i2b(n, f) * 2),
         "JwtVerificationFail", WY, jwks="ec")
    case(f"{lo}-psychic-r1-s1", es(key, alg, crv, h, mutate=lambda r, s, f: i2b(1, f) * 2),
         "JwtVerificationFail", WY, jwks="ec")
    hi = es(key, alg, crv, h, mutate=lambda r, s, f, n=n: i2b(r, f) + i2b(n - s, f))
    hs_, _, hsig = hi.rpartition(".")
    raw = unb64(hsig)
    key.public_key().verify(utils.encode_dss_signature(int.from_bytes(raw[:f], "big"), int.from_bytes(raw[f:], "big")),
                            hs_.encode(), ec.ECDSA(HASH[alg]))  # the order is right: high-S verifies
    case(f"{lo}-high-s", es(key, alg, crv, h, mutate=lambda r, s, f, n=n: i2b(r, f) + i2b(n - s, f)),
         "Ok", "RFC 7518 §3.4 has no low-S rule (security-corpus.md §3: high-S is accepted)", jwks="ec")
    case(f"{lo}-der-encoded", es(key, alg, crv, h, mutate=lambda r, s, f: utils.encode_dss_signature(r, s)),
         "JwtVerificationFail", "RFC 7518 §3.4; D2 (raw r||s only)", jwks="ec")
    case(f"{lo}-len-minus-1", es(key, alg, crv, h, mutate=lambda r, s, f: (i2b(r, f) + i2b(s, f))[1:]),
         "JwtVerificationFail", "D2: exactly 2 x field size", jwks="ec")
    case(f"{lo}-len-plus-1", es(key, alg, crv, h, mutate=lambda r, s, f: i2b(r, f) + i2b(s, f) + b"\0"),
         "JwtVerificationFail", "D2: exactly 2 x field size", jwks="ec")
    case(f"{lo}-halves-padded", es(key, alg, crv, h, mutate=lambda r, s, f: i2b(r, f + 1) + i2b(s, f + 1)),
         "JwtVerificationFail", "D2; Wycheproof SignatureTooLong", jwks="ec")
case("es512-len-130-stripped", es(P521, "ES512", "P-521", H512, mutate=lambda r, s, f: i2b(r, 66)[1:] + i2b(s, 66)[1:]),
     "JwtVerificationFail", "security-corpus.md §3: 130/131-byte ES512 signatures are rejected, not padded", jwks="ec")
case("es384-sig-labelled-es512", es(P384, "ES384", "P-384", {"alg": "ES512", "kid": "ec384"}),
     "JwksKidAlgMismatch", "RFC 8725 §3.1; the key's alg is ES384", jwks="ec")
case("es384-header-p521-key-no-alg", es(P521, "ES384", "P-521", {"alg": "ES384"}),
     "JwksKidAlgMismatch", "D3: ES384 needs a P-384 key; CVE-2022-23539 class", jwks="p521_only_no_alg")
case("es256-header-p384-key-no-alg", es(P384, "ES256", "P-384", {"alg": "ES256"}),
     "JwksKidAlgMismatch", "D3: an EC key is tried only for the ES alg of its curve", jwks="ec_no_alg")

# EC keys off the curve or on the wrong curve (key refused at load).
tok384 = es(P384, "ES384", "P-384", H384)
tok521 = es(P521, "ES512", "P-521", H512)
for id_, key, tok, status in (
    ("p384-point-off-curve", ec_jwk(P384, "P-384", "ec384", "ES384", dy=1), tok384, "JwksEcParseError"),
    ("p521-point-off-curve", ec_jwk(P521, "P-521", "ec521", "ES512", dy=1), tok521, "JwksEcParseError"),
    ("p384-point-zero", dict(ec_jwk(P384, "P-384", "ec384", "ES384"), x=b64(bytes(48)), y=b64(bytes(48))), tok384, "JwksEcParseError"),
    ("p384-coords-declared-p256", dict(ec_jwk(P384, "P-384", "ec384"), crv="P-256"), tok384, "JwksEcParseError"),
    ("p256-coords-declared-p384", dict(ec_jwk(P256, "P-256", "ec384"), crv="P-384"), tok384, "JwksEcParseError"),
    ("p521-key-alg-es256", dict(ec_jwk(P521, "P-521", "ec521"), alg="ES256"), tok521, "JwksECKeyAlgNotCompatibleWithCrv"),
    ("p384-key-alg-es512", dict(ec_jwk(P384, "P-384", "ec384"), alg="ES512"), tok384, "JwksECKeyAlgNotCompatibleWithCrv"),
    ("ec-crv-secp256k1", dict(ec_jwk(P256, "P-256", "ec384"), crv="secp256k1"), tok384, "JwksECKeyAlgOrCrvUnsupported"),
):
    cite = "RFC 8725 §3.4; RFC 7518 §6.2.1 (the point must be on the named curve)"
    case(id_, tok, "JwksNoValidKeys", cite, jwks_inline={"keys": [key]}, jwks_status=status)

# RSA exponents other than 3 and 65537 (e = 1 forgery: the signature is the padded digest).
rsa_tok = "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS14In0." + b64(P0) + ".AA"
for id_, e in (("rsa-e-1-alg-ps256", "AQ"), ("rsa-e-0", "AA"), ("rsa-e-2", "Ag"), ("rsa-e-1-leading-zeros", "AAAB")):
    j = rsa_jwk(RSA, e=e, alg="PS256" if "ps256" in id_ else "RS256")
    case(id_, rsa_tok, "JwksNoValidKeys", "RFC 8017 §3.1 (e >= 3); ring requires e >= 3",
         jwks_inline={"keys": [j]}, jwks_status="JwksRsaParseError")
n = RSA.public_key().public_numbers().n
em = b"\x00\x01" + b"\xff" * (256 - 3 - 51) + b"\x00" + bytes.fromhex("3031300d060960864801650304020105000420")
forge_si = si({"alg": "RS256", "kid": "rsa-x"})
forged = forge_si + "." + b64(em + hashlib.sha256(forge_si.encode()).digest())
case("rsa-e-1-forgery-fresh-key", forged, "JwksNoValidKeys",
     "RFC 8017 §3.1; Wycheproof JWK tcId 9", jwks_inline={"keys": [rsa_jwk(RSA, e="AQ")]},
     jwks_status="JwksRsaParseError", note="with e = 1 this EMSA-PKCS1-v1_5 block would verify")

# A key with the ROCA fingerprint (Infineon RSALib, factorable), with the token Wycheproof signs
# with it (json_web_crypto_test.json tcId 46: a valid signature, so only the key check refuses it).
with open(os.path.join(os.environ.get("MESHAUTH_SHARED", "../shared"),
                       "vectors/wycheproof/json_web_crypto_test.json")) as f:
    for g in json.load(f)["testGroups"]:
        for t in g["tests"]:
            if t["tcId"] == 46:
                roca_key, roca_jws = g["public"], t["jws"]
case("rsa-roca-fingerprint", roca_jws, "JwksNoValidKeys",
     "CVE-2017-15361; Wycheproof JWK tcId 7 and JOSE crypto tcId 46 (rejectsKeyWithRocaVulnerability)",
     jwks_inline={"keys": [roca_key]}, jwks_status="JwksRsaKeyRocaVulnerable")

# Algorithm confusion with the key given as PEM (Jwks::from_pem) and as an X.509 map.
for name in ("rsa", "p384", "p521", "ed25519"):
    text = pem[name]
    for variant, secret in (("pem", text), ("pem-no-final-newline", text.rstrip("\n")),
                            ("pem-leading-space", " " + text)):
        case(f"hs256-secret-{name}-{variant}-from-pem", hs({"alg": "HS256"}, secret.encode()),
             "JwksKidAlgMismatch", "CVE-2015-9235, CVE-2023-48223, CVE-2026-34950; D3", pem=name)
    der = serialization.load_pem_public_key(text.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    case(f"hs256-secret-{name}-spki-der-from-pem", hs({"alg": "HS256"}, der), "JwksKidAlgMismatch",
         "CVE-2015-9235; D3", pem=name)
    case(f"hs256-secret-empty-from-pem-{name}", hs({"alg": "HS256"}, b""), "JwksKidAlgMismatch",
         "CVE-2026-44699 (alg-less key, empty-key MAC)", pem=name)
ssh = RSA.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
case("hs256-secret-rsa-openssh-from-pem", hs({"alg": "HS256"}, ssh), "JwksKidAlgMismatch",
     "CVE-2022-29217, CVE-2024-33663", pem="rsa")
ssh_ec = P384.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
case("hs256-secret-p384-openssh-from-pem", hs({"alg": "HS256"}, ssh_ec), "JwksKidAlgMismatch",
     "CVE-2024-33663 (OpenSSH ECDSA key as HMAC secret)", pem="p384")
case("hs256-secret-cert-pem-x509-map", hs({"alg": "HS256", "kid": "x509-rsa"}, x509_map["x509-rsa"].encode()),
     "JwksKidAlgMismatch", "CVE-2015-9235 (certificate input); D3", jwks_inline=x509_map)
case("hs256-secret-cert-pem-x509-map-no-kid", hs({"alg": "HS256"}, x509_map["x509-rsa"].encode()),
     "JwksKidAlgMismatch", "CVE-2015-9235 (certificate input); D3", jwks_inline=x509_map)
# Larger RSA keys (controls here; core/examples/worst_case.rs uses them for the key-loop bound).
for bits in (4096, 8192):
    big = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    j = rsa_jwk(big, kid=f"rsa{bits}", alg=None)
    jwks[f"rsa{bits}"] = {"keys": [j]}
    s_ = si({"alg": "RS256", "kid": f"rsa{bits}"})
    case(f"rs256-valid-rsa{bits}", s_ + "." + b64(big.sign(s_.encode(), padding.PKCS1v15(), hashes.SHA256())), "Ok",
         "control: RSA up to 8192 bits verifies", jwks=f"rsa{bits}")
rsa_priv_sig = lambda data: RSA.sign(data, padding.PKCS1v15(), hashes.SHA256())
s = si({"alg": "RS256", "kid": "x509-rsa"})
case("rs256-valid-x509-map", s + "." + b64(rsa_priv_sig(s.encode())), "Ok", "control: the X.509 map key verifies RS256",
     jwks_inline=x509_map)
s = si({"alg": "RS256"})
case("rs256-valid-from-pem", s + "." + b64(rsa_priv_sig(s.encode())), "Ok", "control: the PEM key verifies RS256", pem="rsa")

# Keys in the token header never supply a key (the oct key is the only HS key).
att_jwk = {"kty": "oct", "k": b64(ATTACKER)}
for id_, h, status in (
    ("header-jwk-oct-kid-hs1", {"alg": "HS256", "kid": "hs-1", "jwk": att_jwk}, "JwtVerificationFail"),
    ("header-jwk-oct-no-kid", {"alg": "HS256", "jwk": att_jwk}, "JwtVerificationFail"),
    ("header-jwk-oct-kid-attacker", {"alg": "HS256", "kid": "attacker", "jwk": dict(att_jwk, kid="attacker")}, "JwksKidAlgMismatch"),
    ("header-jku-hs256-no-kid", {"alg": "HS256", "jku": "https://attacker.example/jwks.json"}, "JwtVerificationFail"),
    ("header-x5u-hs256-no-kid", {"alg": "HS256", "x5u": "https://attacker.example/c.pem"}, "JwtVerificationFail"),
    ("header-x5c-hs256-no-kid", {"alg": "HS256", "x5c": [x509_map["x509-rsa"].split("\n")[1]]}, "JwtVerificationFail"),
):
    case(id_, hs(h, ATTACKER), status, "RFC 8725 §3.10; CVE-2018-0114; CVE-2026-27962", jwks="hs_and_asym")
case("header-jwk-ed25519-attacker", si({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519",
     "x": b64(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))}})
     + "." + b64(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))).sign(si({"alg": "EdDSA"}).encode())),
     "JwtVerificationFail", "CVE-2018-0114", jwks="hs_and_asym")

# Empty HMAC keys.
empty_mac = hs({"alg": "HS256"}, b"")
case("oct-empty-k-only-key", empty_mac, "JwksNoValidKeys", "CVE-2026-44699; CVE-2026-44351 (empty key)",
     jwks_inline={"keys": [{"kty": "oct", "k": ""}]}, jwks_status="JwksOctBadBase64")
case("oct-empty-k-with-alg", empty_mac, "JwksNoValidKeys", "CVE-2026-44351",
     jwks_inline={"keys": [{"kty": "oct", "alg": "HS256", "k": ""}]}, jwks_status="JwksOctBadBase64")
case("oct-empty-k-beside-rsa", empty_mac, "JwksKidAlgMismatch", "CVE-2026-44699: the RSA key never does HS256 (D3)",
     jwks_inline={"keys": [{"kty": "oct", "k": ""}, rsa_jwk(RSA, alg=None)]})
case("oct-padding-only-k", empty_mac, "JwksNoValidKeys", "an all-padding k decodes to nothing",
     jwks_inline={"keys": [{"kty": "oct", "k": "===="}]}, jwks_status="JwksOctBadBase64")

# NUL bytes, invalid UTF-8, many dots, other shapes.
base = hs({"alg": "HS256", "kid": "hs-1"}, HS_K)
hseg, pseg, sseg = base.split(".")
case("control-baseline-hs256", base, "Ok", "control", jwks="hs_and_asym")
case("nul-in-header-segment", (hseg[:5] + "\0" + hseg[5:] + "." + pseg + "." + sseg), "JwtHeaderParseErrorBadBase64",
     "RFC 7515 §2 (base64url alphabet only)", jwks="hs_and_asym")
case("nul-after-signature", base + "\0", "JwtSignatureParseErrorBadBase64", "RFC 7515 §2", jwks="hs_and_asym")
case("nul-before-token", "\0" + base, "JwtHeaderParseErrorBadBase64", "RFC 7515 §2", jwks="hs_and_asym")
case("nul-raw-in-payload-json", hs({"alg": "HS256", "kid": "hs-1"}, HS_K, p=P0[:-1] + ',"x":"a\0b"}'),
     "JwtPayloadParseErrorBadJson", "RFC 8259 §7 (control characters must be escaped)", jwks="hs_and_asym")
case("nul-raw-in-header-json", hs('{"alg":"HS256","kid":"hs-1\0"}', HS_K), "JwtHeaderParseErrorBadJson",
     "RFC 8259 §7", jwks="hs_and_asym")
case("invalid-utf8-token-byte", (base + "\xff").encode("latin-1"), "JwtBadFormat",
     "a compact JWS is ASCII", jwks="hs_and_asym")
case("invalid-utf8-token-middle", (hseg + ".\xc3\x28" + pseg + "." + sseg).encode("latin-1"), "JwtBadFormat",
     "a compact JWS is ASCII", jwks="hs_and_asym")
s_bad = b64(b'{"alg":"HS256","kid":"hs-1"}') + "." + base64.urlsafe_b64encode(P0[:-1].encode() + b',"x":"\xff\xfe"}').rstrip(b"=").decode()
case("invalid-utf8-in-payload-json", s_bad + "." + b64(hmac.new(HS_K, s_bad.encode(), hashlib.sha256).digest()),
     "JwtPayloadParseErrorBadJson", "RFC 8259 §8.1 (UTF-8); RFC 8725 §3.7", jwks="hs_and_asym")
s_bad = base64.urlsafe_b64encode(b'{"alg":"HS256","kid":"hs-\xed\xa0\x80"}').rstrip(b"=").decode() + "." + b64(P0)
case("invalid-utf8-surrogate-in-header", s_bad + "." + b64(hmac.new(HS_K, s_bad.encode(), hashlib.sha256).digest()),
     "JwtHeaderParseErrorBadJson", "RFC 3629 (UTF-8 has no surrogates)", jwks="hs_and_asym")
case("empty-token", "", "JwtBadFormat", "RFC 7515 §7.1", jwks="hs_and_asym")
case("dots-only-2", "..", "JwtHeaderParseErrorBadJson", "two dots, three segments: unlike Envoy (which skips empty parts), the empty header is parsed and is not JSON (README: exactly two dots)", jwks="hs_and_asym")
case("many-dots-16384", {"unit": ".", "count": 16384}, "JwtBadFormat", "CVE-2025-27144", jwks="hs_and_asym")
case("many-dots-a-8000", {"unit": "a.", "count": 8000}, "JwtBadFormat", "CVE-2025-27144", jwks="hs_and_asym")
case("many-dots-over-limit", {"unit": "a.", "count": 500000}, "JwtTooLarge", "CVE-2025-27144; CVE-2025-61920 (1 MB token)", jwks="hs_and_asym")
case("valid-token-trailing-dots", base + "." * 100, "JwtBadFormat", "RFC 7515 §7.1", jwks="hs_and_asym")
case("token-exactly-16KiB-dots", {"unit": ".", "count": 16384, "prefix": ""}, "JwtBadFormat", "limit boundary: 16384 bytes is allowed in size", jwks="hs_and_asym")
case("token-16KiB-plus-1", {"unit": "A", "count": 16385}, "JwtTooLarge", "DESIGN.md §3 default token limit 16 KiB", jwks="hs_and_asym")
case("jws-json-general-serialization", jenc({"payload": b64(P0), "signatures": [{"protected": hseg, "signature": sseg}]}),
     "JwtBadFormat", "CVE-2022-3102 (only the compact form is verified)", jwks="hs_and_asym")
case("jws-json-flattened-serialization", jenc({"payload": b64(P0), "protected": hseg, "signature": sseg}),
     "JwtBadFormat", "CVE-2022-3102", jwks="hs_and_asym")
case("jwe-compact-dir-a256gcm", b64('{"alg":"dir","enc":"A256GCM"}') + "..AAAAAAAAAAAAAAAA." + b64(b"x" * 20) + "." + b64(bytes(16)),
     "JwtBadFormat", "CVE-2022-3102; RFC 7516 §7.1", jwks="hs_and_asym")
case("bearer-prefix-not-stripped", "Bearer " + base, "JwtHeaderParseErrorBadBase64",
     "the host extracts the token; the core does not trim (RFC 7515 §2)", jwks="hs_and_asym")

doc = {
    "description": ("Attack cases needing keys or bytes beyond extra_attacks.json, generated by "
                    "tools/gen_attack_keys.py. Each case: a token (`token`, or `token_hex` for bytes that are not "
                    "UTF-8, or `token_repeat` {unit, count} = unit repeated count times), a key set (`jwks`: a name in "
                    "`jwks`; `jwks_inline`: a JWKS or X.509 map document; `pem`: a name in `pem`, loaded with "
                    "Jwks::from_pem), `expect`, and `status`: the verify status, or JwksNoValidKeys when the key set "
                    "does not load, in which case `jwks_status` is the load status. Validation as the shared "
                    "corpus: issuer https://issuer.example, audience meshauth-test, now 1800000000, skew 60."),
    "validation": {"issuer": "https://issuer.example", "audiences": ["meshauth-test"], "now": NOW, "clock_skew": 60},
    "jwks": jwks,
    "pem": pem,
    "cases": cases,
}
with open("tests/vectors/attacks_extra_keys.json", "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
print(f"tests/vectors/attacks_extra_keys.json: {len(cases)} cases")
