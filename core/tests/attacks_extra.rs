//! The project's attack cases that need other keys or raw bytes
//! (tests/vectors/attacks_extra_keys.json, made by tools/gen_attack_keys.py): ES384/ES512
//! psychic and high-S signatures, off-curve and wrong-curve EC keys, RSA exponents, PEM and X.509
//! key forms, embedded header keys, empty HMAC keys, NUL bytes, invalid UTF-8, many dots.
//! Read the same way by every binding suite: the status is the verify status, or
//! JwksNoValidKeys when the key set does not load (then `jwks_status` is the load status).

mod common;

use common::Tally;
use meshauth_core::{verify, Jwks, Status, Validation};
use serde_json::Value;

fn doc() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/attacks_extra_keys.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The token bytes of a case (`token`, `token_hex` or `token_repeat`).
fn token(c: &Value) -> Vec<u8> {
    if let Some(t) = c.get("token").and_then(Value::as_str) {
        t.as_bytes().to_vec()
    } else if let Some(h) = c.get("token_hex").and_then(Value::as_str) {
        common::unhex(h)
    } else {
        let r = &c["token_repeat"];
        r["unit"]
            .as_str()
            .unwrap()
            .repeat(r["count"].as_u64().unwrap() as usize)
            .into_bytes()
    }
}

#[test]
fn attacks_with_keys() {
    let d = doc();
    let val = &d["validation"];
    let mut v = Validation::new();
    v.set_issuer(val["issuer"].as_str().unwrap());
    for a in val["audiences"].as_array().unwrap() {
        v.add_audience(a.as_str().unwrap());
    }
    v.set_clock_skew(val["clock_skew"].as_u64().unwrap());
    let now = val["now"].as_i64().unwrap();
    let mut t = Tally::default();
    let (mut accepted, mut rejected) = (0, 0);
    for c in d["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let keys = if let Some(name) = c.get("pem").and_then(Value::as_str) {
            Jwks::from_pem(d["pem"][name].as_str().unwrap().as_bytes())
        } else if let Some(inline) = c.get("jwks_inline") {
            Jwks::from_json(inline.to_string().as_bytes())
        } else {
            Jwks::from_json(
                d["jwks"][c["jwks"].as_str().unwrap()]
                    .to_string()
                    .as_bytes(),
            )
        };
        let want_load = c.get("jwks_status").and_then(Value::as_str);
        let got_load = keys.as_ref().err().copied().unwrap_or(Status::Ok);
        t.check(got_load.name() == want_load.unwrap_or("Ok"), || {
            format!("{id}: key set {}, want {want_load:?}", got_load.name())
        });
        let got = match &keys {
            Ok(k) => match verify(&token(c), k, &v, now) {
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
        let want = c["status"].as_str().unwrap();
        let outcome_ok = (c["expect"] == "accept") == (got == Status::Ok);
        t.check(outcome_ok && got.name() == want, || {
            format!("{id}: {} ({}), want {want}", got.name(), got.message())
        });
    }
    println!("attacks with keys: {accepted} accepted, {rejected} rejected");
    // The accept controls prove the keys and signatures are real, so the rejections mean something.
    assert!(accepted >= 6, "{accepted} accepted");
    assert!(rejected >= 80, "{rejected} rejected");
    t.finish("tests/vectors/attacks_extra_keys.json");
}
