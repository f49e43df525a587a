//! `meshauth demo`: the main job on embedded data, no network. Signs a token with every one of
//! the 13 algorithms (Istio's published sample RSA key; fresh EC, Ed25519 and HMAC keys), verifies
//! each against one JWKS, then shows a rejection for each kind of failure, a key rotation as a
//! JWKS diff, certificate expiry and rotation schedules, and request authentication with an
//! authorization policy.

use meshauth_core::authn::{Authenticator, Outcome as AuthnOutcome, RequestView};
use meshauth_core::rotation::{self, NANOS_PER_SECOND};
use meshauth_core::{b64, cert, jwks_compare, policy, verify, Jwks, Status, Validation};
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair};

use crate::util::{human_duration, rfc3339};
use crate::Outcome;

const ISTIO_JWKS: &str = include_str!("../../tests/vectors/istio/jwks.json");
const ISTIO_TOKEN: &str = include_str!("../../tests/vectors/istio/demo.jwt");
const ISTIO_KEY: &str = include_str!("../../tests/vectors/istio/key.pem");
const ISTIO_KID: &str = "DHFbpoIUqrY8t2zpA2qXfCmr5VO5ZEr4RzHU_-envvQ";
const ISSUER: &str = "https://demo.meshauth.example";
const CHAINS: [(&str, &str); 2] = [
    (
        "istio_ecc-int2-cert-chain.pem",
        include_str!("../../tests/vectors/x509/istio_ecc-int2-cert-chain.pem"),
    ),
    (
        "derived_text_before_between_after.pem",
        include_str!("../../tests/vectors/x509/derived_text_before_between_after.pem"),
    ),
];

type Signer = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// One demo key: its JWK (public part) and a signing function.
struct DemoKey {
    alg: &'static str,
    kid: String,
    jwk: serde_json::Value,
    sign: Signer,
}

