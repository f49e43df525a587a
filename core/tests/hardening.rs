//! Issue #12 hardening: resource limits enforced before the expensive work, and one shared key
//! set hammered by 8 threads while another thread swaps in refreshed sets. Expected answers are
//! fixed by construction (which key signed which token), never computed by the code under test.

mod common;

use common::{b64url, hs256_token as hs256};
use meshauth_core::{cert, verify, Authenticator, AuthorizationPolicy, Jwks, Status, Validation};
use std::sync::{Arc, RwLock, Weak};

const NOW: i64 = 1_800_000_000;

fn oct(kid: &str, key: &[u8]) -> String {
    format!(r#"{{"kty":"oct","kid":"{kid}","k":"{}"}}"#, b64url(key))
}

fn status<T>(r: Result<T, Status>) -> Status {
    r.err().unwrap_or(Status::Ok)
}

// ---- limits -------------------------------------------------------------------------------

#[test]
fn token_size_limit_is_checked_first() {
    let key = [9u8; 32];
    let jwks = Jwks::from_json(format!(r#"{{"keys":[{}]}}"#, oct("k", &key)).as_bytes()).unwrap();
    let v = Validation::new();
    // The largest valid token under the default 16 KiB limit: grow a padding claim.
    let mut best = String::new();
    for pad in 12_000..12_400 {
        let t = hs256(
            r#"{"alg":"HS256"}"#,
            &format!(r#"{{"pad":"{}"}}"#, "x".repeat(pad)),
            &key,
        );
        if t.len() <= 16 * 1024 {
            best = t;
        }
    }
    assert!(best.len() > 16 * 1024 - 4, "{}", best.len());
    assert_eq!(status(verify(best.as_bytes(), &jwks, &v, NOW)), Status::Ok);
    let mut tight = Validation::new();
    tight.set_max_token_bytes(best.len() - 1);
    assert_eq!(
        status(verify(best.as_bytes(), &jwks, &tight, NOW)),
        Status::JwtTooLarge
    );
    // Over the limit, the size answers before any parsing: these would otherwise be format,
    // base64 or JSON errors.
    for bomb in [
        "A".repeat(16 * 1024 + 1),
        ".".repeat(16 * 1024 + 1),
        "a.".repeat(500_000),
        format!("{}.e30.", "[".repeat(20_000)),
    ] {
        assert_eq!(
            status(verify(bomb.as_bytes(), &jwks, &v, NOW)),
            Status::JwtTooLarge
        );
    }
    // 16 KiB of dots is inside the size limit and is a format error, without splitting work.
    assert_eq!(
        status(verify(".".repeat(16 * 1024).as_bytes(), &jwks, &v, NOW)),
        Status::JwtBadFormat
    );
}

#[test]
fn header_and_payload_depth_bombs_within_the_size_limit() {
    let key = [9u8; 32];
    let jwks = Jwks::from_json(format!(r#"{{"keys":[{}]}}"#, oct("k", &key)).as_bytes()).unwrap();
    let v = Validation::new();
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let t = hs256(
        &format!(r#"{{"alg":"HS256","x":{}}}"#, deep(5000)),
        "{}",
        &key,
    );
    assert!(t.len() <= 16 * 1024);
    assert_eq!(
        status(verify(t.as_bytes(), &jwks, &v, NOW)),
        Status::JwtHeaderParseErrorBadJson
    );
    let t = hs256(
        r#"{"alg":"HS256"}"#,
        &format!(r#"{{"x":{}}}"#, deep(5000)),
        &key,
    );
    assert_eq!(
        status(verify(t.as_bytes(), &jwks, &v, NOW)),
        Status::JwtPayloadParseErrorBadJson
    );
    // Exactly at the limit (the object plus 31 arrays = 32 levels) the payload is fine.
    let t = hs256(
        r#"{"alg":"HS256"}"#,
        &format!(r#"{{"x":{}}}"#, deep(31)),
        &key,
    );
    assert_eq!(status(verify(t.as_bytes(), &jwks, &v, NOW)), Status::Ok);
}

#[test]
fn jwks_limits() {
    let key = oct("k", &[1u8; 32]);
    let set = |n: usize| format!(r#"{{"keys":[{}]}}"#, vec![key.as_str(); n].join(","));
    // 512 keys load; 513 are too many.
    assert_eq!(Jwks::from_json(set(512).as_bytes()).unwrap().len(), 512);
    assert_eq!(
        status(Jwks::from_json(set(513).as_bytes())),
        Status::JwksTooLarge
    );
    // 513 entries of which none is a usable key: the count answers, not the first key's error.
    let bad = format!(
        r#"{{"keys":[{}]}}"#,
        vec![r#"{"kty":"oct","k":""}"#; 513].join(",")
    );
    assert_eq!(
        status(Jwks::from_json(bad.as_bytes())),
        Status::JwksTooLarge
    );
    // 1 MiB: a document one byte over is refused before parsing (it is not even JSON).
    let mut big = vec![b'x'; (1 << 20) + 1];
    assert_eq!(status(Jwks::from_json(&big)), Status::JwksTooLarge);
    big.truncate(1 << 20);
    assert_eq!(status(Jwks::from_json(&big)), Status::JwksParseError);
    // A 1 MiB depth bomb: a parse error, no stack overflow.
    let bomb = format!(r#"{{"keys":{}"#, "[".repeat((1 << 20) - 8));
    assert_eq!(bomb.len(), 1 << 20);
    assert_eq!(
        status(Jwks::from_json(bomb.as_bytes())),
        Status::JwksParseError
    );
    // Depth 32 is the limit: {"keys":[{"kty":..,"x":[[..]]}]} nested to 32 and 33 levels.
    let nested = |n: usize| {
        format!(
            r#"{{"keys":[{{"kty":"oct","k":"AQ","x":{}{}}}]}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    assert_eq!(Jwks::from_json(nested(29).as_bytes()).unwrap().len(), 1);
    assert_eq!(
        status(Jwks::from_json(nested(30).as_bytes())),
        Status::JwksParseError
    );
    // The same limits through the comparison entry point.
    assert_eq!(
        meshauth_core::jwks_compare::changed(set(1).as_bytes(), set(513).as_bytes()),
        Err(Status::JwksTooLarge)
    );
}

#[test]
fn cert_and_config_limits() {
    let big = vec![b'A'; cert::MAX_INPUT + 1];
    assert_eq!(status(cert::parse(&big)), Status::CertTooLarge);
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/spiffe_chain.pem"
    ))
    .unwrap();
    let one = {
        let s = std::str::from_utf8(&pem).unwrap();
        let end = s.find("-----END CERTIFICATE-----").unwrap() + 26;
        s[..end].to_string()
    };
    let many = one.repeat(cert::MAX_BLOCKS + 1);
    if many.len() <= cert::MAX_INPUT {
        assert_eq!(status(cert::parse(many.as_bytes())), Status::CertTooLarge);
    }
    assert_eq!(cert::parse(one.as_bytes()).unwrap().len(), 1);
    // Configuration depth bombs are errors, not stack overflows.
    let bomb = "[".repeat(1 << 20);
    assert!(Authenticator::from_json(bomb.as_bytes()).is_err());
    assert!(AuthorizationPolicy::from_json(bomb.as_bytes()).is_err());
}

// ---- concurrency ------------------------------------------------------------------------

/// One token and what it must give under key set generation `g` (even: set A, odd: set B).
struct Case {
    token: String,
    under_a: Status,
    under_b: Status,
}

fn status_named(name: &str) -> Status {
    Status::from_name(name).unwrap_or_else(|| panic!("unknown status {name}"))
}

/// tests/vectors/keyset_swap.json (shared with the C, Python and Node suites): the two key sets
/// as JWKS text and the cases with tokens signed here with ring's HMAC.
fn swap_cases() -> (String, String, Vec<Case>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/keyset_swap.json"
    );
    let d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let key = |kid: &str| common::unhex(d["keys"][kid].as_str().unwrap());
    let set = |name: &str| {
        let keys: Vec<String> = d["sets"][name]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| oct(k.as_str().unwrap(), &key(k.as_str().unwrap())))
            .collect();
        format!(r#"{{"keys":[{}]}}"#, keys.join(","))
    };
    let cases = d["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let token = if let Some(raw) = c["raw"].as_str() {
                raw.to_string()
            } else if let Some(r) = c.get("repeat") {
                r["unit"]
                    .as_str()
                    .unwrap()
                    .repeat(r["count"].as_u64().unwrap() as usize)
            } else {
                let mut t = hs256(
                    c["header"].as_str().unwrap(),
                    c["claims"].as_str().unwrap(),
                    &key(c["sign_with"].as_str().unwrap()),
                );
                if let Some(tail) = c["replace_tail"].as_str() {
                    t.replace_range(t.len() - tail.len().., tail);
                }
                t
            };
            Case {
                token,
                under_a: status_named(c["under_a"].as_str().unwrap()),
                under_b: status_named(c["under_b"].as_str().unwrap()),
            }
        })
        .collect();
    (set("A"), set("B"), cases)
}

#[test]
fn eight_threads_share_one_key_set_while_it_is_swapped() {
    let (json_a, json_b, cases) = swap_cases();
    assert_eq!(cases.len(), 9);
    let cases = Arc::new(cases);
    let shared = Arc::new(RwLock::new((
        0u64,
        Arc::new(Jwks::from_json(json_a.as_bytes()).unwrap()),
    )));
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut v = Validation::new();
    v.set_issuer("https://issuer.example");
    let v = Arc::new(v);

    let swapper = {
        let (shared, done) = (shared.clone(), done.clone());
        std::thread::spawn(move || {
            let mut old: Vec<Weak<Jwks>> = Vec::new();
            let mut g = 0u64;
            while !done.load(std::sync::atomic::Ordering::Relaxed) || g < 50 {
                g += 1;
                let json = if g.is_multiple_of(2) {
                    &json_a
                } else {
                    &json_b
                };
                let fresh = Arc::new(Jwks::from_json(json.as_bytes()).unwrap());
                let prev = std::mem::replace(&mut *shared.write().unwrap(), (g, fresh));
                old.push(Arc::downgrade(&prev.1));
                drop(prev);
                std::thread::yield_now();
            }
            (g, old)
        })
    };
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (shared, cases, v) = (shared.clone(), cases.clone(), v.clone());
            std::thread::spawn(move || {
                let (mut checked, mut wrong) = (0usize, Vec::new());
                for i in 0..3000 {
                    let (g, keys) = {
                        let guard = shared.read().unwrap();
                        (guard.0, guard.1.clone())
                    };
                    let c = &cases[(i * 7 + w) % cases.len()];
                    let want = if g.is_multiple_of(2) {
                        c.under_a
                    } else {
                        c.under_b
                    };
                    let got = status(verify(c.token.as_bytes(), &keys, &v, NOW));
                    if got != want {
                        wrong.push(format!(
                            "worker {w} gen {g} case {}: {got:?}, want {want:?}",
                            i % cases.len()
                        ));
                    }
                    checked += 1;
                }
                (checked, wrong)
            })
        })
        .collect();
    let mut total = 0;
    for wk in workers {
        let (n, wrong) = wk.join().expect("a worker panicked");
        assert!(wrong.is_empty(), "{wrong:?}");
        total += n;
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (gens, old) = swapper.join().expect("the swapper panicked");
    assert_eq!(total, 8 * 3000);
    assert!(gens >= 50);
    // No leak: every swapped-out set was freed once the last reader dropped it, and the
    // current one is held only by the lock.
    assert!(old.iter().all(|w| w.upgrade().is_none()));
    let cur = shared.read().unwrap().1.clone();
    assert_eq!(Arc::strong_count(&cur), 2);
    println!("concurrency: {total} verifications across {gens} key-set generations, 0 wrong");
}
