//! The Rust side of the C comparison, timed exactly as `ffi-c/bench/bench_verify.c` times the C
//! side (process CPU time, ~80 ms batches, median of rounds), with two interleaved ratios: each
//! round times one batch of meshauth `verify`, one of the raw signature check and one of
//! `meshauth_verify` through the C ABI of `libmeshauth.so` (the library C programs link, called
//! as they call it) back to back, in rotating order. Per round it records meshauth/floor and
//! C ABI/meshauth. Prints JSON:
//! {"ALG": {"meshauth": {...}, "floor": {...}, "c_abi": {...}, "round_ratios": [...],
//! "c_round_ratios": [...]}, ...}.
//!
//! `verify_loop --count N ALG` instead verifies ALG's token N times in `counted`, untimed: the
//! loop whose instructions `bench/instructions.py` counts with callgrind (against the C side's
//! `counted`).
use meshauth_bench::{floor, interleaved, load, median, Timed, ALGS, NOW};
use meshauth_core::{b64, verify, Jwks, Validation};
use std::hint::black_box;

/// The few C API calls the loop needs, from `include/meshauth.h` (statuses are C `int`s; 0 is OK).
mod c_abi {
    use std::ffi::c_char;

    #[repr(C)]
    pub struct Jwks([u8; 0]);
    #[repr(C)]
    pub struct Validation([u8; 0]);
    #[repr(C)]
    pub struct Verified([u8; 0]);

    extern "C" {
        pub fn meshauth_jwks_from_json(json: *const u8, len: usize, out: *mut *mut Jwks) -> i32;
        pub fn meshauth_jwks_free(jwks: *mut Jwks);
        pub fn meshauth_validation_new() -> *mut Validation;
        pub fn meshauth_validation_set_issuer(
            v: *mut Validation,
            iss: *const c_char,
            len: usize,
        ) -> i32;
        pub fn meshauth_validation_add_audience(
            v: *mut Validation,
            aud: *const c_char,
            len: usize,
        ) -> i32;
        pub fn meshauth_validation_free(v: *mut Validation);
        pub fn meshauth_verify(
            jwks: *const Jwks,
            v: *const Validation,
            token: *const c_char,
            len: usize,
            now: i64,
            out: *mut *mut Verified,
        ) -> i32;
    }

    /// A key set and validation made through the C API, as `bench_verify.c` makes them.
    pub struct Verifier {
        jwks: *mut Jwks,
        v: *mut Validation,
    }

    impl Verifier {
        pub fn new(jwks: &str, issuer: &str, audience: &str) -> Verifier {
            let mut ks = std::ptr::null_mut();
            // SAFETY: each pointer/length pair is a live Rust string; the handles are freed in Drop.
            unsafe {
                assert_eq!(
                    meshauth_jwks_from_json(jwks.as_ptr(), jwks.len(), &mut ks),
                    0
                );
                let v = meshauth_validation_new();
                assert_eq!(
                    meshauth_validation_set_issuer(v, issuer.as_ptr().cast(), issuer.len()),
                    0
                );
                assert_eq!(
                    meshauth_validation_add_audience(v, audience.as_ptr().cast(), audience.len()),
                    0
                );
                Verifier { jwks: ks, v }
            }
        }

        /// `meshauth_verify(jwks, v, token, len, now, NULL) == MESHAUTH_STATUS_OK`.
        pub fn verify(&self, token: &[u8], now: i64) -> bool {
            // SAFETY: the handles are live; the token is a live byte slice.
            unsafe {
                meshauth_verify(
                    self.jwks,
                    self.v,
                    token.as_ptr().cast(),
                    token.len(),
                    now,
                    std::ptr::null_mut(),
                ) == 0
            }
        }
    }

    impl Drop for Verifier {
        fn drop(&mut self) {
            // SAFETY: the handles came from the C API and are freed once.
            unsafe {
                meshauth_validation_free(self.v);
                meshauth_jwks_free(self.jwks);
            }
        }
    }
}

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
        let c = c_abi::Verifier::new(&f.jwks, &fx.issuer, &fx.audience);
        let m = || verify(black_box(token), &jwks, &v, NOW).is_ok();
        let fl = || check(black_box(msg), black_box(&sig));
        let ca = || c.verify(black_box(token), NOW);
        assert!(m() && fl() && ca());
        // Per round, meshauth's time over the floor's and the C ABI's over meshauth's: each pair
        // shares that round's load.
        let names = ["meshauth", "floor", "c_abi"];
        let times = interleaved(&[&m, &fl, &ca], repeats);
        let per_round = |a: &Timed, b: &Timed| -> Vec<String> {
            a.over(b).iter().map(|r| format!("{r:.4}")).collect()
        };
        let round_ratios = per_round(&times[0], &times[1]);
        let c_round_ratios = per_round(&times[2], &times[0]);
        let parts: Vec<String> = names
            .iter()
            .zip(&times)
            .map(|(name, t)| {
                let min = t.ns.iter().copied().fold(f64::INFINITY, f64::min);
                format!(
                    r#""{name}": {{"median_ns": {:.1}, "min_ns": {min:.1}, "runs": {}, "batch": {}}}"#,
                    median(&t.ns),
                    t.ns.len(),
                    t.batch
                )
            })
            .collect();
        let ratios = format!(
            r#""round_ratios": [{}], "c_round_ratios": [{}]"#,
            round_ratios.join(", "),
            c_round_ratios.join(", ")
        );
        out.push(format!(r#" "{alg}": {{{}, {ratios}}}"#, parts.join(", ")));
        eprintln!("{alg}: {}", parts.join(", "));
    }
    println!("{{\n{}\n}}", out.join(",\n"));
}