fn keys() -> Result<Vec<DemoKey>, String> {
    let rng = SystemRandom::new();
    let mut out = Vec::new();
    // RS* and PS*: Istio's sample key; its public half is the JWK in Istio's jwks.json.
    let (_, der) = pem_rfc7468::decode_vec(ISTIO_KEY.as_bytes()).map_err(|e| e.to_string())?;
    let rsa =
        std::sync::Arc::new(signature::RsaKeyPair::from_der(&der).map_err(|e| e.to_string())?);
    let istio: serde_json::Value = serde_json::from_str(ISTIO_JWKS).map_err(|e| e.to_string())?;
    let rsa_jwk = istio["keys"][0].clone();
    let pads: [(&'static str, &'static dyn signature::RsaEncoding); 6] = [
        ("RS256", &signature::RSA_PKCS1_SHA256),
        ("RS384", &signature::RSA_PKCS1_SHA384),
        ("RS512", &signature::RSA_PKCS1_SHA512),
        ("PS256", &signature::RSA_PSS_SHA256),
        ("PS384", &signature::RSA_PSS_SHA384),
        ("PS512", &signature::RSA_PSS_SHA512),
    ];
    for (alg, pad) in pads {
        let (key, rng) = (rsa.clone(), rng.clone());
        out.push(DemoKey {
            alg,
            kid: ISTIO_KID.into(),
            jwk: rsa_jwk.clone(),
            sign: Box::new(move |m| {
                let mut sig = vec![0; key.public().modulus_len()];
                key.sign(pad, &rng, m, &mut sig)
                    .map(|_| sig)
                    .unwrap_or_default()
            }),
        });
    }
    // ES256 / ES384 with fresh keys.
    for (alg, crv, algo) in [
        (
            "ES256",
            "P-256",
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        ),
        (
            "ES384",
            "P-384",
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        ),
    ] {
        let pkcs8 =
            signature::EcdsaKeyPair::generate_pkcs8(algo, &rng).map_err(|e| e.to_string())?;
        let kp = signature::EcdsaKeyPair::from_pkcs8(algo, pkcs8.as_ref(), &rng)
            .map_err(|e| e.to_string())?;
        let point = kp.public_key().as_ref();
        let f = (point.len() - 1) / 2;
        let kid = format!("demo-{}", alg.to_lowercase());
        let jwk = serde_json::json!({"kty": "EC", "crv": crv, "alg": alg, "kid": kid,
            "x": b64::encode(&point[1..1 + f]), "y": b64::encode(&point[1 + f..])});
        let rng = rng.clone();
        out.push(DemoKey {
            alg,
            kid,
            jwk,
            sign: Box::new(move |m| {
                kp.sign(&rng, m)
                    .map(|s| s.as_ref().to_vec())
                    .unwrap_or_default()
            }),
        });
    }
    // ES512 (P-521) with RustCrypto p521, from a fresh random scalar.
    let p521_key = loop {
        let mut secret = [0u8; 66];
        ring::rand::SecureRandom::fill(&rng, &mut secret).map_err(|_| "random".to_string())?;
        secret[0] &= 0x01;
        if let Ok(k) = p521::ecdsa::SigningKey::from_slice(&secret) {
            break k;
        }
    };
    let point = p521::ecdsa::VerifyingKey::from(&p521_key).to_sec1_point(false);
    let point = point.as_bytes().to_vec();
    out.push(DemoKey {
        alg: "ES512",
        kid: "demo-es512".into(),
        jwk: serde_json::json!({"kty": "EC", "crv": "P-521", "alg": "ES512", "kid": "demo-es512",
            "x": b64::encode(&point[1..67]), "y": b64::encode(&point[67..])}),
        sign: Box::new(move |m| {
            use p521::ecdsa::signature::Signer;
            let sig: p521::ecdsa::Signature = p521_key.sign(m);
            sig.to_bytes().to_vec()
        }),
    });
    // HS256/384/512 with one fresh 64-byte secret.
    let mut secret = [0u8; 64];
    ring::rand::SecureRandom::fill(&rng, &mut secret).map_err(|_| "random".to_string())?;
    for (alg, h) in [
        ("HS256", ring::hmac::HMAC_SHA256),
        ("HS384", ring::hmac::HMAC_SHA384),
        ("HS512", ring::hmac::HMAC_SHA512),
    ] {
        let key = ring::hmac::Key::new(h, &secret);
        out.push(DemoKey {
            alg,
            kid: "demo-hmac".into(),
            jwk: serde_json::json!({"kty": "oct", "kid": "demo-hmac", "k": b64::encode(&secret)}),
            sign: Box::new(move |m| ring::hmac::sign(&key, m).as_ref().to_vec()),
        });
    }
    // EdDSA with a fresh Ed25519 key.
    let pkcs8 = signature::Ed25519KeyPair::generate_pkcs8(&rng).map_err(|e| e.to_string())?;
    let ed = signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| e.to_string())?;
    out.push(DemoKey {
        alg: "EdDSA",
        kid: "demo-ed25519".into(),
        jwk: serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": "demo-ed25519",
            "x": b64::encode(ed.public_key().as_ref())}),
        sign: Box::new(move |m| ed.sign(m).as_ref().to_vec()),
    });
    Ok(out)
}

fn token(k: &DemoKey, claims: &serde_json::Value) -> String {
    let header = serde_json::json!({"alg": k.alg, "kid": k.kid, "typ": "JWT"});
    let signed = format!(
        "{}.{}",
        b64::encode(header.to_string().as_bytes()),
        b64::encode(claims.to_string().as_bytes())
    );
    format!("{signed}.{}", b64::encode(&(k.sign)(signed.as_bytes())))
}

fn line(label: &str, r: Result<String, Status>) {
    match r {
        Ok(detail) => println!("  ACCEPT {label:<24} {detail}"),
        Err(s) => println!(
            "  REJECT {label:<24} {:<32} {} (HTTP {})",
            format!("{}[{}]", s.name(), s.code()),
            s.message(),
            s.http_status()
        ),
    }
}

