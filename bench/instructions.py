#!/usr/bin/env python3
"""C through the FFI against the Rust core, in instructions executed per verify (callgrind).

    python bench/instructions.py C_BENCH RUST_LOOP FIXTURES.tsv OUT.json [N]

Runs `C_BENCH FIXTURES.tsv --count N ALG` (ffi-c/bench/bench_verify.c) and `RUST_LOOP --count N
ALG` (bench/rust verify_loop, reading $MESHAUTH_BENCH_FIXTURES) under
`valgrind --tool=callgrind --toggle-collect=*counted*`, so only the verify loop is counted, and
writes {"ALG": {"c": instructions per verify, "rust": ..., "n": N}, ...}. Instruction counts do not
depend on the machine's load, unlike the timed C/Rust comparison; they do not see cache or
branch-prediction effects.
"""
import json
import re
import subprocess
import sys

ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
        "HS256", "HS384", "HS512", "EdDSA"]


def collected(cmd):
    r = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=*counted*",
                        "--callgrind-out-file=/dev/null"] + cmd,
                       capture_output=True, text=True, check=True)
    m = re.search(r"Collected : (\d+)", r.stderr)
    assert m, r.stderr[-2000:]
    return int(m.group(1))


def main():
    c_bench, rust_loop, tsv, out = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    res = {}
    for alg in ALGS:
        c = collected([c_bench, tsv, "--count", str(n), alg])
        r = collected([rust_loop, "--count", str(n), alg])
        res[alg] = {"c": c / n, "rust": r / n, "n": n}
        print(f"{alg}: C {c / n:.0f}, Rust {r / n:.0f} instructions per verify, C/Rust {c / r:.4f}",
              file=sys.stderr)
    with open(out, "w") as f:
        json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
