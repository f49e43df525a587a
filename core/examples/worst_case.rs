//! Worst-case verification time (issue #12; SECURITY.md records the numbers). No criterion and
//! no assertion on time: it prints the median of repeated runs.
//!
//! The expensive path is a token without `kid` against a maximal key set (512 keys) whose keys
//! have no `alg`: every key of the token's family is tried (jwt_verify_lib's loop, divergence D3
//! only removes other families). Run: `cargo run --release -p meshauth-core --example worst_case`.

use meshauth_core::{b64, jwks_compare, verify, Jwks, Validation};
use std::time::{Duration, Instant};

const NOW: i64 = 1_800_000_000;

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[runs / 2]
}

fn vectors() -> serde_json::Value {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/attacks_extra_keys.json"
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// `count` copies of `jwk` without kid and alg, as one JWKS document.
fn set_of(jwk: &serde_json::Value, count: usize) -> String {
    let mut k = jwk.clone();
    let o = k.as_object_mut().unwrap();
    o.remove("kid");
    o.remove("alg");
    let one = k.to_string();
    format!(r#"{{"keys":[{}]}}"#, vec![one; count].join(","))
}

/// A kid-less token of `alg` whose signature has the right length but verifies under no key,
/// padded with a claim to about `size` bytes.
fn token(alg: &str, sig_len: usize, size: usize) -> String {
    let h = b64::encode(format!(r#"{{"alg":"{alg}"}}"#).as_bytes());
    // In range for every primitive, so no key can reject it before the expensive arithmetic:
    // P-521 r and s below the order (leading zero byte), Ed25519 S below L (top byte zero).
    let mut raw = vec![0x5a; sig_len];
    match alg {
        "ES512" => {
            raw[0] = 0;
            raw[sig_len / 2] = 0;
        }
        "EdDSA" => raw[63] = 0,
        _ => {}
    }
    let sig = b64::encode(&raw);
    let base = h.len() + sig.len() + 2 + 20;
    let pad = (size.saturating_sub(base)) * 3 / 4;
    let p = b64::encode(format!(r#"{{"pad":"{}"}}"#, "x".repeat(pad)).as_bytes());
    format!("{h}.{p}.{sig}")
}

fn main() {
    let d = vectors();
    let first_key = |name: &str| d["jwks"][name]["keys"][0].clone();
    let rsa2048 = d["jwks"]["hs_and_asym"]["keys"][1].clone();
    let rows = [
        ("HS256", first_key("hs_and_asym"), 32),
        ("RS256 (RSA-2048)", rsa2048, 256),
        ("RS256 (RSA-4096)", first_key("rsa4096"), 512),
        ("RS256 (RSA-8192)", first_key("rsa8192"), 1024),
        ("ES384 (P-384)", first_key("ec"), 96),
        ("ES512 (P-521)", d["jwks"]["ec"]["keys"][1].clone(), 132),
        ("EdDSA", d["jwks"]["hs_and_asym"]["keys"][3].clone(), 64),
    ];
    let v = Validation::new();
    println!(
        "| token alg (16 KiB, no kid, bad signature) | keys tried | median verify | per key |"
    );
    println!("|---|---|---|---|");
    for (label, jwk, sig_len) in rows {
        let alg = label.split(' ').next().unwrap();
        let doc = set_of(&jwk, 512);
        let jwks = Jwks::from_json(doc.as_bytes()).unwrap();
        assert_eq!(jwks.len(), 512);
        let t = token(alg, sig_len, 16 * 1024 - 8);
        assert!(t.len() <= 16 * 1024);
        assert!(verify(t.as_bytes(), &jwks, &v, NOW).is_err());
        let runs = if alg == "HS256" || alg == "EdDSA" {
            21
        } else {
            5
        };
        let m = median(
            || {
                let _ = verify(t.as_bytes(), &jwks, &v, NOW);
            },
            runs,
        );
        println!(
            "| {label} | 512 | {:.1} ms | {:.1} µs |",
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() * 1e6 / 512.0
        );
    }
    // Loading and comparing a maximal key set.
    let big = set_of(&d["jwks"]["rsa4096"]["keys"][0], 512);
    println!();
    println!("| key-set work | size | median |");
    println!("|---|---|---|");
    // Loading, with the verification tables' cost: the first 8 EC keys get an ECDSA table
    // (`JwksOptions::ec_tables`), every Ed25519 key is decoded.
    for (label, doc) in [
        ("512 RSA-4096 keys", big.clone()),
        ("512 P-384 keys (8 tables)", set_of(&first_key("ec"), 512)),
        (
            "512 Ed25519 keys",
            set_of(&d["jwks"]["hs_and_asym"]["keys"][3], 512),
        ),
    ] {
        let m = median(
            || {
                let _ = Jwks::from_json(doc.as_bytes());
            },
            5,
        );
        println!(
            "| Jwks::from_json, {label} | {} KiB | {:.1} ms |",
            doc.len() / 1024,
            m.as_secs_f64() * 1e3
        );
    }
    let m = median(
        || {
            let _ = jwks_compare::changed(big.as_bytes(), big.as_bytes());
        },
        5,
    );
    println!(
        "| jwks_compare::changed, same document twice | {} KiB | {:.1} ms |",
        big.len() / 1024,
        m.as_secs_f64() * 1e3
    );
    let bomb = format!(r#"{{"keys":{}"#, "[".repeat((1 << 20) - 8));
    let m = median(
        || {
            let _ = Jwks::from_json(bomb.as_bytes());
        },
        5,
    );
    println!(
        "| Jwks::from_json, 1 MiB depth bomb (rejected) | 1024 KiB | {:.3} ms |",
        m.as_secs_f64() * 1e3
    );
}