/// Runs the demo.
pub fn run() -> Result<Outcome, String> {
    let now = crate::now_or(None);
    println!("meshauth demo (now = {now}, no network)\n");

    println!("1. Istio's sample token against Istio's sample JWKS (as in the Istio JWT task):");
    let istio = Jwks::from_json(ISTIO_JWKS.as_bytes()).map_err(|s| s.to_string())?;
    let mut v = Validation::new();
    v.set_issuer("testing@secure.istio.io");
    let demo = ISTIO_TOKEN.trim();
    line(
        "demo.jwt",
        verify(demo.as_bytes(), &istio, &v, now)
            .map(|t| format!("principal {}", t.principal().unwrap_or_default())),
    );

    println!("\n2. One token per algorithm, one JWKS with all the keys:");
    let keys = keys()?;
    let mut seen = std::collections::BTreeSet::new();
    let jwks_doc = serde_json::json!({"keys": keys.iter().filter(|k| seen.insert(k.kid.clone())).map(|k| k.jwk.clone()).collect::<Vec<_>>()});
    let jwks = Jwks::from_json(jwks_doc.to_string().as_bytes()).map_err(|s| s.to_string())?;
    let claims = serde_json::json!({"iss": ISSUER, "sub": "alice", "aud": "bookinfo", "iat": now, "exp": now + 3600, "scope": "read write"});
    let mut v = Validation::new();
    v.set_issuer(ISSUER).add_audience("https://bookinfo/");
    let mut accepted = 0;
    for k in &keys {
        let t = token(k, &claims);
        let r = verify(t.as_bytes(), &jwks, &v, now).map(|t| {
            format!(
                "{} bytes, principal {}, scopes {:?}",
                t.as_str().len(),
                t.principal().unwrap_or_default(),
                t.scopes()
            )
        });
        accepted += usize::from(r.is_ok());
        line(k.alg, r);
    }

    println!("\n3. What Envoy would reject, and why:");
    let hs = keys
        .iter()
        .find(|k| k.alg == "HS256")
        .ok_or("no HS256 key")?;
    let es = keys
        .iter()
        .find(|k| k.alg == "ES256")
        .ok_or("no ES256 key")?;
    let good = token(es, &claims);
    let with = |c: serde_json::Value| token(es, &c);
    let mut cases: Vec<(&str, String, Validation)> = vec![
        (
            "expired",
            with(serde_json::json!({"iss": ISSUER, "aud": "bookinfo", "exp": now - 3600})),
            v.clone(),
        ),
        (
            "not yet valid",
            with(serde_json::json!({"iss": ISSUER, "aud": "bookinfo", "nbf": now + 3600})),
            v.clone(),
        ),
        (
            "other issuer",
            with(serde_json::json!({"iss": "https://evil.example", "aud": "bookinfo"})),
            v.clone(),
        ),
        (
            "wrong audience",
            with(serde_json::json!({"iss": ISSUER, "aud": "payments"})),
            v.clone(),
        ),
    ];
    let (signed, sig) = good.rsplit_once('.').ok_or("token")?;
    let mut bad = b64::decode(sig.as_bytes()).ok_or("sig")?;
    bad[3] ^= 0x40;
    cases.push((
        "tampered signature",
        format!("{signed}.{}", b64::encode(&bad)),
        v.clone(),
    ));
    let payload = signed.split_once('.').ok_or("token")?.1;
    cases.push((
        "alg none",
        format!("{}.{payload}.", b64::encode(br#"{"alg":"none"}"#)),
        v.clone(),
    ));
    cases.push((
        "unknown kid",
        format!(
            "{}.{payload}.{sig}",
            b64::encode(br#"{"alg":"ES256","kid":"rotated-away"}"#)
        ),
        v.clone(),
    ));
    cases.push((
        "ES256 -> HS256 swap",
        token(hs, &claims).replace(
            &b64::encode(br#"{"alg":"HS256","kid":"demo-hmac","typ":"JWT"}"#),
            &b64::encode(br#"{"alg":"HS256","kid":"demo-es256","typ":"JWT"}"#),
        ),
        v.clone(),
    ));
    cases.push((
        "unknown crit",
        format!(
            "{}.{payload}.{sig}",
            b64::encode(br#"{"alg":"ES256","crit":["exp"]}"#)
        ),
        v.clone(),
    ));
    cases.push(("five segments (JWE)", format!("{good}.x.y"), v.clone()));
    cases.push((
        "duplicate claim",
        with_raw(es, &format!(r#"{{"iss":"{ISSUER}","iss":"x"}}"#)),
        v.clone(),
    ));
    for (label, t, v) in &cases {
        line(
            label,
            verify(t.as_bytes(), &jwks, v, now).map(|_| String::new()),
        );
    }
    rotation_diff(&jwks_doc)?;
    certificates(now)?;
    request_policy(now)?;
    println!("\n{accepted} of {} algorithms verified; {} statuses in all (0-72 are Envoy's): docs/status.md", keys.len(), Status::all().count());
    Ok(if accepted == keys.len() {
        Outcome::Ok
    } else {
        Outcome::Rejected
    })
}

fn with_raw(k: &DemoKey, claims: &str) -> String {
    let header = serde_json::json!({"alg": k.alg, "kid": k.kid});
    let signed = format!(
        "{}.{}",
        b64::encode(header.to_string().as_bytes()),
        b64::encode(claims.as_bytes())
    );
    format!("{signed}.{}", b64::encode(&(k.sign)(signed.as_bytes())))
}

/// Section 4: one key of the demo JWKS is rotated; what `jwks-diff` reports.
fn rotation_diff(old: &serde_json::Value) -> Result<(), String> {
    println!("\n4. Key rotation: the ES256 key is replaced by a new one (meshauth jwks-diff):");
    let mut new = old.clone();
    let keys = new["keys"].as_array_mut().ok_or("keys")?;
    let es = keys
        .iter_mut()
        .find(|k| k["kid"] == "demo-es256")
        .ok_or("no ES256 key")?;
    let rng = SystemRandom::new();
    let algo = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
    let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(algo, &rng).map_err(|e| e.to_string())?;
    let kp = signature::EcdsaKeyPair::from_pkcs8(algo, pkcs8.as_ref(), &rng)
        .map_err(|e| e.to_string())?;
    let point = kp.public_key().as_ref();
    es["kid"] = "demo-es256-2".into();
    es["x"] = b64::encode(&point[1..33]).into();
    es["y"] = b64::encode(&point[33..]).into();
    // And the HMAC key is re-issued under the same kid.
    let hmac = keys
        .iter_mut()
        .find(|k| k["kid"] == "demo-hmac")
        .ok_or("no HMAC key")?;
    hmac["k"] = b64::encode(b"a-new-secret-for-the-demo-hmac-key-0123456789").into();
    let (old_t, new_t) = (old.to_string(), new.to_string());
    let changed =
        jwks_compare::changed(old_t.as_bytes(), new_t.as_bytes()).map_err(|s| s.to_string())?;
    let d = jwks_compare::diff(old_t.as_bytes(), new_t.as_bytes()).map_err(|s| s.to_string())?;
    println!("  changed: {changed}");
    for (label, list) in [
        ("added", &d.added),
        ("removed", &d.removed),
        ("modified", &d.modified),
    ] {
        let names: Vec<String> = list.iter().map(|k| k.to_string()).collect();
        println!(
            "  {label:<9} {}",
            if names.is_empty() {
                "-".into()
            } else {
                names.join(", ")
            }
        );
    }
    let reordered = serde_json::json!({"keys": old["keys"].as_array().map(|k| k.iter().rev().cloned().collect::<Vec<_>>())});
    println!(
        "  the same keys in reverse order: changed = {}",
        jwks_compare::changed(old_t.as_bytes(), reordered.to_string().as_bytes())
            .map_err(|s| s.to_string())?
    );
    Ok(())
}

/// Section 5: certificate expiry and Istio's rotation schedule (meshauth cert).
fn certificates(now: i64) -> Result<(), String> {
    println!(
        "\n5. Certificates: expiry and rotation (meshauth cert; received now, grace ratio 0.5):"
    );
    let ns = NANOS_PER_SECOND;
    for (name, pem) in CHAINS {
        let chain = cert::parse(pem.as_bytes()).map_err(|s| format!("{name}: {s}"))?;
        println!("  {name}:");
        for (i, c) in chain.iter().enumerate() {
            let left = c.not_after - now;
            println!(
                "    [{i}] {:<58} notAfter {}  {}",
                truncate(&c.subject, 58),
                rfc3339(c.not_after),
                if left < 0 {
                    format!("EXPIRED {} ago", human_duration(-left))
                } else {
                    format!("{} left", human_duration(left))
                }
            );
        }
        let s = rotation::schedule(
            &chain,
            now.saturating_mul(ns),
            now.saturating_mul(ns),
            rotation::Policy {
                ratio: 0.5,
                jitter: 0.0,
            },
            rotation::Draw::NONE,
        )
        .map_err(|s| s.to_string())?;
        let idx = match s.reason {
            rotation::Reason::LeafExpiry => 0,
            rotation::Reason::ChainCertExpiry { index } => index,
        };
        let at = s.rotate_at_ns.div_euclid(ns);
        println!(
            "    rotate at {} (in {}); limited by [{idx}]{}",
            rfc3339(at),
            human_duration(s.delay_ns / ns),
            if idx != 0 {
                ", which expires before the first certificate: Istio reads only the first and would rotate too late"
            } else {
                ""
            }
        );
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(n - 3).collect::<String>())
    }
}

/// Section 6: RequestAuthentication + AuthorizationPolicy for a few requests (meshauth authz).
fn request_policy(now: i64) -> Result<(), String> {
    println!("\n6. Request authentication + authorization policy (meshauth authn / authz):");
    let config = serde_json::json!({"jwtRules": [{"issuer": "testing@secure.istio.io", "jwks": ISTIO_JWKS}]});
    let auth =
        Authenticator::from_json(config.to_string().as_bytes()).map_err(|e| e.to_string())?;
    let policy = r#"[{"kind":"AuthorizationPolicy","metadata":{"name":"require-jwt"},
        "spec":{"action":"ALLOW","rules":[{"from":[{"source":{"requestPrincipals":["testing@secure.istio.io/*"]}}],
                                            "to":[{"operation":{"paths":["/api/*"]}}]}]}}]"#;
    let policies = policy::parse_policies(policy.as_bytes()).map_err(|e| e.to_string())?;
    println!("  RequestAuthentication: issuer testing@secure.istio.io, Istio's sample JWKS inline");
    println!("  AuthorizationPolicy require-jwt: ALLOW requestPrincipals testing@secure.istio.io/* to /api/*");
    let token = ISTIO_TOKEN.trim();
    let bearer = format!("Bearer {token}");
    // Change the last signature character (to one of the same low bits' class).
    let last = if token.ends_with('A') { 'Q' } else { 'A' };
    let tampered = format!("Bearer {}{last}", &token[..token.len() - 1]);
    let cases: [(&str, &str, Option<&str>); 4] = [
        ("GET /api/items, sample token", "/api/items", Some(&bearer)),
        ("GET /api/items, no token", "/api/items", None),
        (
            "GET /api/items, tampered token",
            "/api/items",
            Some(&tampered),
        ),
        ("GET /health, sample token", "/health", Some(&bearer)),
    ];
    for (label, path, auth_header) in cases {
        let headers: Vec<(&str, &str)> = auth_header
            .map(|v| ("authorization", v))
            .into_iter()
            .collect();
        let mut req = RequestView::new("GET", path);
        req.headers = &headers;
        let outcome = auth.authenticate(&req, now);
        let decision = policy::evaluate(&policies, &req, &outcome);
        let status = policy::http_status(&outcome, &decision);
        let authn = match &outcome {
            AuthnOutcome::Authenticated {
                issuer, subject, ..
            } => format!(
                "authenticated {}/{}",
                issuer.as_deref().unwrap_or(""),
                subject.as_deref().unwrap_or("")
            ),
            AuthnOutcome::NoToken { .. } => "no token".into(),
            AuthnOutcome::CorsPreflight { .. } => "CORS preflight".into(),
            AuthnOutcome::Rejected { status, .. } => format!("rejected {}", status.name()),
        };
        println!(
            "  HTTP {status}  {label:<32} authn: {authn}; authz: {}",
            if decision.allowed { "allow" } else { "deny" }
        );
    }
    Ok(())
}
