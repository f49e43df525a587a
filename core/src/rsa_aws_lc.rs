//! RSA signature checks through AWS-LC with the key parsed once (cargo feature `aws-lc`).
//!
//! ring has no parsed RSA public key: every check rebuilds the modulus' Montgomery constants
//! from `n` and `e`, and that is most of the difference between ring and AWS-LC on RS*/PS*
//! (BENCHMARKS.md, "RSA backends"). With this feature a key keeps one AWS-LC `ParsedPublicKey`
//! per JWS algorithm, built on its first use (a key without `alg` may use up to six; ~2 KiB each
//! for a 2048-bit key and ~3.2 KiB for 4096 bits, measured with `mallinfo2`), so a check is the
//! exponentiation and the padding check only. The parameters are those of ring's table in
//! [`crate::jwk`] (2048–8192 bits; 1024–2047-bit keys for RS256 and RS512 only, when legacy keys
//! are allowed). The core's test suite runs on both backends (`make test`), including
//! `core/tests/rsa_backends.rs`: legacy keys, e = 3 and malformed signatures, with signatures
//! made by OpenSSL.

use alloc::boxed::Box;

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use once_cell::race::OnceBox;

use crate::alg::Alg;

/// The AWS-LC side of one RSA key: its size and, per algorithm, the parsed key (`None` inside
/// when AWS-LC refused it).
pub(crate) struct RsaKeys {
    bits: u32,
    parsed: [OnceBox<Option<ParsedPublicKey>>; 6],
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
    /// The (still empty) AWS-LC side of a key of `bits` bits.
    pub(crate) fn new(bits: u32) -> Self {
        RsaKeys {
            bits,
            parsed: Default::default(),
        }
    }

    /// Checks `sig` over `data` for `alg` with the key `n`, `e` (big-endian, the key this was made
    /// for): `Some(valid)`, or `None` when AWS-LC refused the key and the caller must use ring.
    pub(crate) fn verify(
        &self,
        n: &[u8],
        e: &[u8],
        alg: Alg,
        data: &[u8],
        sig: &[u8],
    ) -> Option<bool> {
        let Some((params, slot)) = params(alg, self.bits) else {
            return Some(false);
        };
        let parsed = self.parsed[slot]
            .get_or_init(|| {
                Box::new(
                    RsaPublicKeyComponents { n, e }
                        .to_parsed_public_key(params)
                        .ok(),
                )
            })
            .as_ref()?;
        Some(parsed.verify_sig(data, sig).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every slot parses the key (`Some`: ring is not doing the work) and accepts AWS-LC's own
    /// signatures made with the padding and hash of its algorithm, and no other.
    #[test]
    fn each_algorithm_gets_its_own_parsed_key() {
        use aws_lc_rs::rsa::{KeyPair, KeySize};
        use aws_lc_rs::signature::KeyPair as _;
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let (n, e) = crate::jwk::rsa_public_key(pair.public_key().as_ref()).unwrap();
        let keys = RsaKeys::new(2048);
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
                let got = keys.verify(n, e, alg, data, &sig);
                assert_eq!(got, Some(want), "{signed_with:?} as {alg:?}");
            }
            sig[100] ^= 1;
            assert_eq!(keys.verify(n, e, signed_with, data, &sig), Some(false));
        }
        assert_eq!(keys.verify(n, e, Alg::ES256, data, &[0; 256]), Some(false));
    }
}
