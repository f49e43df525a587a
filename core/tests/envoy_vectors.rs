//! Envoy's jwt_verify_lib test suite, as JSON vectors (../shared/vectors/jwt_verify_lib): every
//! case gives its expected status (its `strict_expect*` where tagged with a divergence), and the
//! `strict_equivalent` rewrite gives the original answer.

mod common;

use common::{b64url, load, Tally};
use meshauth_core::{verify, Jwks, JwksOptions, Status, Token, Validation};
use serde_json::Value;

fn want<'a>(case: &'a Value, field: &str) -> &'a str {
    case.get(format!("strict_{field}"))
        .or_else(|| case.get(field))
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{} has no {field}", case["name"]))
}

fn name(s: Result<(), Status>) -> &'static str {
    match s {
        Ok(()) => "Ok",
        Err(e) => e.name(),
    }
}

#[test]
fn status_table_matches_envoy() {
    let table = load("jwt_verify_lib/status.json");
    let rows = table.as_array().unwrap();
    assert_eq!(rows.len(), 73);
    for row in rows {
        let code = row["code"].as_u64().unwrap() as u16;
        let s = Status::from_code(code).unwrap();
        assert_eq!(s.name(), row["name"].as_str().unwrap());
        assert_eq!(s.message(), row["message"].as_str().unwrap());
        assert_eq!(s.to_string(), row["message"].as_str().unwrap());
        assert_eq!(Status::from_name(s.name()), Some(s));
    }
    // meshauth's own codes follow, each with a distinct name and a message.
    let extra: Vec<Status> = Status::all().skip(73).collect();
    assert!(extra.contains(&Status::JwtHeaderUnsupportedCrit));
    for s in extra {
        assert!(s.code() >= 73 && !s.message().is_empty());
    }
    assert_eq!(Status::JwtAudienceNotAllowed.http_status(), 403);
    assert_eq!(Status::JwtExpired.http_status(), 401);
}

fn jwks_status(case: &Value, input: &str) -> (Result<Jwks, Status>, &'static str) {
    let opts = JwksOptions::default();
    let r = match (
        case["api"].as_str().unwrap(),
        case["input_type"].as_str().unwrap(),
    ) {
        ("createFromPem", _) => Jwks::from_pem_with(
            input.as_bytes(),
            case["kid"].as_str(),
            case["alg"].as_str(),
            &opts,
        ),
        (_, "pem") => Jwks::from_pem(input.as_bytes()),
        _ => Jwks::from_json(input.as_bytes()),
    };
    let n = match &r {
        Ok(_) => "Ok",
        Err(s) => s.name(),
    };
    (r, n)
}

fn check_keys(t: &mut Tally, label: &str, jwks: &Jwks, keys: &Value) {
    let keys = keys.as_array().unwrap();
    for (i, want) in keys.iter().enumerate() {
        let Some(k) = jwks.keys().get(i) else {
            t.check(false, || format!("{label}: no key {i}"));
            continue;
        };
        let got = [
            ("alg", k.alg().unwrap_or("").to_string()),
            ("kid", k.kid().unwrap_or("").to_string()),
            ("kty", k.kty().name().to_string()),
            ("crv", k.curve().map(|c| c.name()).unwrap_or("").to_string()),
        ];
        for (field, value) in got {
            if let Some(w) = want.get(field).and_then(Value::as_str) {
                t.check(w == value, || {
                    format!("{label}: key {i} {field} = {value:?}, want {w:?}")
                });
            }
        }
    }
}

