#!/usr/bin/env python3
"""Renders BENCHMARKS.md and docs/benchmarks-verify.svg from one `make bench` run.

    python bench/report.py RESULTS_DIR [--out BENCHMARKS.md] [--chart docs/benchmarks-verify.svg]

Reads: criterion's `*/new/benchmark.json` + `estimates.json` under the criterion directories
listed in RESULTS_DIR/criterion-dirs.txt (medians), RESULTS_DIR/{python,node,c}.json,
RESULTS_DIR/cert_peer.txt, RESULTS_DIR/machine.txt, and the hand-written analysis in
bench/notes.md (included verbatim).
"""
import argparse
import json
import os
import pathlib

ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
        "HS256", "HS384", "HS512", "EdDSA"]
HERE = pathlib.Path(__file__).resolve().parent
# jsonwebtoken's benchmark name per crypto backend (bench/rust/benches/verify.rs).
JWT_BACKENDS = {"jsonwebtoken": "AWS-LC", "jsonwebtoken-rust_crypto": "RustCrypto"}


def criterion(dirs):
    """{full_id: median_ns} from criterion output directories."""
    out = {}
    for d in dirs:
        for bj in pathlib.Path(d).glob("**/new/benchmark.json"):
            meta = json.loads(bj.read_text())
            est = json.loads((bj.parent / "estimates.json").read_text())
            out[meta["full_id"]] = est["median"]["point_estimate"]
    return out


def fmt_t(ns):
    if ns is None:
        return "–"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def ratio(a, b):
    return None if a is None or b is None else a / b


def fmt_r(r, digits=2):
    return "–" if r is None else f"{r:.{digits}f}×"


