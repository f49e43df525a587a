//! Differential: ES256/ES384/ES512 through the precomputed-table path (`ec_table.rs`, the
//! default for the first keys of a set) against the plain path of the same key (`ec_tables: 0`:
//! ring for P-256 and P-384, RustCrypto's `ecdsa` for P-521). Both must give the same answer for
//! every message and signature.
//!
//! Input: a mode byte, then the message. Mode bits 0-1 pick the curve (0 P-384, 1 P-521,
//! 2-3 P-256); bit 2 set takes the message's last `2 × field` bytes as the raw signature (any
//! `r`, `s`); otherwise the message is signed (RustCrypto, deterministic) and bits 3-7 pick a
//! mutation, so valid, high-S and almost-valid signatures are all reached.
#![no_main]
use libfuzzer_sys::fuzz_target;
use meshauth_core::{b64, Alg, Jwks, JwksOptions};
use p384::elliptic_curve::sec1::ToSec1Point;
use std::sync::OnceLock;

struct Ctx {
    p256: (p256::ecdsa::SigningKey, Jwks, Jwks),
    p384: (p384::ecdsa::SigningKey, Jwks, Jwks),
    p521: (p521::ecdsa::SigningKey, Jwks, Jwks),
}

static CTX: OnceLock<Ctx> = OnceLock::new();

/// The key `(x, y)` on `crv` with and without a table.
fn sets(crv: &str, point: &[u8]) -> (Jwks, Jwks) {
    let f = (point.len() - 1) / 2;
    let doc = format!(
        r#"{{"keys":[{{"kty":"EC","crv":"{crv}","x":"{}","y":"{}"}}]}}"#,
        b64::encode(&point[1..1 + f]),
        b64::encode(&point[1 + f..])
    );
    let with = Jwks::from_json(doc.as_bytes()).unwrap();
    let opts = JwksOptions {
        ec_tables: 0,
        ..JwksOptions::default()
    };
    (with, Jwks::from_json_with(doc.as_bytes(), &opts).unwrap())
}

fn ctx() -> &'static Ctx {
    CTX.get_or_init(|| {
        let k256 = p256::ecdsa::SigningKey::from_slice(&[0x3c; 32]).unwrap();
        let pt = p256::elliptic_curve::sec1::ToSec1Point::to_sec1_point(k256.verifying_key().as_affine(), false);
        let (e, f) = sets("P-256", pt.as_bytes());
        let k384 = p384::ecdsa::SigningKey::from_slice(&[0x5a; 48]).unwrap();
        let pt = k384.verifying_key().as_affine().to_sec1_point(false);
        let (a, b) = sets("P-384", pt.as_bytes());
        let mut secret = [0xa5u8; 66];
        secret[0] = 1;
        let k521 = p521::ecdsa::SigningKey::from_slice(&secret).unwrap();
        let pt = p521::ecdsa::VerifyingKey::from(&k521).to_sec1_point(false);
        let (c, d) = sets("P-521", pt.as_bytes());
        Ctx {
            p256: (k256, e, f),
            p384: (k384, a, b),
            p521: (k521, c, d),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    use p256::ecdsa::signature::Signer as _;
    use p384::ecdsa::signature::Signer as _;
    use p521::ecdsa::signature::Signer as _;
    let Some((&mode, msg)) = data.split_first() else {
        return;
    };
    let c = ctx();
    let (alg, f) = match mode & 3 {
        0 => (Alg::ES384, 48),
        1 => (Alg::ES512, 66),
        _ => (Alg::ES256, 32),
    };
    let (msg, mut sig) = if mode & 4 != 0 {
        if msg.len() < 2 * f {
            return;
        }
        let (m, s) = msg.split_at(msg.len() - 2 * f);
        (m, s.to_vec())
    } else {
        let sig = match alg {
            Alg::ES256 => {
                let s: p256::ecdsa::Signature = c.p256.0.sign(msg);
                s.to_bytes().to_vec()
            }
            Alg::ES384 => {
                let s: p384::ecdsa::Signature = c.p384.0.sign(msg);
                s.to_bytes().to_vec()
            }
            _ => {
                let s: p521::ecdsa::Signature = c.p521.0.sign(msg);
                s.to_bytes().to_vec()
            }
        };
        (msg, sig)
    };
    match mode >> 3 {
        0 => {}
        1 => sig[0] ^= 1,
        2 => sig[2 * f - 1] ^= 0x80,
        3 => sig.swap(0, f),
        4 => sig[..f].fill(0),
        5 => sig[f..].fill(0xff),
        m => {
            let i = usize::from(m) % sig.len();
            sig[i] = sig[i].wrapping_add(m);
        }
    }
    let (with, without) = match alg {
        Alg::ES256 => (&c.p256.1, &c.p256.2),
        Alg::ES384 => (&c.p384.1, &c.p384.2),
        _ => (&c.p521.1, &c.p521.2),
    };
    let a = with.keys()[0].verify_signature(alg, msg, &sig);
    let b = without.keys()[0].verify_signature(alg, msg, &sig);
    assert_eq!(a, b, "table path and plain path disagree");
});
