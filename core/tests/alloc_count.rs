//! Zero heap allocations per `verify` for HS/ES/EdDSA tokens with a prepared key set: counted
//! (not timed) with a counting global allocator, per thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use meshauth_core::{b64, verify, Jwks, Validation};
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair};

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

const CLAIMS: &str = r#"{"iss":"https://issuer.example","sub":"alice","aud":["api","web"],"iat":1700000000,"exp":2000000000,"scope":"read write"}"#;

fn token(alg: &str, kid: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let signed = format!(
        "{}.{}",
        b64::encode(format!(r#"{{"alg":"{alg}","kid":"{kid}","typ":"JWT"}}"#).as_bytes()),
        b64::encode(CLAIMS.as_bytes())
    );
    let sig = sign(signed.as_bytes());
    format!("{signed}.{}", b64::encode(&sig))
}

#[test]
fn verify_allocates_nothing_for_hs_es_eddsa() {
    let rng = SystemRandom::new();
    let secret = [9u8; 64];
    let hkey = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret);
    let pkcs8 =
        signature::EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap();
    let ec = signature::EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .unwrap();
    let pkcs8 = signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let ed = signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let p = ec.public_key().as_ref();
    let jwks = format!(
        r#"{{"keys":[{{"kty":"oct","kid":"h","alg":"HS256","k":"{}"}},{{"kty":"EC","kid":"e","alg":"ES256","crv":"P-256","x":"{}","y":"{}"}},{{"kty":"OKP","kid":"d","crv":"Ed25519","x":"{}"}},{{"kty":"RSA","kid":"r","n":"{}","e":"AQAB"}}]}}"#,
        b64::encode(&secret),
        b64::encode(&p[1..33]),
        b64::encode(&p[33..]),
        b64::encode(ed.public_key().as_ref()),
        // A 2048-bit odd modulus so the set also holds an RSA key (never selected here).
        b64::encode(&[&[0xc1u8][..], &[0x5a; 254], &[0x01]].concat()),
    );
    let jwks = Jwks::from_json(jwks.as_bytes()).unwrap();
    assert_eq!(jwks.len(), 4);
    let mut v = Validation::new();
    v.set_issuer("https://issuer.example")
        .add_audience("https://web/");
    let tokens = [
        token("HS256", "h", |m| {
            ring::hmac::sign(&hkey, m).as_ref().to_vec()
        }),
        token("ES256", "e", |m| {
            ec.sign(&rng, m).unwrap().as_ref().to_vec()
        }),
        token("EdDSA", "d", |m| ed.sign(m).as_ref().to_vec()),
    ];
    for t in &tokens {
        // Warm up once (lazy one-time initialisation in the crypto library is not per-verify).
        verify(t.as_bytes(), &jwks, &v, 1_800_000_000).unwrap();
        let n = allocations(|| {
            let ok = verify(t.as_bytes(), &jwks, &v, 1_800_000_000).unwrap();
            assert_eq!(ok.sub(), Some("alice"));
            assert_eq!(ok.iss(), Some("https://issuer.example"));
        });
        assert_eq!(n, 0, "{} allocated {n} times", &t[..20]);
    }
    // The counter itself works: parsing a key set does allocate.
    assert!(
        allocations(|| drop(Jwks::from_json(
            br#"{"keys":[{"kty":"oct","k":"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"}]}"#
        ))) > 0
    );
}
