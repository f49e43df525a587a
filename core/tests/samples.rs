//! Known-answer samples: Istio's demo tokens, the JOSE cookbook / RFC 7515 / RFC 8037 / RFC 7797
//! examples, exp/nbf boundaries, and a no-panic property test over random and mutated input.

mod common;

use common::{b64url, load, read};
use meshauth_core::{verify, verify_jws, AlgSet, Jwks, Status, Token, Validation};
use proptest::prelude::*;
use serde_json::Value;

fn status<T>(r: Result<T, Status>) -> Status {
    r.err().unwrap_or(Status::Ok)
}

#[test]
fn istio_demo_token() {
    let jwks = Jwks::from_json(&read("istio-samples/jwks.json")).unwrap();
    let raw = read("istio-samples/demo.jwt");
    let token = std::str::from_utf8(&raw).unwrap().trim_end_matches('\n');
    let mut v = Validation::new();
    v.set_issuer("testing@secure.istio.io");
    // exp is 4685989700 (2118-06-29).
    let ok = verify(token.as_bytes(), &jwks, &v, 1_800_000_000).unwrap();
    assert_eq!(
        ok.principal().as_deref(),
        Some("testing@secure.istio.io/testing@secure.istio.io")
    );
    assert_eq!(ok.exp(), Some(4685989700));
    assert_eq!(
        ok.kid(),
        Some("DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ")
    );
    assert_eq!(
        ok.claim("foo")
            .and_then(|c| c.as_jstr())
            .map(|s| s.to_cow().into_owned())
            .as_deref(),
        Some("bar")
    );
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &v, 4685989700 + 61)),
        Status::JwtExpired
    );
    v.set_issuer("someone-else");
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &v, 1_800_000_000)),
        Status::JwtUnknownIssuer
    );

    let raw = read("istio-samples/groups-scope.jwt");
    let token = std::str::from_utf8(&raw).unwrap().trim_end_matches('\n');
    let ok = verify(token.as_bytes(), &jwks, &Validation::new(), 1_800_000_000).unwrap();
    let scopes: Vec<String> = ok.scopes().into_iter().map(|s| s.into_owned()).collect();
    assert_eq!(scopes, ["scope1", "scope2"]);
}

#[test]
fn istio_test_tokens() {
    let doc = load("istio-samples/tests-common-jwt/tokens.json");
    let jwks = Jwks::from_json(&read("istio-samples/tests-common-jwt/jwks.json")).unwrap();
    let mut verified = 0;
    for t in doc["tokens"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let got = verify(
            t["token"].as_str().unwrap().as_bytes(),
            &jwks,
            &Validation::new(),
            1_700_000_000,
        );
        if name == "TokenInvalid" {
            assert_eq!(status(got), Status::JwtBadFormat);
            continue;
        }
        let payload = &t["payload"];
        let exp = payload["exp"].as_i64().unwrap();
        if exp + 60 < 1_700_000_000 {
            assert_eq!(status(got), Status::JwtExpired, "{name}");
            let at_exp = verify(
                t["token"].as_str().unwrap().as_bytes(),
                &jwks,
                &Validation::new(),
                exp,
            );
            assert_eq!(status(at_exp), Status::Ok, "{name}");
            verified += 1;
            continue;
        }
        let v = got.unwrap_or_else(|s| panic!("{name}: {s:?}"));
        assert_eq!(v.iss(), payload["iss"].as_str(), "{name}");
        assert_eq!(v.sub(), payload["sub"].as_str(), "{name}");
        assert_eq!(v.exp(), payload["exp"].as_u64(), "{name}");
        let claims: Value = serde_json::from_str(v.payload_json()).unwrap();
        assert_eq!(&claims, payload, "{name}");
        verified += 1;
    }
    assert_eq!(verified, 13);
}

