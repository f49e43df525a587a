//! Issue #11: meshauth-core `verify` for each of the 13 algorithms against (a) the raw ring / p521
//! signature check of the same bytes with a pre-built key (the floor) and (b) jsonwebtoken with a
//! pre-built `DecodingKey` and equivalent validation (iss, aud, exp with 60 s leeway); plus
//! `Jwks::from_json` on 10 keys. Times are thread CPU time. Run with `make bench-rust`, which runs
//! this twice: once whole with jsonwebtoken's AWS-LC backend (`jsonwebtoken`), then only
//! `jsonwebtoken-rust_crypto` with `MESHAUTH_BENCH_JWT_BACKEND=rust_crypto` (a process can install
//! one jsonwebtoken backend).
use criterion::{criterion_group, criterion_main, Criterion};
use meshauth_bench::cpu_time::CpuTime;
use meshauth_bench::{floor, jsonwebtoken_backend, jsonwebtoken_check, load, ALGS, NOW};
use meshauth_core::{b64, verify, Jwks, Validation};
use std::hint::black_box;
use std::time::Duration;

fn bench_verify(c: &mut Criterion<CpuTime>) {
    let jwt_name = jsonwebtoken_backend();
    let fx = load();
    let mut v = Validation::new();
    v.set_issuer(&fx.issuer);
    v.add_audience(&fx.audience);
    for alg in ALGS {
        let f = &fx.algs[alg];
        let jwks = Jwks::from_json(f.jwks.as_bytes()).unwrap();
        let token = f.token.as_bytes();
        assert_eq!(verify(token, &jwks, &v, NOW).unwrap().key_index(), 2);
        let mut g = c.benchmark_group(format!("verify/{alg}"));
        g.bench_function("meshauth", |b| {
            b.iter(|| verify(black_box(token), &jwks, &v, NOW).is_ok())
        });
        // The floor: the same signed bytes and signature, already split and decoded.
        let dot = f.token.rfind('.').unwrap();
        let (msg, sig) = (&token[..dot], b64::decode(&token[dot + 1..]).unwrap());
        let check = floor(alg, f);
        assert!(check(msg, &sig));
        g.bench_function("floor", |b| {
            b.iter(|| check(black_box(msg), black_box(&sig)))
        });
        // jsonwebtoken: no ES512.
        if let Some(jwt) = jsonwebtoken_check(alg, &fx) {
            assert!(jwt(&f.token));
            g.bench_function(jwt_name, |b| b.iter(|| jwt(black_box(&f.token))));
        }
        g.finish();
    }
}

fn bench_jwks(c: &mut Criterion<CpuTime>) {
    let fx = load();
    let keys = |alg: &str| -> Vec<serde_json::Value> {
        let doc: serde_json::Value = serde_json::from_str(&fx.algs[alg].jwks).unwrap();
        doc["keys"].as_array().unwrap().clone()
    };
    let mut g = c.benchmark_group("Jwks::from_json");
    // EC keys get a verification table each at load (`JwksOptions::ec_tables`).
    for (name, algs) in [
        ("10-rsa-keys", &["RS256", "PS256"][..]),
        ("10-mixed-keys", &["RS256", "ES256"]),
        ("5-p256-keys", &["ES256"]),
        ("5-p384-keys", &["ES384"]),
        ("5-p521-keys", &["ES512"]),
    ] {
        let all: Vec<serde_json::Value> = algs.iter().flat_map(|a| keys(a)).collect();
        let doc = serde_json::to_vec(&serde_json::json!({ "keys": all })).unwrap();
        assert_eq!(Jwks::from_json(&doc).unwrap().len(), 5 * algs.len());
        g.bench_function(name, |bch| {
            bch.iter(|| Jwks::from_json(black_box(&doc)).unwrap())
        });
    }
    g.finish();
}

/// Thread CPU time, not wall time: the machine is shared (see BENCHMARKS.md).
fn config() -> Criterion<CpuTime> {
    Criterion::default()
        .with_measurement(CpuTime::default())
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(3))
        .sample_size(60)
}

criterion_group!(name = benches; config = config(); targets = bench_verify, bench_jwks);
criterion_main!(benches);
