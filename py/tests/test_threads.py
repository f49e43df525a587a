"""Concurrent verification: one Jwks shared by many threads (the GIL is released in verify),
and one shared key set swapped for a refreshed one while 8 threads verify against it."""

import hashlib
import hmac
import json
import pathlib
import threading

import meshauth
from conftest import AUD, ISS, b64url, claims, gil_released, public_jwk, sign


def test_threads_verify_concurrently(rsa_key, ec_key):
    jwks = meshauth.Jwks.from_json(
        json.dumps({"keys": [public_jwk(rsa_key, "RS256", "r"), public_jwk(ec_key, "ES256", "e")]})
    )
    good = [
        (sign(claims(sub=f"user{i}"), rsa_key if i % 2 else ec_key, "RS256" if i % 2 else "ES256",
              kid="r" if i % 2 else "e"), f"user{i}")
        for i in range(16)
    ]
    h, p, s = good[0][0].split(".")
    bad = f"{h}.{good[1][0].split('.')[1]}.{s}"
    errors, results = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker(n):
        barrier.wait()
        local = []
        for _ in range(25):
            for tok, sub in good:
                local.append(meshauth.verify(tok, jwks, issuer=ISS, audiences=[AUD])["sub"] == sub)
            try:
                meshauth.verify(bad, jwks)
                local.append(False)
            except meshauth.InvalidSignatureError as e:
                local.append(e.code == "JwtVerificationFail")
        with lock:
            results.extend(local)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8 * 25 * 17 and all(results)


def test_gil_released_during_verify(rsa_key):
    """Another thread runs Python code while this thread is inside verify (conftest.gil_released)."""
    jwks = meshauth.Jwks.from_json(json.dumps({"keys": [public_jwk(rsa_key, "RS256", "r")]}))
    tok = sign(claims(), rsa_key, "RS256", kid="r")
    assert gil_released(lambda: meshauth.verify(tok, jwks))


SWAP = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "keyset_swap.json").read_text()
)


def _swap_token(c) -> str:
    """A case of keyset_swap.json as a token, HS256-signed here with ``hmac``."""
    if "raw" in c:
        return c["raw"]
    if "repeat" in c:
        return c["repeat"]["unit"] * c["repeat"]["count"]
    signed = b64url(c["header"].encode()) + "." + b64url(c["claims"].encode())
    key = bytes.fromhex(SWAP["keys"][c["sign_with"]])
    token = signed + "." + b64url(hmac.new(key, signed.encode(), hashlib.sha256).digest())
    tail = c.get("replace_tail")
    if tail:
        assert not token.endswith(tail)
        token = token[: -len(tail)] + tail
    return token


def _swap_set(name: str) -> str:
    keys = [{"kty": "oct", "kid": k, "k": b64url(bytes.fromhex(SWAP["keys"][k]))} for k in SWAP["sets"][name]]
    return json.dumps({"keys": keys})


def test_key_set_swapped_while_eight_threads_verify():
    """tests/vectors/keyset_swap.json: generation g is set A when even, B when odd; every answer
    must be the case's answer for the generation the thread read. The swapper rebuilds the set
    from JSON each time; swapped-out sets must be freed (weakly referenced, then gone)."""
    import gc
    import weakref

    cases = [(c["id"], _swap_token(c), c["under_a"], c["under_b"]) for c in SWAP["cases"]]
    docs = (_swap_set("A"), _swap_set("B"))
    current = [(0, meshauth.Jwks.from_json(docs[0]))]  # replaced whole: an atomic store
    done = threading.Event()
    wrong, counts, switches = [], [], []
    old_sets, generations = [], [0]

    def swapper():
        g = 0
        while not done.is_set() or g < 50:
            g += 1
            fresh = meshauth.Jwks.from_json(docs[g % 2])
            prev = current[0]
            current[0] = (g, fresh)
            old_sets.append(weakref.ref(prev[1]))
            del prev
        generations[0] = g

    def worker(w):
        n, moved, last, i = 0, 0, None, -1
        # 1500 rounds, and on until this thread has seen the key set change (however the
        # threads are scheduled), up to a cap.
        while True:
            i += 1
            if i >= 1500 and (moved or i >= 5_000_000):
                break
            g, keys = current[0]
            moved += last is not None and g != last
            last = g
            cid, token, under_a, under_b = cases[(i * 7 + w) % len(cases)]
            try:
                meshauth.verify(token, keys, issuer=SWAP["issuer"], now=SWAP["now"])
                got = "Ok"
            except meshauth.MeshAuthError as e:
                got = e.code
            want = under_a if g % 2 == 0 else under_b
            if got != want:
                wrong.append(f"worker {w} generation {g} {cid}: {got}, want {want}")
            n += 1
        counts.append(n)
        switches.append(moved)

    sw = threading.Thread(target=swapper)
    sw.start()
    workers = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    done.set()
    sw.join()
    assert wrong == []
    assert len(counts) == 8 and min(counts) >= 1500
    assert generations[0] >= 50
    assert len(switches) == 8 and min(switches) > 0  # the key set changed under every thread
    gc.collect()
    assert all(ref() is None for ref in old_sets)  # no swapped-out set is kept alive