#[test]
fn jwks_cases() {
    let cases = load("jwt_verify_lib/jwks.json");
    let mut t = Tally::default();
    for c in cases.as_array().unwrap() {
        let label = c["name"].as_str().unwrap().to_string();
        let mut runs = vec![(
            label.clone(),
            c["input"].as_str().unwrap().to_string(),
            true,
        )];
        if let Some(eq) = c.get("strict_equivalent") {
            runs.push((
                format!("{label} [strict_equivalent]"),
                eq["input"].as_str().unwrap().to_string(),
                false,
            ));
        }
        for (label, input, strict) in runs {
            let expect = if strict {
                want(c, "expect")
            } else {
                c["expect"].as_str().unwrap()
            };
            let (r, got) = jwks_status(c, &input);
            t.check(got == expect, || format!("{label}: {got}, want {expect}"));
            let count_field = if strict && c.get("strict_key_count").is_some() {
                "strict_key_count"
            } else {
                "key_count"
            };
            if let (Ok(jwks), Some(n)) = (&r, c.get(count_field).and_then(Value::as_u64)) {
                t.check(jwks.len() as u64 == n, || {
                    format!("{label}: {} keys, want {n}", jwks.len())
                });
            }
            if let (Ok(jwks), Some(keys)) = (&r, c.get("keys")) {
                check_keys(&mut t, &label, jwks, keys);
            }
            if let (Ok(jwks), Some(kids)) = (&r, c.get("key_kids_any_order")) {
                let mut got: Vec<String> = jwks
                    .keys()
                    .iter()
                    .map(|k| k.kid().unwrap_or("").into())
                    .collect();
                let mut want: Vec<String> = kids
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k.as_str().unwrap().into())
                    .collect();
                got.sort();
                want.sort();
                t.check(got == want, || {
                    format!("{label}: kids {got:?}, want {want:?}")
                });
            }
            if let (Ok(mut jwks), Some(add)) = (r, c.get("add_key_from_pem")) {
                let res = jwks.add_pem(
                    add["input"].as_str().unwrap().as_bytes(),
                    add["kid"].as_str(),
                    add["alg"].as_str(),
                    &JwksOptions::default(),
                );
                let got = name(res);
                let w = add["expect"].as_str().unwrap();
                t.check(got == w, || {
                    format!("{label}: addKeyFromPem {got}, want {w}")
                });
                if let Some(n) = add.get("key_count_after").and_then(Value::as_u64) {
                    t.check(jwks.len() as u64 == n, || {
                        format!("{label}: {} keys after add, want {n}", jwks.len())
                    });
                }
                if let Some(keys) = add.get("keys_after") {
                    check_keys(&mut t, &label, &jwks, keys);
                }
            }
        }
    }
    t.finish("jwt_verify_lib/jwks.json");
}

#[test]
fn jwt_parse_cases() {
    let cases = load("jwt_verify_lib/jwt_parse.json");
    let mut t = Tally::default();
    for c in cases.as_array().unwrap() {
        let label = c["name"].as_str().unwrap();
        let expect = want(c, "expect");
        let r = Token::parse(c["token"].as_str().unwrap());
        let got = match &r {
            Ok(_) => "Ok",
            Err(s) => s.name(),
        };
        t.check(got == expect, || format!("{label}: {got}, want {expect}"));
        let Ok(tok) = r else { continue };
        let absent: Vec<&str> = c
            .get("absent_claims")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (field, got) in [
            ("alg", Some(tok.alg().name().to_string())),
            ("kid", tok.kid().map(String::from)),
            ("iss", tok.iss().map(String::from)),
            ("sub", tok.sub().map(String::from)),
            ("jti", tok.jti().map(String::from)),
        ] {
            if let Some(w) = c.get(field).and_then(Value::as_str) {
                let want = if absent.contains(&field) {
                    None
                } else {
                    Some(w.to_string())
                };
                t.check(got == want, || {
                    format!("{label}: {field} {got:?}, want {want:?}")
                });
            }
        }
        for (field, got) in [("iat", tok.iat()), ("nbf", tok.nbf()), ("exp", tok.exp())] {
            if let Some(w) = c.get(field).and_then(Value::as_u64) {
                let want = if absent.contains(&field) {
                    None
                } else {
                    Some(w)
                };
                t.check(got == want, || {
                    format!("{label}: {field} {got:?}, want {want:?}")
                });
            }
        }
        if let Some(aud) = c.get("aud").and_then(Value::as_array) {
            let want: Vec<&str> = aud.iter().map(|a| a.as_str().unwrap()).collect();
            let got: Vec<String> = tok.audiences().map(|a| a.into_owned()).collect();
            t.check(got == want, || {
                format!("{label}: aud {got:?}, want {want:?}")
            });
        }
        if let Some(n) = c.get("sub_length_gt").and_then(Value::as_u64) {
            t.check(tok.sub().unwrap_or("").len() as u64 > n, || {
                format!("{label}: sub too short")
            });
        }
        if let Some(hex) = c.get("signature_hex").and_then(Value::as_str) {
            let sig = tok.as_str().rsplit('.').next().unwrap();
            let bytes = meshauth_core::b64::decode(sig.as_bytes()).unwrap();
            let got: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            t.check(got == hex, || format!("{label}: signature bytes differ"));
        }
        for (field, source) in [("payload_claims", false), ("header_claims", true)] {
            let Some(map) = c.get(field).and_then(Value::as_object) else {
                continue;
            };
            for (path, w) in map {
                let obj = if source { tok.header() } else { tok.claims() };
                let got = meshauth_core::claims::lookup(obj, path.split('.'));
                let ok = match (got, w) {
                    (Some(meshauth_core::json::Value::String(s)), Value::String(w)) => {
                        s.to_cow() == w.as_str()
                    }
                    (Some(meshauth_core::json::Value::Number(n)), Value::Number(w)) => {
                        meshauth_core::json::number_to_u64(n)
                            == meshauth_core::json::UintClaim::Value(w.as_u64().unwrap())
                    }
                    (Some(meshauth_core::json::Value::Bool(b)), Value::Bool(w)) => b == *w,
                    _ => false,
                };
                t.check(ok, || format!("{label}: {field} {path}"));
            }
        }
        if c.get("token_preserved").and_then(Value::as_bool) == Some(true) {
            t.check(tok.as_str() == c["token"].as_str().unwrap(), || {
                format!("{label}: token text")
            });
        }
    }
    t.finish("jwt_verify_lib/jwt_parse.json");
}

