//! Fixture loading shared by the benchmark and the C-comparison loop.
use meshauth_core::b64;
use ring::{hmac, signature};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One algorithm's fixture (written by `bench/fixtures.py`).
#[derive(Deserialize)]
pub struct AlgFixture {
    pub kid: String,
    pub token: String,
    pub jwks: String,
    pub jwk: serde_json::Value,
}

/// All fixtures.
#[derive(Deserialize)]
pub struct Fixtures {
    pub issuer: String,
    pub audience: String,
    pub algs: BTreeMap<String, AlgFixture>,
}

/// The 13 algorithms, in meshauth's order.
pub const ALGS: [&str; 13] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256",
    "HS384", "HS512", "EdDSA",
];

/// Reads `$MESHAUTH_BENCH_FIXTURES` (default `../../target/bench/fixtures.json`).
pub fn load() -> Fixtures {
    let path = std::env::var("MESHAUTH_BENCH_FIXTURES").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/bench/fixtures.json"
        )
        .into()
    });
    let data =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run `make bench-fixtures`)"));
    serde_json::from_slice(&data).unwrap()
}

/// CPU time of the whole process so far, in nanoseconds (`CLOCK_PROCESS_CPUTIME_ID`, as
/// `ffi-c/bench/bench_verify.c` times the C side).
pub fn process_cpu_ns() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    assert_eq!(
        unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) },
        0
    );
    ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
}

/// How many calls of `f` make a ~80 ms batch (calibrated on batches of at least 20 ms); each
/// call must return true.
pub fn batch_size(f: &dyn Fn() -> bool) -> u64 {
    let mut n = 1u64;
    loop {
        n *= 2;
        let t0 = process_cpu_ns();
        for _ in 0..n {
            assert!(f());
        }
        let t = process_cpu_ns() - t0;
        if t > 20e6 {
            return (n as f64 * 80e6 / t) as u64 + 1;
        }
    }
}

/// One contender's timings from [`interleaved`].
pub struct Timed {
    /// Calls per batch.
    pub batch: u64,
    /// Time per call in each round, in nanoseconds.
    pub ns: Vec<f64>,
}

impl Timed {
    /// Its time per call in each round over `other`'s in the same round.
    pub fn over(&self, other: &Timed) -> Vec<f64> {
        self.ns.iter().zip(&other.ns).map(|(a, b)| a / b).collect()
    }
}

/// Times `contenders` interleaved: each of `rounds` rounds runs one ~80 ms batch of each (sized
/// by [`batch_size`]) back to back, the order rotating by one each round so no contender always
/// runs first, and load that drifts between rounds hits all of a round's batches alike. Every
/// call must return true.
pub fn interleaved(contenders: &[&dyn Fn() -> bool], rounds: usize) -> Vec<Timed> {
    let mut out: Vec<Timed> = contenders
        .iter()
        .map(|c| Timed {
            batch: batch_size(*c),
            ns: Vec::with_capacity(rounds),
        })
        .collect();
    for round in 0..rounds {
        for k in 0..contenders.len() {
            let i = (k + round) % contenders.len();
            let n = out[i].batch;
            let t0 = process_cpu_ns();
            for _ in 0..n {
                assert!(contenders[i]());
            }
            out[i].ns.push((process_cpu_ns() - t0) / n as f64);
        }
    }
    out
}

/// A named check of one backend comparison (`rsa_backends`, `hmac_backends`): whether it accepted.
pub type Contender<'a> = (&'a str, Box<dyn Fn() -> bool + 'a>);

/// Asserts that every contender accepts (`label` names the fixture), times them with
/// [`interleaved`] over `rounds`, and returns their timings with each one's JSON column:
/// `"name": {"median_ns": …, "over_ring": …}`, its median time and the median over rounds of its
/// time over the first contender's (ring's) in the same round.
pub fn compare_backends(
    label: &str,
    checks: &[Contender],
    rounds: usize,
) -> (Vec<Timed>, Vec<String>) {
    for (name, c) in checks {
        assert!(c(), "{label} {name}");
    }
    let fns: Vec<&dyn Fn() -> bool> = checks.iter().map(|(_, c)| &**c).collect();
    let times = interleaved(&fns, rounds);
    let cols = checks
        .iter()
        .zip(&times)
        .map(|((name, _), t)| {
            format!(
                "\"{name}\": {{\"median_ns\": {:.0}, \"over_ring\": {:.3}}}",
                median(&t.ns),
                median(&t.over(&times[0]))
            )
        })
        .collect();
    (times, cols)
}

/// The median of `v` (the upper one of an even count).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// A fixed verification time inside every token's validity.
pub const NOW: i64 = 1_800_000_000;

