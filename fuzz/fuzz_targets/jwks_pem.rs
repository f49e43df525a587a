//! Jwks::from_pem: never panics; a loaded set has exactly one key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::Jwks;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = Jwks::from_pem(data) {
        assert_eq!(k.len(), 1);
    }
});
