//! RSA signature checks through AWS-LC with the key parsed once (cargo feature `aws-lc`).
//!
//! ring has no parsed RSA public key: every check re-derives the modulus' Montgomery constants
//! from `n` and `e`, which is most of the difference between ring and AWS-LC on RS*/PS*
//! (BENCHMARKS.md, "RSA backends"). With this feature a key keeps one AWS-LC `ParsedPublicKey`
//! per JWS algorithm, built on its first use (a key without `alg` serves all six), so a check is
//! the exponentiation and the padding check only. The parameters mirror ring's table in
//! [`crate::jwk`] exactly (2048–8192 bits; 1024-bit keys only for RS256/RS512 when legacy keys
//! are allowed), and a key AWS-LC refuses to parse falls back to ring, so the feature changes speed,
//! not answers; the core's whole test suite runs with and without it.

use alloc::boxed::Box;
use alloc::vec::Vec;

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters};
use der::asn1::UintRef;
use der::Encode;
use once_cell::race::OnceBox;

use crate::alg::Alg;

/// The AWS-LC side of one RSA key: its DER `RSAPublicKey` and, per algorithm, the parsed key
/// (`None` inside when AWS-LC refused it).
pub(crate) struct RsaKeys {
    der: Vec<u8>,
    parsed: [OnceBox<Option<ParsedPublicKey>>; 6],
}

/// RFC 8017 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
#[derive(der::Sequence)]
struct RsaPublicKey<'a> {
    n: UintRef<'a>,
    e: UintRef<'a>,
}

/// The RFC 8017 DER encoding of `n` and `e` (big-endian, as in a JWK); `None` if they cannot be
/// encoded.
pub(crate) fn rsa_public_key_der(n: &[u8], e: &[u8]) -> Option<Vec<u8>> {
    RsaPublicKey {
        n: UintRef::new(n).ok()?,
        e: UintRef::new(e).ok()?,
    }
    .to_der()
    .ok()
}

/// AWS-LC's parameters and the slot for `alg` with a key of `bits` bits: the same choices as ring's
/// table in `Jwk::verify_signature`. `None` when the key cannot sign with `alg`.
fn params(alg: Alg, bits: u32) -> Option<(&'static RsaParameters, usize)> {
    Some(match (alg, bits >= 2048) {
        (Alg::RS256, true) => (&signature::RSA_PKCS1_2048_8192_SHA256, 0),
        (Alg::RS384, true) => (&signature::RSA_PKCS1_2048_8192_SHA384, 1),
        (Alg::RS512, true) => (&signature::RSA_PKCS1_2048_8192_SHA512, 2),
        (Alg::PS256, true) => (&signature::RSA_PSS_2048_8192_SHA256, 3),
        (Alg::PS384, true) => (&signature::RSA_PSS_2048_8192_SHA384, 4),
        (Alg::PS512, true) => (&signature::RSA_PSS_2048_8192_SHA512, 5),
        (Alg::RS256, false) => (
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            0,
        ),
        (Alg::RS512, false) => (
            &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            2,
        ),
        _ => return None,
    })
}

impl RsaKeys {
    /// The AWS-LC side of the key `n`, `e` (checked by the caller); `None` if it cannot be encoded.
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Option<Self> {
        Some(RsaKeys {
            der: rsa_public_key_der(n, e)?,
            parsed: Default::default(),
        })
    }

    /// Checks `sig` over `data` for `alg` with a key of `bits` bits: `Some(valid)`, or `None` when
    /// AWS-LC refused the key for `alg` and the caller must check with ring.
    pub(crate) fn verify(&self, alg: Alg, bits: u32, data: &[u8], sig: &[u8]) -> Option<bool> {
        let Some((params, slot)) = params(alg, bits) else {
            return Some(false);
        };
        let parsed = self.parsed[slot]
            .get_or_init(|| Box::new(ParsedPublicKey::new(params, &self.der).ok()))
            .as_ref()?;
        Some(parsed.verify_sig(data, sig).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout worked out by hand from X.690: a 2048-bit modulus with its high bit set gets a
    /// 0x00 pad byte, so its INTEGER is 257 bytes (long-form length 0x82 0x01 0x01), 65537 is
    /// `02 03 01 00 01`, and the SEQUENCE holds 4 + 257 + 5 = 266 bytes.
    #[test]
    fn der_has_the_rfc_8017_layout() {
        let mut n = alloc::vec![0u8; 256];
        n[0] = 0xd2;
        n[255] = 0x01;
        let der = rsa_public_key_der(&n, &[1, 0, 1]).unwrap();
        assert_eq!(&der[..4], &[0x30, 0x82, 0x01, 0x0a]);
        assert_eq!(&der[4..9], &[0x02, 0x82, 0x01, 0x01, 0x00]);
        assert_eq!(&der[9..265], &n[..]);
        assert_eq!(&der[265..], &[0x02, 0x03, 0x01, 0x00, 0x01]);
    }

    /// Every slot parses the key (`Some`: ring is not doing the work) and accepts AWS-LC's own
    /// signatures made with the padding and hash of its algorithm, and no other.
    #[test]
    fn each_algorithm_gets_its_own_parsed_key() {
        use aws_lc_rs::rsa::{KeyPair, KeySize};
        use aws_lc_rs::signature::KeyPair as _;
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        // AWS-LC's own DER of the public key: ours, from its n and e, must be the same bytes.
        let der = pair.public_key().as_ref();
        let (n, e) = crate::jwk::rsa_public_key(der).unwrap();
        assert_eq!(rsa_public_key_der(n, e).unwrap(), der);
        let keys = RsaKeys::new(n, e).unwrap();
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let signers: [(Alg, &'static dyn signature::RsaEncoding); 6] = [
            (Alg::RS256, &signature::RSA_PKCS1_SHA256),
            (Alg::RS384, &signature::RSA_PKCS1_SHA384),
            (Alg::RS512, &signature::RSA_PKCS1_SHA512),
            (Alg::PS256, &signature::RSA_PSS_SHA256),
            (Alg::PS384, &signature::RSA_PSS_SHA384),
            (Alg::PS512, &signature::RSA_PSS_SHA512),
        ];
        let data = b"header.payload";
        for (signed_with, encoding) in signers {
            let mut sig = alloc::vec![0u8; pair.public_modulus_len()];
            pair.sign(encoding, &rng, data, &mut sig).unwrap();
            for (alg, _) in signers {
                let want = alg == signed_with;
                assert_eq!(
                    keys.verify(alg, 2048, data, &sig),
                    Some(want),
                    "{signed_with:?} as {alg:?}"
                );
            }
            sig[100] ^= 1;
            assert_eq!(keys.verify(signed_with, 2048, data, &sig), Some(false));
        }
        assert_eq!(keys.verify(Alg::ES256, 2048, data, &[0; 256]), Some(false));
    }

    /// Leading zero octets (which a JWK may carry) are dropped: DER integers are minimal, and
    /// AWS-LC's parser refuses anything else.
    #[test]
    fn der_strips_leading_zeros() {
        let der = rsa_public_key_der(&[0, 0, 0x45], &[0, 3]).unwrap();
        assert_eq!(der, [0x30, 0x06, 0x02, 0x01, 0x45, 0x02, 0x01, 0x03]);
    }
}
