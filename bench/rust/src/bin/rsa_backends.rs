//! Data for the RSA backend decision (issue #11): the 2048-bit RSA check of each RS*/PS* fixture
//! with ring (meshauth's default backend, key components per call), with AWS-LC per call (what
//! jsonwebtoken's `aws_lc_rs` backend does) and with AWS-LC's `ParsedPublicKey` (key parsed
//! once, as meshauth's `aws-lc` feature holds it), beside meshauth's whole `verify` of the token
//! (built with that feature). Timed like `verify_loop` (`meshauth_bench::interleaved`: process
//! CPU time, ~80 ms batches, rounds in rotating order); prints per algorithm the median time of
//! each and the median over rounds of each one's time over ring's, and of meshauth's over the
//! AWS-LC parsed check, in the same round.
use aws_lc_rs::signature as aws;
use meshauth_bench::{compare_backends, load, median, member, Contender, NOW};
use meshauth_core::{b64, verify, Jwks, Validation};
use ring::signature as ring_sig;
use std::hint::black_box;

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(9, |a| a.parse().unwrap());
    let fx = load();
    let algs: [(
        &str,
        &'static ring_sig::RsaParameters,
        &'static aws::RsaParameters,
    ); 6] = [
        (
            "RS256",
            &ring_sig::RSA_PKCS1_2048_8192_SHA256,
            &aws::RSA_PKCS1_2048_8192_SHA256,
        ),
        (
            "RS384",
            &ring_sig::RSA_PKCS1_2048_8192_SHA384,
            &aws::RSA_PKCS1_2048_8192_SHA384,
        ),
        (
            "RS512",
            &ring_sig::RSA_PKCS1_2048_8192_SHA512,
            &aws::RSA_PKCS1_2048_8192_SHA512,
        ),
        (
            "PS256",
            &ring_sig::RSA_PSS_2048_8192_SHA256,
            &aws::RSA_PSS_2048_8192_SHA256,
        ),
        (
            "PS384",
            &ring_sig::RSA_PSS_2048_8192_SHA384,
            &aws::RSA_PSS_2048_8192_SHA384,
        ),
        (
            "PS512",
            &ring_sig::RSA_PSS_2048_8192_SHA512,
            &aws::RSA_PSS_2048_8192_SHA512,
        ),
    ];
    let mut v = Validation::new();
    v.set_issuer(&fx.issuer);
    v.add_audience(&fx.audience);
    println!("{{");
    for (i, (alg, ring_p, aws_p)) in algs.into_iter().enumerate() {
        let f = &fx.algs[alg];
        let (n, e) = (member(f, "n"), member(f, "e"));
        let (signed, sig) = f.token.rsplit_once('.').unwrap();
        let (m, s) = (signed.as_bytes(), b64::decode(sig.as_bytes()).unwrap());
        let parsed = aws::RsaPublicKeyComponents { n: &n, e: &e }
            .to_parsed_public_key(aws_p)
            .unwrap();
        let jwks = Jwks::from_json(f.jwks.as_bytes()).unwrap();
        let checks: Vec<Contender> = vec![
            (
                "ring",
                Box::new(|| {
                    ring_sig::RsaPublicKeyComponents { n: &n, e: &e }
                        .verify(ring_p, black_box(m), &s)
                        .is_ok()
                }),
            ),
            (
                "aws-lc-per-call",
                Box::new(|| {
                    aws::RsaPublicKeyComponents { n: &n, e: &e }
                        .verify(aws_p, black_box(m), &s)
                        .is_ok()
                }),
            ),
            (
                "aws-lc-parsed",
                Box::new(|| parsed.verify_sig(black_box(m), &s).is_ok()),
            ),
            (
                "meshauth",
                Box::new(|| verify(black_box(f.token.as_bytes()), &jwks, &v, NOW).is_ok()),
            ),
        ];
        let (times, mut cols) = compare_backends(alg, &checks, rounds);
        let at = |name: &str| checks.iter().position(|(n, _)| *n == name).unwrap();
        let over_parsed = times[at("meshauth")].over(&times[at("aws-lc-parsed")]);
        cols.push(format!(
            "\"meshauth_over_aws_lc_parsed\": {:.3}",
            median(&over_parsed)
        ));
        let comma = if i + 1 < algs.len() { "," } else { "" };
        println!(" \"{alg}\": {{{}}}{comma}", cols.join(", "));
    }
    println!("}}");
}
