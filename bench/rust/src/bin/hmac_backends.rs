//! Data for the HMAC backend choice (issue #11): the HMAC check of each HS* fixture with ring
//! (the floor of the verify table: `hmac::verify` with a prepared `hmac::Key`), with AWS-LC's
//! `hmac::verify` (a prepared key too), and with RustCrypto's `hmac` + `sha2` (the keyed state
//! prepared once and cloned per check, as meshauth's `jwk` module does), beside meshauth's whole
//! `verify` of the token. Timed like `rsa_backends` (`meshauth_bench::interleaved`: process CPU
//! time, ~80 ms batches, rounds in rotating order); prints per algorithm the median time of each
//! and the median over rounds of each one's time over ring's in the same round.
use hmac::{Hmac, KeyInit, Mac};
use meshauth_bench::{compare_backends, load, member, Contender, NOW};
use meshauth_core::{b64, verify, Jwks, Validation};
use std::hint::black_box;

/// RustCrypto's check of `tag` over `m` with a keyed state prepared once.
fn rust_crypto<'a, M: Mac + KeyInit + Clone + 'a>(
    key: &[u8],
    m: &'a [u8],
    tag: &'a [u8],
) -> Box<dyn Fn() -> bool + 'a> {
    let prepared = <M as KeyInit>::new_from_slice(key).unwrap();
    Box::new(move || {
        let mut h = prepared.clone();
        h.update(black_box(m));
        h.verify_slice(tag).is_ok()
    })
}

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(9, |a| a.parse().unwrap());
    let fx = load();
    let algs = [
        (
            "HS256",
            ring::hmac::HMAC_SHA256,
            aws_lc_rs::hmac::HMAC_SHA256,
        ),
        (
            "HS384",
            ring::hmac::HMAC_SHA384,
            aws_lc_rs::hmac::HMAC_SHA384,
        ),
        (
            "HS512",
            ring::hmac::HMAC_SHA512,
            aws_lc_rs::hmac::HMAC_SHA512,
        ),
    ];
    let mut v = Validation::new();
    v.set_issuer(&fx.issuer);
    v.add_audience(&fx.audience);
    println!("{{");
    for (i, (alg, ring_alg, aws_alg)) in algs.into_iter().enumerate() {
        let f = &fx.algs[alg];
        let k = member(f, "k");
        let (signed, sig) = f.token.rsplit_once('.').unwrap();
        let (m, s) = (signed.as_bytes(), b64::decode(sig.as_bytes()).unwrap());
        let ring_key = ring::hmac::Key::new(ring_alg, &k);
        let aws_key = aws_lc_rs::hmac::Key::new(aws_alg, &k);
        let jwks = Jwks::from_json(f.jwks.as_bytes()).unwrap();
        let checks: Vec<Contender> = vec![
            (
                "ring",
                Box::new(|| ring::hmac::verify(&ring_key, black_box(m), &s).is_ok()),
            ),
            (
                "aws-lc",
                Box::new(|| aws_lc_rs::hmac::verify(&aws_key, black_box(m), &s).is_ok()),
            ),
            (
                "rust-crypto",
                match alg {
                    "HS256" => rust_crypto::<Hmac<sha2::Sha256>>(&k, m, &s),
                    "HS384" => rust_crypto::<Hmac<sha2::Sha384>>(&k, m, &s),
                    _ => rust_crypto::<Hmac<sha2::Sha512>>(&k, m, &s),
                },
            ),
            (
                "meshauth",
                Box::new(|| verify(black_box(f.token.as_bytes()), &jwks, &v, NOW).is_ok()),
            ),
        ];
        let (_, cols) = compare_backends(alg, &checks, rounds);
        let comma = if i + 1 < algs.len() { "," } else { "" };
        println!(" \"{alg}\": {{{}}}{comma}", cols.join(", "));
    }
    println!("}}");
}