fn build_keyset(c: &Value, strict: bool) -> Result<Jwks, Status> {
    let text = |f: &str| -> String {
        if !strict {
            if let Some(eq) = c.get("strict_equivalent").and_then(|e| e.get(f)) {
                return eq.as_str().unwrap().to_string();
            }
        }
        c[f].as_str().unwrap_or("").to_string()
    };
    match c["jwks_type"].as_str().unwrap() {
        "jwks" => Jwks::from_json(text("jwks").as_bytes()),
        "pem" => Jwks::from_pem_with(
            text("jwks").as_bytes(),
            None,
            c["pem_alg"].as_str(),
            &JwksOptions::default(),
        ),
        _ => Ok(Jwks::empty()),
    }
}

fn mutants(token: &str, how: &str) -> Vec<String> {
    let (signed, sig) = token.rsplit_once('.').unwrap();
    let sig = meshauth_core::b64::decode(sig.as_bytes()).unwrap();
    let mut out = Vec::new();
    match how {
        "bitflip" => {
            for b in 0..sig.len() {
                for k in 0..8 {
                    let mut m = sig.clone();
                    m[b] ^= 1 << k;
                    out.push(format!("{signed}.{}", b64url(&m)));
                }
            }
        }
        "truncate" => {
            for len in 1..sig.len() {
                out.push(format!("{signed}.{}", b64url(&sig[..len])));
            }
        }
        other => panic!("unknown mutation {other}"),
    }
    out
}

