//! RSA signature checks through AWS-LC with the key parsed once (cargo feature `aws-lc`).
//!
//! ring has no parsed RSA public key: every check rebuilds the modulus' Montgomery constants
//! from `n` and `e`, and that is most of the difference between ring and AWS-LC on RS*/PS*
//! (BENCHMARKS.md, "RSA backends"). With this feature a key keeps one AWS-LC `ParsedPublicKey`
//! per JWS algorithm, built on its first use (a key without `alg` may use up to six; ~2 KiB each
//! for a 2048-bit key and ~3.2 KiB for 4096 bits, measured with `mallinfo2`), so a check is the
//! exponentiation and the padding check only. The parameters are those of ring's table in
//! [`crate::jwk`] (2048–8192 bits; 1024–2047-bit keys for RS256 and RS512 only, when legacy keys
//! are allowed). `make test` runs the core's RSA suites on both backends, including
//! `core/tests/rsa_backends.rs`: legacy keys, e = 3 and malformed signatures, with signatures
//! made by OpenSSL.

use alloc::boxed::Box;

use aws_lc_rs::signature::{self, ParsedPublicKey, RsaParameters, RsaPublicKeyComponents};
use once_cell::race::OnceBox;

use crate::jwk::RsaCheck;

/// AWS-LC's parameters for each [`RsaCheck`], in its order (the same as ring's in `jwk`).
const AWS_LC_RSA: [&RsaParameters; 8] = [
    &signature::RSA_PKCS1_2048_8192_SHA256,
    &signature::RSA_PKCS1_2048_8192_SHA384,
    &signature::RSA_PKCS1_2048_8192_SHA512,
    &signature::RSA_PSS_2048_8192_SHA256,
    &signature::RSA_PSS_2048_8192_SHA384,
    &signature::RSA_PSS_2048_8192_SHA512,
    &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
    &signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
];

/// The AWS-LC side of one RSA key: per [`RsaCheck`], the parsed key, built on first use (`None`
/// inside when AWS-LC refused it).
#[derive(Default)]
pub(crate) struct RsaKeys {
    parsed: [OnceBox<Option<ParsedPublicKey>>; 8],
}

impl RsaKeys {
    /// Checks `sig` over `data` with the key `n`, `e` (big-endian, the key this was made for):
    /// `Some(valid)`, or `None` when AWS-LC refused the key and the caller must use ring.
    pub(crate) fn verify(
        &self,
        n: &[u8],
        e: &[u8],
        check: RsaCheck,
        data: &[u8],
        sig: &[u8],
    ) -> Option<bool> {
        let params = AWS_LC_RSA[check as usize];
        let parsed = self.parsed[check as usize]
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

    /// Every check parses the key (`Some`: ring is not doing the work) and accepts AWS-LC's own
    /// signatures made with its padding and hash, and no other.
    #[test]
    fn each_algorithm_gets_its_own_parsed_key() {
        use aws_lc_rs::rsa::{KeyPair, KeySize};
        use aws_lc_rs::signature::KeyPair as _;
        let pair = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let (n, e) = crate::jwk::rsa_public_key(pair.public_key().as_ref()).unwrap();
        let keys = RsaKeys::default();
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let signers: [(RsaCheck, &'static dyn signature::RsaEncoding); 6] = [
            (RsaCheck::Rs256, &signature::RSA_PKCS1_SHA256),
            (RsaCheck::Rs384, &signature::RSA_PKCS1_SHA384),
            (RsaCheck::Rs512, &signature::RSA_PKCS1_SHA512),
            (RsaCheck::Ps256, &signature::RSA_PSS_SHA256),
            (RsaCheck::Ps384, &signature::RSA_PSS_SHA384),
            (RsaCheck::Ps512, &signature::RSA_PSS_SHA512),
        ];
        let data = b"header.payload";
        for (signed_with, encoding) in signers {
            let mut sig = alloc::vec![0u8; pair.public_modulus_len()];
            pair.sign(encoding, &rng, data, &mut sig).unwrap();
            for (check, _) in signers {
                let want = check == signed_with;
                let got = keys.verify(n, e, check, data, &sig);
                assert_eq!(got, Some(want), "{signed_with:?} as {check:?}");
            }
            sig[100] ^= 1;
            assert_eq!(keys.verify(n, e, signed_with, data, &sig), Some(false));
        }
    }
}
