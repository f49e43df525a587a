#!/usr/bin/env python3
"""Writes the fuzz seed corpora (fuzz/corpus/<target>/, not committed) from the shared vectors
(MESHAUTH_SHARED, default ../../shared from this file) and the project's own vectors."""
import hashlib
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.environ.get("MESHAUTH_SHARED") or os.path.join(ROOT, "..", "shared")
V = os.path.join(SHARED, "vectors")
OUT = os.path.join(HERE, "corpus")
counts = {}


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1


def join2(a, b):
    a = a.encode() if isinstance(a, str) else a
    b = b.encode() if isinstance(b, str) else b
    return struct.pack("<H", len(a)) + a + b


def load(rel):
    with open(os.path.join(V, rel)) as f:
        return json.load(f)


def main():
    if not os.path.isdir(V):
        sys.exit(f"seeds.py: no shared vectors at {V} (set MESHAUTH_SHARED)")
    atk = load("security/jwt_attacks.json")
    jwks_docs = [json.dumps(j) for j in atk["jwks"].values()]
    for c in atk["cases"]:
        tok = c["token"].encode()
        if len(tok) > 30000:
            continue
        jwks = json.dumps(c["jwks_inline"]) if "jwks_inline" in c else json.dumps(atk["jwks"][c["jwks"]])
        for mode in (0, 2):
            put("verify", bytes([mode]) + tok)
        put("verify", bytes([3]) + join2(jwks, tok))
        put("differential", bytes([4]) + tok)
        parts = c["token"].split(".")
        if len(parts) == 3:
            import base64

            def unb(s):
                try:
                    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
                except Exception:
                    return b""

            h, p = unb(parts[0]), unb(parts[1])
            if len(h) < 60000:
                for m in (0, 1, 2, 3, 8, 24):
                    put("differential", bytes([m]) + join2(h, p))
        if "jwks_inline" in c:
            put("jwks_json", jwks)
    for d in jwks_docs:
        put("jwks_json", d)
    for c in load("jwt_verify_lib/jwks.json"):
        inp = c.get("input")
        if isinstance(inp, str):
            put("jwks_pem" if c.get("input_type") == "pem" else "jwks_json", inp)
    for c in load("jwt_verify_lib/verify.json"):
        if isinstance(c.get("jwks"), str) and isinstance(c.get("jwt"), str):
            put("verify", bytes([1]) + join2(c["jwks"], c["jwt"]))
            put("jwks_json" if c.get("jwks_type") != "pem" else "jwks_pem", c["jwks"])
    # JWKS comparison: pairs from Istio's comparison cases and the reference sets.
    cmp_ = load("istio-samples/compare_jwks_response_cases.json")
    fx = cmp_.get("fixtures", {})
    docs = jwks_docs + [v for v in fx.values() if isinstance(v, str)]
    for case in cmp_.get("upstream_cases", []) + cmp_.get("quirk_cases", []):
        if isinstance(case, dict):
            old, new = fx.get(case.get("old"), case.get("old")), fx.get(case.get("new"), case.get("new"))
            if isinstance(old, str) and isinstance(new, str):
                put("jwks_changed", join2(old, new))
    for a in docs:
        for b in docs:
            put("jwks_changed", join2(a, b))
    # Certificates: every PEM/DER file of the x509 vectors, and the project's SPIFFE chain.
    xdir = os.path.join(V, "x509")
    for name in sorted(os.listdir(xdir)):
        if name.endswith((".pem", ".crt", ".der")):
            with open(os.path.join(xdir, name), "rb") as f:
                put("cert_parse", f.read())
    for rel in ("core/tests/data/spiffe_chain.pem",):
        with open(os.path.join(ROOT, rel), "rb") as f:
            put("cert_parse", f.read())
    with open(os.path.join(ROOT, "tests/vectors/istio/key.pem"), "rb") as f:
        put("jwks_pem", f.read())
    # ES384/ES512 tables: messages to sign under every mode (curve, mutation), and Wycheproof's
    # raw signatures (edge values of r and s; checked here against this target's own keys).
    for m in range(256):
        if m & 4 == 0:
            put("ec_tables", bytes([m]) + b"eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJhIn0")
    for name, curve in (("ecdsa_secp384r1_sha384_p1363_test.json", 0), ("ecdsa_secp521r1_sha512_p1363_test.json", 1),
                        ("ecdsa_secp256r1_sha256_p1363_test.json", 2)):
        for g in load("wycheproof/" + name)["testGroups"]:
            for t in g["tests"]:
                put("ec_tables", bytes([4 | curve]) + bytes.fromhex(t["msg"]) + bytes.fromhex(t["sig"]))
    # Configurations: Istio's RequestAuthentication and AuthorizationPolicy samples.
    try:
        import yaml
    except ImportError:
        yaml = None
    ra = load("istio-samples/requestauthn_scenarios.json")
    ref = jwks_docs[0]
    authn = []
    for s in ra["suites"]:
        authn.append(json.dumps(s["policy"]).replace('"<jwks>"', '"https://jwks.example/keys"'))
        rules = s["policy"].get("jwtRules", [])
        inline = [dict(r, jwks=ref) for r in rules]
        for r in inline:
            r.pop("jwksUri", None)
        authn.append(json.dumps({"jwtRules": inline}))
    policies = ['{"spec":{"action":"ALLOW","rules":[{"from":[{"source":{"requestPrincipals":["iss/sub"]}}],'
                '"to":[{"operation":{"paths":["/a*"],"methods":["GET"]}}],'
                '"when":[{"key":"request.auth.claims[groups]","values":["g1"]}]}]}}']
    az = load("istio-samples/authz_jwt_scenarios.json")
    if yaml is not None:
        text = az["policy_yaml"].replace("{{ .JWTServer.JwksURI }}", "https://jwks.example/keys").replace("{{ .To.ServiceName }}", "b")
        docs = [d for d in yaml.safe_load_all(text) if d]
        policies.append(json.dumps(docs))
        authn.append(json.dumps(docs))
    for a in authn:
        for p in policies:
            put("config", join2(a, p))
    for k, n in sorted(counts.items()):
        print(f"seeds: {k}: {n}")


main()
