//! `iss`, `aud` and `kid` are compared as their JSON values, whether or not the token spells them
//! with escapes, and audiences with Envoy's sanitising (one leading `http://` or `https://`, one
//! trailing `/`, on both sides). The expected answers follow from RFC 8259 and Envoy's
//! `sanitizeAudience`, worked by hand for each case.

mod common;

use common::b64url;
use meshauth_core::{verify, Jwks, Status, Validation};

const NOW: i64 = 1_800_000_000;
const KEY: &[u8] = &[7; 32];

fn token(kid: &str, claims: &str) -> String {
    common::hs256_token(&format!(r#"{{"alg":"HS256","kid":"{kid}"}}"#), claims, KEY)
}

fn check(kid: &str, claims: &str, issuer: &str, audiences: &[&str]) -> Status {
    // Two keys with the same secret: which one verified shows which kid matched.
    let jwks = Jwks::from_json(
        format!(
            r#"{{"keys":[{{"kty":"oct","kid":"k-1","k":"{k}"}},{{"kty":"oct","kid":"k/2","k":"{k}"}}]}}"#,
            k = b64url(KEY)
        )
        .as_bytes(),
    )
    .unwrap();
    let mut v = Validation::new();
    v.set_issuer(issuer);
    for a in audiences {
        v.add_audience(a);
    }
    match verify(token(kid, claims).as_bytes(), &jwks, &v, NOW) {
        Ok(t) => {
            // The decoded kid names the key: `k-1` is the first, `k/2` the second.
            let decoded = kid.replace(r"\u002d", "-").replace(r"\/", "/");
            assert_eq!(t.key_index(), usize::from(decoded == "k/2"), "{kid}");
            Status::Ok
        }
        Err(s) => s,
    }
}

#[test]
fn issuer_is_compared_as_its_json_value() {
    let iss = "https://issuer.example";
    for (claims, want) in [
        (r#"{"iss":"https://issuer.example"}"#, Status::Ok),
        (r#"{"iss":"https:\/\/issuer.example"}"#, Status::Ok),
        (r#"{"iss":"https://issuer\u002eexample"}"#, Status::Ok),
        (
            r#"{"iss":"https://issuer.example/"}"#,
            Status::JwtUnknownIssuer,
        ),
        (
            r#"{"iss":"https://issuer.exampl"}"#,
            Status::JwtUnknownIssuer,
        ),
        (
            r#"{"iss":"HTTPS://issuer.example"}"#,
            Status::JwtUnknownIssuer,
        ),
        (r#"{"sub":"no issuer"}"#, Status::JwtUnknownIssuer),
    ] {
        assert_eq!(check("k-1", claims, iss, &[]), want, "{claims}");
    }
}

#[test]
fn audiences_are_sanitised_on_both_sides() {
    let iss = r#""iss":"i""#;
    for (aud, allowed, want) in [
        (r#""api.example""#, &["api.example"][..], Status::Ok),
        (r#""https://api.example/""#, &["api.example"], Status::Ok),
        (
            r#""http://api.example""#,
            &["https://api.example/"],
            Status::Ok,
        ),
        (r#""https:\/\/api.example\/""#, &["api.example"], Status::Ok),
        (r#""api\u002eexample""#, &["api.example"], Status::Ok),
        // Only one prefix and one slash are removed.
        (
            r#""api.example//""#,
            &["api.example"],
            Status::JwtAudienceNotAllowed,
        ),
        (
            r#""https://https://api.example""#,
            &["api.example"],
            Status::JwtAudienceNotAllowed,
        ),
        (
            r#""ftp://api.example""#,
            &["api.example"],
            Status::JwtAudienceNotAllowed,
        ),
        (r#""""#, &["api.example"], Status::JwtAudienceNotAllowed),
        (r#""other""#, &["api.example", "other/"], Status::Ok),
        (
            r#"["x","https://api.example"]"#,
            &["api.example"],
            Status::Ok,
        ),
        (
            r#"["x","y"]"#,
            &["api.example"],
            Status::JwtAudienceNotAllowed,
        ),
        (r#"[]"#, &["api.example"], Status::JwtAudienceNotAllowed),
    ] {
        let claims = format!(r#"{{{iss},"aud":{aud}}}"#);
        assert_eq!(
            check("k-1", &claims, "i", allowed),
            want,
            "{aud} {allowed:?}"
        );
    }
    // No `aud` with an audience configured is refused; no audience configured accepts any.
    assert_eq!(
        check("k-1", r#"{"iss":"i"}"#, "i", &["a"]),
        Status::JwtAudienceNotAllowed
    );
    assert_eq!(
        check("k-1", r#"{"iss":"i","aud":"z"}"#, "i", &[]),
        Status::Ok
    );
}

#[test]
fn kid_is_compared_as_its_json_value() {
    let claims = r#"{"iss":"i"}"#;
    assert_eq!(check("k-1", claims, "i", &[]), Status::Ok);
    assert_eq!(check(r"k\u002d1", claims, "i", &[]), Status::Ok);
    assert_eq!(check("k/2", claims, "i", &[]), Status::Ok);
    assert_eq!(check(r"k\/2", claims, "i", &[]), Status::Ok);
    assert_eq!(check("k-3", claims, "i", &[]), Status::JwksKidAlgMismatch);
}
