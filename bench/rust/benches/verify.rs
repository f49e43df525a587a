//! Issue #11: meshauth-core `verify` for each of the 13 algorithms against (a) the raw ring / p521
//! signature check of the same bytes with a pre-built key (the floor) and (b) jsonwebtoken with a
//! pre-built `DecodingKey` and equivalent validation (iss, aud, exp with 60 s leeway); plus
//! `Jwks::from_json` on 10 keys. Times are thread CPU time. Run with `make bench-rust`.
use criterion::{criterion_group, criterion_main, Criterion};
use meshauth_bench::cpu_time::CpuTime;
use meshauth_bench::{load, AlgFixture, ALGS, NOW};
use meshauth_core::{b64, verify, Jwks, Validation};
use ring::{hmac, signature};
use std::hint::black_box;
use std::time::Duration;

#[allow(dead_code)]
#[derive(serde::Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    iat: u64,
    scope: String,
}

fn member(f: &AlgFixture, name: &str) -> Vec<u8> {
    b64::decode(f.jwk[name].as_str().unwrap().as_bytes()).unwrap()
}

/// The raw signature check with a key built once: returns a closure over (signed bytes, sig).
fn floor(alg: &str, f: &AlgFixture) -> Box<dyn Fn(&[u8], &[u8]) -> bool> {
    let rsa = |p: &'static signature::RsaParameters| -> Box<dyn Fn(&[u8], &[u8]) -> bool> {
        let (n, e) = (member(f, "n"), member(f, "e"));
        Box::new(move |m, s| {
            signature::RsaPublicKeyComponents { n: &n, e: &e }
                .verify(p, m, s)
                .is_ok()
        })
    };
    let ec = |a: &'static signature::EcdsaVerificationAlgorithm| -> Box<dyn Fn(&[u8], &[u8]) -> bool> {
        let mut point = vec![4u8];
        point.extend(member(f, "x"));
        point.extend(member(f, "y"));
        Box::new(move |m, s| signature::UnparsedPublicKey::new(a, &point).verify(m, s).is_ok())
    };
    let hs = |a: hmac::Algorithm| -> Box<dyn Fn(&[u8], &[u8]) -> bool> {
        let key = hmac::Key::new(a, &member(f, "k"));
        Box::new(move |m, s| hmac::verify(&key, m, s).is_ok())
    };
    match alg {
        "RS256" => rsa(&signature::RSA_PKCS1_2048_8192_SHA256),
        "RS384" => rsa(&signature::RSA_PKCS1_2048_8192_SHA384),
        "RS512" => rsa(&signature::RSA_PKCS1_2048_8192_SHA512),
        "PS256" => rsa(&signature::RSA_PSS_2048_8192_SHA256),
        "PS384" => rsa(&signature::RSA_PSS_2048_8192_SHA384),
        "PS512" => rsa(&signature::RSA_PSS_2048_8192_SHA512),
        "ES256" => ec(&signature::ECDSA_P256_SHA256_FIXED),
        "ES384" => ec(&signature::ECDSA_P384_SHA384_FIXED),
        "ES512" => {
            use p521::ecdsa::signature::Verifier;
            let mut point = vec![4u8];
            point.extend(member(f, "x"));
            point.extend(member(f, "y"));
            let vk = p521::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
            Box::new(move |m, s| {
                let sig = p521::ecdsa::Signature::from_slice(s).unwrap();
                vk.verify(m, &sig).is_ok()
            })
        }
        "HS256" => hs(hmac::HMAC_SHA256),
        "HS384" => hs(hmac::HMAC_SHA384),
        "HS512" => hs(hmac::HMAC_SHA512),
        "EdDSA" => {
            let pk = member(f, "x");
            Box::new(move |m, s| {
                signature::UnparsedPublicKey::new(&signature::ED25519, &pk)
                    .verify(m, s)
                    .is_ok()
            })
        }
        _ => unreachable!(),
    }
}

fn bench_verify(c: &mut Criterion<CpuTime>) {
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
        g.bench_function("floor", |b| b.iter(|| check(black_box(msg), black_box(&sig))));
        // jsonwebtoken: no ES512.
        if alg != "ES512" {
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(f.jwk.clone()).unwrap();
            let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
            let mut jv = jsonwebtoken::Validation::new(alg.parse().unwrap());
            jv.set_issuer(&[&fx.issuer]);
            jv.set_audience(&[&fx.audience]);
            jv.leeway = 60;
            jsonwebtoken::decode::<Claims>(&f.token, &key, &jv).unwrap();
            g.bench_function("jsonwebtoken", |b| {
                b.iter(|| jsonwebtoken::decode::<Claims>(black_box(&f.token), &key, &jv).is_ok())
            });
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
    for (name, a, b) in [("10-rsa-keys", "RS256", "PS256"), ("10-mixed-keys", "RS256", "ES256")] {
        let mut all = keys(a);
        all.extend(keys(b));
        let doc = serde_json::to_vec(&serde_json::json!({ "keys": all })).unwrap();
        assert_eq!(Jwks::from_json(&doc).unwrap().len(), 10);
        g.bench_function(name, |bch| bch.iter(|| Jwks::from_json(black_box(&doc)).unwrap()));
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
