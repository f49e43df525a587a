//! meshauth `verify` against jsonwebtoken `decode`, interleaved: for each algorithm jsonwebtoken
//! supports (all but ES512), each round times one ~80 ms batch of each back to back (process CPU
//! time, order alternating), and the ratio jsonwebtoken / meshauth is taken per round, so both
//! sides share that round's load (criterion's separate measurements do not). The backend comes
//! from `MESHAUTH_BENCH_JWT_BACKEND` (`aws_lc_rs` or `rust_crypto`; one per process). Prints
//! JSON: {"backend": "jsonwebtoken" or "jsonwebtoken-rust_crypto" (the name criterion uses),
//! "rounds": N, "algs": {"ALG": {"meshauth_ns": .., "jsonwebtoken_ns": .., "ratio": ..}}}, with
//! medians over the rounds; `ratio` is jsonwebtoken's time over meshauth's.
use meshauth_bench::{
    batch_size, jsonwebtoken_backend, jsonwebtoken_check, load, process_cpu_ns, ALGS, NOW,
};
use meshauth_core::{verify, Jwks, Validation};
use std::hint::black_box;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

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
        let contenders: [&dyn Fn() -> bool; 2] = [&m, &j];
        assert!(m() && j(), "{alg}: both accept the fixture token");
        let sizes: Vec<u64> = contenders.iter().map(|c| batch_size(*c)).collect();
        let mut times = [Vec::new(), Vec::new()];
        for round in 0..rounds {
            for k in 0..2 {
                let i = (k + round) % 2;
                let t0 = process_cpu_ns();
                for _ in 0..sizes[i] {
                    assert!(contenders[i]());
                }
                times[i].push((process_cpu_ns() - t0) / sizes[i] as f64);
            }
        }
        let ratios: Vec<f64> = (0..rounds).map(|r| times[1][r] / times[0][r]).collect();
        let [tm, tj] = times;
        out.push(format!(
            r#"  "{alg}": {{"meshauth_ns": {:.1}, "jsonwebtoken_ns": {:.1}, "ratio": {:.3}}}"#,
            median(tm),
            median(tj),
            median(ratios)
        ));
        eprintln!("{}", out.last().unwrap());
    }
    println!(
        "{{\"backend\": \"{backend}\", \"rounds\": {rounds}, \"algs\": {{\n{}\n}}}}",
        out.join(",\n")
    );
}
