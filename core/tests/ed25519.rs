//! EdDSA through meshauth's Ed25519 path (public key decoded once, curve25519-dalek's
//! double-base multiplication) against ring's `ED25519` verifier as the independent answer:
//! ring-signed messages and their mutations (flipped bits, `s + L`, a high `s`, a non-canonical
//! `R`), and the edge keys of the Ed25519 literature (small-order points, non-canonical `y`,
//! `x = 0` with the sign bit set, strings that are not points) with signatures that verify
//! under some of them.

use meshauth_core::{b64, Alg, Jwks};
use ring::signature::{self, Ed25519KeyPair, KeyPair};

/// The group order L, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn unhex(s: &str) -> [u8; 32] {
    let v: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect();
    v.try_into().unwrap()
}

/// meshauth's answer for `sig` over `msg` with the OKP key `x`, loaded through a JWKS.
fn meshauth(x: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    let doc = format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{}"}}]}}"#,
        b64::encode(x)
    );
    let set = Jwks::from_json(doc.as_bytes()).unwrap();
    set.keys()[0].verify_signature(Alg::EdDSA, msg, sig)
}

fn ring(x: &[u8; 32], msg: &[u8], sig: &[u8]) -> bool {
    signature::UnparsedPublicKey::new(&signature::ED25519, x)
        .verify(msg, sig)
        .is_ok()
}

/// Little-endian `a + b` over 32 bytes (the carry out is dropped).
fn add_le(a: &[u8], b: &[u8; 32]) -> Vec<u8> {
    let mut carry = 0u16;
    a.iter()
        .zip(b)
        .map(|(x, y)| {
            let t = u16::from(*x) + u16::from(*y) + carry;
            carry = t >> 8;
            t as u8
        })
        .collect()
}

#[test]
fn signed_messages_and_mutations_match_ring() {
    let (mut checked, mut valid) = (0, 0);
    for seed in 0..24u8 {
        let pair =
            Ed25519KeyPair::from_seed_unchecked(&[seed.wrapping_mul(37) ^ 0x5a; 32]).unwrap();
        let x: [u8; 32] = pair.public_key().as_ref().try_into().unwrap();
        let msg: Vec<u8> = (0..usize::from(seed) * 13).map(|i| (i * 7) as u8).collect();
        let sig = pair.sign(&msg).as_ref().to_vec();
        let mut cases = vec![sig.clone()];
        for bit in (0..512).step_by(37) {
            let mut m = sig.clone();
            m[bit / 8] ^= 1 << (bit % 8);
            cases.push(m);
        }
        // s + L: the same scalar, not canonical (rejected by both).
        cases.push([&sig[..32], &add_le(&sig[32..], &L)].concat());
        // A high s, a zero s, a non-canonical R (y + p for small y cannot be built here, so R's
        // sign bit flipped), the halves swapped, short and long signatures.
        let mut high = sig.clone();
        high[63] |= 0xe0;
        cases.push(high);
        cases.push([&sig[..32], &[0u8; 32][..]].concat());
        let mut r_sign = sig.clone();
        r_sign[31] ^= 0x80;
        cases.push(r_sign);
        cases.push([&sig[32..], &sig[..32]].concat());
        cases.push(sig[..63].to_vec());
        cases.push([&sig[..], &[0]].concat());
        for case in &cases {
            let want = ring(&x, &msg, case);
            assert_eq!(
                meshauth(&x, &msg, case),
                want,
                "seed {seed}, sig {case:02x?}"
            );
            valid += usize::from(want);
            checked += 1;
        }
        // Another message under the same signature.
        let other = [&msg[..], b"!"].concat();
        assert!(!ring(&x, &other, &sig));
        assert!(!meshauth(&x, &other, &sig));
    }
    assert_eq!(valid, 24, "only the unmodified signatures verify");
    assert!(checked > 24 * 15);
}

/// Small-order and non-canonical encodings (Chalkias et al., "Taming the many EdDSAs", and
/// Wycheproof), and non-points. Under a small-order key `A`, `[s]B - [k]A` with `s = 0` is one
/// of eight points that depends on `k`, so trying every small-order `R` over a few messages
/// finds signatures that ring accepts: meshauth must accept exactly those.
#[test]
fn edge_keys_match_ring() {
    let small_order = [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    ];
    let non_canonical = [
        "0100000000000000000000000000000000000000000000000000000000000080",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ];
    // y = 2 is not on the curve; the others are arbitrary strings.
    let other = [
        "0200000000000000000000000000000000000000000000000000000000000000",
        "0300000000000000000000000000000000000000000000000000000000000000",
        "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    ];
    let keys: Vec<[u8; 32]> = small_order
        .iter()
        .chain(&non_canonical)
        .chain(&other)
        .map(|h| unhex(h))
        .collect();
    let rs: Vec<[u8; 32]> = small_order
        .iter()
        .chain(&non_canonical)
        .map(|h| unhex(h))
        .collect();
    let (mut accepted, mut checked) = (0, 0);
    for key in &keys {
        for m in 0..8u8 {
            let msg = [m; 5];
            for r in &rs {
                let sig = [&r[..], &[0u8; 32][..]].concat();
                let want = ring(key, &msg, &sig);
                assert_eq!(
                    meshauth(key, &msg, &sig),
                    want,
                    "key {key:02x?} R {r:02x?} m {m}"
                );
                accepted += usize::from(want);
                checked += 1;
            }
        }
    }
    assert!(
        accepted > 0,
        "some small-order signatures verify under ring"
    );
    assert!(accepted < checked);
}
