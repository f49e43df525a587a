//! Wycheproof (../shared/vectors/wycheproof): the JOSE files through the JWS layer
//! (`verify_jws`), the raw signature files through each key's `verify_signature` (the primitive
//! `verify` uses). `valid` must be accepted and `invalid` rejected; `acceptable` cases are
//! rejected by meshauth (strict), which the runner asserts. Cases where meshauth's documented
//! rules give another answer than the label are listed in `overrides` with the reason.

mod common;

use common::{load, Tally};
use meshauth_core::{verify_jws, Alg, AlgSet, Jwks};
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// (file, tcId) → (expected acceptance, reason).
fn overrides(file: &str, tc: u64) -> Option<(bool, &'static str)> {
    match (file, tc) {
        ("json_web_signature_test.json", 367 | 370) => Some((
            true,
            "byte-identical to valid tcId 357 (C2SP/wycheproof#236)",
        )),
        ("json_web_signature_test.json", 372 | 373) => {
            Some((false, "'?' is not base64url (RFC 7515 §5.2, D4)"))
        }
        ("json_web_signature_test.json", 346 | 347 | 350 | 351) => Some((
            false,
            "the JWK's alg differs from the header's alg: Envoy's key matching finds no key",
        )),
        ("json_web_key_test.json", 1 | 4) | ("json_web_crypto_test.json", 47) => Some((
            true,
            "Envoy parity: a mixed key set and duplicate kids are usable; the right key verifies",
        )),
        _ => None,
    }
}

fn jose_file(file: &str, t: &mut Tally) {
    let doc = load(&format!("wycheproof/{file}"));
    for g in doc["testGroups"].as_array().unwrap() {
        let key = g.get("public").unwrap_or(&g["private"]);
        let set = if key.get("keys").is_some() {
            key.clone()
        } else {
            serde_json::json!({ "keys": [key] })
        };
        let jwks = Jwks::from_json(set.to_string().as_bytes());
        for c in g["tests"].as_array().unwrap() {
            let Some(jws) = c.get("jws").and_then(Value::as_str) else {
                continue; // JSON serialization objects and JWE cases: not compact JWS
            };
            let tc = c["tcId"].as_u64().unwrap();
            let label = c["result"].as_str().unwrap();
            let (want, why) = match overrides(file, tc) {
                Some((w, why)) => (w, why),
                None => (label == "valid", ""),
            };
            let got = match &jwks {
                Ok(k) => verify_jws(jws.as_bytes(), k, AlgSet::ALL, 1 << 20).is_ok(),
                Err(_) => false,
            };
            t.check(got == want, || {
                format!(
                    "{file} tcId {tc} ({}): accepted={got}, want {want} {why}",
                    c["comment"]
                )
            });
        }
    }
}

#[test]
fn wycheproof_jose() {
    let mut t = Tally::default();
    for f in [
        "json_web_signature_test.json",
        "json_web_key_test.json",
        "json_web_crypto_test.json",
    ] {
        jose_file(f, &mut t);
    }
    t.finish("wycheproof JOSE");
}

fn alg_of(file: &str) -> Alg {
    let name = if file.starts_with("ecdsa_secp256r1") {
        "ES256"
    } else if file.starts_with("ecdsa_secp384r1") {
        "ES384"
    } else if file.starts_with("ecdsa_secp521r1") {
        "ES512"
    } else if file.starts_with("ed25519") {
        "EdDSA"
    } else {
        let bits = if file.contains("sha256") {
            "256"
        } else if file.contains("sha384") {
            "384"
        } else {
            "512"
        };
        return Alg::from_name(&format!(
            "{}{bits}",
            if file.starts_with("rsa_pss") {
                "PS"
            } else {
                "RS"
            }
        ))
        .unwrap();
    };
    Alg::from_name(name).unwrap()
}

#[test]
fn wycheproof_signatures() {
    let dir = common::vectors_dir().join("wycheproof");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with("_test.json") && !f.starts_with("json_web"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 19);
    let mut t = Tally::default();
    let (mut valid, mut invalid, mut acceptable) = (0, 0, 0);
    for file in &files {
        let alg = alg_of(file);
        let doc = load(&format!("wycheproof/{file}"));
        for g in doc["testGroups"].as_array().unwrap() {
            let jwks = match g.get("publicKeyJwk").or_else(|| g.get("keyJwk")) {
                Some(jwk) => {
                    Jwks::from_json(serde_json::json!({ "keys": [jwk] }).to_string().as_bytes())
                }
                None => Jwks::from_pem(g["publicKeyPem"].as_str().unwrap().as_bytes()),
            };
            for c in g["tests"].as_array().unwrap() {
                let tc = c["tcId"].as_u64().unwrap();
                let result = c["result"].as_str().unwrap();
                match result {
                    "valid" => valid += 1,
                    "invalid" => invalid += 1,
                    _ => acceptable += 1,
                }
                let got = match &jwks {
                    Ok(k) => k.keys()[0].verify_signature(
                        alg,
                        &hex(c["msg"].as_str().unwrap()),
                        &hex(c["sig"].as_str().unwrap()),
                    ),
                    Err(_) => false,
                };
                t.check(got == (result == "valid"), || {
                    format!(
                        "{file} tcId {tc} {result}: accepted={got} ({})",
                        c["comment"]
                    )
                });
            }
        }
    }
    println!("wycheproof signatures: {valid} valid, {invalid} invalid, {acceptable} acceptable (all rejected)");
    t.finish("wycheproof signatures");
}

/// A set holding the ROCA key of `json_web_key_test.json` (tcId 7: Infineon RSALib's
/// fingerprint) and a usable key keeps only the usable one, as Envoy skips unusable keys. (The
/// ROCA key alone, with its status, is the catalogue case `rsa-roca-fingerprint`.)
#[test]
fn roca_key_is_skipped_beside_a_usable_key() {
    let doc = load("wycheproof/json_web_key_test.json");
    let group = doc["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| {
            g["tests"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["tcId"] == 7)
        })
        .unwrap();
    let roca = &group["public"]["keys"][0];
    assert_eq!(roca["kty"], "RSA");
    // The RSA public key of the JOSE cookbook (RFC 7520 §3.3) beside it.
    let good = load("jose-cookbook/jwk/3_3.rsa_public_key.json");
    assert_eq!(good["kty"], "RSA");
    let both = serde_json::json!({ "keys": [roca, good] }).to_string();
    let set = Jwks::from_json(both.as_bytes()).unwrap();
    assert_eq!(set.len(), 1);
    assert_eq!(set.keys()[0].kid(), good["kid"].as_str());
}