def load(path):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except FileNotFoundError:
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results")
    ap.add_argument("--out", default="BENCHMARKS.md")
    ap.add_argument("--chart", default="docs/benchmarks-verify.svg")
    a = ap.parse_args()
    res = pathlib.Path(a.results)
    dirs = (res / "criterion-dirs.txt").read_text().split()
    crit = criterion(dirs)
    py = load(res / "python.json")
    node = load(res / "node.json")
    import statistics

    def runs_of(prefix):
        """The parsed RESULTS_DIR/<prefix>-N.json files, in order."""
        return [json.loads(p.read_text()) for p in sorted(res.glob(f"{prefix}-*.json"))]

    def merged(runs):
        """{alg: {who: median of the runs' medians}} over the runs of one program."""
        if not runs:
            return None
        out = {}
        for alg in runs[0]:
            out[alg] = {}
            first = runs[0][alg]
            whos = [k for k, v in first.items() if isinstance(v, dict)] if "median_ns" not in first else [None]
            for who in whos:
                vals = [(r[alg] if who is None else r[alg][who])["median_ns"] for r in runs]
                out[alg][who or "meshauth"] = statistics.median(vals)
            if who is not None and "floor" in first:
                # The median of the per-round ratios of all runs: each ratio pairs two batches
                # timed back to back, so load that drifts between rounds cancels out.
                out[alg]["ratio"] = statistics.median(
                    x for r in runs for x in r[alg]["round_ratios"])
            if "c_round_ratios" in first:
                out[alg]["c_ratio"] = statistics.median(
                    x for r in runs for x in r[alg]["c_round_ratios"])
        return out, len(runs)

    c_runs, rloop_runs = runs_of("c"), runs_of("rust-loop")
    c, rloop = merged(c_runs), merged(rloop_runs)

    def c_over_rust(alg):
        """The median over alternations of the C program's time over the Rust loop's run after it."""
        return statistics.median(
            cr[alg]["median_ns"] / rr[alg]["meshauth"]["median_ns"] for cr, rr in zip(c_runs, rloop_runs))
    instr = load(res / "instructions.json")
    machine = (res / "machine.txt").read_text().strip() if (res / "machine.txt").exists() else "?"
    cert_peer = (res / "cert_peer.txt").read_text().strip() if (res / "cert_peer.txt").exists() else ""

    def rs(alg, who):
        return crit.get(f"verify/{alg}/{who}")

    targets = []  # (area, target, measured, met)

    def target(area, what, value, ok, shown):
        targets.append((area, what, shown, None if value is None else ok(value)))

    L = []
    w = L.append
    w("# Benchmarks: meshauth beside the libraries users would pick instead")
    w("")
    w("Issue #11. Everything below comes from **one `make bench` run on one machine**; the ratios "
      "compare numbers taken minutes apart in that run. Regenerate with:")
    w("")
    w("```")
    w("make bench")
    w("```")
    w("")
    w("It installs its own dependencies (a virtualenv under `target/bench/venv` with maturin, PyJWT, "
      "cryptography and matplotlib; `npm ci` in `node/bench`), writes fresh keys and tokens "
      "(`bench/fixtures.py`: for each algorithm a 5-key JWKS and a token with "
      "iss/sub/aud/exp/iat/scope signed by the middle key; RSA 2048-bit, HMAC 64-byte keys), runs "
      "the Rust (criterion), Python, Node and C benchmarks on those same bytes, and renders this file "
      "and the chart with `bench/report.py`. It is not part of `make test`, and no test asserts a "
      "time.")
    w("")
    w(f"**Machine:** {machine}")
    w("")
    w("**Noise:** the machine is a shared 2-core VM (other engineers' builds, tests and fuzzers "
      "may run beside the benchmark, and the VM's host CPU has changed between sessions), so single "
      "numbers can move by ±10–30 % between runs. All "
      "per-op times are **CPU time** of the benchmarking process or thread (criterion with a "
      "thread-CPU-time measurement; `process_time_ns` in Python; `process.cpuUsage()` in Node, "
      "which includes jose's WebCrypto work on the libuv pool; `CLOCK_PROCESS_CPUTIME_ID` in C and "
      "the Rust loop), so time spent descheduled does not count; cache and core sharing still do. "
      "Each figure is a median: criterion's median over its samples; otherwise the median over "
      "interleaved rounds (Python, Node: 9 rounds; C and the Rust loop: 5 rounds, 5 alternated "
      "runs), each round timing one ~80 ms batch of every contender back to back so that load "
      "spikes hit all contenders alike. Ratios within ~10 % of a threshold are not conclusive.")
    w("")
    w("![verifications per second per algorithm](docs/benchmarks-verify.svg)")
    w("")

    # ---- Rust
    w("## Rust core (criterion, `bench/rust/`)")
    w("")
    w("`verify` with a prepared `Jwks` (5 keys) and a `Validation` (issuer, audience, 60 s skew) "
      "against **floor**: the raw `ring` (`p521` for ES512) signature check of the same signed bytes "
      "and already-decoded signature with a pre-built key — no parsing, no claims (for ES256, ES384 "
      "and ES512 meshauth uses its own precomputed per-key tables, for EdDSA a public key "
      "decoded once at load, and for RS*/PS* AWS-LC keys parsed once (the `aws-lc` feature, on "
      "in this build as in the bindings), so it runs below this \"floor\": the column then "
      "compares with the plain ring / p521 check of the same signature; the RSA backends table "
      "below compares RS*/PS* with AWS-LC's own raw check. HS* use RustCrypto's HMAC, which the "
      "HMAC backends table compares with ring's, the floor here); and "
      "**jsonwebtoken** "
      + ("{}".format(crit.get("_jsonwebtoken_version", "12")))
      + " `decode` with a pre-built `DecodingKey` and a `Validation` for iss, aud and exp (60 s "
      "leeway) into a struct of the six claims, with each of its two crypto backends: "
      "**jsonwebtoken (AWS-LC)** (`aws_lc_rs`: AWS-LC's C and assembly) and **jsonwebtoken "
      "(RustCrypto)** (`rust_crypto`: the `rsa`, `p256`, `p384`, `ed25519-dalek` and `hmac` "
      "crates). A process installs one backend, so the RustCrypto column comes from a second "
      "criterion run in the same `make bench` (`MESHAUTH_BENCH_JWT_BACKEND=rust_crypto`).")
    w("")
    w("| alg | meshauth | floor | meshauth / floor | jsonwebtoken (AWS-LC) | AWS-LC / meshauth "
      "| jsonwebtoken (RustCrypto) | RustCrypto / meshauth |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for alg in ALGS:
        m, f = rs(alg, "meshauth"), rs(alg, "floor")
        row = f"| {alg} | {fmt_t(m)} | {fmt_t(f)} | {fmt_r(ratio(m, f), 3)} |"
        for who in JWT_BACKENDS:
            j = rs(alg, who)
            row += f" {fmt_t(j) if j else 'n/a (no ES512)'} | {fmt_r(ratio(j, m))} |"
        w(row)
    w("")
    if rloop:
        w(f"Interleaved check of the floor ratio (`bench/rust` `verify_loop`: each round times one "
          f"~80 ms batch of meshauth and one of the raw check back to back, in alternating order, "
          f"process CPU time, 5 rounds per run, {rloop[1]} runs alternated with the C benchmark; "
          f"the times are medians of the runs' medians, the ratio is the median of all "
          f"{5 * rloop[1]} per-round ratios). The targets use this ratio, which is less exposed to "
          f"load drifting between criterion's separate measurements:")
        w("")
        w("| alg | meshauth | floor | meshauth / floor (interleaved) | criterion ratio |")
        w("|---|---:|---:|---:|---:|")
        for alg in ALGS:
            x = rloop[0].get(alg)
            if x:
                w(f"| {alg} | {fmt_t(x['meshauth'])} | {fmt_t(x['floor'])} | {fmt_r(x['ratio'], 3)} | "
                  f"{fmt_r(ratio(rs(alg, 'meshauth'), rs(alg, 'floor')), 3)} |")
        w("")

    def floor_ratio(alg):
        if rloop and alg in rloop[0]:
            return rloop[0][alg]["ratio"]
        return ratio(rs(alg, "meshauth"), rs(alg, "floor"))

    for alg in ("RS256", "PS256", "ES256", "EdDSA"):
        r = floor_ratio(alg)
        target("Rust", f"{alg} ≤ 1.05 × raw signature check", r, lambda x: x <= 1.05, fmt_r(r, 3))
    # RS*/PS* run on AWS-LC in this build: the same bound against that backend's own raw check.
    rsa_backends = load(res / "rsa-backends.json")
    for alg in ("RS256", "PS256"):
        if rsa_backends and alg in rsa_backends:
            r = rsa_backends[alg]["meshauth_over_aws_lc_parsed"]
            target("Rust", f"{alg} ≤ 1.05 × its backend's raw check (AWS-LC, key parsed once; "
                   "`rsa_backends`)", r, lambda x: x <= 1.05, fmt_r(r, 3))
    r = floor_ratio("HS256")
    target("Rust", "HS256 ≤ 2 × raw HMAC", r, lambda x: x <= 2, fmt_r(r, 3))
    # jsonwebtoken, interleaved (`versus_jsonwebtoken`): the targets use these paired ratios
    # when the run has them, criterion's otherwise.
    paired = {who: load(res / f"{who}.json") for who in JWT_BACKENDS}
    if any(paired.values()):
        w("Interleaved check against jsonwebtoken (`bench/rust` `versus_jsonwebtoken`, once per "
          "backend: each round times one ~80 ms batch of meshauth `verify` and one of jsonwebtoken "
          "`decode` back to back, in alternating order, process CPU time; times are medians over "
          "the rounds, the ratio is the median of the per-round ratios). The jsonwebtoken targets "
          "use this ratio:")
        w("")
        w("| alg | " + " | ".join(f"meshauth | jsonwebtoken ({b}) | jsonwebtoken ({b}) / meshauth"
                                   for who, b in JWT_BACKENDS.items() if paired[who]) + " |")
        w("|---|" + "---:|---:|---:|" * sum(1 for p_ in paired.values() if p_))
        for alg in ALGS:
            cells = []
            for who in JWT_BACKENDS:
                if not paired[who]:
                    continue
                x = paired[who]["algs"].get(alg)
                cells.append(f"{fmt_t(x['meshauth_ns'])} | {fmt_t(x['jsonwebtoken_ns'])} | "
                             f"{fmt_r(x['ratio'])}" if x else "– | n/a (no ES512) | –")
            w(f"| {alg} | " + " | ".join(cells) + " |")
        w("")

    def jwt_ratio(who, alg):
        """jsonwebtoken's time over meshauth's: paired if measured so, else criterion's."""
        if paired.get(who):
            x = paired[who]["algs"].get(alg)
            return x["ratio"] if x else None
        return ratio(rs(alg, who), rs(alg, "meshauth")) if rs(alg, who) else None

    for who, backend in JWT_BACKENDS.items():
        have = [alg for alg in ALGS if jwt_ratio(who, alg)]
        if not have:
            continue
        how = "interleaved" if paired.get(who) else "criterion"
        slower = [alg for alg in have if jwt_ratio(who, alg) <= 1]
        worst = min((jwt_ratio(who, x), x) for x in have)
        target("Rust", f"faster than jsonwebtoken ({backend}) on every algorithm it supports "
               f"({len(have)}; {how})", worst[0], lambda x, slower=slower: not slower,
               f"slowest ratio {fmt_r(worst[0])} ({worst[1]})"
               + (f"; slower on {', '.join(slower)}" if slower else ""))
        r = jwt_ratio(who, "HS256")
        target("Rust", f"HS256 ≥ 3 × faster than jsonwebtoken ({backend}; {how})", r,
               lambda x: x >= 3, fmt_r(r))

    if rsa_backends:
        w("### RSA backends")
        w("")
        w("`bench/rust` `rsa_backends`: the same 2048-bit check of each fixture with ring "
          "(`RsaPublicKeyComponents`, the key built per call: ring offers no verification with a "
          "prepared RSA key; meshauth's default, no_std build uses it), with AWS-LC per call (what "
          "jsonwebtoken's `aws_lc_rs` backend does), with AWS-LC's `ParsedPublicKey` (the key "
          "parsed once, as meshauth's `aws-lc` feature holds it), and meshauth's whole `verify` of "
          "the token built with that feature, as the bindings and the CLI are. Process CPU time, "
          "~80 ms batches, rounds in rotating order; the ratios are medians of per-round "
          "ratios.")
        w("")
        w("| alg | ring | AWS-LC per call | × ring | AWS-LC key parsed once | × ring "
          "| meshauth `verify` | × ring | × AWS-LC parsed |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for alg, r in rsa_backends.items():
            ring_, per_call, parsed = r["ring"], r["aws-lc-per-call"], r["aws-lc-parsed"]
            row = (f"| {alg} | {fmt_t(ring_['median_ns'])} | {fmt_t(per_call['median_ns'])} | "
                   f"{fmt_r(per_call['over_ring'], 3)} | {fmt_t(parsed['median_ns'])} | "
                   f"{fmt_r(parsed['over_ring'], 3)} |")
            m = r.get("meshauth")
            if m:
                row += (f" {fmt_t(m['median_ns'])} | {fmt_r(m['over_ring'], 3)} | "
                        f"{fmt_r(r['meshauth_over_aws_lc_parsed'], 3)} |")
            else:
                row += " n/a | | |"
            w(row)
        w("")

    hmac_backends = load(res / "hmac-backends.json")
    if hmac_backends:
        w("### HMAC backends")
        w("")
        w("`bench/rust` `hmac_backends`: the HMAC check of each HS* fixture with ring "
          "(`hmac::verify` with a prepared key: the floor of the verify table), with AWS-LC "
          "(`hmac::verify`, prepared key), with RustCrypto's `hmac` + `sha2` (the keyed state "
          "prepared once and cloned per check, which is what meshauth uses), and meshauth's whole "
          "`verify` of the token. Same timing as the RSA table.")
        w("")
        w("| alg | ring | AWS-LC | × ring | RustCrypto | × ring | meshauth `verify` | × ring |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        for alg, r in hmac_backends.items():
            cells = [fmt_t(r["ring"]["median_ns"])]
            for name in ("aws-lc", "rust-crypto", "meshauth"):
                cells += [fmt_t(r[name]["median_ns"]), fmt_r(r[name]["over_ring"], 3)]
            w(f"| {alg} | " + " | ".join(cells) + " |")
        w("")

    other = sorted(k for k in crit if not k.startswith("verify/"))
    w("Other core operations (criterion medians; `Jwks::from_json` from `bench/rust` in CPU time, "
      "the rest from `core/benches/{cert,jwks}.rs`, which measure wall time):")
    w("")
    w("| benchmark | median |")
    w("|---|---:|")
    for k in other:
        w(f"| `{k}` | {fmt_t(crit[k])} |")
    w("")
    if cert_peer:
        w("`cert::parse` peer (`bench/cert_peer.py`, Python `cryptography`, same chains; the Python "
          "binding does not expose certificate parsing, so this compares the Rust core with "
          "`cryptography` called from Python):")
        w("")
        w("```")
        w(cert_peer)
        w("```")
        w("")

    # ---- Python
    if py:
        v = py["versions"]
        w("## Python (`py/bench/bench_verify.py`, release abi3 wheel)")
        w("")
        w(f"Python {v['python']}, PyJWT {v['pyjwt']}, cryptography {v['cryptography']}. "
          "`meshauth.verify(token, jwks, issuer=…, audiences=[…])` (**meshauth**, options parsed "
          "per call) and `meshauth.Verifier(jwks, issuer=…, audiences=[…])` built once, then "
          "`.verify(token)` (**meshauth-verifier**), against PyJWT `jwt.decode` "
          "with the key object loaded once (**pyjwt-key**, its best case) and with a `PyJWKSet` "
          "loaded once plus `get_unverified_header` → `jwkset[kid]` per token "
          "(**pyjwt-jwkset**). All check signature, iss, aud, exp (60 s leeway) and return the "
          "claims dict. PyJWT's `decode` also takes its options per call; a caller verifying many "
          "tokens with one configuration would build the `Verifier` once, so the targets use "
          "**meshauth-verifier**; both rows are shown.")
        w("")
        w("| alg | meshauth | meshauth-verifier | pyjwt-key | speed-up (meshauth) | speed-up (verifier) "
          "| pyjwt-jwkset | speed-up (verifier) |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")
        pv = "meshauth-verifier" if any("meshauth-verifier" in r for r in py["verify"].values()) else "meshauth"
        for alg in ALGS:
            r = py["verify"].get(alg)
            if not r:
                continue
            m, v_, k, s = (r[x]["median_ns"] for x in ("meshauth", pv, "pyjwt-key", "pyjwt-jwkset"))
            w(f"| {alg} | {fmt_t(m)} | {fmt_t(v_)} | {fmt_t(k)} | {fmt_r(k / m)} | {fmt_r(k / v_)} "
              f"| {fmt_t(s)} | {fmt_r(s / v_)} |")
        w("")
        for alg, need in (("RS256", 2.5), ("HS256", 15), ("ES256", 1.5), ("EdDSA", 1.5)):
            r = py["verify"].get(alg)
            x = r and r["pyjwt-key"]["median_ns"] / r[pv]["median_ns"]
            target("Python", f"{alg} ≥ {need} × faster than PyJWT (pre-loaded key; {pv})", x,
                   lambda y, n=need: y >= n, fmt_r(x))
        if py.get("threads"):
            w("Threaded throughput (verifications per second, whole process; median of 3 runs of "
              "0.6 s). meshauth releases the GIL while verifying:")
            w("")
            w("| alg | contender | 1 thread | 2 threads | scaling |")
            w("|---|---|---:|---:|---:|")
            for alg, byname in py["threads"].items():
                for name, t in byname.items():
                    w(f"| {alg} | {name} | {t['1']:,.0f}/s | {t['2']:,.0f}/s | {t['2'] / t['1']:.2f}× |")
            w("")

    # ---- Node
    if node:
        v = node["versions"]
        w("## Node (`node/bench/bench_verify.mjs`, release addon)")
        w("")
        w(f"Node {v['node']}, jose {v['jose']}, fast-jwt {v['fast-jwt']}, jsonwebtoken "
          f"{v['jsonwebtoken']}. `meshauth.verify(token, jwks, {{issuer, audiences}})` "
          "(**meshauth**, options converted per call) and `new Verifier(jwks, {issuer, audiences})` "
          "built once, then `.verify(token)` (**meshauth-verifier**; the ratios and the targets use "
          "it, as fast-jwt's `createVerifier` is also built once) against "
          "`jose.jwtVerify` with `createLocalJWKSet` (**jose-jwks**) and with an imported key "
          "(**jose-key**), both awaited (jose's local JWKS refuses HMAC keys, so HS* has only jose-key); `fast-jwt` `createVerifier` with `cache: false`; "
          "`jsonwebtoken.verify` with a `KeyObject` (no EdDSA in jsonwebtoken 9). Every contender "
          "checks signature, iss, aud and exp with 60 s tolerance. The × columns against "
          "meshauth-verifier are the medians of the per-round ratios (each round times every "
          "contender back to back, in an order reversed every other round); the times are the "
          "medians over rounds.")
        w("")
        w("| alg | meshauth | meshauth-verifier | jose-jwks | jose-key | × jose (faster variant) | fast-jwt | × fast-jwt | × fast-jwt (meshauth) | jsonwebtoken | × jsonwebtoken |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        nv = "meshauth-verifier" if any("meshauth-verifier" in r for r in node["verify"].values()) else "meshauth"
        jose_worst, fast_worst = [], []
        for alg in ALGS:
            r = node["verify"].get(alg)
            if not r:
                continue
            g = lambda k: r[k]["median_ns"] if k in r else None

            def over(k):
                """k's time over nv's: the median of the per-round ratios when recorded."""
                if k not in r:
                    return None
                if nv == "meshauth-verifier" and "paired_ratio" in r[k]:
                    return r[k]["paired_ratio"]
                return g(k) / g(nv)
            m0, m = g("meshauth"), g(nv)
            jose, jose_r = min(g(k) for k in ("jose-jwks", "jose-key") if k in r), \
                min(over(k) for k in ("jose-jwks", "jose-key") if k in r)
            jose_worst.append((jose_r, alg))
            fast_worst.append((over("fast-jwt"), alg))
            j = g("jsonwebtoken")
            w(f"| {alg} | {fmt_t(m0)} | {fmt_t(m)} | {fmt_t(g('jose-jwks')) if g('jose-jwks') else 'n/a'} | {fmt_t(g('jose-key'))} | "
              f"{fmt_r(jose_r)} | {fmt_t(g('fast-jwt'))} | {fmt_r(over('fast-jwt'))} | {fmt_r(g('fast-jwt') / m0)} | "
              f"{fmt_t(j) if j else 'n/a'} | {fmt_r(over('jsonwebtoken')) if j else '–'} |")
        w("")
        if jose_worst:
            x = min(jose_worst)
            miss = [alg for r_, alg in jose_worst if r_ < 3]
            target("Node", f"≥ 3 × faster than jose on every algorithm ({nv})", x[0], lambda y: not miss,
                   f"slowest {fmt_r(x[0])} ({x[1]})" + (f"; under 3× on {', '.join(miss)}" if miss else ""))
            x = min(fast_worst)
            miss = [alg for r_, alg in fast_worst if r_ <= 1]
            target("Node", f"faster than fast-jwt (no cache) on every algorithm ({nv})", x[0],
                   lambda y: not miss,
                   f"slowest {fmt_r(x[0])} ({x[1]})" + (f"; slower on {', '.join(miss)}" if miss else ""))
            h = dict((alg, r_) for r_, alg in fast_worst).get("HS256")
            target("Node", f"HS256 ≥ 3 × faster than fast-jwt ({nv})", h, lambda y: y >= 3, fmt_r(h))

    # ---- C
    if rloop and "c_ratio" in next(iter(rloop[0].values())):
        w("## C (`meshauth_verify` through `libmeshauth.so`)")
        w("")
        w("`meshauth_verify(jwks, validation, token, len, now, NULL)` against "
          "`meshauth_core::verify`, same fixtures, same timing (process CPU time, ~80 ms batches). "
          "**Same process:** `bench/rust` `verify_loop` links `target/release/libmeshauth.so` and "
          "calls `meshauth_verify` through the C ABI, as a C program does; each round times one "
          "batch of each back to back (order rotating), and C ABI / Rust is the median over all "
          f"rounds of the {rloop[1]} runs of the ratio within a round, so load that drifts "
          "between rounds hits both sides alike. **C program:** `ffi-c/bench/bench_verify.c` "
          "timed in its own process, alternated with `verify_loop`; that ratio also carries the "
          "machine's drift between two processes (the medians of the runs' medians are shown).")
        w("")
        w("| alg | C ABI / Rust (same process, paired) | C program | Rust | C program / Rust (separate processes) |")
        w("|---|---:|---:|---:|---:|")
        worst = []
        for alg in ALGS:
            if alg not in rloop[0]:
                continue
            pr = rloop[0][alg]["c_ratio"]
            worst.append((pr, alg))
            cm = c[0][alg]["meshauth"] if c and alg in c[0] else None
            cr = c_over_rust(alg) if cm is not None else None
            w(f"| {alg} | {fmt_r(pr, 3)} | {fmt_t(cm)} | {fmt_t(rloop[0][alg]['meshauth'])} | "
              f"{fmt_r(cr, 3)} |")
        w("")
        if worst:
            x = max(worst)
            miss = [alg for r_, alg in worst if r_ > 1.05]
            target("C", "≤ 1.05 × the Rust time (every algorithm), timed in one process (paired)",
                   x[0], lambda y: not miss,
                   f"worst {fmt_r(x[0], 3)} ({x[1]})" + (f"; over on {', '.join(miss)}" if miss else ""))
    if instr:
        w("### C against Rust in instructions executed (callgrind)")
        w("")
        w("The timed comparison above scatters with the machine's load. `bench/instructions.py` "
          "counts, with `valgrind --tool=callgrind --toggle-collect`, only the instructions "
          "executed inside the verify loop of each program (`counted` in `bench_verify.c` and in "
          f"`verify_loop`, {next(iter(instr.values()))['n']} verifications of the same token): a "
          "count that does not move with load (it does not see cache or branch-prediction "
          "effects).")
        w("")
        w("| alg | C via FFI (instructions / verify) | Rust | C / Rust |")
        w("|---|---:|---:|---:|")
        worst = []
        for alg in ALGS:
            if alg in instr:
                ci, ri = instr[alg]["c"], instr[alg]["rust"]
                worst.append((ci / ri, alg))
                w(f"| {alg} | {ci:,.0f} | {ri:,.0f} | {fmt_r(ci / ri, 4)} |")
        w("")
        if worst:
            x = max(worst)
            miss = [alg for r_, alg in worst if r_ > 1.05]
            target("C", "≤ 1.05 × the Rust time (every algorithm), instructions", x[0],
                   lambda y: not miss,
                   f"worst {fmt_r(x[0], 4)} ({x[1]})" + (f"; over on {', '.join(miss)}" if miss else ""))
    target("Rust", "zero heap allocations per verify (HS/ES/EdDSA, prepared key set)", 0,
           lambda y: True, "0 (core/tests/alloc_count.rs, counted not timed)")

    # ---- Targets
    T = ["## Targets", "", "| area | target | measured | met? |", "|---|---|---|---|"]
    for area, what, shown, ok in targets:
        T.append(f"| {area} | {what} | {shown} | {'–' if ok is None else ('yes' if ok else '**no**')} |")
    T.append("")
    # Targets go right after the chart.
    at = L.index("![verifications per second per algorithm](docs/benchmarks-verify.svg)") + 2
    L[at:at] = T
    notes = HERE / "notes.md"
    if notes.exists():
        L.append(notes.read_text().rstrip())
        L.append("")
    pathlib.Path(a.out).write_text("\n".join(L) + "\n")
    chart(a.chart, crit, py, node)


def chart(path, crit, py, node):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("Rust core", [("meshauth", lambda a: crit.get(f"verify/{a}/meshauth")),
                             ("raw signature check (floor)", lambda a: crit.get(f"verify/{a}/floor")),
                             ("jsonwebtoken (AWS-LC)", lambda a: crit.get(f"verify/{a}/jsonwebtoken")),
                             ("jsonwebtoken (RustCrypto)",
                              lambda a: crit.get(f"verify/{a}/jsonwebtoken-rust_crypto"))])]
    if py:
        g = lambda k: (lambda a: py["verify"].get(a, {}).get(k, {}).get("median_ns"))
        panels.append(("Python", [("meshauth.verify", g("meshauth")), ("meshauth Verifier", g("meshauth-verifier")),
                                  ("PyJWT, pre-loaded key", g("pyjwt-key")),
                                  ("PyJWT, PyJWKSet", g("pyjwt-jwkset"))]))
    if node:
        g = lambda k: (lambda a: node["verify"].get(a, {}).get(k, {}).get("median_ns"))
        panels.append(("Node", [("meshauth verify", g("meshauth")), ("meshauth Verifier", g("meshauth-verifier")),
                                ("jose (key)", g("jose-key")),
                                ("jose (local JWKS)", g("jose-jwks")), ("fast-jwt (no cache)", g("fast-jwt")),
                                ("jsonwebtoken", g("jsonwebtoken"))]))
    fig, axes = plt.subplots(len(panels), 1, figsize=(12, 3.6 * len(panels)), squeeze=False)
    for ax, (title, series) in zip(axes[:, 0], panels):
        width = 0.8 / len(series)
        for i, (name, get) in enumerate(series):
            xs, ys = [], []
            for j, alg in enumerate(ALGS):
                ns = get(alg)
                if ns:
                    xs.append(j + (i - (len(series) - 1) / 2) * width)
                    ys.append(1e9 / ns)
            ax.bar(xs, ys, width, label=name)
        ax.set_yscale("log")
        ax.set_xticks(range(len(ALGS)), ALGS)
        ax.set_ylabel("verifications / s (log)")
        ax.set_title(f"{title}: verifications per second, one thread (higher is better)")
        ax.legend(fontsize=8, ncol=len(series), loc="upper left")
        ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


if __name__ == "__main__":
    main()