#[test]
fn jose_cookbook_compact() {
    // (file, the JWS verifies) — the key is the example's own (public part).
    for (file, valid) in [
        ("jws/4_1.rsa_v15_signature.json", true),
        ("jws/4_2.rsa-pss_signature.json", true),
        ("jws/4_3.ecdsa_signature.json", true),
        ("jws/4_4.hmac-sha2_integrity_protection.json", true),
        ("jws/4_5.signature_with_detached_content.json", false),
        ("curve25519/jws.json", true),
    ] {
        let doc = load(&format!("jose-cookbook/{file}"));
        let mut key = doc["input"]["key"].clone();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            key.as_object_mut().unwrap().remove(private);
        }
        let jwks =
            Jwks::from_json(serde_json::json!({ "keys": [key] }).to_string().as_bytes()).unwrap();
        let compact = doc["output"]["compact"].as_str().unwrap();
        let got = verify_jws(compact.as_bytes(), &jwks, AlgSet::ALL, 1 << 16);
        assert_eq!(got.is_ok(), valid, "{file}: {:?}", got.err());
        if let Ok(v) = got {
            assert_eq!(
                v.payload(),
                doc["input"]["payload"].as_str().unwrap().as_bytes(),
                "{file}"
            );
            // As a JWT the payload (a quotation) is not a claims set.
            assert_eq!(
                status(verify(compact.as_bytes(), &jwks, &Validation::new(), 0)),
                Status::JwtPayloadParseErrorBadJson,
                "{file}"
            );
        }
    }
    // RFC 7797 b64=false names "b64" in crit: not understood, so rejected (D6).
    let doc = load("jose-cookbook/rfc7797/hmac-sha2_b64_false.json");
    let key = &doc["input"]["key"];
    let jwks =
        Jwks::from_json(serde_json::json!({ "keys": [key] }).to_string().as_bytes()).unwrap();
    let compact = doc["output"]["compact"].as_str().unwrap();
    assert_eq!(
        status(verify_jws(compact.as_bytes(), &jwks, AlgSet::ALL, 1 << 16)),
        Status::JwtHeaderUnsupportedCrit
    );
}

