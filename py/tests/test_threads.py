"""Concurrent verification: one Jwks shared by many threads (the GIL is released in verify)."""

import json
import threading

import meshauth
from conftest import AUD, ISS, claims, public_jwk, sign


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
    """Another thread runs Python code *while* this thread is inside verify.

    The helper thread runs one step each time it is woken, then blocks again (releasing the
    GIL). The switch interval is made huge, so the only way the helper can take the GIL while
    the main thread is between ``wake.release()`` and reading the counter is for verify to
    release it: with a GIL-holding verify the counter never moves. No timing is measured.
    """
    import sys

    jwks = meshauth.Jwks.from_json(json.dumps({"keys": [public_jwk(rsa_key, "RS256", "r")]}))
    tok = sign(claims(), rsa_key, "RS256", kid="r")
    wake = threading.Semaphore(0)
    stop = threading.Event()
    ticks = [0]

    def helper():
        while True:
            wake.acquire()  # blocks with the GIL released
            if stop.is_set():
                return
            ticks[0] += 1

    old = sys.getswitchinterval()
    t = threading.Thread(target=helper)
    t.start()
    sys.setswitchinterval(100.0)
    try:
        progressed = 0
        for _ in range(300):
            before = ticks[0]
            wake.release()
            meshauth.verify(tok, jwks)
            progressed += ticks[0] != before
    finally:
        sys.setswitchinterval(old)
        stop.set()
        wake.release()
        t.join()
    assert progressed > 0