/// Criterion measurement of CPU time used by the calling thread (`CLOCK_THREAD_CPUTIME_ID`): on a
/// shared machine, time the benchmark thread spends descheduled does not count.
pub mod cpu_time {
    use criterion::measurement::{Measurement, ValueFormatter, WallTime};
    use std::time::Duration;

    /// This thread's CPU time so far.
    pub fn now() -> Duration {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec.
        let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        assert_eq!(rc, 0);
        Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
    }

    /// Thread CPU time, formatted like wall time.
    pub struct CpuTime(WallTime);

    impl Default for CpuTime {
        fn default() -> Self {
            CpuTime(WallTime)
        }
    }

    impl Measurement for CpuTime {
        type Intermediate = Duration;
        type Value = Duration;
        fn start(&self) -> Duration {
            now()
        }
        fn end(&self, i: Duration) -> Duration {
            now() - i
        }
        fn add(&self, v1: &Duration, v2: &Duration) -> Duration {
            *v1 + *v2
        }
        fn zero(&self) -> Duration {
            Duration::ZERO
        }
        fn to_f64(&self, val: &Duration) -> f64 {
            val.as_nanos() as f64
        }
        fn formatter(&self) -> &dyn ValueFormatter {
            self.0.formatter()
        }
    }
}

/// A base64url member of the fixture's JWK (`n`, `e`, `x`, `k`...), decoded.
pub fn member(f: &AlgFixture, name: &str) -> Vec<u8> {
    b64::decode(f.jwk[name].as_str().unwrap().as_bytes()).unwrap()
}

/// A signature check over (signed bytes, signature).
pub type Check = Box<dyn Fn(&[u8], &[u8]) -> bool>;

/// The raw signature check (the floor) with a key built once: returns a closure over (signed bytes, sig).
pub fn floor(alg: &str, f: &AlgFixture) -> Check {
    let rsa = |p: &'static signature::RsaParameters| -> Check {
        let (n, e) = (member(f, "n"), member(f, "e"));
        Box::new(move |m, s| {
            signature::RsaPublicKeyComponents { n: &n, e: &e }
                .verify(p, m, s)
                .is_ok()
        })
    };
    let ec = |a: &'static signature::EcdsaVerificationAlgorithm| -> Check {
        let mut point = vec![4u8];
        point.extend(member(f, "x"));
        point.extend(member(f, "y"));
        Box::new(move |m, s| {
            signature::UnparsedPublicKey::new(a, &point)
                .verify(m, s)
                .is_ok()
        })
    };
    let hs = |a: hmac::Algorithm| -> Check {
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

/// The six claims of a fixture token, as jsonwebtoken decodes them.
#[allow(dead_code)]
#[derive(serde::Deserialize)]
pub struct Claims {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    iat: u64,
    scope: String,
}

/// Installs the jsonwebtoken backend named by `MESHAUTH_BENCH_JWT_BACKEND` (`aws_lc_rs`, the
/// default, or `rust_crypto`) and returns the name of its benchmarks.
pub fn jsonwebtoken_backend() -> &'static str {
    use jsonwebtoken::crypto::{aws_lc, rust_crypto};
    let (provider, name) = match std::env::var("MESHAUTH_BENCH_JWT_BACKEND").as_deref() {
        Ok("rust_crypto") => (&rust_crypto::DEFAULT_PROVIDER, "jsonwebtoken-rust_crypto"),
        Ok("aws_lc_rs") | Err(_) => (&aws_lc::DEFAULT_PROVIDER, "jsonwebtoken"),
        Ok(other) => panic!("MESHAUTH_BENCH_JWT_BACKEND={other}: aws_lc_rs or rust_crypto"),
    };
    provider
        .install_default()
        .expect("one jsonwebtoken backend per process");
    name
}

/// A whole-token check (a token in, accepted or not).
pub type TokenCheck = Box<dyn Fn(&str) -> bool>;

/// jsonwebtoken's `decode` of a token of `alg` with a pre-built `DecodingKey` and a `Validation`
/// for iss, aud and exp (60 s leeway), into [`Claims`]; `None` for ES512, which it lacks. Call
/// [`jsonwebtoken_backend`] first.
pub fn jsonwebtoken_check(alg: &str, fx: &Fixtures) -> Option<TokenCheck> {
    if alg == "ES512" {
        return None;
    }
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(fx.algs[alg].jwk.clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut jv = jsonwebtoken::Validation::new(alg.parse().unwrap());
    jv.set_issuer(&[&fx.issuer]);
    jv.set_audience(&[&fx.audience]);
    jv.leeway = 60;
    Some(Box::new(move |token| {
        jsonwebtoken::decode::<Claims>(token, &key, &jv).is_ok()
    }))
}
