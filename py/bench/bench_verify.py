#!/usr/bin/env python3
"""Issue #11, Python side: meshauth.verify and meshauth.Verifier against PyJWT on the shared fixtures, per algorithm.

    python py/bench/bench_verify.py FIXTURES.json OUT.json [--repeats N] [--batch-seconds S]

meshauth: ``meshauth`` (the module function, options per call) and ``meshauth-verifier``
(a ``Verifier`` built once). Peers (same token bytes, equivalent checks: signature, iss, aud, exp with 60 s leeway):
- ``pyjwt-key``: ``jwt.decode`` with the key object loaded once (PyJWT's best case);
- ``pyjwt-jwkset``: a ``PyJWKSet`` loaded once, then per token ``get_unverified_header`` →
  ``jwkset[kid]`` → ``jwt.decode`` (what a JWKS-backed service does without the network).

Timing: process CPU time (the machine is shared: time spent descheduled does not count). Every
round times one batch of each contender back to back (interleaved, so machine noise hits all of
them alike); the per-op figure is the median over rounds. Also measures
threaded throughput (1 and 2 threads): meshauth releases the GIL while verifying.
"""
import argparse
import json
import statistics
import sys
import threading
import time

import cryptography
import jwt
import meshauth


def batch_size(fn, seconds):
    n, t = 1, 0.0
    while t < seconds / 4:
        n *= 2
        t0 = time.process_time()
        for _ in range(n):
            fn()
        t = time.process_time() - t0
    return max(1, int(n * seconds / max(t, 1e-9)))


def measure(contenders, repeats, seconds):
    """contenders: {name: fn}. Returns {name: {"median_ns", "min_ns", "runs"}}."""
    sizes = {k: batch_size(f, seconds) for k, f in contenders.items()}
    samples = {k: [] for k in contenders}
    for _ in range(repeats):
        for k, f in contenders.items():
            n = sizes[k]
            t0 = time.process_time_ns()
            for _ in range(n):
                f()
            samples[k].append((time.process_time_ns() - t0) / n)
    return {k: {"median_ns": statistics.median(v), "min_ns": min(v), "runs": len(v),
                "batch": sizes[k]} for k, v in samples.items()}


def contenders_for(alg, fx):
    f = fx["algs"][alg]
    token, iss, aud = f["token"], fx["issuer"], fx["audience"]
    ks = meshauth.Jwks.from_json(f["jwks"])
    key = jwt.PyJWK(f["jwk"]).key
    jwkset = jwt.PyJWKSet.from_json(f["jwks"])
    algs = [alg]

    verifier = meshauth.Verifier(ks, issuer=iss, audiences=[aud])

    def m():
        return meshauth.verify(token, ks, issuer=iss, audiences=[aud])

    def mv():
        return verifier.verify(token)

    def pk():
        return jwt.decode(token, key, algorithms=algs, audience=aud, issuer=iss, leeway=60)

    def ps():
        kid = jwt.get_unverified_header(token)["kid"]
        return jwt.decode(token, jwkset[kid].key, algorithms=algs, audience=aud, issuer=iss,
                          leeway=60)

    # Same answer from every contender before timing anything.
    assert m() == mv() == pk() == ps() == fx["claims"], alg
    return {"meshauth": m, "meshauth-verifier": mv, "pyjwt-key": pk, "pyjwt-jwkset": ps}


def throughput(fn, threads, seconds):
    """Verifications per second (wall clock) with `threads` threads each looping on fn."""
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def run(i):
        c = 0
        while time.perf_counter() < stop:
            for _ in range(20):
                fn()
            c += 20
        counts[i] = c

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(counts) / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("fixtures")
    ap.add_argument("out")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--batch-seconds", type=float, default=0.08)
    ap.add_argument("--algs", default="")
    a = ap.parse_args()
    fx = json.load(open(a.fixtures))
    algs = a.algs.split(",") if a.algs else list(fx["algs"])
    out = {"versions": {"python": sys.version.split()[0], "pyjwt": jwt.__version__,
                        "cryptography": cryptography.__version__},
           "repeats": a.repeats, "verify": {}, "threads": {}}
    for alg in algs:
        r = measure(contenders_for(alg, fx), a.repeats, a.batch_seconds)
        out["verify"][alg] = r
        print(f"{alg:6} " + "  ".join(f"{k} {v['median_ns'] / 1000:8.2f} us" for k, v in r.items()),
              flush=True)
    for alg in ("RS256", "ES256"):
        c = contenders_for(alg, fx)
        res = {}
        for name in ("meshauth", "meshauth-verifier", "pyjwt-key"):
            res[name] = {str(n): statistics.median(throughput(c[name], n, 0.6) for _ in range(3))
                         for n in (1, 2)}
        out["threads"][alg] = res
        print(f"threads {alg}: {res}", flush=True)
    json.dump(out, open(a.out, "w"), indent=1)


if __name__ == "__main__":
    main()
