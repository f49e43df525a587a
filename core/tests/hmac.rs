//! HS256/384/512 keys (RustCrypto's `hmac` + `sha2` inside `jwk`) against values computed
//! elsewhere: RFC 4231's worked tags for a key longer than every block (test cases 6 and 7), and
//! ring's HMAC (an independent implementation) for keys on each side of the 64- and 128-byte
//! block sizes, through `verify` of whole tokens.

mod common;

use common::{b64url, unhex};
use meshauth_core::{verify, Alg, Jwks, Status, Validation};

fn oct_set(key: &[u8]) -> Jwks {
    let jwk = format!(r#"{{"keys":[{{"kty":"oct","k":"{}"}}]}}"#, b64url(key));
    Jwks::from_json(jwk.as_bytes()).unwrap()
}

#[test]
fn rfc4231_long_key_cases() {
    // RFC 4231 §4.7 and §4.8: a 131-byte key of 0xaa, hashed before use.
    let key = [0xaa; 131];
    let cases: [(&str, [&str; 3]); 2] = [
        (
            "Test Using Larger Than Block-Size Key - Hash Key First",
            [
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
                "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
            ],
        ),
        (
            "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
            [
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
                "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
            ],
        ),
    ];
    let set = oct_set(&key);
    let jwk = &set.keys()[0];
    for (data, tags) in cases {
        for (alg, tag) in [Alg::HS256, Alg::HS384, Alg::HS512].into_iter().zip(tags) {
            let tag = unhex(tag);
            assert!(jwk.verify_signature(alg, data.as_bytes(), &tag), "{alg:?}");
            // One flipped bit, one byte short, one byte long: all refused.
            let mut flipped = tag.clone();
            flipped[tag.len() / 2] ^= 0x01;
            assert!(
                !jwk.verify_signature(alg, data.as_bytes(), &flipped),
                "{alg:?}"
            );
            assert!(!jwk.verify_signature(alg, data.as_bytes(), &tag[..tag.len() - 1]));
            let mut long = tag.clone();
            long.push(0);
            assert!(
                !jwk.verify_signature(alg, data.as_bytes(), &long),
                "{alg:?}"
            );
        }
    }
}

#[test]
fn tokens_signed_by_ring_verify_for_keys_around_the_block_sizes() {
    let algs = [
        ("HS256", ring::hmac::HMAC_SHA256, 32),
        ("HS384", ring::hmac::HMAC_SHA384, 48),
        ("HS512", ring::hmac::HMAC_SHA512, 64),
    ];
    let claims = r#"{"iss":"https://issuer.example","sub":"alice","exp":1900000000}"#;
    let v = Validation::new();
    let now = 1_800_000_000;
    for len in [32, 48, 63, 64, 65, 127, 128, 129, 200, 1000] {
        let key: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
        let set = oct_set(&key);
        for (name, ring_alg, min_len) in algs {
            let signed = format!(
                "{}.{}",
                b64url(format!(r#"{{"alg":"{name}"}}"#).as_bytes()),
                b64url(claims.as_bytes())
            );
            let tag = ring::hmac::sign(&ring::hmac::Key::new(ring_alg, &key), signed.as_bytes());
            let token = format!("{signed}.{}", b64url(tag.as_ref()));
            let got = verify(token.as_bytes(), &set, &v, now).map(|t| t.key_index());
            // A key shorter than the hash output is not used for that alg (RFC 7518 §3.2).
            let want = if len >= min_len {
                Ok(0)
            } else {
                Err(Status::JwksKidAlgMismatch)
            };
            assert_eq!(got, want, "{name} with a {len}-byte key");
            // The same signing input under a tag from another key length is refused.
            let other = ring::hmac::sign(
                &ring::hmac::Key::new(ring_alg, &key[..len - 1]),
                signed.as_bytes(),
            );
            let forged = format!("{signed}.{}", b64url(other.as_ref()));
            if len >= min_len {
                assert_eq!(
                    verify(forged.as_bytes(), &set, &v, now).err(),
                    Some(Status::JwtVerificationFail),
                    "{name} with a {len}-byte key"
                );
            }
        }
    }
}
