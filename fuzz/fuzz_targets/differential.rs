//! Differential: verify against the signature floor. Every token `verify` accepts must carry a
//! signature that the raw primitive (ring directly, with the key material held here, not the
//! core's prepared key) accepts for the token's algorithm and the key that verify reports.
//!
//! Input: a mode byte, then (2-byte length) header JSON and payload bytes. Mode bit 0-2 picks a
//! signer (HS256/384/512 with the oct key, EdDSA with the Ed25519 key, or none: the rest of the
//! input is taken as the whole token); the remaining bits pick a signature mutation, so the
//! fuzzer reaches both valid and almost-valid signatures.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::{b64, verify, Alg, Jwks, Validation};
use meshauth_fuzz::{unb64, EC_X, EC_Y, ED_D, ED_X, HS_K, RSA_N};
use ring::{hmac, signature};
use std::sync::OnceLock;

struct Ctx {
    jwks: Jwks,
    hs: Vec<u8>,
    ed: signature::Ed25519KeyPair,
}

static CTX: OnceLock<Ctx> = OnceLock::new();

fn ctx() -> &'static Ctx {
    CTX.get_or_init(|| Ctx {
        jwks: Jwks::from_json(meshauth_fuzz::ref_jwks_json().as_bytes()).unwrap(),
        hs: unb64(HS_K),
        ed: signature::Ed25519KeyPair::from_seed_and_public_key(&unb64(ED_D), &unb64(ED_X))
            .unwrap(),
    })
}

/// The floor: does the raw primitive accept `sig` over `data` for `alg` with reference key `i`
/// (document order of `ref_jwks_json`: oct, RSA, EC P-256, Ed25519)?
fn floor(i: usize, alg: Alg, data: &[u8], sig: &[u8]) -> bool {
    let c = ctx();
    match (i, alg) {
        (0, Alg::HS256 | Alg::HS384 | Alg::HS512) => {
            let a = match alg {
                Alg::HS256 => hmac::HMAC_SHA256,
                Alg::HS384 => hmac::HMAC_SHA384,
                _ => hmac::HMAC_SHA512,
            };
            hmac::verify(&hmac::Key::new(a, &c.hs), data, sig).is_ok()
        }
        (1, _) => {
            let p: &signature::RsaParameters = match alg {
                Alg::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                Alg::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                Alg::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                Alg::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
                Alg::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
                Alg::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
                _ => return false,
            };
            let n = unb64(RSA_N);
            signature::RsaPublicKeyComponents {
                n: &n[..],
                e: &[1u8, 0, 1][..],
            }
            .verify(p, data, sig)
            .is_ok()
        }
        (2, Alg::ES256) => {
            let mut point = vec![4u8];
            point.extend(unb64(EC_X));
            point.extend(unb64(EC_Y));
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(data, sig)
                .is_ok()
        }
        (3, Alg::EdDSA) => signature::UnparsedPublicKey::new(&signature::ED25519, unb64(ED_X))
            .verify(data, sig)
            .is_ok(),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let c = ctx();
    let token: Vec<u8> = if mode & 7 >= 4 {
        rest.to_vec()
    } else {
        let (h, p) = meshauth_fuzz::split2(rest);
        let mut si = b64::encode(h).into_bytes();
        si.push(b'.');
        si.extend(b64::encode(p).into_bytes());
        let mut sig = match mode & 3 {
            0 => hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &c.hs), &si)
                .as_ref()
                .to_vec(),
            1 => hmac::sign(&hmac::Key::new(hmac::HMAC_SHA384, &c.hs), &si)
                .as_ref()
                .to_vec(),
            2 => hmac::sign(&hmac::Key::new(hmac::HMAC_SHA512, &c.hs), &si)
                .as_ref()
                .to_vec(),
            _ => c.ed.sign(&si).as_ref().to_vec(),
        };
        match mode >> 3 {
            0 => {}
            1 => {
                sig.pop();
            }
            2 => sig.push(0),
            3 => sig[0] ^= 1,
            4 => sig.insert(0, 0),
            5 => sig.clear(),
            m => {
                let i = usize::from(m) % sig.len();
                sig[i] = sig[i].wrapping_add(m);
            }
        }
        si.push(b'.');
        si.extend(b64::encode(&sig).into_bytes());
        si
    };
    if let Ok(ok) = verify(&token, &c.jwks, &Validation::new(), 1_800_000_000) {
        let t = ok.token();
        let data = t.signing_input();
        let sig_b64 = &token[data.len() + 1..];
        let sig = b64::decode(sig_b64).expect("an accepted signature is base64url");
        assert!(
            floor(ok.key_index(), t.alg(), data, &sig),
            "accepted a signature the raw primitive rejects"
        );
    }
});
