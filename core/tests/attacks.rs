//! The attack catalogue (../shared/vectors/security/jwt_attacks.json, 167 cases): every token gives
//! its expected outcome and precise status, never a panic.

mod common;

use common::{load, Tally};
use meshauth_core::{verify, Jwks, Status, Validation};
use serde_json::Value;

/// The expected (outcome, status): the case's own, or meshauth's documented override
/// (tests/vectors/attack_overrides.json, shared with the binding suites).
fn expected<'a>(case: &'a Value, overrides: &'a Value) -> (&'a str, &'a str) {
    let o = &overrides["overrides"][case["id"].as_str().unwrap()];
    let src = if o.is_object() { o } else { case };
    (
        src["expect"].as_str().unwrap(),
        src["status"].as_str().unwrap(),
    )
}

#[test]
fn attack_catalogue() {
    let doc = load("security/jwt_attacks.json");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/attack_overrides.json"
    );
    let overrides: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let val = &doc["validation"];
    let mut v = Validation::new();
    v.set_issuer(val["issuer"].as_str().unwrap());
    for a in val["audiences"].as_array().unwrap() {
        v.add_audience(a.as_str().unwrap());
    }
    v.set_clock_skew(val["clock_skew"].as_u64().unwrap());
    let now = val["now"].as_i64().unwrap();
    let mut t = Tally::default();
    let (mut accepted, mut rejected) = (0, 0);
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let jwks_json = match c.get("jwks_inline") {
            Some(inline) => inline.to_string(),
            None => doc["jwks"][c["jwks"].as_str().unwrap()].to_string(),
        };
        let (want_outcome, want_status) = expected(c, &overrides);
        // Envoy answers JwksNoValidKeys when the provider's key set did not load.
        let keys = Jwks::from_json(jwks_json.as_bytes());
        if let Some(js) = c.get("jwks_status").and_then(Value::as_str) {
            if let Some(s) = Status::from_name(js) {
                let got = keys.as_ref().err().copied().unwrap_or(Status::Ok);
                t.check(got == s, || {
                    format!("{id}: key set {}, want {js}", got.name())
                });
            }
        }
        let got = match &keys {
            Ok(k) => match verify(c["token"].as_str().unwrap().as_bytes(), k, &v, now) {
                Ok(_) => Status::Ok,
                Err(s) => s,
            },
            Err(_) => Status::JwksNoValidKeys,
        };
        if got == Status::Ok {
            accepted += 1;
        } else {
            rejected += 1;
        }
        let outcome_ok = (want_outcome == "accept") == (got == Status::Ok);
        t.check(outcome_ok && got.name() == want_status, || {
            format!(
                "{id}: {} ({}), want {want_status} ({want_outcome})",
                got.name(),
                got.message()
            )
        });
    }
    println!("attack catalogue: {accepted} accepted, {rejected} rejected");
    assert_eq!(accepted + rejected, 167);
    t.finish("security/jwt_attacks.json");
}
