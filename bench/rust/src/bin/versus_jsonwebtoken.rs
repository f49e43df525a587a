//! meshauth `verify` against jsonwebtoken `decode`, interleaved: for each algorithm jsonwebtoken
//! supports (all but ES512), each round times one ~80 ms batch of each back to back (process CPU
//! time, order alternating), and the ratio jsonwebtoken / meshauth is taken per round, so both
//! sides share that round's load (criterion's separate measurements do not). The backend comes
//! from `MESHAUTH_BENCH_JWT_BACKEND` (`aws_lc_rs` or `rust_crypto`; one per process). Prints
//! JSON: {"backend": "jsonwebtoken" or "jsonwebtoken-rust_crypto" (the name criterion uses),
//! "rounds": N, "algs": {"ALG": {"meshauth_ns": .., "jsonwebtoken_ns": .., "ratio": ..}}}, with
//! medians over the rounds; `ratio` is jsonwebtoken's time over meshauth's.
use meshauth_bench::{
    interleaved, jsonwebtoken_backend, jsonwebtoken_check, load, median, ALGS, NOW,
};
use meshauth_core::{verify, Jwks, Validation};
use std::hint::black_box;

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(9, |a| a.parse().unwrap());
    let backend = jsonwebtoken_backend();
    let fx = load();
    let mut v = Validation::new();
    v.set_issuer(&fx.issuer);
    v.add_audience(&fx.audience);
    let mut out = Vec::new();
    for alg in ALGS {
        let Some(jwt) = jsonwebtoken_check(alg, &fx) else {
            continue;
        };
        let f = &fx.algs[alg];
        let jwks = Jwks::from_json(f.jwks.as_bytes()).unwrap();
        let m = || verify(black_box(f.token.as_bytes()), &jwks, &v, NOW).is_ok();
        let j = || jwt(black_box(&f.token));
        assert!(m() && j(), "{alg}: both accept the fixture token");
        let t = interleaved(&[&m, &j], rounds);
        let (tm, tj) = (&t[0], &t[1]);
        out.push(format!(
            r#"  "{alg}": {{"meshauth_ns": {:.1}, "jsonwebtoken_ns": {:.1}, "ratio": {:.3}}}"#,
            median(&tm.ns),
            median(&tj.ns),
            median(&tj.over(tm))
        ));
        eprintln!("{}", out.last().unwrap());
    }
    println!(
        "{{\"backend\": \"{backend}\", \"rounds\": {rounds}, \"algs\": {{\n{}\n}}}}",
        out.join(",\n")
    );
}
