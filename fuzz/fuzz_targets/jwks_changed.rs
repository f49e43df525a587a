//! jwks_compare::changed(old, new): never panics, and is consistent: a valid document has not
//! changed against itself, and `changed` is symmetric when both documents are valid.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::jwks_compare::{canonical_jwks, changed};

fuzz_target!(|data: &[u8]| {
    let (old, new) = meshauth_fuzz::split2(data);
    let r = changed(old, new);
    let _ = meshauth_core::jwks_compare::diff(old, new);
    if canonical_jwks(new).is_ok() {
        assert_eq!(changed(new, new), Ok(false));
        if canonical_jwks(old).is_ok() {
            assert_eq!(r, changed(new, old));
        }
    } else {
        assert!(r.is_err());
    }
});
