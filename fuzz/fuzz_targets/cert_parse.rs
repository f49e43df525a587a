//! cert::parse (PEM chain or DER) and the expiry helpers: never panic; agree with each other.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::cert;

fuzz_target!(|data: &[u8]| {
    let parsed = cert::parse(data);
    let _ = cert::earliest_expiry(data);
    let _ = cert::time_before_expiry(data, 1_800_000_000);
    if let Ok(certs) = &parsed {
        assert!(!certs.is_empty() && certs.len() <= cert::MAX_BLOCKS);
        let _ = cert::chain_expiry(certs);
        for c in certs {
            let _ = c.fingerprint_hex();
        }
    }
    let _ = meshauth_core::bundle::merge(&[data]);
});
