//! verify(token, jwks): never panics; an accepted token is within the size limit, names an
//! allowed algorithm and a key of the set.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::{verify, Jwks, Validation};
use std::sync::OnceLock;

static REF: OnceLock<Jwks> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut v = Validation::new();
    if mode & 2 != 0 {
        v.set_issuer("https://issuer.example")
            .add_audience("meshauth-test");
    }
    let now = 1_800_000_000;
    if mode & 1 == 0 {
        // The token against the fixed reference key set.
        let jwks =
            REF.get_or_init(|| Jwks::from_json(meshauth_fuzz::ref_jwks_json().as_bytes()).unwrap());
        check(rest, jwks, &v, now);
    } else {
        // Token × JWKS: both from the input.
        let (jwks, token) = meshauth_fuzz::split2(rest);
        if let Ok(k) = Jwks::from_json(jwks) {
            check(token, &k, &v, now);
        }
    }
});

fn check(token: &[u8], jwks: &Jwks, v: &Validation, now: i64) {
    if let Ok(ok) = verify(token, jwks, v, now) {
        assert!(token.len() <= 16 * 1024);
        assert!(ok.key_index() < jwks.len());
        assert_eq!(token.iter().filter(|&&b| b == b'.').count(), 2);
    }
}
