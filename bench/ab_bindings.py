#!/usr/bin/env python3
"""Before/after of the Python binding's per-call cost, in one process, interleaved.

    python bench/ab_bindings.py FIXTURES.json BEFORE_DIR AFTER_DIR [ROUNDS]

BEFORE_DIR and AFTER_DIR are unpacked meshauth wheels (``python -m zipfile -e X.whl DIR``) of two
builds; AFTER_DIR must have ``Verifier``. Times the before build's ``meshauth.verify``, the after
build's ``meshauth.verify`` and ``Verifier.verify``, and PyJWT ``jwt.decode`` with a pre-loaded
key, round-robin (process CPU time, median over rounds), so machine noise hits all alike.
"""
import importlib.util, json, statistics, sys, time
import jwt
def load(path):
    spec = importlib.util.spec_from_file_location("_meshauth", path + "/meshauth/_meshauth.abi3.so")
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m
sys.path.insert(0, sys.argv[3])
fx = json.load(open(sys.argv[1])); iss, aud = fx["issuer"], fx["audience"]
before, after = load(sys.argv[2]), load(sys.argv[3])
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 15
for alg in ("HS256", "RS256", "ES256", "EdDSA"):
    f = fx["algs"][alg]; tok = f["token"]
    kb, ka = before.Jwks.from_json(f["jwks"]), after.Jwks.from_json(f["jwks"])
    v = after.Verifier(ka, issuer=iss, audiences=[aud])
    key = jwt.PyJWK(f["jwk"]).key
    c = {"before verify": lambda: before.verify(tok, kb, issuer=iss, audiences=[aud]),
         "after verify": lambda: after.verify(tok, ka, issuer=iss, audiences=[aud]),
         "after Verifier": lambda: v.verify(tok),
         "pyjwt-key": lambda: jwt.decode(tok, key, algorithms=[alg], audience=aud, issuer=iss, leeway=60)}
    assert all(fn() == fx["claims"] for fn in c.values())
    n = 20000 if alg == "HS256" else 1500
    s = {k: [] for k in c}
    for _ in range(rounds):
        for k, fn in c.items():
            t0 = time.process_time_ns()
            for _ in range(n): fn()
            s[k].append((time.process_time_ns() - t0) / n / 1000)
    med = {k: statistics.median(x) for k, x in s.items()}
    print(alg, "  ".join(f"{k} {m:.2f}" for k, m in med.items()),
          f"| pyjwt/before {med['pyjwt-key']/med['before verify']:.2f}x pyjwt/after-verify {med['pyjwt-key']/med['after verify']:.2f}x pyjwt/Verifier {med['pyjwt-key']/med['after Verifier']:.2f}x", flush=True)
