//! Jwks::from_json: never panics; a loaded set is non-empty and within the key-count limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::Jwks;

fuzz_target!(|data: &[u8]| {
    if let Ok(k) = Jwks::from_json(data) {
        assert!(!k.is_empty() && k.len() <= 512);
        assert!(data.len() <= 1 << 20);
    }
});