#[test]
fn rfc7515_appendix_a() {
    let doc = load("jose-cookbook/rfc7515/appendix_a.json");
    for v in doc["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let jws = v["jws"].as_str().unwrap();
        let valid = v["expected"] == "valid";
        let Some(jwk) = v.get("jwk") else {
            // A.5: an unsecured JWS (alg none) is never accepted.
            assert!(!valid);
            assert_eq!(
                status(Token::parse(jws)),
                Status::JwtHeaderNotImplementedAlg,
                "{id}"
            );
            continue;
        };
        let jwks =
            Jwks::from_json(serde_json::json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap();
        let got = verify_jws(jws.as_bytes(), &jwks, AlgSet::ALL, 1 << 16);
        assert_eq!(got.is_ok(), valid, "{id}: {:?}", got.err());
        if let (Ok(t), Some(p)) = (&got, v["payload_json"].as_str()) {
            assert_eq!(t.payload(), p.as_bytes(), "{id}");
            // As a JWT: exp 1300819380 with a clock just before and just after it (+60 s skew).
            let jwt = verify(jws.as_bytes(), &jwks, &Validation::new(), 1300819380 + 60);
            assert_eq!(status(jwt), Status::Ok, "{id}");
            let jwt = verify(jws.as_bytes(), &jwks, &Validation::new(), 1300819380 + 61);
            assert_eq!(status(jwt), Status::JwtExpired, "{id}");
        }
    }
}

/// An HS256 token over `claims` with a fixed 32-byte key, signed with an independent HMAC.
fn hs256(claims: &str) -> (String, Jwks) {
    let key = [7u8; 32];
    let jwks = Jwks::from_json(
        format!(r#"{{"keys":[{{"kty":"oct","k":"{}"}}]}}"#, b64url(&key)).as_bytes(),
    )
    .unwrap();
    (
        common::hs256_token(r#"{"alg":"HS256"}"#, claims, &key),
        jwks,
    )
}

#[test]
fn exp_nbf_boundaries() {
    // Envoy: now + skew < nbf is not yet valid; now > exp + skew is expired (both inclusive-OK).
    let (nbf, exp) = (1_000_000i64, 2_000_000i64);
    let (token, jwks) = hs256(&format!(r#"{{"nbf":{nbf},"exp":{exp}}}"#));
    for skew in [0u64, 60, 300] {
        let mut v = Validation::new();
        v.set_clock_skew(skew);
        let s = skew as i64;
        for (now, want) in [
            (nbf - s - 1, Status::JwtNotYetValid),
            (nbf - s, Status::Ok),
            (nbf - s + 1, Status::Ok),
            (exp + s - 1, Status::Ok),
            (exp + s, Status::Ok),
            (exp + s + 1, Status::JwtExpired),
        ] {
            assert_eq!(
                status(verify(token.as_bytes(), &jwks, &v, now)),
                want,
                "skew {skew} now {now}"
            );
        }
    }
    // D5: exp 0 is 1970, not "never".
    let (token, jwks) = hs256(r#"{"exp":0}"#);
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &Validation::new(), 61)),
        Status::JwtExpired
    );
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &Validation::new(), 60)),
        Status::Ok
    );
    // Fractions are truncated (exp 100.9 is 100).
    let (token, jwks) = hs256(r#"{"exp":100.9}"#);
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &Validation::new(), 161)),
        Status::JwtExpired
    );
    // require_exp and max_lifetime.
    let (token, jwks) = hs256(r#"{"iat":1000,"exp":5000}"#);
    let mut v = Validation::new();
    v.set_max_lifetime(Some(3999));
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &v, 2000)),
        Status::JwtLifetimeTooLong
    );
    v.set_max_lifetime(Some(4000));
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &v, 2000)),
        Status::Ok
    );
    let (token, jwks) = hs256(r#"{"iat":1000}"#);
    let mut v = Validation::new();
    v.set_require_exp(true);
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &v, 2000)),
        Status::JwtMissingExp
    );
    // max_age (jose's maxTokenAge): iat required; now - iat beyond max + skew is expired.
    let (token, jwks) = hs256(r#"{"iat":1000,"exp":9000}"#);
    let mut v = Validation::new();
    v.set_clock_skew(10).set_max_age(Some(990));
    let at = |now| status(verify(token.as_bytes(), &jwks, &v, now));
    assert_eq!(at(2000), Status::Ok);
    assert_eq!(at(2001), Status::JwtExpired);
    let (no_iat, jwks2) = hs256(r#"{"exp":9000}"#);
    assert_eq!(
        status(verify(no_iat.as_bytes(), &jwks2, &v, 2000)),
        Status::JwtMissingIat
    );
    // Allow-list.
    let mut v = Validation::new();
    v.set_algorithms([meshauth_core::Alg::RS256].into_iter().collect());
    assert_eq!(
        status(verify(token.as_bytes(), &jwks, &v, 2000)),
        Status::JwtAlgNotAllowed
    );
}

#[test]
fn extra_attacks() {
    // What the shared catalogue lacks (tests/vectors/extra_attacks.json): each token gives its status.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/extra_attacks.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut n = 0;
    for c in doc["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let claims = c["claims"].as_str().unwrap();
        let (mut token, jwks) = hs256(claims);
        if let Some(suffix) = c.get("append_to_signature").and_then(Value::as_str) {
            token.push_str(suffix);
        }
        let mut v = Validation::new();
        if let Some(iss) = c.get("issuer").and_then(Value::as_str) {
            v.set_issuer(iss);
        }
        for a in c
            .get("audiences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            v.add_audience(a.as_str().unwrap());
        }
        let got = status(verify(
            token.as_bytes(),
            &jwks,
            &v,
            c["now"].as_i64().unwrap_or(1_700_000_000),
        ));
        assert_eq!(got.name(), c["status"].as_str().unwrap(), "{id}");
        n += 1;
    }
    assert!(n >= 10);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Jwks::from_json(&data);
        let _ = Jwks::from_pem(&data);
        let jwks = Jwks::from_json(br#"{"keys":[{"kty":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}"#).unwrap();
        let _ = verify(&data, &jwks, &Validation::new(), 0);
        let _ = meshauth_core::json::parse(&data, 32);
    }

    #[test]
    fn mutated_tokens_never_panic(pos in 0usize..400, byte in any::<u8>(), cut in 0usize..400) {
        let (token, jwks) = hs256(r#"{"iss":"a","sub":"b","aud":["x","y"],"exp":2000000000,"n":{"a":[1,2,{"b":null}]}}"#);
        let mut t = token.into_bytes();
        let i = pos % t.len();
        t[i] = byte;
        t.truncate(cut.max(1).min(t.len()));
        let _ = verify(&t, &jwks, &Validation::new(), 0);
    }

    #[test]
    fn mutated_jwks_never_panic(pos in 0usize..2000, byte in any::<u8>()) {
        let mut doc = read("istio-samples/jwks.json");
        let i = pos % doc.len();
        doc[i] = byte;
        let _ = Jwks::from_json(&doc);
    }
}
