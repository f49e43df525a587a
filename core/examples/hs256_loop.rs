//! Verifies one HS256 token `N` times (default 100 000), or with `hmac` as the first argument
//! runs only ring's raw HMAC over the same bytes (the benchmarks' floor; meshauth itself uses
//! RustCrypto's `hmac`, see `bench/rust` `hmac_backends`): a fixed workload for
//! `valgrind --tool=callgrind` (instruction counts per verify, issue #11) and `perf`.
//! The token carries the claims of `bench/fixtures.py`. Run:
//! `cargo run --release -p meshauth-core --example hs256_loop -- [verify|hmac] [N]`.

use meshauth_core::{b64, verify, Jwks, Validation};
use ring::hmac;
use std::hint::black_box;

const NOW: i64 = 1_800_000_000;

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "verify".into());
    let n: u64 = args.next().map_or(100_000, |a| a.parse().unwrap());
    let secret = [3u8; 64];
    let header = r#"{"alg":"HS256","kid":"HS256-2","typ":"JWT"}"#;
    let claims = r#"{"iss":"https://issuer.example","sub":"alice@example.com","aud":"api.example","iat":1700000000,"exp":4102444800,"scope":"read:orders write:orders profile"}"#;
    let signed = format!(
        "{}.{}",
        b64::encode(header.as_bytes()),
        b64::encode(claims.as_bytes())
    );
    let key = hmac::Key::new(hmac::HMAC_SHA256, &secret);
    let tag = hmac::sign(&key, signed.as_bytes());
    let token = format!("{signed}.{}", b64::encode(tag.as_ref()));
    // Five keys, the token's is the middle one (as in bench/fixtures.py).
    let keys: Vec<String> = (1..=5u8)
        .map(|i| {
            format!(
                r#"{{"kty":"oct","kid":"HS256-{}","alg":"HS256","use":"sig","k":"{}"}}"#,
                i - 1,
                b64::encode(&[i; 64])
            )
        })
        .collect();
    let jwks = Jwks::from_json(format!(r#"{{"keys":[{}]}}"#, keys.join(",")).as_bytes()).unwrap();
    let mut v = Validation::new();
    v.set_issuer("https://issuer.example");
    v.add_audience("api.example");
    assert_eq!(
        verify(token.as_bytes(), &jwks, &v, NOW)
            .unwrap()
            .key_index(),
        2
    );
    let sig = tag.as_ref().to_vec();
    let mut ok = 0u64;
    for _ in 0..n {
        ok += u64::from(match mode.as_str() {
            "hmac" => hmac::verify(&key, black_box(signed.as_bytes()), black_box(&sig)).is_ok(),
            _ => verify(black_box(token.as_bytes()), &jwks, &v, NOW).is_ok(),
        });
    }
    assert_eq!(ok, n);
}
