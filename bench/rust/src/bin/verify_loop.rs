//! The Rust side of the C comparison, timed exactly as `ffi-c/bench/bench_verify.c` times the C
//! side (process CPU time, ~80 ms batches, median of rounds), and an interleaved meshauth/floor
//! ratio: each round times one batch of meshauth `verify` and one of the raw signature check back
//! to back (in alternating order), and their ratio per round. Prints JSON:
//! {"ALG": {"meshauth": {...}, "floor": {...}, "round_ratios": [...]}, ...}.
//!
//! `verify_loop --count N ALG` instead verifies ALG's token N times in `counted`, untimed: the
//! loop whose instructions `bench/instructions.py` counts with callgrind (against the C side's
//! `counted`).
use meshauth_bench::{batch_size, floor, load, process_cpu_ns, ALGS, NOW};
use meshauth_core::{b64, verify, Jwks, Validation};
use std::hint::black_box;

/// `n` verifications (kept out of line so callgrind can count exactly this loop).
#[inline(never)]
fn counted(token: &[u8], jwks: &Jwks, v: &Validation, n: u64) -> u64 {
    (0..n)
        .filter(|_| verify(black_box(token), jwks, v, NOW).is_ok())
        .count() as u64
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let fx = load();
    if args.get(1).map(String::as_str) == Some("--count") {
        let (n, alg): (u64, &str) = (args[2].parse().unwrap(), &args[3]);
        let mut v = Validation::new();
        v.set_issuer(&fx.issuer);
        v.add_audience(&fx.audience);
        let f = &fx.algs[alg];
        let jwks = Jwks::from_json(f.jwks.as_bytes()).unwrap();
        assert!(verify(f.token.as_bytes(), &jwks, &v, NOW).is_ok());
        assert_eq!(counted(f.token.as_bytes(), &jwks, &v, n), n);
        println!(r#"{{"{alg}": {{"count": {n}}}}}"#);
        return;
    }
    let repeats: usize = args.get(1).map_or(9, |a| a.parse().unwrap());
    let mut v = Validation::new();
    v.set_issuer(&fx.issuer);
    v.add_audience(&fx.audience);
    let mut out = Vec::new();
    for alg in ALGS {
        let f = &fx.algs[alg];
        let jwks = Jwks::from_json(f.jwks.as_bytes()).unwrap();
        let token = f.token.as_bytes();
        let dot = f.token.rfind('.').unwrap();
        let (msg, sig) = (&token[..dot], b64::decode(&token[dot + 1..]).unwrap());
        let check = floor(alg, f);
        let m = || verify(black_box(token), &jwks, &v, NOW).is_ok();
        let fl = || check(black_box(msg), black_box(&sig));
        assert!(m() && fl());
        let contenders: [(&str, &dyn Fn() -> bool); 2] = [("meshauth", &m), ("floor", &fl)];
        let sizes: Vec<u64> = contenders.iter().map(|(_, f)| batch_size(*f)).collect();
        let mut samples = vec![Vec::new(); 2];
        // Per round, meshauth's time over the floor's: the pair shares that round's load. The
        // order alternates so neither side always runs first.
        let mut round_ratios = Vec::new();
        for round in 0..repeats {
            for k in 0..2 {
                let i = (k + round) % 2;
                let f = contenders[i].1;
                let t0 = process_cpu_ns();
                for _ in 0..sizes[i] {
                    assert!(f());
                }
                samples[i].push((process_cpu_ns() - t0) / sizes[i] as f64);
            }
            round_ratios.push(format!("{:.4}", samples[0][round] / samples[1][round]));
        }
        let parts: Vec<String> = contenders
            .iter()
            .zip(samples.iter_mut())
            .zip(&sizes)
            .map(|(((name, _), s), n)| {
                s.sort_by(f64::total_cmp);
                format!(
                    r#""{name}": {{"median_ns": {:.1}, "min_ns": {:.1}, "runs": {}, "batch": {n}}}"#,
                    s[s.len() / 2],
                    s[0],
                    s.len()
                )
            })
            .collect();
        let ratios = format!(r#""round_ratios": [{}]"#, round_ratios.join(", "));
        out.push(format!(r#" "{alg}": {{{}, {ratios}}}"#, parts.join(", ")));
        eprintln!("{alg}: {}", parts.join(", "));
    }
    println!("{{\n{}\n}}", out.join(",\n"));
}
