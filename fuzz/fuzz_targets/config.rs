//! The RequestAuthentication and AuthorizationPolicy JSON parsers: never panic; a parsed
//! configuration can be evaluated against a request without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::{evaluate, Authenticator, AuthorizationPolicy, RequestView};

fuzz_target!(|data: &[u8]| {
    let (authn, policy) = meshauth_fuzz::split2(data);
    let auth = Authenticator::from_json(authn);
    let pols = AuthorizationPolicy::from_json(policy);
    // A request carrying a token the configuration will not verify (no keys are attached).
    let headers = [
        ("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.AAAA"),
        (":authority", "svc.example:8080"),
    ];
    let mut req = RequestView::new("GET", "/path?access_token=a.b.c");
    req.headers = &headers;
    req.port = 8080;
    if let Ok(a) = &auth {
        let _ = a.output_headers();
        let outcome = a.authenticate(&req, 1_800_000_000);
        if let Ok(p) = &pols {
            let d = evaluate(p, &req, &outcome);
            let _ = meshauth_core::policy::http_status(&outcome, &d);
        }
    }
});
