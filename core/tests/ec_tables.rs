//! ES256, ES384 and ES512 through the precomputed-table path (the default for the first
//! `JwksOptions::ec_tables` keys of a set) and through the plain path (`ec_tables: 0`), against
//! independent verifiers: ring for P-256 and P-384, RustCrypto's `ecdsa` for P-521. Signatures come from
//! RustCrypto's deterministic signer, then mutated: flipped bits, swapped halves, the high-S
//! twin `(r, n - s)` (valid for every verifier here), zero and out-of-range values.

use meshauth_core::{b64, Alg, Jwks, JwksOptions};
use p384::elliptic_curve::sec1::ToSec1Point;
use ring::signature;

/// A deterministic secret scalar (nonzero, below the order) of `len` bytes.
fn secret(len: usize, i: u32) -> Vec<u8> {
    let mut x = u64::from(i).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut out: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    out[0] &= 0x7f;
    if len == 66 {
        out[0] &= 0x01;
    }
    out
}

/// The set with one EC key `(x, y)` on `crv`, with or without tables.
fn jwks(crv: &str, point: &[u8], tables: usize) -> Jwks {
    let f = (point.len() - 1) / 2;
    let doc = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"{crv}","x":"{}","y":"{}"}}]}}"#,
        b64::encode(&point[1..1 + f]),
        b64::encode(&point[1 + f..])
    );
    let opts = JwksOptions {
        ec_tables: tables,
        ..JwksOptions::default()
    };
    Jwks::from_json_with(doc.as_bytes(), &opts).unwrap()
}

/// The signature variants to check, from one valid `r || s` and the high-S twin's `s`.
fn variants(sig: &[u8], high_s: &[u8]) -> Vec<Vec<u8>> {
    let f = sig.len() / 2;
    let mut out = vec![sig.to_vec()];
    for bit in [0, 7, 8 * f - 1, 8 * f, 8 * f + 3, 16 * f - 1] {
        let mut v = sig.to_vec();
        v[bit / 8] ^= 1 << (bit % 8);
        out.push(v);
    }
    out.push([&sig[f..], &sig[..f]].concat());
    out.push([&sig[..f], high_s].concat());
    out.push([&vec![0; f][..], &sig[f..]].concat());
    out.push([&sig[..f], &vec![0; f][..]].concat());
    out.push([&sig[..f], &vec![0xff; f][..]].concat());
    out
}

/// One key's signature and its variants: the key with a table and without one must both give
/// `oracle`'s answer (an independent verifier over the same message). Returns how many variants
/// were valid.
fn check(
    alg: Alg,
    crv: &str,
    point: &[u8],
    msg: &str,
    sig: &[u8],
    high_s: &[u8],
    oracle: impl Fn(&[u8]) -> bool,
) -> usize {
    let (with, without) = (jwks(crv, point, 8), jwks(crv, point, 0));
    let mut valid = 0;
    for v in variants(sig, high_s) {
        let want = oracle(&v);
        let data = msg.as_bytes();
        assert_eq!(
            with.keys()[0].verify_signature(alg, data, &v),
            want,
            "{msg}"
        );
        assert_eq!(
            without.keys()[0].verify_signature(alg, data, &v),
            want,
            "{msg}"
        );
        valid += usize::from(want);
    }
    valid
}

#[test]
fn es256_tables_agree_with_ring() {
    use p256::ecdsa::signature::Signer;
    use p256::elliptic_curve::sec1::ToSec1Point as _;
    let mut valid = 0;
    for i in 0..24u32 {
        let sk = p256::ecdsa::SigningKey::from_slice(&secret(32, i)).unwrap();
        let point = sk.verifying_key().as_affine().to_sec1_point(false);
        let msg = format!("eyJhbGciOiJFUzI1NiJ9.message-{i}");
        let sig: p256::ecdsa::Signature = sk.sign(msg.as_bytes());
        let high_s = (-*sig.split_scalars().1).to_bytes();
        let ring_key = signature::UnparsedPublicKey::new(
            &signature::ECDSA_P256_SHA256_FIXED,
            point.as_bytes(),
        );
        valid += check(
            Alg::ES256,
            "P-256",
            point.as_bytes(),
            &msg,
            &sig.to_bytes(),
            &high_s,
            |v| ring_key.verify(msg.as_bytes(), v).is_ok(),
        );
    }
    // The valid signature and its high-S twin, for every key.
    assert_eq!(valid, 48);
}

#[test]
fn es384_tables_agree_with_ring() {
    use p384::ecdsa::signature::Signer;
    let mut valid = 0;
    for i in 0..24u32 {
        let sk = p384::ecdsa::SigningKey::from_slice(&secret(48, i)).unwrap();
        let point = sk.verifying_key().as_affine().to_sec1_point(false);
        let msg = format!("eyJhbGciOiJFUzM4NCJ9.message-{i}");
        let sig: p384::ecdsa::Signature = sk.sign(msg.as_bytes());
        let high_s = (-*sig.split_scalars().1).to_bytes();
        let ring_key = signature::UnparsedPublicKey::new(
            &signature::ECDSA_P384_SHA384_FIXED,
            point.as_bytes(),
        );
        valid += check(
            Alg::ES384,
            "P-384",
            point.as_bytes(),
            &msg,
            &sig.to_bytes(),
            &high_s,
            |v| ring_key.verify(msg.as_bytes(), v).is_ok(),
        );
    }
    assert_eq!(valid, 48);
}

#[test]
fn es512_tables_agree_with_rustcrypto() {
    use p521::ecdsa::signature::{Signer, Verifier};
    let mut valid = 0;
    for i in 0..16u32 {
        let sk = p521::ecdsa::SigningKey::from_slice(&secret(66, i)).unwrap();
        let vk = p521::ecdsa::VerifyingKey::from(&sk);
        let point = vk.to_sec1_point(false);
        let msg = format!("eyJhbGciOiJFUzUxMiJ9.message-{i}");
        let sig: p521::ecdsa::Signature = sk.sign(msg.as_bytes());
        let high_s = (-*sig.s()).to_bytes();
        valid += check(
            Alg::ES512,
            "P-521",
            point.as_bytes(),
            &msg,
            &sig.to_bytes(),
            &high_s,
            |v| {
                p521::ecdsa::Signature::from_slice(v)
                    .is_ok_and(|s| vk.verify(msg.as_bytes(), &s).is_ok())
            },
        );
    }
    assert_eq!(valid, 32);
}