#[test]
fn verify_cases() {
    let cases = load("jwt_verify_lib/verify.json");
    let mut t = Tally::default();
    let mut mutants_run = 0;
    for c in cases.as_array().unwrap() {
        let base = c["name"].as_str().unwrap().to_string();
        let mut runs = vec![(base.clone(), true)];
        if c.get("strict_equivalent").is_some() {
            runs.push((format!("{base} [strict_equivalent]"), false));
        }
        for (label, strict) in runs {
            let pick = |f: &str| -> String {
                if strict {
                    want(c, f).to_string()
                } else {
                    c[f].as_str().unwrap().to_string()
                }
            };
            let token = if strict {
                c["token"].as_str().unwrap().to_string()
            } else {
                c["strict_equivalent"]
                    .get("token")
                    .and_then(Value::as_str)
                    .unwrap_or(c["token"].as_str().unwrap())
                    .to_string()
            };
            let parsed = Token::parse(&token);
            let got = parsed.as_ref().map(|_| ()).map_err(|s| *s);
            let want_parse = pick("expect_parse");
            t.check(name(got) == want_parse, || {
                format!("{label}: parse {}, want {want_parse}", name(got))
            });
            let keys = build_keyset(c, strict);
            let want_jwks = pick("expect_jwks");
            if c["jwks_type"] != "none" {
                let got = keys.as_ref().map(|_| ()).map_err(|s| *s);
                t.check(name(got) == want_jwks, || {
                    format!("{label}: jwks {}, want {want_jwks}", name(got))
                });
            }
            let now = c["now"]
                .as_u64()
                .map(|n| i64::try_from(n).unwrap_or(i64::MAX))
                .unwrap();
            let skew = c["clock_skew"].as_u64().unwrap();
            let expect = pick("expect");
            if c["api"] == "verifyTimeConstraint" {
                let tc = &c["time_claims"];
                let got = meshauth_core::verify::check_time(
                    tc["nbf"].as_u64(),
                    tc["exp"].as_u64(),
                    now,
                    skew,
                );
                let w = c["expect_time"].as_str().unwrap();
                t.check(name(got) == w, || {
                    format!("{label}: time {}, want {w}", name(got))
                });
                match parsed {
                    Err(s) => t.check(s.name() == expect, || format!("{label}: {expect}")),
                    Ok(tok) if c.get("claim_overrides").is_none() => {
                        let got =
                            meshauth_core::verify::check_time(tok.nbf(), tok.exp(), now, skew);
                        t.check(name(got) == expect, || {
                            format!("{label}: time from token {}, want {expect}", name(got))
                        });
                    }
                    Ok(_) => {}
                }
                continue;
            }
            let Ok(keys) = keys else { continue };
            if parsed.is_err() {
                continue;
            }
            let mut v = Validation::new();
            v.set_clock_skew(skew);
            if let Some(auds) = c["audiences"].as_array() {
                for a in auds {
                    v.add_audience(a.as_str().unwrap());
                }
            }
            let tokens = match c.get("mutate").and_then(Value::as_str) {
                Some(how) => {
                    let m = mutants(&token, how);
                    t.check(
                        m.len() as u64 == c["mutant_count"].as_u64().unwrap(),
                        || format!("{label}: mutant count"),
                    );
                    mutants_run += m.len();
                    m
                }
                None => vec![token.clone()],
            };
            for tok in tokens {
                let got = verify(tok.as_bytes(), &keys, &v, now).map(|_| ());
                t.check(name(got) == expect, || {
                    format!("{label}: {}, want {expect}", name(got))
                });
            }
        }
    }
    println!("signature mutants run: {mutants_run}");
    t.finish("jwt_verify_lib/verify.json");
}

#[test]
fn audience_cases() {
    let cases = load("jwt_verify_lib/audience.json");
    let mut t = Tally::default();
    let signed = "eyJhbGciOiJIUzI1NiJ9";
    let keys = Jwks::from_json(
        br#"{"keys":[{"kty":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}"#,
    )
    .unwrap();
    for c in cases.as_array().unwrap() {
        let label = c["name"].as_str().unwrap();
        let configured: Vec<&str> = c["configured"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let token_aud: Vec<&str> = c["token_aud"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let allowed = c["allowed"].as_bool().unwrap();
        // The audience check runs before the signature: an allowed audience reaches the
        // signature step (JwtVerificationFail with this dummy signature).
        let payload = serde_json::json!({ "aud": token_aud }).to_string();
        let token = format!(
            "{signed}.{}.{}",
            b64url(payload.as_bytes()),
            b64url(&[0; 32])
        );
        let mut v = Validation::new();
        for a in &configured {
            v.add_audience(a);
        }
        let got = verify(token.as_bytes(), &keys, &v, 0).map(|_| ());
        let want = if allowed {
            "JwtVerificationFail"
        } else {
            "JwtAudienceNotAllowed"
        };
        t.check(name(got) == want, || {
            format!("{label}: {}, want {want}", name(got))
        });
    }
    t.finish("jwt_verify_lib/audience.json");
}
