//! RSA at the edges of meshauth's rules, with signatures made by OpenSSL
//! (`tests/data/gen_rsa_edge_cases.py`): legacy 1024- and 2047-bit keys, e = 3, and malformed
//! signatures. `make test` runs this with ring (the core alone) and with AWS-LC (the workspace,
//! where the bindings turn the `aws-lc` feature on): both must give these answers.
use meshauth_core::{b64, Alg, Jwk, Jwks, JwksOptions, Status};

const ALGS: [&str; 6] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

fn cases() -> serde_json::Value {
    let text = include_str!("data/rsa_edge_cases.json");
    serde_json::from_str(text).unwrap()
}

fn key(k: &serde_json::Value, legacy: bool) -> Result<Jwks, Status> {
    let doc = serde_json::json!({"keys": [{"kty": "RSA", "n": k["n"], "e": k["e"]}]});
    let opts = JwksOptions {
        allow_legacy_rsa: legacy,
        ..JwksOptions::default()
    };
    Jwks::from_json_with(doc.to_string().as_bytes(), &opts)
}

fn sig(k: &serde_json::Value, alg: &str) -> Option<Vec<u8>> {
    let s = k["signatures"][alg].as_str()?;
    Some(b64::decode(s.as_bytes()).unwrap())
}

/// A key below 2048 bits loads only with `allow_legacy_rsa`, and then verifies RS256 and RS512
/// only (ring's legacy parameters); every other algorithm is refused even with a good signature.
#[test]
fn legacy_keys_verify_rs256_and_rs512_only() {
    let doc = cases();
    let msg = doc["message"].as_str().unwrap().as_bytes();
    for k in doc["keys"].as_array().unwrap() {
        if k["bits"].as_u64().unwrap() >= 2048 {
            continue;
        }
        let name = k["name"].as_str().unwrap();
        assert_eq!(
            key(k, false).err(),
            Some(Status::JwksRsaKeyTooSmall),
            "{name}"
        );
        let set = key(k, true).unwrap();
        let jwk: &Jwk = &set.keys()[0];
        let mut checked = 0;
        for alg in ALGS {
            let Some(s) = sig(k, alg) else { continue };
            let want = alg == "RS256" || alg == "RS512";
            let a = Alg::from_name(alg).unwrap();
            assert_eq!(jwk.verify_signature(a, msg, &s), want, "{name} {alg}");
            checked += 1;
        }
        assert!(checked >= 5, "{name}");
    }
}

/// A 2048-bit key with e = 3 verifies every algorithm; malformed signatures are refused: one
/// byte short, one zero byte too many, s = n (not below the modulus), all zeros, one bit
/// flipped, and a good signature of another algorithm.
#[test]
fn e3_key_and_malformed_signatures() {
    let doc = cases();
    let msg = doc["message"].as_str().unwrap().as_bytes();
    let k = &doc["keys"].as_array().unwrap()[2];
    assert_eq!(k["e"], "Aw");
    let set = key(k, false).unwrap();
    let jwk = &set.keys()[0];
    let n = b64::decode(k["n"].as_str().unwrap().as_bytes()).unwrap();
    for alg in ALGS {
        let a = Alg::from_name(alg).unwrap();
        let good = sig(k, alg).unwrap();
        assert!(jwk.verify_signature(a, msg, &good), "{alg}");
        assert!(!jwk.verify_signature(a, b"another message", &good), "{alg}");
        let mut flipped = good.clone();
        flipped[17] ^= 0x40;
        let longer = [&[0u8][..], &good].concat();
        let other = if alg.starts_with("RS") {
            "PS256"
        } else {
            "RS256"
        };
        for (what, bad) in [
            ("short", good[1..].to_vec()),
            ("long", longer),
            ("s = n", n.clone()),
            ("zero", vec![0u8; good.len()]),
            ("flipped", flipped),
            ("other alg", sig(k, other).unwrap()),
        ] {
            assert!(!jwk.verify_signature(a, msg, &bad), "{alg} {what}");
        }
    }
}
